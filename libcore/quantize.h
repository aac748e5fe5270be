/*
 * quantize.h - convert the tensors of a GGUF model to other types, the
 * way llama.cpp's llama-quantize chooses them.
 *
 * A file type (general.file_type: "Q4_K_M" = 15, ...) names a default
 * tensor type and, for the K-quant mixes, per-tensor rules: which
 * tensors stay as they are (1-D tensors, norms, ...), what the output
 * and token embedding become, which attn_v / ffn_down layers get more
 * bits, and the fallbacks when a row does not divide into blocks.
 * lc_qplan_make() applies them and says, per tensor, what it will be;
 * lc_qplan_write() does it and writes the new file (temporary file,
 * fsync, rename: see lc_gguf_writer_write()).
 *
 * Quantizers are libcore/quant's reference ones (ggml's
 * quantize_row_*_ref), except IQ4_NL, which is quantized as ggml's
 * quantize_iq4_nl() does it (the path llama-quantize takes: a search
 * over 15 scales per block), not as quantize_row_iq4_nl_ref().
 * With an importance matrix (llama-imatrix's GGUF), the types ggml
 * quantizes with weights (Q4_0, Q4_1, Q5_0, Q5_1, Q2_K .. Q6_K,
 * IQ4_NL) take the weighted paths of libcore/quant/imat.c, and the
 * rules that depend on one (Q4_0/Q5_0 ffn_down, IQ4_NL ffn_down) follow
 * llama-quantize.  Nothing here prints or exits.
 */
#ifndef LC_QUANTIZE_H
#define LC_QUANTIZE_H

#include <stddef.h>
#include <stdint.h>

#include "gguf.h"
#include "status.h"

#define LC_QUANT_VERSION	2	/* general.quantization_version */

/*
 * The file type named name (case-insensitive: "q4_k_m", "Q8_0"; the
 * aliases Q3_K, Q4_K, Q5_K stand for the _M mixes) or given as its
 * llama.cpp number ("15").  Sets *ftype (general.file_type) and returns
 * LC_OK; LC_ENOTFOUND for a name llama-quantize does not know either,
 * LC_EUNSUP for one it knows that llm-quant cannot make (e names it
 * and why).
 */
int		 lc_qftype_parse(const char *name, uint32_t *ftype, lc_err *e);
/* "Q4_K_M" for 15; NULL for a file type lc_qftype_parse() never gives. */
const char	*lc_qftype_name(uint32_t ftype);
/* The names lc_qftype_parse() accepts, NULL-terminated, in the order
   llama-quantize lists them. */
const char *const *lc_qftype_names(void);

/*
 * An importance matrix: per weight tensor, the mean squared activation
 * of each column (per expert for a 3-D tensor), as llama-quantize
 * computes it from the file's .in_sum2 and .counts tensors (sum /
 * count; 1 where the count is 0).
 */
typedef struct lc_imatrix lc_imatrix;	/* opaque */

/* Reads path (GGUF from llama-imatrix with imatrix.datasets,
   imatrix.chunk_count and imatrix.chunk_size).  On failure *out is NULL
   and e names the file and the field or tensor at fault. */
int		 lc_imatrix_load(lc_imatrix **out, const char *path,
		    lc_err *e);
void		 lc_imatrix_free(lc_imatrix *im);	/* NULL is a no-op */
uint64_t	 lc_imatrix_count(const lc_imatrix *im);	/* entries */
uint32_t	 lc_imatrix_chunks(const lc_imatrix *im);
/* The first dataset name, or NULL. */
const char	*lc_imatrix_dataset(const lc_imatrix *im);
/* The values for tensor name and their number, or NULL. */
const float	*lc_imatrix_find(const lc_imatrix *im, const char *name,
		    uint64_t *n);

typedef struct lc_qoverride {
	const char	*pattern;	/* regular expression (POSIX ERE, plus
					   \d \w \s), searched in the name */
	uint32_t	 dtype;
} lc_qoverride;

/* LC_OK if pattern compiles as lc_qplan_make() will compile it; else
   LC_EINVAL with the regex library's complaint in e. */
int		 lc_qpattern_check(const char *pattern, lc_err *e);

typedef struct lc_qparams {
	uint32_t		 ftype;
	int			 pure;		/* every tensor the default type */
	int			 keep_output;	/* output.weight as it is */
	int			 allow_requantize;
	int			 output_type;	/* -1: by the rules */
	int			 token_embd_type;	/* -1: by the rules */
	const lc_qoverride	*overrides;	/* first match wins */
	size_t			 noverrides;
	int			 nthreads;	/* >= 1 */
	const lc_imatrix	*imatrix;	/* NULL: none */
	const char		*imatrix_name;	/* for quantize.imatrix.file */
} lc_qparams;

typedef struct lc_qtensor {
	char		 name[64];
	uint64_t	 index;		/* in the input file */
	uint32_t	 ndim;
	uint64_t	 ne[4];
	uint64_t	 nelem;
	uint32_t	 from, to;	/* enum lc_dtype */
	uint32_t	 chosen;	/* the type before a shape fallback */
	int		 manual;	/* set by an override or a type option */
	uint64_t	 bytes_from, bytes_to;
} lc_qtensor;

typedef struct lc_qplan {
	lc_qtensor	*t;		/* in output order */
	uint64_t	 n;
	uint32_t	 ftype;
	uint64_t	 nelem;		/* all tensors */
	uint64_t	 bytes_from, bytes_to;	/* tensor data, unpadded */
	uint64_t	 n_convert;	/* tensors whose type changes */
	uint64_t	 n_fallback;	/* of those, by a shape fallback */
	uint64_t	 n_requant;	/* quantized tensors requantized */
} lc_qplan;

/*
 * Chooses the type of every tensor of g under p.  The order is
 * llama-quantize's: tensors outside blk.N first, then by layer, each
 * group by name.  On success the caller frees the plan with
 * lc_qplan_free(); on failure (a bad pattern, a type that cannot be
 * written, missing hyper-parameters a rule needs) e names the cause.
 */
int		 lc_qplan_make(lc_qplan *plan, const lc_gguf *g,
		    const lc_qparams *p, lc_err *e);
void		 lc_qplan_free(lc_qplan *plan);

/* Called after each tensor is converted: i of n done. */
typedef void	(*lc_qprogress)(void *arg, uint64_t i, uint64_t n,
		    const lc_qtensor *t);

/*
 * Converts every tensor as planned, on p->nthreads threads (rows are
 * split between them; the bytes do not depend on the number), and
 * writes path: the input's metadata, in order, without
 * general.quantization_version, general.file_type and split.*, then
 * those two keys set anew, then with an importance matrix
 * quantize.imatrix.file, .dataset, .entries_count and .chunks_count as
 * llama-quantize writes them; the input's alignment.  An importance
 * matrix entry whose size is not the tensor's ne[0] * ne[2] is an
 * error (ignored for token_embd.weight, as llama-quantize does).  A source value that
 * is NaN or infinite is an error naming the tensor and element.
 * Requantizing needs p->allow_requantize.  Memory: the converted
 * tensors are held until the file is written.
 */
int		 lc_qplan_write(const lc_qplan *plan, const lc_gguf *g,
		    const lc_qparams *p, const char *path, lc_qprogress cb,
		    void *arg, lc_err *e);

/*
 * IQ4_NL as ggml's quantize_iq4_nl(): per block of 32, the scale is
 * the best of 15 candidates and the indices are recomputed from it; an
 * all-zero block is d = 0 with every index 8.  n is a multiple of 32.
 * qw: importance weights, one per column, or NULL.
 */
void		 lc_quant_iq4_nl_search(const float *x, void *y, int64_t n);
void		 lc_quant_iq4_nl_w(const float *x, void *y, int64_t n,
		    const float *qw);

#endif /* LC_QUANTIZE_H */
