/*
 * arch/bert.c - embedding passes: the BERT encoder (all-MiniLM-L6-v2 and
 * other BertModel checkpoints, as llama.cpp's build_bert lays them out)
 * and the llama family's body run for embeddings (Qwen3-Embedding).
 * Both run whole sequences without the KV cache and stop at the hidden
 * states; pooling is libcore/embed.c's.
 *
 * BERT, post-norm blocks with biases everywhere and exact (erf) GELU:
 *
 *   x = LN(token_embd[ids] + token_types[0] + position_embd[pos])
 *   per layer:  q, k, v = Wq x + bq, Wk x + bk, Wv x + bv
 *               x = LN(x + Wo attn(q, k, v) + bo) * attn_output_norm
 *               x = LN(x + Wdown gelu(Wup x + bup) + bdown)
 *                   * layer_output_norm
 *   hidden = x
 *
 * where LN has a weight and a bias and attention sees the whole sequence
 * (bert.attention.causal false).  Every text is one segment: token type
 * 0, as sentence-transformers encodes single texts.
 */
#include <stdlib.h>
#include <string.h>

#include "../model_impl.h"

typedef struct bert_layer {
	lc_tensor	 wq, bq, wk, bk, wv, bv, wo, bo;
	lc_tensor	 attn_norm, attn_norm_b;	/* attn_output_norm */
	lc_tensor	 up, bup, down, bdown;
	lc_tensor	 out_norm, out_norm_b;		/* layer_output_norm */
} bert_layer;

typedef struct bert_w {
	lc_tensor	 pos_embd;	/* [n_embd, positions] */
	lc_tensor	 type_embd;	/* [n_embd, token types]; absent: none */
	lc_tensor	 embd_norm, embd_norm_b;
	int32_t		*zeros;		/* n_batch token types, all 0 */
	bert_layer	*L;		/* n_layer */
} bert_w;

static int
bert_bind(lc_model *m, lc_err *e)
{
	const lc_hparams *hp = &m->hp;
	int64_t E = hp->n_embd, F = hp->n_ff, V = hp->n_vocab;
	int64_t Q = (int64_t)hp->n_head * hp->head_dim_k;
	lc_tensor_info ti;
	bert_w *w;
	uint32_t il;
	int rc;

	if (hp->n_head_kv != hp->n_head)
		return lc_errf(e, LC_EFORMAT, "%s: bert with %u KV heads for "
		    "%u heads", lc_gguf_name(m->g), hp->n_head_kv, hp->n_head);
	if ((m->arch_mem = calloc(1, sizeof(*w) + hp->n_layer *
	    sizeof(bert_layer) + m->n_batch * sizeof(int32_t))) == NULL)
		return lc_errf(e, LC_ENOMEM, "%s: bert layers",
		    lc_gguf_name(m->g));
	w = m->arch_mem;
	w->L = (bert_layer *)(w + 1);
	w->zeros = (int32_t *)(w->L + hp->n_layer);
#define B(t, name, il, n0, n1, o) \
	if ((rc = lc_model_bind(m, t, name, il, n0, n1, o, e)) != LC_OK) \
		return rc
	B(&m->tok_embd, "token_embd.weight", 0, E, V, 0);
	if (lc_gguf_find_tensor(m->g, "position_embd.weight", &ti) != LC_OK)
		return lc_errf(e, LC_EFORMAT, "%s: tensor 'position_embd."
		    "weight' missing", lc_gguf_name(m->g));
	if (ti.ne[1] < m->n_ctx || ti.ne[1] > LC_MAX_CTX)
		return lc_errf(e, LC_EFORMAT, "%s: tensor 'position_embd."
		    "weight' has %llu positions for a context of %u",
		    lc_gguf_name(m->g), (unsigned long long)ti.ne[1], m->n_ctx);
	B(&w->pos_embd, "position_embd.weight", 0, E, (int64_t)ti.ne[1], 0);
	if (lc_gguf_find_tensor(m->g, "token_types.weight", &ti) == LC_OK) {
		if (ti.ne[1] < 1 || ti.ne[1] > 1024)
			return lc_errf(e, LC_EFORMAT, "%s: tensor 'token_types."
			    "weight' has %llu types", lc_gguf_name(m->g),
			    (unsigned long long)ti.ne[1]);
		B(&w->type_embd, "token_types.weight", 0, E,
		    (int64_t)ti.ne[1], 0);
	}
	B(&w->embd_norm, "token_embd_norm.weight", 0, E, 1, 0);
	B(&w->embd_norm_b, "token_embd_norm.bias", 0, E, 1, 0);
	for (il = 0; il < hp->n_layer; il++) {
		bert_layer *L = &w->L[il];
		int i = (int)il;
		B(&L->wq, "blk.%d.attn_q.weight", i, E, Q, 0);
		B(&L->bq, "blk.%d.attn_q.bias", i, Q, 1, 0);
		B(&L->wk, "blk.%d.attn_k.weight", i, E, Q, 0);
		B(&L->bk, "blk.%d.attn_k.bias", i, Q, 1, 0);
		B(&L->wv, "blk.%d.attn_v.weight", i, E, Q, 0);
		B(&L->bv, "blk.%d.attn_v.bias", i, Q, 1, 0);
		B(&L->wo, "blk.%d.attn_output.weight", i, Q, E, 0);
		B(&L->bo, "blk.%d.attn_output.bias", i, E, 1, 0);
		B(&L->attn_norm, "blk.%d.attn_output_norm.weight", i, E, 1, 0);
		B(&L->attn_norm_b, "blk.%d.attn_output_norm.bias", i, E, 1, 0);
		B(&L->up, "blk.%d.ffn_up.weight", i, E, F, 0);
		B(&L->bup, "blk.%d.ffn_up.bias", i, F, 1, 0);
		B(&L->down, "blk.%d.ffn_down.weight", i, F, E, 0);
		B(&L->bdown, "blk.%d.ffn_down.bias", i, E, 1, 0);
		B(&L->out_norm, "blk.%d.layer_output_norm.weight", i, E, 1, 0);
		B(&L->out_norm_b, "blk.%d.layer_output_norm.bias", i, E, 1, 0);
	}
#undef B
	return LC_OK;
}

static const lc_tensor *
bert_hidden(lc_model *m, const int32_t *ids, const int32_t *pos,
    const int32_t *seq, int n)
{
	const lc_backend_ops *op = m->b->ops;
	const lc_hparams *hp = &m->hp;
	const float eps = (float)hp->norm_eps;
	bert_w *w = m->arch_mem;
	lc_backend *b = m->b;
	lc_scratch *s = &m->s;
	lc_tensor x = lc_cols(&s->x, n), h = lc_cols(&s->h, n);
	lc_tensor q = lc_cols(&s->q, n), k = lc_cols(&s->k, n);
	lc_tensor v = lc_cols(&s->v, n), att = lc_cols(&s->att, n);
	lc_tensor o = lc_cols(&s->o, n), u = lc_cols(&s->u, n);
	lc_tensor f = lc_cols(&s->f, n);
	lc_attn_args a = {
		.n_head = (int)hp->n_head, .n_head_kv = (int)hp->n_head_kv,
		.head_dim = (int)hp->head_dim_k, .scale = m->kq_scale,
		.seq = seq, .non_causal = !hp->causal,
	};
	uint32_t il;

	/* in HF's order: words + token types, then + positions */
	op->get_rows(b, &m->tok_embd, ids, 1.0f, &x);
	if (w->type_embd.data != NULL) {
		op->get_rows(b, &w->type_embd, w->zeros, 1.0f, &h);
		op->add(b, &x, &h, &x);
	}
	op->get_rows(b, &w->pos_embd, pos, 1.0f, &h);
	op->add(b, &x, &h, &x);
	op->norm(b, LC_NORM_LAYER, &x, &w->embd_norm, &w->embd_norm_b, eps,
	    &x);
	for (il = 0; il < hp->n_layer; il++) {
		const bert_layer *L = &w->L[il];

		op->matmul(b, &L->wq, &x, &L->bq, &q);
		op->matmul(b, &L->wk, &x, &L->bk, &k);
		op->matmul(b, &L->wv, &x, &L->bv, &v);
		a.layer = (int)il;
		op->attention(b, &a, &q, &k, &v, pos, &att);
		op->matmul(b, &L->wo, &att, &L->bo, &o);
		op->add(b, &x, &o, &x);
		op->norm(b, LC_NORM_LAYER, &x, &L->attn_norm, &L->attn_norm_b,
		    eps, &x);
		op->matmul(b, &L->up, &x, &L->bup, &u);
		op->act(b, LC_ACT_GELU_ERF, &u, NULL, &u);
		op->matmul(b, &L->down, &u, &L->bdown, &f);
		op->add(b, &x, &f, &x);
		op->norm(b, LC_NORM_LAYER, &x, &L->out_norm, &L->out_norm_b,
		    eps, &x);
	}
	return &s->x;
}

const lc_arch lc_arch_bert = {
	.name = "bert", .bind = bert_bind, .hidden = bert_hidden,
};
