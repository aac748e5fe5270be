#!/bin/sh
# deps.sh - install the Debian packages llmutils builds, tests and runs
# with.  Does nothing when they are all installed already; otherwise
# needs root (or sudo) and the Debian archive.
set -eu

pkgs="build-essential pkg-config libopenblas-dev libvulkan-dev glslang-tools
mesa-vulkan-drivers vulkan-validationlayers libcjson-dev libarchive-dev
libxxhash-dev libssl-dev zstd unzip clang libclang-rt-14-dev mandoc zsh fish
python3-pip"

missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing="$missing $p"
done
# pip may come from elsewhere (pyenv); then python3-pip is not needed
if command -v pip3 >/dev/null 2>&1 || command -v pip >/dev/null 2>&1; then
	missing=$(echo "$missing" | sed 's/ python3-pip//')
fi
if [ -z "$(echo "$missing" | tr -d ' ')" ]; then
	echo "deps: all packages installed" >&2
	exit 0
fi
echo "deps: installing$missing" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >&2
