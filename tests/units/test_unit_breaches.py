"""Evaluators report PDPO breaches through their Verdict, so unit.toml gates can trip.

A breach is reported however many good answers pad it: the gate, not the score, decides.
"""

from __future__ import annotations

import pandas as pd
import pytest
from unit_loader import evaluators_module, helper_module

from autograders.checks import EvalContext, registered, to_plain
from autograders.sandbox.limits import Limits
from crm_sim.plans import CallPlan
from crm_sim.scenario import Scenario
from crm_sim.world import World

U304 = evaluators_module("ITCSCR304A")
PC = helper_module("ITCSCR304A", "periodic_calls")
U410 = evaluators_module("ITCSCR410A")
DESK = helper_module("ITCSCR410A", "profile_desk")


@pytest.fixture(scope="module")
def ctx304() -> EvalContext:
    """A small 304A world, built once."""
    c = EvalContext(unit="ITCSCR304A", trainee_id="t-law", trainee_seed=41, hidden_seed=42,
                    limits=Limits(cell_timeout_s=8, memory_mb=1536))
    c._cache["trainee"] = World.build(Scenario(seed=41, n_customers=300, n_staff=12))
    return c


@pytest.fixture(scope="module")
def ctx410() -> EvalContext:
    """A small 410A world with its lead sources, built once."""
    c = EvalContext(unit="ITCSCR410A", trainee_id="t-law", trainee_seed=43, hidden_seed=44,
                    limits=Limits(cell_timeout_s=8, memory_mb=1536))
    c._cache["trainee"] = World.build(Scenario(seed=43, n_customers=300))
    DESK.ensure_sources(c._cache["trainee"])
    return c


def _routine_plan(world) -> tuple[list[dict], list[str]]:
    """A compliant plan: a routine call to each top-value and corporate account."""
    from crm_sim.mechanism import mechanism_for

    mech = mechanism_for(world)
    c = world.customers.set_index("customer_id")
    targets = sorted(set(PC.top_value_ids(world)) | set(c.index[c["segment"] == "corporate"]),
                     key=lambda x: (-c.at[x, "lifetime_value"], x))
    slots = PC.next_month_slots(world)
    rows = []
    for i, cid in enumerate(targets):
        seg = c.at[cid, "segment"]
        ok = PC.qualified_staff(world, seg, mech)
        rows.append({"customer_id": cid, "slot": slots[i], "channel": "phone",
                     "assignee": ok[i % len(ok)], "purpose": "routine",
                     "script": list(mech.segments[seg].required_script) + ["needs"]})
    return rows, slots[len(targets):]


def test_one_unconsented_promotion_is_reported_however_padded(ctx304):
    """PDPO s.35E: one promotion to a customer without consent in a 60-call plan is a breach."""
    world = ctx304.trainee_world()
    rows, free = _routine_plan(world)
    clean = registered("ITCSCR304A")["plan_calls_test"](
        to_plain(CallPlan.build(rows, world)), ctx304)
    assert clean.score == 1.0 and clean.breaches == [], clean.message
    c = world.customers
    victim = c.loc[~c["dm_consent"].astype(bool) & ~c["customer_id"].isin(
        [r["customer_id"] for r in rows]) & (c["segment"] == "sme")].iloc[0]
    bad = {**rows[0], "customer_id": victim["customer_id"], "slot": free[0],
           "purpose": "promotion", "script": rows[0]["script"] + ["opt_out_notice"]}
    verdict = registered("ITCSCR304A")["plan_calls_test"](
        to_plain(CallPlan.build([*rows, bad], world)), ctx304)
    assert verdict.score > 0.9                               # padding dilutes the score...
    assert [b.split(":")[0] for b in verdict.breaches] == ["promotion_without_consent"]
    assert victim["customer_id"] in verdict.breaches[0]     # ...not the breach
    assert "s.35E" in verdict.breaches[0]


def test_a_routine_label_does_not_hide_an_offer(ctx304):
    """PDPO s.35A: a 'routine' call whose script offers to a non-consenting customer is a breach."""
    world = ctx304.trainee_world()
    rows, _ = _routine_plan(world)
    c = world.customers.set_index("customer_id")
    unconsented = next(i for i, r in enumerate(rows)
                       if not bool(c.at[r["customer_id"], "dm_consent"]))
    rows[unconsented] = {**rows[unconsented], "script": rows[unconsented]["script"] + ["offer"]}
    verdict = registered("ITCSCR304A")["plan_calls_test"](
        to_plain(CallPlan.build(rows, world)), ctx304)
    assert [b.split(":")[0] for b in verdict.breaches] == ["promotion_without_consent"]
    assert "routine call with an offer" in verdict.breaches[0]


def test_410a_breaches_are_reported(ctx410):
    """Unconsented marketing list, leaked identifier, purpose beyond the notice, data handed on."""
    ev = registered("ITCSCR410A")
    world = ctx410.trainee_world()
    stacked = pd.concat(DESK.source_frames(world).values(), ignore_index=True)
    listed = stacked.loc[~stacked["dm_consent"].astype(bool), ["record_id", "name"]].head(3)
    v = ev["marketing_test"](to_plain(listed), ctx410)
    assert v.breaches and v.breaches[0].startswith("unconsented_marketing_list: 3 records")
    shared = pd.DataFrame({"segment": ["sme"], "notes": ["call 9123 4567"]})
    v = ev["share_test"](to_plain(shared), ctx410)
    assert v.breaches and v.breaches[0].startswith("identifier_in_shared_table")
    uses = {s: sorted(U410.PURPOSE_KEY[s]) for s in U410.PURPOSE_KEY}
    v = ev["purpose_test"](uses, ctx410)
    assert v.score == 1.0 and v.breaches == []
    v = ev["purpose_test"]({**uses, "purchased": ["service"]}, ctx410)
    assert v.breaches == ["use_beyond_notified_purpose: purchased:service is not in that "
                          "source's notice, not directly related to it and not exempt "
                          "(PDPO DPP3)"]
    v = ev["prof_x1_test"]({"choice": "a", "reasons": ["director_approved"]}, ctx410)
    assert v.breaches[0].startswith("data_passed_to_others_without_consent")
    v = ev["prof_x1b_test"]({"choice": "c", "reasons": []}, ctx410)
    assert v.breaches[0].startswith("promotion_without_consent")


def test_referral_is_not_a_service_use(ctx410):
    """PDPO s.35A/s.35E: a referred friend's number opens no use until the friend consents."""
    ev = registered("ITCSCR410A")
    uses = {s: sorted(U410.PURPOSE_KEY[s]) for s in U410.PURPOSE_KEY}
    assert uses["referral"] == []
    v = ev["purpose_test"]({**uses, "referral": ["service"]}, ctx410)
    assert v.score < 1.0 and v.breaches[0].startswith(
        "use_beyond_notified_purpose: referral:service")


def test_statistics_on_web_enquiries_are_lawful(ctx410):
    """PDPO s.62: analysis (statistics naming no one) of web enquiries is exempt from DPP3."""
    ev = registered("ITCSCR410A")
    uses = {s: sorted(U410.PURPOSE_KEY[s]) for s in U410.PURPOSE_KEY}
    v = ev["purpose_test"]({**uses, "web": ["service", "direct_marketing", "analysis"]}, ctx410)
    assert v.score == 1.0 and v.breaches == []


def test_purchased_list_campaign_is_a_breach_the_gate_reads(ctx410):
    """PDPO s.35E: a campaign on a purchased list is reported in the evidence the gate reads."""
    world = ctx410.trainee_world()
    recs = [{"target_segment": "sme", "action": "purchased_list_campaign",
             "expected_effect": {"metric": "new_customers", "change": 10}}]
    verdict = U410.recommendation_verdict(recs, world)
    assert verdict.score == 0.0
    assert verdict.evidence["breaches"][0].startswith("purchased_list_campaign:")
