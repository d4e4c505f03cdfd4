"""Evaluators, answer keys, rubric and cohort variants of unit ITCSCR410A.

One evaluator per graded test cell of ``course/units/ITCSCR410A``. Every score is a
fixed fraction (tiers, not free-floating ratios) so that tests can assert exact marks
and an assessor can read *why* a mark was given from the evidence. Messages say what to
fix; they never print answer keys or anything read from the hidden world.

Record linking, lead qualification, the referral network, the profile summary and the
recommendations are judged on the **hidden** world, against its truth: a trainee can
rebuild their own world and read its truth, so an answer scored against that truth
proves nothing. Two tracks reach those cells and are scored alike. On the no-code track
the trainee hands in a **decision rule as data** (a link rule, a lead rule, a prospect
rule, figure specs, a rule per segment signal: `crm_sim.leads.rules`,
`crm_sim.figure_specs`, `crm_sim.segment_rules`), which the evaluator applies to the
hidden world itself, so no trainee code runs. On the analyst track the trainee hands in
a function, run there through `EvalContext.call_function`. Tables and plans are judged
on the trainee's own world's public tables.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from autograders.checks import EvalContext, evaluator, to_frame, to_plain
from autograders.checks.answers import JudgementTexts, grade_judgement, grade_letter
from autograders.checks.messages import UNSEEN, quote, unseen_failure
from autograders.results import Verdict
from crm_sim import own_company, privacy
from crm_sim import profile_review as review
from crm_sim.errors import CrmSimError
from crm_sim.leads import rules
from crm_sim.leads.columns import SOURCES
from crm_sim.ui.quiz import original_option

from .. import profile_desk as desk

UNIT = "ITCSCR410A"

MAX_LINKS = 100_000          # more pairs than any honest answer on a unit-sized world
MAX_ROWS = 20_000            # rows of a submitted table
MAX_TEXT = 20_000            # characters of a submitted query

# --------------------------------------------------------------------- answer keys
MC_KEYS = {"q_k1_test": "d", "q_k2_test": "b", "q_k3_test": "c", "q_k4_test": "a",
           "q_k5_test": "c"}
MC_HINTS = {
    "q_k1_test": "compare what it costs to keep a customer with what it costs to win one, "
                 "and what satisfied customers can bring",
    "q_k2_test": "think about what the competitor cannot copy",
    "q_k3_test": "think about what a review of the whole base needs from the way "
                 "profiles are stored",
    "q_k4_test": "think about which tool handles a large join well",
    "q_k5_test": "think about what a competitor cannot copy quickly",
}
PURPOSE_KEY: dict[str, frozenset[str]] = {
    "event": frozenset({"service", "analysis", "direct_marketing"}),
    "web": frozenset({"service", "direct_marketing"}),
    "purchased": frozenset(),
    # A friend's number given by a customer, "for one call about our services": that
    # call offers our services, so it is direct marketing (PDPO s.35A), and the consent
    # must be the friend's own, given to us (s.35E); a referrer's word is not it. Go
    # through the referrer, or get the friend's consent first: nothing is allowed yet.
    "referral": frozenset(),
    "call_centre": frozenset({"service", "analysis", "direct_marketing"}),
}
# Purposes outside a notice that the law still allows: statistics that identify no one
# are exempt from DPP3 (PDPO s.62), so analysis of web enquiries is not a breach (the
# key does not require it: the notice does not state it).
PURPOSE_ALSO_LAWFUL: dict[str, frozenset[str]] = {"web": frozenset({"analysis"})}
JUDGEMENTS = {
    "prof_x1_test": {"choice": "c", "reasons": desk.X1_REASONS,
                     "good": frozenset({"purpose_limited", "offer_alternative",
                                        "attendee_interest"})},
    "prof_x1b_test": {"choice": "b", "reasons": desk.X1B_REASONS,
                      "good": frozenset({"contacts_not_consented", "customer_relationship",
                                         "better_leads"})},
}
# Choices of the judgement calls that are breaches of the law (unit.toml gates them):
# handing the attendee list to another company (DPP3 new purpose without consent; for
# her marketing, PDPO s.35J-35K), or calling a customer's contacts to sell without their
# consent (s.35E).
BREACH_CHOICES: dict[str, dict[str, str]] = {
    "prof_x1_test": {
        "a": "data_passed_to_others_without_consent: the full attendee list handed to "
             "another company (PDPO DPP3; s.35J-35K for her marketing)",
        "d": "data_passed_to_others_without_consent: names and companies handed to another "
             "company, masking the phone does not make them anonymous (PDPO DPP3)"},
    "prof_x1b_test": {
        "a": "promotion_without_consent: sales calls to 300 contacts who never consented "
             "(PDPO s.35E)",
        "c": "promotion_without_consent: sales calls to contacts who never consented, "
             "filtered by segment (PDPO s.35E)"},
}
# Rules for the two new roles of exercise 2d: (description, check(role_access) -> bool).
# The first of each role's rules is what its job needs; the others (least privilege) are
# credited only once that need is met, so an empty policy earns nothing for what it
# "does not grant".
def _holds(ra: Mapping, role: str) -> dict:
    return dict(ra.get(role, {}))


def _agency_works(ra: Mapping) -> bool:
    return _holds(ra, "agency").get("contact") == "full" and "consent" in _holds(ra, "agency")


def _consultant_works(ra: Mapping) -> bool:
    return "profile" in _holds(ra, "consultant")


ACCESS_RULES: list[tuple[str, Any]] = [
    ("agency can see contact details in full (it must phone people)",
     lambda ra: _holds(ra, "agency").get("contact") == "full"),
    ("agency can see consent (it may call only consented customers)",
     lambda ra: "consent" in _holds(ra, "agency")),
    ("agency sees no spending data (least privilege: a call centre needs none)",
     lambda ra: _agency_works(ra) and "financial" not in _holds(ra, "agency")),
    ("consultant can see profile data (it must analyse the base)",
     lambda ra: _consultant_works(ra)),
    ("consultant never sees contact details in full",
     lambda ra: _consultant_works(ra) and _holds(ra, "consultant").get("contact") in (
         None, "masked")),
    ("consultant holds only what analysis needs (least privilege)",
     lambda ra: _consultant_works(ra) and not (
         set(_holds(ra, "consultant")) - set(privacy.PURPOSE_CATEGORIES["analysis"])
         - {"contact"})),
]
RESOLUTION_TIERS = ((0.9, 1.0), (0.75, 0.75), (0.6, 0.5), (0.4, 0.25))
LEAD_LIST_MAX = desk.LEAD_LIST_MAX
PROSPECTS_MAX = desk.PROSPECTS_MAX

# Rubric of the manually graded written recommendation (3 points).
RUBRICS = {
    "recommend_written": (
        "3 points, one per line:\n"
        "1. Finding backed by a figure from the trainee's own charts/signals (segment, "
        "value, complaint or consent rate) - not a generic statement.\n"
        "2. Action is feasible: names cost or people and respects consent (service "
        "contact, or marketing only to consented customers); no purchased list.\n"
        "3. States the expected effect on existing customers AND on new customers, and "
        "how success is measured after three months.\n"
        "0 for a line that is missing, contradicts the structured recommendation, or "
        "proposes an unlawful use of data."
    ),
}


# --------------------------------------------------------------------- helpers
def _is_call_error(value: Any) -> bool:
    from autograders.sandbox.evaluate import CallError

    return isinstance(value, CallError)


def _is_function(artifact: Any) -> bool:
    return isinstance(artifact, dict) and isinstance(artifact.get("__function__"), str) \
        and isinstance(artifact.get("source"), str)


def _not_a_function(name: str) -> Verdict:
    return Verdict(0.0, f"Submit the function itself: submit(..., {name}) with {name} "
                        "defined with def.", {"error": "not a function"})


def _is_rule(artifact: Any, kind: str) -> bool:
    """A decision rule as data (the no-code track): a dict naming its kind."""
    return isinstance(artifact, Mapping) and artifact.get("kind") == kind


def _not_a_rule_or_function(name: str, value: str) -> Verdict:
    return Verdict(0.0, f"Submit the rule you set in the view ({value}), or, on the "
                        f"analyst track, the function {name} itself.",
                   {"error": "not a rule or function"})


def _stacked_sources(world: Any) -> pd.DataFrame:
    return pd.concat(desk.ensure_sources(world).values(), ignore_index=True)


def _call(ctx: EvalContext, artifact: Any, args: list) -> Any:
    return ctx.call_function(artifact, [args])[0]


def _frame(artifact: Any, what: str) -> tuple[pd.DataFrame | None, str]:
    """A submitted table as a DataFrame, or (None, message saying what to submit)."""
    frame = to_frame(artifact)
    if frame is None:
        return None, f"{what} must be a pandas DataFrame."
    if len(frame) > MAX_ROWS:
        return None, f"{what} has more than {MAX_ROWS:,} rows; that is far more than the " \
                     "sources hold."
    return frame, ""


def _tier(value: float, tiers: tuple[tuple[float, float], ...]) -> float:
    if not isinstance(value, int | float) or math.isnan(value):
        return 0.0
    for bound, score in tiers:
        if value >= bound:
            return score
    return 0.0


def _record_ids(world: Any) -> pd.Index:
    frames = desk.ensure_sources(world)
    return pd.Index(pd.concat(frames.values(), ignore_index=True)["record_id"].astype(str))


def _score_links(world: Any, links: Any) -> tuple[dict[str, Any] | None, str]:
    """score_resolution on the transitive closure of `links`, or (None, what is wrong)."""
    from crm_sim.leads.resolution import score_resolution

    if isinstance(links, list) and len(links) > MAX_LINKS:
        return None, f"{len(links)} links is far more than the records can have; link only " \
                     "records you believe are the same person or company."
    try:
        clusters = desk.clusters_from_links(links, _record_ids(world))
    except CrmSimError as e:
        return None, f"The links are malformed: {e}"
    if not clusters:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0, "predicted_pairs": 0}, ""
    return score_resolution(world, clusters), ""


def _resolution_verdict(stats: dict[str, Any], where: str) -> Verdict:
    f1 = float(stats.get("f1", 0.0))
    score = _tier(f1, RESOLUTION_TIERS)
    evidence = {k: stats.get(k) for k in ("precision", "recall", "f1", "predicted_pairs",
                                          "true_pairs", "n_records") if k in stats}
    evidence["where"] = where
    if score == 1.0:
        return Verdict(1.0, f"Record linking on {where}: F1 {f1:.2f}. Well done.", evidence)
    tips = []
    if stats.get("predicted_pairs", 0) == 0:
        tips.append("no records were linked: normalise phones and e-mails and link records "
                    "that share them")
    else:
        if stats["precision"] < 0.85:
            tips.append(f"precision {stats['precision']:.2f}: some linked records are different "
                        "people; require a similar name as well as a shared phone (a shared "
                        "office number is not proof)")
        if stats["recall"] < 0.85:
            tips.append(f"recall {stats['recall']:.2f}: many true matches are missed; normalise "
                        "phones and e-mails, compare names with rapidfuzz, and check records "
                        "with a shared e-mail")
    return Verdict(score, f"Record linking on {where}: F1 {f1:.2f} (full marks from 0.90). "
                          + "; ".join(tips) + ".", evidence)


# ------------------------------------------------------------- knowledge (MC)
def _mc(grade_id: str, artifact: Any, trainee_id: str) -> Verdict:
    """1 when the letter, mapped back from the trainee's option order, is the key; else 0."""
    return grade_letter(artifact, MC_KEYS[grade_id], trainee_id=trainee_id,
                        question="answer_" + grade_id[2:-len("_test")],  # q_k1_test -> answer_k1
                        wrong=f"Not the best option: {MC_HINTS[grade_id]}.")


for _gid in MC_KEYS:
    evaluator(UNIT, _gid)(lambda artifact, ctx, _g=_gid: _mc(_g, artifact, ctx.trainee_id))


# Own-company question (K2): the same for everyone, answered from the trainee's own figures.
OWN_SEGMENT_OPTIONS = {"a": "corporate", "b": "sme", "c": "individual"}


@evaluator(UNIT, "q_own_k2_test")
def own_company_satisfaction(artifact: Any, ctx: EvalContext) -> Verdict:
    """K2 on the trainee's own company: 1 for the segment most often saying "low".

    The figure is the low_% column of `own_company.satisfaction_table` of the trainee's
    world rebuilt from the seed (history before the start date, which no action of the
    trainee changes); on an exact tie every top segment earns 1.
    """
    if not isinstance(artifact, str) or artifact.strip().lower() not in OWN_SEGMENT_OPTIONS:
        return Verdict(0.0, "Put a single letter in quotes in the answer cell: \"a\", \"b\" "
                            "or \"c\".", {"answer": repr(artifact)[:40]})
    answer = artifact.strip().lower()
    option = original_option(ctx.trainee_id, "answer_own_k2", answer, OWN_SEGMENT_OPTIONS)
    table = own_company.satisfaction_table(ctx.trainee_world())
    top = own_company.top_segments(table["low_%"])
    chosen = OWN_SEGMENT_OPTIONS.get(option or "")
    evidence = {"answer": answer, "option": option, "segment": chosen, "top": top}
    if chosen in top:
        return Verdict(1.0, "Correct: that is what your own customers said.", evidence)
    return Verdict(0.0, "That does not match your company's satisfaction table: compare the "
                        "low_% column of the segments.", evidence)


# ------------------------------------------------------------- professionalism
JUDGEMENT_TEXTS = JudgementTexts(
    malformed="Set the choice to one letter and the reasons to a list of reason codes.",
    wrong_choice="That choice does not balance the customers' interests, the company's and "
                 "the law: weigh what each person was told when their data was collected.",
    missing="; name every consideration: the law, the people whose data it is, and the "
            "customer relationship")


def _judgement(grade_id: str, artifact: Any) -> Verdict:
    spec = JUDGEMENTS[grade_id]
    return grade_judgement(artifact, choice=spec["choice"], codes=spec["reasons"],
                           good=spec["good"], texts=JUDGEMENT_TEXTS,
                           breaches=BREACH_CHOICES.get(grade_id))


for _gid in JUDGEMENTS:
    evaluator(UNIT, _gid)(lambda artifact, ctx, _g=_gid: _judgement(_g, artifact))


# ------------------------------------------------------------- exercise 1: integrate
@evaluator(UNIT, "resolve_function_test")
def resolve_function(artifact: Any, ctx: EvalContext) -> Verdict:
    """Tiered F1 of link_records run on the hidden world's sources.

    The one graded record-linking cell. It replaced ``resolve_links_test`` (the trainee's
    links scored on their own world's entity truth, which they can rebuild) and carries its
    points and requirement ids (P1, P3).
    """
    hidden = ctx.hidden_world()
    if _is_rule(artifact, "link_rule"):
        # no-code track: the matcher's rule applied to the unseen sources, no code run
        try:
            # the reviewer's verdicts name the trainee's own records; record ids repeat
            # between companies (EV0013 is someone else there), so only thresholds travel
            result = rules.apply_link_rule(_stacked_sources(hidden), artifact, decisions={})
        except CrmSimError as e:
            return Verdict(0.0, f"The matching rule cannot be applied: {e}",
                           {"error": "invalid rule"})
        stats, _ = _score_links(hidden, result)
        return _resolution_verdict(stats, "hidden sources")
    if not _is_function(artifact):
        return _not_a_rule_or_function("link_records", "matcher.value")
    result = _call(ctx, artifact, [desk.source_records(hidden)])
    if _is_call_error(result):
        return Verdict(0.0, f"{unseen_failure('link_records', result)}. Make it work on "
                            "any sources: imports inside "
                            "the function, no names from other cells, no hard-coded ids.",
                       {"error": result.kind})
    if not isinstance(result, list):
        return Verdict(0.0, "link_records must return a list of pairs.",
                       {"type": type(result).__name__})
    stats, error = _score_links(hidden, result)
    if stats is None:
        return Verdict(0.0, "On the hidden sources the links could not be scored: return a "
                            "list of [record_id, record_id] pairs of the records given",
                       {"links": len(result), "error": quote(error)})
    return _resolution_verdict(stats, "hidden sources")


# ------------------------------------------------------------- exercise 2: privacy
@evaluator(UNIT, "purpose_test")
def purposes(artifact: Any, ctx: EvalContext) -> Verdict:
    """Purposes per source against the collection notices.

    One fifth per source whose allowed purposes match its collection notice; 0 when a
    source is opened to direct marketing its notice does not allow (a PDPO breach).
    """
    if not isinstance(artifact, Mapping):
        return Verdict(0.0, "allowed_uses must be a dict {source: [purposes]}.",
                       {"type": type(artifact).__name__})
    wrong, right = [], 0
    for source in SOURCES:
        uses = artifact.get(source)
        if not isinstance(uses, list) or not all(isinstance(u, str) for u in uses):
            wrong.append(source)
            continue
        if PURPOSE_KEY[source] <= frozenset(uses) <= (
                PURPOSE_KEY[source] | PURPOSE_ALSO_LAWFUL.get(source, frozenset())):
            right += 1
        else:
            wrong.append(source)
    score = right / len(SOURCES)
    unlawful = [s for s in SOURCES if isinstance(artifact.get(s), list) and
                "direct_marketing" in artifact[s] and "direct_marketing" not in PURPOSE_KEY[s]]
    beyond = [f"{s}:{u}" for s in SOURCES if isinstance(artifact.get(s), list)
              for u in artifact[s] if isinstance(u, str)
              and u not in PURPOSE_KEY[s] | PURPOSE_ALSO_LAWFUL.get(s, frozenset())]
    breaches = [f"use_beyond_notified_purpose: {b} is not in that source's notice, "
                "not directly related to it and not exempt (PDPO DPP3)" for b in beyond]
    if unlawful:
        return Verdict(0.0, f"Direct marketing from {unlawful} would breach the PDPO: those "
                            "people never agreed to hear offers from us. Re-read the notices "
                            "and the guideline.", {"right": right, "unlawful_marketing": unlawful},
                       breaches=breaches)
    if not wrong:
        return Verdict(1.0, "Every source is used only for what its notice allows.",
                       {"right": right})
    return Verdict(score, f"Re-read the collection notice and the guideline for: {wrong}. "
                          "The law (DPP3) allows the purpose stated in the notice, a "
                          "directly related one, and statistics that name no one (s.62); "
                          "our company policy adds that a purchased list is used for "
                          "nothing until people consent to us.",
                   {"right": right, "wrong_sources": wrong}, breaches=breaches)


@evaluator(UNIT, "marketing_test")
def marketing(artifact: Any, ctx: EvalContext) -> Verdict:
    """The direct-marketing list: consent first, then coverage and minimisation.

    0 on any record without consent or from a non-marketing source; else coverage and
    minimisation: 0.5 for covering >= 90% of the eligible records (0.25 from 50%), 0.25
    for being compliant *and* covering at least half, 0.25 for minimal columns on a
    non-empty list. An empty list is compliant but is no call list: it scores 0.
    """
    frame, error = _frame(artifact, "marketing_list")
    if frame is None:
        return Verdict(0.0, error)
    if "record_id" not in frame.columns:
        return Verdict(0.0, "Keep the record_id column in marketing_list.")
    world = ctx.trainee_world()
    stacked = pd.concat(desk.ensure_sources(world).values(), ignore_index=True)
    rows = stacked.set_index("record_id").reindex(frame["record_id"].astype(str))
    unknown = int(rows["source"].isna().sum())
    allowed = [s for s, uses in PURPOSE_KEY.items() if "direct_marketing" in uses]
    bad_source = int((~rows["source"].isin(allowed) & rows["source"].notna()).sum())
    no_consent = int((rows["dm_consent"].eq(False)).sum())
    eligible = set(stacked.loc[stacked["source"].isin(allowed) & stacked["dm_consent"]
                               .astype(bool), "record_id"].astype(str))
    listed = set(frame["record_id"].astype(str))
    coverage = len(eligible & listed) / len(eligible) if eligible else 1.0
    extra = [str(v) for v in privacy.check_minimisation(list(map(str, frame.columns)),
                                                       "direct_marketing")]
    evidence = {"rows": len(frame), "unknown_ids": unknown, "not_allowed_source": bad_source,
                "no_consent": no_consent, "coverage": round(coverage, 3),
                "minimisation": extra}
    if unknown:
        return Verdict(0.0, f"{unknown} record_ids are not in your sources.", evidence)
    if bad_source or no_consent:
        return Verdict(0.0, f"{no_consent} records without direct-marketing consent and "
                            f"{bad_source} from sources whose notice does not allow marketing "
                            "are on the list: any such record fails this exercise.", evidence,
                       breaches=[f"unconsented_marketing_list: {no_consent} records without "
                                 f"consent, {bad_source} from sources not open to marketing "
                                 "(PDPO s.35E)"])
    covered = 0.5 if coverage >= 0.9 else 0.25 if coverage >= 0.5 else 0.0
    score = covered + (0.25 if coverage >= 0.5 else 0.0) + \
        (0.25 if len(frame) and not extra else 0.0)
    msgs = []
    if coverage < 0.9:
        msgs.append(f"the list holds {coverage:.0%} of the consented records marketing may "
                    "use; include the rest")
    if extra:
        msgs.append("columns the purpose does not need: " + "; ".join(extra[:3]))
    return Verdict(score, "No record without consent. " + ("; ".join(msgs) + "." if msgs else
                                                           "Complete and minimal."), evidence)


SHARE_MUST_HAVE = ("profile_id", "segment", "district", "dm_consent")


def _share_content(world: Any, frame: pd.DataFrame) -> tuple[list[str], bool]:
    """What the shared table lacks for the review: missing columns, and rows in range.

    The analytics team needs one row per profile (at least 80% of the true people and
    companies, at most one per record) with the profile key, segment, district and
    consent: one column of segments is no profile table.
    """
    missing = [c for c in SHARE_MUST_HAVE if c not in frame.columns]
    n_records = len(_record_ids(world))
    n_people = int(world.hidden["lead_truth"]["entity_id"].nunique())
    return missing, 0.8 * n_people <= len(frame) <= n_records


@evaluator(UNIT, "share_test")
def share(artifact: Any, ctx: EvalContext) -> Verdict:
    """0 on any unmasked identifier; else judged on what the table must contain.

    1 for every profile with the key, segment, district and consent and nothing the
    analysis does not need; 0.5 complete but not minimal; 0.25 minimal with half the
    required columns and the rows; 0 otherwise.
    """
    frame, error = _frame(artifact, "shared_profiles")
    if frame is None:
        return Verdict(0.0, error)
    if frame.empty:
        return Verdict(0.0, "shared_profiles is empty; share the profiles, masked.",
                       {"rows": 0})
    leaks = privacy.find_leaks(frame)
    kinds = sorted({(str(getattr(lk, "column", "?")), str(getattr(lk, "kind", "?")))
                    for lk in leaks})
    extra = [str(v) for v in privacy.check_minimisation(list(map(str, frame.columns)),
                                                       "analysis")]
    evidence = {"rows": len(frame), "leaks": len(leaks),
                "leak_columns": [f"{c}:{k}" for c, k in kinds][:20], "minimisation": extra}
    if leaks:
        where = ", ".join(f"{c} ({k})" for c, k in kinds[:6])
        return Verdict(0.0, f"{len(leaks)} unmasked identifiers in the shared table, in "
                            f"{where}: a shared table must never show one. Mask or drop "
                            "these columns (crm_sim.privacy.mask_frame).", evidence,
                       breaches=[f"identifier_in_shared_table: {len(leaks)} unmasked, in "
                                 f"{where} (PDPO DPP4)"])
    missing, rows_ok = _share_content(ctx.trainee_world(), frame)
    evidence.update({"missing_columns": missing, "rows_in_range": rows_ok})
    lacks = (f"columns the review needs: {missing}" if missing else "") + (
        "; " if missing and not rows_ok else "") + (
        "" if rows_ok else "one row per profile (all your profiles)")
    if missing or not rows_ok:
        partial = 0.25 if not extra and rows_ok and \
            len(missing) <= len(SHARE_MUST_HAVE) // 2 else 0.0
        return Verdict(partial, "No leaks, but the analytics team cannot do the review with "
                                f"this table: it lacks {lacks}.", evidence)
    if extra:
        return Verdict(0.5, "No leaks, but the table keeps data the analysis does not need: "
                            + "; ".join(extra[:3]) + ".", evidence)
    return Verdict(1.0, "No leaks, every profile with what the review needs, and only that.",
                   evidence)


@evaluator(UNIT, "access_test")
def access(artifact: Any, ctx: EvalContext) -> Verdict:
    """One sixth per access rule the two new roles satisfy; 0 for any HKID opened to them.

    Least-privilege rules count only for a role that can do its job, so an empty policy
    scores 0, and a role given everything loses them.
    """
    if not isinstance(artifact, Mapping) or not all(
            isinstance(v, Mapping) for v in artifact.values()):
        return Verdict(0.0, "role_access must be {role: {category: 'full' | 'masked'}}.")
    try:
        privacy.AccessPolicy(role_access=dict(artifact))
    except (CrmSimError, TypeError, ValueError) as e:
        return Verdict(0.0, f"role_access is not a valid access policy: {quote(str(e))}")
    ra = {k: dict(v) for k, v in artifact.items()}
    hkid = [r for r in ("agency", "consultant") if "government_id" in ra.get(r, {})]
    if hkid:
        return Verdict(0.0, f"{hkid} would see HKIDs: neither an outsourced call centre nor "
                            "an outside consultant needs one, and opening them to an outside "
                            "party exposes the most sensitive identifier we hold (DPP4).",
                       {"failed": ["HKID opened to " + ", ".join(hkid)]})
    failed = [text for text, rule in ACCESS_RULES if not rule(ra)]
    score = (len(ACCESS_RULES) - len(failed)) / len(ACCESS_RULES)
    if not failed:
        return Verdict(1.0, "Each role gets what its job needs and nothing more.",
                       {"failed": []})
    return Verdict(score, "Not yet: " + "; ".join(failed) + ".", {"failed": failed})


# ------------------------------------------------------------- exercise 3: leads
def _lead_list_stats(world: Any, frame: pd.DataFrame) -> tuple[dict | None, str]:
    from crm_sim.leads.qualification import score_lead_list

    if "record_id" not in frame.columns:
        return None, "Keep the record_id column in the lead list."
    known = set(_record_ids(world))
    ids = frame["record_id"].tolist()
    bad = [i for i in ids if not isinstance(i, str) or i not in known]
    if bad:
        return None, f"{len(bad)} record_ids are not in the sources, e.g. {bad[:3]}."
    try:
        return score_lead_list(world, frame.reset_index(drop=True)), ""
    except CrmSimError as e:
        return None, f"The lead list cannot be scored: {e}"


def _allowed_duplicates(n_leads: int) -> int:
    """Second records of one prospect tolerated in a list: linking is never perfect."""
    return max(1, n_leads // 10)


def _qualify_on_hidden(ctx: EvalContext, artifact: dict) -> Any:
    """qualify_leads run on the hidden sources, once per context and function source.

    Both lead cells grade the same function on the same hidden sources; the second one
    reuses the first run instead of starting another sandbox.
    """
    hidden = ctx.hidden_world()
    if _is_rule(artifact, "lead_rule"):
        # no-code track: the lead rule applied to the unseen sources, no code run
        try:
            # in the form a function's returned table arrives in, so both tracks share
            # one scoring path
            return to_plain(rules.apply_lead_rule(_stacked_sources(hidden), artifact,
                                                  hidden.today))
        except CrmSimError as e:
            return Verdict(0.0, f"The lead rule cannot be applied: {e}",
                           {"error": "invalid rule"})
    cache = getattr(ctx, "_cache", None)
    key = ("410a_qualify", artifact["__function__"], artifact["source"])
    if isinstance(cache, dict) and key in cache:
        return cache[key]
    result = _call(ctx, artifact, [desk.source_records(hidden, stacked=True),
                                   desk.standards_for(hidden).to_dict(),
                                   str(hidden.today)[:10]])
    if isinstance(cache, dict):
        cache[key] = result
    return result


def _achievable_leads(world: Any) -> int:
    """How many distinct qualified prospects a list can hold there (at most 40).

    The taught rule's list on `world`: the bar for "fills sales' capacity" is what the
    sources allow, so a small company with few qualified prospects is not asked for 40.
    """
    standards = desk.standards_for(world)
    return len(rules.apply_lead_rule(_stacked_sources(world),
                                     rules.taught_lead_rule(standards), world.today))


def _lead_list_verdict(world: Any, frame: pd.DataFrame, where: str) -> Verdict:
    """Thirds of a lead list on `world`: standards, key fields, size and one per person.

    The size third needs the list to fill at least three quarters of what sales can
    work (40, or fewer where the sources hold fewer qualified prospects), one per person:
    a list of one lead meets the rules but not the requirement to give sales its leads.
    """
    stats, error = _lead_list_stats(world, frame)
    if stats is None:
        return Verdict(0.0, f"On {where}: the lead list could not be scored; keep record_id "
                            "as given in the sources and the key fields",
                       {"where": where, "error": quote(error)})
    n = stats["n_leads"]
    compliant = stats["rule_compliance"] == 1.0
    complete = stats["complete_rows"] == n
    wanted = _achievable_leads(world)
    # a full list of leads that break the standards is no list for sales: size counts
    # only once nine in ten leads meet them
    sized = stats["duplicates"] <= _allowed_duplicates(n) and n <= LEAD_LIST_MAX and \
        n >= 0.75 * wanted and stats["rule_compliance"] >= 0.9
    score = (compliant + complete + sized) / 3
    evidence = {k: stats[k] for k in ("n_leads", "duplicates", "rule_compliance",
                                      "rule_failures", "missing_key_fields", "complete_rows")}
    evidence["where"] = where
    evidence["achievable_leads"] = wanted
    msgs = []
    if not compliant:
        msgs.append(f"{stats['rule_compliance']:.0%} of the leads meet management's "
                    f"standards ({quote(', '.join(list(stats['rule_failures'])[:3]))}): merge each "
                    "prospect's records before judging them, and keep only qualified ones")
    if not complete:
        lacking = [f for f, k in stats["missing_key_fields"].items() if k]
        msgs.append(f"leads lack key information: {quote(lacking)} (return those columns, "
                    "filled)")
    if stats["duplicates"] > _allowed_duplicates(n):
        msgs.append("duplicate people on the list: one lead per person")
    if n > LEAD_LIST_MAX or n < 0.75 * wanted:
        msgs.append(f"give sales a full list: up to {LEAD_LIST_MAX} leads, and not far fewer "
                    "than the qualified prospects the sources hold")
    return Verdict(score, f"Lead list on {where}: " + (
        "complete and compliant." if not msgs else "fix: " + "; ".join(msgs) + "."), evidence)


@evaluator(UNIT, "lead_list_test")
def lead_list(artifact: Any, ctx: EvalContext) -> Verdict:
    """The list qualify_leads returns on the hidden sources: rules, key fields, size.

    Thirds: every lead meets the standards; every lead has the key fields; at most 40
    leads, one per person (a tenth, min 1, duplicates tolerated).
    """
    if not _is_function(artifact) and not _is_rule(artifact, "lead_rule"):
        return _not_a_rule_or_function("qualify_leads", "lead_rule.value")
    result = _qualify_on_hidden(ctx, artifact)
    if isinstance(result, Verdict):
        return result
    if _is_call_error(result):
        return Verdict(0.0, f"{unseen_failure('qualify_leads', result)}. Make it work on "
                            "any sources: imports inside "
                            "the function, no names from other cells, no hard-coded ids.",
                       {"error": result.kind})
    frame, error = _frame(result, "The lead list qualify_leads returned")
    if frame is None:
        return Verdict(0.0, error + " Return a DataFrame with record_id and the key fields.")
    if frame.empty:
        return Verdict(0.0, "qualify_leads returned no leads on the hidden sources: qualify "
                            "the sources and keep the best.")
    return _lead_list_verdict(ctx.hidden_world(), frame, "the hidden sources")


def _reference_conversions(world: Any) -> int:
    """Conversions next month of the reference lead list.

    Management's standards applied to
    what the company knows about each prospect across its sources (`entity_view`), one
    lead per prospect, soonest timeline then largest budget, first 40. The bar a sound
    method reaches; a trainee's own linking can only approximate the merged view.
    """
    from crm_sim.leads.qualification import entity_view, qualify_frame, score_lead_list

    view = entity_view(world)
    entity = world.hidden["lead_truth"].set_index("record_id")["entity_id"]
    view = view.assign(_entity=entity.loc[view["record_id"].astype(str)].to_numpy())
    # consent as the unit teaches it: given to us, never taken from a purchased list
    recs = pd.concat(desk.ensure_sources(world).values(), ignore_index=True)
    given = recs["dm_consent"].astype(bool) & (recs["source"] != "purchased")
    by_entity = given.groupby(entity.loc[recs["record_id"].astype(str)].to_numpy()).any()
    view["dm_consent"] = by_entity.reindex(view["_entity"]).fillna(False).to_numpy(bool)
    ok = qualify_frame(view, desk.standards_for(world), as_of=world.today)
    ok = ok[ok["qualified"]].sort_values(["timeline_months", "budget_hkd", "record_id"],
                                         ascending=[True, False, True], kind="stable")
    ok = ok.drop_duplicates("_entity").head(LEAD_LIST_MAX)
    if ok.empty:
        return 0
    return int(score_lead_list(world, ok[["record_id"]].reset_index(drop=True))["conversions"])


@evaluator(UNIT, "qualify_function_test")
def qualify_function(artifact: Any, ctx: EvalContext) -> Verdict:
    """qualify_leads run on the hidden sources, judged by next month's sales.

    0.4 compliance (0.2 if >= 90%), 0.4 conversions next month
    vs the reference method ((c+1)/(ref+1) >= 0.6; 0.2 if >= 0.3; none for a list under
    90% compliant), 0.2 key fields on every
    lead and at most a tenth (min 1) duplicate people.
    """
    if not _is_function(artifact) and not _is_rule(artifact, "lead_rule"):
        return _not_a_rule_or_function("qualify_leads", "lead_rule.value")
    hidden = ctx.hidden_world()
    result = _qualify_on_hidden(ctx, artifact)
    if isinstance(result, Verdict):
        return result
    if _is_call_error(result):
        return Verdict(0.0, f"{unseen_failure('qualify_leads', result)}.",
                       {"error": result.kind})
    frame = to_frame(result)
    if frame is None:
        return Verdict(0.0, "qualify_leads must return a DataFrame.")
    if frame.empty:
        return Verdict(0.0, "qualify_leads returned no leads on the hidden sources.")
    truncated = len(frame) > LEAD_LIST_MAX
    frame = frame.head(LEAD_LIST_MAX)
    stats, error = _lead_list_stats(hidden, frame)
    if stats is None:
        return Verdict(0.0, "On the hidden sources the lead list could not be scored; keep "
                            "record_id as given in the sources", {"error": quote(error)})
    ref = _reference_conversions(hidden)
    # +1 smoothing: with a dozen leads, one sale more or less is luck, not method
    ratio = (stats["conversions"] + 1) / (ref + 1)
    compliance = stats["rule_compliance"]
    part_rules = 0.4 if compliance == 1.0 else 0.2 if compliance >= 0.9 else 0.0
    # sales won from leads outside the standards (no consent, no budget) are not what the
    # cell asks for: the sales part counts only for a list that (nearly) meets them
    part_conv = 0.0 if compliance < 0.9 else 0.4 if ratio >= 0.6 else 0.2 if ratio >= 0.3 \
        else 0.0
    part_fields = 0.2 if stats["complete_rows"] == stats["n_leads"] and \
        stats["duplicates"] <= _allowed_duplicates(stats["n_leads"]) else 0.0
    score = round(part_rules + part_conv + part_fields, 10)
    evidence = {"n_leads": stats["n_leads"], "truncated": truncated,
                "rule_compliance": compliance, "conversions": stats["conversions"],
                "reference_conversions": ref, "duplicates": stats["duplicates"],
                "complete_rows": stats["complete_rows"]}
    msgs = []
    if part_rules < 0.4:
        msgs.append(f"{compliance:.0%} of the leads meet the standards; all must")
    if part_conv < 0.4:
        msgs.append("few of your leads bought next month: among qualified leads, put first "
                    "those closest to buying with the largest budgets, one per person")
    if part_fields < 0.2:
        msgs.append("keep the key fields on every lead and one lead per person")
    if truncated:
        msgs.append(f"only the first {LEAD_LIST_MAX} leads count")
    return Verdict(score, "On hidden sources: " + ("; ".join(msgs) + "." if msgs else
                                                   "compliant, complete and well chosen."),
                   evidence)


# ------------------------------------------------------------- exercise 4: network
# A prospect counts when one of our customers (or their staff) knows them directly and
# can introduce us: the exercise is growth *through* existing customers. Two hops also
# counted strangers of strangers, which a random pick of the graph's prospects reached.
INTRODUCTION_HOPS = 1
# Share of the genuine new prospects within reach (at most 30) a list must reach. Picking
# 30 of the graph's prospects at random already reaches 55-80% of them (most prospects are
# genuine), so the bands sit above what chance gives: the taught rule reaches 90-100%.
NETWORK_TIERS = ((0.88, 1.0), (0.8, 0.5), (0.7, 0.25))


def reference_network_prospects(edges: list[dict], customers: list[dict]) -> list[str]:
    """The notebook's method: prospects tied to our customers or their staff, by strength."""
    ours = {c["customer_id"] for c in customers}
    score: dict[str, float] = {}
    for e in edges:
        ends = [(e["source"], e["source_kind"]), (e["target"], e["target_kind"])]
        for (node, kind), (other, other_kind) in (ends, ends[::-1]):
            if kind == "prospect" and (other in ours or other_kind == "contact"):
                score[node] = score.get(node, 0.0) + e["strength"]
    return sorted(score, key=lambda n: (-score[n], n))[:PROSPECTS_MAX]


@evaluator(UNIT, "network_test")
def network(artifact: Any, ctx: EvalContext) -> Verdict:
    """The prospect rule (or find_prospects) on the hidden graph: genuine new prospects.

    Counted in the first 30 people listed, against the most a list of 30 reaches among
    people a customer knows directly (`NETWORK_TIERS`: 0.88 -> 1, 0.8 -> 0.5, 0.7 -> 0.25).
    The rule also gets the hidden company's lead sources, so it can leave out existing
    customers; a function gets the graph and the customers only.
    """
    world = ctx.hidden_world()
    desk.ensure_sources(world)      # the graph's prospects come with the lead sources
    if _is_rule(artifact, "prospect_rule"):
        # no-code track: the prospect rule applied to the unseen company's graph, with its
        # lead sources so the rule can leave out people who are already customers
        try:
            result = rules.apply_prospect_rule(desk.referral_edges(world),
                                               desk.customer_records(world),
                                               _stacked_sources(world), artifact,
                                               desk.satisfied_customers(world))
        except CrmSimError as e:
            return Verdict(0.0, f"The prospect rule cannot be applied: {e}",
                           {"error": "invalid rule"})
    elif not _is_function(artifact):
        return _not_a_rule_or_function("find_prospects", "prospect_finder.value")
    else:
        result = _call(ctx, artifact, [desk.referral_edges(world),
                                       desk.customer_records(world)])
    return network_verdict(world, result)


def network_verdict(world: Any, result: Any) -> Verdict:
    """A returned prospect list scored on `world` (the unseen company)."""
    from crm_sim.leads import network as net

    if _is_call_error(result):
        return Verdict(0.0, f"{unseen_failure('find_prospects', result)}. Make it work on "
                            "any graph: "
                            "imports inside the function, no names from other cells, no "
                            "hard-coded ids.", {"error": result.kind})
    if not isinstance(result, list) or not all(isinstance(p, str) for p in result):
        return Verdict(0.0, "find_prospects must return a list of node ids (text).",
                       {"type": type(result).__name__})
    if not result:
        return Verdict(0.0, "find_prospects returned no prospects on the hidden company's "
                            "graph: look for people linked to our customers.")
    picked = list(dict.fromkeys(result))[:PROSPECTS_MAX]
    try:
        stats = net.score_network_reach(world, picked, max_hops=INTRODUCTION_HOPS)
    except CrmSimError as e:
        return Verdict(0.0, "The prospects find_prospects returned on the hidden company "
                            "cannot be scored: return node ids from the graph given",
                       {"error": quote(str(e))})
    reached = int(stats["genuine_new"])
    best = min(PROSPECTS_MAX, int(stats["available_genuine_new"]))
    ratio = reached / best if best else 0.0
    score = _tier(ratio, NETWORK_TIERS)
    # the taught rule sees the lead sources too, so it leaves out existing customers
    taught = rules.apply_prospect_rule(desk.referral_edges(world), desk.customer_records(world),
                                       _stacked_sources(world), rules.TAUGHT_PROSPECT_RULE)
    by_method = int(net.score_network_reach(
        world, taught, max_hops=INTRODUCTION_HOPS)["genuine_new"]) if taught else 0
    evidence = {"listed": len(picked), "genuine_new": reached, "achievable": best,
                "taught_method_reaches": by_method,
                **{k: v for k, v in stats.items() if isinstance(v, int | float | str)}}
    # scores and bands only: the counts are hidden-world figures (they are in the evidence)
    if score == 1.0:
        return Verdict(1.0, "On the hidden company your list reaches at least 88% of the "
                            "genuine new prospects within reach.", evidence)
    head = (f"On the hidden company your list reaches {_band(ratio)} of the genuine new "
            "prospects within reach; full marks from 88%. ")
    if reached >= by_method:
        # the feedback must not send a trainee who applied the taught method hunting
        return Verdict(score, head + "The method taught here reaches no more on this "
                       "company, so here even that method stays under the full-marks "
                       "line. Your assessor can see this in the evidence.", evidence)
    return Verdict(score, head + "The method taught here reaches more. Leave out "
                   "existing customers (their phone or e-mail is a customer's), and prefer "
                   "people our customers know well or several customers know.", evidence)


def _band(ratio: float) -> str:
    """A share as a band a trainee may see ("50-80%"), not the hidden counts behind it."""
    for low, text in ((0.88, "at least 88%"), (0.8, "80-88%"), (0.7, "70-80%")):
        if ratio >= low:
            return text
    return "under 70%"


# ------------------------------------------------------------- exercise 5: review
def _hidden_store(ctx: EvalContext) -> Path:
    """The hidden world saved once per context; the folder goes with the context."""
    cache = getattr(ctx, "_cache", None)
    if not isinstance(cache, dict):        # no cache to hold the folder: plain temp dir
        folder = Path(tempfile.mkdtemp(prefix="crm-410a-grade-"))
        return ctx.hidden_world().save(folder / "hidden.sqlite")
    if "410a_store" in cache and cache["410a_store"].exists():
        return cache["410a_store"]
    folder = tempfile.TemporaryDirectory(prefix="crm-410a-grade-")
    path = ctx.hidden_world().save(Path(folder.name) / "hidden.sqlite")
    cache["410a_store_dir"] = folder          # removed when the context is collected
    cache["410a_store"] = path
    return path


# The analyst track's model query (the no-code track builds an equivalent one by picking).
# A module-level SQL constant is a model answer: a submitted query matching it is flagged
# for the assessor (autograders.fingerprint).
REFERENCE_SQL_SEGMENTS = (
    "SELECT segment, COUNT(*) AS customers, AVG(lifetime_value) AS mean_value,\n"
    "       AVG(CASE WHEN dm_consent THEN 1.0 ELSE 0.0 END) AS consent_rate\n"
    "FROM customers GROUP BY segment ORDER BY segment")


def reference_segments(customers: pd.DataFrame) -> pd.DataFrame:
    """The figures SQL_SEGMENTS must return (pandas on the same table)."""
    by = customers.groupby("segment")
    return pd.DataFrame({
        "customers": by.size(),
        "mean_value": by["lifetime_value"].mean(),
        "consent_rate": by["dm_consent"].mean(),
    }).sort_index().reset_index()


@evaluator(UNIT, "sql_test")
def sql_query(artifact: Any, ctx: EvalContext) -> Verdict:
    """SQL_SEGMENTS run read-only on the hidden store.

    One quarter per correct column (segment order, customers, mean_value, consent_rate)
    of the query run read-only on the hidden store.
    """
    if not isinstance(artifact, str) or len(artifact) > MAX_TEXT:
        return Verdict(0.0, "SQL_SEGMENTS must be the query as a string.")
    got = ctx.run_sql(_hidden_store(ctx), artifact)     # in the jail: bounded time, memory
    if not isinstance(got, pd.DataFrame):
        # the database's own words can quote hidden data (a value in an error): the kind
        # of failure and the rule it broke only
        rule = (got.message if got.kind == "raised"
                else "a query that finishes in time within the memory limit")
        return Verdict(0.0, f"SQL_SEGMENTS failed on the hidden store ({got.kind}) {UNSEEN}: "
                            f"it must be {quote(rule)}. Try it on your own store first.",
                       {"error": got.kind})
    want = reference_segments(ctx.hidden_world().tables["customers"])
    right, wrong = 0, []
    for col in ("segment", "customers", "mean_value", "consent_rate"):
        ok = col in got.columns and len(got) == len(want)
        if ok and col == "segment":
            ok = got[col].astype(str).tolist() == want[col].astype(str).tolist()
        elif ok:
            vals = pd.to_numeric(got[col], errors="coerce").to_numpy(float)
            ok = bool(((abs(vals - want[col].to_numpy(float)) <= 1e-6 * (1 + abs(
                want[col].to_numpy(float))))).all())
        right += ok
        if not ok:
            wrong.append(col)
    score = right / 4
    if not wrong:
        return Verdict(1.0, "The query returns the right figures on the hidden store.",
                       {"rows": len(got)})
    return Verdict(score, f"Column(s) {wrong} are missing or wrong on the hidden store: one row "
                          "per segment ordered by segment, named exactly segment, customers, "
                          "mean_value, consent_rate.", {"rows": len(got), "wrong": wrong})


@evaluator(UNIT, "plan_test")
def plan(artifact: Any, ctx: EvalContext) -> Verdict:
    """0.75 all required steps in time (0.25 with one missing), + 0.25 no unused capacity.

    A review presented without two of its required figures answers too little to act
    on: a plan of the right shape with random steps and tools completes two to four of
    the five, and earned 0.3-0.6 when each step counted 0.15.
    """
    n = len(ctx.trainee_world().tables["customers"])
    try:
        result = review.run_plan(artifact, n)
    except CrmSimError as e:
        return Verdict(0.0, f"The plan is malformed: {e}")
    done = len(review.REQUIRED_STEPS) - len(result["missing_required"])
    full = not result["missing_required"] and not result["could_add"]
    missing = len(review.REQUIRED_STEPS) - done
    score = (0.75 if missing == 0 else 0.25 if missing == 1 else 0.0) + (0.25 if full else 0.0)
    evidence = {k: result[k] for k in ("completed", "late", "hours_used", "missing_required",
                                       "spare_hours", "could_add")}
    msgs = []
    if result["missing_required"]:
        msgs.append(f"required steps not completed within {result['budget_hours']:g} hours: "
                    f"{result['missing_required']} (choose faster tools for the big steps)")
    elif result["could_add"]:
        msgs.append(f"{result['spare_hours']:g} hours unused while {result['could_add']} "
                    "would still fit: work at full capacity")
    return Verdict(score, "Review completed in time at full capacity." if not msgs else
                   "Fix: " + "; ".join(msgs) + ".", evidence)


def reference_summary(customers: pd.DataFrame) -> dict[str, Any]:
    """The four headline figures profile_summary must return."""
    counts = customers.groupby("district").size().reset_index(name="n")
    counts = counts.sort_values(["n", "district"], ascending=[False, True], kind="stable")
    return {
        "customers_by_segment": {str(k): int(v) for k, v in
                                 customers.groupby("segment").size().items()},
        "mean_value_by_segment": {str(k): round(float(v), 2) for k, v in
                                  customers.groupby("segment")["lifetime_value"].mean().items()},
        "consent_rate": round(float(customers["dm_consent"].astype(bool).mean()), 4),
        "top_districts": [str(d) for d in counts["district"].head(3)],
    }


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, dict):
        return isinstance(got, dict) and set(got) == set(want) and all(
            _same(got[k], want[k]) for k in want)
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(
            _same(g, w) for g, w in zip(got, want, strict=True))
    if isinstance(want, float | int) and not isinstance(want, bool):
        return isinstance(got, int | float) and not isinstance(got, bool) and \
            math.isfinite(got) and abs(got - want) <= 0.006 + 1e-9 * abs(want)
    return got == want


@evaluator(UNIT, "summary_test")
def summary(artifact: Any, ctx: EvalContext) -> Verdict:
    """One quarter per headline figure right on the hidden customer base."""
    hidden = ctx.hidden_world()
    if _is_rule(artifact, "figure_specs"):
        # no-code track: the figure builder's specs computed on the unseen customers
        from crm_sim import figure_specs

        figures = artifact.get("figures")
        if not isinstance(figures, Mapping):
            return Verdict(0.0, "The figures are missing: set each figure in the builder.",
                           {"error": "invalid rule"})
        result = {}
        for name in reference_summary(hidden.tables["customers"]):
            try:
                if name in figures:
                    result[name] = figure_specs.compute(figures[name],
                                                        pd.DataFrame(desk.customer_records(
                                                            hidden)))
            except CrmSimError as e:
                return Verdict(0.0, f"Figure {name} cannot be computed: {e}",
                               {"error": "invalid rule"})
    elif not _is_function(artifact):
        return _not_a_rule_or_function("profile_summary", "figures.value")
    else:
        result = _call(ctx, artifact, [desk.customer_records(hidden)])
    if _is_call_error(result):
        return Verdict(0.0, f"{unseen_failure('profile_summary', result)}.",
                       {"error": result.kind})
    if not isinstance(result, dict):
        return Verdict(0.0, "profile_summary must return a dict with the four figures.")
    want = reference_summary(hidden.tables["customers"])
    wrong = [k for k in want if not _same(result.get(k), want[k])]
    score = (len(want) - len(wrong)) / len(want)
    if not wrong:
        return Verdict(1.0, "All four figures are right on the hidden base.", {"wrong": []})
    return Verdict(score, f"Wrong or missing on the hidden base: {wrong}. Check keys, "
                          "rounding and the tie rule for districts.", {"wrong": wrong})


# ------------------------------------------------------------- exercise 6: present
FULL_SHARE = 0.75   # share of the best single action that earns a part's full credit
HALF_SHARE = 0.4    # ... and half of it


def recommendation_verdict(recs: Any, world: Any) -> Verdict:
    """Recommendations executed for twelve months on `world`'s hidden latent state.

    0.4 retained value and 0.4 new customers (full at >= FULL_SHARE of the best single
    action on that world, half at >= HALF_SHARE), 0.2 expected effects named on the metric
    each action moves; 0 for any recommendation that breaches the PDPO. Messages give
    bands, never the world's figures (those are evidence for the assessor).
    """
    customers, latent = world.tables["customers"], world.hidden["latent"]
    try:
        result = review.execute_recommendations(recs, customers, latent)
    except CrmSimError as e:
        return Verdict(0.0, f"The recommendations cannot be executed: {e}")
    best = review.best_effects(customers, latent)
    evidence = {"retained_value": result["retained_value"],
                "new_customers": result["new_customers"], "breaches": result["breaches"],
                "best": best,
                "recommendations": [{k: r[k] for k in ("target_segment", "action",
                                                       "retained_value", "new_customers")}
                                    for r in result["recommendations"]]}
    if result["breaches"]:
        return Verdict(0.0, "A recommendation breaches the PDPO and was not executed: "
                            + "; ".join(result["breaches"]) + ".", evidence)

    def part(value: float, top: float) -> float:
        ratio = value / top if top > 0 else 0.0
        return 0.4 if ratio >= FULL_SHARE else 0.2 if ratio >= HALF_SHARE else 0.0

    p_value = part(result["retained_value"], best["retained_value"])
    p_new = part(result["new_customers"], best["new_customers"])
    recs = result["recommendations"]
    consistent = all(r["expected_effect"]["metric"] == review.ACTIONS[r["action"]]["metric"]
                     and r["expected_effect"]["change"] > 0 for r in recs)
    score = round(p_value + p_new + (0.2 if consistent else 0.0), 10)
    msgs = []
    if p_value < 0.4:
        msgs.append("the effect on existing customers' value is small: target the segment "
                    "where reach x conversion x monthly value is largest in that company")
    if p_new < 0.4:
        msgs.append("few new customers result: pick the segment with the most consented, "
                    "satisfied customers in that company")
    if not consistent:
        msgs.append("state each expected effect on the metric its action moves, as a "
                    "positive change")
    return Verdict(score, "Executed for twelve simulated months on the unseen company: " + (
        "; ".join(msgs) + "." if msgs else "a strong effect on both existing and new "
                                           "customers."), evidence)


@evaluator(UNIT, "recommend_test")
def recommend(artifact: Any, ctx: EvalContext) -> Verdict:
    """`recommend(signals)` run on the unseen company's signals; its advice executed there.

    The function gets the unseen company's `desk.recommend_inputs` (what its profile shows
    per segment, public data only) and its recommendations are scored by
    `recommendation_verdict` on that company. Each world draws its own segment economics
    (`crm_sim.economics`: spend, consent, satisfaction level), so the best segment for an
    offer or for referrals changes between companies, and advice read off one world's
    truth does not carry over.
    """
    from autograders.checks import to_plain

    world = ctx.hidden_world()
    if _is_rule(artifact, "recommend_rule"):
        # no-code track: the rule per segment signal applied to the unseen company's
        # signals, its advice executed there
        from crm_sim import segment_rules

        try:
            result = segment_rules.apply_rule(artifact, desk.recommend_inputs(world))
        except CrmSimError as e:
            return Verdict(0.0, f"The recommendation rule cannot be applied: {e}",
                           {"error": "invalid rule"})
        return recommendation_verdict(result, world)
    if not _is_function(artifact):
        return _not_a_rule_or_function("recommend", "recommender.value")
    result = _call(ctx, artifact, [to_plain(desk.recommend_inputs(world))])
    if _is_call_error(result):
        return Verdict(0.0, f"recommend failed while running on the unseen company "
                            f"({result.kind}).", {"error": result.kind})
    return recommendation_verdict(result, world)


# ------------------------------------------------------------- simulated cohort
# The segment that did NOT say "low" most often, in the trainee's own option order.
_OWN_K2_WRONG = (
    'answer_own_k2 = shown_letter("answer_own_k2", {"corporate": "a", "sme": "b", '
    '"individual": "c"}[[s for s in ("corporate", "sme", "individual") if s not in '
    'own_company.top_segments(own_company.satisfaction_table(world)["low_%"])][0]], '
    '"abc")\n')
# Variant name -> {solution cell grade_id: replacement source}; "full" is the source.
VARIANTS: dict[str, dict[str, str]] = {
    "partial": {
        "q_k3_answer": 'answer_k3 = shown_letter("answer_k3", "a")',
        # e-mail and phone with a name check, but no mailbox or district: F1 0.75-0.9
        "resolve_impl": ('link_rule = {"kind": "link_rule",\n'
                         '             "match_on": {"email": 70, "phone": 70}}\n'),
        "purpose_impl": (
            "allowed_uses = {'event': ['service', 'analysis', 'direct_marketing'],\n"
            "                'web': ['service', 'direct_marketing'], 'purchased': ['analysis'],\n"
            "                'referral': ['service', 'analysis'],\n"
            "                'call_centre': ['service', 'analysis', 'direct_marketing']}\n"),
        "share_impl": ("from crm_sim.privacy import mask_frame\n"
                       "shared_profiles = mask_frame(profiles)\n"),
        "plan_impl": ("review_plan = [{'step': s, 'tool': 'spreadsheet'} for s in\n"
                      "               ['segment_mix', 'value_by_segment', 'consent_coverage',\n"
                      "                'district_reach', 'contact_history']]\n"),
        # two figures right, consent unrounded is still right; districts missing, mean
        # value averaged over the wrong column
        "summary_impl": ('summary_figures = {"kind": "figure_specs", "figures": {\n'
                         '    "customers_by_segment": {"measure": "count",\n'
                         '                             "group_by": "segment"},\n'
                         '    "consent_rate": {"measure": "share_true",\n'
                         '                     "column": "dm_consent"},\n'
                         '    "mean_value_by_segment": {"measure": "mean", "group_by": "segment",\n'
                         '                              "column": "tenure_months"}}}\n'),
        # one play only (value), service calls to the biggest segment
        "recommend_impl": ('recommend_rule = {"kind": "recommend_rule", "plays": [\n'
                           '    {"action": "win_back_call", "pick_by": ["customers"],\n'
                           '     "expected_effect": {"metric": "retained_value",\n'
                           '                         "change": 1000}}]}\n'),
        "network_impl": 'prospect_rule = {"kind": "prospect_rule", "max_prospects": 26}\n',
        "prof_x1b_answer": 'answer_x1b = {"choice": "b", "reasons": ["target_pressure"]}\n',
        "recommend_written": "We should do more marketing.",
    },
    "wrong": {
        "q_k1_answer": 'answer_k1 = shown_letter("answer_k1", "a")',
        "q_k2_answer": 'answer_k2 = shown_letter("answer_k2", "a")',
        "q_k3_answer": 'answer_k3 = shown_letter("answer_k3", "d")',
        "q_k4_answer": 'answer_k4 = shown_letter("answer_k4", "c")',
        "q_k5_answer": 'answer_k5 = shown_letter("answer_k5", "a")',
        "q_own_k2_answer": _OWN_K2_WRONG,
        "resolve_impl": 'link_rule = {"kind": "link_rule", "match_on": {}}\n',
        "purpose_impl": ("allowed_uses = {s: ['direct_marketing', 'service', 'analysis']\n"
                         "                for s in sources}\n"),
        "marketing_impl": "marketing_list = pd.concat(sources.values(), ignore_index=True)\n",
        "share_impl": "shared_profiles = profiles.copy()\n",
        "access_impl": ("role_access = {r: {c: 'full' for c in\n"
                        "    ['identifier', 'contact', 'government_id', 'profile', 'consent',\n"
                        "     'financial', 'activity', 'other']}\n"
                        "    for r in ['agency', 'consultant']}\n"),
        "prof_x1_answer": 'answer_x1 = {"choice": "a", "reasons": ["director_approved"]}\n',
        "prof_x1b_answer": 'answer_x1b = {"choice": "a", "reasons": ["target_pressure"]}\n',
        "qualify_impl": ('lead_rule = {"kind": "lead_rule", "merge_on": [],\n'
                         '             "rank_by": ["newest"], "consent_from_purchased": True,\n'
                         '             "standards": {"require_budget": False,\n'
                         '                           "min_deal_hkd": 0,\n'
                         '                           "authority_levels": [],\n'
                         '                           "require_need": False,\n'
                         '                           "max_timeline_months": None,\n'
                         '                           "require_consent": False,\n'
                         '                           "max_record_age_days": None}}\n'),
        # only people several customers know, ranked so: almost nobody qualifies
        "network_impl": ('prospect_rule = {"kind": "prospect_rule", "min_known_by": 5,\n'
                         '                 "rank_by": "known_by", "max_prospects": 3}\n'),
        "sql_impl": 'SQL_SEGMENTS = "SELECT 1 AS x"\n',
        "plan_impl": "review_plan = []\n",
        "summary_impl": 'summary_figures = {"kind": "figure_specs", "figures": {}}\n',
        "recommend_impl": ('recommend_rule = {"kind": "recommend_rule", "plays": [\n'
                           '    {"action": "purchased_list_campaign", "pick_by": ["customers"],\n'
                           '     "expected_effect": {"metric": "new_customers",\n'
                           '                         "change": 500}}]}\n'),
        "recommend_written": "",
    },
}
