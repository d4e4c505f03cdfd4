"""crm_sim.profile_review: the analysis clock, recommendation execution and the SQL runner."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from crm_sim import profile_review as review
from crm_sim.errors import FieldError
from crm_sim.scenario import Scenario
from crm_sim.world import World


@pytest.fixture(scope="module")
def world() -> World:
    """A small world shared by the module (never modified)."""
    return World.build(Scenario(seed=3, n_customers=300))


@pytest.fixture(scope="module")
def store(world, tmp_path_factory):
    """The world saved to SQLite once."""
    return world.save(tmp_path_factory.mktemp("store") / "w.sqlite")


# ------------------------------------------------------------------ clock
def test_step_cost_follows_the_table():
    """Costs are base hours x size factor; only the spreadsheet grows with the base."""
    assert review.step_cost("segment_mix", "sql", 50_000) == 0.25
    assert review.step_cost("contact_history", "pandas", 10) == 0.75
    assert review.step_cost("contact_history", "spreadsheet", 1000) == 4.0
    assert review.step_cost("segment_mix", "spreadsheet", 0) == 0.5


def test_cost_table_lists_every_step_and_setup():
    """The cost table has one row per step plus set-up, a column per tool and 'required'."""
    table = review.cost_table(800)
    assert list(table.columns) == [*review.TOOLS, "required"]
    assert set(review.STEPS) < set(table.index)
    assert table.loc["(set-up, once per tool)", "sql"] == review.SETUP_HOURS["sql"]
    assert table["required"].sum() == len(review.REQUIRED_STEPS)


def test_run_plan_counts_setup_once_and_reports_capacity():
    """SQL for the required steps: set-up once, 2.0 h, optional steps would still fit."""
    plan = [{"step": s, "tool": "sql"} for s in review.REQUIRED_STEPS]
    result = review.run_plan(plan, 800)
    assert result["hours_used"] == 0.5 + 4 * 0.25 + 0.5
    assert result["missing_required"] == []
    assert set(result["could_add"]) == {"tenure_profile", "complaint_hotspots",
                                        "dormant_accounts"}


def test_run_plan_stops_at_the_budget():
    """A step that would overrun the budget and everything after it are late."""
    plan = [{"step": "contact_history", "tool": "spreadsheet"},
            {"step": "segment_mix", "tool": "sql"}]
    result = review.run_plan(plan, 1000, budget_hours=3.0)
    assert result["completed"] == []
    assert result["late"] == ["contact_history", "segment_mix"]
    assert result["hours_used"] == 0.0


def test_run_plan_repeated_step_costs_time_but_completes_once():
    """Repeating a step spends hours again and lists it once."""
    plan = [{"step": "segment_mix", "tool": "pandas"}] * 3
    result = review.run_plan(plan, 100)
    assert result["completed"] == ["segment_mix"]
    assert result["hours_used"] == 0.5 + 3 * 0.25


@pytest.mark.parametrize("plan", [None, "plan", {"step": "x"}, [1], [{"step": "nope",
                                  "tool": "sql"}], [{"step": "segment_mix", "tool": "excel"}],
                                  [{"step": "segment_mix", "tool": "sql"}] * 101])
def test_run_plan_rejects_malformed_plans(plan):
    """Malformed plans raise a FieldError naming the field and a fix."""
    with pytest.raises(FieldError) as info:
        review.run_plan(plan, 100)
    assert "Fix:" in str(info.value)


# ------------------------------------------------------------------ recommendations
def _rec(seg, action, metric="retained_value", change=1.0):
    return {"target_segment": seg, "action": action,
            "expected_effect": {"metric": metric, "change": change}}


def test_execute_is_deterministic_and_plain(world):
    """Same recommendation, same world: identical plain results."""
    recs = [_rec("corporate", "cross_sell_call"), _rec("individual", "referral_reward",
                                                       "new_customers", 5)]
    a = review.execute_recommendations(recs, world.customers, world.latent)
    b = review.execute_recommendations(recs, world.customers, world.latent)
    assert a == b
    assert isinstance(a["retained_value"], float) and a["new_customers"] > 0
    assert a["breaches"] == []


def test_marketing_reaches_only_consented_customers(world):
    """A marketing action's reach is the consented customers of the segment."""
    result = review.execute_recommendations([_rec("sme", "cross_sell_call")],
                                            world.customers, world.latent)
    sme = world.customers[world.customers["segment"] == "sme"]
    assert result["recommendations"][0]["reached"] == int(sme["dm_consent"].sum())
    service = review.execute_recommendations([_rec("sme", "value_added_service")],
                                             world.customers, world.latent)
    assert service["recommendations"][0]["reached"] == len(sme)


def test_purchased_list_is_a_breach_with_no_effect(world):
    """A purchased-list campaign is recorded as a PDPO breach and has no effect."""
    result = review.execute_recommendations(
        [_rec("sme", "purchased_list_campaign", "new_customers", 100)],
        world.customers, world.latent)
    assert result["breaches"] and "PDPO" in result["breaches"][0]
    assert result["new_customers"] == 0.0


def test_one_action_per_goal(world):
    """Two actions for one goal are refused (a fixed list cannot cover every segment)."""
    with pytest.raises(FieldError, match="at most one action that moves retained_value"):
        review.execute_recommendations([_rec("sme", "cross_sell_call"),
                                        _rec("corporate", "value_added_service")],
                                       world.customers, world.latent)
    both = review.execute_recommendations(
        [_rec("sme", "cross_sell_call"), _rec("sme", "referral_reward", "new_customers")],
        world.customers, world.latent)
    assert len(both["recommendations"]) == 2


def test_best_effects_bound_single_actions(world):
    """No single lawful action beats `best_effects` on either metric."""
    best = review.best_effects(world.customers, world.latent)
    for seg in ("corporate", "sme", "individual"):
        for action in review.ACTIONS:
            r = review.execute_recommendations([_rec(seg, action)], world.customers,
                                               world.latent)
            assert r["retained_value"] <= best["retained_value"] + 0.01
            assert r["new_customers"] <= best["new_customers"] + 0.001


@pytest.mark.parametrize("recs", [None, [], "x", [_rec("sme", "cross_sell_call")] * 4,
                                  [_rec("mars", "cross_sell_call")], [_rec("sme", "bribe")],
                                  [_rec("sme", "cross_sell_call", "happiness")],
                                  [_rec("sme", "cross_sell_call", change=math.nan)],
                                  [_rec("sme", "cross_sell_call", change=True)]])
def test_normalise_recommendations_rejects_bad_input(recs):
    """Every malformed recommendation raises FieldError with a fix."""
    with pytest.raises(FieldError):
        review.normalise_recommendations(recs, ("corporate", "sme", "individual"))


# ------------------------------------------------------------------ SQL runner
def test_run_sql_matches_pandas(world, store):
    """A GROUP BY on the store equals the pandas groupby on the table."""
    got = review.run_sql(store, "SELECT segment, COUNT(*) AS n, AVG(lifetime_value) AS v "
                                "FROM customers GROUP BY segment ORDER BY segment")
    want = world.customers.groupby("segment")["lifetime_value"].agg(["size", "mean"])
    assert got["segment"].tolist() == list(want.index)
    assert got["n"].tolist() == want["size"].tolist()
    assert got["v"].to_numpy() == pytest.approx(want["mean"].to_numpy())


@pytest.mark.parametrize("sql, fragment", [
    ("SELECT * FROM latent", "no such table"),
    ("SELECT * FROM t_latent", "prohibited"),
    ("SELECT * FROM crm_meta", "prohibited"),
    ("DELETE FROM customers", "single SELECT"),
    ("SELECT 1; SELECT 2", "single SELECT"),
    ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c",
     "too long"),
    ("SELECT * FROM customers a, customers b", "rows"),
])
def test_run_sql_refuses_unsafe_or_huge_queries(store, sql, fragment):
    """Hidden tables, writes, several statements, runaway and huge queries are refused."""
    with pytest.raises(FieldError) as info:
        review.run_sql(store, sql, timeout_s=1.0)
    assert fragment in str(info.value)


def test_run_sql_needs_a_saved_world(tmp_path):
    """A missing file or a non-world SQLite file is a FieldError, not a sqlite3 error."""
    with pytest.raises(FieldError):
        review.run_sql(tmp_path / "none.sqlite", "SELECT 1")
    import sqlite3

    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE x (a)").connection.commit()
    with pytest.raises(FieldError):
        review.run_sql(other, "SELECT 1")


def test_run_sql_leaves_the_store_unchanged(store):
    """Reading never changes the file (opened read-only)."""
    before = store.read_bytes()
    review.run_sql(store, "SELECT COUNT(*) FROM customers")
    assert store.read_bytes() == before
    assert isinstance(review.run_sql(store, "SELECT 1 AS one"), pd.DataFrame)
