"""Options in each trainee's own order: shuffled in the kernel, mapped back at grading."""

import pytest

from crm_sim.errors import FieldError
from crm_sim.ui.quiz import ask, original_option, shown_letter, shuffled

OPTIONS = {"a": "Keep the relationship", "b": "Meet the quota", "c": "Check the address",
           "d": "Wait for a complaint"}


def test_order_is_a_permutation_stable_per_trainee_and_question():
    """Each trainee gets a permutation of the letters, the same every time it is built."""
    order = shuffled("t001", "answer_k1", OPTIONS)
    assert sorted(order) == sorted(order.values()) == list("abcd")
    assert shuffled("t001", "answer_k1", OPTIONS) == order


def test_orders_differ_between_trainees_and_questions():
    """Across trainees every author's option appears under every letter; questions differ too."""
    where_key = {shown_letter("answer_k1", "a", trainee=f"t{i:03d}") for i in range(40)}
    assert where_key == set("abcd")
    per_question = {tuple(shuffled("t001", f"answer_k{i}", OPTIONS).values()) for i in range(8)}
    assert len(per_question) > 1


def test_ask_shows_the_trainees_order_and_grader_maps_back(monkeypatch):
    """The widget lists the options in the trainee's order; the chosen letter maps back."""
    monkeypatch.setenv("CRM_TRAINEE_ID", "t042")
    q = ask("answer_k1", "Why call?", OPTIONS)
    shown = shown_letter("answer_k1", "a")
    assert q.options[shown] == OPTIONS["a"]
    assert q.select(shown) == f'answer_k1 = "{shown}"'
    assert original_option("t042", "answer_k1", f" {shown.upper()} ", OPTIONS) == "a"
    assert sorted(q.options.values()) == sorted(OPTIONS.values())


def test_original_option_rejects_what_is_no_option():
    """A non-letter or a letter beyond the options maps to None (the evaluator scores 0)."""
    for bad in (None, 3, "e", "", "ab"):
        assert original_option("t1", "answer_k1", bad, OPTIONS) is None


def test_shown_letter_names_an_unknown_original():
    """Asking for an option the author never wrote is a FieldError naming the letters."""
    with pytest.raises(FieldError, match="original"):
        shown_letter("answer_k1", "z", trainee="t1")
