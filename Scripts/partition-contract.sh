#!/usr/bin/env bash
# The contract a distributed job relies on: cutting the input into parts, running
# `cohort batch` on each part on its own (as engine tasks do, with the partition options
# --on-error skip, --line-offset and a fixed --now) and concatenating the outputs in part
# order gives exactly the output of one run over the whole input — unreadable records
# included, at their lines of the whole input. Cheap enough for every CI run.
#
#   Scripts/partition-contract.sh [COHORT] [USERS] [PARTS]
set -euo pipefail
cd "$(dirname "$0")/.."
cohort=${1:-.build/release/cohort}
users=${2:-60000}
parts=${3:-7}
now=2026-12-02T00:00:00Z
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$cohort" gen users --count "$users" --seed 20 >"$dir/users.jsonl"
# Two unreadable records, one of them in the last part, and a big integer id.
sed -i -e '1234s/.*/{bad json/' -e "$((users - 7))s/.*/[\"not an object\"]/" \
    -e '4321s/"id":"[^"]*"/"id":12345678901234567890/' "$dir/users.jsonl"

# One run over the whole input.
set +e
"$cohort" batch examples/flags.cohort "$dir/users.jsonl" --now "$now" --output "$dir/whole.jsonl" 2>"$dir/whole.err"
status=$?
set -e
if [ "$status" != 1 ]; then echo "contract: the whole run exited $status, expected 1 (two unreadable records)" >&2; exit 1; fi

# The parts, each from the line after the last, with the offset of its first line.
per=$(((users + parts - 1) / parts))
split -l "$per" -d -a 3 "$dir/users.jsonl" "$dir/part."
offset=0
: >"$dir/merged.jsonl"
for part in "$dir"/part.*; do
    "$cohort" batch examples/flags.cohort - --now "$now" --jobs 1 --on-error skip --line-offset "$offset" \
        --summary-file "$part.summary" <"$part" >"$part.out"
    cat "$part.out" >>"$dir/merged.jsonl"
    offset=$((offset + $(wc -l <"$part")))
done

if ! cmp -s "$dir/whole.jsonl" "$dir/merged.jsonl"; then
    echo "contract: the merged output of $parts parts differs from one run:" >&2
    diff "$dir/whole.jsonl" "$dir/merged.jsonl" | head -5 >&2
    exit 1
fi
read_total=$(cat "$dir"/part.*.summary | grep -o '"read":[0-9]*' | cut -d: -f2 | awk '{ s += $1 } END { print s }')
if [ "$read_total" != "$users" ]; then echo "contract: the parts' summaries count $read_total records, not $users" >&2; exit 1; fi
grep -q '^{"line":1234,"error":' "$dir/merged.jsonl" || { echo "contract: the unreadable record is not at line 1234" >&2; exit 1; }
grep -q '^{"id":12345678901234567890,' "$dir/merged.jsonl" || { echo "contract: the big id was not echoed as written" >&2; exit 1; }
echo "ok: $parts parts of $users users merge to the output of one run (unreadable records at their lines)"
