"""`cohort batch` as a stage of a Dask bag: each partition of the JSON Lines input is
piped through one `cohort batch -` process; the result lines are written one file per
partition, in input order.

    python3 dask_bag.py COHORT RULES USERS.jsonl OUT_DIR NOW
"""
import subprocess
import sys

import dask
import dask.bag as db



def evaluate(lines, command):
    """One partition: its lines in, its results out (a line per record, in order)."""
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    done = subprocess.run(command, input=text.encode(), stdout=subprocess.PIPE, check=True)
    return done.stdout.decode().splitlines()


if __name__ == "__main__":
    cohort, rules, users, out, now = sys.argv[1:6]
    command = [cohort, "batch", rules, "-", "--jobs", "1", "--now", now, "--on-error", "skip", "--no-progress"]
    bag = db.read_text(users, blocksize="16MiB")
    with dask.config.set(scheduler="processes"):
        bag.map_partitions(evaluate, command).to_textfiles(f"{out}/part-*.jsonl")
