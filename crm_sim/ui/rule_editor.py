"""A rule editor: for each group (segment, situation...), choose what to do, from lists.

Generic: it knows nothing of a unit. It is given the groups, the fields of a decision
(e.g. channel, caller, questions) with their options, which fields take several options
(and at most how many), and optionally, per group, which options the rules allow. Its value
is the **rule as data** -- ``{"kind": ..., "groups": {group: {field: choice}}}`` -- which a
grader applies to another company without running the trainee's code.

Every control is a method (`choose`, `choose_all`) so tests and the source notebook drive
the view exactly as a click would. Choices the rules do not allow are refused in words,
and a chart shows how many options each group uses against the limit.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

import ipywidgets as widgets

from crm_sim.errors import FieldError
from crm_sim.ui.view import View


def rule_problems(value: Any, kind: str, groups: Iterable[str],
                  fields: Mapping[str, Iterable[str]], multi: Mapping[str, int] | None = None,
                  allowed: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
                  skip: Mapping[str, str] | None = None) -> list[str]:
    """What is wrong with a rule value, in plain words (empty = usable).

    Args:
        value: the rule (a `RuleEditor.value`, or the same data built by hand).
        kind: the kind of rule expected.
        groups: every group that needs a decision.
        fields: field -> its options.
        multi: field -> the most options that may be picked (fields that take a list).
        allowed: group -> field -> the options the rules allow there.
        skip: field -> option that makes the other fields unneeded (e.g. action "none").
    """
    multi = dict(multi or {})
    skip = dict(skip or {})
    allowed = allowed or {}
    if not isinstance(value, Mapping) or value.get("kind") != kind:
        return [f"the answer must be the editor's value (a {kind} rule)"]
    chosen = value.get("groups")
    if not isinstance(chosen, Mapping):
        return ["the rule has no decisions: choose for every group"]
    problems = []
    for group in groups:
        decision = chosen.get(group)
        if not isinstance(decision, Mapping):
            problems.append(f"nothing is chosen for {group}")
            continue
        skipped = any(decision.get(f) == v for f, v in skip.items())
        for field, options in fields.items():
            if skipped and field not in skip:
                continue
            options = list(options)
            got = decision.get(field)
            picks = got if field in multi else [got]
            if field in multi and (not isinstance(got, list) or not got):
                problems.append(f"{group}: pick at least one {field}")
                continue
            if got is None:
                problems.append(f"{group}: choose a {field}")
                continue
            unknown = [str(p) for p in picks if p not in options]
            if unknown:
                problems.append(f"{group}: {', '.join(unknown[:3])} is not a {field} option")
                continue
            limit = multi.get(field)
            if limit and len(picks) > limit:
                problems.append(f"{group}: {len(picks)} {field} picked; the most is {limit}")
            banned = [str(p) for p in picks
                      if field in allowed.get(group, {}) and p not in allowed[group][field]]
            if banned:
                problems.append(f"{group}: {', '.join(banned)} is not allowed for this group "
                                f"({field}: {', '.join(map(str, allowed[group][field]))})")
    return problems


def rule_choices(value: Any, kind: str, groups: Iterable[str],
                 fields: Mapping[str, Iterable[str]]) -> dict[str, dict[str, Any]] | None:
    """Each group's decision from a complete rule value, or None when it is not usable.

    The strict reading a helper applies before acting on a rule: the value must be a
    dict of that `kind` whose every group chose one of the options of every field (one
    choice per field). What is wrong is `rule_problems`' job; this says only yes or no.

    Args:
        value: the rule (a `RuleEditor.value`, or the same data built by hand).
        kind: the kind of rule expected.
        groups: every group that needs a decision.
        fields: field -> its options.

    Returns:
        group -> field -> choice, for exactly `groups` and `fields`; None when the value
        is not a dict of that kind, has no groups dict, or any choice is missing or not
        an option.
    """
    chosen = value.get("groups") if isinstance(value, dict) and value.get("kind") == kind \
        else None
    if not isinstance(chosen, dict):
        return None
    out = {}
    for group in groups:
        decision = chosen.get(group) if isinstance(chosen.get(group), dict) else {}
        if any(decision.get(f) not in opts for f, opts in fields.items()):
            return None
        out[group] = {f: decision[f] for f in fields}
    return out


class RuleEditor(View):
    """A grid of choices, one row per group, whose value is a rule as data.

    Attributes:
        kind: the kind of rule (checked by graders).
        groups: the groups, in display order.
        fields: field -> options.
        multi: field -> most options (fields that take a list).
        allowed: group -> field -> options the rules allow.
        skip: field -> option that makes the group's other fields unneeded.
        headings: field -> the name shown beside its control (e.g. in the trainee's
            language); the field's code is what the value holds, whatever is shown.
        chart_data: per group, options picked in each multi field (what the chart shows).
        widget: the composed ipywidgets view.
    """

    def __init__(self, kind: str, groups: Iterable[str], fields: Mapping[str, Iterable[str]],
                 multi: Mapping[str, int] | None = None,
                 allowed: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
                 labels: Mapping[str, str] | None = None, skip: Mapping[str, str] | None = None,
                 headings: Mapping[str, str] | None = None):
        """Build the editor with nothing chosen (the trainee decides every cell)."""
        self.kind = kind
        self.groups = [str(g) for g in groups]
        self.fields = {f: [str(o) for o in opts] for f, opts in fields.items()}
        self.multi = dict(multi or {})
        self.allowed = {g: {f: list(o) for f, o in v.items()} for g, v in (allowed or {}).items()}
        self.labels = dict(labels or {})
        self.skip = dict(skip or {})
        self.headings = {str(f): str(h) for f, h in (headings or {}).items()}
        self.chart_data: dict[str, int] = {}
        self._order: dict[tuple[str, str], list[str]] = {}     # picks in the order chosen
        self._quiet = True
        self._controls: dict[tuple[str, str], Any] = {}
        rows = []
        for g in self.groups:
            cells = [widgets.HTML(f"<b>{html.escape(self.labels.get(g, g))}</b>",
                                  layout=widgets.Layout(width="180px"))]
            for f, opts in self.fields.items():
                if f in self.multi:
                    control = widgets.SelectMultiple(options=opts, value=(),
                                                     rows=min(8, len(opts)),
                                                     description=self.headings.get(f, f))
                else:
                    control = widgets.Dropdown(options=["(choose)", *opts], value="(choose)",
                                               description=self.headings.get(f, f),
                                               style={"description_width": "initial"})
                control.observe(lambda _: self.refresh(), names="value")
                self._controls[(g, f)] = control
                cells.append(control)
            # wraps on a narrow screen instead of pushing controls out of sight
            rows.append(widgets.HBox(cells, layout=widgets.Layout(flex_flow="row wrap")))
        self._status = widgets.HTML()
        self._chart = widgets.Output()
        self._quiet = False
        self.widget = widgets.VBox([*rows, self._status, self._chart])
        self.refresh()

    # ------------------------------------------------------------------ user actions
    def choose(self, group: str, field: str, choice: Any) -> None:
        """Choose for one group and field (a list for fields that take several)."""
        if (group, field) not in self._controls:
            raise FieldError("group/field", (group, field),
                             f"groups {', '.join(self.groups)}; fields {', '.join(self.fields)}",
                             "pick a listed group and field")
        control = self._controls[(group, field)]
        picks = list(choice) if field in self.multi else [choice]
        bad = [p for p in picks if p not in self.fields[field]]
        if bad:
            raise FieldError(field, bad, ", ".join(self.fields[field]), "pick listed options")
        if field in self.multi:
            self._order[(group, field)] = picks
            control.value = tuple(p for p in self.fields[field] if p in picks)
        else:
            control.value = choice
        self.refresh()

    def choose_all(self, decisions: Mapping[str, Mapping[str, Any]]) -> None:
        """Choose several groups' fields at once: ``{group: {field: choice}}``."""
        self._quiet = True
        try:
            for group, by_field in decisions.items():
                for field, choice in by_field.items():
                    self.choose(group, field, choice)
        finally:
            self._quiet = False
        self.refresh()

    @property
    def value(self) -> dict[str, Any]:
        """The rule as data: what `submit` hands in and the grader applies."""
        groups = {}
        for g in self.groups:
            decision = {}
            for f in self.fields:
                v = self._controls[(g, f)].value
                if f in self.multi:
                    order = [p for p in self._order.get((g, f), []) if p in v]
                    decision[f] = order + [p for p in v if p not in order]
                else:
                    decision[f] = None if v == "(choose)" else v
            groups[g] = decision
        return {"kind": self.kind, "groups": groups}

    def problems(self) -> list[str]:
        """What stops the rule from being used, in plain words (empty = usable)."""
        return rule_problems(self.value, self.kind, self.groups, self.fields, self.multi,
                             self.allowed, self.skip)

    def refresh(self) -> str:
        """Show the problems and the chart; return the status text."""
        if self._quiet:
            return self._status.value
        problems = self.problems()
        self._status.value = ("<br>".join(f"✘ {html.escape(p)}" for p in problems)
                              if problems else "✔ the rule can be used")
        if self.multi:
            field = next(iter(self.multi))
            self.chart_data = {g: len(self._controls[(g, field)].value) for g in self.groups}
        self._redraw()
        return self._status.value

    # -------------------------------------------------------------------- internals
    def _draw(self) -> None:
        """Per group, how many options each multi field uses, against its limit."""
        if not self.multi:
            return
        import matplotlib.pyplot as plt

        field, limit = next(iter(self.multi.items()))
        counts = self.chart_data
        self._chart.clear_output(wait=True)
        with self._chart:
            fig, ax = plt.subplots(figsize=(5, 2))
            ax.bar(list(counts), list(counts.values()),
                   color=["#d9534f" if n > limit else "#3b7dd8" for n in counts.values()])
            ax.axhline(limit, color="black", linewidth=0.8)
            ax.tick_params(axis="x", labelrotation=25)     # long group names overlapped
            plt.setp(ax.get_xticklabels(), ha="right")
            ax.set_ylabel(f"{field} picked (line: the most)")
            fig.tight_layout()
            plt.show()
            plt.close(fig)
