#!/usr/bin/env python3
"""Writes a synthetic importance matrix for mkmodel -f's F32 model, in
llama-imatrix's GGUF layout, for tests/cli/llm-quant.t (--imatrix).
See tests/oracle/quantize_README.

usage: quantize_imatrix.py SRC.gguf OUT.imatrix.gguf

For every 2-D weight tensor of SRC but token_embd.weight (llama-imatrix
collects none for it): NAME.in_sum2, ne[0] F32 sums of squared
activations drawn from a seeded log-normal (so columns differ by orders
of magnitude, as real ones do), and NAME.counts, one F32 count (a
multiple of the chunk size).  blk.1.ffn_up.weight gets count 0, which
llama-quantize reads as weights of 1.  Keys: general.type "imatrix",
imatrix.datasets ["synthetic.txt"], imatrix.chunk_count 7,
imatrix.chunk_size 64.
"""
import sys

import numpy as np
import gguf


def main():
    src, out = sys.argv[1], sys.argv[2]
    r = gguf.GGUFReader(src)
    rng = np.random.default_rng(20251125)
    w = gguf.GGUFWriter(out, arch="imatrix")
    # GGUFWriter adds general.architecture; llama-imatrix writes
    # general.type instead, and readers ignore the difference
    w.add_type("imatrix")
    w.add_array("imatrix.datasets", ["synthetic.txt"])
    w.add_uint32("imatrix.chunk_count", 7)
    w.add_uint32("imatrix.chunk_size", 64)
    for t in r.tensors:
        if len(t.shape) < 2 or t.name == "token_embd.weight":
            continue
        ne0 = int(t.shape[0])
        count = 0.0 if t.name == "blk.1.ffn_up.weight" else 448.0
        sums = rng.lognormal(0.0, 1.5, ne0).astype(np.float32) * 448.0
        w.add_tensor(t.name + ".in_sum2", sums)
        w.add_tensor(t.name + ".counts", np.array([count], np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    main()
