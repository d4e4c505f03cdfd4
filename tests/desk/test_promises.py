"""Promises: due dates and owners, due and overdue lists, kept or broken, satisfaction."""

from __future__ import annotations

import pytest

from crm_sim import desk

from .conftest import assert_unchanged, hazard, satisfaction, snapshot


def _promise(world, due="2026-01-09", on="2026-01-02", i=5):
    c = world.customers["customer_id"].iloc[i]
    return c, desk.make_promise(world, c, "S0001", "call_back", "Call back with the price",
                                due, on=on)


def test_due_on_the_day_and_overdue_later(w):
    """A promise is listed on its due day (not overdue), and as overdue after it."""
    _, p = _promise(w)
    due = desk.due_promises(w, "2026-01-09")
    row = due[due["promise_id"] == p].iloc[0]
    assert not row["overdue"] and row["days_overdue"] == 0
    assert p not in set(desk.due_promises(w, "2026-01-08")["promise_id"])
    late = desk.overdue_promises(w, "2026-01-12")
    assert late.loc[late["promise_id"] == p, "days_overdue"].iloc[0] == 3
    only_today = desk.due_promises(w, "2026-01-12", include_overdue=False)
    assert p not in set(only_today["promise_id"])


def test_kept_on_time_raises_satisfaction(w):
    """Keeping a promise on time raises satisfaction and lowers churn hazard."""
    c, p = _promise(w)
    s0, h0 = satisfaction(w, c), hazard(w, c)
    assert desk.fulfil_promise(w, p, "S0001", on="2026-01-08") == "on time"
    assert satisfaction(w, c) == pytest.approx(min(1.0, s0 + 0.03))
    assert hazard(w, c) <= h0


def test_kept_late_lowers_satisfaction(w):
    """Keeping it after the due date lowers satisfaction a little."""
    c, p = _promise(w)
    s0 = satisfaction(w, c)
    assert desk.fulfil_promise(w, p, "S0001", on="2026-01-12") == "late"
    assert satisfaction(w, c) == pytest.approx(max(0.0, s0 - 0.02))


def test_breach_lowers_satisfaction_more(w):
    """A broken promise costs more than a late one, and raises churn hazard."""
    c, p = _promise(w)
    s0, h0 = satisfaction(w, c), hazard(w, c)
    desk.breach_promise(w, p, "S0001", "model discontinued", on="2026-01-05")
    assert satisfaction(w, c) == pytest.approx(max(0.0, s0 - 0.08))
    assert hazard(w, c) >= h0


def test_detect_breaches_marks_all_overdue_at_once(w):
    """Every open promise past due (beyond the grace days) is marked broken in one call."""
    made = [_promise(w, due="2026-01-03", i=i)[1] for i in range(3)]
    found = desk.detect_breaches(w, on="2026-01-10", grace_days=2)
    assert set(made) <= set(found["promise_id"])
    p = w.tables["desk_promises"].set_index("promise_id")
    assert (p.loc[made, "status"] == "breached").all()
    assert len(desk.overdue_promises(w, "2026-01-10")) == 0


def test_due_date_in_the_past_refused(w):
    """A promise due before the day it is made is refused, unchanged."""
    before = snapshot(w)
    with pytest.raises(desk.DeskError, match="due"):
        _promise(w, due="2026-01-01", on="2026-01-02")
    assert_unchanged(w, before)


def test_keeping_twice_refused(w):
    """A kept promise cannot be kept or broken again."""
    _, p = _promise(w)
    desk.fulfil_promise(w, p, "S0001", on="2026-01-03")
    with pytest.raises(desk.DeskError, match="already fulfilled"):
        desk.breach_promise(w, p, "S0001", "x", on="2026-01-04")


def test_unknown_kind_refused(w):
    """A promise kind outside the list is refused."""
    with pytest.raises(desk.DeskError, match="kind"):
        desk.make_promise(w, w.customers["customer_id"].iloc[0], "S0001", "pinky_swear",
                          "x", "2026-01-05")
