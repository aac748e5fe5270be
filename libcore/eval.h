/*
 * eval.h - perplexity and KL-divergence over a token stream, computed
 * as llama.cpp's perplexity tool (tools/perplexity) computes them, so
 * the numbers compare and the saved base log-probabilities interoperate.
 *
 * The tokens are cut into chunks of n_ctx; each chunk is evaluated from
 * an empty cache, its first token replaced by BOS when the tokenizer adds
 * one, and only its second half is scored: the logits at positions
 * n_ctx/2 .. n_ctx-2 predict tokens n_ctx/2+1 .. n_ctx-1, so every chunk
 * gives n_ctx - 1 - n_ctx/2 values.
 *
 * The base file (llama-perplexity --kl-divergence-base), all little-endian:
 *   "_logits_"  u32 n_ctx  i32 n_vocab  i32 n_chunk
 *   i32 tokens[n_chunk * n_ctx]                 (before BOS replacement)
 *   per chunk, per scored position: u16 row[nv], nv = 2*((n_vocab+1)/2)+4:
 *     row[0..1] f32 scale, row[2..3] f32 min_log_prob,
 *     row[4+i]  log p_i = scale * row[4+i] + min_log_prob
 *               (0 for tokens more than 16 below the top logit)
 */
#ifndef LC_EVAL_H
#define LC_EVAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"
#include "status.h"

/* uint16_t entries per scored position in a base file */
#define LC_EVAL_NV(n_vocab)	(2 * (((size_t)(n_vocab) + 1) / 2) + 4)

/* -log softmax(logits)[tok]: llama.cpp's log_softmax (float max, double
   sum of expf). */
double	 lc_eval_nll(const float *logits, int n_vocab, int32_t tok);
/* Packs log softmax(logits) into row[LC_EVAL_NV(n_vocab)] as a base file
   stores it; returns -log p[tok] as llama.cpp computes it there. */
double	 lc_eval_pack(const float *logits, int n_vocab, uint16_t *row,
	    int32_t tok);

/* Running sums of the KL-divergence pass (llama.cpp's
   kl_divergence_result). */
typedef struct lc_kld_acc {
	double	 sum_nll, sum_nll2, sum_nll_base, sum_nll_base2;
	double	 sum_nll_nll_base, sum_kld, sum_kld2;
	double	 sum_p_diff, sum_p_diff2, sum_p_diff4;
	float	 max_p_diff;
	uint64_t n_same_top, count;
} lc_kld_acc;

/* Adds one position: logits of the model, row of the base, the token
   that followed.  *kld and *p_diff receive this position's values. */
void	 lc_kld_add(lc_kld_acc *a, const float *logits, int n_vocab,
	    const uint16_t *row, int32_t tok, float *kld, float *p_diff);

/* llama.cpp's percentile of sorted v[0..n): linear between neighbours. */
float	 lc_eval_percentile(const float *sorted, size_t n, float fraction);

typedef struct lc_eval_opts {
	uint32_t	 n_ctx;		/* chunk length (>= 4); ignored with
					   base_path: the file's */
	int		 n_chunks;	/* at most this many; <= 0: all */
	int32_t		 bos;		/* put first in every chunk; -1: none */
	uint32_t	 piece;		/* scored positions per model call
					   (bounds the logits buffer); 0: 64 */
	const char	*save_path;	/* write a base file (perplexity run) */
	const char	*base_path;	/* KL-divergence against this file;
					   its tokens are the text */
	lc_model	*base_model;	/* or against this model, evaluated
					   on the same chunks */
	void		(*progress)(void *arg, int chunk, int n_chunk,
			    double ppl);
	void		*arg;
} lc_eval_opts;

typedef struct lc_eval_result {
	uint32_t	 n_ctx;
	int		 n_chunk;
	uint64_t	 count;		/* scored positions */
	double		 ppl, ppl_err;	/* exp(mean nll) and its uncertainty */
	int		 has_kld;	/* the fields below are set */
	double		 ppl_base, ppl_base_err;
	double		 ln_ratio, ln_ratio_err;	/* ln(PPL(Q)/PPL(base)) */
	double		 cor;		/* correlation of the two ln ppl */
	double		 kld, kld_err;
	/* KLD: max, 99.9, 99, 95, 90 %, median, 10, 5, 1, 0.1 %, min */
	double		 kld_pct[11];
	double		 dp, dp_err;	/* mean p - p_base of the token */
	double		 dp_rms, dp_rms_err;
	/* delta p: max, 99.9, 99, 95, 90, 75 %, median, 25, 10, 5, 1,
	   0.1 %, min */
	double		 dp_pct[13];
	double		 same_top, same_top_err;	/* fractions, 0..1 */
} lc_eval_result;

/*
 * Perplexity of m over tokens[0..n) (or, with o->base_path, over the
 * base file's tokens: tokens may then be NULL) in chunks of o->n_ctx;
 * m's context must hold a chunk.  With o->save_path, writes the base
 * file of this run; with o->base_path or o->base_model, adds the
 * KL-divergence statistics.  LC_EINVAL when the text is shorter than
 * two chunks (llama.cpp's rule), LC_EFORMAT naming the base file when
 * it is malformed or its vocabulary differs from the model's.
 */
int	 lc_eval_run(lc_model *m, const int32_t *tokens, size_t n,
	    const lc_eval_opts *o, lc_eval_result *r, lc_err *e);

#endif /* LC_EVAL_H */
