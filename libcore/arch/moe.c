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
 * The backend routes (moe_route: the selection sel, [2 n_used] per
 * token, backend.h).  Then one of two paths:
 *
 *  - host (a backend whose read() completes at once, the CPU): sel comes
 *    back to the host (op->read); the tokens routed to an expert are
 *    gathered into one batch (get_rows on h), multiplied by that
 *    expert's three matrices (the views model.c binds), and each output
 *    column is added to its token's x with the routing weight
 *    (scale_add).  A prompt batch reads each chosen expert once.
 *  - device (any other backend with moe_matmul and moe_add): the step
 *    stays in one command buffer.  Each (slot, token) is multiplied by
 *    its expert's matrices, chosen on the device from sel, out of the
 *    layer's stacked 3-D expert tensors (bound whole here, in setup,
 *    before model.c binds the per-expert views, which a backend may
 *    then serve from the same memory); moe_add sums the slots into x.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dtype.h"
#include "../model_impl.h"

#define MAX_USED	64

/* m->arch_mem */
typedef struct moe_mem {
	int		 dev;	/* the device path */
	lc_tensor	*stk;	/* device: [n_layer][3] gate, up, down
				   experts, stacks [in, out, n_expert] */
	float		*sel;	/* host: [2 n_used] a token's selection */
	int32_t		*cnt;	/* host: [n_expert] tokens routed to e */
	int32_t		*tok;	/* host: [n_expert][n_batch] their columns */
	float		*w;	/* host: [n_expert][n_batch] their weights */
} moe_mem;

/* Binds the 3-D tensor name (layer il) of n_expert matrices ne0 x ne1
   as a stack (backend.h, weight). */
static int
stack(lc_model *m, lc_tensor *t, const char *fmt, int il, int64_t ne0,
    int64_t ne1, lc_err *e)
{
	const lc_dtype_traits *tr;
	uint64_t NE = m->hp.n_expert;
	lc_tensor_info ti;
	char name[96];

	snprintf(name, sizeof(name), fmt, il);
	memset(t, 0, sizeof(*t));
	if (lc_gguf_find_tensor(m->g, name, &ti) != LC_OK)
		return lc_errf(e, LC_EFORMAT, "%s: tensor '%s' missing",
		    lc_gguf_name(m->g), name);
	if (ti.ne[0] != (uint64_t)ne0 || ti.ne[1] != (uint64_t)ne1 ||
	    ti.ne[2] != NE || ti.ne[3] != 1)
		return lc_errf(e, LC_EFORMAT, "%s: tensor '%s' is [%llu, %llu, "
		    "%llu, %llu], expected [%lld, %lld, %llu]",
		    lc_gguf_name(m->g), name, (unsigned long long)ti.ne[0],
		    (unsigned long long)ti.ne[1], (unsigned long long)ti.ne[2],
		    (unsigned long long)ti.ne[3], (long long)ne0,
		    (long long)ne1, (unsigned long long)NE);
	tr = lc_dtype(ti.dtype);
	if (tr == NULL || tr->to_float == NULL)
		return lc_errf(e, LC_EUNSUP, "%s: tensor '%s': type %s is not "
		    "supported", lc_gguf_name(m->g), name, tr ? tr->name : "?");
	t->dtype = ti.dtype;
	t->ne[0] = ne0;
	t->ne[1] = ne1;
	t->ne[2] = (int64_t)NE;
	t->ne[3] = 1;
	t->row_bytes = (size_t)(ti.nbytes / ((uint64_t)ne1 * NE));
	t->data = (void *)ti.data;
	return m->b->ops->weight(m->b, t, e);
}

static int
moe_setup(lc_model *m, lc_err *e)
{
	const lc_hparams *hp = &m->hp;
	const lc_backend_ops *op = m->b->ops;
	lc_backend *b = m->b;
	lc_scratch *s = &m->s;
	size_t ne = hp->n_expert, nb = m->n_batch, nu = hp->n_expert_used;
	int64_t E = hp->n_embd, FE = hp->n_ff_exp;
	size_t sz;
	moe_mem *mm;
	uint32_t il;
	int rc, dev;

	if (hp->n_expert == 0 || hp->n_expert_used == 0 ||
	    hp->n_expert_used > MAX_USED || hp->n_expert_used > hp->n_expert ||
	    hp->n_ff_exp == 0)
		return lc_errf(e, LC_EFORMAT, "%s: %u experts, %u used, of "
		    "%u: expected expert_count, expert_used_count (1..%d, at "
		    "most expert_count) and expert_feed_forward_length",
		    lc_gguf_name(m->g), hp->n_expert, hp->n_expert_used,
		    hp->n_ff_exp, MAX_USED);
	/* routing on the host needs read() within the step; on the device,
	   the ops that choose the experts there */
	dev = !op->read_now;
	if (op->moe_route == NULL || (dev && (op->moe_matmul == NULL ||
	    op->moe_add == NULL)))
		return lc_errf(e, LC_EUNSUP, "%s: mixture-of-experts models "
		    "need a backend that routes experts (device %s does not): "
		    "use -d cpu", lc_gguf_name(m->g), op->name);
	sz = sizeof(*mm) + (dev ? (size_t)hp->n_layer * 3 *
	    sizeof(lc_tensor) : 2 * nu * sizeof(float) + ne *
	    sizeof(int32_t) + ne * nb * (sizeof(int32_t) + sizeof(float)));
	if ((mm = calloc(1, sz)) == NULL)
		return lc_errf(e, LC_ENOMEM, "%s: routing", lc_gguf_name(m->g));
	m->arch_mem = mm;
	mm->dev = dev;
	if (dev) {
		mm->stk = (lc_tensor *)(mm + 1);
		for (il = 0; il < hp->n_layer; il++) {
			lc_tensor *t = mm->stk + 3 * il;
			if ((rc = stack(m, &t[0], "blk.%d.ffn_gate_exps.weight",
			    (int)il, E, FE, e)) != LC_OK ||
			    (rc = stack(m, &t[1], "blk.%d.ffn_up_exps.weight",
			    (int)il, E, FE, e)) != LC_OK ||
			    (rc = stack(m, &t[2], "blk.%d.ffn_down_exps.weight",
			    (int)il, FE, E, e)) != LC_OK)
				return rc;
		}
	} else {
		mm->sel = (float *)(mm + 1);
		mm->w = mm->sel + 2 * nu;
		mm->cnt = (int32_t *)(mm->w + ne * nb);
		mm->tok = mm->cnt + ne;
	}
#define A(t, w, n) if ((rc = b->ops->alloc(b, t, w, (int64_t)(n), e)) != \
	LC_OK) return rc
	/* r: router logits; xe: the selection (host: then the gathered
	   inputs); ge, ue: the experts' gate and up (device: of every
	   slot, ue then their outputs) */
	A(&s->r, hp->n_expert, nb);
	if (dev) {
		A(&s->xe, 2 * nu, nb);
		A(&s->ge, FE, nu * nb);
		A(&s->ue, FE > E ? FE : E, nu * nb);
	} else {
		A(&s->xe, (int64_t)(2 * nu) > E ? (int64_t)(2 * nu) : E, nb);
		A(&s->ge, FE, nb);
		A(&s->ue, FE, nb);
	}
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

/* x += the experts' outputs for the n tokens of h, routed by sel on the
   host */
static void
ffn_host(lc_model *m, const lc_layer *L, lc_tensor *h, lc_tensor *x,
    const lc_tensor *sel, int n)
{
	const lc_backend_ops *op = m->b->ops;
	lc_backend *b = m->b;
	lc_scratch *s = &m->s;
	moe_mem *mm = m->arch_mem;
	int ne = (int)m->hp.n_expert, nu = (int)m->hp.n_expert_used;
	int nb = (int)m->n_batch, t, i, j, ex, c;
	lc_tensor xe, ge, ue, ye, xc, yc;

	for (ex = 0; ex < ne; ex++)
		mm->cnt[ex] = 0;
	for (t = 0; t < n; t++) {
		op->read(b, sel, t, mm->sel);
		for (i = 0; i < nu; i++) {
			ex = (int)mm->sel[i];
			c = mm->cnt[ex]++;
			mm->tok[(size_t)ex * nb + c] = t;
			mm->w[(size_t)ex * nb + c] = mm->sel[nu + i];
		}
	}
	for (ex = 0; ex < ne; ex++) {
		if ((c = mm->cnt[ex]) == 0)
			continue;
		xe = lc_cols(&s->xe, c);
		xe = lc_reshape(&xe, m->hp.n_embd, c);
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

/* the same, every (slot, token) on the device */
static void
ffn_dev(lc_model *m, const lc_tensor *stk, lc_tensor *h, lc_tensor *x,
    const lc_tensor *sel, int n)
{
	const lc_backend_ops *op = m->b->ops;
	lc_backend *b = m->b;
	lc_scratch *s = &m->s;
	int ns = (int)m->hp.n_expert_used * n;
	lc_tensor ge = lc_reshape(&s->ge, m->hp.n_ff_exp, ns);
	lc_tensor ue = lc_reshape(&s->ue, m->hp.n_ff_exp, ns);
	lc_tensor ye = lc_reshape(&s->ue, m->hp.n_embd, ns);

	op->moe_matmul(b, &stk[0], sel, h, &ge);
	op->moe_matmul(b, &stk[1], sel, h, &ue);
	op->act(b, LC_ACT_SILU_GATE, &ge, &ue, &ge);
	op->moe_matmul(b, &stk[2], sel, &ge, &ye);
	op->moe_add(b, x, sel, &ye, x);
}

/* routes each of the n tokens of h; x += the experts' outputs */
static void
moe_ffn(lc_model *m, uint32_t il, lc_tensor *h, lc_tensor *x, int n)
{
	const lc_backend_ops *op = m->b->ops;
	const lc_layer *L = &m->layers[il];
	moe_mem *mm = m->arch_mem;
	lc_scratch *s = &m->s;
	int nu = (int)m->hp.n_expert_used;
	lc_tensor r = lc_cols(&s->r, n), sel = lc_reshape(&s->xe, 2 * nu, n);

	op->matmul(m->b, &L->gate_inp, h, NULL, &r);
	op->moe_route(m->b, &r, nu, &sel);
	if (mm->dev)
		ffn_dev(m, mm->stk + 3 * il, h, x, &sel, n);
	else
		ffn_host(m, L, h, x, &sel, n);
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
		moe_ffn(m, il, &h, &x, n);
	}
	/* only the rows whose logits are wanted: the last n_out */
	lc_output_head(m, n, n_out);
}

const lc_arch lc_arch_qwen3moe = {
	.name = "qwen3moe", .rope_mode = LC_ROPE_NEOX, .qk_norm = 1,
	.moe = 1, .setup = moe_setup, .forward = moe_forward,
};
