"""Feedback HTML: verdicts a trainee can act on, and no grader-only material."""

from __future__ import annotations

import json

import pytest
from grading_helpers import SECRET, UNIT, copy_fixture_course

from autograders.commands.errors import CourseError
from autograders.feedback import REMOVED, hidden_lines, sanitise, secret_needles, write_feedback
from autograders.gradebook import GradebookWriter
from autograders.journal import StatusStore
from autograders.release import release_unit
from autograders.results import (
    FEEDBACK_OUTPUTS_KEY,
    SUBMITTED_OUTPUTS,
    CellResult,
    SubmissionResult,
)

HIDDEN = "# FIXTURE1-HIDDEN-MARKER: squares is also checked on hidden-seed sizes"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A released fixture course with one hand-made 'autograded' notebook that leaks."""
    course = copy_fixture_course(tmp_path_factory.mktemp("fb") / "course")
    release_unit(course, UNIT)
    source = json.loads((course.unit_dir(UNIT) / "fixture1.ipynb").read_text())
    seed = secret_needles(SECRET, "T1", UNIT)[-1]
    source["metadata"][FEEDBACK_OUTPUTS_KEY] = SUBMITTED_OUTPUTS
    for cell in source["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = 1
    sq = next(c for c in source["cells"] if c["metadata"]["nbgrader"]["grade_id"]
              == "squares_test")
    sq["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "squares ok\n"}]
    impl = next(c for c in source["cells"] if c["metadata"]["nbgrader"]["grade_id"]
                == "mean_impl")
    impl["outputs"] = [{"output_type": "stream", "name": "stdout",
                        "text": f"seed is {seed}, secret {SECRET}\n"}]
    out = course.autograded_dir / "T1" / UNIT / "fixture1.ipynb"
    out.parent.mkdir(parents=True)
    out.write_text(json.dumps(source))
    result = SubmissionResult("T1", UNIT, "fixture1", "graded", cells=[
        CellResult("filter_test", "fixture1", 2, 1, "partial",
                   f"use >= rather than > (hidden seed {seed})")])
    with StatusStore(course.status_db_path) as store:
        store.record(result, checksum="x", run_id="r")
    writer = GradebookWriter(course)      # nbgrader's feedback reads the gradebook
    writer.write(result)
    writer.close()
    (course.root / ".secret").write_text(SECRET + "\n")
    return course


def test_hidden_lines_found_in_source(course):
    """The hidden-test region's lines are the needles to keep out."""
    source = json.loads((course.unit_dir(UNIT) / "fixture1.ipynb").read_text())
    assert HIDDEN in hidden_lines(source)


def test_sanitise_restores_released_tests_and_scrubs_outputs(course):
    """Test cells revert to the released source; outputs carrying secrets are replaced."""
    executed = json.loads((course.autograded_dir / "T1" / UNIT / "fixture1.ipynb").read_text())
    released = json.loads((course.release_dir / UNIT / "fixture1.ipynb").read_text())
    safe = sanitise(executed, released, [SECRET])
    text = json.dumps(safe)
    assert "HIDDEN-MARKER" not in text and SECRET not in text
    assert REMOVED in text
    assert "squares ok" in text                     # harmless outputs stay


def test_feedback_page_has_verdicts_and_no_grader_material(course):
    """The page names what to fix and holds no hidden test, secret or hidden seed."""
    (page,) = write_feedback(course, UNIT, secret=SECRET)
    assert page.path == course.feedback_dir / "T1" / UNIT / "fixture1.html"
    html = page.path.read_text()
    assert "use &gt;= rather than &gt;" in html
    assert "HIDDEN-MARKER" not in html and "assert squares(0) == []" not in html
    assert SECRET not in html
    for needle in secret_needles(SECRET, "T1", UNIT):
        assert needle not in html


def test_feedback_without_results_is_a_clear_error(course):
    """Asking for a trainee with no results says to grade first."""
    with pytest.raises(CourseError, match="no grading results for FIXTURE1 for trainee 'T9'"):
        write_feedback(course, UNIT, secret=SECRET, trainee="T9")


def test_sanitise_makes_trainee_rich_output_inert():
    """Trainee HTML/JS outputs cannot run in the browser of whoever opens the feedback."""
    script = "<script>fetch('/steal?c='+document.cookie)</script>"
    executed = {"metadata": {FEEDBACK_OUTPUTS_KEY: SUBMITTED_OUTPUTS},
                "cells": [{"cell_type": "code", "source": "x", "metadata": {}, "outputs": [
        {"output_type": "display_data", "metadata": {},
         "data": {"text/html": script, "text/plain": "<IPython.HTML>"}},
        {"output_type": "execute_result", "metadata": {}, "execution_count": 1,
         "data": {"application/javascript": "alert(1)"}},
        {"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBORw0KGgo="}},
    ]}]}
    safe = sanitise(executed, {"cells": []}, [])
    outs = safe["cells"][0]["outputs"]
    text = json.dumps(safe)
    assert "<script>" not in text and "alert(1)" not in text
    assert outs[0]["data"] == {"text/plain": "<IPython.HTML>"}
    assert outs[1]["data"] == {"text/plain": "[rich output removed from feedback]"}
    assert outs[2]["data"] == {"image/png": "iVBORw0KGgo="}      # inert images stay


def test_feedback_from_before_submitted_outputs_drops_trainee_outputs():
    """An older feedback notebook (grading-time outputs) shows no trainee-cell output."""
    executed = {"cells": [{"cell_type": "code", "source": "print(1)", "metadata": {},
                           "outputs": [{"output_type": "stream", "name": "stdout",
                                        "text": "printed while graded"}]}]}
    safe = sanitise(executed, {"cells": []}, [])
    assert safe["cells"][0]["outputs"] == []
