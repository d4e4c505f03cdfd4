"""A multiple-choice question to practise with; the graded answer stays a plain value.

Clicking an option shows the line to put in the answer cell (``answer_k1 = "b"``).
Grading reads that plain value, never the widget, so nothing the widget holds can
be faked and notebooks still run top to bottom without a browser.

Options are shown in an order of their own for each trainee (`shuffled`), seeded by the
trainee id and the question id, so the letter one trainee picks says nothing to another
and a letter copied from a classmate is right only by chance.
The grader maps the letter back to the option as written with `original_option`, from
the trainee id it already knows; nothing in the kernel is trusted for that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import ipywidgets as widgets

from crm_sim.errors import FieldError
from crm_sim.ui.view import View

# ipywidgets gives each radio label one fixed line height and a 300-px box: a long option
# then overflows, overlaps the next one and pushes its radio out of view (seen at
# 1366-1400 px). Scoped to the quiz: options wrap under their text, the radio stays put.
QUIZ_CSS = """<style>
.crm-quiz { max-width: 100%; }
.crm-quiz .widget-radio, .crm-quiz .jupyter-widget-radio { width: 100%; max-width: 100%; }
.crm-quiz .widget-radio-box label, .crm-quiz .jupyter-widget-radio-box label {
  display: flex; align-items: flex-start; height: auto; min-height: 24px;
  line-height: 1.4; white-space: normal; overflow-wrap: anywhere; padding: 2px 0; }
.crm-quiz .widget-radio-box input, .crm-quiz .jupyter-widget-radio-box input {
  flex: 0 0 auto; height: 1.4em; margin-top: 0; }
.crm-quiz .widget-html-content { white-space: normal; line-height: 1.4; }
</style>"""


def lay_out(box: widgets.VBox) -> widgets.VBox:
    """Give a quiz box the wrapping layout (`QUIZ_CSS`, class ``crm-quiz``)."""
    box.add_class("crm-quiz")
    box.layout.width = "100%"
    box.children = (widgets.HTML(QUIZ_CSS), *box.children)
    return box


class MultipleChoice(View):
    """One scenario question with lettered options, drivable from code via `select`."""

    HANDS_IN = False        # the answer cell takes the letter the question shows, no replay

    def __init__(self, key: str, question: str, options: dict[str, str], *,
                 hint: str = "Put this line in the answer cell below:"):
        if not key or not key.isidentifier():
            raise FieldError("key", key, "a Python identifier", 'use e.g. "answer_k1"')
        if len(options) < 2:
            raise FieldError("options", options, "at least two lettered options", "add options")
        bad = [k for k in options if not (len(k) == 1 and k.isalpha() and k.islower())]
        if bad:
            raise FieldError(
                "options", bad, "single lowercase letters a, b, c...", 'use {"a": ...}'
            )
        self.key, self.question, self.options = key, question, dict(options)
        self.hint = hint      # the words before the answer line, in the trainee's language
        self.value: str | None = None
        self._buttons = widgets.RadioButtons(
            options=[(f"{k}) {text}", k) for k, text in self.options.items()],
            value=None, layout=widgets.Layout(width="auto"),
        )
        self._hint = widgets.HTML()
        self._buttons.observe(lambda change: self.select(change["new"]), names="value")
        self.widget = widgets.VBox([widgets.HTML(f"<b>{question}</b>"), self._buttons, self._hint])
        lay_out(self.widget)

    def select(self, letter: str | None) -> str:
        """Choose an option (what a click does) and return the line for the answer cell."""
        if letter is None:
            return ""
        if letter not in self.options:
            raise FieldError(
                self.key, letter, ", ".join(self.options), "choose one of the listed letters"
            )
        self.value = letter
        if self._buttons.value != letter:
            self._buttons.value = letter
        line = f'{self.key} = "{letter}"'
        self._hint.value = f"{self.hint} <code>{line}</code>"
        return line

def ask(key: str, question: str, options: dict[str, str], *,
        question_id: str | None = None, trainee: str | None = None,
        **view_options) -> MultipleChoice:
    """Build a question with the options in this trainee's order; a cell shows it.

    Args:
        key: the answer variable, e.g. "answer_k1".
        question: the question text.
        options: option letter -> text, as written by the author (the answer key refers
            to these letters).
        question_id: seeds the order with the trainee id (default: `key`); the grader
            passes the same id to `original_option`.
        trainee: the trainee id (default: the session's, see `session.trainee_id`).
        **view_options: passed to `MultipleChoice` (e.g. ``hint`` in the trainee's language).
    """
    order = shuffled(trainee, question_id or key, options)
    return MultipleChoice(key, question, {shown: options[orig] for shown, orig in order.items()},
                          **view_options)


def _trainee(trainee: str | None) -> str:
    if trainee is not None:
        return str(trainee)
    from crm_sim.ui.session import trainee_id

    return trainee_id()


def shuffled(trainee: str | None, question_id: str, options: Iterable[str]) -> dict[str, str]:
    """Shown letter -> the author's letter, in this trainee's order for this question.

    The order sorts the author's letters by sha256("trainee|question|letter"), so it is
    the same on every machine and in every Python, differs between trainees and between
    questions, and needs nothing but the trainee id to reproduce at grading time.
    """
    letters = sorted(str(k) for k in options)
    if not letters:
        raise FieldError("options", options, "at least two lettered options", "add options")
    who, qid = _trainee(trainee), str(question_id)
    order = sorted(letters, key=lambda k: hashlib.sha256(f"{who}|{qid}|{k}".encode()).digest())
    return dict(zip(letters, order, strict=True))


def original_option(trainee: str | None, question_id: str, letter: object,
                    options: Iterable[str]) -> str | None:
    """The author's letter of the option this trainee chose as `letter` (None if no option).

    Args:
        trainee: the trainee id (the grader passes ``ctx.trainee_id``).
        question_id: as given to `ask` (default there: the answer variable, "answer_k1").
        letter: what the trainee wrote; case and spaces are forgiven.
        options: the author's letters (the options dict or its keys).
    """
    if not isinstance(letter, str):
        return None
    return shuffled(trainee, question_id, options).get(letter.strip().lower())


def shown_letter(question_id: str, original: str, options: Iterable[str] = "abcd",
                 trainee: str | None = None) -> str:
    """The letter under which this trainee sees the author's option `original`.

    Source notebooks' solutions use it (``answer_k1 = shown_letter("answer_k1", "b")``),
    so the reference answer is right for whichever trainee runs it.
    """
    order = shuffled(trainee, question_id, options)
    for shown, orig in order.items():
        if orig == original:
            return shown
    raise FieldError("original", original, ", ".join(order), "pass one of the author's letters")
