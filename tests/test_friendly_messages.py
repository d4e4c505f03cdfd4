"""What a trainee reads while working: unanswered exercises in words, no 'ready' under a ✘."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from autograders.checks import submit
from autograders.checks.friendly import check_failed, name_hint

UNITS = Path(__file__).resolve().parents[1] / "course" / "units"


def _unit_module(code: str, name: str):
    sys.path.insert(0, str(UNITS / code))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(UNITS / code))


def test_submit_after_a_failed_check_never_says_ready(capsys):
    """A check that failed in the same cell turns submit's ✔ into 'not ready yet'."""
    check_failed()
    submit("q1_test", "a")
    out = capsys.readouterr().out
    assert "ready to submit" not in out and "✘ q1_test is not ready yet" in out
    submit("q1_test", "a")           # the note lasts for one submit only
    assert "✔ q1_test is ready to submit" in capsys.readouterr().out


def test_304a_choice_check_failure_blocks_ready(capsys):
    """ITCSCR304A's show_choice with a bad letter, then submit: no 'ready to submit'."""
    periodic_calls = _unit_module("ITCSCR304A", "periodic_calls")
    periodic_calls.show_choice("answer_k6", "z", ["a", "b", "c", "d"])
    submit("q_k6_test", "z")
    out = capsys.readouterr().out
    assert "✘ answer_k6" in out and "ready to submit" not in out


def test_304a_unreadable_plan_blocks_ready(capsys):
    """A plan the check cannot read prints its own ✘ line; submit then never says 'ready'."""
    periodic_calls = _unit_module("ITCSCR304A", "periodic_calls")
    from crm_sim.scenario import Scenario
    from crm_sim.world import World

    world = World.build(Scenario(seed=5, n_customers=60, n_staff=6))
    periodic_calls.show_plan_check("not a plan", world)
    submit("plan_calls_test", "not a plan")
    out = capsys.readouterr().out
    assert "✘ the plan cannot be read" in out and "ready to submit" not in out


def test_410a_show_check_failure_blocks_ready(capsys):
    """ITCSCR410A's show_* returning ok=False, then submit: no 'ready to submit'."""
    profile_desk = _unit_module("ITCSCR410A", "profile_desk")
    found = profile_desk.show_purpose_check("not a dict")
    submit("purposes_test", {})
    out = capsys.readouterr().out
    assert found["ok"] is False and "ready to submit" not in out


def test_name_hint_says_what_to_do():
    """The hint names the variable, shows an example answer and says which cell to run."""
    text = name_hint("answer_k6")
    assert 'answer_k6 = "a"' in text and "answer cell above" in text
    assert "NameError" not in text


def test_unanswered_exercise_in_a_real_kernel_reads_as_words_and_stays_a_nameerror():
    """In a kernel the test cell shows the hint, while its error output keeps ename NameError."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from autograders.checks import submit\nsubmit('q_k6_test', answer_k6)")])
    NotebookClient(nb, timeout=120, allow_errors=True,
                   resources={"metadata": {"path": str(Path.cwd())}}).execute()
    (out,) = [o for o in nb.cells[0].outputs if o.output_type == "error"]
    assert out.ename == "NameError"
    shown = "\n".join(out.traceback)
    assert "answer_k6 is not defined yet" in shown and "is not defined'" not in shown
