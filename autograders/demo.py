"""The simulated cohort and ``crm-course demo``: the whole pipeline on a copy of the course.

`make_submission` plays a trainee: it takes the released notebook and fills each
solution region with a variant (the unit module's ``VARIANTS``; "full" is the source
solution; "hostile" is a built-in infinite loop). `place_submission` puts it where
nbgrader's collect step would: ``submitted/<trainee>/<UNIT>/<nb>.ipynb``. `run_demo`
copies ``course/`` into ``demo/course`` (the repository's course is never modified),
releases every unit, submits a cohort of one trainee per profile (just enough to show
every decision and status), grades it in parallel and writes the reports, printing the
time of each stage at the end.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograders.commands.errors import CourseError
from autograders.course import Course, resolve_course

HOSTILE_SOURCE = "while True:  # a trainee's runaway loop\n    pass\n"
# One trainee of each competence (variant names; missing variants fall back to "full"):
# enough to show every decision (competent, not yet, pending) and status (timed_out too).
# The hostile trainee comes first (T001): its timeout then runs while the other worker
# grades the rest of the unit, instead of holding up the end of the run on one worker.
COHORT_PROFILES = ["hostile", "full", "partial", "wrong"]
DEMO_SECRET = "demo-course-secret-not-for-real-cohorts"
# The hostile trainee's loop runs until the cell timeout, burning a core all the while
# (5 units: a third of the demo's CPU at 10 s): 6 s shows it without that wait. The units'
# slowest honest graded cell takes under 2 s (measured on a loaded 2-core machine, views
# drawing nothing in a graded run), so 6 s leaves a slower machine three times that.
DEMO_LIMITS = {"cell_timeout_s": 6.0, "notebook_timeout_s": 240.0}
# Generated areas never copied from the repository's course into a working copy.
GENERATED = ("release", "submitted", "autograded", "feedback", "reports", "source",
             ".backups", ".exchange", "gradebook.db", "grading.sqlite", ".secret")
_MARKER = re.compile(r"^\s*#{3} (BEGIN|END) SOLUTION\s*$")


def strip_solution_markers(source: str) -> str:
    """A source solution as a trainee would have typed it (markers removed)."""
    return "\n".join(line for line in source.splitlines() if not _MARKER.match(line))


def _src(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _gid(cell: dict[str, Any]) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def make_submission(released: dict[str, Any], source: dict[str, Any],
                    variant: dict[str, str] | None = None) -> dict[str, Any]:
    """A trainee's notebook: the release with every solution cell answered.

    Args:
        released: the student-version notebook JSON.
        source: the source notebook JSON (its solutions are the "full" answers).
        variant: grade_id -> replacement source for some solution cells.
    """
    variant = variant or {}
    full = {_gid(c): strip_solution_markers(_src(c)) for c in source.get("cells", [])
            if c.get("metadata", {}).get("nbgrader", {}).get("solution") and _gid(c)}
    nb = copy.deepcopy(released)
    for cell in nb.get("cells", []):
        gid = _gid(cell)
        if gid is None or not cell["metadata"]["nbgrader"].get("solution"):
            continue
        if gid in variant:
            cell["source"] = variant[gid]
        elif gid in full:
            cell["source"] = full[gid]
    return nb


def hostile_variant(source: dict[str, Any]) -> dict[str, str]:
    """The built-in hostile variant: the first solution code cell loops forever."""
    for cell in source.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("solution") and _gid(cell):
            return {_gid(cell): HOSTILE_SOURCE}
    return {}


def place_submission(course: Course, trainee_id: str, unit: str, notebook: str,
                     nb: dict[str, Any]) -> Path:
    """Write a submission at ``submitted/<trainee>/<UNIT>/<nb>.ipynb`` (nbgrader's layout)."""
    path = course.submitted_dir / trainee_id / unit / f"{notebook}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return path


def unit_variants(course: Course, code: str) -> dict[str, dict[str, str]]:
    """The unit's evaluator module's ``VARIANTS`` (loading it); raises if it is missing."""
    from autograders.checks import evaluator_module
    from autograders.unitspec import load_unit_spec

    unit_dir = course.unit_dir(code)
    spec = load_unit_spec(unit_dir)
    module = evaluator_module(code, spec.evaluators, base_dir=unit_dir)
    return dict(getattr(module, "VARIANTS", {}) or {})


def submit_cohort(course: Course, code: str, profiles: dict[str, str],
                  variants: dict[str, dict[str, str]]) -> list[Path]:
    """Write every trainee's submission of one unit; profiles: trainee -> variant name.

    The "hostile" profile loops forever in the unit's first notebook and hands in none of
    the others, so the demo shows a timeout and a missing notebook, and waits for one
    timeout per unit rather than one per notebook.
    """
    paths = []
    for index, nb_name in enumerate(course.notebooks(code)):
        source = json.loads((course.unit_dir(code) / f"{nb_name}.ipynb").read_text())
        released = json.loads((course.release_dir / code / f"{nb_name}.ipynb").read_text())
        for trainee, profile in profiles.items():
            if profile == "hostile":
                if index > 0:
                    continue        # not handed in: graded as missing, without a kernel
                variant = hostile_variant(source)
            else:
                variant = variants.get(profile, {})
            paths.append(place_submission(course, trainee, code, nb_name,
                                          make_submission(released, source, variant)))
    return paths


# Trainees who read a unit's text in another language (recorded for every unit whose
# unit.toml offers it, as `crm-course release --lang zh-Hant --trainee T003` would): the
# partial trainee, whose feedback has the most to say.
DEMO_LANGUAGES = {"T003": "zh-Hant"}


def record_demo_languages(course: Course, code: str) -> list[str]:
    """Record `DEMO_LANGUAGES` for one unit where it offers them; the trainees recorded."""
    from autograders.languages import record_language, unit_languages

    offered = unit_languages(course.unit_dir(code))
    done = []
    for trainee, lang in DEMO_LANGUAGES.items():
        if lang in offered:
            record_language(course, code, lang, [trainee])
            done.append(trainee)
    return done


# What the simulated assessor gives a written answer, as a fraction of its points.
MANUAL_FRACTION = {"full": 1.0, "partial": 0.5, "wrong": 0.0, "hostile": 0.0}


def simulate_manual_grades(course: Course, code: str, profiles: dict[str, str]) -> int:
    """Grade written answers as an assessor would in formgrader (demo only).

    Returns the number of manual grades set. Trainees whose submission never reached the
    gradebook are skipped.
    """
    from nbgrader.api import Gradebook, MissingEntry

    from autograders.course import ensure_alembic_on_path
    from autograders.unitspec import notebook_cells

    ensure_alembic_on_path()
    cells, _ = notebook_cells(course.unit_dir(code))
    manual = [c for c in cells.values() if c.kind == "manual"]
    done = 0
    with Gradebook(course.db_url, "") as gb:
        for trainee, profile in profiles.items():
            for cell in manual:
                try:
                    grade = gb.find_grade(cell.grade_id, cell.notebook, code, trainee)
                except MissingEntry:
                    continue
                grade.manual_score = (cell.points or 0.0) * MANUAL_FRACTION.get(profile, 0.0)
                grade.needs_manual_grade = False
                done += 1
        gb.db.commit()
    return done


def copy_course(src: Path, dest: Path) -> Course:
    """Copy a course's sources (not its generated areas) into a fresh working copy."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(*GENERATED, "__pycache__",
                                                               ".ipynb_checkpoints"))
    return Course(dest.resolve())


@dataclass
class DemoResult:
    """What the demo did, for the printed summary."""

    course: Course
    units: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cohort_html: Path | None = None
    summary_lines: list[str] = field(default_factory=list)
    seconds: float = 0.0
    stages: list[tuple[str, float]] = field(default_factory=list)

    def stage_lines(self) -> list[str]:
        """One line per stage with its seconds, in the order the stages ran."""
        width = max((len(name) for name, _ in self.stages), default=0)
        return ["time per stage:"] + [f"  {name:<{width}}  {seconds:6.1f} s"
                                      for name, seconds in self.stages]


@contextmanager
def _stage(result: DemoResult, name: str, echo: Callable[[str], None] | None = None
           ) -> Iterator[None]:
    """Time one stage into `result.stages`; say it has started when it may take a while."""
    if echo is not None:
        echo(f"{name} ...")
    started = time.monotonic()
    try:
        yield
    finally:
        result.stages.append((name, time.monotonic() - started))


def run_demo(out_dir: str | Path = "demo", *, source_course: str | Path | None = None,
             jobs: int = 2, profiles: list[str] | None = None,
             echo: Callable[[str], None] = print, progress: bool = True,
             limits: dict[str, Any] | None = None, manual_grades: bool = True) -> DemoResult:
    """Build ``<out_dir>/course``, release, submit a simulated cohort, grade, report.

    A unit whose evaluator module is missing or broken, or that nbgrader cannot release,
    is skipped with a note; the rest of the demo still runs. With `manual_grades`, a
    simulated assessor then grades the written answers, so the report shows decisions
    rather than only "pending manual grade".
    """
    from autograders.grading import grade
    from autograders.release import release_unit
    from autograders.reports.build import write_reports

    started = time.monotonic()
    src = resolve_course(source_course)
    result = DemoResult(Course(Path(out_dir).resolve() / "course"))
    with _stage(result, "copy the course"):
        course = copy_course(src.root, Path(out_dir) / "course")
        course.secret_path.write_text(DEMO_SECRET + "\n")
        course.secret_path.chmod(0o600)
    result.course = course
    names = profiles or COHORT_PROFILES
    trainees = {f"T{i + 1:03d}": p for i, p in enumerate(names)}
    for code in course.unit_codes():
        try:
            variants = unit_variants(course, code)
        except Exception as exc:  # noqa: BLE001 - a missing unit module skips the unit
            result.notes.append(f"skipped {code}: its evaluator module could not be loaded "
                                f"({type(exc).__name__}: {exc})")
            continue
        try:
            with _stage(result, f"release {code}", echo):
                for trainee in record_demo_languages(course, code):
                    result.notes.append(f"{code}: {trainee} reads the unit in "
                                        f"{DEMO_LANGUAGES[trainee]}")
                release_unit(course, code)
        except CourseError as exc:
            result.notes.append(f"skipped {code}: release failed ({exc})")
            continue
        missing = sorted({p for p in names if p not in ("full", "hostile")} - set(variants))
        if missing:
            result.notes.append(f"{code}: no {', '.join(missing)} variant(s); those trainees "
                                "submit the full solution instead")
        with _stage(result, f"submit {code}"):
            submit_cohort(course, code, trainees, variants)
        result.units.append(code)
        echo(f"released {code} and submitted {len(trainees)} trainees "
             f"({', '.join(sorted(set(names)))})")
    for note in result.notes:
        echo(f"note: {note}")
    if not result.units:
        raise CourseError("the demo found no unit it could grade: " + "; ".join(result.notes))
    with _stage(result, f"grade {len(trainees)} trainees x {len(result.units)} unit(s)", echo):
        run = grade(course, result.units, jobs=jobs, limits=limits or DEMO_LIMITS,
                    progress=progress)
    result.summary_lines.extend(run.lines())
    if manual_grades:
        with _stage(result, "simulated manual grades"):
            n = sum(simulate_manual_grades(course, code, trainees) for code in result.units)
        result.summary_lines.append(
            f"simulated assessor: {n} written answer(s) given manual grades (full answers "
            "full marks, partial half, wrong none), as an instructor would in formgrader")
    with _stage(result, "write the reports", echo):
        files = write_reports(course, units=result.units)
    result.summary_lines.append("note: simulated trainees of one profile submit the same code, "
                                "so the similarity report flags them as near-identical")
    result.cohort_html = files.cohort_html
    result.seconds = time.monotonic() - started
    return result
