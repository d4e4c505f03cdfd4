"""Released answer cells say what to put there, in the unit's languages, and stop politely."""

from __future__ import annotations

from pathlib import Path

import pytest
from traitlets.config.loader import PyFileConfigLoader

from autograders.answer_stub import (
    CODE_CALL,
    CODE_WORDS,
    TEXT_WORDS,
    clear_solutions_config,
    code_stub,
    text_stub,
)

REPO = Path(__file__).resolve().parents[1]


def test_english_unit_stub_is_english_words_then_the_call():
    """An English-only unit's stub: the English comment, then the call; nbgrader's is gone."""
    stub = code_stub(("en",))
    assert stub.splitlines() == [CODE_WORDS["en"], *CODE_CALL.splitlines()]
    assert "NotImplementedError" not in stub and "YOUR CODE HERE" not in stub
    compile(stub, "<answer cell>", "exec")           # valid Python a kernel can run


def test_bilingual_unit_stub_has_a_comment_per_language():
    """A unit in English and 繁體中文 gets both comments, in the course's order."""
    stub = code_stub(("zh-Hant", "en"))
    assert stub.splitlines()[:2] == [CODE_WORDS["en"], CODE_WORDS["zh-Hant"]]
    assert text_stub(("en", "zh-Hant")) == f'{TEXT_WORDS["en"]}\n\n{TEXT_WORDS["zh-Hant"]}'
    assert code_stub(()) == code_stub(("en",))      # no language known: English


def test_running_the_stub_raises_the_friendly_error():
    """Executed as a cell would be, the stub stops with NotAnsweredYet (a NotImplementedError)."""
    from crm_sim.ui.answer_cell import NotAnsweredYet

    with pytest.raises(NotAnsweredYet):
        exec(code_stub(("en", "zh-Hant")), {})  # noqa: S102 - the project's own stub


def test_formgraders_generate_uses_the_same_stubs(monkeypatch, tmp_path):
    """The course's nbgrader_config.py (formgrader's "Generate") sets the project's stubs."""
    monkeypatch.setenv("CRM_EXCHANGE_ROOT", str(tmp_path))   # it writes nothing in the repo
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO / "course")).load_config()
    expected = clear_solutions_config(("en", "zh-Hant"))
    assert config.ClearSolutions.code_stub == expected["code_stub"]
    assert config.ClearSolutions.text_stub == expected["text_stub"]
