#!/bin/sh
# run-vs-llama.sh - llm-run and llama.cpp on the same model, prompt and
# thread count, one after the other in one run, several times; prints
# prompt and generation tokens/s side by side and their ratio.
#
# usage: bench/run-vs-llama.sh LLAMA_BIN_DIR [MODEL] [THREADS] [N_GEN] [REPS]
#   LLAMA_BIN_DIR holds llama-completion, built from the llama-cpp-python
#   source distribution (see tests/oracle/README).
set -eu
llama=${1:?usage: run-vs-llama.sh LLAMA_BIN_DIR [MODEL] [THREADS] [N_GEN] [REPS]}
model=${2:-${XDG_CACHE_HOME:-$HOME/.cache}/llmutils/models/SmolLM2-135M-Instruct.Q4_1.gguf}
t=${3:-2}
n=${4:-128}
reps=${5:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
q="Write a long story about a dragon who learns to read."
sys="You are a helpful AI assistant named SmolLM, trained by Hugging Face"
p=$(printf '<|im_start|>system\n%s<|im_end|>\n<|im_start|>user\n%s<|im_end|>\n<|im_start|>assistant\n' "$sys" "$q")

echo "model $model, $t threads, $n tokens generated, $reps runs each"
printf '%-4s %12s %12s %12s %12s\n' run llm_pp_tok_s llama_pp_tok_s llm_tg_tok_s llama_tg_tok_s
i=0
while [ $i -lt "$reps" ]; do
	i=$((i + 1))
	ours=$("$top/llm-run" -m "$model" -t "$t" --temp 0 -n "$n" --raw "$p" 2>&1 >/dev/null | tail -n 1)
	# "llm-run: 38 prompt tokens in 228 ms, 128 generated in 7514 ms (17.0 tok/s), length"
	o_pp=$(echo "$ours" | awk '{ printf "%.1f", $2 / $6 * 1000 }')
	o_tg=$(echo "$ours" | awk '{ printf "%.1f", $8 / $11 * 1000 }')
	theirs=$("$llama/llama-completion" -m "$model" -t "$t" --temp 0 -n "$n" \
	    -no-cnv --no-warmup -p "$p" </dev/null 2>&1 | grep -E 'eval time')
	l_pp=$(echo "$theirs" | grep 'prompt eval' | sed 's/.*( *[0-9.]* ms per token, *\([0-9.]*\) tokens per second.*/\1/')
	l_tg=$(echo "$theirs" | grep -v 'prompt eval' | sed 's/.*( *[0-9.]* ms per token, *\([0-9.]*\) tokens per second.*/\1/')
	printf '%-4s %12s %12s %12s %12s\n' "$i" "$o_pp" "$l_pp" "$o_tg" "$l_tg"
	echo "$o_pp $l_pp $o_tg $l_tg" >> "${TMPDIR:-/tmp}/run-vs-llama.$$"
done
awk '{ a += $1; b += $2; c += $3; d += $4 } END {
	printf "mean: prompt %.1f vs %.1f tok/s (%.2fx), generation %.1f vs %.1f tok/s (%.2fx)\n",
	    a / NR, b / NR, a / b, c / NR, d / NR, c / d }' "${TMPDIR:-/tmp}/run-vs-llama.$$"
rm -f "${TMPDIR:-/tmp}/run-vs-llama.$$"
