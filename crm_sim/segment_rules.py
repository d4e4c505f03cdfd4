"""Recommendations as a rule per segment signal, applied to any company's signals.

A manager does not hand management a function; they say "offer cross-sell calls to the
segment with the most consented customers times sale rate times monthly value". That
sentence is this rule::

    {"kind": "recommend_rule", "plays": [
        {"action": "cross_sell_call",
         "pick_by": ["customers", "consent_rate", "sale_rate", "monthly_value"],
         "expected_effect": {"metric": "retained_value", "change": 100000}}, ...]}

For each play the segment whose product of the ``pick_by`` signals is largest is chosen
(ties by segment name). Signals are the columns of the segment signal table plus
``monthly_value`` (mean value over mean tenure). A grader applies the rule to an unseen
company's signals and executes the advice there; no trainee code runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from crm_sim.errors import PolicyError

DERIVED = ("monthly_value",)
MAX_PLAYS = 2


def with_derived(signals: pd.DataFrame) -> pd.DataFrame:
    """Signals indexed by segment, with the derived signals added."""
    s = signals.set_index("segment") if "segment" in signals.columns else signals.copy()
    s = s.apply(pd.to_numeric, errors="coerce").fillna(0.0)
    if "mean_value" in s and "mean_tenure_months" in s:
        s["monthly_value"] = s["mean_value"] / s["mean_tenure_months"].clip(lower=1)
    return s


def check_rule(rule: Any, signal_names: list[str]) -> list[dict[str, Any]]:
    """The rule's plays, validated.

    Raises:
        PolicyError: not a recommend rule, too many plays, an unknown signal or a
            malformed expected effect.
    """
    if not isinstance(rule, Mapping) or rule.get("kind") != "recommend_rule":
        raise PolicyError("recommend rule", type(rule).__name__,
                          'a dict with "kind": "recommend_rule"', "take the view's value")
    plays = rule.get("plays")
    if not isinstance(plays, list) or not 1 <= len(plays) <= MAX_PLAYS:
        raise PolicyError("plays", plays, f"a list of 1 to {MAX_PLAYS} plays",
                          "one action per goal: existing customers' value, new customers")
    out = []
    for n, play in enumerate(plays):
        if not isinstance(play, Mapping):
            raise PolicyError(f"plays[{n}]", play, "a dict", "use the view's value")
        pick = play.get("pick_by")
        if not isinstance(pick, list) or not pick or any(p not in signal_names for p in pick):
            raise PolicyError(f"plays[{n}].pick_by", pick,
                              f"a non-empty list from {signal_names}",
                              'e.g. ["customers", "consent_rate"]')
        out.append({"action": play.get("action"), "pick_by": list(pick),
                    "expected_effect": play.get("expected_effect")})
    return out


def segment_scores(signals: pd.DataFrame, pick_by: list[str]) -> pd.Series:
    """Each segment's score for one play: the product of its chosen signals."""
    s = with_derived(signals)
    score = pd.Series(1.0, index=s.index)
    for name in pick_by:
        score = score * s[name]
    return score


def apply_rule(rule: Any, signals: pd.DataFrame) -> list[dict[str, Any]]:
    """The recommendations the rule gives on `signals` (one per play).

    Raises:
        PolicyError: the rule is invalid (see `check_rule`).
    """
    s = with_derived(signals)
    plays = check_rule(rule, list(s.columns))
    recs = []
    for play in plays:
        score = segment_scores(signals, play["pick_by"])
        best = score[score == score.max()].sort_index().index[0]
        recs.append({"target_segment": str(best), "action": play["action"],
                     "expected_effect": play["expected_effect"]})
    return recs
