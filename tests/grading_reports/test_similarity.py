"""Similarity: near-identical solutions are flagged; stubs and comments are ignored."""

from __future__ import annotations

from autograders.reports.similarity import WORLD_NOTE, normalise, similar_pairs


def test_normalise_drops_comments_and_whitespace():
    """Comments, blank lines and case do not count."""
    assert normalise("x = 1   # note\n\n\nY = 2") == normalise("x = 1\ny = 2")


def test_copied_code_is_flagged_and_distinct_code_is_not():
    """A copy with renamed comments is flagged; an independent answer is not."""
    answers = {
        "A": {"f": "def squares(values):\n    # mine\n    return [v * v for v in values]"},
        "B": {"f": "def squares(values):\n    return [v * v for v in values]  # copied"},
        "C": {"f": "def f(values):\n    out = []\n    for v in values:\n"
                   "        out.append(v ** 2)\n    return out"},
    }
    pairs = similar_pairs("U", answers, threshold=0.9)
    assert [(p.trainee_a, p.trainee_b) for p in pairs] == [("A", "B")]
    assert pairs[0].score == 1.0 and pairs[0].identical_cells == ["f"]


def test_unanswered_stubs_are_not_similarity():
    """Two trainees who left the released stub are not flagged."""
    stub = "def f(xs):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    answers = {"A": {"f": stub, "w": "YOUR ANSWER HERE"},
               "B": {"f": stub, "w": "YOUR ANSWER HERE"}}
    assert similar_pairs("U", answers, stubs={"f": stub}) == []


def test_project_stubs_left_as_released_are_not_similarity():
    """Trainees who left the project's released answer cells are not flagged (no release read)."""
    from autograders.answer_stub import code_stub, text_stub

    stub = "# Write the letter, e.g. answer_k1 = 'a'\n" + code_stub(("en", "zh-Hant"))
    words = text_stub(("en",))
    answers = {"A": {"f": stub, "w": words}, "B": {"f": stub, "w": words}}
    assert similar_pairs("U", answers, threshold=0.5) == []


def test_note_explains_per_trainee_worlds():
    """The report says copied numbers are already caught by per-trainee worlds."""
    assert "own id" in WORLD_NOTE and "numbers copied" in WORLD_NOTE


def test_short_answers_are_not_compared():
    """Identical multiple-choice answers are not evidence of copying."""
    answers = {"A": {"q1": "answer_k1 = 'b'"}, "B": {"q1": "answer_k1 = 'b'"}}
    assert similar_pairs("U", answers) == []
