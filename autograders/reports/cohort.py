"""Cohort summary: per-criterion pass rates, decisions per trainee, and a chart.

The chart is drawn with matplotlib's Agg backend (no display needed, set on the
figure's canvas, not process-wide) and embedded in the HTML as base64 PNG, so the
report is a single file an instructor can mail or print.
"""

from __future__ import annotations

import base64
import io
from collections import Counter
from dataclasses import dataclass

from autograders.reports.competency import UnitDecision


@dataclass
class CriterionRate:
    """How many trainees met one criterion of one unit."""

    unit: str
    criterion: str
    text: str
    met: int
    total: int

    @property
    def rate(self) -> float:
        """Pass rate 0..1."""
        return self.met / self.total if self.total else 0.0


def pass_rates(decisions: list[UnitDecision]) -> list[CriterionRate]:
    """Per unit per criterion: trainees meeting the threshold out of all graded."""
    rates: dict[tuple[str, str], CriterionRate] = {}
    for d in decisions:
        for c in d.criteria:
            r = rates.setdefault((d.unit, c.id), CriterionRate(d.unit, c.id, c.text, 0, 0))
            r.total += 1
            r.met += int(c.met)
    return [rates[k] for k in sorted(rates)]


def decision_counts(decisions: list[UnitDecision]) -> dict[str, Counter]:
    """Count decisions per unit: unit -> Counter of Competent / Not Yet Competent / pending."""
    out: dict[str, Counter] = {}
    for d in decisions:
        key = "Competent" if d.competent else ("Pending" if d.pending else "Not Yet Competent")
        out.setdefault(d.unit, Counter())[key] += 1
    return out


def chart_png_base64(rates: list[CriterionRate]) -> str:
    """A horizontal bar chart of pass rates as a base64 PNG ('' when there is nothing)."""
    if not rates:
        return ""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 0.45 * len(rates) + 1.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    labels = [f"{r.unit} {r.criterion}" for r in rates]
    values = [100 * r.rate for r in rates]
    bars = ax.barh(labels, values, color="#3b7dd8")
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    ax.set_xlabel("trainees meeting the criterion (%)")
    for bar, r in zip(bars, rates, strict=True):
        ax.text(min(bar.get_width() + 1, 88), bar.get_y() + bar.get_height() / 2,
                f"{r.met}/{r.total}", va="center", fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return base64.b64encode(buf.getvalue()).decode("ascii")
