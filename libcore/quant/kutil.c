/*
 * kutil.c - scale searches shared by the K-quant reference quantizers.
 *
 * The per-group searches (make_qx_quants, make_qkx2_quants) are the
 * scalar transcriptions of ggml; the quantizers call their LC_QLANES-
 * wide twins at the end of this file, which tests/kernels/k_kutil.c
 * holds to the same bits.
 *
 * Float expressions are written in ggml's evaluation order on purpose:
 * a*b*c means (a*b)*c, and reordering any of them changes the chosen
 * quants.  Integers meet floats only where ggml converts them.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kutil.h"
#include "quant.h"

static int
clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

int
lc_nearest_int(float f)
{
	float v = f + 12582912.f;	/* 1.5 * 2^23: ulp becomes 1 */
	int32_t i;

	memcpy(&i, &v, sizeof(i));
	return (i & 0x007fffff) - 0x00400000;
}

/* Returns the x[i] of largest |x[i]| (the first on ties); *amax = |x[i]|. */
static float
signed_absmax(int n, const float *x, float *amax)
{
	float max = 0, ax;
	int i;

	*amax = 0;
	for (i = 0; i < n; i++) {
		ax = fabsf(x[i]);
		if (ax > *amax) {
			*amax = ax;
			max = x[i];
		}
	}
	return max;
}

static float
qx_weight(int rmse_type, float x)
{
	switch (rmse_type) {
	case 1:
		return x * x;
	case 2:
		return 1;
	case 3:
		return fabsf(x);
	default:
		return sqrtf(fabsf(x));
	}
}

float
lc_make_qx_quants(int n, int nmax, const float *x, int8_t *L, int rmse_type)
{
	float max, amax, iscale, sumlx, suml2, scale, best, w;
	int i, is, l, early = 0;

	max = signed_absmax(n, x, &amax);
	if (amax < LC_GROUP_MAX_EPS) {
		memset(L, 0, (size_t)n);
		return 0.f;
	}
	iscale = -nmax / max;
	if (rmse_type == 0) {
		for (i = 0; i < n; i++) {
			l = lc_nearest_int(iscale * x[i]);
			L[i] = (int8_t)(nmax + clampi(l, -nmax, nmax - 1));
		}
		return 1 / iscale;
	}
	if (rmse_type < 0) {
		rmse_type = -rmse_type;
		early = 1;
	}
	sumlx = suml2 = 0;
	for (i = 0; i < n; i++) {
		l = clampi(lc_nearest_int(iscale * x[i]), -nmax, nmax - 1);
		L[i] = (int8_t)(l + nmax);
		w = qx_weight(rmse_type, x[i]);
		sumlx += w * x[i] * l;
		suml2 += w * l * l;
	}
	scale = suml2 ? sumlx / suml2 : 0.0f;
	if (early)
		return suml2 > 0 ? 0.5f * (scale + 1 / iscale) : 1 / iscale;
	best = scale * sumlx;
	/* try 18 nearby scales, nmax +- 0.1 ... 0.9 */
	for (is = -9; is <= 9; is++) {
		if (is == 0)
			continue;
		iscale = -(nmax + 0.1f * is) / max;
		sumlx = suml2 = 0;
		for (i = 0; i < n; i++) {
			l = clampi(lc_nearest_int(iscale * x[i]), -nmax,
			    nmax - 1);
			w = qx_weight(rmse_type, x[i]);
			sumlx += w * x[i] * l;
			suml2 += w * l * l;
		}
		if (suml2 > 0 && sumlx * sumlx > best * suml2) {
			for (i = 0; i < n; i++) {
				l = lc_nearest_int(iscale * x[i]);
				L[i] = (int8_t)(nmax + clampi(l, -nmax,
				    nmax - 1));
			}
			scale = sumlx / suml2;
			best = scale * sumlx;
		}
	}
	return scale;
}

float
lc_make_q3_quants(int n, int nmax, const float *x, int8_t *L, int do_rmse)
{
	float max, amax, iscale, sumlx, suml2, w, slx, sl2;
	int i, l, itry, changed;

	max = signed_absmax(n, x, &amax);
	if (amax < LC_GROUP_MAX_EPS) {
		memset(L, 0, (size_t)n);
		return 0.f;
	}
	iscale = -nmax / max;
	if (!do_rmse) {
		for (i = 0; i < n; i++) {
			l = clampi(lc_nearest_int(iscale * x[i]), -nmax,
			    nmax - 1);
			L[i] = (int8_t)(l + nmax);
		}
		return 1 / iscale;
	}
	sumlx = suml2 = 0;
	for (i = 0; i < n; i++) {
		l = clampi(lc_nearest_int(iscale * x[i]), -nmax, nmax - 1);
		L[i] = (int8_t)l;
		w = x[i] * x[i];
		sumlx += w * x[i] * l;
		suml2 += w * l * l;
	}
	/* move one quant at a time while the weighted fit improves */
	for (itry = 0; itry < 5; itry++) {
		changed = 0;
		for (i = 0; i < n; i++) {
			w = x[i] * x[i];
			slx = sumlx - w * x[i] * L[i];
			if (!(slx > 0))
				continue;
			sl2 = suml2 - w * L[i] * L[i];
			l = clampi(lc_nearest_int(x[i] * sl2 / slx), -nmax,
			    nmax - 1);
			if (l == L[i])
				continue;
			slx += w * x[i] * l;
			sl2 += w * l * l;
			if (sl2 > 0 &&
			    slx * slx * suml2 > sumlx * sumlx * sl2) {
				L[i] = (int8_t)l;
				sumlx = slx;
				suml2 = sl2;
				changed++;
			}
		}
		if (!changed)
			break;
	}
	for (i = 0; i < n; i++)
		L[i] = (int8_t)(L[i] + nmax);
	return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

float
lc_make_qkx2_quants(int n, int nmax, const float *x, const float *weights,
    uint8_t *L, float *the_min, uint8_t *Laux, float rmin, float rdelta,
    int nstep, int use_mad)
{
	float min, max, sum_w, sum_x, iscale, scale, best_error, diff, w;
	float sum_l, sum_l2, sum_xl, D, this_scale, this_min, cur_error;
	int i, is, l;

	min = max = x[0];
	sum_w = weights[0];
	sum_x = sum_w * x[0];
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
	if (max == min) {
		memset(L, 0, (size_t)n);
		*the_min = -min;
		return 0.f;
	}
	iscale = nmax / (max - min);
	scale = 1 / iscale;
	best_error = 0;
	for (i = 0; i < n; i++) {
		l = lc_nearest_int(iscale * (x[i] - min));
		L[i] = (uint8_t)clampi(l, 0, nmax);
		diff = scale * L[i] + min - x[i];
		diff = use_mad ? fabsf(diff) : diff * diff;
		best_error += weights[i] * diff;
	}
	if (nstep < 1) {
		*the_min = -min;
		return scale;
	}
	for (is = 0; is <= nstep; is++) {
		iscale = (rmin + rdelta * is + nmax) / (max - min);
		sum_l = sum_l2 = sum_xl = 0;
		for (i = 0; i < n; i++) {
			l = clampi(lc_nearest_int(iscale * (x[i] - min)), 0,
			    nmax);
			Laux[i] = (uint8_t)l;
			w = weights[i];
			sum_l += w * l;
			sum_l2 += w * l * l;
			sum_xl += w * l * x[i];
		}
		/* least squares for scale and min over this assignment */
		D = sum_w * sum_l2 - sum_l * sum_l;
		if (!(D > 0))
			continue;
		this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
		this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
		if (this_min > 0) {
			this_min = 0;
			this_scale = sum_xl / sum_l2;
		}
		cur_error = 0;
		for (i = 0; i < n; i++) {
			diff = this_scale * Laux[i] + this_min - x[i];
			diff = use_mad ? fabsf(diff) : diff * diff;
			cur_error += weights[i] * diff;
		}
		if (cur_error < best_error) {
			memcpy(L, Laux, (size_t)n);
			best_error = cur_error;
			scale = this_scale;
			min = this_min;
		}
	}
	*the_min = -min;
	return scale;
}

void
lc_get_scale_min_k4(int j, const uint8_t *q, uint8_t *sc, uint8_t *m)
{
	if (j < 4) {
		*sc = q[j] & 63;
		*m = q[j + 4] & 63;
	} else {
		*sc = (uint8_t)((q[j + 4] & 0xf) | (q[j - 4] >> 6) << 4);
		*m = (uint8_t)((q[j + 4] >> 4) | (q[j] >> 6) << 4);
	}
}

/*
 * Packs 6-bit scale ls and min lm of group j into a Q4_K/Q5_K scales[12]
 * (the inverse of lc_get_scale_min_k4).  Call for j = 0..7 in order:
 * groups 4..7 OR their top bits into bytes written by groups 0..3.
 */
static void
put_scale_min_k4(int j, uint8_t *s, uint8_t ls, uint8_t lm)
{
	if (j < 4) {
		s[j] = ls;
		s[j + 4] = lm;
	} else {
		s[j + 4] = (uint8_t)((ls & 0xf) | (lm & 0xf) << 4);
		s[j - 4] |= (uint8_t)((ls >> 4) << 6);
		s[j] |= (uint8_t)((lm >> 4) << 6);
	}
}

void
lc_quant_k4_scales(const float *x, int nmax, float rmin, int nstep,
    uint16_t *dp, uint16_t *dminp, uint8_t *sc12, uint8_t *L)
{
	uint8_t ls, lm, sc, m;
	float weights[256], mins[8], scales[8];
	float max_scale, max_min, sum_x2, av_x, inv_scale, inv_min, d, dm;
	int j, l, k;

	for (j = 0; j < 8; j++) {
		/* weight: rms of the group plus |x| */
		sum_x2 = 0;
		for (l = 0; l < 32; l++)
			sum_x2 += x[32 * j + l] * x[32 * j + l];
		av_x = sqrtf(sum_x2 / 32);
		for (l = 0; l < 32; l++)
			weights[32 * j + l] = av_x + fabsf(x[32 * j + l]);
	}
	for (j = 0; j < 8; j += LC_QLANES)
		lc_make_qkx2_quants8(32, nmax, x + 32 * j, weights + 32 * j,
		    L + 32 * j, scales + j, mins + j, rmin, 0.1f, nstep, 0);
	max_scale = max_min = 0;
	for (j = 0; j < 8; j++) {
		if (scales[j] > max_scale)
			max_scale = scales[j];
		if (mins[j] > max_min)
			max_min = mins[j];
	}

	inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
	inv_min = max_min > 0 ? 63.f / max_min : 0.f;
	for (j = 0; j < 8; j++) {
		/* ggml narrows to uint8_t before clamping */
		ls = (uint8_t)lc_nearest_int(inv_scale * scales[j]);
		lm = (uint8_t)lc_nearest_int(inv_min * mins[j]);
		put_scale_min_k4(j, sc12, ls > 63 ? 63 : ls, lm > 63 ? 63 : lm);
	}
	*dp = lc_f32_to_f16(max_scale / 63.f);
	*dminp = lc_f32_to_f16(max_min / 63.f);

	/* requantize against the rounded scales */
	for (j = 0; j < 8; j++) {
		lc_get_scale_min_k4(j, sc12, &sc, &m);
		d = lc_f16_to_f32(*dp) * sc;
		if (!d)
			continue;
		dm = lc_f16_to_f32(*dminp) * m;
		for (k = 0; k < 32; k++) {
			l = lc_nearest_int((x[32 * j + k] + dm) / d);
			l = l < 0 ? 0 : l > nmax ? nmax : l;
			L[32 * j + k] = (uint8_t)l;
		}
	}
}

/*
 * LC_QLANES groups at once.  The searches above are sequential within a
 * group (make_qkx2_quants moves min as it goes), but the groups of a
 * block are independent: lane j of each vector below is group j, and
 * every lane performs exactly the scalar code's float operations in
 * its order, so the results are the same bits.  GCC/Clang vector
 * extensions: SSE2 on any x86-64, NEON on arm64.
 */
typedef float	vf __attribute__((vector_size(LC_QLANES * sizeof(float))));
typedef int32_t	vi __attribute__((vector_size(LC_QLANES * sizeof(int32_t))));

static vi
vnearest(vf f)
{
	vi i = (vi)(f + 12582912.f);

	return (i & 0x007fffff) - 0x00400000;
}

static vi
vclamp(vi l, int lo, int hi)
{
	vi m = l < lo;

	l = (l & ~m) | (lo & m);
	m = l > hi;
	return (l & ~m) | (hi & m);
}

static vf
vsel(vi m, vf a, vf b)
{
	return (vf)((m & (vi)a) | (~m & (vi)b));
}

static vf
vabs(vf f)
{
	return (vf)((vi)f & 0x7fffffff);
}

static vf
vfloat(vi i)
{
	return __builtin_convertvector(i, vf);
}

void
lc_make_qkx2_quants8(int n, int nmax, const float *x, const float *weights,
    uint8_t *L, float *scales, float *the_min, float rmin, float rdelta,
    int nstep, int use_mad)
{
	vf xt[32] = { { 0 } }, wt[32] = { { 0 } }, min, max, sum_w, sum_x, iscale, scale, best, diff;
	vf sum_l, sum_l2, sum_xl, D, ts, tm, err, fl;
	vi lt[32], lbest[32], live, m;
	int i, j, is;

	for (i = 0; i < n; i++)
		for (j = 0; j < LC_QLANES; j++) {
			xt[i][j] = x[n * j + i];
			wt[i][j] = weights[n * j + i];
		}
	min = max = xt[0];
	sum_w = wt[0];
	sum_x = sum_w * xt[0];
	for (i = 1; i < n; i++) {
		min = vsel(xt[i] < min, xt[i], min);
		max = vsel(xt[i] > max, xt[i], max);
		sum_w += wt[i];
		sum_x += wt[i] * xt[i];
	}
	min = vsel(min > 0, (vf){ 0 }, min);
	live = max != min;		/* a flat group: L 0, scale 0 */
	iscale = (float)nmax / (max - min);
	scale = 1 / iscale;
	best = (vf){ 0 };
	for (i = 0; i < n; i++) {
		lbest[i] = vclamp(vnearest(iscale * (xt[i] - min)), 0, nmax);
		diff = scale * vfloat(lbest[i]) + min - xt[i];
		diff = use_mad ? vabs(diff) : diff * diff;
		best += wt[i] * diff;
	}
	for (is = 0; nstep >= 1 && is <= nstep; is++) {
		iscale = (rmin + rdelta * is + nmax) / (max - min);
		sum_l = sum_l2 = sum_xl = (vf){ 0 };
		for (i = 0; i < n; i++) {
			lt[i] = vclamp(vnearest(iscale * (xt[i] - min)), 0,
			    nmax);
			fl = vfloat(lt[i]);
			sum_l += wt[i] * fl;
			sum_l2 += wt[i] * fl * fl;
			sum_xl += wt[i] * fl * xt[i];
		}
		D = sum_w * sum_l2 - sum_l * sum_l;
		ts = (sum_w * sum_xl - sum_x * sum_l) / D;
		tm = (sum_l2 * sum_x - sum_l * sum_xl) / D;
		m = tm > 0;
		ts = vsel(m, sum_xl / sum_l2, ts);
		tm = vsel(m, (vf){ 0 }, tm);
		err = (vf){ 0 };
		for (i = 0; i < n; i++) {
			diff = ts * vfloat(lt[i]) + tm - xt[i];
			diff = use_mad ? vabs(diff) : diff * diff;
			err += wt[i] * diff;
		}
		m = (D > 0) & (err < best) & live;
		for (i = 0; i < n; i++)
			lbest[i] = (m & lt[i]) | (~m & lbest[i]);
		best = vsel(m, err, best);
		scale = vsel(m, ts, scale);
		min = vsel(m, tm, min);
	}
	for (j = 0; j < LC_QLANES; j++) {
		for (i = 0; i < n; i++)
			L[n * j + i] = live[j] ? (uint8_t)lbest[i][j] : 0;
		scales[j] = live[j] ? scale[j] : 0.f;
		the_min[j] = -min[j];
	}
}

void
lc_make_qx_quants8(int n, int nmax, const float *x, int8_t *L, float *scales)
{
	vf xt[32] = { { 0 } }, wt[32], max, amax, ax, iscale, sumlx, suml2, fl, scale;
	vf best;
	vi lbest[32], lt[32], live, m;
	int i, j, is;

	for (i = 0; i < n; i++)
		for (j = 0; j < LC_QLANES; j++)
			xt[i][j] = x[n * j + i];
	max = amax = (vf){ 0 };
	for (i = 0; i < n; i++) {
		ax = vabs(xt[i]);
		m = ax > amax;
		amax = vsel(m, ax, amax);
		max = vsel(m, xt[i], max);
		wt[i] = xt[i] * xt[i];		/* rmse_type 1 */
	}
	live = amax >= LC_GROUP_MAX_EPS;
	iscale = (float)-nmax / max;
	sumlx = suml2 = (vf){ 0 };
	for (i = 0; i < n; i++) {
		lbest[i] = vclamp(vnearest(iscale * xt[i]), -nmax, nmax - 1);
		fl = vfloat(lbest[i]);
		sumlx += wt[i] * xt[i] * fl;
		suml2 += wt[i] * fl * fl;
	}
	scale = vsel(suml2 != 0, sumlx / suml2, (vf){ 0 });
	best = scale * sumlx;
	for (is = -9; is <= 9; is++) {
		if (is == 0)
			continue;
		iscale = -(nmax + 0.1f * is) / max;
		sumlx = suml2 = (vf){ 0 };
		for (i = 0; i < n; i++) {
			lt[i] = vclamp(vnearest(iscale * xt[i]), -nmax,
			    nmax - 1);
			fl = vfloat(lt[i]);
			sumlx += wt[i] * xt[i] * fl;
			suml2 += wt[i] * fl * fl;
		}
		m = (suml2 > 0) & (sumlx * sumlx > best * suml2);
		for (i = 0; i < n; i++)
			lbest[i] = (m & lt[i]) | (~m & lbest[i]);
		scale = vsel(m, sumlx / suml2, scale);
		best = vsel(m, scale * sumlx, best);
	}
	for (j = 0; j < LC_QLANES; j++) {
		for (i = 0; i < n; i++)
			L[n * j + i] = live[j] ? (int8_t)(lbest[i][j] + nmax) :
			    0;
		scales[j] = live[j] ? scale[j] : 0.f;
	}
}
