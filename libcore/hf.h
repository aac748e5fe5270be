/*
 * hf.h - Hugging Face model files: safetensors, validated before use.
 *
 * Layout: u64 header length N (little-endian), N bytes of JSON
 *   { "NAME": { "dtype": "F32", "shape": [d0, ...], "data_offsets":
 *     [begin, end] }, ..., "__metadata__": { "k": "v", ... } }
 * then the byte buffer; offsets are relative to byte 8 + N.  The shape
 * is outermost-first (PyTorch order), the reverse of GGUF's ne[].
 *
 * The file is mapped read-only; every offset is checked to lie inside
 * the buffer, tensors may not overlap and (as the format requires) must
 * cover the buffer without holes.  Pointers stay valid until
 * lc_st_close().  Nothing here prints or exits.
 */
#ifndef LC_HF_H
#define LC_HF_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define LC_ST_MAX_HEADER	(100u << 20)	/* bytes of JSON */
#define LC_ST_MAX_DIMS		8

typedef struct lc_st lc_st;	/* opaque */

typedef struct lc_st_info {
	const char	*name;		/* NUL-terminated, owned by the lc_st */
	const char	*dtype;		/* as in the file: "F32", "BF16", ... */
	int		 lc_dtype;	/* enum lc_dtype, or -1 if none matches */
	uint32_t	 elsize;	/* bytes per element (F8: 1, BOOL: 1) */
	uint32_t	 ndim;
	uint64_t	 shape[LC_ST_MAX_DIMS];	/* outermost first */
	uint64_t	 nelem;
	uint64_t	 offset;	/* absolute file offset */
	uint64_t	 nbytes;
	const void	*data;		/* borrowed: into the mapping */
} lc_st_info;

int		 lc_st_open(lc_st **out, const char *path, lc_err *e);
void		 lc_st_close(lc_st *st);		/* NULL is a no-op */

uint64_t	 lc_st_size(const lc_st *st);		/* file bytes */
uint64_t	 lc_st_header_size(const lc_st *st);	/* N */
uint64_t	 lc_st_ntensors(const lc_st *st);
/* Tensors in order of their data offsets. */
void		 lc_st_tensor(const lc_st *st, uint64_t i, lc_st_info *out);
int		 lc_st_find(const lc_st *st, const char *name,
		    lc_st_info *out);		/* LC_ENOTFOUND if absent */
uint64_t	 lc_st_nmeta(const lc_st *st);
void		 lc_st_meta(const lc_st *st, uint64_t i, const char **key,
		    const char **val);

/*
 * Reads a whole small file (at most max bytes) into a NUL-terminated
 * malloc'ed buffer the caller frees.  LC_EIO, or LC_EFORMAT if larger.
 */
int		 lc_slurp(const char *path, size_t max, char **buf, size_t *len,
		    lc_err *e);

typedef struct lc_hf_tok {
	char		 model[32];	/* tokenizer.json model.type: "WordPiece",
					   "BPE", "Unigram"; "" if absent */
	uint64_t	 n_vocab;	/* entries of model.vocab */
	uint64_t	 n_added;	/* added_tokens */
	char		*chat_template;	/* tokenizer_config.json; NULL if none */
} lc_hf_tok;

/*
 * The tokenizer facts of a Hugging Face model directory, from
 * tokenizer.json and tokenizer_config.json (each optional).  Free with
 * lc_hf_tok_free().
 */
int		 lc_hf_tok_read(lc_hf_tok *t, const char *dir, lc_err *e);
void		 lc_hf_tok_free(lc_hf_tok *t);

#endif /* LC_HF_H */
