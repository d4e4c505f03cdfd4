"""Watches: serial numbers, warranties and the repair workflow."""

from __future__ import annotations

import pytest

from crm_sim import desk

from .conftest import assert_unchanged, snapshot


def test_sale_gets_next_serial_and_warranty(w):
    """A sale takes the model's next serial and opens a warranty from the sale date."""
    c = w.customers["customer_id"].iloc[1]
    sale = desk.record_sale(w, c, "W01", "S0001", 48800.0, on="2026-01-02",
                            extended_warranty=True)
    row = w.tables["desk_sales"].iloc[-1]
    assert row["sale_id"] == sale and row["serial_no"].startswith("HC-4201-")
    assert w.tables["desk_sales"]["serial_no"].is_unique
    war = desk.warranty_of(w, row["serial_no"], on="2026-06-01")
    assert war["covers"] and war["ends"] == "2030-01-02" and war["extended"]


def test_repair_workflow_with_promise_and_hand_off(w):
    """Receiving a repair records it, a ready-date promise and a ticket to after-sales."""
    serial = w.tables["desk_sales"]["serial_no"].iloc[-1]
    rid = desk.receive_repair(w, serial, "battery replacement", "S0001", on="2026-01-02")
    p = w.tables["desk_promises"].iloc[-1]
    assert (p["linked_id"], p["kind"], p["due"]) == (rid, "repair_ready", "2026-01-03")
    h = w.tables["desk_handoffs"].iloc[-1]
    assert (h["linked_id"], h["department"], h["status"]) == (rid, "after_sales", "sent")
    desk.advance_repair(w, rid, "in_repair", "S0001", on="2026-01-02")
    desk.advance_repair(w, rid, "ready", "S0001", on="2026-01-03")
    assert w.tables["desk_promises"].iloc[-1]["status"] == "fulfilled"
    desk.advance_repair(w, rid, "collected", "S0001", on="2026-01-04")
    r = w.tables["desk_repairs"].iloc[-1]
    assert (r["status"], r["completed"], r["collected"]) == ("collected", "2026-01-03",
                                                             "2026-01-04")


def test_repair_step_out_of_order_refused(w):
    """Jumping from received to collected is refused and changes nothing."""
    serial = w.tables["desk_sales"]["serial_no"].iloc[0]
    rid = desk.receive_repair(w, serial, "crystal replacement", "S0001")
    before = snapshot(w)
    with pytest.raises(desk.DeskError, match="in_repair"):
        desk.advance_repair(w, rid, "collected", "S0001")
    assert_unchanged(w, before)


def test_unknown_serial_and_unknown_issue(w):
    """An unknown serial is refused; an unusual issue needs a turnaround."""
    with pytest.raises(desk.DeskError, match="serial_no"):
        desk.receive_repair(w, "XX-0000-000000", "battery replacement", "S0001")
    serial = w.tables["desk_sales"]["serial_no"].iloc[0]
    with pytest.raises(desk.DeskError, match="turnaround_days"):
        desk.receive_repair(w, serial, "bezel rattles", "S0001")
    rid = desk.receive_repair(w, serial, "bezel rattles", "S0001", turnaround_days=12)
    assert w.tables["desk_repairs"].iloc[-1]["repair_id"] == rid


def test_repair_under_warranty_is_free(w):
    """A full service under warranty costs nothing; a battery always costs its price."""
    c = w.customers["customer_id"].iloc[2]
    desk.record_sale(w, c, "W01", "S0001", 48800.0, on="2026-01-01")
    serial = w.tables["desk_sales"]["serial_no"].iloc[-1]
    desk.receive_repair(w, serial, "full service of the movement", "S0001", on="2026-01-02")
    assert w.tables["desk_repairs"]["cost_hkd"].iloc[-1] == 0.0
    desk.receive_repair(w, serial, "battery replacement", "S0001", on="2026-01-02")
    assert w.tables["desk_repairs"]["cost_hkd"].iloc[-1] == 180.0


def test_turnaround_flags_late_repairs(w):
    """A repair completed after its promised date, or still open past it, is late."""
    serial = w.tables["desk_sales"]["serial_no"].iloc[0]
    quick = desk.receive_repair(w, serial, "battery replacement", "S0001", on="2026-01-02")
    slow = desk.receive_repair(w, serial, "strap replacement", "S0001", on="2026-01-02")
    desk.advance_repair(w, quick, "in_repair", "S0001", on="2026-01-02")
    desk.advance_repair(w, quick, "ready", "S0001", on="2026-01-03")
    t = desk.turnaround(w, on="2026-01-10").set_index("repair_id")
    assert (t.loc[quick, "days_taken"], t.loc[quick, "late"]) == (1, False)
    assert (t.loc[slow, "promised_days"], t.loc[slow, "days_taken"], t.loc[slow, "late"]) == (
        3, 8, True)
