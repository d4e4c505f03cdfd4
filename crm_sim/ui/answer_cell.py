"""What an answer cell says when a trainee runs it before answering.

A released answer cell holds, in place of the model answer, a comment saying what to put
there and one call, `not_answered_yet()`. Why a call and not only a comment: a trainee
who runs the cell unchanged (or Run All) must read one plain sentence, not nbgrader's
``raise NotImplementedError()`` with a Python traceback. Why it still raises: the cell
then stops where nbgrader's stub stopped it, so a blank notebook runs, and is graded,
exactly as before (its check cells find no answer and earn nothing).

IPython shows an exception that has ``_render_traceback_`` as the lines that method
returns, so the trainee sees the sentence alone, in their own language
(`crm_sim.ui.language.current_language`).
"""

from __future__ import annotations

from crm_sim.ui.language import ENGLISH

#: the sentence shown when an unanswered cell is run, per language
NOT_ANSWERED_WORDS = {
    ENGLISH: ("✎ No answer here yet: replace this cell's lines with the line the view "
              "above shows, then run the cell again."),
    "zh-Hant": "✎ 這裏還沒有答案：請把這個儲存格的內容換成上面視窗顯示的那一行，然後再執行一次。",
}


class NotAnsweredYet(NotImplementedError):
    """An answer cell run before it was answered; IPython shows only its sentence.

    A `NotImplementedError`, as nbgrader's stub raised, so code that handles that (a
    check, a grader message) treats an unanswered cell as it always did.
    """

    def _render_traceback_(self) -> list[str]:
        """The lines IPython shows instead of a traceback: the sentence alone."""
        return [str(self)]


def not_answered_words(lang: str | None = None) -> str:
    """The sentence for `lang`, else for the trainee's language, else English."""
    if lang is None:
        try:
            from crm_sim.ui.language import current_language

            lang = current_language()
        except Exception:  # noqa: BLE001 - an unreadable record must not hide the words
            lang = ENGLISH
    return NOT_ANSWERED_WORDS.get(lang, NOT_ANSWERED_WORDS[ENGLISH])


def not_answered_yet() -> None:
    """Stop the cell with the sentence that says what to put in it.

    Raises:
        NotAnsweredYet: always; it is what an unanswered answer cell does.
    """
    raise NotAnsweredYet(not_answered_words())
