/*
 * llama_logits - teacher-forced next-token predictions of llama.cpp, the
 * oracle for llm-run's forward pass.  Reads texts (one JSON-escaped
 * string per line is not needed: one text per line, "\n" written as the
 * two characters \n), tokenizes each with llama.cpp (add_special as the
 * model says, parse_special off), evaluates the whole sequence with
 * logits at every position, and writes one JSON line per text:
 *   {"ids":[...],"top1":[...],"margin":[...],"logits":{"POS":[...]}}
 * where top1[i] is the argmax after ids[0..i], margin[i] how far it is
 * above the runner-up (logit difference, 4 decimals) and logits holds
 * the full logit vector at a few positions (first, middle, last).
 * LLAMA_LOGITS_UBATCH=N sets the micro-batch (default 512; 1 makes
 * llama.cpp evaluate the text one token at a time, through its
 * matrix-vector kernels instead of its matrix-matrix ones).
 *
 * usage: llama_logits MODEL TEXTS [n_threads]
 * Built against llama.cpp from the llama-cpp-python sdist; see README.
 * Flash attention is off and the KV cache f32, so the reference is the
 * plain attention path.
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
	struct llama_batch batch;
	llama_token ids[4096];
	int n, i, j, nv, best, second, k;
	float *lg;
	FILE *fp;

	if (argc < 3) {
		fprintf(stderr, "usage: llama_logits MODEL TEXTS [threads]\n");
		return 2;
	}
	llama_backend_init();
	if ((model = llama_model_load_from_file(argv[1], mp)) == NULL)
		return 1;
	vocab = llama_model_get_vocab(model);
	nv = llama_vocab_n_tokens(vocab);
	cp.n_ctx = 4096;
	cp.n_batch = 4096;
	cp.n_ubatch = getenv("LLAMA_LOGITS_UBATCH") ?
	    atoi(getenv("LLAMA_LOGITS_UBATCH")) : 512;
	cp.n_threads = cp.n_threads_batch = argc > 3 ? atoi(argv[3]) : 2;
	cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
	cp.type_k = GGML_TYPE_F32;
	cp.type_v = GGML_TYPE_F32;
	if ((ctx = llama_init_from_model(model, cp)) == NULL)
		return 1;
	if ((fp = fopen(argv[2], "r")) == NULL)
		return 1;
	batch = llama_batch_init(4096, 0, 1);
	while (fgets(line, sizeof(line), fp) != NULL) {
		unescape(line);
		n = llama_tokenize(vocab, line, (int)strlen(line), ids, 4096,
		    true, false);
		if (n <= 1)
			continue;
		llama_memory_clear(llama_get_memory(ctx), true);
		batch.n_tokens = n;
		for (i = 0; i < n; i++) {
			batch.token[i] = ids[i];
			batch.pos[i] = i;
			batch.n_seq_id[i] = 1;
			batch.seq_id[i][0] = 0;
			batch.logits[i] = 1;
		}
		if (llama_decode(ctx, batch) != 0)
			return 1;
		printf("{\"ids\":[");
		for (i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", ids[i]);
		printf("],\"top1\":[");
		for (i = 0; i < n; i++) {
			lg = llama_get_logits_ith(ctx, i);
			for (best = 0, j = 1; j < nv; j++)
				if (lg[j] > lg[best])
					best = j;
			printf("%s%d", i ? "," : "", best);
		}
		printf("],\"margin\":[");
		for (i = 0; i < n; i++) {
			lg = llama_get_logits_ith(ctx, i);
			for (best = 0, j = 1; j < nv; j++)
				if (lg[j] > lg[best])
					best = j;
			for (second = -1, j = 0; j < nv; j++)
				if (j != best && (second < 0 ||
				    lg[j] > lg[second]))
					second = j;
			printf("%s%.4f", i ? "," : "",
			    (double)(lg[best] - lg[second]));
		}
		printf("],\"logits\":{");
		for (k = 0; k < 3; k++) {
			i = k == 0 ? 0 : k == 1 ? n / 2 : n - 1;
			lg = llama_get_logits_ith(ctx, i);
			printf("%s\"%d\":[", k ? "," : "", i);
			for (j = 0; j < nv; j++)
				printf("%s%.9g", j ? "," : "", lg[j]);
			printf("]");
		}
		printf("}}\n");
	}
	llama_batch_free(batch);
	llama_free(ctx);
	llama_model_free(model);
	return 0;
}
