"""An unanswered answer cell, run: one sentence in the trainee's language, no traceback."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograders.answer_stub import code_stub
from crm_sim.ui.answer_cell import (
    NOT_ANSWERED_WORDS,
    NotAnsweredYet,
    not_answered_words,
    not_answered_yet,
)
from crm_sim.ui.language import LANG_ENV


def test_not_answered_yet_stops_like_nbgraders_stub(monkeypatch):
    """It raises a NotImplementedError (what nbgrader's stub raised) carrying the sentence."""
    monkeypatch.setenv(LANG_ENV, "en")
    with pytest.raises(NotImplementedError) as caught:
        not_answered_yet()
    assert isinstance(caught.value, NotAnsweredYet)
    assert str(caught.value) == NOT_ANSWERED_WORDS["en"]
    assert caught.value._render_traceback_() == [NOT_ANSWERED_WORDS["en"]]


def test_words_follow_the_trainees_language(monkeypatch):
    """A trainee reading 繁體中文 gets the Chinese sentence; an unknown language gets English."""
    monkeypatch.setenv(LANG_ENV, "zh-Hant")
    assert not_answered_words() == NOT_ANSWERED_WORDS["zh-Hant"]
    assert "儲存格" in not_answered_words()
    assert not_answered_words("xx") == NOT_ANSWERED_WORDS["en"]


@pytest.mark.parametrize("lang", ["en", "zh-Hant"])
def test_released_stub_run_in_a_kernel_shows_only_the_sentence(monkeypatch, lang):
    """The released stub, run unchanged in a real kernel, shows the one sentence, no traceback."""
    monkeypatch.setenv(LANG_ENV, lang)       # the kernel inherits the trainee's language
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        code_stub(("en", "zh-Hant")))])
    NotebookClient(nb, timeout=120, allow_errors=True,
                   resources={"metadata": {"path": str(Path.cwd())}}).execute()
    (out,) = [o for o in nb.cells[0].outputs if o.output_type == "error"]
    assert out.traceback == [NOT_ANSWERED_WORDS[lang]]
    shown = "\n".join(out.traceback)
    assert "Traceback" not in shown and "NotImplementedError" not in shown
