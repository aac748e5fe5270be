#!/usr/bin/env python3
"""A GGUF's header alone, and a file of that header with made-up tensor
data: the same model (metadata, tokenizer, tensor names, shapes and
types) at the same size, for speed measurements where the real file
cannot travel (the GPU machines of bench/vk-device.sh take 64 MiB).

usage: gguf_skeleton.py head SRC.gguf OUT.head   header bytes (up to the
                                                 aligned data offset) +
                                                 the file's size (8 bytes)
       gguf_skeleton.py fill IN.head OUT.gguf    the header, then random
                                                 bytes to the size

The data bytes are uniform in [0, 0x3c), so every float16 or float32
they make (block scales included) is finite and below 1 in magnitude;
the text such a model writes is noise.  Only the header is parsed
(GGUF v2/v3, little-endian).
"""
import struct
import sys

import numpy as np

# value type -> struct format of a scalar (8: string, 9: array)
SCALAR = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?",
          10: "Q", 11: "q", 12: "d"}


class Reader:
    def __init__(self, f):
        self.f = f

    def take(self, fmt):
        n = struct.calcsize("<" + fmt)
        b = self.f.read(n)
        if len(b) != n:
            sys.exit("gguf_skeleton: truncated header")
        return struct.unpack("<" + fmt, b)[0]

    def string(self):
        n = self.take("Q")
        return self.f.read(n).decode("utf-8", "replace")

    def value(self, t):
        if t == 8:
            return self.string()
        if t == 9:
            et, n = self.take("I"), self.take("Q")
            if et in SCALAR:
                self.f.seek(n * struct.calcsize("<" + SCALAR[et]), 1)
                return None
            return [self.value(et) for _ in range(n)]
        if t not in SCALAR:
            sys.exit("gguf_skeleton: value type %d" % t)
        return self.take(SCALAR[t])


def data_offset(path):
    with open(path, "rb") as f:
        r = Reader(f)
        if f.read(4) != b"GGUF":
            sys.exit("gguf_skeleton: %s: not a GGUF file" % path)
        ver = r.take("I")
        if ver not in (2, 3):
            sys.exit("gguf_skeleton: %s: version %d" % (path, ver))
        nt, nkv = r.take("Q"), r.take("Q")
        align = 32
        for _ in range(nkv):
            key, t = r.string(), r.take("I")
            v = r.value(t)
            if key == "general.alignment":
                align = v
        for _ in range(nt):
            r.string()
            nd = r.take("I")
            f.seek(8 * nd + 4 + 8, 1)
        pos = f.tell()
        return pos + (-pos % align)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("head", "fill"):
        sys.exit(__doc__.split("\n\n")[1])
    if sys.argv[1] == "head":
        src, out = sys.argv[2], sys.argv[3]
        off = data_offset(src)
        with open(src, "rb") as f:
            head = f.read(off)
            f.seek(0, 2)
            size = f.tell()
        with open(out, "wb") as f:
            f.write(head)
            f.write(struct.pack("<Q", size))
        return
    src, out = sys.argv[2], sys.argv[3]
    with open(src, "rb") as f:
        blob = f.read()
    head, size = blob[:-8], struct.unpack("<Q", blob[-8:])[0]
    rng = np.random.default_rng(1)
    block = rng.integers(0, 0x3C, size=1 << 24, dtype=np.uint8).tobytes()
    with open(out, "wb") as f:
        f.write(head)
        left = size - len(head)
        while left > 0:
            m = min(left, len(block))
            f.write(block[:m])
            left -= m


if __name__ == "__main__":
    main()
