/*
 * llm-bench - speed and quality of local models: prompt processing and
 * generation rates as llama-bench measures them, against this machine's
 * roofline; perplexity and KL-divergence as llama.cpp's perplexity tool
 * computes them.  One JSONL record per test on stdout (or --md, --csv).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "../libcore/backend.h"
#include "../libcore/convert.h"
#include "../libcore/dtype.h"
#include "../libcore/embed.h"
#include "../libcore/eval.h"
#include "../libcore/hparams.h"
#include "../libcore/jsonw.h"
#include "../libcore/model.h"
#include "../libcore/resolve.h"
#include "../libcore/roof.h"
#include "../libcore/sha256.h"
#include "../libcore/sysinfo.h"
#include "../libcore/tok/tok.h"
#include "util.h"

#define MAXL	64		/* values in one list option */

typedef struct ilist {
	int	 v[MAXL];
	int	 n;
} ilist;

static struct {
	const char	*models[MAXL];
	int		 nmodels;
	const char	*devices[MAXL];
	int		 ndevices;
	ilist		 p, n, d, t, b;
	int		 pg[MAXL][2], npg;
	int		 reps, warmup, md, csv, quiet, roof_only, pset;
	int		 embed, bset, nset;
	const char	*ppl, *kld, *save;
	uint32_t	 ctx;
	int		 chunks;
	const char	*cmp[2];
} opt;

static lc_sysinfo si;
static lc_roof roof;
static int have_roof;
static lc_jw jw;
static const char *fmt_kind;	/* kind of the last --csv/--md table */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void
usage(FILE *fp, int status)
{
	fprintf(fp, "usage: %s -m model[,model...] [-q] [--md | --csv] "
	    "[-p n] [-n n] [-pg pp,tg] [-d depth] [-t threads] [-b batch] "
	    "[-r reps] [-D device]\n"
	    "       %s -m model --ppl text [-c ctx] [--chunks n] "
	    "[--save-logits file | --kld base]\n"
	    "       %s -m model --embed [-b batch] [-t threads] [-r reps]\n"
	    "       %s --compare a.jsonl b.jsonl\n", argv0, argv0, argv0, argv0);
	if (status == 0)
		fputs("\n"
		    "  Speed (llama-bench's tests on synthetic tokens; lists take\n"
		    "  1,2,4 and ranges A-B, A-B+STEP, A-B*MULT; every combination runs):\n"
		    "  -m, --model LIST      GGUF files or names, as llm-run -m (env LLM_MODEL)\n"
		    "  -p, --n-prompt LIST   prompt tokens (default 512)\n"
		    "  -n, --n-gen LIST      generated tokens (default 128)\n"
		    "      --pg PP,TG        prompt then generation, timed together (-pg too)\n"
		    "  -d, --n-depth LIST    tokens already in the cache (default 0)\n"
		    "  -t, --threads LIST    threads (default: one per core)\n"
		    "  -b, --batch-size LIST tokens per forward step (default 512)\n"
		    "  -D, --device LIST     cpu (default), vulkan, vulkan:N (env LLM_DEVICE)\n"
		    "  -r, --repetitions N   timed runs per test (default 5)\n"
		    "      --no-warmup       no untimed run first\n"
		    "      --roof            measure this machine's roofline again and print it\n"
		    "                        (with -D vulkan: the device's GEMM rate too)\n"
		    "  An encoder (bert) runs prompt tests only, each one sequence (-b >= -p).\n"
		    "\n  Quality (llama-perplexity's conventions):\n"
		    "      --ppl FILE        perplexity over the text in FILE ('-': stdin)\n"
		    "  -c, --ctx N           tokens per chunk (default 512)\n"
		    "      --chunks N        at most N chunks (default: all)\n"
		    "      --save-logits F   save the base log-probabilities for a later --kld\n"
		    "                        (the base file format of llama-perplexity)\n"
		    "      --kld BASE        KL-divergence against BASE: a saved logits file,\n"
		    "                        or a model evaluated on the --ppl text\n"
		    "\n  Embeddings (llm-embed's models, GGUF or Hugging Face directory):\n"
		    "      --embed           sentences/s, -b sentences per call (default 1,8,32)\n"
		    "\n  Output:\n"
		    "      --md              Markdown table instead of JSONL\n"
		    "      --csv             CSV instead of JSONL\n"
		    "      --compare A B     compare two JSONL result files: B/A ratios of\n"
		    "                        speed, embed and ppl records\n"
		    "  -q, --quiet           no progress on standard error\n"
		    "  -h, --help            this help\n"
		    "  -V, --version         print the version\n", fp);
	exit(status);
}

/* ---- option parsing ---------------------------------------------------- */

static void
addl(ilist *l, long long v, const char *o)
{
	if (l->n == MAXL)
		dien(2, "%s: more than %d values", o, MAXL);
	l->v[l->n++] = (int)v;
}

/* "1,2,4", "1-8", "1-8+2", "1-16*2"; values in [lo, hi] */
static void
parse_list(ilist *l, const char *arg, int lo, int hi, const char *o)
{
	char buf[256], *s, *tok, *save = NULL, *p;
	long long a, b, step;
	int mul;

	l->n = 0;
	if (strlen(arg) >= sizeof(buf) || *arg == '\0')
		dien(2, "%s '%s': expected a list such as 1,2,4 or 1-8", o,
		    arg);
	strcpy(buf, arg);
	for (s = buf; (tok = strtok_r(s, ",", &save)) != NULL; s = NULL) {
		if ((p = strchr(tok + 1, '-')) == NULL) {
			addl(l, estrtonum(tok, lo, hi, o), o);
			continue;
		}
		*p++ = '\0';
		a = estrtonum(tok, lo, hi, o);
		step = 1;
		mul = 0;
		if ((tok = strpbrk(p, "+*")) != NULL) {
			mul = *tok == '*';
			*tok++ = '\0';
			step = estrtonum(tok, mul ? 2 : 1, hi, o);
		}
		b = estrtonum(p, lo, hi, o);
		if (b < a)
			dien(2, "%s: range %lld-%lld runs backwards", o, a, b);
		if (mul && a == 0)
			dien(2, "%s: a range multiplied from 0 never grows", o);
		for (; a <= b; a = mul ? a * step : a + step)
			addl(l, a, o);
	}
}

static void
add_strs(const char **v, int *n, const char *arg, const char *o)
{
	const char *p = arg, *c;
	char *s;

	do {
		c = strchr(p, ',');
		if (*n == MAXL)
			dien(2, "%s: more than %d values", o, MAXL);
		if ((s = strndup(p, c ? (size_t)(c - p) : strlen(p))) == NULL)
			die("out of memory");
		if (*s == '\0')
			dien(2, "%s '%s': empty item", o, arg);
		v[(*n)++] = s;
		p = c ? c + 1 : NULL;
	} while (p != NULL);
}

static void
parse_pg(const char *arg)
{
	const char *c = strchr(arg, ',');
	char a[32];

	if (c == NULL || (size_t)(c - arg) >= sizeof(a))
		dien(2, "--pg '%s': expected PP,TG such as 512,128", arg);
	memcpy(a, arg, (size_t)(c - arg));
	a[c - arg] = '\0';
	if (opt.npg == MAXL)
		dien(2, "--pg: more than %d pairs", MAXL);
	opt.pg[opt.npg][0] = (int)estrtonum(a, 1, 1 << 20, "--pg");
	opt.pg[opt.npg][1] = (int)estrtonum(c + 1, 1, 1 << 20, "--pg");
	opt.npg++;
}

/* ---- records: JSONL, or rows of a Markdown / CSV table ------------------ */

typedef struct col {
	const char	*key, *head;
	int		 dec;		/* decimals for numbers; -1: as is */
} col;

static const col speed_cols[] = {
	{ "model_name", "model", -1 }, { "model_size_mib", "size MiB", 1 },
	{ "model_params_m", "params M", 1 }, { "device", "backend", -1 },
	{ "threads", "threads", -1 }, { "n_batch", "n_batch", -1 },
	{ "test", "test", -1 }, { "tok_s", "t/s", 2 }, { "tok_s_sd", "±", 2 },
	{ "roof_pct", "roof %", 1 }, { NULL, NULL, 0 }
};
static const col ppl_cols[] = {
	{ "model_name", "model", -1 }, { "n_ctx", "n_ctx", -1 },
	{ "n_chunk", "chunks", -1 }, { "ppl", "PPL", 4 },
	{ "ppl_err", "±", 5 }, { NULL, NULL, 0 }
};
static const col kld_cols[] = {
	{ "model_name", "model", -1 }, { "n_ctx", "n_ctx", -1 },
	{ "n_chunk", "chunks", -1 }, { "ppl", "PPL", 4 },
	{ "ppl_base", "PPL base", 4 }, { "kld", "KLD", 6 },
	{ "kld_err", "±", 6 }, { "kld_p99", "KLD 99%", 6 },
	{ "same_top_pct", "same top %", 3 }, { NULL, NULL, 0 }
};
static const col embed_cols[] = {
	{ "model_name", "model", -1 }, { "device", "backend", -1 },
	{ "threads", "threads", -1 }, { "batch", "batch", -1 },
	{ "sent_s", "sentences/s", 2 }, { "sent_s_sd", "±", 2 },
	{ "tok_s", "t/s", 1 }, { NULL, NULL, 0 }
};
static const col cmp_cols[] = {
	{ "test", "test", -1 }, { "a_model", "A", -1 }, { "b_model", "B", -1 },
	{ "a", "A", 4 }, { "b", "B", 4 }, { "ratio", "B/A", 3 },
	{ "noise", "noise", -1 }, { NULL, NULL, 0 }
};
static const col cost_cols[] = {
	{ "model_name", "model", -1 },
	{ "weight_bytes_per_token", "weight bytes/token", -1 },
	{ "matmul_params", "matmul params", -1 },
	{ "output_params", "output params", -1 }, { NULL, NULL, 0 }
};
static const col gpu_roof_cols[] = {
	{ "device", "backend", -1 }, { "gpu_name", "GPU", -1 },
	{ "bw_gbs", "copy GB/s", 1 }, { "f16_gflops", "f16 GFLOP/s", 1 },
	{ "f32_gflops", "f32 GFLOP/s", 1 }, { NULL, NULL, 0 }
};
static const col roof_cols[] = {
	{ "cpu_model", "CPU", -1 }, { "threads", "threads", -1 },
	{ "bw_gbs", "GB/s", 1 }, { "f32_gflops", "f32 GFLOP/s", 1 },
	{ "i8_gops", "int8 GOP/s", 1 }, { NULL, NULL, 0 }
};

static void
csv_field(const char *s)
{
	if (strpbrk(s, ",\"\n") == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void
cell(const cJSON *v, int dec, char *buf, size_t len)
{
	if (cJSON_IsNumber(v)) {
		if (dec < 0)
			snprintf(buf, len, "%.10g", v->valuedouble);
		else
			snprintf(buf, len, "%.*f", dec, v->valuedouble);
	} else if (cJSON_IsString(v))
		snprintf(buf, len, "%s", v->valuestring);
	else if (cJSON_IsBool(v))
		snprintf(buf, len, "%s", cJSON_IsTrue(v) ? "yes" : "no");
	else
		snprintf(buf, len, "%s", "");
}

/* Prints the record in jw: JSONL as is, else a table row (with the
   header when the record's kind changes). */
static void
emit(void)
{
	const col *c, *c0;
	cJSON *o, *k;
	char buf[256];

	if (jw.oom)
		die("out of memory");
	if (!opt.md && !opt.csv) {
		fwrite(jw.buf, 1, jw.len, stdout);
		putchar('\n');
		return;
	}
	if ((o = cJSON_ParseWithLength(jw.buf, jw.len)) == NULL)
		die("out of memory");
	k = cJSON_GetObjectItemCaseSensitive(o, "kind");
	c = strcmp(k->valuestring, "speed") == 0 ? speed_cols :
	    strcmp(k->valuestring, "ppl") == 0 ? ppl_cols :
	    strcmp(k->valuestring, "kld") == 0 ? kld_cols :
	    strcmp(k->valuestring, "roof") == 0 ? roof_cols :
	    strcmp(k->valuestring, "gpu_roof") == 0 ? gpu_roof_cols :
	    strcmp(k->valuestring, "model_cost") == 0 ? cost_cols :
	    strcmp(k->valuestring, "embed") == 0 ? embed_cols : cmp_cols;
	if (fmt_kind == NULL || strcmp(fmt_kind, k->valuestring) != 0) {
		const col *h;
		if (fmt_kind != NULL)
			putchar('\n');
		fmt_kind = c == speed_cols ? "speed" : c == ppl_cols ? "ppl" :
		    c == kld_cols ? "kld" : c == roof_cols ? "roof" :
		    c == gpu_roof_cols ? "gpu_roof" :
		    c == cost_cols ? "model_cost" :
		    c == embed_cols ? "embed" : "compare";
		for (h = c; h->key; h++) {
			if (opt.csv) {
				printf("%s", h == c ? "" : ",");
				csv_field(h->key);
			} else
				printf("| %s ", h->head);
		}
		puts(opt.csv ? "" : "|");
		if (opt.md) {
			for (h = c; h->key; h++)
				printf("| %s ", h->dec >= 0 ? "--:" : "---");
			puts("|");
		}
	}
	for (c0 = c; c->key; c++) {
		cell(cJSON_GetObjectItemCaseSensitive(o, c->key), c->dec, buf,
		    sizeof(buf));
		if (opt.csv) {
			if (c != c0)
				putchar(',');
			csv_field(buf);
		} else
			printf("| %s ", buf);
	}
	puts(opt.csv ? "" : "|");
	cJSON_Delete(o);
}

static void
jnum(const char *k, double v)
{
	lc_jw_key(&jw, k);
	lc_jw_f64(&jw, v);
}

static void
jfix(const char *k, double v, int dec)
{
	lc_jw_key(&jw, k);
	if (isfinite(v))
		lc_jw_fix(&jw, v, dec);
	else
		lc_jw_null(&jw);
}

static void
jint(const char *k, long long v)
{
	lc_jw_key(&jw, k);
	lc_jw_i64(&jw, v);
}

static void
jstr(const char *k, const char *v)
{
	lc_jw_key(&jw, k);
	if (v != NULL)
		lc_jw_str(&jw, v);
	else
		lc_jw_null(&jw);
}

/* The device that -D's dev names: LLM_DEVICE when there is no -D. */
static const char *
devname(const char *dev)
{
	if (dev == NULL || *dev == '\0')
		dev = getenv("LLM_DEVICE");
	return dev != NULL && *dev != '\0' ? dev : "cpu";
}

/*
 * The Vulkan device that dev names ("vulkan", "vulkan:N"), described
 * and its bandwidth measured once per run; NULL for the CPU or when it
 * cannot be described.
 */
/* N of a device name vulkan[:N] (0 without), -1 for another device
   or an N past the eight the caches below hold */
static long
vk_num(const char *dev)
{
	long n = 0;

	if (strncmp(dev, "vulkan", 6) != 0)
		return -1;
	if (dev[6] == ':')
		n = strtol(dev + 7, NULL, 10);
	return n >= 0 && n < 8 ? n : -1;
}

static const lc_vk_info *
vk_info(const char *dev)
{
	static lc_vk_info info[8];
	static int state[8];	/* 0 not asked, 1 have, -1 failed */
	lc_err e;
	long n;

	dev = devname(dev);
	if ((n = vk_num(dev)) < 0)
		return NULL;
	if (state[n] == 0) {
		state[n] = lc_vk_device_info((int)n, &info[n], &e) == LC_OK ?
		    1 : -1;
		if (state[n] < 0 && !opt.quiet)
			warn("%s: %s", dev, e.msg);
	}
	return state[n] > 0 ? &info[n] : NULL;
}

/*
 * The compute roof of the Vulkan device that dev names: the rate of a
 * large f16 and f32 matrix product through the backend's own matmul,
 * measured on a backend of its own (lc_roof_dev_get) and cached under
 * the device's name and driver; NULL for the CPU, or when it cannot be
 * measured.  measure 0 only looks: NULL if not measured yet.
 */
static const lc_roof_dev *
dev_roof(const char *dev, int threads, int measure)
{
	static lc_roof_dev dr[8];
	static int state[8];	/* 0 not asked, 1 have, -1 failed */
	const lc_vk_info *vi;
	lc_backend *be;
	char key[sizeof(dr[0].key)];
	lc_err e;
	long n;

	dev = devname(dev);
	if ((n = vk_num(dev)) < 0)
		return NULL;
	if (state[n] == 0 && measure && (vi = vk_info(dev)) != NULL) {
		snprintf(key, sizeof(key), "vulkan/%s/%s/%s", vi->name,
		    vi->driver, vi->driver_info);
		if (!opt.quiet && isatty(2))
			fprintf(stderr, "%s: %s: measuring the GEMM rate...\r",
			    argv0, dev);
		be = ebackend(dev, threads);
		state[n] = lc_roof_dev_get(&dr[n], key, be, opt.roof_only, &e) ==
		    LC_OK ? 1 : -1;
		be->ops->free(be);
		if (!opt.quiet && isatty(2))
			fprintf(stderr, "\r\033[K");
		if (state[n] < 0)
			warn("%s: %s", dev, e.msg);
	}
	return state[n] > 0 ? &dr[n] : NULL;
}

static void
machine(const char *device)
{
	const lc_roof_dev *dr = dev_roof(device, 0, 0);
	const lc_vk_info *vi = vk_info(device);
	char isa[64];

	lc_jw_key(&jw, "machine");
	lc_jw_obj(&jw);
	jstr("cpu_model", si.cpu_model);
	jint("cores", si.ncpu);
	jstr("isa", lc_sysinfo_features_str(si.features, isa, sizeof(isa)));
	jint("mem_bytes", (long long)si.mem_total);
	lc_jw_key(&jw, "gpu");
	if (vi != NULL) {
		lc_jw_obj(&jw);
		jstr("device", device);
		jstr("name", vi->name);
		jstr("type", vi->type);
		jstr("driver", vi->driver);
		jstr("driver_info", vi->driver_info);
		jint("api_version_major", vi->api_version >> 22);
		jint("api_version_minor", vi->api_version >> 12 & 0x3ff);
		jint("mem_bytes", (long long)vi->mem_bytes);
		jfix("copy_bandwidth_gbs", vi->bandwidth / 1e9, 2);
		jfix("gemm_f16_gflops", dr ? dr->f16_gflops : NAN, 3);
		jfix("gemm_f32_gflops", dr ? dr->f32_gflops : NAN, 3);
		lc_jw_obj_end(&jw);
	} else
		lc_jw_null(&jw);
	lc_jw_obj_end(&jw);
	lc_jw_key(&jw, "build");
	lc_jw_obj(&jw);
	jstr("version", LC_VERSION);
#ifdef __VERSION__
	jstr("compiler", __VERSION__);
#endif
	jstr("blas", LC_BUILD_BLAS);
	lc_jw_key(&jw, "vulkan");
	lc_jw_bool(&jw, LC_BUILD_VULKAN);
	lc_jw_obj_end(&jw);
}

/* ---- models ------------------------------------------------------------ */

typedef struct minfo {
	const char	*arg;
	char		 path[4096];
	char		 name[256];	/* file name without .gguf */
	char		 sha[65];
	uint64_t	 size;
	const char	*dtype;		/* holding most of the weight bytes */
	int		 quant;
	int		 loaded;	/* opened once already (warm) */
	double		 load_cold_ms;
} minfo;

static minfo *minfos;

static void
model_facts(minfo *mi, const lc_model *m)
{
	const lc_gguf *g = lc_model_gguf(m);
	uint64_t by[LC_DTYPE_COUNT] = { 0 }, best = 0, i;
	lc_tensor_info t;
	const lc_dtype_traits *tr;
	int k;

	for (i = 0; i < lc_gguf_ntensors(g); i++) {
		lc_gguf_tensor(g, i, &t);
		if (t.dtype < LC_DTYPE_COUNT)
			by[t.dtype] += t.nbytes;
	}
	for (k = 0; k < LC_DTYPE_COUNT; k++)
		if (by[k] > best && (tr = lc_dtype((uint32_t)k)) != NULL) {
			best = by[k];
			mi->dtype = tr->name;
			mi->quant = tr->is_quant;
		}
}

static void
model_head(const minfo *mi, const lc_model *m)
{
	const lc_hparams *hp = lc_model_hparams(m);

	jstr("model", mi->arg);
	jstr("model_name", mi->name);
	jstr("model_sha256", mi->sha[0] ? mi->sha : NULL);
	jstr("model_dtype", mi->dtype);
	jstr("arch", hp->arch);
	jint("model_size", (long long)mi->size);
	jfix("model_size_mib", mi->size / 1048576.0, 2);
	jint("model_params", (long long)hp->n_params);
	jfix("model_params_m", hp->n_params * 1e-6, 3);
}

/* A Hugging Face model directory (config.json), as llm-embed takes. */
static int
is_hfdir(const char *path)
{
	char cfg[4200];
	struct stat st;

	snprintf(cfg, sizeof(cfg), "%s/config.json", path);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
	    access(cfg, R_OK) == 0;
}

static void
minfo_init(minfo *mi, const char *arg)
{
	lc_err e;
	const char *b;
	size_t n;

	mi->arg = arg;
	if (is_hfdir(arg))
		snprintf(mi->path, sizeof(mi->path), "%s", arg);
	else if (lc_model_resolve(arg, mi->path, sizeof(mi->path), &e) !=
	    LC_OK)
		die_err(&e);
	while (strlen(mi->path) > 1 && mi->path[strlen(mi->path) - 1] == '/')
		mi->path[strlen(mi->path) - 1] = '\0';
	b = strrchr(mi->path, '/');
	b = b ? b + 1 : mi->path;
	n = strlen(b);
	if (n > 5 && strcmp(b + n - 5, ".gguf") == 0)
		n -= 5;
	snprintf(mi->name, sizeof(mi->name), "%.*s", (int)n, b);
	if (is_hfdir(mi->path))
		return;		/* no one file to hash */
	if (lc_sha256_file(mi->path, mi->sha, &mi->size, &e) != LC_OK)
		die_err(&e);
}

/* Drops the file's pages from the page cache (where no one maps them),
   so the first load reads the disk. */
static void
uncache(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
	}
}

/* Resets the peak resident set (Linux: clear_refs 5); returns 1 if done. */
static int
reset_hwm(void)
{
	FILE *fp = fopen("/proc/self/clear_refs", "w");
	int ok;

	if (fp == NULL)
		return 0;
	ok = fputs("5", fp) != EOF;
	return fclose(fp) == 0 && ok;
}

static long long
peak_rss(void)
{
	char line[256];
	long long kb = -1;
	FILE *fp = fopen("/proc/self/status", "r");

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "VmHWM: %lld kB", &kb) == 1)
			break;
	fclose(fp);
	return kb < 0 ? -1 : kb * 1024;
}

static lc_model *
open_model(minfo *mi, lc_backend *be, uint32_t ctx, uint32_t batch,
    double *ms)
{
	lc_model_opts mo = { 0 };
	lc_model *m;
	lc_err e;
	double t0;

	mo.n_ctx = ctx;
	mo.n_batch = batch;
	mo.kv_dtype = LC_F16;
	t0 = now();
	if (is_hfdir(mi->path)) {	/* converted to an unlinked GGUF */
		const char *td = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		char tmp[4096];
		lc_conv *cv;
		int fd, rc;
		snprintf(tmp, sizeof(tmp), "%s/llm-bench.XXXXXX", td);
		if (lc_conv_open(&cv, mi->path, NULL, &e) != LC_OK)
			die_err(&e);
		if ((fd = mkstemp(tmp)) < 0)
			die("%s:", tmp);
		close(fd);
		rc = lc_conv_write(cv, LC_CONV_KEEP, tmp, NULL, &e);
		lc_conv_close(cv);
		if (rc == LC_OK)
			rc = lc_model_open(&m, tmp, be, &mo, &e);
		unlink(tmp);
		if (rc != LC_OK && strncmp(e.msg, tmp, strlen(tmp)) == 0) {
			/* name the directory, not the unlinked file */
			char msg[sizeof(e.msg)];
			snprintf(msg, sizeof(msg), "%.*s%s",
			    (int)(sizeof(msg) / 2), mi->path,
			    e.msg + strlen(tmp));
			memcpy(e.msg, msg, sizeof(msg));
		}
		if (rc != LC_OK)
			die_err(&e);
		if (mi->size == 0)
			mi->size = lc_gguf_size(lc_model_gguf(m));
	} else if (lc_model_open(&m, mi->path, be, &mo, &e) != LC_OK)
		die_err(&e);
	*ms = (now() - t0) * 1e3;
	if (mi->dtype == NULL)
		model_facts(mi, m);
	return m;
}

/* ---- speed -------------------------------------------------------------- */

typedef struct test {
	int	 p, n, d;
} test;

static uint64_t rng = 0x853c49e6748fea9bull;

static int32_t
rand_tok(uint32_t n_vocab)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (int32_t)(rng % n_vocab);
}

static void
evalx(lc_model *m, const int32_t *ids, int n, int pos, float *logits)
{
	lc_err e;

	if (lc_model_eval(m, ids, n, pos, 0, logits, &e) != LC_OK)
		die_err(&e);
}

/* One run of test t: times prompt (to the first token's logits) and
   generation.  Returns seconds of the timed part.  An encoder (no
   logits) runs the prompt as one whole sequence (lc_model_hidden, as
   llm-embed does), its hidden states into logits. */
static double
run_once(lc_model *m, const test *t, int32_t *ids, float *logits,
    double *ttft)
{
	uint32_t nv = lc_model_hparams(m)->n_vocab;
	double t0, t1;
	int i, pos;
	lc_err e;

	lc_model_reset(m);
	for (i = 0; i < t->d + t->p; i++)
		ids[i] = rand_tok(nv);
	if (!lc_model_has_logits(m)) {
		int32_t len = t->p;
		t0 = now();
		if (lc_model_hidden(m, ids, &len, 1, logits, &e) != LC_OK)
			die_err(&e);
		*ttft = (now() - t0) * 1e3;
		return *ttft / 1e3;
	}
	if (t->d > 0)
		evalx(m, ids, t->d, 0, NULL);
	pos = t->d;
	t0 = now();
	if (t->p > 0) {
		evalx(m, ids + t->d, t->p, pos, logits);
		pos += t->p;
	}
	t1 = now();
	for (i = 0; i < t->n; i++) {
		int32_t id = rand_tok(nv);
		evalx(m, &id, 1, pos++, logits);
		if (i == 0 && t->p == 0)
			t1 = now();
	}
	*ttft = (t1 - t0) * 1e3;
	return now() - t0;
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
speed_test(minfo *mi, lc_model *m, const char *dev, int threads, int batch,
    const test *t, double load_ms, int32_t *ids, float *logits)
{
	const lc_hparams *hp = lc_model_hparams(m);
	double ts[1024], sorted[1024], mean = 0, sd = 0, ttft = 0, tt, secs;
	double roof_pct = NAN;
	char name[64];
	int r, ntok = t->p + t->n;

	if (t->p > 0 && t->n > 0)
		snprintf(name, sizeof(name), "pp%d+tg%d", t->p, t->n);
	else if (t->p > 0)
		snprintf(name, sizeof(name), "pp%d", t->p);
	else
		snprintf(name, sizeof(name), "tg%d", t->n);
	if (t->d > 0)
		snprintf(name + strlen(name), sizeof(name) - strlen(name),
		    " @ d%d", t->d);
	if (opt.warmup) {
		test w = *t;
		if (w.p > 0)
			w.n = 0;
		else
			w.n = 1;
		(void)run_once(m, &w, ids, logits, &tt);
	}
	for (r = 0; r < opt.reps; r++) {
		if (!opt.quiet && isatty(2))
			fprintf(stderr, "\r%s: %s %s %d/%d ", argv0, mi->name,
			    name, r + 1, opt.reps);
		secs = run_once(m, t, ids, logits, &tt);
		ts[r] = ntok / secs;
		ttft += tt / opt.reps;
	}
	if (!opt.quiet && isatty(2))
		fprintf(stderr, "\r\033[K");
	for (r = 0; r < opt.reps; r++)
		mean += ts[r] / opt.reps;
	for (r = 0; r < opt.reps; r++)
		sd += (ts[r] - mean) * (ts[r] - mean);
	sd = opt.reps > 1 ? sqrt(sd / (opt.reps - 1)) : 0;
	memcpy(sorted, ts, (size_t)opt.reps * sizeof(double));
	qsort(sorted, (size_t)opt.reps, sizeof(double), cmpd);
	if (t->n == 0) {
		/* FLOPs per prompt token: the layers' products, the output
		   matrix for the last token (none for an encoder), attention
		   at the mean causal length (an encoder: the whole prompt) */
		const lc_gguf *g = lc_model_gguf(m);
		const lc_roof_dev *dr = dev_roof(dev, 0, 0);
		double fl = 2.0 * lc_roof_matmul_params(g, hp) +
		    (lc_model_has_logits(m) ? 2.0 * lc_roof_output_params(g,
		    hp) / t->p : 0) + lc_roof_attn_flops(hp, hp->causal ?
		    t->d + t->p / 2.0 : t->p);
		if (have_roof && strcmp(devname(dev), "cpu") == 0) {
			double peak = mi->quant && roof.i8_gops > 0 ?
			    roof.i8_gops : roof.f32_gflops;
			roof_pct = 100 * mean * fl / (peak * 1e9);
		} else if (dr != NULL) {
			/* a GPU: against its measured GEMM rate, f32 for
			   f32 weights, else f16 */
			double peak = strcmp(mi->dtype, "f32") == 0 ?
			    dr->f32_gflops : dr->f16_gflops;
			roof_pct = 100 * mean * fl / (peak * 1e9);
		}
	} else if (t->p == 0) {	/* memory roof */
		const lc_gguf *g = lc_model_gguf(m);
		double bytes = (double)lc_roof_weight_bytes(g, hp) +
		    lc_roof_kv_bytes(hp, t->d + t->n / 2.0, 2);
		if (have_roof && strcmp(devname(dev), "cpu") == 0)
			roof_pct = 100 * mean * bytes / (roof.bw_gbs * 1e9);
		else if (vk_info(dev) != NULL)
			/* generation on a GPU: against its measured copy
			   bandwidth (bytes read plus written per second, ~
			   what a stream of reads reaches) */
			roof_pct = 100 * mean * bytes / vk_info(dev)->bandwidth;
	}
	lc_jw_reset(&jw);
	lc_jw_obj(&jw);
	jstr("kind", "speed");
	jstr("test", name);
	model_head(mi, m);
	jstr("device", devname(dev));
	jint("threads", threads);
	jint("n_batch", batch);
	jint("n_prompt", t->p);
	jint("n_gen", t->n);
	jint("n_depth", t->d);
	jint("reps", opt.reps);
	jfix("tok_s", mean, 3);
	jfix("tok_s_sd", sd, 3);
	jfix("tok_s_median", opt.reps % 2 ? sorted[opt.reps / 2] :
	    (sorted[opt.reps / 2 - 1] + sorted[opt.reps / 2]) / 2, 3);
	jfix("tok_s_min", sorted[0], 3);
	jfix("tok_s_max", sorted[opt.reps - 1], 3);
	lc_jw_key(&jw, "samples_tok_s");
	lc_jw_arr(&jw);
	for (r = 0; r < opt.reps; r++)
		lc_jw_fix(&jw, ts[r], 3);
	lc_jw_arr_end(&jw);
	jfix("ttft_ms", ttft, 3);
	jfix("load_cold_ms", mi->load_cold_ms, 3);
	jfix("load_ms", load_ms, 3);
	jint("peak_rss_bytes", peak_rss());
	jfix("roof_pct", roof_pct, 2);
	jstr("roof", isnan(roof_pct) ? NULL : t->p == 0 ? "memory" :
	    "compute");
	machine(dev);
	lc_jw_obj_end(&jw);
	emit();
}

static int
speed(void)
{
	test tests[4 * MAXL * MAXL];
	int nt = 0, i, k, mi, di, ti, bi, maxpos, ret = 0;

	for (k = 0; k < opt.d.n; k++) {
		for (i = 0; i < opt.p.n; i++)
			if (opt.p.v[i] > 0)
				tests[nt++] = (test){ opt.p.v[i], 0, opt.d.v[k] };
		for (i = 0; i < opt.n.n; i++)
			if (opt.n.v[i] > 0)
				tests[nt++] = (test){ 0, opt.n.v[i], opt.d.v[k] };
		for (i = 0; i < opt.npg; i++)
			tests[nt++] = (test){ opt.pg[i][0], opt.pg[i][1],
			    opt.d.v[k] };
	}
	if (nt == 0)
		dien(2, "no test: every -p and -n is 0 and there is no --pg");
	maxpos = 16;
	for (i = 0; i < nt; i++)
		if (tests[i].p + tests[i].n + tests[i].d > maxpos)
			maxpos = tests[i].p + tests[i].n + tests[i].d;
	for (mi = 0; mi < opt.nmodels; mi++)
	for (di = 0; di < opt.ndevices; di++)
	for (ti = 0; ti < opt.t.n; ti++)
	for (bi = 0; bi < opt.b.n; bi++) {
		minfo *m = &minfos[mi];
		const char *dev = opt.devices[di];
		lc_backend *be = ebackend(dev, opt.t.v[ti]);
		lc_model *model;
		int32_t *ids = NULL;
		float *logits = NULL;
		double ms;

		const lc_hparams *hp;
		size_t nout;

		(void)dev_roof(dev, opt.t.v[ti], 1);
		reset_hwm();
		if (!m->loaded) {
			uncache(m->path);
			model = open_model(m, be, (uint32_t)maxpos,
			    (uint32_t)opt.b.v[bi], &m->load_cold_ms);
			lc_model_close(model);
			m->loaded = 1;
		}
		model = open_model(m, be, (uint32_t)maxpos,
		    (uint32_t)opt.b.v[bi], &ms);
		hp = lc_model_hparams(model);
		/* logits of a token, or an encoder's hidden states */
		nout = lc_model_has_logits(model) ? hp->n_vocab :
		    (size_t)maxpos * hp->n_embd;
		if ((ids = malloc((size_t)maxpos * sizeof(*ids))) == NULL ||
		    (logits = malloc(nout * sizeof(*logits))) == NULL)
			die("out of memory");
		for (i = 0; i < nt; i++) {
			if (!lc_model_has_logits(model) &&
			    (tests[i].n > 0 || tests[i].d > 0)) {
				/* an encoder runs prompts only: the default
				   -n passes quietly, an asked test fails */
				if (opt.nset || tests[i].d > 0) {
					warn("%s: %s encodes whole sequences: no "
					    "%s (prompt tests only)", m->path,
					    hp->arch, tests[i].d > 0 ?
					    "cache depth" : "generation");
					ret = 1;
				}
				continue;
			}
			if (!lc_model_has_logits(model) &&
			    (uint32_t)tests[i].p > lc_model_n_batch(model))
				die("%s: pp%d: an encoder takes the whole "
				    "sequence in one step, and -b is %d",
				    m->path, tests[i].p, opt.b.v[bi]);
			speed_test(m, model, dev, opt.t.v[ti], opt.b.v[bi],
			    &tests[i], ms, ids, logits);
		}
		free(ids);
		free(logits);
		lc_model_close(model);
		be->ops->free(be);
	}
	return ret;
}

/* ---- embeddings ---------------------------------------------------------- */

#define EMBED_N	256		/* sentences per timed run */

/* EMBED_N synthetic sentences of 6-24 words, the same every run */
static char **
sentences(void)
{
	static const char *w[] = { "the", "model", "reads", "a", "long",
	    "text", "and", "writes", "vectors", "for", "every", "line", "of",
	    "it", "quickly", "while", "machines", "in", "old", "networks",
	    "wait", "on", "disks", "river", "stone", "bread", "light", "house",
	    "winter", "garden", "number", "letter", "seven", "children" };
	uint64_t st = 0x9e3779b97f4a7c15ull;
	char **v = calloc(EMBED_N, sizeof(*v));
	int i, k, n;

	if (v == NULL)
		die("out of memory");
	for (i = 0; i < EMBED_N; i++) {
		char buf[512] = "";
		st ^= st << 13;
		st ^= st >> 7;
		st ^= st << 17;
		n = 6 + (int)(st % 19);
		for (k = 0; k < n; k++) {
			st ^= st << 13;
			st ^= st >> 7;
			st ^= st << 17;
			strcat(buf, k ? " " : "");
			strcat(buf, w[st % (sizeof(w) / sizeof(w[0]))]);
		}
		strcat(buf, ".");
		if ((v[i] = strdup(buf)) == NULL)
			die("out of memory");
	}
	return v;
}

static void
embed_bench(void)
{
	char **sent = sentences();
	lc_embed_item *it = calloc(EMBED_N, sizeof(*it));
	int mi, di, ti, bi, r, i;

	if (it == NULL)
		die("out of memory");
	if (!opt.bset)
		parse_list(&opt.b, "1,8,32", 1, EMBED_N, "-b");
	for (mi = 0; mi < opt.nmodels; mi++)
	for (di = 0; di < opt.ndevices; di++)
	for (ti = 0; ti < opt.t.n; ti++) {
		minfo *m = &minfos[mi];
		const char *dev = opt.devices[di];
		lc_backend *be = ebackend(dev, opt.t.v[ti]);
		lc_model *model;
		lc_tok *tok;
		lc_embed *em;
		lc_err e;
		double ms, t0, ts[1024], mean, sd, ntok = 0;

		reset_hwm();
		if (!m->loaded) {
			uncache(m->path);
			model = open_model(m, be, 0, 2048, &m->load_cold_ms);
			lc_model_close(model);
			m->loaded = 1;
		}
		model = open_model(m, be, 0, 2048, &ms);
		if (lc_tok_new(&tok, lc_model_gguf(model), &e) != LC_OK) {
			lc_errprefix(&e, m->path);
			die_err(&e);
		}
		if (lc_embed_new(&em, model, tok, NULL, &e) != LC_OK) {
			lc_errprefix(&e, m->path);
			die_err(&e);
		}
		for (bi = 0; bi < opt.b.n; bi++) {
			int b = opt.b.v[bi];
			char name[64];
			snprintf(name, sizeof(name), "embed b%d", b);
			for (r = -opt.warmup; r < opt.reps; r++) {
				ntok = 0;
				t0 = now();
				for (i = 0; i < EMBED_N; i += b) {
					int k, n = EMBED_N - i < b ? EMBED_N - i : b;
					for (k = 0; k < n; k++) {
						memset(&it[i + k], 0, sizeof(*it));
						it[i + k].text = sent[i + k];
						it[i + k].len = strlen(sent[i + k]);
					}
					if (lc_embed_run(em, it + i, (size_t)n, &e) !=
					    LC_OK)
						die_err(&e);
					for (k = 0; k < n; k++) {
						if (it[i + k].rc != LC_OK)
							die_err(&it[i + k].err);
						ntok += it[i + k].n_tok;
						free(it[i + k].vec);
					}
				}
				if (r >= 0)
					ts[r] = EMBED_N / (now() - t0);
			}
			for (mean = 0, r = 0; r < opt.reps; r++)
				mean += ts[r] / opt.reps;
			for (sd = 0, r = 0; r < opt.reps; r++)
				sd += (ts[r] - mean) * (ts[r] - mean);
			sd = opt.reps > 1 ? sqrt(sd / (opt.reps - 1)) : 0;
			qsort(ts, (size_t)opt.reps, sizeof(double), cmpd);
			lc_jw_reset(&jw);
			lc_jw_obj(&jw);
			jstr("kind", "embed");
			jstr("test", name);
			model_head(m, model);
			jstr("device", devname(dev));
			jint("threads", opt.t.v[ti]);
			jint("batch", b);
			jint("n_sentences", EMBED_N);
			jint("n_tokens", (long long)ntok);
			jint("dim", lc_embed_dim(em));
			jint("reps", opt.reps);
			jfix("sent_s", mean, 3);
			jfix("sent_s_sd", sd, 3);
			jfix("sent_s_median", opt.reps % 2 ? ts[opt.reps / 2] :
			    (ts[opt.reps / 2 - 1] + ts[opt.reps / 2]) / 2, 3);
			jfix("sent_s_min", ts[0], 3);
			jfix("sent_s_max", ts[opt.reps - 1], 3);
			jfix("tok_s", mean * ntok / EMBED_N, 3);
			jfix("load_cold_ms", m->load_cold_ms, 3);
			jfix("load_ms", ms, 3);
			jint("peak_rss_bytes", peak_rss());
			machine(dev);
			lc_jw_obj_end(&jw);
			emit();
		}
		lc_embed_free(em);
		lc_tok_free(tok);
		lc_model_close(model);
		be->ops->free(be);
	}
	for (i = 0; i < EMBED_N; i++)
		free(sent[i]);
	free(sent);
	free(it);
}

/* ---- quality ------------------------------------------------------------ */

static void
progress(void *arg, int c, int n, double ppl)
{
	(void)arg;
	if (!opt.quiet && isatty(2))
		fprintf(stderr, "\r%s: chunk %d/%d ppl %.4f\033[K%s", argv0, c, n,
		    ppl, c == n ? "\r\033[K" : "");
}

/* 1 if path starts as a base logits file does; *n_ctx from its header */
static int
is_logits_file(const char *path, uint32_t *n_ctx)
{
	char magic[8];
	FILE *fp = fopen(path, "rb");
	int yes;

	if (fp == NULL)
		return 0;
	yes = fread(magic, 1, 8, fp) == 8 && memcmp(magic, "_logits_", 8) == 0 &&
	    fread(n_ctx, 4, 1, fp) == 1;
	fclose(fp);
	return yes;
}

static void
quality(void)
{
	lc_backend *be = ebackend(opt.devices[0], opt.t.v[0]);
	lc_model *m, *base = NULL;
	lc_tok *tok;
	lc_eval_opts eo = { 0 };
	lc_eval_result r;
	int32_t *ids = NULL;
	size_t nids = 0, cap = 0, len = 0;
	char *text = NULL;
	uint32_t fctx = 0;
	int k, basefile = opt.kld != NULL && is_logits_file(opt.kld, &fctx);
	minfo bm;
	lc_err e;
	double ms, t0;

	if (basefile && fctx >= 4 && fctx <= LC_MAX_CTX)
		opt.ctx = fctx;		/* the chunks of the file */
	if (opt.kld != NULL && !basefile && opt.ppl == NULL)
		dien(2, "--kld with a base model needs the text: --ppl FILE");
	if (opt.ppl != NULL && !basefile) {
		FILE *fp = strcmp(opt.ppl, "-") == 0 ? stdin :
		    fopen(opt.ppl, "rb");
		if (fp == NULL)
			die("%s:", opt.ppl);
		text = ereadall(fp, opt.ppl, &len);
		if (fp != stdin)
			fclose(fp);
	}
	if (opt.kld != NULL && !basefile) {
		memset(&bm, 0, sizeof(bm));
		minfo_init(&bm, opt.kld);
		base = open_model(&bm, be, opt.ctx, (uint32_t)opt.b.v[0], &ms);
	}
	for (k = 0; k < opt.nmodels; k++) {
		minfo *mi = &minfos[k];
		m = open_model(mi, be, opt.ctx, (uint32_t)opt.b.v[0], &ms);
		if (lc_tok_new(&tok, lc_model_gguf(m), &e) != LC_OK) {
			lc_errprefix(&e, mi->path);
			die_err(&e);
		}
		if (lc_tok_add_eos(tok))
			die("%s: the tokenizer adds EOS to every text: "
			    "perplexity is not defined for it (as in "
			    "llama-perplexity)", mi->path);
		nids = 0;
		if (text != NULL && lc_tok_encode(tok, text, len, 1, 0, &ids,
		    &nids, &cap, &e) != LC_OK)
			die_err(&e);
		eo.n_ctx = opt.ctx;
		eo.n_chunks = opt.chunks;
		eo.bos = lc_tok_add_bos(tok) ? lc_tok_bos(tok) : -1;
		eo.save_path = opt.save;
		eo.base_path = basefile ? opt.kld : NULL;
		eo.base_model = base;
		eo.progress = progress;
		t0 = now();
		if (lc_eval_run(m, ids, nids, &eo, &r, &e) != LC_OK) {
			/* the base file's errors name it already */
			if (opt.ppl != NULL && e.code == LC_EINVAL)
				lc_errprefix(&e, opt.ppl);
			else if (!basefile || strncmp(e.msg, opt.kld,
			    strlen(opt.kld)) != 0)
				lc_errprefix(&e, mi->path);
			die_err(&e);
		}
		lc_jw_reset(&jw);
		lc_jw_obj(&jw);
		jstr("kind", r.has_kld ? "kld" : "ppl");
		model_head(mi, m);
		if (opt.ppl != NULL && !basefile)
			jstr("text", opt.ppl);
		if (opt.kld != NULL)
			jstr("base", opt.kld);
		if (opt.kld != NULL && !basefile)
			jstr("base_sha256", bm.sha);
		jstr("device", devname(opt.devices[0]));
		jint("threads", opt.t.v[0]);
		if (text != NULL)
			jint("n_tokens", (long long)nids);
		jint("n_ctx", r.n_ctx);
		jint("n_chunk", r.n_chunk);
		jint("n_scored", (long long)r.count);
		jnum("ppl", r.ppl);
		jnum("ppl_err", r.ppl_err);
		if (r.has_kld) {
			static const char *kn[11] = { "kld_max", "kld_p99_9",
			    "kld_p99", "kld_p95", "kld_p90", "kld_median",
			    "kld_p10", "kld_p5", "kld_p1", "kld_p0_1",
			    "kld_min" };
			static const char *dn[13] = { "dp_max", "dp_p99_9",
			    "dp_p99", "dp_p95", "dp_p90", "dp_p75", "dp_median",
			    "dp_p25", "dp_p10", "dp_p5", "dp_p1", "dp_p0_1",
			    "dp_min" };
			int i;
			jnum("ppl_base", r.ppl_base);
			jnum("ppl_base_err", r.ppl_base_err);
			jnum("ln_ppl_ratio", r.ln_ratio);
			jnum("ln_ppl_ratio_err", r.ln_ratio_err);
			jnum("ln_ppl_cor", r.cor);
			jnum("kld", r.kld);
			jnum("kld_err", r.kld_err);
			for (i = 0; i < 11; i++)
				jnum(kn[i], r.kld_pct[i]);
			jnum("dp_mean", r.dp);
			jnum("dp_mean_err", r.dp_err);
			jnum("dp_rms", r.dp_rms);
			jnum("dp_rms_err", r.dp_rms_err);
			for (i = 0; i < 13; i++)
				jnum(dn[i], r.dp_pct[i]);
			jnum("same_top_pct", 100 * r.same_top);
			jnum("same_top_pct_err", 100 * r.same_top_err);
		}
		if (opt.save != NULL)
			jstr("saved_logits", opt.save);
		jfix("ms", (now() - t0) * 1e3, 1);
		machine(opt.devices[0]);
		lc_jw_obj_end(&jw);
		emit();
		lc_tok_free(tok);
		lc_model_close(m);
	}
	free(ids);
	free(text);
	lc_model_close(base);
	be->ops->free(be);
}

static int
roof_record(void)
{
	int k, ret = 0;

	lc_jw_reset(&jw);
	lc_jw_obj(&jw);
	jstr("kind", "roof");
	jstr("cpu_model", si.cpu_model);
	jint("threads", roof.threads);
	jfix("bw_gbs", roof.bw_gbs, 3);
	jfix("f32_gflops", roof.f32_gflops, 3);
	jfix("i8_gops", roof.i8_gops, 3);
	lc_jw_key(&jw, "cached");
	lc_jw_bool(&jw, roof.cached);
	machine(NULL);
	lc_jw_obj_end(&jw);
	emit();
	/* each Vulkan device of -D: its copy bandwidth and GEMM rate */
	for (k = 0; k < opt.ndevices; k++) {
		const char *dev = opt.devices[k];
		const lc_vk_info *vi = vk_info(dev);
		const lc_roof_dev *dr = dev_roof(dev, opt.t.v[0], 1);
		if (strncmp(devname(dev), "vulkan", 6) != 0)
			continue;
		if (vi == NULL || dr == NULL) {
			/* exits 3 when there is no such device; else the
			   warning said why it could not be measured */
			lc_backend *be = ebackend(dev, 1);
			be->ops->free(be);
			ret = 1;
			continue;
		}
		lc_jw_reset(&jw);
		lc_jw_obj(&jw);
		jstr("kind", "gpu_roof");
		jstr("device", devname(dev));
		jstr("gpu_name", vi->name);
		jstr("driver_info", vi->driver_info);
		jfix("bw_gbs", vi->bandwidth / 1e9, 3);
		jfix("f16_gflops", dr->f16_gflops, 3);
		jfix("f32_gflops", dr->f32_gflops, 3);
		jint("gemm_k", dr->k);
		jint("gemm_n", dr->n);
		jint("gemm_t", dr->t);
		jint("gemm_reps", dr->reps);
		lc_jw_key(&jw, "cached");
		lc_jw_bool(&jw, dr->cached);
		machine(dev);
		lc_jw_obj_end(&jw);
		emit();
	}
	/* per model: what one token costs, for others' rates (llama-bench) */
	for (k = 0; k < opt.nmodels; k++) {
		minfo *mi = &minfos[k];
		lc_gguf *g = NULL;
		lc_hparams hp;
		lc_err e;
		lc_backend *be = NULL;
		lc_model *m = NULL;
		double ms;
		if (is_hfdir(mi->path)) {	/* converted, as for a test */
			be = ebackend("cpu", 1);
			m = open_model(mi, be, 0, 0, &ms);
			hp = *lc_model_hparams(m);
		} else if (lc_gguf_open(&g, mi->path, &e) != LC_OK ||
		    lc_hparams_gguf(&hp, g, &e) != LC_OK)
			die_err(&e);
		lc_jw_reset(&jw);
		lc_jw_obj(&jw);
		jstr("kind", "model_cost");
		jstr("model", mi->arg);
		jstr("model_name", mi->name);
		jstr("model_sha256", mi->sha[0] ? mi->sha : NULL);
		{
			const lc_gguf *cg = m ? lc_model_gguf(m) : g;
			jint("weight_bytes_per_token",
			    (long long)lc_roof_weight_bytes(cg, &hp));
			jint("matmul_params",
			    (long long)lc_roof_matmul_params(cg, &hp));
			jint("output_params",
			    (long long)lc_roof_output_params(cg, &hp));
		}
		jnum("kv_bytes_per_ctx_token", lc_roof_kv_bytes(&hp, 1, 2));
		jnum("attn_flops_per_ctx_token", lc_roof_attn_flops(&hp, 1));
		lc_jw_obj_end(&jw);
		emit();
		lc_gguf_close(g);
		lc_model_close(m);
		if (be != NULL)
			be->ops->free(be);
	}
	return ret;
}

/* ---- --compare ---------------------------------------------------------- */

typedef struct rec {
	cJSON	*o;
	char	 key[256];
	int	 used;
} rec;

static rec *
load(const char *path, int *n)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	rec *v = NULL;
	long lineno = 0;

	*n = 0;
	if (fp == NULL)
		die("%s:", path);
	while ((len = getline(&line, &cap, fp)) != -1) {
		cJSON *o, *k;
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if ((o = cJSON_Parse(line)) == NULL || !cJSON_IsObject(o))
			die("%s:%ld: not a JSON object", path, lineno);
		k = cJSON_GetObjectItemCaseSensitive(o, "kind");
		if (!cJSON_IsString(k)) {
			die("%s:%ld: no \"kind\"", path, lineno);
		}
		if (strcmp(k->valuestring, "speed") != 0 &&
		    strcmp(k->valuestring, "embed") != 0 &&
		    strcmp(k->valuestring, "ppl") != 0 &&
		    strcmp(k->valuestring, "kld") != 0) {
			cJSON_Delete(o);
			continue;
		}
		if ((v = realloc(v, (size_t)(*n + 1) * sizeof(*v))) == NULL)
			die("out of memory");
		v[*n].o = o;
		v[*n].used = 0;
#define S(name) (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, name)) ? \
	cJSON_GetObjectItemCaseSensitive(o, name)->valuestring : "")
#define N(name) (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, name)) ? \
	cJSON_GetObjectItemCaseSensitive(o, name)->valuedouble : -1)
		if (strcmp(k->valuestring, "speed") == 0) {
			if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o,
			    "tok_s")))
				die("%s:%ld: speed record without tok_s", path,
				    lineno);
			snprintf(v[*n].key, sizeof(v[*n].key), "speed|%s|%s|%g|%g",
			    S("test"), S("device"), N("threads"), N("n_batch"));
		} else if (strcmp(k->valuestring, "embed") == 0) {
			if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o,
			    "sent_s")))
				die("%s:%ld: embed record without sent_s", path,
				    lineno);
			snprintf(v[*n].key, sizeof(v[*n].key), "embed|%s|%s|%g|%g",
			    S("test"), S("device"), N("threads"), N("batch"));
		} else {
			if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o,
			    "ppl")))
				die("%s:%ld: %s record without ppl", path,
				    lineno, k->valuestring);
			snprintf(v[*n].key, sizeof(v[*n].key), "%s|%g|%g",
			    k->valuestring, N("n_ctx"), N("n_chunk"));
		}
		(*n)++;
	}
	if (ferror(fp))
		die("%s: read:", path);
	free(line);
	fclose(fp);
	return v;
}

static int
compare(void)
{
	rec *a, *b;
	int na, nb, i, j, found = 0;

	a = load(opt.cmp[0], &na);
	b = load(opt.cmp[1], &nb);
	for (i = 0; i < na; i++) {
		cJSON *o = a[i].o, *ob;
		int speed = strncmp(a[i].key, "speed|", 6) == 0;
		int emb = strncmp(a[i].key, "embed|", 6) == 0;
		/* the metric and its interval: mean ± sd, or ± error */
		const char *mk = speed ? "tok_s" : emb ? "sent_s" : "ppl";
		const char *sk = speed ? "tok_s_sd" : emb ? "sent_s_sd" :
		    "ppl_err";
		double va, vb, sa, sb;
		for (j = 0; j < nb; j++)
			if (!b[j].used && strcmp(a[i].key, b[j].key) == 0)
				break;
		if (j == nb)
			continue;
		b[j].used = 1;
		ob = b[j].o;
		found++;
		va = cJSON_GetObjectItemCaseSensitive(o, mk)->valuedouble;
		vb = cJSON_GetObjectItemCaseSensitive(ob, mk)->valuedouble;
		{
			cJSON *x = cJSON_GetObjectItemCaseSensitive(o, sk);
			cJSON *y = cJSON_GetObjectItemCaseSensitive(ob, sk);
			sa = cJSON_IsNumber(x) ? x->valuedouble : 0;
			sb = cJSON_IsNumber(y) ? y->valuedouble : 0;
		}
		lc_jw_reset(&jw);
		lc_jw_obj(&jw);
		jstr("kind", "compare");
		{
			cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "test"),
			    *ma = cJSON_GetObjectItemCaseSensitive(o,
			    "model_name"), *mb =
			    cJSON_GetObjectItemCaseSensitive(ob, "model_name");
			jstr("test", cJSON_IsString(t) ? t->valuestring :
			    strncmp(a[i].key, "kld|", 4) == 0 ? "kld ppl" :
			    "ppl");
			jstr("a_model", cJSON_IsString(ma) ? ma->valuestring :
			    NULL);
			jstr("b_model", cJSON_IsString(mb) ? mb->valuestring :
			    NULL);
		}
		jstr("metric", mk);
		jnum("a", va);
		jnum("a_sd", sa);
		jnum("b", vb);
		jnum("b_sd", sb);
		jfix("ratio", va != 0 ? vb / va : NAN, 4);
		/* noise: the mean ± sd intervals overlap */
		lc_jw_key(&jw, "noise");
		lc_jw_bool(&jw, fabs(vb - va) <= sa + sb);
		lc_jw_obj_end(&jw);
		emit();
	}
	for (i = 0; i < na; i++)
		cJSON_Delete(a[i].o);
	for (j = 0; j < nb; j++)
		cJSON_Delete(b[j].o);
	free(a);
	free(b);
	if (found == 0) {
		warn("%s and %s have no test in common", opt.cmp[0],
		    opt.cmp[1]);
		return 1;
	}
	return 0;
}

/* ---- main ---------------------------------------------------------------- */

enum {
	O_PG = 256, O_NOWARM, O_ROOF, O_PPL, O_CHUNKS, O_SAVE, O_KLD, O_MD,
	O_CSV, O_CMP, O_EMBED
};

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "n-prompt", required_argument, NULL, 'p' },
		{ "n-gen", required_argument, NULL, 'n' },
		{ "pg", required_argument, NULL, O_PG },
		{ "n-depth", required_argument, NULL, 'd' },
		{ "threads", required_argument, NULL, 't' },
		{ "batch-size", required_argument, NULL, 'b' },
		{ "device", required_argument, NULL, 'D' },
		{ "repetitions", required_argument, NULL, 'r' },
		{ "no-warmup", no_argument, NULL, O_NOWARM },
		{ "roof", no_argument, NULL, O_ROOF },
		{ "ppl", required_argument, NULL, O_PPL },
		{ "ctx", required_argument, NULL, 'c' },
		{ "chunks", required_argument, NULL, O_CHUNKS },
		{ "save-logits", required_argument, NULL, O_SAVE },
		{ "kld", required_argument, NULL, O_KLD },
		{ "md", no_argument, NULL, O_MD },
		{ "csv", no_argument, NULL, O_CSV },
		{ "compare", no_argument, NULL, O_CMP },
		{ "embed", no_argument, NULL, O_EMBED },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *env;
	lc_err e;
	int ch, i, ret = 0, cmp = 0, quality_mode;

	argv0 = "llm-bench";
	argv[0] = (char *)argv0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* llama-bench spells it -pg */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-pg") == 0)
			argv[i] = "--pg";
	opt.reps = 5;
	opt.warmup = 1;
	opt.ctx = 512;
	parse_list(&opt.p, "512", 0, 1 << 20, "-p");
	parse_list(&opt.n, "128", 0, 1 << 20, "-n");
	parse_list(&opt.d, "0", 0, 1 << 24, "-d");
	parse_list(&opt.b, "512", 1, 1 << 20, "-b");
	while ((ch = getopt_long(argc, argv, "m:p:n:d:t:b:D:r:c:qhV",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'm': add_strs(opt.models, &opt.nmodels, optarg, "-m"); break;
		case 'p':
			parse_list(&opt.p, optarg, 0, 1 << 20, "-p");
			opt.pset = 1;
			break;
		case 'n':
			parse_list(&opt.n, optarg, 0, 1 << 20, "-n");
			opt.pset = 1;
			opt.nset = 1;
			break;
		case O_PG:
			parse_pg(optarg);
			opt.pset = 1;
			opt.nset = 1;
			break;
		case 'd': parse_list(&opt.d, optarg, 0, 1 << 24, "-d"); break;
		case 't': parse_list(&opt.t, optarg, 1, 1024, "-t"); break;
		case 'b':
			parse_list(&opt.b, optarg, 1, 1 << 20, "-b");
			opt.bset = 1;
			break;
		case 'D':
			add_strs(opt.devices, &opt.ndevices, optarg, "-D");
			break;
		case 'r':
			opt.reps = (int)estrtonum(optarg, 1, 1000, "-r");
			break;
		case O_NOWARM: opt.warmup = 0; break;
		case O_ROOF: opt.roof_only = 1; break;
		case O_PPL: opt.ppl = optarg; break;
		case 'c':
			opt.ctx = (uint32_t)estrtonum(optarg, 4, 1 << 20,
			    "--ctx");
			break;
		case O_CHUNKS:
			opt.chunks = (int)estrtonum(optarg, 1, 1 << 30,
			    "--chunks");
			break;
		case O_SAVE: opt.save = optarg; break;
		case O_KLD: opt.kld = optarg; break;
		case O_MD: opt.md = 1; break;
		case O_CSV: opt.csv = 1; break;
		case O_CMP: cmp = 1; break;
		case O_EMBED: opt.embed = 1; break;
		case 'q': opt.quiet = 1; break;
		case 'h': usage(stdout, 0); break;
		case 'V':
			printf("llm-bench %s\n", LC_VERSION);
			return fshut(stdout, "<stdout>");
		default: usage(stderr, 2);
		}
	}
	argc -= optind;
	argv += optind;
	if (opt.md && opt.csv)
		dien(2, "--md and --csv: choose one");
	lc_jw_init(&jw);
	if (cmp) {
		if (argc != 2) {
			warn("--compare takes two JSONL files");
			usage(stderr, 2);
		}
		opt.cmp[0] = argv[0];
		opt.cmp[1] = argv[1];
		ret = compare();
		lc_jw_free(&jw);
		return ret | fshut(stdout, "<stdout>");
	}
	if (argc > 0) {
		warn("unexpected argument '%s'", argv[0]);
		usage(stderr, 2);
	}
	if (opt.nmodels == 0 && (env = getenv("LLM_MODEL")) != NULL &&
	    *env != '\0')
		add_strs(opt.models, &opt.nmodels, env, "LLM_MODEL");
	quality_mode = opt.ppl != NULL || opt.kld != NULL || opt.save != NULL;
	if (opt.nmodels == 0 && !opt.roof_only) {
		warn("no model: give -m FILE or set LLM_MODEL");
		usage(stderr, 2);
	}
	if (opt.save != NULL && (opt.ppl == NULL || opt.kld != NULL ||
	    opt.nmodels != 1))
		dien(2, "--save-logits goes with --ppl and one model, "
		    "without --kld");
	if (quality_mode && opt.ppl == NULL && opt.kld == NULL)
		dien(2, "--save-logits needs --ppl FILE");
	if (opt.kld != NULL && opt.pset)
		dien(2, "--kld and speed tests (-p, -n, --pg): run them apart");
	if (opt.ndevices == 0) {
		opt.devices[0] = NULL;	/* $LLM_DEVICE, else cpu */
		opt.ndevices = 1;
	}
	if (lc_sysinfo_get(&si, &e) != LC_OK)
		die_err(&e);
	if (opt.t.n == 0) {
		opt.t.v[0] = si.ncpu > 0 ? si.ncpu : 1;
		opt.t.n = 1;
	}
	if ((minfos = calloc((size_t)opt.nmodels + 1, sizeof(*minfos))) ==
	    NULL)
		die("out of memory");
	for (i = 0; i < opt.nmodels; i++)
		minfo_init(&minfos[i], opt.models[i]);
	if (!opt.embed && (opt.roof_only || !quality_mode || opt.pset)) {
		if (!opt.roof_only && !opt.quiet && isatty(2))
			fprintf(stderr, "%s: measuring the roofline...\r",
			    argv0);
		if (lc_roof_get(&roof, opt.roof_only, &e) != LC_OK)
			warn_err(&e);
		else
			have_roof = 1;
	}
	if (opt.embed) {
		if (quality_mode || opt.pset || opt.d.n != 1 || opt.d.v[0] != 0)
			dien(2, "--embed goes without -p, -n, --pg, -d and the "
			    "quality options");
		embed_bench();
	} else if (opt.roof_only) {
		if (!have_roof)
			ret = 1;
		else
			ret = roof_record();
	} else {
		if (!quality_mode || opt.pset)
			ret |= speed();
		if (quality_mode)
			quality();
	}
	free(minfos);
	for (i = 0; i < opt.nmodels; i++)
		free((char *)opt.models[i]);
	for (i = 0; i < opt.ndevices; i++)
		free((char *)opt.devices[i]);
	lc_jw_free(&jw);
	ret |= fshut(stdout, "<stdout>");
	return ret;
}
