"""Hand-offs: each department gets exactly its fields, in order of status."""

from __future__ import annotations

import pytest

from crm_sim import desk
from crm_sim.desk import catalogue as cat
from crm_sim.privacy import find_leaks

from .conftest import assert_unchanged, snapshot

FORBIDDEN = ("budget", "vip_note", "hkid", "lifetime_value", "email")


def test_repair_ticket_carries_only_what_a_repair_needs(desk_world):
    """A repair ticket's payload has exactly its fields; no phone, budget, note or HKID."""
    h = desk_world.tables["desk_handoffs"].iloc[0]
    payload = desk.handoff_payload(desk_world, h["handoff_id"])
    assert list(payload) == list(cat.HANDOFF_KINDS["repair_ticket"][1])
    assert not any(word in key for key in payload for word in FORBIDDEN)
    assert "*" in payload["phone_masked"] and "*" in payload["name_masked"]
    import pandas as pd
    assert find_leaks(pd.DataFrame([payload])) == []


def test_delivery_to_logistics_and_status_steps(w):
    """A delivery goes to logistics with address but no price; sent -> accepted -> done."""
    q = w.tables["desk_quotes"]
    e = desk.record_enquiry(w, w.customers["customer_id"].iloc[4], "W05", "S0001")
    qid = desk.issue_quote(w, e, "S0001")
    desk.confirm_quote(w, qid, "S0001")
    oid = desk.place_order(w, qid, "S0001")
    assert len(q) < len(w.tables["desk_quotes"])
    hid = desk.hand_off(w, "delivery", oid, "S0001")
    payload = desk.handoff_payload(w, hid)
    assert "address" in payload and "price_hkd" not in payload
    assert hid in set(desk.department_queue(w, "logistics")["handoff_id"])
    with pytest.raises(desk.DeskError, match="accepted"):
        desk.update_handoff(w, hid, "done", "D003")
    desk.update_handoff(w, hid, "accepted", "D003")
    desk.update_handoff(w, hid, "done", "D003")
    assert hid not in set(desk.department_queue(w, "logistics")["handoff_id"])


def test_invitation_needs_marketing_consent(w):
    """Inviting a customer without direct-marketing consent is refused, unchanged."""
    c = w.customers
    no = c.loc[~c["dm_consent"], "customer_id"].iloc[0]
    yes = c.loc[c["dm_consent"], "customer_id"].iloc[0]
    before = snapshot(w)
    with pytest.raises(desk.DeskError, match="35E"):
        desk.hand_off(w, "event_invitation", no, "S0001")
    assert_unchanged(w, before)
    hid = desk.hand_off(w, "event_invitation", yes, "S0001")
    assert set(desk.handoff_payload(w, hid)) == set(cat.HANDOFF_KINDS["event_invitation"][1])


def test_unknown_kind_and_record(w):
    """An unknown kind or a missing linked record is refused."""
    with pytest.raises(desk.DeskError, match="kind"):
        desk.hand_off(w, "gossip", "RP000001", "S0001")
    with pytest.raises(desk.DeskError, match="RP999999"):
        desk.hand_off(w, "repair_ticket", "RP999999", "S0001")
