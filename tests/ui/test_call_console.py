"""The call console driven from code: every user action works without a browser."""

from __future__ import annotations

import pytest

from crm_sim.errors import FieldError
from crm_sim.scenario import Scenario
from crm_sim.ui.call_console import CallConsole
from crm_sim.world import World


@pytest.fixture(scope="module")
def base_world() -> World:
    """A small world built once; each test works on its own copy."""
    return World.build(Scenario(seed=5, n_customers=120, n_staff=6))


@pytest.fixture
def console(base_world) -> CallConsole:
    """A console on a fresh copy with a three-customer queue."""
    world = base_world.copy()
    queue = world.customers["customer_id"].head(3).tolist()
    return CallConsole(world, queue=queue, when="2025-02-03T10:30")


def test_card_shows_segment_consent_and_recent_contacts(console):
    """Selecting a customer fills the card with account data and the last contacts."""
    cid = console.queue[1]
    card = console.select_customer(cid)
    row = console.world.customers.set_index("customer_id").loc[cid]
    assert cid in card and str(row["segment"]) in card and "dm_consent" in card
    assert "Last contacts" in card
    assert console._customer.value == cid


def test_place_call_records_in_the_engine_and_prefills_outcome(console):
    """A placed call appends one interaction and the console shows what was said."""
    before = len(console.world.interactions)
    console.set_channel("phone")
    console.set_caller(console.world.staff["staff_id"].iloc[0])
    console.set_script(["greeting", "identify_self", "needs", "satisfaction", "closing"])
    assert console.script == ["greeting", "identify_self", "closing", "needs", "satisfaction"]
    record = console.place_call()
    assert len(console.world.interactions) == before + 1
    assert console.world.interactions["interaction_id"].iloc[-1] == record.interaction_id
    assert record.customer_id == console.queue[0]
    assert record.outcome in console._answer.value
    assert console._outcome.value == record.outcome


def test_save_record_needs_a_call_and_a_dated_follow_up(console):
    """Saving without a call or without a follow-up date is refused with the fix."""
    with pytest.raises(FieldError, match="place_call"):
        console.save_record()
    console.place_call()
    console._follow_up.value = ""
    with pytest.raises(FieldError, match="dated follow-up"):
        console.save_record()
    console.write_notes("Asked about upgrade; busy until March.")
    console.set_follow_up("send quotation", "2025-02-10")
    saved = console.save_record()
    assert saved["follow_up_date"] == "2025-02-10"
    assert saved["notes"].startswith("Asked")
    assert len(console.records_frame()) == 1


def test_set_outcome_overrides_the_prefilled_one(console):
    """The trainee may record a different outcome than the engine pre-filled."""
    console.place_call()
    console.set_outcome("declined")
    console.set_follow_up("call again next quarter", "2025-02-14")
    assert console.save_record()["outcome"] == "declined"


@pytest.mark.parametrize("action,args", [
    ("select_customer", ("C999999",)), ("set_channel", ("pigeon",)),
    ("set_caller", ("S9999",)), ("set_script", (["greeting", "bribe"],)),
    ("set_outcome", ("delighted",)), ("set_follow_up", ("x", "next week")),
])
def test_bad_actions_raise_domain_errors(console, action, args):
    """Every action rejects a bad value with a FieldError naming it."""
    with pytest.raises(FieldError):
        getattr(console, action)(*args)


def test_buttons_report_errors_in_the_output_instead_of_raising(console, capsys):
    """Clicking Save before a call shows the problem (no traceback) and saves nothing."""
    console._save_button.click()
    shown = capsys.readouterr().out + "".join(o.get("text", "") for o in console._out.outputs)
    assert "place_call" in shown
    assert console.records == []


def test_unknown_queue_is_refused(base_world):
    """A queue with ids that are not customers is refused at construction."""
    with pytest.raises(FieldError, match="queue"):
        CallConsole(base_world.copy(), queue=["NOPE"])


def test_dropdown_change_is_the_same_action_as_select_customer(console):
    """Changing the customer dropdown (a click) goes through select_customer."""
    console._customer.value = console.queue[2]
    assert console.queue[2] in console._card.value


def test_save_record_refuses_a_due_date_that_is_not_a_date(console):
    """A due date typed as words is refused naming the field; nothing is saved."""
    console.place_call()
    console._follow_up.value = "send quotation"
    console._follow_date.value = "abc"
    with pytest.raises(FieldError, match="due date"):
        console.save_record()
    assert console.records == []
