"""crm_sim.ui.access_matrix and column_picker: driven from code as clicks would drive them."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_sim import privacy
from crm_sim.errors import PolicyError
from crm_sim.ui.access_matrix import AccessMatrix
from crm_sim.ui.column_picker import ColumnPicker


def test_tick_grid_value_and_clicks():
    """Ticking a box (method or widget) lists the column under its row; clear empties all."""
    grid = AccessMatrix(["web", "event"], ["service", "analysis"])
    grid.tick("web", "service")
    grid._cells[("event", "analysis")].value = True          # a click
    assert grid.value == {"web": ["service"], "event": ["analysis"]}
    assert grid.clear() == {"web": [], "event": []}


def test_level_grid_refused_cells_left_out_and_notes_follow():
    """Level "" is left out of the value; the notes function sees every change."""
    seen = []
    grid = AccessMatrix(["agency"], ["contact", "consent"], levels=["", "masked", "full"],
                        notes=lambda v: seen.append(v) or [f"{len(v['agency'])} granted"])
    grid.set_level("agency", "contact", "full")
    assert grid.value == {"agency": {"contact": "full"}}
    assert grid._summary.value == "1 granted"
    grid.set_value({"agency": {"consent": "masked"}})
    assert grid.value == {"agency": {"consent": "masked"}}
    assert seen[-1] == grid.value


def test_grid_refuses_unknown_cells_and_levels():
    """An unknown cell or level raises a PolicyError naming it."""
    grid = AccessMatrix(["agency"], ["contact"], levels=["", "full"])
    with pytest.raises(PolicyError, match="agency/hkid"):
        grid.set_level("agency", "hkid", "full")
    with pytest.raises(PolicyError, match="'full'"):
        grid.set_level("agency", "contact", "all")


@pytest.fixture()
def table() -> pd.DataFrame:
    """Three records with contact details, a source and consent."""
    return pd.DataFrame({"record_id": ["A", "B", "C"], "name": ["Chan Tai Man"] * 3,
                         "phone": ["91234567", "92345678", "93456789"],
                         "source": ["web", "purchased", "web"],
                         "dm_consent": [True, True, False],
                         "budget_hkd": [1.0, 2.0, 3.0]})


def test_picker_filters_rows_and_drops_columns(table):
    """Row filters and keep_only give the table a marketing list needs."""
    p = ColumnPicker(table, purpose="direct_marketing")
    p.filter_rows("source", ["web"])
    p.filter_rows("dm_consent", [True])
    out = p.keep_only(["record_id", "name", "phone"])
    assert out["record_id"].tolist() == ["A"]
    assert list(out.columns) == ["record_id", "name", "phone"]


def test_picker_names_leaks_and_unneeded_columns_in_words(table):
    """A readable phone and a budget kept for marketing are both named under the picker."""
    p = ColumnPicker(table, purpose="direct_marketing")
    text = " ".join(p.messages())
    assert "budget_hkd" in text and "phone" in text and "Mask or drop" in text
    p._drops["phone"].value = "mask"                         # a click
    assert not privacy.find_leaks(p.value[["phone"]])
    with pytest.raises(PolicyError, match="keep or mask or drop"):
        p.choose("phone", "hide")


def test_figure_builder_defines_shows_value_and_sql():
    """Defining a figure shows its value and the SQL it stands for; bad specs are refused."""
    from crm_sim.ui.figure_builder import FigureBuilder

    t = pd.DataFrame({"segment": ["a", "a", "b"], "v": [1.0, 3.0, 5.0],
                      "ok": [True, False, True]})
    fb = FigureBuilder(t, ["mean_v", "share_ok"], table_name="customers")
    assert fb.define("mean_v", "mean", group_by="segment", column="v") == {"a": 2.0, "b": 5.0}
    assert fb.sql("mean_v") == ("SELECT segment, AVG(v) AS mean_v FROM customers "
                                "GROUP BY segment ORDER BY segment")
    assert "Still to define: share_ok" in " ".join(fb.messages())
    fb._figure.value, fb._measure.value, fb._column.value = "share_ok", "share_true", "ok"
    fb._save_from_controls()                                  # the button, as a click
    assert fb.value["figures"]["share_ok"]["measure"] == "share_true"
    with pytest.raises(PolicyError, match="column"):
        fb.define("mean_v", "mean", column="nope")


def test_review_planner_replays_the_clock_after_each_change():
    """Adding, retooling, moving and removing steps replays the plan; bad input is refused."""
    from crm_sim import profile_review as review
    from crm_sim.errors import PlanError
    from crm_sim.ui.review_planner import ReviewPlanner

    p = ReviewPlanner(200)
    assert any("0 of" in m for m in p.messages())
    for step in review.REQUIRED_STEPS:
        p.add(step, "spreadsheet")
    slow = p.refresh()
    p.set_tool(len(p.plan) - 1, "sql")
    assert p.refresh()["hours_used"] != slow["hours_used"]
    assert p.refresh() == review.run_plan(p.value, 200)
    p.move(0, 1)
    assert p.value[1]["step"] == review.REQUIRED_STEPS[0]
    p.remove(0)
    assert any("Not done in time" in m for m in p.messages())
    with pytest.raises(PlanError, match="tool"):
        p.add("segment_mix", "abacus")


def test_judgement_call_choice_and_reasons_in_one_value():
    """Choosing and ticking give {choice, reasons}; the view reads them back; bad codes refused."""
    from crm_sim.ui.judgement import JudgementCall

    j = JudgementCall({"a": "Send it.", "b": "Ask first."}, {"law": "The law says so.",
                                                          "trust": "Trust matters."})
    assert j.value == {"choice": None, "reasons": []}
    assert j.messages() == ["No option chosen yet."]
    j.choose("b")
    j._ticks["trust"].value = True                            # a click
    assert j.value == {"choice": "b", "reasons": ["trust"]}
    assert "Ask first." in j.messages()[0] and "Trust matters." in j.messages()[1]
    with pytest.raises(PolicyError, match="reason"):
        j.tick("money")


def test_query_builder_writes_the_sql_and_previews_it():
    """Group and measures give one SELECT; the preview equals pandas; bad names refused."""
    import sqlite3

    from crm_sim.ui.query_builder import QueryBuilder

    t = pd.DataFrame({"segment": ["a", "a", "b"], "v": [1.0, 3.0, 5.0], "ok": [1, 0, 1]})
    q = QueryBuilder(t, "t")
    assert q.value == "" and "one row" in q.messages()[0]
    q.set_group("segment")
    q.add("n", "count")
    q.add("share_ok", "share_true", "ok")
    con = sqlite3.connect(":memory:")
    t.to_sql("t", con, index=False)
    got = pd.read_sql(q.value, con)
    assert got.to_dict("list") == q.preview().to_dict("list") == {
        "segment": ["a", "b"], "n": [2, 1], "share_ok": [0.5, 1.0]}
    with pytest.raises(PolicyError, match="name"):
        q.add("n; DROP TABLE t", "count")


def test_query_builder_refuses_the_mean_of_a_text_column_in_words():
    """A mean of a text column is a PolicyError naming the column, not pandas' TypeError."""
    from crm_sim.ui.query_builder import QueryBuilder

    t = pd.DataFrame({"segment": ["a", "b"], "customer_id": ["C1", "C2"], "v": [1.0, 2.0]})
    q = QueryBuilder(t, "t")
    q.set_group("segment")
    with pytest.raises(PolicyError, match="customer_id"):
        q.add("avg", "mean", "customer_id")
    assert q.measures == {}
    q._name.value, q._measure.value, q._column.value = "avg", "sum", "customer_id"
    q._add_from_controls()                                  # the button, as clicked
    assert "Not added" in q._summary.value and "numbers" in q._summary.value


def test_column_picker_filters_rows_from_its_controls():
    """Picking a column, values and "Keep these rows" equals filter_rows; bad input in words."""
    from crm_sim.ui.column_picker import ColumnPicker

    t = pd.DataFrame({"source": ["web", "event", "web"], "ok": [True, False, True],
                      "name": ["A", "B", "C"]})
    by_code, by_controls = ColumnPicker(t), ColumnPicker(t)
    by_code.filter_rows("ok", [True])
    with pytest.raises(PolicyError, match="rows where"):
        by_controls._filter_from_controls()                # no column picked yet
    by_controls._filter_col.value = "ok"
    assert [label for label, _ in by_controls._filter_vals.options] == ["False", "True"]
    with pytest.raises(PolicyError, match="is one of"):
        by_controls._filter_from_controls()                # no value selected
    by_controls._filter_vals.value = (True,)
    by_controls._filter_from_controls()                    # the button, as clicked
    assert by_controls.value.equals(by_code.value) and len(by_code.value) == 2
