/*
 * embed.h - text embeddings: texts -> tokens -> hidden states of every
 * token (lc_model_hidden, many texts per forward step) -> one pooled,
 * optionally normalized vector per text, as sentence-transformers
 * computes them.  The library side of llm-embed and llm-bench.
 *
 * An lc_embed borrows its model and tokenizer (both must outlive it)
 * and owns scratch memory; it is not thread-safe.  Failures of one text
 * (too long, not UTF-8, no tokens) are reported in its item and do not
 * stop the others.  Nothing here prints or exits.
 */
#ifndef LC_EMBED_H
#define LC_EMBED_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "status.h"
#include "tok/tok.h"

/* enum lc_pooling, LC_POOL_NONE .. LC_POOL_LAST: backend.h (the
   values of GGUF's {arch}.pooling_type) */
#define LC_POOL_MODEL	(-1)	/* the model's pooling (see lc_embed_opts) */

typedef struct lc_embed_opts {
	int		 pooling;	/* LC_POOL_*, or LC_POOL_MODEL: the
					   file's {arch}.pooling_type, else
					   mean for encoders, last for
					   decoders */
	int		 normalize;	/* 1: unit L2 length, v / max(|v|,
					   1e-12) as torch's F.normalize */
	int		 truncate;	/* 1: an over-long text keeps its
					   first tokens (and the closing
					   special token, as HF truncates);
					   0: it fails */
	uint32_t	 max_tokens;	/* per text, special tokens included;
					   0 or more than the context or
					   n_batch: the smallest of those */
	const char	*prefix;	/* put before every text ("query: "),
					   or NULL */
} lc_embed_opts;

typedef struct lc_embed_item {
	const char	*text;		/* in: borrowed, len bytes */
	size_t		 len;
	float		*vec;		/* out: malloc'ed (the caller frees
					   it): dim floats, or n_tok x dim
					   with LC_POOL_NONE; NULL if rc */
	int		 n_tok;		/* out: tokens embedded */
	int		 n_tok_text;	/* out: tokens of the whole text, specials
					   included (> n_tok if truncated) */
	int		 rc;		/* out: LC_OK, or why this text failed */
	lc_err		 err;		/* out: the message when rc != LC_OK */
} lc_embed_item;

typedef struct lc_embed lc_embed;	/* opaque */

/*
 * Makes an embedder over model m and tokenizer t.  o may be NULL (the
 * model's pooling, normalized, no truncation).  LC_EUNSUP if the
 * architecture has no embedding pass or the file asks for a pooling
 * other than none/mean/cls/last; LC_EINVAL for a bad option.
 */
int		 lc_embed_new(lc_embed **out, lc_model *m, const lc_tok *t,
		    const lc_embed_opts *o, lc_err *e);
void		 lc_embed_free(lc_embed *em);		/* NULL is a no-op */

uint32_t	 lc_embed_dim(const lc_embed *em);	/* floats per vector */
int		 lc_embed_pooling(const lc_embed *em);	/* the one in use */
uint32_t	 lc_embed_max_tokens(const lc_embed *em);

/*
 * Embeds the n texts of items[] (as many per forward step as fit),
 * filling each item's outputs.  Returns LC_OK when every text either
 * got its vector or its own error (rc, err: LC_EINVAL for a text that
 * is not valid UTF-8, has no tokens, or is too long without truncate);
 * otherwise (no memory, device failure) that error, every vec NULL.
 */
int		 lc_embed_run(lc_embed *em, lc_embed_item *items, size_t n,
		    lc_err *e);

/* "none", "mean", "cls", "last" for LC_POOL_*; NULL for others. */
const char	*lc_pooling_name(int pooling);
/* The LC_POOL_* named s, or -2 if none is. */
int		 lc_pooling_parse(const char *s);

/* Cosine similarity of a and b (n floats), in double; 0 if either is
   all zeros. */
double		 lc_embed_cosine(const float *a, const float *b, size_t n);

#endif /* LC_EMBED_H */
