"""A policy designer: a contact policy built with controls, its problems shown as you go.

Generic: it knows nothing of a unit. It shows a `crm_sim.policy.ContactPolicy` as

* a grid of segments × channels: contacts a month and what they are for;
* per segment: targets, service level, who contacts (roles, least skill, agencies),
  scripts and checklists, escalation, training and supervision;
* the privacy rules and the policy-wide settings (budget, indicators, review cadence);
* under it, every problem `validate(world)` finds, in words, with its fix and section.

Its value is the policy as data (``ContactPolicy.to_dict()``), what a trainee hands in and
a grader applies to another company. Every control has a method (`set_contact`,
`set_segment`, `set_privacy`, `set_policy`, `budget_with_headroom`, `load`) so tests
and notebooks drive it exactly as a click would; a value the policy refuses (a negative
frequency, an unknown role) is shown as a domain error and the policy stays as it was.
"""

from __future__ import annotations

import html
import math
from dataclasses import replace
from typing import Any

import ipywidgets as widgets

from crm_sim.errors import CrmSimError, FieldError
from crm_sim.plans import SCRIPT_SECTIONS
from crm_sim.policy.model import (
    CHECKLIST_ITEMS,
    INDICATORS,
    PURPOSES,
    ChannelRule,
    ContactPolicy,
    PrivacyRules,
)
from crm_sim.policy.resources import PLANNING_METHOD, monthly_cost, predict_resources
from crm_sim.policy.starter import starter_policy
from crm_sim.policy.validation import validate
from crm_sim.schema import CHANNELS
from crm_sim.ui.view import View

SEGMENT_NUMBERS = {
    "new_customers_per_month": (0.0, 10_000.0, "new customers / month"),
    "retention_rate": (0.0, 1.0, "retention target"),
    "response_hours": (0.0, 24.0 * 60, "answer within (hours)"),
    "min_skill": (0.0, 1.0, "least skill"),
    "outsourcer_share": (0.0, 1.0, "share to agencies"),
    "min_outsourcer_quality": (0.0, 1.0, "least agency quality"),
    "escalation_hours": (0.0, 24.0 * 60, "escalate within (hours)"),
    "training_hours_month": (0.0, 80.0, "training h / month"),
    "supervision": (0.0, 1.0, "share supervised"),
}


class PolicyDesigner(View):
    """Design a contact policy for one company; its value is the policy as data.

    Attributes:
        world: the company the policy is checked against.
        policy: the current policy (always well formed).
        widget: the composed ipywidgets view.
    """

    def __init__(self, world: Any, policy: ContactPolicy | None = None):
        """Open on `policy`, or on the company's starter draft."""
        self.world = world
        self.policy = policy if policy is not None else starter_policy(world)
        if not isinstance(self.policy, ContactPolicy):
            raise FieldError("policy", type(self.policy).__name__, "a ContactPolicy",
                             "open the designer without a policy to start from a draft")
        self.roles = sorted(set(world.tables["staff"]["role"].astype(str)))
        self._quiet = True
        self._out = widgets.Output()
        self._issues = widgets.HTML()
        self._controls: dict[tuple, Any] = {}
        self.widget = widgets.VBox([
            widgets.HTML("<b>Contacts a month per customer (and what for)</b>"),
            self._grid(), widgets.HTML("<b>Per segment</b>"), self._segment_tabs(),
            widgets.HTML("<b>Privacy and monitoring</b>"), self._shared(),
            self._out, self._issues])
        self._quiet = False
        self._sync()

    # ------------------------------------------------------------------ user actions
    def set_contact(self, segment: str, channel: str, per_month: float,
                    purpose: str = "retention") -> None:
        """Plan `per_month` contacts on `channel` for `segment` (0 removes the channel)."""
        seg = self.policy.segment(segment)
        rules = [r for r in seg.channels if r.channel != channel]
        if per_month:
            rules.append(ChannelRule(channel, per_month, purpose))
        order = list(CHANNELS)
        rules.sort(key=lambda r: order.index(r.channel))
        self._apply(self.policy.with_segment(replace(seg, channels=tuple(rules))))

    def set_segment(self, segment: str, **fields: Any) -> None:
        """Change one segment's fields (targets, roles, agencies, scripts, training...)."""
        seg = self.policy.segment(segment)
        for name in fields:
            if name in ("segment", "channels") or name not in seg.__dataclass_fields__:
                raise FieldError("field", name, ", ".join(
                    f for f in seg.__dataclass_fields__ if f not in ("segment", "channels")),
                    "use set_contact for channels")
        self._apply(self.policy.with_segment(replace(seg, **fields)))

    def set_privacy(self, **fields: Any) -> None:
        """Change privacy rules (respects_consent, opt_out_days, ...)."""
        unknown = [f for f in fields if f not in PrivacyRules.__dataclass_fields__]
        if unknown:
            raise FieldError("privacy field", unknown[0],
                             ", ".join(PrivacyRules.__dataclass_fields__), "pick a listed one")
        self._apply(self.policy.replace(privacy=replace(self.policy.privacy, **fields)))

    def set_policy(self, **fields: Any) -> None:
        """Change policy-wide fields: name, monthly_budget_hkd, indicators, review cadence."""
        allowed = ("name", "monthly_budget_hkd", "indicators", "review_every_months")
        unknown = [f for f in fields if f not in allowed]
        if unknown:
            raise FieldError("policy field", unknown[0], ", ".join(allowed),
                             "segments change through set_segment / set_contact")
        self._apply(self.policy.replace(**fields))

    def budget_with_headroom(self, headroom: float = 0.1) -> float:
        """Set the budget to the expected monthly cost plus `headroom`, in whole thousands.

        The expected cost is `predict_resources` by the careful planning method (the
        company's own handling times and answer rates, 80 % of hours on contact).
        """
        if isinstance(headroom, bool) or not isinstance(headroom, (int, float)) or \
                not 0.0 <= headroom <= 1.0:
            raise FieldError("headroom", headroom, "a share from 0 to 1",
                             "e.g. 0.1 for a tenth above the expected cost")
        cost = monthly_cost(predict_resources(self.policy, self.world, PLANNING_METHOD))
        budget = float(math.ceil(cost * (1.0 + headroom) / 1000.0) * 1000.0)
        self.set_policy(monthly_budget_hkd=budget)
        return budget

    def load(self, policy: ContactPolicy) -> None:
        """Show another policy (e.g. one read from a TOML file)."""
        if not isinstance(policy, ContactPolicy):
            raise FieldError("policy", type(policy).__name__, "a ContactPolicy",
                             "read one with ContactPolicy.from_toml")
        self._apply(policy)

    @property
    def value(self) -> dict[str, Any]:
        """The policy as data (what is handed in)."""
        return self.policy.to_dict()

    def issues(self) -> list:
        """Every problem `validate` finds in the company (empty: it can be launched)."""
        return validate(self.policy, self.world)

    def problems(self) -> list[str]:
        """The issues in words."""
        return [str(i) for i in self.issues()]

    # -------------------------------------------------------------------- internals
    def _apply(self, policy: ContactPolicy) -> None:
        self.policy = policy
        self._sync()

    def _safe(self, action) -> None:
        """Run a control's change; a refused value is shown and the controls reset."""
        if self._quiet:
            return
        self._out.clear_output()
        with self._out:
            try:
                action()
            except CrmSimError as exc:
                print(f"✘ {exc}")
                self._sync()

    def _sync(self) -> None:
        """Show the policy in the controls (only those that differ) and list its issues."""
        self._quiet = True
        try:
            pairs = []
            for seg in self.policy.segments:
                rules = {r.channel: r for r in seg.channels}
                for ch in CHANNELS:
                    if (seg.segment, "n", ch) in self._controls:
                        rule = rules.get(ch)
                        pairs.append((self._controls[(seg.segment, "n", ch)],
                                      rule.per_month if rule else 0.0))
                        if rule:
                            pairs.append((self._controls[(seg.segment, "p", ch)], rule.purpose))
                for name in SEGMENT_NUMBERS:
                    pairs.append((self._controls[(seg.segment, name)], getattr(seg, name)))
                for name in ("staff_roles", "scripts", "checklists"):
                    control = self._controls[(seg.segment, name)]
                    pairs.append((control, tuple(v for v in getattr(seg, name)
                                                 if v in control.options)))
                pairs.append((self._controls[(seg.segment, "allow_outsourcers")],
                              seg.allow_outsourcers))
                esc = self._controls[(seg.segment, "escalate_to")]
                pairs.append((esc, seg.escalate_to if seg.escalate_to in esc.options else ""))
            p = self.policy.privacy
            for name in PrivacyRules.__dataclass_fields__:
                pairs.append((self._controls[("privacy", name)], getattr(p, name)))
            pairs.append((self._controls[("policy", "monthly_budget_hkd")],
                          self.policy.monthly_budget_hkd))
            pairs.append((self._controls[("policy", "review_every_months")],
                          self.policy.review_every_months))
            pairs.append((self._controls[("policy", "indicators")], self.policy.indicators))
            self._set_controls(pairs)
        finally:
            self._quiet = False
        issues = self.issues()
        self._issues.value = ("<br>".join(f"✘ {html.escape(str(i))}" for i in issues)
                              if issues else "✔ the policy can be launched in this company")

    def _grid(self):
        rows = []
        for seg in self.policy.segments:
            cells = [widgets.HTML(f"<b>{html.escape(seg.segment)}</b>",
                                  layout=widgets.Layout(width="110px"))]
            for ch in CHANNELS:
                # each box is labelled with its channel (a box with no label cannot be
                # named by a person or a screen reader); the tooltip names segment too
                n = widgets.BoundedFloatText(min=0.0, max=10.0, step=0.1, description=ch,
                                             tooltip=f"{seg.segment}: {ch} a month",
                                             style={"description_width": "62px"},
                                             layout=widgets.Layout(width="132px"))
                purpose = widgets.Dropdown(options=PURPOSES, value="retention",
                                           tooltip=f"{seg.segment}: {ch} for",
                                           layout=widgets.Layout(width="115px"))

                def changed(_, s=seg.segment, c=ch, n=n, p=purpose):
                    self._safe(lambda: self.set_contact(s, c, n.value, p.value))

                n.observe(changed, names="value")
                purpose.observe(changed, names="value")
                self._controls[(seg.segment, "n", ch)] = n
                self._controls[(seg.segment, "p", ch)] = purpose
                cells.append(widgets.HBox([n, purpose]))
            # a narrow screen wraps the channels instead of hiding the last ones
            rows.append(widgets.HBox(cells, layout=widgets.Layout(flex_flow="row wrap")))
        return widgets.VBox(rows)

    def _segment_tabs(self):
        tabs = []
        for seg in self.policy.segments:
            name = seg.segment
            items = []
            for field, (low, high, label) in SEGMENT_NUMBERS.items():
                control = widgets.BoundedFloatText(min=low, max=high, description=label,
                                                   style={"description_width": "170px"})
                self._bind(control, lambda v, s=name, f=field: self.set_segment(s, **{f: v}))
                self._controls[(name, field)] = control
                items.append(control)
            for field, options in (("staff_roles", self.roles), ("scripts", SCRIPT_SECTIONS),
                                   ("checklists", CHECKLIST_ITEMS)):
                control = widgets.SelectMultiple(options=list(options), description=field,
                                                 rows=min(6, len(options)))
                self._bind(control, lambda v, s=name, f=field: self.set_segment(
                    s, **{f: tuple(v)}))
                self._controls[(name, field)] = control
                items.append(control)
            allow = widgets.Checkbox(description="allow agencies")
            self._bind(allow, lambda v, s=name: self.set_segment(s, allow_outsourcers=v))
            self._controls[(name, "allow_outsourcers")] = allow
            esc = widgets.Dropdown(options=["", *self.roles], description="escalate to")
            self._bind(esc, lambda v, s=name: self.set_segment(s, escalate_to=v))
            self._controls[(name, "escalate_to")] = esc
            tabs.append(widgets.VBox([*items, allow, esc]))
        tab = widgets.Tab(children=tabs)
        for i, seg in enumerate(self.policy.segments):
            tab.set_title(i, seg.segment)
        return tab

    def _shared(self):
        items = []
        for name in PrivacyRules.__dataclass_fields__:
            default = getattr(PrivacyRules(), name)
            control = (widgets.Checkbox(description=name) if isinstance(default, bool)
                       else widgets.BoundedIntText(min=0, max=365, description=name,
                                                   style={"description_width": "190px"}))
            self._bind(control, lambda v, f=name: self.set_privacy(**{f: v}))
            self._controls[("privacy", name)] = control
            items.append(control)
        budget = widgets.BoundedFloatText(min=0, max=1e9, description="budget HKD / month",
                                          style={"description_width": "190px"})
        self._bind(budget, lambda v: self.set_policy(monthly_budget_hkd=v))
        review = widgets.BoundedIntText(min=1, max=24, description="review every (months)",
                                        style={"description_width": "190px"})
        self._bind(review, lambda v: self.set_policy(review_every_months=v))
        indicators = widgets.SelectMultiple(options=INDICATORS, description="indicators",
                                            rows=len(INDICATORS))
        self._bind(indicators, lambda v: self.set_policy(indicators=tuple(v)))
        self._controls[("policy", "monthly_budget_hkd")] = budget
        self._controls[("policy", "review_every_months")] = review
        self._controls[("policy", "indicators")] = indicators
        headroom = widgets.BoundedFloatText(value=0.1, min=0.0, max=1.0, step=0.05,
                                            description="headroom")
        button = widgets.Button(description="Budget = expected cost + headroom",
                                layout=widgets.Layout(width="auto"))
        button.on_click(lambda _b: self._safe(lambda: self.budget_with_headroom(
            headroom.value)))
        return widgets.VBox([*items, budget, widgets.HBox([button, headroom]), review,
                             indicators])

    def _bind(self, control, setter) -> None:
        control.observe(lambda change: self._safe(lambda: setter(change["new"])), names="value")
