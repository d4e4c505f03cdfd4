"""What a released answer cell holds in place of the model answer (nbgrader's stubs).

nbgrader's own stub, ``# YOUR CODE HERE`` / ``raise NotImplementedError()``, is written
for programmers: a trainee (CRM staff, not a programmer) who runs it reads a Python
traceback. The project's stub says in words what to put there, in each language the unit
is taught in, and its one call (`crm_sim.ui.answer_cell.not_answered_yet`) stops the
cell with one sentence instead of a traceback. It still stops the cell, as nbgrader's
did, so a blank notebook is graded exactly as before.

Set where the project runs nbgrader's release step (`autograders.release`, per unit's
languages) and in the course's ``nbgrader_config.py`` (formgrader's "Generate", every
language), and used by the sandbox's view of what was released.
"""

from __future__ import annotations

from collections.abc import Iterable

from crm_sim.ui.language import ENGLISH, LANGUAGES

#: the comment in a released code answer cell, per language (short: it fits the cell's width)
CODE_WORDS = {
    ENGLISH: "# ✎ Answer here: replace these lines with the line the view above shows.",
    "zh-Hant": "# ✎ 在這裏作答：請把這幾行換成上面視窗顯示的那一行。",
}
#: the code under the comment: stops the cell with one sentence if run unchanged
CODE_CALL = "from crm_sim.ui.answer_cell import not_answered_yet\nnot_answered_yet()"
#: a released written (Markdown) answer, per language
TEXT_WORDS = {
    ENGLISH: "✎ Write your answer here, in place of this line.",
    "zh-Hant": "✎ 請在這裏寫上你的答案，取代這一行。",
}


def _languages(languages: Iterable[str]) -> list[str]:
    """The known languages of `languages` in the course's order; English when none."""
    wanted = set(languages)
    return [lang for lang in LANGUAGES if lang in wanted] or [ENGLISH]


def code_stub(languages: Iterable[str] = (ENGLISH,)) -> str:
    """The released code answer cell: one comment line per language, then the call."""
    return "\n".join([CODE_WORDS[lang] for lang in _languages(languages)] + [CODE_CALL])


def text_stub(languages: Iterable[str] = (ENGLISH,)) -> str:
    """The released written answer: one paragraph per language."""
    return "\n\n".join(TEXT_WORDS[lang] for lang in _languages(languages))


def clear_solutions_config(languages: Iterable[str] = (ENGLISH,)) -> dict:
    """``ClearSolutions`` settings for nbgrader: the stubs in `languages`."""
    langs = list(languages)
    return {"code_stub": {"python": code_stub(langs)}, "text_stub": text_stub(langs)}
