"""Communication records: record one or a whole batch, search them, and a customer timeline.

A communication record says who spoke with which customer, when, by which channel, what
was said (subject and summary) and which order or repair it concerns. `timeline` merges
a customer's communications with their purchases, repairs, enquiries, quotations,
orders, promises, complaints and hand-offs into one dated list, read from an index that
is built once per version of the tables, so asking for one customer costs a slice.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import pandas as pd

from crm_sim.desk import catalogue as cat
from crm_sim.desk.errors import DeskError
from crm_sim.desk.tables import (
    SCHEMAS,
    frame,
    log_events,
    new_ids,
    require,
    transaction,
)

_OBJ = object


def record_communication(world: Any, customer_id: str, staff_id: str, channel: str,
                         summary: str, *, subject: str = "", direction: str = "outbound",
                         when: str | None = None, order_id: str = "",
                         repair_id: str = "") -> str:
    """Record one conversation, call, e-mail, letter, visit or message; its id.

    Args:
        world: A world with the desk (`open_desk`).
        customer_id: The customer spoken with.
        staff_id: Who spoke (desk staff id).
        channel: One of `catalogue.COMM_CHANNELS`.
        summary: What was said, in a sentence or two.
        subject: A short title (default: the channel).
        direction: "inbound" (the customer got in touch) or "outbound".
        when: "YYYY-MM-DDTHH:MM" (default: the world's date at 12:00).
        order_id: The order it concerns ("" for none).
        repair_id: The repair it concerns ("" for none).

    Raises:
        DeskError: Unknown customer, staff, channel, order or repair; bad time; empty summary.
    """
    row = {"customer_id": [customer_id], "staff_id": [staff_id], "channel": [channel],
           "direction": [direction], "timestamp": [when or f"{world.today}T12:00"],
           "subject": [subject or str(channel).capitalize()], "summary": [summary],
           "order_id": [order_id], "repair_id": [repair_id]}
    return str(record_communications(world, pd.DataFrame(row))[0])


def record_communications(world: Any, rows: pd.DataFrame) -> np.ndarray:
    """Record many communications at once (checked as whole columns); their new ids.

    Args:
        world: A world with the desk (`open_desk`).
        rows: Columns customer_id, staff_id, channel, direction, timestamp, subject,
            summary, order_id, repair_id (the last two may be left out).

    Raises:
        DeskError: Naming the first offending row and field; nothing is recorded then.
    """
    require(world)
    if not isinstance(rows, pd.DataFrame):
        raise DeskError("communications", "rows", type(rows).__name__, "a pandas DataFrame",
                        "pass pd.DataFrame with one row per communication")
    rows = rows.reset_index(drop=True)
    for optional in ("order_id", "repair_id", "subject"):
        if optional not in rows.columns:
            rows[optional] = ""
    need = [c for c in SCHEMAS["desk_comms"] if c != "comm_id"]
    missing = [c for c in need if c not in rows.columns]
    if missing:
        raise DeskError("communications", "columns", list(rows.columns), str(need),
                        f"add the columns {missing}")
    cols = {c: rows[c].astype(object).to_numpy(_OBJ) for c in need}
    _check_column(cols, "customer_id", world.customers["customer_id"].to_numpy(_OBJ),
                  "a customer id of the customers table", "copy it from the customer list")
    staff = np.concatenate([world.tables["desk_staff"]["staff_id"].to_numpy(_OBJ),
                            world.outsourcers["outsourcer_id"].to_numpy(_OBJ)])
    _check_column(cols, "staff_id", staff, "a staff id of desk_staff", "e.g. S0001")
    _check_column(cols, "channel", np.asarray(cat.COMM_CHANNELS, _OBJ),
                  f"one of {cat.COMM_CHANNELS}", "pick the channel used")
    _check_column(cols, "direction", np.asarray(cat.DIRECTIONS, _OBJ),
                  f"one of {cat.DIRECTIONS}", '"inbound" when the customer got in touch')
    stamps = pd.Series(cols["timestamp"], dtype=object)
    is_text = _is_text(stamps)
    parsed = pd.to_datetime(stamps.where(is_text), format="%Y-%m-%dT%H:%M", errors="coerce")
    _fail_first(parsed.isna().to_numpy(), cols, "timestamp", "a time 'YYYY-MM-DDTHH:MM'",
                'e.g. "2026-01-15T14:30"')
    summary = pd.Series(cols["summary"], dtype=object)
    text = _is_text(summary)
    bad = ~text.to_numpy(bool) | summary.where(text, "").astype(str).str.strip().eq(
        "").to_numpy(bool)
    _fail_first(bad, cols, "summary", "a non-empty text", "write what was said")
    subject = pd.Series(cols["subject"], dtype=object).fillna("").astype(str)
    cols["subject"] = np.where(subject.eq("").to_numpy(bool),
                               pd.Series(cols["channel"], dtype=object).str.capitalize()
                               .to_numpy(_OBJ), subject.to_numpy(_OBJ))
    for column, table, key in (("order_id", "desk_orders", "order_id"),
                               ("repair_id", "desk_repairs", "repair_id")):
        values = pd.Series(cols[column], dtype=object).fillna("").astype(str).to_numpy(_OBJ)
        cols[column] = values
        known = np.concatenate([[""], world.tables[table][key].to_numpy(_OBJ)])
        _check_column(cols, column, known, f'an existing {key} or ""',
                      "leave it empty or copy the id from its list")
    with transaction(world):
        new = new_ids(world, "desk_comms", len(rows))
        world.append_rows("desk_comms", frame("desk_comms", {"comm_id": new, **cols}))
        log_events(world, pd.Series(cols["timestamp"]).str.slice(0, 10).to_numpy(_OBJ),
                   "communication", new, cols["customer_id"], "recorded", cols["staff_id"],
                   cols["channel"])
    return new


def _is_text(values: pd.Series) -> pd.Series:
    """True where a cell holds a str (mapped with the builtin `type`, in C, not a lambda)."""
    return values.map(type).eq(str)


def _fail_first(bad: np.ndarray, cols: dict, field: str, allowed: str, fix: str) -> None:
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DeskError(f"communication row {i}", field, cols[field][i], allowed, fix)


def _check_column(cols: dict, field: str, known: np.ndarray, allowed: str, fix: str) -> None:
    values = pd.Series(cols[field], dtype=object)
    ok = values.isin(pd.Index(known)).to_numpy(bool) & _is_text(values).to_numpy(bool)
    _fail_first(~ok, cols, field, allowed, fix)


def search_communications(world: Any, text: str | None = None, *, customer_id=None,
                          channel=None, staff_id=None, since: str | None = None,
                          until: str | None = None) -> pd.DataFrame:
    """Communications matching every given filter, oldest first.

    Args:
        world: A world with the desk (`open_desk`).
        text: Words that must appear in the subject or summary (case-insensitive).
        customer_id: Exact value (a str or a list of them).
        channel: Exact value (a str or a list of them).
        staff_id: Exact value (a str or a list of them).
        since: First date "YYYY-MM-DD" (inclusive).
        until: Last date "YYYY-MM-DD" (inclusive).
    """
    require(world)
    df = world.tables["desk_comms"]
    keep = np.ones(len(df), bool)
    for column, wanted in (("customer_id", customer_id), ("channel", channel),
                           ("staff_id", staff_id)):
        if wanted is not None:
            wanted = [wanted] if isinstance(wanted, str) else list(wanted)
            keep &= df[column].isin(wanted).to_numpy(bool)
    day = df["timestamp"].str.slice(0, 10)
    if since is not None:
        keep &= (day >= since).to_numpy(bool)
    if until is not None:
        keep &= (day <= until).to_numpy(bool)
    if text:
        words = (df["subject"] + " " + df["summary"]).str.lower()
        for word in str(text).lower().split():
            keep &= words.str.contains(word, regex=False).to_numpy(bool)
    return df[keep].reset_index(drop=True)


# ------------------------------------------------------------------------ timeline
# (table, kind, customer column, when column, id column, text built from columns)
_SOURCES = (
    ("desk_comms", "communication", "timestamp", "comm_id", ("channel", "subject", "summary")),
    ("desk_sales", "purchase", "sale_date", "sale_id", ("model_id", "serial_no")),
    ("desk_repairs", "repair", "received", "repair_id", ("status", "serial_no", "issue")),
    ("desk_enquiries", "enquiry", "received", "enquiry_id", ("status", "model_id", "note")),
    ("desk_quotes", "quotation", "issued", "quote_id", ("status", "model_id", "price_hkd")),
    ("desk_orders", "order", "ordered_on", "order_id", ("status", "model_id", "price_hkd")),
    ("desk_promises", "promise", "made_on", "promise_id", ("status", "due", "text")),
    ("desk_complaints", "complaint", "received", "complaint_id",
     ("status", "severity", "summary")),
    ("desk_handoffs", "hand-off", "created", "handoff_id", ("status", "department", "kind")),
)
TIMELINE_COLUMNS = ("when", "kind", "record_id", "details")
_INDEX: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class _TimelineIndex:
    """Every dated record of every customer, sorted by customer then time, with offsets."""

    def __init__(self, world: Any):
        self.frames = tuple(world.tables[s[0]] for s in _SOURCES)
        parts = {k: [] for k in ("customer", *TIMELINE_COLUMNS)}
        for (_, kind, when, key, text), df in zip(_SOURCES, self.frames, strict=True):
            stamp = df[when].astype(str).to_numpy(_OBJ)
            if when != "timestamp":
                stamp = stamp + "T00:00"
            detail = df[text[0]].astype(str).to_numpy(_OBJ)
            for column in text[1:]:
                detail = detail + " · " + df[column].astype(str).to_numpy(_OBJ)
            parts["customer"].append(df["customer_id"].to_numpy(_OBJ))
            parts["when"].append(stamp)
            parts["kind"].append(np.full(len(df), kind, _OBJ))
            parts["record_id"].append(df[key].to_numpy(_OBJ))
            parts["details"].append(detail)
        cols = {k: np.concatenate(v) for k, v in parts.items()}
        minutes = cols["when"].astype("datetime64[m]").astype(np.int64)
        customer = pd.Index(world.customers["customer_id"].to_numpy(_OBJ)).get_indexer(
            cols["customer"])
        order = np.lexsort((minutes, customer))
        self.cols = {k: v[order] for k, v in cols.items() if k != "customer"}
        sorted_customer = customer[order]
        self.ids = world.customers["customer_id"].to_numpy(_OBJ)
        self.position = {c: i for i, c in enumerate(self.ids)}
        self.starts = np.searchsorted(sorted_customer, np.arange(len(self.ids) + 1))

    def fresh(self, world: Any) -> bool:
        return all(world.tables[s[0]] is f for s, f in zip(_SOURCES, self.frames, strict=True))

    def rows(self, customer_id: str) -> pd.DataFrame:
        i = self.position[customer_id]
        a, b = self.starts[i], self.starts[i + 1]
        return pd.DataFrame({k: self.cols[k][a:b] for k in TIMELINE_COLUMNS})


def timeline(world: Any, customer_id: str) -> pd.DataFrame:
    """One customer's whole history, oldest first: when, kind, record_id, details.

    Raises:
        DeskError: Unknown customer.
    """
    require(world)
    index = _INDEX.get(world)
    if index is None or not index.fresh(world):
        index = _TimelineIndex(world)
        _INDEX[world] = index
    if customer_id not in index.position:
        raise DeskError(f"customer {customer_id}", "customer_id", customer_id,
                        "a customer id of the customers table", "copy it from the customer list")
    return index.rows(customer_id)
