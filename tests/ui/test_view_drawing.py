"""Views draw lazily: once per cell however often code changes them, at once for page events."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell
from policy_companies import company_under_starter_policy

from crm_sim.ui import view as view_module
from crm_sim.ui.monitor_designer import MonitorDesigner


@pytest.fixture(scope="module")
def company():
    """A small company a month into its starter policy (something to monitor)."""
    return company_under_starter_policy(seed=61, n_customers=400, months=1)


@pytest.fixture()
def shell():
    """A plain IPython shell for the test, gone afterwards (other tests see none)."""
    ip = InteractiveShell.instance()
    yield ip
    view_module._pending.clear()
    view_module._cell_state["running"] = False
    InteractiveShell.clear_instance()


def _counted(view, drawn: list) -> None:
    """Record the breach-rate bar each real draw shows (instead of drawing)."""
    view._draw = lambda *args: drawn.append(view.rules.max_breach_rate)


def test_many_sets_in_one_cell_draw_once_showing_the_last(company, shell):
    """Five sets in one cell draw the chart once, at the cell's end, in the last state."""
    view = MonitorDesigner(*company)
    drawn: list[float] = []
    _counted(view, drawn)
    shell.user_ns["view"] = view
    shell.run_cell("for rate in (0.1, 0.2, 0.3, 0.4, 0.5):\n"
                   "    view.set('max_breach_rate', rate)\n"
                   "during = list(view.chart_data)")
    assert drawn == [0.5]
    assert shell.user_ns["during"] == list(view.chart_data)   # data was current in the cell
    assert view.rules.max_breach_rate == 0.5


def test_changes_outside_a_cell_draw_at_once(company, shell):
    """A page event (no cell running) redraws immediately, every time."""
    view = MonitorDesigner(*company)
    drawn: list[float] = []
    _counted(view, drawn)
    shell.run_cell("x = 1")            # the shell's cell events are known from here on
    view.set("max_breach_rate", 0.2)
    assert drawn and drawn[-1] == 0.2          # drawn before the set returned
    view.set("max_breach_rate", 0.3)
    assert drawn[-1] == 0.3 and set(drawn) == {0.2, 0.3}


def test_draw_on_demand_clears_the_wait(company, shell):
    """`draw()` inside a cell draws now and the cell's end does not draw again."""
    view = MonitorDesigner(*company)
    drawn: list[float] = []
    _counted(view, drawn)
    shell.user_ns["view"] = view
    shell.run_cell("view.set('max_breach_rate', 0.4)\nview.draw()")
    assert drawn == [0.4]


def test_an_error_in_a_cell_is_not_wiped_by_the_waiting_draw(company, shell):
    """A domain error shown in the view comes after the waiting draw, so it stays visible."""
    view = MonitorDesigner(*company)
    events: list[str] = []
    view._draw = lambda *args: events.append("draw")
    shell.user_ns["view"] = view
    shell.user_ns["events"] = events
    shell.run_cell("view.set('max_breach_rate', 0.3)\n"
                   "view._safely(lambda: view.set('no_such_rule', 1))\n"
                   "events.append('error shown')")
    assert events == ["draw", "error shown"]


def test_drawing_off_draws_nothing_but_keeps_values_current(company, monkeypatch):
    """With CRM_DRAW=off (a graded run) the chart is never drawn; value and data still move."""
    monkeypatch.setenv(view_module.DRAW_ENV, "off")
    drawn: list[float] = []
    original = MonitorDesigner._draw
    monkeypatch.setattr(MonitorDesigner, "_draw",
                        lambda self, *a: drawn.append(1) or original(self, *a))
    view = MonitorDesigner(*company)
    view.set("consent", True)
    view.set("max_breach_rate", 0.05)
    assert drawn == []
    assert view.value["rules"]["consent"] is True
    assert view.chart_data and set(view.chart_data) == set(
        view.dashboard["actors"]["actor_id"].astype(str))


def test_a_view_that_fails_to_draw_does_not_stop_the_others(company, shell):
    """When one waiting view's drawing fails, the other views changed in the cell still draw."""
    first, second = MonitorDesigner(*company), MonitorDesigner(*company)
    drawn: list[float] = []

    def broken(*args):
        raise RuntimeError("no chart today")

    first._draw = broken
    _counted(second, drawn)
    shell.user_ns.update(first=first, second=second)
    shell.run_cell("first.set('max_breach_rate', 0.1)\nsecond.set('max_breach_rate', 0.2)")
    assert drawn == [0.2]
    assert not view_module._pending
