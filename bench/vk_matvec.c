/*
 * vk_matvec.c - the Vulkan backend's matrix-vector products alone, at
 * the shapes of real models: device time per product and the weight
 * bytes it streams per second, for choosing matvec.comp's workgroup
 * size, rows at a time, groups of them and variant (LC_VK_MATVEC, read
 * when the backend starts: run this once per setting;
 * bench/vk-device.sh sweep does).
 *
 * Per weight type and shape (K x N: rows of K elements, N rows) it
 * uploads enough copies of one random weight to fill MB mebibytes
 * (default 256, past a GPU's last-level cache), then times one step of
 * REPS passes over all copies, after one untimed step:
 *   dep    every product writes the same output, so each waits for the
 *          one before (a barrier between them): what a forward pass's
 *          chain of dependent products costs
 *   indep  each copy writes its own output: no barriers, the products
 *          overlap; the streaming rate
 * The activations are rounded once (the first product) and reused, as
 * Q, K and V reuse them.  One JSON line per type, shape and mode:
 *   {"cfg":"64x2","type":"q4_k","k":4096,"n":4096,"mode":"dep",
 *    "us":12.3,"gbs":765.4,"rec_us":1.9}
 * where us is wall time per product (host recording overlaps the
 * device), gbs the weight bytes per second and rec_us the host's time
 * per product until the last was recorded (the device has run the
 * parts sent so far meanwhile: an upper bound on recording).  Exit status 1 if the
 * backend cannot start or a step fails, 2 on a bad argument.
 *
 * usage: vk_matvec [-t TYPES] [-s SHAPES] [-m MB] [-r REPS]
 *   TYPES   comma-separated (default q4_k,q6_k,q8_0,q4_0,f16)
 *   SHAPES  comma-separated KxN (default 4096x4096,4096x1024,
 *           4096x14336,14336x4096: Llama-3.1-8B's)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../libcore/backend.h"
#include "../libcore/dtype.h"

#define MAX_SHAPES	16

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
usage(const char *why)
{
	fprintf(stderr, "vk_matvec: %s\nusage: vk_matvec [-t TYPES] "
	    "[-s KxN,...] [-m MB] [-r REPS]\n", why);
	exit(2);
}

static lc_tensor
tensor(uint32_t dtype, int64_t ne0, int64_t ne1, void *data)
{
	lc_tensor t;
	uint64_t ne[4] = { (uint64_t)ne0, 1, 1, 1 }, row = 0;

	memset(&t, 0, sizeof(t));
	(void)lc_dtype_nbytes(dtype, ne, &row);
	t.dtype = dtype;
	t.ne[0] = ne0;
	t.ne[1] = ne1;
	t.ne[2] = t.ne[3] = 1;
	t.row_bytes = (size_t)row;
	t.data = data;
	return t;
}

static int
fail(const char *what, const lc_err *e)
{
	fprintf(stderr, "vk_matvec: %s: %s\n", what, e->msg);
	return 1;
}

/* one type and shape on a backend of its own (weights stay until the
   backend goes): 0, or 1 on a failure (reported) */
static int
one(const char *cfg, uint32_t dtype, int64_t K, int64_t N,
    double mb, int reps)
{
	const lc_dtype_traits *d = lc_dtype(dtype);
	lc_tensor probe = tensor(dtype, K, N, NULL), tab, x, *w = NULL;
	lc_tensor *y = NULL;
	size_t wbytes = probe.row_bytes * (size_t)N, ncp, i, m;
	float *xf = malloc((size_t)K * sizeof(float));
	float *rowf = malloc((size_t)K * sizeof(float));
	char *host = NULL, *row0 = malloc(probe.row_bytes);
	int32_t id0 = 0;
	int rc = 1, mode;
	lc_backend *b = NULL;
	lc_err e;

	ncp = (size_t)(mb * 1048576.0 / (double)wbytes) + 1;
	if (xf == NULL || rowf == NULL || row0 == NULL ||
	    (host = malloc(wbytes * ncp)) == NULL ||
	    (w = calloc(ncp, sizeof(*w))) == NULL ||
	    (y = calloc(ncp, sizeof(*y))) == NULL) {
		fprintf(stderr, "vk_matvec: out of memory (%zu copies of "
		    "%zu bytes)\n", ncp, wbytes);
		goto out;
	}
	/* one random row, quantized, in every row of every copy: the
	   bytes' values do not change the speed */
	srand(7);
	for (i = 0; i < (size_t)K; i++) {
		xf[i] = (float)rand() / (float)RAND_MAX - 0.5f;
		rowf[i] = (float)rand() / (float)RAND_MAX - 0.5f;
	}
	d->from_float(rowf, row0, K);
	for (m = 0; m < (size_t)N * ncp; m++)
		memcpy(host + m * probe.row_bytes, row0, probe.row_bytes);
	if (lc_vk_backend_new(&b, 0, &e) != LC_OK) {
		b = NULL;
		rc = fail("vulkan", &e);
		goto out;
	}
	tab = tensor(LC_F32, K, 1, xf);
	if (b->ops->weight(b, &tab, &e) != LC_OK ||
	    b->ops->alloc(b, &x, K, 1, &e) != LC_OK) {
		rc = fail("input", &e);
		goto out;
	}
	for (i = 0; i < ncp; i++) {
		w[i] = tensor(dtype, K, N, host + i * wbytes);
		if (b->ops->weight(b, &w[i], &e) != LC_OK ||
		    b->ops->alloc(b, &y[i], N, 1, &e) != LC_OK) {
			rc = fail("weights", &e);
			goto out;
		}
	}
	for (mode = 0; mode < 2; mode++) {
		double t0 = 0, t1, rec = 0;
		int step, r;

		for (step = 0; step < 2; step++) {
			if (step == 1)
				t0 = now();
			b->ops->begin(b);
			b->ops->get_rows(b, &tab, &id0, 1.0f, &x);
			for (r = 0; r < reps; r++)
				for (i = 0; i < ncp; i++)
					b->ops->matmul(b, &w[i], &x, NULL,
					    &y[mode == 0 ? 0 : i]);
			rec = now() - t0;
			if (b->ops->end(b, &e) != LC_OK) {
				rc = fail("step", &e);
				goto out;
			}
		}
		t1 = now() - t0;
		printf("{\"cfg\":\"%s\",\"type\":\"%s\",\"k\":%lld,\"n\":%lld,"
		    "\"mode\":\"%s\",\"us\":%.2f,\"gbs\":%.3f,"
		    "\"rec_us\":%.2f}\n", cfg, d->name, (long long)K,
		    (long long)N, mode == 0 ? "dep" : "indep", t1 * 1e6 /
		    (double)(reps * (int)ncp), (double)wbytes * (double)(reps *
		    (int)ncp) / t1 / 1e9, rec * 1e6 / (double)(reps *
		    (int)ncp));
		fflush(stdout);
	}
	rc = 0;
out:
	if (b != NULL)
		b->ops->free(b);
	free(y);
	free(w);
	free(host);
	free(xf);
	free(rowf);
	free(row0);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *types = "q4_k,q6_k,q8_0,q4_0,f16";
	const char *shapes = "4096x4096,4096x1024,4096x14336,14336x4096";
	const char *cfg = getenv("LC_VK_MATVEC");
	long long sk[MAX_SHAPES], sn[MAX_SHAPES];
	double mb = 256;
	int reps = 4, ns = 0, c, rc = 0, k;
	char *list, *tok, *save;

	while ((c = getopt(argc, argv, "t:s:m:r:")) != -1)
		switch (c) {
		case 't': types = optarg; break;
		case 's': shapes = optarg; break;
		case 'm': mb = atof(optarg); break;
		case 'r': reps = atoi(optarg); break;
		default: usage("unknown option");
		}
	if (optind != argc || mb < 0 || reps < 1)
		usage("bad arguments");
	if ((list = strdup(shapes)) == NULL)
		return 1;
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		int n = 0;
		if (ns == MAX_SHAPES || sscanf(tok, "%lldx%lld%n", &sk[ns],
		    &sn[ns], &n) != 2 || tok[n] != '\0' || sk[ns] < 1 ||
		    sn[ns] < 1 || sk[ns] > (1 << 20) || sn[ns] > (1 << 20))
			usage("a shape is KxN, at most 16 of them");
		ns++;
	}
	free(list);
	if ((list = strdup(types)) == NULL)
		return 1;
	for (tok = strtok_r(list, ",", &save); tok != NULL && rc == 0;
	    tok = strtok_r(NULL, ",", &save)) {
		int t = lc_dtype_from_name(tok);
		if (t < 0 || lc_dtype((uint32_t)t)->from_float == NULL) {
			fprintf(stderr, "vk_matvec: %s: not a weight type we "
			    "quantize\n", tok);
			rc = 2;
			break;
		}
		for (k = 0; k < ns && rc == 0; k++) {
			if (sk[k] % lc_dtype((uint32_t)t)->blck != 0) {
				fprintf(stderr, "vk_matvec: %s: K %lld is not "
				    "a multiple of its block\n", tok, sk[k]);
				rc = 2;
				break;
			}
			rc = one(cfg != NULL && *cfg ? cfg : "64x2",
			    (uint32_t)t, sk[k], sn[k], mb, reps);
		}
	}
	free(list);
	return rc;
}
