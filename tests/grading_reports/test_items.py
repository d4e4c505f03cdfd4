"""Item analysis: failures per check and the most common failure messages."""

from __future__ import annotations

from autograders.reports.competency import decide
from autograders.reports.items import MAX_MESSAGE, item_analysis, item_rows, message_key

from .conftest import good_cells, partial_cells, row, wrong_cells


def test_counts_failures_and_messages(spec):
    """Per check: attempts, failures and messages ranked by frequency; pending excluded."""
    decisions = [decide(spec, t, [row(t, cells)]) for t, cells in
                 [("A", good_cells()), ("B", partial_cells()), ("C", wrong_cells()),
                  ("D", wrong_cells())]]
    items = {i.grade_id: i for i in item_analysis(decisions)}
    sq = items["squares_test"]
    assert (sq.attempted, sq.failed) == (4, 3)
    assert sq.messages == [("right for <n> of <n> sizes", 3)]
    assert abs(sq.mean_points - 4.5 / 4) < 1e-9
    assert items["written_reflection"].attempted == 0      # all pending manual grades
    assert items["mean_test"].fail_rate == 0.5
    rows = {r["grade_id"]: r for r in item_rows(list(items.values()))}
    assert rows["squares_test"]["top_failure_messages"] == "right for <n> of <n> sizes (x3)"
    assert items["mean_test"].messages == [("mean_value is <n>", 2)]


def test_message_key_groups_trainee_specific_messages():
    """Ids and numbers that differ per trainee's world are blanked; long messages cut."""
    a = message_key("11 calls to customers without consent: C000288, C000092")
    b = message_key("3 calls to customers without consent: C000001, C000777")
    assert a == b == "<n> calls to customers without consent: <id>, <id>"
    assert message_key("squares_test2 ok") == "squares_test2 ok"
    assert message_key("contacted_90d_share is 0.5") == "contacted_90d_share is <n>"
    assert len(message_key("x" * 1000)) == MAX_MESSAGE
