"""Transactions, ids and dates: the machinery every desk operation relies on."""

from __future__ import annotations

import pytest

from crm_sim import desk
from crm_sim.desk import tables

from .conftest import assert_unchanged, satisfaction, snapshot


def test_failure_midway_restores_everything(w, monkeypatch):
    """If the audit write fails after the record and satisfaction moved, all is put back."""
    c = w.customers["customer_id"].iloc[0]
    before = snapshot(w)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("crm_sim.desk.complaints.log_events", broken)
    with pytest.raises(RuntimeError):
        desk.receive_complaint(w, c, "billing", "high", "Charged twice", "S0001")
    assert_unchanged(w, before)


def test_nested_transactions_save_once_on_success(w):
    """A repair intake (with promise and hand-off inside) autosaves once, at the end."""
    saves = []
    w.autosave = lambda world: saves.append(len(world.tables["desk_promises"]))
    desk.receive_repair(w, w.tables["desk_sales"]["serial_no"].iloc[0],
                        "battery replacement", "S0001")
    assert saves == [len(w.tables["desk_promises"])]


def test_no_autosave_when_refused(w):
    """A refused operation does not save."""
    saves = []
    w.autosave = lambda world: saves.append(1)
    with pytest.raises(desk.DeskError):
        desk.record_communication(w, "C999999", "S0001", "phone", "x")
    assert saves == []


def test_new_ids_continue_after_last(w):
    """New ids continue the table's numbering with its prefix and width."""
    last = w.tables["desk_complaints"]["complaint_id"].iloc[-1]
    nxt = tables.new_ids(w, "desk_complaints", 2)
    assert int(nxt[0][2:]) == int(last[2:]) + 1 and len(nxt[1]) == len(last)


@pytest.mark.parametrize("value", ["2026-02-30", "20260101", 20260101, None])
def test_bad_dates_named(value):
    """A date that is not a real ISO date is a DeskError naming record and field."""
    with pytest.raises(desk.DeskError, match="promise P1, due"):
        tables.check_date("promise P1", "due", value)


def test_nudge_is_vectorised_and_adds_repeats(w):
    """One call moves many customers; a customer listed twice moves twice, clipped to [0,1]."""
    from crm_sim.desk.effects import nudge

    a, b = w.customers["customer_id"].iloc[:2]
    sa, sb = satisfaction(w, a), satisfaction(w, b)
    nudge(w, [a, a, b], [0.01, 0.01, -2.0])
    assert satisfaction(w, a) == pytest.approx(min(1.0, sa + 0.02))
    assert satisfaction(w, b) == 0.0 and sb > 0
