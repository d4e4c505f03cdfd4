"""Complaints: the lifecycle in order, service levels, recovery and its effect."""

from __future__ import annotations

import pytest

from crm_sim import desk

from .conftest import assert_unchanged, hazard, satisfaction, snapshot


def _complaint(world, severity="medium", on="2026-01-02", i=9):
    c = world.customers["customer_id"].iloc[i]
    return c, desk.receive_complaint(world, c, "repair_delay", severity,
                                     "Watch not ready on the promised day", "S0001", on=on)


def test_each_transition_in_order_dated_and_audited(w):
    """Received, acknowledged, investigated, resolved, closed: in order, each dated."""
    _, cp = _complaint(w)
    desk.acknowledge_complaint(w, cp, "S0001", on="2026-01-02")
    desk.investigate_complaint(w, cp, "Parts late from the supplier", "S0001", on="2026-01-03")
    desk.resolve_complaint(w, cp, "Loan watch given, repair rushed", "S0001", on="2026-01-05")
    desk.close_complaint(w, cp, "S0001", on="2026-01-06")
    row = w.tables["desk_complaints"].iloc[-1]
    assert [row[k] for k in ("received", "acknowledged", "investigated", "resolved",
                             "closed")] == ["2026-01-02", "2026-01-02", "2026-01-03",
                                            "2026-01-05", "2026-01-06"]
    ev = w.tables["desk_events"]
    assert list(ev.loc[ev["record_id"] == cp, "action"]) == [
        "received", "acknowledged", "investigated", "resolved", "closed"]


def test_closing_never_acknowledged_refused_unchanged(w):
    """Closing a received complaint is refused, names the missing steps, changes nothing."""
    _, cp = _complaint(w)
    before = snapshot(w)
    with pytest.raises(desk.DeskError) as err:
        desk.close_complaint(w, cp, "S0001")
    assert err.value.record == f"complaint {cp}" and err.value.field == "status"
    assert "acknowledge_complaint" in err.value.fix
    assert_unchanged(w, before)


@pytest.mark.parametrize("step", ["investigate", "resolve"])
def test_skipping_a_step_refused(w, step):
    """Investigating or resolving before acknowledging is refused."""
    _, cp = _complaint(w)
    with pytest.raises(desk.DeskError, match="first acknowledge_complaint"):
        if step == "investigate":
            desk.investigate_complaint(w, cp, "found", "S0001")
        else:
            desk.resolve_complaint(w, cp, "done", "S0001")


def test_step_dated_before_previous_refused(w):
    """A step cannot be dated before the step it follows."""
    _, cp = _complaint(w, on="2026-01-05")
    with pytest.raises(desk.DeskError, match="on or after 2026-01-05"):
        desk.acknowledge_complaint(w, cp, "S0001", on="2026-01-04")


def test_service_levels_by_severity(w):
    """A high complaint acknowledged after 2 days misses its 1-day level; overdue flagged."""
    _, hi = _complaint(w, "high", on="2026-01-02")
    desk.acknowledge_complaint(w, hi, "S0001", on="2026-01-04")
    _, lo = _complaint(w, "low", on="2026-01-02", i=10)
    sl = desk.service_levels(w, on="2026-01-20").set_index("complaint_id")
    assert (sl.loc[hi, "ack_days"], sl.loc[hi, "ack_limit"], sl.loc[hi, "ack_met"]) == (
        2, 1, False)
    assert not sl.loc[lo, "ack_met"] and sl.loc[lo, "overdue"]
    assert {hi, lo} <= set(desk.open_complaints(w, on="2026-01-20")["complaint_id"])


def _handle(w, cp, good: bool):
    if good:
        desk.acknowledge_complaint(w, cp, "S0001", on="2026-01-02")
        desk.add_recovery(w, cp, "apology", "S0001", on="2026-01-02")
        desk.add_recovery(w, cp, "free_service", "S0001", on="2026-01-03")
        desk.investigate_complaint(w, cp, "late parts", "S0001", on="2026-01-03")
        desk.resolve_complaint(w, cp, "fixed", "S0001", on="2026-01-04")
        return desk.close_complaint(w, cp, "S0001", on="2026-01-05")
    desk.acknowledge_complaint(w, cp, "S0001", on="2026-01-10")
    desk.investigate_complaint(w, cp, "late parts", "S0001", on="2026-01-20")
    desk.resolve_complaint(w, cp, "fixed", "S0001", on="2026-01-30")
    return desk.close_complaint(w, cp, "S0001", on="2026-01-31")


def test_good_recovery_leaves_customer_more_loyal(w):
    """Handled in time with enough recovery: satisfaction ends above where it started."""
    c = w.customers["customer_id"].iloc[9]
    s0, h0 = satisfaction(w, c), hazard(w, c)
    _, cp = _complaint(w)
    assert satisfaction(w, c) < s0
    assert _handle(w, cp, good=True) == 1.0
    assert satisfaction(w, c) > s0 and hazard(w, c) < h0
    assert desk.recovery_cost(w, cp) == 1800.0


def test_poor_handling_leaves_customer_worse_off(w):
    """Late at every step and no recovery: satisfaction stays below the start."""
    c = w.customers["customer_id"].iloc[9]
    s0, h0 = satisfaction(w, c), hazard(w, c)
    _, cp = _complaint(w)
    assert _handle(w, cp, good=False) == 0.0
    assert satisfaction(w, c) < s0 and hazard(w, c) > h0


def test_recovery_needs_acknowledgement_and_not_closed(w):
    """No recovery before acknowledging, nor after closing; unknown action refused."""
    _, cp = _complaint(w)
    with pytest.raises(desk.DeskError, match="acknowledge it first"):
        desk.add_recovery(w, cp, "voucher", "S0001")
    desk.acknowledge_complaint(w, cp, "S0001", on="2026-01-02")
    with pytest.raises(desk.DeskError, match="action"):
        desk.add_recovery(w, cp, "free_lunch", "S0001")
    with pytest.raises(desk.DeskError, match="cost_hkd"):
        desk.add_recovery(w, cp, "voucher", "S0001", cost_hkd=-5)
    _handle_rest(w, cp)
    with pytest.raises(desk.DeskError, match="closed complaint"):
        desk.add_recovery(w, cp, "voucher", "S0001", on="2026-01-09")


def _handle_rest(w, cp):
    desk.investigate_complaint(w, cp, "late parts", "S0001", on="2026-01-03")
    desk.resolve_complaint(w, cp, "fixed", "S0001", on="2026-01-04")
    desk.close_complaint(w, cp, "S0001", on="2026-01-05")


def test_bad_severity_refused(w):
    """A severity outside low/medium/high is refused."""
    with pytest.raises(desk.DeskError, match="severity"):
        desk.receive_complaint(w, w.customers["customer_id"].iloc[0], "billing", "urgent",
                               "x", "S0001")
