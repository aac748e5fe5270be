/*
 * llm-inspect - what is in a model file (GGUF, or Hugging Face
 * safetensors), and will it fit this machine.
 */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../libcore/chat.h"
#include "../libcore/dtype.h"
#include "../libcore/gguf.h"
#include "../libcore/hf.h"
#include "../libcore/hparams.h"
#include "../libcore/jsonw.h"
#include "../libcore/model.h"
#include "../libcore/sha256.h"
#include "../libcore/sysinfo.h"
#include "util.h"

#define ARR_SHOWN	16	/* array elements printed without -v */
#define MAX_SHARDS	256

static struct {
	int		 summary, fit, check, diffable, json, verbose, quiet;
	uint32_t	 ctx, batch, kv_dtype;
	uint64_t	 mem;		/* 0: MemAvailable */
} opt = { .batch = 512, .kv_dtype = LC_F16 };

static lc_jw jw;
static lc_sysinfo si;

static void
usage(FILE *fp, int status)
{
	fprintf(fp, "usage: %s [-SfvDjq] [--check] [-c ctx] [-b batch] "
	    "[-k f16|f32|q8_0] [-M size] model ...\n", argv0);
	if (status == 0)
		fputs("\n"
		    "  model is a .gguf file (- reads one from standard input), a\n"
		    "  .safetensors file or a Hugging Face model directory.  Default\n"
		    "  output: JSONL records of kind file, kv and tensor.\n\n"
		    "  -S, --summary       a table: architecture, parameters, quant mix,\n"
		    "                      context, tokenizer, chat template\n"
		    "  -j, --json          with -S: one JSON summary record instead\n"
		    "  -f, --fit           memory a run needs (weights + KV cache + scratch)\n"
		    "                      and whether it fits\n"
		    "  -c, --ctx N         context length for --fit (default: trained)\n"
		    "  -b, --batch N       prompt batch for --fit (default 512)\n"
		    "  -k, --kv-type T     KV cache type for --fit: f16 (default), f32, q8_0\n"
		    "  -M, --mem SIZE      memory to fit in, e.g. 8G (default: available RAM)\n"
		    "      --check         read every byte: sha256, dequantize every tensor,\n"
		    "                      count NaN/Inf\n"
		    "  -D, --diffable      no offsets or sizes in tensor records\n"
		    "  -v, --verbose       print long arrays whole\n"
		    "  -q, --quiet         no diagnostics but errors\n"
		    "  -h, --help          this help\n"
		    "  -V, --version       version and build\n", fp);
	exit(status);
}

static void
emit(void)
{
	if (jw.oom)
		die("out of memory writing a record");
	fwrite(jw.buf, 1, jw.len, stdout);
	fputc('\n', stdout);
	lc_jw_reset(&jw);
}

/* ------------------------------------------------------------------ */
/* model facts, shared by --summary and --fit                         */

typedef struct mix {
	const char	*name;		/* "q4_k", or a safetensors name: "U8" */
	uint64_t	 n, nelem, bytes;
} mix;

#define MAX_TYPES	64

typedef struct facts {
	const char	*path;
	const char	*format;	/* "gguf" or "safetensors" */
	uint32_t	 version;
	uint64_t	 bytes, nkv, ntensors;
	const char	*name;
	size_t		 namelen;
	lc_hparams	 hp;
	int		 have_hp;
	lc_err		 hp_err;
	mix		 types[MAX_TYPES];
	int		 ntypes;
	uint64_t	 nelem, tbytes;	/* parameters: not integer buffers */
	uint64_t	 allbytes;	/* every tensor */
	const char	*tok_model, *tok_pre;
	size_t		 tok_model_len, tok_pre_len;
	uint64_t	 n_tokens;
	int64_t		 bos, eos;
	const char	*chat;
	uint64_t	 chat_bytes;
	lc_hf_tok	 hftok;
} facts;

/*
 * Counts a tensor under its type name.  Integer tensors (position ids
 * and other buffers) are not parameters: they count in allbytes only.
 */
static void
addtype(facts *f, const char *name, int param, uint64_t nelem,
    uint64_t bytes)
{
	int i;

	for (i = 0; i < f->ntypes; i++)
		if (strcmp(f->types[i].name, name) == 0)
			break;
	if (i == f->ntypes && f->ntypes < MAX_TYPES)
		f->types[f->ntypes++].name = name;
	if (i < f->ntypes) {
		f->types[i].n++;
		f->types[i].nelem += nelem;
		f->types[i].bytes += bytes;
	}
	if (param) {
		f->nelem += nelem;
		f->tbytes += bytes;
	}
	f->allbytes += bytes;
}

static int
is_param_dtype(uint32_t t)
{
	return t != LC_I8 && t != LC_I16 && t != LC_I32 && t != LC_I64;
}

static void
facts_gguf(facts *f, const lc_gguf *g)
{
	lc_tensor_info ti;
	lc_gguf_kv kv;
	const char *s;
	size_t len;
	uint64_t i;

	f->format = "gguf";
	f->version = lc_gguf_version(g);
	f->bytes = lc_gguf_size(g);
	f->nkv = lc_gguf_nkv(g);
	f->ntensors = lc_gguf_ntensors(g);
	lc_gguf_get_str(g, "general.name", &f->name, &f->namelen, NULL);
	f->have_hp = lc_hparams_gguf(&f->hp, g, &f->hp_err) == LC_OK;
	for (i = 0; i < f->ntensors; i++) {
		lc_gguf_tensor(g, i, &ti);
		addtype(f, lc_dtype(ti.dtype)->name, is_param_dtype(ti.dtype),
		    ti.nelem, ti.nbytes);
	}
	lc_gguf_get_str(g, "tokenizer.ggml.model", &f->tok_model,
	    &f->tok_model_len, NULL);
	lc_gguf_get_str(g, "tokenizer.ggml.pre", &f->tok_pre, &f->tok_pre_len,
	    NULL);
	if (lc_gguf_find_kv(g, "tokenizer.ggml.tokens", &kv) == LC_OK)
		f->n_tokens = kv.n;
	f->bos = f->eos = -1;
	lc_gguf_get_i64(g, "tokenizer.ggml.bos_token_id", &f->bos, NULL);
	lc_gguf_get_i64(g, "tokenizer.ggml.eos_token_id", &f->eos, NULL);
	f->chat = "none";
	if (lc_gguf_get_str(g, "tokenizer.chat_template", &s, &len,
	    NULL) == LC_OK) {
		f->chat = lc_chat_family(s, len);
		f->chat_bytes = len;
	}
}

/* ------------------------------------------------------------------ */
/* JSONL dump of a GGUF file                                          */

static void
kv_value(const lc_gguf_kv *kv, uint64_t i)
{
	lc_gguf_str_iter it;
	const char *s;
	size_t len;
	uint64_t u;
	int64_t v;
	double d;

	switch (kv->elem_type) {
	case LC_GGUF_STRING:
		break;
	case LC_GGUF_BOOL:
		lc_jw_bool(&jw, kv->data[i]);
		return;
	case LC_GGUF_F32:
		lc_gguf_kv_f64(kv, i, &d);
		lc_jw_f32(&jw, (float)d);
		return;
	case LC_GGUF_F64:
		lc_gguf_kv_f64(kv, i, &d);
		lc_jw_f64(&jw, d);
		return;
	case LC_GGUF_U64:
		lc_gguf_kv_u64(kv, i, &u);
		lc_jw_u64(&jw, u);
		return;
	default:
		lc_gguf_kv_i64(kv, i, &v);
		lc_jw_i64(&jw, v);
		return;
	}
	lc_gguf_kv_strs(kv, &it);	/* scalar string: i == 0 */
	lc_gguf_str_next(&it, &s, &len);
	lc_jw_strn(&jw, s, len);
}

static void
dump_gguf(const lc_gguf *g, const char *path)
{
	lc_tensor_info ti;
	lc_gguf_str_iter it;
	lc_gguf_kv kv;
	const char *s;
	size_t len;
	uint64_t i, k, shown;

	lc_jw_obj(&jw);
	lc_jw_key(&jw, "kind"); lc_jw_str(&jw, "file");
	lc_jw_key(&jw, "path"); lc_jw_str(&jw, path);
	lc_jw_key(&jw, "format"); lc_jw_str(&jw, "gguf");
	lc_jw_key(&jw, "version"); lc_jw_u64(&jw, lc_gguf_version(g));
	lc_jw_key(&jw, "n_kv"); lc_jw_u64(&jw, lc_gguf_nkv(g));
	lc_jw_key(&jw, "n_tensors"); lc_jw_u64(&jw, lc_gguf_ntensors(g));
	lc_jw_key(&jw, "alignment"); lc_jw_u64(&jw, lc_gguf_alignment(g));
	if (!opt.diffable) {
		lc_jw_key(&jw, "data_offset");
		lc_jw_u64(&jw, lc_gguf_data_offset(g));
		lc_jw_key(&jw, "bytes"); lc_jw_u64(&jw, lc_gguf_size(g));
	}
	lc_jw_obj_end(&jw);
	emit();
	for (i = 0; i < lc_gguf_nkv(g); i++) {
		lc_gguf_kv_at(g, i, &kv);
		lc_jw_obj(&jw);
		lc_jw_key(&jw, "kind"); lc_jw_str(&jw, "kv");
		lc_jw_key(&jw, "key"); lc_jw_strn(&jw, kv.key, kv.keylen);
		lc_jw_key(&jw, "type"); lc_jw_str(&jw, lc_gguf_type_name(kv.type));
		if (kv.type != LC_GGUF_ARRAY) {
			lc_jw_key(&jw, "value");
			kv_value(&kv, 0);
			lc_jw_obj_end(&jw);
			emit();
			continue;
		}
		lc_jw_key(&jw, "elem_type");
		lc_jw_str(&jw, lc_gguf_type_name(kv.elem_type));
		lc_jw_key(&jw, "n"); lc_jw_u64(&jw, kv.n);
		shown = opt.verbose || kv.n <= ARR_SHOWN ? kv.n : ARR_SHOWN;
		lc_jw_key(&jw, "value");
		lc_jw_arr(&jw);
		if (kv.elem_type == LC_GGUF_STRING) {
			lc_gguf_kv_strs(&kv, &it);
			for (k = 0; k < shown && lc_gguf_str_next(&it, &s, &len);
			    k++)
				lc_jw_strn(&jw, s, len);
		} else {
			for (k = 0; k < shown; k++)
				kv_value(&kv, k);
		}
		lc_jw_arr_end(&jw);
		if (shown < kv.n) {
			lc_jw_key(&jw, "truncated");
			lc_jw_bool(&jw, 1);
		}
		lc_jw_obj_end(&jw);
		emit();
	}
	for (i = 0; i < lc_gguf_ntensors(g); i++) {
		lc_gguf_tensor(g, i, &ti);
		lc_jw_obj(&jw);
		lc_jw_key(&jw, "kind"); lc_jw_str(&jw, "tensor");
		lc_jw_key(&jw, "name"); lc_jw_strn(&jw, ti.name, ti.namelen);
		lc_jw_key(&jw, "dtype"); lc_jw_str(&jw, lc_dtype(ti.dtype)->name);
		lc_jw_key(&jw, "ne");
		lc_jw_arr(&jw);
		for (k = 0; k < (ti.ndim ? ti.ndim : 1); k++)
			lc_jw_u64(&jw, ti.ne[k]);
		lc_jw_arr_end(&jw);
		if (!opt.diffable) {
			lc_jw_key(&jw, "offset");
			lc_jw_u64(&jw, lc_gguf_data_offset(g) + ti.offset);
			lc_jw_key(&jw, "bytes"); lc_jw_u64(&jw, ti.nbytes);
		}
		lc_jw_obj_end(&jw);
		emit();
	}
}

/* ------------------------------------------------------------------ */
/* safetensors: one file, or every *.safetensors in a directory       */

typedef struct stmodel {
	lc_st		*st[MAX_SHARDS];
	char		*path[MAX_SHARDS];
	int		 n;
	char		 dir[3000];	/* the directory of the files */
	char		 config[4096];	/* config.json there, or "" */
} stmodel;

static void
st_free(stmodel *m)
{
	int i;

	for (i = 0; i < m->n; i++) {
		lc_st_close(m->st[i]);
		free(m->path[i]);
	}
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
st_open(stmodel *m, const char *path, int isdir, lc_err *e)
{
	struct dirent *de;
	char *slash;
	DIR *d;
	size_t n;
	int i, rc;

	memset(m, 0, sizeof(*m));
	if (isdir) {
		if ((d = opendir(path)) == NULL)
			return lc_errsys(e, "%s", path);
		while ((de = readdir(d)) != NULL) {
			n = strlen(de->d_name);
			if (n < 12 || strcmp(de->d_name + n - 12,
			    ".safetensors") != 0)
				continue;
			if (m->n == MAX_SHARDS) {
				closedir(d);
				return lc_errf(e, LC_EUNSUP, "%s: more than %d "
				    "safetensors files", path, MAX_SHARDS);
			}
			if ((m->path[m->n] = malloc(strlen(path) + n + 2)) ==
			    NULL) {
				closedir(d);
				return lc_errf(e, LC_ENOMEM, "%s", path);
			}
			sprintf(m->path[m->n++], "%s/%s", path, de->d_name);
		}
		closedir(d);
		if (m->n == 0)
			return lc_errf(e, LC_ENOTFOUND, "%s: no .safetensors "
			    "files in this directory (name .gguf files one by "
			    "one)", path);
		qsort(m->path, (size_t)m->n, sizeof(m->path[0]), cmpstr);
		snprintf(m->dir, sizeof(m->dir), "%s", path);
		if (snprintf(m->config, sizeof(m->config), "%s/config.json",
		    path) >= (int)sizeof(m->config))
			m->config[0] = '\0';
	} else {
		if ((m->path[0] = strdup(path)) == NULL)
			return lc_errf(e, LC_ENOMEM, "%s", path);
		m->n = 1;
		snprintf(m->dir, sizeof(m->dir), "%s", path);
		if ((slash = strrchr(m->dir, '/')) != NULL)
			*slash = '\0';
		else
			snprintf(m->dir, sizeof(m->dir), ".");
		snprintf(m->config, sizeof(m->config), "%s/config.json",
		    m->dir);
	}
	if (access(m->config, R_OK) != 0)
		m->config[0] = '\0';
	for (i = 0; i < m->n; i++)
		if ((rc = lc_st_open(&m->st[i], m->path[i], e)) != LC_OK)
			return rc;
	return LC_OK;
}

static void
dump_st(const stmodel *m)
{
	lc_st_info ti;
	const char *k, *v;
	uint64_t i;
	uint32_t d;
	int s;

	for (s = 0; s < m->n; s++) {
		const lc_st *st = m->st[s];
		lc_jw_obj(&jw);
		lc_jw_key(&jw, "kind"); lc_jw_str(&jw, "file");
		lc_jw_key(&jw, "path"); lc_jw_str(&jw, m->path[s]);
		lc_jw_key(&jw, "format"); lc_jw_str(&jw, "safetensors");
		lc_jw_key(&jw, "n_kv"); lc_jw_u64(&jw, lc_st_nmeta(st));
		lc_jw_key(&jw, "n_tensors"); lc_jw_u64(&jw, lc_st_ntensors(st));
		if (!opt.diffable) {
			lc_jw_key(&jw, "data_offset");
			lc_jw_u64(&jw, 8 + lc_st_header_size(st));
			lc_jw_key(&jw, "bytes"); lc_jw_u64(&jw, lc_st_size(st));
		}
		lc_jw_obj_end(&jw);
		emit();
		for (i = 0; i < lc_st_nmeta(st); i++) {
			lc_st_meta(st, i, &k, &v);
			lc_jw_obj(&jw);
			lc_jw_key(&jw, "kind"); lc_jw_str(&jw, "kv");
			lc_jw_key(&jw, "key"); lc_jw_str(&jw, k);
			lc_jw_key(&jw, "type"); lc_jw_str(&jw, "string");
			lc_jw_key(&jw, "value"); lc_jw_str(&jw, v);
			lc_jw_obj_end(&jw);
			emit();
		}
		for (i = 0; i < lc_st_ntensors(st); i++) {
			lc_st_tensor(st, i, &ti);
			lc_jw_obj(&jw);
			lc_jw_key(&jw, "kind"); lc_jw_str(&jw, "tensor");
			lc_jw_key(&jw, "name"); lc_jw_str(&jw, ti.name);
			lc_jw_key(&jw, "dtype");
			lc_jw_str(&jw, ti.lc_dtype >= 0 ?
			    lc_dtype((uint32_t)ti.lc_dtype)->name : ti.dtype);
			/* ne[] innermost first, as for GGUF */
			lc_jw_key(&jw, "ne");
			lc_jw_arr(&jw);
			for (d = ti.ndim; d > 0; d--)
				lc_jw_u64(&jw, ti.shape[d - 1]);
			lc_jw_arr_end(&jw);
			if (!opt.diffable) {
				lc_jw_key(&jw, "offset"); lc_jw_u64(&jw, ti.offset);
				lc_jw_key(&jw, "bytes"); lc_jw_u64(&jw, ti.nbytes);
			}
			lc_jw_obj_end(&jw);
			emit();
		}
	}
}

static int
facts_st(facts *f, const stmodel *m, lc_err *e)
{
	lc_st_info ti;
	uint64_t i;
	int s;

	f->format = "safetensors";
	f->bos = f->eos = -1;
	f->chat = "none";
	for (s = 0; s < m->n; s++) {
		f->bytes += lc_st_size(m->st[s]);
		f->nkv += lc_st_nmeta(m->st[s]);
		f->ntensors += lc_st_ntensors(m->st[s]);
		for (i = 0; i < lc_st_ntensors(m->st[s]); i++) {
			lc_st_tensor(m->st[s], i, &ti);
			if (ti.lc_dtype >= 0)
				addtype(f, lc_dtype((uint32_t)ti.lc_dtype)->name,
				    is_param_dtype((uint32_t)ti.lc_dtype),
				    ti.nelem, ti.nbytes);
			else	/* U8, BOOL, F8_*: named as in the file */
				addtype(f, ti.dtype, ti.dtype[0] == 'F',
				    ti.nelem, ti.nbytes);
		}
	}
	if (m->config[0] == '\0') {
		lc_errf(&f->hp_err, LC_ENOTFOUND, "%s: no config.json beside "
		    "it", m->path[0]);
		return LC_OK;
	}
	if (lc_hf_tok_read(&f->hftok, m->dir, e) != LC_OK)
		return e->code;
	if (f->hftok.model[0] != '\0') {
		f->tok_model = f->hftok.model;
		f->tok_model_len = strlen(f->hftok.model);
		f->n_tokens = f->hftok.n_vocab;
	}
	if (f->hftok.chat_template != NULL) {
		f->chat_bytes = strlen(f->hftok.chat_template);
		f->chat = lc_chat_family(f->hftok.chat_template, f->chat_bytes);
	}
	f->have_hp = lc_hparams_hf(&f->hp, m->config, m->st[0],
	    &f->hp_err) == LC_OK;
	if (!f->have_hp && f->hp_err.code != LC_EFORMAT)
		return *e = f->hp_err, e->code;
	f->hp.n_params = f->nelem;	/* over every shard */
	f->hp.n_params_active = f->nelem;
	f->hp.weight_bytes = f->allbytes;
	return LC_OK;
}

/* ------------------------------------------------------------------ */
/* --summary                                                          */

/* Sorts the types by bytes, largest first (stable). */
static void
sort_types(facts *f)
{
	mix t;
	int i, j;

	for (i = 1; i < f->ntypes; i++)
		for (j = i; j > 0 && f->types[j].bytes > f->types[j - 1].bytes;
		    j--) {
			t = f->types[j];
			f->types[j] = f->types[j - 1];
			f->types[j - 1] = t;
		}
}

static double
bpw(const facts *f)
{
	return f->nelem ? 8.0 * (double)f->tbytes / (double)f->nelem : 0;
}

/*
 * The command that runs a model of this architecture: llm-run for a
 * supported decoder, llm-embed for a supported encoder, NULL if
 * libcore has no forward pass for it.
 */
static const char *
runs_with(const lc_hparams *h)
{
	const char *p = lc_model_archs(), *q;
	size_t n = strlen(h->arch);

	for (; *p != '\0'; p = *q ? q + 1 : q) {
		while (*p == ' ')
			p++;
		if ((q = strchr(p, ',')) == NULL)
			q = p + strlen(p);
		if ((size_t)(q - p) == n && memcmp(p, h->arch, n) == 0)
			return h->causal ? "llm-run" : "llm-embed";
	}
	return NULL;
}

static void
summary_json(const facts *f)
{
	int i;

	lc_jw_obj(&jw);
	lc_jw_key(&jw, "kind"); lc_jw_str(&jw, "summary");
	lc_jw_key(&jw, "path"); lc_jw_str(&jw, f->path);
	lc_jw_key(&jw, "format"); lc_jw_str(&jw, f->format);
	if (f->version) {
		lc_jw_key(&jw, "version"); lc_jw_u64(&jw, f->version);
	}
	if (f->name) {
		lc_jw_key(&jw, "name"); lc_jw_strn(&jw, f->name, f->namelen);
	}
	lc_jw_key(&jw, "bytes"); lc_jw_u64(&jw, f->bytes);
	lc_jw_key(&jw, "n_tensors"); lc_jw_u64(&jw, f->ntensors);
	lc_jw_key(&jw, "n_params"); lc_jw_u64(&jw, f->nelem);
	lc_jw_key(&jw, "bits_per_weight"); lc_jw_fix(&jw, bpw(f), 3);
	lc_jw_key(&jw, "types");
	lc_jw_arr(&jw);
	for (i = 0; i < f->ntypes; i++) {
		const mix *x = &f->types[i];
		lc_jw_obj(&jw);
		lc_jw_key(&jw, "dtype"); lc_jw_str(&jw, x->name);
		lc_jw_key(&jw, "n_tensors"); lc_jw_u64(&jw, x->n);
		lc_jw_key(&jw, "n_elements"); lc_jw_u64(&jw, x->nelem);
		lc_jw_key(&jw, "bytes"); lc_jw_u64(&jw, x->bytes);
		lc_jw_obj_end(&jw);
	}
	lc_jw_arr_end(&jw);
	if (f->have_hp) {
		const lc_hparams *h = &f->hp;
		lc_jw_key(&jw, "arch"); lc_jw_str(&jw, h->arch);
		lc_jw_key(&jw, "causal"); lc_jw_bool(&jw, h->causal);
		lc_jw_key(&jw, "runs_with");
		if (runs_with(h) != NULL)
			lc_jw_str(&jw, runs_with(h));
		else
			lc_jw_null(&jw);
		if (h->n_expert) {
			lc_jw_key(&jw, "n_params_active");
			lc_jw_u64(&jw, h->n_params_active);
			lc_jw_key(&jw, "n_expert"); lc_jw_u64(&jw, h->n_expert);
			lc_jw_key(&jw, "n_expert_used");
			lc_jw_u64(&jw, h->n_expert_used);
		}
		lc_jw_key(&jw, "n_layer"); lc_jw_u64(&jw, h->n_layer);
		lc_jw_key(&jw, "n_embd"); lc_jw_u64(&jw, h->n_embd);
		lc_jw_key(&jw, "n_ff"); lc_jw_u64(&jw, h->n_ff);
		lc_jw_key(&jw, "n_head"); lc_jw_u64(&jw, h->n_head);
		lc_jw_key(&jw, "n_head_kv"); lc_jw_u64(&jw, h->n_head_kv);
		lc_jw_key(&jw, "head_dim"); lc_jw_u64(&jw, h->head_dim_k);
		lc_jw_key(&jw, "n_vocab"); lc_jw_u64(&jw, h->n_vocab);
		lc_jw_key(&jw, "ctx_train"); lc_jw_u64(&jw, h->n_ctx_train);
		if (h->rope_base > 0) {
			lc_jw_key(&jw, "rope_base"); lc_jw_f64(&jw, h->rope_base);
		}
		if (h->n_swa) {
			lc_jw_key(&jw, "sliding_window");
			lc_jw_u64(&jw, h->n_swa);
		}
	} else {
		lc_jw_key(&jw, "hparams_error"); lc_jw_str(&jw, f->hp_err.msg);
	}
	if (f->tok_model) {
		lc_jw_key(&jw, "tokenizer");
		lc_jw_obj(&jw);
		lc_jw_key(&jw, "model");
		lc_jw_strn(&jw, f->tok_model, f->tok_model_len);
		if (f->tok_pre) {
			lc_jw_key(&jw, "pre");
			lc_jw_strn(&jw, f->tok_pre, f->tok_pre_len);
		}
		lc_jw_key(&jw, "n_tokens"); lc_jw_u64(&jw, f->n_tokens);
		if (f->bos >= 0) {
			lc_jw_key(&jw, "bos"); lc_jw_i64(&jw, f->bos);
		}
		if (f->eos >= 0) {
			lc_jw_key(&jw, "eos"); lc_jw_i64(&jw, f->eos);
		}
		lc_jw_obj_end(&jw);
	}
	lc_jw_key(&jw, "chat_template"); lc_jw_str(&jw, f->chat);
	lc_jw_obj_end(&jw);
	emit();
}

static void
summary_text(const facts *f)
{
	const lc_hparams *h = &f->hp;
	char b1[32];
	int i;

	fputsafe(stdout, f->path, strlen(f->path));
	printf("\n  %-14s %s", "format", f->format);
	if (f->version)
		printf(" v%u", f->version);
	printf(", %s, %llu tensors\n", fmtbytes(f->bytes, b1, sizeof(b1)),
	    (unsigned long long)f->ntensors);
	if (f->name) {
		printf("  %-14s ", "name");
		fputsafe(stdout, f->name, f->namelen);
		putchar('\n');
	}
	if (f->have_hp) {
		printf("  %-14s %s (%s, %u layers)", "architecture", h->arch,
		    h->causal ? "decoder" : "encoder", h->n_layer);
		if (runs_with(h) != NULL)
			printf(": runs with %s\n", runs_with(h));
		else
			printf(": not supported (supported: %s)\n",
			    lc_model_archs());
	}
	printf("  %-14s %.1f M", "parameters", (double)f->nelem / 1e6);
	if (f->have_hp && h->n_expert)
		printf(" (%.1f M active: %u of %u experts)",
		    (double)h->n_params_active / 1e6, h->n_expert_used,
		    h->n_expert);
	printf("\n  %-14s ", "weights");
	for (i = 0; i < f->ntypes; i++)
		printf("%s%s x%llu (%.1f%%)", i ? ", " : "", f->types[i].name,
		    (unsigned long long)f->types[i].n,
		    100.0 * (double)f->types[i].nelem /
		    (double)(f->nelem ? f->nelem : 1));
	printf("; %.2f bits per weight\n", bpw(f));
	if (f->have_hp) {
		printf("  %-14s embd %u, ffn %u, heads %u (kv %u), head dim "
		    "%u, vocab %u\n", "shape", h->n_embd, h->n_ff, h->n_head,
		    h->n_head_kv, h->head_dim_k, h->n_vocab);
		printf("  %-14s %u trained", "context", h->n_ctx_train);
		if (h->rope_base > 0)
			printf(", rope base %.10g", h->rope_base);
		if (h->n_swa)
			printf(", sliding window %u", h->n_swa);
		printf("\n");
	} else {
		printf("  %-14s %s\n", "hparams", f->hp_err.msg);
	}
	if (f->tok_model) {
		printf("  %-14s ", "tokenizer");
		fputsafe(stdout, f->tok_model, f->tok_model_len);
		if (f->tok_pre) {
			printf(" / ");
			fputsafe(stdout, f->tok_pre, f->tok_pre_len);
		}
		printf(", %llu tokens", (unsigned long long)f->n_tokens);
		if (f->bos >= 0)
			printf(", bos %lld", (long long)f->bos);
		if (f->eos >= 0)
			printf(", eos %lld", (long long)f->eos);
		printf("\n");
	}
	if (f->chat_bytes)
		printf("  %-14s %s (%llu bytes)\n", "chat template", f->chat,
		    (unsigned long long)f->chat_bytes);
	else
		printf("  %-14s %s\n", "chat template", f->chat);
}

/* ------------------------------------------------------------------ */
/* --fit                                                              */

static int
fit(const facts *f, lc_err *e)
{
	const lc_hparams *h = &f->hp;
	lc_memplan mp, t;
	uint64_t mem = opt.mem ? opt.mem : si.mem_available;
	uint32_t ctx, lo, hi, mid, maxctx;
	char b[4][32];
	int rc, within;

	if (!f->have_hp)
		return *e = f->hp_err, e->code;
	ctx = opt.ctx ? opt.ctx : h->n_ctx_train ? h->n_ctx_train : 4096;
	if ((rc = lc_memplan_make(&mp, h, ctx, opt.batch, opt.kv_dtype,
	    e)) != LC_OK) {
		lc_errprefix(e, f->path);
		return rc;
	}
	/* the largest context that fits, up to the trained one (beyond it
	   a model needs RoPE scaling): every term grows with ctx */
	hi = h->n_ctx_train ? h->n_ctx_train : LC_MAX_CTX;
	within = h->n_ctx_train == 0 || ctx <= h->n_ctx_train;
	lo = 0;
	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		if (lc_memplan_make(&t, h, mid, opt.batch, opt.kv_dtype,
		    NULL) == LC_OK && t.total <= mem)
			lo = mid;
		else
			hi = mid - 1;
	}
	maxctx = lo;
	if (opt.summary && !opt.json) {
		printf("  %-14s ctx %u, %s KV: weights %s + KV %s + scratch %s "
		    "= %s", "fit", ctx, lc_dtype(opt.kv_dtype)->name,
		    fmtbytes(mp.weights, b[0], 32), fmtbytes(mp.kv, b[1], 32),
		    fmtbytes(mp.scratch, b[2], 32),
		    fmtbytes(mp.total, b[3], 32));
		printf(" of %s %s: %s (largest context that fits: %u)%s\n",
		    fmtbytes(mem, b[0], 32), opt.mem ? "given" : "available",
		    mp.total <= mem ? "fits" : "DOES NOT FIT", maxctx,
		    within ? "" : "; ctx is beyond the trained context");
		return LC_OK;
	}
	lc_jw_obj(&jw);
	lc_jw_key(&jw, "kind"); lc_jw_str(&jw, "fit");
	lc_jw_key(&jw, "path"); lc_jw_str(&jw, f->path);
	lc_jw_key(&jw, "arch"); lc_jw_str(&jw, h->arch);
	lc_jw_key(&jw, "ctx"); lc_jw_u64(&jw, mp.ctx);
	lc_jw_key(&jw, "ctx_train"); lc_jw_u64(&jw, h->n_ctx_train);
	lc_jw_key(&jw, "ctx_within_train"); lc_jw_bool(&jw, within);
	lc_jw_key(&jw, "batch"); lc_jw_u64(&jw, mp.batch);
	lc_jw_key(&jw, "kv_type"); lc_jw_str(&jw, lc_dtype(mp.kv_dtype)->name);
	lc_jw_key(&jw, "weights_bytes"); lc_jw_u64(&jw, mp.weights);
	lc_jw_key(&jw, "kv_bytes"); lc_jw_u64(&jw, mp.kv);
	lc_jw_key(&jw, "scratch_bytes"); lc_jw_u64(&jw, mp.scratch);
	lc_jw_key(&jw, "total_bytes"); lc_jw_u64(&jw, mp.total);
	lc_jw_key(&jw, "mem_bytes"); lc_jw_u64(&jw, mem);
	lc_jw_key(&jw, "mem_source");
	lc_jw_str(&jw, opt.mem ? "option" : "available");
	lc_jw_key(&jw, "fits"); lc_jw_bool(&jw, mp.total <= mem);
	lc_jw_key(&jw, "max_ctx"); lc_jw_u64(&jw, maxctx);
	lc_jw_obj_end(&jw);
	emit();
	return LC_OK;
}

/* ------------------------------------------------------------------ */
/* --check                                                            */

typedef struct scan {
	uint64_t	tensors, dequantized, values, nonfinite;
	char		first_bad[80];
} scan;

/* Dequantizes n elements of dtype at p in chunks; counts NaN/Inf. */
static void
scan_tensor(scan *sc, const char *name, size_t namelen, uint32_t dtype,
    const void *p, uint64_t n, float *buf, size_t bufn)
{
	const lc_dtype_traits *tr = lc_dtype(dtype);
	const uint8_t *q = p;
	uint64_t done, k, bad = 0;
	size_t i;

	sc->tensors++;
	if (tr == NULL || tr->to_float == NULL)
		return;
	for (done = 0; done < n; done += k) {
		k = n - done < bufn ? n - done : bufn;
		tr->to_float(q, buf, (int64_t)k);
		q += k / tr->blck * tr->bytes;
		for (i = 0; i < k; i++)
			bad += !isfinite(buf[i]);
	}
	sc->dequantized++;
	sc->values += n;
	if (bad > 0 && sc->nonfinite == 0)
		snprintf(sc->first_bad, sizeof(sc->first_bad), "%.*s",
		    (int)(namelen < 63 ? namelen : 63), name);
	sc->nonfinite += bad;
}

/* Hashes file p (or in[0..inlen), read from stdin) and writes its
   check record from sc. */
static int
check_record(const char *p, const char *in, size_t inlen, const scan *sc,
    lc_err *e)
{
	char hex[65];
	uint64_t bytes = inlen;
	int rc;

	if (in != NULL)
		lc_sha256_buf(in, inlen, hex);
	else if ((rc = lc_sha256_file(p, hex, &bytes, e)) != LC_OK)
		return rc;
	lc_jw_obj(&jw);
	lc_jw_key(&jw, "kind"); lc_jw_str(&jw, "check");
	lc_jw_key(&jw, "path"); lc_jw_str(&jw, p);
	lc_jw_key(&jw, "bytes"); lc_jw_u64(&jw, bytes);
	lc_jw_key(&jw, "sha256"); lc_jw_str(&jw, hex);
	lc_jw_key(&jw, "tensors"); lc_jw_u64(&jw, sc->tensors);
	lc_jw_key(&jw, "dequantized"); lc_jw_u64(&jw, sc->dequantized);
	lc_jw_key(&jw, "values"); lc_jw_u64(&jw, sc->values);
	lc_jw_key(&jw, "nonfinite"); lc_jw_u64(&jw, sc->nonfinite);
	lc_jw_key(&jw, "valid"); lc_jw_bool(&jw, sc->nonfinite == 0);
	lc_jw_obj_end(&jw);
	emit();
	return LC_OK;
}

/*
 * --check: one record per file (each shard of a safetensors model);
 * LC_EFORMAT naming the first file and tensor with NaN/Inf weights.
 */
static int
check(const char *path, const lc_gguf *g, const stmodel *m, const char *in,
    size_t inlen, lc_err *e)
{
	enum { BUFN = 1 << 16 };	/* a multiple of every block size */
	lc_tensor_info ti;
	lc_st_info si_;
	char first[4096] = "";
	uint64_t i;
	float *buf;
	scan sc;
	int rc = LC_OK, s;

	if ((buf = malloc(BUFN * sizeof(*buf))) == NULL)
		return lc_errf(e, LC_ENOMEM, "%s: check buffer", path);
	for (s = 0; rc == LC_OK && s < (m ? m->n : 1); s++) {
		memset(&sc, 0, sizeof(sc));
		for (i = 0; g != NULL && i < lc_gguf_ntensors(g); i++) {
			lc_gguf_tensor(g, i, &ti);
			scan_tensor(&sc, ti.name, ti.namelen, ti.dtype, ti.data,
			    ti.nelem, buf, BUFN);
		}
		for (i = 0; m != NULL && i < lc_st_ntensors(m->st[s]); i++) {
			lc_st_tensor(m->st[s], i, &si_);
			scan_tensor(&sc, si_.name, strlen(si_.name),
			    si_.lc_dtype >= 0 ? (uint32_t)si_.lc_dtype :
			    LC_DTYPE_COUNT, si_.data, si_.nelem, buf, BUFN);
		}
		rc = check_record(m ? m->path[s] : path, in, inlen, &sc, e);
		if (rc == LC_OK && sc.nonfinite > 0 && first[0] == '\0')
			snprintf(first, sizeof(first), "%s: %llu NaN or "
			    "infinite weights (first in tensor '%s')",
			    m ? m->path[s] : path,
			    (unsigned long long)sc.nonfinite, sc.first_bad);
	}
	free(buf);
	if (rc == LC_OK && first[0] != '\0')
		rc = lc_errf(e, LC_EFORMAT, "%s", first);
	return rc;
}

/* ------------------------------------------------------------------ */

/* 1 if path looks like safetensors: u64 length, then '{'. */
static int
is_safetensors(const char *path)
{
	unsigned char b[9];
	size_t n = strlen(path);
	int fd, r = 0;

	if (n >= 12 && strcmp(path + n - 12, ".safetensors") == 0)
		return 1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	if (read(fd, b, 9) == 9 && memcmp(b, "GGUF", 4) != 0 && b[8] == '{')
		r = 1;
	close(fd);
	return r;
}

static int
inspect(const char *path)
{
	struct stat st;
	lc_gguf *g = NULL;
	stmodel *m = NULL;
	facts f = { .path = path };
	lc_err e;
	unsigned bad8 = 0, nonfin = 0;
	char *in = NULL;
	size_t inlen = 0;
	int rc = LC_OK, isdir;

	isdir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	if (strcmp(path, "-") == 0) {
		in = ereadall(stdin, "<stdin>", &inlen);
		if (inlen == 0)
			rc = lc_errf(&e, LC_EFORMAT, "<stdin>: empty");
		else if ((rc = lc_gguf_open_mem(&g, in, inlen, "<stdin>",
		    &e)) == LC_OK)
			facts_gguf(&f, g);
	} else if (isdir || is_safetensors(path)) {
		if ((m = calloc(1, sizeof(*m))) == NULL)
			die("out of memory");
		if ((rc = st_open(m, path, isdir, &e)) == LC_OK)
			rc = facts_st(&f, m, &e);
	} else if ((rc = lc_gguf_open(&g, path, &e)) == LC_OK) {
		facts_gguf(&f, g);
	}
	if (rc != LC_OK)
		goto out;
	sort_types(&f);
	bad8 = jw.badutf8;
	nonfin = jw.nonfinite;
	if (!opt.summary && !opt.fit && !opt.check) {
		if (g)
			dump_gguf(g, path);
		else
			dump_st(m);
	}
	if (opt.summary) {
		if (opt.json)
			summary_json(&f);
		else
			summary_text(&f);
	}
	if (opt.fit && (rc = fit(&f, &e)) != LC_OK)
		goto out;
	if (opt.check)
		rc = check(path, g, m, in, inlen, &e);
out:
	if (rc != LC_OK)
		warn_err(&e);
	else if (!opt.quiet && jw.badutf8 > bad8)
		warn("%s: %u bytes of invalid UTF-8 in its strings, shown as "
		    "U+FFFD", path, jw.badutf8 - bad8);
	if (rc == LC_OK && !opt.quiet && jw.nonfinite > nonfin)
		warn("%s: %u NaN or infinite values in its metadata, shown as "
		    "null", path, jw.nonfinite - nonfin);
	lc_hf_tok_free(&f.hftok);
	lc_gguf_close(g);
	free(in);
	if (m) {
		st_free(m);
		free(m);
	}
	return rc != LC_OK;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "summary",	no_argument,		NULL, 'S' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "fit",	no_argument,		NULL, 'f' },
		{ "ctx",	required_argument,	NULL, 'c' },
		{ "batch",	required_argument,	NULL, 'b' },
		{ "kv-type",	required_argument,	NULL, 'k' },
		{ "mem",	required_argument,	NULL, 'M' },
		{ "check",	no_argument,		NULL, 'C' },
		{ "diffable",	no_argument,		NULL, 'D' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	lc_err e;
	char feat[64];
	int ch, ret = 0;

	argv0 = "llm-inspect";
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((ch = getopt_long(argc, argv, "Sjfc:b:k:M:DvqhV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'S': opt.summary = 1; break;
		case 'j': opt.json = 1; break;
		case 'f': opt.fit = 1; break;
		case 'c':
			opt.ctx = (uint32_t)estrtonum(optarg, 1, LC_MAX_CTX,
			    "--ctx");
			break;
		case 'b':
			opt.batch = (uint32_t)estrtonum(optarg, 1, 1 << 20,
			    "--batch");
			break;
		case 'k':
			opt.kv_dtype = ekvtype(optarg, "--kv-type");
			break;
		case 'M': opt.mem = esizetonum(optarg, "--mem"); break;
		case 'C': opt.check = 1; break;
		case 'D': opt.diffable = 1; break;
		case 'v': opt.verbose = 1; break;
		case 'q': opt.quiet = 1; break;
		case 'h': usage(stdout, 0); break;
		case 'V':
			printf("llm-inspect %s\nbuild: blas=%s vulkan=%d; "
			    "cpu: %s\n", LC_VERSION, LC_BUILD_BLAS, LC_BUILD_VULKAN,
			    lc_sysinfo_get(&si, NULL) == LC_OK ?
			    lc_sysinfo_features_str(si.features, feat,
			    sizeof(feat)) : "unknown");
			return fshut(stdout, "<stdout>");
		default: usage(stderr, 2);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		warn("no model given");
		usage(stderr, 2);
	}
	if (opt.json && !opt.summary)
		dien(2, "--json goes with --summary (other output is JSONL "
		    "already)");
	if (opt.fit && lc_sysinfo_get(&si, &e) != LC_OK && opt.mem == 0)
		die_err(&e);
	lc_jw_init(&jw);
	for (; *argv; argv++)
		ret |= inspect(*argv);
	lc_jw_free(&jw);
	ret |= fshut(stdout, "<stdout>");
	return ret;
}
