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
from typing import Any

import numpy as np
import pandas as pd

from autograders.checks import EvalContext, evaluator, to_frame
from autograders.results import Verdict
from crm_sim.ui import periodic_calls as pc

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
MIN_REFERENCE_LIFT = 0.2    # floor, so a world with little signal is not divided by ~0
PLAN_WEIGHT_COMPLIANCE = 0.6
PLAN_WEIGHT_COVERAGE = 0.4


def _verdict(score: float, message: str, evidence: dict | None = None) -> Verdict:
    """A Verdict with the score clipped to 0..1 and rounded (stable marks in reports)."""
    score = 0.0 if not math.isfinite(score) else min(1.0, max(0.0, score))
    return Verdict(round(score, 4), message, evidence or {})


# ============================================================================== quizzes
def _choice(key: str):
    def check(artifact: Any, ctx: EvalContext) -> Verdict:
        problem = pc.choice_problem(artifact, LETTERS)
        if problem:
            return _verdict(0.0, f"answer_{key}: {problem}.", {"answer": None})
        answer = artifact.strip().lower()
        if answer == CHOICE_KEYS[key]:
            return _verdict(1.0, f"answer_{key}: correct.", {"answer": answer})
        return _verdict(0.0, f"answer_{key} = {answer!r} is not the best option: "
                        f"{CHOICE_HINTS[key]}.", {"answer": answer})
    check.__name__ = check.__qualname__ = f"choice_{key}"
    check.__doc__ = f"Multiple-choice question {key.upper()}: 1 for the key, else 0."
    return check


for _key in CHOICE_KEYS:
    evaluator(UNIT, f"q_{_key}_test")(_choice(_key))


# ===================================================================== 1a segment summary
@evaluator(UNIT, "segment_summary_test")
def segment_summary(artifact: Any, ctx: EvalContext) -> Verdict:
    """Score = share of the 12 (segment, column) values equal to the truth (public data)."""
    frame = to_frame(artifact)
    problems, right, total = pc.segment_summary_problems(frame if frame is not None
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
    """Sum of (propensity − pool mean) over `ids` as a share of the top-k oracle's sum."""
    if pool.empty:
        return 0.0
    mean = float(pool.mean())
    oracle = float((pool.sort_values(ascending=False).head(k) - mean).sum())
    if oracle <= 0:
        return 0.0
    got = float((pool.reindex(ids).dropna() - mean).sum())
    return got / oracle


@evaluator(UNIT, "prospects_test")
def prospects(artifact: Any, ctx: EvalContext) -> Verdict:
    """Per segment: lift of true propensity vs the reference heuristic, times consent share.

    For each segment, lift = Σ(propensity − consented mean) over the valid picks divided by
    the same sum for the true top-15 (the oracle). Credit = min(1, lift / (0.9 × reference
    heuristic's lift)), multiplied by (1 − picks without consent / 15). Score = mean over
    segments. Unknown, duplicated or misfiled ids earn nothing.
    """
    world = ctx.trainee_world()
    k = pc.PROSPECTS_PER_SEGMENT
    found = pc.prospect_problems(artifact, world, k)
    latent = _latent(world)
    customers = pc.table(world, "customers")
    reference = reference_prospects(world, k)
    per_segment = {}
    for seg in found["segments"]:
        pool_ids = customers.loc[(customers["segment"] == seg)
                                 & customers["dm_consent"].astype(bool), "customer_id"]
        pool = latent["propensity"].reindex(pool_ids)
        lift = _segment_lift(found["valid"][seg], pool, k)
        ref = max(_segment_lift(reference.get(seg, []), pool, k), MIN_REFERENCE_LIFT)
        ids = artifact.get(seg, []) if isinstance(artifact, dict) else []
        no_consent = [c for c in found["no_consent"] if c in (ids if isinstance(ids, list)
                                                              else [])]
        credit = min(1.0, max(0.0, lift) / (PROSPECT_TARGET * ref))
        credit *= max(0.0, 1.0 - len(no_consent) / k)
        per_segment[seg] = round(credit, 4)
    score = float(np.mean(list(per_segment.values()))) if per_segment else 0.0
    weak = [s for s, c in per_segment.items() if c < 0.999]
    lines = list(found["problems"])
    if weak:
        lines.append("these segments' prospects are less likely to buy than they could be: "
                     f"{', '.join(weak)}. Combine value, past sales, answered calls and "
                     "recency within each segment")
    message = "Strong prospect lists in every segment." if not lines else "; ".join(lines)
    return _verdict(score, message, {"credit_per_segment": per_segment,
                                     "no_consent": found["no_consent"][:20],
                                     "unknown": found["unknown"][:20]})


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


@evaluator(UNIT, "referral_test")
def referrals(artifact: Any, ctx: EvalContext) -> Verdict:
    """Score = distinct prospects reached by the valid champions / reached by greedy reference."""
    world = ctx.trainee_world()
    problems, valid = pc.referral_problems(artifact, world)
    graph = _graph(world)
    reach = _reach(graph, valid)
    best = max(_reach(graph, reference_champions(graph)), 1)
    score = min(1.0, reach / best)
    lines = list(problems)
    if score < 0.999:
        lines.append(f"your champions reach {reach} distinct prospects; more are reachable: "
                     "add one champion at a time, the one who adds most new prospects")
    return _verdict(score, "; ".join(lines) or f"Your champions reach {reach} prospects.",
                    {"reach": reach, "reference_reach": best, "valid": valid})


# ============================================================================== 3 plan
def plan_score(plan: Any, world: Any) -> tuple[float, str, dict]:
    """0.6 × compliance + 0.4 × coverage of the top-value accounts (0 if unreadable)."""
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
    n_bad = len(report["violations"]) + len(report["outside_month"])
    compliance = max(0.0, 1.0 - n_bad / calls)
    coverage = len(report["covered"]) / pc.TOP_VALUE_ACCOUNTS
    score = PLAN_WEIGHT_COMPLIANCE * compliance + PLAN_WEIGHT_COVERAGE * coverage
    lines = []
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
    evidence = {"calls": calls, "violations": by_rule, "outside_month": len(report["outside_month"]),
                "top_value_covered": len(report["covered"]), "compliance": round(compliance, 4),
                "coverage": round(coverage, 4)}
    return score, " ".join(lines) or "The plan follows the mechanism and covers every " \
        "top-value account.", evidence


@evaluator(UNIT, "plan_calls_test")
def plan_calls(artifact: Any, ctx: EvalContext) -> Verdict:
    """Mechanism compliance of next month's plan (violations named) and top-40 coverage."""
    score, message, evidence = plan_score(artifact, ctx.trainee_world())
    return _verdict(score, message, evidence)


# Variant name -> {solution cell grade_id: replacement source}; "full" is the source.
VARIANTS: dict[str, dict[str, str]] = {
    "partial": {
        "q_k2_answer": 'answer_k2 = "a"',
        "q_k4_answer": 'answer_k4 = "a"',
        "segment_summary_answer": (
            "import pandas as pd\ncustomers = world.customers\ntoday = pd.Timestamp(world.today)\n"
            "segment_summary = customers.groupby('segment').agg(\n"
            "    customers=('customer_id', 'size'), consented_share=('dm_consent', 'mean'),\n"
            "    mean_value=('lifetime_value', 'mean'))\n"
            "segment_summary['contacted_90d_share'] = 0.0\n"),
    },
    "wrong": {
        "q_k1_answer": 'answer_k1 = "c"',
        "q_k2_answer": 'answer_k2 = "a"',
        "q_k3_answer": 'answer_k3 = "a"',
        "q_k4_answer": 'answer_k4 = "a"',
        "q_k5_answer": 'answer_k5 = "a"',
        "segment_summary_answer": "import pandas as pd\ncustomers = world.customers\n"
                                  "today = pd.Timestamp(world.today)\nsegment_summary = 42\n",
    },
}
