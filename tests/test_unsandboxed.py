"""Where bubblewrap cannot run, grading refuses; an accepted unsandboxed run is marked."""

from __future__ import annotations

import csv

import pytest
from grading_helpers import UNIT, copy_fixture_course
from typer.testing import CliRunner

from autograders.cli import app
from autograders.demo import submit_cohort, unit_variants
from autograders.journal import StatusStore
from autograders.release import release_unit
from autograders.reports.build import write_reports
from autograders.results import SubmissionResult
from autograders.sandbox import bwrap

runner = CliRunner()


@pytest.fixture()
def no_bwrap(monkeypatch):
    """The bwrap binary looks missing; this process's jail decision is restored afterwards."""
    saved = dict(bwrap._state)
    bwrap._state.pop("jailed", None)
    monkeypatch.setattr(bwrap, "find_bwrap", lambda: None)
    yield
    bwrap._state.clear()
    bwrap._state.update(saved)


@pytest.fixture()
def course(tmp_path):
    """A released fixture course with one full submission."""
    course = copy_fixture_course(tmp_path / "course")
    release_unit(course, UNIT)
    submit_cohort(course, UNIT, {"T01": "full"}, unit_variants(course, UNIT))
    return course


def _grade(course, *extra):
    return runner.invoke(app, ["grade", UNIT, "--no-progress", *extra],
                         env={"CRM_COURSE_ROOT": str(course.root)})


def test_grade_refuses_without_bubblewrap_and_says_how_to_fix(no_bwrap, course):
    """No bwrap: exit 2 with one line naming the fix and the opt-in flag; nothing graded."""
    result = _grade(course)
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: refusing to grade without the sandbox")
    assert "apt-get install bubblewrap" in lines[0] and "--allow-unsandboxed" in lines[0]
    assert not course.status_db_path.exists() or not StatusStore(
        course.status_db_path).statuses(UNIT)


def test_accepted_unsandboxed_run_is_marked_everywhere(no_bwrap, course):
    """--allow-unsandboxed grades, and result, store, CSV and both HTML reports say so."""
    result = _grade(course, "--allow-unsandboxed")
    assert result.exit_code == 0, result.output
    assert "WITHOUT the sandbox" in result.output
    with StatusStore(course.status_db_path) as store:
        rows = store.statuses(UNIT)
    assert rows and all(r["result"]["sandboxed"] is False for r in rows)
    assert SubmissionResult.from_dict(rows[0]["result"]).sandboxed is False
    files = write_reports(course)
    with files.competency_csv.open() as fh:
        assert {r["sandbox"] for r in csv.DictReader(fh)} == {"graded WITHOUT the sandbox"}
    assert "graded WITHOUT the sandbox" in files.cohort_html.read_text()
    record = (course.reports_dir / UNIT / "T01.html").read_text()
    assert "graded WITHOUT the sandbox" in record


def test_jailed_results_say_sandboxed():
    """A result round-trips its sandbox flag; old rows without it count as jailed."""
    jailed = SubmissionResult("T1", UNIT, "nb", "graded")
    assert SubmissionResult.from_dict(jailed.to_dict()).sandboxed is True
    plain = {k: v for k, v in jailed.to_dict().items() if k != "sandboxed"}
    assert SubmissionResult.from_dict(plain).sandboxed is True
