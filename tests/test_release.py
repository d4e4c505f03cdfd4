"""Release: nbgrader's generate_assignment, with keys and criterion maps kept private."""

from __future__ import annotations

import json
import shutil
import stat

import pytest
from grading_helpers import UNIT, copy_fixture_course

from autograders.commands.errors import CourseError
from autograders.grading import released_support
from autograders.release import private_files, release


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
    """The notebook and its helper are released; unit.toml, grading/ and the secret are not."""
    course, _ = released
    assert (course.units_dir / UNIT / "grading" / "evaluators.py").is_file()
    names = {p.relative_to(course.release_dir / UNIT).as_posix()
             for p in (course.release_dir / UNIT).rglob("*")}
    assert names == {"fixture1.ipynb", "fixture_helpers.py"}
    assert private_files(course.release_dir / UNIT) == []


def test_grading_support_is_the_released_helpers_only(released):
    """What grading copies next to the notebook: the released helper, nothing private."""
    course, _ = released
    rel = course.release_dir / UNIT
    (rel / "grading").mkdir()                       # a hand-edited release, as if leaked
    (rel / "grading" / "evaluators.py").write_text("KEY = 1\n")
    (rel / "keys.py").write_text("@evaluator('FIXTURE1', 'mean_test')\ndef f(a, c): ...\n")
    try:
        assert private_files(rel) == ["grading", "grading/evaluators.py", "keys.py"]
        assert released_support(rel) == [str(rel / "fixture_helpers.py")]
    finally:
        shutil.rmtree(rel / "grading")
        (rel / "keys.py").unlink()


def test_release_refuses_a_helper_that_registers_evaluators(tmp_path):
    """A key module left beside the notebooks makes the release fail loudly."""
    course = copy_fixture_course(tmp_path / "c")
    (course.units_dir / UNIT / "answers.py").write_text(
        "from autograders.checks import evaluator\n\n@evaluator('FIXTURE1', 'mean_test')\n"
        "def f(a, c):\n    return None\n")
    with pytest.raises(CourseError, match="answers.py"):
        release(course, UNIT)


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
