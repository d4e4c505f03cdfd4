"""Promises made to customers: who owes what by when, what is due, and what was broken.

A promise ("call you back by Friday", "we will reserve the model", "ready by the 20th")
is a record with an owner and a due date. `due_promises` lists what is due on a day;
`detect_breaches` marks promises left open past their due date as broken. Keeping a
promise on time raises the customer's satisfaction a little; keeping it late lowers it
a little; breaking it lowers it more (`catalogue.PROMISE_*`, through `effects.nudge`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_sim.desk import catalogue as cat
from crm_sim.desk.effects import nudge
from crm_sim.desk.errors import DeskError
from crm_sim.desk.info import check_customer, check_staff
from crm_sim.desk.tables import (
    check_choice,
    check_date,
    check_text,
    days_between,
    frame,
    log_events,
    new_ids,
    require,
    row_of,
    set_fields,
    today_or,
    transaction,
)

_OBJ = object
PROMISE_STATES = ("open", "fulfilled", "breached", "cancelled")


def make_promise(world: Any, customer_id: str, owner_id: str, kind: str, text: str,
                 due: str, linked_id: str = "", on: str | None = None) -> str:
    """Record a promise to a customer; its id.

    Args:
        world: A world with the desk (`open_desk`).
        customer_id: Who it was promised to.
        owner_id: The staff member who must keep it.
        kind: One of `catalogue.PROMISE_KINDS` (call_back, reserve_model, repair_ready ...).
        text: The promise in words, e.g. "Call back with the strap price".
        due: The date it must be kept by, "YYYY-MM-DD" (not before `on`).
        linked_id: The record it concerns (repair, quotation, order ...), or "".
        on: The day it was made (default: today).

    Raises:
        DeskError: Unknown customer, owner or kind; empty text; due date in the past.
    """
    require(world)
    record = f"promise to customer {customer_id}"
    check_customer(world, customer_id)
    check_staff(world, owner_id, record)
    check_choice(record, "kind", kind, tuple(cat.PROMISE_KINDS))
    text = check_text(record, "text", text, "Call back with the strap price")
    on = today_or(world, on, record)
    due = check_date(record, "due", due, f'a date from {on}, e.g. "{on}"')
    if due < on:
        raise DeskError(record, "due", due, f"a date on or after {on}",
                        "a promise is due in the future: give the day it will be kept by")
    with transaction(world):
        pid = new_ids(world, "desk_promises", 1)
        world.append_rows("desk_promises", frame("desk_promises", {
            "promise_id": pid, "customer_id": [customer_id], "owner_id": [owner_id],
            "kind": [kind], "text": [text], "made_on": [on], "due": [due],
            "linked_id": [linked_id], "status": ["open"], "closed_on": [""]}))
        log_events(world, on, "promise", pid, customer_id, "made", owner_id, f"due {due}")
    return str(pid[0])


def due_promises(world: Any, on: str | None = None, owner_id: str | None = None,
                 include_overdue: bool = True) -> pd.DataFrame:
    """Open promises due on `on` (and, by default, those already overdue), soonest first.

    Adds ``days_overdue`` (0 when due today) and ``overdue`` (due before `on`).
    """
    require(world)
    on = today_or(world, on, "promises")
    p = world.tables["desk_promises"]
    keep = (p["status"] == "open").to_numpy(bool)
    due = p["due"].to_numpy(_OBJ)
    keep &= (due <= on) if include_overdue else (due == on)
    if owner_id is not None:
        keep &= (p["owner_id"] == owner_id).to_numpy(bool)
    out = p[keep].copy()
    out["days_overdue"] = np.maximum(days_between(out["due"].to_numpy(_OBJ),
                                                  np.full(len(out), on, _OBJ)), 0)
    out["overdue"] = out["days_overdue"] > 0
    return out.sort_values(["due", "promise_id"], kind="stable").reset_index(drop=True)


def overdue_promises(world: Any, on: str | None = None) -> pd.DataFrame:
    """Open promises whose due date has passed (the overdue-promises report)."""
    due = due_promises(world, on)
    return due[due["overdue"]].reset_index(drop=True)


def fulfil_promise(world: Any, promise_id: str, staff_id: str, on: str | None = None) -> str:
    """Mark a promise kept; "on time" or "late", and move satisfaction accordingly."""
    require(world)
    pos, row = row_of(world, "desk_promises", promise_id)
    record = f"promise {promise_id}"
    _check_open(record, row)
    check_staff(world, staff_id, record)
    on = today_or(world, on, record)
    if on < row["made_on"]:
        raise DeskError(record, "on", on, f"a date on or after {row['made_on']}",
                        "use the day it was kept")
    late = on > row["due"]
    with transaction(world):
        set_fields(world, "desk_promises", pos, status="fulfilled", closed_on=on)
        log_events(world, on, "promise", promise_id, row["customer_id"], "fulfilled",
                   staff_id, "late" if late else "on time")
        nudge(world, row["customer_id"],
              -cat.PROMISE_LATE_HIT if late else cat.PROMISE_KEPT_GAIN)
    return "late" if late else "on time"


def breach_promise(world: Any, promise_id: str, staff_id: str, reason: str,
                   on: str | None = None) -> None:
    """Record that a promise cannot be kept (tell the customer!); satisfaction falls."""
    require(world)
    pos, row = row_of(world, "desk_promises", promise_id)
    record = f"promise {promise_id}"
    _check_open(record, row)
    check_staff(world, staff_id, record)
    reason = check_text(record, "reason", reason, "supplier delay")
    on = today_or(world, on, record)
    with transaction(world):
        set_fields(world, "desk_promises", pos, status="breached", closed_on=on)
        log_events(world, on, "promise", promise_id, row["customer_id"], "breached",
                   staff_id, reason)
        nudge(world, row["customer_id"], -cat.PROMISE_BROKEN_HIT)


def detect_breaches(world: Any, on: str | None = None, grace_days: int = 0) -> pd.DataFrame:
    """Mark every open promise overdue by more than `grace_days` as broken; those rows.

    Vectorised: all such promises at once, each customer's satisfaction falling once per
    broken promise.
    """
    require(world)
    on = today_or(world, on, "promises")
    late = due_promises(world, on)
    late = late[late["days_overdue"] > int(grace_days)]
    if not len(late):
        return late
    p = world.tables["desk_promises"]
    hit = p["promise_id"].isin(late["promise_id"]).to_numpy(bool)
    with transaction(world):
        df = p.copy()
        df.loc[hit, "status"] = "breached"
        df.loc[hit, "closed_on"] = on
        world.tables["desk_promises"] = df.astype(world.schema["desk_promises"])
        log_events(world, on, "promise", late["promise_id"].to_numpy(_OBJ),
                   late["customer_id"].to_numpy(_OBJ), "breached", late["owner_id"]
                   .to_numpy(_OBJ), "overdue")
        nudge(world, late["customer_id"].to_numpy(_OBJ), -cat.PROMISE_BROKEN_HIT)
    return late.assign(status="breached", closed_on=on)


def close_linked_promises(world: Any, linked_id: str, on: str, staff_id: str) -> None:
    """Fulfil the open promises about one record (a repair ready, an order delivered)."""
    p = world.tables["desk_promises"]
    for pid in p.loc[(p["linked_id"] == linked_id) & (p["status"] == "open"), "promise_id"]:
        fulfil_promise(world, pid, staff_id, on)


def _check_open(record: str, row: pd.Series) -> None:
    if row["status"] != "open":
        raise DeskError(record, "status", row["status"], "'open'",
                        f"it was already {row['status']} on {row['closed_on']}; "
                        "make a new promise if something new was promised")
