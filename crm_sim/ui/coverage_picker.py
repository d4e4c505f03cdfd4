"""A coverage picker: choose a few candidates, each reaching a set of targets; see the reach.

Generic: it knows nothing of a unit. It is given, per candidate, the set of targets they
reach (e.g. the prospects a customer can introduce within two introductions) and how many
may be picked. The table lists every candidate with how many *new* targets they would add
to the current picks, so overlap is visible; the chart shows the distinct reach growing
pick by pick. Its value is the list of picks, in order.

Every control is a method (`pick`, `drop`, `clear`) so tests and the source notebook
drive the view exactly as a click would.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

import ipywidgets as widgets
import pandas as pd

from crm_sim.errors import FieldError
from crm_sim.ui.view import View

TABLE_ROWS = 12


class CoveragePicker(View):
    """Pick up to `limit` candidates and watch the distinct reach.

    Attributes:
        reach: candidate -> set of targets reached.
        limit: how many may be picked.
        picks: the picks, in order.
        chart_data: distinct reach after each pick.
        widget: the composed ipywidgets view.
    """

    def __init__(self, reach: Mapping[str, Iterable[str]], limit: int,
                 what: str = "prospects"):
        """Build the picker with nobody picked."""
        self.reach = {str(c): set(map(str, t)) for c, t in reach.items()}
        self.limit = int(limit)
        self.what = what
        self.picks: list[str] = []
        self.chart_data: list[int] = []
        self._choice = widgets.Combobox(options=sorted(self.reach), placeholder="customer id",
                                        description="Candidate", ensure_option=True)
        self._add = widgets.Button(description="Pick", button_style="primary")
        self._add.on_click(lambda _: self._safely(lambda: self.pick(self._choice.value)))
        self._reset = widgets.Button(description="Clear")
        self._reset.on_click(lambda _: self.clear())
        self._status = widgets.HTML()
        self._table = widgets.HTML()
        self._chart = widgets.Output()
        self._out = widgets.Output()
        self.widget = widgets.VBox([widgets.HBox([self._choice, self._add, self._reset]),
                                    self._status, self._table, self._chart, self._out])
        self.refresh()

    # ------------------------------------------------------------------ user actions
    def pick(self, candidate: str) -> None:
        """Add a candidate to the picks."""
        if candidate not in self.reach:
            raise FieldError("candidate", candidate, "a listed candidate id",
                             "pick an id from the table")
        if candidate in self.picks:
            raise FieldError("candidate", candidate, "someone not picked yet",
                             "each candidate counts once")
        if len(self.picks) >= self.limit:
            raise FieldError("picks", len(self.picks) + 1, f"at most {self.limit}",
                             "drop one before picking another")
        self.picks.append(candidate)
        self.refresh()

    def drop(self, candidate: str) -> None:
        """Remove a candidate from the picks."""
        if candidate in self.picks:
            self.picks.remove(candidate)
        self.refresh()

    def clear(self) -> None:
        """Remove every pick."""
        self.picks = []
        self.refresh()

    @property
    def value(self) -> list[str]:
        """The picks, in order: what `submit` hands in."""
        return list(self.picks)

    def covered(self) -> set[str]:
        """Distinct targets the picks reach together."""
        return set().union(*(self.reach[c] for c in self.picks)) if self.picks else set()

    def ranking(self) -> pd.DataFrame:
        """Candidates with the targets they reach and the new ones they would add now."""
        covered = self.covered()
        rows = [{"candidate": c, "reach": len(t), "new": len(t - covered)}
                for c, t in self.reach.items() if c not in self.picks]
        return (pd.DataFrame(rows, columns=["candidate", "reach", "new"])
                .sort_values(["new", "candidate"], ascending=[False, True], kind="stable")
                .reset_index(drop=True))

    def refresh(self) -> str:
        """Show the reach, the table of candidates and the chart; return the status."""
        covered = self.covered()
        overlap = sum(len(self.reach[c]) for c in self.picks) - len(covered)
        text = (f"{len(self.picks)} of {self.limit} picked, reaching {len(covered)} distinct "
                f"{html.escape(self.what)}")
        if overlap:
            text += f" ({overlap} counted twice: their reach overlaps)"
        if self.picks:      # who was picked, in order: the table lists only who is left
            text += "<br>picked: " + ", ".join(html.escape(c) for c in self.picks)
        if len(self.picks) < self.limit:
            text += f"<br>✘ pick {self.limit - len(self.picks)} more"
        self._status.value = text
        top = self.ranking().head(TABLE_ROWS)
        self._table.value = top.to_html(index=False)
        acc: set[str] = set()
        self.chart_data = []
        for c in self.picks:
            acc |= self.reach[c]
            self.chart_data.append(len(acc))
        self._redraw()
        return text

    # -------------------------------------------------------------------- internals
    def _draw(self) -> None:
        import matplotlib.pyplot as plt

        self._chart.clear_output(wait=True)
        if not self.chart_data:
            return
        with self._chart:
            fig, ax = plt.subplots(figsize=(5, 2.2))
            ax.plot(range(1, len(self.chart_data) + 1), self.chart_data, marker="o")
            ax.set_xlabel("picks")
            ax.set_xticks(range(1, len(self.chart_data) + 1))     # whole picks, not 1.5
            ax.set_ylabel(f"distinct {self.what}")
            fig.tight_layout()
            plt.show()
            plt.close(fig)
