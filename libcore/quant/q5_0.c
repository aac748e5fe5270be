/*
 * q5_0.c - Q5_0: 32 values as 5-bit signed quants (4 low bits in qs,
 * the fifth in qh) and one f16 scale.  Bit-identical to ggml
 * (dequantize_row_q5_0, quantize_row_q5_0_ref).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kutil.h"
#include "quant.h"

void
lc_dequant_q5_0(const void *vx, float *y, int64_t n)
{
	const lc_block_q5_0 *x = vx;
	int64_t i, nb = n / LC_QK5_0;
	uint32_t qh;
	float d;
	int j, q0, q1;

	for (i = 0; i < nb; i++, y += LC_QK5_0) {
		d = lc_f16_to_f32(x[i].d);
		memcpy(&qh, x[i].qh, sizeof(qh));
		for (j = 0; j < 16; j++) {
			q0 = (x[i].qs[j] & 0xf) | ((qh >> j) & 1) << 4;
			q1 = (x[i].qs[j] >> 4) | ((qh >> (j + 16)) & 1) << 4;
			y[j] = (q0 - 16) * d;
			y[j + 16] = (q1 - 16) * d;
		}
	}
}

/*
 * d = -max/16 where max is the value of largest magnitude;
 * q = trunc(x/d + 16.5), at most 31.
 */
void
lc_quant_q5_0(const float *x, void *vy, int64_t n)
{
	lc_block_q5_0 *y = vy;
	int64_t i, nb = n / LC_QK5_0;
	float amax, max, d, id;
	uint32_t qh;
	int j, q0, q1;

	for (i = 0; i < nb; i++, x += LC_QK5_0) {
		amax = max = 0.0f;
		for (j = 0; j < LC_QK5_0; j++) {
			if (amax < fabsf(x[j])) {
				amax = fabsf(x[j]);
				max = x[j];
			}
		}
		d = max / -16;
		id = d ? 1.0f / d : 0.0f;
		y[i].d = lc_f32_to_f16(d);
		qh = 0;
		for (j = 0; j < 16; j++) {
			q0 = (int)(x[j] * id + 16.5f);
			q1 = (int)(x[j + 16] * id + 16.5f);
			if (q0 > 31)
				q0 = 31;
			if (q1 > 31)
				q1 = 31;
			y[i].qs[j] = (uint8_t)((q0 & 0xf) | (q1 & 0xf) << 4);
			qh |= (uint32_t)(q0 >> 4) << j;
			qh |= (uint32_t)(q1 >> 4) << (j + 16);
		}
		memcpy(y[i].qh, &qh, sizeof(qh));
	}
}
