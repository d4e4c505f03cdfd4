"""A summary builder: group a table and add measures, like a spreadsheet's pivot table.

Generic: it knows nothing of a unit. It is given a table; the trainee picks the column to
group by and adds measures, each a name, a column and how to summarise it (count, mean,
sum, share of true values, or share at most a threshold, e.g. "contacted within 90 days"
from a days-since column). Its value is the summary table; a bar chart shows the first
measure per group.

Every control is a method (`group_by`, `add_measure`, `remove_measure`) so tests and the
source notebook drive the view exactly as a click would.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from crm_sim.errors import FieldError
from crm_sim.ui.view import View

HOWS = ("count", "mean", "sum", "share_true", "share_at_most")


class SummaryBuilder(View):
    """Group a table and summarise columns; the value is the summary table.

    Attributes:
        table: the table summarised.
        group: the column grouped by (None until chosen).
        measures: name -> (column, how, threshold or None), in the order added.
        chart_data: the first measure per group, as last drawn.
        widget: the composed ipywidgets view.
    """

    def __init__(self, table: pd.DataFrame):
        """Build the view with no grouping and no measure."""
        self.table = table
        self.group: str | None = None
        self.measures: dict[str, tuple[str, str, float | None]] = {}
        self.chart_data: dict[str, float] = {}
        cols = list(table.columns)
        self._group = widgets.Dropdown(options=["(choose)", *cols], description="Group by")
        self._group.observe(lambda ch: self._safely(lambda: self.group_by(ch["new"]))
                            if ch["new"] != "(choose)" else None, names="value")
        self._name = widgets.Text(description="Name")
        self._column = widgets.Dropdown(options=cols, description="Column")
        self._how = widgets.Dropdown(options=list(HOWS), description="How")
        self._threshold = widgets.FloatText(value=0.0, description="At most")
        self._add = widgets.Button(description="Add measure", button_style="primary")
        self._add.on_click(lambda _: self._safely(lambda: self.add_measure(
            self._name.value, self._column.value, self._how.value, self._threshold.value)))
        self._status = widgets.HTML()
        self._table = widgets.HTML()
        self._chart = widgets.Output()
        self._out = widgets.Output()
        self.widget = widgets.VBox([
            self._group,
            # wraps: in one line the "Add measure" button fell off the right edge
            widgets.HBox([self._name, self._column, self._how, self._threshold, self._add],
                         layout=widgets.Layout(flex_flow="row wrap")),
            self._status, self._table, self._chart, self._out])
        self.refresh()

    # ------------------------------------------------------------------ user actions
    def group_by(self, column: str) -> None:
        """Group the table by `column`."""
        if column not in self.table.columns:
            raise FieldError("group by", column, ", ".join(self.table.columns),
                             "pick a column of the table")
        self.group = column
        self.refresh()

    def add_measure(self, name: str, column: str, how: str,
                    threshold: float | None = None) -> None:
        """Add (or replace) a measure: `how` summarises `column` per group."""
        name = str(name).strip()
        if not name:
            raise FieldError("name", name, "a column name for the summary",
                             "e.g. 'customers'")
        if column not in self.table.columns:
            raise FieldError("column", column, ", ".join(self.table.columns),
                             "pick a column of the table")
        if how not in HOWS:
            raise FieldError("how", how, ", ".join(HOWS), "pick a listed summary")
        if how == "share_at_most" and threshold is None:
            raise FieldError("threshold", threshold, "a number",
                             "say the most a value may be, e.g. 90 days")
        if how in ("mean", "sum", "share_at_most") and not pd.api.types.is_numeric_dtype(
                self.table[column]) and not pd.api.types.is_bool_dtype(self.table[column]):
            raise FieldError("column", column, "a column of numbers for " + how,
                             "count it, or pick a numeric column")
        self.measures[name] = (column, how, None if threshold is None else float(threshold))
        self.refresh()

    def remove_measure(self, name: str) -> None:
        """Remove a measure."""
        self.measures.pop(name, None)
        self.refresh()

    @property
    def value(self) -> pd.DataFrame:
        """The summary table (one row per group, one column per measure)."""
        if self.group is None or not self.measures:
            return pd.DataFrame()
        grouped = self.table.groupby(self.group, sort=True)
        out = {}
        for name, (column, how, threshold) in self.measures.items():
            col = grouped[column]
            if how == "count":
                out[name] = col.size()
            elif how == "mean":
                out[name] = col.mean()
            elif how == "sum":
                out[name] = col.sum()
            elif how == "share_true":
                out[name] = col.apply(lambda s: float(s.astype(bool).mean()))
            else:
                out[name] = col.apply(lambda s, t=threshold: float((s <= t).mean()))
        return pd.DataFrame(out)

    def refresh(self) -> str:
        """Show what is missing, the table and the chart; return the status."""
        lines = []
        if self.group is None:
            lines.append("✘ choose the column to group by")
        if not self.measures:
            lines.append("✘ add at least one measure")
        self._status.value = "<br>".join(lines) or "✔ summary ready"
        value = self.value
        self._table.value = value.to_html() if not value.empty else ""
        first = value.columns[0] if not value.empty else None
        self.chart_data = ({} if value.empty else
                           {str(k): float(v) for k, v in value[first].items()})
        self._redraw(first)
        return self._status.value

    # -------------------------------------------------------------------- internals
    def _draw(self, first: object = None) -> None:
        """The first measure per group as bars (`first`: that measure's column)."""
        import matplotlib.pyplot as plt

        self._chart.clear_output(wait=True)
        if not self.chart_data:
            return
        with self._chart:
            fig, ax = plt.subplots(figsize=(5, 2.2))
            ax.bar(list(self.chart_data), list(self.chart_data.values()), color="#3b7dd8")
            ax.set_ylabel(html.unescape(str(first)))
            fig.tight_layout()
            plt.show()
            plt.close(fig)
