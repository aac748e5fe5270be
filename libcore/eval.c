/*
 * eval.c - perplexity and KL-divergence as llama.cpp's perplexity tool
 * computes them (tools/perplexity/perplexity.cpp: perplexity(),
 * kl_divergence(), log_softmax() and its packed variant).  The float
 * and double steps follow that code, so results agree to rounding.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "hparams.h"

double
lc_eval_nll(const float *logits, int n_vocab, int32_t tok)
{
	float max_logit = logits[0];
	double sum_exp = 0.0;
	int i;

	for (i = 1; i < n_vocab; i++)
		if (logits[i] > max_logit)
			max_logit = logits[i];
	for (i = 0; i < n_vocab; i++)
		sum_exp += expf(logits[i] - max_logit);
	return -(logits[tok] - max_logit - log(sum_exp));
}

/* round to nearest as ggml's nearest_int (|v| < 2^22) */
static int
nearest_int(float v)
{
	float f = v + 12582912.f;
	int32_t i;

	memcpy(&i, &f, sizeof(i));
	return (i & 0x007fffff) - 0x00400000;
}

double
lc_eval_pack(const float *logits, int n_vocab, uint16_t *row, int32_t tok)
{
	float max_logit = logits[0], min_logit = logits[0];
	float log_sum_exp, min_log_prob, scale, d[2];
	double sum_exp = 0.0;
	uint16_t *q = row + 4;
	int i;

	for (i = 1; i < n_vocab; i++) {
		if (logits[i] > max_logit)
			max_logit = logits[i];
		if (logits[i] < min_logit)
			min_logit = logits[i];
	}
	if (min_logit < max_logit - 16)
		min_logit = max_logit - 16;
	for (i = 0; i < n_vocab; i++)
		sum_exp += expf(logits[i] - max_logit);
	log_sum_exp = (float)log(sum_exp);
	min_log_prob = min_logit - max_logit - log_sum_exp;
	scale = (max_logit - min_logit) / 65535.f;
	d[0] = scale;
	d[1] = min_log_prob;
	memcpy(row, d, sizeof(d));
	if (scale != 0) {
		float inv = 1 / scale;
		for (i = 0; i < n_vocab; i++)
			q[i] = logits[i] > min_logit ?
			    (uint16_t)nearest_int(inv * (logits[i] - min_logit)) :
			    0;
	} else
		memset(q, 0, (size_t)n_vocab * sizeof(*q));
	if (LC_EVAL_NV(n_vocab) > (size_t)n_vocab + 4)
		q[n_vocab] = 0;		/* the padding llama.cpp leaves */
	return max_logit + log_sum_exp - logits[tok];
}

void
lc_kld_add(lc_kld_acc *a, const float *logits, int n_vocab,
    const uint16_t *row, int32_t tok, float *kld_out, float *p_diff_out)
{
	float max_logit = logits[0], log_sum_exp, scale, min_log_prob;
	float nll, nll_base, p_log_base_max = 0, p_base, p, p_diff, d[2];
	const uint16_t *q = row + 4;
	double sum_exp = 0.0, sum = 0, p_diff2;
	int i, imax = 0, imax_base = -1;

	for (i = 1; i < n_vocab; i++)
		if (logits[i] > max_logit) {
			max_logit = logits[i];
			imax = i;
		}
	for (i = 0; i < n_vocab; i++)
		sum_exp += expf(logits[i] - max_logit);
	log_sum_exp = (float)log(sum_exp);
	memcpy(d, row, sizeof(d));
	scale = d[0];
	min_log_prob = d[1];

	nll = max_logit + log_sum_exp - logits[tok];
	a->sum_nll += nll;
	a->sum_nll2 += nll * nll;
	nll_base = -(scale * q[tok] + min_log_prob);
	a->sum_nll_base += nll_base;
	a->sum_nll_base2 += nll_base * nll_base;
	a->sum_nll_nll_base += nll * nll_base;

	max_logit += log_sum_exp;
	for (i = 0; i < n_vocab; i++) {
		float p_log_base = scale * q[i] + min_log_prob;
		if (i == 0 || p_log_base > p_log_base_max) {
			p_log_base_max = p_log_base;
			imax_base = i;
		}
		if (p_log_base > -16.f) {
			float pb = expf(p_log_base);
			sum += pb * (p_log_base - logits[i] + max_logit);
		}
	}
	a->sum_kld += sum;
	a->sum_kld2 += sum * sum;
	a->count++;
	if (imax == imax_base)
		a->n_same_top++;

	p_base = expf(-nll_base);
	p = expf(-nll);
	p_diff = p - p_base;
	a->sum_p_diff += p_diff;
	p_diff2 = p_diff * p_diff;
	a->sum_p_diff2 += p_diff2;
	a->sum_p_diff4 += p_diff2 * p_diff2;
	if (fabsf(p_diff) > a->max_p_diff)
		a->max_p_diff = fabsf(p_diff);
	*kld_out = (float)sum;
	*p_diff_out = p_diff;
}

float
lc_eval_percentile(const float *v, size_t n, float fraction)
{
	float p;
	size_t ip;

	if (fraction <= 0)
		return v[0];
	if (fraction >= 1)
		return v[n - 1];
	p = fraction * (float)(n - 1);
	ip = (size_t)p;
	p -= (float)ip;
	return (1 - p) * v[ip] + p * v[ip + 1 < n ? ip + 1 : n - 1];
}

static float
median(const float *v, size_t n)
{
	return n % 2 == 0 ? 0.5f * (v[n / 2] + v[n / 2 - 1]) : v[n / 2];
}

/* llama.cpp's mean_and_uncertainty */
static void
mean_unc(double sum, double sum2, uint64_t count, double *f, double *df)
{
	if (count < 1) {
		*f = *df = 0;
		return;
	}
	*f = sum / count;
	*df = sum2 / count - *f * *f;
	*df = *df > 0 && count > 10 ? sqrt(*df / (count - 1)) : 0.;
}

static double
covariance(double suma, double sumb, double sumab, uint64_t count)
{
	double var;

	if (count < 10)
		return 0.0;
	var = sumab / count - (suma / count) * (sumb / count);
	return var / (count - 1);
}

static int
cmpf(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

static void
kld_finish(const lc_kld_acc *a, float *kv, float *pv, size_t nv,
    lc_eval_result *r)
{
	static const float kf[11] = { 1, .999f, .99f, .95f, .9f, -1, .1f,
	    .05f, .01f, .001f, 0 };
	static const float pf[13] = { 1, .999f, .99f, .95f, .9f, .75f, -1,
	    .25f, .1f, .05f, .01f, .001f, 0 };
	double lp, lpe, lb, lbe, cov, mse, msee;
	int i;

	r->has_kld = 1;
	mean_unc(a->sum_nll, a->sum_nll2, a->count, &lp, &lpe);
	r->ppl = exp(lp);
	r->ppl_err = r->ppl * lpe;
	mean_unc(a->sum_nll_base, a->sum_nll_base2, a->count, &lb, &lbe);
	r->ppl_base = exp(lb);
	r->ppl_base_err = r->ppl_base * lbe;
	cov = covariance(a->sum_nll, a->sum_nll_base, a->sum_nll_nll_base,
	    a->count);
	r->cor = lpe * lbe > 0 ? cov / (lpe * lbe) : 0;
	r->ln_ratio = lp - lb;
	r->ln_ratio_err = sqrt(fmax(0, lpe * lpe + lbe * lbe - 2.0 * cov));
	mean_unc(a->sum_kld, a->sum_kld2, a->count, &r->kld, &r->kld_err);
	mean_unc(a->sum_p_diff, a->sum_p_diff2, a->count, &r->dp, &r->dp_err);
	mean_unc(a->sum_p_diff2, a->sum_p_diff4, a->count, &mse, &msee);
	r->dp_rms = sqrt(mse);
	r->dp_rms_err = r->dp_rms > 0 ? 0.5 / r->dp_rms * msee : 0;
	r->same_top = a->count ? (double)a->n_same_top / a->count : 0;
	r->same_top_err = a->count > 1 ? sqrt(r->same_top *
	    (1 - r->same_top) / (a->count - 1)) : 0;
	qsort(kv, nv, sizeof(*kv), cmpf);
	qsort(pv, nv, sizeof(*pv), cmpf);
	for (i = 0; i < 11; i++)
		r->kld_pct[i] = nv == 0 ? 0 : kf[i] < 0 ? median(kv, nv) :
		    lc_eval_percentile(kv, nv, kf[i]);
	for (i = 0; i < 13; i++)
		r->dp_pct[i] = nv == 0 ? 0 : pf[i] < 0 ? median(pv, nv) :
		    lc_eval_percentile(pv, nv, pf[i]);
}

/* ---- base files ------------------------------------------------------ */

static int
wr(FILE *fp, const void *p, size_t n, const char *path, lc_err *e)
{
	if (n > 0 && fwrite(p, 1, n, fp) != n)
		return lc_errsys(e, "%s: write", path);
	return LC_OK;
}

static int
rd(FILE *fp, void *p, size_t n, const char *path, const char *what,
    lc_err *e)
{
	if (n > 0 && fread(p, 1, n, fp) != n) {
		if (ferror(fp))
			return lc_errsys(e, "%s: read", path);
		return lc_errf(e, LC_EFORMAT, "%s: file ends in %s", path,
		    what);
	}
	return LC_OK;
}

/*
 * Evaluates chunk ids[0..n_ctx) of mdl from an empty cache and calls
 * back with the logits of positions first..n_ctx-2, piece rows at a
 * time (logits holds piece * n_vocab floats).
 */
typedef int (*rows_fn)(void *arg, const float *logits, int row0, int nrow,
    lc_err *e);

static int
eval_chunk(lc_model *mdl, const int32_t *ids, int n_ctx, int piece,
    float *logits, rows_fn fn, void *arg, lc_err *e)
{
	int first = n_ctx / 2, last = n_ctx - 1, p, k, rc;

	lc_model_reset(mdl);
	if ((rc = lc_model_eval(mdl, ids, first, 0, 0, NULL, e)) != LC_OK)
		return rc;
	for (p = first; p < last; p += k) {
		k = last - p < piece ? last - p : piece;
		if ((rc = lc_model_eval(mdl, ids + p, k, p, 1, logits, e)) !=
		    LC_OK)
			return rc;
		if ((rc = fn(arg, logits, p - first, k, e)) != LC_OK)
			return rc;
	}
	return LC_OK;
}

typedef struct run_state {
	int		 n_vocab;
	const int32_t	*next;		/* tokens following the scored rows */
	/* perplexity */
	double		 nll, nll2;
	/* packing for a base file / KLD against a model */
	uint16_t	*rows;		/* (scored, nv) */
	size_t		 nv;
	/* KLD */
	lc_kld_acc	 acc;
	float		*kv, *pv;	/* one per scored position of the run */
	size_t		 nk;
} run_state;

static int
rows_ppl(void *arg, const float *lg, int row0, int nrow, lc_err *e)
{
	run_state *s = arg;
	int i;

	(void)e;
	for (i = 0; i < nrow; i++) {
		double v = lc_eval_nll(lg + (size_t)i * s->n_vocab, s->n_vocab,
		    s->next[row0 + i]);
		s->nll += v;
		s->nll2 += v * v;
	}
	return LC_OK;
}

static int
rows_pack(void *arg, const float *lg, int row0, int nrow, lc_err *e)
{
	run_state *s = arg;
	int i;

	(void)e;
	for (i = 0; i < nrow; i++) {
		double v = lc_eval_pack(lg + (size_t)i * s->n_vocab,
		    s->n_vocab, s->rows + (size_t)(row0 + i) * s->nv,
		    s->next[row0 + i]);
		s->nll += v;
		s->nll2 += v * v;
	}
	return LC_OK;
}

static int
rows_kld(void *arg, const float *lg, int row0, int nrow, lc_err *e)
{
	run_state *s = arg;
	int i;

	(void)e;
	for (i = 0; i < nrow; i++) {
		lc_kld_add(&s->acc, lg + (size_t)i * s->n_vocab, s->n_vocab,
		    s->rows + (size_t)(row0 + i) * s->nv, s->next[row0 + i],
		    &s->kv[s->nk], &s->pv[s->nk]);
		s->nk++;
	}
	return LC_OK;
}

int
lc_eval_run(lc_model *m, const int32_t *tokens, size_t n,
    const lc_eval_opts *o, lc_eval_result *r, lc_err *e)
{
	const lc_hparams *hp = lc_model_hparams(m);
	int n_vocab = (int)hp->n_vocab, n_ctx, n_chunk, first, scored, c;
	int piece = o->piece ? (int)o->piece : 64, rc = LC_OK;
	int kld = o->base_path != NULL || o->base_model != NULL;
	int32_t *ftok = NULL, *ids = NULL;
	float *logits = NULL;
	FILE *in = NULL, *out = NULL;
	run_state s;

	memset(r, 0, sizeof(*r));
	memset(&s, 0, sizeof(s));
	s.n_vocab = n_vocab;
	s.nv = LC_EVAL_NV(n_vocab);
	if (o->base_path != NULL) {
		char magic[8];
		uint32_t fctx;
		int32_t fv, fc;
		if ((in = fopen(o->base_path, "rb")) == NULL)
			return lc_errsys(e, "%s", o->base_path);
		if ((rc = rd(in, magic, 8, o->base_path, "the header", e)) ||
		    (memcmp(magic, "_logits_", 8) != 0 &&
		    (rc = lc_errf(e, LC_EFORMAT, "%s: not a base logits file "
		    "(no \"_logits_\" magic)", o->base_path))) ||
		    (rc = rd(in, &fctx, 4, o->base_path, "the header", e)) ||
		    (rc = rd(in, &fv, 4, o->base_path, "the header", e)) ||
		    (rc = rd(in, &fc, 4, o->base_path, "the header", e)))
			goto out;
		if (fctx < 4 || fctx > LC_MAX_CTX || fc < 1 ||
		    (uint64_t)fc * fctx > (1u << 30)) {
			rc = lc_errf(e, LC_EFORMAT, "%s: n_ctx %u, n_chunk %d "
			    "out of range", o->base_path, fctx, fc);
			goto out;
		}
		if (fv != n_vocab) {
			rc = lc_errf(e, LC_EFORMAT, "%s: vocabulary of %d "
			    "tokens, the model has %d", o->base_path, fv,
			    n_vocab);
			goto out;
		}
		n_ctx = (int)fctx;
		n_chunk = fc;
		if (o->n_chunks > 0 && o->n_chunks < n_chunk)
			n_chunk = o->n_chunks;
		if ((ftok = malloc((size_t)fc * fctx * sizeof(*ftok))) ==
		    NULL) {
			rc = lc_errf(e, LC_ENOMEM, "%s: tokens", o->base_path);
			goto out;
		}
		if ((rc = rd(in, ftok, (size_t)fc * fctx * sizeof(*ftok),
		    o->base_path, "the tokens", e)) != LC_OK)
			goto out;
		for (c = 0; c < fc * n_ctx; c++)
			if (ftok[c] < 0 || ftok[c] >= n_vocab) {
				rc = lc_errf(e, LC_EFORMAT, "%s: token %d: id "
				    "%d out of range", o->base_path, c,
				    ftok[c]);
				goto out;
			}
		tokens = ftok;
	} else {
		if (o->n_ctx < 4 || o->n_ctx > LC_MAX_CTX)
			return lc_errf(e, LC_EINVAL, "context of %u tokens: "
			    "at least 4", o->n_ctx);
		n_ctx = (int)o->n_ctx;
		if (n < 2 * (size_t)n_ctx)
			return lc_errf(e, LC_EINVAL, "the text has %zu tokens: "
			    "a context of %d needs at least %d", n, n_ctx,
			    2 * n_ctx);
		n_chunk = (int)(n / (size_t)n_ctx);
		if (o->n_chunks > 0 && o->n_chunks < n_chunk)
			n_chunk = o->n_chunks;
	}
	if ((uint32_t)n_ctx > lc_model_n_ctx(m) || (o->base_model != NULL &&
	    (uint32_t)n_ctx > lc_model_n_ctx(o->base_model))) {
		rc = lc_errf(e, LC_EINVAL, "chunks of %d tokens exceed the "
		    "model's context of %u", n_ctx, lc_model_n_ctx(m));
		goto out;
	}
	if (o->base_model != NULL &&
	    lc_model_hparams(o->base_model)->n_vocab != hp->n_vocab) {
		rc = lc_errf(e, LC_EINVAL, "the base model has %u tokens in "
		    "its vocabulary, the model %u",
		    lc_model_hparams(o->base_model)->n_vocab, hp->n_vocab);
		goto out;
	}
	first = n_ctx / 2;
	scored = n_ctx - 1 - first;
	if (piece > scored)
		piece = scored;
	if ((ids = malloc((size_t)n_ctx * sizeof(*ids))) == NULL ||
	    (logits = malloc((size_t)piece * n_vocab * sizeof(*logits))) ==
	    NULL || ((kld || o->save_path) && (s.rows = malloc((size_t)scored *
	    s.nv * sizeof(*s.rows))) == NULL) || (kld &&
	    ((s.kv = malloc((size_t)scored * n_chunk * sizeof(float))) ==
	    NULL || (s.pv = malloc((size_t)scored * n_chunk *
	    sizeof(float))) == NULL))) {
		rc = lc_errf(e, LC_ENOMEM, "perplexity buffers (%d x %d "
		    "logits)", piece, n_vocab);
		goto out;
	}
	if (o->save_path != NULL) {
		uint32_t u = (uint32_t)n_ctx;
		int32_t v = n_vocab, k = n_chunk;
		if ((out = fopen(o->save_path, "wb")) == NULL) {
			rc = lc_errsys(e, "%s", o->save_path);
			goto out;
		}
		if ((rc = wr(out, "_logits_", 8, o->save_path, e)) ||
		    (rc = wr(out, &u, 4, o->save_path, e)) ||
		    (rc = wr(out, &v, 4, o->save_path, e)) ||
		    (rc = wr(out, &k, 4, o->save_path, e)) ||
		    (rc = wr(out, tokens, (size_t)n_chunk * n_ctx *
		    sizeof(*tokens), o->save_path, e)))
			goto out;
	}
	for (c = 0; c < n_chunk; c++) {
		memcpy(ids, tokens + (size_t)c * n_ctx, (size_t)n_ctx *
		    sizeof(*ids));
		if (o->bos >= 0)
			ids[0] = o->bos;
		s.next = tokens + (size_t)c * n_ctx + first + 1;
		if (o->base_path != NULL)
			rc = rd(in, s.rows, (size_t)scored * s.nv *
			    sizeof(*s.rows), o->base_path, "the log-probs", e);
		else if (o->base_model != NULL) {
			double keep = s.nll, keep2 = s.nll2;
			rc = eval_chunk(o->base_model, ids, n_ctx, piece,
			    logits, rows_pack, &s, e);
			s.nll = keep;
			s.nll2 = keep2;
		}
		if (rc != LC_OK)
			goto out;
		rc = eval_chunk(m, ids, n_ctx, piece, logits, kld ? rows_kld :
		    o->save_path ? rows_pack : rows_ppl, &s, e);
		if (rc != LC_OK)
			goto out;
		if (o->save_path != NULL && (rc = wr(out, s.rows,
		    (size_t)scored * s.nv * sizeof(*s.rows), o->save_path,
		    e)) != LC_OK)
			goto out;
		r->count += (uint64_t)scored;
		if (o->progress != NULL)
			o->progress(o->arg, c + 1, n_chunk, kld ?
			    exp(s.acc.sum_nll / s.acc.count) :
			    exp(s.nll / r->count));
	}
	r->n_ctx = (uint32_t)n_ctx;
	r->n_chunk = n_chunk;
	if (kld)
		kld_finish(&s.acc, s.kv, s.pv, s.nk, r);
	else {
		double nll = s.nll / r->count, nll2 = s.nll2 / r->count;
		r->ppl = exp(nll);
		nll2 -= nll * nll;
		r->ppl_err = nll2 > 0 ? sqrt(nll2 / (r->count - 1)) * r->ppl :
		    0;
	}
out:
	if (out != NULL && fclose(out) != 0 && rc == LC_OK)
		rc = lc_errsys(e, "%s: close", o->save_path);
	if (in != NULL)
		fclose(in);
	free(ftok);
	free(ids);
	free(logits);
	free(s.rows);
	free(s.kv);
	free(s.pv);
	return rc;
}
