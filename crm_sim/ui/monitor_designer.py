"""A monitoring designer: what the dashboard shows, what counts as a breach, whom it flags.

Generic: it knows nothing of a unit. Given a company with a contact policy and its contact
log (`policy_log`), it shows the monitoring dashboard (`crm_sim.policy.monitor`): new
customers and mobility per month and segment, and per staff member and agency the
breaches found and whether they are flagged, with the evidence rows. The controls are
the `MonitorRules` and the dashboard's contents and period. Its value is all of that as
data, which a grader applies to another company's log.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from crm_sim.errors import FieldError
from crm_sim.policy.monitoring import MonitorRules, monitor
from crm_sim.ui.view import View

KIND = "monitor"
TABLES = ("new_customers", "mobility", "actors", "evidence")


class MonitorDesigner(View):
    """Set monitoring rules and the dashboard; value is ``{"kind": "monitor", ...}``.

    Attributes:
        world: the company.
        policy: the policy judged against.
        rules: the current `MonitorRules`.
        tables: dashboard tables shown.
        every_months: how often the dashboard is refreshed and read (months).
        dashboard: the last dashboard (table name -> DataFrame).
        chart_data: actor -> breach rate, what the chart shows (red: flagged; the line is
            the breach rate that makes a pattern).
        widget: the composed view.
    """

    def __init__(self, world: Any, policy: Any, rules: MonitorRules | None = None):
        """Open with every check off and nobody judged: the trainee sets the rules."""
        self.world, self.policy = world, policy
        self.rules = rules or MonitorRules(
            wrong_channel=False, over_contact=False, consent=False, dishonest=False,
            excuse_customer_requests=False, min_contacts=0, max_breach_rate=1.0,
            dishonest_flags=False, include_outsourcers=False)
        self.tables: list[str] = []
        self.every_months = 12
        self._out = widgets.Output()
        self._controls: dict[str, Any] = {}
        items = []
        for name, default in self.rules.to_dict().items():
            if isinstance(default, bool):
                control = widgets.Checkbox(description=name)
            elif name == "max_breach_rate":
                control = widgets.FloatSlider(min=0.0, max=1.0, step=0.01, description=name,
                                              style={"description_width": "initial"})
            else:
                control = widgets.BoundedIntText(min=0, max=120, description=name,
                                                style={"description_width": "initial"})
            control.observe(lambda ch, n=name: self._safely(lambda: self.set(n, ch["new"])),
                            names="value")
            self._controls[name] = control
            items.append(control)
        self._tables = widgets.SelectMultiple(options=TABLES, description="dashboard")
        self._tables.observe(lambda ch: self._safely(lambda: self.show_tables(ch["new"])),
                             names="value")
        self._every = widgets.BoundedIntText(min=1, max=24, description="every (months)",
                                             style={"description_width": "initial"})
        self._every.observe(lambda ch: self._safely(lambda: self.refresh_every(ch["new"])),
                            names="value")
        self._board = widgets.Output()
        self.widget = widgets.VBox([*items, self._tables, self._every, self._out, self._board])
        self.dashboard: dict[str, Any] = {}
        self.chart_data: dict[str, float] = {}
        self._chart = widgets.Output()
        self.widget.children = (*self.widget.children, self._chart)
        self._show()

    def set(self, name: str, value: Any) -> MonitorRules:
        """Change one rule (see `MonitorRules`)."""
        fields = MonitorRules.__dataclass_fields__
        if name not in fields:
            raise FieldError("rule", name, ", ".join(fields), "pick a listed rule")
        self.rules = MonitorRules(**{**self.rules.to_dict(), name: value})
        self._show()
        return self.rules

    def show_tables(self, names) -> list[str]:
        """Choose the dashboard's tables (from new_customers, mobility, actors, evidence)."""
        names = list(names)
        bad = [n for n in names if n not in TABLES]
        if bad:
            raise FieldError("tables", bad, ", ".join(TABLES), "pick listed tables")
        self.tables = [t for t in TABLES if t in names]
        self._show()
        return self.tables

    def refresh_every(self, months: int) -> int:
        """How often (months) the dashboard is refreshed and reviewed."""
        if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 24:
            raise FieldError("every_months", months, "whole months 1..24", "e.g. 1 (monthly)")
        self.every_months = months
        self._show()
        return months

    @property
    def value(self) -> dict[str, Any]:
        """Rules, tables and period as data (what is handed in)."""
        return {"kind": KIND, "rules": self.rules.to_dict(), "tables": list(self.tables),
                "every_months": self.every_months}

    def flagged(self) -> list[str]:
        """Actors the current rules flag in this company's log."""
        actors = self.dashboard.get("actors")
        if actors is None:
            return []
        return sorted(actors.loc[actors["flagged"], "actor_id"].astype(str))

    def _show(self) -> None:
        pairs = [(self._controls[n], v) for n, v in self.rules.to_dict().items()]
        pairs += [(self._tables, tuple(self.tables)), (self._every, self.every_months)]
        self._set_controls(pairs)
        self.dashboard = monitor(self.world, self.policy, self.rules)
        actors = self.dashboard["actors"]
        self.chart_data = dict(zip(actors["actor_id"].astype(str),
                                   actors["breach_rate"].astype(float), strict=True))
        self._redraw()

    def _draw(self) -> None:
        """The dashboard's tables; each actor's breach rate against the bar (a pattern shows)."""
        self._board.clear_output(wait=True)
        with self._board:
            from IPython.display import display

            for name in self.tables:
                print(name)
                display(self.dashboard[name].head(20))
        actors = self.dashboard["actors"]
        self._chart.clear_output(wait=True)
        if not len(actors):
            return
        import matplotlib.pyplot as plt

        with self._chart:
            fig, ax = plt.subplots(figsize=(7, 2.4))
            ax.bar(list(self.chart_data), list(self.chart_data.values()),
                   color=["#d9534f" if f else "#3b7dd8" for f in actors["flagged"]])
            ax.axhline(self.rules.max_breach_rate, color="black", linewidth=0.8)
            ax.set_ylabel("share of contacts in breach")
            ax.tick_params(axis="x", labelrotation=90, labelsize=7)
            fig.tight_layout()
            plt.show()
            plt.close(fig)
