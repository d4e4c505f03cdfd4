"""A multiple-choice question to practise with; the graded answer stays a plain value.

Clicking an option shows the line to put in the answer cell (``answer_k1 = "b"``).
Grading reads that plain value, never the widget, so nothing the widget holds can
be faked and notebooks still run top to bottom without a browser.
"""

from __future__ import annotations

import ipywidgets as widgets

from crm_sim.errors import FieldError

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


class MultipleChoice:
    """One scenario question with lettered options, drivable from code via `select`."""

    def __init__(self, key: str, question: str, options: dict[str, str]):
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
        self._hint.value = f"Put this line in the answer cell below: <code>{line}</code>"
        return line

    def _ipython_display_(self):  # pragma: no cover - display hook only
        from IPython.display import display

        display(self.widget)


def ask(key: str, question: str, options: dict[str, str]) -> MultipleChoice:
    """Build a question; as the last expression of a cell it displays itself."""
    return MultipleChoice(key, question, options)
