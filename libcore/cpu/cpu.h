/*
 * cpu.h - the CPU kernels the forward pass calls: quantize an activation
 * row to a weight type's vec_dot_type, then matrix-vector (decode) and
 * matrix-matrix (prompt batch) products of a quantized weight matrix
 * with those rows.
 *
 * Kernels come from one trait table indexed by dtype, filled once from
 * cpuid (lc_cpu_init): the scalar reference (libcore/quant/dot.c) is
 * overlaid with the SIMD kernels of every level the CPU has, up to the
 * one chosen.  The environment variable LLM_CPU=scalar|avx2|avx512
 * forces a level (tests, benchmarks).  Kernels never fail: callers
 * check dtypes (lc_cpu_supports) and shapes once, up front.
 *
 * A weight matrix is nrows rows of ncols elements, row r starting at
 * (const char *)w + r * row_bytes; ncols is a multiple of the block
 * size.  Every output element is computed by one dot-product call with
 * a fixed operation order, so results do not depend on how callers
 * split rows between threads.
 */
#ifndef LC_CPU_H
#define LC_CPU_H

#include <stdint.h>

#include "../status.h"

enum {
	LC_CPU_SCALAR = 0,	/* the reference C in libcore/quant/dot.c */
	LC_CPU_LEVEL_AVX2 = 1,	/* AVX2 + FMA + F16C */
	LC_CPU_LEVEL_AVX512 = 2,/* AVX-512 F/BW/DQ/VL + VNNI */
	LC_CPU_NLEVELS
};

/*
 * Fills the kernel table with the best level this CPU has, or the one
 * LLM_CPU names.  Returns LC_OK; LC_EINVAL if LLM_CPU is not a level
 * name, LC_EUNSUP if this CPU lacks it (the best level is used then).
 * Call before starting threads that use the kernels; the other
 * functions call it (once, with e == NULL) if nobody has.
 */
int		 lc_cpu_init(lc_err *e);

/*
 * Switches to level (LC_CPU_SCALAR ...).  Returns LC_OK, or LC_EUNSUP
 * (table unchanged) if this CPU lacks it.  Not thread-safe: for tests
 * and benchmarks, between runs.
 */
int		 lc_cpu_set_level(int level, lc_err *e);
int		 lc_cpu_level(void);			/* the level in use */
int		 lc_cpu_has_level(int level);		/* 1 if this CPU can */
const char	*lc_cpu_level_name(int level);	/* "scalar", "avx2", "avx512" */

/* 1 if weight type wtype has a dot product (matvec/matmul work), else 0. */
int		 lc_cpu_supports(uint32_t wtype);

/* The activation type for weights of type wtype (its vec_dot_type). */
uint32_t	 lc_cpu_act_type(uint32_t wtype);

/* Bytes of one activation row of n elements quantized for wtype. */
int64_t		 lc_cpu_act_bytes(uint32_t wtype, int64_t n);

/*
 * xq = x[0..n) converted to wtype's vec_dot_type (Q8_0, Q8_1, Q8_K,
 * F16, BF16 or F32); xq holds lc_cpu_act_bytes(wtype, n) bytes.
 * Bit-identical to the reference quantizer at every level.
 */
void		 lc_cpu_quant_act(uint32_t wtype, const float *x, void *xq,
		    int64_t n);

/*
 * y[r] = dot(row r of w, xq) for r in [r0, r1).  y is indexed by the
 * absolute row (y has at least r1 elements).
 */
void		 lc_cpu_matvec(uint32_t wtype, const void *w, int64_t row_bytes,
		    int64_t ncols, const void *xq, float *y, int64_t r0,
		    int64_t r1);

/*
 * For each of nx activation rows j (row j at (const char *)xq +
 * j * xq_stride bytes) and each weight row r in [r0, r1):
 * y[j * ldy + r] = dot(row r of w, row j of xq).  Walks the weights in
 * tiles of rows and applies each tile to all nx rows before the next,
 * so each weight byte is read from memory once per call.
 */
void		 lc_cpu_matmul(uint32_t wtype, const void *w, int64_t row_bytes,
		    int64_t ncols, const void *xq, int64_t xq_stride,
		    int64_t nx, float *y, int64_t ldy, int64_t r0, int64_t r1);

/*
 * Attention over a KV cache of type f32 or f16: dot(k[0..n), q) and
 * y[0..n) += a * v[0..n), q and y in f32.  Sets *dot and *axpy and
 * returns 1 for those types, else returns 0 (convert rows to f32).
 */
typedef float	(*lc_kv_dot_fn)(int n, const void *k, const float *q);
typedef void	(*lc_kv_axpy_fn)(int n, float a, const void *v, float *y);
int		 lc_cpu_kv_kernels(uint32_t type, lc_kv_dot_fn *dot,
		    lc_kv_axpy_fn *axpy);

/* Rows [*r0, *r1) of nrows for thread ith of nth: contiguous, balanced. */
void		 lc_cpu_split(int64_t nrows, int ith, int nth, int64_t *r0,
		    int64_t *r1);

#endif /* LC_CPU_H */
