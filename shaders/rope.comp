#version 450
#extension GL_GOOGLE_include_directive : require
/*
 * rope.comp - RoPE in place, as libcore/cpu/cpu_backend.c (and
 * llama.cpp) compute it: one invocation per (token, head) turns the
 * pairs one after another, the angle advanced by repeated
 * multiplication by theta_scale in float; optional per-pair frequency
 * factors; YaRN's ramp between lo and hi when ext_factor != 0.  Pairs
 * (2i, 2i+1), or (i, i + n_rot/2) for NeoX.
 */
#include "common/base.glsl"
#define WG 64
layout(local_size_x = WG) in;

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
	uint g = group_id() * WG + gl_LocalInvocationID.x;
	uint t = g / p.n_head, h = g % p.n_head, nr = p.n_rot;

	if (t >= p.ntok)
		return;
	uint vb = p.xoff + t * p.xstride + h * p.head_dim;
	float theta = float(pos[p.posoff + t]);
	for (uint i = 0u; i < nr / 2u; i++) {
		float th = theta;
		if (p.hasff != 0u)
			th /= ff[p.ffoff + i];
		if (p.ext_factor != 0.0) {
			float yy = (float(i) - p.lo) / max(0.001, p.hi - p.lo);
			float ramp = (1.0 - min(1.0, max(0.0, yy))) * p.ext_factor;
			th = p.freq_scale * th * (1.0 - ramp) + th * ramp;
		} else {
			th *= p.freq_scale;
		}
		float cs = cos(th) * p.mscale, sn = sin(th) * p.mscale;
		theta *= p.theta_scale;
		uint i0 = p.neox != 0u ? i : 2u * i;
		uint i1 = p.neox != 0u ? i + nr / 2u : 2u * i + 1u;
		float x0 = x[vb + i0], x1 = x[vb + i1];
		x[vb + i0] = x0 * cs - x1 * sn;
		x[vb + i1] = x0 * sn + x1 * cs;
	}
}
