/*
 * q4_k.c - Q4_K: 256 values in 8 groups of 32, 4-bit quants, each
 * group with a 6-bit scale and 6-bit min under f16 super-scales.
 * Bit-identical to ggml (dequantize_row_q4_K, quantize_row_q4_K_ref).
 */
#include <math.h>
#include <stdint.h>

#include "kutil.h"
#include "quant.h"

void
lc_dequant_q4_k(const void *vx, float *y, int64_t n)
{
	const lc_block_q4_k *x = vx;
	int64_t i, nb = n / LC_QK_K;
	const uint8_t *q;
	float d, dmin, d1, m1, d2, m2;
	uint8_t sc, m;
	int p, l;

	for (i = 0; i < nb; i++) {
		d = lc_f16_to_f32(x[i].d);
		dmin = lc_f16_to_f32(x[i].dmin);
		/* 32 bytes of qs per 64 values: low nibbles, then high */
		for (p = 0; p < 4; p++) {
			q = x[i].qs + 32 * p;
			lc_get_scale_min_k4(2 * p, x[i].scales, &sc, &m);
			d1 = d * sc;
			m1 = dmin * m;
			lc_get_scale_min_k4(2 * p + 1, x[i].scales, &sc, &m);
			d2 = d * sc;
			m2 = dmin * m;
			for (l = 0; l < 32; l++)
				*y++ = d1 * (q[l] & 0xf) - m1;
			for (l = 0; l < 32; l++)
				*y++ = d2 * (q[l] >> 4) - m2;
		}
	}
}

void
lc_quant_q4_k(const float *x, void *vy, int64_t n)
{
	lc_block_q4_k *y = vy;
	int64_t i, nb = n / LC_QK_K;
	uint8_t L[LC_QK_K];
	int j, l;

	for (i = 0; i < nb; i++, x += LC_QK_K) {
		lc_quant_k4_scales(x, 15, -1.f, 20, &y[i].d, &y[i].dmin,
		    y[i].scales, L);
		for (j = 0; j < 4; j++)
			for (l = 0; l < 32; l++)
				y[i].qs[32 * j + l] = (uint8_t)(L[64 * j + l] |
				    L[64 * j + 32 + l] << 4);
	}
}
