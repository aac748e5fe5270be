/*
 * iq4.c - IQ4_NL (32 values, 4-bit indices into a fixed non-linear
 * table, f16 scale) and IQ4_XS (256 values: 8 such groups with 6-bit
 * scales under one f16 scale).  Bit-identical to ggml
 * (dequantize_row_iq4_nl/_xs, quantize_row_iq4_nl_ref and
 * quantize_row_iq4_xs_ref, i.e. quantize_row_iq4_nl_impl without
 * importance weights).
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "imat.h"
#include "kutil.h"
#include "quant.h"

/* ggml kvalues_iq4nl: the 16 levels, ascending. */
const int8_t lc_iq4_levels[16] = {
	-127, -104, -83, -65, -49, -35, -22, -10,
	1, 13, 25, 38, 53, 69, 89, 113,
};
#define kvalues lc_iq4_levels

void
lc_dequant_iq4_nl(const void *vx, float *y, int64_t n)
{
	const lc_block_iq4_nl *x = vx;
	int64_t i, nb = n / LC_QK4_NL;
	float d;
	int j;

	for (i = 0; i < nb; i++, y += LC_QK4_NL) {
		d = lc_f16_to_f32(x[i].d);
		for (j = 0; j < 16; j++) {
			y[j] = d * kvalues[x[i].qs[j] & 0xf];
			y[j + 16] = d * kvalues[x[i].qs[j] >> 4];
		}
	}
}

void
lc_dequant_iq4_xs(const void *vx, float *y, int64_t n)
{
	const lc_block_iq4_xs *x = vx;
	int64_t i, nb = n / LC_QK_K;
	const uint8_t *qs;
	float d, dl;
	int g, j, ls;

	for (i = 0; i < nb; i++) {
		d = lc_f16_to_f32(x[i].d);
		for (g = 0; g < 8; g++, y += 32) {
			ls = ((x[i].scales_l[g / 2] >> (4 * (g % 2))) & 0xf) |
			    ((x[i].scales_h >> (2 * g)) & 3) << 4;
			dl = d * (ls - 32);
			qs = x[i].qs + 16 * g;
			for (j = 0; j < 16; j++) {
				y[j] = dl * kvalues[qs[j] & 0xf];
				y[j + 16] = dl * kvalues[qs[j] >> 4];
			}
		}
	}
}

/*
 * Index of the level nearest to v; the upper one wins unless the lower
 * is strictly nearer (ggml best_index_int8).  ggml bisects for the upper
 * end hi (levels[hi-1] <= v < levels[hi]); the levels are integers, so
 * hi depends only on floor(v) and comes from a table of the 240 floors
 * in (levels[0], levels[15]).  NaN gives 15, as the bisection does.
 */
static uint8_t upper[113 + 127];	/* floor(v) + 127 -> hi */

static void
upper_init(void)
{
	int f, k;

	for (f = -127; f < 113; f++) {
		for (k = 1; k < 15 && kvalues[k] <= f; k++)
			;
		upper[f + 127] = (uint8_t)k;
	}
}

int
lc_iq4_index(float v)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int f, hi;

	if (v <= kvalues[0])
		return 0;
	if (v >= kvalues[15] || v != v)
		return 15;
	pthread_once(&once, upper_init);
	f = (int)v;			/* toward 0 ... */
	f -= v < (float)f;		/* ... then down */
	hi = upper[f + 127];
	return v - kvalues[hi - 1] < kvalues[hi] - v ? hi - 1 : hi;
}

/*
 * Fits the 32 values xb with weights x^2: the first scale is max/-127
 * (ntry <= 0) or -max/-127 (ntry > 0), the indices Lb follow from it,
 * then 2*ntry+1 more scales (levels[0] + itry)/max may improve the scale
 * but not the indices.  Returns the least-squares scale; an all-zero
 * group returns 0 and leaves Lb untouched (as ggml does).
 */
static float
iq4_fit_group(const float *xb, uint8_t *Lb, int ntry, const float *qw,
    float sigma2)
{
	float weight[32], amax, max, d, id, sumqx, sumq2, best, q;
	int j, l, itry;

	amax = max = 0;
	for (j = 0; j < 32; j++) {
		weight[j] = qw != NULL ? qw[j] * sqrtf(sigma2 + xb[j] * xb[j]) :
		    xb[j] * xb[j];
		if (fabsf(xb[j]) > amax) {
			amax = fabsf(xb[j]);
			max = xb[j];
		}
	}
	if (amax < LC_GROUP_MAX_EPS)
		return 0;
	d = ntry > 0 ? -max / kvalues[0] : max / kvalues[0];
	id = 1 / d;
	sumqx = sumq2 = 0;
	for (j = 0; j < 32; j++) {
		l = lc_iq4_index(id * xb[j]);
		Lb[j] = (uint8_t)l;
		q = kvalues[l];
		sumqx += weight[j] * q * xb[j];
		sumq2 += weight[j] * q * q;
	}
	d = sumq2 > 0 ? sumqx / sumq2 : 0.f;
	best = d * sumqx;
	for (itry = -ntry; itry <= ntry; itry++) {
		id = (itry + kvalues[0]) / max;
		sumqx = sumq2 = 0;
		for (j = 0; j < 32; j++) {
			q = kvalues[lc_iq4_index(id * xb[j])];
			sumqx += weight[j] * q * xb[j];
			sumq2 += weight[j] * q * q;
		}
		if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
			d = sumqx / sumq2;
			best = d * sumqx;
		}
	}
	return d;
}

/* qs[16g + j] = index of element 32g + j | index of 32g + 16 + j << 4 */
static void
pack_nibbles(uint8_t *qs, const uint8_t *L, int ngroups)
{
	int g, j;

	for (g = 0; g < ngroups; g++)
		for (j = 0; j < 16; j++)
			qs[16 * g + j] = (uint8_t)(L[32 * g + j] |
			    L[32 * g + 16 + j] << 4);
}

/*
 * ggml's reference runs the fit with ntry = -1: one scale, no search.
 * An all-zero block stores d = 0 and, because ggml never writes its
 * indices, repeats the indices of the previous block in this call
 * (indices 0 for a leading all-zero block, where ggml reads stale
 * stack).  They dequantize to 0 either way.
 */
void
lc_quant_iq4_nl(const float *x, void *vy, int64_t n)
{
	lc_block_iq4_nl *y = vy;
	int64_t i, nb = n / LC_QK4_NL;
	uint8_t L[32];

	memset(L, 0, sizeof(L));
	for (i = 0; i < nb; i++, x += LC_QK4_NL) {
		y[i].d = lc_f32_to_f16(iq4_fit_group(x, L, -1, NULL, 0));
		pack_nibbles(y[i].qs, L, 1);
	}
}

/*
 * quantize_row_iq4_xs_ref: each group fitted with ntry = 7, then the
 * group scales quantized to 6 bits against d = -max_scale/32 and the
 * indices recomputed for the rounded group scale d * l.
 */
void
lc_quant_iq4_xs(const float *x, void *vy, int64_t n)
{
	lc_quant_iq4_xs_w(x, vy, n, NULL);
}

/* With importance weights qw (one per column) or NULL: ggml's
   quantize_iq4_xs(), weights qw * sqrt(sigma2 + x^2) with sigma2 twice
   the super-block's mean square. */
void
lc_quant_iq4_xs_w(const float *x, void *vy, int64_t n, const float *qw)
{
	lc_block_iq4_xs *y = vy;
	int64_t i, nb = n / LC_QK_K;
	uint8_t L[LC_QK_K];
	float scales[8], max_scale, amax_scale, d, id, dl, idl, sigma2;
	int g, j, l;

	for (i = 0; i < nb; i++, x += LC_QK_K) {
		max_scale = amax_scale = 0;
		sigma2 = 0;
		for (j = 0; j < LC_QK_K; j++)
			sigma2 += x[j] * x[j];
		sigma2 *= 2.f / LC_QK_K;
		for (g = 0; g < 8; g++) {
			scales[g] = iq4_fit_group(x + 32 * g, L + 32 * g, 7,
			    qw != NULL ? qw + LC_QK_K * i + 32 * g : NULL,
			    sigma2);
			if (fabsf(scales[g]) > amax_scale) {
				amax_scale = fabsf(scales[g]);
				max_scale = scales[g];
			}
		}
		d = -max_scale / 32;
		y[i].d = lc_f32_to_f16(d);
		id = d ? 1 / d : 0.f;
		y[i].scales_h = 0;
		for (g = 0; g < 8; g++) {
			l = lc_nearest_int(id * scales[g]);
			l = l < -32 ? -32 : l > 31 ? 31 : l;
			dl = d * l;
			idl = dl ? 1 / dl : 0.f;
			for (j = 0; j < 32; j++)
				L[32 * g + j] = (uint8_t)lc_iq4_index(idl *
				    x[32 * g + j]);
			l += 32;
			if (g % 2 == 0)
				y[i].scales_l[g / 2] = (uint8_t)(l & 0xf);
			else
				y[i].scales_l[g / 2] |=
				    (uint8_t)((l & 0xf) << 4);
			y[i].scales_h |= (uint16_t)((l >> 4) << (2 * g));
		}
		pack_nibbles(y[i].qs, L, 8);
	}
}
