"""A scorecard: pick the signals that count, weigh them, filter, and see who comes out on top.

Generic: it knows nothing of a unit. It is given a table of *signals* (one row per
candidate, one column per signal, each scaled 0..1, higher = better), the *group* of each
candidate (e.g. their segment), an *eligible* flag (e.g. marketing consent) and how many
to pick per group. Its value is the **rule as data** -- the weights, whether only eligible
candidates may be picked and the number per group -- so a grader can apply the same rule
to another company's signals (`apply_scorecard`) and never run the trainee's code.

Every control is a method (`set_weight`, `set_weights`, `require_eligible`, `refresh`) so
tests and the source notebook drive the view exactly as a click would.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import pandas as pd

from crm_sim.errors import FieldError
from crm_sim.ui.view import View

RULE_KIND = "scorecard"
MAX_WEIGHT = 5.0


def rule_problems(rule: Any, signals: list[str]) -> list[str]:
    """What is wrong with a scorecard rule, in words a trainee understands (empty = fine)."""
    if not isinstance(rule, Mapping) or rule.get("kind") != RULE_KIND:
        return ["the answer must be a scorecard's value (scorecard.value)"]
    weights = rule.get("weights")
    if not isinstance(weights, Mapping):
        return ["the scorecard has no weights: give at least one signal a weight"]
    problems = []
    unknown = [str(k) for k in weights if k not in signals]
    if unknown:
        problems.append(f"these signals do not exist: {', '.join(unknown[:5])}; "
                        f"use {', '.join(signals)}")
    bad = [str(k) for k, v in weights.items()
           if isinstance(v, bool) or not isinstance(v, (int, float))
           or not -MAX_WEIGHT <= float(v) <= MAX_WEIGHT]
    if bad:
        problems.append(f"weights must be numbers between -{MAX_WEIGHT:g} and {MAX_WEIGHT:g}: "
                        f"{', '.join(bad[:5])}")
    if not problems and not any(float(v) != 0 for v in weights.values()):
        problems.append("every weight is zero: the scorecard cannot rank anyone")
    if not isinstance(rule.get("eligible_only"), bool):
        problems.append("say whether only eligible (consented) customers may be picked")
    return problems


def apply_scorecard(rule: Mapping[str, Any], signals: pd.DataFrame, groups: pd.Series,
                    eligible: pd.Series, per_group: int) -> dict[str, list[str]]:
    """The picks a scorecard rule makes: per group, the `per_group` highest scores.

    Args:
        rule: a scorecard value (see `rule_problems`; raise on a bad rule).
        signals: one row per candidate id, one 0..1 column per signal.
        groups: candidate id -> group name.
        eligible: candidate id -> may be picked when the rule asks for eligibility.
        per_group: how many to pick in each group.

    Returns:
        {group: [ids]}, best first; ties keep the table's order.
    """
    problems = rule_problems(rule, list(signals.columns))
    if problems:
        raise FieldError("scorecard", "(rule)", "a valid scorecard rule", "; ".join(problems))
    score = sum(float(w) * signals[name].astype(float)
                for name, w in rule["weights"].items() if float(w) != 0)
    frame = pd.DataFrame({"score": score, "group": groups.reindex(signals.index),
                          "ok": eligible.reindex(signals.index).fillna(False).astype(bool)})
    if rule["eligible_only"]:
        frame = frame[frame["ok"]]
    return {str(g): part.sort_values("score", ascending=False, kind="stable").index[:per_group]
            .astype(str).tolist() for g, part in frame.groupby("group", sort=True)}


class Scorecard(View):
    """A view that weighs signals and shows who each group's top picks would be.

    Attributes:
        signals: the candidates' signals (index = candidate id).
        labels: signal -> words shown next to its slider.
        chart_data: the weights the chart last drew, by signal.
        widget: the composed ipywidgets view.
    """

    def __init__(self, signals: pd.DataFrame, groups: pd.Series, eligible: pd.Series,
                 per_group: int, labels: Mapping[str, str] | None = None,
                 eligible_label: str = "Only customers who gave marketing consent"):
        """Build the view with every weight at zero (the trainee decides what counts).

        Args:
            signals: one row per candidate, one 0..1 column per signal.
            groups: candidate id -> group (segment).
            eligible: candidate id -> eligible (consent) flag.
            per_group: picks per group.
            labels: words for each signal (default: its column name).
            eligible_label: words for the eligibility filter.
        """
        self.signals = signals
        self.groups = groups
        self.eligible = eligible
        self.per_group = int(per_group)
        self.labels = {s: (labels or {}).get(s, s) for s in signals.columns}
        self._sliders = {s: widgets.FloatSlider(value=0.0, min=-MAX_WEIGHT, max=MAX_WEIGHT,
                                                step=0.05, description=s,
                                                continuous_update=False,
                                                # the signal's whole name, never "said_satis..."
                                                style={"description_width": "160px"},
                                                layout=widgets.Layout(width="440px"))
                         for s in signals.columns}
        self._filter = widgets.Checkbox(value=False, description=eligible_label,
                                        layout=widgets.Layout(width="auto"))
        self._status = widgets.HTML()
        self._out = widgets.Output()
        self._quiet = False
        for slider in self._sliders.values():
            slider.observe(lambda _: self._changed(), names="value")
        self._filter.observe(lambda _: self._changed(), names="value")
        rows = [widgets.HBox([self._sliders[s], widgets.HTML(html.escape(self.labels[s]))])
                for s in signals.columns]
        self.widget = widgets.VBox([*rows, self._filter, self._status, self._out])
        self.refresh()

    # ------------------------------------------------------------------ user actions
    def set_weight(self, signal: str, weight: float) -> None:
        """Move one signal's slider."""
        if signal not in self._sliders:
            raise FieldError("signal", signal, ", ".join(self._sliders), "pick a listed signal")
        if not -MAX_WEIGHT <= float(weight) <= MAX_WEIGHT:
            raise FieldError("weight", weight, f"-{MAX_WEIGHT:g} to {MAX_WEIGHT:g}",
                             "a bigger weight means the signal counts more")
        self._sliders[signal].value = float(weight)

    def set_weights(self, weights: Mapping[str, float]) -> None:
        """Set several weights at once; signals not named go back to zero."""
        for signal in weights:
            if signal not in self._sliders:
                raise FieldError("signal", signal, ", ".join(self._sliders),
                                 "pick a listed signal")
        self._quiet = True
        try:
            for signal in self._sliders:
                self.set_weight(signal, float(weights.get(signal, 0.0)))
        finally:
            self._quiet = False
        self.refresh()

    def require_eligible(self, on: bool = True) -> None:
        """Tick (or untick) the eligibility filter (e.g. marketing consent)."""
        self._filter.value = bool(on)

    @property
    def value(self) -> dict[str, Any]:
        """The rule as data: what `submit` hands in and `apply_scorecard` applies."""
        return {"kind": RULE_KIND,
                "weights": {s: round(float(w.value), 4) for s, w in self._sliders.items()
                            if float(w.value) != 0},
                "eligible_only": bool(self._filter.value), "per_group": self.per_group}

    def problems(self) -> list[str]:
        """What stops the rule from being used, in plain words (empty = usable)."""
        problems = rule_problems(self.value, list(self.signals.columns))
        if not self._filter.value:
            problems.append("customers without marketing consent can be picked: a promotion "
                            "call to them breaks the law")
        return problems

    def picks(self) -> dict[str, list[str]]:
        """Who the rule picks now (empty while the rule is unusable)."""
        if rule_problems(self.value, list(self.signals.columns)):
            return {}
        return apply_scorecard(self.value, self.signals, self.groups, self.eligible,
                               self.per_group)

    def refresh(self) -> str:
        """Recompute the picks; show warnings and a chart of the weights; return the status."""
        problems = self.problems()
        picks = self.picks()
        if problems:
            text = "<br>".join(f"✘ {html.escape(p)}" for p in problems)
        else:
            text = "✔ the scorecard can be used"
        if picks:
            text += "<br>" + "<br>".join(
                f"<b>{html.escape(g)}</b>: {len(ids)} picked, first "
                f"{html.escape(', '.join(ids[:3]))}"
                for g, ids in picks.items())
        self._status.value = text
        self.chart_data = {s: w.value for s, w in self._sliders.items()}   # what the bars show
        self._redraw()
        return text

    # -------------------------------------------------------------------- internals
    def _changed(self) -> None:
        if not self._quiet:
            self.refresh()

    def _draw(self) -> None:
        """A bar per signal: how much each one counts (people read weights faster as bars)."""
        import matplotlib.pyplot as plt

        self._out.clear_output(wait=True)
        weights = self.chart_data
        with self._out:
            fig, ax = plt.subplots(figsize=(5, 0.35 * len(weights) + 0.6))
            ax.barh(list(weights), list(weights.values()), color="#3b7dd8")
            ax.axvline(0, color="black", linewidth=0.8)
            ax.set_xlabel("weight (how much the signal counts)")
            fig.tight_layout()
            plt.show()
            plt.close(fig)
