/*
 * q8_0.c - Q8_0 (32 int8 quants, f16 scale) and Q8_1 (the same plus
 * s = d * sum of quants, used for activations).  Bit-identical to ggml
 * (dequantize_row_q8_0, quantize_row_q8_0_ref, quantize_row_q8_1_ref).
 * ggml has no Q8_1 dequantizer; lc_dequant_q8_1 is qs[j] * d, ignoring s.
 */
#include <math.h>
#include <stdint.h>

#include "kutil.h"
#include "quant.h"

/* The largest |x[0..32)|, kept by ggml's MAX(a, b) = a > b ? a : b. */
static float
absmax32(const float *x)
{
	float amax = 0.0f;
	int j;

	for (j = 0; j < 32; j++)
		amax = amax > fabsf(x[j]) ? amax : fabsf(x[j]);
	return amax;
}

void
lc_dequant_q8_0(const void *vx, float *y, int64_t n)
{
	const lc_block_q8_0 *x = vx;
	int64_t i, nb = n / LC_QK8_0;
	float d;
	int j;

	for (i = 0; i < nb; i++, y += LC_QK8_0) {
		d = lc_f16_to_f32(x[i].d);
		for (j = 0; j < LC_QK8_0; j++)
			y[j] = x[i].qs[j] * d;
	}
}

/*
 * roundf(v) for |v| < 2^22 without the libm call (a quarter of Q8_0's
 * time): (int)v truncates, and v - (float)(int)v is exact there
 * (Sterbenz), so comparing it with +-0.5 rounds halves away from zero
 * exactly as roundf does.
 */
static int
round_away(float v)
{
	int i = (int)v;
	float f = v - (float)i;

	return i + (f >= 0.5f) - (f <= -0.5f);	/* no branches */
}

/* d = amax/127; q = roundf(x/d) (halves away from zero). */
void
lc_quant_q8_0(const float *x, void *vy, int64_t n)
{
	lc_block_q8_0 *y = vy;
	int64_t i, nb = n / LC_QK8_0;
	float d, id;
	int j;

	for (i = 0; i < nb; i++, x += LC_QK8_0) {
		d = absmax32(x) / 127;
		id = d ? 1.0f / d : 0.0f;
		y[i].d = lc_f32_to_f16(d);
		for (j = 0; j < LC_QK8_0; j++)
			y[i].qs[j] = (int8_t)round_away(x[j] * id);
	}
}

void
lc_dequant_q8_1(const void *vx, float *y, int64_t n)
{
	const lc_block_q8_1 *x = vx;
	int64_t i, nb = n / LC_QK8_1;
	float d;
	int j;

	for (i = 0; i < nb; i++, y += LC_QK8_1) {
		d = lc_f16_to_f32(x[i].d);
		for (j = 0; j < LC_QK8_1; j++)
			y[j] = x[i].qs[j] * d;
	}
}

/* As Q8_0, plus s = f16(sum(q) * d) with d the unrounded f32 scale. */
void
lc_quant_q8_1(const float *x, void *vy, int64_t n)
{
	lc_block_q8_1 *y = vy;
	int64_t i, nb = n / LC_QK8_1;
	float d, id;
	int j, sum;

	for (i = 0; i < nb; i++, x += LC_QK8_1) {
		d = absmax32(x) / 127;
		id = d ? 1.0f / d : 0.0f;
		y[i].d = lc_f32_to_f16(d);
		sum = 0;
		for (j = 0; j < LC_QK8_1; j++) {
			y[i].qs[j] = (int8_t)round_away(x[j] * id);
			sum += y[i].qs[j];
		}
		y[i].s = lc_f32_to_f16(sum * d);
	}
}
