#!/usr/bin/env python3
"""
tok_spm.py - goldens for the SentencePiece (SPM) tokenizer: Gemma 3.

    /tmp/hfvenv/bin/python tests/oracle/tok_spm.py [gemma-3-270m-q4_k_m.gguf]
    /tmp/hfvenv/bin/python tests/oracle/tok_spm.py --compare [model.gguf]

Writes, all deterministic (fixed seed), into tests/golden/tok:
  gemma3_extra.txt  one JSON string per line (ASCII, \\u escapes): strings
                    aimed at what is special about Gemma's SPM: its special
                    and user-defined tokens in text (<start_of_turn>, HTML
                    tags, runs of spaces, tabs and newlines), byte-token
                    look-alikes ("<0x41>"), a literal U+2581, characters
                    that have no token (byte fallback), and random
                    concatenations of vocabulary pieces (they stress the
                    merge order)
  gemma3.ids        per line of corpus.txt "OFF|ON": the ids Hugging Face
                    gives with parse_special off and on, no BOS/EOS
  gemma3_extra.ids  the same for gemma3_extra.txt

The oracle (A) is transformers' own GGUF loader,
AutoTokenizer.from_pretrained(dir, gguf_file=name) (transformers 5.24,
integrations/gguf/gguf_tokenizer_mapping.py, gemma_tokenizer): a
tokenizers.Tokenizer with normalizer Replace(" ", "\\u2581"),
pre_tokenizer Split(" ", merged_with_previous) (a no-op once spaces are
U+2581), model BPE(byte_fallback=True, fuse_unk=True, unk "<unk>"), decoder
Replace/ByteFallback/Fuse, whose merges are recovered from the vocabulary
by generate_merges ranked by token position (not by the file's scores:
llama.cpp's converter scored the special tokens -1000), after the tokens
made of spaces ("  " .. 31 spaces, user-defined) are respelled as runs of
U+2581; CONTROL tokens are special added tokens, the other USER_DEFINED
ones non-special added tokens, all normalized=False.  "parse_special off"
is Tokenizer.encode_special_tokens = True.

--compare also builds oracle B by hand with the tokenizers API from the
GGUF's tokens, types and scores, as transformers' SpmConverter builds a
Gemma tokenizer.json (same pipeline; merges by generate_merges; control
and user-defined tokens as added tokens), in two variants:
  B-pos    merges ranked by position, space runs respelled (= A's recipe)
  B-score  merges ranked by tokenizer.ggml.scores, every user-defined
           token (space runs included, as the GGUF spells them) an added
           token: the llama.cpp reading of the file
and prints how many encodings of each equal A's, and of llama.cpp's when
/tmp/spm/llama.ids and /tmp/spm/llama_extra.ids exist (tests/oracle/
tok_llama.c output for corpus.txt and gemma3_extra.txt).  Results and
the cases where they differ: tests/oracle/tok_README.
"""
import json
import os
import random
import sys
import unicodedata

GOLD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                    "golden", "tok")
MODEL = os.path.expanduser(
    "~/.cache/llmutils/models/gemma-3-270m-q4_k_m.gguf")


def gguf_vocab(path):
    import gguf
    r = gguf.GGUFReader(path)
    f = r.fields
    assert f["tokenizer.ggml.model"].contents() == "llama"
    return (list(f["tokenizer.ggml.tokens"].contents()),
            list(f["tokenizer.ggml.token_type"].contents()),
            list(f["tokenizer.ggml.scores"].contents()))


def hf_gguf(path):
    """Oracle A: transformers' GGUF loader."""
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(os.path.dirname(path),
                                        gguf_file=os.path.basename(path))
    return tok.backend_tokenizer


def hf_own(path, variant):
    """Oracle B: the tokenizers object built here (see the docstring)."""
    from tokenizers import (AddedToken, Tokenizer, decoders, models,
                            normalizers, pre_tokenizers)
    from transformers.tokenization_utils_base import generate_merges
    orig, types, scores = gguf_vocab(path)
    tokens = orig
    if variant == "pos":
        tokens = ["\u2581" * len(t) if " " in t and not t.strip() else t
                  for t in orig]
        ranks = {t: -i for i, t in enumerate(tokens)}
    else:
        ranks = dict(zip(tokens, scores))
    vocab = {t: i for i, t in enumerate(tokens)}
    tk = Tokenizer(models.BPE(vocab=vocab,
                              merges=generate_merges(vocab, ranks),
                              dropout=None, unk_token="<unk>", fuse_unk=True,
                              byte_fallback=True))
    tk.normalizer = normalizers.Replace(" ", "\u2581")
    tk.pre_tokenizer = pre_tokenizers.Split(" ", "merged_with_previous")
    tk.decoder = decoders.Sequence([decoders.Replace("\u2581", " "),
                                    decoders.ByteFallback(), decoders.Fuse()])
    tk.add_special_tokens([AddedToken(t, normalized=False, special=True)
                           for t, ty in zip(orig, types) if ty == 3])
    # a respelled run of spaces is not in the vocabulary as the GGUF
    # spells it, so it is not added (transformers' add_gguf_special_tokens)
    tk.add_tokens([AddedToken(t, normalized=False, special=False)
                   for t, ty in zip(orig, types) if ty == 4 and t in vocab])
    return tk


def encode(tk, s):
    tk.encode_special_tokens = True
    off = tk.encode(s, add_special_tokens=False).ids
    tk.encode_special_tokens = False
    on = tk.encode(s, add_special_tokens=False).ids
    return off, on


# ---- the extra strings ----

SPECIAL = ["<bos>", "<eos>", "<pad>", "<unk>", "<mask>", "[multimodal]",
           "<start_of_turn>", "<end_of_turn>", "<start_of_image>",
           "<end_of_image>", "<unused0>", "<unused99>", "<unused6241>",
           "<table>", "<tr>", "<td>", "</td>", "</tr>", "</table>", "<b>",
           "</b>", "<i>", "<u>", "<s>", "</s>", "<h1>", "<code>", "</code>",
           "<div>", "<br>", "<0x41>", "<0x0A>", "<0xFF>", "<0xzz>"]

HAND = [
    "<start_of_turn>user\nHello, who are you?<end_of_turn>\n"
    "<start_of_turn>model\n",
    "<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\nHey"
    "<end_of_turn>\n<eos>",
    "<bos>text<eos>", "<pad><unk><mask>", "[multimodal] picture",
    "<start_of_image>x<end_of_image>", "<unused0><unused6241>",
    "<unused99", "<start_of_turn", "<<bos>>", "<bos<eos>>", "< bos >",
    "<start_of_turn> hi", "hi <end_of_turn>", " <bos> ", "a<bos>b",
    "<table><tr><td>a</td><td>b</td></tr></table>",
    "<b>bold</b> <i>it</i> <u>u</u> <s>s</s> <sub>2</sub><sup>3</sup>",
    "<h1>Title</h1><h2>Sub</h2><blockquote>q</blockquote>",
    "<code>x = 1</code> <em>e</em> <strong>s</strong>",
    "<div><span>s</span></div><ul><li>1</li></ul>", "<br> <hr> <p>",
    "<b", "b>", "<<b>>", "</b", "<b><b><b>", "<html><body></body></html>",
    "<0x41>", "<0x0A><0xFF>", "<0xZZ>", "<0x41", "0x41>", "<0x0a>",
    "<0x41><0x42><0x43>", "< 0x41 >",
    "\u2581", "\u2581\u2581hello", "a\u2581b", "\u2581 \u2581",
    "\u2581the \u2581 the", "  \u2581  ",
    "\t", "\t\tx", " \t \t ", "\n \n  \n   \n", "\r\n\r\n", "\r\r\n",
    "a\n\n\nb", "def f():\n\treturn 1\n\n\n\nclass A:\n    pass\n",
    "\u3000 \u3000", "\u00a0 \u00a0", "\x0b\x0c\x1c\x1d\x1e\x1f\x85",
    "".join(chr(c) for c in range(0, 32)) + "\x7f",
    "1234567890 3.14 1,000,000 \u0663\u0664 \u00bd\u2153",
    "\u6ba5\u3722\u5b77\uc417 \U00023a3e\U0002c8dd \u0480 \u1df9 "
    "\U0001f718 \U0001d81d \ua8b2",
    "\u0132\u013f\u0140\u0156\u0166\u0180\u0181\u0182 \u01c4\u01c5\u01c6",
    "na\u00efve caf\u00e9 r\u00e9sum\u00e9 Stra\u00dfe \u0130stanbul",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467 \U0001f1ef\U0001f1f5 "
    "\u2764\ufe0f",
]


def extra_strings(tokens, types):
    rng = random.Random(20260601)
    items = list(HAND)
    for k in (1, 2, 3, 15, 16, 17, 30, 31, 32, 33, 40, 47, 62, 63, 64, 65,
              100, 257):
        items.append(" " * k + "x")
        items.append("x" + " " * k)
        items.append("a" + " " * k + "b")
        items.append("\t" * k + "y")
        items.append("\n" * k + "z")
        items.append("\u2581" * k + "w")
    # characters with no token of their own: byte fallback
    V = set(tokens)
    miss = [c for c in map(chr, range(0x20, 0x30000))
            if unicodedata.category(c) not in ("Cn", "Cs", "Co")
            and c not in V]
    for _ in range(40):
        n = rng.randint(1, 6)
        items.append("".join(rng.choice(miss) for _ in range(n)))
        items.append("ab " + rng.choice(miss) + "cd" + rng.choice(miss))
    # random concatenations of vocabulary pieces
    normal = [i for i, ty in enumerate(types) if ty == 1]
    frequent = normal[:8000]
    ws = [" ", "  ", "   ", " " * 40, "\t", "\n", "\n\n", " \n", "\u3000"]
    for i in range(1500):
        parts = []
        for _ in range(rng.choice([1, 2, 3, 5, 8, 13, 21, 34])):
            r = rng.random()
            if r < 0.55:
                parts.append(tokens[rng.choice(frequent)])
            elif r < 0.8:
                parts.append(tokens[rng.choice(normal)])
            elif r < 0.88:
                parts.append(rng.choice(ws))
            elif r < 0.94:
                parts.append(rng.choice(SPECIAL))
            else:
                parts.append(rng.choice(miss))
        s = "".join(parts)
        if i % 2 == 0:
            s = s.replace("\u2581", " ")
        items.append(s)
    # long strings
    words = [tokens[i].replace("\u2581", " ") for i in frequent[:3000]]
    items.append("".join(rng.choice(words) for _ in range(3000)))
    items.append(" ".join(rng.choice(words + ws + SPECIAL)
                          for _ in range(3000)))
    items.append("".join(rng.choice(miss) for _ in range(2000)))
    for s in items:
        for ch in s:
            assert unicodedata.category(ch) != "Cs"
    return items


def read_lines(name):
    with open(os.path.join(GOLD, name)) as f:
        return [json.loads(line) for line in f]


def write_ids(tk, items, name):
    with open(os.path.join(GOLD, name), "w", newline="\n") as f:
        for s in items:
            off, on = encode(tk, s)
            # decode(encode(s)) is s, U+2581 read back as a space
            want = s.replace("\u2581", " ")
            assert tk.decode(off, skip_special_tokens=False) == want, repr(s)
            assert tk.decode(on, skip_special_tokens=False) == want, repr(s)
            f.write(" ".join(map(str, off)) + "|" + " ".join(map(str, on))
                    + "\n")


def ids_lines(name):
    with open(name) as f:
        return [line.rstrip("\n").split("|") for line in f]


def compare(path):
    corpus = read_lines("corpus.txt")
    extra = read_lines("gemma3_extra.txt")
    gold = ids_lines(os.path.join(GOLD, "gemma3.ids")) + \
        ids_lines(os.path.join(GOLD, "gemma3_extra.ids"))
    items = corpus + extra
    others = {}
    for v in ("pos", "score"):
        tk = hf_own(path, v)
        others["B-" + v] = [[" ".join(map(str, x)) for x in encode(tk, s)]
                            for s in items]
    ll = ["/tmp/spm/llama.ids", "/tmp/spm/llama_extra.ids"]
    if all(os.path.exists(p) for p in ll):
        others["llama.cpp"] = ids_lines(ll[0]) + ids_lines(ll[1])
    for name, got in others.items():
        for lo, hi, what in ((0, len(corpus), "corpus.txt"),
                             (len(corpus), len(items), "gemma3_extra.txt")):
            same = [0, 0]
            diff = []
            for i in range(lo, hi):
                for ps in range(2):
                    if got[i][ps] == gold[i][ps]:
                        same[ps] += 1
                    else:
                        diff.append((i - lo + 1, ps))
            print("%-9s vs A on %-16s: %d of %d identical (off %d/%d, on "
                  "%d/%d); differ: %s" % (
                      name, what, same[0] + same[1], 2 * (hi - lo), same[0],
                      hi - lo, same[1], hi - lo,
                      " ".join("%d%s" % (ln, "+" if ps else "-")
                               for ln, ps in diff[:40])))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    path = args[0] if args else MODEL
    if "--compare" in sys.argv:
        compare(path)
        return
    tokens, types, _ = gguf_vocab(path)
    extra = extra_strings(tokens, types)
    with open(os.path.join(GOLD, "gemma3_extra.txt"), "w",
              newline="\n") as f:
        for s in extra:
            f.write(json.dumps(s, ensure_ascii=True) + "\n")
    tk = hf_gguf(path)
    write_ids(tk, read_lines("corpus.txt"), "gemma3.ids")
    write_ids(tk, extra, "gemma3_extra.ids")
    print("%d + %d strings" % (len(read_lines("corpus.txt")), len(extra)))


if __name__ == "__main__":
    main()
