#version 450
#extension GL_GOOGLE_include_directive : require
/*
 * act.comp - y = act(gate) * up, or act(gate) without up: kind 0
 * SiLU, 1 GELU (tanh approximation, as ggml), 2 GELU by erf
 * (common/act.glsl).
 */
#include "common/base.glsl"
#define WG 256
layout(local_size_x = WG) in;
#include "common/act.glsl"

layout(binding = 0, std430) readonly buffer GBuf { float g[]; };
layout(binding = 1, std430) readonly buffer UBuf { float up[]; };
layout(binding = 3, std430) writeonly buffer YBuf { float y[]; };

layout(push_constant) uniform PC {
	uint ne0, ncols, goff, gstride, uoff, ustride, yoff, ystride;
	uint hasup, kind;
} p;

void
main()
{
	uint gpc = (p.ne0 + WG - 1u) / WG, gi = group_id();
	uint t = gi / gpc, i = (gi % gpc) * WG + gl_LocalInvocationID.x;

	if (t >= p.ncols || i >= p.ne0)
		return;
	float x = act_of(p.kind, g[p.goff + t * p.gstride + i]);
	if (p.hasup != 0u)
		x *= up[p.uoff + t * p.ustride + i];
	y[p.yoff + t * p.ystride + i] = x;
}
