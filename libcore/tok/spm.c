/*
 * spm.c - SentencePiece BPE (tokenizer.ggml.model "llama") as Hugging
 * Face tokenizers runs a converted SentencePiece model: spaces become
 * U+2581, the text is cut into characters, a character that is not a
 * token becomes the tokens of its bytes, <0xNN> (byte fallback), then
 * the best pair of adjacent symbols whose concatenation is a token
 * merges, again and again.
 *
 * "Best" is the order of the merges transformers recovers from the
 * vocabulary (generate_merges): the token the pair makes, by score,
 * higher first (for Gemma by position in the vocabulary, lower first, as
 * transformers' GGUF loader does), then the longer left part, the longer
 * right part, the lower token id; the same pair twice merges leftmost
 * first.  llama.cpp (llm_tokenizer_spm) orders by score, then position,
 * and lets a character with no token of its own merge before it falls
 * back to bytes; tests/oracle/tok_README says where the two differ.
 * A binary heap over a linked list of symbols keeps a text of n
 * characters at O(n log n).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tok_impl.h"

#define SPM_SPACE	"\xe2\x96\x81"	/* U+2581, stands for ' ' */

struct lc_spm_sym {
	size_t		 start;		/* in the escaped text */
	uint32_t	 len;		/* bytes there; 0: merged away */
	uint32_t	 ncp;		/* codepoints of its text */
	int32_t		 id, prev, next;
	int		 own;		/* its text is the token's, not
					   buf's (byte fallback, unk) */
};

struct lc_spm_heap {
	uint32_t	 rank;		/* t->mrank[id] */
	uint16_t	 lenl, lenr;	/* codepoints of the parts */
	int32_t		 id;		/* the token they make */
	int32_t		 l, r, idr;	/* symbols; r's id at push */
};

/* ---- loading ---- */

/* Python's str.isspace(): White_Space and the separators 0x1C-0x1F. */
static int
py_space(uint32_t cp)
{
	return (cp >= 0x1C && cp <= 0x1F) || (lc_uc_flags(cp) & LC_UC_SPACE);
}

/* Codepoints of a token text (continuation bytes not counted). */
static uint32_t
cplen(const char *s, size_t n)
{
	uint32_t k = 0;
	size_t i;

	for (i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

/*
 * transformers' gemma builder respells every token made of whitespace
 * that holds a space (llama.cpp's converter wrote Gemma's runs of U+2581
 * as real spaces) as that many U+2581, so merges make them; they are
 * then not split out of text as user-defined tokens.
 */
static int
respell_runs(lc_tok *t, lc_err *e)
{
	const unsigned char *s;
	size_t len, i, maxk = 0, k;
	uint32_t v, cp;
	int r, space;

	for (v = 0; v < t->n; v++) {
		s = (const unsigned char *)t->text + t->toff[v];
		len = t->toff[v + 1] - t->toff[v];
		space = 0;
		for (i = 0, k = 0; i < len; i += (size_t)r, k++) {
			if ((r = lc_utf8_dec(s + i, len - i, &cp)) <= 0 ||
			    !py_space(cp))
				break;
			space |= cp == ' ';
		}
		if (len == 0 || i < len || !space)
			continue;
		t->attr[v] |= LC_TOKA_RESPELL;
		if (k > maxk)
			maxk = k;
	}
	if (maxk == 0)
		return LC_OK;
	if ((t->sprun = malloc((maxk + 1) * sizeof(*t->sprun))) == NULL)
		return lc_errf(e, LC_ENOMEM, "tokenizer: no memory");
	t->nsprun = maxk + 1;
	for (k = 0; k <= maxk; k++)
		t->sprun[k] = -1;
	/* a text listed twice is its last id, as in the Python dict */
	for (v = 0; v < t->n; v++)
		if (t->attr[v] & LC_TOKA_RESPELL)
			t->sprun[cplen(t->text + t->toff[v], t->toff[v + 1] -
			    t->toff[v])] = (int32_t)v;
	return LC_OK;
}

struct score {
	double		 s;
	uint32_t	 id;
};

static int
score_cmp(const void *x, const void *y)
{
	const struct score *a = x, *b = y;

	if (a->s != b->s)
		return a->s > b->s ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* mrank = dense rank of the score, highest score 0 (missing: all 0). */
static int
score_ranks(lc_tok *t, const lc_gguf *g, lc_err *e)
{
	lc_gguf_kv kv;
	struct score *sc;
	uint64_t k;
	uint32_t v, rank;

	if (lc_gguf_find_kv(g, "tokenizer.ggml.scores", &kv) != LC_OK) {
		memset(t->mrank, 0, t->n * sizeof(*t->mrank));
		return LC_OK;
	}
	if (kv.type != LC_GGUF_ARRAY)
		return lc_errf(e, LC_EFORMAT,
		    "tokenizer.ggml.scores: not an array");
	if (kv.n != t->n)
		return lc_errf(e, LC_EFORMAT,
		    "tokenizer.ggml.scores: %llu scores for %u tokens",
		    (unsigned long long)kv.n, t->n);
	if ((sc = malloc(t->n * sizeof(*sc))) == NULL)
		return lc_errf(e, LC_ENOMEM,
		    "tokenizer.ggml.scores: no memory");
	for (k = 0; k < kv.n; k++) {
		if (lc_gguf_kv_f64(&kv, k, &sc[k].s) != 0) {
			free(sc);
			return lc_errf(e, LC_EFORMAT,
			    "tokenizer.ggml.scores[%llu]: not a number",
			    (unsigned long long)k);
		}
		if (isnan(sc[k].s))
			sc[k].s = -HUGE_VAL;
		sc[k].id = (uint32_t)k;
	}
	qsort(sc, t->n, sizeof(*sc), score_cmp);
	for (v = 0, rank = 0; v < t->n; v++) {
		if (v > 0 && sc[v].s != sc[v - 1].s)
			rank++;
		t->mrank[sc[v].id] = rank;
	}
	free(sc);
	return LC_OK;
}

int
lc_spm_load(lc_tok *t, const lc_gguf *g, lc_err *e)
{
	static const char *const gemma[] = { "gemma", "gemma2", "gemma3" };
	const char *s;
	size_t len, k;
	uint32_t v;
	int rc, respell = 0;

	rc = lc_gguf_get_str(g, "general.architecture", &s, &len, e);
	if (rc != LC_OK && rc != LC_ENOTFOUND)
		return rc;
	for (k = 0; rc == LC_OK && k < sizeof(gemma) / sizeof(gemma[0]); k++)
		if (len == strlen(gemma[k]) && memcmp(s, gemma[k], len) == 0)
			respell = 1;
	if ((t->mrank = malloc(t->n * sizeof(*t->mrank))) == NULL)
		return lc_errf(e, LC_ENOMEM, "tokenizer: no memory");
	if (!respell)
		return score_ranks(t, g, e);
	/* Gemma's file scores the special tokens -1000, out of merge order;
	   transformers ranks by position instead */
	for (v = 0; v < t->n; v++)
		t->mrank[v] = v;
	return respell_runs(t, e);
}

int32_t
lc_spm_find(const lc_tok *t, const char *s, size_t len)
{
	int32_t id, r;
	size_t k;

	id = lc_tok_find(t, s, len);
	if (id >= 0 && (t->attr[id] & LC_TOKA_RESPELL))
		id = -1;		/* its raw spelling is not the key */
	if (t->nsprun == 0 || len == 0 || len % 3 != 0)
		return id;
	for (k = 0; k < len; k += 3)
		if (memcmp(s + k, SPM_SPACE, 3) != 0)
			return id;
	k = len / 3;
	if (k < t->nsprun && (r = t->sprun[k]) > id)
		id = r;
	return id;
}

/* ---- merging ---- */

static int
heap_less(const struct lc_spm_heap *x, const struct lc_spm_heap *y)
{
	if (x->rank != y->rank)
		return x->rank < y->rank;
	if (x->lenl != y->lenl)
		return x->lenl > y->lenl;
	if (x->lenr != y->lenr)
		return x->lenr > y->lenr;
	if (x->id != y->id)
		return x->id < y->id;
	return x->l < y->l;
}

static int
heap_push(lc_spm_scratch *s, size_t *hn, const struct lc_spm_heap *x)
{
	struct lc_spm_heap *h;
	size_t i, p, cap;

	if (*hn == s->hcap) {
		cap = s->hcap ? 2 * s->hcap : 256;
		if (cap > SIZE_MAX / sizeof(*h) ||
		    (h = realloc(s->heap, cap * sizeof(*h))) == NULL)
			return -1;
		s->heap = h;
		s->hcap = cap;
	}
	h = s->heap;
	i = (*hn)++;
	while (i > 0) {
		p = (i - 1) / 2;
		if (!heap_less(x, &h[p]))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = *x;
	return 0;
}

static struct lc_spm_heap
heap_pop(lc_spm_scratch *s, size_t *hn)
{
	struct lc_spm_heap *h = s->heap, top = h[0], x;
	size_t i = 0, c, n;

	n = --*hn;
	x = h[n];
	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n && heap_less(&h[c + 1], &h[c]))
			c++;
		if (!heap_less(&h[c], &x))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = x;
	return top;
}

/* Appends the text of symbol y to s->cat at *k; -1 on ENOMEM. */
static int
cat_sym(const lc_tok *t, lc_spm_scratch *s, const struct lc_spm_sym *y,
    size_t *k)
{
	const char *p;
	size_t n, cap;
	char *c;

	if (y->own) {
		p = t->text + t->toff[y->id];
		n = t->toff[y->id + 1] - t->toff[y->id];
	} else {
		p = s->buf + y->start;
		n = y->len;
	}
	if (*k + n > s->catcap) {
		cap = 2 * (*k + n);
		if ((c = realloc(s->cat, cap)) == NULL)
			return -1;
		s->cat = c;
		s->catcap = cap;
	}
	memcpy(s->cat + *k, p, n);
	*k += n;
	return 0;
}

/* Pushes the pair of symbols l, r if their texts make a token. */
static int
push_pair(const lc_tok *t, lc_spm_scratch *s, size_t *hn, int32_t l,
    int32_t r)
{
	const struct lc_spm_sym *a = &s->sym[l], *b = &s->sym[r];
	struct lc_spm_heap x;
	size_t k = 0;
	int32_t id;

	if (!a->own && !b->own)		/* neighbours in buf */
		id = lc_spm_find(t, s->buf + a->start, (size_t)a->len + b->len);
	else {
		if (cat_sym(t, s, a, &k) != 0 || cat_sym(t, s, b, &k) != 0)
			return -1;
		id = lc_spm_find(t, s->cat, k);
	}
	if (id < 0)
		return 0;
	x.rank = t->mrank[id];
	x.lenl = (uint16_t)(a->ncp < 0xFFFF ? a->ncp : 0xFFFF);
	x.lenr = (uint16_t)(b->ncp < 0xFFFF ? b->ncp : 0xFFFF);
	x.id = id;
	x.l = l;
	x.r = r;
	x.idr = b->id;
	return heap_push(s, hn, &x);
}

static void
add_sym(lc_spm_scratch *s, size_t *n, size_t start, uint32_t len,
    uint32_t ncp, int32_t id, int own)
{
	struct lc_spm_sym *y = &s->sym[*n];

	y->start = start;
	y->len = len;
	y->ncp = ncp;
	y->id = id;
	y->prev = (int32_t)*n - 1;
	y->next = (int32_t)*n + 1;
	y->own = own;
	++*n;
}

static uint32_t
tok_cplen(const lc_tok *t, int32_t id)
{
	return cplen(t->text + t->toff[id], t->toff[id + 1] - t->toff[id]);
}

/* The escaped text in s->buf: ' ' -> U+2581, U+2581 first if prefix. */
static int
escape(lc_spm_scratch *s, const char *text, size_t n, int prefix,
    size_t *blen)
{
	size_t i, k = 0, need;
	char *b;

	if (n > (SIZE_MAX - 3) / 3)
		return -1;
	need = 3 * n + 3;
	if (need > s->bufcap) {
		if ((b = realloc(s->buf, need)) == NULL)
			return -1;
		s->buf = b;
		s->bufcap = need;
	}
	if (prefix) {
		memcpy(s->buf, SPM_SPACE, 3);
		k = 3;
	}
	for (i = 0; i < n; i++) {
		if (text[i] == ' ') {
			memcpy(s->buf + k, SPM_SPACE, 3);
			k += 3;
		} else
			s->buf[k++] = text[i];
	}
	*blen = k;
	return 0;
}

/* One symbol per character of s->buf[0..blen); byte fallback. */
static int
symbols(const lc_tok *t, lc_spm_scratch *s, size_t blen, size_t *nsym)
{
	const unsigned char *p = (const unsigned char *)s->buf;
	struct lc_spm_sym *y;
	size_t i, k, n = 0, cap;
	uint32_t cp;
	int32_t id;
	int r, unk_open = 0;

	if (blen > (size_t)INT32_MAX / 4)
		return -1;
	if (blen > s->cap) {
		cap = s->cap ? s->cap : 256;
		while (cap < blen)
			cap *= 2;
		if ((y = realloc(s->sym, cap * sizeof(*y))) == NULL)
			return -1;
		s->sym = y;
		s->cap = cap;
	}
	for (i = 0; i < blen; i += (size_t)r) {
		if ((r = lc_utf8_dec(p + i, blen - i, &cp)) <= 0) {
			r = 1;		/* invalid UTF-8: a byte alone */
			id = -1;
		} else
			id = lc_spm_find(t, s->buf + i, (size_t)r);
		if (id >= 0) {
			add_sym(s, &n, i, (uint32_t)r, 1, id, 0);
			unk_open = 0;
			continue;
		}
		for (k = 0; k < (size_t)r && t->byte_tok[p[i + k]] >= 0; k++)
			;
		if (k == (size_t)r) {
			for (k = 0; k < (size_t)r; k++) {
				id = t->byte_tok[p[i + k]];
				add_sym(s, &n, i + k, 1, tok_cplen(t, id), id,
				    1);
			}
			unk_open = 0;
			continue;
		}
		/* no byte token either: unknown, runs fused (fuse_unk);
		   dropped when there is no unknown token */
		if (t->unk < 0)
			continue;
		if (unk_open) {
			s->sym[n - 1].len += (uint32_t)r;
			continue;
		}
		add_sym(s, &n, i, (uint32_t)r, tok_cplen(t, t->unk), t->unk, 1);
		unk_open = 1;
	}
	if (n > 0)
		s->sym[n - 1].next = -1;
	*nsym = n;
	return 0;
}

int
lc_spm_text(const lc_tok *t, lc_spm_scratch *s, const char *text,
    size_t n, int prefix, int32_t **ids, size_t *nids, size_t *cap)
{
	struct lc_spm_sym *a, *b;
	struct lc_spm_heap top;
	size_t blen, nsym, hn = 0, i;
	int32_t l, r;

	if (n == 0 && !prefix)
		return 0;
	if (escape(s, text, n, prefix, &blen) != 0 ||
	    symbols(t, s, blen, &nsym) != 0)
		return -1;
	for (i = 0; i + 1 < nsym; i++)
		if (push_pair(t, s, &hn, (int32_t)i, (int32_t)i + 1) != 0)
			return -1;
	while (hn > 0) {
		top = heap_pop(s, &hn);
		l = top.l;
		r = top.r;
		a = &s->sym[l];
		if (a->len == 0 || a->next != r || s->sym[r].id != top.idr)
			continue;	/* stale: a side has changed */
		b = &s->sym[r];
		a->id = top.id;
		a->len += b->len;
		a->ncp += b->ncp;
		a->own |= b->own;
		b->len = 0;
		a->next = b->next;
		if (b->next >= 0)
			s->sym[b->next].prev = l;
		if (a->prev >= 0 && push_pair(t, s, &hn, a->prev, l) != 0)
			return -1;
		if (a->next >= 0 && push_pair(t, s, &hn, l, a->next) != 0)
			return -1;
	}
	/* symbol 0 only ever grows to the right: it starts the list */
	for (l = nsym > 0 ? 0 : -1; l >= 0; l = s->sym[l].next)
		if (lc_tok_push_id(ids, nids, cap, s->sym[l].id) != 0)
			return -1;
	return 0;
}

void
lc_spm_scratch_free(lc_spm_scratch *s)
{
	free(s->sym);
	free(s->heap);
	free(s->buf);
	free(s->cat);
	memset(s, 0, sizeof(*s));
}
