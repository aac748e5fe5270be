/*
 * q5_k.c - Q5_K: as Q4_K with a fifth quant bit in qh.  Bit-identical
 * to ggml (dequantize_row_q5_K, quantize_row_q5_K_ref).
 */
#include <stdint.h>
#include <string.h>

#include "kutil.h"
#include "quant.h"

void
lc_dequant_q5_k(const void *vx, float *y, int64_t n)
{
	const lc_block_q5_k *x = vx;
	int64_t i, nb = n / LC_QK_K;
	const uint8_t *ql, *qh;
	float d, dmin, d1, m1, d2, m2;
	uint8_t sc, m;
	int p, l;

	for (i = 0; i < nb; i++) {
		d = lc_f16_to_f32(x[i].d);
		dmin = lc_f16_to_f32(x[i].dmin);
		qh = x[i].qh;
		for (p = 0; p < 4; p++) {
			ql = x[i].qs + 32 * p;
			lc_get_scale_min_k4(2 * p, x[i].scales, &sc, &m);
			d1 = d * sc;
			m1 = dmin * m;
			lc_get_scale_min_k4(2 * p + 1, x[i].scales, &sc, &m);
			d2 = d * sc;
			m2 = dmin * m;
			for (l = 0; l < 32; l++)
				*y++ = d1 * ((ql[l] & 0xf) +
				    ((qh[l] >> (2 * p)) & 1) * 16) - m1;
			for (l = 0; l < 32; l++)
				*y++ = d2 * ((ql[l] >> 4) +
				    ((qh[l] >> (2 * p + 1)) & 1) * 16) - m2;
		}
	}
}

void
lc_quant_q5_k(const float *x, void *vy, int64_t n)
{
	lc_block_q5_k *y = vy;
	int64_t i, nb = n / LC_QK_K;
	uint8_t L[LC_QK_K];
	int p, l, lo, hi;

	for (i = 0; i < nb; i++, x += LC_QK_K) {
		lc_quant_k4_scales(x, 31, -0.5f, 15, &y[i].d, &y[i].dmin,
		    y[i].scales, L);
		memset(y[i].qh, 0, sizeof(y[i].qh));
		for (p = 0; p < 4; p++) {
			for (l = 0; l < 32; l++) {
				lo = L[64 * p + l];
				hi = L[64 * p + 32 + l];
				y[i].qh[l] |= (uint8_t)((lo >> 4) << (2 * p) |
				    (hi >> 4) << (2 * p + 1));
				y[i].qs[32 * p + l] = (uint8_t)((lo & 0xf) |
				    (hi & 0xf) << 4);
			}
		}
	}
}
