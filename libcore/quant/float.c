/*
 * float.c - f16 and bf16 scalar conversions and the f32/f16/bf16 rows.
 *
 * Results are bit-identical to ggml-impl.h (ggml_compute_fp16_to_fp32,
 * ggml_compute_fp32_to_fp16, ggml_compute_fp32_to_bf16), including
 * subnormals, infinities and the NaN encodings that ggml produces.
 * Written with integer arithmetic only, so no compiler flag or FPU mode
 * (flush-to-zero, x87) can change them.
 */
#include <stdint.h>
#include <string.h>

#include "quant.h"

static uint32_t
f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static float
bits_f32(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

/*
 * binary16 |s|eeeee|mmmmmmmmmm| to binary32 |s|eeeeeeee|m x 23|.
 * Every half is exactly representable.  A NaN keeps its payload and
 * comes back quiet (bit 22 set), as ggml's float multiply makes it.
 */
float
lc_f16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16;
	uint32_t exp = (h >> 10) & 0x1f;
	uint32_t mant = h & 0x3ff;

	if (exp == 0x1f) {
		if (mant == 0)
			return bits_f32(sign | 0x7f800000);
		return bits_f32(sign | 0x7fc00000 | mant << 13);
	}
	if (exp == 0) {
		/* zero or subnormal: mant * 2^-24, normalised */
		if (mant == 0)
			return bits_f32(sign);
		exp = 1;
		while ((mant & 0x400) == 0) {
			mant <<= 1;
			exp--;
		}
		mant &= 0x3ff;
	}
	/* rebias 15 -> 127 */
	return bits_f32(sign | (exp + 112) << 23 | mant << 13);
}

/*
 * Round to nearest, ties to even.  Values at or above 65520 become
 * infinity; values below 2^-25 become (signed) zero; every NaN becomes
 * the quiet NaN 0x7e00 with the input's sign (ggml drops the payload).
 */
uint16_t
lc_f32_to_f16(float f)
{
	uint32_t w = f32_bits(f);
	uint16_t sign = (uint16_t)((w >> 16) & 0x8000);
	uint32_t a = w & 0x7fffffff;
	int32_t e;
	uint32_t m, h, shift, rest, half;

	if (a > 0x7f800000)
		return sign | 0x7e00;
	if (a >= 0x47800000)		/* >= 65536 or inf */
		return sign | 0x7c00;
	e = (int32_t)(a >> 23) - 127;	/* unbiased exponent */
	m = (a & 0x7fffff) | 0x800000;	/* 24-bit significand */
	if (e >= -14) {
		/* normal: keep 10 of 23 fraction bits, round the other 13 */
		h = (uint32_t)(e + 15) << 10 | (m & 0x7fffff) >> 13;
		rest = m & 0x1fff;
		half = 0x1000;
	} else {
		/* subnormal (or zero): result counts units of 2^-24 */
		if (e < -25 || a == 0)
			return sign;	/* below half the least subnormal */
		shift = (uint32_t)(-e - 1);	/* 14 ... 24 */
		h = m >> shift;
		rest = m & ((1u << shift) - 1);
		half = 1u << (shift - 1);
	}
	/* a carry out of the fraction correctly bumps the exponent */
	if (rest > half || (rest == half && (h & 1)))
		h++;
	return sign | (uint16_t)h;
}

float
lc_bf16_to_f32(uint16_t h)
{
	return bits_f32((uint32_t)h << 16);
}

/*
 * Round to nearest even on the top 16 bits; a NaN keeps its top bits
 * with the quiet bit (bit 6 of the bf16) forced on.  Subnormals are
 * not flushed.
 */
uint16_t
lc_f32_to_bf16(float f)
{
	uint32_t u = f32_bits(f);

	if ((u & 0x7fffffff) > 0x7f800000)
		return (uint16_t)((u >> 16) | 0x40);
	return (uint16_t)((u + 0x7fff + ((u >> 16) & 1)) >> 16);
}

void
lc_dequant_f32(const void *x, float *y, int64_t n)
{
	memcpy(y, x, (size_t)n * sizeof(float));
}

void
lc_quant_f32(const float *x, void *y, int64_t n)
{
	memcpy(y, x, (size_t)n * sizeof(float));
}

void
lc_dequant_f16(const void *x, float *y, int64_t n)
{
	const uint8_t *p = x;
	uint16_t h;
	int64_t i;

	for (i = 0; i < n; i++) {
		memcpy(&h, p + 2 * i, sizeof(h));
		y[i] = lc_f16_to_f32(h);
	}
}

void
lc_quant_f16(const float *x, void *y, int64_t n)
{
	uint8_t *p = y;
	uint16_t h;
	int64_t i;

	for (i = 0; i < n; i++) {
		h = lc_f32_to_f16(x[i]);
		memcpy(p + 2 * i, &h, sizeof(h));
	}
}

void
lc_dequant_bf16(const void *x, float *y, int64_t n)
{
	const uint8_t *p = x;
	uint16_t h;
	int64_t i;

	for (i = 0; i < n; i++) {
		memcpy(&h, p + 2 * i, sizeof(h));
		y[i] = lc_bf16_to_f32(h);
	}
}

void
lc_quant_bf16(const float *x, void *y, int64_t n)
{
	uint8_t *p = y;
	uint16_t h;
	int64_t i;

	for (i = 0; i < n; i++) {
		h = lc_f32_to_bf16(x[i]);
		memcpy(p + 2 * i, &h, sizeof(h));
	}
}
