/*
 * t_roof.c - the device compute roof of roof.c: timing a matrix product
 * through a backend's ops (the CPU backend, and Vulkan when there is a
 * device: lavapipe in CI), its errors, and its cache entry in roof.json
 * beside the CPU's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "../../libcore/backend.h"
#include "../../libcore/dtype.h"
#include "../../libcore/roof.h"
#include "check.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *s = calloc(1, 1 << 16);

	if (fp != NULL && s != NULL)
		(void)fread(s, 1, (1 << 16) - 1, fp);
	if (fp != NULL)
		fclose(fp);
	return s;
}

static void
spit(const char *path, const char *s)
{
	FILE *fp = fopen(path, "w");

	if (fp != NULL) {
		fputs(s, fp);
		fclose(fp);
	}
}

/* the measured roof of b: shape, rates, time */
static void
measure(lc_backend *b, const char *what)
{
	lc_roof_dev r;
	lc_err e;
	double t0 = now(), t;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = lc_roof_dev_measure(&r, b, &e);
	t = now() - t0;
	CHECK(rc == LC_OK, "%s: measure: %s", what, e.msg);
	CHECK(r.k >= 256 && r.k <= 4096 && r.n == r.k && r.t == 512,
	    "%s: shape %lld %lld %lld", what, (long long)r.k,
	    (long long)r.n, (long long)r.t);
	CHECK(r.reps >= 1 && r.reps <= 64, "%s: reps %d", what, r.reps);
	CHECK(r.f16_gflops > 0 && isfinite(r.f16_gflops) &&
	    r.f32_gflops > 0 && isfinite(r.f32_gflops),
	    "%s: %g %g GFLOP/s", what, r.f16_gflops, r.f32_gflops);
	/* a shape grows only while its product takes under 20 ms */
	if (r.k < 4096)
		CHECK(2.0 * r.k * r.n * r.t / (r.f16_gflops * 1e9) > 0.005,
		    "%s: stopped growing at k %lld, %g GFLOP/s", what,
		    (long long)r.k, r.f16_gflops);
	CHECK(t < 30, "%s: measuring took %.1f s", what, t);
	printf("%s: %lldx%lldx%lld x%d: f16 %.2f f32 %.2f GFLOP/s in %.2f s\n",
	    what, (long long)r.k, (long long)r.n, (long long)r.t, r.reps,
	    r.f16_gflops, r.f32_gflops, t);
}

int
main(void)
{
	char dir[] = "/tmp/t_roof.XXXXXX", path[4096], *s;
	lc_backend *b, *vb;
	lc_roof_dev r, r2;
	lc_err e;
	double secs;
	int rc;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	setenv("XDG_CACHE_HOME", dir, 1);
	if (lc_cpu_backend_new(&b, 0, &e) != LC_OK) {
		printf("FAILED cpu backend: %s\n", e.msg);
		return 1;
	}

	/* one product, timed; errors */
	rc = lc_roof_gemm(b, LC_F32, 64, 48, 16, 2, 2, &secs, &e);
	CHECK(rc == LC_OK && secs > 0, "f32 gemm: %d %g %s", rc, secs,
	    e.msg);
	rc = lc_roof_gemm(b, LC_F16, 64, 48, 16, 1, 1, &secs, &e);
	CHECK(rc == LC_OK && secs > 0, "f16 gemm: %d %g %s", rc, secs,
	    e.msg);
	rc = lc_roof_gemm(b, LC_Q4_0, 64, 48, 16, 1, 1, &secs, &e);
	CHECK(rc == LC_EUNSUP && strstr(e.msg, "q4_0") != NULL,
	    "q4_0: %d %s", rc, e.msg);
	rc = lc_roof_gemm(b, LC_F32, 0, 48, 16, 1, 1, &secs, &e);
	CHECK(rc == LC_EINVAL, "k 0: %d", rc);
	rc = lc_roof_gemm(b, LC_F32, 64, 48, 16, 0, 1, &secs, &e);
	CHECK(rc == LC_EINVAL, "0 reps: %d", rc);

	/* the cache: measured, then read back; other keys kept; a bad
	   entry measured again */
	snprintf(path, sizeof(path), "%s/llmutils", dir);
	CHECK(mkdir(path, 0755) == 0, "mkdir %s", path);
	lc_roof_path(path, sizeof(path));
	CHECK(strncmp(path, dir, strlen(dir)) == 0, "roof path %s", path);
	spit(path, "{\"Some CPU/2\":{\"threads\":2,\"bw_gbs\":1,"
	    "\"f32_gflops\":2,\"i8_gops\":3}}\n");
	rc = lc_roof_dev_get(&r, "test/cpu", b, 0, &e);
	CHECK(rc == LC_OK && !r.cached && r.f16_gflops > 0, "first get: %d "
	    "cached %d %s", rc, r.cached, e.msg);
	rc = lc_roof_dev_get(&r2, "test/cpu", b, 0, &e);
	/* as cJSON prints and reads them back: to the last bit or so */
	CHECK(rc == LC_OK && r2.cached &&
	    fabs(r2.f16_gflops / r.f16_gflops - 1) < 1e-12 &&
	    fabs(r2.f32_gflops / r.f32_gflops - 1) < 1e-12 && r2.k == r.k && r2.n == r.n &&
	    r2.t == r.t && r2.reps == r.reps && strcmp(r2.key, "test/cpu") ==
	    0, "second get: cached %d f16 %.17g %.17g f32 %.17g %.17g k %lld "
	    "%lld reps %d %d key %s", r2.cached, r2.f16_gflops, r.f16_gflops,
	    r2.f32_gflops, r.f32_gflops, (long long)r2.k, (long long)r.k,
	    r2.reps, r.reps, r2.key);
	s = slurp(path);
	CHECK(s != NULL && strstr(s, "\"Some CPU/2\"") != NULL &&
	    strstr(s, "\"test/cpu\"") != NULL, "cache file: %s", s);
	free(s);
	rc = lc_roof_dev_get(&r2, "test/cpu", b, 1, &e);
	CHECK(rc == LC_OK && !r2.cached, "refresh: cached %d", r2.cached);
	spit(path, "{\"test/cpu\":{\"f16_gflops\":-5,\"f32_gflops\":1,"
	    "\"k\":256,\"n\":256,\"t\":512,\"reps\":1}}\n");
	rc = lc_roof_dev_get(&r2, "test/cpu", b, 0, &e);
	CHECK(rc == LC_OK && !r2.cached && r2.f16_gflops > 0,
	    "bad entry: cached %d %g", r2.cached, r2.f16_gflops);
	spit(path, "not json");
	rc = lc_roof_dev_get(&r2, "test/cpu", b, 0, &e);
	CHECK(rc == LC_OK && !r2.cached, "bad file: cached %d", r2.cached);
	measure(b, "cpu");
	b->ops->free(b);

	/* Vulkan (lavapipe in CI): the same measurement on the device */
	rc = lc_vk_backend_new(&vb, 0, &e);
	if (rc == LC_EDEVICE && (strstr(e.msg, "no Vulkan device") ||
	    strstr(e.msg, "no usable Vulkan loader") ||
	    strstr(e.msg, "build has no Vulkan")))
		printf("skipped: no Vulkan device (%s)\n", e.msg);
	else {
		CHECK(rc == LC_OK, "vulkan backend: %s", e.msg);
		if (rc == LC_OK) {
			measure(vb, "vulkan");
			vb->ops->free(vb);
		}
	}

	lc_roof_path(path, sizeof(path));
	unlink(path);
	snprintf(path, sizeof(path), "%s/llmutils", dir);
	rmdir(path);
	rmdir(dir);
	return DONE("t_roof");
}
