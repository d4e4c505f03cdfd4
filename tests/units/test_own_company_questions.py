"""Own-company questions: the same question for all, the answer from each trainee's own data."""

from __future__ import annotations

import re

import nbformat
import pytest
from unit_loader import UNITS_DIR, evaluators_module

from autograders.checks import EvalContext, registered
from crm_sim import own_company
from crm_sim.trainee import trainee_seed, world_for
from crm_sim.ui.quiz import shown_letter

CASES = {  # unit -> (notebook, answer variable, test cell)
    "ITCSCR304A": ("01_accounts_and_plan", "answer_own_k5", "q_own_k5_test"),
    "ITCSCR410A": ("01_integrate_and_protect", "answer_own_k2", "q_own_k2_test"),
}
TRAINEES = [f"own{i:02d}" for i in range(6)]


def _solution(code: str) -> str:
    """The source notebook's solution line of the unit's own-company question."""
    notebook, var, _ = CASES[code]
    nb = nbformat.read(UNITS_DIR / code / f"{notebook}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if f"{var} = shown_letter" in c.source)
    return re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S).group(1)


def _evaluator(code: str):
    """The unit's own-company evaluator, loaded by path as the grader loads it."""
    evaluators_module(code)
    return registered(code)[CASES[code][2]]


def _ctx(code: str, trainee: str) -> EvalContext:
    return EvalContext(unit=code, trainee_id=trainee,
                       trainee_seed=trainee_seed(trainee, code), hidden_seed=1)


@pytest.mark.parametrize("code", sorted(CASES))
def test_notebook_solution_scores_one_and_other_letters_zero(code, monkeypatch):
    """For each trainee the notebook's solution earns 1 and every other letter 0."""
    evaluate = _evaluator(code)
    var = CASES[code][1]
    accepted = set()
    for trainee in TRAINEES:
        monkeypatch.setenv("CRM_TRAINEE_ID", trainee)
        ctx = _ctx(code, trainee)
        ns = {"world": ctx.trainee_world(), "own_company": own_company,
              "shown_letter": shown_letter}
        exec(_solution(code), ns)  # noqa: S102 - the course's own source notebook
        letter = ns[var]
        assert evaluate(letter, ctx).score == 1.0
        others = [evaluate(x, ctx).score for x in "abc" if x != letter]
        assert sorted(others) == [0.0, 0.0]
        accepted.add(letter)
    assert len(accepted) > 1        # the letter that earns the mark differs between trainees


@pytest.mark.parametrize("code", sorted(CASES))
def test_answer_comes_from_the_trainees_own_figures(code):
    """The key segment is the one the trainee's own table shows, and it varies by company."""
    tops = set()
    for trainee in TRAINEES + [f"own{i:02d}" for i in range(6, 14)]:
        world = world_for(trainee, code)
        if code == "ITCSCR304A":
            top = own_company.top_segments(own_company.complaints_table(world).tail(3).sum())
        else:
            top = own_company.top_segments(own_company.satisfaction_table(world)["low_%"])
        tops.add(top[0])
    assert len(tops) >= 2


@pytest.mark.parametrize("code", sorted(CASES))
def test_own_company_answer_ignores_the_trainees_later_actions(code, monkeypatch, tmp_path):
    """Months the trainee advances do not change the figure the question is about."""
    from crm_sim.ui.session import my_world

    monkeypatch.setenv("CRM_TRAINEE_ID", "own-later")
    monkeypatch.setenv("CRM_WORLD_DIR", str(tmp_path))
    world = my_world(code)
    before = (own_company.complaints_table(world), own_company.satisfaction_table(world))
    world.advance_month(2)
    after = (own_company.complaints_table(world), own_company.satisfaction_table(world))
    for b, a in zip(before, after, strict=True):
        assert b.equals(a)


def test_hostile_answers_score_zero():
    """Non-letters and letters beyond the three options earn 0 with the form required."""
    for code in CASES:
        evaluate = _evaluator(code)
        for hostile in (None, 3, "d", "", ["a"], "a" * 1000):
            assert evaluate(hostile, _ctx(code, "own00")).score == 0.0


def test_evaluator_modules_name_the_options_as_the_notebooks_do():
    """The evaluators' option letters map to the segments the notebooks print."""
    for code in CASES:
        assert evaluators_module(code).OWN_SEGMENT_OPTIONS == {
            "a": "corporate", "b": "sme", "c": "individual"}
