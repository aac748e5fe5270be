#!/bin/sh
# run.sh - feed the malformed GGUF corpus to llm-inspect.
#
# usage: sh tests/malformed/run.sh BINDIR WORKDIR
#
# Writes the corpus into WORKDIR with $O/tests/malformed/mkbad (O defaults
# to build/rel), then requires, for every malformed file, exit status 1
# and exactly one stderr line "llm-inspect: FILE: ..." holding the text
# expect.tsv gives for it; the same lines, in order, from one run over
# all of them; and exit status 0 for every ok-*.gguf.  With
# LC_MEMLIMIT_KB set, llm-inspect runs under "ulimit -v" of that much.
# Prints "ok NAME" or "FAILED NAME: reason" per check, then
# "N passed, N failed"; exits 1 if any failed.

if [ $# -ne 2 ]; then
	echo "usage: sh tests/malformed/run.sh bindir workdir" >&2
	exit 2
fi
bindir=$1
work=$2
mkbad=${O:-build/rel}/tests/malformed/mkbad
inspect=$bindir/llm-inspect
tab=$(printf '\t')
pass=0
fail=0

ok() {
	echo "ok $1"
	pass=$((pass + 1))
}

failed() {
	echo "FAILED $1: $2"
	fail=$((fail + 1))
}

# status RC: describes an exit status that is not the one wanted
status() {
	case $1 in
	124)	echo "timed out after 10 s" ;;
	12[5-7])	echo "could not run (exit status $1)" ;;
	1[3-9][0-9]|2[0-9][0-9])
		echo "killed by signal $(($1 - 128))" ;;
	*)	echo "exit status $1" ;;
	esac
}

mkdir -p "$work" || exit 1
rm -f "$work"/*.gguf "$work"/expect.tsv "$work"/stderr "$work"/all.*
if ! "$mkbad" "$work"; then
	failed mkbad "$mkbad $work failed"
	echo "$pass passed, $fail failed"
	exit 1
fi
if [ ! -x "$inspect" ]; then
	failed llm-inspect "$inspect is not an executable"
	echo "$pass passed, $fail failed"
	exit 1
fi
if [ -n "${LC_MEMLIMIT_KB:-}" ]; then
	ulimit -v "$LC_MEMLIMIT_KB" || exit 1
fi

# one file at a time
err=$work/stderr
n=0
: >"$work/all.want"
set --
while IFS=$tab read -r f want; do
	path=$work/$f
	n=$((n + 1))
	set -- "$@" "$path"
	timeout 10 "$inspect" "$path" >/dev/null 2>"$err"
	rc=$?
	cat "$err" >>"$work/all.want"
	line=$(head -n 1 "$err")
	if [ "$rc" -ne 1 ]; then
		failed "$f" "$(status "$rc"), wanted 1: $line"
	elif [ "$(wc -l <"$err")" -ne 1 ] || [ "$(grep -c '' "$err")" -ne 1 ]
	then
		failed "$f" \
		    "stderr is $(grep -c '' "$err") lines, wanted 1: $line"
	else
		case $line in
		"llm-inspect: $path: "*"$want"*)
			ok "$f" ;;
		"llm-inspect: $path: "*)
			failed "$f" "got '$line', wanted '$want'" ;;
		*)
			failed "$f" \
			    "got '$line', wanted 'llm-inspect: $path: ...'"
			;;
		esac
	fi
done <"$work/expect.tsv"
if [ "$n" -eq 0 ]; then
	failed expect.tsv "no malformed files"
fi

# all of them in one run: one line each, in order, and exit status 1
timeout 10 "$inspect" "$@" >/dev/null 2>"$work/all.got"
rc=$?
if [ "$rc" -ne 1 ]; then
	failed "all $n at once" "$(status "$rc"), wanted 1"
elif [ "$(grep -c '' "$work/all.got")" -ne "$n" ]; then
	failed "all $n at once" "$(grep -c '' "$work/all.got") stderr lines, \
wanted $n"
elif ! cmp -s "$work/all.want" "$work/all.got"; then
	failed "all $n at once" "stderr differs from the single runs' \
(diff $work/all.want $work/all.got)"
else
	ok "all $n at once"
fi

# the valid edge cases
for path in "$work"/ok-*.gguf; do
	f=${path##*/}
	timeout 10 "$inspect" "$path" >/dev/null 2>"$err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		failed "$f" "$(status "$rc"), wanted 0: $(head -n 1 "$err")"
	else
		ok "$f"
	fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
