/*
 * q4_0.c - Q4_0: 32 values as 4-bit signed quants and one f16 scale.
 * Reference dequantizer and quantizer, bit-identical to ggml
 * (dequantize_row_q4_0, quantize_row_q4_0_ref).
 */
#include <math.h>
#include <stdint.h>

#include "kutil.h"
#include "quant.h"

void
lc_dequant_q4_0(const void *vx, float *y, int64_t n)
{
	const lc_block_q4_0 *x = vx;
	int64_t i, nb = n / LC_QK4_0;
	float d;
	int j;

	for (i = 0; i < nb; i++, y += LC_QK4_0) {
		d = lc_f16_to_f32(x[i].d);
		for (j = 0; j < 16; j++) {
			y[j] = ((x[i].qs[j] & 0xf) - 8) * d;
			y[j + 16] = ((x[i].qs[j] >> 4) - 8) * d;
		}
	}
}

/*
 * d = -max/8 where max is the value of largest magnitude, so that value
 * maps exactly to quant 0 (-8); q = trunc(x/d + 8.5), at most 15.
 */
void
lc_quant_q4_0(const float *x, void *vy, int64_t n)
{
	lc_block_q4_0 *y = vy;
	int64_t i, nb = n / LC_QK4_0;
	float amax, max, d, id;
	int j, q0, q1;

	for (i = 0; i < nb; i++, x += LC_QK4_0) {
		amax = max = 0.0f;
		for (j = 0; j < LC_QK4_0; j++) {
			if (amax < fabsf(x[j])) {
				amax = fabsf(x[j]);
				max = x[j];
			}
		}
		d = max / -8;
		id = d ? 1.0f / d : 0.0f;
		y[i].d = lc_f32_to_f16(d);
		for (j = 0; j < 16; j++) {
			q0 = (int)(x[j] * id + 8.5f);
			q1 = (int)(x[j + 16] * id + 8.5f);
			if (q0 > 15)
				q0 = 15;
			if (q1 > 15)
				q1 = 15;
			y[i].qs[j] = (uint8_t)(q0 | q1 << 4);
		}
	}
}
