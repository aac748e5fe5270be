/*
 * roof.c - memory bandwidth and peak arithmetic rates of this machine,
 * a device's GEMM rate through its backend's ops, and the bytes and
 * FLOPs a model's token costs.  The kernels are built
 * for the newer ISAs with target attributes and chosen at run time from
 * cpuid, as the rest of the CPU code is.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "dtype.h"
#include "roof.h"
#include "sysinfo.h"

#define BW_BYTES	(256u << 20)	/* far beyond any last-level cache */
#define BW_REPS		5
#define PEAK_ITERS	(1u << 22)
#define PEAK_REPS	3

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- kernels ---------------------------------------------------------- */

static uint64_t
read_scalar(const uint64_t *p, size_t n)
{
	uint64_t a = 0, b = 0, c = 0, d = 0;
	size_t i;

	for (i = 0; i + 4 <= n; i += 4) {
		a ^= p[i];
		b ^= p[i + 1];
		c ^= p[i + 2];
		d ^= p[i + 3];
	}
	return a ^ b ^ c ^ d;
}

static float
fma_scalar(unsigned iters)
{
	float a = 1, b = 1.0000001f, c = 0.999999f, d = 1, x = 1e-7f;
	unsigned i;

	for (i = 0; i < iters; i++) {
		a = a * b + x;
		d = d * c + x;
	}
	return a + d;
}

#if defined(__x86_64__)
__attribute__((target("avx2")))
static uint64_t
read_avx2(const uint64_t *p, size_t n)
{
	__m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
	uint64_t out[4];
	size_t i;

	for (i = 0; i + 16 <= n; i += 16) {
		a = _mm256_xor_si256(a, _mm256_load_si256((const void *)(p + i)));
		b = _mm256_xor_si256(b, _mm256_load_si256((const void *)(p + i + 4)));
		c = _mm256_xor_si256(c, _mm256_load_si256((const void *)(p + i + 8)));
		d = _mm256_xor_si256(d, _mm256_load_si256((const void *)(p + i + 12)));
	}
	a = _mm256_xor_si256(_mm256_xor_si256(a, b), _mm256_xor_si256(c, d));
	_mm256_storeu_si256((void *)out, a);
	return out[0] ^ out[1] ^ out[2] ^ out[3];
}

/* 8 independent chains of 16-lane FMAs: 256 flops per step */
__attribute__((target("avx512f")))
static float
fma_avx512(unsigned iters)
{
	__m512 acc[8], b = _mm512_set1_ps(1.0000001f),
	    x = _mm512_set1_ps(1e-7f);
	unsigned i, k;

	for (k = 0; k < 8; k++)
		acc[k] = _mm512_set1_ps((float)k);
	for (i = 0; i < iters; i++)
		for (k = 0; k < 8; k++)
			acc[k] = _mm512_fmadd_ps(acc[k], b, x);
	for (k = 1; k < 8; k++)
		acc[0] = _mm512_add_ps(acc[0], acc[k]);
	return _mm512_reduce_add_ps(acc[0]);
}

/* 8 chains of 8-lane FMAs: 128 flops per step */
__attribute__((target("avx2,fma")))
static float
fma_avx2(unsigned iters)
{
	__m256 acc[8], b = _mm256_set1_ps(1.0000001f),
	    x = _mm256_set1_ps(1e-7f);
	float out[8];
	unsigned i, k;

	for (k = 0; k < 8; k++)
		acc[k] = _mm256_set1_ps((float)k);
	for (i = 0; i < iters; i++)
		for (k = 0; k < 8; k++)
			acc[k] = _mm256_fmadd_ps(acc[k], b, x);
	for (k = 1; k < 8; k++)
		acc[0] = _mm256_add_ps(acc[0], acc[k]);
	_mm256_storeu_ps(out, acc[0]);
	return out[0] + out[7];
}

/* 8 chains of vpdpbusd: 64 multiply-adds = 128 ops each, 1024 per step */
__attribute__((target("avx512f,avx512vnni")))
static float
i8_vnni(unsigned iters)
{
	__m512i acc[8], a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
	int out[16];
	float sum = 0;
	unsigned i, k;

	for (k = 0; k < 8; k++)
		acc[k] = _mm512_set1_epi32((int)k);
	for (i = 0; i < iters; i++)
		for (k = 0; k < 8; k++)
			acc[k] = _mm512_dpbusd_epi32(acc[k], a, b);
	for (k = 0; k < 8; k++) {	/* xor: no overflow to mind */
		_mm512_storeu_si512((void *)out, acc[k]);
		sum += (float)(out[0] ^ out[15]);
	}
	return sum;
}

/* 4 chains of maddubs + madd + add: 32 multiply-adds = 64 ops each,
   256 per step */
__attribute__((target("avx2")))
static float
i8_avx2(unsigned iters)
{
	__m256i acc[4], a = _mm256_set1_epi8(3), b = _mm256_set1_epi8(-2),
	    one = _mm256_set1_epi16(1);
	int out[8];
	unsigned i, k;

	for (k = 0; k < 4; k++)
		acc[k] = _mm256_set1_epi32((int)k);
	for (i = 0; i < iters; i++)
		for (k = 0; k < 4; k++)
			acc[k] = _mm256_add_epi32(acc[k], _mm256_madd_epi16(
			    _mm256_maddubs_epi16(a, b), one));
	for (k = 1; k < 4; k++)
		acc[0] = _mm256_xor_si256(acc[0], acc[k]);
	_mm256_storeu_si256((void *)out, acc[0]);
	return (float)(out[0] ^ out[7]);
}
#endif

/* ---- threads ---------------------------------------------------------- */

enum { K_READ, K_F32, K_I8 };

typedef struct job {
	int			 kind;
	unsigned		 features;
	const uint64_t		*p;
	size_t			 n;
	unsigned		 iters;
	atomic_int		*go;
	volatile double		 sink;
} job;

static void *
work(void *arg)
{
	job *j = arg;
	double s = 0;

	while (!atomic_load(j->go))
		;
	switch (j->kind) {
	case K_READ:
#if defined(__x86_64__)
		if (j->features & LC_CPU_AVX2) {
			s = (double)read_avx2(j->p, j->n);
			break;
		}
#endif
		s = (double)read_scalar(j->p, j->n);
		break;
	case K_F32:
#if defined(__x86_64__)
		if (j->features & LC_CPU_AVX512) {
			s = fma_avx512(j->iters);
			break;
		}
		if (j->features & LC_CPU_AVX2) {
			s = fma_avx2(j->iters);
			break;
		}
#endif
		s = fma_scalar(j->iters);
		break;
	case K_I8:
#if defined(__x86_64__)
		if (j->features & LC_CPU_VNNI)
			s = i8_vnni(j->iters);
		else if (j->features & LC_CPU_AVX2)
			s = i8_avx2(j->iters);
#endif
		break;
	}
	j->sink = s;
	return NULL;
}

/* Runs kind on nt threads at once; seconds from start to the last
   finish. */
static int
run(int kind, int nt, unsigned features, const uint64_t *buf, size_t n,
    unsigned iters, double *secs, lc_err *e)
{
	pthread_t th[256];
	job jobs[256];
	atomic_int go = 0;
	double t0;
	int i, started = 0, rc = LC_OK;

	for (i = 0; i < nt; i++) {
		size_t lo = n / nt * i, hi = i == nt - 1 ? n : n / nt * (i + 1);
		lo &= ~(size_t)15;
		hi &= ~(size_t)15;
		jobs[i] = (job){ .kind = kind, .features = features,
		    .p = buf + lo, .n = hi - lo, .iters = iters, .go = &go };
		if ((errno = pthread_create(&th[i], NULL, work, &jobs[i])) !=
		    0) {
			rc = lc_errsys(e, "roof: pthread_create");
			break;
		}
		started++;
	}
	t0 = now();
	atomic_store(&go, 1);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	*secs = now() - t0;
	return rc;
}

int
lc_roof_measure(lc_roof *r, int threads, lc_err *e)
{
	lc_sysinfo si;
	uint64_t *buf;
	size_t n = BW_BYTES / sizeof(uint64_t), i;
	double t, best;
	int k, rc;

	if ((rc = lc_sysinfo_get(&si, e)) != LC_OK)
		return rc;
	if (threads <= 0)
		threads = si.ncpu > 0 ? si.ncpu : 1;
	if (threads > 256)
		threads = 256;
	memset(r, 0, sizeof(*r));
	snprintf(r->key, sizeof(r->key), "%s/%d", si.cpu_model[0] ?
	    si.cpu_model : "unknown", si.ncpu);
	r->threads = threads;
	if ((buf = aligned_alloc(64, BW_BYTES)) == NULL)
		return lc_errf(e, LC_ENOMEM, "roof: %u MiB buffer",
		    BW_BYTES >> 20);
	for (i = 0; i < n; i++)
		buf[i] = i * 0x9e3779b97f4a7c15ull;
	best = 1e30;
	for (k = 0; k < BW_REPS; k++) {
		if ((rc = run(K_READ, threads, si.features, buf, n, 0, &t,
		    e)) != LC_OK)
			break;
		if (t < best)
			best = t;
	}
	free(buf);
	if (rc != LC_OK)
		return rc;
	r->bw_gbs = BW_BYTES / best * 1e-9;

	best = 1e30;
	for (k = 0; k < PEAK_REPS; k++) {
		if ((rc = run(K_F32, threads, si.features, NULL, 0, PEAK_ITERS,
		    &t, e)) != LC_OK)
			return rc;
		if (t < best)
			best = t;
	}
	r->f32_gflops = (double)PEAK_ITERS * threads * 1e-9 / best *
	    (si.features & LC_CPU_AVX512 ? 256 : si.features & LC_CPU_AVX2 ?
	    128 : 4);
	if (si.features & (LC_CPU_VNNI | LC_CPU_AVX2)) {
		best = 1e30;
		for (k = 0; k < PEAK_REPS; k++) {
			if ((rc = run(K_I8, threads, si.features, NULL, 0,
			    PEAK_ITERS, &t, e)) != LC_OK)
				return rc;
			if (t < best)
				best = t;
		}
		r->i8_gops = (double)PEAK_ITERS * threads * 1e-9 / best *
		    (si.features & LC_CPU_VNNI ? 1024 : 256);
	}
	return LC_OK;
}

/* ---- cache ------------------------------------------------------------ */

const char *
lc_roof_path(char *buf, size_t len)
{
	const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");

	if (x != NULL && *x != '\0')
		snprintf(buf, len, "%s/llmutils/roof.json", x);
	else
		snprintf(buf, len, "%s/.cache/llmutils/roof.json",
		    h != NULL ? h : ".");
	return buf;
}

static cJSON *
read_cache(const char *path)
{
	FILE *fp;
	char *s;
	long n;
	cJSON *j = NULL;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) > 0 &&
	    n < (1 << 20) && fseek(fp, 0, SEEK_SET) == 0 &&
	    (s = malloc((size_t)n + 1)) != NULL) {
		if (fread(s, 1, (size_t)n, fp) == (size_t)n) {
			s[n] = '\0';
			j = cJSON_Parse(s);
		}
		free(s);
	}
	fclose(fp);
	if (j != NULL && !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		j = NULL;
	}
	return j;
}

static void
mkparents(char *path)
{
	char *p;

	for (p = path + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
}

/* Sets key to o (taken over) in the cache file, the other keys kept. */
static void
write_entry(const char *path, const char *key, cJSON *o)
{
	cJSON *j = read_cache(path);
	char tmp[4200], *s;
	FILE *fp;

	if (o == NULL)
		return;
	if (j == NULL && (j = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(o);
		return;
	}
	cJSON_AddNumberToObject(o, "time", (double)time(NULL));
	cJSON_DeleteItemFromObjectCaseSensitive(j, key);
	cJSON_AddItemToObject(j, key, o);
	s = cJSON_Print(j);
	cJSON_Delete(j);
	if (s == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	mkparents(tmp);
	if ((fp = fopen(tmp, "w")) != NULL) {
		int bad = fputs(s, fp) == EOF || fputc('\n', fp) == EOF;
		if (fclose(fp) != 0 || bad || rename(tmp, path) != 0)
			remove(tmp);
	}
	free(s);
}

static void
write_cache(const char *path, const lc_roof *r)
{
	cJSON *o = cJSON_CreateObject();

	if (o != NULL) {
		cJSON_AddNumberToObject(o, "threads", r->threads);
		cJSON_AddNumberToObject(o, "bw_gbs", r->bw_gbs);
		cJSON_AddNumberToObject(o, "f32_gflops", r->f32_gflops);
		cJSON_AddNumberToObject(o, "i8_gops", r->i8_gops);
	}
	write_entry(path, r->key, o);
}

int
lc_roof_get(lc_roof *r, int refresh, lc_err *e)
{
	char path[4096];
	lc_sysinfo si;
	cJSON *j, *o, *v;
	int rc;

	lc_roof_path(path, sizeof(path));
	if (!refresh && lc_sysinfo_get(&si, NULL) == LC_OK &&
	    (j = read_cache(path)) != NULL) {
		char key[128];
		snprintf(key, sizeof(key), "%s/%d", si.cpu_model[0] ?
		    si.cpu_model : "unknown", si.ncpu);
		o = cJSON_GetObjectItemCaseSensitive(j, key);
		memset(r, 0, sizeof(*r));
		snprintf(r->key, sizeof(r->key), "%s", key);
#define NUM(name, dst) ((v = cJSON_GetObjectItemCaseSensitive(o, name)) != \
	NULL && cJSON_IsNumber(v) && v->valuedouble >= 0 && \
	((dst) = v->valuedouble, 1))
		if (cJSON_IsObject(o) && NUM("bw_gbs", r->bw_gbs) &&
		    NUM("f32_gflops", r->f32_gflops) &&
		    NUM("i8_gops", r->i8_gops) &&
		    (v = cJSON_GetObjectItemCaseSensitive(o, "threads")) !=
		    NULL && cJSON_IsNumber(v) && r->bw_gbs > 0 &&
		    r->f32_gflops > 0) {
			r->threads = v->valueint;
			r->cached = 1;
			cJSON_Delete(j);
			return LC_OK;
		}
#undef NUM
		cJSON_Delete(j);
	}
	if ((rc = lc_roof_measure(r, 0, e)) != LC_OK)
		return rc;
	write_cache(path, r);
	return LC_OK;
}

/* ---- a device's GEMM rate, through its backend's ops -------------------- */

#define DEV_K0		256	/* first shape: k = n = DEV_K0, then 4 */
#define DEV_K1		4096	/* times more while under DEV_SMALL s */
#define DEV_T		512	/* activation columns: a prompt batch */
#define DEV_SMALL	0.02
#define DEV_TARGET	0.1	/* seconds per timed run */
#define DEV_RUNS	3

static uint64_t
xs(uint64_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return *st;
}

/* [k, rows] weights of dtype, uniform in [-amp, amp), bound to b */
static int
synth_weight(lc_backend *b, uint32_t dtype, int64_t k, int64_t rows,
    float amp, lc_tensor *w, void **host, lc_err *e)
{
	const lc_dtype_traits *tr = lc_dtype(dtype);
	uint64_t st = 0x2545f4914f6cdd1dull ^ (uint64_t)(k * 31 + rows);
	float *row;
	int64_t i, r;

	*host = NULL;
	if (tr == NULL || tr->from_float == NULL || tr->blck != 1)
		return lc_errf(e, LC_EUNSUP, "roof: %s weights for a GEMM",
		    tr ? tr->name : "unknown");
	memset(w, 0, sizeof(*w));
	w->dtype = dtype;
	w->ne[0] = k;
	w->ne[1] = rows;
	w->ne[2] = w->ne[3] = 1;
	w->row_bytes = (size_t)k * tr->bytes;
	if ((row = malloc((size_t)k * sizeof(float))) == NULL ||
	    (*host = aligned_alloc(64, (w->row_bytes * (size_t)rows + 63) &
	    ~(size_t)63)) == NULL) {
		free(row);
		return lc_errf(e, LC_ENOMEM, "roof: %lld x %lld %s weights",
		    (long long)k, (long long)rows, tr->name);
	}
	for (r = 0; r < rows; r++) {
		for (i = 0; i < k; i++)
			row[i] = amp * (float)((double)(xs(&st) >> 11) *
			    0x1p-52 - 1);
		tr->from_float(row, (char *)*host + (size_t)r * w->row_bytes,
		    k);
	}
	free(row);
	w->data = *host;
	return b->ops->weight(b, w, e);
}

int
lc_roof_gemm(lc_backend *b, uint32_t dtype, int64_t k, int64_t n,
    int64_t t, int reps, int runs, double *secs, lc_err *e)
{
	lc_tensor w, emb, x = { 0 }, y = { 0 };
	void *hw = NULL, *he = NULL;
	int32_t *ids = NULL;
	double t0, dt;
	int64_t i;
	int rc, r, k2;

	*secs = 0;
	if (k <= 0 || n <= 0 || t <= 0 || reps < 1 || runs < 1)
		return lc_errf(e, LC_EINVAL, "roof: a %lld x %lld x %lld "
		    "product %d times", (long long)k, (long long)n,
		    (long long)t, reps);
	if ((rc = synth_weight(b, dtype, k, n, 0.5f, &w, &hw, e)) != LC_OK ||
	    (rc = synth_weight(b, LC_F32, k, 64, 1.0f, &emb, &he, e)) !=
	    LC_OK)
		goto out;
	if ((ids = malloc((size_t)t * sizeof(*ids))) == NULL) {
		rc = lc_errf(e, LC_ENOMEM, "roof: %lld ids", (long long)t);
		goto out;
	}
	for (i = 0; i < t; i++)
		ids[i] = (int32_t)(i % 64);
	if ((rc = b->ops->alloc(b, &x, k, t, e)) != LC_OK ||
	    (rc = b->ops->alloc(b, &y, n, t, e)) != LC_OK)
		goto out;
	/* the activations: rows of emb; then one untimed product (a GPU
	   builds its pipelines at first use) */
	b->ops->begin(b);
	b->ops->get_rows(b, &emb, ids, 1.0f, &x);
	b->ops->matmul(b, &w, &x, NULL, &y);
	if ((rc = b->ops->end(b, e)) != LC_OK)
		goto out;
	for (r = 0; r < runs; r++) {
		t0 = now();
		b->ops->begin(b);
		for (k2 = 0; k2 < reps; k2++)
			b->ops->matmul(b, &w, &x, NULL, &y);
		if ((rc = b->ops->end(b, e)) != LC_OK)
			goto out;
		dt = now() - t0;
		if (r == 0 || dt < *secs)
			*secs = dt;
	}
out:
	if (y.data != NULL)
		b->ops->release(b, &y);
	if (x.data != NULL)
		b->ops->release(b, &x);
	free(ids);
	free(he);
	free(hw);
	return rc;
}

int
lc_roof_dev_measure(lc_roof_dev *r, lc_backend *b, lc_err *e)
{
	char key[sizeof(r->key)];
	double s, flop;
	int rc;

	memcpy(key, r->key, sizeof(key));
	memset(r, 0, sizeof(*r));
	memcpy(r->key, key, sizeof(key));
	r->k = r->n = DEV_K0;
	r->t = DEV_T;
	if ((rc = lc_roof_gemm(b, LC_F16, r->k, r->n, r->t, 1, 1, &s, e)) !=
	    LC_OK)
		return rc;
	while (s < DEV_SMALL && r->k < DEV_K1) {
		r->k = r->n = r->k * 4;
		if ((rc = lc_roof_gemm(b, LC_F16, r->k, r->n, r->t, 1, 1, &s,
		    e)) != LC_OK)
			return rc;
	}
	r->reps = s > 0 ? (int)(DEV_TARGET / s + 0.5) : 64;
	r->reps = r->reps < 1 ? 1 : r->reps > 64 ? 64 : r->reps;
	flop = 2.0 * (double)r->k * (double)r->n * (double)r->t * r->reps;
	if ((rc = lc_roof_gemm(b, LC_F16, r->k, r->n, r->t, r->reps, DEV_RUNS,
	    &s, e)) != LC_OK)
		return rc;
	r->f16_gflops = flop / s * 1e-9;
	if ((rc = lc_roof_gemm(b, LC_F32, r->k, r->n, r->t, r->reps, DEV_RUNS,
	    &s, e)) != LC_OK)
		return rc;
	r->f32_gflops = flop / s * 1e-9;
	return LC_OK;
}

int
lc_roof_dev_get(lc_roof_dev *r, const char *key, lc_backend *b,
    int refresh, lc_err *e)
{
	char path[4096];
	cJSON *j, *o, *v;
	int rc;

	memset(r, 0, sizeof(*r));
	snprintf(r->key, sizeof(r->key), "%s", key);
	lc_roof_path(path, sizeof(path));
	if (!refresh && (j = read_cache(path)) != NULL) {
		o = cJSON_GetObjectItemCaseSensitive(j, r->key);
#define NUM(name, dst) ((v = cJSON_GetObjectItemCaseSensitive(o, name)) != \
	NULL && cJSON_IsNumber(v) && v->valuedouble > 0 && \
	((dst) = v->valuedouble, 1))
		if (cJSON_IsObject(o) && NUM("f16_gflops", r->f16_gflops) &&
		    NUM("f32_gflops", r->f32_gflops) && NUM("k", r->k) &&
		    NUM("n", r->n) && NUM("t", r->t) && NUM("reps", r->reps)) {
			r->cached = 1;
			cJSON_Delete(j);
			return LC_OK;
		}
#undef NUM
		cJSON_Delete(j);
	}
	if ((rc = lc_roof_dev_measure(r, b, e)) != LC_OK)
		return rc;
	if ((o = cJSON_CreateObject()) != NULL) {
		cJSON_AddNumberToObject(o, "f16_gflops", r->f16_gflops);
		cJSON_AddNumberToObject(o, "f32_gflops", r->f32_gflops);
		cJSON_AddNumberToObject(o, "k", (double)r->k);
		cJSON_AddNumberToObject(o, "n", (double)r->n);
		cJSON_AddNumberToObject(o, "t", (double)r->t);
		cJSON_AddNumberToObject(o, "reps", r->reps);
	}
	write_entry(path, r->key, o);
	return LC_OK;
}

/* ---- model costs ------------------------------------------------------ */

static int
named(const lc_tensor_info *t, const char *s)
{
	return t->namelen == strlen(s) && memcmp(t->name, s, t->namelen) == 0;
}

static int
has(const lc_tensor_info *t, const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i + n <= t->namelen; i++)
		if (memcmp(t->name + i, s, n) == 0)
			return 1;
	return 0;
}

static uint64_t
cost(const lc_gguf *g, const lc_hparams *hp, int params)
{
	lc_tensor_info t;
	uint64_t i, sum = 0, v;
	int tied = lc_gguf_find_tensor(g, "output.weight", &t) != LC_OK &&
	    hp->causal;		/* an encoder has no output matrix */

	for (i = 0; i < lc_gguf_ntensors(g); i++) {
		lc_gguf_tensor(g, i, &t);
		v = params ? t.nelem : t.nbytes;
		if (named(&t, "token_embd.weight")) {
			if (params == 2 && tied)
				sum += v;
			else if (!params)	/* a row, and the output */
				sum += (t.ne[1] ? t.nbytes / t.ne[1] : 0) +
				    (tied ? v : 0);
			continue;
		}
		if (named(&t, "position_embd.weight") ||
		    named(&t, "token_types.weight")) {
			/* an encoder's lookups: a row, no product */
			if (!params)
				sum += t.ne[1] ? t.nbytes / t.ne[1] : 0;
			continue;
		}
		if (named(&t, "output.weight")) {
			if (params != 1)
				sum += v;
			continue;
		}
		if (params == 2)
			continue;
		if (params && (t.ndim < 2 || t.ne[1] == 1))
			continue;	/* norms and biases: no products */
		if (hp->n_expert > 0 && hp->n_expert_used > 0 &&
		    has(&t, "_exps."))
			v = v / hp->n_expert * hp->n_expert_used;
		sum += v;
	}
	return sum;
}

uint64_t
lc_roof_weight_bytes(const lc_gguf *g, const lc_hparams *hp)
{
	return cost(g, hp, 0);
}

uint64_t
lc_roof_matmul_params(const lc_gguf *g, const lc_hparams *hp)
{
	return cost(g, hp, 1);
}

uint64_t
lc_roof_output_params(const lc_gguf *g, const lc_hparams *hp)
{
	return cost(g, hp, 2);
}

double
lc_roof_kv_bytes(const lc_hparams *hp, double n_kv, double kv_bytes)
{
	double sum = 0, n;
	uint32_t l;

	for (l = 0; l < hp->n_layer && l < LC_MAX_LAYERS; l++) {
		n = hp->n_swa > 0 && hp->swa_layer[l] && n_kv > hp->n_swa ?
		    hp->n_swa : n_kv;
		sum += n * hp->n_head_kv * (hp->head_dim_k + hp->head_dim_v) *
		    kv_bytes;
	}
	return sum;
}

double
lc_roof_attn_flops(const lc_hparams *hp, double n_kv)
{
	double sum = 0, n;
	uint32_t l;

	for (l = 0; l < hp->n_layer && l < LC_MAX_LAYERS; l++) {
		n = hp->n_swa > 0 && hp->swa_layer[l] && n_kv > hp->n_swa ?
		    hp->n_swa : n_kv;
		sum += 2.0 * n * hp->n_head * (hp->head_dim_k + hp->head_dim_v);
	}
	return sum;
}
