"""Programme designer driven from code: choices, value, budget check, validation."""

from __future__ import annotations

import pytest

from crm_sim import FieldError, Scenario, World
from crm_sim.programmes import Programme
from crm_sim.ui.programme_designer import ProgrammeDesigner


@pytest.fixture(scope="module")
def world():
    """A small ICT company."""
    return World.build(Scenario(seed=4, n_customers=600))


def test_value_is_the_chosen_portfolio(world):
    """Choosing two programmes gives their dicts, with the parameters set."""
    view = ProgrammeDesigner(world, budget=100_000)
    view.choose("member_rewards", points_rate=0.05)
    view.choose("news", segments=["sme"], channel="message", per_month=2)
    kinds = {p["kind"]: p for p in view.value}
    assert kinds["member_rewards"]["params"]["points_rate"] == pytest.approx(0.05)
    assert kinds["news"]["segments"] == ["sme"] and kinds["news"]["channel"] == "message"
    view.drop("news")
    assert [p["kind"] for p in view.value] == ["member_rewards"]


def test_load_shows_a_saved_portfolio(world):
    """A saved portfolio loads back into the controls unchanged."""
    saved = [Programme("trade_in", ("corporate",), {"credit": 0.2}).to_dict()]
    view = ProgrammeDesigner(world, budget=50_000)
    view.load(saved)
    assert view.value == saved


def test_over_budget_is_named_in_words(world):
    """A costly portfolio's estimate exceeds a small budget and the view says so."""
    view = ProgrammeDesigner(world, budget=1_000, months=3)
    view.choose("long_term_discount", discount=0.4, min_tenure_months=0)
    estimate = view.estimate()
    assert estimate["programme_cost_per_month"] > 1_000
    assert any("over the budget" in p for p in view.problems())
    assert "over the budget" in view._status.value


def test_nothing_chosen_is_a_problem(world):
    """An empty designer asks for at least one programme."""
    assert ProgrammeDesigner(world, budget=10).problems() == [
        "no programme chosen yet: tick at least one"]


def test_out_of_range_values_name_the_field(world):
    """A parameter outside its range raises FieldError naming kind.param; nothing changes."""
    view = ProgrammeDesigner(world, budget=10)
    with pytest.raises(FieldError) as err:
        view.set_param("news", "per_month", 12)
    assert err.value.field == "news.per_month"
    with pytest.raises(FieldError):
        view.choose("lottery")
    with pytest.raises(FieldError):
        ProgrammeDesigner(world, budget=-5)
    assert view.value == []


def test_kinds_limit_what_is_offered(world):
    """A designer limited to service programmes refuses a discount."""
    view = ProgrammeDesigner(world, budget=10, kinds=("service_pledge", "staff_training"))
    view.choose("service_pledge", response_hours=24)
    assert [p["kind"] for p in view.value] == ["service_pledge"]
    with pytest.raises(FieldError, match="kind"):
        view.choose("long_term_discount")
