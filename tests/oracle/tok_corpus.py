#!/usr/bin/env python3
"""
tok_corpus.py - the tokenizer corpus and its goldens (tests/golden/tok).

    python3 tests/oracle/tok_corpus.py [SmolLM2-135M-Instruct.Q4_1.gguf]

Writes, all deterministic (fixed seed):
  corpus.txt        one JSON string per line (ASCII, \\u escapes): the
                    test strings
  smollm.ids        per corpus line "OFF|ON": the ids Hugging Face
                    tokenizers gives with SmolLM2's vocabulary, special
                    tokens in the text not parsed (OFF) and parsed (ON),
                    no BOS/EOS (add_special_tokens=False)
  split_<v>.txt     per corpus line the lengths, in codepoints, of the
                    pre-tokenizer pieces of variant v (smollm gpt2 llama3
                    qwen2 default falcon), from the Python `regex` module
                    applied with llama.cpp's regex list for v

The HF oracle.  The GGUF was converted from SmolLM2's tokenizer.json, whose
pipeline is: no normalizer; pre_tokenizer Sequence[Digits(individual_digits
=true), ByteLevel(add_prefix_space=false, use_regex=true)]; model BPE (no
dropout, no unk_token, no byte_fallback, ignore_merges=false); decoder
ByteLevel; 17 special added tokens (ids 0-16).  The script rebuilds exactly
that tokenizers.Tokenizer from the GGUF's tokens and merges (every CONTROL
token as a special AddedToken, normalized=false), so only the HF code is
exercised, not a re-implementation.  transformers' GGUF loader is not used:
for a llama-architecture GGUF with a gpt2 tokenizer it assumes the Llama-3
pre-tokenizer, which is not SmolLM2's.  "parse_special off" is
Tokenizer.encode_special_tokens = True (special tokens are tokenized as
text); CONTROL tokens are the only added tokens in SmolLM2.

Versions of the committed files: Python 3.11.7, tokenizers 0.23.3,
regex 2026.5.9, gguf 0.19.0.  Every character of the corpus is assigned in
Unicode 14.0 (this Python's unicodedata) and has the same \\p{L} \\p{N}
\\p{P} \\s membership there, in `regex` and in libcore's tables (15.1).
"""
import json
import os
import random
import sys
import unicodedata

import regex

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                   "golden", "tok")

GPT2 = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)"
LLAMA3 = (r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|"
          r"[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|"
          r"\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2 = (r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|"
         r"[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|"
         r"\s*[\r\n]+|\s+(?!\S)|\s+")
# llama.cpp src/llama-vocab.cpp, llm_tokenizer_bpe constructor
VARIANTS = {
    "smollm": [r"\p{N}", GPT2],
    "gpt2": [GPT2],
    "llama3": [LLAMA3],
    "qwen2": [QWEN2],
    "default": [r"[\p{P}\$\+<=>\^~\|]+", GPT2, r"\p{N}+", r"[0-9][0-9][0-9]"],
    "falcon": [r"[\p{P}\$\+<=>\^~\|`]+", GPT2, r"[0-9][0-9][0-9]"],
}

CHK_TXT = ('\n \n\n \n\n\n \t \t\t \t\n  \n   \n    \n     \n\U0001f680 (normal) '
           '\U0001f636\u200d\U0001f32b\ufe0f (multiple emojis concatenated) '
           '\u2705 \U0001f999\U0001f999 3 33 333 3333 33333 333333 3333333 '
           '33333333 3.3 3..3 3...3 \u1780\u17b6\u1793\u17cb\u178f\u17c2'
           '\u1796\u17b7\u179f\u17c1\u179f\u17a2\u17b6\u1785\U0001f601 ?'
           '\u6211\u60f3\u5728apple\u5de5\u4f5c1314151\u5929\uff5e '
           '------======= \u043d\u0435\u0449\u043e \u043d\u0430 '
           '\u0411\u044a\u043b\u0433\u0430\u0440\u0441\u043a\u0438 '
           "''''''```````\"\"\"\"......!!!!!!?????? I've been 'told he's "
           "there, 'RE you sure? 'M not sure I'll make it, 'D you like some "
           "tea? We'Ve a'lL")

# llama.cpp convert_hf_to_gguf_update.py test list (MODELSPEC 3.1)
LLAMA_TESTS = [
    "ied 4 \u00bd months", "\u00c4pfel", "F\u00fchrer", "", " ", "  ", "   ",
    "\t", "\n", "\n\n", "\n\n\n", "\t\n", "Hello world", " Hello world",
    "Hello World", " Hello World", " Hello World!", "Hello, world!",
    " Hello, world!", " this is \U0001f999.cpp", "w048 7tuijk dsdfhu",
    "\u043d\u0435\u0449\u043e \u043d\u0430 \u0411\u044a\u043b\u0433\u0430"
    "\u0440\u0441\u043a\u0438",
    "\u1780\u17b6\u1793\u17cb\u178f\u17c2\u1796\u17b7\u179f\u17c1\u179f"
    "\u17a2\u17b6\u1785\u1781\u179b\u1785\u17c1\u1789",
    "\U0001f680 (normal) \U0001f636\u200d\U0001f32b\ufe0f (multiple emojis "
    "concatenated) \u2705 (only emoji that has its own token)",
    "Hello", " Hello", "  Hello", "   Hello", "    Hello",
    "    Hello\n    Hello", " (", "\n =", "' era",
    "Hello, y'all! How are you \U0001f601 ?\u6211\u60f3\u5728apple\u5de5"
    "\u4f5c1314151\u5929\uff5e",
    "!!!!!!", "3", "33", "333", "3333", "33333", "333333", "3333333",
    "33333333", "333333333", "C\u1eeda Vi\u1ec7t", " discards", CHK_TXT,
]

SENTENCES = [
    # Latin with accents
    "Le c\u0153ur d\u00e9\u00e7u mais l'\u00e2me plut\u00f4t na\u00efve, "
    "Lou\u00ffs r\u00eava d'un cr\u00e8me br\u00fbl\u00e9e.",
    "\u00bfD\u00f3nde est\u00e1 el ni\u00f1o? \u00a1Aqu\u00ed!",
    "Stra\u00dfe, \u00dcbergr\u00f6\u00dfentr\u00e4ger, \u1e9e",
    "\u0141\u00f3d\u017a, \u017b\u00f3\u0142w, \u0107ma, \u015bci\u0105\u0107",
    "\u010cesk\u00fd Krumlov, \u0159e\u0161en\u00ed, \u016f",
    "Ng\u01b0\u1eddi Vi\u1ec7t Nam n\u00f3i ti\u1ebfng Vi\u1ec7t.",
    "e\u0301 vs \u00e9 (combining vs precomposed), n\u0303, a\u0308\u0304",
    "\u00c5ngstr\u00f6m \u00e6\u00f8\u00e5 \u00c6\u00d8\u00c5 \u00fe\u00f0",
    "T\u00fcrk\u00e7e: \u0131\u015f\u0131k, \u0130stanbul, \u011f",
    # Cyrillic, Greek
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! \u041a\u0430\u043a "
    "\u0434\u0435\u043b\u0430? \u0401\u0436\u0438\u043a.",
    "\u0393\u03b5\u03b9\u03ac \u03c3\u03bf\u03c5 \u039a\u03cc\u03c3\u03bc\u03b5! "
    "\u03b1\u03b2\u03b3 \u0394\u03b4 \u03c2\u03c3",
    # Arabic, Hebrew
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645 "
    "\u0661\u0662\u0663 \u0627\u0644\u0639\u064e\u0631\u064e\u0628\u0650\u064a"
    "\u0651\u0629",
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd! \u05d0\u05b8\u05d1\u05b4"
    "\u05d9",
    # Devanagari, Bengali, Tamil
    "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e "
    "\u0967\u0968\u0969 \u0915\u094d\u0937",
    "\u0986\u09ae\u09bf \u09ac\u09be\u0982\u09b2\u09be\u09af\u09bc \u0997\u09be"
    "\u09a8 \u0997\u09be\u0987",
    "\u0bb5\u0ba3\u0b95\u0bcd\u0b95\u0bae\u0bcd \u0b89\u0bb2\u0b95\u0bae\u0bcd",
    # Thai, Khmer, Lao, Myanmar
    "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a \u0e20\u0e32"
    "\u0e29\u0e32\u0e44\u0e17\u0e22 \u0e51\u0e52\u0e53",
    "\u1787\u17c6\u179a\u17b6\u1794\u179f\u17bd\u179a \u1797\u17b6\u179f\u17b6"
    "\u1781\u17d2\u1798\u17c2\u179a \u17e1\u17e2\u17e3",
    "\u0eaa\u0eb0\u0e9a\u0eb2\u0e8d\u0e94\u0eb5 \u1019\u1004\u103a\u1039\u1002"
    "\u101c\u102c\u1015\u102b",
    # CJK, Hangul, Japanese
    "\u4f60\u597d\uff0c\u4e16\u754c\uff01\u6211\u7231\u5317\u4eac\u5929\u5b89"
    "\u95e8\u3002",
    "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3001\u3072\u3089\u304c"
    "\u306a\u3068\u30ab\u30bf\u30ab\u30ca\u3002\uff11\uff12\uff13",
    "\ud55c\uad6d\uc5b4 \ud14c\uc2a4\ud2b8\uc785\ub2c8\ub2e4. \u1100\u1161"
    "\u11a8",
    "\u3000\u5168\u89d2\u7a7a\u767d\u3000\u3000\u3068\u534a\u89d2 space",
    # emoji
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 family, "
    "\U0001f3f3\ufe0f\u200d\U0001f308 flag, \U0001f1ef\U0001f1f5\U0001f1fa"
    "\U0001f1f8 flags",
    "\U0001f44d\U0001f3fd thumbs, \u2764\ufe0f heart, 1\ufe0f\u20e3 keycap, "
    "\U0001f9d1\u200d\U0001f4bb coder",
    "\U0001f600\U0001f603\U0001f604\U0001f601\U0001f606\U0001f605\U0001f923"
    "\U0001f602",
    # whitespace
    "a\u00a0b\u00a0\u00a0c", "tab\there\t\tand\t\t\tthere",
    "line1\r\nline2\rline3\nline4", "   leading and trailing   ",
    "\u2028line sep\u2029para sep\u0085nel", "a\u2003b\u2009c\u202fd\u205fe",
    "\v\f mixed \v\f", "x \n y \r\n z \t\n w", "  \n\n  \t  \r\n\r\n  end",
    "\u1680ogham\u1680space", "word\u200bzero\u200bwidth\ufeffbom",
    # digits and numbers
    "1234567890", "3.14159265358979323846", "1,000,000.00 and 1.000.000,00",
    "-42 +7 0x1F 0b1010 1e-9 6.02e23", "\u0661\u0662\u0663\u0664 \u0966\u0967"
    "\u0968 \u2460\u2461\u2462 \u00b2\u00b3\u00b9 \u2153 \u216b",
    "Phone: +1 (555) 123-4567, ZIP 90210-1234",
    "99999999999999999999999999999999999999999999",
    # code
    "def f(x):\n    return x ** 2  # square\n",
    "int main(void) {\n\tprintf(\"%d\\n\", 42);\n\treturn 0;\n}\n",
    "for (let i = 0; i < n; i++) { console.log(`i=${i}`); }",
    "fn main() -> Result<(), Box<dyn Error>> { Ok(()) }",
    "SELECT name, COUNT(*) FROM users WHERE age >= 18 GROUP BY name;",
    "#!/bin/sh\nset -eu\nfor f in *.c; do cc -c \"$f\" || exit 1; done\n",
    "<div class=\"x\">&amp; &lt;tag&gt;</div>",
    "if x != y && a <= b || !c { return -1 }",
    "    if (a) {\n        b();\n    }\n    else {\n        c();\n    }",
    "lambda x: x['key'] if x else None  # it's",
    # URLs, JSON
    "https://example.com/path/to/page?query=1&lang=en#section",
    "mailto:someone@example.org ftp://ftp.example.net/pub/file.tar.gz",
    "{\"name\": \"Alice\", \"age\": 30, \"tags\": [\"a\", \"b\"], \"ok\": true}",
    "[{\"id\":1,\"v\":null},{\"id\":2,\"v\":-3.5e+2}]",
    # contractions
    "I'm you're we've they'll she'd it's don't",
    "I'M YOU'RE WE'VE THEY'LL SHE'D IT'S DON'T",
    "I'm YOU'Re we'VE they'Ll she'D It'S",
    "'s 't 're 've 'm 'll 'd 'S 'T 'RE 'VE 'M 'LL 'D",
    "''s '''t rock'n'roll o'clock ma'am y'all'd've",
    "\u2019s curly \u2018quote\u2019 vs 's straight",
    # special tokens in text
    "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi"
    "<|im_end|>\n<|im_start|>assistant\n",
    "text<|endoftext|>more text", "<|im_start|><|im_end|><|endoftext|>",
    "a<|im_start|", "<|im_end|>>", "<<|im_end|>", "<|im_end|><|im_end|>",
    " <|im_start|> spaced <|im_end|> ", "<|endoftext|>\n\n<|endoftext|>",
    "<file_sep><filename>x.py<gh_stars>10<issue_start>",
    "<jupyter_start><jupyter_code>print(1)<jupyter_output>1<empty_output>",
    "<|IM_END|> <|im end|> <|im_end| >",
    # control characters
    "\x00", "a\x00b", "\x01\x02\x03\x1b[31mred\x1b[0m\x7f",
    "\x1c\x1d\x1e\x1f separators",
]

# character pools for the random strings
POOLS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "0123456789",
    " " * 8 + "\t\n\r\u00a0\u3000\u2003\u000b\u000c\u0085\u2028",
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    "'sStTrReEvVmMlLdD",
    "\u00e0\u00e9\u00ee\u00f5\u00fc\u00df\u00e7\u00f1\u00c5\u00d8\u0153\u0142"
    "\u0107\u017e\u0219\u0163\u1ea1\u1ec7\u01b0",
    "\u0301\u0308\u0303\u0327\u0323\u064e\u05b8\u093f\u0e31\u17b6\u20e3\ufe0f"
    "\u200d",
    "\u0430\u0431\u0432\u0433\u0434\u0435\u0436\u0410\u0411\u0416\u044f\u0451",
    "\u03b1\u03b2\u03b3\u03b4\u0394\u03a9\u03c2",
    "\u0627\u0628\u062a\u0645\u0644\u0661\u0662\u05d0\u05d1\u05e9",
    "\u0915\u0916\u0917\u094d\u0966\u0967\u0e01\u0e02\u0e51\u1780\u1781\u17e1",
    "\u4e00\u4e8c\u4e09\u4f60\u597d\u5b57\u3042\u3044\u30a2\u30a4\uac00\ud55c",
    "\uff01\uff1f\u3001\u3002\uff08\uff09\u300c\u300d\u2014\u2026\u00ab\u00bb"
    "\u00bf\u00a1",
    "\U0001f600\U0001f680\U0001f999\U0001f468\U0001f469\U0001f1ef\U0001f1f5"
    "\u2764\u2705\U0001f3fd",
    "\u00bd\u00b2\u2460\u216b\u2153\uff11\u0663\u09e6",
    "$\u20ac\u00a3\u00a5\u00a9\u00ae\u2122\u00b0\u00b1\u00d7\u00f7\u221e\u2248"
    "\u2260",
    "\x00\x01\x1f\x7f\u200b\ufeff\u00ad",
]

SPECIALS = ["<|im_start|>", "<|im_end|>", "<|endoftext|>", "<file_sep>"]


def consistent(ch):
    """Same classes in unicodedata, regex and libcore's tables."""
    cat = unicodedata.category(ch)
    if cat in ("Cn", "Cs"):
        return False
    for prop, cats in (("L", "L"), ("N", "N"), ("P", "P")):
        if bool(regex.match(r"\p{%s}" % prop, ch)) != cat.startswith(cats):
            return False
    return True


def random_strings(rng):
    out = []
    for i in range(760):
        n = rng.choice([1, 2, 3, 5, 8, 13, 21, 34, 55, 89])
        npools = rng.choice([1, 2, 3, len(POOLS)])
        pools = rng.sample(POOLS, npools)
        s = "".join(rng.choice(rng.choice(pools)) for _ in range(n))
        if i % 9 == 0:
            k = rng.randrange(len(s) + 1)
            s = s[:k] + rng.choice(SPECIALS) + s[k:]
        out.append(s)
    # random assigned BMP and astral codepoints
    for i in range(120):
        cs = []
        while len(cs) < rng.choice([1, 4, 16]):
            c = chr(rng.randrange(0x20, 0x30000))
            if consistent(c):
                cs.append(c)
        out.append("".join(cs))
    return out


def long_strings(rng):
    words = "the quick brown fox jumps over lazy dog 123 4567 ! ? ... \n".split(" ")
    s1 = " ".join(rng.choice(words) for _ in range(3000))
    s2 = "".join(rng.choice(POOLS[rng.randrange(len(POOLS))])
                 for _ in range(5000))
    s3 = "a" * 4000
    s4 = " " * 1000 + "x" + "\n" * 500 + "9" * 777
    s5 = "\U0001f600" * 600 + "\u4f60\u597d" * 500
    return [s1, s2, s3, s4, s5]


def corpus():
    rng = random.Random(20260517)
    items = LLAMA_TESTS + SENTENCES
    # every sentence also with a leading space and embedded in a special
    items += [" " + s for s in SENTENCES[:60]]
    items += ["<|im_start|>" + s + "<|im_end|>" for s in SENTENCES[:40]]
    items += random_strings(rng)
    items += long_strings(rng)
    for s in items:
        for ch in s:
            assert consistent(ch), hex(ord(ch))
    return items


def split(s, pats):
    pieces = [s]
    for p in pats:
        new = []
        for w in pieces:
            prev = 0
            for m in regex.finditer(p, w):
                assert m.end() > m.start()
                if m.start() > prev:
                    new.append(w[prev:m.start()])
                new.append(m.group())
                prev = m.end()
            if prev < len(w):
                new.append(w[prev:])
        pieces = new
    return pieces


def hf_tokenizer(path):
    import gguf
    from tokenizers import AddedToken, Tokenizer, decoders, models
    from tokenizers import pre_tokenizers

    r = gguf.GGUFReader(path)
    tokens = r.fields["tokenizer.ggml.tokens"].contents()
    types = r.fields["tokenizer.ggml.token_type"].contents()
    merges = r.fields["tokenizer.ggml.merges"].contents()
    assert r.fields["tokenizer.ggml.pre"].contents() == "smollm"
    vocab = {t: i for i, t in enumerate(tokens)}
    pairs = []
    for m in merges:
        k = m.index(" ", 1)
        pairs.append((m[:k], m[k + 1:]))
    bpe = models.BPE(vocab=vocab, merges=pairs, dropout=None, unk_token=None,
                     fuse_unk=False, byte_fallback=False, ignore_merges=False)
    tk = Tokenizer(bpe)
    tk.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True,
                                 use_regex=True)])
    tk.decoder = decoders.ByteLevel()
    specials = [AddedToken(t, special=True, normalized=False)
                for t, ty in zip(tokens, types) if ty == 3]
    assert len(specials) == 17
    tk.add_special_tokens(specials)
    for t, ty in zip(tokens, types):
        if ty == 3:
            assert tk.token_to_id(t) == vocab[t]
    return tk


def main():
    items = corpus()
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "corpus.txt"), "w", newline="\n") as f:
        for s in items:
            f.write(json.dumps(s, ensure_ascii=True) + "\n")
    for v, pats in VARIANTS.items():
        with open(os.path.join(OUT, "split_%s.txt" % v), "w",
                  newline="\n") as f:
            for s in items:
                f.write(" ".join(str(len(p)) for p in split(s, pats)) + "\n")
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser(
        "~/.cache/llmutils/models/SmolLM2-135M-Instruct.Q4_1.gguf")
    tk = hf_tokenizer(path)
    with open(os.path.join(OUT, "smollm.ids"), "w", newline="\n") as f:
        for s in items:
            tk.encode_special_tokens = True
            off = tk.encode(s, add_special_tokens=False).ids
            tk.encode_special_tokens = False
            on = tk.encode(s, add_special_tokens=False).ids
            # the oracle round-trips too, except for bytes that have no
            # token in SmolLM2's vocabulary (0x04 0x06 0x13 0x14 0x16 0x1d
            # 0xc0 0xc1 0xf1 0xf2 0xf5-0xff): BPE without unk drops them
            d = tk.decode(off, skip_special_tokens=False)
            assert d == s or any(ord(c) in (4, 6, 0x13, 0x14, 0x16, 0x1d)
                                 for c in s), repr(s)
            f.write(" ".join(map(str, off)) + "|" + " ".join(map(str, on))
                    + "\n")
    print("%d strings" % len(items))


if __name__ == "__main__":
    main()
