#!/bin/sh
# vk-device.sh - the Vulkan backend on a GPU machine that has a driver
# but none of our build's libraries, models or network: what llm-bench
# -D vulkan measures there, and the shader tests on a real GPU.
#
#   sh bench/vk-device.sh pack [DIR]   (here) build into DIR (default
#                                      .devpack, add it to .git/info/exclude):
#                                      binaries without OpenBLAS, the shared
#                                      libraries they need, the test models'
#                                      GGUF headers (tests/oracle/gguf_skeleton.py);
#                                      OLD=REV: also REV's llm-bench, as
#                                      DIR/bin/llm-bench.old (run's A/B)
#   sh bench/vk-device.sh run OUTDIR [DIR] [SHAPE...]
#                                      (there, from the repository root)
#   sh bench/vk-device.sh sweep OUTDIR [DIR] [SHAPE...]
#                                      (there) matvec.comp's settings
#
# run writes into OUTDIR: env.txt (nvidia-smi, the Vulkan device),
# k_vk.txt and t_vk_model.txt (every shader against the CPU; whole tiny
# models, and the test models' cases on their random-data stand-ins:
# MiniLM's directory is absent there, so its case fails),
# roof.jsonl (llm-bench -D vulkan --roof: the device's copy bandwidth and
# GEMM rate), bench.jsonl and bench.md (pp512 and tg128, 3 repetitions) and profile.txt (the same models again, 1 repetition,
# under LC_VK_PROFILE=1: device time per shader, weights' GB/s), and
# with DIR/bin/llm-bench.old present (another build), ab.jsonl and ab.md:
# that build and this one under LC_VK_SYNC=1 (AB_SYNC=0: not) on the
# Q4_K_M models.
# sweep writes into OUTDIR: sweep.jsonl (bench/vk_matvec, the matrix-
# vector products alone at Llama-3.1-8B's shapes, under each
# LC_VK_MATVEC setting of CFGS), best.txt (per weight type the setting
# with the least time over the shapes in the dependent chain),
# k_vk.txt (every shader under that choice) and tg.jsonl, tg.md (tg128,
# REPS repetitions, default and chosen settings alternating, on the
# SHAPEs' Q4_K_M models and the first one's Q8_0).  CFGS, TYPES, SHAPES
# (KxN,...) and MB (environment) change the settings tried, the types,
# vk_matvec's shapes and the mebibytes of weights per shape.
# Models: the test models rebuilt from their headers with random data
# (same tensors, types and sizes, so the same speed), and for each SHAPE
# of tests/oracle/random_hf.py (default llama3.2-1b llama3.1-8b) a
# random-weight Hugging Face directory converted by llm-quant to Q4_K_M
# (and Q8_0 for the first).  PP, TG and REPS (environment) change the
# tests (default 512, 128, 3).
set -eu
cmd=${1:?usage: vk-device.sh pack [DIR] | run OUTDIR [DIR] [SHAPE...]}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
case $cmd in
pack)
	p=${2:-.devpack} b=${BUILD_DEV:-/tmp/b-dev}
	m=${XDG_CACHE_HOME:-$HOME/.cache}/llmutils/models
	make -s -j"$(nproc)" BUILD="$b" BLAS=none LDFLAGS=-Wl,--as-needed \
	    all "$b/tests/kernels/k_vk" "$b/tests/unit/t_vk_model" \
	    "$b/bench/vk_matvec"
	rm -rf "$p"
	mkdir -p "$p/bin" "$p/lib" "$p/heads"
	cp "$b/llm-bench" "$b/llm-quant" "$b/llm-run" "$b/tests/kernels/k_vk" \
	    "$b/tests/unit/t_vk_model" "$b/bench/vk_matvec" "$p/bin/"
	if [ -n "${OLD:-}" ]; then
		git worktree add -f --detach "$b-old-src" "$OLD" >/dev/null
		make -s -C "$b-old-src" -j"$(nproc)" BUILD="$b-old" BLAS=none \
		    LDFLAGS=-Wl,--as-needed "$b-old/llm-bench"
		cp "$b-old/llm-bench" "$p/bin/llm-bench.old"
		git worktree remove --force "$b-old-src"
	fi
	strip "$p/bin/"*
	for l in $(ldd "$p/bin/"* | awk '$3 ~ /^\// { print $3 }' | sort -u); do
		case $(basename "$l") in
		libc.so*|libm.so*|ld-linux*|libpthread*|libdl*) ;;
		*) cp -L "$l" "$p/lib/" ;;
		esac
	done
	"$b/llm-quant" -q "$m/all-MiniLM-L6-v2" "$p/minilm.gguf" F32 >/dev/null
	for f in "$m/SmolLM2-135M-Instruct.Q4_1.gguf" \
	    "$m/gemma-3-270m-q4_k_m.gguf" "$p/minilm.gguf"; do
		python3 tests/oracle/gguf_skeleton.py head "$f" \
		    "$p/heads/$(basename "$f" .gguf).head"
	done
	rm -f "$p/minilm.gguf"
	gzip -9 "$p/heads/"*.head
	du -sh "$p"
	;;
run|sweep)
	o=${2:?usage: vk-device.sh $cmd OUTDIR [DIR] [SHAPE...]}
	p=${3:-.devpack} pp=${PP:-512} tg=${TG:-128} reps=${REPS:-3}
	[ $# -gt 3 ] && shift 3 || set -- llama3.2-1b llama3.1-8b
	p=$(cd "$p" && pwd)
	w=${TMPDIR:-/tmp}/vk-device
	mkdir -p "$o" "$w"
	export LD_LIBRARY_PATH="$p/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
	[ -f "$icd" ] && export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"
	{
		nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem \
		    --format=csv 2>&1 || true
		nproc
		ls /usr/local/nvidia/share/vulkan/icd.d 2>&1 || true
	} > "$o/env.txt"
	# the SHAPEs' random-weight models, converted: $hf (comma-separated)
	hf_models() {
		hf='' first=1
		for s in "$@"; do
			python3 tests/oracle/random_hf.py "$s" "$w/$s"
			"$p/bin/llm-quant" -q "$w/$s" "$w/$s-q4_k_m.gguf" Q4_K_M >/dev/null
			hf="$hf${hf:+,}$w/$s-q4_k_m.gguf"
			if [ $first = 1 ]; then
				"$p/bin/llm-quant" -q "$w/$s" "$w/$s-q8_0.gguf" Q8_0 >/dev/null
				hf="$hf,$w/$s-q8_0.gguf"
				first=0
			fi
			rm -rf "${w:?}/$s"
		done
	}
	;;
*)
	echo "usage: vk-device.sh pack [DIR] | run|sweep OUTDIR [DIR] [SHAPE...]" >&2
	exit 2
	;;
esac
[ "$cmd" = pack ] && exit 0

if [ "$cmd" = sweep ]; then
	echo "== matvec settings"
	: > "$o/sweep.jsonl"
	for c in ${CFGS:-32x1 32x2 32x4 32x8 64x1 64x2 64x4 64x8 128x2 128x4 128x8 256x2 \
	    32x2x8 32x4x4 64x2x4 64x2x16 64x4x4 128x2x4 128x4x4 256x2x4 \
	    64x2x1x1 64x4x1x1 128x2x1x1 64x2x4x1 128x4x4x1}; do
		LC_VK_MATVEC=$c timeout 120 "$p/bin/vk_matvec" \
		    -t "${TYPES:-q4_k,q6_k,q8_0}" ${SHAPES:+-s "$SHAPES"} \
		    -m "${MB:-256}" >> "$o/sweep.jsonl" \
		    2>> "$o/sweep.err" || echo "vk_matvec $c: exit $?"
	done
	python3 - "$o/sweep.jsonl" <<'PY' | tee "$o/sweep.md"
import json, sys, collections
rows = [json.loads(l) for l in open(sys.argv[1])]
dep = collections.defaultdict(float)
for r in rows:
    if r["mode"] == "dep":
        dep[(r["type"], r["cfg"])] += r["us"]
best = {}
for (t, c), us in sorted(dep.items()):
    print("| %s | %s | %.1f us |" % (t, c, us))
    if t not in best or us < dep[(t, best[t])]:
        best[t] = c
for r in rows:
    if r["cfg"] == best[r["type"]] or r["cfg"] == "64x2":
        print("| %s | %s | %dx%d | %s | %.2f us | %.0f GB/s | rec %.2f us |" % (
              r["type"], r["cfg"], r["k"], r["n"], r["mode"], r["us"],
              r["gbs"], r["rec_us"]))
print("best " + ",".join("%s=%s" % kv for kv in sorted(best.items())))
PY
	best=$(sed -n 's/^best //p' "$o/sweep.md")
	echo "$best" > "$o/best.txt"
	echo "== shader tests under LC_VK_MATVEC=$best"
	LC_VK_MATVEC=$best timeout 300 "$p/bin/k_vk" -v > "$o/k_vk.txt" 2>&1 ||
	    echo "k_vk: exit $?"
	tail -n 2 "$o/k_vk.txt"
	echo "== tg$tg: 64x2 and $best"
	hf_models "$@"
	for m in $(echo "$hf" | tr , ' '); do
		for _ in $(seq "$reps"); do
			for c in 64x2 "$best"; do
				LC_VK_MATVEC=$c "$p/bin/llm-bench" -q -D vulkan \
				    -m "$m" -p 0 -n "$tg" -r 1 2>/dev/null |
				    sed "s/\"device\":\"vulkan\"/\"device\":\"vulkan $c\"/"
			done
		done
	done > "$o/tg.jsonl" || true
	python3 - "$o/tg.jsonl" <<'PY' | tee "$o/tg.md"
import json, sys, collections, statistics
t = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("kind") == "speed":
        t[(r["model_name"], r["model_dtype"], r["device"])].append(r["tok_s"])
for k, v in t.items():
    print("| %s | %s | %s | %.1f ± %.1f t/s (%d) |" % (k + (statistics.mean(v),
          statistics.pstdev(v), len(v))))
PY
	exit 0
fi
# run
echo "== shader tests"
timeout 300 "$p/bin/k_vk" -v > "$o/k_vk.txt" 2>&1 || echo "k_vk: exit $?"
tail -n 3 "$o/k_vk.txt"
echo "== models"
models=
for h in "$p/heads/"*.head.gz; do
	n=$(basename "$h" .head.gz)
	gunzip -c "$h" > "$w/$n.head"
	python3 tests/oracle/gguf_skeleton.py fill "$w/$n.head" "$w/$n.gguf"
	models="$models${models:+,}$w/$n.gguf"
done
hf_models "$@"
models="$models,$hf"
# the test models' cases on their random-data stand-ins (MiniLM's
# Hugging Face directory is absent: that case fails)
timeout 300 "$p/bin/t_vk_model" "$w" > "$o/t_vk_model.txt" 2>&1 ||
    echo "t_vk_model: exit $?"
grep -v '^ok' "$o/t_vk_model.txt" | cut -c 1-200 | tail -n 8
echo "== llm-bench"
"$p/bin/llm-bench" -q --roof -D vulkan -m "$models" > "$o/roof.jsonl" \
    2> "$o/roof.err" || echo "llm-bench --roof: exit $?"
"$p/bin/llm-bench" -q -D vulkan -m "$models" -p "$pp" -n "$tg" \
    -r "$reps" > "$o/bench.jsonl" 2> "$o/bench.err" ||
    echo "llm-bench: exit $?"
python3 - "$o/roof.jsonl" "$o/bench.jsonl" <<'PY' | tee "$o/bench.md"
import json, sys
for line in open(sys.argv[1]).readlines() + open(sys.argv[2]).readlines():
    r = json.loads(line)
    if r.get("kind") == "gpu_roof":
        print("# " + " ".join("%s=%s" % kv for kv in r.items()
                              if not isinstance(kv[1], dict)))
    elif r.get("kind") == "speed":
        print("| %s | %s | %.1f MiB | %s | %.1f ± %.1f t/s | %s%% %s |" % (
            r["model_name"], r["model_dtype"], r["model_size_mib"],
            r["test"], r["tok_s"], r["tok_s_sd"], r.get("roof_pct"),
            r.get("roof")))
PY
if [ -x "$p/bin/llm-bench.old" ]; then
	echo "== A/B: the previous build, and LC_VK_SYNC=1"
	for m in $(echo "$models" | tr , '\n' | grep -e -q4_k_m -e SmolLM2); do
		"$p/bin/llm-bench.old" -q -D vulkan -m "$m" -p "$pp" \
		    -n "$tg" -r "$reps" 2>/dev/null | sed 's/"device":"vulkan"/"device":"vulkan-old"/'
		[ "${AB_SYNC:-1}" = 0 ] ||
		LC_VK_SYNC=1 "$p/bin/llm-bench" -q -D vulkan -m "$m" -p "$pp" \
		    -n "$tg" -r "$reps" 2>/dev/null | sed 's/"device":"vulkan"/"device":"vulkan-sync"/' 
	done > "$o/ab.jsonl" || true
	python3 - "$o/ab.jsonl" <<'PY' | tee "$o/ab.md"
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("kind") == "speed":
        print("| %s | %s | %s | %.1f ± %.1f t/s |" % (r["model_name"],
              r["device"], r["test"], r["tok_s"], r["tok_s_sd"]))
PY
fi
echo "== profile"
for m in $(echo "$models" | tr , ' '); do
	for t in "-p $pp -n 0" "-p 0 -n $tg"; do
		echo "# $(basename "$m") $t"
		# shellcheck disable=SC2086
		LC_VK_PROFILE=1 "$p/bin/llm-bench" -q -D vulkan -m "$m" \
		    $t -r 1 --no-warmup 2>&1 >/dev/null |
		    grep '^vk profile' || true
	done
done > "$o/profile.txt"
grep -A 8 '^# .*-n [1-9]' "$o/profile.txt" | cut -c 13-130 || true
