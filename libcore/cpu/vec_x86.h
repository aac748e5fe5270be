/*
 * vec_x86.h - the x86 SIMD kernels, written once as a template that
 * vec_avx2.c and vec_avx512.c include after defining the ISA's
 * integer product (internal to libcore/cpu; include nowhere else):
 *
 *   MULSUM(u, s)	8 int32 lanes, lane k = sum of u[4k+i] * s[4k+i],
 *			u unsigned and s signed bytes (exact: no lane
 *			saturates for the operands used here)
 *   SC_PREP(sc)	scale vector (8 int32, lane k's scale) in the
 *			form MULSUM_SC wants
 *   MULSUM_SC(u, s, p)	MULSUM(u, s) with lane k multiplied by its scale
 *   FN(name)		name##_<isa>
 *   VEC_INT_ONLY	(optional) leave out the float dots and the
 *			activation quantizers, which gain nothing from
 *			the integer product
 *
 * Exactness: the 32-element block types (q4_0, q4_1, q5_0, q5_1, q8_0,
 * iq4_nl) and q2_k, iq4_xs compute each block's (group's) integer sum
 * exactly, then do the reference's float operations on 8 blocks at a
 * time in vector registers (same operations, same order, no FMA) and
 * add the 8 results to the running sum one by one, in block order:
 * bit-identical to libcore/quant/dot.c.  q3_k..q6_k keep one float
 * vector accumulator (the reference keeps 8 lane sums of a different
 * split) and f32/f16/bf16 sum exact f32 products in 4 double lanes
 * (the reference in one double): these differ in rounding only.
 * The activation quantizers reproduce the reference's bytes exactly
 * (roundf emulated; F16C conversion is round-to-nearest-even as in
 * lc_f32_to_f16 for every finite value).
 */
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../quant/blocks.h"
#include "../quant/quant.h"
#include "vec.h"

static const int8_t kvalues_iq4nl[16] = {
	-127, -104, -83, -65, -49, -35, -22, -10,
	1, 13, 25, 38, 53, 69, 89, 113,
};

/* ------------------------------------------------------------------ */
/* helpers                                                             */

static inline __m256i
load256(const void *p)
{
	return _mm256_loadu_si256((const __m256i *)p);
}

/* 32 4-bit values: low nibbles of qs[0..16) then high nibbles. */
static inline __m256i
nibbles32(const uint8_t *qs)
{
	__m128i t = _mm_loadu_si128((const __m128i *)qs);

	return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(t, 4), t),
	    _mm256_set1_epi8(0x0f));
}

/* Byte j = 0xff if bit j of the little-endian u32 at qh is set. */
static inline __m256i
bits32(const uint8_t *qh)
{
	uint32_t x;
	__m256i b;

	memcpy(&x, qh, 4);
	b = _mm256_shuffle_epi8(_mm256_set1_epi32((int)x),
	    _mm256_setr_epi64x(0x0000000000000000LL, 0x0101010101010101LL,
	    0x0202020202020202LL, 0x0303030303030303LL));
	b = _mm256_or_si256(b, _mm256_set1_epi64x(0x7fbfdfeff7fbfdfeLL));
	return _mm256_cmpeq_epi8(b, _mm256_set1_epi64x(-1));
}

/* Products of signed bytes a and b, summed in fours (exact). */
static inline __m256i
mulsum_ss(__m256i a, __m256i b)
{
	return MULSUM(_mm256_sign_epi8(a, a), _mm256_sign_epi8(b, a));
}

static inline int
hsum_i32(__m256i v)
{
	__m128i s = _mm_add_epi32(_mm256_castsi256_si128(v),
	    _mm256_extracti128_si256(v, 1));

	s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
	s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
	return _mm_cvtsi128_si32(s);
}

static inline float
hsum_f32(__m256 v)
{
	__m128 s = _mm_add_ps(_mm256_castps256_ps128(v),
	    _mm256_extractf128_ps(v, 1));

	s = _mm_add_ps(s, _mm_movehl_ps(s, s));
	s = _mm_add_ss(s, _mm_movehdup_ps(s));
	return _mm_cvtss_f32(s);
}

static inline double
hsum_f64(__m256d v)
{
	__m128d s = _mm_add_pd(_mm256_castpd256_pd128(v),
	    _mm256_extractf128_pd(v, 1));

	return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

/* Lane k of the result = sum of the lanes of v[k]. */
static inline __m256i
hsum8_i32(const __m256i v[8])
{
	__m256i a = _mm256_hadd_epi32(v[0], v[1]);
	__m256i b = _mm256_hadd_epi32(v[2], v[3]);
	__m256i c = _mm256_hadd_epi32(v[4], v[5]);
	__m256i d = _mm256_hadd_epi32(v[6], v[7]);

	a = _mm256_hadd_epi32(a, b);
	c = _mm256_hadd_epi32(c, d);
	return _mm256_add_epi32(_mm256_permute2x128_si256(a, c, 0x20),
	    _mm256_permute2x128_si256(a, c, 0x31));
}

/* 8 halves, 0 past m, to floats. */
static inline __m256
f16x8(const uint16_t h[8])
{
	return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)h));
}

/* ------------------------------------------------------------------ */
/* 32-element blocks: exact integer sums, reference float ops          */

/*
 * The driver: per 8 blocks, v[k] = block k's integer products (any
 * split over lanes), then FOLD turns the 8 sums into the 8 float terms
 * the reference adds, and they are added in order.
 */
#define DOT32(name, wtype, xtype, SUMI, FOLD)				\
static void								\
name(int n, float *s, const void *vw, const void *vx)			\
{									\
	const wtype *w = vw;						\
	const xtype *x = vx;						\
	int nb = n / 32, ib = 0, k, m;					\
	float sumf = 0.0f, t[8];					\
	__m256i v[8];							\
									\
	for (; ib + 8 <= nb; ib += 8) {					\
		v[0] = SUMI(&w[ib + 0], &x[ib + 0]);			\
		v[1] = SUMI(&w[ib + 1], &x[ib + 1]);			\
		v[2] = SUMI(&w[ib + 2], &x[ib + 2]);			\
		v[3] = SUMI(&w[ib + 3], &x[ib + 3]);			\
		v[4] = SUMI(&w[ib + 4], &x[ib + 4]);			\
		v[5] = SUMI(&w[ib + 5], &x[ib + 5]);			\
		v[6] = SUMI(&w[ib + 6], &x[ib + 6]);			\
		v[7] = SUMI(&w[ib + 7], &x[ib + 7]);			\
		FOLD(t, &w[ib], &x[ib], 8, _mm256_cvtepi32_ps(hsum8_i32(v))); \
		sumf += t[0];						\
		sumf += t[1];						\
		sumf += t[2];						\
		sumf += t[3];						\
		sumf += t[4];						\
		sumf += t[5];						\
		sumf += t[6];						\
		sumf += t[7];						\
	}								\
	if (ib < nb) {							\
		m = nb - ib;						\
		for (k = 0; k < 8; k++)					\
			v[k] = k < m ? SUMI(&w[ib + k], &x[ib + k]) :	\
			    _mm256_setzero_si256();			\
		FOLD(t, &w[ib], &x[ib], m, _mm256_cvtepi32_ps(hsum8_i32(v))); \
		for (k = 0; k < m; k++)					\
			sumf += t[k];					\
	}								\
	*s = sumf;							\
}

/*
 * Eight columns of one weight row (prompt GEMM): per block the weight
 * is decoded once (DEC) and multiplied with each column's block (MUL);
 * hsum8 leaves column c's exact integer sum in lane c, FOLD8 does the
 * reference's float operations on the 8 lanes (the columns' scales
 * precomputed as floats, the weight's broadcast), and lane c adds its
 * block terms in block order, as DOT32 does: bit-identical results.
 */
#define GEMM8(name, wtype, xtype, DEC, MUL, FOLD8)			\
static void								\
name(int n, const void *vw, const void *vx, int64_t xs,		\
    const float *dx, const float *sx, int64_t ldd, float *y,		\
    int64_t ldy)							\
{									\
	const wtype *w = vw;						\
	const xtype *x[8];						\
	int nb = n / 32, b, c;						\
	__m256 acc = _mm256_setzero_ps();				\
	__m256i v[8], q;						\
	float out[8];							\
									\
	(void)sx;							\
	for (c = 0; c < 8; c++)						\
		x[c] = (const xtype *)((const char *)vx + c * xs);	\
	for (b = 0; b < nb; b++) {					\
		q = DEC(&w[b]);						\
		for (c = 0; c < 8; c++)					\
			v[c] = MUL(q, &x[c][b]);			\
		acc = _mm256_add_ps(acc, FOLD8(&w[b],			\
		    _mm256_cvtepi32_ps(hsum8_i32(v)), dx + b * ldd,	\
		    sx + b * ldd));					\
	}								\
	_mm256_storeu_ps(out, acc);					\
	for (c = 0; c < 8; c++)						\
		y[c * ldy] = out[c];					\
}

/*
 * GEMM8 for weights stored with an offset (q4_0: nibble - 8, q5_0:
 * 5 bits - 16): the unsigned values multiply the columns directly and
 * each column's sum is corrected by offset * sum(x), the block sums of
 * the activation (sx[b * ldd + c], exact small integers held as
 * floats): the same exact integer sums as mulsum_ss's, one product
 * per column instead of three operations.
 */
#define GEMM8U(name, wtype, DECU, SHIFT, FOLD8)				\
static void								\
name(int n, const void *vw, const void *vx, int64_t xs,		\
    const float *dx, const float *sx, int64_t ldd, float *y,		\
    int64_t ldy)							\
{									\
	const wtype *w = vw;						\
	const lc_block_q8_0 *x[8];					\
	int nb = n / 32, b, c;						\
	__m256 acc = _mm256_setzero_ps();				\
	__m256i v[8], q, si;						\
	float out[8];							\
									\
	for (c = 0; c < 8; c++)						\
		x[c] = (const lc_block_q8_0 *)((const char *)vx + c * xs); \
	for (b = 0; b < nb; b++) {					\
		q = DECU(&w[b]);					\
		for (c = 0; c < 8; c++)					\
			v[c] = MULSUM(q, load256(x[c][b].qs));		\
		si = _mm256_sub_epi32(hsum8_i32(v), _mm256_slli_epi32(	\
		    _mm256_cvtps_epi32(_mm256_loadu_ps(sx + b * ldd)),	\
		    SHIFT));						\
		acc = _mm256_add_ps(acc, FOLD8(&w[b],			\
		    _mm256_cvtepi32_ps(si), dx + b * ldd, NULL));	\
	}								\
	_mm256_storeu_ps(out, acc);					\
	for (c = 0; c < 8; c++)						\
		y[c * ldy] = out[c];					\
}

static inline __m256
bcast_f16(uint16_t h)
{
	return _mm256_set1_ps(_cvtsh_ss(h));
}

/* dw[k], dx[k] (and mw, sx) of blocks 0..m-1 as float vectors. */
#define GATHER_D(fld, arr, m)						\
	do {								\
		int k_;							\
		if ((m) == 8) {						\
			for (k_ = 0; k_ < 8; k_++)			\
				arr[k_] = fld;				\
		} else {						\
			for (k_ = 0; k_ < 8; k_++)			\
				arr[k_] = k_ < (m) ? fld : 0;		\
		}							\
	} while (0)

static inline __m256i
sumi_q4_0(const lc_block_q4_0 *w, const lc_block_q8_0 *x)
{
	__m256i q = _mm256_sub_epi8(nibbles32(w->qs), _mm256_set1_epi8(8));

	return mulsum_ss(q, load256(x->qs));
}

/* (sumi * dw) * dx */
static inline void
fold_q4_0(float t[8], const lc_block_q4_0 *w, const lc_block_q8_0 *x,
    int m, __m256 si)
{
	uint16_t hw[8], hx[8];

	GATHER_D(w[k_].d, hw, m);
	GATHER_D(x[k_].d, hx, m);
	_mm256_storeu_ps(t, _mm256_mul_ps(_mm256_mul_ps(si, f16x8(hw)),
	    f16x8(hx)));
}

DOT32(FN(dot_q4_0_q8_0), lc_block_q4_0, lc_block_q8_0, sumi_q4_0, fold_q4_0)

static inline __m256i mul_ss_q8_0(__m256i q, const lc_block_q8_0 *x)
{
	return mulsum_ss(q, load256(x->qs));
}
/* (sumi * dw) * dx, as fold_q4_0 */
static inline __m256 fold8_q4_0(const lc_block_q4_0 *w, __m256 si,
    const float *dx, const float *sx)
{
	(void)sx;
	return _mm256_mul_ps(_mm256_mul_ps(si, bcast_f16(w->d)),
	    _mm256_loadu_ps(dx));
}
static inline __m256i decu_q4_0(const lc_block_q4_0 *w)
{
	return nibbles32(w->qs);
}
GEMM8U(FN(gemm8_q4_0_q8_0), lc_block_q4_0, decu_q4_0, 3, fold8_q4_0)

static inline __m256i
sumi_q4_1(const lc_block_q4_1 *w, const lc_block_q8_1 *x)
{
	return MULSUM(nibbles32(w->qs), load256(x->qs));
}

/* (dw * dx) * sumi + mw * sx */
static inline __m256
fold_dm(__m256 si, const uint16_t hw[8], const uint16_t hx[8],
    const uint16_t hm[8], const uint16_t hs[8])
{
	return _mm256_add_ps(
	    _mm256_mul_ps(_mm256_mul_ps(f16x8(hw), f16x8(hx)), si),
	    _mm256_mul_ps(f16x8(hm), f16x8(hs)));
}

static inline void
fold_q4_1(float t[8], const lc_block_q4_1 *w, const lc_block_q8_1 *x,
    int m, __m256 si)
{
	uint16_t hw[8], hx[8], hm[8], hs[8];

	GATHER_D(w[k_].d, hw, m);
	GATHER_D(x[k_].d, hx, m);
	GATHER_D(w[k_].m, hm, m);
	GATHER_D(x[k_].s, hs, m);
	_mm256_storeu_ps(t, fold_dm(si, hw, hx, hm, hs));
}

DOT32(FN(dot_q4_1_q8_1), lc_block_q4_1, lc_block_q8_1, sumi_q4_1, fold_q4_1)

static inline __m256i dec_q4_1(const lc_block_q4_1 *w)
{
	return nibbles32(w->qs);
}
static inline __m256i mul_us_q8_1(__m256i q, const lc_block_q8_1 *x)
{
	return MULSUM(q, load256(x->qs));
}
/* (dw * dx) * sumi + mw * sx, as fold_dm */
static inline __m256 fold8_q4_1(const lc_block_q4_1 *w, __m256 si,
    const float *dx, const float *sx)
{
	return _mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(bcast_f16(w->d),
	    _mm256_loadu_ps(dx)), si), _mm256_mul_ps(bcast_f16(w->m),
	    _mm256_loadu_ps(sx)));
}
GEMM8(FN(gemm8_q4_1_q8_1), lc_block_q4_1, lc_block_q8_1, dec_q4_1, mul_us_q8_1,
    fold8_q4_1)

/* value = nibble + 16 * bit - 16: 0xf0 where the bit is clear */
static inline __m256i
sumi_q5_0(const lc_block_q5_0 *w, const lc_block_q8_0 *x)
{
	__m256i q = _mm256_or_si256(nibbles32(w->qs),
	    _mm256_andnot_si256(bits32(w->qh), _mm256_set1_epi8((char)0xf0)));

	return mulsum_ss(q, load256(x->qs));
}

/* (dw * dx) * sumi */
static inline void
fold_q5_0(float t[8], const lc_block_q5_0 *w, const lc_block_q8_0 *x,
    int m, __m256 si)
{
	uint16_t hw[8], hx[8];

	GATHER_D(w[k_].d, hw, m);
	GATHER_D(x[k_].d, hx, m);
	_mm256_storeu_ps(t, _mm256_mul_ps(_mm256_mul_ps(f16x8(hw),
	    f16x8(hx)), si));
}

DOT32(FN(dot_q5_0_q8_0), lc_block_q5_0, lc_block_q8_0, sumi_q5_0, fold_q5_0)

/* (dw * dx) * sumi, as fold_q5_0 */
static inline __m256 fold8_q5_0(const lc_block_q5_0 *w, __m256 si,
    const float *dx, const float *sx)
{
	(void)sx;
	return _mm256_mul_ps(_mm256_mul_ps(bcast_f16(w->d),
	    _mm256_loadu_ps(dx)), si);
}
/* 5-bit value: nibble + 16 * bit, offset 16 */
static inline __m256i decu_q5_0(const lc_block_q5_0 *w)
{
	return _mm256_or_si256(nibbles32(w->qs),
	    _mm256_and_si256(bits32(w->qh), _mm256_set1_epi8(0x10)));
}
GEMM8U(FN(gemm8_q5_0_q8_0), lc_block_q5_0, decu_q5_0, 4, fold8_q5_0)

static inline __m256i
sumi_q5_1(const lc_block_q5_1 *w, const lc_block_q8_1 *x)
{
	__m256i q = _mm256_or_si256(nibbles32(w->qs),
	    _mm256_and_si256(bits32(w->qh), _mm256_set1_epi8(0x10)));

	return MULSUM(q, load256(x->qs));
}

static inline void
fold_q5_1(float t[8], const lc_block_q5_1 *w, const lc_block_q8_1 *x,
    int m, __m256 si)
{
	uint16_t hw[8], hx[8], hm[8], hs[8];

	GATHER_D(w[k_].d, hw, m);
	GATHER_D(x[k_].d, hx, m);
	GATHER_D(w[k_].m, hm, m);
	GATHER_D(x[k_].s, hs, m);
	_mm256_storeu_ps(t, fold_dm(si, hw, hx, hm, hs));
}

DOT32(FN(dot_q5_1_q8_1), lc_block_q5_1, lc_block_q8_1, sumi_q5_1, fold_q5_1)

static inline __m256i dec_q5_1(const lc_block_q5_1 *w)
{
	return _mm256_or_si256(nibbles32(w->qs),
	    _mm256_and_si256(bits32(w->qh), _mm256_set1_epi8(0x10)));
}
static inline __m256 fold8_q5_1(const lc_block_q5_1 *w, __m256 si,
    const float *dx, const float *sx)
{
	return _mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(bcast_f16(w->d),
	    _mm256_loadu_ps(dx)), si), _mm256_mul_ps(bcast_f16(w->m),
	    _mm256_loadu_ps(sx)));
}
GEMM8(FN(gemm8_q5_1_q8_1), lc_block_q5_1, lc_block_q8_1, dec_q5_1, mul_us_q8_1,
    fold8_q5_1)

static inline __m256i
sumi_q8_0(const lc_block_q8_0 *w, const lc_block_q8_0 *x)
{
	return mulsum_ss(load256(w->qs), load256(x->qs));
}

/* sumi * (dw * dx) */
static inline void
fold_q8_0(float t[8], const lc_block_q8_0 *w, const lc_block_q8_0 *x,
    int m, __m256 si)
{
	uint16_t hw[8], hx[8];

	GATHER_D(w[k_].d, hw, m);
	GATHER_D(x[k_].d, hx, m);
	_mm256_storeu_ps(t, _mm256_mul_ps(si, _mm256_mul_ps(f16x8(hw),
	    f16x8(hx))));
}

DOT32(FN(dot_q8_0_q8_0), lc_block_q8_0, lc_block_q8_0, sumi_q8_0, fold_q8_0)

static inline __m256i dec_q8_0(const lc_block_q8_0 *w)
{
	return load256(w->qs);
}
/* sumi * (dw * dx), as fold_q8_0 */
static inline __m256 fold8_q8_0(const lc_block_q8_0 *w, __m256 si,
    const float *dx, const float *sx)
{
	(void)sx;
	return _mm256_mul_ps(si, _mm256_mul_ps(bcast_f16(w->d),
	    _mm256_loadu_ps(dx)));
}
GEMM8(FN(gemm8_q8_0_q8_0), lc_block_q8_0, lc_block_q8_0, dec_q8_0, mul_ss_q8_0,
    fold8_q8_0)

static inline __m256i
iq4_values(const uint8_t *qs)
{
	__m256i tab = _mm256_broadcastsi128_si256(
	    _mm_loadu_si128((const __m128i *)kvalues_iq4nl));

	return _mm256_shuffle_epi8(tab, nibbles32(qs));
}

static inline __m256i
sumi_iq4_nl(const lc_block_iq4_nl *w, const lc_block_q8_0 *x)
{
	return mulsum_ss(iq4_values(w->qs), load256(x->qs));
}

/* (dx * dw) * sumi */
static inline void
fold_iq4_nl(float t[8], const lc_block_iq4_nl *w, const lc_block_q8_0 *x,
    int m, __m256 si)
{
	uint16_t hw[8], hx[8];

	GATHER_D(w[k_].d, hw, m);
	GATHER_D(x[k_].d, hx, m);
	_mm256_storeu_ps(t, _mm256_mul_ps(_mm256_mul_ps(f16x8(hx),
	    f16x8(hw)), si));
}

DOT32(FN(dot_iq4_nl_q8_0), lc_block_iq4_nl, lc_block_q8_0, sumi_iq4_nl,
    fold_iq4_nl)

static inline __m256i dec_iq4_nl(const lc_block_iq4_nl *w)
{
	return iq4_values(w->qs);
}
/* (dx * dw) * sumi, as fold_iq4_nl */
static inline __m256 fold8_iq4_nl(const lc_block_iq4_nl *w, __m256 si,
    const float *dx, const float *sx)
{
	(void)sx;
	return _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(dx),
	    bcast_f16(w->d)), si);
}
GEMM8(FN(gemm8_iq4_nl_q8_0), lc_block_iq4_nl, lc_block_q8_0, dec_iq4_nl,
    mul_ss_q8_0, fold8_iq4_nl)

/* ------------------------------------------------------------------ */
/* K-quants                                                            */

/* Lanes 0-3 get scale a, lanes 4-7 scale b. */
static inline __m256i
sc2(int a, int b)
{
	return SC_PREP(_mm256_set_m128i(_mm_set1_epi32(b), _mm_set1_epi32(a)));
}

/* Sum of bsums[g] * sc[g], g = 0..15, sc as 16 int16. */
static inline __m256i
bsums_dot(const int16_t *bsums, __m256i sc16)
{
	return _mm256_madd_epi16(load256(bsums), sc16);
}

/*
 * q2_k: isum = sum over groups of 16 of (sc & 15) * sum(q * q8), exact;
 * then dall * isum - dmin * summs as the reference.
 */
static void
FN(dot_q2_k_q8_k)(int n, float *s, const void *vw, const void *vx)
{
	const lc_block_q2_k *w = vw;
	const lc_block_q8_k *x = vx;
	const __m256i m3 = _mm256_set1_epi8(3);
	__m128i sc8;
	__m256i acc, qv, u, mins;
	int i, h, k, nb = n / LC_QK_K, isum, summs;
	float sumf = 0.0f, dall, dmin;

	for (i = 0; i < nb; i++) {
		sc8 = _mm_loadu_si128((const __m128i *)w[i].scales);
		mins = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(sc8,
		    4), _mm_set1_epi8(0x0f)));
		summs = hsum_i32(bsums_dot(x[i].bsums, mins));
		acc = _mm256_setzero_si256();
		for (h = 0; h < 2; h++) {
			qv = load256(w[i].qs + 32 * h);
			for (k = 0; k < 4; k++) {
				u = _mm256_and_si256(_mm256_srli_epi16(qv,
				    2 * k), m3);
				acc = _mm256_add_epi32(acc, MULSUM_SC(u,
				    load256(x[i].qs + 128 * h + 32 * k),
				    sc2(w[i].scales[8 * h + 2 * k] & 0xf,
				    w[i].scales[8 * h + 2 * k + 1] & 0xf)));
			}
		}
		isum = hsum_i32(acc);
		dall = x[i].d * _cvtsh_ss(w[i].d);
		dmin = x[i].d * _cvtsh_ss(w[i].dmin);
		sumf += dall * (float)isum - dmin * (float)summs;
	}
	*s = sumf;
}

static void
FN(dot_q3_k_q8_k)(int n, float *s, const void *vw, const void *vx)
{
	const lc_block_q3_k *w = vw;
	const lc_block_q8_k *x = vx;
	const __m256i m3 = _mm256_set1_epi8(3), m1 = _mm256_set1_epi8(1);
	uint32_t a0, a1, t, aux[4];
	int8_t sc[16];
	__m256i acc, qv, hm, u, hb;
	__m256 accf = _mm256_setzero_ps();
	int i, h, k, j, nb = n / LC_QK_K;

	for (i = 0; i < nb; i++) {
		memcpy(&a0, w[i].scales, 4);
		memcpy(&a1, w[i].scales + 4, 4);
		memcpy(&t, w[i].scales + 8, 4);
		aux[0] = (a0 & 0x0f0f0f0f) | ((t >> 0 & 0x03030303) << 4);
		aux[1] = (a1 & 0x0f0f0f0f) | ((t >> 2 & 0x03030303) << 4);
		aux[2] = (a0 >> 4 & 0x0f0f0f0f) | ((t >> 4 & 0x03030303) << 4);
		aux[3] = (a1 >> 4 & 0x0f0f0f0f) | ((t >> 6 & 0x03030303) << 4);
		memcpy(sc, aux, 16);
		for (j = 0; j < 16; j++)
			sc[j] = (int8_t)(sc[j] - 32);
		/* q - 4 with q = 2 low bits | high bit << 2: -4 * bsums */
		acc = _mm256_mullo_epi32(bsums_dot(x[i].bsums,
		    _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)sc))),
		    _mm256_set1_epi32(-4));
		hm = load256(w[i].hmask);
		for (h = 0; h < 2; h++) {
			qv = load256(w[i].qs + 32 * h);
			for (k = 0; k < 4; k++) {
				hb = _mm256_and_si256(_mm256_srli_epi16(hm,
				    4 * h + k), m1);
				u = _mm256_or_si256(_mm256_and_si256(
				    _mm256_srli_epi16(qv, 2 * k), m3),
				    _mm256_slli_epi16(hb, 2));
				acc = _mm256_add_epi32(acc, MULSUM_SC(u,
				    load256(x[i].qs + 128 * h + 32 * k),
				    sc2(sc[8 * h + 2 * k],
				    sc[8 * h + 2 * k + 1])));
			}
		}
		accf = _mm256_add_ps(accf, _mm256_mul_ps(_mm256_set1_ps(
		    _cvtsh_ss(w[i].d) * x[i].d), _mm256_cvtepi32_ps(acc)));
	}
	*s = hsum_f32(accf);
}

/* The 8 scales and 8 mins of a Q4_K/Q5_K block. */
static inline void
k4_scales(const uint8_t q[12], uint8_t sc[8], uint8_t mn[8])
{
	int j;

	for (j = 0; j < 4; j++) {
		sc[j] = q[j] & 63;
		mn[j] = q[j + 4] & 63;
		sc[j + 4] = (uint8_t)((q[j + 8] & 0xf) | (q[j] >> 6) << 4);
		mn[j + 4] = (uint8_t)((q[j + 8] >> 4) | (q[j + 4] >> 6) << 4);
	}
}

/* sum over groups g of 32 of mn[g] * (bsums[2g] + bsums[2g+1]) */
static inline int
k4_mins(const int16_t *bsums, const uint8_t mn[8])
{
	__m128i m = _mm_loadl_epi64((const __m128i *)mn);

	m = _mm_unpacklo_epi8(m, m);	/* each min twice */
	return hsum_i32(bsums_dot(bsums, _mm256_cvtepu8_epi16(m)));
}

static void
FN(dot_q4_k_q8_k)(int n, float *s, const void *vw, const void *vx)
{
	const lc_block_q4_k *w = vw;
	const lc_block_q8_k *x = vx;
	const __m256i m4 = _mm256_set1_epi8(0x0f);
	uint8_t sc[8], mn[8];
	__m256i acc, qv;
	__m256 accf = _mm256_setzero_ps();
	float summ = 0.0f;
	int i, p, nb = n / LC_QK_K;

	for (i = 0; i < nb; i++) {
		k4_scales(w[i].scales, sc, mn);
		acc = _mm256_setzero_si256();
		for (p = 0; p < 4; p++) {
			qv = load256(w[i].qs + 32 * p);
			acc = _mm256_add_epi32(acc, MULSUM_SC(
			    _mm256_and_si256(qv, m4),
			    load256(x[i].qs + 64 * p),
			    SC_PREP(_mm256_set1_epi32(sc[2 * p]))));
			acc = _mm256_add_epi32(acc, MULSUM_SC(
			    _mm256_and_si256(_mm256_srli_epi16(qv, 4), m4),
			    load256(x[i].qs + 64 * p + 32),
			    SC_PREP(_mm256_set1_epi32(sc[2 * p + 1]))));
		}
		accf = _mm256_add_ps(accf, _mm256_mul_ps(_mm256_set1_ps(
		    _cvtsh_ss(w[i].d) * x[i].d), _mm256_cvtepi32_ps(acc)));
		summ += _cvtsh_ss(w[i].dmin) * x[i].d *
		    (float)k4_mins(x[i].bsums, mn);
	}
	*s = hsum_f32(accf) - summ;
}

static void
FN(dot_q5_k_q8_k)(int n, float *s, const void *vw, const void *vx)
{
	const lc_block_q5_k *w = vw;
	const lc_block_q8_k *x = vx;
	const __m256i m4 = _mm256_set1_epi8(0x0f), m1 = _mm256_set1_epi8(1);
	uint8_t sc[8], mn[8];
	__m256i acc, qv, hv, lo, hi;
	__m256 accf = _mm256_setzero_ps();
	float summ = 0.0f;
	int i, p, nb = n / LC_QK_K;

	for (i = 0; i < nb; i++) {
		k4_scales(w[i].scales, sc, mn);
		acc = _mm256_setzero_si256();
		hv = load256(w[i].qh);
		for (p = 0; p < 4; p++) {
			qv = load256(w[i].qs + 32 * p);
			lo = _mm256_or_si256(_mm256_and_si256(qv, m4),
			    _mm256_slli_epi16(_mm256_and_si256(
			    _mm256_srli_epi16(hv, 2 * p), m1), 4));
			hi = _mm256_or_si256(_mm256_and_si256(
			    _mm256_srli_epi16(qv, 4), m4),
			    _mm256_slli_epi16(_mm256_and_si256(
			    _mm256_srli_epi16(hv, 2 * p + 1), m1), 4));
			acc = _mm256_add_epi32(acc, MULSUM_SC(lo,
			    load256(x[i].qs + 64 * p),
			    SC_PREP(_mm256_set1_epi32(sc[2 * p]))));
			acc = _mm256_add_epi32(acc, MULSUM_SC(hi,
			    load256(x[i].qs + 64 * p + 32),
			    SC_PREP(_mm256_set1_epi32(sc[2 * p + 1]))));
		}
		accf = _mm256_add_ps(accf, _mm256_mul_ps(_mm256_set1_ps(
		    _cvtsh_ss(w[i].d) * x[i].d), _mm256_cvtepi32_ps(acc)));
		summ += _cvtsh_ss(w[i].dmin) * x[i].d *
		    (float)k4_mins(x[i].bsums, mn);
	}
	*s = hsum_f32(accf) - summ;
}

static void
FN(dot_q6_k_q8_k)(int n, float *s, const void *vw, const void *vx)
{
	const lc_block_q6_k *w = vw;
	const lc_block_q8_k *x = vx;
	const __m256i m4 = _mm256_set1_epi8(0x0f), m3 = _mm256_set1_epi8(3);
	const int8_t *sc;
	__m256i acc, l0, l1, hv, q;
	__m256 accf = _mm256_setzero_ps();
	int i, h, r, nb = n / LC_QK_K;

	for (i = 0; i < nb; i++) {
		sc = w[i].scales;
		/* values are q - 32: -32 * sum(sc * bsums) */
		acc = _mm256_slli_epi32(bsums_dot(x[i].bsums,
		    _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)sc))),
		    5);
		acc = _mm256_sub_epi32(_mm256_setzero_si256(), acc);
		for (h = 0; h < 2; h++) {
			l0 = load256(w[i].ql + 64 * h);
			l1 = load256(w[i].ql + 64 * h + 32);
			hv = load256(w[i].qh + 32 * h);
			for (r = 0; r < 4; r++) {
				/* r: low nibbles of l0, l1, then high */
				q = _mm256_and_si256(r >> 1 ?
				    _mm256_srli_epi16(r & 1 ? l1 : l0, 4) :
				    (r & 1 ? l1 : l0), m4);
				q = _mm256_or_si256(q, _mm256_slli_epi16(
				    _mm256_and_si256(_mm256_srli_epi16(hv,
				    2 * r), m3), 4));
				acc = _mm256_add_epi32(acc, MULSUM_SC(q,
				    load256(x[i].qs + 128 * h + 32 * r),
				    sc2(sc[8 * h + 2 * r],
				    sc[8 * h + 2 * r + 1])));
			}
		}
		accf = _mm256_add_ps(accf, _mm256_mul_ps(_mm256_set1_ps(
		    _cvtsh_ss(w[i].d) * x[i].d), _mm256_cvtepi32_ps(acc)));
	}
	*s = hsum_f32(accf);
}

/*
 * gemm8 of the K-quants: the weight super-block's scales and values
 * decoded once, then for each of the 8 columns the dot product's own
 * integer sums, float accumulator vector and final sum: each column
 * bit-identical to dot_q4_k / dot_q6_k.  The columns' scales are read
 * from their q8_K blocks (dx, sx unused).
 */
static void
FN(gemm8_q4_k_q8_k)(int n, const void *vw, const void *vx, int64_t xs,
    const float *dx, const float *sx, int64_t ldd, float *y, int64_t ldy)
{
	const lc_block_q4_k *w = vw;
	const lc_block_q8_k *x;
	const __m256i m4 = _mm256_set1_epi8(0x0f);
	uint8_t sc[8], mn[8];
	__m256i acc, qv, wq[8], scv[8];
	__m256 accf[8];
	float summ[8], dw, dm;
	int i, p, c, nb = n / LC_QK_K;

	(void)dx;
	(void)sx;
	(void)ldd;
	for (c = 0; c < 8; c++) {
		accf[c] = _mm256_setzero_ps();
		summ[c] = 0.0f;
	}
	for (i = 0; i < nb; i++) {
		k4_scales(w[i].scales, sc, mn);
		for (p = 0; p < 4; p++) {
			qv = load256(w[i].qs + 32 * p);
			wq[2 * p] = _mm256_and_si256(qv, m4);
			wq[2 * p + 1] = _mm256_and_si256(_mm256_srli_epi16(qv,
			    4), m4);
			scv[2 * p] = SC_PREP(_mm256_set1_epi32(sc[2 * p]));
			scv[2 * p + 1] = SC_PREP(_mm256_set1_epi32(
			    sc[2 * p + 1]));
		}
		dw = _cvtsh_ss(w[i].d);
		dm = _cvtsh_ss(w[i].dmin);
		for (c = 0; c < 8; c++) {
			x = (const lc_block_q8_k *)((const char *)vx + c * xs) +
			    i;
			acc = _mm256_setzero_si256();
			for (p = 0; p < 4; p++) {
				acc = _mm256_add_epi32(acc, MULSUM_SC(
				    wq[2 * p], load256(x->qs + 64 * p),
				    scv[2 * p]));
				acc = _mm256_add_epi32(acc, MULSUM_SC(
				    wq[2 * p + 1], load256(x->qs + 64 * p + 32),
				    scv[2 * p + 1]));
			}
			accf[c] = _mm256_add_ps(accf[c], _mm256_mul_ps(
			    _mm256_set1_ps(dw * x->d), _mm256_cvtepi32_ps(acc)));
			summ[c] += dm * x->d * (float)k4_mins(x->bsums, mn);
		}
	}
	for (c = 0; c < 8; c++)
		y[c * ldy] = hsum_f32(accf[c]) - summ[c];
}

static void
FN(gemm8_q6_k_q8_k)(int n, const void *vw, const void *vx, int64_t xs,
    const float *dx, const float *sx, int64_t ldd, float *y, int64_t ldy)
{
	const lc_block_q6_k *w = vw;
	const lc_block_q8_k *x;
	const __m256i m4 = _mm256_set1_epi8(0x0f), m3 = _mm256_set1_epi8(3);
	const int8_t *sc;
	__m256i acc, l0, l1, hv, q, wq[8], scv[8], scw;
	__m256 accf[8];
	float dw;
	int i, h, r, c, nb = n / LC_QK_K;

	(void)dx;
	(void)sx;
	(void)ldd;
	for (c = 0; c < 8; c++)
		accf[c] = _mm256_setzero_ps();
	for (i = 0; i < nb; i++) {
		sc = w[i].scales;
		for (h = 0; h < 2; h++) {
			l0 = load256(w[i].ql + 64 * h);
			l1 = load256(w[i].ql + 64 * h + 32);
			hv = load256(w[i].qh + 32 * h);
			for (r = 0; r < 4; r++) {
				q = _mm256_and_si256(r >> 1 ?
				    _mm256_srli_epi16(r & 1 ? l1 : l0, 4) :
				    (r & 1 ? l1 : l0), m4);
				wq[4 * h + r] = _mm256_or_si256(q,
				    _mm256_slli_epi16(_mm256_and_si256(
				    _mm256_srli_epi16(hv, 2 * r), m3), 4));
				scv[4 * h + r] = sc2(sc[8 * h + 2 * r],
				    sc[8 * h + 2 * r + 1]);
			}
		}
		scw = _mm256_cvtepi8_epi16(_mm_loadu_si128(
		    (const __m128i *)sc));
		dw = _cvtsh_ss(w[i].d);
		for (c = 0; c < 8; c++) {
			x = (const lc_block_q8_k *)((const char *)vx + c * xs) +
			    i;
			acc = _mm256_slli_epi32(bsums_dot(x->bsums, scw), 5);
			acc = _mm256_sub_epi32(_mm256_setzero_si256(), acc);
			for (h = 0; h < 2; h++)
				for (r = 0; r < 4; r++)
					acc = _mm256_add_epi32(acc, MULSUM_SC(
					    wq[4 * h + r], load256(x->qs +
					    128 * h + 32 * r), scv[4 * h + r]));
			accf[c] = _mm256_add_ps(accf[c], _mm256_mul_ps(
			    _mm256_set1_ps(dw * x->d), _mm256_cvtepi32_ps(acc)));
		}
	}
	for (c = 0; c < 8; c++)
		y[c * ldy] = hsum_f32(accf[c]);
}

/* Exact: 8 group sums per super-block, then the reference float ops. */
static void
FN(dot_iq4_xs_q8_k)(int n, float *s, const void *vw, const void *vx)
{
	const lc_block_iq4_xs *w = vw;
	const lc_block_q8_k *x = vx;
	__m256i v[8];
	__m256 d;
	float sumf = 0.0f, t[8], d4d8;
	int ls[8];
	int i, g, nb = n / LC_QK_K;

	for (i = 0; i < nb; i++) {
		d4d8 = _cvtsh_ss(w[i].d) * x[i].d;
		for (g = 0; g < 8; g++) {
			ls[g] = ((w[i].scales_l[g / 2] >> 4 * (g % 2) & 0xf) |
			    (w[i].scales_h >> 2 * g & 3) << 4) - 32;
			v[g] = mulsum_ss(iq4_values(w[i].qs + 16 * g),
			    load256(x[i].qs + 32 * g));
		}
		d = _mm256_mul_ps(_mm256_set1_ps(d4d8), _mm256_cvtepi32_ps(
		    _mm256_loadu_si256((const __m256i *)ls)));
		_mm256_storeu_ps(t, _mm256_mul_ps(d,
		    _mm256_cvtepi32_ps(hsum8_i32(v))));
		for (g = 0; g < 8; g++)
			sumf += t[g];
	}
	*s = sumf;
}

#if !defined(VEC_INT_ONLY)

/* ------------------------------------------------------------------ */
/* floats: f32 products summed in double lanes                         */

static inline __m256d
add_pd8(__m256d acc, __m256 p, int hi)
{
	return _mm256_add_pd(acc, _mm256_cvtps_pd(hi ?
	    _mm256_extractf128_ps(p, 1) : _mm256_castps256_ps128(p)));
}

#define DOT_FLOAT(name, type, LOAD8, TO_F32)				\
static void								\
name(int n, float *s, const void *vw, const void *vx)			\
{									\
	const type *w = vw, *x = vx;					\
	__m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd();	\
	__m256d a2 = _mm256_setzero_pd(), a3 = _mm256_setzero_pd();	\
	__m256 p0, p1;							\
	double sum;							\
	int i = 0;							\
									\
	for (; i + 16 <= n; i += 16) {					\
		p0 = _mm256_mul_ps(LOAD8(w + i), LOAD8(x + i));		\
		p1 = _mm256_mul_ps(LOAD8(w + i + 8), LOAD8(x + i + 8));	\
		a0 = add_pd8(a0, p0, 0);				\
		a1 = add_pd8(a1, p0, 1);				\
		a2 = add_pd8(a2, p1, 0);				\
		a3 = add_pd8(a3, p1, 1);				\
	}								\
	for (; i + 8 <= n; i += 8) {					\
		p0 = _mm256_mul_ps(LOAD8(w + i), LOAD8(x + i));		\
		a0 = add_pd8(a0, p0, 0);				\
		a1 = add_pd8(a1, p0, 1);				\
	}								\
	sum = hsum_f64(_mm256_add_pd(_mm256_add_pd(a0, a1),		\
	    _mm256_add_pd(a2, a3)));					\
	for (; i < n; i++)						\
		sum += (double)(TO_F32(w[i]) * TO_F32(x[i]));		\
	*s = (float)sum;						\
}

#define LOAD_F32(p)	_mm256_loadu_ps(p)
#define LOAD_F16(p)	_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p)))
#define LOAD_BF16(p)	_mm256_castsi256_ps(_mm256_slli_epi32(		\
	_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(p))), 16))
#define ID_F32(v)	(v)

DOT_FLOAT(FN(dot_f32), float, LOAD_F32, ID_F32)
DOT_FLOAT(FN(dot_f16), uint16_t, LOAD_F16, lc_f16_to_f32)
DOT_FLOAT(FN(dot_bf16), uint16_t, LOAD_BF16, lc_bf16_to_f32)

/* ------------------------------------------------------------------ */
/* attention over the KV cache: f32 or f16 rows against f32 vectors    */

#define KV_KERNELS(type, LOAD8, TO_F32)					\
static float								\
FN(kv_dot_##type)(int n, const void *vk, const float *q)		\
{									\
	const type##_t *k = vk;						\
	__m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();	\
	__m128 h;							\
	float sum;							\
	int i = 0;							\
									\
	for (; i + 16 <= n; i += 16) {					\
		a0 = _mm256_fmadd_ps(LOAD8(k + i), _mm256_loadu_ps(q + i), a0); \
		a1 = _mm256_fmadd_ps(LOAD8(k + i + 8),			\
		    _mm256_loadu_ps(q + i + 8), a1);			\
	}								\
	for (; i + 8 <= n; i += 8)					\
		a0 = _mm256_fmadd_ps(LOAD8(k + i), _mm256_loadu_ps(q + i), a0); \
	a0 = _mm256_add_ps(a0, a1);					\
	h = _mm_add_ps(_mm256_castps256_ps128(a0),			\
	    _mm256_extractf128_ps(a0, 1));				\
	h = _mm_add_ps(h, _mm_movehl_ps(h, h));				\
	h = _mm_add_ss(h, _mm_movehdup_ps(h));				\
	sum = _mm_cvtss_f32(h);						\
	for (; i < n; i++)						\
		sum += TO_F32(k[i]) * q[i];				\
	return sum;							\
}									\
									\
static void								\
FN(kv_axpy_##type)(int n, float a, const void *vv, float *y)		\
{									\
	const type##_t *v = vv;						\
	__m256 va = _mm256_set1_ps(a);					\
	int i = 0;							\
									\
	for (; i + 8 <= n; i += 8)					\
		_mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, LOAD8(v + i), \
		    _mm256_loadu_ps(y + i)));				\
	for (; i < n; i++)						\
		y[i] += a * TO_F32(v[i]);				\
}

typedef float		f32_t;
typedef uint16_t	f16_t;
KV_KERNELS(f32, LOAD_F32, ID_F32)
KV_KERNELS(f16, LOAD_F16, lc_f16_to_f32)

/* ------------------------------------------------------------------ */
/* activation quantizers (bit-identical to the reference)              */

static inline float
hmax_f32(__m256 v)
{
	__m128 m = _mm_max_ps(_mm256_castps256_ps128(v),
	    _mm256_extractf128_ps(v, 1));

	m = _mm_max_ps(m, _mm_movehl_ps(m, m));
	m = _mm_max_ss(m, _mm_movehdup_ps(m));
	return _mm_cvtss_f32(m);
}

/* roundf(): nearest, halves away from zero (cvt rounds them to even). */
static inline __m256i
roundf_epi32(__m256 v)
{
	const __m256 sign = _mm256_set1_ps(-0.0f);
	__m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
	__m256 f = _mm256_andnot_ps(sign, _mm256_sub_ps(v, t));
	__m256 one = _mm256_or_ps(_mm256_set1_ps(1.0f),
	    _mm256_and_ps(sign, v));

	t = _mm256_add_ps(t, _mm256_and_ps(one, _mm256_cmp_ps(f,
	    _mm256_set1_ps(0.5f), _CMP_GE_OQ)));
	return _mm256_cvttps_epi32(t);
}

/* 32 int32 (in 4 vectors) to 32 int8, in order. */
static inline __m256i
pack32(__m256i a, __m256i b, __m256i c, __m256i d)
{
	a = _mm256_packs_epi32(a, b);
	c = _mm256_packs_epi32(c, d);
	a = _mm256_packs_epi16(a, c);
	return _mm256_permutevar8x32_epi32(a,
	    _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/* One block of 32: *dh = f16(d), q = roundf(x / d), returns sum(q). */
static inline int
quant32(const float *x, uint16_t *dh, int8_t *qs, float *dout)
{
	const __m256 sign = _mm256_set1_ps(-0.0f);
	__m256 v[4], id;
	__m256i q[4], p;
	float amax, d;
	int k;

	for (k = 0; k < 4; k++)
		v[k] = _mm256_loadu_ps(x + 8 * k);
	amax = hmax_f32(_mm256_max_ps(
	    _mm256_max_ps(_mm256_andnot_ps(sign, v[0]),
	    _mm256_andnot_ps(sign, v[1])),
	    _mm256_max_ps(_mm256_andnot_ps(sign, v[2]),
	    _mm256_andnot_ps(sign, v[3]))));
	d = amax / 127;
	id = _mm256_set1_ps(d ? 1.0f / d : 0.0f);
	*dh = _cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
	*dout = d;
	for (k = 0; k < 4; k++)
		q[k] = roundf_epi32(_mm256_mul_ps(v[k], id));
	p = pack32(q[0], q[1], q[2], q[3]);
	_mm256_storeu_si256((__m256i *)qs, p);
	return hsum_i32(_mm256_add_epi32(_mm256_add_epi32(q[0], q[1]),
	    _mm256_add_epi32(q[2], q[3])));
}

static void
FN(quant_q8_0)(const float *x, void *vy, int64_t n)
{
	lc_block_q8_0 *y = vy;
	int64_t i, nb = n / LC_QK8_0;
	float d;

	for (i = 0; i < nb; i++)
		(void)quant32(x + 32 * i, &y[i].d, y[i].qs, &d);
}

static void
FN(quant_q8_1)(const float *x, void *vy, int64_t n)
{
	lc_block_q8_1 *y = vy;
	int64_t i, nb = n / LC_QK8_1;
	float d;
	int sum;

	for (i = 0; i < nb; i++) {
		sum = quant32(x + 32 * i, &y[i].d, y[i].qs, &d);
		y[i].s = _cvtss_sh((float)sum * d, _MM_FROUND_TO_NEAREST_INT);
	}
}

static void
FN(quant_q8_k)(const float *x, void *vy, int64_t n)
{
	const __m256 sign = _mm256_set1_ps(-0.0f);
	lc_block_q8_k *y = vy;
	int64_t i, nb = n / LC_QK_K;
	__m256 m, is;
	__m256i q[4], p, s16;
	float amax, max, iscale;
	int j, k;

	for (i = 0; i < nb; i++, x += LC_QK_K) {
		m = _mm256_setzero_ps();
		for (j = 0; j < LC_QK_K; j += 8)
			m = _mm256_max_ps(m, _mm256_andnot_ps(sign,
			    _mm256_loadu_ps(x + j)));
		amax = hmax_f32(m);
		if (!amax) {
			memset(&y[i], 0, sizeof(y[i]));
			continue;
		}
		/* the reference keeps the first x of largest magnitude */
		for (j = 0; j < LC_QK_K - 1 && fabsf(x[j]) != amax; j++)
			;
		max = x[j];
		iscale = -127.f / max;
		is = _mm256_set1_ps(iscale);
		for (j = 0; j < LC_QK_K; j += 32) {
			for (k = 0; k < 4; k++)
				q[k] = _mm256_min_epi32(_mm256_cvtps_epi32(
				    _mm256_mul_ps(is, _mm256_loadu_ps(x + j +
				    8 * k))), _mm256_set1_epi32(127));
			p = pack32(q[0], q[1], q[2], q[3]);
			_mm256_storeu_si256((__m256i *)(y[i].qs + j), p);
			/* bsums: two groups of 16 */
			s16 = _mm256_madd_epi16(_mm256_cvtepi8_epi16(
			    _mm256_castsi256_si128(p)), _mm256_set1_epi16(1));
			y[i].bsums[j / 16] = (int16_t)hsum_i32(s16);
			s16 = _mm256_madd_epi16(_mm256_cvtepi8_epi16(
			    _mm256_extracti128_si256(p, 1)),
			    _mm256_set1_epi16(1));
			y[i].bsums[j / 16 + 1] = (int16_t)hsum_i32(s16);
		}
		y[i].d = 1 / iscale;
	}
}

static void
FN(quant_f16)(const float *x, void *vy, int64_t n)
{
	uint16_t *y = vy;
	int64_t i = 0;

	for (; i + 8 <= n; i += 8)
		_mm_storeu_si128((__m128i *)(y + i), _mm256_cvtps_ph(
		    _mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
	for (; i < n; i++)
		y[i] = lc_f32_to_f16(x[i]);
}

#endif /* !VEC_INT_ONLY */
