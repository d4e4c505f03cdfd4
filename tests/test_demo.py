"""The simulated cohort: submissions from variants, the hostile loop, the demo runner."""

from __future__ import annotations

import json

import pytest
from grading_helpers import FIXTURE_COURSE, UNIT, copy_fixture_course

from autograders.commands.errors import CourseError
from autograders.demo import (
    HOSTILE_SOURCE,
    copy_course,
    hostile_variant,
    make_submission,
    run_demo,
    strip_solution_markers,
    submit_cohort,
    unit_variants,
)
from autograders.release import release_unit

SOURCE = json.loads((FIXTURE_COURSE / "units" / UNIT / "fixture1.ipynb").read_text())


def _cells(nb):
    return {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
            for c in nb["cells"] if "nbgrader" in c["metadata"]}


def test_strip_solution_markers():
    """Solution markers go; the code between them stays."""
    src = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"
    assert strip_solution_markers(src) == "def f():\n    return 1"


def test_full_submission_uses_source_solutions():
    """With no variant every solution cell holds the source solution (markers removed)."""
    released = {"cells": [dict(c, source="# YOUR CODE HERE") for c in SOURCE["cells"]]}
    nb = _cells(make_submission(released, SOURCE))
    assert nb["mean_impl"] == "mean_value = sum(VALUES) / len(VALUES)"
    assert nb["mean_test"] == "# YOUR CODE HERE"        # test cells untouched


def test_variant_replaces_only_named_cells():
    """A variant replaces its cells; the others keep the full solution."""
    released = {"cells": [dict(c) for c in SOURCE["cells"]]}
    nb = _cells(make_submission(released, SOURCE, {"mean_impl": "mean_value = 0"}))
    assert nb["mean_impl"] == "mean_value = 0"
    assert "i * i" in nb["squares_impl"]


def test_hostile_variant_loops_in_first_solution_code_cell():
    """The built-in hostile variant puts an infinite loop in the first solution code cell."""
    assert hostile_variant(SOURCE) == {"mean_impl": HOSTILE_SOURCE}


def test_copy_course_leaves_generated_areas(tmp_path):
    """A working copy holds sources only, never another run's gradebook or secret."""
    course = copy_fixture_course(tmp_path / "src")
    release_unit(course, UNIT)
    copy = copy_course(course.root, tmp_path / "copy")
    assert (copy.units_dir / UNIT / "unit.toml").exists()
    for name in ("release", "gradebook.db", ".secret"):
        assert not (copy.root / name).exists()


def test_submit_cohort_layout(tmp_path):
    """Submissions land in nbgrader's submitted/<trainee>/<UNIT>/<nb>.ipynb layout."""
    course = copy_fixture_course(tmp_path / "c")
    release_unit(course, UNIT)
    paths = submit_cohort(course, UNIT, {"A": "wrong", "B": "hostile"},
                          unit_variants(course, UNIT))
    assert sorted(p.relative_to(course.root).as_posix() for p in paths) == [
        f"submitted/A/{UNIT}/fixture1.ipynb", f"submitted/B/{UNIT}/fixture1.ipynb"]
    assert _cells(json.loads(paths[0].read_text()))["mean_impl"] == "mean_value = max(VALUES)"


def test_demo_without_gradable_units_says_why(tmp_path):
    """A course whose unit module cannot load is skipped with a note, then a clear error."""
    course = copy_fixture_course(tmp_path / "src")
    evaluators = course.units_dir / UNIT / "grading" / "evaluators.py"
    evaluators.write_text("raise ImportError('not yet')\n")
    with pytest.raises(CourseError, match="skipped FIXTURE1: its evaluator module"):
        run_demo(tmp_path / "demo", source_course=course.root, echo=lambda s: None,
                 progress=False)


@pytest.mark.slow
def test_demo_runs_on_fixture_course(tmp_path):
    """The demo releases, submits, grades (2 jobs) and reports; the hostile loop times out."""
    lines: list[str] = []
    result = run_demo(tmp_path / "demo", source_course=FIXTURE_COURSE, jobs=2,
                      profiles=["full", "wrong", "hostile"], echo=lines.append,
                      progress=False, limits={"cell_timeout_s": 8, "notebook_timeout_s": 60})
    assert result.units == [UNIT]
    html = result.cohort_html.read_text()
    assert "Competent" in html and "timed_out" in html
    assert any("statuses: graded=2, timed_out=1" in s for s in result.summary_lines)
    assert not (FIXTURE_COURSE / "gradebook.db").exists()


def test_demo_stage_lines_list_each_stage_with_seconds():
    """The demo's closing lines name every timed stage, in order, with its seconds."""
    from autograders.demo import DemoResult

    result = DemoResult(course=None, stages=[("release U", 1.25), ("grade 4 trainees", 30.0)])
    lines = result.stage_lines()
    assert lines[0] == "time per stage:"
    assert lines[1].split() == ["release", "U", "1.2", "s"]
    assert lines[2].split() == ["grade", "4", "trainees", "30.0", "s"]


def test_demo_cohort_is_one_trainee_per_profile():
    """The default cohort holds each profile once, the runaway loop included."""
    from autograders.demo import COHORT_PROFILES

    assert sorted(COHORT_PROFILES) == ["full", "hostile", "partial", "wrong"]


def test_hostile_trainee_hands_in_only_the_looping_notebook(tmp_path):
    """In a unit of three notebooks the hostile trainee submits the first (looping) one only."""
    from autograders.course import resolve_course

    course = copy_course(resolve_course(None).root, tmp_path / "course")
    release_unit(course, "ITCSCR304A")
    paths = submit_cohort(course, "ITCSCR304A", {"T1": "full", "T4": "hostile"},
                          unit_variants(course, "ITCSCR304A"))
    names = course.notebooks("ITCSCR304A")
    by_trainee = {t: sorted(p.stem for p in paths if p.parts[-3] == t) for t in ("T1", "T4")}
    assert len(names) == 3 and by_trainee == {"T1": names, "T4": names[:1]}
    looping = json.loads(next(p for p in paths if p.parts[-3] == "T4").read_text())
    assert any("while True" in "".join(c["source"]) for c in looping["cells"])
