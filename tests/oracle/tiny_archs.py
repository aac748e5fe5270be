#!/usr/bin/env python3
"""Tiny random models of more architectures, converted by llama.cpp's
convert_hf_to_gguf.py, with transformers' float32 logits at every position:
the same kind of goldens as hf_golden.py's tiny-qwen2 / tiny-qwen3.  The
formulas and GGUF layouts a C implementation needs are in
tests/oracle/tiny_archs_README.

usage: tiny_archs.py [--llama-cpp DIR] [--llama-build DIR] [--models DIR]
                     [--no-llama] [--probe] [NAME...]     (default: all)
       tiny_archs.py convert MODEL_NAME HF_DIR OUT.gguf [CLASS [ARGS]]
                                    (internal: the converter, run in a child
                                     process; see convert_child)

For every NAME it writes
  tests/golden/hf/tiny-NAME.f32.gguf    convert_hf_to_gguf.py --outtype f32
  tests/golden/hf/tiny-NAME.logits.f32  transformers' logits, every position
                                        of every sequence, f32 LE
  tests/golden/hf/tiny-NAME.json        shapes, sequences, top-1s, GGUF keys
with the JSON keys of hf_golden.py's tiny-<arch>.json plus "name" (the file
stem), "hf_class", "gguf_kv" (every non-tokenizer GGUF key the converter
wrote), "gguf_tensors" (name -> GGUF shape ne0,ne1,.. of every tensor of
block 0 and the non-block tensors) and per-case keys described in the README.
"arch" is general.architecture of the GGUF (e.g. "llama" for tiny-mistral).

Unless --no-llama is given, the same sequences are run through llama.cpp
(libllama built in --llama-build, see tests/oracle/README; a small C helper
is compiled into /tmp on first use) and top-1 agreement and NMSE against
transformers are printed.  Nothing of llama.cpp's output is stored.

--probe additionally runs the variants that transformers and llama.cpp
compute differently (explicit YaRN attention_factor, gemma3
query_pre_attn_scalar != head_dim, mistral sliding_window), gemma3/gemma4
with ggml's f16-table GELU emulated in transformers, and qwen35 with
transformers' token-by-token delta rule, and prints by how much they
differ; nothing is written for them.

The vocabulary, tokenizer.json, weight scales and seed are hf_golden.py's
(imported from it).  The converter runs in a child process with
TextModel.get_vocab_base_pre forced to "smollm", as in hf_golden.py
(plus the per-case changes of convert_child, explained in the README).
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_golden as hg  # noqa: E402

OUT = hg.OUT
SEED = hg.SEED
LLAMA_BUILD = "/tmp/llama-build/bin"
HELPER_SRC = r"""
/* tiny_archs.py's llama.cpp helper: logits of every position of id
 * sequences.  usage: H MODEL N_CTX IDS OUT; IDS has one sequence per line
 * (decimal ids), OUT gets float32 logits, sequence after sequence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "llama.h"

static void quiet(enum ggml_log_level l, const char *t, void *u)
{ (void)l; (void)t; (void)u; }

int main(int argc, char **argv)
{
	static char line[1 << 16];
	struct llama_model_params mp;
	struct llama_context_params cp;
	struct llama_model *model;
	struct llama_context *ctx;
	struct llama_batch batch;
	int n, i, nv;
	char *s, *e;
	FILE *in, *out;

	if (argc != 5)
		return 2;
	llama_log_set(quiet, NULL);
	llama_backend_init();
	mp = llama_model_default_params();
	cp = llama_context_default_params();
	if ((model = llama_model_load_from_file(argv[1], mp)) == NULL)
		return 1;
	nv = llama_vocab_n_tokens(llama_model_get_vocab(model));
	cp.n_ctx = (unsigned)atoi(argv[2]);
	cp.n_batch = cp.n_ubatch = 512;
	cp.n_threads = cp.n_threads_batch = 2;
	cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
	cp.type_k = GGML_TYPE_F32;
	cp.type_v = GGML_TYPE_F32;
	if ((ctx = llama_init_from_model(model, cp)) == NULL)
		return 1;
	in = fopen(argv[3], "r");
	out = fopen(argv[4], "wb");
	if (in == NULL || out == NULL)
		return 1;
	batch = llama_batch_init(512, 0, 1);
	while (fgets(line, sizeof(line), in) != NULL) {
		for (n = 0, s = line;; s = e) {
			long v = strtol(s, &e, 10);
			if (e == s)
				break;
			batch.token[n] = (llama_token)v;
			batch.pos[n] = n;
			batch.n_seq_id[n] = 1;
			batch.seq_id[n][0] = 0;
			batch.logits[n] = 1;
			n++;
		}
		if (n == 0)
			continue;
		batch.n_tokens = n;
		llama_memory_clear(llama_get_memory(ctx), 1);
		if (llama_decode(ctx, batch) != 0)
			return 1;
		for (i = 0; i < n; i++)
			fwrite(llama_get_logits_ith(ctx, i), sizeof(float),
			    (size_t)nv, out);
	}
	fclose(out);
	llama_batch_free(batch);
	llama_free(ctx);
	llama_model_free(model);
	return 0;
}
"""

# ---------------------------------------------------------------- the cases
#
# Every case: a transformers class and config, weights randomized as in
# hf_golden.randomize (norm weights around 1, or around 0 where the model
# adds 1 itself), and the lengths of its random sequences.  Sequence 0 is
# always the text below, sequence 1 BOS + 4 random ids; then "extra"
# random sequences (numpy default_rng(SEED + case index), ids in
# [0, vocab)).

TEXT = hg.TINY_TEXTS[0]

COMMON = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
              num_key_value_heads=2, intermediate_size=128, hidden_act="silu",
              max_position_embeddings=256, rms_norm_eps=1e-6,
              tie_word_embeddings=True, bos_token_id=1, eos_token_id=2,
              pad_token_id=2, attention_dropout=0.0)


def rope(theta, **kw):
    d = {"rope_type": "default", "rope_theta": theta}
    d.update(kw)
    return d


def case_phi3():
    # Phi-4-mini-instruct: Phi3ForCausalLM, fused qkv_proj / gate_up_proj,
    # partial_rotary_factor 0.75, LongRoPE (short/long factors,
    # original_max_position_embeddings 4096, max 131072: ratio 32), tied
    # embeddings, sliding_window 262144 (> context: no effect), no biases.
    # Tiny: head_dim 16, 12 rotary dims (6 factors), original 64, max 2048
    # (ratio 32 again); sequences <= 64 use the short factors in
    # transformers, the 90-token one the long factors.
    from transformers import Phi3Config, Phi3ForCausalLM
    g = np.random.default_rng(SEED + 1)
    short = [round(float(x), 4) for x in 1.0 + 0.5 * g.random(6)]
    long_ = [round(float(x), 4) for x in np.sort(1.0 + 15.0 * g.random(6))]
    c = dict(COMMON)
    c.update(max_position_embeddings=2048, original_max_position_embeddings=64,
             sliding_window=262144,
             rope_parameters={"rope_type": "longrope", "rope_theta": 10000.0,
                              "partial_rotary_factor": 0.75,
                              "short_factor": short, "long_factor": long_,
                              "original_max_position_embeddings": 64},
             rms_norm_eps=1e-5)
    # general.name must not contain "phi3" or "phi-3": llama.cpp's vocabulary
    # loader then looks up "</s>" (llama-vocab.cpp, per-token attributes)
    # and fails on this vocabulary.  Phi-4-mini's GGUFs are named
    # "Phi 4 Mini Instruct".
    return dict(cls=Phi3ForCausalLM, config=Phi3Config(**c), extra=[90],
                tokenizer_class="GPT2Tokenizer", model_name="tiny-phi4-mini")


def case_mistral():
    # Mistral-7B-v0.3 / Mistral-Nemo style: MistralForCausalLM, untied
    # output, no biases, sliding_window null (the converter ignores it and
    # llama.cpp's llama arch has none), head_dim given explicitly and
    # != hidden/heads (Nemo: 128 vs 5120/32 = 160).
    from transformers import MistralConfig, MistralForCausalLM
    c = dict(COMMON)
    c.update(head_dim=32, num_key_value_heads=1, intermediate_size=64,
             tie_word_embeddings=False, sliding_window=None,
             rope_parameters=rope(1000000.0), rms_norm_eps=1e-5)
    return dict(cls=MistralForCausalLM, config=MistralConfig(**c), extra=[32])


def case_llama3():
    # Llama-3.1 RoPE scaling, original context 64 so that the tiny head's
    # wavelengths (6.3 .. 19869 positions) fall in all three regions.
    from transformers import LlamaConfig, LlamaForCausalLM
    c = dict(COMMON)
    c.update(rope_parameters=rope(10000.0, rope_type="llama3", factor=8.0,
                                  low_freq_factor=1.0, high_freq_factor=4.0,
                                  original_max_position_embeddings=64),
             rms_norm_eps=1e-5)
    return dict(cls=LlamaForCausalLM, config=LlamaConfig(**c), extra=[90])


def case_llama_linear():
    from transformers import LlamaConfig, LlamaForCausalLM
    c = dict(COMMON)
    c.update(rope_parameters=rope(10000.0, rope_type="linear", factor=2.0),
             rms_norm_eps=1e-5)
    return dict(cls=LlamaForCausalLM, config=LlamaConfig(**c), extra=[90])


def case_qwen2_yarn(attention_factor=None):
    # Qwen2.5 style YaRN (rope_scaling {"type": "yarn", "factor": 4,
    # "original_max_position_embeddings": 32768} in its model card);
    # max_position_embeddings = factor * original.
    from transformers import Qwen2Config, Qwen2ForCausalLM
    c = dict(COMMON)
    rp = rope(10000.0, rope_type="yarn", factor=4.0,
              original_max_position_embeddings=64)
    if attention_factor is not None:
        rp["attention_factor"] = attention_factor
    c.update(rope_parameters=rp, use_sliding_window=False)
    return dict(cls=Qwen2ForCausalLM, config=Qwen2Config(**c), extra=[90],
                bias_std=0.5)


def case_qwen3moe():
    # Qwen3-30B-A3B style: every layer sparse (decoder_sparse_step 1,
    # mlp_only_layers []), norm_topk_prob true, no shared expert,
    # head_dim explicit (128 there, 32 here), q/k RMSNorm.  Qwen3-30B-A3B
    # has an untied output; tied here to stay under the size budget
    # (tiny-mistral covers output.weight).
    from transformers import Qwen3MoeConfig, Qwen3MoeForCausalLM
    c = dict(COMMON)
    c.update(head_dim=32, num_local_experts=8, num_experts_per_tok=2,
             moe_intermediate_size=16, intermediate_size=64,
             norm_topk_prob=True, decoder_sparse_step=1, mlp_only_layers=[],
             tie_word_embeddings=True, use_sliding_window=False,
             rope_parameters=rope(1000000.0))
    return dict(cls=Qwen3MoeForCausalLM, config=Qwen3MoeConfig(**c),
                extra=[40], router_std=2.0)


def case_gemma3(qpas=None):
    # Gemma3ForCausalLM (gemma-3-4b and larger style: global layers' RoPE
    # linearly scaled by 8, local layers theta 10000), 6 layers so that
    # llama.cpp's default pattern (every 6th layer global) and
    # transformers' layer_types agree: S S S S S F.  sliding_window 4.
    # head_dim 24 != hidden/heads = 16; query_pre_attn_scalar = head_dim
    # (llama.cpp cannot express anything else, see the README).
    # Embeddings N(0, 0.1^2) (x sqrt(64) -> 0.8) and the final norm's
    # 1 + w around 4 keep the embedding from dominating the residual
    # stream (top-1 would be the input token everywhere) while keeping
    # the logits spread.
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig
    c = dict(vocab_size=hg.TINY_VOCAB, hidden_size=64, num_hidden_layers=6,
             num_attention_heads=4, num_key_value_heads=1, head_dim=24,
             intermediate_size=32, hidden_activation="gelu_pytorch_tanh",
             max_position_embeddings=256, rms_norm_eps=1e-6,
             tie_word_embeddings=True, bos_token_id=1, eos_token_id=2,
             pad_token_id=2, query_pre_attn_scalar=qpas or 24,
             sliding_window=4, final_logit_softcapping=None,
             attn_logit_softcapping=None,
             layer_types=["sliding_attention"] * 5 + ["full_attention"],
             rope_parameters={
                 "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
                 "full_attention": {"rope_type": "linear", "factor": 8.0,
                                    "rope_theta": 1000000.0}})
    return dict(cls=Gemma3ForCausalLM, config=Gemma3TextConfig(**c),
                extra=[50], norm_center=0.0, embed_std=0.1,
                final_norm_center=3.0)


def case_granite():
    # Granite 3.x (granite-3.3-2b-instruct: embedding_multiplier 12,
    # residual_multiplier 0.22, attention_multiplier 0.015625 = 1/head_dim,
    # logits_scaling 8).  Tiny: attention_multiplier 1/16 (not
    # 1/sqrt(16)).  Untied (granite 3.x ties): with the embedding x12 and
    # every layer's output x0.22 a tied tiny model predicts its input token
    # everywhere.  Embeddings N(0, (0.4/12)^2), lm_head N(0, 3.2^2) so that
    # logits / 8 still spread.
    from transformers import GraniteConfig, GraniteForCausalLM
    c = dict(COMMON)
    c.update(embedding_multiplier=12.0, residual_multiplier=0.22,
             attention_multiplier=0.0625, logits_scaling=8.0,
             tie_word_embeddings=False, intermediate_size=64,
             rope_parameters=rope(10000000.0), rms_norm_eps=1e-5)
    return dict(cls=GraniteForCausalLM, config=GraniteConfig(**c), extra=[32],
                embed_std=0.4 / 12, lm_head_std=3.2)


def case_olmo2():
    # OLMo-2 (e.g. OLMo-2-0425-1B): no pre-norms; RMSNorm after attention and
    # after the MLP (inside the residual branch); q_norm / k_norm over the
    # whole projection (n_head*head_dim and n_head_kv*head_dim) before RoPE;
    # untied output.
    from transformers import Olmo2Config, Olmo2ForCausalLM
    c = dict(COMMON)
    c.update(tie_word_embeddings=False, intermediate_size=64,
             rope_parameters=rope(500000.0))
    return dict(cls=Olmo2ForCausalLM, config=Olmo2Config(**c), extra=[32])


def case_smollm3():
    # SmolLM3-3B: llama with NoPE every 4th layer (no_rope_layer_interval 4:
    # layers 3, 7, .. have no RoPE), GQA, tied.  4 layers here.
    from transformers import SmolLM3Config, SmolLM3ForCausalLM
    c = dict(COMMON)
    c.update(num_hidden_layers=4, intermediate_size=64,
             no_rope_layer_interval=4, use_sliding_window=False,
             rope_parameters=rope(5000000.0))
    return dict(cls=SmolLM3ForCausalLM, config=SmolLM3Config(**c), extra=[76])


def case_gemma4():
    # Gemma4ForCausalLM, gemma-4-E2B style: per-layer embeddings (PLE), the
    # last layers reusing earlier layers' K/V (num_kv_shared_layers) with a
    # double-wide MLP, sliding (head_dim 16, theta 10000) and full layers
    # (global head_dim 32, "proportional" RoPE on a quarter of it, theta
    # 1e6), q/k RMSNorm, weightless v RMSNorm, attention scale 1, per-layer
    # output scalar, final logit soft-capping 30.  Layer types S S S F S F:
    # layers 4 and 5 reuse the K/V of layers 2 (S) and 3 (F); llama.cpp
    # requires the last two non-shared layers to be S then F (E2B: 15 of 35
    # layers non-shared, pattern S S S S F).
    # Embeddings N(0, 0.1^2) (x8) and the final norm around 4, as gemma3.
    from transformers import Gemma4ForCausalLM, Gemma4TextConfig
    S, F = "sliding_attention", "full_attention"
    c = dict(vocab_size=hg.TINY_VOCAB, hidden_size=64, intermediate_size=32,
             num_hidden_layers=6, num_attention_heads=4, num_key_value_heads=1,
             head_dim=16, global_head_dim=32, max_position_embeddings=256,
             sliding_window=4, vocab_size_per_layer_input=hg.TINY_VOCAB,
             hidden_size_per_layer_input=4, num_kv_shared_layers=2,
             use_double_wide_mlp=True, final_logit_softcapping=30.0,
             rms_norm_eps=1e-6, tie_word_embeddings=True, bos_token_id=1,
             eos_token_id=2, pad_token_id=2, layer_types=[S, S, S, F, S, F])
    return dict(cls=Gemma4ForCausalLM, config=Gemma4TextConfig(**c),
                extra=[30], embed_std=0.1, final_norm_center=4.0,
                gpt2_vocab="Gemma4Model")


def case_qwen35():
    # Qwen3.5 (dense, e.g. Qwen3.5-2B): 3 of every 4 layers gated DeltaNet
    # ("linear_attention": causal depthwise conv1d + SiLU on q/k/v,
    # L2-normalised q/k, gated delta rule, gated RMSNorm with z, out_proj),
    # every 4th layer full attention with an output gate (q_proj gives q and
    # gate), q/k RMSNorm, partial RoPE (0.25 of head_dim) as interleaved
    # MRoPE (text: all sections at the same position).  RMSNorms
    # zero-centred (1 + w) except the gated one.  2 key heads, 4 value
    # heads (the converter reorders the value heads).
    from transformers import Qwen3_5ForCausalLM, Qwen3_5TextConfig
    c = dict(vocab_size=hg.TINY_VOCAB, hidden_size=64, intermediate_size=64,
             num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=2,
             head_dim=32, linear_key_head_dim=16, linear_value_head_dim=16,
             linear_num_key_heads=2, linear_num_value_heads=4,
             linear_conv_kernel_dim=4, max_position_embeddings=256,
             rope_parameters={"rope_type": "default", "rope_theta": 10000000.0,
                              "partial_rotary_factor": 0.25,
                              "mrope_section": [2, 1, 1],
                              "mrope_interleaved": True},
             rms_norm_eps=1e-6, tie_word_embeddings=True, bos_token_id=1,
             eos_token_id=2, pad_token_id=2)
    return dict(cls=Qwen3_5ForCausalLM, config=Qwen3_5TextConfig(**c),
                extra=[50], norm_center=0.0, convert_args="--no-mtp")


CASES = {
    "phi3": case_phi3,
    "mistral": case_mistral,
    "llama3": case_llama3,
    "llama-linear": case_llama_linear,
    "qwen2-yarn": case_qwen2_yarn,
    "qwen3moe": case_qwen3moe,
    "gemma3": case_gemma3,
    "granite": case_granite,
    "olmo2": case_olmo2,
    "smollm3": case_smollm3,
    "gemma4": case_gemma4,
    "qwen35": case_qwen35,
}

# ---------------------------------------------------------------- building


def randomize(model, torch, seed=SEED, norm_center=1.0, bias_std=0.5,
              router_std=1.0, embed_std=0.4, final_norm_center=None,
              lm_head_std=0.4):
    """hf_golden.randomize's scales, extended: embeddings N(0, embed_std^2)
    (0.4 as hf_golden; smaller where the model multiplies them up, so that
    they do not swamp the layers' contributions), an untied lm_head
    N(0, lm_head_std^2), the final norm around final_norm_center where given (to
    restore the logits' spread when embed_std is small); other norm
    weights norm_center +
    N(0, 0.25^2) (0 for Gemma, whose RMSNorm multiplies by 1 + w), 3-D
    expert tensors [E, out, in] N(0, 1/in), MoE router N(0, router_std^2/in)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            if name.endswith("embed_tokens.weight"):
                p.copy_(torch.randn(p.shape, generator=g) * embed_std)
            elif name.endswith("lm_head.weight"):
                p.copy_(torch.randn(p.shape, generator=g) * lm_head_std)
            elif name == "model.norm.weight" and final_norm_center is not None:
                p.copy_(final_norm_center + 0.25 * torch.randn(p.shape, generator=g))
            elif name.endswith("linear_attn.norm.weight"):  # qwen3.5 gated norm: w
                p.copy_(1.0 + 0.25 * torch.randn(p.shape, generator=g))
            elif name.endswith("norm.weight"):
                p.copy_(norm_center + 0.25 * torch.randn(p.shape, generator=g))
            elif name.endswith("linear_attn.dt_bias"):
                p.copy_(1.0 + 0.25 * torch.randn(p.shape, generator=g))
            elif name.endswith("linear_attn.A_log"):
                p.copy_(0.5 * torch.randn(p.shape, generator=g))
            elif name.endswith(".bias"):
                p.copy_(bias_std * torch.randn(p.shape, generator=g))
            elif name.endswith("mlp.gate.weight"):  # MoE router [E, H]
                p.copy_(torch.randn(p.shape, generator=g) * router_std
                        / p.shape[1] ** 0.5)
            elif p.dim() == 2:
                p.copy_(torch.randn(p.shape, generator=g) / p.shape[1] ** 0.5)
            elif p.dim() == 3:  # fused experts [E, out, in]
                p.copy_(torch.randn(p.shape, generator=g) / p.shape[2] ** 0.5)
            else:
                raise ValueError("unexpected parameter %s %s" % (name, tuple(p.shape)))
        for name, b in sorted(model.named_buffers()):
            if name.endswith("layer_scalar"):  # gemma4 per-layer output scale
                b.copy_(1.0 + 0.25 * torch.randn(b.shape, generator=g))


MIN_MARGIN = 0.005


def sequences(tok_encode, nv, k, extra, model):
    """The text, then BOS + 4 random ids, then the random "extra" ones.  A
    random sequence where transformers' top-2 logits come closer than
    MIN_MARGIN at some position is redrawn (the next draw of the same
    generator), so that top-1 comparisons are not decided by rounding."""
    rng = np.random.default_rng(SEED + k)
    seqs = [[int(i) for i in tok_encode(TEXT)]]
    for n in [None] + list(extra):
        for _ in range(50):
            if n is None:
                s = [1] + [int(i) for i in rng.integers(17, nv, 4)]
            else:
                s = [int(i) for i in rng.integers(0, nv, n)]
            if margins(hg.forward(model, s)).min() >= MIN_MARGIN:
                break
        seqs.append(s)
    return seqs


def convert_child(model_name, hf_dir, out, gpt2_vocab="", extra_args=""):
    """hf_golden.convert, extended: run convert_hf_to_gguf.py in this process
    with TextModel.get_vocab_base_pre forced to "smollm" and
      --outtype f32 --model-name MODEL_NAME --outfile OUT [EXTRA_ARGS]
    (extra_args: "--no-mtp" for Qwen3.5, whose converter otherwise wants
    multi-token-prediction layers).  With gpt2_vocab = a converter class
    name, that class's set_vocab is replaced by TextModel._set_vocab_gpt2
    (Gemma4Model's own wants a SentencePiece-style tokenizer.json and
    writes tokenizer model "gemma4")."""
    import importlib
    import runpy
    lcp = os.environ.get("HF_GOLDEN_LLAMA_CPP", hg.LLAMA_CPP)
    sys.path.insert(0, lcp)
    sys.path.insert(1, os.path.join(lcp, "gguf-py"))
    import conversion.base as cb
    cb.TextModel.get_vocab_base_pre = lambda self, tokenizer: "smollm"
    if gpt2_vocab:
        for m in ("gemma", "qwen", "llama"):
            mod = importlib.import_module("conversion." + m)
            if hasattr(mod, gpt2_vocab):
                getattr(mod, gpt2_vocab).set_vocab = lambda self: self._set_vocab_gpt2()
    sys.argv = ["convert_hf_to_gguf.py", hf_dir, "--outtype", "f32",
                "--model-name", model_name, "--outfile", out] + extra_args.split()
    runpy.run_path(os.path.join(lcp, "convert_hf_to_gguf.py"), run_name="__main__")


def gguf_info(path):
    """Non-tokenizer KV pairs and tensor shapes (GGUF order ne0, ne1, ...)."""
    import gguf
    r = gguf.GGUFReader(path)
    kv = {}
    for k, f in r.fields.items():
        if k.startswith("tokenizer.") or k.startswith("GGUF."):
            continue
        v = f.contents()
        if isinstance(v, float):
            v = float(np.float32(v))
        kv[k] = v
    tens = {}
    for t in r.tensors:
        if t.name.startswith("blk.") and not t.name.startswith("blk.0."):
            continue
        tens[t.name] = [int(x) for x in t.shape]
    ntens = len(r.tensors)
    return kv, tens, ntens, r


def build(name, k, hf_dir, gguf_path, models_dir, torch, variant=None):
    spec = CASES[name]() if variant is None else variant
    toks, ttype, merges = hg.smol_vocab(models_dir, hg.TINY_VOCAB)
    nv = len(toks)
    cfg = spec["config"]
    cfg.vocab_size = nv
    model = spec["cls"](cfg)
    model.to(torch.float32)
    model.eval()
    from tokenizers import Tokenizer
    os.makedirs(hf_dir, exist_ok=True)
    hg.write_tokenizer(hf_dir, toks, ttype, merges)
    tk = Tokenizer.from_file(os.path.join(hf_dir, "tokenizer.json"))
    text_ids = tk.encode(TEXT, add_special_tokens=False).ids
    # weights: seed SEED, or SEED + 1, 2, ... if the text's top-2 logits
    # come closer than MIN_MARGIN somewhere
    for wseed in range(SEED, SEED + 50):
        randomize(model, torch, seed=wseed,
                  norm_center=spec.get("norm_center", 1.0),
                  bias_std=spec.get("bias_std", 0.5),
                  router_std=spec.get("router_std", 1.0),
                  embed_std=spec.get("embed_std", 0.4),
                  final_norm_center=spec.get("final_norm_center"),
                  lm_head_std=spec.get("lm_head_std", 0.4))
        if margins(hg.forward(model, text_ids)).min() >= MIN_MARGIN:
            break
    spec["weight_seed"] = wseed
    model.save_pretrained(hf_dir, safe_serialization=True)
    if spec.get("tokenizer_class"):
        p = os.path.join(hf_dir, "tokenizer_config.json")
        with open(p) as f:
            tc = json.load(f)
        tc["tokenizer_class"] = spec["tokenizer_class"]
        with open(p, "w") as f:
            json.dump(tc, f, indent=1)
    cv = subprocess.run([sys.executable, os.path.abspath(__file__), "convert",
                         spec.get("model_name", "tiny-" + name), hf_dir, gguf_path,
                         spec.get("gpt2_vocab", ""), spec.get("convert_args", "")],
                        capture_output=True, text=True)
    if cv.returncode != 0:
        sys.stderr.write(cv.stdout + cv.stderr)
        raise SystemExit("convert_hf_to_gguf.py failed for " + name)
    model = spec["cls"].from_pretrained(hf_dir, dtype=torch.float32,
                                        attn_implementation="eager")
    model.eval()
    seqs = sequences(lambda t: tk.encode(t, add_special_tokens=False).ids, nv, k,
                     spec["extra"], model)
    return spec, model, seqs, nv


# ---------------------------------------------------------------- llama.cpp


def helper(llama_cpp, build_dir):
    h = hashlib.sha256((HELPER_SRC + llama_cpp + build_dir).encode()).hexdigest()[:12]
    exe = "/tmp/tiny_archs_llama_%s" % h
    if os.path.exists(exe):
        return exe
    with tempfile.TemporaryDirectory() as td:
        src = os.path.join(td, "h.c")
        with open(src, "w") as f:
            f.write(HELPER_SRC)
        subprocess.run(["cc", "-O2", "-I" + os.path.join(llama_cpp, "include"),
                        "-I" + os.path.join(llama_cpp, "ggml", "include"),
                        "-o", exe, src, "-L" + build_dir, "-lllama", "-lggml",
                        "-lggml-base", "-Wl,-rpath," + build_dir], check=True)
    return exe


def llama_logits(exe, gguf_path, seqs, n_ctx, nv):
    with tempfile.TemporaryDirectory() as td:
        ip = os.path.join(td, "ids")
        op = os.path.join(td, "out")
        with open(ip, "w") as f:
            for s in seqs:
                f.write(" ".join(str(i) for i in s) + "\n")
        subprocess.run([exe, gguf_path, str(n_ctx), ip, op], check=True)
        a = np.fromfile(op, dtype="<f4").reshape(-1, nv)
    out, o = [], 0
    for s in seqs:
        out.append(a[o:o + len(s)])
        o += len(s)
    return out


def compare(tag, hf, ll, idx=None):
    idx = range(len(hf)) if idx is None else idx
    agree = total = 0
    worst = 0.0
    num = den = 0.0
    for i in idx:
        a, b = hf[i], ll[i]
        agree += int(np.sum(a.argmax(1) == b.argmax(1)))
        total += a.shape[0]
        for p in range(a.shape[0]):
            worst = max(worst, hg.nmse(b[p], a[p]))
        num += float(np.sum((a.astype(np.float64) - b) ** 2))
        den += float(np.sum(a.astype(np.float64) ** 2))
    print("    %s: top-1 %d/%d, NMSE all %.3g, worst position %.3g"
          % (tag, agree, total, num / den, worst))
    return agree, total, num / den, worst


def patched_copy(src, dst, key, value):
    """Copy a GGUF and overwrite one scalar KV value in place."""
    import gguf
    shutil.copyfile(src, dst)
    r = gguf.GGUFReader(dst, "r+")
    f = r.fields[key]
    f.parts[f.data[0]][0] = value
    del r


# ---------------------------------------------------------------- RoPE check


def spec_rope(kv, tensors, arch, n_ctx, pos, swa=False):
    """cos and sin [len(pos), n_rot/2] of pair i at each position, computed
    from the GGUF keys as tiny_archs_README says llama.cpp does
    (llama-context.cpp llama_context::llama_context for the yarn/attn
    factors, ggml-cpu/ops.cpp rope_yarn / ggml_rope_cache_init,
    ggml.c ggml_rope_yarn_corr_dims).  Float64 throughout."""
    import math
    g = lambda k, d=None: kv.get("%s.%s" % (arch, k), d)
    n_embd, n_head = g("embedding_length"), g("attention.head_count")
    n_rot = g("rope.dimension_count") or g("attention.key_length") or n_embd // n_head
    base = g("rope.freq_base", 10000.0)
    stype = g("rope.scaling.type", "linear")
    factor = g("rope.scaling.factor", 0.0)
    freq_scale = 1.0 / factor if factor else 1.0
    if stype == "none":
        freq_scale = 1.0
    if swa:  # gemma3/gemma4 local layers (no freq factors there)
        base, freq_scale = g("rope.freq_base_swa", 10000.0), 1.0
        n_rot = g("rope.dimension_count_swa") or g("attention.key_length_swa") or n_rot
        tensors = {}
    n_orig = g("rope.scaling.original_context_length") or g("context_length")
    ext = 1.0 if stype == "yarn" else 0.0
    attn = 1.0
    if ext:
        f = 1.0 / freq_scale
        attn = (1.0 if f <= 1 else 0.1 * math.log(f) + 1.0) / (1.0 + 0.1 * math.log(f))
    attn *= g("rope.scaling.attn_factor", 1.0)
    ff = np.ones(n_rot // 2)
    if "rope_freqs" in tensors:
        ff = tensors["rope_freqs"]
    elif "rope_factors_long" in tensors:
        ff = tensors["rope_factors_long" if n_ctx > n_orig else "rope_factors_short"]
    i = np.arange(n_rot // 2)
    th_ext = np.outer(pos, base ** (-2.0 * i / n_rot) / ff)
    th = freq_scale * th_ext
    mscale = attn
    if ext:
        def corr(nr):
            return n_rot * math.log(n_orig / (nr * 2 * math.pi)) / (2 * math.log(base))
        lo = max(0.0, math.floor(corr(32.0)))
        hi = min(n_rot - 1.0, math.ceil(corr(1.0)))
        y = (i - lo) / max(0.001, hi - lo)
        ramp = (1 - np.minimum(1, np.maximum(0, y))) * ext
        th = th * (1 - ramp) + th_ext * ramp
        mscale *= 1.0 + 0.1 * math.log(1.0 / freq_scale)
    return np.cos(th) * mscale, np.sin(th) * mscale


def rope_check(name, model, gguf_path, kv, torch):
    """Largest |cos/sin difference| between spec_rope() and transformers'
    rotary embedding, over positions 0..L-1 for L = 28 and 100 (and each
    layer type)."""
    import gguf
    r = gguf.GGUFReader(gguf_path)
    tensors = {t.name.removesuffix(".weight"): np.array(t.data, np.float64)
               for t in r.tensors if t.name.startswith("rope_")}
    arch = kv["general.architecture"]
    worst = 0.0
    rot = model.model.rotary_emb
    types = getattr(model.config, "layer_types", None) or [None]
    for L in (28, 100):
        pos = np.arange(L)
        x = torch.zeros(1, L, model.config.hidden_size)
        pid = torch.arange(L)[None]
        for lt in sorted(set(types)):
            with torch.no_grad():
                if lt is not None and name.startswith("gemma"):
                    cos, sin = rot(x, pid, lt)
                else:
                    cos, sin = rot(x, pid)
            cos, sin = cos[0].double().numpy(), sin[0].double().numpy()
            c, s_ = spec_rope(kv, tensors, arch, L, pos, swa=lt == "sliding_attention")
            h = c.shape[1]
            worst = max(worst, float(np.abs(cos[:, :h] - c).max()),
                        float(np.abs(sin[:, :h] - s_).max()))
    return worst


# ---------------------------------------------------------------- one case


def margins(lg):
    s = np.sort(lg, axis=1)
    return s[:, -1] - s[:, -2]


def moe_router_gaps(model, seqs, torch):
    """Smallest gap, over every token and MoE layer, between the k-th and
    (k+1)-th router probability (transformers): how far expert selection is
    from a tie."""
    gaps = []
    k = model.config.num_experts_per_tok

    def hook(mod, inp, out):
        x = inp[0].reshape(-1, inp[0].shape[-1])
        p = torch.softmax(x @ mod.weight.t(), dim=-1)
        s = torch.sort(p, dim=-1, descending=True).values
        gaps.append(float((s[:, k - 1] - s[:, k]).min()))
    hs = [l.mlp.gate.register_forward_hook(hook) for l in model.model.layers]
    for s in seqs:
        hg.forward(model, s)
    for h in hs:
        h.remove()
    return min(gaps)


def do_case(name, k, a, torch):
    gguf_path = os.path.join(OUT, "tiny-%s.f32.gguf" % name)
    with tempfile.TemporaryDirectory() as td:
        d = os.path.join(td, "tiny-" + name)
        spec, model, seqs, nv = build(name, k, d, gguf_path, a.models, torch)
        with open(os.path.join(d, "config.json")) as f:
            hf_config = json.load(f)
    logits = [hg.forward(model, s) for s in seqs]
    hg.write_f32(os.path.join(OUT, "tiny-%s.logits.f32" % name), logits)
    kv, tens, ntens, _ = gguf_info(gguf_path)
    meta = {
        "arch": kv["general.architecture"],
        "name": name,
        "hf_class": spec["cls"].__name__,
        "gguf": os.path.basename(gguf_path),
        "vocab_size": nv,
        "hidden_size": hf_config["hidden_size"],
        "num_hidden_layers": hf_config["num_hidden_layers"],
        "num_attention_heads": hf_config["num_attention_heads"],
        "num_key_value_heads": hf_config["num_key_value_heads"],
        "head_dim": hf_config.get("head_dim") or
                    hf_config["hidden_size"] // hf_config["num_attention_heads"],
        "intermediate_size": hf_config["intermediate_size"],
        "rope_theta": None,
        "rms_norm_eps": hf_config["rms_norm_eps"],
        "tie_word_embeddings": bool(hf_config.get("tie_word_embeddings", True)),
        "rope_parameters": hf_config.get("rope_parameters"),
        "logits_file": "tiny-%s.logits.f32" % name,
        "logits_layout": "float32 LE; for each sequence in order, for each "
                         "position in order, vocab_size floats",
        "n_positions_total": sum(len(s) for s in seqs),
        "offsets": [int(x) for x in np.cumsum([0] + [len(s) for s in seqs])[:-1]],
        "lengths": [len(s) for s in seqs],
        "texts": [TEXT] + [None] * (len(seqs) - 1),
        "sequences": seqs,
        "top1": [[int(v) for v in lg.argmax(axis=1)] for lg in logits],
        "weight_seed": spec["weight_seed"],
        "min_top2_margin": round(float(min(margins(lg).min() for lg in logits)), 6),
    }
    rp = hf_config.get("rope_parameters") or {}
    meta["rope_theta"] = rp.get("rope_theta", rp.get("full_attention", {}).get("rope_theta"))
    for key in ("sliding_window", "layer_types", "query_pre_attn_scalar",
                "partial_rotary_factor", "original_max_position_embeddings",
                "num_local_experts", "num_experts_per_tok",
                "moe_intermediate_size", "norm_topk_prob",
                "hidden_activation", "hidden_act", "final_logit_softcapping",
                "embedding_multiplier", "residual_multiplier",
                "attention_multiplier", "logits_scaling", "no_rope_layers",
                "no_rope_layer_interval", "per_layer_config",
                "hidden_size_per_layer_input", "vocab_size_per_layer_input",
                "num_kv_shared_layers", "use_double_wide_mlp",
                "attention_k_eq_v"):
        if key in hf_config and hf_config[key] is not None:
            meta[key] = hf_config[key]
    if name == "phi3":
        orig = hf_config["original_max_position_embeddings"]
        meta["rope_factors_used"] = ["long" if len(s) > orig else "short" for s in seqs]
        meta["n_ctx"] = [len(s) for s in seqs]
        meta["n_ctx_note"] = ("transformers picks long_factor when the sequence "
                              "length > original_max_position_embeddings, llama.cpp "
                              "when n_ctx > rope.scaling.original_context_length: "
                              "evaluate each sequence with n_ctx = its length")
    if name == "qwen3moe":
        meta["min_router_gap"] = round(moe_router_gaps(model, seqs, torch), 6)
    meta["gguf_kv"] = kv
    meta["gguf_tensors"] = tens
    meta["gguf_tensor_count"] = ntens
    with open(os.path.join(OUT, "tiny-%s.json" % name), "w") as f:
        json.dump(meta, f, separators=(",", ":"))
        f.write("\n")
    allv = np.concatenate(logits)
    sz = sum(os.path.getsize(os.path.join(OUT, "tiny-%s.%s" % (name, e)))
             for e in ("f32.gguf", "logits.f32", "json"))
    print("tiny-%s (%s -> %s): %d positions %s, logit std %.3f, min top-2 "
          "margin %.4f, files %d bytes" % (name, spec["cls"].__name__, meta["arch"],
          allv.shape[0], meta["lengths"], float(allv.std()),
          meta["min_top2_margin"], sz))
    print("    README RoPE formulas (from the GGUF keys) vs transformers' cos/sin: "
          "max |diff| %.2g" % rope_check(name, model, gguf_path, kv, torch))
    if "min_router_gap" in meta:
        print("    smallest router top-k gap (probability) %.4g" % meta["min_router_gap"])
    if a.no_llama:
        return
    exe = helper(a.llama_cpp, a.llama_build)
    if name == "phi3":
        # llama.cpp pads n_ctx to a multiple of 256 (> 64): long factors.
        ll = llama_logits(exe, gguf_path, seqs, 256, nv)
        lidx = [i for i, s in enumerate(seqs) if len(s) > 64]
        sidx = [i for i, s in enumerate(seqs) if len(s) <= 64]
        compare("llama.cpp n_ctx 256 (long factors), sequences > 64", logits, ll, lidx)
        with tempfile.TemporaryDirectory() as td:
            p = os.path.join(td, "short.gguf")
            patched_copy(gguf_path, p, "phi3.rope.scaling.original_context_length", 4096)
            ll2 = llama_logits(exe, p, seqs, 256, nv)
        compare("llama.cpp, original_context_length patched to 4096 (short "
                "factors), sequences <= 64", logits, ll2, sidx)
    else:
        ll = llama_logits(exe, gguf_path, seqs, 256, nv)
        compare("llama.cpp vs transformers", logits, ll)


def probe(a, torch):
    """Variants where transformers and llama.cpp differ; nothing stored."""
    exe = helper(a.llama_cpp, a.llama_build)
    variants = [
        ("qwen2-yarn", "YaRN with explicit attention_factor 1.5",
         lambda: case_qwen2_yarn(attention_factor=1.5)),
        ("gemma3", "Gemma3 query_pre_attn_scalar 16 (head_dim 24)",
         lambda: case_gemma3(qpas=16)),
    ]

    def mistral_swa():
        s = case_mistral()
        s["config"].sliding_window = 8
        return s
    variants.append(("mistral", "Mistral sliding_window 8", mistral_swa))
    for nm, fn in (("gemma3", case_gemma3), ("gemma4", case_gemma4)):
        variants.append((nm, "%s with transformers' GELU replaced by ggml's "
                         "(input rounded to f16, f16 table of tanh-GELU)" % nm, fn))
    for name, what, fn in variants:
        with tempfile.TemporaryDirectory() as td:
            d = os.path.join(td, "hf")
            g = os.path.join(td, "m.gguf")
            spec, model, seqs, nv = build(name, list(CASES).index(name), d, g,
                                          a.models, torch, variant=fn())
            if "GELU" in what:
                class G(torch.nn.Module):
                    def forward(self, x):
                        return ggml_gelu_f16(x)
                for l in model.model.layers:
                    l.mlp.act_fn = G()
                    if hasattr(l, "act_fn"):  # gemma4 per-layer-input gate
                        l.act_fn = G()
            logits = [hg.forward(model, s) for s in seqs]
            ll = llama_logits(exe, g, seqs, 256, nv)
            print("probe: %s" % what)
            compare("llama.cpp vs transformers", logits, ll)
    probe_qwen35_recurrent(a, torch)


def probe_qwen35_recurrent(a, torch):
    """transformers' sequential (token by token) gated delta rule against
    the chunked one (chunk 64) the golden was made with."""
    import transformers.models.qwen3_5.modeling_qwen3_5 as mq
    with tempfile.TemporaryDirectory() as td:
        spec, model, seqs, nv = build("qwen35", list(CASES).index("qwen35"),
                                      os.path.join(td, "hf"),
                                      os.path.join(td, "m.gguf"), a.models, torch)
        ref = [hg.forward(model, s) for s in seqs]
        chunked = mq.torch_chunk_gated_delta_rule

        def recurrent(query, key, value, g, beta, initial_state=None,
                      output_final_state=False, use_qk_l2norm_in_kernel=False, **kw):
            return mq.torch_recurrent_gated_delta_rule(
                query, key, value, g=g, beta=beta, initial_state=initial_state,
                output_final_state=output_final_state,
                use_qk_l2norm_in_kernel=use_qk_l2norm_in_kernel)
        mq.torch_chunk_gated_delta_rule = recurrent
        try:
            alt = [hg.forward(model, s) for s in seqs]
        finally:
            mq.torch_chunk_gated_delta_rule = chunked
    print("probe: qwen35, transformers' token-by-token delta rule vs its "
          "chunked one (the golden)")
    compare("recurrent vs chunked", ref, alt)


def ggml_gelu_f16(x):
    """ggml-cpu's GELU with GGML_GELU_FP16 (vec.h ggml_vec_gelu_f32 /
    ggml_vec_geglu_f32): x <= -10 -> 0, x >= 10 -> x, else the f16 table
    entry of tanh-GELU at f16(x)."""
    import torch
    h = x.to(torch.float16).to(torch.float32)
    c = np.float32(0.79788456080286535587989211986876)
    y = 0.5 * h * (1.0 + torch.tanh(c * h * (1.0 + np.float32(0.044715) * h * h)))
    y = y.to(torch.float16).to(torch.float32)
    return torch.where(x <= -10.0, torch.zeros_like(x), torch.where(x >= 10.0, x, y))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "convert":
        convert_child(*sys.argv[2:7])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--llama-cpp", default=hg.LLAMA_CPP)
    ap.add_argument("--llama-build", default=LLAMA_BUILD)
    ap.add_argument("--models", default=hg.MODELS)
    ap.add_argument("--no-llama", action="store_true")
    ap.add_argument("--probe", action="store_true")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    os.environ["HF_GOLDEN_LLAMA_CPP"] = a.llama_cpp
    names = a.names or list(CASES)
    for n in names:
        if n not in CASES:
            raise SystemExit("unknown case %s (have %s)" % (n, " ".join(CASES)))
    torch = hg.setup_torch()
    os.makedirs(OUT, exist_ok=True)
    for n in names:
        do_case(n, list(CASES).index(n), a, torch)
    if a.probe:
        probe(a, torch)


if __name__ == "__main__":
    main()
