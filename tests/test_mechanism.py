"""The call mechanism: validation, plain-data round trip, one test per rule, messages."""

from __future__ import annotations

import pandas as pd
import pytest
from minimal_world import SME, clean_rows, mini_world

from crm_sim.errors import PlanError, PolicyError
from crm_sim.mechanism import (
    RULES,
    CallMechanism,
    Violation,
    check_plan,
    plan_feasible,
    summarise_violations,
)
from crm_sim.plans import CallPlan

MECH = CallMechanism.default("ict")


def fired(rows, rules=None):
    """(rule_id, customer_id, staff_id) of every violation of `rows` in the mini world."""
    return [(v.rule_id, v.customer_id, v.staff_id)
            for v in MECH.check(rows, mini_world(), rules=rules)]


def test_clean_plan_has_no_violations():
    """A plan written to every rule returns an empty list."""
    assert MECH.check(clean_rows(), mini_world()) == []


def test_consent_missing_fires_alone():
    """A promotion to a customer who never consented breaks only consent_missing."""
    rows = clean_rows()
    rows[2].update(purpose="promotion", script=SME + ["opt_out_notice"])
    assert fired(rows) == [("consent_missing", "C003", "O001")]


def test_service_call_needs_no_consent():
    """Service calls to non-consenting customers are not direct marketing."""
    rows = clean_rows()
    rows[2]["purpose"] = "service"
    assert fired(rows) == []


def test_consent_withdrawn_fires_alone():
    """A promotion to a customer who withdrew consent breaks only consent_withdrawn."""
    rows = clean_rows()
    rows[1].update(purpose="promotion", script=rows[1]["script"] + ["opt_out_notice"])
    assert fired(rows) == [("consent_withdrawn", "C002", "S001")]


def test_over_contact_counts_history():
    """Two planned emails plus last week's call exceed the individual maximum of 2."""
    rows = clean_rows()
    rows.append(dict(customer_id="C004", slot="2025-03-31T10:00", channel="email",
                     assignee="S002", purpose="routine", script=["greeting", "identify_self"]))
    assert fired(rows) == [("over_contact", "C004", "")]
    v = MECH.check(rows, mini_world())[0]
    assert v.when == "2025-03" and "3 contacts" in v.message


def test_over_contact_within_plan():
    """Four well-spaced calls to one SME customer exceed its maximum of 3 per month."""
    rows = clean_rows()
    for day in ("14", "21", "28"):
        rows.append(dict(customer_id="C005", slot=f"2025-03-{day}T10:00", channel="email",
                         assignee="S001", purpose="routine", script=SME))
    assert fired(rows) == [("over_contact", "C005", "")]


def test_under_contact_fires_for_missing_corporate():
    """Dropping the corporate customer C001 from a month breaks under_contact for C001."""
    rows = [r for r in clean_rows() if r["customer_id"] != "C001"]
    assert fired(rows) == [("under_contact", "C001", "")]
    assert fired(rows, rules=[r for r in RULES if r != "under_contact"]) == []


def test_calling_hours_early_and_weekend():
    """A visit at 08:30 and a weekday-only call on a Saturday both break calling_hours."""
    rows = clean_rows()
    rows[0]["slot"] = "2025-03-04T08:30"
    rows[4]["slot"] = "2025-03-08T10:00"
    assert fired(rows) == [("calling_hours", "C001", "S001"), ("calling_hours", "C005", "S001")]


def test_email_ignores_calling_hours():
    """Emails and letters wait in the inbox, so a 23:00 email is fine."""
    rows = clean_rows()
    rows[3]["slot"] = "2025-03-20T23:00"
    assert fired(rows) == []


def test_min_gap_against_history():
    """An email 7 days after a past call breaks the individual min gap of 10 days."""
    rows = clean_rows()
    rows[3]["slot"] = "2025-03-10T10:00"
    assert fired(rows) == [("min_gap", "C004", "S002")]


def test_staff_capacity():
    """A 90-minute visit by S003 (1 hour a week) breaks staff_capacity for S003."""
    rows = clean_rows()
    rows[0]["assignee"] = "S003"
    assert fired(rows) == [("staff_capacity", "", "S003")]
    assert not plan_feasible(rows, mini_world())
    assert plan_feasible(clean_rows(), mini_world())


def test_outsourcer_capacity():
    """Two calls in one week for O001 (contract: 1) break outsourcer_capacity."""
    rows = clean_rows()
    rows[4]["assignee"] = "O001"
    assert fired(rows) == [("outsourcer_capacity", "", "O001")]


def test_unqualified_staff_and_forbidden_outsourcer():
    """Low-skill staff and any outsourcer on a corporate account are unqualified."""
    rows = clean_rows()
    rows[0]["assignee"] = "S002"
    rows[1]["assignee"] = "O002"
    assert fired(rows) == [("unqualified_assignee", "C001", "S002"),
                           ("unqualified_assignee", "C002", "O002")]
    msgs = [v.message for v in MECH.check(rows, mini_world())]
    assert "skill 0.35 < 0.6" in msgs[0] and "outsourcers may not call corporate" in msgs[1]


def test_low_quality_outsourcer():
    """O002 (quality 0.3) is below the SME outsourcer threshold of 0.5."""
    rows = clean_rows()
    rows[2]["assignee"] = "O002"
    assert fired(rows) == [("unqualified_assignee", "C003", "O002")]


def test_channel_not_allowed():
    """A visit to an individual customer uses a channel the segment does not allow."""
    rows = clean_rows()
    rows[3].update(channel="visit", slot="2025-03-20T15:00")
    assert fired(rows) == [("channel_not_allowed", "C004", "S002")]


def test_script_missing_opt_out_notice():
    """A promotion without the opt-out notice misses a required script section."""
    rows = clean_rows()
    rows[4]["script"] = SME + ["offer"]
    assert fired(rows) == [("script_missing", "C005", "S001")]
    assert "opt_out_notice" in MECH.check(rows, mini_world())[0].message


def test_every_rule_fires_in_one_plan():
    """A plan breaking many rules returns every violation, not just the first."""
    rows = clean_rows()
    rows[0].update(slot="2025-03-04T08:30", assignee="S002")
    rows[1].update(purpose="promotion")
    rows[3].update(channel="visit", slot="2025-03-20T15:00")
    got = {v.rule_id for v in MECH.check(rows, mini_world())}
    assert got == {"calling_hours", "unqualified_assignee", "consent_withdrawn",
                   "script_missing", "channel_not_allowed"}


def test_summary_message_format():
    """The trainee message names the count, the first ids and how many more there are."""
    ids = ["C00123", "C00451", "C00932", "C00999", "C01000"]
    vs = [Violation("consent_withdrawn", c, "S001", i, "", "", "") for i, c in enumerate(ids)]
    text = summarise_violations(vs[:3])
    assert text.startswith("3 calls were planned to customers who withdrew consent: "
                           "C00123, C00451, C00932. Fix: ")
    assert "C00932 and 2 more." in summarise_violations(vs, limit=3)
    assert summarise_violations([]) .startswith("No violations")
    one = summarise_violations(vs[:1])
    assert one.startswith("1 call was planned to customers who withdrew consent: C00123.")


def test_summary_lists_staff_for_capacity():
    """Capacity lines list staff ids, not customer ids."""
    rows = clean_rows()
    rows[0]["assignee"] = "S003"
    text = summarise_violations(MECH.check(rows, mini_world()))
    assert text.startswith("1 staff member would work more hours in a week than they have: S003.")


def test_summary_rejects_bad_limit():
    """A non-positive limit raises PolicyError naming the field."""
    with pytest.raises(PolicyError, match="limit"):
        summarise_violations([], limit=0)


def test_negative_max_calls_message():
    """A negative maximum names segment, field, value and allowed range."""
    d = MECH.to_dict()
    d["segments"]["corporate"]["max_calls_per_month"] = -2
    with pytest.raises(PolicyError) as e:
        CallMechanism.from_dict(d)
    assert str(e.value).startswith("segment 'corporate': max_calls_per_month: got -2; "
                                   "allowed: an integer ≥ 0. Fix:")


@pytest.mark.parametrize("seg_field, value, needle", [
    ("channels", ["fax"], "channels: got 'fax'"),
    ("channels", [], "at least one"),
    ("min_calls_per_month", 5, "at most max_calls_per_month"),
    ("calling_hours", ["18:00", "09:00"], "start before end"),
    ("calling_hours", ["9am", "5pm"], "'HH:MM'"),
    ("min_gap_days", -1, "min_gap_days: got -1"),
    ("required_script", ["hello"], "required_script: got 'hello'"),
    ("min_skill", 1.5, "min_skill: got 1.5"),
    ("weekdays_only", "yes", "weekdays_only"),
])
def test_segment_field_validation(seg_field, value, needle):
    """Each bad segment value raises PolicyError naming the segment and field."""
    d = MECH.to_dict()
    d["segments"]["sme"][seg_field] = value
    with pytest.raises(PolicyError, match="segment 'sme'") as e:
        CallMechanism.from_dict(d)
    assert needle in str(e.value)


def test_mechanism_level_validation():
    """Unknown industry, missing segment, unknown key and bad purpose are refused."""
    with pytest.raises(PolicyError, match="industry"):
        CallMechanism.default("shipping")
    d = MECH.to_dict()
    del d["segments"]["sme"]
    with pytest.raises(PolicyError, match="'sme'"):
        CallMechanism.from_dict(d)
    with pytest.raises(PolicyError, match="colour"):
        CallMechanism.from_dict({**MECH.to_dict(), "colour": "red"})
    with pytest.raises(PolicyError, match="consent_required_for"):
        CallMechanism.from_dict({**MECH.to_dict(), "consent_required_for": ["spam"]})
    with pytest.raises(PolicyError, match="rules"):
        MECH.check(clean_rows(), mini_world(), rules=["nonsense"])


def test_round_trip_both_industries():
    """to_dict/from_dict is lossless and JSON-able for both default mechanisms."""
    import json
    for industry in ("ict", "timepiece"):
        m = CallMechanism.default(industry)
        d = json.loads(json.dumps(m.to_dict()))
        assert CallMechanism.from_dict(d) == m


def test_check_validates_plan_first():
    """A malformed plan raises PlanError before any rule runs."""
    rows = clean_rows()
    rows[0]["customer_id"] = "C999"
    with pytest.raises(PlanError, match="row 0: customer_id"):
        check_plan(rows, mini_world())


def test_check_leaves_world_unchanged():
    """Checking a plan does not modify any table of the world."""
    w = mini_world()
    before = {k: v.copy() for k, v in w.tables.items()}
    MECH.check(clean_rows(), w)
    for k, v in before.items():
        assert w.tables[k].equals(v)


def test_vectorised_check_scales():
    """A 2,000-call plan is checked without error and each row is judged once."""
    rows = clean_rows() * 400
    vs = MECH.check(CallPlan.build(rows, mini_world()), mini_world(), rules=["min_gap"])
    # Duplicate calls at the same slot are 0 days apart: all but the first per customer.
    assert len(vs) == 2000 - 5


@pytest.fixture(scope="module", params=["ict", "timepiece"])
def real_world(request):
    """A small built world of each industry."""
    from crm_sim.scenario import Scenario
    from crm_sim.world import World
    return World.build(Scenario(seed=3, n_customers=200, industry=request.param))


def test_defaults_fit_real_worlds(real_world):
    """On a built world, some staff qualify for every segment and ids in violations exist."""
    from crm_sim.mechanism import mechanism_for
    mech = mechanism_for(real_world)
    assert mech.industry == real_world.scenario.industry
    staff = real_world.staff
    for seg, rules in mech.segments.items():
        able = (staff["skill"] >= rules.min_skill) & \
            (staff["product_knowledge"] >= rules.min_product_knowledge)
        assert able.any(), seg
    c = real_world.customers.head(60)
    rows = pd.DataFrame({"customer_id": c["customer_id"], "slot": "2026-01-06T10:30",
                         "channel": "phone", "assignee": staff["staff_id"].iloc[0],
                         "purpose": "promotion", "script": "greeting"})
    vs = mech.check(rows, real_world)
    ids = set(real_world.customers["customer_id"])
    assert {v.customer_id for v in vs if v.customer_id} <= ids
    no_consent = set(c.loc[~c["dm_consent"], "customer_id"])
    consent_ids = {v.customer_id for v in vs
                   if v.rule_id in ("consent_missing", "consent_withdrawn")}
    assert consent_ids == no_consent


def test_real_world_run_then_check_counts_new_history(real_world):
    """Calls made by run_plan count as history for the next plan's frequency checks."""
    from crm_sim.calls import run_plan
    from crm_sim.mechanism import mechanism_for
    w = real_world.copy()
    mech = mechanism_for(w)
    seg = w.customers["segment"].iloc[0]
    limit = mech.segments[seg].max_calls_per_month
    cid = w.customers["customer_id"].iloc[0]
    allowed = mech.segments[seg].channels[0]
    days = [f"2026-01-{5 + 2 * i:02d}T11:00" for i in range(limit)]
    run_plan(w, [{"customer_id": cid, "slot": d, "channel": allowed,
                  "assignee": w.staff["staff_id"].iloc[0]} for d in days])
    extra = [{"customer_id": cid, "slot": "2026-01-28T11:00", "channel": allowed,
              "assignee": w.staff["staff_id"].iloc[0]}]
    fired_ids = [(v.rule_id, v.customer_id) for v in mech.check(extra, w, rules=["over_contact"])]
    assert fired_ids == [("over_contact", cid)]


def test_summary_rejects_foreign_items():
    """Anything but Violation records raises PolicyError naming the type."""
    with pytest.raises(PolicyError, match="violations: got 'dict'"):
        summarise_violations([{"rule_id": "min_gap"}])
