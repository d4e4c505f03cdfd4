"""LMS export: Moodle and Canvas CSV layouts."""

from __future__ import annotations

import csv

import pytest

from autograders.commands.errors import CourseError
from autograders.reports.competency import decide
from autograders.reports.export import (
    canvas_rows,
    course_canvas_ids,
    moodle_rows,
    parse_canvas_ids,
    write_exports,
)

from .conftest import MANUAL_DONE, cell, good_cells, row, wrong_cells


def _decisions(spec):
    return [decide(spec, "T1", [row("T1", good_cells())], MANUAL_DONE),
            decide(spec, "T2", [row("T2", wrong_cells())], MANUAL_DONE)]


def test_moodle_layout(spec):
    """Moodle: 'ID number' identifier then points and competency columns per unit."""
    header, rows = moodle_rows(_decisions(spec))
    assert header == ["ID number", "FIXTURE1 points", "FIXTURE1 competency"]
    assert rows == [["T1", 9.0, "Competent"], ["T2", 2.0, "Not Yet Competent"]]


def test_canvas_layout(spec):
    """Canvas: Student, ID, SIS User ID, SIS Login ID, Section, 'Name (id)', Points Possible."""
    header, rows = canvas_rows(_decisions(spec), canvas_ids={"FIXTURE1": 1234})
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                      "FIXTURE1 (1234)"]
    assert rows[0] == ["Points Possible", "", "", "", "", 9.0]
    assert rows[1] == ["T1", "", "T1", "T1", "", 9.0]


def test_canvas_without_id_never_invents_one(spec):
    """A unit with no Canvas id is a plain name column (a new assignment), not '(1)'."""
    header, _ = canvas_rows(_decisions(spec))
    assert header[-1] == "FIXTURE1"


def test_canvas_ids_from_cli_pairs_and_course_setting(tmp_path):
    """UNIT=ID pairs and canvas.toml both parse; a bad pair is a one-line CourseError."""
    assert parse_canvas_ids(["U1=12", "U2=7"]) == {"U1": 12, "U2": 7}
    with pytest.raises(CourseError, match="UNIT=ID"):
        parse_canvas_ids(["U1=abc"])
    assert course_canvas_ids(tmp_path) == {}
    (tmp_path / "canvas.toml").write_text("[assignment_ids]\nU1 = 99\n")
    assert course_canvas_ids(tmp_path) == {"U1": 99}


def test_moodle_pending_manual_grade_exports_blank(spec):
    """A written answer still awaiting its manual grade leaves Moodle's points blank."""
    pending = decide(spec, "T4", [row("T4", good_cells())], {})
    _, moodle = moodle_rows([pending])
    assert pending.pending and moodle[0][1] == ""
    assert "pending" in moodle[0][2]


def test_files_written(spec, tmp_path):
    """Both files are written as CSV a spreadsheet reads back."""
    moodle, canvas = write_exports(tmp_path, _decisions(spec))
    with moodle.open() as fh:
        assert next(csv.reader(fh))[0] == "ID number"
    with canvas.open() as fh:
        assert list(csv.reader(fh))[1][0] == "Points Possible"


def test_incomplete_grading_exports_empty_never_a_zero(spec):
    """A timed-out notebook leaves the LMS cell empty (not graded), not 0.0 or partial points."""
    timed_out = row("T3", [cell("mean_test", 2, 2, "passed")], status="timed_out",
                    reason="timed out in cell squares_impl")
    decisions = _decisions(spec) + [decide(spec, "T3", [timed_out], MANUAL_DONE)]
    _, moodle = moodle_rows(decisions)
    _, canvas = canvas_rows(decisions)
    assert moodle[2][1] == "" and "timed out in cell squares_impl" in moodle[2][2]
    assert canvas[3] == ["T3", "", "T3", "T3", "", ""]
    assert moodle[1][1] == 2.0 and canvas[2][5] == 2.0      # a real low mark still exports
