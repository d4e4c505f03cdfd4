"""Call plans: building from frames and records, plain-data round trip, validation errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from minimal_world import clean_rows, mini_world

from crm_sim.errors import PlanError
from crm_sim.plans import QUESTIONS, SCRIPT_CATALOGUE, CallPlan, mask_items, script_mask


def test_build_from_records_and_frame_agree():
    """A list of dicts and the equivalent DataFrame give the same plan."""
    w = mini_world()
    a = CallPlan.build(clean_rows(), w)
    b = CallPlan.build(pd.DataFrame(clean_rows()), w)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert len(a) == 5 and repr(a) == "CallPlan(5 calls)"


def test_to_records_round_trip_is_json():
    """to_records is plain JSON data and rebuilds the same plan."""
    w = mini_world()
    plan = CallPlan.build(clean_rows(), w)
    recs = json.loads(json.dumps(plan.to_records()))
    assert recs[0]["script"] == ["greeting", "identify_self", "state_purpose", "closing",
                                 "needs"]
    pd.testing.assert_frame_equal(CallPlan.build(recs, w).frame, plan.frame)


def test_defaults_aliases_and_script_forms():
    """purpose/script default; 'timestamp'/'staff_id' aliases; scripts as str or list."""
    w = mini_world()
    plan = CallPlan.build([
        {"customer_id": "C001", "timestamp": "2025-03-04T10:00", "channel": "phone",
         "staff_id": "S001"},
        {"customer_id": "C004", "slot": "2025-03-05T10:00", "channel": "email",
         "assignee": "S002", "script": "greeting; needs,budget"},
        {"customer_id": "C005", "slot": "2025-03-06T10:00", "channel": "email",
         "assignee": "O001", "script": ("greeting",)},
    ], w)
    assert list(plan.frame["purpose"]) == ["routine"] * 3
    assert list(plan.frame["script"]) == ["", "greeting;needs;budget", "greeting"]
    d = plan.derived
    assert list(d["n_questions"]) == [0, 2, 0]
    assert list(d["is_outsourcer"]) == [False, False, True]
    assert mask_items(int(d["script_mask"][1])) == ["greeting", "needs", "budget"]


def test_script_mask_helpers():
    """script_mask and mask_items are inverse; unknown items raise PlanError."""
    items = ["closing", "needs", "pain_points"]
    assert mask_items(script_mask(items)) == [i for i in SCRIPT_CATALOGUE if i in items]
    with pytest.raises(PlanError, match="horoscope"):
        script_mask(["horoscope"])
    assert set(QUESTIONS) <= set(SCRIPT_CATALOGUE)


def _bad(**changes):
    rows = clean_rows()
    rows[2].update(changes)
    return rows


@pytest.mark.parametrize("rows, field, value", [
    (_bad(customer_id="C999"), "row 2: customer_id", "C999"),
    (_bad(slot="2025-03-06 14:00"), "row 2: slot", "2025-03-06 14:00"),
    (_bad(slot="2025-02-30T10:00"), "row 2: slot", "2025-02-30T10:00"),
    (_bad(slot="2025-03-06T25:00"), "row 2: slot", "2025-03-06T25:00"),
    (_bad(channel="fax"), "row 2: channel", "fax"),
    (_bad(assignee="S999"), "row 2: assignee", "S999"),
    (_bad(purpose="spam"), "row 2: purpose", "spam"),
    (_bad(script=["greeting", "horoscope"]), "row 2: script", "horoscope"),
    (_bad(customer_id=None), "row 2: customer_id", None),
])
def test_validation_names_row_field_value_and_fix(rows, field, value):
    """Each malformed value raises PlanError naming row, field, value and a fix."""
    with pytest.raises(PlanError) as e:
        CallPlan.build(rows, mini_world())
    assert e.value.field == field and e.value.value == value
    assert "Fix:" in str(e.value)


def test_validation_counts_more_bad_rows():
    """When several rows are bad, the message says how many more and which."""
    rows = clean_rows()
    for r in rows[1:4]:
        r["channel"] = "fax"
    with pytest.raises(PlanError, match=r"row 1: channel.*2 more rows too: 2, 3"):
        CallPlan.build(rows, mini_world())


@pytest.mark.parametrize("data, needle", [
    ({"customer_id": "C001"}, "wrap one call in a list"),
    ("C001 tomorrow", "a DataFrame or a list of dicts"),
    ([{"customer_id": "C001"}, "oops"], "a dict per call"),
    (pd.DataFrame({"customer_id": ["C001"], "slot": ["2025-03-04T10:00"]}), "columns"),
    ([{"customer_id": "C001", "slot": "2025-03-04T10:00", "channel": "phone",
       "assignee": "S001", "script": 42}], "script"),
])
def test_hostile_inputs(data, needle):
    """Wrong container types, missing columns and odd scripts raise PlanError."""
    with pytest.raises(PlanError, match=needle):
        CallPlan.build(data, mini_world())


def test_build_does_not_touch_input():
    """Building a plan leaves the caller's DataFrame unchanged."""
    frame = pd.DataFrame(clean_rows()).rename(columns={"slot": "timestamp"})
    copy = frame.copy()
    CallPlan.build(frame, mini_world())
    pd.testing.assert_frame_equal(frame, copy)


def test_empty_plan_is_valid():
    """A plan with no rows (but the columns) is valid and derives empty columns."""
    empty = pd.DataFrame({c: [] for c in ("customer_id", "slot", "channel", "assignee")})
    plan = CallPlan.build(empty, mini_world())
    assert len(plan) == 0 and plan.to_records() == []
    assert len(plan.derived) == 0 and np.asarray(plan.derived["script_mask"]).size == 0
