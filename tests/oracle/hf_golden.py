#!/usr/bin/env python3
"""Goldens from Hugging Face transformers (CPU, float32) for llm-run's
forward pass; independent of llama.cpp's compute.  See tests/oracle/hf_README.

usage: hf_golden.py [--llama-cpp DIR] [--llama-logits BIN] [--models DIR]
                    [smollm2] [tiny]            (default: both)
       hf_golden.py convert PRE NAME HF_DIR OUT.gguf  (internal, see below)

smollm2  SmolLM2-135M-Instruct.Q4_1.gguf dequantized to float32 by
         transformers' GGUF loader, teacher-forced on the token ids of the
         first N_LOGIT_TEXTS lines of tests/golden/run/smollm2.teacher.jsonl:
           tests/golden/hf/smollm2.logits.f32   logits at each line's
               "logits_at" positions (line 1's, then line 2's), f32 LE
           tests/golden/hf/smollm2.top1.json    {"top1": [[...], [...]]}
         and prints agreement with llama.cpp's goldens in tests/golden/run.
tiny     random tiny Qwen2ForCausalLM / Qwen3ForCausalLM (fixed seed),
         saved with save_pretrained, converted by llama.cpp's
         convert_hf_to_gguf.py (--outtype f32) to
           tests/golden/hf/tiny-<arch>.f32.gguf
         and run by transformers on fixed id sequences:
           tests/golden/hf/tiny-<arch>.logits.f32  every position, f32 LE
           tests/golden/hf/tiny-<arch>.json        sequences and shapes

The tiny models' vocabulary is the first TINY_VOCAB tokens of SmolLM2's
GGUF vocabulary (17 specials, 256 byte tokens, then merge results in merge
order) with the merges whose two parts and result all lie in it, as a
GPT-2 byte-level BPE tokenizer.json with SmolLM2's pre-tokenizer.
convert_hf_to_gguf.py identifies the pre-tokenizer by hashing the ids of a
test string; the truncated vocabulary gives an unknown hash, so the
"convert" sub-command runs the converter in-process with
TextModel.get_vocab_base_pre patched to return "smollm" (what the full
vocabulary hashes to).  Nothing else of the converter is changed.
"""
import argparse
import json
import os
import runpy
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "tests", "golden", "hf")
RUN = os.path.join(ROOT, "tests", "golden", "run")
LLAMA_CPP = "/tmp/lcp/llama_cpp_python-0.3.36/vendor/llama.cpp"
MODELS = os.path.expanduser("~/.cache/llmutils/models")
SMOL = "SmolLM2-135M-Instruct.Q4_1.gguf"
N_LOGIT_TEXTS = 2
TINY_VOCAB = 1500
SEED = 20240611

# ---------------------------------------------------------------- helpers


def nmse(a, b):
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    return float(np.sum((a - b) ** 2) / np.sum(b ** 2))


def write_f32(path, arrays):
    with open(path, "wb") as f:
        for a in arrays:
            f.write(np.ascontiguousarray(a, dtype="<f4").tobytes())


def forward(model, ids):
    import torch
    with torch.no_grad():
        x = torch.tensor([ids], dtype=torch.long)
        out = model(input_ids=x, use_cache=False)
    return out.logits[0].to(torch.float32).numpy()  # [n, vocab]


def setup_torch():
    import torch
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    return torch

# ---------------------------------------------------------------- SmolLM2


def check_qk_permutation(model, models_dir):
    """llama.cpp's converter permutes the rows of Q and K (rotate-half
    pairs -> interleaved pairs); transformers' GGUF loader must undo it.
    Re-apply llama.cpp's permutation to the loaded weights and compare with
    the GGUF tensors dequantized by gguf-py: they must be identical."""
    import gguf
    from gguf.quants import dequantize
    r = gguf.GGUFReader(os.path.join(models_dir, SMOL))
    tens = {t.name: t for t in r.tensors}
    c = model.config

    def permute(w, n_head):  # convert_hf_to_gguf.py LlamaModel.permute
        return (w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:])
                .swapaxes(1, 2).reshape(w.shape))

    worst = 0.0
    for il in (0, c.num_hidden_layers - 1):
        at = model.model.layers[il].self_attn
        for nm, w, nh in (("q", at.q_proj.weight, c.num_attention_heads),
                          ("k", at.k_proj.weight, c.num_key_value_heads)):
            t = tens["blk.%d.attn_%s.weight" % (il, nm)]
            g = dequantize(t.data, t.tensor_type).reshape(w.shape)
            d = float(np.max(np.abs(permute(w.detach().numpy(), nh) - g)))
            d0 = float(np.max(np.abs(w.detach().numpy() - g)))
            worst = max(worst, d)
            print("  blk.%d.attn_%s: max|permute(hf) - gguf| %.3g "
                  "(without the permutation: %.3g)" % (il, nm, d, d0))
    assert worst == 0.0, "transformers did not undo llama.cpp's Q/K permutation"


def do_smollm2(models_dir):
    torch = setup_torch()
    from transformers import AutoModelForCausalLM
    model = AutoModelForCausalLM.from_pretrained(
        models_dir, gguf_file=SMOL, dtype=torch.float32,
        attn_implementation="eager")
    model.eval()
    check_qk_permutation(model, models_dir)
    recs = []
    with open(os.path.join(RUN, "smollm2.teacher.jsonl")) as f:
        for k, line in enumerate(f):
            if k >= N_LOGIT_TEXTS:
                break
            recs.append(json.loads(line))
    ref = np.fromfile(os.path.join(RUN, "smollm2.logits.f32"), dtype="<f4")
    nv = model.config.vocab_size
    ref = ref.reshape(-1, nv)

    vecs, top1s = [], []
    agree = total = 0
    r = 0
    print("SmolLM2 (transformers %s, GGUF dequantized to f32) vs llama.cpp"
          % __import__("transformers").__version__)
    for k, rec in enumerate(recs):
        lg = forward(model, rec["ids"])
        t1 = [int(v) for v in lg.argmax(axis=1)]
        top1s.append(t1)
        a = sum(int(x == y) for x, y in zip(t1, rec["top1"]))
        agree += a
        total += len(t1)
        dis = [i for i, (x, y) in enumerate(zip(t1, rec["top1"])) if x != y]
        print("  text %d: %d positions, top-1 agreement %d/%d, differ at %s"
              % (k, len(t1), a, len(t1), dis))
        for i in dis:
            srt = np.sort(lg[i])[::-1]
            print("    pos %d: hf %d (%.4f) llama.cpp %d (hf logit %.4f); "
                  "hf top-2 margin %.4f" % (i, t1[i], lg[i, t1[i]], rec["top1"][i],
                                           lg[i, rec["top1"][i]], srt[0] - srt[1]))
        for p in rec["logits_at"]:
            v = lg[p]
            vecs.append(v)
            e = nmse(v, ref[r])
            print("  text %d pos %d: NMSE(hf, llama.cpp) %.3e, max|diff| %.4f, "
                  "argmax hf %d llama.cpp %d"
                  % (k, p, e, float(np.max(np.abs(v - ref[r]))), int(v.argmax()),
                     int(ref[r].argmax())))
            r += 1
    allv = np.stack(vecs)
    print("  overall: top-1 agreement %d/%d (%.2f%%), NMSE over the %d stored "
          "vectors %.3e" % (agree, total, 100.0 * agree / total, len(vecs),
                            nmse(allv, ref[:len(vecs)])))
    os.makedirs(OUT, exist_ok=True)
    write_f32(os.path.join(OUT, "smollm2.logits.f32"), vecs)
    with open(os.path.join(OUT, "smollm2.top1.json"), "w") as f:
        json.dump({"top1": top1s}, f, separators=(",", ":"))
        f.write("\n")

# ---------------------------------------------------------------- tiny models


def smol_vocab(models_dir, n):
    """First n tokens of SmolLM2's GGUF vocabulary and the merges inside it."""
    import gguf
    r = gguf.GGUFReader(os.path.join(models_dir, SMOL))
    toks = r.fields["tokenizer.ggml.tokens"].contents()[:n]
    ttype = r.fields["tokenizer.ggml.token_type"].contents()[:n]
    merges = r.fields["tokenizer.ggml.merges"].contents()
    have = set(toks)
    keep = []
    for m in merges:
        a, b = m.split(" ")
        if a in have and b in have and a + b in have:
            keep.append([a, b])
    return toks, ttype, keep


def write_tokenizer(d, toks, ttype, merges):
    from tokenizers import Tokenizer, models, pre_tokenizers, decoders, AddedToken
    vocab = {t: i for i, t in enumerate(toks)}
    assert len(vocab) == len(toks)
    tk = Tokenizer(models.BPE(vocab=vocab, merges=[tuple(m) for m in merges],
                              ignore_merges=False))
    # SmolLM2's pre-tokenizer (llama.cpp "smollm"): single digits, then
    # GPT-2 byte-level splitting.
    tk.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True,
                                 use_regex=True)])
    tk.decoder = decoders.ByteLevel()
    specials = [t for t, ty in zip(toks, ttype) if ty == 3]  # CONTROL
    tk.add_special_tokens([AddedToken(t, special=True, normalized=False)
                           for t in specials])
    tk.save(os.path.join(d, "tokenizer.json"))
    cfg = {"tokenizer_class": "PreTrainedTokenizerFast",
           "bos_token": "<|im_start|>", "eos_token": "<|im_end|>",
           "unk_token": "<|endoftext|>", "pad_token": "<|im_end|>",
           "add_bos_token": False, "add_eos_token": False,
           "model_max_length": 8192, "clean_up_tokenization_spaces": False}
    with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
        json.dump(cfg, f, indent=1)


def tiny_config(arch, nv):
    common = dict(vocab_size=nv, hidden_size=64, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2,
                  intermediate_size=128, hidden_act="silu",
                  max_position_embeddings=256, rope_theta=10000.0,
                  rms_norm_eps=1e-6, tie_word_embeddings=True,
                  bos_token_id=1, eos_token_id=2, pad_token_id=2,
                  use_sliding_window=False, attention_dropout=0.0)
    if arch == "qwen2":
        from transformers import Qwen2Config
        return Qwen2Config(**common)
    from transformers import Qwen3Config
    return Qwen3Config(head_dim=32, attention_bias=False, **common)


def randomize(model, torch):
    """Deterministic weights, scaled so activations stay O(1) and the
    logits are spread (std ~3) rather than near-uniform."""
    g = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            if name.endswith("embed_tokens.weight"):
                std = 0.4
                p.copy_(torch.randn(p.shape, generator=g) * std)
            elif name.endswith("norm.weight"):  # all RMSNorms, q/k_norm too
                p.copy_(1.0 + 0.25 * torch.randn(p.shape, generator=g))
            elif name.endswith(".bias"):  # qwen2 q/k/v biases
                p.copy_(0.5 * torch.randn(p.shape, generator=g))
            elif name.endswith(".weight") and p.dim() == 2:
                p.copy_(torch.randn(p.shape, generator=g) / p.shape[1] ** 0.5)
            else:
                raise ValueError("unexpected parameter " + name)


TINY_TEXTS = [
    "The quick brown fox jumps over the lazy dog in 2024, twice.",
]


def tiny_sequences(tok, nv):
    rng = np.random.default_rng(SEED)
    seqs = []
    for t in TINY_TEXTS:
        seqs.append([int(i) for i in tok.encode(t, add_special_tokens=False)])
    seqs.append([1] + [int(i) for i in rng.integers(17, nv, 4)])   # 5, bos first
    for n in (9, 23, 40):
        seqs.append([int(i) for i in rng.integers(0, nv, n)])
    return seqs


def convert(pre, name, hf_dir, out):
    """Run convert_hf_to_gguf.py in this process, pre-tokenizer name forced.
    --model-name keeps the temporary directory's name out of general.name."""
    lcp = os.environ.get("HF_GOLDEN_LLAMA_CPP", LLAMA_CPP)
    sys.path.insert(0, lcp)
    sys.path.insert(1, os.path.join(lcp, "gguf-py"))
    import conversion.base as cb
    cb.TextModel.get_vocab_base_pre = lambda self, tokenizer: pre
    sys.argv = ["convert_hf_to_gguf.py", hf_dir, "--outtype", "f32",
                "--model-name", name, "--outfile", out]
    runpy.run_path(os.path.join(lcp, "convert_hf_to_gguf.py"),
                   run_name="__main__")


def llama_cross_check(exe, gguf_path, text, ids, lg):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(text.replace("\\", "\\\\").replace("\n", "\\n") + "\n")
        tp = f.name
    try:
        out = subprocess.run([exe, gguf_path, tp, "2"], check=True,
                             capture_output=True, text=True).stdout
    finally:
        os.unlink(tp)
    d = json.loads(out.splitlines()[0])
    if d["ids"] != ids:
        print("    llama.cpp tokenization differs: %s" % d["ids"])
        return
    t1 = [int(v) for v in lg.argmax(axis=1)]
    a = sum(int(x == y) for x, y in zip(t1, d["top1"]))
    print("    llama.cpp (same ids): top-1 agreement %d/%d" % (a, len(t1)))
    for p, v in d["logits"].items():
        v = np.array(v, np.float32)
        print("    llama.cpp pos %s: NMSE %.3e, max|diff| %.3e"
              % (p, nmse(lg[int(p)], v), float(np.max(np.abs(lg[int(p)] - v)))))


def do_tiny(models_dir, llama_logits):
    torch = setup_torch()
    from transformers import AutoTokenizer, Qwen2ForCausalLM, Qwen3ForCausalLM
    toks, ttype, merges = smol_vocab(models_dir, TINY_VOCAB)
    nv = len(toks)
    os.makedirs(OUT, exist_ok=True)
    for arch, cls in (("qwen2", Qwen2ForCausalLM), ("qwen3", Qwen3ForCausalLM)):
        cfg = tiny_config(arch, nv)
        model = cls(cfg)
        model.to(torch.float32)
        randomize(model, torch)
        model.eval()
        gguf_path = os.path.join(OUT, "tiny-%s.f32.gguf" % arch)
        with tempfile.TemporaryDirectory() as td:
            d = os.path.join(td, "tiny-" + arch)
            model.save_pretrained(d, safe_serialization=True)
            write_tokenizer(d, toks, ttype, merges)
            tok = AutoTokenizer.from_pretrained(d)
            cv = subprocess.run([sys.executable, os.path.abspath(__file__),
                                 "convert", "smollm", "tiny-" + arch, d,
                                 gguf_path], capture_output=True, text=True)
            if cv.returncode != 0:
                sys.stderr.write(cv.stdout + cv.stderr)
                raise SystemExit("convert_hf_to_gguf.py failed")
            # reload from disk: the golden is what the saved weights give
            model = cls.from_pretrained(d, dtype=torch.float32,
                                        attn_implementation="eager")
            model.eval()
        seqs = tiny_sequences(tok, nv)
        logits = [forward(model, s) for s in seqs]
        write_f32(os.path.join(OUT, "tiny-%s.logits.f32" % arch), logits)
        c = model.config
        meta = {
            "arch": arch,
            "gguf": os.path.basename(gguf_path),
            "vocab_size": nv,
            "hidden_size": c.hidden_size,
            "num_hidden_layers": c.num_hidden_layers,
            "num_attention_heads": c.num_attention_heads,
            "num_key_value_heads": c.num_key_value_heads,
            "head_dim": getattr(c, "head_dim", None) or c.hidden_size // c.num_attention_heads,
            "intermediate_size": c.intermediate_size,
            "rope_theta": 10000.0,
            "rms_norm_eps": c.rms_norm_eps,
            "logits_file": "tiny-%s.logits.f32" % arch,
            "logits_layout": "float32 LE; for each sequence in order, for each "
                             "position in order, vocab_size floats",
            "n_positions_total": sum(len(s) for s in seqs),
            "offsets": [int(x) for x in np.cumsum([0] + [len(s) for s in seqs])[:-1]],
            "lengths": [len(s) for s in seqs],
            "texts": TINY_TEXTS + [None] * (len(seqs) - len(TINY_TEXTS)),
            "sequences": seqs,
            "top1": [[int(v) for v in lg.argmax(axis=1)] for lg in logits],
        }
        with open(os.path.join(OUT, "tiny-%s.json" % arch), "w") as f:
            json.dump(meta, f, separators=(",", ":"))
            f.write("\n")
        allv = np.concatenate(logits)
        print("tiny-%s: vocab %d, %d positions, logit std %.3f, "
              "mean top-1 prob %.3f" % (arch, nv, allv.shape[0], float(allv.std()),
              float(torch.softmax(torch.tensor(allv), -1).max(-1).values.mean())))
        if llama_logits and os.path.exists(llama_logits):
            for t, s, lg in zip(TINY_TEXTS, seqs, logits):
                llama_cross_check(llama_logits, gguf_path, t, s, lg)


def main():
    global LLAMA_CPP
    if len(sys.argv) > 1 and sys.argv[1] == "convert":
        convert(*sys.argv[2:6])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--llama-cpp", default=LLAMA_CPP)
    ap.add_argument("--llama-logits", default="/tmp/llama_logits")
    ap.add_argument("--models", default=MODELS)
    ap.add_argument("what", nargs="*", default=["smollm2", "tiny"])
    a = ap.parse_args()
    LLAMA_CPP = a.llama_cpp
    os.environ["HF_GOLDEN_LLAMA_CPP"] = a.llama_cpp
    if "smollm2" in a.what:
        do_smollm2(a.models)
    if "tiny" in a.what:
        do_tiny(a.models, a.llama_logits)


if __name__ == "__main__":
    main()
