/*
 * llama_greedy - llama.cpp's greedy continuations, the oracle for
 * llm-run's generation.  For each line of PROMPTS (a prompt already
 * rendered with the chat template, "\n" written as \n), tokenizes it
 * with special tokens parsed, then takes the argmax N times (stopping at
 * an end-of-generation token) and prints
 *   {"prompt_ids":[...],"ids":[...],"margin":[...]}
 * where margin[k] is how far ids[k] led the runner-up (logits).
 * Flash attention off, f32 KV cache, as llama_logits.c.
 *
 * usage: llama_greedy MODEL PROMPTS N [threads]
 * LLAMA_GREEDY_UBATCH=N sets the micro-batch of the prompt (default 512).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llama.h"

static void
unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*d++ = '\n';
			s++;
		} else if (s[0] == '\\' && s[1] == '\\') {
			*d++ = '\\';
			s++;
		} else if (*s != '\n') {
			*d++ = *s;
		}
	}
	*d = '\0';
}

int
main(int argc, char *argv[])
{
	static char line[1 << 16];
	struct llama_model_params mp = llama_model_default_params();
	struct llama_context_params cp = llama_context_default_params();
	const struct llama_vocab *vocab;
	struct llama_model *model;
	struct llama_context *ctx;
	llama_token ids[4096], out[4096], tok;
	static float margin[4096];
	int n, i, j, k, nv, nmax, second;
	float *lg;
	FILE *fp;

	if (argc < 4)
		return 2;
	if ((nmax = atoi(argv[3])) > 4096)
		nmax = 4096;
	llama_backend_init();
	if ((model = llama_model_load_from_file(argv[1], mp)) == NULL)
		return 1;
	vocab = llama_model_get_vocab(model);
	nv = llama_vocab_n_tokens(vocab);
	cp.n_ctx = 4096;
	cp.n_batch = 4096;
	cp.n_ubatch = getenv("LLAMA_GREEDY_UBATCH") ?
	    atoi(getenv("LLAMA_GREEDY_UBATCH")) : 512;
	cp.n_threads = cp.n_threads_batch = argc > 4 ? atoi(argv[4]) : 2;
	cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
	cp.type_k = GGML_TYPE_F32;
	cp.type_v = GGML_TYPE_F32;
	if ((ctx = llama_init_from_model(model, cp)) == NULL ||
	    (fp = fopen(argv[2], "r")) == NULL)
		return 1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		unescape(line);
		n = llama_tokenize(vocab, line, (int)strlen(line), ids, 4096,
		    true, true);
		llama_memory_clear(llama_get_memory(ctx), true);
		if (llama_decode(ctx, llama_batch_get_one(ids, n)) != 0)
			return 1;
		printf("{\"prompt_ids\":[");
		for (i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", ids[i]);
		for (k = 0; k < nmax; k++) {
			lg = llama_get_logits_ith(ctx, -1);
			for (tok = 0, j = 1; j < nv; j++)
				if (lg[j] > lg[tok])
					tok = j;
			for (second = -1, j = 0; j < nv; j++)
				if (j != tok && (second < 0 ||
				    lg[j] > lg[second]))
					second = j;
			if (llama_vocab_is_eog(vocab, tok))
				break;
			out[k] = tok;
			margin[k] = lg[tok] - lg[second];
			if (llama_decode(ctx, llama_batch_get_one(&tok, 1)) != 0)
				return 1;
		}
		printf("],\"ids\":[");
		for (i = 0; i < k; i++)
			printf("%s%d", i ? "," : "", out[i]);
		printf("],\"margin\":[");
		for (i = 0; i < k; i++)
			printf("%s%.4f", i ? "," : "", (double)margin[i]);
		printf("]}\n");
		fflush(stdout);
	}
	llama_free(ctx);
	llama_model_free(model);
	return 0;
}
