/*
 * mkmodel - write a tiny llama-shaped GGUF model with libcore's own
 * writer: 2 layers, embedding 256, random weights from a fixed seed,
 * several tensor types.  The fixture of the unit and CLI tests.
 *
 * usage: mkmodel [-x|-f] out.gguf
 *
 * -x writes a valid file with awkward contents instead: a string value
 * with invalid UTF-8 and terminal escapes, NaN and infinite metadata, and
 * a weight tensor holding NaN and Inf (for llm-inspect --check).
 *
 * -f writes the source model of the llm-quant tests: every tensor F32,
 * 4 layers, embedding 256, feed-forward 320 (so ffn_down rows do not
 * divide into 256-blocks), 4 heads sharing 1 KV head, an untied output,
 * the default alignment, and an all-zero first embedding row.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../libcore/dtype.h"
#include "../../libcore/gguf.h"

#define N_EMBD	256
#define N_FF	512
#define N_LAYER	2
#define N_HEAD	4
#define N_HEADKV 2
#define N_VOCAB	64

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static void *bufs[64];		/* tensor data, borrowed by the writer */
static int nbufs;

static float
frand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (float)((rng >> 11) * (1.0 / 9007199254740992.0)) * 2 - 1;
}

static void
fail(const lc_err *e)
{
	fprintf(stderr, "mkmodel: %s\n", e->msg);
	exit(1);
}

/* Random weights of ne0 x ne1, quantized to dtype; kept until exit. */
static void
tensor(lc_gguf_writer *w, const char *name, uint32_t dtype, uint64_t ne0,
    uint64_t ne1, float scale)
{
	const lc_dtype_traits *tr = lc_dtype(dtype);
	uint64_t ne[4] = { ne0, ne1, 1, 1 }, nbytes, i;
	float *x;
	void *q;
	lc_err e;

	if (lc_dtype_nbytes(dtype, ne, &nbytes) != 0 ||
	    (x = malloc(ne0 * ne1 * sizeof(*x))) == NULL ||
	    (q = malloc(nbytes)) == NULL) {
		fprintf(stderr, "mkmodel: %s: cannot size\n", name);
		exit(1);
	}
	for (i = 0; i < ne0 * ne1; i++)
		x[i] = scale == 0 ? 1.0f : frand() * scale;
	tr->from_float(x, q, (int64_t)(ne0 * ne1));
	free(x);
	bufs[nbufs++] = q;
	if (lc_gguf_w_tensor(w, name, dtype, ne1 > 1 ? 2 : 1, ne, q, &e) !=
	    LC_OK)
		fail(&e);
}

static int
awkward(const char *path)
{
	float w[64], nan[2] = { NAN, -INFINITY };
	uint64_t ne[4] = { 64, 1, 1, 1 };
	lc_gguf_writer *w_;
	lc_err e;
	int i;

	for (i = 0; i < 64; i++)
		w[i] = (float)i;
	w[5] = NAN;
	w[9] = INFINITY;
	if (lc_gguf_writer_new(&w_, &e) != LC_OK ||
	    lc_gguf_w_str(w_, "general.architecture", "llama", &e) != LC_OK ||
	    lc_gguf_w_str(w_, "general.name", "bad \xff\xfe utf-8, "
	    "\x1b[31mred\x1b[0m, \xc2\x9b csi", &e) != LC_OK ||
	    lc_gguf_w_f32(w_, "test.nan", NAN, &e) != LC_OK ||
	    lc_gguf_w_arr(w_, "test.inf", LC_GGUF_F32, nan, 2, &e) != LC_OK ||
	    lc_gguf_w_tensor(w_, "weights", LC_F32, 1, ne, w, &e) != LC_OK ||
	    lc_gguf_writer_write(w_, path, &e) != LC_OK)
		fail(&e);
	lc_gguf_writer_free(w_);
	return 0;
}

/* The llm-quant source model (-f): plain F32 weights, see the top. */
static int
f32model(const char *path)
{
	static const char *const tokens[] = { "<s>", "</s>", "a", "b" };
	const uint32_t embd = 256, ff = 320, nl = 4, kv = 64, vocab = 64;
	char name[64];
	lc_gguf_writer *w;
	lc_err e;
	uint32_t l;

	if (lc_gguf_writer_new(&w, &e) != LC_OK ||
	    lc_gguf_w_str(w, "general.architecture", "llama", &e) != LC_OK ||
	    lc_gguf_w_str(w, "general.name", "tiny f32", &e) != LC_OK ||
	    lc_gguf_w_u32(w, "general.file_type", 0, &e) != LC_OK ||
	    lc_gguf_w_u32(w, "llama.block_count", nl, &e) != LC_OK ||
	    lc_gguf_w_u32(w, "llama.context_length", 256, &e) != LC_OK ||
	    lc_gguf_w_u32(w, "llama.embedding_length", embd, &e) != LC_OK ||
	    lc_gguf_w_u32(w, "llama.feed_forward_length", ff, &e) != LC_OK ||
	    lc_gguf_w_u32(w, "llama.attention.head_count", 4, &e) != LC_OK ||
	    lc_gguf_w_u32(w, "llama.attention.head_count_kv", 1, &e) != LC_OK ||
	    lc_gguf_w_f32(w, "llama.rope.freq_base", 10000.0f, &e) != LC_OK ||
	    lc_gguf_w_f32(w, "llama.attention.layer_norm_rms_epsilon", 1e-5f,
	    &e) != LC_OK ||
	    lc_gguf_w_str(w, "tokenizer.ggml.model", "gpt2", &e) != LC_OK ||
	    lc_gguf_w_arr_str(w, "tokenizer.ggml.tokens", tokens, NULL, 4,
	    &e) != LC_OK)
		fail(&e);
	tensor(w, "token_embd.weight", LC_F32, embd, vocab, 0.5f);
	memset(bufs[nbufs - 1], 0, embd * sizeof(float));
	for (l = 0; l < nl; l++) {
#define T(nm, a, b, s) \
	snprintf(name, sizeof(name), "blk.%u." nm ".weight", l); \
	tensor(w, name, LC_F32, a, b, s)
		T("attn_norm", embd, 1, 0);
		T("attn_q", embd, embd, 0.1f);
		T("attn_k", embd, kv, 0.1f);
		T("attn_v", embd, kv, 0.1f);
		T("attn_output", embd, embd, 0.1f);
		T("ffn_norm", embd, 1, 0);
		T("ffn_gate", embd, ff, 0.1f);
		T("ffn_up", embd, ff, 0.1f);
		T("ffn_down", ff, embd, 0.05f);
#undef T
	}
	tensor(w, "output_norm.weight", LC_F32, embd, 1, 0);
	tensor(w, "output.weight", LC_F32, embd, vocab, 0.1f);
	if (lc_gguf_writer_write(w, path, &e) != LC_OK)
		fail(&e);
	lc_gguf_writer_free(w);
	while (nbufs > 0)
		free(bufs[--nbufs]);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const char tmpl[] = "{% for message in messages %}"
	    "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + "
	    "'<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}"
	    "{{ '<|im_start|>assistant\n' }}{% endif %}";
	const char *tokens[N_VOCAB];
	char buf[N_VOCAB][8], name[64];
	int32_t types[N_VOCAB];
	lc_gguf_writer *w;
	lc_err e;
	int i, l;

	if (argc == 3 && strcmp(argv[1], "-x") == 0)
		return awkward(argv[2]);
	if (argc == 3 && strcmp(argv[1], "-f") == 0)
		return f32model(argv[2]);
	if (argc != 2) {
		fprintf(stderr, "usage: mkmodel [-x|-f] out.gguf\n");
		return 2;
	}
	for (i = 0; i < N_VOCAB; i++) {
		if (i < 3)
			snprintf(buf[i], sizeof(buf[i]), "%s",
			    (const char *[]){ "<|e|>", "<|s|>", "<|n|>" }[i]);
		else
			snprintf(buf[i], sizeof(buf[i]), "%c", 'A' + (i - 3) % 58);
		tokens[i] = buf[i];
		types[i] = i < 3 ? 3 : 1;
	}
	if (lc_gguf_writer_new(&w, &e) != LC_OK ||
	    lc_gguf_w_str(w, "general.architecture", "llama", &e) != LC_OK ||
	    lc_gguf_w_str(w, "general.name", "tiny llama", &e) != LC_OK ||
	    lc_gguf_w_u32(w, "general.alignment", 64, &e) != LC_OK ||
	    lc_gguf_w_u32(w, "llama.block_count", N_LAYER, &e) != LC_OK ||
	    lc_gguf_w_u32(w, "llama.context_length", 256, &e) != LC_OK ||
	    lc_gguf_w_u32(w, "llama.embedding_length", N_EMBD, &e) != LC_OK ||
	    lc_gguf_w_u32(w, "llama.feed_forward_length", N_FF, &e) != LC_OK ||
	    lc_gguf_w_u32(w, "llama.attention.head_count", N_HEAD, &e) !=
	    LC_OK ||
	    lc_gguf_w_u32(w, "llama.attention.head_count_kv", N_HEADKV, &e) !=
	    LC_OK ||
	    lc_gguf_w_f32(w, "llama.rope.freq_base", 10000.0f, &e) != LC_OK ||
	    lc_gguf_w_f32(w, "llama.attention.layer_norm_rms_epsilon", 1e-5f,
	    &e) != LC_OK ||
	    lc_gguf_w_str(w, "tokenizer.ggml.model", "gpt2", &e) != LC_OK ||
	    lc_gguf_w_str(w, "tokenizer.ggml.pre", "smollm", &e) != LC_OK ||
	    lc_gguf_w_arr_str(w, "tokenizer.ggml.tokens", tokens, NULL,
	    N_VOCAB, &e) != LC_OK ||
	    lc_gguf_w_arr(w, "tokenizer.ggml.token_type", LC_GGUF_I32, types,
	    N_VOCAB, &e) != LC_OK ||
	    lc_gguf_w_u32(w, "tokenizer.ggml.bos_token_id", 1, &e) != LC_OK ||
	    lc_gguf_w_u32(w, "tokenizer.ggml.eos_token_id", 2, &e) != LC_OK ||
	    lc_gguf_w_bool(w, "tokenizer.ggml.add_bos_token", 0, &e) != LC_OK ||
	    lc_gguf_w_str(w, "tokenizer.chat_template", tmpl, &e) != LC_OK)
		fail(&e);
	tensor(w, "token_embd.weight", LC_Q8_0, N_EMBD, N_VOCAB, 0.5f);
	for (l = 0; l < N_LAYER; l++) {
#define T(nm, dt, a, b, s) \
	snprintf(name, sizeof(name), "blk.%d." nm ".weight", l); \
	tensor(w, name, dt, a, b, s)
		T("attn_norm", LC_F32, N_EMBD, 1, 0);
		T("attn_q", LC_Q4_K, N_EMBD, N_EMBD, 0.1f);
		T("attn_k", LC_Q4_0, N_EMBD, N_EMBD / N_HEAD * N_HEADKV, 0.1f);
		T("attn_v", LC_Q6_K, N_EMBD, N_EMBD / N_HEAD * N_HEADKV, 0.1f);
		T("attn_output", LC_Q5_0, N_EMBD, N_EMBD, 0.1f);
		T("ffn_norm", LC_F32, N_EMBD, 1, 0);
		T("ffn_gate", LC_Q4_1, N_EMBD, N_FF, 0.1f);
		T("ffn_up", LC_Q5_1, N_EMBD, N_FF, 0.1f);
		T("ffn_down", LC_F16, N_FF, N_EMBD, 0.05f);
#undef T
	}
	tensor(w, "output_norm.weight", LC_F32, N_EMBD, 1, 0);
	tensor(w, "output.weight", LC_BF16, N_EMBD, N_VOCAB, 0.1f);
	if (lc_gguf_writer_write(w, argv[1], &e) != LC_OK)
		fail(&e);
	lc_gguf_writer_free(w);
	while (nbufs > 0)
		free(bufs[--nbufs]);
	return 0;
}
