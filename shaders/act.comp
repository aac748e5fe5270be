#version 450
#extension GL_GOOGLE_include_directive : require
/*
 * act.comp - y = act(gate) * up, or act(gate) without up: kind 0
 * SiLU, 1 GELU (tanh approximation, as ggml), 2 GELU by erf.
 */
#include "common/base.glsl"
#define WG 256
layout(local_size_x = WG) in;

layout(binding = 0, std430) readonly buffer GBuf { float g[]; };
layout(binding = 1, std430) readonly buffer UBuf { float up[]; };
layout(binding = 3, std430) writeonly buffer YBuf { float y[]; };

layout(push_constant) uniform PC {
	uint ne0, ncols, goff, gstride, uoff, ustride, yoff, ystride;
	uint hasup, kind;
} p;

/* erf by Abramowitz and Stegun 7.1.26 refined: |error| < 1.5e-7 */
float
erf_as(float x)
{
	float t = 1.0 / (1.0 + 0.3275911 * abs(x));
	float r = 1.0 - (((((1.061405429 * t - 1.453152027) * t) +
	    1.421413741) * t - 0.284496736) * t + 0.254829592) * t *
	    exp(-x * x);
	return x < 0.0 ? -r : r;
}

void
main()
{
	uint gpc = (p.ne0 + WG - 1u) / WG, gi = group_id();
	uint t = gi / gpc, i = (gi % gpc) * WG + gl_LocalInvocationID.x;

	if (t >= p.ncols || i >= p.ne0)
		return;
	float x = g[p.goff + t * p.gstride + i];
	if (p.kind == 0u) {
		x = x / (1.0 + exp(-x));
	} else if (p.kind == 1u) {
		float z = 0.7978845608028654 * x * (1.0 + 0.044715 * x * x);
		x = 0.5 * x * (1.0 + tanh(clamp(z, -15.0, 15.0)));
	} else {
		x = 0.5 * x * (1.0 + erf_as(x * 0.7071067811865476));
	}
	if (p.hasup != 0u)
		x *= up[p.uoff + t * p.ustride + i];
	y[p.yoff + t * p.ystride + i] = x;
}
