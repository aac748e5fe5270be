/*
 * t_dtype.c - the trait table against ggml's type ids, names and block
 * sizes (ggml.c type_traits, checked with ggml 0.25.3), name lookup and
 * the overflow-checked tensor size.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../libcore/dtype.h"
#include "check.h"

static const struct {
	uint32_t	 id;
	const char	*name;
	uint32_t	 blck, bytes;
	int		 is_quant, computes;	/* computes: to_float set */
} want[] = {
	{ 0, "f32", 1, 4, 0, 1 },	{ 1, "f16", 1, 2, 0, 1 },
	{ 2, "q4_0", 32, 18, 1, 1 },	{ 3, "q4_1", 32, 20, 1, 1 },
	{ 6, "q5_0", 32, 22, 1, 1 },	{ 7, "q5_1", 32, 24, 1, 1 },
	{ 8, "q8_0", 32, 34, 1, 1 },	{ 9, "q8_1", 32, 36, 1, 1 },
	{ 10, "q2_k", 256, 84, 1, 1 },	{ 11, "q3_k", 256, 110, 1, 1 },
	{ 12, "q4_k", 256, 144, 1, 1 },	{ 13, "q5_k", 256, 176, 1, 1 },
	{ 14, "q6_k", 256, 210, 1, 1 },	{ 15, "q8_k", 256, 292, 1, 1 },
	{ 16, "iq2_xxs", 256, 66, 1, 0 }, { 17, "iq2_xs", 256, 74, 1, 0 },
	{ 18, "iq3_xxs", 256, 98, 1, 0 }, { 19, "iq1_s", 256, 50, 1, 0 },
	{ 20, "iq4_nl", 32, 18, 1, 1 },	{ 21, "iq3_s", 256, 110, 1, 0 },
	{ 22, "iq2_s", 256, 82, 1, 0 },	{ 23, "iq4_xs", 256, 136, 1, 1 },
	{ 24, "i8", 1, 1, 0, 0 },	{ 25, "i16", 1, 2, 0, 0 },
	{ 26, "i32", 1, 4, 0, 0 },	{ 27, "i64", 1, 8, 0, 0 },
	{ 28, "f64", 1, 8, 0, 0 },	{ 29, "iq1_m", 256, 56, 1, 0 },
	{ 30, "bf16", 1, 2, 0, 1 },	{ 34, "tq1_0", 256, 54, 1, 0 },
	{ 35, "tq2_0", 256, 66, 1, 0 },	{ 39, "mxfp4", 32, 17, 1, 0 },
};
#define NWANT	(sizeof(want) / sizeof(want[0]))

static void
test_table(void)
{
	const lc_dtype_traits *tr;
	size_t i;

	for (i = 0; i < NWANT; i++) {
		tr = lc_dtype(want[i].id);
		CHECK(tr != NULL, "id %u (%s) unknown", want[i].id,
		    want[i].name);
		if (tr == NULL)
			continue;
		CHECK(strcmp(tr->name, want[i].name) == 0,
		    "id %u: name %s, want %s", want[i].id, tr->name,
		    want[i].name);
		CHECK(tr->blck == want[i].blck && tr->bytes == want[i].bytes,
		    "%s: block %u x %u bytes, want %u x %u", want[i].name,
		    tr->blck, tr->bytes, want[i].blck, want[i].bytes);
		CHECK(tr->is_quant == want[i].is_quant, "%s: is_quant %d",
		    want[i].name, tr->is_quant);
		CHECK((tr->to_float != NULL) == want[i].computes,
		    "%s: to_float %s", want[i].name,
		    tr->to_float ? "set" : "missing");
		CHECK(tr->from_float == NULL || tr->to_float != NULL,
		    "%s: quantizer without dequantizer", want[i].name);
	}
	CHECK(lc_dtype(LC_IQ4_XS)->from_float != NULL,
	    "iq4_xs: no quantizer");
}

static void
test_unknown(void)
{
	static const uint32_t removed[] = { 4, 5, 31, 32, 33, 36, 37, 38 };
	size_t i;
	uint32_t t, known = 0;

	for (i = 0; i < sizeof(removed) / sizeof(removed[0]); i++)
		CHECK(lc_dtype(removed[i]) == NULL, "removed id %u is known",
		    removed[i]);
	for (t = 40; t < 300; t++)
		CHECK(lc_dtype(t) == NULL, "id %u past the table is known", t);
	CHECK(lc_dtype(UINT32_MAX) == NULL, "id UINT32_MAX is known");
	CHECK(lc_dtype(0x80000000u) == NULL, "id 2^31 is known");
	for (t = 0; t < LC_DTYPE_COUNT; t++)
		known += lc_dtype(t) != NULL;
	CHECK(known == NWANT, "%u known ids, want %zu", known, NWANT);
}

static void
test_names(void)
{
	size_t i;

	for (i = 0; i < NWANT; i++)
		CHECK(lc_dtype_from_name(want[i].name) == (int)want[i].id,
		    "name %s -> %d, want %u", want[i].name,
		    lc_dtype_from_name(want[i].name), want[i].id);
	CHECK(lc_dtype_from_name("Q4_K") == LC_Q4_K, "Q4_K not found");
	CHECK(lc_dtype_from_name("BF16") == LC_BF16, "BF16 not found");
	CHECK(lc_dtype_from_name("IQ4_NL") == LC_IQ4_NL, "IQ4_NL not found");
	CHECK(lc_dtype_from_name("q4_0_4_4") == -1, "removed q4_0_4_4 found");
	CHECK(lc_dtype_from_name("q4_2") == -1, "q4_2 found");
	CHECK(lc_dtype_from_name("q4") == -1, "prefix q4 found");
	CHECK(lc_dtype_from_name("q4_k ") == -1, "trailing space accepted");
	CHECK(lc_dtype_from_name("") == -1, "empty name found");
}

static void
test_nbytes(void)
{
	static const struct {
		uint32_t	t;
		uint64_t	ne[4];
		int		ok;
		uint64_t	bytes;
	} c[] = {
		{ LC_F32, { 1, 1, 1, 1 }, 1, 4 },
		{ LC_F32, { 0, 5, 1, 1 }, 1, 0 },
		{ LC_F16, { 576, 49152, 1, 1 }, 1, 576ull * 49152 * 2 },
		{ LC_Q4_0, { 576, 1536, 1, 1 }, 1, 18ull * 18 * 1536 },
		{ LC_Q4_0, { 33, 1, 1, 1 }, 0, 0 },	/* not whole blocks */
		{ LC_Q4_0, { 16, 1, 1, 1 }, 0, 0 },
		{ LC_Q4_K, { 1024, 3072, 1, 1 }, 1, 4ull * 144 * 3072 },
		{ LC_Q4_K, { 576, 1, 1, 1 }, 0, 0 },	/* 576 % 256 != 0 */
		{ LC_Q6_K, { 256, 2, 3, 4 }, 1, 210ull * 24 },
		{ LC_MXFP4, { 64, 1, 1, 1 }, 1, 34 },
		{ LC_IQ2_XXS, { 512, 2, 1, 1 }, 1, 66 * 4 },
		{ LC_F32, { UINT64_MAX / 4 + 1, 1, 1, 1 }, 0, 0 },
		{ LC_F32, { INT64_MAX - 7, 2, 1, 1 }, 0, 0 },
		{ LC_F32, { UINT64_MAX / 4, 1, 1, 1 }, 1,
		    UINT64_MAX / 4 * 4 },
		{ LC_F32, { 1ull << 32, 1ull << 28, 1, 1 }, 1, 1ull << 62 },
		{ LC_F32, { 1ull << 32, 1ull << 30, 1, 1 }, 0, 0 },
		{ LC_F16, { 2, 1ull << 31, 1ull << 31, 2 }, 0, 0 },
		{ LC_Q8_0, { 32, UINT64_MAX, 1, 1 }, 0, 0 },
		{ LC_Q8_0, { 32, 1, 1, UINT64_MAX }, 0, 0 },
		{ LC_Q8_0, { 32, 1, 0, UINT64_MAX }, 1, 0 },
		{ 4, { 32, 1, 1, 1 }, 0, 0 },		/* removed id */
		{ 40, { 32, 1, 1, 1 }, 0, 0 },
	};
	uint64_t out;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		out = 12345;
		rc = lc_dtype_nbytes(c[i].t, c[i].ne, &out);
		if (c[i].ok)
			CHECK(rc == 0 && out == c[i].bytes,
			    "nbytes case %zu: rc %d, %llu bytes, want %llu",
			    i, rc, (unsigned long long)out,
			    (unsigned long long)c[i].bytes);
		else
			CHECK(rc == -1, "nbytes case %zu: rc %d (%llu bytes), "
			    "want -1", i, rc, (unsigned long long)out);
	}
}

int
main(void)
{
	test_table();
	test_unknown();
	test_names();
	test_nbytes();
	return DONE("t_dtype");
}
