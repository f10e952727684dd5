#!/usr/bin/env bash
# Runs examples/spark/job.py on a local Spark (2 cores) over generated users and checks
# that both of its results (rdd.pipe and mapInArrow) equal one `cohort batch` run over the
# same users. Installs what it needs from the ordinary registries: a Java runtime (the
# Debian package, when `java` is missing) and PySpark with PyArrow (PyPI). Not part of
# .ci/run (minutes and ~400 MB of packages); Scripts/partition-contract.sh is its cheap
# stand-in there.
#
#   examples/spark/run.sh               1,000,000 users
#   examples/spark/run.sh 2000000       another count
#   COHORT=dist/cohort examples/spark/run.sh   use this binary (else built by Scripts/build-release.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-1000000}
now=2026-12-02T00:00:00Z

if ! command -v java >/dev/null; then
    apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless
fi
python3 -c 'import pyspark, pyarrow, pandas' 2>/dev/null || python3 -m pip install -q pyspark pyarrow pandas
cohort=${COHORT:-dist/cohort}
[ -x "$cohort" ] || Scripts/build-release.sh "$cohort"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$cohort" gen users --count "$count" --seed 7 >"$dir/users.jsonl"
echo "input: $count users, $(($(stat -c %s "$dir/users.jsonl") / 1048576)) MiB; $(nproc) cores; $(java -version 2>&1 | head -1)"

# The reference: one run over the whole file.
/usr/bin/time -f "one cohort batch run: %e s, %M KiB peak" \
    "$cohort" batch examples/flags.cohort "$dir/users.jsonl" --now "$now" --output "$dir/one.jsonl"
sort "$dir/one.jsonl" >"$dir/one.sorted"

# The Spark job: the binary and the rules shipped to the workers with --files.
export PYSPARK_PYTHON=python3
/usr/bin/time -o "$dir/spark.time" -f "spark job (both recipes, with start-up): %e s, %U s user + %S s system CPU" \
    spark-submit --master "local[$(nproc)]" --driver-memory 2g --conf spark.ui.enabled=false \
    --files "$cohort,examples/flags.cohort" examples/spark/job.py \
    --input "$dir/users.jsonl" --output "$dir/out" --now "$now" 2>"$dir/spark.log" || { grep -v " INFO " "$dir/spark.log" | tail -40; exit 1; }
grep -E '^(pipe|arrow):' "$dir/spark.log" || true
cat "$dir/spark.time"

for recipe in pipe arrow; do
    cat "$dir/out/$recipe"/part-* | sort >"$dir/$recipe.sorted"
    if cmp -s "$dir/one.sorted" "$dir/$recipe.sorted"; then
        echo "ok: $recipe: $(wc -l <"$dir/$recipe.sorted") results, equal to one cohort batch run"
    else
        echo "FAILED: $recipe differs from one cohort batch run:" >&2
        diff "$dir/one.sorted" "$dir/$recipe.sorted" | head -5 >&2
        exit 1
    fi
done
