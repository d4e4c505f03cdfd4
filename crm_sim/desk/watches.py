"""Watches: the model catalogue, serial-numbered sales, warranties, and repairs.

A repair is received at a boutique (with the serial, the issue, whether the warranty
covers it and the date promised), handed to after-sales, completed and collected; each
step is an event in the audit trail. Receiving a repair also records the promise of the
ready date, so the promise desk sees it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_sim.desk import catalogue as cat
from crm_sim.desk.errors import DeskError
from crm_sim.desk.info import check_staff
from crm_sim.desk.tables import (
    add_days,
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
REPAIR_STATES = ("received", "in_repair", "ready", "collected")


def model_row(world: Any, model_id: str, record: str = "desk") -> pd.Series:
    """The desk_models row of `model_id`, or DeskError."""
    models = world.tables["desk_models"]
    hits = np.flatnonzero(models["model_id"].to_numpy(_OBJ) == model_id)
    if not len(hits):
        raise DeskError(record, "model_id", model_id, "a model id of desk_models",
                        f"e.g. {models['model_id'].iloc[0]} ({models['model'].iloc[0]})")
    return models.iloc[int(hits[0])]


def sale_of(world: Any, serial_no: str) -> pd.Series:
    """The sale of a watch by serial number, or DeskError."""
    require(world)
    sales = world.tables["desk_sales"]
    hits = np.flatnonzero(sales["serial_no"].to_numpy(_OBJ) == serial_no)
    if not len(hits):
        raise DeskError(f"watch {serial_no}", "serial_no", serial_no,
                        "the serial number of a watch we sold",
                        "read it from the case back or the warranty card")
    return sales.iloc[int(hits[-1])]


def warranty_of(world: Any, serial_no: str, on: str | None = None) -> dict:
    """The warranty of a watch: starts, ends, extended, and whether it covers `on`."""
    sale = sale_of(world, serial_no)
    on = today_or(world, on, f"watch {serial_no}")
    w = world.tables["desk_warranties"]
    row = w[w["serial_no"] == serial_no].iloc[-1]
    return {"serial_no": serial_no, "customer_id": sale["customer_id"],
            "starts": row["starts"], "ends": row["ends"], "extended": bool(row["extended"]),
            "covers": bool(row["starts"] <= on <= row["ends"])}


def next_serials(world: Any, model_id: str, n: int = 1) -> list[str]:
    """The next unused serial numbers of a model (reference + running number)."""
    model = model_row(world, model_id)
    ref = model["reference"]
    used = pd.concat([world.tables["desk_sales"]["serial_no"],
                      world.tables["desk_orders"]["serial_no"]])
    mine = used[used.str.startswith(ref + "-")].str.slice(len(ref) + 1)
    top = int(mine.astype(int).max()) if len(mine) else 0
    return [f"{ref}-{top + i:06d}" for i in range(1, n + 1)]


def sold_count(world: Any, model_id: str) -> int:
    """Watches of a model sold or on order (limited editions stop at edition_size)."""
    sales = (world.tables["desk_sales"]["model_id"] == model_id).sum()
    orders = world.tables["desk_orders"]
    open_orders = ((orders["model_id"] == model_id) & (orders["status"] == "placed")).sum()
    return int(sales + open_orders)


def record_sale(world: Any, customer_id: str, model_id: str, staff_id: str,
                price_hkd: float, on: str | None = None, order_id: str = "",
                extended_warranty: bool = False) -> str:
    """Record the sale of one watch with a new serial number and its warranty; sale id."""
    from crm_sim.desk.info import check_customer

    require(world)
    record = f"sale to customer {customer_id}"
    check_customer(world, customer_id)
    model = model_row(world, model_id, record)
    staff = check_staff(world, staff_id, record)
    on = today_or(world, on, record)
    if model["limited"] and not order_id and sold_count(world, model_id) >= model[
            "edition_size"]:
        raise DeskError(record, "model_id", model_id, "a model still available",
                        f"the {model['model']} edition of {model['edition_size']} is sold out")
    serial = next_serials(world, model_id)[0]
    home = world.tables["desk_customers"]
    boutique = staff["boutique_id"] or home.loc[home["customer_id"] == customer_id,
                                                "home_boutique_id"].iloc[0]
    months = int(model["warranty_months"]) + (24 if extended_warranty else 0)
    ends = (pd.Timestamp(on) + pd.DateOffset(months=months)).date().isoformat()
    with transaction(world):
        sale_id = new_ids(world, "desk_sales", 1)
        world.append_rows("desk_sales", frame("desk_sales", {
            "sale_id": sale_id, "customer_id": [customer_id], "model_id": [model_id],
            "serial_no": [serial], "boutique_id": [boutique], "staff_id": [staff_id],
            "sale_date": [on], "price_hkd": [float(price_hkd)], "order_id": [order_id]}))
        world.append_rows("desk_warranties", frame("desk_warranties", {
            "warranty_id": new_ids(world, "desk_warranties", 1), "sale_id": sale_id,
            "serial_no": [serial], "customer_id": [customer_id], "starts": [on],
            "ends": [ends], "extended": [bool(extended_warranty)]}))
        log_events(world, on, "sale", sale_id, customer_id, "sold", staff_id, serial)
    return str(sale_id[0])


def receive_repair(world: Any, serial_no: str, issue: str, staff_id: str,
                   on: str | None = None, turnaround_days: int | None = None,
                   cost_hkd: float | None = None) -> str:
    """Take a watch in for repair; records the repair, the ready-date promise and a hand-off.

    Args:
        world: A world with the desk (`open_desk`).
        serial_no: The watch's serial number (it must be one we sold).
        issue: What is wrong, e.g. "battery replacement" (a known kind sets the
            turnaround and the price; any other text needs `turnaround_days`).
        staff_id: Who took it in.
        turnaround_days: Days until ready (default: the issue's usual turnaround).
        cost_hkd: Price out of warranty (default: the issue's usual price).
        on: The day it was taken in (default: today).

    Returns:
        The repair id.
    """
    from crm_sim.desk.liaison import hand_off
    from crm_sim.desk.promises import make_promise

    sale = sale_of(world, serial_no)
    record = f"repair of watch {serial_no}"
    issue = check_text(record, "issue", issue, "battery replacement")
    check_staff(world, staff_id, record)
    on = today_or(world, on, record)
    known = {k[0]: k for k in cat.REPAIR_KINDS}
    if turnaround_days is None:
        if issue not in known:
            raise DeskError(record, "turnaround_days", None, "a number of days (1 to 90)",
                            f"give turnaround_days, or use a known issue: {list(known)}")
        turnaround_days = known[issue][1]
    if isinstance(turnaround_days, bool) or not isinstance(turnaround_days, int | np.integer) \
            or not 1 <= int(turnaround_days) <= 90:
        raise DeskError(record, "turnaround_days", turnaround_days, "whole days from 1 to 90",
                        "e.g. 14")
    covered = warranty_of(world, serial_no, on)["covers"]
    paid = issue in ("battery replacement", "strap replacement")
    price = cost_hkd if cost_hkd is not None else (known[issue][2] if issue in known else 0.0)
    cost = 0.0 if covered and not paid else float(price)
    ready = add_days(on, int(turnaround_days))
    home = world.tables["desk_customers"]
    boutique = home.loc[home["customer_id"] == sale["customer_id"], "home_boutique_id"].iloc[0]
    with transaction(world):
        rid = new_ids(world, "desk_repairs", 1)
        world.append_rows("desk_repairs", frame("desk_repairs", {
            "repair_id": rid, "customer_id": [sale["customer_id"]], "serial_no": [serial_no],
            "model_id": [sale["model_id"]], "boutique_id": [boutique], "issue": [issue],
            "received": [on], "promised_ready": [ready], "completed": [""], "collected": [""],
            "status": ["received"], "under_warranty": [covered], "cost_hkd": [cost]}))
        log_events(world, on, "repair", rid, sale["customer_id"], "received", staff_id, issue)
        make_promise(world, sale["customer_id"], staff_id, "repair_ready",
                     f"Watch {serial_no} ready by {ready}", ready, linked_id=str(rid[0]), on=on)
        hand_off(world, "repair_ticket", str(rid[0]), staff_id, on=on)
    return str(rid[0])


def advance_repair(world: Any, repair_id: str, status: str, staff_id: str,
                   on: str | None = None) -> None:
    """Move a repair one step: received -> in_repair -> ready -> collected.

    Ready sets `completed`; collected sets `collected` and fulfils the ready-date promise
    (on time or late, by the date it was completed).
    """
    from crm_sim.desk.promises import close_linked_promises

    require(world)
    pos, row = row_of(world, "desk_repairs", repair_id)
    record = f"repair {repair_id}"
    check_staff(world, staff_id, record)
    on = today_or(world, on, record)
    current = row["status"]
    step = REPAIR_STATES.index(current) + 1 if current in REPAIR_STATES else len(REPAIR_STATES)
    if step >= len(REPAIR_STATES) or status != REPAIR_STATES[step]:
        allowed = REPAIR_STATES[step] if step < len(REPAIR_STATES) else "nothing (collected)"
        raise DeskError(record, "status", status, f"{allowed!r} (it is {current!r})",
                        "move a repair one step at a time: received, in_repair, ready, "
                        "collected")
    if on < row["received"]:
        raise DeskError(record, "on", on, f"a date on or after {row['received']}",
                        "use the day it happened")
    changes: dict[str, Any] = {"status": status}
    if status == "ready":
        changes["completed"] = on
    if status == "collected":
        changes["collected"] = on
    with transaction(world):
        set_fields(world, "desk_repairs", pos, **changes)
        log_events(world, on, "repair", repair_id, row["customer_id"], status, staff_id)
        if status == "ready":
            close_linked_promises(world, repair_id, on, staff_id)


def turnaround(world: Any, on: str | None = None) -> pd.DataFrame:
    """Per repair: days promised, days taken (so far, if not ready), and whether it is late.

    A repair is late when it was completed after its promised date, or is still not
    ready after it.
    """
    require(world)
    on = today_or(world, on, "repairs")
    r = world.tables["desk_repairs"]
    done = r["completed"].to_numpy(object)
    end = np.where(done == "", on, done)
    out = r[["repair_id", "customer_id", "serial_no", "issue", "status"]].copy()
    out["promised_days"] = days_between(r["received"].to_numpy(object),
                                        r["promised_ready"].to_numpy(object))
    out["days_taken"] = days_between(r["received"].to_numpy(object), end)
    out["late"] = out["days_taken"] > out["promised_days"]
    return out.reset_index(drop=True)


def servicing_history(world: Any, customer_id: str) -> pd.DataFrame:
    """Every repair and service of a customer's watches, oldest first."""
    require(world)
    r = world.tables["desk_repairs"]
    return r[r["customer_id"] == customer_id].reset_index(drop=True)


def customer_watches(world: Any, customer_id: str, on: str | None = None) -> pd.DataFrame:
    """The watches a customer bought, with model, serial and whether still under warranty."""
    require(world)
    on = today_or(world, on, f"customer {customer_id}")
    s = world.tables["desk_sales"]
    s = s[s["customer_id"] == customer_id]
    w = world.tables["desk_warranties"][["sale_id", "ends"]]
    m = world.tables["desk_models"][["model_id", "brand", "model"]]
    out = s.merge(m, on="model_id", how="left").merge(w, on="sale_id", how="left")
    out["under_warranty"] = (out["ends"] >= on).astype(bool)
    return out.reset_index(drop=True)
