#!/usr/bin/env bash
# Runs the other recipes of docs/distributed.md — a Dask bag, DuckDB streaming Parquet
# through `cohort batch -`, and Scala's RDD.pipe in spark-shell — over generated users and
# checks each result equals one `cohort batch` run. Installs dask and duckdb from PyPI
# (and what run.sh installs, for spark-shell).
#
#   examples/spark/recipes.sh [USERS]       default 200,000
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-200000}
now=2026-12-02T00:00:00Z
python3 -c 'import dask.bag, duckdb' 2>/dev/null || python3 -m pip install -q "dask[bag]" duckdb
cohort=$(realpath "${COHORT:-dist/cohort}")
[ -x "$cohort" ] || Scripts/build-release.sh "$cohort"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$cohort" gen users --count "$count" --seed 7 >"$dir/users.jsonl"
"$cohort" batch examples/flags.cohort "$dir/users.jsonl" --now "$now" --output "$dir/one.jsonl"
sort "$dir/one.jsonl" >"$dir/one.sorted"

check() {  # check NAME FILE...: the files' lines, sorted, equal the single run's
    local name=$1
    shift
    awk 1 "$@" | sort >"$dir/$name.sorted"  # awk 1: a last line without its newline (Dask) still ends
    if cmp -s "$dir/one.sorted" "$dir/$name.sorted"; then
        echo "ok: $name: $(wc -l <"$dir/$name.sorted") results, equal to one cohort batch run"
    else
        echo "FAILED: $name differs from one cohort batch run" >&2
        diff "$dir/one.sorted" "$dir/$name.sorted" | head -5 >&2
        exit 1
    fi
}

/usr/bin/time -f "dask bag: %e s" python3 examples/spark/dask_bag.py "$cohort" examples/flags.cohort "$dir/users.jsonl" "$dir/dask" "$now"
check dask "$dir"/dask/part-*.jsonl

python3 -c "import duckdb; duckdb.sql(\"COPY (SELECT * FROM read_json('$dir/users.jsonl')) TO '$dir/users.parquet'\")"
/usr/bin/time -f "duckdb: %e s" python3 examples/spark/duckdb_stage.py "$cohort" examples/flags.cohort "$dir/users.parquet" "$dir/duckdb.jsonl" "$now"
check duckdb "$dir/duckdb.jsonl"

spark_home=$(python3 -c 'import pyspark, os; print(os.path.dirname(pyspark.__file__))')
/usr/bin/time -f "scala RDD.pipe (spark-shell, with start-up): %e s" \
    "$spark_home/bin/spark-shell" --master "local[$(nproc)]" --conf spark.ui.enabled=false \
    --files "$cohort,examples/flags.cohort" --conf "spark.driver.args=$dir/users.jsonl $dir/scala $now" \
    -i examples/spark/Pipe.scala >"$dir/scala.log" 2>&1 </dev/null || { grep -v INFO "$dir/scala.log" | tail -20; exit 1; }
check scala "$dir"/scala/part-*
