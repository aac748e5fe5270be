/*
 * cpu_backend.c - the op interface of backend.h on the CPU: each op runs
 * at once on host memory.  Weights are read in place from the mapped
 * file.  Numerics follow ggml's CPU backend where it matters for
 * agreement with llama.cpp: norms and softmax sums in double, RoPE
 * angles by repeated multiplication in float.
 *
 * Matrix products go through the kernels of cpu.h (SIMD chosen at run
 * time) on activations quantized as llama.cpp does; matrix products and
 * attention are split between the threads of a persistent pool.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../backend.h"
#include "../dtype.h"
#include "cpu.h"
#include "pool.h"

#ifdef LC_HAVE_BLAS
#include <cblas.h>
void	openblas_set_num_threads(int);
#endif

/* whole-sequence attention by BLAS (attn_seq_blas): queries per
   product, and the shortest sequence that takes that path */
#define SEQ_QB	64
#define SEQ_MIN	16

typedef struct cpu_backend {
	lc_backend	 base;
	lc_pool		*pool;
	/* KV cache: per layer, lcells[il] x kv_dim rows of kv_dtype (a ring
	   where that is less than the positions) */
	uint8_t		**k, **v;
	int64_t		*lcells;
	int		 n_layer;
	int64_t		 cells, kv_dim;	/* cells: the most of any layer */
	size_t		 kv_row;	/* bytes of one cell's row */
	uint32_t	 kv_dtype;
	uint8_t		*xq;		/* activations in a vec_dot_type */
	size_t		 xqcap;
	float		*kf, *vf;	/* dequantized cache rows for a head */
	float		*sc;		/* attention scores, cells */
	float		*seqsc;		/* scores without the cache: tokens
					   of the largest batch x threads */
	size_t		 seqcap;
	float		*seqbl;		/* BLAS attention: scores, seqcap x
					   SEQ_QB (tokens x threads) */
	int64_t		*seqls;		/* BLAS attention: (start, length)
					   of the long sequences, 2 seqcap */
	int		 gemm_min;	/* BLAS for f32 weights from this
					   many columns; 0 never */
} cpu_backend;

#define CPU(b) ((cpu_backend *)(b))
#define COL(t, j) ((float *)((char *)(t)->data + (size_t)(j) * (t)->row_bytes))

static int
cpu_alloc(lc_backend *b, lc_tensor *t, int64_t ne0, int64_t ne1, lc_err *e)
{
	cpu_backend *c = CPU(b);

	memset(t, 0, sizeof(*t));
	t->dtype = LC_F32;
	t->ne[0] = ne0;
	t->ne[1] = ne1;
	t->ne[2] = t->ne[3] = 1;
	t->row_bytes = (size_t)ne0 * sizeof(float);
	if ((t->data = calloc((size_t)(ne0 * ne1), sizeof(float))) == NULL)
		return lc_errf(e, LC_ENOMEM, "cpu: %lld x %lld activations",
		    (long long)ne0, (long long)ne1);
	/* room for any activation of this size quantized (f32 is widest) */
	if ((size_t)(ne0 * ne1) * sizeof(float) > c->xqcap) {
		uint8_t *p = realloc(c->xq, (size_t)(ne0 * ne1) * sizeof(float));
		if (p == NULL) {
			free(t->data);
			t->data = NULL;
			return lc_errf(e, LC_ENOMEM, "cpu: activation copy");
		}
		c->xq = p;
		c->xqcap = (size_t)(ne0 * ne1) * sizeof(float);
	}
	/* attention scores without the cache: ne1 tokens per thread (and
	   SEQ_QB queries' worth for BLAS), sized here, not in the step */
	if ((size_t)ne1 * (size_t)lc_pool_nthreads(c->pool) > c->seqcap) {
		size_t n = (size_t)ne1 * (size_t)lc_pool_nthreads(c->pool);
		float *p = realloc(c->seqsc, n * sizeof(float));
		float *pb = p == NULL ? NULL :
		    realloc(c->seqbl, n * SEQ_QB * sizeof(float));
		int64_t *pl = pb == NULL ? NULL :
		    realloc(c->seqls, 2 * n * sizeof(int64_t));
		if (p != NULL)
			c->seqsc = p;
		if (pb != NULL)
			c->seqbl = pb;
		if (pl == NULL) {
			free(t->data);
			t->data = NULL;
			return lc_errf(e, LC_ENOMEM, "cpu: attention scores");
		}
		c->seqls = pl;
		c->seqcap = n;
	}
	return LC_OK;
}

static void
cpu_release(lc_backend *b, lc_tensor *t)
{
	(void)b;
	free(t->data);
	t->data = NULL;
}

static int
cpu_weight(lc_backend *b, lc_tensor *w, lc_err *e)
{
	(void)b;
	if (w->ne[1] > 1 && !lc_cpu_supports(w->dtype))
		return lc_errf(e, LC_EUNSUP, "cpu: no kernel for %s weights",
		    lc_dtype(w->dtype)->name);
	return LC_OK;
}

static void
kv_free(cpu_backend *c)
{
	int i;

	for (i = 0; i < c->n_layer; i++) {
		free(c->k ? c->k[i] : NULL);
		free(c->v ? c->v[i] : NULL);
	}
	free(c->k);
	free(c->v);
	free(c->lcells);
	c->lcells = NULL;
	free(c->kf);
	free(c->vf);
	free(c->sc);
	c->k = c->v = NULL;
	c->kf = c->vf = c->sc = NULL;
	c->n_layer = 0;
}

static int
cpu_kv_init(lc_backend *b, int n_layer, const int64_t *cells, int64_t kv_dim,
    uint32_t kv_dtype, lc_err *e)
{
	cpu_backend *c = CPU(b);
	uint64_t ne[4] = { (uint64_t)kv_dim, 1, 1, 1 }, row;
	lc_kv_dot_fn dot;
	lc_kv_axpy_fn axpy;
	int64_t most = 0;
	int i;

	kv_free(c);
	if (lc_dtype_nbytes(kv_dtype, ne, &row) != 0)
		return lc_errf(e, LC_EINVAL, "cpu: KV rows of %lld in %s",
		    (long long)kv_dim, lc_dtype(kv_dtype) ?
		    lc_dtype(kv_dtype)->name : "?");
	for (i = 0; i < n_layer; i++) {
		if (cells[i] <= 0)
			return lc_errf(e, LC_EINVAL, "cpu: layer %d: %lld KV "
			    "cells", i, (long long)cells[i]);
		if (cells[i] > most)
			most = cells[i];
	}
	c->kv_row = (size_t)row;
	c->cells = most;
	c->kv_dim = kv_dim;
	c->kv_dtype = kv_dtype;
	c->k = calloc((size_t)n_layer, sizeof(*c->k));
	c->v = calloc((size_t)n_layer, sizeof(*c->v));
	c->lcells = calloc((size_t)n_layer, sizeof(*c->lcells));
	c->sc = malloc((size_t)most * (size_t)lc_pool_nthreads(c->pool) *
	    sizeof(float));
	if (c->k == NULL || c->v == NULL || c->lcells == NULL || c->sc == NULL)
		goto nomem;
	/* a quantized cache is read through f32 copies of its rows */
	if (!lc_cpu_kv_kernels(kv_dtype, &dot, &axpy) &&
	    ((c->kf = malloc((size_t)(most * kv_dim) * sizeof(float))) ==
	    NULL || (c->vf = malloc((size_t)(most * kv_dim) *
	    sizeof(float))) == NULL))
		goto nomem;
	c->n_layer = n_layer;
	for (i = 0; i < n_layer; i++) {
		c->lcells[i] = cells[i];
		if ((c->k[i] = calloc((size_t)cells[i], c->kv_row)) == NULL ||
		    (c->v[i] = calloc((size_t)cells[i], c->kv_row)) == NULL)
			goto nomem;
	}
	return LC_OK;
nomem:
	kv_free(c);
	return lc_errf(e, LC_ENOMEM, "cpu: KV cache of %d layers x %lld cells",
	    n_layer, (long long)most);
}

static void
cpu_kv_clear(lc_backend *b)
{
	(void)b;	/* positions beyond the current one are never read */
}

static void
cpu_begin(lc_backend *b)
{
	(void)b;
}

static void
cpu_get_rows(lc_backend *b, const lc_tensor *w, const int32_t *ids,
    float scale, lc_tensor *y)
{
	const lc_dtype_traits *tr = lc_dtype(w->dtype);
	float *out;
	int64_t t, i;

	(void)b;
	for (t = 0; t < y->ne[1]; t++) {
		out = COL(y, t);
		tr->to_float((const char *)w->data + (size_t)ids[t] *
		    w->row_bytes, out, w->ne[0]);
		if (scale != 1.0f)
			for (i = 0; i < w->ne[0]; i++)
				out[i] *= scale;
	}
}

static void
cpu_norm(lc_backend *b, int kind, const lc_tensor *x, const lc_tensor *w,
    const lc_tensor *bias, float eps, lc_tensor *y)
{
	const float *wv = w ? w->data : NULL, *bv = bias ? bias->data : NULL;
	int64_t t, i, n = x->ne[0];
	double sum, sum2;
	float *in, *out, mean, scale;

	(void)b;
	for (t = 0; t < x->ne[1]; t++) {
		in = COL(x, t);
		out = COL(y, t);
		if (kind == LC_NORM_RMS) {
			for (sum = 0, i = 0; i < n; i++)
				sum += (double)(in[i] * in[i]);
			scale = 1.0f / sqrtf((float)(sum / (double)n) + eps);
			for (i = 0; i < n; i++)
				out[i] = in[i] * scale;
		} else {
			for (sum = 0, i = 0; i < n; i++)
				sum += (double)in[i];
			mean = (float)(sum / (double)n);
			for (sum2 = 0, i = 0; i < n; i++) {
				out[i] = in[i] - mean;
				sum2 += (double)(out[i] * out[i]);
			}
			scale = 1.0f / sqrtf((float)(sum2 / (double)n) + eps);
			for (i = 0; i < n; i++)
				out[i] *= scale;
		}
		for (i = 0; wv != NULL && i < n; i++)
			out[i] *= wv[i];
		for (i = 0; bv != NULL && i < n; i++)
			out[i] += bv[i];
	}
}

/*
 * y = W x: each activation column is quantized once to the weight's
 * vec_dot_type (as llama.cpp's CPU backend does), then the threads
 * split the weight rows, each multiplying its rows with every column
 * (lc_cpu_matmul reuses a tile of rows across the batch).  Every output
 * comes from one dot product in a fixed order: results do not depend on
 * the thread count.
 */
typedef struct mm_job {
	const lc_tensor	*w, *x, *bias;
	lc_tensor	*y;
	size_t		 qrow;
	uint8_t		*xq;
} mm_job;

static void
mm_quant(void *arg, int ith, int nth)
{
	mm_job *j = arg;
	int64_t t0, t1, t;

	lc_cpu_split(j->x->ne[1], ith, nth, &t0, &t1);
	for (t = t0; t < t1; t++)
		lc_cpu_quant_act(j->w->dtype, COL(j->x, t), j->xq +
		    (size_t)t * j->qrow, j->w->ne[0]);
}

static void
mm_rows(void *arg, int ith, int nth)
{
	mm_job *j = arg;
	const float *bv = j->bias ? j->bias->data : NULL;
	int64_t r0, r1, r, t;

	lc_cpu_split(j->w->ne[1], ith, nth, &r0, &r1);
	if (r0 >= r1)
		return;
	lc_cpu_matmul(j->w->dtype, j->w->data, (int64_t)j->w->row_bytes,
	    j->w->ne[0], j->xq, (int64_t)j->qrow, j->x->ne[1], j->y->data,
	    (int64_t)(j->y->row_bytes / sizeof(float)), r0, r1);
	for (t = 0; bv != NULL && t < j->x->ne[1]; t++)
		for (r = r0; r < r1; r++)
			COL(j->y, t)[r] += bv[r];
}

#ifdef LC_HAVE_BLAS
/* y = W x by single-threaded sgemm on this thread's rows of W (the
   threads of OpenBLAS itself are not used: the pool splits the rows) */
static void
mm_blas(void *arg, int ith, int nth)
{
	mm_job *j = arg;
	const float *bv = j->bias ? j->bias->data : NULL;
	int64_t r0, r1, r, t;

	lc_cpu_split(j->w->ne[1], ith, nth, &r0, &r1);
	if (r0 >= r1)
		return;
	/* row-major: Y[T, r0:r1] = X[T, K] . W[r0:r1, K]^T */
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
	    (int)j->x->ne[1], (int)(r1 - r0), (int)j->w->ne[0], 1.0f,
	    j->x->data, (int)(j->x->row_bytes / sizeof(float)),
	    (const float *)((const char *)j->w->data + (size_t)r0 *
	    j->w->row_bytes), (int)(j->w->row_bytes / sizeof(float)), 0.0f,
	    (float *)j->y->data + r0, (int)(j->y->row_bytes / sizeof(float)));
	for (t = 0; bv != NULL && t < j->x->ne[1]; t++)
		for (r = r0; r < r1; r++)
			COL(j->y, t)[r] += bv[r];
}
#endif

static void
cpu_gemm_min_batch(lc_backend *b, int min_batch)
{
	CPU(b)->gemm_min = min_batch;
}

static void
cpu_matmul(lc_backend *b, const lc_tensor *w, const lc_tensor *x,
    const lc_tensor *bias, lc_tensor *y)
{
	cpu_backend *c = CPU(b);
	mm_job j = { .w = w, .x = x, .bias = bias, .y = y, .xq = c->xq,
	    .qrow = (size_t)lc_cpu_act_bytes(w->dtype, w->ne[0]) };

#ifdef LC_HAVE_BLAS
	if (c->gemm_min > 0 && x->ne[1] >= c->gemm_min && w->dtype == LC_F32 &&
	    w->row_bytes % sizeof(float) == 0) {
		lc_pool_run(c->pool, mm_blas, &j);
		return;
	}
#endif

	lc_pool_run(c->pool, mm_quant, &j);
	lc_pool_run(c->pool, mm_rows, &j);
}

static void
cpu_add(lc_backend *b, const lc_tensor *a, const lc_tensor *c,
    lc_tensor *y)
{
	int64_t t, i;
	const float *pa, *pc;
	float *py;

	(void)b;
	for (t = 0; t < a->ne[1]; t++) {
		pa = COL(a, t);
		pc = COL(c, c->ne[1] == 1 ? 0 : t);
		py = COL(y, t);
		for (i = 0; i < a->ne[0]; i++)
			py[i] = pa[i] + pc[i];
	}
}

/* the dimension below which YaRN keeps the scaled angle: where a pair
   turns n_rot times in n_ctx_orig positions */
static float
yarn_corr_dim(int n_rot, float n_ctx_orig, float rot, float base)
{
	return (float)n_rot * logf(n_ctx_orig / (rot * 2.0f * (float)M_PI)) /
	    (2.0f * logf(base));
}

/* y = a + s * c (c broadcast if it has one column) */
static void
cpu_scale_add(lc_backend *b, const lc_tensor *a, float s, const lc_tensor *c,
    lc_tensor *y)
{
	const float *pa, *pc;
	float *py;
	int64_t t, i;

	(void)b;
	for (t = 0; t < a->ne[1]; t++) {
		pa = COL(a, t);
		pc = COL(c, c->ne[1] == 1 ? 0 : t);
		py = COL(y, t);
		for (i = 0; i < a->ne[0]; i++)
			py[i] = pa[i] + s * pc[i];
	}
}

static void
cpu_rope(lc_backend *b, lc_tensor *x, const lc_rope_args *r,
    const int32_t *pos)
{
	float theta_scale = powf(r->base, -2.0f / (float)r->n_rot);
	float theta, th, cs, sn, x0, x1, *v, lo = 0, hi = 0, y, ramp;
	float mscale = r->attn_factor;
	int64_t t;
	int h, i, i0, i1, nr = r->n_rot;

	(void)b;
	if (r->ext_factor != 0) {
		lo = floorf(yarn_corr_dim(nr, r->n_ctx_orig, r->beta_fast,
		    r->base));
		hi = ceilf(yarn_corr_dim(nr, r->n_ctx_orig, r->beta_slow,
		    r->base));
		lo = lo > 0 ? lo : 0;
		hi = hi < (float)(nr - 1) ? hi : (float)(nr - 1);
		mscale *= 1.0f + 0.1f * logf(1.0f / r->freq_scale);
	}
	for (t = 0; t < x->ne[1]; t++) {
		for (h = 0; h < r->n_head; h++) {
			v = COL(x, t) + (size_t)h * r->head_dim;
			theta = (float)pos[t];
			for (i = 0; i < nr / 2; i++) {
				th = theta;
				if (r->freq_factors != NULL)
					th /= r->freq_factors[i];
				if (r->ext_factor != 0) {
					y = ((float)i - lo) / (hi - lo > 0.001f ?
					    hi - lo : 0.001f);
					ramp = (1.0f - fminf(1.0f, fmaxf(0.0f,
					    y))) * r->ext_factor;
					th = r->freq_scale * th * (1.0f - ramp) +
					    th * ramp;
				} else {
					th *= r->freq_scale;
				}
				cs = cosf(th) * mscale;
				sn = sinf(th) * mscale;
				theta *= theta_scale;
				i0 = r->mode == LC_ROPE_NEOX ? i : 2 * i;
				i1 = r->mode == LC_ROPE_NEOX ? i + nr / 2 :
				    2 * i + 1;
				x0 = v[i0];
				x1 = v[i1];
				v[i0] = x0 * cs - x1 * sn;
				v[i1] = x0 * sn + x1 * cs;
			}
		}
	}
}

typedef struct attn_job {
	cpu_backend		*c;
	const lc_attn_args	*a;
	const lc_tensor		*q;
	const int32_t		*pos;
	lc_tensor		*out;
	int64_t			 hi;	/* cells in use */
	int64_t			 nc;	/* this layer's cells */
	const lc_dtype_traits	*tr;
	const uint8_t		*kc, *vc;
	/* what attn_heads reads: the cache itself (f32, f16) or its rows
	   converted to f32 by attn_load (other types) */
	const uint8_t		*kb, *vb;
	size_t			 row, esz;	/* bytes per cell, per element */
	lc_kv_dot_fn		 dot;
	lc_kv_axpy_fn		 axpy;
} attn_job;

/* dequantizes the cells in use, split between the threads */
static void
attn_load(void *arg, int ith, int nth)
{
	attn_job *j = arg;
	cpu_backend *c = j->c;
	int64_t c0, c1, i, kvd = c->kv_dim;

	lc_cpu_split(j->hi, ith, nth, &c0, &c1);
	for (i = c0; i < c1; i++) {
		j->tr->to_float(j->kc + (size_t)i * c->kv_row, c->kf + i * kvd,
		    kvd);
		j->tr->to_float(j->vc + (size_t)i * c->kv_row, c->vf + i * kvd,
		    kvd);
	}
}

/* softmax(q K^T * scale) V for the (token, head) pairs of this thread */
static void
attn_heads(void *arg, int ith, int nth)
{
	attn_job *j = arg;
	const lc_attn_args *a = j->a;
	cpu_backend *c = j->c;
	int64_t p0, p1, p, t, jj, lo, hi, d;
	int h, g = a->n_head / a->n_head_kv, hd = a->head_dim;
	float *sc = c->sc + (size_t)ith * (size_t)c->cells, mx, s;
	const uint8_t *kh, *vh;
	size_t cell;
	const float *qh;
	double sum;
	float *oh;

	lc_cpu_split(j->q->ne[1] * a->n_head, ith, nth, &p0, &p1);
	for (p = p0; p < p1; p++) {
		t = p / a->n_head;
		h = (int)(p % a->n_head);
		kh = j->kb + (size_t)(h / g) * (size_t)hd * j->esz;
		vh = j->vb + (size_t)(h / g) * (size_t)hd * j->esz;
		hi = j->pos[t];
		lo = a->n_swa > 0 && hi - a->n_swa + 1 > 0 ?
		    hi - a->n_swa + 1 : 0;
		qh = COL(j->q, t) + (size_t)h * hd;
		oh = COL(j->out, t) + (size_t)h * hd;
		/* position jj is in cell jj % nc (the identity unless the
		   layer is a ring); its score in sc[jj - lo] */
		mx = -INFINITY;
		for (jj = lo; jj <= hi; jj++) {
			cell = (size_t)(jj % j->nc) * j->row;
			sc[jj - lo] = j->dot(hd, kh + cell, qh) * a->scale;
			if (sc[jj - lo] > mx)
				mx = sc[jj - lo];
		}
		for (sum = 0, jj = lo; jj <= hi; jj++) {
			sc[jj - lo] = expf(sc[jj - lo] - mx);
			sum += (double)sc[jj - lo];
		}
		s = (float)(1.0 / sum);
		for (d = 0; d < hd; d++)
			oh[d] = 0;
		for (jj = lo; jj <= hi; jj++)
			j->axpy(hd, sc[jj - lo] * s, vh + (size_t)(jj % j->nc) *
			    j->row, oh);
	}
}

/*
 * Whole sequences in the batch, no cache (a->seq): for the (token, head)
 * pairs of this thread, softmax over the batch's tokens of the same
 * sequence (not after it unless non_causal), in the order of the batch.
 */
typedef struct attn_seq_job {
	cpu_backend		*c;
	const lc_attn_args	*a;
	const lc_tensor		*q, *k, *v;
	const int32_t		*pos;
	lc_tensor		*out;
	float			*sc;	/* per thread: tokens of the batch */
	lc_kv_dot_fn		 dot;
	lc_kv_axpy_fn		 axpy;
	int64_t			 long_min; /* sequences this long: BLAS */
	const int64_t		*ls;	/* their (start, length) */
	int64_t			 nls;
	float			*bl;	/* per thread: tokens x SEQ_QB */
} attn_seq_job;

static void
attn_seq(void *arg, int ith, int nth)
{
	attn_seq_job *j = arg;
	const lc_attn_args *a = j->a;
	const int32_t *seq = a->seq;
	int64_t n = j->q->ne[1], p0, p1, p, t, u, lo, hi;
	int h, g = a->n_head / a->n_head_kv, hd = a->head_dim;
	float *sc = j->sc + (size_t)ith * (size_t)n, mx, s;
	const float *qh;
	size_t koff;
	double sum;
	float *oh;

	lc_cpu_split(n * a->n_head, ith, nth, &p0, &p1);
	for (p = p0; p < p1; p++) {
		t = p / a->n_head;
		h = (int)(p % a->n_head);
		koff = (size_t)(h / g) * (size_t)hd;
		qh = COL(j->q, t) + (size_t)h * hd;
		oh = COL(j->out, t) + (size_t)h * hd;
		/* the columns of t's sequence: contiguous */
		for (lo = t; lo > 0 && seq[lo - 1] == seq[t]; lo--)
			;
		for (hi = t + 1; hi < n && seq[hi] == seq[t]; hi++)
			;
		if (j->long_min > 0 && hi - lo >= j->long_min)
			continue;	/* attn_seq_blas's */
#define SKIP(u) (!a->non_causal && j->pos[u] > j->pos[t])
		mx = -INFINITY;
		for (u = lo; u < hi; u++) {
			if (SKIP(u))
				continue;
			sc[u] = j->dot(hd, COL(j->k, u) + koff, qh) * a->scale;
			if (sc[u] > mx)
				mx = sc[u];
		}
		for (sum = 0, u = lo; u < hi; u++) {
			if (SKIP(u))
				continue;
			sc[u] = expf(sc[u] - mx);
			sum += (double)sc[u];
		}
		s = (float)(1.0 / sum);
		for (u = 0; u < hd; u++)
			oh[u] = 0;
		for (u = lo; u < hi; u++) {
			if (SKIP(u))
				continue;
			j->axpy(hd, sc[u] * s, COL(j->v, u) + koff, oh);
		}
#undef SKIP
	}
}

#ifdef LC_HAVE_BLAS
/*
 * The same for sequences of at least long_min tokens, a (sequence,
 * head) pair at a time, SEQ_QB queries per product: scores S = K^T Q by
 * one GEMM, the softmax of each column as above (sum in double, masked
 * keys weigh 0), then out = V P by another.  Sums run in BLAS's order,
 * so results differ from the dot-product path by rounding only; each
 * product's shape depends on its sequence alone, so a text's result
 * does not depend on the rest of the batch.
 */
static void
attn_seq_blas(void *arg, int ith, int nth)
{
	attn_seq_job *j = arg;
	const lc_attn_args *a = j->a;
	const int64_t n = j->q->ne[1];
	const int g = a->n_head / a->n_head_kv, hd = a->head_dim;
	const int ldq = (int)(j->q->row_bytes / sizeof(float));
	const int ldk = (int)(j->k->row_bytes / sizeof(float));
	const int ldv = (int)(j->v->row_bytes / sizeof(float));
	const int ldo = (int)(j->out->row_bytes / sizeof(float));
	float *S = j->bl + (size_t)ith * (size_t)n * SEQ_QB, *col, mx, s;
	int64_t p, p0, p1, lo, len, q0, nq, nk, nv, t, u, i;
	size_t koff;
	double sum, s0, s1, s2, s3;
	int h, inc;

	lc_cpu_split(j->nls * a->n_head, ith, nth, &p0, &p1);
	for (p = p0; p < p1; p++) {
		lo = j->ls[2 * (p / a->n_head)];
		len = j->ls[2 * (p / a->n_head) + 1];
		h = (int)(p % a->n_head);
		koff = (size_t)(h / g) * (size_t)hd;
		/* positions counting up by one: a causal block of queries
		   needs no key after its last query */
		for (inc = 1, i = 1; i < len && inc; i++)
			inc = j->pos[lo + i] == j->pos[lo] + i;
		for (q0 = 0; q0 < len; q0 += SEQ_QB) {
			nq = len - q0 < SEQ_QB ? len - q0 : SEQ_QB;
			nk = !a->non_causal && inc ? q0 + nq : len;
			cblas_sgemm(CblasColMajor, CblasTrans, CblasNoTrans,
			    (int)nk, (int)nq, hd, a->scale,
			    COL(j->k, lo) + koff, ldk,
			    COL(j->q, lo + q0) + (size_t)h * hd, ldq, 0.0f,
			    S, (int)nk);
			for (i = 0; i < nq; i++) {
				col = S + (size_t)i * (size_t)nk;
				t = lo + q0 + i;
				/* keys 0..nv-1 are seen (all but masked ones
				   when positions do not count up) */
				nv = a->non_causal ? nk : inc ? q0 + i + 1 : nk;
#define SKIP(u) (!a->non_causal && !inc && j->pos[lo + (u)] > j->pos[t])
				mx = -INFINITY;
				for (u = 0; u < nv; u++)
					if (!SKIP(u) && col[u] > mx)
						mx = col[u];
				/* four partial sums: one chain of double
				   adds would be the loop's critical path */
				s0 = s1 = s2 = s3 = 0;
				for (u = 0; u < nv; u++)
					col[u] = SKIP(u) ? 0 : expf(col[u] - mx);
				for (u = 0; u + 4 <= nv; u += 4) {
					s0 += (double)col[u];
					s1 += (double)col[u + 1];
					s2 += (double)col[u + 2];
					s3 += (double)col[u + 3];
				}
				for (; u < nv; u++)
					s0 += (double)col[u];
				sum = (s0 + s1) + (s2 + s3);
#undef SKIP
				s = (float)(1.0 / sum);
				for (u = 0; u < nv; u++)
					col[u] *= s;
				for (; u < nk; u++)
					col[u] = 0;
			}
			cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans,
			    hd, (int)nq, (int)nk, 1.0f, COL(j->v, lo) + koff,
			    ldv, S, (int)nk, 0.0f,
			    COL(j->out, lo + q0) + (size_t)h * hd, ldo);
		}
	}
}

/* lists the sequences of at least SEQ_MIN tokens in j->ls (cpu_alloc
   sized it and the scores); 0 when there are none */
static int
seq_blas_plan(cpu_backend *c, attn_seq_job *j)
{
	const int32_t *seq = j->a->seq;
	int64_t n = j->q->ne[1], t, lo;

	j->nls = 0;
	for (lo = 0; lo < n; lo = t) {
		for (t = lo + 1; t < n && seq[t] == seq[lo]; t++)
			;
		if (t - lo >= SEQ_MIN) {
			c->seqls[2 * j->nls] = lo;
			c->seqls[2 * j->nls + 1] = t - lo;
			j->nls++;
		}
	}
	j->ls = c->seqls;
	j->bl = c->seqbl;
	j->long_min = SEQ_MIN;
	return j->nls > 0;
}
#endif

static void
cpu_attention(lc_backend *b, const lc_attn_args *a, const lc_tensor *q,
    const lc_tensor *k, const lc_tensor *v, const int32_t *pos,
    lc_tensor *out)
{
	cpu_backend *c = CPU(b);
	attn_job j = { .c = c, .a = a, .q = q, .pos = pos, .out = out,
	    .tr = lc_dtype(c->kv_dtype), .kc = c->k[a->layer],
	    .vc = c->v[a->layer] };
	int64_t t, nc = c->lcells[a->layer];

	if (a->seq != NULL) {
		attn_seq_job sj = { .c = c, .a = a, .q = q, .k = k, .v = v,
		    .pos = pos, .out = out };
		size_t need = (size_t)q->ne[1] *
		    (size_t)lc_pool_nthreads(c->pool);

		/* cpu_alloc sized seqsc for the widest activation, and q is
		   (a view of) one */
		if (need > c->seqcap)
			return;
		sj.sc = c->seqsc;
		(void)lc_cpu_kv_kernels(LC_F32, &sj.dot, &sj.axpy);
#ifdef LC_HAVE_BLAS
		if (seq_blas_plan(c, &sj))
			lc_pool_run(c->pool, attn_seq_blas, &sj);
#endif
		lc_pool_run(c->pool, attn_seq, &sj);
		return;
	}
	/* the batch's keys and values go to their cells first (a ring
	   layer holds its window plus a batch, so none of them overwrites
	   a key the batch still needs); a layer with smaller heads than
	   the widest (gemma4) fills the start of each cell */
	for (t = 0; t < k->ne[1]; t++) {
		j.tr->from_float(COL(k, t), c->k[a->layer] +
		    (size_t)(pos[t] % nc) * c->kv_row,
		    (int64_t)a->n_head_kv * a->head_dim);
		j.tr->from_float(COL(v, t), c->v[a->layer] +
		    (size_t)(pos[t] % nc) * c->kv_row,
		    (int64_t)a->n_head_kv * a->head_dim);
	}
	for (t = 0; t < q->ne[1]; t++)
		if (pos[t] + 1 > j.hi)
			j.hi = pos[t] + 1;
	j.nc = nc;
	if (j.hi > nc)
		j.hi = nc;	/* every cell of a full ring */
	if (lc_cpu_kv_kernels(c->kv_dtype, &j.dot, &j.axpy)) {
		j.kb = j.kc;
		j.vb = j.vc;
		j.row = c->kv_row;
		j.esz = c->kv_dtype == LC_F32 ? sizeof(float) : sizeof(uint16_t);
	} else {
		/* quantized cache: the cells in use converted to f32 */
		lc_pool_run(c->pool, attn_load, &j);
		(void)lc_cpu_kv_kernels(LC_F32, &j.dot, &j.axpy);
		j.kb = (const uint8_t *)c->kf;
		j.vb = (const uint8_t *)c->vf;
		j.row = (size_t)c->kv_dim * sizeof(float);
		j.esz = sizeof(float);
	}
	lc_pool_run(c->pool, attn_heads, &j);
}

/* tanh-approximated GELU, as ggml evaluates it */
static float
gelu(float x)
{
	const float c = 0.7978845608028654f;	/* sqrt(2/pi) */

	return 0.5f * x * (1.0f + tanhf(c * x * (1.0f + 0.044715f * x * x)));
}

static void
cpu_act(lc_backend *b, int kind, const lc_tensor *gate, const lc_tensor *up,
    lc_tensor *y)
{
	int64_t t, i;
	const float *pg, *pu;
	float *py, x;

	(void)b;
	for (t = 0; t < gate->ne[1]; t++) {
		pg = COL(gate, t);
		pu = up ? COL(up, t) : NULL;
		py = COL(y, t);
		for (i = 0; i < gate->ne[0]; i++) {
			x = pg[i];
			x = kind == LC_ACT_SILU_GATE ? x / (1.0f + expf(-x)) :
			    kind == LC_ACT_GELU_ERF ? 0.5f * x * (1.0f +
			    erff(x * 0.70710678118654752f)) : gelu(x);
			py[i] = pu ? x * pu[i] : x;
		}
	}
}

/* the mean summed in double and rounded once, as embed.c pooled on
   the host before the op existed */
static void
cpu_pool(lc_backend *b, int kind, const lc_tensor *x, const int32_t *start,
    int n_seq, lc_tensor *y)
{
	int64_t i, c, n;
	double sum;
	float *py;
	int s;

	(void)b;
	for (s = 0; s < n_seq; s++) {
		py = COL(y, s);
		n = start[s + 1] - start[s];
		if (kind == LC_POOL_CLS || kind == LC_POOL_LAST) {
			memcpy(py, COL(x, kind == LC_POOL_CLS ? start[s] :
			    start[s + 1] - 1), (size_t)x->ne[0] * sizeof(float));
			continue;
		}
		for (i = 0; i < x->ne[0]; i++) {
			for (sum = 0, c = start[s]; c < start[s + 1]; c++)
				sum += (double)COL(x, c)[i];
			py[i] = (float)(sum / (double)n);
		}
	}
}

static void
cpu_read(lc_backend *b, const lc_tensor *x, int64_t col, float *host)
{
	(void)b;
	memcpy(host, COL(x, col), x->row_bytes);
}

static int
cpu_end(lc_backend *b, lc_err *e)
{
	(void)b;
	(void)e;
	return LC_OK;
}

static void
cpu_free(lc_backend *b)
{
	cpu_backend *c = CPU(b);

	if (c == NULL)
		return;
	kv_free(c);
	lc_pool_free(c->pool);
	free(c->xq);
	free(c->seqsc);
	free(c->seqbl);
	free(c->seqls);
	free(c);
}

/*
 * Mixture of experts (backend.h).  The routing is arch/moe.c's on the
 * host path too (it reads sel back), so it is kept bit for bit: the sum
 * in double, each probability expf(l - max) * (float)(1 / sum),
 * recomputed where it is compared rather than stored.
 */
static void
cpu_moe_route(lc_backend *b, const lc_tensor *logits, int n_used,
    lc_tensor *sel)
{
	int64_t ne = logits->ne[0], t, ex;
	int i, j, best;
	float mx, inv, wsum, pb, pe, *o;
	const float *l;
	double sum;

	(void)b;
	for (t = 0; t < logits->ne[1]; t++) {
		l = COL(logits, t);
		o = COL(sel, t);
		for (mx = -INFINITY, ex = 0; ex < ne; ex++)
			mx = l[ex] > mx ? l[ex] : mx;
		for (sum = 0, ex = 0; ex < ne; ex++)
			sum += (double)expf(l[ex] - mx);
		inv = (float)(1.0 / sum);
		/* the n_used largest, largest first; a later expert replaces
		   only a strictly larger one */
		for (wsum = 0, i = 0; i < n_used; i++) {
			for (best = -1, pb = 0, ex = 0; ex < ne; ex++) {
				for (j = 0; j < i && (int64_t)o[j] != ex; j++)
					;
				pe = expf(l[ex] - mx) * inv;
				if (j == i && (best < 0 || pe > pb)) {
					best = (int)ex;
					pb = pe;
				}
			}
			o[i] = (float)best;
			o[n_used + i] = pb;
			wsum += pb;
		}
		if (wsum < 6.103515625e-5f)
			wsum = 6.103515625e-5f;
		for (i = 0; i < n_used; i++)
			o[n_used + i] /= wsum;
	}
}

/* one matrix product per (slot, token), on a view of the expert's rows */
static void
cpu_moe_matmul(lc_backend *b, const lc_tensor *w, const lc_tensor *sel,
    const lc_tensor *x, lc_tensor *y)
{
	int64_t nu = sel->ne[0] / 2, out = w->ne[1], n_expert = w->ne[2];
	int64_t t, s, e, j, i;
	lc_tensor we = *w, xc = *x, yc = *y;

	we.ne[2] = 1;
	xc.ne[1] = yc.ne[1] = 1;
	for (t = 0; t < sel->ne[1]; t++)
		for (s = 0; s < nu; s++) {
			e = (int64_t)COL(sel, t)[s];
			j = s + nu * t;
			yc.data = COL(y, j);
			if (e < 0 || e >= n_expert) {
				for (i = 0; i < y->ne[0]; i++)
					COL(y, j)[i] = NAN;
				continue;
			}
			we.data = (char *)w->data + (size_t)(e * out) *
			    w->row_bytes;
			xc.data = COL(x, x->ne[1] == sel->ne[1] ? t : j);
			cpu_matmul(b, &we, &xc, NULL, &yc);
		}
}

static void
cpu_moe_add(lc_backend *b, const lc_tensor *a, const lc_tensor *sel,
    const lc_tensor *c, lc_tensor *y)
{
	int64_t nu = sel->ne[0] / 2, t, s, i;
	const float *pa, *ps;
	float *py, acc;

	(void)b;
	for (t = 0; t < a->ne[1]; t++) {
		pa = COL(a, t);
		ps = COL(sel, t);
		py = COL(y, t);
		for (i = 0; i < a->ne[0]; i++) {
			acc = pa[i];
			for (s = 0; s < nu; s++)
				acc += ps[nu + s] * COL(c, s + nu * t)[i];
			py[i] = acc;
		}
	}
}

static const lc_backend_ops cpu_ops = {
	.name = "cpu",
	.alloc = cpu_alloc, .release = cpu_release, .weight = cpu_weight,
	.kv_init = cpu_kv_init, .kv_clear = cpu_kv_clear,
	.begin = cpu_begin, .get_rows = cpu_get_rows, .norm = cpu_norm,
	.matmul = cpu_matmul, .add = cpu_add,
	.scale_add = cpu_scale_add, .rope = cpu_rope,
	.attention = cpu_attention, .act = cpu_act, .read = cpu_read,
	.pool = cpu_pool,
	.end = cpu_end, .free = cpu_free,
	.gemm_min_batch = cpu_gemm_min_batch,
	.moe_route = cpu_moe_route, .moe_matmul = cpu_moe_matmul,
	.moe_add = cpu_moe_add, .read_now = 1,
};

int
lc_cpu_backend_new(lc_backend **out, int nthreads, lc_err *e)
{
	cpu_backend *c;

	long n = nthreads > 0 ? nthreads : sysconf(_SC_NPROCESSORS_ONLN);
	int rc;

	*out = NULL;
	if ((rc = lc_cpu_init(e)) != LC_OK)
		return rc;
#ifdef LC_HAVE_BLAS
	openblas_set_num_threads(1);	/* the pool splits BLAS work */
#endif
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return lc_errf(e, LC_ENOMEM, "cpu backend");
	c->base.ops = &cpu_ops;
	if ((rc = lc_pool_new(&c->pool, n > 0 ? (int)n : 1, e)) != LC_OK) {
		free(c);
		return rc;
	}
	*out = &c->base;
	return LC_OK;
}
