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
 *     largest magnitude), q = min(127, rint(iscale * x)), x' = q / iscale;
 *   kind 3 (f16): x' = f16(x).
 * One invocation per block (per element for f16).  y is contiguous
 * (ne0 a column), s has one float per 32-block.
 */
#include "common/base.glsl"
#define WG 64
layout(local_size_x = WG) in;

layout(binding = 0, std430) readonly buffer XBuf { float x[]; };
layout(binding = 2, std430) writeonly buffer SBuf { float s[]; };
layout(binding = 3, std430) writeonly buffer YBuf { float y[]; };

layout(push_constant) uniform PC {
	uint ne0, ncols, xoff, xstride, kind, soff;
} p;

/* C's roundf: halves away from zero */
float
round_away(float v)
{
	float t = trunc(v);

	return abs(v - t) >= 0.5 ? t + sign(v) : t;
}

float
f16(float v)
{
	return unpackHalf2x16(packHalf2x16(vec2(v, 0.0))).x;
}

void
main()
{
	uint bs = p.kind == 1u ? 32u : p.kind == 2u ? 256u : 1u;
	uint nb = p.ne0 / bs, b = group_id() * WG + gl_LocalInvocationID.x;
	uint c = b / nb, i0 = (b % nb) * bs;

	if (c >= p.ncols)
		return;
	uint xb = p.xoff + c * p.xstride + i0, yb = c * p.ne0 + i0;
	if (p.kind == 3u) {
		y[yb] = f16(x[xb]);
		return;
	}
	float amax = 0.0, mx = 0.0;
	for (uint j = 0u; j < bs; j++) {
		float a = abs(x[xb + j]);
		if (a > amax) {
			amax = a;
			mx = x[xb + j];
		}
	}
	if (p.kind == 1u) {
		float d = amax / 127.0, id = d != 0.0 ? 1.0 / d : 0.0;
		float dh = f16(d);
		int sum = 0;
		for (uint j = 0u; j < bs; j++) {
			float q = round_away(x[xb + j] * id);
			sum += int(q);
			y[yb + j] = q * dh;
		}
		s[p.soff + c * nb + b % nb] = f16(float(sum) * d);
	} else if (amax == 0.0) {
		for (uint j = 0u; j < bs; j++)
			y[yb + j] = 0.0;
	} else {
		float iscale = -127.0 / mx, d = 1.0 / iscale;
		for (uint j = 0u; j < bs; j++)
			y[yb + j] = min(127.0, roundEven(iscale * x[xb + j])) * d;
	}
}
