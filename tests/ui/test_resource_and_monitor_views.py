"""Resource planner and monitoring designer driven from code: value is the decision as data."""

import pytest
from policy_companies import company_under_starter_policy

from crm_sim.errors import CrmSimError
from crm_sim.policy import MonitorRules, true_violators
from crm_sim.ui.monitor_designer import MonitorDesigner
from crm_sim.ui.resource_planner import ResourcePlanner


@pytest.fixture(scope="module")
def company():
    """A small company three months into its starter policy."""
    return company_under_starter_policy(seed=61, n_customers=700, months=3)


def test_resource_planner_value_and_totals(company):
    """Setting the method changes the value and the prediction it shows."""
    world, policy = company
    view = ResourcePlanner(world, policy)
    naive = view.totals()["hours_month"]
    view.set("handling", "history")
    view.set("allow_unanswered", True)
    view.set("productive_share", 0.8)
    assert view.value == {"kind": "resource_method", "handling": "history",
                          "allow_unanswered": True, "productive_share": 0.8}
    assert view.totals()["hours_month"] != naive
    assert "headcount" in view._table.value
    assert set(view.chart_data) <= set(world.tables["staff"]["role"])
    assert all(need >= 0 and have > 0 for need, have in view.chart_data.values())
    with pytest.raises(CrmSimError):
        view.set("productive_share", 5)
    assert view.value["productive_share"] == 0.8


def test_monitor_designer_starts_blank_and_flags_with_rules(company):
    """Blank rules flag nobody; the sound rules flag exactly the true violators."""
    world, policy = company
    view = MonitorDesigner(world, policy)
    assert view.flagged() == []
    for name, value in MonitorRules().to_dict().items():
        view.set(name, value)
    view.show_tables(["new_customers", "mobility", "actors"])
    view.refresh_every(1)
    assert set(view.flagged()) == set(true_violators(world)["actor_id"])
    assert max(view.chart_data.values()) > view.rules.max_breach_rate
    assert view.value["rules"] == MonitorRules().to_dict()
    assert view.value["tables"] == ["new_customers", "mobility", "actors"]
    assert view.value["every_months"] == 1


def test_monitor_designer_refuses_bad_input(company):
    """Unknown rules, tables or periods raise domain errors and change nothing."""
    world, policy = company
    view = MonitorDesigner(world, policy)
    before = view.value
    for action in (lambda: view.set("hack", 1), lambda: view.show_tables(["secrets"]),
                   lambda: view.refresh_every(0), lambda: view.set("max_breach_rate", 3.0)):
        with pytest.raises(CrmSimError):
            action()
    assert view.value == before
