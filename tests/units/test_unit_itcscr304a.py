"""Evaluators of unit ITCSCR304A: exact marks for correct, partial, wrong and hostile work.

Evaluators are called directly on small worlds (300 customers) through a real
`EvalContext`; submitted functions run through the real sandbox (`call_function`) with a
short timeout. One slow test grades the real notebooks end to end with `grade_notebook`.
"""

from __future__ import annotations

import inspect
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from unit_loader import evaluators_module, helper_module

from autograders.checks import EvalContext, registered, to_plain
from autograders.checks.messages import UNSEEN
from autograders.sandbox.limits import Limits
from crm_sim.calls import run_plan
from crm_sim.plans import CallPlan
from crm_sim.scenario import Scenario
from crm_sim.world import World

UNIT_DIR = Path(__file__).resolve().parents[2] / "course" / "units" / "ITCSCR304A"
U = evaluators_module("ITCSCR304A")
pc = helper_module("ITCSCR304A", "periodic_calls")
NOTEBOOKS = ("01_accounts_and_plan", "02_people_and_calls", "03_analysis_follow_up_conduct")


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def ctx() -> EvalContext:
    """A context whose trainee and hidden worlds are small and built once."""
    c = EvalContext(unit="ITCSCR304A", trainee_id="t-304a", trainee_seed=31, hidden_seed=32,
                    limits=Limits(cell_timeout_s=8, memory_mb=1536))
    c._cache["trainee"] = World.build(Scenario(seed=31, n_customers=300, n_staff=12))
    c._cache["hidden"] = World.build(Scenario(seed=32, n_customers=300, n_staff=12))
    return c


@pytest.fixture(scope="module")
def ev():
    """The unit's evaluators by grade_id."""
    return registered("ITCSCR304A")


@pytest.fixture(scope="module")
def world(ctx):
    """The trainee world of the context (read-only in these tests)."""
    return ctx.trainee_world()


def fn_artifact(source: str, name: str) -> dict:
    """The artefact `submit` makes of a function defined by `source`."""
    return {"__function__": name, "qualname": name, "source": source}


def function_only(cell: str) -> str:
    """A variant cell's function as `submit` sends it: without the cell's helper import."""
    return "\n".join(line for line in cell.splitlines()
                     if not line.startswith("from periodic_calls"))


def reference_plan(world) -> list[dict]:
    """A plan built like the notebook's model solution (prospects, top 40, corporates)."""
    from crm_sim.mechanism import mechanism_for

    mech = mechanism_for(world)
    c = world.customers.set_index("customer_id")
    prospects = {x for ids in U.reference_prospects(world).values() for x in ids}
    targets = set(pc.top_value_ids(world)) | set(c.index[c["segment"] == "corporate"]) | prospects
    targets = sorted(targets, key=lambda x: (-c.at[x, "lifetime_value"], x))
    slots = pc.next_month_slots(world)
    rows = []
    for i, cid in enumerate(targets):
        seg = c.at[cid, "segment"]
        rules = mech.segments[seg]
        ok = pc.qualified_staff(world, seg, mech)
        purpose = "promotion" if cid in prospects else "routine"
        rows.append({"customer_id": cid, "slot": slots[i], "channel": "phone",
                     "assignee": ok[i % len(ok)], "purpose": purpose,
                     "script": list(rules.required_script)
                     + list(mech.purpose_script.get(purpose, ())) + ["needs"]})
    return rows


# ---------------------------------------------------------------------------- quizzes
@pytest.mark.parametrize("key", sorted(U.CHOICE_KEYS))
def test_choice_key_scores_one_and_others_zero(key, ev, ctx):
    """The key, in this trainee's option order, earns 1 (case and spaces forgiven); others 0."""
    from crm_sim.ui.quiz import shown_letter

    shown = shown_letter(f"answer_{key}", U.CHOICE_KEYS[key], trainee=ctx.trainee_id)
    assert ev[f"q_{key}_test"](f" {shown.upper()} ", ctx).score == 1.0
    for letter in U.LETTERS:
        if letter != shown:
            verdict = ev[f"q_{key}_test"](letter, ctx)
            assert verdict.score == 0.0
            assert shown not in verdict.message.split("=")[-1][:3]


def test_choice_letter_means_each_trainees_own_order(ev, ctx):
    """The same letter is right for one trainee and wrong for another: the order is theirs."""
    import dataclasses

    from crm_sim.ui.quiz import shown_letter

    letters = {t: shown_letter("answer_k1", U.CHOICE_KEYS["k1"], trainee=t)
               for t in (f"t{i:03d}" for i in range(40))}
    assert len(set(letters.values())) == 4          # every position is used by someone
    one, other = next((a, b) for a in letters for b in letters if letters[a] != letters[b])
    for trainee, letter in ((one, letters[one]), (other, letters[one])):
        c = dataclasses.replace(ctx, trainee_id=trainee)
        expected = 1.0 if trainee == one else 0.0
        assert ev["q_k1_test"](letter, c).score == expected


@pytest.mark.parametrize("hostile", [None, 3, ["b"], {"answer": "b"}, "e", "b" * 10_000, ""])
def test_choice_hostile_answers_score_zero_with_the_form_required(hostile, ev, ctx):
    """Non-letters earn 0 and the message says what form the answer must take."""
    verdict = ev["q_k1_test"](hostile, ctx)
    assert verdict.score == 0.0
    assert "answer must be" in verdict.message


# -------------------------------------------------------------------- segment summary
def test_segment_summary_exact_marks(ev, ctx, world):
    """Truth earns 1; a zeroed column 9/12; a missing segment 8/12; a number 0."""
    truth = U.segment_summary_truth(world)
    assert ev["segment_summary_test"](to_plain(truth.reset_index()), ctx).score == 1.0
    zero = truth.assign(contacted_90d_share=0.0)
    verdict = ev["segment_summary_test"](to_plain(zero.reset_index()), ctx)
    assert verdict.score == 0.75
    assert "contacted_90d_share" in verdict.message
    dropped = truth.drop(index="sme").reset_index()
    assert ev["segment_summary_test"](to_plain(dropped), ctx).score == pytest.approx(8 / 12,
                                                                                     abs=1e-4)
    assert ev["segment_summary_test"](42, ctx).score == 0.0


def test_segment_summary_hostile_values(ev, ctx, world):
    """NaN, text and an unparseable frame earn nothing for those values, never a crash."""
    truth = U.segment_summary_truth(world).reset_index()
    nan = truth.assign(mean_value=float("nan"))
    assert ev["segment_summary_test"](to_plain(nan), ctx).score == 0.75
    text = truth.astype({"customers": str}).assign(customers="many")
    assert ev["segment_summary_test"](to_plain(text), ctx).score == 0.75
    broken = {"__frame__": {"columns": ["segment"], "records": [[1, 2]]}}
    assert ev["segment_summary_test"](broken, ctx).score == 0.0


# -------------------------------------------------------------------------- prospects
PROSPECTS_MODEL = '''
def choose_prospects(customers, interactions):
    band = interactions["info_captured"].astype(str).str.extract(
        r'"satisfaction": "(low|medium|high)"', expand=False)
    said = (interactions.assign(said=band.map({"low": 0.25, "medium": 0.55, "high": 0.85}))
            .dropna(subset=["said"]).sort_values("timestamp")
            .groupby("customer_id")["said"].last())
    accounts = customers.set_index("customer_id")
    accounts["said"] = said.reindex(accounts.index).fillna(0.55)
    accounts["score"] = accounts["said"] + 0.1 * accounts.groupby("segment")[
        "lifetime_value"].rank(pct=True)
    eligible = accounts[accounts["dm_consent"].astype(bool)]
    return {s: g.sort_values("score", ascending=False, kind="stable").index[:15].tolist()
            for s, g in eligible.groupby("segment")}
'''
PROSPECTS_NO_INDIVIDUALS = PROSPECTS_MODEL.replace(
    "    return {s:", "    picks = {s:").replace(
    "for s, g in eligible.groupby(\"segment\")}\n",
    "for s, g in eligible.groupby(\"segment\")}\n    picks[\"individual\"] = []\n"
    "    return picks\n")
PROSPECTS_NO_CONSENT = '''
def choose_prospects(customers, interactions):
    refused = customers[~customers["dm_consent"].astype(bool)]
    return {s: g["customer_id"].head(15).tolist() for s, g in refused.groupby("segment")}
'''


def scorecard_rule(weights: dict, eligible_only: bool = True) -> dict:
    """A prospect scorecard's value, as the view hands it in."""
    return {"kind": "scorecard", "weights": weights, "eligible_only": eligible_only,
            "per_group": 15}


TAUGHT_SCORECARD = scorecard_rule({"said_satisfaction": 1.0, "value_in_segment": 0.1})
RFM_SCORECARD = scorecard_rule({"recent_purchase": 1.0, "contacts_in_segment": 1.0,
                                "value_in_segment": 1.0})


def rule_score(rule: dict, worlds: list) -> float:
    """The pooled score of a scorecard rule applied (as the grader does) to `worlds`."""
    picks = [pc.scorecard_prospects(rule, *pc.prospect_inputs(w)) for w in worlds]
    return U.prospects_score_many(picks, worlds)[0]


def test_prospects_score_rule_on_a_world(world):
    """The scoring rule: model list 1; one segment empty is less; unconsented 0, named."""
    ref = U.reference_prospects(world)
    assert U.prospects_score(ref, world)[0] == 1.0
    score, message, evidence = U.prospects_score({**ref, "individual": []}, world)
    assert score < 2 / 3 and evidence["fill"] == pytest.approx(2 / 3, abs=1e-4)
    assert "individual" in message
    c = world.customers
    no_consent = {s: g["customer_id"].head(15).tolist()
                  for s, g in c[~c["dm_consent"]].groupby("segment")}
    score, message, _ = U.prospects_score(no_consent, world)
    assert score == 0.0
    assert no_consent["corporate"][0] in message


def test_prospects_taught_scorecard_picks_what_the_model_function_picks(world):
    """The no-code scorecard with the taught weights picks exactly the model's prospects."""
    assert pc.scorecard_prospects(TAUGHT_SCORECARD, *pc.prospect_inputs(world)) == \
        U.reference_prospects(world)


def test_prospects_scorecard_full_partial_wrong_exact(ev, ctx):
    """No code run: taught scorecard 1; value only its exact pooled mark; no filter less."""
    worlds = U.unseen_companies(ctx)
    assert len(worlds) == U.UNSEEN_COMPANIES
    assert ev["prospects_test"](TAUGHT_SCORECARD, ctx).score == 1.0
    value_only = scorecard_rule({"value_in_segment": 1.0})
    verdict = ev["prospects_test"](value_only, ctx)
    assert verdict.score == pytest.approx(rule_score(value_only, worlds), abs=1e-4)
    assert 0.0 < verdict.score < 0.9
    no_filter = scorecard_rule(TAUGHT_SCORECARD["weights"], eligible_only=False)
    verdict = ev["prospects_test"](no_filter, ctx)
    assert verdict.score == pytest.approx(rule_score(no_filter, worlds), abs=1e-4)
    assert verdict.score < 0.5 and "consent" in verdict.message


@pytest.mark.parametrize("rule,words", [
    (scorecard_rule({}), "give at least one signal"),
    (scorecard_rule({"said_satisfaction": 0.0}), "every weight is zero"),
    (scorecard_rule({"star_sign": 1.0}), "do not exist"),
    (scorecard_rule({"said_satisfaction": "lots"}), "between"),
    ({"kind": "scorecard", "weights": {"said_satisfaction": 1}}, "eligible"),
])
def test_prospects_unusable_scorecards_score_zero_in_words(rule, words, ev, ctx):
    """A scorecard the grader cannot apply earns 0 and says why in plain words."""
    if rule.get("weights") == {}:
        rule = {**rule, "weights": None}
    verdict = ev["prospects_test"](rule, ctx)
    assert verdict.score == 0.0
    assert words in verdict.message


def test_prospects_function_full_and_wrong_on_unseen_companies(ev, ctx):
    """Analyst track graded the same way: the model function 1; unconsented picks 0, no ids."""
    verdict = ev["prospects_test"](fn_artifact(PROSPECTS_MODEL, "choose_prospects"), ctx)
    assert verdict.score == 1.0, verdict.message
    assert verdict.evidence["companies"] == U.UNSEEN_COMPANIES
    verdict = ev["prospects_test"](fn_artifact(PROSPECTS_NO_CONSENT, "choose_prospects"), ctx)
    assert verdict.score == 0.0
    c = ctx.hidden_world().customers
    assert "no direct-marketing consent" in verdict.message
    assert c[~c["dm_consent"]]["customer_id"].iloc[0] not in verdict.message   # hidden ids


def test_prospects_partial_function_no_individuals_exact(ev, ctx):
    """A function leaving one segment empty earns exactly its pooled mark (fill 2/3)."""
    worlds = U.unseen_companies(ctx)
    fn = defined(PROSPECTS_NO_INDIVIDUALS, "choose_prospects")
    expected = U.prospects_score_many([fn(*pc.prospect_inputs(w)) for w in worlds], worlds)
    verdict = ev["prospects_test"](fn_artifact(PROSPECTS_NO_INDIVIDUALS, "choose_prospects"),
                                   ctx)
    assert verdict.score == pytest.approx(expected[0], abs=1e-4)
    assert verdict.evidence["fill"] == pytest.approx(2 / 3, abs=1e-4)
    assert "individual" in verdict.message


def test_prospects_trainee_world_truth_is_not_full_marks(ev, ctx, world):
    """Returning the trainee world's true top propensities, whatever the input, is not 1."""
    latent = world.hidden["latent"].set_index("customer_id")["propensity"]
    c = world.customers[world.customers["dm_consent"]]
    oracle = {s: latent.reindex(g["customer_id"]).sort_values(ascending=False).index[:15]
              .tolist() for s, g in c.groupby("segment")}
    assert U.prospects_score(oracle, world)[0] == 1.0     # full marks on the trainee world
    source = f"def choose_prospects(customers, interactions):\n    return {oracle!r}\n"
    verdict = ev["prospects_test"](fn_artifact(source, "choose_prospects"), ctx)
    assert verdict.score < 0.9, verdict.evidence


@pytest.mark.parametrize("source,expect", [
    ("def choose_prospects(c, i):\n    raise KeyError('x')\n", UNSEEN),
    ("def choose_prospects(c, i):\n    while True:\n        pass\n", UNSEEN),
    ("def choose_prospects(c, i):\n    return 42\n", "must return a dict"),
    ("def choose_prospects(c, i):\n    return c\n", "must return a dict"),
    ("def choose_prospects(c, i):\n    return {'martians': ['C000001']}\n", "each segment"),
    ("def choose_prospects(c, i)\n    return 1\n", UNSEEN),
])
def test_prospects_hostile_functions(source, expect, ev, ctx):
    """Functions that raise, loop, return junk or do not compile earn 0 with the reason."""
    verdict = ev["prospects_test"](fn_artifact(source, "choose_prospects"), ctx)
    assert verdict.score == 0.0
    assert expect in verdict.message


@pytest.mark.parametrize("hostile", [None, "C000001", [], {"corporate": ["C000001"]}])
def test_prospects_values_instead_of_a_function(hostile, ev, ctx):
    """A list or dict of ids (the old answer form) earns 0 and says to submit the function."""
    verdict = ev["prospects_test"](hostile, ctx)
    assert verdict.score == 0.0
    assert "submit the function choose_prospects" in verdict.message


# -------------------------------------------------------------------------- referrals
def test_referrals_reference_and_wrong(ev, ctx, world):
    """The greedy reference earns 1; no champions 0; unknown ids are named."""
    best = U.reference_champions(U._graph(world))
    assert ev["referral_test"](best, ctx).score == 1.0
    assert ev["referral_test"]([], ctx).score == 0.0
    verdict = ev["referral_test"](["NOPE1", "C000001"], ctx)
    assert "NOPE1" in verdict.message
    assert verdict.score < 1.0


@pytest.mark.parametrize("hostile", [None, "C000001", {"a": 1}, [None] * 5,
                                     ["C000001"] * 100_000])
def test_referrals_hostile(hostile, ev, ctx):
    """Wrong shapes and huge lists: a low score and a message, never a crash."""
    verdict = ev["referral_test"](hostile, ctx)
    assert verdict.score < 0.5
    assert verdict.message


# ------------------------------------------------------------------------------- plan
def test_plan_full_partial_wrong(ev, ctx, world):
    """Compliant full plan 1; every call at 21:00 exactly 0.4 (coverage only); empty 0."""
    rows = reference_plan(world)
    verdict = ev["plan_calls_test"](to_plain(CallPlan.build(rows, world)), ctx)
    assert verdict.score == 1.0, verdict.message
    late = [{**r, "slot": r["slot"][:10] + "T21:00"} for r in rows]
    verdict = ev["plan_calls_test"](to_plain(CallPlan.build(late, world)), ctx)
    assert verdict.score == 0.4
    assert "calling hours" in verdict.message and late[0]["customer_id"] in verdict.message
    assert ev["plan_calls_test"]([], ctx).score == 0.0


def test_plan_promotions_without_consent_are_not_diluted_by_padding(ev, ctx, world):
    """10% of calls promoting to unconsented customers cost 0.05 each, whatever the plan size."""
    rows = reference_plan(world)
    consent = world.customers.set_index("customer_id")["dm_consent"]
    unconsented = [i for i, r in enumerate(rows) if not consent[r["customer_id"]]]
    k = max(1, len(rows) // 10)
    assert len(unconsented) >= k
    bad = [dict(r) for r in rows]
    for i in unconsented[:k]:
        bad[i]["purpose"] = "promotion"
    verdict = ev["plan_calls_test"](to_plain(CallPlan.build(bad, world)), ctx)
    coverage = verdict.evidence["coverage"]
    assert verdict.score == pytest.approx(0.6 * max(0.0, 1 - 0.05 * k) + 0.4 * coverage,
                                          abs=1e-4)
    assert verdict.score <= 0.6 * max(0.0, 1 - 0.05 * k) + 0.4 + 1e-9
    assert verdict.score < 1 - 0.6 * k / len(rows)      # below what dividing by calls gave


@pytest.mark.parametrize("knob,limit_name,words", [
    ("PLAN_BUDGET_PER_CUSTOMER", "budget (HKD)", "over the budget limit"),
    ("PLAN_HOURS_PER_STAFF_WEEK", "staff hours", "over the staff hours limit")])
def test_plan_beyond_a_limit_loses_the_share_it_is_over(knob, limit_name, words, ev, ctx,
                                                        world, monkeypatch):
    """A compliant full plan 25% over the hours or the budget scores exactly 0.75, says so."""
    rows = reference_plan(world)
    plan = to_plain(CallPlan.build(rows, world))
    usage = pc.plan_usage(CallPlan.build(rows, world).frame, world)
    used = usage["cost_hkd" if "HKD" in limit_name else "hours"]
    per_unit = len(world.customers) if "HKD" in limit_name else len(world.staff) * \
        pc.WEEKS_PER_MONTH
    # the limits the evaluator reads: the helper module its own package imported (another
    # test may have loaded the unit again from a course copy, a second module object)
    graded_pc = inspect.unwrap(ev["plan_calls_test"]).__globals__["pc"]
    monkeypatch.setattr(graded_pc, knob, used / 1.25 / per_unit)
    verdict = ev["plan_calls_test"](plan, ctx)
    assert verdict.score == pytest.approx(0.75, abs=1e-3)
    assert words in verdict.message and "over by" in verdict.message and "25%" in verdict.message
    assert list(verdict.evidence["over_limits"]) == [limit_name]


def test_plan_limits_follow_the_company(world, unseen_worlds):
    """Hours follow the team's size and the budget the number of customers."""
    limits = pc.plan_limits(world)
    assert limits["hours"] == pc.PLAN_HOURS_PER_STAFF_WEEK * len(world.staff) * 4
    assert limits["budget_hkd"] == pc.PLAN_BUDGET_PER_CUSTOMER * len(world.customers)


@pytest.mark.parametrize("hostile", [None, "plan", {"customer_id": "C000001"},
                                     [{"customer_id": "C999999", "slot": "2026-02-02T10:00",
                                       "channel": "phone", "assignee": "S0001"}],
                                     [{"customer_id": "C000001", "slot": float("nan"),
                                       "channel": "phone", "assignee": "S0001"}],
                                     [{"customer_id": "C000001"}] * 30_000])
def test_plan_hostile(hostile, ev, ctx):
    """Malformed plans earn 0 with the reason; huge ones are refused before checking."""
    verdict = ev["plan_calls_test"](to_plain(hostile), ctx)
    assert verdict.score == 0.0
    assert verdict.message


# ------------------------------------------------------------------------ assignment
def assignment_mark(assigned, world) -> float:
    """The assignment rule computed here: compliance × clip((q − blind) / (0.8 (ref − blind)))."""
    report = pc.assignment_report(assigned, world)
    ref_q = pc.assignment_report(U.reference_assignment(world), world)["quality"]
    blind = U.blind_quality(world)
    assert not report["violations"]          # only answers without breaches are computed here
    compliance = (report["calls"] - len(report["missing"])) / report["calls"]
    credit = min(1.0, max(0.0, (report["quality"] - blind) / (U.ASSIGN_TARGET * (ref_q - blind))))
    return compliance * credit


def test_assignment_reference_and_exact_partial(ev, ctx, world):
    """Greedy reference 1; corporate calls dropped scores compliance × quality credit exactly."""
    ref = U.reference_assignment(world)
    assert ev["assign_people_test"](to_plain(ref), ctx).score == 1.0
    part = ref[ref["segment"] != "corporate"]
    verdict = ev["assign_people_test"](to_plain(part), ctx)
    assert verdict.score == pytest.approx(assignment_mark(part, world), abs=1e-4)
    assert 0.0 < verdict.score < 1.0
    assert ref[ref["segment"] == "corporate"]["customer_id"].iloc[0] in verdict.message


def planner_for(world, order=None):
    """The no-code planner on `world`, each segment ranked by `order` (default: best first)."""
    planner = pc.assignment_planner(world)
    for group in planner.groups:
        if order is None:
            planner.best_first(group)
        else:
            planner.set_callers(group, order(planner, group))
    planner.fill()
    return planner


def test_assignment_planner_full_partial_wrong_exact(ev, ctx, world):
    """Planner: best first 1; one segment left empty its exact mark; agencies on all 0."""
    planner = planner_for(world)
    assert planner.breaches() == []
    assert planner.value["assignee"].tolist() == \
        U.reference_assignment(world)["assignee"].tolist()
    assert ev["assign_people_test"](to_plain(planner.value), ctx).score == 1.0
    partial = pc.assignment_planner(world)
    partial.best_first("corporate")
    partial.best_first("sme")
    partial.fill()
    assert any("no caller" in b for b in partial.breaches())
    verdict = ev["assign_people_test"](to_plain(partial.value), ctx)      # None = no caller
    assert verdict.score == pytest.approx(
        assignment_mark(partial.value.dropna(subset=["assignee"]), world), abs=1e-4)
    assert 0.0 < verdict.score < 1.0
    wrong = pc.assignment_planner(world)
    for i in wrong.calls.index:
        wrong.assignee.at[i] = "O001"
    assert any("not qualified" in b for b in wrong.breaches())
    assert ev["assign_people_test"](to_plain(wrong.value), ctx).score == 0.0


def test_assignment_unqualified_outsourcer_named(ev, ctx, world):
    """Outsourcers on corporate calls (not allowed) lose those calls and are named."""
    task = pc.assignment_task(world).assign(assignee="O001")
    verdict = ev["assign_people_test"](to_plain(task), ctx)
    corporate = task[task["segment"] == "corporate"]
    assert verdict.score <= 1 - len(corporate) / len(task) + 1e-9
    assert "not qualified" in verdict.message


@pytest.mark.parametrize("hostile", [None, [], "S0001", {"assignee": "S0001"},
                                     [{"customer_id": "C000001", "assignee": "ZZZ"}]])
def test_assignment_hostile(hostile, ev, ctx):
    """Answers that are not an assigned task earn 0 with a message."""
    verdict = ev["assign_people_test"](to_plain(hostile), ctx)
    assert verdict.score == 0.0
    assert verdict.message


# ----------------------------------------------------------------------------- budget
N_UNSEEN = 20


@pytest.fixture(scope="module")
def unseen_worlds() -> list[World]:
    """Twenty small unseen companies (seeds unrelated to the trainee's), built once."""
    return [World.build(Scenario(seed=9100 + i, n_customers=300, n_staff=12))
            for i in range(N_UNSEEN)]


def function_in(source: str, name: str) -> str:
    """The source of function `name` as defined in a cell's `source` (what submit sends)."""
    import ast

    node = next(n for n in ast.parse(source).body
                if isinstance(n, ast.FunctionDef) and n.name == name)
    return ast.get_source_segment(source, node)


BUDGET_MODEL = '''
def plan_budget(customers, interactions, staff):
    import numpy as np
    cost = {"visit": 900.0, "phone": 120.0, "email": 8.0, "message": 15.0, "letter": 40.0}
    chance = {"visit": 0.35, "phone": 0.18, "email": 0.03, "message": 0.06, "letter": 0.04}
    spend = customers["lifetime_value"] / customers["tenure_months"].clip(lower=1)
    lines = (customers.assign(v=spend).groupby(["segment", "preferred_channel"])
             .agg(n=("v", "size"), v=("v", "sum")).reset_index())
    value = list(lines["preferred_channel"].map(chance) * 3 * lines["v"])
    sat = list(lines["preferred_channel"].map(cost) * lines["n"])
    gap_hours = float(((1 - staff["skill"]) * staff["capacity_hours_week"]).sum() * 4)
    value.append(150.0 * gap_hours)
    sat.append(4000.0 * len(staff))
    value, sat = np.array(value, dtype=float), np.array(sat, dtype=float)
    first = np.maximum(value / sat, 1e-300)
    low, high = np.log(first.max()) - 60, np.log(first.max())
    for _ in range(200):          # best return first: the same next-dollar return everywhere
        mid = (low + high) / 2
        x = np.where(first > np.exp(mid), sat * (np.log(first) - mid), 0.0)
        low, high = (mid, high) if x.sum() > 100_000 else (low, mid)
    x = np.where(first > np.exp(high), sat * (np.log(first) - high), 0.0)
    x = x * 100_000 / x.sum()
    out = {s: {} for s in customers["segment"].unique()}
    for s, ch, amount in zip(lines["segment"], lines["preferred_channel"], x[:-1]):
        out[s][ch] = float(amount)
    out["training"] = float(x[-1])
    return out
'''
TAUGHT_BUDGET_RULE = U.TAUGHT_BUDGET_RULE


def budget_rule(reach="stated_preference", value="customer_value", spend="best_return_first",
                training="skill_gaps") -> dict:
    """A budget rule as the editor hands it in (default: the taught one)."""
    return {"kind": "budget", "groups": {"budget": {"reach": reach, "value": value,
                                                    "spend": spend, "training": training}}}


def solution_function(grade_id: str, name: str) -> str:
    """The source of function `name` defined in the notebook's solution cell `grade_id`."""
    for nb in NOTEBOOKS:
        for cell in json.loads((UNIT_DIR / f"{nb}.ipynb").read_text())["cells"]:
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
                return function_in("".join(cell["source"]), name)
    raise KeyError(grade_id)


def defined(source: str, name: str):
    """Function `name` defined by `source` with what the sandbox gives it (pd, np)."""
    import numpy as np

    ns = {"pd": pd, "np": np}
    exec(compile(source, "<submitted>", "exec"), ns)  # noqa: S102 - the unit's own solution
    return ns[name]


def test_budget_taught_method_full_on_unseen_companies(unseen_worlds):
    """The model plan_budget scores full marks on at least 19 of 20 unseen companies."""
    plan_budget = defined(BUDGET_MODEL, "plan_budget")
    scores = [U.budget_score(plan_budget(*pc.budget_inputs(w)), w)[0] for w in unseen_worlds]
    assert sum(s == 1.0 for s in scores) >= 19, scores


def test_budget_truth_is_not_the_taught_weights(world):
    """The true lines are not the 3/2/1 shares: the fixed-share budget is not the best one."""
    truth = U.budget_truth(world)
    best = pc.budget_as_dict(truth, pc.best_return_first(truth))
    fixed = pc.budget_from_rule(U.FIXED_SHARES_RULE, *pc.budget_inputs(world))
    assert U.truth_value(fixed, world) < 0.9 * U.truth_value(best, world)
    assert best["training"] > 0 and fixed["training"] == 0


def test_budget_read_off_own_truth_misses_unseen_companies(world, unseen_worlds):
    """The best budget on the trainee's own truth: full there, < 1 on most other companies."""
    truth = U.budget_truth(world)
    copied = pc.budget_as_dict(truth, pc.best_return_first(truth))
    assert U.budget_score(copied, world)[0] == 1.0
    scores = [U.budget_score(copied, w)[0] for w in unseen_worlds]
    assert sum(s < 1.0 for s in scores) >= 15, scores


def test_budget_economics_differ_between_companies(unseen_worlds):
    """The best split of two companies differs (training and lines): nothing fixed to copy."""
    a, b = (U.budget_truth(w) for w in unseen_worlds[:2])
    xa, xb = pc.best_return_first(a), pc.best_return_first(b)
    assert abs(xa[-1] - xb[-1]) > 5_000          # the training line
    assert not a[["segment", "channel"]].equals(b[["segment", "channel"]]) or \
        float(np.abs(xa - xb).sum()) > 20_000


def test_budget_exact_marks(ev, ctx):
    """Model function 1 on the unseen company; doubled amounts exactly 0.5; an empty dict 0."""
    assert ev["budget_test"](fn_artifact(BUDGET_MODEL, "plan_budget"), ctx).score == 1.0
    doubled = function_in(U.VARIANTS["partial"]["budget_answer"], "plan_budget")
    verdict = ev["budget_test"](fn_artifact(doubled, "plan_budget"), ctx)
    assert verdict.score == 0.5
    assert "200,000" in verdict.message
    wrong = ev["budget_test"](fn_artifact("def plan_budget(customers, interactions, staff):\n"
                                          "    return {}\n", "plan_budget"), ctx)
    assert wrong.score == 0.0
    assert "budget" in wrong.message


def test_budget_even_split_scores_zero(unseen_worlds):
    """An even split over every segment and channel earns exactly 0 on every company."""
    assert all(U.budget_score(U.even_budget(w), w)[0] == 0.0 for w in unseen_worlds)


@pytest.mark.parametrize("body", [
    "raise RuntimeError(str(customers.iloc[:3].to_dict()))",
    "raise type(str(customers['customer_id'].iloc[0]), (Exception,), {})()",
])
def test_budget_failure_on_unseen_company_leaks_nothing(body, ev, ctx):
    """A function raising with unseen-company data in its text or type name: 0, kind only."""
    source = f"def plan_budget(customers, interactions, staff):\n    {body}\n"
    verdict = ev["budget_test"](fn_artifact(source, "plan_budget"), ctx)
    assert verdict.score == 0.0
    assert "while running on the unseen company (raised)" in verdict.message
    hidden_ids = ctx.hidden_world().customers["customer_id"].head(3)
    assert not any(cid in verdict.message for cid in hidden_ids)
    assert "C0" not in verdict.message


def test_budget_a_table_is_not_a_function(ev, ctx, world):
    """Submitting the budget itself (not plan_budget) earns 0 and says what to submit."""
    verdict = ev["budget_test"](U.reference_budget(world), ctx)
    assert verdict.score == 0.0
    assert "plan_budget" in verdict.message


@pytest.mark.parametrize("body", [
    "return None", "return '100000'", "return {'sme': {'phone': float('nan')}}",
    "return {'sme': {'phone': -5}}", "return {'sme': ['phone']}",
    "return {str(i): {'phone': 1.0} for i in range(100_000)}",
    "return {'training': float('inf')}", "return {'training': -100000.0, 'sme': {'phone': 2e5}}",
])
def test_budget_hostile(body, ev, ctx):
    """Wrong types, NaN, infinite, negative, huge or raising functions earn 0 with a message."""
    source = f"def plan_budget(customers, interactions, staff):\n    {body}\n"
    verdict = ev["budget_test"](fn_artifact(source, "plan_budget"), ctx)
    assert verdict.score == 0.0
    assert "budget" in verdict.message


def test_budget_all_on_training_is_caught(ev, ctx):
    """Every dollar on training (a valid shape): well below half marks, training not enough."""
    source = ("def plan_budget(customers, interactions, staff):\n"
              "    return {'training': 100000.0}\n")
    verdict = ev["budget_test"](fn_artifact(source, "plan_budget"), ctx)
    assert verdict.score < 0.25
    assert "does not go where it brings most" in verdict.message


# -------------------------------------------------------------------------- checklist
ITEMS = ("script_adherence", "consent_check", "product_briefing", "call_recording",
         "escalation_rule")


def taught_checklist(world) -> dict:
    """The taught choice: every item worth more than it costs, and the consent check."""
    e = pc.checklist_economics(world)
    return {k: bool(e.at[k, "worth"] > e.at[k, "cost"]) or k == "consent_check" for k in ITEMS}


def checklist_mark(items: dict, world) -> float:
    """The checklist rule computed here: (net − consent-only net) / (best − consent-only net)."""
    e = pc.checklist_economics(world)
    net = lambda chosen: float(sum(e.at[k, "worth"] - e.at[k, "cost"]  # noqa: E731
                                   for k, v in chosen.items() if v))
    floor = net({k: k == "consent_check" for k in ITEMS})
    best = net(taught_checklist(world))
    return 0.0 if not items["consent_check"] else min(1.0, max(0.0, (net(items) - floor)
                                                               / (best - floor)))


def test_checklist_exact_marks(ev, ctx, world):
    """Taught choice 1; every item its exact net share; no consent check 0, naming the law."""
    taught = taught_checklist(world)
    verdict = ev["checklist_test"](taught, ctx)
    assert verdict.score == 1.0, verdict.message
    assert set(verdict.evidence["pilot"]) == {"own staff", "outsourcer"}
    everything = dict.fromkeys(ITEMS, True)
    verdict = ev["checklist_test"](everything, ctx)
    assert verdict.score == pytest.approx(checklist_mark(everything, world), abs=1e-4)
    if not all(taught.values()):
        assert verdict.score < 1.0 and "cost more than they bring" in verdict.message
    no_consent = {**taught, "consent_check": False}
    verdict = ev["checklist_test"](no_consent, ctx)
    assert verdict.score == 0.0 and "s.65" in verdict.message
    assert ev["checklist_test"](dict.fromkeys(ITEMS, False), ctx).score == 0.0


def test_checklist_chooser_shows_cost_worth_and_the_required_item(world):
    """The view, driven by its methods, totals the ticked items and names the legal item."""
    chooser = pc.checklist_chooser(world)
    assert any("consent_check is required" in p for p in chooser.problems())
    chooser.tick_only([k for k, v in taught_checklist(world).items() if v])
    assert chooser.problems() == []
    assert chooser.value == taught_checklist(world)
    e = pc.checklist_economics(world)
    assert chooser.totals()["cost"] == pytest.approx(
        sum(e.at[k, "cost"] for k, v in chooser.value.items() if v))


@pytest.mark.parametrize("hostile", [None, "all", [], {"bribe_agents": True},
                                     {"consent_check": "yes"}, {"consent_check": 1}])
def test_checklist_hostile(hostile, ev, ctx):
    """Unknown items or non-boolean values earn 0 with the reason."""
    verdict = ev["checklist_test"](hostile, ctx)
    assert verdict.score == 0.0
    assert "checklist" in verdict.message


# -------------------------------------------------------------------- discovery calls
CALLS_MODEL = '''
def plan_discovery_calls(accounts, staff, slots, rules):
    soft = dict(zip(staff["staff_id"], staff["soft_skill"]))
    quality = dict(zip(staff["staff_id"], 0.4 * staff["skill"]
                       + 0.3 * staff["product_knowledge"] + 0.3 * staff["soft_skill"]))
    calls = []
    for i, row in enumerate(accounts.itertuples(index=False)):
        rule = rules[row.segment]
        ok = staff.loc[(staff["skill"] >= rule["min_skill"])
                       & (staff["product_knowledge"] >= rule["min_product_knowledge"]),
                       "staff_id"]
        if len(ok) == 0:
            ok = [max(sorted(quality), key=lambda s: quality[s])]
        callers = sorted(ok, key=lambda s: (-soft[s], s))
        channel = "visit" if "visit" in rule["channels"] else (
            row.preferred_channel if row.preferred_channel in ("phone", "message")
            and row.preferred_channel in rule["channels"] else "phone")
        questions = ["needs", "budget", "timeline", "satisfaction",
                     "decision_maker" if row.segment != "individual" else "competitor_use"]
        calls.append({"customer_id": row.customer_id, "slot": slots[(i * 5) % len(slots)],
                      "channel": channel, "assignee": callers[i % min(2, len(callers))],
                      "purpose": "routine",
                      "script": list(dict.fromkeys(list(rule["required_script"]) + questions))})
    return calls
'''
CALLS_LONG_FIRST_FIVE = CALLS_MODEL.replace("    return calls\n", """    extra = ["pain_points",
             "competitor_use", "referral_willingness", "preferred_channel"]
    for call in calls[:5]:
        call["script"] = call["script"] + extra
    return calls
""")


def test_scripted_calls_rule_on_the_trainee_world(ctx, world):
    """The rule: model list 1; five calls with seven+ questions lose those five, named."""
    ref = U.reference_call_list(world)
    assert U.scripted_calls_score(ref, ctx, "trainee")[0] == 1.0
    extra = ["pain_points", "competitor_use", "referral_willingness", "preferred_channel"]
    long = [{**r, "script": r["script"] + extra} if i < 5 else r for i, r in enumerate(ref)]
    score, message, evidence = U.scripted_calls_score(long, ctx, "trainee")
    assert evidence["clean_calls"] == 15
    assert 0.0 < score <= 0.75
    assert long[0]["customer_id"] in message


def test_scripted_calls_model_function_full_on_hidden_world(ev, ctx):
    """The model function earns 1 on the hidden world; long scripts lose those calls."""
    verdict = ev["scripted_calls_test"](fn_artifact(CALLS_MODEL, "plan_discovery_calls"), ctx)
    assert verdict.score == 1.0, verdict.message
    verdict = ev["scripted_calls_test"](fn_artifact(CALLS_LONG_FIRST_FIVE,
                                                    "plan_discovery_calls"), ctx)
    assert verdict.evidence["clean_calls"] == 15
    assert 0.0 < verdict.score <= 0.75
    assert "more than 5 questions" in verdict.message
    assert pc.discovery_list(ctx.hidden_world())[0] not in verdict.message    # hidden ids


def test_scripted_calls_variants_score_zero_with_reasons(ev, ctx):
    """Partial (emails, ten questions) and wrong (no calls) earn 0, as before the change."""
    partial = function_only(
        U.VARIANTS["partial"]["call_list_answer"].split("\ndiscovery_rule = ")[0])
    verdict = ev["scripted_calls_test"](fn_artifact(partial, "plan_discovery_calls"), ctx)
    assert verdict.score == 0.0
    assert "more than 5 questions" in verdict.message
    wrong = function_only(
        U.VARIANTS["wrong"]["call_list_answer"].split("\ndiscovery_rule = ")[0])
    verdict = ev["scripted_calls_test"](fn_artifact(wrong, "plan_discovery_calls"), ctx)
    assert verdict.score == 0.0
    assert verdict.message


BUSINESS_QUESTIONS = ["needs", "budget", "timeline", "satisfaction", "decision_maker"]


def discovery_rule(corporate: str = "visit", sme: str = "visit", individual: str = "preferred",
                   caller: str = "warmest", business: list | None = None,
                   private: list | None = None) -> dict:
    """A discovery rule as the rule editor hands it in (default: the taught rule)."""
    business = business or BUSINESS_QUESTIONS
    private = private or ["needs", "budget", "timeline", "satisfaction", "competitor_use"]
    return {"kind": "discovery", "groups": {
        "corporate": {"channel": corporate, "caller": caller, "questions": business},
        "sme": {"channel": sme, "caller": caller, "questions": business},
        "individual": {"channel": individual, "caller": caller, "questions": private}}}


def test_discovery_rule_makes_the_model_calls(world):
    """The taught rule, applied by the grader's function, makes exactly the model's calls."""
    calls = pc.discovery_calls_from_rule(discovery_rule(), *pc.discovery_inputs(world))
    assert calls == U.reference_call_list(world)


def test_discovery_editor_drives_to_the_taught_rule(world):
    """The editor, driven by its methods, hands in the taught rule and shows no problem."""
    editor = pc.discovery_rule_editor(world)
    assert any("choose a channel" in p for p in editor.problems())
    editor.choose_all({g: {"channel": d["channel"], "caller": d["caller"],
                           "questions": d["questions"]}
                       for g, d in discovery_rule()["groups"].items()})
    assert editor.problems() == []
    assert editor.value == discovery_rule()
    editor.choose("individual", "channel", "visit")
    assert any("visit is not allowed" in p for p in editor.problems())


def test_discovery_rule_full_partial_wrong_exact(ev, ctx):
    """No code run: taught rule 1; e-mail with one question its exact mark; a banned channel 0."""
    assert ev["scripted_calls_test"](discovery_rule(), ctx).score == 1.0
    emails = discovery_rule("email", "email", "email", business=["needs"], private=["needs"])
    hidden_calls = pc.discovery_calls_from_rule(emails, *pc.discovery_inputs(ctx.hidden_world()))
    verdict = ev["scripted_calls_test"](emails, ctx)
    assert verdict.score == pytest.approx(
        U.scripted_calls_score(hidden_calls, ctx, "hidden")[0], abs=1e-4)
    assert 0.0 < verdict.score < 0.3
    banned = discovery_rule(individual="visit")
    verdict = ev["scripted_calls_test"](banned, ctx)
    assert verdict.score == 0.0
    assert "visit is not allowed" in verdict.message
    six = discovery_rule(business=[*BUSINESS_QUESTIONS, "pain_points"])
    assert "the most is 5" in ev["scripted_calls_test"](six, ctx).message


def test_scripted_calls_trainee_world_answer_is_not_full_marks(ev, ctx, world):
    """Returning the call list made for the trainee's own world, whatever the input, is not 1."""
    ref = U.reference_call_list(world)
    assert U.scripted_calls_score(ref, ctx, "trainee")[0] == 1.0   # full on the own world
    source = f"def plan_discovery_calls(accounts, staff, slots, rules):\n    return {ref!r}\n"
    verdict = ev["scripted_calls_test"](fn_artifact(source, "plan_discovery_calls"), ctx)
    assert verdict.score < 0.5, verdict.evidence


@pytest.mark.parametrize("source,expect", [
    ("def plan_discovery_calls(a, s, t, r):\n    raise KeyError('x')\n", UNSEEN),
    ("def plan_discovery_calls(a, s, t, r):\n    while True:\n        pass\n",
     UNSEEN),
    ("def plan_discovery_calls(a, s, t, r):\n    return 42\n", "must return a list"),
    ("def plan_discovery_calls(a, s, t, r):\n    return [{'x': 1}] * 1000\n", "call"),
    ("def plan_discovery_calls(a, s, t, r)\n    return []\n", UNSEEN),
])
def test_scripted_calls_hostile_functions(source, expect, ev, ctx):
    """Functions that raise, loop, return junk or do not compile earn 0 with the reason."""
    verdict = ev["scripted_calls_test"](fn_artifact(source, "plan_discovery_calls"), ctx)
    assert verdict.score == 0.0
    assert expect in verdict.message


@pytest.mark.parametrize("hostile", [None, [], "call everyone", [{"customer_id": "C000001"}]])
def test_scripted_calls_values_instead_of_a_function(hostile, ev, ctx):
    """A call list (the old answer form) earns 0 and says to submit the function."""
    verdict = ev["scripted_calls_test"](to_plain(hostile), ctx)
    assert verdict.score == 0.0
    assert "submit the function plan_discovery_calls" in verdict.message


def _report(world, call_list):
    """The model call report of `call_list`, run as the notebook's first run."""
    copy = world.copy()
    records = run_plan(copy, call_list).records
    day = pd.to_datetime(records["timestamp"].str[:10])
    return records, pd.DataFrame({
        "customer_id": records["customer_id"].astype(str),
        "outcome": records["outcome"].astype(str),
        "facts": records["info_captured"].map(json.loads),
        "follow_up": [text if not pc.follow_up_text_problem(text) else FOLLOW_UP_BY_OUTCOME[o]
                      for text, o in zip(records["follow_up"], records["outcome"], strict=True)],
        "follow_up_date": (day + pd.Timedelta(days=3)).dt.strftime("%Y-%m-%d")})


FOLLOW_UP_BY_OUTCOME = {"sale": "confirm the order and the delivery date",
                        "complaint": "call back with the fix for the complaint",
                        "declined": "send a thank-you note with our service contacts",
                        "no_answer": "call again at a different time of day",
                        "answered": "send a summary of the call and our offer"}


def test_call_records_copying_the_engine_notes_is_not_full_marks(ev, ctx, world):
    """Copying the engine's notes ('call again next quarter', blanks as 'call again') loses rows."""
    ref = U.reference_call_list(world)
    records, report = _report(world, ref)
    copied = report.assign(follow_up=records["follow_up"].where(records["follow_up"] != "",
                                                                "call again").to_numpy())
    verdict = ev["call_records_test"]({"report": to_plain(copied), "call_list": ref}, ctx)
    vague_or_far = [t for t in copied["follow_up"] if pc.follow_up_text_problem(t)]
    assert vague_or_far
    assert verdict.score == pytest.approx(1 - len(vague_or_far) / len(records), abs=1e-4)
    assert "beyond the 14-day rule" in verdict.message or "too vague" in verdict.message


@pytest.mark.parametrize("text,problem", [
    ("call again next quarter", "beyond the 14-day rule"),
    ("call again", "too vague"),
    ("revisit the pricing discussion in 3 months", "beyond the 14-day rule"),
    ("the customer seemed happy today", "names no action"),
    ("send quotation for cloud backup", None),
])
def test_follow_up_text_rule(text, problem):
    """A follow-up must name an action and its object, within the 14 days."""
    found = pc.follow_up_text_problem(text)
    assert (found is None) if problem is None else (problem in found)


def test_call_records_full_partial_wrong(ev, ctx, world):
    """Model report 1; half the rows exactly half; no dates 0 with the ids named."""
    ref = U.reference_call_list(world)
    records, report = _report(world, ref)
    art = {"report": to_plain(report), "call_list": ref}
    assert ev["call_records_test"](art, ctx).score == 1.0
    half = report.head(len(report) // 2)
    verdict = ev["call_records_test"]({"report": to_plain(half), "call_list": ref}, ctx)
    assert verdict.score == pytest.approx((len(report) // 2) / len(records), abs=1e-4)
    no_dates = report.assign(follow_up_date="")
    verdict = ev["call_records_test"]({"report": to_plain(no_dates), "call_list": ref}, ctx)
    assert verdict.score == 0.0
    assert "follow_up_date" in verdict.message


@pytest.mark.parametrize("hostile", [None, [], {"report": None, "call_list": []},
                                     {"report": [], "call_list": "x"}, {"report": 5}])
def test_call_records_hostile(hostile, ev, ctx):
    """Missing parts of the artefact earn 0 with what to submit."""
    verdict = ev["call_records_test"](hostile, ctx)
    assert verdict.score == 0.0
    assert verdict.message


# -------------------------------------------------------------------------- estimates
ESTIMATE_MODEL = '''
def estimate_state(customers, interactions):
    import numpy as np
    import pandas as pd
    band = interactions["info_captured"].astype(str).str.extract(
        r'"satisfaction": "(low|medium|high)"', expand=False).map(
        {"low": 0.25, "medium": 0.55, "high": 0.85})
    said = interactions.assign(v=band).dropna(subset=["v"]).sort_values("timestamp", kind="stable")
    recent = said.groupby("customer_id")["v"].apply(lambda s: s.ewm(halflife=1).mean().iloc[-1])
    complaints = interactions[interactions["outcome"] == "complaint"].groupby("customer_id").size()
    ids = customers["customer_id"].astype(str)
    s = (recent.reindex(ids).fillna(recent.mean() if len(recent) else 0.6).to_numpy(float)
         - 0.05 * complaints.reindex(ids).fillna(0).to_numpy(float))
    s = np.clip(s, 0, 1)
    return pd.DataFrame({"customer_id": ids.to_numpy(), "satisfaction_est": s,
                         "propensity_est": 1 / (1 + np.exp(2.2 - 3.5 * (s - 0.5)))})
'''


def test_estimates_model_full_and_constant_zero(ev, ctx):
    """The model estimator earns 1 on the hidden world; constant estimates earn 0."""
    verdict = ev["estimates_test"](fn_artifact(ESTIMATE_MODEL, "estimate_state"), ctx)
    assert verdict.score == 1.0, verdict.message
    const = ("def estimate_state(customers, interactions):\n"
             "    return customers[['customer_id']].assign(satisfaction_est=0.5, "
             "propensity_est=0.2)\n")
    verdict = ev["estimates_test"](fn_artifact(const, "estimate_state"), ctx)
    assert verdict.score == 0.0
    assert "rank customers poorly" in verdict.message


@pytest.mark.parametrize("source,expect", [
    ("def estimate_state(c, i):\n    raise KeyError('x')\n", UNSEEN),
    ("def estimate_state(c, i):\n    while True:\n        pass\n", UNSEEN),
    ("def estimate_state(c, i):\n    return 42\n", "must return a DataFrame"),
])
def test_estimates_hostile_functions(source, expect, ev, ctx):
    """Functions that raise, loop or return junk earn 0 with the reason."""
    verdict = ev["estimates_test"](fn_artifact(source, "estimate_state"), ctx)
    assert verdict.score == 0.0
    assert expect in verdict.message


def test_estimates_not_a_function(ev, ctx):
    """A value instead of a function earns 0 and says to submit the function."""
    assert "submit the function" in ev["estimates_test"]([0.5], ctx).message


def estimate_rule(answers="recent_weighted", penalty="0.05", not_asked="average_of_others",
                  propensity="satisfaction") -> dict:
    """An estimation rule as the editor hands it in (default: the taught rule)."""
    return {"kind": "estimate", "groups": {"estimate": {
        "answers": answers, "complaint_penalty": penalty, "not_asked": not_asked,
        "propensity_from": propensity}}}


def estimate_mark(frame: pd.DataFrame, world) -> float:
    """The estimates rule computed here: mean of min(1, ρ / (0.9 ρ_model)) per measure."""
    latent = world.hidden["latent"].set_index("customer_id")
    ref = U.reference_estimate_state(*pc.analysis_inputs(world)).set_index("customer_id")
    frame = frame.set_index("customer_id")
    credits = []
    for col, true_col in (("satisfaction_est", "satisfaction"), ("propensity_est", "propensity")):
        rho = U._spearman(frame[col], latent[true_col])
        rho_ref = max(U._spearman(ref[col], latent[true_col]), 0.05)
        credits.append(min(1.0, max(0.0, rho / (U.ESTIMATE_TARGET * rho_ref))))
    return sum(credits) / 2


def test_estimate_rule_is_the_model_estimator(world):
    """The taught rule, applied by the grader, gives exactly the model's estimates."""
    mine = pc.estimates_from_rule(estimate_rule(), *pc.analysis_inputs(world))
    pd.testing.assert_frame_equal(mine, U.reference_estimate_state(*pc.analysis_inputs(world)))


def test_estimate_rule_full_partial_wrong_exact(ev, ctx):
    """No code run: taught rule 1; sale rate for propensity its exact mark; unusable rule 0."""
    assert ev["estimates_test"](estimate_rule(), ctx).score == 1.0
    partial = estimate_rule("latest", "0", "middle", "sale_rate")
    hidden = ctx.hidden_world()
    expected = estimate_mark(pc.estimates_from_rule(partial, *pc.analysis_inputs(hidden)),
                             hidden)
    verdict = ev["estimates_test"](partial, ctx)
    assert verdict.score == pytest.approx(expected, abs=1e-4)
    assert 0.0 < verdict.score < 1.0
    broken = estimate_rule(propensity="horoscope")
    verdict = ev["estimates_test"](broken, ctx)
    assert verdict.score == 0.0
    assert "horoscope is not a propensity_from option" in verdict.message


def test_estimate_editor_hands_in_the_rule():
    """The view, driven by its method, hands in the rule it shows, with no problem left."""
    editor = pc.estimate_rule_editor()
    assert editor.problems()
    editor.choose_all(estimate_rule()["groups"])
    assert editor.problems() == []
    assert editor.value == estimate_rule()


# ------------------------------------------------------------------------ call effect
CALL_EFFECT_PRECISION = '''
def call_effect(customers, interactions, today):
    import numpy as np
    import pandas as pd
    since = (pd.Timestamp(today) - pd.Timedelta(days=365)).strftime("%Y-%m-%d")
    w = interactions[interactions["timestamp"] >= since]
    band = w["info_captured"].str.extract(r'"satisfaction": "(low|medium|high)"',
                                          expand=False).map({"low": 0.25, "medium": 0.55,
                                                             "high": 0.85})
    said = w.assign(v=band).dropna(subset=["v"]).sort_values(["customer_id", "timestamp"])
    g = said.groupby("customer_id")
    change = (g["v"].last() - g["v"].first())[g.size() >= 2]
    when = pd.to_datetime(said["timestamp"])
    span = (when.groupby(said["customer_id"]).max()
            - when.groupby(said["customer_id"]).min()).dt.days
    routine = w["purpose"] == "routine"
    rival = w.loc[w["info_captured"].str.contains("competitor"), "customer_id"].unique()
    df = pd.DataFrame({"x": w[routine].groupby("customer_id").size(),
                       "y": change,
                       "o": w[~routine].groupby("customer_id").size(),
                       "s": span}).reindex(change.index).fillna(0.0)
    df["c"] = df.index.isin(rival).astype(float)
    segment = customers.set_index("customer_id")["segment"].reindex(df.index)
    out = {}
    for seg, part in df.groupby(segment):
        # partial correlation from the inverse correlation matrix: -P_xy / sqrt(P_xx P_yy)
        p = np.linalg.pinv(np.corrcoef(part[["x", "y", "o", "s", "c"]].to_numpy().T))
        out[seg] = float(-p[0, 1] / np.sqrt(p[0, 0] * p[1, 1])) if len(part) >= 6 \
            else float("nan")
    return out
'''


def effect_mark(rule: dict, worlds: list) -> float:
    """A measure definition's pooled share of (company, segment) values right."""
    return U.call_effect_score_many([pc.effect_from_tables(rule, *pc.effect_inputs(w))
                                     for w in worlds], worlds)[0]


def test_call_effect_exact_marks(ev, ctx):
    """Taught definition 1 on unseen companies; competitor not held: its exact share; {} 0."""
    worlds = U.unseen_companies(ctx, U.EFFECT_COMPANIES)
    assert ev["call_effect_test"](effect_rule(), ctx).score == 1.0
    partial = effect_rule(rival="ignored")
    verdict = ev["call_effect_test"](partial, ctx)
    assert verdict.score == pytest.approx(effect_mark(partial, worlds), abs=1e-4)
    assert 0.0 < verdict.score < 1.0
    assert "held constant" in verdict.message
    assert ev["call_effect_test"]({}, ctx).score == 0.0


def test_call_effect_other_sound_method_full(ev, ctx):
    """Partial correlation coded another way (inverse correlation matrix): full marks."""
    verdict = ev["call_effect_test"](fn_artifact(CALL_EFFECT_PRECISION, "call_effect"), ctx)
    assert verdict.score >= 0.8, verdict.message


@pytest.mark.parametrize("hostile", [None, 0.3, ["sme", 0.1], {"sme": "high"},
                                     {"kind": "call_effect", "groups": {"measure": {}}}])
def test_call_effect_hostile(hostile, ev, ctx):
    """Values instead of a definition, wrong shapes or an empty definition earn 0, say why."""
    verdict = ev["call_effect_test"](hostile, ctx)
    assert verdict.score == 0.0
    assert verdict.message


@pytest.mark.parametrize("body", ["return 0.3", "return {'sme': 'high'}",
                                  "raise ValueError(str(customers.iloc[0].to_dict()))"])
def test_call_effect_hostile_functions(body, ev, ctx):
    """Junk-returning or raising functions earn 0; nothing of the unseen data is echoed."""
    source = f"def call_effect(customers, interactions, today):\n    {body}\n"
    verdict = ev["call_effect_test"](fn_artifact(source, "call_effect"), ctx)
    assert verdict.score == 0.0
    assert "C0" not in verdict.message


# -------------------------------------------------------------------------- follow-up
FOLLOW_UP_MODEL = '''
def recommend_follow_up(record):
    allowed = {"corporate": ("visit", "phone", "email"),
               "sme": ("visit", "phone", "email", "message"),
               "individual": ("phone", "email", "message", "letter")}[record["segment"]]
    preferred = record["preferred_channel"]
    rich = preferred in allowed and preferred in ("visit", "phone", "message")
    channel = preferred if rich else "phone"
    if record["last_outcome"] == "complaint":
        return {"action": "call", "channel": channel, "purpose": "service",
                "questions": ["satisfaction", "pain_points"]}
    if record["contacts_90d"] >= 4:
        return {"action": "none"}
    if record["dm_consent"]:
        return {"action": "call", "channel": channel, "purpose": "promotion",
                "questions": ["needs", "budget", "timeline"]}
    if record["segment"] != "individual":
        return {"action": "call", "channel": channel, "purpose": "routine",
                "questions": ["needs", "satisfaction"]}
    return {"action": "none"}
'''


def test_follow_up_model_full_and_nothing_zero(ev, ctx):
    """The model policy earns 1 on the hidden world; doing nothing earns 0."""
    verdict = ev["follow_up_test"](fn_artifact(FOLLOW_UP_MODEL, "recommend_follow_up"), ctx)
    assert verdict.score == 1.0, verdict.message
    none = "def recommend_follow_up(record):\n    return {'action': 'none'}\n"
    verdict = ev["follow_up_test"](fn_artifact(none, "recommend_follow_up"), ctx)
    assert verdict.score == 0.0
    assert verdict.evidence["value"] == 0.0


def test_follow_up_unconsented_promotions_are_not_made_and_cost(ev, ctx):
    """Promoting to everyone: unconsented recommendations are refused, named, and cost."""
    source = ("def recommend_follow_up(record):\n    return {'action': 'call', 'channel': "
              "'phone', 'purpose': 'promotion', 'questions': []}\n")
    verdict = ev["follow_up_test"](fn_artifact(source, "recommend_follow_up"), ctx)
    refused = verdict.evidence["unusable"]
    assert refused > 0
    assert verdict.score <= 1 - refused / verdict.evidence["records"] + 1e-9
    assert "consent" in verdict.message


@pytest.mark.parametrize("source,expect", [
    ("def recommend_follow_up(r):\n    raise ValueError('no')\n", "raised an error"),
    ("def recommend_follow_up(r):\n    while True:\n        pass\n", "could not be run"),
    ("def recommend_follow_up(r):\n    return 'call'\n", "not usable"),
    ("def recommend_follow_up(r)\n    return 1\n", "could not be run"),
])
def test_follow_up_hostile_functions(source, expect, ev, ctx):
    """Raising, looping, junk-returning or broken functions earn 0 with the reason."""
    verdict = ev["follow_up_test"](fn_artifact(source, "recommend_follow_up"), ctx)
    assert verdict.score == 0.0
    assert expect in verdict.message


def fu_call(purpose: str, questions: list, channel: str = "preferred") -> dict:
    """One situation's decision: a call."""
    return {"action": "call", "purpose": purpose, "channel": channel, "questions": questions}


def follow_up_rules(**changes) -> dict:
    """Follow-up rules as the editor hands them in (default: the taught rules)."""
    groups = {"complained": fu_call("service", ["satisfaction", "pain_points"]),
              "contacted_often": {"action": "none"},
              "consented": fu_call("promotion", ["needs", "budget", "timeline"]),
              "business_no_consent": fu_call("routine", ["needs", "satisfaction"]),
              "everyone_else": {"action": "none"}}
    return {"kind": "follow_up", "groups": {**groups, **changes}}


def follow_up_mark(rule: dict, c: EvalContext) -> float:
    """The follow-up rule computed here: value over the blanket call, × usable share.

    credit = clip((value − blanket) / (0.8 × (model − blanket))), every value from calls
    kept within the segments' follow-up hours.
    """
    from crm_sim.mechanism import mechanism_for

    world = c.hidden_world()
    channels = {s: r.channels for s, r in mechanism_for(world).segments.items()}
    records = pc.customer_records(world)
    recs = [pc.follow_up_from_rule(rule, r, channels) for r in records]
    _, problems = pc.follow_up_plan(world, records, recs)
    value = U.policy_value(world, records, recs)
    ref_value = U.policy_value(world, records, [U.reference_follow_up(r) for r in records])
    floor = U.blanket_value(world, records)
    if ref_value - floor > 0.02 * ref_value:
        credit = min(1.0, max(0.0, (value - floor) / (U.FOLLOW_UP_TARGET * (ref_value - floor))))
    else:        # a company where calling everyone earns as much: value / (0.8 × model)
        credit = min(1.0, max(0.0, value / (U.FOLLOW_UP_TARGET * ref_value)))
    return credit * (1.0 - sum(len(v) for v in problems.values()) / len(records))


def test_follow_up_taught_rules_are_the_model_policy(world):
    """The taught rules recommend exactly what the model policy does, customer by customer."""
    from crm_sim.mechanism import mechanism_for

    channels = {s: r.channels for s, r in mechanism_for(world).segments.items()}
    for record in pc.customer_records(world):
        assert pc.follow_up_from_rule(follow_up_rules(), record, channels) == \
            U.reference_follow_up(record)


def test_follow_up_rules_full_partial_wrong_exact(ev, ctx, follow_up_contexts):
    """No code run: taught rules 1; no business calls its exact mark; promotions to all low."""
    assert ev["follow_up_test"](follow_up_rules(), ctx).score == 1.0
    partial = follow_up_rules(business_no_consent={"action": "none"})
    unit_size = follow_up_contexts[0]        # a company where the blanket floor applies
    verdict = ev["follow_up_test"](partial, unit_size)
    assert verdict.score == pytest.approx(follow_up_mark(partial, unit_size), abs=1e-4)
    assert 0.0 < verdict.score < 1.0
    everyone = {g: fu_call("promotion", ["needs"], "phone") for g in pc.FOLLOW_UP_SITUATIONS}
    wrong = {"kind": "follow_up", "groups": everyone}
    verdict = ev["follow_up_test"](wrong, ctx)
    assert verdict.score == pytest.approx(follow_up_mark(wrong, ctx), abs=1e-4)
    assert verdict.score < 0.5
    assert "promotion needs consent" in verdict.message


def test_follow_up_unusable_rules_score_zero_in_words(ev, ctx):
    """Rules missing a situation or over the question limit earn 0 and say why."""
    rules = follow_up_rules()
    del rules["groups"]["everyone_else"]
    assert "nothing is chosen for everyone_else" in ev["follow_up_test"](rules, ctx).message
    six = follow_up_rules(consented=fu_call("promotion", ["needs", "budget", "timeline",
                                                          "satisfaction", "pain_points",
                                                          "competitor_use"]))
    verdict = ev["follow_up_test"](six, ctx)
    assert verdict.score == 0.0 and "the most is 5" in verdict.message


def test_follow_up_editor_hands_in_the_rules():
    """The view, driven by its method, hands in the taught rules; 'none' needs no more."""
    editor = pc.follow_up_rule_editor()
    editor.choose_all({g: dict(d) for g, d in follow_up_rules()["groups"].items()})
    assert editor.problems() == []
    value = editor.value
    assert value["groups"]["consented"] == follow_up_rules()["groups"]["consented"]
    assert value["groups"]["contacted_often"]["action"] == "none"


# -------------------------------------------------------------------------- the unit
def test_every_graded_cell_has_an_evaluator_and_variants_name_solution_cells():
    """unit.toml's autograded cells all have evaluators; variants replace solution cells."""
    from autograders.unitspec import check_unit, notebook_cells

    report = check_unit(UNIT_DIR)
    assert report.ok, report.holes
    cells, _ = notebook_cells(UNIT_DIR)
    for variant in U.VARIANTS.values():
        for gid in variant:
            assert cells[gid].solution, gid


# ------------------------------------------------------------------------ end to end
@pytest.mark.slow
def test_notebooks_graded_end_to_end(tmp_path):
    """Full, partial and wrong variants through grade_notebook: per-AC outcome as designed."""
    from unit_grading import criterion_fractions

    from autograders.unitspec import load_unit_spec

    spec = load_unit_spec(UNIT_DIR)
    outcome = criterion_fractions("ITCSCR304A", UNIT_DIR, NOTEBOOKS, U.VARIANTS, tmp_path,
                                  secret="s3cret-304a")
    manual = spec.criteria["AC-iii"].cells["conduct_written"] / spec.criteria[
        "AC-iii"].max_points
    # full: every autograded cell right; the written answer waits for the instructor
    assert outcome["full"]["AC-i"] == pytest.approx(1.0)
    assert outcome["full"]["AC-ii"] == pytest.approx(1.0)
    assert outcome["full"]["AC-iii"] == pytest.approx(1.0 - manual)
    assert outcome["full"]["AC-iii"] >= spec.criteria["AC-iii"].threshold
    # partial: not yet competent on AC-i and AC-ii, but clearly above wrong
    for cid in ("AC-i", "AC-ii"):
        assert outcome["wrong"][cid] < outcome["partial"][cid] < spec.criteria[cid].threshold
    for cid in spec.criteria:
        assert outcome["wrong"][cid] < 0.2


def test_prospects_model_list_full_where_a_segment_has_little_to_choose():
    """A company whose corporate segment has 17 consented customers: the model list scores 1."""
    from autograders.checks.context import hidden_seed
    from crm_sim.trainee import UNIT_SCENARIOS

    seed = hidden_seed("s3cret-304a", "e2e-full", "ITCSCR304A")
    w = World.build(UNIT_SCENARIOS["ITCSCR304A"].replace(seed=seed))
    consented = w.customers[w.customers["dm_consent"]].groupby("segment").size()
    assert consented["corporate"] < 2 * pc.PROSPECTS_PER_SEGMENT
    assert U.prospects_score(U.reference_prospects(w), w)[0] == 1.0


# ------------------------------------------- 20 unseen companies: prospects (reliability)
@pytest.fixture(scope="module")
def prospect_trials() -> list[list[World]]:
    """Twenty gradings, each on five unseen companies of the unit's real size, built once."""
    from crm_sim.trainee import UNIT_SCENARIOS

    base = UNIT_SCENARIOS["ITCSCR304A"]
    return [[World.build(base.replace(seed=9100 + 5 * i + j)) for j in range(5)]
            for i in range(N_UNSEEN)]


def test_prospects_taught_scorecard_full_on_19_of_20(prospect_trials):
    """The taught scorecard (said satisfaction, value in segment, consent) earns 1 on >= 19."""
    scores = [rule_score(TAUGHT_SCORECARD, ws) for ws in prospect_trials]
    assert sum(s == 1.0 for s in scores) >= 19, scores


def test_prospects_rfm_scorecard_at_least_80_percent(prospect_trials):
    """A sound method other than the taught one (recency, frequency, value) earns >= 0.8."""
    scores = [rule_score(RFM_SCORECARD, ws) for ws in prospect_trials]
    assert sum(s >= 0.8 for s in scores) >= 19, scores


def test_prospects_random_picks_at_most_a_quarter(prospect_trials):
    """Fifteen random consented customers per segment earn <= 0.25 on >= 19 of 20."""
    import numpy as np

    rng = np.random.default_rng(7)
    scores = []
    for ws in prospect_trials:
        picks = []
        for w in ws:
            c = w.customers[w.customers["dm_consent"].astype(bool)]
            picks.append({s: rng.permutation(g["customer_id"].to_numpy())[:15].tolist()
                          for s, g in c.groupby("segment")})
        scores.append(U.prospects_score_many(picks, ws)[0])
    assert sum(s <= 0.25 for s in scores) >= 19, scores


# ------------------------------------------- 20 unseen companies: assignment (reliability)
@pytest.fixture(scope="module")
def assign_worlds() -> list[World]:
    """Twenty companies of the unit's real size (the grader judges the trainee's own)."""
    from crm_sim.trainee import UNIT_SCENARIOS

    base = UNIT_SCENARIOS["ITCSCR304A"]
    return [World.build(base.replace(seed=9300 + i)) for i in range(N_UNSEEN)]


def assign_context(world) -> EvalContext:
    """A grading context whose trainee world is `world`."""
    c = EvalContext(unit="ITCSCR304A", trainee_id="t-rel", trainee_seed=1, hidden_seed=2)
    c._cache["trainee"] = world
    return c


def test_assignment_taught_planner_full_on_19_of_20(ev, assign_worlds):
    """Best callers first per segment, then fill: full marks on >= 19 of 20 companies."""
    scores = [ev["assign_people_test"](to_plain(planner_for(w).value), assign_context(w)).score
              for w in assign_worlds]
    assert sum(s == 1.0 for s in scores) >= 19, scores


def test_assignment_equal_weight_skills_at_least_80_percent(ev, assign_worlds):
    """A sound alternative (skill, product knowledge, soft skill weighed equally) earns >= 0.8."""
    scores = []
    for w in assign_worlds:
        staff = w.staff.set_index("staff_id")
        plain = staff[["skill", "product_knowledge", "soft_skill"]].mean(axis=1)

        def equal_weights(planner, group, plain=plain):
            value = {a: float(plain[a]) if a in plain.index
                     else float(planner.agents.at[a, "quality"]) for a in planner.qualified[group]}
            return sorted(value, key=lambda a: (-value[a], a))

        planner = planner_for(w, equal_weights)
        scores.append(ev["assign_people_test"](to_plain(planner.value), assign_context(w)).score)
    assert sum(s >= 0.8 for s in scores) >= 19, scores


def test_assignment_random_qualified_callers_at_most_a_quarter(ev, assign_worlds):
    """Qualified callers picked at random (the right shape, no thought for value) <= 0.25."""
    import numpy as np

    rng = np.random.default_rng(11)
    scores = []
    for w in assign_worlds:
        task = pc.assignment_task(w)
        qualified = pc.qualified_callers(w)
        picks = [rng.choice(qualified[s]) for s in task["segment"]]
        scores.append(ev["assign_people_test"](to_plain(task.assign(assignee=picks)),
                                               assign_context(w)).score)
    assert sum(s <= 0.25 for s in scores) >= 19, scores


# -------------------------------------- 20 unseen companies: discovery calls (reliability)
@pytest.fixture(scope="module")
def discovery_contexts() -> list[EvalContext]:
    """Twenty grading contexts whose hidden company is of the unit's real size."""
    from crm_sim.trainee import UNIT_SCENARIOS

    base = UNIT_SCENARIOS["ITCSCR304A"]
    out = []
    for i in range(N_UNSEEN):
        c = EvalContext(unit="ITCSCR304A", trainee_id="t-rel", trainee_seed=1, hidden_seed=2)
        c._cache["hidden"] = World.build(base.replace(seed=9500 + i))
        out.append(c)
    return out


def discovery_scores(rule: dict, contexts: list[EvalContext]) -> list[float]:
    """The rule's scripted-calls mark on each context's hidden company (no sandbox needed)."""
    return [U.scripted_calls_score(
        pc.discovery_calls_from_rule(rule, *pc.discovery_inputs(c.hidden_world())), c,
        "hidden")[0] for c in contexts]


def test_discovery_taught_rule_full_on_19_of_20(discovery_contexts):
    """Visits for businesses, preferred conversation for individuals, warm callers: 1 on >= 19."""
    scores = discovery_scores(discovery_rule(), discovery_contexts)
    assert sum(s == 1.0 for s in scores) >= 19, scores


def test_discovery_other_sound_rule_at_least_80_percent(discovery_contexts):
    """Visits and phone, best-quality callers, pain points instead of the decision maker: >= 0.8."""
    questions = ["needs", "budget", "timeline", "pain_points", "satisfaction"]
    rule = discovery_rule(individual="phone", caller="best", business=questions,
                          private=questions)
    scores = discovery_scores(rule, discovery_contexts)
    assert sum(s >= 0.8 for s in scores) >= 19, scores


def test_discovery_naive_rule_at_most_a_quarter(discovery_contexts):
    """E-mail to everyone asking only about needs (right shape, no thought): <= 0.25."""
    rule = discovery_rule("email", "email", "email", business=["needs"], private=["needs"])
    scores = discovery_scores(rule, discovery_contexts)
    assert sum(s <= 0.25 for s in scores) >= 19, scores


# ---------------------------------------------- 20 unseen companies: estimates (reliability)
@pytest.fixture(scope="module")
def estimate_worlds() -> list[World]:
    """Twenty hidden companies of the unit's real size."""
    from crm_sim.trainee import UNIT_SCENARIOS

    base = UNIT_SCENARIOS["ITCSCR304A"]
    return [World.build(base.replace(seed=9700 + i)) for i in range(N_UNSEEN)]


def estimate_scores(rule: dict, worlds: list[World]) -> list[float]:
    """The rule's estimates mark on each company (as the evaluator computes it)."""
    return [estimate_mark(pc.estimates_from_rule(rule, *pc.analysis_inputs(w)), w)
            for w in worlds]


def test_estimates_taught_rule_full_on_19_of_20(estimate_worlds):
    """Recent answers weighted, complaints counted, propensity from satisfaction: 1 on >= 19."""
    scores = estimate_scores(estimate_rule(), estimate_worlds)
    assert sum(s == 1.0 for s in scores) >= 19, scores


def test_estimates_plain_average_rule_at_least_80_percent(estimate_worlds):
    """A sound alternative (the plain average of answers, 0.1 per complaint) earns >= 0.8."""
    scores = estimate_scores(estimate_rule("average", "0.1", "middle"), estimate_worlds)
    assert sum(s >= 0.8 for s in scores) >= 19, scores


def test_estimates_random_numbers_at_most_a_quarter(estimate_worlds):
    """Random estimates of the right shape earn <= 0.25 on >= 19 of 20 companies."""
    import numpy as np

    rng = np.random.default_rng(5)
    scores = []
    for w in estimate_worlds:
        ids = w.customers["customer_id"]
        frame = pd.DataFrame({"customer_id": ids, "satisfaction_est": rng.random(len(ids)),
                              "propensity_est": rng.random(len(ids))})
        scores.append(estimate_mark(frame, w))
    assert sum(s <= 0.25 for s in scores) >= 19, scores


# --------------------------------------------- 20 unseen companies: follow-up (reliability)
@pytest.fixture(scope="module")
def follow_up_contexts() -> list[EvalContext]:
    """Twenty grading contexts whose hidden company is of the unit's real size."""
    from crm_sim.trainee import UNIT_SCENARIOS

    base = UNIT_SCENARIOS["ITCSCR304A"]
    out = []
    for i in range(N_UNSEEN):
        c = EvalContext(unit="ITCSCR304A", trainee_id="t-rel", trainee_seed=1, hidden_seed=2)
        c._cache["hidden"] = World.build(base.replace(seed=9900 + i))
        out.append(c)
    return out


def test_follow_up_taught_rules_full_on_19_of_20(follow_up_contexts):
    """Serve complaints, rest the tired, promote with consent, keep business warm: 1 on >= 19."""
    scores = [follow_up_mark(follow_up_rules(), c) for c in follow_up_contexts]
    assert sum(s == 1.0 for s in scores) >= 19, scores


def test_follow_up_other_sound_rules_at_least_80_percent(follow_up_contexts):
    """The same policy with other questions (timeline and satisfaction, pain points) >= 0.8."""
    rules = follow_up_rules(
        complained=fu_call("service", ["satisfaction"]),
        consented=fu_call("promotion", ["needs", "timeline", "satisfaction"]),
        business_no_consent=fu_call("routine", ["needs", "pain_points"]))
    scores = [follow_up_mark(rules, c) for c in follow_up_contexts]
    assert sum(s >= 0.8 for s in scores) >= 19, scores


@pytest.mark.parametrize("channel,questions", [("phone", ["needs"]), ("preferred", ["timeline"]),
                                               ("preferred", ["needs", "satisfaction"])])
def test_follow_up_naive_routine_call_to_all_at_most_a_quarter(channel, questions,
                                                               follow_up_contexts):
    """A routine call to every customer (right shape, no thought): <= 0.25 on >= 18 of 20.

    The phone call about needs is the blanket floor itself (0 everywhere); a call with no
    questions on the preferred channel lands just above the floor in two companies where
    the blanket call earns nearly what the model does (0.52 and 1.0 there).
    """
    rules = {"kind": "follow_up", "groups": {g: fu_call("routine", questions, channel)
                                             for g in pc.FOLLOW_UP_SITUATIONS}}
    assert not pc.follow_up_rule_problems(rules)
    scores = [follow_up_mark(rules, c) for c in follow_up_contexts]
    assert sum(s <= 0.25 for s in scores) >= 19, scores


def test_follow_up_model_beats_the_blanket_call_on_19_of_20(follow_up_contexts):
    """On >= 19 of 20 unit-size companies the model adds > 2% over the blanket call."""
    gains = []
    for c in follow_up_contexts:
        world = c.hidden_world()
        records = pc.customer_records(world)
        ref_value = U.policy_value(world, records, [U.reference_follow_up(r) for r in records])
        gains.append((ref_value - U.blanket_value(world, records)) / ref_value)
    assert sum(g > 0.02 for g in gains) >= 19, gains


def test_follow_up_calls_beyond_the_follow_up_hours_are_not_made(ev, follow_up_contexts):
    """Visiting every SME with five questions overruns its hours: not made, named, costs."""
    c = follow_up_contexts[0]
    world = c.hidden_world()
    records = pc.customer_records(world)
    visit = {"action": "call", "channel": "visit", "purpose": "routine",
             "questions": ["needs", "budget", "timeline", "satisfaction", "pain_points"]}
    recs = [visit if r["segment"] == "sme" else {"action": "none"} for r in records]
    plan, _ = pc.follow_up_plan(world, records, recs)
    kept, over = pc.within_capacity(plan, world)
    assert list(over) == ["sme"] and len(kept) < len(plan)
    assert over["sme"]["calls_not_made"] == len(plan) - len(kept)
    assert over["sme"]["needed_hours"] == round(len(plan) * (75 + 2 * 5) / 60, 1)
    assert over["sme"]["available_hours"] == round(pc.follow_up_capacity(world)["sme"] / 60, 1)
    line = pc.capacity_lines(over)[0]
    assert "sme follow-up calls need" in line and "over by" in line
    assert f"{over['sme']['calls_not_made']} calls cannot be made" in line
    source = ("def recommend_follow_up(record):\n    if record['segment'] != 'sme':\n"
              "        return {'action': 'none'}\n    return " + repr(visit) + "\n")
    verdict = ev["follow_up_test"](fn_artifact(source, "recommend_follow_up"), c)
    assert "sme follow-up calls need" in verdict.message
    assert verdict.evidence["over_capacity"]["sme"] == over["sme"]


# --------------------------------------------- 20 unseen companies: checklist (reliability)
def test_checklist_taught_choice_full_and_legal_minimum_zero_on_20(unseen_worlds):
    """Worth-it items + consent check: 1 on >= 19; the consent check alone: 0 on >= 19."""
    taught = [checklist_mark(taught_checklist(w), w) for w in unseen_worlds]
    minimum = [checklist_mark({k: k == "consent_check" for k in ITEMS}, w)
               for w in unseen_worlds]
    assert sum(s == 1.0 for s in taught) >= 19, taught
    assert sum(s <= 0.25 for s in minimum) >= 19, minimum


def test_checklist_economics_differ_between_companies(unseen_worlds):
    """Which items pay for themselves changes with the company (no fixed answer to copy)."""
    choices = {tuple(taught_checklist(w).values()) for w in unseen_worlds}
    assert len(choices) >= 2


# ---------------------------------------------- referrals: no-code picker and reliability
def greedy_with_picker(world) -> list[str]:
    """The no-code solution: five times, pick the top of the picker's 'new prospects' table."""
    from crm_sim.ui.coverage_picker import CoveragePicker

    picker = CoveragePicker(pc.reach_by_customer(U._graph(world)), limit=5)
    for _ in range(5):
        picker.pick(picker.ranking()["candidate"][0])
    return picker.value


def referral_mark(champions: list[str], world) -> float:
    """The referral rule computed here: clip((reach − blind) / (0.9 (greedy − blind)))."""
    graph = U._graph(world)
    best = max(U._reach(graph, U.reference_champions(graph)), 1)
    blind = min(U.blind_reach(graph), best - 1)
    return min(1.0, max(0.0, (U._reach(graph, champions) - blind) / (0.9 * (best - blind))))


def test_referral_picker_full_partial_wrong_exact(ev, ctx, world):
    """Picker greedy 1; the five best-connected their exact reach share; nobody 0."""
    assert ev["referral_test"](greedy_with_picker(world), ctx).score == 1.0
    reach = pc.reach_by_customer(U._graph(world))
    connected = sorted(reach, key=lambda c: (-len(reach[c]), c))[:5]
    verdict = ev["referral_test"](connected, ctx)
    assert verdict.score == pytest.approx(referral_mark(connected, world), abs=1e-4)
    assert ev["referral_test"]([], ctx).score == 0.0


def test_referrals_reliable_on_20_unseen_companies(unseen_worlds):
    """Greedy picker 1 on >= 19; best-connected without big overlaps >= 0.8; random <= 0.25.

    The other sound method: go down the best-connected list, skipping anyone who shares
    more than half their prospects with those already picked (the plain top five, which
    the notebook warns double-counts, falls under 0.8 on 2 of 20 companies).
    """
    import numpy as np

    rng = np.random.default_rng(13)
    greedy, connected, random = [], [], []
    for w in unseen_worlds:
        reach = pc.reach_by_customer(U._graph(w))
        greedy.append(referral_mark(greedy_with_picker(w), w))
        top: list[str] = []
        for c in sorted(reach, key=lambda c: (-len(reach[c]), c)):
            seen = set().union(*(reach[t] for t in top)) if top else set()
            if len(reach[c] & seen) <= len(reach[c]) / 2:
                top.append(c)
            if len(top) == 5:
                break
        connected.append(referral_mark(top, w))
        ids = w.customers["customer_id"].to_numpy()
        random.append(referral_mark(rng.choice(ids, 5, replace=False).tolist(), w))
    assert sum(s == 1.0 for s in greedy) >= 19, greedy
    assert sum(s >= 0.8 for s in connected) >= 19, connected
    assert sum(s <= 0.25 for s in random) >= 19, random


# ----------------------------------------------------- segment summary: no-code builder
def built_summary(world, contacted_days: int = 90, with_contacts: bool = True):
    """The summary builder driven as the no-code solution does (optionally a wrong window)."""
    view = pc.summary_builder(world)
    view.group_by("segment")
    view.add_measure("customers", "customer_id", "count")
    view.add_measure("consented_share", "dm_consent", "share_true")
    view.add_measure("mean_value", "lifetime_value", "mean")
    if with_contacts:
        view.add_measure("contacted_90d_share", "days_since_last_contact", "share_at_most",
                         contacted_days)
    return view.value


def test_segment_summary_builder_full_partial_wrong_exact(ev, ctx, world):
    """Builder: the four measures 1; a 30-day window 9/12; contacts left out 9/12; nothing 0."""
    assert ev["segment_summary_test"](to_plain(pc.with_index(built_summary(world))),
                                      ctx).score == 1.0
    short = ev["segment_summary_test"](to_plain(pc.with_index(built_summary(world, 30))), ctx)
    assert short.score == pytest.approx(0.75, abs=1e-4)
    assert "contacted_90d_share" in short.message
    three = built_summary(world, with_contacts=False)
    assert ev["segment_summary_test"](to_plain(pc.with_index(three)), ctx).score == \
        pytest.approx(0.75, abs=1e-4)
    assert ev["segment_summary_test"](to_plain(pd.DataFrame()), ctx).score == 0.0


def test_segment_summary_builder_full_on_20_companies(unseen_worlds):
    """The builder's four measures equal the definition on every one of 20 companies."""
    for w in unseen_worlds:
        truth = U.segment_summary_truth(w)
        got = built_summary(w)[list(truth.columns)]
        pd.testing.assert_frame_equal(got, truth, check_dtype=False)


# ------------------------------------------------------ call report: no-code call sheet
def sheet_report(world, call_list, text=None, days: int = 3) -> pd.DataFrame:
    """The call sheet filled as the no-code solution does (or with one text for all)."""
    summary = run_plan(world.copy(), call_list)
    sheet = pc.call_report_sheet(summary)
    sheet.fill_all({row.customer_id: {
        "follow_up": text or FOLLOW_UP_BY_OUTCOME[row.outcome],
        "follow_up_date": (pd.Timestamp(row.called_on) + pd.Timedelta(days=days))
        .strftime("%Y-%m-%d")} for row in sheet.rows.itertuples()})
    assert (text is not None or days > 7) or sheet.problems() == {}
    return sheet.value


def test_call_sheet_full_partial_wrong_exact(ev, ctx, world):
    """Sheet: real next steps 1; 'call again next quarter' everywhere 0; dates too late 0."""
    ref = U.reference_call_list(world)
    full = ev["call_records_test"]({"report": to_plain(sheet_report(world, ref)),
                                    "call_list": ref}, ctx)
    assert full.score == 1.0, full.message
    late = sheet_report(world, ref, days=20)
    verdict = ev["call_records_test"]({"report": to_plain(late), "call_list": ref}, ctx)
    assert verdict.score == 0.0
    far = sheet_report(world, ref, text="call again next quarter")
    verdict = ev["call_records_test"]({"report": to_plain(far), "call_list": ref}, ctx)
    assert verdict.score == 0.0 and "14-day rule" in verdict.message


# ------------------------------------------------------------ budget: no-code budget rule
def test_budget_taught_rule_is_the_model_budget(world):
    """The taught rule splits exactly as the model function (stated channels, best first)."""
    inputs = pc.budget_inputs(world)
    mine = pc.budget_from_rule(TAUGHT_BUDGET_RULE, *inputs)
    model = defined(BUDGET_MODEL, "plan_budget")(*inputs)
    assert mine["training"] == pytest.approx(model["training"], abs=1.0)
    for seg, row in model.items():
        if seg != "training":
            for ch, hkd in row.items():
                assert mine[seg][ch] == pytest.approx(hkd, abs=1.0)


def test_budget_editor_hands_in_the_taught_rule(world):
    """The view, driven by its method, hands in the taught rule; the lines table is shown."""
    editor = pc.budget_rule_editor(world)
    editor.choose_all({g: dict(d) for g, d in TAUGHT_BUDGET_RULE["groups"].items()})
    assert editor.problems() == []
    assert editor.value == TAUGHT_BUDGET_RULE
    lines = pc.budget_lines(*pc.budget_inputs(world))
    assert {"value_at_stake", "saturation", "first_1000_brings"} <= set(lines.columns)
    assert lines["segment"].iloc[-1] == "training"


def test_budget_rule_full_partial_wrong_exact(ev, ctx):
    """No code run: taught 1; no training its exact mark; fixed shares 0; unusable 0."""
    hidden = ctx.hidden_world()
    assert ev["budget_test"](TAUGHT_BUDGET_RULE, ctx).score == 1.0
    partial = budget_rule(spend="in_proportion")
    expected = U.budget_score(pc.budget_from_rule(partial, *pc.budget_inputs(hidden)), hidden)[0]
    verdict = ev["budget_test"](partial, ctx)
    assert verdict.score == pytest.approx(expected, abs=1e-4)
    assert 0.0 < verdict.score < 1.0
    assert ev["budget_test"](U.FIXED_SHARES_RULE, ctx).score == 0.0
    broken = {"kind": "budget", "groups": {"budget": {"reach": "stated_preference"}}}
    verdict = ev["budget_test"](broken, ctx)
    assert verdict.score == 0.0 and "cannot be used" in verdict.message


def test_budget_rules_reliable_on_20_unseen_companies(unseen_worlds):
    """Taught 1 on >= 19; answered-contacts reach >= 0.8 on >= 19; fixed shares <= 0.25."""
    def scores(rule):
        return [U.budget_score(pc.budget_from_rule(rule, *pc.budget_inputs(w)), w)[0]
                for w in unseen_worlds]

    taught, answered = scores(TAUGHT_BUDGET_RULE), scores(budget_rule(reach="answered_contacts"))
    fixed, even = scores(U.FIXED_SHARES_RULE), scores(budget_rule(reach="even", value="equal",
                                                                  spend="in_proportion",
                                                                  training="none"))
    assert sum(s == 1.0 for s in taught) >= 19, taught
    assert sum(s >= 0.8 for s in answered) >= 19, answered
    assert sum(s <= 0.25 for s in fixed) >= 19, fixed
    assert sum(s <= 0.25 for s in even) >= 19, even


# ------------------------------------------------------------ plan: no-code plan rule
def plan_rule(who=("everyone", "top_value_and_prospects", "top_value_and_prospects"),
              promote=("prospects",) * 3) -> dict:
    """A plan rule as the editor hands it in (default: the taught rule)."""
    channels = ("phone", "preferred", "preferred")
    return {"kind": "call_plan", "groups": {
        seg: {"who": w, "channel": c, "promotion_for": p, "questions": ["needs", "satisfaction"]}
        for seg, w, c, p in zip(("corporate", "sme", "individual"), who, channels, promote,
                                strict=True)}}


def test_plan_rule_full_partial_wrong_exact(ev, ctx, world):
    """Taught rule 1; corporates only in the top 40 its exact mark; promotions to all <= 0.4."""
    prospects = U.reference_prospects(world)
    full = pc.plan_from_rule(plan_rule(), world, prospects)
    assert ev["plan_calls_test"](to_plain(full), ctx).score == 1.0
    partial = pc.plan_from_rule(plan_rule(who=("top_value_only", "top_value_and_prospects",
                                               "top_value_and_prospects")), world, prospects)
    verdict = ev["plan_calls_test"](to_plain(partial), ctx)
    assert verdict.score == pytest.approx(U.plan_score(partial, world)[0], abs=1e-4)
    assert verdict.score < 1.0
    wrong = pc.plan_from_rule(plan_rule(promote=("everyone_called",) * 3), world, prospects)
    verdict = ev["plan_calls_test"](to_plain(wrong), ctx)
    assert verdict.score <= 0.4 + 1e-9
    assert "consent" in verdict.message


def test_plan_rule_editor_refuses_a_channel_the_segment_may_not_use(world):
    """The editor names a banned channel in words; the builder then makes no plan."""
    editor = pc.plan_rule_editor(world)
    editor.choose_all({g: dict(d) for g, d in plan_rule()["groups"].items()})
    assert editor.problems() == []
    editor.choose("individual", "channel", "visit")
    assert any("visit is not allowed" in p for p in editor.problems())
    assert pc.plan_from_rule(editor.value, world, {}) is None


def test_plan_rule_reliable_on_20_unseen_companies(unseen_worlds):
    """Taught rule 1 on >= 19; promotions to everyone called always lose, mostly down to 0.4.

    The compliance part falls by 0.05 per unconsented promotion, so where few of the
    targets lack consent the loss is smaller (0.43-0.7 on 6 of 20 companies); the gate the
    law workstream adds for any promotion without consent decides the criterion there.
    """
    taught, promo = [], []
    for w in unseen_worlds:
        prospects = U.reference_prospects(w)
        taught.append(U.plan_score(pc.plan_from_rule(plan_rule(), w, prospects), w)[0])
        promo.append(U.plan_score(pc.plan_from_rule(plan_rule(promote=("everyone_called",) * 3),
                                                    w, prospects), w)[0])
    assert sum(s == 1.0 for s in taught) >= 19, taught
    assert all(p < t for p, t in zip(promo, taught, strict=True)), promo
    assert sum(s <= 0.4 + 1e-9 for s in promo) >= 14, promo


def test_plan_rule_calling_everyone_at_most_a_quarter_on_20(unseen_worlds):
    """Everyone called (right shape, no choice): beyond the hours and budget, <= 0.25 on >= 19."""
    scores = [U.plan_score(pc.plan_from_rule(plan_rule(who=("everyone",) * 3), w,
                                             U.reference_prospects(w)), w)[0]
              for w in unseen_worlds]
    assert sum(s <= 0.25 for s in scores) >= 19, scores


def test_plan_rule_other_sound_plan_at_least_80_percent_on_20(unseen_worlds):
    """Phone for every segment and only the top 40 outside corporates: >= 0.8 on >= 19."""
    rule = plan_rule(who=("everyone", "top_value_only", "top_value_only"))
    for group in rule["groups"].values():
        group["channel"] = "phone"
    scores = [U.plan_score(pc.plan_from_rule(rule, w, U.reference_prospects(w)), w)[0]
              for w in unseen_worlds]
    assert sum(s >= 0.8 for s in scores) >= 19, scores


# ---------------------------------------------------- call effect: no-code measure definition
def effect_rule(window="365", counted="routine", change="last_minus_first", answers="2",
                other="held_constant", span="held_constant", rival="held_constant") -> dict:
    """A measure definition as the editor hands it in (default: the taught one)."""
    return {"kind": "call_effect", "groups": {"measure": {
        "window_days": window, "calls_counted": counted, "change": change,
        "min_answers": answers, "other_contacts": other, "answer_span": span,
        "competitor_mentioned": rival}}}


def test_effect_rule_on_the_trainee_world_is_the_truth(world):
    """The taught definition gives the defined adjusted r per segment of the trainee world."""
    mine, truth = pc.effect_from(effect_rule(), world), U.call_effect_truth(world)
    for seg, r in truth.items():
        assert (math.isnan(r) and math.isnan(mine[seg])) or mine[seg] == pytest.approx(r)
    assert pc.effect_from(effect_rule(window="7"), world) != truth


def test_effect_editor_hands_in_the_definition():
    """The view, driven by its method, hands in the taught definition."""
    editor = pc.effect_rule_editor()
    editor.choose_all({g: dict(d) for g, d in effect_rule()["groups"].items()})
    assert editor.problems() == []
    assert editor.value == effect_rule()


@pytest.fixture(scope="module")
def effect_contexts() -> list[EvalContext]:
    """Twenty grading contexts with small hidden companies (their sisters built on demand)."""
    out = []
    for i in range(N_UNSEEN):
        c = EvalContext(unit="ITCSCR304A", trainee_id="t-eff", trainee_seed=1, hidden_seed=2)
        c._cache["hidden"] = World.build(Scenario(seed=9100 + i, n_customers=300, n_staff=12))
        out.append(c)
    return out


def test_effect_rules_reliable_on_20_unseen_companies(ev, effect_contexts):
    """Taught 1 on 20; the raw r (nothing held constant) <= 0.25 on >= 19; one control off < 1."""
    def scores(rule):
        return [ev["call_effect_test"](rule, c).score for c in effect_contexts]

    taught, raw = scores(effect_rule()), scores(effect_rule(other="ignored", span="ignored",
                                                            rival="ignored"))
    assert sum(s == 1.0 for s in taught) >= 19, taught
    assert sum(s <= 0.25 for s in raw) >= 19, raw
    no_span = scores(effect_rule(span="ignored"))
    assert sum(s < 1.0 for s in no_span) >= 19, no_span


def test_effect_definition_equals_the_truth_on_20_companies(unseen_worlds):
    """The taught definition gives the defined r per segment on every one of 20 companies."""
    for w in unseen_worlds:
        mine, truth = pc.effect_from(effect_rule(), w), U.call_effect_truth(w)
        for seg, r in truth.items():
            assert (math.isnan(r) and math.isnan(mine[seg])) or mine[seg] == pytest.approx(r)