/*
 * mkbad - write the malformed GGUF corpus: mkbad DIR.
 *
 * Every file is built byte by byte here (never with the libcore writer),
 * one malformed class per file, named NNN-short-name.gguf.  DIR/expect.tsv
 * gets one line per malformed file: the file name, a tab, and a part of
 * the one-line error libcore/gguf.c must report for it.  DIR/ok-*.gguf
 * are valid edge cases the reader must accept.  The output is the same
 * on every run.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ggml type ids and gguf value types used below */
enum { F32 = 0, F16 = 1, Q4_0 = 2, Q8_0 = 8, Q4_K = 12 };
enum {
	T_U8 = 0, T_I8, T_U16, T_I16, T_U32, T_I32, T_F32, T_BOOL,
	T_STRING, T_ARRAY, T_U64, T_I64, T_F64
};

#define U64MAX	UINT64_MAX
#define I64MAX	((uint64_t)INT64_MAX)

typedef struct buf {
	uint8_t	*p;
	size_t	 len, cap;
} buf;

static const char *dir;
static FILE *expect;
static int nfiles;

static void
die(const char *what)
{
	fprintf(stderr, "mkbad: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ------------------------------------------------------------------ */
/* the byte builder                                                   */

static void
b_bytes(buf *b, const void *p, size_t n)
{
	uint8_t *q;
	size_t cap;

	if (b->len + n > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		if ((q = realloc(b->p, cap)) == NULL)
			die("realloc");
		b->p = q;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
b_fill(buf *b, int c, size_t n)
{
	uint8_t x = (uint8_t)c;

	while (n-- > 0)
		b_bytes(b, &x, 1);
}

static void
b_u8(buf *b, unsigned v)
{
	uint8_t x = (uint8_t)v;

	b_bytes(b, &x, 1);
}

static void
b_u32(buf *b, uint32_t v)
{
	uint8_t x[4];
	int i;

	for (i = 0; i < 4; i++)
		x[i] = (uint8_t)(v >> 8 * i);
	b_bytes(b, x, 4);
}

static void
b_u64(buf *b, uint64_t v)
{
	uint8_t x[8];
	int i;

	for (i = 0; i < 8; i++)
		x[i] = (uint8_t)(v >> 8 * i);
	b_bytes(b, x, 8);
}

/* A GGUF string of n bytes. */
static void
b_strn(buf *b, const char *s, size_t n)
{
	b_u64(b, n);
	b_bytes(b, s, n);
}

static void
b_str(buf *b, const char *s)
{
	b_strn(b, s, strlen(s));
}

static void
hdr(buf *b, uint32_t version, uint64_t ntensors, uint64_t nkv)
{
	b_bytes(b, "GGUF", 4);
	b_u32(b, version);
	b_u64(b, ntensors);
	b_u64(b, nkv);
}

static void
kv_u32(buf *b, const char *key, uint32_t v)
{
	b_str(b, key);
	b_u32(b, T_U32);
	b_u32(b, v);
}

static void
kv_str(buf *b, const char *key, const char *s)
{
	b_str(b, key);
	b_u32(b, T_STRING);
	b_str(b, s);
}

/* A 96-byte string kv, so that later records can be cut short. */
static void
kv_filler(buf *b)
{
	kv_str(b, "general.name",
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
}

/* A tensor info with ndim dims taken from ne. */
static void
tinfo(buf *b, const char *name, uint32_t ndim, const uint64_t *ne,
    uint32_t type, uint64_t offset)
{
	uint32_t i;

	b_str(b, name);
	b_u32(b, ndim);
	for (i = 0; i < ndim; i++)
		b_u64(b, ne[i]);
	b_u32(b, type);
	b_u64(b, offset);
}

/* Zero padding up to a multiple of align. */
static void
b_align(buf *b, size_t align)
{
	b_fill(b, 0, (align - b->len % align) % align);
}

/* Writes b to DIR/NN-name.gguf (or DIR/name when ok), then empties b. */
static void
emit(buf *b, const char *name, const char *want)
{
	char path[4096], file[256];
	FILE *fp;

	if (want != NULL)
		snprintf(file, sizeof(file), "%03d-%s.gguf", ++nfiles, name);
	else
		snprintf(file, sizeof(file), "%s.gguf", name);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((fp = fopen(path, "wb")) == NULL)
		die(path);
	if ((b->len > 0 && fwrite(b->p, 1, b->len, fp) != b->len) ||
	    fclose(fp) != 0)
		die(path);
	if (want != NULL && fprintf(expect, "%s\t%s\n", file, want) < 0)
		die("expect.tsv");
	b->len = 0;
}

/* ------------------------------------------------------------------ */
/* header                                                             */

static void
header(buf *b)
{
	hdr(b, 3, 0, 0);
	memcpy(b->p, "GGUX", 4);
	emit(b, "bad-magic", "bad magic 47 47 55 58: not a GGUF file");

	hdr(b, 0, 0, 0);
	emit(b, "version-0", "unsupported GGUF version 0 (expected 2 or 3)");
	hdr(b, 1, 0, 0);
	emit(b, "version-1", "GGUF version 1 is obsolete");
	hdr(b, 4, 0, 0);
	emit(b, "version-4", "unsupported GGUF version 4 (expected 2 or 3)");
	hdr(b, 0x03000000, 0, 0);
	emit(b, "version-swapped",
	    "version 0x03000000: the file is big-endian");
	hdr(b, 0xffffffff, 0, 0);
	emit(b, "version-max", "unsupported GGUF version 4294967295");

	emit(b, "empty", "empty file");
	b_bytes(b, "GG", 2);
	emit(b, "trunc-magic",
	    "magic: truncated: needs 4 bytes at offset 0, 2 left");
	hdr(b, 3, 0, 0);
	b->len = 6;
	emit(b, "trunc-version",
	    "version: truncated: needs 4 bytes at offset 4, 2 left");
	hdr(b, 3, 0, 0);
	b->len = 13;
	emit(b, "trunc-n-tensors",
	    "tensor count: truncated: needs 8 bytes at offset 8, 5 left");
	hdr(b, 3, 0, 0);
	b->len = 23;
	emit(b, "trunc-n-kv",
	    "kv count: truncated: needs 8 bytes at offset 16, 7 left");

	hdr(b, 3, 0, U64MAX);
	b_fill(b, 0, 64);
	emit(b, "n-kv-max",
	    "kv count 18446744073709551615 exceeds what 64 bytes can hold");
	hdr(b, 3, 0, 1ULL << 63);
	b_fill(b, 0, 64);
	emit(b, "n-kv-2e63",
	    "kv count 9223372036854775808 exceeds what 64 bytes can hold");
	/* 3 kvs need at least 42 bytes; 41 are there */
	hdr(b, 3, 0, 3);
	b_fill(b, 0, 41);
	emit(b, "n-kv-above-left", "kv count 3 exceeds what 41 bytes can hold");
	hdr(b, 3, 0, 65537);
	b_fill(b, 0, 65537 * 14);
	emit(b, "n-kv-over-limit", "kv count 65537 exceeds what 917518 bytes "
	    "can hold (limit 65536)");

	hdr(b, 3, U64MAX, 0);
	b_fill(b, 0, 64);
	emit(b, "n-tensors-max",
	    "tensor count 18446744073709551615 exceeds what 64 bytes can hold");
	hdr(b, 3, 1ULL << 63, 0);
	b_fill(b, 0, 64);
	emit(b, "n-tensors-2e63",
	    "tensor count 9223372036854775808 exceeds what 64 bytes can hold");
	/* 3 tensors need at least 72 bytes after the kvs */
	hdr(b, 3, 3, 0);
	b_fill(b, 0, 71);
	emit(b, "n-tensors-above-left",
	    "tensor count 3 exceeds what 71 bytes can hold");
	hdr(b, 3, 1, 1);
	kv_u32(b, "a", 1);
	b_fill(b, 0, 20);
	emit(b, "n-tensors-after-kvs",
	    "tensor count 1 exceeds what 37 bytes can hold");
}

/* ------------------------------------------------------------------ */
/* key/values                                                         */

static void
keys(buf *b)
{
	char *big;

	hdr(b, 3, 0, 1);
	b_u64(b, U64MAX);
	b_fill(b, 'a', 8);
	emit(b, "key-len-max", "kv 0: key length 18446744073709551615 "
	    "exceeds the 8 bytes left (offset 24)");
	hdr(b, 3, 0, 1);
	b_u64(b, 100);
	b_fill(b, 'a', 10);
	emit(b, "key-len-past-end",
	    "kv 0: key length 100 exceeds the 10 bytes left (offset 24)");
	if ((big = malloc(65536)) == NULL)
		die("malloc");
	memset(big, 'a', 65536);
	hdr(b, 3, 0, 1);
	b_strn(b, big, 65536);
	b_u32(b, T_U8);
	b_u8(b, 0);
	emit(b, "key-len-65536",
	    "kv 0: key length 65536 exceeds the limit of 65535 (offset 24)");
	free(big);
	hdr(b, 3, 0, 1);
	b_str(b, "a");
	b_u32(b, T_STRING);
	b_u64(b, 1ULL << 30);
	b_bytes(b, "tiny", 4);
	emit(b, "value-1gib-string",
	    "kv 0 'a': value length 1073741824 exceeds the 4 bytes left");

	hdr(b, 3, 0, 1);
	b_str(b, "");
	b_u32(b, T_U8);
	b_u8(b, 0);
	b_fill(b, 0, 8);
	emit(b, "empty-key", "kv 0: empty key (offset 24)");
	hdr(b, 3, 0, 1);
	b_str(b, "gen\001eral");
	b_u32(b, T_U8);
	b_u8(b, 0);
	emit(b, "key-control-char",
	    "kv 0: key contains control character 0x01 at byte 3");
	hdr(b, 3, 0, 1);
	b_strn(b, "a\0b", 3);
	b_u32(b, T_U8);
	b_u8(b, 0);
	b_fill(b, 0, 2);
	emit(b, "key-nul",
	    "kv 0: key contains control character 0x00 at byte 1");
	hdr(b, 3, 0, 1);
	b_str(b, "\033[2J\033[31mred");
	b_u32(b, T_U8);
	b_u8(b, 0);
	emit(b, "key-ansi-escape",
	    "kv 0: key contains control character 0x1b at byte 0");
	hdr(b, 3, 0, 1);
	b_str(b, "a\xff");
	b_u32(b, T_U8);
	b_u8(b, 0);
	b_fill(b, 0, 2);
	emit(b, "key-bad-utf8", "kv 0: key is not valid UTF-8 at byte 1");
	hdr(b, 3, 0, 1);
	b_str(b, "ab\xc0\xaf");
	b_u32(b, T_U8);
	b_u8(b, 0);
	emit(b, "key-overlong-utf8", "kv 0: key is not valid UTF-8 at byte 2");
	hdr(b, 3, 0, 1);
	b_str(b, "k\xed\xa0\x80");
	b_u32(b, T_U8);
	b_u8(b, 0);
	emit(b, "key-surrogate-utf8", "kv 0: key is not valid UTF-8 at byte 1");
	hdr(b, 3, 0, 1);
	b_str(b, "k\xe4\xb8");
	b_u32(b, T_U8);
	b_u8(b, 0);
	emit(b, "key-cut-utf8", "kv 0: key is not valid UTF-8 at byte 1");

	hdr(b, 3, 0, 2);
	kv_u32(b, "a", 1);
	kv_u32(b, "a", 2);
	emit(b, "duplicate-key", "kv 1 'a': duplicate key (first at kv 0)");
	hdr(b, 3, 0, 1);
	b_str(b, "a");
	b_u32(b, 13);
	b_fill(b, 0, 8);
	emit(b, "unknown-type", "kv 0 'a': unknown value type 13 (offset 33)");
	hdr(b, 3, 0, 1);
	b_str(b, "a");
	b_u32(b, 0xffffffff);
	b_fill(b, 0, 8);
	emit(b, "negative-type", "kv 0 'a': unknown value type 4294967295");
	hdr(b, 3, 0, 1);
	b_str(b, "a");
	b_u32(b, T_ARRAY);
	b_u32(b, T_ARRAY);
	b_u64(b, 1);
	b_u32(b, T_U8);
	b_u64(b, 1);
	b_u8(b, 0);
	emit(b, "array-of-arrays", "kv 0 'a': nested array (offset 37)");
	hdr(b, 3, 0, 1);
	b_str(b, "a");
	b_u32(b, T_ARRAY);
	b_u32(b, 13);
	b_u64(b, 1);
	b_u8(b, 0);
	emit(b, "array-unknown-type",
	    "kv 0 'a': unknown array element type 13");
	hdr(b, 3, 0, 1);
	b_str(b, "a");
	b_u32(b, T_ARRAY);
	b_u32(b, T_U64);
	b_u64(b, (1ULL << 61) + 1);
	b_fill(b, 0, 16);
	emit(b, "array-size-overflow", "kv 0 'a': array of 2305843009213693953 "
	    "uint64 needs at least 18446744073709551615 bytes, 16 left");
	hdr(b, 3, 0, 1);
	b_str(b, "a");
	b_u32(b, T_ARRAY);
	b_u32(b, T_U8);
	b_u64(b, U64MAX);
	b_fill(b, 0, 16);
	emit(b, "array-len-max",
	    "kv 0 'a': array of 18446744073709551615 uint8 needs at least");
	hdr(b, 3, 0, 1);
	b_str(b, "a");
	b_u32(b, T_ARRAY);
	b_u32(b, T_STRING);
	b_u64(b, 5);
	b_fill(b, 0, 39);
	emit(b, "string-array-count",
	    "kv 0 'a': array of 5 string needs at least 40 bytes, 39 left");
	hdr(b, 3, 0, 1);
	b_str(b, "a");
	b_u32(b, T_BOOL);
	b_u8(b, 2);
	b_fill(b, 0, 8);
	emit(b, "bool-2", "kv 0 'a': value: bool value 2 is not 0 or 1");
	hdr(b, 3, 0, 1);
	b_str(b, "a");
	b_u32(b, T_ARRAY);
	b_u32(b, T_BOOL);
	b_u64(b, 3);
	b_u8(b, 1);
	b_u8(b, 0);
	b_u8(b, 255);
	emit(b, "bool-array-255",
	    "kv 0 'a': element 2: bool value 255 is not 0 or 1");
}

/* Records cut short after a complete first kv (so the counts pass). */
static void
trunc_kv(buf *b)
{
	hdr(b, 3, 0, 2);
	kv_filler(b);
	b_fill(b, 0, 4);
	emit(b, "trunc-key-len", "kv 1: key: truncated: needs 8 bytes");
	hdr(b, 3, 0, 2);
	kv_filler(b);
	b_u64(b, 10);
	b_bytes(b, "abcde", 5);
	emit(b, "trunc-key-bytes",
	    "kv 1: key length 10 exceeds the 5 bytes left (offset 120)");
	hdr(b, 3, 0, 2);
	kv_filler(b);
	b_str(b, "abc");
	b_fill(b, 0, 2);
	emit(b, "trunc-type", "kv 1 'abc': type: truncated: needs 4 bytes");
	hdr(b, 3, 0, 2);
	kv_filler(b);
	b_str(b, "abc");
	b_u32(b, T_U32);
	b_fill(b, 0, 2);
	emit(b, "trunc-value", "kv 1 'abc': value: truncated: needs 4 bytes");
	hdr(b, 3, 0, 2);
	kv_filler(b);
	b_str(b, "abc");
	b_u32(b, T_STRING);
	b_u64(b, 10);
	b_bytes(b, "xyz", 3);
	emit(b, "trunc-string-value",
	    "kv 1 'abc': value length 10 exceeds the 3 bytes left");
	hdr(b, 3, 0, 2);
	kv_filler(b);
	b_str(b, "abc");
	b_u32(b, T_ARRAY);
	b_fill(b, 0, 2);
	emit(b, "trunc-array-type",
	    "kv 1 'abc': array type: truncated: needs 4 bytes");
	hdr(b, 3, 0, 2);
	kv_filler(b);
	b_str(b, "abc");
	b_u32(b, T_ARRAY);
	b_u32(b, T_U32);
	b_fill(b, 0, 4);
	emit(b, "trunc-array-len",
	    "kv 1 'abc': array length: truncated: needs 8 bytes");
	hdr(b, 3, 0, 2);
	kv_filler(b);
	b_str(b, "abc");
	b_u32(b, T_ARRAY);
	b_u32(b, T_U32);
	b_u64(b, 4);
	b_fill(b, 0, 6);
	emit(b, "trunc-array-elems",
	    "kv 1 'abc': array of 4 uint32 needs at least 16 bytes, 6 left");
	hdr(b, 3, 0, 2);
	kv_filler(b);
	b_str(b, "abc");
	b_u32(b, T_ARRAY);
	b_u32(b, T_STRING);
	b_u64(b, 2);
	b_str(b, "the first string is complete");
	b_fill(b, 0, 4);
	emit(b, "trunc-string-elem-len",
	    "kv 1 'abc': element 1: truncated: needs 8 bytes");
	hdr(b, 3, 0, 2);
	kv_filler(b);
	b_str(b, "abc");
	b_u32(b, T_ARRAY);
	b_u32(b, T_STRING);
	b_u64(b, 2);
	b_str(b, "the first string is complete");
	b_u64(b, 10);
	b_bytes(b, "xyz", 3);
	emit(b, "trunc-string-elem",
	    "kv 1 'abc': element 1 length 10 exceeds the 3 bytes left");
}

/* ------------------------------------------------------------------ */
/* general.alignment                                                  */

static void
alignment(buf *b)
{
	static const struct {
		uint32_t	 v;
		const char	*name, *want;
	} bad[] = {
		{ 0, "align-0", "kv 0 'general.alignment': alignment 0 is "
		    "not a power of two" },
		{ 3, "align-3", "kv 0 'general.alignment': alignment 3 is "
		    "not a power of two" },
		{ 13, "align-13", "kv 0 'general.alignment': alignment 13 is "
		    "not a power of two" },
		{ 1u << 31, "align-2e31", "kv 0 'general.alignment': "
		    "alignment 2147483648 exceeds the limit of 1048576" },
		{ 1u << 21, "align-2e21", "kv 0 'general.alignment': "
		    "alignment 2097152 exceeds the limit of 1048576" },
		{ 0x80000001, "align-2e31-plus-1", "kv 0 'general.alignment': "
		    "alignment 2147483649 is not a power of two" },
	};
	size_t i;

	hdr(b, 3, 0, 1);
	b_str(b, "general.alignment");
	b_u32(b, T_I32);
	b_u32(b, 32);
	emit(b, "align-int32",
	    "kv 0 'general.alignment': type int32, expected uint32");
	hdr(b, 3, 0, 1);
	b_str(b, "general.alignment");
	b_u32(b, T_U64);
	b_u64(b, 32);
	emit(b, "align-uint64",
	    "kv 0 'general.alignment': type uint64, expected uint32");
	hdr(b, 3, 0, 2);
	kv_filler(b);
	kv_str(b, "general.alignment", "32");
	emit(b, "align-string",
	    "kv 1 'general.alignment': type string, expected uint32");
	hdr(b, 3, 0, 1);
	b_str(b, "general.alignment");
	b_u32(b, T_ARRAY);
	b_u32(b, T_U32);
	b_u64(b, 1);
	b_u32(b, 32);
	emit(b, "align-array",
	    "kv 0 'general.alignment': type array, expected uint32");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hdr(b, 3, 0, 1);
		kv_u32(b, "general.alignment", bad[i].v);
		emit(b, bad[i].name, bad[i].want);
	}
}

/* ------------------------------------------------------------------ */
/* tensor infos                                                       */

/* One tensor, no kvs, and its data (nbytes zeros, at most 256). */
static void
one(buf *b, const char *name, uint32_t ndim, const uint64_t *ne,
    uint32_t type, uint64_t offset, size_t nbytes)
{
	hdr(b, 3, 1, 0);
	tinfo(b, name, ndim, ne, type, offset);
	b_align(b, 32);
	b_fill(b, 0, nbytes);
}

static void
tensors(buf *b)
{
	static const uint64_t n16[] = { 16 }, ones5[] = { 1, 1, 1, 1, 1 };
	static const uint64_t neg0[] = { U64MAX };
	static const uint64_t neg2[] = { 4, 4, 1ULL << 63 };
	static const uint64_t max2[] = { I64MAX, 2 };
	static const uint64_t e63[] = { 1ULL << 32, 1ULL << 31 };
	static const uint64_t e64[] = { 1 << 16, 1 << 16, 1 << 16, 1 << 16 };
	static const uint64_t q4k[] = { I64MAX - 255 }, q80[] = { I64MAX - 31 };
	static const uint64_t q80e42[] = { 1152, (1ULL << 42) + 1 };
	static const uint64_t f32ovf[] = { 1ULL << 62 };
	static const uint64_t f16e63[] = { 1ULL << 31, 1ULL << 31 };
	static const uint64_t f32pad[] = { SIZE_MAX / 4 };
	static const uint64_t n33[] = { 33 }, n1000[] = { 1000 };
	char name[65];

	memset(name, 'n', 64);
	name[64] = '\0';
	one(b, name, 1, n16, F32, 0, 64);
	emit(b, "tname-64-bytes",
	    "tensor 0: name of 64 bytes exceeds 63 (offset 24)");
	hdr(b, 3, 2, 0);
	tinfo(b, "a", 1, n16, F32, 0);
	tinfo(b, "a", 1, n16, F32, 64);
	b_align(b, 32);
	b_fill(b, 0, 128);
	emit(b, "tname-duplicate",
	    "tensor 1 'a': duplicate tensor name (first at tensor 0)");
	one(b, "blk.0.\xc3\x28", 1, n16, F32, 0, 64);
	emit(b, "tname-bad-utf8",
	    "tensor 0: name is not valid UTF-8 at byte 6");
	one(b, "\033]0;pwned\007", 1, n16, F32, 0, 64);
	emit(b, "tname-escape",
	    "tensor 0: name contains control character 0x1b at byte 0");
	hdr(b, 3, 1, 0);
	b_strn(b, "w\0x", 3);
	b_u32(b, 1);
	b_u64(b, 16);
	b_u32(b, F32);
	b_u64(b, 0);
	b_align(b, 32);
	b_fill(b, 0, 64);
	emit(b, "tname-nul",
	    "tensor 0: name contains control character 0x00 at byte 1");

	one(b, "a", 5, ones5, F32, 0, 32);
	emit(b, "n-dims-5", "tensor 0 'a': 5 dims > 4 (offset 33)");
	hdr(b, 3, 1, 0);
	b_str(b, "a");
	b_u32(b, 0xffffffff);
	b_fill(b, 0, 40);
	emit(b, "n-dims-max", "tensor 0 'a': 4294967295 dims > 4");
	one(b, "a", 1, neg0, F32, 0, 32);
	emit(b, "ne-negative", "tensor 0 'a': ne[0] = 18446744073709551615 "
	    "is negative as int64");
	one(b, "a", 3, neg2, F32, 0, 32);
	emit(b, "ne2-negative", "tensor 0 'a': ne[2] = 9223372036854775808 "
	    "is negative as int64");
	one(b, "a", 2, max2, F32, 0, 32);
	emit(b, "ne-int64max-by-2",
	    "tensor 0 'a': element count overflows at ne[1] = 2");
	one(b, "a", 2, e63, F32, 0, 32);
	emit(b, "nelem-2e63",
	    "tensor 0 'a': element count overflows at ne[1] = 2147483648");
	one(b, "a", 4, e64, Q4_0, 0, 32);
	emit(b, "nelem-2e64",
	    "tensor 0 'a': element count overflows at ne[3] = 65536");
	/*
	 * Once nelem fits in int64, no block type (at most 34/32 bytes an
	 * element) can overflow nbytes: these are caught as too large.
	 */
	one(b, "a", 1, q4k, Q4_K, 0, 32);
	emit(b, "q4k-ne0-huge", "tensor 0 'a': data [0, +5188146770730811248) "
	    "lies outside the 32 bytes");
	one(b, "a", 1, q80, Q8_0, 0, 32);
	emit(b, "q8-0-ne0-huge", "tensor 0 'a': data [0, "
	    "+9799832789158199262) lies outside the 32 bytes");
	/* llama.cpp #18674: ne1 = 2^42 + 1 under a q8_0 row */
	one(b, "a", 2, q80e42, Q8_0, 0, 32);
	emit(b, "q8-0-ne1-2e42", "tensor 0 'a': data [0, +5383208929592520) "
	    "lies outside the 32 bytes");
	one(b, "a", 1, f32ovf, F32, 0, 32);
	emit(b, "f32-nbytes-overflow", "tensor 0 'a': byte size of f32 "
	    "[4611686018427387904, 1, 1, 1] overflows");
	one(b, "a", 2, f16e63, F16, 0, 32);
	emit(b, "f16-nbytes-2e63", "tensor 0 'a': data [0, "
	    "+9223372036854775808) lies outside the 32 bytes");
	/* ggml's GGML_PAD of this size wraps to 0 */
	one(b, "a", 1, f32pad, F32, 0, 32);
	emit(b, "f32-size-max-4", "tensor 0 'a': data [0, "
	    "+18446744073709551612) lies outside the 32 bytes");
	one(b, "a", 1, n16, 40, 0, 64);
	emit(b, "ttype-40", "tensor 0 'a': unknown tensor type 40 (offset 45)");
	one(b, "a", 1, n16, 4, 0, 64);
	emit(b, "ttype-4-removed", "tensor 0 'a': unknown tensor type 4");
	one(b, "a", 1, n16, 31, 0, 64);
	emit(b, "ttype-31-removed", "tensor 0 'a': unknown tensor type 31");
	one(b, "a", 1, n16, 0xffffffff, 0, 64);
	emit(b, "ttype-max", "tensor 0 'a': unknown tensor type 4294967295");
	one(b, "a", 1, n33, Q4_0, 0, 64);
	emit(b, "ne0-not-block-multiple", "tensor 0 'a': ne[0] = 33 is not a "
	    "multiple of the q4_0 block size 32");
	one(b, "a", 1, n1000, Q4_K, 0, 64);
	emit(b, "ne0-not-k-multiple", "tensor 0 'a': ne[0] = 1000 is not a "
	    "multiple of the q4_k block size 256");
}

/* Tensor infos cut short after a kv that makes the counts pass. */
static void
trunc_tensor(buf *b)
{
	hdr(b, 3, 1, 1);
	kv_filler(b);
	b_fill(b, 0, 4);
	emit(b, "trunc-tname-len", "tensor 0: name: truncated: needs 8 bytes");
	hdr(b, 3, 1, 1);
	kv_filler(b);
	b_u64(b, 10);
	b_bytes(b, "abcd", 4);
	emit(b, "trunc-tname",
	    "tensor 0: name length 10 exceeds the 4 bytes left");
	hdr(b, 3, 1, 1);
	kv_filler(b);
	b_str(b, "w");
	b_fill(b, 1, 2);
	emit(b, "trunc-n-dims", "tensor 0 'w': n_dims: truncated");
	hdr(b, 3, 1, 1);
	kv_filler(b);
	b_str(b, "w");
	b_u32(b, 2);
	b_u64(b, 16);
	b_fill(b, 1, 3);
	emit(b, "trunc-ne", "tensor 0 'w': ne: truncated: needs 8 bytes");
	hdr(b, 3, 1, 1);
	kv_filler(b);
	b_str(b, "w");
	b_u32(b, 1);
	b_u64(b, 16);
	b_fill(b, 0, 3);
	emit(b, "trunc-ttype", "tensor 0 'w': type: truncated: needs 4 bytes");
	hdr(b, 3, 1, 1);
	kv_filler(b);
	b_str(b, "w");
	b_u32(b, 1);
	b_u64(b, 16);
	b_u32(b, F32);
	b_fill(b, 0, 7);
	emit(b, "trunc-toffset",
	    "tensor 0 'w': offset: truncated: needs 8 bytes");
}

/* ------------------------------------------------------------------ */
/* offsets and data                                                   */

static void
data(buf *b)
{
	static const uint64_t n4[] = { 4 }, n16[] = { 16 }, n0[] = { 0 };
	static const uint64_t n2e61[] = { 1ULL << 61 };

	one(b, "a", 1, n4, F32, 4, 64);
	emit(b, "offset-unaligned", "tensor 0 'a': offset 4 is not a multiple "
	    "of the alignment 32");
	hdr(b, 3, 1, 1);
	kv_u32(b, "general.alignment", 64);
	tinfo(b, "a", 1, n4, F32, 32);
	b_align(b, 64);
	b_fill(b, 0, 64);
	emit(b, "offset-unaligned-64", "tensor 0 'a': offset 32 is not a "
	    "multiple of the alignment 64");
	hdr(b, 3, 2, 0);
	tinfo(b, "a", 1, n16, F32, 0);
	tinfo(b, "b", 1, n16, F32, 32);
	b_align(b, 32);
	b_fill(b, 0, 96);
	emit(b, "overlap", "tensor 1 'b': data at offset 32 overlaps tensor "
	    "0 'a' ending at 64");
	hdr(b, 3, 3, 0);
	tinfo(b, "a", 1, n16, F32, 64);
	tinfo(b, "b", 1, n4, F32, 160);
	tinfo(b, "c", 1, n16, F32, 64);
	b_align(b, 32);
	b_fill(b, 0, 192);
	emit(b, "overlap-same-offset", "tensor 2 'c': data at offset 64 "
	    "overlaps tensor 0 'a' ending at 128");
	one(b, "a", 1, n4, F32, 1024, 16);
	emit(b, "offset-past-eof", "tensor 0 'a': data [1024, +16) lies "
	    "outside the 16 bytes of the data section");
	one(b, "a", 1, n4, F32, 0, 15);
	emit(b, "data-short-1-byte", "tensor 0 'a': data [0, +16) lies "
	    "outside the 15 bytes of the data section");
	hdr(b, 3, 2, 0);
	tinfo(b, "a", 1, n4, F32, 0);
	tinfo(b, "b", 1, n16, F32, 32);
	b_align(b, 32);
	b_fill(b, 0, 95);
	emit(b, "data-short-last", "tensor 1 'b': data [32, +64) lies "
	    "outside the 95 bytes of the data section");
	one(b, "a", 1, n16, F32, U64MAX - 31, 64);
	emit(b, "offset-wraps", "tensor 0 'a': data [18446744073709551584, "
	    "+64) lies outside the 64 bytes");
	hdr(b, 3, 2, 0);
	tinfo(b, "a", 1, n2e61, F32, 0);
	tinfo(b, "b", 1, n2e61, F32, 1ULL << 63);
	b_align(b, 32);
	b_fill(b, 0, 64);
	emit(b, "sizes-sum-past-2e64", "tensor 0 'a': data [0, "
	    "+9223372036854775808) lies outside the 64 bytes");
	/* a zero-size tensor, but the file ends before the padding */
	hdr(b, 3, 1, 0);
	tinfo(b, "a", 1, n0, F32, 0);
	emit(b, "data-start-past-eof", "truncated: data section would start "
	    "at offset 64, past the end of the file (57 bytes)");
}

/* ------------------------------------------------------------------ */
/* valid edge cases                                                   */

static void
valid(buf *b)
{
	static const uint64_t n4[] = { 4 }, n8[] = { 8 }, n16[] = { 16 };
	static const uint64_t z0[] = { 0, 4, 4, 4 }, z1[] = { 4, 0, 4, 4 };
	static const uint64_t z2[] = { 4, 4, 0, 4 }, z3[] = { 4, 4, 4, 0 };
	static const uint64_t zq[] = { 0, 3 }, zk[] = { 256, 0 };

	hdr(b, 3, 0, 0);
	emit(b, "ok-header-only", NULL);
	hdr(b, 2, 0, 2);
	kv_filler(b);
	kv_u32(b, "general.alignment", 8);
	emit(b, "ok-v2-zero-tensors", NULL);

	/* zeros in every position: size 0, no division by zero */
	hdr(b, 3, 7, 0);
	tinfo(b, "w", 1, n8, F32, 0);
	tinfo(b, "z0", 4, z0, F32, 0);
	tinfo(b, "z1", 4, z1, F32, 32);
	tinfo(b, "z2", 4, z2, F32, 32);
	tinfo(b, "z3", 4, z3, F32, 0);
	tinfo(b, "zq", 2, zq, Q4_0, 32);
	tinfo(b, "zk", 2, zk, Q4_K, 32);
	b_align(b, 32);
	b_fill(b, 0, 32);
	emit(b, "ok-zero-dims", NULL);

	/* alignment 1: no padding anywhere */
	hdr(b, 3, 2, 1);
	kv_u32(b, "general.alignment", 1);
	tinfo(b, "a", 1, n4, F16, 0);
	tinfo(b, "b", 1, n4, F32, 8);
	b_fill(b, 0x3c, 8);
	b_fill(b, 0, 16);
	emit(b, "ok-align-1", NULL);

	/* n_dims 0: a scalar of one element (ggml accepts it too) */
	hdr(b, 3, 1, 0);
	tinfo(b, "s", 0, NULL, F32, 0);
	b_align(b, 32);
	b_fill(b, 0, 4);
	emit(b, "ok-n-dims-0", NULL);

	/* offsets in any order, with gaps, as long as none overlap */
	hdr(b, 3, 2, 0);
	tinfo(b, "late", 1, n16, F32, 128);
	tinfo(b, "early", 1, n16, F32, 0);
	b_align(b, 32);
	b_fill(b, 0, 192);
	emit(b, "ok-out-of-order", NULL);

	/* empty strings and empty arrays, non-ASCII text */
	hdr(b, 3, 0, 5);
	kv_str(b, "empty", "");
	b_str(b, "strs");
	b_u32(b, T_ARRAY);
	b_u32(b, T_STRING);
	b_u64(b, 3);
	b_str(b, "");
	b_str(b, "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	b_str(b, "");
	b_str(b, "no.strs");
	b_u32(b, T_ARRAY);
	b_u32(b, T_STRING);
	b_u64(b, 0);
	b_str(b, "no.u64s");
	b_u32(b, T_ARRAY);
	b_u32(b, T_U64);
	b_u64(b, 0);
	kv_str(b, "cl\xc3\xa9", "\x01\x1b[0m values may hold anything");
	emit(b, "ok-empty-values", NULL);

	/* the largest alignment allowed, with the data 1 MiB in */
	hdr(b, 3, 1, 1);
	kv_u32(b, "general.alignment", 1u << 20);
	tinfo(b, "a", 1, n4, F32, 0);
	b_align(b, 1u << 20);
	b_fill(b, 0, 16);
	emit(b, "ok-align-1m", NULL);
}

int
main(int argc, char *argv[])
{
	char path[4096];
	buf b = { 0 };

	if (argc != 2) {
		fprintf(stderr, "usage: mkbad dir\n");
		return 2;
	}
	dir = argv[1];
	snprintf(path, sizeof(path), "%s/expect.tsv", dir);
	if ((expect = fopen(path, "w")) == NULL)
		die(path);
	header(&b);
	keys(&b);
	trunc_kv(&b);
	alignment(&b);
	tensors(&b);
	trunc_tensor(&b);
	data(&b);
	valid(&b);
	free(b.p);
	if (fclose(expect) != 0)
		die(path);
	return 0;
}
