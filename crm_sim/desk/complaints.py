"""Complaints: received -> acknowledged -> investigated -> resolved -> closed, with service levels.

Each step is allowed only after the one before (closing a complaint that was never
acknowledged is refused), each is dated and written to the audit trail. Service levels
(`catalogue.SERVICE_LEVELS`) say how many days acknowledging and resolving may take by
severity. Recovery actions (apology, free service, voucher ...) cost money and repair the
relationship: when a complaint is closed, the customer's satisfaction moves by how well
it was handled: answered within the service levels, with recovery enough for its
severity. A complaint handled well can leave the customer more loyal than before (the
service-recovery paradox); one handled badly costs more.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_sim.behaviour import DEFAULT_PARAMS
from crm_sim.desk import catalogue as cat
from crm_sim.desk.effects import nudge
from crm_sim.desk.errors import DeskError
from crm_sim.desk.info import check_customer, check_staff
from crm_sim.desk.tables import (
    check_choice,
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
SEVERITY_WEIGHT = {"low": 0.5, "medium": 1.0, "high": 1.5}
# state -> (date column it sets, the state it must follow)
_STEPS = {"acknowledged": ("acknowledged", "received"),
          "investigated": ("investigated", "acknowledged"),
          "resolved": ("resolved", "investigated"),
          "closed": ("closed", "resolved")}
_HOW = {"acknowledged": "acknowledge_complaint", "investigated": "investigate_complaint",
        "resolved": "resolve_complaint", "closed": "close_complaint"}


def receive_complaint(world: Any, customer_id: str, category: str, severity: str,
                      summary: str, owner_id: str, channel: str = "conversation",
                      linked_id: str = "", on: str | None = None) -> str:
    """Record a new complaint (status "received"); satisfaction falls by its severity.

    Raises:
        DeskError: Unknown customer, owner, category, severity or channel; empty summary.
    """
    require(world)
    record = f"complaint of customer {customer_id}"
    check_customer(world, customer_id)
    check_staff(world, owner_id, record)
    check_choice(record, "category", category, cat.COMPLAINT_CATEGORIES)
    check_choice(record, "severity", severity, cat.SEVERITIES)
    check_choice(record, "channel", channel, cat.COMM_CHANNELS)
    summary = check_text(record, "summary", summary, "Watch returned from service scratched")
    on = today_or(world, on, record)
    with transaction(world):
        cid = new_ids(world, "desk_complaints", 1)
        world.append_rows("desk_complaints", frame("desk_complaints", {
            "complaint_id": cid, "customer_id": [customer_id], "owner_id": [owner_id],
            "channel": [channel], "category": [category], "severity": [severity],
            "summary": [summary], "linked_id": [linked_id], "status": ["received"],
            "received": [on], "acknowledged": [""], "investigated": [""], "resolved": [""],
            "closed": [""], "finding": [""], "resolution": [""]}))
        log_events(world, on, "complaint", cid, customer_id, "received", owner_id, severity)
        nudge(world, customer_id, -DEFAULT_PARAMS.complaint_hit * SEVERITY_WEIGHT[severity])
    return str(cid[0])


def _advance(world: Any, complaint_id: str, state: str, staff_id: str, on, **fields) -> \
        pd.Series:
    require(world)
    pos, row = row_of(world, "desk_complaints", complaint_id)
    record = f"complaint {complaint_id}"
    column, before = _STEPS[state]
    if row["status"] != before:
        order = cat.COMPLAINT_STATES
        missing = order[order.index(row["status"]) + 1:order.index(state)] \
            if row["status"] in order and order.index(row["status"]) < order.index(state) \
            else ()
        fix = (f"first {', then '.join(_HOW[m] for m in missing)}" if missing
               else f"it is already {row['status']}")
        raise DeskError(record, "status", row["status"], f"{before!r} before it can be {state}",
                        fix)
    check_staff(world, staff_id, record)
    on = today_or(world, on, record)
    previous = row[before]
    if on < previous:
        raise DeskError(record, column, on, f"a date on or after {previous} ({before})",
                        "use the day it happened")
    set_fields(world, "desk_complaints", pos, status=state, **{column: on}, **fields)
    log_events(world, on, "complaint", complaint_id, row["customer_id"], state, staff_id)
    return row


def acknowledge_complaint(world: Any, complaint_id: str, staff_id: str,
                          on: str | None = None) -> None:
    """Tell the customer the complaint is being handled (service level: `SERVICE_LEVELS`)."""
    with transaction(world):
        _advance(world, complaint_id, "acknowledged", staff_id, on)


def investigate_complaint(world: Any, complaint_id: str, finding: str, staff_id: str,
                          on: str | None = None) -> None:
    """Record what the investigation found."""
    finding = check_text(f"complaint {complaint_id}", "finding", finding,
                         "The strap was fitted with the wrong spring bar")
    with transaction(world):
        _advance(world, complaint_id, "investigated", staff_id, on, finding=finding)


def resolve_complaint(world: Any, complaint_id: str, resolution: str, staff_id: str,
                      on: str | None = None) -> None:
    """Record how it was put right (add recovery actions with `add_recovery`)."""
    resolution = check_text(f"complaint {complaint_id}", "resolution", resolution,
                            "Refitted the strap free and apologised")
    with transaction(world):
        _advance(world, complaint_id, "resolved", staff_id, on, resolution=resolution)


def close_complaint(world: Any, complaint_id: str, staff_id: str,
                    on: str | None = None) -> float:
    """Close a resolved complaint; satisfaction moves by how well it was handled.

    Returns:
        The handling quality 0..1 (`handling_quality`).
    """
    with transaction(world):
        row = _advance(world, complaint_id, "closed", staff_id, on)
        quality = handling_quality(world, complaint_id)
        gain = DEFAULT_PARAMS.recovery_gain * SEVERITY_WEIGHT[row["severity"]] * quality
        # a poorly handled complaint costs perception; a well handled one builds it
        nudge(world, row["customer_id"], gain,
              cat.COMPLAINT_PERCEPTION_HIT * (2 * quality - 1))
    return quality


def add_recovery(world: Any, complaint_id: str, action: str, staff_id: str,
                 cost_hkd: float | None = None, on: str | None = None) -> str:
    """Record a recovery action (apology, free service, voucher ...) with its cost; its id.

    Allowed once the complaint is acknowledged and until it is closed.
    """
    require(world)
    pos, row = row_of(world, "desk_complaints", complaint_id)
    record = f"complaint {complaint_id}"
    check_choice(record, "action", action, tuple(cat.RECOVERY_ACTIONS))
    if row["status"] not in ("acknowledged", "investigated", "resolved"):
        fix = ("acknowledge it first" if row["status"] == "received"
               else "a closed complaint takes no more actions; open a new one if needed")
        raise DeskError(record, "status", row["status"],
                        "acknowledged, investigated or resolved", fix)
    check_staff(world, staff_id, record)
    on = today_or(world, on, record)
    cost = cat.RECOVERY_ACTIONS[action][0] if cost_hkd is None else cost_hkd
    if isinstance(cost, bool) or not isinstance(cost, int | float) or not 0 <= cost <= 1e6:
        raise DeskError(record, "cost_hkd", cost_hkd, "an amount from 0 to 1,000,000 HKD",
                        "e.g. 500")
    with transaction(world):
        rid = new_ids(world, "desk_recoveries", 1)
        world.append_rows("desk_recoveries", frame("desk_recoveries", {
            "recovery_id": rid, "complaint_id": [complaint_id],
            "customer_id": [row["customer_id"]], "action": [action],
            "cost_hkd": [float(cost)], "on": [on], "staff_id": [staff_id]}))
        log_events(world, on, "complaint", complaint_id, row["customer_id"], "recovery",
                   staff_id, action)
    return str(rid[0])


def service_levels(world: Any, on: str | None = None) -> pd.DataFrame:
    """Per complaint: days to acknowledge and resolve, their limits, met or not, overdue now.

    Columns added to complaint_id, customer_id, severity, status: ack_days, ack_limit,
    ack_met, resolve_days, resolve_limit, resolve_met, overdue (a step is late today).
    A step not yet done counts its days up to `on`.
    """
    require(world)
    on = today_or(world, on, "complaints")
    c = world.tables["desk_complaints"]
    n = len(c)
    now = np.full(n, on, _OBJ)
    limits = np.array([cat.SERVICE_LEVELS[s] for s in c["severity"]]).reshape(n, 2)
    ack_at = np.where(c["acknowledged"] == "", now, c["acknowledged"].to_numpy(_OBJ))
    res_at = np.where(c["resolved"] == "", now, c["resolved"].to_numpy(_OBJ))
    ack_days = days_between(c["received"].to_numpy(_OBJ), ack_at)
    res_days = days_between(c["received"].to_numpy(_OBJ), res_at)
    out = c[["complaint_id", "customer_id", "severity", "status"]].copy()
    out["ack_days"], out["ack_limit"] = ack_days, limits[:, 0]
    out["ack_met"] = ack_days <= limits[:, 0]
    out["resolve_days"], out["resolve_limit"] = res_days, limits[:, 1]
    out["resolve_met"] = res_days <= limits[:, 1]
    out["overdue"] = ((c["acknowledged"] == "").to_numpy(bool) & ~out["ack_met"]) | (
        (c["resolved"] == "").to_numpy(bool) & ~out["resolve_met"])
    return out.reset_index(drop=True)


def handling_quality(world: Any, complaint_id: str) -> float:
    """How well a complaint was handled, 0..1: service levels met and recovery enough.

    quality = 0.25 (acknowledged in time) + 0.25 (resolved in time)
              + 0.5 × min(1, recovery weight given / recovery its severity needs).
    """
    _, row = row_of(world, "desk_complaints", complaint_id)
    sl = service_levels(world, row["resolved"] or world.today)
    sl = sl[sl["complaint_id"] == complaint_id].iloc[0]
    r = world.tables["desk_recoveries"]
    weight = sum(cat.RECOVERY_ACTIONS[a][1] for a in r.loc[r["complaint_id"] == complaint_id,
                                                            "action"])
    enough = min(1.0, weight / cat.RECOVERY_NEEDED[row["severity"]])
    return round(0.25 * bool(sl["ack_met"]) + 0.25 * bool(sl["resolve_met"]) + 0.5 * enough, 4)


def open_complaints(world: Any, on: str | None = None) -> pd.DataFrame:
    """Complaints not closed yet, oldest first, with their service-level position."""
    sl = service_levels(world, on)
    c = world.tables["desk_complaints"]
    out = c.merge(sl.drop(columns=["customer_id", "severity", "status"]), on="complaint_id")
    return out[out["status"] != "closed"].sort_values(["received", "complaint_id"],
                                                      kind="stable").reset_index(drop=True)


def recovery_cost(world: Any, complaint_id: str | None = None) -> float:
    """HKD spent on recovery actions (for one complaint, or all)."""
    r = world.tables["desk_recoveries"]
    if complaint_id is not None:
        r = r[r["complaint_id"] == complaint_id]
    return float(r["cost_hkd"].sum())
