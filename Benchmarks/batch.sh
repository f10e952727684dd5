#!/usr/bin/env bash
# End-to-end batch throughput and memory: `cohort batch examples/flags.cohort` over
# generated users (1,000,000 by default), through the real command, reading a file and
# writing JSON Lines. Also runs a fifth of the input, to show that peak memory does not grow
# with the input, and the full input once more with the results going to /dev/null, which
# separates the cost of writing a 200 MiB file on this machine's disk from Cohort's own.
#
#   Benchmarks/batch.sh            1,000,000 users
#   Benchmarks/batch.sh 5000000    another count
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
swift build -c release --product cohort >/dev/null
cohort=.build/release/cohort
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$cohort" gen users --count "$count" --seed 1 >"$dir/users.jsonl"
head -n $((count / 5)) "$dir/users.jsonl" >"$dir/fifth.jsonl"
echo "input: $count users, $(($(wc -c <"$dir/users.jsonl") / 1048576)) MiB; $(nproc) cores"

run() {  # run LABEL FILE RECORDS [OUTPUT]: five runs, the median wall time, and the peak RSS
    local label=$1 file=$2 records=$3 output=${4:-$dir/out.jsonl} times=() rss=0
    for _ in 1 2 3 4 5; do
        # A fresh output file each time: replacing the last one would also time freeing it.
        if [ "$output" != /dev/null ]; then rm -f "$output"; fi
        /usr/bin/time -f "%e %M" -o "$dir/time" "$cohort" batch examples/flags.cohort "$file" \
            --now 2026-12-02T00:00:00Z --output "$output"
        read -r seconds kb <"$dir/time"
        times+=("$seconds")
        if ((kb > rss)); then rss=$kb; fi
    done
    local median
    median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
    echo "  runs: $(printf '%s ' "${times[@]}")s" >&2
    awk -v l="$label" -v s="$median" -v n="$records" -v m="$rss" \
        'BEGIN { printf "%-22s %8.2f s  %10.0f records/s  peak RSS %6.1f MiB\n", l, s, n / s, m / 1024 }'
}
run "$count users" "$dir/users.jsonl" "$count"
run "$((count / 5)) users" "$dir/fifth.jsonl" "$((count / 5))"
run "$count to /dev/null" "$dir/users.jsonl" "$count" /dev/null
