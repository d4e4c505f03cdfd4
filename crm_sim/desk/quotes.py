"""Enquiry -> quotation -> confirmation -> order -> delivery, every step recorded.

Rules a quotation must keep (company policy, `crm_sim.desk.catalogue`):

* validity from 1 to `MAX_VALIDITY_DAYS` days (default `QUOTE_VALIDITY_DAYS`);
* a discount from 0 to `MAX_DISCOUNT`; none on a limited edition;
* a discount above the quoting staff member's approval limit needs an approver whose
  limit covers it (`approved_by`); without one it is refused ("over the approval limit");
* a VIP may be offered `VIP_EXTRA_DISCOUNT` more than others, still within those limits;
* a quotation is confirmed only while valid; an order only from a confirmed quotation;
* a limited edition is never ordered beyond its edition size.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_sim.desk import catalogue as cat
from crm_sim.desk.errors import DeskError
from crm_sim.desk.info import check_customer, check_staff
from crm_sim.desk.tables import (
    add_days,
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
from crm_sim.desk.watches import model_row, record_sale, sold_count

_OBJ = object


def record_enquiry(world: Any, customer_id: str, model_id: str, staff_id: str,
                   channel: str = "conversation", note: str = "",
                   on: str | None = None) -> str:
    """Record a customer's enquiry about a model; its id (status "open")."""
    require(world)
    record = f"enquiry of customer {customer_id}"
    check_customer(world, customer_id)
    model_row(world, model_id, record)
    check_staff(world, staff_id, record)
    check_choice(record, "channel", channel, cat.COMM_CHANNELS)
    on = today_or(world, on, record)
    with transaction(world):
        eid = new_ids(world, "desk_enquiries", 1)
        world.append_rows("desk_enquiries", frame("desk_enquiries", {
            "enquiry_id": eid, "customer_id": [customer_id], "model_id": [model_id],
            "staff_id": [staff_id], "received": [on], "channel": [channel],
            "note": [str(note)], "status": ["open"]}))
        log_events(world, on, "enquiry", eid, customer_id, "received", staff_id, model_id)
    return str(eid[0])


def discount_allowed(world: Any, customer_id: str, model_id: str, staff_id: str) -> float:
    """The largest discount `staff_id` may give this customer on this model unapproved."""
    model = model_row(world, model_id)
    if model["limited"]:
        return 0.0
    limit = float(check_staff(world, staff_id)["approval_limit"])
    return min(limit, cat.MAX_DISCOUNT)


def issue_quote(world: Any, enquiry_id: str, staff_id: str, discount: float = 0.0,
                valid_days: int = cat.QUOTE_VALIDITY_DAYS, approved_by: str = "",
                on: str | None = None) -> str:
    """Quote a price for an enquiry; the quotation id (status "issued").

    Args:
        world: A world with the desk (`open_desk`).
        enquiry_id: The open enquiry being answered.
        staff_id: Who quotes.
        discount: Share off the list price, e.g. 0.05 for 5 %.
        valid_days: Days the price holds (1 .. MAX_VALIDITY_DAYS).
        approved_by: Staff id of the approver when the discount is above your limit.
        on: Day issued (default: today).

    Raises:
        DeskError: Closed enquiry; discount out of range, on a limited edition, or over
            the approval limit without a good approver; validity out of range.
    """
    require(world)
    pos, enq = row_of(world, "desk_enquiries", enquiry_id)
    record = f"quotation for enquiry {enquiry_id}"
    if enq["status"] not in ("open", "quoted"):
        raise DeskError(record, "enquiry status", enq["status"], "'open' or 'quoted'",
                        "record a new enquiry for this customer")
    staff = check_staff(world, staff_id, record)
    on = today_or(world, on, record)
    if on < enq["received"]:
        raise DeskError(record, "on", on, f"a date on or after {enq['received']}",
                        "quote on or after the day of the enquiry")
    if isinstance(valid_days, bool) or not isinstance(valid_days, int | np.integer) or not (
            1 <= valid_days <= cat.MAX_VALIDITY_DAYS):
        raise DeskError(record, "valid_days", valid_days,
                        f"whole days from 1 to {cat.MAX_VALIDITY_DAYS}",
                        f"e.g. {cat.QUOTE_VALIDITY_DAYS}")
    if isinstance(discount, bool) or not isinstance(discount, int | float) or not (
            0 <= discount <= cat.MAX_DISCOUNT):
        raise DeskError(record, "discount", discount, f"a share from 0 to {cat.MAX_DISCOUNT}",
                        "e.g. 0.05 for 5 %")
    model = model_row(world, enq["model_id"], record)
    if model["limited"] and discount > 0:
        raise DeskError(record, "discount", discount, "0 (limited editions sell at list price)",
                        "quote the list price")
    profile = world.tables["desk_customers"]
    vip = bool(profile.loc[profile["customer_id"] == enq["customer_id"], "vip"].iloc[0])
    ceiling = cat.MAX_DISCOUNT if vip else cat.MAX_DISCOUNT - cat.VIP_EXTRA_DISCOUNT
    if discount > ceiling + 1e-12:
        raise DeskError(record, "discount", discount, f"at most {ceiling:.2f} for a non-VIP",
                        f"lower it to {ceiling:.2f} or less")
    limit = float(staff["approval_limit"])
    if discount > limit + 1e-12:
        if not approved_by:
            raise DeskError(record, "discount", discount,
                            f"at most {limit:.2f} without approval (over the approval limit "
                            f"of {staff['desk_role']} {staff_id})",
                            "lower the discount or name an approver (approved_by) whose "
                            "limit covers it, such as the boutique manager")
        approver = check_staff(world, approved_by, record)
        if float(approver["approval_limit"]) + 1e-12 < discount or approved_by == staff_id:
            raise DeskError(record, "approved_by", approved_by,
                            f"a colleague whose approval limit is at least {discount:.2f}",
                            "ask the boutique manager to approve")
    list_price = float(model["price_hkd"])
    price = round(list_price * (1 - discount), -1)
    quotes = world.tables["desk_quotes"]
    superseded = quotes.index[(quotes["enquiry_id"] == enquiry_id)
                              & (quotes["status"] == "issued")]
    with transaction(world):
        for old in superseded:
            set_fields(world, "desk_quotes", int(old), status="withdrawn")
            log_events(world, on, "quotation", quotes.at[old, "quote_id"], enq["customer_id"],
                       "withdrawn", staff_id, "superseded")
        qid = new_ids(world, "desk_quotes", 1)
        world.append_rows("desk_quotes", frame("desk_quotes", {
            "quote_id": qid, "enquiry_id": [enquiry_id], "customer_id": [enq["customer_id"]],
            "model_id": [enq["model_id"]], "staff_id": [staff_id], "issued": [on],
            "valid_until": [add_days(on, valid_days)], "list_price": [list_price],
            "discount": [float(discount)], "price_hkd": [price], "approved_by": [approved_by],
            "status": ["issued"], "confirmed_on": [""]}))
        set_fields(world, "desk_enquiries", pos, status="quoted")
        log_events(world, on, "quotation", qid, enq["customer_id"], "issued", staff_id,
                   f"{price:.0f} HKD, {discount:.0%} off")
    return str(qid[0])


def confirm_quote(world: Any, quote_id: str, staff_id: str, on: str | None = None) -> None:
    """The customer accepts the quotation (only while it is valid)."""
    require(world)
    pos, q = row_of(world, "desk_quotes", quote_id)
    record = f"quotation {quote_id}"
    check_staff(world, staff_id, record)
    on = today_or(world, on, record)
    if q["status"] != "issued":
        raise DeskError(record, "status", q["status"], "'issued'",
                        "only an issued quotation can be confirmed; issue a new one")
    if on > q["valid_until"]:
        raise DeskError(record, "valid_until", q["valid_until"], f"on or after {on}",
                        f"it expired on {q['valid_until']}: issue a new quotation")
    if on < q["issued"]:
        raise DeskError(record, "on", on, f"a date on or after {q['issued']}",
                        "use the day the customer accepted")
    with transaction(world):
        set_fields(world, "desk_quotes", pos, status="confirmed", confirmed_on=on)
        log_events(world, on, "quotation", quote_id, q["customer_id"], "confirmed", staff_id)


def decline_quote(world: Any, quote_id: str, staff_id: str, on: str | None = None) -> None:
    """The customer turns the quotation down; the enquiry is closed."""
    require(world)
    pos, q = row_of(world, "desk_quotes", quote_id)
    record = f"quotation {quote_id}"
    check_staff(world, staff_id, record)
    on = today_or(world, on, record)
    if q["status"] not in ("issued", "confirmed"):
        raise DeskError(record, "status", q["status"], "'issued' or 'confirmed'",
                        "it is already closed")
    epos, _ = row_of(world, "desk_enquiries", q["enquiry_id"])
    with transaction(world):
        set_fields(world, "desk_quotes", pos, status="declined")
        set_fields(world, "desk_enquiries", epos, status="closed")
        log_events(world, on, "quotation", quote_id, q["customer_id"], "declined", staff_id)


def expire_quotes(world: Any, on: str | None = None) -> list[str]:
    """Mark every issued quotation past its validity as expired; their ids."""
    require(world)
    on = today_or(world, on, "quotations")
    q = world.tables["desk_quotes"]
    hit = ((q["status"] == "issued") & (q["valid_until"] < on)).to_numpy(bool)
    if not hit.any():
        return []
    with transaction(world):
        df = q.copy()
        df.loc[hit, "status"] = "expired"
        world.tables["desk_quotes"] = df.astype(world.schema["desk_quotes"])
        log_events(world, on, "quotation", q["quote_id"].to_numpy(_OBJ)[hit],
                   q["customer_id"].to_numpy(_OBJ)[hit], "expired", "",
                   q["valid_until"].to_numpy(_OBJ)[hit])
    return list(q["quote_id"].to_numpy(_OBJ)[hit])


def place_order(world: Any, quote_id: str, staff_id: str, on: str | None = None) -> str:
    """Turn a confirmed quotation into an order; the order id (status "placed")."""
    require(world)
    pos, q = row_of(world, "desk_quotes", quote_id)
    record = f"order from quotation {quote_id}"
    staff = check_staff(world, staff_id, record)
    on = today_or(world, on, record)
    if q["status"] != "confirmed":
        fix = ("confirm it with the customer first (confirm_quote)" if q["status"] == "issued"
               else "issue and confirm a new quotation")
        raise DeskError(record, "status", q["status"], "'confirmed'", fix)
    model = model_row(world, q["model_id"], record)
    if model["limited"] and sold_count(world, q["model_id"]) >= model["edition_size"]:
        raise DeskError(record, "model_id", q["model_id"], "a model still available",
                        f"the edition of {model['edition_size']} is sold out; offer another")
    profile = world.tables["desk_customers"]
    boutique = staff["boutique_id"] or profile.loc[
        profile["customer_id"] == q["customer_id"], "home_boutique_id"].iloc[0]
    with transaction(world):
        oid = new_ids(world, "desk_orders", 1)
        world.append_rows("desk_orders", frame("desk_orders", {
            "order_id": oid, "quote_id": [quote_id], "customer_id": [q["customer_id"]],
            "model_id": [q["model_id"]], "staff_id": [staff_id], "boutique_id": [boutique],
            "ordered_on": [on], "price_hkd": [float(q["price_hkd"])], "serial_no": [""],
            "status": ["placed"]}))
        set_fields(world, "desk_quotes", pos, status="ordered")
        log_events(world, on, "order", oid, q["customer_id"], "placed", staff_id, quote_id)
    return str(oid[0])


def deliver_order(world: Any, order_id: str, staff_id: str, on: str | None = None,
                  extended_warranty: bool = False) -> str:
    """Hand the watch over: the order is delivered, a serial-numbered sale and warranty made.

    Returns:
        The sale id.
    """
    from crm_sim.desk.promises import close_linked_promises

    require(world)
    pos, o = row_of(world, "desk_orders", order_id)
    record = f"order {order_id}"
    check_staff(world, staff_id, record)
    on = today_or(world, on, record)
    if o["status"] != "placed":
        raise DeskError(record, "status", o["status"], "'placed'", "it was already delivered")
    if on < o["ordered_on"]:
        raise DeskError(record, "on", on, f"a date on or after {o['ordered_on']}",
                        "use the day the watch was handed over")
    with transaction(world):
        sale_id = record_sale(world, o["customer_id"], o["model_id"], staff_id,
                              float(o["price_hkd"]), on, order_id=order_id,
                              extended_warranty=extended_warranty)
        serial = world.tables["desk_sales"]["serial_no"].iloc[-1]
        set_fields(world, "desk_orders", pos, status="delivered", serial_no=serial)
        log_events(world, on, "order", order_id, o["customer_id"], "delivered", staff_id,
                   serial)
        close_linked_promises(world, order_id, on, staff_id)
    return sale_id


def workflow(world: Any, customer_id: str) -> pd.DataFrame:
    """A customer's enquiries with their quotations and orders side by side."""
    check_customer(world, customer_id)
    e = world.tables["desk_enquiries"]
    e = e[e["customer_id"] == customer_id]
    q = world.tables["desk_quotes"].drop(columns=["customer_id", "model_id", "staff_id"])
    o = world.tables["desk_orders"][["order_id", "quote_id", "ordered_on", "serial_no",
                                     "status"]].rename(columns={"status": "order_status"})
    out = e.merge(q.rename(columns={"status": "quote_status"}), on="enquiry_id", how="left")
    return out.merge(o, on="quote_id", how="left").reset_index(drop=True)
