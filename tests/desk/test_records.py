"""Communication records: one or a batch, checked as columns, searched, and the timeline."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_sim import desk

from .conftest import assert_unchanged, snapshot


def _batch(world, n: int) -> pd.DataFrame:
    ids = world.customers["customer_id"].to_numpy(object)
    return pd.DataFrame({
        "customer_id": [ids[i % len(ids)] for i in range(n)], "staff_id": "S0001",
        "channel": "phone", "direction": "outbound", "timestamp": "2026-01-02T10:00",
        "subject": "Check-in", "summary": "Asked how the watch runs."})


def test_record_one_communication(w):
    """A call is stored with who, when, channel, summary and an audit event."""
    c = w.customers["customer_id"].iloc[3]
    cid = desk.record_communication(w, c, "S0001", "phone", "Strap price given.",
                                    when="2026-01-02T15:30", direction="inbound")
    row = w.tables["desk_comms"].iloc[-1]
    assert row["comm_id"] == cid and row["customer_id"] == c
    assert (row["channel"], row["direction"], row["timestamp"]) == (
        "phone", "inbound", "2026-01-02T15:30")
    assert row["subject"] == "Phone"
    ev = w.tables["desk_events"].iloc[-1]
    assert (ev["record_id"], ev["action"]) == (cid, "recorded")


def test_batch_gets_consecutive_ids(w):
    """A batch of 50 gets 50 new consecutive ids after the last one."""
    last = int(w.tables["desk_comms"]["comm_id"].iloc[-1][1:])
    ids = desk.record_communications(w, _batch(w, 50))
    assert [int(i[1:]) for i in ids] == list(range(last + 1, last + 51))


@pytest.mark.parametrize("field,value,needle", [
    ("customer_id", "C999999", "customer_id"),
    ("channel", "pigeon", "channel"),
    ("timestamp", "2026-13-01T10:00", "timestamp"),
    ("timestamp", "yesterday", "timestamp"),
    ("summary", "  ", "summary"),
    ("staff_id", "S9999", "staff_id"),
    ("direction", "sideways", "direction"),
])
def test_bad_row_refused_and_nothing_recorded(w, field, value, needle):
    """One bad row refuses the whole batch, names row and field, and changes nothing."""
    batch = _batch(w, 5)
    batch.loc[3, field] = value
    before = snapshot(w)
    with pytest.raises(desk.DeskError) as err:
        desk.record_communications(w, batch)
    assert "communication row 3" in str(err.value) and needle in str(err.value)
    assert err.value.fix
    assert_unchanged(w, before)


def test_unknown_repair_link_refused(w):
    """A link to a repair that does not exist is refused."""
    with pytest.raises(desk.DeskError, match="repair_id"):
        desk.record_communication(w, w.customers["customer_id"].iloc[0], "S0001", "phone",
                                  "x", repair_id="RP999999")


def test_search_by_words_customer_and_dates(w):
    """Search finds by words in the summary, customer, channel and date range."""
    c = w.customers["customer_id"].iloc[7]
    desk.record_communication(w, c, "S0001", "letter", "Sent the Moonphase catalogue.",
                              when="2026-01-03T09:00")
    hits = desk.search_communications(w, "moonphase catalogue")
    assert list(hits["customer_id"]) == [c]
    assert len(desk.search_communications(w, "moonphase", since="2026-01-04")) == 0
    mine = desk.search_communications(w, customer_id=c, channel="letter")
    assert (mine["customer_id"] == c).all() and len(mine) >= 1


def test_timeline_merges_every_kind_in_time_order(w):
    """The timeline holds the customer's records of every kind, oldest first, and no other's."""
    sales = w.tables["desk_sales"]
    c = sales["customer_id"].value_counts().index[0]
    desk.record_communication(w, c, "S0001", "email", "Thank-you note.",
                              when="2026-01-05T11:00")
    tl = desk.timeline(w, c)
    assert list(tl.columns) == ["when", "kind", "record_id", "details"]
    assert tl["when"].is_monotonic_increasing
    assert {"communication", "purchase"} <= set(tl["kind"])
    assert tl["record_id"].iloc[-1] == w.tables["desk_comms"]["comm_id"].iloc[-1]
    n_comms = (w.tables["desk_comms"]["customer_id"] == c).sum()
    assert (tl["kind"] == "communication").sum() == n_comms
    assert (tl["kind"] == "purchase").sum() == (sales["customer_id"] == c).sum()


def test_timeline_of_unknown_customer(w):
    """An unknown customer id is a DeskError naming it."""
    with pytest.raises(desk.DeskError, match="C999999"):
        desk.timeline(w, "C999999")
