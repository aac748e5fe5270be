/*
 * gguf.h - read and write GGUF model files (v2 and v3, little-endian).
 *
 * Layout (ggml docs/gguf.md):
 *   "GGUF" u32 version u64 n_tensors u64 n_kv
 *   kv[n_kv]:          string key, u32 type, value
 *   tensor_info[n]:    string name, u32 n_dims, u64 ne[n_dims], u32 type,
 *                      u64 offset (relative to the data section)
 *   padding to general.alignment (default 32), then the data section.
 *   string = u64 length + bytes (no NUL); array = u32 type, u64 n, elems.
 *
 * The reader maps the file read-only (PROT_READ, MAP_PRIVATE) and
 * validates all of it before lc_gguf_open() returns: every length, count
 * and offset is checked against the bytes left, products are
 * overflow-checked, tensors must lie inside the file, aligned and not
 * overlapping.  Every pointer the getters return points into the mapping
 * and stays valid until lc_gguf_close().  Nothing here prints or exits.
 *
 * Dimensions are innermost-first, as in the file: ne[0] is the row
 * length; unused dimensions are 1.
 */
#ifndef LC_GGUF_H
#define LC_GGUF_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

enum lc_gguf_type {
	LC_GGUF_U8 = 0, LC_GGUF_I8, LC_GGUF_U16, LC_GGUF_I16,
	LC_GGUF_U32, LC_GGUF_I32, LC_GGUF_F32, LC_GGUF_BOOL,
	LC_GGUF_STRING, LC_GGUF_ARRAY, LC_GGUF_U64, LC_GGUF_I64,
	LC_GGUF_F64, LC_GGUF_NTYPES
};

#define LC_GGUF_DEFAULT_ALIGNMENT	32
#define LC_GGUF_MAX_NAME		63		/* bytes in a tensor name */
#define LC_GGUF_MAX_KV			65536		/* policy caps */
#define LC_GGUF_MAX_TENSORS		1048576
#define LC_GGUF_MAX_STRING		(64u << 20)
#define LC_GGUF_MAX_ALIGNMENT		(1u << 20)

typedef struct lc_gguf lc_gguf;		/* opaque */

typedef struct lc_gguf_kv {
	const char	*key;		/* not NUL-terminated: use keylen */
	size_t		 keylen;
	uint32_t	 type;		/* enum lc_gguf_type */
	uint32_t	 elem_type;	/* element type of an ARRAY, else type */
	uint64_t	 n;		/* elements of an ARRAY, else 1 */
	const uint8_t	*data;		/* the value (first element of an array);
					   a string starts with its u64 length */
	uint64_t	 nbytes;	/* bytes of the value at data */
	uint64_t	 offset;	/* file offset of this record */
} lc_gguf_kv;

typedef struct lc_tensor_info {
	const char	*name;		/* not NUL-terminated: use namelen */
	size_t		 namelen;
	uint32_t	 dtype;		/* enum lc_dtype */
	uint32_t	 ndim;
	uint64_t	 ne[4];		/* ne[0] = row length; unused dims are 1 */
	uint64_t	 nelem;
	uint64_t	 offset;	/* relative to the data section */
	uint64_t	 nbytes;
	const void	*data;		/* borrowed: points into the mapping */
} lc_tensor_info;

/* Iterates the strings of a STRING array (validated at open). */
typedef struct lc_gguf_str_iter {
	const uint8_t	*p;
	uint64_t	 i, n;
} lc_gguf_str_iter;

/* Opens and validates path.  On failure *out is NULL and e names the
   file and the field at fault. */
int		 lc_gguf_open(lc_gguf **out, const char *path, lc_err *e);
/* The same over a caller-owned buffer that must outlive the handle. */
int		 lc_gguf_open_mem(lc_gguf **out, const void *buf, size_t len,
		    const char *name, lc_err *e);
void		 lc_gguf_close(lc_gguf *g);		/* NULL is a no-op */

uint32_t	 lc_gguf_version(const lc_gguf *g);
uint32_t	 lc_gguf_alignment(const lc_gguf *g);
uint64_t	 lc_gguf_size(const lc_gguf *g);		/* file bytes */
uint64_t	 lc_gguf_data_offset(const lc_gguf *g);
uint64_t	 lc_gguf_data_size(const lc_gguf *g);	/* end of last tensor */
const char	*lc_gguf_name(const lc_gguf *g);	/* path or name given */

uint64_t	 lc_gguf_nkv(const lc_gguf *g);
void		 lc_gguf_kv_at(const lc_gguf *g, uint64_t i, lc_gguf_kv *out);
int		 lc_gguf_find_kv(const lc_gguf *g, const char *key,
		    lc_gguf_kv *out);			/* LC_ENOTFOUND if absent */

/*
 * Typed getters by key.  An integer getter accepts any integer type
 * (and bool) whose value fits; the float getter accepts floats and
 * integers.  LC_ENOTFOUND if absent (e untouched), LC_EFORMAT if the
 * type is wrong or the value does not fit (e names the key).
 */
int		 lc_gguf_get_u64(const lc_gguf *g, const char *key,
		    uint64_t *out, lc_err *e);
int		 lc_gguf_get_i64(const lc_gguf *g, const char *key,
		    int64_t *out, lc_err *e);
int		 lc_gguf_get_f64(const lc_gguf *g, const char *key,
		    double *out, lc_err *e);
int		 lc_gguf_get_bool(const lc_gguf *g, const char *key,
		    int *out, lc_err *e);
int		 lc_gguf_get_str(const lc_gguf *g, const char *key,
		    const char **s, size_t *len, lc_err *e);

/* Element i of kv (a scalar: i = 0) as a number.  Returns -1 when the
   type is not numeric, i is out of range or the value does not fit. */
int		 lc_gguf_kv_u64(const lc_gguf_kv *kv, uint64_t i, uint64_t *out);
int		 lc_gguf_kv_i64(const lc_gguf_kv *kv, uint64_t i, int64_t *out);
int		 lc_gguf_kv_f64(const lc_gguf_kv *kv, uint64_t i, double *out);
/* kv is a STRING or a STRING array: iterate its strings. */
void		 lc_gguf_kv_strs(const lc_gguf_kv *kv, lc_gguf_str_iter *it);
int		 lc_gguf_str_next(lc_gguf_str_iter *it, const char **s,
		    size_t *len);		/* 1 while there is one, else 0 */

uint64_t	 lc_gguf_ntensors(const lc_gguf *g);
void		 lc_gguf_tensor(const lc_gguf *g, uint64_t i,
		    lc_tensor_info *out);
int		 lc_gguf_find_tensor(const lc_gguf *g, const char *name,
		    lc_tensor_info *out);		/* LC_ENOTFOUND if absent */

/* Returns "uint32", "string", ... or "unknown". */
const char	*lc_gguf_type_name(uint32_t type);
/* Bytes of one scalar of type; 0 for STRING, ARRAY and unknown types. */
size_t		 lc_gguf_type_size(uint32_t type);

/*
 * Writer.  Keys and tensors are written in the order they are added;
 * tensor data is borrowed until lc_gguf_writer_write() and laid out at
 * the alignment (general.alignment if set, else 32), each tensor padded
 * with zeros.  The file is written as PATH.tmp.PID, fsynced and renamed
 * over path only when complete.
 */
typedef struct lc_gguf_writer lc_gguf_writer;	/* opaque */

int		 lc_gguf_writer_new(lc_gguf_writer **out, lc_err *e);
void		 lc_gguf_writer_free(lc_gguf_writer *w);	/* NULL is a no-op */
/* A scalar of type (not STRING or ARRAY) read from val. */
int		 lc_gguf_w_scalar(lc_gguf_writer *w, const char *key,
		    uint32_t type, const void *val, lc_err *e);
int		 lc_gguf_w_u32(lc_gguf_writer *w, const char *key, uint32_t v,
		    lc_err *e);
int		 lc_gguf_w_f32(lc_gguf_writer *w, const char *key, float v,
		    lc_err *e);
int		 lc_gguf_w_bool(lc_gguf_writer *w, const char *key, int v,
		    lc_err *e);
int		 lc_gguf_w_str(lc_gguf_writer *w, const char *key,
		    const char *s, lc_err *e);
/* An array of n fixed-size elements of elem_type. */
int		 lc_gguf_w_arr(lc_gguf_writer *w, const char *key,
		    uint32_t elem_type, const void *data, uint64_t n, lc_err *e);
/* An array of n strings; lens may be NULL for NUL-terminated strings. */
int		 lc_gguf_w_arr_str(lc_gguf_writer *w, const char *key,
		    const char *const *s, const size_t *lens, uint64_t n,
		    lc_err *e);
/* A copy of a key/value read by lc_gguf_kv_at()/lc_gguf_find_kv(). */
int		 lc_gguf_w_kv(lc_gguf_writer *w, const lc_gguf_kv *kv,
		    lc_err *e);
int		 lc_gguf_w_tensor(lc_gguf_writer *w, const char *name,
		    uint32_t dtype, uint32_t ndim, const uint64_t *ne,
		    const void *data, lc_err *e);
int		 lc_gguf_writer_write(lc_gguf_writer *w, const char *path,
		    lc_err *e);

#endif /* LC_GGUF_H */
