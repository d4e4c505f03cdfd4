"""The desk benchmark keeps the runner's contract (run small here; full size by hand)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def test_bench_desk_rows_small():
    """run() at a small size returns three rows with the contract's keys and ratios."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    bench = importlib.import_module("benchmarks.bench_desk")
    rows = bench.run(n_records=2_000, n_customers=300)
    assert len(rows) == 3
    for row in rows:
        assert {"name", "seconds", "baseline_seconds", "ratio", "target", "ok"} <= set(row)
    assert rows[0]["ratio"] > 1 and rows[1]["ratio"] > 1
