/*
 * t_eval - perplexity and KL-divergence (libcore/eval.c): the packed
 * log-probabilities, the KL sums against closed forms, llama.cpp's
 * percentile, and lc_eval_run against a plain recomputation on a tiny
 * model (one forward call per chunk, log-softmax in double), with BOS
 * replacement, a save/compare round trip and the errors.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../libcore/dtype.h"
#include "../../libcore/eval.h"
#include "../../libcore/model.h"
#include "check.h"

#define TINY	"tests/golden/hf/tiny-llama3.f32.gguf"

static uint64_t rng = 88172645463325252ull;

static double
urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

/* -log softmax(x)[t] in double */
static double
nll_ref(const float *x, int n, int t)
{
	double m = x[0], s = 0;
	int i;

	for (i = 1; i < n; i++)
		if (x[i] > m)
			m = x[i];
	for (i = 0; i < n; i++)
		s += exp(x[i] - m);
	return -(x[t] - m - log(s));
}

static void
test_math(void)
{
	enum { NV = 1001 };
	float x[NV], d[2], kv, pv;
	uint16_t row[LC_EVAL_NV(NV)];
	double v, lse, m;
	lc_kld_acc a;
	int i, t = 17, bad = 0;

	CHECK(LC_EVAL_NV(NV) == 1006 && LC_EVAL_NV(1000) == 1004,
	    "row length %zu", LC_EVAL_NV(NV));
	for (i = 0; i < NV; i++)
		x[i] = (float)(urand() * 30 - 15);
	v = lc_eval_nll(x, NV, t);
	CHECK(fabs(v - nll_ref(x, NV, t)) < 1e-5, "nll %g vs %g", v,
	    nll_ref(x, NV, t));

	memset(row, 0xff, sizeof(row));
	v = lc_eval_pack(x, NV, row, t);
	CHECK(fabs(v - nll_ref(x, NV, t)) < 1e-5, "pack nll %g vs %g", v,
	    nll_ref(x, NV, t));
	memcpy(d, row, sizeof(d));
	for (m = x[0], i = 1; i < NV; i++)
		m = x[i] > m ? x[i] : m;
	for (lse = 0, i = 0; i < NV; i++)
		lse += exp(x[i] - m);
	lse = m + log(lse);
	CHECK(fabs(d[0] - 16 / 65535.0) < 1e-7, "scale %g", d[0]);
	CHECK(fabs(d[1] - (m - 16 - lse)) < 1e-4, "min log p %g vs %g", d[1],
	    m - 16 - lse);
	for (i = 0; i < NV; i++) {
		double want = x[i] - lse, got = d[0] * row[4 + i] + d[1];
		if (x[i] > m - 16 ? fabs(got - want) > d[0] : row[4 + i] != 0)
			bad++;
	}
	CHECK(bad == 0, "%d log-probs off by more than a step", bad);
	CHECK(row[4 + NV] == 0, "padding %u", row[4 + NV]);

	/* the same distribution: no divergence, same top */
	memset(&a, 0, sizeof(a));
	lc_kld_add(&a, x, NV, row, t, &kv, &pv);
	CHECK(fabs(kv) < 1e-3 && a.n_same_top == 1 && a.count == 1,
	    "self kld %g top %llu", kv, (unsigned long long)a.n_same_top);
	CHECK(fabs(pv) < 1e-3, "self dp %g", pv);

	/* two tokens: base p = (.9, .1), model p = (.5, .5):
	   KL = .9 ln 1.8 + .1 ln .2; dp of token 1 = .5 - .1 */
	{
		float b[2] = { logf(.9f), logf(.1f) }, q[2] = { 0, 0 };
		uint16_t r2[LC_EVAL_NV(2)];
		double want = .9 * log(1.8) + .1 * log(.2);
		lc_eval_pack(b, 2, r2, 1);
		memset(&a, 0, sizeof(a));
		lc_kld_add(&a, q, 2, r2, 1, &kv, &pv);
		CHECK(fabs(kv - want) < 1e-3, "kld %g, want %g", kv, want);
		CHECK(fabs(pv - .4) < 1e-3, "dp %g, want .4", pv);
		CHECK(fabs(a.sum_nll - log(2)) < 1e-6 &&
		    fabs(a.sum_nll_base - -log(.1)) < 1e-3,
		    "nll %g base %g", a.sum_nll, a.sum_nll_base);
		CHECK(a.n_same_top == 1, "tops: model 0 (a tie), base 0");
	}
	{
		float s[5] = { 1, 2, 3, 4, 5 };
		CHECK(lc_eval_percentile(s, 5, .5f) == 3 &&
		    fabsf(lc_eval_percentile(s, 5, .9f) - 4.6f) < 1e-6f &&
		    lc_eval_percentile(s, 5, 0) == 1 &&
		    lc_eval_percentile(s, 5, 1) == 5 &&
		    fabsf(lc_eval_percentile(s, 5, .999f) - 4.996f) < 1e-5f,
		    "percentiles");
	}
}

/* perplexity of chunks as llama-perplexity defines it, the slow way */
static double
ppl_ref(lc_model *m, const int32_t *tok, int n_ctx, int n_chunk,
    int32_t bos)
{
	int nv = (int)lc_model_hparams(m)->n_vocab, c, i;
	float *lg = malloc((size_t)n_ctx * nv * sizeof(float));
	int32_t *ids = malloc((size_t)n_ctx * sizeof(*ids));
	double s = 0;
	long cnt = 0;
	lc_err e;

	for (c = 0; c < n_chunk; c++) {
		memcpy(ids, tok + c * n_ctx, (size_t)n_ctx * sizeof(*ids));
		if (bos >= 0)
			ids[0] = bos;
		lc_model_reset(m);
		if (lc_model_eval(m, ids, n_ctx, 0, 1, lg, &e) != LC_OK) {
			CHECK(0, "eval: %s", e.msg);
			break;
		}
		for (i = n_ctx / 2; i < n_ctx - 1; i++, cnt++)
			s += nll_ref(lg + (size_t)i * nv, nv, tok[c * n_ctx + i +
			    1]);
	}
	free(lg);
	free(ids);
	return exp(s / cnt);
}

static void
test_run(void)
{
	lc_backend *be = NULL;
	lc_model *m = NULL;
	lc_model_opts mo = { 0 };
	lc_eval_opts o = { 0 };
	lc_eval_result r, r2;
	char path[] = "/tmp/t_eval.XXXXXX";
	int32_t tok[200];
	lc_err e;
	int i, fd, nv;

	if (lc_cpu_backend_new(&be, 1, &e) != LC_OK) {
		CHECK(0, "backend: %s", e.msg);
		return;
	}
	mo.n_ctx = 64;
	mo.n_batch = 16;
	mo.kv_dtype = LC_F32;
	if (lc_model_open(&m, TINY, be, &mo, &e) != LC_OK) {
		CHECK(0, "%s", e.msg);
		be->ops->free(be);
		return;
	}
	nv = (int)lc_model_hparams(m)->n_vocab;
	for (i = 0; i < 200; i++)
		tok[i] = (int32_t)(urand() * nv);

	o.n_ctx = 32;
	o.bos = -1;
	o.piece = 5;		/* several calls per chunk */
	CHECK(lc_eval_run(m, tok, 200, &o, &r, &e) == LC_OK, "%s", e.msg);
	CHECK(r.n_chunk == 6 && r.count == 6 * 15 && r.n_ctx == 32,
	    "chunks %d scored %llu", r.n_chunk, (unsigned long long)r.count);
	{
		double want = ppl_ref(m, tok, 32, 6, -1);
		CHECK(fabs(r.ppl / want - 1) < 1e-5, "ppl %.9g, want %.9g",
		    r.ppl, want);
	}
	CHECK(r.ppl_err > 0 && !r.has_kld, "err %g", r.ppl_err);

	o.bos = 1;
	o.n_chunks = 2;
	CHECK(lc_eval_run(m, tok, 200, &o, &r, &e) == LC_OK, "%s", e.msg);
	{
		double want = ppl_ref(m, tok, 32, 2, 1);
		CHECK(r.n_chunk == 2 && fabs(r.ppl / want - 1) < 1e-5,
		    "bos: ppl %.9g, want %.9g", r.ppl, want);
	}

	/* save, then compare against the file: the same model gives no
	   divergence and the file's own perplexity */
	if ((fd = mkstemp(path)) < 0) {
		CHECK(0, "mkstemp");
		goto out;
	}
	close(fd);
	o.save_path = path;
	CHECK(lc_eval_run(m, tok, 200, &o, &r, &e) == LC_OK, "save: %s",
	    e.msg);
	o.save_path = NULL;
	o.base_path = path;
	o.n_ctx = 8;		/* the file's n_ctx wins */
	CHECK(lc_eval_run(m, NULL, 0, &o, &r2, &e) == LC_OK, "kld: %s",
	    e.msg);
	CHECK(r2.has_kld && r2.n_ctx == 32 && r2.n_chunk == 2 &&
	    r2.count == 30, "kld shape %d %d %llu", r2.n_ctx, r2.n_chunk,
	    (unsigned long long)r2.count);
	CHECK(fabs(r2.kld) < 1e-4 && r2.same_top == 1,
	    "self kld %g same top %g", r2.kld, r2.same_top);
	/* the file keeps log-probabilities down to 16 below the top one
	   (llama.cpp's format): the random tokens here often lie below, so
	   the base looks better, never worse */
	CHECK(fabs(r2.ppl / r.ppl - 1) < 1e-5 &&
	    r2.ppl_base <= r.ppl * (1 + 1e-4), "ppl %g base %g saved %g",
	    r2.ppl, r2.ppl_base, r.ppl);
	CHECK(r2.kld_pct[0] >= r2.kld_pct[5] && r2.kld_pct[5] >=
	    r2.kld_pct[10], "percentiles out of order");

	/* against a base model: itself */
	o.base_path = NULL;
	o.base_model = m;
	o.n_ctx = 32;
	CHECK(lc_eval_run(m, tok, 200, &o, &r2, &e) == LC_OK, "kld model: %s",
	    e.msg);
	CHECK(r2.has_kld && fabs(r2.kld) < 1e-4 && r2.same_top == 1,
	    "kld model %g", r2.kld);
	o.base_model = NULL;

	/* errors */
	CHECK(lc_eval_run(m, tok, 63, &o, &r, &e) == LC_EINVAL &&
	    strstr(e.msg, "63 tokens") != NULL, "short: %s", e.msg);
	o.n_ctx = 128;
	CHECK(lc_eval_run(m, tok, 200, &o, &r, &e) == LC_EINVAL &&
	    strstr(e.msg, "context") != NULL, "big chunks: %s", e.msg);
	o.n_ctx = 32;
	{
		FILE *fp = fopen(path, "r+b");
		int32_t bad = nv + 1;
		if (fp != NULL) {
			fseek(fp, 12, SEEK_SET);
			fwrite(&bad, 4, 1, fp);
			fclose(fp);
		}
		o.base_path = path;
		CHECK(lc_eval_run(m, NULL, 0, &o, &r, &e) == LC_EFORMAT &&
		    strstr(e.msg, "vocabulary") != NULL, "vocab: %s", e.msg);
		if ((fp = fopen(path, "wb")) != NULL) {
			fputs("_logits_", fp);
			fclose(fp);
		}
		CHECK(lc_eval_run(m, NULL, 0, &o, &r, &e) == LC_EFORMAT &&
		    strstr(e.msg, "ends") != NULL, "truncated: %s", e.msg);
		if ((fp = fopen(path, "wb")) != NULL) {
			fputs("GGUF and more bytes", fp);
			fclose(fp);
		}
		CHECK(lc_eval_run(m, NULL, 0, &o, &r, &e) == LC_EFORMAT &&
		    strstr(e.msg, "magic") != NULL, "magic: %s", e.msg);
	}
	remove(path);
out:
	lc_model_close(m);
	be->ops->free(be);
}

int
main(void)
{
	test_math();
	test_run();
	return DONE("t_eval");
}
