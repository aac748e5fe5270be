#!/bin/sh
# quantize_vs_llama.sh - quantize the same F32 models with llm-quant and
# llama.cpp's llama-quantize, to every type, and compare the files byte
# for byte.  Not run by make or CI: see tests/oracle/quantize_README.
#
# usage: quantize_vs_llama.sh BINDIR LLAMA_QUANTIZE WORKDIR [MODEL.gguf]
#   BINDIR          where llm-quant and tests/data/mkmodel were built
#                   (make BUILD=DIR: DIR/llm-quant, DIR/tests/data/mkmodel)
#   LLAMA_QUANTIZE  the llama-quantize binary
#   MODEL.gguf      a real model to dequantize to F32 first (optional;
#                   SmolLM2-135M-Instruct.Q4_1.gguf in the report)
# Prints "ok"/"DIFFER" per model, type and option set; exits 1 if any
# file differs.
set -u
[ $# -ge 3 ] || { echo "usage: $0 BINDIR LLAMA_QUANTIZE WORKDIR [MODEL.gguf]" >&2; exit 2; }
B=$1 LQ=$2 W=$3
mkdir -p "$W" || exit 1
fail=0
TYPES="F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 Q2_K Q3_K_S Q3_K_M Q3_K_L
    Q4_K_S Q4_K_M Q5_K_S Q5_K_M Q6_K IQ4_NL IQ4_XS"
PURE="Q2_K Q3_K_S Q4_K_S Q5_K_S Q6_K IQ4_XS IQ4_NL"

# one comparison: NAME SRC TYPE [options...]
one() {
	n=$1 src=$2 t=$3
	shift 3
	"$B/llm-quant" -q "$@" "$src" "$W/ours.gguf" "$t" > /dev/null ||
	    { echo "FAILED $n: llm-quant"; fail=1; return; }
	"$LQ" "$@" "$src" "$W/theirs.gguf" "$t" 2 > "$W/lq.log" 2>&1 ||
	    { echo "FAILED $n: llama-quantize (see $W/lq.log)"; fail=1; return; }
	if cmp -s "$W/ours.gguf" "$W/theirs.gguf"; then
		echo "ok $n $(sha256sum < "$W/theirs.gguf" | cut -d' ' -f1)"
	else
		echo "DIFFER $n"
		fail=1
	fi
}

models="$W/tiny-f32.gguf"
"$B/tests/data/mkmodel" -f "$W/tiny-f32.gguf" || exit 1
if [ $# -ge 4 ]; then
	"$B/llm-quant" -q --allow-requantize "$4" "$W/real-f32.gguf" F32 \
	    > /dev/null || exit 1
	models="$models $W/real-f32.gguf"
fi
for m in $models; do
	b=$(basename "$m" .gguf)
	for t in $TYPES; do one "$b $t" "$m" "$t"; done
	for t in $PURE; do one "$b --pure $t" "$m" "$t" --pure; done
	one "$b overrides Q4_K_S" "$m" Q4_K_S \
	    --tensor-type 'attn_(q|k)=q8_0' --tensor-type 'blk\.[23]\.ffn_up=iq4_nl' \
	    --output-tensor-type q5_1 --token-embedding-type f16
	one "$b --leave-output-tensor Q3_K_M" "$m" Q3_K_M --leave-output-tensor
	one "$b --token-embedding-type q4_0 Q4_K_M" "$m" Q4_K_M \
	    --token-embedding-type q4_0
done
exit $fail
