"""A record sheet: one row per call made, facts shown, the next step written by the caller.

Generic: it knows nothing of a unit. It is given the rows (read-only columns, e.g. who was
called, the outcome and what they said), the names of the columns the trainee fills in
(e.g. the follow-up and its due date) and a check per row that returns what is wrong in
plain words (or None). Its value is the sheet as a table; the view lists every row's
problem and draws how many rows are complete.

Every control is a method (`fill`, `fill_all`) so tests and the source notebook drive the view
exactly as typing would.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from typing import Any

import ipywidgets as widgets
import pandas as pd

from crm_sim.errors import FieldError
from crm_sim.ui.view import View


class RecordSheet(View):
    """Rows to complete, each checked as it is filled.

    Attributes:
        rows: the sheet (read-only columns plus the editable ones).
        key: the column naming each row.
        editable: the columns the trainee fills in.
        chart_data: rows complete and rows with a problem, as last drawn.
        widget: the composed ipywidgets view.
    """

    def __init__(self, rows: pd.DataFrame, key: str, editable: Iterable[str],
                 check: Callable[[pd.Series], str | None]):
        """Build the sheet with the editable columns empty."""
        if key not in rows.columns:
            raise FieldError("key", key, ", ".join(rows.columns), "name the rows' id column")
        self.key = key
        self.editable = list(editable)
        self.rows = rows.reset_index(drop=True).copy()
        for col in self.editable:
            self.rows[col] = ""
        self._check = check
        self.chart_data: dict[str, int] = {}
        self._quiet = False
        # synced on Enter or leaving the box: each typed row then updates the status
        self._boxes = {(i, c): widgets.Text(value="", placeholder=c, continuous_update=False,
                                            layout=widgets.Layout(width="260px"))
                       for i in self.rows.index for c in self.editable}
        for (i, c), box in self._boxes.items():
            box.observe(lambda ch, i=i, c=c: self._typed(i, c, ch["new"]), names="value")
        shown = [c for c in self.rows.columns if c not in self.editable]
        lines = []
        for i, row in self.rows.iterrows():
            label = " · ".join(html.escape(str(row[c])) for c in shown)
            lines.append(widgets.HBox([widgets.HTML(label, layout=widgets.Layout(width="420px")),
                                       *(self._boxes[(i, c)] for c in self.editable)]))
        self._status = widgets.HTML()
        self._chart = widgets.Output()
        self.widget = widgets.VBox([*lines, self._status, self._chart])
        self.refresh()

    # ------------------------------------------------------------------ user actions
    def fill(self, row_key: Any, **values: str) -> None:
        """Fill the editable columns of the row whose key is `row_key`."""
        self._fill_row(row_key, values)
        self.refresh()

    def fill_all(self, values: dict[Any, dict[str, str]]) -> None:
        """Fill several rows at once: ``{row key: {column: text}}``.

        One redraw at the end, not one per row: each redraw checks every row and draws
        the chart again (20 rows took 2 s, mostly drawing), and only the last is seen.
        A row that cannot be filled still stops the rest, as one `fill` per row did,
        and the rows filled before it are shown.
        """
        try:
            for row_key, by_column in values.items():
                self._fill_row(row_key, by_column)
        finally:
            self.refresh()

    def _fill_row(self, row_key: Any, values: dict[str, str]) -> None:
        """Set one row's boxes without redrawing (the caller refreshes)."""
        where = self.rows.index[self.rows[self.key].astype(str) == str(row_key)]
        if len(where) == 0:
            raise FieldError(self.key, row_key, "a row of the sheet", "copy a listed id")
        unknown = [c for c in values if c not in self.editable]
        if unknown:
            raise FieldError("column", unknown, ", ".join(self.editable),
                             "fill only the editable columns")
        self._quiet = True          # one redraw for the row, not one per box
        try:
            for c, v in values.items():
                self._boxes[(where[0], c)].value = str(v)
        finally:
            self._quiet = False

    @property
    def value(self) -> pd.DataFrame:
        """The sheet: what `submit` hands in."""
        return self.rows.copy()

    def problems(self) -> dict[Any, str]:
        """Row key -> what is wrong with that row (rows without a problem are left out)."""
        out = {}
        for _, row in self.rows.iterrows():
            problem = self._check(row)
            if problem:
                out[row[self.key]] = problem
        return out

    def refresh(self) -> str:
        """List the rows' problems and draw the completion; return the status text."""
        problems = self.problems()
        done = len(self.rows) - len(problems)
        lines = [f"{done} of {len(self.rows)} rows complete"]
        lines += [f"✘ {html.escape(str(k))}: {html.escape(v)}"
                  for k, v in list(problems.items())[:10]]
        if len(problems) > 10:
            lines.append(f"... and {len(problems) - 10} more")
        self._status.value = "<br>".join(lines)
        self.chart_data = {"complete": done, "to fix": len(problems)}
        self._redraw()
        return self._status.value

    # -------------------------------------------------------------------- internals
    def _typed(self, i: int, column: str, text: str) -> None:
        self.rows.at[i, column] = text
        if not self._quiet:         # typed in the page: say at once what is still missing
            self.refresh()

    def _draw(self) -> None:
        import matplotlib.pyplot as plt

        self._chart.clear_output(wait=True)
        with self._chart:
            fig, ax = plt.subplots(figsize=(4, 1.2))
            ax.barh(["rows"], [self.chart_data["complete"]], color="#5cb85c")
            ax.barh(["rows"], [self.chart_data["to fix"]], left=[self.chart_data["complete"]],
                    color="#d9534f")
            ax.set_xlabel("complete (green) / to fix (red)")
            fig.tight_layout()
            plt.show()
            plt.close(fig)
