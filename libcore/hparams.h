/*
 * hparams.h - a model's hyper-parameters, read from GGUF metadata or a
 * Hugging Face config.json, range-checked before anything is sized by
 * them; and the memory a run of the model needs.
 */
#ifndef LC_HPARAMS_H
#define LC_HPARAMS_H

#include <stdint.h>

#include "gguf.h"
#include "hf.h"
#include "status.h"

#define LC_MAX_LAYERS	1024
#define LC_MAX_CTX	(1u << 24)

typedef struct lc_hparams {
	char		 arch[32];	/* "llama", "gemma3", "bert", ... */
	uint32_t	 n_layer;
	uint32_t	 n_embd;
	uint32_t	 n_ff;		/* largest over the layers */
	uint32_t	 n_head, n_head_kv;
	uint32_t	 head_dim_k, head_dim_v;
	uint32_t	 n_ctx_train;	/* 0: not stated */
	uint32_t	 n_vocab;
	uint32_t	 n_swa;		/* sliding window; 0: none */
	uint8_t		 swa_layer[LC_MAX_LAYERS];	/* 1: layer uses it */
	uint32_t	 n_expert, n_expert_used;
	uint32_t	 n_ff_exp;	/* per expert */
	double		 rope_base;	/* 0: not stated */
	double		 norm_eps;
	int		 causal;	/* 0 for encoders (BERT) */
	uint64_t	 n_params;	/* elements of all tensors */
	uint64_t	 n_params_active;	/* per token, for MoE */
	uint64_t	 weight_bytes;	/* bytes of all tensors */
} lc_hparams;

/* From a GGUF file: {arch}.block_count etc.  e names the key at fault. */
int	lc_hparams_gguf(lc_hparams *hp, const lc_gguf *g, lc_err *e);
/* From config.json (path) and the tensors of a safetensors file. */
int	lc_hparams_hf(lc_hparams *hp, const char *config, const lc_st *st,
	    lc_err *e);

typedef struct lc_memplan {
	uint32_t	 ctx, batch;	/* as asked (batch capped at ctx) */
	uint32_t	 kv_dtype;	/* enum lc_dtype: F16, F32 or Q8_0 */
	uint64_t	 weights;	/* tensor bytes */
	uint64_t	 kv;		/* K and V caches over all layers */
	uint64_t	 scratch;	/* activations of one batch, logits */
	uint64_t	 total;
} lc_memplan;

/*
 * The memory a run at context ctx needs, processing prompts in batches
 * of batch tokens.  The formula is written out in llm-inspect(1).
 * LC_EINVAL for a ctx/batch of 0 or a kv_dtype that cannot hold rows of
 * head_dim elements.
 */
int	lc_memplan_make(lc_memplan *mp, const lc_hparams *hp, uint32_t ctx,
	    uint32_t batch, uint32_t kv_dtype, lc_err *e);

#endif /* LC_HPARAMS_H */
