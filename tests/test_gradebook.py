"""Gradebook writer: manual scores survive regrades, backups restore, tampering is undone."""

from __future__ import annotations

import sqlite3

import pytest
from grading_helpers import FAKE, SECRET, UNIT, clone_course, copy_fixture_course, set_manual

from autograders.commands.errors import CourseError
from autograders.demo import submit_cohort, unit_variants
from autograders.gradebook import (
    GradebookTampered,
    GradebookWriter,
    backup_gradebook,
    file_checksum,
    list_backups,
    read_scores,
    restore_gradebook,
)
from autograders.grading import grade
from autograders.release import release_unit
from autograders.results import CellResult, SubmissionResult


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A fixture course with three trainees graded by the fake grader."""
    course = copy_fixture_course(tmp_path_factory.mktemp("gb") / "course")
    release_unit(course, UNIT)
    submit_cohort(course, UNIT, {"T01": "full", "T02": "partial", "T03": "wrong"},
                  unit_variants(course, UNIT))
    grade(course, UNIT, jobs=1, secret=SECRET, grader=FAKE, progress=False)
    return course


def _result(trainee, points):
    return SubmissionResult(trainee, UNIT, "fixture1", "graded", cells=[
        CellResult("mean_test", "fixture1", 2, points, "passed"),
        CellResult("written_reflection", "fixture1", 2, 0, "manual")])


def test_writer_sets_auto_scores_and_keeps_manual(graded, tmp_path):
    """A regrade rewrites auto_score but never touches an instructor's manual_score."""
    course = clone_course(graded, tmp_path / "c")
    writer = GradebookWriter(course)
    writer.write(_result("T01", 2.0))
    set_manual(course, "T01", "written_reflection", 1.5)
    writer.last_checksum = file_checksum(course.gradebook_path)
    writer.write(_result("T01", 1.0))
    scores = read_scores(course, UNIT)["T01"]
    assert scores["mean_test"]["auto"] == 1.0
    assert scores["written_reflection"]["manual"] == 1.5
    assert scores["written_reflection"]["needs_manual"] is False


def test_manual_cell_awaits_grade(graded):
    """A manual cell is written with no auto score and flagged for manual grading."""
    scores = read_scores(graded, UNIT)["T02"]
    assert scores["written_reflection"]["auto"] is None
    assert scores["written_reflection"]["needs_manual"] is True


def test_writer_detects_outside_change(graded, tmp_path):
    """A change between two writes raises GradebookTampered."""
    course = clone_course(graded, tmp_path / "c")
    writer = GradebookWriter(course)
    writer.write(_result("T01", 2.0))
    with sqlite3.connect(course.gradebook_path) as db:
        db.execute("UPDATE grade SET auto_score = 0")
    with pytest.raises(GradebookTampered, match="changed between two writes"):
        writer.write(_result("T02", 2.0))


def test_unreleased_unit_is_a_clear_error(graded, tmp_path):
    """Writing a unit the gradebook does not know asks to release it first."""
    course = clone_course(graded, tmp_path / "c")
    bad = _result("T01", 1.0)
    bad.unit = "NOPE"
    with pytest.raises(CourseError, match="crm-course release NOPE"):
        GradebookWriter(course).write(bad)


def test_backup_and_restore_roundtrip(graded, tmp_path):
    """Restoring the newest backup brings back the scores it held."""
    course = clone_course(graded, tmp_path / "c")
    before = read_scores(course, UNIT)
    backup = backup_gradebook(course)
    assert backup in list_backups(course)
    with sqlite3.connect(course.gradebook_path) as db:
        db.execute("UPDATE grade SET auto_score = 0")
    assert read_scores(course, UNIT) != before
    assert restore_gradebook(course) == backup
    assert read_scores(course, UNIT) == before
    assert restore_gradebook(course, backup.name) == backup


def test_restore_errors(graded, tmp_path):
    """No backups, an unknown backup, or a non-gradebook file give clear errors."""
    course = clone_course(graded, tmp_path / "c")
    for p in list_backups(course):
        p.unlink()
    with pytest.raises(CourseError, match="no gradebook backups"):
        restore_gradebook(course)
    with pytest.raises(CourseError, match="backup nope.db not found"):
        restore_gradebook(course, "nope.db")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE x (a)").connection.close()
    with pytest.raises(CourseError, match="not an nbgrader gradebook"):
        restore_gradebook(course, other)


def test_grading_run_takes_a_backup(graded):
    """Every grading run backs up the gradebook first."""
    assert list_backups(graded)


def test_tampering_during_run_is_restored(graded, tmp_path, monkeypatch):
    """A write to the gradebook mid-run is undone from the backup and reported."""
    clean = clone_course(graded, tmp_path / "clean")
    grade(clean, UNIT, jobs=1, force=True, secret=SECRET, grader=FAKE, progress=False)
    course = clone_course(graded, tmp_path / "c")
    monkeypatch.setenv("FAKE_GRADER_TAMPER", f"T03:{course.gradebook_path}")
    summary = grade(course, UNIT, jobs=1, force=True, secret=SECRET, grader=FAKE,
                    progress=False)
    assert any("restored it from backup" in w for w in summary.warnings)
    assert read_scores(course, UNIT) == read_scores(clean, UNIT)
    assert all(g["manual"] != 99 for t in read_scores(course, UNIT).values()
               for g in t.values())


def test_result_without_cells_writes_no_submission(graded, tmp_path):
    """A missing notebook registers the trainee but creates no submission with zeros."""
    course = clone_course(graded, tmp_path / "c")
    GradebookWriter(course).write(SubmissionResult("T99", UNIT, "fixture1", "missing"))
    assert "T99" not in read_scores(course, UNIT)
