"""Hostile decision artefacts earn nothing from any evaluator of ITCSCR512A.

The unit's answers are data the grader applies itself (a policy, a resource method,
monitoring rules, a review rule, judgement calls), so a cheater's lever is the data: absurd
numbers, NaN, huge lists, the wrong kind of decision, keys that try to switch off a check,
a decision dressed up as a function, every letter at once. Every evaluator must answer
each of them with 0 points and a message, quickly, without raising, and without changing
the unseen company.
"""

from __future__ import annotations

import time

import pytest
from itcscr512a_artefacts import company

from autograders.checks import EvalContext, registered
from autograders.results import Verdict

CODE = "ITCSCR512A"
_SEGMENT = {"segment": "sme", "new_customers_per_month": 1.0, "retention_rate": 0.9,
            "channels": [{"channel": "phone", "per_month": 1.0, "purpose": "retention"}]}
HOSTILE = {
    # a policy whose numbers are absurd or not numbers at all
    "absurd_policy": {"name": "x", "segments": [
        {**_SEGMENT, "segment": s, "channels": [{"channel": "phone", "per_month": 1e308,
                                                 "purpose": "retention"}]}
        for s in ("corporate", "sme", "individual")]},
    "nan_policy": {"name": "x", "segments": [
        {**_SEGMENT, "segment": s, "retention_rate": float("nan")}
        for s in ("corporate", "sme", "individual")]},
    "hundred_thousand_segments": {"name": "x", "segments": [_SEGMENT] * 100_000},
    "hundred_thousand_rules": {"name": "x", "segments": [
        {**_SEGMENT, "channels": [_SEGMENT["channels"][0]] * 100_000}]},
    # keys that would switch a check off if anyone read them
    "policy_with_grader_keys": {"name": "x", "segments": [], "score": 1.0, "validated": True,
                                "skip_validation": True},
    "monitor_with_truth_key": {"kind": "monitor", "rules": {"max_breach_rate": 0.2,
                                                            "violators": ["S0001"]},
                               "tables": ["new_customers"] * 10_000, "every_months": 1e9},
    "method_with_answer_key": {"kind": "resource_method", "handling": "history",
                               "allow_unanswered": True, "productive_share": 0.8,
                               "true_hours": 123.0},
    "absurd_method": {"kind": "resource_method", "handling": "history",
                      "allow_unanswered": True, "productive_share": 10**18},
    "review_everything": {"kind": "review_rule", "groups": {
        f"g{i}": {"action": "add_acquisition_contacts"} for i in range(50_000)}},
    "fifty_thousand_keys": {f"k{i}": f"k{i}" for i in range(50_000)},
    "hundred_thousand_rows": [{"a": 1}] * 100_000,
    "decision_dressed_as_function": {"__function__": "f", "source": "def f(*a):\n    return 1\n",
                                     "kind": "monitor"},
    "every_letter": "abcd",
    "letter_list": ["a", "b", "c", "d"],
}


@pytest.fixture(scope="module")
def unit():
    """The unit's evaluators with the unit's trainee and unseen companies, built once."""
    ctx = EvalContext(unit=CODE, trainee_id="t-hostile", trainee_seed=31, hidden_seed=32)
    ctx._cache["trainee"] = company(31)
    ctx._cache["hidden"] = company(32)
    return registered(CODE), ctx


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_artefact_earns_nothing_anywhere(unit, name):
    """Each evaluator gives the artefact 0 points and a message, in under 5 s, no raise."""
    evaluators, ctx = unit
    assert len(evaluators) == 19     # every graded code cell of the unit
    for grade_id, evaluate in sorted(evaluators.items()):
        start = time.monotonic()
        verdict = evaluate(HOSTILE[name], ctx)
        assert isinstance(verdict, Verdict), grade_id
        assert verdict.score == 0.0, (grade_id, name, verdict.message)
        assert verdict.message, grade_id
        assert time.monotonic() - start < 5, (grade_id, time.monotonic() - start)


def test_hostile_artefacts_leave_the_unseen_company_unchanged(unit):
    """No artefact moves the unseen company's clock or adds a table to it."""
    evaluators, ctx = unit
    hidden = ctx.hidden_world()
    before = (hidden.today, sorted(hidden.tables), len(hidden.tables["customers"]))
    for artefact in HOSTILE.values():
        for evaluate in evaluators.values():
            evaluate(artefact, ctx)
    assert (hidden.today, sorted(hidden.tables), len(hidden.tables["customers"])) == before
