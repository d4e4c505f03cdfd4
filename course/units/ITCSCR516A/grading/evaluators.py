"""Evaluators, answer keys, rubrics and cohort variants of unit ITCSCR516A.

One evaluator per graded test cell of ``course/units/ITCSCR516A``. Scores are fixed
fractions (tiers) so tests can assert exact marks and an assessor can read why from the
evidence. Messages say what to fix; they never print keys or the unseen company's
figures (those are evidence for the assessor).

The service standards, the programme portfolio, the growth plan and the uplift method
are decisions as data: the evaluator runs them itself on the **unseen** company (hidden
seed) for twelve simulated months (`crm_sim.programme_sim.simulate`) against that
company's own routine, and scores perception, new customers, loyalty and
cost-effectiveness there; the uplift method is applied to the unseen company's A/B test
and compared with the true effect. Each company draws its own response to every
programme (`crm_sim.programmes.draw_programme_response`), so a portfolio tuned on one
company's truth carries no guarantee to another. The shared customer view and the
figures reported from the trainee's own data are checked on the trainee's own public
data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from autograders.checks import EvalContext, evaluator, to_frame
from autograders.checks.answers import grade_letter
from autograders.results import Verdict
from crm_sim.errors import CrmSimError
from crm_sim.programme_sim import METHODS, OUTCOMES, SAMPLES, Z_OF_LEVEL, ab_test, simulate
from crm_sim.programme_sim import uplift_estimate as estimate_uplift
from crm_sim.programmes import Programme, check_portfolio
from crm_sim.ui.quiz import original_option

from .. import perception_desk as desk

UNIT = "ITCSCR516A"
MAX_PROGRAMMES = 20
MAX_ROWS = 20_000

# --------------------------------------------------------------------- answer keys
MC_KEYS = {"q_k1_test": "b", "q_k4_test": "c", "q_k5_test": "a", "q_k3_test": "d",
           "q_k6_test": "b", "q_k2_test": "c"}
MC_HINTS = {
    "q_k1_test": "think about what customers remember and tell others over time",
    "q_k4_test": "think about who customers meet, not only who sells to them",
    "q_k5_test": "think about what makes staff want to keep the pledge when nobody watches",
    "q_k3_test": "think about different customers and different moments of the relationship",
    "q_k6_test": "think about how you would know which method works for your customers",
    "q_k2_test": "think about who answers a survey and who does not",
}
JUDGEMENTS = {
    "prof_x1_test": {"choice": "b", "reasons": desk.X1_REASONS,
                     "good": frozenset({"image_daily", "coach_not_blame", "team_learns"})},
    "prof_x2_test": {"choice": "c", "reasons": desk.X2_REASONS,
                     "good": frozenset({"fair_to_all", "margin_matters", "value_not_price"})},
}
# A choice that breaks the law: handing a partner's list over to buy loyalty is passing
# personal data for direct marketing without consent (PDPO s.35J-35K; DPP3).
BREACH_CHOICES = {"prof_x2_test": {
    "d": "data_passed_without_consent: a marketing list handed to a customer (PDPO "
         "Cap. 486 DPP3; s.35J-35K)"}}

# Scoring figures (unseen company, twelve months, against its routine alone)
PERCEPTION_TIERS = ((0.025, 1.0), (0.012, 0.5))     # rise of mean perception
KEPT_TIERS = ((0.9, 1.0), (0.75, 0.5))             # share of complaints the pledge was kept
NEW_TIERS = ((1.15, 1.0), (1.05, 0.5))              # new customers ÷ routine
CHURN_TIERS = ((0.93, 1.0), (0.97, 0.5))            # customers lost ÷ routine (lower is better)
MAX_PLEDGE_HOURS = 72.0                            # a pledge worth promising
CONTRIBUTION_FULL, CONTRIBUTION_HALF = 0.85, 0.7   # contribution ÷ routine
CONTRIBUTION_WRECKED = 0.6                         # below: a give-away, no credit at all
GROW_NEW_TARGET, GROW_CHURN_TARGET = 1.25, 0.85
GROW_NEW_HALF, GROW_CHURN_HALF = 1.1, 0.93
UPLIFT_FULL_SE = 2.5                               # error in standard errors
UPLIFT_MAX_SE_RATIO = 2.0                          # a method's SE vs the randomised one's
UPLIFT_AS_RANDOMISED_SE = 0.25    # as near the truth as the randomised comparison's own draw

RUBRICS = {
    "mission_written": (
        "3 points, one per line:\n"
        "1. A mission statement and a service pledge customers can check (a promise with a "
        "number: a response time, a fix time), not a slogan.\n"
        "2. At least three daily behaviours that turn them into action, each observable "
        "and measured by a KPI of the dashboard (e.g. pledge kept rate, consistency, CSAT).\n"
        "3. How staff at every level are trained, motivated and recognised for keeping it, "
        "and how the pledge is promoted to customers in all segments and to the public.\n"
        "0 for a line that is missing or promises what the company's figures show it "
        "cannot keep."),
    "review_written": (
        "3 points, one per line:\n"
        "1. Reads the A/B result correctly: the uplift with its interval, and says whether "
        "the programme pays for its cost.\n"
        "2. Reads the survey with its bias: respondents are not all customers; names the "
        "segment whose NPS/CSAT needs attention with its figure.\n"
        "3. Proposes at least one improvement and how the next periodic review will "
        "measure it (KPI, segment, date).\n"
        "0 for a line that is missing or contradicts the trainee's own figures."),
}


# --------------------------------------------------------------------- helpers
def _tier(value: float, tiers: tuple[tuple[float, float], ...], lower_is_better=False
          ) -> float:
    if not isinstance(value, int | float) or math.isnan(value):
        return 0.0
    for bound, score in tiers:
        if (value <= bound) if lower_is_better else (value >= bound):
            return score
    return 0.0


def _portfolio(artifact: Any, world: Any) -> tuple[tuple[Programme, ...] | None, str]:
    """The submitted list of programme dicts as programmes, or (None, what is wrong)."""
    if not isinstance(artifact, list) or not all(isinstance(p, Mapping) for p in artifact):
        return None, "Submit the designer's value: a list of programmes."
    if len(artifact) > MAX_PROGRAMMES:
        return None, f"{len(artifact)} programmes is more than the designer offers."
    try:
        return check_portfolio(artifact, tuple(world.scenario.segments)), ""
    except CrmSimError as e:
        return None, f"The programmes cannot be read: {e}"


def run_year(world: Any, programmes=(), policy: Any = None, shared_view: bool = False):
    """Twelve what-if months of `world` (the unseen company) under a choice."""
    return simulate(world, policy or desk.CompanyRoutine(), programmes, desk.MONTHS,
                    shared_view=shared_view, commit=False)


_BASELINES: dict[tuple, dict[str, float]] = {}


def _baseline(world: Any) -> dict[str, float]:
    """The routine's summary and monthly revenue on `world` (cached: it is deterministic)."""
    key = (world.scenario, world.today, len(world.tables["customers"]))
    if key not in _BASELINES:
        run = run_year(world)
        _BASELINES[key] = {**run.summary(),
                           "monthly_revenue": float(run.totals()["revenue"].mean())}
    return _BASELINES[key]


def _effects(world: Any, programmes, policy=None, shared_view=False) -> dict[str, float]:
    """The choice's effects against the company's routine alone, on `world`."""
    base = _baseline(world)
    run = run_year(world, programmes, policy, shared_view)
    mine = run.summary()
    cost = float(run.kpis.groupby("month")["programme_cost"].sum().mean())
    return {
        "perception_change": mine["perception"] - base["perception"],
        "new_ratio": mine["new_customers"] / max(1.0, base["new_customers"]),
        "churn_ratio": mine["churned"] / max(1.0, base["churned"]),
        "contribution_ratio": mine["contribution"] / base["contribution"]
        if base["contribution"] > 0 else 0.0,
        "programme_cost_share": cost / max(1.0, base["monthly_revenue"]),
        "pledge_kept_rate": float(run.kpis["pledge_kept_rate"].mean())
        if run.kpis["pledge_kept_rate"].notna().any() else float("nan"),
        "unconsented_contacts": mine["unconsented_contacts"],
    }


def _rounded(evidence: dict[str, float]) -> dict[str, float]:
    return {k: (round(v, 4) if isinstance(v, float) and not math.isnan(v) else v)
            for k, v in evidence.items()}


# ------------------------------------------------------------- knowledge (MC)
def _mc(grade_id: str, artifact: Any, trainee_id: str) -> Verdict:
    """1 when the letter, mapped back from the trainee's option order, is the key; else 0."""
    return grade_letter(artifact, MC_KEYS[grade_id], trainee_id=trainee_id,
                        question="answer_" + grade_id[2:-len("_test")],
                        wrong=f"Not the best option: {MC_HINTS[grade_id]}.")


for _gid in MC_KEYS:
    evaluator(UNIT, _gid)(lambda artifact, ctx, _g=_gid: _mc(_g, artifact, ctx.trainee_id))

OWN_SEGMENT_OPTIONS = {"a": "corporate", "b": "sme", "c": "individual"}


@evaluator(UNIT, "q_own_k1_test")
def own_company_nps(artifact: Any, ctx: EvalContext) -> Verdict:
    """K1 on the trainee's own company: the segment with the lowest surveyed NPS.

    The survey is `desk.survey_results` of the trainee's company as it stood at the
    unit's start (rebuilt from the seed), which nothing the trainee does changes.
    """
    if not isinstance(artifact, str) or artifact.strip().lower() not in OWN_SEGMENT_OPTIONS:
        return Verdict(0.0, "Put a single letter in quotes in the answer cell: \"a\", \"b\" "
                            "or \"c\".", {"answer": repr(artifact)[:40]})
    answer = artifact.strip().lower()
    option = original_option(ctx.trainee_id, "answer_own_k1", answer, OWN_SEGMENT_OPTIONS)
    table = desk.nps_table(desk.survey_results(ctx.trainee_world()))
    lowest = sorted(table.index[table["nps"] == table["nps"].min()])
    chosen = OWN_SEGMENT_OPTIONS.get(option or "")
    evidence = {"answer": answer, "option": option, "segment": chosen, "lowest": lowest}
    if chosen in lowest:
        return Verdict(1.0, "Correct: that is what your own customers said.", evidence)
    return Verdict(0.0, "That does not match your company's survey: compare the nps column "
                        "of the segments.", evidence)


# ------------------------------------------------------------- professionalism
def _judgement(grade_id: str, artifact: Any) -> Verdict:
    spec = JUDGEMENTS[grade_id]
    if not isinstance(artifact, Mapping) or not isinstance(artifact.get("choice"), str) or \
            not isinstance(artifact.get("reasons"), list):
        return Verdict(0.0, "Set the choice to one letter and the reasons to a list of "
                            "reason codes.", {"answer": repr(artifact)[:80]})
    choice = artifact["choice"].strip().lower()
    reasons = [r for r in artifact["reasons"][:50] if isinstance(r, str)]
    unknown = [r for r in reasons if r not in spec["reasons"]]
    good = [r for r in reasons if r in spec["good"]]
    bad = [r for r in reasons if r not in spec["good"]]      # wrong or unknown codes
    breach = BREACH_CHOICES.get(grade_id, {}).get(choice)
    evidence = {"choice": choice, "good": good, "bad": bad, "unknown": unknown[:5]}
    if breach:
        return Verdict(0.0, "That choice passes personal data on without consent: the law "
                            "forbids it whatever the business gain.", evidence, breaches=[breach])
    if choice != spec["choice"]:
        return Verdict(0.0, "Another option serves both the customer and the company better; "
                            "weigh what each choice does to the other customers and to "
                            "the margin.", evidence)
    justification = max(0.0, (len(good) - len(bad)) / len(spec["good"]))
    score = round(0.5 + 0.5 * justification, 10)
    if score == 1.0:
        return Verdict(1.0, "Right choice, well justified.", evidence)
    return Verdict(score, "Right choice; the justification misses a reason or relies on a "
                          "wrong one.", evidence)


for _gid in JUDGEMENTS:
    evaluator(UNIT, _gid)(lambda artifact, ctx, _g=_gid: _judgement(_g, artifact))


# ------------------------------------------------------------- exercise 1: atmosphere
def atmosphere_verdict(artifact: Any, world: Any) -> Verdict:
    """Service standards run for twelve months on `world` (the unseen company).

    0.1 a pledge covering every segment and promoted (advertising > 0); 0.1 a staff
    programme (training or recovery rules); 0.3 the pledge kept for at least 90 % of
    complaints (half from 75 %) with a promise of at most 72 hours; 0.3 perception up by
    0.025 against the routine (half from 0.012); 0.2 within the atmosphere budget (half
    within 1.5 ×), credited only when perception rose.
    """
    progs, problem = _portfolio(artifact, world)
    if progs is None:
        return Verdict(0.0, problem, {"error": "malformed"})
    kinds = {p.kind: p for p in progs}
    others = sorted(set(kinds) - set(desk.SERVICE_KINDS))
    if others:
        return Verdict(0.0, f"Only service programmes belong in the service standards, not "
                            f"{', '.join(others)}.", {"other_kinds": others})
    if "service_pledge" not in kinds:
        return Verdict(0.0, "No service pledge: state what every customer can count on.",
                       {"pledge": False})
    pledge = kinds["service_pledge"]
    segments = set(world.scenario.segments)
    promoted = (not pledge.segments or set(pledge.segments) == segments) and \
        pledge.value("advertise_hkd") > 0
    staff = bool({"staff_training", "complaint_recovery"} & set(kinds))
    effects = _effects(world, progs)
    kept = effects["pledge_kept_rate"]
    ambitious = pledge.value("response_hours") <= MAX_PLEDGE_HOURS
    p_kept = 0.3 * _tier(kept, KEPT_TIERS) if ambitious else 0.0
    p_perc = 0.3 * _tier(effects["perception_change"], PERCEPTION_TIERS)
    limit = desk.ATMOSPHERE_BUDGET_SHARE
    cost = effects["programme_cost_share"]
    p_cost = 0.0 if p_perc == 0 or p_kept == 0 else 0.2 if cost <= limit else 0.1 if \
        cost <= 1.5 * limit else 0.0
    score = round(0.1 * promoted + 0.1 * staff + p_kept + p_perc + p_cost, 10)
    tips = []
    if not promoted:
        tips.append("promote the pledge to customers in every segment and to the public "
                    "(an advertising budget)")
    if not staff:
        tips.append("add a staff programme: training, or rules that empower staff to put "
                    "complaints right")
    if not ambitious:
        tips.append(f"a pledge slower than {MAX_PLEDGE_HOURS:.0f} hours promises little")
    elif p_kept < 0.3:
        tips.append("the pledge was broken too often there: promise what the desk can "
                    "deliver, or train staff so they can")
    if p_perc < 0.3:
        tips.append("perception rose little: a pledge kept, trained staff and complaints "
                    "put right lift it")
    if p_cost < 0.2 and p_perc > 0:
        tips.append("the standards cost more than the budget allows")
    evidence = _rounded({**effects, "promoted": promoted, "staff_programme": staff})
    return Verdict(score, "Your service standards, run for twelve months on an unseen "
                          "company: " + ("; ".join(tips) + "." if tips else
                                         "kept, promoted and lifting perception."), evidence)


@evaluator(UNIT, "atmosphere_test")
def atmosphere(artifact: Any, ctx: EvalContext) -> Verdict:
    """The service standards (pledge, staff programmes) on the unseen company."""
    return atmosphere_verdict(artifact, ctx.hidden_world())


# ------------------------------------------------------------- exercise 2: one view
HKID_PATTERN = r"^[A-Z]{1,2}\d{6}\(?[0-9A]\)?$"


@evaluator(UNIT, "view_test")
def shared_view(artifact: Any, ctx: EvalContext) -> Verdict:
    """The shared customer view (a table): what staff need to act alike, nothing excessive.

    0.8 × the share of the must-have columns kept (identity, segment, consent, channel and
    language, last contact, contacts, open complaint); 0.2 for keeping it lean (at most
    one contact detail readable besides them). A readable HKID is a breach (PDPO DPP1,
    DPP4): 0. Judged on the submitted table built from the trainee's own world.
    """
    frame = to_frame(artifact)
    if frame is None or not len(frame.columns):
        return Verdict(0.0, "Submit the picker's value: the customer view as a table.",
                       {"error": "not a table"})
    if len(frame) > MAX_ROWS or len(frame.columns) > 60:
        return Verdict(0.0, "That table is far larger than the customer view can be.",
                       {"rows": len(frame), "columns": len(frame.columns)})
    cols = [str(c) for c in frame.columns]
    if "hkid" in cols and frame["hkid"].astype(str).str.match(HKID_PATTERN).any():
        return Verdict(0.0, "Every member of staff would read customers' HKID numbers: drop "
                            "or mask them.", {"columns": cols},
                       breaches=["identifier_in_shared_view: HKID readable by all staff "
                                 "(PDPO Cap. 486 Sch. 1 DPP1, DPP4)"])
    world = ctx.trainee_world()
    ids = set(world.tables["customers"]["customer_id"].astype(str))
    if "customer_id" in cols and not set(frame["customer_id"].astype(str)) <= ids:
        return Verdict(0.0, "The view lists customers your company does not have.",
                       {"columns": cols})
    have = [c for c in desk.VIEW_MUST_HAVE if c in cols]
    missing = [c for c in desk.VIEW_MUST_HAVE if c not in cols]
    readable = [c for c in ("phone", "email", "address") if c in cols and not frame[c].astype(
        str).str.contains(r"\*|#", regex=True).all()]
    lean = 0.2 if have == list(desk.VIEW_MUST_HAVE) and len(readable) <= 1 else 0.0
    score = round(0.8 * len(have) / len(desk.VIEW_MUST_HAVE) + lean, 10)
    evidence = {"columns": cols, "missing": missing, "readable_contact": readable}
    if score == 1.0:
        return Verdict(1.0, "Every member of staff sees what they need to act alike, and "
                            "no more.", evidence)
    tips = []
    if missing:
        tips.append("staff cannot act consistently without " + ", ".join(missing))
    if len(readable) > 1:
        tips.append("more contact details are readable than serving needs: mask some")
    return Verdict(score, "; ".join(tips).capitalize() + ".", evidence)


# ------------------------------------------------------------- exercise 3: portfolio
def portfolio_verdict(artifact: Any, world: Any) -> Verdict:
    """The portfolio run for twelve months on `world` against its routine alone.

    0.25 each: perception up 0.025 (half 0.012); new customers × 1.15 (half × 1.05);
    customers lost × 0.93 (half × 0.97); cost-effectiveness: within the budget and keeping
    85 % of the routine's contribution (half: 1.25 × budget and 70 %). A give-away that
    leaves less than 60 % of the contribution scores 0 (X2).
    """
    progs, problem = _portfolio(artifact, world)
    if progs is None:
        return Verdict(0.0, problem, {"error": "malformed"})
    if not progs:
        return Verdict(0.0, "No programme chosen.", {"programmes": 0})
    e = _effects(world, progs)
    evidence = _rounded(e)
    if e["contribution_ratio"] < CONTRIBUTION_WRECKED:
        return Verdict(0.0, "On an unseen company the portfolio gave away most of the "
                            "margin: customers gain, the company cannot sustain it (X2).",
                       evidence)
    parts = {
        "perception": 0.25 * _tier(e["perception_change"], PERCEPTION_TIERS),
        "new": 0.25 * _tier(e["new_ratio"], NEW_TIERS),
        "loyalty": 0.25 * _tier(e["churn_ratio"], CHURN_TIERS, lower_is_better=True),
    }
    limit = desk.PORTFOLIO_BUDGET_SHARE
    cost = e["programme_cost_share"]
    ratio = e["contribution_ratio"]
    parts["cost"] = 0.0 if not any(parts.values()) else 0.25 if (
        cost <= limit and ratio >= CONTRIBUTION_FULL) else 0.125 if (
        cost <= 1.25 * limit and ratio >= CONTRIBUTION_HALF) else 0.0
    score = round(sum(parts.values()), 10)
    tips = {"perception": "perception rose little: news, a kept pledge or recovery rules "
                          "lift it",
            "new": "few new customers came: reward introductions or promote the pledge",
            "loyalty": "loyalty barely moved: rewards or a long-term discount keep customers",
            "cost": "not cost-effective: over budget or much of the margin given away"}
    missed = [tips[k] for k, v in parts.items() if v < 0.25]
    evidence["parts"] = parts
    return Verdict(score, "Your portfolio, run for twelve months on an unseen company: " + (
        "; ".join(missed) + "." if missed else "perception, new customers and loyalty up, "
                                               "within budget."), evidence)


@evaluator(UNIT, "portfolio_test")
def portfolio(artifact: Any, ctx: EvalContext) -> Verdict:
    """The programme portfolio on the unseen company."""
    return portfolio_verdict(artifact, ctx.hidden_world())


# ------------------------------------------------------------- exercise 5: grow
def growth_verdict(artifact: Any, world: Any) -> Verdict:
    """The growth plan run for twelve months on `world` against targets.

    Targets: new customers ≥ 1.25 × the routine's (half from 1.1 ×) and customers lost
    ≤ 0.85 × the routine's (half up to 0.93 ×), 0.5 each. A plan that markets without
    consent is a breach (PDPO s.35E): 0. A give-away (contribution < 60 % of the
    routine's) or programme cost over 1.5 × the budget scores 0.
    """
    try:
        progs, policy, view = desk.plan_parts(artifact, world)
    except CrmSimError as e:
        return Verdict(0.0, f"The growth plan cannot be read: {e}", {"error": "malformed"})
    if not policy.respects_consent:
        return Verdict(0.0, "The plan markets to customers without their consent: not "
                            "lawful, whatever it brings.", {"respects_consent": False},
                       breaches=["marketing_without_consent: direct marketing to customers "
                                 "without consent (PDPO Cap. 486 s.35E)"])
    try:
        e = _effects(world, progs, policy, view)
    except CrmSimError as exc:
        return Verdict(0.0, f"The plan cannot be run: {exc}", {"error": "invalid"})
    evidence = _rounded({**e, "shared_view": view})
    if e["contribution_ratio"] < CONTRIBUTION_WRECKED or \
            e["programme_cost_share"] > 1.5 * desk.GROWTH_BUDGET_SHARE:
        return Verdict(0.0, "On an unseen company the plan cost far more than it brought: "
                            "growth bought at any price is not growth (X2).", evidence)
    p_new = 0.5 if e["new_ratio"] >= GROW_NEW_TARGET else 0.25 if \
        e["new_ratio"] >= GROW_NEW_HALF else 0.0
    p_loyal = 0.5 if e["churn_ratio"] <= GROW_CHURN_TARGET else 0.25 if \
        e["churn_ratio"] <= GROW_CHURN_HALF else 0.0
    tips = []
    if p_new < 0.5:
        tips.append("new customers stayed below the target there")
    if p_loyal < 0.5:
        tips.append("too many customers still left: loyalty is below the target")
    return Verdict(p_new + p_loyal, "Your growth plan, run for twelve months on an unseen "
                                    "company: " + ("; ".join(tips) + "." if tips else
                                                   "both targets met."), evidence)


@evaluator(UNIT, "grow_test")
def grow(artifact: Any, ctx: EvalContext) -> Verdict:
    """The growth plan on the unseen company."""
    return growth_verdict(artifact, ctx.hidden_world())


# ------------------------------------------------------------- exercise 4: uplift
def _method(artifact: Any) -> tuple[dict | None, str]:
    if not isinstance(artifact, Mapping) or artifact.get("kind") != "uplift_method":
        return None, "Submit the estimator's value (estimator.value)."
    m = {k: artifact.get(k) for k in ("outcome", "method", "sample", "level")}
    if m["outcome"] not in OUTCOMES or m["method"] not in METHODS or \
            m["sample"] not in SAMPLES or not isinstance(m["level"], int | float) or \
            isinstance(m["level"], bool) or round(float(m["level"]), 2) not in Z_OF_LEVEL:
        return None, "The method is not one the estimator offers."
    return m, ""


def uplift_verdict(artifact: Any, hidden: Any, own_data: pd.DataFrame) -> Verdict:
    """The method applied to the unseen company's A/B test, scored against the true uplift.

    0.8: the outcome must be purchases ("bought": the question asked); given when the
    estimate lies within 2.5 standard errors of the true uplift, or no further from it
    than the randomised comparison itself lands on that test (an unlucky draw is not the
    method's fault), and the method's standard error is at most twice the randomised
    comparison's. 0.2: the purchase uplift reported equals what the method gives on the
    trainee's own test.
    """
    m, problem = _method(artifact)
    if m is None:
        return Verdict(0.0, problem, {"error": "malformed"})
    test = ab_test(hidden, Programme.from_dict(desk.AB_PROGRAMME), desk.AB_SEGMENT,
                   desk.AB_MONTHS)
    truth = test.true_uplift["bought"]
    evidence: dict[str, Any] = {"method": m}
    p_hidden = 0.0
    try:
        got = estimate_uplift(test.data, m["outcome"], m["level"], m["method"], m["sample"])
        ref = estimate_uplift(test.data, "bought", 0.95, "arms", "all")
    except CrmSimError as e:
        return Verdict(0.0, f"The method cannot be applied: {e}", evidence)
    if m["outcome"] == "bought":
        se = max(got["se"], ref["se"])
        err = abs(got["estimate"] - truth) / se if se > 0 else float("inf")
        ref_err = abs(ref["estimate"] - truth) / se if se > 0 else float("inf")
        sharp = got["se"] <= UPLIFT_MAX_SE_RATIO * ref["se"]
        near = err <= max(UPLIFT_FULL_SE, ref_err + UPLIFT_AS_RANDOMISED_SE)
        p_hidden = 0.8 if near and sharp else 0.0
        evidence.update({"error_in_se": round(err, 3),
                         "randomised_error_in_se": round(ref_err, 3), "se_ratio": round(
            got["se"] / ref["se"], 3) if ref["se"] else None})
    p_own = 0.0
    try:
        if m["outcome"] != "bought":
            raise CrmSimError("a figure for another question")
        own = estimate_uplift(own_data, m["outcome"], m["level"], m["method"], m["sample"])
        reported = [artifact.get(k) for k in ("estimate", "low", "high")]
        if all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
               for v in reported):
            p_own = 0.2 if all(abs(float(v) - own[k]) <= 1e-4 for v, k in zip(
                reported, ("estimate", "low", "high"), strict=True)) else 0.0
    except CrmSimError:
        p_own = 0.0
    tips = []
    if m["outcome"] != "bought":
        tips.append("the question is the uplift in purchases: estimate the outcome "
                    "'bought'")
    elif p_hidden < 0.8:
        tips.append("on an unseen company's test your method missed the true uplift: "
                    "compare the randomised groups, all customers in the test")
    if p_own == 0:
        tips.append("the estimate and interval you report must be what your method gives "
                    "on your own test (take the estimator's value)")
    return Verdict(round(p_hidden + p_own, 10), ("; ".join(tips).capitalize() + ".") if tips
                   else "Your method finds the true uplift on an unseen company.", evidence)


@evaluator(UNIT, "uplift_test")
def uplift(artifact: Any, ctx: EvalContext) -> Verdict:
    """The uplift method on the unseen company's A/B test; the figure on the trainee's."""
    return uplift_verdict(artifact, ctx.hidden_world(), desk.ab_data(ctx.trainee_world()))


# ------------------------------------------------------------- simulated cohort
_OWN_K1_WRONG = (
    'answer_own_k1 = shown_letter("answer_own_k1", {"corporate": "a", "sme": "b", '
    '"individual": "c"}[desk.nps_table(desk.survey_results(world))["nps"].idxmax()], '
    '"abc")\n')
VARIANTS: dict[str, dict[str, str]] = {
    "partial": {
        "q_k5_answer": 'answer_k5 = shown_letter("answer_k5", "c")',
        # a pledge for one segment, not advertised, no staff programme: promise kept
        "atmosphere_impl": ('standards = [{"kind": "service_pledge", "segments": ["sme"],\n'
                            '              "params": {"response_hours": 48,\n'
                            '                         "advertise_hkd": 0}}]\n'),
        "view_impl": ('picker.choose("hkid", "drop")\n'
                      'picker.choose("last_contact", "drop")\n'
                      'picker.choose("open_complaint", "drop")\n'
                      'customer_view = picker.value\n'),
        "portfolio_impl": ('portfolio = [{"kind": "news", "params": {"per_month": 1}}]\n'),
        "grow_impl": ('plan = desk.growth_plan([{"kind": "referral_rewards",\n'
                      '                          "params": {"reward_hkd": 300}}],\n'
                      '                        {"contacts": [], "respects_consent": True},\n'
                      '                        False)\n'),
        "uplift_impl": ('estimator.set_method("bought", "arms", "all", 0.95)\n'
                        'uplift_answer = {**estimator.value, "estimate": 0.5}\n'),
        "prof_x2_answer": 'answer_x2 = {"choice": "c", "reasons": ["keep_at_any_cost"]}\n',
        "mission_written": "We aim to give good service.",
        "review_written": "The programme worked.",
    },
    "wrong": {
        "q_k1_answer": 'answer_k1 = shown_letter("answer_k1", "a")',
        "q_k4_answer": 'answer_k4 = shown_letter("answer_k4", "a")',
        "q_k5_answer": 'answer_k5 = shown_letter("answer_k5", "d")',
        "q_k3_answer": 'answer_k3 = shown_letter("answer_k3", "a")',
        "q_k6_answer": 'answer_k6 = shown_letter("answer_k6", "a")',
        "q_k2_answer": 'answer_k2 = shown_letter("answer_k2", "a")',
        "q_own_k1_answer": _OWN_K1_WRONG,
        "atmosphere_impl": ('standards = [{"kind": "long_term_discount",\n'
                            '              "params": {"discount": 0.5}}]\n'),
        "view_impl": "customer_view = picker.value\n",
        "portfolio_impl": ('portfolio = [{"kind": "long_term_discount",\n'
                           '              "params": {"discount": 0.5,\n'
                           '                         "min_tenure_months": 0}},\n'
                           '             {"kind": "member_rewards",\n'
                           '              "params": {"points_rate": 0.2}}]\n'),
        "grow_impl": ('plan = desk.growth_plan([], {"contacts": [{"segment": "individual",\n'
                      '    "channel": "message", "per_month": 4.0, "purpose": "retention"}],\n'
                      '    "respects_consent": False}, False)\n'),
        "uplift_impl": ('estimator.set_method("survey_score", "before_after",\n'
                        '                     "respondents", 0.9)\n'
                        'uplift_answer = estimator.value\n'),
        "prof_x1_answer": 'answer_x1 = {"choice": "d", "reasons": ["targets_first"]}\n',
        "prof_x2_answer": 'answer_x2 = {"choice": "d", "reasons": ["keep_at_any_cost"]}\n',
        "mission_written": "",
        "review_written": "",
    },
}
