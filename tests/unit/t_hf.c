/* t_hf - the safetensors reader on files written here byte by byte. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../libcore/dtype.h"
#include "../../libcore/hf.h"
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
	return DONE("t_hf");
}
