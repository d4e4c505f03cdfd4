"""The record sheet driven from code: rows filled, checked row by row, value as a table."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_sim.errors import FieldError
from crm_sim.ui.record_sheet import RecordSheet

ROWS = pd.DataFrame({"id": ["C1", "C2"], "outcome": ["sale", "no_answer"]})


def needs_text(row: pd.Series) -> str | None:
    """A row is complete when its note has at least two words."""
    return None if len(str(row["note"]).split()) >= 2 else "write a note"


@pytest.fixture
def sheet() -> RecordSheet:
    """Two rows with one editable column."""
    return RecordSheet(ROWS, "id", ["note"], needs_text)


def test_empty_sheet_lists_every_row_to_fix(sheet):
    """Nothing written: both rows are named with what is missing."""
    assert sheet.problems() == {"C1": "write a note", "C2": "write a note"}
    assert "0 of 2 rows complete" in sheet._status.value


def test_filling_rows_completes_them_and_fills_the_value(sheet):
    """Writing notes fixes the rows; the value carries what was typed."""
    sheet.fill("C1", note="confirm the order")
    assert sheet.problems() == {"C2": "write a note"}
    sheet.fill_all({"C2": {"note": "call again tomorrow"}})
    assert sheet.problems() == {}
    assert sheet.value["note"].tolist() == ["confirm the order", "call again tomorrow"]
    assert sheet.chart_data == {"complete": 2, "to fix": 0}


def test_typing_in_a_box_counts_like_fill(sheet):
    """Text typed in a row's box reaches the value (the widget path)."""
    sheet._boxes[(0, "note")].value = "send quotation"
    assert sheet.value.at[0, "note"] == "send quotation"


def test_bad_rows_and_columns_raise_domain_errors(sheet):
    """An unknown row or a read-only column is refused with the fix."""
    with pytest.raises(FieldError, match="id"):
        sheet.fill("C9", note="x y")
    with pytest.raises(FieldError, match="column"):
        sheet.fill("C1", outcome="declined")


def test_typing_in_a_box_updates_the_status_at_once():
    """A value typed in the page (a box's value change) recounts the complete rows."""
    import pandas as pd

    from crm_sim.ui.record_sheet import RecordSheet

    rows = pd.DataFrame({"id": ["A", "B"]})
    sheet = RecordSheet(rows, "id", ["note"],
                        check=lambda row: "" if row["note"] else "no note")
    assert sheet._status.value.startswith("0 of 2")
    sheet._boxes[(0, "note")].value = "called back"          # what typing + Enter does
    assert sheet._status.value.startswith("1 of 2")


def test_fill_all_redraws_once_with_every_row_filled(sheet, monkeypatch):
    """fill_all draws the chart once, after the last row, with the final counts."""
    drawn = []
    monkeypatch.setattr(sheet, "_draw", lambda: drawn.append(dict(sheet.chart_data)))
    sheet.fill_all({"C1": {"note": "confirm the order"}, "C2": {"note": "call again soon"}})
    assert drawn == [{"complete": 2, "to fix": 0}]


def test_fill_all_stops_at_a_bad_row_and_shows_the_rows_before_it(sheet):
    """A bad row raises as before; the rows filled before it are kept and shown."""
    with pytest.raises(FieldError):
        sheet.fill_all({"C1": {"note": "confirm the order"}, "C9": {"note": "x y"},
                        "C2": {"note": "call again soon"}})
    assert sheet.problems() == {"C2": "write a note"}
    assert "1 of 2 rows complete" in sheet._status.value
