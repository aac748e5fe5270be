/*
 * t_vk_model - whole models on the Vulkan backend against the CPU
 * backend.
 *
 * Tiny f32 models (tests/golden/hf/tiny-{llama3,qwen2,gemma3,gemma4}
 * .f32.gguf: normal and NeoX RoPE, biases, per-head norms, GELU, a
 * sliding window; gemma4's layers of two head sizes in one cache, its
 * shared KV layers and per-layer inputs through one-column views):
 * nothing is quantized, so every logit of every position must agree to
 * float rounding (MAX_NMSE_TINY); llama3 and gemma3 also over 250
 * positions, whose last 4 (generation) split their attention, and
 * qwen2 over 200 with a q8_0 cache.  The same for llama3 and qwen2 (K
 * rows of 32: one q8_0 block over two heads) with a q8_0 KV cache on
 * both backends (the cache's blocks quantized identically): a last-bit
 * difference in a key can still move one quant a step, so the bound is
 * MAX_NMSE_TINY_Q8_0 (k_vk covers q8_0 in rings).  qwen3moe routes its experts on the device
 * (moe_route, moe_matmul, moe_add), the CPU on the host: the same
 * bound, and its greedy continuation must be the CPU's; quantized to
 * Q8_0 here, its positions are held to MAX_NMSE_FIRST and
 * MAX_NMSE_DRIFT as the real models below.
 *
 * all-MiniLM-L6-v2 (bert: whole-sequence non-causal attention, layer
 * norms with biases, erf GELU; converted from its Hugging Face
 * directory as llm-embed -m DIR does): the pooled, normalized
 * embeddings of varied texts in one batch (lc_embed: mean pooling by
 * the backend's pool op, only the pooled vectors read back) must have
 * cosine at least MIN_COS_EMBED with the CPU's, and be nearer their own
 * text's CPU vector than any other's.
 *
 * SmolLM2-135M Q4_1 (q4_1, q8_0 weights) and Gemma 3 270M Q4_K_M (q8_0,
 * q5_0, q4_k, q6_k, a token embedding larger than lavapipe's 128 MiB
 * binding limit): the shaders round activations exactly as the CPU
 * does, so the first position's logits (no attention mixing yet) agree
 * to MAX_NMSE_FIRST; later positions drift as far as llama.cpp drifts
 * from itself (t_model.c: a last-bit difference moves an activation
 * across an 8-bit rounding boundary and 30 layers amplify it; measured
 * up to 1.5e-2), so they are held to MAX_NMSE_DRIFT, and greedy
 * continuations, run on the CPU's tokens, may only part from the CPU's
 * choice where the CPU's top-1 led its runner-up by less than
 * SURE_MARGIN logits (t_model.c's and t_gemma3.c's gates).  SmolLM2
 * runs its first prompt a second time with a q8_0 KV cache on both
 * backends, under the same bounds.
 *
 * With no Vulkan device (or a build without Vulkan) it prints
 * "skipped: no Vulkan device" and exits 0.  lavapipe is slow: by default
 * each real model runs its first prompt only, under AddressSanitizer
 * only SmolLM2's (LC_VK_TEST_FULL=1: all three prompts of both); the
 * tiny models and MiniLM always run.
 *
 * usage: t_vk_model [MODELS_DIR]	(default: $MODELS_DIR, then
 * ~/.cache/llmutils/models)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../libcore/backend.h"
#include "../../libcore/convert.h"
#include "../../libcore/dtype.h"
#include "../../libcore/embed.h"
#include "../../libcore/model.h"
#include "../../libcore/quantize.h"
#include "../../libcore/tok/tok.h"
#include "check.h"
#include "golden.h"

/* measured on lavapipe: tiny up to 1.3e-8 (tiled f32 sums amplified
   by the layers; 1e-13 token by token); first position up to 2.9e-4;
   later positions up to 1.5e-2 (SmolLM2), 4.2e-3 (Gemma); with the
   q8_0 cache tiny up to 3e-13, SmolLM2 as with f16.  A real error
   (RoPE, mask, norm) gives > 0.1. */
#define MAX_NMSE_TINY	1e-6
#define MAX_NMSE_TINY_Q8_0	1e-6
#define MAX_NMSE_FIRST	1e-3
#define MAX_NMSE_DRIFT	5e-2
#define GREEDY		8	/* tokens generated per prompt */
/* measured on lavapipe: 1 - cos <= 1e-12; the causal mask in place of
   none gives cosines of 0.82 to 0.95 */
#define MIN_COS_EMBED	0.9999

static const char *const prompts[] = {
	"The capital of France is",
	"def fibonacci(n):\n    if n < 2:\n        return n\n",
	"Once upon a time, in a small village by the sea, there lived",
};
#define NPROMPT	((int)(sizeof(prompts) / sizeof(prompts[0])))

/* top-1 minus runner-up of v[0..n) */
static float
lead(const float *v, int n)
{
	int i, best = argmax(v, n);
	float second = -1e30f;

	for (i = 0; i < n; i++)
		if (i != best && v[i] > second)
			second = v[i];
	return v[best] - second;
}

/*
 * The CPU's greedy continuation of ids[0..n) (GREEDY tokens), each step
 * also run on Vulkan with the CPU's tokens: the steps where Vulkan's
 * top-1 differs must be near-ties of the CPU's.  Returns the number of
 * differing steps, or -1.
 */
static int
greedy(lc_model *m[2], const char *file, int p, const int32_t *ids, int n,
    float *lg[2], float margin)
{
	int nv = (int)lc_model_hparams(m[0])->n_vocab, i, k, diff = 0;
	int32_t id = 0;
	lc_err e;

	for (k = 0; k < 2; k++) {
		lc_model_reset(m[k]);
		if (lc_model_eval(m[k], ids, n, 0, 0, lg[k], &e) != LC_OK) {
			CHECK(0, "eval: %s", e.msg);
			return -1;
		}
	}
	for (i = 0; i < GREEDY; i++) {
		id = argmax(lg[0], nv);
		if (argmax(lg[1], nv) != id) {
			diff++;
			CHECK(lead(lg[0], nv) < margin, "%s prompt %d step %d: "
			    "Vulkan chose %d, the CPU %d by a lead of %.2f", file,
			    p, i, argmax(lg[1], nv), id, lead(lg[0], nv));
		}
		for (k = 0; k < 2 && i + 1 < GREEDY; k++)
			if (lc_model_eval(m[k], &id, 1, n + i, 0, lg[k], &e) !=
			    LC_OK) {
				CHECK(0, "eval: %s", e.msg);
				return -1;
			}
	}
	return diff;
}

/*
 * A tiny f32 model with a KV cache of kvt: every position's logits,
 * npos - 4 in batches of 16, then 4 one by one (generation: past 128
 * positions its attention is split, vk.c).
 */
static void
tiny_n(const char *name, uint32_t kvt, int npos)
{
	lc_model_opts o = { .n_ctx = npos < 64 ? 64 : npos, .n_batch = 16,
	    .kv_dtype = kvt };
	double bound = kvt == LC_Q8_0 ? MAX_NMSE_TINY_Q8_0 : MAX_NMSE_TINY;
	lc_backend *be[2] = { NULL, NULL };
	lc_model *m[2] = { NULL, NULL };
	float *lg[2] = { NULL, NULL };
	int32_t ids[512];
	char path[256];
	double worst = 0, q;
	int i, j, nv;
	lc_err e;

	snprintf(path, sizeof(path), "tests/golden/hf/tiny-%s.f32.gguf", name);
	if (lc_cpu_backend_new(&be[0], 1, &e) != LC_OK ||
	    lc_vk_backend_new(&be[1], 0, &e) != LC_OK) {
		CHECK(0, "%s: backend: %s", name, e.msg);
		goto out;
	}
	for (i = 0; i < 2; i++)
		if (lc_model_open(&m[i], path, be[i], &o, &e) != LC_OK) {
			CHECK(0, "%s on %s: %s", path, be[i]->ops->name, e.msg);
			goto out;
		}
	nv = (int)lc_model_hparams(m[0])->n_vocab;
	for (j = 0; j < npos; j++)
		ids[j] = (int32_t)((j * 37 + 11) % nv);
	for (i = 0; i < 2; i++) {
		if ((lg[i] = malloc((size_t)npos * (size_t)nv *
		    sizeof(float))) == NULL)
			goto out;
		if (lc_model_eval(m[i], ids, npos - 4, 0, 1, lg[i], &e) !=
		    LC_OK) {
			CHECK(0, "%s: %s", name, e.msg);
			goto out;
		}
		for (j = npos - 4; j < npos; j++)
			if (lc_model_eval(m[i], ids + j, 1, j, 0, lg[i] +
			    (size_t)j * (size_t)nv, &e) != LC_OK) {
				CHECK(0, "%s: %s", name, e.msg);
				goto out;
			}
	}
	for (j = 0; j < npos; j++) {
		q = nmse(lg[1] + (size_t)j * (size_t)nv, lg[0] + (size_t)j *
		    (size_t)nv, (size_t)nv);
		CHECK(q <= bound, "tiny %s, %s cache, position %d: NMSE %.3g",
		    name, lc_dtype(kvt)->name, j, q);
		worst = q > worst ? q : worst;
	}
	printf("tiny %s, %s cache: logits NMSE <= %.3g at %d positions\n",
	    name, lc_dtype(kvt)->name, worst, npos);
out:
	for (i = 0; i < 2; i++) {
		free(lg[i]);
		lc_model_close(m[i]);
		if (be[i] != NULL)
			be[i]->ops->free(be[i]);
	}
}

/* 20 positions in two steps of 16 and 4, then 4 one by one */
static void
tiny(const char *name, uint32_t kvt)
{
	tiny_n(name, kvt, 24);
}

/*
 * A tiny f32 model's greedy continuation of a 20-token prompt (two
 * steps of n_batch 16 and 4) on both backends: qwen3moe's experts are
 * chosen on the device there, so every step's top-1 must be the CPU's
 * (margin 0: no near-tie excuses).
 */
static void
tiny_greedy(const char *name)
{
	lc_model_opts o = { .n_ctx = 64, .n_batch = 16, .kv_dtype = LC_F16 };
	lc_backend *be[2] = { NULL, NULL };
	lc_model *m[2] = { NULL, NULL };
	float *lg[2] = { NULL, NULL };
	int32_t ids[20];
	char path[256];
	int i, j, nv, d;
	lc_err e;

	snprintf(path, sizeof(path), "tests/golden/hf/tiny-%s.f32.gguf", name);
	if (lc_cpu_backend_new(&be[0], 1, &e) != LC_OK ||
	    lc_vk_backend_new(&be[1], 0, &e) != LC_OK) {
		CHECK(0, "%s: backend: %s", name, e.msg);
		goto out;
	}
	for (i = 0; i < 2; i++)
		if (lc_model_open(&m[i], path, be[i], &o, &e) != LC_OK) {
			CHECK(0, "%s on %s: %s", path, be[i]->ops->name, e.msg);
			goto out;
		}
	nv = (int)lc_model_hparams(m[0])->n_vocab;
	for (j = 0; j < 20; j++)
		ids[j] = (int32_t)((j * 53 + 7) % nv);
	for (i = 0; i < 2; i++)
		if ((lg[i] = malloc((size_t)nv * sizeof(float))) == NULL)
			goto out;
	if ((d = greedy(m, path, 0, ids, 20, lg, 0.0f)) == 0)
		printf("tiny %s: greedy continuation identical (%d tokens)\n",
		    name, GREEDY);
out:
	for (i = 0; i < 2; i++) {
		free(lg[i]);
		lc_model_close(m[i]);
		if (be[i] != NULL)
			be[i]->ops->free(be[i]);
	}
}

/*
 * The tiny qwen3moe quantized to Q8_0 here (lc_qplan: the experts' gate
 * and up stacks q8_0, the down stacks, rows of 16, kept f16): the
 * experts' products on the device round their activations as the CPU
 * does, so the first position agrees to MAX_NMSE_FIRST and the others
 * to MAX_NMSE_DRIFT (20 positions in steps of 16 and 4, then 4 one by
 * one).
 */
static void
tiny_moe_q8_0(void)
{
	lc_model_opts o = { .n_ctx = 64, .n_batch = 16, .kv_dtype = LC_F16 };
	lc_qparams qp = { .output_type = -1, .token_embd_type = -1,
	    .nthreads = 1 };
	char tmp[] = "/tmp/t_vk_model.XXXXXX";
	lc_backend *be[2] = { NULL, NULL };
	lc_model *m[2] = { NULL, NULL };
	float *lg[2] = { NULL, NULL };
	double first = 0, worst = 0, q;
	lc_gguf *g = NULL;
	lc_qplan plan;
	int32_t ids[24];
	int fd, i, j, nv, planned = 0;
	lc_err e;

	if ((fd = mkstemp(tmp)) < 0) {
		CHECK(0, "mkstemp");
		return;
	}
	close(fd);
	if (lc_qftype_parse("q8_0", &qp.ftype, &e) != LC_OK ||
	    lc_gguf_open(&g, "tests/golden/hf/tiny-qwen3moe.f32.gguf", &e) !=
	    LC_OK || lc_qplan_make(&plan, g, &qp, &e) != LC_OK ||
	    (planned = 1, lc_qplan_write(&plan, g, &qp, tmp, NULL, NULL,
	    &e)) != LC_OK) {
		CHECK(0, "tiny qwen3moe to q8_0: %s", e.msg);
		goto out;
	}
	if (lc_cpu_backend_new(&be[0], 1, &e) != LC_OK ||
	    lc_vk_backend_new(&be[1], 0, &e) != LC_OK) {
		CHECK(0, "qwen3moe q8_0: backend: %s", e.msg);
		goto out;
	}
	for (i = 0; i < 2; i++)
		if (lc_model_open(&m[i], tmp, be[i], &o, &e) != LC_OK) {
			CHECK(0, "qwen3moe q8_0 on %s: %s", be[i]->ops->name,
			    e.msg);
			goto out;
		}
	nv = (int)lc_model_hparams(m[0])->n_vocab;
	for (j = 0; j < 24; j++)
		ids[j] = (int32_t)((j * 37 + 11) % nv);
	for (i = 0; i < 2; i++) {
		if ((lg[i] = malloc((size_t)(24 * nv) * sizeof(float))) == NULL)
			goto out;
		if (lc_model_eval(m[i], ids, 20, 0, 1, lg[i], &e) != LC_OK) {
			CHECK(0, "qwen3moe q8_0: %s", e.msg);
			goto out;
		}
		for (j = 20; j < 24; j++)
			if (lc_model_eval(m[i], ids + j, 1, j, 0, lg[i] +
			    (size_t)j * (size_t)nv, &e) != LC_OK) {
				CHECK(0, "qwen3moe q8_0: %s", e.msg);
				goto out;
			}
	}
	for (j = 0; j < 24; j++) {
		q = nmse(lg[1] + (size_t)j * (size_t)nv, lg[0] + (size_t)j *
		    (size_t)nv, (size_t)nv);
		CHECK(q <= (j ? MAX_NMSE_DRIFT : MAX_NMSE_FIRST), "tiny "
		    "qwen3moe q8_0 position %d: NMSE %.3g", j, q);
		if (j == 0)
			first = q;
		else
			worst = q > worst ? q : worst;
	}
	printf("tiny qwen3moe q8_0: logits NMSE at position 0 %.3g, "
	    "elsewhere <= %.3g\n", first, worst);
out:
	for (i = 0; i < 2; i++) {
		free(lg[i]);
		lc_model_close(m[i]);
		if (be[i] != NULL)
			be[i]->ops->free(be[i]);
	}
	if (planned)
		lc_qplan_free(&plan);
	lc_gguf_close(g);
	unlink(tmp);
}

/*
 * A backend that cannot route experts is refused by name when a MoE
 * model opens: without moe_route, or (read() not at once) without
 * moe_matmul and moe_add.  The CPU backend stands in, its ops table
 * swapped for copies with those taken out.
 */
static void
moe_refused(void)
{
	lc_model_opts o = { .n_ctx = 64, .n_batch = 16, .kv_dtype = LC_F16 };
	const lc_backend_ops *real;
	lc_backend_ops cut[2];
	lc_backend *b;
	lc_model *m;
	lc_err e;
	int i, rc;

	if (lc_cpu_backend_new(&b, 1, &e) != LC_OK) {
		CHECK(0, "cpu backend: %s", e.msg);
		return;
	}
	real = b->ops;
	cut[0] = cut[1] = *real;
	cut[0].moe_route = NULL;
	cut[1].read_now = 0;
	cut[1].moe_add = NULL;
	for (i = 0; i < 2; i++) {
		b->ops = &cut[i];
		m = NULL;
		rc = lc_model_open(&m, "tests/golden/hf/tiny-qwen3moe.f32.gguf",
		    b, &o, &e);
		CHECK(rc == LC_EUNSUP && strstr(e.msg, "tiny-qwen3moe") &&
		    strstr(e.msg, "mixture-of-experts") && strstr(e.msg,
		    "device cpu"), "MoE on a backend without the ops (%d): "
		    "%d, %s", i, rc, rc ? e.msg : "opened");
		lc_model_close(m);
	}
	b->ops = real;
	b->ops->free(b);
}

static const char *const sentences[] = {
	"The cat sat on the mat.",
	"A quick brown fox jumps over the lazy dog near the riverbank at "
	    "dawn, while the farmer counts his sheep.",
	"Quantum chromodynamics describes the strong interaction.",
	"Hi",
	"def add(a, b): return a + b  # 42",
	"Paris est la capitale de la France.",
};
#define NSENT	((int)(sizeof(sentences) / sizeof(sentences[0])))

/* MiniLM on both backends: the texts' embeddings, all in one batch */
static void
embed(const char *dir)
{
	char mdir[1024], tmp[] = "/tmp/t_vk_model.XXXXXX";
	lc_backend *be[2] = { NULL, NULL };
	lc_model *m[2] = { NULL, NULL };
	lc_tok *tok = NULL;
	lc_embed *em[2] = { NULL, NULL };
	lc_embed_item it[2][NSENT];
	double c, worst = 1, other = -1;
	lc_conv *cv;
	lc_err e;
	int fd, rc, i, j, k;

	memset(it, 0, sizeof(it));
	snprintf(mdir, sizeof(mdir), "%s/all-MiniLM-L6-v2", dir);
	if ((fd = mkstemp(tmp)) < 0) {
		CHECK(0, "mkstemp");
		return;
	}
	close(fd);
	if ((rc = lc_conv_open(&cv, mdir, NULL, &e)) == LC_OK) {
		rc = lc_conv_write(cv, LC_CONV_KEEP, tmp, NULL, &e);
		lc_conv_close(cv);
	}
	if (rc != LC_OK) {
		CHECK(0, "%s: %s (run 'make models')", mdir, e.msg);
		unlink(tmp);
		return;
	}
	if (lc_cpu_backend_new(&be[0], 0, &e) != LC_OK ||
	    lc_vk_backend_new(&be[1], 0, &e) != LC_OK) {
		CHECK(0, "MiniLM: backend: %s", e.msg);
		goto out;
	}
	for (k = 0; k < 2; k++)
		if (lc_model_open(&m[k], tmp, be[k], NULL, &e) != LC_OK) {
			CHECK(0, "MiniLM on %s: %s", be[k]->ops->name, e.msg);
			goto out;
		}
	if (lc_tok_new(&tok, lc_model_gguf(m[0]), &e) != LC_OK) {
		CHECK(0, "MiniLM: tokenizer: %s", e.msg);
		goto out;
	}
	for (k = 0; k < 2; k++) {
		if (lc_embed_new(&em[k], m[k], tok, NULL, &e) != LC_OK) {
			CHECK(0, "MiniLM: lc_embed_new: %s", e.msg);
			goto out;
		}
		for (i = 0; i < NSENT; i++) {
			it[k][i].text = sentences[i];
			it[k][i].len = strlen(sentences[i]);
		}
		if (lc_embed_run(em[k], it[k], NSENT, &e) != LC_OK) {
			CHECK(0, "MiniLM on %s: %s", be[k]->ops->name, e.msg);
			goto out;
		}
		for (i = 0; i < NSENT; i++)
			if (it[k][i].rc != LC_OK) {
				CHECK(0, "MiniLM on %s, text %d: %s",
				    be[k]->ops->name, i, it[k][i].err.msg);
				goto out;
			}
	}
	for (i = 0; i < NSENT; i++)
		for (j = 0; j < NSENT; j++) {
			c = lc_embed_cosine(it[1][i].vec, it[0][j].vec,
			    lc_embed_dim(em[0]));
			if (i == j) {
				CHECK(c >= MIN_COS_EMBED, "MiniLM text %d: "
				    "cosine %.7f with the CPU's", i, c);
				worst = c < worst ? c : worst;
			} else {
				other = c > other ? c : other;
			}
		}
	CHECK(other < worst, "MiniLM: a text nearer another's vector "
	    "(%.5f) than its own (%.7f)", other, worst);
	printf("MiniLM: %d texts in one batch, 1 - cosine with the CPU <= "
	    "%.3g (with other texts' >= %.3f)\n", NSENT, 1 - worst, 1 - other);
out:
	for (k = 0; k < 2; k++) {
		for (i = 0; i < NSENT; i++)
			free(it[k][i].vec);
		lc_embed_free(em[k]);
	}
	lc_tok_free(tok);
	for (k = 0; k < 2; k++) {
		lc_model_close(m[k]);
		if (be[k] != NULL)
			be[k]->ops->free(be[k]);
	}
	unlink(tmp);
}

static void
one_model(const char *dir, const char *file, int nprompt, float margin,
    uint32_t kvt)
{
	lc_model_opts o = { .n_ctx = 256, .n_batch = 64, .kv_dtype = kvt };
	lc_backend *be[2] = { NULL, NULL };
	lc_model *m[2] = { NULL, NULL };
	int32_t *ids = NULL;
	size_t n = 0, cap = 0, nv;
	float *lg[2] = { NULL, NULL };
	char path[1024];
	double worst = 0, first = 0, q;
	int p, i, j, same = 0, d;
	lc_tok *tok = NULL;
	lc_err e;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (lc_cpu_backend_new(&be[0], 0, &e) != LC_OK ||
	    lc_vk_backend_new(&be[1], 0, &e) != LC_OK) {
		CHECK(0, "%s: backend: %s", file, e.msg);
		goto out;
	}
	for (i = 0; i < 2; i++)
		if (lc_model_open(&m[i], path, be[i], &o, &e) != LC_OK) {
			CHECK(0, "%s on %s: %s", file, be[i]->ops->name, e.msg);
			goto out;
		}
	if (lc_tok_new(&tok, lc_model_gguf(m[0]), &e) != LC_OK) {
		CHECK(0, "%s: tokenizer: %s", file, e.msg);
		goto out;
	}
	nv = lc_model_hparams(m[0])->n_vocab;
	for (p = 0; p < nprompt; p++) {
		n = 0;
		if (lc_tok_encode(tok, prompts[p], strlen(prompts[p]), 1, 0,
		    &ids, &n, &cap, &e) != LC_OK) {
			CHECK(0, "%s: encode: %s", file, e.msg);
			goto out;
		}
		for (i = 0; i < 2; i++) {
			free(lg[i]);
			if ((lg[i] = malloc(n * nv * sizeof(float))) == NULL) {
				CHECK(0, "out of memory");
				goto out;
			}
			lc_model_reset(m[i]);
			if (lc_model_eval(m[i], ids, (int)n, 0, 1, lg[i], &e) !=
			    LC_OK) {
				CHECK(0, "%s on %s: %s", file, be[i]->ops->name,
				    e.msg);
				goto out;
			}
		}
		for (j = 0; j < (int)n; j++) {
			double bound = j == 0 ? MAX_NMSE_FIRST : MAX_NMSE_DRIFT;
			q = nmse(lg[1] + j * nv, lg[0] + j * nv, nv);
			CHECK(q <= bound, "%s prompt %d position %d: logits "
			    "NMSE %.3g > %.3g", file, p, j, q, bound);
			if (j == 0 && q > first)
				first = q;
			if (q > worst)
				worst = q;
		}
		if ((d = greedy(m, file, p, ids, (int)n, lg, margin)) < 0)
			goto out;
		same += d == 0;
	}
	printf("%s, %s cache: logits NMSE at position 0 <= %.3g, elsewhere "
	    "<= %.3g; greedy (on the CPU's tokens) identical on %d of %d "
	    "prompts\n", file, lc_dtype(kvt)->name, first, worst, same,
	    nprompt);
out:
	lc_tok_free(tok);
	free(ids);
	for (i = 0; i < 2; i++) {
		free(lg[i]);
		lc_model_close(m[i]);
		if (be[i] != NULL)
			be[i]->ops->free(be[i]);
	}
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : getenv("MODELS_DIR");
	const char *full = getenv("LC_VK_TEST_FULL"), *home;
	static char def[1024];
	struct timespec t0, t1;
	lc_backend *b;
	int reduced = 0, full1 = 0;
	lc_err e;

#if defined(__SANITIZE_ADDRESS__)
	reduced = 1;
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
	reduced = 1;
#endif
#endif
	if (full != NULL && strcmp(full, "1") == 0)
		reduced = 0, full1 = 1;
	if (dir == NULL || *dir == '\0') {
		if ((home = getenv("HOME")) == NULL) {
			fprintf(stderr, "usage: t_vk_model MODELS_DIR\n");
			return 2;
		}
		snprintf(def, sizeof(def), "%s/.cache/llmutils/models", home);
		dir = def;
	}
	if (lc_vk_backend_new(&b, 0, &e) != LC_OK) {
		if (e.code == LC_EDEVICE && (strstr(e.msg, "no Vulkan device") ||
		    strstr(e.msg, "no usable Vulkan loader") ||
		    strstr(e.msg, "build has no Vulkan"))) {
			printf("skipped: no Vulkan device (%s)\n", e.msg);
			return 0;
		}
		printf("FAILED vulkan backend: %s\n", e.msg);
		return 1;
	}
	b->ops->free(b);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tiny("llama3", LC_F16);
	tiny_n("llama3", LC_F16, 250);
	tiny_n("qwen2", LC_Q8_0, 200);
	tiny_n("gemma3", LC_F16, 250);
	tiny("qwen2", LC_F16);
	tiny("gemma3", LC_F16);
	tiny("gemma4", LC_F16);
	tiny("llama3", LC_Q8_0);
	tiny("qwen2", LC_Q8_0);
	tiny("qwen3moe", LC_F16);
	tiny_greedy("qwen3moe");
	tiny_moe_q8_0();
	moe_refused();
	embed(dir);
	one_model(dir, "SmolLM2-135M-Instruct.Q4_1.gguf", full1 ? NPROMPT :
	    1, 0.5f, LC_F16);
	if (!reduced)
		one_model(dir, "SmolLM2-135M-Instruct.Q4_1.gguf", 1, 0.5f,
		    LC_Q8_0);
	if (!reduced)
		one_model(dir, "gemma-3-270m-q4_k_m.gguf", full1 ? NPROMPT : 1,
		    1.0f, LC_F16);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%s%.1f s\n", reduced ? "reduced set (sanitizer): SmolLM2, "
	    "one prompt, tiny models, MiniLM; " : "",
	    (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return DONE("t_vk_model");
}
