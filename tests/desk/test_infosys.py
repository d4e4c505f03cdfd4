"""The information system: parameterised read-only SQL, audited updates, reports, HTML."""

from __future__ import annotations

import pytest

from crm_sim import desk
from crm_sim.world import World

from .conftest import assert_unchanged, snapshot


@pytest.fixture
def system(w, tmp_path):
    """The world kept in a file."""
    return desk.InfoSystem(w, tmp_path / "shop.sqlite")


def test_parameterised_query(system):
    """A ? parameter selects one customer's communications, as pandas."""
    c = system.world.tables["desk_comms"]["customer_id"].iloc[0]
    df = system.query("SELECT comm_id FROM desk_comms WHERE customer_id = ? ORDER BY comm_id",
                      [c])
    expected = system.world.tables["desk_comms"]
    assert list(df["comm_id"]) == list(expected.loc[expected["customer_id"] == c, "comm_id"])


def test_injection_in_a_parameter_is_just_a_value(system):
    """A hostile value bound as a parameter matches nothing and breaks nothing."""
    df = system.query("SELECT * FROM desk_comms WHERE customer_id = ?",
                      ["x' OR '1'='1"])
    assert len(df) == 0
    assert len(system.query("SELECT * FROM desk_comms")) == len(
        system.world.tables["desk_comms"])


@pytest.mark.parametrize("sql", ["DELETE FROM desk_comms", "SELECT 1; DROP TABLE t_customers",
                                 "UPDATE desk_info SET value = 'x'"])
def test_only_one_select(system, sql):
    """Anything but one SELECT is refused; the file still verifies."""
    with pytest.raises(desk.DeskError, match="one SELECT"):
        system.query(sql)
    assert system.world.verify(system.path).ok


def test_hidden_truth_not_queryable(system):
    """The hidden truth is not in the information system."""
    with pytest.raises(desk.DeskError, match="hidden"):
        system.query("SELECT * FROM desk_truth")
    assert "desk_truth" not in system.tables() and "latent" not in system.tables()


def test_update_record_audited_and_saved(system):
    """Correcting a summary changes that field, audits it and survives commit/load."""
    w = system.world
    cid = w.tables["desk_comms"]["comm_id"].iloc[2]
    desk.update_record(w, "desk_comms", cid, "S0001", summary="Corrected: called twice.")
    system.commit()
    back = World.load(system.path)
    row = back.tables["desk_comms"].set_index("comm_id").loc[cid]
    assert row["summary"] == "Corrected: called twice."
    assert back.tables["desk_events"].iloc[-1]["action"] == "updated"


@pytest.mark.parametrize("table,record,field,needle", [
    ("desk_comms", "M9999999", "summary", "M9999999"),
    ("desk_comms", None, "timestamp", "editable"),
    ("customers", "C000001", "name", "table"),
])
def test_bad_update_refused_unchanged(w, table, record, field, needle):
    """A missing record, a non-editable field or table: refused, store unchanged."""
    record = record or w.tables["desk_comms"]["comm_id"].iloc[0]
    before = snapshot(w)
    with pytest.raises(desk.DeskError, match=needle):
        desk.update_record(w, table, record, "S0001", **{field: "2026-01-01T00:00"})
    assert_unchanged(w, before)


def test_reports_as_pandas(system):
    """Each report answers from the file and agrees with the engine."""
    w = system.world
    oc = system.report("open_complaints")
    assert set(oc["complaint_id"]) == set(desk.open_complaints(w)["complaint_id"])
    op = system.report("overdue_promises")
    assert set(op["promise_id"]) == set(desk.overdue_promises(w)["promise_id"])
    top = system.report("top_customers", n=3)
    assert len(top) == 3 and top["spent_hkd"].is_monotonic_decreasing
    act = system.report("monthly_activity", month="2025-12")
    comms = w.tables["desk_comms"]
    assert act["communications"].sum() == comms["timestamp"].str.startswith("2025-12").sum()


def test_report_html_escapes(system):
    """HTML reports carry a title and escape every value."""
    w = system.world
    c = w.customers["customer_id"].iloc[0]
    desk.receive_complaint(w, c, "billing", "low", "<script>alert(1)</script>", "S0001")
    system.commit()
    text = desk.to_html(system.query("SELECT summary FROM desk_complaints WHERE "
                                     "summary LIKE ?", ["%script%"]), "Open & new")
    assert "<script>" not in text and "&lt;script&gt;" in text and "Open &amp; new" in text
    assert system.report_html("open_complaints").startswith("<h3>Open complaints on ")


def test_unknown_report(system):
    """An unknown report name lists the four reports."""
    with pytest.raises(desk.DeskError, match="open_complaints"):
        system.report("gossip")
