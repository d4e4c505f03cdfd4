"""`report --trainee` and `--canvas-id` on a graded course: the cohort's files stay whole."""

from __future__ import annotations

import csv

import pytest
from grading_helpers import FAKE, SECRET, UNIT, copy_fixture_course
from typer.testing import CliRunner

from autograders.cli import app
from autograders.demo import submit_cohort, unit_variants
from autograders.grading import grade
from autograders.release import release_unit

runner = CliRunner()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A fixture course with three trainees graded by the fake grader."""
    course = copy_fixture_course(tmp_path_factory.mktemp("rt") / "course")
    release_unit(course, UNIT)
    submit_cohort(course, UNIT, {"T01": "full", "T02": "partial", "T03": "wrong"},
                  unit_variants(course, UNIT))
    grade(course, UNIT, secret=SECRET, grader=FAKE, progress=False)
    return course


def _rows(path):
    with path.open(encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_trainee_report_keeps_the_cohorts_competency_csv(course):
    """--trainee T02 rewrites T02's record only; competency.csv still lists all three."""
    full = runner.invoke(app, ["report", "--course", str(course.root)])
    assert full.exit_code == 0, full.output
    before = _rows(course.reports_dir / "competency.csv")
    one = runner.invoke(app, ["report", "--trainee", "T02", "--course", str(course.root)])
    assert one.exit_code == 0, one.output
    after = _rows(course.reports_dir / "competency.csv")
    assert after == before and {r[0] for r in after[1:]} == {"T01", "T02", "T03"}
    assert "T02.html" in one.output and "T01.html" not in one.output


def test_canvas_ids_from_the_cli_and_the_course_setting(course):
    """--canvas-id names the column; canvas.toml is the default; a bad pair is one line."""
    res = runner.invoke(app, ["report", "--canvas-id", f"{UNIT}=4321", "--course",
                              str(course.root)])
    assert res.exit_code == 0, res.output
    header = _rows(course.reports_dir / "canvas-grades.csv")[0]
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert header[5] == f"{UNIT} (4321)"
    (course.root / "canvas.toml").write_text(f"[assignment_ids]\n{UNIT} = 777\n")
    assert runner.invoke(app, ["report", "--course", str(course.root)]).exit_code == 0
    assert _rows(course.reports_dir / "canvas-grades.csv")[0][5] == f"{UNIT} (777)"
    bad = runner.invoke(app, ["report", "--canvas-id", "nonsense", "--course",
                              str(course.root)])
    assert bad.exit_code != 0 and "UNIT=ID" in bad.output and "Traceback" not in bad.output
