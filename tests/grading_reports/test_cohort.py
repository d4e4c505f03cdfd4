"""Cohort summary: pass rates per criterion and the embedded chart."""

from __future__ import annotations

import base64

from autograders.reports.cohort import chart_png_base64, decision_counts, pass_rates
from autograders.reports.competency import decide

from .conftest import MANUAL_DONE, good_cells, partial_cells, row, wrong_cells


def test_pass_rates_and_counts(spec):
    """Rates count trainees meeting each criterion; counts split competent/NYC/pending."""
    decisions = [decide(spec, "A", [row("A", good_cells())], MANUAL_DONE),
                 decide(spec, "B", [row("B", partial_cells())], MANUAL_DONE),
                 decide(spec, "C", [row("C", wrong_cells())])]
    rates = {r.criterion: (r.met, r.total) for r in pass_rates(decisions)}
    assert rates == {"AC-i": (2, 3), "AC-ii": (2, 3)}
    assert decision_counts(decisions)["FIXTURE1"] == {"Competent": 2, "Pending": 1}


def test_chart_is_a_png(spec):
    """The chart is a base64 PNG (empty when there is nothing to draw)."""
    rates = pass_rates([decide(spec, "A", [row("A", good_cells())], MANUAL_DONE)])
    png = base64.b64decode(chart_png_base64(rates))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert chart_png_base64([]) == ""
