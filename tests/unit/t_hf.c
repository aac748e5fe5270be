/*
 * t_hf - the safetensors reader on files written here byte by byte, and
 * the Hugging Face import of Gemma 4 (tests/data/hf/tiny-gemma4) against
 * llama.cpp's converter (sha256 of its files: tests/oracle/README,
 * "Gemma 4: HF import and tokenizer").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "../../libcore/convert.h"
#include "../../libcore/dtype.h"
#include "../../libcore/hf.h"
#include "../../libcore/sha256.h"
#include "check.h"

static char path[64];

/* Writes u64 len(hdr) + hdr + data to path; returns lc_st_open's code. */
static int
put(const char *hdr, const void *data, size_t n, lc_st **st, lc_err *e)
{
	uint64_t len = strlen(hdr);
	unsigned char b[8];
	FILE *fp;
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(len >> 8 * i);
	if ((fp = fopen(path, "wb")) == NULL)
		return -1;
	fwrite(b, 1, 8, fp);
	fwrite(hdr, 1, len, fp);
	fwrite(data, 1, n, fp);
	fclose(fp);
	return lc_st_open(st, path, e);
}

static void
bad(const char *hdr, size_t n, const char *want)
{
	static const char zeros[64];
	lc_st *st;
	lc_err e;
	int rc;

	rc = put(hdr, zeros, n, &st, &e);
	CHECK(rc == LC_EFORMAT && st == NULL && strstr(e.msg, want) != NULL,
	    "%s: rc %d '%s', want '%s'", hdr, rc, rc ? e.msg : "", want);
	lc_st_close(st);
}

#define G4	"tests/data/hf/tiny-gemma4"

static const char *const g4files[] = { "config.json",
    "generation_config.json", "model.safetensors", "tokenizer.json",
    "tokenizer_config.json" };

/* Copies tiny-gemma4 to dir, with the first "from" in file replaced by
   "to" (file NULL: no change).  Returns 0 on success. */
static int
g4copy(const char *dir, const char *file, const char *from, const char *to)
{
	char src[256], dst[256], *buf, *p;
	size_t i, n;
	FILE *fp;
	long len;

	for (i = 0; i < sizeof(g4files) / sizeof(g4files[0]); i++) {
		snprintf(src, sizeof(src), G4 "/%s", g4files[i]);
		snprintf(dst, sizeof(dst), "%s/%s", dir, g4files[i]);
		if ((fp = fopen(src, "rb")) == NULL)
			return -1;
		fseek(fp, 0, SEEK_END);
		len = ftell(fp);
		rewind(fp);
		buf = malloc((size_t)len + strlen(to ? to : "") + 1);
		n = fread(buf, 1, (size_t)len, fp);
		fclose(fp);
		buf[n] = '\0';
		if (file != NULL && strcmp(file, g4files[i]) == 0) {
			if ((p = strstr(buf, from)) == NULL) {
				free(buf);
				return -1;
			}
			memmove(p + strlen(to), p + strlen(from),
			    n - (size_t)(p - buf) - strlen(from) + 1);
			memcpy(p, to, strlen(to));
			n = n - strlen(from) + strlen(to);
		}
		if ((fp = fopen(dst, "wb")) == NULL) {
			free(buf);
			return -1;
		}
		fwrite(buf, 1, n, fp);
		fclose(fp);
		free(buf);
	}
	return 0;
}

static void
g4clean(const char *dir)
{
	char path[256];
	size_t i;

	for (i = 0; i < sizeof(g4files) / sizeof(g4files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, g4files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/o.gguf", dir);
	unlink(path);
	rmdir(dir);
}

static char *
slurp(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long len;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)len + 1);
	*n = fread(buf, 1, (size_t)len, fp);
	buf[*n] = '\0';
	fclose(fp);
	return buf;
}

/*
 * Rewrites the copy in dir as Gemma4ForConditionalGeneration saves it:
 * config.json's keys under text_config (vision and audio null), tensors
 * "model.language_model.*".  llama.cpp's converter writes the same file
 * for it as for the Gemma4ForCausalLM original (checked with the
 * converter; tests/oracle/README).
 */
static int
g4wrap(const char *dir)
{
	char path[320], *buf, *hdr, *nh;
	cJSON *c, *top, *h, *it;
	unsigned char b8[8];
	uint64_t n, hl;
	size_t len;
	FILE *fp;
	int i;

	snprintf(path, sizeof(path), "%s/config.json", dir);
	if ((buf = slurp(path, &len)) == NULL || (c = cJSON_Parse(buf)) ==
	    NULL)
		return -1;
	free(buf);
	cJSON_DeleteItemFromObject(c, "architectures");
	top = cJSON_CreateObject();
	it = cJSON_AddArrayToObject(top, "architectures");
	cJSON_AddItemToArray(it, cJSON_CreateString(
	    "Gemma4ForConditionalGeneration"));
	cJSON_AddStringToObject(top, "model_type", "gemma4");
	cJSON_AddItemToObject(top, "text_config", c);
	cJSON_AddNullToObject(top, "vision_config");
	cJSON_AddNullToObject(top, "audio_config");
	buf = cJSON_Print(top);
	cJSON_Delete(top);
	if ((fp = fopen(path, "wb")) == NULL)
		return -1;
	fputs(buf, fp);
	fclose(fp);
	free(buf);

	snprintf(path, sizeof(path), "%s/model.safetensors", dir);
	if ((buf = slurp(path, &len)) == NULL || len < 8)
		return -1;
	for (hl = 0, i = 7; i >= 0; i--)
		hl = hl << 8 | (unsigned char)buf[i];
	hdr = malloc(hl + 1);
	memcpy(hdr, buf + 8, hl);
	hdr[hl] = '\0';
	h = cJSON_Parse(hdr);
	free(hdr);
	if (h == NULL)
		return -1;
	for (it = h->child; it != NULL; it = it->next)
		if (strncmp(it->string, "model.", 6) == 0) {
			nh = malloc(strlen(it->string) + 16);
			sprintf(nh, "model.language_model.%s", it->string + 6);
			if (!(it->type & cJSON_StringIsConst))
				cJSON_free(it->string);
			it->string = nh;
		}
	nh = cJSON_PrintUnformatted(h);
	cJSON_Delete(h);
	n = strlen(nh);
	for (i = 0; i < 8; i++)
		b8[i] = (unsigned char)(n >> 8 * i);
	if ((fp = fopen(path, "wb")) == NULL)
		return -1;
	fwrite(b8, 1, 8, fp);
	fwrite(nh, 1, n, fp);
	fwrite(buf + 8 + hl, 1, len - 8 - hl, fp);
	fclose(fp);
	free(nh);
	free(buf);
	return 0;
}

/* A changed tiny-gemma4 is refused with code and a message with want. */
static void
g4bad(const char *file, const char *from, const char *to,
    const lc_conv_opts *o, int code, const char *want)
{
	char dir[] = "/tmp/t_hf.g4.XXXXXX";
	lc_conv *c = NULL;
	lc_err e;
	int rc;

	if (mkdtemp(dir) == NULL || g4copy(dir, file, from, to) != 0) {
		CHECK(0, "gemma4: cannot prepare %s", dir);
		return;
	}
	rc = lc_conv_open(&c, dir, o, &e);
	CHECK(rc == code && c == NULL && strstr(e.msg, want) != NULL,
	    "gemma4 %s '%s' -> '%s': rc %d '%s', want '%s'", file, from, to,
	    rc, rc ? e.msg : "", want);
	lc_conv_close(c);
	g4clean(dir);
}

/* Gemma4ForCausalLM (wrap 0) and Gemma4ForConditionalGeneration
   (wrap 1): the files llama.cpp's converter writes. */
static void
test_gemma4(int wrap)
{
	static const struct { int type; const char *sha; } want[] = {
		{ LC_F32, "8dbe9dd6622b2eb6d6aaff2b4785f633"
		    "ce795f41fc9e1ef3774ffabaca3f1f8a" },
		{ LC_F16, "96397175d83f8a0dcd06b91c787fc37f"
		    "fb0490fe6f57d38676684555cfb22b12" },
		{ LC_BF16, "56f7eaa3c9c14a36cb72842975c1c83c"
		    "680e0b30021cb9bf0a4ecab44f1b4089" },
	};
	static const lc_conv_opts pre = { "gpt-2" };
	char dir[] = "/tmp/t_hf.g4.XXXXXX", out[256], hex[65];
	lc_conv *c;
	lc_err e;
	uint64_t n;
	size_t i;
	int rc;

	/* general.name comes from the directory's name, "tiny-gemma4" */
	if (mkdtemp(dir) == NULL) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(out, sizeof(out), "%s/tiny-gemma4", dir);
	if (mkdir(out, 0700) != 0 || g4copy(out, NULL, NULL, NULL) != 0 ||
	    (wrap && g4wrap(out) != 0)) {
		CHECK(0, "gemma4: cannot copy " G4 " to %s", out);
		return;
	}
	rc = lc_conv_open(&c, out, NULL, &e);
	CHECK(rc == LC_OK, "gemma4: open: %s", rc ? e.msg : "");
	if (rc == LC_OK) {
		CHECK(strcmp(lc_conv_arch(c), "gemma4") == 0 &&
		    strcmp(lc_conv_hf_arch(c), wrap ?
		    "Gemma4ForConditionalGeneration" : "Gemma4ForCausalLM") ==
		    0, "gemma4: arch %s", lc_conv_arch(c));
		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			snprintf(out, sizeof(out), "%s/o.gguf", dir);
			rc = lc_conv_write(c, want[i].type, out, NULL, &e);
			CHECK(rc == LC_OK, "gemma4: write: %s", rc ? e.msg :
			    "");
			if (rc != LC_OK)
				continue;
			rc = lc_sha256_file(out, hex, &n, &e);
			CHECK(rc == LC_OK && strcmp(hex, want[i].sha) == 0,
			    "gemma4 (wrap %d) %s: sha256 %s, llama.cpp's %s",
			    wrap, lc_dtype(want[i].type)->name, hex,
			    want[i].sha);
			unlink(out);
		}
		lc_conv_close(c);
	}
	snprintf(out, sizeof(out), "%s/tiny-gemma4", dir);
	g4clean(out);
	rmdir(dir);
	if (wrap)
		return;

	g4bad("config.json", "\"enable_moe_block\": false",
	    "\"enable_moe_block\": true", NULL, LC_EUNSUP,
	    "config.json: enable_moe_block: Gemma 4 mixture-of-experts");
	g4bad("config.json", "\"num_experts\": null", "\"num_experts\": 128",
	    NULL, LC_EUNSUP, "mixture-of-experts models (26B-A4B)");
	g4bad("config.json", "\"full_attention\",\n    \"sliding_attention\"",
	    "\"full_attention\",\n    \"sliding\"", NULL, LC_EFORMAT,
	    "layer_types[4]");
	g4bad("config.json", "\"rope_type\": \"proportional\"",
	    "\"rope_type\": \"default\"", NULL, LC_EUNSUP,
	    "only \"proportional\"");
	g4bad("config.json", "\"per_layer_config\"",
	    "\"per_layer_configx\"", NULL, LC_EFORMAT,
	    "global_head_dim: missing");
	g4bad("config.json", "\"num_kv_shared_layers\": 2",
	    "\"num_kv_shared_layers\": 1", NULL, LC_EUNSUP,
	    "num_kv_shared_layers: the last two layers");
	g4bad("config.json", "\"vocab_size\": 574", "\"vocab_size\": 575",
	    NULL, LC_EFORMAT, "model.safetensors: tensor "
	    "'model.embed_tokens.weight': shape [574, 32]");
	g4bad("tokenizer.json", "\"byte_fallback\": true",
	    "\"byte_fallback\": false", NULL, LC_EUNSUP,
	    "tokenizer.json: not a BPE tokenizer with byte_fallback");
	g4bad(NULL, NULL, NULL, &pre, LC_EUNSUP,
	    "--pre-tokenizer does not apply to Gemma4ForCausalLM");
}

int
main(void)
{
	float data[6] = { 1, 2, 3, 4, 5, 6 };
	const char *k, *v;
	lc_st_info ti;
	lc_st *st;
	lc_err e;
	int fd, rc;

	snprintf(path, sizeof(path), "/tmp/t_hf.XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return 1;
	close(fd);

	rc = put("{\"b\":{\"dtype\":\"F32\",\"shape\":[2,2],"
	    "\"data_offsets\":[8,24]},\"a\":{\"dtype\":\"BF16\",\"shape\":[4],"
	    "\"data_offsets\":[0,8]},\"z\":{\"dtype\":\"F32\",\"shape\":[0],"
	    "\"data_offsets\":[24,24]},\"__metadata__\":{\"format\":\"pt\"}}  ",
	    data, 24, &st, &e);
	CHECK(rc == LC_OK, "valid file: %s", rc ? e.msg : "");
	if (rc == LC_OK) {
		CHECK(lc_st_ntensors(st) == 3, "3 tensors");
		lc_st_tensor(st, 0, &ti);
		CHECK(strcmp(ti.name, "a") == 0 && ti.lc_dtype == LC_BF16 &&
		    ti.nelem == 4 && ti.nbytes == 8, "sorted by offset: a first");
		CHECK(lc_st_find(st, "b", &ti) == LC_OK && ti.ndim == 2 &&
		    ti.shape[0] == 2 && ti.shape[1] == 2 && ti.shape[2] == 1 &&
		    ti.lc_dtype == LC_F32 && ti.elsize == 4 &&
		    memcmp(ti.data, (const char *)data + 8, 16) == 0 &&
		    ti.offset == 8 + lc_st_header_size(st) + 8, "tensor b");
		CHECK(lc_st_find(st, "z", &ti) == LC_OK && ti.nelem == 0 &&
		    ti.nbytes == 0, "empty tensor");
		CHECK(lc_st_find(st, "nope", &ti) == LC_ENOTFOUND, "missing");
		CHECK(lc_st_nmeta(st) == 1, "metadata count");
		lc_st_meta(st, 0, &k, &v);
		CHECK(strcmp(k, "format") == 0 && strcmp(v, "pt") == 0,
		    "metadata");
		lc_st_close(st);
	}
	bad("[1,2]", 0, "does not start with '{'");
	bad("{\"a\":", 0, "not a JSON object");
	bad("{\"a\":5}", 0, "not an object");
	bad("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "dtype missing");
	bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}",
	    4, "shape[0]");
	bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],"
	    "\"data_offsets\":[0,4]}}", 4, "at most 8");
	bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}",
	    4, "begin <= end");
	bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}",
	    4, "data_offsets must");
	bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
	    "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
	    8, "appears twice");
	bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
	    8, "4 bytes after the last tensor");
	bad("{\"__metadata__\":{\"k\":1}}", 0, "not a string");
	bad("{\"__metadata__\":[]}", 0, "__metadata__ is not an object");
	unlink(path);
	test_gemma4(0);
	test_gemma4(1);
	return DONE("t_hf");
}
