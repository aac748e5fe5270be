#version 450
#extension GL_GOOGLE_include_directive : require
/*
 * quant_act.comp - the activations of a matrix product rounded as the
 * CPU backend rounds them (llama.cpp's vec_dot_type of the weight type:
 * libcore/quant/q8_0.c, q8_k.c), written back as floats, so that the
 * product is the CPU's up to the order of the sums:
 *   kind 1 (q8_0, q8_1: 32-blocks): d = amax / 127, q = roundf(x / d),
 *     x' = q * f16(d); for q8_1 the block's s = f16(d * sum q) goes to
 *     s[] (the term of the weight's minimum uses it);
 *   kind 2 (q8_K: 256-blocks): iscale = -127 / max (max the value of
 *     largest magnitude, the first of equals), q = min(127,
 *     rint(iscale * x)), x' = q / iscale;
 *   kind 3 (f16): x' = f16(x).
 * One invocation per element, a block's maximum and sum by a tree in
 * shared memory (a block lies inside one workgroup: WG is a multiple of
 * 256).  Divisions and f16 roundings are exact (common/exact.glsl).  y
 * is contiguous (ne0 a column), s has one float per 32-block.
 *
 * The op before the product may be done here first (the backend fuses
 * them in generation), its result written to o (binding 4) as its own
 * shader would, and that rounded:
 *   pre 1: norm.comp's x * w (w optional, no bias), RMS or layer norm
 *     (sub 0, 1) with eps; every workgroup's live elements lie in one
 *     column (one column, or ne0 a multiple of WG), whose sums it does
 *     itself (the same sums as norm.comp's: common/norm.glsl); o must
 *     not overlap x;
 *   pre 2: act.comp's act(x) (* aux) (sub: its kind; common/act.glsl);
 *     o may be x;
 *   pre 3: attention's output from the nsplit parts attn.comp wrote at
 *     x (heads of hd; m, l, acc[hd] each): sum exp(m - M) acc / sum
 *     exp(m - M) l, M the largest m.
 * kind 0: the pre's output alone, nothing rounded.
 */
#include "common/base.glsl"
#define WG 256
layout(local_size_x = WG) in;
#include "common/exact.glsl"
#include "common/reduce.glsl"
#include "common/act.glsl"

layout(binding = 0, std430) readonly buffer XBuf { float x[]; };
layout(binding = 1, std430) readonly buffer ABuf { float aux[]; };
layout(binding = 2, std430) writeonly buffer SBuf { float s[]; };
layout(binding = 3, std430) writeonly buffer YBuf { float y[]; };
layout(binding = 4, std430) writeonly buffer OBuf { float o[]; };
#define NORM_X x
#include "common/norm.glsl"

layout(push_constant) uniform PC {
	uint ne0, ncols, xoff, xstride, kind, soff;
	uint pre, sub, aoff, astride, hasaux, ooff, ostride;
	float eps;
	uint hd, nsplit;
} p;

shared float sa[WG];
shared uint si[WG];
shared float sv[WG];
shared int ss[WG];

void
main()
{
	uint bs = p.kind == 1u ? 32u : 256u, lid = gl_LocalInvocationID.x;
	uint e = group_id() * WG + lid;
	uint c = e / p.ne0, i = e % p.ne0;
	bool live = c < p.ncols;
	uint lb = lid & ~(bs - 1u);		/* the block's first */
	float xv;

	if (p.pre == 1u) {
		/* the column of the workgroup's first element: its live
		   ones all lie in it */
		uint cw = group_id() * WG / p.ne0;
		float mean, sc;

		if (cw >= p.ncols)	/* the whole workgroup */
			return;
		sc = norm_scale(p.xoff + cw * p.xstride, p.ne0, p.sub, p.eps,
		    mean);
		xv = 0.0;
		if (live) {
			xv = (x[p.xoff + c * p.xstride + i] - mean) * sc;
			if (p.hasaux != 0u)
				xv *= aux[p.aoff + i];
			o[p.ooff + c * p.ostride + i] = xv;
		}
	} else if (p.pre == 2u) {
		xv = 0.0;
		if (live) {
			xv = act_of(p.sub, x[p.xoff + c * p.xstride + i]);
			if (p.hasaux != 0u)
				xv *= aux[p.aoff + c * p.astride + i];
			o[p.ooff + c * p.ostride + i] = xv;
		}
	} else if (p.pre == 3u) {
		xv = 0.0;
		if (live) {
			uint h = i / p.hd, d = i % p.hd, st = p.hd + 2u;
			uint pb = p.xoff + (c * (p.ne0 / p.hd) + h) * p.nsplit * st;
			float mx = -1.0 / 0.0, l = 0.0;
			for (uint k = 0u; k < p.nsplit; k++)
				mx = max(mx, x[pb + k * st]);
			for (uint k = 0u; k < p.nsplit; k++) {
				float f = exp(x[pb + k * st] - mx);
				l += f * x[pb + k * st + 1u];
				xv += f * x[pb + k * st + 2u + d];
			}
			xv /= l;
			o[p.ooff + c * p.ostride + i] = xv;
		}
	} else {
		xv = live ? x[p.xoff + c * p.xstride + i] : 0.0;
	}
	if (p.kind == 0u)
		return;

	if (p.kind == 3u) {
		if (live)
			y[e] = f16_rne(xv);
		return;
	}
	/* the largest magnitude, the first of equals (left wins ties) */
	sa[lid] = abs(xv);
	si[lid] = lid;
	sv[lid] = xv;
	barrier();
	for (uint h = bs / 2u; h > 0u; h >>= 1) {
		if ((lid & (bs - 1u)) < h && sa[lid + h] > sa[lid]) {
			sa[lid] = sa[lid + h];
			si[lid] = si[lid + h];
		}
		barrier();
	}
	float amax = sa[lb], mx = sv[si[lb]];
	if (p.kind == 1u) {
		float d = div_rn(amax, 127.0);
		float id = d != 0.0 ? div_rn(1.0, d) : 0.0;
		precise float qx = xv * id;
		float q = round_away(qx);
		ss[lid] = int(q);
		if (live)
			y[e] = q * f16_rne(d);
		barrier();
		for (uint h = 16u; h > 0u; h >>= 1) {
			if ((lid & 31u) < h)
				ss[lid] += ss[lid + h];
			barrier();
		}
		if (live && (lid & 31u) == 0u)
			s[p.soff + e / 32u] = f16_rne(float(ss[lid]) * d);
	} else if (live) {
		if (amax == 0.0) {
			y[e] = 0.0;
		} else {
			float iscale = div_rn(-127.0, mx), d = div_rn(1.0, iscale);
			precise float qx = iscale * xv;
			y[e] = min(127.0, roundEven(qx)) * d;
		}
	}
}
