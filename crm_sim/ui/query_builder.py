"""Query builder: one row per group, one column per measure, written as SQL for you.

The analyst picks the column that makes the rows and adds measures (count, mean, sum,
share true of a column) under the names the result must carry; the view writes the SQL
``SELECT`` (`crm_sim.figure_specs.grouped_sql`), previews its result computed on the
table at hand, and charts the first measure. `value` is the SQL text, so the database
exercise can be answered without typing SQL, while the SQL stays on screen to learn
from. Every control has a method.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd

from crm_sim import figure_specs
from crm_sim.errors import PolicyError
from crm_sim.ui.view import View


class QueryBuilder(View):
    """A grouped SELECT on one table, built by picking.

    Attributes:
        table: a copy of the table (for the preview).
        table_name: the table's name in the database.
        group_by: the column that makes the rows (None until chosen).
        measures: ``{output column: spec}`` in the order added.
        widget: the ipywidgets box to display.
    """

    def __init__(self, table: pd.DataFrame, table_name: str):
        self.table, self.table_name = table, table_name
        self.group_by: str | None = None
        self.measures: dict[str, dict[str, Any]] = {}
        cols = list(map(str, table.columns))
        self._group = widgets.Dropdown(options=[None, *cols], value=None,
                                       description="One row per")
        self._group.observe(lambda ch: ch["new"] and self.set_group(ch["new"]),
                            names="value")
        self._name = widgets.Text(description="Column name")
        self._measure = widgets.Dropdown(options=figure_specs.MEASURES, description="Measure")
        self._column = widgets.Dropdown(options=[None, *cols], value=None, description="Of")
        add = widgets.Button(description="Add column", button_style="primary")
        add.on_click(lambda _b: self._add_from_controls())
        self._summary = widgets.HTML()
        self._out = widgets.Output()
        self.widget = widgets.VBox([self._group, widgets.HBox(
            [self._name, self._measure, self._column, add],
            layout=widgets.Layout(flex_flow="row wrap")), self._summary, self._out])
        self.refresh()

    def set_group(self, column: str) -> str:
        """One row per value of `column`."""
        if column not in map(str, self.table.columns):
            raise PolicyError("one row per", column, ", ".join(map(str, self.table.columns)),
                              "e.g. segment")
        self.group_by = column
        if self._group.value != column:
            self._group.value = column
        return self.refresh()

    def add(self, name: str, measure: str, column: str | None = None,
            round: int | None = None) -> str:  # noqa: A002
        """Add a result column `name` holding `measure` of `column`.

        Raises:
            PolicyError: invalid measure/column or a name that is not a plain identifier.
        """
        spec = figure_specs.check_spec({"measure": measure, "column": column, "round": round},
                                       list(map(str, self.table.columns)))
        if spec["measure"] in ("mean", "sum") and not pd.api.types.is_numeric_dtype(
                self.table[spec["column"]]):
            # caught here, in words, not as pandas' TypeError from the preview
            raise PolicyError("of", spec["column"], "a column of numbers",
                              f"{spec['measure']} adds up numbers: pick e.g. lifetime_value")
        figure_specs.to_sql(spec, self.table_name, list(map(str, self.table.columns)), name)
        self.measures[name] = spec
        return self.refresh()

    def remove(self, name: str) -> str:
        """Drop a result column."""
        self.measures.pop(name, None)
        return self.refresh()

    def refresh(self) -> str:
        """Rewrite the SQL and redraw the preview; returns the SQL ("" until complete)."""
        self._summary.value = "<br>".join(self.messages())
        self._redraw()
        return self.value

    @property
    def value(self) -> str:
        """The SQL the choices stand for ("" until rows and a column are chosen)."""
        if not self.group_by or not self.measures:
            return ""
        return figure_specs.grouped_sql(self.table_name, self.group_by, self.measures,
                                        list(map(str, self.table.columns)))

    def preview(self) -> pd.DataFrame:
        """The result the SQL gives, computed here with pandas."""
        if not self.value:
            return pd.DataFrame()
        cols = {name: figure_specs.compute({**spec, "group_by": self.group_by}, self.table)
                for name, spec in self.measures.items()}
        return pd.DataFrame(cols).rename_axis(self.group_by).reset_index()

    def messages(self) -> list[str]:
        """What is missing, or the SQL written."""
        if not self.group_by:
            return ["Choose what makes one row (e.g. one row per segment)."]
        if not self.measures:
            return ["Add the columns the result needs, each with its name."]
        return [f"<code>{self.value}</code>"]

    def _add_from_controls(self) -> None:
        try:
            self.add(self._name.value.strip(), self._measure.value, self._column.value)
        except PolicyError as e:
            self._summary.value = f"<b>Not added:</b> {e}"

    def _draw(self) -> None:
        from IPython import get_ipython

        self._out.clear_output()
        if get_ipython() is None or not self.value:
            return
        import matplotlib.pyplot as plt
        from IPython.display import display

        with self._out:
            table = self.preview()
            display(table)
            first = next(iter(self.measures))
            fig, ax = plt.subplots(figsize=(5, 2))
            table.set_index(self.group_by)[first].plot.bar(ax=ax, title=first)
            plt.tight_layout()
            plt.show()
