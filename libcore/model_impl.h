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
	lc_tensor	 q_norm, k_norm;	/* per head: qwen3, gemma3 */
	lc_tensor	 ffn_norm, gate, up, down;
	lc_tensor	 attn_post_norm, ffn_post_norm;	/* gemma3 */
	/* mixture of experts (qwen3moe): router [n_embd, n_expert] and
	   n_expert views of each expert matrix, into lc_model.exps */
	lc_tensor	 gate_inp;
	lc_tensor	*gate_exps, *up_exps, *down_exps;
} lc_layer;

/* Scratch activations of one forward step: [width, n_batch] f32. */
typedef struct lc_scratch {
	lc_tensor	 x, h, q, k, v, att, o, g, u, f, out, logits;
	/* mixture of experts, allocated by the arch's setup: router
	   logits [n_expert], gathered inputs [n_embd], expert gate, up
	   [n_ff_exp] */
	lc_tensor	 r, xe, ge, ue;
	/* gemma4, allocated by its setup: per-layer inputs [n_embd_pl *
	   n_layer] (token rows, then their projection), the per-layer gate
	   [n_embd_pl], and the K, V of the two layers whose cache the
	   shared layers read (sliding, full) */
	lc_tensor	 pl, plq, plg, kvs[4];
} lc_scratch;

typedef struct lc_arch {
	const char	*name;
	int		 rope_mode;		/* LC_ROPE_NORM or LC_ROPE_NEOX */
	int		 qkv_bias;		/* attn_q/k/v.bias present */
	int		 qk_norm;		/* attn_q_norm/attn_k_norm present */
	int		 post_norm;		/* post_attention_norm and
						   post_ffw_norm present */
	int		 fused;			/* attn_qkv (or attn_q/k/v) and
						   ffn_up holding gate, up
						   (phi3): bound as row views
						   into wq, wk, wv, gate, up */
	int		 moe;			/* ffn_gate_inp and ffn_*_exps
						   instead of ffn_gate/up/down */
	int		 nope_every;		/* every n-th layer (n-1, 2n-1,
						   ...) has no RoPE: smollm3 */
	int		 norm_after;		/* olmo2: no attn_norm/ffn_norm;
						   attn_q/k_norm over the whole
						   projection, post norms */
	/* reads what the architecture needs beyond lc_hparams into m
	   (m->hp, m->g and the RoPE defaults are set); may be NULL */
	int		(*setup)(lc_model *m, lc_err *e);
	/* runs ids[0..n) at pos[]; leaves the logits of the rows in
	   out_rows (n_out of them) in s->logits */
	void		(*forward)(lc_model *m, const int32_t *ids,
			    const int32_t *pos, int n, int n_out);
	/* binds the architecture's tensors instead of the llama-shaped
	   set model.c binds (bert); may be NULL */
	int		(*bind)(lc_model *m, lc_err *e);
	/* embeddings (lc_model_hidden): runs whole sequences, token t of
	   sequence seq[t] at pos[t], without the cache, and returns the
	   tensor whose n columns hold the hidden states; NULL if the
	   architecture has none (the llama family uses lc_llama_hidden) */
	const lc_tensor	*(*hidden)(lc_model *m, const int32_t *ids,
			    const int32_t *pos, const int32_t *seq, int n);
} lc_arch;

struct lc_model {
	lc_gguf		*g;
	lc_backend	*b;
	const lc_arch	*arch;
	lc_hparams	 hp;
	lc_layer	*layers;
	lc_tensor	*exps;		/* MoE: the experts' views, all layers */
	void		*arch_mem;	/* the arch's host memory (one block,
					   freed with the model) */
	lc_tensor	 tok_embd, output_norm, output;
	lc_tensor	 output_b;	/* output.bias [n_vocab] (phi3) or
					   absent */
	uint32_t	 n_ctx, n_batch, kv_dtype;
	int64_t		*kv_cells;	/* per layer: n_ctx, or window + batch */
	int		 n_rot;
	float		 rope_base, rope_scale;	/* global-attention layers */
	float		 rope_base_swa, rope_scale_swa;	/* sliding-window */
	float		 rope_ext_factor;	/* 1 with YaRN, else 0 */
	float		 rope_attn_factor;	/* cos/sin times this */
	float		 rope_n_ctx_orig;	/* YaRN's trained context */
	lc_tensor	 rope_freqs;		/* [n_rot/2] f32 or absent */
	float		 kq_scale;	/* 1/sqrt(head_dim) unless setup says
					   otherwise */
	float		 embd_scale;	/* token embeddings times this */
	float		 res_scale;	/* attention and FFN outputs times
					   this before the residual add */
	float		 logit_scale;	/* logits divided by this */
	float		 softcap;	/* logits c tanh(l / c) if c > 0 */
	uint32_t	 n_kv_shared;	/* the last n layers have no cache of
					   their own (gemma4) */
	lc_scratch	 s;
};

extern const lc_arch lc_arch_llama, lc_arch_qwen2, lc_arch_qwen3;
extern const lc_arch lc_arch_gemma3;
extern const lc_arch lc_arch_phi3, lc_arch_qwen3moe;
extern const lc_arch lc_arch_granite, lc_arch_smollm3, lc_arch_olmo2;
extern const lc_arch lc_arch_gemma4;
extern const lc_arch lc_arch_bert;

/* A view of the first n columns of t. */
static inline lc_tensor
lc_cols(const lc_tensor *t, int n)
{
	lc_tensor v = *t;

	v.ne[1] = n;
	return v;
}

/* A view of t's [ne0 * ne1] f32 data as [ne0', ne1'] (same bytes). */
static inline lc_tensor
lc_reshape(const lc_tensor *t, int64_t ne0, int64_t ne1)
{
	lc_tensor v = *t;

	v.ne[0] = ne0;
	v.ne[1] = ne1;
	v.row_bytes = (size_t)ne0 * sizeof(float);
	return v;
}

/* The last n columns of the first ncol of t (the rows whose logits
   are wanted). */
static inline lc_tensor
lc_last_cols(const lc_tensor *t, int ncol, int n)
{
	lc_tensor v = *t;

	v.data = (char *)t->data + (size_t)(ncol - n) * t->row_bytes;
	v.ne[1] = n;
	return v;
}

/* The RoPE of a layer (sliding-window or not) for n_head heads. */
static inline lc_rope_args
lc_rope_of(const lc_model *m, int swa, int n_head, int head_dim, int mode)
{
	lc_rope_args r = {
		.n_head = n_head, .head_dim = head_dim, .n_rot = m->n_rot,
		.mode = mode, .base = swa ? m->rope_base_swa : m->rope_base,
		.freq_scale = swa ? m->rope_scale_swa : m->rope_scale,
		.ext_factor = swa ? 0.0f : m->rope_ext_factor,
		.attn_factor = m->rope_attn_factor, .beta_fast = 32.0f,
		.beta_slow = 1.0f, .n_ctx_orig = m->rope_n_ctx_orig,
		.freq_factors = swa ? NULL : (const float *)m->rope_freqs.data,
	};

	return r;
}

/* The logits of the last n_out of n columns of s.x, into s.logits:
   RMS norm with output_norm, output (token_embd when tied) with
   output.bias if present, divided by logit_scale. */
void	lc_output_head(lc_model *m, int n, int n_out);

/* The llama-family forward pass (llama, qwen2, qwen3). */
void	lc_llama_forward(lc_model *m, const int32_t *ids, const int32_t *pos,
	    int n, int n_out);

/* The same body for embeddings, as lc_arch.hidden: attention within
   each sequence, the final norm on every token (arch/llama.c). */
const lc_tensor *lc_llama_hidden(lc_model *m, const int32_t *ids,
	    const int32_t *pos, const int32_t *seq, int n);

/* Binds tensor name (printf-style with layer il) of ne0 x ne1 elements
   (ne1 = 1: an f32 vector) as t, as model.c binds its own; optional
   ones that are absent leave t zeroed.  LC_EFORMAT names a missing or
   misshapen tensor. */
int	lc_model_bind(lc_model *m, lc_tensor *t, const char *fmt, int il,
	    int64_t ne0, int64_t ne1, int optional, lc_err *e);

#endif /* LC_MODEL_IMPL_H */
