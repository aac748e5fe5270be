/*
 * vec.h - the per-ISA kernel tables (internal to libcore/cpu).
 *
 * Each vec_<isa>.c, compiled with its own -m flags, defines one table
 * indexed by dtype with designated initialisers; entries it leaves
 * NULL fall back to the level below.  Every kernel has the signature
 * and the result of its reference in libcore/quant (exactly, or within
 * the NMSE bound named in tests/kernels/k_cpu.c where the float
 * summation order differs).  The functions are only called after
 * dispatch (cpu.c) has checked cpuid.
 */
#ifndef LC_VEC_H
#define LC_VEC_H

#include <stdint.h>

#include "../dtype.h"
#include "../quant/dot.h"

typedef struct lc_vec_kernels {
	/* weight type: *s = dot(w, x) with x in its vec_dot_type */
	lc_vec_dot_fn	 vec_dot;
	/* activation type: y = x[0..n) quantized (the reference's bytes) */
	void		(*from_float)(const float *x, void *y, int64_t n);
	/* KV-cache type (f32, f16): dot(k[0..n), q) with q in f32, and
	   y[0..n) += a * v[0..n); rounding differs from the reference */
	float		(*kv_dot)(int n, const void *k, const float *q);
	void		(*kv_axpy)(int n, float a, const void *v, float *y);
	/*
	 * weight type, prompt GEMM: y[c * ldy] = dot(w, column c) for the
	 * 8 activation rows at x, xs bytes apart, each bit-identical to
	 * vec_dot's; dx[b * ldd + c] (and sx, for q8_1 activations) hold
	 * column c's block scales as floats.  The weight block is decoded
	 * once for the 8 columns and their sums share vector lanes.
	 */
	void		(*gemm8)(int n, const void *w, const void *x,
			    int64_t xs, const float *dx, const float *sx,
			    int64_t ldd, float *y, int64_t ldy);
} lc_vec_kernels;

extern const lc_vec_kernels	lc_vec_avx2[LC_DTYPE_COUNT];
extern const lc_vec_kernels	lc_vec_avx512[LC_DTYPE_COUNT];

#endif /* LC_VEC_H */
