"""Benchmark of a class-sized cohort: 60 trainees of one real unit, ours against stock nbgrader.

A training centre grades a whole cohort at once on one server (issue 21). This grades a
simulated cohort of `N_TRAINEES` trainees on ITCSCR304A (every notebook of the unit per
trainee) twice in the same run, on two copies of the course:
1. baseline: stock ``nbgrader autograde`` of the same submissions, one
   `NbGraderAPI.autograde` call per trainee, serially (what an instructor runs without
   this project);
2. ours: ``crm-course grade --jobs 2`` (`autograders.grading.grade`): every notebook in
   the bubblewrap jail, evaluators, unseen companies, sandboxed function calls.

The cohort is a realistic mix, not a stress test: trainees take the unit's "full",
"partial" and "wrong" answers in turn, and one trainee in twenty submits a runaway loop
("hostile"), which both sides stop at the same 30 s cell timeout (nbgrader's default).
One row reports, for ours and for the baseline: notebooks per minute, the peak memory
(PSS) of the whole process tree (this process, grading workers, jails, kernels), and
the speed-up (baseline seconds / ours). Goal: speed-up >= 2.5 on 2 cores.

The two sides alternate in batches of ten trainees (stock, ours, next batch), so load
from other work on a shared machine falls on both alike.

Sizes: ``CRM_BENCH_COHORT_N`` trainees (default 60; the test that checks benchmarks
run uses 2). At 60 trainees the baseline alone takes about ten minutes on 2 cores.
"""

from __future__ import annotations

import collections
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from autograders.course import Course, resolve_course
from autograders.demo import copy_course, submit_cohort, unit_variants
from autograders.grading import grade
from autograders.journal import StatusStore
from autograders.release import release_unit
from benchmarks.bench_grading import stock_nbgrader

UNIT = "ITCSCR304A"
N_TRAINEES = 60
GOAL = 2.5
SECRET = "bench-secret"
LIMITS = {"cell_timeout_s": 30.0}
HOSTILE_EVERY = 20          # one runaway loop per twenty trainees
SAMPLE_S = 0.5              # how often the process tree's memory is sampled
BATCH = 10                  # trainees per alternating batch (stock, then ours)


def cohort_profiles(n: int) -> dict[str, str]:
    """Trainee id -> profile: full, partial, wrong in turn; every twentieth hostile."""
    mix = ("full", "partial", "wrong")
    return {f"C{i + 1:03d}": "hostile" if (i + 1) % HOSTILE_EVERY == 0 else mix[i % 3]
            for i in range(n)}


def prepared(root: Path, profiles: dict[str, str], unit: str = UNIT) -> Course:
    """A copy of the repository's course with `unit` released and the cohort submitted."""
    course = copy_course(resolve_course(None).root, root)
    release_unit(course, unit)
    submit_cohort(course, unit, profiles, unit_variants(course, unit))
    return course


class TreeMemory:
    """Peak memory (MB) of this process and all its descendants, sampled and summed.

    Why sampled and summed: grading spreads over workers, jailed children and kernels
    that come and go; their sum at the busiest moment is what the server must hold.
    Each process counts its proportional set size (PSS: shared pages split between the
    processes sharing them), so forked workers are not counted twice; RSS where PSS
    cannot be read.
    """

    def __init__(self, every_s: float = SAMPLE_S):
        self.every_s = every_s
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="tree-memory", daemon=True)

    def _sample(self) -> float:
        me = psutil.Process()
        total = 0
        for proc in [me, *me.children(recursive=True)]:
            try:
                total += proc.memory_full_info().pss
            except (psutil.Error, AttributeError):
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    continue
        return total / (1024 * 1024)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self._sample())
            self._stop.wait(self.every_s)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(5)
        self.peak_mb = max(self.peak_mb, self._sample())


def measured(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, peak tree memory MB, fn's return value)."""
    with TreeMemory() as memory:
        started = time.perf_counter()
        value = fn()
        seconds = time.perf_counter() - started
    return seconds, memory.peak_mb, value


def _ours(course: Course, unit: str, trainees: list[str]) -> None:
    grade(course, unit, jobs=2, secret=SECRET, limits=LIMITS, progress=False,
          trainees=trainees)


def cohort_row(n: int, unit: str = UNIT, batch: int = BATCH) -> dict:
    """Grade an `n`-trainee cohort of `unit` both ways in this run; one result row.

    The two sides alternate batch by batch (`batch` trainees: stock, then ours, then the
    next batch), so a change in the shared machine's load hits both alike instead of
    whichever side happened to run at that moment.
    """
    profiles = cohort_profiles(n)
    trainees = sorted(profiles)
    batches = [trainees[i:i + batch] for i in range(0, n, batch)]
    baseline = seconds = base_mb = ours_mb = 0.0
    failures = 0
    with tempfile.TemporaryDirectory(prefix="bench-cohort-") as tmp:
        base = prepared(Path(tmp) / "stock", profiles, unit)
        ours = prepared(Path(tmp) / "ours", profiles, unit)
        notebooks = sum(1 for _ in ours.submitted_dir.rglob("*.ipynb"))
        for group in batches:
            took, peak, (_, failed) = measured(lambda g=group: stock_nbgrader(base, unit, g))
            baseline, base_mb, failures = baseline + took, max(base_mb, peak), failures + failed
            took, peak, _ = measured(lambda g=group: _ours(ours, unit, g))
            seconds, ours_mb = seconds + took, max(ours_mb, peak)
        with StatusStore(ours.status_db_path) as store:
            statuses = dict(collections.Counter(r["status"] for r in store.statuses(unit)))
        shutil.rmtree(Path(tmp), ignore_errors=True)
    ratio = baseline / seconds
    mix = dict(collections.Counter(profiles.values()))
    return {
        "name": f"cohort of {n} trainees x {unit} ({notebooks} notebooks), --jobs 2 vs "
                "serial stock nbgrader autograde",
        "seconds": round(seconds, 2), "baseline_seconds": round(baseline, 2),
        "ratio": round(ratio, 2), "target": f">= {GOAL}x", "ok": ratio >= GOAL,
        "notebooks": notebooks,
        "notebooks_per_minute": round(notebooks * 60 / seconds, 1),
        "baseline_notebooks_per_minute": round(notebooks * 60 / baseline, 1),
        "peak_memory_mb": round(ours_mb), "baseline_peak_memory_mb": round(base_mb),
        "note": f"ours {notebooks * 60 / seconds:.1f} nb/min, peak {ours_mb:.0f} MB (process "
                f"tree PSS); stock {notebooks * 60 / baseline:.1f} nb/min, peak "
                f"{base_mb:.0f} MB, {failures} trainee(s) failed; cohort {mix}; ours: "
                f"{statuses}; {len(batches)} alternating batch(es) of up to {batch} "
                "trainees; wall clock on a shared machine",
    }


def run() -> list[dict]:
    """One row: the cohort of ``CRM_BENCH_COHORT_N`` (default 60) trainees."""
    return [cohort_row(int(os.environ.get("CRM_BENCH_COHORT_N", N_TRAINEES)))]
