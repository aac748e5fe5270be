/*
 * fuzz_gguf.c - libFuzzer target for the GGUF reader.
 *
 * Opens the input with lc_gguf_open_mem() and, when it is accepted,
 * walks everything a consumer could touch: every kv through every
 * getter, the typed getters on common keys, every tensor by index and
 * by name, and the first and last byte of each tensor's data.  Build
 * and run: see tests/fuzz/README.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../libcore/gguf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t sink;

static void
touch(const void *p, size_t n)
{
	const uint8_t *b = p;

	if (n > 0)
		sink += b[0] + b[n - 1];
}

static void
walk_kv(const lc_gguf *g, uint64_t i)
{
	lc_gguf_str_iter it;
	lc_gguf_kv kv, kv2;
	const char *s;
	uint64_t j, u;
	int64_t v;
	double d;
	size_t len;
	char *key;

	lc_gguf_kv_at(g, i, &kv);
	touch(kv.key, kv.keylen);
	touch(kv.data, (size_t)kv.nbytes);
	sink += strlen(lc_gguf_type_name(kv.type)) +
	    lc_gguf_type_size(kv.elem_type);
	for (j = 0; j < kv.n; j++) {
		if (lc_gguf_kv_u64(&kv, j, &u) == 0)
			sink += u;
		if (lc_gguf_kv_i64(&kv, j, &v) == 0)
			sink += (uint64_t)v;
		if (lc_gguf_kv_f64(&kv, j, &d) == 0)
			sink += d == d;
	}
	/* out of range must be refused */
	if (lc_gguf_kv_u64(&kv, kv.n, &u) == 0 ||
	    lc_gguf_kv_i64(&kv, kv.n, &v) == 0 ||
	    lc_gguf_kv_f64(&kv, kv.n, &d) == 0)
		abort();
	lc_gguf_kv_strs(&kv, &it);
	j = 0;
	while (lc_gguf_str_next(&it, &s, &len)) {
		touch(s, len);
		j++;
	}
	if (kv.elem_type == LC_GGUF_STRING && j != kv.n)
		abort();
	/* a key found by its own name is this kv (keys are unique) */
	if (memchr(kv.key, '\0', kv.keylen) != NULL)
		abort();
	if ((key = malloc(kv.keylen + 1)) == NULL)
		return;
	memcpy(key, kv.key, kv.keylen);
	key[kv.keylen] = '\0';
	if (lc_gguf_find_kv(g, key, &kv2) != LC_OK || kv2.offset != kv.offset)
		abort();
	free(key);
}

static void
walk_getters(const lc_gguf *g)
{
	static const char *const keys[] = {
		"general.architecture", "general.alignment", "general.name",
		"general.file_type", "llama.block_count",
		"llama.context_length", "llama.embedding_length",
		"llama.attention.layer_norm_rms_epsilon",
		"tokenizer.ggml.model", "tokenizer.ggml.tokens",
		"tokenizer.ggml.scores", "tokenizer.ggml.add_bos_token",
		"tokenizer.chat_template", "a", "",
	};
	const char *s;
	uint64_t u;
	int64_t v;
	double d;
	size_t k, len;
	lc_err e;
	int b;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		if (lc_gguf_get_u64(g, keys[k], &u, &e) == LC_OK)
			sink += u;
		if (lc_gguf_get_i64(g, keys[k], &v, &e) == LC_OK)
			sink += (uint64_t)v;
		if (lc_gguf_get_f64(g, keys[k], &d, &e) == LC_OK)
			sink += d == d;
		if (lc_gguf_get_bool(g, keys[k], &b, &e) == LC_OK)
			sink += (uint64_t)b;
		if (lc_gguf_get_str(g, keys[k], &s, &len, &e) == LC_OK)
			touch(s, len);
	}
}

static void
walk_tensor(const lc_gguf *g, uint64_t i)
{
	lc_tensor_info t, t2;
	char name[LC_GGUF_MAX_NAME + 1];

	lc_gguf_tensor(g, i, &t);
	if (t.namelen > LC_GGUF_MAX_NAME || t.ndim > 4)
		abort();
	touch(t.name, t.namelen);
	touch(t.data, (size_t)t.nbytes);
	if (t.offset + t.nbytes > lc_gguf_data_size(g))
		abort();
	memcpy(name, t.name, t.namelen);
	name[t.namelen] = '\0';
	if (lc_gguf_find_tensor(g, name, &t2) != LC_OK || t2.data != t.data ||
	    t2.nbytes != t.nbytes)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lc_tensor_info t;
	lc_gguf *g;
	lc_err e;
	uint64_t i;

	if (lc_gguf_open_mem(&g, data, size, "fuzz", &e) != LC_OK) {
		if (g != NULL || e.msg[0] == '\0' ||
		    strchr(e.msg, '\n') != NULL)
			abort();
		return 0;
	}
	sink += lc_gguf_version(g) + lc_gguf_alignment(g) + lc_gguf_size(g) +
	    lc_gguf_data_offset(g) + lc_gguf_data_size(g) +
	    strlen(lc_gguf_name(g));
	if (lc_gguf_data_offset(g) + lc_gguf_data_size(g) > size)
		abort();
	for (i = 0; i < lc_gguf_nkv(g); i++)
		walk_kv(g, i);
	walk_getters(g);
	for (i = 0; i < lc_gguf_ntensors(g); i++)
		walk_tensor(g, i);
	if (lc_gguf_find_tensor(g, "no such tensor name", &t) == LC_OK)
		touch(t.data, (size_t)t.nbytes);
	lc_gguf_close(g);
	return 0;
}
