/*
 * wordpiece.c - WordPiece (BERT), as Hugging Face tokenizers runs it:
 *
 *   BertNormalizer   clean_text: controls and U+FFFD dropped, white
 *                    space made ' '; handle_chinese_chars: CJK
 *                    ideographs padded with spaces; strip_accents: NFD,
 *                    then the Mn marks dropped; lowercase:
 *                    char::to_lowercase (İ gives i U+0307).
 *   BertPreTokenizer split at white space (dropped) and around each
 *                    punctuation character (a word of its own).
 *   WordPiece        greedy longest match from the left, "##" before
 *                    the pieces after the first; a word with a piece
 *                    that matches nothing, or longer than
 *                    max_input_chars_per_word, is [UNK].
 *
 * The character data is in unicode_nfd.c, read off tokenizers itself
 * (its Unicode 8 categories differ from today's).  Texts are stored
 * as tokenizer.json spells them; llama.cpp's GGUF spelling is undone
 * by lc_wpm_respell().
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../hf.h"
#include "tok_impl.h"

#define SHOW(len)	((int)((len) < 64 ? (len) : 64))

/* ---- character data ---- */

static uint32_t
range_val(const uint32_t *r, size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n, mid;

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if ((r[mid] >> 8) <= cp)
			lo = mid;
		else
			hi = mid;
	}
	return r[lo] & 0xff;
}

unsigned
lc_bert_flags(uint32_t cp)
{
	if (cp > 0x10FFFF)
		return LC_BERT_REMOVE;
	return range_val(lc_bert_ranges, lc_bert_ranges_n, cp);
}

static unsigned
ccc(uint32_t cp)
{
	return cp < 0x300 ? 0 : range_val(lc_bert_ccc, lc_bert_ccc_n, cp);
}

/* The mapping of cp in a generated map: its length (0 if none), the
   codepoints in *out. */
static size_t
map_find(const uint32_t *key, const uint32_t *at, const uint32_t *pool,
    size_t n, uint32_t cp, const uint32_t **out)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (key[mid] == cp) {
			*out = pool + (at[mid] >> 2);
			return (at[mid] & 3) + 1;
		}
		if (key[mid] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* ---- set-up ---- */

void
lc_wpm_defaults(lc_tok *t, int lowercase)
{
	memcpy(t->wp_prefix, "##", 3);
	t->wp_plen = 2;
	t->wp_maxchars = 100;
	t->wp_clean = t->wp_chinese = 1;
	t->wp_strip = t->wp_lower = lowercase != 0;
	t->wp_cleanup = 1;
}

int
lc_wpm_respell(lc_tok *t)
{
	size_t total = t->toff[t->n], k = 0, len, i;
	const char *s;
	char *d;

	/* llama.cpp's converter wrote "\u2581" + word for word-initial
	   tokens, piece for "##piece", control tokens unchanged */
	if ((d = malloc(total + 2 * (size_t)t->n + 1)) == NULL)
		return -1;
	for (i = 0; i < t->n; i++) {
		/* toff[i + 1] is still the old end: only toff[i] is new */
		s = t->text + t->toff[i];
		len = t->toff[i + 1] - t->toff[i];
		t->toff[i] = k;
		if (t->type[i] == LC_TOKT_CONTROL) {
			memcpy(d + k, s, len);
			k += len;
		} else if (len >= 3 && memcmp(s, "\xe2\x96\x81", 3) == 0) {
			memcpy(d + k, s + 3, len - 3);
			k += len - 3;
		} else {
			memcpy(d + k, "##", 2);
			memcpy(d + k + 2, s, len);
			k += len + 2;
		}
	}
	t->toff[t->n] = k;
	free(t->text);
	t->text = d;
	return 0;
}

/* HF's WordPiece decoder cleanup, applied to each piece. */
static const char *const clean_from[] = {
	" .", " ?", " !", " ,", " ' ", " n't", " 'm", " do not", " 's",
	" 've", " 're"
};
static const char *const clean_to[] = {
	".", "?", "!", ",", "'", "n't", "'m", " don't", "'s", "'ve", "'re"
};

/* Replaces every from in s[0..n) (left to right, not overlapping) by to,
   a string no longer; returns the new length. */
static size_t
replace_all(char *s, size_t n, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), i = 0, k = 0;

	while (i < n) {
		if (i + fl <= n && memcmp(s + i, from, fl) == 0) {
			memmove(s + k, to, tl);
			k += tl;
			i += fl;
		} else
			s[k++] = s[i++];
	}
	return k;
}

static size_t
cleanup(const lc_tok *t, char *s, size_t n)
{
	size_t i;

	if (!t->wp_cleanup)
		return n;
	for (i = 0; i < sizeof(clean_from) / sizeof(clean_from[0]); i++)
		n = replace_all(s, n, clean_from[i], clean_to[i]);
	return n;
}

int
lc_wpm_pieces(lc_tok *t)
{
	size_t total = t->toff[t->n], k = 0, k1 = 0, len, i;
	const char *s;

	t->dec = malloc(total + t->n + 1);
	t->doff = malloc((t->n + 1) * sizeof(*t->doff));
	t->dec1 = malloc(total + 1);
	t->d1off = malloc((t->n + 1) * sizeof(*t->d1off));
	if (!t->dec || !t->doff || !t->dec1 || !t->d1off)
		return -1;
	t->maxpiece = t->maxtok = 0;
	for (i = 0; i < t->n; i++) {
		s = t->text + t->toff[i];
		len = t->toff[i + 1] - t->toff[i];
		if (len > t->maxtok)
			t->maxtok = len;
		t->doff[i] = k;
		if (len >= t->wp_plen && memcmp(s, t->wp_prefix,
		    t->wp_plen) == 0) {
			memcpy(t->dec + k, s + t->wp_plen, len - t->wp_plen);
			k += len - t->wp_plen;
		} else {
			t->dec[k] = ' ';
			memcpy(t->dec + k + 1, s, len);
			k += len + 1;
		}
		k = t->doff[i] + cleanup(t, t->dec + t->doff[i], k -
		    t->doff[i]);
		t->d1off[i] = k1;
		memcpy(t->dec1 + k1, s, len);
		k1 += cleanup(t, t->dec1 + k1, len);
		if (k - t->doff[i] > t->maxpiece)
			t->maxpiece = k - t->doff[i];
		if (k1 - t->d1off[i] > t->maxpiece)
			t->maxpiece = k1 - t->d1off[i];
	}
	t->doff[t->n] = k;
	t->d1off[t->n] = k1;
	return 0;
}

/* ---- encoding ---- */

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t c;
	void *q;

	if (need <= *cap)
		return 0;
	for (c = *cap ? *cap : 256; c < need; c *= 2)
		;
	if (c > SIZE_MAX / size || (q = realloc(*p, c * size)) == NULL)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

void
lc_wpm_scratch_free(lc_wpm_scratch *s)
{
	free(s->a);
	free(s->b);
	free(s->bo);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

static size_t
utf8_enc(char *d, uint32_t cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xC0 | cp >> 6);
		d[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xE0 | cp >> 12);
		d[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		d[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	d[0] = (char)(0xF0 | cp >> 18);
	d[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	d[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	d[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* One word w[0..n) (normalized codepoints): its pieces, or unk. */
static int
wpm_word(const lc_tok *t, lc_wpm_scratch *s, const uint32_t *w, size_t n,
    int32_t **ids, size_t *nids, size_t *cap)
{
	size_t n0 = *nids, i, si, ei, bs, len, pl = t->wp_plen;
	const char *str;
	int32_t id = -1;

	if (n == 0)
		return 0;
	if (n > t->wp_maxchars)
		goto unk;
	if (grow((void **)&s->buf, &s->bufcap, pl + 4 * n, 1) != 0 ||
	    grow((void **)&s->bo, &s->bocap, n + 1, sizeof(*s->bo)) != 0)
		return -1;
	s->bo[0] = 0;
	for (i = 0; i < n; i++)
		s->bo[i + 1] = s->bo[i] + utf8_enc(s->buf + pl + s->bo[i],
		    w[i]);
	for (si = 0; si < n; si = ei) {
		bs = s->bo[si];
		/* the word's bytes before bs are done with: the prefix goes
		   there, just before the rest */
		if (si > 0)
			memcpy(s->buf + bs, t->wp_prefix, pl);
		for (ei = n; ei > si; ei--) {
			if (si == 0) {
				str = s->buf + pl;
				len = s->bo[ei];
			} else {
				str = s->buf + bs;
				len = pl + s->bo[ei] - bs;
			}
			if (len <= t->maxtok &&
			    (id = lc_tok_find(t, str, len)) >= 0)
				break;
		}
		if (ei == si) {
			*nids = n0;
			goto unk;
		}
		if (lc_tok_push_id(ids, nids, cap, id) != 0)
			return -1;
	}
	return 0;
unk:
	if (t->unk >= 0 && lc_tok_push_id(ids, nids, cap, t->unk) != 0)
		return -1;
	return 0;
}

/* The normalizer: text into s->b, its length in *nb. */
static int
normalize(const lc_tok *t, lc_wpm_scratch *s, const char *text, size_t len,
    size_t *nb)
{
	const unsigned char *u = (const unsigned char *)text;
	const uint32_t *m;
	size_t i, na = 0, k = 0, j, ml;
	uint32_t cp, x, sidx;
	unsigned f, c;
	int r;

	/* clean_text, Chinese characters, NFD */
	for (i = 0; i < len; i += (size_t)r) {
		if (grow((void **)&s->a, &s->acap, na + 8, sizeof(*s->a)) != 0)
			return -1;
		if ((r = lc_utf8_dec(u + i, len - i, &cp)) <= 0) {
			r = 1;
			cp = 0xFFFD;	/* as a str would hold it */
		}
		f = lc_bert_flags(cp);
		if (t->wp_clean && (f & LC_BERT_REMOVE))
			continue;
		if (t->wp_clean && (f & LC_BERT_SPACE)) {
			s->a[na++] = ' ';
			continue;
		}
		if (t->wp_chinese && (f & LC_BERT_CJK))
			s->a[na++] = ' ';
		if (!t->wp_strip || cp < 0xC0)
			s->a[na++] = cp;
		else if (cp >= 0xAC00 && cp <= 0xD7A3) {
			sidx = cp - 0xAC00;
			s->a[na++] = 0x1100 + sidx / 588;
			s->a[na++] = 0x1161 + sidx % 588 / 28;
			if (sidx % 28)
				s->a[na++] = 0x11A7 + sidx % 28;
		} else if ((ml = map_find(lc_bert_nfd_key, lc_bert_nfd_at,
		    lc_bert_nfd_pool, lc_bert_nfd_n, cp, &m)) > 0) {
			for (j = 0; j < ml; j++)
				s->a[na++] = m[j];
		} else
			s->a[na++] = cp;
		if (t->wp_chinese && (f & LC_BERT_CJK))
			s->a[na++] = ' ';
	}
	/* canonical ordering: a stable sort of each run of non-starters */
	if (t->wp_strip) {
		for (i = 1; i < na; i++) {
			if (s->a[i] < 0x300 || (c = ccc(s->a[i])) == 0)
				continue;
			x = s->a[i];
			for (j = i; j > 0 && ccc(s->a[j - 1]) > c; j--)
				s->a[j] = s->a[j - 1];
			s->a[j] = x;
		}
	}
	/* Mn dropped, lower-casing */
	if (grow((void **)&s->b, &s->bcap, 4 * na + 1, sizeof(*s->b)) != 0)
		return -1;
	for (i = 0; i < na; i++) {
		cp = s->a[i];
		if (cp < 0x80) {
			s->b[k++] = t->wp_lower && cp >= 'A' && cp <= 'Z' ?
			    cp + 32 : cp;
			continue;
		}
		if (t->wp_strip && (lc_bert_flags(cp) & LC_BERT_MN))
			continue;
		if (t->wp_lower && (ml = map_find(lc_bert_lower_key,
		    lc_bert_lower_at, lc_bert_lower_pool, lc_bert_lower_n, cp,
		    &m)) > 0) {
			for (j = 0; j < ml; j++)
				s->b[k++] = m[j];
		} else
			s->b[k++] = cp;
	}
	*nb = k;
	return 0;
}

int
lc_wpm_text(const lc_tok *t, lc_wpm_scratch *s, const char *text, size_t n,
    int32_t **ids, size_t *nids, size_t *cap)
{
	size_t nb, i, start;
	unsigned f;

	if (normalize(t, s, text, n, &nb) != 0)
		return -1;
	for (i = start = 0; i < nb; i++) {
		f = s->b[i] == ' ' ? LC_BERT_WS : s->b[i] < 0x80 &&
		    ((s->b[i] | 0x20) - 'a' < 26 || s->b[i] - '0' < 10) ? 0 :
		    lc_bert_flags(s->b[i]);
		if (!(f & (LC_BERT_WS | LC_BERT_PUNCT)))
			continue;
		if (wpm_word(t, s, s->b + start, i - start, ids, nids,
		    cap) != 0)
			return -1;
		if ((f & LC_BERT_PUNCT) && wpm_word(t, s, s->b + i, 1, ids,
		    nids, cap) != 0)
			return -1;
		start = i + 1;
	}
	return wpm_word(t, s, s->b + start, nb - start, ids, nids, cap);
}

/* ---- tokenizer.json ---- */

static const cJSON *
jget(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static int
jtype(const cJSON *o, const char *want)
{
	const cJSON *ty = jget(o, "type");

	return cJSON_IsString(ty) && strcmp(ty->valuestring, want) == 0;
}

/* A bool member: def if absent or null, -1 if of another type. */
static int
jbool(const cJSON *o, const char *k, int def)
{
	const cJSON *v = jget(o, k);

	if (v == NULL || cJSON_IsNull(v))
		return def;
	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : -1;
}

/* The id of a token named in the post-processor, -1 if none. */
static int32_t
vocab_id(const cJSON *vocab, const char *text)
{
	const cJSON *v = jget(vocab, text);

	return cJSON_IsNumber(v) ? (int32_t)v->valuedouble : -1;
}

static int
hf_normalizer(lc_tok *t, const cJSON *n, const char *path, lc_err *e)
{
	int strip;

	if (n == NULL || cJSON_IsNull(n)) {
		t->wp_clean = t->wp_chinese = t->wp_strip = t->wp_lower = 0;
		return LC_OK;
	}
	if (!jtype(n, "BertNormalizer"))
		return lc_errf(e, LC_EUNSUP, "%s: normalizer: only "
		    "BertNormalizer is supported", path);
	t->wp_clean = jbool(n, "clean_text", 1);
	t->wp_chinese = jbool(n, "handle_chinese_chars", 1);
	t->wp_lower = jbool(n, "lowercase", 1);
	strip = jbool(n, "strip_accents", -2);
	t->wp_strip = strip == -2 ? t->wp_lower : strip;
	if (t->wp_clean < 0 || t->wp_chinese < 0 || t->wp_lower < 0 ||
	    t->wp_strip < 0)
		return lc_errf(e, LC_EFORMAT, "%s: normalizer: a flag is not "
		    "a bool", path);
	return LC_OK;
}

/* The special tokens put around a single text. */
static int
hf_post(lc_tok *t, const cJSON *p, const cJSON *vocab, const char *path,
    lc_err *e)
{
	const cJSON *single, *it, *sp, *id, *ids, *st;
	int seen_a = 0;
	int32_t v;

	t->bos = t->eos = -1;
	if (p == NULL || cJSON_IsNull(p))
		return LC_OK;
	if (jtype(p, "BertProcessing")) {
		it = jget(p, "cls");
		sp = jget(p, "sep");
		if (!cJSON_IsArray(it) || !cJSON_IsArray(sp) ||
		    !cJSON_IsNumber(cJSON_GetArrayItem(it, 1)) ||
		    !cJSON_IsNumber(cJSON_GetArrayItem(sp, 1)))
			return lc_errf(e, LC_EFORMAT, "%s: post_processor: "
			    "cls, sep", path);
		t->bos = (int32_t)cJSON_GetArrayItem(it, 1)->valuedouble;
		t->eos = (int32_t)cJSON_GetArrayItem(sp, 1)->valuedouble;
	} else if (jtype(p, "TemplateProcessing")) {
		single = jget(p, "single");
		st = jget(p, "special_tokens");
		if (!cJSON_IsArray(single))
			return lc_errf(e, LC_EFORMAT, "%s: post_processor: "
			    "no single template", path);
		cJSON_ArrayForEach(it, single) {
			if (jget(it, "Sequence") != NULL) {
				if (seen_a++)
					goto unsup;
				continue;
			}
			sp = jget(it, "SpecialToken");
			id = jget(sp, "id");
			if (!cJSON_IsString(id))
				goto unsup;
			/* special_tokens[id].ids, else the vocabulary */
			ids = jget(jget(st, id->valuestring), "ids");
			if (cJSON_IsArray(ids) && cJSON_GetArraySize(ids) == 1 &&
			    cJSON_IsNumber(cJSON_GetArrayItem(ids, 0)))
				v = (int32_t)cJSON_GetArrayItem(ids, 0)->
				    valuedouble;
			else
				v = vocab_id(vocab, id->valuestring);
			if (v < 0 || (seen_a ? t->eos : t->bos) >= 0)
				goto unsup;
			if (seen_a)
				t->eos = v;
			else
				t->bos = v;
		}
		if (!seen_a)
			goto unsup;
	} else
		goto unsup;
	if ((t->bos >= 0 && (uint32_t)t->bos >= t->n) ||
	    (t->eos >= 0 && (uint32_t)t->eos >= t->n))
		return lc_errf(e, LC_EFORMAT, "%s: post_processor: a token "
		    "outside the vocabulary", path);
	t->add_bos = t->bos >= 0;
	t->add_eos = t->eos >= 0;
	return LC_OK;
unsup:
	return lc_errf(e, LC_EUNSUP, "%s: post_processor: only "
	    "[SPECIAL] $A [SPECIAL] templates are supported", path);
}

static int
hf_build(lc_tok *t, const cJSON *root, const char *path, lc_err *e)
{
	const cJSON *model, *vocab, *it, *x, *added, *dec;
	size_t total = 0, len, k;
	uint32_t i;
	int32_t id;
	int rc;

	model = jget(root, "model");
	if (!jtype(model, "WordPiece"))
		return lc_errf(e, LC_EUNSUP, "%s: model.type: only WordPiece "
		    "is supported", path);
	vocab = jget(model, "vocab");
	if (!cJSON_IsObject(vocab) || cJSON_GetArraySize(vocab) <= 0 ||
	    cJSON_GetArraySize(vocab) > (1 << 26))
		return lc_errf(e, LC_EFORMAT, "%s: model.vocab: not an "
		    "object of tokens", path);
	t->n = (uint32_t)cJSON_GetArraySize(vocab);
	cJSON_ArrayForEach(it, vocab)
		total += strlen(it->string);
	t->text = malloc(total + 1);
	t->toff = calloc((size_t)t->n + 1, sizeof(*t->toff));
	t->type = malloc(t->n);
	t->attr = calloc(t->n, 1);
	if (!t->text || !t->toff || !t->type || !t->attr)
		return lc_errf(e, LC_ENOMEM, "%s: no memory", path);
	memset(t->type, LC_TOKT_UNDEFINED, t->n);
	/* lengths first, by id, then the texts in id order */
	cJSON_ArrayForEach(it, vocab) {
		if (!cJSON_IsNumber(it) || it->valuedouble < 0 ||
		    it->valuedouble >= t->n ||
		    it->valuedouble != (double)(uint32_t)it->valuedouble ||
		    t->type[(uint32_t)it->valuedouble] != LC_TOKT_UNDEFINED)
			return lc_errf(e, LC_EFORMAT, "%s: model.vocab: '%.*s' "
			    "has a bad or repeated id", path,
			    SHOW(strlen(it->string)), it->string);
		i = (uint32_t)it->valuedouble;
		t->type[i] = LC_TOKT_NORMAL;
		t->toff[i + 1] = strlen(it->string);
	}
	for (i = 0; i < t->n; i++)
		t->toff[i + 1] += t->toff[i];
	cJSON_ArrayForEach(it, vocab) {
		i = (uint32_t)it->valuedouble;
		memcpy(t->text + t->toff[i], it->string, t->toff[i + 1] -
		    t->toff[i]);
	}

	lc_wpm_defaults(t, 1);
	x = jget(model, "continuing_subword_prefix");
	if (x != NULL && !cJSON_IsNull(x)) {
		if (!cJSON_IsString(x) || (len = strlen(x->valuestring)) >=
		    sizeof(t->wp_prefix))
			return lc_errf(e, LC_EUNSUP, "%s: model."
			    "continuing_subword_prefix: not supported", path);
		memcpy(t->wp_prefix, x->valuestring, len + 1);
		t->wp_plen = len;
	}
	x = jget(model, "max_input_chars_per_word");
	if (cJSON_IsNumber(x) && x->valuedouble >= 0)
		t->wp_maxchars = x->valuedouble > 1e9 ? 1000000000u :
		    (uint32_t)x->valuedouble;
	x = jget(model, "unk_token");
	t->unk = cJSON_IsString(x) ? vocab_id(vocab, x->valuestring) : -1;

	added = jget(root, "added_tokens");
	cJSON_ArrayForEach(it, added) {
		x = jget(it, "content");
		if (!cJSON_IsNumber(jget(it, "id")) || !cJSON_IsString(x))
			return lc_errf(e, LC_EFORMAT, "%s: added_tokens: no id "
			    "or content", path);
		id = (int32_t)jget(it, "id")->valuedouble;
		len = strlen(x->valuestring);
		if (id < 0 || (uint32_t)id >= t->n || t->toff[id + 1] -
		    t->toff[id] != len || memcmp(t->text + t->toff[id],
		    x->valuestring, len) != 0)
			return lc_errf(e, LC_EUNSUP, "%s: added token '%.*s' "
			    "is not in the vocabulary", path, SHOW(len),
			    x->valuestring);
		t->type[id] = jbool(it, "special", 0) == 1 ?
		    LC_TOKT_CONTROL : LC_TOKT_USER_DEFINED;
	}

	if ((rc = hf_normalizer(t, jget(root, "normalizer"), path, e)) !=
	    LC_OK)
		return rc;
	if (!jtype(jget(root, "pre_tokenizer"), "BertPreTokenizer"))
		return lc_errf(e, LC_EUNSUP, "%s: pre_tokenizer: only "
		    "BertPreTokenizer is supported", path);
	if ((rc = hf_post(t, jget(root, "post_processor"), vocab, path, e)) !=
	    LC_OK)
		return rc;
	dec = jget(root, "decoder");
	t->wp_cleanup = 0;
	if (jtype(dec, "WordPiece")) {
		t->wp_cleanup = jbool(dec, "cleanup", 1) == 1;
		x = jget(dec, "prefix");
		if (cJSON_IsString(x) && strcmp(x->valuestring,
		    t->wp_prefix) != 0)
			return lc_errf(e, LC_EUNSUP, "%s: decoder.prefix "
			    "differs from the model's", path);
	}
	for (k = 0; k < t->n; k++)
		if (t->type[k] == LC_TOKT_NORMAL && k == (size_t)t->unk)
			t->type[k] = LC_TOKT_UNKNOWN;
	return lc_tok_finish(t, e);
}

int
lc_tok_new_hf(lc_tok **out, const char *path, lc_err *e)
{
	cJSON *root;
	char *text;
	size_t len;
	lc_tok *t;
	int rc;

	*out = NULL;
	if ((rc = lc_slurp(path, 256u << 20, &text, &len, e)) != LC_OK)
		return rc;
	root = cJSON_ParseWithLength(text, len);
	free(text);
	if (root == NULL || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return lc_errf(e, LC_EFORMAT, "%s: not a JSON object", path);
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		cJSON_Delete(root);
		return lc_errf(e, LC_ENOMEM, "tokenizer: no memory");
	}
	t->model = LC_TOKM_WPM;
	t->bos = t->eos = t->unk = -1;
	rc = hf_build(t, root, path, e);
	cJSON_Delete(root);
	if (rc != LC_OK) {
		lc_tok_free(t);
		return rc;
	}
	*out = t;
	return LC_OK;
}
