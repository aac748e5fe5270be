/*
 * q8_k.c - Q8_K: 256 int8 quants with an f32 scale and sums of each 16,
 * the activation format for K-quant dot products.  Bit-identical to
 * ggml (dequantize_row_q8_K, quantize_row_q8_K_ref), except that an
 * all-zero block gets bsums of 0 where ggml leaves them unwritten.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kutil.h"
#include "quant.h"

void
lc_dequant_q8_k(const void *vx, float *y, int64_t n)
{
	const lc_block_q8_k *x = vx;
	int64_t i, nb = n / LC_QK_K;
	int j;

	for (i = 0; i < nb; i++)
		for (j = 0; j < LC_QK_K; j++)
			*y++ = x[i].d * x[i].qs[j];
}

/*
 * iscale = -127/max with max the value of largest magnitude (so q may
 * reach -127 or 127 only); d = 1/iscale stays f32.
 */
void
lc_quant_q8_k(const float *x, void *vy, int64_t n)
{
	lc_block_q8_k *y = vy;
	int64_t i, nb = n / LC_QK_K;
	float max, amax, iscale;
	int j, k, v, sum;

	for (i = 0; i < nb; i++, x += LC_QK_K) {
		max = amax = 0;
		for (j = 0; j < LC_QK_K; j++) {
			if (fabsf(x[j]) > amax) {
				amax = fabsf(x[j]);
				max = x[j];
			}
		}
		if (!amax) {
			memset(&y[i], 0, sizeof(y[i]));
			continue;
		}
		iscale = -127.f / max;
		for (j = 0; j < LC_QK_K; j++) {
			v = lc_nearest_int(iscale * x[j]);
			y[i].qs[j] = (int8_t)(v < 127 ? v : 127);
		}
		for (j = 0; j < 16; j++) {
			sum = 0;
			for (k = 0; k < 16; k++)
				sum += y[i].qs[16 * j + k];
			y[i].bsums[j] = (int16_t)sum;
		}
		y[i].d = 1 / iscale;
	}
}
