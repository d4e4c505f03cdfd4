import pytest

from crm_sim.errors import FieldError
from crm_sim.ui.quiz import MultipleChoice, ask


def test_select_records_value_and_gives_answer_line():
    """Choosing an option sets the value and tells the trainee the exact line to write."""
    q = ask("answer_k1", "Why call periodically?",
            {"a": "To sell", "b": "To sell and keep the relationship"})
    assert q.select("b") == 'answer_k1 = "b"'
    assert q.value == "b"
    assert "answer_k1 = &quot;b&quot;" in q._hint.value or 'answer_k1 = "b"' in q._hint.value


def test_clicking_the_radio_button_is_the_same_action():
    """A click on the widget goes through select(), so code and clicks agree."""
    q = MultipleChoice("answer_k2", "Q", {"a": "x", "b": "y"})
    q._buttons.value = "a"
    assert q.value == "a"


def test_unknown_letter_is_a_clear_error():
    """An option that does not exist names the key, the value and the allowed letters."""
    q = MultipleChoice("answer_k3", "Q", {"a": "x", "b": "y"})
    with pytest.raises(FieldError, match=r"answer_k3: got 'z'; allowed: a, b"):
        q.select("z")


@pytest.mark.parametrize(
    "key,options",
    [("not an identifier", {"a": "x", "b": "y"}), ("k", {"a": "x"}), ("k", {"A": "x", "b": "y"})],
)
def test_bad_construction_is_rejected(key, options):
    """Keys must be identifiers and options lowercase letters, at least two."""
    with pytest.raises(FieldError):
        MultipleChoice(key, "Q", options)
