"""`make bench`: latency, throughput, memory, training time and NLU accuracy, side by side
with the stock assistant `rasa init` creates. See `python -m bench --help` and docs/benchmarks.md."""
