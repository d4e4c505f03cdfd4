"""Tests of the benchmark runner contract (discovery, error rows, results file)."""

import importlib
import json
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def runner(monkeypatch):
    """The runner module, imported with the repository root on sys.path (as `python -m`)."""
    monkeypatch.syspath_prepend(str(ROOT))
    return importlib.import_module("benchmarks.__main__")


def test_discover_and_filter(runner):
    """All bench_*.py modules are found; a name filter keeps only the asked ones."""
    found = runner.discover([])
    assert "benchmarks.bench_population" in found
    assert runner.discover(["population"]) == ["benchmarks.bench_population"]
    with pytest.raises(SystemExit, match="unknown benchmark"):
        runner.discover(["nope"])


def test_failing_module_becomes_error_row(runner, monkeypatch):
    """A module whose run() raises yields one ok=False row naming the error; ratios are filled."""
    bad = types.ModuleType("benchmarks.bench_broken")
    bad.run = lambda: 1 / 0
    good = types.ModuleType("benchmarks.bench_fine")
    good.run = lambda: [{"name": "x", "seconds": 0.5, "baseline_seconds": 5.0, "target": "-"}]
    monkeypatch.setitem(sys.modules, "benchmarks.bench_broken", bad)
    monkeypatch.setitem(sys.modules, "benchmarks.bench_fine", good)
    (row,) = runner.run_module("benchmarks.bench_broken")
    assert row["ok"] is False and "ZeroDivisionError" in row["note"]
    (row,) = runner.run_module("benchmarks.bench_fine")
    assert row["ratio"] == 10.0 and row["module"] == "benchmarks.bench_fine"


def test_main_writes_results(runner, monkeypatch, tmp_path):
    """main() prints a table and writes bench-results/results.json; --strict fails on a miss."""
    fake = types.ModuleType("benchmarks.bench_fake")
    fake.run = lambda: [
        {
            "name": "fake",
            "seconds": 1.0,
            "baseline_seconds": None,
            "ratio": None,
            "target": "seconds < 0.1",
            "ok": False,
        }
    ]
    monkeypatch.setitem(sys.modules, "benchmarks.bench_fake", fake)
    monkeypatch.setattr(runner, "discover", lambda names: ["benchmarks.bench_fake"])
    monkeypatch.chdir(tmp_path)
    assert runner.main([]) == 0
    assert runner.main(["--strict"]) == 1
    data = json.loads((tmp_path / "bench-results" / "results.json").read_text())
    assert data["rows"][0]["name"] == "fake" and "python" in data


@pytest.mark.slow
def test_cohort_benchmark_runs_at_small_size(runner):
    """The cohort benchmark at 2 trainees grades every notebook both ways and reports figures."""
    from benchmarks.bench_cohort import cohort_profiles, cohort_row

    assert list(cohort_profiles(20).values()).count("hostile") == 1
    row = cohort_row(2)
    assert row["notebooks"] == 6 and "'graded': 6" in row["note"]
    assert "0 trainee(s) failed" in row["note"]
    assert row["seconds"] > 0 and row["baseline_seconds"] > 0
    assert row["ratio"] == pytest.approx(row["baseline_seconds"] / row["seconds"], abs=0.02)
    assert row["notebooks_per_minute"] > 0 and row["baseline_notebooks_per_minute"] > 0
    assert row["peak_memory_mb"] > 100 and row["baseline_peak_memory_mb"] > 100
