/*
 * t_gguf.c - unit tests of the GGUF reader and writer (libcore/gguf.c).
 *
 * Writes a file with every value type and a few tensors into a mkstemp
 * file under /tmp, reads it back through the mapping and through a
 * memory buffer, copies its key/values with lc_gguf_w_kv, and checks
 * the writer's and open()'s errors.  The temporary files are removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../libcore/dtype.h"
#include "../../libcore/gguf.h"
#include "check.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGN		64

static const uint8_t	 a_u8[] = { 0, 1, 255 };
static const int8_t	 a_i8[] = { -128, 0, 127 };
static const uint16_t	 a_u16[] = { 0, 65535, 7 };
static const int16_t	 a_i16[] = { -32768, 32767, -1 };
static const uint32_t	 a_u32[] = { 0, 4000000000u, 42 };
static const int32_t	 a_i32[] = { INT32_MIN, INT32_MAX, -7 };
static const float	 a_f32[] = { 0.5f, -1e30f, 3.25f };
static const uint8_t	 a_bool[] = { 1, 0, 1 };
static const uint64_t	 a_u64[] = { 0, UINT64_MAX, 1ULL << 40 };
static const int64_t	 a_i64[] = { INT64_MIN, INT64_MAX, -5 };
static const double	 a_f64[] = { -0.125, 1e300, 2.0 };
static const char *const a_str[] = {
	"", "a", "h\xc3\xa9llo", "", "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80"
};

/* The fixed-size arrays, by element type. */
static const struct {
	const char	*key;
	uint32_t	 type;
	const void	*v;
} arrs[] = {
	{ "arr.u8", LC_GGUF_U8, a_u8 },
	{ "arr.i8", LC_GGUF_I8, a_i8 },
	{ "arr.u16", LC_GGUF_U16, a_u16 },
	{ "arr.i16", LC_GGUF_I16, a_i16 },
	{ "arr.u32", LC_GGUF_U32, a_u32 },
	{ "arr.i32", LC_GGUF_I32, a_i32 },
	{ "arr.f32", LC_GGUF_F32, a_f32 },
	{ "arr.bool", LC_GGUF_BOOL, a_bool },
	{ "arr.u64", LC_GGUF_U64, a_u64 },
	{ "arr.i64", LC_GGUF_I64, a_i64 },
	{ "arr.f64", LC_GGUF_F64, a_f64 },
};

/* Tensors: the data is a byte pattern, which the reader does not judge. */
#define LONGNAME	"n1234567890123456789012345678901" \
			"234567890123456789012345678901x"	/* 63 bytes */
static struct {
	const char	*name;
	uint32_t	 dtype, ndim;
	uint64_t	 ne[4];
	uint64_t	 nbytes;
	uint8_t		*data;
} ts[] = {
	{ "tok.weight", LC_F32, 2, { 8, 3 }, 96, NULL },
	{ "norm", LC_F16, 1, { 64 }, 128, NULL },
	{ "blk.0.q8", LC_Q8_0, 2, { 32, 2 }, 2 * 34, NULL },
	{ "blk.0.q4k", LC_Q4_K, 3, { 256, 1, 2 }, 2 * 144, NULL },
	{ "four", LC_F32, 4, { 2, 2, 2, 2 }, 64, NULL },
	{ LONGNAME, LC_F32, 2, { 0, 5 }, 0, NULL },
};

static char path[64], path2[64];

/* ------------------------------------------------------------------ */

static int
write_main(const char *out, lc_err *e)
{
	lc_gguf_writer *w;
	uint8_t u8 = 200, b = 1;
	int8_t i8 = -100;
	uint16_t u16 = 60000;
	int16_t i16 = -30000;
	uint32_t u32 = 4000000000u;
	int32_t i32 = -2000000000;
	float f32 = 1.5f;
	uint64_t u64 = (1ULL << 63) + 5;
	int64_t i64 = -(1LL << 62);
	double f64 = -0.25;
	size_t k;
	int rc;

	if ((rc = lc_gguf_writer_new(&w, e)) != LC_OK)
		return rc;
	if ((rc = lc_gguf_w_str(w, "general.architecture", "llama", e)) ||
	    (rc = lc_gguf_w_u32(w, "general.alignment", ALIGN, e)) ||
	    (rc = lc_gguf_w_scalar(w, "s.u8", LC_GGUF_U8, &u8, e)) ||
	    (rc = lc_gguf_w_scalar(w, "s.i8", LC_GGUF_I8, &i8, e)) ||
	    (rc = lc_gguf_w_scalar(w, "s.u16", LC_GGUF_U16, &u16, e)) ||
	    (rc = lc_gguf_w_scalar(w, "s.i16", LC_GGUF_I16, &i16, e)) ||
	    (rc = lc_gguf_w_scalar(w, "s.u32", LC_GGUF_U32, &u32, e)) ||
	    (rc = lc_gguf_w_scalar(w, "s.i32", LC_GGUF_I32, &i32, e)) ||
	    (rc = lc_gguf_w_scalar(w, "s.f32", LC_GGUF_F32, &f32, e)) ||
	    (rc = lc_gguf_w_scalar(w, "s.bool", LC_GGUF_BOOL, &b, e)) ||
	    (rc = lc_gguf_w_scalar(w, "s.u64", LC_GGUF_U64, &u64, e)) ||
	    (rc = lc_gguf_w_scalar(w, "s.i64", LC_GGUF_I64, &i64, e)) ||
	    (rc = lc_gguf_w_scalar(w, "s.f64", LC_GGUF_F64, &f64, e)) ||
	    (rc = lc_gguf_w_u32(w, "w.u32", 7, e)) ||
	    (rc = lc_gguf_w_f32(w, "w.f32", -2.5f, e)) ||
	    (rc = lc_gguf_w_bool(w, "w.bool", 5, e)) ||
	    (rc = lc_gguf_w_str(w, "s.empty", "", e)) ||
	    (rc = lc_gguf_w_str(w, "general.name",
	    "mod\xc3\xa8le \xe2\x9c\x93", e)))
		goto out;
	for (k = 0; k < NELEM(arrs); k++)
		if ((rc = lc_gguf_w_arr(w, arrs[k].key, arrs[k].type,
		    arrs[k].v, 3, e)) != LC_OK)
			goto out;
	if ((rc = lc_gguf_w_arr_str(w, "arr.str", a_str, NULL,
	    NELEM(a_str), e)) != LC_OK ||
	    (rc = lc_gguf_w_arr(w, "arr.empty", LC_GGUF_I32, NULL, 0, e)) !=
	    LC_OK)
		goto out;
	for (k = 0; k < NELEM(ts); k++)
		if ((rc = lc_gguf_w_tensor(w, ts[k].name, ts[k].dtype,
		    ts[k].ndim, ts[k].ne, ts[k].data, e)) != LC_OK)
			goto out;
	rc = lc_gguf_writer_write(w, out, e);
out:
	lc_gguf_writer_free(w);
	return rc;
}

/* The number of kvs write_main() writes. */
#define MAIN_NKV	(18 + NELEM(arrs) + 2)

static uint8_t *
slurp(const char *p, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd;

	if ((fd = open(p, O_RDONLY)) < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || (buf = malloc((size_t)st.st_size + 1)) ==
	    NULL) {
		close(fd);
		return NULL;
	}
	if (read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		close(fd);
		return NULL;
	}
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static int
keyis(const lc_gguf_kv *kv, const char *key)
{
	return kv->keylen == strlen(key) &&
	    memcmp(kv->key, key, kv->keylen) == 0;
}

/* ------------------------------------------------------------------ */

static void
test_scalars(const lc_gguf *g)
{
	const char *s;
	uint64_t u;
	int64_t v;
	double d;
	size_t len;
	lc_err e;
	int b;

	CHECK(lc_gguf_get_u64(g, "s.u8", &u, &e) == LC_OK && u == 200, "u8");
	CHECK(lc_gguf_get_i64(g, "s.i8", &v, &e) == LC_OK && v == -100, "i8");
	CHECK(lc_gguf_get_u64(g, "s.u16", &u, &e) == LC_OK && u == 60000,
	    "u16");
	CHECK(lc_gguf_get_i64(g, "s.i16", &v, &e) == LC_OK && v == -30000,
	    "i16");
	CHECK(lc_gguf_get_u64(g, "s.u32", &u, &e) == LC_OK &&
	    u == 4000000000u, "u32");
	CHECK(lc_gguf_get_i64(g, "s.i32", &v, &e) == LC_OK &&
	    v == -2000000000, "i32");
	CHECK(lc_gguf_get_f64(g, "s.f32", &d, &e) == LC_OK && d == 1.5, "f32");
	CHECK(lc_gguf_get_bool(g, "s.bool", &b, &e) == LC_OK && b == 1, "bool");
	CHECK(lc_gguf_get_u64(g, "s.u64", &u, &e) == LC_OK &&
	    u == (1ULL << 63) + 5, "u64");
	CHECK(lc_gguf_get_i64(g, "s.i64", &v, &e) == LC_OK &&
	    v == -(1LL << 62), "i64");
	CHECK(lc_gguf_get_f64(g, "s.f64", &d, &e) == LC_OK && d == -0.25,
	    "f64");
	CHECK(lc_gguf_get_u64(g, "w.u32", &u, &e) == LC_OK && u == 7, "w_u32");
	CHECK(lc_gguf_get_f64(g, "w.f32", &d, &e) == LC_OK && d == -2.5,
	    "w_f32");
	CHECK(lc_gguf_get_bool(g, "w.bool", &b, &e) == LC_OK && b == 1,
	    "w_bool stores 1 for any true value");
	CHECK(lc_gguf_get_str(g, "general.architecture", &s, &len, &e) ==
	    LC_OK && len == 5 && memcmp(s, "llama", 5) == 0, "string");
	CHECK(lc_gguf_get_str(g, "general.name", &s, &len, &e) == LC_OK &&
	    len == 11 && memcmp(s, "mod\xc3\xa8le \xe2\x9c\x93", 11) == 0,
	    "non-ASCII string");
	CHECK(lc_gguf_get_str(g, "s.empty", &s, &len, &e) == LC_OK && len == 0,
	    "empty string");
	CHECK(lc_gguf_get_u64(g, "general.alignment", &u, &e) == LC_OK &&
	    u == ALIGN, "general.alignment");

	/* integer getters take any integer type whose value fits */
	CHECK(lc_gguf_get_i64(g, "s.u8", &v, &e) == LC_OK && v == 200,
	    "i64 of u8");
	CHECK(lc_gguf_get_i64(g, "s.u32", &v, &e) == LC_OK && v == 4000000000,
	    "i64 of u32");
	CHECK(lc_gguf_get_u64(g, "s.bool", &u, &e) == LC_OK && u == 1,
	    "u64 of bool");
	CHECK(lc_gguf_get_f64(g, "s.i64", &d, &e) == LC_OK &&
	    d == -4611686018427387904.0, "f64 of i64");
	CHECK(lc_gguf_get_f64(g, "s.u64", &d, &e) == LC_OK &&
	    d == 9223372036854775813.0, "f64 of u64");
	/* ... and refuse what does not fit, floats, strings and arrays */
	e.code = LC_OK;
	CHECK(lc_gguf_get_u64(g, "s.i8", &u, &e) == LC_EFORMAT &&
	    e.code == LC_EFORMAT, "u64 of a negative i8");
	CHECK(strstr(e.msg, "key 's.i8': int8 value, expected a non-negative "
	    "integer") != NULL, "message names the key: %s", e.msg);
	CHECK(lc_gguf_get_i64(g, "s.u64", &v, &e) == LC_EFORMAT,
	    "i64 of u64 2^63+5");
	CHECK(lc_gguf_get_u64(g, "s.f32", &u, &e) == LC_EFORMAT,
	    "u64 of f32");
	CHECK(lc_gguf_get_i64(g, "s.f64", &v, &e) == LC_EFORMAT,
	    "i64 of f64");
	CHECK(lc_gguf_get_i64(g, "general.architecture", &v, &e) ==
	    LC_EFORMAT && strstr(e.msg, "'general.architecture': string "
	    "value, expected an integer") != NULL, "i64 of string: %s", e.msg);
	CHECK(lc_gguf_get_f64(g, "general.name", &d, &e) == LC_EFORMAT,
	    "f64 of string");
	CHECK(lc_gguf_get_u64(g, "arr.u8", &u, &e) == LC_EFORMAT &&
	    strstr(e.msg, "array of uint8") != NULL, "u64 of array: %s", e.msg);
	CHECK(lc_gguf_get_bool(g, "s.u8", &b, &e) == LC_EFORMAT, "bool of u8");
	CHECK(lc_gguf_get_str(g, "s.u32", &s, &len, &e) == LC_EFORMAT,
	    "str of u32");
	CHECK(lc_gguf_get_str(g, "arr.str", &s, &len, &e) == LC_EFORMAT,
	    "str of string array");
	CHECK(strncmp(e.msg, lc_gguf_name(g), strlen(lc_gguf_name(g))) == 0,
	    "message starts with the file name: %s", e.msg);

	/* a missing key is LC_ENOTFOUND and leaves e untouched */
	e.code = 12345;
	strcpy(e.msg, "untouched");
	CHECK(lc_gguf_get_u64(g, "no.such", &u, &e) == LC_ENOTFOUND &&
	    lc_gguf_get_i64(g, "no.such", &v, &e) == LC_ENOTFOUND &&
	    lc_gguf_get_f64(g, "no.such", &d, &e) == LC_ENOTFOUND &&
	    lc_gguf_get_bool(g, "no.such", &b, &e) == LC_ENOTFOUND &&
	    lc_gguf_get_str(g, "no.such", &s, &len, &e) == LC_ENOTFOUND,
	    "missing key");
	CHECK(e.code == 12345 && strcmp(e.msg, "untouched") == 0,
	    "e untouched on a miss");
	CHECK(lc_gguf_get_u64(g, "s.u", &u, NULL) == LC_ENOTFOUND &&
	    lc_gguf_get_u64(g, "s.u80", &u, NULL) == LC_ENOTFOUND,
	    "prefixes and extensions of a key are not the key");
	CHECK(lc_gguf_get_u64(g, "s.i8", &u, NULL) == LC_EFORMAT,
	    "e may be NULL");
}

static void
test_arrays(const lc_gguf *g)
{
	lc_gguf_str_iter it;
	lc_gguf_kv kv;
	const char *s;
	uint64_t u, i;
	int64_t v;
	double d;
	size_t k, len;

	for (k = 0; k < NELEM(arrs); k++) {
		uint32_t t = arrs[k].type;
		size_t sz = lc_gguf_type_size(t);

		if (lc_gguf_find_kv(g, arrs[k].key, &kv) != LC_OK) {
			CHECK(0, "%s not found", arrs[k].key);
			continue;
		}
		CHECK(kv.type == LC_GGUF_ARRAY && kv.elem_type == t &&
		    kv.n == 3 && kv.nbytes == 3 * sz, "%s: type %u/%u n %llu",
		    arrs[k].key, kv.type, kv.elem_type,
		    (unsigned long long)kv.n);
		/* the host is little-endian, as is the file */
		CHECK(memcmp(kv.data, arrs[k].v, 3 * sz) == 0, "%s: bytes",
		    arrs[k].key);
		CHECK(lc_gguf_kv_u64(&kv, 3, &u) == -1 &&
		    lc_gguf_kv_i64(&kv, 3, &v) == -1 &&
		    lc_gguf_kv_f64(&kv, 3, &d) == -1 &&
		    lc_gguf_kv_i64(&kv, UINT64_MAX, &v) == -1,
		    "%s: index out of range", arrs[k].key);
	}
	lc_gguf_find_kv(g, "arr.u8", &kv);
	CHECK(lc_gguf_kv_u64(&kv, 2, &u) == 0 && u == 255, "u8[2]");
	lc_gguf_find_kv(g, "arr.i8", &kv);
	CHECK(lc_gguf_kv_i64(&kv, 0, &v) == 0 && v == -128 &&
	    lc_gguf_kv_u64(&kv, 0, &u) == -1 &&
	    lc_gguf_kv_u64(&kv, 2, &u) == 0 && u == 127, "i8[]");
	lc_gguf_find_kv(g, "arr.u16", &kv);
	CHECK(lc_gguf_kv_u64(&kv, 1, &u) == 0 && u == 65535, "u16[1]");
	lc_gguf_find_kv(g, "arr.i16", &kv);
	CHECK(lc_gguf_kv_i64(&kv, 0, &v) == 0 && v == -32768 &&
	    lc_gguf_kv_f64(&kv, 2, &d) == 0 && d == -1.0, "i16[]");
	lc_gguf_find_kv(g, "arr.u32", &kv);
	CHECK(lc_gguf_kv_u64(&kv, 1, &u) == 0 && u == 4000000000u, "u32[1]");
	lc_gguf_find_kv(g, "arr.i32", &kv);
	CHECK(lc_gguf_kv_i64(&kv, 0, &v) == 0 && v == INT32_MIN &&
	    lc_gguf_kv_i64(&kv, 1, &v) == 0 && v == INT32_MAX, "i32[]");
	lc_gguf_find_kv(g, "arr.f32", &kv);
	CHECK(lc_gguf_kv_f64(&kv, 1, &d) == 0 && d == (double)-1e30f &&
	    lc_gguf_kv_i64(&kv, 0, &v) == -1 && lc_gguf_kv_u64(&kv, 0, &u) ==
	    -1, "f32[]");
	lc_gguf_find_kv(g, "arr.bool", &kv);
	CHECK(lc_gguf_kv_u64(&kv, 0, &u) == 0 && u == 1 &&
	    lc_gguf_kv_u64(&kv, 1, &u) == 0 && u == 0, "bool[]");
	lc_gguf_find_kv(g, "arr.u64", &kv);
	CHECK(lc_gguf_kv_u64(&kv, 1, &u) == 0 && u == UINT64_MAX &&
	    lc_gguf_kv_i64(&kv, 1, &v) == -1 &&
	    lc_gguf_kv_i64(&kv, 2, &v) == 0 && v == 1LL << 40 &&
	    lc_gguf_kv_f64(&kv, 1, &d) == 0 && d == 18446744073709551615.0,
	    "u64[]");
	lc_gguf_find_kv(g, "arr.i64", &kv);
	CHECK(lc_gguf_kv_i64(&kv, 0, &v) == 0 && v == INT64_MIN &&
	    lc_gguf_kv_i64(&kv, 1, &v) == 0 && v == INT64_MAX &&
	    lc_gguf_kv_u64(&kv, 0, &u) == -1 &&
	    lc_gguf_kv_u64(&kv, 1, &u) == 0 && u == INT64_MAX, "i64[]");
	lc_gguf_find_kv(g, "arr.f64", &kv);
	CHECK(lc_gguf_kv_f64(&kv, 1, &d) == 0 && d == 1e300 &&
	    lc_gguf_kv_u64(&kv, 2, &u) == -1, "f64[]");
	lc_gguf_find_kv(g, "arr.empty", &kv);
	CHECK(kv.type == LC_GGUF_ARRAY && kv.elem_type == LC_GGUF_I32 &&
	    kv.n == 0 && kv.nbytes == 0 && lc_gguf_kv_i64(&kv, 0, &v) == -1,
	    "empty array");

	if (lc_gguf_find_kv(g, "arr.str", &kv) != LC_OK) {
		CHECK(0, "arr.str not found");
		return;
	}
	CHECK(kv.type == LC_GGUF_ARRAY && kv.elem_type == LC_GGUF_STRING &&
	    kv.n == NELEM(a_str), "string array");
	CHECK(lc_gguf_kv_u64(&kv, 0, &u) == -1 &&
	    lc_gguf_kv_f64(&kv, 0, &d) == -1, "strings are not numbers");
	lc_gguf_kv_strs(&kv, &it);
	for (i = 0; lc_gguf_str_next(&it, &s, &len); i++)
		CHECK(i < NELEM(a_str) && len == strlen(a_str[i]) &&
		    memcmp(s, a_str[i], len) == 0, "arr.str[%llu]",
		    (unsigned long long)i);
	CHECK(i == NELEM(a_str), "arr.str: %llu strings",
	    (unsigned long long)i);
	CHECK(lc_gguf_str_next(&it, &s, &len) == 0, "iterator stays done");
	/* a scalar string iterates as one string, a number as none */
	lc_gguf_find_kv(g, "general.architecture", &kv);
	lc_gguf_kv_strs(&kv, &it);
	CHECK(lc_gguf_str_next(&it, &s, &len) == 1 && len == 5 &&
	    lc_gguf_str_next(&it, &s, &len) == 0, "scalar string iterates");
	lc_gguf_find_kv(g, "s.u32", &kv);
	lc_gguf_kv_strs(&kv, &it);
	CHECK(lc_gguf_str_next(&it, &s, &len) == 0, "u32 has no strings");
}

static void
test_kvs(const lc_gguf *g)
{
	static const struct {
		const char	*key;
		uint32_t	 type;
	} first[] = {
		{ "general.architecture", LC_GGUF_STRING },
		{ "general.alignment", LC_GGUF_U32 },
		{ "s.u8", LC_GGUF_U8 },		{ "s.i8", LC_GGUF_I8 },
		{ "s.u16", LC_GGUF_U16 },	{ "s.i16", LC_GGUF_I16 },
		{ "s.u32", LC_GGUF_U32 },	{ "s.i32", LC_GGUF_I32 },
		{ "s.f32", LC_GGUF_F32 },	{ "s.bool", LC_GGUF_BOOL },
		{ "s.u64", LC_GGUF_U64 },	{ "s.i64", LC_GGUF_I64 },
		{ "s.f64", LC_GGUF_F64 },
	};
	lc_gguf_kv kv, kv2;
	uint64_t i;

	CHECK(lc_gguf_nkv(g) == MAIN_NKV, "nkv %llu",
	    (unsigned long long)lc_gguf_nkv(g));
	for (i = 0; i < NELEM(first); i++) {
		lc_gguf_kv_at(g, i, &kv);
		CHECK(keyis(&kv, first[i].key) && kv.type == first[i].type &&
		    kv.n == 1 && kv.elem_type == kv.type, "kv %llu is %s",
		    (unsigned long long)i, first[i].key);
		if (kv.type != LC_GGUF_STRING)
			CHECK(kv.nbytes == lc_gguf_type_size(kv.type),
			    "kv %llu: nbytes", (unsigned long long)i);
	}
	lc_gguf_kv_at(g, 0, &kv);
	CHECK(kv.offset == 24 && kv.nbytes == 8 + 5, "kv 0: offset %llu "
	    "nbytes %llu", (unsigned long long)kv.offset,
	    (unsigned long long)kv.nbytes);
	for (i = 0; i < lc_gguf_nkv(g); i++) {
		char key[128];
		lc_gguf_kv_at(g, i, &kv);
		if (kv.keylen >= sizeof(key))
			continue;
		memcpy(key, kv.key, kv.keylen);
		key[kv.keylen] = '\0';
		CHECK(lc_gguf_find_kv(g, key, &kv2) == LC_OK &&
		    kv2.offset == kv.offset && kv2.data == kv.data,
		    "find_kv(%s)", key);
	}
	CHECK(lc_gguf_find_kv(g, "", &kv) == LC_ENOTFOUND &&
	    lc_gguf_find_kv(g, "general", &kv) == LC_ENOTFOUND,
	    "find_kv of absent keys");

	CHECK(strcmp(lc_gguf_type_name(LC_GGUF_U32), "uint32") == 0 &&
	    strcmp(lc_gguf_type_name(LC_GGUF_STRING), "string") == 0 &&
	    strcmp(lc_gguf_type_name(LC_GGUF_F64), "float64") == 0 &&
	    strcmp(lc_gguf_type_name(LC_GGUF_NTYPES), "unknown") == 0 &&
	    strcmp(lc_gguf_type_name(UINT32_MAX), "unknown") == 0,
	    "type names");
	CHECK(lc_gguf_type_size(LC_GGUF_U8) == 1 &&
	    lc_gguf_type_size(LC_GGUF_I16) == 2 &&
	    lc_gguf_type_size(LC_GGUF_F32) == 4 &&
	    lc_gguf_type_size(LC_GGUF_BOOL) == 1 &&
	    lc_gguf_type_size(LC_GGUF_I64) == 8 &&
	    lc_gguf_type_size(LC_GGUF_STRING) == 0 &&
	    lc_gguf_type_size(LC_GGUF_ARRAY) == 0 &&
	    lc_gguf_type_size(99) == 0, "type sizes");
}

static void
test_tensors(const lc_gguf *g, uint64_t filesize)
{
	lc_tensor_info t, t2;
	uint64_t i, k, off = 0;

	CHECK(lc_gguf_version(g) == 3, "version %u", lc_gguf_version(g));
	CHECK(lc_gguf_alignment(g) == ALIGN, "alignment %u",
	    lc_gguf_alignment(g));
	CHECK(lc_gguf_size(g) == filesize, "size");
	CHECK(lc_gguf_data_offset(g) % ALIGN == 0 &&
	    lc_gguf_data_offset(g) > 24, "data offset %llu",
	    (unsigned long long)lc_gguf_data_offset(g));
	CHECK(lc_gguf_ntensors(g) == NELEM(ts), "ntensors %llu",
	    (unsigned long long)lc_gguf_ntensors(g));
	for (i = 0; i < NELEM(ts) && i < lc_gguf_ntensors(g); i++) {
		lc_gguf_tensor(g, i, &t);
		CHECK(t.namelen == strlen(ts[i].name) &&
		    memcmp(t.name, ts[i].name, t.namelen) == 0, "tensor %llu "
		    "name", (unsigned long long)i);
		CHECK(t.dtype == ts[i].dtype && t.ndim == ts[i].ndim,
		    "%s: dtype %u ndim %u", ts[i].name, t.dtype, t.ndim);
		for (k = 0; k < 4; k++)
			CHECK(t.ne[k] == (k < ts[i].ndim ? ts[i].ne[k] : 1),
			    "%s: ne[%llu] = %llu", ts[i].name,
			    (unsigned long long)k, (unsigned long long)t.ne[k]);
		CHECK(t.nelem == t.ne[0] * t.ne[1] * t.ne[2] * t.ne[3],
		    "%s: nelem", ts[i].name);
		CHECK(t.nbytes == ts[i].nbytes, "%s: nbytes %llu", ts[i].name,
		    (unsigned long long)t.nbytes);
		CHECK(t.offset == off && t.offset % ALIGN == 0,
		    "%s: offset %llu, wanted %llu", ts[i].name,
		    (unsigned long long)t.offset, (unsigned long long)off);
		CHECK(t.nbytes == 0 || memcmp(t.data, ts[i].data,
		    (size_t)t.nbytes) == 0, "%s: data", ts[i].name);
		CHECK(lc_gguf_find_tensor(g, ts[i].name, &t2) == LC_OK &&
		    t2.data == t.data && t2.offset == t.offset,
		    "find_tensor(%s)", ts[i].name);
		off += (t.nbytes + ALIGN - 1) / ALIGN * ALIGN;
	}
	lc_gguf_tensor(g, NELEM(ts) - 2, &t);
	CHECK(lc_gguf_data_size(g) == t.offset + t.nbytes, "data size %llu",
	    (unsigned long long)lc_gguf_data_size(g));
	CHECK(lc_gguf_data_offset(g) + off == filesize,
	    "file ends at the last padded tensor");
	CHECK(lc_gguf_find_tensor(g, "tok", &t) == LC_ENOTFOUND &&
	    lc_gguf_find_tensor(g, "", &t) == LC_ENOTFOUND &&
	    lc_gguf_find_tensor(g, "tok.weightx", &t) == LC_ENOTFOUND,
	    "find_tensor of absent names");
}

/* The mapped file and a buffer with the same bytes give the same answers. */
static void
test_same(const lc_gguf *g, const lc_gguf *m, const uint8_t *buf)
{
	lc_tensor_info a, b;
	lc_gguf_kv x, y;
	uint64_t i;

	CHECK(lc_gguf_nkv(g) == lc_gguf_nkv(m) &&
	    lc_gguf_ntensors(g) == lc_gguf_ntensors(m) &&
	    lc_gguf_version(g) == lc_gguf_version(m) &&
	    lc_gguf_alignment(g) == lc_gguf_alignment(m) &&
	    lc_gguf_size(g) == lc_gguf_size(m) &&
	    lc_gguf_data_offset(g) == lc_gguf_data_offset(m) &&
	    lc_gguf_data_size(g) == lc_gguf_data_size(m), "mem: header");
	for (i = 0; i < lc_gguf_nkv(g) && i < lc_gguf_nkv(m); i++) {
		lc_gguf_kv_at(g, i, &x);
		lc_gguf_kv_at(m, i, &y);
		CHECK(x.keylen == y.keylen && memcmp(x.key, y.key,
		    x.keylen) == 0 && x.type == y.type &&
		    x.elem_type == y.elem_type && x.n == y.n &&
		    x.nbytes == y.nbytes && x.offset == y.offset &&
		    memcmp(x.data, y.data, (size_t)x.nbytes) == 0,
		    "mem: kv %llu", (unsigned long long)i);
		CHECK(y.data >= buf && y.data + y.nbytes <= buf +
		    lc_gguf_size(m), "mem: kv %llu points into the buffer",
		    (unsigned long long)i);
	}
	for (i = 0; i < lc_gguf_ntensors(g) && i < lc_gguf_ntensors(m); i++) {
		lc_gguf_tensor(g, i, &a);
		lc_gguf_tensor(m, i, &b);
		CHECK(a.namelen == b.namelen && memcmp(a.name, b.name,
		    a.namelen) == 0 && a.dtype == b.dtype && a.ndim == b.ndim &&
		    memcmp(a.ne, b.ne, sizeof(a.ne)) == 0 &&
		    a.offset == b.offset && a.nbytes == b.nbytes &&
		    memcmp(a.data, b.data, (size_t)a.nbytes) == 0 &&
		    (const uint8_t *)b.data == buf + lc_gguf_data_offset(m) +
		    b.offset, "mem: tensor %llu", (unsigned long long)i);
	}
}

/* lc_gguf_w_kv of every kv makes a file whose kv section is the same. */
static void
test_copy(const lc_gguf *m, const uint8_t *buf)
{
	lc_gguf_writer *w;
	lc_gguf *c = NULL;
	lc_gguf_kv kv;
	uint8_t *buf2 = NULL;
	size_t len2 = 0, end;
	uint64_t i;
	lc_err e;
	int rc = LC_OK;

	if (lc_gguf_writer_new(&w, &e) != LC_OK) {
		CHECK(0, "writer_new: %s", e.msg);
		return;
	}
	for (i = 0; i < lc_gguf_nkv(m) && rc == LC_OK; i++) {
		lc_gguf_kv_at(m, i, &kv);
		rc = lc_gguf_w_kv(w, &kv, &e);
	}
	CHECK(rc == LC_OK, "w_kv: %s", rc ? e.msg : "");
	CHECK(lc_gguf_w_kv(w, &kv, &e) == LC_EINVAL &&
	    strstr(e.msg, "duplicate key") != NULL, "w_kv twice: %s", e.msg);
	rc = lc_gguf_writer_write(w, path2, &e);
	CHECK(rc == LC_OK, "write copy: %s", rc ? e.msg : "");
	lc_gguf_writer_free(w);
	if (rc != LC_OK)
		return;
	if ((buf2 = slurp(path2, &len2)) == NULL) {
		CHECK(0, "read %s: %s", path2, strerror(errno));
		return;
	}
	rc = lc_gguf_open_mem(&c, buf2, len2, "copy", &e);
	CHECK(rc == LC_OK, "open copy: %s", rc ? e.msg : "");
	if (rc == LC_OK) {
		lc_gguf_kv_at(m, lc_gguf_nkv(m) - 1, &kv);
		end = (size_t)(kv.data - buf + kv.nbytes);
		CHECK(lc_gguf_nkv(c) == lc_gguf_nkv(m) &&
		    lc_gguf_ntensors(c) == 0, "copy: counts");
		/* from the kv count on, up to the end of the last kv */
		CHECK(len2 == end && memcmp(buf + 16, buf2 + 16, end - 16) == 0,
		    "copy: kv bytes (%zu of %zu)", len2, end);
		CHECK(lc_gguf_alignment(c) == ALIGN, "copy: alignment");
	}
	lc_gguf_close(c);
	free(buf2);
}

static void
test_writer_errors(void)
{
	static const uint64_t n32[] = { 32 }, n33[] = { 33 }, n0[] = { 0 };
	static const float data[32];
	char name[80];
	lc_gguf_writer *w;
	lc_gguf *g;
	uint8_t two = 2, bools[3] = { 0, 1, 2 };
	uint64_t u;
	int32_t i32 = 32;
	lc_err e;

	if (lc_gguf_writer_new(&w, &e) != LC_OK) {
		CHECK(0, "writer_new: %s", e.msg);
		return;
	}
	CHECK(lc_gguf_w_u32(w, "a", 1, &e) == LC_OK, "w a");
	CHECK(lc_gguf_w_u32(w, "a", 2, &e) == LC_EINVAL &&
	    strstr(e.msg, "duplicate key 'a'") != NULL, "dup key: %s", e.msg);
	CHECK(lc_gguf_w_str(w, "a", "x", &e) == LC_EINVAL, "dup key, string");
	CHECK(lc_gguf_w_u32(w, "", 2, &e) == LC_EINVAL &&
	    strstr(e.msg, "empty key") != NULL, "empty key: %s", e.msg);
	CHECK(lc_gguf_w_u32(w, "general.alignment", 0, &e) == LC_EINVAL &&
	    strstr(e.msg, "general.alignment") != NULL, "alignment 0: %s",
	    e.msg);
	CHECK(lc_gguf_w_u32(w, "general.alignment", 48, &e) == LC_EINVAL,
	    "alignment 48");
	CHECK(lc_gguf_w_u32(w, "general.alignment", 1u << 21, &e) ==
	    LC_EINVAL, "alignment 2^21");
	CHECK(lc_gguf_w_scalar(w, "general.alignment", LC_GGUF_I32, &i32,
	    &e) == LC_EINVAL, "alignment as int32");
	CHECK(lc_gguf_w_scalar(w, "b", LC_GGUF_STRING, "x", &e) ==
	    LC_EINVAL && lc_gguf_w_scalar(w, "b", 13, &two, &e) == LC_EINVAL,
	    "scalar of a non-scalar type");
	CHECK(lc_gguf_w_scalar(w, "b", LC_GGUF_BOOL, &two, &e) == LC_EINVAL &&
	    strstr(e.msg, "bool value 2") != NULL, "bool 2: %s", e.msg);
	CHECK(lc_gguf_w_arr(w, "b", LC_GGUF_BOOL, bools, 3, &e) == LC_EINVAL,
	    "bool array with a 2");
	CHECK(lc_gguf_w_arr(w, "b", LC_GGUF_STRING, bools, 3, &e) ==
	    LC_EINVAL && lc_gguf_w_arr(w, "b", LC_GGUF_ARRAY, bools, 3, &e) ==
	    LC_EINVAL, "array of strings or arrays through w_arr");
	CHECK(lc_gguf_w_tensor(w, "t", LC_F32, 1, n32, data, &e) == LC_OK,
	    "w t");
	CHECK(lc_gguf_w_tensor(w, "t", LC_F32, 1, n32, data, &e) ==
	    LC_EINVAL && strstr(e.msg, "duplicate tensor 't'") != NULL,
	    "dup tensor: %s", e.msg);
	memset(name, 'x', 64);
	name[64] = '\0';
	CHECK(lc_gguf_w_tensor(w, name, LC_F32, 1, n32, data, &e) ==
	    LC_EINVAL && strstr(e.msg, "1 to 63 bytes") != NULL,
	    "64-byte name: %s", e.msg);
	CHECK(lc_gguf_w_tensor(w, "", LC_F32, 1, n32, data, &e) == LC_EINVAL,
	    "empty name");
	CHECK(lc_gguf_w_tensor(w, "q", LC_Q4_0, 1, n33, data, &e) ==
	    LC_EINVAL && strstr(e.msg, "not a multiple of 32") != NULL,
	    "ne0 33 for q4_0: %s", e.msg);
	CHECK(lc_gguf_w_tensor(w, "q", LC_Q4_K, 1, n32, data, &e) ==
	    LC_EINVAL, "ne0 32 for q4_k");
	CHECK(lc_gguf_w_tensor(w, "q", 4, 1, n32, data, &e) == LC_EINVAL &&
	    lc_gguf_w_tensor(w, "q", 40, 1, n32, data, &e) == LC_EINVAL,
	    "unknown dtype");
	CHECK(lc_gguf_w_tensor(w, "q", LC_F32, 5, n32, data, &e) ==
	    LC_EINVAL && lc_gguf_w_tensor(w, "q", LC_F32, 0, n32, data,
	    &e) == LC_EINVAL, "ndim 5 and 0");
	name[63] = '\0';
	CHECK(lc_gguf_w_tensor(w, name, LC_F32, 1, n0, NULL, &e) == LC_OK,
	    "63-byte name, zero size");
	CHECK(lc_gguf_writer_write(w, "/nonexistent-dir/x.gguf", &e) ==
	    LC_EIO && e.sys == ENOENT && strstr(e.msg,
	    "/nonexistent-dir/x.gguf") != NULL, "write into a missing "
	    "directory: %s", e.msg);

	/* none of the failures left anything behind */
	CHECK(lc_gguf_writer_write(w, path2, &e) == LC_OK, "write: %s", e.msg);
	lc_gguf_writer_free(w);
	if (lc_gguf_open(&g, path2, &e) != LC_OK) {
		CHECK(0, "open after errors: %s", e.msg);
		return;
	}
	CHECK(lc_gguf_nkv(g) == 1 && lc_gguf_ntensors(g) == 2 &&
	    lc_gguf_get_u64(g, "a", &u, &e) == LC_OK && u == 1 &&
	    lc_gguf_alignment(g) == LC_GGUF_DEFAULT_ALIGNMENT,
	    "file after errors");
	lc_gguf_close(g);

	/* an empty writer makes a valid 24-byte file */
	if (lc_gguf_writer_new(&w, &e) != LC_OK)
		return;
	CHECK(lc_gguf_writer_write(w, path2, &e) == LC_OK, "empty: %s", e.msg);
	lc_gguf_writer_free(w);
	CHECK(lc_gguf_open(&g, path2, &e) == LC_OK && lc_gguf_size(g) == 24 &&
	    lc_gguf_nkv(g) == 0 && lc_gguf_ntensors(g) == 0,
	    "empty writer's file");
	lc_gguf_close(g);
	lc_gguf_writer_free(NULL);
}

static void
test_open_errors(void)
{
	lc_gguf *g = (lc_gguf *)&g;	/* anything but NULL: open clears it */
	char msg[600];
	lc_err e;
	int fd;

	CHECK(lc_gguf_open(&g, "/tmp", &e) == LC_EFORMAT && g == NULL &&
	    strcmp(e.msg, "/tmp: not a regular file") == 0, "directory: %s",
	    e.msg);
	CHECK(lc_gguf_open(&g, "/nonexistent/x.gguf", &e) == LC_EIO &&
	    e.code == LC_EIO && e.sys == ENOENT && g == NULL,
	    "missing file: %d", e.code);
	snprintf(msg, sizeof(msg), "/nonexistent/x.gguf: %s",
	    strerror(ENOENT));
	CHECK(strcmp(e.msg, msg) == 0, "missing file: %s", e.msg);
	CHECK(lc_gguf_open(&g, "/dev/null", &e) == LC_EFORMAT &&
	    strcmp(e.msg, "/dev/null: not a regular file") == 0,
	    "device: %s", e.msg);

	if ((fd = open(path2, O_WRONLY | O_TRUNC)) < 0) {
		CHECK(0, "truncate %s: %s", path2, strerror(errno));
		return;
	}
	close(fd);
	snprintf(msg, sizeof(msg), "%s: empty file", path2);
	CHECK(lc_gguf_open(&g, path2, &e) == LC_EFORMAT && g == NULL &&
	    strcmp(e.msg, msg) == 0, "empty file: %s", e.msg);
	CHECK(lc_gguf_open_mem(&g, "", 0, "buf", &e) == LC_EFORMAT &&
	    g == NULL && strcmp(e.msg, "buf: magic: truncated: needs 4 bytes "
	    "at offset 0, 0 left") == 0, "empty buffer: %s", e.msg);
	CHECK(lc_gguf_open_mem(&g, "GGUF\3\0\0\0", 8, "b", &e) == LC_EFORMAT &&
	    strcmp(e.msg, "b: tensor count: truncated: needs 8 bytes at "
	    "offset 8, 0 left") == 0, "header only: %s", e.msg);
	CHECK(lc_gguf_open_mem(&g, "GGUF\3\0\0\0", 8, "b", NULL) ==
	    LC_EFORMAT, "e may be NULL");
	lc_gguf_close(NULL);
}

int
main(void)
{
	struct stat st;
	lc_gguf *g = NULL, *m = NULL;
	uint8_t *buf = NULL;
	size_t k, j, len = 0;
	lc_err e;
	int fd, rc;

	strcpy(path, "/tmp/t_gguf.XXXXXX");
	strcpy(path2, "/tmp/t_gguf.XXXXXX");
	if ((fd = mkstemp(path)) < 0 || close(fd) != 0 ||
	    (fd = mkstemp(path2)) < 0 || close(fd) != 0) {
		perror("t_gguf: mkstemp");
		return 1;
	}
	for (k = 0; k < NELEM(ts); k++) {
		if (ts[k].nbytes == 0)
			continue;
		if ((ts[k].data = malloc((size_t)ts[k].nbytes)) == NULL) {
			perror("t_gguf: malloc");
			return 1;
		}
		for (j = 0; j < ts[k].nbytes; j++)
			ts[k].data[j] = (uint8_t)(j * 7 + k * 31 + 1);
	}

	rc = write_main(path, &e);
	CHECK(rc == LC_OK, "write: %s", rc ? e.msg : "");
	if (rc == LC_OK && (rc = lc_gguf_open(&g, path, &e)) != LC_OK)
		CHECK(0, "open: %s", e.msg);
	if (rc == LC_OK && stat(path, &st) == 0) {
		test_scalars(g);
		test_arrays(g);
		test_kvs(g);
		test_tensors(g, (uint64_t)st.st_size);
		if ((buf = slurp(path, &len)) == NULL)
			CHECK(0, "read %s: %s", path, strerror(errno));
		else if (lc_gguf_open_mem(&m, buf, len, "mem", &e) != LC_OK)
			CHECK(0, "open_mem: %s", e.msg);
		else {
			CHECK(strcmp(lc_gguf_name(m), "mem") == 0 &&
			    strcmp(lc_gguf_name(g), path) == 0, "names");
			test_same(g, m, buf);
			test_scalars(m);
			test_arrays(m);
			test_tensors(m, len);
			test_copy(m, buf);
		}
	}
	lc_gguf_close(m);
	lc_gguf_close(g);
	free(buf);
	test_writer_errors();
	test_open_errors();

	unlink(path);
	unlink(path2);
	for (k = 0; k < NELEM(ts); k++)
		free(ts[k].data);
	return DONE("t_gguf");
}
