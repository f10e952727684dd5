// cohort-bench entry point; the workloads are in Bench.swift.
Bench.run()
