/*
 * vec_avx2.c - AVX2 + FMA + F16C kernels (compiled with -mavx2 -mfma
 * -mf16c; called only when cpuid has them).  The kernels are the
 * template in vec_x86.h with the AVX2 integer product: vpmaddubsw
 * (u8 x s8 pairs to s16) then vpmaddwd.
 */
#include "vec.h"

#if defined(__AVX2__) && defined(__FMA__) && defined(__F16C__)

#define FN(name)	name##_avx2

/* the s16 pair sums of vpmaddubsw never saturate here: u <= 128 with
 * |s| <= 127 (q8_0 abs/sign), or u <= 63 */
#define MULSUM(u, s)	_mm256_madd_epi16(_mm256_maddubs_epi16((u), (s)), \
			    _mm256_set1_epi16(1))
/* int32 lane scale sc (|sc| < 2^15) -> the same scale in both s16 halves */
#define SC_PREP(sc)	_mm256_or_si256(_mm256_and_si256((sc), \
			    _mm256_set1_epi32(0xffff)), _mm256_slli_epi32((sc), 16))
#define MULSUM_SC(u, s, p) _mm256_madd_epi16(_mm256_maddubs_epi16((u), (s)), (p))

#include "vec_x86.h"

const lc_vec_kernels lc_vec_avx2[LC_DTYPE_COUNT] = {
	[LC_F32] = { dot_f32_avx2, NULL, kv_dot_f32_avx2, kv_axpy_f32_avx2 },
	[LC_F16] = { dot_f16_avx2, quant_f16_avx2, kv_dot_f16_avx2,
	    kv_axpy_f16_avx2 },
	[LC_BF16] = { dot_bf16_avx2, NULL },
	[LC_Q4_0] = { dot_q4_0_q8_0_avx2, NULL,
	    .gemm8 = gemm8_q4_0_q8_0_avx2 },
	[LC_Q4_1] = { dot_q4_1_q8_1_avx2, NULL,
	    .gemm8 = gemm8_q4_1_q8_1_avx2 },
	[LC_Q5_0] = { dot_q5_0_q8_0_avx2, NULL,
	    .gemm8 = gemm8_q5_0_q8_0_avx2 },
	[LC_Q5_1] = { dot_q5_1_q8_1_avx2, NULL,
	    .gemm8 = gemm8_q5_1_q8_1_avx2 },
	[LC_Q8_0] = { dot_q8_0_q8_0_avx2, quant_q8_0_avx2,
	    .gemm8 = gemm8_q8_0_q8_0_avx2 },
	[LC_Q8_1] = { NULL, quant_q8_1_avx2 },
	[LC_IQ4_NL] = { dot_iq4_nl_q8_0_avx2, NULL,
	    .gemm8 = gemm8_iq4_nl_q8_0_avx2 },
	[LC_Q2_K] = { dot_q2_k_q8_k_avx2, NULL },
	[LC_Q3_K] = { dot_q3_k_q8_k_avx2, NULL },
	[LC_Q4_K] = { dot_q4_k_q8_k_avx2, NULL,
	    .gemm8 = gemm8_q4_k_q8_k_avx2 },
	[LC_Q5_K] = { dot_q5_k_q8_k_avx2, NULL },
	[LC_Q6_K] = { dot_q6_k_q8_k_avx2, NULL,
	    .gemm8 = gemm8_q6_k_q8_k_avx2 },
	[LC_Q8_K] = { NULL, quant_q8_k_avx2 },
	[LC_IQ4_XS] = { dot_iq4_xs_q8_k_avx2, NULL },
};

#else	/* built without the flags: no kernels, dispatch keeps the reference */

const lc_vec_kernels lc_vec_avx2[LC_DTYPE_COUNT];

#endif
