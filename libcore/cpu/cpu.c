/*
 * cpu.c - kernel dispatch and the matrix products built on it.
 *
 * One table indexed by dtype: the scalar reference, overlaid with the
 * non-NULL entries of each SIMD level up to the chosen one.  Filled
 * once (lc_cpu_init) and read-only afterwards.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../dtype.h"
#include "../quant/blocks.h"
#include "../quant/dot.h"
#include "../quant/quant.h"
#include "../sysinfo.h"
#include "cpu.h"
#include "vec.h"

typedef struct cpu_kern {
	uint32_t	 vec_dot_type;
	lc_vec_dot_fn	 vec_dot;
	/* vec_dot on 8 columns at once, from the same level, or NULL */
	void		(*gemm8)(int n, const void *w, const void *x,
			    int64_t xs, const float *dx, const float *sx,
			    int64_t ldd, float *y, int64_t ldy);
	void		(*from_float)(const float *x, void *y, int64_t n);
	lc_kv_dot_fn	 kv_dot;
	lc_kv_axpy_fn	 kv_axpy;
} cpu_kern;

static const struct {
	const char		*name;
	unsigned		 need;		/* LC_CPU_* features */
	const lc_vec_kernels	*tab;		/* NULL: the reference only */
} levels[LC_CPU_NLEVELS] = {
	[LC_CPU_SCALAR] = { "scalar", 0, NULL },
	[LC_CPU_LEVEL_AVX2] = { "avx2", LC_CPU_AVX2, lc_vec_avx2 },
	[LC_CPU_LEVEL_AVX512] = { "avx512",
	    LC_CPU_AVX2 | LC_CPU_AVX512 | LC_CPU_VNNI, lc_vec_avx512 },
};

static cpu_kern		kern[LC_DTYPE_COUNT];
static int		cur_level = -1;
static unsigned		cpu_features;
static pthread_once_t	init_once = PTHREAD_ONCE_INIT;

/* Row tile of lc_cpu_matmul: 16 rows of 1536 Q8_0 columns are 26 KiB. */
#define MATMUL_TILE	16

static unsigned
features(void)
{
	lc_sysinfo si;

	if (lc_sysinfo_get(&si, NULL) != LC_OK)
		return 0;
	return si.features;
}

/* the reference attention kernels: f32 products summed in order */
static float
kv_dot_f32(int n, const void *vk, const float *q)
{
	const float *k = vk;
	float sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += k[i] * q[i];
	return sum;
}

static float
kv_dot_f16(int n, const void *vk, const float *q)
{
	const uint16_t *k = vk;
	float sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += lc_f16_to_f32(k[i]) * q[i];
	return sum;
}

static void
kv_axpy_f32(int n, float a, const void *vv, float *y)
{
	const float *v = vv;
	int i;

	for (i = 0; i < n; i++)
		y[i] += a * v[i];
}

static void
kv_axpy_f16(int n, float a, const void *vv, float *y)
{
	const uint16_t *v = vv;
	int i;

	for (i = 0; i < n; i++)
		y[i] += a * lc_f16_to_f32(v[i]);
}

static void
fill(int level)
{
	const lc_dtype_traits *dt;
	const lc_dot_traits *d;
	const lc_vec_kernels *v;
	uint32_t t;
	int l;

	for (t = 0; t < LC_DTYPE_COUNT; t++) {
		d = lc_dot(t);
		dt = lc_dtype(t);
		kern[t].vec_dot_type = d ? d->vec_dot_type : t;
		kern[t].vec_dot = d ? d->vec_dot : NULL;
		kern[t].gemm8 = NULL;
		kern[t].from_float = dt ? dt->from_float : NULL;
		kern[t].kv_dot = t == LC_F32 ? kv_dot_f32 : t == LC_F16 ?
		    kv_dot_f16 : NULL;
		kern[t].kv_axpy = t == LC_F32 ? kv_axpy_f32 : t == LC_F16 ?
		    kv_axpy_f16 : NULL;
		for (l = 1; l <= level; l++) {
			v = &levels[l].tab[t];
			if (v->vec_dot != NULL) {
				kern[t].vec_dot = v->vec_dot;
				kern[t].gemm8 = v->gemm8;
			}
			if (v->from_float != NULL)
				kern[t].from_float = v->from_float;
			if (v->kv_dot != NULL)
				kern[t].kv_dot = v->kv_dot;
			if (v->kv_axpy != NULL)
				kern[t].kv_axpy = v->kv_axpy;
		}
	}
	cur_level = level;
}

static int
has_level(int level)
{
	if (level < 0 || level >= LC_CPU_NLEVELS)
		return 0;
	return (cpu_features & levels[level].need) == levels[level].need;
}

static int
best_level(void)
{
	int l;

	for (l = LC_CPU_NLEVELS - 1; l > 0; l--)
		if (has_level(l))
			return l;
	return LC_CPU_SCALAR;
}

static int	set_level(int, lc_err *);

static int
do_init(lc_err *e)
{
	const char *env = getenv("LLM_CPU");
	int l;

	cpu_features = features();
	fill(best_level());
	if (env == NULL || *env == '\0')
		return LC_OK;
	for (l = 0; l < LC_CPU_NLEVELS; l++)
		if (strcmp(env, levels[l].name) == 0)
			return set_level(l, e);
	return lc_errf(e, LC_EINVAL,
	    "LLM_CPU=%s: not one of scalar, avx2, avx512", env);
}

static void
init_default(void)
{
	if (cur_level < 0)
		(void)do_init(NULL);
}

int
lc_cpu_init(lc_err *e)
{
	int rc = do_init(e);

	pthread_once(&init_once, init_default);
	return rc;
}

static int
set_level(int level, lc_err *e)
{
	if (level < 0 || level >= LC_CPU_NLEVELS)
		return lc_errf(e, LC_EINVAL, "cpu level %d: no such level",
		    level);
	if (!has_level(level))
		return lc_errf(e, LC_EUNSUP,
		    "cpu level %s: not supported by this cpu",
		    levels[level].name);
	fill(level);
	return LC_OK;
}

int
lc_cpu_set_level(int level, lc_err *e)
{
	pthread_once(&init_once, init_default);
	return set_level(level, e);
}

int
lc_cpu_has_level(int level)
{
	pthread_once(&init_once, init_default);
	return has_level(level);
}

int
lc_cpu_level(void)
{
	pthread_once(&init_once, init_default);
	return cur_level;
}

const char *
lc_cpu_level_name(int level)
{
	if (level < 0 || level >= LC_CPU_NLEVELS)
		return "unknown";
	return levels[level].name;
}

int
lc_cpu_supports(uint32_t wtype)
{
	pthread_once(&init_once, init_default);
	return wtype < LC_DTYPE_COUNT && kern[wtype].vec_dot != NULL &&
	    kern[kern[wtype].vec_dot_type].from_float != NULL;
}

uint32_t
lc_cpu_act_type(uint32_t wtype)
{
	pthread_once(&init_once, init_default);
	return kern[wtype].vec_dot_type;
}

int64_t
lc_cpu_act_bytes(uint32_t wtype, int64_t n)
{
	const lc_dtype_traits *dt = lc_dtype(lc_cpu_act_type(wtype));

	return n / dt->blck * dt->bytes;
}

int
lc_cpu_kv_kernels(uint32_t type, lc_kv_dot_fn *dot, lc_kv_axpy_fn *axpy)
{
	pthread_once(&init_once, init_default);
	if (type >= LC_DTYPE_COUNT || kern[type].kv_dot == NULL)
		return 0;
	*dot = kern[type].kv_dot;
	*axpy = kern[type].kv_axpy;
	return 1;
}

void
lc_cpu_quant_act(uint32_t wtype, const float *x, void *xq, int64_t n)
{
	pthread_once(&init_once, init_default);
	kern[kern[wtype].vec_dot_type].from_float(x, xq, n);
}

void
lc_cpu_matvec(uint32_t wtype, const void *w, int64_t row_bytes,
    int64_t ncols, const void *xq, float *y, int64_t r0, int64_t r1)
{
	lc_vec_dot_fn dot;
	const char *row = (const char *)w + r0 * row_bytes;
	int64_t r;

	pthread_once(&init_once, init_default);
	dot = kern[wtype].vec_dot;
	for (r = r0; r < r1; r++, row += row_bytes)
		dot((int)ncols, &y[r], row, xq);
}

/* floats of activation scales matmul8 keeps on its stack (64 KiB) */
#define MATMUL8_SCALES	16384

/*
 * Columns in groups of 8 through the level's gemm8 kernel.  The
 * activation blocks' scales (q8_0: d and the sum of the values; q8_1:
 * d and s) are converted to floats once, block-major ([b * cn + c]),
 * for as many columns as the stack buffer holds at a time; the weight
 * rows are walked in tiles for each such chunk.  Returns the number of
 * columns done (a multiple of 8; 0 if a row has too many blocks for
 * 8 columns' scales: the caller then does them all).
 */
static int64_t
matmul8(uint32_t wtype, const void *w, int64_t row_bytes, int64_t ncols,
    const void *xq, int64_t xq_stride, int64_t nx, float *y, int64_t ldy,
    int64_t r0, int64_t r1)
{
	uint32_t at = kern[wtype].vec_dot_type;
	int64_t nb = ncols / 32, n8 = nx / 8 * 8, b, c, c0, cn, cw, t0, t1, r;
	float sc[MATMUL8_SCALES], *dx = sc, *sx;
	const char *x;

	if (at != LC_Q8_0 && at != LC_Q8_1)	/* q8_K: scales are floats */
		nb = 0;
	cw = nb ? MATMUL8_SCALES / (2 * nb) / 8 * 8 : n8;
	if (cw == 0)
		return 0;
	for (c0 = 0; c0 < n8; c0 += cn) {
		cn = n8 - c0 < cw ? n8 - c0 : cw;
		sx = dx + nb * cn;
		x = (const char *)xq + c0 * xq_stride;
		for (c = 0; nb > 0 && c < cn; c++, x += xq_stride)
			for (b = 0; b < nb; b++) {
				if (at == LC_Q8_1) {
					const lc_block_q8_1 *q =
					    (const lc_block_q8_1 *)x + b;
					dx[b * cn + c] = lc_f16_to_f32(q->d);
					sx[b * cn + c] = lc_f16_to_f32(q->s);
				} else {
					const lc_block_q8_0 *q =
					    (const lc_block_q8_0 *)x + b;
					int k, sum = 0;

					/* for weight types stored with an
					   offset (gemm8) */
					for (k = 0; k < 32; k++)
						sum += q->qs[k];
					dx[b * cn + c] = lc_f16_to_f32(q->d);
					sx[b * cn + c] = (float)sum;
				}
			}
		for (t0 = r0; t0 < r1; t0 = t1) {
			t1 = t0 + MATMUL_TILE < r1 ? t0 + MATMUL_TILE : r1;
			x = (const char *)xq + c0 * xq_stride;
			for (c = 0; c < cn; c += 8, x += 8 * xq_stride)
				for (r = t0; r < t1; r++)
					kern[wtype].gemm8((int)ncols,
					    (const char *)w + r * row_bytes, x,
					    xq_stride, nb ? dx + c : NULL,
					    nb ? sx + c : NULL, cn,
					    &y[(c0 + c) * ldy + r], ldy);
		}
	}
	return n8;
}

void
lc_cpu_matmul(uint32_t wtype, const void *w, int64_t row_bytes,
    int64_t ncols, const void *xq, int64_t xq_stride, int64_t nx, float *y,
    int64_t ldy, int64_t r0, int64_t r1)
{
	lc_vec_dot_fn dot;
	const char *x;
	int64_t t0, t1, r, j;

	pthread_once(&init_once, init_default);
	dot = kern[wtype].vec_dot;
	if (kern[wtype].gemm8 != NULL && nx >= 8 && ncols % 32 == 0) {
		j = matmul8(wtype, w, row_bytes, ncols, xq, xq_stride, nx, y,
		    ldy, r0, r1);
		xq = (const char *)xq + j * xq_stride;
		y += j * ldy;
		nx -= j;
	}
	for (t0 = r0; t0 < r1; t0 = t1) {
		t1 = t0 + MATMUL_TILE < r1 ? t0 + MATMUL_TILE : r1;
		for (j = 0, x = xq; j < nx; j++, x += xq_stride)
			for (r = t0; r < t1; r++)
				dot((int)ncols, &y[j * ldy + r],
				    (const char *)w + r * row_bytes, x);
	}
}

void
lc_cpu_split(int64_t nrows, int ith, int nth, int64_t *r0, int64_t *r1)
{
	*r0 = nrows * ith / nth;
	*r1 = nrows * (ith + 1) / nth;
}
