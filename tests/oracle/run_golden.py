#!/usr/bin/env python3
"""Teacher-forced goldens for llm-run's forward pass, from llama.cpp.

Runs tests/oracle/llama_logits (built against llama.cpp from the
llama-cpp-python sdist, see README) on tests/golden/run/texts.txt and
writes:
  tests/golden/run/smollm2.teacher.jsonl  per text: ids (llama.cpp's
      tokenization), top1 (llama.cpp's argmax after each prefix),
      margin (how far that argmax leads the runner-up, in logits) and
      logits_at: the positions whose full logits are stored
  tests/golden/run/smollm2.logits.f32    those logit vectors, float32 LE,
      for the first N_LOGIT_TEXTS texts, in order

usage: run_golden.py LLAMA_LOGITS_BIN MODEL
"""
import json
import struct
import subprocess
import sys

N_LOGIT_TEXTS = 2


def main():
    exe, model = sys.argv[1], sys.argv[2]
    out = subprocess.run([exe, model, "tests/golden/run/texts.txt", "2"],
                         check=True, capture_output=True, text=True).stdout
    with open("tests/golden/run/smollm2.teacher.jsonl", "w") as fj, \
            open("tests/golden/run/smollm2.logits.f32", "wb") as fb:
        for k, line in enumerate(out.splitlines()):
            d = json.loads(line)
            rec = {"ids": d["ids"], "top1": d["top1"],
                   "margin": d["margin"], "logits_at": []}
            if k < N_LOGIT_TEXTS:
                for pos, vec in d["logits"].items():
                    rec["logits_at"].append(int(pos))
                    fb.write(struct.pack("<%df" % len(vec), *vec))
            fj.write(json.dumps(rec, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
