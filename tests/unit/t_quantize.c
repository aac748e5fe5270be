/*
 * t_quantize.c - unit tests of libcore/quantize.c: file type names, the
 * per-tensor plan on awkward shapes (fallbacks down to f16, 1-D and
 * non-weight tensors, tensor order), NaN refusal, requantizing, and the
 * IQ4_NL search quantizer.  Whole-file equality with llama-quantize is
 * checked by tests/cli/llm-quant.t (see tests/oracle/quantize_README).
 * Temporary files go under /tmp and are removed.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../libcore/dtype.h"
#include "../../libcore/gguf.h"
#include "../../libcore/quant/quant.h"
#include "../../libcore/quantize.h"
#include "check.h"

static float data[8][256 * 4];

static const lc_qtensor *
find(const lc_qplan *p, const char *name)
{
	uint64_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->t[i].name, name) == 0)
			return &p->t[i];
	return NULL;
}

/* type of tensor name in the plan, or "?" */
static const char *
to(const lc_qplan *p, const char *name)
{
	const lc_qtensor *t = find(p, name);

	return t ? lc_dtype(t->to)->name : "?";
}

static int
write_model(const char *path, int with_layers, int nan)
{
	static const struct { const char *name; uint64_t ne0, ne1; } ts[] = {
		{ "blk.10.attn_q.weight", 96, 2 },
		{ "token_embd.weight", 40, 4 },
		{ "blk.2.attn_q.weight", 96, 2 },
		{ "blk.2.attn_norm.weight", 96, 1 },
		{ "blk.2.attn_q.bias", 96, 2 },
		{ "blk.2.ffn_down.weight", 256, 2 },
		{ "blk.2.ffn_up.weight", 256, 1 },
		{ "output_norm.weight", 32, 1 },
	};
	lc_gguf_writer *w;
	lc_err e;
	uint64_t ne[4];
	size_t i, j;

	for (i = 0; i < 8; i++)
		for (j = 0; j < 256 * 4; j++)
			data[i][j] = sinf((float)(i * 1000 + j)) * 0.1f;
	if (nan)
		data[5][300] = NAN;
	if (lc_gguf_writer_new(&w, &e) != LC_OK ||
	    lc_gguf_w_str(w, "general.architecture", "llama", &e) != LC_OK ||
	    lc_gguf_w_u32(w, "general.file_type", 0, &e) != LC_OK)
		return -1;
	if (with_layers &&
	    (lc_gguf_w_u32(w, "llama.block_count", 11, &e) != LC_OK ||
	    lc_gguf_w_u32(w, "llama.attention.head_count", 4, &e) != LC_OK))
		return -1;
	for (i = 0; i < 8; i++) {
		ne[0] = ts[i].ne0;
		ne[1] = ts[i].ne1;
		ne[2] = ne[3] = 1;
		if (lc_gguf_w_tensor(w, ts[i].name, LC_F32, 2, ne, data[i],
		    &e) != LC_OK)
			return -1;
	}
	if (lc_gguf_writer_write(w, path, &e) != LC_OK)
		return -1;
	lc_gguf_writer_free(w);
	return 0;
}

static void
t_names(void)
{
	uint32_t ft = 99;
	lc_err e;

	CHECK(lc_qftype_parse("q4_k_m", &ft, &e) == LC_OK && ft == 15,
	    "q4_k_m: %u", ft);
	CHECK(lc_qftype_parse("Q4_K", &ft, &e) == LC_OK && ft == 15,
	    "Q4_K alias: %u", ft);
	CHECK(lc_qftype_parse("q3_k", &ft, &e) == LC_OK && ft == 12,
	    "Q3_K alias: %u", ft);
	CHECK(lc_qftype_parse("7", &ft, &e) == LC_OK && ft == 7, "7: %u", ft);
	CHECK(lc_qftype_parse("bf16", &ft, &e) == LC_OK && ft == 32,
	    "bf16: %u", ft);
	CHECK(lc_qftype_parse("iq2_xxs", &ft, &e) == LC_EUNSUP,
	    "iq2_xxs not refused");
	/* made with an importance matrix (lc_qplan_write says so) */
	CHECK(lc_qftype_parse("Q2_K_S", &ft, &e) == LC_OK && ft == 21,
	    "Q2_K_S: %u", ft);
	CHECK(strcmp(lc_qftype_name(21), "Q2_K_S") == 0, "name of 21");
	CHECK(lc_qftype_parse("q9_k", &ft, &e) == LC_ENOTFOUND, "q9_k found");
	CHECK(lc_qftype_parse("15x", &ft, &e) == LC_ENOTFOUND, "15x found");
	CHECK(strcmp(lc_qftype_name(15), "Q4_K_M") == 0, "name of 15");
	CHECK(strcmp(lc_qftype_name(12), "Q3_K_M") == 0, "name of 12");
	CHECK(lc_qftype_name(19) == NULL, "name of 19");
	CHECK(lc_qpattern_check("blk\\.\\d+\\.attn_(q|k)", &e) == LC_OK,
	    "pattern: %s", e.msg);
	CHECK(lc_qpattern_check("(", &e) == LC_EINVAL, "bad pattern passed");
}

static void
t_plan(const char *path, const char *out)
{
	lc_qparams p = { .output_type = -1, .token_embd_type = -1,
	    .nthreads = 3 };
	lc_qoverride ov[] = { { "ATTN_Q\\.weight$", LC_Q8_0 } };
	lc_gguf *g = NULL;
	lc_qplan plan;
	lc_err e;
	char tmp[300];

	if (write_model(path, 1, 1) != 0 || lc_gguf_open(&g, path, &e) !=
	    LC_OK) {
		CHECK(0, "cannot write or open %s", path);
		return;
	}
	p.ftype = 15;
	CHECK(lc_qplan_make(&plan, g, &p, &e) == LC_OK, "plan: %s", e.msg);
	/* non-layer tensors first, then by layer number, then by name */
	CHECK(plan.n == 8 && strcmp(plan.t[0].name, "output_norm.weight") ==
	    0 && strcmp(plan.t[1].name, "token_embd.weight") == 0 &&
	    strcmp(plan.t[2].name, "blk.2.attn_norm.weight") == 0 &&
	    strcmp(plan.t[7].name, "blk.10.attn_q.weight") == 0,
	    "order: %s %s %s", plan.t[0].name, plan.t[1].name,
	    plan.t[7].name);
	/* tied: output rule (q8_0, 40 is not a multiple of 32) then f16 */
	CHECK(strcmp(to(&plan, "token_embd.weight"), "f16") == 0,
	    "token_embd: %s", to(&plan, "token_embd.weight"));
	CHECK(strcmp(to(&plan, "blk.2.attn_q.weight"), "q5_0") == 0,
	    "attn_q: %s", to(&plan, "blk.2.attn_q.weight"));
	CHECK(find(&plan, "blk.2.attn_q.weight")->chosen == LC_Q4_K,
	    "attn_q chosen");
	CHECK(strcmp(to(&plan, "blk.2.attn_norm.weight"), "f32") == 0,
	    "norm");
	CHECK(strcmp(to(&plan, "blk.2.attn_q.bias"), "f32") == 0, "bias");
	CHECK(strcmp(to(&plan, "blk.2.ffn_up.weight"), "f32") == 0,
	    "1-row tensor: %s", to(&plan, "blk.2.ffn_up.weight"));
	/* layer 0 of 11 (the first ffn_down seen) gets more bits */
	CHECK(strcmp(to(&plan, "blk.2.ffn_down.weight"), "q6_k") == 0,
	    "ffn_down: %s", to(&plan, "blk.2.ffn_down.weight"));
	CHECK(plan.n_convert == 4 && plan.n_fallback == 3,
	    "counts %llu %llu", (unsigned long long)plan.n_convert,
	    (unsigned long long)plan.n_fallback);
	CHECK(lc_qplan_write(&plan, g, &p, out, NULL, NULL, &e) ==
	    LC_EFORMAT && strstr(e.msg, "blk.2.ffn_down.weight") != NULL &&
	    strstr(e.msg, "element 300") != NULL, "NaN: %s", e.msg);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", out, (long)getpid());
	CHECK(access(out, F_OK) != 0 && access(tmp, F_OK) != 0,
	    "a file was left after the NaN");
	lc_qplan_free(&plan);

	/* overrides are searched, lower-cased, first match wins */
	p.overrides = ov;
	p.noverrides = 1;
	CHECK(lc_qplan_make(&plan, g, &p, &e) == LC_OK, "plan: %s", e.msg);
	CHECK(strcmp(to(&plan, "blk.10.attn_q.weight"), "q8_0") == 0 &&
	    find(&plan, "blk.10.attn_q.weight")->manual, "override: %s",
	    to(&plan, "blk.10.attn_q.weight"));
	lc_qplan_free(&plan);
	p.noverrides = 0;

	/* F16: no rules, every 2-D weight f16 */
	p.ftype = 1;
	CHECK(lc_qplan_make(&plan, g, &p, &e) == LC_OK, "plan: %s", e.msg);
	CHECK(strcmp(to(&plan, "token_embd.weight"), "f16") == 0 &&
	    strcmp(to(&plan, "blk.2.ffn_down.weight"), "f16") == 0 &&
	    strcmp(to(&plan, "blk.2.attn_norm.weight"), "f32") == 0, "f16");
	lc_qplan_free(&plan);
	lc_gguf_close(g);

	/* the mix rules need block_count; --pure does not */
	if (write_model(path, 0, 0) != 0 || lc_gguf_open(&g, path, &e) !=
	    LC_OK) {
		CHECK(0, "cannot write or open %s", path);
		return;
	}
	p.ftype = 15;
	CHECK(lc_qplan_make(&plan, g, &p, &e) == LC_EFORMAT &&
	    strstr(e.msg, "llama.block_count") != NULL, "no block_count: %s",
	    e.msg);
	p.pure = 1;
	CHECK(lc_qplan_make(&plan, g, &p, &e) == LC_OK, "pure: %s", e.msg);
	CHECK(lc_qplan_write(&plan, g, &p, out, NULL, NULL, &e) == LC_OK,
	    "write: %s", e.msg);
	lc_qplan_free(&plan);
	lc_gguf_close(g);

	/* the output is quantized: converting it again needs permission */
	if (lc_gguf_open(&g, out, &e) != LC_OK) {
		CHECK(0, "cannot open %s: %s", out, e.msg);
		return;
	}
	p.ftype = 7;
	CHECK(lc_qplan_make(&plan, g, &p, &e) == LC_OK && plan.n_requant > 0,
	    "requant plan: %s", e.msg);
	CHECK(lc_qplan_write(&plan, g, &p, path, NULL, NULL, &e) == LC_EINVAL,
	    "requantized without allow_requantize");
	lc_qplan_free(&plan);
	lc_gguf_close(g);
}

/* the IQ4_NL search never does worse than ggml's reference quantizer
   on the scale it picks, and an all-zero block is d = 0, indices 8 */
static void
t_iq4(void)
{
	float x[256], y1[256], y2[256];
	lc_block_iq4_nl a[8], b[8];
	double e1 = 0, e2 = 0;
	int i;

	for (i = 0; i < 256; i++)
		x[i] = i < 32 ? 0 : sinf(i * 0.37f) * (1 + i % 7);
	lc_quant_iq4_nl(x, a, 256);
	lc_quant_iq4_nl_search(x, b, 256);
	lc_dequant_iq4_nl(a, y1, 256);
	lc_dequant_iq4_nl(b, y2, 256);
	for (i = 0; i < 256; i++) {
		e1 += (double)(x[i] - y1[i]) * (x[i] - y1[i]);
		e2 += (double)(x[i] - y2[i]) * (x[i] - y2[i]);
	}
	CHECK(e2 <= e1 * 1.01, "search error %g > reference %g", e2, e1);
	CHECK(b[0].d == 0 && b[0].qs[0] == 0x88 && b[0].qs[15] == 0x88,
	    "zero block: d %04x qs %02x", b[0].d, b[0].qs[0]);
}

int
main(void)
{
	char path[64], out[64];

	snprintf(path, sizeof(path), "/tmp/t_quantize.%ld.gguf",
	    (long)getpid());
	snprintf(out, sizeof(out), "/tmp/t_quantize.%ld.out.gguf",
	    (long)getpid());
	t_names();
	t_plan(path, out);
	t_iq4();
	unlink(path);
	unlink(out);
	return DONE("t_quantize");
}
