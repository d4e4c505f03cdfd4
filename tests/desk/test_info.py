"""Important customer information: recorded with its classification, newest value shown."""

from __future__ import annotations

import pytest

from crm_sim import desk

from .conftest import assert_unchanged, snapshot


def test_record_and_update_keeps_history(w):
    """An update adds a row; important_info shows the newest value with its classification."""
    c = w.customers["customer_id"].iloc[0]
    desk.record_info(w, c, "budget_hkd", 50000, "S0001", on="2026-01-02")
    desk.record_info(w, c, "budget_hkd", "80000", "S0001", on="2026-01-03")
    info = desk.important_info(w, c)
    row = info[info["field"] == "budget_hkd"].iloc[0]
    assert row["value"] == "80000" and row["classification"] == "confidential"
    rows = w.tables["desk_info"]
    assert ((rows["customer_id"] == c) & (rows["field"] == "budget_hkd")).sum() >= 2


def test_each_field_has_its_classification(desk_world):
    """Every stored row carries the classification its field is declared with."""
    info = desk_world.tables["desk_info"]
    expected = info["field"].map({k: v[0] for k, v in desk.catalogue.INFO_FIELDS.items()})
    assert (info["classification"] == expected).all()


@pytest.mark.parametrize("field,value,needle", [("shoe_size", "42", "field"),
                                                ("birthday", "", "birthday")])
def test_bad_information_refused(w, field, value, needle):
    """An unknown field or an empty value is refused and nothing is stored."""
    before = snapshot(w)
    with pytest.raises(desk.DeskError, match=needle):
        desk.record_info(w, w.customers["customer_id"].iloc[0], field, value, "S0001")
    assert_unchanged(w, before)


def test_info_wide_has_one_row_per_customer(desk_world):
    """The wide view has every customer once and a column per field."""
    wide = desk.info_wide(desk_world)
    assert len(wide) == len(desk_world.customers)
    assert set(desk.catalogue.INFO_FIELDS) <= set(wide.columns)
