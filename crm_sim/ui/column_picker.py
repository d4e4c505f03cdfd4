"""Column and mask picker: build a table to hand over by choosing, not by coding.

Starting from a table (records, profiles), the person deciding keeps, masks or drops each
column and keeps only rows whose column holds chosen values (e.g. source in the
marketing sources, consent true). `value` is the resulting table, which is what a
marketing list or a shared profile table is. Under the controls the view says, in plain
words, which kept columns the stated purpose does not need and whether any phone, e-mail
or HKID is still readable (`crm_sim.privacy`), and draws how many rows remain per value
of a chosen column. Every control has a method.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ipywidgets as widgets
import pandas as pd

from crm_sim import privacy
from crm_sim.errors import PolicyError
from crm_sim.ui.view import View

CHOICES = ("keep", "mask", "drop")
FILTER_MAX_VALUES = 30     # a column with more distinct values is no list to pick from
NO_FILTER = "(choose)"


class ColumnPicker(View):
    """Keep / mask / drop per column, plus row filters, over one table.

    Attributes:
        table: the table the choices apply to.
        purpose: the purpose the result is for (a `privacy.PURPOSES` key), or None.
        widget: the ipywidgets box to display.
    """

    def __init__(self, table: pd.DataFrame, purpose: str | None = None,
                 chart_by: str | None = None):
        self.table = table.reset_index(drop=True)
        self.purpose = purpose
        self.chart_by = chart_by
        self._choice = dict.fromkeys(self.table.columns, "keep")
        self._filters: dict[str, list] = {}
        # wide enough labels for "captured_date" and "timeline_months", not "captured_..."
        self._drops = {c: widgets.Dropdown(options=CHOICES, value="keep", description=str(c),
                                           style={"description_width": "130px"},
                                           layout=widgets.Layout(width="290px"))
                       for c in self.table.columns}
        for col, dd in self._drops.items():
            dd.observe(lambda ch, c=col: self._on(c, ch["new"]), names="value")
        # row filters: until these controls, filter_rows could only be typed as code
        filterable = [str(c) for c in self.table.columns
                      if self.table[c].nunique(dropna=True) <= FILTER_MAX_VALUES]
        self._filter_col = widgets.Dropdown(options=[NO_FILTER, *filterable],
                                            description="Rows where")
        self._filter_vals = widgets.SelectMultiple(options=[], rows=4, description="is one of")
        keep_rows = widgets.Button(description="Keep these rows", button_style="primary")
        clear = widgets.Button(description="Remove filter")
        self._filter_col.observe(lambda ch: self._show_filter(ch["new"]), names="value")
        keep_rows.on_click(lambda _b: self._safely(self._filter_from_controls))
        clear.on_click(lambda _b: self._safely(
            lambda: self.filter_rows(self._filter_column(), None)))
        self._summary = widgets.HTML()
        self._out = widgets.Output()
        self.widget = widgets.VBox([widgets.GridBox(
            list(self._drops.values()),
            layout=widgets.Layout(grid_template_columns="repeat(3, 300px)")),
            widgets.HBox([self._filter_col, self._filter_vals, keep_rows, clear],
                         layout=widgets.Layout(flex_flow="row wrap")),
            self._summary, self._out])
        self.refresh()

    # ------------------------------------------------------------ user actions
    def choose(self, column: str, choice: str) -> pd.DataFrame:
        """Keep, mask or drop one column (what its drop-down does).

        Raises:
            PolicyError: unknown column or choice; nothing changes.
        """
        if column not in self._choice:
            raise PolicyError("column", column, ", ".join(map(str, self._choice)),
                              "pick a column of the table")
        if choice not in CHOICES:
            raise PolicyError(str(column), choice, " or ".join(CHOICES), "e.g. mask")
        self._choice[column] = choice
        if self._drops[column].value != choice:
            self._drops[column].value = choice
        return self.refresh()

    def keep_only(self, columns: Iterable[str]) -> pd.DataFrame:
        """Drop every column not listed (listed ones keep their keep/mask choice)."""
        wanted = list(columns)
        for col in self._choice:
            if col not in wanted:
                self.choose(col, "drop")
            elif self._choice[col] == "drop":
                self.choose(col, "keep")
        return self.refresh()

    def filter_rows(self, column: str, values: Iterable[Any] | None) -> pd.DataFrame:
        """Keep only rows whose `column` holds one of `values` (None removes the filter)."""
        if column not in self.table.columns:
            raise PolicyError("filter column", column, ", ".join(map(str, self.table.columns)),
                              "filter on a column of the table")
        if values is None:
            self._filters.pop(column, None)
        else:
            self._filters[column] = list(values)
        return self.refresh()

    def refresh(self) -> pd.DataFrame:
        """Recompute the result and redraw; returns it."""
        self._result = self._build()
        self._summary.value = "<br>".join(self.messages())
        self._redraw()
        return self._result

    # ------------------------------------------------------------ read-outs
    @property
    def value(self) -> pd.DataFrame:
        """The table your choices give (what `submit` hands in)."""
        return self._result.copy()

    def messages(self) -> list[str]:
        """What the table would expose, in plain words."""
        out = [f"<b>{len(self._result)}</b> rows, {self._result.shape[1]} columns."]
        if self.purpose:
            extra = privacy.check_minimisation(list(map(str, self._result.columns)),
                                               self.purpose)
            if extra:
                names = ", ".join(str(getattr(v, "column", v)) for v in extra[:6])
                out.append(f"Not needed for {self.purpose.replace('_', ' ')}: {names}. "
                           "Drop them (collect and pass on only what the purpose needs).")
        leaks = privacy.find_leaks(self._result)
        if leaks:
            cols = sorted({str(getattr(lk, "column", "?")) for lk in leaks})
            out.append(f"Readable phone numbers, e-mails or HKIDs in: {', '.join(cols)}. "
                       "Mask or drop these columns before the table leaves you.")
        return out

    # ------------------------------------------------------------ internals
    def _build(self) -> pd.DataFrame:
        df = self.table
        for col, values in self._filters.items():
            df = df[df[col].isin(values)]
        keep = [c for c, ch in self._choice.items() if ch != "drop"]
        df = df[keep].reset_index(drop=True)
        masked = [c for c in keep if self._choice[c] == "mask"]
        return privacy.mask_frame(df, masked) if masked else df

    def _filter_column(self) -> str:
        column = self._filter_col.value
        if column == NO_FILTER:
            raise PolicyError("rows where", NO_FILTER, "a column",
                              "pick the column whose values decide which rows stay")
        return column

    def _show_filter(self, column: str) -> None:
        """List the chosen column's values, the ones its filter keeps selected."""
        if column == NO_FILTER:
            self._filter_vals.options = []
            return
        values = sorted(self.table[column].dropna().unique().tolist(), key=str)
        self._filter_vals.options = [(str(v), v) for v in values]
        kept = self._filters.get(column, [])
        self._filter_vals.value = tuple(v for v in values if v in kept)

    def _filter_from_controls(self) -> None:
        column = self._filter_column()
        chosen = list(self._filter_vals.value)
        if not chosen:
            raise PolicyError("is one of", "nothing selected", "one or more values",
                              "select the values whose rows to keep (Ctrl+click for several)")
        self.filter_rows(column, chosen)

    def _on(self, column: str, choice: str) -> None:
        if self._choice[column] != choice:
            self.choose(column, choice)

    def _draw(self) -> None:
        from IPython import get_ipython

        self._out.clear_output()
        if get_ipython() is None:
            return
        import matplotlib.pyplot as plt
        from IPython.display import display

        with self._out:
            display(self._result.head(8))
            by = self.chart_by
            if by and by in self.table.columns and len(self._result):
                source = self.table
                for col, values in self._filters.items():
                    source = source[source[col].isin(values)]
                fig, ax = plt.subplots(figsize=(5, 2))
                source[by].astype(str).value_counts().sort_index().plot.bar(ax=ax)
                ax.set_ylabel("rows kept")
                plt.tight_layout()
                plt.show()
