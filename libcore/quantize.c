/*
 * quantize.c - per-tensor type choice as llama.cpp's llama-quantize
 * makes it (src/llama-quant.cpp, read and re-expressed, not copied),
 * and the conversion itself on a thread pool.
 */
#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cpu/pool.h"
#include "dtype.h"
#include "gguf.h"
#include "quant/imat.h"
#include "quant/quant.h"
#include "quantize.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* file types                                                         */

enum {
	FT_F32 = 0, FT_F16 = 1, FT_Q4_0 = 2, FT_Q4_1 = 3, FT_Q8_0 = 7,
	FT_Q5_0 = 8, FT_Q5_1 = 9, FT_Q2_K = 10, FT_Q3_K_S = 11,
	FT_Q3_K_M = 12, FT_Q3_K_L = 13, FT_Q4_K_S = 14, FT_Q4_K_M = 15,
	FT_Q5_K_S = 16, FT_Q5_K_M = 17, FT_Q6_K = 18, FT_Q2_K_S = 21,
	FT_IQ4_NL = 25, FT_IQ4_XS = 30, FT_BF16 = 32
};

/* dtype < 0: a type llama-quantize has and llm-quant does not */
static const struct ftype {
	const char	*name;
	int		 ftype;
	int		 dtype;
	const char	*why;
} ftypes[] = {
	{ "Q1_0", 40, -1, "no Q1_0 quantizer" },
	{ "Q2_0", 41, -1, "no Q2_0 quantizer" },
	{ "Q4_0", FT_Q4_0, LC_Q4_0, NULL },
	{ "Q4_1", FT_Q4_1, LC_Q4_1, NULL },
	{ "MXFP4_MOE", 38, -1, "no MXFP4 quantizer" },
	{ "Q5_0", FT_Q5_0, LC_Q5_0, NULL },
	{ "Q5_1", FT_Q5_1, LC_Q5_1, NULL },
	{ "IQ2_XXS", 19, -1, "no IQ2 quantizers (they need an importance matrix)" },
	{ "IQ2_XS", 20, -1, "no IQ2 quantizers (they need an importance matrix)" },
	{ "IQ2_S", 28, -1, "no IQ2 quantizers (they need an importance matrix)" },
	{ "IQ2_M", 29, -1, "no IQ2 quantizers (they need an importance matrix)" },
	{ "IQ1_S", 24, -1, "no IQ1 quantizers (they need an importance matrix)" },
	{ "IQ1_M", 31, -1, "no IQ1 quantizers (they need an importance matrix)" },
	{ "TQ1_0", 36, -1, "no ternary quantizers" },
	{ "TQ2_0", 37, -1, "no ternary quantizers" },
	{ "Q2_K", FT_Q2_K, LC_Q2_K, NULL },
	{ "Q2_K_S", FT_Q2_K_S, LC_Q2_K, NULL },	/* needs --imatrix */
	{ "IQ3_XXS", 23, -1, "no IQ3 quantizers" },
	{ "IQ3_S", 26, -1, "no IQ3 quantizers" },
	{ "IQ3_M", 27, -1, "no IQ3 quantizers" },
	{ "Q3_K", FT_Q3_K_M, LC_Q3_K, NULL },
	{ "IQ3_XS", 22, -1, "no IQ3 quantizers" },
	{ "Q3_K_S", FT_Q3_K_S, LC_Q3_K, NULL },
	{ "Q3_K_M", FT_Q3_K_M, LC_Q3_K, NULL },
	{ "Q3_K_L", FT_Q3_K_L, LC_Q3_K, NULL },
	{ "IQ4_NL", FT_IQ4_NL, LC_IQ4_NL, NULL },
	{ "IQ4_XS", FT_IQ4_XS, LC_IQ4_XS, NULL },
	{ "Q4_K", FT_Q4_K_M, LC_Q4_K, NULL },
	{ "Q4_K_S", FT_Q4_K_S, LC_Q4_K, NULL },
	{ "Q4_K_M", FT_Q4_K_M, LC_Q4_K, NULL },
	{ "Q5_K", FT_Q5_K_M, LC_Q5_K, NULL },
	{ "Q5_K_S", FT_Q5_K_S, LC_Q5_K, NULL },
	{ "Q5_K_M", FT_Q5_K_M, LC_Q5_K, NULL },
	{ "Q6_K", FT_Q6_K, LC_Q6_K, NULL },
	{ "Q8_0", FT_Q8_0, LC_Q8_0, NULL },
	{ "F16", FT_F16, LC_F16, NULL },
	{ "BF16", FT_BF16, LC_BF16, NULL },
	{ "F32", FT_F32, LC_F32, NULL },
};

/* the canonical entry (not an alias) of a file type we can make */
static const struct ftype *
ftype_row(uint32_t ft)
{
	size_t i;

	for (i = 0; i < NELEM(ftypes); i++)
		if (ftypes[i].ftype == (int)ft && ftypes[i].dtype >= 0 &&
		    strcmp(ftypes[i].name, "Q3_K") != 0 &&
		    strcmp(ftypes[i].name, "Q4_K") != 0 &&
		    strcmp(ftypes[i].name, "Q5_K") != 0)
			return &ftypes[i];
	return NULL;
}

int
lc_qftype_parse(const char *name, uint32_t *ftype, lc_err *e)
{
	const struct ftype *f = NULL;
	char *end;
	long v;
	size_t i;

	for (i = 0; i < NELEM(ftypes) && f == NULL; i++)
		if (strcasecmp(ftypes[i].name, name) == 0)
			f = &ftypes[i];
	if (f == NULL && isdigit((unsigned char)*name)) {
		v = strtol(name, &end, 10);
		for (i = 0; *end == '\0' && i < NELEM(ftypes) && f == NULL; i++)
			if (ftypes[i].ftype == v)
				f = &ftypes[i];
	}
	if (f == NULL)
		return lc_errf(e, LC_ENOTFOUND, "'%s' is not a quantization "
		    "type", name);
	if (f->dtype < 0)
		return lc_errf(e, LC_EUNSUP, "%s: not supported: %s", f->name,
		    f->why);
	*ftype = (uint32_t)f->ftype;
	return LC_OK;
}

const char *
lc_qftype_name(uint32_t ftype)
{
	const struct ftype *f = ftype_row(ftype);

	return f ? f->name : NULL;
}

const char *const *
lc_qftype_names(void)
{
	static const char *names[NELEM(ftypes) + 1];
	size_t i, n = 0;

	if (names[0] == NULL)
		for (i = 0; i < NELEM(ftypes); i++)
			if (ftypes[i].dtype >= 0)
				names[n++] = ftypes[i].name;
	return names;
}

/* ------------------------------------------------------------------ */
/* tensor categories and rules                                        */

enum cat {
	C_TOKEN_EMBD, C_ATTN_Q, C_ATTN_V, C_ATTN_K, C_ATTN_QKV, C_ATTN_KV_B,
	C_ATTN_OUTPUT, C_FFN_UP, C_FFN_GATE, C_FFN_DOWN, C_OUTPUT, C_OTHER
};

static enum cat
category(const char *name)
{
	static const struct { const char *sub; enum cat c; } subs[] = {
		{ "attn_qkv.weight", C_ATTN_QKV },
		{ "attn_kv_b.weight", C_ATTN_KV_B },
		{ "attn_v.weight", C_ATTN_V },
		{ "attn_k.weight", C_ATTN_K },
		{ "attn_q.weight", C_ATTN_Q },
		{ "attn_output.weight", C_ATTN_OUTPUT },
		{ "ffn_up", C_FFN_UP },
		{ "ffn_gate", C_FFN_GATE },
		{ "ffn_down", C_FFN_DOWN },
	};
	size_t i;

	if (strcmp(name, "output.weight") == 0)
		return C_OUTPUT;
	if (strcmp(name, "token_embd.weight") == 0 ||
	    strcmp(name, "per_layer_token_embd.weight") == 0)
		return C_TOKEN_EMBD;
	for (i = 0; i < NELEM(subs); i++)
		if (strstr(name, subs[i].sub) != NULL)
			return subs[i].c;
	return C_OTHER;
}

static int
is_attn_v(enum cat c)
{
	return c == C_ATTN_V || c == C_ATTN_QKV || c == C_ATTN_KV_B;
}

/* dimensions up to the last one above 1 (ggml_n_dims) */
static int
ndims(const uint64_t ne[4])
{
	int n;

	for (n = 4; n > 1 && ne[n - 1] == 1; n--)
		;
	return n;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Whether llama-quantize may change the type of this tensor at all. */
static int
may_quantize(const char *name, const uint64_t ne[4], int keep_output)
{
	static const char *const never[] = {
		"_norm.weight", "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight",
		"altup", "laurel", "per_layer_model_proj", "ssm_conv1d",
		"shortconv.conv.weight", "indexer.k_proj.weight",
		"indexer.q_proj.weight", "time_mix_first.weight",
		"time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight",
		"time_mix_v0.weight", "time_mix_v1.weight", "time_mix_v2.weight",
		"time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight",
		"time_mix_g1.weight", "time_mix_g2.weight",
		"time_mix_decay_w1.weight", "time_mix_decay_w2.weight",
		"time_mix_lerp_fused.weight", "attn_rel_b.weight",
		".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_",
		".rel_pos", ".patch_embd", ".patch_merger", "a.rvq.codebook",
		"mm.a.code_embd",
	};
	size_t i;

	if (ndims(ne) < 2 || !ends_with(name, "weight"))
		return 0;
	if (keep_output && strcmp(name, "output.weight") == 0)
		return 0;
	if (strcmp(name, "position_embd.weight") == 0 ||
	    strcmp(name, "token_types.weight") == 0)
		return 0;
	for (i = 0; i < NELEM(never); i++)
		if (strstr(name, never[i]) != NULL)
			return 0;
	return 1;
}

typedef struct qstate {
	const lc_qparams *p;
	char		 arch[64];
	int		 falcon, is70b;
	uint32_t	 n_layer, n_gqa, n_expert;
	int		 tied;
	int		 n_attn_v, i_attn_v;
	int		 i_ffn_down, i_ffn_gate, i_ffn_up;
	regex_t		*re;		/* p->noverrides compiled patterns */
	uint64_t	 n_fallback;
} qstate;

static int
more_bits(int i, int n)
{
	return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
}

/* the layer number after "blk.", as sscanf("blk.%d.") reads it */
static int
layer_of(const char *name, int *layer)
{
	const char *s;
	long v = 0;
	int neg = 0, nd = 0;

	if (strncmp(name, "blk.", 4) != 0)
		return 0;
	for (s = name + 4; isspace((unsigned char)*s); s++)
		;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; isdigit((unsigned char)*s); s++, nd++)
		if (v < 1000000000L)
			v = v * 10 + (*s - '0');
	if (nd == 0)
		return 0;
	*layer = (int)(neg ? -v : v);
	return 1;
}

/* (layer, layers) of the i-th tensor of a per-layer kind */
static int
layer_info(const qstate *qs, int i, const char *name, int *il, int *nl,
    lc_err *e)
{
	*il = i;
	*nl = (int)qs->n_layer;
	if (qs->n_expert > 1) {
		if (!layer_of(name, il))
			return lc_errf(e, LC_EFORMAT, "tensor '%s': no layer "
			    "number in its name", name);
		if (*il < 0 || *il >= *nl)
			return lc_errf(e, LC_EFORMAT, "tensor '%s': layer %d "
			    "not in [0, %d)", name, *il, *nl);
	}
	return LC_OK;
}

/* The mix rules for one tensor (llama_tensor_get_type_impl). */
static int
mix_rules(qstate *qs, const lc_qtensor *t, enum cat c, uint32_t *type,
    lc_err *e)
{
	const uint32_t ft = qs->p->ftype;
	uint32_t nt = *type;
	int il, nl;

	if (c == C_OUTPUT || (qs->tied && c == C_TOKEN_EMBD)) {
		if (qs->p->output_type >= 0)
			nt = (uint32_t)qs->p->output_type;
		else if (qs->falcon || t->ne[0] % lc_dtype(nt)->blck != 0)
			nt = LC_Q8_0;
		else if (nt != LC_Q8_0)
			nt = LC_Q6_K;
	} else if (c == C_TOKEN_EMBD) {
		if (qs->p->token_embd_type >= 0)
			nt = (uint32_t)qs->p->token_embd_type;
	} else if (is_attn_v(c)) {
		if (ft == FT_Q2_K)
			nt = qs->n_gqa >= 4 ? LC_Q4_K : LC_Q3_K;
		else if (ft == FT_Q2_K_S && qs->n_gqa >= 4)
			nt = LC_Q4_K;
		else if (ft == FT_Q3_K_M)
			nt = qs->i_attn_v < 2 ? LC_Q5_K : LC_Q4_K;
		else if (ft == FT_Q3_K_L)
			nt = LC_Q5_K;
		else if ((ft == FT_IQ4_NL || ft == FT_IQ4_XS) && qs->n_gqa >= 4)
			nt = LC_Q5_K;
		else if ((ft == FT_Q4_K_M || ft == FT_Q5_K_M) &&
		    more_bits(qs->i_attn_v, qs->n_attn_v))
			nt = LC_Q6_K;
		else if (ft == FT_Q4_K_S && qs->i_attn_v < 4)
			nt = LC_Q5_K;
		if (qs->is70b && (nt == LC_Q3_K || nt == LC_Q4_K))
			nt = LC_Q5_K;
		if (qs->n_expert == 8)
			nt = LC_Q8_0;
		qs->i_attn_v++;
	} else if (c == C_ATTN_K) {
		if (qs->n_expert == 8)
			nt = LC_Q8_0;
	} else if (c == C_FFN_DOWN) {
		if (layer_info(qs, qs->i_ffn_down, t->name, &il, &nl, e) != LC_OK)
			return e ? e->code : LC_EFORMAT;
		if (ft == FT_Q2_K)
			nt = LC_Q3_K;
		else if (ft == FT_Q2_K_S) {
			if (il < nl / 8)
				nt = LC_Q4_K;
		} else if (ft == FT_Q3_K_M)
			nt = il < nl / 16 ? LC_Q5_K : !qs->falcon ||
			    more_bits(il, nl) ? LC_Q4_K : LC_Q3_K;
		else if (ft == FT_Q3_K_L)
			nt = qs->falcon ? LC_Q4_K : LC_Q5_K;
		else if (ft == FT_Q4_K_M) {
			if (qs->falcon)
				nt = il < nl / 16 ? LC_Q6_K : more_bits(il, nl) ?
				    LC_Q5_K : LC_Q4_K;
			else if (more_bits(il, nl))
				nt = LC_Q6_K;
		} else if (il < nl / 8 && (ft == FT_IQ4_NL || ft == FT_IQ4_XS) &&
		    qs->p->imatrix == NULL)
			nt = LC_Q5_K;
		else if (ft == FT_Q5_K_M && more_bits(il, nl))
			nt = LC_Q6_K;
		else if (ft == FT_Q4_K_S && !qs->falcon && il < nl / 8)
			nt = LC_Q5_K;
		else if ((ft == FT_Q4_0 || ft == FT_Q5_0) &&
		    qs->p->imatrix != NULL && il < nl / 8)
			nt = ft == FT_Q4_0 ? LC_Q4_1 : LC_Q5_1;
		qs->i_ffn_down++;
	} else if (c == C_ATTN_OUTPUT) {
		if (!qs->falcon && qs->n_expert == 8) {
			if (ft == FT_Q2_K || ft == FT_Q3_K_S || ft == FT_Q3_K_M ||
			    ft == FT_IQ4_NL || ft == FT_Q4_K_S ||
			    ft == FT_Q4_K_M || ft == FT_IQ4_XS)
				nt = LC_Q5_K;
		} else if (!qs->falcon) {
			if (ft == FT_Q2_K)
				nt = LC_Q3_K;
			else if (ft == FT_Q3_K_M)
				nt = LC_Q4_K;
			else if (ft == FT_Q3_K_L)
				nt = LC_Q5_K;
		} else if (ft == FT_Q3_K_L)
			nt = LC_Q4_K;
	} else if (c == C_ATTN_QKV) {
		if (ft == FT_Q3_K_M || ft == FT_Q3_K_L)
			nt = LC_Q4_K;
		else if (ft == FT_Q4_K_M)
			nt = LC_Q5_K;
		else if (ft == FT_Q5_K_M)
			nt = LC_Q6_K;
	} else if (c == C_FFN_GATE || c == C_FFN_UP) {
		/* no rule for the file types we make; the layer check stays */
		if (layer_info(qs, c == C_FFN_GATE ? qs->i_ffn_gate :
		    qs->i_ffn_up, t->name, &il, &nl, e) != LC_OK)
			return e ? e->code : LC_EFORMAT;
		if (c == C_FFN_GATE)
			qs->i_ffn_gate++;
		else
			qs->i_ffn_up++;
	}
	*type = nt;
	return LC_OK;
}

/* A type whose blocks fit rows of ne0 (tensor_type_fallback). */
static uint32_t
fallback(qstate *qs, uint64_t ne0, uint32_t type)
{
	uint32_t blck = lc_dtype(type)->blck, nt = type;

	if (ne0 % blck == 0)
		return type;
	qs->n_fallback++;
	switch (type) {
	case LC_IQ1_S: case LC_IQ1_M: case LC_IQ2_XXS: case LC_IQ2_XS:
	case LC_IQ2_S: case LC_IQ3_XXS: case LC_IQ3_S: case LC_IQ4_XS:
		nt = LC_IQ4_NL;
		break;
	case LC_Q2_K: case LC_Q3_K: case LC_TQ1_0: case LC_TQ2_0:
		nt = LC_Q4_0;
		break;
	case LC_Q4_K: nt = LC_Q5_0; break;
	case LC_Q5_K: nt = LC_Q5_1; break;
	case LC_Q6_K: nt = LC_Q8_0; break;
	default: break;
	}
	if (ne0 % lc_dtype(nt)->blck != 0)
		nt = LC_F16;
	return nt;
}

static int
override_of(const qstate *qs, const char *name, uint32_t *type)
{
	size_t i;

	for (i = 0; i < qs->p->noverrides; i++)
		if (regexec(&qs->re[i], name, 0, NULL, 0) == 0) {
			*type = qs->p->overrides[i].dtype;
			return 1;
		}
	return 0;
}

/* The type of one tensor (llama_tensor_get_type). */
static int
choose(qstate *qs, lc_qtensor *t, uint32_t deftype, lc_err *e)
{
	enum cat c = category(t->name);
	uint32_t nt = deftype;
	int manual = 0;

	t->to = t->chosen = t->from;
	if (!may_quantize(t->name, t->ne, qs->p->keep_output))
		return LC_OK;
	if (qs->p->token_embd_type >= 0 && c == C_TOKEN_EMBD) {
		nt = (uint32_t)qs->p->token_embd_type;
		manual = 1;
	} else if (qs->p->output_type >= 0 && c == C_OUTPUT) {
		nt = (uint32_t)qs->p->output_type;
		manual = 1;
	} else if (override_of(qs, t->name, &nt)) {
		manual = 1;
	} else if (lc_dtype(deftype)->is_quant && !qs->p->pure) {
		if (mix_rules(qs, t, c, &nt, e) != LC_OK)
			return e ? e->code : LC_EFORMAT;
	}
	t->manual = manual;
	t->chosen = nt;
	t->to = fallback(qs, t->ne[0], nt);
	return LC_OK;
}

/* llama.cpp's regex is ECMAScript; map the common escapes to ERE */
static int
compile(regex_t *re, const char *pat, lc_err *e)
{
	size_t n = strlen(pat), i, k = 0;
	char *s, msg[128];
	int rc;

	if ((s = malloc(n * 12 + 1)) == NULL)
		return lc_errf(e, LC_ENOMEM, "pattern '%s'", pat);
	for (i = 0; i < n; i++) {
		if (pat[i] == '\\' && i + 1 < n &&
		    strchr("dws", pat[i + 1]) != NULL) {
			const char *r = pat[i + 1] == 'd' ? "[0-9]" :
			    pat[i + 1] == 'w' ? "[A-Za-z0-9_]" : "[[:space:]]";
			memcpy(s + k, r, strlen(r));
			k += strlen(r);
			i++;
			continue;
		}
		s[k++] = (char)tolower((unsigned char)pat[i]);
	}
	s[k] = '\0';
	rc = regcomp(re, s, REG_EXTENDED | REG_NOSUB);
	free(s);
	if (rc != 0) {
		regerror(rc, re, msg, sizeof(msg));
		return lc_errf(e, LC_EINVAL, "pattern '%s': %s", pat, msg);
	}
	return LC_OK;
}

int
lc_qpattern_check(const char *pattern, lc_err *e)
{
	regex_t re;

	if (compile(&re, pattern, e) != LC_OK)
		return e ? e->code : LC_EINVAL;
	regfree(&re);
	return LC_OK;
}

static int
writable(int t)
{
	return t >= 0 && lc_dtype((uint32_t)t) != NULL &&
	    (lc_dtype((uint32_t)t)->from_float != NULL);
}

/* the hyper-parameters the mix rules use */
static int
read_hparams(qstate *qs, const lc_gguf *g, int need, lc_err *e)
{
	char key[128], *arch = qs->arch;
	const char *s;
	size_t len;
	lc_gguf_kv kv;
	uint64_t v, nh = 0, nkv = 0;

	arch[0] = '\0';
	if (lc_gguf_get_str(g, "general.architecture", &s, &len, e) == LC_OK &&
	    len < sizeof(qs->arch)) {
		memcpy(arch, s, len);
		arch[len] = '\0';
	} else if (need)
		return lc_errf(e, LC_EFORMAT, "%s: key 'general.architecture' "
		    "missing or bad (the type rules need it)", lc_gguf_name(g));
	qs->falcon = strcmp(arch, "falcon") == 0;
	snprintf(key, sizeof(key), "%s.block_count", arch);
	if (lc_gguf_get_u64(g, key, &v, NULL) == LC_OK && v <= 1u << 20)
		qs->n_layer = (uint32_t)v;
	else if (need)
		return lc_errf(e, LC_EFORMAT, "%s: key '%s' missing or bad "
		    "(the type rules need it)", lc_gguf_name(g), key);
	snprintf(key, sizeof(key), "%s.attention.head_count", arch);
	if (lc_gguf_find_kv(g, key, &kv) == LC_OK)
		lc_gguf_kv_u64(&kv, 0, &nh);
	nkv = nh;
	snprintf(key, sizeof(key), "%s.attention.head_count_kv", arch);
	if (lc_gguf_find_kv(g, key, &kv) == LC_OK)
		lc_gguf_kv_u64(&kv, 0, &nkv);
	qs->n_gqa = nkv ? (uint32_t)(nh / nkv) : 0;
	snprintf(key, sizeof(key), "%s.expert_count", arch);
	if (lc_gguf_get_u64(g, key, &v, NULL) == LC_OK && v <= 1u << 16)
		qs->n_expert = (uint32_t)v;
	qs->is70b = strcmp(arch, "llama") == 0 && qs->n_layer == 80 &&
	    nh != nkv;
	return LC_OK;
}

/* llama.cpp's tensor order: non-layer tensors, then by layer; by name */
static int
cmp_tensor(const void *va, const void *vb)
{
	const lc_qtensor *a = va, *b = vb;
	int la = -1, lb = -1, c;

	layer_of(a->name, &la);
	layer_of(b->name, &lb);
	if (la != lb)
		return la < lb ? -1 : 1;
	c = strcmp(a->name, b->name);
	return c ? c : (a->index < b->index ? -1 : a->index > b->index);
}

void
lc_qplan_free(lc_qplan *plan)
{
	if (plan == NULL)
		return;
	free(plan->t);
	memset(plan, 0, sizeof(*plan));
}

int
lc_qplan_make(lc_qplan *plan, const lc_gguf *g, const lc_qparams *p,
    lc_err *e)
{
	const struct ftype *f = ftype_row(p->ftype);
	const lc_dtype_traits *tr;
	lc_tensor_info ti;
	qstate qs;
	uint64_t i, n = lc_gguf_ntensors(g);
	size_t k, ncomp = 0;
	int rc = LC_OK;

	memset(plan, 0, sizeof(*plan));
	memset(&qs, 0, sizeof(qs));
	qs.p = p;
	if (f == NULL)
		return lc_errf(e, LC_EINVAL, "file type %u is not supported",
		    p->ftype);
	if (p->output_type >= 0 && !writable(p->output_type))
		return lc_errf(e, LC_EUNSUP, "output tensor type %d cannot be "
		    "written", p->output_type);
	if (p->token_embd_type >= 0 && !writable(p->token_embd_type))
		return lc_errf(e, LC_EUNSUP, "token embedding type %d cannot "
		    "be written", p->token_embd_type);
	for (k = 0; k < p->noverrides; k++)
		if (!writable((int)p->overrides[k].dtype))
			return lc_errf(e, LC_EUNSUP, "pattern '%s': type %u "
			    "cannot be written", p->overrides[k].pattern,
			    p->overrides[k].dtype);
	rc = read_hparams(&qs, g, lc_dtype((uint32_t)f->dtype)->is_quant &&
	    !p->pure, e);
	if (rc != LC_OK)
		return rc;
	if (p->noverrides > 0 &&
	    (qs.re = calloc(p->noverrides, sizeof(*qs.re))) == NULL)
		return lc_errf(e, LC_ENOMEM, "patterns");
	for (ncomp = 0; ncomp < p->noverrides; ncomp++)
		if ((rc = compile(&qs.re[ncomp], p->overrides[ncomp].pattern,
		    e)) != LC_OK)
			goto out;
	if (n > 0 && (plan->t = calloc(n, sizeof(*plan->t))) == NULL) {
		rc = lc_errf(e, LC_ENOMEM, "%s: tensor plan", lc_gguf_name(g));
		goto out;
	}
	plan->n = n;
	plan->ftype = p->ftype;
	qs.tied = 1;
	for (i = 0; i < n; i++) {
		lc_qtensor *t = &plan->t[i];

		lc_gguf_tensor(g, i, &ti);
		memcpy(t->name, ti.name, ti.namelen);	/* namelen <= 63 */
		t->name[ti.namelen] = '\0';
		t->index = i;
		t->ndim = ti.ndim;
		memcpy(t->ne, ti.ne, sizeof(t->ne));
		t->nelem = ti.nelem;
		t->from = ti.dtype;
		t->bytes_from = ti.nbytes;
		if (category(t->name) == C_OUTPUT)
			qs.tied = 0;
		if (is_attn_v(category(t->name)))
			qs.n_attn_v++;
	}
	if (n > 1)
		qsort(plan->t, n, sizeof(*plan->t), cmp_tensor);
	for (i = 0; i < n; i++) {
		lc_qtensor *t = &plan->t[i];

		if ((rc = choose(&qs, t, (uint32_t)f->dtype, e)) != LC_OK)
			goto out;
		tr = lc_dtype(t->to);
		if (t->to != t->from) {
			if (tr == NULL || tr->from_float == NULL) {
				rc = lc_errf(e, LC_EUNSUP, "tensor '%s': type "
				    "%s cannot be written", t->name,
				    tr ? tr->name : "?");
				goto out;
			}
			if (lc_dtype(t->from)->to_float == NULL) {
				rc = lc_errf(e, LC_EUNSUP, "tensor '%s': type "
				    "%s cannot be converted", t->name,
				    lc_dtype(t->from)->name);
				goto out;
			}
			plan->n_convert++;
			if (lc_dtype(t->from)->is_quant)
				plan->n_requant++;
			if (t->to != t->chosen)
				plan->n_fallback++;
		}
		if (lc_dtype_nbytes(t->to, t->ne, &t->bytes_to) != 0) {
			rc = lc_errf(e, LC_EFORMAT, "tensor '%s': %s size "
			    "overflows", t->name, tr ? tr->name : "?");
			goto out;
		}
		plan->nelem += t->nelem;
		plan->bytes_from += t->bytes_from;
		plan->bytes_to += t->bytes_to;
	}
out:
	for (k = 0; k < ncomp; k++)
		regfree(&qs.re[k]);
	free(qs.re);
	if (rc != LC_OK)
		lc_qplan_free(plan);
	return rc;
}

/* ------------------------------------------------------------------ */
/* conversion                                                         */

#define kvalues_iq4nl lc_iq4_levels

/* sum over xb of w*q*x and w*q*q for the indices of scale 1/id */
static void
iq4_sums(const float *xb, const float *w, float id, uint8_t *L,
    float *sumqx, float *sumq2)
{
	float q, sqx = 0, sq2 = 0;
	int j, l;

	for (j = 0; j < 32; j++) {
		l = lc_iq4_index(id * xb[j]);
		if (L != NULL)
			L[j] = (uint8_t)l;
		q = kvalues_iq4nl[l];
		sqx += w[j] * q * xb[j];
		sq2 += w[j] * q * q;
	}
	*sumqx = sqx;
	*sumq2 = sq2;
}

void
lc_quant_iq4_nl_search(const float *x, void *vy, int64_t n)
{
	lc_quant_iq4_nl_w(x, vy, n, NULL);
}

void
lc_quant_iq4_nl_w(const float *x, void *vy, int64_t n, const float *qw)
{
	lc_block_iq4_nl *y = vy;
	float w[32], amax, max, d, id, sumqx, sumq2, best, sigma2;
	uint8_t L[32];
	int64_t i, nb = n / LC_QK4_NL;
	int j, itry;

	for (i = 0; i < nb; i++, x += LC_QK4_NL) {
		amax = max = 0;
		sigma2 = 0;
		for (j = 0; j < 32; j++)
			sigma2 += x[j] * x[j];
		sigma2 *= 2.f / 32;
		for (j = 0; j < 32; j++) {
			w[j] = qw != NULL ? qw[32 * i + j] * sqrtf(sigma2 +
			    x[j] * x[j]) : x[j] * x[j];
			if (fabsf(x[j]) > amax) {
				amax = fabsf(x[j]);
				max = x[j];
			}
		}
		d = 0;
		if (amax >= 1e-15f) {
			/* a first scale from the largest value, then 15 more */
			d = -max / kvalues_iq4nl[0];
			iq4_sums(x, w, 1 / d, L, &sumqx, &sumq2);
			d = sumq2 > 0 ? sumqx / sumq2 : 0.f;
			best = d * sumqx;
			for (itry = -7; itry <= 7; itry++) {
				id = (itry + kvalues_iq4nl[0]) / max;
				iq4_sums(x, w, id, NULL, &sumqx, &sumq2);
				if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
					d = sumqx / sumq2;
					best = d * sumqx;
				}
			}
		}
		y[i].d = lc_f32_to_f16(d);
		id = d ? 1 / d : 0;
		for (j = 0; j < 32; j++)
			L[j] = (uint8_t)lc_iq4_index(id * x[j]);
		for (j = 0; j < 16; j++)
			y[i].qs[j] = (uint8_t)(L[j] | L[j + 16] << 4);
	}
}

/* ------------------------------------------------------------------ */
/* importance matrix                                                  */

typedef struct imentry {
	char		*name;
	float		*v;
	uint64_t	 n;
} imentry;

struct lc_imatrix {
	imentry		*e;
	uint64_t	 n;
	uint32_t	 chunks;
	char		*dataset;
};

static int
cmp_imentry(const void *a, const void *b)
{
	return strcmp(((const imentry *)a)->name, ((const imentry *)b)->name);
}

void
lc_imatrix_free(lc_imatrix *im)
{
	uint64_t i;

	if (im == NULL)
		return;
	for (i = 0; i < im->n; i++) {
		free(im->e[i].name);
		free(im->e[i].v);
	}
	free(im->e);
	free(im->dataset);
	free(im);
}

uint64_t lc_imatrix_count(const lc_imatrix *im) { return im->n; }
uint32_t lc_imatrix_chunks(const lc_imatrix *im) { return im->chunks; }
const char *lc_imatrix_dataset(const lc_imatrix *im) { return im->dataset; }

const float *
lc_imatrix_find(const lc_imatrix *im, const char *name, uint64_t *n)
{
	imentry key, *p;

	key.name = (char *)(uintptr_t)name;
	p = im->n ? bsearch(&key, im->e, im->n, sizeof(*im->e), cmp_imentry) :
	    NULL;
	if (p == NULL)
		return NULL;
	*n = p->n;
	return p->v;
}

/* the tensor whose name is base + suffix, or -1 */
static int64_t
im_tensor(const lc_gguf *g, const char *base, size_t blen,
    const char *suffix, lc_tensor_info *ti)
{
	uint64_t i, n = lc_gguf_ntensors(g);
	size_t sl = strlen(suffix);

	for (i = 0; i < n; i++) {
		lc_gguf_tensor(g, i, ti);
		if (ti->namelen == blen + sl && memcmp(ti->name, base,
		    blen) == 0 && memcmp(ti->name + blen, suffix, sl) == 0)
			return (int64_t)i;
	}
	return -1;
}

int
lc_imatrix_load(lc_imatrix **out, const char *path, lc_err *e)
{
	lc_gguf *g = NULL;
	lc_imatrix *im;
	lc_gguf_kv kv;
	lc_gguf_str_iter it;
	lc_tensor_info ts, tc;
	uint64_t i, j, k, nt, u, ne0;
	const char *s;
	size_t len;
	int rc;

	*out = NULL;
	if ((im = calloc(1, sizeof(*im))) == NULL)
		return lc_errf(e, LC_ENOMEM, "%s", path);
	if ((rc = lc_gguf_open(&g, path, e)) != LC_OK)
		goto out;
	if (lc_gguf_find_kv(g, "imatrix.chunk_count", &kv) != LC_OK ||
	    lc_gguf_find_kv(g, "imatrix.chunk_size", &kv) != LC_OK ||
	    lc_gguf_find_kv(g, "imatrix.datasets", &kv) != LC_OK) {
		rc = lc_errf(e, LC_EFORMAT, "%s: imatrix.datasets, "
		    "imatrix.chunk_count, imatrix.chunk_size: missing (not an "
		    "importance matrix from llama-imatrix)", path);
		goto out;
	}
	if (kv.type == LC_GGUF_ARRAY && kv.elem_type == LC_GGUF_STRING) {
		lc_gguf_kv_strs(&kv, &it);
		if (lc_gguf_str_next(&it, &s, &len) &&
		    (im->dataset = strndup(s, len)) == NULL) {
			rc = lc_errf(e, LC_ENOMEM, "%s", path);
			goto out;
		}
	}
	if ((rc = lc_gguf_get_u64(g, "imatrix.chunk_count", &u, e)) != LC_OK)
		goto out;
	if (u > UINT32_MAX) {
		rc = lc_errf(e, LC_EFORMAT, "%s: imatrix.chunk_count: too "
		    "large", path);
		goto out;
	}
	im->chunks = (uint32_t)u;
	nt = lc_gguf_ntensors(g);
	if ((im->e = calloc(nt ? nt : 1, sizeof(*im->e))) == NULL) {
		rc = lc_errf(e, LC_ENOMEM, "%s", path);
		goto out;
	}
	for (i = 0; i < nt; i++) {
		imentry *en;
		const float *sums, *cnt;
		size_t blen;

		lc_gguf_tensor(g, i, &ts);
		if (ts.namelen < 8 || memcmp(ts.name + ts.namelen - 8,
		    ".in_sum2", 8) != 0) {
			if (ts.namelen < 7 || memcmp(ts.name + ts.namelen - 7,
			    ".counts", 7) != 0)
				continue;
			blen = ts.namelen - 7;
			if (im_tensor(g, ts.name, blen, ".in_sum2", &tc) < 0) {
				rc = lc_errf(e, LC_EFORMAT, "%s: tensor '%.*s':"
				    " no matching .in_sum2", path,
				    (int)ts.namelen, ts.name);
				goto out;
			}
			continue;
		}
		blen = ts.namelen - 8;
		if (im_tensor(g, ts.name, blen, ".counts", &tc) < 0) {
			rc = lc_errf(e, LC_EFORMAT, "%s: tensor '%.*s': no "
			    "matching .counts", path, (int)ts.namelen,
			    ts.name);
			goto out;
		}
		if (ts.dtype != LC_F32 || tc.dtype != LC_F32 ||
		    tc.nelem == 0 || ts.nelem % tc.nelem != 0) {
			rc = lc_errf(e, LC_EFORMAT, "%s: tensor '%.*s': sums "
			    "and counts must be F32 and the counts divide the "
			    "sums", path, (int)ts.namelen, ts.name);
			goto out;
		}
		en = &im->e[im->n];
		if ((en->name = strndup(ts.name, blen)) == NULL ||
		    (en->v = malloc(ts.nelem * sizeof(float))) == NULL) {
			free(en->name);
			rc = lc_errf(e, LC_ENOMEM, "%s", path);
			goto out;
		}
		im->n++;
		en->n = ts.nelem;
		sums = ts.data;
		cnt = tc.data;
		ne0 = ts.nelem / tc.nelem;
		for (j = 0; j < tc.nelem; j++) {
			/* llama-quantize: counts rounded to integers */
			float c = (float)lround(cnt[j]);
			for (k = 0; k < ne0; k++) {
				float v = c > 0.0f ? sums[j * ne0 + k] / c : 1;
				if (!isfinite(v)) {
					rc = lc_errf(e, LC_EFORMAT, "%s: tensor "
					    "'%s.in_sum2': element %llu is not "
					    "finite", path, en->name,
					    (unsigned long long)(j * ne0 + k));
					goto out;
				}
				en->v[j * ne0 + k] = v;
			}
		}
	}
	if (im->n == 0) {
		rc = lc_errf(e, LC_EFORMAT, "%s: no .in_sum2 tensors", path);
		goto out;
	}
	qsort(im->e, im->n, sizeof(*im->e), cmp_imentry);
	for (i = 1; i < im->n; i++)
		if (strcmp(im->e[i - 1].name, im->e[i].name) == 0) {
			rc = lc_errf(e, LC_EFORMAT, "%s: tensor '%s' twice",
			    path, im->e[i].name);
			goto out;
		}
	rc = LC_OK;
out:
	lc_gguf_close(g);
	if (rc != LC_OK)
		lc_imatrix_free(im);
	else
		*out = im;
	return rc;
}

typedef void	(*quant_fn)(const float *x, void *y, int64_t n);

typedef struct qjob {
	const lc_qtensor *t;
	const uint8_t	*src;
	uint8_t		*dst;
	size_t		 rin, rout;	/* row bytes in and out */
	uint64_t	 nrows;
	float		*scratch;	/* nth rows of ne[0] floats */
	uint64_t	*bad;		/* nth: first non-finite element */
	void		(*deq)(const void *x, float *y, int64_t n);
	quant_fn	 q;
	const float	*imat;		/* weights, ne[0] per expert, or NULL */
	uint64_t	 rows_per_exp;
} qjob;

static void
qjob_run(void *arg, int ith, int nth)
{
	qjob *j = arg;
	const uint64_t ne0 = j->t->ne[0];
	uint64_t r, r0 = j->nrows * ith / nth, r1 = j->nrows * (ith + 1) / nth;
	float *f = j->scratch + ne0 * (uint64_t)ith;
	const uint8_t *s;
	uint64_t k;

	j->bad[ith] = UINT64_MAX;
	for (r = r0; r < r1; r++) {
		s = j->src + r * j->rin;
		if (j->deq != NULL)
			j->deq(s, f, (int64_t)ne0);
		else
			memcpy(f, s, ne0 * sizeof(float));
		for (k = 0; k < ne0; k++)
			if (!isfinite(f[k])) {
				j->bad[ith] = r * ne0 + k;
				return;
			}
		if (j->imat == NULL)
			j->q(f, j->dst + r * j->rout, (int64_t)ne0);
		else if (j->t->to == LC_IQ4_NL)
			lc_quant_iq4_nl_w(f, j->dst + r * j->rout, (int64_t)ne0,
			    j->imat + (r / j->rows_per_exp) * ne0);
		else if (j->t->to == LC_IQ4_XS)
			lc_quant_iq4_xs_w(f, j->dst + r * j->rout, (int64_t)ne0,
			    j->imat + (r / j->rows_per_exp) * ne0);
		else
			lc_quant_row_w(j->t->to, f, j->dst + r * j->rout,
			    (int64_t)ne0, j->imat + (r / j->rows_per_exp) *
			    ne0);
	}
}

int
lc_qplan_write(const lc_qplan *plan, const lc_gguf *g, const lc_qparams *p,
    const char *path, lc_qprogress cb, void *arg, lc_err *e)
{
	lc_gguf_writer *w = NULL;
	lc_pool *pool = NULL;
	lc_tensor_info ti;
	lc_gguf_kv kv;
	void **bufs = NULL;
	qjob job;
	uint64_t i, maxne0 = 1, first;
	int rc, nth = p->nthreads < 1 ? 1 : p->nthreads, k;

	memset(&job, 0, sizeof(job));
	if (plan->n_requant > 0 && !p->allow_requantize)
		return lc_errf(e, LC_EINVAL, "%s: quantized tensors would be "
		    "requantized", lc_gguf_name(g));
	/* llama-quantize: Q2_K tensors of a Q2_K_S file need weights */
	for (i = 0; plan->ftype == FT_Q2_K_S && i < plan->n; i++) {
		const lc_qtensor *t = &plan->t[i];
		uint64_t ni = 0;
		if (t->to != LC_Q2_K || t->to == t->from ||
		    category(t->name) == C_TOKEN_EMBD ||
		    category(t->name) == C_OUTPUT)
			continue;
		if (p->imatrix == NULL)
			return lc_errf(e, LC_EINVAL, "%s: Q2_K_S needs an "
			    "importance matrix (--imatrix)", lc_gguf_name(g));
		if (lc_imatrix_find(p->imatrix, t->name, &ni) == NULL ||
		    ni != t->ne[0] * t->ne[2])
			return lc_errf(e, LC_EINVAL, "%s: tensor '%s': Q2_K in "
			    "a Q2_K_S file needs importance data, and %s has "
			    "none for it", lc_gguf_name(g), t->name,
			    p->imatrix_name ? p->imatrix_name : "the matrix");
	}
	for (i = 0; i < plan->n; i++)
		if (plan->t[i].to != plan->t[i].from && plan->t[i].ne[0] > maxne0)
			maxne0 = plan->t[i].ne[0];
	if ((rc = lc_gguf_writer_new(&w, e)) != LC_OK)
		return rc;
	if ((rc = lc_pool_new(&pool, nth, e)) != LC_OK)
		goto out;
	if ((plan->n > 0 && (bufs = calloc(plan->n, sizeof(*bufs))) == NULL) ||
	    (job.scratch = malloc(maxne0 * nth * sizeof(float))) == NULL ||
	    (job.bad = malloc(nth * sizeof(*job.bad))) == NULL) {
		rc = lc_errf(e, LC_ENOMEM, "%s: buffers", path);
		goto out;
	}
	for (i = 0; i < lc_gguf_nkv(g); i++) {
		lc_gguf_kv_at(g, i, &kv);
#define IS(k) (kv.keylen == strlen(k) && memcmp(kv.key, k, kv.keylen) == 0)
		if (IS("general.quantization_version") ||
		    IS("general.file_type") || IS("split.no") ||
		    IS("split.count") || IS("split.tensors.count"))
			continue;
#undef IS
		if ((rc = lc_gguf_w_kv(w, &kv, e)) != LC_OK)
			goto out;
	}
	if ((rc = lc_gguf_w_u32(w, "general.quantization_version",
	    LC_QUANT_VERSION, e)) != LC_OK ||
	    (rc = lc_gguf_w_u32(w, "general.file_type", plan->ftype, e)) !=
	    LC_OK)
		goto out;
	if (p->imatrix != NULL) {
		/* llama-quantize's overrides: strings cut at 127 bytes */
		char buf[128];
		snprintf(buf, sizeof(buf), "%s", p->imatrix_name ?
		    p->imatrix_name : "");
		if ((rc = lc_gguf_w_str(w, "quantize.imatrix.file", buf, e)))
			goto out;
		if (lc_imatrix_dataset(p->imatrix) != NULL) {
			snprintf(buf, sizeof(buf), "%s",
			    lc_imatrix_dataset(p->imatrix));
			if ((rc = lc_gguf_w_str(w, "quantize.imatrix.dataset",
			    buf, e)))
				goto out;
		}
		if ((rc = lc_gguf_w_u32(w, "quantize.imatrix.entries_count",
		    (uint32_t)lc_imatrix_count(p->imatrix), e)) ||
		    (lc_imatrix_chunks(p->imatrix) > 0 && (rc = lc_gguf_w_u32(w,
		    "quantize.imatrix.chunks_count",
		    lc_imatrix_chunks(p->imatrix), e))))
			goto out;
	}
	for (i = 0; i < plan->n; i++) {
		const lc_qtensor *t = &plan->t[i];
		const void *data;

		lc_gguf_tensor(g, t->index, &ti);
		data = ti.data;
		if (t->to != t->from) {
			if ((bufs[i] = malloc(t->bytes_to ? t->bytes_to : 1)) ==
			    NULL) {
				rc = lc_errf(e, LC_ENOMEM, "tensor '%s': %llu "
				    "bytes", t->name,
				    (unsigned long long)t->bytes_to);
				goto out;
			}
			job.t = t;
			job.src = ti.data;
			job.dst = bufs[i];
			job.nrows = t->ne[0] ? t->nelem / t->ne[0] : 0;
			job.rin = job.nrows ? t->bytes_from / job.nrows : 0;
			job.rout = job.nrows ? t->bytes_to / job.nrows : 0;
			job.deq = t->from == LC_F32 ? NULL :
			    lc_dtype(t->from)->to_float;
			job.q = t->to == LC_IQ4_NL ? lc_quant_iq4_nl_search :
			    lc_dtype(t->to)->from_float;
			job.imat = NULL;
			job.rows_per_exp = t->ne[1] ? t->ne[1] : 1;
			if (p->imatrix != NULL) {
				uint64_t ni = 0;
				const float *v = lc_imatrix_find(p->imatrix,
				    t->name, &ni);
				if (v != NULL && ni != t->ne[0] * t->ne[2] &&
				    strcmp(t->name, "token_embd.weight") != 0) {
					rc = lc_errf(e, LC_EFORMAT, "%s: tensor "
					    "'%s': %llu importance values, but "
					    "the tensor needs %llu", p->imatrix_name
					    ? p->imatrix_name : "imatrix",
					    t->name, (unsigned long long)ni,
					    (unsigned long long)(t->ne[0] *
					    t->ne[2]));
					goto out;
				}
				if (v != NULL && ni == t->ne[0] * t->ne[2] &&
				    (lc_imat_uses(t->to) || t->to == LC_IQ4_NL ||
				    t->to == LC_IQ4_XS))
					job.imat = v;
			}

			lc_pool_run(pool, qjob_run, &job);
			first = UINT64_MAX;
			for (k = 0; k < nth; k++)
				if (job.bad[k] < first)
					first = job.bad[k];
			if (first != UINT64_MAX) {
				rc = lc_errf(e, LC_EFORMAT, "%s: tensor '%s': "
				    "element %llu is NaN or infinite",
				    lc_gguf_name(g), t->name,
				    (unsigned long long)first);
				goto out;
			}
			data = bufs[i];
		}
		if ((rc = lc_gguf_w_tensor(w, t->name, t->to, t->ndim, t->ne,
		    data, e)) != LC_OK)
			goto out;
		if (cb != NULL)
			cb(arg, i + 1, plan->n, t);
	}
	rc = lc_gguf_writer_write(w, path, e);
out:
	for (i = 0; bufs != NULL && i < plan->n; i++)
		free(bufs[i]);
	free(bufs);
	free(job.scratch);
	free(job.bad);
	lc_pool_free(pool);
	lc_gguf_writer_free(w);
	return rc;
}
