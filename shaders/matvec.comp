#version 450
#extension GL_GOOGLE_include_directive : require
/*
 * matvec.comp - y[:, c] = W x[:, c] (+ bias) for few columns (token
 * generation): a workgroup computes NR rows, each with WG/NR
 * invocations striding over the row in units of 8 elements, up to 4
 * columns per pass; partial sums meet in shared memory (few large
 * workgroups: lavapipe pays per workgroup, GPUs want the row split).
 * The weight type is chosen with -DW_<type> (common/quant.glsl); f32
 * and f16 rows may have any length (elements past the last 8 one by
 * one).  x is rounded as the CPU rounds it (quant_act.comp), with
 * q8_1's block sums at xs for the W_MIN types.
 */
#include "common/base.glsl"
#define WG 64
#define NR 4u
#define LPR (WG / NR)
layout(local_size_x = WG) in;
#include "common/quant.glsl"

layout(binding = 1, std430) readonly buffer XBuf { float x[]; };
layout(binding = 2, std430) readonly buffer BBuf { float bias[]; };
layout(binding = 3, std430) writeonly buffer YBuf { float y[]; };
layout(binding = 4, std430) readonly buffer SBuf { float xs[]; };

layout(push_constant) uniform PC {
	uint ne0, nrows, ncols, woff, wrow, xoff, xstride, yoff, ystride;
	uint boff, hasbias, soff;
} p;

shared vec4 part[WG];

void
main()
{
	uint lid = gl_LocalInvocationID.x % LPR, rl = gl_LocalInvocationID.x / LPR;
	uint row = group_id() * NR + rl, nu = p.ne0 / 8u, roff;
	bool live = row < p.nrows;
	float v[8];

	if (group_id() * NR >= p.nrows)
		return;
	roff = p.woff + min(row, p.nrows - 1u) * p.wrow;
	for (uint c0 = 0u; c0 < p.ncols; c0 += 4u) {
		vec4 acc = vec4(0.0);
		uint nc = min(4u, p.ncols - c0);
		for (uint u = lid; live && u < nu; u += LPR) {
#if defined(W_MIN)
			float m;
			deq8_dm(roff, u, v, m);
#else
			deq8(roff, u, v);
#endif
			for (uint c = 0u; c < nc; c++) {
				uint xb = p.xoff + (c0 + c) * p.xstride + 8u * u;
				float s = 0.0;
#if defined(W_MIN)
				/* the minimum times the block's rounded sum */
				if ((u & 3u) == 0u)
					acc[c] += m * xs[p.soff + (c0 + c) *
					    (p.ne0 / 32u) + (u >> 2)];
#endif
				for (uint i = 0u; i < 8u; i++)
					s += v[i] * x[xb + i];
				acc[c] += s;
			}
		}
#if defined(W_f32) || defined(W_f16)
		/* the float types: rows of any length, the last ne0 % 8 */
		for (uint i = 8u * nu + lid; live && i < p.ne0; i += LPR) {
			float w1 = deq1(roff, i);
			for (uint c = 0u; c < nc; c++)
				acc[c] += w1 * x[p.xoff + (c0 + c) *
				    p.xstride + i];
		}
#endif
		part[gl_LocalInvocationID.x] = acc;
		barrier();
		if (lid == 0u && live) {
			vec4 s = vec4(0.0);
			for (uint i = 0u; i < LPR; i++)
				s += part[rl * LPR + i];
			float b = p.hasbias != 0u ? bias[p.boff + row] : 0.0;
			for (uint c = 0u; c < nc; c++)
				y[p.yoff + (c0 + c) * p.ystride + row] = s[c] + b;
		}
		barrier();
	}
}
