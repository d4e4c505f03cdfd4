"""The records desk driven from code: inbox, customer, records, workflows, search, value."""

from __future__ import annotations

import json

import pytest

from crm_sim import desk
from crm_sim.errors import AccessDenied
from crm_sim.scenario import Scenario
from crm_sim.ui.records_desk import RecordsDesk
from crm_sim.world import World


@pytest.fixture(scope="module")
def base_world() -> World:
    """A small watch retailer with its desk, built once."""
    return desk.open_desk(World.build(Scenario(seed=8, n_customers=200, industry="timepiece")))


def _staff(world, role):
    s = world.tables["desk_staff"]
    return str(s.loc[s["desk_role"] == role, "staff_id"].iloc[0])


@pytest.fixture
def counter(base_world) -> RecordsDesk:
    """A sales assistant's desk on a fresh copy, working on 2026-01-02."""
    world = base_world.copy()
    return RecordsDesk(world, _staff(world, "sales_assistant"), on="2026-01-02")


def test_inbox_lists_the_days_work(counter):
    """The inbox shows due promises, open complaints and today's contacts once recorded."""
    c = counter.world.customers["customer_id"].iloc[0]
    counter.promise(c, "call_back", "Call with strap price", "2026-01-02")
    counter.record_contact(c, "phone", "Asked about straps.")
    box = counter.inbox()
    assert list(box.columns) == ["kind", "record_id", "customer_id", "when", "what"]
    assert {"promise due", "contact today"} <= set(box["kind"])
    assert "Call with strap price" in counter._inbox.value


def test_open_customer_shows_timeline_and_information(counter):
    """Opening a customer shows their details, information and timeline."""
    c = counter.world.tables["desk_sales"]["customer_id"].iloc[0]
    page = counter.open_customer(c)
    assert "Timeline" in page and "Important information" in page and c in page


def test_repair_staff_desk_hides_what_a_repair_does_not_need(base_world):
    """On a repair desk the customer's name is masked and searching contacts is refused."""
    world = base_world.copy()
    bench = RecordsDesk(world, _staff(world, "repair_staff"))
    c = world.tables["desk_sales"]["customer_id"].iloc[0]
    page = bench.open_customer(c)
    name = world.customers.set_index("customer_id").loc[c, "name"]
    assert name not in page and "*" in page and "communication" not in page
    with pytest.raises(AccessDenied):
        bench.search("watch")


def test_quotation_workflow_and_value(counter):
    """Quote, confirm, order, deliver: each is a record in value, as plain data."""
    c = counter.world.customers["customer_id"].iloc[3]
    q = counter.quote(c, "W05", discount=0.03, valid_days=7)
    counter.confirm(q)
    o = counter.order(q)
    sale = counter.deliver(o)
    kinds = [r["type"] for r in counter.value]
    assert kinds == ["quotation", "confirmation", "order", "delivery"]
    assert counter.value[0]["valid_until"] == "2026-01-09"
    assert counter.value[-1]["id"] == sale
    json.dumps(counter.value)      # plain data: serialisable as it is


def test_refused_quote_keeps_no_enquiry(counter):
    """A quotation over the limit is refused and leaves no orphan enquiry behind."""
    n = len(counter.world.tables["desk_enquiries"])
    with pytest.raises(desk.DeskError, match="approval limit"):
        counter.quote(counter.world.customers["customer_id"].iloc[3], "W01", discount=0.08)
    assert len(counter.world.tables["desk_enquiries"]) == n and counter.value == []


def test_complaint_workflow(counter):
    """A complaint goes through its steps with a recovery action; out of order is refused."""
    c = counter.world.customers["customer_id"].iloc[5]
    cp = counter.receive_complaint(c, "service_attitude", "low", "Kept waiting at the counter")
    with pytest.raises(desk.DeskError, match="acknowledge_complaint"):
        counter.complaint_step(cp, "close")
    counter.complaint_step(cp, "acknowledge")
    counter.add_recovery(cp, "apology")
    counter.complaint_step(cp, "investigate", "Two staff on lunch at once")
    counter.complaint_step(cp, "resolve", "Rota changed; apologised")
    counter.complaint_step(cp, "close")
    steps = [r["status"] for r in counter.value if r["type"] == "complaint_step"]
    assert steps == ["acknowledged", "investigated", "resolved", "closed"]


def test_button_shows_error_in_words(counter, capsys):
    """Clicking 'Record contact' with a bad customer id shows the error instead of raising."""
    counter._customer.value = "C999999"
    counter._summary.value = "hello"
    counter._contact_button.click()
    shown = capsys.readouterr().out + "".join(o.get("text", "") for o in counter._out.outputs)
    assert counter.value == [] and "C999999" in shown and "Fix:" in shown


def test_search_and_information(counter):
    """Information recorded appears in value; search finds a recorded contact."""
    c = counter.world.customers["customer_id"].iloc[6]
    counter.add_info(c, "preferred_brands", "Star Marine")
    counter.record_contact(c, "email", "Sent the Star Marine diver brochure.")
    found = counter.search("diver brochure")
    assert list(found["customer_id"]) == [c]
    info = [r for r in counter.value if r["type"] == "information"][0]
    assert (info["field"], info["classification"]) == ("preferred_brands", "general")


def test_keep_promise(counter):
    """Keeping a promise records whether it was on time."""
    c = counter.world.customers["customer_id"].iloc[7]
    p = counter.promise(c, "reserve_model", "Hold the diver till Friday", "2026-01-05")
    assert counter.keep_promise(p) == "on time"
    assert counter.value[-1] == {"type": "promise_kept", "id": p, "customer_id": c,
                                 "on": "2026-01-02", "staff_id": counter.user.staff_id,
                                 "timing": "on time"}


def test_markup_in_a_record_is_shown_as_text(counter):
    """A summary holding HTML is escaped on the customer page and in the inbox."""
    c = counter.world.customers["customer_id"].iloc[8]
    counter.record_contact(c, "email", "<img src=x onerror=alert(1)>")
    page = counter.open_customer(c)
    assert "<img" not in page and "&lt;img" in page
    assert "<img" not in counter.show_inbox()
