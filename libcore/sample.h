/*
 * sample.h - choosing the next token from logits: greedy, or penalties
 * then top-k, top-p, min-p, temperature and a draw from a seeded
 * generator (llama.cpp's default order).  The same seed and the same
 * logits give the same tokens on any machine and with any thread count.
 */
#ifndef LC_SAMPLE_H
#define LC_SAMPLE_H

#include <stdint.h>

#include "status.h"

typedef struct lc_sample_params {
	float		temp;		/* <= 0: greedy */
	int		top_k;		/* <= 0: off */
	float		top_p;		/* >= 1: off */
	float		min_p;		/* <= 0: off */
	float		repeat_penalty;	/* 1: off */
	float		presence_penalty, frequency_penalty;	/* 0: off */
	int		penalty_last_n;	/* tokens of history the penalties see */
	uint64_t	seed;
} lc_sample_params;

/* temp 0.8, top_k 40, top_p 0.95, min_p 0.05, no penalties, last 64 */
extern const lc_sample_params lc_sample_defaults;

typedef struct lc_sampler lc_sampler;	/* opaque */

int	lc_sampler_new(lc_sampler **out, const lc_sample_params *p,
	    uint32_t n_vocab, lc_err *e);
void	lc_sampler_free(lc_sampler *s);		/* NULL is a no-op */
/* Records a token of the prompt or of the answer, for the penalties. */
void	lc_sampler_accept(lc_sampler *s, int32_t id);
/* Forgets the history (a new conversation); the generator goes on. */
void	lc_sampler_reset(lc_sampler *s);
/* The next token for n_vocab logits (not modified). */
int32_t	lc_sampler_sample(lc_sampler *s, const float *logits);

#endif /* LC_SAMPLE_H */
