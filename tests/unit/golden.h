/*
 * golden.h - helpers shared by the tests that compare logits with
 * goldens (t_model, t_gemma3): JSON number arrays, NMSE, argmax.
 */
#ifndef LC_TEST_GOLDEN_H
#define LC_TEST_GOLDEN_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* The numbers of JSON array a into out (at most max): their count, or
   -1 if there are more. */
static inline int
ints(const cJSON *a, int32_t *out, int max)
{
	const cJSON *x;
	int n = 0;

	cJSON_ArrayForEach(x, a) {
		if (n == max)
			return -1;
		out[n++] = (int32_t)x->valuedouble;
	}
	return n;
}

static inline int
floats(const cJSON *a, float *out, int max)
{
	const cJSON *x;
	int n = 0;

	cJSON_ArrayForEach(x, a) {
		if (n == max)
			return -1;
		out[n++] = (float)x->valuedouble;
	}
	return n;
}

/* NMSE of a against b (n floats), relative to b. */
static inline double
nmse(const float *a, const float *b, size_t n)
{
	double num = 0, den = 0, d;
	size_t i;

	for (i = 0; i < n; i++) {
		d = (double)a[i] - b[i];
		num += d * d;
		den += (double)b[i] * b[i];
	}
	return den > 0 ? num / den : num;
}

/* The index of the first maximum of v[0..n). */
static inline int
argmax(const float *v, int n)
{
	int i, best = 0;

	for (i = 1; i < n; i++)
		if (v[i] > v[best])
			best = i;
	return best;
}

#endif /* LC_TEST_GOLDEN_H */
