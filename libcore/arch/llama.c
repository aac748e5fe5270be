/*
 * arch/llama.c - the llama family: llama (SmolLM2, Llama 3), qwen2
 * (Q/K/V biases, NeoX RoPE) and qwen3 (per-head Q/K RMS norm, NeoX
 * RoPE, head size from key_length).  Pre-norm residual blocks with
 * grouped-query attention and a SwiGLU feed-forward:
 *
 *   x = token_embd[ids]
 *   per layer:  h = rms(x) * attn_norm
 *               q, k, v = Wq h (+bq), Wk h (+bk), Wv h (+bv)
 *               [qwen3: q, k = rms per head * q_norm, k_norm]
 *               q, k = rope(q, k);  x += Wo attn(q, k, v)
 *               h = rms(x) * ffn_norm;  x += Wdown(silu(Wgate h) * Wup h)
 *   logits = Woutput (rms(x) * output_norm)   (token_embd when tied)
 *
 * granite (IBM Granite 3.x) scales that: token embeddings times
 * granite.embedding_scale, attention and FFN outputs times
 * granite.residual_scale before they are added, kq by
 * granite.attention.scale instead of 1/sqrt(head_dim), logits divided
 * by granite.logit_scale.  smollm3 leaves RoPE out of every 4th layer
 * (3, 7, 11, ...: llama.cpp's n_no_rope_layer_step).
 */
#include <stdio.h>

#include "../model_impl.h"

/* {arch}.suffix as a positive float, if present. */
static int
getscale(lc_model *m, const char *suffix, float *out, lc_err *e)
{
	char key[96];
	double v;
	int rc;

	snprintf(key, sizeof(key), "%s.%s", m->hp.arch, suffix);
	if ((rc = lc_gguf_get_f64(m->g, key, &v, e)) == LC_ENOTFOUND)
		return LC_OK;
	if (rc != LC_OK)
		return rc;
	if (v == 0)		/* llama.cpp: 0 means "not set" */
		return LC_OK;
	if (!(v > 0 && v < 1e6))
		return lc_errf(e, LC_EFORMAT, "%s: key '%s': %g out of range",
		    lc_gguf_name(m->g), key, v);
	*out = (float)v;
	return LC_OK;
}

static int
granite_setup(lc_model *m, lc_err *e)
{
	int rc;

	if ((rc = getscale(m, "embedding_scale", &m->embd_scale, e)) != LC_OK ||
	    (rc = getscale(m, "residual_scale", &m->res_scale, e)) != LC_OK ||
	    (rc = getscale(m, "attention.scale", &m->kq_scale, e)) != LC_OK)
		return rc;
	return getscale(m, "logit_scale", &m->logit_scale, e);
}

const lc_arch lc_arch_llama = {
	.name = "llama", .rope_mode = LC_ROPE_NORM, .forward = lc_llama_forward,
};
const lc_arch lc_arch_qwen2 = {
	.name = "qwen2", .rope_mode = LC_ROPE_NEOX, .qkv_bias = 1,
	.forward = lc_llama_forward,
};
const lc_arch lc_arch_qwen3 = {
	.name = "qwen3", .rope_mode = LC_ROPE_NEOX, .qk_norm = 1,
	.forward = lc_llama_forward,
};
const lc_arch lc_arch_granite = {
	.name = "granite", .rope_mode = LC_ROPE_NORM, .setup = granite_setup,
	.forward = lc_llama_forward,
};
const lc_arch lc_arch_smollm3 = {
	.name = "smollm3", .rope_mode = LC_ROPE_NORM, .nope_every = 4,
	.forward = lc_llama_forward,
};

static const lc_tensor *
opt(const lc_tensor *t)
{
	return t->data != NULL ? t : NULL;
}

/*
 * Embeddings and every layer for ids at pos[], leaving the residual
 * stream in s->x.  seq NULL: the cached causal pass; else whole
 * sequences without the cache (seq[t]: token t's sequence), for
 * embeddings.
 */
static void
llama_layers(lc_model *m, const int32_t *ids, const int32_t *pos,
    const int32_t *seq, int n)
{
	const lc_backend_ops *op = m->b->ops;
	const lc_hparams *hp = &m->hp;
	lc_backend *b = m->b;
	lc_scratch *s = &m->s;
	lc_tensor x = lc_cols(&s->x, n), h = lc_cols(&s->h, n);
	lc_tensor q = lc_cols(&s->q, n), k = lc_cols(&s->k, n);
	lc_tensor v = lc_cols(&s->v, n), att = lc_cols(&s->att, n);
	lc_tensor o = lc_cols(&s->o, n), g = lc_cols(&s->g, n);
	lc_tensor u = lc_cols(&s->u, n), f = lc_cols(&s->f, n);
	lc_tensor qh, kh;
	lc_attn_args a = {
		.n_head = (int)hp->n_head, .n_head_kv = (int)hp->n_head_kv,
		.head_dim = (int)hp->head_dim_k, .scale = m->kq_scale,
		.seq = seq, .non_causal = seq != NULL && !hp->causal,
	};
	lc_rope_args rq, rk;
	uint32_t il;

	op->get_rows(b, &m->tok_embd, ids, m->embd_scale, &x);
	for (il = 0; il < hp->n_layer; il++) {
		const lc_layer *L = &m->layers[il];

		op->norm(b, LC_NORM_RMS, &x, &L->attn_norm, NULL,
		    (float)hp->norm_eps, &h);
		op->matmul(b, &L->wq, &h, opt(&L->bq), &q);
		op->matmul(b, &L->wk, &h, opt(&L->bk), &k);
		op->matmul(b, &L->wv, &h, opt(&L->bv), &v);
		if (m->arch->qk_norm) {
			qh = lc_reshape(&q, a.head_dim,
			    (int64_t)n * a.n_head);
			kh = lc_reshape(&k, a.head_dim,
			    (int64_t)n * a.n_head_kv);
			op->norm(b, LC_NORM_RMS, &qh, &L->q_norm, NULL,
			    (float)hp->norm_eps, &qh);
			op->norm(b, LC_NORM_RMS, &kh, &L->k_norm, NULL,
			    (float)hp->norm_eps, &kh);
		}
		rq = lc_rope_of(m, 0, a.n_head, a.head_dim, m->arch->rope_mode);
		rk = lc_rope_of(m, 0, a.n_head_kv, a.head_dim,
		    m->arch->rope_mode);
		if (m->arch->nope_every == 0 ||
		    (il + 1) % (uint32_t)m->arch->nope_every != 0) {
			op->rope(b, &q, &rq, pos);
			op->rope(b, &k, &rk, pos);
		}
		a.layer = (int)il;
		a.n_swa = hp->swa_layer[il] ? (int)hp->n_swa : 0;
		op->attention(b, &a, &q, &k, &v, pos, &att);
		op->matmul(b, &L->wo, &att, NULL, &o);
		if (m->res_scale != 1.0f)
			op->scale_add(b, &x, m->res_scale, &o, &x);
		else
			op->add(b, &x, &o, &x);
		op->norm(b, LC_NORM_RMS, &x, &L->ffn_norm, NULL,
		    (float)hp->norm_eps, &h);
		op->matmul(b, &L->gate, &h, NULL, &g);
		op->matmul(b, &L->up, &h, NULL, &u);
		op->act(b, LC_ACT_SILU_GATE, &g, &u, &g);
		op->matmul(b, &L->down, &g, NULL, &f);
		if (m->res_scale != 1.0f)
			op->scale_add(b, &x, m->res_scale, &f, &x);
		else
			op->add(b, &x, &f, &x);
	}
}

void
lc_output_head(lc_model *m, int n, int n_out)
{
	const lc_backend_ops *op = m->b->ops;
	lc_backend *b = m->b;
	lc_scratch *s = &m->s;
	lc_tensor last, lo;

	/* only the rows whose logits are wanted: the last n_out */
	last = lc_last_cols(&s->x, n, n_out);
	lo = lc_cols(&s->out, n_out);
	op->norm(b, LC_NORM_RMS, &last, &m->output_norm, NULL,
	    (float)m->hp.norm_eps, &lo);
	last = lc_cols(&s->logits, n_out);
	op->matmul(b, m->output.data ? &m->output : &m->tok_embd, &lo,
	    opt(&m->output_b), &last);
	if (m->logit_scale != 1.0f)	/* y = y + (1/s - 1) y */
		op->scale_add(b, &last, 1.0f / m->logit_scale - 1.0f, &last,
		    &last);
}

void
lc_llama_forward(lc_model *m, const int32_t *ids, const int32_t *pos, int n,
    int n_out)
{
	llama_layers(m, ids, pos, NULL, n);
	lc_output_head(m, n, n_out);
}

/* The same body for embeddings: attention within each sequence, the
   final norm on every token; the hidden states are in s->out. */
const lc_tensor *
lc_llama_hidden(lc_model *m, const int32_t *ids, const int32_t *pos,
    const int32_t *seq, int n)
{
	lc_tensor x, out;

	llama_layers(m, ids, pos, seq, n);
	x = lc_cols(&m->s.x, n);
	out = lc_cols(&m->s.out, n);
	m->b->ops->norm(m->b, LC_NORM_RMS, &x, &m->output_norm, NULL,
	    (float)m->hp.norm_eps, &out);
	return &m->s.out;
}
