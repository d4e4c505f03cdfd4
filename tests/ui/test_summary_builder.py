"""The summary builder driven from code: grouping, measures, the table and the chart."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_sim.errors import FieldError
from crm_sim.ui.summary_builder import SummaryBuilder

TABLE = pd.DataFrame({"segment": ["a", "a", "b"], "consent": [True, False, True],
                      "value": [10.0, 30.0, 5.0], "days": [3, 200, 90]})


@pytest.fixture
def view() -> SummaryBuilder:
    """A builder over a three-row table."""
    return SummaryBuilder(TABLE)


def test_empty_view_asks_for_grouping_and_a_measure(view):
    """Nothing chosen: the view says what is missing and the value is empty."""
    assert "group by" in view.refresh() and "measure" in view._status.value
    assert view.value.empty


def test_measures_build_the_summary(view):
    """Count, mean, share of true and share at most a threshold, per group."""
    view.group_by("segment")
    view.add_measure("n", "segment", "count")
    view.add_measure("consented", "consent", "share_true")
    view.add_measure("mean_value", "value", "mean")
    view.add_measure("recent", "days", "share_at_most", 90)
    expected = pd.DataFrame({"n": [2, 1], "consented": [0.5, 1.0], "mean_value": [20.0, 5.0],
                             "recent": [0.5, 1.0]}, index=pd.Index(["a", "b"], name="segment"))
    pd.testing.assert_frame_equal(view.value, expected, check_dtype=False)
    assert view.chart_data == {"a": 2.0, "b": 1.0}
    view.remove_measure("n")
    assert list(view.value.columns) == ["consented", "mean_value", "recent"]


def test_bad_choices_raise_domain_errors(view):
    """Unknown columns, summaries or a mean of text are refused with the fix."""
    with pytest.raises(FieldError, match="group by"):
        view.group_by("planet")
    with pytest.raises(FieldError, match="how"):
        view.add_measure("x", "value", "median")
    with pytest.raises(FieldError, match="column"):
        view.add_measure("x", "segment", "mean")
    with pytest.raises(FieldError, match="threshold"):
        view.add_measure("x", "days", "share_at_most", None)
