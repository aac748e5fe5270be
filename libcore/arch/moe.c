/*
 * arch/moe.c - qwen3moe (Qwen3-30B-A3B, Qwen3-235B-A22B): the qwen3
 * attention (per-head Q/K RMS norm, NeoX RoPE) and a mixture-of-experts
 * feed-forward, as llama.cpp (src/models/qwen3moe.cpp, build_moe_ffn
 * with softmax gating and normalised weights):
 *
 *   h = rms(x) * ffn_norm
 *   p = softmax(Wgate_inp h)                  over the n_expert experts
 *   S = the n_expert_used largest p
 *   w_e = p_e / max(sum_{e in S} p_e, 2^-14)  (llama.cpp always
 *                                              renormalises for qwen3moe)
 *   x += sum_{e in S} w_e Wdown_e(silu(Wgate_e h) * Wup_e h)
 *
 * The router logits come back to the host (op->read); the tokens routed
 * to an expert are gathered into one batch (get_rows on h), multiplied
 * by that expert's three matrices, and each output column is added to
 * its token's x with the routing weight (scale_add).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../model_impl.h"

#define MAX_USED	64

/* host memory of the routing, m->arch_mem */
typedef struct moe_mem {
	float		*p;	/* [n_expert] probabilities of a token */
	int32_t		*cnt;	/* [n_expert] tokens routed to expert e */
	int32_t		*tok;	/* [n_expert][n_batch] their columns */
	float		*w;	/* [n_expert][n_batch] their weights */
} moe_mem;

static int
moe_setup(lc_model *m, lc_err *e)
{
	const lc_hparams *hp = &m->hp;
	lc_backend *b = m->b;
	lc_scratch *s = &m->s;
	size_t ne = hp->n_expert, nb = m->n_batch;
	moe_mem *mm;
	int rc;

	/* routing reads the router's logits back in the middle of the
	   step: only a backend whose read() completes at once (the CPU)
	   can run it */
	if (strcmp(b->ops->name, "cpu") != 0)
		return lc_errf(e, LC_EUNSUP, "%s: mixture-of-experts models "
		    "run on the CPU only for now (device %s): use -d cpu",
		    lc_gguf_name(m->g), b->ops->name);
	if (hp->n_expert == 0 || hp->n_expert_used == 0 ||
	    hp->n_expert_used > MAX_USED || hp->n_ff_exp == 0)
		return lc_errf(e, LC_EFORMAT, "%s: %u experts, %u used, of "
		    "%u: expected expert_count, expert_used_count (1..%d) "
		    "and expert_feed_forward_length", lc_gguf_name(m->g),
		    hp->n_expert, hp->n_expert_used, hp->n_ff_exp, MAX_USED);
	mm = malloc(sizeof(*mm) + ne * (sizeof(float) + sizeof(int32_t)) +
	    ne * nb * (sizeof(int32_t) + sizeof(float)));
	if ((m->arch_mem = mm) == NULL)
		return lc_errf(e, LC_ENOMEM, "%s: routing", lc_gguf_name(m->g));
	mm->p = (float *)(mm + 1);
	mm->w = mm->p + ne;
	mm->cnt = (int32_t *)(mm->w + ne * nb);
	mm->tok = mm->cnt + ne;
#define A(t, w) if ((rc = b->ops->alloc(b, t, w, (int64_t)nb, e)) != LC_OK) \
	return rc
	A(&s->r, hp->n_expert);
	A(&s->xe, hp->n_embd);
	A(&s->ge, hp->n_ff_exp);
	A(&s->ue, hp->n_ff_exp);
#undef A
	return LC_OK;
}

static const lc_tensor *
opt(const lc_tensor *t)
{
	return t->data != NULL ? t : NULL;
}

/* column j of t */
static lc_tensor
col(const lc_tensor *t, int64_t j)
{
	lc_tensor v = *t;

	v.data = (char *)t->data + (size_t)j * t->row_bytes;
	v.ne[1] = 1;
	return v;
}

/* routes each of the n tokens of h; x += the experts' outputs */
static void
moe_ffn(lc_model *m, const lc_layer *L, lc_tensor *h, lc_tensor *x, int n)
{
	const lc_backend_ops *op = m->b->ops;
	const lc_hparams *hp = &m->hp;
	lc_backend *b = m->b;
	lc_scratch *s = &m->s;
	moe_mem *mm = m->arch_mem;
	int ne = (int)hp->n_expert, nu = (int)hp->n_expert_used;
	int nb = (int)m->n_batch, sel[MAX_USED], t, i, j, ex, c;
	lc_tensor r = lc_cols(&s->r, n), xe, ge, ue, ye, xc, yc;
	float mx, wsum, *p = mm->p;
	double sum;

	op->matmul(b, &L->gate_inp, h, NULL, &r);
	for (ex = 0; ex < ne; ex++)
		mm->cnt[ex] = 0;
	for (t = 0; t < n; t++) {
		op->read(b, &r, t, p);
		for (mx = -INFINITY, ex = 0; ex < ne; ex++)
			mx = p[ex] > mx ? p[ex] : mx;
		for (sum = 0, ex = 0; ex < ne; ex++) {
			p[ex] = expf(p[ex] - mx);
			sum += (double)p[ex];
		}
		for (ex = 0; ex < ne; ex++)
			p[ex] *= (float)(1.0 / sum);
		/* the nu largest, largest first */
		for (wsum = 0, i = 0; i < nu; i++) {
			for (sel[i] = -1, ex = 0; ex < ne; ex++) {
				for (j = 0; j < i && sel[j] != ex; j++)
					;
				if (j == i && (sel[i] < 0 || p[ex] > p[sel[i]]))
					sel[i] = ex;
			}
			wsum += p[sel[i]];
		}
		if (wsum < 6.103515625e-5f)
			wsum = 6.103515625e-5f;
		for (i = 0; i < nu; i++) {
			ex = sel[i];
			c = mm->cnt[ex]++;
			mm->tok[(size_t)ex * nb + c] = t;
			mm->w[(size_t)ex * nb + c] = p[ex] / wsum;
		}
	}
	for (ex = 0; ex < ne; ex++) {
		if ((c = mm->cnt[ex]) == 0)
			continue;
		xe = lc_cols(&s->xe, c);
		ge = lc_cols(&s->ge, c);
		ue = lc_cols(&s->ue, c);
		ye = lc_cols(&s->f, c);
		op->get_rows(b, h, mm->tok + (size_t)ex * nb, 1.0f, &xe);
		op->matmul(b, &L->gate_exps[ex], &xe, NULL, &ge);
		op->matmul(b, &L->up_exps[ex], &xe, NULL, &ue);
		op->act(b, LC_ACT_SILU_GATE, &ge, &ue, &ge);
		op->matmul(b, &L->down_exps[ex], &ge, NULL, &ye);
		for (j = 0; j < c; j++) {
			xc = col(x, mm->tok[(size_t)ex * nb + j]);
			yc = col(&ye, j);
			op->scale_add(b, &xc, mm->w[(size_t)ex * nb + j], &yc,
			    &xc);
		}
	}
}

static void
moe_forward(lc_model *m, const int32_t *ids, const int32_t *pos, int n,
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
	lc_tensor o = lc_cols(&s->o, n);
	lc_tensor qh, kh;
	lc_attn_args a = {
		.n_head = (int)hp->n_head, .n_head_kv = (int)hp->n_head_kv,
		.head_dim = (int)hp->head_dim_k, .scale = m->kq_scale,
	};
	lc_rope_args rq, rk;
	uint32_t il;

	qh = lc_reshape(&q, a.head_dim, (int64_t)n * a.n_head);
	kh = lc_reshape(&k, a.head_dim, (int64_t)n * a.n_head_kv);
	rq = lc_rope_of(m, 0, a.n_head, a.head_dim, LC_ROPE_NEOX);
	rk = lc_rope_of(m, 0, a.n_head_kv, a.head_dim, LC_ROPE_NEOX);
	op->get_rows(b, &m->tok_embd, ids, m->embd_scale, &x);
	for (il = 0; il < hp->n_layer; il++) {
		const lc_layer *L = &m->layers[il];

		op->norm(b, LC_NORM_RMS, &x, &L->attn_norm, NULL, eps, &h);
		op->matmul(b, &L->wq, &h, opt(&L->bq), &q);
		op->matmul(b, &L->wk, &h, opt(&L->bk), &k);
		op->matmul(b, &L->wv, &h, opt(&L->bv), &v);
		op->norm(b, LC_NORM_RMS, &qh, &L->q_norm, NULL, eps, &qh);
		op->norm(b, LC_NORM_RMS, &kh, &L->k_norm, NULL, eps, &kh);
		op->rope(b, &q, &rq, pos);
		op->rope(b, &k, &rk, pos);
		a.layer = (int)il;
		a.n_swa = hp->swa_layer[il] ? (int)hp->n_swa : 0;
		op->attention(b, &a, &q, &k, &v, pos, &att);
		op->matmul(b, &L->wo, &att, NULL, &o);
		op->add(b, &x, &o, &x);
		op->norm(b, LC_NORM_RMS, &x, &L->ffn_norm, NULL, eps, &h);
		moe_ffn(m, L, &h, &x, n);
	}
	/* only the rows whose logits are wanted: the last n_out */
	lc_output_head(m, n, n_out);
}

const lc_arch lc_arch_qwen3moe = {
	.name = "qwen3moe", .rope_mode = LC_ROPE_NEOX, .qk_norm = 1,
	.moe = 1, .setup = moe_setup, .forward = moe_forward,
};
