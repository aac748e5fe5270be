#!/usr/bin/env python3
"""llm-quant's Hugging Face import against llama.cpp's convert_hf_to_gguf.py.
See tests/oracle/convert_README.

usage: convert_check.py [--llama-cpp DIR] [--llama-quantize BIN] [--bin DIR]
                        [--models DIR] [--work DIR] [--write-data]
                        [NAME...]          (default: every tiny model)
       convert_check.py convert PRE OUTTYPE HF_DIR OUT.gguf   (internal)

NAME is a tiny random model (qwen2, qwen3, qwen3-sharded, llama3, mistral,
llama-linear, qwen2-yarn, gemma3, phi3, qwen3moe, gemma3-spm, phi3-spm,
granite, smollm3, olmo2) or "smollm2" (SmolLM2-135M-Instruct rebuilt as a
Hugging Face directory from its GGUF).  For each, the HF directory is
written into --work (default /tmp/convert_check) under the name the
converter derives general.name from, then
  llama.cpp:  convert_hf_to_gguf.py DIR --outtype T --outfile REF
  llmutils:   llm-quant -q DIR OUT T
for T in f32, f16, bf16, and every KV (key, type, value) and tensor (name,
type, shape, bytes) of OUT is compared with REF; then llm-quant DIR OUT
Q4_K_M against llama-quantize REF(f32) Q4_K_M and (the tiny models, whose
weights are BF16) REF(bf16) Q4_K_M.  The
sha256 of both files is printed; any difference is listed.

--write-data copies the tiny directories to tests/data/hf/ (the CI
fixtures) and prints the sha256 table that tests/cli/llm-quant-hf.t holds.

The tiny models' vocabulary is hf_golden.py's (a truncated SmolLM2
vocabulary), so the converter's pre-tokenizer hash is unknown: its
get_vocab_base_pre is patched to return "smollm", as hf_golden.py does.
No --model-name is passed: general.name comes from the directory name.
"""
import argparse
import hashlib
import json
import os
import runpy
import shutil
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import hf_golden as hg  # noqa: E402

ROOT = hg.ROOT
DATA = os.path.join(ROOT, "tests", "data", "hf")
TINY = ["qwen2", "qwen3", "qwen3-sharded", "llama3", "mistral",
        "llama-linear", "qwen2-yarn", "gemma3", "phi3", "qwen3moe",
        "gemma3-spm", "phi3-spm", "granite", "smollm3", "olmo2"]
COMMITTED = ["qwen2", "qwen3-sharded", "llama3", "mistral", "gemma3", "phi3",
             "qwen3moe", "gemma3-spm", "phi3-spm", "granite", "smollm3",
             "olmo2"]
# the later cases: a small vocabulary keeps their directories small
# (phi3-spm: 401, so that tokenizer.json's <mask> at 400 fits, as the
# converter's Phi3 needs)
SMALL_VOCAB = {"gemma3": 256, "phi3": 256, "qwen3moe": 256, "gemma3-spm": 400,
               "phi3-spm": 401, "granite": 256, "smollm3": 256, "olmo2": 256}


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


# ---------------------------------------------------------------- models

def tiny_model(name, torch):
    """(model, extra tokenizer_config keys, save kwargs) for a tiny case."""
    import tiny_archs as ta
    if name in ("qwen2", "qwen3", "qwen3-sharded"):
        arch = name.split("-")[0]
        from transformers import Qwen2ForCausalLM, Qwen3ForCausalLM
        cls = Qwen2ForCausalLM if arch == "qwen2" else Qwen3ForCausalLM
        model = cls(hg.tiny_config(arch, hg.TINY_VOCAB))
        model.to(torch.float32)
        hg.randomize(model, torch)
        kw = {"max_shard_size": "150KB"} if name.endswith("sharded") else {}
        # a chat template, a generation config and tokens in the config
        extra = {"chat_template": "{% for m in messages %}<|im_start|>"
                 "{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
                 "{% if add_generation_prompt %}<|im_start|>assistant\n"
                 "{% endif %}"} if arch == "qwen3" else {}
        return model, extra, kw
    spec = ta.CASES[name.split("-")[0]]()
    cfg = spec["config"]
    cfg.vocab_size = SMALL_VOCAB.get(name, hg.TINY_VOCAB)
    model = spec["cls"](cfg)
    model.to(torch.float32)
    ta.randomize(model, torch, seed=hg.SEED,
                 norm_center=spec.get("norm_center", 1.0),
                 bias_std=spec.get("bias_std", 0.5),
                 router_std=spec.get("router_std", 1.0),
                 embed_std=spec.get("embed_std", 0.4),
                 final_norm_center=spec.get("final_norm_center"),
                 lm_head_std=spec.get("lm_head_std", 0.4))
    extra = {}
    if "tokenizer_class" in spec and not name.endswith("-spm"):
        # phi3: the converter's GPT-2 route
        extra["tokenizer_class"] = spec["tokenizer_class"]
    return model, extra, {}


def write_tiny(name, d, models_dir, torch):
    model, extra, kw = tiny_model(name, torch)
    if os.path.isdir(d):
        shutil.rmtree(d)
    # BF16 on disk: half the bytes of the committed fixtures
    model.to(torch.bfloat16)
    model.save_pretrained(d, safe_serialization=True, **kw)
    if name.endswith("-spm"):
        write_spm(d)
        return
    toks, ttype, merges = hg.smol_vocab(models_dir,
                                        SMALL_VOCAB.get(name, hg.TINY_VOCAB))
    hg.write_tokenizer(d, toks, ttype, merges)
    if extra:
        p = os.path.join(d, "tokenizer_config.json")
        with open(p) as f:
            tc = json.load(f)
        tc.update(extra)
        with open(p, "w") as f:
            json.dump(tc, f, indent=1)
    if name == "qwen3":
        with open(os.path.join(d, "generation_config.json"), "w") as f:
            json.dump({"bos_token_id": 1, "eos_token_id": [2, 0],
                       "do_sample": True, "temperature": 0.6, "top_k": 20,
                       "top_p": 0.95, "repetition_penalty": 1.1}, f, indent=1)


def write_spm(d):
    """A Gemma-style SentencePiece tokenizer: a 400-piece BPE model with
    byte fallback (ids 0-3 <pad> <eos> <bos> <unk>, two user-defined
    turn markers, 256 byte pieces), trained on the first 200000 bytes
    of tests/data/text/kjv-genesis-exodus.txt, saved as tokenizer.model,
    then transformers' GemmaTokenizer made from it writes tokenizer.json
    and tokenizer_config.json (it adds <mask> as id 400, past the
    vocabulary: the converter skips it), to which an added_tokens_decoder
    is added.  Needs sentencepiece and protobuf."""
    import tempfile
    import sentencepiece as spm
    from transformers import AutoTokenizer
    src = os.path.join(ROOT, "tests", "data", "text",
                       "kjv-genesis-exodus.txt")
    with tempfile.TemporaryDirectory() as tmp:
        txt = os.path.join(tmp, "train.txt")
        with open(src, encoding="utf-8") as f, open(txt, "w") as g:
            g.write(f.read()[:200000])
        spm.SentencePieceTrainer.train(
            input=txt, model_prefix=os.path.join(tmp, "sp"),
            vocab_size=400, model_type="bpe", byte_fallback=True,
            character_coverage=1.0, pad_id=0, eos_id=1, bos_id=2, unk_id=3,
            pad_piece="<pad>", eos_piece="<eos>", bos_piece="<bos>",
            unk_piece="<unk>",
            user_defined_symbols=["<start_of_turn>", "<end_of_turn>"],
            add_dummy_prefix=False, split_digits=True,
            remove_extra_whitespaces=False, normalization_rule_name="identity",
            num_threads=1, minloglevel=2)
        tk = os.path.join(tmp, "tk")
        os.makedirs(tk)
        shutil.copy(os.path.join(tmp, "sp.model"),
                    os.path.join(tk, "tokenizer.model"))
        with open(os.path.join(tk, "tokenizer_config.json"), "w") as f:
            json.dump({"tokenizer_class": "GemmaTokenizer",
                       "add_bos_token": True, "add_eos_token": False}, f)
        AutoTokenizer.from_pretrained(tk).save_pretrained(d)
        shutil.copy(os.path.join(tmp, "sp.model"),
                    os.path.join(d, "tokenizer.model"))
        p = os.path.join(d, "tokenizer_config.json")
        with open(p) as f:
            tc = json.load(f)
        tc.pop("vocab_file", None)
        # as Gemma 3's files (transformers 4 style) list them: the turn
        # markers special (CONTROL), and one plain added token whose
        # U+2581 the converter turns into a space (USER_DEFINED)
        def at(content, special):
            return {"content": content, "lstrip": False, "normalized": False,
                    "rstrip": False, "single_word": False, "special": special}
        tc["added_tokens_decoder"] = {
            "0": at("<pad>", True), "1": at("<eos>", True),
            "2": at("<bos>", True), "3": at("<unk>", True),
            "4": at("<start_of_turn>", True), "5": at("<end_of_turn>", True),
            "399": at("\u2581\u2581", False)}
        with open(p, "w") as f:
            json.dump(tc, f, indent=1)


def write_smollm2(d, models_dir):
    """SmolLM2-135M-Instruct as an HF directory: the GGUF's tensors
    dequantized to F32 (llama.cpp's Q/K row permutation undone), its
    vocabulary, merges and chat template as tokenizer.json and
    tokenizer_config.json, its hyper-parameters as config.json."""
    import gguf
    import torch
    from gguf.quants import dequantize
    from safetensors.torch import save_file
    r = gguf.GGUFReader(os.path.join(models_dir, hg.SMOL))
    f = {k: v.contents() for k, v in r.fields.items()
         if not k.startswith("GGUF.")}
    nh, nkv = f["llama.attention.head_count"], f["llama.attention.head_count_kv"]

    def unpermute(w, n_head):  # inverse of LlamaModel.permute
        return (w.reshape(n_head, w.shape[0] // n_head // 2, 2, *w.shape[1:])
                .swapaxes(1, 2).reshape(w.shape))

    hfname = {"token_embd": "model.embed_tokens", "output_norm": "model.norm",
              "output": "lm_head"}
    layer = {"attn_norm": "input_layernorm", "attn_q": "self_attn.q_proj",
             "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
             "attn_output": "self_attn.o_proj",
             "ffn_norm": "post_attention_layernorm",
             "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj",
             "ffn_down": "mlp.down_proj"}
    out = {}
    for t in r.tensors:
        w = dequantize(t.data, t.tensor_type).astype(np.float32)
        w = w.reshape([int(x) for x in reversed(t.shape)])
        parts = t.name.split(".")
        if parts[0] == "blk":
            kind = parts[2]
            n = "model.layers.%s.%s.weight" % (parts[1], layer[kind])
            if kind == "attn_q":
                w = unpermute(w, nh)
            elif kind == "attn_k":
                w = unpermute(w, nkv)
        else:
            n = hfname[parts[0]] + ".weight"
        out[n] = torch.from_numpy(np.ascontiguousarray(w))
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    save_file(out, os.path.join(d, "model.safetensors"),
              metadata={"format": "pt"})
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama",
           "vocab_size": len(f["tokenizer.ggml.tokens"]),
           "hidden_size": f["llama.embedding_length"],
           "intermediate_size": f["llama.feed_forward_length"],
           "num_hidden_layers": f["llama.block_count"],
           "num_attention_heads": nh, "num_key_value_heads": nkv,
           "max_position_embeddings": f["llama.context_length"],
           "rms_norm_eps": float(np.float32(f["llama.attention.layer_norm_rms_epsilon"])),
           "rope_theta": float(f["llama.rope.freq_base"]),
           "hidden_act": "silu", "tie_word_embeddings": "output" not in
           {t.name.split(".")[0] for t in r.tensors},
           "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 2,
           "torch_dtype": "float32"}
    with open(os.path.join(d, "config.json"), "w") as fp:
        json.dump(cfg, fp, indent=1)
    toks = f["tokenizer.ggml.tokens"]
    ttype = f["tokenizer.ggml.token_type"]
    merges = [m.split(" ") for m in f["tokenizer.ggml.merges"]]
    hg.write_tokenizer(d, toks, ttype, merges)
    p = os.path.join(d, "tokenizer_config.json")
    with open(p) as fp:
        tc = json.load(fp)
    tc["chat_template"] = f["tokenizer.chat_template"]
    tc["add_prefix_space"] = False
    with open(p, "w") as fp:
        json.dump(tc, fp, indent=1)


# ---------------------------------------------------------------- running

def convert_child(pre, outtype, hf_dir, out):
    lcp = os.environ["CONVERT_CHECK_LLAMA_CPP"]
    sys.path.insert(0, lcp)
    sys.path.insert(1, os.path.join(lcp, "gguf-py"))
    if pre != "-":
        import conversion.base as cb
        cb.TextModel.get_vocab_base_pre = lambda self, tokenizer: pre
    sys.argv = ["convert_hf_to_gguf.py", hf_dir, "--outtype", outtype,
                "--outfile", out]
    runpy.run_path(os.path.join(lcp, "convert_hf_to_gguf.py"),
                   run_name="__main__")


def llama_convert(a, pre, outtype, d, out):
    env = dict(os.environ, CONVERT_CHECK_LLAMA_CPP=a.llama_cpp)
    cv = subprocess.run([sys.executable, os.path.abspath(__file__), "convert",
                         pre, outtype, d, out], capture_output=True, text=True,
                        env=env)
    if cv.returncode != 0:
        sys.stderr.write(cv.stdout[-3000:] + cv.stderr[-3000:])
        raise SystemExit("convert_hf_to_gguf.py failed on " + d)


def ours(a, d, out, t):
    r = subprocess.run([os.path.join(a.bin, "llm-quant"), "-q", d, out, t],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        raise SystemExit("llm-quant failed on " + d)


def describe(path):
    import gguf
    r = gguf.GGUFReader(path)
    kv = []
    for k, f in r.fields.items():
        if k.startswith("GGUF."):
            continue
        v = f.contents()
        if isinstance(v, float):
            v = np.float32(v).tobytes().hex()
        elif isinstance(v, list) and v and isinstance(v[0], float):
            v = [np.float32(x).tobytes().hex() for x in v]
        kv.append((k, tuple(int(x) for x in f.types), v))
    ts = [(t.name, t.tensor_type.name, tuple(int(x) for x in t.shape),
           hashlib.sha256(bytes(t.data)).hexdigest()) for t in r.tensors]
    return kv, ts


def compare(ref, got, label):
    kr, tr = describe(ref)
    kg, tg = describe(got)
    diffs = []
    if [k[0] for k in kr] != [k[0] for k in kg]:
        diffs.append("key order: llama.cpp %s / ours %s"
                     % ([k[0] for k in kr], [k[0] for k in kg]))
    dr, dg = {k[0]: k for k in kr}, {k[0]: k for k in kg}
    for k in sorted(set(dr) | set(dg)):
        if dr.get(k) != dg.get(k):
            def short(x):
                s = repr(x)
                return s if len(s) < 200 else s[:200] + "..."
            diffs.append("kv %s: llama.cpp %s / ours %s"
                         % (k, short(dr.get(k)), short(dg.get(k))))
    if [t[0] for t in tr] != [t[0] for t in tg]:
        diffs.append("tensor order differs")
    tdr, tdg = {t[0]: t for t in tr}, {t[0]: t for t in tg}
    for n in sorted(set(tdr) | set(tdg)):
        if tdr.get(n) != tdg.get(n):
            diffs.append("tensor %s: llama.cpp %s / ours %s"
                         % (n, tdr.get(n), tdg.get(n)))
    same = sha(ref) == sha(got)
    print("  %-22s %s %s" % (label, sha(got), "identical" if same else
                               "DIFFERENT (%d differences)" % len(diffs)))
    for x in diffs:
        print("      " + x)
    return same


def check(a, name, d, pre, via=("f32", "bf16")):
    ok = True
    w = os.path.join(a.work, "out")
    os.makedirs(w, exist_ok=True)
    print("%s (%s)" % (name, d))
    for t in ("f32", "f16", "bf16"):
        ref = os.path.join(w, "%s.ref.%s.gguf" % (name, t))
        got = os.path.join(w, "%s.ours.%s.gguf" % (name, t))
        llama_convert(a, pre, t, d, ref)
        ours(a, d, got, t.upper())
        ok &= compare(ref, got, t.upper())
    if a.llama_quantize and os.path.exists(a.llama_quantize):
        got = os.path.join(w, "%s.ours.q4_k_m.gguf" % name)
        ours(a, d, got, "Q4_K_M")
        for t in via:
            ref = os.path.join(w, "%s.ref.%s.q4_k_m.gguf" % (name, t))
            subprocess.run([a.llama_quantize,
                            os.path.join(w, "%s.ref.%s.gguf" % (name, t)),
                            ref, "Q4_K_M"], check=True, capture_output=True)
            ok &= compare(ref, got, "Q4_K_M (via %s)" % t)
    return ok


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "convert":
        convert_child(*sys.argv[2:6])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--llama-cpp", default=hg.LLAMA_CPP)
    ap.add_argument("--llama-quantize", default="/tmp/llama-build/bin/llama-quantize")
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "rel"))
    ap.add_argument("--models", default=hg.MODELS)
    ap.add_argument("--work", default="/tmp/convert_check")
    ap.add_argument("--write-data", action="store_true")
    ap.add_argument("what", nargs="*", default=TINY)
    a = ap.parse_args()
    torch = hg.setup_torch()
    ok = True
    table = []
    for name in a.what:
        if name == "smollm2":
            d = os.path.join(a.work, "SmolLM2-135M-Instruct")
            write_smollm2(d, a.models)
            # F32 weights: llama-quantize of the converter's BF16 output
            # quantizes rounded values, so only the F32 route is the same
            ok &= check(a, name, d, "-", via=("f32",))
            continue
        d = os.path.join(a.work, "tiny-" + name)
        write_tiny(name, d, a.models, torch)
        ok &= check(a, name, d, "smollm")
        if a.write_data and name in COMMITTED:
            dst = os.path.join(DATA, "tiny-" + name)
            if os.path.isdir(dst):
                shutil.rmtree(dst)
            shutil.copytree(d, dst)
            w = os.path.join(a.work, "out")
            for t in ("f32", "f16", "bf16", "q4_k_m"):
                p = os.path.join(w, "%s.ref.%s.gguf" % (
                    name, t if t != "q4_k_m" else "f32.q4_k_m"))
                if os.path.exists(p):
                    table.append("tiny-%s %s %s" % (name, t.upper(), sha(p)))
    for line in table:
        print(line)
    print("all identical" if ok else "DIFFERENCES FOUND")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
