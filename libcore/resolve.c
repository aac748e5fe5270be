/* resolve.c - model names: paths, $LLM_MODELS, Ollama stores. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "hf.h"
#include "resolve.h"

static int
isfile(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int
isdir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* [A-Za-z0-9._-]+ components separated by single '/', none "." or "..";
   at most maxparts of them. */
static int
goodname(const char *s, int maxparts)
{
	const char *c = s;
	int parts = 1, len = 0;

	if (*s == '\0')
		return 0;
	for (; *c; c++) {
		if (*c == '/') {
			if (len == 0 || ++parts > maxparts)
				return 0;
			len = 0;
			continue;
		}
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' ||
		    *c == '-'))
			return 0;
		if (len == 0 && *c == '.' && (c[1] == '\0' || c[1] == '/' ||
		    (c[1] == '.' && (c[2] == '\0' || c[2] == '/'))))
			return 0;
		len++;
	}
	return len > 0;
}

static int
ollama(const char *spec, char *out, size_t outlen, lc_err *e)
{
	char name[512], root[2048], path[4096], *colon, *text;
	const char *env, *home, *host = "registry.ollama.ai", *ns = "library";
	const char *tag = "latest", *model, *dg = NULL;
	const cJSON *layers, *l, *mt, *d;
	char *slash1, *slash2;
	size_t len, i;
	cJSON *root_j;
	int rc;

	if (snprintf(name, sizeof(name), "%s", spec) >= (int)sizeof(name))
		return lc_errf(e, LC_EFORMAT, "ollama:%s: name too long", spec);
	if ((colon = strrchr(name, ':')) != NULL) {
		*colon = '\0';
		tag = colon + 1;
	}
	if (!goodname(name, 3) || !goodname(tag, 1))
		return lc_errf(e, LC_EFORMAT, "ollama:%s: not a model name "
		    "([host/][namespace/]name[:tag], letters, digits, . _ -)",
		    spec);
	model = name;
	if ((slash1 = strchr(name, '/')) != NULL) {
		*slash1 = '\0';
		if ((slash2 = strchr(slash1 + 1, '/')) != NULL) {
			*slash2 = '\0';
			host = name;
			ns = slash1 + 1;
			model = slash2 + 1;
		} else {
			ns = name;
			model = slash1 + 1;
		}
	}
	if ((env = getenv("OLLAMA_MODELS")) != NULL && *env != '\0')
		snprintf(root, sizeof(root), "%s", env);
	else if ((home = getenv("HOME")) != NULL &&
	    (snprintf(root, sizeof(root), "%s/.ollama/models", home),
	    isdir(root)))
		;
	else
		snprintf(root, sizeof(root), "/usr/share/ollama/.ollama/models");
	snprintf(path, sizeof(path), "%s/manifests/%s/%s/%s/%s", root, host,
	    ns, model, tag);
	if (!isfile(path))
		return lc_errf(e, LC_ENOTFOUND, "ollama:%s: no manifest %s",
		    spec, path);
	if ((rc = lc_slurp(path, 1 << 20, &text, &len, e)) != LC_OK)
		return rc;
	root_j = cJSON_ParseWithLength(text, len);
	free(text);
	layers = cJSON_GetObjectItemCaseSensitive(root_j, "layers");
	cJSON_ArrayForEach(l, layers) {
		mt = cJSON_GetObjectItemCaseSensitive(l, "mediaType");
		d = cJSON_GetObjectItemCaseSensitive(l, "digest");
		if (cJSON_IsString(mt) && strcmp(mt->valuestring,
		    "application/vnd.ollama.image.model") == 0 &&
		    cJSON_IsString(d)) {
			dg = d->valuestring;
			break;
		}
	}
	rc = LC_OK;
	if (dg == NULL) {
		rc = lc_errf(e, LC_EFORMAT, "%s: no layer of type "
		    "application/vnd.ollama.image.model", path);
		goto out;
	}
	/* sha256:<64 lower or upper hex>, nothing else */
	len = strlen(dg);
	for (i = 7; len == 71 && i < len; i++)
		if (!((dg[i] >= '0' && dg[i] <= '9') ||
		    (dg[i] >= 'a' && dg[i] <= 'f') ||
		    (dg[i] >= 'A' && dg[i] <= 'F')))
			break;
	if (len != 71 || strncmp(dg, "sha256", 6) != 0 ||
	    (dg[6] != ':' && dg[6] != '-') || i != len) {
		rc = lc_errf(e, LC_EFORMAT, "%s: model digest '%.80s' is not "
		    "sha256:<64 hex digits>", path, dg);
		goto out;
	}
	if (snprintf(out, outlen, "%s/blobs/sha256-%s", root, dg + 7) >=
	    (int)outlen) {
		rc = lc_errf(e, LC_EINVAL, "%s: path too long", root);
		goto out;
	}
	if (!isfile(out))
		rc = lc_errf(e, LC_ENOTFOUND, "ollama:%s: blob %s missing",
		    spec, out);
out:
	cJSON_Delete(root_j);
	return rc;
}

static int
put(char *out, size_t outlen, const char *path, lc_err *e)
{
	if (snprintf(out, outlen, "%s", path) >= (int)outlen)
		return lc_errf(e, LC_EINVAL, "%.64s...: path too long", path);
	return LC_OK;
}

static int
endswith(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

/*
 * A directory: a Hugging Face cache repository (models--ORG--NAME, whose
 * refs/main names the snapshot), a snapshot or any directory holding
 * exactly one .gguf file (following symbolic links, as the cache's
 * snapshots are links into blobs/).
 */
static int
fromdir(const char *dir, char *out, size_t outlen, lc_err *e)
{
	char path[4096], snap[4096], ref[128], found[4096], *text;
	struct dirent *de;
	size_t len;
	DIR *d;
	int n = 0, st = 0, i;

	snprintf(path, sizeof(path), "%s/refs/main", dir);
	snprintf(snap, sizeof(snap), "%s/snapshots", dir);
	if (isfile(path) && isdir(snap)) {
		if (lc_slurp(path, 256, &text, &len, e) != LC_OK)
			return e->code;
		for (i = 0; i < (int)len && i < 64 && ((text[i] >= '0' &&
		    text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f')); i++)
			ref[i] = text[i];
		ref[i] = '\0';
		if (i != 40 && i != 64) {
			free(text);
			return lc_errf(e, LC_EFORMAT, "%s: not a commit hash",
			    path);
		}
		free(text);
		snprintf(path, sizeof(path), "%s/snapshots/%s", dir, ref);
		if (!isdir(path))
			return lc_errf(e, LC_ENOTFOUND, "%s: no such snapshot "
			    "(refs/main names %s)", path, ref);
		return fromdir(path, out, outlen, e);
	}
	if ((d = opendir(dir)) == NULL)
		return lc_errf(e, LC_EIO, "%s: cannot list", dir);
	found[0] = '\0';
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !endswith(de->d_name, ".gguf"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!isfile(path))
			continue;
		if (n++ == 0)
			snprintf(found, sizeof(found), "%s", path);
		else
			st = lc_errf(e, LC_EINVAL, "%s: several .gguf files "
			    "(%s, %s, ...): give one with -m", dir,
			    strrchr(found, '/') + 1, de->d_name);
	}
	closedir(d);
	if (st != 0)
		return st;
	if (n == 1)
		return put(out, outlen, found, e);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	if (isfile(path))
		return lc_errf(e, LC_EUNSUP, "%s: a Hugging Face model "
		    "directory without a .gguf file: convert it first "
		    "(llm-quant %s OUT.gguf Q8_0)", dir, dir);
	return lc_errf(e, LC_ENOTFOUND, "%s: no .gguf file in this directory",
	    dir);
}

/* hf:ORG/NAME: the repository in the Hugging Face cache ($HF_HUB_CACHE,
   $HF_HOME/hub, ~/.cache/huggingface/hub). */
static int
hfcache(const char *spec, char *out, size_t outlen, lc_err *e)
{
	char root[2048], path[4096], name[512], *c;
	const char *env;

	if (!goodname(spec, 2) || strchr(spec, '/') == NULL ||
	    strlen(spec) >= sizeof(name))
		return lc_errf(e, LC_EFORMAT, "hf:%s: not ORG/NAME", spec);
	if ((env = getenv("HF_HUB_CACHE")) != NULL && *env != '\0')
		snprintf(root, sizeof(root), "%s", env);
	else if ((env = getenv("HF_HOME")) != NULL && *env != '\0')
		snprintf(root, sizeof(root), "%s/hub", env);
	else if ((env = getenv("HOME")) != NULL)
		snprintf(root, sizeof(root), "%s/.cache/huggingface/hub", env);
	else
		return lc_errf(e, LC_ENOTFOUND, "hf:%s: no HF_HUB_CACHE, "
		    "HF_HOME or HOME", spec);
	snprintf(name, sizeof(name), "%s", spec);
	if ((c = strchr(name, '/')) != NULL)
		*c = '\0';
	snprintf(path, sizeof(path), "%s/models--%s--%s", root, name, c + 1);
	if (!isdir(path))
		return lc_errf(e, LC_ENOTFOUND, "hf:%s: not in the cache (%s)",
		    spec, path);
	return fromdir(path, out, outlen, e);
}

int
lc_model_resolve(const char *arg, char *out, size_t outlen, lc_err *e)
{
	char dir[2048], path[4096];
	const char *env, *home;

	if (strncmp(arg, "ollama:", 7) == 0)
		return ollama(arg + 7, out, outlen, e);
	if (strncmp(arg, "hf:", 3) == 0)
		return hfcache(arg + 3, out, outlen, e);
	if (isdir(arg))
		return fromdir(arg, out, outlen, e);
	if (isfile(arg) || strchr(arg, '/') != NULL || !goodname(arg, 1)) {
		/* a path: opened as given, so its error names it */
		if (snprintf(out, outlen, "%s", arg) >= (int)outlen)
			return lc_errf(e, LC_EINVAL, "%.64s...: path too long",
			    arg);
		return LC_OK;
	}
	if ((env = getenv("LLM_MODELS")) != NULL && *env != '\0')
		snprintf(dir, sizeof(dir), "%s", env);
	else if ((home = getenv("HOME")) != NULL)
		snprintf(dir, sizeof(dir), "%s/.local/share/llmutils/models",
		    home);
	else
		return lc_errf(e, LC_ENOTFOUND, "%s: no such file, and neither "
		    "LLM_MODELS nor HOME is set", arg);
	snprintf(path, sizeof(path), "%s/%s", dir, arg);
	if (!isfile(path))
		snprintf(path, sizeof(path), "%s/%s.gguf", dir, arg);
	if (!isfile(path))
		return lc_errf(e, LC_ENOTFOUND, "%s: no such file, nor %s/%s "
		    "or %s/%s.gguf", arg, dir, arg, dir, arg);
	if (snprintf(out, outlen, "%s", path) >= (int)outlen)
		return lc_errf(e, LC_EINVAL, "%s: path too long", path);
	return LC_OK;
}
