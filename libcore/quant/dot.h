/*
 * dot.h - scalar reference dot products of a weight row with an
 * activation row, bit-compatible with ggml's generic C
 * (ggml-cpu/quants.c ggml_vec_dot_*_generic, ggml-cpu/vec.cpp scalar
 * ggml_vec_dot_f32/f16/bf16).  These are the oracle for the SIMD
 * kernels in libcore/cpu: obviously correct, never fast.
 *
 * The activation row is in the weight type's vec_dot_type (llama.cpp's
 * type_traits_cpu): quantize it with lc_dtype(vec_dot_type)->from_float.
 * n is the row length in elements, a multiple of the weight block size.
 * Nothing here fails; the caller checks shapes.
 */
#ifndef LC_DOT_H
#define LC_DOT_H

#include <stdint.h>

/* *s = dot of n elements of weight row w and activation row x. */
typedef void	(*lc_vec_dot_fn)(int n, float *s, const void *w,
		    const void *x);

typedef struct lc_dot_traits {
	uint32_t	 vec_dot_type;	/* enum lc_dtype of the activation */
	lc_vec_dot_fn	 vec_dot;	/* scalar reference */
} lc_dot_traits;

/*
 * Returns the dot traits of weight type t, or NULL if t has no dot
 * product (unknown ids, activation-only types such as Q8_1/Q8_K, the
 * IQ1/IQ2/IQ3 families, TQ*, MXFP4).
 */
const lc_dot_traits	*lc_dot(uint32_t t);

/* f32, f16 and bf16 products, accumulated in double (ggml_float). */
void	lc_dot_f32(int n, float *s, const void *w, const void *x);
void	lc_dot_f16(int n, float *s, const void *w, const void *x);
void	lc_dot_bf16(int n, float *s, const void *w, const void *x);

/* Integer sum per block, then one float fold per block (ggml order). */
void	lc_dot_q4_0_q8_0(int n, float *s, const void *w, const void *x);
void	lc_dot_q4_1_q8_1(int n, float *s, const void *w, const void *x);
void	lc_dot_q5_0_q8_0(int n, float *s, const void *w, const void *x);
void	lc_dot_q5_1_q8_1(int n, float *s, const void *w, const void *x);
void	lc_dot_q8_0_q8_0(int n, float *s, const void *w, const void *x);
void	lc_dot_iq4_nl_q8_0(int n, float *s, const void *w, const void *x);

/* K-quants: ggml's 8 per-lane float sums (lane = element index mod 8). */
void	lc_dot_q2_k_q8_k(int n, float *s, const void *w, const void *x);
void	lc_dot_q3_k_q8_k(int n, float *s, const void *w, const void *x);
void	lc_dot_q4_k_q8_k(int n, float *s, const void *w, const void *x);
void	lc_dot_q5_k_q8_k(int n, float *s, const void *w, const void *x);
void	lc_dot_q6_k_q8_k(int n, float *s, const void *w, const void *x);
void	lc_dot_iq4_xs_q8_k(int n, float *s, const void *w, const void *x);

#endif /* LC_DOT_H */
