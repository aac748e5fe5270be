#!/usr/bin/env python3
"""A Hugging Face model directory of a real model's shapes with random
weights, for speed measurements only (llm-quant converts it like any
other; its text is noise).  numpy alone: it runs where transformers is
not installed (the GPU machines of bench/vk-device.sh).

usage: random_hf.py SHAPE OUTDIR          SHAPE: one of SHAPES below

The tokenizer is byte-level BPE with the 256 byte tokens and one merge
(llm-quant names its pre-tokenizer gpt-2); config.json's vocab_size is
the real model's, so the embedding and output matrices have their real
size (the converter pads the vocabulary with [PADi] tokens).  Weights
are float16 with standard deviation 0.02 (one random block repeated),
norm weights 1.  model.safetensors is written by hand: an 8-byte header
length, the JSON header, the tensors in order.
"""
import json
import os
import struct
import sys
import zlib

import numpy as np

# name: (hidden, intermediate, layers, heads, kv heads, vocab, tied,
#        rope theta, qk norm (qwen3))
SHAPES = {
    "llama3.2-1b": (2048, 8192, 16, 32, 8, 128256, True, 500000.0, False),
    "llama3.2-3b": (3072, 8192, 28, 24, 8, 128256, True, 500000.0, False),
    "llama3.1-8b": (4096, 14336, 32, 32, 8, 128256, False, 500000.0, False),
    "qwen3-1.7b": (2048, 6144, 28, 16, 8, 151936, True, 1000000.0, True),
    "tiny": (256, 512, 2, 4, 2, 1024, True, 10000.0, False),
    "smollm2-1.7b": (2048, 8192, 24, 32, 32, 49152, True, 130000.0, False),
}

BLOCK = 1 << 22


def byte_tokens():
    """GPT-2's bytes_to_unicode(): the printable stand-in of every byte."""
    bs = (list(range(ord("!"), ord("~") + 1)) +
          list(range(ord("\u00a1"), ord("\u00ac") + 1)) +
          list(range(ord("\u00ae"), ord("\u00ff") + 1)))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [chr(c) for c in cs]


def tokenizer():
    toks = byte_tokens() + ["\u0120t"]
    vocab = {t: i for i, t in enumerate(toks)}
    eos = len(vocab)
    bl = {"type": "ByteLevel", "add_prefix_space": False,
          "trim_offsets": True, "use_regex": True}
    return {
        "version": "1.0",
        "added_tokens": [{"id": eos, "content": "<|endoftext|>",
                          "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": False,
                          "special": True}],
        "normalizer": None,
        "pre_tokenizer": bl,
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True,
                    "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None,
                  "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False,
                  "byte_fallback": False, "vocab": vocab,
                  "merges": [["\u0120", "t"]]},
    }, eos


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in SHAPES:
        sys.exit("usage: random_hf.py SHAPE OUTDIR (SHAPE: %s)" %
                 ", ".join(sorted(SHAPES)))
    name, out = sys.argv[1], sys.argv[2]
    h, ff, nl, nh, nkv, nv, tied, theta, qkn = SHAPES[name]
    hd = h // nh
    os.makedirs(out, exist_ok=True)
    tok, eos = tokenizer()
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        json.dump(tok, f)
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump({"eos_token": "<|endoftext|>",
                   "bos_token": "<|endoftext|>"}, f)
    cfg = {
        "architectures": ["Qwen3ForCausalLM" if qkn else
                          "LlamaForCausalLM"],
        "model_type": "qwen3" if qkn else "llama",
        "hidden_size": h, "intermediate_size": ff,
        "num_hidden_layers": nl, "num_attention_heads": nh,
        "num_key_value_heads": nkv, "head_dim": hd,
        "vocab_size": nv, "tie_word_embeddings": tied,
        "rope_theta": theta, "rms_norm_eps": 1e-5,
        "max_position_embeddings": 8192, "hidden_act": "silu",
        "bos_token_id": eos, "eos_token_id": eos,
        "torch_dtype": "float16",
    }
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)

    tensors = [("model.embed_tokens.weight", (nv, h), "w")]
    for i in range(nl):
        p = "model.layers.%d." % i
        tensors += [
            (p + "input_layernorm.weight", (h,), "1"),
            (p + "self_attn.q_proj.weight", (nh * hd, h), "w"),
            (p + "self_attn.k_proj.weight", (nkv * hd, h), "w"),
            (p + "self_attn.v_proj.weight", (nkv * hd, h), "w"),
            (p + "self_attn.o_proj.weight", (h, nh * hd), "w"),
            (p + "post_attention_layernorm.weight", (h,), "1"),
            (p + "mlp.gate_proj.weight", (ff, h), "w"),
            (p + "mlp.up_proj.weight", (ff, h), "w"),
            (p + "mlp.down_proj.weight", (h, ff), "w"),
        ]
        if qkn:
            tensors += [(p + "self_attn.q_norm.weight", (hd,), "1"),
                        (p + "self_attn.k_norm.weight", (hd,), "1")]
    tensors.append(("model.norm.weight", (h,), "1"))
    if not tied:
        tensors.append(("lm_head.weight", (nv, h), "w"))

    header, off = {"__metadata__": {"format": "pt"}}, 0
    for n, shape, _ in tensors:
        size = int(np.prod(shape)) * 2
        header[n] = {"dtype": "F16", "shape": list(shape),
                     "data_offsets": [off, off + size]}
        off += size
    hj = json.dumps(header).encode()
    hj += b" " * (-len(hj) % 8)
    rng = np.random.default_rng(1)
    block = (rng.standard_normal(BLOCK, dtype=np.float32) *
             0.02).astype(np.float16)
    ones = np.ones(max(h, hd), dtype=np.float16)
    with open(os.path.join(out, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for n, shape, kind in tensors:
            count = int(np.prod(shape))
            if kind == "1":
                f.write(ones[:count].tobytes())
                continue
            # a different start in the block per tensor
            k = zlib.crc32(n.encode()) % BLOCK
            while count > 0:
                m = min(count, BLOCK - k)
                f.write(block[k:k + m].tobytes())
                count -= m
                k = 0
    params = sum(int(np.prod(s)) for _, s, _ in tensors)
    print("%s: %s, %.3f B parameters" % (out, name, params / 1e9))


if __name__ == "__main__":
    main()
