/*
 * pack_ollama.c - Ollama stores: what to pack for ollama:NAME[:TAG], and
 * the config blob and manifest that make an extracted GGUF a model an
 * Ollama install lists (layout: reference/OLLAMA-STORE.md).
 *
 *   ROOT/manifests/HOST/NAMESPACE/MODEL/TAG   Docker v2 manifest (JSON)
 *   ROOT/blobs/sha256-<64 hex>                content-addressed layers
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hf.h"
#include "jsonw.h"
#include "pack.h"
#include "sha256.h"

#define HOST	"registry.ollama.ai"
#define NS	"library"

/* [A-Za-z0-9._-]+ components, at most maxparts of them, no "." / "..". */
static int
goodname(const char *s, int maxparts)
{
	int parts = 1;
	size_t len = 0;

	for (; *s; s++) {
		if (*s == '/') {
			if (len == 0 || ++parts > maxparts)
				return 0;
			len = 0;
			continue;
		}
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		    *s == '-'))
			return 0;
		if (*s == '.' && (len == 0 || s[-1] == '.'))
			return 0;
		len++;
	}
	return len > 0;
}

/* Splits spec "[host/][ns/]model[:tag]" into its parts (in buf). */
static int
splitname(const char *spec, char *buf, size_t len, const char **host,
    const char **ns, const char **model, const char **tag, lc_err *e)
{
	char *colon, *s1, *s2;

	*host = HOST;
	*ns = NS;
	*tag = "latest";
	if (snprintf(buf, len, "%s", spec) >= (int)len)
		return lc_errf(e, LC_EFORMAT, "ollama:%s: name too long", spec);
	if ((colon = strrchr(buf, ':')) != NULL) {
		*colon = '\0';
		*tag = colon + 1;
	}
	if (!goodname(buf, 3) || !goodname(*tag, 1))
		return lc_errf(e, LC_EFORMAT, "ollama:%s: not a model name "
		    "([host/][namespace/]name[:tag], letters, digits, . _ -)",
		    spec);
	*model = buf;
	if ((s1 = strchr(buf, '/')) != NULL) {
		*s1 = '\0';
		if ((s2 = strchr(s1 + 1, '/')) != NULL) {
			*s2 = '\0';
			*host = buf;
			*ns = s1 + 1;
			*model = s2 + 1;
		} else {
			*ns = buf;
			*model = s1 + 1;
		}
	}
	return LC_OK;
}

int
lc_pack_ollama_manifest_path(const char *spec, char *out, size_t len,
    lc_err *e)
{
	const char *host, *ns, *model, *tag;
	char buf[512];
	int rc;

	if ((rc = splitname(spec, buf, sizeof(buf), &host, &ns, &model, &tag,
	    e)) != LC_OK)
		return rc;
	if (snprintf(out, len, "manifests/%s/%s/%s/%s", host, ns, model,
	    tag) >= (int)len)
		return lc_errf(e, LC_EFORMAT, "ollama:%s: name too long", spec);
	return LC_OK;
}

static void
storeroot(char *root, size_t len)
{
	const char *env = getenv("OLLAMA_MODELS"), *home = getenv("HOME");
	struct stat st;

	if (env != NULL && *env != '\0') {
		snprintf(root, len, "%s", env);
		return;
	}
	if (home != NULL) {
		snprintf(root, len, "%s/.ollama/models", home);
		if (stat(root, &st) == 0 && S_ISDIR(st.st_mode))
			return;
	}
	snprintf(root, len, "/usr/share/ollama/.ollama/models");
}

/* "sha256:<64 hex>" (or sha256-): the hex, lower-cased, into hex. */
static int
digest(const char *d, char hex[65])
{
	size_t i;

	if (d == NULL || strlen(d) != 71 || strncmp(d, "sha256", 6) != 0 ||
	    (d[6] != ':' && d[6] != '-'))
		return -1;
	for (i = 0; i < 64; i++) {
		char c = d[7 + i];
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -1;
		hex[i] = c;
	}
	hex[64] = '\0';
	return 0;
}

void
lc_pack_srcs_free(lc_pack_src *src, size_t n)
{
	size_t i;

	for (i = 0; src && i < n; i++) {
		free((char *)src[i].src);
		free((char *)src[i].name);
		free((char *)src[i].expect_sha256);
	}
	free(src);
}

static int
addsrc(lc_pack_src *s, size_t *n, const char *root, const char *member,
    const char *role, const char *hex)
{
	size_t i, len = strlen(root) + strlen(member) + 2;
	char *p;

	for (i = 0; i < *n; i++)
		if (strcmp(s[i].name, member) == 0)
			return 0;		/* a layer listed twice */
	if ((p = malloc(len)) == NULL)
		return -1;
	snprintf(p, len, "%s/%s", root, member);
	s[*n].src = p;
	s[*n].role = role;
	if ((s[*n].name = strdup(member)) == NULL)
		return -1;
	s[*n].expect_sha256 = hex ? strdup(hex) : NULL;
	if (hex && s[*n].expect_sha256 == NULL)
		return -1;
	(*n)++;
	return 0;
}

int
lc_pack_ollama_srcs(const char *spec, lc_pack_src **src, size_t *n,
    char **name, lc_err *e)
{
	const char *host, *ns, *model, *tag;
	char buf[512], root[2048], mpath[512], path[4096], hex[65];
	char member[128];
	const cJSON *cfg, *layers, *l, *mt;
	lc_pack_src *s = NULL;
	cJSON *j = NULL;
	char *text = NULL;
	size_t len, cap;
	int rc;

	*src = NULL;
	*n = 0;
	*name = NULL;
	if ((rc = splitname(spec, buf, sizeof(buf), &host, &ns, &model, &tag,
	    e)) != LC_OK)
		return rc;
	storeroot(root, sizeof(root));
	snprintf(mpath, sizeof(mpath), "manifests/%s/%s/%s/%s", host, ns,
	    model, tag);
	snprintf(path, sizeof(path), "%s/%s", root, mpath);
	if (access(path, F_OK) != 0)
		return lc_errf(e, LC_ENOTFOUND, "ollama:%s: no manifest %s",
		    spec, path);
	if ((rc = lc_slurp(path, 1 << 20, &text, &len, e)) != LC_OK)
		return rc;
	j = cJSON_ParseWithLength(text, len);
	free(text);
	cfg = cJSON_GetObjectItemCaseSensitive(j, "config");
	layers = cJSON_GetObjectItemCaseSensitive(j, "layers");
	if (!cJSON_IsObject(j) || !cJSON_IsArray(layers)) {
		rc = lc_errf(e, LC_EFORMAT, "%s: not an Ollama manifest (no "
		    "layers)", path);
		goto fail;
	}
	cap = (size_t)cJSON_GetArraySize(layers) + 2;
	if ((s = calloc(cap, sizeof(*s))) == NULL)
		goto oom;
	if (cfg) {
		if (digest(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		    cfg, "digest")), hex) != 0) {
			rc = lc_errf(e, LC_EFORMAT, "%s: config digest is not "
			    "sha256:<64 hex digits>", path);
			goto fail;
		}
		snprintf(member, sizeof(member), "blobs/sha256-%s", hex);
		if (addsrc(s, n, root, member, "ollama-config", hex) != 0)
			goto oom;
	}
	cJSON_ArrayForEach(l, layers) {
		if (digest(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		    l, "digest")), hex) != 0) {
			rc = lc_errf(e, LC_EFORMAT, "%s: a layer digest is not "
			    "sha256:<64 hex digits>", path);
			goto fail;
		}
		mt = cJSON_GetObjectItemCaseSensitive(l, "mediaType");
		snprintf(member, sizeof(member), "blobs/sha256-%s", hex);
		if (addsrc(s, n, root, member, cJSON_IsString(mt) &&
		    strcmp(mt->valuestring,
		    "application/vnd.ollama.image.model") == 0 ? "model" :
		    "ollama-blob", hex) != 0)
			goto oom;
	}
	if (addsrc(s, n, root, mpath, "ollama-manifest", NULL) != 0)
		goto oom;
	snprintf(path, sizeof(path), "%s/%s/%s:%s", host, ns, model, tag);
	if ((*name = strdup(path)) == NULL)
		goto oom;
	cJSON_Delete(j);
	*src = s;
	return LC_OK;
oom:
	rc = lc_errf(e, LC_ENOMEM, "ollama:%s", spec);
fail:
	cJSON_Delete(j);
	lc_pack_srcs_free(s, *n);
	*n = 0;
	return rc;
}

/* Writes text as root/rel through rel.tmp + fsync + rename. */
static int
putfile(const char *root, const char *rel, const char *text, size_t n,
    lc_err *e)
{
	char path[4200], tmp[4300], *p;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return lc_errsys(e, "%s", path);
		*p = '/';
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) < 0)
		return lc_errsys(e, "%s", tmp);
	if (write(fd, text, n) != (ssize_t)n || fsync(fd) != 0) {
		lc_errsys(e, "%s", tmp);
		close(fd);
		unlink(tmp);
		return LC_EIO;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		lc_errsys(e, "%s", path);
		unlink(tmp);
		return LC_EIO;
	}
	return LC_OK;
}

int
lc_pack_ollama_publish(const char *root, int rootfd, const char *name,
    const lc_pack_manifest *m, lc_err *e)
{
	const lc_pack_entry *model = NULL, *lic = NULL;
	const cJSON *models, *mj;
	const char *arch = "", *base;
	char nm[256], rel[512], cfghex[65];
	lc_jw w;
	size_t i, k;
	int rc, nmodels = 0;

	(void)rootfd;
	for (i = 0; i < m->nfiles; i++) {
		base = strrchr(m->files[i].path, '/');
		base = base ? base + 1 : m->files[i].path;
		if (strcmp(m->files[i].role, "model") == 0) {
			model = &m->files[i];
			nmodels++;
		} else if (strncasecmp(base, "LICENSE", 7) == 0 && !lic) {
			lic = &m->files[i];
		}
	}
	if (nmodels != 1)
		return lc_errf(e, LC_EINVAL, "the pack holds %d models; an "
		    "Ollama name takes one", nmodels);
	if (name == NULL) {
		base = strrchr(model->path, '/');
		base = base ? base + 1 : model->path;
		for (k = 0; base[k] && k + 1 < sizeof(nm); k++) {
			char c = base[k];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			nm[k] = ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			    c == '.' || c == '_' || c == '-') ? c : '-';
		}
		nm[k] = '\0';
		if (k > 5 && strcmp(nm + k - 5, ".gguf") == 0)
			nm[k - 5] = '\0';
		while (nm[0] == '.' || nm[0] == '-')
			memmove(nm, nm + 1, strlen(nm));
		name = nm;
	}
	if ((rc = lc_pack_ollama_manifest_path(name, rel, sizeof(rel), e)) !=
	    LC_OK)
		return rc;
	models = cJSON_GetObjectItemCaseSensitive(m->json, "models");
	cJSON_ArrayForEach(mj, models)
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		    mj, "path")) ? cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(mj, "path")) : "",
		    model->path) == 0 && cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(mj, "arch")))
			arch = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(mj, "arch"));
	/* the config blob */
	lc_jw_init(&w);
	lc_jw_obj(&w);
	lc_jw_key(&w, "model_format"); lc_jw_str(&w, "gguf");
	lc_jw_key(&w, "model_family"); lc_jw_str(&w, arch);
	lc_jw_key(&w, "model_families");
	lc_jw_arr(&w); lc_jw_str(&w, arch); lc_jw_arr_end(&w);
	lc_jw_key(&w, "model_type"); lc_jw_str(&w, "");
	lc_jw_key(&w, "file_type"); lc_jw_str(&w, "");
	lc_jw_key(&w, "architecture"); lc_jw_str(&w, "amd64");
	lc_jw_key(&w, "os"); lc_jw_str(&w, "linux");
	lc_jw_key(&w, "rootfs");
	lc_jw_obj(&w);
	lc_jw_key(&w, "type"); lc_jw_str(&w, "layers");
	lc_jw_key(&w, "diff_ids");
	lc_jw_arr(&w);
	snprintf(nm, sizeof(nm), "sha256:%s", model->sha256);
	lc_jw_str(&w, nm);
	lc_jw_arr_end(&w);
	lc_jw_obj_end(&w);
	lc_jw_obj_end(&w);
	if (w.oom) {
		lc_jw_free(&w);
		return lc_errf(e, LC_ENOMEM, "ollama config");
	}
	lc_sha256_buf(w.buf, w.len, cfghex);
	snprintf(nm, sizeof(nm), "blobs/sha256-%s", cfghex);
	if ((rc = putfile(root, nm, w.buf, w.len, e)) != LC_OK) {
		lc_jw_free(&w);
		return rc;
	}
	{
		uint64_t cfglen = w.len;
		lc_jw_reset(&w);
		lc_jw_obj(&w);
		lc_jw_key(&w, "schemaVersion"); lc_jw_u64(&w, 2);
		lc_jw_key(&w, "mediaType");
		lc_jw_str(&w, "application/vnd.docker.distribution.manifest.v2+json");
		lc_jw_key(&w, "config");
		lc_jw_obj(&w);
		lc_jw_key(&w, "mediaType");
		lc_jw_str(&w, "application/vnd.docker.container.image.v1+json");
		snprintf(nm, sizeof(nm), "sha256:%s", cfghex);
		lc_jw_key(&w, "digest"); lc_jw_str(&w, nm);
		lc_jw_key(&w, "size"); lc_jw_u64(&w, cfglen);
		lc_jw_obj_end(&w);
	}
	lc_jw_key(&w, "layers");
	lc_jw_arr(&w);
	lc_jw_obj(&w);
	lc_jw_key(&w, "mediaType");
	lc_jw_str(&w, "application/vnd.ollama.image.model");
	snprintf(nm, sizeof(nm), "sha256:%s", model->sha256);
	lc_jw_key(&w, "digest"); lc_jw_str(&w, nm);
	lc_jw_key(&w, "size"); lc_jw_u64(&w, model->bytes);
	lc_jw_obj_end(&w);
	if (lic) {
		lc_jw_obj(&w);
		lc_jw_key(&w, "mediaType");
		lc_jw_str(&w, "application/vnd.ollama.image.license");
		snprintf(nm, sizeof(nm), "sha256:%s", lic->sha256);
		lc_jw_key(&w, "digest"); lc_jw_str(&w, nm);
		lc_jw_key(&w, "size"); lc_jw_u64(&w, lic->bytes);
		lc_jw_obj_end(&w);
	}
	lc_jw_arr_end(&w);
	lc_jw_obj_end(&w);
	rc = w.oom ? lc_errf(e, LC_ENOMEM, "ollama manifest") :
	    putfile(root, rel, w.buf, w.len, e);
	lc_jw_free(&w);
	return rc;
}
