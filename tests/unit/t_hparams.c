/*
 * t_hparams - hyper-parameters from GGUF metadata and config.json, their
 * range checks, and the memory plans of llm-inspect --fit, against
 * figures worked out by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../libcore/dtype.h"
#include "../../libcore/gguf.h"
#include "../../libcore/hparams.h"
#include "check.h"

static char path[64];

enum { F_NONE, F_NOLAYERS, F_BADKV, F_STRLAYERS, F_HUGE, F_GEMMA, F_ARRFF };

/* A metadata-only GGUF for arch with the given flaw; opened. */
static lc_gguf *
make(const char *arch, int flaw)
{
	uint32_t ff[3] = { 100, 300, 200 };
	lc_gguf_writer *w;
	lc_gguf *g;
	char key[64];
	lc_err e;

#define K(s) (snprintf(key, sizeof(key), "%s." s, arch), key)
	lc_gguf_writer_new(&w, &e);
	lc_gguf_w_str(w, "general.architecture", arch, &e);
	if (flaw == F_STRLAYERS)
		lc_gguf_w_str(w, K("block_count"), "thirty", &e);
	else if (flaw == F_HUGE)
		lc_gguf_w_u32(w, K("block_count"), 4000000000u, &e);
	else if (flaw != F_NOLAYERS)
		lc_gguf_w_u32(w, K("block_count"), flaw == F_GEMMA ? 18 : 30, &e);
	lc_gguf_w_u32(w, K("embedding_length"), flaw == F_GEMMA ? 640 : 576, &e);
	if (flaw == F_ARRFF)
		lc_gguf_w_arr(w, K("feed_forward_length"), LC_GGUF_U32, ff, 3, &e);
	else
		lc_gguf_w_u32(w, K("feed_forward_length"), 1536, &e);
	lc_gguf_w_u32(w, K("attention.head_count"), flaw == F_GEMMA ? 4 : 9, &e);
	lc_gguf_w_u32(w, K("attention.head_count_kv"),
	    flaw == F_BADKV ? 2 : flaw == F_GEMMA ? 1 : 3, &e);
	lc_gguf_w_u32(w, K("context_length"), 8192, &e);
	lc_gguf_w_u32(w, K("vocab_size"), 49152, &e);
	if (flaw == F_GEMMA) {
		lc_gguf_w_u32(w, K("attention.key_length"), 256, &e);
		lc_gguf_w_u32(w, K("attention.value_length"), 256, &e);
		lc_gguf_w_u32(w, K("attention.sliding_window"), 512, &e);
	}
#undef K
	if (lc_gguf_writer_write(w, path, &e) != LC_OK ||
	    lc_gguf_open(&g, path, &e) != LC_OK) {
		printf("FAILED fixture: %s\n", e.msg);
		exit(1);
	}
	lc_gguf_writer_free(w);
	return g;
}

static void
expect_err(const char *arch, int flaw, const char *want)
{
	lc_hparams hp;
	lc_gguf *g = make(arch, flaw);
	lc_err e;
	int rc = lc_hparams_gguf(&hp, g, &e);

	CHECK(rc != LC_OK && strstr(e.msg, want) != NULL, "flaw %d: rc %d "
	    "'%s', want '%s'", flaw, rc, rc ? e.msg : "", want);
	lc_gguf_close(g);
}

int
main(void)
{
	lc_hparams hp;
	lc_memplan mp;
	lc_gguf *g;
	lc_err e;
	FILE *fp;
	int fd, l, nswa;

	snprintf(path, sizeof(path), "/tmp/t_hparams.XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return 1;
	close(fd);

	/* SmolLM2-135M's shape */
	g = make("llama", F_NONE);
	CHECK(lc_hparams_gguf(&hp, g, &e) == LC_OK, "llama: %s", e.msg);
	CHECK(hp.n_layer == 30 && hp.n_embd == 576 && hp.n_head == 9 &&
	    hp.n_head_kv == 3 && hp.head_dim_k == 64 && hp.head_dim_v == 64 &&
	    hp.n_ff == 1536 && hp.n_ctx_train == 8192 && hp.n_vocab == 49152 &&
	    hp.causal && hp.n_swa == 0, "llama values");
	/* KV: 30 layers x 8192 cells x 3 heads x (64 + 64) x 2 bytes */
	CHECK(lc_memplan_make(&mp, &hp, 8192, 512, LC_F16, &e) == LC_OK &&
	    mp.kv == 188743680ULL, "llama f16 KV %llu", (unsigned long long)mp.kv);
	/* q8_0: rows of 64 are 2 blocks of 34 bytes */
	CHECK(lc_memplan_make(&mp, &hp, 1000, 512, LC_Q8_0, &e) == LC_OK &&
	    mp.kv == 30ULL * 1000 * 3 * (68 + 68), "llama q8_0 KV %llu",
	    (unsigned long long)mp.kv);
	/* scratch, batch 4, ctx 10: 4 x (4 x (3*576 + 2*576 + 2*192 +
	   3*1536) + 9*4*10 + 49152) + 4 x 1536 / 32 x 34 */
	CHECK(lc_memplan_make(&mp, &hp, 10, 4, LC_F32, &e) == LC_OK &&
	    mp.scratch == 4ULL * (4 * (3 * 576 + 2 * 576 + 2 * 192 + 3 * 1536) +
	    9 * 4 * 10 + 49152) + 4 * 1536 / 32 * 34 &&
	    mp.total == mp.weights + mp.kv + mp.scratch && mp.batch == 4,
	    "scratch %llu", (unsigned long long)mp.scratch);
	CHECK(lc_memplan_make(&mp, &hp, 0, 4, LC_F16, &e) == LC_EINVAL,
	    "ctx 0 refused");
	CHECK(lc_memplan_make(&mp, &hp, 16, 4, LC_Q4_0, &e) == LC_EINVAL,
	    "q4_0 KV refused");
	lc_gguf_close(g);

	/* Gemma-3-270M's shape: 1 global layer in 6, window 512 */
	g = make("gemma3", F_GEMMA);
	CHECK(lc_hparams_gguf(&hp, g, &e) == LC_OK, "gemma3: %s", e.msg);
	for (l = 0, nswa = 0; l < 18; l++)
		nswa += hp.swa_layer[l];
	CHECK(hp.n_swa == 512 && nswa == 15 && !hp.swa_layer[5] &&
	    !hp.swa_layer[11] && !hp.swa_layer[17] && hp.swa_layer[0] &&
	    hp.head_dim_k == 256, "gemma3 pattern: %d window layers", nswa);
	/* q8_0 rows of 256: 8 x 34 = 272 bytes; 3 x 2048 + 15 x 1024 cells */
	CHECK(lc_memplan_make(&mp, &hp, 2048, 512, LC_Q8_0, &e) == LC_OK &&
	    mp.kv == (3ULL * 2048 + 15 * 1024) * 1 * (272 + 272),
	    "gemma3 KV %llu", (unsigned long long)mp.kv);
	/* context below the window: every layer holds ctx cells */
	CHECK(lc_memplan_make(&mp, &hp, 300, 512, LC_F16, &e) == LC_OK &&
	    mp.kv == 18ULL * 300 * (512 + 512), "gemma3 short ctx KV");
	lc_gguf_close(g);

	g = make("llama", F_ARRFF);
	CHECK(lc_hparams_gguf(&hp, g, &e) == LC_OK && hp.n_ff == 300,
	    "per-layer feed_forward_length: largest");
	lc_gguf_close(g);

	expect_err("llama", F_NOLAYERS, "key 'llama.block_count' missing");
	expect_err("llama", F_BADKV, "9 heads are not a multiple of 2 KV heads");
	expect_err("llama", F_STRLAYERS, "key 'llama.block_count': string");
	expect_err("llama", F_HUGE, "out of range");

	/* bert from config.json: an encoder, no KV cache */
	if ((fp = fopen(path, "w")) == NULL)
		return 1;
	fputs("{\"model_type\":\"bert\",\"hidden_size\":384,"
	    "\"num_hidden_layers\":6,\"num_attention_heads\":12,"
	    "\"intermediate_size\":1536,\"max_position_embeddings\":512,"
	    "\"vocab_size\":30522,\"layer_norm_eps\":1e-12}", fp);
	fclose(fp);
	CHECK(lc_hparams_hf(&hp, path, NULL, &e) == LC_OK && !hp.causal &&
	    hp.head_dim_k == 32 && hp.n_ctx_train == 512 && hp.n_layer == 6,
	    "bert config: %s", e.msg);
	CHECK(lc_memplan_make(&mp, &hp, 128, 512, LC_F16, &e) == LC_OK &&
	    mp.kv == 0 && mp.batch == 128, "bert: no KV, whole sequence");
	if ((fp = fopen(path, "w")) == NULL)
		return 1;
	fputs("{\"model_type\":\"bert\",\"hidden_size\":-1}", fp);
	fclose(fp);
	CHECK(lc_hparams_hf(&hp, path, NULL, &e) == LC_EFORMAT &&
	    strstr(e.msg, "\"num_hidden_layers\" missing") != NULL,
	    "bad config: %s", e.msg);
	unlink(path);
	return DONE("t_hparams");
}
