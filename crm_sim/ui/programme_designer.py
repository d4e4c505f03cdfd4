"""Programme designer: pick perception programmes, set their parameters, stay in budget.

Generic: it knows nothing of a unit. One row of controls per programme kind of
`crm_sim.programmes.KINDS` (a tick, the segments covered, a slider per parameter, the
channel of news); its value is the portfolio as plain dicts, the artefact a trainee hands
in. `estimate` runs a what-if simulation (`programme_sim.simulate(..., commit=False)`) on
the designer's company and shows the monthly programme cost against the budget, in words.

Every control is a method (`choose`, `drop`, `set_param`, `load`, `estimate`) so tests and
source notebooks drive the view exactly as a click would.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

import ipywidgets as widgets
import pandas as pd

from crm_sim.errors import FieldError
from crm_sim.programmes import KINDS, NEWS_CHANNEL_COST, Programme, check_portfolio
from crm_sim.ui.view import View


class ProgrammeDesigner(View):
    """Ticks, segment pickers and sliders per programme kind, with a budget check.

    Attributes:
        world: the company whose segments (and what-if costs) the designer uses.
        budget: HKD a month the portfolio may cost (programme cost, what-if estimate).
        last_estimate: per-month programme cost and headline KPIs of the last estimate.
        widget: the composed ipywidgets view.
    """

    def __init__(self, world: Any, budget: float, months: int = 12, policy: Any = None,
                 kinds: Iterable[str] | None = None):
        """Build the designer with nothing chosen; `kinds` limits the programmes offered."""
        if isinstance(budget, bool) or not isinstance(budget, int | float) or budget < 0:
            raise FieldError("budget", budget, "HKD a month, ≥ 0", "e.g. budget=200_000")
        self.world, self.budget, self.months, self.policy = world, float(budget), months, policy
        self.segments = tuple(world.scenario.segments)
        self.last_estimate: dict[str, float] = {}
        self._on: dict[str, widgets.Checkbox] = {}
        self._segs: dict[str, widgets.SelectMultiple] = {}
        self._sliders: dict[str, dict[str, widgets.FloatSlider]] = {}
        self._channel = widgets.Dropdown(options=sorted(NEWS_CHANNEL_COST), value="email",
                                         description="news by")
        self.kinds = tuple(KINDS) if kinds is None else tuple(kinds)
        for kind in self.kinds:
            self._check_kind(kind, tuple(KINDS))
        rows = []
        for kind, spec in ((k, KINDS[k]) for k in self.kinds):
            self._on[kind] = widgets.Checkbox(value=False, description=spec.title, indent=False,
                                              layout=widgets.Layout(width="300px"))
            self._segs[kind] = widgets.SelectMultiple(options=self.segments, rows=3,
                                                      description="segments",
                                                      layout=widgets.Layout(width="220px"))
            self._sliders[kind] = {
                p.name: widgets.FloatSlider(value=p.default, min=p.low, max=p.high,
                                            step=(p.high - p.low) / 100, description=p.name,
                                            style={"description_width": "initial"})
                for p in spec.params}
            extra = [self._channel] if kind == "news" else []
            rows.append(widgets.HBox([self._on[kind], self._segs[kind],
                                      widgets.VBox([*self._sliders[kind].values(), *extra])]))
        self._button = widgets.Button(description="Estimate cost and effect",
                                     layout=widgets.Layout(width="max-content"))
        self._button.on_click(lambda _: self._safely(self.estimate))
        self._status = widgets.HTML()
        # what the person ticks or moves shows in the status at once, not only after code
        for control in (*self._on.values(), *self._segs.values(), self._channel,
                        *(s for by_name in self._sliders.values() for s in by_name.values())):
            control.observe(lambda _: setattr(self._status, "value", self.describe()),
                            names="value")
        self._out = widgets.Output()
        self.widget = widgets.VBox([*rows, self._button, self._status, self._out])
        self._status.value = self.describe()

    # ------------------------------------------------------------------ user actions
    def choose(self, kind: str, segments: Iterable[str] = (), channel: str = "",
               **params: float) -> None:
        """Tick a programme kind, for `segments` (none = all), with `params` set."""
        self._check_kind(kind)
        Programme(kind, tuple(segments), params, channel)        # validates every value
        self._on[kind].value = True
        self._segs[kind].value = tuple(segments)
        for name, value in params.items():
            self._sliders[kind][name].value = float(value)
        if kind == "news" and channel:
            self._channel.value = channel
        self._status.value = self.describe()

    def drop(self, kind: str) -> None:
        """Untick a programme kind."""
        self._check_kind(kind)
        self._on[kind].value = False
        self._status.value = self.describe()

    def set_param(self, kind: str, name: str, value: float) -> None:
        """Move one parameter's slider (checked against its range first)."""
        self._check_kind(kind)
        Programme(kind, (), {name: value})
        self._sliders[kind][name].value = float(value)
        self._status.value = self.describe()

    def load(self, portfolio: Iterable[Mapping[str, Any] | Programme]) -> None:
        """Show a saved portfolio (the value of an earlier session)."""
        progs = check_portfolio(list(portfolio), self.segments)
        for kind in self.kinds:
            self._on[kind].value = False
        for prog in progs:
            self.choose(prog.kind, prog.segments, prog.channel, **prog.params)

    @property
    def value(self) -> list[dict[str, Any]]:
        """The chosen portfolio as plain dicts: what `submit` hands in."""
        return [p.to_dict() for p in self.programmes()]

    def programmes(self) -> tuple[Programme, ...]:
        """The chosen portfolio as `Programme`s."""
        out = []
        for kind in self.kinds:
            if self._on[kind].value:
                params = {n: float(s.value) for n, s in self._sliders[kind].items()}
                channel = self._channel.value if kind == "news" else ""
                out.append(Programme(kind, tuple(self._segs[kind].value), params, channel))
        return tuple(out)

    def estimate(self) -> dict[str, float]:
        """What-if run of the portfolio; monthly programme cost against the budget."""
        from crm_sim.programme_sim import simulate

        progs = self.programmes()
        base = simulate(self.world, self.policy, (), self.months, commit=False).summary()
        run = simulate(self.world, self.policy, progs, self.months, commit=False)
        summary = run.summary()
        monthly = float(run.kpis.groupby("month")["programme_cost"].sum().mean())
        self.last_estimate = {
            "programme_cost_per_month": monthly,
            "new_customers": summary["new_customers"],
            "churned": summary["churned"],
            "contribution_change": summary["contribution"] - base["contribution"],
            "perception_change": summary["perception"] - base["perception"],
        }
        self._status.value = self.describe()
        return self.last_estimate

    def problems(self) -> list[str]:
        """In words: nothing chosen, or the last estimate over budget (empty = fine)."""
        out = []
        if not any(box.value for box in self._on.values()):
            out.append("no programme chosen yet: tick at least one")
        cost = self.last_estimate.get("programme_cost_per_month")
        if cost is not None and cost > self.budget:
            out.append(f"the portfolio costs about HKD {cost:,.0f} a month, over the budget "
                       f"of HKD {self.budget:,.0f}: lower a discount or reward, or drop one")
        return out

    def describe(self) -> str:
        """Status text: the chosen programmes, the estimate and any problem."""
        names = [KINDS[p.kind].title + (f" ({', '.join(p.segments)})" if p.segments else "")
                 for p in self.programmes()]
        lines = [f"✘ {html.escape(p)}" for p in self.problems()]
        lines.append("chosen: " + (html.escape("; ".join(names)) if names else "none"))
        if self.last_estimate:
            e = self.last_estimate
            lines.append(
                f"estimate over {self.months} months: HKD {e['programme_cost_per_month']:,.0f}"
                f" a month (budget {self.budget:,.0f}); {e['new_customers']:,.0f} new "
                f"customers; contribution {e['contribution_change']:+,.0f} HKD and perception "
                f"{e['perception_change']:+.3f} against no programme")
        return "<br>".join(lines)

    def table(self) -> pd.DataFrame:
        """The chosen programmes, one row per parameter (kind, segments, parameter, value)."""
        rows = [{"kind": p.kind, "segments": ", ".join(p.segments) or "all",
                 "parameter": name, "value": value}
                for p in self.programmes() for name, value in p.params.items()]
        return pd.DataFrame(rows, columns=["kind", "segments", "parameter", "value"])

    # -------------------------------------------------------------------- internals
    def _check_kind(self, kind: str, offered: tuple[str, ...] | None = None) -> None:
        offered = offered or self.kinds
        if kind not in offered:
            raise FieldError("kind", kind, f"one of {sorted(offered)}", "pick a listed programme")
