#!/usr/bin/env python3
"""quant_golden.py - write the dequantization goldens and the quantizer
input under tests/golden/quant/ (run from the repository root).

For every type: <type>.blocks holds deterministic random blocks (random
bytes, with finite f16/f32 values in the scale fields) and <type>.f32
the float32 values gguf-py's gguf.quants.dequantize() makes of them.
gguf-py has no Q8_1 or Q8_K dequantizer; for those two the .f32 is
computed here with numpy as ggml defines it (d * q, in float32).

input.f32 is the quantizer input (INPUT_ROWS rows of 256 values, see
make_input); tests/oracle/ggml_quant.c turns it into <type>.ggml_q.
All files are raw little-endian arrays with no header.
"""
import importlib.metadata
import os
import sys

import numpy as np
from gguf.quants import dequantize
from gguf.constants import GGMLQuantizationType as T

OUT = "tests/golden/quant"
NBLOCKS = 64		# blocks per block-quantized type
NSCALAR = 1024		# elements for f32, f16, bf16
INPUT_ROWS = 48
ROW = 256

# name: (ggml type, elements per block, bytes per block,
#        [(offset, "f16"|"f32"), ...] scale fields to make finite)
TYPES = {
    "f32":    (T.F32, 1, 4, []),
    "f16":    (T.F16, 1, 2, []),
    "bf16":   (T.BF16, 1, 2, []),
    "q4_0":   (T.Q4_0, 32, 18, [(0, "f16")]),
    "q4_1":   (T.Q4_1, 32, 20, [(0, "f16"), (2, "f16")]),
    "q5_0":   (T.Q5_0, 32, 22, [(0, "f16")]),
    "q5_1":   (T.Q5_1, 32, 24, [(0, "f16"), (2, "f16")]),
    "q8_0":   (T.Q8_0, 32, 34, [(0, "f16")]),
    "q8_1":   (T.Q8_1, 32, 36, [(0, "f16"), (2, "f16")]),
    "q2_k":   (T.Q2_K, 256, 84, [(80, "f16"), (82, "f16")]),
    "q3_k":   (T.Q3_K, 256, 110, [(108, "f16")]),
    "q4_k":   (T.Q4_K, 256, 144, [(0, "f16"), (2, "f16")]),
    "q5_k":   (T.Q5_K, 256, 176, [(0, "f16"), (2, "f16")]),
    "q6_k":   (T.Q6_K, 256, 210, [(208, "f16")]),
    "q8_k":   (T.Q8_K, 256, 292, [(0, "f32")]),
    "iq4_nl": (T.IQ4_NL, 32, 18, [(0, "f16")]),
    "iq4_xs": (T.IQ4_XS, 256, 136, [(0, "f16")]),
}


def sane_scale(rng, n, dtype):
    """n finite scales: random sign, magnitude 1e-4 .. 1, some zeros."""
    mag = 10.0 ** rng.uniform(-4.0, 0.0, n)
    sign = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    v = sign * mag
    v[rng.random(n) < 0.05] = 0.0
    return v.astype(dtype)


def make_blocks(name, tid, blck, nbytes, fields):
    rng = np.random.default_rng(1000 + int(tid))
    nb = NSCALAR if blck == 1 else NBLOCKS
    raw = rng.integers(0, 256, size=(nb, nbytes), dtype=np.uint8)
    for off, kind in fields:
        if kind == "f16":
            v = sane_scale(rng, nb, np.float16).view(np.uint8)
            raw[:, off:off + 2] = v.reshape(nb, 2)
        else:
            v = sane_scale(rng, nb, np.float32).view(np.uint8)
            raw[:, off:off + 4] = v.reshape(nb, 4)
    return raw.reshape(-1)


def dequant_q8(raw, nbytes, blck, dkind):
    """Q8_1 / Q8_K: y = d * q in float32 (ggml dequantize_row_q8_*)."""
    b = raw.reshape(-1, nbytes)
    if dkind == "f16":
        d = b[:, 0:2].copy().view(np.float16).astype(np.float32)
        qs = b[:, 4:4 + blck].copy().view(np.int8)
    else:
        d = b[:, 0:4].copy().view(np.float32)
        qs = b[:, 4:4 + blck].copy().view(np.int8)
    return (d * qs.astype(np.float32)).astype(np.float32).reshape(-1)


def make_input():
    """INPUT_ROWS x 256 float32: each row one kind of data."""
    rng = np.random.default_rng(20240611)
    rows = []
    for s in (1.0, 0.02, 10.0, 1e3, 1.0, 0.05, 3.0, 1e-2):
        rows.append(rng.normal(0.0, s, ROW))			# 0-7
    for s in (1.0, 0.1, 100.0, 1.0):
        rows.append(rng.uniform(-s, s, ROW))			# 8-11
    rows.append(rng.uniform(0.0, 1.0, ROW))			# 12 all > 0
    rows.append(rng.uniform(-1.0, 0.0, ROW))			# 13 all < 0
    rows.append(rng.uniform(5.0, 6.0, ROW))			# 14 offset
    rows.append(rng.uniform(-0.5, 2.0, ROW))			# 15 skewed
    for _ in range(8):						# 16-23 outliers
        r = rng.normal(0.0, 1.0, ROW)
        k = rng.integers(0, ROW, 4)
        r[k] = rng.choice([-1.0, 1.0], 4) * rng.uniform(20, 200, 4)
        rows.append(r)
    for _ in range(4):						# 24-27 heavy tails
        rows.append(rng.standard_t(2.0, ROW))
    r = rng.normal(0.0, 1.0, ROW)				# 28 zero 32-blocks
    r[32:64] = 0.0
    r[160:224] = 0.0
    rows.append(r)
    r = rng.normal(0.0, 1.0, ROW)				# 29 zero 16-groups
    r[0:16] = 0.0
    r[112:128] = 0.0
    rows.append(r)
    rows.append(np.zeros(ROW))					# 30 all zero
    r = rng.normal(0.0, 1.0, ROW)				# 31 one value each
    r[:] = 0.0
    r[::37] = rng.normal(0.0, 1.0, len(r[::37]))
    rows.append(r)
    for s in (1e-3, 1e-5, 1e-8, 1e-20):			# 32-35 tiny
        rows.append(rng.normal(0.0, s, ROW))
    rows.append(np.full(ROW, 0.375))				# 36 constant
    rows.append(np.tile([-1.0, 1.0], ROW // 2))		# 37 two-valued
    r = np.arange(ROW, dtype=np.float64) - 128.0		# 38 ramp, halves
    rows.append(r + 0.5)
    r = (rng.integers(-254, 255, ROW) / 2.0)			# 39 half-ints
    r[::32] = 127.0
    rows.append(r)
    r = rng.normal(0.0, 1.0, ROW)				# 40 f16 edges
    edge = [1.0 + 2.0 ** -11, 1.0 + 3 * 2.0 ** -11, 2049.0, 65504.0,
            65519.0, 65520.0, -65520.0, 2.0 ** -24, 2.0 ** -25,
            3 * 2.0 ** -25, -2.0 ** -25, 6.1e-5, 2.0 ** -14 - 2.0 ** -25,
            1e-8, -0.0, 0.1]
    r[:len(edge)] = edge
    rows.append(r)
    rows.append(rng.normal(0.0, 2e4, ROW))			# 41 near f16 max
    for _ in range(6):						# 42-47 mixed
        r = rng.normal(0.0, 1.0, ROW) * 10.0 ** rng.uniform(-2, 2)
        r[rng.random(ROW) < 0.1] = 0.0
        rows.append(r)
    x = np.concatenate(rows).astype(np.float32)
    assert x.size == INPUT_ROWS * ROW
    return x


def main():
    if not os.path.isdir("tests/golden"):
        sys.exit("quant_golden.py: run from the repository root")
    os.makedirs(OUT, exist_ok=True)
    for name, (tid, blck, nbytes, fields) in TYPES.items():
        raw = make_blocks(name, tid, blck, nbytes, fields)
        if name == "q8_1":
            y = dequant_q8(raw, nbytes, blck, "f16")
        elif name == "q8_k":
            y = dequant_q8(raw, nbytes, blck, "f32")
        else:
            y = np.asarray(dequantize(raw, tid), dtype=np.float32)
        y = y.reshape(-1)
        assert y.dtype == np.float32
        assert y.size == raw.size // nbytes * blck, name
        raw.tofile(f"{OUT}/{name}.blocks")
        y.tofile(f"{OUT}/{name}.f32")
        print(f"{name}: {raw.size // nbytes} blocks, {y.size} values")
    make_input().tofile(f"{OUT}/input.f32")
    print(f"input: {INPUT_ROWS} x {ROW}; gguf-py {importlib.metadata.version('gguf')}"
          f", numpy {np.__version__}")


if __name__ == "__main__":
    main()
