"""Performance benchmarks, run by `python -m benchmarks` (see benchmarks/__main__.py).

Contract for a benchmark module ``benchmarks/bench_<name>.py``: expose ``run() -> list[dict]``
returning rows with keys ``name``, ``seconds``, ``baseline_seconds`` (or None), ``ratio``
(baseline / seconds, or None), ``target`` (text) and optionally ``ok`` (bool) and ``note``.
Baselines are measured in the same run, so a ratio means the same on any machine.
"""
