/*
 * llm-quant - quantize a GGUF model: the types and per-tensor rules of
 * llama.cpp's llama-quantize, the same argument order.  The input may
 * also be a Hugging Face model directory, converted first as llama.cpp's
 * convert_hf_to_gguf.py converts it.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../libcore/convert.h"
#include "../libcore/dtype.h"
#include "../libcore/gguf.h"
#include "../libcore/jsonw.h"
#include "../libcore/quantize.h"
#include "util.h"

#define MAX_OVERRIDES	256

static struct {
	int		 dry_run, quiet, verbose;
	int		 progress;
} opt;

static lc_jw jw;
static char tmppath[4096];	/* the writer's temporary file */
static char convpath[4096];	/* a converted HF directory ... */
static char convtmp[4096 + 64];	/* ... and its writer's temporary file */

static void
usage(FILE *fp, int status)
{
	const char *const *n;
	int col;

	fprintf(fp, "usage: %s [-nqv] [-t threads] [--allow-requantize] "
	    "[--pure] [--keep-output]\n"
	    "       [--output-tensor-type type] [--token-embedding-type type]\n"
	    "       [--tensor-type pattern=type ...] [--imatrix file]\n"
	    "       [--pre-tokenizer name] input output.gguf type\n"
	    "       %s -n input type\n", argv0, argv0);
	if (status != 0)
		exit(status);
	fputs("\n"
	    "  Converts the tensors of input (a GGUF file or a Hugging Face\n"
	    "  model directory) to type (a llama-quantize name, any case) with\n"
	    "  llama.cpp's per-tensor rules, and writes output.gguf.  Prints a\n"
	    "  summary record (JSONL) on stdout.\n\n"
	    "  -n, --dry-run            print the plan: one record per tensor\n"
	    "                           and the summary; write nothing\n"
	    "  -t, --threads N          threads (default: all CPUs)\n"
	    "      --allow-requantize   accept an already-quantized input\n"
	    "      --pure               every tensor the default type of type;\n"
	    "                           no mix rules\n"
	    "      --keep-output        leave output.weight as it is\n"
	    "      --leave-output-tensor  the same (llama-quantize's name)\n"
	    "      --output-tensor-type T     the type of output.weight\n"
	    "      --token-embedding-type T   the type of token_embd.weight\n"
	    "      --tensor-type PATTERN=T    tensors whose name matches the\n"
	    "                           regular expression PATTERN become T\n"
	    "                           (the first match wins; repeatable)\n"
	    "      --imatrix FILE       importance matrix from llama-imatrix\n"
	    "                           (GGUF): weights the Q4_0..Q5_1,\n"
	    "                           Q2_K..Q6_K and IQ4_NL quantizers\n"
	    "      --pre-tokenizer NAME tokenizer.ggml.pre for a Hugging Face\n"
	    "                           directory whose pre-tokenizer llm-quant\n"
	    "                           cannot name itself\n"
	    "  -q, --quiet              no progress bar, no warnings\n"
	    "  -v, --verbose            also a record per tensor when writing\n"
	    "  -h, --help               this help\n"
	    "  -V, --version            version\n\n"
	    "  types:", stdout);
	col = 9;
	for (n = lc_qftype_names(); *n; n++) {
		if (col + strlen(*n) + 1 > 72) {
			fputs("\n        ", stdout);
			col = 8;
		}
		printf(" %s", *n);
		col += (int)strlen(*n) + 1;
	}
	fputs("\n", stdout);
	exit(0);
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

static uint32_t
etype(const char *s, const char *what)
{
	int t = lc_dtype_from_name(s);

	if (t < 0 || lc_dtype((uint32_t)t)->from_float == NULL)
		dien(2, "%s: '%s' is not a tensor type llm-quant can write",
		    what, s);
	return (uint32_t)t;
}

static void
tensor_record(const lc_qtensor *t)
{
	uint32_t d;

	lc_jw_obj(&jw);
	lc_jw_key(&jw, "kind"); lc_jw_str(&jw, "tensor");
	lc_jw_key(&jw, "tensor"); lc_jw_str(&jw, t->name);
	lc_jw_key(&jw, "shape");
	lc_jw_arr(&jw);
	for (d = 0; d < t->ndim; d++)
		lc_jw_u64(&jw, t->ne[d]);
	lc_jw_arr_end(&jw);
	lc_jw_key(&jw, "from"); lc_jw_str(&jw, lc_dtype(t->from)->name);
	lc_jw_key(&jw, "to"); lc_jw_str(&jw, lc_dtype(t->to)->name);
	if (t->to != t->chosen) {
		lc_jw_key(&jw, "fallback_from");
		lc_jw_str(&jw, lc_dtype(t->chosen)->name);
	}
	lc_jw_key(&jw, "bytes"); lc_jw_u64(&jw, t->bytes_to);
	lc_jw_obj_end(&jw);
	emit();
}

static void
summary_record(const lc_qplan *plan, const char *in, const char *out)
{
	struct stat st;

	lc_jw_obj(&jw);
	lc_jw_key(&jw, "kind"); lc_jw_str(&jw, "summary");
	lc_jw_key(&jw, "input"); lc_jw_str(&jw, in);
	if (out != NULL) {
		lc_jw_key(&jw, "output"); lc_jw_str(&jw, out);
	}
	lc_jw_key(&jw, "type"); lc_jw_str(&jw, lc_qftype_name(plan->ftype));
	lc_jw_key(&jw, "file_type"); lc_jw_u64(&jw, plan->ftype);
	lc_jw_key(&jw, "n_tensors"); lc_jw_u64(&jw, plan->n);
	lc_jw_key(&jw, "n_converted"); lc_jw_u64(&jw, plan->n_convert);
	lc_jw_key(&jw, "n_fallback"); lc_jw_u64(&jw, plan->n_fallback);
	lc_jw_key(&jw, "params"); lc_jw_u64(&jw, plan->nelem);
	lc_jw_key(&jw, "bytes_from"); lc_jw_u64(&jw, plan->bytes_from);
	lc_jw_key(&jw, "bytes"); lc_jw_u64(&jw, plan->bytes_to);
	lc_jw_key(&jw, "bpw");
	lc_jw_fix(&jw, plan->nelem ? 8.0 * (double)plan->bytes_to /
	    (double)plan->nelem : 0, 4);
	if (out != NULL && stat(out, &st) == 0) {
		lc_jw_key(&jw, "file_bytes"); lc_jw_u64(&jw, (uint64_t)st.st_size);
	}
	lc_jw_obj_end(&jw);
	emit();
}

static void
progress(void *arg, uint64_t i, uint64_t n, const lc_qtensor *t)
{
	(void)arg;
	if (opt.verbose)
		tensor_record(t);
	if (!opt.progress)
		return;
	fprintf(stderr, "\r%s: [%4llu/%4llu] %3d%% %-40.40s", argv0,
	    (unsigned long long)i, (unsigned long long)n,
	    (int)(n ? 100 * i / n : 100), t->name);
	if (i == n)
		fputs("\r\033[K", stderr);
}

/*
 * F32, F16, BF16 from a Hugging Face directory: what convert_hf_to_gguf.py
 * --outtype f32|f16|bf16 writes, in its order (not llama-quantize's).
 */
static int
convert_only(lc_conv *cv, const lc_qparams *p, const char *in,
    const char *out)
{
	lc_conv_stats st;
	lc_qplan sum;
	lc_err e;
	int ty = p->ftype == 0 ? LC_F32 : p->ftype == 1 ? LC_F16 : LC_BF16;

	snprintf(tmppath, sizeof(tmppath), "%s.tmp.%ld", out, (long)getpid());
	if (lc_conv_write(cv, ty, out, &st, &e) != LC_OK)
		die_err(&e);
	tmppath[0] = '\0';
	memset(&sum, 0, sizeof(sum));
	sum.ftype = p->ftype;
	sum.n = st.n_tensors;
	sum.nelem = st.nelem;
	sum.bytes_from = st.bytes_from;
	sum.bytes_to = st.bytes_to;
	sum.n_convert = st.n_converted;
	lc_jw_init(&jw);
	summary_record(&sum, in, out);
	lc_jw_free(&jw);
	lc_conv_close(cv);
	return fshut(stdout, "<stdout>");
}

/* The output's directory must take the temporary file: say so now,
   not after the work. */
static void
checkdir(const char *out)
{
	char dir[4096], *slash;

	snprintf(dir, sizeof(dir), "%s", out);
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (access(dir, W_OK | X_OK) != 0)
		die("%s: cannot write in %s:", out, dir);
}

static void
onsignal(int sig)
{
	if (tmppath[0] != '\0')
		unlink(tmppath);
	if (convpath[0] != '\0') {
		unlink(convtmp);
		unlink(convpath);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

int
main(int argc, char *argv[])
{
	enum { O_REQ = 256, O_PURE, O_KEEP, O_OUTT, O_EMBT, O_TT, O_IMAT,
	    O_PRE };
	static const struct option longopts[] = {
		{ "dry-run",		no_argument,		NULL, 'n' },
		{ "threads",		required_argument,	NULL, 't' },
		{ "allow-requantize",	no_argument,		NULL, O_REQ },
		{ "pure",		no_argument,		NULL, O_PURE },
		{ "keep-output",	no_argument,		NULL, O_KEEP },
		{ "leave-output-tensor", no_argument,		NULL, O_KEEP },
		{ "output-tensor-type",	required_argument,	NULL, O_OUTT },
		{ "token-embedding-type", required_argument,	NULL, O_EMBT },
		{ "tensor-type",	required_argument,	NULL, O_TT },
		{ "imatrix",		required_argument,	NULL, O_IMAT },
		{ "pre-tokenizer",	required_argument,	NULL, O_PRE },
		{ "quiet",		no_argument,		NULL, 'q' },
		{ "verbose",		no_argument,		NULL, 'v' },
		{ "help",		no_argument,		NULL, 'h' },
		{ "version",		no_argument,		NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	static lc_qoverride ovr[MAX_OVERRIDES];
	lc_qparams p = { .output_type = -1, .token_embd_type = -1 };
	const char *in, *out = NULL, *type, *imatrix = NULL, *pre = NULL;
	struct stat sin, sout;
	lc_gguf *g = NULL;
	lc_imatrix *im = NULL;
	lc_conv *cv = NULL;
	int hf;
	lc_qplan plan;
	lc_err e;
	char *eq;
	const char *s;
	long ncpu;
	uint64_t i;
	int ch, ret = 0;

	argv0 = "llm-quant";
	setvbuf(stdout, NULL, _IOLBF, 0);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	p.nthreads = ncpu < 1 ? 1 : ncpu > 256 ? 256 : (int)ncpu;
	while ((ch = getopt_long(argc, argv, "nt:qvhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n': opt.dry_run = 1; break;
		case 't':
			p.nthreads = (int)estrtonum(optarg, 1, 256, "--threads");
			break;
		case O_REQ: p.allow_requantize = 1; break;
		case O_PURE: p.pure = 1; break;
		case O_KEEP: p.keep_output = 1; break;
		case O_OUTT:
			p.output_type = (int)etype(optarg, "--output-tensor-type");
			break;
		case O_EMBT:
			p.token_embd_type = (int)etype(optarg,
			    "--token-embedding-type");
			break;
		case O_TT:
			if ((eq = strrchr(optarg, '=')) == NULL || eq == optarg ||
			    eq[1] == '\0')
				dien(2, "--tensor-type: '%s': expected "
				    "PATTERN=TYPE", optarg);
			if (p.noverrides == MAX_OVERRIDES)
				dien(2, "--tensor-type: more than %d",
				    MAX_OVERRIDES);
			*eq = '\0';
			if (lc_qpattern_check(optarg, &e) != LC_OK)
				dien(2, "--tensor-type: %s", e.msg);
			ovr[p.noverrides].pattern = optarg;
			ovr[p.noverrides].dtype = etype(eq + 1, "--tensor-type");
			p.noverrides++;
			break;
		case O_IMAT: imatrix = optarg; break;
		case O_PRE:
			if (strlen(optarg) == 0 || strlen(optarg) > 63 ||
			    strspn(optarg, "abcdefghijklmnopqrstuvwxyz"
			    "0123456789._-") != strlen(optarg))
				dien(2, "--pre-tokenizer: '%s': expected a "
				    "llama.cpp pre-tokenizer name ([a-z0-9._-])",
				    optarg);
			pre = optarg;
			break;
		case 'q': opt.quiet = 1; break;
		case 'v': opt.verbose = 1; break;
		case 'h': usage(stdout, 0); break;
		case 'V':
			printf("llm-quant %s\n", LC_VERSION);
			return fshut(stdout, "<stdout>");
		default: usage(stderr, 2);
		}
	}
	argc -= optind;
	argv += optind;
	p.overrides = ovr;
	if (argc == 2 && opt.dry_run) {
		in = argv[0];
		type = argv[1];
	} else if (argc == 3) {
		in = argv[0];
		out = argv[1];
		type = argv[2];
	} else {
		warn(argc < 3 ? "missing arguments" : "too many arguments");
		usage(stderr, 2);
	}
	switch (lc_qftype_parse(type, &p.ftype, &e)) {
	case LC_OK:
		break;
	case LC_ENOTFOUND:
		dien(2, "%s (llm-quant --help lists them)", e.msg);
		break;
	default:
		die_err(&e);
	}
	if (imatrix != NULL) {
		if (lc_imatrix_load(&im, imatrix, &e) != LC_OK)
			die_err(&e);
		p.imatrix = im;
		p.imatrix_name = imatrix;
	}
	if (out != NULL && stat(in, &sin) == 0 && stat(out, &sout) == 0 &&
	    sin.st_dev == sout.st_dev && sin.st_ino == sout.st_ino)
		dien(2, "%s: is the input file; give another output", out);
	if (out != NULL && strlen(out) + 32 > sizeof(tmppath))
		dien(2, "%s: path too long", out);
	if (out != NULL)
		checkdir(out);
	hf = stat(in, &sin) == 0 && S_ISDIR(sin.st_mode);
	if (pre != NULL && !hf)
		dien(2, "--pre-tokenizer: %s is not a Hugging Face model "
		    "directory", in);

	if (hf) {
		lc_conv_opts co = { .pre = pre };

		signal(SIGINT, onsignal);
		signal(SIGTERM, onsignal);
		signal(SIGHUP, onsignal);
		if (lc_conv_open(&cv, in, &co, &e) != LC_OK)
			die_err(&e);
		if (!opt.dry_run && (p.ftype == 0 || p.ftype == 1 ||
		    p.ftype == 32) && !p.pure && !p.keep_output &&
		    p.output_type < 0 && p.token_embd_type < 0 &&
		    p.noverrides == 0)
			return convert_only(cv, &p, in, out);
		if ((s = getenv("TMPDIR")) == NULL || *s == '\0')
			s = "/tmp";
		if (opt.dry_run)
			snprintf(convpath, sizeof(convpath),
			    "%s/llm-quant.%ld.gguf", s, (long)getpid());
		else
			snprintf(convpath, sizeof(convpath), "%s.hf.%ld", out,
			    (long)getpid());
		snprintf(convtmp, sizeof(convtmp), "%s.tmp.%ld", convpath,
		    (long)getpid());
		if (lc_conv_write(cv, LC_CONV_KEEP, convpath, NULL, &e) !=
		    LC_OK) {
			unlink(convpath);
			die_err(&e);
		}
		lc_conv_close(cv);
		if (lc_gguf_open(&g, convpath, &e) != LC_OK) {
			unlink(convpath);
			die_err(&e);
		}
		unlink(convpath);	/* the mapping stays */
		convpath[0] = '\0';
	} else if (lc_gguf_open(&g, in, &e) != LC_OK)
		die_err(&e);
	if (lc_qplan_make(&plan, g, &p, &e) != LC_OK) {
		if (strncmp(e.msg, in, strlen(in)) != 0)
			lc_errprefix(&e, in);
		die_err(&e);
	}
	if (plan.n_requant > 0) {
		for (i = 0; i < plan.n; i++)
			if (plan.t[i].from != plan.t[i].to &&
			    lc_dtype(plan.t[i].from)->is_quant)
				break;
		if (!p.allow_requantize && !opt.dry_run)
			die("%s: tensor '%s' is already quantized (%s): "
			    "requantizing loses quality; --allow-requantize "
			    "permits it", in, plan.t[i].name,
			    lc_dtype(plan.t[i].from)->name);
		if (!opt.quiet)
			warn("warning: %s: requantizing %llu quantized tensors "
			    "(the first: '%s', %s): quality is lost", in,
			    (unsigned long long)plan.n_requant, plan.t[i].name,
			    lc_dtype(plan.t[i].from)->name);
	}
	if (plan.n_fallback > 0 && !opt.quiet && opt.verbose)
		warn("%llu of %llu tensors fell back to another type: rows "
		    "do not divide into the type's blocks",
		    (unsigned long long)plan.n_fallback,
		    (unsigned long long)plan.n);

	lc_jw_init(&jw);
	if (opt.dry_run) {
		for (i = 0; i < plan.n; i++)
			tensor_record(&plan.t[i]);
		summary_record(&plan, in, NULL);
	} else {
		opt.progress = !opt.quiet && isatty(2);
		snprintf(tmppath, sizeof(tmppath), "%s.tmp.%ld", out,
		    (long)getpid());
		if (!hf) {
			signal(SIGINT, onsignal);
			signal(SIGTERM, onsignal);
			signal(SIGHUP, onsignal);
		}
		if (lc_qplan_write(&plan, g, &p, out, progress, NULL, &e) !=
		    LC_OK) {
			if (opt.progress)
				fputs("\n", stderr);
			die_err(&e);
		}
		tmppath[0] = '\0';
		summary_record(&plan, in, out);
	}
	lc_jw_free(&jw);
	lc_qplan_free(&plan);
	lc_gguf_close(g);
	lc_imatrix_free(im);
	ret |= fshut(stdout, "<stdout>");
	return ret;
}
