"""The real units' releases: notebooks and helper modules only, nothing of grading/."""

from __future__ import annotations

import pytest
from unit_loader import REPO

from autograders.demo import copy_course
from autograders.grading import released_support
from autograders.release import private_files, release_unit
from autograders.unitspec import helper_files

CODES = ("ITCSCR304A", "ITCSCR410A", "104917L3")
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
