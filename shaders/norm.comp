#version 450
#extension GL_GOOGLE_include_directive : require
/*
 * norm.comp - y = norm(x) * w (+ bias) per column: RMS (kind 0) or
 * layer norm (kind 1, mean removed), one workgroup per column.  x and y
 * may be the same memory.
 */
#include "common/base.glsl"
#define WG 256
layout(local_size_x = WG) in;
#include "common/reduce.glsl"

layout(binding = 0, std430) readonly buffer XBuf { float x[]; };
#define NORM_X x
#include "common/norm.glsl"
layout(binding = 1, std430) readonly buffer WBuf { float w[]; };
layout(binding = 2, std430) readonly buffer BBuf { float bias[]; };
layout(binding = 3, std430) buffer YBuf { float y[]; };

layout(push_constant) uniform PC {
	uint n, ncols, xoff, xstride, yoff, ystride, woff, boff;
	uint hasw, hasb, kind;
	float eps;
} p;

void
main()
{
	uint col = group_id(), lid = gl_LocalInvocationID.x;
	float mean;

	if (col >= p.ncols)
		return;
	uint xb = p.xoff + col * p.xstride, yb = p.yoff + col * p.ystride;
	float scale = norm_scale(xb, p.n, p.kind, p.eps, mean);
	for (uint i = lid; i < p.n; i += WG) {
		float o = (x[xb + i] - mean) * scale;
		if (p.hasw != 0u)
			o *= w[p.woff + i];
		if (p.hasb != 0u)
			o += bias[p.boff + i];
		y[yb + i] = o;
	}
}
