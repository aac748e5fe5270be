/*
 * t_embed - embeddings (libcore/embed.c, the bert architecture, the
 * decoder embedding pass) against committed goldens:
 *
 *  - all-MiniLM-L6-v2 from its Hugging Face directory (converted by
 *    lc_conv, as llm-embed -m DIR does) on the 500 texts of
 *    tests/golden/embed/corpus.jsonl: cosine with sentence-transformers'
 *    vectors (st256.f16 at its max_seq_length 256, st512.f16 for the
 *    long texts at 512) at least MIN_COS for every text;
 *  - the tiny random Qwen3 (tests/golden/hf/tiny-qwen3.f32.gguf): last
 *    and mean pooling of its final-norm hidden states against
 *    transformers (tiny-qwen3.pool.f32), all sequences in one batch;
 *  - pooling and normalization consistent with each other, results
 *    independent of batching, bad texts failing alone.
 *
 * usage: t_embed [MODELS_DIR]	(default: $MODELS_DIR, then
 *				~/.cache/llmutils/models)
 * Run from the top of the tree (goldens by relative path).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "../../libcore/backend.h"
#include "../../libcore/convert.h"
#include "../../libcore/dtype.h"
#include "../../libcore/embed.h"
#include "../../libcore/hf.h"
#include "check.h"

#define MIN_COS		0.9999	/* against sentence-transformers */
#define MAX_POOL_ERR	1e-4	/* tiny Qwen3: max |diff| / max |ref| */
#define DIM		384
#define GOLD		"tests/golden/embed/"

static char *texts[1024];
static size_t lens[1024];
static int ntexts;

static int
load_corpus(void)
{
	char *buf, *line, *nl;
	size_t len;
	lc_err e;
	cJSON *j, *t;

	if (lc_slurp(GOLD "corpus.jsonl", 1 << 24, &buf, &len, &e) != LC_OK) {
		CHECK(0, "%s", e.msg);
		return -1;
	}
	for (line = buf; (nl = strchr(line, '\n')) != NULL && ntexts < 1024;
	    line = nl + 1) {
		*nl = '\0';
		j = cJSON_Parse(line);
		t = cJSON_GetObjectItemCaseSensitive(j, "text");
		if (!cJSON_IsString(t)) {
			CHECK(0, "corpus line %d: no text", ntexts + 1);
			cJSON_Delete(j);
			break;
		}
		lens[ntexts] = strlen(t->valuestring);
		texts[ntexts++] = strdup(t->valuestring);
		cJSON_Delete(j);
	}
	free(buf);
	return ntexts;
}

/* n x DIM f16 vectors of file into out (float) */
static int
load_f16(const char *path, float *out, size_t n)
{
	char *buf;
	size_t len;
	lc_err e;

	if (lc_slurp(path, 1 << 24, &buf, &len, &e) != LC_OK) {
		CHECK(0, "%s", e.msg);
		return -1;
	}
	if (len != n * DIM * 2) {
		CHECK(0, "%s: %zu bytes, expected %zu", path, len, n * DIM * 2);
		free(buf);
		return -1;
	}
	lc_dtype(LC_F16)->to_float(buf, out, (int64_t)(n * DIM));
	free(buf);
	return 0;
}

static lc_embed_item *
run(lc_embed *em, const int *idx, int n)
{
	lc_embed_item *it = calloc((size_t)n, sizeof(*it));
	lc_err e;
	int i;

	for (i = 0; i < n; i++) {
		it[i].text = texts[idx[i]];
		it[i].len = lens[idx[i]];
	}
	if (lc_embed_run(em, it, (size_t)n, &e) != LC_OK)
		CHECK(0, "lc_embed_run: %s", e.msg);
	return it;
}

static void
free_items(lc_embed_item *it, int n)
{
	for (int i = 0; i < n; i++)
		free(it[i].vec);
	free(it);
}

/* sentence-transformers fidelity over the whole corpus */
static void
fidelity(lc_model *m, lc_tok *t)
{
	lc_embed_opts o = { .pooling = LC_POOL_MODEL, .normalize = 1,
	    .truncate = 1, .max_tokens = 256 };
	static float gold[1024 * DIM];
	int idx[1024], nlong = 0, i, worst = -1, ntrunc = 0;
	double c, minc = 2;
	lc_embed_item *it;
	lc_embed *em;
	lc_err e;
	FILE *fp;

	if (lc_embed_new(&em, m, t, &o, &e) != LC_OK) {
		CHECK(0, "lc_embed_new: %s", e.msg);
		return;
	}
	CHECK(lc_embed_dim(em) == DIM && lc_embed_pooling(em) == LC_POOL_MEAN &&
	    lc_embed_max_tokens(em) == 256, "dim %u, pooling %d, max %u",
	    lc_embed_dim(em), lc_embed_pooling(em), lc_embed_max_tokens(em));
	if (load_f16(GOLD "st256.f16", gold, (size_t)ntexts) == 0) {
		for (i = 0; i < ntexts; i++)
			idx[i] = i;
		it = run(em, idx, ntexts);
		for (i = 0; i < ntexts; i++) {
			if (it[i].rc != LC_OK) {
				CHECK(0, "text %d: %s", i, it[i].err.msg);
				continue;
			}
			ntrunc += it[i].n_tok < it[i].n_tok_text;
			c = lc_embed_cosine(it[i].vec, gold + (size_t)i * DIM,
			    DIM);
			if (c < minc) {
				minc = c;
				worst = i;
			}
		}
		CHECK(minc >= MIN_COS, "max_seq_length 256: cosine %.7f at "
		    "text %d", minc, worst);
		CHECK(ntrunc >= 10, "only %d texts truncated at 256", ntrunc);
		printf("all-MiniLM-L6-v2, %d texts at 256 tokens (%d cut): "
		    "min cosine %.8f\n", ntexts, ntrunc, minc);
		free_items(it, ntexts);
	}
	lc_embed_free(em);

	/* the long texts at 512 tokens (the model's context) */
	o.max_tokens = 0;
	if (lc_embed_new(&em, m, t, &o, &e) != LC_OK) {
		CHECK(0, "lc_embed_new: %s", e.msg);
		return;
	}
	CHECK(lc_embed_max_tokens(em) == 512, "max tokens %u",
	    lc_embed_max_tokens(em));
	if ((fp = fopen(GOLD "long512.txt", "r")) != NULL) {
		while (nlong < 1024 && fscanf(fp, "%d", &idx[nlong]) == 1 &&
		    idx[nlong] >= 0 && idx[nlong] < ntexts)
			nlong++;
		fclose(fp);
	}
	CHECK(nlong >= 10, "%d long texts", nlong);
	if (nlong > 0 && load_f16(GOLD "st512.f16", gold, (size_t)nlong) ==
	    0) {
		it = run(em, idx, nlong);
		for (minc = 2, i = 0; i < nlong; i++) {
			c = it[i].rc ? -1 : lc_embed_cosine(it[i].vec,
			    gold + (size_t)i * DIM, DIM);
			if (c < minc) {
				minc = c;
				worst = idx[i];
			}
		}
		CHECK(minc >= MIN_COS, "max_seq_length 512: cosine %.7f at "
		    "text %d", minc, worst);
		printf("%d long texts at 512 tokens: min cosine %.8f\n", nlong,
		    minc);
		free_items(it, nlong);
	}
	lc_embed_free(em);
}

/* pooling, normalization, batching and bad texts agree with each other */
static void
consistency(lc_model *m, lc_tok *t)
{
	lc_embed_opts o = { .pooling = LC_POOL_NONE, .normalize = 0 };
	lc_embed_item *all, *one, *p[4];
	lc_embed *em[4];
	int idx[40], i, k, d, n;
	double c, err;
	lc_err e;
	static const int pools[4] = { LC_POOL_NONE, LC_POOL_MEAN, LC_POOL_CLS,
	    LC_POOL_LAST };
	char bad[] = "caf\xc3 ok";
	lc_embed_item b[3] = {
		{ .text = bad, .len = sizeof(bad) - 1 },
		{ .text = "", .len = 0 },
		{ .text = NULL, .len = 0 },
	};

	for (i = 0; i < 40; i++)
		idx[i] = i * 7 % 480;
	for (k = 0; k < 4; k++) {
		o.pooling = pools[k];
		if (lc_embed_new(&em[k], m, t, &o, &e) != LC_OK) {
			CHECK(0, "lc_embed_new: %s", e.msg);
			while (k-- > 0)
				lc_embed_free(em[k]);
			return;
		}
		p[k] = run(em[k], idx, 8);
	}
	for (i = 0, err = 0; i < 8; i++) {
		n = p[0][i].n_tok;
		for (d = 0; d < DIM; d++) {
			double s = 0;
			for (k = 0; k < n; k++)
				s += p[0][i].vec[(size_t)k * DIM + d];
			err = fmax(err, fabs(s / n - p[1][i].vec[d]));
			err = fmax(err, fabs(p[0][i].vec[d] - p[2][i].vec[d]));
			err = fmax(err, fabs(p[0][i].vec[(size_t)(n - 1) * DIM +
			    d] - p[3][i].vec[d]));
		}
	}
	CHECK(err < 1e-5, "pooling none/mean/cls/last disagree by %g", err);
	/* batching: a text alone (small batch, the backend's own kernels)
	   and among 40 (one batch of ~512 tokens, BLAS) */
	all = run(em[1], idx, 40);
	for (i = 0, c = 2; i < 40; i += 13) {
		one = run(em[1], &idx[i], 1);
		if (all[i].rc == LC_OK && one[0].rc == LC_OK)
			c = fmin(c, lc_embed_cosine(all[i].vec, one[0].vec,
			    DIM));
		free_items(one, 1);
	}
	CHECK(c > 0.999999, "a text alone and in a batch: cosine %.9f", c);
	free_items(all, 40);
	/* bad texts fail alone; the empty text is [CLS] [SEP] */
	b[2].text = texts[0];
	b[2].len = lens[0];
	CHECK(lc_embed_run(em[1], b, 3, &e) == LC_OK, "%s", e.msg);
	CHECK(b[0].rc == LC_EINVAL && b[0].vec == NULL &&
	    strstr(b[0].err.msg, "UTF-8") != NULL, "invalid UTF-8: rc %d "
	    "'%s'", b[0].rc, b[0].err.msg);
	CHECK(b[1].rc == LC_OK && b[1].n_tok == 2, "empty text: rc %d, %d "
	    "tokens", b[1].rc, b[1].n_tok);
	CHECK(b[2].rc == LC_OK && b[2].vec != NULL && lc_embed_cosine(b[2].vec,
	    p[1][0].vec, DIM) > 0.999999, "the text after bad ones");
	for (i = 0; i < 3; i++)
		free(b[i].vec);
	for (k = 0; k < 4; k++) {
		free_items(p[k], 8);
		lc_embed_free(em[k]);
	}
	/* over-long without truncation: an error naming the limit */
	o.pooling = LC_POOL_MEAN;
	o.max_tokens = 8;
	if (lc_embed_new(&em[0], m, t, &o, &e) == LC_OK) {
		lc_embed_item x = { .text = texts[0], .len = lens[0] };
		lc_embed_item y = { .text = "hi", .len = 2 };
		CHECK(lc_embed_run(em[0], &x, 1, &e) == LC_OK, "%s", e.msg);
		CHECK(x.rc == LC_EINVAL && strstr(x.err.msg, "limit of 8") !=
		    NULL, "too long: rc %d '%s'", x.rc, x.err.msg);
		CHECK(lc_embed_run(em[0], &y, 1, &e) == LC_OK && y.rc == LC_OK &&
		    fabs(sqrt(lc_embed_cosine(y.vec, y.vec, DIM)) - 1) < 1e-9,
		    "short text under a small limit");
		free(y.vec);
		lc_embed_free(em[0]);
	} else {
		CHECK(0, "%s", e.msg);
	}
	CHECK(lc_pooling_parse("last") == LC_POOL_LAST &&
	    lc_pooling_parse("max") == -2 &&
	    strcmp(lc_pooling_name(LC_POOL_CLS), "cls") == 0 &&
	    lc_pooling_name(7) == NULL, "pooling names");
}

/* the tiny Qwen3: last and mean pooling of the decoder's hidden states */
static void
decoder(lc_backend *b)
{
	static const char *gguf = "tests/golden/hf/tiny-qwen3.f32.gguf";
	float ref[5 * 2 * 64], *hid;
	int32_t ids[256], len[5];
	char *buf;
	size_t blen;
	double err, mx;
	cJSON *j, *s, *x;
	int ns = 0, n = 0, i, d, off;
	lc_model *m;
	lc_err e;

	if (lc_slurp("tests/golden/hf/tiny-qwen3.json", 1 << 20, &buf, &blen,
	    &e) != LC_OK) {
		CHECK(0, "%s", e.msg);
		return;
	}
	j = cJSON_Parse(buf);
	free(buf);
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(j, "sequences")) {
		len[ns] = 0;
		cJSON_ArrayForEach(x, s)
			if (n < 256) {
				ids[n++] = (int32_t)x->valuedouble;
				len[ns]++;
			}
		if (++ns == 5)
			break;
	}
	cJSON_Delete(j);
	if (lc_slurp(GOLD "tiny-qwen3.pool.f32", 1 << 20, &buf, &blen, &e) !=
	    LC_OK || blen != sizeof(ref) || ns != 5) {
		CHECK(0, "tiny-qwen3 goldens: %s", e.msg);
		return;
	}
	memcpy(ref, buf, sizeof(ref));
	free(buf);
	if (lc_model_open(&m, gguf, b, &(lc_model_opts){ .n_ctx = 256,
	    .kv_dtype = LC_F32 }, &e) != LC_OK) {
		CHECK(0, "%s", e.msg);
		return;
	}
	CHECK(lc_model_has_hidden(m) && lc_model_has_logits(m), "qwen3 has "
	    "an embedding pass and logits");
	hid = malloc((size_t)n * 64 * sizeof(float));
	if (lc_model_hidden(m, ids, len, ns, hid, &e) != LC_OK) {
		CHECK(0, "lc_model_hidden: %s", e.msg);
	} else {
		for (err = 0, mx = 0, off = 0, i = 0; i < ns; off += len[i],
		    i++) {
			for (d = 0; d < 64; d++) {
				double mean = 0, last = hid[(size_t)(off +
				    len[i] - 1) * 64 + d];
				for (int k = 0; k < len[i]; k++)
					mean += hid[(size_t)(off + k) * 64 + d];
				mean /= len[i];
				err = fmax(err, fabs(last - ref[i * 128 + d]));
				err = fmax(err, fabs(mean - ref[i * 128 + 64 +
				    d]));
				mx = fmax(mx, fabs(ref[i * 128 + d]));
			}
		}
		CHECK(err / mx < MAX_POOL_ERR, "tiny qwen3 pooled hidden "
		    "states: max |diff| %g (max |ref| %g)", err, mx);
		printf("tiny qwen3, %d sequences in one batch: last/mean "
		    "pooling max |diff| %.3g of %.3g\n", ns, err, mx);
	}
	len[0] = 0;
	CHECK(lc_model_hidden(m, ids, len, 1, hid, &e) == LC_EINVAL,
	    "an empty sequence is refused");
	free(hid);
	lc_model_close(m);
}

int
main(int argc, char *argv[])
{
	const char *dir, *home;
	char def[4096], mdir[8192], tmp[] = "/tmp/t_embed.XXXXXX";
	lc_backend *b;
	lc_model *m = NULL;
	lc_tok *t = NULL;
	lc_conv *cv;
	lc_err e;
	int fd, rc;

	dir = argc > 1 ? argv[1] : getenv("MODELS_DIR");
	if (dir == NULL && (home = getenv("HOME")) != NULL) {
		snprintf(def, sizeof(def), "%s/.cache/llmutils/models", home);
		dir = def;
	}
	if (dir == NULL) {
		fprintf(stderr, "usage: t_embed MODELS_DIR\n");
		return 2;
	}
	if (lc_cpu_backend_new(&b, 2, &e) != LC_OK) {
		CHECK(0, "%s", e.msg);
		return DONE("t_embed");
	}
	decoder(b);
	if (load_corpus() < 500)
		CHECK(0, "corpus: %d texts", ntexts);
	snprintf(mdir, sizeof(mdir), "%s/all-MiniLM-L6-v2", dir);
	if ((fd = mkstemp(tmp)) < 0) {
		CHECK(0, "mkstemp");
		goto out;
	}
	close(fd);
	if ((rc = lc_conv_open(&cv, mdir, NULL, &e)) == LC_OK) {
		rc = lc_conv_write(cv, LC_CONV_KEEP, tmp, NULL, &e);
		lc_conv_close(cv);
	}
	if (rc == LC_OK)
		rc = lc_model_open(&m, tmp, b, NULL, &e);
	unlink(tmp);
	if (rc == LC_OK)
		rc = lc_tok_new(&t, lc_model_gguf(m), &e);
	if (rc != LC_OK) {
		CHECK(0, "%s (run 'make models')", e.msg);
		goto out;
	}
	CHECK(!lc_model_has_logits(m), "bert has no logits");
	CHECK(lc_model_eval(m, (int32_t[]){ 101 }, 1, 0, 0, NULL, &e) ==
	    LC_EUNSUP, "lc_model_eval on bert is refused");
	fidelity(m, t);
	consistency(m, t);
out:
	lc_tok_free(t);
	lc_model_close(m);
	b->ops->free(b);
	while (ntexts > 0)
		free(texts[--ntexts]);
	return DONE("t_embed");
}
