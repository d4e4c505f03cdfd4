"""The real units' releases: notebooks and helper modules only, nothing of grading/."""

from __future__ import annotations

import pytest
from unit_loader import REPO, built_units

from autograders.answer_stub import code_stub, text_stub
from autograders.demo import copy_course
from autograders.grading import released_support
from autograders.languages import unit_languages
from autograders.release import private_files, release_unit
from autograders.unitspec import helper_files

CODES = built_units()
# Names that exist only in evaluator modules: a release holding one leaks a key.
KEY_NAMES = ("CHOICE_KEYS", "MC_KEYS", "JUDGEMENTS", "PURPOSE_KEY", "VARIANTS",
             "segment_summary_truth", "call_effect_truth", "@evaluator(")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A working copy of the repository's course (never the repository itself)."""
    return copy_course(REPO / "course", tmp_path_factory.mktemp("real") / "course")


@pytest.mark.parametrize("code", CODES)
def test_release_is_notebooks_and_helpers(course, code):
    """A real unit releases its notebooks and helpers; no key, reference or grading/ file."""
    unit = course.unit_dir(code)
    assert (unit / "grading" / "evaluators.py").is_file()
    out = release_unit(course, code)
    helpers = helper_files(unit)
    assert helpers, "a real unit has trainee-side helpers"
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert names == sorted([f"{nb}.ipynb" for nb in course.notebooks(code)]
                           + [h.relative_to(unit).as_posix() for h in helpers])
    assert private_files(out) == []
    text = "\n".join(p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file())
    assert [k for k in KEY_NAMES if k in text] == []
    assert released_support(out) == [str(out / h.relative_to(unit)) for h in helpers]


@pytest.mark.parametrize("code", CODES)
def test_instructor_guide_is_never_released(course, code):
    """The unit's INSTRUCTOR.md (how to grade the written answers) stays out of the release."""
    assert (course.unit_dir(code) / "INSTRUCTOR.md").is_file()
    out = release_unit(course, code)
    assert not list(out.rglob("INSTRUCTOR.md"))


@pytest.mark.parametrize("code", CODES)
def test_answer_cells_say_in_words_what_to_put_there(course, code):
    """Each released answer cell holds the words in the unit's languages, not nbgrader's stub."""
    import json

    out = release_unit(course, code)
    langs = unit_languages(course.unit_dir(code))
    code_words, text_words = code_stub(langs).splitlines()[0], text_stub(langs)
    answers = 0
    for path in sorted(out.glob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        assert "NotImplementedError" not in text and "YOUR CODE HERE" not in text, path.name
        assert "YOUR ANSWER HERE" not in text, path.name
        for cell in json.loads(text)["cells"]:
            if not cell["metadata"].get("nbgrader", {}).get("solution"):
                continue
            answers += 1
            source = "".join(cell["source"])
            if cell["cell_type"] == "code":
                assert code_words in source and "not_answered_yet()" in source, source
                assert ("在這裏作答" in source) == ("zh-Hant" in langs), source
            else:
                assert text_words in source, source
    assert answers >= 10
