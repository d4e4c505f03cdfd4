"""Benchmark of grading a real unit: the ITCSCR304A demo cohort, ours against stock nbgrader.

The repository's ITCSCR304A is released on two copies of the course and the demo cohort
(one trainee per profile: full, partial, wrong, hostile; `autograders.demo`) submits all
of its notebooks. In the same run:
1. baseline: stock ``nbgrader autograde`` of those submissions, one `NbGraderAPI.autograde`
   call per trainee, serially (what an instructor runs without this project);
2. ours: ``crm-course grade --jobs 2`` (`autograders.grading.grade`): every notebook in
   the bubblewrap jail, evaluators, unseen companies, sandboxed function calls.
Both use a 30 s cell timeout (nbgrader's default), so the hostile loop costs both the same.
Goal: ratio (baseline / ours) >= 2.5. A second pair of runs leaves the hostile trainee out
(no timeout), to show the ratio on honest notebooks alone; it is not the goal's measure.

A second row says where our time goes: one "full" trainee's notebooks graded serially
in this process with a stopwatch on each stage (jailed kernel runs, evaluators, the
sandboxed function calls inside them, world builds); CRM_BENCH_BREAKDOWN_UNITS (unit codes,
comma-separated, or "all") adds the same row for other units. A last row runs
``crm-course demo`` end to end (goal <= 90 s with all five units); set CRM_BENCH_SKIP_DEMO=1
to skip it.
"""

from __future__ import annotations

import collections
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograders.course import Course, resolve_course
from autograders.demo import COHORT_PROFILES, copy_course, submit_cohort, unit_variants
from autograders.grading import grade, plan_unit
from autograders.journal import StatusStore
from autograders.release import release_unit
from benchmarks.bench_grading import stock_nbgrader

UNIT = "ITCSCR304A"
GOAL = 2.5
DEMO_GOAL_S = 90.0          # the issue: <= 60 s with its units, <= 90 s with all five
SECRET = "bench-secret"
LIMITS = {"cell_timeout_s": 30.0}


def _prepared(root: Path, unit: str = UNIT, cohort: tuple[str, ...] = tuple(COHORT_PROFILES)
              ) -> tuple[Course, dict[str, str]]:
    course = copy_course(resolve_course(None).root, root)
    release_unit(course, unit)
    profiles = {f"T{i + 1:03d}": p for i, p in enumerate(cohort)}
    submit_cohort(course, unit, profiles, unit_variants(course, unit))
    return course, profiles


def _ours(course: Course) -> tuple[float, str]:
    started = time.perf_counter()
    summary = grade(course, UNIT, jobs=2, secret=SECRET, limits=LIMITS, progress=False)
    seconds = time.perf_counter() - started
    with StatusStore(course.status_db_path) as store:
        statuses = collections.Counter(r["status"] for r in store.statuses(UNIT))
    return seconds, f"{summary.graded} notebooks, {dict(statuses)}"


def where_time_goes(course: Course, trainee: str, unit: str = UNIT
                    ) -> tuple[float, dict[str, tuple[float, int]]]:
    """Grade one trainee's notebooks serially here, timing each stage (seconds, calls)."""
    import autograders.sandbox.evaluate as evaluate
    import autograders.sandbox.grade as sgrade
    from autograders.checks import load_evaluators
    from autograders.sandbox import Limits, bwrap
    from crm_sim.world import World

    spent: dict[str, list] = collections.defaultdict(lambda: [0.0, 0])
    patched = []

    def clock(owner, name: str, label: str) -> None:
        real = getattr(owner, name)
        patched.append((owner, name, real))

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                spent[label][0] += time.perf_counter() - started
                spent[label][1] += 1

        setattr(owner, name, timed)

    bwrap.adopt(bwrap.decide(False))
    clock(sgrade, "_execute", "jailed kernel runs (start + cells)")
    clock(sgrade, "_evaluate", "evaluators (all, incl. calls below)")
    clock(evaluate, "call_function", "  sandboxed function calls")
    clock(evaluate, "run_sql", "  sandboxed SQL runs")
    clock(World, "build", "  world builds (trainee + unseen)")
    jobs, _ = plan_unit(course, unit, trainees=[trainee], limits=LIMITS)
    started = time.perf_counter()
    try:
        for job in jobs:
            evaluators = load_evaluators(job.unit, job.evaluators_spec,
                                         base_dir=Path(job.unit_dir))
            sgrade.grade_notebook(
                Path(job.source_nb), Path(job.submission) if job.submission else None,
                unit=job.unit, trainee_id=job.trainee_id, secret=SECRET, evaluators=evaluators,
                support_files=[Path(p) for p in job.support_files], limits=Limits(**LIMITS))
    finally:
        for owner, name, real in reversed(patched):
            setattr(owner, name, real)
    return time.perf_counter() - started, {k: (v[0], v[1]) for k, v in spent.items()}


def _demo(tmp: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograders.cli", "demo", "--out", str(tmp / "demo")],
                   check=True, capture_output=True, cwd=resolve_course(None).root.parent)
    return time.perf_counter() - started


ORDER = ["jailed kernel runs (start + cells)", "evaluators (all, incl. calls below)",
         "  sandboxed function calls", "  sandboxed SQL runs", "  world builds (trainee + unseen)"]


def _breakdown_row(course: Course, trainee: str, unit: str) -> dict:
    """The "where the time goes" row for one full trainee of `unit`."""
    total, spent = where_time_goes(course, trainee, unit)
    parts = [f"{label.strip()} {spent[label][0]:.2f} s ({spent[label][1]}x)"
             for label in ORDER if label in spent]
    rest = total - sum(spent[k][0] for k in ORDER[:2] if k in spent)
    parts.append(f"the rest (reading, checks, feedback) {rest:.2f} s")
    return {"name": f"where the time goes: one full trainee's {unit} notebooks, serially",
            "seconds": round(total, 2), "baseline_seconds": None, "ratio": None,
            "target": "-", "ok": None, "note": "; ".join(parts)}


def _honest_row(tmp: Path) -> dict:
    """The same comparison without the hostile trainee: no cell timeout sets a floor.

    Not the issue's measure (that one keeps the hostile loop, whose 30 s timeout both
    sides wait out, so its ratio cannot pass baseline / 30 s). This row shows what the
    cohort's honest notebooks alone cost each side, for whoever decides the measure.
    """
    honest = tuple(p for p in COHORT_PROFILES if p != "hostile")
    base, _ = _prepared(tmp / "stock-honest", cohort=honest)
    ours, _ = _prepared(tmp / "ours-honest", cohort=honest)
    n = sum(1 for _ in base.submitted_dir.rglob("*.ipynb"))
    baseline, failures = stock_nbgrader(base, UNIT)
    seconds, statuses = _ours(ours)
    ratio = baseline / seconds
    return {"name": f"the same without the hostile trainee ({n} notebooks, no timeout)",
            "seconds": round(seconds, 2), "baseline_seconds": round(baseline, 2),
            "ratio": round(ratio, 2), "target": "-", "ok": None,
            "note": f"not the issue's measure; ours: {statuses}; stock nbgrader: {failures} "
                    "trainee(s) failed"}


def _breakdown_units() -> list[str]:
    """Other units named in CRM_BENCH_BREAKDOWN_UNITS ("all": every unit but `UNIT`)."""
    wanted = os.environ.get("CRM_BENCH_BREAKDOWN_UNITS", "").strip()
    if not wanted:
        return []
    codes = resolve_course(None).unit_codes() if wanted == "all" else [
        c.strip() for c in wanted.split(",") if c.strip()]
    return [c for c in codes if c != UNIT]


def run() -> list[dict]:
    """Rows: the demo cohort vs stock nbgrader, with and without the hostile trainee;
    where the time goes; make demo."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-real-") as tmp:
        base, profiles = _prepared(Path(tmp) / "stock")
        ours, _ = _prepared(Path(tmp) / "ours")
        n = sum(1 for _ in base.submitted_dir.rglob("*.ipynb"))
        baseline, failures = stock_nbgrader(base, UNIT)
        seconds, statuses = _ours(ours)
        ratio = baseline / seconds
        rows.append({
            "name": f"grade the {UNIT} demo cohort ({n} notebooks), --jobs 2 vs serial stock "
                    "nbgrader autograde", "seconds": round(seconds, 2),
            "baseline_seconds": round(baseline, 2), "ratio": round(ratio, 2),
            "target": f">= {GOAL}x", "ok": ratio >= GOAL,
            "note": f"ours: {statuses}; stock nbgrader: {failures} trainee(s) failed; issue "
                    "baseline 1.13x; wall clock on a shared machine"})
        rows.append(_honest_row(Path(tmp)))
        full = next(t for t, p in profiles.items() if p == "full")
        rows.append(_breakdown_row(ours, full, UNIT))
        for unit in _breakdown_units():
            course, cohort = _prepared(Path(tmp) / f"breakdown-{unit}", unit)
            rows.append(_breakdown_row(
                course, next(t for t, p in cohort.items() if p == "full"), unit))
        if not os.environ.get("CRM_BENCH_SKIP_DEMO"):
            demo = _demo(Path(tmp))
            rows.append({
                "name": "crm-course demo (make demo with the venv built)",
                "seconds": round(demo, 1), "baseline_seconds": 254.0,
                "ratio": round(254.0 / demo, 2), "target": f"<= {DEMO_GOAL_S:g} s",
                "ok": demo <= DEMO_GOAL_S,
                "note": "goal <= 90 s with all five units (issue: <= 60 s with its units); "
                        "baseline: the issue's 254 s (12 trainees, measured earlier, not in "
                        "this run)"})
        shutil.rmtree(Path(tmp), ignore_errors=True)
    return rows
