#!/usr/bin/env python3
"""
tok_wordpiece.py - goldens for the WordPiece tokenizer (BERT), from
Hugging Face tokenizers with all-MiniLM-L6-v2's tokenizer.json:

    /tmp/hfvenv/bin/python tests/oracle/tok_wordpiece.py \
        [~/.cache/llmutils/models/all-MiniLM-L6-v2/tokenizer.json]

Writes, all deterministic (fixed seed), into tests/golden/tok:
  minilm.ids          ids of each line of corpus.txt, add_special_tokens
                      on ([CLS] ... [SEP]), space-separated
  minilm.dec          decode(ids, skip_special_tokens=True) of each, one
                      JSON string per line
  minilm_extra.txt    strings aimed at BERT's normalizer, pre-tokenizer
                      and WordPiece (one JSON string per line)
  minilm_extra.ids, minilm_extra.dec   the same for them

Only Tokenizer.encode(s).ids and Tokenizer.decode() are used: offsets
are not needed by the embedding command and are not checked.
"""
import json
import os
import random
import sys

from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
GOLD = os.path.join(HERE, '..', 'golden', 'tok')

HAND = [
    # accents, many scripts
    "Café déjà vu, naïve façade, Ångström, Øresund, Æsir",
    "Tiếng Việt có dấu: Nguyễn Thị Minh Khai, Hà Nội, Đà Nẵng, ở đây",
    "Tie\u0302\u0301ng Vie\u0323\u0302t (decomposed)",
    "a\u0323\u0302 a\u0302\u0323 \u1ead",
    "Ελληνικά: Ἀθῆναι, ΆΈΉΊΌΎΏ ΐΰ, ΣΊΣΥΦΟΣ, ὅτι ᾳ ᾼ",
    "Русский: ЁЛКА Ёжик й Й ї Ї ґ Ґ",
    "Straße STRASSE ẞ ß, İstanbul ıi İI, ﬁnal ﬂow ﬀ ﬃ ﬄ ﬅ ﬆ",
    "Ǆ ǅ ǆ Ǉ ǈ ǉ ǲ, K Ω Å ℃ ℉ Ⅻ ⓐ Ⓐ",
    "ԱՐՄԵՆԻԱ ﬓ ﬔ, ᏣᎳᎩ ꭰ, Ა Ბ Გ (Mtavruli), ⰀⰁ, 𐐀𐐁 𐐨",
    "Ᲊ ᲊ Ꟑ ꟑ Ꟛ ꟛ \u1c89 \ua7cb \ua7cc",
    "Türkçe: ÇĞİÖŞÜ çğıöşü, Polski: ŁÓDŹ Żółć, Čeština: ŘÍZEK",
    "Română: Ș ș Ț ț Ş ş, Íslenska: Þór ð, Dansk: Æ Ø Å",
    "עברית: שָׁלוֹם, العربية: مَرْحَبًا بِكُمْ, فارسی: سلام",
    "हिन्दी: नमस्ते क़ ख़ ग़, বাংলা: আমার সোনার, தமிழ்: வணக்கம்",
    "ไทย: สวัสดีครับ, ລາວ: ສະບາຍດີ, ខ្មែរ: សួស្តី, မြန်မာ",
    "한국어: 안녕하세요 한글 각 갂 힣, 각",
    "日本語: こんにちは、カタカナ、ｶﾀｶﾅ、漢字です。",
    "中文：我想在apple工作1314151天～ 你好世界!Hello世界",
    "混合mixed中文和English和123数字",
    "𠀀𠀁𪜀𫝀𫠠𬺰 CJK ext B-F, 豈 更 (compat) 丽 (compat sup)",
    "\u4e00\u9fff\u3400\u4dbf\u2b820\u2ceaf\u2cea1\u30000 \u2e80 \u2f00 \u3007",
    # punctuation of all kinds
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    "a!b\"c#d$e%f&g'h(i)j*k+l,m-n.o/p:q;r<s=t>u?v@w[x\\y]z^_`{|}~",
    "«guillemets» „Anführung“ ‚einfach‘ ‹x› “quotes” ‘single’",
    "dashes – — ― ‐ ‑ ‒ ⸺ ⸻ 〜 ～ ellipsis … ‥ · • ‣ ※ § ¶ † ‡",
    "¿Qué? ¡Sí! ،؛؟ ۔ । ॥ ። ፣ 、。「」『』【】〈〉《》〔〕",
    "€100 £50 ¥1000 ₹ ₽ ¢ $5 ∑∫√∞≈≠≤≥ ± × ÷ ° ′ ″ ‰ ‱",
    "emoji 😀😃😄 👍🏽 👨‍👩‍👧‍👦 🇺🇸 🏳️‍🌈 ❤️ ☺︎ 🥰 🫠 🦙",
    "ＡＢＣ ａｂｃ １２３ ！＂＃＄％ （） ［］ ｛｝ ～ ＿",
    "\x00a\x01b\x02c\x03d\x1fe\x7ff\x85g\x9fh",
    "soft\u00adhyphen zero\u200bwidth join\u200dner bom\ufeffx lrm\u200e",
    "tab\there\nnew\rline\x0bvt\x0cff\u2028ls\u2029ps\u00a0nbsp\u3000ideo",
    "\ufffd replacement \ufffdx y\ufffd",
    "private \ue000\uf8ff \U000f0000 unassigned \U000e0080 \u0378",
    "combining alone: \u0301 \u0308x x\u0308 \u20dd \u0489 \u1ab0 \ufe20",
    "Mc marks: \u0903 \u093e \u302e\u302f \U0001d165\U0001d16d\U0001d16e",
    "\U0001d15f \U0001d160 \U0001d1bb (musical, decomposing)",
    "Arabic new marks: \u08d4\u08e2 \u08d3 \u0898 \u07fd \u1885\u1886",
    "[CLS] [SEP] [MASK] [UNK] [PAD] text [unused0] [unused99]",
    "x[CLS]y [cls] [Cls] [SEP][SEP]",
    "a" * 100, "a" * 101, "é" * 100 + " " + "é" * 101,
    "supercalifragilisticexpialidocious" * 3,
    "x" * 99 + "\u0301" * 10,
    "pneumonoultramicroscopicsilicovolcanoconiosis antidisestablishment",
    "unaffable unbelievable tokenization WordPiece BERT's don't won't",
    "I'm you're he's we've they'll I'd can't shouldn't y'all",
    "https://example.com/path?q=1&r=2#frag user@example.org 192.168.0.1",
    "3.14159 1,000,000 1e-10 0x1F 50% -5 +7 10:30am 2024-01-31",
    "def f(x):\n    return x**2 + 1  # comment\n",
    "{\"key\": [1, 2, {\"nested\": null}], 'a': True}",
    "   leading and trailing   ", "", " ", "\n\n\t",
    "ǰ ǰ ΐ ŉ ẖ ẗ ẘ ẙ ẚ ﬀ ﬖ ᾀ ᾈ ῳ ῼ",
    "Ａ\u0301 Ｅ\u0308 ﬁ\u0301 ß\u0323",
    "ﾊﾟ ﾊﾞ パ バ が か\u3099 は\u309a",
    "Ｉ İ\u0307 I\u0307 i\u0307",
    "Ꙋ ꙋ Ꙋ ᲈ ᴀ ᵃ ₐ ª º ⁿ",
    "Ⅰ Ⅱ Ⅲ ⅰ ⅱ ↀ Ⓐ ⓐ 🄰 🅐",
    "ǅungla ǈubljana ǋjegoš",
    "mathematical 𝐀𝐁𝐂 𝑎𝑏𝑐 𝔄𝔅 𝕬 𝖆",
]

SCRIPTS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞŸ",
    "ăắằẳẵặâấầẩẫậđêếềểễệôốồổỗộơớờởỡợưứừửữựĂẮẰẲẴẶÂẤẦẨẪẬĐÊẾỀỂỄỆƠỚỜỞỠỢƯỨỪỬỮỰ",
    "αβγδεζηθικλμνξοπρστυφχψωάέήίόύώϊϋΐΰΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩΆΈΉΊΌΎΏς",
    "абвгдежзийклмнопрстуфхцчшщъыьэюяёАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯЁїієґ",
    "ßẞİıﬁﬂﬀﬃﬄǄǅǆǇǈǉǊǋǌǱǲǳΣσςKΩÅℓ№™",
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长",
    "あいうえおかきくけこがぎぐげごさしすせそアイウエオカキクケコガギグゲゴパピプペポー",
    "가나다라마바사아자차카타파하한글안녕세요감사합니다",
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~¡¿«»–—‘’“”…·•§¶†‡※、。「」【】〈〉《》！？：；（）",
    "😀😃😄😁🤣🥰🫠👍🏽🦙🚀❤️✅🇺🇸\u200d\ufe0f",
    "\u0300\u0301\u0302\u0303\u0308\u030a\u0323\u0327\u0328\u0331\u20dd\u0489\u0903\u093e\u0e31\u0e34\u0e47",
    "\x00\x01\x07\x08\x1b\x7f\x85\u00ad\u200b\u200c\u200d\u200e\u2060\ufeff\ufffd",
    " \t\n\r\u00a0\u2000\u2003\u2009\u3000\u2028\u1680",
    "ＡＢＣＤＥＦａｂｃｄｅｆ０１２３４５６７８９！＃％＆",
    "אבגדהוזחטיכלמנסעפצקרשת" + "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "अआइईउऊएऐओऔकखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसह्ािीुूेैोौं",
]


def extra_strings():
    rng = random.Random(20260602)
    out = list(HAND)
    # random mixtures, short words to long runs
    for i in range(600):
        k = rng.choice([1, 1, 2, 3])
        pools = [rng.choice(SCRIPTS) for _ in range(k)]
        n = rng.choice([1, 3, 8, 20, 60, 120])
        s = ''.join(rng.choice(rng.choice(pools)) for _ in range(n))
        out.append(s)
    # words near max_input_chars_per_word
    for n in (98, 99, 100, 101, 102, 150):
        for pool in (SCRIPTS[0], SCRIPTS[1], SCRIPTS[2]):
            out.append(' '.join(''.join(rng.choice(pool) for _ in
                       range(n)) for _ in range(2)))
    # vocabulary words glued together (deep WordPiece splits)
    words = ["token", "ization", "un", "believ", "able", "play", "ing",
             "ed", "s", "re", "pre", "post", "##", "#", "embed", "ding"]
    for i in range(60):
        out.append(''.join(rng.choice(words) for _ in
                   range(rng.randint(2, 12))))
    return out


def read_strings(path):
    with open(path, encoding='utf-8') as f:
        return [json.loads(line) for line in f]


def write(tk, strings, stem):
    with open(os.path.join(GOLD, stem + '.ids'), 'w') as f, \
            open(os.path.join(GOLD, stem + '.dec'), 'w') as g:
        for s in strings:
            ids = tk.encode(s).ids
            f.write(' '.join(map(str, ids)) + '\n')
            g.write(json.dumps(tk.decode(ids, skip_special_tokens=True)) +
                    '\n')


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser(
        '~/.cache/llmutils/models/all-MiniLM-L6-v2/tokenizer.json')
    tk = Tokenizer.from_file(path)
    tk.no_truncation()
    tk.no_padding()
    corpus = read_strings(os.path.join(GOLD, 'corpus.txt'))
    write(tk, corpus, 'minilm')
    extra = extra_strings()
    with open(os.path.join(GOLD, 'minilm_extra.txt'), 'w') as f:
        for s in extra:
            f.write(json.dumps(s) + '\n')
    write(tk, extra, 'minilm_extra')
    print('%d corpus strings, %d extra strings' % (len(corpus), len(extra)))


if __name__ == '__main__':
    main()
