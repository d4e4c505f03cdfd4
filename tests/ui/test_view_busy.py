"""A slow action says it is working while it runs, and only while it runs."""

from __future__ import annotations

import time

import ipywidgets as widgets

from crm_sim.errors import FieldError
from crm_sim.ui.view import View


class _Slow(View):
    def __init__(self):
        self._out = widgets.Output()
        self.widget = widgets.VBox([widgets.Button(description="Go"), self._out])
        self.seen: list[str] = []


def test_action_slower_than_a_second_shows_working_until_it_ends():
    """Past BUSY_AFTER_S the view shows 'Working…'; when the action ends the line is empty."""
    view = _Slow()
    view.BUSY_AFTER_S = 0.2

    def slow():
        time.sleep(0.6)
        view.seen.append(view._busy.value)

    view._safely(slow)
    assert "Working" in view.seen[0]
    assert view._busy.value == ""
    assert view._busy in view.widget.children


def test_quick_action_never_shows_working():
    """An action that ends before BUSY_AFTER_S leaves the line empty throughout."""
    view = _Slow()
    view._safely(lambda: view.seen.append(view._busy.value))
    time.sleep(0.05)
    assert view.seen == [""] and view._busy.value == ""


def test_failing_slow_action_clears_working_and_shows_the_error():
    """A domain error still clears the line; the error is shown as words, not raised."""
    view = _Slow()
    view.BUSY_AFTER_S = 0.1

    def fails():
        time.sleep(0.3)
        raise FieldError("month", "13", "1 to 12", "pick a month from the list")

    view._safely(fails)
    assert view._busy.value == ""
