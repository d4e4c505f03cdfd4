"""Recommender: one action per goal, aimed by the segment signals the manager trusts.

For each goal (existing customers' value, new customers) the manager picks an action
from `crm_sim.profile_review.ACTIONS`, the signals that make a segment the right target
(the segment with the largest product of them is chosen) and the effect they expect.
The view shows which segment each play picks on this company and draws every segment's
score, so the choice can be seen rather than read. `value` is the **rule per segment
signal as data** (`crm_sim.segment_rules`), which a grader applies to another company.
Every control has a method.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd

from crm_sim import segment_rules
from crm_sim.errors import PolicyError
from crm_sim.profile_review import ACTIONS, METRICS
from crm_sim.ui.view import View

GOAL_WORDS = {"retained_value": "existing customers' value", "new_customers": "new customers"}


class Recommender(View):
    """Two plays (one per goal) over a table of segment signals.

    Attributes:
        signals: the segment signal table (``segment`` as a column or the index).
        plays: ``{metric: {"action", "pick_by", "change"}}`` for the goals in use.
        widget: the ipywidgets box to display.
    """

    def __init__(self, signals: pd.DataFrame):
        self.signals = signals
        self._names = list(segment_rules.with_derived(signals).columns)
        self.plays: dict[str, dict[str, Any]] = {}
        self._controls: dict[str, tuple] = {}
        rows = []
        for metric in METRICS:
            actions = ["(none)"] + [a for a, spec in ACTIONS.items() if spec["metric"] == metric]
            act = widgets.Dropdown(options=actions, value="(none)",
                                   description=GOAL_WORDS[metric],   # whole, not "new custo..."
                                   style={"description_width": "initial"})
            pick = widgets.SelectMultiple(options=self._names, value=(), description="aim by")
            change = widgets.FloatText(value=0.0, description="expect +")
            for w in (act, pick, change):
                w.observe(lambda _ch, m=metric: self._on(m), names="value")
            self._controls[metric] = (act, pick, change)
            rows.append(widgets.HBox([act, pick, change],
                                     layout=widgets.Layout(flex_flow="row wrap")))
        self._summary = widgets.HTML()
        self._out = widgets.Output()
        self.widget = widgets.VBox([*rows, self._summary, self._out])
        self._quiet = False
        self.refresh()

    # ------------------------------------------------------------ user actions
    def set_play(self, metric: str, action: str, pick_by: list[str],
                 change: float) -> list[dict[str, Any]]:
        """Fund `action` for the goal `metric`, aimed by `pick_by`, expecting `change`.

        Raises:
            PolicyError: unknown goal, an action for another goal, or unknown signals.
        """
        if metric not in METRICS:
            raise PolicyError("goal", metric, " or ".join(METRICS), "e.g. new_customers")
        if action not in ACTIONS or ACTIONS[action]["metric"] != metric:
            fits = [a for a, spec in ACTIONS.items() if spec["metric"] == metric]
            raise PolicyError(f"{metric} action", action, ", ".join(fits),
                              f"{action!r} moves another goal" if action in ACTIONS else
                              "pick a listed action")
        bad = [p for p in pick_by if p not in self._names]
        if bad or not pick_by:
            raise PolicyError("aim by", bad or pick_by, ", ".join(self._names),
                              "pick the signals that make a segment the right target")
        self.plays[metric] = {"action": action, "pick_by": list(pick_by),
                              "change": float(change)}
        self._sync(metric)
        return self.refresh()

    def drop_play(self, metric: str) -> list[dict[str, Any]]:
        """Fund nothing for this goal."""
        self.plays.pop(metric, None)
        self._sync(metric)
        return self.refresh()

    def refresh(self) -> list[dict[str, Any]]:
        """Recompute which segment each play picks and redraw; returns the advice."""
        self._advice = segment_rules.apply_rule(self.value, self.signals) if self.plays \
            else []
        self._summary.value = "<br>".join(self.messages())
        self._redraw()
        return self._advice

    # ------------------------------------------------------------ read-outs
    @property
    def value(self) -> dict[str, Any]:
        """The rule per segment signal (what `submit` hands in)."""
        return {"kind": "recommend_rule", "plays": [
            {"action": p["action"], "pick_by": list(p["pick_by"]),
             "expected_effect": {"metric": m, "change": p["change"]}}
            for m, p in self.plays.items()]}

    @property
    def advice(self) -> list[dict[str, Any]]:
        """The recommendations the rule gives on this company."""
        return list(self._advice)

    def messages(self) -> list[str]:
        """What each play does here, and what to watch, in a manager's words."""
        if not self.plays:
            return ["No action funded yet: pick one per goal."]
        out = []
        for rec in self._advice:
            metric = rec["expected_effect"]["metric"]
            out.append(f"{GOAL_WORDS[metric].capitalize()}: <b>{rec['action']}</b> for the "
                       f"<b>{rec['target_segment']}</b> segment.")
            if ACTIONS[rec["action"]]["marketing"] and "consent_rate" not in \
                    self.plays[metric]["pick_by"]:
                out.append("This is direct marketing: it may reach only customers who "
                           "consented. Aim by consent_rate too.")
            if rec["action"] == "purchased_list_campaign":
                out.append("A purchased list: those people never consented to us. Calling "
                           "them to sell breaches the PDPO (Part 6A).")
            if rec["expected_effect"]["change"] <= 0:
                out.append("State the effect you expect as a positive change.")
        missing = [GOAL_WORDS[m] for m in METRICS if m not in self.plays]
        if missing:
            out.append(f"Nothing funded for {missing[0]}.")
        return out

    # ------------------------------------------------------------ internals
    def _on(self, metric: str) -> None:
        if self._quiet:
            return
        act, pick, change = self._controls[metric]
        if act.value == "(none)":
            if metric in self.plays:
                self.drop_play(metric)
            return
        if pick.value:
            try:
                self.set_play(metric, act.value, list(pick.value), change.value)
            except PolicyError as e:
                self._summary.value = f"<b>Not applied:</b> {e}"

    def _sync(self, metric: str) -> None:
        act, pick, change = self._controls[metric]
        play = self.plays.get(metric)
        self._quiet = True
        try:
            act.value = play["action"] if play else "(none)"
            pick.value = tuple(play["pick_by"]) if play else ()
            change.value = play["change"] if play else 0.0
        finally:
            self._quiet = False

    def _draw(self) -> None:
        """Each segment's score per play, as bars (kernel only)."""
        from IPython import get_ipython

        self._out.clear_output()
        if get_ipython() is None or not self.plays:
            return
        import matplotlib.pyplot as plt

        with self._out:
            fig, axes = plt.subplots(1, len(self.plays), figsize=(5 * len(self.plays), 2.5))
            axes = axes if len(self.plays) > 1 else [axes]
            for ax, play in zip(axes, self.plays.values(), strict=True):
                segment_rules.segment_scores(self.signals, play["pick_by"]).plot.bar(ax=ax)
                ax.set_title(f"{play['action']}: {' x '.join(play['pick_by'])}", fontsize=8)
            plt.tight_layout()
            plt.show()
