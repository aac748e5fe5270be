/*
 * model_impl.h - the inside of lc_model, shared by model.c and the
 * architectures in libcore/arch/.  Not a public header.
 */
#ifndef LC_MODEL_IMPL_H
#define LC_MODEL_IMPL_H

#include "backend.h"
#include "gguf.h"
#include "hparams.h"
#include "model.h"

typedef struct lc_layer {
	lc_tensor	 attn_norm, wq, wk, wv, wo;
	lc_tensor	 bq, bk, bv;		/* qwen2; dtype 0 and data NULL if absent */
	lc_tensor	 q_norm, k_norm;	/* qwen3 per-head norms */
	lc_tensor	 ffn_norm, gate, up, down;
} lc_layer;

/* Scratch activations of one forward step: [width, n_batch] f32. */
typedef struct lc_scratch {
	lc_tensor	 x, h, q, k, v, att, o, g, u, f, out, logits;
} lc_scratch;

typedef struct lc_arch {
	const char	*name;
	int		 rope_mode;		/* LC_ROPE_NORM or LC_ROPE_NEOX */
	int		 qkv_bias;		/* attn_q/k/v.bias present */
	int		 qk_norm;		/* attn_q_norm/attn_k_norm present */
	/* runs ids[0..n) at pos[]; leaves the logits of the rows in
	   out_rows (n_out of them) in s->logits */
	void		(*forward)(lc_model *m, const int32_t *ids,
			    const int32_t *pos, int n, int n_out);
} lc_arch;

struct lc_model {
	lc_gguf		*g;
	lc_backend	*b;
	const lc_arch	*arch;
	lc_hparams	 hp;
	lc_layer	*layers;
	lc_tensor	 tok_embd, output_norm, output;
	uint32_t	 n_ctx, n_batch, kv_dtype;
	int		 n_rot;
	float		 rope_base, rope_scale;
	lc_scratch	 s;
};

extern const lc_arch lc_arch_llama, lc_arch_qwen2, lc_arch_qwen3;

/* The llama-family forward pass (llama, qwen2, qwen3). */
void	lc_llama_forward(lc_model *m, const int32_t *ids, const int32_t *pos,
	    int n, int n_out);

#endif /* LC_MODEL_IMPL_H */
