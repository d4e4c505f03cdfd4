"""Costed choices: tick items that each cost money and each bring something; see the net.

Generic: it knows nothing of a unit. It is given a table of items with what each costs and
what each is worth (both in the same money, e.g. HKD a month) and, optionally, items that
must be ticked (a legal requirement, say). Its value is ``{item: True/False}``. The view
shows the total cost, the total worth and the net, warns in words about a required item
left out, and draws cost against worth per item.

Every control is a method (`tick`, `tick_only`) so tests and the source notebook drive
the view exactly as a click would.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

import ipywidgets as widgets
import pandas as pd

from crm_sim.errors import FieldError
from crm_sim.ui.view import View


class CostedChoices(View):
    """Checkboxes over costed items with the running cost, worth and net.

    Attributes:
        items: indexed by item name, columns ``cost`` and ``worth``.
        required: items that must be ticked, with the reason shown when they are not.
        chart_data: the (cost, worth) bars last drawn, per item.
        widget: the composed ipywidgets view.
    """

    def __init__(self, items: pd.DataFrame, required: Mapping[str, str] | None = None,
                 labels: Mapping[str, str] | None = None, money: str = "HKD"):
        """Build the view with nothing ticked."""
        missing = [c for c in ("cost", "worth") if c not in items.columns]
        if missing:
            raise FieldError("items", missing, "columns cost and worth",
                             "give each item what it costs and what it brings")
        self.items = items[["cost", "worth"]].astype(float)
        self.required = dict(required or {})
        self.money = money
        self.chart_data: dict[str, tuple[float, float]] = {}
        labels = dict(labels or {})
        self._boxes = {name: widgets.Checkbox(value=False, description=labels.get(name, name),
                                              layout=widgets.Layout(width="auto"))
                       for name in self.items.index}
        for box in self._boxes.values():
            box.observe(lambda _: self.refresh(), names="value")
        self._status = widgets.HTML()
        self._chart = widgets.Output()
        self.widget = widgets.VBox([*self._boxes.values(), self._status, self._chart])
        self.refresh()

    # ------------------------------------------------------------------ user actions
    def tick(self, item: str, on: bool = True) -> None:
        """Tick (or untick) one item."""
        if item not in self._boxes:
            raise FieldError("item", item, ", ".join(self._boxes), "pick a listed item")
        self._boxes[item].value = bool(on)

    def tick_only(self, items: Iterable[str]) -> None:
        """Tick exactly these items (the others are unticked)."""
        items = list(items)
        for item in items:
            if item not in self._boxes:
                raise FieldError("item", item, ", ".join(self._boxes), "pick a listed item")
        for name in self._boxes:
            self.tick(name, name in items)

    @property
    def value(self) -> dict[str, bool]:
        """Which items are ticked: what `submit` hands in."""
        return {name: bool(box.value) for name, box in self._boxes.items()}

    def totals(self) -> dict[str, float]:
        """Cost, worth and net of the ticked items."""
        chosen = self.items[[self._boxes[n].value for n in self.items.index]]
        cost, worth = float(chosen["cost"].sum()), float(chosen["worth"].sum())
        return {"cost": cost, "worth": worth, "net": worth - cost}

    def problems(self) -> list[str]:
        """Required items left out, in plain words (empty = fine)."""
        return [f"{item} is required: {why}" for item, why in self.required.items()
                if not self._boxes[item].value]

    def refresh(self) -> str:
        """Show totals, problems and the chart; return the status text."""
        t = self.totals()
        lines = [f"✘ {html.escape(p)}" for p in self.problems()]
        lines.append(f"cost {self.money} {t['cost']:,.0f}, worth {self.money} {t['worth']:,.0f}, "
                     f"net {self.money} {t['net']:,.0f}")
        self._status.value = "<br>".join(lines)
        self.chart_data = {n: (float(r.cost), float(r.worth)) for n, r in self.items.iterrows()}
        self._redraw()
        return self._status.value

    # -------------------------------------------------------------------- internals
    def _draw(self) -> None:
        """Cost and worth side by side per item: an item is worth it where green beats red."""
        import matplotlib.pyplot as plt

        self._chart.clear_output(wait=True)
        with self._chart:
            fig, ax = plt.subplots(figsize=(6, 2.4))
            x = range(len(self.items))
            ax.bar([i - 0.2 for i in x], self.items["cost"], width=0.4, color="#d9534f",
                   label="cost")
            ax.bar([i + 0.2 for i in x], self.items["worth"], width=0.4, color="#5cb85c",
                   label="worth")
            ax.set_xticks(list(x), list(self.items.index), rotation=20, fontsize=7)
            ax.set_ylabel(self.money)
            ax.legend()
            fig.tight_layout()
            plt.show()
            plt.close(fig)
