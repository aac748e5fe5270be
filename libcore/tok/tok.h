/*
 * tok.h - the tokenizers stored in GGUF files (tokenizer.ggml.*),
 * giving the same ids as Hugging Face tokenizers and llama.cpp.
 *
 * Implemented: byte-level BPE (tokenizer.ggml.model "gpt2") with the
 * pre-tokenizers selected by tokenizer.ggml.pre ("smollm", "gpt-2",
 * "llama-bpe", "qwen2", "falcon", "default" and their aliases), and
 * SentencePiece BPE ("llama": Gemma, Llama 2 style) with byte fallback,
 * BPE on raw UTF-8 ("gemma4": spaces as U+2581, text cut into runs of
 * newlines and runs of other characters, <0xNN> byte fallback, BOS always
 * added), and WordPiece ("bert": BertNormalizer, BertPreTokenizer, [CLS] text
 * [SEP]), from a GGUF or from a Hugging Face tokenizer.json.  WordPiece
 * token texts are kept as tokenizer.json spells them ("word", "##piece")
 * whichever the source; llama.cpp's GGUF spelling ("\u2581word",
 * "piece") is undone on loading.
 *
 * lc_tok_new() copies what it needs out of the GGUF, so the file may be
 * closed afterwards.  A tokenizer is read-only once built: one lc_tok
 * may be used by several threads at once.  Nothing here prints or exits.
 */
#ifndef LC_TOK_H
#define LC_TOK_H

#include <stddef.h>
#include <stdint.h>

#include "../gguf.h"
#include "../status.h"

typedef struct lc_tok lc_tok;		/* opaque */

/* tokenizer.ggml.token_type values */
enum lc_tok_type {
	LC_TOKT_UNDEFINED = 0, LC_TOKT_NORMAL, LC_TOKT_UNKNOWN,
	LC_TOKT_CONTROL, LC_TOKT_USER_DEFINED, LC_TOKT_UNUSED, LC_TOKT_BYTE
};

/*
 * Builds the tokenizer of g.  Validates the tokenizer keys: token and
 * type counts agree, types are known, every merge names two tokens whose
 * concatenation is a token, special ids are below the vocabulary size.
 * On failure *out is NULL and e names the key at fault (LC_EFORMAT), or
 * the model or pre-tokenizer that is not supported (LC_EUNSUP).
 */
int		 lc_tok_new(lc_tok **out, const lc_gguf *g, lc_err *e);
void		 lc_tok_free(lc_tok *t);		/* NULL is a no-op */

/*
 * Builds a WordPiece tokenizer from a Hugging Face tokenizer.json:
 * model WordPiece, normalizer BertNormalizer (or none), pre_tokenizer
 * BertPreTokenizer, post_processor TemplateProcessing or BertProcessing
 * (the special tokens put around a single text), decoder WordPiece.
 * Added tokens that are special become control tokens, others
 * user-defined; both are matched in the raw text.  Anything else is
 * LC_EUNSUP; a malformed file LC_EFORMAT.
 */
int		 lc_tok_new_hf(lc_tok **out, const char *tokenizer_json,
		    lc_err *e);

uint32_t	 lc_tok_nvocab(const lc_tok *t);
int32_t		 lc_tok_bos(const lc_tok *t);		/* -1 if none */
int32_t		 lc_tok_eos(const lc_tok *t);		/* -1 if none */
int		 lc_tok_add_bos(const lc_tok *t);	/* BOS put first by encode */
int		 lc_tok_add_eos(const lc_tok *t);	/* EOS put last by encode */
/* 1 if id ends generation (eos, eot, eom, <|im_end|>, <end_of_turn>, ...
   chosen as llama.cpp does), else 0; 0 for ids out of range. */
int		 lc_tok_is_eog(const lc_tok *t, int32_t id);
/* Type of id (enum lc_tok_type); -1 if id is out of range. */
int		 lc_tok_type(const lc_tok *t, int32_t id);
/* The id of the token whose stored text is text[0..len); -1 if none. */
int32_t		 lc_tok_find(const lc_tok *t, const char *text, size_t len);
/* The stored (byte-level encoded) text of id, or NULL if out of range. */
const char	*lc_tok_text(const lc_tok *t, int32_t id, size_t *len);

/*
 * Appends the ids of text[0..len) to the growable array *ids (n used,
 * cap allocated; *ids may be NULL with *n = *cap = 0; grown with
 * realloc, the caller frees it).  add_special: BOS/EOS as the file says.
 * parse_special: control tokens written in the text become their ids
 * (llama.cpp's parse_special); user-defined tokens always do.  Tokens
 * are found as HF's added vocabulary finds them: leftmost, then longest;
 * a control token met while parse_special is off stays text, with
 * whatever it overlaps.  Any bytes are accepted, invalid UTF-8 included:
 * every byte has a token (BPE drops a byte the vocabulary lacks).
 * Returns LC_OK or LC_ENOMEM (*n is then unchanged).
 */
int		 lc_tok_encode(const lc_tok *t, const char *text, size_t len,
		    int add_special, int parse_special, int32_t **ids,
		    size_t *n, size_t *cap, lc_err *e);

/*
 * The bytes of token id ("Ġhi" and SPM's "▁hi" give " hi", "<0x41>"
 * gives "A"; WordPiece's "hi" gives " hi" and "##hi" "hi", as HF's
 * WordPiece decoder does for every token but a text's first, which
 * only lc_tok_dec_push() knows), written to buf if they fit
 * in cap.  Control and unknown tokens give their text only when special
 * is set.  Returns the length of the piece (like snprintf: a value
 * greater than cap means nothing was written); 0 for ids out of range.
 */
size_t		 lc_tok_piece(const lc_tok *t, int32_t id, int special,
		    char *buf, size_t cap);
/* The longest piece in bytes: a buffer of lc_tok_maxpiece() + 4 bytes
   always holds what lc_tok_dec_push() writes. */
size_t		 lc_tok_maxpiece(const lc_tok *t);

/*
 * Incremental detokenization for streaming.  Pieces are joined and only
 * whole UTF-8 characters come out; the bytes of a character split across
 * tokens wait for the rest.  Bytes that can never start or continue a
 * valid character are passed on at once, so nothing is lost.
 */
typedef struct lc_tok_dec {
	unsigned char	 pend[4];	/* an unfinished character */
	unsigned	 npend;
	int		 special;	/* render control tokens */
	size_t		 ntok;		/* tokens rendered (WordPiece: the
					   first has no space before it) */
} lc_tok_dec;

void		 lc_tok_dec_init(lc_tok_dec *d, int special);
/* Writes the complete characters that id finishes to buf.  Returns
   their length; if that is greater than cap, nothing was written and d
   is unchanged. */
size_t		 lc_tok_dec_push(lc_tok_dec *d, const lc_tok *t, int32_t id,
		    char *buf, size_t cap);
/* Writes out what is pending (an incomplete character) and resets d;
   returns its length (at most 4, nothing written if cap is smaller). */
size_t		 lc_tok_dec_flush(lc_tok_dec *d, char *buf, size_t cap);

#endif /* LC_TOK_H */
