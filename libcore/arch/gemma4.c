/*
 * arch/gemma4.c - Gemma 4 (text, dense: E2B/E4B-style).  Gemma 3's
 * layer (post norms, GELU(tanh)-gated FFN, per-head Q/K norms, local
 * and global layers) with, as llama.cpp's src/models/gemma4.cpp:
 *
 *   - heads of two sizes: sliding layers attention.key_length_swa with
 *     rope.dimension_count_swa rotated at rope.freq_base_swa, global
 *     layers attention.key_length with rope.dimension_count rotated at
 *     rope.freq_base times rope_freqs ("proportional" RoPE: factors of
 *     1e30 stop the upper pairs); a feed-forward width per layer;
 *   - V gets an RMS norm without weight; attention scale 1;
 *   - the last attention.shared_kv_layers layers compute only Q and
 *     attend to the cache of the last earlier layer of their kind;
 *   - per-layer inputs: per token, I = (rms(Wproj x / sqrt(n_embd)) *
 *     per_layer_proj_norm + per_layer_token_embd[id] * sqrt(n_pl)) /
 *     sqrt(2), n_pl values per layer; after the FFN each layer adds
 *     rms(proj (gelu(inp_gate x) * I_layer)) * post_norm;
 *   - each layer's output times layer_output_scale; logits soft-capped
 *     by final_logit_softcapping (in model.c, on the host).
 *
 *   x = token_embd[ids] * sqrt(n_embd)
 *   per layer:  h = rms(x) * attn_norm
 *               q = rope(rms per head(Wq h) * attn_q_norm)
 *               [own cache] k = rope(rms per head(Wk h) * attn_k_norm)
 *                           v = rms per head(Wv h)   (Wk h without Wv)
 *               x += rms(Wo attn(q, k, v)) * post_attention_norm
 *               x += rms(Wdown(gelu(Wgate n) * Wup n)) * post_ffw_norm,
 *                    n = rms(x) * ffn_norm
 *               x += rms(proj(gelu(inp_gate x) * I_layer)) * post_norm
 *               x *= layer_output_scale
 *   logits = cap(token_embd (rms(x) * output_norm))
 *
 * A shared layer's attention is given the K and V its source layer
 * computed in the same step (kept in s->kvs): the op stores them in the
 * source's cells again, the same values, and attends to its cache.
 * MoE layers (26B-A4B) are refused.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dtype.h"
#include "../model_impl.h"

typedef struct g4_layer {
	lc_tensor	 inp_gate, proj, pl_norm;
	float		 out_scale;
	int		 swa, head_dim, n_ff, src;	/* src: layer whose
							   cache it reads */
	int		 kvs;		/* its K, V in s->kvs[kvs], [kvs+1],
					   or -1 */
} g4_layer;

typedef struct g4 {
	int		 hd_swa, rot_swa, n_pl;
	lc_tensor	 pl_embd, pl_proj, pl_proj_norm;
	g4_layer	*l;		/* n_layer */
} g4;

static int
getu(lc_model *m, const char *suffix, uint64_t *v, int optional, lc_err *e)
{
	char key[96];
	int rc;

	snprintf(key, sizeof(key), "%s.%s", m->hp.arch, suffix);
	rc = lc_gguf_get_u64(m->g, key, v, e);
	if (rc == LC_ENOTFOUND && optional)
		return LC_OK;
	if (rc == LC_ENOTFOUND)
		return lc_errf(e, LC_EFORMAT, "%s: key '%s' missing",
		    lc_gguf_name(m->g), key);
	return rc;
}

static int
gemma4_setup(lc_model *m, lc_err *e)
{
	lc_hparams *hp = &m->hp;
	lc_backend *b = m->b;
	lc_scratch *s = &m->s;
	const char *file = lc_gguf_name(m->g);
	uint64_t hd_swa = hp->head_dim_k, hv_swa = 0, rot_swa = 0;
	uint64_t shared = 0, n_pl = 0, ffv;
	int64_t nb = m->n_batch, K;
	lc_gguf_kv kv;
	char key[96];
	double v;
	g4 *g;
	uint32_t il;
	int rc, last[2] = { -1, -1 }, nk = 0;

	if ((rc = getu(m, "attention.key_length_swa", &hd_swa, 1, e)) != LC_OK)
		return rc;
	hv_swa = hd_swa;
	if ((rc = getu(m, "attention.value_length_swa", &hv_swa, 1, e)) !=
	    LC_OK || (rc = getu(m, "rope.dimension_count_swa", &rot_swa, 1,
	    e)) != LC_OK || (rc = getu(m, "attention.shared_kv_layers",
	    &shared, 1, e)) != LC_OK || (rc = getu(m,
	    "embedding_length_per_layer_input", &n_pl, 1, e)) != LC_OK)
		return rc;
	if (rot_swa == 0)
		rot_swa = hd_swa;
	if (hd_swa == 0 || hd_swa != hv_swa || hd_swa > hp->head_dim_k ||
	    rot_swa > hd_swa || rot_swa % 2 != 0)
		return lc_errf(e, LC_EFORMAT, "%s: sliding-layer heads of %llu "
		    "(values %llu, %llu rotated) do not fit heads of %u", file,
		    (unsigned long long)hd_swa, (unsigned long long)hv_swa,
		    (unsigned long long)rot_swa, hp->head_dim_k);
	/* the cache rows of a sliding layer must be whole blocks of the
	   cache type, or the CPU's row quantizer stores nothing */
	if ((hp->n_head_kv * hd_swa) % lc_dtype(m->kv_dtype)->blck != 0)
		return lc_errf(e, LC_EUNSUP, "%s: sliding-layer KV rows of %llu "
		    "values do not fill %s blocks of %u (use -k f16 or f32)",
		    file, (unsigned long long)(hp->n_head_kv * hd_swa),
		    lc_dtype(m->kv_dtype)->name, lc_dtype(m->kv_dtype)->blck);
	if (shared >= hp->n_layer || n_pl > 4096)
		return lc_errf(e, LC_EFORMAT, "%s: %llu shared-KV layers of %u, "
		    "%llu per-layer inputs", file, (unsigned long long)shared,
		    hp->n_layer, (unsigned long long)n_pl);
	if (hp->n_expert > 0)
		return lc_errf(e, LC_EUNSUP, "%s: Gemma 4 mixture-of-experts "
		    "layers are not supported", file);
	snprintf(key, sizeof(key), "%s.rope.freq_base_swa", hp->arch);
	if ((rc = lc_gguf_get_f64(m->g, key, &v, e)) == LC_OK) {
		if (!(v > 0))
			return lc_errf(e, LC_EFORMAT, "%s: key '%s': %g is not "
			    "a positive base", file, key, v);
		m->rope_base_swa = (float)v;
	} else if (rc != LC_ENOTFOUND)
		return rc;
	snprintf(key, sizeof(key), "%s.final_logit_softcapping", hp->arch);
	if ((rc = lc_gguf_get_f64(m->g, key, &v, e)) == LC_OK) {
		if (!(v >= 0 && v < 1e6))
			return lc_errf(e, LC_EFORMAT, "%s: key '%s': %g out of "
			    "range", file, key, v);
		m->softcap = (float)v;
	} else if (rc != LC_ENOTFOUND)
		return rc;

	if ((g = calloc(1, sizeof(*g) + hp->n_layer * sizeof(*g->l))) ==
	    NULL)
		return lc_errf(e, LC_ENOMEM, "%s: gemma4 layers", file);
	m->arch_mem = g;
	g->l = (g4_layer *)(g + 1);
	g->hd_swa = (int)hd_swa;
	g->rot_swa = (int)rot_swa;
	g->n_pl = (int)n_pl;
	m->n_kv_shared = (uint32_t)shared;
	m->kq_scale = 1.0f;
	m->embd_scale = sqrtf((float)hp->n_embd);

	snprintf(key, sizeof(key), "%s.feed_forward_length", hp->arch);
	if (lc_gguf_find_kv(m->g, key, &kv) != LC_OK)
		return lc_errf(e, LC_EFORMAT, "%s: key '%s' missing", file,
		    key);
	for (il = 0; il < hp->n_layer; il++) {
		g4_layer *L = &g->l[il];

		if (lc_gguf_kv_u64(&kv, kv.n == 1 ? 0 : il, &ffv) != 0 ||
		    (kv.n != 1 && kv.n != hp->n_layer) || ffv == 0 ||
		    ffv > hp->n_ff)
			return lc_errf(e, LC_EFORMAT, "%s: key '%s': not one "
			    "width per layer", file, key);
		L->n_ff = (int)ffv;
		L->swa = hp->swa_layer[il] != 0;
		L->head_dim = L->swa ? (int)hd_swa : (int)hp->head_dim_k;
		L->kvs = -1;
		if (il < hp->n_layer - shared) {
			L->src = (int)il;
			last[L->swa] = (int)il;
		} else {
			if (last[L->swa] < 0)
				return lc_errf(e, LC_EFORMAT, "%s: shared-KV "
				    "layer %u has no earlier %s layer", file,
				    il, L->swa ? "sliding" : "global");
			L->src = last[L->swa];
		}
	}
	/* the sources keep their K, V for the shared layers */
	K = (int64_t)hp->n_head_kv * hp->head_dim_k;
	for (il = 0; il < hp->n_layer; il++) {
		g4_layer *S = &g->l[g->l[il].src];

		if (g->l[il].src != (int)il && S->kvs < 0) {
			if (nk == 4)
				return lc_errf(e, LC_EFORMAT, "%s: more than "
				    "two shared-KV sources", file);
			S->kvs = nk;
			nk += 2;
		}
	}
	for (int i = 0; i < nk; i++)
		if ((rc = b->ops->alloc(b, &s->kvs[i], K, nb, e)) != LC_OK)
			return rc;
	if (n_pl > 0 && ((rc = b->ops->alloc(b, &s->pl,
	    (int64_t)n_pl * hp->n_layer, nb, e)) != LC_OK ||
	    (rc = b->ops->alloc(b, &s->plq, (int64_t)n_pl * hp->n_layer, nb,
	    e)) != LC_OK || (rc = b->ops->alloc(b, &s->plg, (int64_t)n_pl, nb,
	    e)) != LC_OK))
		return rc;
	return LC_OK;
}

/* The scalar of a [1] f32 tensor, read from the file. */
static int
scalar(lc_model *m, const char *fmt, int il, float *out, lc_err *e)
{
	lc_tensor_info ti;
	char name[96];

	snprintf(name, sizeof(name), fmt, il);
	*out = 1.0f;
	if (lc_gguf_find_tensor(m->g, name, &ti) != LC_OK)
		return LC_OK;
	if (ti.dtype != LC_F32 || ti.ne[0] != 1 || ti.ne[1] != 1 ||
	    ti.ne[2] != 1 || ti.ne[3] != 1)
		return lc_errf(e, LC_EFORMAT, "%s: tensor '%s': expected one "
		    "f32", lc_gguf_name(m->g), name);
	memcpy(out, ti.data, sizeof(*out));
	if (!isfinite(*out))
		return lc_errf(e, LC_EFORMAT, "%s: tensor '%s': %g",
		    lc_gguf_name(m->g), name, (double)*out);
	return LC_OK;
}

static int
gemma4_bind(lc_model *m, lc_err *e)
{
	const lc_hparams *hp = &m->hp;
	g4 *g = m->arch_mem;
	int64_t E = hp->n_embd, V = hp->n_vocab, P = g->n_pl;
	int64_t H = hp->n_head, HK = hp->n_head_kv;
	uint32_t il;
	int rc;

#define B(t, name, il, n0, n1, o) \
	if ((rc = lc_model_bind(m, t, name, il, n0, n1, o, e)) != LC_OK) \
		return rc
	B(&m->tok_embd, "token_embd.weight", 0, E, V, 0);
	B(&m->output_norm, "output_norm.weight", 0, E, 1, 0);
	B(&m->output, "output.weight", 0, E, V, 1);
	if (P > 0) {
		B(&g->pl_embd, "per_layer_token_embd.weight", 0,
		    P * hp->n_layer, V, 0);
		B(&g->pl_proj, "per_layer_model_proj.weight", 0, E,
		    P * hp->n_layer, 0);
		B(&g->pl_proj_norm, "per_layer_proj_norm.weight", 0, P, 1, 0);
	}
	for (il = 0; il < hp->n_layer; il++) {
		lc_layer *L = &m->layers[il];
		g4_layer *G = &g->l[il];
		int i = (int)il, d = G->head_dim, own = G->src == i;

		B(&L->attn_norm, "blk.%d.attn_norm.weight", i, E, 1, 0);
		B(&L->wq, "blk.%d.attn_q.weight", i, E, H * d, 0);
		B(&L->q_norm, "blk.%d.attn_q_norm.weight", i, d, 1, 0);
		if (own) {
			B(&L->wk, "blk.%d.attn_k.weight", i, E, HK * d, 0);
			B(&L->wv, "blk.%d.attn_v.weight", i, E, HK * d, 1);
			B(&L->k_norm, "blk.%d.attn_k_norm.weight", i, d, 1, 0);
		}
		B(&L->wo, "blk.%d.attn_output.weight", i, H * d, E, 0);
		B(&L->attn_post_norm, "blk.%d.post_attention_norm.weight", i,
		    E, 1, 0);
		B(&L->ffn_norm, "blk.%d.ffn_norm.weight", i, E, 1, 0);
		B(&L->gate, "blk.%d.ffn_gate.weight", i, E, G->n_ff, 0);
		B(&L->up, "blk.%d.ffn_up.weight", i, E, G->n_ff, 0);
		B(&L->down, "blk.%d.ffn_down.weight", i, G->n_ff, E, 0);
		B(&L->ffn_post_norm, "blk.%d.post_ffw_norm.weight", i, E, 1, 0);
		if (P > 0) {
			B(&G->inp_gate, "blk.%d.inp_gate.weight", i, E, P, 0);
			B(&G->proj, "blk.%d.proj.weight", i, P, E, 0);
			B(&G->pl_norm, "blk.%d.post_norm.weight", i, E, 1, 0);
		}
		if ((rc = scalar(m, "blk.%d.layer_output_scale.weight", i,
		    &G->out_scale, e)) != LC_OK)
			return rc;
	}
#undef B
	return LC_OK;
}

/* y = y * s, as y + (s - 1) y (the ops have no plain scale) */
static void
scale(lc_model *m, lc_tensor *y, float s)
{
	if (s != 1.0f)
		m->b->ops->scale_add(m->b, y, s - 1.0f, y, y);
}

/* Column t of t, as a one-column view. */
static lc_tensor
col(const lc_tensor *x, int64_t t)
{
	lc_tensor v = *x;

	v.data = (char *)x->data + (size_t)t * x->row_bytes;
	v.ne[1] = 1;
	return v;
}

static void
gemma4_forward(lc_model *m, const int32_t *ids, const int32_t *pos, int n,
    int n_out)
{
	const lc_backend_ops *op = m->b->ops;
	const lc_hparams *hp = &m->hp;
	const float eps = (float)hp->norm_eps;
	g4 *g = m->arch_mem;
	lc_backend *b = m->b;
	lc_scratch *s = &m->s;
	int64_t P = g->n_pl, NL = hp->n_layer;
	lc_tensor x = lc_cols(&s->x, n), h = lc_cols(&s->h, n);
	lc_tensor att = lc_cols(&s->att, n), o = lc_cols(&s->o, n);
	lc_tensor q, k, v, qh, kh, vh, gg, uu, ff, pl, plq, pg, c1;
	lc_attn_args a = {
		.n_head = (int)hp->n_head, .n_head_kv = (int)hp->n_head_kv,
		.scale = m->kq_scale,
	};
	lc_rope_args rq, rk;
	uint32_t il;
	int64_t t;

	op->get_rows(b, &m->tok_embd, ids, m->embd_scale, &x);
	if (P > 0) {
		/* [P * n_layer, n]: the token rows, then the projection */
		pl = lc_cols(&s->pl, n);
		plq = lc_cols(&s->plq, n);
		op->get_rows(b, &g->pl_embd, ids, sqrtf((float)P), &pl);
		op->matmul(b, &g->pl_proj, &x, NULL, &plq);
		scale(m, &plq, 1.0f / sqrtf((float)hp->n_embd));
		c1 = lc_reshape(&plq, P, NL * n);
		op->norm(b, LC_NORM_RMS, &c1, &g->pl_proj_norm, NULL, eps, &c1);
		op->add(b, &plq, &pl, &plq);
		scale(m, &plq, 1.0f / sqrtf(2.0f));
		/* token t's inputs for layer il: column t * n_layer + il */
		plq = lc_reshape(&plq, P, NL * n);
	}
	for (il = 0; il < hp->n_layer; il++) {
		const lc_layer *L = &m->layers[il];
		const g4_layer *G = &g->l[il];
		int d = G->head_dim, own = G->src == (int)il;
		int64_t Q = a.n_head * (int64_t)d, K = a.n_head_kv * (int64_t)d;

		q = lc_reshape(&s->q, Q, n);
		k = G->kvs >= 0 ? lc_reshape(&s->kvs[G->kvs], K, n) :
		    lc_reshape(&s->k, K, n);
		v = G->kvs >= 0 ? lc_reshape(&s->kvs[G->kvs + 1], K, n) :
		    lc_reshape(&s->v, K, n);
		if (!own) {
			const g4_layer *S = &g->l[G->src];

			k = lc_reshape(&s->kvs[S->kvs], K, n);
			v = lc_reshape(&s->kvs[S->kvs + 1], K, n);
		}
		a.head_dim = d;
		rq = lc_rope_of(m, G->swa, a.n_head, d, LC_ROPE_NEOX);
		rk = lc_rope_of(m, G->swa, a.n_head_kv, d, LC_ROPE_NEOX);
		if (G->swa)
			rq.n_rot = rk.n_rot = g->rot_swa;

		op->norm(b, LC_NORM_RMS, &x, &L->attn_norm, NULL, eps, &h);
		op->matmul(b, &L->wq, &h, NULL, &q);
		qh = lc_reshape(&q, d, n * (int64_t)a.n_head);
		op->norm(b, LC_NORM_RMS, &qh, &L->q_norm, NULL, eps, &qh);
		op->rope(b, &q, &rq, pos);
		if (own) {
			op->matmul(b, &L->wk, &h, NULL, &k);
			op->matmul(b, L->wv.data != NULL ? &L->wv : &L->wk, &h,
			    NULL, &v);
			kh = lc_reshape(&k, d, n * (int64_t)a.n_head_kv);
			vh = lc_reshape(&v, d, n * (int64_t)a.n_head_kv);
			op->norm(b, LC_NORM_RMS, &kh, &L->k_norm, NULL, eps,
			    &kh);
			op->norm(b, LC_NORM_RMS, &vh, NULL, NULL, eps, &vh);
			op->rope(b, &k, &rk, pos);
		}
		a.layer = G->src;
		a.n_swa = G->swa ? (int)hp->n_swa : 0;
		att = lc_reshape(&s->att, Q, n);
		op->attention(b, &a, &q, &k, &v, pos, &att);
		op->matmul(b, &L->wo, &att, NULL, &o);
		op->norm(b, LC_NORM_RMS, &o, &L->attn_post_norm, NULL, eps, &o);
		op->add(b, &x, &o, &x);

		op->norm(b, LC_NORM_RMS, &x, &L->ffn_norm, NULL, eps, &h);
		gg = lc_reshape(&s->g, G->n_ff, n);
		uu = lc_reshape(&s->u, G->n_ff, n);
		ff = lc_cols(&s->f, n);
		op->matmul(b, &L->gate, &h, NULL, &gg);
		op->matmul(b, &L->up, &h, NULL, &uu);
		op->act(b, LC_ACT_GELU_GATE, &gg, &uu, &gg);
		op->matmul(b, &L->down, &gg, NULL, &ff);
		op->norm(b, LC_NORM_RMS, &ff, &L->ffn_post_norm, NULL, eps,
		    &ff);
		op->add(b, &x, &ff, &x);

		if (P > 0) {
			pg = lc_cols(&s->plg, n);
			op->matmul(b, &G->inp_gate, &x, NULL, &pg);
			for (t = 0; t < n; t++) {
				lc_tensor gt = col(&pg, t);
				lc_tensor it = col(&plq, t * NL + il);

				op->act(b, LC_ACT_GELU_GATE, &gt, &it, &gt);
			}
			op->matmul(b, &G->proj, &pg, NULL, &o);
			op->norm(b, LC_NORM_RMS, &o, &G->pl_norm, NULL, eps,
			    &o);
			op->add(b, &x, &o, &x);
		}
		scale(m, &x, G->out_scale);
	}
	lc_output_head(m, n, n_out);
}

const lc_arch lc_arch_gemma4 = {
	.name = "gemma4", .rope_mode = LC_ROPE_NEOX, .setup = gemma4_setup,
	.bind = gemma4_bind, .forward = gemma4_forward,
};
