/*
 * quant.h - scalar reference conversions between f32 and every block
 * format in dtype.h.  Bit-compatible with ggml's reference C
 * (ggml-quants.c: dequantize_row_*, quantize_row_*_ref; ggml-impl.h
 * for f16/bf16).  These are the oracle for SIMD and GPU kernels:
 * obviously correct, never fast.
 *
 * Every function takes n elements, n a multiple of the block size,
 * and never fails.  The caller checks shapes.
 */
#ifndef LC_QUANT_H
#define LC_QUANT_H

#include <stdint.h>

#include "blocks.h"

float		lc_f16_to_f32(uint16_t h);
uint16_t	lc_f32_to_f16(float f);		/* round to nearest even */
float		lc_bf16_to_f32(uint16_t h);
uint16_t	lc_f32_to_bf16(float f);	/* ggml_compute_fp32_to_bf16 */

#define LC_QUANT_DECL(t) \
	void lc_dequant_##t(const void *x, float *y, int64_t n); \
	void lc_quant_##t(const float *x, void *y, int64_t n);

LC_QUANT_DECL(f32)
LC_QUANT_DECL(f16)
LC_QUANT_DECL(bf16)
LC_QUANT_DECL(q4_0)
LC_QUANT_DECL(q4_1)
LC_QUANT_DECL(q5_0)
LC_QUANT_DECL(q5_1)
LC_QUANT_DECL(q8_0)
LC_QUANT_DECL(q8_1)
LC_QUANT_DECL(q2_k)
LC_QUANT_DECL(q3_k)
LC_QUANT_DECL(q4_k)
LC_QUANT_DECL(q5_k)
LC_QUANT_DECL(q6_k)
LC_QUANT_DECL(q8_k)
LC_QUANT_DECL(iq4_nl)

/* IQ4_NL/IQ4_XS levels, ascending, and the index of the one nearest v
   (ggml best_index_int8: ties to the upper) */
extern const int8_t lc_iq4_levels[16];
int	lc_iq4_index(float v);

void	lc_dequant_iq4_xs(const void *x, float *y, int64_t n);
void	lc_quant_iq4_xs(const float *x, void *y, int64_t n);

#endif /* LC_QUANT_H */
