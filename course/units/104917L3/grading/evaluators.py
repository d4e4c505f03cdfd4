"""Evaluators, answer keys and cohort variants of unit 104917L3 (never released).

One evaluator per graded test cell of ``course/units/104917L3``. Scores are fixed
fractions so tests can assert exact marks and an assessor can read why a mark was given.
Messages say what to fix, in plain words; they never print a key or anything read from
a hidden company. Scenario questions are keyed in the author's letters and mapped back
from each trainee's own option order (`original_option`); the language a trainee reads
changes no letter and no key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograders.checks import EvalContext, evaluator
from autograders.checks.messages import quote
from autograders.results import Verdict
from crm_sim import own_company
from crm_sim.ui.quiz import original_option

from .. import boutique_desk as desk

UNIT = desk.UNIT

# --------------------------------------------------------------------- answer keys
MC_KEYS = {"q_k1a_test": "a", "q_k1b_test": "b", "q_k1c_test": "b", "q_k2_test": "c",
           "q_k3a_test": "b", "q_k3b_test": "d"}
MC_HINTS = {
    "q_k1a_test": "a customer who keeps coming back wants something: find out what she values",
    "q_k1b_test": "a relationship grows from contact the customer welcomes, not from pressure",
    "q_k1c_test": "a reservation with a deposit is a promise to the customer who made it",
    "q_k2_test": "an upset customer first needs to be heard and to know what happens next",
    "q_k3a_test": "read the company's approval limits: who may promise how much, and when",
    "q_k3b_test": "read the company's warranty policy on where the watch was bought",
}
JUDGEMENTS = {
    "prof_x1_test": {"choice": "b",
                     "good": frozenset({"own_data", "cannot_verify", "still_serve"})},
}
# Choices that break the law: a customer's purchases and address told to a caller
# (a use of his personal data he never agreed to: PDPO Sch. 1 DPP3).
BREACH_CHOICES: dict[str, dict[str, str]] = {
    "prof_x1_test": {
        "a": "disclosed_to_third_party: a customer's purchase, price and address told to a "
             "caller (PDPO DPP3)",
        "c": "disclosed_to_third_party: a customer's purchase told to a caller (PDPO DPP3)",
        "d": "disclosed_to_third_party: a customer's invoice e-mailed to a caller (PDPO DPP3)"},
}


# ------------------------------------------------------------- knowledge (MC)
def _letter(artifact: Any, letters: str = desk.LETTERS) -> str | None:
    if isinstance(artifact, str) and len(artifact.strip()) == 1 and \
            artifact.strip().lower() in letters:
        return artifact.strip().lower()
    return None


def _mc(grade_id: str, artifact: Any, trainee_id: str) -> Verdict:
    """1 when the letter, mapped back from the trainee's option order, is the key; else 0."""
    answer = _letter(artifact)
    if answer is None:
        return Verdict(0.0, "Put a single letter in quotes in the answer cell, e.g. \"a\".",
                       {"answer": repr(artifact)[:40]})
    question = "answer_" + grade_id[2:-len("_test")]        # q_k1a_test -> answer_k1a
    option = original_option(trainee_id, question, answer, desk.LETTERS)
    if option == MC_KEYS[grade_id]:
        return Verdict(1.0, "Correct.", {"answer": answer, "option": option})
    return Verdict(0.0, f"Not the best option: {MC_HINTS[grade_id]}.",
                   {"answer": answer, "option": option})


for _gid in MC_KEYS:
    evaluator(UNIT, _gid)(lambda artifact, ctx, _g=_gid: _mc(_g, artifact, ctx.trainee_id))


def own_top_kinds(world: Any) -> list[str]:
    """The customer kind(s) with the most complaints per 100 customers over 12 months."""
    return own_company.top_segments(own_company.complaints_table(world).sum())


@evaluator(UNIT, "q_own_test")
def own_company_complaints(artifact: Any, ctx: EvalContext) -> Verdict:
    """K1 on the trainee's own company: 1 for the kind of customer complaining most.

    Read from the trainee's world rebuilt from the seed: the 12 months before the start
    date, which nothing the trainee does can change; on an exact tie each top kind earns 1.
    """
    answer = _letter(artifact)
    if answer is None:
        return Verdict(0.0, "Put a single letter in quotes in the answer cell, e.g. \"a\".",
                       {"answer": repr(artifact)[:40]})
    option = original_option(ctx.trainee_id, "answer_own", answer, desk.OWN_SEGMENT_OPTIONS)
    chosen = desk.OWN_SEGMENT_OPTIONS.get(option or "")
    top = own_top_kinds(ctx.trainee_world())
    evidence = {"answer": answer, "option": option, "kind": chosen, "top": top}
    if chosen in top:
        return Verdict(1.0, "Correct: that is what your own company's records show.", evidence)
    return Verdict(0.0, "That does not match your company's complaints table: add up each "
                        "column over the 12 months and compare.", evidence)


# ------------------------------------------------------------- professionalism
def _judgement(grade_id: str, artifact: Any) -> Verdict:
    spec = JUDGEMENTS[grade_id]
    codes = set(desk.reason_codes(grade_id[:-len("_test")]))
    if not isinstance(artifact, Mapping) or not isinstance(artifact.get("choice"), str) or \
            not isinstance(artifact.get("reasons"), list):
        return Verdict(0.0, "Choose one option and tick your reasons in the view, then set "
                            "the answer to the view's value.", {"answer": repr(artifact)[:80]})
    choice = artifact["choice"].strip().lower()
    reasons = [r for r in artifact["reasons"][:50] if isinstance(r, str)]
    unknown = sorted({r for r in reasons if r not in codes})
    chosen = {r for r in reasons if r in codes}
    good = len(chosen & spec["good"])
    bad = len(chosen - spec["good"]) + len(unknown)
    evidence = {"choice": choice, "reasons": sorted(chosen), "unknown_reasons": unknown[:10]}
    if choice != spec["choice"]:
        breach = BREACH_CHOICES.get(grade_id, {}).get(choice)
        return Verdict(0.0, "That choice does not put the customer first within the law: "
                            "think about whose data it is and what he agreed to.", evidence,
                       breaches=[breach] if breach else [])
    score = 0.5 + 0.5 * max(0, good - bad) / len(spec["good"])
    if score == 1.0:
        return Verdict(1.0, "Right choice, well justified.", evidence)
    msg = "Right choice. The justification is incomplete"
    if unknown:
        msg += f"; unknown reason codes {quote(unknown[:5])} (tick reasons in the view)"
    if bad - len(unknown) > 0:
        msg += "; at least one reason would justify a different choice"
    if good < len(spec["good"]):
        msg += "; name every consideration: the law, the people involved and the relationship"
    return Verdict(score, msg + ".", evidence)


for _gid in JUDGEMENTS:
    evaluator(UNIT, _gid)(lambda artifact, ctx, _g=_gid: _judgement(_g, artifact))


# ------------------------------------------------------------- cohort variants
_OWN_WRONG = (
    'answer_own = shown_letter("answer_own", {"collector": "a", "gift_buyer": "b", '
    '"walk_in": "c", "corporate_gifting": "d"}[[k for k in ("collector", "gift_buyer", '
    '"walk_in", "corporate_gifting") if k not in own_company.top_segments('
    'own_company.complaints_table(world).sum())][0]])\n')
# Variant name -> {solution cell grade_id: replacement source}; "full" is the source.
VARIANTS: dict[str, dict[str, str]] = {
    "partial": {
        "q_k1c_answer": 'answer_k1c = shown_letter("answer_k1c", "a")\n',
        "q_k3a_answer": 'answer_k3a = shown_letter("answer_k3a", "d")\n',
        "prof_x1_answer": 'answer_x1 = {"choice": "b", "reasons": ["own_data"]}\n',
    },
    "wrong": {
        "q_k1a_answer": 'answer_k1a = shown_letter("answer_k1a", "b")\n',
        "q_k1b_answer": 'answer_k1b = shown_letter("answer_k1b", "a")\n',
        "q_k1c_answer": 'answer_k1c = shown_letter("answer_k1c", "a")\n',
        "q_k2_answer": 'answer_k2 = shown_letter("answer_k2", "d")\n',
        "q_k3a_answer": 'answer_k3a = shown_letter("answer_k3a", "a")\n',
        "q_k3b_answer": 'answer_k3b = shown_letter("answer_k3b", "b")\n',
        "q_own_answer": _OWN_WRONG,
        "prof_x1_answer": 'answer_x1 = {"choice": "a", "reasons": ["family_ok"]}\n',
    },
}
