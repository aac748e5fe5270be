/*
 * q3_k.c - Q3_K: 256 values in 16 groups of 16, 3-bit signed quants
 * (2 bits in qs, 1 in hmask), 6-bit signed group scales, f16 scale.
 * Bit-identical to ggml (dequantize_row_q3_K, quantize_row_q3_K_ref).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kutil.h"
#include "quant.h"

/* Group j's scale, -32..31, from the packed scales[12]. */
static int
q3_k_scale(const uint8_t *s, int j)
{
	int lo, hi;

	lo = j < 8 ? s[j] & 0xf : s[j - 8] >> 4;
	hi = (s[8 + j % 4] >> (2 * (j / 4))) & 3;
	return (lo | hi << 4) - 32;
}

void
lc_dequant_q3_k(const void *vx, float *y, int64_t n)
{
	const lc_block_q3_k *x = vx;
	int64_t i, nb = n / LC_QK_K;
	const uint8_t *q;
	float d, dl;
	int h, s, g, l, e, q3;

	for (i = 0; i < nb; i++) {
		d = lc_f16_to_f32(x[i].d);
		/* element e = 128h + 32s + 16g + l; group e/16 */
		for (h = 0; h < 2; h++) {
			q = x[i].qs + 32 * h;
			for (s = 0; s < 4; s++) {
				for (g = 0; g < 2; g++) {
					dl = d * q3_k_scale(x[i].scales,
					    8 * h + 2 * s + g);
					for (l = 0; l < 16; l++) {
						e = 16 * g + l;
						q3 = (q[e] >> (2 * s)) & 3;
						if (!(x[i].hmask[e] &
						    1 << (4 * h + s)))
							q3 -= 4;
						*y++ = dl * q3;
					}
				}
			}
		}
	}
}

void
lc_quant_q3_k(const float *x, void *vy, int64_t n)
{
	lc_block_q3_k *y = vy;
	int64_t i, nb = n / LC_QK_K;
	int8_t L[LC_QK_K];
	float scales[16], max_scale, amax, iscale, d;
	int j, l, k;

	for (i = 0; i < nb; i++, x += LC_QK_K) {
		max_scale = amax = 0;
		for (j = 0; j < 16; j++) {
			scales[j] = lc_make_q3_quants(16, 4, x + 16 * j,
			    L + 16 * j, 1);
			if (fabsf(scales[j]) > amax) {
				amax = fabsf(scales[j]);
				max_scale = scales[j];
			}
		}

		/* 6-bit group scales relative to d = -max_scale/32 */
		memset(y[i].scales, 0, sizeof(y[i].scales));
		if (max_scale) {
			iscale = -32.f / max_scale;
			for (j = 0; j < 16; j++) {
				l = (int8_t)lc_nearest_int(iscale * scales[j]);
				l = (l < -32 ? -32 : l > 31 ? 31 : l) + 32;
				if (j < 8)
					y[i].scales[j] = (uint8_t)(l & 0xf);
				else
					y[i].scales[j - 8] |=
					    (uint8_t)((l & 0xf) << 4);
				y[i].scales[8 + j % 4] |=
				    (uint8_t)((l >> 4) << (2 * (j / 4)));
			}
			y[i].d = lc_f32_to_f16(1 / iscale);
		} else {
			y[i].d = lc_f32_to_f16(0.f);
		}

		/* requantize against the rounded scales */
		for (j = 0; j < 16; j++) {
			d = lc_f16_to_f32(y[i].d) * q3_k_scale(y[i].scales, j);
			if (!d)
				continue;
			for (k = 0; k < 16; k++) {
				l = lc_nearest_int(x[16 * j + k] / d);
				l = l < -4 ? -4 : l > 3 ? 3 : l;
				L[16 * j + k] = (int8_t)(l + 4);
			}
		}

		/* bit 2 of element j goes to bit j/32 of hmask[j%32] */
		memset(y[i].hmask, 0, sizeof(y[i].hmask));
		for (j = 0; j < LC_QK_K; j++) {
			if (L[j] > 3) {
				y[i].hmask[j % 32] |= (uint8_t)(1 << (j / 32));
				L[j] -= 4;
			}
		}
		for (j = 0; j < LC_QK_K; j += 128)
			for (l = 0; l < 32; l++)
				y[i].qs[j / 4 + l] = (uint8_t)(L[j + l] |
				    L[j + l + 32] << 2 | L[j + l + 64] << 4 |
				    L[j + l + 96] << 6);
	}
}
