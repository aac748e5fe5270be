#version 450
#extension GL_GOOGLE_include_directive : require
/*
 * matmul.comp - y = W x (+ bias) for many columns (prompt batches):
 * 64 x 64 output tiles, the weight tile dequantized into shared memory
 * once per 32-element step and reused by all 64 columns; each of the
 * 256 invocations accumulates 4 x 4 outputs.  ne0 must be a multiple
 * of 32.  Weight type by -DW_<type> (common/quant.glsl); x rounded as
 * the CPU rounds it (quant_act.comp), with q8_1's block sums at xsum
 * for the W_MIN types (a step of 32 is one of their blocks).
 */
#include "common/base.glsl"
#define WG 256
#define BM 64u
#define BN 64u
#define BK 32u
layout(local_size_x = WG) in;
#include "common/quant.glsl"

layout(binding = 1, std430) readonly buffer XBuf { float x[]; };
layout(binding = 2, std430) readonly buffer BBuf { float bias[]; };
layout(binding = 3, std430) writeonly buffer YBuf { float y[]; };
layout(binding = 4, std430) readonly buffer SBuf { float xsum[]; };

layout(push_constant) uniform PC {
	uint ne0, nrows, ncols, woff, wrow, xoff, xstride, yoff, ystride;
	uint boff, hasbias, soff;
} p;

shared float ws[BK * BM];
shared float xs[BK * BN];
#if defined(W_MIN)
shared float wm[BM], xm[BN];	/* this step's block: minima, x sums */
#endif

void
main()
{
	uint tid = gl_LocalInvocationID.x, tr = tid & 15u, tc = tid >> 4;
	uint row0 = gl_WorkGroupID.x * BM, col0 = gl_WorkGroupID.y * BN;
	uint lr = tid >> 2, lk = tid & 3u;	/* what this one loads */
	float acc[4][4], v[8], a[4], b[4];

	for (uint i = 0u; i < 4u; i++)
		for (uint j = 0u; j < 4u; j++)
			acc[i][j] = 0.0;
	for (uint k0 = 0u; k0 < p.ne0; k0 += BK) {
#if defined(W_MIN)
		float m = 0.0;
		if (row0 + lr < p.nrows)
			deq8_dm(p.woff + (row0 + lr) * p.wrow, k0 / 8u + lk, v, m);
		else
			for (uint i = 0u; i < 8u; i++)
				v[i] = 0.0;
		if (lk == 0u) {
			wm[lr] = m;
			xm[lr] = col0 + lr < p.ncols ? xsum[p.soff + (col0 + lr) *
			    (p.ne0 / 32u) + k0 / 32u] : 0.0;
		}
#else
		if (row0 + lr < p.nrows)
			deq8(p.woff + (row0 + lr) * p.wrow, k0 / 8u + lk, v);
		else
			for (uint i = 0u; i < 8u; i++)
				v[i] = 0.0;
#endif
		for (uint i = 0u; i < 8u; i++)
			ws[(lk * 8u + i) * BM + lr] = v[i];
		uint xb = p.xoff + (col0 + lr) * p.xstride + k0 + lk * 8u;
		for (uint i = 0u; i < 8u; i++)
			xs[(lk * 8u + i) * BN + lr] = col0 + lr < p.ncols ?
			    x[xb + i] : 0.0;
		barrier();
#if defined(W_MIN)
		for (uint i = 0u; i < 4u; i++)
			for (uint j = 0u; j < 4u; j++)
				acc[i][j] += wm[tr + 16u * i] * xm[tc + 16u * j];
#endif
		for (uint k = 0u; k < BK; k++) {
			for (uint i = 0u; i < 4u; i++) {
				a[i] = ws[k * BM + tr + 16u * i];
				b[i] = xs[k * BN + tc + 16u * i];
			}
			for (uint i = 0u; i < 4u; i++)
				for (uint j = 0u; j < 4u; j++)
					acc[i][j] += a[i] * b[j];
		}
		barrier();
	}
	for (uint i = 0u; i < 4u; i++) {
		uint r = row0 + tr + 16u * i;
		if (r >= p.nrows)
			continue;
		float bb = p.hasbias != 0u ? bias[p.boff + r] : 0.0;
		for (uint j = 0u; j < 4u; j++) {
			uint c = col0 + tc + 16u * j;
			if (c < p.ncols)
				y[p.yoff + c * p.ystride + r] = acc[i][j] + bb;
		}
	}
}
