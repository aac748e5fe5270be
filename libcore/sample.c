/* sample.c - samplers over a candidate list; xoshiro-style seeded RNG. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sample.h"

const lc_sample_params lc_sample_defaults = {
	.temp = 0.8f, .top_k = 40, .top_p = 0.95f, .min_p = 0.05f,
	.repeat_penalty = 1.0f, .penalty_last_n = 64, .seed = 0,
};

typedef struct cand {
	int32_t	id;
	float	logit, p;
} cand;

struct lc_sampler {
	lc_sample_params p;
	uint32_t	 n_vocab;
	cand		*c;		/* n_vocab candidates */
	int32_t		*hist;		/* ring of the last penalty_last_n ids */
	int		 nhist, hpos;
	uint32_t	*count;		/* per id, within the ring */
	uint64_t	 rng[2];
};

/* splitmix64, to seed the generator from one number */
static uint64_t
splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* xorshift128+: a uniform double in [0, 1) */
static double
uniform(lc_sampler *s)
{
	uint64_t a = s->rng[0], b = s->rng[1];

	s->rng[0] = b;
	a ^= a << 23;
	s->rng[1] = a ^ b ^ (a >> 17) ^ (b >> 26);
	return (double)((s->rng[1] + b) >> 11) * (1.0 / 9007199254740992.0);
}

int
lc_sampler_new(lc_sampler **out, const lc_sample_params *p, uint32_t n_vocab,
    lc_err *e)
{
	lc_sampler *s;
	uint64_t seed = p->seed;

	*out = NULL;
	if (n_vocab == 0 || p->penalty_last_n < 0 || p->penalty_last_n > 1 << 20)
		return lc_errf(e, LC_EINVAL, "sampler: %u tokens, history %d",
		    n_vocab, p->penalty_last_n);
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->c = malloc(n_vocab * sizeof(*s->c))) == NULL ||
	    (s->count = calloc(n_vocab, sizeof(*s->count))) == NULL ||
	    (s->hist = malloc(((size_t)p->penalty_last_n + 1) *
	    sizeof(*s->hist))) == NULL) {
		lc_sampler_free(s);
		return lc_errf(e, LC_ENOMEM, "sampler of %u tokens", n_vocab);
	}
	s->p = *p;
	s->n_vocab = n_vocab;
	s->rng[0] = splitmix(&seed);
	s->rng[1] = splitmix(&seed);
	*out = s;
	return LC_OK;
}

void
lc_sampler_free(lc_sampler *s)
{
	if (s == NULL)
		return;
	free(s->c);
	free(s->count);
	free(s->hist);
	free(s);
}

void
lc_sampler_reset(lc_sampler *s)
{
	memset(s->count, 0, s->n_vocab * sizeof(*s->count));
	s->nhist = s->hpos = 0;
}

void
lc_sampler_accept(lc_sampler *s, int32_t id)
{
	int n = s->p.penalty_last_n;

	if (n == 0 || id < 0 || (uint32_t)id >= s->n_vocab)
		return;
	if (s->nhist == n)
		s->count[s->hist[s->hpos]]--;
	else
		s->nhist++;
	s->hist[s->hpos] = id;
	s->count[id]++;
	s->hpos = (s->hpos + 1) % n;
}

/* descending logit, then ascending id: a total order, so stable */
static int
cmp_cand(const void *a, const void *b)
{
	const cand *x = a, *y = b;

	if (x->logit != y->logit)
		return x->logit < y->logit ? 1 : -1;
	return (x->id > y->id) - (x->id < y->id);
}

/* softmax of c[0..n) (sorted, c[0] the largest) into c[].p */
static void
softmax(cand *c, int n)
{
	double sum = 0;
	int i;

	for (i = 0; i < n; i++) {
		c[i].p = expf(c[i].logit - c[0].logit);
		sum += c[i].p;
	}
	for (i = 0; i < n; i++)
		c[i].p = (float)(c[i].p / sum);
}

int32_t
lc_sampler_sample(lc_sampler *s, const float *logits)
{
	const lc_sample_params *p = &s->p;
	cand *c = s->c;
	int n = (int)s->n_vocab, i, best = 0, keep;
	double r, cum;
	float lg;

	for (i = 0; i < n; i++) {
		lg = logits[i];
		if (s->count[i] > 0) {
			if (p->repeat_penalty != 1.0f)
				lg = lg > 0 ? lg / p->repeat_penalty :
				    lg * p->repeat_penalty;
			lg -= (float)s->count[i] * p->frequency_penalty +
			    p->presence_penalty;
		}
		if (isnan(lg))
			lg = -INFINITY;
		c[i].id = i;
		c[i].logit = lg;
		if (lg > c[best].logit)
			best = i;
	}
	if (p->temp <= 0)
		return c[best].id;
	/* top-k: the k best, in order (a full sort is fine at this size) */
	qsort(c, (size_t)n, sizeof(*c), cmp_cand);
	if (p->top_k > 0 && p->top_k < n)
		n = p->top_k;
	softmax(c, n);
	if (p->top_p < 1.0f) {
		for (cum = 0, keep = 0; keep < n; keep++) {
			cum += c[keep].p;
			if (cum >= p->top_p) {
				keep++;
				break;
			}
		}
		n = keep > 0 ? keep : 1;
	}
	if (p->min_p > 0) {
		for (keep = 1; keep < n && c[keep].p >= p->min_p * c[0].p;
		    keep++)
			;
		n = keep;
	}
	for (i = 0; i < n; i++)
		c[i].logit /= p->temp;
	softmax(c, n);
	r = uniform(s);
	for (cum = 0, i = 0; i < n - 1; i++) {
		cum += c[i].p;
		if (r < cum)
			break;
	}
	return c[i].id;
}
