"""`make bench`: the benchmark harness (bench.py) and its parts."""
