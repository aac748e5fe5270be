/*
 * embed.c - texts to pooled embedding vectors (see embed.h).
 *
 * Each text is tokenized without special tokens, cut (or refused) to
 * leave room for them, and wrapped in them as the tokenizer says
 * ([CLS] ... [SEP] for BERT), which is how Hugging Face truncates.
 * The sequences of a call go to the model together, packed without
 * padding: pooled on its backend (lc_model_pooled, only the pooled
 * vectors come back), or with pooling none every token's hidden state
 * (lc_model_hidden); normalization runs here, in double.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embed.h"
#include "utf8.h"

struct lc_embed {
	lc_model	*m;
	const lc_tok	*t;
	lc_embed_opts	 o;
	int		 pooling;
	uint32_t	 dim, max_tokens;
	char		*buf;		/* prefix + text */
	size_t		 bufcap;
	int32_t		*ids;		/* one text's tokens */
	size_t		 nids, capids;
	int32_t		*all;		/* the call's sequences, packed */
	size_t		 nall, capall;
	int32_t		*len;		/* per item: tokens, 0 if it failed */
	size_t		 caplen;
	float		*hidden;	/* nall x dim, or one vector a text */
	size_t		 caphidden;
};

static const char *const pool_names[] = { "none", "mean", "cls", "last" };

const char *
lc_pooling_name(int pooling)
{
	if (pooling < 0 || pooling > LC_POOL_LAST)
		return NULL;
	return pool_names[pooling];
}

int
lc_pooling_parse(const char *s)
{
	int i;

	for (i = 0; i <= LC_POOL_LAST; i++)
		if (strcmp(s, pool_names[i]) == 0)
			return i;
	return -2;
}

int
lc_embed_new(lc_embed **out, lc_model *m, const lc_tok *t,
    const lc_embed_opts *o, lc_err *e)
{
	static const lc_embed_opts defaults = { .pooling = LC_POOL_MODEL,
	    .normalize = 1 };
	const lc_hparams *hp = lc_model_hparams(m);
	const lc_gguf *g = lc_model_gguf(m);
	uint32_t lim;
	uint64_t v;
	char key[64];
	lc_embed *em;
	int rc;

	*out = NULL;
	if (o == NULL)
		o = &defaults;
	if (!lc_model_has_hidden(m))
		return lc_errf(e, LC_EUNSUP, "%s: architecture '%s' has no "
		    "embedding pass", lc_gguf_name(g), hp->arch);
	if (o->pooling < LC_POOL_MODEL || o->pooling > LC_POOL_LAST)
		return lc_errf(e, LC_EINVAL, "pooling %d unknown", o->pooling);
	if ((em = calloc(1, sizeof(*em))) == NULL)
		return lc_errf(e, LC_ENOMEM, "embedder");
	em->m = m;
	em->t = t;
	em->o = *o;
	em->dim = hp->n_embd;
	em->pooling = o->pooling;
	if (em->pooling == LC_POOL_MODEL) {
		snprintf(key, sizeof(key), "%s.pooling_type", hp->arch);
		if ((rc = lc_gguf_get_u64(g, key, &v, e)) == LC_OK) {
			if (v > LC_POOL_LAST) {
				lc_embed_free(em);
				return lc_errf(e, LC_EUNSUP, "%s: key '%s': "
				    "pooling %llu is not supported (none, "
				    "mean, cls, last)", lc_gguf_name(g), key,
				    (unsigned long long)v);
			}
			em->pooling = (int)v;
		} else if (rc == LC_ENOTFOUND) {
			em->pooling = hp->causal ? LC_POOL_LAST : LC_POOL_MEAN;
		} else {
			lc_embed_free(em);
			return rc;
		}
	}
	lim = lc_model_n_ctx(m) < lc_model_n_batch(m) ? lc_model_n_ctx(m) :
	    lc_model_n_batch(m);
	em->max_tokens = o->max_tokens > 0 && o->max_tokens < lim ?
	    o->max_tokens : lim;
	if (em->max_tokens < (uint32_t)(lc_tok_add_bos(t) + lc_tok_add_eos(t)) +
	    1) {
		lim = em->max_tokens;
		lc_embed_free(em);
		return lc_errf(e, LC_EINVAL, "at most %u tokens per text leaves "
		    "no room for text", lim);
	}
	*out = em;
	return LC_OK;
}

void
lc_embed_free(lc_embed *em)
{
	if (em == NULL)
		return;
	free(em->buf);
	free(em->ids);
	free(em->all);
	free(em->len);
	free(em->hidden);
	free(em);
}

uint32_t lc_embed_dim(const lc_embed *em) { return em->dim; }
int lc_embed_pooling(const lc_embed *em) { return em->pooling; }
uint32_t lc_embed_max_tokens(const lc_embed *em) { return em->max_tokens; }

/* grows *p (of *cap elements of size sz) to hold need elements */
static int
grow(void *p, size_t *cap, size_t need, size_t sz)
{
	void *q;
	size_t n = *cap ? *cap : 256;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if ((q = realloc(*(void **)p, n * sz)) == NULL)
		return -1;
	*(void **)p = q;
	*cap = n;
	return 0;
}

/* Tokenizes item it into em->ids, wrapped in the special tokens. */
static int
tokenize(lc_embed *em, lc_embed_item *it, lc_err *e)
{
	const char *pre = em->o.prefix ? em->o.prefix : "";
	size_t plen = strlen(pre), ok, keep;
	int bos = lc_tok_add_bos(em->t) && lc_tok_bos(em->t) >= 0;
	int eos = lc_tok_add_eos(em->t) && lc_tok_eos(em->t) >= 0;
	int rc;

	if ((ok = lc_utf8_valid((const unsigned char *)it->text, it->len)) !=
	    it->len)
		return lc_errf(e, LC_EINVAL, "text is not valid UTF-8 (byte "
		    "%zu)", ok);
	if (grow(&em->buf, &em->bufcap, plen + it->len + 1, 1) != 0)
		return lc_errf(e, LC_ENOMEM, "text of %zu bytes", it->len);
	memcpy(em->buf, pre, plen);
	memcpy(em->buf + plen, it->text, it->len);
	em->buf[plen + it->len] = '\0';
	em->nids = 0;
	if (bos) {
		if (grow(&em->ids, &em->capids, 1, sizeof(int32_t)) != 0)
			return lc_errf(e, LC_ENOMEM, "tokens");
		em->ids[em->nids++] = lc_tok_bos(em->t);
	}
	/* special tokens written in the text are matched, as HF does */
	if ((rc = lc_tok_encode(em->t, em->buf, plen + it->len, 0, 1,
	    &em->ids, &em->nids, &em->capids, e)) != LC_OK)
		return rc;
	it->n_tok_text = (int)(em->nids + (size_t)eos > (size_t)INT32_MAX ?
	    INT32_MAX : em->nids + (size_t)eos);
	keep = em->max_tokens - (size_t)eos;
	if (em->nids > keep) {
		if (!em->o.truncate)
			return lc_errf(e, LC_EINVAL, "text of %zu tokens "
			    "exceeds the limit of %u (truncate to embed its "
			    "start)", em->nids + (size_t)eos, em->max_tokens);
		em->nids = keep;
	}
	if (eos) {
		if (grow(&em->ids, &em->capids, em->nids + 1,
		    sizeof(int32_t)) != 0)
			return lc_errf(e, LC_ENOMEM, "tokens");
		em->ids[em->nids++] = lc_tok_eos(em->t);
	}
	if (em->nids == 0)
		return lc_errf(e, LC_EINVAL, "text has no tokens");
	it->n_tok = (int)em->nids;
	return LC_OK;
}

/* the nvec vectors h (nvec x dim) of one text into v, normalized if
   asked */
static void
finish(const lc_embed *em, const float *h, size_t nvec, float *v)
{
	size_t d, i, dim = em->dim;
	double norm;

	memcpy(v, h, nvec * dim * sizeof(float));
	if (!em->o.normalize)
		return;
	/* each vector (each token's with pooling none) to unit length */
	for (i = 0; i < nvec; i++) {
		float *p = v + (size_t)i * dim;
		for (norm = 0, d = 0; d < dim; d++)
			norm += (double)p[d] * p[d];
		norm = sqrt(norm);
		if (norm < 1e-12)
			norm = 1e-12;
		for (d = 0; d < dim; d++)
			p[d] = (float)(p[d] / norm);
	}
}

int
lc_embed_run(lc_embed *em, lc_embed_item *items, size_t n, lc_err *e)
{
	size_t i, k, off, nvec;
	int rc;

	if (grow(&em->len, &em->caplen, n, sizeof(int32_t)) != 0)
		return lc_errf(e, LC_ENOMEM, "%zu texts", n);
	em->nall = 0;
	for (i = 0; i < n; i++) {
		lc_embed_item *it = &items[i];
		it->vec = NULL;
		it->n_tok = it->n_tok_text = 0;
		it->err.code = it->err.sys = 0;
		it->err.msg[0] = '\0';
		em->len[i] = 0;
		if ((it->rc = tokenize(em, it, &it->err)) != LC_OK) {
			if (it->rc == LC_ENOMEM) {
				*e = it->err;
				return LC_ENOMEM;
			}
			continue;
		}
		if (grow(&em->all, &em->capall, em->nall + em->nids,
		    sizeof(int32_t)) != 0)
			return lc_errf(e, LC_ENOMEM, "tokens of %zu texts", n);
		memcpy(em->all + em->nall, em->ids, em->nids * sizeof(int32_t));
		em->nall += em->nids;
		em->len[i] = (int32_t)em->nids;
	}
	/* the sequences that tokenized, in order */
	for (i = 0, k = 0; i < n; i++)
		if (em->len[i] > 0)
			em->len[k++] = em->len[i];
	if (k == 0)
		return LC_OK;
	if (grow(&em->hidden, &em->caphidden, (em->pooling == LC_POOL_NONE ?
	    em->nall : k) * em->dim, sizeof(float)) != 0)
		return lc_errf(e, LC_ENOMEM, "hidden states of %zu tokens",
		    em->nall);
	rc = em->pooling == LC_POOL_NONE ? lc_model_hidden(em->m, em->all,
	    em->len, (int)k, em->hidden, e) : lc_model_pooled(em->m, em->all,
	    em->len, (int)k, em->pooling, em->hidden, e);
	if (rc != LC_OK)
		return rc;
	for (i = 0, off = 0; i < n; i++) {
		lc_embed_item *it = &items[i];
		if (it->rc != LC_OK)
			continue;
		nvec = em->pooling == LC_POOL_NONE ? (size_t)it->n_tok : 1;
		if ((it->vec = malloc(nvec * em->dim * sizeof(float))) == NULL) {
			for (k = 0; k < i; k++) {
				free(items[k].vec);
				items[k].vec = NULL;
			}
			return lc_errf(e, LC_ENOMEM, "embeddings");
		}
		finish(em, em->hidden + off * em->dim, nvec, it->vec);
		off += nvec;
	}
	return LC_OK;
}

double
lc_embed_cosine(const float *a, const float *b, size_t n)
{
	double ab = 0, aa = 0, bb = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		ab += (double)a[i] * b[i];
		aa += (double)a[i] * a[i];
		bb += (double)b[i] * b[i];
	}
	if (aa == 0 || bb == 0)
		return 0;
	return ab / (sqrt(aa) * sqrt(bb));
}
