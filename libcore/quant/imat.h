/*
 * imat.h - quantization with importance weights (llama.cpp's imatrix),
 * bit-identical to ggml's quantize_q4_0 ... quantize_q6_K when given
 * quant_weights.  IQ4_NL's weighted search lives with its unweighted
 * one in quantize.c, IQ4_XS's in iq4.c.
 */
#ifndef LC_IMAT_H
#define LC_IMAT_H

#include <stdint.h>

/* 1 if ggml quantizes type differently given weights (Q4_0, Q4_1,
   Q5_0, Q5_1, Q2_K .. Q6_K), else 0. */
int	lc_imat_uses(uint32_t type);

/*
 * Quantizes the row x[0..n) to y as type (one lc_imat_uses() accepts)
 * with the weights qw[0..n), one per column.  n is a multiple of the
 * type's block size.
 */
void	lc_quant_row_w(uint32_t type, const float *x, void *y, int64_t n,
	    const float *qw);

/* IQ4_XS with weights qw[0..n) (quantize_iq4_xs with quant_weights). */
void	lc_quant_iq4_xs_w(const float *x, void *y, int64_t n,
	    const float *qw);

#endif /* LC_IMAT_H */
