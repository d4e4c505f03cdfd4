"""What a person does in the views of ITCSCR512A, ITCSCR516A and 104917L3, per method.

Same contract as `viewdrivers` (a driver gets ``(ctx, *args, **kwargs)`` and returns the
`Act`s to perform); kept in its own module so that units added later register their
views here without editing the shared table. Importing it adds `UNIT_DRIVERS` to
`viewdrivers.DRIVERS`.

Controls a person can only tell apart by where they are (a cell of the policy grid, the
same label on every segment's tab) carry a tooltip naming them (``"corporate: phone a
month"``); `named` scopes an act to that control.
"""

from __future__ import annotations

from dataclasses import dataclass

from viewdrivers import DRIVERS, row_with_label, within
from widgetdriver import Act, click, exact, pick, pick_many, slide, tick, type_in, untick


@dataclass
class UnitAct(Act):
    """`Act` with the few extra gestures these views need."""

    def _type_here(self, out):
        box = self._self_or_inside(out, "input")
        box.click()
        box.press("Control+A")
        box.press_sequentially(str(self.value))
        box.press("Enter")

    def _pick_many_here(self, out):
        self._self_or_inside(out, "select").select_option(label=[str(v) for v in self.value])

    def _tab(self, out):
        out.locator(".lm-TabBar-tab", has_text=exact(self.label)).first.click()


def named(title):
    """Scope: the control whose tooltip is `title` (its whole widget, label and field)."""
    def scope(out):
        found = out.locator(f"[title='{title}']").first
        # with a description the tooltip sits on the label: the widget is its parent
        return found.locator("xpath=ancestor-or-self::*[contains(@class, 'jupyter-widgets')]"
                             "[1]")
    return scope


def _on_off(label, on):
    return tick(label) if on else untick(label)


def _set_here(title, value):
    """The act that gives the control named `title` `value`, by the value's kind."""
    if isinstance(value, bool):
        act = Act("tick_here" if value else "untick_here", "")
    elif isinstance(value, list | tuple):
        act = UnitAct("pick_many_here", "", list(value))
    elif isinstance(value, int | float):
        act = UnitAct("type_here", "", value)
    else:
        act = Act("pick_here", "", value)
    return within(named(title), [act])


# -- ITCSCR512A: the policy designer, the resource planner, the monitor designer --------
def policy_set_contact(ctx, segment, channel, per_month, purpose="retention"):
    """The grid cell segment x channel: contacts a month, then what for."""
    acts = _set_here(f"{segment}: {channel} a month", float(per_month))
    if per_month:
        acts += _set_here(f"{segment}: {channel} for", purpose)
    return acts


SEGMENT_LABELS = {"staff_roles": "staff_roles", "scripts": "scripts",
                  "checklists": "checklists", "allow_outsourcers": "allow agencies",
                  "escalate_to": "escalate to"}


def visible_tab():
    """Scope: the segment tab on show (every tab repeats the same labels)."""
    return lambda out: out.locator(".widget-vbox:visible").filter(
        has=out.page.get_by_label(exact("escalate to"))).last


def policy_set_segment(ctx, segment, **fields):
    """The segment's tab, then each field's control on it, by its label."""
    numbers = ctx.ask("{f: v[2] for f, v in __import__('crm_sim.ui.policy_designer')"
                      ".ui.policy_designer.SEGMENT_NUMBERS.items()}")
    acts = []
    for field, value in fields.items():
        label = numbers.get(field) or SEGMENT_LABELS[field]
        if isinstance(value, bool):
            acts.append(_on_off(label, value))
        elif isinstance(value, list | tuple):
            acts.append(pick_many(label, list(value)))
        elif isinstance(value, int | float):
            acts.append(type_in(label, value))
        else:
            acts.append(pick(label, value))
    return [UnitAct("tab", segment), *within(visible_tab(), acts)]


def policy_set_privacy(ctx, **fields):
    """Each privacy control, labelled by its field."""
    acts = []
    for field, value in fields.items():
        acts.append(_on_off(field, value) if isinstance(value, bool) else type_in(field, value))
    return acts


POLICY_LABELS = {"monthly_budget_hkd": "budget HKD / month",
                 "review_every_months": "review every (months)", "indicators": "indicators"}


def policy_set_policy(ctx, **fields):
    """Budget, review cadence, indicators."""
    acts = []
    for field, value in fields.items():
        label = POLICY_LABELS[field]
        acts.append(pick_many(label, value) if field == "indicators" else type_in(label, value))
    return acts


def policy_budget_with_headroom(ctx, headroom=0.1):
    """Headroom, then "Budget = expected cost + headroom"."""
    return [type_in("headroom", headroom), click("Budget = expected cost + headroom")]


RESOURCE_LABELS = {"handling": "handling time", "allow_unanswered": "count unanswered attempts",
                   "productive_share": "productive share"}


def resources_set(ctx, name, value):
    """One control of the planning method."""
    label = RESOURCE_LABELS[name]
    if isinstance(value, bool):
        return [_on_off(label, value)]
    if name == "productive_share":
        return [slide(label, value)]
    return [pick(label, value)]


def monitor_set(ctx, name, value):
    """One rule's control (labelled by the rule's name)."""
    if isinstance(value, bool):
        return [_on_off(name, value)]
    if name == "max_breach_rate":
        return [slide(name, value)]
    return [type_in(name, value)]


def monitor_show_tables(ctx, names):
    """The dashboard list: select the tables."""
    return [pick_many("dashboard", list(names))]


def monitor_refresh_every(ctx, months):
    """How often, in months."""
    return [type_in("every (months)", months)]


# -- ITCSCR516A: programme designer, growth planner, uplift estimator ------------------
def programmes_choose(ctx, kind, segments=(), channel="", **params):
    """The programme's row: tick it, its segments, each slider, the news channel."""
    title = ctx.ask(f"__import__('crm_sim.programmes').programmes.KINDS[{kind!r}].title")
    acts = [tick(title)]
    if segments:
        acts.append(pick_many("segments", list(segments)))
    acts += [slide(name, value) for name, value in params.items()]
    if kind == "news" and channel:
        acts.append(pick("news by", channel))
    return within(row_with_label(title), acts)


def growth_set_rate(ctx, segment, channel, per_month, purpose="retention"):
    """The segment's contact row: channel, contacts a month, what for."""
    return within(row_with_label(segment), [pick(segment, channel), slide("a month", per_month),
                                            pick("for", purpose)])


def growth_share_view(ctx, on=True):
    """The shared-view box."""
    return [_on_off("all staff share one view", on)]


def uplift_set_method(ctx, outcome="bought", method="arms", sample="all", level=0.95):
    """The four pickers, each only if it shows something else (a person leaves the rest)."""
    now = ctx.ask(f"[{ctx.var}._outcome.value, {ctx.var}._method.value, "
                  f"{ctx.var}._sample.value, {ctx.var}._level.value]")
    wanted = [outcome, method, sample, level]
    labels = ["outcome", "compare", "sample", "confidence"]
    return [pick(label, want) for label, want, shown in zip(labels, wanted, now, strict=True)
            if want != shown]


UNIT_DRIVERS = {
    "PolicyDesigner": {"set_contact": policy_set_contact, "set_segment": policy_set_segment,
                       "set_privacy": policy_set_privacy, "set_policy": policy_set_policy,
                       "budget_with_headroom": policy_budget_with_headroom},
    "ResourcePlanner": {"set": resources_set},
    "MonitorDesigner": {"set": monitor_set, "show_tables": monitor_show_tables,
                        "refresh_every": monitor_refresh_every},
    "ProgrammeDesigner": {"choose": programmes_choose},
    "GrowthPlanner": {"set_rate": growth_set_rate, "share_view": growth_share_view},
    "UpliftEstimator": {"set_method": uplift_set_method},
}

for _cls, _methods in UNIT_DRIVERS.items():
    DRIVERS.setdefault(_cls, {}).update(_methods)
