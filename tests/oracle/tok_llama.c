/*
 * tok_llama.c - llama.cpp as a second oracle for the tokenizer goldens:
 * tokenizes every line of a strings file (tests/golden/tok/corpus.txt,
 * gemma3_extra.txt) with llama.cpp's llama_tokenize (vocab only,
 * add_special false, parse_special false then true) and prints "OFF|ON"
 * lines in the format of smollm.ids and gemma3.ids.
 *
 *   L=/tmp/lcp/llama_cpp_python-0.3.36/vendor/llama.cpp
 *   cc -O1 -I$L/include -I$L/ggml/include -o /tmp/tok_llama \
 *       tests/oracle/tok_llama.c -L/tmp/llama-build/bin -lllama \
 *       -Wl,-rpath,/tmp/llama-build/bin
 *   python3 -c 'import json,struct,sys
 *   for l in open("tests/golden/tok/corpus.txt"):
 *       b = json.loads(l).encode()
 *       sys.stdout.buffer.write(struct.pack("<I", len(b)) + b)' |
 *       /tmp/tok_llama MODEL.gguf > /tmp/llama.ids
 *   diff tests/golden/tok/smollm.ids /tmp/llama.ids
 *
 * For Gemma 3 write /tmp/spm/llama.ids (corpus.txt) and
 * /tmp/spm/llama_extra.ids (gemma3_extra.txt) the same way; then
 * tok_spm.py --compare counts the agreement.
 *
 * Input: each string as a little-endian u32 byte count, then its UTF-8.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llama.h"

static void
quiet(enum ggml_log_level level, const char *text, void *ud)
{
	(void)level;
	(void)text;
	(void)ud;
}

int
main(int argc, char *argv[])
{
	struct llama_model_params mp;
	struct llama_model *m;
	const struct llama_vocab *v;
	static char buf[1 << 20];
	static llama_token ids[1 << 20];
	unsigned char hdr[4];
	size_t len;
	int ps, n, i;

	if (argc != 2) {
		fprintf(stderr, "usage: tok_llama model.gguf < strings\n");
		return 2;
	}
	llama_log_set(quiet, NULL);
	llama_backend_init();
	mp = llama_model_default_params();
	mp.vocab_only = 1;
	if ((m = llama_model_load_from_file(argv[1], mp)) == NULL)
		return 1;
	v = llama_model_get_vocab(m);
	while (fread(hdr, 1, 4, stdin) == 4) {
		len = (size_t)hdr[0] | (size_t)hdr[1] << 8 |
		    (size_t)hdr[2] << 16 | (size_t)hdr[3] << 24;
		if (len > sizeof(buf) || fread(buf, 1, len, stdin) != len)
			return 1;
		for (ps = 0; ps < 2; ps++) {
			n = llama_tokenize(v, buf, (int32_t)len, ids,
			    (int32_t)(sizeof(ids) / sizeof(ids[0])), 0, ps);
			for (i = 0; i < n; i++)
				printf(i ? " %d" : "%d", ids[i]);
			putchar(ps ? '\n' : '|');
		}
	}
	llama_model_free(m);
	return 0;
}
