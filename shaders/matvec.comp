#version 450
#extension GL_GOOGLE_include_directive : require
/*
 * matvec.comp - y[:, c] = W x[:, c] (+ bias) for few columns (token
 * generation): a workgroup computes NR rows together, its invocations
 * striding over the row in units of 8 elements (consecutive
 * invocations read consecutive bytes of a row), each unit of x loaded
 * once for the NR rows, up to 4 columns per pass; the partial sums
 * meet by subgroup sums and then in shared memory.  The weight type is
 * chosen with -DW_<type> (common/quant.glsl); f32 and f16 rows may
 * have any length (elements past the last 8 one by one).  x is rounded
 * as the CPU rounds it (quant_act.comp), with q8_1's block sums at xs
 * for the W_MIN types; it is read 4 floats at a time where xv4 says
 * its offset and stride are multiples of 4.  fast (x read 4 floats at
 * a time): q4_k rows that start on 16 bytes (q4k_rows below), q6_k rows
 * (q6k_rows).  The workgroup's size (WG), rows at a time (NR),
 * groups of NR rows one after the other (RG: x comes again from the
 * cache nearest the workgroup, not from further away) and q4_k's
 * variant (VAR) are specialization constants, set per weight type by
 * the backend (LC_VK_MATVEC); the defaults are these.
 */
#include "common/base.glsl"
layout(constant_id = 0) const uint WG = 64u;
layout(constant_id = 1) const uint NR = 2u;
layout(constant_id = 2) const uint RG = 1u;
/* q4_k's fast path: 0 a sub-block of 32 an invocation (q4k_rows), 1
   the two sub-blocks that share 32 bytes (q4k_pair); the other types
   have one */
layout(constant_id = 3) const uint VAR = 0u;
#if defined(W_q4_k)
#define SUB32	(VAR == 0u)
#else
#define SUB32	true
#endif
layout(local_size_x_id = 0) in;
#include "common/quant.glsl"

layout(binding = 1, std430) readonly buffer XBuf { float x[]; };
layout(binding = 1, std430) readonly buffer XBuf4 { vec4 x4[]; };
/* the bias (hasbias 1), or the residual r += rs * y (hasbias 2: the
   add after the product, fused by the backend in generation) */
layout(binding = 2, std430) buffer BBuf { float bias[]; };
layout(binding = 3, std430) writeonly buffer YBuf { float y[]; };
layout(binding = 4, std430) readonly buffer SBuf { float xs[]; };

layout(push_constant) uniform PC {
	uint ne0, nrows, ncols, woff, wrow, xoff, xstride, yoff, ystride;
	uint boff, hasbias, soff, xv4, fast, rstride;
	float rs;
} p;

shared float part[WG][NR * 4u];

#if defined(W_q4_k)
/*
 * q4_k with 16-byte aligned rows (fast): an invocation takes a whole
 * sub-block of 32 elements (one scale and minimum) at a time: the
 * block's header (d, dmin, the 12 scale bytes) and the 32 bytes whose
 * low or high nibbles are its quants in three 16-byte loads, and sums
 * d1 * sum(q x) - m1 * sum(x).
 */
layout(binding = 0, std430) readonly buffer WBuf4 { uvec4 wq4[]; };

uint
hbyte(uvec4 h, uint k)
{
	return (h[k >> 2] >> ((k & 3u) << 3)) & 0xffu;
}

void
q4k_rows(uint g, uint roff, float xv[32], float sx, inout float acc)
{
	uint sb = g >> 3, s = g & 7u, j = s >> 1, sh = (s & 1u) * 4u;
	uint b = (roff >> 4) + sb * 9u;		/* 144 bytes: 9 uvec4 */
	uvec4 h = wq4[b], q0 = wq4[b + 1u + 2u * j], q1 = wq4[b + 2u + 2u * j];
	vec2 dm = unpackHalf2x16(h.x);
	float sc, mn;

	/* the scale bytes are the header's 4..15 */
	if (s < 4u)
		sm_k4(s, hbyte(h, 4u + s), hbyte(h, 8u + s), 0u, sc, mn);
	else
		sm_k4(s, hbyte(h, 8u + s), hbyte(h, s), hbyte(h, 4u + s), sc, mn);
	float sqx = 0.0;
	for (uint w = 0u; w < 4u; w++)
		for (uint i = 0u; i < 4u; i++) {
			sqx += float((q0[w] >> (8u * i + sh)) & 15u) * xv[4u * w + i];
			sqx += float((q1[w] >> (8u * i + sh)) & 15u) * xv[16u + 4u * w + i];
		}
	acc += dm.x * sc * sqx - dm.y * mn * sx;
}

/* VAR 1: sub-blocks 2j and 2j+1 of a block (g: its 64 elements), the
   low and high nibbles of the same 32 bytes, from three 16-byte loads */
void
q4k_pair(uint g, uint roff, float xv[64], float sx0, float sx1,
    inout float acc)
{
	uint sb = g >> 2, j = g & 3u, s = 2u * j;
	uint b = (roff >> 4) + sb * 9u;
	uvec4 h = wq4[b], q0 = wq4[b + 1u + 2u * j], q1 = wq4[b + 2u + 2u * j];
	vec2 dm = unpackHalf2x16(h.x);
	float sc0, mn0, sc1, mn1, a0 = 0.0, a1 = 0.0;

	if (s < 4u) {
		sm_k4(s, hbyte(h, 4u + s), hbyte(h, 8u + s), 0u, sc0, mn0);
		sm_k4(s + 1u, hbyte(h, 5u + s), hbyte(h, 9u + s), 0u, sc1,
		    mn1);
	} else {
		sm_k4(s, hbyte(h, 8u + s), hbyte(h, s), hbyte(h, 4u + s), sc0,
		    mn0);
		sm_k4(s + 1u, hbyte(h, 9u + s), hbyte(h, s + 1u),
		    hbyte(h, 5u + s), sc1, mn1);
	}
	for (uint w = 0u; w < 4u; w++)
		for (uint i = 0u; i < 4u; i++) {
			uint e = 4u * w + i, b0 = q0[w] >> (8u * i);
			uint b1 = q1[w] >> (8u * i);
			a0 += float(b0 & 15u) * xv[e];
			a0 += float(b1 & 15u) * xv[16u + e];
			a1 += float((b0 >> 4) & 15u) * xv[32u + e];
			a1 += float((b1 >> 4) & 15u) * xv[48u + e];
		}
	acc += dm.x * sc0 * a0 - dm.y * mn0 * sx0 +
	    (dm.x * sc1 * a1 - dm.y * mn1 * sx1);
}
#elif defined(W_q6_k)
/*
 * q6_k (fast, any even row offset): an invocation takes 32 elements
 * (two scales of 16) at a time: their 32 low-bit and 32 high-bit bytes
 * as nine words each, shifted into place where the 210-byte block
 * leaves them 2 bytes off, and sums d * (sc0 * sum(q x) + sc1 * ...).
 */
/* the 8 words of the 32 bytes at byte o (o even) */
void
words32(uint o, out uint w[8])
{
	uint k0 = o >> 2, s = (o & 2u) << 3;
	uint prev = wq[k0];

	for (uint k = 0u; k < 8u; k++) {
		uint nx = wq[k0 + k + 1u];
		w[k] = s == 0u ? prev : (prev >> 16) | (nx << 16);
		prev = nx;
	}
}

void
q6k_rows(uint g, uint roff, float xv[32], inout float acc)
{
	uint sb = g >> 3, t = g & 7u, n = t >> 2, qt = t & 3u;
	uint b = roff + sb * 210u;
	uint ql[8], qh[8];
	uint scw = rd16(b + 192u + 8u * n + 2u * qt);
	float sc0 = float(bitfieldExtract(int(scw), 0, 8));
	float sc1 = float(bitfieldExtract(int(scw), 8, 8));
	uint sh = (qt >> 1) * 4u, hs = 2u * qt;

	words32(b + 64u * n + 32u * (qt & 1u), ql);
	words32(b + 128u + 32u * n, qh);
	float s0 = 0.0, s1 = 0.0;
	for (uint w = 0u; w < 4u; w++)
		for (uint i = 0u; i < 4u; i++) {
			int q0 = int(((ql[w] >> (8u * i + sh)) & 15u) |
			    (((qh[w] >> (8u * i + hs)) & 3u) << 4)) - 32;
			int q1 = int(((ql[4u + w] >> (8u * i + sh)) & 15u) |
			    (((qh[4u + w] >> (8u * i + hs)) & 3u) << 4)) - 32;
			s0 += float(q0) * xv[4u * w + i];
			s1 += float(q1) * xv[16u + 4u * w + i];
		}
	acc += rdh(b + 208u) * (sc0 * s0 + sc1 * s1);
}
#endif

void
load_x(uint xb, out float v[8])
{
	if (p.xv4 != 0u) {
		vec4 a = x4[xb >> 2], b = x4[(xb >> 2) + 1u];
		v = float[8](a.x, a.y, a.z, a.w, b.x, b.y, b.z, b.w);
	} else {
		for (uint i = 0u; i < 8u; i++)
			v[i] = x[xb + i];
	}
}

/* rows r0 .. r0 + NR - 1; false past the last */
bool
rows(uint r0)
{
	uint lid = gl_LocalInvocationID.x;
	uint nu = p.ne0 / 8u, roff[NR];
	bool live[NR];

	if (r0 >= p.nrows)
		return false;
	for (uint r = 0u; r < NR; r++) {
		live[r] = r0 + r < p.nrows;
		roff[r] = p.woff + min(r0 + r, p.nrows - 1u) * p.wrow;
	}
	for (uint c0 = 0u; c0 < p.ncols; c0 += 4u) {
		float acc[NR][4];
		float wv[NR][8], xv[8];
		uint nc = min(4u, p.ncols - c0);

		for (uint r = 0u; r < NR; r++)
			acc[r] = float[4](0.0, 0.0, 0.0, 0.0);
#if defined(W_q4_k)
		for (uint g = lid; VAR == 1u && p.fast != 0u && g < p.ne0 / 64u;
		    g += WG)
			for (uint c = 0u; c < 4u; c++) {
				if (c >= nc)
					break;
				float x64[64], sx0 = 0.0, sx1 = 0.0;
				uint xb = (p.xoff + (c0 + c) * p.xstride + 64u * g) >> 2;
				for (uint k = 0u; k < 16u; k++) {
					vec4 a = x4[xb + k];
					x64[4u * k] = a.x;
					x64[4u * k + 1u] = a.y;
					x64[4u * k + 2u] = a.z;
					x64[4u * k + 3u] = a.w;
					if (k < 8u)
						sx0 += a.x + a.y + a.z + a.w;
					else
						sx1 += a.x + a.y + a.z + a.w;
				}
				for (uint r = 0u; r < NR; r++)
					q4k_pair(g, roff[r], x64, sx0, sx1,
					    acc[r][c]);
			}
#endif
#if defined(W_q4_k) || defined(W_q6_k)
		for (uint g = lid; SUB32 && p.fast != 0u && g < p.ne0 / 32u;
		    g += WG)
			for (uint c = 0u; c < 4u; c++) {
				if (c >= nc)
					break;
				float x32[32], sx = 0.0;
				uint xb = (p.xoff + (c0 + c) * p.xstride + 32u * g) >> 2;
				for (uint k = 0u; k < 8u; k++) {
					vec4 a = x4[xb + k];
					x32[4u * k] = a.x;
					x32[4u * k + 1u] = a.y;
					x32[4u * k + 2u] = a.z;
					x32[4u * k + 3u] = a.w;
					sx += a.x + a.y + a.z + a.w;
				}
				for (uint r = 0u; r < NR; r++)
#if defined(W_q4_k)
					q4k_rows(g, roff[r], x32, sx, acc[r][c]);
#else
					q6k_rows(g, roff[r], x32, acc[r][c]);
#endif
			}
		for (uint u = lid; p.fast == 0u && u < nu; u += WG) {
#else
		for (uint u = lid; u < nu; u += WG) {
#endif
#if defined(W_MIN)
			float m[NR];
			for (uint r = 0u; r < NR; r++)
				deq8_dm(roff[r], u, wv[r], m[r]);
#else
			for (uint r = 0u; r < NR; r++)
				deq8(roff[r], u, wv[r]);
#endif
			for (uint c = 0u; c < 4u; c++) {
				if (c >= nc)
					break;
				load_x(p.xoff + (c0 + c) * p.xstride + 8u * u, xv);
#if defined(W_MIN)
				/* the minimum times the block's rounded sum */
				float bsum = (u & 3u) == 0u ? xs[p.soff + (c0 + c) *
				    (p.ne0 / 32u) + (u >> 2)] : 0.0;
#endif
				for (uint r = 0u; r < NR; r++) {
					float s = 0.0;
					for (uint i = 0u; i < 8u; i++)
						s += wv[r][i] * xv[i];
#if defined(W_MIN)
					acc[r][c] += m[r] * bsum;
#endif
					acc[r][c] += s;
				}
			}
		}
#if defined(W_f32) || defined(W_f16)
		/* the float types: rows of any length, the last ne0 % 8 */
		for (uint i = 8u * nu + lid; i < p.ne0; i += WG)
			for (uint r = 0u; r < NR; r++) {
				float w1 = deq1(roff[r], i);
				for (uint c = 0u; c < 4u; c++)
					if (c < nc)
						acc[r][c] += w1 * x[p.xoff +
						    (c0 + c) * p.xstride + i];
			}
#endif
		for (uint r = 0u; r < NR; r++)
			for (uint c = 0u; c < 4u; c++) {
				float t = subgroupAdd(acc[r][c]);
				if (subgroupElect())
					part[gl_SubgroupID][r * 4u + c] = t;
			}
		barrier();
		if (lid < NR * 4u) {
			uint r = lid / 4u, c = lid % 4u;
			if (c < nc && live[r]) {
				float s = 0.0;
				for (uint i = 0u; i < gl_NumSubgroups; i++)
					s += part[i][lid];
				if (p.hasbias == 1u)
					s += bias[p.boff + r0 + r];
				y[p.yoff + (c0 + c) * p.ystride + r0 + r] = s;
				if (p.hasbias == 2u) {
					uint k = p.boff + (c0 + c) * p.rstride +
					    r0 + r;
					bias[k] = bias[k] + p.rs * s;
				}
			}
		}
		barrier();
	}
	return true;
}

void
main()
{
	for (uint rg = 0u; rg < RG; rg++)
		if (!rows((group_id() * RG + rg) * NR))
			return;
}
