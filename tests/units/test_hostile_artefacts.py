"""Hostile decision artefacts earn nothing from any evaluator of any built unit.

A no-code answer is data the grader applies itself, so a cheater's lever is the data:
absurd numbers, NaN, huge keys or lists, the wrong kind of rule, a rule dressed up as a
function, several letters for one question. Every evaluator must answer each of them with
0 points and a message, quickly, without raising.
"""

from __future__ import annotations

import time

import pytest
from unit_loader import evaluators_module

from autograders.checks import EvalContext, registered
from autograders.results import Verdict
from autograders.sandbox import Limits
from crm_sim.scenario import Scenario
from crm_sim.trainee import UNIT_SCENARIOS
from crm_sim.world import World

UNITS = ("ITCSCR304A", "ITCSCR410A", "ITCSCR516A", "104917L3")
# Fewest evaluators each unit has (a unit that lost its registrations would pass vacuously).
MIN_EVALUATORS = {"ITCSCR516A": 14, "104917L3": 20}
HOSTILE = {
    "huge_weights": {"kind": "scorecard", "eligible_only": True, "per_segment": 10**18,
                     "weights": {"said_satisfaction": 1e308, "value_in_segment": -1e308}},
    "nan_weight": {"kind": "scorecard", "weights": {"said_satisfaction": float("nan")},
                   "eligible_only": True},
    "absurd_link_rule": {"kind": "link_rule",
                         "match_on": {"email": 10**9, "phone": -5, "name": "x" * 100_000}},
    "absurd_lead_rule": {"kind": "lead_rule", "max_leads": 10**12,
                         "merge_on": ["phone"] * 10_000},
    "absurd_prospect_rule": {"kind": "prospect_rule", "min_known_by": -10**9,
                             "max_prospects": 10**15},
    "fifty_thousand_keys": {f"k{i}": f"k{i}" for i in range(50_000)},
    "hundred_thousand_rows": [{"a": 1}] * 100_000,
    "rule_dressed_as_function": {"__function__": "f", "source": "def f(*a):\n    return 1\n",
                                 "kind": "scorecard"},
    "every_letter": "abcd",
    "letter_list": ["a", "b", "c", "d"],
}


@pytest.fixture(scope="module", params=UNITS)
def unit(request):
    """A unit's evaluators with small trainee and unseen worlds, built once."""
    evaluators_module(request.param)
    ctx = EvalContext(unit=request.param, trainee_id="t-hostile", trainee_seed=31,
                      hidden_seed=32, limits=Limits(cell_timeout_s=8, memory_mb=1536))
    industry = UNIT_SCENARIOS[request.param].industry
    ctx._cache["trainee"] = World.build(Scenario(seed=31, n_customers=300, n_staff=12,
                                                 industry=industry))
    ctx._cache["hidden"] = World.build(Scenario(seed=32, n_customers=300, n_staff=12,
                                                industry=industry))
    return registered(request.param), ctx


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_artefact_earns_nothing_anywhere(unit, name):
    """Each evaluator gives the artefact 0 points and a message, in under 5 s, without raising."""
    evaluators, ctx = unit
    assert len(evaluators) >= MIN_EVALUATORS.get(ctx.unit, 20)
    for grade_id, evaluate in sorted(evaluators.items()):
        start = time.monotonic()
        verdict = evaluate(HOSTILE[name], ctx)
        assert isinstance(verdict, Verdict), grade_id
        assert verdict.score == 0.0, (grade_id, verdict.message)
        assert verdict.message, grade_id
        assert time.monotonic() - start < 5, grade_id
