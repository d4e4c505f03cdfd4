"""A planner: put callers on calls, with capacity and qualification breaches shown as you go.

Generic: it knows nothing of a unit. It is given the calls (one row each, any columns, plus
per call its *group* (e.g. segment), *period* (e.g. week), *minutes* and *priority*), the
callers (id, a quality score, a weekly capacity and whether that capacity counts minutes or
calls) and who is qualified for each group. The trainee's decision is a **rule as data**:
for each group, the callers in the order they should be used. `fill` applies the rule --
highest-priority calls first, each to the first caller on the group's list who still has
room in that period -- and `assign` changes single calls by hand. Breaches (over capacity,
not qualified, no caller) are listed in plain words and the load of each caller is drawn.

Every control is a method (`set_callers`, `best_first`, `fill`, `assign`, `clear`) so tests
and the source notebook drive the view exactly as a click would.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

import ipywidgets as widgets
import pandas as pd

from crm_sim.errors import FieldError
from crm_sim.ui.view import View

RULE_KIND = "assignment"
WORK_COLUMNS = ("group", "period", "minutes", "priority")
AGENT_COLUMNS = ("agent_id", "quality", "capacity", "unit")


class AssignmentPlanner(View):
    """Assign a caller to every call, by a ranking rule per group and by hand.

    Attributes:
        calls: the calls to staff (returned with an ``assignee`` column by `value`).
        work: per call (same index): group, period, minutes, priority.
        agents: callers indexed by id: quality, capacity per period, unit ("minutes"/"calls").
        qualified: group -> ids of the callers qualified for it.
        widget: the composed ipywidgets view.
    """

    def __init__(self, calls: pd.DataFrame, work: pd.DataFrame, agents: pd.DataFrame,
                 qualified: Mapping[str, Iterable[str]]):
        """Build the planner with no caller on any call.

        Args:
            calls: the calls (any columns; kept as they are).
            work: same index as `calls`, columns `WORK_COLUMNS`.
            agents: columns `AGENT_COLUMNS` (unit "minutes" or "calls").
            qualified: group -> qualified caller ids.
        """
        missing = [c for c in WORK_COLUMNS if c not in work.columns]
        if missing or not work.index.equals(calls.index):
            raise FieldError("work", missing or "index", f"columns {WORK_COLUMNS} on the "
                             "calls' index", "build it from the same calls table")
        self.calls = calls.copy()
        self.work = work[list(WORK_COLUMNS)].copy()
        self.agents = agents.assign(agent_id=agents["agent_id"].astype(str)).set_index(
            "agent_id")
        self.qualified = {str(g): [str(a) for a in ids] for g, ids in qualified.items()}
        self.groups = sorted(self.work["group"].astype(str).unique())
        self.rule: dict[str, list[str]] = {g: [] for g in self.groups}
        self.assignee = pd.Series(None, index=calls.index, dtype=object)

        self._orders = {g: widgets.Text(description=g, placeholder="caller ids in order, "
                                        "e.g. S003, S007", layout=widgets.Layout(width="60%"))
                        for g in self.groups}
        self._best = {g: widgets.Button(description="Best callers first") for g in self.groups}
        for g in self.groups:
            self._best[g].on_click(lambda _, g=g: self._safely(lambda: self.best_first(g)))
        self._fill = widgets.Button(description="Fill the plan", button_style="primary")
        self._fill.on_click(lambda _: self._safely(self.fill))
        self._status = widgets.HTML()
        self._out = widgets.Output()
        self._chart = widgets.Output()
        self.widget = widgets.VBox([
            *(widgets.HBox([self._orders[g], self._best[g]]) for g in self.groups),
            self._fill, self._status, self._chart, self._out])
        self.refresh()

    # ------------------------------------------------------------------ user actions
    def set_callers(self, group: str, agent_ids: Iterable[str]) -> None:
        """Set the callers of `group`, in the order they should take its calls."""
        if group not in self.rule:
            raise FieldError("group", group, ", ".join(self.groups), "pick a listed group")
        ids = [str(a).strip() for a in agent_ids if str(a).strip()]
        unknown = [a for a in ids if a not in self.agents.index]
        if unknown:
            raise FieldError("callers", unknown[:5], "ids of the team and the agencies",
                             "copy ids from the callers table")
        self.rule[group] = list(dict.fromkeys(ids))
        self._orders[group].value = ", ".join(self.rule[group])

    def best_first(self, group: str) -> list[str]:
        """The qualified callers of `group`, best call quality first (the usual choice)."""
        ids = sorted(self.qualified.get(group, []),
                     key=lambda a: (-float(self.agents.at[a, "quality"]), a))
        self.set_callers(group, ids)
        return ids

    def fill(self) -> pd.DataFrame:
        """Apply the rule to every call (hand assignments are replaced); return `value`."""
        for g, box in self._orders.items():       # typed lists count as much as buttons
            typed = [a for a in box.value.replace(";", ",").split(",") if a.strip()]
            if typed != self.rule[g]:
                self.set_callers(g, typed)
        self.assignee = apply_assignment({"kind": RULE_KIND, "callers": self.rule},
                                         self.work, self.agents.reset_index())
        self.refresh()
        return self.value

    def assign(self, call: Any, agent_id: str | None) -> None:
        """Put `agent_id` on one call (by the calls' index label); None takes it off."""
        if call not in self.calls.index:
            raise FieldError("call", call, "a row label of the calls table",
                             "use planner.calls.index")
        if agent_id is not None and str(agent_id) not in self.agents.index:
            raise FieldError("caller", agent_id, "ids of the team and the agencies",
                             "copy an id from the callers table")
        self.assignee.at[call] = None if agent_id is None else str(agent_id)
        self.refresh()

    def clear(self) -> None:
        """Take every caller off every call."""
        self.assignee[:] = None
        self.refresh()

    @property
    def value(self) -> pd.DataFrame:
        """The calls with their ``assignee`` (None where nobody is put): what is handed in."""
        return self.calls.assign(assignee=self.assignee)

    # --------------------------------------------------------------------- reading
    def load(self) -> pd.DataFrame:
        """Per caller and period: used capacity, capacity and share used."""
        frame = self.work.assign(agent=self.assignee).dropna(subset=["agent"])
        if frame.empty:
            return pd.DataFrame(columns=["agent", "period", "used", "capacity", "share"])
        unit = frame["agent"].map(self.agents["unit"])
        frame = frame.assign(used=frame["minutes"].where(unit == "minutes", 1.0))
        out = frame.groupby(["agent", "period"], as_index=False)["used"].sum()
        out["capacity"] = out["agent"].map(self.agents["capacity"]).astype(float)
        out["share"] = out["used"] / out["capacity"].where(out["capacity"] > 0)
        return out

    def breaches(self) -> list[str]:
        """Everything that breaks the rules of the plan, in plain words (empty = fine)."""
        lines = []
        empty = self.assignee.isna()
        if empty.any():
            lines.append(f"{int(empty.sum())} calls have no caller yet")
        group_of = self.work["group"].astype(str)
        wrong = [(i, a) for i, a in self.assignee.dropna().items()
                 if a not in self.qualified.get(group_of.at[i], [])]
        if wrong:
            names = sorted({f"{a} on {group_of.at[i]}" for i, a in wrong})
            lines.append(f"{len(wrong)} calls go to someone not qualified for that kind of "
                         f"customer: {', '.join(names[:6])}")
        over = self.load()
        over = over[over["used"] > over["capacity"] + 1e-9]
        for row in over.head(6).itertuples():
            what = ("hours" if self.agents.at[row.agent, "unit"] == "minutes" else "calls")
            used = row.used / 60 if what == "hours" else row.used
            cap = row.capacity / 60 if what == "hours" else row.capacity
            lines.append(f"{row.agent} is booked {used:g} {what} in the week of {row.period} "
                         f"but can take {cap:g}")
        if len(over) > 6:
            lines.append(f"... and {len(over) - 6} more overbooked weeks")
        return lines

    def refresh(self) -> str:
        """Show the breaches and the load chart; return the status text."""
        lines = self.breaches()
        self._status.value = ("<br>".join(f"✘ {html.escape(x)}" for x in lines) if lines
                              else "✔ every call has a qualified caller with time for it")
        self._redraw()
        return self._status.value

    # -------------------------------------------------------------------- internals
    def _draw(self) -> None:
        """Each caller's busiest week as a share of their capacity (over 100% = breach)."""
        import matplotlib.pyplot as plt

        load = self.load()
        self._chart.clear_output(wait=True)
        if load.empty:
            return
        peak = load.groupby("agent")["share"].max().sort_values(ascending=False)
        with self._chart:
            fig, ax = plt.subplots(figsize=(6, 2.4))
            ax.bar(peak.index, 100 * peak.to_numpy(),
                   color=["#d9534f" if s > 1 else "#3b7dd8" for s in peak])
            ax.axhline(100, color="black", linewidth=0.8)
            ax.set_ylabel("busiest week, % of capacity")
            ax.tick_params(axis="x", rotation=90, labelsize=7)
            fig.tight_layout()
            plt.show()
            plt.close(fig)

def apply_assignment(rule: Mapping[str, Any], work: pd.DataFrame, agents: pd.DataFrame
                     ) -> pd.Series:
    """The caller an assignment rule gives each call (None where nobody has room).

    Calls are taken highest priority first (ties in table order); each goes to the first
    caller on its group's list with room left in the call's period.
    """
    callers = rule.get("callers") if isinstance(rule, Mapping) else None
    if not isinstance(callers, Mapping):
        raise FieldError("rule", "(no callers)", "{'callers': {group: [ids]}}",
                         "use the planner's rule")
    table = agents.assign(agent_id=agents["agent_id"].astype(str)).set_index("agent_id")
    used: dict[tuple[str, Any], float] = {}
    out = pd.Series(None, index=work.index, dtype=object)
    order = work.sort_values("priority", ascending=False, kind="stable")
    for idx, group, period, minutes in zip(order.index, order["group"].astype(str),
                                           order["period"], order["minutes"], strict=True):
        for agent in callers.get(group, []) or []:
            agent = str(agent)
            if agent not in table.index:
                continue
            need = float(minutes) if table.at[agent, "unit"] == "minutes" else 1.0
            if used.get((agent, period), 0.0) + need <= float(table.at[agent, "capacity"]):
                used[(agent, period)] = used.get((agent, period), 0.0) + need
                out.at[idx] = agent
                break
    return out
