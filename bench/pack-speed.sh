#!/bin/sh
# pack-speed.sh - llm-pack create and verify against reading the same
# file with cat, in one run, cold (page cache dropped for the file with
# dd iflag=nocache) and warm.  Usage: bench/pack-speed.sh [FILE [BINDIR]]
# FILE defaults to a 2 GiB random file made in /tmp (kept for reruns).
set -eu
f=${1:-/tmp/pack-bench/big.bin}
bin=${2:-.}
out=${PACK_OUT:-$(dirname "$f")/bench.llmpack}	# PACK_OUT=/dev/shm/x: no disk writes
if [ ! -f "$f" ]; then
	mkdir -p "$(dirname "$f")"
	head -c 2G /dev/urandom > "$f"
fi
bytes=$(stat -c %s "$f")
drop() { dd if="$1" iflag=nocache count=0 status=none; }
t() {	# seconds of "$@"
	s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N)
	echo "$s $e" | awk '{ printf "%.3f", $2 - $1 }'
}
rate() { echo "$1" | awk -v b="$bytes" '{ printf "%.0f MB/s", b / $1 / 1e6 }'; }
pct() { echo "$1 $2" | awk '{ printf "%.0f%%", 100 * $2 / $1 }'; }
echo "file: $f ($bytes bytes); load: $(cut -d' ' -f1-3 /proc/loadavg)"
for mode in cold warm; do
	[ $mode = cold ] && drop "$f"
	tc=$(t cat "$f")
	[ $mode = cold ] && drop "$f"
	tp=$(t "$bin"/llm-pack create -q -o "$out" -i "$f")
	[ $mode = cold ] && { drop "$f"; drop "$out"; }
	tv=$(t "$bin"/llm-pack verify -q "$out")
	echo "$mode: cat $(rate "$tc")  create $(rate "$tp") ($(pct "$tp" "$tc") of cat)  verify $(rate "$tv") ($(pct "$tv" "$tc") of cat)"
done
rm -f "$out"
