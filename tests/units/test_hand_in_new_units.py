"""The no-code hand-in line survives grading in ITCSCR512A, ITCSCR516A and 104917L3.

Grading runs a submitted notebook again from its first cell with no page, so clicks are
lost; only the line a view shows under itself (``x = view.replay([...])``) carries them
(docs/grading-design.md, the no-code convention). For one exercise per unit, the
notebook's own cells build the view (on a small company), the view is operated as the
page does it (``set_state`` as a changed control arrives, a button's click message), and
the line it then shows is put in the answer cell. The notebook's cells are then run
again from the top in a fresh namespace, as grading does: the answer is the value built
in the page, not the untouched view's.
"""

from __future__ import annotations

import ast
import html
from pathlib import Path

import nbformat
import pytest

from autograders.checks import to_plain
from crm_sim.scenario import Scenario
from crm_sim.world import World

UNITS = Path(__file__).resolve().parents[2] / "course" / "units"


def _page_sets(control, **state) -> None:
    control.set_state(state)                       # a change made in the page


def _page_clicks(button) -> None:
    button._handle_button_msg(None, {"event": "click"}, [])


def _run_until(cells, stop_gid: str, ns: dict, answer: str | None = None):
    """Run the notebook's code cells in `ns` up to `stop_gid` (then `answer`, if given).

    Check cells (graded, not answers) are skipped: they submit; earlier answer cells run
    their model answer, as a trainee who answered them.
    """
    for cell in cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == stop_gid:
            if answer is not None:
                exec(compile(answer, stop_gid, "exec"), ns)  # noqa: S102 - the hand-in line
            return cell
        if meta.get("grade") and not meta.get("solution"):
            continue
        exec(compile(cell.source, meta.get("grade_id", "cell"), "exec"), ns)  # noqa: S102
    raise AssertionError(f"no cell {stop_gid}")


def _shown_line(view) -> str:
    """The replay call the view shows under itself (what the trainee copies)."""
    shown = html.unescape(view._hand_in.value)
    code = shown.split("<code class='crm-hand-in'>")[1].split("</code>")[0]
    return "replay(" + code.split(".replay(", 1)[1]


def _operate_policy_designer(ns):
    """512A policy: least skill for key accounts typed, then the budget button pressed."""
    view = ns["designer"]
    _page_sets(view._controls[("corporate", "min_skill")], value=0.45)
    _page_sets(view._controls[("individual", "n", "visit")], value=0.0)
    button = next(c for c in view._hand_in_controls()
                  if getattr(c, "description", "").startswith("Budget = expected"))
    _page_clicks(button)
    return view


def _operate_growth_planner(ns):
    """516A growth plan: SMEs phoned 0.6 a month, the shared view ticked."""
    view = ns["planner"]
    channel = view.contacts._channel["sme"]
    _page_sets(channel, index=list(channel.options).index("phone"))
    _page_sets(view.contacts._rate["sme"], value=0.6)
    _page_sets(view.view, value=True)
    return view


def _operate_rule_editor(ns):
    """104917L3 contact standard: a walk-in recorded as a conversation, inbound."""
    view = ns["contact_view"]
    for field, option in (("record_as", "conversation"), ("direction", "inbound")):
        control = view._controls[("walk_in_visit", field)]
        _page_sets(control, index=list(control.options).index(option))
    return view


CASES = {
    "ITCSCR512A": ("01_segments_and_policy", "policy_impl", "designer", "policy_value",
                   _operate_policy_designer, {}),
    "ITCSCR516A": ("02_programmes_and_growth", "grow_impl", "planner", "plan",
                   _operate_growth_planner, {}),
    "104917L3": ("02_desk_day_and_follow_up", "contact_answer", "contact_view",
                 "contact_rule", _operate_rule_editor, {"industry": "timepiece"}),
}


@pytest.fixture
def unit_env(monkeypatch):
    """The unit's helpers importable; `my_world` gives a small company, built afresh."""

    def make(code: str, scenario: dict):
        monkeypatch.syspath_prepend(str(UNITS / code))
        monkeypatch.setattr("crm_sim.ui.session.my_world", lambda *_a, **_k: World.build(
            Scenario(seed=31, n_customers=300, **scenario)))
        return lambda: {"__name__": "__main__", "display": lambda *_a, **_k: None}

    return make


@pytest.mark.slow
@pytest.mark.parametrize("code", sorted(CASES))
def test_the_hand_in_line_brings_the_page_s_work_into_grading(code, unit_env):
    """Operated in the page, its line in the answer cell: a headless re-run hands in that value."""
    notebook, gid, var, target, operate, scenario = CASES[code]
    cells = nbformat.read(UNITS / code / f"{notebook}.ipynb", as_version=4).cells
    fresh_ns = unit_env(code, scenario)

    trainee = fresh_ns()                           # the trainee's session, with a page
    _run_until(cells, gid, trainee)
    trainee[var].record_the_person()               # what displaying the view does
    untouched = to_plain(trainee[var].value, var)
    built = to_plain(operate(trainee).value, var)
    assert built != untouched, "operating the view changed nothing"
    line = f"{target} = {var}.{_shown_line(trainee[var])}"
    ast.parse(line)                                # one plain line of Python
    trainee_answer = {}
    exec(line, trainee, trainee_answer)            # noqa: S102 - in the session: same value
    assert to_plain(trainee_answer[target], target) == built

    graded = fresh_ns()                            # grading: the notebook again, no page
    _run_until(cells, gid, graded, answer=line)
    assert to_plain(graded[target], target) == built
