/*
 * llm-embed - text in, embedding vectors out: a JSONL filter over
 * {"id","text"} records, plain lines (-R), CSV/TSV with an id column,
 * OpenAI /v1/embeddings bodies and Batch API lines; or, with --similar,
 * a ranking of an embedded JSONL store by cosine similarity to a query.
 *
 * Input is read in chunks of --batch texts (or whatever has arrived
 * when the input pauses), embedded together, and written in order: one
 * output record per input record.
 */
#include <errno.h>
#include <getopt.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "../libcore/convert.h"
#include "../libcore/dtype.h"
#include "../libcore/embed.h"
#include "../libcore/hf.h"
#include "../libcore/jsonw.h"
#include "../libcore/model.h"
#include "../libcore/resolve.h"
#include "../libcore/tok/tok.h"
#include "../libcore/utf8.h"
#include "util.h"

#define MAX_LINE	(64u << 20)
#define MAX_INPUTS	2048		/* texts in one OpenAI body */

enum { F_JSON, F_BASE64, F_F32 };
enum { IN_JSONL, IN_RAW, IN_CSV, IN_TSV };
enum { R_ERROR, R_NATIVE, R_OPENAI, R_BATCH };

static struct {
	const char	*model, *device, *prefix, *similar;
	const char	*id_col, *text_col;
	int		 threads, pooling, normalize, truncate, format, input;
	int		 fail_fast, quiet, top;
	uint32_t	 batch, max_tokens;
} opt;

static lc_backend *be;
static lc_model *model;
static lc_tok *tok;
static lc_embed *emb;
static uint32_t dim;
static const char *model_name;
static lc_jw jw;
static long nreq;

/* ------------------------------------------------------------------ */
/* input: lines or CSV records of any length from a file descriptor    */

typedef struct reader {
	int		 fd;
	const char	*name;
	char		*buf;		/* bytes read, [pos, len) not consumed */
	size_t		 pos, len, cap;
	int		 eof;
	long		 lineno;	/* lines consumed */
	char		*rec;		/* the current line or field bytes */
	size_t		 reclen, reccap;
} reader;

static int
fill(reader *r)
{
	ssize_t n;

	if (r->eof)
		return 0;
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->len == r->cap) {
		size_t c = r->cap ? r->cap * 2 : 1 << 16;
		if ((r->buf = realloc(r->buf, c)) == NULL)
			die("out of memory");
		r->cap = c;
	}
	while ((n = read(r->fd, r->buf + r->len, r->cap - r->len)) < 0 &&
	    errno == EINTR)
		;
	if (n < 0)
		die("read %s:", r->name);
	if (n == 0)
		r->eof = 1;
	r->len += (size_t)n;
	return n > 0;
}

/* 1 if a whole line is buffered or the descriptor has bytes to read */
static int
ready(reader *r)
{
	struct pollfd p = { .fd = r->fd, .events = POLLIN };

	if (r->eof || (r->len > r->pos && memchr(r->buf + r->pos, '\n',
	    r->len - r->pos) != NULL))
		return 1;
	return poll(&p, 1, 0) > 0;
}

static void
recput(reader *r, const char *s, size_t n)
{
	if (r->reclen + n + 1 > r->reccap) {
		size_t c = r->reccap ? r->reccap : 256;
		while (c < r->reclen + n + 1)
			c *= 2;
		if ((r->rec = realloc(r->rec, c)) == NULL)
			die("out of memory");
		r->reccap = c;
	}
	if (n > 0)
		memcpy(r->rec + r->reclen, s, n);
	r->reclen += n;
	r->rec[r->reclen] = '\0';
}

/* The next line (without \n or \r\n) in r->rec; 0 at the end. */
static int
getline_fd(reader *r)
{
	char *nl;
	size_t n;

	r->reclen = 0;
	recput(r, "", 0);
	for (;;) {
		nl = r->len > r->pos ? memchr(r->buf + r->pos, '\n', r->len -
		    r->pos) : NULL;
		n = nl ? (size_t)(nl - (r->buf + r->pos)) : r->len - r->pos;
		if (n > 0 && r->reclen <= MAX_LINE)
			recput(r, r->buf + r->pos, n);
		r->pos += n;
		if (nl != NULL) {
			r->pos++;
			break;
		}
		if (!fill(r)) {
			if (r->reclen == 0)
				return 0;
			break;
		}
	}
	r->lineno++;
	if (r->reclen > 0 && r->rec[r->reclen - 1] == '\r')
		r->rec[--r->reclen] = '\0';
	return 1;
}

/* one field of a CSV/TSV record */
typedef struct field {
	size_t		 off, len;	/* in r->rec */
} field;

/*
 * The next CSV (RFC 4180: quoted fields, doubled quotes, line breaks in
 * quotes) or TSV (no quoting) record: its fields, unquoted, in r->rec
 * at f[] (at most max; each followed by a NUL).  Returns the number of
 * fields, 0 at the end, -1 for an unclosed quote or too many fields.
 */
static int
getrec(reader *r, int tsv, field *f, int max)
{
	char *raw, *p, *out;
	size_t n, i, o, q;
	int nf = 0, quoted;

	if (!getline_fd(r))
		return 0;
	/* a record goes on while its quotes are unbalanced */
	for (q = 0, i = 0; !tsv && i < r->reclen; i++)
		q += r->rec[i] == '"';
	if ((raw = malloc(r->reclen + 1)) == NULL)
		die("out of memory");
	memcpy(raw, r->rec, r->reclen + 1);
	n = r->reclen;
	while (!tsv && q % 2 == 1) {
		if (!getline_fd(r)) {
			free(raw);
			return -1;
		}
		for (i = 0; i < r->reclen; i++)
			q += r->rec[i] == '"';
		if ((p = realloc(raw, n + 1 + r->reclen + 1)) == NULL)
			die("out of memory");
		raw = p;
		raw[n++] = '\n';
		memcpy(raw + n, r->rec, r->reclen + 1);
		n += r->reclen;
	}
	if ((out = malloc(n + (size_t)max + 1)) == NULL)
		die("out of memory");
	for (i = 0, o = 0;;) {
		if (nf == max) {
			free(raw);
			free(out);
			return -1;
		}
		f[nf].off = o;
		quoted = !tsv && i < n && raw[i] == '"';
		i += (size_t)quoted;
		for (; i < n; i++) {
			if (quoted && raw[i] == '"') {
				if (i + 1 < n && raw[i + 1] == '"') {
					out[o++] = '"';
					i++;
					continue;
				}
				quoted = 0;
				continue;
			}
			if (!quoted && raw[i] == (tsv ? '\t' : ','))
				break;
			out[o++] = raw[i];
		}
		f[nf].len = o - f[nf].off;
		out[o++] = '\0';
		nf++;
		if (i >= n)
			break;
		i++;		/* the separator */
	}
	free(raw);
	free(r->rec);
	r->rec = out;
	r->reclen = o;
	r->reccap = n + (size_t)max + 1;
	return nf;
}

/* ------------------------------------------------------------------ */
/* records                                                             */

typedef struct rec {
	int		 kind;		/* R_* */
	long		 line;
	cJSON		*root;		/* JSON input, or built from CSV/-R */
	const cJSON	*id, *cid, *body;
	const char	*stage;		/* of the error */
	char		 msg[600];
	size_t		 first, n;	/* its texts in items[] */
	int		 b64;		/* OpenAI encoding_format base64 */
} rec;

static rec *recs;
static size_t nrecs, caprecs;
static lc_embed_item *items;
static size_t nitems, capitems;

static rec *
newrec(long line)
{
	rec *r;

	if (nrecs == caprecs) {
		caprecs = caprecs ? caprecs * 2 : 64;
		if ((recs = realloc(recs, caprecs * sizeof(*recs))) == NULL)
			die("out of memory");
	}
	r = &recs[nrecs++];
	memset(r, 0, sizeof(*r));
	r->line = line;
	r->first = nitems;
	return r;
}

static void
addtext(rec *r, const char *s, size_t len)
{
	if (nitems == capitems) {
		capitems = capitems ? capitems * 2 : 64;
		if ((items = realloc(items, capitems * sizeof(*items))) == NULL)
			die("out of memory");
	}
	memset(&items[nitems], 0, sizeof(items[0]));
	items[nitems].text = s;
	items[nitems].len = len;
	nitems++;
	r->n++;
}

static void
fail(rec *r, const char *stage, const char *fmt, const char *arg)
{
	r->kind = R_ERROR;
	r->stage = stage;
	snprintf(r->msg, sizeof(r->msg), fmt, arg);
}

static int
is_embed_url(const char *u)
{
	return strcmp(u, "/v1/embeddings") == 0 || strcmp(u, "/embeddings") ==
	    0;
}

/* An OpenAI /v1/embeddings body: its input strings become texts. */
static void
openai_body(rec *r, const cJSON *b)
{
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(b, "input");
	const cJSON *ef = cJSON_GetObjectItemCaseSensitive(b, "encoding_format");
	const cJSON *dm = cJSON_GetObjectItemCaseSensitive(b, "dimensions");
	const cJSON *x;
	char num[32];

	r->body = b;
	r->b64 = opt.format == F_BASE64;
	if (ef != NULL && !cJSON_IsNull(ef)) {
		if (!cJSON_IsString(ef) || (strcmp(ef->valuestring, "float") !=
		    0 && strcmp(ef->valuestring, "base64") != 0)) {
			fail(r, "parse", "\"encoding_format\" must be \"float\" "
			    "or \"base64\"%s", "");
			return;
		}
		r->b64 = strcmp(ef->valuestring, "base64") == 0;
	}
	if (dm != NULL && !cJSON_IsNull(dm) && !(cJSON_IsNumber(dm) &&
	    dm->valuedouble == (double)dim)) {
		snprintf(num, sizeof(num), "%u", dim);
		fail(r, "parse", "\"dimensions\" must be the model's %s", num);
		return;
	}
	if (cJSON_IsString(in)) {
		addtext(r, in->valuestring, strlen(in->valuestring));
		return;
	}
	if (!cJSON_IsArray(in) || cJSON_GetArraySize(in) == 0) {
		fail(r, "parse", "\"input\" must be a string or a non-empty "
		    "array of strings%s", "");
		return;
	}
	if (cJSON_GetArraySize(in) > MAX_INPUTS) {
		snprintf(num, sizeof(num), "%d", MAX_INPUTS);
		fail(r, "parse", "\"input\" has more than %s items", num);
		return;
	}
	cJSON_ArrayForEach(x, in) {
		if (!cJSON_IsString(x)) {
			nitems -= r->n;
			r->n = 0;
			fail(r, "parse", "\"input\" must hold strings (token "
			    "ids are not supported)%s", "");
			return;
		}
		addtext(r, x->valuestring, strlen(x->valuestring));
	}
}

/* Fails r if s[0..n) is not UTF-8 or (unless nul_ok) holds a NUL
   byte; 1 if so. */
static int
bad_bytes(rec *r, const char *s, size_t n, int nul_ok)
{
	size_t ok = lc_utf8_valid((const unsigned char *)s, n);
	char at[32];

	snprintf(at, sizeof(at), "%zu", ok);
	if (ok != n)
		fail(r, "parse", "not valid UTF-8 (byte %s)", at);
	else if (!nul_ok && memchr(s, '\0', n) != NULL)
		fail(r, "parse", "a NUL byte in the text%s", "");
	else
		return 0;
	return 1;
}

/* A JSONL line: native record, OpenAI body or Batch line. */
static void
parse_jsonl(const char *line, size_t len, long lineno)
{
	rec *r = newrec(lineno);
	const cJSON *t, *u;
	const char *s;

	nreq++;
	for (s = line; *s == ' ' || *s == '\t'; s++)
		;
	if (*s == '\0') {
		fail(r, "parse", "blank line%s", "");
		return;
	}
	if (len > MAX_LINE) {
		fail(r, "parse", "line too long%s", "");
		return;
	}
	if (bad_bytes(r, line, len, 0))
		return;
	if ((r->root = cJSON_ParseWithLength(line, len)) == NULL) {
		fail(r, "parse", "invalid JSON%s", "");
		return;
	}
	if (!cJSON_IsObject(r->root)) {
		fail(r, "parse", "expected an object%s", "");
		return;
	}
	r->id = cJSON_GetObjectItemCaseSensitive(r->root, "id");
	if ((r->cid = cJSON_GetObjectItemCaseSensitive(r->root, "custom_id")) !=
	    NULL) {
		r->kind = R_BATCH;
		u = cJSON_GetObjectItemCaseSensitive(r->root, "url");
		t = cJSON_GetObjectItemCaseSensitive(r->root, "body");
		if (!cJSON_IsString(u) || !is_embed_url(u->valuestring))
			fail(r, "parse", "url must be /v1/embeddings%s", "");
		else if (!cJSON_IsObject(t))
			fail(r, "parse", "batch line without an object "
			    "\"body\"%s", "");
		else
			openai_body(r, t);
		return;
	}
	if (cJSON_GetObjectItemCaseSensitive(r->root, "input") != NULL) {
		r->kind = R_OPENAI;
		openai_body(r, r->root);
		return;
	}
	r->kind = R_NATIVE;
	t = cJSON_GetObjectItemCaseSensitive(r->root, "text");
	if (t == NULL)
		fail(r, "parse", "a record needs \"text\" (or \"input\", an "
		    "OpenAI body, or \"custom_id\", a Batch line)%s", "");
	else if (!cJSON_IsString(t))
		fail(r, "parse", "\"text\" must be a string%s", "");
	else
		addtext(r, t->valuestring, strlen(t->valuestring));
}

/* A plain line (-R), or a CSV/TSV record made into {"id","text",...}. */
static void
plain_rec(cJSON *o, long lineno, const char *text)
{
	rec *r = newrec(lineno);

	nreq++;
	if (o == NULL)
		die("out of memory");
	r->root = o;
	r->kind = R_NATIVE;
	r->id = cJSON_GetObjectItemCaseSensitive(o, "id");
	addtext(r, text, strlen(text));
}

/* ------------------------------------------------------------------ */
/* output                                                              */

static void
emit(void)
{
	if (jw.oom)
		die("out of memory");
	fwrite(jw.buf, 1, jw.len, stdout);
	fputc('\n', stdout);
	lc_jw_reset(&jw);
}

static void
put_json(const cJSON *x)
{
	char *txt = cJSON_PrintUnformatted(x);

	if (txt == NULL)
		die("out of memory");
	lc_jw_raw(&jw, txt, strlen(txt));
	free(txt);
}

static void
put_vec(const float *v, size_t n, int b64)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char *b;
	char *s;
	size_t i, k, nb = n * 4;

	if (!b64) {
		lc_jw_arr(&jw);
		for (i = 0; i < n; i++)
			lc_jw_f32(&jw, v[i]);
		lc_jw_arr_end(&jw);
		return;
	}
	/* little-endian f32, as OpenAI's encoding_format base64 */
	if ((b = malloc(nb)) == NULL || (s = malloc(nb / 3 * 4 + 8)) == NULL)
		die("out of memory");
	for (i = 0; i < n; i++) {
		uint32_t u;
		memcpy(&u, &v[i], 4);
		b[4 * i] = (unsigned char)u;
		b[4 * i + 1] = (unsigned char)(u >> 8);
		b[4 * i + 2] = (unsigned char)(u >> 16);
		b[4 * i + 3] = (unsigned char)(u >> 24);
	}
	for (i = 0, k = 0; i + 2 < nb; i += 3) {
		s[k++] = tab[b[i] >> 2];
		s[k++] = tab[((b[i] & 3) << 4) | (b[i + 1] >> 4)];
		s[k++] = tab[((b[i + 1] & 15) << 2) | (b[i + 2] >> 6)];
		s[k++] = tab[b[i + 2] & 63];
	}
	if (nb - i == 1) {
		s[k++] = tab[b[i] >> 2];
		s[k++] = tab[(b[i] & 3) << 4];
		s[k++] = '=';
		s[k++] = '=';
	} else if (nb - i == 2) {
		s[k++] = tab[b[i] >> 2];
		s[k++] = tab[((b[i] & 3) << 4) | (b[i + 1] >> 4)];
		s[k++] = tab[(b[i + 1] & 15) << 2];
		s[k++] = '=';
	}
	lc_jw_strn(&jw, s, k);
	free(b);
	free(s);
}

static size_t
nfloats(const lc_embed_item *it)
{
	return lc_embed_pooling(emb) == LC_POOL_NONE ? (size_t)it->n_tok *
	    dim : dim;
}

static void
error_record(const rec *r)
{
	if (!opt.quiet)
		warn("%s:%ld: %s: %s", "<input>", r->line, r->stage, r->msg);
	if (opt.format == F_F32)
		return;
	lc_jw_obj(&jw);
	if (r->cid != NULL) {
		char rid[48];
		snprintf(rid, sizeof(rid), "batch_req_%ld", r->line);
		lc_jw_key(&jw, "id"); lc_jw_str(&jw, rid);
		lc_jw_key(&jw, "custom_id"); put_json(r->cid);
		lc_jw_key(&jw, "response"); lc_jw_null(&jw);
		lc_jw_key(&jw, "error"); lc_jw_obj(&jw);
		lc_jw_key(&jw, "code"); lc_jw_str(&jw, r->stage);
		lc_jw_key(&jw, "message"); lc_jw_str(&jw, r->msg);
		lc_jw_obj_end(&jw);
		lc_jw_key(&jw, "line"); lc_jw_i64(&jw, r->line);
		lc_jw_obj_end(&jw);
		emit();
		return;
	}
	if (r->id != NULL) {
		lc_jw_key(&jw, "id"); put_json(r->id);
	}
	lc_jw_key(&jw, "line"); lc_jw_i64(&jw, r->line);
	lc_jw_key(&jw, "error"); lc_jw_obj(&jw);
	lc_jw_key(&jw, "stage"); lc_jw_str(&jw, r->stage);
	lc_jw_key(&jw, "message"); lc_jw_str(&jw, r->msg);
	lc_jw_obj_end(&jw);
	lc_jw_obj_end(&jw);
	emit();
}

static void
openai_response(const rec *r)
{
	const cJSON *mj = cJSON_GetObjectItemCaseSensitive(r->body, "model");
	long ntok = 0;
	size_t i;

	lc_jw_obj(&jw);
	lc_jw_key(&jw, "object"); lc_jw_str(&jw, "list");
	lc_jw_key(&jw, "data"); lc_jw_arr(&jw);
	for (i = 0; i < r->n; i++) {
		const lc_embed_item *it = &items[r->first + i];
		lc_jw_obj(&jw);
		lc_jw_key(&jw, "object"); lc_jw_str(&jw, "embedding");
		lc_jw_key(&jw, "index"); lc_jw_i64(&jw, (int64_t)i);
		lc_jw_key(&jw, "embedding");
		put_vec(it->vec, nfloats(it), r->b64);
		lc_jw_obj_end(&jw);
		ntok += it->n_tok;
	}
	lc_jw_arr_end(&jw);
	lc_jw_key(&jw, "model");
	lc_jw_str(&jw, cJSON_IsString(mj) ? mj->valuestring : model_name);
	lc_jw_key(&jw, "usage"); lc_jw_obj(&jw);
	lc_jw_key(&jw, "prompt_tokens"); lc_jw_i64(&jw, ntok);
	lc_jw_key(&jw, "total_tokens"); lc_jw_i64(&jw, ntok);
	lc_jw_obj_end(&jw);
	lc_jw_obj_end(&jw);
}

/* Writes record r's result; 1 if it failed. */
static int
output(rec *r)
{
	static const char *const consumed[] = { "id", "embedding", "dim" };
	const cJSON *x;
	size_t i, k;
	int skip;

	if (r->kind == R_ERROR) {
		error_record(r);
		return 1;
	}
	/* a text that failed fails its record */
	for (i = 0; i < r->n; i++) {
		lc_embed_item *it = &items[r->first + i];
		if (it->rc == LC_OK)
			continue;
		r->stage = "tokenize";
		if (r->kind == R_NATIVE)
			snprintf(r->msg, sizeof(r->msg), "%s", it->err.msg);
		else
			snprintf(r->msg, sizeof(r->msg), "input %zu: %s", i,
			    it->err.msg);
		error_record(r);
		return 1;
	}
	if (opt.format == F_F32) {
		for (i = 0; i < r->n; i++) {
			const lc_embed_item *it = &items[r->first + i];
			if (fwrite(it->vec, sizeof(float), nfloats(it),
			    stdout) != nfloats(it))
				break;
		}
		return 0;
	}
	if (r->kind == R_OPENAI) {
		openai_response(r);
	} else if (r->kind == R_BATCH) {
		char rid[48];
		lc_jw_obj(&jw);
		snprintf(rid, sizeof(rid), "batch_req_%ld", r->line);
		lc_jw_key(&jw, "id"); lc_jw_str(&jw, rid);
		lc_jw_key(&jw, "custom_id"); put_json(r->cid);
		lc_jw_key(&jw, "response"); lc_jw_obj(&jw);
		lc_jw_key(&jw, "status_code"); lc_jw_i64(&jw, 200);
		snprintf(rid, sizeof(rid), "req_%ld", r->line);
		lc_jw_key(&jw, "request_id"); lc_jw_str(&jw, rid);
		lc_jw_key(&jw, "body");
		openai_response(r);
		lc_jw_obj_end(&jw);
		lc_jw_key(&jw, "error"); lc_jw_null(&jw);
		lc_jw_obj_end(&jw);
	} else {
		const lc_embed_item *it = &items[r->first];
		lc_jw_obj(&jw);
		if (r->id != NULL) {
			lc_jw_key(&jw, "id"); put_json(r->id);
		}
		cJSON_ArrayForEach(x, r->root) {
			for (k = 0, skip = 0; k < sizeof(consumed) /
			    sizeof(consumed[0]); k++)
				skip |= strcmp(x->string, consumed[k]) == 0;
			if (skip)
				continue;
			lc_jw_key(&jw, x->string);
			put_json(x);
		}
		lc_jw_key(&jw, "embedding");
		put_vec(it->vec, nfloats(it), opt.format == F_BASE64);
		lc_jw_key(&jw, "dim"); lc_jw_i64(&jw, dim);
		if (lc_embed_pooling(emb) == LC_POOL_NONE) {
			lc_jw_key(&jw, "n_tokens"); lc_jw_i64(&jw, it->n_tok);
		}
		if (it->n_tok < it->n_tok_text) {
			lc_jw_key(&jw, "truncated"); lc_jw_bool(&jw, 1);
		}
		lc_jw_obj_end(&jw);
	}
	emit();
	return 0;
}

/* Embeds the texts of the records read so far and writes them. */
static int
flush_chunk(void)
{
	lc_err e;
	size_t i;
	int ret = 0;

	if (nitems > 0 && lc_embed_run(emb, items, nitems, &e) != LC_OK)
		die_err(&e);
	for (i = 0; i < nrecs; i++) {
		if (!(ret && opt.fail_fast))
			ret |= output(&recs[i]);
		cJSON_Delete(recs[i].root);
	}
	for (i = 0; i < nitems; i++)
		free(items[i].vec);
	nrecs = nitems = 0;
	return ret;
}

/* ------------------------------------------------------------------ */
/* --similar                                                           */

typedef struct hit {
	double		 score;
	long		 line;
	char		*json;		/* the record without "embedding" */
} hit;

static int
hitcmp(const void *a, const void *b)
{
	const hit *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* the store's vector of a record: an array or base64 of f32 */
static int
store_vec(const cJSON *v, float *out, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const cJSON *x;
	size_t i = 0, k, bits = 0;
	uint32_t acc = 0;
	unsigned char *b = (unsigned char *)out;
	const char *s, *p;

	if (cJSON_IsArray(v)) {
		if ((size_t)cJSON_GetArraySize(v) != n)
			return -1;
		cJSON_ArrayForEach(x, v) {
			if (!cJSON_IsNumber(x))
				return -1;
			out[i++] = (float)x->valuedouble;
		}
		return 0;
	}
	if (!cJSON_IsString(v))
		return -1;
	s = v->valuestring;
	for (k = 0; s[k] != '\0' && s[k] != '='; k++) {
		if ((p = strchr(tab, s[k])) == NULL)
			return -1;
		acc = (acc << 6) | (uint32_t)(p - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (i == n * 4)
				return -1;
			b[i++] = (unsigned char)(acc >> bits);
		}
	}
	if (i != n * 4)
		return -1;
	for (k = 0; k < n; k++) {
		uint32_t u = (uint32_t)b[4 * k] | (uint32_t)b[4 * k + 1] << 8 |
		    (uint32_t)b[4 * k + 2] << 16 | (uint32_t)b[4 * k + 3] << 24;
		memcpy(&out[k], &u, 4);
	}
	return 0;
}

static int
similar(reader *rd, int nrd)
{
	lc_embed_item q = { .text = opt.similar, .len = strlen(opt.similar) };
	hit *hits = NULL;
	size_t nh = 0, caph = 0, keep = opt.top > 0 ? (size_t)opt.top : 0;
	float *v;
	cJSON *root, *ev;
	lc_err e;
	int ret = 0, f;
	size_t i;

	if (lc_embed_run(emb, &q, 1, &e) != LC_OK)
		die_err(&e);
	if (q.rc != LC_OK)
		die("--similar: %s", q.err.msg);
	if (lc_embed_pooling(emb) == LC_POOL_NONE)
		dien(2, "--similar needs pooled vectors, not --pooling none");
	if ((v = malloc(dim * sizeof(float))) == NULL)
		die("out of memory");
	for (f = 0; f < nrd; f++) {
		reader *r = &rd[f];
		while (getline_fd(r)) {
			hit h = { .line = r->lineno };
			if (r->reclen == 0)
				continue;
			ev = NULL;
			if ((root = cJSON_ParseWithLength(r->rec, r->reclen)) !=
			    NULL && cJSON_IsObject(root))
				ev = cJSON_DetachItemFromObjectCaseSensitive(root,
				    "embedding");
			if (ev == NULL || store_vec(ev, v, dim) != 0) {
				warn("%s:%ld: not a record with an \"embedding\" "
				    "of %u floats", r->name, r->lineno, dim);
				cJSON_Delete(ev);
				cJSON_Delete(root);
				ret = 1;
				continue;
			}
			h.score = lc_embed_cosine(q.vec, v, dim);
			cJSON_Delete(ev);
			cJSON_DeleteItemFromObjectCaseSensitive(root, "dim");
			if (keep > 0 && nh == keep && h.score <=
			    hits[nh - 1].score) {
				cJSON_Delete(root);
				continue;
			}
			if ((h.json = cJSON_PrintUnformatted(root)) == NULL)
				die("out of memory");
			cJSON_Delete(root);
			if (nh == caph) {
				caph = caph ? caph * 2 : 64;
				if ((hits = realloc(hits, caph *
				    sizeof(*hits))) == NULL)
					die("out of memory");
			}
			if (keep > 0 && nh == keep)
				free(hits[--nh].json);
			hits[nh++] = h;
			/* keep the best first: insertion for a bounded list */
			for (i = nh - 1; keep > 0 && i > 0 && hitcmp(&hits[i - 1],
			    &hits[i]) > 0; i--) {
				hit t = hits[i];
				hits[i] = hits[i - 1];
				hits[i - 1] = t;
			}
		}
	}
	if (keep == 0 && nh > 0)
		qsort(hits, nh, sizeof(*hits), hitcmp);
	for (i = 0; i < nh; i++) {
		size_t n = strlen(hits[i].json);
		/* the record, then its score and rank */
		if (n >= 2 && hits[i].json[n - 1] == '}') {
			fwrite(hits[i].json, 1, n - 1, stdout);
			printf("%s\"score\":%.6f,\"rank\":%zu}\n", n > 2 ? "," : "",
			    hits[i].score, i + 1);
		}
		free(hits[i].json);
	}
	free(hits);
	free(v);
	free(q.vec);
	return ret;
}

/* ------------------------------------------------------------------ */
/* the model                                                           */

/* The value of a JSON file's key, NULL if the file or key is absent. */
static cJSON *
json_file(const char *dir, const char *name)
{
	char path[4096];
	char *buf;
	size_t len;
	cJSON *j;
	lc_err e;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (access(path, R_OK) != 0 || lc_slurp(path, 1 << 20, &buf, &len,
	    &e) != LC_OK)
		return NULL;
	j = cJSON_ParseWithLength(buf, len);
	free(buf);
	return j;
}

/*
 * A sentence-transformers directory's own settings, where the command
 * line leaves them open: max_seq_length (sentence_bert_config.json),
 * pooling mode (1_Pooling/config.json), a Normalize module
 * (modules.json).
 */
static void
st_config(const char *dir, lc_embed_opts *eo)
{
	cJSON *j, *x;
	const char *pdir = "1_Pooling";

	if ((j = json_file(dir, "sentence_bert_config.json")) != NULL) {
		x = cJSON_GetObjectItemCaseSensitive(j, "max_seq_length");
		if (opt.max_tokens == 0 && cJSON_IsNumber(x) &&
		    x->valuedouble >= 1 && x->valuedouble <= 1 << 24)
			eo->max_tokens = (uint32_t)x->valuedouble;
		cJSON_Delete(j);
	}
	if ((j = json_file(dir, "modules.json")) != NULL) {
		int norm = 0;
		cJSON_ArrayForEach(x, j) {
			const cJSON *t = cJSON_GetObjectItemCaseSensitive(x,
			    "type");
			const cJSON *p = cJSON_GetObjectItemCaseSensitive(x,
			    "path");
			if (!cJSON_IsString(t))
				continue;
			if (strstr(t->valuestring, "Normalize") != NULL)
				norm = 1;
			if (strstr(t->valuestring, "Pooling") != NULL &&
			    cJSON_IsString(p) && strchr(p->valuestring, '/') ==
			    NULL && strstr(p->valuestring, "..") == NULL)
				pdir = p->valuestring;
		}
		if (opt.normalize < 0)
			eo->normalize = norm;
		if (opt.pooling == LC_POOL_MODEL) {
			char name[300];
			cJSON *pc;
			snprintf(name, sizeof(name), "%s/config.json", pdir);
			if ((pc = json_file(dir, name)) != NULL) {
				static const struct { const char *k; int p; }
				    modes[] = {
					{ "pooling_mode_mean_tokens", LC_POOL_MEAN },
					{ "pooling_mode_cls_token", LC_POOL_CLS },
					{ "pooling_mode_lasttoken", LC_POOL_LAST },
				};
				for (size_t i = 0; i < 3; i++)
					if (cJSON_IsTrue(
					    cJSON_GetObjectItemCaseSensitive(pc,
					    modes[i].k)))
						eo->pooling = modes[i].p;
				cJSON_Delete(pc);
			}
		}
		cJSON_Delete(j);
	}
}

/*
 * Opens -m: a GGUF (as llm-run resolves it), or a Hugging Face model
 * directory, converted by lc_conv into an unlinked temporary GGUF.
 */
static void
open_model(lc_embed_opts *eo)
{
	lc_model_opts mo = { .kv_dtype = LC_F16 };
	char mpath[4096], tmp[4096];
	struct stat st;
	lc_conv *cv;
	const char *td;
	lc_err e;
	int fd, rc;

	snprintf(mpath, sizeof(mpath), "%s/config.json", opt.model);
	if (stat(opt.model, &st) == 0 && S_ISDIR(st.st_mode) &&
	    access(mpath, R_OK) == 0) {
		if (lc_conv_open(&cv, opt.model, NULL, &e) != LC_OK)
			die_err(&e);
		td = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		snprintf(tmp, sizeof(tmp), "%s/llm-embed.XXXXXX", td);
		if ((fd = mkstemp(tmp)) < 0)
			die("%s:", tmp);
		close(fd);
		rc = lc_conv_write(cv, LC_CONV_KEEP, tmp, NULL, &e);
		lc_conv_close(cv);
		if (rc == LC_OK)
			rc = lc_model_open(&model, tmp, be, &mo, &e);
		unlink(tmp);	/* the mapping stays */
		if (rc != LC_OK)
			die_err(&e);
		st_config(opt.model, eo);
	} else if (lc_model_resolve(opt.model, mpath, sizeof(mpath), &e) !=
	    LC_OK || lc_model_open(&model, mpath, be, &mo, &e) != LC_OK) {
		die_err(&e);
	}
	if (lc_tok_new(&tok, lc_model_gguf(model), &e) != LC_OK) {
		lc_errprefix(&e, opt.model);
		die_err(&e);
	}
	model_name = strrchr(opt.model, '/') && strrchr(opt.model, '/')[1] ?
	    strrchr(opt.model, '/') + 1 : opt.model;
}

/* ------------------------------------------------------------------ */

static void
usage(FILE *fp, int status)
{
	fprintf(fp, "usage: %s -m model [-Rq] [--csv | --tsv] [--pooling p] "
	    "[--normalize n] [--truncate] [--prefix text] [--format f] "
	    "[--similar query [-k n]] [-b n] [-n max] [-t threads] "
	    "[-d device] [file ...]\n", argv0);
	if (status == 0)
		fputs("\n"
		    "  Reads JSONL records {\"id\",\"text\"} (or OpenAI /v1/embeddings\n"
		    "  bodies and Batch lines) and writes one record per record in:\n"
		    "  {\"id\",...,\"embedding\":[...],\"dim\":N}.\n\n"
		    "  -m, --model MODEL    GGUF file, Hugging Face model directory,\n"
		    "                       ollama:NAME[:TAG], hf:ORG/NAME, or a name in\n"
		    "                       $LLM_MODELS (env LLM_MODEL)\n"
		    "  -R, --raw-input      each input line is a text\n"
		    "      --csv, --tsv     input is CSV/TSV with a header line\n"
		    "      --id-column C    the column with the id (default id)\n"
		    "      --text-column C  the column with the text (default text)\n"
		    "      --pooling P      mean, cls, last or none (default: the model's)\n"
		    "      --normalize N    l2 or none (default: l2, or the\n"
		    "                       sentence-transformers directory's)\n"
		    "      --truncate       embed the start of over-long texts\n"
		    "                       (default: an error record)\n"
		    "  -n, --max-tokens N   tokens per text (default: the model's)\n"
		    "      --prefix TEXT    put TEXT before every text (\"query: \")\n"
		    "      --format F       json (default), base64 (little-endian\n"
		    "                       f32) or f32 (raw floats, no JSON)\n"
		    "      --similar QUERY  rank the JSONL store read (records with\n"
		    "                       \"embedding\") by cosine similarity to QUERY\n"
		    "  -k, --top N          --similar: the best N (0: all; default 10)\n"
		    "  -b, --batch N        texts embedded together (default 64)\n"
		    "  -t, --threads N      threads (default: one per core)\n"
		    "  -d, --device D       cpu (default), vulkan or vulkan:N (env LLM_DEVICE)\n"
		    "      --fail-fast      stop at the first failed record\n"
		    "  -q, --quiet          no diagnostics for failed records\n"
		    "  -h, --help           this text\n"
		    "  -V, --version        the version\n", fp);
	exit(status);
}

int
main(int argc, char *argv[])
{
	enum { OPT_CSV = 256, OPT_TSV, OPT_IDCOL, OPT_TEXTCOL, OPT_POOL, OPT_NORM,
	    OPT_TRUNC, OPT_PREFIX, OPT_FORMAT, OPT_SIMILAR, OPT_FAILFAST };
	static const struct option longopts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "raw-input", no_argument, NULL, 'R' },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "tsv", no_argument, NULL, OPT_TSV },
		{ "id-column", required_argument, NULL, OPT_IDCOL },
		{ "text-column", required_argument, NULL, OPT_TEXTCOL },
		{ "pooling", required_argument, NULL, OPT_POOL },
		{ "normalize", required_argument, NULL, OPT_NORM },
		{ "truncate", no_argument, NULL, OPT_TRUNC },
		{ "max-tokens", required_argument, NULL, 'n' },
		{ "prefix", required_argument, NULL, OPT_PREFIX },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "similar", required_argument, NULL, OPT_SIMILAR },
		{ "top", required_argument, NULL, 'k' },
		{ "batch", required_argument, NULL, 'b' },
		{ "threads", required_argument, NULL, 't' },
		{ "device", required_argument, NULL, 'd' },
		{ "fail-fast", no_argument, NULL, OPT_FAILFAST },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	lc_embed_opts eo = { 0 };
	reader *rd;
	field f[256];
	int ch, ret = 0, nrd, i, nf, idc = -1, txc = -1;
	char **hdr = NULL;
	int nhdr = 0;
	lc_err e;

	argv0 = "llm-embed";
	argv[0] = (char *)argv0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	opt.model = getenv("LLM_MODEL");
	opt.pooling = LC_POOL_MODEL;
	opt.normalize = -1;
	opt.batch = 64;
	opt.top = 10;
	opt.id_col = "id";
	opt.text_col = "text";
	while ((ch = getopt_long(argc, argv, "m:Rn:k:b:t:d:qhV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'm': opt.model = optarg; break;
		case 'R': opt.input = IN_RAW; break;
		case OPT_CSV: opt.input = IN_CSV; break;
		case OPT_TSV: opt.input = IN_TSV; break;
		case OPT_IDCOL: opt.id_col = optarg; break;
		case OPT_TEXTCOL: opt.text_col = optarg; break;
		case OPT_POOL:
			if ((opt.pooling = lc_pooling_parse(optarg)) < 0)
				dien(2, "--pooling: '%s' is not mean, cls, last "
				    "or none", optarg);
			break;
		case OPT_NORM:
			if (strcmp(optarg, "l2") == 0)
				opt.normalize = 1;
			else if (strcmp(optarg, "none") == 0)
				opt.normalize = 0;
			else
				dien(2, "--normalize: '%s' is not l2 or none",
				    optarg);
			break;
		case OPT_TRUNC: opt.truncate = 1; break;
		case 'n':
			opt.max_tokens = (uint32_t)estrtonum(optarg, 1, 1 << 24,
			    "--max-tokens");
			break;
		case OPT_PREFIX: opt.prefix = optarg; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0)
				opt.format = F_JSON;
			else if (strcmp(optarg, "base64") == 0)
				opt.format = F_BASE64;
			else if (strcmp(optarg, "f32") == 0)
				opt.format = F_F32;
			else
				dien(2, "--format: '%s' is not json, base64 or "
				    "f32", optarg);
			break;
		case OPT_SIMILAR: opt.similar = optarg; break;
		case 'k':
			opt.top = (int)estrtonum(optarg, 0, 1 << 30, "--top");
			break;
		case 'b':
			opt.batch = (uint32_t)estrtonum(optarg, 1, 1 << 16,
			    "--batch");
			break;
		case 't':
			opt.threads = (int)estrtonum(optarg, 1, 1024,
			    "--threads");
			break;
		case 'd': opt.device = optarg; break;
		case OPT_FAILFAST: opt.fail_fast = 1; break;
		case 'q': opt.quiet = 1; break;
		case 'h': usage(stdout, 0); break;
		case 'V':
			printf("llm-embed %s\n", LC_VERSION);
			return fshut(stdout, "<stdout>");
		default: usage(stderr, 2);
		}
	}
	argc -= optind;
	argv += optind;
	if (opt.model == NULL) {
		warn("no model: give -m FILE or set LLM_MODEL");
		usage(stderr, 2);
	}
	if (opt.similar != NULL && opt.input != IN_JSONL)
		dien(2, "--similar reads a JSONL store, not -R, --csv or --tsv");
	be = ebackend(opt.device, opt.threads);
	eo.pooling = opt.pooling;
	eo.normalize = opt.normalize < 0 ? 1 : opt.normalize;
	eo.truncate = opt.truncate;
	eo.max_tokens = opt.max_tokens;
	eo.prefix = opt.prefix;
	open_model(&eo);
	if (lc_embed_new(&emb, model, tok, &eo, &e) != LC_OK)
		die_err(&e);
	dim = lc_embed_dim(emb);
	lc_jw_init(&jw);

	nrd = argc > 0 ? argc : 1;
	if ((rd = calloc((size_t)nrd, sizeof(*rd))) == NULL)
		die("out of memory");
	for (i = 0; i < nrd; i++) {
		rd[i].name = argc > 0 ? argv[i] : "<stdin>";
		if (argc == 0 || strcmp(argv[i], "-") == 0) {
			rd[i].fd = 0;
			rd[i].name = "<stdin>";
		} else if ((rd[i].fd = open(argv[i], O_RDONLY)) < 0) {
			die("open %s:", argv[i]);
		}
	}
	if (opt.similar != NULL) {
		ret = similar(rd, nrd);
		goto done;
	}
	for (i = 0; i < nrd && !(ret && opt.fail_fast); i++) {
		reader *r = &rd[i];
		if (opt.input == IN_CSV || opt.input == IN_TSV) {
			nf = getrec(r, opt.input == IN_TSV, f, 256);
			if (nf <= 0) {
				warn("%s: no header line%s", r->name,
				    nf < 0 ? " (malformed)" : "");
				ret = 1;
				continue;
			}
			nhdr = nf;
			if ((hdr = calloc((size_t)nf, sizeof(*hdr))) == NULL)
				die("out of memory");
			idc = txc = -1;
			for (int c = 0; c < nf; c++) {
				if ((hdr[c] = strndup(r->rec + f[c].off,
				    f[c].len)) == NULL)
					die("out of memory");
				if (strcmp(hdr[c], opt.id_col) == 0)
					idc = c;
				if (strcmp(hdr[c], opt.text_col) == 0)
					txc = c;
			}
			if (txc < 0 || idc < 0)
				die("%s:1: no column '%s' in the header",
				    r->name, txc < 0 ? opt.text_col :
				    opt.id_col);
		}
		for (;;) {
			long line;
			if (opt.input == IN_CSV || opt.input == IN_TSV) {
				line = r->lineno + 1;
				nf = getrec(r, opt.input == IN_TSV, f, 256);
				if (nf == 0)
					break;
				if (nf > 0 && bad_bytes(newrec(line), r->rec,
				    r->reclen, 1)) {
					nreq++;
				} else if (nrecs--, nf != nhdr) {
					rec *x = newrec(line);
					char m[64];
					nreq++;
					snprintf(m, sizeof(m), "%d fields, the "
					    "header has %d", nf < 0 ? 0 : nf,
					    nhdr);
					fail(x, "parse", "%s", m);
				} else {
					cJSON *o = cJSON_CreateObject();
					char *txt;
					for (int c = 0; c < nf; c++) {
						r->rec[f[c].off + f[c].len] =
						    '\0';
						cJSON_AddStringToObject(o,
						    c == idc ? "id" : c == txc ?
						    "text" : hdr[c], r->rec +
						    f[c].off);
					}
					txt = cJSON_GetObjectItemCaseSensitive(
					    o, "text")->valuestring;
					plain_rec(o, line, txt);
				}
			} else {
				if (!getline_fd(r))
					break;
				line = r->lineno;
				if (opt.input == IN_RAW) {
					cJSON *o;
					if (bad_bytes(newrec(line), r->rec,
					    r->reclen, 0)) {
						nreq++;
						goto next;
					}
					nrecs--;
					o = cJSON_CreateObject();
					cJSON_AddNumberToObject(o, "line",
					    (double)line);
					cJSON_AddStringToObject(o, "text", r->rec);
					plain_rec(o, line, cJSON_GetObjectItem(
					    o, "text")->valuestring);
				} else {
					parse_jsonl(r->rec, r->reclen, line);
				}
			}
next:
			if (nitems >= opt.batch || !ready(r)) {
				ret |= flush_chunk();
				if (ret && opt.fail_fast)
					break;
			}
		}
		ret |= flush_chunk();
		while (nhdr > 0)
			free(hdr[--nhdr]);
		free(hdr);
		hdr = NULL;
	}
done:
	for (i = 0; i < nrd; i++) {
		if (rd[i].fd > 0)
			close(rd[i].fd);
		free(rd[i].buf);
		free(rd[i].rec);
	}
	free(rd);
	free(recs);
	free(items);
	lc_jw_free(&jw);
	lc_embed_free(emb);
	lc_tok_free(tok);
	lc_model_close(model);
	be->ops->free(be);
	ret |= fshut(stdout, "<stdout>");
	return ret;
}
