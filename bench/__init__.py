"""Benchmarks: run with `make bench` (or `python -m bench.run`); each prints a table with the
target beside the measurement, comparisons side by side in one process."""
