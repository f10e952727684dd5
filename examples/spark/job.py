"""Evaluates every flag of a Cohort rule file for every user of a DataFrame, with
`cohort batch` as a stage of a PySpark job, in two ways:

  pipe   df.toJSON().pipe([...cohort batch RULES - ...]): one cohort process per
         partition, fed the partition's rows as JSON Lines.
  arrow  df.mapInArrow(...): each task turns its Arrow batches into JSON Lines, runs one
         cohort process for the partition and returns its lines as an Arrow column.

Both results are joined back to the users by id (from_json on the result lines) and
written as JSON Lines (one part file per partition). `run.sh` checks that each equals a
single `cohort batch` run over the same users.

    spark-submit --files dist/cohort,examples/flags.cohort examples/spark/job.py \
        --input users.jsonl --output out --now 2026-12-02T00:00:00Z
"""
import argparse
import os
import shlex
import subprocess
import time

from pyspark import SparkFiles
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T


def cohort_command(now):
    """The task's command: the binary and rules shipped with --files, one thread per task
    (Spark runs one task per core already), now() fixed on the driver, and unreadable
    records reported in the output without failing the task."""
    return [SparkFiles.get("cohort"), "batch", SparkFiles.get("flags.cohort"), "-",
            "--jobs", "1", "--now", now, "--on-error", "skip", "--no-progress"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--now", required=True)
    parser.add_argument("--partitions", type=int, default=8)
    args = parser.parse_args()

    spark = SparkSession.builder.appName("cohort-batch").getOrCreate()
    # Every column as a string or the type JSON gives it; no timestamp inference, so
    # times stay the strings the rules parse.
    users = spark.read.option("inferTimestamp", "false").json(args.input).repartition(args.partitions)
    users.cache().count()
    command = cohort_command(args.now)
    result_schema = T.StructType([
        T.StructField("id", T.StringType()),
        T.StructField("flags", T.MapType(T.StringType(), T.StringType())),
        T.StructField("errors", T.MapType(T.StringType(), T.StringType())),
        T.StructField("line", T.LongType()),
        T.StructField("error", T.StringType()),
    ])

    # 1. rdd.pipe: rows as JSON text in, result lines out, in the same order.
    started = time.time()
    rows = users.toJSON()
    # PySpark's toJSON gives an RDD of strings today and a DataFrame in later releases
    # (Scala's gives a Dataset: `.rdd` there).
    rows = rows.rdd.map(lambda row: row[0]) if hasattr(rows, "rdd") else rows
    # PySpark's pipe takes one command string (split as a shell would, without a shell).
    piped = rows.pipe(" ".join(shlex.quote(word) for word in command), env={"NO_COLOR": "1"})
    piped.saveAsTextFile(os.path.join(args.output, "pipe"))
    print(f"pipe: {time.time() - started:.1f} s")

    # 2. mapInArrow: one cohort process per partition, Arrow batches in and out.
    def evaluate(batches):
        import pyarrow as pa
        import json
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        # Feed stdin from a thread, so a full stdout pipe never blocks the writer.
        import threading

        def feed():
            for batch in batches:
                for row in batch.to_pylist():
                    # Spark's nulls are absent attributes, as toJSON writes them.
                    record = {k: v for k, v in row.items() if v is not None}
                    process.stdin.write((json.dumps(record, separators=(",", ":")) + "\n").encode())
            process.stdin.close()

        writer = threading.Thread(target=feed)
        writer.start()
        lines = [line.decode().rstrip("\n") for line in process.stdout]
        writer.join()
        if process.wait() != 0:
            raise RuntimeError(f"cohort exited {process.returncode}")
        yield pa.RecordBatch.from_pydict({"result": lines})

    started = time.time()
    arrow = users.mapInArrow(evaluate, "result string")
    # Join back to the users by id: the result line parsed with from_json.
    joined = (arrow.select(F.from_json("result", result_schema).alias("r"), "result")
              .join(users.select("id", "plan"), F.col("r.id") == F.col("id"), "left"))
    unmatched = joined.filter(F.col("plan").isNull() & F.col("r.id").isNotNull()).count()
    joined.select("result").write.mode("overwrite").text(os.path.join(args.output, "arrow"))
    print(f"arrow: {time.time() - started:.1f} s; results not joined back to a user: {unmatched}")
    spark.stop()


if __name__ == "__main__":
    main()
