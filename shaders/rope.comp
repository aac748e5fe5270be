#version 450
#extension GL_GOOGLE_include_directive : require
/*
 * rope.comp - RoPE in place, as libcore/cpu/cpu_backend.c (and
 * llama.cpp) compute it: one invocation per (token, head, pair i), the
 * angle advanced from the position by i repeated multiplications by
 * theta_scale in float (the CPU's sequence, so the same bits); optional
 * per-pair frequency factors; YaRN's ramp between lo and hi when
 * ext_factor != 0.  Pairs (2i, 2i+1), or (i, i + n_rot/2) for NeoX.
 * The divisions are exact (common/exact.glsl) and the angle is reduced
 * to [-pi, pi] before cos and sin (Cody and Waite's three-part 2 pi), as
 * drivers' cos and sin lose accuracy far from 0.
 */
#include "common/base.glsl"
#define WG 64
layout(local_size_x = WG) in;
#include "common/exact.glsl"

layout(binding = 0, std430) readonly buffer PBuf { int pos[]; };
layout(binding = 1, std430) readonly buffer FBuf { float ff[]; };
layout(binding = 3, std430) buffer XBuf { float x[]; };

layout(push_constant) uniform PC {
	uint ntok, n_head, head_dim, n_rot, neox, xoff, xstride, posoff;
	uint ffoff, hasff;
	float theta_scale, freq_scale, ext_factor, mscale, lo, hi;
} p;

/* th - 2 pi k for the nearest k, 2 pi as 6.28125 (exact times any k
   below 2^15) + 1.9353071693331003e-3 + 1.0253131677018246e-11 */
float
reduce_2pi(float th)
{
	precise float k = roundEven(th * 0.15915494309189535);
	precise float r = fma(-k, 6.28125, th);
	r = fma(-k, 1.9353071693331003e-3, r);
	r = fma(-k, 1.0253131677018246e-11, r);
	return r;
}

void
main()
{
	uint g = group_id() * WG + gl_LocalInvocationID.x, np = p.n_rot / 2u;
	uint i = g % np, th_ = g / np, t = th_ / p.n_head, h = th_ % p.n_head;

	if (t >= p.ntok)
		return;
	uint vb = p.xoff + t * p.xstride + h * p.head_dim;
	precise float theta = float(pos[p.posoff + t]);
	for (uint k = 0u; k < i; k++)
		theta *= p.theta_scale;
	precise float th = theta;
	if (p.hasff != 0u)
		th = div_rn(th, ff[p.ffoff + i]);
	if (p.ext_factor != 0.0) {
		float yy = div_rn(float(i) - p.lo, max(0.001, p.hi - p.lo));
		precise float ramp = (1.0 - min(1.0, max(0.0, yy))) *
		    p.ext_factor;
		th = p.freq_scale * th * (1.0 - ramp) + th * ramp;
	} else {
		th *= p.freq_scale;
	}
	float rr = reduce_2pi(th);
	precise float cs = cos(rr) * p.mscale, sn = sin(rr) * p.mscale;
	uint i0 = p.neox != 0u ? i : 2u * i;
	uint i1 = p.neox != 0u ? i + np : 2u * i + 1u;
	float x0 = x[vb + i0], x1 = x[vb + i1];
	precise float y0 = x0 * cs - x1 * sn, y1 = x0 * sn + x1 * cs;
	x[vb + i0] = y0;
	x[vb + i1] = y1;
}
