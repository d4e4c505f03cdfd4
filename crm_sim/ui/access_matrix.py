"""Access matrix: tick who (or what) may use what, cell by cell.

A grid of rows (roles, data sources) by columns (data categories, purposes). Each cell is
either a tick box (``levels=None``: allowed or not) or a choice among levels (e.g. "",
"masked", "full"; "" means refused). The value is plain data: ``{row: [columns]}`` for
tick boxes, ``{row: {column: level}}`` for levels, refused cells left out, which is the
form the engine's policies take. An optional ``notes`` function turns the value into
sentences the person deciding reads under the grid (the view itself knows no policy).
Every cell has a method (`tick`, `set_level`), so tests and notebooks drive the grid as
clicks would.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets

from crm_sim.errors import PolicyError
from crm_sim.ui.view import View


class AccessMatrix(View):
    """Rows x columns of tick boxes or level choices.

    Attributes:
        rows: row labels (e.g. roles or sources).
        columns: column labels (e.g. data categories or purposes).
        levels: the choices per cell, first meaning "refused"; None for tick boxes.
        widget: the ipywidgets grid to display.
    """

    def __init__(self, rows: Sequence[str], columns: Sequence[str],
                 levels: Sequence[str] | None = None, value: Mapping | None = None,
                 notes: Callable[[Any], list[str]] | None = None):
        self.rows, self.columns = list(rows), list(columns)
        self.levels = list(levels) if levels is not None else None
        self._notes = notes
        self._cells: dict[tuple[str, str], widgets.ValueWidget] = {}
        grid = widgets.GridspecLayout(len(self.rows) + 1, len(self.columns) + 1)
        for j, col in enumerate(self.columns):
            grid[0, j + 1] = widgets.HTML(f"<b>{col}</b>")
        for i, row in enumerate(self.rows):
            grid[i + 1, 0] = widgets.HTML(f"<b>{row}</b>")
            for j, col in enumerate(self.columns):
                # the tooltip names the cell: a box in a grid has no label of its own
                cell = (widgets.Checkbox(value=False, indent=False, tooltip=f"{row}: {col}")
                        if self.levels is None
                        else widgets.Dropdown(options=self.levels, value=self.levels[0],
                                              tooltip=f"{row}: {col}",
                                              layout=widgets.Layout(width="90px")))
                cell.observe(lambda _ch: self._changed(), names="value")
                self._cells[(row, col)] = cell
                grid[i + 1, j + 1] = cell
        self._summary = widgets.HTML()
        self.widget = widgets.VBox([grid, self._summary])
        self._quiet = False
        if value:
            self.set_value(value)
        self._changed()

    # ------------------------------------------------------------ user actions
    def tick(self, row: str, column: str, on: bool = True) -> Any:
        """Allow (or refuse) `row` the `column`; for level grids "on" is the last level."""
        if self.levels is not None:
            return self.set_level(row, column, self.levels[-1] if on else self.levels[0])
        self._cell(row, column).value = bool(on)
        return self.value

    def set_level(self, row: str, column: str, level: str) -> Any:
        """Choose the level of one cell (e.g. "masked").

        Raises:
            PolicyError: unknown row, column or level; nothing changes.
        """
        if self.levels is None:
            raise PolicyError("level", level, "a tick (this grid has no levels)",
                              "use tick(row, column, True)")
        if level not in self.levels:
            raise PolicyError(f"{row}/{column}", level, " or ".join(
                repr(lv) for lv in self.levels), f'e.g. set_level("{row}", "{column}", '
                f'"{self.levels[-1]}")')
        self._cell(row, column).value = level
        return self.value

    def clear(self) -> Any:
        """Refuse everything (start again)."""
        self._quiet = True
        for cell in self._cells.values():
            cell.value = False if self.levels is None else self.levels[0]
        self._quiet = False
        self._changed()
        return self.value

    def set_value(self, value: Mapping) -> Any:
        """Set the whole grid from plain data of the form `value` returns."""
        self.clear()
        self._quiet = True
        try:
            for row, cols in value.items():
                if isinstance(cols, Mapping):
                    for col, level in cols.items():
                        self.set_level(row, col, level)
                else:
                    for col in cols:
                        self.tick(row, col, True)
        finally:
            self._quiet = False
        self._changed()
        return self.value

    # ------------------------------------------------------------ read-outs
    @property
    def value(self) -> dict[str, Any]:
        """The grid as plain data, refused cells left out (every row present)."""
        if self.levels is None:
            return {r: [c for c in self.columns if self._cells[(r, c)].value]
                    for r in self.rows}
        return {r: {c: self._cells[(r, c)].value for c in self.columns
                    if self._cells[(r, c)].value != self.levels[0]} for r in self.rows}

    def messages(self) -> list[str]:
        """The notes under the grid for the current value."""
        return list(self._notes(self.value)) if self._notes else []

    # ------------------------------------------------------------ internals
    def _cell(self, row: str, column: str):
        if (row, column) not in self._cells:
            raise PolicyError("cell", f"{row}/{column}",
                              f"rows {self.rows} x columns {self.columns}",
                              "check the spelling")
        return self._cells[(row, column)]

    def _changed(self) -> None:
        if not self._quiet:
            self._summary.value = "<br>".join(self.messages())
