/*
 * convert.c - Hugging Face model directory -> GGUF (see convert.h).
 *
 * The layout follows llama.cpp's convert_hf_to_gguf.py: the keys in the
 * order it adds them (general.*, hyper-parameters, file type,
 * quantization version, tokenizer), a key added twice keeping its first
 * place, and the tensors in the order it reads them (shards by file
 * name, tensors by name inside each), generated ones (rope_freqs) first.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "convert.h"
#include "dtype.h"
#include "gguf.h"
#include "hf.h"
#include "quant/quant.h"
#include "sha256.h"
#include "tok/tok.h"

#define MAX_JSON	(256u << 20)	/* bytes of one JSON file */
#define MAX_LAYERS	4096
#define MAX_DIM		(1u << 20)	/* hidden, ff, head dims */
#define MAX_HEADS	4096
#define MAX_VOCAB	(1u << 24)
#define MAX_SHARDS	4096

enum { A_LLAMA, A_QWEN2, A_QWEN3, A_BERT, A_GEMMA3, A_PHI3, A_QWEN3MOE,
    A_GRANITE, A_SMOLLM3, A_OLMO2, A_GEMMA4 };

/* the converter's LlamaModel and its subclasses: Q/K permuted, vocab_size
   and rope.dimension_count written, llama3 rope factors */
#define LLAMALIKE(c)	((c)->arch == A_LLAMA || (c)->arch == A_GRANITE || \
			    (c)->arch == A_SMOLLM3)

static const struct {
	const char	*hf;
	int		 arch;
	const char	*gguf;
} archs[] = {
	{ "LlamaForCausalLM", A_LLAMA, "llama" },
	{ "MistralForCausalLM", A_LLAMA, "llama" },
	{ "Qwen2ForCausalLM", A_QWEN2, "qwen2" },
	{ "Qwen3ForCausalLM", A_QWEN3, "qwen3" },
	{ "BertModel", A_BERT, "bert" },
	{ "Gemma3ForCausalLM", A_GEMMA3, "gemma3" },
	{ "Phi3ForCausalLM", A_PHI3, "phi3" },
	{ "Qwen3MoeForCausalLM", A_QWEN3MOE, "qwen3moe" },
	{ "GraniteForCausalLM", A_GRANITE, "granite" },
	{ "SmolLM3ForCausalLM", A_SMOLLM3, "smollm3" },
	{ "Olmo2ForCausalLM", A_OLMO2, "olmo2" },
	{ "Gemma4ForCausalLM", A_GEMMA4, "gemma4" },
	{ "Gemma4ForConditionalGeneration", A_GEMMA4, "gemma4" },
};
#define SUPPORTED \
	"LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, " \
	"Qwen3ForCausalLM, Qwen3MoeForCausalLM, Gemma3ForCausalLM, " \
	"Phi3ForCausalLM, GraniteForCausalLM, SmolLM3ForCausalLM, " \
	"Olmo2ForCausalLM, Gemma4ForCausalLM, Gemma4ForConditionalGeneration, " \
	"BertModel"

/* ------------------------------------------------------------ key/values */

typedef struct kv {
	char		*key;
	uint32_t	 type;		/* enum lc_gguf_type */
	uint32_t	 etype;		/* of an ARRAY */
	union { uint32_t u32; int32_t i32; float f32; } v;
	char		*s;		/* STRING */
	uint8_t		*bools;		/* BOOL ARRAY (owned) */
	char		**strs;		/* STRING ARRAY (owned) */
	int32_t		*ints;		/* INT32 ARRAY (owned) */
	float		*flts;		/* FLOAT32 ARRAY (owned) */
	uint64_t	 n;
} kv;

/* ------------------------------------------------------------ tensors */

typedef struct ctensor {
	char		 name[LC_GGUF_MAX_NAME + 1];	/* GGUF name */
	char		*hfname;
	lc_st_info	 src;		/* src.data NULL: generated */
	const char	*file;		/* shard file name */
	int		 permute;	/* heads to permute rows over, or 0 */
	int		 force_f32;	/* 1-D, norm or not a .weight */
	int		 shift1;	/* Gemma3 norm: stored as 1 + w */
	lc_st_info	*parts;		/* experts stacked, nparts of them */
	uint32_t	 nparts;
	uint32_t	 ndim;
	uint64_t	 ne[4];
	uint64_t	 nelem;
	float		*gen;		/* generated F32 data */
} ctensor;

struct lc_conv {
	char		*dir;
	int		 arch;
	const char	*hf_arch, *gguf_arch;
	cJSON		*config, *tok, *tokcfg, *gencfg;

	/* hyper-parameters */
	uint64_t	 n_layer, n_ctx, n_embd, n_ff, n_head, n_head_kv;
	uint64_t	 n_vocab, head_dim;
	int		 has_head_dim;	/* the converter writes key_length */
	double		 rope_theta, rms_eps;
	double		 norm_eps;	/* BERT: layer_norm_eps */
	uint64_t	 n_type_vocab;	/* BERT: type_vocab_size */
	int		 pooling;	/* BERT: -1 none, else GGUF's */
	double		 swa_theta;	/* Gemma3: local layers' base */
	uint64_t	 swa;		/* Gemma3, Phi3: sliding window */
	int		 has_swa;
	double		 softcap;	/* Gemma3: 0 none */
	uint64_t	 n_expert, n_expert_used, n_ff_exp;	/* Qwen3MoE */
	uint64_t	 orig_ctx;	/* Phi3 */
	uint64_t	 rope_dims;	/* Phi3: rotary dims per head */
	uint64_t	 n_rfac;	/* Phi3: long/short factors, 0 none */
	float		 attn_factor;
	double		 gscale[4];	/* Granite: attention, embedding,
					   residual, logits multipliers */
	float		*rope_long, *rope_short;
	uint64_t	 n_vocab_real;	/* Gemma3: token_embd rows kept */
	const cJSON	*rope;		/* rope parameters object or NULL */
	/* Gemma 4: sliding layers use head_dim, n_head_kv, swa_theta */
	uint64_t	 hd_full;	/* full-attention layers' head_dim */
	uint64_t	 n_kv_full;	/* their KV heads; 0: n_head_kv */
	uint64_t	 n_shared;	/* num_kv_shared_layers */
	uint64_t	 n_pl;		/* hidden_size_per_layer_input */
	uint64_t	 n_vocab_pl;	/* vocab_size_per_layer_input */
	uint64_t	 n_rot_full;	/* pairs rotated in full layers */
	double		 prf_swa;	/* sliding partial_rotary_factor */
	int		 double_mlp;	/* shared layers: 2 * n_ff */
	int		 k_eq_v;	/* full layers may lack v_proj */
	uint8_t		*is_swa;	/* (n_layer) layer_types */

	lc_st		**shards;
	char		**shard_names;
	size_t		 nshards;

	ctensor		*t;
	size_t		 nt;
	float		 rope_freqs[MAX_DIM / 2];

	/* tokenizer */
	char		 pre[64];
	char		**tokens;
	int32_t		*toktypes;
	char		**merges;
	uint64_t	 nmerges;
	int		 spm;		/* tokenizer.model (SentencePiece) */
	float		*scores;	/* its scores */

	kv		*kvs;
	size_t		 nkv, kvcap;
	char		*chat_template;	/* from chat_template.jinja */
};

static const char *const pre_names[] = {
	"gpt-2", "smollm", "llama-bpe", "qwen2", NULL
};

const char *const *
lc_conv_pre_names(void)
{
	return pre_names;
}

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

static void
kv_clear(kv *k)
{
	uint64_t i;

	free(k->s);
	if (k->strs != NULL)
		for (i = 0; i < k->n; i++)
			free(k->strs[i]);
	free(k->strs);
	free(k->ints);
	free(k->flts);
	free(k->bools);
	k->bools = NULL;
	k->s = NULL;
	k->strs = NULL;
	k->ints = NULL;
	k->flts = NULL;
}

/* The slot for key: an existing one is cleared and reused in place (as
   gguf-py's writer overwrites a key), else a new one at the end. */
static kv *
kv_slot(lc_conv *c, const char *key, lc_err *e)
{
	size_t i;
	kv *k;

	for (i = 0; i < c->nkv; i++)
		if (strcmp(c->kvs[i].key, key) == 0) {
			kv_clear(&c->kvs[i]);
			return &c->kvs[i];
		}
	if (c->nkv == c->kvcap) {
		size_t n = c->kvcap ? 2 * c->kvcap : 64;
		if ((k = realloc(c->kvs, n * sizeof(*k))) == NULL)
			goto nomem;
		c->kvs = k;
		c->kvcap = n;
	}
	k = &c->kvs[c->nkv];
	memset(k, 0, sizeof(*k));
	if ((k->key = xstrdup(key)) == NULL)
		goto nomem;
	c->nkv++;
	return k;
nomem:
	lc_errf(e, LC_ENOMEM, "%s: key %s", c->dir, key);
	return NULL;
}

static int
put_u32(lc_conv *c, const char *key, uint64_t v, lc_err *e)
{
	kv *k;

	if (v > UINT32_MAX)
		return lc_errf(e, LC_EFORMAT, "%s: %s: %llu does not fit in "
		    "32 bits", c->dir, key, (unsigned long long)v);
	if ((k = kv_slot(c, key, e)) == NULL)
		return LC_ENOMEM;
	k->type = LC_GGUF_U32;
	k->v.u32 = (uint32_t)v;
	return LC_OK;
}

static int
put_i32(lc_conv *c, const char *key, int32_t v, lc_err *e)
{
	kv *k;

	if ((k = kv_slot(c, key, e)) == NULL)
		return LC_ENOMEM;
	k->type = LC_GGUF_I32;
	k->v.i32 = v;
	return LC_OK;
}

static int
put_f32(lc_conv *c, const char *key, double v, lc_err *e)
{
	kv *k;

	if ((k = kv_slot(c, key, e)) == NULL)
		return LC_ENOMEM;
	k->type = LC_GGUF_F32;
	k->v.f32 = (float)v;
	return LC_OK;
}

static int
put_bool(lc_conv *c, const char *key, int v, lc_err *e)
{
	kv *k;

	if ((k = kv_slot(c, key, e)) == NULL)
		return LC_ENOMEM;
	k->type = LC_GGUF_BOOL;
	k->v.u32 = v != 0;
	return LC_OK;
}

static int
put_str(lc_conv *c, const char *key, const char *s, lc_err *e)
{
	kv *k;

	if ((k = kv_slot(c, key, e)) == NULL)
		return LC_ENOMEM;
	k->type = LC_GGUF_STRING;
	if ((k->s = xstrdup(s)) == NULL)
		return lc_errf(e, LC_ENOMEM, "%s: key %s", c->dir, key);
	return LC_OK;
}

/* Takes ownership of strs (n strings) or ints. */
static int
put_strs(lc_conv *c, const char *key, char **strs, uint64_t n, lc_err *e)
{
	kv *k;

	if ((k = kv_slot(c, key, e)) == NULL)
		return LC_ENOMEM;
	k->type = LC_GGUF_ARRAY;
	k->etype = LC_GGUF_STRING;
	k->strs = strs;
	k->n = n;
	return LC_OK;
}

static int
put_ints(lc_conv *c, const char *key, int32_t *ints, uint64_t n, lc_err *e)
{
	kv *k;

	if ((k = kv_slot(c, key, e)) == NULL)
		return LC_ENOMEM;
	k->type = LC_GGUF_ARRAY;
	k->etype = LC_GGUF_I32;
	k->ints = ints;
	k->n = n;
	return LC_OK;
}

static int
put_flts(lc_conv *c, const char *key, float *flts, uint64_t n, lc_err *e)
{
	kv *k;

	if ((k = kv_slot(c, key, e)) == NULL)
		return LC_ENOMEM;
	k->type = LC_GGUF_ARRAY;
	k->etype = LC_GGUF_F32;
	k->flts = flts;
	k->n = n;
	return LC_OK;
}

static int
put_bools(lc_conv *c, const char *key, uint8_t *bools, uint64_t n,
    lc_err *e)
{
	kv *k;

	if ((k = kv_slot(c, key, e)) == NULL) {
		free(bools);
		return LC_ENOMEM;
	}
	k->type = LC_GGUF_ARRAY;
	k->etype = LC_GGUF_BOOL;
	k->bools = bools;
	k->n = n;
	return LC_OK;
}

/* A copy of n values as an INT32 array (per-layer hyper-parameters). */
static int
put_u64s(lc_conv *c, const char *key, const uint64_t *v, uint64_t n,
    lc_err *e)
{
	int32_t *a;
	uint64_t i;

	if ((a = malloc((n ? n : 1) * sizeof(*a))) == NULL)
		return lc_errf(e, LC_ENOMEM, "%s: key %s", c->dir, key);
	for (i = 0; i < n; i++) {
		if (v[i] > INT32_MAX) {
			free(a);
			return lc_errf(e, LC_EFORMAT, "%s: %s[%llu]: %llu does "
			    "not fit in 32 bits", c->dir, key,
			    (unsigned long long)i, (unsigned long long)v[i]);
		}
		a[i] = (int32_t)v[i];
	}
	if (put_ints(c, key, a, n, e) != LC_OK) {
		free(a);
		return LC_ENOMEM;
	}
	return LC_OK;
}

static int
archkey(lc_conv *c, char *buf, size_t len, const char *suffix)
{
	snprintf(buf, len, "%s.%s", c->gguf_arch, suffix);
	return 0;
}

/* ------------------------------------------------------------ JSON */

static int
readjson(lc_conv *c, const char *name, int required, cJSON **root,
    lc_err *e)
{
	char path[4096], *text;
	size_t len;
	int rc;

	*root = NULL;
	if (snprintf(path, sizeof(path), "%s/%s", c->dir, name) >=
	    (int)sizeof(path))
		return lc_errf(e, LC_EINVAL, "%s: path too long", c->dir);
	if (access(path, F_OK) != 0) {
		if (!required)
			return LC_OK;
		return lc_errsys(e, "%s", path);
	}
	if ((rc = lc_slurp(path, MAX_JSON, &text, &len, e)) != LC_OK)
		return rc;
	*root = cJSON_ParseWithLength(text, len);
	free(text);
	if (*root == NULL || !cJSON_IsObject(*root)) {
		cJSON_Delete(*root);
		*root = NULL;
		return lc_errf(e, LC_EFORMAT, "%s: not a JSON object", path);
	}
	return LC_OK;
}

static const cJSON *
jget(const cJSON *o, const char *key)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) :
	    NULL;
}

/* A JSON integer (a number with no fraction, not a bool). */
static int
jint(const cJSON *j, int64_t *out)
{
	double d;

	if (!cJSON_IsNumber(j))
		return 0;
	d = j->valuedouble;
	if (!(d >= -9007199254740992.0 && d <= 9007199254740992.0) ||
	    d != floor(d))
		return 0;
	*out = (int64_t)d;
	return 1;
}

/* The first of keys present (and not null) in config.json; NULL if none. */
static const cJSON *
hparam(const lc_conv *c, const char *const *keys)
{
	const cJSON *j;

	for (; *keys; keys++)
		if ((j = jget(c->config, *keys)) != NULL && !cJSON_IsNull(j))
			return j;
	return NULL;
}

/* An integer hyper-parameter in [lo, hi]; def < 0: required. */
static int
hp_int(lc_conv *c, const char *const *keys, int64_t def, uint64_t lo,
    uint64_t hi, uint64_t *out, lc_err *e)
{
	const cJSON *j = hparam(c, keys);
	int64_t v;

	if (j == NULL) {
		if (def < 0)
			return lc_errf(e, LC_EFORMAT, "%s/config.json: %s: "
			    "missing", c->dir, keys[0]);
		*out = (uint64_t)def;
		return LC_OK;
	}
	if (!jint(j, &v) || v < 0 || (uint64_t)v < lo || (uint64_t)v > hi)
		return lc_errf(e, LC_EFORMAT, "%s/config.json: %s: expected "
		    "an integer in [%llu, %llu]", c->dir, j->string,
		    (unsigned long long)lo, (unsigned long long)hi);
	*out = (uint64_t)v;
	return LC_OK;
}

static int
hp_num(lc_conv *c, const cJSON *j, const char *what, double *out, lc_err *e)
{
	if (!cJSON_IsNumber(j) || !isfinite(j->valuedouble))
		return lc_errf(e, LC_EFORMAT, "%s/config.json: %s: expected a "
		    "number", c->dir, what);
	*out = j->valuedouble;
	return LC_OK;
}

/* ------------------------------------------------------------ config */

static int	bert_config(lc_conv *, lc_err *);
static int	gemma3_config(lc_conv *, lc_err *);
static int	phi3_config(lc_conv *, lc_err *);
static int	qwen3moe_config(lc_conv *, lc_err *);
static int	granite_config(lc_conv *, lc_err *);
static int	smollm3_config(lc_conv *, lc_err *);
static int	gemma4_config(lc_conv *, lc_err *);

static int
read_config(lc_conv *c, lc_err *e)
{
	static const char *const k_layer[] = { "n_layers",
	    "num_hidden_layers", "n_layer", "num_layers", NULL };
	static const char *const k_ctx[] = { "max_position_embeddings",
	    "n_ctx", "n_positions", "max_length", "max_sequence_length",
	    "model_max_length", NULL };
	static const char *const k_embd[] = { "hidden_size", "n_embd", "dim",
	    NULL };
	static const char *const k_ff[] = { "prefix_dense_intermediate_size",
	    "dense_intermediate_size", "intermediate_size", "n_inner",
	    "hidden_dim", NULL };
	static const char *const k_head[] = { "num_attention_heads", "n_head",
	    "n_heads", NULL };
	static const char *const k_kv[] = { "num_key_value_heads",
	    "n_kv_heads", NULL };
	static const char *const k_vocab[] = { "vocab_size", NULL };
	static const char *const k_hd[] = { "head_dim", NULL };
	static const char *const k_theta[] = { "global_rope_theta",
	    "rope_global_theta", "rope_theta_global", "rope_theta",
	    "rotary_emb_base", NULL };
	static const char *const k_eps[] = { "rms_norm_eps", "norm_eps",
	    NULL };
	const cJSON *j, *a;
	int64_t def_ctx;
	size_t i;
	int rc;

	if ((rc = readjson(c, "config.json", 1, &c->config, e)) != LC_OK)
		return rc;
	a = jget(c->config, "architectures");
	j = cJSON_IsArray(a) ? cJSON_GetArrayItem(a, 0) : NULL;
	if (!cJSON_IsString(j))
		return lc_errf(e, LC_EFORMAT, "%s/config.json: architectures: "
		    "missing (supported: " SUPPORTED ")", c->dir);
	for (i = 0; i < sizeof(archs) / sizeof(archs[0]); i++)
		if (strcmp(archs[i].hf, j->valuestring) == 0)
			break;
	if (i == sizeof(archs) / sizeof(archs[0]))
		return lc_errf(e, LC_EUNSUP, "%s/config.json: architectures: "
		    "'%.64s' is not supported (supported: " SUPPORTED ")",
		    c->dir, j->valuestring);
	c->arch = archs[i].arch;
	c->hf_arch = archs[i].hf;
	c->gguf_arch = archs[i].gguf;
	if (c->arch == A_GEMMA4 && cJSON_IsObject(jget(c->config,
	    "text_config"))) {
		/* the converter's TextModel: text_config's keys over the
		   top level's (the vision and audio towers are skipped) */
		cJSON *tc = cJSON_DetachItemFromObjectCaseSensitive(c->config,
		    "text_config"), *it, *next, *old;
		for (it = tc->child; it != NULL; it = next) {
			next = it->next;
			cJSON_DetachItemViaPointer(tc, it);
			old = cJSON_GetObjectItemCaseSensitive(c->config,
			    it->string);
			if (old != NULL)
				cJSON_ReplaceItemViaPointer(c->config, old, it);
			else
				cJSON_AddItemToObject(c->config, it->string, it);
		}
		cJSON_Delete(tc);
	}
	if (jget(c->config, "text_config") != NULL)
		return lc_errf(e, LC_EUNSUP, "%s/config.json: text_config: "
		    "multimodal configurations are not supported", c->dir);

	/* defaults: those of transformers' config classes */
	def_ctx = c->arch == A_LLAMA ? (strcmp(c->hf_arch,
	    "MistralForCausalLM") == 0 ? 131072 : 2048) :
	    c->arch == A_BERT ? 512 : c->arch == A_GEMMA3 ||
	    c->arch == A_GEMMA4 ? 131072 :
	    c->arch == A_PHI3 ? 4096 : c->arch == A_GRANITE ||
	    c->arch == A_OLMO2 ? 2048 : 32768;
	if ((rc = hp_int(c, k_layer, -1, 1, MAX_LAYERS, &c->n_layer, e)) ||
	    (rc = hp_int(c, k_ctx, def_ctx, 1, UINT32_MAX, &c->n_ctx, e)) ||
	    (rc = hp_int(c, k_embd, -1, 1, MAX_DIM, &c->n_embd, e)) ||
	    (rc = hp_int(c, k_ff, -1, 1, MAX_DIM, &c->n_ff, e)) ||
	    (rc = hp_int(c, k_head, -1, 1, MAX_HEADS, &c->n_head, e)) ||
	    (rc = hp_int(c, k_kv, (int64_t)c->n_head, 1, MAX_HEADS,
	    &c->n_head_kv, e)) ||
	    (rc = hp_int(c, k_vocab, -1, 1, MAX_VOCAB, &c->n_vocab, e)))
		return rc;
	if (c->n_head % c->n_head_kv != 0)
		return lc_errf(e, LC_EFORMAT, "%s/config.json: "
		    "num_key_value_heads: %llu does not divide "
		    "num_attention_heads %llu", c->dir,
		    (unsigned long long)c->n_head_kv,
		    (unsigned long long)c->n_head);
	if (hparam(c, k_hd) != NULL && c->arch != A_GRANITE) {
		if ((rc = hp_int(c, k_hd, -1, 1, MAX_DIM, &c->head_dim, e)))
			return rc;
		c->has_head_dim = 1;
	} else if (c->arch == A_QWEN3 || c->arch == A_QWEN3MOE ||
	    c->arch == A_GEMMA3 || c->arch == A_GEMMA4) {
		c->head_dim = c->arch == A_QWEN3 || c->arch == A_QWEN3MOE ?
		    128 : 256;
		c->has_head_dim = 1;
	} else {
		if (c->n_embd % c->n_head != 0)
			return lc_errf(e, LC_EFORMAT, "%s/config.json: "
			    "hidden_size %llu is not a multiple of "
			    "num_attention_heads %llu and head_dim is not "
			    "given", c->dir, (unsigned long long)c->n_embd,
			    (unsigned long long)c->n_head);
		c->head_dim = c->n_embd / c->n_head;
		c->has_head_dim = c->arch == A_LLAMA;
	}
	if (LLAMALIKE(c) && c->head_dim % 2 != 0)
		return lc_errf(e, LC_EFORMAT, "%s/config.json: head_dim %llu "
		    "is odd", c->dir, (unsigned long long)c->head_dim);

	/* RoPE: rope_parameters (transformers 5) or rope_scaling */
	j = jget(c->config, "rope_parameters");
	if (!cJSON_IsObject(j))
		j = jget(c->config, "rope_scaling");
	if (cJSON_IsObject(j) && cJSON_IsObject(jget(j, "full_attention")))
		j = jget(j, "full_attention");
	c->rope = cJSON_IsObject(j) ? j : NULL;
	c->rope_theta = c->arch == A_GEMMA3 || c->arch == A_GEMMA4 ?
	    1000000.0 :
	    c->arch == A_SMOLLM3 ? 2000000.0 : 10000.0;
	if ((a = jget(c->rope, "rope_theta")) != NULL && !cJSON_IsNull(a)) {
		if ((rc = hp_num(c, a, "rope_parameters.rope_theta",
		    &c->rope_theta, e)))
			return rc;
	} else if ((a = hparam(c, k_theta)) != NULL &&
	    (rc = hp_num(c, a, a->string, &c->rope_theta, e)))
		return rc;
	c->rms_eps = c->arch == A_OLMO2 ? 1e-5 : 1e-6;
	if ((a = hparam(c, k_eps)) != NULL &&
	    (rc = hp_num(c, a, a->string, &c->rms_eps, e)))
		return rc;
	if (c->arch == A_BERT)
		return bert_config(c, e);
	if (c->arch == A_GEMMA3)
		return gemma3_config(c, e);
	if (c->arch == A_GEMMA4)
		return gemma4_config(c, e);
	if (c->arch == A_PHI3)
		return phi3_config(c, e);
	if (c->arch == A_QWEN3MOE)
		return qwen3moe_config(c, e);
	if (c->arch == A_GRANITE)
		return granite_config(c, e);
	if (c->arch == A_SMOLLM3)
		return smollm3_config(c, e);
	if (c->arch == A_OLMO2 && jget(c->config, "sliding_window") != NULL)
		return lc_errf(e, LC_EUNSUP, "%s/config.json: sliding_window: "
		    "not supported for %s (OLMo-3 style sliding attention)",
		    c->dir, c->hf_arch);
	return LC_OK;
}

/*
 * The pooling of a sentence-transformers directory: modules.json's first
 * module whose type ends in "Pooling" names a folder whose config.json
 * says the mode (the converter's _try_set_pooling_type).  -1: none.
 */
static int
read_pooling(lc_conv *c, lc_err *e)
{
	static const char *const modes[] = { "mean", "cls", "lasttoken" };
	cJSON *mods = NULL, *pool = NULL;
	const cJSON *m, *ty, *pa;
	char path[4096], *text;
	const char *dir = NULL;
	size_t len, i;
	int rc;

	c->pooling = -1;
	snprintf(path, sizeof(path), "%s/modules.json", c->dir);
	if (access(path, F_OK) != 0)
		return LC_OK;
	if ((rc = lc_slurp(path, MAX_JSON, &text, &len, e)) != LC_OK)
		return rc;
	mods = cJSON_ParseWithLength(text, len);
	free(text);
	if (!cJSON_IsArray(mods)) {
		cJSON_Delete(mods);
		return lc_errf(e, LC_EFORMAT, "%s: not a JSON array", path);
	}
	cJSON_ArrayForEach(m, mods) {
		ty = jget(m, "type");
		pa = jget(m, "path");
		len = cJSON_IsString(ty) ? strlen(ty->valuestring) : 0;
		if (len >= 7 && strcmp(ty->valuestring + len - 7,
		    "Pooling") == 0) {
			if (!cJSON_IsString(pa) || strstr(pa->valuestring,
			    "..") != NULL || pa->valuestring[0] == '/') {
				rc = lc_errf(e, LC_EFORMAT, "%s: module '%.64s':"
				    " path: missing or not inside the "
				    "directory", path, ty->valuestring);
				goto out;
			}
			dir = pa->valuestring;
			break;
		}
	}
	rc = LC_OK;
	if (dir == NULL)
		goto out;
	snprintf(path, sizeof(path), "%s/config.json", dir);
	if ((rc = readjson(c, path, 1, &pool, e)) != LC_OK)
		goto out;
	snprintf(path, sizeof(path), "%s/%s/config.json", c->dir, dir);
	if (cJSON_IsTrue(jget(pool, "pooling_mode_mean_tokens")))
		c->pooling = 1;
	else if (cJSON_IsTrue(jget(pool, "pooling_mode_cls_token")))
		c->pooling = 2;
	else if (cJSON_IsTrue(jget(pool, "pooling_mode_lasttoken")))
		c->pooling = 3;
	else if (cJSON_IsString(m = jget(pool, "pooling_mode"))) {
		for (i = 0; i < 3; i++)
			if (strcmp(m->valuestring, modes[i]) == 0)
				c->pooling = (int)i + 1;
	}
	if (c->pooling < 0)
		rc = lc_errf(e, LC_EUNSUP, "%s: pooling mode: only mean, cls "
		    "and lasttoken are supported", path);
out:
	cJSON_Delete(mods);
	cJSON_Delete(pool);
	return rc;
}

static int
bert_config(lc_conv *c, lc_err *e)
{
	static const char *const k_neps[] = { "layer_norm_eps",
	    "layer_norm_epsilon", "norm_epsilon", NULL };
	static const char *const k_types[] = { "type_vocab_size", NULL };
	const cJSON *a;
	int rc;

	/* BertConfig's defaults */
	c->norm_eps = 1e-12;
	if ((a = hparam(c, k_neps)) != NULL &&
	    (rc = hp_num(c, a, a->string, &c->norm_eps, e)))
		return rc;
	if ((rc = hp_int(c, k_types, 2, 1, 1u << 16, &c->n_type_vocab, e)))
		return rc;
	a = jget(c->config, "id2label");
	if (cJSON_IsObject(a) && !(cJSON_GetArraySize(a) == 2 &&
	    cJSON_IsString(jget(a, "0")) && strcmp(jget(a, "0")->valuestring,
	    "LABEL_0") == 0))
		return lc_errf(e, LC_EUNSUP, "%s/config.json: id2label: "
		    "classifier heads are not supported", c->dir);
	return read_pooling(c, e);
}

static int
gemma3_config(lc_conv *c, lc_err *e)
{
	static const char *const k_sw[] = { "sliding_window", NULL };
	static const char *const k_pat[] = { "sliding_window_pattern", NULL };
	const cJSON *a, *rp;
	uint64_t pat = 0;
	int rc;

	/* Gemma3TextConfig's defaults */
	c->swa_theta = 10000.0;
	rp = jget(c->config, "rope_parameters");
	if ((a = jget(jget(rp, "sliding_attention"), "rope_theta")) != NULL) {
		if ((rc = hp_num(c, a, "rope_parameters.sliding_attention."
		    "rope_theta", &c->swa_theta, e)))
			return rc;
	} else if ((a = jget(c->config, "rope_local_base_freq")) != NULL &&
	    (rc = hp_num(c, a, a->string, &c->swa_theta, e)))
		return rc;
	if ((a = jget(c->config, "attn_logit_softcapping")) != NULL &&
	    !cJSON_IsNull(a))
		return lc_errf(e, LC_EUNSUP, "%s/config.json: "
		    "attn_logit_softcapping: not supported for Gemma 3",
		    c->dir);
	c->softcap = 0;
	if ((a = jget(c->config, "final_logit_softcapping")) != NULL &&
	    !cJSON_IsNull(a) && (rc = hp_num(c, a, a->string, &c->softcap, e)))
		return rc;
	if ((rc = hp_int(c, k_pat, 0, 0, UINT32_MAX, &pat, e)))
		return rc;
	if (pat != 1) {
		if ((rc = hp_int(c, k_sw, 4096, 0, UINT32_MAX, &c->swa, e)))
			return rc;
		c->has_swa = 1;
	}
	return LC_OK;
}

/* per_layer_config's first full-attention layer with key (the
   converter's fallback for global_head_dim and
   num_global_key_value_heads); NULL if none */
static const cJSON *
per_layer_full(const lc_conv *c, const char *key)
{
	const cJSON *l, *v;
	char *end;
	unsigned long il;

	cJSON_ArrayForEach(l, jget(c->config, "per_layer_config")) {
		errno = 0;
		il = strtoul(l->string, &end, 10);
		if (errno != 0 || *end != '\0' || end == l->string ||
		    il >= c->n_layer)
			continue;
		if (!c->is_swa[il] && (v = jget(l, key)) != NULL)
			return v;
	}
	return NULL;
}

/*
 * Gemma 4 (the converter's Gemma4Model over Gemma3Model): dense models
 * only.  Sliding layers keep head_dim and num_key_value_heads; full
 * layers have global_head_dim (or per_layer_config's) and
 * "proportional" RoPE on partial_rotary_factor of the head.
 */
static int
gemma4_config(lc_conv *c, lc_err *e)
{
	static const char *const k_sh[] = { "num_kv_shared_layers", NULL };
	static const char *const k_pl[] = { "hidden_size_per_layer_input",
	    NULL };
	static const char *const k_plv[] = { "vocab_size_per_layer_input",
	    NULL };
	const cJSON *a, *lt, *rp, *full;
	double prf;
	uint64_t i;
	int64_t x;
	int rc;

	if (cJSON_IsTrue(jget(c->config, "enable_moe_block")) ||
	    (jint(jget(c->config, "num_experts"), &x) && x > 0))
		return lc_errf(e, LC_EUNSUP, "%s/config.json: enable_moe_block"
		    ": Gemma 4 mixture-of-experts models (26B-A4B) are not "
		    "supported (llm-run's gemma4 forward pass has no MoE)",
		    c->dir);
	if ((rc = gemma3_config(c, e)))
		return rc;
	lt = jget(c->config, "layer_types");
	if (!cJSON_IsArray(lt) || (uint64_t)cJSON_GetArraySize(lt) !=
	    c->n_layer)
		return lc_errf(e, LC_EFORMAT, "%s/config.json: layer_types: "
		    "expected an array of num_hidden_layers (%llu) strings",
		    c->dir, (unsigned long long)c->n_layer);
	if ((c->is_swa = calloc(c->n_layer, 1)) == NULL)
		return lc_errf(e, LC_ENOMEM, "%s", c->dir);
	i = 0;
	cJSON_ArrayForEach(a, lt) {
		if (cJSON_IsString(a) && strcmp(a->valuestring,
		    "sliding_attention") == 0)
			c->is_swa[i] = 1;
		else if (!cJSON_IsString(a) || strcmp(a->valuestring,
		    "full_attention") != 0)
			return lc_errf(e, LC_EFORMAT, "%s/config.json: "
			    "layer_types[%llu]: not \"sliding_attention\" or "
			    "\"full_attention\"", c->dir,
			    (unsigned long long)i);
		i++;
	}
	if ((rc = hp_int(c, k_sh, -1, 0, c->n_layer - 1, &c->n_shared, e)) ||
	    (rc = hp_int(c, k_pl, 0, 0, MAX_DIM, &c->n_pl, e)) ||
	    (rc = hp_int(c, k_plv, (int64_t)c->n_vocab, 1, MAX_VOCAB,
	    &c->n_vocab_pl, e)))
		return rc;
	if (c->n_pl > 0 && c->n_layer * c->n_pl > MAX_DIM)
		return lc_errf(e, LC_EFORMAT, "%s/config.json: "
		    "hidden_size_per_layer_input: %llu x %llu layers is too "
		    "large", c->dir, (unsigned long long)c->n_pl,
		    (unsigned long long)c->n_layer);
	/* the full layers' head_dim and KV heads */
	a = jget(c->config, "global_head_dim");
	if (a == NULL || cJSON_IsNull(a))
		a = per_layer_full(c, "head_dim");
	if (a == NULL)
		return lc_errf(e, LC_EFORMAT, "%s/config.json: global_head_dim"
		    ": missing (and no full_attention layer of "
		    "per_layer_config has a head_dim)", c->dir);
	if (!jint(a, &x) || x < 2 || x > MAX_DIM || x % 2 != 0)
		return lc_errf(e, LC_EFORMAT, "%s/config.json: "
		    "global_head_dim: expected an even integer in [2, %u]",
		    c->dir, MAX_DIM);
	c->hd_full = (uint64_t)x;
	a = jget(c->config, "num_global_key_value_heads");
	if (a == NULL || cJSON_IsNull(a))
		a = per_layer_full(c, "num_key_value_heads");
	c->n_kv_full = 0;
	if (a != NULL) {
		if (!jint(a, &x) || x < 1 || x > MAX_HEADS ||
		    c->n_head % (uint64_t)x != 0)
			return lc_errf(e, LC_EFORMAT, "%s/config.json: "
			    "num_global_key_value_heads: expected a divisor "
			    "of num_attention_heads", c->dir);
		/* written per layer only when num_key_value_heads is given */
		if (jget(c->config, "num_key_value_heads") != NULL &&
		    !cJSON_IsNull(jget(c->config, "num_key_value_heads")))
			c->n_kv_full = (uint64_t)x;
	}
	c->double_mlp = cJSON_IsTrue(jget(c->config, "use_double_wide_mlp"));
	c->k_eq_v = cJSON_IsTrue(jget(c->config, "attention_k_eq_v"));
	/* RoPE: "proportional" on the full layers (rope_freqs.weight) */
	rp = jget(c->config, "rope_parameters");
	full = jget(rp, "full_attention");
	a = jget(full, "rope_type");
	if (!cJSON_IsString(a) || strcmp(a->valuestring, "proportional"))
		return lc_errf(e, LC_EUNSUP, "%s/config.json: rope_parameters."
		    "full_attention.rope_type: only \"proportional\" is "
		    "supported for %s", c->dir, c->hf_arch);
	if ((a = jget(full, "partial_rotary_factor")) == NULL)
		return lc_errf(e, LC_EFORMAT, "%s/config.json: rope_parameters"
		    ".full_attention.partial_rotary_factor: missing", c->dir);
	if ((rc = hp_num(c, a, "rope_parameters.full_attention."
	    "partial_rotary_factor", &prf, e)))
		return rc;
	if (!(prf >= 0 && prf <= 1))
		return lc_errf(e, LC_EFORMAT, "%s/config.json: rope_parameters"
		    ".full_attention.partial_rotary_factor: not in [0, 1]",
		    c->dir);
	/* Python's int(head_dim * factor / 2) */
	c->n_rot_full = (uint64_t)((double)c->hd_full * prf / 2);
	c->prf_swa = 1.0;
	if ((a = jget(rp, "partial_rotary_factor")) != NULL &&
	    (rc = hp_num(c, a, "rope_parameters.partial_rotary_factor",
	    &c->prf_swa, e)))
		return rc;
	if (!(c->prf_swa >= 0 && c->prf_swa <= 1))
		return lc_errf(e, LC_EFORMAT, "%s/config.json: rope_parameters"
		    ".partial_rotary_factor: not in [0, 1]", c->dir);
	if (c->n_shared > 0 && (c->n_layer - c->n_shared < 2 ||
	    !c->is_swa[c->n_layer - c->n_shared - 2] ||
	    c->is_swa[c->n_layer - c->n_shared - 1]))
		return lc_errf(e, LC_EUNSUP, "%s/config.json: "
		    "num_kv_shared_layers: the last two layers before the "
		    "shared ones must be sliding, then full (as llama.cpp "
		    "requires)", c->dir);
	return LC_OK;
}

static int
phi3_config(lc_conv *c, lc_err *e)
{
	static const char *const k_sw[] = { "sliding_window", NULL };
	const cJSON *rp = jget(c->config, "rope_parameters"), *a, *lf, *sf;
	double rot = 1.0, scale, v = 0;
	const char *ty;
	uint64_t i;
	int rc;

	if (!cJSON_IsObject(rp))
		rp = jget(c->config, "rope_scaling");
	if ((a = jget(rp, "original_max_position_embeddings")) == NULL)
		a = jget(c->config, "original_max_position_embeddings");
	if (!jint(a, (int64_t *)&c->orig_ctx) || (int64_t)c->orig_ctx <= 0)
		return lc_errf(e, LC_EFORMAT, "%s/config.json: rope_parameters:"
		    " original_max_position_embeddings: missing or not a "
		    "positive integer", c->dir);
	if ((a = jget(rp, "partial_rotary_factor")) != NULL &&
	    (rc = hp_num(c, a, "partial_rotary_factor", &rot, e)))
		return rc;
	c->rope_dims = (uint64_t)(int64_t)(rot * (double)c->n_embd) /
	    c->n_head;
	if ((rc = hp_int(c, k_sw, 0, 0, UINT32_MAX, &c->swa, e)))
		return rc;
	c->has_swa = 1;
	lf = jget(rp, "long_factor");
	sf = jget(rp, "short_factor");
	if (!cJSON_IsArray(lf) || cJSON_GetArraySize(lf) == 0)
		return LC_OK;
	ty = cJSON_IsString(jget(rp, "rope_type")) ?
	    jget(rp, "rope_type")->valuestring : cJSON_IsString(jget(rp,
	    "type")) ? jget(rp, "type")->valuestring : "";
	scale = (double)c->n_ctx / (double)c->orig_ctx;
	if (!strcasecmp(ty, "su") || !strcasecmp(ty, "longrope"))
		c->attn_factor = scale > 1.0 ? (float)sqrt(1 + log(scale) /
		    log((double)c->orig_ctx)) : 1.0f;
	else if (!strcasecmp(ty, "yarn"))
		c->attn_factor = scale > 1.0 ? (float)(0.1 * log(scale) +
		    1.0) : 1.0f;
	else
		return lc_errf(e, LC_EUNSUP, "%s/config.json: rope_parameters:"
		    " rope_type '%.32s' with long_factor is not supported",
		    c->dir, ty);
	c->n_rfac = (uint64_t)cJSON_GetArraySize(lf);
	if (!cJSON_IsArray(sf) || (uint64_t)cJSON_GetArraySize(sf) !=
	    c->n_rfac || 2 * c->n_rfac != c->rope_dims)
		return lc_errf(e, LC_EFORMAT, "%s/config.json: rope_parameters:"
		    " long_factor and short_factor must both have %llu "
		    "entries", c->dir, (unsigned long long)(c->rope_dims / 2));
	if ((c->rope_long = malloc(c->n_rfac * sizeof(float))) == NULL ||
	    (c->rope_short = malloc(c->n_rfac * sizeof(float))) == NULL)
		return lc_errf(e, LC_ENOMEM, "%s", c->dir);
	for (i = 0; i < c->n_rfac; i++) {
		if ((rc = hp_num(c, cJSON_GetArrayItem(lf, (int)i),
		    "rope_parameters.long_factor", &v, e)))
			return rc;
		c->rope_long[i] = (float)v;
		if ((rc = hp_num(c, cJSON_GetArrayItem(sf, (int)i),
		    "rope_parameters.short_factor", &v, e)))
			return rc;
		c->rope_short[i] = (float)v;
	}
	return LC_OK;
}

static int
qwen3moe_config(lc_conv *c, lc_err *e)
{
	static const char *const k_x[] = { "num_local_experts", "num_experts",
	    "n_routed_experts", NULL };
	static const char *const k_xu[] = { "num_experts_per_tok",
	    "num_experts_per_token", "top_k_experts", NULL };
	static const char *const k_xff[] = { "moe_intermediate_size", NULL };
	const cJSON *a;
	int64_t v = 1;
	int rc;

	if ((rc = hp_int(c, k_x, -1, 1, 4096, &c->n_expert, e)) ||
	    (rc = hp_int(c, k_xu, -1, 1, c->n_expert, &c->n_expert_used, e)) ||
	    (rc = hp_int(c, k_xff, -1, 1, MAX_DIM, &c->n_ff_exp, e)))
		return rc;
	a = jget(c->config, "mlp_only_layers");
	if ((cJSON_IsArray(a) && cJSON_GetArraySize(a) > 0) ||
	    (jint(jget(c->config, "decoder_sparse_step"), &v) && v != 1))
		return lc_errf(e, LC_EUNSUP, "%s/config.json: mlp_only_layers,"
		    " decoder_sparse_step: only models whose every layer is "
		    "sparse are supported", c->dir);
	return LC_OK;
}

/* GraniteConfig's multipliers (default 1), written as *_scale keys */
static int
granite_config(lc_conv *c, lc_err *e)
{
	static const char *const k[4] = { "attention_multiplier",
	    "embedding_multiplier", "residual_multiplier", "logits_scaling" };
	const cJSON *a;
	size_t i;
	int rc;

	for (i = 0; i < 4; i++) {
		c->gscale[i] = 1.0;
		if ((a = jget(c->config, k[i])) != NULL && !cJSON_IsNull(a) &&
		    (rc = hp_num(c, a, k[i], &c->gscale[i], e)))
			return rc;
	}
	return LC_OK;
}

/*
 * SmolLM3: llama.cpp leaves RoPE out of every 4th layer (hard-coded, no
 * GGUF key), so a config.json that says otherwise cannot be converted
 * faithfully.
 */
static int
smollm3_config(lc_conv *c, lc_err *e)
{
	const cJSON *a, *x;
	int64_t v = 4;
	uint64_t i;

	if ((a = jget(c->config, "no_rope_layer_interval")) != NULL &&
	    (!jint(a, &v) || v != 4) && !cJSON_IsArray(jget(c->config,
	    "no_rope_layers")))
		return lc_errf(e, LC_EUNSUP, "%s/config.json: "
		    "no_rope_layer_interval: only 4 is supported (llama.cpp's "
		    "smollm3)", c->dir);
	if ((a = jget(c->config, "no_rope_layers")) != NULL) {
		if (!cJSON_IsArray(a) || (uint64_t)cJSON_GetArraySize(a) !=
		    c->n_layer)
			return lc_errf(e, LC_EFORMAT, "%s/config.json: "
			    "no_rope_layers: expected an array of %llu "
			    "integers", c->dir,
			    (unsigned long long)c->n_layer);
		for (i = 0; i < c->n_layer; i++) {
			x = cJSON_GetArrayItem(a, (int)i);
			if (!jint(x, &v) || v != ((i + 1) % 4 != 0))
				return lc_errf(e, LC_EUNSUP, "%s/config.json: "
				    "no_rope_layers[%llu]: only RoPE-less "
				    "layers 3, 7, 11, ... are supported "
				    "(llama.cpp's smollm3)", c->dir,
				    (unsigned long long)i);
		}
	}
	if (cJSON_IsTrue(jget(c->config, "use_sliding_window")))
		return lc_errf(e, LC_EUNSUP, "%s/config.json: "
		    "use_sliding_window: not supported for %s", c->dir,
		    c->hf_arch);
	return LC_OK;
}

static const char *
rope_type(const lc_conv *c)
{
	const cJSON *j = jget(c->rope, "rope_type");

	if (!cJSON_IsString(j))
		j = jget(c->rope, "type");
	return cJSON_IsString(j) ? j->valuestring : NULL;
}

/* A number of the rope parameters, else of config.json (for
   original_max_position_embeddings), else def. */
static double
rope_num(const lc_conv *c, const char *key, double def, int *found)
{
	const cJSON *j = jget(c->rope, key);

	if (!cJSON_IsNumber(j))
		j = jget(c->config, key);
	if (found != NULL)
		*found = cJSON_IsNumber(j);
	return cJSON_IsNumber(j) ? j->valuedouble : def;
}

/*
 * Llama 3.1 RoPE: one factor per rotary pair, in float32 as the
 * converter computes them with torch.
 */
static void
llama3_factors(lc_conv *c)
{
	uint64_t i, dim = c->head_dim;
	float base = (float)c->rope_theta;
	float factor = (float)rope_num(c, "factor", 8.0, NULL);
	double lf = rope_num(c, "low_freq_factor", 1.0, NULL);
	double hf = rope_num(c, "high_freq_factor", 4.0, NULL);
	double old = rope_num(c, "original_max_position_embeddings", 8192,
	    NULL);
	float low_wl = (float)(old / lf), high_wl = (float)(old / hf);

	for (i = 0; i < dim / 2; i++) {
		float ex = (float)(2 * i) / (float)dim;
		float freq = 1.0f / powf(base, ex);
		float wl = (float)(2 * M_PI) / freq;
		float smooth;

		if (wl < high_wl)
			c->rope_freqs[i] = 1.0f;
		else if (wl > low_wl)
			c->rope_freqs[i] = factor;
		else {
			smooth = ((float)old / wl - (float)lf) /
			    (float)(hf - lf);
			c->rope_freqs[i] = 1.0f / ((1.0f - smooth) / factor +
			    smooth);
		}
	}
}

/* ------------------------------------------------------------ tensors */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_info(const void *a, const void *b)
{
	return strcmp((*(const lc_st_info *const *)a)->name,
	    (*(const lc_st_info *const *)b)->name);
}

/* A shard name from the index: a plain file name inside the directory. */
static int
safe_name(const char *s)
{
	return s[0] != '\0' && s[0] != '.' && strchr(s, '/') == NULL &&
	    strlen(s) < 256;
}

static int
add_shard_name(lc_conv *c, const char *name, lc_err *e)
{
	char **p;
	size_t i;

	for (i = 0; i < c->nshards; i++)
		if (strcmp(c->shard_names[i], name) == 0)
			return LC_OK;
	if (c->nshards == MAX_SHARDS)
		return lc_errf(e, LC_EFORMAT, "%s: more than %d safetensors "
		    "files", c->dir, MAX_SHARDS);
	if ((p = realloc(c->shard_names, (c->nshards + 1) * sizeof(*p))) ==
	    NULL)
		return lc_errf(e, LC_ENOMEM, "%s", c->dir);
	c->shard_names = p;
	if ((p[c->nshards] = xstrdup(name)) == NULL)
		return lc_errf(e, LC_ENOMEM, "%s", c->dir);
	c->nshards++;
	return LC_OK;
}

/* The shard files: the index's, else model*.safetensors. */
static int
find_shards(lc_conv *c, cJSON **index, lc_err *e)
{
	const cJSON *wm, *j;
	struct dirent *d;
	DIR *dp;
	size_t n;
	int rc;

	if ((rc = readjson(c, "model.safetensors.index.json", 0, index, e)))
		return rc;
	if (*index != NULL) {
		wm = jget(*index, "weight_map");
		if (!cJSON_IsObject(wm))
			return lc_errf(e, LC_EFORMAT, "%s/model.safetensors."
			    "index.json: weight_map: missing", c->dir);
		cJSON_ArrayForEach(j, wm) {
			if (!cJSON_IsString(j) || !safe_name(j->valuestring))
				return lc_errf(e, LC_EFORMAT, "%s/model."
				    "safetensors.index.json: weight_map: "
				    "tensor '%.64s': bad file name", c->dir,
				    j->string);
			if ((rc = add_shard_name(c, j->valuestring, e)))
				return rc;
		}
	} else {
		if ((dp = opendir(c->dir)) == NULL)
			return lc_errsys(e, "%s", c->dir);
		while ((d = readdir(dp)) != NULL) {
			n = strlen(d->d_name);
			if (strncmp(d->d_name, "model", 5) == 0 && n > 12 &&
			    strcmp(d->d_name + n - 12, ".safetensors") == 0 &&
			    (rc = add_shard_name(c, d->d_name, e)) != LC_OK) {
				closedir(dp);
				return rc;
			}
		}
		closedir(dp);
	}
	if (c->nshards == 0) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/pytorch_model.bin", c->dir);
		if (access(path, F_OK) == 0)
			return lc_errf(e, LC_EUNSUP, "%s: pytorch_model.bin: "
			    "only safetensors weights are supported", c->dir);
		return lc_errf(e, LC_EIO, "%s/model.safetensors: no such "
		    "file (and no model.safetensors.index.json)", c->dir);
	}
	qsort(c->shard_names, c->nshards, sizeof(char *), cmp_str);
	return LC_OK;
}

/* The BERT half of map_name(): the converter's BertModel.filter_tensors
   and gguf-py's tensor map. */
static int
map_bert(const lc_conv *c, const char *hf, char *out, uint64_t shape[2],
    uint32_t *ndim)
{
	static const struct {
		const char	*hf, *gguf;
		int		 rows, cols;	/* 'E' n_embd, 'F' n_ff, 'V'
						   vocab, 'P' positions, 'T'
						   token types; 0: 1-D */
	} top[] = {
		{ "embeddings.word_embeddings.weight", "token_embd.weight",
		    'V', 'E' },
		{ "embeddings.position_embeddings.weight",
		    "position_embd.weight", 'P', 'E' },
		{ "embeddings.token_type_embeddings.weight",
		    "token_types.weight", 'T', 'E' },
		{ "embeddings.LayerNorm.weight", "token_embd_norm.weight", 'E',
		    0 },
		{ "embeddings.LayerNorm.bias", "token_embd_norm.bias", 'E', 0 },
	}, layer[] = {
		{ "attention.self.query.weight", "attn_q.weight", 'E', 'E' },
		{ "attention.self.query.bias", "attn_q.bias", 'E', 0 },
		{ "attention.self.key.weight", "attn_k.weight", 'E', 'E' },
		{ "attention.self.key.bias", "attn_k.bias", 'E', 0 },
		{ "attention.self.value.weight", "attn_v.weight", 'E', 'E' },
		{ "attention.self.value.bias", "attn_v.bias", 'E', 0 },
		{ "attention.output.dense.weight", "attn_output.weight", 'E',
		    'E' },
		{ "attention.output.dense.bias", "attn_output.bias", 'E', 0 },
		{ "attention.output.LayerNorm.weight",
		    "attn_output_norm.weight", 'E', 0 },
		{ "attention.output.LayerNorm.bias", "attn_output_norm.bias",
		    'E', 0 },
		{ "intermediate.dense.weight", "ffn_up.weight", 'F', 'E' },
		{ "intermediate.dense.bias", "ffn_up.bias", 'F', 0 },
		{ "output.dense.weight", "ffn_down.weight", 'E', 'F' },
		{ "output.dense.bias", "ffn_down.bias", 'E', 0 },
		{ "output.LayerNorm.weight", "layer_output_norm.weight", 'E',
		    0 },
		{ "output.LayerNorm.bias", "layer_output_norm.bias", 'E', 0 },
	};
	char name[512], *end;
	const char *p, *g = NULL;
	unsigned long bid = 0;
	size_t i, n;
	int dims[2] = { 0, 0 };

	if (strncmp(hf, "bert.", 5) == 0)
		hf += 5;
	n = strlen(hf);
	if (n >= sizeof(name) - 8)
		return -1;
	memcpy(name, hf, n + 1);
	if (n >= 6 && strcmp(name + n - 6, ".gamma") == 0)
		strcpy(name + n - 6, ".weight");
	else if (n >= 5 && strcmp(name + n - 5, ".beta") == 0)
		strcpy(name + n - 5, ".bias");
	if (strcmp(name, "embeddings.position_ids") == 0 ||
	    strncmp(name, "pooler.dense.", 13) == 0 ||
	    strncmp(name, "cls.predictions", 15) == 0 ||
	    strncmp(name, "cls.seq_relationship", 20) == 0)
		return 1;
	for (i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		if (strcmp(name, top[i].hf) == 0) {
			g = top[i].gguf;
			dims[0] = top[i].rows;
			dims[1] = top[i].cols;
			strcpy(out, g);
		}
	if (g == NULL) {
		if (strncmp(name, "encoder.layer.", 14) != 0 ||
		    !isdigit((unsigned char)name[14]))
			return -1;
		errno = 0;
		bid = strtoul(name + 14, &end, 10);
		if (errno != 0 || *end != '.' || bid >= c->n_layer ||
		    (name[14] == '0' && end != name + 15))
			return -1;
		p = end + 1;
		for (i = 0; i < sizeof(layer) / sizeof(layer[0]); i++)
			if (strcmp(p, layer[i].hf) == 0) {
				g = layer[i].gguf;
				dims[0] = layer[i].rows;
				dims[1] = layer[i].cols;
				snprintf(out, LC_GGUF_MAX_NAME + 1,
				    "blk.%lu.%s", bid, g);
			}
		if (g == NULL)
			return -1;
	}
	*ndim = dims[1] ? 2 : 1;
	for (i = 0; i < *ndim; i++)
		shape[i] = dims[i] == 'E' ? c->n_embd : dims[i] == 'F' ?
		    c->n_ff : dims[i] == 'V' ? c->n_vocab : dims[i] == 'P' ?
		    c->n_ctx : c->n_type_vocab;
	return 0;
}

#define M(a)	(1u << (a))
#define M_LQ	(M(A_LLAMA) | M(A_QWEN2) | M(A_QWEN3) | M(A_GRANITE) | \
		    M(A_SMOLLM3))
#define M_QKV	(M_LQ | M(A_GEMMA3) | M(A_QWEN3MOE) | M(A_OLMO2)) /* q/k/v/o */
#define M_QN	(M(A_QWEN3) | M(A_GEMMA3) | M(A_QWEN3MOE))	/* q/k norm */
#define M_MLP	(M_LQ | M(A_GEMMA3) | M(A_OLMO2))		/* gate/up/down */
#define M_PN	(M(A_GEMMA3) | M(A_OLMO2))	/* post-attention/-FFN norms */

/* What an HF tensor becomes: its GGUF name and expected shape (HF
   order, rows first).  0: mapped; 1: skipped; -1: unknown name; 2: one
   expert (*expert) of a tensor that stacks them. */
/* Gemma 4 layer il's head_dim, KV heads and feed-forward length. */
static uint64_t
g4_hd(const lc_conv *c, uint64_t il)
{
	return c->is_swa[il] ? c->head_dim : c->hd_full;
}

static uint64_t
g4_kv(const lc_conv *c, uint64_t il)
{
	return c->is_swa[il] || c->n_kv_full == 0 ? c->n_head_kv :
	    c->n_kv_full;
}

static uint64_t
g4_ff(const lc_conv *c, uint64_t il)
{
	return c->double_mlp && il >= c->n_layer - c->n_shared ? 2 * c->n_ff :
	    c->n_ff;
}

/* Gemma 4's names (gguf-py's tensor map); 0 mapped, -1 unknown. */
static int
map_gemma4(const lc_conv *c, const char *hf, char *out, uint64_t shape[2],
    uint32_t *ndim)
{
	static const struct {
		const char	*hf, *gguf;
		int		 rows, cols;	/* 'E' n_embd, 'Q' n_head*hd,
						   'K' kv*hd, 'F' ff, 'D' hd,
						   'P' n_pl, '1' one; 0: 1-D */
	} top[] = {
		{ "model.embed_tokens.weight", "token_embd.weight", 'V', 'E' },
		{ "lm_head.weight", "output.weight", 'V', 'E' },
		{ "model.norm.weight", "output_norm.weight", 'E', 0 },
		{ "model.embed_tokens_per_layer.weight",
		    "per_layer_token_embd.weight", 'W', 'L' },
		{ "model.per_layer_model_projection.weight",
		    "per_layer_model_proj.weight", 'L', 'E' },
		{ "model.per_layer_projection_norm.weight",
		    "per_layer_proj_norm.weight", 'P', 0 },
	}, layer[] = {
		{ "input_layernorm.weight", "attn_norm.weight", 'E', 0 },
		{ "layer_scalar", "layer_output_scale.weight", '1', 0 },
		{ "mlp.down_proj.weight", "ffn_down.weight", 'E', 'F' },
		{ "mlp.gate_proj.weight", "ffn_gate.weight", 'F', 'E' },
		{ "mlp.up_proj.weight", "ffn_up.weight", 'F', 'E' },
		{ "per_layer_input_gate.weight", "inp_gate.weight", 'P', 'E' },
		{ "per_layer_projection.weight", "proj.weight", 'E', 'P' },
		{ "post_attention_layernorm.weight",
		    "post_attention_norm.weight", 'E', 0 },
		{ "post_feedforward_layernorm.weight", "post_ffw_norm.weight",
		    'E', 0 },
		{ "post_per_layer_input_norm.weight", "post_norm.weight", 'E',
		    0 },
		{ "pre_feedforward_layernorm.weight", "ffn_norm.weight", 'E',
		    0 },
		{ "self_attn.k_norm.weight", "attn_k_norm.weight", 'D', 0 },
		{ "self_attn.k_proj.weight", "attn_k.weight", 'K', 'E' },
		{ "self_attn.o_proj.weight", "attn_output.weight", 'E', 'Q' },
		{ "self_attn.q_norm.weight", "attn_q_norm.weight", 'D', 0 },
		{ "self_attn.q_proj.weight", "attn_q.weight", 'Q', 'E' },
		{ "self_attn.v_proj.weight", "attn_v.weight", 'K', 'E' },
	};
	static const char *const mm[] = { "vision_", "audio_", "visual.",
	    "vision.", "audio.", "projector.", "patch_embed" };
	char name[512];
	const char *p;
	char *end;
	unsigned long bid = 0;
	size_t i, n;
	int dims[2];

	/* TextModel.filter_tensors: multimodal tensors are skipped, and
	   "language_model." is dropped from the names */
	for (i = 0; i < sizeof(mm) / sizeof(mm[0]); i++)
		if (strstr(hf, mm[i]) != NULL)
			return 1;
	for (n = 0; *hf != '\0' && n + 1 < sizeof(name); ) {
		if (strncmp(hf, "language_model.", 15) == 0) {
			hf += 15;
			continue;
		}
		name[n++] = *hf++;
	}
	if (*hf != '\0')
		return -1;
	name[n] = '\0';
	hf = name;
	for (i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		if (strcmp(hf, top[i].hf) == 0)
			break;
	if (i < sizeof(top) / sizeof(top[0])) {
		snprintf(out, LC_GGUF_MAX_NAME + 1, "%s", top[i].gguf);
		dims[0] = top[i].rows;
		dims[1] = top[i].cols;
	} else {
		if (strncmp(hf, "model.layers.", 13) != 0 ||
		    !isdigit((unsigned char)hf[13]))
			return -1;
		errno = 0;
		bid = strtoul(hf + 13, &end, 10);
		if (errno != 0 || *end != '.' || bid >= c->n_layer ||
		    (hf[13] == '0' && end != hf + 14))
			return -1;
		p = end + 1;
		for (i = 0; i < sizeof(layer) / sizeof(layer[0]); i++)
			if (strcmp(p, layer[i].hf) == 0)
				break;
		if (i == sizeof(layer) / sizeof(layer[0]))
			return -1;
		snprintf(out, LC_GGUF_MAX_NAME + 1, "blk.%lu.%s", bid,
		    layer[i].gguf);
		dims[0] = layer[i].rows;
		dims[1] = layer[i].cols;
	}
	*ndim = dims[1] ? 2 : 1;
	for (n = 0; n < *ndim; n++)
		shape[n] = dims[n] == 'E' ? c->n_embd :
		    dims[n] == 'V' ? c->n_vocab :
		    dims[n] == 'W' ? c->n_vocab_pl :
		    dims[n] == 'L' ? c->n_layer * c->n_pl :
		    dims[n] == 'P' ? c->n_pl :
		    dims[n] == '1' ? 1 :
		    dims[n] == 'Q' ? c->n_head * g4_hd(c, bid) :
		    dims[n] == 'K' ? g4_kv(c, bid) * g4_hd(c, bid) :
		    dims[n] == 'F' ? g4_ff(c, bid) : g4_hd(c, bid);
	return 0;
}

static int
map_name(const lc_conv *c, const char *hf, char *out, uint64_t shape[2],
    uint32_t *ndim, int *permute, int *expert)
{
	static const struct {
		const char	*hf, *gguf;
		int		 rows, cols;	/* 'E' n_embd, 'Q' n_head*hd,
						   'K' n_head_kv*hd, 'F' n_ff,
						   'D' head_dim, 'W' Q+2K,
						   'G' 2*n_ff, 'X' n_expert,
						   'M' n_ff_exp; 0: 1-D */
		int		 perm;		/* 'q' or 'k' */
		unsigned	 archs;		/* M(A_...) */
	} layer[] = {
		{ "input_layernorm.weight", "attn_norm.weight", 'E', 0, 0,
		    ~M(A_OLMO2) },
		{ "self_attn.q_proj.weight", "attn_q.weight", 'Q', 'E', 'q',
		    M_QKV },
		{ "self_attn.q_proj.bias", "attn_q.bias", 'Q', 0, 'q', M_LQ },
		{ "self_attn.k_proj.weight", "attn_k.weight", 'K', 'E', 'k',
		    M_QKV },
		{ "self_attn.k_proj.bias", "attn_k.bias", 'K', 0, 'k', M_LQ },
		{ "self_attn.v_proj.weight", "attn_v.weight", 'K', 'E', 0,
		    M_QKV },
		{ "self_attn.v_proj.bias", "attn_v.bias", 'K', 0, 0, M_LQ },
		{ "self_attn.qkv_proj.weight", "attn_qkv.weight", 'W', 'E', 0,
		    M(A_PHI3) },
		{ "self_attn.o_proj.weight", "attn_output.weight", 'E', 'Q', 0,
		    ~0u },
		{ "self_attn.o_proj.bias", "attn_output.bias", 'E', 0, 0,
		    M_LQ },
		{ "self_attn.q_norm.weight", "attn_q_norm.weight", 'D', 0, 0,
		    M_QN },
		{ "self_attn.k_norm.weight", "attn_k_norm.weight", 'D', 0, 0,
		    M_QN },
		/* OLMo-2: over the whole projection */
		{ "self_attn.q_norm.weight", "attn_q_norm.weight", 'Q', 0, 0,
		    M(A_OLMO2) },
		{ "self_attn.k_norm.weight", "attn_k_norm.weight", 'K', 0, 0,
		    M(A_OLMO2) },
		{ "post_attention_layernorm.weight", "ffn_norm.weight", 'E', 0,
		    0, M_LQ | M(A_PHI3) | M(A_QWEN3MOE) },
		{ "post_attention_layernorm.weight", "post_attention_norm."
		    "weight", 'E', 0, 0, M_PN },
		{ "pre_feedforward_layernorm.weight", "ffn_norm.weight", 'E',
		    0, 0, M(A_GEMMA3) },
		{ "post_feedforward_layernorm.weight", "post_ffw_norm.weight",
		    'E', 0, 0, M_PN },
		{ "mlp.gate_proj.weight", "ffn_gate.weight", 'F', 'E', 0,
		    M_MLP },
		{ "mlp.up_proj.weight", "ffn_up.weight", 'F', 'E', 0, M_MLP },
		{ "mlp.gate_up_proj.weight", "ffn_up.weight", 'G', 'E', 0,
		    M(A_PHI3) },
		{ "mlp.down_proj.weight", "ffn_down.weight", 'E', 'F', 0,
		    M_MLP | M(A_PHI3) },
		{ "mlp.gate.weight", "ffn_gate_inp.weight", 'X', 'E', 0,
		    M(A_QWEN3MOE) },
	}, experts[] = {
		{ "down_proj.weight", "ffn_down_exps.weight", 'E', 'M', 0,
		    M(A_QWEN3MOE) },
		{ "gate_proj.weight", "ffn_gate_exps.weight", 'M', 'E', 0,
		    M(A_QWEN3MOE) },
		{ "up_proj.weight", "ffn_up_exps.weight", 'M', 'E', 0,
		    M(A_QWEN3MOE) },
	};
	const char *p;
	char *end;
	unsigned long bid, xid;
	size_t i, n = strlen(hf);
	int dims[2];

	*permute = 0;
	*expert = -1;
	if (c->arch == A_BERT)
		return map_bert(c, hf, out, shape, ndim);
	if (c->arch == A_GEMMA4)
		return map_gemma4(c, hf, out, shape, ndim);
	if ((n >= 21 && strcmp(hf + n - 21, ".rotary_emb.inv_freq") == 0) ||
	    (n >= 22 && strcmp(hf + n - 22, ".attention.masked_bias") == 0) ||
	    (n >= 15 && strcmp(hf + n - 15, ".attention.bias") == 0))
		return 1;
	if (strcmp(hf, "model.embed_tokens.weight") == 0 ||
	    strcmp(hf, "lm_head.weight") == 0) {
		strcpy(out, hf[0] == 'l' ? "output.weight" :
		    "token_embd.weight");
		shape[0] = c->n_vocab;
		shape[1] = c->n_embd;
		*ndim = 2;
		return 0;
	}
	if (strcmp(hf, "model.norm.weight") == 0) {
		strcpy(out, "output_norm.weight");
		shape[0] = c->n_embd;
		*ndim = 1;
		return 0;
	}
	if (strncmp(hf, "model.layers.", 13) != 0 || !isdigit((unsigned char)
	    hf[13]))
		return -1;
	errno = 0;
	bid = strtoul(hf + 13, &end, 10);
	if (errno != 0 || *end != '.' || bid >= c->n_layer ||
	    (hf[13] == '0' && end != hf + 14))
		return -1;
	p = end + 1;
	i = sizeof(layer) / sizeof(layer[0]);
	if (c->arch == A_QWEN3MOE && strncmp(p, "mlp.experts.", 12) == 0 &&
	    isdigit((unsigned char)p[12])) {
		xid = strtoul(p + 12, &end, 10);
		if (errno != 0 || *end != '.' || xid >= c->n_expert ||
		    (p[12] == '0' && end != p + 13))
			return -1;
		for (i = 0; i < 3; i++)
			if (strcmp(end + 1, experts[i].hf) == 0)
				break;
		if (i == 3)
			return -1;
		*expert = (int)xid;
		dims[0] = experts[i].rows;
		dims[1] = experts[i].cols;
		snprintf(out, LC_GGUF_MAX_NAME + 1, "blk.%lu.%s", bid,
		    experts[i].gguf);
	} else {
		for (i = 0; i < sizeof(layer) / sizeof(layer[0]); i++)
			if (strcmp(p, layer[i].hf) == 0 &&
			    (layer[i].archs & M(c->arch)))
				break;
		if (i == sizeof(layer) / sizeof(layer[0]))
			return -1;
		snprintf(out, LC_GGUF_MAX_NAME + 1, "blk.%lu.%s", bid,
		    layer[i].gguf);
		dims[0] = layer[i].rows;
		dims[1] = layer[i].cols;
		if (LLAMALIKE(c) && layer[i].perm)
			*permute = (int)(layer[i].perm == 'q' ? c->n_head :
			    c->n_head_kv);
	}
	*ndim = dims[1] ? 2 : 1;
	for (n = 0; n < *ndim; n++)
		shape[n] = dims[n] == 'E' ? c->n_embd :
		    dims[n] == 'Q' ? c->n_head * c->head_dim :
		    dims[n] == 'K' ? c->n_head_kv * c->head_dim :
		    dims[n] == 'F' ? c->n_ff :
		    dims[n] == 'W' ? (c->n_head + 2 * c->n_head_kv) *
		    c->head_dim :
		    dims[n] == 'G' ? 2 * c->n_ff :
		    dims[n] == 'X' ? c->n_expert :
		    dims[n] == 'M' ? c->n_ff_exp : c->head_dim;
	return *expert >= 0 ? 2 : 0;
}

static int
add_tensor(lc_conv *c, const char *file, const lc_st_info *in, lc_err *e)
{
	char gname[LC_GGUF_MAX_NAME + 1];
	uint64_t shape[2];
	uint32_t ndim, d;
	ctensor *t;
	size_t i, n;
	int perm, r, xid;

	r = map_name(c, in->name, gname, shape, &ndim, &perm, &xid);
	if (r == 1)
		return LC_OK;
	if (r < 0)
		return lc_errf(e, LC_EUNSUP, "%s/%s: tensor '%.96s': not a "
		    "tensor of %s (cannot map it to a GGUF name)", c->dir,
		    file, in->name, c->hf_arch);
	for (i = 0; i < c->nt; i++)
		if (strcmp(c->t[i].name, gname) == 0 && (r != 2 ||
		    c->t[i].parts[xid].data != NULL))
			return lc_errf(e, LC_EFORMAT, "%s/%s: tensor '%s': "
			    "also in %s", c->dir, file, in->name,
			    c->t[i].file);
		else if (strcmp(c->t[i].name, gname) == 0)
			break;
	if (in->lc_dtype != LC_F32 && in->lc_dtype != LC_F16 &&
	    in->lc_dtype != LC_BF16)
		return lc_errf(e, LC_EUNSUP, "%s/%s: tensor '%s': type %s "
		    "(only F32, F16 and BF16 are converted)", c->dir, file,
		    in->name, in->dtype);
	if (in->ndim != ndim || in->shape[0] != shape[0] ||
	    (ndim == 2 && in->shape[1] != shape[1])) {
		char got[96], want[64];
		n = 0;
		for (d = 0; d < in->ndim && n < sizeof(got) - 24; d++)
			n += (size_t)snprintf(got + n, sizeof(got) - n,
			    "%s%llu",
			    d ? ", " : "", (unsigned long long)in->shape[d]);
		if (ndim == 2)
			snprintf(want, sizeof(want), "%llu, %llu",
			    (unsigned long long)shape[0],
			    (unsigned long long)shape[1]);
		else
			snprintf(want, sizeof(want), "%llu",
			    (unsigned long long)shape[0]);
		return lc_errf(e, LC_EFORMAT, "%s/%s: tensor '%.96s': shape "
		    "[%s], but config.json says [%s]", c->dir, file, in->name,
		    got, want);
	}
	if (r == 2 && i < c->nt) {		/* another expert */
		t = &c->t[i];
		if (in->lc_dtype != t->src.lc_dtype)
			return lc_errf(e, LC_EFORMAT, "%s/%s: tensor '%.96s': "
			    "type %s, but expert 0 has another", c->dir, file,
			    in->name, in->dtype);
		t->parts[xid] = *in;
		t->nparts++;
		return LC_OK;
	}
	if (c->nt % 64 == 0) {
		if ((t = realloc(c->t, (c->nt + 64) * sizeof(*t))) == NULL)
			return lc_errf(e, LC_ENOMEM, "%s", c->dir);
		c->t = t;
	}
	t = &c->t[c->nt];
	memset(t, 0, sizeof(*t));
	if ((t->hfname = xstrdup(in->name)) == NULL)
		return lc_errf(e, LC_ENOMEM, "%s", c->dir);
	c->nt++;
	snprintf(t->name, sizeof(t->name), "%s", gname);
	t->src = *in;
	t->file = file;
	t->permute = perm;
	t->ndim = ndim;
	t->ne[0] = t->ne[1] = t->ne[2] = t->ne[3] = 1;
	for (d = 0; d < ndim; d++)
		t->ne[d] = shape[ndim - 1 - d];
	t->nelem = in->nelem;
	if (r == 2) {
		if ((t->parts = calloc(c->n_expert, sizeof(*t->parts))) ==
		    NULL)
			return lc_errf(e, LC_ENOMEM, "%s", c->dir);
		t->parts[xid] = *in;
		t->nparts = 1;
		t->ndim = 3;
		t->ne[2] = c->n_expert;
		t->nelem = in->nelem * c->n_expert;
	}
	n = strlen(gname);
	t->force_f32 = ndim <= 1 || (n >= 12 && strcmp(gname + n - 12,
	    "_norm.weight") == 0) || n < 7 || strcmp(gname + n - 7,
	    ".weight") != 0 || strcmp(gname, "position_embd.weight") == 0 ||
	    strcmp(gname, "token_types.weight") == 0 || (n >= 19 &&
	    strcmp(gname + n - 19, "ffn_gate_inp.weight") == 0);
	n = strlen(in->name);
	t->shift1 = c->arch == A_GEMMA3 && n >= 11 && strcmp(in->name + n -
	    11, "norm.weight") == 0;
	return LC_OK;
}

static int
has(const lc_conv *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nt; i++)
		if (strcmp(c->t[i].name, name) == 0)
			return 1;
	return 0;
}

static int
bert_need(const lc_conv *c, lc_err *e)
{
	static const char *const top[][2] = {
		{ "token_embd.weight", "embeddings.word_embeddings.weight" },
		{ "position_embd.weight",
		    "embeddings.position_embeddings.weight" },
		{ "token_types.weight",
		    "embeddings.token_type_embeddings.weight" },
		{ "token_embd_norm.weight", "embeddings.LayerNorm.weight" },
		{ "token_embd_norm.bias", "embeddings.LayerNorm.bias" },
	};
	static const char *const lay[][2] = {
		{ "attn_q", "attention.self.query" },
		{ "attn_k", "attention.self.key" },
		{ "attn_v", "attention.self.value" },
		{ "attn_output", "attention.output.dense" },
		{ "attn_output_norm", "attention.output.LayerNorm" },
		{ "ffn_up", "intermediate.dense" },
		{ "ffn_down", "output.dense" },
		{ "layer_output_norm", "output.LayerNorm" },
	};
	char name[LC_GGUF_MAX_NAME + 1];
	uint64_t i, k, b;

	for (k = 0; k < sizeof(top) / sizeof(top[0]); k++)
		if (!has(c, top[k][0]))
			return lc_errf(e, LC_EFORMAT, "%s: tensor '%s' missing",
			    c->dir, top[k][1]);
	for (i = 0; i < c->n_layer; i++)
		for (k = 0; k < sizeof(lay) / sizeof(lay[0]); k++)
			for (b = 0; b < 2; b++) {
				snprintf(name, sizeof(name), "blk.%llu.%s.%s",
				    (unsigned long long)i, lay[k][0],
				    b ? "bias" : "weight");
				if (!has(c, name))
					return lc_errf(e, LC_EFORMAT, "%s: "
					    "tensor 'encoder.layer.%llu.%s.%s' "
					    "missing", c->dir,
					    (unsigned long long)i, lay[k][1],
					    b ? "bias" : "weight");
			}
	return LC_OK;
}

static int
gemma4_need(const lc_conv *c, lc_err *e)
{
	static const struct {
		const char	*gguf, *hf;
		int		 when;	/* 0 always, 'p' per-layer input,
					   'k' own K/V, 'v' own V */
	} top[] = {
		{ "token_embd", "model.embed_tokens", 0 },
		{ "output_norm", "model.norm", 0 },
		{ "per_layer_token_embd", "model.embed_tokens_per_layer", 'p' },
		{ "per_layer_model_proj", "model.per_layer_model_projection",
		    'p' },
		{ "per_layer_proj_norm", "model.per_layer_projection_norm",
		    'p' },
	}, lay[] = {
		{ "attn_norm", "input_layernorm", 0 },
		{ "attn_q", "self_attn.q_proj", 0 },
		{ "attn_q_norm", "self_attn.q_norm", 0 },
		{ "attn_k", "self_attn.k_proj", 'k' },
		{ "attn_k_norm", "self_attn.k_norm", 'k' },
		{ "attn_v", "self_attn.v_proj", 'v' },
		{ "attn_output", "self_attn.o_proj", 0 },
		{ "post_attention_norm", "post_attention_layernorm", 0 },
		{ "ffn_norm", "pre_feedforward_layernorm", 0 },
		{ "ffn_gate", "mlp.gate_proj", 0 },
		{ "ffn_up", "mlp.up_proj", 0 },
		{ "ffn_down", "mlp.down_proj", 0 },
		{ "post_ffw_norm", "post_feedforward_layernorm", 0 },
		{ "layer_output_scale", "layer_scalar", 0 },
		{ "inp_gate", "per_layer_input_gate", 'p' },
		{ "proj", "per_layer_projection", 'p' },
		{ "post_norm", "post_per_layer_input_norm", 'p' },
	};
	char name[LC_GGUF_MAX_NAME + 1];
	uint64_t i, k, own = c->n_layer - c->n_shared;

	for (k = 0; k < sizeof(top) / sizeof(top[0]); k++) {
		snprintf(name, sizeof(name), "%s.weight", top[k].gguf);
		if ((top[k].when == 0 || c->n_pl > 0) && !has(c, name))
			return lc_errf(e, LC_EFORMAT, "%s: tensor '%s.weight' "
			    "missing", c->dir, top[k].hf);
	}
	for (i = 0; i < c->n_layer; i++)
		for (k = 0; k < sizeof(lay) / sizeof(lay[0]); k++) {
			if ((lay[k].when == 'p' && c->n_pl == 0) ||
			    (lay[k].when == 'k' && i >= own) ||
			    (lay[k].when == 'v' && (i >= own || (c->k_eq_v &&
			    !c->is_swa[i]))))
				continue;
			snprintf(name, sizeof(name), "blk.%llu.%s.weight",
			    (unsigned long long)i, lay[k].gguf);
			if (!has(c, name))
				return lc_errf(e, LC_EFORMAT, "%s: tensor "
				    "'model.layers.%llu.%s%s' missing", c->dir,
				    (unsigned long long)i, lay[k].hf,
				    strcmp(lay[k].hf, "layer_scalar") == 0 ?
				    "" : ".weight");
		}
	return LC_OK;
}

static int
read_tensors(lc_conv *c, lc_err *e)
{
	static const struct {
		const char	*gguf, *hf;
		unsigned	 archs;
	} need[] = {
		{ "attn_norm", "input_layernorm", ~M(A_OLMO2) },
		{ "attn_q", "self_attn.q_proj", M_QKV },
		{ "attn_k", "self_attn.k_proj", M_QKV },
		{ "attn_v", "self_attn.v_proj", M_QKV },
		{ "attn_qkv", "self_attn.qkv_proj", M(A_PHI3) },
		{ "attn_output", "self_attn.o_proj", ~0u },
		{ "attn_q_norm", "self_attn.q_norm", M_QN | M(A_OLMO2) },
		{ "attn_k_norm", "self_attn.k_norm", M_QN | M(A_OLMO2) },
		{ "ffn_norm", "post_attention_layernorm", M_LQ | M(A_PHI3) |
		    M(A_QWEN3MOE) },
		{ "post_attention_norm", "post_attention_layernorm", M_PN },
		{ "ffn_norm", "pre_feedforward_layernorm", M(A_GEMMA3) },
		{ "post_ffw_norm", "post_feedforward_layernorm", M_PN },
		{ "ffn_gate", "mlp.gate_proj", M_MLP },
		{ "ffn_up", "mlp.up_proj", M_MLP },
		{ "ffn_up", "mlp.gate_up_proj", M(A_PHI3) },
		{ "ffn_down", "mlp.down_proj", M_MLP | M(A_PHI3) },
		{ "ffn_gate_inp", "mlp.gate", M(A_QWEN3MOE) },
		{ "ffn_down_exps", "mlp.experts.N.down_proj", M(A_QWEN3MOE) },
		{ "ffn_gate_exps", "mlp.experts.N.gate_proj", M(A_QWEN3MOE) },
		{ "ffn_up_exps", "mlp.experts.N.up_proj", M(A_QWEN3MOE) },
	};
	char path[4096], name[LC_GGUF_MAX_NAME + 1];
	const cJSON *wm, *j;
	cJSON *index = NULL;
	lc_st_info info;
	uint64_t i, k, nidx = 0, nfound = 0;
	size_t s;
	int rc;

	if ((rc = find_shards(c, &index, e)) != LC_OK)
		goto out;
	if ((c->shards = calloc(c->nshards, sizeof(*c->shards))) == NULL) {
		rc = lc_errf(e, LC_ENOMEM, "%s", c->dir);
		goto out;
	}
	wm = jget(index, "weight_map");
	for (s = 0; s < c->nshards; s++) {
		snprintf(path, sizeof(path), "%s/%s", c->dir,
		    c->shard_names[s]);
		if (index != NULL && access(path, F_OK) != 0) {
			cJSON_ArrayForEach(j, wm)
				if (strcmp(j->valuestring,
				    c->shard_names[s]) == 0)
					break;
			rc = lc_errf(e, LC_EIO, "%s/model.safetensors.index."
			    "json: weight_map: %s (tensor '%.96s'): %s",
			    c->dir, c->shard_names[s], j ? j->string : "",
			    strerror(errno));
			goto out;
		}
		if ((rc = lc_st_open(&c->shards[s], path, e)) != LC_OK)
			goto out;
		/* by name, as the converter reads them */
		{
			uint64_t nt = lc_st_ntensors(c->shards[s]);
			lc_st_info *v = malloc((nt ? nt : 1) * sizeof(*v));
			const lc_st_info **ord = malloc((nt ? nt : 1) *
			    sizeof(*ord));
			if (v == NULL || ord == NULL) {
				free(v);
				free(ord);
				rc = lc_errf(e, LC_ENOMEM, "%s", path);
				goto out;
			}
			for (i = 0; i < nt; i++) {
				lc_st_tensor(c->shards[s], i, &v[i]);
				ord[i] = &v[i];
			}
			qsort(ord, nt, sizeof(*ord), cmp_info);
			for (i = 0; i < nt && rc == LC_OK; i++) {
				nfound++;
				if (index != NULL) {
					j = jget(wm, ord[i]->name);
					if (!cJSON_IsString(j) || strcmp(
					    j->valuestring, c->shard_names[s]))
						rc = lc_errf(e, LC_EFORMAT,
						    "%s: tensor '%.96s' is not "
						    "in model.safetensors."
						    "index.json's weight_map "
						    "for this file", path,
						    ord[i]->name);
				}
				if (rc == LC_OK)
					rc = add_tensor(c, c->shard_names[s],
					    ord[i], e);
			}
			free(ord);
			free(v);
			if (rc != LC_OK)
				goto out;
		}
	}
	if (index != NULL) {
		cJSON_ArrayForEach(j, wm)
			nidx++;
		if (nidx != nfound) {
			/* a name in the index that no file has */
			cJSON_ArrayForEach(j, wm) {
				for (s = 0; s < c->nshards; s++)
					if (strcmp(j->valuestring,
					    c->shard_names[s]) == 0)
						break;
				if (lc_st_find(c->shards[s], j->string,
				    &info) != LC_OK)
					break;
			}
			rc = lc_errf(e, LC_EFORMAT, "%s/model.safetensors."
			    "index.json: weight_map: tensor '%.96s' is not "
			    "in %s", c->dir, j ? j->string : "?",
			    j ? j->valuestring : "?");
			goto out;
		}
	}
	/* everything the graph needs */
	if (c->arch == A_BERT) {
		rc = bert_need(c, e);
		goto out;
	}
	if (c->arch == A_GEMMA4) {
		rc = gemma4_need(c, e);
		goto out;
	}
	if (!has(c, "token_embd.weight") || !has(c, "output_norm.weight")) {
		rc = lc_errf(e, LC_EFORMAT, "%s: tensor '%s' missing", c->dir,
		    has(c, "token_embd.weight") ? "model.norm.weight" :
		    "model.embed_tokens.weight");
		goto out;
	}
	for (i = 0; i < c->n_layer; i++)
		for (k = 0; k < sizeof(need) / sizeof(need[0]); k++) {
			if (!(need[k].archs & M(c->arch)))
				continue;
			snprintf(name, sizeof(name), "blk.%llu.%s.weight",
			    (unsigned long long)i, need[k].gguf);
			if (!has(c, name)) {
				rc = lc_errf(e, LC_EFORMAT, "%s: tensor "
				    "'model.layers.%llu.%s.weight' missing",
				    c->dir, (unsigned long long)i, need[k].hf);
				goto out;
			}
		}
	for (i = 0; i < c->nt; i++) {
		ctensor *t = &c->t[i];
		for (k = 0; t->parts != NULL && k < c->n_expert; k++)
			if (t->parts[k].data == NULL) {
				rc = lc_errf(e, LC_EFORMAT, "%s: tensor '%.64s' "
				    "(expert %llu of %s) missing", c->dir,
				    t->name, (unsigned long long)k,
				    t->hfname);
				goto out;
			}
	}
	rc = LC_OK;
out:
	cJSON_Delete(index);
	return rc;
}

/* ------------------------------------------------------------ metadata */

enum { T_BASE = 1, T_SIZE = 2, T_FT = 4, T_VER = 8, T_TYPE = 16 };

static int
ci_eq(const char *a, size_t n, const char *b)
{
	size_t i;

	if (strlen(b) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (tolower((unsigned char)a[i]) != b[i])
			return 0;
	return 1;
}

/* (v|iter)?\d+([.]\d+)* */
static int
is_version(const char *s)
{
	if (tolower((unsigned char)s[0]) == 'v')
		s++;
	else if (strncasecmp(s, "iter", 4) == 0)
		s += 4;
	if (!isdigit((unsigned char)*s))
		return 0;
	while (*s) {
		while (isdigit((unsigned char)*s))
			s++;
		if (*s == '\0')
			return 1;
		if (*s != '.' || !isdigit((unsigned char)s[1]))
			return 0;
		s++;
	}
	return 1;
}

/* i?q\d(_\w)* | b?fp?(16|32) */
static int
is_qtype(const char *s)
{
	const char *p = s;

	if (tolower((unsigned char)*p) == 'i')
		p++;
	if (tolower((unsigned char)*p) == 'q' && isdigit((unsigned char)p[1])) {
		p += 2;
		while (p[0] == '_' && (isalnum((unsigned char)p[1]) ||
		    p[1] == '_'))
			p += 2;
		if (*p == '\0')
			return 1;
	}
	p = s;
	if (tolower((unsigned char)*p) == 'b')
		p++;
	if (tolower((unsigned char)*p) != 'f')
		return 0;
	p++;
	if (tolower((unsigned char)*p) == 'p')
		p++;
	return strcmp(p, "16") == 0 || strcmp(p, "32") == 0;
}

/* (([A]|\d+[x])?\d+([._]\d+)?[KMBT][\d]?|small|mini|medium|large|x?xl) */
static int
is_size(const char *s)
{
	const char *p, *q;
	size_t n = strlen(s);
	int pass;

	if (ci_eq(s, n, "small") || ci_eq(s, n, "mini") ||
	    ci_eq(s, n, "medium") || ci_eq(s, n, "large") ||
	    ci_eq(s, n, "xl") || ci_eq(s, n, "xxl"))
		return 1;
	/* try each way to read the optional prefix */
	for (pass = 0; pass < 3; pass++) {
		p = s;
		if (pass == 1) {
			if (tolower((unsigned char)*p) != 'a')
				continue;
			p++;
		} else if (pass == 2) {
			if (!isdigit((unsigned char)*p))
				continue;
			while (isdigit((unsigned char)*p))
				p++;
			if (tolower((unsigned char)*p) != 'x')
				continue;
			p++;
		}
		if (!isdigit((unsigned char)*p))
			continue;
		while (isdigit((unsigned char)*p))
			p++;
		if ((*p == '.' || *p == '_') && isdigit((unsigned char)p[1])) {
			q = p + 1;
			while (isdigit((unsigned char)*q))
				q++;
			if (strchr("kmbtKMBT", *q) != NULL && *q != '\0' &&
			    (q[1] == '\0' || (isdigit((unsigned char)q[1]) &&
			    q[2] == '\0')))
				return 1;
		}
		if (*p != '\0' && strchr("kmbtKMBT", *p) != NULL &&
		    (p[1] == '\0' || (isdigit((unsigned char)p[1]) &&
		    p[2] == '\0')))
			return 1;
	}
	return 0;
}

typedef struct idparts {
	char	*name, *org, *basename, *finetune, *version, *size;
} idparts;

static void
idparts_free(idparts *p)
{
	free(p->name);
	free(p->org);
	free(p->basename);
	free(p->finetune);
	free(p->version);
	free(p->size);
	memset(p, 0, sizeof(*p));
}

static char *
join(char **parts, const int *types, size_t n, int want, int unwant,
    int dedup)
{
	size_t i, k, len = 0;
	char *s;
	int dup;

	for (i = 0; i < n; i++)
		len += strlen(parts[i]) + 1;
	if ((s = calloc(1, len + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (!(types[i] & want) || (types[i] & unwant))
			continue;
		dup = 0;
		for (k = 0; dedup && k < i; k++)
			if ((types[k] & want) &&
			    strcmp(parts[k], parts[i]) == 0)
				dup = 1;
		if (dup)
			continue;
		if (s[0] != '\0')
			strcat(s, "-");
		strcat(s, parts[i]);
	}
	if (s[0] == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

/*
 * The converter's reading of a model id ("org/Name-7B-Instruct-v2"):
 * full name, organization, basename, finetune, version, size label.
 */
static int
id_components(const char *id, uint64_t total, idparts *out)
{
	char *full, *slash, *parts[64], *buf, *p;
	int types[64] = { 0 }, owned[64] = { 0 };
	size_t n = 0, i, len;
	int digits, at_start;

	memset(out, 0, sizeof(*out));
	if (strchr(id, ' ') != NULL)
		return (out->name = xstrdup(id)) == NULL ? -1 : 0;
	if ((buf = xstrdup(id)) == NULL)
		return -1;
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash = '\0';
		if (buf[0] != '.' && (out->org = xstrdup(buf)) == NULL)
			goto fail;
		full = slash + 1;
	} else
		full = buf;
	if ((out->name = xstrdup(full)) == NULL)
		goto fail;
	for (p = strtok(full, "-"); p != NULL && n < 64;
	    p = strtok(NULL, "-"))
		parts[n++] = p;
	for (i = 0; i < n; i++) {
		types[i] = 0;
		p = parts[i];
		len = strlen(p);
		if (is_version(p))
			types[i] |= T_VER;
		else if (is_qtype(p)) {
			types[i] |= T_TYPE;
			for (; *p; p++)
				*p = (char)toupper((unsigned char)*p);
		} else if (i > 0 && is_size(p)) {
			for (; *p; p++)
				if (*p == '_')
					*p = '.';
			p = parts[i];
			if (isdigit((unsigned char)p[len - 1]) && len >= 2) {
				char a = p[len - 2], b = p[len - 1];
				/* "7b1" -> "7.1b" (one byte longer) */
				char *q = malloc(len + 2);
				if (q == NULL)
					goto fail;
				memcpy(q, p, len - 2);
				q[len - 2] = '.';
				q[len - 1] = b;
				q[len] = a;
				q[len + 1] = '\0';
				parts[i] = q;
				owned[i] = 1;
				p = q;
				len++;
			}
			if (len > 1 && isdigit((unsigned char)p[len - 2]) &&
			    strchr("kmbt", p[len - 1]) != NULL)
				p[len - 1] = (char)toupper((unsigned char)
				    p[len - 1]);
			if (total != 0 && len > 1) {
				char *end;
				double v = strtod(p, &end);
				static const char units[] = " KMBT";
				const char *u = strchr(units, p[len - 1]);
				if (end == p + len - 1 && end != p) {
					double lab = v * pow(1000,
					    u ? u - units : -1);
					if (fabs(lab - (double)total) >
					    (double)(7 * total / 8)) {
						types[i] |= T_FT;
						p[len - 1] = (char)tolower(
						    (unsigned char)p[len - 1]);
					}
				}
			}
			if (types[i] == 0)
				types[i] |= T_SIZE;
		} else if (i > 0 && (ci_eq(p, len, "chat") ||
		    ci_eq(p, len, "instruct") || ci_eq(p, len, "vision") ||
		    ci_eq(p, len, "lora")))
			types[i] |= T_FT;
	}
	digits = 0;
	for (i = 0; i < n; i++)
		if (types[i] & T_SIZE)
			for (p = parts[i]; *p; p++)
				if (isdigit((unsigned char)*p))
					digits = 1;
	if (digits)
		for (i = 0; i < n; i++) {
			int alpha = 1;
			if (!(types[i] & T_SIZE))
				continue;
			for (p = parts[i]; *p; p++)
				if (!isalpha((unsigned char)*p))
					alpha = 0;
			if (alpha)
				types[i] &= ~T_SIZE;
		}
	at_start = 1;
	for (i = 0; i < n; i++) {
		if (at_start && ((types[i] == 0 &&
		    isalpha((unsigned char)parts[i][0])) || (types[i] & T_VER)))
			types[i] |= T_BASE;
		else {
			at_start = 0;
			if (types[i] == 0)
				types[i] |= T_FT;
		}
	}
	for (i = n; i-- > 0;) {
		if ((types[i] & T_BASE) && types[i] != T_BASE)
			types[i] &= ~T_BASE;
		else
			break;
	}
	out->basename = join(parts, types, n, T_BASE, 0, 0);
	out->size = join(parts, types, n, T_SIZE, 0, 1);
	out->finetune = join(parts, types, n, T_FT, 0, 0);
	out->version = join(parts, types, n, T_VER, T_BASE, 0);
	if (out->size == NULL && out->finetune == NULL &&
	    out->version == NULL) {
		free(out->basename);
		out->basename = NULL;
	}
	for (i = 0; i < n; i++)
		if (owned[i])
			free(parts[i]);
	free(buf);
	return 0;
fail:
	for (i = 0; i < n; i++)
		if (owned[i])
			free(parts[i]);
	free(buf);
	idparts_free(out);
	return -1;
}

/* Python's str.title() on ASCII, unless the word is a version or
   starts with a digit or is not all lower case. */
static char *
id_to_title(const char *s)
{
	char *out, *w, *tok, *buf;
	size_t n = strlen(s);
	int lower, cased, prev;

	if ((buf = xstrdup(s)) == NULL || (out = calloc(1, n + 1)) == NULL) {
		free(buf);
		return NULL;
	}
	for (w = buf; *w; w++)
		if (*w == '-')
			*w = ' ';
	for (tok = strtok(buf, " \t\n\r\f\v"); tok != NULL;
	    tok = strtok(NULL, " \t\n\r\f\v")) {
		lower = 1;
		cased = 0;
		for (w = tok; *w; w++) {
			if (isupper((unsigned char)*w))
				lower = 0;
			if (isalpha((unsigned char)*w))
				cased = 1;
		}
		if (lower && cased && !isdigit((unsigned char)tok[0]) &&
		    !(tok[0] == 'v' && is_version(tok))) {
			prev = 0;
			for (w = tok; *w; w++) {
				if (isalpha((unsigned char)*w)) {
					*w = (char)(prev ? tolower(
					    (unsigned char)*w) :
					    toupper((unsigned char)*w));
					prev = 1;
				} else
					prev = 0;
			}
		}
		if (out[0] != '\0')
			strcat(out, " ");
		strcat(out, tok);
	}
	free(buf);
	return out;
}

/* gguf-py's model_weight_count_rounded_notation(n, 2). */
static void
size_label(uint64_t n, char *buf, size_t len)
{
	double x = (double)n, v;
	char suf, tmp[64];
	int fix, digits;

	if (x > 1e12) {
		v = x * 1e-12;
		suf = 'T';
	} else if (x > 1e9) {
		v = x * 1e-9;
		suf = 'B';
	} else if (x > 1e6) {
		v = x * 1e-6;
		suf = 'M';
	} else {
		v = x * 1e-3;
		suf = 'K';
	}
	snprintf(tmp, sizeof(tmp), "%.0f", nearbyint(v));
	digits = tmp[0] == '0' ? (int)strlen(tmp) - 1 : (int)strlen(tmp);
	if (strspn(tmp, "0") == strlen(tmp))
		digits = 0;
	fix = 2 - digits > 0 ? 2 - digits : 0;
	snprintf(buf, len, "%.*f%c", fix, v, suf);
}

/* total: every parameter; lab_n: what the size label counts (shared +
   one expert's when n_exp > 0: "8x73K"). */
static int
put_general(lc_conv *c, uint64_t total, uint64_t lab_n, uint64_t n_exp,
    lc_err *e)
{
	static const struct {
		const char	*src, *alt, *key;
		int		 type;	/* 's', 'i', 'f' */
	} samp[] = {
		{ "sequence", NULL, "general.sampling.sequence", 's' },
		{ "top_k", NULL, "general.sampling.top_k", 'i' },
		{ "top_p", NULL, "general.sampling.top_p", 'f' },
		{ "min_p", NULL, "general.sampling.min_p", 'f' },
		{ "xtc_probability", NULL, "general.sampling.xtc_probability",
		    'f' },
		{ "xtc_threshold", NULL, "general.sampling.xtc_threshold",
		    'f' },
		{ "temperature", NULL, "general.sampling.temp", 'f' },
		{ "penalty_last_n", NULL, "general.sampling.penalty_last_n",
		    'i' },
		{ "penalty_repeat", "repetition_penalty",
		    "general.sampling.penalty_repeat", 'f' },
		{ "mirostat", NULL, "general.sampling.mirostat", 'i' },
		{ "mirostat_tau", NULL, "general.sampling.mirostat_tau", 'f' },
		{ "mirostat_eta", NULL, "general.sampling.mirostat_eta", 'f' },
	};
	idparts a = { 0 }, b = { 0 };
	char *name = NULL, *org = NULL, *base, *ft, *ver, *sz, lab[64];
	const char *dirname;
	const cJSON *j;
	char *dcopy = NULL, *slash;
	size_t i;
	int64_t iv;
	int rc = LC_OK;

	if ((rc = put_str(c, "general.architecture", c->gguf_arch, e)))
		return rc;
	/* Phi3 adds it while generating its factor tensors, before the
	   metadata */
	if (c->n_rfac > 0 && (rc = put_f32(c, "phi3.rope.scaling.attn_factor",
	    c->attn_factor, e)))
		return rc;
	if ((rc = put_str(c, "general.type", "model", e)))
		return rc;
	for (i = 0; c->gencfg != NULL && i < sizeof(samp) / sizeof(samp[0]);
	    i++) {
		j = jget(c->gencfg, samp[i].src);
		if ((j == NULL || cJSON_IsNull(j)) && samp[i].alt != NULL)
			j = jget(c->gencfg, samp[i].alt);
		if (j == NULL || cJSON_IsNull(j))
			continue;
		if (samp[i].type == 's' && cJSON_IsString(j))
			rc = put_str(c, samp[i].key, j->valuestring, e);
		else if (samp[i].type == 'i' && jint(j, &iv) &&
		    iv >= INT32_MIN && iv <= INT32_MAX)
			rc = put_i32(c, samp[i].key, (int32_t)iv, e);
		else if (samp[i].type == 'f' && cJSON_IsNumber(j))
			rc = put_f32(c, samp[i].key, j->valuedouble, e);
		else
			rc = lc_errf(e, LC_EFORMAT, "%s/generation_config.json:"
			    " %s: wrong type", c->dir, samp[i].src);
		if (rc != LC_OK)
			return rc;
	}

	/* config.json _name_or_path (a model id, not a path), then the
	   directory's name */
	j = jget(c->config, "_name_or_path");
	if (cJSON_IsString(j)) {
		const char *s = j->valuestring;
		int nsl = 0;
		for (; *s; s++)
			nsl += *s == '/';
		if (nsl <= 1 && id_components(j->valuestring, total, &a) != 0)
			goto nomem;
	}
	if ((dcopy = xstrdup(c->dir)) == NULL)
		goto nomem;
	while (strlen(dcopy) > 1 && dcopy[strlen(dcopy) - 1] == '/')
		dcopy[strlen(dcopy) - 1] = '\0';
	slash = strrchr(dcopy, '/');
	dirname = slash ? slash + 1 : dcopy;
	if (strcmp(dirname, ".") == 0 || strcmp(dcopy, "/") == 0)
		dirname = "";
	if (id_components(dirname, total, &b) != 0)
		goto nomem;
#define PICK(f) (a.f != NULL ? a.f : b.f)
	if ((name = id_to_title(PICK(name) ? PICK(name) : dirname)) == NULL)
		goto nomem;
	if (PICK(org) != NULL && (org = id_to_title(PICK(org))) == NULL)
		goto nomem;
	base = PICK(basename);
	ft = PICK(finetune);
	ver = PICK(version);
	sz = PICK(size);
#undef PICK
	if ((rc = put_str(c, "general.name", name, e)) ||
	    (ver && (rc = put_str(c, "general.version", ver, e))) ||
	    (org && (rc = put_str(c, "general.organization", org, e))) ||
	    (ft && (rc = put_str(c, "general.finetune", ft, e))) ||
	    (base && (rc = put_str(c, "general.basename", base, e))))
		goto out;
	if (sz == NULL && total > 0) {
		int np = n_exp > 0 ? snprintf(lab, sizeof(lab), "%llux",
		    (unsigned long long)n_exp) : 0;
		size_label(lab_n, lab + np, sizeof(lab) - (size_t)np);
		sz = lab;
	}
	if (sz != NULL)
		rc = put_str(c, "general.size_label", sz, e);
	goto out;
nomem:
	rc = lc_errf(e, LC_ENOMEM, "%s: general.name", c->dir);
out:
	free(dcopy);
	free(name);
	free(org);
	idparts_free(&a);
	idparts_free(&b);
	return rc;
}

static int
put_hparams(lc_conv *c, uint32_t ftype, lc_err *e)
{
	char k[128];
	const char *rt;
	int rc, found;
	double v;

	uint64_t *per = NULL, il;
	uint8_t *pat;

	if (c->arch == A_GEMMA4 && (per = malloc(c->n_layer *
	    sizeof(*per))) == NULL)
		return lc_errf(e, LC_ENOMEM, "%s", c->dir);
	/* Gemma 4's per-layer arrays take the scalars' places */
	for (il = 0; per != NULL && il < c->n_layer; il++)
		per[il] = g4_ff(c, il);
	if ((archkey(c, k, sizeof(k), "block_count"),
	    rc = put_u32(c, k, c->n_layer, e)) ||
	    (archkey(c, k, sizeof(k), "context_length"),
	    rc = put_u32(c, k, c->n_ctx, e)) ||
	    (archkey(c, k, sizeof(k), "embedding_length"),
	    rc = put_u32(c, k, c->n_embd, e)) ||
	    (archkey(c, k, sizeof(k), "feed_forward_length"),
	    rc = per != NULL && c->double_mlp ?
	    put_u64s(c, k, per, c->n_layer, e) : put_u32(c, k, c->n_ff, e)) ||
	    (archkey(c, k, sizeof(k), "attention.head_count"),
	    rc = put_u32(c, k, c->n_head, e)))
		goto out;
	if (c->arch == A_BERT) {
		if ((archkey(c, k, sizeof(k), "attention.layer_norm_epsilon"),
		    rc = put_f32(c, k, c->norm_eps, e)) ||
		    (rc = put_u32(c, "general.file_type", ftype, e)) ||
		    (archkey(c, k, sizeof(k), "attention.causal"),
		    rc = put_bool(c, k, 0, e)) ||
		    (c->pooling >= 0 && (archkey(c, k, sizeof(k),
		    "pooling_type"), rc = put_u32(c, k, (uint64_t)c->pooling,
		    e))))
			return rc;
		return put_u32(c, "general.quantization_version", 2, e);
	}
	for (il = 0; per != NULL && il < c->n_layer; il++)
		per[il] = g4_kv(c, il);
	if ((archkey(c, k, sizeof(k), "attention.head_count_kv"),
	    rc = per != NULL && c->n_kv_full != 0 ?
	    put_u64s(c, k, per, c->n_layer, e) :
	    put_u32(c, k, c->n_head_kv, e)))
		goto out;
	free(per);
	per = NULL;
	if (c->arch != A_GEMMA4 && (rt = rope_type(c)) != NULL) {
		int lin = strcmp(rt, "linear") == 0, yarn = !strcmp(rt, "yarn");
		v = rope_num(c, "factor", 0, &found);
		if ((lin || yarn) && found) {
			archkey(c, k, sizeof(k), "rope.scaling.type");
			if ((rc = put_str(c, k, rt, e)))
				return rc;
			archkey(c, k, sizeof(k), "rope.scaling.factor");
			if ((rc = put_f32(c, k, v, e)))
				return rc;
		}
		if (yarn && found) {
			static const struct { const char *a, *b, *key; } y[] = {
				{ "extrapolation_factor", NULL,
				    "rope.scaling.yarn_ext_factor" },
				{ "attention_factor", "attn_factor",
				    "rope.scaling.yarn_attn_factor" },
				{ "beta_fast", NULL,
				    "rope.scaling.yarn_beta_fast" },
				{ "beta_slow", NULL,
				    "rope.scaling.yarn_beta_slow" },
			};
			size_t i;
			v = rope_num(c, "original_max_position_embeddings", 0,
			    &found);
			if (!found || v < 0 || v > UINT32_MAX || v != floor(v))
				return lc_errf(e, LC_EFORMAT, "%s/config.json: "
				    "rope_parameters: original_max_position_"
				    "embeddings: missing or not an integer",
				    c->dir);
			archkey(c, k, sizeof(k),
			    "rope.scaling.original_context_length");
			if ((rc = put_u32(c, k, (uint64_t)v, e)))
				return rc;
			for (i = 0; i < sizeof(y) / sizeof(y[0]); i++) {
				const cJSON *j = jget(c->rope, y[i].a);
				if (j == NULL && y[i].b != NULL)
					j = jget(c->rope, y[i].b);
				if (!cJSON_IsNumber(j))
					continue;
				archkey(c, k, sizeof(k), y[i].key);
				if ((rc = put_f32(c, k, j->valuedouble, e)))
					return rc;
			}
		} else if (strcmp(rt, "su") == 0 || !strcmp(rt, "longrope"))
			return lc_errf(e, LC_EUNSUP, "%s/config.json: rope "
			    "type '%s' is not supported for %s", c->dir, rt,
			    c->hf_arch);
	}
	if ((archkey(c, k, sizeof(k), "rope.freq_base"),
	    rc = put_f32(c, k, c->rope_theta, e)) ||
	    ((c->arch == A_GEMMA3 || c->arch == A_GEMMA4) && (archkey(c, k,
	    sizeof(k), "rope.freq_base_swa"), rc = put_f32(c, k,
	    c->swa_theta, e))) ||
	    (archkey(c, k, sizeof(k), "attention.layer_norm_rms_epsilon"),
	    rc = put_f32(c, k, c->rms_eps, e)))
		return rc;
	if (c->arch == A_QWEN3MOE &&
	    ((archkey(c, k, sizeof(k), "expert_count"),
	    rc = put_u32(c, k, c->n_expert, e)) ||
	    (archkey(c, k, sizeof(k), "expert_used_count"),
	    rc = put_u32(c, k, c->n_expert_used, e))))
		return rc;
	if (c->has_head_dim &&
	    ((archkey(c, k, sizeof(k), "attention.key_length"),
	    rc = put_u32(c, k, c->arch == A_GEMMA4 ? c->hd_full :
	    c->head_dim, e)) ||
	    (archkey(c, k, sizeof(k), "attention.value_length"),
	    rc = put_u32(c, k, c->arch == A_GEMMA4 ? c->hd_full :
	    c->head_dim, e))))
		return rc;
	if ((rc = put_u32(c, "general.file_type", ftype, e)))
		return rc;
	if (LLAMALIKE(c) &&
	    ((archkey(c, k, sizeof(k), "vocab_size"),
	    rc = put_u32(c, k, c->n_vocab, e)) ||
	    (archkey(c, k, sizeof(k), "rope.dimension_count"),
	    rc = put_u32(c, k, c->head_dim, e))))
		return rc;
	if (c->arch == A_GRANITE) {
		static const char *const gk[4] = { "attention.scale",
		    "embedding_scale", "residual_scale", "logit_scale" };
		size_t i;
		for (i = 0; i < 4; i++)		/* written when non-zero */
			if (c->gscale[i] != 0 && (archkey(c, k, sizeof(k),
			    gk[i]), rc = put_f32(c, k, c->gscale[i], e)))
				return rc;
	}
	if (c->arch == A_QWEN3MOE &&
	    (archkey(c, k, sizeof(k), "expert_feed_forward_length"),
	    rc = put_u32(c, k, c->n_ff_exp, e)))
		return rc;
	if ((c->arch == A_GEMMA3 || c->arch == A_GEMMA4) &&
	    ((c->softcap != 0 &&
	    (archkey(c, k, sizeof(k), "final_logit_softcapping"),
	    rc = put_f32(c, k, c->softcap, e))) || (c->has_swa &&
	    (archkey(c, k, sizeof(k), "attention.sliding_window"),
	    rc = put_u32(c, k, c->swa, e)))))
		return rc;
	if (c->arch == A_GEMMA4) {
		if ((pat = malloc(c->n_layer)) == NULL)
			return lc_errf(e, LC_ENOMEM, "%s", c->dir);
		memcpy(pat, c->is_swa, c->n_layer);
		if ((archkey(c, k, sizeof(k), "attention.shared_kv_layers"),
		    rc = put_u32(c, k, c->n_shared, e)) ||
		    (archkey(c, k, sizeof(k),
		    "embedding_length_per_layer_input"),
		    rc = put_u32(c, k, c->n_pl, e))) {
			free(pat);
			return rc;
		}
		if ((archkey(c, k, sizeof(k), "attention.sliding_window_pattern"),
		    rc = put_bools(c, k, pat, c->n_layer, e)) ||
		    (archkey(c, k, sizeof(k), "attention.key_length_swa"),
		    rc = put_u32(c, k, c->head_dim, e)) ||
		    (archkey(c, k, sizeof(k), "attention.value_length_swa"),
		    rc = put_u32(c, k, c->head_dim, e)) ||
		    (archkey(c, k, sizeof(k), "rope.dimension_count"),
		    rc = put_u32(c, k, c->hd_full, e)) ||
		    (archkey(c, k, sizeof(k), "rope.dimension_count_swa"),
		    rc = put_u32(c, k, (uint64_t)((double)c->head_dim *
		    c->prf_swa), e)))
			return rc;
	}
	return put_u32(c, "general.quantization_version", 2, e);
out:
	free(per);
	return rc;
}

/* Phi3Model.set_gguf_parameters: its own keys in its own order. */
static int
put_hparams_phi3(lc_conv *c, uint32_t ftype, lc_err *e)
{
	char k[128];
	int rc;

	if ((archkey(c, k, sizeof(k), "context_length"),
	    rc = put_u32(c, k, c->n_ctx, e)) ||
	    (archkey(c, k, sizeof(k), "rope.scaling.original_context_length"),
	    rc = put_u32(c, k, c->orig_ctx, e)) ||
	    (archkey(c, k, sizeof(k), "embedding_length"),
	    rc = put_u32(c, k, c->n_embd, e)) ||
	    (archkey(c, k, sizeof(k), "feed_forward_length"),
	    rc = put_u32(c, k, c->n_ff, e)) ||
	    (archkey(c, k, sizeof(k), "block_count"),
	    rc = put_u32(c, k, c->n_layer, e)) ||
	    (archkey(c, k, sizeof(k), "attention.head_count"),
	    rc = put_u32(c, k, c->n_head, e)) ||
	    (archkey(c, k, sizeof(k), "attention.head_count_kv"),
	    rc = put_u32(c, k, c->n_head_kv, e)) ||
	    (archkey(c, k, sizeof(k), "attention.layer_norm_rms_epsilon"),
	    rc = put_f32(c, k, c->rms_eps, e)) ||
	    (archkey(c, k, sizeof(k), "rope.dimension_count"),
	    rc = put_u32(c, k, c->rope_dims, e)) ||
	    (archkey(c, k, sizeof(k), "rope.freq_base"),
	    rc = put_f32(c, k, c->rope_theta, e)) ||
	    (rc = put_u32(c, "general.file_type", ftype, e)) ||
	    (archkey(c, k, sizeof(k), "attention.sliding_window"),
	    rc = put_u32(c, k, c->swa, e)))
		return rc;
	return put_u32(c, "general.quantization_version", 2, e);
}

/* ------------------------------------------------------------ tokenizer */

/* ByteLevel with its regex (use_regex defaults to true). */
static int
bytelevel(const cJSON *j, int want_regex)
{
	const cJSON *r = jget(j, "use_regex");
	int regex = r == NULL || cJSON_IsTrue(r);

	return cJSON_IsString(jget(j, "type")) &&
	    strcmp(jget(j, "type")->valuestring, "ByteLevel") == 0 &&
	    regex == want_regex;
}

static const char *
tell_pre(const cJSON *pt)
{
	static const char re_llama3[] =
	    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|"
	    "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|"
	    "\\s+(?!\\S)|\\s+";
	static const char re_qwen2[] =
	    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|"
	    "\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|"
	    "\\s+(?!\\S)|\\s+";
	const cJSON *ty = jget(pt, "type"), *list, *a, *b, *re;

	if (!cJSON_IsString(ty))
		return NULL;
	if (bytelevel(pt, 1))
		return "gpt-2";
	if (strcmp(ty->valuestring, "Sequence") != 0)
		return NULL;
	list = jget(pt, "pretokenizers");
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) != 2)
		return NULL;
	a = cJSON_GetArrayItem(list, 0);
	b = cJSON_GetArrayItem(list, 1);
	ty = jget(a, "type");
	if (!cJSON_IsString(ty))
		return NULL;
	if (strcmp(ty->valuestring, "Digits") == 0 &&
	    cJSON_IsTrue(jget(a, "individual_digits")) && bytelevel(b, 1))
		return "smollm";
	if (strcmp(ty->valuestring, "Split") != 0 || !bytelevel(b, 0))
		return NULL;
	re = jget(jget(a, "pattern"), "Regex");
	if (!cJSON_IsString(re) || !cJSON_IsString(jget(a, "behavior")) ||
	    strcmp(jget(a, "behavior")->valuestring, "Isolated") != 0 ||
	    cJSON_IsTrue(jget(a, "invert")))
		return NULL;
	if (strcmp(re->valuestring, re_llama3) == 0)
		return "llama-bpe";
	if (strcmp(re->valuestring, re_qwen2) == 0)
		return "qwen2";
	return NULL;
}

/*
 * A WordPiece tokenizer's tokenizer.ggml.pre: as the converter's
 * get_vocab_base_pre() names it, by the sha256 of the ids (written as a
 * Python list) of its check text, [CLS] and [SEP] included.  Only the
 * WordPiece entries of its table; of two entries with one hash the
 * later wins, as there.
 */
static int
wpm_pre(lc_conv *c, lc_err *e)
{
	static const char chktxt[] =
	    "\n \n\n \n\n\n \t \t\t \t\n  \n   \n    \n     \n\360\237"
	    "\232\200 (normal) \360\237\230\266\342\200\215\360\237\214"
	    "\253\357\270\217 (multiple emojis concatenated) \342\234\205"
	    " \360\237\246\231\360\237\246\231 3 33 333 3333 33333 333333"
	    " 3333333 33333333 3.3 3..3 3...3 \341\236\200\341\236\266"
	    "\341\236\223\341\237\213\341\236\217\341\237\202\341\236\226"
	    "\341\236\267\341\236\237\341\237\201\341\236\237\341\236\242"
	    "\341\236\266\341\236\205\360\237\230\201 \?\346\210\221\346"
	    "\203\263\345\234\250apple\345\267\245\344\275\2341314151\345"
	    "\244\251\357\275\236 ------======= \320\275\320\265\321\211"
	    "\320\276 \320\275\320\260 \320\221\321\212\320\273\320\263"
	    "\320\260\321\200\321\201\320\272\320\270 ''''''```````\"\"\""
	    "\"......!!!!!!\?\?\?\?\?\? I've been 'told he's there, 'RE y"
	    "ou sure\? 'M not sure I'll make it, 'D you like some tea\? W"
	    "e'Ve a'lL";
	static const char *const known[][2] = {
		{ "0876d13b50744004aa9aeae05e7b0647eac9d801b5ba4668afc01e709c15"
		    "e19f", "jina-v2-en" },	/* BAAI/bge-small-en-v1.5 too */
		{ "8e62295832751ca1e8f92f2226f403dea30dc5165e448b5bfa05af5340c6"
		    "4ec7", "bert-bge-large" },
		{ "c7699093ba4255a91e702aa38a596aa81669f3525dae06c2953267dde580"
		    "f448", "jina-v1-en" },
	};
	char path[4096], hex[65], *buf = NULL;
	int32_t *ids = NULL;
	size_t n = 0, cap = 0, i, len = 0;
	lc_tok *t = NULL;
	int rc;

	snprintf(path, sizeof(path), "%s/tokenizer.json", c->dir);
	if ((rc = lc_tok_new_hf(&t, path, e)) != LC_OK)
		return rc;
	if ((rc = lc_tok_encode(t, chktxt, sizeof(chktxt) - 1, 1, 1, &ids, &n,
	    &cap, e)) != LC_OK)
		goto out;
	if ((buf = malloc(n * 13 + 3)) == NULL) {
		rc = lc_errf(e, LC_ENOMEM, "%s", path);
		goto out;
	}
	buf[len++] = '[';
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(buf + len, "%s%ld", i ? ", " : "",
		    (long)ids[i]);
	buf[len++] = ']';
	lc_sha256_buf(buf, len, hex);
	for (i = sizeof(known) / sizeof(known[0]); i-- > 0;)
		if (strcmp(hex, known[i][0]) == 0) {
			snprintf(c->pre, sizeof(c->pre), "%s", known[i][1]);
			goto out;
		}
	rc = lc_errf(e, LC_EUNSUP, "%s: a WordPiece vocabulary llm-quant "
	    "cannot name (check-text hash %.16s...); give --pre-tokenizer "
	    "NAME (llama.cpp's tokenizer.ggml.pre)", path, hex);
out:
	free(buf);
	free(ids);
	lc_tok_free(t);
	return rc;
}

static int
looks_special(const char *s)
{
	size_t n = strlen(s);

	if (!strcmp(s, "<pad>") || !strcmp(s, "<mask>") ||
	    !strcmp(s, "<2mass>") || !strcmp(s, "[@BOS@]"))
		return 1;
	if (n >= 4 && !strncmp(s, "<|", 2) && !strcmp(s + n - 2, "|>"))
		return 1;
	/* <｜ ... ｜> (U+FF5C) */
	if (n >= 8 && !strncmp(s, "<\xef\xbd\x9c", 4) &&
	    !strcmp(s + n - 4, "\xef\xbd\x9c>"))
		return 1;
	return n >= 8 && !strncmp(s, "<unused", 7) && s[n - 1] == '>';
}

/* "▁" (U+2581) -> " " in place. */
static void
unspace(char *s)
{
	char *w = s;

	while (*s) {
		if (!strncmp(s, "\xe2\x96\x81", 3)) {
			*w++ = ' ';
			s += 3;
		} else
			*w++ = *s++;
	}
	*w = '\0';
}

/* ---- SentencePiece (tokenizer.model: a ModelProto) ---- */

static int
pb_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t r = 0;
	int sh = 0;

	while (*p < end && sh < 64) {
		uint8_t b = *(*p)++;
		r |= (uint64_t)(b & 0x7f) << sh;
		if (!(b & 0x80)) {
			*v = r;
			return 0;
		}
		sh += 7;
	}
	return -1;
}

/* Skips a field of wire type wt; -1 if malformed (groups included). */
static int
pb_skip(const uint8_t **p, const uint8_t *end, unsigned wt)
{
	uint64_t v;

	switch (wt) {
	case 0:
		return pb_varint(p, end, &v);
	case 1:
	case 5:
		v = wt == 1 ? 8 : 4;
		break;
	case 2:
		if (pb_varint(p, end, &v) != 0)
			return -1;
		break;
	default:
		return -1;
	}
	if (v > (uint64_t)(end - *p))
		return -1;
	*p += v;
	return 0;
}

typedef struct sppiece {
	const uint8_t	*s;
	size_t		 len;
	float		 score;
	uint64_t	 type;		/* 1 NORMAL ... 6 BYTE */
} sppiece;

/* The pieces of ModelProto field 1 (piece 1, score 2, type 3). */
static int
spm_pieces(const uint8_t *p, size_t n, sppiece **out, uint64_t *np)
{
	const uint8_t *end = p + n, *q, *qe;
	uint64_t key, len, v, cap = 0;
	sppiece *pc = NULL, *tmp;

	*np = 0;
	while (p < end) {
		if (pb_varint(&p, end, &key) != 0)
			goto bad;
		if ((key >> 3) != 1 || (key & 7) != 2) {
			if (pb_skip(&p, end, (unsigned)(key & 7)) != 0)
				goto bad;
			continue;
		}
		if (pb_varint(&p, end, &len) != 0 || len > (uint64_t)(end - p))
			goto bad;
		q = p;
		qe = p + len;
		p = qe;
		if (*np == cap) {
			cap = cap ? 2 * cap : 1024;
			if ((tmp = realloc(pc, cap * sizeof(*pc))) == NULL) {
				free(pc);
				return -2;
			}
			pc = tmp;
		}
		memset(&pc[*np], 0, sizeof(pc[*np]));
		pc[*np].type = 1;
		while (q < qe) {
			if (pb_varint(&q, qe, &key) != 0)
				goto bad;
			if ((key >> 3) == 1 && (key & 7) == 2) {
				if (pb_varint(&q, qe, &v) != 0 ||
				    v > (uint64_t)(qe - q))
					goto bad;
				pc[*np].s = q;
				pc[*np].len = (size_t)v;
				q += v;
			} else if ((key >> 3) == 2 && (key & 7) == 5) {
				uint32_t u;
				if (qe - q < 4)
					goto bad;
				u = (uint32_t)q[0] | (uint32_t)q[1] << 8 |
				    (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
				memcpy(&pc[*np].score, &u, 4);
				q += 4;
			} else if ((key >> 3) == 3 && (key & 7) == 0) {
				if (pb_varint(&q, qe, &pc[*np].type) != 0)
					goto bad;
			} else if (pb_skip(&q, qe, (unsigned)(key & 7)) != 0)
				goto bad;
		}
		if (pc[*np].s == NULL)
			goto bad;
		(*np)++;
	}
	*out = pc;
	return 0;
bad:
	free(pc);
	return -1;
}

static int looks_special(const char *s);
static void unspace(char *s);

/*
 * Phi3 (Phi3MiniModel.set_vocab): an added token, from
 * tokenizer_config.json's added_tokens_decoder or tokenizer.json's
 * added_tokens, becomes CONTROL if special, else USER_DEFINED, score
 * -1000, its text unchanged; an id past the vocabulary is an error
 * (the converter fails on it).
 */
static int
phi3_added(lc_conv *c, const char *file, const char *id_s, const cJSON *j,
    char **tokens, int32_t *types, float *scores, lc_err *e)
{
	const cJSON *ct = jget(j, "content");
	unsigned long long id;
	int64_t v;
	char *end;

	if (id_s != NULL) {
		errno = 0;
		id = strtoull(id_s, &end, 10);
		if (errno != 0 || end == id_s || *end != '\0')
			id = ULLONG_MAX;
	} else
		id = jint(jget(j, "id"), &v) && v >= 0 ? (unsigned long long)v :
		    ULLONG_MAX;
	if (id == ULLONG_MAX || !cJSON_IsString(ct))
		return lc_errf(e, LC_EFORMAT, "%s/%s: an added token without "
		    "an id or a content", c->dir, file);
	if (id >= c->n_vocab)
		return lc_errf(e, LC_EFORMAT, "%s/%s: added token '%.64s': id "
		    "%llu is not below vocab_size %llu", c->dir, file,
		    ct->valuestring, id, (unsigned long long)c->n_vocab);
	free(tokens[id]);
	if ((tokens[id] = xstrdup(ct->valuestring)) == NULL)
		return lc_errf(e, LC_ENOMEM, "%s", c->dir);
	scores[id] = -1000.0f;
	types[id] = cJSON_IsTrue(jget(j, "special")) ? 3 : 4;
	return LC_OK;
}

/*
 * The converter's _create_vocab_sentencepiece(): vocab_size tokens,
 * "[PADi]" (UNUSED, score -10000) where tokenizer.model has no piece;
 * then added_tokens.json (USER_DEFINED) and tokenizer_config.json's
 * added_tokens_decoder (CONTROL if special or looking special, else
 * USER_DEFINED with U+2581 as a space), both with score -1000.  For
 * Phi3 its own variant: more pieces than vocab_size is an error, added
 * tokens as phi3_added() says, tokenizer.json's added_tokens too.
 */
static int
read_vocab_spm(lc_conv *c, lc_err *e)
{
	char path[4096], *buf = NULL, **tokens = NULL, *end;
	uint64_t i, n = c->n_vocab, np = 0;
	sppiece *pc = NULL;
	int32_t *types = NULL;
	float *scores = NULL;
	cJSON *added = NULL;
	const cJSON *j, *atd;
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "%s/tokenizer.model", c->dir);
	if ((rc = lc_slurp(path, MAX_JSON, &buf, &len, e)) != LC_OK)
		return rc;
	if ((rc = spm_pieces((const uint8_t *)buf, len, &pc, &np)) != 0) {
		rc = rc == -2 ? lc_errf(e, LC_ENOMEM, "%s", path) :
		    lc_errf(e, LC_EFORMAT, "%s: not a SentencePiece model "
		    "(malformed protobuf)", path);
		goto out;
	}
	if (np == 0) {
		rc = lc_errf(e, LC_EFORMAT, "%s: no pieces", path);
		goto out;
	}
	if ((tokens = calloc(n, sizeof(*tokens))) == NULL ||
	    (types = calloc(n, sizeof(*types))) == NULL ||
	    (scores = calloc(n, sizeof(*scores))) == NULL)
		goto nomem;
	if (c->arch == A_PHI3 && np > n) {
		rc = lc_errf(e, LC_EFORMAT, "%s: %llu pieces, more than "
		    "vocab_size %llu of config.json", path,
		    (unsigned long long)np, (unsigned long long)n);
		goto out;
	}
	for (i = 0; i < n; i++) {
		char pad[32];
		if (i < np) {
			if (memchr(pc[i].s, 0, pc[i].len) != NULL) {
				rc = lc_errf(e, LC_EFORMAT, "%s: piece %llu "
				    "contains a NUL byte", path,
				    (unsigned long long)i);
				goto out;
			}
			if ((tokens[i] = malloc(pc[i].len + 1)) == NULL)
				goto nomem;
			memcpy(tokens[i], pc[i].s, pc[i].len);
			tokens[i][pc[i].len] = '\0';
			scores[i] = pc[i].score;
			types[i] = pc[i].type == 2 || pc[i].type == 3 ||
			    pc[i].type == 5 || pc[i].type == 6 ?
			    (int32_t)pc[i].type : 1;
			continue;
		}
		snprintf(pad, sizeof(pad), "[PAD%llu]", (unsigned long long)i);
		if ((tokens[i] = xstrdup(pad)) == NULL)
			goto nomem;
		scores[i] = -10000.0f;
		types[i] = 5;
	}
	if ((rc = readjson(c, "added_tokens.json", 0, &added, e)) != LC_OK)
		goto out;
	cJSON_ArrayForEach(j, added) {
		int64_t id;
		if (!jint(j, &id) || id < 0) {
			rc = lc_errf(e, LC_EFORMAT, "%s/added_tokens.json: "
			    "'%.64s': not a token id", c->dir, j->string);
			goto out;
		}
		if ((uint64_t)id >= n)
			continue;
		free(tokens[id]);
		if ((tokens[id] = xstrdup(j->string)) == NULL)
			goto nomem;
		scores[id] = -1000.0f;
		types[id] = 4;
	}
	if (c->arch == A_PHI3) {
		cJSON_ArrayForEach(j, jget(c->tokcfg, "added_tokens_decoder"))
			if ((rc = phi3_added(c, "tokenizer_config.json",
			    j->string, j, tokens, types, scores, e)) != LC_OK)
				goto out;
		cJSON_ArrayForEach(j, jget(c->tok, "added_tokens"))
			if ((rc = phi3_added(c, "tokenizer.json", NULL, j,
			    tokens, types, scores, e)) != LC_OK)
				goto out;
	}
	atd = c->arch == A_PHI3 ? NULL : jget(c->tokcfg,
	    "added_tokens_decoder");
	cJSON_ArrayForEach(j, atd) {
		const cJSON *ct = jget(j, "content");
		unsigned long long id;
		errno = 0;
		id = strtoull(j->string, &end, 10);
		if (errno != 0 || end == j->string || *end != '\0' ||
		    !cJSON_IsString(ct)) {
			rc = lc_errf(e, LC_EFORMAT, "%s/tokenizer_config.json: "
			    "added_tokens_decoder: '%.64s': expected a token "
			    "id with a content", c->dir, j->string);
			goto out;
		}
		if (id >= n)
			continue;
		free(tokens[id]);
		if ((tokens[id] = xstrdup(ct->valuestring)) == NULL)
			goto nomem;
		if (cJSON_IsTrue(jget(j, "special")) ||
		    looks_special(tokens[id]))
			types[id] = 3;
		else {
			unspace(tokens[id]);
			types[id] = 4;
		}
		scores[id] = -1000.0f;
	}
	c->tokens = tokens;
	c->toktypes = types;
	c->scores = scores;
	tokens = NULL;
	types = NULL;
	scores = NULL;
	rc = LC_OK;
	goto out;
nomem:
	rc = lc_errf(e, LC_ENOMEM, "%s", path);
out:
	if (tokens != NULL)
		for (i = 0; i < n; i++)
			free(tokens[i]);
	free(tokens);
	free(types);
	free(scores);
	free(pc);
	free(buf);
	cJSON_Delete(added);
	return rc;
}

/* tokenizer.json's model.merges as gguf-py's SpecialVocab reads them. */
static int
read_merges(lc_conv *c, const cJSON *model, const char *path, lc_err *e)
{
	const cJSON *m, *j;
	uint64_t nm;

	m = jget(model, "merges");
	nm = cJSON_IsArray(m) ? (uint64_t)cJSON_GetArraySize(m) : 0;
	if (nm > 0) {
		if ((c->merges = calloc(nm, sizeof(char *))) == NULL)
			return lc_errf(e, LC_ENOMEM, "%s", path);
		cJSON_ArrayForEach(j, m) {
			char *s;
			if (cJSON_IsString(j))
				s = xstrdup(j->valuestring);
			else if (cJSON_IsArray(j) && cJSON_GetArraySize(j) ==
			    2 && cJSON_IsString(cJSON_GetArrayItem(j, 0)) &&
			    cJSON_IsString(cJSON_GetArrayItem(j, 1))) {
				/* ["a", "b"]: spaces inside become U+0120 */
				const char *pa[2];
				size_t len = 2, k;
				int p;
				pa[0] = cJSON_GetArrayItem(j, 0)->valuestring;
				pa[1] = cJSON_GetArrayItem(j, 1)->valuestring;
				len += 2 * (strlen(pa[0]) + strlen(pa[1]));
				if ((s = malloc(len)) != NULL) {
					k = 0;
					for (p = 0; p < 2; p++) {
						const char *q;
						if (p)
							s[k++] = ' ';
						for (q = pa[p]; *q; q++)
							if (*q == ' ') {
								s[k++] = '\xc4';
								s[k++] = '\xa0';
							} else
								s[k++] = *q;
					}
					s[k] = '\0';
				}
			} else
				return lc_errf(e, LC_EFORMAT, "%s: model.merges"
				    ": entry %llu: expected a string or a "
				    "pair of strings", path,
				    (unsigned long long)c->nmerges);
			if (s == NULL)
				return lc_errf(e, LC_ENOMEM, "%s", path);
			c->merges[c->nmerges++] = s;
		}
	}
	return LC_OK;
}

static int	read_vocab_g4(lc_conv *, lc_err *);

static int
read_vocab(lc_conv *c, lc_err *e)
{
	const cJSON *model, *vocab, *added, *j, *x;
	char path[4096], **tokens = NULL;
	int32_t *types = NULL;
	int64_t id;
	uint64_t i, n = c->n_vocab;
	int rc;

	if (c->spm)
		return read_vocab_spm(c, e);
	if (c->arch == A_GEMMA4)
		return read_vocab_g4(c, e);
	snprintf(path, sizeof(path), "%s/tokenizer.json", c->dir);
	model = jget(c->tok, "model");
	j = jget(model, "type");
	if (!cJSON_IsString(j) || strcmp(j->valuestring, c->arch == A_BERT ?
	    "WordPiece" : "BPE") != 0)
		return lc_errf(e, LC_EUNSUP, "%s: model.type: '%.32s': only "
		    "%s tokenizers are converted for %s", path,
		    cJSON_IsString(j) ? j->valuestring : "",
		    c->arch == A_BERT ? "WordPiece" : "BPE", c->hf_arch);
	if (cJSON_IsTrue(jget(model, "byte_fallback")))
		return lc_errf(e, LC_EUNSUP, "%s: model.byte_fallback: "
		    "SentencePiece-style BPE is not supported (only "
		    "byte-level BPE)", path);
	vocab = jget(model, "vocab");
	if (!cJSON_IsObject(vocab))
		return lc_errf(e, LC_EFORMAT, "%s: model.vocab: missing",
		    path);
	if ((tokens = calloc(n, sizeof(*tokens))) == NULL ||
	    (types = calloc(n, sizeof(*types))) == NULL)
		goto nomem;
	cJSON_ArrayForEach(j, vocab) {
		if (!jint(j, &id) || id < 0 || (uint64_t)id >= n) {
			rc = lc_errf(e, LC_EFORMAT, "%s: model.vocab: '%.64s': "
			    "id not in [0, vocab_size %llu) of config.json",
			    path, j->string, (unsigned long long)n);
			goto fail;
		}
		free(tokens[id]);
		if ((tokens[id] = xstrdup(j->string)) == NULL)
			goto nomem;
		types[id] = 1;			/* NORMAL */
	}
	added = jget(c->tok, "added_tokens");
	cJSON_ArrayForEach(j, added) {
		x = jget(j, "content");
		if (!jint(jget(j, "id"), &id) || !cJSON_IsString(x) || id < 0 ||
		    (uint64_t)id >= n) {
			rc = lc_errf(e, LC_EFORMAT, "%s: added_tokens: id or "
			    "content missing, or id not in [0, vocab_size "
			    "%llu) of config.json", path,
			    (unsigned long long)n);
			goto fail;
		}
		free(tokens[id]);
		if ((tokens[id] = xstrdup(x->valuestring)) == NULL)
			goto nomem;
		if (cJSON_IsTrue(jget(j, "special")) ||
		    looks_special(tokens[id]))
			types[id] = 3;		/* CONTROL */
		else {
			unspace(tokens[id]);
			types[id] = 4;		/* USER_DEFINED */
		}
	}
	for (i = 0; i < n; i++)
		if (tokens[i] == NULL) {
			char pad[32];
			snprintf(pad, sizeof(pad), "[PAD%llu]",
			    (unsigned long long)i);
			if ((tokens[i] = xstrdup(pad)) == NULL)
				goto nomem;
			types[i] = 5;		/* UNUSED */
		}
	/* BERT: the converter's "phantom space" spelling */
	for (i = 0; c->arch == A_BERT && i < n; i++) {
		char *p;
		if (types[i] == 3)
			continue;
		if (strncmp(tokens[i], "##", 2) == 0) {
			memmove(tokens[i], tokens[i] + 2,
			    strlen(tokens[i] + 2) + 1);
			continue;
		}
		if ((p = malloc(strlen(tokens[i]) + 4)) == NULL)
			goto nomem;
		memcpy(p, "\xe2\x96\x81", 3);
		strcpy(p + 3, tokens[i]);
		free(tokens[i]);
		tokens[i] = p;
	}
	c->tokens = tokens;
	c->toktypes = types;

	return read_merges(c, model, path, e);
nomem:
	rc = lc_errf(e, LC_ENOMEM, "%s", path);
fail:
	if (tokens != NULL)
		for (i = 0; i < n; i++)
			free(tokens[i]);
	free(tokens);
	free(types);
	return rc;
}

/* content of a token given as a string or {"content": ...}; NULL */
static const char *
tok_content(const cJSON *j)
{
	if (cJSON_IsString(j))
		return j->valuestring;
	if (cJSON_IsString(jget(j, "content")))
		return jget(j, "content")->valuestring;
	return NULL;
}

/* Marks the token named by j (if in the vocabulary) as special. */
static void
g4_special(char **tokens, int32_t *types, uint64_t n, const cJSON *j)
{
	const char *s = tok_content(j);
	uint64_t i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(tokens[i], s) == 0)
			types[i] = 3;			/* CONTROL */
}

/* "<0x" two hex digits ">" */
static int
is_byte_token(const char *s)
{
	return strlen(s) == 6 && strncmp(s, "<0x", 3) == 0 &&
	    isxdigit((unsigned char)s[3]) && isxdigit((unsigned char)s[4]) &&
	    s[5] == '>';
}

/*
 * Gemma 4: gguf-py's LlamaHfVocab over tokenizer.json (a BPE with
 * byte_fallback and a Sequence decoder) as Gemma4Model.set_vocab uses
 * it: the model's vocabulary by id, then the added tokens past it;
 * scores -1000; types BYTE for <0xNN>, CONTROL for transformers'
 * special tokens (tokenizer_config.json's bos/eos/unk/pad/mask/sep/cls,
 * GemmaTokenizer's defaults for those it omits, extra_special_tokens,
 * additional_special_tokens), USER_DEFINED for the converter's visible
 * tokens and added tokens that are not special, else NORMAL.
 */
static int
read_vocab_g4(lc_conv *c, lc_err *e)
{
	static const char *const visible[] = { "<|channel>", "<channel|>",
	    "<|tool_call>", "<tool_call|>", "<|tool_response>",
	    "<tool_response|>", "<|\"|>" };
	static const char *const named[][2] = { { "bos_token", "<bos>" },
	    { "eos_token", "<eos>" }, { "unk_token", "<unk>" },
	    { "pad_token", "<pad>" }, { "mask_token", "<mask>" },
	    { "sep_token", NULL }, { "cls_token", NULL } };
	const cJSON *model, *vocab, *j, *x, *tc;
	char path[4096], **tokens = NULL;
	int32_t *types = NULL;
	int64_t id;
	uint64_t i, n = c->n_vocab, nbase = 0, nadd = 0;
	int rc, gemma_cls;

	snprintf(path, sizeof(path), "%s/tokenizer.json", c->dir);
	model = jget(c->tok, "model");
	j = jget(model, "type");
	if (!cJSON_IsString(j) || strcmp(j->valuestring, "BPE") != 0 ||
	    !cJSON_IsTrue(jget(model, "byte_fallback")) ||
	    !cJSON_IsString(jget(jget(c->tok, "decoder"), "type")) ||
	    strcmp(jget(jget(c->tok, "decoder"), "type")->valuestring,
	    "Sequence") != 0)
		return lc_errf(e, LC_EUNSUP, "%s: not a BPE tokenizer with "
		    "byte_fallback and a Sequence decoder (what %s's "
		    "converter reads)", path, c->hf_arch);
	vocab = jget(model, "vocab");
	if (!cJSON_IsObject(vocab))
		return lc_errf(e, LC_EFORMAT, "%s: model.vocab: missing",
		    path);
	cJSON_ArrayForEach(j, vocab)
		nbase++;
	cJSON_ArrayForEach(j, jget(c->tok, "added_tokens"))
		if (jint(jget(j, "id"), &id) && id >= 0 && (uint64_t)id >=
		    nbase)
			nadd++;
	if (nbase + nadd != n)
		return lc_errf(e, LC_EFORMAT, "%s: %llu tokens (model.vocab "
		    "and added_tokens), but config.json's vocab_size is %llu",
		    path, (unsigned long long)(nbase + nadd),
		    (unsigned long long)n);
	if ((tokens = calloc(n, sizeof(*tokens))) == NULL ||
	    (types = calloc(n, sizeof(*types))) == NULL ||
	    (c->scores = malloc(n * sizeof(*c->scores))) == NULL)
		goto nomem;
	cJSON_ArrayForEach(j, vocab) {
		if (!jint(j, &id) || id < 0 || (uint64_t)id >= nbase ||
		    tokens[id] != NULL) {
			rc = lc_errf(e, LC_EFORMAT, "%s: model.vocab: '%.64s': "
			    "id not in [0, %llu) or given twice", path,
			    j->string, (unsigned long long)nbase);
			goto fail;
		}
		if ((tokens[id] = xstrdup(j->string)) == NULL)
			goto nomem;
	}
	cJSON_ArrayForEach(j, jget(c->tok, "added_tokens")) {
		x = jget(j, "content");
		if (!jint(jget(j, "id"), &id) || !cJSON_IsString(x) || id < 0) {
			rc = lc_errf(e, LC_EFORMAT, "%s: added_tokens: id or "
			    "content missing", path);
			goto fail;
		}
		if ((uint64_t)id < nbase)
			continue;
		if ((uint64_t)id >= n || tokens[id] != NULL) {
			rc = lc_errf(e, LC_EFORMAT, "%s: added token '%.64s': "
			    "id %lld is not the next after model.vocab", path,
			    x->valuestring, (long long)id);
			goto fail;
		}
		if ((tokens[id] = xstrdup(x->valuestring)) == NULL)
			goto nomem;
		types[id] = 4;		/* USER_DEFINED unless special */
	}
	/* transformers' all_special_ids */
	tc = jget(c->tokcfg, "tokenizer_class");
	gemma_cls = !cJSON_IsString(tc) || strncmp(tc->valuestring,
	    "GemmaTokenizer", 14) == 0;
	for (i = 0; i < n; i++)
		if (types[i] == 0)
			types[i] = is_byte_token(tokens[i]) ? 6 : 1;
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		j = jget(c->tokcfg, named[i][0]);
		if (j == NULL && gemma_cls && named[i][1] != NULL) {
			cJSON *d = cJSON_CreateString(named[i][1]);
			if (d == NULL)
				goto nomem;
			g4_special(tokens, types, n, d);
			cJSON_Delete(d);
		} else
			g4_special(tokens, types, n, j);
	}
	cJSON_ArrayForEach(x, jget(c->tokcfg, "extra_special_tokens"))
		g4_special(tokens, types, n, x);
	cJSON_ArrayForEach(x, jget(c->tokcfg, "additional_special_tokens"))
		g4_special(tokens, types, n, x);
	for (i = 0; i < n; i++) {
		size_t k;
		if (is_byte_token(tokens[i]))
			types[i] = 6;			/* BYTE */
		for (k = 0; k < sizeof(visible) / sizeof(visible[0]); k++)
			if (strcmp(tokens[i], visible[k]) == 0)
				types[i] = 4;		/* USER_DEFINED */
		c->scores[i] = -1000.0f;
	}
	c->tokens = tokens;
	c->toktypes = types;
	return read_merges(c, model, path, e);
nomem:
	rc = lc_errf(e, LC_ENOMEM, "%s", path);
fail:
	if (tokens != NULL)
		for (i = 0; i < n; i++)
			free(tokens[i]);
	free(tokens);
	free(types);
	free(c->scores);
	c->scores = NULL;
	return rc;
}

/*
 * gguf-py's SpecialVocab: the special token ids and add_* flags from
 * tokenizer_config.json (token strings looked up in tokenizer.json's
 * added_tokens), tokenizer.json's post_processor and config.json's
 * <type>_token_id.  A token given as an object ({"content": ...}) is
 * kept apart from one given as a string: the converter compares only
 * strings with the post_processor's tokens.
 */
enum { S_BOS, S_EOS, S_UNK, S_SEP, S_PAD, S_CLS, S_MASK, S_EOT, S_EOM,
    S_N };
static const char *const sname[S_N] = { "bos", "eos", "unk", "sep", "pad",
    "cls", "mask", "eot", "eom" };

typedef struct special {
	const char	*str[S_N];	/* <type>_token given as a string */
	const char	*obj[S_N];	/* ... or as an object's content */
	int		 add_set[S_N], add[S_N];
	int		 add_order[S_N], nadd;
	int		 types[S_N], ntypes;	/* bos..mask, then eot, eom */
} special;

static void
set_add(special *sp, int typ, int v, int overwrite)
{
	if (!sp->add_set[typ]) {
		sp->add_set[typ] = 1;
		sp->add_order[sp->nadd++] = typ;
		sp->add[typ] = v;
	} else if (overwrite)
		sp->add[typ] = v;
}

static int
present(const special *sp, int t)
{
	return sp->str[t] != NULL || sp->obj[t] != NULL;
}

static void
copy_tok(special *sp, int to, int from)
{
	sp->str[to] = sp->str[from];
	sp->obj[to] = sp->obj[from];
}

static const char *
special_id(const cJSON *item)
{
	const cJSON *j = jget(jget(item, "SpecialToken"), "id");

	return cJSON_IsString(j) && j->valuestring[0] ? j->valuestring : NULL;
}

static int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static int
has_type(const special *sp, int t)
{
	int k;

	for (k = 0; k < sp->ntypes; k++)
		if (sp->types[k] == t)
			return 1;
	return 0;
}

/* The first element of a RobertaProcessing "cls"/"sep" pair. */
static const char *
pair_first(const cJSON *p, const char *key)
{
	const cJSON *x = jget(p, key);

	x = cJSON_IsArray(x) ? cJSON_GetArrayItem(x, 0) : NULL;
	return cJSON_IsString(x) ? x->valuestring : NULL;
}

static void
template_processing(special *sp, const cJSON *p, int has_cfg)
{
	const cJSON *single = jget(p, "single"), *pair = jget(p, "pair");
	const cJSON *ia, *ib;
	const char *first = NULL, *last = NULL, *s;
	int ns, np, start, stop, inner, add_sep;

	ns = cJSON_IsArray(single) ? cJSON_GetArraySize(single) : 0;
	np = cJSON_IsArray(pair) ? cJSON_GetArraySize(pair) : 0;
	if (ns > 1) {
		if ((first = special_id(cJSON_GetArrayItem(single, 0)))) {
			if (!has_cfg)
				sp->str[S_BOS] = first;
			else if (!streq(first, sp->str[S_BOS]) &&
			    !streq(first, sp->str[S_CLS])) {
				if (!present(sp, S_BOS)) {
					sp->str[S_BOS] = first;
					sp->obj[S_BOS] = NULL;
				}
				if (!present(sp, S_CLS)) {
					sp->str[S_CLS] = first;
					sp->obj[S_CLS] = NULL;
				}
			}
			set_add(sp, S_BOS, streq(first, sp->str[S_BOS]) ||
			    streq(first, sp->str[S_CLS]), 1);
		}
		if ((last = special_id(cJSON_GetArrayItem(single, ns - 1)))) {
			if (!has_cfg)
				sp->str[S_EOS] = last;
			else if (!streq(last, sp->str[S_EOS])) {
				if (!has_type(sp, S_EOT)) {
					sp->types[sp->ntypes++] = S_EOT;
					copy_tok(sp, S_EOT, S_EOS);
				} else if (!has_type(sp, S_EOM)) {
					sp->types[sp->ntypes++] = S_EOM;
					copy_tok(sp, S_EOM, S_EOS);
				}
				sp->str[S_EOS] = last;
				sp->obj[S_EOS] = NULL;
			}
			set_add(sp, S_EOS, streq(last, sp->str[S_EOS]), 1);
		}
	}
	if (np == 0)
		return;
	start = first != NULL && streq(special_id(cJSON_GetArrayItem(pair,
	    0)), first);
	stop = last != NULL && streq(special_id(cJSON_GetArrayItem(pair,
	    np - 1)), last);
	if (np - start - stop <= 0)
		return;
	ia = jget(jget(cJSON_GetArrayItem(pair, start), "Sequence"), "id");
	ib = jget(jget(cJSON_GetArrayItem(pair, np - stop - 1), "Sequence"),
	    "id");
	inner = np - start - stop - 2;	/* between A and B */
	if (!cJSON_IsString(ia) || !cJSON_IsString(ib) ||
	    strcmp(ia->valuestring, "A") != 0 ||
	    strcmp(ib->valuestring, "B") != 0 || inner <= 0)
		return;
	add_sep = 0;
	s = special_id(cJSON_GetArrayItem(pair, start + 1));
	if (s != NULL && (streq(s, sp->str[S_SEP]) || streq(s,
	    sp->str[S_EOS])) && last == NULL)
		add_sep = 1;
	if (inner == 2) {
		s = special_id(cJSON_GetArrayItem(pair, start + 2));
		if (s != NULL && (streq(s, sp->str[S_SEP]) ||
		    streq(s, sp->str[S_EOS])))
			add_sep = 1;
	}
	set_add(sp, S_SEP, add_sep, 1);
	if (add_sep && !present(sp, S_SEP) && has_cfg)
		copy_tok(sp, S_SEP, S_EOS);
}

static void
post_processor(special *sp, const cJSON *pp, int has_cfg)
{
	const cJSON *list = jget(pp, "processors"), *p;
	const char *ty;

	for (p = cJSON_IsArray(list) ? list->child : pp; p != NULL;
	    p = cJSON_IsArray(list) ? p->next : NULL) {
		ty = cJSON_IsString(jget(p, "type")) ?
		    jget(p, "type")->valuestring : "";
		if (strcmp(ty, "ByteLevel") == 0) {
			set_add(sp, S_BOS, 0, 0);
			set_add(sp, S_EOS, 0, 0);
		} else if (strcmp(ty, "RobertaProcessing") == 0) {
			set_add(sp, S_BOS, 1, 1);
			set_add(sp, S_EOS, 1, 1);
			set_add(sp, S_SEP, 1, 1);
			if (!present(sp, S_CLS) && has_cfg) {
				if ((sp->str[S_CLS] = pair_first(p, "cls")) ==
				    NULL)
					copy_tok(sp, S_CLS, S_BOS);
			}
			if (!present(sp, S_SEP) && has_cfg) {
				if ((sp->str[S_SEP] = pair_first(p, "sep")) ==
				    NULL)
					copy_tok(sp, S_SEP, S_EOS);
			}
		} else if (strcmp(ty, "TemplateProcessing") == 0)
			template_processing(sp, p, has_cfg);
	}
}

static int
put_template(lc_conv *c, const cJSON *tmpl, lc_err *e)
{
	const cJSON *x, *nm, *tx;
	char key[256], **names = NULL;
	const char *def = NULL;
	uint64_t n = 0, k;
	int rc;

	if (cJSON_IsString(tmpl))
		return put_str(c, "tokenizer.chat_template", tmpl->valuestring,
		    e);
	if (!cJSON_IsArray(tmpl))
		return LC_OK;
	if ((names = calloc((size_t)cJSON_GetArraySize(tmpl) + 1,
	    sizeof(*names))) == NULL)
		return lc_errf(e, LC_ENOMEM, "%s: chat template", c->dir);
	cJSON_ArrayForEach(x, tmpl) {
		char clean[128];
		size_t i;
		nm = jget(x, "name");
		tx = jget(x, "template");
		if (!cJSON_IsString(nm) || !cJSON_IsString(tx) ||
		    nm->valuestring[0] == '\0')
			continue;
		snprintf(clean, sizeof(clean), "%s", nm->valuestring);
		for (i = 0; clean[i]; i++)
			if (!isalnum((unsigned char)clean[i]) ||
			    (unsigned char)clean[i] >= 0x80)
				clean[i] = '_';
		if (!strcmp(clean, "default")) {
			def = tx->valuestring;
			continue;
		}
		snprintf(key, sizeof(key), "tokenizer.chat_template.%s", clean);
		if ((rc = put_str(c, key, tx->valuestring, e)) != LC_OK)
			goto out;
		for (k = 0; k < n; k++)
			if (!strcmp(names[k], clean))
				break;
		if (k == n && (names[n++] = xstrdup(clean)) == NULL) {
			rc = lc_errf(e, LC_ENOMEM, "%s: chat template", c->dir);
			goto out;
		}
	}
	if (n > 0) {
		rc = put_strs(c, "tokenizer.chat_templates", names, n, e);
		names = NULL;
		if (rc != LC_OK)
			goto out;
	}
	rc = def ? put_str(c, "tokenizer.chat_template", def, e) : LC_OK;
out:
	if (names != NULL)
		for (k = 0; k < n; k++)
			free(names[k]);
	free(names);
	return rc;
}

/* The normalizer flags (Lowercase, StripAccents, BertNormalizer, nested
   in a Sequence). */
static void
normalizer(const cJSON *n, int *lower, int *strip)
{
	const char *ty = cJSON_IsString(jget(n, "type")) ?
	    jget(n, "type")->valuestring : "";
	const cJSON *x;

	if (strcmp(ty, "Lowercase") == 0)
		*lower = 1;
	else if (strcmp(ty, "StripAccents") == 0)
		*strip = 1;
	else if (strcmp(ty, "BertNormalizer") == 0) {
		if (cJSON_IsBool(x = jget(n, "lowercase")))
			*lower = cJSON_IsTrue(x);
		if (cJSON_IsBool(x = jget(n, "strip_accents")))
			*strip = cJSON_IsTrue(x);
	} else if (strcmp(ty, "Sequence") == 0)
		cJSON_ArrayForEach(x, jget(n, "normalizers"))
			normalizer(x, lower, strip);
}

static int
put_tokenizer(lc_conv *c, lc_err *e)
{
	static const char *const idkey[S_N] = { "tokenizer.ggml.bos_token_id",
	    "tokenizer.ggml.eos_token_id", "tokenizer.ggml.unknown_token_id",
	    "tokenizer.ggml.seperator_token_id",
	    "tokenizer.ggml.padding_token_id", NULL,
	    "tokenizer.ggml.mask_token_id", "tokenizer.ggml.eot_token_id",
	    "tokenizer.ggml.eom_token_id" };
	static const char *const addkey[S_N] = {
	    "tokenizer.ggml.add_bos_token", "tokenizer.ggml.add_eos_token",
	    NULL, "tokenizer.ggml.add_sep_token", NULL, NULL, NULL, NULL,
	    NULL };
	const cJSON *cfg = c->tokcfg, *j, *a, *ct;
	int has_cfg = cJSON_IsObject(cfg) && cfg->child != NULL;
	int ids_set[S_N] = { 0 }, order[S_N], nid = 0;
	int64_t ids[S_N], id;
	int k, t, rc, lower = -1, strip = -1;
	const char *want;
	special sp;
	char key[64];

	if (LLAMALIKE(c) && cJSON_IsBool(j = jget(cfg,
	    "add_prefix_space")) && (rc = put_bool(c,
	    "tokenizer.ggml.add_space_prefix", cJSON_IsTrue(j), e)))
		return rc;
	if (c->arch == A_BERT && (rc = put_u32(c,
	    "tokenizer.ggml.token_type_count", c->n_type_vocab, e)))
		return rc;
	if ((rc = put_str(c, "tokenizer.ggml.model", c->arch == A_BERT ?
	    "bert" : c->arch == A_GEMMA4 ? "gemma4" : c->spm ? "llama" :
	    "gpt2", e)) ||
	    (c->arch != A_GEMMA4 && (rc = put_str(c, "tokenizer.ggml.pre",
	    c->pre, e))))
		return rc;
	rc = put_strs(c, "tokenizer.ggml.tokens", c->tokens, c->n_vocab, e);
	c->tokens = NULL;
	if (rc != LC_OK)
		return rc;
	if (c->scores != NULL) {
		rc = put_flts(c, "tokenizer.ggml.scores", c->scores, c->n_vocab,
		    e);
		c->scores = NULL;
		if (rc != LC_OK)
			return rc;
	}
	rc = put_ints(c, "tokenizer.ggml.token_type", c->toktypes, c->n_vocab,
	    e);
	c->toktypes = NULL;
	if (rc != LC_OK)
		return rc;
	if (c->nmerges > 0) {
		rc = put_strs(c, "tokenizer.ggml.merges", c->merges,
		    c->nmerges, e);
		c->merges = NULL;
		c->nmerges = 0;
		if (rc != LC_OK)
			return rc;
	}

	memset(&sp, 0, sizeof(sp));
	for (k = 0; k < 7; k++) {
		sp.types[k] = k;
		snprintf(key, sizeof(key), "%s_token", sname[k]);
		j = jget(cfg, key);
		if (cJSON_IsString(j))
			sp.str[k] = j->valuestring;
		else if (cJSON_IsObject(j) && cJSON_IsString(jget(j,
		    "content")))
			sp.obj[k] = jget(j, "content")->valuestring;
		else if (j != NULL && !cJSON_IsNull(j) && !cJSON_IsFalse(j))
			sp.obj[k] = "";		/* truthy, never matches */
	}
	sp.ntypes = 7;
	/* empty strings are false in Python */
	for (k = 0; k < 7; k++)
		if (sp.str[k] != NULL && sp.str[k][0] == '\0')
			sp.str[k] = NULL;
	if (!present(&sp, S_BOS) && present(&sp, S_CLS) && has_cfg)
		copy_tok(&sp, S_BOS, S_CLS);
	if (!present(&sp, S_EOS) && present(&sp, S_SEP) && has_cfg)
		copy_tok(&sp, S_EOS, S_SEP);
	if (cJSON_IsObject(j = jget(c->tok, "post_processor")))
		post_processor(&sp, j, has_cfg);

	for (k = 0; has_cfg && k < sp.ntypes; k++) {
		t = sp.types[k];
		snprintf(key, sizeof(key), "add_%s_token", sname[t]);
		if (cJSON_IsBool(j = jget(cfg, key)))
			set_add(&sp, t, cJSON_IsTrue(j), 0);
		want = sp.str[t] != NULL ? sp.str[t] : sp.obj[t];
		if (want == NULL || want[0] == '\0' || ids_set[t])
			continue;
		cJSON_ArrayForEach(a, jget(c->tok, "added_tokens")) {
			ct = jget(a, "content");
			if (cJSON_IsString(ct) && strcmp(ct->valuestring,
			    want) == 0)
				break;
		}
		/* gguf-py skips an id past the vocabulary */
		if (a != NULL && jint(jget(a, "id"), &id) && id >= 0 &&
		    (uint64_t)id < c->n_vocab) {
			ids_set[t] = 1;
			ids[t] = id;
			order[nid++] = t;
		}
	}
	for (k = 0; k < sp.ntypes; k++) {
		t = sp.types[k];
		snprintf(key, sizeof(key), "%s_token_id", sname[t]);
		if (ids_set[t] || !jint(jget(c->config, key), &id))
			continue;
		if (id < 0)
			return lc_errf(e, LC_EFORMAT, "%s/config.json: %s: "
			    "negative", c->dir, key);
		if ((uint64_t)id >= c->n_vocab)
			continue;
		ids_set[t] = 1;
		ids[t] = id;
		order[nid++] = t;
	}
	for (k = 0; k < nid; k++) {
		t = order[k];
		if (idkey[t] == NULL)
			continue;
		if ((uint64_t)ids[t] >= c->n_vocab)
			return lc_errf(e, LC_EFORMAT, "%s: %s token id %lld "
			    "is not below vocab_size %llu", c->dir, sname[t],
			    (long long)ids[t], (unsigned long long)c->n_vocab);
		if ((rc = put_u32(c, idkey[t], (uint64_t)ids[t], e)))
			return rc;
	}
	for (k = 0; k < sp.nadd; k++) {
		t = sp.add_order[k];
		if (addkey[t] != NULL &&
		    (rc = put_bool(c, addkey[t], sp.add[t], e)))
			return rc;
	}
	if (has_cfg) {
		j = jget(cfg, "chat_template");
		if ((j == NULL || cJSON_IsNull(j)) && c->chat_template != NULL)
			rc = put_str(c, "tokenizer.chat_template",
			    c->chat_template, e);
		else
			rc = put_template(c, j, e);
		if (rc != LC_OK)
			return rc;
	}
	if (cJSON_IsObject(j = jget(c->tok, "normalizer")))
		normalizer(j, &lower, &strip);
	if ((lower >= 0 && (rc = put_bool(c,
	    "tokenizer.ggml.normalizer.lowercase", lower, e))) ||
	    (strip >= 0 && (rc = put_bool(c,
	    "tokenizer.ggml.normalizer.strip_accents", strip, e))))
		return rc;
	/* the converter's rule for 49152-token llama vocabularies */
	if (LLAMALIKE(c) && c->n_vocab == 49152 &&
	    (rc = put_bool(c, "tokenizer.ggml.add_bos_token", 0, e)))
		return rc;
	/* Gemma3Model.set_vocab, after the special tokens */
	if (c->spm && c->arch == A_GEMMA3 && (rc = put_bool(c,
	    "tokenizer.ggml.add_space_prefix", 0, e)))
		return rc;
	/* Gemma4Model.set_vocab */
	if (c->arch == A_GEMMA4 && ((rc = put_bool(c,
	    "tokenizer.ggml.add_space_prefix", 0, e)) || (rc = put_bool(c,
	    "tokenizer.ggml.add_bos_token", 1, e))))
		return rc;
	return LC_OK;
}

static int
read_tokenizer(lc_conv *c, const lc_conv_opts *o, lc_err *e)
{
	char path[4096], *text;
	const char *pre;
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "%s/tokenizer.model", c->dir);
	if (access(path, F_OK) == 0 && LLAMALIKE(c))
		return lc_errf(e, LC_EUNSUP, "%s: SentencePiece tokenizers are "
		    "not supported for %s (only byte-level BPE "
		    "tokenizer.json)", path, c->hf_arch);
	/* Gemma 3: the converter reads tokenizer.model when there is one */
	c->spm = c->arch == A_GEMMA3 && access(path, F_OK) == 0;
	if ((rc = readjson(c, "tokenizer_config.json", 0, &c->tokcfg, e)))
		return rc;
	/* Phi3: tokenizer.model unless tokenizer_config.json says
	   GPT2Tokenizer (a tokenizer_config.json without tokenizer_class
	   stops the converter) */
	if (c->arch == A_PHI3) {
		const cJSON *tc = jget(c->tokcfg, "tokenizer_class");
		if (c->tokcfg != NULL && !cJSON_IsString(tc))
			return lc_errf(e, LC_EFORMAT, "%s/tokenizer_config."
			    "json: tokenizer_class: missing", c->dir);
		c->spm = c->tokcfg == NULL || strcmp(tc->valuestring,
		    "GPT2Tokenizer") != 0;
		if (c->spm && access(path, F_OK) != 0)
			return lc_errf(e, LC_EFORMAT, "%s: missing (%s with a "
			    "tokenizer_class other than GPT2Tokenizer reads "
			    "it)", path, c->hf_arch);
	}
	if ((rc = readjson(c, "tokenizer.json", !c->spm, &c->tok, e)))
		return rc;
	snprintf(path, sizeof(path), "%s/chat_template.jinja", c->dir);
	if (access(path, F_OK) == 0) {
		if ((rc = lc_slurp(path, MAX_JSON, &text, &len, e)))
			return rc;
		if (strlen(text) != len) {
			free(text);
			return lc_errf(e, LC_EFORMAT, "%s: contains a NUL byte",
			    path);
		}
		c->chat_template = text;
	}
	if (c->arch == A_GEMMA4) {
		/* tokenizer model "gemma4": its pre-tokenizer is implied */
		if (o != NULL && o->pre != NULL)
			return lc_errf(e, LC_EUNSUP, "%s: --pre-tokenizer does "
			    "not apply to %s (tokenizer model \"gemma4\")",
			    c->dir, c->hf_arch);
		return read_vocab(c, e);
	}
	if (c->spm)
		pre = "default";
	else if (o != NULL && o->pre != NULL)
		pre = o->pre;
	else if (c->arch == A_BERT) {
		if ((rc = wpm_pre(c, e)) != LC_OK)
			return rc;
		return read_vocab(c, e);
	} else if ((pre = tell_pre(jget(c->tok, "pre_tokenizer"))) == NULL)
		return lc_errf(e, LC_EUNSUP, "%s/tokenizer.json: "
		    "pre_tokenizer: "
		    "not one llm-quant can name (gpt-2, smollm, llama-bpe, "
		    "qwen2); give --pre-tokenizer NAME (llama.cpp's "
		    "tokenizer.ggml.pre)", c->dir);
	snprintf(c->pre, sizeof(c->pre), "%s", pre);
	return read_vocab(c, e);
}

/* ------------------------------------------------------------ open/close */

int
lc_conv_open(lc_conv **out, const char *dir, const lc_conv_opts *o,
    lc_err *e)
{
	struct stat st;
	lc_conv *c;
	int rc;

	*out = NULL;
	if (stat(dir, &st) != 0)
		return lc_errsys(e, "%s", dir);
	if (!S_ISDIR(st.st_mode))
		return lc_errf(e, LC_EINVAL, "%s: not a directory", dir);
	if ((c = calloc(1, sizeof(*c))) == NULL || (c->dir = xstrdup(dir)) ==
	    NULL) {
		free(c);
		return lc_errf(e, LC_ENOMEM, "%s", dir);
	}
	if ((rc = read_config(c, e)) ||
	    (rc = readjson(c, "generation_config.json", 0, &c->gencfg, e)) ||
	    (rc = read_tensors(c, e)) ||
	    (rc = read_tokenizer(c, o, e))) {
		lc_conv_close(c);
		return rc;
	}
	if (LLAMALIKE(c) && c->rope != NULL && rope_type(c) != NULL &&
	    strcasecmp(rope_type(c), "llama3") == 0) {
		if (c->head_dim / 2 > sizeof(c->rope_freqs) / sizeof(float)) {
			lc_conv_close(c);
			return lc_errf(e, LC_EFORMAT, "%s: head_dim too large",
			    dir);
		}
		llama3_factors(c);
	}
	if (c->arch == A_GEMMA4 && c->hd_full / 2 > sizeof(c->rope_freqs) /
	    sizeof(float)) {
		lc_conv_close(c);
		return lc_errf(e, LC_EFORMAT, "%s: global_head_dim too large",
		    dir);
	}
	if (c->arch == A_GEMMA3 || c->arch == A_GEMMA4) {
		/* the converter drops token_embd rows past the tokenizer's
		   vocab + added tokens (counted as tokenizer.json lists
		   them) */
		size_t i;
		uint64_t nr = c->spm ? c->n_vocab :
		    (uint64_t)cJSON_GetArraySize(jget(jget(c->tok, "model"),
		    "vocab")) + (uint64_t)cJSON_GetArraySize(jget(c->tok,
		    "added_tokens"));
		for (i = 0; i < c->nt; i++)
			if (strcmp(c->t[i].name, "token_embd.weight") == 0 &&
			    nr < c->t[i].ne[1]) {
				c->t[i].ne[1] = nr;
				c->t[i].nelem = nr * c->t[i].ne[0];
			}
	}
	*out = c;
	return LC_OK;
}

void
lc_conv_close(lc_conv *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nkv; i++) {
		kv_clear(&c->kvs[i]);
		free(c->kvs[i].key);
	}
	free(c->kvs);
	for (i = 0; i < c->nt; i++) {
		free(c->t[i].hfname);
		free(c->t[i].gen);
		free(c->t[i].parts);
	}
	free(c->rope_long);
	free(c->rope_short);
	free(c->is_swa);
	free(c->t);
	for (i = 0; i < c->nshards; i++) {
		if (c->shards != NULL)
			lc_st_close(c->shards[i]);
		free(c->shard_names[i]);
	}
	free(c->shards);
	free(c->shard_names);
	if (c->tokens != NULL)
		for (i = 0; i < c->n_vocab; i++)
			free(c->tokens[i]);
	free(c->tokens);
	free(c->toktypes);
	free(c->scores);
	if (c->merges != NULL)
		for (i = 0; i < c->nmerges; i++)
			free(c->merges[i]);
	free(c->merges);
	free(c->chat_template);
	cJSON_Delete(c->config);
	cJSON_Delete(c->tok);
	cJSON_Delete(c->tokcfg);
	cJSON_Delete(c->gencfg);
	free(c->dir);
	free(c);
}

const char *lc_conv_arch(const lc_conv *c) { return c->gguf_arch; }
const char *lc_conv_hf_arch(const lc_conv *c) { return c->hf_arch; }
const char *lc_conv_pre(const lc_conv *c) { return c->pre; }

/* ------------------------------------------------------------ writing */

/* Source row r of a tensor whose rows are permuted over nh heads:
   output row h*hd + 2j + s comes from input row h*hd + s*hd/2 + j. */
static uint64_t
src_row(uint64_t r, uint64_t rows, int nh)
{
	uint64_t hd, h, j, s;

	if (nh <= 0)
		return r;
	hd = rows / (uint64_t)nh;
	h = r / hd;
	j = (r % hd) / 2;
	s = r % 2;
	return h * hd + s * (hd / 2) + j;
}

/* The converted data of t as type out, malloc'ed; NULL on no memory. */
static void *
convert_tensor(const ctensor *t, uint32_t out)
{
	const lc_dtype_traits *si = lc_dtype((uint32_t)t->src.lc_dtype);
	const lc_dtype_traits *so = lc_dtype(out);
	uint64_t rows = t->ndim >= 2 ? t->ne[1] : 1, cols = t->ne[0], r, sr;
	size_t esz = t->src.elsize, osz = so->bytes;
	const uint8_t *src = t->src.data;
	uint8_t *dst, *base;
	uint32_t p, np = t->nparts ? t->nparts : 1;
	uint64_t i;
	float *row;

	if ((dst = malloc(t->nelem > 0 ? (size_t)(t->nelem * osz) : 1)) ==
	    NULL)
		return NULL;
	if ((row = malloc((size_t)cols * sizeof(float))) == NULL) {
		free(dst);
		return NULL;
	}
	for (p = 0; p < np; p++) {
		if (t->nparts)
			src = t->parts[p].data;
		base = dst + (size_t)p * rows * cols * osz;
		for (r = 0; r < rows; r++) {
			sr = src_row(r, rows, t->permute);
			if ((uint32_t)t->src.lc_dtype == out && !t->shift1) {
				memcpy(base + r * cols * osz, src + sr * cols *
				    esz, (size_t)(cols * osz));
				continue;
			}
			si->to_float(src + sr * cols * esz, row,
			    (int64_t)cols);
			/* Gemma3 norms: w + 1 in the source's float type
			   (BF16 is widened to F32 first) */
			for (i = 0; t->shift1 && i < cols; i++)
				row[i] = t->src.lc_dtype == LC_F16 ?
				    lc_f16_to_f32(lc_f32_to_f16(row[i] +
				    1.0f)) : row[i] + 1.0f;
			so->from_float(row, base + r * cols * osz,
			    (int64_t)cols);
		}
	}
	free(row);
	return dst;
}

/* The 1-D tensors of a permuted bias are permuted as rows of one. */
static void
fix_bias_shape(ctensor *t, uint64_t *rows, uint64_t *cols)
{
	*rows = t->ndim == 2 ? t->ne[1] : t->ne[0];
	*cols = t->ndim == 2 ? t->ne[0] : 1;
}

int
lc_conv_write(lc_conv *c, int outtype, const char *path, lc_conv_stats *stp,
    lc_err *e)
{
	lc_gguf_writer *w = NULL;
	lc_conv_stats st = { 0 };
	void **bufs = NULL;
	uint64_t total = 0, lab_n = 0, n_exp = 0, xsum = 0, nxt = 0;
	uint64_t ne[4] = { 1, 1, 1, 1 };
	uint32_t ftype, ty;
	size_t i, k, nbuf = 0;
	int rc, first2d = -1;

	if (outtype != LC_CONV_KEEP && outtype != LC_F32 && outtype != LC_F16
	    && outtype != LC_BF16)
		return lc_errf(e, LC_EINVAL, "%s: output type %d", path,
		    outtype);
	for (i = 0; i < c->nkv; i++) {
		kv_clear(&c->kvs[i]);
		free(c->kvs[i].key);
	}
	c->nkv = 0;
	for (i = 0; i < c->nt; i++) {
		total += c->t[i].nelem;
		/* gguf-py's count: one expert of an _exps tensor */
		if (c->t[i].nparts > 0) {
			lab_n += c->t[i].nelem / c->t[i].ne[2];
			xsum += c->t[i].ne[2];
			nxt++;
		} else
			lab_n += c->t[i].nelem;
		if (first2d < 0 && c->t[i].ndim >= 2)
			first2d = c->t[i].src.lc_dtype;
	}
	if (LLAMALIKE(c) && rope_type(c) != NULL &&
	    strcasecmp(rope_type(c), "llama3") == 0) {
		total += c->head_dim / 2;
		lab_n += c->head_dim / 2;
	}
	if (c->arch == A_GEMMA4) {
		total += c->hd_full / 2;
		lab_n += c->hd_full / 2;
	}
	total += 2 * c->n_rfac;
	lab_n += 2 * c->n_rfac;
	n_exp = nxt > 0 ? xsum / nxt : 0;
	if (outtype == LC_CONV_KEEP)
		ftype = first2d == LC_BF16 ? 32 : first2d == LC_F16 ? 1 : 0;
	else
		ftype = outtype == LC_F32 ? 0 : outtype == LC_F16 ? 1 : 32;

	/* the tokenizer's arrays move into the kvs: read them anew if this
	   handle writes twice */
	if (c->tokens == NULL && (rc = read_vocab(c, e)) != LC_OK)
		return rc;
	if ((rc = put_general(c, total, lab_n, n_exp, e)) ||
	    (rc = (c->arch == A_PHI3 ? put_hparams_phi3 : put_hparams)(c,
	    ftype, e)) ||
	    (rc = put_tokenizer(c, e)))
		return rc;

	if ((rc = lc_gguf_writer_new(&w, e)) != LC_OK)
		return rc;
	for (i = 0; i < c->nkv && rc == LC_OK; i++) {
		kv *k1 = &c->kvs[i];
		switch (k1->type) {
		case LC_GGUF_STRING:
			rc = lc_gguf_w_str(w, k1->key, k1->s, e);
			break;
		case LC_GGUF_ARRAY:
			rc = k1->etype == LC_GGUF_STRING ?
			    lc_gguf_w_arr_str(w, k1->key,
			    (const char *const *)k1->strs, NULL, k1->n, e) :
			    k1->etype == LC_GGUF_BOOL ?
			    lc_gguf_w_arr(w, k1->key, LC_GGUF_BOOL, k1->bools,
			    k1->n, e) :
			    k1->etype == LC_GGUF_F32 ?
			    lc_gguf_w_arr(w, k1->key, LC_GGUF_F32, k1->flts,
			    k1->n, e) :
			    lc_gguf_w_arr(w, k1->key, LC_GGUF_I32, k1->ints,
			    k1->n, e);
			break;
		case LC_GGUF_I32:
			rc = lc_gguf_w_scalar(w, k1->key, LC_GGUF_I32,
			    &k1->v.i32, e);
			break;
		case LC_GGUF_F32:
			rc = lc_gguf_w_f32(w, k1->key, k1->v.f32, e);
			break;
		case LC_GGUF_BOOL:
			rc = lc_gguf_w_bool(w, k1->key, (int)k1->v.u32, e);
			break;
		default:
			rc = lc_gguf_w_u32(w, k1->key, k1->v.u32, e);
			break;
		}
	}
	if (rc != LC_OK)
		goto out;
	if ((bufs = calloc(c->nt + 1, sizeof(*bufs))) == NULL) {
		rc = lc_errf(e, LC_ENOMEM, "%s", path);
		goto out;
	}
	if (LLAMALIKE(c) && rope_type(c) != NULL &&
	    strcasecmp(rope_type(c), "llama3") == 0) {
		ne[0] = c->head_dim / 2;
		if ((rc = lc_gguf_w_tensor(w, "rope_freqs.weight", LC_F32, 1,
		    ne, c->rope_freqs, e)) != LC_OK)
			goto out;
		st.n_tensors++;
		st.nelem += ne[0];
		st.bytes_to += ne[0] * 4;
	}
	if (c->arch == A_GEMMA4) {
		/* Gemma4Model.generate_extra_tensors: the full layers rotate
		   n_rot_full pairs; the others get frequency / 1e30 */
		ne[0] = c->hd_full / 2;
		for (k = 0; k < ne[0]; k++)
			c->rope_freqs[k] = k < c->n_rot_full ? 1.0f : 1e30f;
		if ((rc = lc_gguf_w_tensor(w, "rope_freqs.weight", LC_F32, 1,
		    ne, c->rope_freqs, e)) != LC_OK)
			goto out;
		st.n_tensors++;
		st.nelem += ne[0];
		st.bytes_to += ne[0] * 4;
	}
	if (c->n_rfac > 0) {
		ne[0] = c->n_rfac;
		if ((rc = lc_gguf_w_tensor(w, "rope_factors_long.weight",
		    LC_F32, 1, ne, c->rope_long, e)) != LC_OK ||
		    (rc = lc_gguf_w_tensor(w, "rope_factors_short.weight",
		    LC_F32, 1, ne, c->rope_short, e)) != LC_OK)
			goto out;
		st.n_tensors += 2;
		st.nelem += 2 * ne[0];
		st.bytes_to += 8 * ne[0];
	}
	for (i = 0; i < c->nt; i++) {
		ctensor *t = &c->t[i];
		const void *data;
		uint64_t bytes;

		if (outtype == LC_CONV_KEEP)
			ty = t->force_f32 ? LC_F32 : (uint32_t)t->src.lc_dtype;
		else
			ty = t->force_f32 ? LC_F32 : (uint32_t)outtype;
		if (ty == (uint32_t)t->src.lc_dtype && t->permute == 0 &&
		    !t->shift1 && t->nparts == 0)
			data = t->src.data;
		else {
			ctensor tmp = *t;
			if (t->ndim == 1) {
				uint64_t rows, cols;
				fix_bias_shape(t, &rows, &cols);
				tmp.ndim = 2;
				tmp.ne[0] = cols;
				tmp.ne[1] = rows;
			}
			if ((bufs[nbuf] = convert_tensor(&tmp, ty)) == NULL) {
				rc = lc_errf(e, LC_ENOMEM, "%s: tensor '%s'",
				    path, t->name);
				goto out;
			}
			data = bufs[nbuf++];
		}
		if ((rc = lc_gguf_w_tensor(w, t->name, ty, t->ndim, t->ne,
		    data, e)) != LC_OK)
			goto out;
		bytes = t->nelem * lc_dtype(ty)->bytes;
		st.n_tensors++;
		st.nelem += t->nelem;
		st.bytes_from += t->src.nbytes * (t->nparts ? t->nparts : 1);
		st.bytes_to += bytes;
		st.n_converted += ty != (uint32_t)t->src.lc_dtype;
	}
	rc = lc_gguf_writer_write(w, path, e);
out:
	lc_gguf_writer_free(w);
	for (k = 0; k < nbuf; k++)
		free(bufs[k]);
	free(bufs);
	if (rc == LC_OK && stp != NULL)
		*stp = st;
	return rc;
}
