/*
 * q5_1.c - Q5_1: 32 values as 5-bit unsigned quants with an f16 scale
 * and f16 minimum.  Bit-identical to ggml (dequantize_row_q5_1,
 * quantize_row_q5_1_ref).
 */
#include <float.h>
#include <stdint.h>
#include <string.h>

#include "kutil.h"
#include "quant.h"

void
lc_dequant_q5_1(const void *vx, float *y, int64_t n)
{
	const lc_block_q5_1 *x = vx;
	int64_t i, nb = n / LC_QK5_1;
	uint32_t qh;
	float d, m;
	int j, q0, q1;

	for (i = 0; i < nb; i++, y += LC_QK5_1) {
		d = lc_f16_to_f32(x[i].d);
		m = lc_f16_to_f32(x[i].m);
		memcpy(&qh, x[i].qh, sizeof(qh));
		for (j = 0; j < 16; j++) {
			q0 = (x[i].qs[j] & 0xf) | ((qh >> j) & 1) << 4;
			q1 = (x[i].qs[j] >> 4) | ((qh >> (j + 16)) & 1) << 4;
			y[j] = q0 * d + m;
			y[j + 16] = q1 * d + m;
		}
	}
}

/*
 * d = (max - min)/31, m = min; q = trunc((x - min)/d + 0.5).  ggml does
 * not clamp here: q is at most 31 because (x - min) <= (max - min).
 */
void
lc_quant_q5_1(const float *x, void *vy, int64_t n)
{
	lc_block_q5_1 *y = vy;
	int64_t i, nb = n / LC_QK5_1;
	float min, max, d, id;
	uint32_t qh;
	int j, q0, q1;

	for (i = 0; i < nb; i++, x += LC_QK5_1) {
		min = FLT_MAX;
		max = -FLT_MAX;
		for (j = 0; j < LC_QK5_1; j++) {
			if (x[j] < min)
				min = x[j];
			if (x[j] > max)
				max = x[j];
		}
		d = (max - min) / 31;
		id = d ? 1.0f / d : 0.0f;
		y[i].d = lc_f32_to_f16(d);
		y[i].m = lc_f32_to_f16(min);
		qh = 0;
		for (j = 0; j < 16; j++) {
			q0 = (uint8_t)(int)((x[j] - min) * id + 0.5f);
			q1 = (uint8_t)(int)((x[j + 16] - min) * id + 0.5f);
			y[i].qs[j] = (uint8_t)((q0 & 0xf) | (q1 & 0xf) << 4);
			qh |= (uint32_t)((q0 >> 4) & 1) << j;
			qh |= (uint32_t)((q1 >> 4) & 1) << (j + 16);
		}
		memcpy(y[i].qh, &qh, sizeof(qh));
	}
}
