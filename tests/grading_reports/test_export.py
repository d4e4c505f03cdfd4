"""LMS export: Moodle and Canvas CSV layouts."""

from __future__ import annotations

import csv

from autograders.reports.competency import decide
from autograders.reports.export import canvas_rows, moodle_rows, write_exports

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
    """Canvas: Student, ID, SIS User ID, Section, '<UNIT> (<id>)', then Points Possible."""
    header, rows = canvas_rows(_decisions(spec), canvas_ids={"FIXTURE1": 1234})
    assert header == ["Student", "ID", "SIS User ID", "Section", "FIXTURE1 (1234)"]
    assert rows[0] == ["Points Possible", "", "", "", 9.0]
    assert rows[1] == ["T1", "", "T1", "", 9.0]


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
    assert canvas[3] == ["T3", "", "T3", "", ""]
    assert moodle[1][1] == 2.0 and canvas[2][4] == 2.0      # a real low mark still exports
