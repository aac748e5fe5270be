/* jsonw.c - compact JSON record writer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "utf8.h"

void
lc_jw_init(lc_jw *w)
{
	memset(w, 0, sizeof(*w));
}

void
lc_jw_reset(lc_jw *w)
{
	w->len = 0;
	w->oom = 0;
	w->comma = 0;
	if (w->buf)
		w->buf[0] = '\0';
}

void
lc_jw_free(lc_jw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

static void
put(lc_jw *w, const char *s, size_t n)
{
	size_t cap;
	char *p;

	if (w->oom)
		return;
	if (w->len + n + 1 > w->cap) {
		cap = w->cap ? w->cap : 256;
		while (cap < w->len + n + 1)
			cap *= 2;
		if ((p = realloc(w->buf, cap)) == NULL) {
			w->oom = 1;
			return;
		}
		w->buf = p;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void
sep(lc_jw *w)
{
	if (w->comma)
		put(w, ",", 1);
	w->comma = 1;
}

void lc_jw_obj(lc_jw *w) { sep(w); put(w, "{", 1); w->comma = 0; }
void lc_jw_obj_end(lc_jw *w) { put(w, "}", 1); w->comma = 1; }
void lc_jw_arr(lc_jw *w) { sep(w); put(w, "[", 1); w->comma = 0; }
void lc_jw_arr_end(lc_jw *w) { put(w, "]", 1); w->comma = 1; }

void
lc_jw_key(lc_jw *w, const char *k)
{
	lc_jw_str(w, k);
	put(w, ":", 1);
	w->comma = 0;
}

void
lc_jw_strn(lc_jw *w, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k, run;
	char esc[8];
	uint32_t cp;

	sep(w);
	put(w, "\"", 1);
	while (i < n) {
		/* copy the longest run that needs no escaping at once */
		for (run = i; run < n && s[run] >= 0x20 && s[run] < 0x80 &&
		    s[run] != '"' && s[run] != '\\' && s[run] != 0x7f; run++)
			;
		put(w, (const char *)s + i, run - i);
		if ((i = run) >= n)
			break;
		if ((k = lc_utf8_next(s + i, n - i, &cp)) == 0) {
			put(w, "\\ufffd", 6);
			w->badutf8++;
			i++;
			continue;
		}
		switch (cp) {
		case '"': put(w, "\\\"", 2); break;
		case '\\': put(w, "\\\\", 2); break;
		case '\n': put(w, "\\n", 2); break;
		case '\t': put(w, "\\t", 2); break;
		case '\r': put(w, "\\r", 2); break;
		default:
			if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
				snprintf(esc, sizeof(esc), "\\u%04x", cp);
				put(w, esc, 6);
			} else {
				put(w, (const char *)s + i, k);
			}
		}
		i += k;
	}
	put(w, "\"", 1);
}

void
lc_jw_str(lc_jw *w, const char *s)
{
	lc_jw_strn(w, s, strlen(s));
}

void
lc_jw_u64(lc_jw *w, uint64_t v)
{
	char b[24];

	sep(w);
	put(w, b, (size_t)snprintf(b, sizeof(b), "%llu", (unsigned long long)v));
}

void
lc_jw_i64(lc_jw *w, int64_t v)
{
	char b[24];

	sep(w);
	put(w, b, (size_t)snprintf(b, sizeof(b), "%lld", (long long)v));
}

static void
putf(lc_jw *w, double v, int prec)
{
	char b[40];

	if (!isfinite(v)) {
		w->nonfinite++;
		lc_jw_null(w);
		return;
	}
	sep(w);
	put(w, b, (size_t)snprintf(b, sizeof(b), "%.*g", prec, v));
}

void lc_jw_f32(lc_jw *w, float v) { putf(w, v, 9); }

void
lc_jw_fix(lc_jw *w, double v, int decimals)
{
	char b[64];

	if (!isfinite(v) || fabs(v) >= 1e30) {
		putf(w, v, 17);
		return;
	}
	sep(w);
	put(w, b, (size_t)snprintf(b, sizeof(b), "%.*f", decimals, v));
}
void lc_jw_f64(lc_jw *w, double v) { putf(w, v, 17); }

void
lc_jw_bool(lc_jw *w, int v)
{
	sep(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void
lc_jw_null(lc_jw *w)
{
	sep(w);
	put(w, "null", 4);
}

void
lc_jw_raw(lc_jw *w, const char *json, size_t n)
{
	sep(w);
	put(w, json, n);
}
