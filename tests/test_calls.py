"""Conducting calls: determinism, recording, information, consent, outsourcers, safety."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from crm_sim.calls import (
    CallRecord,
    OutsourcerChecklist,
    call,
    information_score,
    information_table,
    profile_truth,
    run_plan,
)
from crm_sim.errors import PlanError, PolicyError
from crm_sim.plans import QUESTIONS
from crm_sim.scenario import Scenario
from crm_sim.schema import TABLES
from crm_sim.world import World

SCEN = Scenario(seed=11, n_customers=300)
BASIC = ["greeting", "identify_self", "closing"]


@pytest.fixture(scope="module")
def base():
    """One small ICT world, copied by each test that changes it."""
    return World.build(SCEN)


def plan_for(world, ids, *, slot="2026-01-06T10:30", channel="phone", assignee="S0001",
             purpose="routine", script=BASIC):
    """One call per customer id with the same settings."""
    return pd.DataFrame({"customer_id": list(ids), "slot": slot, "channel": channel,
                         "assignee": assignee, "purpose": purpose,
                         "script": ";".join(script)})


def snapshot(world):
    """Copies of every public and hidden table."""
    return ({k: v.copy() for k, v in world.tables.items()},
            {k: v.copy() for k, v in world.hidden.items()})


def test_same_seed_same_plan_identical(base):
    """Two worlds from one seed given one plan produce identical records and state."""
    a, b = World.build(SCEN), World.build(SCEN)
    plan = plan_for(a, a.customers["customer_id"][:200], script=BASIC + ["needs", "budget"])
    ra, rb = run_plan(a, plan), run_plan(b, plan)
    pd.testing.assert_frame_equal(ra.records, rb.records)
    for name in ("customers", "interactions"):
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
    pd.testing.assert_frame_equal(a.hidden["latent"], b.hidden["latent"])


def test_repeated_runs_differ_but_are_numbered(base):
    """Running the same plan twice draws from two streams (calls.run.0, calls.run.1)."""
    w = base.copy()
    plan = plan_for(w, w.customers["customer_id"][:200])
    first, second = run_plan(w, plan), run_plan(w, plan)
    assert (first.run, second.run) == (0, 1)
    assert list(w.hidden["call_runs"]["stream"]) == ["calls.run.0", "calls.run.1"]
    assert not np.array_equal(first.records["outcome"].to_numpy(),
                              second.records["outcome"].to_numpy())


def test_saved_world_continues_identically(base, tmp_path):
    """A world saved after a run and loaded again continues exactly like the original."""
    pytest.importorskip("crm_sim.store")
    w = base.copy()
    ids = w.customers["customer_id"][:150]
    run_plan(w, plan_for(w, ids))
    w.save(tmp_path / "w.sqlite")
    loaded = World.load(tmp_path / "w.sqlite")
    plan = plan_for(w, ids, slot="2026-01-20T11:00", script=BASIC + ["needs"])
    ra, rb = run_plan(w, plan), run_plan(loaded, plan)
    assert ra.run == rb.run == 1
    pd.testing.assert_frame_equal(ra.records, rb.records)
    pd.testing.assert_frame_equal(w.hidden["profile_truth"], loaded.hidden["profile_truth"])


def test_records_written_with_schema_and_json(base):
    """Every call becomes an interactions row with schema dtypes and a JSON object."""
    w = base.copy()
    before = len(w.interactions)
    summary = run_plan(w, plan_for(w, w.customers["customer_id"][:50],
                                   script=BASIC + list(QUESTIONS)))
    assert len(w.interactions) == before + summary.made
    assert dict(w.interactions.dtypes.astype(str)) == TABLES["interactions"]
    assert dict(w.customers.dtypes.astype(str)) == TABLES["customers"]
    assert dict(w.latent.dtypes.astype(str)) == w.schema["latent"]
    new = w.interactions.iloc[before:]
    assert new["interaction_id"].is_unique and not new["interaction_id"].isin(
        w.interactions["interaction_id"].iloc[:before]).any()
    parsed = [json.loads(s) for s in new["info_captured"]]
    assert all(isinstance(p, dict) for p in parsed)
    assert set().union(*parsed) <= set(QUESTIONS)
    assert (new.loc[new["outcome"] == "no_answer", "info_captured"] == "{}").all()
    assert summary.answered == int((new["outcome"] != "no_answer").sum())
    assert summary.facts_captured == sum(len(p) for p in parsed)


def test_call_returns_record(base):
    """call() makes one call, appends it and returns a matching CallRecord."""
    w = base.copy()
    cid = w.customers["customer_id"].iloc[0]
    rec = call(w, cid, "S0002", "visit", BASIC + ["needs"], when="2026-01-07T15:00")
    assert isinstance(rec, CallRecord)
    last = w.interactions.iloc[-1]
    assert (rec.interaction_id, rec.customer_id, rec.channel) == (
        last["interaction_id"], cid, "visit")
    assert rec.timestamp == "2026-01-07T15:00" and rec.cost > 0


def test_marketing_calls_record_consent_basis(base):
    """Promotion calls carry the consent basis in info_captured; routine calls do not."""
    w = base.copy()
    consented = w.customers.loc[w.customers["dm_consent"], "customer_id"][:20]
    s = run_plan(w, plan_for(w, consented, purpose="promotion",
                             script=BASIC + ["opt_out_notice"]))
    bases = [json.loads(x)["consent_basis"] for x in s.records["info_captured"]]
    assert all(b.startswith("consent given ") for b in bases)
    r = run_plan(w, plan_for(w, consented, slot="2026-01-20T10:30"))
    assert not any("consent_basis" in x for x in r.records["info_captured"])


def test_better_script_more_information_more_fatigue(base):
    """Asking all questions captures more true facts than asking two, and tires more."""
    ids = base.customers["customer_id"]
    short, long_ = base.copy(), base.copy()
    a = run_plan(short, plan_for(short, ids, script=BASIC + ["needs", "budget"]))
    b = run_plan(long_, plan_for(long_, ids, script=BASIC + list(QUESTIONS)))
    sa, sb = information_score(a, short), information_score(b, long_)
    assert sb > 2 * sa > 0
    fa = short.latent["fatigue"].mean()
    fb = long_.latent["fatigue"].mean()
    assert fb > fa


def test_information_is_mostly_true_and_scored(base):
    """Captured answers match the hidden truth far above chance; score is in [0, 1]."""
    w = base.copy()
    s = run_plan(w, plan_for(w, w.customers["customer_id"], script=BASIC + list(QUESTIONS)))
    table = information_table(s, w)
    assert 0.6 < table["correct"].mean() < 1.0
    per = information_score(s, w, per_customer=True)
    assert len(per) == len(w.customers)
    assert per["score"].between(0, 1).all()
    assert information_score(s, w) == pytest.approx(per["correct"].sum() / (300 * 9))


def test_information_score_hostile_inputs(base):
    """Unusable records raise PlanError; records with no answers score 0."""
    w = base.copy()
    with pytest.raises(PlanError, match="records"):
        information_score("all of them", w)
    with pytest.raises(PlanError, match="records columns"):
        information_score(pd.DataFrame({"x": [1]}), w)
    empty = pd.DataFrame({"customer_id": ["C000001"], "info_captured": ["{}"]})
    assert information_score(empty, w) == 0.0
    forged = pd.DataFrame({"customer_id": ["C000001"], "info_captured": ['{"budget": "lots"}']})
    assert information_score(forged, w) == 0.0


def test_truth_is_deterministic_and_hidden(base):
    """profile_truth is the same for two builds of one seed and is a hidden table."""
    a, b = base.copy(), World.build(SCEN)
    pd.testing.assert_frame_equal(profile_truth(a), profile_truth(b))
    assert "profile_truth" in a.hidden and "profile_truth" not in a.tables
    assert profile_truth(a)["customer_id"].is_unique and len(profile_truth(a)) == 300


def test_unconsented_promotion_causes_complaints(base):
    """Promotions to customers without consent draw far more complaints than to consenters."""
    w1, w2 = base.copy(), base.copy()
    c = base.customers
    script = BASIC + ["opt_out_notice", "offer"]
    yes = run_plan(w1, plan_for(w1, c.loc[c["dm_consent"], "customer_id"], purpose="promotion",
                                script=script))
    no = run_plan(w2, plan_for(w2, c.loc[~c["dm_consent"], "customer_id"], purpose="promotion",
                               script=script))
    rate = lambda s: s.complaints / max(s.answered, 1)  # noqa: E731
    assert rate(no) > rate(yes) + 0.1


def test_opt_out_honoured_at_once(base):
    """A customer who opts out is marked withdrawn and gets no further promotion calls."""
    w = base.copy()
    ids = w.customers.loc[w.customers["dm_consent"], "customer_id"]
    script = BASIC + ["opt_out_notice", "offer"]
    days = [f"2026-01-{d:02d}T10:30" for d in (5, 12, 19, 26)]
    plan = pd.concat([plan_for(w, ids, slot=d, purpose="promotion", script=script)
                      for d in days])
    s = run_plan(w, plan)
    assert s.opt_outs > 0 and s.suppressed > 0
    out = w.customers[w.customers["consent_withdrawn_date"].str.startswith("2026-01")]
    assert len(out) == s.opt_outs and not out["dm_consent"].any()
    rec = s.records.merge(out[["customer_id", "consent_withdrawn_date"]], on="customer_id")
    assert (rec["timestamp"].str[:10] <= rec["consent_withdrawn_date"]).all()


def test_competitor_activity_lowers_sales(base):
    """The same promotions sell less where competitors are most active (K7)."""
    from crm_sim.market import Market
    calm = Market("ict", {"corporate": 0.0, "sme": 0.0, "individual": 0.0})
    fierce = Market("ict", {"corporate": 1.0, "sme": 1.0, "individual": 1.0})
    ids = base.customers.loc[base.customers["dm_consent"], "customer_id"]
    plan = pd.concat([plan_for(base, ids, slot=f"2026-01-{d:02d}T10:30", purpose="promotion",
                               script=BASIC + ["opt_out_notice"]) for d in (5, 19)])
    w1, w2 = base.copy(), base.copy()
    a, b = run_plan(w1, plan, market=calm), run_plan(w2, plan, market=fierce)
    assert a.sales > 1.4 * b.sales


def _outcomes(world, assignee_list, checklist):
    """Run ~1,400 calls (non-corporate customers × 5 weeks); per-call outcome arrays."""
    ids = world.customers.loc[world.customers["segment"] != "corporate", "customer_id"]
    slots = ("2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26", "2026-02-02")
    plan = pd.concat([plan_for(world, ids, slot=f"{d}T18:30", script=BASIC + list(QUESTIONS))
                      for d in slots], ignore_index=True)
    plan["assignee"] = np.resize(np.asarray(assignee_list, dtype=object), len(plan))
    rec = run_plan(world, plan, checklist=checklist).records
    facts = np.array([len(json.loads(x)) for x in rec["info_captured"]], dtype=float)
    return {"answered": rec["answered"].to_numpy(float), "facts": facts,
            "good": ((rec["outcome"] != "complaint") & rec["answered"]).to_numpy(float)}


def _t(a, b):
    """Welch t statistic of two samples."""
    return (a.mean() - b.mean()) / np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))


def test_full_checklist_makes_outsourcers_match_staff(base):
    """With every checklist item outsourced outcomes match staff; with none they fall short."""
    staff = list(base.staff["staff_id"])
    outs = list(base.outsourcers["outsourcer_id"])
    own = _outcomes(base.copy(), staff, None)
    full = _outcomes(base.copy(), outs, OutsourcerChecklist.full())
    empty = _outcomes(base.copy(), outs, OutsourcerChecklist())
    for key in ("answered", "facts", "good"):
        assert abs(_t(own[key], full[key])) < 3, key
    assert _t(own["facts"], empty["facts"]) > 3
    assert own["facts"].mean() > 1.15 * empty["facts"].mean()


def test_checklist_validation():
    """Checklist items must be booleans; from_dict refuses unknown items."""
    assert OutsourcerChecklist.full().completeness == pytest.approx(1.0)
    assert OutsourcerChecklist(consent_check=True).completeness == pytest.approx(0.2)
    with pytest.raises(PolicyError, match="checklist.call_recording"):
        OutsourcerChecklist(call_recording="yes")
    with pytest.raises(PolicyError, match="bribes"):
        OutsourcerChecklist.from_dict({"bribes": True})
    assert OutsourcerChecklist.from_dict(OutsourcerChecklist.full().to_dict()) == \
        OutsourcerChecklist.full()


@pytest.mark.parametrize("kwargs, field", [
    (dict(customer_id="C999999"), "customer_id"),
    (dict(staff_id="S9999"), "assignee"),
    (dict(channel="pigeon"), "channel"),
    (dict(when="2026-02-30T10:00"), "slot"),
    (dict(when="tomorrow"), "slot"),
    (dict(script=["greeting", "horoscope"]), "script"),
    (dict(purpose="spam"), "purpose"),
])
def test_failing_call_leaves_world_unchanged(base, kwargs, field):
    """A bad argument raises PlanError naming the field, and no table changes."""
    w = base.copy()
    before = snapshot(w)
    args = dict(customer_id="C000001", staff_id="S0001", channel="phone", script=BASIC,
                when="2026-01-06T10:00", purpose="routine")
    args.update(kwargs)
    with pytest.raises(PlanError, match=field):
        call(w, **args)
    after = snapshot(w)
    assert before[0].keys() == after[0].keys() and before[1].keys() == after[1].keys()
    for b, a in zip(before, after, strict=True):
        for name in b:
            pd.testing.assert_frame_equal(b[name], a[name])


def test_bad_checklist_leaves_world_unchanged(base):
    """A wrong checklist type raises PolicyError before anything is drawn or written."""
    w = base.copy()
    n = len(w.interactions)
    with pytest.raises(PolicyError, match="checklist"):
        run_plan(w, plan_for(w, ["C000001"]), checklist={"consent_check": True})
    assert len(w.interactions) == n and "call_runs" not in w.hidden


def test_empty_plan_runs(base):
    """An empty plan runs, records nothing and reports zeros."""
    w = base.copy()
    s = run_plan(w, plan_for(w, []))
    assert (s.planned, s.made, s.answered_rate, s.cost) == (0, 0, 0.0, 0.0)
    assert s.to_dict()["interaction_ids"] == []


def _digest_script(seed: int) -> str:
    return (
        "import hashlib, pandas as pd\n"
        "from crm_sim.scenario import Scenario\nfrom crm_sim.world import World\n"
        f"w = World.build(Scenario(seed={seed}, n_customers=200))\n"
        "ids = w.customers['customer_id'][:120]\n"
        "s = w.run_plan(pd.DataFrame({'customer_id': ids, 'slot': '2026-01-06T10:30',"
        " 'channel': 'phone', 'assignee': 'S0001', 'purpose': 'routine',"
        " 'script': 'greeting;needs;budget;satisfaction'}))\n"
        "h = hashlib.sha256()\n"
        "for t in (w.tables['interactions'], w.tables['customers'], w.hidden['latent'],"
        " w.hidden['profile_truth']):\n"
        "    h.update(t.to_csv(index=False, float_format='%.17g').encode())\n"
        "print(h.hexdigest())\n")


def test_identical_across_processes():
    """Two fresh interpreters running the same seed and plan produce byte-identical tables."""
    import subprocess
    import sys
    out = [subprocess.run([sys.executable, "-c", _digest_script(21)], capture_output=True,
                          text=True, check=True, timeout=300).stdout for _ in range(2)]
    assert out[0] == out[1] and len(out[0].strip()) == 64


def test_timepiece_world_uses_its_vocabulary():
    """In a watch retailer, revealed needs come from the timepiece vocabulary."""
    from crm_sim.calls import question_values
    w = World.build(Scenario(seed=4, n_customers=150, industry="timepiece"))
    ids = w.customers["customer_id"]
    s = w.run_plan(plan_for(w, ids, slot="2026-01-06T12:00", script=BASIC + list(QUESTIONS)))
    table = information_table(s, w)
    needs = set(table.loc[table["question"] == "needs", "captured"])
    assert needs and needs <= set(question_values("timepiece", "needs"))
    assert information_score(s, w) > 0.1


def test_world_delegates(base):
    """World.call and World.run_plan reach the same engine as the module functions."""
    a, b = base.copy(), base.copy()
    ra = a.call("C000002", "S0001", "email", "greeting;needs", "2026-01-06T10:00")
    rb = call(b, "C000002", "S0001", "email", ["greeting", "needs"], "2026-01-06T10:00")
    assert ra == rb
    plan = plan_for(a, ["C000003"])
    pd.testing.assert_frame_equal(a.run_plan(plan).records, run_plan(b, plan).records)


def test_truth_extends_for_new_customers(base):
    """Customers added later get truth rows; existing rows never change."""
    w = base.copy()
    old = profile_truth(w).copy()
    new = w.customers.tail(1).assign(customer_id="C999999")
    w.append_rows("customers", new)
    grown = profile_truth(w)
    assert len(grown) == len(old) + 1 and grown["customer_id"].iloc[-1] == "C999999"
    pd.testing.assert_frame_equal(grown.head(len(old)), old)
    again = base.copy()
    profile_truth(again)
    again.append_rows("customers", new)
    pd.testing.assert_frame_equal(profile_truth(again), grown)


def test_run_plan_refuses_wrong_helpers(base):
    """A mechanism or market of the wrong type raises PolicyError and changes nothing."""
    w = base.copy()
    n = len(w.interactions)
    with pytest.raises(PolicyError, match="mechanism"):
        run_plan(w, plan_for(w, ["C000001"]), mechanism={"industry": "ict"})
    with pytest.raises(PolicyError, match="market"):
        run_plan(w, plan_for(w, ["C000001"]), market="fierce")
    assert len(w.interactions) == n
