"""The customer information system: filing, retrieving, updating, analysing, reporting.

Retrieval and analysis are parameterised SQL on the world's SQLite store (the file
`World.save` writes), opened read-only: the desk tables appear under their own names
(``desk_comms``, ``customers`` ...) as views, values go in through ``?`` or ``:name``
parameters only, and nothing a query does can change the file. Filing and updating go
through the engine (checked, in a transaction) and `InfoSystem.commit` saves the world
atomically. The four standard reports (monthly activity, open complaints, overdue
promises, top customers) come back as pandas tables and render as HTML.
"""

from __future__ import annotations

import html
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crm_sim.desk.errors import DeskError
from crm_sim.desk.tables import (
    ID_OF,
    RECORD_NAMES,
    log_events,
    require,
    row_of,
    set_fields,
    today_or,
    transaction,
)
from crm_sim.errors import StoreError

# Fields a desk user may update by hand, per table (ids, dates of steps and statuses
# change only through their workflows).
EDITABLE = {
    "desk_comms": ("subject", "summary"),
    "desk_info": ("value",),
    "desk_promises": ("text",),
    "desk_complaints": ("summary", "finding", "resolution"),
    "desk_enquiries": ("note",),
    "desk_repairs": ("issue",),
}
# Tables the information system shows (hidden truth never).
HIDDEN = ("latent", "desk_truth")


def update_record(world: Any, table: str, record_id: str, staff_id: str,
                  on: str | None = None, **changes: str) -> None:
    """Correct fields of one record (only those in `EDITABLE`); the change is audited.

    Raises:
        DeskError: Unknown table, missing record, a field that is not editable, or an
            empty value; nothing changes then.
    """
    from crm_sim.desk.info import check_staff

    require(world)
    if table not in EDITABLE:
        raise DeskError("update", "table", table, f"one of {tuple(EDITABLE)}",
                        "records of other tables change through their workflow")
    pos, row = row_of(world, table, record_id)
    record = f"{RECORD_NAMES[table]} {record_id}"
    if not changes:
        raise DeskError(record, "changes", {}, f"one or more of {EDITABLE[table]}",
                        "e.g. summary='...'")
    for field, value in changes.items():
        if field not in EDITABLE[table]:
            raise DeskError(record, field, value, f"one of {EDITABLE[table]} (editable)",
                            "change ids, dates and statuses through their workflow")
        if not isinstance(value, str) or not value.strip():
            raise DeskError(record, field, value, "a non-empty text", "write the corrected text")
    check_staff(world, staff_id, record)
    on = today_or(world, on, record)
    with transaction(world):
        set_fields(world, table, pos, **{k: v.strip() for k, v in changes.items()})
        log_events(world, on, RECORD_NAMES[table], record_id, row.get("customer_id", ""),
                   "updated", staff_id, ",".join(changes))


class InfoSystem:
    """A world and the SQLite file it is kept in.

    Example::

        system = InfoSystem(world, "shop.sqlite")      # saves the world there
        system.query("SELECT * FROM desk_comms WHERE customer_id = ?", ["C000001"])
        system.report("open_complaints")                # a pandas table
        system.report_html("overdue_promises")          # the same as HTML
    """

    def __init__(self, world: Any, path: str | Path):
        require(world)
        self.world = world
        self.path = Path(path)
        self.commit()

    def commit(self) -> Path:
        """Save the world to the file (atomically: a failed save keeps the last one)."""
        return self.world.save(self.path)

    # ------------------------------------------------------------------ retrieval
    def query(self, sql: str, params: Any = ()) -> pd.DataFrame:
        """Run one read-only SQL statement with bound parameters; the rows as a DataFrame.

        Args:
            sql: A single SELECT (or WITH ... SELECT); table names as in the world.
            params: A sequence for ``?`` placeholders or a dict for ``:name`` ones.

        Raises:
            DeskError: Not a single SELECT, a hidden table named, or an SQL error (the
                message says which).
        """
        text = sql.strip().rstrip(";") if isinstance(sql, str) else ""
        head = text.split(None, 1)[0].upper() if text else ""
        if head not in ("SELECT", "WITH") or ";" in text:
            raise DeskError("query", "sql", sql, "one SELECT statement",
                            "write SELECT ... FROM desk_comms WHERE customer_id = ?")
        lowered = text.lower()
        for name in HIDDEN:
            if f"t_{name}" in lowered or any(f"{sep}{name}" in lowered
                                             for sep in (" ", ",", "(", ".", '"')):
                raise DeskError("query", "table", name, "public tables only",
                                "the hidden truth is not part of the information system")
        conn = self._connect()
        try:
            return pd.read_sql_query(text, conn, params=params)
        except (sqlite3.Error, pd.errors.DatabaseError) as exc:
            raise DeskError("query", "sql", sql, "valid SQL on the world's tables",
                            f"{exc}") from exc
        finally:
            conn.close()

    def tables(self) -> list[str]:
        """Names of the tables a query may use."""
        conn = self._connect()
        try:
            return [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_temp_master WHERE type='view' ORDER BY name")]
        finally:
            conn.close()

    def _connect(self) -> sqlite3.Connection:
        """Read-only connection with a view per public table under its own name."""
        from crm_sim.store import _ident, _open_readonly

        try:
            conn = _open_readonly(self.path)
        except StoreError:
            raise
        names = [r[0] for r in conn.execute(
            "SELECT name FROM crm_tables WHERE hidden = 0 ORDER BY position")]
        for name in names:
            if name in HIDDEN:
                continue
            conn.execute(f"CREATE TEMP VIEW {_ident(name)} AS SELECT * FROM "
                         f"main.{_ident('t_' + name)}")
        return conn

    # ------------------------------------------------------------------ reports
    def report(self, name: str, **params: Any) -> pd.DataFrame:
        """One standard report as a DataFrame (see `REPORTS` for names and parameters)."""
        if name not in REPORTS:
            raise DeskError("report", "name", name, f"one of {tuple(REPORTS)}",
                            "e.g. 'open_complaints'")
        sql, defaults = REPORTS[name]
        values = {**defaults(self.world), **params}
        return self.query(sql, values)

    def report_html(self, name: str, **params: Any) -> str:
        """The report as an HTML table with a title (for a notebook, e-mail or print)."""
        df = self.report(name, **params)
        return to_html(df, TITLES[name].format(**{**REPORTS[name][1](self.world), **params}))


def _month_of(world: Any) -> dict:
    last = (pd.Timestamp(world.today) - pd.DateOffset(months=1)).strftime("%Y-%m")
    return {"month": last}


REPORTS: dict[str, tuple[str, Any]] = {
    "monthly_activity": ("""
        SELECT channel, direction, COUNT(*) AS communications,
               COUNT(DISTINCT customer_id) AS customers
        FROM desk_comms WHERE substr(timestamp, 1, 7) = :month
        GROUP BY channel, direction ORDER BY communications DESC, channel, direction
    """, _month_of),
    "open_complaints": ("""
        SELECT complaint_id, customer_id, severity, status, received, owner_id,
               CAST(julianday(:on) - julianday(received) AS INTEGER) AS days_open
        FROM desk_complaints WHERE status <> 'closed' AND received <= :on
        ORDER BY received, complaint_id
    """, lambda w: {"on": w.today}),
    "overdue_promises": ("""
        SELECT promise_id, customer_id, owner_id, kind, text, due,
               CAST(julianday(:on) - julianday(due) AS INTEGER) AS days_overdue
        FROM desk_promises WHERE status = 'open' AND due < :on
        ORDER BY due, promise_id
    """, lambda w: {"on": w.today}),
    "top_customers": ("""
        SELECT s.customer_id, c.name, COUNT(*) AS purchases,
               ROUND(SUM(s.price_hkd), 2) AS spent_hkd, MAX(s.sale_date) AS last_purchase
        FROM desk_sales s JOIN customers c ON c.customer_id = s.customer_id
        WHERE s.sale_date >= :since
        GROUP BY s.customer_id, c.name ORDER BY spent_hkd DESC, s.customer_id LIMIT :n
    """, lambda w: {"since": "2000-01-01", "n": 10}),
}
TITLES = {
    "monthly_activity": "Communications in {month}",
    "open_complaints": "Open complaints on {on}",
    "overdue_promises": "Overdue promises on {on}",
    "top_customers": "Top {n} customers since {since}",
}


def to_html(df: pd.DataFrame, title: str) -> str:
    """A small, self-contained HTML table with a title; every value escaped."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in df.itertuples(index=False))
    empty = "" if len(df) else f'<tr><td colspan="{max(len(df.columns), 1)}">none</td></tr>'
    return (f"<h3>{html.escape(title)}</h3><table class=\"desk-report\"><thead><tr>{head}"
            f"</tr></thead><tbody>{rows}{empty}</tbody></table>"
            f"<p>{len(df)} row{'s' if len(df) != 1 else ''}</p>")


def record_ids(world: Any, table: str) -> np.ndarray:
    """The ids of a record table (for pickers)."""
    return world.tables[table][ID_OF[table][0]].to_numpy(object)
