/*
 * ggml_quant.c - the ggml side of the quantization goldens.  Built only
 * by hand against llama.cpp's ggml-base (see tests/oracle/README);
 * never part of the build or of CI.
 *
 * usage: ggml_quant DIR
 *   1. prints ggml's block size and bytes for every type id;
 *   2. dequantizes DIR/<t>.blocks with ggml and compares the result
 *      with gguf-py's DIR/<t>.f32 bit for bit, printing one line a type;
 *   3. quantizes DIR/input.f32 with ggml's reference quantizer, in one
 *      call over the whole array, to DIR/<t>.ggml_q, and dequantizes
 *      that with ggml to DIR/<t>.ggml_f32.
 * Exits 1 if a file cannot be read or written, else 0 (mismatches are
 * reported, not fatal: the report is the point).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ggml.h"
#include "ggml-quants.h"

struct qtype {
	const char	*name;
	enum ggml_type	 type;
	int		 quant;		/* has a reference quantizer */
};

static const struct qtype types[] = {
	{ "f32", GGML_TYPE_F32, 0 },
	{ "f16", GGML_TYPE_F16, 1 },
	{ "bf16", GGML_TYPE_BF16, 1 },
	{ "q4_0", GGML_TYPE_Q4_0, 1 },
	{ "q4_1", GGML_TYPE_Q4_1, 1 },
	{ "q5_0", GGML_TYPE_Q5_0, 1 },
	{ "q5_1", GGML_TYPE_Q5_1, 1 },
	{ "q8_0", GGML_TYPE_Q8_0, 1 },
	{ "q8_1", GGML_TYPE_Q8_1, 1 },
	{ "q2_k", GGML_TYPE_Q2_K, 1 },
	{ "q3_k", GGML_TYPE_Q3_K, 1 },
	{ "q4_k", GGML_TYPE_Q4_K, 1 },
	{ "q5_k", GGML_TYPE_Q5_K, 1 },
	{ "q6_k", GGML_TYPE_Q6_K, 1 },
	{ "q8_k", GGML_TYPE_Q8_K, 1 },
	{ "iq4_nl", GGML_TYPE_IQ4_NL, 1 },
	{ "iq4_xs", GGML_TYPE_IQ4_XS, 1 },
};

static const char *dir;

static void *
slurp(const char *name, const char *ext, size_t *len)
{
	char path[1024];
	FILE *fp;
	void *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	if ((fp = fopen(path, "rb")) == NULL ||
	    fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0) {
		perror(path);
		exit(1);
	}
	if ((buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		perror(path);
		exit(1);
	}
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static void
spit(const char *name, const char *ext, const void *buf, size_t len)
{
	char path[1024];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	if ((fp = fopen(path, "wb")) == NULL ||
	    fwrite(buf, 1, len, fp) != len || fclose(fp) != 0) {
		perror(path);
		exit(1);
	}
}

/*
 * ggml's to_float, with the types ggml lacks one for in its trait
 * table: F32 (a copy), Q8_1 (y = d * q, as Q8_0) and Q8_K
 * (dequantize_row_q8_K).
 */
static void
to_float(enum ggml_type t, const void *x, float *y, int64_t n)
{
	const block_q8_1 *b;
	int64_t i;
	int j;

	if (t == GGML_TYPE_F32) {
		memcpy(y, x, (size_t)n * sizeof(float));
	} else if (t == GGML_TYPE_Q8_1) {
		b = x;
		for (i = 0; i < n / 32; i++)
			for (j = 0; j < 32; j++)
				y[32 * i + j] = b[i].qs[j] *
				    ggml_fp16_to_fp32(b[i].d);
	} else if (t == GGML_TYPE_Q8_K) {
		dequantize_row_q8_K(x, y, n);
	} else {
		ggml_get_type_traits(t)->to_float(x, y, n);
	}
}

static void
from_float(enum ggml_type t, const float *x, void *y, int64_t n)
{
	if (t == GGML_TYPE_Q8_K)
		quantize_row_q8_K_ref(x, y, n);
	else
		ggml_get_type_traits(t)->from_float_ref(x, y, n);
}

static int
isnan_bits(uint32_t u)
{
	return (u & 0x7fffffff) > 0x7f800000;
}

static void
compare_dequant(const struct qtype *q)
{
	size_t blen, flen, i, nbits = 0, nnan = 0, nval;
	int64_t n, blck = ggml_blck_size(q->type);
	uint32_t *got, *want;
	void *blocks;

	blocks = slurp(q->name, "blocks", &blen);
	want = slurp(q->name, "f32", &flen);
	n = (int64_t)(blen / ggml_type_size(q->type)) * blck;
	nval = flen / 4;
	if ((size_t)n != nval) {
		printf("dequant %-7s size mismatch: %lld vs %zu\n", q->name,
		    (long long)n, nval);
		return;
	}
	got = malloc(nval * 4);
	to_float(q->type, blocks, (float *)got, n);
	for (i = 0; i < nval; i++) {
		if (got[i] == want[i])
			continue;
		if (isnan_bits(got[i]) && isnan_bits(want[i]))
			nnan++;
		else
			nbits++;
		if (nbits + nnan <= 3)
			printf("  %s[%zu]: ggml %08x gguf-py %08x\n",
			    q->name, i, (unsigned)got[i], (unsigned)want[i]);
	}
	printf("dequant %-7s %zu values: %s (%zu differ, %zu more are NaN "
	    "on both sides with other bits)\n", q->name, nval,
	    nbits == 0 && nnan == 0 ? "identical" : nbits == 0 ?
	    "identical up to NaN payloads" : "DIFFERENT", nbits, nnan);
	free(got);
	free(want);
	free(blocks);
}

static void
quantize_input(const struct qtype *q, const float *x, int64_t n)
{
	size_t qlen = (size_t)(n / ggml_blck_size(q->type)) *
	    ggml_type_size(q->type);
	void *qbuf = calloc(1, qlen);
	float *y = malloc((size_t)n * sizeof(float));

	/* calloc: Q8_K leaves bsums of an all-zero block unwritten */
	from_float(q->type, x, qbuf, n);
	to_float(q->type, qbuf, y, n);
	spit(q->name, "ggml_q", qbuf, qlen);
	spit(q->name, "ggml_f32", y, (size_t)n * sizeof(float));
	printf("quant   %-7s %zu bytes\n", q->name, qlen);
	free(qbuf);
	free(y);
}

int
main(int argc, char *argv[])
{
	size_t i, len;
	float *x;
	int t;

	if (argc != 2) {
		fprintf(stderr, "usage: ggml_quant DIR\n");
		return 2;
	}
	dir = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	ggml_quantize_init(GGML_TYPE_IQ4_NL);

	for (t = 0; t < GGML_TYPE_COUNT; t++)
		if (ggml_blck_size((enum ggml_type)t) != 0)
			printf("type %2d %-8s blck %3lld bytes %3zu\n", t,
			    ggml_type_name((enum ggml_type)t),
			    (long long)ggml_blck_size((enum ggml_type)t),
			    ggml_type_size((enum ggml_type)t));

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		compare_dequant(&types[i]);

	x = slurp("input", "f32", &len);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].quant)
			quantize_input(&types[i], x, (int64_t)(len / 4));
	free(x);
	return 0;
}
