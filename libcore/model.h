/*
 * model.h - a loaded model: hyper-parameters, weights bound to a
 * backend, the KV cache, and the forward pass of its architecture.
 *
 * Weights stay in the read-only mapping of the GGUF file (the CPU
 * backend reads them in place).  Every tensor the architecture needs is
 * looked up and its type and shape checked in lc_model_open(), so the
 * forward pass itself cannot fail on a bad file.
 */
#ifndef LC_MODEL_H
#define LC_MODEL_H

#include <stdint.h>

#include "backend.h"
#include "gguf.h"
#include "hparams.h"
#include "status.h"

typedef struct lc_model lc_model;	/* opaque */

typedef struct lc_model_opts {
	uint32_t	 n_ctx;		/* context length (0: trained, capped 4096) */
	uint32_t	 n_batch;	/* tokens per forward step (0: 512) */
	uint32_t	 kv_dtype;	/* LC_F16, LC_F32 or LC_Q8_0; LC_F32 is 0,
					   so a zeroed struct asks for f32 */
} lc_model_opts;

/* "llama, qwen2, qwen3, gemma3": for messages naming what is supported. */
const char	*lc_model_archs(void);

/*
 * Opens the GGUF at path and binds its weights to backend b, which must
 * outlive the model.  o may be NULL: trained context (at most 4096),
 * batches of 512, f16 KV cache.  LC_EUNSUP names an unsupported architecture and
 * lists the supported ones; LC_EFORMAT names a missing or misshapen
 * tensor.
 */
int		 lc_model_open(lc_model **out, const char *path, lc_backend *b,
		    const lc_model_opts *o, lc_err *e);
void		 lc_model_close(lc_model *m);		/* NULL is a no-op */

const lc_hparams *lc_model_hparams(const lc_model *m);
const lc_gguf	*lc_model_gguf(const lc_model *m);
uint32_t	 lc_model_n_ctx(const lc_model *m);

/*
 * Runs n tokens ids[] at positions pos0, pos0+1, ... through the model,
 * storing their keys and values in the cache, in steps of n_batch.
 * logits receives n_vocab floats for the last token, or for every token
 * (n x n_vocab) when all is set; it may be NULL.  LC_EINVAL when the
 * positions pass the context or an id is out of range.
 */
int		 lc_model_eval(lc_model *m, const int32_t *ids, int n,
		    int32_t pos0, int all, float *logits, lc_err *e);
/*
 * Embeddings: runs n_seq whole sequences, stored one after another in
 * ids (len[s] tokens each, positions from 0), without the KV cache,
 * as many sequences per forward step as n_batch tokens hold, and writes
 * the hidden state of every token (n_embd floats each, in the order of
 * ids) to hidden.  Encoders (bert) attend both ways within a sequence,
 * decoders (llama, qwen2, qwen3) causally; a decoder's hidden state is
 * taken after its final norm.  The cache is left as it was.  LC_EUNSUP
 * for an architecture without embeddings (lc_model_has_hidden), LC_EINVAL
 * for a sequence that is empty or longer than the context or n_batch,
 * or an id out of range.
 */
int		 lc_model_hidden(lc_model *m, const int32_t *ids,
		    const int32_t *len, int n_seq, float *hidden, lc_err *e);
/*
 * The same pass, pooled on the backend (its pool op): pooled receives
 * one vector of n_embd floats per sequence, in order: the mean of its
 * tokens' hidden states (LC_POOL_MEAN), the first's (LC_POOL_CLS) or
 * the last's (LC_POOL_LAST).  Only these leave the device.  LC_EINVAL
 * for another pooling, else as lc_model_hidden.
 */
int		 lc_model_pooled(lc_model *m, const int32_t *ids,
		    const int32_t *len, int n_seq, int pooling, float *pooled,
		    lc_err *e);
/* 1 if lc_model_hidden() works for m's architecture, else 0. */
int		 lc_model_has_hidden(const lc_model *m);
/* 1 if lc_model_eval() works (the model has an output head), else 0. */
int		 lc_model_has_logits(const lc_model *m);
uint32_t	 lc_model_n_batch(const lc_model *m);

/* Forgets every cached position. */
void		 lc_model_reset(lc_model *m);
/*
 * 1 if, with positions 0..n_cached-1 evaluated last, evaluation may go
 * on from position n_keep (0 < n_keep <= n_cached), reusing the first
 * n_keep: always so unless a sliding-window layer's ring has given
 * the cells of the window before n_keep to later positions.
 */
int		 lc_model_can_reuse(const lc_model *m, int32_t n_cached,
		    int32_t n_keep);

#endif /* LC_MODEL_H */
