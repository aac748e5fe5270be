/*
 * pack_manifest.c - MANIFEST.json of a pack: parse, validate, and the
 * SHA256SUMS derived from it; member-name rules.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pack.h"
#include "sha256.h"
#include "utf8.h"

int
lc_pack_name_ok(const char *name, const char **why)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t n = strlen(name), i, comp = 0, depth = 1, len;
	uint32_t cp;
	const char *w = NULL;

	if (n == 0)
		w = "empty name";
	else if (n > LC_PACK_MAX_PATH)
		w = "name too long";
	else if (name[0] == '/')
		w = "absolute path";
	else if (strcmp(name, LC_PACK_MANIFEST) == 0 ||
	    strcmp(name, LC_PACK_SIG) == 0 || strcmp(name, LC_PACK_SUMS) == 0 ||
	    strncmp(name, LC_PACK_STAGING, strlen(LC_PACK_STAGING)) == 0)
		w = "reserved name";
	for (i = 0; w == NULL && i <= n; i++) {
		if (i == n || s[i] == '/') {
			if (comp == 0)
				w = "empty path component";
			else if (comp == 1 && s[i - 1] == '.')
				w = "'.' component";
			else if (comp == 2 && s[i - 1] == '.' && s[i - 2] == '.')
				w = "'..' component";
			else if (comp > LC_PACK_MAX_COMPONENT)
				w = "path component too long";
			else if (i < n && ++depth > LC_PACK_MAX_DEPTH)
				w = "too many directory levels";
			comp = 0;
			continue;
		}
		if (s[i] < 0x20 || s[i] == 0x7f)
			w = "control character";
		else if (s[i] == '\\')
			w = "backslash";
		else if (s[i] >= 0x80) {
			len = lc_utf8_next(s + i, n - i, &cp);
			if (len == 0 || (cp >= 0x80 && cp < 0xa0)) {
				w = "invalid UTF-8 or C1 control";
			} else {
				comp += len;
				i += len - 1;
			}
			continue;
		}
		comp++;
	}
	if (why)
		*why = w;
	return w == NULL;
}

static int
ishex(const char *s, size_t n)
{
	size_t i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

void
lc_pack_manifest_free(lc_pack_manifest *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nfiles; i++) {
		free(m->files[i].path);
		free(m->files[i].role);
	}
	free(m->files);
	free(m->created_by);
	free(m->ollama_name);
	cJSON_Delete(m->json);
	free(m->text);
	free(m);
}

static int
cmpcase(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* Exact, non-negative integer from a JSON number. */
static int
getu64(const cJSON *o, const char *k, uint64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) ||
	    v->valuedouble > 9007199254740992.0 ||
	    v->valuedouble != (double)(uint64_t)v->valuedouble)
		return -1;
	*out = (uint64_t)v->valuedouble;
	return 0;
}

static const char *
getstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int
lc_pack_manifest_parse(lc_pack_manifest **out, const char *text, size_t len,
    lc_err *e)
{
	lc_pack_manifest *m;
	const cJSON *files, *f, *ol;
	const char *s, *why, *fmt;
	char **names = NULL;
	uint64_t v, total = 0;
	size_t i, n;
	int rc = LC_EFORMAT;

	*out = NULL;
	if (len > LC_PACK_MAX_MANIFEST)
		return lc_errf(e, LC_EFORMAT, "%s: %zu bytes, more than the "
		    "limit of %u", LC_PACK_MANIFEST, len, LC_PACK_MAX_MANIFEST);
	if (lc_utf8_valid((const unsigned char *)text, len) != len)
		return lc_errf(e, LC_EFORMAT, "%s: invalid UTF-8",
		    LC_PACK_MANIFEST);
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->text = malloc(len + 1)) == NULL) {
		free(m);
		return lc_errf(e, LC_ENOMEM, "%s", LC_PACK_MANIFEST);
	}
	memcpy(m->text, text, len);
	m->text[len] = '\0';
	m->textlen = len;
	if ((m->json = cJSON_ParseWithLength(text, len)) == NULL ||
	    !cJSON_IsObject((cJSON *)m->json)) {
		lc_errf(e, LC_EFORMAT, "%s: not a JSON object",
		    LC_PACK_MANIFEST);
		goto fail;
	}
	fmt = getstr(m->json, "format");
	if (fmt == NULL || strcmp(fmt, LC_PACK_FORMAT) != 0) {
		lc_errf(e, LC_EFORMAT, "%s: format is not \"%s\"",
		    LC_PACK_MANIFEST, LC_PACK_FORMAT);
		goto fail;
	}
	if (getu64(m->json, "version", &v) != 0 || v < 1) {
		lc_errf(e, LC_EFORMAT, "%s: version: not a positive integer",
		    LC_PACK_MANIFEST);
		goto fail;
	}
	if (v > LC_PACK_VERSION) {
		rc = lc_errf(e, LC_EUNSUP, "%s: version %llu is newer than "
		    "this llm-pack reads (%d)", LC_PACK_MANIFEST,
		    (unsigned long long)v, LC_PACK_VERSION);
		goto fail;
	}
	m->version = (uint32_t)v;
	if ((s = getstr(m->json, "created_by")) != NULL &&
	    (m->created_by = strdup(s)) == NULL)
		goto oom;
	if (cJSON_GetObjectItemCaseSensitive(m->json, "volume_bytes") &&
	    getu64(m->json, "volume_bytes", &m->volume_bytes) != 0) {
		lc_errf(e, LC_EFORMAT, "%s: volume_bytes: not an integer",
		    LC_PACK_MANIFEST);
		goto fail;
	}
	if ((ol = cJSON_GetObjectItemCaseSensitive(m->json, "ollama")) &&
	    (s = getstr(ol, "name")) != NULL &&
	    (m->ollama_name = strdup(s)) == NULL)
		goto oom;
	files = cJSON_GetObjectItemCaseSensitive(m->json, "files");
	if (!cJSON_IsArray(files)) {
		lc_errf(e, LC_EFORMAT, "%s: files: not an array",
		    LC_PACK_MANIFEST);
		goto fail;
	}
	n = (size_t)cJSON_GetArraySize(files);
	if (n > LC_PACK_MAX_FILES) {
		lc_errf(e, LC_EFORMAT, "%s: %zu files, more than the limit of "
		    "%d", LC_PACK_MANIFEST, n, LC_PACK_MAX_FILES);
		goto fail;
	}
	if ((m->files = calloc(n ? n : 1, sizeof(*m->files))) == NULL ||
	    (names = calloc(n ? n : 1, sizeof(*names))) == NULL)
		goto oom;
	i = 0;
	cJSON_ArrayForEach(f, files) {
		lc_pack_entry *en = &m->files[i];

		if (!cJSON_IsObject(f) || (s = getstr(f, "path")) == NULL) {
			lc_errf(e, LC_EFORMAT, "%s: files[%zu].path: missing",
			    LC_PACK_MANIFEST, i);
			goto fail;
		}
		if (!lc_pack_name_ok(s, &why)) {
			lc_errf(e, LC_EFORMAT, "%s: files[%zu].path '%.200s': "
			    "%s", LC_PACK_MANIFEST, i, s, why);
			goto fail;
		}
		if ((en->path = strdup(s)) == NULL)
			goto oom;
		m->nfiles = ++i;
		names[i - 1] = en->path;
		if (getu64(f, "bytes", &en->bytes) != 0) {
			lc_errf(e, LC_EFORMAT, "%s: files[%zu].bytes: not an "
			    "integer", LC_PACK_MANIFEST, i - 1);
			goto fail;
		}
		total += en->bytes;
		s = getstr(f, "sha256");
		if (s == NULL || !ishex(s, 64)) {
			lc_errf(e, LC_EFORMAT, "%s: files[%zu].sha256: not 64 "
			    "lower-case hex digits", LC_PACK_MANIFEST, i - 1);
			goto fail;
		}
		memcpy(en->sha256, s, 65);
		s = getstr(f, "xxh3_128");
		if (s == NULL || !ishex(s, 32)) {
			lc_errf(e, LC_EFORMAT, "%s: files[%zu].xxh3_128: not 32 "
			    "lower-case hex digits", LC_PACK_MANIFEST, i - 1);
			goto fail;
		}
		memcpy(en->xxh3, s, 33);
		s = getstr(f, "role");
		if ((en->role = strdup(s ? s : "file")) == NULL)
			goto oom;
	}
	m->total_bytes = total;
	/* unique, also under case folding (case-insensitive file systems),
	   and no file is the directory of another */
	qsort(names, n, sizeof(*names), cmpcase);
	for (i = 0; i + 1 < n; i++) {
		if (strcasecmp(names[i], names[i + 1]) == 0) {
			lc_errf(e, LC_EFORMAT, "%s: '%.200s' is listed twice "
			    "(or differs only in case)", LC_PACK_MANIFEST,
			    names[i + 1]);
			goto fail;
		}
	}
	for (i = 0; i < n; i++) {
		char dir[LC_PACK_MAX_PATH + 1], *key = dir, *slash;

		snprintf(dir, sizeof(dir), "%s", names[i]);
		for (slash = strchr(dir, '/'); slash; slash = strchr(slash + 1,
		    '/')) {
			*slash = '\0';
			if (bsearch(&key, names, n, sizeof(*names), cmpcase)) {
				lc_errf(e, LC_EFORMAT, "%s: '%.200s' is a file "
				    "and a directory of '%.200s'",
				    LC_PACK_MANIFEST, dir, names[i]);
				goto fail;
			}
			*slash = '/';
		}
	}
	free(names);
	*out = m;
	return LC_OK;
oom:
	rc = lc_errf(e, LC_ENOMEM, "%s", LC_PACK_MANIFEST);
fail:
	free(names);
	lc_pack_manifest_free(m);
	return rc;
}

char *
lc_pack_sums(const lc_pack_manifest *m, size_t *len)
{
	size_t i, n = 64 + 2 + strlen(LC_PACK_MANIFEST) + 1;
	char *s, *p, hex[65];

	for (i = 0; i < m->nfiles; i++)
		n += 64 + 2 + strlen(m->files[i].path) + 1;
	if ((s = malloc(n + 1)) == NULL)
		return NULL;
	lc_sha256_buf(m->text, m->textlen, hex);
	p = s + sprintf(s, "%s  %s\n", hex, LC_PACK_MANIFEST);
	for (i = 0; i < m->nfiles; i++)
		p += sprintf(p, "%s  %s\n", m->files[i].sha256,
		    m->files[i].path);
	*len = n;
	return s;
}
