#!/usr/bin/env python3
"""Teacher-forced and greedy goldens for llm-run's forward pass, from llama.cpp.

Runs tests/oracle/llama_logits (built against llama.cpp from the
llama-cpp-python sdist, see README) on tests/golden/run/texts.txt and
writes, for the model NAME (smollm2 unless -n says otherwise):
  tests/golden/run/NAME.teacher.jsonl  per text: ids (llama.cpp's
      tokenization), top1 (llama.cpp's argmax after each prefix),
      margin (how far that argmax leads the runner-up, in logits) and
      logits_at: the positions whose full logits are stored
  tests/golden/run/NAME.logits.f32    those logit vectors, float32 LE,
      in order
With --greedy LLAMA_GREEDY_BIN also
  tests/golden/run/NAME.greedy.jsonl  llama.cpp's greedy continuations
      (64 tokens at most) of the model's prompts: {"prompt_ids", "ids"}

Per model:
  smollm2  the full logits at the first, middle and last position of
           texts 1 and 2; prompts: prompts.txt (chat template applied)
  gemma3   a 31st text, all 30 joined by newlines (about 2100 tokens,
           so that the sliding window of 512 is crossed), and the full
           logits at the middle and last position of text 1 and of
           that long text (the vocabulary is 262144: 1 MiB a vector);
           prompts: questions.txt as raw text (a base model)

--self also measures llama.cpp against itself: the same texts and
prompts evaluated one token at a time (n_ubatch 1, through its
matrix-vector kernels) instead of in batches of 512, and prints top-1
agreement, the worst NMSE at the stored positions and how many greedy
continuations are identical.  The greedy part needs a llama_greedy that
reads LLAMA_GREEDY_UBATCH (see README); it writes no files.

usage: run_golden.py [-n NAME] [--greedy LLAMA_GREEDY_BIN] [--self]
                     LLAMA_LOGITS_BIN MODEL
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile

RUN = "tests/golden/run/"
N_GREEDY = 64
SURE_MARGIN = 0.5     # as tests/unit/t_model.c

# name: (extra long text?, {text index: indices into llama_logits'
#        first/middle/last positions}, prompts file)
MODELS = {
    "smollm2": (False, {0: (0, 1, 2), 1: (0, 1, 2)}, "prompts.txt"),
    "gemma3": (True, {0: (1, 2), 30: (1, 2)}, "questions.txt"),
}


def texts_file(long, tmp):
    """texts.txt, plus one line of all of them joined when long."""
    with open(RUN + "texts.txt") as f:
        lines = [l.rstrip("\n") for l in f if l.strip()]
    if long:
        lines.append("\\n".join(lines))
    path = os.path.join(tmp, "texts.txt")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def logits(exe, model, texts, ubatch):
    env = dict(os.environ, LLAMA_LOGITS_UBATCH=str(ubatch))
    out = subprocess.run([exe, model, texts, "2"], check=True, env=env,
                         capture_output=True, text=True).stdout
    return [json.loads(l) for l in out.splitlines()]


def greedy(exe, model, prompts, ubatch):
    env = dict(os.environ, LLAMA_GREEDY_UBATCH=str(ubatch))
    return subprocess.run([exe, model, prompts, str(N_GREEDY), "2"],
                          check=True, env=env, capture_output=True,
                          text=True).stdout


def stored(recs, keep):
    """[(text index, position, logit vector)] of the positions kept."""
    out = []
    for k, which in keep.items():
        items = list(recs[k]["logits"].items())
        for i in which:
            out.append((k, int(items[i][0]), items[i][1]))
    return out


def nmse(a, b):
    num = sum((x - y) ** 2 for x, y in zip(a, b))
    den = sum(y * y for y in b)
    return num / den


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", "--name", default="smollm2", choices=MODELS)
    ap.add_argument("--greedy", metavar="LLAMA_GREEDY_BIN")
    ap.add_argument("--self", action="store_true", dest="selfcheck")
    ap.add_argument("exe")
    ap.add_argument("model")
    a = ap.parse_args()
    long, keep, prompts = MODELS[a.name]
    with tempfile.TemporaryDirectory() as tmp:
        texts = texts_file(long, tmp)
        recs = logits(a.exe, a.model, texts, 512)
        if a.selfcheck:
            self_check(a, recs, keep, texts, prompts)
            return
    vecs = stored(recs, keep)
    with open(RUN + a.name + ".teacher.jsonl", "w") as fj, \
            open(RUN + a.name + ".logits.f32", "wb") as fb:
        for k, d in enumerate(recs):
            rec = {"ids": d["ids"], "top1": d["top1"],
                   "margin": d["margin"], "logits_at": []}
            for kk, pos, vec in vecs:
                if kk == k:
                    rec["logits_at"].append(pos)
                    fb.write(struct.pack("<%df" % len(vec), *vec))
            fj.write(json.dumps(rec, separators=(",", ":")) + "\n")
    if a.greedy:
        with open(RUN + a.name + ".greedy.jsonl", "w") as f:
            f.write(greedy(a.greedy, a.model, RUN + prompts, 512))


def self_check(a, recs, keep, texts, prompts):
    one = logits(a.exe, a.model, texts, 1)
    agree = total = sure = 0
    worst_margin = 0.0
    for r, s in zip(recs, one):
        for x, y, mg in zip(r["top1"], s["top1"], r["margin"]):
            total += 1
            agree += x == y
            sure += mg >= SURE_MARGIN
            if x != y:
                worst_margin = max(worst_margin, mg)
    worst = max(nmse(v1, v512) for (_, _, v512), (_, _, v1) in
                zip(stored(recs, keep), stored(one, keep)))
    print("llama.cpp n_ubatch 1 vs 512: top-1 %d/%d = %.2f%% (%d "
          "positions lead by >= %g); the largest lead of a disagreeing "
          "top-1 %.4f; worst NMSE at the stored positions %.3g" %
          (agree, total, 100.0 * agree / total, sure, SURE_MARGIN,
           worst_margin, worst))
    if a.greedy:
        g512 = greedy(a.greedy, a.model, RUN + prompts, 512).splitlines()
        g1 = greedy(a.greedy, a.model, RUN + prompts, 1).splitlines()
        same = 0
        for x, y in zip(g512, g1):
            x, y = json.loads(x), json.loads(y)
            same += x["ids"] == y["ids"]
            for k, (p, q) in enumerate(zip(x["ids"], y["ids"])):
                if p != q:
                    print("  greedy parts at token %d (margin %.4f)" %
                          (k, x["margin"][k]))
                    break
        print("llama.cpp greedy, prompt in one batch vs token by token: "
              "%d of %d identical" % (same, len(g512)))


if __name__ == "__main__":
    sys.exit(main())
