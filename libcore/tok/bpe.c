/*
 * bpe.c - byte-level BPE: the merge table and the merging of one
 * pre-tokenized word, as Hugging Face tokenizers does it (models/bpe:
 * Word::merge_all) and llama.cpp (llm_tokenizer_bpe_session): the pair
 * of lowest rank merges first, ties go to the leftmost pair.  Merging
 * uses a binary heap over a linked list of symbols, so a word of n bytes
 * costs O(n log n) however long it is.  Raw BPE (Gemma 4, llama.cpp's
 * LLAMA_VOCAB_PRE_TYPE_GEMMA4) merges the same way on UTF-8 text whose
 * spaces are U+2581, with <0xNN> tokens for bytes (HF's byte_fallback).
 */
#include <stdlib.h>
#include <string.h>

#include "tok_impl.h"

uint32_t
lc_bytelevel_cp(unsigned b)
{
	if ((b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) ||
	    (b >= 0xAE && b <= 0xFF))
		return b;
	if (b <= 0x20)
		return 0x100 + b;
	if (b >= 0x7F && b <= 0xA0)
		return 0x100 + 33 + (b - 0x7F);
	return 0x100 + 67;		/* 0xAD */
}

static size_t
mhash(uint32_t a, uint32_t b)
{
	uint64_t h = (uint64_t)a << 32 | b;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (size_t)h;
}

const struct lc_tok_merge *
lc_bpe_find_merge(const lc_tok *t, int32_t a, int32_t b)
{
	const struct lc_tok_merge *m;
	size_t i;

	for (i = mhash((uint32_t)a, (uint32_t)b) & t->mmask;; i = (i + 1) &
	    t->mmask) {
		m = &t->mht[i];
		if (m->a == UINT32_MAX)
			return NULL;
		if (m->a == (uint32_t)a && m->b == (uint32_t)b)
			return m;
	}
}

#define SHOW(len)	((int)((len) < 64 ? (len) : 64))

int
lc_bpe_merges(lc_tok *t, const lc_gguf_kv *kv, lc_err *e)
{
	lc_gguf_str_iter it;
	struct lc_tok_merge *m;
	const char *s;
	char *cat = NULL;
	size_t len, sp, size, i, catcap = 0;
	uint64_t r;
	int32_t a, b, id;

	if (kv->type != LC_GGUF_ARRAY || kv->elem_type != LC_GGUF_STRING)
		return lc_errf(e, LC_EFORMAT,
		    "tokenizer.ggml.merges: not an array of strings");
	if (kv->n > UINT32_MAX / 4)
		return lc_errf(e, LC_EFORMAT,
		    "tokenizer.ggml.merges: %llu merges is too many",
		    (unsigned long long)kv->n);
	for (size = 16; size < 2 * kv->n; size *= 2)
		;
	if ((t->mht = malloc(size * sizeof(*t->mht))) == NULL)
		return lc_errf(e, LC_ENOMEM, "tokenizer.ggml.merges: no memory");
	for (i = 0; i < size; i++)
		t->mht[i].a = UINT32_MAX;
	t->mmask = size - 1;

	lc_gguf_kv_strs(kv, &it);
	for (r = 0; lc_gguf_str_next(&it, &s, &len); r++) {
		/* split at the first space after the first byte, as
		   llama.cpp's word.find(' ', 1) */
		for (sp = 1; sp < len && s[sp] != ' '; sp++)
			;
		if (sp >= len) {
			free(cat);
			return lc_errf(e, LC_EFORMAT,
			    "tokenizer.ggml.merges[%llu]: no space in '%.*s'",
			    (unsigned long long)r, SHOW(len), s);
		}
		a = lc_tok_find(t, s, sp);
		b = lc_tok_find(t, s + sp + 1, len - sp - 1);
		if (a < 0 || b < 0) {
			free(cat);
			return lc_errf(e, LC_EFORMAT,
			    "tokenizer.ggml.merges[%llu]: '%.*s' is not a token",
			    (unsigned long long)r,
			    a < 0 ? SHOW(sp) : SHOW(len - sp - 1),
			    a < 0 ? s : s + sp + 1);
		}
		if (len > catcap) {
			free(cat);
			catcap = 2 * len;
			if ((cat = malloc(catcap)) == NULL)
				return lc_errf(e, LC_ENOMEM,
				    "tokenizer.ggml.merges: no memory");
		}
		memcpy(cat, s, sp);
		memcpy(cat + sp, s + sp + 1, len - sp - 1);
		if ((id = lc_tok_find(t, cat, len - 1)) < 0) {
			free(cat);
			return lc_errf(e, LC_EFORMAT,
			    "tokenizer.ggml.merges[%llu]: '%.*s' does not "
			    "merge into a token", (unsigned long long)r,
			    SHOW(len), s);
		}
		/* a pair listed twice keeps its last rank, as the HashMap
		   of HF tokenizers does */
		for (i = mhash((uint32_t)a, (uint32_t)b) & t->mmask;;
		    i = (i + 1) & t->mmask) {
			m = &t->mht[i];
			if (m->a == UINT32_MAX || (m->a == (uint32_t)a &&
			    m->b == (uint32_t)b))
				break;
		}
		m->a = (uint32_t)a;
		m->b = (uint32_t)b;
		m->rank = (uint32_t)r;
		m->id = id;
	}
	free(cat);
	return LC_OK;
}

/* ---- merging one word ---- */

static int
heap_less(const struct lc_bpe_heap *x, const struct lc_bpe_heap *y)
{
	return x->rank != y->rank ? x->rank < y->rank : x->pos < y->pos;
}

static void
heap_push(lc_bpe_scratch *s, size_t *hn, uint32_t rank, uint32_t pos,
    int32_t id)
{
	struct lc_bpe_heap *h = s->heap, x = { rank, pos, id };
	size_t i = (*hn)++, p;

	while (i > 0) {
		p = (i - 1) / 2;
		if (!heap_less(&x, &h[p]))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = x;
}

static struct lc_bpe_heap
heap_pop(lc_bpe_scratch *s, size_t *hn)
{
	struct lc_bpe_heap *h = s->heap, top = h[0], x;
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

static int
scratch_grow(lc_bpe_scratch *s, size_t n)
{
	int32_t *p;
	struct lc_bpe_heap *h;
	size_t cap;

	if (n > s->cap) {
		cap = s->cap ? s->cap : 64;
		while (cap < n)
			cap *= 2;
		if ((p = realloc(s->id, cap * sizeof(*p))) == NULL)
			return -1;
		s->id = p;
		if ((p = realloc(s->prev, cap * sizeof(*p))) == NULL)
			return -1;
		s->prev = p;
		if ((p = realloc(s->next, cap * sizeof(*p))) == NULL)
			return -1;
		s->next = p;
		s->cap = cap;
	}
	/* n - 1 initial pairs, then at most two per merge */
	if (3 * n > s->hcap) {
		cap = s->hcap ? s->hcap : 192;
		while (cap < 3 * n)
			cap *= 2;
		if ((h = realloc(s->heap, cap * sizeof(*h))) == NULL)
			return -1;
		s->heap = h;
		s->hcap = cap;
	}
	return 0;
}

/* The byte-level text of w, to look the whole word up. */
static int
bytelevel(lc_bpe_scratch *s, const unsigned char *w, size_t n, size_t *len)
{
	size_t i, k = 0;
	uint32_t cp;
	char *b;

	if (2 * n > s->bufcap) {
		if ((b = realloc(s->buf, 2 * n)) == NULL)
			return -1;
		s->buf = b;
		s->bufcap = 2 * n;
	}
	for (i = 0; i < n; i++) {
		cp = lc_bytelevel_cp(w[i]);
		if (cp < 0x80)
			s->buf[k++] = (char)cp;
		else {
			s->buf[k++] = (char)(0xC0 | cp >> 6);
			s->buf[k++] = (char)(0x80 | (cp & 0x3F));
		}
	}
	*len = k;
	return 0;
}

int
lc_bpe_word(const lc_tok *t, lc_bpe_scratch *s, const unsigned char *w,
    size_t n, int32_t **ids, size_t *nids, size_t *cap)
{
	const struct lc_tok_merge *mg;
	struct lc_bpe_heap top;
	size_t i, j, k, m, hn, len;
	int32_t id, pos, nx, pv;
	uint32_t cp;
	int r;

	if (n == 0)
		return 0;
	if (t->ignore_merges && n > 1) {
		if (t->raw) {
			if ((id = lc_tok_find(t, (const char *)w, n)) >= 0)
				return lc_tok_push_id(ids, nids, cap, id);
		} else {
			if (bytelevel(s, w, n, &len) != 0)
				return -1;
			if ((id = lc_tok_find(t, s->buf, len)) >= 0)
				return lc_tok_push_id(ids, nids, cap, id);
		}
	}
	if (n > INT32_MAX / 4 || scratch_grow(s, n) != 0)
		return -1;
	/*
	 * Byte-level: one symbol per byte.  Raw: one per character that is
	 * a token, else one per byte of it (an invalid byte is a character
	 * of its own).  A byte without a token is dropped and its neighbours
	 * become adjacent, as HF does without an unk token.
	 */
	for (i = m = 0; i < n; i += k) {
		k = 1;
		if (t->raw) {
			r = lc_utf8_dec(w + i, n - i, &cp);
			k = r > 0 ? (size_t)r : 1;
			id = lc_tok_find(t, (const char *)w + i, k);
			if (id >= 0) {
				s->id[m++] = id;
				continue;
			}
		}
		for (j = i; j < i + k; j++)
			if ((id = t->byte_tok[w[j]]) >= 0)
				s->id[m++] = id;
	}
	hn = 0;
	for (i = 0; i < m; i++) {
		s->prev[i] = (int32_t)i - 1;
		s->next[i] = i + 1 < m ? (int32_t)i + 1 : -1;
		if (i + 1 < m &&
		    (mg = lc_bpe_find_merge(t, s->id[i], s->id[i + 1])) != NULL)
			heap_push(s, &hn, mg->rank, (uint32_t)i, mg->id);
	}
	while (hn > 0) {
		top = heap_pop(s, &hn);
		pos = (int32_t)top.pos;
		if (s->id[pos] < 0 || (nx = s->next[pos]) < 0)
			continue;
		mg = lc_bpe_find_merge(t, s->id[pos], s->id[nx]);
		if (mg == NULL || mg->id != top.id)
			continue;	/* stale: a side has changed */
		s->id[pos] = top.id;
		s->id[nx] = -1;
		s->next[pos] = s->next[nx];
		if (s->next[nx] >= 0)
			s->prev[s->next[nx]] = pos;
		if ((pv = s->prev[pos]) >= 0 &&
		    (mg = lc_bpe_find_merge(t, s->id[pv], s->id[pos])) != NULL)
			heap_push(s, &hn, mg->rank, (uint32_t)pv, mg->id);
		if ((nx = s->next[pos]) >= 0 &&
		    (mg = lc_bpe_find_merge(t, s->id[pos], s->id[nx])) != NULL)
			heap_push(s, &hn, mg->rank, (uint32_t)pos, mg->id);
	}
	for (pos = m > 0 ? 0 : -1; pos >= 0; pos = s->next[pos])
		if (lc_tok_push_id(ids, nids, cap, s->id[pos]) != 0)
			return -1;
	return 0;
}

int
lc_bpe_raw_text(const lc_tok *t, lc_bpe_scratch *s, const char *text,
    size_t n, int32_t **ids, size_t *nids, size_t *cap)
{
	const unsigned char *w;
	size_t i, k, a, b;
	char *p;
	int32_t id;

	/* llama_escape_whitespace: each ' ' becomes U+2581 */
	if (n > SIZE_MAX / 3)
		return -1;
	if (3 * n > s->esccap) {
		if ((p = realloc(s->esc, 3 * n)) == NULL)
			return -1;
		s->esc = p;
		s->esccap = 3 * n;
	}
	for (i = k = 0; i < n; i++) {
		if (text[i] == ' ') {
			memcpy(s->esc + k, "\xe2\x96\x81", 3);
			k += 3;
		} else
			s->esc[k++] = text[i];
	}
	w = (const unsigned char *)s->esc;
	/* the pre-tokenizer [^\n]+|[\n]+ */
	for (a = 0; a < k; a = b) {
		for (b = a + 1; b < k && (w[b] == '\n') == (w[a] == '\n'); b++)
			;
		/* llama.cpp's Gemma 4 rule: newlines that are a token */
		if (w[a] == '\n' && (id = lc_tok_find(t, s->esc + a,
		    b - a)) >= 0) {
			if (lc_tok_push_id(ids, nids, cap, id) != 0)
				return -1;
			continue;
		}
		if (lc_bpe_word(t, s, w + a, b - a, ids, nids, cap) != 0)
			return -1;
	}
	return 0;
}

void
lc_bpe_scratch_free(lc_bpe_scratch *s)
{
	free(s->esc);
	free(s->id);
	free(s->prev);
	free(s->next);
	free(s->heap);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}
