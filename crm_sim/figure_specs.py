"""Headline figures as data: what to count, average or share, by what, computed anywhere.

A profile review's figures ("customers per segment", "consent rate", "top three
districts") are decisions about a table, not code. A figure spec says them::

    {"group_by": "segment", "measure": "count"}
    {"group_by": "segment", "measure": "mean", "column": "lifetime_value", "round": 2}
    {"group_by": None, "measure": "share_true", "column": "dm_consent", "round": 4}
    {"group_by": "district", "measure": "count", "top": 3}

`compute` evaluates a spec on a table with pandas; `to_sql` writes the same figure as one
SQL ``SELECT`` (so a query builder can show the SQL a spec stands for). A grader computes
a trainee's specs on an unseen company's customers; no trainee code runs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from crm_sim.errors import PolicyError

MEASURES = ("count", "mean", "sum", "share_true")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def check_spec(spec: Any, columns: list[str]) -> dict[str, Any]:
    """The spec, validated against the table's columns, in canonical form.

    Raises:
        PolicyError: unknown measure or column, a missing column for the measure, or a
            rounding / top outside its range.
    """
    if not isinstance(spec, Mapping):
        raise PolicyError("figure", type(spec).__name__, "a dict", 'e.g. {"measure": "count"}')
    measure = spec.get("measure")
    if measure not in MEASURES:
        raise PolicyError("measure", measure, " or ".join(MEASURES), "count rows, or the mean "
                          "of a column, or the share of rows where a column is true")
    group_by, column = spec.get("group_by"), spec.get("column")
    if group_by is not None and group_by not in columns:
        raise PolicyError("group_by", group_by, f"None or one of {columns}",
                          "e.g. segment")
    if measure != "count" and column not in columns:
        raise PolicyError("column", column, f"one of {columns}",
                          f"{measure} needs a column, e.g. lifetime_value")
    rnd, top = spec.get("round"), spec.get("top")
    if rnd is not None and (isinstance(rnd, bool) or not isinstance(rnd, int) or
                            not 0 <= rnd <= 6):
        raise PolicyError("round", rnd, "None or 0 to 6 decimals", "e.g. 2")
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or
                            not 1 <= top <= 50 or group_by is None):
        raise PolicyError("top", top, "None, or 1 to 50 with a group_by",
                          "the top 3 districts: group_by district, count, top 3")
    return {"group_by": group_by, "measure": measure,
            "column": column if measure != "count" else None, "round": rnd, "top": top}


def compute(spec: Any, table: pd.DataFrame) -> Any:
    """The figure on `table`: a number, a {group: number} dict or a top-n list of groups.

    Top-n lists are ordered by the measure, largest first, ties by group name.

    Raises:
        PolicyError: the spec is invalid for this table.
    """
    s = check_spec(spec, list(map(str, table.columns)))
    col = s["column"]

    def measure(frame: pd.DataFrame | Any) -> Any:
        if s["measure"] == "count":
            return frame.size() if s["group_by"] else len(frame)
        values = frame[col]
        if s["measure"] == "share_true":
            return (values.apply(lambda v: v.astype(bool).mean()) if s["group_by"]
                    else values.astype(bool).mean())
        return getattr(values, s["measure"])()

    if s["group_by"] is None:
        value = float(measure(table)) if s["measure"] != "count" else int(measure(table))
        return round(value, s["round"]) if s["round"] is not None else value
    by = measure(table.groupby(s["group_by"]))
    if s["top"]:
        frame = by.rename("v").reset_index()
        frame = frame.sort_values(["v", s["group_by"]], ascending=[False, True],
                                  kind="stable")
        return [str(g) for g in frame[s["group_by"]].head(s["top"])]
    out = {}
    for key, v in by.items():
        v = int(v) if s["measure"] == "count" else float(v)
        out[str(key)] = round(v, s["round"]) if s["round"] is not None and \
            not isinstance(v, int) else v
    return out


def to_sql(spec: Any, table: str, columns: list[str], name: str = "value") -> str:
    """The figure as one SQL SELECT on `table` (what a query builder shows).

    Raises:
        PolicyError: the spec is invalid, or a name is not a plain SQL identifier.
    """
    s = check_spec(spec, columns)
    for ident in (table, name, s["group_by"], s["column"]):
        if ident is not None and not _NAME.fullmatch(ident):
            raise PolicyError("name", ident, "letters, digits and _", "e.g. mean_value")
    expr = {"count": "COUNT(*)", "mean": f"AVG({s['column']})", "sum": f"SUM({s['column']})",
            "share_true": f"AVG(CASE WHEN {s['column']} THEN 1.0 ELSE 0.0 END)"}[s["measure"]]
    if s["round"] is not None:
        expr = f"ROUND({expr}, {s['round']})"
    if s["group_by"] is None:
        return f"SELECT {expr} AS {name} FROM {table}"
    sql = (f"SELECT {s['group_by']}, {expr} AS {name} FROM {table} "
           f"GROUP BY {s['group_by']}")
    if s["top"]:
        return sql + f" ORDER BY {name} DESC, {s['group_by']} LIMIT {s['top']}"
    return sql + f" ORDER BY {s['group_by']}"


def grouped_sql(table: str, group_by: str, measures: Mapping[str, Any],
                columns: list[str]) -> str:
    """One SELECT with one row per group and one column per measure, ordered by group.

    Args:
        table: the table queried.
        group_by: the column that makes the rows.
        measures: ``{output column: {"measure", "column", "round"}}`` (no group_by/top).
        columns: the table's columns (to validate against).

    Raises:
        PolicyError: an invalid measure, or a name that is not a plain SQL identifier.
    """
    parts = []
    for name, spec in measures.items():
        one = to_sql({**dict(spec), "group_by": None, "top": None}, table, columns, name)
        parts.append(one[len("SELECT "):one.index(f" FROM {table}")])
    if not _NAME.fullmatch(str(group_by)) or group_by not in columns:
        raise PolicyError("group_by", group_by, f"one of {columns}", "e.g. segment")
    return (f"SELECT {group_by}, {', '.join(parts)} FROM {table} "
            f"GROUP BY {group_by} ORDER BY {group_by}")
