/*
 * gguf.c - validated GGUF reader and writer.
 *
 * The reader walks the header once with a cursor that knows how many
 * bytes are left, checks every field before it is used, and keeps only
 * an index (offsets into the mapping) of the key/values and tensors.
 * Nothing is trusted later: getters read what open() already checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dtype.h"
#include "gguf.h"
#include "utf8.h"

#define GGUF_MAGIC	"GGUF"

struct lc_gguf {
	const uint8_t	*base;
	uint64_t	 size;
	int		 mapped;
	char		*name;
	uint32_t	 version;
	uint32_t	 alignment;
	uint64_t	 data_offset;
	uint64_t	 data_size;
	uint64_t	 nkv, ntensors;
	lc_gguf_kv	*kv;
	lc_tensor_info	*ti;
	uint32_t	*kvhash, *tihash;	/* open addressing: index + 1 */
	uint64_t	 kvmask, timask;
};

/* ------------------------------------------------------------------ */
/* types                                                              */

static const struct {
	const char	*name;
	size_t		 size;
} gtypes[LC_GGUF_NTYPES] = {
	[LC_GGUF_U8] = { "uint8", 1 },		[LC_GGUF_I8] = { "int8", 1 },
	[LC_GGUF_U16] = { "uint16", 2 },	[LC_GGUF_I16] = { "int16", 2 },
	[LC_GGUF_U32] = { "uint32", 4 },	[LC_GGUF_I32] = { "int32", 4 },
	[LC_GGUF_F32] = { "float32", 4 },	[LC_GGUF_BOOL] = { "bool", 1 },
	[LC_GGUF_STRING] = { "string", 0 },	[LC_GGUF_ARRAY] = { "array", 0 },
	[LC_GGUF_U64] = { "uint64", 8 },	[LC_GGUF_I64] = { "int64", 8 },
	[LC_GGUF_F64] = { "float64", 8 },
};

const char *
lc_gguf_type_name(uint32_t type)
{
	return type < LC_GGUF_NTYPES ? gtypes[type].name : "unknown";
}

size_t
lc_gguf_type_size(uint32_t type)
{
	return type < LC_GGUF_NTYPES ? gtypes[type].size : 0;
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* ------------------------------------------------------------------ */
/* hashing of names (FNV-1a) for duplicate checks and lookups         */

static uint64_t
fnv(const void *s, size_t n)
{
	const uint8_t *p = s;
	uint64_t h = 14695981039346656037ULL;

	while (n--)
		h = (h ^ *p++) * 1099511628211ULL;
	return h;
}

static int
hash_new(uint32_t **tab, uint64_t *mask, uint64_t n)
{
	uint64_t cap = 16;

	while (cap < 2 * n)
		cap <<= 1;
	if ((*tab = calloc(cap, sizeof(**tab))) == NULL)
		return -1;
	*mask = cap - 1;
	return 0;
}

/*
 * Looks (s, n) up in tab, whose entries index arr (elements of stride
 * bytes with a name pointer at noff and a size_t length at loff).
 * Returns the entry index, or -1 with *slot set to the free slot where
 * it belongs.
 */
static int64_t
hfind(const uint32_t *tab, uint64_t mask, const void *arr, size_t stride,
    size_t noff, size_t loff, const char *s, size_t n, uint64_t *slot)
{
	uint64_t h = fnv(s, n) & mask;
	const char *x, *name;
	size_t len;

	for (; tab[h] != 0; h = (h + 1) & mask) {
		x = (const char *)arr + (size_t)(tab[h] - 1) * stride;
		memcpy(&name, x + noff, sizeof(name));
		memcpy(&len, x + loff, sizeof(len));
		if (len == n && memcmp(name, s, n) == 0)
			return (int64_t)tab[h] - 1;
	}
	*slot = h;
	return -1;
}

#define KV_FIND(g, s, n, slot) hfind((g)->kvhash, (g)->kvmask, (g)->kv, \
	sizeof(lc_gguf_kv), offsetof(lc_gguf_kv, key), \
	offsetof(lc_gguf_kv, keylen), (s), (n), (slot))
#define TI_FIND(g, s, n, slot) hfind((g)->tihash, (g)->timask, (g)->ti, \
	sizeof(lc_tensor_info), offsetof(lc_tensor_info, name), \
	offsetof(lc_tensor_info, namelen), (s), (n), (slot))

/* ------------------------------------------------------------------ */
/* the cursor                                                         */

typedef struct rd {
	const uint8_t	*base;
	uint64_t	 size, pos;
	lc_err		*e;
	char		 what[160];	/* the record being read, for messages */
} rd;

static uint64_t
left(const rd *r)
{
	return r->size - r->pos;
}

static int
need(rd *r, uint64_t n, const char *field)
{
	if (n > left(r))
		return lc_errf(r->e, LC_EFORMAT,
		    "%s%s%s: truncated: needs %llu bytes at offset %llu, "
		    "%llu left", r->what, *r->what ? ": " : "", field,
		    (unsigned long long)n, (unsigned long long)r->pos,
		    (unsigned long long)left(r));
	return LC_OK;
}

static int
get32(rd *r, uint32_t *v, const char *field)
{
	if (need(r, 4, field) != LC_OK)
		return LC_EFORMAT;
	*v = rd32(r->base + r->pos);
	r->pos += 4;
	return LC_OK;
}

static int
get64(rd *r, uint64_t *v, const char *field)
{
	if (need(r, 8, field) != LC_OK)
		return LC_EFORMAT;
	*v = rd64(r->base + r->pos);
	r->pos += 8;
	return LC_OK;
}

static int
bad(rd *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int
bad(rd *r, const char *fmt, ...)
{
	char buf[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return lc_errf(r->e, LC_EFORMAT, "%s%s%s", r->what,
	    *r->what ? ": " : "", buf);
}

/*
 * Reads a string header and checks its bytes are present.  Names (keys,
 * tensor names) must also be valid UTF-8 without control characters.
 */
static int
getstr(rd *r, const char **s, uint64_t *n, uint64_t max, int isname,
    const char *field)
{
	uint64_t off = r->pos, i;
	const uint8_t *p;

	if (get64(r, n, field) != LC_OK)
		return LC_EFORMAT;
	if (*n > left(r))
		return bad(r, "%s length %llu exceeds the %llu bytes left "
		    "(offset %llu)", field, (unsigned long long)*n,
		    (unsigned long long)left(r), (unsigned long long)off);
	if (*n > max)
		return bad(r, "%s length %llu exceeds the limit of %llu "
		    "(offset %llu)", field, (unsigned long long)*n,
		    (unsigned long long)max, (unsigned long long)off);
	p = r->base + r->pos;
	if (isname) {
		for (i = 0; i < *n; i++)
			if (p[i] < 0x20 || p[i] == 0x7f)
				return bad(r, "%s contains control character "
				    "0x%02x at byte %llu (offset %llu)", field,
				    p[i], (unsigned long long)i,
				    (unsigned long long)off);
		if ((i = lc_utf8_valid(p, *n)) != *n)
			return bad(r, "%s is not valid UTF-8 at byte %llu "
			    "(offset %llu)", field, (unsigned long long)i,
			    (unsigned long long)off);
	}
	*s = (const char *)p;
	r->pos += *n;
	return LC_OK;
}

/*
 * Copies a validated name (UTF-8, no C0 controls) into buf for messages:
 * C1 controls become '?', and a long name is cut between characters and
 * marked with "...".
 */
static void
shown(char *buf, size_t sz, const char *s, uint64_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, j = 0, k;

	while (i < n) {
		k = u[i] < 0x80 ? 1 : u[i] < 0xe0 ? 2 : u[i] < 0xf0 ? 3 : 4;
		if (k > n - i || j + k + 4 > sz)
			break;
		if (k == 2 && u[i] == 0xc2 && u[i + 1] < 0xa0)
			buf[j++] = '?';
		else if (u[i] == 0x7f)
			buf[j++] = '?';
		else {
			memcpy(buf + j, u + i, k);
			j += k;
		}
		i += k;
	}
	if (i < n) {
		memcpy(buf + j, "...", 3);
		j += 3;
	}
	buf[j] = '\0';
}

/* ------------------------------------------------------------------ */
/* key/values                                                         */

/* Validates one value of type t (not ARRAY) at the cursor. */
static int
skip_scalar(rd *r, uint32_t t, const char *field)
{
	const char *s;
	uint64_t n;

	if (t == LC_GGUF_STRING)
		return getstr(r, &s, &n, LC_GGUF_MAX_STRING, 0, field);
	if (need(r, gtypes[t].size, field) != LC_OK)
		return LC_EFORMAT;
	if (t == LC_GGUF_BOOL && r->base[r->pos] > 1)
		return bad(r, "%s: bool value %u is not 0 or 1 (offset %llu)",
		    field, r->base[r->pos], (unsigned long long)r->pos);
	r->pos += gtypes[t].size;
	return LC_OK;
}

static int
read_kv(rd *r, lc_gguf *g, uint64_t i)
{
	lc_gguf_kv *kv = &g->kv[i];
	char nm[80];
	const char *key;
	uint64_t keylen, slot, n, k, start;
	uint32_t t, et;
	int64_t dup;

	kv->offset = r->pos;
	snprintf(r->what, sizeof(r->what), "kv %llu", (unsigned long long)i);
	if (getstr(r, &key, &keylen, 65535, 1, "key") != LC_OK)
		return LC_EFORMAT;
	if (keylen == 0)
		return bad(r, "empty key (offset %llu)",
		    (unsigned long long)kv->offset);
	shown(nm, sizeof(nm), key, keylen);
	snprintf(r->what, sizeof(r->what), "kv %llu '%s'",
	    (unsigned long long)i, nm);
	dup = KV_FIND(g, key, keylen, &slot);
	if (dup >= 0)
		return bad(r, "duplicate key (first at kv %lld)",
		    (long long)dup);
	kv->key = key;
	kv->keylen = keylen;
	g->kvhash[slot] = (uint32_t)i + 1;
	if (get32(r, &t, "type") != LC_OK)
		return LC_EFORMAT;
	if (t >= LC_GGUF_NTYPES)
		return bad(r, "unknown value type %u (offset %llu)", t,
		    (unsigned long long)(r->pos - 4));
	kv->type = kv->elem_type = t;
	kv->n = 1;
	if (t != LC_GGUF_ARRAY) {
		kv->data = r->base + r->pos;
		start = r->pos;
		if (skip_scalar(r, t, "value") != LC_OK)
			return LC_EFORMAT;
		kv->nbytes = r->pos - start;
		return LC_OK;
	}
	if (get32(r, &et, "array type") != LC_OK ||
	    get64(r, &n, "array length") != LC_OK)
		return LC_EFORMAT;
	if (et >= LC_GGUF_NTYPES)
		return bad(r, "unknown array element type %u (offset %llu)",
		    et, (unsigned long long)(r->pos - 12));
	if (et == LC_GGUF_ARRAY)
		return bad(r, "nested array (offset %llu): not supported",
		    (unsigned long long)(r->pos - 12));
	/* each element takes at least 1 byte (8 for a string length) */
	k = et == LC_GGUF_STRING ? 8 : gtypes[et].size;
	if (n > left(r) / k)
		return bad(r, "array of %llu %s needs at least %llu bytes, "
		    "%llu left (offset %llu)", (unsigned long long)n,
		    gtypes[et].name, n > UINT64_MAX / k ?
		    (unsigned long long)UINT64_MAX : (unsigned long long)(n * k),
		    (unsigned long long)left(r),
		    (unsigned long long)(r->pos - 8));
	kv->elem_type = et;
	kv->n = n;
	kv->data = r->base + r->pos;
	start = r->pos;
	if (et == LC_GGUF_STRING) {
		for (k = 0; k < n; k++) {
			char f[48];
			snprintf(f, sizeof(f), "element %llu",
			    (unsigned long long)k);
			if (skip_scalar(r, et, f) != LC_OK)
				return LC_EFORMAT;
		}
	} else if (et == LC_GGUF_BOOL) {
		for (k = 0; k < n; k++)
			if (r->base[r->pos + k] > 1)
				return bad(r, "element %llu: bool value %u is "
				    "not 0 or 1", (unsigned long long)k,
				    r->base[r->pos + k]);
		r->pos += n;
	} else {
		r->pos += n * gtypes[et].size;
	}
	kv->nbytes = r->pos - start;
	return LC_OK;
}

/* ------------------------------------------------------------------ */
/* tensor infos                                                       */

static int
read_tensor(rd *r, lc_gguf *g, uint64_t i)
{
	lc_tensor_info *ti = &g->ti[i];
	const lc_dtype_traits *tr;
	const char *name;
	char nm[80];
	uint64_t namelen, slot, off = r->pos, k;
	uint32_t ndim, t;
	int64_t dup;

	snprintf(r->what, sizeof(r->what), "tensor %llu",
	    (unsigned long long)i);
	if (getstr(r, &name, &namelen, UINT64_MAX, 1, "name") != LC_OK)
		return LC_EFORMAT;
	if (namelen > LC_GGUF_MAX_NAME)
		return bad(r, "name of %llu bytes exceeds %d (offset %llu)",
		    (unsigned long long)namelen, LC_GGUF_MAX_NAME,
		    (unsigned long long)off);
	shown(nm, sizeof(nm), name, namelen);
	snprintf(r->what, sizeof(r->what), "tensor %llu '%s'",
	    (unsigned long long)i, nm);
	dup = TI_FIND(g, name, namelen, &slot);
	if (dup >= 0)
		return bad(r, "duplicate tensor name (first at tensor %lld)",
		    (long long)dup);
	ti->name = name;
	ti->namelen = namelen;
	g->tihash[slot] = (uint32_t)i + 1;
	if (get32(r, &ndim, "n_dims") != LC_OK)
		return LC_EFORMAT;
	if (ndim > 4)
		return bad(r, "%u dims > 4 (offset %llu)", ndim,
		    (unsigned long long)(r->pos - 4));
	ti->ndim = ndim;
	ti->nelem = 1;
	for (k = 0; k < 4; k++) {
		ti->ne[k] = 1;
		if (k >= ndim)
			continue;
		if (get64(r, &ti->ne[k], "ne") != LC_OK)
			return LC_EFORMAT;
		if (ti->ne[k] > INT64_MAX)
			return bad(r, "ne[%llu] = %llu is negative as int64",
			    (unsigned long long)k,
			    (unsigned long long)ti->ne[k]);
		if (__builtin_mul_overflow(ti->nelem, ti->ne[k], &ti->nelem) ||
		    ti->nelem > INT64_MAX)
			return bad(r, "element count overflows at ne[%llu] = "
			    "%llu", (unsigned long long)k,
			    (unsigned long long)ti->ne[k]);
	}
	if (get32(r, &t, "type") != LC_OK)
		return LC_EFORMAT;
	if ((tr = lc_dtype(t)) == NULL)
		return bad(r, "unknown tensor type %u (offset %llu)", t,
		    (unsigned long long)(r->pos - 4));
	ti->dtype = t;
	if (ti->ne[0] % tr->blck != 0)
		return bad(r, "ne[0] = %llu is not a multiple of the %s block "
		    "size %u", (unsigned long long)ti->ne[0], tr->name,
		    tr->blck);
	if (lc_dtype_nbytes(t, ti->ne, &ti->nbytes) != 0)
		return bad(r, "byte size of %s [%llu, %llu, %llu, %llu] "
		    "overflows", tr->name, (unsigned long long)ti->ne[0],
		    (unsigned long long)ti->ne[1],
		    (unsigned long long)ti->ne[2],
		    (unsigned long long)ti->ne[3]);
	if (get64(r, &ti->offset, "offset") != LC_OK)
		return LC_EFORMAT;
	return LC_OK;
}

typedef struct span {
	uint64_t	off, end;
	uint64_t	i;
} span;

static int
cmp_span(const void *a, const void *b)
{
	const span *x = a, *y = b;

	if (x->off != y->off)
		return (x->off > y->off) - (x->off < y->off);
	return (x->i > y->i) - (x->i < y->i);
}

/* Tensor data: aligned, inside the file, not overlapping. */
static int
check_data(rd *r, lc_gguf *g)
{
	uint64_t i, end, prev_end = 0, avail, prev = 0;
	span *sp;
	int rc;
	char nm[80], nm2[80];

	r->what[0] = '\0';
	avail = g->size - g->data_offset;
	for (i = 0; i < g->ntensors; i++) {
		lc_tensor_info *ti = &g->ti[i];
		shown(nm, sizeof(nm), ti->name, ti->namelen);
		if (ti->offset % g->alignment != 0)
			return bad(r, "tensor %llu '%s': offset %llu is not a "
			    "multiple of the alignment %u",
			    (unsigned long long)i, nm,
			    (unsigned long long)ti->offset, g->alignment);
		if (__builtin_add_overflow(ti->offset, ti->nbytes, &end) ||
		    end > avail)
			return bad(r, "tensor %llu '%s': data [%llu, +%llu) "
			    "lies outside the %llu bytes of the data section "
			    "(file truncated?)", (unsigned long long)i, nm,
			    (unsigned long long)ti->offset,
			    (unsigned long long)ti->nbytes,
			    (unsigned long long)avail);
		ti->data = g->base + g->data_offset + ti->offset;
	}
	if (g->ntensors == 0)
		return LC_OK;
	if ((sp = malloc(g->ntensors * sizeof(*sp))) == NULL)
		return lc_errf(r->e, LC_ENOMEM, "tensor index of %llu entries",
		    (unsigned long long)g->ntensors);
	for (i = 0; i < g->ntensors; i++) {
		sp[i].off = g->ti[i].offset;
		sp[i].end = g->ti[i].offset + g->ti[i].nbytes;
		sp[i].i = i;
	}
	qsort(sp, g->ntensors, sizeof(*sp), cmp_span);
	for (i = 0; i < g->ntensors; i++) {
		if (i > 0 && sp[i].off < prev_end && sp[i].end > sp[i].off) {
			lc_tensor_info *a = &g->ti[sp[i].i], *b = &g->ti[prev];
			shown(nm, sizeof(nm), a->name, a->namelen);
			shown(nm2, sizeof(nm2), b->name, b->namelen);
			rc = bad(r, "tensor %llu '%s': data at offset %llu "
			    "overlaps tensor %llu '%s' ending at %llu",
			    (unsigned long long)sp[i].i, nm,
			    (unsigned long long)sp[i].off,
			    (unsigned long long)prev, nm2,
			    (unsigned long long)prev_end);
			free(sp);
			return rc;
		}
		if (sp[i].end >= prev_end) {
			prev_end = sp[i].end;
			prev = sp[i].i;
		}
	}
	free(sp);
	g->data_size = prev_end;
	return LC_OK;
}

/* ------------------------------------------------------------------ */
/* open                                                               */

static int
parse(lc_gguf *g, lc_err *e)
{
	static const char akey[] = "general.alignment";
	rd r = { .base = g->base, .size = g->size, .pos = 0, .e = e };
	lc_gguf_kv kv;
	uint64_t i, pad, slot;
	int64_t ai;
	uint32_t v;

	r.what[0] = '\0';
	if (need(&r, 4, "magic") != LC_OK)
		return LC_EFORMAT;
	if (memcmp(g->base, GGUF_MAGIC, 4) != 0)
		return bad(&r, "bad magic %02x %02x %02x %02x: not a GGUF file",
		    g->base[0], g->base[1], g->base[2], g->base[3]);
	r.pos = 4;
	if (get32(&r, &g->version, "version") != LC_OK)
		return LC_EFORMAT;
	if (g->version != 0 && (g->version & 0xffff) == 0)
		return bad(&r, "version 0x%08x: the file is big-endian (or "
		    "byte-swapped); only little-endian GGUF is supported",
		    g->version);
	if (g->version == 1)
		return lc_errf(e, LC_EUNSUP, "GGUF version 1 is obsolete and "
		    "not supported (convert the model again)");
	if (g->version < 2 || g->version > 3)
		return bad(&r, "unsupported GGUF version %u (expected 2 or 3)",
		    g->version);
	if (get64(&r, &g->ntensors, "tensor count") != LC_OK ||
	    get64(&r, &g->nkv, "kv count") != LC_OK)
		return LC_EFORMAT;
	/* a kv is at least 8+1+4+1 bytes, a tensor info 8+4+4+8 */
	if (g->nkv > LC_GGUF_MAX_KV || g->nkv > left(&r) / 14)
		return bad(&r, "kv count %llu exceeds what %llu bytes can hold "
		    "(limit %u)", (unsigned long long)g->nkv,
		    (unsigned long long)left(&r), LC_GGUF_MAX_KV);
	if (g->ntensors > LC_GGUF_MAX_TENSORS ||
	    g->ntensors > (left(&r) - g->nkv * 14) / 24)
		return bad(&r, "tensor count %llu exceeds what %llu bytes can "
		    "hold (limit %u)", (unsigned long long)g->ntensors,
		    (unsigned long long)left(&r), LC_GGUF_MAX_TENSORS);
	if ((g->kv = calloc(g->nkv ? g->nkv : 1, sizeof(*g->kv))) == NULL ||
	    (g->ti = calloc(g->ntensors ? g->ntensors : 1,
	    sizeof(*g->ti))) == NULL ||
	    hash_new(&g->kvhash, &g->kvmask, g->nkv) != 0 ||
	    hash_new(&g->tihash, &g->timask, g->ntensors) != 0)
		return lc_errf(e, LC_ENOMEM, "index of %llu keys and %llu "
		    "tensors", (unsigned long long)g->nkv,
		    (unsigned long long)g->ntensors);
	for (i = 0; i < g->nkv; i++)
		if (read_kv(&r, g, i) != LC_OK)
			return LC_EFORMAT;
	g->alignment = LC_GGUF_DEFAULT_ALIGNMENT;
	if ((ai = KV_FIND(g, akey, strlen(akey), &slot)) >= 0) {
		kv = g->kv[ai];
		snprintf(r.what, sizeof(r.what), "kv %lld '%s'", (long long)ai,
		    akey);
		if (kv.type != LC_GGUF_U32)
			return bad(&r, "type %s, expected uint32",
			    gtypes[kv.type].name);
		v = rd32(kv.data);
		if (v == 0 || (v & (v - 1)) != 0)
			return bad(&r, "alignment %u is not a power of two", v);
		if (v > LC_GGUF_MAX_ALIGNMENT)
			return bad(&r, "alignment %u exceeds the limit of %u",
			    v, LC_GGUF_MAX_ALIGNMENT);
		g->alignment = v;
	}
	for (i = 0; i < g->ntensors; i++)
		if (read_tensor(&r, g, i) != LC_OK)
			return LC_EFORMAT;
	r.what[0] = '\0';
	pad = (g->alignment - r.pos % g->alignment) % g->alignment;
	g->data_offset = r.pos;
	if (g->ntensors > 0) {
		if (pad > left(&r))
			return bad(&r, "truncated: data section would start at "
			    "offset %llu, past the end of the file (%llu "
			    "bytes)", (unsigned long long)(r.pos + pad),
			    (unsigned long long)g->size);
		g->data_offset += pad;
	}
	return check_data(&r, g);
}

static int
open_common(lc_gguf **out, lc_gguf *g, lc_err *e)
{
	int rc;

	if ((rc = parse(g, e)) != LC_OK) {
		lc_errprefix(e, g->name);
		lc_gguf_close(g);
		return rc;
	}
	*out = g;
	return LC_OK;
}

int
lc_gguf_open_mem(lc_gguf **out, const void *buf, size_t len,
    const char *name, lc_err *e)
{
	lc_gguf *g;

	*out = NULL;
	if ((g = calloc(1, sizeof(*g))) == NULL ||
	    (g->name = strdup(name)) == NULL) {
		free(g);
		return lc_errf(e, LC_ENOMEM, "%s", name);
	}
	g->base = buf;
	g->size = len;
	return open_common(out, g, e);
}

int
lc_gguf_open(lc_gguf **out, const char *path, lc_err *e)
{
	struct stat st;
	lc_gguf *g;
	void *p;
	int fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return lc_errsys(e, "%s", path);
	if (fstat(fd, &st) != 0) {
		lc_errsys(e, "%s", path);
		close(fd);
		return LC_EIO;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return lc_errf(e, LC_EFORMAT, "%s: not a regular file", path);
	}
	if (st.st_size == 0) {
		close(fd);
		return lc_errf(e, LC_EFORMAT, "%s: empty file", path);
	}
	if ((uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		return lc_errf(e, LC_EUNSUP, "%s: too large to map", path);
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return lc_errsys(e, "%s: mmap", path);
	if ((g = calloc(1, sizeof(*g))) == NULL ||
	    (g->name = strdup(path)) == NULL) {
		free(g);
		munmap(p, (size_t)st.st_size);
		return lc_errf(e, LC_ENOMEM, "%s", path);
	}
	g->base = p;
	g->size = (uint64_t)st.st_size;
	g->mapped = 1;
	return open_common(out, g, e);
}

void
lc_gguf_close(lc_gguf *g)
{
	if (g == NULL)
		return;
	if (g->mapped)
		munmap((void *)g->base, (size_t)g->size);
	free(g->kv);
	free(g->ti);
	free(g->kvhash);
	free(g->tihash);
	free(g->name);
	free(g);
}

/* ------------------------------------------------------------------ */
/* getters                                                            */

uint32_t lc_gguf_version(const lc_gguf *g) { return g->version; }
uint32_t lc_gguf_alignment(const lc_gguf *g) { return g->alignment; }
uint64_t lc_gguf_size(const lc_gguf *g) { return g->size; }
uint64_t lc_gguf_data_offset(const lc_gguf *g) { return g->data_offset; }
uint64_t lc_gguf_data_size(const lc_gguf *g) { return g->data_size; }
const char *lc_gguf_name(const lc_gguf *g) { return g->name; }
uint64_t lc_gguf_nkv(const lc_gguf *g) { return g->nkv; }
uint64_t lc_gguf_ntensors(const lc_gguf *g) { return g->ntensors; }

void
lc_gguf_kv_at(const lc_gguf *g, uint64_t i, lc_gguf_kv *out)
{
	*out = g->kv[i];
}

int
lc_gguf_find_kv(const lc_gguf *g, const char *key, lc_gguf_kv *out)
{
	uint64_t slot;
	size_t n = strlen(key);
	int64_t i;

	i = KV_FIND(g, key, n, &slot);
	if (i < 0)
		return LC_ENOTFOUND;
	*out = g->kv[i];
	return LC_OK;
}

void
lc_gguf_tensor(const lc_gguf *g, uint64_t i, lc_tensor_info *out)
{
	*out = g->ti[i];
}

int
lc_gguf_find_tensor(const lc_gguf *g, const char *name, lc_tensor_info *out)
{
	uint64_t slot;
	size_t n = strlen(name);
	int64_t i;

	i = TI_FIND(g, name, n, &slot);
	if (i < 0)
		return LC_ENOTFOUND;
	*out = g->ti[i];
	return LC_OK;
}

int
lc_gguf_kv_i64(const lc_gguf_kv *kv, uint64_t i, int64_t *out)
{
	const uint8_t *p;
	uint64_t u;

	if (i >= kv->n || kv->elem_type == LC_GGUF_STRING ||
	    kv->elem_type == LC_GGUF_F32 || kv->elem_type == LC_GGUF_F64)
		return -1;
	p = kv->data + i * gtypes[kv->elem_type].size;
	switch (kv->elem_type) {
	case LC_GGUF_U8: case LC_GGUF_BOOL: *out = p[0]; break;
	case LC_GGUF_I8: *out = (int8_t)p[0]; break;
	case LC_GGUF_U16: *out = rd16(p); break;
	case LC_GGUF_I16: *out = (int16_t)rd16(p); break;
	case LC_GGUF_U32: *out = rd32(p); break;
	case LC_GGUF_I32: *out = (int32_t)rd32(p); break;
	case LC_GGUF_U64:
		if ((u = rd64(p)) > INT64_MAX)
			return -1;
		*out = (int64_t)u;
		break;
	case LC_GGUF_I64: *out = (int64_t)rd64(p); break;
	default: return -1;
	}
	return 0;
}

int
lc_gguf_kv_u64(const lc_gguf_kv *kv, uint64_t i, uint64_t *out)
{
	int64_t v;

	if (i < kv->n && kv->elem_type == LC_GGUF_U64) {
		*out = rd64(kv->data + i * 8);
		return 0;
	}
	if (lc_gguf_kv_i64(kv, i, &v) != 0 || v < 0)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int
lc_gguf_kv_f64(const lc_gguf_kv *kv, uint64_t i, double *out)
{
	union { uint32_t u; float f; } a;
	union { uint64_t u; double f; } b;
	uint64_t u;
	int64_t v;

	if (i >= kv->n)
		return -1;
	if (kv->elem_type == LC_GGUF_F32) {
		a.u = rd32(kv->data + i * 4);
		*out = a.f;
	} else if (kv->elem_type == LC_GGUF_F64) {
		b.u = rd64(kv->data + i * 8);
		*out = b.f;
	} else if (kv->elem_type == LC_GGUF_U64) {
		if (lc_gguf_kv_u64(kv, i, &u) != 0)
			return -1;
		*out = (double)u;
	} else {
		if (lc_gguf_kv_i64(kv, i, &v) != 0)
			return -1;
		*out = (double)v;
	}
	return 0;
}

void
lc_gguf_kv_strs(const lc_gguf_kv *kv, lc_gguf_str_iter *it)
{
	it->p = kv->data;
	it->i = 0;
	it->n = kv->elem_type == LC_GGUF_STRING ? kv->n : 0;
}

int
lc_gguf_str_next(lc_gguf_str_iter *it, const char **s, size_t *len)
{
	uint64_t n;

	if (it->i >= it->n)
		return 0;
	n = rd64(it->p);
	*s = (const char *)it->p + 8;
	*len = (size_t)n;
	it->p += 8 + n;
	it->i++;
	return 1;
}

static int
get_kv(const lc_gguf *g, const char *key, lc_gguf_kv *kv, int arr_ok)
{
	if (lc_gguf_find_kv(g, key, kv) != LC_OK)
		return LC_ENOTFOUND;
	if (!arr_ok && kv->type == LC_GGUF_ARRAY)
		return LC_EFORMAT;
	return LC_OK;
}

static int
wrongtype(const lc_gguf *g, const char *key, const lc_gguf_kv *kv,
    const char *want, lc_err *e)
{
	return lc_errf(e, LC_EFORMAT, "%s: key '%s': %s%s%s, expected %s",
	    g->name, key, kv->type == LC_GGUF_ARRAY ? "array of " : "",
	    gtypes[kv->elem_type].name,
	    kv->type == LC_GGUF_ARRAY ? "" : " value", want);
}

int
lc_gguf_get_u64(const lc_gguf *g, const char *key, uint64_t *out, lc_err *e)
{
	lc_gguf_kv kv;
	int rc;

	if ((rc = get_kv(g, key, &kv, 0)) == LC_ENOTFOUND)
		return rc;
	if (rc != LC_OK || lc_gguf_kv_u64(&kv, 0, out) != 0)
		return wrongtype(g, key, &kv, "a non-negative integer", e);
	return LC_OK;
}

int
lc_gguf_get_i64(const lc_gguf *g, const char *key, int64_t *out, lc_err *e)
{
	lc_gguf_kv kv;
	int rc;

	if ((rc = get_kv(g, key, &kv, 0)) == LC_ENOTFOUND)
		return rc;
	if (rc != LC_OK || lc_gguf_kv_i64(&kv, 0, out) != 0)
		return wrongtype(g, key, &kv, "an integer", e);
	return LC_OK;
}

int
lc_gguf_get_f64(const lc_gguf *g, const char *key, double *out, lc_err *e)
{
	lc_gguf_kv kv;
	int rc;

	if ((rc = get_kv(g, key, &kv, 0)) == LC_ENOTFOUND)
		return rc;
	if (rc != LC_OK || lc_gguf_kv_f64(&kv, 0, out) != 0)
		return wrongtype(g, key, &kv, "a number", e);
	return LC_OK;
}

int
lc_gguf_get_bool(const lc_gguf *g, const char *key, int *out, lc_err *e)
{
	lc_gguf_kv kv;
	int rc;

	if ((rc = get_kv(g, key, &kv, 0)) == LC_ENOTFOUND)
		return rc;
	if (rc != LC_OK || kv.type != LC_GGUF_BOOL)
		return wrongtype(g, key, &kv, "bool", e);
	*out = kv.data[0];
	return LC_OK;
}

int
lc_gguf_get_str(const lc_gguf *g, const char *key, const char **s,
    size_t *len, lc_err *e)
{
	lc_gguf_str_iter it;
	lc_gguf_kv kv;
	int rc;

	if ((rc = get_kv(g, key, &kv, 0)) == LC_ENOTFOUND)
		return rc;
	if (rc != LC_OK || kv.type != LC_GGUF_STRING)
		return wrongtype(g, key, &kv, "string", e);
	lc_gguf_kv_strs(&kv, &it);
	lc_gguf_str_next(&it, s, len);
	return LC_OK;
}

/* ------------------------------------------------------------------ */
/* writer                                                             */

typedef struct wtensor {
	char		*name;
	uint32_t	 dtype, ndim;
	uint64_t	 ne[4];
	uint64_t	 nbytes, offset;
	const void	*data;
} wtensor;

struct lc_gguf_writer {
	uint8_t		*kv;		/* serialized key/values */
	size_t		 kvlen, kvcap;
	uint64_t	 nkv;
	char		**keys;
	wtensor		*t;
	uint64_t	 nt, tcap;
	uint32_t	 alignment;
};

int
lc_gguf_writer_new(lc_gguf_writer **out, lc_err *e)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return lc_errf(e, LC_ENOMEM, "gguf writer");
	(*out)->alignment = LC_GGUF_DEFAULT_ALIGNMENT;
	return LC_OK;
}

void
lc_gguf_writer_free(lc_gguf_writer *w)
{
	uint64_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->nkv; i++)
		free(w->keys[i]);
	for (i = 0; i < w->nt; i++)
		free(w->t[i].name);
	free(w->keys);
	free(w->t);
	free(w->kv);
	free(w);
}

static int
put(lc_gguf_writer *w, const void *p, size_t n, lc_err *e)
{
	size_t cap;
	uint8_t *q;

	if (n == 0)
		return LC_OK;	/* p may be NULL: an empty writer's kvs */
	if (n > SIZE_MAX - w->kvlen)
		return lc_errf(e, LC_ENOMEM, "gguf writer: metadata too large");
	if (w->kvlen + n > w->kvcap) {
		cap = w->kvcap ? w->kvcap : 4096;
		while (cap < w->kvlen + n)
			cap = cap > SIZE_MAX / 2 ? w->kvlen + n : cap * 2;
		if ((q = realloc(w->kv, cap)) == NULL)
			return lc_errf(e, LC_ENOMEM, "gguf writer: metadata");
		w->kv = q;
		w->kvcap = cap;
	}
	memcpy(w->kv + w->kvlen, p, n);
	w->kvlen += n;
	return LC_OK;
}

static int
put32(lc_gguf_writer *w, uint32_t v, lc_err *e)
{
	uint8_t b[4] = { v, v >> 8, v >> 16, v >> 24 };

	return put(w, b, 4, e);
}

static int
put64(lc_gguf_writer *w, uint64_t v, lc_err *e)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> 8 * i);
	return put(w, b, 8, e);
}

static int
putstr(lc_gguf_writer *w, const char *s, size_t n, lc_err *e)
{
	if (put64(w, n, e) != LC_OK)
		return LC_ENOMEM;
	return put(w, s, n, e);
}

/* Starts a key: checks it is new, records it, writes key and type. */
static int
put_key(lc_gguf_writer *w, const char *key, uint32_t type, lc_err *e)
{
	char **k;
	uint64_t i;

	if (*key == '\0')
		return lc_errf(e, LC_EINVAL, "gguf writer: empty key");
	for (i = 0; i < w->nkv; i++)
		if (strcmp(w->keys[i], key) == 0)
			return lc_errf(e, LC_EINVAL, "gguf writer: duplicate "
			    "key '%s'", key);
	if (w->nkv >= LC_GGUF_MAX_KV)
		return lc_errf(e, LC_EINVAL, "gguf writer: more than %u keys",
		    LC_GGUF_MAX_KV);
	if ((k = realloc(w->keys, (w->nkv + 1) * sizeof(*k))) == NULL)
		return lc_errf(e, LC_ENOMEM, "gguf writer: keys");
	w->keys = k;
	if ((k[w->nkv] = strdup(key)) == NULL)
		return lc_errf(e, LC_ENOMEM, "gguf writer: keys");
	w->nkv++;
	if (putstr(w, key, strlen(key), e) != LC_OK ||
	    put32(w, type, e) != LC_OK)
		return LC_ENOMEM;
	return LC_OK;
}

/* Little-endian copy of n scalars of type t, read in host order. */
static int
put_scalars(lc_gguf_writer *w, uint32_t t, const void *val, uint64_t n,
    lc_err *e)
{
	const uint8_t *p = val;
	size_t sz = gtypes[t].size, k;
	uint64_t i, v;
	uint8_t b[8];
	uint16_t v16;
	uint32_t v32;

	for (i = 0; i < n; i++, p += sz) {
		switch (sz) {
		case 1: v = p[0]; break;
		case 2: memcpy(&v16, p, 2); v = v16; break;
		case 4: memcpy(&v32, p, 4); v = v32; break;
		default: memcpy(&v, p, 8); break;
		}
		if (t == LC_GGUF_BOOL && v > 1)
			return lc_errf(e, LC_EINVAL, "gguf writer: bool value "
			    "%llu", (unsigned long long)v);
		for (k = 0; k < sz; k++)
			b[k] = (uint8_t)(v >> 8 * k);
		if (put(w, b, sz, e) != LC_OK)
			return LC_ENOMEM;
	}
	return LC_OK;
}

int
lc_gguf_w_scalar(lc_gguf_writer *w, const char *key, uint32_t type,
    const void *val, lc_err *e)
{
	uint32_t a = 0;

	if (type >= LC_GGUF_NTYPES || type == LC_GGUF_STRING ||
	    type == LC_GGUF_ARRAY)
		return lc_errf(e, LC_EINVAL, "gguf writer: key '%s': type %u "
		    "is not a scalar", key, type);
	if (strcmp(key, "general.alignment") == 0) {
		if (type == LC_GGUF_U32)
			memcpy(&a, val, 4);
		if (type != LC_GGUF_U32 || a == 0 || (a & (a - 1)) != 0 ||
		    a > LC_GGUF_MAX_ALIGNMENT)
			return lc_errf(e, LC_EINVAL, "gguf writer: "
			    "general.alignment must be a uint32 power of two");
	}
	/* checked before the key goes out, so a failure writes nothing */
	if (type == LC_GGUF_BOOL && *(const uint8_t *)val > 1)
		return lc_errf(e, LC_EINVAL, "gguf writer: key '%s': bool "
		    "value %u", key, *(const uint8_t *)val);
	if (put_key(w, key, type, e) != LC_OK)
		return e ? e->code : LC_EINVAL;
	if (a != 0)
		w->alignment = a;
	return put_scalars(w, type, val, 1, e);
}

int
lc_gguf_w_u32(lc_gguf_writer *w, const char *key, uint32_t v, lc_err *e)
{
	return lc_gguf_w_scalar(w, key, LC_GGUF_U32, &v, e);
}

int
lc_gguf_w_f32(lc_gguf_writer *w, const char *key, float v, lc_err *e)
{
	return lc_gguf_w_scalar(w, key, LC_GGUF_F32, &v, e);
}

int
lc_gguf_w_bool(lc_gguf_writer *w, const char *key, int v, lc_err *e)
{
	uint8_t b = v != 0;

	return lc_gguf_w_scalar(w, key, LC_GGUF_BOOL, &b, e);
}

int
lc_gguf_w_str(lc_gguf_writer *w, const char *key, const char *s, lc_err *e)
{
	if (put_key(w, key, LC_GGUF_STRING, e) != LC_OK)
		return e ? e->code : LC_EINVAL;
	return putstr(w, s, strlen(s), e);
}

int
lc_gguf_w_arr(lc_gguf_writer *w, const char *key, uint32_t et,
    const void *data, uint64_t n, lc_err *e)
{
	const uint8_t *b = data;
	uint64_t i;

	if (et >= LC_GGUF_NTYPES || et == LC_GGUF_STRING ||
	    et == LC_GGUF_ARRAY)
		return lc_errf(e, LC_EINVAL, "gguf writer: key '%s': array "
		    "element type %u is not a fixed-size scalar", key, et);
	for (i = 0; et == LC_GGUF_BOOL && i < n; i++)
		if (b[i] > 1)
			return lc_errf(e, LC_EINVAL, "gguf writer: key '%s': "
			    "element %llu: bool value %u", key,
			    (unsigned long long)i, b[i]);
	if (put_key(w, key, LC_GGUF_ARRAY, e) != LC_OK ||
	    put32(w, et, e) != LC_OK || put64(w, n, e) != LC_OK)
		return e ? e->code : LC_EINVAL;
	return put_scalars(w, et, data, n, e);
}

int
lc_gguf_w_arr_str(lc_gguf_writer *w, const char *key, const char *const *s,
    const size_t *lens, uint64_t n, lc_err *e)
{
	uint64_t i;

	if (put_key(w, key, LC_GGUF_ARRAY, e) != LC_OK ||
	    put32(w, LC_GGUF_STRING, e) != LC_OK || put64(w, n, e) != LC_OK)
		return e ? e->code : LC_EINVAL;
	for (i = 0; i < n; i++)
		if (putstr(w, s[i], lens ? lens[i] : strlen(s[i]), e) != LC_OK)
			return LC_ENOMEM;
	return LC_OK;
}

int
lc_gguf_w_kv(lc_gguf_writer *w, const lc_gguf_kv *kv, lc_err *e)
{
	char *key;
	int rc;

	if ((key = strndup(kv->key, kv->keylen)) == NULL)
		return lc_errf(e, LC_ENOMEM, "gguf writer: keys");
	if (kv->type != LC_GGUF_ARRAY && kv->type != LC_GGUF_STRING) {
		rc = lc_gguf_w_scalar(w, key, kv->type, kv->data, e);
		free(key);
		return rc;
	}
	rc = put_key(w, key, kv->type, e);
	free(key);
	if (rc != LC_OK)
		return rc;
	if (kv->type == LC_GGUF_ARRAY &&
	    (put32(w, kv->elem_type, e) != LC_OK || put64(w, kv->n, e) != LC_OK))
		return LC_ENOMEM;
	/* the value bytes are already little-endian GGUF */
	return put(w, kv->data, kv->nbytes, e);
}

int
lc_gguf_w_tensor(lc_gguf_writer *w, const char *name, uint32_t dtype,
    uint32_t ndim, const uint64_t *ne, const void *data, lc_err *e)
{
	const lc_dtype_traits *tr = lc_dtype(dtype);
	wtensor *t;
	uint64_t i;

	if (strlen(name) == 0 || strlen(name) > LC_GGUF_MAX_NAME)
		return lc_errf(e, LC_EINVAL, "gguf writer: tensor name '%s' "
		    "must be 1 to %d bytes", name, LC_GGUF_MAX_NAME);
	for (i = 0; i < w->nt; i++)
		if (strcmp(w->t[i].name, name) == 0)
			return lc_errf(e, LC_EINVAL, "gguf writer: duplicate "
			    "tensor '%s'", name);
	if (tr == NULL || ndim < 1 || ndim > 4)
		return lc_errf(e, LC_EINVAL, "gguf writer: tensor '%s': bad "
		    "type %u or %u dims", name, dtype, ndim);
	if (w->nt == w->tcap) {
		uint64_t cap = w->tcap ? 2 * w->tcap : 64;
		if ((t = realloc(w->t, cap * sizeof(*t))) == NULL)
			return lc_errf(e, LC_ENOMEM, "gguf writer: tensors");
		w->t = t;
		w->tcap = cap;
	}
	t = &w->t[w->nt];
	memset(t, 0, sizeof(*t));
	for (i = 0; i < 4; i++)
		t->ne[i] = i < ndim ? ne[i] : 1;
	if (lc_dtype_nbytes(dtype, t->ne, &t->nbytes) != 0)
		return lc_errf(e, LC_EINVAL, "gguf writer: tensor '%s': ne[0] "
		    "%llu not a multiple of %u, or size overflows", name,
		    (unsigned long long)t->ne[0], tr->blck);
	if ((t->name = strdup(name)) == NULL)
		return lc_errf(e, LC_ENOMEM, "gguf writer: tensors");
	t->dtype = dtype;
	t->ndim = ndim;
	t->data = data;
	w->nt++;
	return LC_OK;
}

static int
writeall(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	ssize_t k;

	while (n > 0) {
		if ((k = write(fd, b, n > (1u << 30) ? (1u << 30) : n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

static int
writepad(int fd, uint64_t n)
{
	static const uint8_t zero[4096];

	while (n > 0) {
		size_t k = n > sizeof(zero) ? sizeof(zero) : (size_t)n;
		if (writeall(fd, zero, k) != 0)
			return -1;
		n -= k;
	}
	return 0;
}

int
lc_gguf_writer_write(lc_gguf_writer *w, const char *path, lc_err *e)
{
	lc_gguf_writer hdr = { 0 };
	char *tmp = NULL;
	uint64_t i, k, off = 0, pad;
	int fd = -1, rc;
	size_t n;

	/* header + tensor infos go into their own buffer */
	if (put(&hdr, GGUF_MAGIC, 4, e) != LC_OK ||
	    put32(&hdr, 3, e) != LC_OK || put64(&hdr, w->nt, e) != LC_OK ||
	    put64(&hdr, w->nkv, e) != LC_OK ||
	    put(&hdr, w->kv, w->kvlen, e) != LC_OK)
		goto nomem;
	for (i = 0; i < w->nt; i++) {
		wtensor *t = &w->t[i];
		t->offset = off;
		if (putstr(&hdr, t->name, strlen(t->name), e) != LC_OK ||
		    put32(&hdr, t->ndim, e) != LC_OK)
			goto nomem;
		for (k = 0; k < t->ndim; k++)
			if (put64(&hdr, t->ne[k], e) != LC_OK)
				goto nomem;
		if (put32(&hdr, t->dtype, e) != LC_OK ||
		    put64(&hdr, t->offset, e) != LC_OK)
			goto nomem;
		pad = (w->alignment - t->nbytes % w->alignment) % w->alignment;
		if (__builtin_add_overflow(off, t->nbytes + pad, &off)) {
			rc = lc_errf(e, LC_EINVAL, "%s: tensor data too large",
			    path);
			goto out;
		}
	}
	n = strlen(path) + 32;
	if ((tmp = malloc(n)) == NULL)
		goto nomem;
	snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) < 0) {
		rc = lc_errsys(e, "%s", tmp);
		goto out;
	}
	pad = w->nt ? (w->alignment - hdr.kvlen % w->alignment) %
	    w->alignment : 0;
	if (writeall(fd, hdr.kv, hdr.kvlen) != 0 || writepad(fd, pad) != 0)
		goto ioerr;
	for (i = 0; i < w->nt; i++) {
		wtensor *t = &w->t[i];
		pad = (w->alignment - t->nbytes % w->alignment) % w->alignment;
		if (writeall(fd, t->data, (size_t)t->nbytes) != 0 ||
		    writepad(fd, pad) != 0)
			goto ioerr;
	}
	if (fsync(fd) != 0)
		goto ioerr;
	if (close(fd) != 0) {
		fd = -1;
		goto ioerr;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		rc = lc_errsys(e, "rename %s to %s", tmp, path);
		unlink(tmp);
		goto out;
	}
	rc = LC_OK;
	goto out;
ioerr:
	rc = lc_errsys(e, "%s", tmp);
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(tmp);
	goto out;
nomem:
	rc = lc_errf(e, LC_ENOMEM, "%s: gguf header", path);
out:
	free(tmp);
	free(hdr.kv);
	return rc;
}
