"""The grader's own sentences exist in every language a unit is taught in, filled alike."""

from __future__ import annotations

import re
import string

import pytest

from autograders.feedback_words import SENTENCES, STATUS_WORDS, say, status_word
from crm_sim.ui.language import LANGUAGES

CJK = re.compile(r"[\u4e00-\u9fff]")
FIELDS = {"status": "passed", "points": 1.5, "max_points": 2, "message": "M", "where": "c3",
          "why": "no evaluator is registered", "gid": "quote_test", "raised": "NameError"}


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("key", sorted(SENTENCES))
def test_every_sentence_is_in_every_language_with_the_same_blanks(key):
    """Each sentence has each language; Chinese uses no blank English lacks (gid aside)."""
    row = SENTENCES[key]
    assert set(row) == set(LANGUAGES), key
    assert _fields(row["zh-Hant"]) <= _fields(row["en"]) | {"gid"}
    assert CJK.search(say(key, "zh-Hant", **FIELDS)) or key in {"points"}


def test_english_is_kept_word_for_word_and_unknown_languages_fall_back():
    """The English lines are the ones trainees had before; a language with no row reads English."""
    assert say("points", "en", **FIELDS) == "[passed] 1.5/2 points. M"
    assert say("not_run", None, where="c3") == "not run: the notebook stopped earlier (in cell c3)"
    assert say("manual", "fr") == "waits for the instructor's grade"
    assert say("tampered", "en", gid="g", message="as prepare said") == "as prepare said"


def test_status_words_name_every_status_a_trainee_sees():
    """A Chinese reader sees the status in Chinese; English keeps the status code."""
    statuses = {"passed", "partial", "failed", "manual", "not_run", "error", "hook_detected",
                "tampered", "deleted"}
    assert statuses <= set(STATUS_WORDS["zh-Hant"])
    assert all(CJK.search(status_word(s, "zh-Hant")) for s in statuses)
    assert status_word("partial", "en") == "partial"
    assert say("points", "zh-Hant", **{**FIELDS, "status": status_word("passed", "zh-Hant")}
               ).startswith("[通過] 1.5/2 分。")
