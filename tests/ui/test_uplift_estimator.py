"""Uplift estimator driven from code: the method, the estimate it gives, the chart."""

from __future__ import annotations

import pytest

from crm_sim import FieldError, Scenario, World
from crm_sim.programme_sim import ab_test, uplift_estimate
from crm_sim.programmes import Programme
from crm_sim.ui.uplift_estimator import UpliftEstimator


@pytest.fixture(scope="module")
def data():
    """A member-rewards test on the individual segment of a small company."""
    world = World.build(Scenario(seed=12, n_customers=1500))
    return ab_test(world, Programme("member_rewards", params={"points_rate": 0.08}),
                   "individual").data


def test_value_is_the_method_and_its_estimate(data):
    """The value names the method and carries the estimate that method gives."""
    view = UpliftEstimator(data)
    value = view.set_method("bought", "adjusted", "all", 0.9)
    want = uplift_estimate(data, "bought", 0.9, "adjusted", "all")
    assert value["method"] == "adjusted" and value["level"] == 0.9
    assert value["estimate"] == pytest.approx(want["estimate"], abs=1e-6)
    assert value["low"] < value["estimate"] < value["high"]
    assert set(view.chart_data) == {"treatment", "control"}


def test_bad_method_names_the_field(data):
    """An unknown comparison raises FieldError naming it; the view keeps its method."""
    view = UpliftEstimator(data)
    with pytest.raises(FieldError) as err:
        view.set_method(method="guess")
    assert err.value.field == "method"
    assert view.value["method"] == "arms"
