"""Hand-offs to other departments with only the information they need.

A repair ticket goes to after-sales, a delivery to logistics, an invoice to finance, an
event invitation to marketing. Each kind has a fixed list of fields
(`catalogue.HANDOFF_KINDS`); the payload is built from the records and holds those and
nothing else: no budget, VIP note, HKID or spending leaves the desk (PDPO DPP1, DPP3).
An event invitation needs the customer's direct-marketing consent (PDPO s.35E).
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from crm_sim.desk import catalogue as cat
from crm_sim.desk.errors import DeskError
from crm_sim.desk.info import check_customer, check_staff, important_info
from crm_sim.desk.tables import (
    check_choice,
    frame,
    log_events,
    new_ids,
    require,
    row_of,
    set_fields,
    today_or,
    transaction,
)
from crm_sim.privacy import mask_name, mask_phone


def _customer(world: Any, customer_id: str) -> pd.Series:
    c = world.customers
    return c[c["customer_id"] == customer_id].iloc[0]


def _model_name(world: Any, model_id: str) -> str:
    m = world.tables["desk_models"]
    return str(m.loc[m["model_id"] == model_id, "model"].iloc[0])


def build_payload(world: Any, kind: str, linked_id: str) -> dict[str, str]:
    """Exactly the fields department `kind` is sent, from the linked record."""
    check_choice("hand-off", "kind", kind, tuple(cat.HANDOFF_KINDS))
    record = f"{kind} hand-off"
    if kind == "repair_ticket":
        _, r = row_of(world, "desk_repairs", linked_id)
        person = _customer(world, r["customer_id"])
        facts = {"customer_id": r["customer_id"], "name_masked": mask_name(person["name"]),
                 "phone_masked": mask_phone(person["phone"]), "serial_no": r["serial_no"],
                 "model": _model_name(world, r["model_id"]), "issue": r["issue"],
                 "under_warranty": "yes" if r["under_warranty"] else "no",
                 "promised_ready": r["promised_ready"]}
    elif kind in ("delivery", "invoice"):
        _, o = row_of(world, "desk_orders", linked_id)
        person = _customer(world, o["customer_id"])
        facts = {"customer_id": o["customer_id"], "name": person["name"],
                 "phone": person["phone"], "address": person["address"],
                 "company": person["company"], "order_id": linked_id,
                 "model": _model_name(world, o["model_id"]), "serial_no": o["serial_no"],
                 "price_hkd": f"{float(o['price_hkd']):.2f}"}
    else:
        customer_id = check_customer(world, linked_id)
        person = _customer(world, customer_id)
        if not bool(person["dm_consent"]):
            raise DeskError(record, "dm_consent", False, "True (the customer agreed to "
                            "direct marketing)", "invite only customers who consented "
                            "(PDPO s.35E); ask for consent first")
        info = important_info(world, customer_id)
        brands = info.loc[info["field"] == "preferred_brands", "value"]
        facts = {"customer_id": customer_id, "name": person["name"],
                 "preferred_channel": person["preferred_channel"],
                 "preferred_language": person["preferred_language"],
                 "preferred_brands": str(brands.iloc[0]) if len(brands) else ""}
    return {k: str(facts[k]) for k in cat.HANDOFF_KINDS[kind][1]}


def hand_off(world: Any, kind: str, linked_id: str, from_staff_id: str,
             on: str | None = None) -> str:
    """Send a record to the department that acts on it; the hand-off id (status "sent").

    Args:
        world: A world with the desk (`open_desk`).
        kind: repair_ticket (linked_id: a repair), delivery or invoice (an order),
            event_invitation (a customer id).
        linked_id: The record handed over.
        from_staff_id: Who hands it over.
        on: The day (default: today).
    """
    require(world)
    payload = build_payload(world, kind, linked_id)
    record = f"{kind} hand-off of {linked_id}"
    check_staff(world, from_staff_id, record)
    on = today_or(world, on, record)
    department = cat.HANDOFF_KINDS[kind][0]
    with transaction(world):
        hid = new_ids(world, "desk_handoffs", 1)
        world.append_rows("desk_handoffs", frame("desk_handoffs", {
            "handoff_id": hid, "customer_id": [payload["customer_id"]], "kind": [kind],
            "department": [department], "from_staff_id": [from_staff_id],
            "linked_id": [linked_id], "payload": [json.dumps(payload, ensure_ascii=False)],
            "created": [on], "status": ["sent"], "updated": [on]}))
        log_events(world, on, "hand-off", hid, payload["customer_id"], "sent", from_staff_id,
                   department)
    return str(hid[0])


def update_handoff(world: Any, handoff_id: str, status: str, staff_id: str,
                   on: str | None = None) -> None:
    """Move a hand-off one step: sent -> accepted -> done."""
    require(world)
    pos, h = row_of(world, "desk_handoffs", handoff_id)
    record = f"hand-off {handoff_id}"
    states = cat.HANDOFF_STATES
    step = states.index(h["status"]) + 1
    if step >= len(states) or status != states[step]:
        nxt = states[step] if step < len(states) else "nothing (done)"
        raise DeskError(record, "status", status, f"{nxt!r} (it is {h['status']!r})",
                        "sent, then accepted, then done")
    check_staff(world, staff_id, record)
    on = today_or(world, on, record)
    with transaction(world):
        set_fields(world, "desk_handoffs", pos, status=status, updated=on)
        log_events(world, on, "hand-off", handoff_id, h["customer_id"], status, staff_id)


def handoff_payload(world: Any, handoff_id: str) -> dict[str, str]:
    """What the department received, as a dict."""
    _, h = row_of(world, "desk_handoffs", handoff_id)
    return json.loads(h["payload"])


def department_queue(world: Any, department: str) -> pd.DataFrame:
    """A department's hand-offs not yet done, oldest first (what it sees: payloads only)."""
    check_choice("hand-offs", "department", department, cat.DEPARTMENTS)
    h = world.tables["desk_handoffs"]
    h = h[(h["department"] == department) & (h["status"] != "done")]
    return h[["handoff_id", "kind", "linked_id", "payload", "created", "status"]].reset_index(
        drop=True)
