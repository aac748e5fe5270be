#!/usr/bin/env python3
"""Tiny Gemma 4 Hugging Face directory, its conversion by llama.cpp, and
the Gemma 4 tokenizer goldens.  See tests/oracle/README ("Gemma 4: HF
import and tokenizer").

usage: gemma4_hf.py [--bin DIR] [--llama-cpp DIR] [--llama-build DIR]
                    [--work DIR] [--write-data] [--new-tokenizer] [--cg]

1. Writes WORK/tiny-gemma4: tiny_archs.py's gemma4 model (Gemma4ForCausalLM,
   E2B style) with hidden_size 32 and intermediate_size 16, saved in BF16, with a small tokenizer of Gemma 4's shape:
   tokenizers' BPE (byte_fallback, fuse_unk, unk "<unk>"), normalizer
   Replace(" ", "\u2581"), no pre-tokenizer, decoder Replace + ByteFallback
   + Fuse (transformers' GemmaTokenizer pipeline); vocabulary: the special
   tokens first (<pad> <eos> <bos> <unk> <mask>, Gemma 4's turn / channel /
   tool markers), the 256 byte tokens <0x00>..<0xFF>, "</s>" as a normal
   token, then a BPE trained on tests/golden/tok/corpus.txt cut into
   newline-free and newline-only pieces (so no merge crosses a newline,
   as llama.cpp's "gemma4" pre-tokenizer assumes), limit_alphabet 100
   (rarer characters go to byte fallback).  The trainer breaks ties in
   hash order, so the committed tokenizer.json is reused unless
   --new-tokenizer is given.  tokenizer_config.json names
   the special tokens and carries llama.cpp's google-gemma-4-31B-it.jinja.
2. Converts it with convert_hf_to_gguf.py (F32, F16, BF16; and
   --vocab-only to tests/golden/tok/gemma4-vocab.gguf with --write-data)
   and compares llm-quant's output with it (convert_check.compare).
3. Tokenizes tests/golden/tok/corpus.txt and gemma4_extra.txt (written
   here) with HF tokenizers (add_special_tokens off, the added tokens
   split always / never: parse_special on / off as in t_tok) and with
   llama.cpp (tok_llama.c on the vocab GGUF), and writes
   tests/golden/tok/gemma4.ids, gemma4_extra.ids ("OFF|ON" lines, as
   gemma3.ids) if both agree everywhere.
4. With --cg, Gemma4ForConditionalGeneration too: the committed directory
   rewritten as that class saves it, and a random one with tiny vision
   and audio towers (which the converter leaves out), each against the
   converter.
"""
import argparse
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_golden as hg  # noqa: E402
import convert_check as cc  # noqa: E402
import tiny_archs as ta  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOK = os.path.join(ROOT, "tests", "golden", "tok")
SPECIALS = ["<pad>", "<eos>", "<bos>", "<unk>", "<mask>", "<|turn>",
            "<turn|>", "<|channel>", "<channel|>", "<|tool_call>",
            "<tool_call|>", "<|tool_response>", "<tool_response|>",
            '<|"|>', "<|image|>", "<|tool>", "<tool|>"]
VISIBLE = {"<|channel>", "<channel|>", "<|tool_call>", "<tool_call|>",
           "<|tool_response>", "<tool_response|>", '<|"|>'}
NEWLINE_FREE = re.compile(r"[^\n]+|\n+")


def corpus():
    with open(os.path.join(TOK, "corpus.txt"), encoding="utf-8") as f:
        return [json.loads(x) for x in f.read().split("\n") if x]


def extra_strings():
    """Strings aimed at Gemma 4's tokenizer."""
    rng = random.Random(20260426)
    s = ["", " ", "  ", "\n", "\n\n", "\n\n\n\n\n\n\n", " \n ", "\n \n",
         "a\n\nb", "\n\nhello", "hello\n", "hello world", " hello  world ",
         "   leading", "trailing   ", "tab\there", "\r\n\r\n", "\u2581",
         "\u2581\u2581x", "caf\u00e9 na\u00efve", "\U0001F600\U0001F44D\U0001F3FD",
         "\u4e2d\u6587\u5b57", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
         "<0x41>", "<|turn>user\nhi<turn|>\n<|turn>model\n",
         "<bos><eos><pad>", "x<|turn>y", "<|turn", "turn|>", "</s>",
         "a</s>b", "<mask> <unk>", '<|"|>quoted<|"|>',
         "<|channel>thought\n<channel|>", "\x00\x01\x7f", "\u00ff\u0100",
         "The quick brown fox jumps over the lazy dog.\n\n\nEnd."]
    pieces = ["the", " ", "  ", "\n", "\n\n", "model", "<|turn>", "<turn|>",
              "\u00e9", "\U0001F600", "x", "123", ".", "\t", "</s>", "\u2581",
              "user", "hello", "<eos>", "\u4e2d"]
    for _ in range(400):
        s.append("".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))))
    return s


def build_tokenizer(d, new):
    from tokenizers import (AddedToken, Tokenizer, decoders, models,
                            normalizers, trainers)
    old = os.path.join(ROOT, "tests", "data", "hf", "tiny-gemma4",
                       "tokenizer.json")
    if not new and os.path.exists(old):
        # the trainer breaks ties in hash order: keep the committed one
        shutil.copy(old, os.path.join(d, "tokenizer.json"))
        write_tokenizer_config(d)
        return Tokenizer.from_file(old).get_vocab_size()
    train = []
    for line in corpus():
        # no NUL in a token: llama.cpp reads GGUF strings as C strings
        line = line.replace("\x00", "").replace(" ", "\u2581")
        train += NEWLINE_FREE.findall(line)
    t0 = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True,
                              fuse_unk=True))
    tr = trainers.BpeTrainer(vocab_size=300, limit_alphabet=100,
                             show_progress=False, special_tokens=[])
    t0.train_from_iterator(train, tr)
    m = json.loads(t0.to_str())["model"]
    base = SPECIALS + ["<0x%02X>" % b for b in range(256)] + ["</s>"]
    vocab = {}
    for t in base:
        vocab[t] = len(vocab)
    for t, _ in sorted(m["vocab"].items(), key=lambda x: x[1]):
        if t not in vocab:
            vocab[t] = len(vocab)
    merges = [tuple(x) if isinstance(x, list) else tuple(x.split(" "))
              for x in m["merges"]]
    tk = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token="<unk>",
                              byte_fallback=True, fuse_unk=True))
    tk.normalizer = normalizers.Replace(" ", "\u2581")
    tk.decoder = decoders.Sequence([decoders.Replace("\u2581", " "),
                                    decoders.ByteFallback(), decoders.Fuse()])
    tk.add_special_tokens([AddedToken(t, special=True, normalized=False)
                           for t in SPECIALS])
    tk.save(os.path.join(d, "tokenizer.json"))
    write_tokenizer_config(d)
    return len(vocab)


def write_tokenizer_config(d):
    with open(os.path.join(hg.LLAMA_CPP, "models", "templates",
                           "google-gemma-4-31B-it.jinja"), encoding="utf-8") as f:
        tmpl = f.read()
    cfg = {"tokenizer_class": "GemmaTokenizer", "bos_token": "<bos>",
           "eos_token": "<eos>", "unk_token": "<unk>", "pad_token": "<pad>",
           "mask_token": "<mask>", "add_bos_token": True,
           "add_eos_token": False, "padding_side": "left",
           "model_max_length": 256, "chat_template": tmpl,
           "extra_special_tokens": SPECIALS[5:]}
    with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
        json.dump(cfg, f, indent=1)


def write_dir(d, torch, new):
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    nv = build_tokenizer(d, new)
    spec = ta.CASES["gemma4"]()
    cfg = spec["config"]
    cfg.vocab_size = nv
    cfg.vocab_size_per_layer_input = nv
    cfg.bos_token_id, cfg.eos_token_id, cfg.pad_token_id = 2, 1, 0
    # half of tiny_archs' widths, to keep the committed directory small
    cfg.hidden_size, cfg.intermediate_size = 32, 16
    model = spec["cls"](cfg)
    model.to(torch.float32)
    ta.randomize(model, torch, seed=hg.SEED, norm_center=1.0,
                 embed_std=spec.get("embed_std", 0.4),
                 final_norm_center=spec.get("final_norm_center"))
    model.to(torch.bfloat16)
    model.save_pretrained(d, safe_serialization=True)


def vocab_only(a, d, out):
    env = dict(os.environ, CONVERT_CHECK_LLAMA_CPP=a.llama_cpp)
    code = ("import os,sys,runpy; l=os.environ['CONVERT_CHECK_LLAMA_CPP'];"
            "sys.path[:0]=[l, os.path.join(l,'gguf-py')];"
            "sys.argv=['convert_hf_to_gguf.py',%r,'--vocab-only','--outfile',%r];"
            "runpy.run_path(os.path.join(l,'convert_hf_to_gguf.py'),"
            "run_name='__main__')" % (d, out))
    r = subprocess.run([sys.executable, "-c", code], env=env,
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr[-3000:])
        raise SystemExit("vocab-only conversion failed")


def hf_ids(d, strs):
    from tokenizers import Tokenizer
    tk = Tokenizer.from_file(os.path.join(d, "tokenizer.json"))
    on = [tk.encode(s, add_special_tokens=False).ids for s in strs]
    # parse_special off: only the tokens the converter makes USER_DEFINED
    # (VISIBLE) still split, as in llama.cpp and llmutils
    tk2 = Tokenizer.from_file(os.path.join(d, "tokenizer.json"))
    j = json.loads(tk2.to_str())
    j["added_tokens"] = [x for x in j["added_tokens"]
                         if x["content"] in VISIBLE]
    tk2 = Tokenizer.from_str(json.dumps(j))
    off = [tk2.encode(s, add_special_tokens=False).ids for s in strs]
    return off, on


def llama_ids(a, gguf, strs, work):
    """tok_llama.c (see its header) on strs: "OFF|ON" lines."""
    exe = os.path.join(work, "tok_llama")
    src = os.path.join(ROOT, "tests", "oracle", "tok_llama.c")
    inc = os.path.join(a.llama_cpp, "include")
    ggml = os.path.join(a.llama_cpp, "ggml", "include")
    if not os.path.exists(exe):
        subprocess.run(["cc", "-O1", "-o", exe, src, "-I", inc, "-I", ggml,
                        "-L", a.llama_build, "-lllama",
                        "-Wl,-rpath," + a.llama_build], check=True)
    data = b"".join(struct.pack("<I", len(s.encode())) + s.encode()
                    for s in strs)
    r = subprocess.run([exe, gguf], input=data, capture_output=True,
                       check=True)
    return r.stdout.decode().split("\n")[:len(strs)]


def fmt(off, on):
    return ["%s|%s" % (" ".join(map(str, a)), " ".join(map(str, b)))
            for a, b in zip(off, on)]


def write_multimodal(d, torch):
    """Gemma4ForConditionalGeneration with tiny vision and audio towers
    around tiny-gemma4's text config (random weights, not committed)."""
    from transformers import (Gemma4AudioConfig, Gemma4Config,
                              Gemma4ForConditionalGeneration,
                              Gemma4VisionConfig)
    src = os.path.join(ROOT, "tests", "data", "hf", "tiny-gemma4")
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    with open(os.path.join(src, "config.json")) as f:
        tc = json.load(f)
    for k in ("architectures", "transformers_version", "dtype"):
        tc.pop(k, None)
    cfg = Gemma4Config(
        text_config=tc,
        vision_config=Gemma4VisionConfig(
            hidden_size=16, intermediate_size=16, num_hidden_layers=1,
            num_attention_heads=2, num_key_value_heads=2, head_dim=8,
            position_embedding_size=16, patch_size=4),
        audio_config=Gemma4AudioConfig(
            hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
            output_proj_dims=16))
    m = Gemma4ForConditionalGeneration(cfg)
    g = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for _, p in sorted(m.named_parameters()):
            p.copy_(torch.randn(p.shape, generator=g) * 0.3)
        for n, b in sorted(m.named_buffers()):
            if n.endswith("layer_scalar"):
                b.copy_(1.0 + 0.25 * torch.randn(b.shape, generator=g))
    m.to(torch.bfloat16)
    m.save_pretrained(d, safe_serialization=True)
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(src, f), d)


def wrap(src, d):
    """tiny-gemma4 as Gemma4ForConditionalGeneration saves it (what t_hf's
    g4wrap does): config under text_config, model.language_model.*"""
    if os.path.isdir(d):
        shutil.rmtree(d)
    shutil.copytree(src, d)
    with open(os.path.join(d, "config.json")) as f:
        c = json.load(f)
    c.pop("architectures")
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump({"architectures": ["Gemma4ForConditionalGeneration"],
                   "model_type": "gemma4", "text_config": c,
                   "vision_config": None, "audio_config": None}, f, indent=2)
    p = os.path.join(d, "model.safetensors")
    b = open(p, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    h = json.loads(b[8:8 + n])
    h = {("model.language_model." + k[6:] if k.startswith("model.") else k): v
         for k, v in h.items()}
    hb = json.dumps(h, separators=(",", ":")).encode()
    open(p, "wb").write(struct.pack("<Q", len(hb)) + hb + b[8 + n:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--llama-cpp", default=hg.LLAMA_CPP)
    ap.add_argument("--llama-build", default="/tmp/llama-build/bin")
    ap.add_argument("--llama-quantize", default="/tmp/llama-build/bin/llama-quantize")
    ap.add_argument("--bin", default="")
    ap.add_argument("--work", default="/tmp/gemma4_hf")
    ap.add_argument("--models", default=hg.MODELS)
    ap.add_argument("--write-data", action="store_true")
    ap.add_argument("--new-tokenizer", action="store_true")
    ap.add_argument("--cg", action="store_true",
                    help="also Gemma4ForConditionalGeneration (needs --bin)")
    a = ap.parse_args()
    torch = hg.setup_torch()
    os.makedirs(a.work, exist_ok=True)
    d = os.path.join(a.work, "tiny-gemma4")
    write_dir(d, torch, a.new_tokenizer)
    vg = os.path.join(a.work, "gemma4-vocab.gguf")
    vocab_only(a, d, vg)
    ok = True
    for name, strs in (("gemma4", corpus()), ("gemma4_extra", extra_strings())):
        off, on = hf_ids(d, strs)
        hf = fmt(off, on)
        ll = llama_ids(a, vg, strs, a.work)
        bad = [i for i in range(len(strs)) if hf[i] != ll[i]]
        print("%s: %d strings, HF vs llama.cpp: %d differ" % (name, len(strs), len(bad)))
        for i in bad[:10]:
            print("  line %d %r\n    HF    %s\n    llama %s" % (i + 1, strs[i][:60], hf[i][:200], ll[i][:200]))
        ok &= not bad
        if a.write_data:
            with open(os.path.join(TOK, name + ".ids"), "w") as f:
                f.write("\n".join(hf) + "\n")
            if name == "gemma4_extra":
                with open(os.path.join(TOK, name + ".txt"), "w") as f:
                    for s in strs:
                        f.write(json.dumps(s) + "\n")
    if a.bin:
        cc_args = argparse.Namespace(llama_cpp=a.llama_cpp, bin=a.bin,
                                     work=a.work, llama_quantize=a.llama_quantize)
        # Q4_K_M: llama-quantize keeps per_layer_model_proj in the type of
        # its input, so only the BF16 route matches a BF16 directory
        ok &= cc.check(cc_args, "gemma4", d, "-", via=("bf16",))
    if a.bin and a.cg:
        # the committed directory wrapped: the converter's file must be
        # the Gemma4ForCausalLM one (t_hf's second pass)
        w = os.path.join(a.work, "wrapped", "tiny-gemma4")
        wrap(os.path.join(ROOT, "tests", "data", "hf", "tiny-gemma4"), w)
        ok &= cc.check(cc_args, "gemma4-wrapped", w, "-", via=("bf16",))
        mm = os.path.join(a.work, "tiny-gemma4-mm")
        write_multimodal(mm, torch)
        ok &= cc.check(cc_args, "gemma4-mm", mm, "-", via=("bf16",))
    if a.write_data:
        shutil.copy(vg, os.path.join(TOK, "gemma4-vocab.gguf"))
        dst = os.path.join(ROOT, "tests", "data", "hf", "tiny-gemma4")
        if os.path.isdir(dst):
            shutil.rmtree(dst)
        shutil.copytree(d, dst)
    print("all identical" if ok else "DIFFERENCES FOUND")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
