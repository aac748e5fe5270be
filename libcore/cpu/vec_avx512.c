/*
 * vec_avx512.c - AVX-512 (F/BW/DQ/VL) + VNNI kernels (compiled with
 * -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx512vnni plus the AVX2
 * flags; called only when cpuid has AVX-512).  The integer dot is
 * vpdpbusd on 256-bit vectors, which sums four u8 x s8 products into
 * each int32 lane with no intermediate saturation; entries left NULL
 * (floats, quantizers) use the AVX2 kernels.
 *
 * The level needs VNNI too: cpu.c offers LC_CPU_LEVEL_AVX512 only when
 * sysinfo reports AVX2, AVX-512 and VNNI.
 */
#include "vec.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && \
    defined(__AVX512VL__) && defined(__AVX512VNNI__) && defined(__F16C__)

#define FN(name)	name##_avx512
#define VEC_INT_ONLY

#define MULSUM(u, s)	_mm256_dpbusd_epi32(_mm256_setzero_si256(), (u), (s))
#define SC_PREP(sc)	(sc)
#define MULSUM_SC(u, s, p) _mm256_mullo_epi32(MULSUM((u), (s)), (p))

#include "vec_x86.h"

const lc_vec_kernels lc_vec_avx512[LC_DTYPE_COUNT] = {
	[LC_Q4_0] = { dot_q4_0_q8_0_avx512, NULL,
	    .gemm8 = gemm8_q4_0_q8_0_avx512 },
	[LC_Q4_1] = { dot_q4_1_q8_1_avx512, NULL,
	    .gemm8 = gemm8_q4_1_q8_1_avx512 },
	[LC_Q5_0] = { dot_q5_0_q8_0_avx512, NULL,
	    .gemm8 = gemm8_q5_0_q8_0_avx512 },
	[LC_Q5_1] = { dot_q5_1_q8_1_avx512, NULL,
	    .gemm8 = gemm8_q5_1_q8_1_avx512 },
	[LC_Q8_0] = { dot_q8_0_q8_0_avx512, NULL,
	    .gemm8 = gemm8_q8_0_q8_0_avx512 },
	[LC_IQ4_NL] = { dot_iq4_nl_q8_0_avx512, NULL,
	    .gemm8 = gemm8_iq4_nl_q8_0_avx512 },
	[LC_Q2_K] = { dot_q2_k_q8_k_avx512, NULL },
	[LC_Q3_K] = { dot_q3_k_q8_k_avx512, NULL },
	[LC_Q4_K] = { dot_q4_k_q8_k_avx512, NULL,
	    .gemm8 = gemm8_q4_k_q8_k_avx512 },
	[LC_Q5_K] = { dot_q5_k_q8_k_avx512, NULL },
	[LC_Q6_K] = { dot_q6_k_q8_k_avx512, NULL,
	    .gemm8 = gemm8_q6_k_q8_k_avx512 },
	[LC_IQ4_XS] = { dot_iq4_xs_q8_k_avx512, NULL },
};

#else

const lc_vec_kernels lc_vec_avx512[LC_DTYPE_COUNT];

#endif
