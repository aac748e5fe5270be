#version 450
#extension GL_GOOGLE_include_directive : require
/*
 * pool.comp - one vector per sequence (backend.h's pool op): y[:, s] is
 * the mean (kind 1), the first column (2) or the last column (3) of
 * columns st[s] .. st[s + 1] - 1 of x.  The mean sums in float with
 * Kahan's compensation (precise: neither reassociated nor fused), so it
 * differs from the CPU's double sum by about the final rounding.  One
 * invocation per (sequence, element).
 */
#include "common/base.glsl"
#define WG 64
layout(local_size_x = WG) in;

layout(binding = 0, std430) readonly buffer XBuf { float x[]; };
layout(binding = 1, std430) readonly buffer SBuf { int st[]; };
layout(binding = 3, std430) writeonly buffer YBuf { float y[]; };

layout(push_constant) uniform PC {
	uint ne0, nseq, xoff, xstride, yoff, ystride, soff, kind;
} p;

void
main()
{
	uint gps = (p.ne0 + WG - 1u) / WG, g = group_id(), s = g / gps;
	uint i = (g % gps) * WG + gl_LocalInvocationID.x;

	if (s >= p.nseq || i >= p.ne0)
		return;
	uint c0 = uint(st[p.soff + s]), c1 = uint(st[p.soff + s + 1u]);
	float r;
	if (p.kind == 2u) {
		r = x[p.xoff + c0 * p.xstride + i];
	} else if (p.kind == 3u) {
		r = x[p.xoff + (c1 - 1u) * p.xstride + i];
	} else {
		precise float sum = 0.0, comp = 0.0;
		for (uint c = c0; c < c1; c++) {
			precise float yv = x[p.xoff + c * p.xstride + i] - comp;
			precise float t = sum + yv;
			comp = (t - sum) - yv;
			sum = t;
		}
		r = sum / float(c1 - c0);
	}
	y[p.yoff + s * p.ystride + i] = r;
}
