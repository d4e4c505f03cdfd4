"""Important customer information: preferences, important dates, budget and VIP notes.

Stored in long form (one row per customer and field, newest last), so a new field needs
no new column and the history of a value is kept. Every field carries a privacy
classification (`catalogue.INFO_FIELDS`): general, personal, confidential or restricted,
which `crm_sim.desk.access` uses to decide who may read it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_sim.desk import catalogue as cat
from crm_sim.desk.errors import DeskError
from crm_sim.desk.tables import (
    frame,
    log_events,
    new_ids,
    require,
    today_or,
    transaction,
)

_OBJ = object


def check_customer(world: Any, customer_id: Any) -> str:
    """`customer_id` if the customer exists, else DeskError naming it."""
    if not isinstance(customer_id, str) or not (
            world.customers["customer_id"].to_numpy(_OBJ) == customer_id).any():
        raise DeskError(f"customer {customer_id}", "customer_id", customer_id,
                        "a customer id of the customers table",
                        "copy it from the customer list, e.g. C000001")
    return customer_id


def check_staff(world: Any, staff_id: Any, record: str = "desk") -> pd.Series:
    """The desk_staff row of `staff_id`, else DeskError."""
    staff = world.tables["desk_staff"]
    hits = np.flatnonzero(staff["staff_id"].to_numpy(_OBJ) == staff_id)
    if not len(hits):
        raise DeskError(record, "staff_id", staff_id, "a staff id of desk_staff",
                        f"e.g. {staff['staff_id'].iloc[0]}")
    return staff.iloc[int(hits[0])]


def record_info(world: Any, customer_id: str, field: str, value: Any, staff_id: str,
                on: str | None = None) -> str:
    """Record (or update) one piece of important information; the new row's id.

    The earlier value stays in the table (history); `important_info` shows the newest.

    Raises:
        DeskError: Unknown customer, field or staff; empty value.
    """
    require(world)
    record = f"information of customer {customer_id}"
    check_customer(world, customer_id)
    if field not in cat.INFO_FIELDS:
        raise DeskError(record, "field", field, f"one of {tuple(cat.INFO_FIELDS)}",
                        "pick the field that fits, e.g. 'preferred_brands'")
    text = str(value).strip() if isinstance(value, str | int | float) else ""
    if not text:
        raise DeskError(record, field, value, "a non-empty value", "e.g. 'Harbour & Co.'")
    check_staff(world, staff_id, record)
    on = today_or(world, on, record)
    with transaction(world):
        new = new_ids(world, "desk_info", 1)
        world.append_rows("desk_info", frame("desk_info", {
            "info_id": new, "customer_id": [customer_id], "field": [field], "value": [text],
            "classification": [cat.INFO_FIELDS[field][0]], "recorded_on": [on],
            "recorded_by": [staff_id]}))
        log_events(world, on, "information", new, customer_id, "recorded", staff_id, field)
    return str(new[0])


def important_info(world: Any, customer_id: str | None = None) -> pd.DataFrame:
    """The newest value of each field (of one customer, or all), with its classification."""
    require(world)
    df = world.tables["desk_info"]
    if customer_id is not None:
        check_customer(world, customer_id)
        df = df[df["customer_id"] == customer_id]
    latest = df.drop_duplicates(["customer_id", "field"], keep="last")
    return latest.sort_values(["customer_id", "field"], kind="stable").reset_index(drop=True)


def info_wide(world: Any) -> pd.DataFrame:
    """Newest information as one row per customer, one column per field ('' when unknown)."""
    latest = important_info(world)
    wide = latest.pivot(index="customer_id", columns="field", values="value")
    wide = wide.reindex(index=world.customers["customer_id"], columns=list(cat.INFO_FIELDS))
    return wide.fillna("").astype("string").reset_index()
