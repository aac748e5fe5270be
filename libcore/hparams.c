/* hparams.c - hyper-parameters from GGUF or config.json; memory plans. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "dtype.h"
#include "hparams.h"

/* Architectures that attend both ways (no KV cache). */
static const char *const encoders[] = {
	"bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "neo-bert",
	"modern-bert", "t5encoder",
};

/*
 * Sliding-window layer patterns that llama.cpp hard-codes per
 * architecture when the file does not say (set_swa_pattern): every
 * n-th layer is global, the others use the window.
 */
static const struct {
	const char	*arch;
	uint32_t	 every;
} swa_patterns[] = {
	{ "gemma2", 2 }, { "gemma3", 6 }, { "gemma3n", 5 }, { "cohere2", 4 },
};

static int
is_encoder(const char *arch)
{
	size_t i;

	for (i = 0; i < sizeof(encoders) / sizeof(encoders[0]); i++)
		if (strcmp(arch, encoders[i]) == 0)
			return 1;
	return 0;
}

/*
 * {arch}.suffix as a u32 in [lo, hi]: a scalar, or an array with one
 * value per layer (the largest is taken).  LC_ENOTFOUND if absent.
 */
static int
getu32(const lc_gguf *g, const char *arch, const char *suffix, uint32_t lo,
    uint32_t hi, uint32_t *out, lc_err *e)
{
	char key[160];
	lc_gguf_kv kv;
	uint64_t v, max = 0, i;

	snprintf(key, sizeof(key), "%s.%s", arch, suffix);
	if (lc_gguf_find_kv(g, key, &kv) != LC_OK)
		return LC_ENOTFOUND;
	if (kv.n == 0)
		return lc_errf(e, LC_EFORMAT, "%s: key '%s': empty array",
		    lc_gguf_name(g), key);
	for (i = 0; i < kv.n; i++) {
		if (lc_gguf_kv_u64(&kv, i, &v) != 0)
			return lc_errf(e, LC_EFORMAT, "%s: key '%s': %s, "
			    "expected a non-negative integer", lc_gguf_name(g),
			    key, lc_gguf_type_name(kv.elem_type));
		if (v < lo || v > hi)
			return lc_errf(e, LC_EFORMAT, "%s: key '%s': %llu out "
			    "of range [%u, %u]", lc_gguf_name(g), key,
			    (unsigned long long)v, lo, hi);
		if (v > max)
			max = v;
	}
	*out = (uint32_t)max;
	return LC_OK;
}

/* An expert tensor: "blk.N.ffn_up_exps.weight" and the like. */
static int
has_exps(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i + 5 <= n; i++)
		if (memcmp(name + i, "_exps", 5) == 0)
			return 1;
	return 0;
}

static int
getf64(const lc_gguf *g, const char *arch, const char *suffix, double *out,
    lc_err *e)
{
	char key[160];

	snprintf(key, sizeof(key), "%s.%s", arch, suffix);
	return lc_gguf_get_f64(g, key, out, e);
}

/* Shared checks once the numbers are in. */
static int
validate(lc_hparams *hp, const char *file, lc_err *e)
{
	uint32_t i;

	if (hp->n_head_kv == 0 || hp->n_head % hp->n_head_kv != 0)
		return lc_errf(e, LC_EFORMAT, "%s: %u heads are not a multiple "
		    "of %u KV heads", file, hp->n_head, hp->n_head_kv);
	if (hp->head_dim_k == 0 || hp->head_dim_v == 0)
		return lc_errf(e, LC_EFORMAT, "%s: embedding %u does not "
		    "divide into %u heads and no key_length is given", file,
		    hp->n_embd, hp->n_head);
	if (hp->n_expert_used > hp->n_expert)
		return lc_errf(e, LC_EFORMAT, "%s: %u experts used of %u",
		    file, hp->n_expert_used, hp->n_expert);
	hp->causal = !is_encoder(hp->arch);
	if (hp->n_swa == 0)
		memset(hp->swa_layer, 0, sizeof(hp->swa_layer));
	for (i = 0; i < sizeof(swa_patterns) / sizeof(swa_patterns[0]); i++)
		if (hp->n_swa > 0 && strcmp(hp->arch, swa_patterns[i].arch) == 0)
			for (uint32_t l = 0; l < hp->n_layer; l++)
				hp->swa_layer[l] =
				    (l + 1) % swa_patterns[i].every != 0;
	return LC_OK;
}

int
lc_hparams_gguf(lc_hparams *hp, const lc_gguf *g, lc_err *e)
{
	const char *file = lc_gguf_name(g), *s;
	char key[160];
	lc_tensor_info ti;
	lc_gguf_kv kv;
	size_t len;
	uint64_t i, exp_params = 0;
	int rc, b;

	memset(hp, 0, sizeof(*hp));
	if ((rc = lc_gguf_get_str(g, "general.architecture", &s, &len, e)) !=
	    LC_OK) {
		if (rc == LC_ENOTFOUND)
			lc_errf(e, rc, "%s: key 'general.architecture' missing",
			    file);
		return rc;
	}
	if (len == 0 || len >= sizeof(hp->arch) || memchr(s, '\0', len))
		return lc_errf(e, LC_EFORMAT, "%s: key 'general.architecture': "
		    "bad name of %zu bytes", file, len);
	memcpy(hp->arch, s, len);
#define REQ(suffix, lo, hi, dst) do { \
	rc = getu32(g, hp->arch, suffix, lo, hi, dst, e); \
	if (rc == LC_ENOTFOUND) \
		return lc_errf(e, rc, "%s: key '%s.%s' missing", file, \
		    hp->arch, suffix); \
	if (rc != LC_OK) \
		return rc; \
} while (0)
#define OPT(suffix, lo, hi, dst) do { \
	rc = getu32(g, hp->arch, suffix, lo, hi, dst, e); \
	if (rc != LC_OK && rc != LC_ENOTFOUND) \
		return rc; \
} while (0)
	REQ("block_count", 1, LC_MAX_LAYERS, &hp->n_layer);
	REQ("embedding_length", 1, 1u << 20, &hp->n_embd);
	REQ("attention.head_count", 1, 1u << 14, &hp->n_head);
	hp->n_head_kv = hp->n_head;
	OPT("attention.head_count_kv", 1, 1u << 14, &hp->n_head_kv);
	OPT("feed_forward_length", 0, 1u << 24, &hp->n_ff);
	OPT("context_length", 1, LC_MAX_CTX, &hp->n_ctx_train);
	hp->head_dim_k = hp->n_embd % hp->n_head == 0 ?
	    hp->n_embd / hp->n_head : 0;
	OPT("attention.key_length", 1, 1u << 16, &hp->head_dim_k);
	hp->head_dim_v = hp->head_dim_k;
	OPT("attention.value_length", 1, 1u << 16, &hp->head_dim_v);
	OPT("attention.sliding_window", 0, LC_MAX_CTX, &hp->n_swa);
	OPT("expert_count", 0, 1u << 16, &hp->n_expert);
	OPT("expert_used_count", 0, 1u << 16, &hp->n_expert_used);
	OPT("expert_feed_forward_length", 0, 1u << 24, &hp->n_ff_exp);
	OPT("vocab_size", 1, 1u << 24, &hp->n_vocab);
#undef REQ
#undef OPT
	if ((rc = getf64(g, hp->arch, "rope.freq_base", &hp->rope_base, e)) !=
	    LC_OK && rc != LC_ENOTFOUND)
		return rc;
	if ((rc = getf64(g, hp->arch, "attention.layer_norm_rms_epsilon",
	    &hp->norm_eps, e)) == LC_ENOTFOUND)
		rc = getf64(g, hp->arch, "attention.layer_norm_epsilon",
		    &hp->norm_eps, e);
	if (rc != LC_OK && rc != LC_ENOTFOUND)
		return rc;
	if (hp->n_vocab == 0 &&
	    lc_gguf_find_kv(g, "tokenizer.ggml.tokens", &kv) == LC_OK) {
		if (kv.n > (1u << 24))
			return lc_errf(e, LC_EFORMAT, "%s: %llu tokens exceed "
			    "the limit of %u", file, (unsigned long long)kv.n,
			    1u << 24);
		hp->n_vocab = (uint32_t)kv.n;
	}
	if (hp->n_vocab == 0 &&
	    lc_gguf_find_tensor(g, "token_embd.weight", &ti) == LC_OK &&
	    ti.ne[1] <= (1u << 24))
		hp->n_vocab = (uint32_t)ti.ne[1];
	if ((rc = validate(hp, file, e)) != LC_OK)
		return rc;
	/* a per-layer bool array, where the file gives one; or a period n
	   (every n-th layer global; 0: all use the window), as llama.cpp's
	   load_swa_pattern reads it */
	snprintf(key, sizeof(key), "%s.attention.sliding_window_pattern",
	    hp->arch);
	if (hp->n_swa > 0 && lc_gguf_find_kv(g, key, &kv) == LC_OK &&
	    kv.type == LC_GGUF_ARRAY && kv.elem_type == LC_GGUF_BOOL) {
		if (kv.n != hp->n_layer)
			return lc_errf(e, LC_EFORMAT, "%s: key '%s': %llu "
			    "entries for %u layers", file, key,
			    (unsigned long long)kv.n, hp->n_layer);
		for (i = 0; i < kv.n; i++)
			hp->swa_layer[i] = kv.data[i];
	} else if (hp->n_swa > 0 && lc_gguf_find_kv(g, key, &kv) == LC_OK) {
		if (kv.type == LC_GGUF_ARRAY ||
		    lc_gguf_kv_u64(&kv, 0, &i) != 0 || i > LC_MAX_LAYERS)
			return lc_errf(e, LC_EFORMAT, "%s: key '%s': expected "
			    "a layer period or one bool per layer", file, key);
		for (uint32_t l = 0; l < hp->n_layer; l++)
			hp->swa_layer[l] = i == 0 || l % i < i - 1;
	}
	snprintf(key, sizeof(key), "%s.attention.causal", hp->arch);
	if ((rc = lc_gguf_get_bool(g, key, &b, e)) == LC_OK)
		hp->causal = b;
	else if (rc != LC_ENOTFOUND)
		return rc;
	for (i = 0; i < lc_gguf_ntensors(g); i++) {
		lc_gguf_tensor(g, i, &ti);
		hp->n_params += ti.nelem;
		hp->weight_bytes += ti.nbytes;
		if (has_exps(ti.name, ti.namelen))
			exp_params += ti.nelem;
	}
	hp->n_params_active = hp->n_params;
	if (hp->n_expert > 0 && exp_params > 0)
		hp->n_params_active -= exp_params / hp->n_expert *
		    (hp->n_expert - hp->n_expert_used);
	return LC_OK;
}

static int
cfgint(const cJSON *root, const char *key, uint32_t lo, uint32_t hi,
    uint32_t *out, const char *file, lc_err *e)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(root, key);
	double d;

	if (j == NULL || cJSON_IsNull(j))
		return LC_ENOTFOUND;
	d = j->valuedouble;
	if (!cJSON_IsNumber(j) || d != (double)(uint64_t)d || d < lo || d > hi)
		return lc_errf(e, LC_EFORMAT, "%s: \"%s\" must be an integer in "
		    "[%u, %u]", file, key, lo, hi);
	*out = (uint32_t)d;
	return LC_OK;
}

int
lc_hparams_hf(lc_hparams *hp, const char *config, const lc_st *st, lc_err *e)
{
	cJSON *root = NULL;
	const cJSON *j;
	lc_st_info ti;
	char *text = NULL;
	size_t n;
	uint64_t i;
	int rc = LC_OK;

	memset(hp, 0, sizeof(*hp));
	if ((rc = lc_slurp(config, 16u << 20, &text, &n, e)) != LC_OK)
		return rc;
	if ((root = cJSON_ParseWithLength(text, n)) == NULL ||
	    !cJSON_IsObject(root)) {
		rc = lc_errf(e, LC_EFORMAT, "%s: not a JSON object", config);
		goto out;
	}
	j = cJSON_GetObjectItemCaseSensitive(root, "model_type");
	if (!cJSON_IsString(j) || strlen(j->valuestring) == 0 ||
	    strlen(j->valuestring) >= sizeof(hp->arch)) {
		rc = lc_errf(e, LC_EFORMAT, "%s: \"model_type\" missing or "
		    "not a short string", config);
		goto out;
	}
	strcpy(hp->arch, j->valuestring);
#define REQ(k, lo, hi, dst) do { \
	if ((rc = cfgint(root, k, lo, hi, dst, config, e)) == LC_ENOTFOUND) \
		rc = lc_errf(e, LC_EFORMAT, "%s: \"%s\" missing", config, k); \
	if (rc != LC_OK) \
		goto out; \
} while (0)
#define OPT(k, lo, hi, dst) do { \
	if ((rc = cfgint(root, k, lo, hi, dst, config, e)) != LC_OK && \
	    rc != LC_ENOTFOUND) \
		goto out; \
	rc = LC_OK; \
} while (0)
	REQ("num_hidden_layers", 1, LC_MAX_LAYERS, &hp->n_layer);
	REQ("hidden_size", 1, 1u << 20, &hp->n_embd);
	REQ("num_attention_heads", 1, 1u << 14, &hp->n_head);
	hp->n_head_kv = hp->n_head;
	OPT("num_key_value_heads", 1, 1u << 14, &hp->n_head_kv);
	OPT("intermediate_size", 0, 1u << 24, &hp->n_ff);
	OPT("max_position_embeddings", 1, LC_MAX_CTX, &hp->n_ctx_train);
	OPT("vocab_size", 1, 1u << 24, &hp->n_vocab);
	hp->head_dim_k = hp->n_embd % hp->n_head == 0 ?
	    hp->n_embd / hp->n_head : 0;
	OPT("head_dim", 1, 1u << 16, &hp->head_dim_k);
	hp->head_dim_v = hp->head_dim_k;
	OPT("sliding_window", 0, LC_MAX_CTX, &hp->n_swa);
	OPT("num_local_experts", 0, 1u << 16, &hp->n_expert);
	OPT("num_experts", 0, 1u << 16, &hp->n_expert);
	OPT("num_experts_per_tok", 0, 1u << 16, &hp->n_expert_used);
	OPT("moe_intermediate_size", 0, 1u << 24, &hp->n_ff_exp);
#undef REQ
#undef OPT
	j = cJSON_GetObjectItemCaseSensitive(root, "rope_theta");
	if (cJSON_IsNumber(j))
		hp->rope_base = j->valuedouble;
	j = cJSON_GetObjectItemCaseSensitive(root, "rms_norm_eps");
	if (!cJSON_IsNumber(j))
		j = cJSON_GetObjectItemCaseSensitive(root, "layer_norm_eps");
	if (cJSON_IsNumber(j))
		hp->norm_eps = j->valuedouble;
	if ((rc = validate(hp, config, e)) != LC_OK)
		goto out;
	for (i = 0; st != NULL && i < lc_st_ntensors(st); i++) {
		lc_st_tensor(st, i, &ti);
		hp->n_params += ti.nelem;
		hp->weight_bytes += ti.nbytes;
	}
	hp->n_params_active = hp->n_params;
out:
	cJSON_Delete(root);
	free(text);
	return rc;
}

/* Bytes of n elements of a KV row type; -1 if rows of n do not fit. */
static int
kvbytes(uint32_t dtype, uint64_t n, uint64_t *out)
{
	uint64_t ne[4] = { n, 1, 1, 1 };

	return lc_dtype_nbytes(dtype, ne, out);
}

int
lc_memplan_make(lc_memplan *mp, const lc_hparams *hp, uint32_t ctx,
    uint32_t batch, uint32_t kv_dtype, lc_err *e)
{
	uint64_t krow, vrow, cells, b, kvlen, qdim, kvdim, ff, act, q8;
	uint32_t l;

	memset(mp, 0, sizeof(*mp));
	if (ctx == 0 || ctx > LC_MAX_CTX || batch == 0)
		return lc_errf(e, LC_EINVAL, "context %u / batch %u out of "
		    "range", ctx, batch);
	if (kv_dtype != LC_F16 && kv_dtype != LC_F32 && kv_dtype != LC_Q8_0)
		return lc_errf(e, LC_EINVAL, "KV cache type must be f16, f32 "
		    "or q8_0");
	if (kvbytes(kv_dtype, hp->head_dim_k, &krow) != 0 ||
	    kvbytes(kv_dtype, hp->head_dim_v, &vrow) != 0)
		return lc_errf(e, LC_EINVAL, "KV cache type %s cannot hold "
		    "rows of %u elements", lc_dtype(kv_dtype)->name,
		    hp->head_dim_k);
	mp->ctx = ctx;
	mp->kv_dtype = kv_dtype;
	b = batch < ctx ? batch : ctx;
	if (!hp->causal)
		b = ctx;	/* an encoder sees the whole sequence at once */
	mp->batch = (uint32_t)b;
	mp->weights = hp->weight_bytes;
	/* K and V rows per cell; a sliding-window layer keeps the window
	   plus one batch (the keys the batch's first query still sees) */
	for (l = 0; hp->causal && l < hp->n_layer; l++) {
		cells = ctx;
		if (hp->swa_layer[l] && hp->n_swa + b < cells)
			cells = hp->n_swa + b;
		mp->kv += cells * hp->n_head_kv * (krow + vrow);
	}
	/* f32 activations of one batch: hidden, residual and norm out;
	   q, k, v and attention out; gate, up and activation of the FFN;
	   the attention scores of all heads against the longest key
	   range; one row of logits.  Plus 8-bit copies of the largest
	   activation row for the quantized dot products. */
	kvlen = ctx;
	qdim = (uint64_t)hp->n_head * hp->head_dim_k;
	kvdim = (uint64_t)hp->n_head_kv * hp->head_dim_k;
	ff = hp->n_ff;
	if (hp->n_expert_used > 0 && hp->n_ff_exp > 0)
		ff = (uint64_t)hp->n_ff_exp * hp->n_expert_used;
	act = b * (3 * (uint64_t)hp->n_embd + 2 * qdim + 2 * kvdim + 3 * ff) +
	    (uint64_t)hp->n_head * b * kvlen + hp->n_vocab;
	q8 = b * (ff > hp->n_embd ? ff : hp->n_embd) / 32 * 34;
	mp->scratch = 4 * act + q8;
	mp->total = mp->weights + mp->kv + mp->scratch;
	return LC_OK;
}
