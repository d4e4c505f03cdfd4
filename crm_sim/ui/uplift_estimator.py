"""Uplift estimator: pick how to read an A/B test, see the estimate and its interval.

Generic: it knows nothing of a unit. Given an A/B table (`programme_sim.ab_test(...).data`)
the person choosing picks the outcome, the comparison (treatment vs control, the same
adjusted for each customer's own before-test purchases, or the treated before vs after),
the sample (everyone in the test, or survey respondents only) and the confidence level;
the view shows the estimate with its interval (`programme_sim.uplift_estimate`) and a
chart of the outcome per arm. Its value is the method with the estimate it gave, the
artefact handed in. Every control is a method (`set_method`).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd

from crm_sim.errors import FieldError
from crm_sim.programme_sim import METHODS, OUTCOMES, SAMPLES, Z_OF_LEVEL, uplift_estimate
from crm_sim.ui.view import View


class UpliftEstimator(View):
    """Method pickers over an A/B table, the estimate with its interval, a chart.

    Attributes:
        data: the A/B table.
        result: the last estimate (estimate, low, high, se, n_treatment, n_control).
        chart_data: mean outcome per arm last drawn.
        widget: the composed ipywidgets view.
    """

    def __init__(self, data: pd.DataFrame):
        """Build the view on the randomised comparison of purchases, 95 %."""
        self.data = data
        self.result: dict[str, float] = {}
        self.chart_data: dict[str, float] = {}
        self._outcome = widgets.Dropdown(options=OUTCOMES, value="bought", description="outcome")
        self._method = widgets.Dropdown(options=METHODS, value="arms", description="compare")
        self._sample = widgets.Dropdown(options=SAMPLES, value="all", description="sample")
        self._level = widgets.Dropdown(options=sorted(Z_OF_LEVEL), value=0.95,
                                       description="confidence")
        self._status = widgets.HTML()
        self._chart = widgets.Output()
        self._out = widgets.Output()
        for box in (self._outcome, self._method, self._sample, self._level):
            box.observe(lambda _: self._safely(self.refresh), names="value")
        self.widget = widgets.VBox([widgets.HBox([self._outcome, self._method]),
                                    widgets.HBox([self._sample, self._level]),
                                    self._status, self._chart, self._out])
        self.refresh()

    def set_method(self, outcome: str = "bought", method: str = "arms", sample: str = "all",
                   level: float = 0.95) -> dict[str, Any]:
        """Choose how to read the test (checked first); returns the value."""
        uplift_estimate(self.data, outcome, level, method, sample)     # validates
        self._outcome.value, self._method.value = outcome, method
        self._sample.value, self._level.value = sample, level
        self.refresh()
        return self.value

    @property
    def value(self) -> dict[str, Any]:
        """The method and the estimate it gave on this data: what `submit` hands in."""
        return {"kind": "uplift_method", "outcome": self._outcome.value,
                "method": self._method.value, "sample": self._sample.value,
                "level": float(self._level.value),
                **{k: round(float(self.result[k]), 6) for k in ("estimate", "low", "high")
                   if k in self.result}}

    def refresh(self) -> str:
        """Estimate again and redraw; returns the status text."""
        try:
            self.result = uplift_estimate(self.data, self._outcome.value, self._level.value,
                                          self._method.value, self._sample.value)
        except FieldError as exc:
            self.result = {}
            self._status.value = f"✘ {exc}"
            return self._status.value
        r = self.result
        self._status.value = (
            f"uplift on {self._outcome.value}: {r['estimate']:+.4f} "
            f"({self._level.value:.0%} interval {r['low']:+.4f} to {r['high']:+.4f}); "
            f"{r['n_treatment']} treated, {r['n_control']} in the control group")
        values = pd.to_numeric(self.data[self._outcome.value], errors="coerce").astype(float)
        self.chart_data = {str(k): float(v) for k, v in values.groupby(
            self.data["arm"].astype(str)).mean().items()}
        self._redraw()
        return self._status.value

    def _draw(self) -> None:
        """Mean outcome per arm (and before the test), as bars."""
        import matplotlib.pyplot as plt

        self._chart.clear_output(wait=True)
        with self._chart:
            fig, ax = plt.subplots(figsize=(4, 2.4))
            ax.bar(list(self.chart_data), list(self.chart_data.values()),
                   color=["#5cb85c", "#777777"][: len(self.chart_data)])
            ax.set_ylabel(self._outcome.value)
            fig.tight_layout()
            plt.show()
            plt.close(fig)
