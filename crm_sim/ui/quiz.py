"""A multiple-choice question to practise with; the graded answer stays a plain value.

Clicking an option shows the line to put in the answer cell (``answer_k1 = "b"``).
Grading reads that plain value, never the widget, so nothing the widget holds can
be faked and notebooks still run top to bottom without a browser.
"""

from __future__ import annotations

import ipywidgets as widgets

from crm_sim.errors import FieldError


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
