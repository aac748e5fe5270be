/*
 * llm-pack - checksummed, optionally signed bundles of models for
 * carrying them across an air gap: create, list, verify, extract, and
 * keygen for the signing keys.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../libcore/jsonw.h"
#include "../libcore/pack.h"
#include "util.h"

#define MAX_INPUTS	4096

static struct {
	const char	*out, *dir, *ollama_dir, *name, *sign, *key;
	const char	*include[MAX_INPUTS];
	int		 ninclude, zstd, quiet;
	uint64_t	 split;
} opt;

static lc_jw jw;
static int progress_on;
static double last_draw;
static int nok, nfail;
static int sigstate = -1;
static const char *op;

static void
usage(FILE *fp, int status)
{
	fprintf(fp, "usage: %s create [-q] -o pack [-i file] [--zstd] "
	    "[--split size] [--sign seckey] model ...\n"
	    "       %s list [-q] pack ...\n"
	    "       %s verify [-q] [-k pubkey] pack ... | dir\n"
	    "       %s extract [-q] [-k pubkey] -C dir | --into-ollama dir "
	    "[--name name[:tag]] pack ...\n"
	    "       %s keygen name\n", argv0, argv0, argv0, argv0, argv0);
	if (status == 0)
		fputs("\n"
		    "  A pack is a tar stream: MANIFEST.json (sizes, sha256,\n"
		    "  xxh3_128, GGUF facts), a signature if signed, SHA256SUMS,\n"
		    "  then the files.  model is a GGUF file or ollama:NAME[:TAG];\n"
		    "  pack is a file, its volumes NAME.001 ... (in any order),\n"
		    "  or - for a stream on standard input.\n\n"
		    "  -o, --output PACK      create: write PACK (- for standard\n"
		    "                         output)\n"
		    "  -i, --include FILE     create: add FILE (README, LICENSE,\n"
		    "                         tokenizer files ...); repeatable\n"
		    "      --zstd             create: compress with zstd\n"
		    "      --split SIZE       create: volumes PACK.001 ... of SIZE\n"
		    "                         bytes (4G, 650M)\n"
		    "      --sign SECKEY      create: sign the manifest (minisign key)\n"
		    "  -k, --key PUBKEY       verify, extract: require a good\n"
		    "                         signature by this minisign public key\n"
		    "  -C, --directory DIR    extract into DIR\n"
		    "      --into-ollama DIR  extract into the Ollama store DIR\n"
		    "      --name NAME[:TAG]  with --into-ollama: the model's name\n"
		    "                         for a pack of a GGUF file\n"
		    "  -q, --quiet            no progress bar, no summary on stderr\n"
		    "  -h, --help             this help\n"
		    "  -V, --version          version\n", fp);
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

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
progress(void *arg, const char *path, uint64_t done, uint64_t total)
{
	static double t0;
	char a[32], b[32];
	double t = now();

	(void)arg;
	if (!progress_on)
		return;
	if (t0 == 0)
		t0 = t;
	if (t - last_draw < 0.2 && done < total)
		return;
	last_draw = t;
	fprintf(stderr, "\r\033[K%s: %3d%% %s of %s, %.0f MB/s  ", argv0,
	    total ? (int)(100.0 * (double)done / (double)total) : 100,
	    fmtbytes(done, a, sizeof(a)), fmtbytes(total, b, sizeof(b)),
	    t > t0 ? (double)done / (t - t0) / 1e6 : 0.0);
	fputsafe(stderr, path, strlen(path) > 60 ? 60 : strlen(path));
}

static void
progress_end(void)
{
	if (progress_on && last_draw > 0)
		fputs("\r\033[K", stderr);
}

static const char *
signame(int s)
{
	return s == LC_PACK_SIG_GOOD ? "good" : s == LC_PACK_SIG_UNCHECKED ?
	    "unchecked" : "unsigned";
}

static void
entry_fields(const lc_pack_entry *en)
{
	lc_jw_key(&jw, "path"); lc_jw_str(&jw, en->path);
	lc_jw_key(&jw, "bytes"); lc_jw_u64(&jw, en->bytes);
	lc_jw_key(&jw, "sha256"); lc_jw_str(&jw, en->sha256);
	lc_jw_key(&jw, "xxh3_128"); lc_jw_str(&jw, en->xxh3);
	lc_jw_key(&jw, "role"); lc_jw_str(&jw, en->role);
}

static void
on_manifest_list(void *arg, const lc_pack_manifest *m, int sig)
{
	const cJSON *models, *mo, *f;
	char *s;
	size_t i;

	(void)arg;
	sigstate = sig;
	lc_jw_obj(&jw);
	lc_jw_key(&jw, "kind"); lc_jw_str(&jw, "pack");
	lc_jw_key(&jw, "format"); lc_jw_str(&jw, LC_PACK_FORMAT);
	lc_jw_key(&jw, "version"); lc_jw_u64(&jw, m->version);
	if (m->created_by) {
		lc_jw_key(&jw, "created_by"); lc_jw_str(&jw, m->created_by);
	}
	lc_jw_key(&jw, "files"); lc_jw_u64(&jw, m->nfiles);
	lc_jw_key(&jw, "bytes"); lc_jw_u64(&jw, m->total_bytes);
	lc_jw_key(&jw, "volume_bytes"); lc_jw_u64(&jw, m->volume_bytes);
	lc_jw_key(&jw, "signature"); lc_jw_str(&jw, signame(sig));
	if (m->ollama_name) {
		lc_jw_key(&jw, "ollama"); lc_jw_str(&jw, m->ollama_name);
	}
	lc_jw_obj_end(&jw);
	emit();
	models = cJSON_GetObjectItemCaseSensitive(m->json, "models");
	cJSON_ArrayForEach(mo, models) {
		if (!cJSON_IsObject(mo))
			continue;
		lc_jw_obj(&jw);
		lc_jw_key(&jw, "kind"); lc_jw_str(&jw, "model");
		cJSON_ArrayForEach(f, mo) {
			if (f->string == NULL || strcmp(f->string, "kind") == 0 ||
			    (s = cJSON_PrintUnformatted(f)) == NULL)
				continue;
			lc_jw_key(&jw, f->string);
			lc_jw_raw(&jw, s, strlen(s));
			free(s);
		}
		lc_jw_obj_end(&jw);
		emit();
	}
	for (i = 0; i < m->nfiles; i++) {
		lc_jw_obj(&jw);
		lc_jw_key(&jw, "kind"); lc_jw_str(&jw, "member");
		entry_fields(&m->files[i]);
		lc_jw_obj_end(&jw);
		emit();
	}
}

static void
on_manifest(void *arg, const lc_pack_manifest *m, int sig)
{
	(void)arg;
	(void)m;
	sigstate = sig;
	if (opt.quiet)
		return;
	if (sig == LC_PACK_UNSIGNED)
		warn("unsigned bundle: the hashes show it intact, not who made "
		    "it");
	else if (sig == LC_PACK_SIG_UNCHECKED)
		warn("signed bundle; the signature was not checked (give "
		    "--key)");
}

static void
on_file(void *arg, const lc_pack_result *r)
{
	(void)arg;
	progress_end();
	last_draw = 0;
	lc_jw_obj(&jw);
	lc_jw_key(&jw, "kind"); lc_jw_str(&jw, op);
	lc_jw_key(&jw, "path"); lc_jw_str(&jw, r->ent->path);
	if (strcmp(op, "extract") == 0) {
		lc_jw_key(&jw, "dest");
		if (r->dest)
			lc_jw_str(&jw, r->dest);
		else
			lc_jw_null(&jw);
	}
	lc_jw_key(&jw, "bytes"); lc_jw_u64(&jw, r->bytes);
	if (r->bytes || r->ok) {
		lc_jw_key(&jw, "sha256"); lc_jw_str(&jw, r->sha256);
	}
	lc_jw_key(&jw, "ok"); lc_jw_bool(&jw, r->ok);
	if (strcmp(op, "extract") == 0) {
		lc_jw_key(&jw, "resumed"); lc_jw_bool(&jw, r->resumed);
		if (r->skipped) {
			lc_jw_key(&jw, "skipped"); lc_jw_bool(&jw, 1);
		}
	}
	if (!r->ok) {
		lc_jw_key(&jw, "error"); lc_jw_str(&jw, r->error);
	}
	lc_jw_obj_end(&jw);
	emit();
	if (r->ok)
		nok++;
	else
		nfail++;
}

static void
total(const lc_pack_stats *st, int rc)
{
	char b[32];
	double mbs = st->seconds > 0 ? (double)st->bytes / st->seconds / 1e6 : 0;

	lc_jw_obj(&jw);
	lc_jw_key(&jw, "kind"); lc_jw_str(&jw, "total");
	lc_jw_key(&jw, "op"); lc_jw_str(&jw, op);
	lc_jw_key(&jw, "files"); lc_jw_u64(&jw, st->files);
	lc_jw_key(&jw, "ok"); lc_jw_u64(&jw, (uint64_t)nok);
	lc_jw_key(&jw, "failed"); lc_jw_u64(&jw, (uint64_t)nfail);
	lc_jw_key(&jw, "bytes"); lc_jw_u64(&jw, st->bytes);
	lc_jw_key(&jw, "pack_bytes"); lc_jw_u64(&jw, st->out_bytes);
	lc_jw_key(&jw, "volumes"); lc_jw_u64(&jw, st->volumes);
	if (st->passes) {
		lc_jw_key(&jw, "reads_per_file"); lc_jw_u64(&jw, (uint64_t)st->passes);
	}
	lc_jw_key(&jw, "seconds"); lc_jw_fix(&jw, st->seconds, 3);
	lc_jw_key(&jw, "mb_s"); lc_jw_fix(&jw, mbs, 1);
	if (sigstate >= 0) {
		lc_jw_key(&jw, "signature"); lc_jw_str(&jw, signame(sigstate));
	}
	lc_jw_key(&jw, "ok_all"); lc_jw_bool(&jw, rc == LC_OK);
	lc_jw_obj_end(&jw);
	emit();
	if (!opt.quiet && rc == LC_OK)
		warn("%s: %d files, %s in %.2f s, %.0f MB/s", op, (int)st->files,
		    fmtbytes(st->bytes, b, sizeof(b)), st->seconds, mbs);
}

static const char *
basename_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static int
cmd_create(int argc, char **argv)
{
	lc_pack_src *src = NULL;
	lc_pack_seckey key;
	lc_pack_manifest *m = NULL;
	lc_pack_stats st;
	lc_pack_wopts o = { 0 };
	char *oname = NULL;
	size_t n = 0, i;
	lc_err e;
	int rc;

	if (opt.out == NULL) {
		warn("create needs -o pack (- for standard output)");
		usage(stderr, 2);
	}
	if (argc == 0 && opt.ninclude == 0) {
		warn("create needs a model or -i file");
		usage(stderr, 2);
	}
	if (opt.split && strcmp(opt.out, "-") == 0)
		dien(2, "--split writes volumes PACK.001 ...: give -o PACK");
	if (opt.split && opt.split < LC_PACK_MIN_SPLIT)
		dien(2, "--split: at least 1M");
	if (argc > 0 && strncmp(argv[0], "ollama:", 7) == 0) {
		if (argc > 1 || opt.ninclude)
			dien(2, "an ollama: model is packed alone (its store "
			    "layers are the pack)");
		if (lc_pack_ollama_srcs(argv[0] + 7, &src, &n, &oname, &e) !=
		    LC_OK)
			die_err(&e);
	} else {
		if ((src = calloc((size_t)argc + (size_t)opt.ninclude,
		    sizeof(*src))) == NULL)
			die("out of memory");
		for (i = 0; i < (size_t)argc; i++) {
			if (strncmp(argv[i], "ollama:", 7) == 0)
				dien(2, "%s: an ollama: model is packed alone",
				    argv[i]);
			src[n].src = argv[i];
			src[n].name = basename_of(argv[i]);
			src[n++].role = "model";
		}
		for (i = 0; i < (size_t)opt.ninclude; i++) {
			src[n].src = opt.include[i];
			src[n].name = basename_of(opt.include[i]);
			src[n++].role = "file";
		}
	}
	if (opt.sign) {
		if (lc_pack_seckey_load(&key, opt.sign, &e) != LC_OK)
			die_err(&e);
		o.key = &key;
	}
	o.src = src;
	o.nsrc = n;
	o.out = opt.out;
	o.out_fd = 1;
	o.zstd = opt.zstd ? 3 : 0;
	o.split = opt.split;
	o.ollama_name = oname;
	o.created_by = "llm-pack " LC_VERSION;
	o.progress = progress;
	if (strcmp(opt.out, "-") == 0 && isatty(1))
		dien(2, "refusing to write a pack to a terminal");
	rc = lc_pack_create(&o, &m, &st, &e);
	progress_end();
	if (rc != LC_OK) {
		warn_err(&e);
	} else if (strcmp(opt.out, "-") != 0) {
		for (i = 0; i < m->nfiles; i++) {
			lc_jw_obj(&jw);
			lc_jw_key(&jw, "kind"); lc_jw_str(&jw, "member");
			entry_fields(&m->files[i]);
			lc_jw_obj_end(&jw);
			emit();
		}
		nok = (int)m->nfiles;
		sigstate = opt.sign ? LC_PACK_SIG_GOOD : LC_PACK_UNSIGNED;
		total(&st, rc);
	} else if (!opt.quiet) {
		char b[32];
		warn("create: %d files, %s in %.2f s, %.0f MB/s", (int)st.files,
		    fmtbytes(st.bytes, b, sizeof(b)), st.seconds,
		    st.seconds > 0 ? (double)st.bytes / st.seconds / 1e6 : 0);
	}
	lc_pack_manifest_free(m);
	if (oname)
		lc_pack_srcs_free(src, n);
	else
		free(src);
	free(oname);
	memset(&key, 0, sizeof(key));
	return rc != LC_OK;
}

static int
cmd_read(int argc, char **argv, int list)
{
	lc_pack_ropts o = { 0 };
	lc_pack_pubkey key;
	lc_pack_stats st;
	struct stat sb;
	lc_err e;
	int rc;

	if (argc == 0) {
		warn("%s needs a pack", op);
		usage(stderr, 2);
	}
	if (opt.key) {
		if (lc_pack_pubkey_load(&key, opt.key, &e) != LC_OK)
			die_err(&e);
		o.key = &key;
	}
	o.inputs = (const char *const *)argv;
	o.ninputs = (size_t)argc;
	o.in_fd = 0;
	o.manifest_only = list;
	o.on_manifest = list ? on_manifest_list : on_manifest;
	o.on_file = on_file;
	o.progress = progress;
	if (strcmp(op, "extract") == 0) {
		if ((opt.dir == NULL) == (opt.ollama_dir == NULL))
			dien(2, "extract needs one of -C dir and --into-ollama "
			    "dir");
		o.dir = opt.dir ? opt.dir : opt.ollama_dir;
		o.ollama = opt.ollama_dir != NULL;
		o.ollama_name = opt.name;
	}
	if (strcmp(argv[0], "-") == 0 && isatty(0))
		dien(2, "refusing to read a pack from a terminal");
	if (!list && strcmp(op, "verify") == 0 && argc == 1 &&
	    stat(argv[0], &sb) == 0 && S_ISDIR(sb.st_mode))
		rc = lc_pack_verify_dir(argv[0], &o, &st, &e);
	else
		rc = lc_pack_read(&o, &st, &e);
	progress_end();
	if (rc != LC_OK)
		warn_err(&e);
	if (!list && (st.files > 0 || rc == LC_OK))
		total(&st, rc);
	return rc != LC_OK;
}

static int
cmd_keygen(int argc, char **argv)
{
	lc_pack_pubkey k;
	char sec[4096], pub[4096], id[17];
	lc_err e;

	if (argc != 1) {
		warn("keygen needs one name (writes NAME.key and NAME.pub)");
		usage(stderr, 2);
	}
	snprintf(sec, sizeof(sec), "%s.key", argv[0]);
	snprintf(pub, sizeof(pub), "%s.pub", argv[0]);
	if (lc_pack_keygen(sec, pub, &e) != LC_OK ||
	    lc_pack_pubkey_load(&k, pub, &e) != LC_OK)
		die_err(&e);
	lc_pack_keyid(k.keynum, id);
	lc_jw_obj(&jw);
	lc_jw_key(&jw, "kind"); lc_jw_str(&jw, "key");
	lc_jw_key(&jw, "key_id"); lc_jw_str(&jw, id);
	lc_jw_key(&jw, "public"); lc_jw_str(&jw, pub);
	lc_jw_key(&jw, "secret"); lc_jw_str(&jw, sec);
	lc_jw_obj_end(&jw);
	emit();
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "output",	required_argument,	NULL, 'o' },
		{ "include",	required_argument,	NULL, 'i' },
		{ "zstd",	no_argument,		NULL, 'Z' },
		{ "split",	required_argument,	NULL, 'P' },
		{ "sign",	required_argument,	NULL, 'G' },
		{ "key",	required_argument,	NULL, 'k' },
		{ "directory",	required_argument,	NULL, 'C' },
		{ "into-ollama", required_argument,	NULL, 'O' },
		{ "name",	required_argument,	NULL, 'N' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *sub;
	int ch, ret;

	argv0 = "llm-pack";
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((ch = getopt_long(argc, argv, "o:i:k:C:qhV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'o': opt.out = optarg; break;
		case 'i':
			if (opt.ninclude == MAX_INPUTS)
				dien(2, "--include: more than %d files",
				    MAX_INPUTS);
			opt.include[opt.ninclude++] = optarg;
			break;
		case 'Z': opt.zstd = 1; break;
		case 'P': opt.split = esizetonum(optarg, "--split"); break;
		case 'G': opt.sign = optarg; break;
		case 'k': opt.key = optarg; break;
		case 'C': opt.dir = optarg; break;
		case 'O': opt.ollama_dir = optarg; break;
		case 'N': opt.name = optarg; break;
		case 'q': opt.quiet = 1; break;
		case 'h': usage(stdout, 0); break;
		case 'V':
			printf("llm-pack %s\n", LC_VERSION);
			return fshut(stdout, "<stdout>");
		default: usage(stderr, 2);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		warn("no command given (create, list, verify, extract, keygen)");
		usage(stderr, 2);
	}
	sub = argv[0];
	argc--;
	argv++;
	progress_on = !opt.quiet && isatty(2);
	lc_jw_init(&jw);
	if (strcmp(sub, "create") == 0) {
		op = "create";
		ret = cmd_create(argc, argv);
	} else if (strcmp(sub, "list") == 0) {
		op = "list";
		ret = cmd_read(argc, argv, 1);
	} else if (strcmp(sub, "verify") == 0) {
		op = "verify";
		ret = cmd_read(argc, argv, 0);
	} else if (strcmp(sub, "extract") == 0) {
		op = "extract";
		ret = cmd_read(argc, argv, 0);
	} else if (strcmp(sub, "keygen") == 0) {
		op = "keygen";
		ret = cmd_keygen(argc, argv);
	} else {
		warn("unknown command '%s' (create, list, verify, extract, "
		    "keygen)", sub);
		usage(stderr, 2);
	}
	lc_jw_free(&jw);
	ret |= fshut(stdout, "<stdout>");
	return ret;
}
