#!/usr/bin/env python3
"""
tok_gen_nfd.py - generate libcore/tok/unicode_nfd.c, the character data
of BERT's normalizer and pre-tokenizer (libcore/tok/wordpiece.c).

    /tmp/hfvenv/bin/python tests/oracle/tok_gen_nfd.py \
        > libcore/tok/unicode_nfd.c

Hugging Face tokenizers (Rust) takes its character facts from three
places, of three Unicode versions, and no Python unicodedata has all of
them:
  - general categories (is_other for clean_text, is_mark_nonspacing for
    strip_accents, is_punctuation for BertPreTokenizer) from the
    unicode_categories crate: Unicode 8.0 tables;
  - NFD from unicode-normalization-alignments;
  - lower-casing from Rust's char::to_lowercase (Unicode 16 in the
    compiler that built tokenizers 0.23.3), which can give several
    characters (U+0130 -> i U+0307);
  - char::is_whitespace (White_Space).
So each table is read off the tokenizers library itself, one codepoint
at a time through its normalizers and pre-tokenizer, and cross-checked
against unicodedata (the differences are counted on stderr).  The
canonical combining classes, which no normalizer shows alone, come from
unicodedata (its version is written into the output).

The whole pipeline the tables describe (clean_text, Chinese characters
padded with spaces, NFD with canonical reordering, Mn removed,
lower-casing) is re-run here on every codepoint and checked against
BertNormalizer(True, True, True, True) before anything is written.
"""
import sys
import unicodedata

from tokenizers import normalizers
from tokenizers.pre_tokenizers import BertPreTokenizer

REMOVE, SPACE, CJK, PUNCT, MN, WS = 1, 2, 4, 8, 16, 32

clean = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False,
                                   strip_accents=False, lowercase=False)
chin = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=True,
                                  strip_accents=False, lowercase=False)
strip = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False,
                                   strip_accents=True, lowercase=False)
full = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True,
                                  strip_accents=True, lowercase=True)
nfd = normalizers.NFD()
low = normalizers.Lowercase()
pre = BertPreTokenizer()

N = 0x110000
flags = [0] * N
dec = {}
lower = {}
ccc = [0] * N
for cp in range(N):
    if 0xD800 <= cp < 0xE000:
        flags[cp] = REMOVE		# never met: UTF-8 has no surrogates
        continue
    c = chr(cp)
    f = 0
    s = clean.normalize_str(c)
    if s == '':
        f |= REMOVE
    elif s == ' ' and c != ' ':
        f |= SPACE
    if chin.normalize_str(c) == ' ' + c + ' ':
        f |= CJK
    d = nfd.normalize_str(c)
    if d != c:
        dec[cp] = [ord(x) for x in d]
    elif strip.normalize_str(c) == '':
        f |= MN
    lo = low.normalize_str(c)
    if lo != c:
        lower[cp] = [ord(x) for x in lo]
    p = [w for w, _ in pre.pre_tokenize_str('a' + c + 'a')]
    if p == ['a', 'a']:
        f |= WS
    elif p == ['a', c, 'a']:
        f |= PUNCT
    elif p != ['a' + c + 'a']:
        sys.exit('U+%04X: pre-tokenizer gives %r' % (cp, p))
    flags[cp] = f
    ccc[cp] = unicodedata.combining(c)


def pipeline(cp):
    """The C code's steps for one codepoint."""
    f = flags[cp]
    if f & REMOVE:
        return ''
    if f & SPACE:
        return ' '
    seq = dec.get(cp, [cp])
    # canonical ordering (stable by ccc within runs of non-starters)
    out, run = [], []
    for x in seq:
        if ccc[x] == 0:
            out += sorted(run, key=lambda y: ccc[y])
            run = []
            out.append(x)
        else:
            run.append(x)
    out += sorted(run, key=lambda y: ccc[y])
    s = ''.join(''.join(chr(y) for y in lower.get(x, [x]))
                for x in out if not flags[x] & MN)
    return ' ' + s + ' ' if f & CJK else s


bad = 0
for cp in range(N):
    if 0xD800 <= cp < 0xE000:
        continue
    if pipeline(cp) != full.normalize_str(chr(cp)):
        bad += 1
        print('U+%04X: %r != %r' % (cp, pipeline(cp),
              full.normalize_str(chr(cp))), file=sys.stderr)
if bad:
    sys.exit('%d codepoints differ' % bad)

# cross-checks against unicodedata, for the record
nmn = sum(1 for cp in range(N) if (flags[cp] & MN) !=
          (MN if unicodedata.category(chr(cp)) == 'Mn' and cp not in dec
           else 0))
nlo = sum(1 for cp in range(N) if not 0xD800 <= cp < 0xE000 and
          chr(cp).lower() != ''.join(chr(y) for y in lower.get(cp, [cp])))
nnfd = sum(1 for cp in range(N) if not 0xD800 <= cp < 0xE000 and
           unicodedata.normalize('NFD', chr(cp)) !=
           ''.join(chr(y) for y in dec.get(cp, [cp])))
print('unicodedata %s differs: Mn %d, lower %d, NFD %d codepoints' %
      (unicodedata.unidata_version, nmn, nlo, nnfd), file=sys.stderr)


def ranges(vals):
    r = []
    for cp in range(N):
        if cp == 0 or vals[cp] != vals[cp - 1]:
            r.append((cp, vals[cp]))
    return r


def emit_ranges(name, r):
    print('const uint32_t %s[] = {' % name)
    line = '\t'
    for cp, v in r:
        item = '0x%06x%02x,' % (cp, v)
        if len(line) + len(item) + 1 > 72:
            print(line.rstrip())
            line = '\t'
        line += item + ' '
    print(line.rstrip())
    print('};')
    print('const size_t %s_n = sizeof(%s) / sizeof(%s[0]);\n' %
          (name, name, name))


def emit_map(name, m):
    # Hangul syllables decompose by rule (wordpiece.c)
    keys = sorted(k for k in m if not 0xAC00 <= k <= 0xD7A3)
    pool = []
    print('const uint32_t %s_key[] = {' % name)
    idx = []
    for k in keys:
        idx.append((len(pool), len(m[k])))
        pool += m[k]
    line = '\t'
    for i, k in enumerate(keys):
        item = '0x%06x,' % k
        if len(line) + len(item) + 1 > 72:
            print(line.rstrip())
            line = '\t'
        line += item + ' '
    print(line.rstrip())
    print('};')
    print('const uint32_t %s_at[] = {\t/* offset << 2 | length - 1 */' % name)
    line = '\t'
    for off, n in idx:
        assert 1 <= n <= 4
        item = '%d,' % (off << 2 | (n - 1))
        if len(line) + len(item) + 1 > 72:
            print(line.rstrip())
            line = '\t'
        line += item + ' '
    print(line.rstrip())
    print('};')
    print('const uint32_t %s_pool[] = {' % name)
    line = '\t'
    for v in pool:
        item = '0x%x,' % v
        if len(line) + len(item) + 1 > 72:
            print(line.rstrip())
            line = '\t'
        line += item + ' '
    print(line.rstrip())
    print('};')
    print('const size_t %s_n = %d;\n' % (name, len(keys)))


for k in range(0xAC00, 0xD7A4):
    s = k - 0xAC00
    l = [0x1100 + s // 588, 0x1161 + (s % 588) // 28]
    if s % 28:
        l.append(0x11A7 + s % 28)
    assert dec[k] == l, hex(k)

import tokenizers
print('/*')
print(' * unicode_nfd.c - generated by tests/oracle/tok_gen_nfd.py from')
print(' * Hugging Face tokenizers %s (BertNormalizer, NFD, Lowercase,' %
      tokenizers.__version__)
print(' * BertPreTokenizer, one codepoint at a time); canonical combining')
print(' * classes from Python unicodedata %s.  Do not edit.' %
      unicodedata.unidata_version)
print(' */')
print('#include "tok_impl.h"\n')
print('const char lc_bert_version[] = "tokenizers %s, ccc %s";\n' %
      (tokenizers.__version__, unicodedata.unidata_version))
print('/* start << 8 | LC_BERT_* flags */')
emit_ranges('lc_bert_ranges', ranges(flags))
print('/* start << 8 | canonical combining class */')
emit_ranges('lc_bert_ccc', ranges(ccc))
print('/* canonical decompositions (full, ordered) */')
emit_map('lc_bert_nfd', dec)
print('/* lower-casing (char::to_lowercase) */')
emit_map('lc_bert_lower', lower)
