"""A resource planner: turn a contact policy into people and money, by a method you state.

Generic: it knows nothing of a unit. Given a company and a `ContactPolicy`, it shows what
the policy needs (staff hours and headcount by role, agency spend, training hours, cost
against the budget) as `crm_sim.policy.predict_resources` estimates it under the chosen
`ResourceMethod`: where handling time comes from, whether unanswered attempts count, how
much of a contracted hour goes on contact. Its value is the method as data, which a grader
applies to another company and compares with what that company truly needs.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from crm_sim.errors import FieldError
from crm_sim.policy.resources import (
    HANDLING,
    OUTSOURCERS,
    WEEKS_PER_MONTH,
    ResourceMethod,
    monthly_cost,
    predict_resources,
    totals,
)
from crm_sim.ui.view import View

KIND = "resource_method"


class ResourcePlanner(View):
    """Predict a policy's resources with a stated method; value is the method as data.

    Attributes:
        world: the company.
        policy: the policy whose needs are predicted.
        method: the current `ResourceMethod`.
        table: the last prediction (one row per role, plus the agencies).
        chart_data: role -> (hours needed, hours the role's people have for contact), what
            the chart shows.
        widget: the composed view.
    """

    def __init__(self, world: Any, policy: Any, method: ResourceMethod | None = None):
        """Open with the simplest method (standard minutes, no repeats, every hour)."""
        self.world, self.policy = world, policy
        self.method = method or ResourceMethod()
        self._out = widgets.Output()
        self._handling = widgets.Dropdown(options=HANDLING, description="handling time",
                                          style={"description_width": "initial"})
        self._repeats = widgets.Checkbox(description="count unanswered attempts")
        self._share = widgets.FloatSlider(min=0.3, max=1.0, step=0.01,
                                          description="productive share",
                                          style={"description_width": "initial"})
        self._table = widgets.HTML()
        for control, name in ((self._handling, "handling"), (self._repeats, "allow_unanswered"),
                              (self._share, "productive_share")):
            control.observe(lambda ch, n=name: self._safely(lambda: self.set(n, ch["new"])),
                            names="value")
        self._chart = widgets.Output()
        self.widget = widgets.VBox([self._handling, self._repeats, self._share, self._table,
                                    self._chart, self._out])
        self.table = None
        self.chart_data: dict[str, tuple[float, float]] = {}
        self._show()

    def set(self, name: str, value: Any) -> ResourceMethod:
        """Change one field of the method (handling, allow_unanswered, productive_share)."""
        fields = ResourceMethod.__dataclass_fields__
        if name not in fields:
            raise FieldError("method field", name, ", ".join(fields), "pick a listed field")
        self.method = ResourceMethod(**{**self.value_fields(), name: value})
        self._show()
        return self.method

    def value_fields(self) -> dict[str, Any]:
        """The method's fields as plain data."""
        m = self.method
        return {"handling": m.handling, "allow_unanswered": m.allow_unanswered,
                "productive_share": m.productive_share}

    @property
    def value(self) -> dict[str, Any]:
        """The method as data (what is handed in)."""
        return {"kind": KIND, **self.value_fields()}

    def totals(self) -> dict[str, float]:
        """Hours, headcount, agency spend and training hours a month, as predicted."""
        return totals(self.table)

    def _show(self) -> None:
        self._set_controls([(self._handling, self.method.handling),
                            (self._repeats, self.method.allow_unanswered),
                            (self._share, self.method.productive_share)])
        self.table = predict_resources(self.policy, self.world, self.method)
        cost = monthly_cost(self.table)
        budget = float(getattr(self.policy, "monthly_budget_hkd", 0.0))
        verdict = ("within" if budget and cost <= budget else "over") + " the budget"
        t = totals(self.table)
        self._table.value = (
            self.table.to_html(index=False, float_format=lambda v: f"{v:,.1f}")
            + f"<p>Staff hours {t['hours_month']:,.0f}, headcount {t['headcount']:,.1f}, "
            f"agency spend HKD {t['outsourcer_spend_hkd']:,.0f}, training "
            f"{t['training_hours_month']:,.0f} h a month. Cost HKD {cost:,.0f} a month: "
            f"{html.escape(verdict)} (HKD {budget:,.0f}).</p>")
        staff = self.world.tables["staff"]
        have = (staff.groupby("role")["capacity_hours_week"].sum() * WEEKS_PER_MONTH
                * self.method.productive_share)
        rows = self.table[self.table["role"] != OUTSOURCERS]
        self.chart_data = {str(r.role): (float(r.hours_month), float(have.get(r.role, 0.0)))
                           for r in rows.itertuples()}
        self._redraw()

    def _draw(self) -> None:
        """Hours each role needs a month against the hours its people have for contact."""
        self._chart.clear_output(wait=True)
        if not self.chart_data:
            return
        import matplotlib.pyplot as plt

        with self._chart:
            fig, ax = plt.subplots(figsize=(6, 2.4))
            names = list(self.chart_data)
            x = range(len(names))
            ax.bar([i - 0.2 for i in x], [v[0] for v in self.chart_data.values()], 0.4,
                   label="needed", color="#3b7dd8")
            ax.bar([i + 0.2 for i in x], [v[1] for v in self.chart_data.values()], 0.4,
                   label="the role's hours", color="#bbbbbb")
            ax.set_xticks(list(x), names, fontsize=8)
            ax.set_ylabel("hours a month")
            ax.legend(fontsize=8)
            fig.tight_layout()
            plt.show()
            plt.close(fig)
