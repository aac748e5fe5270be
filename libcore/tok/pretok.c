/*
 * pretok.c - the BPE pre-tokenizers: the regex splits of llama.cpp's
 * llm_tokenizer_bpe (src/llama-vocab.cpp), written by hand after its
 * unicode_regex_split_custom_gpt2/llama3/qwen2 (src/unicode.cpp).  Each
 * stage splits every piece of the previous one; text between matches is
 * kept as a piece of its own, as std::regex splitting there and the HF
 * Split pre-tokenizer with behaviour "Isolated" both do.
 *
 * GPT2   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * LLAMA3 (?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|
 *        [^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|
 *        \s*[\r\n]+|\s+(?!\S)|\s+
 * QWEN2  LLAMA3 with \p{N} for \p{N}{1,3}
 */
#include <stdlib.h>
#include <string.h>

#include "tok_impl.h"

#define OOR	0xFFFFFFFFu	/* "codepoint" past the end of a piece */
#define WORD	(LC_UC_SPACE | LC_UC_LETTER | LC_UC_NUMBER)

typedef int (*stage_fn)(const lc_utext *, size_t, size_t, lc_pieces *);

static int
push(lc_pieces *p, size_t len)
{
	size_t cap, *l;

	if (len == 0)
		return 0;
	if (p->n == p->cap) {
		cap = p->cap ? 2 * p->cap : 256;
		if ((l = realloc(p->len, cap * sizeof(*l))) == NULL)
			return -1;
		p->len = l;
		p->cap = cap;
	}
	p->len[p->n++] = len;
	return 0;
}

/* ---- regex-like stages: matches and the text between them ---- */

typedef size_t (*match_fn)(const lc_utext *, size_t, size_t);

static int
split_matches(const lc_utext *u, size_t a, size_t b, lc_pieces *out,
    match_fn m)
{
	size_t pos = a, start = a, k;

	while (pos < b) {
		if ((k = m(u, pos, b)) == 0) {
			pos++;
			continue;
		}
		if (push(out, pos - start) != 0 || push(out, k) != 0)
			return -1;
		pos += k;
		start = pos;
	}
	return push(out, b - start);
}

/* \p{N} */
static size_t
m_digit1(const lc_utext *u, size_t pos, size_t end)
{
	(void)end;
	return (u->fl[pos] & LC_UC_NUMBER) != 0;
}

/* \p{N}+ */
static size_t
m_numrun(const lc_utext *u, size_t pos, size_t end)
{
	size_t i = pos;

	while (i < end && (u->fl[i] & LC_UC_NUMBER))
		i++;
	return i - pos;
}

/* [0-9][0-9][0-9] */
static size_t
m_digit3(const lc_utext *u, size_t pos, size_t end)
{
	size_t i;

	if (end - pos < 3)
		return 0;
	for (i = pos; i < pos + 3; i++)
		if (u->cp[i] < '0' || u->cp[i] > '9')
			return 0;
	return 3;
}

static int
is_punct_default(uint32_t cp, unsigned fl)
{
	return (fl & LC_UC_PUNCT) || (cp < 0x80 && cp != 0 &&
	    strchr("$+<=>^~|", (int)cp) != NULL);
}

/* [\p{P}\$\+<=>\^~\|]+ */
static size_t
m_punct_default(const lc_utext *u, size_t pos, size_t end)
{
	size_t i = pos;

	while (i < end && is_punct_default(u->cp[i], u->fl[i]))
		i++;
	return i - pos;
}

/* [\p{P}\$\+<=>\^~\|`]+ */
static size_t
m_punct_falcon(const lc_utext *u, size_t pos, size_t end)
{
	size_t i = pos;

	while (i < end && (is_punct_default(u->cp[i], u->fl[i]) ||
	    u->cp[i] == '`'))
		i++;
	return i - pos;
}

static int
st_digit1(const lc_utext *u, size_t a, size_t b, lc_pieces *out)
{
	return split_matches(u, a, b, out, m_digit1);
}

static int
st_numrun(const lc_utext *u, size_t a, size_t b, lc_pieces *out)
{
	return split_matches(u, a, b, out, m_numrun);
}

static int
st_digit3(const lc_utext *u, size_t a, size_t b, lc_pieces *out)
{
	return split_matches(u, a, b, out, m_digit3);
}

static int
st_punct_default(const lc_utext *u, size_t a, size_t b, lc_pieces *out)
{
	return split_matches(u, a, b, out, m_punct_default);
}

static int
st_punct_falcon(const lc_utext *u, size_t a, size_t b, lc_pieces *out)
{
	return split_matches(u, a, b, out, m_punct_falcon);
}

/* ---- GPT2 ---- */

/* in a piece [a, b): past its end there is no codepoint and no flag */
#define CP(i)	((i) < b ? u->cp[i] : OOR)
#define FL(i)	((i) < b ? (unsigned)u->fl[i] : 0u)
#define EMIT(end) do { \
	if (push(out, (end) - prev) != 0) \
		return -1; \
	prev = (end); \
} while (0)

static int
st_gpt2(const lc_utext *u, size_t a, size_t b, lc_pieces *out)
{
	size_t pos = a, prev = a, nws;
	uint32_t cp, nx, nx2;
	unsigned fl, fl2;

	while (pos < b) {
		cp = u->cp[pos];
		fl = u->fl[pos];
		/* 's|'t|'re|'ve|'m|'ll|'d */
		if (cp == '\'' && pos + 1 < b) {
			nx = u->cp[pos + 1];
			if (nx == 's' || nx == 't' || nx == 'm' || nx == 'd') {
				pos += 2;
				EMIT(pos);
				continue;
			}
			if (pos + 2 < b) {
				nx2 = u->cp[pos + 2];
				if ((nx == 'r' && nx2 == 'e') ||
				    (nx == 'v' && nx2 == 'e') ||
				    (nx == 'l' && nx2 == 'l')) {
					pos += 3;
					EMIT(pos);
					continue;
				}
			}
		}
		fl2 = cp == ' ' ? FL(pos + 1) : fl;
		/* ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+' */
		if (fl2 & LC_UC_LETTER) {
			pos += cp == ' ';
			while (FL(pos) & LC_UC_LETTER)
				pos++;
			EMIT(pos);
			continue;
		}
		if (fl2 & LC_UC_NUMBER) {
			pos += cp == ' ';
			while (FL(pos) & LC_UC_NUMBER)
				pos++;
			EMIT(pos);
			continue;
		}
		if (!(fl2 & WORD) && fl2 != 0) {
			pos += cp == ' ';
			while (!(FL(pos) & WORD) && FL(pos) != 0)
				pos++;
			EMIT(pos);
			continue;
		}
		nws = 0;
		while (FL(pos + nws) & LC_UC_SPACE)
			nws++;
		/* '\s+(?!\S)' */
		if (nws > 1 && CP(pos + nws) != OOR) {
			pos += nws - 1;
			EMIT(pos);
			continue;
		}
		/* '\s+' */
		if (nws > 0) {
			pos += nws;
			EMIT(pos);
			continue;
		}
		pos++;
		EMIT(pos);
	}
	return 0;
}

/* ---- LLAMA3 (maxdig 3) and QWEN2 (maxdig 1) ---- */

static uint32_t
lower_ascii(uint32_t c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int
split_llama3(const lc_utext *u, size_t a, size_t b, lc_pieces *out,
    size_t maxdig)
{
	size_t pos = a, prev = a, nws, lastnl, ini;
	uint32_t cp, nx, nx2, c2;
	unsigned fl, fl2;

	while (pos < b) {
		cp = u->cp[pos];
		fl = u->fl[pos];
		/* (?i:'s|'t|'re|'ve|'m|'ll|'d); only ASCII letters lower to
		   these, so ASCII case folding is exact */
		if (cp == '\'' && pos + 1 < b) {
			nx = lower_ascii(u->cp[pos + 1]);
			if (nx == 's' || nx == 't' || nx == 'm' || nx == 'd') {
				pos += 2;
				EMIT(pos);
				continue;
			}
			if (pos + 2 < b) {
				nx2 = lower_ascii(u->cp[pos + 2]);
				if ((nx == 'r' && nx2 == 'e') ||
				    (nx == 'v' && nx2 == 'e') ||
				    (nx == 'l' && nx2 == 'l')) {
					pos += 3;
					EMIT(pos);
					continue;
				}
			}
		}
		/* [^\r\n\p{L}\p{N}]?\p{L}+ */
		if (!(cp == '\r' || cp == '\n' || (fl & LC_UC_NUMBER)) &&
		    ((fl & LC_UC_LETTER) || (FL(pos + 1) & LC_UC_LETTER))) {
			pos++;
			while (FL(pos) & LC_UC_LETTER)
				pos++;
			EMIT(pos);
			continue;
		}
		/* \p{N}{1,3} or \p{N} */
		if (fl & LC_UC_NUMBER) {
			ini = pos;
			while (FL(pos) & LC_UC_NUMBER) {
				if (++pos - ini >= maxdig) {
					EMIT(pos);
					ini = pos;
				}
			}
			EMIT(pos);
			continue;
		}
		/* ' ?[^\s\p{L}\p{N}]+[\r\n]*' */
		fl2 = cp == ' ' ? FL(pos + 1) : fl;
		if (!(fl2 & WORD) && fl != 0) {
			pos += cp == ' ';
			while (!(FL(pos) & WORD) && FL(pos) != 0)
				pos++;
			while (CP(pos) == '\r' || CP(pos) == '\n')
				pos++;
			EMIT(pos);
			continue;
		}
		nws = 0;
		lastnl = 0;
		while (FL(pos + nws) & LC_UC_SPACE) {
			c2 = CP(pos + nws);
			if (c2 == '\r' || c2 == '\n')
				lastnl = pos + nws + 1;
			nws++;
		}
		/* \s*[\r\n]+ */
		if (lastnl > 0) {
			pos = lastnl;
			EMIT(pos);
			continue;
		}
		/* \s+(?!\S) */
		if (nws > 1 && CP(pos + nws) != OOR) {
			pos += nws - 1;
			EMIT(pos);
			continue;
		}
		/* \s+ */
		if (nws > 0) {
			pos += nws;
			EMIT(pos);
			continue;
		}
		pos++;
		EMIT(pos);
	}
	return 0;
#undef CP
#undef FL
#undef EMIT
}

static int
st_llama3(const lc_utext *u, size_t a, size_t b, lc_pieces *out)
{
	return split_llama3(u, a, b, out, 3);
}

static int
st_qwen2(const lc_utext *u, size_t a, size_t b, lc_pieces *out)
{
	return split_llama3(u, a, b, out, 1);
}

/* ---- the variants ---- */

static const struct {
	const char	*name;
	stage_fn	 st[4];
} pres[LC_PRE_N] = {
	[LC_PRE_DEFAULT] = { "default",
	    { st_punct_default, st_gpt2, st_numrun, st_digit3 } },
	[LC_PRE_GPT2] = { "gpt2", { st_gpt2 } },
	[LC_PRE_SMOLLM] = { "smollm", { st_digit1, st_gpt2 } },
	[LC_PRE_LLAMA3] = { "llama3", { st_llama3 } },
	[LC_PRE_QWEN2] = { "qwen2", { st_qwen2 } },
	[LC_PRE_FALCON] = { "falcon",
	    { st_punct_falcon, st_gpt2, st_digit3 } },
};

/* tokenizer.ggml.pre names (llama_vocab::impl::load) */
static const struct {
	const char	*name;
	int		 pre;
} prenames[] = {
	{ "default", LC_PRE_DEFAULT },
	{ "gpt-2", LC_PRE_GPT2 }, { "phi-2", LC_PRE_GPT2 },
	{ "jina-es", LC_PRE_GPT2 }, { "jina-de", LC_PRE_GPT2 },
	{ "gigachat", LC_PRE_GPT2 }, { "jina-v2-es", LC_PRE_GPT2 },
	{ "jina-v2-de", LC_PRE_GPT2 }, { "a.x-4.0", LC_PRE_GPT2 },
	{ "mellum", LC_PRE_GPT2 }, { "mpt", LC_PRE_GPT2 },
	{ "olmo", LC_PRE_GPT2 }, { "jais", LC_PRE_GPT2 },
	{ "exaone4", LC_PRE_GPT2 },
	{ "smollm", LC_PRE_SMOLLM }, { "starcoder", LC_PRE_SMOLLM },
	{ "refact", LC_PRE_SMOLLM }, { "command-r", LC_PRE_SMOLLM },
	{ "codeshell", LC_PRE_SMOLLM }, { "exaone", LC_PRE_SMOLLM },
	{ "llama3", LC_PRE_LLAMA3 }, { "llama-v3", LC_PRE_LLAMA3 },
	{ "llama-bpe", LC_PRE_LLAMA3 }, { "falcon3", LC_PRE_LLAMA3 },
	{ "falcon-h1", LC_PRE_LLAMA3 }, { "pixtral", LC_PRE_LLAMA3 },
	{ "midm-2.0", LC_PRE_LLAMA3 }, { "lfm2", LC_PRE_LLAMA3 },
	{ "dbrx", LC_PRE_LLAMA3 }, { "smaug-bpe", LC_PRE_LLAMA3 },
	{ "qwen2", LC_PRE_QWEN2 }, { "deepseek-r1-qwen", LC_PRE_QWEN2 },
	{ "kormo", LC_PRE_QWEN2 }, { "stablelm2", LC_PRE_QWEN2 },
	{ "falcon", LC_PRE_FALCON },
};

int
lc_pre_lookup(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(prenames) / sizeof(prenames[0]); i++)
		if (strlen(prenames[i].name) == len &&
		    memcmp(prenames[i].name, name, len) == 0)
			return prenames[i].pre;
	return -1;
}

const char *
lc_pre_name(int pre)
{
	return pre >= 0 && pre < LC_PRE_N ? pres[pre].name : "unknown";
}

int
lc_pre_split(int pre, const lc_utext *u, lc_pieces *out, lc_pieces *tmp)
{
	lc_pieces *src = tmp, *dst = out, *sw;
	size_t i, j, start;
	int s, nst = 0;

	for (s = 0; s < 4 && pres[pre].st[s] != NULL; s++)
		nst++;
	/* the last stage writes into out */
	if (nst % 2 == 0) {
		src = out;
		dst = tmp;
	}
	src->n = 0;
	if (push(src, u->n) != 0)
		return -1;
	for (s = 0; s < nst; s++) {
		dst->n = 0;
		start = 0;
		for (i = 0; i < src->n; i++) {
			j = start + src->len[i];
			if (pres[pre].st[s](u, start, j, dst) != 0)
				return -1;
			start = j;
		}
		sw = src;
		src = dst;
		dst = sw;
	}
	return 0;
}
