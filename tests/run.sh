#!/bin/sh
# run.sh - run every test: unit tests, CLI tests (tests/cli/*.t), the
# malformed-GGUF corpus, the real-model goldens, man page and completion
# lint.  Prints "ok NAME" or "FAILED NAME: why" per test and ends with
# "N passed, N failed"; exits 1 if any failed.
#
# Environment (set by 'make test'): O (build dir), BINDIR (binaries),
# MODELS_DIR (cache of the real test models).  ONLY=PATTERN (a shell
# pattern) runs only the unit, kernel and CLI tests whose name matches,
# e.g. ONLY='*pack*' for t_pack and llm-pack.t, during development.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
O=${O:-build/rel}
BINDIR=${BINDIR:-.}
MODELS_DIR=${MODELS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/llmutils/models}
W=$(mktemp -d "${TMPDIR:-/tmp}/llmutils-test.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
PATH=$(cd "$BINDIR" && pwd):$PATH
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$top/tests/lsan.supp:print_suppressions=0"
export PATH O BINDIR MODELS_DIR W LSAN_OPTIONS

# Mesa's Vulkan driver leaks a few bytes LeakSanitizer cannot trace to
# a module (no suppression matches): leak checks are off for the tests
# that drive a Vulkan device (CLI tests set ASAN_OPTIONS themselves)
asan_opts() {
	case $1 in
	k_vk|t_vk_model|t_roof) echo "${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" ;;
	*) echo "${ASAN_OPTIONS:-}" ;;
	esac
}

pass=0 fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAILED $1: $2"; fail=$((fail + 1)); }

# --- unit tests --------------------------------------------------------
for t in "$O"/tests/unit/t_*; do
	[ -x "$t" ] || continue
	case $t in *.o) continue ;; esac
	n=$(basename "$t")
	case $n in ${ONLY:-*}) ;; *) continue ;; esac
	[ "$n" = t_models ] && continue
	if env ASAN_OPTIONS="$(asan_opts "$n")" "$t" > "$W/$n.out" 2>&1; then
		ok "$n ($(tail -n 1 "$W/$n.out"))"
	else
		bad "$n" "$(grep -m 5 FAILED "$W/$n.out" | tr '\n' ' ')"
	fi
done

# --- kernels: every SIMD level this CPU has against the scalar reference
for t in "$O"/tests/kernels/k_*; do
	[ -x "$t" ] || continue
	case $t in *.o) continue ;; esac
	n=$(basename "$t")
	case $n in ${ONLY:-*}) ;; *) continue ;; esac
	if env ASAN_OPTIONS="$(asan_opts "$n")" "$t" > "$W/$n.out" 2>&1; then
		ok "$n ($(tail -n 1 "$W/$n.out"))"
	else
		bad "$n" "$(grep -m 5 FAILED "$W/$n.out" | tr '\n' ' ')"
	fi
done

# --- the shader and whole-model tests again under Khronos' validation
#     layer with its synchronization checks (a missing barrier, a fused
#     dispatch reading what another writes unordered): no message may
#     appear.  Not in the sanitizer build (the layer is slow there; the
#     API use is the same)
lay=/usr/share/vulkan/explicit_layer.d/VkLayer_khronos_validation.json
for t in tests/kernels/k_vk tests/unit/t_vk_model; do
	n=$(basename "$t")-validation
	case $n in ${ONLY:-*}) ;; *) continue ;; esac
	if [ ! -f "$lay" ]; then
		bad "$n" "no $lay (make deps installs vulkan-validationlayers)"
	elif case $O in *san*) true ;; *) false ;; esac; then
		ok "$n (skipped in the sanitizer build)"
	elif env VK_INSTANCE_LAYERS=VK_LAYER_KHRONOS_validation \
	    VK_LAYER_ENABLES=VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT \
	    "$O/$t" > "$W/$n.out" 2>&1 &&
	    ! grep -q 'Validation Error\|Validation Warning\|SYNC-HAZARD' "$W/$n.out"; then
		ok "$n ($(tail -n 1 "$W/$n.out"))"
	else
		bad "$n" "$(grep -m 3 'FAILED\|Validation\|SYNC-' "$W/$n.out" | cut -c 1-300 | tr '\n' ' ')"
	fi
done

# --- measuring tools (bench/*.c), once each on small inputs: they run
#     and print what they promise; their figures are not checked
n=vk_matvec
case $n in ${ONLY:-*})
	if env ASAN_OPTIONS="$(asan_opts k_vk)" "$O/bench/$n" -t q4_k,q6_k -s 512x64,256x8 -m 0.1 -r 1 \
	    > "$W/$n.out" 2> "$W/$n.err"; then
		if [ "$(grep -c '^{"cfg":"64x2","type":"q[46]_k","k":[0-9]*,"n":[0-9]*,"mode":"\(dep\|indep\)","us":[0-9.]*,"gbs":[0-9.]*,"rec_us":[0-9.]*}$' "$W/$n.out")" = 8 ]; then
			ok "$n (8 lines)"
		else
			bad "$n" "unexpected output: $(head -c 300 "$W/$n.out")"
		fi
	elif grep -q 'no Vulkan device\|no usable Vulkan loader\|build has no Vulkan' "$W/$n.err"; then
		ok "$n (skipped: no Vulkan device)"
	else
		bad "$n" "$(head -c 300 "$W/$n.err")"
	fi ;;
esac

# --- fixtures ----------------------------------------------------------
TINY=$W/tiny.gguf
"$O"/tests/data/mkmodel "$TINY" || bad mkmodel "cannot write $TINY"
"$O"/tests/data/mkmodel -x "$W/odd.gguf" || bad mkmodel "cannot write odd.gguf"
export TINY

# --- CLI tests: command, stdin, ".", expected stdout (or stderr for a
#     "%%FAIL N" block, which also expects exit status N) -------------
for f in tests/cli/*.t; do
	case $(basename "$f" .t) in ${ONLY:-*}) ;; *) continue ;; esac
	awk -v dir="$W/blocks" -v base="$(basename "$f" .t)" '
	BEGIN { n = 0; state = 0 }
	/^#/ && state == 0 { next }
	/^$/ { if (state != 0) { close(cur "/cmd"); close(cur "/in");
		close(cur "/exp"); close(cur "/status") } state = 0; next }
	state == 0 {
		n++; cur = sprintf("%s/%s.%03d", dir, base, n)
		system("mkdir -p \"" cur "\"")
		if ($0 ~ /^%%FAIL/) { print $2 > (cur "/status"); state = 1; next }
		print "0" > (cur "/status")
		print $0 > (cur "/cmd"); state = 2; next }
	state == 1 { print $0 > (cur "/cmd"); state = 2; next }
	state == 2 && $0 == "." { printf "" > (cur "/exp"); state = 3; next }
	state == 2 { print $0 > (cur "/in"); next }
	state == 3 { print $0 > (cur "/exp"); next }
	' "$f"
done
for b in "$W"/blocks/*; do
	[ -d "$b" ] || continue
	n=$(basename "$b")
	want=$(cat "$b/status")
	[ -f "$b/in" ] || : > "$b/in"
	[ -f "$b/exp" ] || : > "$b/exp"
	(cd "$top" && timeout 60 sh -c "$(cat "$b/cmd")") < "$b/in" \
	    > "$b/out" 2> "$b/err"
	got=$?
	if [ "$want" = 0 ]; then cmp=out; else cmp=err; fi
	if [ "$got" != "$want" ]; then
		bad "$n" "exit $got, expected $want: $(cat "$b/cmd"): $(head -c 300 "$b/err")"
	elif ! diff -u "$b/exp" "$b/$cmp" > "$b/diff"; then
		bad "$n" "$(cat "$b/cmd"): output differs:
$(head -n 20 "$b/diff")"
	else
		ok "$n"
	fi
done

if [ -n "${ONLY:-}" ]; then
	echo "$pass passed, $fail failed (ONLY=$ONLY)"
	[ "$fail" -eq 0 ]
	exit
fi

# --- malformed GGUF corpus ----------------------------------------------
if [ -f tests/malformed/run.sh ]; then
	if sh tests/malformed/run.sh "$BINDIR" "$W/malformed" > "$W/malformed.out" 2>&1; then
		ok "malformed corpus ($(tail -n 1 "$W/malformed.out"))"
	else
		bad "malformed corpus" "$(grep FAILED "$W/malformed.out" | head -n 10)"
	fi
fi

# --- real models: dequantization against gguf-py goldens ---------------
if "$O"/tests/unit/t_models "$MODELS_DIR" tests/golden/models > "$W/models.out" 2>&1; then
	ok "t_models ($(tail -n 1 "$W/models.out"))"
else
	bad t_models "$(grep -m 10 -E 'FAILED|error' "$W/models.out" | tr '\n' ' ')"
fi

# --- man pages, --help against SYNOPSIS, completions --------------------
for m in man/*.[157]; do
	if command -v mandoc > /dev/null; then
		out=$(mandoc -Tlint -W warning "$m" 2>&1)
	else
		out=$(groff -mdoc -ww -z "$m" 2>&1)
	fi
	if [ -n "$out" ]; then bad "lint $m" "$out"; else ok "lint $m"; fi
done
for c in cmd/llm-*.c; do
	n=$(basename "$c" .c)
	[ -f "man/$n.1" ] || { bad "man $n" "no man/$n.1"; continue; }
	# every long option in --help is in the man page, the completions,
	# and the other way round
	"$BINDIR/$n" --help > "$W/$n.help" 2>&1 || bad "$n --help" "exit $?"
	help=$(grep -o -- '--[a-z][a-z-]*' "$W/$n.help" | sort -u)
	man=$(sed 's/\\-/-/g' "man/$n.1" | grep -o -- 'Fl -[a-z][a-z-]*' |
	    sed 's/.*Fl -/--/' | sort -u)
	if [ "$help" != "$man" ]; then
		bad "$n options" "--help and man/$n.1 differ: $(echo "$help" | tr '\n' ' ') / $(echo "$man" | tr '\n' ' ')"
	else
		ok "$n options: --help = man page"
	fi
	for sh in bash zsh fish; do
		case $sh in
		bash) cf=completions/bash/$n ;;
		zsh) cf=completions/zsh/_$n ;;
		fish) cf=completions/fish/$n.fish ;;
		esac
		[ -f "$cf" ] || { bad "$sh completion $n" "no $cf"; continue; }
		comp=$(grep -o -- '--[a-z][a-z-]*\|-l [a-z][a-z-]*' "$cf" |
		    sed 's/^-l /--/' | sort -u)
		if [ "$help" != "$comp" ]; then
			bad "$sh completion $n" "options differ from --help: $(echo "$comp" | tr '\n' ' ')"
		elif command -v $sh > /dev/null && ! $sh -n "$cf" 2>"$W/sh.err"; then
			bad "$sh completion $n" "$(cat "$W/sh.err")"
		else
			ok "$sh completion $n"
		fi
	done
done

# every example record in llm-jsonl(5) is one valid JSON object
if command -v python3 > /dev/null; then
	if awk '/^\.Bd -literal/ { lit = 1; next } /^\.Ed/ { lit = 0 }
	    lit && /^\{/ { print FILENAME ":" FNR ":" $0 }' man/llm-jsonl.5 |
	    python3 -c '
import json, sys
bad = n = 0
for line in sys.stdin:
    where, _, rec = line.rstrip("\n").partition(":{")
    n += 1
    try:
        if not isinstance(json.loads("{" + rec), dict): raise ValueError("not an object")
    except ValueError as err:
        bad += 1; print(where, err)
print(n, "records")
sys.exit(1 if bad or n == 0 else 0)' > "$W/jsonl5.out" 2>&1; then
		ok "llm-jsonl.5 examples ($(tail -n 1 "$W/jsonl5.out"))"
	else
		bad "llm-jsonl.5 examples" "$(head -n 5 "$W/jsonl5.out" | tr '\n' ' ')"
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
