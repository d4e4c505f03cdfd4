"""Tests of autograders.checks.answers: quiz letters and judgement calls, hostile answers too."""

from __future__ import annotations

import pytest

from autograders.checks.answers import (
    NOT_A_LETTER,
    JudgementTexts,
    grade_judgement,
    grade_letter,
    read_letter,
)
from crm_sim.ui.quiz import shown_letter

TRAINEE = "T001"
QUESTION = "answer_k1"
KEY = "c"
HOSTILE = [None, 3, 1.5, ["a"], {"a": 1}, {"choice": "a"}, b"a", "", "  ", "ab", "1", "?",
           "a" * 1_000_000]


def letter_verdict(answer, **kwargs):
    """The verdict on `answer` to QUESTION, whose key is KEY, for TRAINEE."""
    return grade_letter(answer, KEY, trainee_id=TRAINEE, question=QUESTION,
                        wrong="Not the best option: think again.", **kwargs)


def seen(original: str) -> str:
    """The letter under which TRAINEE sees the author's option `original`."""
    return shown_letter(QUESTION, original, "abcd", trainee=TRAINEE)


def test_right_letter_scores_one_in_the_trainees_own_option_order():
    """The key, written as the letter this trainee sees it under, earns 1."""
    verdict = letter_verdict(seen(KEY))
    assert (verdict.score, verdict.message) == (1.0, "Correct.")
    assert verdict.evidence == {"answer": seen(KEY), "option": KEY}


def test_right_letter_forgives_case_and_spaces():
    """A padded capital (" C ") is read as the letter c."""
    verdict = letter_verdict(f"  {seen(KEY).upper()} ")
    assert verdict.score == 1.0


def test_wrong_letter_scores_zero_with_the_hint_not_the_key():
    """Every other option earns 0 and the caller's hint, and names the author's option."""
    for original in "abd":
        verdict = letter_verdict(seen(original))
        assert verdict.score == 0.0
        assert verdict.message == "Not the best option: think again."
        assert verdict.evidence["option"] == original


def test_the_authors_key_letter_is_not_right_for_a_trainee_who_sees_it_elsewhere():
    """Grading undoes the shuffle: the author's letter is only right where it is seen."""
    others = [t for t in (f"T{i:03d}" for i in range(50))
              if shown_letter(QUESTION, KEY, "abcd", trainee=t) != KEY]
    assert others, "every trainee sees the key under its own letter: shuffle untested"
    verdict = grade_letter(KEY, KEY, trainee_id=others[0], question=QUESTION, wrong="no")
    assert verdict.score == 0.0


@pytest.mark.parametrize("answer", HOSTILE, ids=lambda a: type(a).__name__ + str(len(repr(a))))
def test_missing_or_hostile_answer_scores_zero_and_asks_for_a_letter(answer):
    """None, numbers, lists, dicts, bytes, empty, long strings: 0, a hint, a short echo."""
    verdict = letter_verdict(answer)
    assert (verdict.score, verdict.message) == (0.0, NOT_A_LETTER)
    assert len(verdict.evidence["answer"]) <= 40


def test_letter_past_the_options_is_a_wrong_option_unless_only_options():
    """"e" is a wrong answer by default and a malformed one with only_options."""
    assert letter_verdict("e").message == "Not the best option: think again."
    strict = letter_verdict("e", only_options=True, not_a_letter="Pick a, b, c or d.")
    assert (strict.score, strict.message) == (0.0, "Pick a, b, c or d.")


def test_caller_words_every_message():
    """correct, wrong and not_a_letter come from the caller (a unit's language)."""
    kwargs = {"correct": "正確。", "not_a_letter": "請填上一個字母。"}
    assert letter_verdict(seen(KEY), **kwargs).message == "正確。"
    assert letter_verdict(None, **kwargs).message == "請填上一個字母。"


def test_read_letter_any_letter_or_only_the_options():
    """read_letter lower-cases one letter; with letters it accepts only those."""
    assert read_letter(" B ") == "b"
    assert read_letter("e") == "e"
    assert read_letter("e", "abcd") is None
    assert read_letter("C", "abcd") == "c"
    for answer in HOSTILE:
        assert read_letter(answer) is None


# ------------------------------------------------------------------ judgement calls
CODES = ("law", "people", "relationship", "speed", "profit")
GOOD = frozenset({"law", "people", "relationship"})
TEXTS = JudgementTexts(malformed="Hand in the view's value.", wrong_choice="Weigh the law.",
                       missing="; name every consideration")
BREACHES = {"a": "disclosed_to_third_party: data told to a caller"}


def judge(answer, **kwargs):
    """The verdict on `answer` to a judgement whose key is "b" (choice "a" is a breach)."""
    return grade_judgement(answer, choice="b", codes=CODES, good=GOOD, texts=TEXTS,
                           breaches=BREACHES, **kwargs)


def test_right_choice_with_every_good_reason_scores_one():
    """The key and exactly the good reasons earn full marks."""
    verdict = judge({"choice": " B ", "reasons": sorted(GOOD)})
    assert (verdict.score, verdict.message) == (1.0, "Right choice, well justified.")
    assert verdict.evidence == {"choice": "b", "reasons": sorted(GOOD), "unknown_reasons": []}


def test_right_choice_without_reasons_scores_half_and_asks_for_them():
    """The choice alone is half; the message asks for every consideration."""
    verdict = judge({"choice": "b", "reasons": []})
    assert verdict.score == 0.5
    assert verdict.message == ("Right choice. The justification is incomplete"
                               "; name every consideration.")


def test_a_wrong_or_unknown_reason_cancels_a_good_one():
    """Two good and one contrary reason: (2 - 1) / 3 of the justification half."""
    verdict = judge({"choice": "b", "reasons": ["law", "people", "speed"]})
    assert verdict.score == pytest.approx(0.5 + 0.5 / 3)
    assert "at least one reason would justify a different choice" in verdict.message
    unknown = judge({"choice": "b", "reasons": ["law", "people", "made_up"]})
    assert unknown.score == pytest.approx(0.5 + 0.5 / 3)
    assert "unknown reason codes ['made_up']" in unknown.message
    assert unknown.evidence["unknown_reasons"] == ["made_up"]


def test_ticking_every_box_earns_no_justification():
    """Every code plus made-up ones: the contrary and unknown codes cancel the good ones."""
    padded = judge({"choice": "b", "reasons": list(CODES) + [f"junk{i}" for i in range(40)]})
    assert padded.score == 0.5


def test_wrong_choice_scores_zero_and_reports_its_breach():
    """A choice the law forbids reports the unit's breach; another wrong one reports none."""
    breach = judge({"choice": "a", "reasons": sorted(GOOD)})
    assert (breach.score, breach.message) == (0.0, "Weigh the law.")
    assert breach.breaches == [BREACHES["a"]]
    plain = judge({"choice": "c", "reasons": sorted(GOOD)})
    assert (plain.score, plain.breaches) == (0.0, [])


@pytest.mark.parametrize("answer", [None, "b", ["b"], {}, {"choice": "b"}, {"reasons": []},
                                    {"choice": 2, "reasons": []},
                                    {"choice": "b", "reasons": "law"},
                                    {"choice": ["b"], "reasons": ["law"]}, "x" * 1_000_000])
def test_malformed_or_hostile_judgement_scores_zero_with_a_short_echo(answer):
    """Anything but {"choice": str, "reasons": list} earns 0 and the caller's hint."""
    verdict = judge(answer)
    assert (verdict.score, verdict.message) == (0.0, "Hand in the view's value.")
    assert len(verdict.evidence["answer"]) <= 80


def test_hostile_reasons_are_read_only_so_far_and_non_strings_are_dropped():
    """Only the first 50 reasons count, non-strings are ignored, a huge choice is cut."""
    reasons = [None, 1, {"x": 1}] + ["law", "people", "relationship"] + ["junk"] * 100
    verdict = judge({"choice": "b", "reasons": reasons})
    assert verdict.evidence["reasons"] == sorted(GOOD)
    assert verdict.evidence["unknown_reasons"] == ["junk"]
    late = judge({"choice": "b", "reasons": ["speed"] * 50 + sorted(GOOD)})
    assert late.evidence["reasons"] == ["speed"]
    huge = judge({"choice": "z" * 100_000, "reasons": []}, choice_kept=5)
    assert huge.evidence["choice"] == "zzzzz"


def test_limits_cut_what_the_message_and_evidence_echo():
    """unknown_shown caps the quoted codes, unknown_kept the evidence's list."""
    reasons = ["law", "people"] + [f"u{i:02d}" for i in range(20)]
    verdict = judge({"choice": "b", "reasons": reasons}, unknown_shown=2, unknown_kept=3)
    assert "unknown reason codes ['u00', 'u01'] (use the printed codes)" in verdict.message
    assert verdict.evidence["unknown_reasons"] == ["u00", "u01", "u02"]
    assert verdict.score == 0.5


def test_texts_word_every_part_of_the_message():
    """A unit's own language replaces each piece, the unknown-codes template included."""
    texts = JudgementTexts(malformed="m", wrong_choice="w", missing="；缺", incomplete="不完整",
                           unknown_codes="；不明 {codes}", contradicting="；矛盾", end="。")
    verdict = grade_judgement({"choice": "b", "reasons": ["speed", "zz"]}, choice="b",
                              codes=CODES, good=GOOD, texts=texts)
    assert verdict.message == "不完整；不明 ['zz']；矛盾；缺。"
