"""What every widget view shares: display as its widget, domain errors shown as words.

A view turns a domain error into words in its output area instead of a traceback. Why a
base class: twenty views each spelt out the same display hook, and several the same "run
a button's action, show the error" wrapper; one place keeps them alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class View:
    """Base of the `crm_sim.ui` views: ``self.widget`` is shown; ``self._out`` takes words."""

    widget: Any
    _out: Any

    def _safely(self, action: Callable[[], Any]) -> None:
        """Run a button's action; show a domain error in the output instead of raising."""
        from crm_sim.errors import CrmSimError

        with self._out:
            try:
                action()
            except CrmSimError as exc:
                print(f"✘ {exc}")

    @staticmethod
    def _set_controls(pairs) -> None:
        """Show a rule's values in its controls, touching only those that differ.

        Why only those: setting a control fires its observer, which would re-apply the
        rule once per control and redraw the view each time.
        """
        for control, value in pairs:
            if control.value != value:
                control.value = value

    def _ipython_display_(self):  # pragma: no cover - display hook only
        from IPython.display import display

        display(self.widget)
