/*
 * model.c - open a GGUF model, check and bind its tensors, run the
 * forward pass of its architecture in steps of n_batch tokens.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtype.h"
#include "model_impl.h"

static const lc_arch *const archs[] = {
	&lc_arch_llama, &lc_arch_qwen2, &lc_arch_qwen3, &lc_arch_gemma3,
	&lc_arch_phi3, &lc_arch_qwen3moe, &lc_arch_bert, &lc_arch_granite,
	&lc_arch_smollm3, &lc_arch_olmo2, &lc_arch_gemma4,
};

const char *
lc_model_archs(void)
{
	return "llama, qwen2, qwen3, gemma3, phi3, qwen3moe, bert, granite, "
	    "smollm3, olmo2, gemma4";
}

/*
 * Binds rows r0 .. r0+nr-1 of matrix i2 of tensor name (printf-style
 * with layer il) as t, checking the tensor has ne0 x ne1 x ne2 elements
 * (ne1 = ne2 = 1 for vectors) and a type the backend can multiply.  A
 * view is a tensor of its own to the backend (op->weight sees only its
 * rows).  Optional tensors that are absent leave t zeroed.
 */
static int
bind_view(lc_model *m, lc_tensor *t, const char *fmt, int il, int64_t ne0,
    int64_t ne1, int64_t ne2, int64_t i2, int64_t r0, int64_t nr,
    int optional, lc_err *e)
{
	const lc_dtype_traits *tr;
	lc_tensor_info ti;
	char name[96];
	size_t row;

	snprintf(name, sizeof(name), fmt, il);
	memset(t, 0, sizeof(*t));
	if (lc_gguf_find_tensor(m->g, name, &ti) != LC_OK) {
		if (optional)
			return LC_OK;
		return lc_errf(e, LC_EFORMAT, "%s: tensor '%s' missing",
		    lc_gguf_name(m->g), name);
	}
	if ((int64_t)ti.ne[0] != ne0 || (int64_t)ti.ne[1] != ne1 ||
	    (int64_t)ti.ne[2] != ne2 || ti.ne[3] != 1)
		return lc_errf(e, LC_EFORMAT, "%s: tensor '%s' is [%llu, %llu, "
		    "%llu, %llu], expected [%lld, %lld, %lld]",
		    lc_gguf_name(m->g), name, (unsigned long long)ti.ne[0],
		    (unsigned long long)ti.ne[1], (unsigned long long)ti.ne[2],
		    (unsigned long long)ti.ne[3], (long long)ne0,
		    (long long)ne1, (long long)ne2);
	tr = lc_dtype(ti.dtype);
	if (tr->to_float == NULL)
		return lc_errf(e, LC_EUNSUP, "%s: tensor '%s': type %s is not "
		    "supported", lc_gguf_name(m->g), name, tr->name);
	if (ne1 == 1 && ti.dtype != LC_F32)
		return lc_errf(e, LC_EUNSUP, "%s: tensor '%s': vector of type "
		    "%s, expected f32", lc_gguf_name(m->g), name, tr->name);
	row = (size_t)(ti.nbytes / (uint64_t)(ne1 * ne2));
	t->dtype = ti.dtype;
	t->ne[0] = ne0;
	t->ne[1] = nr;
	t->ne[2] = t->ne[3] = 1;
	t->row_bytes = row;
	t->data = (char *)ti.data + (size_t)(i2 * ne1 + r0) * row;
	return m->b->ops->weight(m->b, t, e);
}

/* Whether tensor name (printf-style with layer il) is in the file. */
static int
has_tensor(lc_model *m, const char *fmt, int il)
{
	lc_tensor_info ti;
	char name[96];

	snprintf(name, sizeof(name), fmt, il);
	return lc_gguf_find_tensor(m->g, name, &ti) == LC_OK;
}

/* The whole of a tensor of ne0 x ne1 elements. */
static int
bind(lc_model *m, lc_tensor *t, const char *fmt, int il, int64_t ne0,
    int64_t ne1, int optional, lc_err *e)
{
	return bind_view(m, t, fmt, il, ne0, ne1, 1, 0, 0, ne1, optional, e);
}

int
lc_model_bind(lc_model *m, lc_tensor *t, const char *fmt, int il, int64_t ne0,
    int64_t ne1, int optional, lc_err *e)
{
	return bind(m, t, fmt, il, ne0, ne1, optional, e);
}

static int
bind_all(lc_model *m, lc_err *e)
{
	const lc_hparams *hp = &m->hp;
	int64_t E = hp->n_embd, F = hp->n_ff, V = hp->n_vocab;
	int64_t Q = (int64_t)hp->n_head * hp->head_dim_k;
	int64_t K = (int64_t)hp->n_head_kv * hp->head_dim_k;
	int64_t Vd = (int64_t)hp->n_head_kv * hp->head_dim_v;
	int64_t NE = hp->n_expert, FE = hp->n_ff_exp, x;
	const lc_arch *a = m->arch;
	uint32_t il;
	int rc;

#define B(t, name, il, n0, n1, o) \
	if ((rc = bind(m, t, name, il, n0, n1, o, e)) != LC_OK) return rc
#define BV(t, name, il, n0, n1, n2, i2, r0, nr) \
	if ((rc = bind_view(m, t, name, il, n0, n1, n2, i2, r0, nr, 0, e)) != \
	    LC_OK) return rc
	if (a->moe && (m->exps = calloc((size_t)(hp->n_layer * NE * 3),
	    sizeof(*m->exps))) == NULL)
		return lc_errf(e, LC_ENOMEM, "%s: experts", lc_gguf_name(m->g));
	B(&m->tok_embd, "token_embd.weight", 0, E, V, 0);
	B(&m->output_norm, "output_norm.weight", 0, E, 1, 0);
	B(&m->output, "output.weight", 0, E, V, 1);
	B(&m->output_b, "output.bias", 0, V, 1, 1);
	for (il = 0; il < hp->n_layer; il++) {
		lc_layer *L = &m->layers[il];
		int i = (int)il;
		if (!a->norm_after)
			B(&L->attn_norm, "blk.%d.attn_norm.weight", i, E, 1, 0);
		if (a->fused && has_tensor(m, "blk.%d.attn_qkv.weight", i)) {
			/* rows: Q, then K, then V */
			BV(&L->wq, "blk.%d.attn_qkv.weight", i, E, Q + K + Vd,
			    1, 0, 0, Q);
			BV(&L->wk, "blk.%d.attn_qkv.weight", i, E, Q + K + Vd,
			    1, 0, Q, K);
			BV(&L->wv, "blk.%d.attn_qkv.weight", i, E, Q + K + Vd,
			    1, 0, Q + K, Vd);
		} else {
			B(&L->wq, "blk.%d.attn_q.weight", i, E, Q, 0);
			B(&L->wk, "blk.%d.attn_k.weight", i, E, K, 0);
			B(&L->wv, "blk.%d.attn_v.weight", i, E, Vd, 0);
		}
		B(&L->wo, "blk.%d.attn_output.weight", i, Q, E, 0);
		B(&L->bq, "blk.%d.attn_q.bias", i, Q, 1, !a->qkv_bias);
		B(&L->bk, "blk.%d.attn_k.bias", i, K, 1, !a->qkv_bias);
		B(&L->bv, "blk.%d.attn_v.bias", i, Vd, 1, !a->qkv_bias);
		if (a->norm_after) {
			B(&L->q_norm, "blk.%d.attn_q_norm.weight", i, Q, 1, 0);
			B(&L->k_norm, "blk.%d.attn_k_norm.weight", i, K, 1, 0);
		} else if (a->qk_norm) {
			B(&L->q_norm, "blk.%d.attn_q_norm.weight", i,
			    hp->head_dim_k, 1, 0);
			B(&L->k_norm, "blk.%d.attn_k_norm.weight", i,
			    hp->head_dim_k, 1, 0);
		}
		if (!a->norm_after)
			B(&L->ffn_norm, "blk.%d.ffn_norm.weight", i, E, 1, 0);
		if (a->moe) {
			/* expert x: matrix x of the 3-D tensors */
			L->gate_exps = m->exps + (size_t)(il * NE * 3);
			L->up_exps = L->gate_exps + NE;
			L->down_exps = L->up_exps + NE;
			B(&L->gate_inp, "blk.%d.ffn_gate_inp.weight", i, E, NE,
			    0);
			for (x = 0; x < NE; x++) {
				BV(&L->gate_exps[x],
				    "blk.%d.ffn_gate_exps.weight", i, E, FE,
				    NE, x, 0, FE);
				BV(&L->up_exps[x], "blk.%d.ffn_up_exps.weight",
				    i, E, FE, NE, x, 0, FE);
				BV(&L->down_exps[x],
				    "blk.%d.ffn_down_exps.weight", i, FE, E,
				    NE, x, 0, E);
			}
		} else if (a->fused) {
			/* rows: gate, then up */
			BV(&L->gate, "blk.%d.ffn_up.weight", i, E, 2 * F, 1, 0,
			    0, F);
			BV(&L->up, "blk.%d.ffn_up.weight", i, E, 2 * F, 1, 0,
			    F, F);
		} else {
			B(&L->gate, "blk.%d.ffn_gate.weight", i, E, F, 0);
			B(&L->up, "blk.%d.ffn_up.weight", i, E, F, 0);
		}
		if (!a->moe)
			B(&L->down, "blk.%d.ffn_down.weight", i, F, E, 0);
		if (a->post_norm || a->norm_after) {
			B(&L->attn_post_norm,
			    "blk.%d.post_attention_norm.weight", i, E, 1, 0);
			B(&L->ffn_post_norm, "blk.%d.post_ffw_norm.weight", i,
			    E, 1, 0);
		}
	}
#undef B
#undef BV
	return LC_OK;
}

/*
 * RoPE as llama.cpp sets it up: rotated dimensions, frequency base,
 * scaling type (default linear; "none" turns any factor off): linear
 * (freq_scale = 1/rope.scaling.factor) or YaRN (the same, mixed with the
 * unscaled angles over rope.scaling.original_context_length), the
 * attention factor some converters write (phi3's LongRoPE), and the
 * per-dimension frequency factors of rope_freqs.weight (Llama 3.1+) or
 * of rope_factors_long/short.weight (phi3, by context length).
 * Sliding-window layers default to base 10000 unscaled; an
 * architecture's setup may change that.  Other scalings are refused.
 */
static int
rope_setup(lc_model *m, const char *path, lc_err *e)
{
	const char *arch = m->hp.arch, *st = "linear";
	char key[96];
	size_t len = 6;
	uint64_t nrot, orig;
	double factor = 0, attn = 1;
	int rc, yarn;

	m->n_rot = (int)m->hp.head_dim_k;
	snprintf(key, sizeof(key), "%s.rope.dimension_count", arch);
	if (lc_gguf_get_u64(m->g, key, &nrot, NULL) == LC_OK && nrot > 0 &&
	    nrot <= m->hp.head_dim_k && nrot % 2 == 0)
		m->n_rot = (int)nrot;
	snprintf(key, sizeof(key), "%s.rope.scaling.type", arch);
	if ((rc = lc_gguf_get_str(m->g, key, &st, &len, e)) != LC_OK &&
	    rc != LC_ENOTFOUND)
		return rc;
	snprintf(key, sizeof(key), "%s.rope.scaling.factor", arch);
	if ((rc = lc_gguf_get_f64(m->g, key, &factor, e)) == LC_ENOTFOUND) {
		snprintf(key, sizeof(key), "%s.rope.scale_linear", arch);
		rc = lc_gguf_get_f64(m->g, key, &factor, e);
	}
	if (rc != LC_OK && rc != LC_ENOTFOUND)
		return rc;
	snprintf(key, sizeof(key), "%s.rope.scaling.attn_factor", arch);
	if ((rc = lc_gguf_get_f64(m->g, key, &attn, e)) != LC_OK &&
	    rc != LC_ENOTFOUND)
		return rc;
	if (!(attn > 0 && attn < 1e3))
		return lc_errf(e, LC_EFORMAT, "%s: %s %g out of range", path,
		    key, attn);
	orig = m->hp.n_ctx_train;
	snprintf(key, sizeof(key), "%s.rope.scaling.original_context_length",
	    arch);
	if ((rc = lc_gguf_get_u64(m->g, key, &orig, e)) != LC_OK &&
	    rc != LC_ENOTFOUND)
		return rc;
	m->rope_base = m->hp.rope_base > 0 ? (float)m->hp.rope_base : 10000.0f;
	m->rope_scale = 1.0f;
	m->rope_base_swa = 10000.0f;
	m->rope_scale_swa = 1.0f;
	m->rope_ext_factor = 0.0f;
	m->rope_attn_factor = (float)attn;
	m->rope_n_ctx_orig = (float)(orig > 0 ? orig : 4096);
	if ((rc = bind(m, &m->rope_freqs, "rope_freqs.weight", 0,
	    m->n_rot / 2, 1, 1, e)) != LC_OK)
		return rc;
	/* LongRoPE (phi3): the long factors when the context exceeds the
	   original one, as llama_model::get_rope_factors */
	if (m->rope_freqs.data == NULL && (rc = bind(m, &m->rope_freqs,
	    m->n_ctx > m->rope_n_ctx_orig ? "rope_factors_long.weight" :
	    "rope_factors_short.weight", 0, m->n_rot / 2, 1, 1, e)) != LC_OK)
		return rc;
	if (len == 4 && memcmp(st, "none", 4) == 0)
		return LC_OK;
	yarn = len == 4 && memcmp(st, "yarn", 4) == 0;
	if (!yarn && !(len == 6 && memcmp(st, "linear", 6) == 0))
		return lc_errf(e, LC_EUNSUP, "%s: RoPE scaling '%.*s' is not "
		    "supported (supported: none, linear, yarn)", path,
		    (int)len, st);
	if (!(factor >= 0 && factor < 1e6))	/* NaN too */
		return lc_errf(e, LC_EFORMAT, "%s: RoPE scaling factor %g out "
		    "of range", path, factor);
	if (factor != 0)
		m->rope_scale = (float)(1.0 / factor);
	if (yarn && m->rope_scale < 1.0f)
		m->rope_ext_factor = 1.0f;
	return LC_OK;
}

static int
alloc_scratch(lc_model *m, lc_err *e)
{
	const lc_hparams *hp = &m->hp;
	lc_backend *b = m->b;
	lc_scratch *s = &m->s;
	int64_t nb = m->n_batch, E = hp->n_embd;
	int64_t Q = (int64_t)hp->n_head * hp->head_dim_k;
	int64_t K = (int64_t)hp->n_head_kv * hp->head_dim_k;
	int64_t Vd = (int64_t)hp->n_head_kv * hp->head_dim_v;
	uint32_t il;
	int rc;

#define A(t, w, n) if ((rc = b->ops->alloc(b, t, w, n, e)) != LC_OK) return rc
	A(&s->x, E, nb); A(&s->h, E, nb); A(&s->q, Q, nb); A(&s->k, K, nb);
	A(&s->v, Vd, nb); A(&s->att, Q, nb); A(&s->o, E, nb);
	A(&s->g, hp->n_ff, nb); A(&s->u, hp->n_ff, nb); A(&s->f, E, nb);
	A(&s->out, E, nb); A(&s->logits, hp->n_vocab, nb);
#undef A
	/* sliding-window layers keep their window and one batch, as
	   lc_memplan_make counts them */
	if ((m->kv_cells = calloc(hp->n_layer, sizeof(*m->kv_cells))) == NULL)
		return lc_errf(e, LC_ENOMEM, "KV cells");
	for (il = 0; il < hp->n_layer; il++)
		m->kv_cells[il] = il >= hp->n_layer - m->n_kv_shared ? 1 :
		    hp->swa_layer[il] && hp->n_swa > 0 &&
		    (int64_t)hp->n_swa + nb < (int64_t)m->n_ctx ?
		    (int64_t)hp->n_swa + nb : (int64_t)m->n_ctx;
	return b->ops->kv_init(b, (int)hp->n_layer, m->kv_cells,
	    K > Vd ? K : Vd, m->kv_dtype, e);
}

int
lc_model_can_reuse(const lc_model *m, int32_t n_cached, int32_t n_keep)
{
	const lc_hparams *hp = &m->hp;
	uint32_t il;

	if (n_keep <= 0 || n_keep > n_cached)
		return 0;
	/* a ring layer must still hold the window before n_keep: no
	   position in [n_keep, n_cached) may have taken its cell */
	for (il = 0; il < hp->n_layer - m->n_kv_shared; il++)
		if (m->kv_cells[il] < (int64_t)m->n_ctx &&
		    (int64_t)n_cached > (int64_t)n_keep - hp->n_swa +
		    m->kv_cells[il])
			return 0;
	return 1;
}

int
lc_model_open(lc_model **out, const char *path, lc_backend *b,
    const lc_model_opts *o, lc_err *e)
{
	static const lc_model_opts defaults = { .kv_dtype = LC_F16 };
	lc_model *m;
	size_t i;
	int rc;

	*out = NULL;
	if (o == NULL)
		o = &defaults;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return lc_errf(e, LC_ENOMEM, "%s", path);
	m->b = b;
	if ((rc = lc_gguf_open(&m->g, path, e)) != LC_OK ||
	    (rc = lc_hparams_gguf(&m->hp, m->g, e)) != LC_OK)
		goto fail;
	for (i = 0; i < sizeof(archs) / sizeof(archs[0]); i++)
		if (strcmp(archs[i]->name, m->hp.arch) == 0)
			m->arch = archs[i];
	if (m->arch == NULL) {
		rc = lc_errf(e, LC_EUNSUP, "%s: architecture '%s' is not "
		    "supported (supported: %s)", path, m->hp.arch,
		    lc_model_archs());
		goto fail;
	}
	if (m->hp.n_vocab == 0 || m->hp.n_ff == 0 ||
	    m->hp.head_dim_k != m->hp.head_dim_v) {
		rc = lc_errf(e, LC_EFORMAT, "%s: vocabulary, feed-forward or "
		    "head sizes missing or unequal", path);
		goto fail;
	}
	m->n_ctx = o->n_ctx ? o->n_ctx : m->hp.n_ctx_train ?
	    m->hp.n_ctx_train : 4096;
	if (o->n_ctx == 0 && m->n_ctx > 4096)
		m->n_ctx = 4096;
	/* beyond the trained context a model degrades silently: refuse
	   (a file with RoPE scaling states the scaled context) */
	if (m->hp.n_ctx_train && m->n_ctx > m->hp.n_ctx_train) {
		char key[96];
		lc_gguf_kv kv;

		snprintf(key, sizeof(key), "%s.rope.scaling.type", m->hp.arch);
		rc = lc_errf(e, LC_EINVAL, "%s: context %u exceeds the trained "
		    "context %u%s", path, m->n_ctx, m->hp.n_ctx_train,
		    lc_gguf_find_kv(m->g, key, &kv) == LC_OK ?
		    " (its RoPE scaling included)" :
		    " and the model has no RoPE scaling to extend it");
		goto fail;
	}
	m->n_batch = o->n_batch ? o->n_batch : 512;
	if (m->n_batch > m->n_ctx)
		m->n_batch = m->n_ctx;
	m->kv_dtype = o->kv_dtype;
	if (m->kv_dtype != LC_F16 && m->kv_dtype != LC_F32 &&
	    m->kv_dtype != LC_Q8_0) {
		rc = lc_errf(e, LC_EINVAL, "%s: KV cache type must be f16, f32 "
		    "or q8_0", path);
		goto fail;
	}
	if ((rc = rope_setup(m, path, e)) != LC_OK)
		goto fail;
	m->kq_scale = 1.0f / sqrtf((float)m->hp.head_dim_k);
	m->embd_scale = 1.0f;
	m->res_scale = 1.0f;
	m->logit_scale = 1.0f;
	if (m->arch->setup != NULL && (rc = m->arch->setup(m, e)) != LC_OK)
		goto fail;
	if ((m->layers = calloc(m->hp.n_layer, sizeof(*m->layers))) == NULL) {
		rc = lc_errf(e, LC_ENOMEM, "%s: layers", path);
		goto fail;
	}
	if ((rc = m->arch->bind != NULL ? m->arch->bind(m, e) :
	    bind_all(m, e)) != LC_OK || (rc = alloc_scratch(m, e)) != LC_OK)
		goto fail;
	*out = m;
	return LC_OK;
fail:
	lc_model_close(m);
	return rc;
}

void
lc_model_close(lc_model *m)
{
	lc_scratch *s;

	if (m == NULL)
		return;
	s = &m->s;
	if (m->b != NULL) {
		lc_tensor *t[] = { &s->x, &s->h, &s->q, &s->k, &s->v, &s->att,
		    &s->o, &s->g, &s->u, &s->f, &s->out, &s->logits, &s->r,
		    &s->xe, &s->ge, &s->ue, &s->pl, &s->plq, &s->plg,
		    &s->kvs[0], &s->kvs[1], &s->kvs[2], &s->kvs[3] };
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
			if (t[i]->data != NULL)
				m->b->ops->release(m->b, t[i]);
	}
	free(m->layers);
	free(m->exps);
	free(m->arch_mem);
	free(m->kv_cells);
	lc_gguf_close(m->g);
	free(m);
}

const lc_hparams *lc_model_hparams(const lc_model *m) { return &m->hp; }
const lc_gguf *lc_model_gguf(const lc_model *m) { return m->g; }
uint32_t lc_model_n_ctx(const lc_model *m) { return m->n_ctx; }

void
lc_model_reset(lc_model *m)
{
	m->b->ops->kv_clear(m->b);
}

int
lc_model_eval(lc_model *m, const int32_t *ids, int n, int32_t pos0, int all,
    float *logits, lc_err *e)
{
	const lc_backend_ops *op = m->b->ops;
	int32_t pos[4096];
	int i, done, k, n_out, rc;

	if (m->arch->forward == NULL)
		return lc_errf(e, LC_EUNSUP, "%s: architecture '%s' gives "
		    "embeddings, not logits", lc_gguf_name(m->g), m->hp.arch);
	if (n <= 0 || pos0 < 0 || (int64_t)pos0 + n > (int64_t)m->n_ctx)
		return lc_errf(e, LC_EINVAL, "positions %d..%d outside the "
		    "context of %u", pos0, pos0 + n - 1, m->n_ctx);
	for (i = 0; i < n; i++)
		if (ids[i] < 0 || (uint32_t)ids[i] >= m->hp.n_vocab)
			return lc_errf(e, LC_EINVAL, "token id %d outside the "
			    "vocabulary of %u", ids[i], m->hp.n_vocab);
	for (done = 0; done < n; done += k) {
		k = n - done;
		if (k > (int)m->n_batch)
			k = (int)m->n_batch;
		if (k > (int)(sizeof(pos) / sizeof(pos[0])))
			k = (int)(sizeof(pos) / sizeof(pos[0]));
		for (i = 0; i < k; i++)
			pos[i] = pos0 + done + i;
		n_out = all ? k : done + k == n ? 1 : 0;
		/* the logits are read inside the step, so a GPU backend
		   copies them in its one command buffer; they are in
		   host memory once end() returns */
		op->begin(m->b);
		m->arch->forward(m, ids + done, pos, k, n_out > 0 ? n_out : 1);
		for (i = 0; logits != NULL && i < n_out; i++)
			op->read(m->b, &m->s.logits, i, logits +
			    (size_t)(all ? done + i : 0) * m->hp.n_vocab);
		if ((rc = op->end(m->b, e)) != LC_OK)
			return rc;
		if (logits == NULL || n_out == 0)
			continue;
		if (m->softcap > 0)	/* as ggml: scale, tanh, scale */
			for (i = 0; i < n_out * (int)m->hp.n_vocab; i++)
				logits[(size_t)(all ? done : 0) *
				    m->hp.n_vocab + (size_t)i] = m->softcap *
				    tanhf(logits[(size_t)(all ? done : 0) *
				    m->hp.n_vocab + (size_t)i] *
				    (1.0f / m->softcap));
	}
	return LC_OK;
}

/* embedding batches of this many tokens or more use BLAS GEMM where
   the backend offers it (measured: bench/embed-vs-st.sh) */
#define LC_EMBED_GEMM_MIN	32

typedef const lc_tensor *hidden_pass(lc_model *, const int32_t *,
    const int32_t *, const int32_t *, int);

/* the embedding pass of m's architecture, or NULL */
static hidden_pass *
hidden_fn(const lc_model *m)
{
	if (m->arch->hidden != NULL)
		return m->arch->hidden;
	/* the llama family's, where no layer has a sliding window */
	return m->arch->forward == lc_llama_forward && m->hp.n_swa == 0 ?
	    lc_llama_hidden : NULL;
}

int lc_model_has_hidden(const lc_model *m) { return hidden_fn(m) != NULL; }
int lc_model_has_logits(const lc_model *m) { return m->arch->forward != NULL; }
uint32_t lc_model_n_batch(const lc_model *m) { return m->n_batch; }

/*
 * lc_model_hidden (pooling LC_POOL_NONE: every token's hidden state to
 * out) and lc_model_pooled (one vector per sequence, pooled on the
 * backend by its pool op; only those come back).
 */
static int
hidden_run(lc_model *m, const int32_t *ids, const int32_t *len, int n_seq,
    int pooling, float *out, lc_err *e)
{
	hidden_pass *fn = hidden_fn(m);
	const lc_backend_ops *op = m->b->ops;
	const lc_tensor *hs;
	lc_tensor x, y;
	int32_t *pos, *seq, *start = NULL;
	int64_t done = 0, t;
	int s0, s1, s, n, i, rc = LC_OK;

	if (fn == NULL)
		return lc_errf(e, LC_EUNSUP, "%s: architecture '%s' has no "
		    "embedding pass", lc_gguf_name(m->g), m->hp.arch);
	if (pooling != LC_POOL_NONE && pooling != LC_POOL_MEAN &&
	    pooling != LC_POOL_CLS && pooling != LC_POOL_LAST)
		return lc_errf(e, LC_EINVAL, "pooling %d unknown", pooling);
	if (pooling != LC_POOL_NONE && op->pool == NULL)
		return lc_errf(e, LC_EUNSUP, "backend %s cannot pool", op->name);
	for (s = 0; s < n_seq; s++)
		if (len[s] <= 0 || (uint32_t)len[s] > m->n_ctx ||
		    (uint32_t)len[s] > m->n_batch)
			return lc_errf(e, LC_EINVAL, "sequence of %d tokens "
			    "outside 1..%u", len[s], m->n_ctx < m->n_batch ?
			    m->n_ctx : m->n_batch);
	seq = NULL;
	if ((pos = malloc(m->n_batch * sizeof(*pos))) == NULL ||
	    (seq = malloc(m->n_batch * sizeof(*seq))) == NULL ||
	    (start = malloc((m->n_batch + 1) * sizeof(*start))) == NULL) {
		free(pos);
		free(seq);
		return lc_errf(e, LC_ENOMEM, "embedding batch");
	}
	for (s0 = 0; s0 < n_seq; s0 = s1) {
		/* whole sequences, as many as n_batch tokens hold */
		for (n = 0, s1 = s0; s1 < n_seq && n + len[s1] <=
		    (int)m->n_batch; s1++) {
			start[s1 - s0] = n;
			for (i = 0; i < len[s1]; i++) {
				pos[n + i] = i;
				seq[n + i] = s1 - s0;
			}
			n += len[s1];
		}
		start[s1 - s0] = n;
		for (t = done; t < done + n; t++)
			if (ids[t] < 0 || (uint32_t)ids[t] >= m->hp.n_vocab) {
				rc = lc_errf(e, LC_EINVAL, "token id %d outside "
				    "the vocabulary of %u", ids[t],
				    m->hp.n_vocab);
				goto out;
			}
		if (op->gemm_min_batch != NULL)
			op->gemm_min_batch(m->b, LC_EMBED_GEMM_MIN);
		op->begin(m->b);
		hs = fn(m, ids + done, pos, seq, n);
		if (pooling != LC_POOL_NONE) {
			/* into a scratch tensor of n_embd rows the pass's
			   result is not; read within the step */
			x = lc_cols(hs, n);
			y = lc_cols(hs == &m->s.h ? &m->s.o : &m->s.h, s1 - s0);
			op->pool(m->b, pooling, &x, start, s1 - s0, &y);
			for (s = s0; s < s1; s++)
				op->read(m->b, &y, s - s0, out + (size_t)s *
				    m->hp.n_embd);
		}
		rc = op->end(m->b, e);
		if (op->gemm_min_batch != NULL)
			op->gemm_min_batch(m->b, 0);
		if (rc != LC_OK)
			goto out;
		for (i = 0; pooling == LC_POOL_NONE && i < n; i++)
			op->read(m->b, hs, i, out + (size_t)(done + i) *
			    m->hp.n_embd);
		done += n;
	}
out:
	free(pos);
	free(seq);
	free(start);
	return rc;
}

int
lc_model_hidden(lc_model *m, const int32_t *ids, const int32_t *len,
    int n_seq, float *hidden, lc_err *e)
{
	return hidden_run(m, ids, len, n_seq, LC_POOL_NONE, hidden, e);
}

int
lc_model_pooled(lc_model *m, const int32_t *ids, const int32_t *len,
    int n_seq, int pooling, float *pooled, lc_err *e)
{
	if (pooling == LC_POOL_NONE)
		return lc_errf(e, LC_EINVAL, "pooling none has no vector per "
		    "sequence");
	return hidden_run(m, ids, len, n_seq, pooling, pooled, e);
}
