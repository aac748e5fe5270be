/*
 * t_quant.c - the scalar quantization library against its goldens
 * (tests/golden/quant, made by tests/oracle; run from the repo root):
 *   <t>.blocks -> lc_dequant  == <t>.f32        (gguf-py), bit for bit
 *   input.f32  -> lc_quant    == <t>.ggml_q     (ggml _ref), byte for byte
 *   <t>.ggml_q -> lc_dequant  == <t>.ggml_f32   (ggml to_float)
 * plus f16/bf16 edge cases and a quantize-dequantize NMSE bound per type.
 * A missing golden is a failure, not a skip.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../libcore/dtype.h"
#include "../../libcore/quant/quant.h"
#include "check.h"

#define GOLDEN	"tests/golden/quant"

/*
 * Round-trip bounds: NMSE = sum (x - y)^2 / sum x^2 of quantize then
 * dequantize, over NROWS rows of 256 unit gaussians (fixed seed).
 * Measured values are in the comments; the bounds leave ~25% room.
 */
#define MAX_NMSE_F32	0.0
#define MAX_NMSE_F16	6e-8		/* 4.33e-8 */
#define MAX_NMSE_BF16	3.5e-6		/* 2.73e-6 */
#define MAX_NMSE_Q4_0	9.5e-3		/* 7.71e-3 */
#define MAX_NMSE_Q4_1	7.8e-3		/* 6.24e-3 */
#define MAX_NMSE_Q5_0	2.4e-3		/* 1.91e-3 */
#define MAX_NMSE_Q5_1	1.8e-3		/* 1.45e-3 */
#define MAX_NMSE_Q8_0	3.7e-5		/* 2.97e-5 */
#define MAX_NMSE_Q8_1	3.7e-5		/* 2.97e-5 */
#define MAX_NMSE_Q2_K	1.1e-1		/* 8.91e-2 */
#define MAX_NMSE_Q3_K	2.9e-2		/* 2.33e-2 */
#define MAX_NMSE_Q4_K	6.4e-3		/* 5.15e-3 */
#define MAX_NMSE_Q5_K	1.7e-3		/* 1.33e-3 */
#define MAX_NMSE_Q6_K	4e-4		/* 3.17e-4 */
#define MAX_NMSE_Q8_K	6.7e-5		/* 5.35e-5 */
#define MAX_NMSE_IQ4_NL	7.9e-3		/* 6.28e-3 */
#define MAX_NMSE_IQ4_XS	7.5e-3		/* 5.97e-3 */

#define NROWS	64
#define ROWLEN	256

struct qcase {
	const char	*name;
	uint32_t	 id;
	int		 has_ggml_q;	/* ggml has a reference quantizer */
	double		 max_nmse;
};

static const struct qcase cases[] = {
	{ "f32", LC_F32, 0, MAX_NMSE_F32 },
	{ "f16", LC_F16, 1, MAX_NMSE_F16 },
	{ "bf16", LC_BF16, 1, MAX_NMSE_BF16 },
	{ "q4_0", LC_Q4_0, 1, MAX_NMSE_Q4_0 },
	{ "q4_1", LC_Q4_1, 1, MAX_NMSE_Q4_1 },
	{ "q5_0", LC_Q5_0, 1, MAX_NMSE_Q5_0 },
	{ "q5_1", LC_Q5_1, 1, MAX_NMSE_Q5_1 },
	{ "q8_0", LC_Q8_0, 1, MAX_NMSE_Q8_0 },
	{ "q8_1", LC_Q8_1, 1, MAX_NMSE_Q8_1 },
	{ "q2_k", LC_Q2_K, 1, MAX_NMSE_Q2_K },
	{ "q3_k", LC_Q3_K, 1, MAX_NMSE_Q3_K },
	{ "q4_k", LC_Q4_K, 1, MAX_NMSE_Q4_K },
	{ "q5_k", LC_Q5_K, 1, MAX_NMSE_Q5_K },
	{ "q6_k", LC_Q6_K, 1, MAX_NMSE_Q6_K },
	{ "q8_k", LC_Q8_K, 1, MAX_NMSE_Q8_K },
	{ "iq4_nl", LC_IQ4_NL, 1, MAX_NMSE_IQ4_NL },
	{ "iq4_xs", LC_IQ4_XS, 1, MAX_NMSE_IQ4_XS },
};
#define NCASES	(sizeof(cases) / sizeof(cases[0]))

/* Reads GOLDEN/name.ext into a malloc'd buffer; NULL (and a failure). */
static void *
load(const char *name, const char *ext, size_t *len)
{
	char path[256];
	FILE *fp;
	void *buf = NULL;
	long n = -1;

	snprintf(path, sizeof(path), "%s/%s.%s", GOLDEN, name, ext);
	if ((fp = fopen(path, "rb")) != NULL && fseek(fp, 0, SEEK_END) == 0 &&
	    (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL &&
	    fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (fp != NULL)
		fclose(fp);
	CHECK(buf != NULL, "golden %s: cannot read (run from the repo root)",
	    path);
	*len = buf != NULL ? (size_t)n : 0;
	return buf;
}

static uint32_t
bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static float
from_bits(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

/*
 * Counts the floats of got and want that differ in their bits, except
 * that two NaNs are equal whatever their payloads.  *first = first
 * differing index.
 */
static size_t
fcmp(const float *got, const float *want, size_t n, size_t *first)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++) {
		if (bits(got[i]) == bits(want[i]) ||
		    (isnan(got[i]) && isnan(want[i])))
			continue;
		if (bad++ == 0)
			*first = i;
	}
	return bad;
}

static void
test_dequant_golden(const struct qcase *c)
{
	const lc_dtype_traits *tr = lc_dtype(c->id);
	size_t blen, flen, n, bad, first = 0;
	void *blocks;
	float *want, *got;

	blocks = load(c->name, "blocks", &blen);
	want = load(c->name, "f32", &flen);
	if (blocks == NULL || want == NULL)
		goto out;
	n = blen / tr->bytes * tr->blck;
	CHECK(blen % tr->bytes == 0 && n * sizeof(float) == flen,
	    "%s: golden sizes %zu and %zu disagree", c->name, blen, flen);
	if (n * sizeof(float) != flen)
		goto out;
	got = malloc(flen);
	tr->to_float(blocks, got, (int64_t)n);
	bad = fcmp(got, want, n, &first);
	CHECK(bad == 0, "%s: dequant of %s.blocks: %zu of %zu values differ "
	    "from gguf-py, first [%zu] %08x want %08x", c->name, c->name, bad,
	    n, first, bits(got[first]), bits(want[first]));
	free(got);
out:
	free(blocks);
	free(want);
}

static void
test_quant_golden(const struct qcase *c, const float *x, size_t n)
{
	const lc_dtype_traits *tr = lc_dtype(c->id);
	size_t qlen, flen, i, bad = 0, first = 0;
	uint8_t *want, *got;
	float *wantf, *gotf;

	want = load(c->name, "ggml_q", &qlen);
	wantf = load(c->name, "ggml_f32", &flen);
	if (want == NULL || wantf == NULL)
		goto out;
	CHECK(qlen == n / tr->blck * tr->bytes && flen == n * sizeof(float),
	    "%s: ggml golden sizes %zu, %zu do not fit %zu inputs", c->name,
	    qlen, flen, n);
	if (qlen != n / tr->blck * tr->bytes || flen != n * sizeof(float))
		goto out;

	got = calloc(1, qlen);
	tr->from_float(x, got, (int64_t)n);
	for (i = 0; i < qlen; i++)
		if (got[i] != want[i] && bad++ == 0)
			first = i;
	CHECK(bad == 0, "%s: quant of input.f32: %zu of %zu bytes differ from "
	    "ggml, first at byte %zu (block %zu): %02x want %02x", c->name,
	    bad, qlen, first, first / tr->bytes, got[first], want[first]);

	gotf = malloc(flen);
	tr->to_float(want, gotf, (int64_t)n);
	bad = fcmp(gotf, wantf, n, &first);
	CHECK(bad == 0, "%s: dequant of ggml_q: %zu of %zu values differ "
	    "from ggml, first [%zu] %08x want %08x", c->name, bad, n, first,
	    bits(gotf[first]), bits(wantf[first]));
	free(gotf);
	free(got);
out:
	free(want);
	free(wantf);
}

/* xorshift64* and Box-Muller: a fixed gaussian input for the NMSE test. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static double
uniform01(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return ((rng_state * 0x2545f4914f6cdd1dULL) >> 11) * 0x1p-53;
}

static float
gaussian(void)
{
	double u1 = uniform01(), u2 = uniform01();

	if (u1 < 1e-300)
		u1 = 1e-300;
	return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

static void
test_roundtrip(const struct qcase *c, const float *x, size_t n)
{
	const lc_dtype_traits *tr = lc_dtype(c->id);
	double err = 0, ref = 0, nmse;
	void *q;
	float *y;
	size_t i;

	q = calloc(n / tr->blck, tr->bytes);
	y = malloc(n * sizeof(float));
	tr->from_float(x, q, (int64_t)n);
	tr->to_float(q, y, (int64_t)n);
	for (i = 0; i < n; i++) {
		err += ((double)x[i] - y[i]) * ((double)x[i] - y[i]);
		ref += (double)x[i] * x[i];
	}
	nmse = err / ref;
	if (getenv("T_QUANT_VERBOSE") != NULL)
		printf("nmse %-7s %.3g\n", c->name, nmse);
	CHECK(nmse <= c->max_nmse, "%s: round-trip nmse %.3g > %.3g",
	    c->name, nmse, c->max_nmse);
	free(q);
	free(y);
}

/* ---- f16 / bf16 ---- */

static const struct { uint16_t h; uint32_t f; } f16_exact[] = {
	{ 0x0000, 0x00000000 }, { 0x8000, 0x80000000 },	/* +-0 */
	{ 0x0001, 0x33800000 },			/* least subnormal 2^-24 */
	{ 0x8001, 0xb3800000 },
	{ 0x0002, 0x34000000 }, { 0x0003, 0x34400000 },
	{ 0x0200, 0x38000000 },			/* 2^-15 */
	{ 0x03ff, 0x387fc000 },			/* largest subnormal */
	{ 0x0400, 0x38800000 },			/* least normal 2^-14 */
	{ 0x3c00, 0x3f800000 }, { 0xbc00, 0xbf800000 },	/* +-1 */
	{ 0x3555, 0x3eaaa000 },			/* 0.333 */
	{ 0x7bff, 0x477fe000 }, { 0xfbff, 0xc77fe000 },	/* +-65504 */
	{ 0x7c00, 0x7f800000 }, { 0xfc00, 0xff800000 },	/* +-inf */
	{ 0x7e00, 0x7fc00000 }, { 0xfe00, 0xffc00000 },	/* quiet NaN */
	{ 0x7fff, 0x7fffe000 },
	/* signalling NaNs come back quiet with the payload, like ggml */
	{ 0x7c01, 0x7fc02000 }, { 0xfd55, 0xffeaa000 },
};

/* f32 bits -> f16 bits, round to nearest even */
static const struct { uint32_t f; uint16_t h; } f32_to_f16_cases[] = {
	{ 0x3f800000, 0x3c00 },			/* 1 */
	{ 0x3f801000, 0x3c00 },			/* 1 + 2^-11: tie, even down */
	{ 0x3f803000, 0x3c02 },			/* 1 + 3*2^-11: tie, even up */
	{ 0x3f801001, 0x3c01 },			/* just above the tie */
	{ 0x3f800fff, 0x3c00 },			/* just below */
	{ 0x45001000, 0x6800 },			/* 2049: tie -> 2048 */
	{ 0x45003000, 0x6802 },			/* 2051: tie -> 2052 */
	{ 0x3dcccccd, 0x2e66 },			/* 0.1 */
	{ 0x477fe000, 0x7bff },			/* 65504, max finite */
	{ 0x477fefff, 0x7bff },			/* 65519.99 */
	{ 0x477ff000, 0x7c00 },			/* 65520: tie -> inf */
	{ 0xc77ff000, 0xfc00 },
	{ 0x47800000, 0x7c00 },			/* 65536 */
	{ 0x49742400, 0x7c00 },			/* 1e6 */
	{ 0x7f7fffff, 0x7c00 },			/* FLT_MAX */
	{ 0x7f800000, 0x7c00 }, { 0xff800000, 0xfc00 },	/* inf */
	{ 0x7fc00000, 0x7e00 }, { 0xffc00000, 0xfe00 },	/* NaN */
	{ 0x7f800001, 0x7e00 }, { 0x7fffffff, 0x7e00 },	/* payload dropped */
	{ 0xffbfffff, 0xfe00 },
	{ 0x38800000, 0x0400 },			/* 2^-14 */
	{ 0x387ff000, 0x0400 },			/* 1023.75 units of 2^-24 */
	{ 0x387fe000, 0x0400 },			/* 1023.5: tie -> 1024 */
	{ 0x387fd000, 0x03ff },			/* 1023.25 */
	{ 0x387fc000, 0x03ff },			/* 1023, largest subnormal */
	{ 0x387fa000, 0x03fe },			/* 1022.5: tie -> 1022 */
	{ 0x33800000, 0x0001 },			/* 2^-24 */
	{ 0x33000000, 0x0000 },			/* 2^-25: tie -> 0 */
	{ 0x33000001, 0x0001 },			/* just above */
	{ 0xb3000000, 0x8000 },			/* -2^-25 -> -0 */
	{ 0x33c00000, 0x0002 },			/* 1.5 units: tie -> 2 */
	{ 0x34200000, 0x0002 },			/* 2.5 units: tie -> 2 */
	{ 0x32800000, 0x0000 },			/* 2^-26 */
	{ 0x00000001, 0x0000 },			/* f32 subnormal */
	{ 0x80000000, 0x8000 },			/* -0 */
};

static const struct { uint32_t f; uint16_t h; } f32_to_bf16_cases[] = {
	{ 0x3f800000, 0x3f80 },
	{ 0x3f808000, 0x3f80 },			/* tie, even down */
	{ 0x3f818000, 0x3f82 },			/* tie, even up */
	{ 0x3f808001, 0x3f81 },
	{ 0x7f7fffff, 0x7f80 },			/* FLT_MAX rounds to inf */
	{ 0x7f7f7fff, 0x7f7f },
	{ 0x7f800000, 0x7f80 }, { 0xff800000, 0xff80 },
	{ 0x7f800001, 0x7fc0 },			/* sNaN: quiet bit forced */
	{ 0xff812345, 0xffc1 },
	{ 0x7fc00000, 0x7fc0 },
	{ 0x00000001, 0x0000 },			/* subnormals not flushed */
	{ 0x00008000, 0x0000 },			/* tie -> 0 */
	{ 0x00018000, 0x0002 },			/* tie -> 2 */
	{ 0x00400000, 0x0040 },
	{ 0x80000000, 0x8000 },
};

/*
 * Independent check of rounding: h must be a nearest half to f, and
 * even on a tie.  f is finite and |f| < 65520.
 */
static int
nearest_even_f16(float f, uint16_t h)
{
	double v = lc_f16_to_f32(h), e = fabs((double)f - v), en;
	uint16_t mag = h & 0x7fff;
	int k;

	for (k = -1; k <= 1; k += 2) {
		if ((mag == 0 && k < 0) || (mag == 0x7bff && k > 0))
			continue;
		en = fabs((double)f - lc_f16_to_f32((uint16_t)(h + k)));
		if (en < e || (en == e && (h & 1)))
			return 0;
	}
	return 1;
}

static void
test_f16(void)
{
	uint32_t h, u, bad, first;
	float f;
	size_t i;

	for (i = 0; i < sizeof(f16_exact) / sizeof(f16_exact[0]); i++)
		CHECK(bits(lc_f16_to_f32(f16_exact[i].h)) == f16_exact[i].f,
		    "f16 %04x -> %08x, want %08x", f16_exact[i].h,
		    bits(lc_f16_to_f32(f16_exact[i].h)), f16_exact[i].f);
	for (i = 0; i < sizeof(f32_to_f16_cases) /
	    sizeof(f32_to_f16_cases[0]); i++) {
		f = from_bits(f32_to_f16_cases[i].f);
		CHECK(lc_f32_to_f16(f) == f32_to_f16_cases[i].h,
		    "f32 %08x -> f16 %04x, want %04x", f32_to_f16_cases[i].f,
		    lc_f32_to_f16(f), f32_to_f16_cases[i].h);
	}

	/* every half: exact value, and back again unchanged (NaN: 7e00) */
	bad = 0;
	first = 0;
	for (h = 0; h < 0x10000; h++) {
		f = lc_f16_to_f32((uint16_t)h);
		if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0) {
			if (!isnan(f) || lc_f32_to_f16(f) != ((h & 0x8000) |
			    0x7e00))
				if (bad++ == 0)
					first = h;
		} else if (lc_f32_to_f16(f) != h || (isfinite(f) &&
		    (double)f != ldexp((h & 0x7c00) ? (h & 0x3ff) | 0x400 :
		    (h & 0x3ff), (h & 0x7c00) ? (int)((h >> 10) & 0x1f) - 25 :
		    -24) * ((h & 0x8000) ? -1 : 1))) {
			if (bad++ == 0)
				first = h;
		}
	}
	CHECK(bad == 0, "f16 exhaustive: %u halves wrong, first %04x", bad,
	    first);

	/* a spread of ~1M floats: nearest half, ties to even */
	bad = 0;
	first = 0;
	for (u = 0; u < 0xffffffffu - 4099; u += 4099) {
		f = from_bits(u);
		if (!isfinite(f) || fabsf(f) >= 65520.0f)
			continue;
		if (!nearest_even_f16(f, lc_f32_to_f16(f)) && bad++ == 0)
			first = u;
	}
	CHECK(bad == 0, "f32->f16 rounding: %u floats wrong, first %08x",
	    bad, first);
}

static void
test_bf16(void)
{
	uint32_t h;
	size_t i;
	float f;

	for (i = 0; i < sizeof(f32_to_bf16_cases) /
	    sizeof(f32_to_bf16_cases[0]); i++) {
		f = from_bits(f32_to_bf16_cases[i].f);
		CHECK(lc_f32_to_bf16(f) == f32_to_bf16_cases[i].h,
		    "f32 %08x -> bf16 %04x, want %04x", f32_to_bf16_cases[i].f,
		    lc_f32_to_bf16(f), f32_to_bf16_cases[i].h);
	}
	for (h = 0; h < 0x10000; h++) {
		f = lc_bf16_to_f32((uint16_t)h);
		if (bits(f) != h << 16) {
			CHECK(0, "bf16 %04x -> %08x", h, bits(f));
			break;
		}
		if (!isnan(f) && lc_f32_to_bf16(f) != h) {
			CHECK(0, "bf16 %04x does not round-trip", h);
			break;
		}
	}
}

/* The quantizers on blocks that stress their special cases. */
static void
test_special_blocks(void)
{
	float x[LC_QK_K], y[LC_QK_K];
	union {					/* room for any 256 values */
		float		f[LC_QK_K];
		lc_block_q8_0	q8_0;
		lc_block_q4_0	q4_0;
	} q;
	size_t i, k;
	int j;

	/* all zero: every type dequantizes to exactly +-0 */
	memset(x, 0, sizeof(x));
	for (i = 0; i < NCASES; i++) {
		const lc_dtype_traits *tr = lc_dtype(cases[i].id);

		memset(&q, 0xa5, sizeof(q));
		tr->from_float(x, &q, LC_QK_K);
		tr->to_float(&q, y, LC_QK_K);
		for (k = 0; k < LC_QK_K && y[k] == 0; k++)
			;
		CHECK(k == LC_QK_K, "%s: zeros dequantize to %g at %zu",
		    cases[i].name, y[k], k);
	}

	/* Q8_0: halves round away from zero; amax maps to +-127 */
	for (j = 0; j < 32; j++)
		x[j] = (float)(j - 16) + 0.5f;
	x[31] = 127.0f;
	lc_quant_q8_0(x, &q, 32);
	CHECK(q.q8_0.d == lc_f32_to_f16(1.0f), "q8_0: d %04x for amax 127",
	    q.q8_0.d);
	CHECK(q.q8_0.qs[0] == -16 && q.q8_0.qs[15] == -1 &&
	    q.q8_0.qs[16] == 1 && q.q8_0.qs[31] == 127,
	    "q8_0: ties not rounded away from zero");

	/* Q4_0: the extreme value maps exactly to quant 0 (-8) */
	for (j = 0; j < 32; j++)
		x[j] = (float)j / 32;
	x[5] = -4.0f;
	lc_quant_q4_0(x, &q, 32);
	lc_dequant_q4_0(&q, y, 32);
	CHECK(y[5] == -4.0f && (q.q4_0.qs[5] & 0xf) == 0,
	    "q4_0: extreme value %g -> %g", x[5], y[5]);
}

static void
test_traits(void)
{
	size_t i;

	for (i = 0; i < NCASES; i++) {
		const lc_dtype_traits *tr = lc_dtype(cases[i].id);

		CHECK(tr != NULL && tr->to_float != NULL &&
		    tr->from_float != NULL, "%s: trait table lacks functions",
		    cases[i].name);
	}
	CHECK(lc_dtype(LC_F16)->to_float == lc_dequant_f16 &&
	    lc_dtype(LC_Q4_K)->from_float == lc_quant_q4_k &&
	    lc_dtype(LC_IQ4_XS)->to_float == lc_dequant_iq4_xs,
	    "trait table points at the wrong functions");
}

int
main(void)
{
	float *input, *gauss;
	size_t len, n, i;

	test_traits();
	for (i = 0; i < NCASES; i++)
		if (lc_dtype(cases[i].id) != NULL)
			test_dequant_golden(&cases[i]);

	input = load("input", "f32", &len);
	if (input != NULL) {
		n = len / sizeof(float);
		CHECK(n % LC_QK_K == 0 && n > 0, "input.f32: %zu values", n);
		for (i = 0; i < NCASES && n % LC_QK_K == 0; i++)
			if (cases[i].has_ggml_q && lc_dtype(cases[i].id))
				test_quant_golden(&cases[i], input, n);
	}
	free(input);

	gauss = malloc(NROWS * ROWLEN * sizeof(float));
	for (i = 0; i < NROWS * ROWLEN; i++)
		gauss[i] = gaussian();
	for (i = 0; i < NCASES; i++)
		if (lc_dtype(cases[i].id) != NULL)
			test_roundtrip(&cases[i], gauss, NROWS * ROWLEN);
	free(gauss);

	test_f16();
	test_bf16();
	test_special_blocks();
	return DONE("t_quant");
}
