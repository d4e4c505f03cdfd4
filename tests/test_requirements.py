"""The embedded UNITS.md catalogue: every unit, every id, with its text."""

from __future__ import annotations

import re

from autograders.requirements import REQUIREMENTS, UNIT_TITLES, criteria_ids, requirement_ids


def test_five_units_with_titles():
    """All five units of UNITS.md are catalogued with their titles."""
    assert set(REQUIREMENTS) == set(UNIT_TITLES) == {
        "ITCSCR304A", "ITCSCR410A", "ITCSCR512A", "ITCSCR516A", "104917L3"}


def test_id_counts_match_units_md():
    """Each unit has the number of K/P/X/AC ids UNITS.md lists."""
    counts = {code: len(ids) for code, ids in REQUIREMENTS.items()}
    assert counts == {"ITCSCR304A": 21, "ITCSCR410A": 18, "ITCSCR512A": 21,
                      "ITCSCR516A": 16, "104917L3": 17}
    assert criteria_ids("ITCSCR304A") == ["AC-i", "AC-ii", "AC-iii"]
    assert requirement_ids("NOPE") is None


def test_ids_are_well_formed_and_texts_nonempty():
    """Ids look like K1/P9/X2/AC-iii and every one has its requirement text."""
    for ids in REQUIREMENTS.values():
        for rid, text in ids.items():
            assert re.fullmatch(r"(K|P|X)\d+|AC-[ivx]+", rid)
            assert len(text) > 10
