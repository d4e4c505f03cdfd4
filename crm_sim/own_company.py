"""Figures of the trainee's own company that own-company questions are answered from.

An own-company question is the same for every trainee; its answer comes from the
trainee's own public tables (which segment complained most, which segment's customers
most often said they were dissatisfied), so a key copied from a classmate or from the
course repository is worth nothing. The tables here are what the trainee reads; the
question's evaluator reads the same table from the world it rebuilds from the seed.

Every figure covers the history before the unit's start date (`scenario.end_date`),
never a month the trainee advanced or a call they made: the grader's rebuilt world has
the same history, so the trainee's answer and the grader's agree however the trainee's
own world has moved on.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from crm_sim.errors import FieldError
from crm_sim.scenario import add_months


def _history(world: Any, months: int) -> pd.DataFrame:
    """Interactions of the `months` months before the start date, with each customer's segment."""
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise FieldError("months", months, "a whole number of months ≥ 1", "e.g. months=12")
    end = world.scenario.end_date
    start = add_months(end, -months)
    inter = world.tables["interactions"]
    ts = inter["timestamp"].astype(str)
    window = inter[(ts >= start) & (ts < end)]
    segment = world.tables["customers"].set_index("customer_id")["segment"]
    return window.assign(segment=window["customer_id"].map(segment).astype(str),
                         month=window["timestamp"].astype(str).str[:7])


def complaints_table(world: Any, months: int = 12) -> pd.DataFrame:
    """Complaints per 100 customers, one row per month, one column per segment.

    Counts the inbound complaints (purpose "complaint") of each month before the start
    date; each segment's count is divided by its number of customers.
    """
    hist = _history(world, months)
    complaints = hist[hist["purpose"] == "complaint"]
    size = world.tables["customers"]["segment"].astype(str).value_counts()
    segments = list(world.scenario.segments)
    counts = (complaints.groupby(["month", "segment"]).size().unstack("segment")
              .reindex(columns=segments).fillna(0))
    every = [add_months(world.scenario.end_date, -k)[:7] for k in range(months, 0, -1)]
    counts = counts.reindex(every).fillna(0)
    table = (100 * counts / size.reindex(segments).clip(lower=1).to_numpy()).round(2)
    table.index.name, table.columns.name = "month", "segment"
    return table


def satisfaction_table(world: Any, months: int = 12) -> pd.DataFrame:
    """What customers said about their satisfaction, per segment: answers and shares.

    One row per segment: how many satisfaction answers calls recorded in the `months`
    before the start date, and the share (%) that were low, medium and high.
    """
    hist = _history(world, months)
    said = hist["info_captured"].astype(str).str.extract(r'"satisfaction":\s*"(\w+)"')[0]
    answers = hist.assign(said=said).dropna(subset=["said"])
    segments = list(world.scenario.segments)
    counts = (answers.groupby(["segment", "said"]).size().unstack("said")
              .reindex(index=segments, columns=["low", "medium", "high"]).fillna(0))
    total = counts.sum(axis=1)
    shares = (100 * counts.div(total.clip(lower=1), axis=0)).round(1)
    shares.columns = [f"{c}_%" for c in shares.columns]
    table = pd.concat([total.astype(int).rename("answers"), shares], axis=1)
    table.index.name = "segment"
    return table


def top_segments(figures: pd.Series) -> list[str]:
    """The segment(s) with the highest figure (several only on an exact tie)."""
    top = float(figures.max())
    return [str(s) for s, v in figures.items() if abs(float(v) - top) < 1e-9]


__all__ = ["complaints_table", "satisfaction_table", "top_segments"]
