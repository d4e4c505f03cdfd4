"""`crm-course release --lang`: each trainee's language recorded and carried by the release."""

from __future__ import annotations

import tomllib

import pytest
from unit_loader import REPO

from autograders.commands.errors import CourseError
from autograders.course import Course
from autograders.languages import copy_record, read_record, record_language, unit_languages

UNIT = "104917L3"


@pytest.fixture
def course(tmp_path):
    """A course holding only the bilingual unit's unit.toml and an English-only unit."""
    for code, extra in ((UNIT, None), ("ENONLY1", 'code = "ENONLY1"\n')):
        unit = tmp_path / "units" / code
        unit.mkdir(parents=True)
        src = (REPO / "course" / "units" / code / "unit.toml") if extra is None else None
        (unit / "unit.toml").write_text(src.read_text() if src else extra)
    return Course(tmp_path)


def test_unit_languages_read_from_unit_toml(course):
    """The bilingual unit offers English and 繁體中文; a unit that says nothing, English."""
    assert unit_languages(course.unit_dir(UNIT)) == ("en", "zh-Hant")
    assert unit_languages(course.unit_dir("ENONLY1")) == ("en",)


def test_record_per_trainee_and_default(course):
    """--trainee records one trainee's language; without it the course default changes."""
    record_language(course, UNIT, "zh-Hant", ["T005", "T007"])
    record_language(course, UNIT, "en", ["T007"])
    assert read_record(course) == {"default": "en",
                                   "trainees": {"T005": "zh-Hant", "T007": "en"}}
    record_language(course, UNIT, "zh-Hant")
    data = tomllib.loads((course.root / "languages.toml").read_text())
    assert data["default"] == "zh-Hant" and data["trainees"]["T005"] == "zh-Hant"


def test_language_the_unit_lacks_is_refused(course):
    """Chinese for an English-only unit, or an unknown code, is refused; nothing written."""
    with pytest.raises(CourseError, match="ENONLY1 has no text in 'zh-Hant'"):
        record_language(course, "ENONLY1", "zh-Hant", ["T005"])
    with pytest.raises(CourseError, match="choose one of en, zh-Hant"):
        record_language(course, UNIT, "fr", ["T005"])
    assert not (course.root / "languages.toml").exists()


def test_bad_trainee_id_is_refused(course):
    """A trainee id that could not be a folder name is refused before anything is written."""
    with pytest.raises(CourseError, match="not allowed"):
        record_language(course, UNIT, "zh-Hant", ["../T005"])
    assert not (course.root / "languages.toml").exists()


def test_release_carries_the_record(course, tmp_path):
    """copy_record puts the course's record beside the released notebooks."""
    released = tmp_path / "release" / UNIT
    released.mkdir(parents=True)
    assert copy_record(course, released) is None
    record_language(course, UNIT, "zh-Hant", ["T005"])
    out = copy_record(course, released)
    assert tomllib.loads(out.read_text())["trainees"] == {"T005": "zh-Hant"}


def test_demo_cohort_has_a_chinese_reader_where_a_unit_offers_it(course):
    """The demo records T003 as reading 繁體中文 in the bilingual unit only."""
    from autograders.demo import record_demo_languages

    assert record_demo_languages(course, "ENONLY1") == []
    assert record_demo_languages(course, UNIT) == ["T003"]
    assert read_record(course)["trainees"] == {"T003": "zh-Hant"}


@pytest.mark.slow
def test_release_carries_the_record_only_where_a_unit_offers_languages(tmp_path):
    """Released 104917L3 holds languages.toml; an English-only unit's release does not."""
    from autograders.demo import copy_course
    from autograders.release import release

    course = copy_course(REPO / "course", tmp_path / "course")
    out = release(course, UNIT, lang="zh-Hant", trainees=["T005"])[0]
    assert tomllib.loads((out / "languages.toml").read_text())["trainees"] == {"T005": "zh-Hant"}
    other = release(course, "ITCSCR410A")[0]
    assert not (other / "languages.toml").exists()
