"""Lead rule builder: set the qualification standard and how leads are chosen, see the list.

A sales team leader decides which prospects sales works next month: management's
standards (budget, deal size, authority, need, timeline, consent), whether the records
of one prospect are merged first (on phone, e-mail), where consent may come from, what
goes first and how many leads sales can take. `value` is the **lead rule as data**
(`crm_sim.leads.rules`), which a grader applies to another company's sources. The view
shows the list it gives here (contact details masked), warns in plain words, and draws
how soon the listed leads mean to buy. Every control has a method.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import ipywidgets as widgets
import pandas as pd

from crm_sim import privacy
from crm_sim.errors import PolicyError
from crm_sim.leads import rules
from crm_sim.leads.columns import AUTHORITY_LEVELS
from crm_sim.leads.qualification import LeadStandards
from crm_sim.ui.view import View

RANK_WORDS = {"soonest": "buys soonest", "largest_budget": "largest budget",
              "newest": "newest record"}


class LeadRuleBuilder(View):
    """Interactive lead rule over a table of source records.

    Attributes:
        records: every source record (one row each).
        today: the date leads are judged on (freshness, timeline).
        rule: the lead rule currently set (canonical, standards a `LeadStandards`).
        widget: the ipywidgets box to display.
    """

    def __init__(self, records: pd.DataFrame, standards: LeadStandards, today: Any):
        self.records = records.reset_index(drop=True)
        self.today = today
        self._management = standards
        self.rule = rules.check_lead_rule({"kind": "lead_rule", "merge_on": [],
                                           "rank_by": [], "max_leads": rules.MAX_LEADS,
                                           "standards": standards.to_dict()})
        self._result = pd.DataFrame()
        s = standards
        self._merge = widgets.SelectMultiple(options=list(rules.MERGE_FIELDS), value=(),
                                             description="Merge on")
        self._rank = widgets.SelectMultiple(options=list(rules.RANKINGS), value=(),
                                            description="First by")
        self._max = widgets.IntSlider(value=rules.MAX_LEADS, min=1, max=rules.MAX_LEADS,
                                      description="Leads", continuous_update=False)
        self._purchased = widgets.Checkbox(value=False, indent=False,
                                           description="count consent from the purchased list")
        self._min_deal = widgets.IntSlider(value=int(s.min_deal_hkd), min=0, max=200_000,
                                           step=5_000, description="Min deal HKD",
                                           continuous_update=False,
                                           style={"description_width": "initial"})
        self._authority = widgets.SelectMultiple(options=list(AUTHORITY_LEVELS),
                                                 value=tuple(s.authority_levels),
                                                 description="Authority")
        self._consent = widgets.Checkbox(value=s.require_consent, indent=False,
                                         description="require marketing consent (PDPO)")
        self._merge.observe(lambda ch: self.merge_on(list(ch["new"])), names="value")
        self._rank.observe(lambda ch: self.rank_by(list(ch["new"])), names="value")
        self._max.observe(lambda ch: self.set_max_leads(ch["new"]), names="value")
        self._purchased.observe(lambda ch: self.consent_from_purchased(ch["new"]),
                                names="value")
        self._min_deal.observe(lambda ch: self._std("min_deal_hkd", float(ch["new"])),
                               names="value")
        self._authority.observe(lambda ch: self._std("authority_levels", tuple(ch["new"])),
                                names="value")
        self._consent.observe(lambda ch: self._std("require_consent", ch["new"]),
                              names="value")
        self._summary = widgets.HTML()
        self._out = widgets.Output()
        self.widget = widgets.VBox([
            widgets.HBox([self._merge, self._rank, widgets.VBox([self._max,
                                                                 self._purchased])]),
            widgets.HBox([self._min_deal, self._authority, self._consent]),
            self._summary, self._out])
        self.refresh()

    # ------------------------------------------------------------ user actions
    def merge_on(self, fields: list[str]) -> pd.DataFrame:
        """Join the records of one prospect that share these fields before judging."""
        return self._set(merge_on=list(fields))

    def rank_by(self, order: list[str]) -> pd.DataFrame:
        """What puts a lead first: e.g. ``["soonest", "largest_budget"]``."""
        return self._set(rank_by=list(order))

    def set_max_leads(self, n: int) -> pd.DataFrame:
        """How many leads sales can work (1-40)."""
        return self._set(max_leads=n)

    def consent_from_purchased(self, on: bool) -> pd.DataFrame:
        """Whether consent on the purchased list counts (it should not)."""
        return self._set(consent_from_purchased=bool(on))

    def set_standard(self, name: str, value: Any) -> pd.DataFrame:
        """Change one qualification rule (e.g. ``"min_deal_hkd"``).

        Raises:
            PolicyError: unknown rule or invalid value; nothing changes.
        """
        fields = {f.name for f in dataclasses.fields(LeadStandards)}
        if name not in fields:
            raise PolicyError("standard", name, ", ".join(sorted(fields)),
                              'e.g. set_standard("min_deal_hkd", 20000)')
        return self._set(standards=dataclasses.replace(self.rule["standards"],
                                                       **{name: value}))

    def use_management_standards(self) -> pd.DataFrame:
        """Back to the standards management issued."""
        return self._set(standards=self._management)

    def refresh(self) -> pd.DataFrame:
        """Apply the rule to the records, redraw; returns the lead list (unmasked)."""
        self._result = rules.apply_lead_rule(self.records, self.value, self.today)
        self._summary.value = "<br>".join(self.messages())
        self._redraw()
        return self._result

    # ------------------------------------------------------------ read-outs
    @property
    def value(self) -> dict[str, Any]:
        """The lead rule as plain data (what `submit` hands in)."""
        r = self.rule
        return {"kind": "lead_rule", "merge_on": list(r["merge_on"]),
                "rank_by": list(r["rank_by"]), "max_leads": r["max_leads"],
                "consent_from_purchased": r["consent_from_purchased"],
                "standards": r["standards"].to_dict()}

    @property
    def leads(self) -> pd.DataFrame:
        """The lead list the rule gives on these records."""
        return self._result

    def messages(self) -> list[str]:
        """What the rule means, in words a sales team leader uses."""
        r, s, out = self.rule, self.rule["standards"], []
        out.append(f"<b>{len(self._result)}</b> leads for sales (at most {r['max_leads']}).")
        if not r["merge_on"]:
            out.append("Records are not merged: a prospect whose budget is on one record "
                       "and timeline on another is judged on half of what we know, and may "
                       "appear twice.")
        if r["consent_from_purchased"]:
            out.append("Consent on a purchased list was given to another company, not to "
                       "us: it does not allow our direct marketing (PDPO Part 6A).")
        if not s.require_consent:
            out.append("Without the consent rule these leads may not receive direct "
                       "marketing.")
        if not r["rank_by"]:
            out.append("Nothing decides which leads go first: the list is in record order.")
        weaker = [f.name for f in dataclasses.fields(LeadStandards)
                  if getattr(s, f.name) != getattr(self._management, f.name)]
        if weaker:
            out.append(f"Standards changed from management's: {', '.join(weaker)}.")
        return out

    # ------------------------------------------------------------ internals
    def _set(self, **change: Any) -> pd.DataFrame:
        data = {**self.rule, **change}
        self.rule = rules.check_lead_rule(data)      # PolicyError: nothing changes
        self._sync()
        return self.refresh()

    def _std(self, name: str, value: Any) -> None:
        if getattr(self.rule["standards"], name) != value:
            try:
                self.set_standard(name, value)
            except PolicyError as e:
                self._summary.value = f"<b>Not applied:</b> {e}"

    def _sync(self) -> None:
        r, s = self.rule, self.rule["standards"]
        self._set_controls(((self._merge, tuple(r["merge_on"])),
                               (self._rank, tuple(r["rank_by"])),
                               (self._max, r["max_leads"]),
                               (self._purchased, r["consent_from_purchased"]),
                               (self._min_deal, int(s.min_deal_hkd)),
                               (self._authority, tuple(s.authority_levels)),
                               (self._consent, s.require_consent)))

    def _draw(self) -> None:
        """The list (masked) and a bar of how soon the leads mean to buy (kernel only)."""
        from IPython import get_ipython

        self._out.clear_output()
        if get_ipython() is None:
            return
        import matplotlib.pyplot as plt
        from IPython.display import display

        with self._out:
            display(privacy.mask_frame(self._result.head(15)))
            if not self._result.empty:
                months = pd.to_numeric(self._result["timeline_months"], errors="coerce")
                fig, ax = plt.subplots(figsize=(5, 2))
                months.value_counts().sort_index().plot.bar(ax=ax)
                ax.set_xlabel("months until they mean to buy")
                ax.set_ylabel("leads")
                plt.tight_layout()
                plt.show()
