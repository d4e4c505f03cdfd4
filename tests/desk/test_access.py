"""PDPO at the desk: role access, masking, the access log, retention, data access requests."""

from __future__ import annotations

import pytest

from crm_sim import desk
from crm_sim.errors import AccessDenied
from crm_sim.privacy import find_leaks

from .conftest import staff_of


def _vip(world, same_boutique_as: str, same: bool) -> str:
    p = world.tables["desk_customers"]
    match = (p["home_boutique_id"] == same_boutique_as) == same
    return str(p.loc[p["vip"] & match, "customer_id"].iloc[0])


def test_sales_assistant_reads_own_boutique_vip_note_only(w):
    """Own boutique's VIP note: readable; another boutique's: refused and logged."""
    sa = desk.desk_user(w, staff_of(w, "sales_assistant"))
    own, other = _vip(w, sa.boutique_id, True), _vip(w, sa.boutique_id, False)
    assert "vip_note" in set(desk.read_info(w, sa, own)["field"])
    listed = desk.read_info(w, sa, other)
    assert "vip_note" not in set(listed["field"]) and len(listed) > 0
    with pytest.raises(AccessDenied, match="vip_note"):
        desk.read_info(w, sa, other, fields=["vip_note"])
    log = w.tables["desk_access_log"].iloc[-1]
    assert (log["staff_id"], log["decision"], log["customer_id"], log["columns"]) == (
        sa.staff_id, "denied", other, "vip_note")


def test_repair_staff_see_only_what_a_repair_needs(w):
    """Repair staff: masked name and phone, repairs and serials; no info, no comms."""
    rp = desk.desk_user(w, staff_of(w, "repair_staff"))
    c = w.tables["desk_repairs"]["customer_id"].iloc[0]
    person = desk.read_customer(w, rp, c)
    assert set(person) == {"customer_id", "name", "phone", "preferred_language"}
    assert "*" in person["name"] and person["phone"].startswith("****")
    assert len(desk.read_table(w, rp, "desk_repairs", c)) > 0
    assert set(desk.read_table(w, rp, "desk_sales").columns) == {
        "sale_id", "customer_id", "model_id", "serial_no", "sale_date"}
    for table in ("desk_comms", "desk_quotes", "desk_complaints"):
        with pytest.raises(AccessDenied):
            desk.read_table(w, rp, table)
    assert len(desk.read_info(w, rp, c)) == 0
    with pytest.raises(AccessDenied):
        desk.read_info(w, rp, c, fields=["birthday", "budget_hkd"])
    queue = desk.read_table(w, rp, "desk_handoffs")
    assert set(queue["department"]) <= {"after_sales"}


def test_marketing_sees_only_consenting_customers_and_no_spending(w):
    """Marketing: consented customers only, no lifetime value, no budget, no sales."""
    mk = desk.desk_user(w, "D001")
    view = desk.customers_view(w, mk)
    consenting = set(w.customers.loc[w.customers["dm_consent"], "customer_id"])
    assert set(view["customer_id"]) == consenting
    assert "lifetime_value" not in view.columns and "hkid" not in view.columns
    refuser = w.customers.loc[~w.customers["dm_consent"], "customer_id"].iloc[0]
    with pytest.raises(AccessDenied):
        desk.read_customer(w, mk, refuser)
    info = desk.read_info(w, mk)
    assert set(info["classification"]) <= {"general", "personal"}
    assert set(info["customer_id"]) <= consenting
    with pytest.raises(AccessDenied):
        desk.read_table(w, mk, "desk_sales")


def test_sales_view_masks_address_and_hides_hkid(w):
    """A sales assistant's customer list shows no full address and no HKID."""
    sa = desk.desk_user(w, staff_of(w, "sales_assistant"))
    view = desk.customers_view(w, sa)
    assert "hkid" not in view.columns
    assert view["address"].str.startswith("***").all()
    assert find_leaks(view[["address"]]) == []


def test_hidden_truth_refused_to_everyone(w):
    """No role reads the hidden truth; the refusal is logged."""
    for staff in ("S0001", "D004"):
        user = desk.desk_user(w, staff)
        with pytest.raises(AccessDenied):
            desk.read_table(w, user, "desk_truth")
    assert (w.tables["desk_access_log"]["table_name"] == "desk_truth").sum() == 2


def test_access_log_only_for_dpo_and_managers(w):
    """A sales assistant may not read the access log; the DPO may, and sees every read."""
    sa = desk.desk_user(w, staff_of(w, "sales_assistant"))
    desk.read_customer(w, sa, w.customers["customer_id"].iloc[0])
    with pytest.raises(AccessDenied):
        desk.access_log(w, sa)
    log = desk.access_log(w, desk.desk_user(w, "D004"))
    assert list(log["decision"][:2]) == ["allowed", "denied"]
    assert log["on"].eq(w.today).all()


def test_data_access_request_holds_one_customer_only(w):
    """The DAR export has every table of that customer and nobody else's rows; due in 40 days."""
    c = w.tables["desk_sales"]["customer_id"].iloc[0]
    export = desk.data_access_request(w, c, "D004", on="2026-01-02")
    assert export.due == "2026-02-11"
    for name, df in export.tables.items():
        assert (df["customer_id"] == c).all(), name
    assert len(export.tables["desk_sales"]) > 0
    assert "desk_truth" not in export.tables
    assert c in export.to_json() and "<table" in export.to_html()
    ev = w.tables["desk_events"].iloc[-1]
    assert (ev["action"], ev["detail"]) == ("data access request", "due 2026-02-11")


def test_only_dpo_answers_dar_and_applies_retention(w):
    """Sales staff can neither export a customer's data nor erase it."""
    with pytest.raises(AccessDenied):
        desk.data_access_request(w, w.customers["customer_id"].iloc[0], "S0001")
    with pytest.raises(AccessDenied):
        desk.apply_retention(w, "S0001")


def test_retention_erases_inactive_customers_only(w):
    """A 24-month rule erases inactive customers' personal data, keeps busy and recent ones."""
    rule = desk.RetentionRule(inactive_months=24)
    due = desk.retention_due(w, rule=rule)
    assert len(due) > 0 and (due["months_inactive"] > 24).all()
    erased = desk.apply_retention(w, "D004", rule=rule)
    assert set(erased) == set(due["customer_id"])
    c = w.customers.set_index("customer_id")
    assert (c.loc[erased, "name"] == "[erased]").all() and (c.loc[erased, "phone"] == "").all()
    kept = c.drop(index=erased)
    assert (kept["name"] != "[erased]").all()
    info = w.tables["desk_info"]
    assert (info.loc[info["customer_id"].isin(erased), "value"] == "[erased]").all()
    assert len(desk.retention_due(w, rule=rule)) == 0
    assert desk.apply_retention(w, "D004", rule=rule) == []


def test_default_retention_erases_nobody_recent(desk_world):
    """Under the seven-year rule few customers are due; none with activity this year."""
    due = desk.retention_due(desk_world)
    assert (due["months_inactive"] > 84).all()
