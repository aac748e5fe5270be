/*
 * dot.c - scalar reference dot products (see dot.h).  Each function
 * keeps ggml's generic arithmetic: the same integer sums, the same
 * float operations in the same order, so results are bit-identical to
 * ggml_vec_dot_*_generic.  Built with -ffp-contract=off (no FMA).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../dtype.h"
#include "dot.h"
#include "kutil.h"
#include "quant.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* ggml kvalues_iq4nl (the same table as iq4.c). */
static const int8_t kvalues_iq4nl[16] = {
	-127, -104, -83, -65, -49, -35, -22, -10,
	1, 13, 25, 38, 53, 69, 89, 113,
};

static uint32_t
le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* ------------------------------------------------------------------ */
/* plain floats: float product, double sum                             */

void
lc_dot_f32(int n, float *s, const void *vw, const void *vx)
{
	const float *w = vw, *x = vx;
	double sum = 0.0;
	int i;

	for (i = 0; i < n; i++)
		sum += (double)(w[i] * x[i]);
	*s = (float)sum;
}

/* Each product of two halves is exact in float. */
void
lc_dot_f16(int n, float *s, const void *vw, const void *vx)
{
	const uint16_t *w = vw, *x = vx;
	double sum = 0.0;
	int i;

	for (i = 0; i < n; i++)
		sum += (double)(lc_f16_to_f32(w[i]) * lc_f16_to_f32(x[i]));
	*s = (float)sum;
}

void
lc_dot_bf16(int n, float *s, const void *vw, const void *vx)
{
	const uint16_t *w = vw, *x = vx;
	double sum = 0.0;
	int i;

	for (i = 0; i < n; i++)
		sum += (double)(lc_bf16_to_f32(w[i]) * lc_bf16_to_f32(x[i]));
	*s = (float)sum;
}

/* ------------------------------------------------------------------ */
/* 32-element blocks against Q8_0 / Q8_1                              */

/* sumf += (sumi * dw) * dx */
void
lc_dot_q4_0_q8_0(int n, float *s, const void *vw, const void *vx)
{
	const lc_block_q4_0 *w = vw;
	const lc_block_q8_0 *x = vx;
	int ib, j, nb = n / LC_QK8_0, sumi;
	float sumf = 0.0f;

	for (ib = 0; ib < nb; ib++) {
		sumi = 0;
		for (j = 0; j < 16; j++) {
			sumi += ((w[ib].qs[j] & 0xf) - 8) * x[ib].qs[j];
			sumi += ((w[ib].qs[j] >> 4) - 8) * x[ib].qs[j + 16];
		}
		sumf += (float)sumi * lc_f16_to_f32(w[ib].d) *
		    lc_f16_to_f32(x[ib].d);
	}
	*s = sumf;
}

/* sumf += (dw * dx) * sumi + mw * sx */
void
lc_dot_q4_1_q8_1(int n, float *s, const void *vw, const void *vx)
{
	const lc_block_q4_1 *w = vw;
	const lc_block_q8_1 *x = vx;
	int ib, j, nb = n / LC_QK8_1, sumi;
	float sumf = 0.0f;

	for (ib = 0; ib < nb; ib++) {
		sumi = 0;
		for (j = 0; j < 16; j++) {
			sumi += (w[ib].qs[j] & 0xf) * x[ib].qs[j];
			sumi += (w[ib].qs[j] >> 4) * x[ib].qs[j + 16];
		}
		sumf += lc_f16_to_f32(w[ib].d) * lc_f16_to_f32(x[ib].d) *
		    (float)sumi +
		    lc_f16_to_f32(w[ib].m) * lc_f16_to_f32(x[ib].s);
	}
	*s = sumf;
}

/* sumf += (dw * dx) * sumi */
void
lc_dot_q5_0_q8_0(int n, float *s, const void *vw, const void *vx)
{
	const lc_block_q5_0 *w = vw;
	const lc_block_q8_0 *x = vx;
	int ib, j, nb = n / LC_QK8_0, sumi, v0, v1;
	uint32_t qh;
	float sumf = 0.0f;

	for (ib = 0; ib < nb; ib++) {
		qh = le32(w[ib].qh);
		sumi = 0;
		for (j = 0; j < 16; j++) {
			v0 = (int)((w[ib].qs[j] & 0xf) | ((qh >> j) & 1) << 4);
			v1 = (int)((w[ib].qs[j] >> 4) |
			    ((qh >> (j + 16)) & 1) << 4);
			sumi += (v0 - 16) * x[ib].qs[j];
			sumi += (v1 - 16) * x[ib].qs[j + 16];
		}
		sumf += lc_f16_to_f32(w[ib].d) * lc_f16_to_f32(x[ib].d) *
		    (float)sumi;
	}
	*s = sumf;
}

/* sumf += (dw * dx) * sumi + mw * sx */
void
lc_dot_q5_1_q8_1(int n, float *s, const void *vw, const void *vx)
{
	const lc_block_q5_1 *w = vw;
	const lc_block_q8_1 *x = vx;
	int ib, j, nb = n / LC_QK8_1, sumi, v0, v1;
	uint32_t qh;
	float sumf = 0.0f;

	for (ib = 0; ib < nb; ib++) {
		qh = le32(w[ib].qh);
		sumi = 0;
		for (j = 0; j < 16; j++) {
			v0 = (int)((w[ib].qs[j] & 0xf) | ((qh >> j) & 1) << 4);
			v1 = (int)((w[ib].qs[j] >> 4) |
			    ((qh >> (j + 16)) & 1) << 4);
			sumi += v0 * x[ib].qs[j];
			sumi += v1 * x[ib].qs[j + 16];
		}
		sumf += lc_f16_to_f32(w[ib].d) * lc_f16_to_f32(x[ib].d) *
		    (float)sumi +
		    lc_f16_to_f32(w[ib].m) * lc_f16_to_f32(x[ib].s);
	}
	*s = sumf;
}

/* sumf += sumi * (dw * dx) */
void
lc_dot_q8_0_q8_0(int n, float *s, const void *vw, const void *vx)
{
	const lc_block_q8_0 *w = vw;
	const lc_block_q8_0 *x = vx;
	int ib, j, nb = n / LC_QK8_0, sumi;
	float sumf = 0.0f;

	for (ib = 0; ib < nb; ib++) {
		sumi = 0;
		for (j = 0; j < 32; j++)
			sumi += w[ib].qs[j] * x[ib].qs[j];
		sumf += (float)sumi * (lc_f16_to_f32(w[ib].d) *
		    lc_f16_to_f32(x[ib].d));
	}
	*s = sumf;
}

/* sumf += (dx * dw) * sumi */
void
lc_dot_iq4_nl_q8_0(int n, float *s, const void *vw, const void *vx)
{
	const lc_block_iq4_nl *w = vw;
	const lc_block_q8_0 *x = vx;
	int ib, j, nb = n / LC_QK4_NL, sumi;
	float sumf = 0.0f, d;

	for (ib = 0; ib < nb; ib++) {
		d = lc_f16_to_f32(x[ib].d) * lc_f16_to_f32(w[ib].d);
		sumi = 0;
		for (j = 0; j < 16; j++) {
			sumi += x[ib].qs[j] * kvalues_iq4nl[w[ib].qs[j] & 0xf];
			sumi += x[ib].qs[j + 16] *
			    kvalues_iq4nl[w[ib].qs[j] >> 4];
		}
		sumf += d * (float)sumi;
	}
	*s = sumf;
}

/* ------------------------------------------------------------------ */
/* K-quants against Q8_K                                               */

/*
 * ggml's generic K-quant dots (except Q2_K) keep 8 float sums, one per
 * element index mod 8: per super-block each lane's integer sum
 * (scale * q * q8 over its 32 elements) is scaled by d = dw * dx and
 * added to its float sum; the 8 float sums are added last, in order,
 * to the running "- dmin * mins" total.  lane_fold() is that step.
 */
static void
lane_fold(float sums[8], float d, const int32_t lane[8])
{
	int l;

	for (l = 0; l < 8; l++)
		sums[l] += d * (float)lane[l];
}

static float
lane_total(float sumf, const float sums[8])
{
	int l;

	for (l = 0; l < 8; l++)
		sumf += sums[l];
	return sumf;
}

/* sumf += (dx * dw) * isum - (dx * dmin) * summs, per super-block */
void
lc_dot_q2_k_q8_k(int n, float *s, const void *vw, const void *vx)
{
	const lc_block_q2_k *w = vw;
	const lc_block_q8_k *x = vx;
	const uint8_t *q2;
	const int8_t *q8;
	int i, h, k, g, l, nb = n / LC_QK_K, isum, summs, sub;
	float sumf = 0.0f, dall, dmin;

	for (i = 0; i < nb; i++) {
		summs = 0;
		for (g = 0; g < 16; g++)
			summs += x[i].bsums[g] * (w[i].scales[g] >> 4);
		dall = x[i].d * lc_f16_to_f32(w[i].d);
		dmin = x[i].d * lc_f16_to_f32(w[i].dmin);
		isum = 0;
		for (h = 0; h < 2; h++) {
			q2 = w[i].qs + 32 * h;
			for (k = 0; k < 4; k++) {
				q8 = x[i].qs + 128 * h + 32 * k;
				/* groups of 16: elements 0-15 and 16-31 */
				for (g = 0; g < 2; g++) {
					sub = 0;
					for (l = 16 * g; l < 16 * g + 16; l++)
						sub += q8[l] *
						    ((q2[l] >> (2 * k)) & 3);
					isum += (w[i].scales[8 * h + 2 * k + g] &
					    0xf) * sub;
				}
			}
		}
		sumf += dall * (float)isum - dmin * (float)summs;
	}
	*s = sumf;
}

/* 16 signed 6-bit scales of a Q3_K block, already minus 32. */
static void
q3_k_scales(const uint8_t sc12[12], int8_t out[16])
{
	uint32_t a0 = le32(sc12), a1 = le32(sc12 + 4), t = le32(sc12 + 8);
	uint32_t aux[4];
	int j;

	aux[0] = (a0 & 0x0f0f0f0f) | ((t >> 0 & 0x03030303) << 4);
	aux[1] = (a1 & 0x0f0f0f0f) | ((t >> 2 & 0x03030303) << 4);
	aux[2] = (a0 >> 4 & 0x0f0f0f0f) | ((t >> 4 & 0x03030303) << 4);
	aux[3] = (a1 >> 4 & 0x0f0f0f0f) | ((t >> 6 & 0x03030303) << 4);
	for (j = 0; j < 16; j++)
		out[j] = (int8_t)((aux[j / 4] >> 8 * (j % 4) & 0xff) - 32);
}

void
lc_dot_q3_k_q8_k(int n, float *s, const void *vw, const void *vx)
{
	const lc_block_q3_k *w = vw;
	const lc_block_q8_k *x = vx;
	int8_t sc[16];
	int32_t lane[8];
	float sums[8] = { 0 };
	int i, e, q, nb = n / LC_QK_K;

	for (i = 0; i < nb; i++) {
		q3_k_scales(w[i].scales, sc);
		memset(lane, 0, sizeof(lane));
		for (e = 0; e < LC_QK_K; e++) {
			/* element e = 128h + 32k + l: bits 2k of qs[32h+l] */
			q = (w[i].qs[32 * (e / 128) + e % 32] >>
			    (2 * (e % 128 / 32))) & 3;
			if (!(w[i].hmask[e % 32] & (1u << (e / 32))))
				q -= 4;
			lane[e % 8] += sc[e / 16] * (q * x[i].qs[e]);
		}
		lane_fold(sums, lc_f16_to_f32(w[i].d) * x[i].d, lane);
	}
	*s = lane_total(0.0f, sums);
}

/* Q4_K and Q5_K: sumf -= dmin * sum(bsums * mins) per super-block. */
void
lc_dot_q4_k_q8_k(int n, float *s, const void *vw, const void *vx)
{
	const lc_block_q4_k *w = vw;
	const lc_block_q8_k *x = vx;
	uint8_t sc, m;
	int32_t lane[8];
	float sums[8] = { 0 }, sumf = 0.0f;
	int i, e, q, g, nb = n / LC_QK_K, summ;

	for (i = 0; i < nb; i++) {
		memset(lane, 0, sizeof(lane));
		summ = 0;
		for (g = 0; g < 8; g++) {
			lc_get_scale_min_k4(g, w[i].scales, &sc, &m);
			summ += (x[i].bsums[2 * g] + x[i].bsums[2 * g + 1]) * m;
			/* group g = 2p + hi: qs[32p + l], nibble hi */
			for (e = 32 * g; e < 32 * g + 32; e++) {
				q = w[i].qs[32 * (g / 2) + e % 32] >>
				    (4 * (g % 2)) & 0xf;
				lane[e % 8] += sc * (q * x[i].qs[e]);
			}
		}
		lane_fold(sums, lc_f16_to_f32(w[i].d) * x[i].d, lane);
		sumf -= lc_f16_to_f32(w[i].dmin) * x[i].d * (float)summ;
	}
	*s = lane_total(sumf, sums);
}

void
lc_dot_q5_k_q8_k(int n, float *s, const void *vw, const void *vx)
{
	const lc_block_q5_k *w = vw;
	const lc_block_q8_k *x = vx;
	uint8_t sc, m;
	int32_t lane[8];
	float sums[8] = { 0 }, sumf = 0.0f;
	int i, e, q, g, nb = n / LC_QK_K, summ;

	for (i = 0; i < nb; i++) {
		memset(lane, 0, sizeof(lane));
		summ = 0;
		for (g = 0; g < 8; g++) {
			lc_get_scale_min_k4(g, w[i].scales, &sc, &m);
			summ += (x[i].bsums[2 * g] + x[i].bsums[2 * g + 1]) * m;
			for (e = 32 * g; e < 32 * g + 32; e++) {
				q = w[i].qs[32 * (g / 2) + e % 32] >>
				    (4 * (g % 2)) & 0xf;
				q |= (w[i].qh[e % 32] >> g & 1) << 4;
				lane[e % 8] += sc * (q * x[i].qs[e]);
			}
		}
		lane_fold(sums, lc_f16_to_f32(w[i].d) * x[i].d, lane);
		sumf -= lc_f16_to_f32(w[i].dmin) * x[i].d * (float)summ;
	}
	*s = lane_total(sumf, sums);
}

void
lc_dot_q6_k_q8_k(int n, float *s, const void *vw, const void *vx)
{
	const lc_block_q6_k *w = vw;
	const lc_block_q8_k *x = vx;
	int32_t lane[8];
	float sums[8] = { 0 };
	int i, e, h, r, l, q, nb = n / LC_QK_K;

	for (i = 0; i < nb; i++) {
		memset(lane, 0, sizeof(lane));
		for (e = 0; e < LC_QK_K; e++) {
			/* e = 128h + 32r + l, r = 0..3 */
			h = e / 128;
			r = e % 128 / 32;
			l = e % 32;
			q = w[i].ql[64 * h + 32 * (r & 1) + l] >>
			    (4 * (r >> 1)) & 0xf;
			q |= (w[i].qh[32 * h + l] >> (2 * r) & 3) << 4;
			lane[e % 8] += w[i].scales[e / 16] *
			    ((q - 32) * x[i].qs[e]);
		}
		lane_fold(sums, lc_f16_to_f32(w[i].d) * x[i].d, lane);
	}
	*s = lane_total(0.0f, sums);
}

/* sumf += (d4d8 * (ls - 32)) * sumi, per group of 32 */
void
lc_dot_iq4_xs_q8_k(int n, float *s, const void *vw, const void *vx)
{
	const lc_block_iq4_xs *w = vw;
	const lc_block_q8_k *x = vx;
	const uint8_t *qs;
	const int8_t *q8;
	int i, g, j, ls, sumi, nb = n / LC_QK_K;
	float sumf = 0.0f, d4d8;

	for (i = 0; i < nb; i++) {
		d4d8 = lc_f16_to_f32(w[i].d) * x[i].d;
		for (g = 0; g < 8; g++) {
			ls = (w[i].scales_l[g / 2] >> 4 * (g % 2) & 0xf) |
			    (w[i].scales_h >> 2 * g & 3) << 4;
			qs = w[i].qs + 16 * g;
			q8 = x[i].qs + 32 * g;
			sumi = 0;
			for (j = 0; j < 16; j++) {
				sumi += q8[j] * kvalues_iq4nl[qs[j] & 0xf];
				sumi += q8[j + 16] * kvalues_iq4nl[qs[j] >> 4];
			}
			sumf += d4d8 * (float)(ls - 32) * (float)sumi;
		}
	}
	*s = sumf;
}

/* ------------------------------------------------------------------ */

static const lc_dot_traits dot_traits[LC_DTYPE_COUNT] = {
	[LC_F32] = { LC_F32, lc_dot_f32 },
	[LC_F16] = { LC_F16, lc_dot_f16 },
	[LC_BF16] = { LC_BF16, lc_dot_bf16 },
	[LC_Q4_0] = { LC_Q8_0, lc_dot_q4_0_q8_0 },
	[LC_Q4_1] = { LC_Q8_1, lc_dot_q4_1_q8_1 },
	[LC_Q5_0] = { LC_Q8_0, lc_dot_q5_0_q8_0 },
	[LC_Q5_1] = { LC_Q8_1, lc_dot_q5_1_q8_1 },
	[LC_Q8_0] = { LC_Q8_0, lc_dot_q8_0_q8_0 },
	[LC_IQ4_NL] = { LC_Q8_0, lc_dot_iq4_nl_q8_0 },
	[LC_Q2_K] = { LC_Q8_K, lc_dot_q2_k_q8_k },
	[LC_Q3_K] = { LC_Q8_K, lc_dot_q3_k_q8_k },
	[LC_Q4_K] = { LC_Q8_K, lc_dot_q4_k_q8_k },
	[LC_Q5_K] = { LC_Q8_K, lc_dot_q5_k_q8_k },
	[LC_Q6_K] = { LC_Q8_K, lc_dot_q6_k_q8_k },
	[LC_IQ4_XS] = { LC_Q8_K, lc_dot_iq4_xs_q8_k },
};

const lc_dot_traits *
lc_dot(uint32_t t)
{
	if (t >= LC_DTYPE_COUNT || dot_traits[t].vec_dot == NULL)
		return NULL;
	return &dot_traits[t];
}
