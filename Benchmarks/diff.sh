#!/usr/bin/env bash
# `cohort diff` end to end: examples/flags.cohort against an edited copy (the
# new_checkout rollout raised from `< 20` to `< 40`) over generated users, through the
# real command. Two parts:
#
# 1. The issue's check, over 100,000 users: the changed records (--changes) are exactly
#    the users whose bucket of "new_checkout" is in [20, 40) and who did not have the
#    new checkout already, flipping false -> true, and, for express_pay, those of them on
#    a paying plan; nothing else changes. The expectation is worked out apart from diff,
#    from `cohort batch` of the old rules and of a file serving each user's bucket.
# 2. Throughput: the median of five runs of `cohort diff` (and, alternating with it,
#    `cohort batch` of the old rules to /dev/null, the speed class diff must keep) over
#    1,000,000 users by default, in records per second, with the peak RSS; and
#    `cohort diff --jobs 1`.
#
#   Benchmarks/diff.sh            1,000,000 users
#   Benchmarks/diff.sh 3000000    another count
#
# The release build uses its own scratch path (.build-release) and, on the team's
# machine, the build lock (/work/bin/swiftlock); elsewhere plain `swift`.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
swift=swift
if [ -x /work/bin/swiftlock ]; then swift=/work/bin/swiftlock; fi
"$swift" build -c release --scratch-path .build-release --product cohort >/dev/null
cohort=.build-release/release/cohort
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
now=2026-12-02T00:00:00Z

sed 's/bucket(user.id) < 20/bucket(user.id) < 40/' examples/flags.cohort >"$dir/new.cohort"
if cmp -s examples/flags.cohort "$dir/new.cohort"; then echo "diff.sh: the edit found nothing to change" >&2; exit 1; fi

# 1. The property, over 100,000 users.
"$cohort" gen users --count 100000 --seed 7 >"$dir/check.jsonl"
"$cohort" diff examples/flags.cohort "$dir/new.cohort" "$dir/check.jsonl" --now "$now" --changes "$dir/changes.jsonl" \
    --format json >"$dir/report.json"
"$cohort" batch examples/flags.cohort "$dir/check.jsonl" --now "$now" --flags new_checkout --output "$dir/old.jsonl"
printf 'flag b {\n  when exists(user.id) serve bucket(user.id, "new_checkout")\n  default -1\n}\n' >"$dir/bucket.cohort"
"$cohort" batch "$dir/bucket.cohort" "$dir/check.jsonl" --now "$now" --output "$dir/bucket.jsonl"
python3 - "$dir" <<'EOF'
import json, sys
d = sys.argv[1]
users = {json.loads(l)["id"]: json.loads(l) for l in open(f"{d}/check.jsonl")}
old = {json.loads(l)["id"]: json.loads(l)["flags"]["new_checkout"] for l in open(f"{d}/old.jsonl")}
bucket = {json.loads(l)["id"]: json.loads(l)["flags"]["b"] for l in open(f"{d}/bucket.jsonl")}
flips = {i for i in users if 20 <= bucket[i] < 40 and old[i] is False}
paying = {i for i in flips if users[i].get("plan") in ("pro", "enterprise")}
changes = [json.loads(l) for l in open(f"{d}/changes.jsonl")]
seen_checkout = {c["id"] for c in changes if "new_checkout" in c["changes"]}
seen_express = {c["id"] for c in changes if "express_pay" in c["changes"]}
wrong = [c for c in changes if set(c["changes"]) - {"new_checkout", "express_pay"}
         or any(v != {"from": False, "to": True} for v in c["changes"].values())]
report = json.load(open(f"{d}/report.json"))
assert not wrong, f"unexpected changes: {wrong[:3]}"
assert seen_checkout == flips, f"new_checkout: {len(seen_checkout ^ flips)} users differ from the expected {len(flips)}"
assert seen_express == paying, f"express_pay: {len(seen_express ^ paying)} users differ from the expected {len(paying)}"
assert report["flags"]["new_checkout"]["changed"] == len(flips) and report["flags"]["express_pay"]["changed"] == len(paying)
assert all(f["changed"] == 0 for n, f in report["flags"].items() if n not in ("new_checkout", "express_pay"))
in_range = sum(1 for i in users if 20 <= bucket[i] < 40)
print(f"check: 100000 users, {in_range} in buckets 20..39 of new_checkout, {len(flips)} of them flip false -> true "
      f"(the others had it already), express_pay flips for the {len(paying)} paying ones; nothing else changes: ok")
EOF

# 2. Throughput.
"$cohort" gen users --count "$count" --seed 1 >"$dir/users.jsonl"
echo "input: $count users, $(($(wc -c <"$dir/users.jsonl") / 1048576)) MiB; $(nproc) cores"
declare -A times rss
for _ in 1 2 3 4 5; do
    for label in diff batch "diff --jobs 1"; do
        case $label in
            diff) command=("$cohort" diff examples/flags.cohort "$dir/new.cohort" "$dir/users.jsonl" --now "$now") ;;
            "diff --jobs 1") command=("$cohort" diff examples/flags.cohort "$dir/new.cohort" "$dir/users.jsonl" --now "$now" --jobs 1) ;;
            batch) command=("$cohort" batch examples/flags.cohort "$dir/users.jsonl" --now "$now" --output /dev/null) ;;
        esac
        /usr/bin/time -f "%e %M" -o "$dir/time" "${command[@]}" >/dev/null
        read -r seconds kb <"$dir/time"
        times[$label]="${times[$label]:-} $seconds"
        if ((kb > ${rss[$label]:-0})); then rss[$label]=$kb; fi
    done
done
for label in diff batch "diff --jobs 1"; do
    median=$(printf '%s\n' ${times[$label]} | sort -n | sed -n 3p)
    echo "  $label runs:${times[$label]} s" >&2
    awk -v l="$label" -v s="$median" -v n="$count" -v m="${rss[$label]}" \
        'BEGIN { printf "%-16s %8.2f s  %10.0f records/s  peak RSS %6.1f MiB\n", l, s, n / s, m / 1024 }'
done
