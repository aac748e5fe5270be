/*
 * t_tok.c - libcore/tok against its goldens (tests/golden/tok, made by
 * tests/oracle/tok_corpus.py and tok_spm.py with Hugging Face tokenizers
 * and the Python regex module; run from the repository root).
 *
 * usage: t_tok [MODELS_DIR | model.gguf ...]	(default: $MODELS_DIR)
 * With a directory, SmolLM2 (byte-level BPE), Gemma 3 (SPM) and
 * all-MiniLM-L6-v2's tokenizer.json (WordPiece; goldens from
 * tests/oracle/tok_wordpiece.py) are all required: a missing model is a
 * failure, not a skip.  A .gguf argument
 * is tested by its tokenizer model with the goldens of that model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../libcore/gguf.h"
#include "../../libcore/tok/tok.h"
#include "../../libcore/tok/tok_impl.h"
#include "check.h"

#define GOLDEN	"tests/golden/tok"
#define MODEL	"SmolLM2-135M-Instruct.Q4_1.gguf"
#define GEMMA	"gemma-3-270m-q4_k_m.gguf"
#define MINILM	"all-MiniLM-L6-v2/tokenizer.json"

typedef struct str {
	char	*s;
	size_t	 len;
} str;

/* ---- reading the goldens ---- */

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp;
	char *buf = NULL;
	long n;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, fp) == (size_t)n) {
		buf[n] = '\0';
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

/* Splits buf into lines in place; returns the count. */
static size_t
lines(char *buf, size_t len, char ***out)
{
	size_t n = 0, i, k = 0;

	for (i = 0; i < len; i++)
		n += buf[i] == '\n';
	*out = malloc((n + 1) * sizeof(**out));
	(*out)[0] = buf;
	for (i = 0; i < len && k < n; i++)
		if (buf[i] == '\n') {
			buf[i] = '\0';
			(*out)[++k] = buf + i + 1;
		}
	return n;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t
put_utf8(char *o, unsigned long cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static unsigned long
hex4(const char *p)
{
	unsigned long v = 0;
	int i, h;

	for (i = 0; i < 4; i++) {
		if ((h = hexval(p[i])) < 0)
			return 0xFFFFFFFFUL;
		v = v << 4 | (unsigned)h;
	}
	return v;
}

/* A JSON string literal (as json.dumps writes it) to UTF-8. */
static int
json_str(const char *p, str *out)
{
	size_t n = strlen(p), k = 0;
	unsigned long cp, lo;
	char *o;

	if (n < 2 || p[0] != '"' || p[n - 1] != '"')
		return -1;
	o = malloc(n + 1);
	for (p++; *p != '"'; p++) {
		if (*p != '\\') {
			o[k++] = *p;
			continue;
		}
		switch (*++p) {
		case 'n': o[k++] = '\n'; break;
		case 't': o[k++] = '\t'; break;
		case 'r': o[k++] = '\r'; break;
		case 'b': o[k++] = '\b'; break;
		case 'f': o[k++] = '\f'; break;
		case 'u':
			cp = hex4(p + 1);
			p += 4;
			if (cp >= 0xD800 && cp < 0xDC00 && p[1] == '\\' &&
			    p[2] == 'u') {
				lo = hex4(p + 3);
				p += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) +
				    (lo - 0xDC00);
			}
			k += put_utf8(o + k, cp);
			break;
		default: o[k++] = *p; break;
		}
	}
	out->s = o;
	out->len = k;
	return 0;
}

/* "1 2 3" to ids; returns the count. */
static size_t
parse_ids(const char *p, const char *end, int32_t *ids, size_t cap)
{
	size_t n = 0;
	char *q;
	long v;

	while (p < end) {
		v = strtol(p, &q, 10);
		if (q == p)
			break;
		if (n < cap)
			ids[n] = (int32_t)v;
		n++;
		p = q;
	}
	return n;
}

/* ---- helpers ---- */

static int
valid_utf8(const char *s, size_t n)
{
	uint32_t cp;
	size_t i;
	int k;

	for (i = 0; i < n; i += (size_t)k)
		if ((k = lc_utf8_dec((const unsigned char *)s + i, n - i,
		    &cp)) <= 0)
			return 0;
	return 1;
}

/* The text ids decode to, pieces joined (special: control tokens too). */
static str
detok(const lc_tok *t, const int32_t *ids, size_t n, int special)
{
	str r;
	size_t i, cap = 64, l;

	r.s = malloc(cap);
	r.len = 0;
	for (i = 0; i < n; i++) {
		l = lc_tok_piece(t, ids[i], special, NULL, 0);
		if (r.len + l > cap) {
			while (r.len + l > cap)
				cap *= 2;
			r.s = realloc(r.s, cap);
		}
		lc_tok_piece(t, ids[i], special, r.s + r.len, l);
		r.len += l;
	}
	return r;
}

/* What decode(encode(s)) gives: s without the bytes that have no token
   (BPE without unk drops them); SPM reads U+2581 back as a space. */
static str
representable(const lc_tok *t, const char *s, size_t n)
{
	str r;
	size_t i;

	r.s = malloc(n + 1);
	r.len = 0;
	for (i = 0; i < n; i++) {
		if ((t->model == LC_TOKM_SPM || t->raw) && i + 3 <= n &&
		    memcmp(s + i, "\xe2\x96\x81", 3) == 0) {
			r.s[r.len++] = ' ';
			i += 2;
		} else if (t->byte_tok[(unsigned char)s[i]] >= 0)
			r.s[r.len++] = s[i];
	}
	return r;
}

static void
show_ids(char *buf, size_t cap, const int32_t *ids, size_t n, size_t at)
{
	size_t i, a = at > 3 ? at - 3 : 0, k = 0;

	buf[0] = '\0';
	for (i = a; i < n && i < at + 4 && k + 16 < cap; i++)
		k += (size_t)snprintf(buf + k, cap - k, "%s%s%d%s",
		    i > a ? " " : "", i == at ? "[" : "", ids[i],
		    i == at ? "]" : "");
}

/* ---- the corpus against HF ---- */

/* The JSON strings of GOLDEN/name, one a line. */
static size_t
load_strings(const char *name, str **out)
{
	char path[256], *buf, **ln;
	size_t len, n, i;

	snprintf(path, sizeof(path), GOLDEN "/%s", name);
	*out = NULL;
	if ((buf = slurp(path, &len)) == NULL) {
		CHECK(0, "cannot read %s (run from the repository root)",
		    path);
		return 0;
	}
	n = lines(buf, len, &ln);
	*out = calloc(n + 1, sizeof(**out));
	for (i = 0; i < n; i++)
		CHECK(json_str(ln[i], &(*out)[i]) == 0, "%s line %zu: "
		    "bad JSON string", name, i + 1);
	free(ln);
	free(buf);
	return n;
}

static void
free_strings(str *cs, size_t n)
{
	size_t i;

	for (i = 0; i < n && cs != NULL; i++)
		free(cs[i].s);
	free(cs);
}

/* The ids of strings cs against GOLDEN/file ("OFF|ON" per line). */
static void
test_golden_ids(const lc_tok *t, const char *file, const char *what,
    const str *cs, size_t nc)
{
	char path[256], *buf, **ln, a[200], b[200];
	int32_t *ids = NULL, *gold;
	size_t len, n, cap = 0, i, ng, j, bad[2] = { 0, 0 }, total = 0;
	const char *bar;
	int ps, rc;

	snprintf(path, sizeof(path), GOLDEN "/%s", file);
	if ((buf = slurp(path, &len)) == NULL) {
		CHECK(0, "cannot read %s", path);
		return;
	}
	if (lines(buf, len, &ln) != nc) {
		CHECK(0, "%s: line count differs from its strings", file);
		free(ln);
		free(buf);
		return;
	}
	gold = malloc(1u << 22);
	for (i = 0; i < nc; i++) {
		bar = strchr(ln[i], '|');
		if (bar == NULL) {
			CHECK(0, "%s line %zu: no '|'", file, i + 1);
			continue;
		}
		for (ps = 0; ps < 2; ps++) {
			const char *p = ps ? bar + 1 : ln[i];
			const char *end = ps ? bar + 1 + strlen(bar + 1) : bar;

			ng = parse_ids(p, end, gold, (1u << 22) / 4);
			n = 0;
			rc = lc_tok_encode(t, cs[i].s, cs[i].len, 0, ps, &ids,
			    &n, &cap, NULL);
			total++;
			for (j = 0; j < n && j < ng && ids[j] == gold[j]; j++)
				;
			if (rc == LC_OK && n == ng && j == n)
				continue;
			bad[ps]++;
			show_ids(a, sizeof(a), ids, n, j);
			show_ids(b, sizeof(b), gold, ng, j);
			CHECK(0, "%s line %zu (parse_special %d, %zu bytes): "
			    "ids differ at %zu: got %zu ids ... %s ..., HF %zu "
			    "ids ... %s ...", file, i + 1, ps, cs[i].len, j, n,
			    a, ng, b);
		}
	}
	printf("%s vs HF: %zu of %zu encodings identical (%zu differ "
	    "with parse_special off, %zu with it on)\n", what,
	    total - bad[0] - bad[1], total, bad[0], bad[1]);
	free(gold);
	free(ids);
	free(ln);
	free(buf);
}

static void
test_splits(const str *cs, size_t nc)
{
	static const struct { const char *file; int pre; } vs[] = {
		{ "smollm", LC_PRE_SMOLLM }, { "gpt2", LC_PRE_GPT2 },
		{ "llama3", LC_PRE_LLAMA3 }, { "qwen2", LC_PRE_QWEN2 },
		{ "default", LC_PRE_DEFAULT }, { "falcon", LC_PRE_FALCON },
	};
	lc_utext u = { 0 };
	lc_pieces pc = { 0 }, tmp = { 0 };
	char path[256], *buf, **ln, *p, *q;
	size_t len, v, i, j, bad, nl;
	long g;

	for (v = 0; v < sizeof(vs) / sizeof(vs[0]); v++) {
		snprintf(path, sizeof(path), GOLDEN "/split_%s.txt", vs[v].file);
		if ((buf = slurp(path, &len)) == NULL) {
			CHECK(0, "cannot read %s", path);
			continue;
		}
		nl = lines(buf, len, &ln);
		CHECK(nl == nc, "%s: %zu lines, corpus %zu", path, nl, nc);
		bad = 0;
		for (i = 0; i < nc && i < nl; i++) {
			if (lc_utext_decode(&u, cs[i].s, cs[i].len) != 0 ||
			    lc_pre_split(vs[v].pre, &u, &pc, &tmp) != 0) {
				CHECK(0, "split: no memory");
				break;
			}
			p = ln[i];
			for (j = 0; ; j++) {
				g = strtol(p, &q, 10);
				if (q == p)
					break;
				p = q;
				if (j >= pc.n || pc.len[j] != (size_t)g)
					break;
			}
			if (q == p && j == pc.n)
				continue;
			bad++;
			CHECK(0, "split %s, corpus line %zu: piece %zu differs "
			    "(%zu pieces, golden line '%.60s')", vs[v].file,
			    i + 1, j, pc.n, ln[i]);
		}
		printf("split %s: %zu of %zu identical\n", vs[v].file,
		    nc - bad, nc);
		free(ln);
		free(buf);
	}
	lc_utext_free(&u);
	free(pc.len);
	free(tmp.len);
}

/* decode(encode(s)) == s, and the streaming decoder agrees. */
static void
roundtrip(const lc_tok *t, const char *s, size_t len, int ps,
    const char *what)
{
	int32_t *ids = NULL;
	size_t n = 0, cap = 0, i, k, outn = 0;
	char *out, chunk[512];
	lc_tok_dec d;
	str want, got;
	int ok = 1, valid;

	CHECK(lc_tok_encode(t, s, len, 0, ps, &ids, &n, &cap, NULL) == LC_OK,
	    "%s: encode failed", what);
	want = representable(t, s, len);
	got = detok(t, ids, n, 1);
	CHECK(got.len == want.len && memcmp(got.s, want.s, got.len) == 0,
	    "%s: decode(encode(s)) != s (%zu vs %zu bytes)", what, got.len,
	    want.len);
	out = malloc(got.len + 8);
	valid = valid_utf8(want.s, want.len);
	lc_tok_dec_init(&d, 1);
	for (i = 0; i < n; i++) {
		k = lc_tok_dec_push(&d, t, ids[i], chunk, sizeof(chunk));
		if (k > sizeof(chunk)) {
			ok = 0;
			break;
		}
		if (valid && !valid_utf8(chunk, k))
			ok = 0;
		memcpy(out + outn, chunk, k);
		outn += k;
	}
	k = lc_tok_dec_flush(&d, chunk, sizeof(chunk));
	memcpy(out + outn, chunk, k);
	outn += k;
	CHECK(ok && outn == got.len && memcmp(out, got.s, outn) == 0,
	    "%s: streamed text differs or has a broken character", what);
	free(out);
	free(want.s);
	free(got.s);
	free(ids);
}

static void
test_roundtrips(const lc_tok *t, const char *name, const str *cs, size_t nc)
{
	char what[64];
	size_t i;

	for (i = 0; i < nc; i++) {
		snprintf(what, sizeof(what), "%s line %zu", name, i + 1);
		roundtrip(t, cs[i].s, cs[i].len, 0, what);
		roundtrip(t, cs[i].s, cs[i].len, 1, what);
	}
}

/* ---- special tokens, getters ---- */

static void
test_special(const lc_tok *t)
{
	static const char chat[] = "<|im_start|>user\nHi<|im_end|>\n";
	int32_t *ids = NULL;
	size_t n = 0, cap = 0, i, l;
	char buf[64];

	CHECK(lc_tok_nvocab(t) == 49152, "n_vocab %u", lc_tok_nvocab(t));
	CHECK(lc_tok_bos(t) == 1 && lc_tok_eos(t) == 2, "bos %d eos %d",
	    lc_tok_bos(t), lc_tok_eos(t));
	CHECK(!lc_tok_add_bos(t) && !lc_tok_add_eos(t), "add_bos/add_eos");
	CHECK(lc_tok_is_eog(t, 2) && lc_tok_is_eog(t, 0) &&
	    !lc_tok_is_eog(t, 1) && !lc_tok_is_eog(t, 100) &&
	    !lc_tok_is_eog(t, -1) && !lc_tok_is_eog(t, 49152), "is_eog");
	CHECK(lc_tok_find(t, "<|im_end|>", 10) == 2 &&
	    lc_tok_find(t, "\xc4\xa0t", 3) >= 0 &&
	    lc_tok_find(t, "no such token!", 14) == -1, "find");
	CHECK(lc_tok_type(t, 1) == LC_TOKT_CONTROL &&
	    lc_tok_type(t, 100) == LC_TOKT_NORMAL &&
	    lc_tok_type(t, 49152) == -1, "types");
	CHECK(lc_tok_piece(t, 2, 0, buf, sizeof(buf)) == 0, "control piece "
	    "without special");
	l = lc_tok_piece(t, 2, 1, buf, sizeof(buf));
	CHECK(l == 10 && memcmp(buf, "<|im_end|>", 10) == 0, "control piece");
	CHECK(lc_tok_piece(t, 2, 1, buf, 3) == 10, "piece: short buffer");
	CHECK(lc_tok_piece(t, 99999, 1, buf, sizeof(buf)) == 0 &&
	    lc_tok_piece(t, -5, 1, buf, sizeof(buf)) == 0, "piece of bad id");

	CHECK(lc_tok_encode(t, chat, sizeof(chat) - 1, 1, 1, &ids, &n, &cap,
	    NULL) == LC_OK, "encode chat");
	CHECK(n >= 4 && ids[0] == 1 && ids[n - 2] == 2, "chat: %zu ids, "
	    "first %d", n, n ? ids[0] : -1);
	n = 0;
	lc_tok_encode(t, chat, sizeof(chat) - 1, 1, 0, &ids, &n, &cap, NULL);
	for (i = 0; i < n; i++)
		CHECK(ids[i] > 16, "parse_special off gave special id %d",
		    ids[i]);
	/* appending: ids already there stay */
	n = 0;
	lc_tok_encode(t, "a", 1, 0, 0, &ids, &n, &cap, NULL);
	lc_tok_encode(t, "<|endoftext|>", 13, 0, 1, &ids, &n, &cap, NULL);
	CHECK(n == 2 && ids[1] == 0, "append: %zu ids", n);
	/* empty input */
	n = 0;
	CHECK(lc_tok_encode(t, "", 0, 1, 1, &ids, &n, &cap, NULL) == LC_OK &&
	    n == 0, "empty input gave %zu ids", n);
	free(ids);
}

/* A character split across tokens comes out whole. */
static void
test_stream(const lc_tok *t)
{
	/* U+1F999 and U+4E16 in a string BPE cuts mid-character */
	static const char s[] = "\xf0\x9f\xa6\x99\xe4\xb8\x96 x";
	int32_t ids[3];
	lc_tok_dec d;
	char buf[16];
	size_t k;

	ids[0] = t->byte_tok[0xf0];
	ids[1] = t->byte_tok[0x9f];
	lc_tok_dec_init(&d, 0);
	CHECK(lc_tok_dec_push(&d, t, ids[0], buf, sizeof(buf)) == 0 &&
	    lc_tok_dec_push(&d, t, ids[1], buf, sizeof(buf)) == 0 &&
	    d.npend == 2, "partial character was emitted");
	k = lc_tok_dec_flush(&d, buf, sizeof(buf));
	CHECK(k == 2 && memcmp(buf, s, 2) == 0 && d.npend == 0, "flush");
	/* a stray continuation byte passes at once */
	ids[2] = t->byte_tok[0x80];
	CHECK(lc_tok_dec_push(&d, t, ids[2], buf, sizeof(buf)) == 1, "stray "
	    "continuation byte held back");
	/* too small a buffer changes nothing */
	lc_tok_dec_init(&d, 0);
	lc_tok_dec_push(&d, t, ids[0], buf, sizeof(buf));
	CHECK(lc_tok_dec_push(&d, t, lc_tok_find(t, "hello", 5), buf, 2) ==
	    6 && d.npend == 1, "short buffer");
	roundtrip(t, s, sizeof(s) - 1, 0, "stream string");
}

/* ---- hostile input ---- */

static uint32_t rng = 12345;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void
test_hostile(const lc_tok *t)
{
	static const struct { const char *s; size_t n; } bad[] = {
		{ "\xff\xfe", 2 }, { "\xc3", 1 }, { "\xe2\x82", 2 },
		{ "a\x80" "b", 3 }, { "\xc0\xaf", 2 }, { "\xed\xa0\x80", 3 },
		{ "\xf4\x90\x80\x80", 4 }, { "a\0b\0\0c", 6 },
		{ "<|im_end|>\xff<|im_start|>\0", 24 },
		{ "\xf0\x9f\x98", 3 }, { "x \xe4\xb8 y", 5 },
	};
	int32_t *ids = NULL;
	size_t n = 0, cap = 0, i, k, len;
	char *big, what[64];
	clock_t c0;
	double sec;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(what, sizeof(what), "invalid UTF-8 #%zu", i);
		roundtrip(t, bad[i].s, bad[i].n, 0, what);
		roundtrip(t, bad[i].s, bad[i].n, 1, what);
	}
	big = malloc(1u << 20);
	for (i = 0; i < 300; i++) {
		len = rnd() % 200;
		for (k = 0; k < len; k++)
			big[k] = rnd() % 4 == 0 ? (char)rnd() : "ab <|>\n1'"[
			    rnd() % 9];
		snprintf(what, sizeof(what), "random bytes #%zu", i);
		roundtrip(t, big, len, (int)(i & 1), what);
	}

	/* 1 MB of one letter: one word of a million bytes */
	memset(big, 'a', 1u << 20);
	c0 = clock();
	CHECK(lc_tok_encode(t, big, 1u << 20, 0, 1, &ids, &n, &cap, NULL) ==
	    LC_OK && n > 0, "1 MB of 'a'");
	sec = (double)(clock() - c0) / CLOCKS_PER_SEC;
	printf("1 MB of 'a': %zu ids in %.3f s\n", n, sec);
	CHECK(sec < 3.0, "1 MB of 'a' took %.2f s", sec);
	roundtrip(t, big, 1u << 20, 0, "1 MB of 'a'");
	/* 1 MB of mixed text */
	for (k = 0; k < (1u << 20); k++)
		big[k] = "Hello, world! 123 \xe4\xb8\x96\n\t<|im_end|>"[
		    rnd() % 33];
	c0 = clock();
	n = 0;
	CHECK(lc_tok_encode(t, big, 1u << 20, 0, 1, &ids, &n, &cap, NULL) ==
	    LC_OK && n > 0, "1 MB of mixed bytes");
	sec = (double)(clock() - c0) / CLOCKS_PER_SEC;
	printf("1 MB of mixed bytes: %zu ids in %.3f s\n", n, sec);
	CHECK(sec < 3.0, "1 MB of mixed bytes took %.2f s", sec);
	/* 1 MB of spaces, of digits, of punctuation */
	memset(big, ' ', 1u << 20);
	roundtrip(t, big, 1u << 20, 0, "1 MB of spaces");
	memset(big, '7', 1u << 20);
	roundtrip(t, big, 1u << 20, 0, "1 MB of digits");
	memset(big, '!', 1u << 20);
	roundtrip(t, big, 1u << 20, 0, "1 MB of '!'");
	free(big);
	free(ids);
}

/* ---- malformed tokenizers ---- */

enum { M_OK, M_UNKNOWN_MERGE, M_BAD_RESULT, M_NOSPACE, M_BOS, M_TYPES,
    M_TYPEVAL, M_NOMERGES, M_MODEL, M_PRE, M_NOTOKENS, M_N };

static const char *const mcase[M_N] = {
	"valid", "merge of unknown token", "merge result not a token",
	"merge without space", "bos id >= n_vocab", "types count",
	"type value", "no merges", "unknown model", "unknown pre",
	"no tokens",
};

/* A tiny byte-level vocabulary: the 256 byte chars, "ab", "Ġab". */
static int
write_vocab(const char *path, int m, lc_err *e)
{
	lc_gguf_writer *w;
	char tok[258][4];
	const char *tp[258], *merges[3];
	int32_t types[258];
	uint32_t cp;
	int i, rc, ntok = 258;

	for (i = 0; i < 256; i++) {
		cp = lc_bytelevel_cp((unsigned)i);
		tok[i][put_utf8(tok[i], cp)] = '\0';
		tp[i] = tok[i];
		types[i] = LC_TOKT_NORMAL;
	}
	tp[256] = "ab";
	tp[257] = "\xc4\xa0" "ab";
	types[256] = types[257] = LC_TOKT_NORMAL;
	merges[0] = "a b";
	merges[1] = "\xc4\xa0 ab";
	merges[2] = m == M_UNKNOWN_MERGE ? "a zz" : m == M_BAD_RESULT ?
	    "b a" : "ab";
	if ((rc = lc_gguf_writer_new(&w, e)) != LC_OK)
		return rc;
	rc = lc_gguf_w_str(w, "general.architecture", "llama", e);
	if (rc == LC_OK)
		rc = lc_gguf_w_str(w, "tokenizer.ggml.model", m == M_MODEL ?
		    "wordpiece" : "gpt2", e);
	if (rc == LC_OK)
		rc = lc_gguf_w_str(w, "tokenizer.ggml.pre", m == M_PRE ?
		    "no-such-pre" : "gpt-2", e);
	if (rc == LC_OK && m != M_NOTOKENS)
		rc = lc_gguf_w_arr_str(w, "tokenizer.ggml.tokens", tp, NULL,
		    (uint64_t)ntok, e);
	if (rc == LC_OK) {
		if (m == M_TYPEVAL)
			types[7] = 9;
		rc = lc_gguf_w_arr(w, "tokenizer.ggml.token_type",
		    LC_GGUF_I32, types, (uint64_t)(m == M_TYPES ? ntok - 1 :
		    ntok), e);
	}
	if (rc == LC_OK && m != M_NOMERGES)
		rc = lc_gguf_w_arr_str(w, "tokenizer.ggml.merges", merges,
		    NULL, m == M_OK ? 2 : m == M_NOSPACE ||
		    m == M_UNKNOWN_MERGE || m == M_BAD_RESULT ? 3 : 2, e);
	if (rc == LC_OK)
		rc = lc_gguf_w_u32(w, "tokenizer.ggml.bos_token_id",
		    m == M_BOS ? 258 : 0, e);
	if (rc == LC_OK)
		rc = lc_gguf_writer_write(w, path, e);
	lc_gguf_writer_free(w);
	return rc;
}

static void
test_malformed(void)
{
	static const char *const expect[M_N] = {
		"", "tokenizer.ggml.merges[2]", "tokenizer.ggml.merges[2]",
		"tokenizer.ggml.merges[2]", "tokenizer.ggml.bos_token_id",
		"tokenizer.ggml.token_type", "tokenizer.ggml.token_type[7]",
		"tokenizer.ggml.merges", "tokenizer.ggml.model",
		"tokenizer.ggml.pre", "tokenizer.ggml.tokens",
	};
	char dir[] = "/tmp/t_tok.XXXXXX", path[64];
	lc_gguf *g;
	lc_tok *t;
	lc_err e;
	int32_t *ids = NULL;
	size_t n = 0, cap = 0;
	int m, rc;

	if (mkdtemp(dir) == NULL) {
		CHECK(0, "mkdtemp failed");
		return;
	}
	snprintf(path, sizeof(path), "%s/v.gguf", dir);
	for (m = 0; m < M_N; m++) {
		memset(&e, 0, sizeof(e));
		if (write_vocab(path, m, &e) != LC_OK ||
		    lc_gguf_open(&g, path, &e) != LC_OK) {
			CHECK(0, "%s: cannot write the GGUF: %s", mcase[m],
			    e.msg);
			continue;
		}
		rc = lc_tok_new(&t, g, &e);
		lc_gguf_close(g);
		if (m == M_OK) {
			CHECK(rc == LC_OK, "valid tiny vocab refused: %s",
			    e.msg);
			if (rc != LC_OK)
				continue;
			n = 0;
			lc_tok_encode(t, "ab ab ba", 8, 1, 1, &ids, &n, &cap,
			    NULL);
			CHECK(n == 5 && ids[0] == 256 && ids[1] == 257 &&
			    ids[2] == ' ' && ids[3] == 'b' && ids[4] == 'a',
			    "tiny vocab: %zu ids", n);
			lc_tok_free(t);
			continue;
		}
		CHECK(rc != LC_OK && t == NULL, "%s: accepted", mcase[m]);
		CHECK(rc == ((m == M_MODEL || m == M_PRE) ? LC_EUNSUP :
		    LC_EFORMAT) && strstr(e.msg, expect[m]) != NULL,
		    "%s: code %d, message '%s'", mcase[m], rc, e.msg);
		if (getenv("T_TOK_VERBOSE"))
			printf("%s: %s\n", mcase[m], e.msg);
	}
	unlink(path);
	rmdir(dir);
	free(ids);
}


/* ---- SPM on a tiny vocabulary ---- */

enum { S_SCORE, S_GEMMA, S_BADSCORES, S_SCORETYPE, S_N };

/*
 * <unk> <s> </s>, <0x00>..<0xFF>, then the pieces of spm_tok[]: "bc"
 * scores above "ab", so "abc" is a bc by score but ab c by position
 * (Gemma); "  " and "   " are user-defined runs of spaces.
 */
static const struct { const char *s; float score; int type; } spm_tok[] = {
	{ "\xe2\x96\x81", -1, LC_TOKT_NORMAL },		/* 259 */
	{ "a", -2, LC_TOKT_NORMAL },			/* 260 */
	{ "b", -3, LC_TOKT_NORMAL },			/* 261 */
	{ "c", -4, LC_TOKT_NORMAL },			/* 262 */
	{ "ab", -6, LC_TOKT_NORMAL },			/* 263 */
	{ "bc", -5, LC_TOKT_NORMAL },			/* 264 */
	{ "\xe2\x96\x81" "a", -7, LC_TOKT_NORMAL },	/* 265 */
	{ "<tag>", 0, LC_TOKT_USER_DEFINED },		/* 266 */
	{ "x", -8, LC_TOKT_NORMAL },			/* 267 */
	{ "  ", -1000, LC_TOKT_USER_DEFINED },		/* 268 */
	{ "   ", -1000, LC_TOKT_USER_DEFINED },		/* 269 */
	{ "\xe2\x96\x81" "x", -9, LC_TOKT_NORMAL },	/* 270 */
};

static int
write_spm(const char *path, int m, lc_err *e)
{
	enum { N = 259 + sizeof(spm_tok) / sizeof(spm_tok[0]) };
	lc_gguf_writer *w;
	char bytes[256][8];
	const char *tp[N];
	float sc[N];
	int32_t ty[N];
	int i, rc;

	tp[0] = "<unk>";
	tp[1] = "<s>";
	tp[2] = "</s>";
	ty[0] = LC_TOKT_UNKNOWN;
	ty[1] = ty[2] = LC_TOKT_CONTROL;
	sc[0] = sc[1] = sc[2] = 0;
	for (i = 0; i < 256; i++) {
		snprintf(bytes[i], sizeof(bytes[i]), "<0x%02X>", i);
		tp[3 + i] = bytes[i];
		ty[3 + i] = LC_TOKT_BYTE;
		sc[3 + i] = 0;
	}
	for (i = 259; i < N; i++) {
		tp[i] = spm_tok[i - 259].s;
		sc[i] = spm_tok[i - 259].score;
		ty[i] = spm_tok[i - 259].type;
	}
	if ((rc = lc_gguf_writer_new(&w, e)) != LC_OK)
		return rc;
	rc = lc_gguf_w_str(w, "general.architecture", m == S_GEMMA ?
	    "gemma3" : "llama", e);
	if (rc == LC_OK)
		rc = lc_gguf_w_str(w, "tokenizer.ggml.model", "llama", e);
	if (rc == LC_OK)
		rc = lc_gguf_w_arr_str(w, "tokenizer.ggml.tokens", tp, NULL, N,
		    e);
	if (rc == LC_OK)
		rc = lc_gguf_w_arr(w, "tokenizer.ggml.token_type", LC_GGUF_I32,
		    ty, N, e);
	if (rc == LC_OK && m == S_SCORETYPE)
		rc = lc_gguf_w_arr_str(w, "tokenizer.ggml.scores", tp, NULL, N,
		    e);
	else if (rc == LC_OK)
		rc = lc_gguf_w_arr(w, "tokenizer.ggml.scores", LC_GGUF_F32, sc,
		    m == S_BADSCORES ? N - 1 : N, e);
	if (rc == LC_OK && m == S_GEMMA)
		rc = lc_gguf_w_bool(w, "tokenizer.ggml.add_space_prefix", 0, e);
	if (rc == LC_OK)
		rc = lc_gguf_writer_write(w, path, e);
	lc_gguf_writer_free(w);
	return rc;
}

/* Encodes s and compares with the want[nw] ids. */
static void
expect_ids(const lc_tok *t, const char *what, const char *s, size_t len,
    int add_special, int ps, const int32_t *want, size_t nw)
{
	int32_t *ids = NULL;
	size_t n = 0, cap = 0, i;
	char a[200], b[200];

	CHECK(lc_tok_encode(t, s, len, add_special, ps, &ids, &n, &cap,
	    NULL) == LC_OK, "%s: encode failed", what);
	for (i = 0; i < n && i < nw && ids[i] == want[i]; i++)
		;
	if (n != nw || i != n) {
		show_ids(a, sizeof(a), ids, n, i);
		show_ids(b, sizeof(b), want, nw, i);
		CHECK(0, "%s: got %zu ids ... %s ..., want %zu ... %s ...",
		    what, n, a, nw, b);
	}
	free(ids);
}

#define EXPECT(t, what, s, as, ps, ...) do { \
	static const int32_t w_[] = { __VA_ARGS__ }; \
	expect_ids((t), (what), (s), sizeof(s) - 1, (as), (ps), w_, \
	    sizeof(w_) / sizeof(w_[0])); \
} while (0)

static void
test_spm_tiny(void)
{
	char dir[] = "/tmp/t_tok.XXXXXX", path[64], buf[16];
	lc_gguf *g;
	lc_tok *t;
	lc_err e;
	int m, rc;

	if (mkdtemp(dir) == NULL) {
		CHECK(0, "mkdtemp failed");
		return;
	}
	snprintf(path, sizeof(path), "%s/s.gguf", dir);
	for (m = 0; m < S_N; m++) {
		memset(&e, 0, sizeof(e));
		if (write_spm(path, m, &e) != LC_OK ||
		    lc_gguf_open(&g, path, &e) != LC_OK) {
			CHECK(0, "spm %d: cannot write the GGUF: %s", m, e.msg);
			continue;
		}
		rc = lc_tok_new(&t, g, &e);
		lc_gguf_close(g);
		if (m == S_BADSCORES || m == S_SCORETYPE) {
			CHECK(rc == LC_EFORMAT && t == NULL && strstr(e.msg,
			    "tokenizer.ggml.scores") != NULL, "spm bad scores "
			    "%d: code %d, message '%s'", m, rc, e.msg);
			continue;
		}
		CHECK(rc == LC_OK, "spm %d refused: %s", m, e.msg);
		if (rc != LC_OK)
			continue;
		CHECK(t->model == LC_TOKM_SPM && lc_tok_bos(t) == 1 &&
		    lc_tok_eos(t) == 2 && lc_tok_add_bos(t) &&
		    !lc_tok_add_eos(t), "spm %d: defaults", m);
		CHECK(t->byte_tok[0] == 3 && t->byte_tok[0xff] == 258,
		    "spm %d: byte tokens", m);
		CHECK(lc_tok_piece(t, 265, 0, buf, sizeof(buf)) == 2 &&
		    memcmp(buf, " a", 2) == 0, "spm %d: piece of U+2581 a", m);
		CHECK(lc_tok_piece(t, 3 + 'A', 0, buf, sizeof(buf)) == 1 &&
		    buf[0] == 'A', "spm %d: piece of <0x41>", m);
		CHECK(lc_tok_piece(t, 1, 0, buf, sizeof(buf)) == 0 &&
		    lc_tok_piece(t, 1, 1, buf, sizeof(buf)) == 3, "spm %d: "
		    "control piece", m);
		if (m == S_SCORE) {
			/* space prefix (the default), score order, BOS */
			EXPECT(t, "spm abc", "abc", 1, 0, 1, 265, 264);
			EXPECT(t, "spm ab c", "ab c", 0, 0, 259, 263, 259,
			    262);
			/* byte fallback: e-acute has no token */
			EXPECT(t, "spm byte fallback", "\xc3\xa9", 0, 0, 259,
			    3 + 0xc3, 3 + 0xa9);
			/* the prefix follows every token split out */
			EXPECT(t, "spm special on", "<s>abc", 0, 1, 1, 265,
			    264);
			EXPECT(t, "spm special off", "<s>abc", 0, 0, 259,
			    3 + '<', 3 + 's', 3 + '>', 260, 264);
			EXPECT(t, "spm user-defined", "x<tag>x", 0, 0, 270, 266,
			    270);
			/* user-defined runs of spaces split out, longest */
			EXPECT(t, "spm 4 spaces", "a    b", 0, 0, 265, 269,
			    259, 259, 261);
			EXPECT(t, "spm literal U+2581", "\xe2\x96\x81\xe2\x96"
			    "\x81", 0, 0, 259, 259, 259);
		} else {
			/* Gemma: no prefix, position order, respelled runs */
			EXPECT(t, "gemma abc", "abc", 1, 0, 1, 263, 262);
			EXPECT(t, "gemma 4 spaces", "a    b", 0, 0, 260, 268,
			    268, 261);
			EXPECT(t, "gemma 3 spaces", "a   x", 0, 0, 260, 269,
			    267);
			EXPECT(t, "gemma literal U+2581", "\xe2\x96\x81\xe2\x96"
			    "\x81", 0, 0, 268);
			EXPECT(t, "gemma user-defined", "x<tag>x", 0, 0, 267,
			    266, 267);
			CHECK(lc_tok_piece(t, 268, 0, buf, sizeof(buf)) == 2 &&
			    memcmp(buf, "  ", 2) == 0, "gemma: piece of a run");
			/* (with the space prefix, decoding adds spaces) */
			roundtrip(t, "ab c\xc3\xa9<s> x<tag>  \xff", 17, 0,
			    "spm tiny");
			roundtrip(t, "ab c\xc3\xa9<s> x<tag>  \xff", 17, 1,
			    "spm tiny");
		}
		lc_tok_free(t);
	}
	unlink(path);
	rmdir(dir);
}

/* ---- Gemma 3 ---- */

static void
test_gemma_special(const lc_tok *t)
{
	static const char chat[] = "<start_of_turn>user\nHi<end_of_turn>\n"
	    "<start_of_turn>model\n";
	int32_t *ids = NULL;
	size_t n = 0, cap = 0, i;
	char buf[64];

	CHECK(lc_tok_nvocab(t) == 262144, "n_vocab %u", lc_tok_nvocab(t));
	CHECK(lc_tok_bos(t) == 2 && lc_tok_eos(t) == 1, "bos %d eos %d",
	    lc_tok_bos(t), lc_tok_eos(t));
	CHECK(lc_tok_add_bos(t) && !lc_tok_add_eos(t) &&
	    !t->add_space_prefix, "add_bos/add_eos/add_space_prefix");
	CHECK(lc_tok_is_eog(t, 1) && lc_tok_is_eog(t, 106) &&
	    !lc_tok_is_eog(t, 2) && !lc_tok_is_eog(t, 105), "is_eog");
	CHECK(lc_tok_find(t, "<start_of_turn>", 15) == 105 &&
	    lc_tok_find(t, "\xe2\x96\x81the", 6) == 506, "find");
	CHECK(lc_tok_type(t, 105) == LC_TOKT_CONTROL &&
	    lc_tok_type(t, 138) == LC_TOKT_USER_DEFINED &&
	    lc_tok_type(t, 238) == LC_TOKT_BYTE, "types");
	CHECK(t->byte_tok[0] == 238 && t->byte_tok[0xff] == 493,
	    "byte tokens");
	CHECK(lc_tok_piece(t, 506, 0, buf, sizeof(buf)) == 4 &&
	    memcmp(buf, " the", 4) == 0, "piece of U+2581 the");
	CHECK(lc_tok_piece(t, 238 + 'A', 0, buf, sizeof(buf)) == 1 &&
	    buf[0] == 'A', "piece of <0x41>");
	CHECK(lc_tok_piece(t, 108, 0, buf, sizeof(buf)) == 2 &&
	    memcmp(buf, "\n\n", 2) == 0, "user-defined piece");
	CHECK(lc_tok_piece(t, 105, 0, buf, sizeof(buf)) == 0 &&
	    lc_tok_piece(t, 105, 1, buf, sizeof(buf)) == 15, "control piece");

	CHECK(lc_tok_encode(t, chat, sizeof(chat) - 1, 1, 1, &ids, &n, &cap,
	    NULL) == LC_OK, "encode chat");
	CHECK(n >= 8 && ids[0] == 2 && ids[1] == 105 && ids[n - 3] == 105,
	    "chat: %zu ids, first %d %d", n, n ? ids[0] : -1,
	    n > 1 ? ids[1] : -1);
	n = 0;
	lc_tok_encode(t, chat, sizeof(chat) - 1, 0, 0, &ids, &n, &cap, NULL);
	for (i = 0; i < n; i++)
		CHECK(ids[i] != 105 && ids[i] != 106, "parse_special off gave "
		    "special id %d", ids[i]);
	/* user-defined tokens split with parse_special off too */
	EXPECT(t, "gemma newlines", "\n\n", 0, 0, 108);
	EXPECT(t, "gemma tabs", "\t\t\tx", 0, 0, 255970, 236781);
	/* runs of spaces: HF merges them pairwise, no longer than 31 */
	EXPECT(t, "gemma 31 spaces", "                               x",
	    0, 0, 167, 236781);
	EXPECT(t, "gemma 40 spaces", "                                "
	    "        x", 0, 0, 152, 160, 236781);
	n = 0;
	CHECK(lc_tok_encode(t, "", 0, 1, 1, &ids, &n, &cap, NULL) == LC_OK &&
	    n == 1 && ids[0] == 2, "empty input gave %zu ids", n);
	free(ids);
}

/* Byte fallback, and streaming a character cut across byte tokens. */
static void
test_gemma_stream(const lc_tok *t)
{
	/* U+6BA5 and U+1F718 have no token: three and four byte tokens */
	static const char s[] = "\xe6\xae\xa5 \xf0\x9f\x9c\x98!";
	int32_t *ids = NULL;
	size_t n = 0, cap = 0, k, i;
	lc_tok_dec d;
	char buf[64], out[64];
	size_t outn = 0;

	EXPECT(t, "byte fallback", "\xe6\xae\xa5", 0, 0, 238 + 0xe6,
	    238 + 0xae, 238 + 0xa5);
	lc_tok_encode(t, s, sizeof(s) - 1, 0, 0, &ids, &n, &cap, NULL);
	CHECK(n == 9 && ids[0] == 238 + 0xe6 && ids[4] == 238 + 0xf0,
	    "fallback string: %zu ids", n);
	lc_tok_dec_init(&d, 0);
	for (i = 0; i < n; i++) {
		k = lc_tok_dec_push(&d, t, ids[i], buf, sizeof(buf));
		if (i == 0 || i == 1 || (i >= 4 && i <= 6))
			CHECK(k == 0 && d.npend > 0, "token %zu: a partial "
			    "character came out (%zu bytes)", i, k);
		CHECK(outn + k <= sizeof(out) && valid_utf8(buf, k),
		    "token %zu: broken character", i);
		memcpy(out + outn, buf, k);
		outn += k;
	}
	outn += lc_tok_dec_flush(&d, out + outn, sizeof(out) - outn);
	CHECK(outn == sizeof(s) - 1 && memcmp(out, s, outn) == 0,
	    "streamed text differs");
	free(ids);
	roundtrip(t, s, sizeof(s) - 1, 0, "fallback string");
}

/* 1 MB of text shaped like a chat, through SPM's one long word. */
static void
test_gemma_big(const lc_tok *t)
{
	static const char *const part[] = {
		"Hello", ", ", "world", "! ", "123",
		" \xe4\xb8\x96\xe7\x95\x8c",
		"\n", "\t", "    ", "<start_of_turn>", "<b>", "\xe6\xae\xa5",
		" the", "tokenizer", "\xf0\x9f\x98\x80", "  ",
	};
	int32_t *ids = NULL;
	size_t n = 0, cap = 0, k = 0, l;
	char *big;
	clock_t c0;
	double sec;

	big = malloc((1u << 20) + 64);
	while (k < (1u << 20)) {
		l = strlen(part[rnd() % 16]);
		memcpy(big + k, part[rng % 16], l);
		k += l;
	}
	c0 = clock();
	CHECK(lc_tok_encode(t, big, k, 1, 1, &ids, &n, &cap, NULL) ==
	    LC_OK && n > 0, "1 MB of chat-like text");
	sec = (double)(clock() - c0) / CLOCKS_PER_SEC;
	printf("gemma, 1 MB of chat-like text: %zu ids in %.3f s\n", n, sec);
	CHECK(sec < 3.0, "1 MB of chat-like text took %.2f s", sec);
	roundtrip(t, big, k, 0, "1 MB of chat-like text");
	free(big);
	free(ids);
}

/* ---- the real models ---- */

static void
test_smollm(const lc_tok *t)
{
	str *cs = NULL;
	size_t nc;

	CHECK(t->pre == LC_PRE_SMOLLM, "pre %s", lc_pre_name(t->pre));
	test_special(t);
	test_stream(t);
	nc = load_strings("corpus.txt", &cs);
	CHECK(nc >= 1000, "corpus has %zu strings", nc);
	test_golden_ids(t, "smollm.ids", "smollm", cs, nc);
	test_splits(cs, nc);
	test_roundtrips(t, "corpus", cs, nc);
	test_hostile(t);
	free_strings(cs, nc);
}

static void
test_gemma(const lc_tok *t)
{
	str *cs = NULL;
	size_t nc;

	test_gemma_special(t);
	test_gemma_stream(t);
	nc = load_strings("corpus.txt", &cs);
	CHECK(nc >= 1000, "corpus has %zu strings", nc);
	test_golden_ids(t, "gemma3.ids", "gemma3 corpus", cs, nc);
	test_roundtrips(t, "corpus", cs, nc);
	free_strings(cs, nc);
	nc = load_strings("gemma3_extra.txt", &cs);
	CHECK(nc >= 1000, "gemma3_extra has %zu strings", nc);
	test_golden_ids(t, "gemma3_extra.ids", "gemma3 extra", cs, nc);
	test_roundtrips(t, "gemma3_extra", cs, nc);
	free_strings(cs, nc);
	test_hostile(t);
	test_gemma_big(t);
}

/*
 * The Gemma 4 vocabulary rewritten: add_bos_token false (llama.cpp
 * forces it on), and model "gpt2" with pre "gemma4" (llama.cpp's
 * LLAMA_VOCAB_PRE_TYPE_GEMMA4: the same raw BPE).
 */
static void
test_gemma4_keys(const char *path)
{
	char tmp[] = "/tmp/t_tok.g4.XXXXXX";
	lc_gguf_writer *w;
	lc_gguf_kv kv;
	lc_gguf *g, *g2;
	lc_tok *t;
	lc_err e;
	uint64_t i;
	int fd, rc, pass;

	if ((fd = mkstemp(tmp)) < 0)
		return;
	close(fd);
	for (pass = 0; pass < 2; pass++) {
		if (lc_gguf_open(&g, path, &e) != LC_OK ||
		    lc_gguf_writer_new(&w, &e) != LC_OK) {
			CHECK(0, "%s", e.msg);
			return;
		}
		rc = LC_OK;
		for (i = 0; i < lc_gguf_nkv(g) && rc == LC_OK; i++) {
			lc_gguf_kv_at(g, i, &kv);
			if (kv.keylen == 28 && memcmp(kv.key,
			    "tokenizer.ggml.add_bos_token", 28) == 0)
				rc = lc_gguf_w_bool(w, "tokenizer.ggml."
				    "add_bos_token", 0, &e);
			else if (pass == 1 && kv.keylen == 20 &&
			    memcmp(kv.key, "tokenizer.ggml.model", 20) == 0) {
				rc = lc_gguf_w_str(w, "tokenizer.ggml.model",
				    "gpt2", &e);
				if (rc == LC_OK)
					rc = lc_gguf_w_str(w,
					    "tokenizer.ggml.pre", "gemma4", &e);
			} else
				rc = lc_gguf_w_kv(w, &kv, &e);
		}
		if (rc == LC_OK)
			rc = lc_gguf_writer_write(w, tmp, &e);
		lc_gguf_writer_free(w);
		lc_gguf_close(g);
		CHECK(rc == LC_OK, "gemma4 rewrite: %s", rc ? e.msg : "");
		if (rc != LC_OK || lc_gguf_open(&g2, tmp, &e) != LC_OK)
			continue;
		rc = lc_tok_new(&t, g2, &e);
		lc_gguf_close(g2);
		CHECK(rc == LC_OK, "gemma4 pass %d: %s", pass, rc ? e.msg : "");
		if (rc != LC_OK)
			continue;
		CHECK(t->raw && lc_tok_add_bos(t), "gemma4 pass %d: raw %d "
		    "add_bos %d", pass, t->raw, lc_tok_add_bos(t));
		EXPECT(t, "gemma4 rewritten", " hello  world", 1, 0, 2, 362,
		    425, 565, 376, 322, 528, 557);
		lc_tok_free(t);
	}
	unlink(tmp);
}

/*
 * Gemma 4 ("gemma4": BPE on raw UTF-8): the vocabulary of
 * tests/data/hf/tiny-gemma4 as llama.cpp's converter writes it
 * (--vocab-only), against HF tokenizers' ids (which llama.cpp's equal;
 * tests/oracle/gemma4_hf.py).
 */
static void
test_gemma4(void)
{
	static const char path[] = GOLDEN "/gemma4-vocab.gguf";
	static const char chat[] = "<|turn>user\nhi<turn|>";
	int32_t *ids = NULL;
	size_t n = 0, cap = 0, nc;
	char buf[64];
	str *cs = NULL;
	lc_gguf *g;
	lc_tok *t;
	lc_err e;

	if (lc_gguf_open(&g, path, &e) != LC_OK) {
		CHECK(0, "%s", e.msg);
		return;
	}
	if (lc_tok_new(&t, g, &e) != LC_OK) {
		CHECK(0, "%s: %s", path, e.msg);
		lc_gguf_close(g);
		return;
	}
	lc_gguf_close(g);
	CHECK(t->model == LC_TOKM_BPE && t->raw && !t->ignore_merges,
	    "gemma4: raw BPE");
	CHECK(lc_tok_nvocab(t) == 574 && lc_tok_bos(t) == 2 &&
	    lc_tok_eos(t) == 1 && lc_tok_add_bos(t) && !lc_tok_add_eos(t),
	    "gemma4: n_vocab %u bos %d eos %d", lc_tok_nvocab(t),
	    lc_tok_bos(t), lc_tok_eos(t));
	/* <turn|> and <|tool_response> end generation; so "</s>" does not */
	CHECK(lc_tok_is_eog(t, 1) && lc_tok_is_eog(t, 6) &&
	    lc_tok_is_eog(t, 11) && !lc_tok_is_eog(t, 273) &&
	    !lc_tok_is_eog(t, 5), "gemma4: is_eog");
	CHECK(lc_tok_type(t, 273) == LC_TOKT_NORMAL &&
	    lc_tok_type(t, 5) == LC_TOKT_CONTROL &&
	    lc_tok_type(t, 7) == LC_TOKT_USER_DEFINED &&
	    lc_tok_type(t, 17) == LC_TOKT_BYTE && t->byte_tok[0] == 17 &&
	    t->byte_tok[0xff] == 272, "gemma4: types, byte tokens");
	CHECK(lc_tok_piece(t, 431, 0, buf, sizeof(buf)) == 4 &&
	    memcmp(buf, " the", 4) == 0, "gemma4: piece of U+2581 the");
	CHECK(lc_tok_piece(t, 17 + 'A', 0, buf, sizeof(buf)) == 1 &&
	    buf[0] == 'A', "gemma4: piece of <0x41>");
	EXPECT(t, "gemma4 chat", chat, 1, 1, 2, 5, 320, 318, 398, 275, 307,
	    308, 6);
	EXPECT(t, "gemma4 newlines", "\n\n\n\n\n\n\n", 0, 0, 395, 382, 275);
	EXPECT(t, "gemma4 spaces", " hello  world", 0, 0, 362, 425, 565,
	    376, 322, 528, 557);
	/* U+6BB5 has no token: its three bytes */
	EXPECT(t, "gemma4 byte fallback", "\xe6\xae\xb5x", 0, 0, 247, 191,
	    198, 323);
	CHECK(lc_tok_encode(t, "", 0, 1, 1, &ids, &n, &cap, NULL) == LC_OK &&
	    n == 1 && ids[0] == 2, "gemma4: empty input gave %zu ids", n);
	free(ids);

	nc = load_strings("corpus.txt", &cs);
	CHECK(nc >= 1000, "corpus has %zu strings", nc);
	test_golden_ids(t, "gemma4.ids", "gemma4 corpus", cs, nc);
	test_roundtrips(t, "gemma4 corpus", cs, nc);
	free_strings(cs, nc);
	nc = load_strings("gemma4_extra.txt", &cs);
	CHECK(nc >= 400, "gemma4_extra has %zu strings", nc);
	test_golden_ids(t, "gemma4_extra.ids", "gemma4 extra", cs, nc);
	test_roundtrips(t, "gemma4 extra", cs, nc);
	free_strings(cs, nc);
	test_hostile(t);
	lc_tok_free(t);
	test_gemma4_keys(path);
}

/* ---- WordPiece: all-MiniLM-L6-v2 ---- */

/* ids (add_special on) against GOLDEN/<stem>.ids, one list a line, and
   the streamed decoding (specials skipped) against <stem>.dec. */
static void
test_wpm_golden(const lc_tok *t, const char *stem, const char *what,
    const str *cs, size_t nc)
{
	char path[256], *buf, *dbuf, **ln, **dl, a[200], b[200], chunk[1024];
	int32_t *ids = NULL, *gold;
	size_t len, dlen, n, cap = 0, i, j, k, ng, bad = 0, dbad = 0, outn;
	str want;
	char *out;
	lc_tok_dec d;

	snprintf(path, sizeof(path), GOLDEN "/%s.ids", stem);
	buf = slurp(path, &len);
	snprintf(path, sizeof(path), GOLDEN "/%s.dec", stem);
	dbuf = slurp(path, &dlen);
	if (buf == NULL || dbuf == NULL) {
		CHECK(0, "cannot read " GOLDEN "/%s.ids and .dec", stem);
		free(buf);
		free(dbuf);
		return;
	}
	if (lines(buf, len, &ln) != nc || lines(dbuf, dlen, &dl) != nc) {
		CHECK(0, "%s: line count differs from its strings", stem);
		return;
	}
	gold = malloc(1u << 22);
	for (i = 0; i < nc; i++) {
		ng = parse_ids(ln[i], ln[i] + strlen(ln[i]), gold,
		    (1u << 22) / 4);
		n = 0;
		CHECK(lc_tok_encode(t, cs[i].s, cs[i].len, 1, 1, &ids, &n,
		    &cap, NULL) == LC_OK, "%s line %zu: encode", what, i + 1);
		for (j = 0; j < n && j < ng && ids[j] == gold[j]; j++)
			;
		if (n != ng || j != n) {
			bad++;
			show_ids(a, sizeof(a), ids, n, j);
			show_ids(b, sizeof(b), gold, ng, j);
			CHECK(0, "%s line %zu (%zu bytes): ids differ at %zu: "
			    "got %zu ids ... %s ..., HF %zu ids ... %s ...",
			    what, i + 1, cs[i].len, j, n, a, ng, b);
		}
		/* HF's decode(ids, skip_special_tokens=True) */
		if (json_str(dl[i], &want) != 0) {
			CHECK(0, "%s.dec line %zu: bad JSON", stem, i + 1);
			continue;
		}
		out = malloc(n * (lc_tok_maxpiece(t) + 4) + 8);
		lc_tok_dec_init(&d, 0);
		for (j = outn = 0; j < n; j++) {
			k = lc_tok_dec_push(&d, t, ids[j], chunk,
			    sizeof(chunk));
			memcpy(out + outn, chunk, k);
			outn += k;
		}
		outn += lc_tok_dec_flush(&d, out + outn, 4);
		if (outn != want.len || memcmp(out, want.s, outn) != 0) {
			dbad++;
			CHECK(0, "%s line %zu: decoded text differs from HF "
			    "(%zu vs %zu bytes)", what, i + 1, outn, want.len);
		}
		free(out);
		free(want.s);
	}
	printf("%s vs HF: %zu of %zu encodings identical, %zu of %zu "
	    "decodings\n", what, nc - bad, nc, nc - dbad, nc);
	free(gold);
	free(ids);
	free(ln);
	free(dl);
	free(buf);
	free(dbuf);
}

/* HF's decode(skip_special_tokens=True) of the ids of s is want. */
static void
expect_dec(const lc_tok *t, const char *s, const char *want)
{
	int32_t *ids = NULL;
	size_t n = 0, cap = 0, i, k = 0;
	char out[1024];
	lc_tok_dec d;

	lc_tok_encode(t, s, strlen(s), 1, 1, &ids, &n, &cap, NULL);
	lc_tok_dec_init(&d, 0);
	for (i = 0; i < n; i++)
		k += lc_tok_dec_push(&d, t, ids[i], out + k, sizeof(out) - 4 -
		    k);
	k += lc_tok_dec_flush(&d, out + k, 4);
	CHECK(k == strlen(want) && memcmp(out, want, k) == 0,
	    "decode(encode(\"%s\")): got \"%.*s\", want \"%s\"", s, (int)k,
	    out, want);
	free(ids);
}

static void
test_wpm_units(const lc_tok *t)
{
	char a100[128], a101[128], buf[64];
	int32_t *ids = NULL;
	size_t n = 0, cap = 0, i;

	CHECK(lc_tok_nvocab(t) == 30522 && lc_tok_bos(t) == 101 &&
	    lc_tok_eos(t) == 102 && lc_tok_add_bos(t) && lc_tok_add_eos(t),
	    "MiniLM: 30522 tokens, [CLS] text [SEP]");
	/* max_input_chars_per_word: 100 chars split, 101 are [UNK] */
	memset(a100, 'a', 100);
	memset(a101, 'a', 101);
	CHECK(lc_tok_encode(t, a100, 100, 1, 1, &ids, &n, &cap, NULL) ==
	    LC_OK && n == 52 && ids[1] == 13360 && ids[50] == 2050,
	    "100 chars: aaaa ##aa ... ##a");
	n = 0;
	CHECK(lc_tok_encode(t, a101, 101, 1, 1, &ids, &n, &cap, NULL) ==
	    LC_OK && n == 3 && ids[0] == 101 && ids[1] == 100 &&
	    ids[2] == 102, "101 chars: [UNK]");
	/* accents stripped, lower-cased, dotted I, sharp s */
	EXPECT(t, "accents", "Caf\xc3\xa9 D\xc3\xa9j\xc3\xa0", 1, 1,
	    101, 7668, 2139, 3900, 102);
	EXPECT(t, "no accents", "cafe deja", 1, 1, 101, 7668, 2139, 3900, 102);
	EXPECT(t, "decomposed accents", "Cafe\xcc\x81 De\xcc\x81ja\xcc\x80",
	    1, 1, 101, 7668, 2139, 3900, 102);
	EXPECT(t, "Greek", "\xe1\xbd\x88\xce\xb4\xcf\x85\xcf\x83\xcf\x83\xce"
	    "\xb5\xe1\xbd\xba\xcf\x82", 1, 1, 101, 1169, 29722, 29735,
	    29733, 29733, 29723, 29735, 19579, 102);
	EXPECT(t, "Istanbul, fi, Strasse", "\xc4\xb0stanbul \xef\xac\x81 "
	    "Stra\xc3\x9f" "e", 1, 1, 101, 9960, 1984, 2358, 27807, 102);
	/* CJK characters are words of their own */
	EXPECT(t, "CJK", "\xe4\xb8\xad\xe6\x96\x87" "abc\xe6\x96\x87", 1, 1,
	    101, 1746, 1861, 5925, 1861, 102);
	EXPECT(t, "punctuation, pieces", "Hello, world! unaffable", 1, 1,
	    101, 7592, 1010, 2088, 999, 14477, 20961, 3468, 102);
	EXPECT(t, "special in text", "x[SEP]y", 1, 1, 101, 1060, 102, 1061,
	    102);
	EXPECT(t, "controls, ZWSP", "\xe2\x80\x8b", 1, 1, 101, 102);
	EXPECT(t, "no specials", "hello", 0, 0, 7592);
	/* decoding as HF's WordPiece decoder (cleanup on) */
	expect_dec(t, "Hello, world! unaffable", "hello, world! unaffable");
	expect_dec(t, "\xe4\xb8\xad\xe6\x96\x87" "abc\xe6\x96\x87",
	    "\xe4\xb8\xad \xe6\x96\x87 abc \xe6\x96\x87");
	expect_dec(t, "x[SEP]y", "x y");
	expect_dec(t, "Caf\xc3\xa9 ?", "cafe?");
	CHECK(lc_tok_piece(t, 2015, 0, buf, sizeof(buf)) == 1 &&
	    buf[0] == 's', "piece of ##s is s");
	CHECK(lc_tok_piece(t, 7592, 0, buf, sizeof(buf)) == 6 &&
	    memcmp(buf, " hello", 6) == 0, "piece of hello is \" hello\"");
	CHECK(lc_tok_piece(t, 101, 0, buf, sizeof(buf)) == 0,
	    "[CLS] is skipped");
	{
		lc_tok_dec d;
		size_t k = 0;
		static const int32_t seq[] = { 2015, 1012 };	/* ##s . */

		lc_tok_dec_init(&d, 0);
		for (i = 0; i < 2; i++)
			k += lc_tok_dec_push(&d, t, seq[i], buf + k,
			    sizeof(buf) - k);
		CHECK(k == 4 && memcmp(buf, "##s.", 4) == 0,
		    "a text's first piece keeps its ##");
	}
	free(ids);
}

/* WordPiece is lossy (no roundtrip): invalid UTF-8 (read as U+FFFD,
   which clean_text drops), random bytes, one word of 1 MB. */
static void
test_wpm_hostile(const lc_tok *t)
{
	int32_t *ids = NULL;
	size_t n = 0, cap = 0, i, k, len;
	char *big;
	clock_t c0;
	double sec;

	EXPECT(t, "invalid UTF-8", "a\xff" "b\xc3", 1, 1, 101, 11113,
	    102);
	big = malloc(1u << 20);
	for (i = 0; i < 300; i++) {
		len = rnd() % 200;
		for (k = 0; k < len; k++)
			big[k] = rnd() % 4 == 0 ? (char)rnd() : "ab [SEP]\n1'"[
			    rnd() % 11];
		n = 0;
		CHECK(lc_tok_encode(t, big, len, 1, (int)(i & 1), &ids, &n,
		    &cap, NULL) == LC_OK && n >= 2, "random bytes #%zu", i);
		for (k = 0; k < n; k++)
			CHECK(ids[k] >= 0 && ids[k] < 30522, "random bytes "
			    "#%zu: id %d", i, ids[k]);
	}
	memset(big, 'a', 1u << 20);
	c0 = clock();
	n = 0;
	CHECK(lc_tok_encode(t, big, 1u << 20, 1, 1, &ids, &n, &cap, NULL) ==
	    LC_OK && n == 3 && ids[1] == 100, "1 MB of 'a' is [UNK]");
	sec = (double)(clock() - c0) / CLOCKS_PER_SEC;
	printf("minilm, 1 MB of 'a': %zu ids in %.3f s\n", n, sec);
	CHECK(sec < 1.0, "1 MB of 'a' took %.2f s", sec);
	free(big);
	free(ids);
}

static void
test_wpm_big(const lc_tok *t)
{
	static const char *const part[] = {
		"Hello", ", ", "world", "! ", "123", " \xe4\xb8\x96\xe7\x95\x8c",
		"\n", "\t", "    ", "[SEP]", "caf\xc3\xa9", "\xe6\xae\xa5",
		" the", "tokenization", "\xf0\x9f\x98\x80", " Stra\xc3\x9f" "e",
	};
	int32_t *ids = NULL;
	size_t n = 0, cap = 0, k = 0, l;
	char *big;
	clock_t c0;
	double sec;

	big = malloc((1u << 20) + 64);
	while (k < (1u << 20)) {
		l = strlen(part[rnd() % 16]);
		memcpy(big + k, part[rng % 16], l);
		k += l;
	}
	c0 = clock();
	CHECK(lc_tok_encode(t, big, k, 1, 1, &ids, &n, &cap, NULL) ==
	    LC_OK && n > 0, "1 MB of text");
	sec = (double)(clock() - c0) / CLOCKS_PER_SEC;
	printf("minilm, 1 MB of text: %zu ids in %.3f s\n", n, sec);
	CHECK(sec < 1.0, "1 MB of text took %.2f s", sec);
	free(big);
	free(ids);
}

static void
test_minilm(const lc_tok *t)
{
	str *cs = NULL;
	size_t nc;

	test_wpm_units(t);
	nc = load_strings("corpus.txt", &cs);
	CHECK(nc >= 1000, "corpus has %zu strings", nc);
	test_wpm_golden(t, "minilm", "minilm corpus", cs, nc);
	free_strings(cs, nc);
	nc = load_strings("minilm_extra.txt", &cs);
	CHECK(nc >= 500, "minilm_extra has %zu strings", nc);
	test_wpm_golden(t, "minilm_extra", "minilm extra", cs, nc);
	free_strings(cs, nc);
	test_wpm_hostile(t);
	test_wpm_big(t);
}

static void
test_minilm_json(const char *path)
{
	lc_tok *t;
	lc_err e;

	if (lc_tok_new_hf(&t, path, &e) != LC_OK) {
		CHECK(0, "%s: %s", path, e.msg);
		return;
	}
	test_minilm(t);
	lc_tok_free(t);
}

static void
test_model(const char *path)
{
	lc_gguf *g;
	lc_tok *t;
	lc_err e;

	if (lc_gguf_open(&g, path, &e) != LC_OK) {
		CHECK(0, "%s", e.msg);
		return;
	}
	if (lc_tok_new(&t, g, &e) != LC_OK) {
		CHECK(0, "%s: %s", path, e.msg);
		lc_gguf_close(g);
		return;
	}
	lc_gguf_close(g);		/* the tokenizer owns its data */
	if (t->model == LC_TOKM_SPM)
		test_gemma(t);
	else if (t->model == LC_TOKM_WPM)
		test_minilm(t);
	else
		test_smollm(t);
	lc_tok_free(t);
}

int
main(int argc, char *argv[])
{
	const char *dir = argc > 1 ? argv[1] : getenv("MODELS_DIR");
	char path[4096];
	size_t l;
	int i;

	test_malformed();
	test_spm_tiny();
	test_gemma4();
	if (dir == NULL) {
		CHECK(0, "no models: give MODELS_DIR or paths to %s and %s",
		    MODEL, GEMMA);
		return DONE("t_tok");
	}
	l = strlen(dir);
	if (l > 5 && strcmp(dir + l - 5, ".gguf") == 0) {
		for (i = 1; i < argc; i++)
			test_model(argv[i]);
		return DONE("t_tok");
	}
	snprintf(path, sizeof(path), "%s/%s", dir, MODEL);
	test_model(path);
	snprintf(path, sizeof(path), "%s/%s", dir, GEMMA);
	test_model(path);
	snprintf(path, sizeof(path), "%s/%s", dir, MINILM);
	test_minilm_json(path);
	return DONE("t_tok");
}
