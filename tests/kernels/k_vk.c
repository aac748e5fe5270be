/*
 * k_vk.c - every shader of the Vulkan backend (libcore/vk/) against the
 * CPU backend, op by op through backend.h, by NMSE (sum (y - ycpu)^2 /
 * sum ycpu^2) under a named bound per op and type; and the backend's
 * refusals (unsupported weight and cache types).
 *
 * Inputs reach the device the only way backend.h has: get_rows from an
 * f32 table (exact), so every case runs the same op sequence on both
 * backends.  Outputs are read both before end() (recorded copies) and
 * after it (model.c's order).
 *
 * With no Vulkan device at all (or a build without Vulkan) it prints
 * "skipped: no Vulkan device" and exits 0; any other failure to start
 * the backend fails.  Under AddressSanitizer (lavapipe is slow there)
 * the matrix cases run on fewer types: LC_VK_TEST_FULL=1 runs all.
 *
 * usage: k_vk [-v]	(-v: print every NMSE)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../libcore/backend.h"
#include "../../libcore/dtype.h"
#define VK_API_1_2	((1u << 22) | (2u << 12))
#include "../unit/check.h"

/*
 * Bounds, measured on lavapipe (llvmpipe, Mesa 22.3) and set about 10x
 * above what it gives, except where exactness is the point:
 *  - GET_ROWS: both dequantize each block in float in the reference's
 *    order; only a fused multiply-add in the shader can differ (~1e-15).
 *  - MATMUL_*: the shaders round the activations exactly as the CPU
 *    does (f16, or 8 bits in the weight type's vec_dot_type, with
 *    q8_1's rounded block sums for the minima of q4_1/q5_1:
 *    quant_act.comp), so only the order of the float sums differs
 *    (~1e-14 for a matvec, ~2e-13 for the tiled matmul).  Without that
 *    rounding the difference is ~1e-5 (f16: ~3e-8), and whole models
 *    drift to ~1e-2 (t_vk_model).
 *  - NORM, ADD, ACT: float vs double sums, libm vs shader exp/tanh.
 *  - ROPE: the same angles by the same repeated multiplication; cos and
 *    sin of the driver against libm, worst at large positions.
 *  - ATTN: softmax in chunks (online) vs all at once; f16 caches round
 *    identically on both (round to nearest even).
 *  - ATTN_Q8_0: the same, the cache's blocks quantized identically on
 *    both (kv_store.comp computes d, 1/d and the rounding in the CPU's
 *    float operations; measured ~1e-14).  One quant of a block one step
 *    off gives ~1e-8 and more, a cache kept unquantized ~1e-5.
 *  - POOL_MEAN: the CPU sums in double, the shader in float with
 *    Kahan's compensation (~1e-15); POOL_COPY: cls and last are copies.
 *  - MOE_ROUTE: the weights, softmax with the shader's exp and a float
 *    sum against expf and a double sum; the chosen experts must be the
 *    same.  MoE matrix products: the MATMUL_* bounds (the same rounding
 *    of the activations, the same sums); MOE_ADD: as ADD.
 */
#define MAX_NMSE_GET_ROWS	1e-12
#define MAX_NMSE_MATMUL_F32	1e-10
#define MAX_NMSE_MATMUL_F16	1e-10
#define MAX_NMSE_MATMUL_Q	1e-10
#define MAX_NMSE_NORM		1e-10
#define MAX_NMSE_ADD		1e-12
#define MAX_NMSE_ACT		1e-10
#define MAX_NMSE_ROPE		1e-9
#define MAX_NMSE_ATTN		1e-9
#define MAX_NMSE_ATTN_Q8_0	1e-9
#define MAX_NMSE_POOL_MEAN	1e-12
#define MAX_NMSE_POOL_COPY	0
#define MAX_NMSE_MOE_ROUTE	1e-10
#define MAX_NMSE_MOE_ADD	1e-12
#define MAX_NMSE_CHAIN		1e-6
#define MAX_NMSE_FUSED		1e-12

static int verbose, reduced;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static float
frand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (float)((double)(rng >> 11) / 9007199254740992.0) * 2.0f - 1.0f;
}

static float *
randv(size_t n, float scale)
{
	float *p = malloc(n * sizeof(float));
	size_t i;

	if (p == NULL) {
		fprintf(stderr, "k_vk: out of memory\n");
		exit(1);
	}
	for (i = 0; i < n; i++)
		p[i] = frand() * scale;
	return p;
}

static double
nmse(const float *a, const float *b, size_t n)
{
	double num = 0, den = 0, d;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isfinite(a[i]))
			return INFINITY;
		d = (double)a[i] - b[i];
		num += d * d;
		den += (double)b[i] * b[i];
	}
	return den > 0 ? num / den : num;
}

static void
report(const char *what, double err, double bound)
{
	CHECK(err <= bound, "%s: NMSE %.3g > %.3g", what, err, bound);
	if (verbose)
		printf("%-34s NMSE %.3g (bound %.3g)\n", what, err, bound);
}

/* the two backends: [0] CPU, [1] Vulkan */
static lc_backend *be[2];
static int32_t iota[512];	/* 0, 1, 2, ...: set by main() */

/* a weight of type dtype over host bytes data (not owned) */
static lc_tensor
wt(uint32_t dtype, int64_t ne0, int64_t ne1, const void *data)
{
	lc_tensor t;
	uint64_t ne[4] = { (uint64_t)ne0, 1, 1, 1 }, row;

	memset(&t, 0, sizeof(t));
	(void)lc_dtype_nbytes(dtype, ne, &row);
	t.dtype = dtype;
	t.ne[0] = ne0;
	t.ne[1] = ne1;
	t.ne[2] = t.ne[3] = 1;
	t.row_bytes = (size_t)row;
	t.data = (void *)data;
	return t;
}

/* an activation ne0 x ne1 on b, filled from host by get_rows of tab
   (the caller's copy of an f32 table, made a weight here) in the
   current step */
typedef struct act {
	lc_tensor	 tab, x;
} act;

static int
act_new(lc_backend *b, act *a, const float *host, int64_t ne0, int64_t ne1)
{
	lc_err e;

	a->tab = wt(0, ne0, ne1, host);
	if (b->ops->weight(b, &a->tab, &e) != LC_OK ||
	    b->ops->alloc(b, &a->x, ne0, ne1, &e) != LC_OK) {
		CHECK(0, "%s: input of %lld x %lld: %s", b->ops->name,
		    (long long)ne0, (long long)ne1, e.msg);
		return -1;
	}
	return 0;
}

static void
act_load(lc_backend *b, act *a)
{
	b->ops->get_rows(b, &a->tab, iota, 1.0f, &a->x);
}

/* out[0..ne1 * ne0) = the columns of x; read before end() when early */
static int
finish(lc_backend *b, const lc_tensor *x, float *out, int early)
{
	lc_err e;
	int64_t j;

	if (early)
		for (j = 0; j < x->ne[1]; j++)
			b->ops->read(b, x, j, out + j * x->ne[0]);
	if (b->ops->end(b, &e) != LC_OK) {
		CHECK(0, "%s: end: %s", b->ops->name, e.msg);
		return -1;
	}
	if (!early)
		for (j = 0; j < x->ne[1]; j++)
			b->ops->read(b, x, j, out + j * x->ne[0]);
	return 0;
}

static const uint32_t wtypes[] = {
	LC_F32, LC_F16, LC_Q4_0, LC_Q4_1, LC_Q5_0, LC_Q5_1, LC_Q8_0, LC_Q4_K,
	LC_Q5_K, LC_Q6_K,
};
/* the types of the test models, for the reduced run */
static const uint32_t wtypes_small[] = { LC_F32, LC_Q4_1, LC_Q4_K, LC_Q6_K };

/* host bytes of a ne0 x ne1 matrix of dtype quantized from f */
static void *
quant(uint32_t dtype, const float *f, int64_t ne0, int64_t ne1)
{
	lc_tensor t = wt(dtype, ne0, ne1, NULL);
	char *q = malloc(t.row_bytes * (size_t)ne1 + 64);
	int64_t r;

	if (q == NULL)
		exit(1);
	for (r = 0; r < ne1; r++)
		lc_dtype(dtype)->from_float(f + r * ne0, q + (size_t)r *
		    t.row_bytes, ne0);
	return q;
}

/* get_rows and matmul on weights of dtype: K x N, ncols columns */
static void
t_weight(uint32_t dtype, int64_t K, int64_t N, int ncols, int bias,
    int early)
{
	const char *tn = lc_dtype(dtype)->name;
	float *f = randv((size_t)(K * N), 0.5f), *x = randv((size_t)(K * ncols),
	    1.0f), *bv = randv((size_t)N, 1.0f);
	float *rows[2], *mm[2];
	int32_t ids[8] = { 3, 0, (int32_t)N - 1, 7, 3, 11, 5, 2 };
	void *q = quant(dtype, f, K, N);
	char what[80];
	int i, nid = 8;
	lc_err e;

	for (i = 0; i < 2; i++) {
		lc_backend *b = be[i];
		lc_tensor w = wt(dtype, K, N, q), bt = wt(LC_F32, N, 1, bv);
		lc_tensor y, r;
		act in;

		rows[i] = calloc((size_t)(K * nid), sizeof(float));
		mm[i] = calloc((size_t)(N * ncols), sizeof(float));
		if (b->ops->weight(b, &w, &e) != LC_OK ||
		    b->ops->weight(b, &bt, &e) != LC_OK ||
		    b->ops->alloc(b, &y, N, ncols, &e) != LC_OK ||
		    b->ops->alloc(b, &r, K, nid, &e) != LC_OK) {
			CHECK(0, "%s %s: %s", b->ops->name, tn, e.msg);
			return;
		}
		if (act_new(b, &in, x, K, ncols) != 0)
			return;
		b->ops->begin(b);
		act_load(b, &in);
		b->ops->get_rows(b, &w, ids, 1.0f, &r);
		b->ops->matmul(b, &w, &in.x, bias ? &bt : NULL, &y);
		if (finish(b, &y, mm[i], early) == 0) {
			b->ops->begin(b);
			b->ops->end(b, &e);
			for (int j = 0; j < nid; j++)
				b->ops->read(b, &r, j, rows[i] + j * K);
		}
		b->ops->release(b, &y);
		b->ops->release(b, &r);
		b->ops->release(b, &in.x);
	}
	snprintf(what, sizeof(what), "get_rows %s", tn);
	report(what, nmse(rows[1], rows[0], (size_t)(K * nid)),
	    MAX_NMSE_GET_ROWS);
	snprintf(what, sizeof(what), "%s %s %lldx%lld x %d%s",
	    ncols > 8 ? "matmul" : "matvec", tn, (long long)K, (long long)N,
	    ncols, bias ? " +bias" : "");
	report(what, nmse(mm[1], mm[0], (size_t)(N * ncols)),
	    dtype == LC_F32 ? MAX_NMSE_MATMUL_F32 : dtype == LC_F16 ?
	    MAX_NMSE_MATMUL_F16 : MAX_NMSE_MATMUL_Q);
	for (i = 0; i < 2; i++) {
		free(rows[i]);
		free(mm[i]);
	}
	free(f);
	free(x);
	free(bv);
	free(q);
}

/*
 * matvec.comp under other workgroup sizes, rows at a time and groups of
 * them (LC_VK_MATVEC, read when a backend starts): a second Vulkan backend
 * per setting, in be[1]'s place, on row counts that leave the last
 * workgroup partly empty.
 */
static void
t_matvec_configs(const uint32_t *types, size_t ntypes)
{
	static const char *cfg[] = { "32x1x3", "128x3", "64x8,q4_k=256x4x2",
	    "64x2x16", "q4_k=64x2x1x1", "32x3x2x1" };
	const char *old = getenv("LC_VK_MATVEC");
	char *keep = old != NULL ? strdup(old) : NULL;
	lc_backend *main_vk = be[1];
	size_t c, i;
	lc_err e;

	for (c = 0; c < sizeof(cfg) / sizeof(cfg[0]); c++) {
		setenv("LC_VK_MATVEC", cfg[c], 1);
		if (lc_vk_backend_new(&be[1], 0, &e) != LC_OK) {
			CHECK(0, "LC_VK_MATVEC=%s: %s", cfg[c], e.msg);
			continue;
		}
		if (verbose)
			printf("LC_VK_MATVEC=%s:\n", cfg[c]);
		for (i = 0; i < ntypes; i++) {
			t_weight(types[i], 512, 69, 3, (int)(i & 1), 0);
			t_weight(types[i], 256, 13, 1, 0, 1);
		}
		be[1]->ops->free(be[1]);
	}
	/* a malformed setting is refused when the backend starts */
	setenv("LC_VK_MATVEC", "64x2,q4_k=48x2", 1);
	CHECK(lc_vk_backend_new(&be[1], 0, &e) == LC_EINVAL &&
	    strstr(e.msg, "48x2") != NULL, "LC_VK_MATVEC=...48x2 accepted");
	be[1] = main_vk;
	if (keep != NULL)
		setenv("LC_VK_MATVEC", keep, 1);
	else
		unsetenv("LC_VK_MATVEC");
	free(keep);
}

enum { FU_NORM, FU_ACT, FU_ADD };

/*
 * The ops the backend fuses in generation (vk.c's held-back dispatch):
 * FU_NORM a norm (variant 0 RMS *w, 1 layer *w, 2 RMS plain) then a
 * product of its output; FU_ACT an activation in place (0 SiLU *up, 1
 * GELU) then a product of it; FU_ADD a product then the residual add
 * of its output in place (0 add, 1 scale_add; 2 into another tensor,
 * which is not fused).  Both outputs of each chain against the CPU and
 * against the same device unfused (unf: LC_VK_SYNC=1), and the
 * dispatches counted: the first op gone where it fuses.
 */
static void
t_fuse(lc_backend *unf, int op, uint32_t dtype, int64_t K, int64_t N,
    int ncols, int variant, const char *what)
{
	lc_backend *bk[3] = { be[0], be[1], unf };
	float *x = randv((size_t)(K * ncols), 2.0f), *u = randv((size_t)(K *
	    ncols), 1.0f), *w = randv((size_t)K, 1.0f), *r = randv((size_t)(N *
	    ncols), 1.0f), *f = randv((size_t)(K * N), 0.5f);
	void *q = quant(dtype, f, K, N);
	int64_t n1 = op == FU_ADD ? N : K;	/* the first op's output */
	float *y[3], *h[3];
	const char *first = op == FU_NORM ? "norm" : op == FU_ACT ? "act" :
	    "add";
	uint64_t before = 0, after = 0;
	int fused = op == FU_ADD ? variant != 2 : op == FU_NORM ?
	    (K % 256 == 0 || ncols == 1) && dtype != LC_F32 :
	    dtype != LC_F32;
	char msg[120];
	int i;
	lc_err e;

	if (ncols > 8)
		fused = 0;
	for (i = 0; i < 3; i++) {
		lc_backend *b = bk[i];
		lc_tensor W = wt(dtype, K, N, q), wn = wt(LC_F32, K, 1, w);
		lc_tensor out, mid, z;
		act ax, au, ar;

		y[i] = calloc((size_t)(N * ncols), sizeof(float));
		h[i] = calloc((size_t)(n1 * ncols), sizeof(float));
		if (b->ops->weight(b, &W, &e) != LC_OK ||
		    b->ops->weight(b, &wn, &e) != LC_OK ||
		    act_new(b, &ax, x, K, ncols) != 0 ||
		    act_new(b, &au, u, K, ncols) != 0 ||
		    act_new(b, &ar, r, N, ncols) != 0 ||
		    b->ops->alloc(b, &out, N, ncols, &e) != LC_OK ||
		    b->ops->alloc(b, &mid, n1, ncols, &e) != LC_OK ||
		    b->ops->alloc(b, &z, N, ncols, &e) != LC_OK) {
			CHECK(0, "%s: %s: set-up", b->ops->name, what);
			return;
		}
		b->ops->begin(b);
		act_load(b, &ax);
		act_load(b, &au);
		act_load(b, &ar);
		if (i == 1)
			before = lc_vk_dispatches(b, first);
		switch (op) {
		case FU_NORM:
			b->ops->norm(b, variant == 1 ? LC_NORM_LAYER :
			    LC_NORM_RMS, &ax.x, variant == 2 ? NULL : &wn,
			    NULL, 1e-5f, &mid);
			b->ops->matmul(b, &W, &mid, NULL, &out);
			break;
		case FU_ACT:
			b->ops->act(b, variant == 0 ? LC_ACT_SILU_GATE :
			    LC_ACT_GELU, &ax.x, variant == 0 ? &au.x : NULL,
			    &ax.x);
			b->ops->matmul(b, &W, &ax.x, NULL, &out);
			break;
		case FU_ADD:
			b->ops->matmul(b, &W, &ax.x, NULL, &mid);
			if (variant == 1)
				b->ops->scale_add(b, &ar.x, 0.37f, &mid,
				    &ar.x);
			else
				b->ops->add(b, &ar.x, &mid, variant == 2 ? &z :
				    &ar.x);
			break;
		}
		if (i == 1)
			after = lc_vk_dispatches(b, first);
		(void)finish(b, op == FU_ADD ? (variant == 2 ? &z : &ar.x) :
		    &out, y[i], 0);
		for (int j = 0; j < ncols; j++)
			b->ops->read(b, op == FU_ACT ? &ax.x : &mid, j,
			    h[i] + j * n1);
		b->ops->release(b, &out);
		b->ops->release(b, &mid);
		b->ops->release(b, &z);
		b->ops->release(b, &ax.x);
		b->ops->release(b, &au.x);
		b->ops->release(b, &ar.x);
	}
	CHECK((after - before == 0) == fused, "%s: %s dispatches %llu, "
	    "fusion expected: %d", what, first,
	    (unsigned long long)(after - before), fused);
	snprintf(msg, sizeof(msg), "%s: result", what);
	report(msg, nmse(y[1], y[0], (size_t)(N * ncols)), op == FU_ADD ?
	    MAX_NMSE_MATMUL_Q : MAX_NMSE_CHAIN);
	snprintf(msg, sizeof(msg), "%s: result, unfused", what);
	report(msg, nmse(y[1], y[2], (size_t)(N * ncols)), MAX_NMSE_FUSED);
	snprintf(msg, sizeof(msg), "%s: %s", what, op == FU_ADD ? "product" :
	    first);
	report(msg, nmse(h[1], h[0], (size_t)(n1 * ncols)), op == FU_NORM ?
	    MAX_NMSE_NORM : op == FU_ACT ? MAX_NMSE_ACT : MAX_NMSE_MATMUL_Q);
	snprintf(msg, sizeof(msg), "%s: %s, unfused", what, op == FU_ADD ?
	    "product" : first);
	report(msg, nmse(h[1], h[2], (size_t)(n1 * ncols)), MAX_NMSE_FUSED);
	for (i = 0; i < 3; i++) {
		free(y[i]);
		free(h[i]);
	}
	free(x);
	free(u);
	free(w);
	free(r);
	free(f);
	free(q);
}

/*
 * Generation chains around attention: n0 positions, then ntok more,
 * with the second step's fusions checked.
 *  - nrot 0, a product of the output by weights of dtype (n0 past
 *    ATTN_PART: split attention): the merge of the parts is fused into
 *    the rounding, one quant_act dispatch for both;
 *  - nrot > 0 (dtype unused), RoPE of q and of k (pairs (2i, 2i+1),
 *    frequency factors and YaRN optional) before the attention: the
 *    keys' RoPE is taken into their store, one rope dispatch for two.
 * The attention's output and the second result (the product, or the
 * turned keys) against the CPU and unfused; unfused, the dispatch
 * counted is two (the split or the RoPE happened).
 */
static void
t_gen_chain(lc_backend *unf, uint32_t kvt, uint32_t dtype, int hd,
    int nrot, int withff, int yarn, int n0, int ntok, const char *what)
{
	lc_backend *bk[3] = { be[0], be[1], unf };
	const int nh = 4, nkv = 2, N = 48;
	const char *counted = nrot > 0 ? "rope" : "quant_act";
	int64_t cells[1], Q = nh * hd, K = nkv * hd, tot = n0 + ntok;
	int64_t n2 = nrot > 0 ? K : N;	/* the second result's rows */
	float *q = randv((size_t)(Q * tot), 2.0f), *k = randv((size_t)(K *
	    tot), 2.0f), *v = randv((size_t)(K * tot), 1.0f);
	float *f = randv((size_t)(Q * N), 0.5f), *ff = randv((size_t)nrot / 2 +
	    1, 1.0f), *o[3], *r2[3];
	void *wq = quant(nrot > 0 ? LC_F32 : dtype, f, Q, N);
	int32_t *pos = malloc((size_t)tot * sizeof(int32_t));
	lc_attn_args a = { .layer = 0, .n_head = nh, .n_head_kv = nkv,
	    .head_dim = hd, .scale = 1.0f / sqrtf((float)hd) };
	lc_rope_args rq = {
		.n_head = nh, .head_dim = hd, .n_rot = nrot,
		.mode = LC_ROPE_NORM, .base = 10000.0f,
		.freq_scale = yarn ? 0.25f : 1.0f,
		.ext_factor = yarn ? 1.0f : 0.0f, .attn_factor = 1.0f,
		.beta_fast = 32.0f, .beta_slow = 1.0f, .n_ctx_orig = 4096.0f,
	}, rk;
	uint64_t c0[3] = { 0, 0, 0 }, c1[3] = { 0, 0, 0 };
	char msg[120];
	int i, s, t;
	lc_err e;

	for (i = 0; i < nrot / 2; i++)
		ff[i] = 1.0f + fabsf(ff[i]) * 4.0f;
	rq.freq_factors = withff ? ff : NULL;
	rk = rq;
	rk.n_head = nkv;
	cells[0] = tot;
	for (t = 0; t < tot; t++)
		pos[t] = t;
	for (i = 0; i < 3; i++) {
		lc_backend *b = bk[i];
		lc_tensor W = wt(nrot > 0 ? LC_F32 : dtype, Q, N, wq), out, yy;
		act aq, ak, av;

		o[i] = calloc((size_t)(Q * ntok), sizeof(float));
		r2[i] = calloc((size_t)(n2 * ntok), sizeof(float));
		if (b->ops->kv_init(b, 1, cells, K, kvt, &e) != LC_OK ||
		    b->ops->weight(b, &W, &e) != LC_OK ||
		    b->ops->alloc(b, &out, Q, n0, &e) != LC_OK ||
		    b->ops->alloc(b, &yy, N, ntok, &e) != LC_OK) {
			CHECK(0, "%s: %s: %s", b->ops->name, what, e.msg);
			return;
		}
		for (s = 0; s < 2; s++) {
			int p0 = s ? n0 : 0, nn = s ? ntok : n0;
			lc_tensor oc = out;
			if (act_new(b, &aq, q + Q * p0, Q, nn) != 0 ||
			    act_new(b, &ak, k + K * p0, K, nn) != 0 ||
			    act_new(b, &av, v + K * p0, K, nn) != 0)
				return;
			oc.ne[1] = nn;
			b->ops->begin(b);
			act_load(b, &aq);
			act_load(b, &ak);
			act_load(b, &av);
			if (s == 1)
				c0[i] = lc_vk_dispatches(b, counted);
			if (nrot > 0) {
				b->ops->rope(b, &aq.x, &rq, pos + p0);
				b->ops->rope(b, &ak.x, &rk, pos + p0);
			}
			b->ops->attention(b, &a, &aq.x, &ak.x, &av.x, pos + p0,
			    &oc);
			if (s == 0) {
				(void)b->ops->end(b, &e);
			} else {
				if (nrot == 0)
					b->ops->matmul(b, &W, &oc, NULL, &yy);
				c1[i] = lc_vk_dispatches(b, counted);
				(void)finish(b, &oc, o[i], 0);
				for (t = 0; t < ntok; t++)
					b->ops->read(b, nrot > 0 ? &ak.x : &yy,
					    t, r2[i] + t * n2);
			}
			b->ops->release(b, &aq.x);
			b->ops->release(b, &ak.x);
			b->ops->release(b, &av.x);
		}
		b->ops->release(b, &out);
		b->ops->release(b, &yy);
	}
	CHECK(c1[1] - c0[1] == 1 && c1[2] - c0[2] == 2, "%s: %s dispatches "
	    "%llu, unfused %llu, expected 1 and 2", what, counted,
	    (unsigned long long)(c1[1] - c0[1]),
	    (unsigned long long)(c1[2] - c0[2]));
	snprintf(msg, sizeof(msg), "%s: attention", what);
	report(msg, nmse(o[1], o[0], (size_t)(Q * ntok)), kvt == LC_Q8_0 ?
	    MAX_NMSE_ATTN_Q8_0 : MAX_NMSE_ATTN);
	snprintf(msg, sizeof(msg), "%s: attention, unfused", what);
	report(msg, nmse(o[1], o[2], (size_t)(Q * ntok)), MAX_NMSE_FUSED);
	snprintf(msg, sizeof(msg), "%s: %s", what, nrot > 0 ? "keys" :
	    "result");
	report(msg, nmse(r2[1], r2[0], (size_t)(n2 * ntok)), nrot > 0 ?
	    MAX_NMSE_ROPE : MAX_NMSE_CHAIN);
	snprintf(msg, sizeof(msg), "%s: %s, unfused", what, nrot > 0 ?
	    "keys" : "result");
	report(msg, nmse(r2[1], r2[2], (size_t)(n2 * ntok)), MAX_NMSE_FUSED);
	for (i = 0; i < 3; i++) {
		free(o[i]);
		free(r2[i]);
	}
	free(q);
	free(k);
	free(v);
	free(f);
	free(ff);
	free(wq);
	free(pos);
}

static void
t_fusions(const uint32_t *types, size_t ntypes)
{
	lc_backend *unf;
	char what[80];
	size_t i;
	lc_err e;

	setenv("LC_VK_SYNC", "1", 1);
	if (lc_vk_backend_new(&unf, 0, &e) != LC_OK) {
		CHECK(0, "LC_VK_SYNC=1: %s", e.msg);
		unsetenv("LC_VK_SYNC");
		return;
	}
	unsetenv("LC_VK_SYNC");
	for (i = 0; i < ntypes; i++) {
		const char *tn = lc_dtype(types[i])->name;
		snprintf(what, sizeof(what), "fuse norm rms %s 512x70 x1", tn);
		t_fuse(unf, FU_NORM, types[i], 512, 70, 1, 0, what);
		snprintf(what, sizeof(what), "fuse act silu %s 512x70 x3", tn);
		t_fuse(unf, FU_ACT, types[i], 512, 70, 3, 0, what);
		snprintf(what, sizeof(what), "fuse add %s 256x256 x1", tn);
		t_fuse(unf, FU_ADD, types[i], 256, 256, 1, 0, what);
	}
	t_fuse(unf, FU_NORM, LC_Q8_0, 256, 33, 3, 1, "fuse norm layer q8_0 x3");
	t_fuse(unf, FU_NORM, LC_Q4_1, 768, 40, 2, 2,
	    "fuse norm plain q4_1 768 x2");
	t_fuse(unf, FU_NORM, LC_F16, 256, 70, 1, 0, "fuse norm f16 x1");
	t_fuse(unf, FU_NORM, LC_Q8_0, 288, 20, 1, 0, "fuse norm 288 x1");
	t_fuse(unf, FU_NORM, LC_Q4_1, 576, 30, 1, 1, "fuse norm layer 576 x1");
	t_fuse(unf, FU_NORM, LC_Q8_0, 288, 20, 2, 0, "fuse norm 288 x2: not "
	    "fused");
	t_fuse(unf, FU_NORM, LC_Q4_K, 512, 20, 9, 0, "fuse norm x9: not fused");
	t_fuse(unf, FU_ACT, LC_Q6_K, 256, 70, 2, 1, "fuse act gelu q6_k x2");
	t_fuse(unf, FU_ACT, LC_Q4_1, 96, 70, 5, 0, "fuse act q4_1 96 x5");
	t_fuse(unf, FU_ADD, LC_Q4_K, 256, 256, 3, 1, "fuse scale_add q4_k x3");
	t_fuse(unf, FU_ADD, LC_Q8_0, 64, 100, 2, 2, "fuse add elsewhere: not "
	    "fused");
	t_gen_chain(unf, LC_F16, LC_Q4_K, 64, 0, 0, 0, 300, 1,
	    "fuse attn split f16 q4_k 300+1");
	t_gen_chain(unf, LC_Q8_0, LC_Q8_0, 64, 0, 0, 0, 200, 3,
	    "fuse attn split q8_0 q8_0 200+3");
	t_gen_chain(unf, LC_F16, 0, 64, 64, 0, 0, 20, 1, "fuse rope f16 20+1");
	t_gen_chain(unf, LC_F32, 0, 128, 96, 1, 0, 30, 3,
	    "fuse rope f32 partial +ff 30+3");
	t_gen_chain(unf, LC_Q8_0, 0, 64, 64, 1, 1, 150, 2,
	    "fuse rope q8_0 yarn +ff 150+2");
	unf->ops->free(unf);
}

enum { OP_NORM, OP_ADD, OP_SCALE_ADD, OP_ACT };

/* elementwise and per-column ops on an ne0 x n input */
static void
t_simple(int op, int kind, int withw, int withb, int bcast, int64_t ne0,
    int n, const char *what)
{
	float *x = randv((size_t)(ne0 * n), 2.0f), *c = randv((size_t)(ne0 *
	    n), 2.0f), *w = randv((size_t)ne0, 1.0f), *bv = randv((size_t)ne0,
	    1.0f), *out[2];
	double bound = op == OP_NORM ? MAX_NMSE_NORM : op == OP_ACT ?
	    MAX_NMSE_ACT : MAX_NMSE_ADD;
	int i;
	lc_err e;

	for (i = 0; i < 2; i++) {
		lc_backend *b = be[i];
		lc_tensor wt1 = wt(LC_F32, ne0, 1, w), bt = wt(LC_F32, ne0, 1, bv);
		lc_tensor y;
		act ax, ac;

		out[i] = calloc((size_t)(ne0 * n), sizeof(float));
		if (act_new(b, &ax, x, ne0, n) != 0 || act_new(b, &ac, c, ne0,
		    bcast ? 1 : n) != 0 || b->ops->weight(b, &wt1, &e) != LC_OK ||
		    b->ops->weight(b, &bt, &e) != LC_OK ||
		    b->ops->alloc(b, &y, ne0, n, &e) != LC_OK) {
			CHECK(0, "%s: %s: set-up", b->ops->name, what);
			return;
		}
		b->ops->begin(b);
		act_load(b, &ax);
		act_load(b, &ac);
		switch (op) {
		case OP_NORM:	/* in place when kind is odd */
			b->ops->norm(b, kind / 2, &ax.x, withw ? &wt1 : NULL,
			    withb ? &bt : NULL, 1e-5f, kind % 2 ? &ax.x : &y);
			break;
		case OP_ADD:
			b->ops->add(b, &ax.x, &ac.x, &y);
			break;
		case OP_SCALE_ADD:
			b->ops->scale_add(b, &ax.x, 0.37f, &ac.x, &y);
			break;
		case OP_ACT:
			b->ops->act(b, kind, &ax.x, kind == LC_ACT_GELU ||
			    kind == LC_ACT_GELU_ERF ? NULL : &ac.x, &y);
			break;
		}
		(void)finish(b, op == OP_NORM && kind % 2 ? &ax.x : &y, out[i],
		    i == 1 && (n & 1));
		b->ops->release(b, &y);
		b->ops->release(b, &ax.x);
		b->ops->release(b, &ac.x);
	}
	report(what, nmse(out[1], out[0], (size_t)(ne0 * n)), bound);
	free(out[0]);
	free(out[1]);
	free(x);
	free(c);
	free(w);
	free(bv);
}

static void
t_rope(int mode, int hd, int nrot, int withff, int yarn, int32_t p0,
    const char *what)
{
	int nh = 3, n = 5, i, t;
	float *x = randv((size_t)(hd * nh * n), 1.0f), *ff = randv((size_t)nrot
	    / 2, 1.0f), *out[2];
	int32_t pos[5];
	lc_rope_args r = {
		.n_head = nh, .head_dim = hd, .n_rot = nrot, .mode = mode,
		.base = 10000.0f, .freq_scale = yarn ? 0.25f : 1.0f,
		.ext_factor = yarn ? 1.0f : 0.0f, .attn_factor = 1.0f,
		.beta_fast = 32.0f, .beta_slow = 1.0f, .n_ctx_orig = 4096.0f,
	};

	for (i = 0; i < nrot / 2; i++)
		ff[i] = 1.0f + fabsf(ff[i]) * 4.0f;
	r.freq_factors = withff ? ff : NULL;
	for (t = 0; t < n; t++)
		pos[t] = p0 + t * 7;
	for (i = 0; i < 2; i++) {
		lc_backend *b = be[i];
		act ax;

		out[i] = calloc((size_t)(hd * nh * n), sizeof(float));
		if (act_new(b, &ax, x, (int64_t)hd * nh, n) != 0)
			return;
		b->ops->begin(b);
		act_load(b, &ax);
		b->ops->rope(b, &ax.x, &r, pos);
		(void)finish(b, &ax.x, out[i], 0);
		b->ops->release(b, &ax.x);
	}
	report(what, nmse(out[1], out[0], (size_t)(hd * nh * n)),
	    MAX_NMSE_ROPE);
	free(out[0]);
	free(out[1]);
	free(x);
	free(ff);
}

/*
 * Attention over two steps (a prompt of n0 tokens, then n1 more at the
 * following positions) with n_head/n_kv heads of hd and window n_swa
 * (the layer a ring of n_swa + n0 cells then); layer 1 of 2.  The
 * cache's rows are wide more values than the layer's K (gemma4's
 * narrower layers fill the start of each row).
 */
static void
t_attn(uint32_t kvt, int nh, int nkv, int hd, int n_swa, int n0, int n1,
    int wide, const char *what)
{
	int64_t cells[2] = { 64, 64 };
	int64_t Q = (int64_t)nh * hd, K = (int64_t)nkv * hd, tot = n0 + n1;
	float *q = randv((size_t)(Q * tot), 2.0f), *k = randv((size_t)(K * tot),
	    2.0f), *v = randv((size_t)(K * tot), 1.0f);
	float *out[2];
	int32_t pos[1024];
	int i, s, t;
	lc_err e;
	lc_attn_args a = { .layer = 1, .n_head = nh, .n_head_kv = nkv,
	    .head_dim = hd, .n_swa = n_swa, .scale = 1.0f / sqrtf((float)hd) };

	if (n_swa > 0)
		cells[1] = n_swa + (n0 > n1 ? n0 : n1);
	else if (tot > 64)
		cells[1] = tot;
	for (i = 0; i < 2; i++) {
		lc_backend *b = be[i];
		act aq, ak, av;
		lc_tensor o;

		out[i] = calloc((size_t)(Q * tot), sizeof(float));
		if (b->ops->kv_init(b, 2, cells, K + wide, kvt, &e) != LC_OK ||
		    b->ops->alloc(b, &o, Q, n0, &e) != LC_OK) {
			CHECK(0, "%s: %s: %s", b->ops->name, what, e.msg);
			return;
		}
		for (s = 0; s < 2; s++) {
			int p0 = s ? n0 : 0, nn = s ? n1 : n0;
			lc_tensor oc = o;
			if (act_new(b, &aq, q + Q * p0, Q, nn) != 0 ||
			    act_new(b, &ak, k + K * p0, K, nn) != 0 ||
			    act_new(b, &av, v + K * p0, K, nn) != 0)
				return;
			for (t = 0; t < nn; t++)
				pos[t] = p0 + t;
			oc.ne[1] = nn;
			b->ops->begin(b);
			act_load(b, &aq);
			act_load(b, &ak);
			act_load(b, &av);
			b->ops->attention(b, &a, &aq.x, &ak.x, &av.x, pos, &oc);
			(void)finish(b, &oc, out[i] + Q * p0, s);
			b->ops->release(b, &aq.x);
			b->ops->release(b, &ak.x);
			b->ops->release(b, &av.x);
		}
		b->ops->release(b, &o);
	}
	report(what, nmse(out[1], out[0], (size_t)(Q * tot)), kvt == LC_Q8_0 ?
	    MAX_NMSE_ATTN_Q8_0 : MAX_NMSE_ATTN);
	free(out[0]);
	free(out[1]);
	free(q);
	free(k);
	free(v);
}

/*
 * Attention over whole sequences (lc_attn_args.seq: k and v of the
 * batch, no cache): the sequences of lens[0..ns) side by side, causal
 * (by position, not column: rev gives each sequence its positions in
 * reverse column order, so a token's first chunks of keys can be all
 * masked) or not.
 */
static void
t_attn_seq(int nh, int nkv, int hd, const int *lens, int ns, int noncausal,
    int rev, const char *what)
{
	int64_t Q = (int64_t)nh * hd, K = (int64_t)nkv * hd, n = 0;
	int32_t pos[512], seq[512];
	float *q, *k, *v, *out[2];
	int i, s, t;
	lc_attn_args a = { .layer = 0, .n_head = nh, .n_head_kv = nkv,
	    .head_dim = hd, .scale = 1.0f / sqrtf((float)hd), .seq = seq,
	    .non_causal = noncausal };

	for (s = 0; s < ns; s++)
		for (t = 0; t < lens[s] && n < 512; t++, n++) {
			pos[n] = rev ? lens[s] - 1 - t : t;
			seq[n] = s;
		}
	q = randv((size_t)(Q * n), 2.0f);
	k = randv((size_t)(K * n), 2.0f);
	v = randv((size_t)(K * n), 1.0f);
	for (i = 0; i < 2; i++) {
		lc_backend *b = be[i];
		act aq, ak, av;
		lc_tensor o;
		lc_err e;

		out[i] = calloc((size_t)(Q * n), sizeof(float));
		if (b->ops->alloc(b, &o, Q, n, &e) != LC_OK ||
		    act_new(b, &aq, q, Q, n) != 0 ||
		    act_new(b, &ak, k, K, n) != 0 ||
		    act_new(b, &av, v, K, n) != 0) {
			CHECK(0, "%s: %s: set-up", b->ops->name, what);
			return;
		}
		b->ops->begin(b);
		act_load(b, &aq);
		act_load(b, &ak);
		act_load(b, &av);
		b->ops->attention(b, &a, &aq.x, &ak.x, &av.x, pos, &o);
		(void)finish(b, &o, out[i], 0);
		b->ops->release(b, &aq.x);
		b->ops->release(b, &ak.x);
		b->ops->release(b, &av.x);
		b->ops->release(b, &o);
	}
	report(what, nmse(out[1], out[0], (size_t)(Q * n)), MAX_NMSE_ATTN);
	free(out[0]);
	free(out[1]);
	free(q);
	free(k);
	free(v);
}

/*
 * The pool op: the sequences of lens[0..ns) side by side in x of ne0
 * rows (plus two columns after them no sequence has), pooled into the
 * first ns of ns + 1 columns, on both backends; the CPU's also against
 * the sums done here (the same double sums: identical).
 */
static void
t_pool(int kind, int64_t ne0, const int *lens, int ns, const char *what)
{
	int64_t n = 2, c, r;
	int32_t start[65];
	float *x, *out[2], *ref;
	double sum;
	int i, s;

	start[0] = 0;
	for (s = 0; s < ns && s < 64; s++) {
		start[s + 1] = start[s] + lens[s];
		n += lens[s];
	}
	x = randv((size_t)(ne0 * n), 3.0f);
	ref = calloc((size_t)(ne0 * ns), sizeof(float));
	for (s = 0; ref != NULL && s < ns; s++)
		for (r = 0; r < ne0; r++) {
			for (sum = 0, c = start[s]; c < start[s + 1]; c++)
				sum += (double)x[c * ne0 + r];
			ref[s * ne0 + r] = kind == LC_POOL_CLS ? x[start[s] *
			    ne0 + r] : kind == LC_POOL_LAST ? x[(start[s + 1] -
			    1) * ne0 + r] : (float)(sum / lens[s]);
		}
	for (i = 0; i < 2; i++) {
		lc_backend *b = be[i];
		act ax;
		lc_tensor y, yv;
		lc_err e;

		out[i] = calloc((size_t)(ne0 * ns), sizeof(float));
		if (out[i] == NULL || ref == NULL || act_new(b, &ax, x, ne0,
		    n) != 0 || b->ops->alloc(b, &y, ne0, ns + 1, &e) != LC_OK) {
			CHECK(0, "%s: %s: set-up", b->ops->name, what);
			return;
		}
		b->ops->begin(b);
		act_load(b, &ax);
		b->ops->pool(b, kind, &ax.x, start, ns, &y);
		yv = y;
		yv.ne[1] = ns;
		(void)finish(b, &yv, out[i], i);
		b->ops->release(b, &ax.x);
		b->ops->release(b, &y);
	}
	CHECK(memcmp(out[0], ref, (size_t)(ne0 * ns) * sizeof(float)) == 0,
	    "%s: the CPU's pool differs from the double sums", what);
	report(what, nmse(out[1], out[0], (size_t)(ne0 * ns)), kind ==
	    LC_POOL_MEAN ? MAX_NMSE_POOL_MEAN : MAX_NMSE_POOL_COPY);
	free(out[0]);
	free(out[1]);
	free(ref);
	free(x);
}

/*
 * Mixture of experts.  moe_route on ne experts' logits of n tokens
 * whose first columns are ties with a known choice (all equal: experts
 * 0 .. nu-1; 6 and 3 equal and largest: 3, then 6; 9, 1 and 4 equal
 * and largest: 1, 4, then 9), the rest random: both backends must choose
 * the same experts everywhere, the CPU the known ones, and the weights
 * agree within MAX_NMSE_MOE_ROUTE.  Then, with the CPU's selection
 * loaded on both, moe_matmul on a stack of ne experts of dtype (K x N)
 * with x per token and per (slot, token), and moe_add.
 */
static void
t_moe(uint32_t dtype, int64_t K, int64_t N, int ne, int nu, int n)
{
	const char *tn = lc_dtype(dtype)->name;
	float *lg = randv((size_t)ne * (size_t)n, 3.0f);
	float *f = randv((size_t)(K * N) * (size_t)ne, 0.5f);
	float *x1 = randv((size_t)(K * n), 1.0f);
	float *x2 = randv((size_t)(K * n * nu), 1.0f);
	float *a = randv((size_t)(N * n), 1.0f);
	float *c = randv((size_t)(N * n * nu), 1.0f);
	float *sel[2], *y1[2], *y2[2], *out[2];
	void *q = quant(dtype, f, K, N * ne);
	size_t ns = (size_t)(2 * nu * n), i, nbad = 0;
	double wn = 0, wd = 0, d;
	char what[96];
	int k, s, t;
	lc_err e;

	for (k = 0; k < ne; k++) {
		lg[k] = 0.25f;
		if (n > 1)
			lg[ne + k] = k == 3 || k == 6 ? 7.0f : lg[ne + k];
		if (n > 2)
			lg[2 * ne + k] = k == 9 || k == 1 || k == 4 ? 7.0f :
			    lg[2 * ne + k];
	}
	for (k = 0; k < 2; k++) {
		lc_backend *b = be[k];
		lc_tensor w = wt(dtype, K, N, q), ts, ty1, ty2, tout;
		act al, as, ax1, ax2, aa, ac;

		w.ne[2] = ne;
		sel[k] = calloc(ns, sizeof(float));
		y1[k] = calloc((size_t)(N * n * nu), sizeof(float));
		y2[k] = calloc((size_t)(N * n * nu), sizeof(float));
		out[k] = calloc((size_t)(N * n), sizeof(float));
		if (b->ops->moe_route == NULL || b->ops->moe_matmul == NULL ||
		    b->ops->moe_add == NULL) {
			CHECK(0, "%s: no mixture-of-experts ops", b->ops->name);
			return;
		}
		/* routing */
		if (act_new(b, &al, lg, ne, n) != 0 || b->ops->alloc(b, &ts,
		    2 * nu, n, &e) != LC_OK) {
			CHECK(0, "%s: moe set-up: %s", b->ops->name, e.msg);
			return;
		}
		b->ops->begin(b);
		act_load(b, &al);
		b->ops->moe_route(b, &al.x, nu, &ts);
		(void)finish(b, &ts, sel[k], k);
		b->ops->release(b, &al.x);
		b->ops->release(b, &ts);
		/* the products and the sum, on the CPU's selection */
		if (b->ops->weight(b, &w, &e) != LC_OK ||
		    act_new(b, &as, sel[0], 2 * nu, n) != 0 ||
		    act_new(b, &ax1, x1, K, n) != 0 ||
		    act_new(b, &ax2, x2, K, (int64_t)nu * n) != 0 ||
		    act_new(b, &aa, a, N, n) != 0 ||
		    act_new(b, &ac, c, N, (int64_t)nu * n) != 0 ||
		    b->ops->alloc(b, &ty1, N, (int64_t)nu * n, &e) != LC_OK ||
		    b->ops->alloc(b, &ty2, N, (int64_t)nu * n, &e) != LC_OK ||
		    b->ops->alloc(b, &tout, N, n, &e) != LC_OK) {
			CHECK(0, "%s: moe %s set-up: %s", b->ops->name, tn,
			    e.msg);
			return;
		}
		b->ops->begin(b);
		act_load(b, &as);
		act_load(b, &ax1);
		act_load(b, &ax2);
		act_load(b, &aa);
		act_load(b, &ac);
		b->ops->moe_matmul(b, &w, &as.x, &ax1.x, &ty1);
		b->ops->moe_matmul(b, &w, &as.x, &ax2.x, &ty2);
		b->ops->moe_add(b, &aa.x, &as.x, &ac.x, &tout);
		if (finish(b, &ty1, y1[k], 0) == 0) {
			b->ops->begin(b);
			(void)finish(b, &ty2, y2[k], 1);
			b->ops->begin(b);
			(void)finish(b, &tout, out[k], 1);
		}
		b->ops->release(b, &as.x);
		b->ops->release(b, &ax1.x);
		b->ops->release(b, &ax2.x);
		b->ops->release(b, &aa.x);
		b->ops->release(b, &ac.x);
		b->ops->release(b, &ty1);
		b->ops->release(b, &ty2);
		b->ops->release(b, &tout);
	}
	/* the choices: the same; the ties' the lower numbers */
	for (t = 0; t < n; t++)
		for (s = 0; s < nu; s++) {
			i = (size_t)(2 * nu * t + s);
			nbad += sel[0][i] != sel[1][i];
			d = (double)sel[1][i + (size_t)nu] - sel[0][i + (size_t)nu];
			wn += d * d;
			wd += (double)sel[0][i + (size_t)nu] *
			    sel[0][i + (size_t)nu];
		}
	CHECK(nbad == 0, "moe route %d of %d x %d: %zu choices differ", nu,
	    ne, n, nbad);
	for (s = 0; s < nu && ne >= 10; s++) {
		CHECK(sel[0][s] == (float)s, "moe route: all equal, slot %d: "
		    "expert %g", s, (double)sel[0][s]);
		if (n > 1 && s < 2)
			CHECK(sel[0][2 * nu + s] == (s ? 6.0f : 3.0f), "moe "
			    "route: 3 = 6 largest, slot %d: expert %g", s,
			    (double)sel[0][2 * nu + s]);
		if (n > 2 && s < 3)
			CHECK(sel[0][4 * nu + s] == (float)(s == 0 ? 1 : s == 1 ?
			    4 : 9), "moe route: 1 = 4 = 9 largest, slot %d: "
			    "expert %g", s, (double)sel[0][4 * nu + s]);
	}
	snprintf(what, sizeof(what), "moe route %d of %d x %d", nu, ne, n);
	report(what, wd > 0 ? wn / wd : wn, MAX_NMSE_MOE_ROUTE);
	snprintf(what, sizeof(what), "moe matmul %s %lldx%lld x%d, x per token",
	    tn, (long long)K, (long long)N, ne);
	report(what, nmse(y1[1], y1[0], (size_t)(N * n * nu)),
	    dtype == LC_F32 ? MAX_NMSE_MATMUL_F32 : dtype == LC_F16 ?
	    MAX_NMSE_MATMUL_F16 : MAX_NMSE_MATMUL_Q);
	snprintf(what, sizeof(what), "moe matmul %s %lldx%lld x%d, x per slot",
	    tn, (long long)K, (long long)N, ne);
	report(what, nmse(y2[1], y2[0], (size_t)(N * n * nu)),
	    dtype == LC_F32 ? MAX_NMSE_MATMUL_F32 : dtype == LC_F16 ?
	    MAX_NMSE_MATMUL_F16 : MAX_NMSE_MATMUL_Q);
	snprintf(what, sizeof(what), "moe add %d slots x %d", nu, n);
	report(what, nmse(out[1], out[0], (size_t)(N * n)), MAX_NMSE_MOE_ADD);
	for (k = 0; k < 2; k++) {
		free(sel[k]);
		free(y1[k]);
		free(y2[k]);
		free(out[k]);
	}
	free(lg);
	free(f);
	free(x1);
	free(x2);
	free(a);
	free(c);
	free(q);
}

/*
 * A stack of q8_0 experts larger than lavapipe's 128 MiB binding limit
 * (random blocks, not quantized from floats): 9 experts of 4096 x 4096,
 * expert 7 straddling the first binding's end and 8 past it.
 */
static void
t_moe_big(void)
{
	const int64_t K = 4096, N = 4096, ne = 9;
	const int nu = 2, n = 2;
	lc_tensor w = wt(LC_Q8_0, K, N, NULL);
	size_t nb = w.row_bytes * (size_t)(N * ne), i;
	float sl[8] = { 8, 0, 0.75f, 0.25f, 7, 8, 0.5f, 0.5f };
	float *x = randv((size_t)(K * n), 1.0f), *y[2];
	unsigned char *q = malloc(nb + 64);
	int k;
	lc_err e;

	if (q == NULL || x == NULL) {
		CHECK(0, "moe big: out of memory");
		return;
	}
	/* |f16 d ~ 0.0039|32 x int8| */
	for (i = 0; i < nb; i += 34) {
		q[i] = 0x1c;
		q[i + 1] = 0x1c;
		for (k = 2; k < 34; k++)
			q[i + (size_t)k] = (unsigned char)(int)(frand() * 127.0f);
	}
	w.data = q;
	w.ne[2] = ne;
	for (k = 0; k < 2; k++) {
		lc_backend *b = be[k];
		lc_tensor ty;
		act as, ax;

		y[k] = calloc((size_t)(N * n * nu), sizeof(float));
		if (b->ops->weight(b, &w, &e) != LC_OK ||
		    act_new(b, &as, sl, 2 * nu, n) != 0 ||
		    act_new(b, &ax, x, K, n) != 0 ||
		    b->ops->alloc(b, &ty, N, (int64_t)nu * n, &e) != LC_OK) {
			CHECK(0, "%s: moe big set-up: %s", b->ops->name, e.msg);
			return;
		}
		b->ops->begin(b);
		act_load(b, &as);
		act_load(b, &ax);
		b->ops->moe_matmul(b, &w, &as.x, &ax.x, &ty);
		(void)finish(b, &ty, y[k], 0);
		b->ops->release(b, &as.x);
		b->ops->release(b, &ax.x);
		b->ops->release(b, &ty);
	}
	report("moe matmul q8_0 stack of 153 MiB", nmse(y[1], y[0],
	    (size_t)(N * n * nu)), MAX_NMSE_MATMUL_Q);
	free(y[0]);
	free(y[1]);
	free(x);
	free(q);
}

/* lc_vk_device_info: the facts present, a bandwidth measured; a device
   that does not exist refused */
static void
t_info(void)
{
	lc_vk_info in;
	lc_err e;
	int rc;

	if ((rc = lc_vk_device_info(0, &in, &e)) != LC_OK) {
		CHECK(0, "lc_vk_device_info: %s", e.msg);
		return;
	}
	CHECK(in.name[0] != '\0' && in.driver[0] != '\0' &&
	    in.type[0] != '\0', "device info: name '%s', driver '%s', type "
	    "'%s'", in.name, in.driver, in.type);
	CHECK(in.api_version >= VK_API_1_2 && in.mem_bytes > 0,
	    "device info: API %#x, %llu bytes", (unsigned)in.api_version,
	    (unsigned long long)in.mem_bytes);
	/* a copy between 1 MB/s and 100 TB/s: a real measurement */
	CHECK(isfinite(in.bandwidth) && in.bandwidth > 1e6 &&
	    in.bandwidth < 1e14 && in.bw_bytes >= ((uint64_t)16 << 20),
	    "device info: bandwidth %g B/s over %llu bytes", in.bandwidth,
	    (unsigned long long)in.bw_bytes);
	printf("device: %s (%s; %s %s; Vulkan %u.%u.%u; %.1f GiB); copy "
	    "bandwidth %.1f GB/s over 2 x %llu MiB\n", in.name, in.type,
	    in.driver, in.driver_info, in.api_version >> 22,
	    (in.api_version >> 12) & 0x3ff, in.api_version & 0xfff,
	    (double)in.mem_bytes / (1 << 30), in.bandwidth / 1e9,
	    (unsigned long long)(in.bw_bytes >> 20));
	CHECK(lc_vk_device_info(4096, &in, &e) == LC_EDEVICE &&
	    strstr(e.msg, "no device 4096") != NULL, "device 4096: %s", e.msg);
}

/* what the backend refuses, with the right code */
static void
t_refusals(void)
{
	lc_backend *b = be[1];
	int64_t cells[1] = { 16 };
	static char blk[84 * 4];
	lc_tensor w;
	lc_err e;

	CHECK(b->ops->kv_init(b, 1, cells, 64, LC_Q4_0, &e) == LC_EUNSUP &&
	    strstr(e.msg, "q4_0") != NULL, "q4_0 KV cache: %s", e.msg);
	CHECK(b->ops->kv_init(b, 1, cells, 48, LC_Q8_0, &e) == LC_EINVAL,
	    "q8_0 KV rows of 48 accepted");
	w = wt(LC_Q2_K, 256, 4, blk);
	CHECK(b->ops->weight(b, &w, &e) == LC_EUNSUP &&
	    strstr(e.msg, "q2_k") != NULL, "q2_k weights: %s", e.msg);
}

int
main(int argc, char **argv)
{
	const char *full = getenv("LC_VK_TEST_FULL");
	const uint32_t *types = wtypes;
	size_t ntypes = sizeof(wtypes) / sizeof(wtypes[0]), i;
	struct timespec t0, t1;
	lc_err e;
	int rc;

	verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	for (i = 0; i < sizeof(iota) / sizeof(iota[0]); i++)
		iota[i] = (int32_t)i;
#if defined(__SANITIZE_ADDRESS__)
	reduced = 1;
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
	reduced = 1;
#endif
#endif
	if (full != NULL && strcmp(full, "1") == 0)
		reduced = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = lc_vk_backend_new(&be[1], 0, &e)) != LC_OK) {
		if (rc == LC_EDEVICE && (strstr(e.msg, "no Vulkan device") ||
		    strstr(e.msg, "no usable Vulkan loader") ||
		    strstr(e.msg, "build has no Vulkan"))) {
			printf("skipped: no Vulkan device (%s)\n", e.msg);
			return 0;
		}
		printf("FAILED vulkan backend: %s\n", e.msg);
		return 1;
	}
	if (lc_cpu_backend_new(&be[0], 1, &e) != LC_OK) {
		printf("FAILED cpu backend: %s\n", e.msg);
		return 1;
	}
	if (reduced) {
		types = wtypes_small;
		ntypes = sizeof(wtypes_small) / sizeof(wtypes_small[0]);
	}
	for (i = 0; i < ntypes; i++) {
		t_weight(types[i], 512, 70, 1, 0, (int)(i & 1));
		t_weight(types[i], 512, 70, 3, 1, 0);
		t_weight(types[i], 512, 70, 37, (int)(i & 1), 1);
		/* an odd row count (matvec.comp's last workgroup has one
		   row) and 6 columns (two passes of 4) */
		t_weight(types[i], 256, 71, 6, (int)(i & 1), 0);
	}
	/* float rows whose length is not a multiple of 8 (gemma4's
	   per-layer inputs) */
	t_weight(LC_F32, 4, 70, 3, 1, 0);
	t_weight(LC_F16, 12, 70, 37, 0, 1);
	/* columns 18 floats apart: x read one float at a time */
	t_weight(LC_F32, 18, 71, 5, 1, 0);
	t_matvec_configs(types, ntypes);
	t_fusions(types, ntypes);
	t_simple(OP_NORM, 2, 1, 1, 0, 4, 40, "norm layer *w +b rows of 4");
	t_simple(OP_NORM, 0, 1, 0, 0, 576, 3, "norm rms *w");
	t_simple(OP_NORM, 1, 1, 0, 0, 64, 9, "norm rms *w in place");
	t_simple(OP_NORM, 2, 1, 1, 0, 384, 4, "norm layer *w +b");
	t_simple(OP_NORM, 2, 0, 0, 0, 100, 2, "norm layer plain");
	t_simple(OP_ADD, 0, 0, 0, 0, 576, 3, "add");
	t_simple(OP_ADD, 0, 0, 0, 1, 300, 4, "add broadcast");
	t_simple(OP_SCALE_ADD, 0, 0, 0, 0, 576, 3, "scale_add");
	t_simple(OP_SCALE_ADD, 0, 0, 0, 1, 70, 5, "scale_add broadcast");
	t_simple(OP_ACT, LC_ACT_SILU_GATE, 0, 0, 0, 1536, 3, "act silu*gate");
	t_simple(OP_ACT, LC_ACT_GELU_GATE, 0, 0, 0, 2048, 2, "act gelu*gate");
	t_simple(OP_ACT, LC_ACT_GELU, 0, 0, 0, 1000, 3, "act gelu");
	t_simple(OP_ACT, LC_ACT_GELU_ERF, 0, 0, 0, 1536, 3, "act gelu erf");
	t_rope(LC_ROPE_NORM, 64, 64, 0, 0, 0, "rope normal");
	t_rope(LC_ROPE_NEOX, 256, 256, 0, 0, 3, "rope neox");
	t_rope(LC_ROPE_NORM, 128, 96, 1, 0, 100, "rope normal partial +ff");
	t_rope(LC_ROPE_NEOX, 64, 64, 0, 1, 4000, "rope neox yarn pos 4000");
	t_attn(LC_F16, 4, 2, 64, 0, 20, 1, 0, "attn f16 gqa 20+1");
	t_attn(LC_F32, 9, 3, 64, 0, 17, 3, 0, "attn f32 gqa 17+3");
	t_attn(LC_F16, 4, 1, 256, 0, 9, 1, 0, "attn f16 hd256 9+1");
	t_attn(LC_F16, 2, 2, 64, 8, 12, 10, 0, "attn f16 window 8 ring 12+10");
	t_attn(LC_F32, 2, 1, 32, 40, 64, 64, 0,
	    "attn f32 window 40 ring 64+64");
	t_attn(LC_F16, 4, 2, 32, 0, 11, 2, 64, "attn f16 rows 64 of 128");
	t_attn(LC_F32, 4, 1, 64, 6, 9, 3, 128,
	    "attn f32 window 6 rows 64 of 192");
	t_attn(LC_Q8_0, 4, 2, 64, 0, 20, 1, 0, "attn q8_0 gqa 20+1");
	t_attn(LC_Q8_0, 9, 3, 32, 0, 17, 3, 0, "attn q8_0 gqa hd32 17+3");
	t_attn(LC_Q8_0, 4, 1, 256, 0, 9, 1, 0, "attn q8_0 hd256 9+1");
	t_attn(LC_Q8_0, 2, 2, 64, 8, 12, 10, 0,
	    "attn q8_0 window 8 ring 12+10");
	t_attn(LC_Q8_0, 2, 1, 32, 40, 64, 64, 0,
	    "attn q8_0 window 40 ring 64+64");
	t_attn(LC_Q8_0, 4, 2, 32, 0, 11, 2, 64, "attn q8_0 rows 64 of 128");
	/* generation over more than 128 positions: split (attn.comp's
	   nsplit), merged by quant_act.comp's pre 3 */
	t_attn(LC_F16, 4, 2, 64, 0, 300, 1, 0, "attn f16 split 300+1");
	t_attn(LC_F32, 2, 1, 128, 0, 500, 3, 0, "attn f32 split 500+3");
	t_attn(LC_Q8_0, 4, 2, 64, 0, 260, 2, 0, "attn q8_0 split 260+2");
	t_attn(LC_F16, 2, 2, 64, 200, 300, 2, 0,
	    "attn f16 window 200 split 300+2");
	t_attn(LC_Q8_0, 1, 1, 32, 6, 9, 3, 32,
	    "attn q8_0 window 6 rows 32 of 64");
	t_pool(LC_POOL_MEAN, 384, (const int[]){ 7, 1, 12, 5 }, 4,
	    "pool mean 7,1,12,5");
	t_pool(LC_POOL_MEAN, 70, (const int[]){ 300 }, 1, "pool mean 300");
	t_pool(LC_POOL_CLS, 384, (const int[]){ 3, 9, 1 }, 3, "pool cls 3,9,1");
	t_pool(LC_POOL_LAST, 100, (const int[]){ 1, 16, 2 }, 3,
	    "pool last 1,16,2");
	t_attn_seq(12, 12, 32, (const int[]){ 7, 1, 12, 5 }, 4, 1, 0,
	    "attn seq non-causal 7,1,12,5");
	t_attn_seq(4, 2, 64, (const int[]){ 9, 3 }, 2, 0, 0,
	    "attn seq causal gqa 9,3");
	t_attn_seq(2, 1, 32, (const int[]){ 150, 40 }, 2, 0, 1,
	    "attn seq causal reversed 150,40");
	t_attn_seq(2, 2, 64, (const int[]){ 140 }, 1, 1, 0,
	    "attn seq non-causal 140");
	for (i = 0; i < ntypes; i++)
		t_moe(types[i], 256, 48, 16, 4, 5);
	t_moe(LC_Q8_0, 256, 64, 16, 3, 3);
	t_moe(LC_Q8_0, 256, 64, 8, 2, 1);
	t_moe(LC_F32, 64, 16, 128, 8, 37);
	t_moe_big();
	t_info();
	t_refusals();
	be[0]->ops->free(be[0]);
	be[1]->ops->free(be[1]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%s%.1f s\n", reduced ? "reduced set (sanitizer), " : "",
	    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec -
	    t0.tv_nsec) / 1e9);
	return DONE("k_vk");
}
