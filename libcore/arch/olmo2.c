/*
 * arch/olmo2.c - OLMo 2.  No norm before attention or the feed-forward:
 * the layer input goes in as it is and the outputs are normalised
 * instead; Q and K get an RMS norm over the whole projection (all heads
 * together) before NeoX RoPE.  As llama.cpp's src/models/olmo2.cpp:
 *
 *   x = token_embd[ids]
 *   per layer:  q = rms(Wq x) * attn_q_norm   [n_head * head_dim]
 *               k = rms(Wk x) * attn_k_norm   [n_head_kv * head_dim]
 *               q, k = rope_neox(q, k);  v = Wv x
 *               x += rms(Wo attn(q, k, v)) * post_attention_norm
 *               x += rms(Wdown(silu(Wgate x) * Wup x)) * post_ffw_norm
 *   logits = Woutput (rms(x) * output_norm)
 */
#include <stdint.h>

#include "../model_impl.h"

static void
olmo2_forward(lc_model *m, const int32_t *ids, const int32_t *pos, int n,
    int n_out)
{
	const lc_backend_ops *op = m->b->ops;
	const lc_hparams *hp = &m->hp;
	const float eps = (float)hp->norm_eps;
	lc_backend *b = m->b;
	lc_scratch *s = &m->s;
	lc_tensor x = lc_cols(&s->x, n), h = lc_cols(&s->h, n);
	lc_tensor q = lc_cols(&s->q, n), k = lc_cols(&s->k, n);
	lc_tensor v = lc_cols(&s->v, n), att = lc_cols(&s->att, n);
	lc_tensor o = lc_cols(&s->o, n), g = lc_cols(&s->g, n);
	lc_tensor u = lc_cols(&s->u, n), f = lc_cols(&s->f, n);
	lc_attn_args a = {
		.n_head = (int)hp->n_head, .n_head_kv = (int)hp->n_head_kv,
		.head_dim = (int)hp->head_dim_k, .scale = m->kq_scale,
	};
	lc_rope_args rq = lc_rope_of(m, 0, a.n_head, a.head_dim, LC_ROPE_NEOX);
	lc_rope_args rk = lc_rope_of(m, 0, a.n_head_kv, a.head_dim,
	    LC_ROPE_NEOX);
	uint32_t il;

	op->get_rows(b, &m->tok_embd, ids, m->embd_scale, &x);
	for (il = 0; il < hp->n_layer; il++) {
		const lc_layer *L = &m->layers[il];

		op->matmul(b, &L->wq, &x, NULL, &q);
		op->matmul(b, &L->wk, &x, NULL, &k);
		op->matmul(b, &L->wv, &x, NULL, &v);
		op->norm(b, LC_NORM_RMS, &q, &L->q_norm, NULL, eps, &q);
		op->norm(b, LC_NORM_RMS, &k, &L->k_norm, NULL, eps, &k);
		op->rope(b, &q, &rq, pos);
		op->rope(b, &k, &rk, pos);
		a.layer = (int)il;
		a.n_swa = hp->swa_layer[il] ? (int)hp->n_swa : 0;
		op->attention(b, &a, &q, &k, &v, pos, &att);
		op->matmul(b, &L->wo, &att, NULL, &o);
		op->norm(b, LC_NORM_RMS, &o, &L->attn_post_norm, NULL, eps, &h);
		op->add(b, &x, &h, &x);
		op->matmul(b, &L->gate, &x, NULL, &g);
		op->matmul(b, &L->up, &x, NULL, &u);
		op->act(b, LC_ACT_SILU_GATE, &g, &u, &g);
		op->matmul(b, &L->down, &g, NULL, &f);
		op->norm(b, LC_NORM_RMS, &f, &L->ffn_post_norm, NULL, eps, &h);
		op->add(b, &x, &h, &x);
	}
	lc_output_head(m, n, n_out);
}

const lc_arch lc_arch_olmo2 = {
	.name = "olmo2", .rope_mode = LC_ROPE_NEOX, .norm_after = 1,
	.forward = olmo2_forward,
};
