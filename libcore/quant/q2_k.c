/*
 * q2_k.c - Q2_K: 256 values in 16 groups of 16, 2-bit quants, each
 * group with a 4-bit scale and 4-bit min under f16 super-scales.
 * Bit-identical to ggml (dequantize_row_q2_K, quantize_row_q2_K_ref).
 */
#include <math.h>
#include <stdint.h>

#include "kutil.h"
#include "quant.h"

void
lc_dequant_q2_k(const void *vx, float *y, int64_t n)
{
	const lc_block_q2_k *x = vx;
	int64_t i, nb = n / LC_QK_K;
	const uint8_t *q;
	float d, dmin, dl, ml;
	int h, s, g, l, sc;

	for (i = 0; i < nb; i++) {
		d = lc_f16_to_f32(x[i].d);
		dmin = lc_f16_to_f32(x[i].dmin);
		/* half h, bits 2s..2s+1: groups 8h+2s, 8h+2s+1 (q[0..31]) */
		for (h = 0; h < 2; h++) {
			q = x[i].qs + 32 * h;
			for (s = 0; s < 4; s++) {
				for (g = 0; g < 2; g++) {
					sc = x[i].scales[8 * h + 2 * s + g];
					dl = d * (sc & 0xf);
					ml = dmin * (sc >> 4);
					for (l = 0; l < 16; l++)
						*y++ = dl * ((q[16 * g + l] >>
						    (2 * s)) & 3) - ml;
				}
			}
		}
	}
}

void
lc_quant_q2_k(const float *x, void *vy, int64_t n)
{
	lc_block_q2_k *y = vy;
	int64_t i, nb = n / LC_QK_K;
	uint8_t L[LC_QK_K];
	float weights[LC_QK_K], mins[16], scales[16];
	float max_scale, max_min, iscale, d, dm;
	int j, l, k;

	for (i = 0; i < nb; i++, x += LC_QK_K) {
		/* fit each group of 16: x ~ scale * L - min, L in 0..3 */
		for (l = 0; l < LC_QK_K; l++)
			weights[l] = fabsf(x[l]);
		for (j = 0; j < 16; j += LC_QLANES)
			lc_make_qkx2_quants8(16, 3, x + 16 * j, weights + 16 * j,
			    L + 16 * j, scales + j, mins + j, -0.5f, 0.1f, 15, 1);
		max_scale = max_min = 0;
		for (j = 0; j < 16; j++) {
			if (scales[j] > max_scale)
				max_scale = scales[j];
			if (mins[j] > max_min)
				max_min = mins[j];
		}

		/* quantize scales and mins to 4 bits */
		if (max_scale > 0) {
			iscale = 15.f / max_scale;
			for (j = 0; j < 16; j++)
				y[i].scales[j] = (uint8_t)lc_nearest_int(
				    iscale * scales[j]);
			y[i].d = lc_f32_to_f16(max_scale / 15.f);
		} else {
			for (j = 0; j < 16; j++)
				y[i].scales[j] = 0;
			y[i].d = lc_f32_to_f16(0.f);
		}
		if (max_min > 0) {
			iscale = 15.f / max_min;
			for (j = 0; j < 16; j++) {
				l = lc_nearest_int(iscale * mins[j]);
				y[i].scales[j] |= (uint8_t)(l << 4);
			}
			y[i].dmin = lc_f32_to_f16(max_min / 15.f);
		} else {
			y[i].dmin = lc_f32_to_f16(0.f);
		}

		/* requantize against the rounded scales */
		for (j = 0; j < 16; j++) {
			d = lc_f16_to_f32(y[i].d) * (y[i].scales[j] & 0xf);
			if (!d)
				continue;
			dm = lc_f16_to_f32(y[i].dmin) * (y[i].scales[j] >> 4);
			for (k = 0; k < 16; k++) {
				l = lc_nearest_int((x[16 * j + k] + dm) / d);
				L[16 * j + k] = (uint8_t)(l < 0 ? 0 :
				    l > 3 ? 3 : l);
			}
		}

		for (j = 0; j < LC_QK_K; j += 128)
			for (l = 0; l < 32; l++)
				y[i].qs[j / 4 + l] = (uint8_t)(L[j + l] |
				    L[j + l + 32] << 2 | L[j + l + 64] << 4 |
				    L[j + l + 96] << 6);
	}
}
