/* dtype.c - the trait table: one row per ggml type id. */
#include <stddef.h>
#include <strings.h>

#include "dtype.h"
#include "quant/quant.h"

#define ROW(id, nm, bk, by, q, tf, ff) \
	[id] = { .name = nm, .blck = bk, .bytes = by, .is_quant = q, \
	    .to_float = tf, .from_float = ff }

static const lc_dtype_traits traits[LC_DTYPE_COUNT] = {
	ROW(LC_F32,	"f32",	   1,  4, 0, lc_dequant_f32,  lc_quant_f32),
	ROW(LC_F16,	"f16",	   1,  2, 0, lc_dequant_f16,  lc_quant_f16),
	ROW(LC_BF16,	"bf16",	   1,  2, 0, lc_dequant_bf16, lc_quant_bf16),
	ROW(LC_Q4_0,	"q4_0",	  32, sizeof(lc_block_q4_0), 1, lc_dequant_q4_0, lc_quant_q4_0),
	ROW(LC_Q4_1,	"q4_1",	  32, sizeof(lc_block_q4_1), 1, lc_dequant_q4_1, lc_quant_q4_1),
	ROW(LC_Q5_0,	"q5_0",	  32, sizeof(lc_block_q5_0), 1, lc_dequant_q5_0, lc_quant_q5_0),
	ROW(LC_Q5_1,	"q5_1",	  32, sizeof(lc_block_q5_1), 1, lc_dequant_q5_1, lc_quant_q5_1),
	ROW(LC_Q8_0,	"q8_0",	  32, sizeof(lc_block_q8_0), 1, lc_dequant_q8_0, lc_quant_q8_0),
	ROW(LC_Q8_1,	"q8_1",	  32, sizeof(lc_block_q8_1), 1, lc_dequant_q8_1, lc_quant_q8_1),
	ROW(LC_Q2_K,	"q2_k",	 256, sizeof(lc_block_q2_k), 1, lc_dequant_q2_k, lc_quant_q2_k),
	ROW(LC_Q3_K,	"q3_k",	 256, sizeof(lc_block_q3_k), 1, lc_dequant_q3_k, lc_quant_q3_k),
	ROW(LC_Q4_K,	"q4_k",	 256, sizeof(lc_block_q4_k), 1, lc_dequant_q4_k, lc_quant_q4_k),
	ROW(LC_Q5_K,	"q5_k",	 256, sizeof(lc_block_q5_k), 1, lc_dequant_q5_k, lc_quant_q5_k),
	ROW(LC_Q6_K,	"q6_k",	 256, sizeof(lc_block_q6_k), 1, lc_dequant_q6_k, lc_quant_q6_k),
	ROW(LC_Q8_K,	"q8_k",	 256, sizeof(lc_block_q8_k), 1, lc_dequant_q8_k, lc_quant_q8_k),
	ROW(LC_IQ4_NL,	"iq4_nl", 32, sizeof(lc_block_iq4_nl), 1, lc_dequant_iq4_nl, lc_quant_iq4_nl),
	ROW(LC_IQ4_XS,	"iq4_xs", 256, sizeof(lc_block_iq4_xs), 1, lc_dequant_iq4_xs, lc_quant_iq4_xs),
	/* known sizes, no arithmetic here (ggml-common.h block structs) */
	ROW(LC_IQ2_XXS,	"iq2_xxs", 256, 66, 1, NULL, NULL),
	ROW(LC_IQ2_XS,	"iq2_xs",  256, 74, 1, NULL, NULL),
	ROW(LC_IQ3_XXS,	"iq3_xxs", 256, 98, 1, NULL, NULL),
	ROW(LC_IQ1_S,	"iq1_s",   256, 50, 1, NULL, NULL),
	ROW(LC_IQ3_S,	"iq3_s",   256, 110, 1, NULL, NULL),
	ROW(LC_IQ2_S,	"iq2_s",   256, 82, 1, NULL, NULL),
	ROW(LC_IQ1_M,	"iq1_m",   256, 56, 1, NULL, NULL),
	ROW(LC_TQ1_0,	"tq1_0",   256, 54, 1, NULL, NULL),
	ROW(LC_TQ2_0,	"tq2_0",   256, 66, 1, NULL, NULL),
	ROW(LC_MXFP4,	"mxfp4",    32, 17, 1, NULL, NULL),
	ROW(LC_I8,	"i8",	   1,  1, 0, NULL, NULL),
	ROW(LC_I16,	"i16",	   1,  2, 0, NULL, NULL),
	ROW(LC_I32,	"i32",	   1,  4, 0, NULL, NULL),
	ROW(LC_I64,	"i64",	   1,  8, 0, NULL, NULL),
	ROW(LC_F64,	"f64",	   1,  8, 0, NULL, NULL),
};

const lc_dtype_traits *
lc_dtype(uint32_t t)
{
	if (t >= LC_DTYPE_COUNT || traits[t].blck == 0)
		return NULL;
	return &traits[t];
}

int
lc_dtype_from_name(const char *name)
{
	int t;

	for (t = 0; t < LC_DTYPE_COUNT; t++)
		if (traits[t].blck != 0 && strcasecmp(traits[t].name, name) == 0)
			return t;
	return -1;
}

int
lc_dtype_nbytes(uint32_t t, const uint64_t ne[4], uint64_t *out)
{
	const lc_dtype_traits *tr = lc_dtype(t);
	uint64_t n;
	int i;

	if (tr == NULL || ne[0] % tr->blck != 0)
		return -1;
	n = ne[0] / tr->blck;
	if (__builtin_mul_overflow(n, (uint64_t)tr->bytes, &n))
		return -1;
	for (i = 1; i < 4; i++)
		if (__builtin_mul_overflow(n, ne[i], &n))
			return -1;
	*out = n;
	return 0;
}
