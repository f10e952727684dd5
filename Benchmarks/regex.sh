#!/usr/bin/env bash
# The regex engine's worst cases over 1 MiB of text, through the real command:
# `cohort eval 'user.s matches "PATTERN"' --user -` with a one-string user read from stdin.
# Each row is the median of three runs; the first row (an equality test, no regex) is the
# cost of starting cohort and reading the megabyte. The texts: one letter repeated, and
# random a/b (the worst text for a pattern that counts back from an `a`: the set of live
# threads never repeats, so the lazy DFA hands over to the bitset NFA).
#
#   Benchmarks/regex.sh                   builds the release binary first
#   COHORT=path/to/cohort Benchmarks/regex.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${COHORT:-}" ]; then
    swift build -c release --product cohort >/dev/null
    COHORT=.build/release/cohort
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir" <<'PY'
import json, random, sys
random.seed(1)
n = 1 << 20
open(sys.argv[1] + "/a.json", "w").write(json.dumps({"s": "a" * n}))
open(sys.argv[1] + "/ab.json", "w").write(json.dumps({"s": "".join(random.choice("ab") for _ in range(n))}))
PY

run() {  # run TEXT EXPRESSION: the median wall time of three runs, and the answer
    local text=$1 expression=$2 times=() answer
    for _ in 1 2 3; do
        local start end
        start=$(date +%s%N)
        answer=$("$COHORT" eval "$expression" --user - <"$dir/$text.json")
        end=$(date +%s%N)
        times+=("$(( (end - start) / 1000000 ))")
    done
    local median
    median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
    printf '| %-6s | %s | %s ms | %s |\n' "$text" "\`${expression}\`" "$median" "$answer"
}

echo "| text | expression | time | answer |"
echo "|---|---|---|---|"
run a  'user.s == "x"'
run a  'user.s matches "[a-z]{1000}x"'
run ab 'user.s matches "[a-z]{1000}x"'
run ab 'user.s matches "(a+)+$"'
run ab 'user.s matches "[ab]*a[ab]{999}c"'
run ab 'user.s matches "[ab]*a[ab]{0,999}c"'
run ab 'user.s matches "[ab]*a(?:a|b){999}c"'
run ab 'user.s matches "[ab]*a[ab]{999}[ab]{999}[ab]{999}[ab]{999}[ab]{999}[ab]{999}[ab]{999}[ab]{999}[ab]{999}[ab]{999}c"'
run ab 'user.s matches "[ab]*a(?:[ab]{0,999}){9}c"'
run ab 'user.s matches "[ab]*a(?:ab|ba|aa|bb){999}c"'
run ab 'user.s matches "[ab]*a(?:ab|ba|aa|bb|a|b){999}c"'
