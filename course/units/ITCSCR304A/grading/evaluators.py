"""Evaluators of unit ITCSCR304A (periodic sales calls), answer keys and cohort variants.

One evaluator per graded test cell of ``course/units/ITCSCR304A/*.ipynb``. Each one gets
the artefact as plain JSON data (never an object built by trainee code) and judges it
against the trainee's own world or the hidden world, rebuilt here from seeds. Messages
say what to fix, naming offending ids, and never reveal hidden values or answer keys;
`evidence` holds the figures an assessor needs.

Scoring rules are documented next to each evaluator; every partial mark is a simple,
explainable fraction, so the unit tests can assert exact marks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from autograders.checks import EvalContext, evaluator, to_frame
from autograders.checks.messages import UNSEEN, quote, unseen_failure
from autograders.results import Verdict
from crm_sim import own_company
from crm_sim.ui.quiz import original_option

from .. import periodic_calls as pc

UNIT = "ITCSCR304A"

# ------------------------------------------------------------------------ answer keys
CHOICE_KEYS = {"k1": "b", "k2": "d", "k3": "b", "k4": "d", "k5": "c", "k6": "a", "k7": "c",
               "x1": "d", "x2": "c"}
CHOICE_HINTS = {
    "k1": "think about what a call does for the relationship, not only for this month's sales",
    "k2": "limited slots go furthest when they are ranked and spread, not first-come",
    "k3": "the guideline binds everyone, including when a sale looks likely",
    "k4": "an opt-out under the PDPO covers every channel and every agent acting for us",
    "k5": "each segment decides and answers differently",
    "k6": "product knowledge and soft skills decide how a complex call goes",
    "k7": "ask what else changed in that segment before blaming the calls",
    "x1": "which option could you defend to the customer and to your manager tomorrow?",
    "x2": "whose needs does the recommendation serve first?",
}
LETTERS = ("a", "b", "c", "d")

# ------------------------------------------------------------------ scoring parameters
PROSPECT_TARGET = 0.9       # share of the reference heuristic's lift that earns full credit
MIN_REFERENCE_LIFT = 0.02   # floor, so a segment with no public signal is not divided by ~0
PLAN_WEIGHT_COMPLIANCE = 0.6
PLAN_WEIGHT_COVERAGE = 0.4
PLAN_COST_PER_BREACH = 0.05  # compliance lost per breaching call, however long the plan


def _verdict(score: float, message: str, evidence: dict | None = None) -> Verdict:
    """A Verdict with the score clipped to 0..1 and rounded (stable marks in reports).

    Breaches a scorer left under evidence["breaches"] become the Verdict's breaches, which
    trip the unit.toml gates whatever the score (a breach is not diluted by padding).
    """
    score = 0.0 if not math.isfinite(score) else min(1.0, max(0.0, score))
    evidence = dict(evidence or {})
    breaches = list(evidence.pop("breaches", []) or [])
    return Verdict(round(score, 4), message, evidence, breaches=breaches)


# Mechanism rules that are breaches of the law, not of company practice -> breach code.
LEGAL_BREACHES = {
    # PDPO (Cap. 486) s.35E: no use of personal data in direct marketing without consent.
    "consent_missing": "promotion_without_consent",
    # PDPO s.35G: a data subject's opt-out must be honoured (no further marketing use).
    "consent_withdrawn": "marketing_after_opt_out",
}


def legal_breaches(violations: Any) -> list[str]:
    """The mechanism violations that break the PDPO, as "code: detail" breach reports.

    A violation of company policy only (a sales visit without consent: a visit is not a
    direct-marketing means under s.35A) costs marks but is no breach of the law.
    """
    out = []
    for v in violations or []:
        code = LEGAL_BREACHES.get(str(getattr(v, "rule_id", "")))
        if code and getattr(v, "is_legal", False):
            out.append(f"{code}: {getattr(v, 'message', '')} ({getattr(v, 'when', '')}; "
                       f"{getattr(v, 'basis', '')})")
    return out


# ============================================================================== quizzes
def _choice(key: str):
    def check(artifact: Any, ctx: EvalContext) -> Verdict:
        problem = pc.choice_problem(artifact, LETTERS)
        if problem:
            return _verdict(0.0, f"answer_{key}: {quote(problem)}.", {"answer": None})
        answer = artifact.strip().lower()
        # the trainee saw the options in their own order: map their letter back
        option = original_option(ctx.trainee_id, f"answer_{key}", answer, LETTERS)
        evidence = {"answer": answer, "option": option}
        if option == CHOICE_KEYS[key]:
            return _verdict(1.0, f"answer_{key}: correct.", evidence)
        return _verdict(0.0, f"answer_{key} = {quote(answer)} is not the best option: "
                        f"{CHOICE_HINTS[key]}.", evidence)
    check.__name__ = check.__qualname__ = f"choice_{key}"
    check.__doc__ = (f"Multiple-choice question {key.upper()}: 1 for the key (in the trainee's "
                     "option order), else 0.")
    return check


for _key in CHOICE_KEYS:
    evaluator(UNIT, f"q_{_key}_test")(_choice(_key))


# Own-company question (K5): the same for everyone, answered from the trainee's own figures.
OWN_SEGMENT_OPTIONS = {"a": "corporate", "b": "sme", "c": "individual"}


@evaluator(UNIT, "q_own_k5_test")
def own_company_complaints(artifact: Any, ctx: EvalContext) -> Verdict:
    """K5 on the trainee's own company: 1 for the segment with most complaints per customer.

    The figure is `own_company.complaints_table` of the trainee's world rebuilt from the
    seed, summed over its last three months (history before the start date, which no
    action of the trainee changes); on an exact tie every top segment earns 1.
    """
    problem = pc.choice_problem(artifact, tuple(OWN_SEGMENT_OPTIONS))
    if problem:
        return _verdict(0.0, f"answer_own_k5: {quote(problem)}.", {"answer": None})
    answer = artifact.strip().lower()
    option = original_option(ctx.trainee_id, "answer_own_k5", answer, OWN_SEGMENT_OPTIONS)
    table = own_company.complaints_table(ctx.trainee_world())
    top = own_company.top_segments(table.tail(3).sum())
    chosen = OWN_SEGMENT_OPTIONS.get(option or "")
    evidence = {"answer": answer, "option": option, "segment": chosen, "top": top}
    if chosen in top:
        return _verdict(1.0, "answer_own_k5: correct, that is what your company's figures "
                        "show.", evidence)
    return _verdict(0.0, f"answer_own_k5 = {quote(answer)} does not match your company's "
                    "complaints table: add up each segment's last three months and compare.",
                    evidence)


# ===================================================================== 1a segment summary
# The definition's values: reference solutions, so they live here, never in the
# released periodic_calls.py (whose visible check only looks at the table's shape).
def segment_summary_truth(world: Any) -> pd.DataFrame:
    """The account base per segment as Exercise 1a defines it (public data only)."""
    customers = pc.table(world, "customers")
    inter = pc.table(world, "interactions")
    stamp = pd.to_datetime(inter["timestamp"], format="%Y-%m-%dT%H:%M").dt.normalize()
    now = pc.today(world)
    recent = inter.loc[(stamp >= now - pd.Timedelta(days=90)) & (stamp <= now), "customer_id"]
    contacted = customers["customer_id"].isin(recent)
    return (
        customers.assign(contacted=contacted.astype(float),
                         consent=customers["dm_consent"].astype(float))
        .groupby("segment", sort=True)
        .agg(customers=("customer_id", "size"), consented_share=("consent", "mean"),
             mean_value=("lifetime_value", "mean"), contacted_90d_share=("contacted", "mean"))
    )




def segment_summary_problems(summary: Any, world: Any) -> tuple[list[str], int, int]:
    """Problems of a segment summary and (right values, values checked).

    Each of the four columns for each segment is one value; a value is right when it is
    within `pc.SUMMARY_TOLERANCE` (relative) of the truth.
    """
    truth = segment_summary_truth(world)
    n_values = truth.size
    frame = pc._summary_frame(summary)
    if frame is None:
        return ([f"segment_summary must be a DataFrame indexed by segment, got "
                 f"{type(summary).__name__}"], 0, n_values)
    problems = []
    missing_cols = [c for c in pc.SUMMARY_COLUMNS if c not in frame.columns]
    if missing_cols:
        problems.append(f"columns missing: {', '.join(missing_cols)}")
    missing_segs = [s for s in truth.index if s not in frame.index]
    if missing_segs:
        problems.append(f"segments missing from the index: {', '.join(missing_segs)}")
    right = 0
    for col in pc.SUMMARY_COLUMNS:
        if col in missing_cols:
            continue
        wrong = []
        for seg in truth.index:
            if seg in missing_segs:
                continue
            got = pd.to_numeric(pd.Series([frame.loc[seg, col]]).iloc[:1], errors="coerce")
            value = got.iloc[0] if len(got) else math.nan
            expected = float(truth.loc[seg, col])
            if isinstance(value, (int, float, np.number)) and math.isfinite(value) and \
                    math.isclose(float(value), expected, rel_tol=pc.SUMMARY_TOLERANCE,
                                 abs_tol=1e-9):
                right += 1
            else:
                wrong.append(seg)
        if wrong:
            problems.append(f"{col} is not right for {', '.join(wrong)}: re-read its definition")
    return problems, right, n_values


@evaluator(UNIT, "segment_summary_test")
def segment_summary(artifact: Any, ctx: EvalContext) -> Verdict:
    """Score = share of the 12 (segment, column) values equal to the truth (public data)."""
    frame = to_frame(artifact)
    problems, right, total = segment_summary_problems(frame if frame is not None
                                                         else artifact, ctx.trainee_world())
    score = right / total if total else 0.0
    message = "All values are right." if not problems else "; ".join(problems)
    return _verdict(score, message, {"right_values": right, "values": total})


# =========================================================================== 1b prospects
def reference_prospects(world: Any, per_segment: int = pc.PROSPECTS_PER_SEGMENT
                        ) -> dict[str, list[str]]:
    """The model solution: the satisfaction a customer last told us, value breaking ties.

    What customers say on calls is the best public clue to their (hidden) propensity;
    lifetime value, ranked within the segment, adds what they could buy.
    """
    customers = pc.table(world, "customers")
    inter = pc.table(world, "interactions")
    band = inter["info_captured"].str.extract(r'"satisfaction": "(low|medium|high)"',
                                              expand=False)
    said = (inter.assign(said=band.map({"low": 0.25, "medium": 0.55, "high": 0.85}))
            .dropna(subset=["said"]).sort_values("timestamp")
            .groupby("customer_id")["said"].last())
    acc = customers.set_index("customer_id")
    acc["said"] = said.reindex(acc.index).fillna(0.55)
    acc["score"] = acc["said"] + 0.1 * acc.groupby("segment")["lifetime_value"].rank(pct=True)
    eligible = acc[acc["dm_consent"].astype(bool)]
    return {seg: g.sort_values("score", ascending=False, kind="stable").index[:per_segment]
            .tolist() for seg, g in eligible.groupby("segment")}


def _latent(world: Any) -> pd.DataFrame:
    """The hidden latent table indexed by customer id."""
    return world.hidden["latent"].set_index("customer_id")


def _segment_lift(ids: list[str], pool: pd.Series, k: int) -> float:
    """Sum of (propensity − pool mean) over `ids` as a share of the top-k oracle's sum.

    A pool of at most k customers (a small segment with few consents) has no choice to
    make: the share of it picked is the lift.
    """
    if pool.empty:
        return 0.0
    if len(pool) <= k:
        return len(set(ids) & set(pool.index)) / len(pool)
    mean = float(pool.mean())
    oracle = float((pool.sort_values(ascending=False).head(k) - mean).sum())
    if oracle <= 0:
        return 0.0
    got = float((pool.reindex(ids).dropna() - mean).sum())
    return got / oracle


UNSEEN_COMPANIES = 5         # companies a prospect rule is tried on (pooled: less luck)
PROSPECT_FLOOR = 0.15        # share of the taught method's lift a blind pick reaches by luck
PROSPECT_FULL = 0.55         # share of it that earns full credit (RFM reaches it, see tests)


def unseen_companies(ctx: EvalContext, n: int = UNSEEN_COMPANIES) -> list[Any]:
    """The hidden world and `n` − 1 sister companies of the same scenario (cached).

    Fifteen picks in one company are mostly luck; pooled over five companies a sound
    method and a blind one separate. The sisters' seeds derive from the hidden seed, so
    they are as unseen as the hidden world itself.
    """
    cache = ctx._cache.setdefault("itcscr304a_unseen", [])
    if not cache:
        first = ctx.hidden_world()
        cache.append(first)
        for j in range(1, n):
            seed = (int(first.scenario.seed) * 7919 + 104_729 * j) % (2 ** 31 - 1)
            cache.append(ctx.unseen_world(seed))     # built once per worker, copied here
    return cache[:n]


def _prospect_parts(picks: Any, world: Any, reference: dict[str, list[str]]
                    ) -> dict[str, Any]:
    """One company's raw figures: lift sums per segment (picks and model), fill, consent."""
    k = pc.PROSPECTS_PER_SEGMENT
    found = pc.prospect_problems(picks, world, k)
    latent = _latent(world)
    customers = pc.table(world, "customers")
    out: dict[str, Any] = {"found": found, "got": {}, "ref": {}, "fill": [], "picked": 0,
                           "no_consent": len(found["no_consent"])}
    for seg in found["segments"]:
        pool_ids = customers.loc[(customers["segment"] == seg)
                                 & customers["dm_consent"].astype(bool), "customer_id"]
        pool = latent["propensity"].reindex(pool_ids)
        valid = found["valid"][seg]
        out["picked"] += len(valid)
        out["fill"].append(min(1.0, len(valid) / max(1, min(k, len(pool)))) if len(pool)
                           else 1.0)
        if len(pool) <= k:
            continue                         # no choice to make: only the fill counts
        mean = float(pool.mean())
        out["got"][seg] = float((pool.reindex(valid).dropna() - mean).sum())
        out["ref"][seg] = float((pool.reindex(reference.get(seg, [])).dropna() - mean).sum())
    return out


def prospects_score_many(picks_list: list[Any], worlds: list[Any]) -> tuple[float, str, dict]:
    """Score prospect lists made on several companies, pooled.

    ratio = Σ lift of the valid picks / Σ lift of the taught method (satisfaction said,
    value within segment) over every company and every segment with a choice (more
    consented customers than 15); lift = Σ (true propensity − the consented pool's mean).
    credit = clip((ratio − 0.15) / (0.55 − 0.15)): picks made blind reach about 0.15 by
    luck, a sound method such as RFM about 0.55-1. score = credit × fill (share of the 15
    places per segment filled with valid picks, where the segment has that many
    consented) × (1 − share of picks without consent).
    """
    parts = [_prospect_parts(p, w, reference_prospects(w))
             for p, w in zip(picks_list, worlds, strict=True)]
    got = sum(sum(x["got"].values()) for x in parts)
    ref = sum(sum(x["ref"].values()) for x in parts)
    if ref > 1e-9:
        ratio = got / ref
        credit = min(1.0, max(0.0, (ratio - PROSPECT_FLOOR) / (PROSPECT_FULL - PROSPECT_FLOOR)))
    else:
        ratio, credit = float("nan"), float(got >= ref)
    fill = float(np.mean([f for x in parts for f in x["fill"]])) if parts else 0.0
    listed = sum(x["picked"] + x["no_consent"] for x in parts)
    consent = 1.0 - sum(x["no_consent"] for x in parts) / listed if listed else 1.0
    score = credit * fill * consent
    per_segment = {}
    for seg in parts[0]["found"]["segments"] if parts else []:
        g = sum(x["got"].get(seg, 0.0) for x in parts)
        r = sum(x["ref"].get(seg, 0.0) for x in parts)
        per_segment[seg] = round(1.0 if r <= 1e-9 else min(1.0, max(0.0, (
            g / r - PROSPECT_FLOOR) / (PROSPECT_FULL - PROSPECT_FLOOR))), 4)
    found = parts[0]["found"] if parts else {"problems": [], "no_consent": [], "unknown": []}
    lines = list(found["problems"])
    weak = [s for s, c in per_segment.items() if c < 0.999]
    if credit < 0.999 and weak:
        lines.append("these segments' prospects are less likely to buy than they could be: "
                     f"{', '.join(weak)}. Use what customers told us on recent calls (the "
                     "satisfaction they gave) and their value within each segment")
    message = "Strong prospect lists in every segment." if not lines else "; ".join(lines)
    return score, message, {"credit": round(credit, 4),
                            "ratio_to_taught": None if not math.isfinite(ratio)
                            else round(ratio, 4),
                            "fill": round(fill, 4), "consent": round(consent, 4),
                            "companies": len(parts), "credit_per_segment": per_segment,
                            "no_consent": found["no_consent"][:20],
                            "unknown": found["unknown"][:20]}


def prospects_score(picks: Any, world: Any) -> tuple[float, str, dict]:
    """`prospects_score_many` on one company (the trainee's own, in messages and tests)."""
    return prospects_score_many([picks], [world])


@evaluator(UNIT, "prospects_test")
def prospects(artifact: Any, ctx: EvalContext) -> Verdict:
    """A prospect rule applied on five unseen companies, scored by `prospects_score_many`.

    No-code track: the scorecard's value (signals, weights, consent filter) is applied by
    the grader (`pc.scorecard_prospects`); no trainee code runs. Analyst track: the
    function `choose_prospects` runs (sandboxed) once per company on its
    `pc.prospect_inputs` and returns ``{segment: [15 customer ids]}``. Picks are judged
    against those companies' hidden propensities, so reading the trainee's own world's
    truth earns nothing.
    """
    from autograders.checks import to_plain

    worlds = unseen_companies(ctx)
    inputs = [pc.prospect_inputs(w) for w in worlds]
    if _is_rule(artifact, "scorecard"):
        results, failed = [], None
        for customers, interactions in inputs:
            picks, failed = _scorecard_picks(artifact, customers, interactions)
            if failed:
                break
            results.append(picks)
    else:
        results, failed = _call_submitted(
            artifact, ctx, "choose_prospects",
            [[to_plain(c), to_plain(i)] for c, i in inputs],
            not_its=", not its result", inputs="customers and interactions tables", many=True)
    if failed:
        return failed
    for result in results:
        if not isinstance(result, dict) or "__frame__" in result or "__series__" in result:
            return _verdict(0.0, "choose_prospects must return a dict {segment: [15 customer "
                            f"ids]}}, got {type(result).__name__}", {})
    score, _, evidence = prospects_score_many(results, worlds)
    return _verdict(score, _unseen_prospects_message(results[0], worlds[0], score, evidence),
                    evidence)


def _is_rule(artifact: Any, kind: str) -> bool:
    """True when the artefact is a no-code view's value (a decision rule as data)."""
    return isinstance(artifact, dict) and artifact.get("kind") == kind


def _scorecard_picks(rule: dict, customers: pd.DataFrame, interactions: pd.DataFrame
                     ) -> tuple[Any, Verdict | None]:
    """A scorecard rule applied to the unseen company's tables: no trainee code runs.

    The rule's words are the trainee's own (signal names, weights), so problems may be
    quoted back; the picks come from hidden data and are only scored.
    """
    from crm_sim.ui.scorecard import rule_problems

    problems = rule_problems(rule, list(pc.PROSPECT_SIGNALS))
    if problems:
        return None, _verdict(0.0, "the scorecard cannot be used: " + "; ".join(problems), {})
    return pc.scorecard_prospects(rule, customers, interactions), None


def _unseen_prospects_message(picks: Any, world: Any, score: float, evidence: dict) -> str:
    """What to fix in picks made on the unseen company: kinds of problem, never its ids.

    The picks were computed from hidden-world data, so anything echoed from them (ids,
    keys, even exact counts) could carry that data out; the categories and the score
    band are enough to act on.
    """
    if score >= 0.999:
        return "Strong prospect lists in every segment of a company you have not seen."
    found = pc.prospect_problems(picks, world, pc.PROSPECTS_PER_SEGMENT)
    kinds = [text for key, text in (
        ("no_consent", "some picks have no direct-marketing consent (a promotion call would "
                       "break the PDPO)"),
        ("unknown", "some picks are not customers of that company"),
        ("wrong_segment", "some picks are listed under the wrong segment"),
        ("duplicates", "some customers are listed twice")) if found[key]]
    if found["problems"] and not kinds:
        kinds.append(f"give exactly {pc.PROSPECTS_PER_SEGMENT} customer ids for each segment")
    # segment names are the scenario's own (the same in every company), not hidden data
    weak = [s for s, c in evidence.get("credit_per_segment", {}).items() if c < 0.999]
    kinds.append(f"prospects less likely to buy than they could be in: {', '.join(weak)}. Use "
                 "what customers told us on recent calls (the satisfaction they gave) and "
                 "their value within each segment")
    return f"On a company you have not seen (score {score:.0%}): " + "; ".join(kinds)


# ========================================================================== 2 referrals
def _graph(world: Any):
    """The referral graph of `world` after generating its lead sources (as the notebook does)."""
    from crm_sim.leads import generate_sources
    from crm_sim.leads.network import referral_graph

    generate_sources(world)          # idempotent: same world, same sources
    return referral_graph(world)


def _reach(graph: Any, ids: list[str]) -> int:
    """Distinct prospects within two introductions of `ids` (the engine's own search)."""
    from crm_sim.leads.network import reachable_prospects

    ids = [i for i in ids if i in graph]
    return int(reachable_prospects(graph, ids)["prospect_id"].nunique()) if ids else 0


def reference_champions(graph: Any, n: int = pc.REFERRAL_CHAMPIONS) -> list[str]:
    """Greedy maximum coverage: each step adds the customer reaching most new prospects."""
    reach = pc.reach_by_customer(graph)
    chosen: list[str] = []
    covered: set[str] = set()
    for _ in range(n):
        best = max(sorted(reach), key=lambda c: -1 if c in chosen else len(reach[c] - covered))
        chosen.append(best)
        covered |= reach[best]
    return chosen


REFERRAL_TARGET = 0.9        # share of the greedy reference's gain over blind picks: full


def blind_reach(graph: Any, n: int = pc.REFERRAL_CHAMPIONS) -> float:
    """Distinct prospects `n` customers picked blind are expected to reach (n × mean reach)."""
    reach = pc.reach_by_customer(graph)
    return n * float(np.mean([len(t) for t in reach.values()])) if reach else 0.0


@evaluator(UNIT, "referral_test")
def referrals(artifact: Any, ctx: EvalContext) -> Verdict:
    """Score = clip((reach − blind) / (0.9 × (greedy reach − blind))).

    reach = distinct prospects the valid champions reach; greedy = the reference (one
    champion at a time, the one adding most new prospects); blind = what five customers
    picked without looking reach on average (`blind_reach`), so a random five earns
    (almost) nothing and reading the overlap earns the marks.
    """
    world = ctx.trainee_world()
    problems, valid = pc.referral_problems(artifact, world)
    graph = _graph(world)
    reach = _reach(graph, valid)
    best = max(_reach(graph, reference_champions(graph)), 1)
    blind = min(blind_reach(graph), best - 1)
    score = min(1.0, max(0.0, (reach - blind) / (REFERRAL_TARGET * (best - blind))))
    lines = list(problems)
    if score < 0.999:
        lines.append(f"your champions reach {reach} distinct prospects; more are reachable: "
                     "add one champion at a time, the one who adds most new prospects")
    return _verdict(score, "; ".join(lines) or f"Your champions reach {reach} prospects.",
                    {"reach": reach, "reference_reach": best, "blind_reach": round(blind, 2),
                     "valid": valid})


# ============================================================================== 3 plan
def plan_score(plan: Any, world: Any) -> tuple[float, str, dict]:
    """(0.6 × compliance + 0.4 × coverage of the top-value accounts) × within (0 if unreadable).

    compliance = 1 − 0.05 × breaching calls (rule violations or calls outside next
    month), floored at 0: each breach costs the same however many compliant calls the
    plan adds, so padding a plan cannot dilute a promotion without consent. within =
    Π over the limits exceeded (staff hours, budget: `pc.plan_limits`) of (1 − the share
    by which the plan exceeds it), floored at 0: 10% over the budget costs 10% of the mark,
    a plan twice the budget earns nothing.
    """
    if isinstance(plan, dict) and "__frame__" in plan:
        plan = to_frame(plan)
    if plan is None or isinstance(plan, (str, int, float, bool)) or (
            isinstance(plan, dict)):
        return 0.0, "plan must be a CallPlan, a DataFrame or a list of dicts", {}
    if isinstance(plan, list) and len(plan) > 20_000:
        return 0.0, f"the plan has {len(plan):,} calls; a month's plan needs a few hundred", {}
    report = pc.plan_report(plan, world)
    if report["error"]:
        return 0.0, f"the plan cannot be read: {report['error']}", {"error": report["error"]}
    calls = report["calls"]
    if calls == 0:
        return 0.0, "the plan is empty", {"calls": 0}
    breaching = {(v.customer_id or v.staff_id, v.when) for v in report["violations"]}
    n_bad = len(breaching) + len(report["outside_month"])
    compliance = max(0.0, 1.0 - PLAN_COST_PER_BREACH * n_bad)
    coverage = len(report["covered"]) / pc.TOP_VALUE_ACCOUNTS
    over = report["over_limits"]
    within = float(np.prod([max(0.0, 1.0 - o["share"]) for o in over.values()]))
    score = (PLAN_WEIGHT_COMPLIANCE * compliance + PLAN_WEIGHT_COVERAGE * coverage) * within
    lines = pc.limit_lines(over)
    if report["violations"]:
        lines += report["summary"].split("\n")
    if report["outside_month"]:
        lines.append(f"{len(report['outside_month'])} calls are not in next month: "
                     f"{pc._ids(report['outside_month'])}")
    if report["missing"]:
        lines.append(f"{len(report['missing'])} top-value accounts have no call: "
                     f"{pc._ids(report['missing'])}")
    by_rule: dict[str, int] = {}
    for v in report["violations"]:
        by_rule[v.rule_id] = by_rule.get(v.rule_id, 0) + 1
    evidence = {"calls": calls, "violations": by_rule,
                "outside_month": len(report["outside_month"]),
                "top_value_covered": len(report["covered"]), "compliance": round(compliance, 4),
                "coverage": round(coverage, 4), "within_limits": round(within, 4),
                "usage": {k: round(v, 2) for k, v in report["usage"].items()},
                "limits": report["limits"], "over_limits": over,
                "breaches": legal_breaches(report["violations"])}
    return score, " ".join(lines) or "The plan follows the mechanism, covers every " \
        "top-value account and stays within the hours and the budget.", evidence


@evaluator(UNIT, "plan_calls_test")
def plan_calls(artifact: Any, ctx: EvalContext) -> Verdict:
    """Mechanism compliance of next month's plan (violations named) and top-40 coverage."""
    score, message, evidence = plan_score(artifact, ctx.trainee_world())
    return _verdict(score, message, evidence)


# ======================================================================= notebook 2
ASSIGN_TARGET = 0.8           # share of the reference's gain over blind picks: full credit


def reference_assignment(world: Any) -> pd.DataFrame:
    """Greedy: highest-weight calls first, each to the best qualified caller with hours left."""
    from crm_sim.mechanism import mechanism_for

    mech = mechanism_for(world)
    task = pc.assignment_task(world)
    quality = pc.agent_quality(world)
    staff = pc.table(world, "staff").set_index("staff_id")
    outs = pc.table(world, "outsourcers").set_index("outsourcer_id")
    n_q = task["script"].map(lambda items: sum(i in _questions() for i in items))
    minutes = mech.call_minutes(task["channel"], n_q)
    ts = pd.to_datetime(task["slot"], format="%Y-%m-%dT%H:%M")
    week = (ts.dt.normalize() - pd.to_timedelta(ts.dt.day_of_week, unit="D")).astype(str)
    order = task.assign(w=task["segment"].map(pc.SEGMENT_WEIGHT), m=minutes, week=week)
    order = order.sort_values(["w", "lifetime_value"], ascending=False, kind="stable")
    used: dict[tuple[str, str], float] = {}
    assignee = {}
    for row in order.itertuples():
        rules = mech.segments[row.segment]
        best, best_q = None, -1.0
        for agent, q in quality.items():
            if agent in staff.index:
                ok = (staff.at[agent, "skill"] >= rules.min_skill
                      and staff.at[agent, "product_knowledge"] >= rules.min_product_knowledge
                      and used.get((agent, row.week), 0.0) + row.m
                      <= 60 * staff.at[agent, "capacity_hours_week"])
            else:
                ok = (rules.allow_outsourcers and outs.at[agent, "quality"]
                      >= rules.min_outsourcer_quality and used.get((agent, row.week), 0.0) + 1
                      <= outs.at[agent, "capacity_calls_week"])
            if ok and q > best_q:
                best, best_q = agent, q
        if best is None:
            best = quality.index[0]
        used[(best, row.week)] = used.get((best, row.week), 0.0) + (
            row.m if best in staff.index else 1)
        assignee[row.Index] = best
    return task.assign(assignee=pd.Series(assignee))


def _questions() -> tuple[str, ...]:
    from crm_sim.plans import QUESTIONS

    return QUESTIONS


def _calls_in_overloaded_weeks(frame: pd.DataFrame, violations: list) -> set[int]:
    """Row positions of calls whose caller is over capacity in that call's week."""
    weeks = {(v.staff_id, v.when.replace("week of ", "")) for v in violations
             if v.rule_id in ("staff_capacity", "outsourcer_capacity")}
    if not weeks:
        return set()
    ts = pd.to_datetime(frame["slot"], format="%Y-%m-%dT%H:%M")
    monday = (ts.dt.normalize() - pd.to_timedelta(ts.dt.day_of_week, unit="D")).dt.strftime(
        "%Y-%m-%d")
    pairs = list(zip(frame["assignee"].astype(str), monday, strict=True))
    return {i for i, pair in enumerate(pairs) if pair in weeks}


def blind_quality(world: Any) -> float:
    """Segment-weighted caller quality expected from qualified callers picked at random.

    The floor of the quality credit: an assignment that only respects the qualifications
    (not the value at stake) earns no quality credit, whatever the team looks like.
    """
    task = pc.assignment_task(world)
    quality = pc.agent_quality(world)
    mean_q = {s: float(quality.reindex(ids).mean()) if ids else 0.0
              for s, ids in pc.qualified_callers(world).items()}
    weights = task["segment"].map(pc.SEGMENT_WEIGHT).fillna(1.0)
    return float((weights * task["segment"].map(mean_q)).sum() / max(weights.sum(), 1e-9))


@evaluator(UNIT, "assign_people_test")
def assign_people(artifact: Any, ctx: EvalContext) -> Verdict:
    """Compliance × quality credit.

    compliance = share of the task's calls that have a valid caller who is qualified for
    the segment and not over capacity that week. quality credit = clip((q − blind) /
    (0.8 × (reference − blind))), where q is the segment-weighted caller quality of the
    answer, reference the greedy assignment's (best qualified caller with time, heaviest
    calls first) and blind the quality of qualified callers picked at random
    (`blind_quality`): respecting the rules is necessary, putting the best people on the
    most valuable calls earns the marks. The planner's value (no-code) and a DataFrame
    built in code are graded alike.
    """
    world = ctx.trainee_world()
    frame = to_frame(artifact)
    report = pc.assignment_report(frame if frame is not None else artifact, world)
    if report["error"] and not report["violations"] and report["quality"] == 0.0:
        return _verdict(0.0, report["error"], {"calls": report["calls"]})
    calls = report["calls"]
    task = pc.assignment_task(world)
    answer = (frame if frame is not None else pc._as_frame(artifact)).reindex(
        columns=["customer_id", "slot", "assignee"], fill_value="")
    merged = task.merge(answer.astype(str)
                        .drop_duplicates(["customer_id", "slot"]),
                        on=["customer_id", "slot"], how="inner")
    merged = merged[merged["assignee"].isin(pc.agent_quality(world).index)]
    unqualified = {(v.customer_id, v.when) for v in report["violations"]
                   if v.rule_id == "unqualified_assignee"}
    overloaded = _calls_in_overloaded_weeks(merged, report["violations"])
    good = sum(1 for i, (cid, slot) in enumerate(zip(merged["customer_id"], merged["slot"],
                                                       strict=True))
               if (cid, slot) not in unqualified and i not in overloaded)
    compliance = good / calls if calls else 0.0
    ref = pc.assignment_report(reference_assignment(world), world)["quality"]
    blind = blind_quality(world)
    if ref - blind > 1e-9:
        credit = min(1.0, max(0.0, (report["quality"] - blind) / (ASSIGN_TARGET * (ref - blind))))
    else:
        credit = float(report["quality"] >= ref - 1e-9)
    score = compliance * credit
    lines = list(report["problems"])
    if credit < 0.999:
        lines.append("your most valuable calls could have stronger callers: give corporate "
                     "and SME calls to the most skilled, knowledgeable staff qualified for them")
    return _verdict(score, "; ".join(lines) or "Every call has a qualified caller with time "
                    "for it, and the strongest callers take the most valuable calls.",
                    {"calls": calls, "compliant_calls": good,
                     "quality": round(report["quality"], 4),
                     "reference_quality": round(ref, 4), "blind_quality": round(blind, 4),
                     "missing": report["missing"][:20]})


def budget_truth(world: Any) -> pd.DataFrame:
    """The company's budget lines as they truly are (hidden).

    Customers respond on their true best channel (`channel_affinity`), and what an order
    is worth follows their true propensity: monthly value × propensity / the company's
    mean propensity. Costs, order chances, diminishing returns and the training line are
    the notebook's (`pc.promotion_lines`, `pc.training_line`).
    """
    from crm_sim.schema import CHANNELS

    customers, _, staff = pc.budget_inputs(world)
    latent = world.hidden["latent"].set_index("customer_id").reindex(customers["customer_id"])
    propensity = latent["propensity"].to_numpy(float)
    value = pc.monthly_value(customers) * propensity / max(float(np.mean(propensity)), 1e-9)
    shares = pd.get_dummies(latent["channel_affinity"].astype(str).to_numpy()).reindex(
        columns=list(CHANNELS), fill_value=0).astype(float).set_axis(customers.index)
    lines = pc.promotion_lines(customers["segment"].astype(str), shares, value)
    return pd.concat([lines, pc.training_line(staff)], ignore_index=True)


TAUGHT_BUDGET_RULE = {"kind": pc.BUDGET_RULE_KIND, "groups": {pc.BUDGET_GROUP: {
    "reach": "stated_preference", "value": "customer_value", "spend": "best_return_first",
    "training": "skill_gaps"}}}
# What reads none of the economics: fixed 3/2/1 weights by stated channel, in proportion,
# no training (the split this exercise taught before costs and returns were added).
FIXED_SHARES_RULE = {"kind": pc.BUDGET_RULE_KIND, "groups": {pc.BUDGET_GROUP: {
    "reach": "stated_preference", "value": "fixed_3_2_1", "spend": "in_proportion",
    "training": "none"}}}
BUDGET_TARGET = 0.9          # share of the model budget's gain over the floor: full credit


def reference_plan_budget(customers: pd.DataFrame, interactions: pd.DataFrame,
                          staff: pd.DataFrame) -> dict[str, Any]:
    """The model solution: stated channels, customers' own value, best return first, training."""
    return pc.budget_from_rule(TAUGHT_BUDGET_RULE, customers, interactions, staff)


def reference_budget(world: Any) -> dict[str, Any]:
    """The model solution's budget for `world` (from its public tables)."""
    return reference_plan_budget(*pc.budget_inputs(world))


def _amounts_on(lines: pd.DataFrame, frame: pd.DataFrame) -> list[float]:
    """HKD a budget frame puts on each of `lines` (training from its own row)."""
    out = []
    for seg, ch in zip(lines["segment"], lines["channel"], strict=True):
        if seg not in frame.index:
            out.append(0.0)
        elif seg == pc.TRAINING_LINE:
            out.append(float(frame.loc[seg].sum()))
        else:
            out.append(float(frame.at[seg, ch]))
    return out


def truth_value(budget: Any, world: Any, truth: pd.DataFrame | None = None) -> float:
    """HKD `budget` brings on the company's true lines (amounts scaled to HKD 100,000)."""
    frame = pc.budget_frame(budget)
    if frame is None or frame.to_numpy().sum() <= 0:
        return 0.0
    frame = frame * (pc.BUDGET_TOTAL / float(frame.to_numpy().sum()))
    truth = budget_truth(world) if truth is None else truth
    return pc.lines_value(truth, _amounts_on(truth, frame))


def even_budget(world: Any) -> dict[str, Any]:
    """HKD 100,000 split evenly over every segment and channel, nothing on training."""
    from crm_sim.schema import CHANNELS

    segments = sorted(pc.table(world, "customers")["segment"].astype(str).unique())
    each = pc.BUDGET_TOTAL / (len(segments) * len(CHANNELS))
    return {**{s: {c: each for c in CHANNELS} for s in segments}, pc.TRAINING_LINE: 0.0}


MAX_BUDGET_SEGMENTS = 50    # far more than any world has; bounds the work on a hostile answer


def budget_score(budget: Any, world: Any) -> tuple[float, list[str], dict[str, Any]]:
    """(score, problems, evidence) of `budget` on `world`'s true economics.

    value = what the budget brings on the true lines (`budget_truth`: true channels and
    propensities, the notebook's costs, diminishing returns and training line). floor =
    the better of an even split and fixed 3/2/1 shares (`FIXED_SHARES_RULE`), which read
    none of the economics; reference = the model budget from public data. credit =
    clip((value − floor) / (0.9 × (reference − floor))); halved when the amounts do not
    add up to HKD 100,000 (they are scaled to it before valuing).
    """
    if isinstance(budget, dict) and len(budget) > MAX_BUDGET_SEGMENTS:
        return 0.0, [f"the budget names {len(budget)} segments; the company has a few"], {}
    problems = pc.budget_problems(budget, world)
    frame = pc.budget_frame(budget)
    if frame is None or frame.to_numpy().sum() <= 0:
        return 0.0, problems or ["the budget is empty"], {}
    truth = budget_truth(world)
    inputs = pc.budget_inputs(world)
    mine = truth_value(budget, world, truth)
    ref = truth_value(reference_plan_budget(*inputs), world, truth)
    floor = max(truth_value(even_budget(world), world, truth),
                truth_value(pc.budget_from_rule(FIXED_SHARES_RULE, *inputs), world, truth))
    if ref - floor > 1e-6 * max(abs(ref), 1.0):
        credit = (mine - floor) / (BUDGET_TARGET * (ref - floor))
    else:
        credit = float(mine >= ref - 1e-6)
    credit = min(1.0, max(0.0, credit)) if math.isfinite(credit) else 0.0
    total_ok = abs(float(frame.to_numpy().sum()) - pc.BUDGET_TOTAL) <= 1.0
    score = credit * (1.0 if total_ok else 0.5)
    training = float(frame.loc[pc.TRAINING_LINE].sum()) if pc.TRAINING_LINE in frame.index \
        else 0.0
    return score, problems, {"credit": round(credit, 4), "total_ok": total_ok,
                             "value_hkd": round(mine, 2), "reference_value_hkd": round(ref, 2),
                             "floor_value_hkd": round(floor, 2),
                             "training_hkd": round(training, 2)}


@evaluator(UNIT, "budget_test")
def budget(artifact: Any, ctx: EvalContext) -> Verdict:
    """A budget rule or `plan_budget` on the unseen company, scored on its true economics.

    No-code track: the rule (which figures, how to spend, training) is applied by the
    grader (`pc.budget_from_rule`), no trainee code run. Analyst track: the submitted
    function gets the unseen company's public customers, interactions and staff tables
    (`pc.budget_inputs`), as the notebook's does; its budget is scored by `budget_score`
    there. Each world draws its own channel economics, spend and team skills, so a budget
    read off one world's truth misses the others.
    """
    from autograders.checks import to_plain
    from autograders.sandbox.evaluate import CallError

    world = ctx.hidden_world()
    customers, interactions, staff = pc.budget_inputs(world)
    if _is_rule(artifact, pc.BUDGET_RULE_KIND):
        problems = pc.budget_rule_problems(artifact)
        if problems:
            return _verdict(0.0, "the budget rule cannot be used: " + "; ".join(problems), {})
        result = pc.budget_from_rule(artifact, customers, interactions, staff)
    elif not (isinstance(artifact, dict) and "__function__" in artifact):
        return _verdict(0.0, "submit the function plan_budget itself (defined with def), "
                        "not the budget", {})
    else:
        result = ctx.call_function(artifact, [[to_plain(customers), to_plain(interactions),
                                                to_plain(staff)]])[0]
    if isinstance(result, CallError):
        # only the kind (a fixed word): the error's text could carry unseen-company data
        return _verdict(0.0, f"plan_budget failed while running on the unseen company "
                        f"({result.kind}); make it work for any customers, interactions and "
                        "staff tables", {"error": result.kind})
    score, problems, evidence = budget_score(result, world)
    lines = list(problems)
    if evidence.get("credit", 1.0) < 0.999:
        lines.append("on the unseen company the money does not go where it brings most: fund "
                     "first the lines whose first dollars bring most (value at stake against "
                     "the cost of a contact), stop where more contacts to the same customers "
                     "bring less, and fund training where the team's skill gaps make it pay")
        if evidence.get("training_hkd", 1.0) <= 0:
            lines.append("training got nothing")
    return _verdict(score, "; ".join(lines) or "On the unseen company the budget goes where "
                    "each dollar brings most, training included.", evidence)


def checklist_net(items: dict[str, bool], economics: pd.DataFrame) -> float:
    """HKD a month the ticked items bring: their worth minus their cost."""
    chosen = economics.loc[[k for k, v in items.items() if v]]
    return float((chosen["worth"] - chosen["cost"]).sum())


@evaluator(UNIT, "checklist_test")
def checklist(artifact: Any, ctx: EvalContext) -> Verdict:
    """Score = net worth of the ticked items / the best net, with the consent check required.

    Items cost money (`pc.CHECKLIST_COSTS`) and close a share of the gap between agencies
    and own staff (`CHECKLIST_WEIGHTS`), worth HKD per company (`pc.checklist_economics`,
    from the trainee's own world: the gap differs between companies). best = every item
    worth more than it costs, plus the consent check. Without the consent check the
    checklist scores 0 (the law, not a choice). credit = clip((net − net of the consent
    check alone) / (best − net of the consent check alone)). A pilot on the hidden world
    is recorded as evidence.
    """
    from crm_sim.calls import CHECKLIST_WEIGHTS, OutsourcerChecklist

    items, problem = pc.checklist_items(artifact)
    if items is None:
        return _verdict(0.0, problem, {})
    economics = pc.checklist_economics(ctx.trainee_world())
    worth_it = {k: bool(economics.at[k, "worth"] > economics.at[k, "cost"])
                or k in pc.REQUIRED_ITEMS for k in CHECKLIST_WEIGHTS}
    floor = checklist_net({k: k in pc.REQUIRED_ITEMS for k in CHECKLIST_WEIGHTS}, economics)
    best = checklist_net(worth_it, economics)
    mine = checklist_net(items, economics)
    missing_required = [k for k in pc.REQUIRED_ITEMS if not items.get(k)]
    if missing_required:
        score = 0.0
    elif best - floor > 1e-9:
        score = min(1.0, max(0.0, (mine - floor) / (best - floor)))
    else:
        score = float(mine >= best - 1e-9)
    evidence: dict[str, Any] = {"items": items, "net_hkd": round(mine, 2),
                                "best_net_hkd": round(best, 2)}
    try:
        pilot = pc.outsourcing_pilot(ctx.hidden_world(), OutsourcerChecklist(**items), n=30)
        evidence["pilot"] = {k: {c: (float(v) if isinstance(v, (int, float, np.number)) else str(v))
                                 for c, v in row.items()} for k, row in pilot.iterrows()}
    except Exception as exc:  # noqa: BLE001 - evidence only; the score does not depend on it
        evidence["pilot_error"] = f"{type(exc).__name__}: {exc}"
    if missing_required:
        message = "; ".join(f"{k} is required: {pc.REQUIRED_ITEMS[k]}" for k in missing_required)
    elif score < 0.999:
        costly = [k for k, v in items.items() if v and not worth_it[k]]
        skipped = [k for k, v in worth_it.items() if v and not items[k]]
        parts = []
        if costly:
            parts.append(f"these items cost more than they bring here: {', '.join(costly)}")
        if skipped:
            parts.append(f"these items bring more than they cost and are left out: "
                         f"{', '.join(skipped)}")
        message = "; ".join(parts) + ". Compare each item's worth with its cost"
    else:
        message = "The checklist requires what pays for itself, and the consent check."
    return _verdict(score, message, evidence)


# ----------------------------------------------------------------- discovery calls
INFO_TARGET = 0.9


def reference_call_list(world: Any) -> list[dict[str, Any]]:
    """The model solution: rich channel, the warmest qualified caller, five useful questions."""
    from crm_sim.mechanism import mechanism_for

    mech = mechanism_for(world)
    c = pc.table(world, "customers").set_index("customer_id")
    soft = pc.table(world, "staff").set_index("staff_id")["soft_skill"]
    slots = pc.next_month_slots(world)
    rows = []
    for i, cid in enumerate(pc.discovery_list(world)):
        seg = str(c.at[cid, "segment"])
        rules = mech.segments[seg]
        caller = sorted(pc.qualified_staff(world, seg, mech), key=lambda s: (-soft[s], s))
        pref = str(c.at[cid, "preferred_channel"])
        channel = "visit" if "visit" in rules.channels else (
            pref if pref in ("phone", "message") and pref in rules.channels else "phone")
        questions = ["needs", "budget", "timeline", "satisfaction",
                     "decision_maker" if seg != "individual" else "competitor_use"]
        rows.append({"customer_id": cid, "slot": slots[(i * 5) % len(slots)], "channel": channel,
                     "assignee": caller[i % min(2, len(caller))],
                     "purpose": "routine",
                     "script": pc._script_for(mech, seg, "routine", questions)})
    return rows


def replay_calls(ctx: EvalContext, call_list: Any, key: str, which: str = "trainee"
                 ) -> tuple[Any, Any] | None:
    """Run `call_list` on a fresh copy of the trainee's (or the hidden) world.

    On the trainee world this is the notebook's first run. Cached per context, world and
    key, so each list is replayed once. Returns (summary, world after the calls), or None
    when the plan cannot be built.
    """
    from crm_sim.calls import run_plan
    from crm_sim.plans import CallPlan

    cache = ctx._cache.setdefault("itcscr304a_replay", {})
    if (which, key) not in cache:
        world = (ctx.hidden_world() if which == "hidden" else ctx.trainee_world()).copy()
        try:
            plan = CallPlan.build(call_list, world)
            cache[(which, key)] = (run_plan(world, plan), world)
        except Exception:  # noqa: BLE001 - a malformed list was reported by the checks
            cache[(which, key)] = None
    return cache[(which, key)]


def _call_list_value(artifact: Any) -> Any:
    frame = to_frame(artifact)
    return frame if frame is not None else artifact


def _content_key(frame: pd.DataFrame) -> str:
    """A stable key for a call list's rows (so replays are cached per distinct list)."""
    import hashlib
    import json

    from autograders.checks import to_plain

    text = json.dumps(to_plain(frame.reset_index(drop=True)), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def scripted_calls_score(call_list: Any, ctx: EvalContext, which: str = "hidden"
                         ) -> tuple[float, str, dict]:
    """True information solicited by `call_list`, replayed on a world, vs the model list.

    credit = min(1, information score / (0.9 × model's)); score = credit × share of the 20
    accounts called without any rule breach or over-long script.
    """
    from crm_sim.calls import information_score

    world = ctx.hidden_world() if which == "hidden" else ctx.trainee_world()
    value = _call_list_value(call_list)
    report = pc.scripted_calls_report(value, world)
    if report["plan"] is None:
        return 0.0, "; ".join(report["problems"]), {}
    wanted = pc.discovery_list(world)
    plan_frame = report["plan"].frame
    plan_frame = plan_frame[plan_frame["customer_id"].isin(wanted)]
    mine = replay_calls(ctx, plan_frame, _content_key(plan_frame), which)
    ref = replay_calls(ctx, reference_call_list(world), "reference", which)
    info = information_score(mine[0], mine[1]) if mine and len(plan_frame) else 0.0
    info_ref = information_score(ref[0], ref[1]) if ref else 1.0
    credit = min(1.0, info / (INFO_TARGET * info_ref)) if info_ref > 0 else 0.0
    clean = [c for c in wanted if c not in report["missing"] and c not in report["bad_customers"]]
    score = credit * len(clean) / len(wanted)
    lines = list(report["problems"])
    if credit < 0.999:
        lines.append("the calls brought back less true information than they could: use a "
                     "rich channel, a caller with strong soft skills and the questions that "
                     "matter, five at most")
    return score, "; ".join(lines) or "Your calls solicited plenty of true information and " \
        "followed the mechanism.", {"information_score": round(info, 4),
                                    "reference_score": round(info_ref, 4),
                                    "clean_calls": len(clean), "accounts": len(wanted),
                                    "breaches": legal_breaches(report.get("violations"))}


@evaluator(UNIT, "scripted_calls_test")
def scripted_calls(artifact: Any, ctx: EvalContext) -> Verdict:
    """A discovery rule's calls on a hidden company, replayed there.

    No-code track: the rule editor's value (per segment: channel, caller, questions) is
    turned into calls by the grader (`pc.discovery_calls_from_rule`); no trainee code
    runs. Analyst track: `plan_discovery_calls` runs (sandboxed). Either gets the hidden
    world's `pc.discovery_inputs` (accounts, staff, slots, rules) and must give one call
    per account; the calls are made in that world and
    scored by `scripted_calls_score`, so tuning a list on the trainee's own world (or
    reading its truth) earns nothing.
    """
    from autograders.checks import to_plain

    world = ctx.hidden_world()
    accounts, staff, slots, rules = pc.discovery_inputs(world)
    if _is_rule(artifact, pc.DISCOVERY_RULE_KIND):
        problems = pc.discovery_rule_problems(artifact, rules)
        if problems:
            return _verdict(0.0, "the discovery rule cannot be used: " + "; ".join(problems),
                            {})
        result = pc.discovery_calls_from_rule(artifact, accounts, staff, slots, rules)
    else:
        result, failed = _call_submitted(
            artifact, ctx, "plan_discovery_calls",
            [to_plain(accounts), to_plain(staff), slots, rules],
            not_its=", not its call list", inputs="accounts, staff, slots and rules")
        if failed:
            return failed
    if not isinstance(result, list) and not (isinstance(result, dict) and "__frame__" in result):
        return _verdict(0.0, "plan_discovery_calls must return a list of call dicts (or a "
                        f"DataFrame), got {type(result).__name__}", {})
    score, _, evidence = scripted_calls_score(result, ctx, "hidden")
    return _verdict(score, _unseen_calls_message(result, world, score), evidence)


def _unseen_calls_message(call_list: Any, world: Any, score: float) -> str:
    """What to fix in calls planned on the unseen company: kinds of problem, no ids."""
    if score >= 0.999:
        return ("On a company you have not seen, your calls solicited plenty of true "
                "information and followed the mechanism.")
    report = pc.scripted_calls_report(_call_list_value(call_list), world)
    if report["plan"] is None:
        return ("On a company you have not seen the returned calls could not be read as a "
                "call list: return one call dict per account, whatever the company")
    kinds = [text for key, text in (
        ("missing", "some listed accounts have no call"),
        ("extra", "some calls go to accounts not on the list"),
        ("long_scripts", f"some calls ask more than {pc.MAX_QUESTIONS} questions"),
        ("violations", "some calls break the mechanism's rules")) if report.get(key)]
    rules = sorted({str(getattr(v, "rule_id", "")) for v in report.get("violations") or []})
    if rules:
        kinds[-1] += f" ({', '.join(r for r in rules[:6] if r.isidentifier())})"
    kinds.append("use a rich channel, a caller with strong soft skills and the questions "
                 "that matter, five at most")
    return f"On a company you have not seen (score {score:.0%}): " + "; ".join(kinds)


@evaluator(UNIT, "call_records_test")
def call_records(artifact: Any, ctx: EvalContext) -> Verdict:
    """Share of the calls made (replayed from the submitted call list) reported correctly."""
    report = artifact.get("report") if isinstance(artifact, dict) else None
    call_list = artifact.get("call_list") if isinstance(artifact, dict) else None
    if report is None or call_list is None:
        return _verdict(0.0, "submit {'report': call_report, 'call_list': call_list} as the "
                        "test cell does; do not change the test cell", {})
    world = ctx.trainee_world()
    checked = pc.scripted_calls_report(_call_list_value(call_list), world)
    if checked["plan"] is None:
        return _verdict(0.0, "the call list cannot be run: " + "; ".join(checked["problems"]), {})
    replay = replay_calls(ctx, checked["plan"].frame, "as_submitted", "trainee")
    if replay is None:
        return _verdict(0.0, "the call list cannot be run", {})
    records = replay[0].records
    found = pc.call_report_problems(_call_list_value(report), records)
    calls = found["calls"]
    score = len(found["right"]) / calls if calls else 0.0
    return _verdict(score, "; ".join(found["problems"]) or "Every call is recorded with its "
                    "outcome, the facts learned and a dated follow-up.",
                    {"calls": calls, "right": len(found["right"]),
                     "wrong": {k: v[:20] for k, v in found["wrong"].items()}})


# ======================================================================= notebook 3
ESTIMATE_TARGET = 0.9         # share of the model estimator's rank correlation for full credit
FOLLOW_UP_TARGET = 0.8        # share of the model policy's value for full credit
PERSISTENT_MONTHS = 6         # months a change in satisfaction/perception keeps paying


def reference_estimate_state(customers: pd.DataFrame, interactions: pd.DataFrame
                             ) -> pd.DataFrame:
    """The model solution: recent stated satisfaction, less complaints; propensity from it.

    Satisfaction: the bands a customer gave, weighted to the latest (half-life one answer),
    less 0.05 per complaint. Propensity: satisfaction through the behaviour model's
    logistic link (sales are too rare to estimate it per customer).
    """
    band = interactions["info_captured"].astype(str).str.extract(
        r'"satisfaction": "(low|medium|high)"', expand=False).map(pc.BAND_VALUE)
    said = (interactions.assign(v=band).dropna(subset=["v"])
            .sort_values("timestamp", kind="stable"))
    recent = said.groupby("customer_id")["v"].apply(
        lambda s: s.ewm(halflife=1).mean().iloc[-1])
    complaints = interactions[interactions["outcome"] == "complaint"].groupby(
        "customer_id").size()
    ids = customers["customer_id"].astype(str)
    s = (recent.reindex(ids).fillna(recent.mean() if len(recent) else 0.6).to_numpy(float)
         - 0.05 * complaints.reindex(ids).fillna(0).to_numpy(float))
    s = np.clip(s, 0, 1)
    return pd.DataFrame({"customer_id": ids.to_numpy(), "satisfaction_est": s,
                         "propensity_est": 1 / (1 + np.exp(2.2 - 3.5 * (s - 0.5)))})


def _spearman(est: pd.Series, truth: pd.Series) -> float:
    est = pd.to_numeric(est, errors="coerce").reindex(truth.index)
    est = est.fillna(est.mean())
    if est.isna().all() or est.std() == 0:
        return 0.0
    r = est.rank().corr(truth.rank())
    return 0.0 if r is None or not math.isfinite(r) else float(r)


def _call_error(result: Any, name: str = "the function") -> str | None:
    """A failed call on hidden data as the trainee may see it: its kind and type, no text."""
    from autograders.sandbox.evaluate import CallError

    return unseen_failure(name, result) if isinstance(result, CallError) else None


def _call_submitted(artifact: Any, ctx: EvalContext, name: str, args: list, *, inputs: str,
                    not_its: str = "", many: bool = False) -> tuple[Any, Verdict | None]:
    """Call the submitted function `name` in one sandbox, on `args` (hidden-world data).

    With ``many``, `args` is a list of argument lists (one call each, e.g. one per unseen
    company) and the results come back as a list. Returns (its result, None), or (None, a
    zero `Verdict` saying what to fix) when the artefact is not a function or the call
    raised, hung or was killed.
    """
    if not (isinstance(artifact, dict) and "__function__" in artifact):
        return None, _verdict(0.0, f"submit the function {name} itself (defined with def)"
                              f"{not_its}", {})
    results = ctx.call_function(artifact, args if many else [args])
    for result in results:
        error = _call_error(result, name)
        if error:
            return None, _verdict(0.0, f"{error}; make it work for any {inputs}",
                                  {"error": result.kind})
    return (results if many else results[0]), None


@evaluator(UNIT, "estimates_test")
def estimates(artifact: Any, ctx: EvalContext) -> Verdict:
    """Rank correlation of the submitted estimator's output with the hidden truth.

    No-code track: the estimation rule (which answers count, complaint penalty, customers
    never asked, what propensity follows) is applied by the grader
    (`pc.estimates_from_rule`), no trainee code run. Analyst track: the function runs
    (sandboxed). Either way on the hidden world's customers and interactions. Per
    measure, credit = min(1, Spearman ρ / (0.9 × the model estimator's ρ)); score = mean of
    the satisfaction and propensity credits.
    """
    from autograders.checks import to_plain

    world = ctx.hidden_world()
    customers, interactions = pc.analysis_inputs(world)
    if _is_rule(artifact, pc.ESTIMATE_RULE_KIND):
        problems = pc.estimate_rule_problems(artifact)
        if problems:
            return _verdict(0.0, "the estimation rule cannot be used: " + "; ".join(problems),
                            {})
        result = pc.estimates_from_rule(artifact, customers, interactions)
    else:
        result, failed = _call_submitted(
            artifact, ctx, "estimate_state", [to_plain(customers), to_plain(interactions)],
            inputs="customers and interactions tables")
        if failed:
            return failed
    frame = to_frame(result) if not isinstance(result, pd.DataFrame) else result
    need = {"customer_id", "satisfaction_est", "propensity_est"}
    if frame is None or need - set(frame.columns):
        return _verdict(0.0, "estimate_state must return a DataFrame with columns "
                        "customer_id, satisfaction_est, propensity_est", {})
    frame = frame.drop_duplicates("customer_id").set_index(frame["customer_id"].astype(str)
                                                           .drop_duplicates())
    latent = _latent(world)
    ref = reference_estimate_state(customers, interactions).set_index("customer_id")
    credits, evidence = [], {"customers_estimated": int(frame.index.isin(latent.index).sum())}
    for col, true_col in (("satisfaction_est", "satisfaction"), ("propensity_est", "propensity")):
        rho = _spearman(frame[col], latent[true_col])
        rho_ref = max(_spearman(ref[col], latent[true_col]), 0.05)
        credits.append(min(1.0, max(0.0, rho / (ESTIMATE_TARGET * rho_ref))))
        evidence[f"{true_col}_rho"] = round(rho, 4)
        evidence[f"{true_col}_rho_reference"] = round(rho_ref, 4)
    score = float(np.mean(credits))
    lines = []
    if credits[0] < 0.999:
        lines.append("satisfaction estimates rank customers poorly: weigh what customers said "
                     "recently more than long ago, and count complaints against")
    if credits[1] < 0.999:
        lines.append("propensity estimates rank customers poorly: sales are rare, so the sale "
                     "rate alone is noisy; propensity follows satisfaction")
    return _verdict(score, "; ".join(lines) or "Your estimates rank customers well on new data.",
                    evidence)


# The definition's value per segment: a reference solution (never released).
def call_effect_truth(world: Any, days: int = 365) -> dict[str, float]:
    """Per segment, r between routine calls and the change in stated satisfaction, adjusted.

    Over the `days` before ``world.today``: x = routine calls per customer, y = last minus
    first satisfaction band the customer gave (customers who gave at least two), holding
    constant the customer's other contacts in the window (contact intensity), the days
    between their first and last answer, and whether they mentioned a competitor: the
    partial correlation, i.e. r of the residuals of x and y after a least-squares fit on
    those three (NaN when undefined). Without the adjustment, customers contacted more
    often for any reason, watched longer, or courted by rivals drive the raw r.
    """
    inter = pc.table(world, "interactions")
    since = (pc.today(world) - pd.Timedelta(days=days)).strftime("%Y-%m-%d")
    w = inter[inter["timestamp"].astype(str) >= since]
    band = w["info_captured"].astype(str).str.extract(
        r'"satisfaction": "(low|medium|high)"', expand=False).map(pc.BAND_VALUE)
    obs = (w.assign(v=band).dropna(subset=["v"])
           .sort_values(["customer_id", "timestamp"], kind="stable"))
    g = obs.groupby("customer_id")["v"]
    change = (g.last() - g.first())[g.size() >= 2]
    stamp = pd.to_datetime(obs["timestamp"], format="%Y-%m-%dT%H:%M")
    by = stamp.groupby(obs["customer_id"])
    span = (by.max() - by.min()).dt.days
    routine = w["purpose"] == "routine"
    calls = w[routine].groupby("customer_id").size()
    other = w[~routine].groupby("customer_id").size()
    rival = set(w.loc[w["info_captured"].astype(str).str.contains(
        '"competitor": "mentioned"', regex=False), "customer_id"])
    seg = pc.table(world, "customers").set_index("customer_id")["segment"]
    idx = change.index
    df = pd.DataFrame({"y": change, "x": calls.reindex(idx).fillna(0).astype(float),
                       "other": other.reindex(idx).fillna(0).astype(float),
                       "span": span.reindex(idx).fillna(0).astype(float),
                       "rival": idx.isin(rival).astype(float), "segment": seg.reindex(idx)})
    out = {}
    for s, part in df.groupby("segment"):
        if len(part) < 6:
            out[str(s)] = float("nan")
            continue
        design = np.column_stack([np.ones(len(part)), part["other"], part["span"],
                                  part["rival"]])
        rx = part["x"].to_numpy(float) - design @ np.linalg.lstsq(
            design, part["x"].to_numpy(float), rcond=None)[0]
        ry = part["y"].to_numpy(float) - design @ np.linalg.lstsq(
            design, part["y"].to_numpy(float), rcond=None)[0]
        ok = min(float(np.std(rx)), float(np.std(ry))) >= 1e-12
        out[str(s)] = float(np.corrcoef(rx, ry)[0, 1]) if ok else float("nan")
    return out


def call_effect_problems(effect: Any, world: Any) -> tuple[list[str], list[str]]:
    """(problems, segments whose r is within `EFFECT_TOLERANCE` of the definition's value)."""
    truth = call_effect_truth(world)
    if not isinstance(effect, Mapping):
        return [f"call_effect must be a dict {{segment: r}}, got {type(effect).__name__}"], []
    right, problems = [], []
    for seg, r in truth.items():
        got = effect.get(seg)
        if got is None and math.isnan(r):
            right.append(seg)
            continue
        if isinstance(got, bool) or not isinstance(got, (int, float, np.number)):
            problems.append(f"call_effect[{seg!r}] must be a number")
            continue
        got = float(got)
        if (math.isnan(got) and math.isnan(r)) or (math.isfinite(got) and not math.isnan(r)
                                                   and abs(got - r) <= pc.EFFECT_TOLERANCE):
            right.append(seg)
        else:
            problems.append(f"call_effect[{seg!r}] does not match the definition: check the "
                            "window, the routine-call count, the first/last band per customer "
                            "and what is held constant (other contacts, the span between "
                            "answers, a competitor mentioned)")
    return problems, right


EFFECT_COMPANIES = 5         # companies a measure definition is applied on (pooled)


def call_effect_score_many(effects: list[Any], worlds: list[Any]) -> tuple[float, dict]:
    """Share of (company, segment) pairs whose r is within 0.005 of the defined value."""
    right = total = 0
    per_company = []
    for effect, world in zip(effects, worlds, strict=True):
        problems, ok = call_effect_problems(effect, world)
        n = len(call_effect_truth(world))
        right, total = right + len(ok), total + n
        per_company.append(len(ok))
    return (right / total if total else 0.0), {"segments_right": per_company,
                                               "segments_per_company": total // max(
                                                   1, len(worlds))}


@evaluator(UNIT, "call_effect_test")
def call_effect(artifact: Any, ctx: EvalContext) -> Verdict:
    """The measure definition applied to five unseen companies; share of segments right.

    No-code track: the definition (window, calls counted, change, answers, and what is held
    constant) is applied by the grader (`pc.effect_from_tables`), no trainee code run.
    Analyst track: the function `call_effect(customers, interactions, today)` runs
    (sandboxed) once per company. Each company's r per segment is compared with
    `call_effect_truth` (within `pc.EFFECT_TOLERANCE`), pooled over the hidden company and
    four sisters (`unseen_companies`): the raw r, which contact intensity, the span
    between answers and competitor mentions confound, matches it only where those happen
    not to matter.
    """
    from autograders.checks import to_plain

    worlds = unseen_companies(ctx, EFFECT_COMPANIES)
    inputs = [pc.effect_inputs(w) for w in worlds]
    if _is_rule(artifact, pc.EFFECT_RULE_KIND):
        problems = pc.effect_rule_problems(artifact)
        if problems:
            return _verdict(0.0, "the measure definition cannot be used: " + "; ".join(problems),
                            {})
        results = [pc.effect_from_tables(artifact, *i) for i in inputs]
    else:
        results, failed = _call_submitted(
            artifact, ctx, "call_effect", [[to_plain(c), to_plain(i), d] for c, i, d in inputs],
            not_its=" or the measure definition (effect_rule), not its values",
            inputs="customers and interactions tables and day", many=True)
        if failed:
            return failed
    if any(not isinstance(r, Mapping) or "__frame__" in r for r in results):
        return _verdict(0.0, "call_effect must return a dict {segment: r}", {})
    score, evidence = call_effect_score_many(results, worlds)
    if score >= 0.999:
        message = "On companies you have not seen, the adjusted correlation per segment is right."
    else:
        message = (f"On companies you have not seen ({score:.0%} of segments right): check the "
                   "window, the routine-call count, the first/last band per customer and what "
                   "is held constant (other contacts, the span between answers, a competitor "
                   "mentioned)")
    return _verdict(score, message, evidence)


def reference_follow_up(record: dict) -> dict:
    """The model policy: service after a complaint, rest for the tired, promote with consent."""
    allowed = {"corporate": ("visit", "phone", "email"),
               "sme": ("visit", "phone", "email", "message"),
               "individual": ("phone", "email", "message", "letter")}[record["segment"]]
    preferred = record["preferred_channel"]
    channel = preferred if preferred in allowed and preferred in ("visit", "phone", "message") \
        else "phone"
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


def follow_up_value(world: Any, plan: pd.DataFrame) -> tuple[float, dict]:
    """HKD value of next month's follow-up calls (hidden): sales − cost + relationship.

    Relationship = Σ over customers of segment price × (6 × the propensity change from
    satisfaction and perception, which lasts, + the change from fatigue, which fades
    within about a month).
    """
    from crm_sim.behaviour import propensity_of
    from crm_sim.calls import run_plan

    if plan.empty:
        return 0.0, {"calls": 0}
    copy = world.copy()
    before = copy.hidden["latent"].set_index("customer_id")
    summary = run_plan(copy, plan)
    after = copy.hidden["latent"].set_index("customer_id").reindex(before.index)
    price = pc.table(copy, "products").groupby("segment_fit")["price"].mean()
    seg_price = pc.table(copy, "customers").set_index("customer_id")["segment"].map(price) \
        .reindex(before.index).fillna(0.0).to_numpy(float)
    f0 = before["fatigue"].to_numpy(float)
    s0, p0 = before["satisfaction"].to_numpy(float), before["perception"].to_numpy(float)
    s1, p1 = after["satisfaction"].to_numpy(float), after["perception"].to_numpy(float)
    lasting = propensity_of(s1, p1, f0) - propensity_of(s0, p0, f0)
    fading = after["propensity"].to_numpy(float) - propensity_of(s1, p1, f0)
    relationship = float((seg_price * (PERSISTENT_MONTHS * lasting + fading)).sum())
    value = summary.sales_value - summary.cost + relationship
    return float(value), {"calls": summary.made, "sales_value": summary.sales_value,
                          "cost": summary.cost, "relationship": round(relationship, 2),
                          "complaints": summary.complaints, "opt_outs": summary.opt_outs}


# What a team earns without reading the records: the same routine call to every customer,
# on the phone or on their preferred channel (the better of the two is the floor).
BLANKET_CALLS = ({"action": "call", "channel": "phone", "purpose": "routine",
                  "questions": ["needs"]},
                 {"action": "call", "channel": "preferred", "purpose": "routine",
                  "questions": ["needs"]})


def policy_value(world: Any, records: list[dict], recommendations: list[Any]) -> float:
    """`follow_up_value` of recommendations made into calls within the team's hours."""
    plan, _ = pc.follow_up_plan(world, records, recommendations)
    return follow_up_value(world, pc.within_capacity(plan, world)[0])[0]


def blanket_value(world: Any, records: list[dict]) -> float:
    """The better value of the `BLANKET_CALLS` made to every customer (the credit floor)."""
    from crm_sim.mechanism import mechanism_for

    rule = {"kind": pc.FOLLOW_UP_RULE_KIND, "groups": {}}
    channels = {s: r.channels for s, r in mechanism_for(world).segments.items()}
    values = []
    for call in BLANKET_CALLS:
        rule["groups"] = {g: dict(call) for g in pc.FOLLOW_UP_SITUATIONS}
        values.append(policy_value(world, records, [pc.follow_up_from_rule(rule, r, channels)
                                                    for r in records]))
    return max(values)


def follow_up_credit(value: float, ref_value: float, floor: float) -> float:
    """clip((value − blanket) / (0.8 × (model − blanket))): credit for reading the records.

    A blanket call to everyone earns 0 and the model policy 1; where the model adds next to
    nothing over the blanket (under 2% of its value), credit falls back to value / (0.8 ×
    model) so the taught answer still earns its marks.
    """
    gain = ref_value - max(floor, 0.0)
    if gain > 0.02 * abs(ref_value) and ref_value > 0:
        return min(1.0, max(0.0, (value - max(floor, 0.0)) / (FOLLOW_UP_TARGET * gain)))
    if ref_value > 0:
        return min(1.0, max(0.0, value / (FOLLOW_UP_TARGET * ref_value)))
    return float(value >= ref_value)


BATCH_WRAPPER = """

def _crm_grader_batch(records):
    out = []
    for record in records:
        try:
            out.append({"ok": {fn}(dict(record))})
        except Exception as exc:  # the trainee's error, reported per record
            out.append({"error": type(exc).__name__})
    return out
"""


def _recommendations(artifact: Any, ctx: EvalContext, records: list[dict]
                     ) -> tuple[list[Any], str | None]:
    """Call the submitted function on every record in ONE sandboxed call.

    The records go through a small wrapper appended to the submitted source, so a function
    that hangs costs one time-out (not one per record) and an exception on one record is
    reported for that record only. Returns (results with None for failed records, fatal
    error text or None).
    """
    from autograders.sandbox.evaluate import function_source

    found = function_source(artifact)
    if found is None:
        return [None] * len(records), "the submitted value is not a function"
    name, source = found
    wrapped = {"__function__": "_crm_grader_batch", "qualname": "_crm_grader_batch",
               "source": source + BATCH_WRAPPER.replace("{fn}", name)}
    result = ctx.call_function(wrapped, [[records]])[0]
    error = _call_error(result, name)
    if error:
        return [None] * len(records), error
    if not isinstance(result, list) or len(result) != len(records):
        return [None] * len(records), "the function's results could not be read"
    out = [item.get("ok") if isinstance(item, dict) and "ok" in item else None
           for item in result]
    return out, None


@evaluator(UNIT, "follow_up_test")
def follow_up(artifact: Any, ctx: EvalContext) -> Verdict:
    """Value of the recommendations in the next simulated month of a hidden world.

    No-code track: the follow-up rules per situation are applied by the grader to every
    customer record (`pc.follow_up_from_rule`), no trainee code run. Analyst track: the
    function is called (sandboxed) for every customer record of the hidden world. The
    usable calls are made by the engine within each segment's follow-up hours
    (`pc.within_capacity`: calls beyond them are not made); value = sales − cost (staff
    time, travel) + lasting relationship change (see `follow_up_value`). credit =
    `follow_up_credit`: the value added over the better blanket routine call to every
    customer, as a share of 0.8 × what the model policy adds, so calling everyone the same
    way earns nothing. score = credit × share of records with a usable,
    mechanism-compliant recommendation.
    """
    world = ctx.hidden_world()
    if _is_rule(artifact, pc.FOLLOW_UP_RULE_KIND):
        problems = pc.follow_up_rule_problems(artifact)
        if problems:
            return _verdict(0.0, "the follow-up rules cannot be used: " + "; ".join(problems),
                            {})
        from crm_sim.mechanism import mechanism_for

        channels = {s: r.channels for s, r in mechanism_for(world).segments.items()}
        records = pc.customer_records(world)
        recs, fatal = [pc.follow_up_from_rule(artifact, r, channels) for r in records], None
    elif not (isinstance(artifact, dict) and "__function__" in artifact):
        return _verdict(0.0, "submit the function recommend_follow_up itself (defined with "
                        "def)", {})
    else:
        records = pc.customer_records(world)
        recs, fatal = _recommendations(artifact, ctx, records)
    if fatal:
        return _verdict(0.0, f"recommend_follow_up could not be run on the records ({fatal}); "
                        "it must return a dict quickly for every record",
                        {"error": quote(fatal)})
    failed = [r["customer_id"] for r, x in zip(records, recs, strict=True) if x is None]
    plan, problems = pc.follow_up_plan(world, records,
                                       [x if x is not None else {"action": "?"} for x in recs])
    plan, over = pc.within_capacity(plan, world)
    value, evidence = follow_up_value(world, plan)
    ref_value = policy_value(world, records, [reference_follow_up(r) for r in records])
    floor = blanket_value(world, records)
    credit = follow_up_credit(value, ref_value, floor)
    bad = sum(len(v) for v in problems.values())
    usable = 1.0 - bad / len(records) if records else 0.0
    score = credit * usable
    lines = []
    # the records and the recommendations come from the unseen company: say what kind of
    # problem there was, never which record or what the function returned for it
    if failed:
        lines.append(f"recommend_follow_up raised an error for some records {UNSEEN}")
    if any(problem != "action '?' is not one of call, none" for problem in problems):
        lines.append("some recommendations were not usable: check the action, the channel "
                     "the segment allows, the purpose (promotion needs consent) and the "
                     "questions")
    # segment names and hours are the scenario's and the team's, not customer data
    lines += pc.capacity_lines(over)
    if credit < 0.999:
        lines.append("the follow-up month earned less than it could: promote where consent and "
                     "interest allow, look after complaints, rest customers contacted often, "
                     "keep routine contact with business accounts (calling everyone the same "
                     "way earns no credit)")
    evidence.update({"value": round(value, 2), "reference_value": round(ref_value, 2),
                     "blanket_value": round(floor, 2), "credit": round(credit, 4),
                     "over_capacity": over, "unusable": bad, "records": len(records)})
    return _verdict(score, "; ".join(lines) or "Your follow-up actions lift sales and the "
                    "relationship on customers you had never seen.", evidence)


# Variant name -> {solution cell grade_id: replacement source}; "full" is the source.
# Each source replaces the whole solution cell, so it repeats the cell's set-up lines.
# the no-code track's partial: value alone (a weak signal of who buys), consent ticked
_PROSPECTS_VALUE_ONLY = """
scorecard.set_weights({"value_in_segment": 1.0})
scorecard.require_eligible()
prospect_rule = scorecard.value
"""
# the analyst track's wrong answer: only customers who refused marketing
_PROSPECTS_NO_CONSENT = """
def choose_prospects(customers, interactions):
    refused = customers[~customers["dm_consent"].astype(bool)]
    return {s: g["customer_id"].head(15).tolist() for s, g in refused.groupby("segment")}

prospect_rule = choose_prospects
"""
_PLAN_LATE_CALLS = """
from crm_sim.plans import CallPlan
from periodic_calls import next_month_slots

slots = next_month_slots(world)
by_id = customers.set_index("customer_id")
top_value = customers.sort_values("lifetime_value", ascending=False).head(40)["customer_id"]
rows = []
for i, cid in enumerate(top_value):
    segment = by_id.at[cid, "segment"]
    rows.append({"customer_id": cid, "slot": slots[i][:10] + "T21:00", "channel": "phone",
                 "assignee": world.staff["staff_id"].iloc[0], "purpose": "promotion",
                 "script": ["greeting"]})
plan_rule = CallPlan.build(rows, world)
"""
_CALL_LIST_EMAIL = """
from periodic_calls import discovery_inputs

def plan_discovery_calls(accounts, staff, slots, rules):
    return [{"customer_id": cid, "slot": slots[i], "channel": "email",
             "assignee": staff["staff_id"].iloc[0], "purpose": "routine",
             "script": ["greeting", "identify_self", "state_purpose", "closing", "needs",
                        "budget", "timeline", "satisfaction", "pain_points", "competitor_use"]}
            for i, cid in enumerate(accounts["customer_id"])]

discovery_rule = plan_discovery_calls
"""
_CALL_LIST_NONE = """
from periodic_calls import discovery_inputs

def plan_discovery_calls(accounts, staff, slots, rules):
    return []

discovery_rule = plan_discovery_calls
"""
_REPORT_NO_DATES = """
records = summary.records
call_report = pd.DataFrame({"customer_id": records["customer_id"].astype(str),
                            "outcome": records["outcome"].astype(str),
                            "facts": records["info_captured"].map(json.loads),
                            "follow_up": records["follow_up"], "follow_up_date": ""})
"""
_ESTIMATE_SALE_RATE = """
from periodic_calls import analysis_inputs

customers, interactions = analysis_inputs(world)

def estimate_state(customers, interactions):
    import pandas as pd
    band = interactions["info_captured"].str.extract(
        r'"satisfaction": "(low|medium|high)"', expand=False).map(
        {"low": 0.25, "medium": 0.55, "high": 0.85})
    mean_said = band.groupby(interactions["customer_id"]).mean()
    sales = (interactions["outcome"] == "sale").groupby(interactions["customer_id"]).mean()
    ids = customers["customer_id"]
    return pd.DataFrame({"customer_id": ids,
                         "satisfaction_est": mean_said.reindex(ids).fillna(0.6).to_numpy(),
                         "propensity_est": sales.reindex(ids).fillna(0.0).to_numpy()})

estimate_rule = estimate_state
"""
# the partial follow-up: the model policy without routine calls to business accounts
_FOLLOW_UP_NO_BUSINESS = """
from periodic_calls import customer_records, try_follow_up

records = customer_records(world)

def recommend_follow_up(record):
    allowed = {"corporate": ("visit", "phone"), "sme": ("visit", "phone", "message"),
               "individual": ("phone", "message")}[record["segment"]]
    channel = record["preferred_channel"] if record["preferred_channel"] in allowed else "phone"
    if record["last_outcome"] == "complaint":
        return {"action": "call", "channel": channel, "purpose": "service",
                "questions": ["satisfaction", "pain_points"]}
    if record["contacts_90d"] >= 4 or not record["dm_consent"]:
        return {"action": "none"}
    return {"action": "call", "channel": channel, "purpose": "promotion",
            "questions": ["needs", "budget", "timeline"]}

follow_up_rule = recommend_follow_up
"""
_FOLLOW_UP_IGNORE_CONSENT = """
from periodic_calls import customer_records, try_follow_up

records = customer_records(world)

def recommend_follow_up(record):
    return {"action": "call", "channel": "letter", "purpose": "promotion",
            "questions": ["needs", "budget", "timeline", "satisfaction", "pain_points",
                          "competitor_use"]}

follow_up_rule = recommend_follow_up
"""
# the model's split of twice the money: right shares, wrong total (score exactly 0.5)
_BUDGET_DOUBLED = """from periodic_calls import budget_inputs

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
    for _ in range(200):
        mid = (low + high) / 2
        x = np.where(first > np.exp(mid), sat * (np.log(first) - mid), 0.0)
        low, high = (mid, high) if x.sum() > 100_000 else (low, mid)
    x = np.where(first > np.exp(high), sat * (np.log(first) - high), 0.0)
    x = x * 200_000 / x.sum()
    out = {s: {} for s in customers["segment"].unique()}
    for s, ch, amount in zip(lines["segment"], lines["preferred_channel"], x[:-1]):
        out[s][ch] = float(amount)
    out["training"] = float(x[-1])
    return out

budget_rule = plan_budget
"""
# The segment that did NOT complain most, in the trainee's own option order.
_OWN_K5_WRONG = (
    'answer_own_k5 = shown_letter("answer_own_k5", {"corporate": "a", "sme": "b", '
    '"individual": "c"}[[s for s in ("corporate", "sme", "individual") if s not in '
    'own_company.top_segments(own_company.complaints_table(world).tail(3).sum())][0]], '
    '"abc")\n')
VARIANTS: dict[str, dict[str, str]] = {
    "partial": {
        "q_k2_answer": 'answer_k2 = shown_letter("answer_k2", "a")',
        "q_k4_answer": 'answer_k4 = shown_letter("answer_k4", "a")',
        "q_k7_answer": 'answer_k7 = shown_letter("answer_k7", "a")',
        "segment_summary_answer": (
            "import pandas as pd\n\ncustomers = world.customers\n"
            "today = pd.Timestamp(world.today)\n"
            "segment_summary = customers.groupby('segment').agg(\n"
            "    customers=('customer_id', 'size'), consented_share=('dm_consent', 'mean'),\n"
            "    mean_value=('lifetime_value', 'mean'))\n"
            "segment_summary['contacted_90d_share'] = 0.0\n"),
        "prospects_answer": _PROSPECTS_VALUE_ONLY,
        "plan_calls_answer": _PLAN_LATE_CALLS,
        # the planner with no caller list for individuals: their calls stay without a caller
        "assign_people_answer": 'planner.best_first("corporate")\nplanner.best_first("sme")\n'
                                "planner.fill()\nassigned = planner.value\n",
        "budget_answer": _BUDGET_DOUBLED,
        "checklist_answer": "checklist = OutsourcerChecklist(script_adherence=True, "
                            "consent_check=True)\n",
        "call_list_answer": _CALL_LIST_EMAIL,
        "call_report_answer": _REPORT_NO_DATES,
        "estimates_answer": _ESTIMATE_SALE_RATE,
        # the measure without the competitor mention held constant (right where it matters
        # little)
        "call_effect_answer": 'effect_rules.choose_all({"measure": {"window_days": "365", '
                              '"calls_counted": "routine", "change": "last_minus_first", '
                              '"min_answers": "2", "other_contacts": "held_constant", '
                              '"answer_span": "held_constant", '
                              '"competitor_mentioned": "ignored"}})\n'
                              "effect_rule = effect_rules.value\n",
        "follow_up_answer": _FOLLOW_UP_NO_BUSINESS,
        "conduct_written": "I would sell him what suits him.",
    },
    "wrong": {
        # a wrong option of the author's, in the variant trainee's own option order
        **{f"q_{k}_answer": f'answer_{k} = shown_letter("answer_{k}", '
                            f'"{"a" if v != "a" else "b"}")'
           for k, v in CHOICE_KEYS.items()},
        "q_own_k5_answer": _OWN_K5_WRONG,
        "segment_summary_answer": "import pandas as pd\n\ncustomers = world.customers\n"
                                  "today = pd.Timestamp(world.today)\nsegment_summary = 42\n",
        "prospects_answer": _PROSPECTS_NO_CONSENT,
        "referral_answer": "from crm_sim.leads import generate_sources\n"
                           "from crm_sim.leads.network import referral_graph\n\n"
                           "generate_sources(world)\nreferral_champions = []\n",
        "plan_calls_answer": "plan_rule = []\n",
        "assign_people_answer": "from periodic_calls import assignment_task\n\n"
                                "assigned = assignment_task(world).assign(assignee='O001')\n",
        "budget_answer": "def plan_budget(customers, interactions, staff):\n    return {}\n\n"
                         "budget_rule = plan_budget\n",
        "checklist_answer": "checklist = OutsourcerChecklist()\n",
        "call_list_answer": _CALL_LIST_NONE,
        "call_report_answer": "call_report = pd.DataFrame()\n",
        "estimates_answer": "def estimate_state(customers, interactions):\n"
                            "    return 0.5\n\nestimate_rule = estimate_state\n",
        "call_effect_answer": "effect_rule = {}\n",
        "follow_up_answer": _FOLLOW_UP_IGNORE_CONSENT,
        "conduct_written": "",
    },
}
