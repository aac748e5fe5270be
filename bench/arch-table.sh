#!/bin/sh
# arch-table.sh - generation speed of llm-run's forward pass against
# llama.cpp's, per architecture, on the same files, same threads, in one
# run: the tiny random models of tests/golden/hf (one per architecture)
# and the real test models.  Prints a Markdown table of median tokens/s.
#
#   sh bench/arch-table.sh LLAMA_BIN_DIR [THREADS] [N_GEN] [REPS]
#
# LLAMA_BIN_DIR holds llama-bench (built from the llama-cpp-python sdist,
# tests/oracle/README).  llm-bench is taken from $PATH or the repository.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
lb=${1:?usage: arch-table.sh LLAMA_BIN_DIR [THREADS] [N_GEN] [REPS]}
t=${2:-2} n=${3:-64} r=${4:-5}
models=${XDG_CACHE_HOME:-$HOME/.cache}/llmutils/models
bench=$(command -v llm-bench || echo "$top/llm-bench")

median() { sort -g | awk '{ a[NR] = $1 } END { print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "| model | arch | llm-run tok/s | llama.cpp tok/s | ratio |"
echo "|---|---|---|---|---|"
for f in "$top"/tests/golden/hf/tiny-*.f32.gguf "$models"/*.gguf; do
	[ -f "$f" ] || continue
	ours=$("$bench" -q -m "$f" -p 0 -n "$n" -t "$t" -r "$r" |
	    sed -n 's/.*"tok_s_median":\([0-9.]*\).*/\1/p')
	arch=$("$bench" -q -m "$f" -p 0 -n 1 -t "$t" -r 1 --no-warmup |
	    sed -n 's/.*"arch":"\([^"]*\)".*/\1/p')
	theirs=$(LD_LIBRARY_PATH="$lb" "$lb/llama-bench" -m "$f" -p 0 -n "$n" \
	    -t "$t" -r "$r" -o jsonl 2>/dev/null |
	    sed -n 's/.*"samples_ts": *\[\([^]]*\)\].*/\1/p' | tr ',' '\n' |
	    median)
	printf '| %s | %s | %.1f | %.1f | %.2f |\n' "$(basename "$f")" "$arch" \
	    "$ours" "$theirs" "$(echo "$ours $theirs" | awk '{ print $2 ? $1 / $2 : 0 }')"
done
