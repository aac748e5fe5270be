/*
 * t_models - dequantize every tensor of the real test models with
 * libcore and compare with the gguf Python package's dequantizer
 * (goldens: tests/oracle/dequant_models.py), bit for bit, by sha256 of
 * the float32 values.
 *
 * usage: t_models MODELS_DIR GOLDEN_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "../../libcore/dtype.h"
#include "../../libcore/gguf.h"
#include "check.h"

static const char *const models[] = {
	"SmolLM2-135M-Instruct.Q4_1.gguf",
	"gemma-3-270m-q4_k_m.gguf",
};

/* sha256 hex of the dequantized tensor, in chunks of 64 Ki values. */
static int
hash_tensor(const lc_tensor_info *ti, char hex[65])
{
	enum { CHUNK = 1 << 16 };
	const lc_dtype_traits *tr = lc_dtype(ti->dtype);
	unsigned char md[EVP_MAX_MD_SIZE];
	const unsigned char *p = ti->data;
	unsigned int len, i;
	EVP_MD_CTX *ctx;
	uint64_t done, k;
	float *buf;

	if (tr == NULL || tr->to_float == NULL)
		return -1;
	if ((buf = malloc(CHUNK * sizeof(*buf))) == NULL ||
	    (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (done = 0; done < ti->nelem; done += k) {
		k = ti->nelem - done < CHUNK ? ti->nelem - done : CHUNK;
		tr->to_float(p, buf, (int64_t)k);
		p += k / tr->blck * tr->bytes;
		EVP_DigestUpdate(ctx, buf, k * sizeof(*buf));
	}
	EVP_DigestFinal_ex(ctx, md, &len);
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	EVP_MD_CTX_free(ctx);
	free(buf);
	return 0;
}

int
main(int argc, char *argv[])
{
	char path[4096], line[512], name[128], dtype[16], want[65], hex[65];
	unsigned long long n;
	lc_tensor_info ti;
	lc_gguf *g;
	lc_err e;
	size_t m;
	FILE *fp;
	int lines;

	if (argc != 3) {
		fprintf(stderr, "usage: t_models MODELS_DIR GOLDEN_DIR\n");
		return 2;
	}
	for (m = 0; m < sizeof(models) / sizeof(models[0]); m++) {
		snprintf(path, sizeof(path), "%s/%s", argv[1], models[m]);
		if (lc_gguf_open(&g, path, &e) != LC_OK) {
			CHECK(0, "%s (run 'make models')", e.msg);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s.dequant.tsv", argv[2],
		    models[m]);
		if ((fp = fopen(path, "r")) == NULL) {
			CHECK(0, "%s: cannot open golden", path);
			lc_gguf_close(g);
			continue;
		}
		lines = 0;
		while (fgets(line, sizeof(line), fp) != NULL) {
			if (line[0] == '#')
				continue;
			if (sscanf(line, "%127s %15s %llu %64s", name, dtype, &n,
			    want) != 4) {
				CHECK(0, "%s: bad line '%s'", path, line);
				continue;
			}
			lines++;
			if (lc_gguf_find_tensor(g, name, &ti) != LC_OK) {
				CHECK(0, "%s: no tensor '%s'", models[m], name);
				continue;
			}
			CHECK(strcmp(lc_dtype(ti.dtype)->name, dtype) == 0 &&
			    ti.nelem == n, "%s '%s': %s x %llu, golden %s x %llu",
			    models[m], name, lc_dtype(ti.dtype)->name,
			    (unsigned long long)ti.nelem, dtype, n);
			if (hash_tensor(&ti, hex) != 0) {
				CHECK(0, "%s '%s': cannot dequantize %s",
				    models[m], name, dtype);
				continue;
			}
			CHECK(strcmp(hex, want) == 0, "%s '%s' (%s): dequantized "
			    "values differ from gguf-py", models[m], name,
			    dtype);
		}
		CHECK((uint64_t)lines == lc_gguf_ntensors(g), "%s: %d golden "
		    "lines for %llu tensors", models[m], lines,
		    (unsigned long long)lc_gguf_ntensors(g));
		fclose(fp);
		lc_gguf_close(g);
	}
	return DONE("t_models");
}
