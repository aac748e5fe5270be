#version 450
#extension GL_GOOGLE_include_directive : require
/*
 * kv_store.comp - the batch's keys and values into their cells:
 * column t of k and v to cell pos[t] % nc, converted to the cache type
 * (-DKV_f16 or -DKV_f32; kbase, vbase: element offsets, even): nel
 * values at the start of each cell of rowel elements (a layer with
 * smaller heads than the cache's widest, gemma4).  nel and rowel are
 * even.
 */
#include "common/base.glsl"
#define WG 64
layout(local_size_x = WG) in;

layout(binding = 0, std430) readonly buffer KBuf { float k[]; };
layout(binding = 1, std430) readonly buffer VBuf { float v[]; };
layout(binding = 2, std430) readonly buffer PBuf { int pos[]; };
layout(binding = 3, std430) writeonly buffer KCBuf { uint kc[]; };
layout(binding = 4, std430) writeonly buffer VCBuf { uint vc[]; };

layout(push_constant) uniform PC {
	uint rowel, ntok, koff, kstride, voff, vstride, posoff, nc;
	uint kbase, vbase, nel;
} p;

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
#if defined(KV_f16)
	kc[(p.kbase + e) >> 1] = packHalf2x16(vec2(k[kb], k[kb + 1u]));
	vc[(p.vbase + e) >> 1] = packHalf2x16(vec2(v[vb], v[vb + 1u]));
#else
	kc[p.kbase + e] = floatBitsToUint(k[kb]);
	kc[p.kbase + e + 1u] = floatBitsToUint(k[kb + 1u]);
	vc[p.vbase + e] = floatBitsToUint(v[vb]);
	vc[p.vbase + e + 1u] = floatBitsToUint(v[vb + 1u]);
#endif
}
