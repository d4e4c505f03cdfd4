"""Enquiry -> quotation -> confirmation -> order -> delivery, and the quotation rules."""

from __future__ import annotations

import pytest

from crm_sim import desk

from .conftest import assert_unchanged, snapshot, staff_of


def _customer(world, vip: bool) -> str:
    p = world.tables["desk_customers"]
    return str(p.loc[p["vip"] == vip, "customer_id"].iloc[0])


def test_whole_chain_recorded_step_by_step(w):
    """Each step changes its record's status and leaves an audit event; delivery makes a sale."""
    sa = staff_of(w, "sales_assistant")
    c = _customer(w, vip=False)
    e = desk.record_enquiry(w, c, "W04", sa, channel="phone", on="2026-01-02")
    q = desk.issue_quote(w, e, sa, discount=0.05, valid_days=10, on="2026-01-02")
    quote = w.tables["desk_quotes"].iloc[-1]
    assert (quote["valid_until"], quote["price_hkd"]) == ("2026-01-12", round(18600 * 0.95, -1))
    desk.confirm_quote(w, q, sa, on="2026-01-05")
    o = desk.place_order(w, q, sa, on="2026-01-05")
    sale = desk.deliver_order(w, o, sa, on="2026-01-09")
    order = w.tables["desk_orders"].iloc[-1]
    assert order["status"] == "delivered" and order["serial_no"].startswith("JA-3601-")
    assert w.tables["desk_sales"].iloc[-1]["sale_id"] == sale
    actions = list(w.tables["desk_events"]["action"])
    assert actions[-6:] == ["received", "issued", "confirmed", "placed", "sold", "delivered"]
    assert desk.workflow(w, c)["order_status"].iloc[-1] == "delivered"


def test_over_approval_limit_refused_unchanged(w):
    """7 % from a sales assistant (limit 5 %) without approver: refused, nothing changes."""
    sa = staff_of(w, "sales_assistant")
    e = desk.record_enquiry(w, _customer(w, False), "W01", sa)
    before = snapshot(w)
    with pytest.raises(desk.DeskError, match="approval limit") as err:
        desk.issue_quote(w, e, sa, discount=0.07)
    assert err.value.field == "discount" and "quotation for enquiry" in err.value.record
    assert_unchanged(w, before)


def test_manager_approval_allows_larger_discount(w):
    """The same 7 % goes through when the boutique manager approves."""
    sa, bm = staff_of(w, "sales_assistant"), staff_of(w, "boutique_manager")
    e = desk.record_enquiry(w, _customer(w, False), "W01", sa)
    desk.issue_quote(w, e, sa, discount=0.07, approved_by=bm)
    assert w.tables["desk_quotes"].iloc[-1]["approved_by"] == bm


def test_approver_without_enough_limit_refused(w):
    """A colleague whose own limit is lower than the discount cannot approve it."""
    sa, cl = staff_of(w, "sales_assistant"), staff_of(w, "clienteling")
    e = desk.record_enquiry(w, _customer(w, True), "W01", sa)
    with pytest.raises(desk.DeskError, match="approved_by"):
        desk.issue_quote(w, e, sa, discount=0.10, approved_by=cl)


def test_vip_may_get_more_than_others(w):
    """12 % is possible for a VIP with the manager, not for a non-VIP."""
    bm = staff_of(w, "boutique_manager")
    e = desk.record_enquiry(w, _customer(w, True), "W01", bm)
    desk.issue_quote(w, e, bm, discount=0.12)
    e2 = desk.record_enquiry(w, _customer(w, False), "W01", bm)
    with pytest.raises(desk.DeskError, match="non-VIP"):
        desk.issue_quote(w, e2, bm, discount=0.12)


def test_limited_edition_never_discounted(w):
    """A limited edition at any discount is refused."""
    bm = staff_of(w, "boutique_manager")
    e = desk.record_enquiry(w, _customer(w, True), "W03", bm)
    with pytest.raises(desk.DeskError, match="limited"):
        desk.issue_quote(w, e, bm, discount=0.01)


@pytest.mark.parametrize("days", [0, 31, 2.5, True])
def test_validity_out_of_range_refused(w, days):
    """Validity must be whole days from 1 to 30."""
    sa = staff_of(w, "sales_assistant")
    e = desk.record_enquiry(w, _customer(w, False), "W05", sa)
    with pytest.raises(desk.DeskError, match="valid_days"):
        desk.issue_quote(w, e, sa, valid_days=days)


def test_expired_quotation_cannot_be_confirmed(w):
    """Confirming after valid_until is refused and says when it expired."""
    sa = staff_of(w, "sales_assistant")
    e = desk.record_enquiry(w, _customer(w, False), "W05", sa, on="2026-01-01")
    q = desk.issue_quote(w, e, sa, valid_days=3, on="2026-01-01")
    before = snapshot(w)
    with pytest.raises(desk.DeskError, match="expired on 2026-01-04"):
        desk.confirm_quote(w, q, sa, on="2026-01-05")
    assert_unchanged(w, before)
    assert q in desk.expire_quotes(w, on="2026-01-05")
    assert w.tables["desk_quotes"].iloc[-1]["status"] == "expired"


def test_order_needs_confirmation(w):
    """An issued but unconfirmed quotation cannot become an order."""
    sa = staff_of(w, "sales_assistant")
    e = desk.record_enquiry(w, _customer(w, False), "W05", sa)
    q = desk.issue_quote(w, e, sa)
    with pytest.raises(desk.DeskError, match="confirm it with the customer"):
        desk.place_order(w, q, sa)


def test_new_quote_withdraws_the_old_one(w):
    """Re-quoting an enquiry withdraws its earlier issued quotation."""
    sa = staff_of(w, "sales_assistant")
    e = desk.record_enquiry(w, _customer(w, False), "W05", sa)
    q1 = desk.issue_quote(w, e, sa)
    desk.issue_quote(w, e, sa, discount=0.02)
    quotes = w.tables["desk_quotes"].set_index("quote_id")
    assert quotes.loc[q1, "status"] == "withdrawn"


def test_decline_closes_enquiry(w):
    """A declined quotation closes its enquiry; it can no longer be quoted."""
    sa = staff_of(w, "sales_assistant")
    e = desk.record_enquiry(w, _customer(w, False), "W05", sa)
    q = desk.issue_quote(w, e, sa)
    desk.decline_quote(w, q, sa)
    with pytest.raises(desk.DeskError, match="enquiry status"):
        desk.issue_quote(w, e, sa)


def test_missing_quotation_named(w):
    """Confirming a quotation that does not exist names it and the fix."""
    with pytest.raises(desk.DeskError, match="quotation Q999999"):
        desk.confirm_quote(w, "Q999999", "S0001")
