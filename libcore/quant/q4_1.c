/*
 * q4_1.c - Q4_1: 32 values as 4-bit unsigned quants with an f16 scale
 * and f16 minimum.  Bit-identical to ggml (dequantize_row_q4_1,
 * quantize_row_q4_1_ref).
 */
#include <float.h>
#include <stdint.h>

#include "kutil.h"
#include "quant.h"

void
lc_dequant_q4_1(const void *vx, float *y, int64_t n)
{
	const lc_block_q4_1 *x = vx;
	int64_t i, nb = n / LC_QK4_1;
	float d, m;
	int j;

	for (i = 0; i < nb; i++, y += LC_QK4_1) {
		d = lc_f16_to_f32(x[i].d);
		m = lc_f16_to_f32(x[i].m);
		for (j = 0; j < 16; j++) {
			y[j] = (x[i].qs[j] & 0xf) * d + m;
			y[j + 16] = (x[i].qs[j] >> 4) * d + m;
		}
	}
}

/* d = (max - min)/15, m = min; q = trunc((x - min)/d + 0.5), at most 15. */
void
lc_quant_q4_1(const float *x, void *vy, int64_t n)
{
	lc_block_q4_1 *y = vy;
	int64_t i, nb = n / LC_QK4_1;
	float min, max, d, id;
	int j, q0, q1;

	for (i = 0; i < nb; i++, x += LC_QK4_1) {
		min = FLT_MAX;
		max = -FLT_MAX;
		for (j = 0; j < LC_QK4_1; j++) {
			if (x[j] < min)
				min = x[j];
			if (x[j] > max)
				max = x[j];
		}
		d = (max - min) / 15;
		id = d ? 1.0f / d : 0.0f;
		y[i].d = lc_f32_to_f16(d);
		y[i].m = lc_f32_to_f16(min);
		for (j = 0; j < 16; j++) {
			q0 = (int)((x[j] - min) * id + 0.5f);
			q1 = (int)((x[j + 16] - min) * id + 0.5f);
			if (q0 > 15)
				q0 = 15;
			if (q1 > 15)
				q1 = 15;
			y[i].qs[j] = (uint8_t)(q0 | q1 << 4);
		}
	}
}
