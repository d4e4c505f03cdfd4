"""A view records what the page did and replays it: the no-code answer survives grading.

Grading runs the notebook again without a page, so a view's value would be an untouched
view's. The page's changes (simulated here as ipywidgets receives them, `set_state` and
the button's click message) are recorded; the line the view shows replays them on a new
view to the same value. Changes made by the view's own code are not recorded.
"""

from __future__ import annotations

import ast

import pandas as pd
import pytest

from crm_sim.errors import FieldError
from crm_sim.ui.summary_builder import SummaryBuilder

TABLE = pd.DataFrame({"segment": ["a", "a", "b"], "customer_id": ["C1", "C2", "C3"],
                      "ok": [True, False, True]})


def _page_sets(control, **state):
    control.set_state(state)                       # what a change in the page arrives as


def _page_clicks(button):
    button._handle_button_msg(None, {"event": "click"}, [])


def _built_in_the_page() -> SummaryBuilder:
    view = SummaryBuilder(TABLE)
    view.record_the_person()
    _page_sets(view._group, index=1 + list(TABLE.columns).index("segment"))
    _page_sets(view._name, value="customers")
    _page_sets(view._column, index=list(TABLE.columns).index("customer_id"))
    _page_sets(view._how, index=list(view._how.options).index("count"))
    _page_clicks(view._add)
    return view


def test_the_page_s_clicks_are_recorded_and_the_line_replays_them():
    """The shown line, run on a fresh view, gives the value built by clicking."""
    clicked = _built_in_the_page()
    assert clicked.measures and clicked.page_actions[-1][0] == "click"
    line = clicked._hand_in.value.split("<code class='crm-hand-in'>")[1].split("</code>")[0]
    actions = ast.literal_eval(line.replace("&#x27;", "'").split(".replay(", 1)[1][:-1])
    fresh = SummaryBuilder(TABLE)
    assert fresh.value is None or len(fresh.measures) == 0
    assert fresh.replay(actions).equals(clicked.value)


def test_changes_made_by_code_are_not_recorded():
    """A method call (what a model answer does) adds nothing to the recorded line."""
    view = SummaryBuilder(TABLE)
    view.record_the_person()
    view.group_by("segment")
    view.add_measure("customers", "customer_id", "count")
    assert view.page_actions == []


def test_a_doctored_line_is_refused_naming_the_step():
    """A step that is no control of the view, or a click on a drop-down, is refused."""
    view = SummaryBuilder(TABLE)
    with pytest.raises(FieldError, match="replay step 1"):
        view.replay([("click", 0)])                  # control 0 is the Group by drop-down
    with pytest.raises(FieldError, match="replay step 2"):
        view.replay([("set", 1, "n"), ("set", 99, "x")])
    with pytest.raises(FieldError, match="replay step 1"):
        view.replay([("exec", 0, "import os")])


def test_in_the_clicked_view_the_line_is_its_state_not_a_second_copy():
    """Run where it was clicked, the line leaves the view as built; a stale line is refused."""
    clicked = _built_in_the_page()
    before = clicked.value
    assert clicked.replay(list(clicked.page_actions)).equals(before)
    assert len(clicked.measures) == 1
    with pytest.raises(FieldError, match="copy the line under the view again"):
        clicked.replay(clicked.page_actions[:-1])


def test_a_demonstration_shows_no_hand_in_line(monkeypatch):
    """With CRM_HAND_IN=off (set by `crm-course onboard`) nothing is recorded or shown."""
    monkeypatch.setenv("CRM_HAND_IN", "off")
    view = SummaryBuilder(TABLE)
    view.record_the_person()
    assert not hasattr(view, "_hand_in") and not hasattr(view, "page_actions")
    assert all("crm-hand-in" not in getattr(c, "value", "") for c in view.widget.children
               if isinstance(getattr(c, "value", None), str))
