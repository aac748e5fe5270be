#version 450
#extension GL_GOOGLE_include_directive : require
/*
 * kv_store.comp - the batch's keys and values into their cells:
 * column t of k and v to cell pos[t] % nc, converted to the cache type
 * (-DKV_f16 or -DKV_f32; kbase, vbase: element offsets, even): nel
 * values at the start of each cell of rowel elements (a layer with
 * smaller heads than the cache's widest, gemma4).  nel and rowel are
 * even.
 *
 * -DKV_q8_0 (common/kv.glsl's layout; nel and rowel multiples of 32,
 * kbase, vbase word offsets): one invocation per two 32-blocks of a
 * column, each block quantized as the CPU's kv store does
 * (libcore/quant/q8_0.c, ggml's quantize_row_q8_0_ref): d = amax / 127,
 * q = roundf(x / d) with 1 / d precomputed, halves away from zero; d
 * kept as f16.  The divisions are exact and the f16 roundings to
 * nearest even (common/exact.glsl), whatever the driver's division and
 * conversion do; packHalf2x16 then only stores values it can hold.
 *
 * rope != 0: the keys are turned first, as rope.comp turns them with
 * pairs (2i, 2i+1) (not NeoX: a pair is then one invocation's), and
 * written back to k too: the backend fuses RoPE of the keys into the
 * store in generation.  Heads of hd values, the first n_rot of each
 * turned; the frequency factors (hasff) are floats at word ffoff of
 * pos's buffer.
 */
#include "common/base.glsl"
#define WG 64
layout(local_size_x = WG) in;
#include "common/exact.glsl"
#include "common/rope.glsl"

layout(binding = 0, std430) buffer KBuf { float k[]; };
layout(binding = 1, std430) readonly buffer VBuf { float v[]; };
layout(binding = 2, std430) readonly buffer PBuf { int pos[]; };
layout(binding = 2, std430) readonly buffer FBuf { float pf[]; };
layout(binding = 3, std430) writeonly buffer KCBuf { uint kc[]; };
layout(binding = 4, std430) writeonly buffer VCBuf { uint vc[]; };

layout(push_constant) uniform PC {
	uint rowel, ntok, koff, kstride, voff, vstride, posoff, nc;
	uint kbase, vbase, nel;
	uint rope, hd, n_rot, hasff, ffoff;
	float theta_scale, freq_scale, ext_factor, mscale, lo, hi;
} p;

/* the pair at element e (even) of token t's keys, turned (rope) */
vec2
turn(uint t, uint e, vec2 x)
{
	uint d = e % p.hd;

	if (p.rope == 0u || d >= p.n_rot)
		return x;
	vec2 r = rope_cs(d / 2u, pos[p.posoff + t], p.theta_scale,
	    p.hasff != 0u, p.hasff != 0u ? pf[p.ffoff + d / 2u] : 1.0,
	    p.freq_scale, p.ext_factor, p.mscale, p.lo, p.hi);
	precise float y0 = x.x * r.x - x.y * r.y, y1 = x.x * r.y + x.y * r.x;
	return vec2(y0, y1);
}

#if defined(KV_q8_0)
/* the 32 values xs as a q8_0 block: the quants into qw, returns d */
float
quant32(float xs[32], out uint qw[8])
{
	float amax = 0.0;

	for (uint j = 0u; j < 32u; j++)
		amax = amax > abs(xs[j]) ? amax : abs(xs[j]);
	float d = div_rn(amax, 127.0), id = d != 0.0 ? div_rn(1.0, d) : 0.0;
	for (uint w = 0u; w < 8u; w++) {
		uint u = 0u;
		for (uint b = 0u; b < 4u; b++) {
			precise float qx = xs[4u * w + b] * id;
			u |= (uint(int(round_away(qx))) & 0xffu) << (8u * b);
		}
		qw[w] = u;
	}
	return f16_rne(d);
}

void
main()
{
	uint nb = p.nel / 32u, npr = (nb + 1u) / 2u, gpt = (npr + WG - 1u) / WG;
	uint g = group_id(), t = g / gpt;
	uint i = (g % gpt) * WG + gl_LocalInvocationID.x;	/* pair */

	if (t >= p.ntok || i >= npr)
		return;
	uint sw = (p.rowel / 32u + 1u) / 2u, cell = uint(pos[p.posoff + t]) %
	    p.nc, rw = cell * (sw + p.rowel / 4u);
	uint kb = p.koff + t * p.kstride, vb = p.voff + t * p.vstride;
	float xs[32];
	uint qw[8];
	vec2 dk = vec2(0.0), dv = vec2(0.0);
	for (uint h = 0u; h < 2u; h++) {
		uint b = 2u * i + h;
		if (b >= nb)
			break;
		for (uint j = 0u; j < 32u; j += 2u) {
			vec2 x = vec2(k[kb + 32u * b + j], k[kb + 32u * b + j + 1u]);
			if (p.rope != 0u) {
				x = turn(t, 32u * b + j, x);
				k[kb + 32u * b + j] = x.x;
				k[kb + 32u * b + j + 1u] = x.y;
			}
			xs[j] = x.x;
			xs[j + 1u] = x.y;
		}
		dk[h] = quant32(xs, qw);
		for (uint w = 0u; w < 8u; w++)
			kc[p.kbase + rw + sw + 8u * b + w] = qw[w];
		for (uint j = 0u; j < 32u; j++)
			xs[j] = v[vb + 32u * b + j];
		dv[h] = quant32(xs, qw);
		for (uint w = 0u; w < 8u; w++)
			vc[p.vbase + rw + sw + 8u * b + w] = qw[w];
	}
	kc[p.kbase + rw + i] = packHalf2x16(dk);
	vc[p.vbase + rw + i] = packHalf2x16(dv);
}
#else
void
main()
{
	uint npair = p.nel / 2u, gpt = (npair + WG - 1u) / WG;
	uint g = group_id(), t = g / gpt;
	uint i = (g % gpt) * WG + gl_LocalInvocationID.x;

	if (t >= p.ntok || i >= npair)
		return;
	uint cell = uint(pos[p.posoff + t]) % p.nc, e = cell * p.rowel + 2u * i;
	uint kb = p.koff + t * p.kstride + 2u * i, vb = p.voff + t * p.vstride + 2u * i;
	vec2 kx = vec2(k[kb], k[kb + 1u]);
	if (p.rope != 0u) {
		kx = turn(t, 2u * i, kx);
		k[kb] = kx.x;
		k[kb + 1u] = kx.y;
	}
#if defined(KV_f16)
	kc[(p.kbase + e) >> 1] = packHalf2x16(vec2(f16_rne(kx.x),
	    f16_rne(kx.y)));
	vc[(p.vbase + e) >> 1] = packHalf2x16(vec2(f16_rne(v[vb]),
	    f16_rne(v[vb + 1u])));
#else
	kc[p.kbase + e] = floatBitsToUint(kx.x);
	kc[p.kbase + e + 1u] = floatBitsToUint(kx.y);
	vc[p.vbase + e] = floatBitsToUint(v[vb]);
	vc[p.vbase + e + 1u] = floatBitsToUint(v[vb + 1u]);
#endif
}
#endif
