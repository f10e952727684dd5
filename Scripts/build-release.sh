#!/usr/bin/env bash
# Builds a self-contained `cohort` for Linux: the Swift standard library and Foundation
# linked statically (`--static-swift-stdlib`), stripped, needing only the C libraries every
# distribution has (libc, libm, libstdc++, libgcc_s). Prints the libraries it needs and its
# glibc baseline: the oldest glibc it runs on is the newest symbol version it uses, which
# is the glibc of the machine that built it or older.
#
#   Scripts/build-release.sh                 writes dist/cohort
#   Scripts/build-release.sh OUT             writes OUT
#   SWIFT="/work/bin/swiftlock" Scripts/build-release.sh   runs swift through a wrapper
#
# Copy the binary to every worker (spark-submit --files, a container image layer, a
# shared file system): it runs with no Swift toolchain installed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist/cohort}
swift=${SWIFT:-swift}
scratch=${SCRATCH_PATH:-.build-static}

$swift build -c release --product cohort --static-swift-stdlib --scratch-path "$scratch" >&2
mkdir -p "$(dirname "$out")"
strip -o "$out" "$scratch/release/cohort"

echo "built: $out ($(($(stat -c %s "$out") / 1048576)) MiB, stripped)"
echo "needs:"
# What the loader resolves; a Swift runtime library here would mean the link was not static.
ldd "$out" | sed 's/^/  /'
if ldd "$out" | grep -q 'libswift'; then
    echo "error: $out still needs Swift runtime libraries" >&2
    exit 1
fi
baseline=$(objdump -T "$out" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
echo "glibc baseline: ${baseline#GLIBC_} (runs on glibc ${baseline#GLIBC_} or newer)"
