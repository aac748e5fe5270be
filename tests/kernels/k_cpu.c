/*
 * k_cpu.c - the CPU kernels (libcore/cpu) against the scalar reference
 * (libcore/quant/dot.c), for every dtype and every SIMD level this CPU
 * has; the thread pool's determinism and robustness.
 *
 * "k_cpu" runs the checks; "k_cpu perf" prints GB/s of weight bytes
 * streamed per matvec, per type and level, for SmolLM2-sized matrices.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../libcore/cpu/cpu.h"
#include "../../libcore/cpu/pool.h"
#include "../../libcore/dtype.h"
#include "../../libcore/quant/dot.h"
#include "../../libcore/quant/quant.h"
#include "../unit/check.h"

/*
 * NMSE bounds (sum (y - yref)^2 / sum yref^2 over a matvec) where a
 * SIMD kernel may round differently from the reference.  0 means the
 * kernel must be bit-identical:
 *  - 32-element block types, q2_k, iq4_xs: exact integer sums and the
 *    reference's float operations in the reference's order.
 *  - f32, f16, bf16: the same f32 products, summed in 4 double lanes
 *    instead of one double: differences near 1e-16 relative.
 *  - q3_k..q6_k: exact integer sums per super-block, but one float
 *    vector accumulator instead of the reference's 8 lane sums of a
 *    different split, so each block's term rounds differently:
 *    differences near 1e-7 relative, more where terms cancel.
 */
#define MAX_NMSE_F32	1e-20
#define MAX_NMSE_F16	1e-20
#define MAX_NMSE_BF16	1e-20
#define MAX_NMSE_Q4_0	0
#define MAX_NMSE_Q4_1	0
#define MAX_NMSE_Q5_0	0
#define MAX_NMSE_Q5_1	0
#define MAX_NMSE_Q8_0	0
#define MAX_NMSE_IQ4_NL	0
#define MAX_NMSE_Q2_K	0
#define MAX_NMSE_Q3_K	1e-11
#define MAX_NMSE_Q4_K	1e-11
#define MAX_NMSE_Q5_K	1e-11
#define MAX_NMSE_Q6_K	1e-11
#define MAX_NMSE_IQ4_XS	0
/*
 * The reference dot against a double dot of the dequantized rows (a
 * check of the reference itself): only float rounding separates them,
 * except against Q8_1, whose min term uses s = f16(d * sum(q)), rounded
 * to half precision (relative error up to 2^-11 on that term).
 */
#define MAX_NMSE_REF		1e-9
#define MAX_NMSE_REF_Q8_1	1e-5

static const struct {
	uint32_t	t;
	double		max_nmse;
} types[] = {
	{ LC_F32, MAX_NMSE_F32 }, { LC_F16, MAX_NMSE_F16 },
	{ LC_BF16, MAX_NMSE_BF16 }, { LC_Q4_0, MAX_NMSE_Q4_0 },
	{ LC_Q4_1, MAX_NMSE_Q4_1 }, { LC_Q5_0, MAX_NMSE_Q5_0 },
	{ LC_Q5_1, MAX_NMSE_Q5_1 }, { LC_Q8_0, MAX_NMSE_Q8_0 },
	{ LC_IQ4_NL, MAX_NMSE_IQ4_NL }, { LC_Q2_K, MAX_NMSE_Q2_K },
	{ LC_Q3_K, MAX_NMSE_Q3_K }, { LC_Q4_K, MAX_NMSE_Q4_K },
	{ LC_Q5_K, MAX_NMSE_Q5_K }, { LC_Q6_K, MAX_NMSE_Q6_K },
	{ LC_IQ4_XS, MAX_NMSE_IQ4_XS },
};
#define NTYPES	((int)(sizeof(types) / sizeof(types[0])))

static const int ncols_list[] = { 32, 96, 256, 576, 640, 1536, 2048 };
#define NROWS	37		/* odd on purpose */
#define NX	13		/* activation rows of the matmul: one group
			   of 8 (gemm8) and 5 single columns */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static float
frand(void)		/* roughly normal, xorshift64* */
{
	float s = 0;
	int i;

	for (i = 0; i < 4; i++) {
		rng ^= rng >> 12;
		rng ^= rng << 25;
		rng ^= rng >> 27;
		s += (float)((rng * 0x2545f4914f6cdd1dULL) >> 40) / 16777216.0f;
	}
	return s - 2.0f;
}

static void
fill(float *x, int64_t n, float scale)
{
	int64_t i;

	for (i = 0; i < n; i++)
		x[i] = frand() * scale;
	if (n > 7)
		x[n / 3] *= 9;	/* an outlier */
}

static double
nmse(const float *y, const float *ref, int64_t n)
{
	double num = 0, den = 0, d;
	int64_t i;

	for (i = 0; i < n; i++) {
		d = (double)y[i] - ref[i];
		num += d * d;
		den += (double)ref[i] * ref[i];
	}
	return den > 0 ? num / den : num;
}

static int64_t
row_bytes(uint32_t t, int64_t ncols)
{
	const lc_dtype_traits *dt = lc_dtype(t);

	return ncols / dt->blck * dt->bytes;
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL) {
		fprintf(stderr, "k_cpu: out of memory\n");
		exit(2);
	}
	return p;
}

/* ------------------------------------------------------------------ */
/* matvec job on a pool                                                */

typedef struct mv_job {
	uint32_t	 t;
	const void	*w;
	int64_t		 rb, ncols, nrows;
	const void	*xq;
	float		*y;
} mv_job;

static void
mv_run(void *arg, int ith, int nth)
{
	mv_job *j = arg;
	int64_t r0, r1;

	lc_cpu_split(j->nrows, ith, nth, &r0, &r1);
	lc_cpu_matvec(j->t, j->w, j->rb, j->ncols, j->xq, j->y, r0, r1);
}

/* ------------------------------------------------------------------ */
/* correctness                                                         */

/* The reference against the dequantized double dot, at scalar level. */
static void
check_reference(uint32_t t, int ncols)
{
	const lc_dtype_traits *wt = lc_dtype(t);
	const lc_dot_traits *dt = lc_dot(t);
	const lc_dtype_traits *xt = lc_dtype(dt->vec_dot_type);
	int64_t rb = row_bytes(t, ncols), r, i;
	float *wf = xmalloc(sizeof(float) * NROWS * ncols);
	float *xf = xmalloc(sizeof(float) * ncols);
	float *wd = xmalloc(sizeof(float) * ncols);
	float *xd = xmalloc(sizeof(float) * ncols);
	float y[NROWS], yd[NROWS];
	char *w = xmalloc((size_t)(rb * NROWS));
	void *xq = xmalloc((size_t)row_bytes(dt->vec_dot_type, ncols));
	double acc, e, lim;

	fill(wf, (int64_t)NROWS * ncols, 0.05f);
	fill(xf, ncols, 1.0f);
	for (r = 0; r < NROWS; r++)
		wt->from_float(wf + r * ncols, w + r * rb, ncols);
	xt->from_float(xf, xq, ncols);
	xt->to_float(xq, xd, ncols);
	for (r = 0; r < NROWS; r++) {
		dt->vec_dot(ncols, &y[r], w + r * rb, xq);
		wt->to_float(w + r * rb, wd, ncols);
		for (acc = 0, i = 0; i < ncols; i++)
			acc += (double)wd[i] * xd[i];
		yd[r] = (float)acc;
	}
	e = nmse(y, yd, NROWS);
	lim = dt->vec_dot_type == LC_Q8_1 ? MAX_NMSE_REF_Q8_1 : MAX_NMSE_REF;
	CHECK(e <= lim, "reference %s ncols %d: nmse %g vs dequantized dot "
	    "> %g", wt->name, ncols, e, lim);
	free(wf);
	free(xf);
	free(wd);
	free(xd);
	free(w);
	free(xq);
}

static int
same(const float *a, const float *b, int64_t n)
{
	return memcmp(a, b, sizeof(float) * (size_t)n) == 0;
}

/* One type, one shape, at the current level, against the reference. */
static void
check_type(int ti, int ncols, lc_pool *pools[3])
{
	uint32_t t = types[ti].t;
	const lc_dtype_traits *wt = lc_dtype(t);
	const lc_dot_traits *dt = lc_dot(t);
	const lc_dtype_traits *xt = lc_dtype(dt->vec_dot_type);
	const char *lv = lc_cpu_level_name(lc_cpu_level());
	int64_t rb = row_bytes(t, ncols), xb = row_bytes(dt->vec_dot_type,
	    ncols), r, j;
	float *wf = xmalloc(sizeof(float) * NROWS * ncols);
	float *xf = xmalloc(sizeof(float) * NX * ncols);
	char *w = xmalloc((size_t)(rb * NROWS));
	char *xr = xmalloc((size_t)(xb * NX)), *xq = xmalloc((size_t)(xb * NX));
	float yref[NX * NROWS], y[NX * NROWS], ys[NROWS], ym[NX * NROWS];
	double e;
	int k, p, ok;

	fill(wf, (int64_t)NROWS * ncols, 0.05f);
	fill(xf, (int64_t)NX * ncols, 1.0f);
	if (ncols >= 512)	/* an all-zero Q8_K super-block */
		memset(xf + 256, 0, 256 * sizeof(float));
	for (r = 0; r < NROWS; r++)
		wt->from_float(wf + r * ncols, w + r * rb, ncols);
	for (j = 0; j < NX; j++) {
		xt->from_float(xf + j * ncols, xr + j * xb, ncols);
		lc_cpu_quant_act(t, xf + j * ncols, xq + j * xb, ncols);
	}
	CHECK(memcmp(xr, xq, (size_t)(xb * NX)) == 0,
	    "%s: quantized activations (%s, ncols %d) differ from the "
	    "reference", lv, xt->name, ncols);
	for (j = 0; j < NX; j++)
		for (r = 0; r < NROWS; r++)
			dt->vec_dot(ncols, &yref[j * NROWS + r], w + r * rb,
			    xr + j * xb);

	/* matvec: whole, and in three pieces */
	for (j = 0; j < NX; j++)
		lc_cpu_matvec(t, w, rb, ncols, xr + j * xb, y + j * NROWS, 0,
		    NROWS);
	e = nmse(y, yref, NX * NROWS);
	if (types[ti].max_nmse == 0)
		CHECK(same(y, yref, NX * NROWS), "%s %s ncols %d: matvec not "
		    "bit-identical to the reference (nmse %g)", lv, wt->name,
		    ncols, e);
	else
		CHECK(e <= types[ti].max_nmse, "%s %s ncols %d: matvec nmse "
		    "%g > %g", lv, wt->name, ncols, e, types[ti].max_nmse);
	lc_cpu_matvec(t, w, rb, ncols, xr, ys, 0, 1);
	lc_cpu_matvec(t, w, rb, ncols, xr, ys, 1, 12);
	lc_cpu_matvec(t, w, rb, ncols, xr, ys, 12, NROWS);
	CHECK(same(ys, y, NROWS), "%s %s ncols %d: split matvec differs",
	    lv, wt->name, ncols);

	/* matmul: all NX rows, rows [3, NROWS) and [0, 3) */
	lc_cpu_matmul(t, w, rb, ncols, xr, xb, NX, ym, NROWS, 0, 3);
	lc_cpu_matmul(t, w, rb, ncols, xr, xb, NX, ym, NROWS, 3, NROWS);
	CHECK(same(ym, y, NX * NROWS), "%s %s ncols %d: matmul differs from "
	    "matvec", lv, wt->name, ncols);

	/* 1, 2, 3 threads */
	for (p = 0; p < 3; p++) {
		mv_job job = { t, w, rb, ncols, NROWS, xr, ys };

		for (k = 0; k < NROWS; k++)
			ys[k] = NAN;
		lc_pool_run(pools[p], mv_run, &job);
		ok = same(ys, y, NROWS);
		CHECK(ok, "%s %s ncols %d: %d threads differ", lv, wt->name,
		    ncols, p + 1);
	}
	free(wf);
	free(xf);
	free(w);
	free(xr);
	free(xq);
}

/* ------------------------------------------------------------------ */
/* the pool                                                            */

typedef struct count_job {
	atomic_int	 calls;
	int		 slot[3];
} count_job;

static void
count_run(void *arg, int ith, int nth)
{
	count_job *c = arg;

	(void)nth;
	c->slot[ith]++;
	atomic_fetch_add(&c->calls, 1);
}

static void
check_pool(lc_pool *pools[3])
{
	count_job c;
	int p, i, n = 5000;

	for (p = 0; p < 3; p++) {
		memset(&c, 0, sizeof(c));
		atomic_init(&c.calls, 0);
		for (i = 0; i < n; i++)
			lc_pool_run(pools[p], count_run, &c);
		CHECK(atomic_load(&c.calls) == n * (p + 1), "pool %d: %d calls, "
		    "want %d", p + 1, atomic_load(&c.calls), n * (p + 1));
		for (i = 0; i <= p; i++)
			CHECK(c.slot[i] == n, "pool %d: thread %d ran %d jobs",
			    p + 1, i, c.slot[i]);
	}
}

/*
 * The attention kernels (f32 and f16 cache rows against f32 vectors) at
 * the current level, against sums in double: only rounding may differ.
 */
static void
check_kv(void)
{
	static const int lens[] = { 1, 7, 8, 15, 16, 40, 64, 80, 128, 256 };
	float k[256], q[256], y[256], want[256], a = 0.37f;
	uint16_t kh[256];
	lc_kv_dot_fn dot;
	lc_kv_axpy_fn axpy;
	uint32_t t;
	double ref, norm;
	size_t li;
	int i, n;

	for (t = LC_F32; t <= LC_F16; t++) {
		if (!lc_cpu_kv_kernels(t, &dot, &axpy)) {
			CHECK(0, "no kv kernels for %s", lc_dtype(t)->name);
			continue;
		}
		for (li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
			n = lens[li];
			fill(k, n, 1.0f);
			fill(q, n, 1.0f);
			fill(y, n, 1.0f);
			for (i = 0; i < n; i++) {
				kh[i] = lc_f32_to_f16(k[i]);
				if (t == LC_F16)
					k[i] = lc_f16_to_f32(kh[i]);
			}
			for (ref = norm = 0, i = 0; i < n; i++) {
				ref += (double)k[i] * q[i];
				norm += fabs((double)k[i] * q[i]);
			}
			CHECK(fabs(dot(n, t == LC_F16 ? (void *)kh : (void *)k,
			    q) - ref) <= 1e-6 * norm + 1e-30,
			    "kv_dot %s n=%d", lc_dtype(t)->name, n);
			for (i = 0; i < n; i++)
				want[i] = (float)((double)y[i] +
				    (double)a * k[i]);
			axpy(n, a, t == LC_F16 ? (void *)kh : (void *)k, y);
			for (i = 0; i < n; i++)
				if (fabsf(y[i] - want[i]) > 1e-6f *
				    (fabsf(want[i]) + fabsf(a * k[i])))
					break;
			CHECK(i == n, "kv_axpy %s n=%d i=%d", lc_dtype(t)->name,
			    n, i);
		}
	}
	CHECK(!lc_cpu_kv_kernels(LC_Q8_0, &dot, &axpy),
	    "q8_0 cache rows have no direct kernel");
}

static int
run_checks(void)
{
	lc_pool *pools[3];
	lc_err e;
	int lvl, ti, c, ncols, p;

	for (p = 0; p < 3; p++)
		if (lc_pool_new(&pools[p], p + 1, &e) != LC_OK) {
			printf("FAILED pool: %s\n", e.msg);
			return 1;
		}
	check_pool(pools);
	for (ti = 0; ti < NTYPES; ti++)
		for (c = 0; c < (int)(sizeof(ncols_list) / sizeof(int)); c++) {
			ncols = ncols_list[c];
			if (ncols % lc_dtype(types[ti].t)->blck == 0)
				check_reference(types[ti].t, ncols);
		}
	for (lvl = 0; lvl < LC_CPU_NLEVELS; lvl++) {
		if (lc_cpu_set_level(lvl, &e) != LC_OK) {
			printf("skip %s: %s\n", lc_cpu_level_name(lvl), e.msg);
			continue;
		}
		for (ti = 0; ti < NTYPES; ti++)
			for (c = 0; c < (int)(sizeof(ncols_list) / sizeof(int));
			    c++) {
				ncols = ncols_list[c];
				if (ncols % lc_dtype(types[ti].t)->blck == 0)
					check_type(ti, ncols, pools);
			}
		check_kv();
		printf("level %s: checked\n", lc_cpu_level_name(lvl));
	}
	for (p = 0; p < 3; p++)
		lc_pool_free(pools[p]);
	return DONE("k_cpu");
}

/* ------------------------------------------------------------------ */
/* perf                                                                */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void
noop_run(void *arg, int ith, int nth)
{
	(void)arg;
	(void)ith;
	(void)nth;
}

/*
 * GB/s of weight bytes per matvec, "hot" (one matrix, cache-resident
 * when small) and "stream" (cycling through copies totalling >= 256
 * MiB, as a forward pass streams the layers from memory).
 */
static void
perf_one(uint32_t t, int64_t ncols, int64_t nrows, lc_pool *pool)
{
	int64_t rb = row_bytes(t, ncols), mb = rb * nrows, ncopy, c, it;
	const lc_dtype_traits *wt = lc_dtype(t);
	float *xf = xmalloc(sizeof(float) * ncols);
	float *wf = xmalloc(sizeof(float) * ncols);
	float *y = xmalloc(sizeof(float) * nrows);
	char *xq = xmalloc((size_t)lc_cpu_act_bytes(t, ncols)), *w;
	double t0, hot, stream;
	mv_job job = { t, NULL, rb, ncols, nrows, xq, y };
	int64_t r;

	ncopy = ((int64_t)256 << 20) / mb + 1;
	w = xmalloc((size_t)(mb * ncopy));
	fill(wf, ncols, 0.05f);
	for (r = 0; r < nrows; r++)
		wt->from_float(wf, w + r * rb, ncols);
	for (c = 1; c < ncopy; c++)
		memcpy(w + c * mb, w, (size_t)mb);
	fill(xf, ncols, 1.0f);
	lc_cpu_quant_act(t, xf, xq, ncols);

	job.w = w;
	lc_pool_run(pool, mv_run, &job);
	t0 = now();
	for (it = 0; now() - t0 < 0.3; it++)
		lc_pool_run(pool, mv_run, &job);
	hot = (double)mb * it / (now() - t0) / 1e9;
	t0 = now();
	for (it = 0; now() - t0 < 0.5; it++) {
		job.w = w + (it % ncopy) * mb;
		lc_pool_run(pool, mv_run, &job);
	}
	stream = (double)mb * it / (now() - t0) / 1e9;
	printf("%-7s %-6s %dT %5lldx%-6lld %8.2f MB  hot %6.2f GB/s  "
	    "stream %6.2f GB/s\n", lc_cpu_level_name(lc_cpu_level()),
	    wt->name, lc_pool_nthreads(pool), (long long)ncols,
	    (long long)nrows, mb / 1e6, hot, stream);
	fflush(stdout);
	free(xf);
	free(wf);
	free(y);
	free(xq);
	free(w);
}

static int
run_perf(int argc, char **argv)
{
	static const int64_t shapes[][2] = {
		{ 576, 1536 }, { 1536, 576 }, { 576, 49152 },
	};
	lc_pool *pools[2];
	lc_err e;
	double t0;
	int lvl, ti, s, p, i, n = 200000;
	uint32_t t;

	for (p = 0; p < 2; p++)
		if (lc_pool_new(&pools[p], p + 1, &e) != LC_OK) {
			fprintf(stderr, "k_cpu: %s\n", e.msg);
			return 1;
		}
	t0 = now();
	for (i = 0; i < n; i++)
		lc_pool_run(pools[1], noop_run, NULL);
	printf("pool: 2 threads, empty job %.3f us per run\n",
	    (now() - t0) / n * 1e6);
	for (lvl = 0; lvl < LC_CPU_NLEVELS; lvl++) {
		if (lc_cpu_set_level(lvl, &e) != LC_OK) {
			printf("skip %s: %s\n", lc_cpu_level_name(lvl), e.msg);
			continue;
		}
		for (ti = 0; ti < NTYPES; ti++) {
			t = types[ti].t;
			if (argc > 2) {	/* k_cpu perf TYPE... */
				for (i = 2; i < argc; i++)
					if (strcmp(argv[i],
					    lc_dtype(t)->name) == 0)
						break;
				if (i == argc)
					continue;
			}
			for (s = 0; s < 3; s++) {
				if (shapes[s][0] % lc_dtype(t)->blck)
					continue;
				for (p = 0; p < 2; p++)
					perf_one(t, shapes[s][0], shapes[s][1],
					    pools[p]);
			}
		}
	}
	for (p = 0; p < 2; p++)
		lc_pool_free(pools[p]);
	return 0;
}

int
main(int argc, char **argv)
{
	lc_err e;

	if (lc_cpu_init(&e) != LC_OK)
		printf("note: %s\n", e.msg);
	if (argc > 1 && strcmp(argv[1], "perf") == 0)
		return run_perf(argc, argv);
	return run_checks();
}
