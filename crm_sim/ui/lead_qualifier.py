"""Lead qualifier: try management's standards on the sources and see the resulting list.

A thin view over `crm_sim.leads.qualification`: the controls edit a `LeadStandards`, the
engine's `qualify_frame` judges every source record, and the view shows the qualified
leads with identifiers **masked** (`crm_sim.privacy.mask_frame`), so it can be projected
in a classroom or shared on screen without exposing anyone's phone or e-mail. Every
control has a method (`set_standard`, `reset`, `refresh`) so tests and onboarding
dashboards drive the view from code exactly as a click would.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import ipywidgets as widgets
import pandas as pd

from crm_sim import privacy
from crm_sim.errors import PolicyError
from crm_sim.leads.columns import AUTHORITY_LEVELS
from crm_sim.leads.qualification import LeadStandards, management_standards, qualify_frame
from crm_sim.leads.sources import ensure_sources
from crm_sim.ui.view import View

SHOWN_COLUMNS = ("record_id", "source", "name", "company", "phone", "email", "need",
                 "budget_hkd", "timeline_months", "authority")
TABLE_ROWS = 15


class LeadQualifier(View):
    """Interactive view of which source records meet a set of lead standards.

    Attributes:
        world: the trainee's world (sources are generated on first use).
        standards: the `LeadStandards` currently applied (starts as management's).
        widget: the ipywidgets `VBox` to display.
    """

    def __init__(self, world: Any, standards: LeadStandards | None = None):
        self.world = world
        self._records = pd.concat(ensure_sources(world).values(), ignore_index=True)
        self._default = standards if standards is not None else management_standards(world)
        self.standards = self._default
        self._result: pd.DataFrame | None = None
        s = self.standards
        self._min_deal = widgets.IntSlider(
            value=int(s.min_deal_hkd), min=0, max=200_000, step=5_000,
            description="Min deal HKD", continuous_update=False)
        self._timeline = widgets.IntSlider(
            value=int(s.max_timeline_months or 24), min=1, max=24,
            description="Buy within (m)", continuous_update=False)
        self._authority = widgets.SelectMultiple(
            options=list(AUTHORITY_LEVELS), value=tuple(s.authority_levels),
            description="Authority")
        self._consent = widgets.Checkbox(value=s.require_consent,
                                         description="Require marketing consent (PDPO)")
        self._summary = widgets.HTML()
        self._out = widgets.Output()
        for control, name, convert in (
            (self._min_deal, "min_deal_hkd", float),
            (self._timeline, "max_timeline_months", float),
            (self._authority, "authority_levels", tuple),
            (self._consent, "require_consent", bool),
        ):
            control.observe(lambda change, n=name, f=convert: self._on_change(n, f(
                change["new"])), names="value")
        self.widget = widgets.VBox([
            widgets.HBox([self._min_deal, self._timeline]),
            widgets.HBox([self._authority, self._consent]),
            self._summary, self._out,
        ])
        self.refresh()

    # ------------------------------------------------------------ user actions
    def set_standard(self, name: str, value: Any) -> pd.DataFrame:
        """Change one rule (what moving its control does) and return the new list.

        Raises:
            PolicyError: unknown rule name or an invalid value; the view is unchanged.
        """
        fields = {f.name for f in dataclasses.fields(LeadStandards)}
        if name not in fields:
            raise PolicyError("standard", name, ", ".join(sorted(fields)),
                              'e.g. set_standard("min_deal_hkd", 20000)')
        self.standards = dataclasses.replace(self.standards, **{name: value})
        self._sync_controls()
        return self.refresh()

    def reset(self) -> pd.DataFrame:
        """Back to management's standards."""
        self.standards = self._default
        self._sync_controls()
        return self.refresh()

    def refresh(self) -> pd.DataFrame:
        """Re-judge every record and redraw; returns the qualified leads, masked."""
        judged = qualify_frame(self._records, self.standards, as_of=self.world.today)
        qualified = judged[judged["qualified"]]
        shown = privacy.mask_frame(qualified[list(SHOWN_COLUMNS)].reset_index(drop=True))
        self._result = shown
        reasons = self.failure_counts(judged)
        top = ", ".join(f"{r} ({n})" for r, n in list(reasons.items())[:4])
        warn = "" if self.standards.require_consent else (
            "<br><b>Without the consent rule this list may not be used for direct "
            "marketing.</b>")
        self._summary.value = (f"<b>{len(qualified)}</b> of {len(judged)} records qualify. "
                               f"Most common reasons to fail: {top or 'none'}.{warn}")
        self._show(shown.head(TABLE_ROWS))
        return shown

    # ------------------------------------------------------------ read-outs
    @property
    def result(self) -> pd.DataFrame:
        """The qualified leads currently shown (masked)."""
        return self._result if self._result is not None else self.refresh()

    @staticmethod
    def failure_counts(judged: pd.DataFrame) -> dict[str, int]:
        """How many records fail each rule, most common first."""
        reasons = judged.loc[~judged["qualified"], "reasons"].astype(str)
        counts = reasons.str.split("; ").explode().value_counts()
        return {str(k): int(v) for k, v in counts.items() if k}

    def _on_change(self, name: str, value: Any) -> None:
        if name == "authority_levels" and not value:
            value = ()
        if getattr(self.standards, name) == value:
            return
        try:
            self.set_standard(name, value)
        except PolicyError as e:
            self._summary.value = f"<b>Not applied:</b> {e}"

    def _sync_controls(self) -> None:
        s = self.standards
        pairs = ((self._min_deal, int(s.min_deal_hkd)),
                 (self._timeline, int(s.max_timeline_months or 24)),
                 (self._authority, tuple(s.authority_levels)),
                 (self._consent, s.require_consent))
        self._set_controls(pairs)

    def _show(self, table: pd.DataFrame) -> None:
        """Draw the table in the Output widget (only inside a kernel: no stray prints)."""
        from IPython import get_ipython

        self._out.clear_output()
        if get_ipython() is None:
            return
        with self._out:
            from IPython.display import display

            display(table)
