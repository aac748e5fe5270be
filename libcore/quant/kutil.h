/*
 * kutil.h - helpers shared by the reference quantizers (internal to
 * libcore/quant).  Each one reproduces the arithmetic of its ggml
 * counterpart in ggml-quants.c operation for operation, because the
 * quantized bytes must match ggml's bit for bit.
 */
#ifndef LC_KUTIL_H
#define LC_KUTIL_H

#include <stdint.h>

/*
 * Bit-identity with ggml assumes each float operation is rounded on
 * its own: no fused multiply-add.  gcc -std=c11 already contracts
 * nothing; clang contracts within an expression unless told not to.
 */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* Groups whose largest |x| is below this are stored as all zero. */
#define LC_GROUP_MAX_EPS	1e-15f

/*
 * Round to nearest, ties to even, for |f| <= 4194303 (ggml nearest_int:
 * adds 1.5 * 2^23 and reads the low mantissa bits).
 */
int	lc_nearest_int(float f);

/*
 * Symmetric quantization of x[0..n) to L[i] in 0..2*nmax-1 (stored with
 * +nmax bias) with the scale search of ggml make_qx_quants, weights
 * chosen by rmse_type (1: x^2, 2: 1, 3: |x|, other: sqrt|x|; a negative
 * rmse_type returns after the first fit).  Returns the scale.
 */
float	lc_make_qx_quants(int n, int nmax, const float *x, int8_t *L,
	    int rmse_type);

/*
 * Q3_K's symmetric quantizer (ggml make_q3_quants): L[i] in 0..2*nmax-1;
 * with do_rmse, refines L by coordinate descent on x^2-weighted error.
 * Returns the scale.
 */
float	lc_make_q3_quants(int n, int nmax, const float *x, int8_t *L,
	    int do_rmse);

/*
 * Asymmetric quantization x ~ scale * L - min with L in 0..nmax,
 * weighted error, grid search over nstep+1 candidate scales from
 * (nmax + rmin) to (nmax + rmin + nstep * rdelta) (ggml
 * make_qkx2_quants).  use_mad: absolute instead of squared error.
 * Laux is scratch of n bytes.  Stores min (>= 0) in *the_min and
 * returns the scale.
 */
float	lc_make_qkx2_quants(int n, int nmax, const float *x,
	    const float *weights, uint8_t *L, float *the_min, uint8_t *Laux,
	    float rmin, float rdelta, int nstep, int use_mad);

/* Unpacks 6-bit scale and min j (0..7) of a Q4_K/Q5_K scales[12]. */
/*
 * The same searches for LC_QLANES groups of 1 <= n <= 32 values side by
 * side (x: group j at x + n*j; L likewise), bit-identical to calling
 * the scalar ones per group; qx only for rmse_type 1.
 */
#define LC_QLANES	4

void	lc_make_qkx2_quants8(int n, int nmax, const float *x,
	    const float *weights, uint8_t *L, float *scales, float *the_min,
	    float rmin, float rdelta, int nstep, int use_mad);

void	lc_make_qx_quants8(int n, int nmax, const float *x, int8_t *L,
	    float *scales);

void	lc_get_scale_min_k4(int j, const uint8_t *q, uint8_t *sc, uint8_t *m);

/*
 * The scale fit shared by Q4_K (nmax 15, rmin -1, nstep 20) and Q5_K
 * (nmax 31, rmin -0.5, nstep 15): fits the 8 groups of 32 in x[0..256)
 * with lc_make_qkx2_quants, stores the f16 *dp and *dminp, the packed
 * 6-bit scales and mins (sc12), and leaves quants 0..nmax in L[256]
 * (ggml quantize_row_q4_K_ref / q5_K_ref before bit packing).
 */
void	lc_quant_k4_scales(const float *x, int nmax, float rmin, int nstep,
	    uint16_t *dp, uint16_t *dminp, uint8_t *sc12, uint8_t *L);

#endif /* LC_KUTIL_H */
