/*
 * tok_impl.h - internals of libcore/tok shared by its files and by
 * tests/unit/t_tok.c: Unicode categories, UTF-8 decoding and the
 * pre-tokenizer splits.  Not a public interface.
 */
#ifndef LC_TOK_IMPL_H
#define LC_TOK_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "tok.h"

/* Codepoint flags, the same bits as llama.cpp's unicode_cpt_flags. */
enum {
	LC_UC_UNDEF = 0x01,	/* Cn: unassigned */
	LC_UC_NUMBER = 0x02,	/* \p{N} */
	LC_UC_LETTER = 0x04,	/* \p{L} */
	LC_UC_SEPARATOR = 0x08,	/* \p{Z} */
	LC_UC_MARK = 0x10,	/* \p{M} */
	LC_UC_PUNCT = 0x20,	/* \p{P} */
	LC_UC_SYMBOL = 0x40,	/* \p{S} */
	LC_UC_CONTROL = 0x80,	/* \p{C} other than Cn */
	LC_UC_SPACE = 0x100	/* \s: the White_Space property */
};

/* Generated tables (unicode_data.c). */
extern const char	 lc_uc_version[];
extern const uint32_t	 lc_uc_ranges[];	/* start << 8 | flags */
extern const size_t	 lc_uc_nranges;
extern const uint32_t	 lc_uc_white_space[];
extern const size_t	 lc_uc_nwhite_space;

/* Flags of codepoint cp (never 0 for cp <= 0x10FFFF). */
unsigned	 lc_uc_flags(uint32_t cp);

/*
 * Length of the UTF-8 character at s[0..n): 1..4 when valid (shortest
 * form, no surrogates, at most U+10FFFF; *cp set), 0 when s[0] cannot
 * begin a valid character there, -k when s holds only the first k < 4
 * bytes of a character that more bytes could still complete.
 */
int		 lc_utf8_dec(const unsigned char *s, size_t n, uint32_t *cp);

/*
 * Decoded text.  Invalid UTF-8 bytes become one pseudo-codepoint each,
 * classified like U+FFFD (a symbol), but keep their own byte, so every
 * byte of the input is in exactly one codepoint: off[i]..off[i+1].
 */
typedef struct lc_utext {
	uint32_t	*cp;		/* (n) codepoints */
	uint16_t	*fl;		/* (n) lc_uc_flags() */
	size_t		*off;		/* (n + 1) byte offsets */
	size_t		 n, cap;
} lc_utext;

int		 lc_utext_decode(lc_utext *u, const char *s, size_t len);
void		 lc_utext_free(lc_utext *u);

/* Pre-tokenizers, each a sequence of splits as llama.cpp lists them. */
enum lc_pre {
	LC_PRE_DEFAULT,		/* [\p{P}\$\+<=>\^~\|]+, GPT2, \p{N}+, [0-9]{3} */
	LC_PRE_GPT2,		/* GPT2 */
	LC_PRE_SMOLLM,		/* \p{N}, GPT2 (also starcoder, refact, ...) */
	LC_PRE_LLAMA3,		/* LLAMA3 */
	LC_PRE_QWEN2,		/* LLAMA3 with \p{N} for \p{N}{1,3} */
	LC_PRE_FALCON,		/* [\p{P}\$\+<=>\^~\|`]+, GPT2, [0-9]{3} */
	LC_PRE_N
};

/* Piece lengths in codepoints, growable. */
typedef struct lc_pieces {
	size_t	*len;
	size_t	 n, cap;
} lc_pieces;

/*
 * Splits u into pieces with pre-tokenizer pre; on success out holds the
 * piece lengths (they sum to u->n).  tmp is scratch.  Returns 0, or -1
 * when memory ran out.
 */
int		 lc_pre_split(int pre, const lc_utext *u, lc_pieces *out,
		    lc_pieces *tmp);
/* The pre-tokenizer of a tokenizer.ggml.pre name, -1 if unknown. */
int		 lc_pre_lookup(const char *name, size_t len);
/* Short name of a pre-tokenizer ("smollm", ...). */
const char	*lc_pre_name(int pre);


/* ---- BERT's character data (unicode_nfd.c, generated) ---- */

enum {
	LC_BERT_REMOVE = 0x01,	/* clean_text drops it (controls, Cf, ...) */
	LC_BERT_SPACE = 0x02,	/* clean_text makes it ' ' */
	LC_BERT_CJK = 0x04,	/* handle_chinese_chars pads it with spaces */
	LC_BERT_PUNCT = 0x08,	/* BertPreTokenizer: a word of its own */
	LC_BERT_MN = 0x10,	/* strip_accents drops it (Mn, Unicode 8) */
	LC_BERT_WS = 0x20	/* BertPreTokenizer: splits, dropped */
};

extern const char	 lc_bert_version[];
extern const uint32_t	 lc_bert_ranges[];	/* start << 8 | flags */
extern const size_t	 lc_bert_ranges_n;
extern const uint32_t	 lc_bert_ccc[];		/* start << 8 | ccc */
extern const size_t	 lc_bert_ccc_n;
/* maps, sorted by key: at[i] = offset << 2 | (length - 1) in pool */
extern const uint32_t	 lc_bert_nfd_key[], lc_bert_nfd_at[],
			 lc_bert_nfd_pool[];
extern const size_t	 lc_bert_nfd_n;
extern const uint32_t	 lc_bert_lower_key[], lc_bert_lower_at[],
			 lc_bert_lower_pool[];
extern const size_t	 lc_bert_lower_n;

/* LC_BERT_* flags of cp. */
unsigned	 lc_bert_flags(uint32_t cp);


/* ---- the tokenizer object (tok.c, bpe.c, spm.c, wordpiece.c) ---- */

enum lc_tok_model {
	LC_TOKM_BPE,		/* byte-level BPE ("gpt2"), or raw ("gemma4") */
	LC_TOKM_SPM,		/* SentencePiece BPE ("llama") */
	LC_TOKM_WPM		/* WordPiece ("bert") */
};

/* per-token attribute bits in lc_tok.attr */
enum {
	LC_TOKA_EOG = 0x01,	/* ends generation */
	LC_TOKA_MATCH = 0x02,	/* split out of text (control, user) */
	LC_TOKA_RESPELL = 0x04	/* SPM: spaces that stand for U+2581s */
};

struct lc_tok_merge {
	uint32_t	 a, b;		/* left, right id; a = UINT32_MAX: empty */
	uint32_t	 rank;		/* index in tokenizer.ggml.merges */
	int32_t		 id;		/* the token a b merge into */
};

struct lc_tok {
	int		 model;		/* enum lc_tok_model */
	int		 pre;		/* enum lc_pre (BPE) */
	uint32_t	 n;		/* tokens */
	char		*text;		/* stored texts, back to back */
	size_t		*toff;		/* (n + 1) offsets into text */
	char		*dec;		/* decoded pieces, back to back */
	size_t		*doff;		/* (n + 1) offsets into dec */
	uint8_t		*type;		/* (n) enum lc_tok_type */
	uint8_t		*attr;		/* (n) LC_TOKA_* */
	uint32_t	*vht;		/* text -> id + 1 (0: empty) */
	size_t		 vmask;
	struct lc_tok_merge *mht;	/* BPE: (a, b) -> rank, id */
	size_t		 mmask;
	uint32_t	*mrank;		/* SPM (n): merge priority of the token
					   a pair makes, lower first */
	int32_t		*sprun;		/* SPM (nsprun): id of the respelled
					   run of k spaces, -1 */
	size_t		 nsprun;
	int32_t		 byte_tok[256];	/* id of each byte's token, -1 */
	uint32_t	*spec_len;	/* lengths of the tokens matched in
					   text, by first byte, longest first */
	size_t		 spec_at[257];	/* spec_len[spec_at[c]..spec_at[c+1]) */
	size_t		 maxpiece;
	int32_t		 bos, eos, unk;
	int		 add_bos, add_eos, ignore_merges;
	int		 raw;		/* BPE on raw UTF-8 with U+2581 for
					   spaces and <0xNN> byte tokens
					   (tokenizer.ggml.model "gemma4") */
	int		 add_space_prefix;	/* SPM: U+2581 before text
						   that starts the input or
						   follows a special token */
	/* WordPiece: texts are stored as in tokenizer.json ("##" pieces) */
	char		*dec1;		/* the piece of a text's first token */
	size_t		*d1off;		/* (n + 1) offsets into dec1 */
	size_t		 maxtok;	/* longest token text */
	uint32_t	 wp_maxchars;	/* longer words are unk */
	char		 wp_prefix[16];	/* continuing_subword_prefix */
	size_t		 wp_plen;
	int		 wp_clean, wp_chinese, wp_strip, wp_lower;
	int		 wp_cleanup;	/* decoder: " ." -> "." ... */
};

/* BPE (bpe.c) */
typedef struct lc_bpe_scratch {
	int32_t		*id, *prev, *next;	/* (cap) symbols */
	struct lc_bpe_heap { uint32_t rank, pos; int32_t id; } *heap;
	size_t		 cap, hcap;
	char		*buf;			/* byte-level text of a word */
	size_t		 bufcap;
	char		*esc;			/* raw BPE: the escaped text */
	size_t		 esccap;
} lc_bpe_scratch;

/* GPT-2 byte-level alphabet: the codepoint that stands for byte b. */
uint32_t	 lc_bytelevel_cp(unsigned b);
/* Appends id to the growable array; -1 on ENOMEM. */
int		 lc_tok_push_id(int32_t **ids, size_t *n, size_t *cap,
		    int32_t id);
/* Reads tokenizer.ggml.merges (kv) into t->mht. */
int		 lc_bpe_merges(lc_tok *t, const lc_gguf_kv *kv, lc_err *e);
const struct lc_tok_merge *lc_bpe_find_merge(const lc_tok *t, int32_t a,
		    int32_t b);
/* Appends the ids of word w[0..n) (raw bytes) to ids; -1 on ENOMEM.
   Byte-level BPE starts from one symbol per byte; raw BPE (t->raw) from
   one per UTF-8 character, a character without a token giving the
   tokens of its bytes (<0xNN>, HF's byte_fallback). */
int		 lc_bpe_word(const lc_tok *t, lc_bpe_scratch *s,
		    const unsigned char *w, size_t n, int32_t **ids,
		    size_t *nids, size_t *cap);
/* Raw BPE (Gemma 4): appends the ids of text[0..n) (no special tokens
   in it): spaces become U+2581, the text is cut into runs of newlines
   and runs of other bytes, a run of newlines that is a token is that
   token, every other run is merged; -1 on ENOMEM. */
int		 lc_bpe_raw_text(const lc_tok *t, lc_bpe_scratch *s,
		    const char *text, size_t n, int32_t **ids, size_t *nids,
		    size_t *cap);
void		 lc_bpe_scratch_free(lc_bpe_scratch *s);

/* SPM (spm.c) */
typedef struct lc_spm_scratch {
	struct lc_spm_sym *sym;		/* (cap) symbols */
	struct lc_spm_heap *heap;	/* (hcap) candidate pairs */
	size_t		 cap, hcap;
	char		*buf;		/* the escaped text */
	size_t		 bufcap;
	char		*cat;		/* a pair's text if not in buf */
	size_t		 catcap;
} lc_spm_scratch;

/* Reads the merge priorities (tokenizer.ggml.scores, or the token order
   for Gemma) and the respelled space runs; marks LC_TOKA_RESPELL. */
int		 lc_spm_load(lc_tok *t, const lc_gguf *g, lc_err *e);
/* The id SPM merging sees for text s[0..len) (respelled runs of U+2581
   included); -1 if none. */
int32_t		 lc_spm_find(const lc_tok *t, const char *s, size_t len);
/* Appends the ids of raw text s[0..n) (no special tokens in it) to ids,
   with U+2581 put first if prefix; -1 on ENOMEM. */
int		 lc_spm_text(const lc_tok *t, lc_spm_scratch *s,
		    const char *text, size_t n, int prefix, int32_t **ids,
		    size_t *nids, size_t *cap);
void		 lc_spm_scratch_free(lc_spm_scratch *s);

/* WordPiece (wordpiece.c) */
typedef struct lc_wpm_scratch {
	uint32_t	*a, *b;		/* codepoints, before and after */
	size_t		 acap, bcap;
	size_t		*bo;		/* char offsets of a word */
	size_t		 bocap;
	char		*buf;		/* prefix, then the word */
	size_t		 bufcap;
} lc_wpm_scratch;

/* Sets BERT's defaults (the GGUF path): "##", 100 chars, every
   normalizer step on, strip_accents following lowercase. */
void		 lc_wpm_defaults(lc_tok *t, int lowercase);
/* Rewrites llama.cpp's GGUF texts ("\u2581word", "piece") as
   tokenizer.json has them ("word", "##piece"); -1 on ENOMEM. */
int		 lc_wpm_respell(lc_tok *t);
/* The two pieces of each token (dec, dec1) and maxtok. */
int		 lc_wpm_pieces(lc_tok *t);
/* Appends the ids of raw text s[0..n) (no special tokens in it) to
   ids; -1 on ENOMEM. */
int		 lc_wpm_text(const lc_tok *t, lc_wpm_scratch *s,
		    const char *text, size_t n, int32_t **ids, size_t *nids,
		    size_t *cap);
void		 lc_wpm_scratch_free(lc_wpm_scratch *s);

/* tok.c: the hash index of the texts, the matched tokens and the end of
   generation, for a tokenizer whose texts, types and ids are filled. */
int		 lc_tok_finish(lc_tok *t, lc_err *e);

#endif /* LC_TOK_IMPL_H */
