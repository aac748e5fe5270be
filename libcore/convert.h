/*
 * convert.h - Hugging Face model directory -> GGUF, as llama.cpp's
 * convert_hf_to_gguf.py writes it.
 *
 * A directory holds config.json, model.safetensors (or shards named by
 * model.safetensors.index.json), tokenizer.json, tokenizer_config.json
 * and optionally generation_config.json and chat_template.jinja.
 * lc_conv_open() reads and checks all of it (architecture, hyper-
 * parameters, every tensor's name, type and shape against config.json,
 * the tokenizer) without touching tensor data; lc_conv_write() converts
 * and writes the GGUF.  The safetensors files stay mapped read-only
 * until lc_conv_close().  Nothing here prints or exits.
 *
 * Architectures: LlamaForCausalLM and MistralForCausalLM (GGUF "llama":
 * Q and K rows permuted from rotate-half to interleaved pairs, llama3
 * RoPE factors as rope_freqs.weight), Qwen2ForCausalLM ("qwen2"),
 * Qwen3ForCausalLM ("qwen3"), Qwen3MoeForCausalLM ("qwen3moe": the
 * experts' tensors stacked into ffn_*_exps), Gemma3ForCausalLM
 * ("gemma3": norms written as 1 + w, token_embd cut to the tokenizer's
 * size), Phi3ForCausalLM ("phi3": LongRoPE factor tensors),
 * GraniteForCausalLM ("granite": as llama, its multipliers as *_scale
 * keys), SmolLM3ForCausalLM ("smollm3": as llama), Olmo2ForCausalLM
 * ("olmo2": q/k norms over the whole projection, post-attention and
 * post-FFN norms), BertModel ("bert": sentence-transformers pooling
 * from modules.json).  Tokenizers: byte-level BPE (GGUF "gpt2"),
 * WordPiece (GGUF "bert", tokens in the converter's "phantom space"
 * spelling, tokenizer.ggml.pre named by the converter's check-text
 * hash), and for Gemma 3 and Phi-3 a SentencePiece tokenizer.model (GGUF
 * "llama", pieces, scores and types from its protobuf).
 */
#ifndef LC_CONVERT_H
#define LC_CONVERT_H

#include <stdint.h>

#include "status.h"

typedef struct lc_conv lc_conv;	/* opaque */

#define LC_CONV_KEEP	(-1)	/* outtype: each tensor's source type */

typedef struct lc_conv_opts {
	const char	*pre;	/* tokenizer.ggml.pre to write; NULL: told
				   from tokenizer.json's pre_tokenizer */
} lc_conv_opts;

typedef struct lc_conv_stats {
	uint64_t	 n_tensors;	/* written, rope_freqs included */
	uint64_t	 nelem;
	uint64_t	 bytes_from;	/* safetensors data read */
	uint64_t	 bytes_to;	/* tensor data written, unpadded */
	uint64_t	 n_converted;	/* tensors whose type changed */
} lc_conv_stats;

/*
 * Reads and validates the model directory dir.  On success *out is the
 * handle (free with lc_conv_close()); on failure *out is NULL and e
 * names the file and the field at fault: LC_EUNSUP for an architecture,
 * tokenizer or tensor type this module does not convert, LC_EFORMAT for
 * files that contradict each other or themselves, LC_EIO for a missing
 * or unreadable file.
 */
int		 lc_conv_open(lc_conv **out, const char *dir,
		    const lc_conv_opts *o, lc_err *e);
void		 lc_conv_close(lc_conv *c);		/* NULL is a no-op */

const char	*lc_conv_arch(const lc_conv *c);	/* "llama", "qwen2", ... */
const char	*lc_conv_hf_arch(const lc_conv *c);	/* "LlamaForCausalLM" */
const char	*lc_conv_pre(const lc_conv *c);		/* tokenizer.ggml.pre */

/*
 * Converts and writes path (see lc_gguf_writer_write(): temporary file,
 * fsync, rename).  outtype LC_F32, LC_F16 or LC_BF16 writes what
 * convert_hf_to_gguf.py --outtype f32|f16|bf16 writes (1-D tensors,
 * norms and biases F32); LC_CONV_KEEP keeps each 2-D tensor's source
 * type (F32, F16 or BF16; 1-D ones become F32), the input llm-quant
 * quantizes from.  st (may be NULL) gets the counts.  Tensors that need
 * no change are written straight from the mapping; permuted or retyped
 * ones are held in memory until the file is written.
 */
int		 lc_conv_write(lc_conv *c, int outtype, const char *path,
		    lc_conv_stats *st, lc_err *e);

/* The pre-tokenizer names lc_conv_open() writes or accepts in o->pre,
   NULL-terminated. */
const char *const *lc_conv_pre_names(void);

#endif /* LC_CONVERT_H */
