"""The assignment planner driven from code: ranking rule, fill, hand moves and breaches."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_sim.errors import FieldError
from crm_sim.ui.planner import AssignmentPlanner, apply_assignment

CALLS = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4"],
                      "segment": ["big", "big", "small", "small"]})
WORK = pd.DataFrame({"group": ["big", "big", "small", "small"],
                     "period": ["2026-02-02"] * 4, "minutes": [60.0, 60.0, 30.0, 30.0],
                     "priority": [3.0, 2.9, 1.0, 0.9]})
AGENTS = pd.DataFrame({"agent_id": ["S1", "S2", "A1"], "quality": [0.9, 0.6, 0.4],
                       "capacity": [60.0, 120.0, 1.0], "unit": ["minutes", "minutes", "calls"]})
QUALIFIED = {"big": ["S1", "S2"], "small": ["S1", "S2", "A1"]}


@pytest.fixture
def planner() -> AssignmentPlanner:
    """Four calls, two staff (hours) and one agency (one call a week)."""
    return AssignmentPlanner(CALLS, WORK, AGENTS, QUALIFIED)


def test_empty_plan_says_calls_have_no_caller(planner):
    """Before anything is done, the view says how many calls have nobody."""
    assert planner.breaches() == ["4 calls have no caller yet"]
    assert "4 calls have no caller" in planner._status.value


def test_best_first_then_fill_respects_capacity(planner):
    """Best first: S1 takes the heaviest call until full, S2 the next; the agency one call."""
    assert planner.best_first("big") == ["S1", "S2"]
    planner.set_callers("small", ["A1", "S2"])
    value = planner.fill()
    assert value["assignee"].tolist() == ["S1", "S2", "A1", "S2"]
    assert planner.breaches() == []
    assert "✔" in planner._status.value


def test_hand_moves_show_overbooking_and_unqualified_callers(planner):
    """Moving calls by hand to a full or unqualified caller is reported in plain words."""
    planner.best_first("big")
    planner.best_first("small")
    planner.fill()
    planner.assign(1, "S1")                      # S1 now has 120 minutes against 60
    assert any("S1 is booked 2 hours" in x and "can take 1" in x for x in planner.breaches())
    planner.assign(0, "A1")                      # the agency is not qualified for 'big'
    assert any("not qualified" in x and "A1 on big" in x for x in planner.breaches())


def test_typed_caller_list_counts_like_the_buttons(planner):
    """Ids typed into a segment's box are the rule when the plan is filled."""
    planner._orders["big"].value = "S2, S1"
    planner._orders["small"].value = "S2"
    assert planner.fill()["assignee"].tolist()[:2] == ["S2", "S2"]


def test_load_chart_data_marks_the_busiest_week(planner):
    """The load table behind the chart gives each caller's share of their capacity."""
    planner.best_first("big")
    planner.fill()
    load = planner.load().set_index("agent")
    assert load.at["S1", "share"] == pytest.approx(1.0)
    assert load.at["S2", "share"] == pytest.approx(0.5)


def test_bad_actions_raise_domain_errors(planner):
    """Unknown groups, callers or calls name the field and the fix."""
    with pytest.raises(FieldError, match="group"):
        planner.set_callers("huge", ["S1"])
    with pytest.raises(FieldError, match="callers"):
        planner.set_callers("big", ["ZZ9"])
    with pytest.raises(FieldError, match="call"):
        planner.assign(99, "S1")


def test_apply_assignment_is_the_rule_as_data():
    """The rule applied without the view gives the same callers as the view's fill."""
    rule = {"kind": "assignment", "callers": {"big": ["S1", "S2"], "small": ["A1", "S2"]}}
    assert apply_assignment(rule, WORK, AGENTS).tolist() == ["S1", "S2", "A1", "S2"]
    with pytest.raises(FieldError):
        apply_assignment({"kind": "assignment"}, WORK, AGENTS)
