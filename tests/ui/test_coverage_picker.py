"""The coverage picker driven from code: picks, new reach, overlap and limits."""

from __future__ import annotations

import pytest

from crm_sim.errors import FieldError
from crm_sim.ui.coverage_picker import CoveragePicker

REACH = {"A": {"p1", "p2", "p3"}, "B": {"p1", "p2"}, "C": {"p4"}, "D": set()}


@pytest.fixture
def picker() -> CoveragePicker:
    """Four candidates, two picks allowed."""
    return CoveragePicker(REACH, limit=2)


def test_ranking_shows_new_reach_after_each_pick(picker):
    """After picking A, B adds nothing new and C adds one: the table says so."""
    picker.pick("A")
    ranking = picker.ranking().set_index("candidate")["new"].to_dict()
    assert ranking == {"B": 0, "C": 1, "D": 0}
    assert picker.ranking()["candidate"][0] == "C"


def test_overlap_is_named_and_value_is_the_picks(picker):
    """Picking A and B reaches 3 distinct prospects; the view names the double count."""
    picker.pick("A")
    picker.pick("B")
    assert picker.value == ["A", "B"]
    assert picker.covered() == {"p1", "p2", "p3"}
    assert "2 counted twice" in picker._status.value
    assert picker.chart_data == [3, 3]


def test_limits_and_unknowns_raise_domain_errors(picker):
    """A third pick, a repeat or an unknown id is refused with the fix."""
    picker.pick("A")
    with pytest.raises(FieldError, match="candidate"):
        picker.pick("A")
    with pytest.raises(FieldError, match="candidate"):
        picker.pick("Z")
    picker.pick("C")
    with pytest.raises(FieldError, match="picks"):
        picker.pick("B")


def test_drop_and_clear(picker):
    """Dropping and clearing update the picks and ask for more."""
    picker.pick("A")
    picker.drop("A")
    assert picker.value == []
    picker.pick("C")
    picker.clear()
    assert "pick 2 more" in picker._status.value
