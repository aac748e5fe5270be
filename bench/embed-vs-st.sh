#!/bin/sh
# embed-vs-st.sh - sentences per second of llm-embed against
# sentence-transformers (torch, CPU) on the same sentences, the same
# number of threads and batches of 32, in one run.
#
# usage: bench/embed-vs-st.sh [MODEL_DIR] [CORPUS.jsonl] [THREADS] [REPEAT]
#   MODEL_DIR  a sentence-transformers directory (default: the test
#              model all-MiniLM-L6-v2 in the llmutils cache)
#   CORPUS     {"id","text"} lines (default tests/golden/embed/corpus.jsonl)
#   THREADS    default 2
#   REPEAT     the corpus is embedded this many times over (default 2)
# Environment: BINDIR (where llm-embed and llm-quant are; default: PATH),
# PYTHON (with sentence-transformers and torch; default /tmp/hfvenv/bin/python).
#
# llm-embed reads a GGUF converted beforehand by llm-quant (f32, as the
# directory holds it), so the time is embedding, not conversion; its
# start-up (an empty input) is measured and subtracted.  The model load
# of sentence-transformers is not timed either.  Prints one JSON line.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
MODELS_DIR=${MODELS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/llmutils/models}
model=${1:-$MODELS_DIR/all-MiniLM-L6-v2}
corpus=${2:-$top/tests/golden/embed/corpus.jsonl}
threads=${3:-2}
repeat=${4:-2}
PYTHON=${PYTHON:-/tmp/hfvenv/bin/python}
[ -n "${BINDIR:-}" ] && PATH=$BINDIR:$PATH
W=$(mktemp -d "${TMPDIR:-/tmp}/embed-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

i=0
while [ "$i" -lt "$repeat" ]; do cat "$corpus"; i=$((i + 1)); done > "$W/in.jsonl"
n=$(wc -l < "$W/in.jsonl")
llm-quant -q "$model" "$W/m.gguf" f32 > /dev/null

now() { date +%s.%N; }
t0=$(now)
llm-embed -q -m "$W/m.gguf" -t "$threads" -b 32 --truncate -n 256 < /dev/null > /dev/null
t1=$(now)
llm-embed -q -m "$W/m.gguf" -t "$threads" -b 32 --truncate -n 256 < "$W/in.jsonl" > "$W/out.jsonl"
t2=$(now)
ours=$(echo "$t0 $t1 $t2" | awk '{ print ($3 - $2) - ($2 - $1) }')

st=$("$PYTHON" - "$model" "$W/in.jsonl" "$threads" <<'EOF'
import json, sys, time
import torch
torch.set_num_threads(int(sys.argv[3]))
from sentence_transformers import SentenceTransformer
m = SentenceTransformer(sys.argv[1], device="cpu")
texts = [json.loads(l)["text"] for l in open(sys.argv[2], encoding="utf-8")]
m.encode(texts[:64], batch_size=32)          # warm-up
t = time.perf_counter()
m.encode(texts, batch_size=32)
print(time.perf_counter() - t)
EOF
)
load=$(cat /proc/loadavg | cut -d' ' -f1)
awk -v n="$n" -v a="$ours" -v b="$st" -v t="$threads" -v l="$load" \
    -v cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" 'BEGIN {
	printf "{\"sentences\":%d,\"threads\":%d,\"batch\":32,\"llm_embed_s\":%.3f,\"st_s\":%.3f,\"llm_embed_sent_s\":%.1f,\"st_sent_s\":%.1f,\"speedup\":%.2f,\"load\":%s,\"cpu\":\"%s\"}\n",
	    n, t, a, b, n / a, n / b, b / a, l, cpu }'
