"""Scoring of the two answer kinds every unit asks: a quiz letter and a judgement call.

Four units grade their multiple-choice questions and their professional-judgement calls
the same way; only the wording and how much of a hostile answer is echoed back differ.
One copy here keeps their scores in step: a fix to how a letter is read or how a
justification is weighed reaches every unit at once.

Evaluator modules import it as ``from autograders.checks.answers import ...``. It is not
re-exported by ``autograders.checks``, whose import must stay cheap in the trainee's
kernel (this module reads the quiz's option order from `crm_sim.ui.quiz`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from autograders.checks.messages import quote
from autograders.results import Verdict
from crm_sim.ui.quiz import original_option

NOT_A_LETTER = "Put a single letter in quotes in the answer cell, e.g. \"a\"."
ANSWER_ECHO = 40              # characters of a non-letter answer kept as evidence
JUDGEMENT_ECHO = 80           # characters of a malformed judgement kept as evidence
REASONS_READ = 50             # reasons read from a judgement; more are padding


def read_letter(artifact: Any, letters: str | None = None) -> str | None:
    """The single letter a trainee handed in, lower-cased, or None when it is not one.

    Args:
        artifact: the trainee's answer, of any type.
        letters: the option letters to accept (e.g. "abcd"); None accepts any single
            alphabetic character, so a letter past the options is a wrong answer rather
            than a malformed one.
    """
    if not isinstance(artifact, str) or len(artifact.strip()) != 1:
        return None
    if letters is None:
        return artifact.strip().lower() if artifact.strip().isalpha() else None
    return artifact.strip().lower() if artifact.strip().lower() in letters else None


def grade_letter(artifact: Any, key: str, *, trainee_id: str | None, question: str,
                 wrong: str, letters: str = "abcd", only_options: bool = False,
                 not_a_letter: str = NOT_A_LETTER, correct: str = "Correct.") -> Verdict:
    """1 when the letter, mapped back from the trainee's own option order, is the key.

    Each trainee sees the options shuffled (`crm_sim.ui.quiz`), so the letter is first
    turned back into the author's letter before it is compared with the key.

    Args:
        artifact: the trainee's answer.
        key: the author's letter of the best option.
        trainee_id: whose option order to undo.
        question: the question id the notebook asked with (e.g. "answer_k1").
        wrong: the feedback for a wrong letter (a hint, never the key).
        letters: the author's option letters.
        only_options: True to treat a letter outside `letters` as malformed (feedback
            `not_a_letter`) rather than as a wrong option.
        not_a_letter: the feedback when the answer is not a single letter.
        correct: the feedback for the key.

    Returns:
        The verdict, with the answer and the author's option as evidence.
    """
    answer = read_letter(artifact, letters if only_options else None)
    if answer is None:
        return Verdict(0.0, not_a_letter, {"answer": repr(artifact)[:ANSWER_ECHO]})
    option = original_option(trainee_id, question, answer, letters)
    evidence = {"answer": answer, "option": option}
    if option == key:
        return Verdict(1.0, correct, evidence)
    return Verdict(0.0, wrong, evidence)


@dataclass(frozen=True)
class JudgementTexts:
    """The feedback of a judgement call, in the trainee's language.

    Attributes:
        malformed: the answer is not {"choice": str, "reasons": list}.
        wrong_choice: the choice is not the key (a hint at what to weigh).
        missing: appended when a good reason is missing ("; name every ...").
        well_justified: the right choice with every good reason and no other.
        incomplete: start of the message for the right choice, justified in part.
        unknown_codes: appended when reasons are not codes of the question; ``{codes}``
            is replaced by the quoted codes.
        contradicting: appended when a known reason argues for another choice.
        end: closes the message for a partly justified choice.
    """

    malformed: str
    wrong_choice: str
    missing: str
    well_justified: str = "Right choice, well justified."
    incomplete: str = "Right choice. The justification is incomplete"
    unknown_codes: str = "; unknown reason codes {codes} (use the printed codes)"
    contradicting: str = "; at least one reason would justify a different choice"
    end: str = "."


def grade_judgement(artifact: Any, *, choice: str, codes: Collection[str],
                    good: frozenset[str], texts: JudgementTexts,
                    breaches: Mapping[str, str] | None = None,
                    unknown_shown: int | None = None, unknown_kept: int | None = None,
                    choice_kept: int | None = None) -> Verdict:
    """Score a judgement call: half for the right choice, half for its justification.

    The justification earns its share by the good reasons named, less one for every
    other reason (a known one that argues for another choice, or an unknown code), so
    ticking every box earns nothing. A wrong choice scores 0; one the law forbids also
    reports its breach, which a unit.toml gate turns into a failed criterion.

    Args:
        artifact: the trainee's answer, {"choice": "b", "reasons": [codes]}.
        choice: the key's letter.
        codes: every reason code the question offers.
        good: the codes that justify the key.
        texts: the feedback, in the trainee's language.
        breaches: choice letter -> "code: detail" of the breach that choice commits.
        unknown_shown: how many unknown codes the message quotes (None: all; `quote`
            still cuts the text to 200 characters).
        unknown_kept: how many unknown codes the evidence keeps (None: all).
        choice_kept: how many characters of the choice the evidence keeps (None: all).

    Returns:
        The verdict; evidence holds the choice, the known reasons and the unknown ones.
    """
    if not isinstance(artifact, Mapping) or not isinstance(artifact.get("choice"), str) or \
            not isinstance(artifact.get("reasons"), list):
        return Verdict(0.0, texts.malformed, {"answer": repr(artifact)[:JUDGEMENT_ECHO]})
    chosen_letter = artifact["choice"].strip().lower()
    reasons = [r for r in artifact["reasons"][:REASONS_READ] if isinstance(r, str)]
    unknown = sorted({r for r in reasons if r not in codes})
    chosen = {r for r in reasons if r in codes}
    n_good = len(chosen & good)
    n_bad = len(chosen - good) + len(unknown)
    evidence = {"choice": chosen_letter[:choice_kept], "reasons": sorted(chosen),
                "unknown_reasons": unknown[:unknown_kept]}
    if chosen_letter != choice:
        breach = (breaches or {}).get(chosen_letter)
        return Verdict(0.0, texts.wrong_choice, evidence, breaches=[breach] if breach else [])
    score = 0.5 + 0.5 * max(0, n_good - n_bad) / len(good)
    if score == 1.0:
        return Verdict(1.0, texts.well_justified, evidence)
    message = texts.incomplete
    if unknown:
        message += texts.unknown_codes.format(codes=quote(unknown[:unknown_shown]))
    if n_bad - len(unknown) > 0:
        message += texts.contradicting
    if n_good < len(good):
        message += texts.missing
    return Verdict(score, message + texts.end, evidence)
