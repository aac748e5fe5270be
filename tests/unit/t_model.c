/*
 * t_model - the forward pass against llama.cpp on the real SmolLM2
 * model: teacher-forced top-1 agreement over every position of
 * tests/golden/run/texts.txt (llama.cpp's token ids and argmax, from
 * tests/oracle/run_golden.py) and the NMSE of full logit vectors at a
 * few positions.  Also the model loader's refusals.
 *
 * usage: t_model [MODELS_DIR]	(default: $MODELS_DIR)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "../../libcore/dtype.h"
#include "../../libcore/gguf.h"
#include "../../libcore/hf.h"
#include "../../libcore/model.h"
#include "check.h"
#include "golden.h"

/*
 * The issue asks for 99.5% top-1 agreement and 18 of 20 identical
 * greedy continuations.  llama.cpp does not reach that against itself:
 * the same build on the same machine, evaluating these texts one token
 * at a time (n_ubatch 1, its matrix-vector kernels) instead of 512 at a
 * time (its matrix-matrix kernels), agrees on 2103/2163 = 97.23% of the
 * top-1s (logits NMSE up to 1.2e-2) and on 5 of 20 greedy
 * continuations.  With activations quantized to 8 bits before every
 * matrix product, a last-bit difference in a sum moves a value across a
 * rounding boundary, and 30 layers amplify that.  Every such
 * disagreement, llama.cpp's with itself and ours with it, is at a
 * near-tie: llama.cpp's top-1 leads its runner-up by less than 0.38
 * logits.  So the gates that mean something are:
 *   - where llama.cpp's top-1 leads by >= SURE_MARGIN logits (72% of the
 *     positions), we agree on every one;
 *   - every greedy continuation that parts from llama.cpp's does so at a
 *     token llama.cpp chose by less than SURE_MARGIN;
 * and the overall figures sit just under what we measure (96.26%, 5 of
 * 20) so a regression fails.  The NMSE of single logit vectors is as
 * chaotic: the same code with the attention sums in a different order
 * (SIMD vs scalar) measures 4.7e-3 or 1.3e-3 against llama.cpp at
 * worst, 3.6e-3 or 1.0e-3 against transformers on the dequantized
 * weights (llama.cpp itself: 1.8e-3 there, and up to 1.2e-2 against its
 * own token-by-token run), so those gates are set at 1e-2: far below
 * what a real error (a wrong RoPE, norm or mask: > 0.1) gives.  On tiny
 * f32 qwen2/qwen3 models, where nothing is quantized, we are at 7e-13.
 */
#define MIN_TOP1	0.955
#define MAX_NMSE	1e-2
#define MIN_GREEDY	3
/* every position where llama.cpp's top-1 leads its runner-up by this much
   (logits) must agree */
#define SURE_MARGIN	0.5
/* f32 weights and activations both sides: only summation order differs
   (6e-13 measured) */
#define MAX_NMSE_TINY	1e-10
/* gemma4 attends with scale 1 to RMS-normed q and k: scores of tens,
   so float32 summation order alone moves its logits by ~1e-10 (SIMD
   3.4e-10, scalar 1.9e-10; llama.cpp with ggml's GELU emulated 1.4e-8) */
#define MAX_NMSE_TINY_G4	1e-9
/* against transformers running the dequantized SmolLM2 in float32
   (3.6e-3 measured; see above) */
#define MAX_NMSE_HF	1e-2

static const char golden[] = "tests/golden/run/smollm2.teacher.jsonl";
static const char greedyf[] = "tests/golden/run/smollm2.greedy.jsonl";
static const char goldenf[] = "tests/golden/run/smollm2.logits.f32";

/*
 * SmolLM2 against transformers running the GGUF dequantized to float32
 * (tests/golden/hf/smollm2.logits.f32: texts 1 and 2 of the teacher
 * golden at their logits_at positions).
 */
static void
hf_smollm2(lc_model *m, float *lg, int nv)
{
	static int32_t ids[4096], at[8];
	char *text, *line, *nl;
	size_t len;
	cJSON *root;
	float *want;
	double q, worst = 0;
	lc_err e;
	FILE *fp;
	int n, nat, k, t = 0;

	if ((fp = fopen("tests/golden/hf/smollm2.logits.f32", "rb")) == NULL ||
	    lc_slurp(golden, 1 << 24, &text, &len, &e) != LC_OK) {
		CHECK(0, "tests/golden/hf/smollm2.logits.f32 or %s missing",
		    golden);
		if (fp)
			fclose(fp);
		return;
	}
	want = malloc((size_t)nv * sizeof(*want));
	for (line = text; t < 2 && (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1, t++) {
		*nl = '\0';
		root = cJSON_Parse(line);
		n = ints(cJSON_GetObjectItem(root, "ids"), ids, 4096);
		nat = ints(cJSON_GetObjectItem(root, "logits_at"), at, 8);
		cJSON_Delete(root);
		lc_model_reset(m);
		if (n <= 0 || lc_model_eval(m, ids, n, 0, 1, lg, &e) != LC_OK) {
			CHECK(0, "hf text %d: %s", t, e.msg);
			continue;
		}
		for (k = 0; k < nat; k++) {
			if (fread(want, sizeof(*want), (size_t)nv, fp) !=
			    (size_t)nv) {
				CHECK(0, "hf logits short");
				break;
			}
			q = nmse(lg + (size_t)at[k] * nv, want, (size_t)nv);
			if (q > worst)
				worst = q;
		}
	}
	printf("SmolLM2 vs transformers (dequantized f32): worst logits NMSE "
	    "%.3g\n", worst);
	CHECK(worst <= MAX_NMSE_HF, "SmolLM2 vs transformers: NMSE %.3g > %g",
	    worst, MAX_NMSE_HF);
	free(want);
	free(text);
	fclose(fp);
}

/*
 * A tiny random qwen2 or qwen3 model (transformers, converted by
 * llama.cpp's converter; tests/oracle/hf_golden.py) against the
 * float32 logits of transformers at every position of five sequences.
 */
/*
 * A tiny random model (tests/oracle/hf_golden.py, tiny_archs.py) against
 * transformers at every position: f32 weights, f32 activations, so only
 * summation order differs.  name is the golden's name (tiny-NAME.*);
 * the JSON gives the GGUF architecture, the sequences, and for some
 * (phi3's long/short RoPE factors) the context each one is run with.
 */
static void
tiny_batch(const char *name, uint32_t n_batch)
{
	static int32_t seq[64][256];
	int len[64], ctx[64], nseq = 0, nctx = 0, i, k, v, nv, a, b;
	int top1ok = 0, total = 0, want_total;
	char path[256], arch[64], *text;
	size_t tlen, nfl;
	const cJSON *x, *y;
	cJSON *root;
	lc_backend *be;
	lc_model *m = NULL;
	float *want, *got;
	double worst = 0, q, max_nmse;
	lc_err e;
	FILE *fp;

	snprintf(path, sizeof(path), "tests/golden/hf/tiny-%s.json", name);
	if (lc_slurp(path, 1 << 22, &text, &tlen, &e) != LC_OK) {
		CHECK(0, "%s", e.msg);
		return;
	}
	root = cJSON_Parse(text);
	free(text);
	cJSON_ArrayForEach(x, cJSON_GetObjectItem(root, "sequences")) {
		if (nseq == 64)
			break;
		len[nseq] = ints(x, seq[nseq], 256);
		nseq++;
	}
	cJSON_ArrayForEach(x, cJSON_GetObjectItem(root, "n_ctx"))
		if (nctx < 64)
			ctx[nctx++] = (int)x->valuedouble;
	y = cJSON_GetObjectItem(root, "vocab_size");
	nv = y ? (int)y->valuedouble : 0;
	y = cJSON_GetObjectItem(root, "n_positions_total");
	want_total = y ? (int)y->valuedouble : 105;
	y = cJSON_GetObjectItem(root, "arch");
	snprintf(arch, sizeof(arch), "%s", cJSON_IsString(y) ?
	    y->valuestring : name);
	cJSON_Delete(root);
	if (lc_cpu_backend_new(&be, 0, &e) != LC_OK) {
		CHECK(0, "%s", e.msg);
		return;
	}
	snprintf(path, sizeof(path), "tests/golden/hf/tiny-%s.logits.f32", name);
	fp = fopen(path, "rb");
	CHECK(fp != NULL, "%s missing", path);
	want = malloc((size_t)nv * sizeof(*want));
	got = malloc((size_t)nv * 256 * sizeof(*got));
	snprintf(path, sizeof(path), "tests/golden/hf/tiny-%s.f32.gguf", name);
	for (i = 0; fp != NULL && i < nseq; i++) {
		if (m == NULL || nctx > i) {
			lc_model_close(m);
			if (lc_model_open(&m, path, be, &(lc_model_opts){
			    .kv_dtype = LC_F32, .n_batch = n_batch,
			    .n_ctx = nctx > i ? (uint32_t)ctx[i] : 0 }, &e) !=
			    LC_OK) {
				CHECK(0, "%s", e.msg);
				m = NULL;
				break;
			}
			CHECK(strcmp(lc_model_hparams(m)->arch, arch) == 0 &&
			    (int)lc_model_hparams(m)->n_vocab == nv,
			    "%s: arch or vocabulary", path);
		}
		lc_model_reset(m);
		if (lc_model_eval(m, seq[i], len[i], 0, 1, got, &e) != LC_OK) {
			CHECK(0, "%s seq %d: %s", name, i, e.msg);
			break;
		}
		for (k = 0; k < len[i]; k++) {
			nfl = fread(want, sizeof(*want), (size_t)nv, fp);
			if (nfl != (size_t)nv) {
				CHECK(0, "%s: short", path);
				break;
			}
			q = nmse(got + (size_t)k * nv, want, (size_t)nv);
			if (q > worst)
				worst = q;
			for (a = 0, b = 0, v = 1; v < nv; v++) {
				if (got[(size_t)k * nv + v] > got[(size_t)k * nv + a])
					a = v;
				if (want[v] > want[b])
					b = v;
			}
			top1ok += a == b;
			total++;
		}
	}
	printf("tiny %s (%s%s) vs transformers: top-1 %d/%d, worst logits "
	    "NMSE %.3g\n", name, arch, n_batch ? ", small batches" : "",
	    top1ok, total, worst);
	max_nmse = strcmp(name, "gemma4") == 0 ? MAX_NMSE_TINY_G4 :
	    MAX_NMSE_TINY;
	CHECK(total == want_total && top1ok == total && worst <= max_nmse,
	    "tiny %s: top-1 %d/%d of %d, NMSE %.3g (max %g)", name, top1ok,
	    total, want_total, worst, max_nmse);
	if (fp)
		fclose(fp);
	free(want);
	free(got);
	lc_model_close(m);
	be->ops->free(be);
}

/*
 * Greedy continuations (up to 64 tokens) of the chat prompts of
 * tests/golden/run/prompts.txt against llama.cpp's: how many are
 * identical, and how long the common prefix is on average.
 */
static void
greedy(lc_model *m, float *lg, int nv)
{
	static int32_t pids[4096], want[256];
	static float wmargin[256];
	char *text, *line, *nl;
	size_t len;
	cJSON *root;
	lc_err e;
	int np, nw, k, v, best, same, prompts = 0, identical = 0;
	long prefix = 0;

	if (lc_slurp(greedyf, 1 << 22, &text, &len, &e) != LC_OK) {
		CHECK(0, "%s", e.msg);
		return;
	}
	for (line = text; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		root = cJSON_Parse(line);
		np = ints(cJSON_GetObjectItem(root, "prompt_ids"), pids, 4096);
		nw = ints(cJSON_GetObjectItem(root, "ids"), want, 256);
		CHECK(floats(cJSON_GetObjectItem(root, "margin"), wmargin, 256) ==
		    nw, "%s: margin length", greedyf);
		cJSON_Delete(root);
		if (np <= 0 || nw < 0) {
			CHECK(0, "%s: bad line", greedyf);
			continue;
		}
		prompts++;
		lc_model_reset(m);
		if (lc_model_eval(m, pids, np, 0, 0, lg, &e) != LC_OK) {
			CHECK(0, "prompt %d: %s", prompts, e.msg);
			continue;
		}
		for (same = 1, k = 0; k < nw; k++) {
			for (best = 0, v = 1; v < nv; v++)
				if (lg[v] > lg[best])
					best = v;
			if (best != want[k]) {
				/* a parting of ways is only allowed where
				   llama.cpp itself was nearly undecided */
				CHECK(wmargin[k] < SURE_MARGIN, "greedy prompt %d "
				    "token %d: %d, llama.cpp %d leading by %.3f",
				    prompts, k, best, want[k], (double)wmargin[k]);
				if (getenv("T_MODEL_VERBOSE"))
					printf("greedy prompt %d parts at token %d "
					    "(llama.cpp margin %.4f)\n", prompts,
					    k, (double)wmargin[k]);
				same = 0;
				break;
			}
			if (lc_model_eval(m, &best, 1, np + k, 0, lg, &e) !=
			    LC_OK)
				break;
		}
		prefix += k;
		identical += same;
	}
	free(text);
	printf("greedy continuations identical to llama.cpp: %d of %d, mean "
	    "common prefix %.1f tokens\n", identical, prompts,
	    prompts ? (double)prefix / prompts : 0.0);
	CHECK(prompts == 20 && identical >= MIN_GREEDY, "greedy: %d of %d "
	    "identical (need %d)", identical, prompts, MIN_GREEDY);
}

static void
refusals(const char *dir)
{
	lc_gguf_writer *w;
	lc_backend *b;
	lc_model *m;
	char path[128];
	lc_err e;
	int fd;

	snprintf(path, sizeof(path), "/tmp/t_model.XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return;
	close(fd);
	(void)dir;
	if (lc_cpu_backend_new(&b, 1, &e) != LC_OK)
		return;
	/* an architecture we do not run */
	lc_gguf_writer_new(&w, &e);
	lc_gguf_w_str(w, "general.architecture", "mamba", &e);
	lc_gguf_w_u32(w, "mamba.block_count", 2, &e);
	lc_gguf_w_u32(w, "mamba.embedding_length", 64, &e);
	lc_gguf_w_u32(w, "mamba.attention.head_count", 4, &e);
	lc_gguf_writer_write(w, path, &e);
	lc_gguf_writer_free(w);
	CHECK(lc_model_open(&m, path, b, NULL, &e) == LC_EUNSUP &&
	    strstr(e.msg, "'mamba' is not supported (supported: llama") != NULL,
	    "unsupported arch: %s", e.msg);
	/* a llama without its tensors */
	lc_gguf_writer_new(&w, &e);
	lc_gguf_w_str(w, "general.architecture", "llama", &e);
	lc_gguf_w_u32(w, "llama.block_count", 2, &e);
	lc_gguf_w_u32(w, "llama.embedding_length", 64, &e);
	lc_gguf_w_u32(w, "llama.feed_forward_length", 128, &e);
	lc_gguf_w_u32(w, "llama.attention.head_count", 4, &e);
	lc_gguf_w_u32(w, "llama.vocab_size", 32, &e);
	lc_gguf_writer_write(w, path, &e);
	lc_gguf_writer_free(w);
	CHECK(lc_model_open(&m, path, b, NULL, &e) == LC_EFORMAT &&
	    strstr(e.msg, "tensor 'token_embd.weight' missing") != NULL,
	    "missing tensor: %s", e.msg);
	unlink(path);
	b->ops->free(b);
}

/*
 * output.bias (phi3): tiny-phi3 written again with a bias on the
 * logits gives the logits of the original plus the bias.
 */
static void
output_bias(void)
{
	static float want[1500], got[1500], bias[1500];
	const char *src = "tests/golden/hf/tiny-phi3.f32.gguf";
	const int32_t ids[3] = { 5, 77, 901 };
	char path[] = "/tmp/t_model_bias.XXXXXX";
	lc_gguf_writer *w = NULL;
	lc_gguf *g = NULL;
	lc_tensor_info ti;
	lc_gguf_kv kv;
	lc_backend *b;
	lc_model *m;
	uint64_t i, ne[1] = { 1500 };
	double err = 0;
	lc_err e;
	int fd, ok = 1;

	if ((fd = mkstemp(path)) < 0 || lc_cpu_backend_new(&b, 1, &e) != LC_OK)
		return;
	close(fd);
	for (i = 0; i < 1500; i++)
		bias[i] = (float)((int)(i * 7919 % 200) - 100) / 50.0f;
	ok = lc_gguf_open(&g, src, &e) == LC_OK &&
	    lc_gguf_writer_new(&w, &e) == LC_OK;
	for (i = 0; ok && i < lc_gguf_nkv(g); i++) {
		lc_gguf_kv_at(g, i, &kv);
		ok = lc_gguf_w_kv(w, &kv, &e) == LC_OK;
	}
	for (i = 0; ok && i < lc_gguf_ntensors(g); i++) {
		char name[96];

		lc_gguf_tensor(g, i, &ti);
		snprintf(name, sizeof(name), "%.*s", (int)ti.namelen, ti.name);
		ok = lc_gguf_w_tensor(w, name, ti.dtype, ti.ndim, ti.ne,
		    ti.data, &e) == LC_OK;
	}
	ok = ok && lc_gguf_w_tensor(w, "output.bias", LC_F32, 1, ne, bias,
	    &e) == LC_OK && lc_gguf_writer_write(w, path, &e) == LC_OK;
	CHECK(ok, "writing %s: %s", path, e.msg);
	lc_gguf_writer_free(w);
	lc_gguf_close(g);
	if (ok && lc_model_open(&m, src, b, &(lc_model_opts){ .kv_dtype =
	    LC_F32 }, &e) == LC_OK) {
		ok = lc_model_eval(m, ids, 3, 0, 0, want, &e) == LC_OK;
		lc_model_close(m);
	} else
		ok = 0;
	if (ok && lc_model_open(&m, path, b, &(lc_model_opts){ .kv_dtype =
	    LC_F32 }, &e) == LC_OK) {
		ok = lc_model_eval(m, ids, 3, 0, 0, got, &e) == LC_OK;
		lc_model_close(m);
	} else
		ok = 0;
	CHECK(ok, "output.bias: %s", e.msg);
	for (i = 0; ok && i < 1500; i++)
		if (fabs(got[i] - (want[i] + bias[i])) > err)
			err = fabs(got[i] - (want[i] + bias[i]));
	printf("tiny phi3 with output.bias: logits = logits + bias within "
	    "%.3g\n", err);
	CHECK(ok && err < 1e-5, "output.bias: off by %g", err);
	unlink(path);
	b->ops->free(b);
}

/* A context beyond the trained one is refused, naming both. */
static void
too_long(const char *name, const char *want)
{
	char path[256];
	lc_backend *b;
	lc_model *m = NULL;
	lc_err e;

	snprintf(path, sizeof(path), "tests/golden/hf/tiny-%s.f32.gguf",
	    name);
	if (lc_cpu_backend_new(&b, 1, &e) != LC_OK) {
		CHECK(0, "%s", e.msg);
		return;
	}
	CHECK(lc_model_open(&m, path, b, &(lc_model_opts){ .n_ctx = 257 },
	    &e) == LC_EINVAL && strstr(e.msg, want) != NULL,
	    "%s: context 257 of 256: %s", name, m ? "opened" : e.msg);
	lc_model_close(m);
	b->ops->free(b);
}

static void
tiny(const char *name)
{
	tiny_batch(name, 0);
}

/*
 * Reusing a cached prefix with sliding-window rings (tiny gemma3: window
 * 4, batches of 3, so 7 cells): allowed only while the ring still holds
 * the window before the kept prefix, and then the logits are those of a
 * fresh run.
 */
static void
ring_reuse(void)
{
	static int32_t ids[40];
	static float a[1500], b[1500];
	const char *path = "tests/golden/hf/tiny-gemma3.f32.gguf";
	lc_backend *be;
	lc_model *m;
	lc_err e;
	int i, same;

	for (i = 0; i < 40; i++)
		ids[i] = 17 + (i * 37) % 1400;
	if (lc_cpu_backend_new(&be, 0, &e) != LC_OK ||
	    lc_model_open(&m, path, be, &(lc_model_opts){ .kv_dtype = LC_F32,
	    .n_batch = 3, .n_ctx = 64 }, &e) != LC_OK) {
		CHECK(0, "%s", e.msg);
		return;
	}
	CHECK(lc_model_eval(m, ids, 40, 0, 0, a, &e) == LC_OK, "%s", e.msg);
	CHECK(!lc_model_can_reuse(m, 40, 20), "reuse past a wrapped ring");
	CHECK(lc_model_can_reuse(m, 40, 38), "reuse within the ring");
	/* go on from 38 with two other tokens, against a fresh run */
	ids[38] = 5;
	ids[39] = 9;
	CHECK(lc_model_eval(m, ids + 38, 2, 38, 0, a, &e) == LC_OK, "%s",
	    e.msg);
	lc_model_reset(m);
	CHECK(lc_model_eval(m, ids, 40, 0, 0, b, &e) == LC_OK, "%s", e.msg);
	for (same = 1, i = 0; i < 1500; i++)
		same &= a[i] == b[i];
	CHECK(same, "logits after reuse differ from a fresh run");
	lc_model_close(m);
	be->ops->free(be);
}

int
main(int argc, char *argv[])
{
	static int32_t ids[4096], top1[4096], at[8];
	static float margin[4096];
	char path[4096], *text;
	const char *dir;
	size_t len, k;
	cJSON *root;
	lc_backend *b;
	lc_model *m;
	lc_err e;
	FILE *fp, *ff;
	float *lg, *want;
	double num, den;
	long agree = 0, total = 0, sure = 0, sure_agree = 0;
	int n, nat, i, v, best, nv, texts = 0;

	dir = argc > 1 ? argv[1] : getenv("MODELS_DIR");
	if (dir == NULL) {
		fprintf(stderr, "usage: t_model MODELS_DIR\n");
		return 2;
	}
	refusals(dir);
	snprintf(path, sizeof(path), "%s/SmolLM2-135M-Instruct.Q4_1.gguf",
	    dir);
	if (lc_cpu_backend_new(&b, 0, &e) != LC_OK ||
	    lc_model_open(&m, path, b, &(lc_model_opts){ .n_ctx = 1024,
	    .kv_dtype = LC_F32 }, &e) != LC_OK) {
		CHECK(0, "%s (run 'make models')", e.msg);
		return DONE("t_model");
	}
	nv = (int)lc_model_hparams(m)->n_vocab;
	fp = fopen(golden, "r");
	ff = fopen(goldenf, "rb");
	CHECK(fp != NULL && ff != NULL, "%s or %s missing", golden, goldenf);
	lg = malloc((size_t)nv * 4096 * sizeof(*lg));
	want = malloc((size_t)nv * sizeof(*want));
	while (fp != NULL && ff != NULL &&
	    lc_slurp(golden, 1 << 24, &text, &len, &e) == LC_OK) {
		char *line = text, *nl;
		for (; *line; line = nl + 1) {
			if ((nl = strchr(line, '\n')) == NULL)
				break;
			*nl = '\0';
			root = cJSON_Parse(line);
			n = ints(cJSON_GetObjectItem(root, "ids"), ids, 4096);
			CHECK(ints(cJSON_GetObjectItem(root, "top1"), top1,
			    4096) == n, "golden line %d: top1 length", texts);
			CHECK(floats(cJSON_GetObjectItem(root, "margin"), margin,
			    4096) == n, "golden line %d: margin length", texts);
			nat = ints(cJSON_GetObjectItem(root, "logits_at"), at, 8);
			cJSON_Delete(root);
			texts++;
			lc_model_reset(m);
			if (lc_model_eval(m, ids, n, 0, 1, lg, &e) != LC_OK) {
				CHECK(0, "text %d: %s", texts, e.msg);
				continue;
			}
			for (i = 0; i < n; i++) {
				for (best = 0, v = 1; v < nv; v++)
					if (lg[(size_t)i * nv + v] >
					    lg[(size_t)i * nv + best])
						best = v;
				agree += best == top1[i];
				total++;
				if (margin[i] >= SURE_MARGIN) {
					sure++;
					sure_agree += best == top1[i];
				}
				if (best != top1[i] && getenv("T_MODEL_VERBOSE"))
					printf("text %d pos %d: %d, llama.cpp %d "
					    "(its margin %.4f)\n", texts, i, best,
					    top1[i], (double)margin[i]);
			}
			for (k = 0; k < (size_t)nat; k++) {
				if (fread(want, sizeof(*want), (size_t)nv, ff) !=
				    (size_t)nv) {
					CHECK(0, "%s: short", goldenf);
					break;
				}
				for (num = den = 0, v = 0; v < nv; v++) {
					double d = lg[(size_t)at[k] * nv + v] -
					    want[v];
					num += d * d;
					den += (double)want[v] * want[v];
				}
				CHECK(num / den <= MAX_NMSE, "text %d pos %d: "
				    "logits NMSE %.3g > %g", texts, at[k],
				    num / den, MAX_NMSE);
				if (getenv("T_MODEL_VERBOSE"))
					printf("text %d pos %d NMSE %.3g\n",
					    texts, at[k], num / den);
			}
		}
		free(text);
		break;
	}
	hf_smollm2(m, lg, nv);
	greedy(m, lg, nv);
	tiny("qwen2");
	tiny("qwen3");
	tiny("mistral");
	tiny("llama-linear");
	tiny("gemma3");
	/* batches of 3 with a window of 4: the sliding-window layers' KV
	   rings (7 cells) wrap many times over the 50-token sequence */
	tiny_batch("gemma3", 3);
	ring_reuse();
	tiny("llama3");
	tiny("qwen2-yarn");
	tiny("phi3");
	tiny("qwen3moe");
	tiny("granite");
	tiny("olmo2");
	tiny("smollm3");
	tiny("gemma4");
	tiny_batch("gemma4", 3);
	output_bias();
	too_long("qwen2", "context 257 exceeds the trained context 256 and "
	    "the model has no RoPE scaling");
	too_long("qwen2-yarn", "context 257 exceeds the trained context 256 "
	    "(its RoPE scaling included)");
	CHECK(total >= 2000 && (double)agree / (double)total >= MIN_TOP1,
	    "top-1 agreement with llama.cpp %ld/%ld = %.4f (need >= %.3f over "
	    ">= 2000 positions)", agree, total,
	    total ? (double)agree / (double)total : 0.0, MIN_TOP1);
	CHECK(sure > 1000 && sure_agree == sure, "top-1 agreement with "
	    "llama.cpp where it leads by >= %g: %ld/%ld (need all, over > 1000)",
	    SURE_MARGIN, sure_agree, sure);
	printf("top-1 agreement with llama.cpp: %ld/%ld = %.2f%% over %d "
	    "texts; %ld/%ld where its top-1 leads by >= %g\n", agree, total,
	    total ? 100.0 * (double)agree / (double)total : 0.0, texts,
	    sure_agree, sure, SURE_MARGIN);
	if (fp)
		fclose(fp);
	if (ff)
		fclose(ff);
	free(lg);
	free(want);
	lc_model_close(m);
	b->ops->free(b);
	return DONE("t_model");
}
