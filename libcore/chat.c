/*
 * chat.c - chat templates: recognition of a template's family, and
 * rendering of the known templates by our own code.
 *
 * The template text is never interpreted.  It is normalised (see
 * normalise()) and compared with the normalised text of the templates
 * below, which are verbatim copies of the models' own (sources in
 * tests/oracle/chat_README); a match selects a renderer written from
 * that template.  The renderers follow the Jinja semantics as
 * transformers runs them (trim_blocks, lstrip_blocks, Python str
 * methods, json.dumps for tojson), including where Jinja prints None
 * or raises, which becomes LC_EINVAL.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chat.h"
#include "utf8.h"

static int
has(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	if (k > n)
		return 0;
	for (i = 0; i + k <= n; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, k) == 0)
			return 1;
	return 0;
}

const char *
lc_chat_family(const char *t, size_t n)
{
	if (has(t, n, "<|im_start|>")) {
		if (has(t, n, "<|im_sep|>"))
			return "phi4";
		if (has(t, n, "<think>"))
			return "qwen3";
		if (has(t, n, "<tool_call>") || has(t, n, "You are Qwen"))
			return "qwen2";
		return "chatml";
	}
	if (has(t, n, "[INST]") || (n >= 7 && memcmp(t, "mistral", 7) == 0))
		return "mistral";
	if (has(t, n, "<|assistant|>") && has(t, n, "<|end|>"))
		return "phi3";
	if (has(t, n, "<|user|>") && has(t, n, "<|endoftext|>"))
		return "zephyr";
	/* Gemma 4's <|turn> is ours: llama.cpp's list lacks it */
	if (has(t, n, "<start_of_turn>") || (has(t, n, "<|turn>") &&
	    has(t, n, "<turn|>")))
		return "gemma";
	if (has(t, n, "### Instruction:") && has(t, n, "<|EOT|>"))
		return "deepseek";
	if (has(t, n, "<|START_OF_TURN_TOKEN|>") &&
	    has(t, n, "<|USER_TOKEN|>"))
		return "command-r";
	if (has(t, n, "<|start_header_id|>") && has(t, n, "<|end_header_id|>"))
		return "llama3";
	if (has(t, n, "<|start_of_role|>"))
		return "granite";
	if (has(t, n, "<|header_start|>"))
		return "llama4";
	return "unknown";
}

/* ---- growing output buffer --------------------------------------------- */

struct buf {
	char	*p;
	size_t	 len, cap;
	int	 oom;
};

static void
bput(struct buf *b, const char *s, size_t n)
{
	size_t cap;
	char *p;

	if (b->oom)
		return;
	if (n > SIZE_MAX / 2 - b->len - 1) {
		b->oom = 1;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
bputs(struct buf *b, const char *s)
{
	bput(b, s, strlen(s));
}

/* ---- UTF-8 and Python's str methods ------------------------------------ */

/* Returns 1 if s[0..n) is valid UTF-8 without NUL. */
static int
utf8_ok(const char *str, size_t n)
{
	return lc_utf8_valid((const unsigned char *)str, n) == n &&
	    memchr(str, '\0', n) == NULL;
}

/* Decodes the code point at s (valid UTF-8); returns its length. */
static size_t
u8dec(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] < 0xe0) {
		*cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		return 2;
	}
	if (s[0] < 0xf0) {
		*cp = (uint32_t)(s[0] & 0x0f) << 12 |
		    (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		return 3;
	}
	*cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
	    (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	return 4;
}

/* Python's str.isspace() for one code point. */
static int
pyspace(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) ||
	    c == 0x85 || c == 0xa0 || c == 0x1680 ||
	    (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
	    c == 0x202f || c == 0x205f || c == 0x3000;
}

/*
 * Python's s.strip() (Jinja's trim filter) on valid UTF-8: sets *b and
 * *e to the kept range of s[0..n).
 */
static void
pystrip(const char *s, size_t n, size_t *b, size_t *e)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, j = n, k, l;
	uint32_t c;

	while (i < n) {
		l = u8dec(u + i, &c);
		if (!pyspace(c))
			break;
		i += l;
	}
	while (j > i) {
		k = j - 1;
		while (k > i && (u[k] & 0xc0) == 0x80)
			k--;
		u8dec(u + k, &c);
		if (!pyspace(c))
			break;
		j = k;
	}
	*b = i;
	*e = j;
}

/* Appends Jinja's "s | trim"; NULL is None, which trim prints as "None". */
static void
ptrim(struct buf *b, const char *s)
{
	size_t i, j;

	if (s == NULL)
		s = "None";
	pystrip(s, strlen(s), &i, &j);
	bput(b, s + i, j - i);
}

/* Appends "{{ s }}": None prints as "None". */
static void
pval(struct buf *b, const char *s)
{
	bputs(b, s != NULL ? s : "None");
}

/* ---- JSON, read as Python's json.loads and written as json.dumps ----- */

enum { J_NULL, J_FALSE, J_TRUE, J_NUM, J_STR, J_ARR, J_OBJ };

#define JSON_MAXDEPTH	64

struct jv {
	int		 type;
	char		*s;		/* J_STR: decoded text; J_NUM: as written */
	size_t		 len;
	struct jv	**kid;		/* J_ARR, J_OBJ: n values */
	char		**key;		/* J_OBJ: n keys, NUL-terminated */
	size_t		 n, cap;
};

struct jp {
	const char	*s, *end;
	const char	*err;
};

static void
jfree(struct jv *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		jfree(v->kid[i]);
		if (v->key != NULL)
			free(v->key[i]);
	}
	free(v->kid);
	free(v->key);
	free(v->s);
	free(v);
}

static void
jws(struct jp *p)
{
	while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' ||
	    *p->s == '\n' || *p->s == '\r'))
		p->s++;
}

static int
hex4(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	int i, c;

	for (i = 0; i < 4; i++) {
		c = (unsigned char)s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void
u8enc(struct buf *b, uint32_t c)
{
	char t[4];

	if (c < 0x80) {
		t[0] = (char)c;
		bput(b, t, 1);
	} else if (c < 0x800) {
		t[0] = (char)(0xc0 | c >> 6);
		t[1] = (char)(0x80 | (c & 0x3f));
		bput(b, t, 2);
	} else if (c < 0x10000) {
		t[0] = (char)(0xe0 | c >> 12);
		t[1] = (char)(0x80 | (c >> 6 & 0x3f));
		t[2] = (char)(0x80 | (c & 0x3f));
		bput(b, t, 3);
	} else {
		t[0] = (char)(0xf0 | c >> 18);
		t[1] = (char)(0x80 | (c >> 12 & 0x3f));
		t[2] = (char)(0x80 | (c >> 6 & 0x3f));
		t[3] = (char)(0x80 | (c & 0x3f));
		bput(b, t, 4);
	}
}

/* Parses a string at p->s (on the quote) into b (decoded, NUL-terminated). */
static int
jstring(struct jp *p, struct buf *b)
{
	uint32_t c, lo;
	const char *s;

	p->s++;
	for (;;) {
		if (p->s >= p->end)
			return p->err = "unterminated string", -1;
		s = p->s;
		if (*s == '"') {
			p->s++;
			bput(b, "", 0);
			return 0;
		}
		if ((unsigned char)*s < 0x20)
			return p->err = "control character in string", -1;
		if (*s != '\\') {
			bput(b, s, 1);
			p->s++;
			continue;
		}
		if (p->end - s < 2)
			return p->err = "unterminated string", -1;
		p->s += 2;
		switch (s[1]) {
		case '"': bput(b, "\"", 1); break;
		case '\\': bput(b, "\\", 1); break;
		case '/': bput(b, "/", 1); break;
		case 'b': bput(b, "\b", 1); break;
		case 'f': bput(b, "\f", 1); break;
		case 'n': bput(b, "\n", 1); break;
		case 'r': bput(b, "\r", 1); break;
		case 't': bput(b, "\t", 1); break;
		case 'u':
			if (p->end - p->s < 4 || hex4(p->s, &c) != 0)
				return p->err = "bad \\u escape", -1;
			p->s += 4;
			if (c >= 0xdc00 && c <= 0xdfff)
				return p->err = "lone surrogate", -1;
			if (c >= 0xd800 && c <= 0xdbff) {
				if (p->end - p->s < 6 || p->s[0] != '\\' ||
				    p->s[1] != 'u' || hex4(p->s + 2, &lo) != 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return p->err = "lone surrogate", -1;
				p->s += 6;
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			}
			if (c == 0)
				return p->err = "NUL in string", -1;
			u8enc(b, c);
			break;
		default:
			return p->err = "bad escape", -1;
		}
	}
}

static struct jv *
jnew(int type)
{
	struct jv *v;

	if ((v = calloc(1, sizeof(*v))) != NULL)
		v->type = type;
	return v;
}

static int
jpush(struct jv *v, struct jv *kid, char *key)
{
	size_t cap;
	void *t;

	if (v->n == v->cap) {
		cap = v->cap ? v->cap * 2 : 4;
		if ((t = realloc(v->kid, cap * sizeof(*v->kid))) == NULL)
			return -1;
		v->kid = t;
		if (v->type == J_OBJ) {
			if ((t = realloc(v->key, cap * sizeof(*v->key))) == NULL)
				return -1;
			v->key = t;
		}
		v->cap = cap;
	}
	v->kid[v->n] = kid;
	if (v->type == J_OBJ)
		v->key[v->n] = key;
	v->n++;
	return 0;
}

static struct jv *jvalue(struct jp *p, int depth);

static struct jv *
jcontainer(struct jp *p, int depth, int type)
{
	struct jv *v, *kid;
	struct buf kb;
	size_t i;
	char close = type == J_ARR ? ']' : '}';

	if (depth >= JSON_MAXDEPTH)
		return p->err = "nested too deeply", NULL;
	if ((v = jnew(type)) == NULL)
		return p->err = "out of memory", NULL;
	p->s++;
	jws(p);
	if (p->s < p->end && *p->s == close) {
		p->s++;
		return v;
	}
	for (;;) {
		memset(&kb, 0, sizeof(kb));
		if (type == J_OBJ) {
			jws(p);
			if (p->s >= p->end || *p->s != '"') {
				p->err = "expected a key";
				goto fail;
			}
			if (jstring(p, &kb) != 0 || kb.oom) {
				free(kb.p);
				if (kb.oom)
					p->err = "out of memory";
				goto fail;
			}
			jws(p);
			if (p->s >= p->end || *p->s != ':') {
				free(kb.p);
				p->err = "expected ':'";
				goto fail;
			}
			p->s++;
		}
		if ((kid = jvalue(p, depth + 1)) == NULL) {
			free(kb.p);
			goto fail;
		}
		/* a repeated key keeps its place and takes the new value */
		for (i = 0; type == J_OBJ && i < v->n; i++)
			if (strcmp(v->key[i], kb.p) == 0)
				break;
		if (type == J_OBJ && i < v->n) {
			jfree(v->kid[i]);
			v->kid[i] = kid;
			free(kb.p);
		} else if (jpush(v, kid, kb.p) != 0) {
			jfree(kid);
			free(kb.p);
			p->err = "out of memory";
			goto fail;
		}
		jws(p);
		if (p->s < p->end && *p->s == ',') {
			p->s++;
			continue;
		}
		if (p->s < p->end && *p->s == close) {
			p->s++;
			return v;
		}
		p->err = type == J_ARR ? "expected ',' or ']'" :
		    "expected ',' or '}'";
		goto fail;
	}
fail:
	jfree(v);
	return NULL;
}

static int
isdig(int c)
{
	return c >= '0' && c <= '9';
}

static struct jv *
jvalue(struct jp *p, int depth)
{
	struct jv *v;
	struct buf b;
	const char *s;

	jws(p);
	if (p->s >= p->end)
		return p->err = "unexpected end", NULL;
	s = p->s;
	switch (*s) {
	case '{':
		return jcontainer(p, depth, J_OBJ);
	case '[':
		return jcontainer(p, depth, J_ARR);
	case '"':
		memset(&b, 0, sizeof(b));
		if (jstring(p, &b) != 0 || b.oom || (v = jnew(J_STR)) == NULL) {
			if (p->err == NULL)
				p->err = "out of memory";
			free(b.p);
			return NULL;
		}
		v->s = b.p;
		v->len = b.len;
		return v;
	}
	if (p->end - s >= 4 && memcmp(s, "null", 4) == 0) {
		p->s += 4;
		return jnew(J_NULL);
	}
	if (p->end - s >= 4 && memcmp(s, "true", 4) == 0) {
		p->s += 4;
		return jnew(J_TRUE);
	}
	if (p->end - s >= 5 && memcmp(s, "false", 5) == 0) {
		p->s += 5;
		return jnew(J_FALSE);
	}
	/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
	if (p->s < p->end && *p->s == '-')
		p->s++;
	if (p->s >= p->end || !isdig(*p->s))
		return p->err = "unexpected character", NULL;
	if (*p->s == '0')
		p->s++;
	else
		while (p->s < p->end && isdig(*p->s))
			p->s++;
	if (p->s < p->end && *p->s == '.') {
		p->s++;
		if (p->s >= p->end || !isdig(*p->s))
			return p->err = "bad number", NULL;
		while (p->s < p->end && isdig(*p->s))
			p->s++;
	}
	if (p->s < p->end && (*p->s == 'e' || *p->s == 'E')) {
		p->s++;
		if (p->s < p->end && (*p->s == '+' || *p->s == '-'))
			p->s++;
		if (p->s >= p->end || !isdig(*p->s))
			return p->err = "bad number", NULL;
		while (p->s < p->end && isdig(*p->s))
			p->s++;
	}
	if ((v = jnew(J_NUM)) == NULL || (v->s = malloc(p->s - s + 1)) == NULL) {
		free(v);
		return p->err = "out of memory", NULL;
	}
	v->len = (size_t)(p->s - s);
	memcpy(v->s, s, v->len);
	v->s[v->len] = '\0';
	return v;
}

/* Parses the whole of text; NULL with *err set on failure. */
static struct jv *
jparse(const char *text, const char **err)
{
	struct jp p;
	struct jv *v;
	size_t n = strlen(text);

	if (!utf8_ok(text, n))
		return *err = "invalid UTF-8", NULL;
	p.s = text;
	p.end = text + n;
	p.err = NULL;
	if ((v = jvalue(&p, 0)) == NULL) {
		*err = p.err != NULL ? p.err : "out of memory";
		return NULL;
	}
	jws(&p);
	if (p.s != p.end) {
		jfree(v);
		return *err = "trailing characters", NULL;
	}
	return v;
}

static const struct jv *
jget(const struct jv *o, const char *key)
{
	size_t i;

	if (o == NULL || o->type != J_OBJ)
		return NULL;
	for (i = 0; i < o->n; i++)
		if (strcmp(o->key[i], key) == 0)
			return o->kid[i];
	return NULL;
}

/* Python's truth value of a JSON value (None, False, 0, "", [], {}). */
static int
jtruthy(const struct jv *v)
{
	size_t i;

	if (v == NULL)
		return 0;
	switch (v->type) {
	case J_NULL:
	case J_FALSE:
		return 0;
	case J_NUM:
		for (i = 0; i < v->len; i++)
			if (v->s[i] >= '1' && v->s[i] <= '9')
				return 1;
			else if (v->s[i] == 'e' || v->s[i] == 'E')
				break;
		return 0;
	case J_STR:
		return v->len > 0;
	case J_ARR:
	case J_OBJ:
		return v->n > 0;
	}
	return 1;
}

/* Python's repr(float) of a finite d: shortest round-trip digits. */
static void
pyrepr(struct buf *b, double d)
{
	char t[40], dig[24], x[32];
	const char *q;
	int p, exp, nd, decpt, i;

	if (d == 0) {
		bputs(b, signbit(d) ? "-0.0" : "0.0");
		return;
	}
	for (p = 1; p < 17; p++) {
		snprintf(t, sizeof(t), "%.*e", p - 1, d);
		if (strtod(t, NULL) == d)
			break;
	}
	snprintf(t, sizeof(t), "%.*e", p - 1, d);
	q = t;
	if (*q == '-') {
		bput(b, "-", 1);
		q++;
	}
	nd = 0;
	for (; *q != 'e' && *q != 'E' && *q != '\0'; q++)
		if (isdig(*q))
			dig[nd++] = *q;
	exp = *q ? atoi(q + 1) : 0;
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	decpt = exp + 1;
	if (exp < -4 || exp >= 16) {
		bput(b, dig, 1);
		if (nd > 1) {
			bput(b, ".", 1);
			bput(b, dig + 1, (size_t)nd - 1);
		}
		snprintf(x, sizeof(x), "e%c%02d", exp < 0 ? '-' : '+',
		    exp < 0 ? -exp : exp);
		bputs(b, x);
	} else if (decpt <= 0) {
		bput(b, "0.", 2);
		for (i = 0; i < -decpt; i++)
			bput(b, "0", 1);
		bput(b, dig, (size_t)nd);
	} else if (decpt >= nd) {
		bput(b, dig, (size_t)nd);
		for (i = nd; i < decpt; i++)
			bput(b, "0", 1);
		bput(b, ".0", 2);
	} else {
		bput(b, dig, (size_t)decpt);
		bput(b, ".", 1);
		bput(b, dig + decpt, (size_t)(nd - decpt));
	}
}

/*
 * A JSON number as Python prints it after json.loads: ints keep their
 * digits ("-0" is 0), floats go through repr(); pystr selects str()
 * (inf) over json.dumps (Infinity) for overflowing floats.
 */
static int
jnum(struct buf *b, const struct jv *v, int pystr)
{
	double d;

	if (strpbrk(v->s, ".eE") == NULL) {
		bputs(b, strcmp(v->s, "-0") == 0 ? "0" : v->s);
		return 0;
	}
	d = strtod(v->s, NULL);
	if (isinf(d))
		bputs(b, d < 0 ? (pystr ? "-inf" : "-Infinity") :
		    (pystr ? "inf" : "Infinity"));
	else
		pyrepr(b, d);
	return 0;
}

/* json.dumps(s, ensure_ascii=False) of a string */
static void
jdumpstr(struct buf *b, const char *s, size_t n)
{
	char t[8];
	size_t i, r = 0;

	bput(b, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;

		if (c == '"')
			esc = "\\\"";
		else if (c == '\\')
			esc = "\\\\";
		else if (c == '\n')
			esc = "\\n";
		else if (c == '\r')
			esc = "\\r";
		else if (c == '\t')
			esc = "\\t";
		else if (c == '\b')
			esc = "\\b";
		else if (c == '\f')
			esc = "\\f";
		else if (c < 0x20) {
			snprintf(t, sizeof(t), "\\u%04x", c);
			esc = t;
		}
		if (esc != NULL) {
			bput(b, s + r, i - r);
			bputs(b, esc);
			r = i + 1;
		}
	}
	bput(b, s + r, n - r);
	bput(b, "\"", 1);
}

static void
jindent(struct buf *b, int indent, int level)
{
	int i;

	bput(b, "\n", 1);
	for (i = 0; i < indent * level; i++)
		bput(b, " ", 1);
}

/*
 * json.dumps(v, ensure_ascii=False, indent=indent or None): the
 * transformers tojson filter.  Keys keep their order.
 */
static void
jdump(struct buf *b, const struct jv *v, int indent, int level)
{
	size_t i;

	switch (v->type) {
	case J_NULL: bputs(b, "null"); return;
	case J_TRUE: bputs(b, "true"); return;
	case J_FALSE: bputs(b, "false"); return;
	case J_NUM: jnum(b, v, 0); return;
	case J_STR: jdumpstr(b, v->s, v->len); return;
	}
	if (v->n == 0) {
		bputs(b, v->type == J_ARR ? "[]" : "{}");
		return;
	}
	bput(b, v->type == J_ARR ? "[" : "{", 1);
	for (i = 0; i < v->n; i++) {
		if (i > 0)
			bputs(b, indent ? "," : ", ");
		if (indent)
			jindent(b, indent, level + 1);
		if (v->type == J_OBJ) {
			jdumpstr(b, v->key[i], strlen(v->key[i]));
			bputs(b, ": ");
		}
		jdump(b, v->kid[i], indent, level + 1);
	}
	if (indent)
		jindent(b, indent, level);
	bput(b, v->type == J_ARR ? "]" : "}", 1);
}

/* ---- template normalisation -------------------------------------------- */

static int
isid(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/*
 * Writes a normal form of template t to o, so that two templates with the
 * same normal form render alike under Jinja: one trailing newline is
 * dropped (Jinja drops it), text outside tags is kept byte for byte, and
 * inside {{ }} and {% %} whitespace runs become one space between two
 * names and vanish elsewhere, and string literals are re-quoted as
 * '...' with only \\ and \' escaped.  Comments keep only their - and +
 * markers.  Returns -1 for text we do not accept (CR, NUL, unterminated
 * tags, string escapes other than \n \t \\ \' \").
 */
static int
normalise(const char *t, size_t n, struct buf *o)
{
	size_t i = 0, j, k;
	int prev, space, depth;
	char c, q, close;

	if (n > 0 && t[n - 1] == '\n')
		n--;
	if (memchr(t, '\r', n) != NULL || memchr(t, '\0', n) != NULL)
		return -1;
	while (i < n) {
		for (j = i; j + 1 < n; j++)
			if (t[j] == '{' && (t[j + 1] == '{' ||
			    t[j + 1] == '%' || t[j + 1] == '#'))
				break;
		if (j + 1 >= n)
			j = n;
		bput(o, t + i, j - i);
		if (j == n)
			break;
		if (t[j + 1] == '#') {
			for (k = j + 2; k + 1 < n; k++)
				if (t[k] == '#' && t[k + 1] == '}')
					break;
			if (k + 1 >= n)
				return -1;
			bput(o, "{#", 2);
			if (k > j + 2 && (t[j + 2] == '-' || t[j + 2] == '+'))
				bput(o, t + j + 2, 1);
			if (k > j + 3 && t[k - 1] == '-')
				bput(o, "-", 1);
			bput(o, "#}", 2);
			i = k + 2;
			continue;
		}
		close = t[j + 1] == '%' ? '%' : '}';
		bput(o, t + j, 2);
		i = j + 2;
		if (i < n && (t[i] == '-' || t[i] == '+'))
			bput(o, t + i++, 1);
		prev = space = depth = 0;
		for (;;) {
			if (i >= n)
				return -1;
			c = t[i];
			if (c == ' ' || c == '\t' || c == '\n') {
				space = 1;
				i++;
				continue;
			}
			if (depth == 0 && (c == '-' || c == '+') && i + 2 < n &&
			    t[i + 1] == close && t[i + 2] == '}') {
				bput(o, &c, 1);
				bput(o, t + i + 1, 2);
				i += 3;
				break;
			}
			if (depth == 0 && c == close && i + 1 < n &&
			    t[i + 1] == '}') {
				bput(o, t + i, 2);
				i += 2;
				break;
			}
			if (c == '\'' || c == '"') {
				q = c;
				bput(o, "'", 1);
				for (i++;; i++) {
					if (i >= n)
						return -1;
					if (t[i] == q)
						break;
					if (t[i] == '\'') {
						bput(o, "\\'", 2);
						continue;
					}
					if (t[i] != '\\') {
						bput(o, t + i, 1);
						continue;
					}
					if (++i >= n)
						return -1;
					switch (t[i]) {
					case 'n': bput(o, "\n", 1); break;
					case 't': bput(o, "\t", 1); break;
					case '\\': bput(o, "\\\\", 2); break;
					case '\'': bput(o, "\\'", 2); break;
					case '"': bput(o, "\"", 1); break;
					default: return -1;
					}
				}
				bput(o, "'", 1);
				i++;
				prev = space = 0;
				continue;
			}
			if (isid((unsigned char)c)) {
				if (space && prev)
					bput(o, " ", 1);
				prev = 1;
			} else {
				prev = 0;
				if (c == '(' || c == '[' || c == '{')
					depth++;
				else if ((c == ')' || c == ']' || c == '}') &&
				    depth > 0)
					depth--;
			}
			bput(o, &c, 1);
			space = 0;
			i++;
		}
	}
	return 0;
}

/* ---- the known templates, verbatim (tests/golden/chat/templates) ------- */

/* HuggingFaceTB-SmolLM2-135M-Instruct.jinja */
static const char *const t_smollm2[] = {
	"{% for message in messages %}{% if loop.first and messages[0]['r"
	"ole'] != 'system' %}{{ '<|im_start|>system\n"
	"You are a helpful AI assistant named SmolLM, trained by Hugging "
	"Face<|im_end|>\n"
	"' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n"
	"' + message['content'] + '<|im_end|>' + '\n"
	"'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>ass"
	"istant\n"
	"' }}{% endif %}",
	NULL
};

/* teknium-OpenHermes-2.5-Mistral-7B.jinja */
static const char *const t_chatml[] = {
	"{% for message in messages %}{{'<|im_start|>' + message['role'] "
	"+ '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{"
	"% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% e"
	"ndif %}",
	NULL
};

/* Qwen-Qwen2.5-7B-Instruct.jinja */
static const char *const t_qwen25[] = {
	"{%- if tools %}\n"
	"    {{- '<|im_start|>system\\n' }}\n"
	"    {%- if messages[0]['role'] == 'system' %}\n"
	"        {{- messages[0]['content'] }}\n"
	"    {%- else %}\n"
	"        {{- 'You are Qwen, created by Alibaba Cloud. You are a h"
	"elpful assistant.' }}\n"
	"    {%- endif %}\n"
	"    {{- \"\\n\\n# Tools\\n\\nYou may call one or more functions to as"
	"sist with the user query.\\n\\nYou are provided with function sign"
	"atures within <tools></tools> XML tags:\\n<tools>\" }}\n"
	"    {%- for tool in tools %}\n"
	"        {{- \"\\n\" }}\n"
	"        {{- tool | tojson }}\n"
	"    {%- endfor %}\n"
	"    {{- \"\\n</tools>\\n\\nFor each function call, return a json obj"
	"ect with function name and arguments within <tool_call></tool_ca"
	"ll> XML tags:\\n<tool_call>\\n{\\\"name\\\": <function-name>, \\\"argume"
	"nts\\\": <args-json-object>}\\n</tool_call><|im_end|>\\n\" }}\n"
	"{%- else %}\n"
	"    {%- if messages[0]['role'] == 'system' %}\n"
	"        {{- '<|im_start|>system\\n' + messages[0]['content'] + '<"
	"|im_end|>\\n' }}\n"
	"    {%- else %}\n"
	"        {{- '<|im_start|>system\\nYou are Qwen, created by Alibab"
	"a Cloud. You are a helpful assistant.<|im_end|>\\n' }}\n"
	"    {%- endif %}\n"
	"{%- endif %}\n"
	"{%- for message in messages %}\n"
	"    {%- if (message.role == \"user\") or (message.role == \"system\""
	" and not loop.first) or (message.role == \"assistant\" and not mes"
	"sage.tool_calls) %}\n"
	"        {{- '<|im_start|>' + message.role + '\\n' + message.conte"
	"nt + '<|im_end|>' + '\\n' }}\n"
	"    {%- elif message.role == \"assistant\" %}\n"
	"        {{- '<|im_start|>' + message.role }}\n"
	"        {%- if message.content %}\n"
	"            {{- '\\n' + message.content }}\n"
	"        {%- endif %}\n"
	"        {%- for tool_call in message.tool_calls %}\n"
	"            {%- if tool_call.function is defined %}\n"
	"                {%- set tool_call = tool_call.function %}\n"
	"            {%- endif %}\n"
	"            {{- '\\n<tool_call>\\n{\"name\": \"' }}\n"
	"            {{- tool_call.name }}\n"
	"            {{- '\", \"arguments\": ' }}\n"
	"            {{- tool_call.arguments | tojson }}\n"
	"            {{- '}\\n</tool_call>' }}\n"
	"        {%- endfor %}\n"
	"        {{- '<|im_end|>\\n' }}\n",
	"    {%- elif message.role == \"tool\" %}\n"
	"        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1]."
	"role != \"tool\") %}\n"
	"            {{- '<|im_start|>user' }}\n"
	"        {%- endif %}\n"
	"        {{- '\\n<tool_response>\\n' }}\n"
	"        {{- message.content }}\n"
	"        {{- '\\n</tool_response>' }}\n"
	"        {%- if loop.last or (messages[loop.index0 + 1].role != \""
	"tool\") %}\n"
	"            {{- '<|im_end|>\\n' }}\n"
	"        {%- endif %}\n"
	"    {%- endif %}\n"
	"{%- endfor %}\n"
	"{%- if add_generation_prompt %}\n"
	"    {{- '<|im_start|>assistant\\n' }}\n"
	"{%- endif %}\n",
	NULL
};

/* Qwen-Qwen3-0.6B.jinja */
static const char *const t_qwen3[] = {
	"{%- if tools %}\n"
	"    {{- '<|im_start|>system\\n' }}\n"
	"    {%- if messages[0].role == 'system' %}\n"
	"        {{- messages[0].content + '\\n\\n' }}\n"
	"    {%- endif %}\n"
	"    {{- \"# Tools\\n\\nYou may call one or more functions to assist"
	" with the user query.\\n\\nYou are provided with function signatur"
	"es within <tools></tools> XML tags:\\n<tools>\" }}\n"
	"    {%- for tool in tools %}\n"
	"        {{- \"\\n\" }}\n"
	"        {{- tool | tojson }}\n"
	"    {%- endfor %}\n"
	"    {{- \"\\n</tools>\\n\\nFor each function call, return a json obj"
	"ect with function name and arguments within <tool_call></tool_ca"
	"ll> XML tags:\\n<tool_call>\\n{\\\"name\\\": <function-name>, \\\"argume"
	"nts\\\": <args-json-object>}\\n</tool_call><|im_end|>\\n\" }}\n"
	"{%- else %}\n"
	"    {%- if messages[0].role == 'system' %}\n"
	"        {{- '<|im_start|>system\\n' + messages[0].content + '<|im"
	"_end|>\\n' }}\n"
	"    {%- endif %}\n"
	"{%- endif %}\n"
	"{%- set ns = namespace(multi_step_tool=true, last_query_index=me"
	"ssages|length - 1) %}\n"
	"{%- for message in messages[::-1] %}\n"
	"    {%- set index = (messages|length - 1) - loop.index0 %}\n"
	"    {%- if ns.multi_step_tool and message.role == \"user\" and not"
	"(message.content.startswith('<tool_response>') and message.conte"
	"nt.endswith('</tool_response>')) %}\n"
	"        {%- set ns.multi_step_tool = false %}\n"
	"        {%- set ns.last_query_index = index %}\n"
	"    {%- endif %}\n"
	"{%- endfor %}\n"
	"{%- for message in messages %}\n"
	"    {%- if (message.role == \"user\") or (message.role == \"system\""
	" and not loop.first) %}\n"
	"        {{- '<|im_start|>' + message.role + '\\n' + message.conte"
	"nt + '<|im_end|>' + '\\n' }}\n"
	"    {%- elif message.role == \"assistant\" %}\n"
	"        {%- set content = message.content %}\n"
	"        {%- set reasoning_content = '' %}\n"
	"        {%- if message.reasoning_content is defined and message."
	"reasoning_content is not none %}\n"
	"            {%- set reasoning_content = message.reasoning_conten"
	"t %}\n"
	"        {%- else %}\n"
	"            {%- if '</think>' in message.content %}\n"
	"                {%- set content = message.content.split('</think"
	">')[-1].lstrip('\\n') %}\n",
	"                {%- set reasoning_content = message.content.spli"
	"t('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') "
	"%}\n"
	"            {%- endif %}\n"
	"        {%- endif %}\n"
	"        {%- if loop.index0 > ns.last_query_index %}\n"
	"            {%- if loop.last or (not loop.last and reasoning_con"
	"tent) %}\n"
	"                {{- '<|im_start|>' + message.role + '\\n<think>\\n"
	"' + reasoning_content.strip('\\n') + '\\n</think>\\n\\n' + content.l"
	"strip('\\n') }}\n"
	"            {%- else %}\n"
	"                {{- '<|im_start|>' + message.role + '\\n' + conte"
	"nt }}\n"
	"            {%- endif %}\n"
	"        {%- else %}\n"
	"            {{- '<|im_start|>' + message.role + '\\n' + content }"
	"}\n"
	"        {%- endif %}\n"
	"        {%- if message.tool_calls %}\n"
	"            {%- for tool_call in message.tool_calls %}\n"
	"                {%- if (loop.first and content) or (not loop.fir"
	"st) %}\n"
	"                    {{- '\\n' }}\n"
	"                {%- endif %}\n"
	"                {%- if tool_call.function %}\n"
	"                    {%- set tool_call = tool_call.function %}\n"
	"                {%- endif %}\n"
	"                {{- '<tool_call>\\n{\"name\": \"' }}\n"
	"                {{- tool_call.name }}\n"
	"                {{- '\", \"arguments\": ' }}\n"
	"                {%- if tool_call.arguments is string %}\n"
	"                    {{- tool_call.arguments }}\n"
	"                {%- else %}\n"
	"                    {{- tool_call.arguments | tojson }}\n"
	"                {%- endif %}\n"
	"                {{- '}\\n</tool_call>' }}\n"
	"            {%- endfor %}\n"
	"        {%- endif %}\n"
	"        {{- '<|im_end|>\\n' }}\n"
	"    {%- elif message.role == \"tool\" %}\n"
	"        {%- if loop.first or (messages[loop.index0 - 1].role != "
	"\"tool\") %}\n"
	"            {{- '<|im_start|>user' }}\n"
	"        {%- endif %}\n"
	"        {{- '\\n<tool_response>\\n' }}\n"
	"        {{- message.content }}\n"
	"        {{- '\\n</tool_response>' }}\n"
	"        {%- if loop.last or (messages[loop.index0 + 1].role != \""
	"tool\") %}\n"
	"            {{- '<|im_end|>\\n' }}\n"
	"        {%- endif %}\n"
	"    {%- endif %}\n"
	"{%- endfor %}\n"
	"{%- if add_generation_prompt %}\n"
	"    {{- '<|im_start|>assistant\\n' }}\n",
	"    {%- if enable_thinking is defined and enable_thinking is fal"
	"se %}\n"
	"        {{- '<think>\\n\\n</think>\\n\\n' }}\n"
	"    {%- endif %}\n"
	"{%- endif %}",
	NULL
};

/* meta-llama-Llama-3.1-8B-Instruct.jinja */
static const char *const t_llama31[] = {
	"{{- bos_token }}\n"
	"{%- if custom_tools is defined %}\n"
	"    {%- set tools = custom_tools %}\n"
	"{%- endif %}\n"
	"{%- if not tools_in_user_message is defined %}\n"
	"    {%- set tools_in_user_message = true %}\n"
	"{%- endif %}\n"
	"{%- if not date_string is defined %}\n"
	"    {%- set date_string = \"26 Jul 2024\" %}\n"
	"{%- endif %}\n"
	"{%- if not tools is defined %}\n"
	"    {%- set tools = none %}\n"
	"{%- endif %}\n"
	"\n"
	"{#- This block extracts the system message, so we can slot it in"
	"to the right place. #}\n"
	"{%- if messages[0]['role'] == 'system' %}\n"
	"    {%- set system_message = messages[0]['content']|trim %}\n"
	"    {%- set messages = messages[1:] %}\n"
	"{%- else %}\n"
	"    {%- set system_message = \"\" %}\n"
	"{%- endif %}\n"
	"\n"
	"{#- System message + builtin tools #}\n"
	"{{- \"<|start_header_id|>system<|end_header_id|>\\n\\n\" }}\n"
	"{%- if builtin_tools is defined or tools is not none %}\n"
	"    {{- \"Environment: ipython\\n\" }}\n"
	"{%- endif %}\n"
	"{%- if builtin_tools is defined %}\n"
	"    {{- \"Tools: \" + builtin_tools | reject('equalto', 'code_inte"
	"rpreter') | join(\", \") + \"\\n\\n\"}}\n"
	"{%- endif %}\n"
	"{{- \"Cutting Knowledge Date: December 2023\\n\" }}\n"
	"{{- \"Today Date: \" + date_string + \"\\n\\n\" }}\n"
	"{%- if tools is not none and not tools_in_user_message %}\n"
	"    {{- \"You have access to the following functions. To call a f"
	"unction, please respond with JSON for a function call.\" }}\n"
	"    {{- 'Respond in the format {\"name\": function name, \"paramete"
	"rs\": dictionary of argument name and its value}.' }}\n"
	"    {{- \"Do not use variables.\\n\\n\" }}\n"
	"    {%- for t in tools %}\n"
	"        {{- t | tojson(indent=4) }}\n"
	"        {{- \"\\n\\n\" }}\n"
	"    {%- endfor %}\n"
	"{%- endif %}\n"
	"{{- system_message }}\n"
	"{{- \"<|eot_id|>\" }}\n"
	"\n"
	"{#- Custom tools are passed in a user message with some extra gu"
	"idance #}\n"
	"{%- if tools_in_user_message and not tools is none %}\n"
	"    {#- Extract the first user message so we can plug it in here"
	" #}\n"
	"    {%- if messages | length != 0 %}\n"
	"        {%- set first_user_message = messages[0]['content']|trim"
	" %}\n"
	"        {%- set messages = messages[1:] %}\n"
	"    {%- else %}\n",
	"        {{- raise_exception(\"Cannot put tools in the first user "
	"message when there's no first user message!\") }}\n"
	"{%- endif %}\n"
	"    {{- '<|start_header_id|>user<|end_header_id|>\\n\\n' -}}\n"
	"    {{- \"Given the following functions, please respond with a JS"
	"ON for a function call \" }}\n"
	"    {{- \"with its proper arguments that best answers the given p"
	"rompt.\\n\\n\" }}\n"
	"    {{- 'Respond in the format {\"name\": function name, \"paramete"
	"rs\": dictionary of argument name and its value}.' }}\n"
	"    {{- \"Do not use variables.\\n\\n\" }}\n"
	"    {%- for t in tools %}\n"
	"        {{- t | tojson(indent=4) }}\n"
	"        {{- \"\\n\\n\" }}\n"
	"    {%- endfor %}\n"
	"    {{- first_user_message + \"<|eot_id|>\"}}\n"
	"{%- endif %}\n"
	"\n"
	"{%- for message in messages %}\n"
	"    {%- if not (message.role == 'ipython' or message.role == 'to"
	"ol' or 'tool_calls' in message) %}\n"
	"        {{- '<|start_header_id|>' + message['role'] + '<|end_hea"
	"der_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}\n"
	"    {%- elif 'tool_calls' in message %}\n"
	"        {%- if not message.tool_calls|length == 1 %}\n"
	"            {{- raise_exception(\"This model only supports single"
	" tool-calls at once!\") }}\n"
	"        {%- endif %}\n"
	"        {%- set tool_call = message.tool_calls[0].function %}\n"
	"        {%- if builtin_tools is defined and tool_call.name in bu"
	"iltin_tools %}\n"
	"            {{- '<|start_header_id|>assistant<|end_header_id|>\\n"
	"\\n' -}}\n"
	"            {{- \"<|python_tag|>\" + tool_call.name + \".call(\" }}\n"
	"            {%- for arg_name, arg_val in tool_call.arguments | i"
	"tems %}\n"
	"                {{- arg_name + '=\"' + arg_val + '\"' }}\n"
	"                {%- if not loop.last %}\n"
	"                    {{- \", \" }}\n"
	"                {%- endif %}\n"
	"                {%- endfor %}\n"
	"            {{- \")\" }}\n"
	"        {%- else  %}\n"
	"            {{- '<|start_header_id|>assistant<|end_header_id|>\\n"
	"\\n' -}}\n"
	"            {{- '{\"name\": \"' + tool_call.name + '\", ' }}\n"
	"            {{- '\"parameters\": ' }}\n"
	"            {{- tool_call.arguments | tojson }}\n"
	"            {{- \"}\" }}\n"
	"        {%- endif %}\n",
	"        {%- if builtin_tools is defined %}\n"
	"            {#- This means we're in ipython mode #}\n"
	"            {{- \"<|eom_id|>\" }}\n"
	"        {%- else %}\n"
	"            {{- \"<|eot_id|>\" }}\n"
	"        {%- endif %}\n"
	"    {%- elif message.role == \"tool\" or message.role == \"ipython\""
	" %}\n"
	"        {{- \"<|start_header_id|>ipython<|end_header_id|>\\n\\n\" }}"
	"\n"
	"        {%- if message.content is mapping or message.content is "
	"iterable %}\n"
	"            {{- message.content | tojson }}\n"
	"        {%- else %}\n"
	"            {{- message.content }}\n"
	"        {%- endif %}\n"
	"        {{- \"<|eot_id|>\" }}\n"
	"    {%- endif %}\n"
	"{%- endfor %}\n"
	"{%- if add_generation_prompt %}\n"
	"    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}\n"
	"{%- endif %}\n",
	NULL
};

/* meta-llama-Llama-3.2-3B-Instruct.jinja */
static const char *const t_llama32[] = {
	"{{- bos_token }}\n"
	"{%- if custom_tools is defined %}\n"
	"    {%- set tools = custom_tools %}\n"
	"{%- endif %}\n"
	"{%- if not tools_in_user_message is defined %}\n"
	"    {%- set tools_in_user_message = true %}\n"
	"{%- endif %}\n"
	"{%- if not date_string is defined %}\n"
	"    {%- if strftime_now is defined %}\n"
	"        {%- set date_string = strftime_now(\"%d %b %Y\") %}\n"
	"    {%- else %}\n"
	"        {%- set date_string = \"26 Jul 2024\" %}\n"
	"    {%- endif %}\n"
	"{%- endif %}\n"
	"{%- if not tools is defined %}\n"
	"    {%- set tools = none %}\n"
	"{%- endif %}\n"
	"\n"
	"{#- This block extracts the system message, so we can slot it in"
	"to the right place. #}\n"
	"{%- if messages[0]['role'] == 'system' %}\n"
	"    {%- set system_message = messages[0]['content']|trim %}\n"
	"    {%- set messages = messages[1:] %}\n"
	"{%- else %}\n"
	"    {%- set system_message = \"\" %}\n"
	"{%- endif %}\n"
	"\n"
	"{#- System message #}\n"
	"{{- \"<|start_header_id|>system<|end_header_id|>\\n\\n\" }}\n"
	"{%- if tools is not none %}\n"
	"    {{- \"Environment: ipython\\n\" }}\n"
	"{%- endif %}\n"
	"{{- \"Cutting Knowledge Date: December 2023\\n\" }}\n"
	"{{- \"Today Date: \" + date_string + \"\\n\\n\" }}\n"
	"{%- if tools is not none and not tools_in_user_message %}\n"
	"    {{- \"You have access to the following functions. To call a f"
	"unction, please respond with JSON for a function call.\" }}\n"
	"    {{- 'Respond in the format {\"name\": function name, \"paramete"
	"rs\": dictionary of argument name and its value}.' }}\n"
	"    {{- \"Do not use variables.\\n\\n\" }}\n"
	"    {%- for t in tools %}\n"
	"        {{- t | tojson(indent=4) }}\n"
	"        {{- \"\\n\\n\" }}\n"
	"    {%- endfor %}\n"
	"{%- endif %}\n"
	"{{- system_message }}\n"
	"{{- \"<|eot_id|>\" }}\n"
	"\n"
	"{#- Custom tools are passed in a user message with some extra gu"
	"idance #}\n"
	"{%- if tools_in_user_message and not tools is none %}\n"
	"    {#- Extract the first user message so we can plug it in here"
	" #}\n"
	"    {%- if messages | length != 0 %}\n"
	"        {%- set first_user_message = messages[0]['content']|trim"
	" %}\n"
	"        {%- set messages = messages[1:] %}\n"
	"    {%- else %}\n",
	"        {{- raise_exception(\"Cannot put tools in the first user "
	"message when there's no first user message!\") }}\n"
	"{%- endif %}\n"
	"    {{- '<|start_header_id|>user<|end_header_id|>\\n\\n' -}}\n"
	"    {{- \"Given the following functions, please respond with a JS"
	"ON for a function call \" }}\n"
	"    {{- \"with its proper arguments that best answers the given p"
	"rompt.\\n\\n\" }}\n"
	"    {{- 'Respond in the format {\"name\": function name, \"paramete"
	"rs\": dictionary of argument name and its value}.' }}\n"
	"    {{- \"Do not use variables.\\n\\n\" }}\n"
	"    {%- for t in tools %}\n"
	"        {{- t | tojson(indent=4) }}\n"
	"        {{- \"\\n\\n\" }}\n"
	"    {%- endfor %}\n"
	"    {{- first_user_message + \"<|eot_id|>\"}}\n"
	"{%- endif %}\n"
	"\n"
	"{%- for message in messages %}\n"
	"    {%- if not (message.role == 'ipython' or message.role == 'to"
	"ol' or 'tool_calls' in message) %}\n"
	"        {{- '<|start_header_id|>' + message['role'] + '<|end_hea"
	"der_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}\n"
	"    {%- elif 'tool_calls' in message %}\n"
	"        {%- if not message.tool_calls|length == 1 %}\n"
	"            {{- raise_exception(\"This model only supports single"
	" tool-calls at once!\") }}\n"
	"        {%- endif %}\n"
	"        {%- set tool_call = message.tool_calls[0].function %}\n"
	"        {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' "
	"-}}\n"
	"        {{- '{\"name\": \"' + tool_call.name + '\", ' }}\n"
	"        {{- '\"parameters\": ' }}\n"
	"        {{- tool_call.arguments | tojson }}\n"
	"        {{- \"}\" }}\n"
	"        {{- \"<|eot_id|>\" }}\n"
	"    {%- elif message.role == \"tool\" or message.role == \"ipython\""
	" %}\n"
	"        {{- \"<|start_header_id|>ipython<|end_header_id|>\\n\\n\" }}"
	"\n"
	"        {%- if message.content is mapping or message.content is "
	"iterable %}\n"
	"            {{- message.content | tojson }}\n"
	"        {%- else %}\n"
	"            {{- message.content }}\n"
	"        {%- endif %}\n"
	"        {{- \"<|eot_id|>\" }}\n"
	"    {%- endif %}\n"
	"{%- endfor %}\n"
	"{%- if add_generation_prompt %}\n"
	"    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}\n"
	"{%- endif %}\n",
	NULL
};

/* meta-llama-Meta-Llama-3-8B-Instruct.jinja */
static const char *const t_llama30[] = {
	"{% set loop_messages = messages %}{% for message in loop_message"
	"s %}{% set content = '<|start_header_id|>' + message['role'] + '"
	"<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>'"
	" %}{% if loop.index0 == 0 %}{% set content = bos_token + content"
	" %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prom"
	"pt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%"
	" endif %}",
	NULL
};

/* google-gemma-3-it.jinja */
static const char *const t_gemma3[] = {
	"{{ bos_token }}\n"
	"{%- if messages[0]['role'] == 'system' -%}\n"
	"    {%- if messages[0]['content'] is string -%}\n"
	"        {%- set first_user_prefix = messages[0]['content'] + '\n"
	"\n"
	"' -%}\n"
	"    {%- else -%}\n"
	"        {%- set first_user_prefix = messages[0]['content'][0]['t"
	"ext'] + '\n"
	"\n"
	"' -%}\n"
	"    {%- endif -%}\n"
	"    {%- set loop_messages = messages[1:] -%}\n"
	"{%- else -%}\n"
	"    {%- set first_user_prefix = \"\" -%}\n"
	"    {%- set loop_messages = messages -%}\n"
	"{%- endif -%}\n"
	"{%- for message in loop_messages -%}\n"
	"    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0)"
	" -%}\n"
	"        {{ raise_exception(\"Conversation roles must alternate us"
	"er/assistant/user/assistant/...\") }}\n"
	"    {%- endif -%}\n"
	"    {%- if (message['role'] == 'assistant') -%}\n"
	"        {%- set role = \"model\" -%}\n"
	"    {%- else -%}\n"
	"        {%- set role = message['role'] -%}\n"
	"    {%- endif -%}\n"
	"    {{ '<start_of_turn>' + role + '\n"
	"' + (first_user_prefix if loop.first else \"\") }}\n"
	"    {%- if message['content'] is string -%}\n"
	"        {{ message['content'] | trim }}\n"
	"    {%- elif message['content'] is iterable -%}\n"
	"        {%- for item in message['content'] -%}\n"
	"            {%- if item['type'] == 'image' -%}\n"
	"                {{ '<start_of_image>' }}\n"
	"            {%- elif item['type'] == 'text' -%}\n"
	"                {{ item['text'] | trim }}\n"
	"            {%- endif -%}\n"
	"        {%- endfor -%}\n"
	"    {%- else -%}\n"
	"        {{ raise_exception(\"Invalid content type\") }}\n"
	"    {%- endif -%}\n"
	"    {{ '<end_of_turn>\n"
	"' }}\n"
	"{%- endfor -%}\n"
	"{%- if add_generation_prompt -%}\n"
	"    {{'<start_of_turn>model\n"
	"'}}\n"
	"{%- endif -%}\n",
	NULL
};

/* google-gemma-4-31B-it.jinja */
static const char *const t_gemma4[] = {
	"{%- macro format_parameters(properties, required) -%}\n",
	"    {%- set standard_keys = ['description', 'type', 'propert"
	"ies', 'required', 'nullable'] -%}\n",
	"    {%- set ns = namespace(found_first=false) -%}\n",
	"    {%- for key, value in properties | dictsort -%}\n",
	"        {%- set add_comma = false -%}\n",
	"        {%- if key not in standard_keys -%}\n",
	"            {%- if ns.found_first %},{% endif -%}\n",
	"            {%- set ns.found_first = true -%}\n",
	"            {{ key }}:{\n",
	"            {%- if value['description'] -%}\n",
	"                description:<|\"|>{{ value['description'] }}<"
	"|\"|>\n",
	"                {%- set add_comma = true -%}\n",
	"            {%- endif -%}\n",
	"            {%- if value['type'] | upper == 'STRING' -%}\n",
	"                {%- if value['enum'] -%}\n",
	"                    {%- if add_comma %},{%- else -%} {%- set"
	" add_comma = true -%} {% endif -%}\n",
	"                    enum:{{ format_argument(value['enum']) }"
	"}\n",
	"                {%- endif -%}\n",
	"            {%- elif value['type'] | upper == 'ARRAY' -%}\n",
	"                {%- if value['items'] is mapping and value['"
	"items'] -%}\n",
	"                    {%- if add_comma %},{%- else -%} {%- set"
	" add_comma = true -%} {% endif -%}\n",
	"                    items:{\n",
	"                    {%- set ns_items = namespace(found_first"
	"=false) -%}\n",
	"                    {%- for item_key, item_value in value['i"
	"tems'] | dictsort -%}\n",
	"                        {%- if item_value is not none -%}\n",
	"                            {%- if ns_items.found_first %},{"
	"% endif -%}\n",
	"                            {%- set ns_items.found_first = t"
	"rue -%}\n",
	"                            {%- if item_key == 'properties' "
	"-%}\n",
	"                                properties:{\n",
	"                                {%- if item_value is mapping"
	" -%}\n",
	"                                    {{- format_parameters(it"
	"em_value, value['items']['required'] | default([])) -}}\n",
	"                                {%- endif -%}\n",
	"                                }\n",
	"                            {%- elif item_key == 'required' "
	"-%}\n",
	"                                required:[\n",
	"                                {%- for req_item in item_val"
	"ue -%}\n",
	"                                    <|\"|>{{- req_item -}}<|\""
	"|>\n",
	"                                    {%- if not loop.last %},"
	"{% endif -%}\n",
	"                                {%- endfor -%}\n",
	"                                ]\n",
	"                            {%- elif item_key == 'type' -%}\n",
	"                                {%- if item_value is string "
	"-%}\n",
	"                                    type:{{ format_argument("
	"item_value | upper) }}\n",
	"                                {%- else -%}\n",
	"                                    type:{{ format_argument("
	"item_value | map('upper') | list) }}\n",
	"                                {%- endif -%}\n",
	"                            {%- else -%}\n",
	"                                {{ item_key }}:{{ format_arg"
	"ument(item_value) }}\n",
	"                            {%- endif -%}\n",
	"                        {%- endif -%}\n",
	"                    {%- endfor -%}\n",
	"                    }\n",
	"                {%- endif -%}\n",
	"            {%- endif -%}\n",
	"            {%- if value['nullable'] %}\n",
	"                {%- if add_comma %},{%- else -%} {%- set add"
	"_comma = true -%} {% endif -%}\n",
	"                nullable:true\n",
	"            {%- endif -%}\n",
	"            {%- if value['type'] | upper == 'OBJECT' -%}\n",
	"                {%- if value['properties'] is defined and va"
	"lue['properties'] is mapping -%}\n",
	"                    {%- if add_comma %},{%- else -%} {%- set"
	" add_comma = true -%} {% endif -%}\n",
	"                    properties:{\n",
	"                    {{- format_parameters(value['properties'"
	"], value['required'] | default([])) -}}\n",
	"                    }\n",
	"                {%- elif value is mapping -%}\n",
	"                    {%- if add_comma %},{%- else -%} {%- set"
	" add_comma = true -%} {% endif -%}\n",
	"                    properties:{\n",
	"                    {{- format_parameters(value, value['requ"
	"ired'] | default([])) -}}\n",
	"                    }\n",
	"                {%- endif -%}\n",
	"                {%- if value['required'] -%}\n",
	"                    {%- if add_comma %},{%- else -%} {%- set"
	" add_comma = true -%} {% endif -%}\n",
	"                    required:[\n",
	"                    {%- for item in value['required'] | defa"
	"ult([]) -%}\n",
	"                        <|\"|>{{- item -}}<|\"|>\n",
	"                        {%- if not loop.last %},{% endif -%}"
	"\n",
	"                    {%- endfor -%}\n",
	"                    ]\n",
	"                {%- endif -%}\n",
	"            {%- endif -%}\n",
	"            {%- if add_comma %},{%- else -%} {%- set add_com"
	"ma = true -%} {% endif -%}\n",
	"            type:<|\"|>{{ value['type'] | upper }}<|\"|>}\n",
	"        {%- endif -%}\n",
	"    {%- endfor -%}\n",
	"{%- endmacro -%}\n",
	"{%- macro format_function_declaration(tool_data) -%}\n",
	"    declaration:{{- tool_data['function']['name'] -}}{descri"
	"ption:<|\"|>{{- tool_data['function']['description'] -}}<|\"|>"
	"\n",
	"    {%- set params = tool_data['function']['parameters'] -%}"
	"\n",
	"    {%- if params -%}\n",
	"        ,parameters:{\n",
	"        {%- if params['properties'] -%}\n",
	"            properties:{ {{- format_parameters(params['prope"
	"rties'], params['required']) -}} },\n",
	"        {%- endif -%}\n",
	"        {%- if params['required'] -%}\n",
	"            required:[\n",
	"            {%- for item in params['required'] -%}\n",
	"                <|\"|>{{- item -}}<|\"|>\n",
	"                {{- ',' if not loop.last -}}\n",
	"            {%- endfor -%}\n",
	"            ],\n",
	"        {%- endif -%}\n",
	"        {%- if params['type'] -%}\n",
	"            type:<|\"|>{{- params['type'] | upper -}}<|\"|>}\n",
	"        {%- endif -%}\n",
	"    {%- endif -%}\n",
	"    {%- if 'response' in tool_data['function'] -%}\n",
	"        {%- set response_declaration = tool_data['function']"
	"['response'] -%}\n",
	"        ,response:{\n",
	"        {%- if response_declaration['description'] -%}\n",
	"            description:<|\"|>{{- response_declaration['descr"
	"iption'] -}}<|\"|>,\n",
	"        {%- endif -%}\n",
	"        {%- if response_declaration['type'] | upper == 'OBJE"
	"CT' -%}\n",
	"            type:<|\"|>{{- response_declaration['type'] | upp"
	"er -}}<|\"|>}\n",
	"        {%- endif -%}\n",
	"    {%- endif -%}\n",
	"    }\n",
	"{%- endmacro -%}\n",
	"{%- macro format_argument(argument, escape_keys=True) -%}\n",
	"    {%- if argument is string -%}\n",
	"        {{- '<|\"|>' + argument + '<|\"|>' -}}\n",
	"    {%- elif argument is boolean -%}\n",
	"        {{- 'true' if argument else 'false' -}}\n",
	"    {%- elif argument is mapping -%}\n",
	"        {{- '{' -}}\n",
	"        {%- set ns = namespace(found_first=false) -%}\n",
	"        {%- for key, value in argument | dictsort -%}\n",
	"            {%- if ns.found_first %},{% endif -%}\n",
	"            {%- set ns.found_first = true -%}\n",
	"            {%- if escape_keys -%}\n",
	"                {{- '<|\"|>' + key + '<|\"|>' -}}\n",
	"            {%- else -%}\n",
	"                {{- key -}}\n",
	"            {%- endif -%}\n",
	"            :{{- format_argument(value, escape_keys=escape_k"
	"eys) -}}\n",
	"        {%- endfor -%}\n",
	"        {{- '}' -}}\n",
	"    {%- elif argument is sequence -%}\n",
	"        {{- '[' -}}\n",
	"        {%- for item in argument -%}\n",
	"            {{- format_argument(item, escape_keys=escape_key"
	"s) -}}\n",
	"            {%- if not loop.last %},{% endif -%}\n",
	"        {%- endfor -%}\n",
	"        {{- ']' -}}\n",
	"    {%- else -%}\n",
	"        {{- argument -}}\n",
	"    {%- endif -%}\n",
	"{%- endmacro -%}\n",
	"{%- macro strip_thinking(text) -%}\n",
	"    {%- set ns = namespace(result='') -%}\n",
	"    {%- for part in text.split('<channel|>') -%}\n",
	"        {%- if '<|channel>' in part -%}\n",
	"            {%- set ns.result = ns.result + part.split('<|ch"
	"annel>')[0] -%}\n",
	"        {%- else -%}\n",
	"            {%- set ns.result = ns.result + part -%}\n",
	"        {%- endif -%}\n",
	"    {%- endfor -%}\n",
	"    {{- ns.result | trim -}}\n",
	"{%- endmacro -%}\n",
	"\n",
	"{%- macro format_tool_response_block(tool_name, response) -%"
	"}\n",
	"    {{- '<|tool_response>' -}}\n",
	"    {%- if response is mapping -%}\n",
	"        {{- 'response:' + tool_name + '{' -}}\n",
	"        {%- for key, value in response | dictsort -%}\n",
	"            {{- key -}}:{{- format_argument(value, escape_ke"
	"ys=False) -}}\n",
	"            {%- if not loop.last %},{% endif -%}\n",
	"        {%- endfor -%}\n",
	"        {{- '}' -}}\n",
	"    {%- else -%}\n",
	"        {{- 'response:' + tool_name + '{value:' + format_arg"
	"ument(response, escape_keys=False) + '}' -}}\n",
	"    {%- endif -%}\n",
	"    {{- '<tool_response|>' -}}\n",
	"{%- endmacro -%}\n",
	"\n",
	"{%- set ns = namespace(prev_message_type=None) -%}\n",
	"{%- set loop_messages = messages -%}\n",
	"{{- bos_token -}}\n",
	"{#- Handle System/Tool Definitions Block -#}\n",
	"{%- if (enable_thinking is defined and enable_thinking) or t"
	"ools or messages[0]['role'] in ['system', 'developer'] -%}\n",
	"    {{- '<|turn>system\\n' -}}\n",
	"\n",
	"    {#- Inject Thinking token at the very top of the FIRST s"
	"ystem turn -#}\n",
	"    {%- if enable_thinking is defined and enable_thinking -%"
	"}\n",
	"        {{- '<|think|>\\n' -}}\n",
	"        {%- set ns.prev_message_type = 'think' -%}\n",
	"    {%- endif -%}\n",
	"\n",
	"    {%- if messages[0]['role'] in ['system', 'developer'] -%"
	"}\n",
	"        {{- messages[0]['content'] | trim -}}\n",
	"        {%- set loop_messages = messages[1:] -%}\n",
	"    {%- endif -%}\n",
	"\n",
	"    {%- if tools -%}\n",
	"        {%- for tool in tools %}\n",
	"            {{- '<|tool>' -}}\n",
	"            {{- format_function_declaration(tool) | trim -}}"
	"\n",
	"            {{- '<tool|>' -}}\n",
	"        {%- endfor %}\n",
	"        {%- set ns.prev_message_type = 'tool' -%}\n",
	"    {%- endif -%}\n",
	"\n",
	"    {{- '<turn|>\\n' -}}\n",
	"{%- endif %}\n",
	"\n",
	"{#- Pre-scan: find last user message index for reasoning gua"
	"rd -#}\n",
	"{%- set ns_turn = namespace(last_user_idx=-1) -%}\n",
	"{%- for i in range(loop_messages | length) -%}\n",
	"    {%- if loop_messages[i]['role'] == 'user' -%}\n",
	"        {%- set ns_turn.last_user_idx = i -%}\n",
	"    {%- endif -%}\n",
	"{%- endfor -%}\n",
	"\n",
	"{#- Loop through messages -#}\n",
	"{%- for message in loop_messages -%}\n",
	"    {%- if message['role'] != 'tool' -%}\n",
	"    {%- set ns.prev_message_type = None -%}\n",
	"    {%- set role = 'model' if message['role'] == 'assistant'"
	" else message['role'] -%}\n",
	"    {#- Detect continuation: suppress duplicate <|turn>model"
	" when previous non-tool message was also assistant -#}\n",
	"    {%- set prev_nt = namespace(role=None, found=false) -%}\n",
	"    {%- if loop.index0 > 0 -%}\n",
	"        {%- for j in range(loop.index0 - 1, -1, -1) -%}\n",
	"            {%- if not prev_nt.found -%}\n",
	"                {%- if loop_messages[j]['role'] != 'tool' -%"
	"}\n",
	"                    {%- set prev_nt.role = loop_messages[j]["
	"'role'] -%}\n",
	"                    {%- set prev_nt.found = true -%}\n",
	"                {%- endif -%}\n",
	"            {%- endif -%}\n",
	"        {%- endfor -%}\n",
	"    {%- endif -%}\n",
	"    {%- set continue_same_model_turn = (role == 'model' and "
	"prev_nt.role == 'assistant') -%}\n",
	"    {%- if not continue_same_model_turn -%}\n",
	"        {{- '<|turn>' + role + '\\n' }}\n",
	"    {%- endif -%}\n",
	"\n",
	"    {#- Render reasoning/reasoning_content as thinking chann"
	"el -#}\n",
	"    {%- set thinking_text = message.get('reasoning') or mess"
	"age.get('reasoning_content') -%}\n",
	"    {%- if thinking_text and loop.index0 > ns_turn.last_user"
	"_idx and message.get('tool_calls') -%}\n",
	"        {{- '<|channel>thought\\n' + thinking_text + '\\n<chan"
	"nel|>' -}}\n",
	"    {%- endif -%}\n",
	"\n",
	"            {%- if message['tool_calls'] -%}\n",
	"                {%- for tool_call in message['tool_calls'] -"
	"%}\n",
	"                    {%- set function = tool_call['function']"
	" -%}\n",
	"                    {{- '<|tool_call>call:' + function['name"
	"'] + '{' -}}\n",
	"                    {%- if function['arguments'] is mapping "
	"-%}\n",
	"                        {%- set ns_args = namespace(found_fi"
	"rst=false) -%}\n",
	"                        {%- for key, value in function['argu"
	"ments'] | dictsort -%}\n",
	"                            {%- if ns_args.found_first %},{%"
	" endif -%}\n",
	"                            {%- set ns_args.found_first = tr"
	"ue -%}\n",
	"                            {{- key -}}:{{- format_argument("
	"value, escape_keys=False) -}}\n",
	"                        {%- endfor -%}\n",
	"                    {%- elif function['arguments'] is string"
	" -%}\n",
	"                        {{- function['arguments'] -}}\n",
	"                    {%- endif -%}\n",
	"                    {{- '}<tool_call|>' -}}\n",
	"                {%- endfor -%}\n",
	"                {%- set ns.prev_message_type = 'tool_call' -"
	"%}\n",
	"            {%- endif -%}\n",
	"\n",
	"            {%- set ns_tr_out = namespace(flag=false) -%}\n",
	"            {%- if message.get('tool_responses') -%}\n",
	"                {#- Legacy: tool_responses embedded on the a"
	"ssistant message (Google/Gemma native) -#}\n",
	"                {%- for tool_response in message['tool_respo"
	"nses'] -%}\n",
	"                    {{- format_tool_response_block(tool_resp"
	"onse['name'] | default('unknown'), tool_response['response']"
	") -}}\n",
	"                    {%- set ns_tr_out.flag = true -%}\n",
	"                    {%- set ns.prev_message_type = 'tool_res"
	"ponse' -%}\n",
	"                {%- endfor -%}\n",
	"            {%- elif message.get('tool_calls') -%}\n",
	"                {#- OpenAI Chat Completions: forward-scan co"
	"nsecutive role:tool messages -#}\n",
	"                {%- set ns_tool_scan = namespace(stopped=fal"
	"se) -%}\n",
	"                {%- for k in range(loop.index0 + 1, loop_mes"
	"sages | length) -%}\n",
	"                    {%- if ns_tool_scan.stopped -%}\n",
	"                    {%- elif loop_messages[k]['role'] != 'to"
	"ol' -%}\n",
	"                        {%- set ns_tool_scan.stopped = true "
	"-%}\n",
	"                    {%- else -%}\n",
	"                        {%- set follow = loop_messages[k] -%"
	"}\n",
	"                        {#- Resolve tool_call_id to function"
	" name -#}\n",
	"                        {%- set ns_tname = namespace(name=fo"
	"llow.get('name') | default('unknown')) -%}\n",
	"                        {%- for tc in message['tool_calls'] "
	"-%}\n",
	"                            {%- if tc.get('id') == follow.ge"
	"t('tool_call_id') -%}\n",
	"                                {%- set ns_tname.name = tc['"
	"function']['name'] -%}\n",
	"                            {%- endif -%}\n",
	"                        {%- endfor -%}\n",
	"                        {#- Handle content as string or cont"
	"ent-parts array -#}\n",
	"                        {%- set tool_body = follow.get('cont"
	"ent') -%}\n",
	"                        {%- if tool_body is string -%}\n",
	"                            {{- format_tool_response_block(n"
	"s_tname.name, tool_body) -}}\n",
	"                        {%- elif tool_body is sequence and t"
	"ool_body is not string -%}\n",
	"                            {%- set ns_txt = namespace(s='')"
	" -%}\n",
	"                            {%- for part in tool_body -%}\n",
	"                                {%- if part.get('type') == '"
	"text' -%}\n",
	"                                    {%- set ns_txt.s = ns_tx"
	"t.s + (part.get('text') | default('')) -%}\n",
	"                                {%- endif -%}\n",
	"                            {%- endfor -%}\n",
	"                            {{- format_tool_response_block(n"
	"s_tname.name, ns_txt.s) -}}\n",
	"                        {%- else -%}\n",
	"                            {{- format_tool_response_block(n"
	"s_tname.name, tool_body) -}}\n",
	"                        {%- endif -%}\n",
	"                        {%- set ns_tr_out.flag = true -%}\n",
	"                        {%- set ns.prev_message_type = 'tool"
	"_response' -%}\n",
	"                    {%- endif -%}\n",
	"                {%- endfor -%}\n",
	"            {%- endif -%}\n",
	"\n",
	"            {%- if message['content'] is string -%}\n",
	"                {%- if role == 'model' -%}\n",
	"                    {{- strip_thinking(message['content']) -"
	"}}\n",
	"                {%- else -%}\n",
	"                    {{- message['content'] | trim -}}\n",
	"                {%- endif -%}\n",
	"            {%- elif message['content'] is sequence -%}\n",
	"                {%- for item in message['content'] -%}\n",
	"                    {%- if item['type'] == 'text' -%}\n",
	"                        {%- if role == 'model' -%}\n",
	"                            {{- strip_thinking(item['text'])"
	" -}}\n",
	"                        {%- else -%}\n",
	"                            {{- item['text'] | trim -}}\n",
	"                        {%- endif -%}\n",
	"                    {%- elif item['type'] == 'image' -%}\n",
	"                        {{- '<|image|>' -}}\n",
	"                        {%- set ns.prev_message_type = 'imag"
	"e' -%}\n",
	"                    {%- elif item['type'] == 'audio' -%}\n",
	"                        {{- '<|audio|>' -}}\n",
	"                        {%- set ns.prev_message_type = 'audi"
	"o' -%}\n",
	"                    {%- elif item['type'] == 'video' -%}\n",
	"                        {{- '<|video|>' -}}\n",
	"                        {%- set ns.prev_message_type = 'vide"
	"o' -%}\n",
	"                    {%- endif -%}\n",
	"                {%- endfor -%}\n",
	"            {%- endif -%}\n",
	"\n",
	"        {%- if ns.prev_message_type == 'tool_call' and not n"
	"s_tr_out.flag -%}\n",
	"            {{- '<|tool_response>' -}}\n",
	"        {%- elif not (ns_tr_out.flag and not message.get('co"
	"ntent')) -%}\n",
	"            {{- '<turn|>\\n' -}}\n",
	"        {%- endif -%}\n",
	"    {%- endif -%}\n",
	"{%- endfor -%}\n",
	"\n",
	"{%- if add_generation_prompt -%}\n",
	"    {%- if ns.prev_message_type != 'tool_response' and ns.pr"
	"ev_message_type != 'tool_call' -%}\n",
	"        {{- '<|turn>model\\n' -}}\n",
	"        {%- if not enable_thinking | default(false) -%}\n",
	"            {{- '<|channel>thought\\n<channel|>' -}}\n",
	"        {%- endif -%}\n",
	"    {%- endif -%}\n",
	"{%- endif -%}\n",
	NULL
};

/* google-gemma-2-2b-it.jinja */
static const char *const t_gemma2[] = {
	"{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_"
	"exception('System role not supported') }}{% endif %}{% for messa"
	"ge in messages %}{% if (message['role'] == 'user') != (loop.inde"
	"x0 % 2 == 0) %}{{ raise_exception('Conversation roles must alter"
	"nate user/assistant/user/assistant/...') }}{% endif %}{% if (mes"
	"sage['role'] == 'assistant') %}{% set role = 'model' %}{% else %"
	"}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>'"
	" + role + '\n"
	"' + message['content'] | trim + '<end_of_turn>\n"
	"' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>"
	"model\n"
	"'}}{% endif %}",
	NULL
};

/* microsoft-Phi-3.5-mini-instruct.jinja */
static const char *const t_phi35[] = {
	"{% for message in messages %}{% if message['role'] == 'system' a"
	"nd message['content'] %}{{'<|system|>\n"
	"' + message['content'] + '<|end|>\n"
	"'}}{% elif message['role'] == 'user' %}{{'<|user|>\n"
	"' + message['content'] + '<|end|>\n"
	"'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>\n"
	"' + message['content'] + '<|end|>\n"
	"'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|as"
	"sistant|>\n"
	"' }}{% else %}{{ eos_token }}{% endif %}",
	NULL
};

/* microsoft-Phi-4-mini-instruct.jinja */
static const char *const t_phi4mini[] = {
	"{% for message in messages %}{% if message['role'] == 'system' a"
	"nd 'tools' in message and message['tools'] is not none %}{{ '<|'"
	" + message['role'] + '|>' + message['content'] + '<|tool|>' + me"
	"ssage['tools'] + '<|/tool|>' + '<|end|>' }}{% else %}{{ '<|' + m"
	"essage['role'] + '|>' + message['content'] + '<|end|>' }}{% endi"
	"f %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>'"
	" }}{% else %}{{ eos_token }}{% endif %}",
	NULL
};


/* ---- rendering ---------------------------------------------------------- */

struct ctx;
typedef int (*render_fn)(struct ctx *);

struct variant {
	const char		*name;		/* "smollm2", for messages */
	const char		*family;	/* as lc_chat_families() names it */
	const char *const	*text;		/* the template, in pieces */
	const char		*param;		/* default system prompt, may differ */
	render_fn		 render;
	int			 flags;
};

#define V_DATE_NOW	1	/* llama3.2: Today Date defaults to today */

struct ctx {
	const struct variant	*v;
	const char		*param;		/* default system prompt in use */
	const lc_chat_msg	*m;
	size_t			 n;
	struct jv		**calls;	/* per message, NULL if absent */
	struct jv		*tools;		/* NULL if absent or null */
	int			 addgen, think;
	const char		*bos, *eos, *date;
	struct buf		 b;
	lc_err			*e;
};

static int
refuse(struct ctx *c, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return lc_errf(c->e, LC_EINVAL, "chat template %s: %s", c->v->name,
	    msg);
}

static int
is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* Message i's content must be a string (Jinja concatenates it). */
static int
need(struct ctx *c, size_t i)
{
	if (c->m[i].content != NULL)
		return 0;
	return refuse(c, "message %zu (%s): content is null", i, c->m[i].role);
}

static int
truthy(const char *s)
{
	return s != NULL && *s != '\0';
}

/* "{{ v }}" of a JSON value; v NULL is undefined and prints nothing. */
static int
jprint(struct ctx *c, const struct jv *v, const char *what, size_t i)
{
	if (v == NULL)
		return 0;
	switch (v->type) {
	case J_STR: bput(&c->b, v->s, v->len); return 0;
	case J_NULL: bputs(&c->b, "None"); return 0;
	case J_TRUE: bputs(&c->b, "True"); return 0;
	case J_FALSE: bputs(&c->b, "False"); return 0;
	case J_NUM: return jnum(&c->b, v, 1);
	}
	return refuse(c, "message %zu: tool call %s is not a scalar", i, what);
}

static int
tools_truthy(const struct ctx *c)
{
	return jtruthy(c->tools);
}

/* Message i's tool call j as the template sees it after "function". */
static int
callfn(struct ctx *c, size_t i, size_t j, int bytruth, const struct jv **f)
{
	const struct jv *call = c->calls[i]->kid[j], *fn;

	if (call->type != J_OBJ)
		return refuse(c, "message %zu: tool call %zu is not an object",
		    i, j);
	*f = call;
	if ((fn = jget(call, "function")) == NULL)
		return 0;
	if (bytruth && !jtruthy(fn))
		return 0;
	if (fn->type != J_OBJ)
		return refuse(c, "message %zu: tool call %zu: function is not "
		    "an object", i, j);
	*f = fn;
	return 0;
}

static const char qwen_tools_head[] =
    "# Tools\n\nYou may call one or more functions to assist with the "
    "user query.\n\nYou are provided with function signatures within "
    "<tools></tools> XML tags:\n<tools>";
static const char qwen_tools_tail[] =
    "\n</tools>\n\nFor each function call, return a json object with "
    "function name and arguments within <tool_call></tool_call> XML "
    "tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": "
    "<args-json-object>}\n</tool_call><|im_end|>\n";

static void
qwen_tools(struct ctx *c)
{
	size_t i;

	bputs(&c->b, qwen_tools_head);
	for (i = 0; i < c->tools->n; i++) {
		bput(&c->b, "\n", 1);
		jdump(&c->b, c->tools->kid[i], 0, 0);
	}
	bputs(&c->b, qwen_tools_tail);
}

/* the tool turns of Qwen: consecutive tool messages share one user turn */
static void
qwen_tool_turn(struct ctx *c, size_t i)
{
	if (i == 0 || !is(c->m[i - 1].role, "tool"))
		bputs(&c->b, "<|im_start|>user");
	bputs(&c->b, "\n<tool_response>\n");
	pval(&c->b, c->m[i].content);
	bputs(&c->b, "\n</tool_response>");
	if (i + 1 == c->n || !is(c->m[i + 1].role, "tool"))
		bputs(&c->b, "<|im_end|>\n");
}

/* chatml (OpenHermes) and SmolLM2: chatml with a default system prompt */
static int
render_chatml(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (i == 0 && c->param != NULL && !is(c->m[0].role, "system")) {
			bputs(&c->b, "<|im_start|>system\n");
			bputs(&c->b, c->param);
			bputs(&c->b, "<|im_end|>\n");
		}
		if (need(c, i))
			return LC_EINVAL;
		bputs(&c->b, "<|im_start|>");
		bputs(&c->b, c->m[i].role);
		bputs(&c->b, "\n");
		bputs(&c->b, c->m[i].content);
		bputs(&c->b, "<|im_end|>\n");
	}
	if (c->addgen)
		bputs(&c->b, "<|im_start|>assistant\n");
	return 0;
}

/* Qwen2.5-Instruct */
static int
render_qwen2(struct ctx *c)
{
	const struct jv *f, *args;
	const char *role;
	size_t i, j;
	int sys;

	if (c->n == 0)
		return refuse(c, "no messages (messages[0] is undefined)");
	sys = is(c->m[0].role, "system");
	bputs(&c->b, "<|im_start|>system\n");
	if (tools_truthy(c)) {
		if (sys)
			pval(&c->b, c->m[0].content);
		else
			bputs(&c->b, c->param);
		bputs(&c->b, "\n\n");
		qwen_tools(c);
	} else {
		if (sys && need(c, 0))
			return LC_EINVAL;
		bputs(&c->b, sys ? c->m[0].content : c->param);
		bputs(&c->b, "<|im_end|>\n");
	}
	for (i = 0; i < c->n; i++) {
		role = c->m[i].role;
		if (is(role, "user") || (is(role, "system") && i > 0) ||
		    (is(role, "assistant") && !jtruthy(c->calls[i]))) {
			if (need(c, i))
				return LC_EINVAL;
			bputs(&c->b, "<|im_start|>");
			bputs(&c->b, role);
			bputs(&c->b, "\n");
			bputs(&c->b, c->m[i].content);
			bputs(&c->b, "<|im_end|>\n");
		} else if (is(role, "assistant")) {
			bputs(&c->b, "<|im_start|>assistant");
			if (truthy(c->m[i].content)) {
				bputs(&c->b, "\n");
				bputs(&c->b, c->m[i].content);
			}
			for (j = 0; j < c->calls[i]->n; j++) {
				if (callfn(c, i, j, 0, &f))
					return LC_EINVAL;
				if ((args = jget(f, "arguments")) == NULL)
					return refuse(c, "message %zu: tool call "
					    "%zu has no arguments", i, j);
				bputs(&c->b, "\n<tool_call>\n{\"name\": \"");
				if (jprint(c, jget(f, "name"), "name", i))
					return LC_EINVAL;
				bputs(&c->b, "\", \"arguments\": ");
				jdump(&c->b, args, 0, 0);
				bputs(&c->b, "}\n</tool_call>");
			}
			bputs(&c->b, "<|im_end|>\n");
		} else if (is(role, "tool"))
			qwen_tool_turn(c, i);
	}
	if (c->addgen)
		bputs(&c->b, "<|im_start|>assistant\n");
	return 0;
}

static int
startswith(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static int
endswith(const char *s, const char *p)
{
	size_t n = strlen(s), k = strlen(p);

	return n >= k && memcmp(s + n - k, p, k) == 0;
}

/* last occurrence of p in s[0..n), or NULL */
static const char *
findlast(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p), i;

	for (i = n; i >= k; i--)
		if (memcmp(s + i - k, p, k) == 0)
			return s + i - k;
	return NULL;
}

/* Qwen3 (hybrid thinking) */
static int
render_qwen3(struct ctx *c)
{
	const struct jv *f, *args;
	const char *role, *s, *p, *cs, *rs;
	size_t i, j, last, clen, rlen;

	if (c->n == 0)
		return refuse(c, "no messages (messages[0] is undefined)");
	if (tools_truthy(c)) {
		bputs(&c->b, "<|im_start|>system\n");
		if (is(c->m[0].role, "system")) {
			if (need(c, 0))
				return LC_EINVAL;
			bputs(&c->b, c->m[0].content);
			bputs(&c->b, "\n\n");
		}
		qwen_tools(c);
	} else if (is(c->m[0].role, "system")) {
		if (need(c, 0))
			return LC_EINVAL;
		bputs(&c->b, "<|im_start|>system\n");
		bputs(&c->b, c->m[0].content);
		bputs(&c->b, "<|im_end|>\n");
	}
	/* the last user query that is not a wrapped tool response */
	last = c->n - 1;
	for (i = c->n; i-- > 0;) {
		if (!is(c->m[i].role, "user"))
			continue;
		if (need(c, i))
			return LC_EINVAL;
		s = c->m[i].content;
		if (!(startswith(s, "<tool_response>") &&
		    endswith(s, "</tool_response>"))) {
			last = i;
			break;
		}
	}
	for (i = 0; i < c->n; i++) {
		role = c->m[i].role;
		if (is(role, "user") || (is(role, "system") && i > 0)) {
			if (need(c, i))
				return LC_EINVAL;
			bputs(&c->b, "<|im_start|>");
			bputs(&c->b, role);
			bputs(&c->b, "\n");
			bputs(&c->b, c->m[i].content);
			bputs(&c->b, "<|im_end|>\n");
		} else if (is(role, "assistant")) {
			if (need(c, i))
				return LC_EINVAL;
			s = cs = c->m[i].content;
			clen = strlen(s);
			rs = "";
			rlen = 0;
			if ((p = strstr(s, "</think>")) != NULL) {
				/* content = split('</think>')[-1].lstrip('\n') */
				cs = findlast(s, clen, "</think>") + 8;
				while (*cs == '\n')
					cs++;
				clen = strlen(cs);
				/* reasoning = split('</think>')[0].rstrip('\n')
				 *     .split('<think>')[-1].lstrip('\n') */
				rlen = (size_t)(p - s);
				while (rlen > 0 && s[rlen - 1] == '\n')
					rlen--;
				rs = findlast(s, rlen, "<think>");
				rs = rs != NULL ? rs + 7 : s;
				rlen -= (size_t)(rs - s);
				while (rlen > 0 && *rs == '\n')
					rs++, rlen--;
			}
			bputs(&c->b, "<|im_start|>");
			bputs(&c->b, role);
			bputs(&c->b, "\n");
			if (i > last && (i + 1 == c->n || rlen > 0)) {
				/* reasoning.strip('\n'), content.lstrip('\n') */
				while (rlen > 0 && rs[rlen - 1] == '\n')
					rlen--;
				bputs(&c->b, "<think>\n");
				bput(&c->b, rs, rlen);
				bputs(&c->b, "\n</think>\n\n");
				for (p = cs; *p == '\n'; p++)
					;
				bputs(&c->b, p);
			} else
				bputs(&c->b, cs);
			for (j = 0; jtruthy(c->calls[i]) &&
			    j < c->calls[i]->n; j++) {
				if (j > 0 || clen > 0)
					bputs(&c->b, "\n");
				if (callfn(c, i, j, 1, &f))
					return LC_EINVAL;
				if ((args = jget(f, "arguments")) == NULL)
					return refuse(c, "message %zu: tool call "
					    "%zu has no arguments", i, j);
				bputs(&c->b, "<tool_call>\n{\"name\": \"");
				if (jprint(c, jget(f, "name"), "name", i))
					return LC_EINVAL;
				bputs(&c->b, "\", \"arguments\": ");
				if (args->type == J_STR)
					bput(&c->b, args->s, args->len);
				else
					jdump(&c->b, args, 0, 0);
				bputs(&c->b, "}\n</tool_call>");
			}
			bputs(&c->b, "<|im_end|>\n");
		} else if (is(role, "tool"))
			qwen_tool_turn(c, i);
	}
	if (c->addgen) {
		bputs(&c->b, "<|im_start|>assistant\n");
		if (c->think == 0)
			bputs(&c->b, "<think>\n\n</think>\n\n");
	}
	return 0;
}

static const char *const months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* Llama 3.1/3.3 and 3.2 (tools_in_user_message, no builtin_tools) */
static int
render_llama3(struct ctx *c)
{
	const struct jv *calls, *f, *name, *args;
	const char *role, *date;
	char today[32];
	struct tm tm;
	time_t now;
	size_t i = 0, j;

	if (c->n == 0)
		return refuse(c, "no messages (messages[0] is undefined)");
	if ((date = c->date) == NULL && (c->v->flags & V_DATE_NOW)) {
		now = time(NULL);
		if (localtime_r(&now, &tm) == NULL)
			return refuse(c, "cannot read the date");
		snprintf(today, sizeof(today), "%02d %s %04d", tm.tm_mday,
		    months[tm.tm_mon % 12], tm.tm_year + 1900);
		date = today;
	} else if (date == NULL)
		date = "26 Jul 2024";
	if (c->bos != NULL)
		bputs(&c->b, c->bos);
	bputs(&c->b, "<|start_header_id|>system<|end_header_id|>\n\n");
	if (c->tools != NULL)
		bputs(&c->b, "Environment: ipython\n");
	bputs(&c->b, "Cutting Knowledge Date: December 2023\nToday Date: ");
	bputs(&c->b, date);
	bputs(&c->b, "\n\n");
	if (is(c->m[0].role, "system")) {
		ptrim(&c->b, c->m[0].content);
		i = 1;
	}
	bputs(&c->b, "<|eot_id|>");
	if (c->tools != NULL) {
		if (i == c->n)
			return refuse(c, "Cannot put tools in the first user "
			    "message when there's no first user message!");
		bputs(&c->b, "<|start_header_id|>user<|end_header_id|>\n\n"
		    "Given the following functions, please respond with a "
		    "JSON for a function call with its proper arguments that "
		    "best answers the given prompt.\n\nRespond in the format "
		    "{\"name\": function name, \"parameters\": dictionary of "
		    "argument name and its value}.Do not use variables.\n\n");
		for (j = 0; j < c->tools->n; j++) {
			jdump(&c->b, c->tools->kid[j], 4, 0);
			bputs(&c->b, "\n\n");
		}
		ptrim(&c->b, c->m[i].content);
		bputs(&c->b, "<|eot_id|>");
		i++;
	}
	for (; i < c->n; i++) {
		role = c->m[i].role;
		calls = c->calls[i];
		if (calls == NULL && !is(role, "ipython") && !is(role, "tool")) {
			bputs(&c->b, "<|start_header_id|>");
			bputs(&c->b, role);
			bputs(&c->b, "<|end_header_id|>\n\n");
			ptrim(&c->b, c->m[i].content);
			bputs(&c->b, "<|eot_id|>");
		} else if (calls != NULL) {
			if (calls->type != J_ARR || calls->n != 1)
				return refuse(c, "This model only supports "
				    "single tool-calls at once!");
			if (calls->kid[0]->type != J_OBJ ||
			    (f = jget(calls->kid[0], "function")) == NULL ||
			    f->type != J_OBJ)
				return refuse(c, "message %zu: tool call has no "
				    "function object", i);
			if ((name = jget(f, "name")) == NULL ||
			    name->type != J_STR)
				return refuse(c, "message %zu: tool call name is "
				    "not a string", i);
			if ((args = jget(f, "arguments")) == NULL)
				return refuse(c, "message %zu: tool call has no "
				    "arguments", i);
			bputs(&c->b, "<|start_header_id|>assistant"
			    "<|end_header_id|>\n\n{\"name\": \"");
			bput(&c->b, name->s, name->len);
			bputs(&c->b, "\", \"parameters\": ");
			jdump(&c->b, args, 0, 0);
			bputs(&c->b, "}<|eot_id|>");
		} else {
			bputs(&c->b, "<|start_header_id|>ipython"
			    "<|end_header_id|>\n\n");
			if (c->m[i].content != NULL)
				jdumpstr(&c->b, c->m[i].content,
				    strlen(c->m[i].content));
			else
				bputs(&c->b, "None");
			bputs(&c->b, "<|eot_id|>");
		}
	}
	if (c->addgen)
		bputs(&c->b, "<|start_header_id|>assistant<|end_header_id|>\n\n");
	return 0;
}

/* Meta-Llama-3-8B-Instruct (3.0) */
static int
render_llama30(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (i == 0) {
			if (c->bos == NULL)
				return refuse(c, "bos_token is undefined");
			bputs(&c->b, c->bos);
		}
		bputs(&c->b, "<|start_header_id|>");
		bputs(&c->b, c->m[i].role);
		bputs(&c->b, "<|end_header_id|>\n\n");
		ptrim(&c->b, c->m[i].content);
		bputs(&c->b, "<|eot_id|>");
	}
	if (c->addgen)
		bputs(&c->b, "<|start_header_id|>assistant<|end_header_id|>\n\n");
	return 0;
}

static int
gemma_turns(struct ctx *c, size_t from, const char *prefix, int nullok)
{
	size_t i, k;

	for (i = from; i < c->n; i++) {
		k = i - from;
		if (is(c->m[i].role, "user") != (k % 2 == 0))
			return refuse(c, "Conversation roles must alternate "
			    "user/assistant/user/assistant/...");
		bputs(&c->b, "<start_of_turn>");
		bputs(&c->b, is(c->m[i].role, "assistant") ? "model" :
		    c->m[i].role);
		bputs(&c->b, "\n");
		if (k == 0 && prefix != NULL)
			bputs(&c->b, prefix);
		if (c->m[i].content == NULL && !nullok)
			return refuse(c, "Invalid content type");
		ptrim(&c->b, c->m[i].content);
		bputs(&c->b, "<end_of_turn>\n");
	}
	if (c->addgen)
		bputs(&c->b, "<start_of_turn>model\n");
	return 0;
}

/* Gemma 3 it: the system prompt opens the first turn, untrimmed */
static int
render_gemma3(struct ctx *c)
{
	struct buf pre = { 0 };
	int rc;

	if (c->n == 0)
		return refuse(c, "no messages (messages[0] is undefined)");
	if (c->bos != NULL)
		bputs(&c->b, c->bos);
	if (!is(c->m[0].role, "system"))
		return gemma_turns(c, 0, NULL, 0);
	if (c->m[0].content == NULL)
		return refuse(c, "system message content is null");
	bputs(&pre, c->m[0].content);
	bputs(&pre, "\n\n");
	if (pre.oom) {
		free(pre.p);
		return lc_errf(c->e, LC_ENOMEM, "chat: out of memory");
	}
	rc = gemma_turns(c, 1, pre.p, 0);
	free(pre.p);
	return rc;
}

static const char *findmem(const char *, size_t, const char *, size_t);

/* Gemma 4's strip_thinking(): the text outside <|channel>...<channel|>,
   trimmed */
static void
gemma4_strip(struct buf *b, const char *s)
{
	struct buf t = { 0 };
	const char *q, *ch;
	size_t len;

	for (;;) {
		q = strstr(s, "<channel|>");
		len = q != NULL ? (size_t)(q - s) : strlen(s);
		/* a part with '<|channel>' keeps what comes before it */
		ch = findmem(s, len, "<|channel>", 10);
		bput(&t, s, ch != NULL ? (size_t)(ch - s) : len);
		if (q == NULL)
			break;
		s = q + 10;
	}
	if (t.oom)
		b->oom = 1;
	else
		ptrim(b, t.p != NULL ? t.p : "");
	free(t.p);
}

/*
 * Gemma 4 it, for conversations without tools: a system (or developer)
 * first message, or enable_thinking, opens a system turn; assistant
 * turns are "model", with the thinking channel stripped, and a second
 * assistant message in a row continues the same turn; tool messages are
 * printed only after tool calls, so here not at all.  Tools and tool
 * calls are LC_EUNSUP: the template's own formatting of them (its
 * format_argument and declaration macros) is not reproduced.
 */
static int
render_gemma4(struct ctx *c)
{
	const char *role, *prev;
	size_t i, j, from = 0;
	int sys;

	if (jtruthy(c->tools))
		return lc_errf(c->e, LC_EUNSUP, "chat template %s: tools are "
		    "not supported (only conversations without tools)",
		    c->v->name);
	for (i = 0; i < c->n; i++)
		if (jtruthy(c->calls[i]))
			return lc_errf(c->e, LC_EUNSUP, "chat template %s: "
			    "message %zu: tool calls are not supported", c->v->name,
			    i);
	if (c->bos != NULL)
		bputs(&c->b, c->bos);
	if (c->n == 0)
		return refuse(c, "no messages (messages[0] is undefined)");
	sys = c->n > 0 && (is(c->m[0].role, "system") ||
	    is(c->m[0].role, "developer"));
	if (c->think == 1 || sys) {
		bputs(&c->b, "<|turn>system\n");
		if (c->think == 1)
			bputs(&c->b, "<|think|>\n");
		if (sys) {
			ptrim(&c->b, c->m[0].content);
			from = 1;
		}
		bputs(&c->b, "<turn|>\n");
	}
	for (i = from; i < c->n; i++) {
		if (is(c->m[i].role, "tool"))
			continue;
		role = is(c->m[i].role, "assistant") ? "model" : c->m[i].role;
		for (prev = NULL, j = i; j-- > from; )
			if (!is(c->m[j].role, "tool")) {
				prev = c->m[j].role;
				break;
			}
		if (!(is(role, "model") && prev != NULL &&
		    is(prev, "assistant"))) {
			bputs(&c->b, "<|turn>");
			bputs(&c->b, role);
			bputs(&c->b, "\n");
		}
		if (c->m[i].content != NULL) {
			if (is(role, "model"))
				gemma4_strip(&c->b, c->m[i].content);
			else
				ptrim(&c->b, c->m[i].content);
		}
		bputs(&c->b, "<turn|>\n");
	}
	if (c->addgen) {
		bputs(&c->b, "<|turn>model\n");
		if (c->think != 1)
			bputs(&c->b, "<|channel>thought\n<channel|>");
	}
	return 0;
}

/* Gemma 2 it: no system role */
static int
render_gemma2(struct ctx *c)
{
	if (c->n == 0)
		return refuse(c, "no messages (messages[0] is undefined)");
	if (c->bos != NULL)
		bputs(&c->b, c->bos);
	if (is(c->m[0].role, "system"))
		return refuse(c, "System role not supported");
	return gemma_turns(c, 0, NULL, 1);
}

/* Phi-3.5-mini-instruct */
static int
render_phi35(struct ctx *c)
{
	const char *role;
	size_t i;

	for (i = 0; i < c->n; i++) {
		role = c->m[i].role;
		if (is(role, "system") && truthy(c->m[i].content)) {
			bputs(&c->b, "<|system|>\n");
		} else if (is(role, "user") || is(role, "assistant")) {
			if (need(c, i))
				return LC_EINVAL;
			bputs(&c->b, is(role, "user") ? "<|user|>\n" :
			    "<|assistant|>\n");
		} else
			continue;
		bputs(&c->b, c->m[i].content);
		bputs(&c->b, "<|end|>\n");
	}
	if (c->addgen)
		bputs(&c->b, "<|assistant|>\n");
	else if (c->eos != NULL)
		bputs(&c->b, c->eos);
	return 0;
}

/* Phi-4-mini-instruct (tools ride on a message key we do not pass) */
static int
render_phi4mini(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (need(c, i))
			return LC_EINVAL;
		bputs(&c->b, "<|");
		bputs(&c->b, c->m[i].role);
		bputs(&c->b, "|>");
		bputs(&c->b, c->m[i].content);
		bputs(&c->b, "<|end|>");
	}
	if (c->addgen)
		bputs(&c->b, "<|assistant|>");
	else if (c->eos != NULL)
		bputs(&c->b, c->eos);
	return 0;
}

/* ---- recognition -------------------------------------------------------- */

static const struct variant variants[] = {
	{ "chatml", "chatml", t_chatml, NULL, render_chatml, 0 },
	{ "smollm2", "chatml", t_smollm2,
	    "You are a helpful AI assistant named SmolLM, trained by Hugging "
	    "Face", render_chatml, 0 },
	{ "qwen2.5", "qwen2", t_qwen25,
	    "You are Qwen, created by Alibaba Cloud. You are a helpful "
	    "assistant.", render_qwen2, 0 },
	{ "qwen3", "qwen3", t_qwen3, NULL, render_qwen3, 0 },
	{ "llama3.1", "llama3", t_llama31, NULL, render_llama3, 0 },
	{ "llama3.2", "llama3", t_llama32, NULL, render_llama3, V_DATE_NOW },
	{ "llama3.0", "llama3", t_llama30, NULL, render_llama30, 0 },
	{ "gemma3", "gemma", t_gemma3, NULL, render_gemma3, 0 },
	{ "gemma2", "gemma", t_gemma2, NULL, render_gemma2, 0 },
	{ "gemma4", "gemma", t_gemma4, NULL, render_gemma4, 0 },
	{ "phi3.5", "phi3", t_phi35, NULL, render_phi35, 0 },
	{ "phi4-mini", "phi3", t_phi4mini, NULL, render_phi4mini, 0 },
};
#define NVARIANTS	(sizeof(variants) / sizeof(variants[0]))

/* family name -> the variant a bare family name renders with */
static const struct {
	const char	*family, *variant;
} defaults[] = {
	{ "chatml", "chatml" },
	{ "qwen2", "qwen2.5" },
	{ "qwen3", "qwen3" },
	{ "llama3", "llama3.1" },
	{ "gemma", "gemma3" },
	{ "phi3", "phi3.5" },
};

#define FAMILIES	"chatml, qwen2, qwen3, llama3, gemma, phi3"

const char *
lc_chat_families(void)
{
	return FAMILIES;
}

/* May byte c be part of a default system prompt taken from a template? */
static int
capok(unsigned char c)
{
	return c >= 0x20 && c != 0x7f && strchr("'\"\\{}<>%#", c) == NULL;
}

static const char *
findmem(const char *s, size_t n, const char *p, size_t k)
{
	size_t i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(s + i, p, k) == 0)
			return s + i;
	return NULL;
}

/*
 * Compares normal forms: cand against the variant's vn, where every
 * occurrence of param in vn may be any one run of capok() bytes, the
 * same at each occurrence; *cap, *caplen return it.
 */
static int
match(const char *cn, size_t cl, const char *vn, size_t vl,
    const char *param, const char **cap, size_t *caplen)
{
	const char *p;
	size_t ci = 0, vi = 0, seg, k, pl;

	*cap = NULL;
	*caplen = 0;
	if (param == NULL)
		return cl == vl && memcmp(cn, vn, vl) == 0;
	pl = strlen(param);
	for (;;) {
		p = findmem(vn + vi, vl - vi, param, pl);
		seg = (p != NULL ? (size_t)(p - vn) : vl) - vi;
		if (cl - ci < seg || memcmp(cn + ci, vn + vi, seg) != 0)
			return 0;
		ci += seg;
		vi += seg;
		if (p == NULL)
			return ci == cl;
		vi += pl;
		for (k = ci; k < cl && capok((unsigned char)cn[k]); k++)
			;
		if (k == ci || k - ci > 1024)
			return 0;
		if (*cap == NULL) {
			*cap = cn + ci;
			*caplen = k - ci;
		} else if (k - ci != *caplen || memcmp(cn + ci, *cap, k - ci))
			return 0;
		ci = k;
	}
}

static int
normalise_pieces(const char *const *pieces, struct buf *o)
{
	struct buf t = { 0 };
	int rc;

	for (; *pieces != NULL; pieces++)
		bputs(&t, *pieces);
	rc = t.oom ? -2 : normalise(t.p, t.len, o);
	free(t.p);
	return rc;
}

/*
 * Finds the known variant that tmpl is; *param gets a malloc'ed copy of
 * its default system prompt where the variant has one.
 */
static int
recognise(const char *tmpl, size_t n, const struct variant **vp,
    char **param, lc_err *e)
{
	struct buf cn = { 0 }, vn = { 0 };
	const char *cap;
	size_t i, caplen;
	int rc = LC_EUNSUP;

	*vp = NULL;
	*param = NULL;
	if (utf8_ok(tmpl, n) && normalise(tmpl, n, &cn) == 0 && !cn.oom)
		for (i = 0; i < NVARIANTS; i++) {
			vn.len = 0;
			if (normalise_pieces(variants[i].text, &vn) != 0 ||
			    vn.oom) {
				rc = LC_ENOMEM;
				break;
			}
			if (!match(cn.p ? cn.p : "", cn.len,
			    vn.p ? vn.p : "", vn.len,
			    variants[i].param, &cap, &caplen))
				continue;
			rc = LC_OK;
			*vp = &variants[i];
			if (cap != NULL) {
				if (!utf8_ok(cap, caplen) ||
				    (*param = malloc(caplen + 1)) == NULL) {
					rc = *param == NULL && utf8_ok(cap,
					    caplen) ? LC_ENOMEM : LC_EUNSUP;
					*vp = NULL;
					break;
				}
				memcpy(*param, cap, caplen);
				(*param)[caplen] = '\0';
			}
			break;
		}
	else if (cn.oom)
		rc = LC_ENOMEM;
	free(cn.p);
	free(vn.p);
	if (rc == LC_ENOMEM)
		return lc_errf(e, LC_ENOMEM, "chat template: out of memory");
	if (rc != LC_OK)
		return lc_errf(e, LC_EUNSUP, "unsupported chat template "
		    "(family %s): not one of the templates rendered "
		    "faithfully; supported families: %s",
		    lc_chat_family(tmpl, n), FAMILIES);
	return LC_OK;
}

static int
byname(const char *family, const struct variant **vp, lc_err *e)
{
	const char *name = family;
	size_t i;

	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (is(family, defaults[i].family))
			name = defaults[i].variant;
	for (i = 0; i < NVARIANTS; i++)
		if (is(name, variants[i].name)) {
			*vp = &variants[i];
			return LC_OK;
		}
	return lc_errf(e, LC_EUNSUP, "unsupported chat template family "
	    "'%s'; supported families: %s", family, FAMILIES);
}

/* ---- entry point -------------------------------------------------------- */

static int
checkstr(const char *s, const char *what, size_t i, lc_err *e)
{
	if (s == NULL || utf8_ok(s, strlen(s)))
		return LC_OK;
	if (i == (size_t)-1)
		return lc_errf(e, LC_EINVAL, "chat: %s is not valid UTF-8",
		    what);
	return lc_errf(e, LC_EINVAL, "chat: message %zu: %s is not valid "
	    "UTF-8", i, what);
}

static int
parse_json(const char *text, const char *what, size_t i, struct jv **out,
    lc_err *e)
{
	const char *err = NULL;
	struct jv *v;
	size_t j;

	*out = NULL;
	if ((v = jparse(text, &err)) == NULL) {
		if (strcmp(err, "out of memory") == 0)
			return lc_errf(e, LC_ENOMEM, "chat: out of memory");
		if (i == (size_t)-1)
			return lc_errf(e, LC_EFORMAT, "chat: %s: %s", what,
			    err);
		return lc_errf(e, LC_EFORMAT, "chat: message %zu: %s: %s", i,
		    what, err);
	}
	if (v->type != J_ARR && v->type != J_NULL) {
		jfree(v);
		return lc_errf(e, LC_EFORMAT, "chat: %s is not an array",
		    what);
	}
	for (j = 0; j < v->n; j++)
		if (v->kid[j]->type != J_OBJ) {
			jfree(v);
			return lc_errf(e, LC_EFORMAT, "chat: %s[%zu] is not an "
			    "object", what, j);
		}
	*out = v;
	return LC_OK;
}

int
lc_chat_render(const char *tmpl, size_t tmpl_len, const char *family,
    const lc_chat_msg *msgs, size_t n, const lc_chat_opts *opt, char **out,
    lc_err *e)
{
	static const lc_chat_opts defopt = { 1, NULL, -1, NULL, NULL, NULL };
	struct ctx c;
	char *param = NULL;
	size_t i;
	int rc;

	if (out == NULL || (n > 0 && msgs == NULL) ||
	    (family == NULL && tmpl == NULL))
		return lc_errf(e, LC_EINVAL, "chat: no template, messages or "
		    "output");
	*out = NULL;
	if (opt == NULL)
		opt = &defopt;
	if (opt->enable_thinking < -1 || opt->enable_thinking > 1)
		return lc_errf(e, LC_EINVAL, "chat: enable_thinking %d is not "
		    "-1, 0 or 1", opt->enable_thinking);
	memset(&c, 0, sizeof(c));
	rc = family != NULL ? byname(family, &c.v, e) :
	    recognise(tmpl, tmpl_len, &c.v, &param, e);
	if (rc != LC_OK)
		return rc;
	c.param = param != NULL ? param : c.v->param;
	c.m = msgs;
	c.n = n;
	c.addgen = opt->add_generation_prompt != 0;
	c.think = opt->enable_thinking;
	c.bos = opt->bos;
	c.eos = opt->eos;
	c.date = opt->date_string;
	c.e = e;
	if ((rc = checkstr(opt->bos, "bos", (size_t)-1, e)) != LC_OK ||
	    (rc = checkstr(opt->eos, "eos", (size_t)-1, e)) != LC_OK ||
	    (rc = checkstr(opt->date_string, "date_string", (size_t)-1, e))
	    != LC_OK)
		goto done;
	for (i = 0; i < n; i++) {
		if (msgs[i].role == NULL) {
			rc = lc_errf(e, LC_EINVAL, "chat: message %zu has no "
			    "role", i);
			goto done;
		}
		if ((rc = checkstr(msgs[i].role, "role", i, e)) != LC_OK ||
		    (rc = checkstr(msgs[i].content, "content", i, e)) != LC_OK ||
		    (rc = checkstr(msgs[i].name, "name", i, e)) != LC_OK)
			goto done;
	}
	if (opt->tools_json != NULL) {
		if ((rc = parse_json(opt->tools_json, "tools_json", (size_t)-1,
		    &c.tools, e)) != LC_OK)
			goto done;
		if (c.tools->type == J_NULL) {
			jfree(c.tools);
			c.tools = NULL;
		}
	}
	if (n > 0 && (c.calls = calloc(n, sizeof(*c.calls))) == NULL) {
		rc = lc_errf(e, LC_ENOMEM, "chat: out of memory");
		goto done;
	}
	for (i = 0; i < n; i++)
		if (msgs[i].tool_calls_json != NULL && (rc = parse_json(
		    msgs[i].tool_calls_json, "tool_calls_json", i,
		    &c.calls[i], e)) != LC_OK)
			goto done;
	if ((rc = c.v->render(&c)) == LC_OK) {
		bput(&c.b, "", 0);
		if (c.b.oom)
			rc = lc_errf(e, LC_ENOMEM, "chat: out of memory");
		else {
			*out = c.b.p;
			c.b.p = NULL;
		}
	}
done:
	free(c.b.p);
	for (i = 0; c.calls != NULL && i < n; i++)
		jfree(c.calls[i]);
	free(c.calls);
	jfree(c.tools);
	free(param);
	return rc;
}
