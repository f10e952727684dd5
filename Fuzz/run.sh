#!/usr/bin/env bash
# Builds one libFuzzer target and runs it.
#
#   Fuzz/run.sh TARGET [SECONDS] [libFuzzer options...]
#
# TARGET is a file in Fuzz/Targets (compile, eval, fmt, json, csv, binder). SECONDS (default 60)
# bounds the run (-max_total_time). The binary, the growing corpus and any crash are kept
# under Fuzz/out/ (not committed); the committed seeds in Fuzz/corpus/TARGET are only read.
# See Fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:?usage: Fuzz/run.sh TARGET [SECONDS] [libFuzzer options...]}
seconds=${2:-60}
shift
if [ $# -gt 0 ]; then shift; fi

source_file=Fuzz/Targets/$target.swift
if [ ! -f "$source_file" ]; then
    echo "run.sh: no target '$target'; the targets are: $(cd Fuzz/Targets && ls -- *.swift | sed 's/\.swift$//' | tr '\n' ' ')" >&2
    exit 2
fi

out=Fuzz/out
binary=$out/bin/$target
mkdir -p "$out/bin" "$out/corpus/$target" "$out/artifacts"

# Build when the binary is missing or older than any source. All of Sources/Cohort and the
# target go into one module, so `package` and internal API is reachable. -sanitize=fuzzer
# adds libFuzzer and coverage; address adds AddressSanitizer (FUZZ_SANITIZE=fuzzer to
# leave it out). The build takes the shared build lock when there is one.
stale=yes
if [ -x "$binary" ] && [ -z "$(find Sources/Cohort Fuzz/Support.swift "$source_file" -name '*.swift' -newer "$binary")" ]; then
    stale=no
fi
if [ "$stale" = yes ]; then
    echo "building $binary ..." >&2
    build=(swiftc -O -g -sanitize="${FUZZ_SANITIZE:-fuzzer,address}" -parse-as-library -swift-version 6
           -module-name CohortFuzz -package-name Cohort
           $(find Sources/Cohort -name '*.swift' | LC_ALL=C sort) Fuzz/Support.swift "$source_file"
           -o "$binary")
    lock=${SWIFT_BUILD_LOCK:-/tmp/swiftbuild.lock}
    if command -v flock > /dev/null; then build=(flock "$lock" "${build[@]}"); fi
    if ! "${build[@]}" > "$out/build-$target.log" 2>&1; then
        grep -E 'error' "$out/build-$target.log" >&2 || tail -n 30 "$out/build-$target.log" >&2
        exit 1
    fi
fi

dictionary=()
if [ -f "Fuzz/dict/$target.dict" ]; then dictionary=(-dict="Fuzz/dict/$target.dict"); fi

# Swift's own crash backtracer would fight AddressSanitizer over the crashed process.
export SWIFT_BACKTRACE=enable=no

# At low priority, so builds and benchmarks of others are not starved. New inputs go to the
# first corpus directory (Fuzz/out); the seeds are read from the second.
exec nice -n 19 "$binary" "$out/corpus/$target" "Fuzz/corpus/$target" \
    "${dictionary[@]}" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$out/artifacts/$target-" -print_final_stats=1 "$@"
