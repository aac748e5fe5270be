#!/usr/bin/env python3
"""st_embed.py - goldens for llm-embed from sentence-transformers.

Writes, under OUT (default tests/golden/embed):
  corpus.jsonl    {"id","text"} lines: a deterministic varied corpus
                  (lengths, punctuation, accents, CJK, emoji, numbers,
                  code, whitespace, empty text, texts past 256 and 512
                  tokens)
  st256.f16       sentence-transformers vectors of every text as the
                  model ships (max_seq_length 256, mean pooling, L2
                  normalized): n x 384 little-endian float16
  st512.f16       the same at max_seq_length 512, for the texts whose
                  id is listed in long512.txt
  long512.txt     those ids, one a line
  SHA256SUMS      of the files above

  tiny-qwen3.pool.f32  (st_embed.py decoder) the tiny random Qwen3's
                  final-norm hidden states pooled, per sequence of
                  tests/golden/hf/tiny-qwen3.json: last token, then mean;
                  64 float32 LE each

usage: st_embed.py [MODEL_DIR] [OUT]
       st_embed.py decoder [OUT]
(see tests/oracle/embed_README)
"""
import hashlib
import json
import os
import random
import sys

import numpy as np
from sentence_transformers import SentenceTransformer

WORDS = ("the quick brown fox jumps over lazy dog river mountain "
         "computer science model vector search embedding database query "
         "music garden coffee morning train station library history "
         "ocean weather holiday market bread cheese window light paper "
         "running swimming thinking writing reading building learning "
         "beautiful strange ancient modern silent bright heavy gentle "
         "quickly slowly rarely always never often happily").split()
ACCENTS = ["café", "naïve", "résumé", "Ünïcödé", "façade", "jalapeño",
           "Zürich", "São Paulo", "crème brûlée", "Ångström", "Øresund",
           "Dvořák", "Łódź", "İstanbul", "ÉCOLE", "Straße"]
CJK = ["日本語のテキストです", "中文句子测试", "한국어 문장입니다",
       "東京は大きな都市です", "我喜欢喝茶", "ひらがなとカタカナ",
       "漢字", "北京欢迎你"]
EMOJI = ["😀", "🚀", "👍🏽", "❤️", "🇫🇷", "👨‍👩‍👧", "🎉", "🤖", "☕"]
OTHER = ["Привет, мир", "Γειά σου κόσμε", "مرحبا بالعالم", "שלום עולם",
         "नमस्ते दुनिया", "สวัสดีชาวโลก", "Xin chào thế giới"]
PUNCT = [".", "!", "?", "...", ";", ":", " -", " —", "!!", "?!", ","]


def sentence(rng):
    n = rng.randint(1, 25)
    w = [rng.choice(WORDS) for _ in range(n)]
    kind = rng.randint(0, 11)
    if kind == 0:
        w.insert(rng.randint(0, n), rng.choice(ACCENTS))
    elif kind == 1:
        w.insert(rng.randint(0, n), rng.choice(CJK))
    elif kind == 2:
        w.insert(rng.randint(0, n), rng.choice(EMOJI))
    elif kind == 3:
        w.insert(rng.randint(0, n), str(rng.randint(0, 10 ** rng.randint(1, 9))))
        w.insert(rng.randint(0, n), "%.*f" % (rng.randint(1, 4), rng.uniform(-1e4, 1e4)))
    elif kind == 4:
        w.insert(rng.randint(0, n), rng.choice(OTHER))
    elif kind == 5:
        w = [x.upper() if rng.random() < 0.3 else x.capitalize() for x in w]
    elif kind == 6:
        w.insert(rng.randint(0, n), rng.choice(["https://example.com/a?b=1&c=2",
                 "user@example.org", "C:\\Program Files\\x", "#hashtag",
                 "@mention", "$19.99", "100%", "3/4", "e=mc^2", "x<y>z"]))
    elif kind == 7:
        w.insert(rng.randint(0, n), rng.choice(["def f(x): return x+1",
                 "int main(void) { return 0; }", "SELECT * FROM t;",
                 "{\"a\": [1, 2]}", "<b>bold</b>"]))
    s = " ".join(w)
    if kind == 8:
        s = "  " + s.replace(" ", rng.choice(["  ", "\t", " \u00a0"])) + "   "
    if kind == 9:
        s = s.replace(" ", "")
    s = s[:1].upper() + s[1:] + rng.choice(PUNCT)
    if kind == 10:
        s = "\"" + s + "\" (" + rng.choice(WORDS) + ")"
    return s


def corpus():
    rng = random.Random(20240517)
    texts = [sentence(rng) for _ in range(470)]
    texts += ["", " ", "a", "A.", "?", "😀", "日本", "123", "é", "The end."]
    # long inputs: past 256 tokens, past 512 tokens
    for i in range(20):
        n = rng.choice([200, 300, 400, 700, 1200])
        parts = [sentence(rng) for _ in range(n // 12)]
        texts.append(" ".join(parts))
    return texts


def f16(vs):
    return np.asarray(vs, dtype="<f2").tobytes()


def decoder(out):
    """Pooled hidden states of the committed tiny random Qwen3
    (tests/golden/hf/tiny-qwen3.f32.gguf, made by hf_golden.py): its
    weights loaded from the GGUF into transformers' Qwen3Model, checked
    against the committed logits, then for each of its sequences the
    last token's and the mean of the final-norm hidden states."""
    import gguf
    import torch
    from transformers import Qwen3Config, Qwen3ForCausalLM
    hf = "tests/golden/hf"
    meta = json.load(open(os.path.join(hf, "tiny-qwen3.json")))
    r = gguf.GGUFReader(os.path.join(hf, meta["gguf"]))
    t = {x.name: np.array(x.data, dtype=np.float32) for x in r.tensors}
    cfg = Qwen3Config(vocab_size=meta["vocab_size"], hidden_size=64,
                      num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, intermediate_size=128,
                      head_dim=32, hidden_act="silu", rope_theta=10000.0,
                      rms_norm_eps=meta["rms_norm_eps"],
                      max_position_embeddings=256, tie_word_embeddings=True,
                      attention_bias=False, use_sliding_window=False)
    model = Qwen3ForCausalLM(cfg).to(torch.float32)
    names = {"token_embd": "model.embed_tokens", "output_norm": "model.norm"}
    sub = {"attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj",
           "attn_v": "self_attn.v_proj", "attn_output": "self_attn.o_proj",
           "attn_q_norm": "self_attn.q_norm", "attn_k_norm": "self_attn.k_norm",
           "attn_norm": "input_layernorm",
           "ffn_norm": "post_attention_layernorm", "ffn_gate": "mlp.gate_proj",
           "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj"}
    sd = {}
    for k, v in t.items():
        base = k[:-len(".weight")]
        if base.startswith("blk."):
            _, n, rest = base.split(".", 2)
            sd["model.layers.%s.%s.weight" % (n, sub[rest])] = v
        else:
            sd[names[base] + ".weight"] = v
    sd["lm_head.weight"] = sd["model.embed_tokens.weight"]
    model.load_state_dict({k: torch.tensor(v) for k, v in sd.items()})
    model.eval()
    ref = np.fromfile(os.path.join(hf, meta["logits_file"]), dtype="<f4")
    ref = ref.reshape(-1, meta["vocab_size"])
    vecs, lg = [], []
    with torch.no_grad():
        for ids in meta["sequences"]:
            x = torch.tensor([ids])
            lg.append(model(input_ids=x).logits[0].numpy())
            h = model.model(input_ids=x).last_hidden_state[0]
            h = h.numpy().astype(np.float64)
            vecs.append(h[-1])
            vecs.append(h.mean(axis=0))
    lg = np.concatenate(lg)
    err = float(np.sum((lg - ref) ** 2) / np.sum(ref ** 2))
    assert err < 1e-10, "GGUF -> transformers mapping: logits NMSE %g" % err
    with open(os.path.join(out, "tiny-qwen3.pool.f32"), "wb") as f:
        f.write(np.asarray(vecs, dtype="<f4").tobytes())
    print("tiny-qwen3: logits NMSE %.2e against the committed goldens; "
          "%d sequences pooled" % (err, len(meta["sequences"])))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "decoder":
        decoder(sys.argv[2] if len(sys.argv) > 2 else "tests/golden/embed")
        return
    mdir = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser(
        "~/.cache/llmutils/models/all-MiniLM-L6-v2")
    out = sys.argv[2] if len(sys.argv) > 2 else "tests/golden/embed"
    os.makedirs(out, exist_ok=True)
    texts = corpus()
    m = SentenceTransformer(mdir, device="cpu")
    tok = m.tokenizer
    with open(os.path.join(out, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for i, t in enumerate(texts):
            f.write(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n")
    assert m.max_seq_length == 256
    v256 = m.encode(texts, batch_size=32, convert_to_numpy=True)
    long_ids = [i for i, t in enumerate(texts)
                if len(tok(t)["input_ids"]) > 256]
    m.max_seq_length = 512
    v512 = m.encode([texts[i] for i in long_ids], batch_size=32,
                    convert_to_numpy=True)
    files = {"st256.f16": f16(v256), "st512.f16": f16(v512),
             "long512.txt": "".join("%d\n" % i for i in long_ids).encode()}
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    with open(os.path.join(out, "SHA256SUMS"), "w") as f:
        for name in ["corpus.jsonl"] + sorted(files):
            with open(os.path.join(out, name), "rb") as g:
                f.write("%s  %s\n" % (hashlib.sha256(g.read()).hexdigest(), name))
    print("%d texts, %d past 256 tokens, dim %d" % (len(texts), len(long_ids),
          v256.shape[1]))


if __name__ == "__main__":
    main()
