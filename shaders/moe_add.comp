#version 450
#extension GL_GOOGLE_include_directive : require
/*
 * moe_add.comp - a mixture-of-experts layer's sum (backend.h, moe_add):
 * y[:, t] = a[:, t] + sum over the slots s in order of w[s, t] c[:, s +
 * nu t], the weights w in rows nu .. 2 nu-1 of sel's column t.  y may
 * be a: each element is read and written by one invocation.
 */
#include "common/base.glsl"
#define WG 256
layout(local_size_x = WG) in;

layout(binding = 0, std430) readonly buffer ABuf { float a[]; };
layout(binding = 1, std430) readonly buffer CBuf { float c[]; };
layout(binding = 2, std430) readonly buffer SBuf { float sel[]; };
layout(binding = 3, std430) buffer YBuf { float y[]; };

layout(push_constant) uniform PC {
	uint ne0, ntok, nu, aoff, astride, coff, cstride, yoff, ystride;
	uint soff, sstride;
} p;

void
main()
{
	uint gpc = (p.ne0 + WG - 1u) / WG, g = group_id();
	uint t = g / gpc, i = (g % gpc) * WG + gl_LocalInvocationID.x;
	float acc;

	if (t >= p.ntok || i >= p.ne0)
		return;
	acc = a[p.aoff + t * p.astride + i];
	for (uint s = 0u; s < p.nu; s++)
		acc += sel[p.soff + t * p.sstride + p.nu + s] *
		    c[p.coff + (s + p.nu * t) * p.cstride + i];
	y[p.yoff + t * p.ystride + i] = acc;
}
