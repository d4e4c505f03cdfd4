"""Review planner: put the review's steps in order, pick a tool each, watch the clock.

The analyst adds steps (`add`), picks the tool for each (`set_tool`), moves them
(`move`) or removes them (`remove`); after every change the plan is replayed on the
analysis clock (`crm_sim.profile_review.run_plan`) and the view says which required
steps would not finish in time and how many hours are left unused while a step would
still fit, and draws the hours each step takes against the budget. `value` is the plan
as plain data (``[{"step", "tool"}]``), the artefact the review exercise hands in.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from crm_sim import profile_review as review
from crm_sim.errors import PlanError
from crm_sim.ui.view import View


class ReviewPlanner(View):
    """An ordered plan of review steps over a customer base of a given size.

    Attributes:
        n_customers: size of the base (steps take longer on bigger bases).
        budget_hours: the time available.
        plan: the steps in order, ``[{"step", "tool"}]``.
        widget: the ipywidgets box to display.
    """

    def __init__(self, n_customers: int,
                 budget_hours: float = review.DEFAULT_BUDGET_HOURS):
        self.n_customers, self.budget_hours = n_customers, budget_hours
        self.plan: list[dict[str, str]] = []
        self._step = widgets.Dropdown(options=list(review.STEPS), description="Step")
        self._tool = widgets.Dropdown(options=list(review.TOOLS), description="Tool")
        add = widgets.Button(description="Add step", button_style="primary")
        add.on_click(lambda _b: self.add(self._step.value, self._tool.value))
        undo = widgets.Button(description="Remove last")
        undo.on_click(lambda _b: self.remove(len(self.plan) - 1) if self.plan else None)
        self._summary = widgets.HTML()
        self._out = widgets.Output()
        self.widget = widgets.VBox([widgets.HBox([self._step, self._tool, add, undo]),
                                    self._summary, self._out])
        self.refresh()

    # ------------------------------------------------------------ user actions
    def add(self, step: str, tool: str) -> dict[str, Any]:
        """Append a step done with a tool.

        Raises:
            PlanError: unknown step or tool; nothing changes.
        """
        self._check(step, tool)
        self.plan.append({"step": step, "tool": tool})
        return self.refresh()

    def set_tool(self, i: int, tool: str) -> dict[str, Any]:
        """Change the tool of the i-th step."""
        self._index(i)
        self._check(self.plan[i]["step"], tool)
        self.plan[i] = {**self.plan[i], "tool": tool}
        return self.refresh()

    def move(self, i: int, j: int) -> dict[str, Any]:
        """Move the i-th step to position j."""
        self._index(i)
        self._index(j)
        self.plan.insert(j, self.plan.pop(i))
        return self.refresh()

    def remove(self, i: int) -> dict[str, Any]:
        """Take the i-th step out of the plan."""
        self._index(i)
        self.plan.pop(i)
        return self.refresh()

    def refresh(self) -> dict[str, Any]:
        """Replay the plan on the clock and redraw; returns the replay."""
        self._result = review.run_plan(self.plan, self.n_customers, self.budget_hours)
        self._summary.value = "<br>".join(self.messages())
        self._redraw()
        return self._result

    # ------------------------------------------------------------ read-outs
    @property
    def value(self) -> list[dict[str, str]]:
        """The plan as plain data (what `submit` hands in)."""
        return [dict(p) for p in self.plan]

    def messages(self) -> list[str]:
        """What the plan achieves on the clock, in plain words."""
        r = self._result
        out = [f"{r['hours_used']:g} of {self.budget_hours:g} hours used."]
        if r["missing_required"]:
            out.append(f"Not done in time: {', '.join(r['missing_required'])}. Faster tools "
                       "for the big steps, or fewer extras before them.")
        if r["could_add"]:
            out.append(f"{r['spare_hours']:g} hours left while these would still fit: "
                       f"{', '.join(r['could_add'])}.")
        if not r["missing_required"] and not r["could_add"] and self.plan:
            out.append("Every required step done in time, and no time left idle.")
        return out

    # ------------------------------------------------------------ internals
    def _check(self, step: str, tool: str) -> None:
        if step not in review.STEPS:
            raise PlanError("step", step, ", ".join(review.STEPS), "pick a listed step")
        if tool not in review.TOOLS:
            raise PlanError("tool", tool, ", ".join(review.TOOLS), "e.g. sql")

    def _index(self, i: int) -> None:
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(self.plan):
            raise PlanError("position", i, f"0 to {len(self.plan) - 1}",
                            "count steps from 0")

    def _draw(self) -> None:
        from IPython import get_ipython

        self._out.clear_output()
        if get_ipython() is None or not self.plan:
            return
        import matplotlib.pyplot as plt

        hours = [review.step_cost(p["step"], p["tool"], self.n_customers) for p in self.plan]
        with self._out:
            fig, ax = plt.subplots(figsize=(6, 1.6))
            left = 0.0
            for p, h in zip(self.plan, hours, strict=True):
                ax.barh(0, h, left=left)
                ax.text(left + h / 2, 0, p["step"][:10], ha="center", va="center",
                        fontsize=7)
                left += h
            ax.axvline(self.budget_hours, color="red")
            ax.set_yticks([])
            ax.set_xlabel("hours (red: budget)")
            plt.tight_layout()
            plt.show()
