"""Each unit's INSTRUCTOR.md: written for the assessor, naming every criterion, never released."""

from __future__ import annotations

import re

import pytest
from unit_loader import UNITS_DIR

from autograders.release import private_files
from autograders.unitspec import helper_files, load_unit_spec

CODES = ("ITCSCR304A", "ITCSCR410A")


def guide(code: str) -> str:
    """The text of a unit's instructor guide."""
    return (UNITS_DIR / code / "INSTRUCTOR.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("code", CODES)
def test_guide_names_every_criterion_and_observation_item(code):
    """Every AC id of unit.toml, with its text, and every observation item id is in the guide."""
    spec = load_unit_spec(UNITS_DIR / code)
    text = guide(code)
    for cid, criterion in spec.criteria.items():
        assert re.search(rf"###\s+{re.escape(cid)}\b", text), f"{cid} has no section"
        assert criterion.text.rstrip(".") in text, f"{cid}'s text is not quoted"
    for item in spec.observations:
        assert f"`{item.id}`" in text, item.id


@pytest.mark.parametrize("code", CODES)
def test_guide_names_every_performance_cell_and_written_answer(code):
    """Each graded cell other than a quiz letter is named, so the assessor can find it."""
    spec = load_unit_spec(UNITS_DIR / code)
    text = guide(code)
    cells = {gid for criterion in spec.criteria.values() for gid in criterion.cells}
    missing = sorted(gid for gid in cells if not gid.startswith("q_") and f"`{gid}`" not in text)
    assert missing == []
    assert "rubric" in text.lower() and "crm-course observe" in text


@pytest.mark.parametrize("code", CODES)
def test_guide_is_not_a_trainee_file(code):
    """The guide is kept out of the released helpers and flagged if it ever reaches a release."""
    unit = UNITS_DIR / code
    assert (unit / "INSTRUCTOR.md").is_file()
    assert "INSTRUCTOR.md" not in [p.name for p in helper_files(unit)]


def test_a_release_holding_a_guide_is_refused(tmp_path):
    """private_files names an INSTRUCTOR.md found in a release directory, at any depth."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.ipynb").write_text("{}")
    (tmp_path / "sub" / "INSTRUCTOR.md").write_text("# keys")
    assert private_files(tmp_path) == ["sub/INSTRUCTOR.md"]
