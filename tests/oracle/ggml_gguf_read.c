/*
 * ggml_gguf_read - read a GGUF file with ggml's own reader
 * (gguf_init_from_file, data loaded) and print what it found, in the
 * shape of llm-inspect --diffable's records plus an FNV-1a hash of each
 * tensor's bytes.  Oracle for our writer: a file llmutils writes must
 * load here.  Built against ggml-base from the llama-cpp-python sdist
 * (see README); never part of the build or CI.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ggml.h"
#include "gguf.h"

int
main(int argc, char *argv[])
{
	struct ggml_context *ctx = NULL;
	struct gguf_init_params p = { .no_alloc = false, .ctx = &ctx };
	struct gguf_context *g;
	int64_t i, n;

	if (argc != 2 || (g = gguf_init_from_file(argv[1], p)) == NULL) {
		fprintf(stderr, "ggml could not read %s\n", argc > 1 ? argv[1] : "");
		return 1;
	}
	printf("version %u kv %" PRId64 " tensors %" PRId64 " alignment %zu\n",
	    gguf_get_version(g), gguf_get_n_kv(g), gguf_get_n_tensors(g),
	    gguf_get_alignment(g));
	for (i = 0; i < gguf_get_n_kv(g); i++)
		printf("kv %s %s\n", gguf_get_key(g, i),
		    gguf_type_name(gguf_get_kv_type(g, i)));
	n = gguf_get_n_tensors(g);
	for (i = 0; i < n; i++) {
		struct ggml_tensor *t = ggml_get_tensor(ctx,
		    gguf_get_tensor_name(g, i));
		const unsigned char *d = t->data;
		uint64_t h = 14695981039346656037ULL;
		size_t k;
		for (k = 0; k < ggml_nbytes(t); k++)
			h = (h ^ d[k]) * 1099511628211ULL;
		printf("tensor %s %s [%" PRId64 ",%" PRId64 ",%" PRId64 ",%"
		    PRId64 "] offset %zu fnv %016" PRIx64 "\n", t->name,
		    ggml_type_name(t->type), t->ne[0], t->ne[1], t->ne[2],
		    t->ne[3], gguf_get_tensor_offset(g, i), h);
	}
	gguf_free(g);
	ggml_free(ctx);
	return 0;
}
