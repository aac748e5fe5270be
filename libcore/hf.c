/* hf.c - validated safetensors reader. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "dtype.h"
#include "hf.h"

struct lc_st {
	const uint8_t	*base;
	uint64_t	 size, hdr;
	lc_st_info	*t;
	uint64_t	 nt;
	char		**meta;		/* key, value, key, value, ... */
	uint64_t	 nmeta;
	char		*names;		/* all tensor names, NUL-separated */
};

static const struct {
	const char	*name;
	uint32_t	 size;
	int		 lc;
} stypes[] = {
	{ "F64", 8, LC_F64 },	{ "F32", 4, LC_F32 },	{ "F16", 2, LC_F16 },
	{ "BF16", 2, LC_BF16 },	{ "I64", 8, LC_I64 },	{ "I32", 4, LC_I32 },
	{ "I16", 2, LC_I16 },	{ "I8", 1, LC_I8 },	{ "U64", 8, -1 },
	{ "U32", 4, -1 },	{ "U16", 2, -1 },	{ "U8", 1, -1 },
	{ "BOOL", 1, -1 },	{ "F8_E4M3", 1, -1 },	{ "F8_E5M2", 1, -1 },
};

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
cmp_off(const void *a, const void *b)
{
	const lc_st_info *x = a, *y = b;

	if (x->offset != y->offset)
		return (x->offset > y->offset) - (x->offset < y->offset);
	return (x->nbytes > y->nbytes) - (x->nbytes < y->nbytes);
}

/* No C0 or C1 control characters (cJSON has validated nothing else). */
static int
printable(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	for (; *u; u++)
		if (*u < 0x20 || *u == 0x7f || (u[0] == 0xc2 && u[1] >= 0x80 &&
		    u[1] < 0xa0))
			return 0;
	return 1;
}

/* A JSON number that is a non-negative integer below 2^53. */
static int
getint(const cJSON *j, uint64_t *out)
{
	double d;

	if (!cJSON_IsNumber(j))
		return -1;
	d = j->valuedouble;
	if (!(d >= 0 && d <= 9007199254740992.0) || floor(d) != d)
		return -1;
	*out = (uint64_t)d;
	return 0;
}

static int
parse_tensor(lc_st *st, const cJSON *j, lc_st_info *t, lc_err *e)
{
	const cJSON *dt, *sh, *off, *x;
	uint64_t begin, end, n, datasz = st->size - 8 - st->hdr;
	size_t k;
	int i;

	if (!cJSON_IsObject(j))
		return lc_errf(e, LC_EFORMAT, "tensor '%s': not an object",
		    t->name);
	dt = cJSON_GetObjectItemCaseSensitive(j, "dtype");
	sh = cJSON_GetObjectItemCaseSensitive(j, "shape");
	off = cJSON_GetObjectItemCaseSensitive(j, "data_offsets");
	if (!cJSON_IsString(dt))
		return lc_errf(e, LC_EFORMAT, "tensor '%s': dtype missing or "
		    "not a string", t->name);
	for (k = 0; k < sizeof(stypes) / sizeof(stypes[0]); k++)
		if (strcmp(dt->valuestring, stypes[k].name) == 0)
			break;
	if (k == sizeof(stypes) / sizeof(stypes[0]))
		return lc_errf(e, LC_EFORMAT, "tensor '%s': unknown dtype "
		    "'%.32s'", t->name, dt->valuestring);
	t->dtype = stypes[k].name;
	t->lc_dtype = stypes[k].lc;
	t->elsize = stypes[k].size;
	if (!cJSON_IsArray(sh) || cJSON_GetArraySize(sh) > LC_ST_MAX_DIMS)
		return lc_errf(e, LC_EFORMAT, "tensor '%s': shape must be an "
		    "array of at most %d integers", t->name, LC_ST_MAX_DIMS);
	t->ndim = 0;
	t->nelem = 1;
	cJSON_ArrayForEach(x, sh) {
		if (getint(x, &n) != 0)
			return lc_errf(e, LC_EFORMAT, "tensor '%s': shape[%u] "
			    "is not a non-negative integer", t->name, t->ndim);
		if (__builtin_mul_overflow(t->nelem, n, &t->nelem))
			return lc_errf(e, LC_EFORMAT, "tensor '%s': element "
			    "count overflows", t->name);
		t->shape[t->ndim++] = n;
	}
	if (!cJSON_IsArray(off) || cJSON_GetArraySize(off) != 2 ||
	    getint(cJSON_GetArrayItem(off, 0), &begin) != 0 ||
	    getint(cJSON_GetArrayItem(off, 1), &end) != 0 || begin > end)
		return lc_errf(e, LC_EFORMAT, "tensor '%s': data_offsets must "
		    "be [begin, end] with begin <= end", t->name);
	if (__builtin_mul_overflow(t->nelem, (uint64_t)t->elsize, &n) ||
	    n != end - begin)
		return lc_errf(e, LC_EFORMAT, "tensor '%s': %llu bytes at "
		    "data_offsets, shape and dtype need %llu", t->name,
		    (unsigned long long)(end - begin),
		    (unsigned long long)n);
	if (end > datasz)
		return lc_errf(e, LC_EFORMAT, "tensor '%s': data_offsets end "
		    "%llu past the %llu-byte buffer (file truncated?)",
		    t->name, (unsigned long long)end,
		    (unsigned long long)datasz);
	t->nbytes = n;
	t->offset = 8 + st->hdr + begin;
	t->data = st->base + t->offset;
	for (i = (int)t->ndim; i < LC_ST_MAX_DIMS; i++)
		t->shape[i] = 1;
	return LC_OK;
}

static int
parse(lc_st *st, lc_err *e)
{
	const cJSON *j, *m;
	const char *end, **names;
	cJSON *root;
	uint64_t i, pos, namesz = 0;
	char *np;
	int rc = LC_OK;

	if (st->size < 8)
		return lc_errf(e, LC_EFORMAT, "truncated: %llu bytes, the "
		    "header length alone needs 8", (unsigned long long)st->size);
	for (i = 0, st->hdr = 0; i < 8; i++)
		st->hdr |= (uint64_t)st->base[i] << 8 * i;
	if (st->hdr > st->size - 8)
		return lc_errf(e, LC_EFORMAT, "header length %llu exceeds the "
		    "%llu bytes left", (unsigned long long)st->hdr,
		    (unsigned long long)(st->size - 8));
	if (st->hdr > LC_ST_MAX_HEADER)
		return lc_errf(e, LC_EFORMAT, "header length %llu exceeds the "
		    "limit of %u", (unsigned long long)st->hdr,
		    LC_ST_MAX_HEADER);
	if (st->hdr < 2 || st->base[8] != '{')
		return lc_errf(e, LC_EFORMAT, "header does not start with '{': "
		    "not a safetensors file");
	root = cJSON_ParseWithLengthOpts((const char *)st->base + 8,
	    (size_t)st->hdr, &end, 0);
	if (root == NULL || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return lc_errf(e, LC_EFORMAT, "header is not a JSON object");
	}
	/* the format pads the header with spaces, nothing else */
	for (; end < (const char *)st->base + 8 + st->hdr; end++)
		if (*end != ' ' && *end != '\t' && *end != '\n' &&
		    *end != '\r') {
			cJSON_Delete(root);
			return lc_errf(e, LC_EFORMAT, "header has bytes after "
			    "its JSON object (offset %llu)", (unsigned long long)
			    (end - (const char *)st->base));
		}
	cJSON_ArrayForEach(j, root) {
		if (strcmp(j->string, "__metadata__") == 0)
			continue;
		st->nt++;
		namesz += strlen(j->string) + 1;
	}
	st->t = calloc(st->nt ? st->nt : 1, sizeof(*st->t));
	st->names = malloc(namesz ? namesz : 1);
	if (st->t == NULL || st->names == NULL) {
		rc = lc_errf(e, LC_ENOMEM, "tensor index");
		goto out;
	}
	np = st->names;
	i = 0;
	cJSON_ArrayForEach(j, root) {
		if (strcmp(j->string, "__metadata__") == 0)
			continue;
		if (!printable(j->string)) {
			rc = lc_errf(e, LC_EFORMAT, "tensor %llu: name contains "
			    "control characters", (unsigned long long)i);
			goto out;
		}
		st->t[i].name = strcpy(np, j->string);
		np += strlen(np) + 1;
		if ((rc = parse_tensor(st, j, &st->t[i], e)) != LC_OK)
			goto out;
		i++;
	}
	m = cJSON_GetObjectItemCaseSensitive(root, "__metadata__");
	if (m != NULL) {
		if (!cJSON_IsObject(m)) {
			rc = lc_errf(e, LC_EFORMAT, "__metadata__ is not an "
			    "object");
			goto out;
		}
		st->nmeta = (uint64_t)cJSON_GetArraySize(m);
		if ((st->meta = calloc(2 * st->nmeta + 1,
		    sizeof(*st->meta))) == NULL) {
			rc = lc_errf(e, LC_ENOMEM, "metadata");
			goto out;
		}
		i = 0;
		cJSON_ArrayForEach(j, m) {
			if (!cJSON_IsString(j)) {
				rc = lc_errf(e, LC_EFORMAT, "__metadata__ '%s': "
				    "value is not a string", j->string);
				goto out;
			}
			if ((st->meta[i++] = strdup(j->string)) == NULL ||
			    (st->meta[i++] = strdup(j->valuestring)) == NULL) {
				rc = lc_errf(e, LC_ENOMEM, "metadata");
				goto out;
			}
		}
	}
	/* names are unique (JSON allows a key twice; the format does not) */
	if ((names = malloc((st->nt ? st->nt : 1) * sizeof(*names))) == NULL) {
		rc = lc_errf(e, LC_ENOMEM, "tensor index");
		goto out;
	}
	for (i = 0; i < st->nt; i++)
		names[i] = st->t[i].name;
	qsort(names, st->nt, sizeof(*names), cmp_name);
	for (i = 1; i < st->nt; i++)
		if (strcmp(names[i - 1], names[i]) == 0) {
			rc = lc_errf(e, LC_EFORMAT, "tensor '%s' appears twice",
			    names[i]);
			free(names);
			goto out;
		}
	free(names);
	qsort(st->t, st->nt, sizeof(*st->t), cmp_off);
	pos = 8 + st->hdr;
	for (i = 0; i < st->nt; i++) {
		if (st->t[i].offset < pos) {
			rc = lc_errf(e, LC_EFORMAT, "tensor '%s': data at offset "
			    "%llu overlaps tensor '%s'", st->t[i].name,
			    (unsigned long long)st->t[i].offset,
			    st->t[i - 1].name);
			goto out;
		}
		if (st->t[i].offset > pos) {
			rc = lc_errf(e, LC_EFORMAT, "tensor '%s': %llu unused "
			    "bytes before its data at offset %llu",
			    st->t[i].name,
			    (unsigned long long)(st->t[i].offset - pos),
			    (unsigned long long)st->t[i].offset);
			goto out;
		}
		pos += st->t[i].nbytes;
	}
	if (pos != st->size)
		rc = lc_errf(e, LC_EFORMAT, "%llu bytes after the last tensor "
		    "(offset %llu)", (unsigned long long)(st->size - pos),
		    (unsigned long long)pos);
out:
	cJSON_Delete(root);
	return rc;
}

int
lc_st_open(lc_st **out, const char *path, lc_err *e)
{
	struct stat st;
	lc_st *s;
	void *p;
	int fd, rc;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return lc_errsys(e, "%s", path);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		rc = S_ISREG(st.st_mode) ?
		    lc_errf(e, LC_EFORMAT, "%s: empty file", path) :
		    lc_errf(e, LC_EFORMAT, "%s: not a regular file", path);
		close(fd);
		return rc;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return lc_errsys(e, "%s: mmap", path);
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		munmap(p, (size_t)st.st_size);
		return lc_errf(e, LC_ENOMEM, "%s", path);
	}
	s->base = p;
	s->size = (uint64_t)st.st_size;
	if ((rc = parse(s, e)) != LC_OK) {
		lc_errprefix(e, path);
		lc_st_close(s);
		return rc;
	}
	*out = s;
	return LC_OK;
}

void
lc_st_close(lc_st *s)
{
	uint64_t i;

	if (s == NULL)
		return;
	munmap((void *)s->base, (size_t)s->size);
	for (i = 0; s->meta != NULL && i < 2 * s->nmeta; i++)
		free(s->meta[i]);
	free(s->meta);
	free(s->t);
	free(s->names);
	free(s);
}

uint64_t lc_st_size(const lc_st *s) { return s->size; }
uint64_t lc_st_header_size(const lc_st *s) { return s->hdr; }
uint64_t lc_st_ntensors(const lc_st *s) { return s->nt; }
uint64_t lc_st_nmeta(const lc_st *s) { return s->nmeta; }

void
lc_st_tensor(const lc_st *s, uint64_t i, lc_st_info *out)
{
	*out = s->t[i];
}

int
lc_st_find(const lc_st *s, const char *name, lc_st_info *out)
{
	uint64_t i;

	for (i = 0; i < s->nt; i++)
		if (strcmp(s->t[i].name, name) == 0) {
			*out = s->t[i];
			return LC_OK;
		}
	return LC_ENOTFOUND;
}

void
lc_st_meta(const lc_st *s, uint64_t i, const char **key, const char **val)
{
	*key = s->meta[2 * i];
	*val = s->meta[2 * i + 1];
}

int
lc_slurp(const char *path, size_t max, char **buf, size_t *len, lc_err *e)
{
	struct stat st;
	ssize_t k;
	size_t n = 0;
	char *p;
	int fd;

	*buf = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return lc_errsys(e, "%s", path);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return lc_errf(e, LC_EIO, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return lc_errf(e, LC_EFORMAT, "%s: %lld bytes, more than the "
		    "limit of %zu", path, (long long)st.st_size, max);
	}
	if ((p = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return lc_errf(e, LC_ENOMEM, "%s", path);
	}
	while (n < (size_t)st.st_size) {
		if ((k = read(fd, p + n, (size_t)st.st_size - n)) < 0) {
			if (errno == EINTR)
				continue;
			lc_errsys(e, "%s", path);
			free(p);
			close(fd);
			return LC_EIO;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	p[n] = '\0';
	*buf = p;
	*len = n;
	return LC_OK;
}

void
lc_hf_tok_free(lc_hf_tok *t)
{
	free(t->chat_template);
	t->chat_template = NULL;
}

/* Parses dir/name as a JSON object; *root NULL (LC_OK) if absent. */
static int
readjson(const char *dir, const char *name, cJSON **root, lc_err *e)
{
	char path[4096], *text;
	size_t len;
	int rc;

	*root = NULL;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return lc_errf(e, LC_EINVAL, "%s: path too long", dir);
	if (access(path, F_OK) != 0)
		return LC_OK;
	if ((rc = lc_slurp(path, 256u << 20, &text, &len, e)) != LC_OK)
		return rc;
	*root = cJSON_ParseWithLength(text, len);
	free(text);
	if (*root == NULL || !cJSON_IsObject(*root)) {
		cJSON_Delete(*root);
		*root = NULL;
		return lc_errf(e, LC_EFORMAT, "%s: not a JSON object", path);
	}
	return LC_OK;
}

int
lc_hf_tok_read(lc_hf_tok *t, const char *dir, lc_err *e)
{
	const cJSON *m, *j, *x;
	cJSON *root;
	int rc;

	memset(t, 0, sizeof(*t));
	if ((rc = readjson(dir, "tokenizer.json", &root, e)) != LC_OK)
		return rc;
	if (root != NULL) {
		m = cJSON_GetObjectItemCaseSensitive(root, "model");
		j = cJSON_GetObjectItemCaseSensitive(m, "type");
		if (cJSON_IsString(j))
			snprintf(t->model, sizeof(t->model), "%s",
			    j->valuestring);
		j = cJSON_GetObjectItemCaseSensitive(m, "vocab");
		if (cJSON_IsObject(j) || cJSON_IsArray(j))
			t->n_vocab = (uint64_t)cJSON_GetArraySize(j);
		j = cJSON_GetObjectItemCaseSensitive(root, "added_tokens");
		if (cJSON_IsArray(j))
			t->n_added = (uint64_t)cJSON_GetArraySize(j);
		cJSON_Delete(root);
	}
	if ((rc = readjson(dir, "tokenizer_config.json", &root, e)) != LC_OK)
		return rc;
	if (root == NULL)
		return LC_OK;
	j = cJSON_GetObjectItemCaseSensitive(root, "chat_template");
	if (cJSON_IsArray(j)) {	/* [{"name": "default", "template": ...}] */
		cJSON_ArrayForEach(x, j) {
			m = cJSON_GetObjectItemCaseSensitive(x, "name");
			if (cJSON_IsString(m) &&
			    strcmp(m->valuestring, "default") == 0) {
				j = cJSON_GetObjectItemCaseSensitive(x,
				    "template");
				break;
			}
		}
	}
	if (cJSON_IsString(j) &&
	    (t->chat_template = strdup(j->valuestring)) == NULL)
		rc = lc_errf(e, LC_ENOMEM, "%s: chat template", dir);
	cJSON_Delete(root);
	return rc;
}
