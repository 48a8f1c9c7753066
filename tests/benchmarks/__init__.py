"""Speed benchmarks (scripts, not tests): see generate.py and bench.py."""
