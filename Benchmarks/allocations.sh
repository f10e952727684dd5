#!/usr/bin/env bash
# Heap allocations and instructions per evaluation of each workload, measured with valgrind
# (deterministic, unlike timings): runs `cohort-bench --alloc-probe W N` for two values of N
# and divides the differences by the difference of N, so setup costs cancel out.
#
#   Benchmarks/allocations.sh            W1 W2 W3 W4 W5, and APIW1 APIW2 APICTXW1 APICTXW2 APIW5 APIJSONW5 (public API)
#   Benchmarks/allocations.sh W1 W2      chosen workloads
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product cohort-bench >/dev/null
bench=.build/release/cohort-bench
small=2000 large=12000

allocs() {  # total heap allocations of one run
    valgrind --tool=memcheck --leak-check=no "$bench" --alloc-probe "$1" "$2" 2>&1 >/dev/null |
        sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,
}
instructions() {  # instructions executed by one run
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bench" --alloc-probe "$1" "$2" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

printf '%-4s %18s %22s\n' workload "allocs/evaluation" "instructions/evaluation"
for w in "${@:-W1 W2 W3 W4 W5 APIW1 APIW2 APICTXW1 APICTXW2 APIW5 APIJSONW5}"; do
    for x in $w; do
        a1=$(allocs "$x" $small); a2=$(allocs "$x" $large)
        i1=$(instructions "$x" $small); i2=$(instructions "$x" $large)
        awk -v w="$x" -v a1="$a1" -v a2="$a2" -v i1="$i1" -v i2="$i2" -v n=$((large - small)) \
            'BEGIN { printf "%-8s %14.2f %22.0f\n", w, (a2 - a1) / n, (i2 - i1) / n }'
    done
done
