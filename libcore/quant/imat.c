/*
 * imat.c - quantization of one row with importance weights (an
 * imatrix's mean squared activations per column), bit-identical to
 * ggml's quantize_row_*_impl paths that quantize_q4_0() ...
 * quantize_q6_K() take when given quant_weights (ggml-quants.c):
 * weighted make_qx_quants, make_qkx3_quants and make_qp_quants, each
 * reproduced operation for operation.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../dtype.h"
#include "imat.h"
#include "kutil.h"
#include "quant.h"

#define MAXI(a, b)	((a) > (b) ? (a) : (b))
#define MINI(a, b)	((a) < (b) ? (a) : (b))

/* ggml make_qx_quants with weights qw (rmse_type 1, never early). */
static float
qx_quants(int n, int nmax, const float *x, int8_t *L, const float *qw)
{
	float max = 0, amax = 0, iscale, sumlx, suml2, scale, best, w;
	int i, is, l;

	for (i = 0; i < n; i++) {
		float ax = fabsf(x[i]);
		if (ax > amax) {
			amax = ax;
			max = x[i];
		}
	}
	if (amax < LC_GROUP_MAX_EPS) {
		memset(L, 0, (size_t)n);
		return 0.f;
	}
	iscale = (float)-nmax / max;
	sumlx = suml2 = 0;
	for (i = 0; i < n; i++) {
		l = lc_nearest_int(iscale * x[i]);
		l = MAXI(-nmax, MINI(nmax - 1, l));
		L[i] = (int8_t)(l + nmax);
		w = qw[i];
		sumlx += w * x[i] * (float)l;
		suml2 += w * (float)l * (float)l;
	}
	scale = suml2 ? sumlx / suml2 : 0.0f;
	best = scale * sumlx;
	for (is = -9; is <= 9; is++) {
		if (is == 0)
			continue;
		iscale = -((float)nmax + 0.1f * (float)is) / max;
		sumlx = suml2 = 0;
		for (i = 0; i < n; i++) {
			l = lc_nearest_int(iscale * x[i]);
			l = MAXI(-nmax, MINI(nmax - 1, l));
			w = qw[i];
			sumlx += w * x[i] * (float)l;
			suml2 += w * (float)l * (float)l;
		}
		if (suml2 > 0 && sumlx * sumlx > best * suml2) {
			for (i = 0; i < n; i++) {
				l = lc_nearest_int(iscale * x[i]);
				L[i] = (int8_t)(nmax + MAXI(-nmax,
				    MINI(nmax - 1, l)));
			}
			scale = sumlx / suml2;
			best = scale * sumlx;
		}
	}
	return scale;
}

/* ggml make_qkx3_quants with weights, squared error. */
static float
qkx3_quants(int n, int nmax, const float *x, const float *weights,
    uint8_t *L, float *the_min, uint8_t *Laux, float rmin, float rdelta,
    int nstep)
{
	float min = x[0], max = x[0], sum_w = weights[0];
	float sum_x = sum_w * x[0], iscale, scale, best_mad, diff, w;
	int i, is, l;

	for (i = 1; i < n; i++) {
		if (x[i] < min)
			min = x[i];
		if (x[i] > max)
			max = x[i];
		w = weights[i];
		sum_w += w;
		sum_x += w * x[i];
	}
	if (min > 0)
		min = 0;
	if (max <= min) {
		memset(L, 0, (size_t)n);
		*the_min = -min;
		return 0.f;
	}
	iscale = (float)nmax / (max - min);
	scale = 1 / iscale;
	best_mad = 0;
	for (i = 0; i < n; i++) {
		l = lc_nearest_int(iscale * (x[i] - min));
		L[i] = (uint8_t)MAXI(0, MINI(nmax, l));
		diff = scale * (float)L[i] + min - x[i];
		diff = diff * diff;
		best_mad += weights[i] * diff;
	}
	for (is = 0; is <= nstep; is++) {
		float sum_l = 0, sum_l2 = 0, sum_xl = 0, D;
		iscale = (rmin + rdelta * (float)is + (float)nmax) /
		    (max - min);
		for (i = 0; i < n; i++) {
			l = lc_nearest_int(iscale * (x[i] - min));
			l = MAXI(0, MINI(nmax, l));
			Laux[i] = (uint8_t)l;
			w = weights[i];
			sum_l += w * (float)l;
			sum_l2 += w * (float)l * (float)l;
			sum_xl += w * (float)l * x[i];
		}
		D = sum_w * sum_l2 - sum_l * sum_l;
		if (D > 0) {
			float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
			float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
			float mad = 0;
			if (this_min > 0) {
				this_min = 0;
				this_scale = sum_xl / sum_l2;
			}
			for (i = 0; i < n; i++) {
				diff = this_scale * (float)Laux[i] + this_min -
				    x[i];
				diff = diff * diff;
				mad += weights[i] * diff;
			}
			if (mad < best_mad) {
				memcpy(L, Laux, (size_t)n);
				best_mad = mad;
				scale = this_scale;
				min = this_min;
			}
		}
	}
	*the_min = -min;
	return scale;
}

/* ggml make_qp_quants: non-negative x to L in 0..nmax. */
static float
qp_quants(int n, int nmax, const float *x, uint8_t *L, const float *qw)
{
	float max = 0, iscale, scale, best_mse, diff, w, sumlx, suml2;
	int i, is, l, itry, n_changed;

	for (i = 0; i < n; i++)
		max = max > x[i] ? max : x[i];
	if (max < LC_GROUP_MAX_EPS) {
		memset(L, 0, (size_t)n);
		return 0.f;
	}
	iscale = (float)nmax / max;
	for (i = 0; i < n; i++)
		L[i] = (uint8_t)lc_nearest_int(iscale * x[i]);
	scale = 1 / iscale;
	best_mse = 0;
	for (i = 0; i < n; i++) {
		diff = x[i] - scale * (float)L[i];
		best_mse += qw[i] * diff * diff;
	}
	for (is = -4; is <= 4; is++) {
		float iscale_is, scale_is, mse = 0;
		if (is == 0)
			continue;
		iscale_is = (0.1f * (float)is + (float)nmax) / max;
		scale_is = 1 / iscale_is;
		for (i = 0; i < n; i++) {
			l = lc_nearest_int(iscale_is * x[i]);
			l = MINI(nmax, l);
			diff = x[i] - scale_is * (float)l;
			mse += qw[i] * diff * diff;
		}
		if (mse < best_mse) {
			best_mse = mse;
			iscale = iscale_is;
		}
	}
	sumlx = suml2 = 0;
	for (i = 0; i < n; i++) {
		l = lc_nearest_int(iscale * x[i]);
		l = MINI(nmax, l);
		L[i] = (uint8_t)l;
		w = qw[i];
		sumlx += w * x[i] * (float)l;
		suml2 += w * (float)l * (float)l;
	}
	for (itry = 0; itry < 5; itry++) {
		n_changed = 0;
		for (i = 0; i < n; i++) {
			float slx, sl2;
			int new_l;
			w = qw[i];
			slx = sumlx - w * x[i] * (float)L[i];
			sl2 = suml2 - w * (float)L[i] * (float)L[i];
			if (slx > 0 && sl2 > 0) {
				new_l = lc_nearest_int(x[i] * sl2 / slx);
				new_l = MINI(nmax, new_l);
				if (new_l != L[i]) {
					slx += w * x[i] * (float)new_l;
					sl2 += w * (float)new_l * (float)new_l;
					if (slx * slx * suml2 > sumlx * sumlx *
					    sl2) {
						L[i] = (uint8_t)new_l;
						sumlx = slx;
						suml2 = sl2;
						n_changed++;
					}
				}
			}
		}
		if (!n_changed)
			break;
	}
	return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

/* sum of x^2 over n, in order */
static float
sumsq(const float *x, int64_t n)
{
	float s = 0;
	int64_t j;

	for (j = 0; j < n; j++)
		s += x[j] * x[j];
	return s;
}

static void
q4_0_w(const float *x, lc_block_q4_0 *y, int64_t n, const float *qw)
{
	float weight[32], sigma2 = sumsq(x, n) / (float)n, d;
	int8_t L[32];
	int64_t ib;
	int j;

	for (ib = 0; ib < n / 32; ib++) {
		const float *xb = x + 32 * ib, *q = qw + 32 * ib;
		for (j = 0; j < 32; j++)
			weight[j] = q[j] * sqrtf(sigma2 + xb[j] * xb[j]);
		d = qx_quants(32, 8, xb, L, weight);
		y[ib].d = lc_f32_to_f16(d);
		for (j = 0; j < 16; j++)
			y[ib].qs[j] = (uint8_t)(L[j] | (L[j + 16] << 4));
	}
}

static void
q4_1_w(const float *x, lc_block_q4_1 *y, int64_t n, const float *qw)
{
	float weight[32], sigma2 = sumsq(x, n) / (float)n, d, min;
	uint8_t L[32], Laux[32];
	int64_t ib;
	int j;

	for (ib = 0; ib < n / 32; ib++) {
		const float *xb = x + 32 * ib, *q = qw + 32 * ib;
		for (j = 0; j < 32; j++)
			weight[j] = q[j] * sqrtf(sigma2 + xb[j] * xb[j]);
		d = qkx3_quants(32, 15, xb, weight, L, &min, Laux, -0.9f,
		    0.05f, 36);
		y[ib].d = lc_f32_to_f16(d);
		y[ib].m = lc_f32_to_f16(-min);
		for (j = 0; j < 16; j++)
			y[ib].qs[j] = (uint8_t)(L[j] | (L[j + 16] << 4));
	}
}

static void
pack5(const uint8_t *L, uint8_t *qs, uint8_t *qhp)
{
	uint32_t qh = 0;
	int j;

	for (j = 0; j < 16; j++) {
		const uint8_t xi0 = L[j], xi1 = L[j + 16];
		qs[j] = (uint8_t)((xi0 & 0x0F) | ((xi1 & 0x0F) << 4));
		qh |= ((xi0 & 0x10u) >> 4) << (j + 0);
		qh |= ((xi1 & 0x10u) >> 4) << (j + 16);
	}
	qhp[0] = (uint8_t)qh;
	qhp[1] = (uint8_t)(qh >> 8);
	qhp[2] = (uint8_t)(qh >> 16);
	qhp[3] = (uint8_t)(qh >> 24);
}

static void
q5_0_w(const float *x, lc_block_q5_0 *y, int64_t n, const float *qw)
{
	float weight[32], sigma2 = sumsq(x, n) / (float)n, d;
	int8_t L[32];
	uint8_t U[32];
	int64_t ib;
	int j;

	for (ib = 0; ib < n / 32; ib++) {
		const float *xb = x + 32 * ib, *q = qw + 32 * ib;
		for (j = 0; j < 32; j++)
			weight[j] = q[j] * sqrtf(sigma2 + xb[j] * xb[j]);
		d = qx_quants(32, 16, xb, L, weight);
		y[ib].d = lc_f32_to_f16(d);
		for (j = 0; j < 32; j++)
			U[j] = (uint8_t)L[j];
		pack5(U, y[ib].qs, y[ib].qh);
	}
}

static void
q5_1_w(const float *x, lc_block_q5_1 *y, int64_t n, const float *qw)
{
	float weight[32], sigma2 = sumsq(x, n) / (float)n, d, min;
	uint8_t L[32], Laux[32];
	int64_t ib;
	int j;

	for (ib = 0; ib < n / 32; ib++) {
		const float *xb = x + 32 * ib, *q = qw + 32 * ib;
		for (j = 0; j < 32; j++)
			weight[j] = q[j] * sqrtf(sigma2 + xb[j] * xb[j]);
		d = qkx3_quants(32, 31, xb, weight, L, &min, Laux, -0.9f,
		    0.05f, 36);
		y[ib].d = lc_f32_to_f16(d);
		y[ib].m = lc_f32_to_f16(-min);
		pack5(L, y[ib].qs, y[ib].qh);
	}
}

static void
q2_k_w(const float *x, lc_block_q2_k *y, int64_t n, const float *qw)
{
	uint8_t L[256], Laux[16], Ls[16], Lm[16];
	float mins[16], scales[16], sw[16], weight[16], sumx2, sigma2;
	float dm, mm, d, m;
	int64_t i;
	int j, l, ii;

	for (i = 0; i < n / 256; i++, x += 256) {
		memset(sw, 0, sizeof(sw));
		sumx2 = sumsq(x, 256);
		sigma2 = sumx2 / 256;
		for (j = 0; j < 16; j++) {
			const float *q = qw + 256 * i + 16 * j;
			for (l = 0; l < 16; l++)
				weight[l] = q[l] * sqrtf(sigma2 + x[16 * j + l] *
				    x[16 * j + l]);
			for (l = 0; l < 16; l++)
				sw[j] += weight[l];
			scales[j] = qkx3_quants(16, 3, x + 16 * j, weight,
			    L + 16 * j, &mins[j], Laux, -0.9f, 0.05f, 36);
		}
		dm = qp_quants(16, 15, scales, Ls, sw);
		mm = qp_quants(16, 15, mins, Lm, sw);
		y[i].d = lc_f32_to_f16(dm);
		y[i].dmin = lc_f32_to_f16(mm);
		dm = lc_f16_to_f32(y[i].d);
		mm = lc_f16_to_f32(y[i].dmin);
		for (j = 0; j < 16; j++)
			y[i].scales[j] = (uint8_t)(Ls[j] | (Lm[j] << 4));
		for (j = 0; j < 16; j++) {
			d = dm * (float)(y[i].scales[j] & 0xF);
			if (!d)
				continue;
			m = mm * (float)(y[i].scales[j] >> 4);
			for (ii = 0; ii < 16; ii++) {
				l = lc_nearest_int((x[16 * j + ii] + m) / d);
				L[16 * j + ii] = (uint8_t)MAXI(0, MINI(3, l));
			}
		}
		for (j = 0; j < 256; j += 128)
			for (l = 0; l < 32; l++)
				y[i].qs[j / 4 + l] = (uint8_t)(L[j + l] |
				    (L[j + l + 32] << 2) | (L[j + l + 64] << 4) |
				    (L[j + l + 96] << 6));
	}
}

static void
q3_k_w(const float *x, lc_block_q3_k *y, int64_t n, const float *qw)
{
	int8_t L[256], Ls[16], sc;
	float scales[16], weight[16], sw[16], sumx2, sigma2, sumw, d_block;
	float d;
	int64_t i;
	int j, l, ii, m;
	uint8_t hm;

	for (i = 0; i < n / 256; i++, x += 256) {
		sumx2 = sumsq(x, 256);
		sigma2 = 2 * sumx2 / 256;
		for (j = 0; j < 16; j++) {
			const float *q = qw + 256 * i + 16 * j;
			for (l = 0; l < 16; l++)
				weight[l] = q[l] * sqrtf(sigma2 + x[16 * j + l] *
				    x[16 * j + l]);
			sumw = 0;
			for (l = 0; l < 16; l++)
				sumw += weight[l];
			sw[j] = sumw;
			scales[j] = qx_quants(16, 4, x + 16 * j, L + 16 * j,
			    weight);
		}
		memset(y[i].scales, 0, 12);
		d_block = qx_quants(16, 32, scales, Ls, sw);
		for (j = 0; j < 16; j++) {
			l = Ls[j];
			if (j < 8)
				y[i].scales[j] = (uint8_t)(l & 0xF);
			else
				y[i].scales[j - 8] |= (uint8_t)((l & 0xF) << 4);
			l >>= 4;
			y[i].scales[j % 4 + 8] |= (uint8_t)(l << (2 * (j / 4)));
		}
		y[i].d = lc_f32_to_f16(d_block);
		for (j = 0; j < 16; j++) {
			sc = (int8_t)(j < 8 ? y[i].scales[j] & 0xF :
			    y[i].scales[j - 8] >> 4);
			sc = (int8_t)((sc | (((y[i].scales[8 + j % 4] >>
			    (2 * (j / 4))) & 3) << 4)) - 32);
			d = lc_f16_to_f32(y[i].d) * (float)sc;
			if (!d)
				continue;
			for (ii = 0; ii < 16; ii++) {
				l = lc_nearest_int(x[16 * j + ii] / d);
				l = MAXI(-4, MINI(3, l));
				L[16 * j + ii] = (int8_t)(l + 4);
			}
		}
		memset(y[i].hmask, 0, 32);
		m = 0;
		hm = 1;
		for (j = 0; j < 256; j++) {
			if (L[j] > 3) {
				y[i].hmask[m] |= hm;
				L[j] -= 4;
			}
			if (++m == 32) {
				m = 0;
				hm <<= 1;
			}
		}
		for (j = 0; j < 256; j += 128)
			for (l = 0; l < 32; l++)
				y[i].qs[j / 4 + l] = (uint8_t)(L[j + l] |
				    (L[j + l + 32] << 2) | (L[j + l + 64] << 4) |
				    (L[j + l + 96] << 6));
	}
}

/* Q4_K (nmax 15) and Q5_K (31): the scales and the requantized L. */
static void
k45_scales(const float *x, const float *qw, int nmax, uint16_t *dp,
    uint16_t *dminp, uint8_t *sc12, uint8_t *L)
{
	uint8_t Laux[32], Ls[8], Lm[8], ls, lm, sc, m;
	float weights[32], sw[8], mins[8], scales[8], sum_x2, sigma2, sumw;
	float d_block, m_block, d, dm;
	int j, l, ii;

	sum_x2 = sumsq(x, 256);
	sigma2 = 2 * sum_x2 / 256;
	for (j = 0; j < 8; j++) {
		const float *q = qw + 32 * j;
		for (l = 0; l < 32; l++)
			weights[l] = q[l] * sqrtf(sigma2 + x[32 * j + l] *
			    x[32 * j + l]);
		sumw = 0;
		for (l = 0; l < 32; l++)
			sumw += weights[l];
		sw[j] = sumw;
		scales[j] = qkx3_quants(32, nmax, x + 32 * j, weights,
		    L + 32 * j, &mins[j], Laux, -0.9f, 0.05f, 36);
	}
	d_block = qp_quants(8, 63, scales, Ls, sw);
	m_block = qp_quants(8, 63, mins, Lm, sw);
	for (j = 0; j < 8; j++) {
		ls = Ls[j];
		lm = Lm[j];
		if (nmax == 31) {
			ls = ls < 63 ? ls : 63;
			lm = lm < 63 ? lm : 63;
		}
		if (j < 4) {
			sc12[j] = ls;
			sc12[j + 4] = lm;
		} else {
			sc12[j + 4] = (uint8_t)((ls & 0xF) | ((lm & 0xF) << 4));
			sc12[j - 4] |= (uint8_t)((ls >> 4) << 6);
			sc12[j - 0] |= (uint8_t)((lm >> 4) << 6);
		}
	}
	*dp = lc_f32_to_f16(d_block);
	*dminp = lc_f32_to_f16(m_block);
	for (j = 0; j < 8; j++) {
		lc_get_scale_min_k4(j, sc12, &sc, &m);
		d = lc_f16_to_f32(*dp) * (float)sc;
		if (!d)
			continue;
		dm = lc_f16_to_f32(*dminp) * (float)m;
		for (ii = 0; ii < 32; ii++) {
			l = lc_nearest_int((x[32 * j + ii] + dm) / d);
			L[32 * j + ii] = (uint8_t)MAXI(0, MINI(nmax, l));
		}
	}
}

static void
q4_k_w(const float *x, lc_block_q4_k *y, int64_t n, const float *qw)
{
	uint8_t L[256], *q;
	int64_t i;
	int j, l;

	for (i = 0; i < n / 256; i++, x += 256) {
		k45_scales(x, qw + 256 * i, 15, &y[i].d, &y[i].dmin,
		    y[i].scales, L);
		q = y[i].qs;
		for (j = 0; j < 256; j += 64, q += 32)
			for (l = 0; l < 32; l++)
				q[l] = (uint8_t)(L[j + l] | (L[j + l + 32] << 4));
	}
}

static void
q5_k_w(const float *x, lc_block_q5_k *y, int64_t n, const float *qw)
{
	uint8_t L[256], *qh, *ql, m1, m2;
	int64_t i;
	int j, nn, l1, l2;

	for (i = 0; i < n / 256; i++, x += 256) {
		k45_scales(x, qw + 256 * i, 31, &y[i].d, &y[i].dmin,
		    y[i].scales, L);
		qh = y[i].qh;
		ql = y[i].qs;
		memset(qh, 0, 32);
		m1 = 1;
		m2 = 2;
		for (nn = 0; nn < 256; nn += 64, ql += 32) {
			for (j = 0; j < 32; j++) {
				l1 = L[nn + j];
				if (l1 > 15) {
					l1 -= 16;
					qh[j] |= m1;
				}
				l2 = L[nn + j + 32];
				if (l2 > 15) {
					l2 -= 16;
					qh[j] |= m2;
				}
				ql[j] = (uint8_t)(l1 | (l2 << 4));
			}
			m1 = (uint8_t)(m1 << 2);
			m2 = (uint8_t)(m2 << 2);
		}
	}
}

static void
q6_k_w(const float *x, lc_block_q6_k *y, int64_t n, const float *qw)
{
	int8_t L[256];
	float scales[16], max_scale, max_abs_scale, scale, iscale, d;
	uint8_t *ql, *qh;
	int64_t i;
	int ib, j, l, ii;

	for (i = 0; i < n / 256; i++, x += 256) {
		max_scale = max_abs_scale = 0;
		for (ib = 0; ib < 16; ib++) {
			scale = qx_quants(16, 32, x + 16 * ib, L + 16 * ib,
			    qw + 256 * i + 16 * ib);
			scales[ib] = scale;
			if (fabsf(scale) > max_abs_scale) {
				max_abs_scale = fabsf(scale);
				max_scale = scale;
			}
		}
		if (max_abs_scale < LC_GROUP_MAX_EPS) {
			memset(&y[i], 0, sizeof(y[i]));
			y[i].d = lc_f32_to_f16(0.f);
			continue;
		}
		iscale = -128.f / max_scale;
		y[i].d = lc_f32_to_f16(1 / iscale);
		for (ib = 0; ib < 16; ib++) {
			l = lc_nearest_int(iscale * scales[ib]);
			y[i].scales[ib] = (int8_t)MINI(127, l);
		}
		for (j = 0; j < 16; j++) {
			d = lc_f16_to_f32(y[i].d) * (float)y[i].scales[j];
			if (!d)
				continue;
			for (ii = 0; ii < 16; ii++) {
				l = lc_nearest_int(x[16 * j + ii] / d);
				l = MAXI(-32, MINI(31, l));
				L[16 * j + ii] = (int8_t)(l + 32);
			}
		}
		ql = y[i].ql;
		qh = y[i].qh;
		for (j = 0; j < 256; j += 128, ql += 64, qh += 32)
			for (l = 0; l < 32; l++) {
				const uint8_t q1 = L[j + l] & 0xF;
				const uint8_t q2 = L[j + l + 32] & 0xF;
				const uint8_t q3 = L[j + l + 64] & 0xF;
				const uint8_t q4 = L[j + l + 96] & 0xF;
				ql[l] = (uint8_t)(q1 | (q3 << 4));
				ql[l + 32] = (uint8_t)(q2 | (q4 << 4));
				qh[l] = (uint8_t)((L[j + l] >> 4) |
				    ((L[j + l + 32] >> 4) << 2) |
				    ((L[j + l + 64] >> 4) << 4) |
				    ((L[j + l + 96] >> 4) << 6));
			}
	}
}

int
lc_imat_uses(uint32_t type)
{
	switch (type) {
	case LC_Q4_0: case LC_Q4_1: case LC_Q5_0: case LC_Q5_1:
	case LC_Q2_K: case LC_Q3_K: case LC_Q4_K: case LC_Q5_K: case LC_Q6_K:
		return 1;
	default:
		return 0;
	}
}

void
lc_quant_row_w(uint32_t type, const float *x, void *y, int64_t n,
    const float *qw)
{
	switch (type) {
	case LC_Q4_0: q4_0_w(x, y, n, qw); break;
	case LC_Q4_1: q4_1_w(x, y, n, qw); break;
	case LC_Q5_0: q5_0_w(x, y, n, qw); break;
	case LC_Q5_1: q5_1_w(x, y, n, qw); break;
	case LC_Q2_K: q2_k_w(x, y, n, qw); break;
	case LC_Q3_K: q3_k_w(x, y, n, qw); break;
	case LC_Q4_K: q4_k_w(x, y, n, qw); break;
	case LC_Q5_K: q5_k_w(x, y, n, qw); break;
	case LC_Q6_K: q6_k_w(x, y, n, qw); break;
	default: break;
	}
}
