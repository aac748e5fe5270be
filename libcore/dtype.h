/*
 * dtype.h - the tensor type trait table, indexed by ggml type id.
 *
 * Ids, block sizes and block byte layouts are ggml's (ggml-common.h),
 * so a tensor in a GGUF file can be interpreted by id alone.  Types the
 * reader knows the size of but cannot compute with (the IQ2/IQ3/IQ1
 * families, TQ*, MXFP4) have to_float == NULL.  Removed ids (4, 5,
 * 31-33, 36-38) and ids past the table are unknown: lc_dtype() returns
 * NULL for them.
 */
#ifndef LC_DTYPE_H
#define LC_DTYPE_H

#include <stdint.h>

enum lc_dtype {
	LC_F32 = 0, LC_F16 = 1, LC_Q4_0 = 2, LC_Q4_1 = 3,
	LC_Q5_0 = 6, LC_Q5_1 = 7, LC_Q8_0 = 8, LC_Q8_1 = 9,
	LC_Q2_K = 10, LC_Q3_K = 11, LC_Q4_K = 12, LC_Q5_K = 13,
	LC_Q6_K = 14, LC_Q8_K = 15, LC_IQ2_XXS = 16, LC_IQ2_XS = 17,
	LC_IQ3_XXS = 18, LC_IQ1_S = 19, LC_IQ4_NL = 20, LC_IQ3_S = 21,
	LC_IQ2_S = 22, LC_IQ4_XS = 23, LC_I8 = 24, LC_I16 = 25,
	LC_I32 = 26, LC_I64 = 27, LC_F64 = 28, LC_IQ1_M = 29,
	LC_BF16 = 30, LC_TQ1_0 = 34, LC_TQ2_0 = 35, LC_MXFP4 = 39,
	LC_DTYPE_COUNT = 40
};

#define LC_QK_K 256	/* elements per K-quant super-block */

typedef struct lc_dtype_traits {
	const char	*name;		/* lower-case ggml name: "q4_k" */
	uint32_t	 blck;		/* elements per block */
	uint32_t	 bytes;		/* bytes per block */
	int		 is_quant;	/* block-quantized (not a plain scalar type) */
	/* y[0..n) = dequantized x; n is a multiple of blck.  NULL: none. */
	void		(*to_float)(const void *x, float *y, int64_t n);
	/* ggml's reference quantizer, bit for bit.  NULL: none. */
	void		(*from_float)(const float *x, void *y, int64_t n);
} lc_dtype_traits;

/* Returns the traits of type id t, or NULL if t is unknown or removed. */
const lc_dtype_traits	*lc_dtype(uint32_t t);

/* Returns the id whose name is name (case-insensitive), or -1. */
int			 lc_dtype_from_name(const char *name);

/*
 * Bytes of a tensor of type t with ne[0..3], computed with overflow
 * checks.  Returns 0 and sets *out on success; -1 if t is unknown,
 * ne[0] is not a multiple of the block size, or a product overflows
 * uint64_t.
 */
int			 lc_dtype_nbytes(uint32_t t, const uint64_t ne[4],
			    uint64_t *out);

#endif /* LC_DTYPE_H */
