#version 450
#extension GL_GOOGLE_include_directive : require
/*
 * rope.comp - RoPE in place, as libcore/cpu/cpu_backend.c (and
 * llama.cpp) compute it: one invocation per (token, head, pair i), the
 * angle by common/rope.glsl (optional per-pair frequency factors, YaRN).
 * Pairs (2i, 2i+1), or (i, i + n_rot/2) for NeoX.
 */
#include "common/base.glsl"
#define WG 64
layout(local_size_x = WG) in;
#include "common/exact.glsl"
#include "common/rope.glsl"

layout(binding = 0, std430) readonly buffer PBuf { int pos[]; };
layout(binding = 1, std430) readonly buffer FBuf { float ff[]; };
layout(binding = 3, std430) buffer XBuf { float x[]; };

layout(push_constant) uniform PC {
	uint ntok, n_head, head_dim, n_rot, neox, xoff, xstride, posoff;
	uint ffoff, hasff;
	float theta_scale, freq_scale, ext_factor, mscale, lo, hi;
} p;

void
main()
{
	uint g = group_id() * WG + gl_LocalInvocationID.x, np = p.n_rot / 2u;
	uint i = g % np, th_ = g / np, t = th_ / p.n_head, h = th_ % p.n_head;

	if (t >= p.ntok)
		return;
	uint vb = p.xoff + t * p.xstride + h * p.head_dim;
	vec2 r = rope_cs(i, pos[p.posoff + t], p.theta_scale, p.hasff != 0u,
	    p.hasff != 0u ? ff[p.ffoff + i] : 1.0, p.freq_scale, p.ext_factor,
	    p.mscale, p.lo, p.hi);
	precise float cs = r.x, sn = r.y;
	uint i0 = p.neox != 0u ? i : 2u * i;
	uint i1 = p.neox != 0u ? i + np : 2u * i + 1u;
	float x0 = x[vb + i0], x1 = x[vb + i1];
	precise float y0 = x0 * cs - x1 * sn, y1 = x0 * sn + x1 * cs;
	x[vb + i0] = y0;
	x[vb + i1] = y1;
}
