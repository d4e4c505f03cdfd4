"""Judgement call: choose what to do and tick the reasons that justify it.

A scenario offers lettered options and a list of reasons (code -> sentence). The person
deciding picks one option and ticks the reasons they rely on; the view reads their
choice back in words. `value` is ``{"choice": letter, "reasons": [reason codes]}``, so
a notebook takes it in one line: ``answer = view.value``. Which reasons are right is the grader's
business: the view never says.
"""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets

from crm_sim.errors import PolicyError
from crm_sim.ui.quiz import lay_out
from crm_sim.ui.view import View


class JudgementCall(View):
    """One choice among options plus the reasons ticked for it.

    Attributes:
        options: ``{letter: option text}``.
        reasons: ``{code: reason sentence}``.
        widget: the ipywidgets box to display.
    """

    def __init__(self, options: Mapping[str, str], reasons: Mapping[str, str], *,
                 headings: tuple[str, str] = ("What do you do?",
                                              "Why? Tick every reason you rely on.")):
        self.options, self.reasons = dict(options), dict(reasons)
        self._choice = widgets.RadioButtons(
            options=[(f"{k}) {v}", k) for k, v in self.options.items()], value=None,
            layout=widgets.Layout(width="auto"))
        self._ticks = {code: widgets.Checkbox(value=False, description=text, indent=False,
                                              layout=widgets.Layout(width="auto"))
                       for code, text in self.reasons.items()}
        for w in (self._choice, *self._ticks.values()):
            w.observe(lambda _ch: self._show(), names="value")
        self._summary = widgets.HTML()
        # headings: the two questions above the options and the reasons (the trainee's language)
        self.widget = widgets.VBox([widgets.HTML(f"<b>{headings[0]}</b>"), self._choice,
                                    widgets.HTML(f"<b>{headings[1]}</b>"),
                                    *self._ticks.values(), self._summary])
        lay_out(self.widget)     # long options wrap; unwrapped, c) hid its radio under d)
        self._show()

    def choose(self, letter: str) -> dict:
        """Pick an option (what clicking it does).

        Raises:
            PolicyError: not one of the option letters.
        """
        if letter not in self.options:
            raise PolicyError("choice", letter, ", ".join(self.options), "pick a letter")
        self._choice.value = letter
        return self.value

    def tick(self, code: str, on: bool = True) -> dict:
        """Tick (or untick) one reason.

        Raises:
            PolicyError: not one of the reason codes.
        """
        if code not in self._ticks:
            raise PolicyError("reason", code, ", ".join(self._ticks), "tick a listed reason")
        self._ticks[code].value = bool(on)
        return self.value

    @property
    def value(self) -> dict:
        """``{"choice": letter or None, "reasons": [codes]}``: what the answer cell takes."""
        return {"choice": self._choice.value,
                "reasons": [c for c, w in self._ticks.items() if w.value]}

    def messages(self) -> list[str]:
        """The decision read back in words."""
        choice, reasons = self.value["choice"], self.value["reasons"]
        if choice is None:
            return ["No option chosen yet."]
        out = [f"You would: {self.options[choice]}"]
        out.append("Because: " + ("; ".join(self.reasons[r] for r in reasons) if reasons
                                  else "no reason ticked yet."))
        return out

    def _show(self) -> None:
        self._summary.value = "<br>".join(self.messages())
