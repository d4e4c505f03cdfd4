"""Release: nbgrader's generate_assignment, with keys and criterion maps kept private."""

from __future__ import annotations

import json
import stat

import pytest
from grading_helpers import UNIT, copy_fixture_course

from autograders.commands.errors import CourseError
from autograders.release import release


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """The fixture course after `release all`."""
    course = copy_fixture_course(tmp_path_factory.mktemp("rel") / "course")
    paths = release(course, "all")
    return course, paths


def test_release_writes_student_version(released):
    """The release holds the notebook without solutions or hidden tests."""
    course, paths = released
    assert paths == [course.release_dir / UNIT]
    text = (course.release_dir / UNIT / "fixture1.ipynb").read_text()
    assert "sum(VALUES) / len(VALUES)" not in text
    assert "FIXTURE1-HIDDEN-MARKER" not in text
    assert "submit(\\\"squares_test\\\", squares)" in text
    json.loads(text)


def test_release_never_copies_keys(released):
    """unit.toml, evaluators and the secret stay out of the release."""
    course, _ = released
    names = {p.name for p in (course.release_dir / UNIT).rglob("*")}
    assert names == {"fixture1.ipynb"}


def test_first_release_creates_private_secret(released):
    """The course secret exists after release and only its owner can read it."""
    course, _ = released
    mode = stat.S_IMODE(course.secret_path.stat().st_mode)
    assert mode == 0o600 and len(course.read_secret()) == 64


def test_gradebook_knows_the_unit(released):
    """generate_assignment recorded the unit's graded cells in the gradebook."""
    from nbgrader.api import Gradebook

    course, _ = released
    with Gradebook(course.db_url, "") as gb:
        nb = gb.find_notebook("fixture1", UNIT)
        assert sorted(c.name for c in nb.grade_cells) == [
            "filter_test", "mean_test", "squares_test", "written_reflection"]


def test_unknown_unit(released):
    """An unknown unit names the units that exist."""
    course, _ = released
    with pytest.raises(CourseError, match="unknown unit 'NOPE': known units are FIXTURE1"):
        release(course, "NOPE")


def test_broken_source_is_a_course_error(tmp_path):
    """The rejection by nbgrader of a source notebook becomes a CourseError with its reason."""
    course = copy_fixture_course(tmp_path / "c")
    nb_path = course.units_dir / UNIT / "fixture1.ipynb"
    nb = json.loads(nb_path.read_text())
    nb["cells"][4]["metadata"]["nbgrader"]["points"] = -1
    nb_path.write_text(json.dumps(nb))
    with pytest.raises(CourseError, match="nbgrader could not release FIXTURE1"):
        release(course, UNIT)
