#!/usr/bin/env python3
"""Golden dequantization of the real test models, by the gguf Python package.

For every tensor of each GGUF model: name, dtype, element count and the
sha256 of its dequantized values as little-endian float32, in file order.
tests/unit/t_models.c dequantizes with libcore and compares.

usage: dequant_models.py MODELS_DIR OUT_DIR
"""
import hashlib
import sys

import numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize

MODELS = ["SmolLM2-135M-Instruct.Q4_1.gguf", "gemma-3-270m-q4_k_m.gguf"]


def main():
    src, out = sys.argv[1], sys.argv[2]
    for m in MODELS:
        r = GGUFReader(f"{src}/{m}")
        with open(f"{out}/{m}.dequant.tsv", "w") as fp:
            fp.write("# tensor\tdtype\tn\tsha256(f32 LE) -- gguf-py dequantize\n")
            for t in r.tensors:
                v = dequantize(t.data, t.tensor_type).astype("<f4", copy=False)
                v = np.ascontiguousarray(v).reshape(-1)
                h = hashlib.sha256(v.tobytes()).hexdigest()
                fp.write(f"{t.name}\t{t.tensor_type.name.lower()}\t{v.size}\t{h}\n")
        print(m, len(r.tensors), "tensors")


if __name__ == "__main__":
    main()
