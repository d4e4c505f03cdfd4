"""Figure builder: define headline figures by picking, see them, and the SQL behind them.

For each named figure the analyst picks what to group by (or nothing), the measure
(count, mean, sum, share true), the column, the rounding and, for rankings, how many of
the top groups. The view shows each figure's value on the table at hand, the SQL
``SELECT`` it stands for, and a bar chart of the last grouped figure. `value` is
``{figure name: spec}`` (`crm_sim.figure_specs`), which a grader computes on another
company. Every control has a method.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import pandas as pd

from crm_sim import figure_specs
from crm_sim.errors import PolicyError
from crm_sim.ui.view import View


class FigureBuilder(View):
    """Named figures over one table.

    Attributes:
        table: the table the figures are computed on here.
        names: the figures to define, in order.
        specs: ``{name: spec}`` of the figures defined so far.
        widget: the ipywidgets box to display.
    """

    def __init__(self, table: pd.DataFrame, names: Sequence[str], table_name: str = "t"):
        self.table, self.names, self.table_name = table, list(names), table_name
        self.specs: dict[str, dict[str, Any]] = {}
        cols = [None, *map(str, table.columns)]
        self._figure = widgets.Dropdown(options=self.names, description="Figure")
        self._group = widgets.Dropdown(options=cols, value=None, description="Group by")
        self._measure = widgets.Dropdown(options=figure_specs.MEASURES, description="Measure")
        self._column = widgets.Dropdown(options=cols, value=None, description="Column")
        self._round = widgets.Dropdown(options=[None, 0, 1, 2, 3, 4], value=None,
                                       description="Decimals")
        self._top = widgets.Dropdown(options=[None, 1, 3, 5, 10], value=None,
                                     description="Top")
        save = widgets.Button(description="Set figure", button_style="primary")
        save.on_click(lambda _b: self._save_from_controls())
        self._summary = widgets.HTML()
        self._out = widgets.Output()
        self.widget = widgets.VBox([
            widgets.HBox([self._figure, self._group, self._measure]),
            widgets.HBox([self._column, self._round, self._top, save]),
            self._summary, self._out])
        self.refresh()

    # ------------------------------------------------------------ user actions
    def define(self, name: str, measure: str, group_by: str | None = None,
               column: str | None = None, round: int | None = None,  # noqa: A002
               top: int | None = None) -> Any:
        """Define figure `name` (what filling the controls and "Set figure" does).

        Returns:
            The figure's value on this table.

        Raises:
            PolicyError: unknown figure name or an invalid spec; nothing changes.
        """
        if name not in self.names:
            raise PolicyError("figure", name, ", ".join(self.names), "pick a listed figure")
        spec = figure_specs.check_spec({"measure": measure, "group_by": group_by,
                                        "column": column, "round": round, "top": top},
                                       list(map(str, self.table.columns)))
        self.specs[name] = spec
        self.refresh()
        return figure_specs.compute(spec, self.table)

    def refresh(self) -> dict[str, Any]:
        """Recompute every defined figure and redraw; returns their values."""
        values = {n: figure_specs.compute(s, self.table) for n, s in self.specs.items()}
        self._summary.value = "<br>".join(self.messages(values))
        self._redraw()
        return values

    # ------------------------------------------------------------ read-outs
    @property
    def value(self) -> dict[str, Any]:
        """The figure specs as plain data (what `submit` hands in)."""
        return {"kind": "figure_specs", "figures": {n: dict(s) for n, s in self.specs.items()}}

    def sql(self, name: str) -> str:
        """The SQL SELECT figure `name` stands for."""
        return figure_specs.to_sql(self.specs[name], self.table_name,
                                   list(map(str, self.table.columns)), name)

    def messages(self, values: dict[str, Any] | None = None) -> list[str]:
        """Each figure's value and SQL, and which figures are still missing."""
        values = values if values is not None else self.refresh()
        out = []
        for n, v in values.items():
            shown = v if not isinstance(v, dict) or len(v) <= 6 else dict(list(v.items())[:6])
            out.append(f"<b>{n}</b> = {shown} <small><code>{self.sql(n)}</code></small>")
        missing = [n for n in self.names if n not in self.specs]
        if missing:
            out.append(f"Still to define: {', '.join(missing)}.")
        return out

    # ------------------------------------------------------------ internals
    def _save_from_controls(self) -> None:
        try:
            self.define(self._figure.value, self._measure.value, self._group.value,
                        self._column.value, self._round.value, self._top.value)
        except PolicyError as e:
            self._summary.value = f"<b>Not set:</b> {e}"

    def _draw(self) -> None:
        from IPython import get_ipython

        self._out.clear_output()
        if get_ipython() is None:
            return
        import matplotlib.pyplot as plt

        grouped = [(n, s) for n, s in self.specs.items() if s["group_by"] and not s["top"]]
        if not grouped:
            return
        name, spec = grouped[-1]
        with self._out:
            fig, ax = plt.subplots(figsize=(5, 2.2))
            pd.Series(figure_specs.compute(spec, self.table)).plot.bar(ax=ax, title=name)
            plt.tight_layout()
            plt.show()
