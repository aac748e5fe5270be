#version 450
#extension GL_GOOGLE_include_directive : require
/*
 * moe_matvec.comp - a mixture-of-experts matrix product (backend.h,
 * moe_matmul): for pair j = s + nu t (slot s of token t), y[:, j] =
 * W_e x[:, c] with e = sel[s, t] read here, c = t (xbcast) or j.  W is
 * the experts stacked, expert e's row r at row e nrows + r; the binding
 * holds the rows r0 .. r1-1 of that stack (vk.c splits a stack larger
 * than the device's binding limit into several dispatches, each row
 * written by the one that holds it).  Workgroups: x = blocks of NR rows
 * of one expert, y = pairs.  Otherwise matvec.comp's arithmetic, in its
 * order: WG/NR invocations per row in units of 8 elements, x rounded as
 * the CPU rounds it (quant_act.comp) with q8_1's block sums at xs for
 * the W_MIN types; the weight type chosen with -DW_<type>.
 */
#include "common/base.glsl"
#define WG 64
#define NR 4u
#define LPR (WG / NR)
layout(local_size_x = WG) in;
#include "common/quant.glsl"

layout(binding = 1, std430) readonly buffer XBuf { float x[]; };
layout(binding = 2, std430) readonly buffer SelBuf { float sel[]; };
layout(binding = 3, std430) writeonly buffer YBuf { float y[]; };
layout(binding = 4, std430) readonly buffer SBuf { float xs[]; };

layout(push_constant) uniform PC {
	uint ne0, nrows, nu, woff, wrow, r0, r1, xoff, xstride, xbcast;
	uint yoff, ystride, soff, seloff, selstride;
} p;

shared float part[WG];

void
main()
{
	uint lid = gl_LocalInvocationID.x % LPR;
	uint rl = gl_LocalInvocationID.x / LPR;
	uint row = gl_WorkGroupID.x * NR + rl, j = gl_WorkGroupID.y;
	uint t = j / p.nu, sl = j % p.nu, nu8 = p.ne0 / 8u, xc, g, roff;
	bool live;
	float v[8], acc = 0.0;

	if (gl_WorkGroupID.x * NR >= p.nrows)
		return;
	g = uint(sel[p.seloff + t * p.selstride + sl]) * p.nrows +
	    min(row, p.nrows - 1u);
	live = row < p.nrows && g >= p.r0 && g < p.r1;
	roff = p.woff + (clamp(g, p.r0, p.r1 - 1u) - p.r0) * p.wrow;
	xc = p.xbcast != 0u ? t : j;
	for (uint u = lid; live && u < nu8; u += LPR) {
		uint xb = p.xoff + xc * p.xstride + 8u * u;
		float s = 0.0;
#if defined(W_MIN)
		float m;
		deq8_dm(roff, u, v, m);
		/* the minimum times the block's rounded sum */
		if ((u & 3u) == 0u)
			acc += m * xs[p.soff + xc * (p.ne0 / 32u) + (u >> 2)];
#else
		deq8(roff, u, v);
#endif
		for (uint i = 0u; i < 8u; i++)
			s += v[i] * x[xb + i];
		acc += s;
	}
#if defined(W_f32) || defined(W_f16)
	/* the float types: rows of any length, the last ne0 % 8 */
	for (uint i = 8u * nu8 + lid; live && i < p.ne0; i += LPR)
		acc += deq1(roff, i) * x[p.xoff + xc * p.xstride + i];
#endif
	part[gl_LocalInvocationID.x] = acc;
	barrier();
	if (lid == 0u && live) {
		float s = 0.0;
		for (uint i = 0u; i < LPR; i++)
			s += part[rl * LPR + i];
		y[p.yoff + j * p.ystride + row] = s;
	}
}
