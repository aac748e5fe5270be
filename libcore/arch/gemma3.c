/*
 * arch/gemma3.c - Gemma 3 (text).  Like the llama family, with:
 * embeddings scaled by sqrt(n_embd); RMS norms after attention and
 * after the feed-forward as well as before (the file's norm weights
 * already hold Gemma's 1 + w: the converter adds the 1); per-head RMS
 * norm of Q and K; a GELU(tanh)-gated feed-forward; NeoX RoPE; and
 * interleaved sliding-window layers with their own RoPE base.
 *
 *   x = token_embd[ids] * sqrt(n_embd)
 *   per layer:  h = rms(x) * attn_norm
 *               q, k, v = Wq h, Wk h, Wv h
 *               q, k = rms per head * q_norm, k_norm
 *               q, k = rope_neox(q, k; base, scale of the layer kind)
 *               a = attn(q, k, v; window on local layers)
 *               x += rms(Wo a) * post_attention_norm
 *               h = rms(x) * ffn_norm
 *               x += rms(Wdown(gelu(Wgate h) * Wup h)) * post_ffw_norm
 *   logits = token_embd (rms(x) * output_norm)   (output.weight if present)
 *
 * As llama.cpp (src/models/gemma3.cpp): which layers are local comes
 * from lc_hparams (every 6th global, or the file's pattern); local
 * layers use rope.freq_base_swa (10000 if absent) unscaled, global ones
 * rope.freq_base with the file's linear scaling; the query scale is
 * 1/sqrt(key_length), except for the 62-layer 27B model, which uses
 * 1/sqrt(n_embd/n_head).  A final logit soft-cap is refused (no
 * backend op for tanh; no Gemma 3 release sets one).
 */
#include <math.h>
#include <stdio.h>

#include "../model_impl.h"

static int
gemma3_setup(lc_model *m, lc_err *e)
{
	const lc_hparams *hp = &m->hp;
	char key[96];
	double v;
	int rc;

	snprintf(key, sizeof(key), "%s.rope.freq_base_swa", hp->arch);
	if ((rc = lc_gguf_get_f64(m->g, key, &v, e)) == LC_OK)
		m->rope_base_swa = (float)v;
	else if (rc != LC_ENOTFOUND)
		return rc;
	if (!(m->rope_base_swa > 0))
		return lc_errf(e, LC_EFORMAT, "%s: key '%s': %g is not a "
		    "positive base", lc_gguf_name(m->g), key,
		    (double)m->rope_base_swa);
	snprintf(key, sizeof(key), "%s.final_logit_softcapping", hp->arch);
	if ((rc = lc_gguf_get_f64(m->g, key, &v, e)) == LC_OK && v != 0)
		return lc_errf(e, LC_EUNSUP, "%s: final logit soft-capping "
		    "is not supported", lc_gguf_name(m->g));
	if (rc != LC_OK && rc != LC_ENOTFOUND)
		return rc;
	if (hp->n_layer == 62)
		m->kq_scale = 1.0f / sqrtf((float)(hp->n_embd / hp->n_head));
	else
		m->kq_scale = 1.0f / sqrtf((float)hp->head_dim_k);
	m->embd_scale = sqrtf((float)hp->n_embd);
	return LC_OK;
}

static void
gemma3_forward(lc_model *m, const int32_t *ids, const int32_t *pos, int n,
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
	lc_tensor qh, kh;
	lc_attn_args a = {
		.n_head = (int)hp->n_head, .n_head_kv = (int)hp->n_head_kv,
		.head_dim = (int)hp->head_dim_k, .scale = m->kq_scale,
	};
	lc_rope_args rq, rk;
	uint32_t il;

	qh = lc_reshape(&q, a.head_dim, (int64_t)n * a.n_head);
	kh = lc_reshape(&k, a.head_dim, (int64_t)n * a.n_head_kv);
	op->get_rows(b, &m->tok_embd, ids, m->embd_scale, &x);
	for (il = 0; il < hp->n_layer; il++) {
		const lc_layer *L = &m->layers[il];
		int swa = hp->swa_layer[il];

		op->norm(b, LC_NORM_RMS, &x, &L->attn_norm, NULL, eps, &h);
		op->matmul(b, &L->wq, &h, NULL, &q);
		op->matmul(b, &L->wk, &h, NULL, &k);
		op->matmul(b, &L->wv, &h, NULL, &v);
		op->norm(b, LC_NORM_RMS, &qh, &L->q_norm, NULL, eps, &qh);
		op->norm(b, LC_NORM_RMS, &kh, &L->k_norm, NULL, eps, &kh);
		rq = lc_rope_of(m, swa, a.n_head, a.head_dim, LC_ROPE_NEOX);
		rk = lc_rope_of(m, swa, a.n_head_kv, a.head_dim, LC_ROPE_NEOX);
		op->rope(b, &q, &rq, pos);
		op->rope(b, &k, &rk, pos);
		/* llama.cpp scales q before the product and softmaxes with
		   scale 1; the same up to rounding (exact for the power of
		   two 1/16 of head size 256) */
		a.layer = (int)il;
		a.n_swa = swa ? (int)hp->n_swa : 0;
		op->attention(b, &a, &q, &k, &v, pos, &att);
		op->matmul(b, &L->wo, &att, NULL, &o);
		op->norm(b, LC_NORM_RMS, &o, &L->attn_post_norm, NULL, eps, &o);
		op->add(b, &x, &o, &x);
		op->norm(b, LC_NORM_RMS, &x, &L->ffn_norm, NULL, eps, &h);
		op->matmul(b, &L->gate, &h, NULL, &g);
		op->matmul(b, &L->up, &h, NULL, &u);
		op->act(b, LC_ACT_GELU_GATE, &g, &u, &g);
		op->matmul(b, &L->down, &g, NULL, &f);
		op->norm(b, LC_NORM_RMS, &f, &L->ffn_post_norm, NULL, eps, &f);
		op->add(b, &x, &f, &x);
	}
	/* only the rows whose logits are wanted: the last n_out */
	lc_output_head(m, n, n_out);
}

const lc_arch lc_arch_gemma3 = {
	.name = "gemma3", .rope_mode = LC_ROPE_NEOX, .qk_norm = 1,
	.post_norm = 1, .setup = gemma3_setup, .forward = gemma3_forward,
};
