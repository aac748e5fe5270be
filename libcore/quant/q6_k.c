/*
 * q6_k.c - Q6_K: 256 values in 16 groups of 16, 6-bit signed quants
 * (4 bits in ql, 2 in qh), int8 group scales, one f16 scale.
 * Bit-identical to ggml (dequantize_row_q6_K, quantize_row_q6_K_ref).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kutil.h"
#include "quant.h"

void
lc_dequant_q6_k(const void *vx, float *y, int64_t n)
{
	const lc_block_q6_k *x = vx;
	int64_t i, nb = n / LC_QK_K;
	const uint8_t *ql, *qh;
	const int8_t *sc;
	float d;
	int h, l, g, q1, q2, q3, q4;

	for (i = 0; i < nb; i++) {
		d = lc_f16_to_f32(x[i].d);
		for (h = 0; h < 2; h++, y += 128) {
			ql = x[i].ql + 64 * h;
			qh = x[i].qh + 32 * h;
			sc = x[i].scales + 8 * h;
			for (l = 0; l < 32; l++) {
				g = l / 16;
				q1 = ((ql[l] & 0xf) | (qh[l] & 3) << 4) - 32;
				q2 = ((ql[l + 32] & 0xf) |
				    ((qh[l] >> 2) & 3) << 4) - 32;
				q3 = ((ql[l] >> 4) |
				    ((qh[l] >> 4) & 3) << 4) - 32;
				q4 = ((ql[l + 32] >> 4) |
				    ((qh[l] >> 6) & 3) << 4) - 32;
				y[l] = d * sc[g] * q1;
				y[l + 32] = d * sc[g + 2] * q2;
				y[l + 64] = d * sc[g + 4] * q3;
				y[l + 96] = d * sc[g + 6] * q4;
			}
		}
	}
}

void
lc_quant_q6_k(const float *x, void *vy, int64_t n)
{
	lc_block_q6_k *y = vy;
	int64_t i, nb = n / LC_QK_K;
	int8_t L[LC_QK_K];
	float scales[16], max_scale, max_abs_scale, iscale, d;
	uint8_t *ql, *qh;
	int j, l, k, h, a, b, c, e;

	for (i = 0; i < nb; i++, x += LC_QK_K) {
		for (j = 0; j < 16; j += LC_QLANES)
			lc_make_qx_quants8(16, 32, x + 16 * j, L + 16 * j,
			    scales + j);
		max_scale = max_abs_scale = 0;
		for (j = 0; j < 16; j++) {
			if (fabsf(scales[j]) > max_abs_scale) {
				max_abs_scale = fabsf(scales[j]);
				max_scale = scales[j];
			}
		}
		if (max_abs_scale < LC_GROUP_MAX_EPS) {
			memset(&y[i], 0, sizeof(y[i]));
			continue;
		}

		/* int8 group scales relative to d = -max_scale/128 */
		iscale = -128.f / max_scale;
		y[i].d = lc_f32_to_f16(1 / iscale);
		for (j = 0; j < 16; j++) {
			l = lc_nearest_int(iscale * scales[j]);
			y[i].scales[j] = (int8_t)(l < 127 ? l : 127);
		}

		/* requantize against the rounded scales */
		for (j = 0; j < 16; j++) {
			d = lc_f16_to_f32(y[i].d) * y[i].scales[j];
			if (!d)
				continue;
			for (k = 0; k < 16; k++) {
				l = lc_nearest_int(x[16 * j + k] / d);
				l = l < -32 ? -32 : l > 31 ? 31 : l;
				L[16 * j + k] = (int8_t)(l + 32);
			}
		}

		for (h = 0; h < 2; h++) {
			ql = y[i].ql + 64 * h;
			qh = y[i].qh + 32 * h;
			for (l = 0; l < 32; l++) {
				a = L[128 * h + l];
				b = L[128 * h + l + 32];
				c = L[128 * h + l + 64];
				e = L[128 * h + l + 96];
				ql[l] = (uint8_t)((a & 0xf) | (c & 0xf) << 4);
				ql[l + 32] = (uint8_t)((b & 0xf) |
				    (e & 0xf) << 4);
				qh[l] = (uint8_t)(a >> 4 | (b >> 4) << 2 |
				    (c >> 4) << 4 | (e >> 4) << 6);
			}
		}
	}
}
