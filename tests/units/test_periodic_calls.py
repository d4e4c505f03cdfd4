"""Visible checks and helpers of unit ITCSCR304A (course/units/ITCSCR304A/periodic_calls.py)."""

from __future__ import annotations

import pandas as pd
import pytest
from unit_loader import evaluators_module, helper_module

from crm_sim.scenario import Scenario
from crm_sim.schema import PERSONAL_COLUMNS
from crm_sim.world import World

pc = helper_module("ITCSCR304A", "periodic_calls")


@pytest.fixture(scope="module")
def world() -> World:
    """A small world built once (tests only read it)."""
    return World.build(Scenario(seed=9, n_customers=200, n_staff=8))


def test_next_month_slots_are_weekday_hours_of_next_month(world):
    """Every slot is a weekday of the month after today, from 10:00 to before 17:00."""
    slots = pd.to_datetime(pc.next_month_slots(world))
    start, end = pc.next_month(world)
    assert len(slots) > 200
    assert (slots >= start).all() and (slots < end).all()
    assert (slots.day_of_week < 5).all()
    assert (slots.hour >= 10).all() and (slots.hour < 17).all()


def test_segment_summary_shape_check_accepts_the_definition_and_flags_bad_shapes(world):
    """The visible check passes the definition's table and names bad shapes and ranges."""
    truth = evaluators_module("ITCSCR304A").segment_summary_truth(world)
    assert pc.segment_summary_shape_problems(truth, world) == []
    assert pc.segment_summary_shape_problems(pc.with_index(truth), world) == []
    assert "DataFrame" in pc.segment_summary_shape_problems(42, world)[0]
    missing = pc.segment_summary_shape_problems(truth.drop(index="sme"), world)
    assert missing == ["segments missing from the index: sme"]
    wild = truth.assign(consented_share=1.5, customers=truth["customers"] + 0.5)
    found = " ".join(pc.segment_summary_shape_problems(wild, world))
    assert "consented_share must be a share between 0 and 1" in found
    assert "customers must be a whole number" in found


def test_call_effect_shape_check_needs_one_correlation_per_segment(world):
    """The visible check passes the definition's values and names non-correlations."""
    truth = evaluators_module("ITCSCR304A").call_effect_truth(world)
    assert pc.call_effect_shape_problems(truth, world) == []
    bad = {**truth, "sme": 2.0, "corporate": "high"}
    found = " ".join(pc.call_effect_shape_problems(bad, world))
    assert "'sme'] is a correlation" in found and "'corporate'] must be a number" in found
    assert "must be a dict" in pc.call_effect_shape_problems([0.1], world)[0]


def test_released_helper_holds_no_reference_values():
    """The definition's values live only in grading/: the released module cannot give them."""
    for name in ("segment_summary_truth", "call_effect_truth", "segment_summary_problems",
                 "call_effect_problems"):
        assert not hasattr(pc, name), name


def test_prospect_problems_name_unconsented_unknown_and_duplicates(world):
    """Offenders are sorted into kinds and named in the problems."""
    c = world.customers
    no = c.loc[~c["dm_consent"] & (c["segment"] == "sme"), "customer_id"].iloc[0]
    yes = c.loc[c["dm_consent"] & (c["segment"] == "sme"), "customer_id"].iloc[0]
    found = pc.prospect_problems({"sme": [no, yes, yes, "X1"]}, world)
    assert found["no_consent"] == [no]
    assert found["duplicates"] == [yes]
    assert found["unknown"] == ["X1"]
    assert found["valid"]["sme"] == [yes]
    text = " ".join(found["problems"])
    assert no in text and "X1" in text and "corporate" in text


def test_plan_report_reads_errors_instead_of_raising(world):
    """A malformed plan gives an error text; an empty list cannot be read either."""
    assert pc.plan_report([{"customer_id": "C000001"}], world)["error"]
    assert pc.plan_report([], world)["error"]


def test_assignment_task_is_deterministic_and_unassigned(world):
    """The task lists every corporate account once, has no assignee, same on every call."""
    a, b = pc.assignment_task(world), pc.assignment_task(world)
    pd.testing.assert_frame_equal(a, b)
    assert "assignee" not in a.columns
    corporate = set(world.customers.loc[world.customers["segment"] == "corporate",
                                        "customer_id"])
    assert corporate <= set(a["customer_id"])
    assert set(a.loc[a["segment"] == "corporate", "channel"]) == {"visit"}


def test_qualified_staff_meets_the_segment_thresholds(world):
    """Qualified staff reach the mechanism's thresholds and come best quality first."""
    from crm_sim.mechanism import mechanism_for

    rules = mechanism_for(world).segments["sme"]
    ids = pc.qualified_staff(world, "sme")
    staff = world.staff.set_index("staff_id")
    assert ids
    assert all(staff.at[s, "skill"] >= rules.min_skill for s in ids)
    q = pc.agent_quality(world)
    assert [q[s] for s in ids] == sorted((q[s] for s in ids), reverse=True)


def test_customer_records_hold_no_personal_data(world):
    """Records carry the documented fields only: no names, phones or HKIDs (PDPO)."""
    records = pc.customer_records(world)
    assert len(records) == len(world.customers)
    assert set(records[0]) == set(pc.RECORD_FIELDS)
    assert not set(PERSONAL_COLUMNS) & set(records[0])


def test_call_report_date_rules():
    """A no-answer needs a follow-up within 7 days; other outcomes within 14."""
    records = pd.DataFrame({"customer_id": ["C1", "C2"], "outcome": ["no_answer", "answered"],
                            "info_captured": ["{}", '{"needs": "cloud"}'],
                            "timestamp": ["2026-02-02T10:00", "2026-02-02T10:00"]})
    report = pd.DataFrame({"customer_id": ["C1", "C2"], "outcome": ["no_answer", "answered"],
                           "facts": [{}, {"needs": "cloud"}],
                           "follow_up": ["call again on Thursday morning",
                                         "send quotation for cloud backup"],
                           "follow_up_date": ["2026-02-12", "2026-02-12"]})
    found = pc.call_report_problems(report, records)
    assert found["right"] == ["C2"]
    assert list(found["wrong"]) == ["follow_up_date missing or not within the allowed days"]


@pytest.mark.parametrize("bad", [{"sme": {"phone": -1}}, {"sme": {"phone": float("nan")}},
                                 {"sme": "phone"}, [1, 2], None])
def test_budget_frame_rejects_unusable_budgets(bad):
    """Negative, NaN or wrongly shaped amounts give None (the check then explains)."""
    assert pc.budget_frame(bad) is None


def test_choice_problem_forms():
    """Only one listed letter, as text, is a usable multiple-choice answer."""
    assert pc.choice_problem("B", "abcd") is None
    assert "one of" in pc.choice_problem("z", "abcd")
    assert "letter in quotes" in pc.choice_problem(2, "abcd")


def test_mechanism_table_shows_every_segment_rule():
    """The readable mechanism table has one column per segment and the rules as text."""
    from crm_sim.mechanism import CallMechanism

    mech = CallMechanism.default("ict")
    t = pc.mechanism_table(mech)
    assert list(t.columns) == list(mech.segments)
    assert t.loc["outsourcers", "corporate"] == "not allowed"
    assert t.loc["calling hours", "individual"] == "10:00–20:00 any day"
