#!/bin/sh
# pack-speed.sh - llm-pack create and verify against the bars they must
# meet, measured interleaved in one run, cold (page cache of the input
# and output dropped before each timed step with dd iflag=nocache):
#   cat         cat FILE > /dev/null                 (the read bar)
#   create-shm  llm-pack create -o $SHM/x.llmpack    (vs cat)
#   copy        cat FILE > DIR/copy                  (the copy bar: the
#   copy+fsync  ... then sync DIR/copy                same disk as FILE)
#   create-disk llm-pack create -o DIR/x.llmpack     (vs copy+fsync: create
#                                                     fsyncs its output)
#   verify      llm-pack verify DIR/x.llmpack        (vs cat)
# Each line is one repetition; the last line gives the medians.  The
# load average and the CPU seconds (user+sys) of create are printed too:
# create needs about two cores, cat almost none, so a busy machine shows
# in create's figure first.
# Usage: bench/pack-speed.sh [FILE [BINDIR]]; REPS=3, SHM=/dev/shm.
# FILE defaults to a 2 GiB random file made in /tmp (kept for reruns);
# DIR is FILE's directory.
set -eu
f=${1:-/tmp/pack-bench/big.bin}
bin=${2:-.}
reps=${REPS:-3}
shm=${SHM:-/dev/shm}
dir=$(dirname "$f")
if [ ! -f "$f" ]; then
	mkdir -p "$dir"
	head -c 2G /dev/urandom > "$f"
fi
bytes=$(stat -c %s "$f")
res=$(mktemp)
trap 'rm -f "$res" "$dir/copy" "$dir/x.llmpack" "$shm/x.llmpack"' EXIT
drop() { for g; do [ -e "$g" ] && dd if="$g" iflag=nocache count=0 status=none; done; :; }
now() { date +%s.%N; }
sec() { echo "$1 $2" | awk '{ printf "%.3f", $2 - $1 }'; }
cpu() {	# user+sys seconds of the children so far
	awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat
}
mbs() { echo "$1" | awk -v b="$bytes" '{ printf "%.0f", b / $1 / 1e6 }'; }
settle() { sync; drop "$f" "$dir/copy" "$dir/x.llmpack" "$shm/x.llmpack"; }

echo "file: $f ($bytes bytes); out: $dir and $shm; load: $(cut -d' ' -f1-3 /proc/loadavg)"
i=0
while [ $i -lt "$reps" ]; do
	i=$((i + 1))
	settle
	s=$(now); cat "$f" > /dev/null; tc=$(sec "$s" "$(now)")
	settle
	c0=$(cpu); s=$(now)
	"$bin"/llm-pack create -q -o "$shm/x.llmpack" -i "$f" > /dev/null
	ts=$(sec "$s" "$(now)"); c1=$(cpu)
	rm -f "$shm/x.llmpack"
	settle
	s=$(now); cat "$f" > "$dir/copy"; tk=$(sec "$s" "$(now)")
	sync "$dir/copy"; tkf=$(sec "$s" "$(now)")
	rm -f "$dir/copy"
	settle
	c2=$(cpu); s=$(now)
	"$bin"/llm-pack create -q -o "$dir/x.llmpack" -i "$f" > /dev/null
	td=$(sec "$s" "$(now)"); c3=$(cpu)
	settle
	s=$(now); "$bin"/llm-pack verify -q "$dir/x.llmpack" > /dev/null
	tv=$(sec "$s" "$(now)")
	rm -f "$dir/x.llmpack"
	cs=$(echo "$c0 $c1" | awk '{ printf "%.1f", ($2 - $1) / 100 }')
	cd=$(echo "$c2 $c3" | awk '{ printf "%.1f", ($2 - $1) / 100 }')
	echo "$tc $ts $tk $tkf $td $tv $cs $cd" >> "$res"
	echo "$tc $ts $tk $tkf $td $tv $cs $cd" | awk -v b="$bytes" \
	    -v l="$(cut -d' ' -f1 /proc/loadavg)" '{
		printf "rep: cat %.0f  create-shm %.0f (%.0f%%)  copy %.0f  " \
		    "copy+fsync %.0f  create-disk %.0f (%.0f%%, %.0f%%)  " \
		    "verify %.0f (%.0f%%)  cpu %s+%s s  load %s\n",
		    b/$1/1e6, b/$2/1e6, 100*$1/$2, b/$3/1e6, b/$4/1e6, b/$5/1e6,
		    100*$4/$5, 100*$3/$5, b/$6/1e6, 100*$1/$6, $7, $8, l }'
done
# medians of the times, column by column
for col in 1 2 3 4 5 6; do
	cut -d' ' -f$col "$res" | sort -n | awk '{ v[NR] = $1 } END {
		print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
done | paste -s -d' ' | awk -v b="$bytes" -v n="$reps" \
    -v l="$(cut -d' ' -f1-3 /proc/loadavg)" '{
	printf "median of %d: cat %.0f  create-shm %.0f (%.0f%%)  copy %.0f  " \
	    "copy+fsync %.0f  create-disk %.0f (%.0f%% of copy+fsync, " \
	    "%.0f%% of copy)  verify %.0f (%.0f%%)  load %s\n", n,
	    b/$1/1e6, b/$2/1e6, 100*$1/$2, b/$3/1e6, b/$4/1e6, b/$5/1e6,
	    100*$4/$5, 100*$3/$5, b/$6/1e6, 100*$1/$6, l }'
