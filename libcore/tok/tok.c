/*
 * tok.c - building a tokenizer from a GGUF's tokenizer.* keys, special
 * tokens in text, encoding, pieces and streaming detokenization.  The
 * model-specific parts live in bpe.c, spm.c and wordpiece.c; the
 * switch on t->model in encode_raw() is where they plug in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tok_impl.h"

#define SHOW(len)	((int)((len) < 64 ? (len) : 64))

/* Token texts that end generation (llama_vocab::impl::load). */
static const char *const eog_texts[] = {
	"<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>",
	"<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>",
	"<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>",
	"<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
	"<\xef\xbd\x9c" "end\xe2\x96\x81" "of\xe2\x96\x81" "sentence\xef\xbd\x9c>",
	"[e~[",
};

/* Special-id keys: each must name a token when present. */
static const char *const id_keys[] = {
	"tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
	"tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id",
	"tokenizer.ggml.unknown_token_id", "tokenizer.ggml.seperator_token_id",
	"tokenizer.ggml.padding_token_id", "tokenizer.ggml.mask_token_id",
	"tokenizer.ggml.fim_pre_token_id", "tokenizer.ggml.fim_suf_token_id",
	"tokenizer.ggml.fim_mid_token_id", "tokenizer.ggml.fim_pad_token_id",
	"tokenizer.ggml.fim_rep_token_id", "tokenizer.ggml.fim_sep_token_id",
};

enum {
	K_BOS, K_EOS, K_EOT, K_EOM, K_UNK, K_SEP, K_PAD, K_MASK,
	K_FIM_PRE, K_FIM_SUF, K_FIM_MID, K_FIM_PAD, K_FIM_REP, K_FIM_SEP,
	NKEYS
};
_Static_assert(NKEYS == sizeof(id_keys) / sizeof(id_keys[0]), "id keys");

/* ---- small helpers ---- */

int
lc_tok_push_id(int32_t **ids, size_t *n, size_t *cap, int32_t id)
{
	int32_t *p;
	size_t c;

	if (*n == *cap) {
		c = *cap ? 2 * *cap : 64;
		if (c > SIZE_MAX / sizeof(*p) || (p = realloc(*ids,
		    c * sizeof(*p))) == NULL)
			return -1;
		*ids = p;
		*cap = c;
	}
	(*ids)[(*n)++] = id;
	return 0;
}

static size_t
shash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return (size_t)(h ^ h >> 29);
}

int32_t
lc_tok_find(const lc_tok *t, const char *text, size_t len)
{
	size_t i;
	uint32_t v;

	for (i = shash(text, len) & t->vmask;; i = (i + 1) & t->vmask) {
		if ((v = t->vht[i]) == 0)
			return -1;
		v--;
		if (t->toff[v + 1] - t->toff[v] == len &&
		    memcmp(t->text + t->toff[v], text, len) == 0)
			return (int32_t)v;
	}
}

/* ---- construction ---- */

/* The hash index of the texts. */
static int
index_tokens(lc_tok *t, lc_err *e)
{
	size_t size, h, i, len;
	const char *s;
	uint32_t v;

	for (size = 16; size < 2 * (size_t)t->n; size *= 2)
		;
	free(t->vht);
	if ((t->vht = calloc(size, sizeof(*t->vht))) == NULL)
		return lc_errf(e, LC_ENOMEM, "tokenizer index: no memory");
	t->vmask = size - 1;
	for (v = 0; v < t->n; v++) {
		s = t->text + t->toff[v];
		len = t->toff[v + 1] - t->toff[v];
		/* a text listed twice maps to its last id, as in llama.cpp */
		for (h = shash(s, len) & t->vmask;; h = (h + 1) & t->vmask) {
			if (t->vht[h] == 0)
				break;
			i = t->vht[h] - 1;
			if (t->toff[i + 1] - t->toff[i] == len &&
			    memcmp(t->text + t->toff[i], s, len) == 0)
				break;
		}
		t->vht[h] = v + 1;
	}
	return LC_OK;
}

/* The index of a GGUF's texts; WordPiece's are respelled first. */
static int
gguf_index(lc_tok *t, lc_err *e)
{
	if (t->model == LC_TOKM_WPM && lc_wpm_respell(t) != 0)
		return lc_errf(e, LC_ENOMEM, "tokenizer texts: no memory");
	return index_tokens(t, e);
}

static int
load_tokens(lc_tok *t, const lc_gguf *g, lc_err *e)
{
	lc_gguf_kv kv;
	lc_gguf_str_iter it;
	const char *s;
	size_t len, total = 0;
	uint64_t k;
	uint32_t v;

	if (lc_gguf_find_kv(g, "tokenizer.ggml.tokens", &kv) != LC_OK)
		return lc_errf(e, LC_EFORMAT, "tokenizer.ggml.tokens: missing");
	if (kv.type != LC_GGUF_ARRAY || kv.elem_type != LC_GGUF_STRING)
		return lc_errf(e, LC_EFORMAT,
		    "tokenizer.ggml.tokens: not an array of strings");
	if (kv.n == 0 || kv.n > (1u << 26))
		return lc_errf(e, LC_EFORMAT,
		    "tokenizer.ggml.tokens: %llu tokens",
		    (unsigned long long)kv.n);
	t->n = (uint32_t)kv.n;
	lc_gguf_kv_strs(&kv, &it);
	while (lc_gguf_str_next(&it, &s, &len))
		total += len;		/* bounded by the file size */
	t->text = malloc(total ? total : 1);
	t->toff = malloc((t->n + 1) * sizeof(*t->toff));
	t->type = malloc(t->n);
	t->attr = calloc(t->n, 1);
	if (!t->text || !t->toff || !t->type || !t->attr)
		return lc_errf(e, LC_ENOMEM, "tokenizer.ggml.tokens: no memory");
	lc_gguf_kv_strs(&kv, &it);
	total = 0;
	for (v = 0; lc_gguf_str_next(&it, &s, &len); v++) {
		t->toff[v] = total;
		memcpy(t->text + total, s, len);
		total += len;
		t->toff[v + 1] = total;
	}

	memset(t->type, LC_TOKT_NORMAL, t->n);
	if (lc_gguf_find_kv(g, "tokenizer.ggml.token_type", &kv) != LC_OK)
		return gguf_index(t, e);
	if (kv.type != LC_GGUF_ARRAY)
		return lc_errf(e, LC_EFORMAT,
		    "tokenizer.ggml.token_type: not an array");
	if (kv.n != t->n)
		return lc_errf(e, LC_EFORMAT,
		    "tokenizer.ggml.token_type: %llu types for %u tokens",
		    (unsigned long long)kv.n, t->n);
	for (k = 0; k < kv.n; k++) {
		int64_t ty;

		if (lc_gguf_kv_i64(&kv, k, &ty) != 0 || ty < 0 ||
		    ty > LC_TOKT_BYTE)
			return lc_errf(e, LC_EFORMAT,
			    "tokenizer.ggml.token_type[%llu]: not a token type",
			    (unsigned long long)k);
		t->type[k] = (uint8_t)ty;
	}
	return gguf_index(t, e);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * SPM pieces (HF decoders Replace, ByteFallback; llama.cpp
 * token_to_piece): U+2581 is a space in normal and user-defined tokens,
 * a byte token "<0xNN>" is its byte.  Returns the length written to d.
 */
static size_t
spm_piece(const lc_tok *t, uint32_t i, const char *s, size_t len, char *d)
{
	size_t j, k = 0;
	int hi, lo;

	switch (t->type[i]) {
	case LC_TOKT_BYTE:
		if (len == 6 && memcmp(s, "<0x", 3) == 0 && s[5] == '>' &&
		    (hi = hexval(s[3])) >= 0 && (lo = hexval(s[4])) >= 0) {
			d[0] = (char)(hi << 4 | lo);
			return 1;
		}
		/* FALLTHROUGH */
	case LC_TOKT_NORMAL:
	case LC_TOKT_USER_DEFINED:
		for (j = 0; j < len; j++) {
			if (j + 3 <= len &&
			    memcmp(s + j, "\xe2\x96\x81", 3) == 0) {
				d[k++] = ' ';
				j += 2;
			} else
				d[k++] = s[j];
		}
		return k;
	case LC_TOKT_UNKNOWN:
	case LC_TOKT_CONTROL:
		memcpy(d, s, len);
		return len;
	default:			/* unused, undefined: nothing */
		return 0;
	}
}

/* The piece of each token: byte-level decoded text for normal tokens. */
static int
load_pieces(lc_tok *t, lc_err *e)
{
	size_t i, j, k, len, total = t->toff[t->n];
	const unsigned char *s;
	uint32_t cp;
	int n, b, rev[0x144];

	for (i = 0; i < 0x144; i++)
		rev[i] = -1;
	if (t->model == LC_TOKM_WPM)
		return lc_wpm_pieces(t) == 0 ? LC_OK : lc_errf(e, LC_ENOMEM,
		    "tokenizer pieces: no memory");
	for (b = 0; b < 256; b++)
		rev[lc_bytelevel_cp((unsigned)b)] = b;
	/* decoding never makes a text longer */
	t->dec = malloc(total ? total : 1);
	t->doff = malloc((t->n + 1) * sizeof(*t->doff));
	if (!t->dec || !t->doff)
		return lc_errf(e, LC_ENOMEM, "tokenizer pieces: no memory");
	k = 0;
	for (i = 0; i < t->n; i++) {
		t->doff[i] = k;
		s = (const unsigned char *)t->text + t->toff[i];
		len = t->toff[i + 1] - t->toff[i];
		if (t->model == LC_TOKM_SPM || t->raw) {
			k += spm_piece(t, (uint32_t)i, (const char *)s, len,
			    t->dec + k);
			if (k - t->doff[i] > t->maxpiece)
				t->maxpiece = k - t->doff[i];
			continue;
		}
		switch (t->type[i]) {
		case LC_TOKT_NORMAL:
		case LC_TOKT_BYTE:
			for (j = 0; j < len; j += (size_t)n) {
				n = lc_utf8_dec(s + j, len - j, &cp);
				if (n > 0 && cp < 0x144 && rev[cp] >= 0) {
					t->dec[k++] = (char)rev[cp];
					continue;
				}
				/* not in the byte alphabet: copied as is */
				n = n > 0 ? n : 1;
				memcpy(t->dec + k, s + j, (size_t)n);
				k += (size_t)n;
			}
			break;
		case LC_TOKT_UNKNOWN:
		case LC_TOKT_CONTROL:
		case LC_TOKT_USER_DEFINED:
			memcpy(t->dec + k, s, len);
			k += len;
			break;
		default:			/* unused, undefined: nothing */
			break;
		}
		if (k - t->doff[i] > t->maxpiece)
			t->maxpiece = k - t->doff[i];
	}
	t->doff[t->n] = k;
	return LC_OK;
}

static int
load_ids(lc_tok *t, const lc_gguf *g, int32_t *ids, lc_err *e)
{
	uint64_t v;
	size_t k;
	int rc;

	for (k = 0; k < NKEYS; k++) {
		ids[k] = -1;
		rc = lc_gguf_get_u64(g, id_keys[k], &v, e);
		if (rc == LC_ENOTFOUND)
			continue;
		if (rc != LC_OK)
			return rc;
		if (v >= t->n)
			return lc_errf(e, LC_EFORMAT,
			    "%s: %llu is not below the %u tokens", id_keys[k],
			    (unsigned long long)v, t->n);
		ids[k] = (int32_t)v;
	}
	return LC_OK;
}

static int
is_eog_text(const lc_tok *t, const char *text)
{
	int32_t id = lc_tok_find(t, text, strlen(text));

	return id >= 0 && (t->attr[id] & LC_TOKA_EOG);
}

static void
mark_eog(lc_tok *t, const int32_t *ids)
{
	size_t k;
	int32_t id;

	for (k = 0; k < sizeof(eog_texts) / sizeof(eog_texts[0]); k++) {
		id = lc_tok_find(t, eog_texts[k], strlen(eog_texts[k]));
		if (id < 0)
			continue;
		t->attr[id] |= LC_TOKA_EOG;
		/* llama.cpp forces these to control tokens */
		if (t->type[id] != LC_TOKT_USER_DEFINED)
			t->type[id] = LC_TOKT_CONTROL;
	}
	for (k = 0; k < NKEYS; k++) {
		id = ids[k];
		if (id >= 0 && (k == K_EOS || k == K_EOT || k == K_EOM ||
		    k == K_FIM_PAD || k == K_FIM_REP || k == K_FIM_SEP))
			t->attr[id] |= LC_TOKA_EOG;
	}
	/* llama.cpp: where <|tool_response> (Gemma 4) or <|plamo:eos|> ends
	   generation, "</s>" is a normal token */
	id = lc_tok_find(t, "</s>", 4);
	if (id >= 0 && (t->attr[id] & LC_TOKA_EOG) &&
	    (is_eog_text(t, "<|tool_response>") ||
	    is_eog_text(t, "<|plamo:eos|>"))) {
		t->attr[id] &= ~LC_TOKA_EOG;
		t->type[id] = LC_TOKT_NORMAL;
	}
}

static int
is_spec(const lc_tok *t, uint32_t v)
{
	size_t len = t->toff[v + 1] - t->toff[v];

	return (t->type[v] == LC_TOKT_CONTROL || t->type[v] ==
	    LC_TOKT_USER_DEFINED || t->type[v] == LC_TOKT_UNKNOWN) &&
	    len > 0 && !(t->attr[v] & LC_TOKA_RESPELL) &&
	    lc_tok_find(t, t->text + t->toff[v], len) == (int32_t)v;
}

static int
len_cmp(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/*
 * The tokens that are matched in text get LC_TOKA_MATCH; spec_len
 * lists, for each first byte, the lengths they have, longest first, so
 * a match at a position is a few hash lookups.
 */
static int
load_specials(lc_tok *t, lc_err *e)
{
	uint64_t *k;
	size_t n = 0, i, m, c, len;
	uint32_t v;

	for (v = 0; v < t->n; v++)
		n += is_spec(t, v);
	k = malloc((n ? n : 1) * sizeof(*k));
	t->spec_len = malloc((n ? n : 1) * sizeof(*t->spec_len));
	if (k == NULL || t->spec_len == NULL) {
		free(k);
		return lc_errf(e, LC_ENOMEM, "special tokens: no memory");
	}
	for (v = 0, i = 0; v < t->n; v++) {
		if (!is_spec(t, v))
			continue;
		t->attr[v] |= LC_TOKA_MATCH;
		len = t->toff[v + 1] - t->toff[v];
		if (len > UINT32_MAX - 1)
			len = UINT32_MAX - 1;	/* cannot match anyway */
		k[i++] = (uint64_t)(unsigned char)t->text[t->toff[v]] << 32 |
		    (UINT32_MAX - (uint32_t)len);
	}
	qsort(k, n, sizeof(*k), len_cmp);
	for (i = 0, m = 0; i < n; i++)
		if (i == 0 || k[i] != k[i - 1])
			k[m++] = k[i];
	for (i = 0; i < m; i++)
		t->spec_len[i] = UINT32_MAX - (uint32_t)k[i];
	for (c = 0, i = 0; c < 256; c++) {
		t->spec_at[c] = i;
		while (i < m && (k[i] >> 32) == c)
			i++;
	}
	t->spec_at[256] = m;
	free(k);
	return LC_OK;
}

/* Byte-level BPE: the pre-tokenizer, read before the tokens. */
static int
bpe_pre(lc_tok *t, const lc_gguf *g, lc_err *e)
{
	const char *s;
	size_t len;
	int rc;

	t->pre = LC_PRE_DEFAULT;
	rc = lc_gguf_get_str(g, "tokenizer.ggml.pre", &s, &len, e);
	if (rc == LC_ENOTFOUND)
		return LC_OK;
	if (rc != LC_OK)
		return rc;
	/* llama.cpp's LLAMA_VOCAB_PRE_TYPE_GEMMA4 names: raw BPE */
	if ((len == 6 && memcmp(s, "gemma4", 6) == 0) || (len == 24 &&
	    memcmp(s, "granite-embed-multi-311m", 24) == 0)) {
		t->raw = 1;
		return LC_OK;
	}
	if ((t->pre = lc_pre_lookup(s, len)) < 0)
		return lc_errf(e, LC_EUNSUP,
		    "tokenizer.ggml.pre: '%.*s' is not supported", SHOW(len), s);
	return LC_OK;
}

/* Byte-level BPE: the merges and the token of each byte's character. */
static int
bpe_load(lc_tok *t, const lc_gguf *g, lc_err *e)
{
	lc_gguf_kv kv;
	size_t len;
	char cb[8];
	uint32_t cp;
	int rc, b;

	if (lc_gguf_find_kv(g, "tokenizer.ggml.merges", &kv) != LC_OK)
		return lc_errf(e, LC_EFORMAT, "tokenizer.ggml.merges: missing");
	if ((rc = lc_bpe_merges(t, &kv, e)) != LC_OK)
		return rc;
	if (t->raw) {
		/* byte fallback: "<0xNN>", found by text as llama.cpp does */
		for (b = 0; b < 256; b++) {
			snprintf(cb, sizeof(cb), "<0x%02X>", (unsigned)b);
			t->byte_tok[b] = lc_tok_find(t, cb, 6);
		}
		return LC_OK;
	}
	for (b = 0; b < 256; b++) {
		cp = lc_bytelevel_cp((unsigned)b);
		if (cp < 0x80) {
			cb[0] = (char)cp;
			len = 1;
		} else {
			cb[0] = (char)(0xC0 | cp >> 6);
			cb[1] = (char)(0x80 | (cp & 0x3F));
			len = 2;
		}
		t->byte_tok[b] = lc_tok_find(t, cb, len);
	}
	t->ignore_merges = t->pre == LC_PRE_LLAMA3;
	t->add_bos = t->pre == LC_PRE_LLAMA3;
	return LC_OK;
}

/* SPM: merge priorities, byte tokens <0xNN>, llama.cpp's defaults. */
static int
spm_load(lc_tok *t, const lc_gguf *g, int32_t *ids, lc_err *e)
{
	char cb[8];
	int rc, b, v;

	if ((rc = lc_spm_load(t, g, e)) != LC_OK)
		return rc;
	for (b = 0; b < 256; b++) {
		snprintf(cb, sizeof(cb), "<0x%02X>", (unsigned)b);
		t->byte_tok[b] = lc_tok_find(t, cb, 6);
		if (t->byte_tok[b] >= 0 && t->type[t->byte_tok[b]] !=
		    LC_TOKT_BYTE)
			t->byte_tok[b] = -1;
	}
	if (ids[K_BOS] < 0 && t->n > 1)
		ids[K_BOS] = 1;
	if (ids[K_EOS] < 0 && t->n > 2)
		ids[K_EOS] = 2;
	if (ids[K_UNK] < 0)
		ids[K_UNK] = 0;
	t->add_bos = 1;
	t->add_space_prefix = 1;
	if ((rc = lc_gguf_get_bool(g, "tokenizer.ggml.add_space_prefix", &v,
	    e)) == LC_OK)
		t->add_space_prefix = v;
	else if (rc != LC_ENOTFOUND)
		return rc;
	return LC_OK;
}

/* WordPiece: the normalizer flag llama.cpp's converter writes, and
   [CLS] text [SEP]. */
static int
wpm_load(lc_tok *t, const lc_gguf *g, int32_t *ids, lc_err *e)
{
	int rc, v = 1;

	rc = lc_gguf_get_bool(g, "tokenizer.ggml.normalizer.lowercase", &v, e);
	if (rc != LC_OK && rc != LC_ENOTFOUND)
		return rc;
	lc_wpm_defaults(t, rc == LC_OK ? v : 1);
	if (ids[K_BOS] < 0)
		ids[K_BOS] = lc_tok_find(t, "[CLS]", 5);
	if (ids[K_EOS] < 0)
		ids[K_EOS] = ids[K_SEP] >= 0 ? ids[K_SEP] :
		    lc_tok_find(t, "[SEP]", 5);
	if (ids[K_UNK] < 0)
		ids[K_UNK] = lc_tok_find(t, "[UNK]", 5);
	t->add_bos = t->add_eos = 1;
	return LC_OK;
}

int
lc_tok_finish(lc_tok *t, lc_err *e)
{
	int32_t ids[NKEYS];
	int rc;
	size_t k;

	for (k = 0; k < NKEYS; k++)
		ids[k] = -1;
	ids[K_BOS] = t->bos;
	ids[K_EOS] = t->eos;
	ids[K_UNK] = t->unk;
	if ((rc = index_tokens(t, e)) != LC_OK)
		return rc;
	mark_eog(t, ids);
	if ((rc = load_pieces(t, e)) != LC_OK)
		return rc;
	return load_specials(t, e);
}

int
lc_tok_new(lc_tok **out, const lc_gguf *g, lc_err *e)
{
	lc_tok *t;
	const char *s;
	size_t len;
	int32_t ids[NKEYS];
	int rc, v, model, raw = 0;

	*out = NULL;
	rc = lc_gguf_get_str(g, "tokenizer.ggml.model", &s, &len, e);
	if (rc == LC_ENOTFOUND)
		return lc_errf(e, LC_ENOTFOUND, "tokenizer.ggml.model: missing");
	if (rc != LC_OK)
		return rc;
	if (len == 4 && memcmp(s, "gpt2", 4) == 0)
		model = LC_TOKM_BPE;
	else if (len == 6 && memcmp(s, "gemma4", 6) == 0) {
		model = LC_TOKM_BPE;
		raw = 1;
	} else if (len == 5 && memcmp(s, "llama", 5) == 0)
		model = LC_TOKM_SPM;
	else if (len == 4 && memcmp(s, "bert", 4) == 0)
		model = LC_TOKM_WPM;
	else
		return lc_errf(e, LC_EUNSUP,
		    "tokenizer.ggml.model: '%.*s' is not supported",
		    SHOW(len), s);
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return lc_errf(e, LC_ENOMEM, "tokenizer: no memory");
	t->model = model;
	t->raw = raw;
	/* "gemma4" has its own pre-tokenizer (lc_bpe_raw_text) */
	if ((model == LC_TOKM_BPE && !raw && (rc = bpe_pre(t, g, e)) !=
	    LC_OK) ||
	    (rc = load_tokens(t, g, e)) != LC_OK ||
	    (rc = load_ids(t, g, ids, e)) != LC_OK)
		goto fail;
	if (model == LC_TOKM_BPE)
		rc = bpe_load(t, g, e);
	else if (model == LC_TOKM_SPM)
		rc = spm_load(t, g, ids, e);
	else
		rc = wpm_load(t, g, ids, e);
	if (rc != LC_OK)
		goto fail;
	t->bos = ids[K_BOS];
	t->eos = ids[K_EOS];
	t->unk = ids[K_UNK];
	if ((rc = lc_gguf_get_bool(g, "tokenizer.ggml.add_bos_token", &v,
	    e)) == LC_OK)
		t->add_bos = v;
	else if (rc != LC_ENOTFOUND)
		goto fail;
	if (t->raw)
		t->add_bos = 1;		/* llama.cpp's Gemma 4 rule */
	if ((rc = lc_gguf_get_bool(g, "tokenizer.ggml.add_eos_token", &v,
	    e)) == LC_OK)
		t->add_eos = v;
	else if (rc != LC_ENOTFOUND)
		goto fail;
	mark_eog(t, ids);
	if ((rc = load_pieces(t, e)) != LC_OK ||
	    (rc = load_specials(t, e)) != LC_OK)
		goto fail;
	*out = t;
	return LC_OK;
fail:
	lc_tok_free(t);
	return rc;
}

void
lc_tok_free(lc_tok *t)
{
	if (t == NULL)
		return;
	free(t->text);
	free(t->toff);
	free(t->dec);
	free(t->doff);
	free(t->type);
	free(t->attr);
	free(t->vht);
	free(t->mht);
	free(t->mrank);
	free(t->sprun);
	free(t->spec_len);
	free(t->dec1);
	free(t->d1off);
	free(t);
}

/* ---- getters ---- */

uint32_t
lc_tok_nvocab(const lc_tok *t)
{
	return t->n;
}

int32_t
lc_tok_bos(const lc_tok *t)
{
	return t->bos;
}

int32_t
lc_tok_eos(const lc_tok *t)
{
	return t->eos;
}

int
lc_tok_add_bos(const lc_tok *t)
{
	return t->add_bos && t->bos >= 0;
}

int
lc_tok_add_eos(const lc_tok *t)
{
	return t->add_eos && t->eos >= 0;
}

int
lc_tok_is_eog(const lc_tok *t, int32_t id)
{
	return id >= 0 && (uint32_t)id < t->n && (t->attr[id] & LC_TOKA_EOG);
}

int
lc_tok_type(const lc_tok *t, int32_t id)
{
	return id >= 0 && (uint32_t)id < t->n ? t->type[id] : -1;
}

const char *
lc_tok_text(const lc_tok *t, int32_t id, size_t *len)
{
	if (id < 0 || (uint32_t)id >= t->n)
		return NULL;
	*len = t->toff[id + 1] - t->toff[id];
	return t->text + t->toff[id];
}

size_t
lc_tok_maxpiece(const lc_tok *t)
{
	return t->maxpiece;
}

/* ---- encoding ---- */

typedef struct session {
	lc_utext	 u;
	lc_pieces	 pc, tmp;
	lc_bpe_scratch	 bpe;
	lc_spm_scratch	 spm;
	lc_wpm_scratch	 wpm;
} session;

/* Text without special tokens: pre-tokenize, then the model.  prefix:
   SPM's space prefix goes first. */
static int
encode_raw(const lc_tok *t, session *s, const char *text, size_t len,
    int prefix, int32_t **ids, size_t *n, size_t *cap)
{
	size_t i, start, end;

	if (len == 0)
		return 0;
	if (t->model == LC_TOKM_SPM)
		return lc_spm_text(t, &s->spm, text, len, prefix, ids, n, cap);
	if (t->model == LC_TOKM_WPM)
		return lc_wpm_text(t, &s->wpm, text, len, ids, n, cap);
	if (t->raw)
		return lc_bpe_raw_text(t, &s->bpe, text, len, ids, n, cap);
	if (lc_utext_decode(&s->u, text, len) != 0 ||
	    lc_pre_split(t->pre, &s->u, &s->pc, &s->tmp) != 0)
		return -1;
	start = 0;
	for (i = 0; i < s->pc.n; i++) {
		end = start + s->pc.len[i];
		if (lc_bpe_word(t, &s->bpe, (const unsigned char *)text +
		    s->u.off[start], s->u.off[end] - s->u.off[start], ids, n,
		    cap) != 0)
			return -1;
		start = end;
	}
	return 0;
}

/* Length of the longest token matched in text at text[pos] (0 if none),
   its id in *id. */
static size_t
match_special(const lc_tok *t, const char *text, size_t len, size_t pos,
    int32_t *id)
{
	unsigned char c = (unsigned char)text[pos];
	size_t i, l;
	int32_t v;

	for (i = t->spec_at[c]; i < t->spec_at[c + 1]; i++) {
		l = t->spec_len[i];
		if (l > len - pos)
			continue;
		if ((v = lc_tok_find(t, text + pos, l)) >= 0 &&
		    (t->attr[v] & LC_TOKA_MATCH)) {
			*id = v;
			return l;
		}
	}
	return 0;
}

int
lc_tok_encode(const lc_tok *t, const char *text, size_t len,
    int add_special, int parse_special, int32_t **ids, size_t *n,
    size_t *cap, lc_err *e)
{
	session s;
	size_t n0 = *n, pos, start, l;
	int32_t id;
	int rc = -1, prev_special = 1;

	memset(&s, 0, sizeof(s));
	if (add_special && lc_tok_add_bos(t) &&
	    lc_tok_push_id(ids, n, cap, t->bos) != 0)
		goto out;
	/*
	 * Special tokens first, as HF's added vocabulary splits: at the
	 * leftmost position where one starts, the longest one wins.  A
	 * control token found while parse_special is off stays text, and
	 * so does whatever it overlaps.  User-defined tokens always split.
	 * The text between goes to the model; SPM's space prefix goes before
	 * text that starts the input or follows a token split out
	 * (llama.cpp's is_prev_special).
	 */
	for (pos = start = 0; pos < len; ) {
		if ((l = match_special(t, text, len, pos, &id)) == 0) {
			pos++;
			continue;
		}
		if (!parse_special && t->type[id] != LC_TOKT_USER_DEFINED) {
			pos += l;
			continue;
		}
		if (pos > start) {
			if (encode_raw(t, &s, text + start, pos - start,
			    t->add_space_prefix && prev_special, ids, n,
			    cap) != 0)
				goto out;
		}
		if (lc_tok_push_id(ids, n, cap, id) != 0)
			goto out;
		prev_special = 1;
		pos += l;
		start = pos;
	}
	if (encode_raw(t, &s, text + start, len - start, t->add_space_prefix &&
	    prev_special, ids, n, cap) != 0)
		goto out;
	if (add_special && lc_tok_add_eos(t) &&
	    lc_tok_push_id(ids, n, cap, t->eos) != 0)
		goto out;
	rc = 0;
out:
	lc_utext_free(&s.u);
	free(s.pc.len);
	free(s.tmp.len);
	lc_bpe_scratch_free(&s.bpe);
	lc_spm_scratch_free(&s.spm);
	lc_wpm_scratch_free(&s.wpm);
	if (rc != 0) {
		*n = n0;
		return lc_errf(e, LC_ENOMEM, "tokenize %zu bytes: no memory",
		    len);
	}
	return LC_OK;
}

/* ---- decoding ---- */

size_t
lc_tok_piece(const lc_tok *t, int32_t id, int special, char *buf,
    size_t cap)
{
	size_t len;

	if (id < 0 || (uint32_t)id >= t->n)
		return 0;
	if (!special && (t->type[id] == LC_TOKT_CONTROL || t->type[id] ==
	    LC_TOKT_UNKNOWN))
		return 0;
	len = t->doff[id + 1] - t->doff[id];
	if (len <= cap && len > 0)
		memcpy(buf, t->dec + t->doff[id], len);
	return len;
}

void
lc_tok_dec_init(lc_tok_dec *d, int special)
{
	memset(d, 0, sizeof(*d));
	d->special = special;
}

size_t
lc_tok_dec_push(lc_tok_dec *d, const lc_tok *t, int32_t id, char *buf,
    size_t cap)
{
	const unsigned char *p;
	unsigned char c[4];
	size_t plen, total, i, j, k, cut;
	uint32_t cp;
	int r;

	if (id < 0 || (uint32_t)id >= t->n || (!d->special &&
	    (t->type[id] == LC_TOKT_CONTROL || t->type[id] ==
	    LC_TOKT_UNKNOWN)))
		return 0;
	if (t->model == LC_TOKM_WPM && d->ntok == 0) {
		/* the first piece of a text: no space, "##" kept */
		p = (const unsigned char *)t->dec1 + t->d1off[id];
		plen = t->d1off[id + 1] - t->d1off[id];
	} else {
		p = (const unsigned char *)t->dec + t->doff[id];
		plen = t->doff[id + 1] - t->doff[id];
	}
	total = d->npend + plen;
	/* the text is pend[] then p[]; cut where a character is left
	   unfinished at the end */
	for (i = 0, cut = total; i < total; i += (size_t)r) {
		k = total - i < 4 ? total - i : 4;
		for (j = 0; j < k; j++)
			c[j] = i + j < d->npend ? d->pend[i + j] :
			    p[i + j - d->npend];
		r = lc_utf8_dec(c, k, &cp);
		if (r < 0) {
			cut = i;
			break;
		}
		if (r == 0)
			r = 1;		/* invalid: passed on as it is */
	}
	if (cut > cap)
		return cut;
	for (j = 0; j < cut; j++)
		buf[j] = (char)(j < d->npend ? d->pend[j] : p[j - d->npend]);
	for (j = cut; j < total; j++)
		c[j - cut] = j < d->npend ? d->pend[j] : p[j - d->npend];
	memcpy(d->pend, c, total - cut);
	d->npend = (unsigned)(total - cut);
	d->ntok++;
	return cut;
}

size_t
lc_tok_dec_flush(lc_tok_dec *d, char *buf, size_t cap)
{
	size_t n = d->npend;

	if (n > cap)
		return n;
	memcpy(buf, d->pend, n);
	d->npend = 0;
	d->ntok = 0;
	return n;
}
