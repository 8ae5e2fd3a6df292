"""Transfer-learning benchmark: pretraining methods compared at equal budget (``tools/benchmark_transfer.py``).

One job per module: ``methods`` (method and config table, backbone prefix detection), ``plan`` (settings,
runs, stage configs with the budget applied), ``runner`` (one run, resumable), ``curves`` (learning curves
from the events), ``report`` (mean ± std, results.csv / results.md), ``plots`` (PNG), ``cli`` (the command).
"""
