#!/bin/sh
# bench-vs-llama.sh - llm-bench and llama.cpp's llama-bench side by side
# in one run: the same model files, the same threads, pp512 and tg128
# (tokens/s, mean ± sd of the repetitions), each as a share of this
# machine's roofline (llm-bench --roof: generation against memory
# bandwidth, prompt against the compute peak; llama-bench's rates are
# put against the same roof), and perplexity from llm-bench --ppl and
# llama-perplexity on the same text and chunks.  Prints a Markdown table.
#
#   sh bench/bench-vs-llama.sh LLAMA_BIN_DIR [THREADS] [REPS] [PPL_CHUNKS] [MODEL...]
#
# LLAMA_BIN_DIR holds llama-bench and llama-perplexity (built from the
# llama-cpp-python sdist, tests/oracle/README).  PPL_CHUNKS chunks of 512
# tokens of tests/data/text/kjv-genesis-exodus.txt (default 20; 0: no
# perplexity).  MODEL defaults to the test models.  An encoder (bert:
# MiniLM as a GGUF, e.g. llm-quant all-MiniLM-L6-v2 minilm.gguf F32) gets
# pp512 only, as one sequence (llama-bench -embd 1), attention over the
# whole prompt, and no perplexity.  llm-bench and llm-inspect are taken
# from $PATH or the repository.  Needs jq.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
lb=${1:?usage: bench-vs-llama.sh LLAMA_BIN_DIR [THREADS] [REPS] [PPL_CHUNKS] [MODEL...]}
t=${2:-2} r=${3:-5} pc=${4:-20}
[ $# -gt 4 ] && shift 4 || set --
models=${XDG_CACHE_HOME:-$HOME/.cache}/llmutils/models
[ $# -gt 0 ] || set -- "$models/SmolLM2-135M-Instruct.Q4_1.gguf" \
    "$models/gemma-3-270m-q4_k_m.gguf"
bench=$(command -v llm-bench || echo "$top/llm-bench")
inspect=$(command -v llm-inspect || echo "$top/llm-inspect")
text=$top/tests/data/text/kjv-genesis-exodus.txt
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-vs-llama.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
export LD_LIBRARY_PATH="$lb${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

"$bench" -q --roof -m "$(echo "$@" | tr ' ' ,)" > "$tmp/roof.jsonl"
roof=$(jq -c 'select(.kind == "roof")' "$tmp/roof.jsonl")
echo "Machine: $(echo "$roof" | jq -r '"\(.cpu_model), \(.machine.cores) cores, \(.machine.isa); roof: \(.bw_gbs | floor) GB/s read, \(.f32_gflops | floor) GFLOP/s f32, \(.i8_gops | floor) GOP/s int8"'); $t threads, $r repetitions; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| model | test | llm-bench t/s | roof % | llama-bench t/s | roof % | ratio |"
echo "|---|---|--:|--:|--:|--:|--:|"
for m in "$@"; do
	name=$(basename "$m" .gguf)
	if "$inspect" --summary "$m" | grep -q 'architecture.*(encoder'; then
		enc=1 tests=pp512 ng=0 embd=1
	else
		enc=0 tests="pp512 tg128" ng=128 embd=0
	fi
	"$bench" -q -m "$m" -p 512 -n "$ng" -t "$t" -r "$r" > "$tmp/ours.jsonl"
	"$lb/llama-bench" -m "$m" -p 512 -n "$ng" -embd "$embd" -t "$t" \
	    -r "$r" -o jsonl > "$tmp/theirs.jsonl" 2> "$tmp/theirs.err"
	cost=$(jq -c --arg n "$name" 'select(.kind == "model_cost" and
	    .model_name == $n)' "$tmp/roof.jsonl")
	dtype=$(jq -r 'select(.kind == "speed") | .model_dtype' "$tmp/ours.jsonl" | head -n 1)
	for tst in $tests; do
		o=$(jq -c --arg t "$tst" 'select(.test == $t)' "$tmp/ours.jsonl")
		th=$(jq -c --arg t "$tst" 'select((if .n_gen == 0 then "pp\(.n_prompt)"
		    else "tg\(.n_gen)" end) == $t)' "$tmp/theirs.jsonl")
		# llama-bench against the same roof as llm-bench's record
		tpct=$(jq -n --argjson r "$roof" --argjson c "$cost" \
		    --argjson th "$th" --arg q "$dtype" --argjson enc "$enc" '
		    if $th.n_gen > 0 then
			100 * $th.avg_ts * ($c.weight_bytes_per_token +
			$c.kv_bytes_per_ctx_token * $th.n_gen / 2) / ($r.bw_gbs * 1e9)
		    else
			100 * $th.avg_ts * (2 * $c.matmul_params +
			2 * $c.output_params / $th.n_prompt +
			$c.attn_flops_per_ctx_token * $th.n_prompt /
			(if $enc == 1 then 1 else 2 end)) /
			((if ($q | test("^(f32|f16|bf16)$")) or $r.i8_gops == 0
			then $r.f32_gflops else $r.i8_gops end) * 1e9)
		    end')
		jq -nr --arg m "$name" --arg t "$tst" --argjson o "$o" \
		    --argjson th "$th" --argjson tp "$tpct" '
		    "| \($m) | \($t) | \($o.tok_s * 100 | round / 100) ± \($o.tok_s_sd * 100 | round / 100) | \($o.roof_pct * 10 | round / 10) | \($th.avg_ts * 100 | round / 100) ± \($th.stddev_ts * 100 | round / 100) | \($tp * 10 | round / 10) | \($o.tok_s / $th.avg_ts * 100 | round / 100) |"'
	done
	if [ "$pc" -gt 0 ] && [ "$enc" = 0 ]; then
		ours=$("$bench" -q -m "$m" -t "$t" --ppl "$text" -c 512 \
		    --chunks "$pc" | jq -r '.ppl * 10000 | round / 10000')
		theirs=$("$lb/llama-perplexity" -m "$m" -f "$text" -c 512 -b 512 \
		    -t "$t" --chunks "$pc" 2>&1 |
		    sed -n 's/.*Final estimate: PPL = \([0-9.]*\).*/\1/p')
		echo "| $name | ppl ($pc x 512) | $ours | | $theirs | | $(echo "$ours $theirs" | awk '{ printf "%.4f", $1 / $2 }') |"
	fi
done
