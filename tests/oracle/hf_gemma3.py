#!/usr/bin/env python3
"""Gemma 3 goldens from Hugging Face transformers (CPU, float32, eager
attention), independent of llama.cpp's compute; see tests/oracle/gemma3_README.

gemma-3-270m-q4_k_m.gguf is loaded by transformers' GGUF loader, which
dequantizes every tensor to float32 (gguf-py) and subtracts the 1 that
llama.cpp's converter added to every *norm.weight.  The lines of
tests/golden/run/gemma3.teacher.jsonl that store logits (line 1 and the
long line 31, about 2100 tokens) are run teacher-forced on their ids, in
one forward pass each (positions 0..n-1, no BOS added), and

  tests/golden/hf/gemma3.logits.f32   the logits at each line's "logits_at"
      positions, f32 LE: the same layout as tests/golden/run/gemma3.logits.f32

The script prints the config transformers built (layer types, RoPE bases,
query scale, soft-caps), top-1 agreement with llama.cpp's goldens over
every position of those lines, and the NMSE of the stored vectors.

usage: /tmp/hfvenv/bin/python tests/oracle/hf_gemma3.py [--models DIR]
"""
import argparse
import json
import os

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "tests", "golden", "hf")
RUN = os.path.join(ROOT, "tests", "golden", "run")
MODEL = "gemma-3-270m-q4_k_m.gguf"
SEED = 20240611
CHUNK = 256             # positions whose logits are computed at once


def nmse(a, b):
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    return float(np.sum((a - b) ** 2) / np.sum(b ** 2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default=os.path.expanduser("~/.cache/llmutils/models"))
    a = ap.parse_args()
    import torch
    import transformers
    from transformers import AutoModelForCausalLM
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    model = AutoModelForCausalLM.from_pretrained(
        a.models, gguf_file=MODEL, dtype=torch.float32,
        attn_implementation="eager")
    model.eval()
    c = model.config
    print("transformers %s, torch %s" % (transformers.__version__, torch.__version__))
    print("config: layer_types %s" % ["S" if t == "sliding_attention" else "F"
                                       for t in c.layer_types])
    print("  sliding_window %s, rope %s, query_pre_attn_scalar %s, "
          "final/attn softcap %s/%s, act %s, tie %s, eps %s" %
          (c.sliding_window, c.rope_parameters, c.query_pre_attn_scalar,
           c.final_logit_softcapping, c.attn_logit_softcapping,
           c.hidden_activation, c.tie_word_embeddings, c.rms_norm_eps))
    print("  embed_scale %r, norm weight mean (layer 0 input_layernorm) %.4f"
          % (float(model.model.embed_tokens.embed_scale),
             float(model.model.layers[0].input_layernorm.weight.mean())))
    nv = c.vocab_size
    ref = np.fromfile(os.path.join(RUN, "gemma3.logits.f32"), dtype="<f4").reshape(-1, nv)
    vecs = []
    r = 0
    with open(os.path.join(RUN, "gemma3.teacher.jsonl")) as f:
        recs = [json.loads(l) for l in f]
    for k, rec in enumerate(recs):
        if not rec["logits_at"]:
            continue
        ids = rec["ids"]
        with torch.no_grad():
            h = model.model(input_ids=torch.tensor([ids]), use_cache=False).last_hidden_state[0]
            top1 = []
            for p0 in range(0, len(ids), CHUNK):
                lg = model.lm_head(h[p0:p0 + CHUNK]).to(torch.float32).numpy()
                top1 += [int(v) for v in lg.argmax(axis=1)]
            for p in rec["logits_at"]:
                v = model.lm_head(h[p:p + 1]).to(torch.float32).numpy()[0]
                vecs.append(v)
                print("  line %d pos %d: NMSE(hf, llama.cpp) %.3e, argmax hf %d "
                      "llama.cpp %d" % (k + 1, p, nmse(v, ref[r]), int(v.argmax()),
                                        int(ref[r].argmax())))
                r += 1
        agree = sum(int(x == y) for x, y in zip(top1, rec["top1"]))
        sure = [(x == y) for x, y, m in zip(top1, rec["top1"], rec["margin"]) if m >= 0.5]
        print("  line %d: %d positions, top-1 agreement with llama.cpp %d/%d "
              "(%d/%d where llama.cpp leads by >= 0.5)" %
              (k + 1, len(ids), agree, len(ids), sum(sure), len(sure)))
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "gemma3.logits.f32"), "wb") as f:
        for v in vecs:
            f.write(np.ascontiguousarray(v, dtype="<f4").tobytes())


if __name__ == "__main__":
    main()
