"""Course root resolution, unit lookup, trainee-id validation and the course secret."""

from __future__ import annotations

import stat

import pytest
from grading_helpers import FIXTURE_COURSE, copy_fixture_course

from autograders.commands.errors import CourseError
from autograders.course import ENV_VAR, resolve_course, validate_trainee_id


def test_resolution_order(tmp_path, monkeypatch):
    """--course beats CRM_COURSE_ROOT, which beats ./course."""
    other = copy_fixture_course(tmp_path / "other")
    monkeypatch.setenv(ENV_VAR, str(other.root))
    assert resolve_course(None).root == other.root
    assert resolve_course(FIXTURE_COURSE).root == FIXTURE_COURSE.resolve()
    monkeypatch.delenv(ENV_VAR)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "course" / "units").mkdir(parents=True)
    assert resolve_course(None).root == (tmp_path / "course").resolve()


def test_missing_root_is_a_clear_error(tmp_path):
    """A root without units/ says how to point at the right one."""
    with pytest.raises(CourseError, match="not found .*pass --course PATH or set"):
        resolve_course(tmp_path / "nope")


def test_units_and_notebooks():
    """Units are directories with notebooks; 'all' expands to them."""
    course = resolve_course(FIXTURE_COURSE)
    assert course.unit_codes() == ["FIXTURE1"]
    assert course.resolve_units("all") == ["FIXTURE1"]
    assert course.notebooks("FIXTURE1") == ["fixture1"]
    with pytest.raises(CourseError, match="not a valid unit code"):
        course.unit_dir("../etc")


@pytest.mark.parametrize("tid", ["T001", "hk-2026_07", "a" * 64])
def test_valid_trainee_ids(tid):
    """Plain ASCII ids are accepted."""
    assert validate_trainee_id(tid) is None


@pytest.mark.parametrize("tid", ["", "has space", "Zoë", "../x", "a/b", "..", "a..b",
                                 "-lead", "a" * 65, "x\x00y"])
def test_invalid_trainee_ids(tid):
    """Spaces, unicode, separators, '..' and over-long ids are refused with the rule."""
    why = validate_trainee_id(tid)
    assert why is not None and "not allowed" in why


def test_secret_created_once_with_0600(tmp_path):
    """The secret is generated on first use, private, and stable afterwards."""
    course = copy_fixture_course(tmp_path / "c")
    with pytest.raises(CourseError, match="secret .* is missing"):
        course.read_secret()
    first = course.read_secret(create=True)
    assert stat.S_IMODE(course.secret_path.stat().st_mode) == 0o600
    assert course.read_secret(create=True) == first == course.read_secret()


def test_nbgrader_api_is_bound_to_the_course(tmp_path):
    """The API's CourseDirectory points at this root with units/ as source directory."""
    course = copy_fixture_course(tmp_path / "c")
    api = course.nbgrader_api()
    assert api.coursedir.root == str(course.root)
    assert api.coursedir.source_directory == "units"
    assert {"unit.toml", "evaluators.py", "grading"} <= set(api.coursedir.ignore)
