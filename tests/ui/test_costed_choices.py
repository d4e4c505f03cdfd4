"""Costed choices driven from code: ticks, totals, the required item and the chart data."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_sim.errors import FieldError
from crm_sim.ui.costed_choices import CostedChoices

ITEMS = pd.DataFrame({"cost": [100.0, 500.0, 50.0], "worth": [300.0, 200.0, 80.0]},
                     index=["brief", "record", "consent"])


@pytest.fixture
def view() -> CostedChoices:
    """Three items, 'consent' required by law."""
    return CostedChoices(ITEMS, required={"consent": "the law says so"})


def test_nothing_ticked_names_the_required_item(view):
    """Untouched, the view says the required item is missing and totals are zero."""
    assert view.problems() == ["consent is required: the law says so"]
    assert view.totals() == {"cost": 0.0, "worth": 0.0, "net": 0.0}


def test_ticks_give_the_value_and_the_net(view):
    """Ticking items sums their cost and worth; the value says which are ticked."""
    view.tick_only(["brief", "consent"])
    assert view.value == {"brief": True, "record": False, "consent": True}
    assert view.totals() == {"cost": 150.0, "worth": 380.0, "net": 230.0}
    assert view.problems() == []
    assert "net HKD 230" in view._status.value


def test_an_item_that_costs_more_lowers_the_net(view):
    """Adding an item worth less than its cost shows a lower net."""
    view.tick_only(["brief", "consent", "record"])
    assert view.totals()["net"] == pytest.approx(-70.0)


def test_chart_data_pairs_cost_and_worth(view):
    """The chart's bars are each item's cost against its worth."""
    assert view.chart_data["record"] == (500.0, 200.0)


def test_bad_items_raise_domain_errors(view):
    """An unknown item or a table without costs names the field and the fix."""
    with pytest.raises(FieldError, match="item"):
        view.tick("bribe")
    with pytest.raises(FieldError, match="items"):
        CostedChoices(ITEMS[["cost"]])
