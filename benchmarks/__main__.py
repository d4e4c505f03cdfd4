"""`python -m benchmarks [NAME ...] [--strict]`: run every benchmarks/bench_*.py module.

Each module's `run()` returns rows (see benchmarks/__init__.py). The runner prints one
rich table, writes ``bench-results/results.json`` and exits 0 — or 1 with ``--strict``
when a row misses its target or a module fails. A module that raises is reported as an
error row; the other modules still run.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
RESULTS = Path("bench-results") / "results.json"


def discover(names: list[str]) -> list[str]:
    """Module names ``benchmarks.bench_*`` (only those in `names` when given), sorted."""
    found = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if names:
        wanted = {n if n.startswith("bench_") else f"bench_{n}" for n in names}
        missing = wanted - set(found)
        if missing:
            raise SystemExit(f"unknown benchmark(s): {sorted(missing)}; available: {found}")
        found = [f for f in found if f in wanted]
    return [f"benchmarks.{stem}" for stem in found]


def run_module(module_name: str) -> list[dict]:
    """Import and run one module; turn any failure into an error row."""
    started = time.perf_counter()
    try:
        rows = importlib.import_module(module_name).run()
    except Exception as exc:  # report, keep going with the other modules
        return [
            {
                "module": module_name,
                "name": f"{module_name} failed",
                "seconds": None,
                "baseline_seconds": None,
                "ratio": None,
                "target": "-",
                "ok": False,
                "note": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(),
            }
        ]
    for row in rows:
        row.setdefault("module", module_name)
        row.setdefault("ok", None)
        row.setdefault("note", "")
        if row.get("ratio") is None and row.get("baseline_seconds") and row.get("seconds"):
            row["ratio"] = row["baseline_seconds"] / row["seconds"]
    if not rows:
        rows = [
            {
                "module": module_name,
                "name": f"{module_name} (no rows)",
                "seconds": time.perf_counter() - started,
                "baseline_seconds": None,
                "ratio": None,
                "target": "-",
                "ok": None,
                "note": "run() returned no rows",
            }
        ]
    return rows


def _fmt(value, spec: str) -> str:
    """Format a number or show a dash."""
    return "-" if value is None else format(value, spec)


def render(rows: list[dict], console: Console) -> None:
    """Print the results as one table."""
    table = Table(title="Benchmarks (baseline measured in the same run)", title_justify="left")
    for column, justify in (
        ("benchmark", "left"),
        ("seconds", "right"),
        ("baseline s", "right"),
        ("ratio", "right"),
        ("target", "left"),
        ("ok", "center"),
        ("note", "left"),
    ):
        table.add_column(column, justify=justify, overflow="fold")
    for row in rows:
        ok = {True: "[green]yes[/green]", False: "[red]MISSED[/red]", None: "-"}[row.get("ok")]
        table.add_row(
            str(row.get("name", "(unnamed)")),
            _fmt(row.get("seconds"), ".3f"),
            _fmt(row.get("baseline_seconds"), ".2f"),
            _fmt(row.get("ratio"), ".1f") + ("×" if row.get("ratio") is not None else ""),
            str(row.get("target", "")),
            ok,
            str(row.get("note", "")),
        )
    console.print(table)


def main(argv: list[str]) -> int:
    """Run, print, write results.json; return the exit code."""
    strict = "--strict" in argv
    names = [a for a in argv if not a.startswith("--")]
    console = Console(width=None if sys.stdout.isatty() else 160)
    rows: list[dict] = []
    for module_name in discover(names):
        console.print(f"running {module_name} ...")
        rows.extend(run_module(module_name))
    render(rows, console)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "rows": rows,
    }
    RESULTS.write_text(json.dumps(payload, indent=2, default=str))
    console.print(f"results written to {RESULTS}")
    failed = [r for r in rows if r.get("ok") is False]
    return 1 if strict and failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
