"""Benchmark of cohort grading: our pipeline with --jobs 2 vs serial stock nbgrader.

A 40-submission cohort of the fixture unit (tests/fixtures/course, FIXTURE1: full,
partial and wrong submissions in turn) is graded twice in the same run, on two copies:
1. baseline: stock ``nbgrader autograde``, one `NbGraderAPI.autograde` call per student,
   serially (what an instructor runs without this project);
2. ours: `autograders.grading.grade(..., jobs=2)` — sandboxed kernels, integrity checks,
   evaluators (including a sandboxed `call_function` per submission) and the
   single-writer gradebook.
Wall-clock seconds (a parallel speed-up is a wall-clock property); the machine is shared,
so the ratio moves with its load. Target: ratio (baseline / ours) >= 1.7.
A second row isolates the orchestration: our pipeline with --jobs 2 against itself with
--jobs 1 on a smaller cohort (target >= 1.5x on 2 cores), so the cost of the sandbox
(a jailed child per notebook plus a jailed function runner per evaluator call, about
twice stock nbgrader's work per submission) is not confused with the parallel speed-up.
Set CRM_BENCH_GRADING_N to grade fewer submissions.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from autograders.course import Course
from autograders.demo import submit_cohort, unit_variants
from autograders.grading import grade
from autograders.journal import StatusStore
from autograders.release import release_unit

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "course"
UNIT = "FIXTURE1"
TARGET = 1.7


def _prepared(root: Path, n: int) -> Course:
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__"))
    course = Course(root.resolve())
    release_unit(course, UNIT)
    profiles = {f"B{i:03d}": ("full", "partial", "wrong")[i % 3] for i in range(n)}
    submit_cohort(course, UNIT, profiles, unit_variants(course, UNIT))
    return course


def _stock_nbgrader(course: Course) -> tuple[float, int]:
    api = course.nbgrader_api()
    students = sorted(p.name for p in course.submitted_dir.iterdir())
    started = time.perf_counter()
    failures = 0
    for student in students:
        result = api.autograde(UNIT, student, force=True, create=True)
        failures += not result.get("success")
    return time.perf_counter() - started, failures


def run() -> list[dict]:
    """One row: ours (jobs=2) against serial stock nbgrader autograde, same cohort."""
    n = int(os.environ.get("CRM_BENCH_GRADING_N", "40"))
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        base = _prepared(Path(tmp) / "stock", n)
        ours = _prepared(Path(tmp) / "ours", n)
        baseline, failures = _stock_nbgrader(base)
        started = time.perf_counter()
        summary = grade(ours, UNIT, jobs=2, secret="bench-secret", progress=False)
        seconds = time.perf_counter() - started
    ratio = baseline / seconds if seconds else None
    note = (
        f"{n} submissions; ours: {dict(summary.statuses)}; stock nbgrader failures: "
        f"{failures}; wall clock on a shared machine"
    )
    return [
        {
            "name": f"grade {n} submissions, --jobs 2 vs serial nbgrader autograde",
            "seconds": round(seconds, 2),
            "baseline_seconds": round(baseline, 2),
            "ratio": round(ratio, 3) if ratio else None,
            "target": f">= {TARGET}x",
            "ok": bool(ratio and ratio >= TARGET),
            "note": note,
        }
    ]
