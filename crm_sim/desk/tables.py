"""The desk's tables (columns and dtypes), id numbering, the audit trail and transactions.

Every desk table is registered on the world with `World.register_table`, so
`World.save`/`World.load` keep it; names start with ``desk_`` so they never meet another
subsystem's tables. A change goes through `transaction`: if anything raises inside it,
every table (and the hidden state) is put back exactly as it was, so a refused operation
leaves the store unchanged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import weakref
from typing import Any

import numpy as np
import pandas as pd

from crm_sim.desk.errors import DeskError
from crm_sim.textcols import digit_matrix, join_bytes
from crm_sim.world import autosave, engine_state

S, N, F, B = "string", "int64", "float64", "bool"

SCHEMAS: dict[str, dict[str, str]] = {
    "desk_boutiques": {"boutique_id": S, "name": S, "district": S},
    "desk_staff": {"staff_id": S, "name": S, "boutique_id": S, "department": S,
                   "desk_role": S, "approval_limit": F},
    "desk_models": {"model_id": S, "brand": S, "model": S, "reference": S, "category": S,
                    "complications": S, "price_hkd": F, "limited": B, "edition_size": N,
                    "warranty_months": N, "segment_fit": S},
    "desk_customers": {"customer_id": S, "home_boutique_id": S, "kind": S, "vip": B,
                       "relationship_staff_id": S},
    "desk_info": {"info_id": S, "customer_id": S, "field": S, "value": S,
                  "classification": S, "recorded_on": S, "recorded_by": S},
    "desk_sales": {"sale_id": S, "customer_id": S, "model_id": S, "serial_no": S,
                   "boutique_id": S, "staff_id": S, "sale_date": S, "price_hkd": F,
                   "order_id": S},
    "desk_warranties": {"warranty_id": S, "sale_id": S, "serial_no": S, "customer_id": S,
                        "starts": S, "ends": S, "extended": B},
    "desk_repairs": {"repair_id": S, "customer_id": S, "serial_no": S, "model_id": S,
                     "boutique_id": S, "issue": S, "received": S, "promised_ready": S,
                     "completed": S, "collected": S, "status": S, "under_warranty": B,
                     "cost_hkd": F},
    "desk_comms": {"comm_id": S, "customer_id": S, "staff_id": S, "channel": S,
                   "direction": S, "timestamp": S, "subject": S, "summary": S,
                   "order_id": S, "repair_id": S},
    "desk_enquiries": {"enquiry_id": S, "customer_id": S, "model_id": S, "staff_id": S,
                       "received": S, "channel": S, "note": S, "status": S},
    "desk_quotes": {"quote_id": S, "enquiry_id": S, "customer_id": S, "model_id": S,
                    "staff_id": S, "issued": S, "valid_until": S, "list_price": F,
                    "discount": F, "price_hkd": F, "approved_by": S, "status": S,
                    "confirmed_on": S},
    "desk_orders": {"order_id": S, "quote_id": S, "customer_id": S, "model_id": S,
                    "staff_id": S, "boutique_id": S, "ordered_on": S, "price_hkd": F,
                    "serial_no": S, "status": S},
    "desk_promises": {"promise_id": S, "customer_id": S, "owner_id": S, "kind": S,
                      "text": S, "made_on": S, "due": S, "linked_id": S, "status": S,
                      "closed_on": S},
    "desk_complaints": {"complaint_id": S, "customer_id": S, "owner_id": S, "channel": S,
                        "category": S, "severity": S, "summary": S, "linked_id": S,
                        "status": S, "received": S, "acknowledged": S, "investigated": S,
                        "resolved": S, "closed": S, "finding": S, "resolution": S},
    "desk_recoveries": {"recovery_id": S, "complaint_id": S, "customer_id": S, "action": S,
                        "cost_hkd": F, "on": S, "staff_id": S},
    "desk_handoffs": {"handoff_id": S, "customer_id": S, "kind": S, "department": S,
                      "from_staff_id": S, "linked_id": S, "payload": S, "created": S,
                      "status": S, "updated": S},
    "desk_access_log": {"access_id": S, "on": S, "staff_id": S, "role": S, "boutique_id": S,
                        "table_name": S, "customer_id": S, "columns": S, "decision": S,
                        "reason": S},
    "desk_events": {"event_id": S, "on": S, "record_type": S, "record_id": S,
                    "customer_id": S, "action": S, "staff_id": S, "detail": S},
}
HIDDEN_SCHEMAS: dict[str, dict[str, str]] = {
    # The truth a trainee's classification is graded against (never shown to trainees).
    "desk_truth": {"customer_id": S, "true_annual_value": F, "true_potential": F,
                   "true_tier": S},
}
# id column and prefix of each record table (ids are prefix + zero-padded number).
ID_OF = {
    "desk_info": ("info_id", "N", 7), "desk_sales": ("sale_id", "SL", 6),
    "desk_warranties": ("warranty_id", "WR", 6), "desk_repairs": ("repair_id", "RP", 6),
    "desk_comms": ("comm_id", "M", 7), "desk_enquiries": ("enquiry_id", "EQ", 6),
    "desk_quotes": ("quote_id", "Q", 6), "desk_orders": ("order_id", "OR", 6),
    "desk_promises": ("promise_id", "PR", 6), "desk_complaints": ("complaint_id", "CP", 5),
    "desk_recoveries": ("recovery_id", "RC", 6), "desk_handoffs": ("handoff_id", "H", 6),
    "desk_events": ("event_id", "E", 7),
}
RECORD_NAMES = {
    "desk_info": "information", "desk_sales": "sale", "desk_warranties": "warranty",
    "desk_repairs": "repair", "desk_comms": "communication", "desk_enquiries": "enquiry",
    "desk_quotes": "quotation", "desk_orders": "order", "desk_promises": "promise",
    "desk_complaints": "complaint", "desk_recoveries": "recovery action",
    "desk_handoffs": "hand-off", "desk_events": "event",
}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def frame(table: str, columns: dict[str, Any]) -> pd.DataFrame:
    """A DataFrame with exactly `table`'s columns and dtypes (text columns python-backed)."""
    spec = SCHEMAS.get(table) or HIDDEN_SCHEMAS[table]
    out = {}
    for name, dtype in spec.items():
        values = columns[name]
        if dtype == S:
            out[name] = pd.array(np.asarray(values, dtype=object), dtype="string")
        else:
            out[name] = pd.array(np.asarray(values), dtype=dtype)
    return pd.DataFrame(out)


def installed(world: Any) -> bool:
    """Whether the desk tables are on this world (`crm_sim.desk.open_desk` puts them there)."""
    return "desk_comms" in world.tables


def require(world: Any) -> None:
    """DeskError unless the desk is installed on `world`."""
    if not installed(world):
        raise DeskError("world", "desk tables", "missing", "tables desk_* on the world",
                        "call crm_sim.desk.open_desk(world) first")


def new_ids(world: Any, table: str, n: int) -> np.ndarray:
    """The next `n` ids of `table` (object array), continuing after its last row."""
    column, prefix, width = ID_OF[table]
    current = world.tables[table]
    start = int(current[column].iloc[-1][len(prefix):]) + 1 if len(current) else 1
    if n == 0:
        return np.zeros(0, dtype=object)
    return join_bytes([prefix, digit_matrix(np.arange(start, start + n), width)])


def row_of(world: Any, table: str, record_id: Any) -> tuple[int, pd.Series]:
    """(position, row) of one record by id; DeskError naming the record if it is missing."""
    column = ID_OF[table][0]
    df = world.tables[table]
    hits = np.flatnonzero(df[column].to_numpy(object) == record_id)
    if not len(hits):
        name = RECORD_NAMES[table]
        raise DeskError(f"{name} {record_id}", column, record_id, f"an existing {name} id",
                        f"copy the id from the {name} list (e.g. {_example(df, column)})")
    return int(hits[0]), df.iloc[int(hits[0])]


def _example(df: pd.DataFrame, column: str) -> str:
    return str(df[column].iloc[-1]) if len(df) else "none recorded yet"


def set_fields(world: Any, table: str, position: int, **changes: Any) -> None:
    """Change fields of one row: the table is replaced by an updated copy (never in place).

    Why a copy: `transaction` restores the old table object on failure, and other holders
    of the old frame (a view, a test) must not see a half-made change.
    """
    df = world.tables[table].copy()
    for column, value in changes.items():
        df.loc[position, column] = value
    world.tables[table] = df.astype(world.schema[table])


def log_events(world: Any, on, record_type: str, record_ids, customer_ids, action: str,
               staff_ids, detail="") -> None:
    """Append one audit-trail row per record (every step of every workflow is recorded)."""
    record_ids = np.atleast_1d(np.asarray(record_ids, dtype=object))
    n = len(record_ids)
    if n == 0:
        return

    def fill(value):
        arr = np.asarray(value, dtype=object)
        return np.full(n, value, dtype=object) if arr.ndim == 0 else arr

    rows = frame("desk_events", {
        "event_id": new_ids(world, "desk_events", n), "on": fill(on),
        "record_type": fill(record_type), "record_id": record_ids,
        "customer_id": fill(customer_ids), "action": fill(action),
        "staff_id": fill(staff_ids), "detail": fill(detail),
    })
    world.append_rows("desk_events", rows)


@contextlib.contextmanager
def transaction(world: Any):
    """All or nothing: on any exception the world's tables and schema are put back.

    Tables are replaced, never changed in place, by the desk, so keeping references to
    the current frames is enough to restore them. Transactions nest: only the outermost
    one restores or, on success, saves the world if it asked to (`World.autosave`).
    """
    depth = _DEPTH.get(world, 0)
    if depth:
        _DEPTH[world] = depth + 1
        try:
            yield
        finally:
            _DEPTH[world] = depth
        return
    tables = dict(world.tables)
    state = engine_state(world)
    hidden = dict(state)
    schema = {k: dict(v) for k, v in world.schema.items()}
    _DEPTH[world] = 1
    try:
        yield
    except BaseException:
        world.tables.clear()
        world.tables.update(tables)
        state.clear()
        state.update(hidden)
        world.schema.clear()
        world.schema.update(schema)
        raise
    finally:
        _DEPTH.pop(world, None)
    autosave(world)


_DEPTH: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def check_date(record: str, field: str, value: Any, fix: str = 'e.g. "2026-01-15"') -> str:
    """`value` as an ISO date string, or DeskError naming the record and field."""
    text = value.isoformat() if isinstance(value, dt.date) else value
    ok = isinstance(text, str) and DATE.fullmatch(text) is not None
    if ok:
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            ok = False
    if not ok:
        raise DeskError(record, field, value, "a date 'YYYY-MM-DD'", fix)
    return text


def today_or(world: Any, on: Any, record: str) -> str:
    """The date an operation happens on: `on`, or the world's clock."""
    return world.today if on is None else check_date(record, "on", on)


def add_days(date: str, days: int) -> str:
    """An ISO date moved by whole days."""
    return (dt.date.fromisoformat(date[:10]) + dt.timedelta(days=int(days))).isoformat()


def days_between(start, end) -> np.ndarray:
    """Whole days from `start` to `end` (arrays of ISO dates or timestamps)."""
    a = np.asarray(pd.Series(start, dtype=object).str.slice(0, 10), dtype="datetime64[D]")
    b = np.asarray(pd.Series(end, dtype=object).str.slice(0, 10), dtype="datetime64[D]")
    return (b - a).astype(np.int64)


def check_choice(record: str, field: str, value: Any, choices) -> str:
    """`value` if it is one of `choices`, else DeskError listing them."""
    if value not in choices:
        raise DeskError(record, field, value, f"one of {tuple(choices)}",
                        f"pick one of {', '.join(map(str, choices))}")
    return value


def check_text(record: str, field: str, value: Any, example: str, empty: bool = False) -> str:
    """A stripped text value (non-empty unless `empty`), else DeskError."""
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise DeskError(record, field, value, "a short text", f"e.g. {example!r}")
    return value.strip()
