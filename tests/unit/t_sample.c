/* t_sample - samplers: greedy, truncations, penalties, seeding. */
#include <math.h>
#include <string.h>

#include "../../libcore/sample.h"
#include "check.h"

static lc_sampler *
mk(float temp, int k, float top_p, float min_p, uint64_t seed)
{
	lc_sample_params p = lc_sample_defaults;
	lc_sampler *s;
	lc_err e;

	p.temp = temp;
	p.top_k = k;
	p.top_p = top_p;
	p.min_p = min_p;
	p.seed = seed;
	if (lc_sampler_new(&s, &p, 8, &e) != LC_OK)
		return NULL;
	return s;
}

int
main(void)
{
	float lg[8] = { 1, 3, 2, 3, -1, 0, 0.5f, NAN };
	float two[8] = { 0, logf(2), -INFINITY, -INFINITY, -INFINITY,
	    -INFINITY, -INFINITY, -INFINITY };
	int32_t a[64], b[64];
	lc_sample_params p;
	lc_sampler *s, *t;
	lc_err e;
	int i, n1, counts[8] = { 0 };

	s = mk(0, 0, 1, 0, 1);
	CHECK(lc_sampler_sample(s, lg) == 1, "greedy: first of tied maxima");
	lc_sampler_free(s);
	s = mk(5.0f, 1, 1, 0, 7);
	for (i = 0; i < 100; i++)
		CHECK(lc_sampler_sample(s, lg) == 1, "top_k 1 is greedy");
	lc_sampler_free(s);

	/* the same seed gives the same draws; another seed others */
	s = mk(1.5f, 0, 1, 0, 42);
	t = mk(1.5f, 0, 1, 0, 42);
	for (i = 0; i < 64; i++) {
		a[i] = lc_sampler_sample(s, lg);
		b[i] = lc_sampler_sample(t, lg);
	}
	CHECK(memcmp(a, b, sizeof(a)) == 0, "same seed, same tokens");
	lc_sampler_free(t);
	t = mk(1.5f, 0, 1, 0, 43);
	for (i = 0; i < 64; i++)
		b[i] = lc_sampler_sample(t, lg);
	CHECK(memcmp(a, b, sizeof(a)) != 0, "another seed, other tokens");
	for (i = 0; i < 64; i++)
		CHECK(a[i] != 7, "NaN logit never drawn");
	lc_sampler_free(s);
	lc_sampler_free(t);

	/* p = 1/3, 2/3: frequencies over 30000 deterministic draws */
	s = mk(1.0f, 0, 1, 0, 3);
	for (i = 0; i < 30000; i++)
		counts[lc_sampler_sample(s, two)]++;
	CHECK(fabs(counts[1] / 30000.0 - 2.0 / 3) < 0.01 &&
	    counts[0] + counts[1] == 30000, "distribution %d/%d", counts[0],
	    counts[1]);
	lc_sampler_free(s);

	/* top-p 0.5 keeps only the 2/3 token; min-p 0.6 likewise */
	s = mk(1.0f, 0, 0.5f, 0, 5);
	for (i = 0; i < 200; i++)
		CHECK(lc_sampler_sample(s, two) == 1, "top_p");
	lc_sampler_free(s);
	s = mk(1.0f, 0, 1, 0.6f, 5);
	for (i = 0; i < 200; i++)
		CHECK(lc_sampler_sample(s, two) == 1, "min_p");
	lc_sampler_free(s);

	/* penalties: a repeated token loses to the runner-up */
	p = lc_sample_defaults;
	p.temp = 0;
	p.repeat_penalty = 2.0f;
	p.penalty_last_n = 4;
	lc_sampler_new(&s, &p, 8, &e);
	lc_sampler_accept(s, 1);
	lc_sampler_accept(s, 3);
	CHECK(lc_sampler_sample(s, lg) == 2, "repeat penalty: 3 -> 1.5 < 2");
	for (i = 0; i < 4; i++)
		lc_sampler_accept(s, 0);	/* 1 and 3 leave the window */
	n1 = lc_sampler_sample(s, lg);
	CHECK(n1 == 1, "history window of 4: got %d", n1);
	lc_sampler_reset(s);
	CHECK(lc_sampler_sample(s, lg) == 1, "reset");
	lc_sampler_free(s);
	p.repeat_penalty = 1.0f;
	p.presence_penalty = 0.4f;
	p.frequency_penalty = 0.4f;
	lc_sampler_new(&s, &p, 8, &e);
	lc_sampler_accept(s, 1);
	lc_sampler_accept(s, 3);
	lc_sampler_accept(s, 3);
	CHECK(lc_sampler_sample(s, lg) == 1, "presence+frequency: 3-1.2 < 3-0.8");
	lc_sampler_free(s);
	CHECK(lc_sampler_new(&s, &p, 0, &e) == LC_EINVAL, "empty vocabulary");
	return DONE("t_sample");
}
