"""Prospect finder: a rule for whom to ask our customers to introduce us to.

A sales team leader decides which people in the referral network are worth an
introduction: how many of our customers (or their staff) must know them, whether people
who are already customers are left out (their phone or e-mail is a customer's), what puts
a person first and how many introductions sales can follow up. `value` is the **prospect
rule as data** (`crm_sim.leads.rules`), which a grader applies to another company's
network. The view shows the list and a chart of how well known the listed people are.
Every control has a method.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import pandas as pd

from crm_sim.leads import rules
from crm_sim.ui.view import View

RANK_WORDS = {"tie_strength": "closest ties first", "known_by": "known by most customers"}


class ProspectFinder(View):
    """Interactive prospect rule over a referral network.

    Attributes:
        edges: the network as ``{"source", "target", "source_kind", ...}`` dicts.
        customers: our customers as dicts (``customer_id``, ``phone``, ``email``).
        records: the lead sources (a prospect node is one of their records).
        rule: the rule currently set (canonical form).
        widget: the ipywidgets box to display.
    """

    def __init__(self, edges: list[Mapping], customers: list[Mapping], records: pd.DataFrame,
                 satisfied: set[str] | None = None):
        self.edges, self.customers, self.records = edges, customers, records
        self.satisfied = set(satisfied or ())
        self.rule = rules.check_prospect_rule({"kind": "prospect_rule",
                                               "exclude_customers": False})
        self._prospects: list[str] = []
        r = self.rule
        self._min = widgets.IntSlider(value=r["min_known_by"], min=1, max=5,
                                      description="Known by ≥", continuous_update=False)
        self._contacts = widgets.Checkbox(value=r["through_contacts"], indent=False,
                                          description="count staff of business customers")
        self._exclude = widgets.Checkbox(value=r["exclude_customers"], indent=False,
                                         description="leave out people already our customers")
        self._happy = widgets.Checkbox(value=r["satisfied_only"], indent=False,
                                       description="only people satisfied customers know")
        self._rank = widgets.Dropdown(options=[(v, k) for k, v in RANK_WORDS.items()],
                                      value=r["rank_by"], description="First")
        self._max = widgets.IntSlider(value=r["max_prospects"], min=1,
                                      max=rules.PROSPECTS_MAX, description="How many",
                                      continuous_update=False)
        for control, name in ((self._min, "min_known_by"),
                              (self._contacts, "through_contacts"),
                              (self._exclude, "exclude_customers"),
                              (self._happy, "satisfied_only"), (self._rank, "rank_by"),
                              (self._max, "max_prospects")):
            control.observe(lambda ch, n=name: self._on(n, ch["new"]), names="value")
        self._summary = widgets.HTML()
        self._out = widgets.Output()
        self.widget = widgets.VBox([
            widgets.HBox([self._min, self._contacts, self._exclude]),
            widgets.HBox([self._happy, self._rank, self._max]), self._summary, self._out])
        self.refresh()

    # ------------------------------------------------------------ user actions
    def set(self, name: str, value: Any) -> list[str]:
        """Change one part of the rule (what its control does) and return the list.

        Raises:
            PolicyError: unknown part or invalid value; nothing changes.
        """
        from crm_sim.errors import PolicyError

        if name not in rules.TAUGHT_PROSPECT_RULE or name == "kind":
            raise PolicyError("prospect rule", name,
                              ", ".join(k for k in rules.TAUGHT_PROSPECT_RULE if k != "kind"),
                              'e.g. set("min_known_by", 2)')
        self.rule = rules.check_prospect_rule({**self.rule, name: value})
        self._sync()
        return self.refresh()

    def refresh(self) -> list[str]:
        """Apply the rule to the network and redraw; returns the prospects, best first."""
        self._prospects = rules.apply_prospect_rule(self.edges, self.customers, self.records,
                                                    self.rule, self.satisfied)
        self._summary.value = "<br>".join(self.messages())
        self._redraw()
        return self._prospects

    # ------------------------------------------------------------ read-outs
    @property
    def value(self) -> dict[str, Any]:
        """The prospect rule as plain data (what `submit` hands in)."""
        return dict(self.rule)

    @property
    def prospects(self) -> list[str]:
        """The prospects the rule gives on this network (graph node ids)."""
        return list(self._prospects)

    def table(self) -> pd.DataFrame:
        """The listed prospects with how many customers know them and how well."""
        only = self.satisfied if self.rule["satisfied_only"] else None
        known = rules.known_prospects(self.edges, self.customers, self.rule["through_contacts"],
                                      only)
        known = known.set_index("prospect").reindex(self._prospects)
        return known.reset_index()

    def messages(self) -> list[str]:
        """What the rule means, in words a sales team leader uses."""
        r = self.rule
        out = [f"<b>{len(self._prospects)}</b> people to ask introductions for (at most "
               f"{r['max_prospects']})."]
        if not r["exclude_customers"]:
            out.append("People who are already our customers stay on the list: an "
                       "introduction to them wins nothing new.")
        if r["min_known_by"] > 2:
            out.append("Asking that many customers to know someone leaves few people: the "
                       "list may come out short.")
        if len(self._prospects) < r["max_prospects"]:
            out.append("Fewer people than sales can follow up: loosen the rule.")
        return out

    # ------------------------------------------------------------ internals
    def _on(self, name: str, value: Any) -> None:
        if self.rule[name] != value:
            self.set(name, value)

    def _sync(self) -> None:
        r = self.rule
        self._set_controls(((self._min, r["min_known_by"]),
                               (self._contacts, r["through_contacts"]),
                               (self._exclude, r["exclude_customers"]),
                               (self._happy, r["satisfied_only"]),
                               (self._rank, r["rank_by"]), (self._max, r["max_prospects"])))

    def _draw(self) -> None:
        """The list and a bar of how many customers know each listed person (kernel only)."""
        from IPython import get_ipython

        self._out.clear_output()
        if get_ipython() is None:
            return
        import matplotlib.pyplot as plt
        from IPython.display import display

        with self._out:
            table = self.table()
            display(table.head(10))
            if not table.empty:
                fig, ax = plt.subplots(figsize=(5, 2))
                table["known_by"].value_counts().sort_index().plot.bar(ax=ax)
                ax.set_xlabel("customers who know the person")
                ax.set_ylabel("people listed")
                plt.tight_layout()
                plt.show()
