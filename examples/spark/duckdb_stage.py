"""DuckDB → `cohort batch -` → DuckDB: users read from Parquet are streamed as JSON Lines
into one `cohort batch` process, and its results are read back and joined to the users
by id, all without an intermediate JSON file of the users.

    python3 duckdb_stage.py COHORT RULES USERS.parquet RESULTS.jsonl NOW
"""
import subprocess
import sys

import duckdb

cohort, rules, users, results, now = sys.argv[1:6]
con = duckdb.connect()
process = subprocess.Popen([cohort, "batch", rules, "-", "--now", now, "--output", results, "--no-progress"],
                           stdin=subprocess.PIPE)
# Times as RFC 3339 text (a Parquet TIMESTAMP would be written as "2024-10-17 07:09:10"),
# and each row as one JSON object per line, straight into cohort's stdin.
con.execute(f"""
    COPY (SELECT * REPLACE (strftime(signup_at, '%Y-%m-%dT%H:%M:%SZ') AS signup_at) FROM read_parquet('{users}'))
    TO '/dev/fd/{process.stdin.fileno()}' (FORMAT JSON)
""")
process.stdin.close()
if process.wait() != 0:
    sys.exit(f"cohort batch exited {process.returncode}")
# Back into DuckDB: the flags as columns, joined to the users.
joined = con.execute(f"""
    SELECT count(*) AS users, count(r.id) AS with_results,
           count(*) FILTER (WHERE r.flags.new_checkout) AS new_checkout
    FROM read_parquet('{users}') u
    LEFT JOIN read_json('{results}', format = 'newline_delimited') r ON r.id = u.id
""").fetchone()
print(f"duckdb: {joined[0]} users, {joined[1]} joined to a result, new_checkout on for {joined[2]}")
