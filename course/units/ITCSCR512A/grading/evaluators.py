"""Evaluators, answer keys, rubric and cohort variants of unit ITCSCR512A.

One evaluator per graded test cell of ``course/units/ITCSCR512A``. Every score is a fixed
fraction (tiers), so tests can assert exact marks and an assessor can read why a mark was
given from the evidence. Messages say what to fix; they never print answer keys or
anything read from the hidden world.

Every performance cell is judged on an **unseen company** built from the hidden seed,
never on the trainee's own (which they can rebuild, truth and all). The trainee hands in
decisions as data: a contact policy (`crm_sim.policy.ContactPolicy.to_dict()`), a resource
method, monitoring rules, a review rule. The grader applies them there itself: no trainee
code runs. Figures that only make sense in the trainee's own company (the budget they set
for it) are checked in the trainee's own company, rebuilt from their seed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from autograders.checks import EvalContext, evaluator
from autograders.checks.answers import JudgementTexts, grade_judgement, grade_letter
from autograders.checks.messages import quote
from autograders.results import Verdict
from crm_sim.errors import CrmSimError
from crm_sim.policy import (
    ContactPolicy,
    MonitorRules,
    ResourceMethod,
    actor_report,
    adopt,
    predict_resources,
    run_month,
    starter_policy,
    totals,
    true_resources,
    true_violators,
    validate,
)
from crm_sim.ui.quiz import original_option

from .. import contact_desk as desk

UNIT = "ITCSCR512A"
MAX_SEGMENTS = 12            # more segment policies than any company has
MAX_RULES = 40               # channel rules of one segment
MAX_ITEMS = 50               # roles, scripts, checklists, indicators of one list
MONITOR_MONTHS = 6           # months the unseen company runs before its log is judged

# --------------------------------------------------------------------- answer keys
MC_KEYS = {"q_k1_test": "c", "q_k2_test": "a", "q_k3_test": "b", "q_k5_test": "d",
           "q_k6_test": "a", "q_k7_test": "c"}
MC_HINTS = {
    "q_k1_test": "think about what actually carries a CRM programme to the customer",
    "q_k2_test": "think about how many different people speak to one customer",
    "q_k3_test": "think about the two numbers that show whether contact works",
    "q_k5_test": "think about what makes service the same whoever answers",
    "q_k6_test": "weigh what each means of contact costs against what it achieves",
    "q_k7_test": "think about what an indicator is for once it has been read",
}
OWN_SEGMENT_OPTIONS = {"a": "corporate", "b": "sme", "c": "individual"}
JUDGEMENTS = {
    "prof_x3_test": {"choice": "b", "reasons": desk.X3_REASONS,
                     "good": frozenset({"consent_law", "agent_liability", "uemo_rules"})},
    "prof_x1_test": {"choice": "c", "reasons": desk.X1_REASONS,
                     "good": frozenset({"honest_records", "law_breached", "fair_process"})},
    "prof_p1_test": {"choice": "b", "reasons": desk.P1_REASONS,
                     "good": frozenset({"understand_why", "feedback_loop",
                                        "consistent_service"})},
    "prof_x2_test": {"choice": "b", "reasons": desk.X2_REASONS,
                     "good": frozenset({"customer_preference", "sustainable_value",
                                        "measure_and_adjust"})},
}
# Choices that are breaches of the law (unit.toml gates them).
BREACH_CHOICES: dict[str, dict[str, str]] = {
    "prof_x3_test": {
        "a": "unconsented_agency_campaign: messages to customers who opted out "
             "(PDPO s.35E, s.35G; s.65 for the agency)",
        "c": "unconsented_agency_campaign: messages to customers whose opt-out is older than "
             "a month (PDPO s.35G)"},
    "prof_x1_test": {
        "a": "unconsented_marketing_tolerated: marketing calls without consent left to "
             "continue (PDPO s.35E)"},
}
REVIEW_KEY = {
    "new_customers_below_target": "add_acquisition_contacts",
    "retention_below_target": "contact_on_preferred_channel",
    "staff_breaking_policy": "retrain_and_supervise",
    "agency_breaking_policy": "audit_and_warn_agency",
    "opt_outs_rising": "reduce_frequency",
}
RESOURCE_TIERS = ((0.15, 1.0), (0.25, 0.5), (0.4, 0.25))       # max relative error
MONITOR_TIERS = ((0.9, 1.0), (0.75, 0.5), (0.6, 0.25))         # F1
RUBRICS = {
    "culture_written": (
        "3 points, one per line:\n"
        "1. Explains to staff why the policy serves customers and the company, with a figure "
        "from the trainee's own dashboard (breaches, new customers or retention).\n"
        "2. Names how staff are equipped and kept on it: training hours, checklists, "
        "supervision or coaching, monthly team figures.\n"
        "3. Balances interests: contact customers welcome (consent, frequency, channel), "
        "recognises good contact, treats breaches fairly (facts first, retraining).\n"
        "0 for a line missing, or for a plan that relies on penalties alone or on "
        "contacting customers without consent."
    ),
}


# --------------------------------------------------------------------- helpers
def _size_problem(artifact: Any) -> str:
    """Why a policy artefact is too big to be a policy ("" when it is not)."""
    segs = artifact.get("segments")
    if not isinstance(segs, list) or len(segs) > MAX_SEGMENTS:
        return f"segments must be a list of at most {MAX_SEGMENTS} segment policies"
    for seg in segs:
        if not isinstance(seg, Mapping):
            return "each segment policy must be the designer's data"
        if isinstance(seg.get("channels"), list) and len(seg["channels"]) > MAX_RULES:
            return f"a segment has more than {MAX_RULES} channel rules"
        for key in ("staff_roles", "scripts", "checklists"):
            if isinstance(seg.get(key), list) and len(seg[key]) > MAX_ITEMS:
                return f"{key} has more than {MAX_ITEMS} entries"
    if isinstance(artifact.get("indicators"), list) and len(artifact["indicators"]) > MAX_ITEMS:
        return f"indicators has more than {MAX_ITEMS} entries"
    return ""


def _policy(artifact: Any) -> tuple[ContactPolicy | None, Verdict | None]:
    """The policy handed in, or a 0 verdict saying what to hand in."""
    if not isinstance(artifact, Mapping) or "segments" not in artifact or \
            artifact.get("kind") is not None:
        return None, Verdict(0.0, "Submit the policy designer's value (designer.value).",
                             {"error": "not a policy"})
    problem = _size_problem(artifact)
    if problem:
        return None, Verdict(0.0, f"The policy cannot be read: {problem}.",
                             {"error": "too big"})
    try:
        return ContactPolicy.from_dict(dict(artifact)), None
    except CrmSimError as exc:
        return None, Verdict(0.0, f"The policy cannot be read: {quote(str(exc))}",
                             {"error": "invalid policy"})


def _law_breaches(issues: list) -> list[str]:
    return [f"policy_breaks_privacy_law: {i.field} ({i.source})" for i in issues if i.is_law]


def _wrong_segments(policy: ContactPolicy, world: Any) -> Verdict | None:
    want = sorted(world.scenario.segments)
    have = sorted(s.segment for s in policy.segments)
    if have != want:
        return Verdict(0.0, f"The policy must have one segment policy for each of "
                            f"{', '.join(want)}.", {"segments": have[:MAX_SEGMENTS]})
    return None


def _policy_in_unseen_company(artifact: Any, ctx: EvalContext
                              ) -> tuple[ContactPolicy | None, Any, Verdict | None]:
    """The policy handed in and the unseen company it is judged in, or a 0 verdict.

    The verdict says what is wrong: not a policy, too big to read, invalid, or without one
    segment policy for each of that company's segments. The unseen company is built only
    for a policy that can be read.
    """
    pol, bad = _policy(artifact)
    if bad:
        return None, None, bad
    hidden = ctx.hidden_world()
    return pol, hidden, _wrong_segments(pol, hidden)


def _tier(value: float, tiers, higher_is_better: bool = True) -> float:
    if not isinstance(value, (int, float)) or math.isnan(value):
        return 0.0
    for bound, score in tiers:
        if (value >= bound) if higher_is_better else (value <= bound):
            return score
    return 0.0


def _is_kind(artifact: Any, kind: str) -> bool:
    return isinstance(artifact, Mapping) and artifact.get("kind") == kind


# The keys each view's value has: anything else was not made by the view (tampering).
VIEW_KEYS = {
    "resource_method": {"kind", "handling", "allow_unanswered", "productive_share"},
    "monitor": {"kind", "rules", "tables", "every_months"},
    "review_rule": {"kind", "groups"},
}


def _foreign_keys(artifact: Mapping, kind: str) -> Verdict | None:
    extra = sorted(str(k) for k in artifact if k not in VIEW_KEYS[kind])
    if extra:
        return Verdict(0.0, f"The answer has keys the view never produces "
                            f"({quote(extra[:3])}): hand in the view's value unchanged.",
                       {"error": "foreign keys"})
    return None


def _not_the_views_value(artifact: Any, kind: str, hand_in: str, error: str,
                         mapping: str | None = None) -> Verdict | None:
    """None when `artifact` is what the `kind` view hands in; else the 0 verdict saying so.

    Args:
        artifact: the trainee's answer.
        kind: the view's kind (a key of VIEW_KEYS).
        hand_in: what to submit, e.g. "resource planner's value (planner.value)".
        error: the evidence's error when the answer is not of that kind.
        mapping: a key whose value must be a mapping for the answer to be of that kind.
    """
    if not _is_kind(artifact, kind) or \
            (mapping is not None and not isinstance(artifact.get(mapping), Mapping)):
        return Verdict(0.0, f"Submit the {hand_in}.", {"error": error})
    return _foreign_keys(artifact, kind)


# ------------------------------------------------------------- knowledge (MC)
def _mc(grade_id: str, artifact: Any, trainee_id: str) -> Verdict:
    """1 when the letter, mapped back from the trainee's option order, is the key; else 0."""
    return grade_letter(artifact, MC_KEYS[grade_id], trainee_id=trainee_id,
                        question="answer_" + grade_id[2:-len("_test")],
                        wrong=f"Not the best option: {MC_HINTS[grade_id]}.")


for _gid in MC_KEYS:
    evaluator(UNIT, _gid)(lambda artifact, ctx, _g=_gid: _mc(_g, artifact, ctx.trainee_id))


@evaluator(UNIT, "q_own_k4_test")
def own_company_consent(artifact: Any, ctx: EvalContext) -> Verdict:
    """K4 on the trainee's own company: 1 for the segment with the least consent ever given.

    From ``ever_consented_%`` of `contact_desk.segment_profile` on the trainee's world
    rebuilt from the seed (consent given before the unit starts, which nothing the trainee
    does changes); on an exact tie every lowest segment earns 1.
    """
    if not isinstance(artifact, str) or artifact.strip().lower() not in OWN_SEGMENT_OPTIONS:
        return Verdict(0.0, "Put a single letter in quotes in the answer cell: \"a\", \"b\" "
                            "or \"c\".", {"answer": repr(artifact)[:40]})
    answer = artifact.strip().lower()
    option = original_option(ctx.trainee_id, "answer_own_k4", answer, OWN_SEGMENT_OPTIONS)
    table = desk.segment_profile(ctx.trainee_world()).set_index("segment")["ever_consented_%"]
    lowest = sorted(table[table == table.min()].index)
    chosen = OWN_SEGMENT_OPTIONS.get(option or "")
    evidence = {"answer": answer, "option": option, "segment": chosen, "lowest": lowest}
    if chosen in lowest:
        return Verdict(1.0, "Correct: that is what your own customers' records show.",
                       evidence)
    return Verdict(0.0, "That does not match your company's segment table: compare the "
                        "ever_consented_% column.", evidence)


# ------------------------------------------------------------- professionalism
JUDGEMENT_TEXTS = JudgementTexts(
    malformed="Set the choice to one letter and the reasons to a list of reason codes.",
    wrong_choice="That choice does not balance the customers' interests, the company's and "
                 "the law: weigh who is contacted, on what consent, and what the staff learn "
                 "from it.",
    missing="; name every consideration: the law, the people concerned, the company")


def _judgement(grade_id: str, artifact: Any) -> Verdict:
    spec = JUDGEMENTS[grade_id]
    return grade_judgement(artifact, choice=spec["choice"], codes=spec["reasons"],
                           good=spec["good"], texts=JUDGEMENT_TEXTS,
                           breaches=BREACH_CHOICES.get(grade_id),
                           unknown_shown=10, unknown_kept=10, choice_kept=5)


for _gid in JUDGEMENTS:
    evaluator(UNIT, _gid)(lambda artifact, ctx, _g=_gid: _judgement(_g, artifact))


# ------------------------------------------------------------- exercise 2: the policy
@evaluator(UNIT, "policy_test")
def policy(artifact: Any, ctx: EvalContext) -> Verdict:
    """The policy, launched in an unseen company: feasible, lawful, complete (AC-i).

    Half for no infeasibility there (a quarter with one or two), a quarter for the
    company-specific figures (budget, targets) checked in the trainee's own company, a
    quarter for completeness (training, checklists, scripts, supervision, indicators,
    review cadence). 0 and a gate breach for any rule that breaks the PDPO or the UEMO.
    """
    pol, hidden, bad = _policy_in_unseen_company(artifact, ctx)
    if bad:
        return bad
    there = validate(pol, hidden)
    law = _law_breaches(there)
    if law:
        return Verdict(0.0, "The policy breaks the privacy law: "
                            + "; ".join(sorted({str(i).split('. Fix:')[0]
                                                for i in there if i.is_law})[:5]) + ".",
                       {"law_issues": len(law)}, breaches=law)
    general = [i for i in there if i.rule not in desk.COMPANY_FIGURE_RULES]
    own = [i for i in validate(pol, ctx.trainee_world()) if i.rule in desk.COMPANY_FIGURE_RULES]
    missing = desk.completeness(pol)
    score = (0.5 if not general else 0.25 if len(general) <= 2 else 0.0) \
        + (0.25 if not own else 0.0) + (0.25 if not missing else 0.0)
    evidence = {"issues_unseen_company": [i.rule for i in general][:20],
                "issues_own_figures": [i.rule for i in own], "missing": len(missing)}
    if score == 1.0:
        return Verdict(1.0, "The policy can be launched in another company as it stands, "
                            "and it is complete.", evidence)
    tips = []
    if general:
        tips.append("launched in another company it meets these problems: "
                    + ", ".join(sorted({i.rule for i in general})[:6])
                    + " (leave headroom in staff hours; use channels and roles every "
                      "company has)")
    if own:
        tips.append("in your own company: " + ", ".join(sorted({i.rule for i in own})))
    if missing:
        tips.append("incomplete: " + "; ".join(missing[:3]))
    return Verdict(score, "Not yet launchable: " + "; ".join(tips) + ".", evidence)


@evaluator(UNIT, "deploy_test")
def deploy(artifact: Any, ctx: EvalContext) -> Verdict:
    """P5 on an unseen company: each segment's own people, the best to the biggest, enough.

    Half for the roles (each segment's own role, none that serves only others), a quarter
    for the most valuable segment asking the most skill, a quarter for enough eligible
    people there (no staffing issue).
    """
    pol, hidden, bad = _policy_in_unseen_company(artifact, ctx)
    if bad:
        return bad
    problems = desk.deployment_problems(pol, hidden)
    roles_ok = not [p for p in problems if "role" in p or "serve other" in p]
    skill_ok = not [p for p in problems if "key accounts" in p]
    staffing = [i.rule for i in validate(pol, hidden)
                if i.rule in ("staff_capacity", "no_eligible_staff", "no_roles")]
    score = 0.5 * roles_ok + 0.25 * skill_ok + 0.25 * (not staffing)
    evidence = {"problems": problems[:6], "staffing": staffing[:6]}
    if score == 1.0:
        return Verdict(1.0, "The right people are deployed to each segment, and enough.",
                       evidence)
    return Verdict(score, "Deployment to improve: " + "; ".join(
        (problems + [f"in another company: {r}" for r in staffing])[:5]) + ".", evidence)


# ------------------------------------------------------------- exercise 3: resources
def _resource_error(method: ResourceMethod, world: Any) -> dict[str, float]:
    pol = starter_policy(world)
    want = totals(true_resources(pol, world))
    got = totals(predict_resources(pol, world, method))
    return {k: abs(got[k] - want[k]) / want[k] for k in want if want[k] > 0}


@evaluator(UNIT, "resources_test")
def resources(artifact: Any, ctx: EvalContext) -> Verdict:
    """P4 on an unseen company: the method's prediction against the true need.

    The grader applies the method to that company's standard policy and compares staff
    hours, headcount, agency spend and training hours with what it truly needs: full
    marks when the worst of them is within 15 %, half within 25 %, a quarter within 40 %.
    """
    bad = _not_the_views_value(artifact, "resource_method",
                               "resource planner's value (planner.value)", "not a resource method")
    if bad:
        return bad
    fields = {k: artifact.get(k) for k in ("handling", "allow_unanswered", "productive_share")}
    try:
        method = ResourceMethod(**fields)
    except CrmSimError as exc:
        return Verdict(0.0, f"The method cannot be applied: {quote(str(exc))}",
                       {"error": "invalid method"})
    errors = _resource_error(method, ctx.hidden_world())
    worst = max(errors.values())
    score = _tier(worst, RESOURCE_TIERS, higher_is_better=False)
    evidence = {k: round(v, 3) for k, v in errors.items()}
    if score == 1.0:
        return Verdict(1.0, f"In another company your method predicts every figure within "
                            f"{worst:.0%} of the true need. Well done.", evidence)
    off = max(errors, key=errors.get)
    return Verdict(score, f"In another company your method is {worst:.0%} off on {off} "
                          "(full marks within 15%): read handling time and answer rates from "
                          "the company's own log, and remember nobody spends every hour on "
                          "contact.", evidence)


# ------------------------------------------------------------- exercise 4: monitoring
def _monitored(ctx: EvalContext):
    """The unseen company after `MONITOR_MONTHS` months under its standard policy (cached)."""
    key = "512a_monitored"
    if key not in ctx._cache:
        world = ctx.hidden_world().copy()
        pol = starter_policy(world)
        adopt(world, pol)
        run_month(world, pol, MONITOR_MONTHS)
        ctx._cache[key] = (world, pol, set(true_violators(world, pol)["actor_id"]))
    return ctx._cache[key]


def _monitor_rules(artifact: Any) -> tuple[MonitorRules | None, Verdict | None]:
    bad = _not_the_views_value(artifact, "monitor", "monitoring designer's value (monitor.value)",
                               "not monitoring rules", mapping="rules")
    if bad:
        return None, bad
    try:
        return MonitorRules.from_dict(dict(artifact["rules"])), None
    except CrmSimError as exc:
        return None, Verdict(0.0, f"The rules cannot be applied: {quote(str(exc))}",
                             {"error": "invalid rules"})


def _f1(flagged: set[str], truth: set[str]) -> tuple[float, float, float]:
    hits = len(flagged & truth)
    precision = hits / len(flagged) if flagged else (1.0 if not truth else 0.0)
    recall = hits / len(truth) if truth else (1.0 if not flagged else 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@evaluator(UNIT, "monitor_test")
def monitor(artifact: Any, ctx: EvalContext) -> Verdict:
    """P7, X1 on an unseen company's contact log: the actors the rules flag vs the violators.

    F1 against the staff and agencies who truly break the policy there: full marks from
    0.9, half from 0.75, a quarter from 0.6. Rules that never look for dishonest entries
    earn at most half (X1: an honest log is part of the policy).
    """
    rules, bad = _monitor_rules(artifact)
    if bad:
        return bad
    world, pol, truth = _monitored(ctx)
    report = actor_report(world.tables["policy_log"], pol, rules)
    flagged = set(report.loc[report["flagged"], "actor_id"].astype(str))
    precision, recall, f1 = _f1(flagged, truth)
    score = _tier(f1, MONITOR_TIERS)
    if not (rules.dishonest and rules.dishonest_flags):
        score = min(score, 0.5)
    evidence = {"precision": round(precision, 3), "recall": round(recall, 3),
                "f1": round(f1, 3), "flagged": len(flagged), "violators": len(truth)}
    if score == 1.0:
        return Verdict(1.0, f"In another company's log your rules find those who break the "
                            f"policy: F1 {f1:.2f}.", evidence)
    tips = []
    if precision < 0.85:
        tips.append(f"precision {precision:.2f}: people who slip now and then, or contacts a "
                    "customer asked for, are flagged too; judge a pattern, not one slip")
    if recall < 0.85:
        tips.append(f"recall {recall:.2f}: some who keep breaking the policy are missed; "
                    "check every kind of breach")
    if not (rules.dishonest and rules.dishonest_flags):
        tips.append("a consent check logged for a customer without consent is a dishonest "
                    "entry: look for it and act on the first one")
    return Verdict(score, f"In another company's log: F1 {f1:.2f} (full marks from 0.90); "
                          + "; ".join(tips) + ".", evidence)


@evaluator(UNIT, "dashboard_test")
def dashboard(artifact: Any, ctx: EvalContext) -> Verdict:
    """P6: the dashboard shows new customers, mobility, who breaks the policy, monthly.

    A quarter each: new customers, mobility of existing customers, actors with evidence,
    refreshed every month (timely).
    """
    rules, bad = _monitor_rules(artifact)
    if bad:
        return bad
    tables = artifact.get("tables")
    tables = [t for t in tables[:10] if isinstance(t, str)] if isinstance(tables, list) else []
    every = artifact.get("every_months")
    parts = {
        "new_customers": "new_customers" in tables,
        "mobility": "mobility" in tables,
        "actors_and_evidence": "actors" in tables and "evidence" in tables,
        "monthly": isinstance(every, int) and not isinstance(every, bool) and every == 1,
    }
    score = 0.25 * sum(parts.values())
    if score == 1.0:
        return Verdict(1.0, "The dashboard shows what the policy needs, every month.", parts)
    lacking = [k for k, ok in parts.items() if not ok]
    return Verdict(score, "The dashboard lacks: " + ", ".join(lacking) + ".", parts)


@evaluator(UNIT, "outsourcer_test")
def outsourcers(artifact: Any, ctx: EvalContext) -> Verdict:
    """P8: agencies judged by the same rules as staff, and judged right in another company.

    Half for including agencies; half when, among agencies, the rules flag exactly those
    that truly break the policy there.
    """
    rules, bad = _monitor_rules(artifact)
    if bad:
        return bad
    if not rules.include_outsourcers:
        return Verdict(0.0, "Agencies are left out of the monitoring: they contact our "
                            "customers for us and must follow the same policy (PDPO s.65).",
                       {"include_outsourcers": False})
    world, pol, truth = _monitored(ctx)
    report = actor_report(world.tables["policy_log"], pol, rules)
    agencies = report.loc[report["actor_kind"] == "outsourcer"]
    flagged = set(agencies.loc[agencies["flagged"], "actor_id"].astype(str))
    agency_truth = truth & set(agencies["actor_id"].astype(str))
    right = flagged == agency_truth
    evidence = {"agencies": len(agencies), "flagged": len(flagged), "right": right}
    if right:
        return Verdict(1.0, "Agencies are held to the same policy, and judged right.",
                       evidence)
    return Verdict(0.5, "Agencies are included, but in another company the rules judge "
                        "them wrongly: use the same tests and thresholds as for staff.",
                   evidence)


# ------------------------------------------------------------- exercise 5: targets
def _targets(ctx: EvalContext, world: Any):
    key = "512a_targets"
    if key not in ctx._cache:
        ctx._cache[key] = desk.management_targets(world)
    return ctx._cache[key]


@evaluator(UNIT, "targets_test")
def targets(artifact: Any, ctx: EvalContext) -> Verdict:
    """AC-iii on an unseen company: twelve months of the policy against management's targets.

    Three quarters for new customers (a quarter per segment at its target), a quarter for
    retention (every segment at its target); at most a quarter when the policy cannot be
    launched there as it stands (capacity, reach, staffing). 0 and a gate breach for a
    policy that breaks the privacy law.
    """
    pol, hidden, bad = _policy_in_unseen_company(artifact, ctx)
    if bad:
        return bad
    issues = validate(pol, hidden)
    law = _law_breaches(issues)
    if law:
        return Verdict(0.0, "The policy breaks the privacy law; it was not run.",
                       {"law_issues": len(law)}, breaches=law)
    table = desk.target_results(hidden, pol, _targets(ctx, hidden))
    new_met = int(table["new_met"].sum())
    ret_met = bool(table["retention_met"].all())
    score = 0.25 * new_met + 0.25 * ret_met
    blocking = [i.rule for i in issues if i.rule not in desk.COMPANY_FIGURE_RULES]
    if blocking:
        score = min(score, 0.25)
    evidence = {"new_met": new_met, "retention_met": ret_met, "issues": blocking[:6],
                "segments_short": table.loc[~table["new_met"], "segment"].tolist()}
    if score == 1.0:
        return Verdict(1.0, "Run for a year in another company, the policy meets every "
                            "acquisition and retention target.", evidence)
    tips = []
    if new_met < len(table):
        tips.append("new customers fall short in " + ", ".join(evidence["segments_short"])
                    + ": plan enough acquisition contacts on channels the segment uses")
    if not ret_met:
        tips.append("retention falls below target: contact on the channels customers "
                    "prefer, and not more often than they accept")
    if blocking:
        tips.append("the policy cannot be launched there as it stands: "
                    + ", ".join(sorted(set(blocking))[:4]))
    return Verdict(score, "In another company, over a year: " + "; ".join(tips) + ".",
                   evidence)


@evaluator(UNIT, "review_test")
def review(artifact: Any, ctx: EvalContext) -> Verdict:
    """K7: the follow-up action for each finding of a periodic review (a fifth each)."""
    bad = _not_the_views_value(artifact, "review_rule", "review editor's value (review.value)",
                               "not a review rule", mapping="groups")
    if bad:
        return bad
    groups = artifact["groups"]
    if len(groups) > len(desk.REVIEW_FINDINGS):
        return Verdict(0.0, "The review rule has more findings than the editor offers: hand "
                            "in the editor's value unchanged.", {"error": "foreign findings"})
    right = []
    for finding, action in REVIEW_KEY.items():
        decision = groups.get(finding)
        if isinstance(decision, Mapping) and decision.get("action") == action:
            right.append(finding)
    score = len(right) / len(REVIEW_KEY)
    evidence = {"right": right}
    if score == 1.0:
        return Verdict(1.0, "Every finding gets a follow-up that addresses its cause.",
                       evidence)
    wrong = [desk.REVIEW_FINDINGS[f] for f in REVIEW_KEY if f not in right]
    return Verdict(score, "Reconsider the follow-up for: " + "; ".join(wrong)
                   + ". An action should remove the cause, not the indicator.", evidence)


# --------------------------------------------------------------------- cohort variants
_OWN_K4_WRONG = (
    "# a segment that is never the lowest in consent cannot be found, so answer with a\n"
    "# letter that is not an option at all\n"
    'answer_own_k4 = "d"\n')

VARIANTS: dict[str, dict[str, str]] = {
    "partial": {
        "q_k3_answer": 'answer_k3 = shown_letter("answer_k3", "a")',
        # the legal and feasibility fixes and a budget, but no training, no supervision,
        # checklists unchanged and a yearly review: half the points
        "policy_impl": (
            "designer.load(desk.first_draft(world))\n"
            "designer.set_contact('individual', 'visit', 0)\n"
            "for seg in ('corporate', 'sme', 'individual'):\n"
            "    designer.set_segment(seg, scripts=('greeting', 'identify_self',\n"
            "                                       'consent_check', 'opt_out_notice'),\n"
            "                         escalate_to='customer_service')\n"
            "designer.set_privacy(opt_out_days=7)\n"
            "designer.set_policy(indicators=('new_customers', 'retention_rate'))\n"
            "designer.budget_with_headroom(0.1)\n"
            "policy_value = designer.value\n"),
        # acquisition raised for individuals only: one segment's target of three
        "targets_impl": ('targets_designer.set_contact("individual", "email", 1.0, '
                         '"acquisition")\n'
                         "target_policy = targets_designer.value\n"),
        "resources_impl": ("planner.set('handling', 'history')\n"
                           "resource_method = planner.value\n"),
        "monitor_impl": ("monitor_view.set('wrong_channel', True)\n"
                         "monitor_view.set('over_contact', True)\n"
                         "monitor_view.set('consent', True)\n"
                         "monitor_view.set('dishonest', True)\n"
                         "monitor_view.set('max_breach_rate', 0.0)\n"
                         "monitor_view.show_tables(['new_customers', 'actors'])\n"
                         "monitor_rules = monitor_view.value\n"),
        "review_impl": ("review.choose_all({f: {'action': 'lower_the_target'}\n"
                        "                   for f in desk.REVIEW_FINDINGS})\n"
                        "review.choose('staff_breaking_policy', 'action', "
                        "'retrain_and_supervise')\n"
                        "review.choose('opt_outs_rising', 'action', 'reduce_frequency')\n"
                        "review_rule = review.value\n"),
        "prof_x1_answer": ('judgement_x1.choose("c")\n'
                           'judgement_x1.tick("targets_first")\n'
                           "answer_x1 = judgement_x1.value\n"),
        "culture_written": "Staff must follow the policy or they will be warned.",
    },
    "wrong": {
        "q_k1_answer": 'answer_k1 = shown_letter("answer_k1", "a")',
        "q_k2_answer": 'answer_k2 = shown_letter("answer_k2", "b")',
        "q_k3_answer": 'answer_k3 = shown_letter("answer_k3", "d")',
        "q_k5_answer": 'answer_k5 = shown_letter("answer_k5", "a")',
        "q_k6_answer": 'answer_k6 = shown_letter("answer_k6", "c")',
        "q_k7_answer": 'answer_k7 = shown_letter("answer_k7", "a")',
        "q_own_k4_answer": _OWN_K4_WRONG,
        # last year's draft handed in as it is, consent switched off
        "policy_impl": ("designer.load(desk.first_draft(world))\n"
                        "designer.set_privacy(respects_consent=False)\n"
                        "policy_value = designer.value\n"),
        "resources_impl": "resource_method = planner.value\n",
        "monitor_impl": "monitor_rules = monitor_view.value\n",
        "targets_impl": ("targets_designer.load(desk.first_draft(world))\n"
                         "targets_designer.set_privacy(respects_consent=False)\n"
                         "target_policy = targets_designer.value\n"),
        "review_impl": ("review.choose_all({f: {'action': 'wait_and_see'}\n"
                        "                   for f in desk.REVIEW_FINDINGS})\n"
                        "review_rule = review.value\n"),
        "prof_x3_answer": ('judgement_x3.choose("a")\n'
                           'judgement_x3.tick("cheap_reach")\n'
                           "answer_x3 = judgement_x3.value\n"),
        "prof_x1_answer": ('judgement_x1.choose("a")\n'
                           'judgement_x1.tick("targets_first")\n'
                           "answer_x1 = judgement_x1.value\n"),
        "prof_p1_answer": ('judgement_p1.choose("a")\n'
                           'judgement_p1.tick("fear_works")\n'
                           "answer_p1 = judgement_p1.value\n"),
        "prof_x2_answer": ('judgement_x2.choose("a")\n'
                           'judgement_x2.tick("more_is_better")\n'
                           "answer_x2 = judgement_x2.value\n"),
        "culture_written": "",
    },
}
