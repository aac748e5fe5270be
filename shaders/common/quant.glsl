/*
 * quant.glsl - reading one weight type, selected by -DW_<type>, from
 * binding 0 as raw little-endian bytes in ggml's block layouts (the
 * same layouts as libcore/quant/blocks.h, uploaded unchanged).
 *
 * deq8(roff, u, v) dequantizes elements 8u .. 8u+7 of the row that
 * starts at byte roff into v, computing each value in the order of the
 * CPU reference (libcore/quant/).  QK is the block size in elements.
 * The float types (QK 1) also have deq1(roff, i), element i alone, for
 * the rows whose length is not a multiple of 8.
 * Types with a minimum per block (q4_1, q5_1) define W_MIN and
 * deq8_dm(), which leaves the minimum out and returns it: the CPU's dot
 * product adds it times the activation block's rounded sum (q8_1's s),
 * which the matrix products take from quant_act.comp.
 */
layout(binding = 0, std430) readonly buffer WBuf { uint wq[]; };

uint
rd8(uint o)
{
	return (wq[o >> 2] >> ((o & 3u) << 3)) & 0xffu;
}

/* o even */
uint
rd16(uint o)
{
	return (wq[o >> 2] >> ((o & 2u) << 3)) & 0xffffu;
}

/* any alignment: may read the word after the last byte (allocations
   and bindings are padded for it) */
uint
rd32(uint o)
{
	uint s = (o & 3u) << 3, lo = wq[o >> 2];

	if (s == 0u)
		return lo;
	return (lo >> s) | (wq[(o >> 2) + 1u] << (32u - s));
}

float
rdh(uint o)
{
	return unpackHalf2x16(rd16(o)).x;
}

/* get_scale_min_k4 from the scale bytes it reads: for sub-block j < 4,
   q[j] and q[j + 4]; for j >= 4, q[j + 4], q[j - 4] and q[j] (a, b, c) */
void
sm_k4(uint j, uint a, uint b, uint c, out float sc, out float mn)
{
	if (j < 4u) {
		sc = float(a & 63u);
		mn = float(b & 63u);
	} else {
		sc = float((a & 15u) | ((b >> 6) << 4));
		mn = float((a >> 4) | ((c >> 6) << 4));
	}
}

/* the 6-bit scale and min of sub-block j of a q4_k/q5_k block whose
   scales start at byte s */
void
scale_min_k4(uint s, uint j, out float sc, out float mn)
{
	if (j < 4u)
		sm_k4(j, rd8(s + j), rd8(s + j + 4u), 0u, sc, mn);
	else
		sm_k4(j, rd8(s + j + 4u), rd8(s + j - 4u), rd8(s + j), sc, mn);
}

#if defined(W_f32)
#define QK 1u
void
deq8(uint roff, uint u, out float v[8])
{
	uint b = (roff >> 2) + 8u * u;

	for (uint i = 0u; i < 8u; i++)
		v[i] = uintBitsToFloat(wq[b + i]);
}

/* element i alone (rows of any length) */
float
deq1(uint roff, uint i)
{
	return uintBitsToFloat(wq[(roff >> 2) + i]);
}
#elif defined(W_f16)
#define QK 1u

float
deq1(uint roff, uint i)
{
	return rdh(roff + 2u * i);
}
void
deq8(uint roff, uint u, out float v[8])
{
	uint b = (roff >> 2) + 4u * u;

	for (uint i = 0u; i < 4u; i++) {
		vec2 h = unpackHalf2x16(wq[b + i]);
		v[2u * i] = h.x;
		v[2u * i + 1u] = h.y;
	}
}
#elif defined(W_q4_0)
#define QK 32u
void
deq8(uint roff, uint u, out float v[8])
{
	uint s = u & 3u, sh = (s >> 1) * 4u;
	uint b = roff + (u >> 2) * 18u, q = b + 2u + (s & 1u) * 8u;
	float d = rdh(b);
	uint w0 = rd32(q), w1 = rd32(q + 4u);

	for (uint i = 0u; i < 4u; i++) {
		v[i] = (float(int((w0 >> (8u * i + sh)) & 15u)) - 8.0) * d;
		v[4u + i] = (float(int((w1 >> (8u * i + sh)) & 15u)) - 8.0) * d;
	}
}
#elif defined(W_q4_1)
#define QK 32u
#define W_MIN
/* v = q * d without the minimum m (W_MIN types) */
void
deq8_dm(uint roff, uint u, out float v[8], out float m)
{
	uint s = u & 3u, sh = (s >> 1) * 4u;
	uint b = roff + (u >> 2) * 20u, q = b + 4u + (s & 1u) * 8u;
	float d = rdh(b);
	uint w0 = rd32(q), w1 = rd32(q + 4u);

	m = rdh(b + 2u);
	for (uint i = 0u; i < 4u; i++) {
		v[i] = float((w0 >> (8u * i + sh)) & 15u) * d;
		v[4u + i] = float((w1 >> (8u * i + sh)) & 15u) * d;
	}
}
#elif defined(W_q5_0) || defined(W_q5_1)
#define QK 32u
#if defined(W_q5_0)
void
deq8(uint roff, uint u, out float v[8])
#else
#define W_MIN
void
deq8_dm(uint roff, uint u, out float v[8], out float m)
#endif
{
	uint s = u & 3u, sh = (s >> 1) * 4u;
#if defined(W_q5_0)
	uint b = roff + (u >> 2) * 22u, qh = rd32(b + 2u), q = b + 6u + (s & 1u) * 8u;
#else
	uint b = roff + (u >> 2) * 24u, qh = rd32(b + 4u), q = b + 8u + (s & 1u) * 8u;
	m = rdh(b + 2u);
#endif
	float d = rdh(b);
	uint w0 = rd32(q), w1 = rd32(q + 4u);

	for (uint i = 0u; i < 4u; i++) {
		uint q0 = ((w0 >> (8u * i + sh)) & 15u) | (((qh >> (8u * s + i)) & 1u) << 4);
		uint q1 = ((w1 >> (8u * i + sh)) & 15u) | (((qh >> (8u * s + 4u + i)) & 1u) << 4);
#if defined(W_q5_0)
		v[i] = float(int(q0) - 16) * d;
		v[4u + i] = float(int(q1) - 16) * d;
#else
		v[i] = float(q0) * d;
		v[4u + i] = float(q1) * d;
#endif
	}
}
#elif defined(W_q8_0)
#define QK 32u
void
deq8(uint roff, uint u, out float v[8])
{
	uint b = roff + (u >> 2) * 34u, q = b + 2u + (u & 3u) * 8u;
	float d = rdh(b);
	int w0 = int(rd32(q)), w1 = int(rd32(q + 4u));

	for (int i = 0; i < 4; i++) {
		v[i] = float(bitfieldExtract(w0, 8 * i, 8)) * d;
		v[4 + i] = float(bitfieldExtract(w1, 8 * i, 8)) * d;
	}
}
#elif defined(W_q4_k) || defined(W_q5_k)
#define QK 256u
void
deq8(uint roff, uint u, out float v[8])
{
	uint e0 = (u & 31u) * 8u, j = e0 >> 6, sub = (e0 >> 5) & 1u;
	uint l0 = e0 & 31u, sh = sub * 4u;
	float sc, mn;
#if defined(W_q4_k)
	uint b = roff + (u >> 5) * 144u, q = b + 16u + 32u * j + l0;
#else
	uint b = roff + (u >> 5) * 176u, q = b + 48u + 32u * j + l0;
	uint h0 = rd32(b + 16u + l0), h1 = rd32(b + 20u + l0);
	uint hs = 2u * j + sub;
#endif
	float d = rdh(b), dmin = rdh(b + 2u);

	scale_min_k4(b + 4u, 2u * j + sub, sc, mn);
	float d1 = d * sc, m1 = dmin * mn;
	uint w0 = rd32(q), w1 = rd32(q + 4u);
	for (uint i = 0u; i < 4u; i++) {
		uint q0 = (w0 >> (8u * i + sh)) & 15u;
		uint q1 = (w1 >> (8u * i + sh)) & 15u;
#if defined(W_q5_k)
		q0 += ((h0 >> (8u * i + hs)) & 1u) << 4;
		q1 += ((h1 >> (8u * i + hs)) & 1u) << 4;
#endif
		v[i] = d1 * float(q0) - m1;
		v[4u + i] = d1 * float(q1) - m1;
	}
}
#elif defined(W_q6_k)
#define QK 256u
void
deq8(uint roff, uint u, out float v[8])
{
	uint b = roff + (u >> 5) * 210u;
	uint e0 = (u & 31u) * 8u, n = e0 >> 7, r = e0 & 127u;
	uint qt = r >> 5, l0 = r & 31u;
	uint ql = b + 64u * n + l0 + (qt & 1u) * 32u, sh = (qt >> 1) * 4u;
	uint qh = b + 128u + 32u * n + l0, hs = 2u * qt;
	float d = rdh(b + 208u);
	float sc = float(bitfieldExtract(int(rd8(b + 192u + 8u * n + (l0 >> 4) + 2u * qt)), 0, 8));
	float ds = d * sc;
	uint w0 = rd32(ql), w1 = rd32(ql + 4u), h0 = rd32(qh), h1 = rd32(qh + 4u);

	for (uint i = 0u; i < 4u; i++) {
		int q0 = int(((w0 >> (8u * i + sh)) & 15u) | (((h0 >> (8u * i + hs)) & 3u) << 4)) - 32;
		int q1 = int(((w1 >> (8u * i + sh)) & 15u) | (((h1 >> (8u * i + hs)) & 3u) << 4)) - 32;
		v[i] = ds * float(q0);
		v[4u + i] = ds * float(q1);
	}
}
#else
#error "no weight type: -DW_<type>"
#endif

#if defined(W_MIN)
/* y = q * d + m, as the CPU's to_float */
void
deq8(uint roff, uint u, out float v[8])
{
	float m;

	deq8_dm(roff, u, v, m);
	for (uint i = 0u; i < 8u; i++)
		v[i] += m;
}
#endif
