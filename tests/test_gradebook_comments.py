"""The autograder's messages and submission times reach nbgrader's gradebook (formgrader)."""

from __future__ import annotations

import pytest
from grading_helpers import FAKE, SECRET, UNIT, copy_fixture_course, set_manual

from autograders.course import ensure_alembic_on_path
from autograders.demo import submit_cohort, unit_variants
from autograders.gradebook import answer_cells
from autograders.grading import grade
from autograders.release import release_unit


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A fixture course with two trainees graded by the fake grader."""
    course = copy_fixture_course(tmp_path_factory.mktemp("gbc") / "course")
    release_unit(course, UNIT)
    submit_cohort(course, UNIT, {"T01": "full", "T02": "wrong"}, unit_variants(course, UNIT))
    grade(course, UNIT, jobs=1, secret=SECRET, grader=FAKE, progress=False)
    return course


def _gradebook(course):
    from nbgrader.api import Gradebook

    ensure_alembic_on_path()
    return Gradebook(course.db_url, "")


def test_test_cells_map_to_the_answer_cell_above(graded):
    """Each test cell's comment lives on the answer cell it checks (nbgrader's rule)."""
    assert answer_cells(graded, UNIT, "fixture1") == {
        "mean_test": "mean_impl", "squares_test": "squares_impl",
        "filter_test": "filter_impl", "written_reflection": "written_reflection"}


def test_auto_comment_holds_each_checks_message(graded):
    """The Comment.auto_comment of nbgrader carries the check's verdict, so formgrader shows it."""
    with _gradebook(graded) as gb:
        for trainee in ("T01", "T02"):
            for answer, test in (("mean_impl", "mean_test"), ("filter_impl", "filter_test")):
                comment = gb.find_comment(answer, "fixture1", UNIT, trainee)
                assert comment.auto_comment.startswith(f"{test} (")
                assert "fake verdict" in comment.auto_comment


def test_submission_timestamp_is_set(graded):
    """The submission's timestamp in the gradebook is filled (nbgrader's 'Timestamp')."""
    with _gradebook(graded) as gb:
        for trainee in ("T01", "T02"):
            assert gb.find_submission(UNIT, trainee).timestamp is not None


def test_regrade_keeps_the_instructors_manual_comment(graded):
    """A regrade rewrites auto_comment only; a manual comment typed in formgrader stays."""
    set_manual(graded, "T01", "written_reflection", 1.0)
    with _gradebook(graded) as gb:
        gb.find_comment("mean_impl", "fixture1", UNIT, "T01").manual_comment = "see me"
        gb.db.commit()
    grade(graded, UNIT, jobs=1, secret=SECRET, grader=FAKE, progress=False, force=True)
    with _gradebook(graded) as gb:
        comment = gb.find_comment("mean_impl", "fixture1", UNIT, "T01")
        assert comment.manual_comment == "see me" and "fake verdict" in comment.auto_comment
