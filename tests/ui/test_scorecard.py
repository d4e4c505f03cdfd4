"""The prospect scorecard driven from code: weights, consent filter, picks and warnings."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_sim.errors import FieldError
from crm_sim.ui.scorecard import Scorecard, apply_scorecard, rule_problems

IDS = [f"C{i}" for i in range(8)]
SIGNALS = pd.DataFrame({"liked_us": [0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.6, 0.4],
                        "value": [0.1, 0.9, 0.2, 0.8, 0.3, 0.7, 0.4, 0.6]}, index=IDS)
GROUPS = pd.Series(["a", "a", "a", "a", "b", "b", "b", "b"], index=IDS)
CONSENT = pd.Series([True, True, False, True, True, True, True, False], index=IDS)


@pytest.fixture
def card() -> Scorecard:
    """A scorecard over eight candidates in two groups, two picks per group."""
    return Scorecard(SIGNALS, GROUPS, CONSENT, per_group=2,
                     labels={"liked_us": "what they said", "value": "their value"})


def test_new_scorecard_warns_in_plain_words(card):
    """Untouched, the view says the rule cannot rank and that consent is not required."""
    text = card.refresh()
    assert "every weight is zero" in text
    assert "breaks the law" in text
    assert card.picks() == {}


def test_weights_and_consent_filter_decide_the_picks(card):
    """Weighing 'liked_us' with consent picks the consented customers who liked us most."""
    card.set_weights({"liked_us": 1.0})
    card.require_eligible()
    assert card.picks() == {"a": ["C0", "C3"], "b": ["C4", "C6"]}
    assert card.problems() == []
    assert "✔" in card._status.value


def test_value_is_the_rule_and_applies_elsewhere(card):
    """The value is data (weights, filter, count) that picks the same when applied anew."""
    card.set_weight("value", 2.0)
    card.require_eligible()
    rule = card.value
    assert rule == {"kind": "scorecard", "weights": {"value": 2.0}, "eligible_only": True,
                    "per_group": 2}
    assert apply_scorecard(rule, SIGNALS, GROUPS, CONSENT, 2) == card.picks()


def test_without_the_filter_unconsented_customers_can_be_picked(card):
    """Unticked, the top 'liked_us' customer without consent (C2) is picked: the view warns."""
    card.set_weights({"liked_us": 1.0})
    assert "C2" in card.picks()["a"]
    assert any("consent" in p for p in card.problems())


def test_bad_actions_raise_domain_errors(card):
    """An unknown signal or an out-of-range weight names the field and the fix."""
    with pytest.raises(FieldError, match="signal"):
        card.set_weight("star_sign", 1.0)
    with pytest.raises(FieldError, match="weight"):
        card.set_weight("value", 99)


def test_chart_is_drawn_for_the_weights(card):
    """Moving a slider redraws the weights chart with the new bar."""
    card.set_weight("value", 1.0)
    assert card.chart_data == {"liked_us": 0.0, "value": 1.0}


@pytest.mark.parametrize("rule", [None, {"kind": "other"}, {"kind": "scorecard"},
                                  {"kind": "scorecard", "weights": {"value": True},
                                   "eligible_only": True}])
def test_rule_problems_reject_what_is_not_a_rule(rule):
    """Values that are not a usable scorecard are reported, never applied."""
    assert rule_problems(rule, list(SIGNALS.columns))
