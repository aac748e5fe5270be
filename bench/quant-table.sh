#!/bin/sh
# quant-table.sh - type x (size, bits per weight, perplexity, KL-divergence
# against the source) for llm-quant, and whether each file is byte for
# byte the one llama-quantize writes from the same source.  Identical
# bytes mean identical quality: llm-bench measures llm-quant's files.
# Also the wall time of each quantization, llm-quant then llama-quantize,
# with the same threads (THREADS, default 2) on the cached source.
#
#   sh bench/quant-table.sh LLAMA_BIN_DIR SOURCE.gguf [CHUNKS] [TYPES...]
#
# SOURCE is an F32/F16 GGUF (e.g. SmolLM2 dequantized to F32 with
# tests/oracle/dequant_models.py); CHUNKS chunks of 512 tokens of
# tests/data/text/kjv-genesis-exodus.txt (default 6).  llm-quant and
# llm-bench come from $PATH or the repository.  Prints a Markdown table.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
lb=${1:?usage: quant-table.sh LLAMA_BIN_DIR SOURCE.gguf [CHUNKS] [TYPES...]}
src=${2:?usage: quant-table.sh LLAMA_BIN_DIR SOURCE.gguf [CHUNKS] [TYPES...]}
ch=${3:-6}
[ $# -gt 3 ] && shift 3 || set -- Q8_0 Q6_K Q5_K_M Q5_K_S Q5_1 Q5_0 Q4_K_M \
    Q4_K_S Q4_1 Q4_0 IQ4_NL Q3_K_M Q2_K
quant=$(command -v llm-quant || echo "$top/llm-quant")
bench=$(command -v llm-bench || echo "$top/llm-bench")
text=$top/tests/data/text/kjv-genesis-exodus.txt
w=$(mktemp -d "${TMPDIR:-/tmp}/quant-table.XXXXXX")
trap 'rm -rf "$w"' EXIT INT TERM
field() { sed -n "s/.*\"$1\":\([-0-9.e]*\).*/\1/p"; }
th=${THREADS:-2}
now() { date +%s.%N; }
secs() { echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }

"$bench" -q -m "$src" --ppl "$text" --chunks "$ch" \
    --save-logits "$w/base.logits" > "$w/base.jsonl"
params=$(field model_params < "$w/base.jsonl")
echo "| type | bytes | bpw | same bytes as llama-quantize | ppl | KLD | same top-1 % | llm-quant s | llama-quantize s |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '| source | %s | %.2f | - | %.4f | - | - | - | - |\n' "$(stat -c %s "$src")" \
    "$(echo "$(stat -c %s "$src") $params" | awk '{ print 8 * $1 / $2 }')" \
    "$(field ppl < "$w/base.jsonl")"
for t in "$@"; do
	t0=$(now)
	"$quant" -q -t "$th" "$src" "$w/ours.gguf" "$t" > /dev/null
	t1=$(now)
	LD_LIBRARY_PATH="$lb" "$lb/llama-quantize" "$src" "$w/theirs.gguf" \
	    "$t" "$th" > /dev/null 2>&1
	t2=$(now)
	cmp -s "$w/ours.gguf" "$w/theirs.gguf" && same=yes || same=NO
	"$bench" -q -m "$w/ours.gguf" --ppl "$text" --chunks "$ch" \
	    --kld "$w/base.logits" > "$w/r.jsonl"
	sz=$(stat -c %s "$w/ours.gguf")
	printf '| %s | %s | %.2f | %s | %.4f | %.5f | %.2f | %s | %s |\n' \
	    "$t" "$sz" \
	    "$(echo "$sz $params" | awk '{ print 8 * $1 / $2 }')" "$same" \
	    "$(field ppl < "$w/r.jsonl" | head -n 1)" \
	    "$(field kld < "$w/r.jsonl" | head -n 1)" \
	    "$(field same_top_pct < "$w/r.jsonl" | head -n 1)" \
	    "$(secs "$t0" "$t1")" "$(secs "$t1" "$t2")"
done
