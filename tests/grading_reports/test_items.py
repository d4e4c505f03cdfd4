"""Item analysis: failures per check and the most common failure messages."""

from __future__ import annotations

from autograders.reports.competency import decide
from autograders.reports.items import item_analysis, item_rows

from .conftest import good_cells, partial_cells, row, wrong_cells


def test_counts_failures_and_messages(spec):
    """Per check: attempts, failures and messages ranked by frequency; pending excluded."""
    decisions = [decide(spec, t, [row(t, cells)]) for t, cells in
                 [("A", good_cells()), ("B", partial_cells()), ("C", wrong_cells()),
                  ("D", wrong_cells())]]
    items = {i.grade_id: i for i in item_analysis(decisions)}
    sq = items["squares_test"]
    assert (sq.attempted, sq.failed) == (4, 3)
    assert sq.messages[0] == ("right for 0 of 4 sizes", 2)
    assert sq.messages[1] == ("right for 2 of 4 sizes", 1)
    assert abs(sq.mean_points - 4.5 / 4) < 1e-9
    assert items["written_reflection"].attempted == 0      # all pending manual grades
    assert items["mean_test"].fail_rate == 0.5
    rows = {r["grade_id"]: r for r in item_rows(list(items.values()))}
    assert rows["squares_test"]["top_failure_messages"].startswith("right for 0 of 4 sizes (x2)")
