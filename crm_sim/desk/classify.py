"""Evaluate and classify customers: RFM, value tiers, lifetime value, potential.

What a trainee computes from the records (`rfm`, `value_tiers`, `lifetime_value`,
`potential`) and what graders compare it with: the hidden truth of each customer's
value (`desk_truth`, drawn from the behaviour model: what they will really spend), read
only through `score_classification`, which reports agreement and never returns the truth.
All vectorised over customers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_sim.desk import catalogue as cat
from crm_sim.desk.errors import DeskError
from crm_sim.desk.tables import days_between, require, today_or
from crm_sim.world import engine_state

_OBJ = object


def _quintile(values: np.ndarray, higher_is_better: bool = True) -> np.ndarray:
    """Scores 1..5 by rank (ties broken by position, so the result is reproducible)."""
    n = len(values)
    if n == 0:
        return np.zeros(0, np.int64)
    ranks = pd.Series(values if higher_is_better else -values).rank(method="first").to_numpy()
    return np.minimum(5, 1 + ((ranks - 1) * 5 // n).astype(np.int64))


def rfm(world: Any, on: str | None = None) -> pd.DataFrame:
    """Recency, frequency and monetary value of every customer from the watch sales.

    Columns: customer_id, recency_days (since the last purchase, or since the customer
    joined if they never bought), frequency (purchases), monetary (HKD), r_score, f_score,
    m_score (1..5 quintiles, 5 best) and rfm_score (their sum, 3..15).
    """
    require(world)
    on = today_or(world, on, "rfm")
    sales = world.tables["desk_sales"]
    sales = sales[sales["sale_date"] <= on]
    cid = world.customers["customer_id"].to_numpy(_OBJ)
    grouped = sales.groupby("customer_id", sort=False).agg(
        last=("sale_date", "max"), frequency=("sale_id", "size"), monetary=("price_hkd", "sum"))
    grouped = grouped.reindex(cid)
    last = grouped["last"].astype(object).fillna(
        pd.Series(world.customers["since"].to_numpy(_OBJ), index=cid)).to_numpy(_OBJ)
    out = pd.DataFrame({"customer_id": pd.array(cid, dtype="string")})
    out["recency_days"] = days_between(last, np.full(len(cid), on, _OBJ))
    out["frequency"] = grouped["frequency"].fillna(0).to_numpy(np.int64)
    out["monetary"] = grouped["monetary"].fillna(0.0).to_numpy(float)
    out["r_score"] = _quintile(out["recency_days"].to_numpy(float), higher_is_better=False)
    out["f_score"] = _quintile(out["frequency"].to_numpy(float))
    out["m_score"] = _quintile(out["monetary"].to_numpy(float))
    out["rfm_score"] = out["r_score"] + out["f_score"] + out["m_score"]
    return out


def value_tiers(scores: pd.DataFrame, cuts=cat.TIER_CUTS) -> pd.Series:
    """Tier per customer from the RFM score: platinum, gold, silver, bronze (`TIER_CUTS`)."""
    if "rfm_score" not in getattr(scores, "columns", ()):
        raise DeskError("tiers", "scores", type(scores).__name__, "the table rfm() returns",
                        "pass desk.rfm(world)")
    s = scores["rfm_score"].to_numpy(np.int64)
    tier = np.select([s >= cuts[0], s >= cuts[1], s >= cuts[2]], list(cat.TIERS[:3]),
                     cat.TIERS[3])
    return pd.Series(tier, index=scores["customer_id"].to_numpy(_OBJ), name="tier",
                     dtype="string")


def lifetime_value(world: Any, on: str | None = None, years: float = 3.0,
                   margin: float = 0.35) -> pd.DataFrame:
    """Estimated margin a customer brings over the next `years`, from their history.

    value = average purchase × purchases per year × margin × years, where purchases per
    year counts the customer's whole time with us (at least one year).
    """
    on = today_or(world, on, "lifetime value")
    r = rfm(world, on)
    tenure_years = np.maximum(days_between(world.customers["since"].to_numpy(_OBJ),
                                           np.full(len(r), on, _OBJ)) / 365.25, 1.0)
    freq = r["frequency"].to_numpy(float)
    average = np.divide(r["monetary"].to_numpy(float), freq, out=np.zeros(len(r)),
                        where=freq > 0)
    per_year = freq / tenure_years
    out = r[["customer_id"]].copy()
    out["average_purchase"] = np.round(average, 2)
    out["purchases_per_year"] = np.round(per_year, 4)
    out["estimated_value"] = np.round(average * per_year * margin * years, 2)
    return out


def potential(world: Any, on: str | None = None) -> pd.DataFrame:
    """What a customer could buy: stated budget, kind, VIP status and recent enquiries.

    potential = budget (or the kind's typical basket) × (1.5 if VIP) × (1.3 if an enquiry
    in the last 90 days); a planning estimate, not the truth.
    """
    from crm_sim.desk.info import info_wide

    on = today_or(world, on, "potential")
    profile = world.tables["desk_customers"]
    basket = {"collector": 80_000.0, "corporate_gifting": 40_000.0, "gift_buyer": 15_000.0,
              "tourist": 20_000.0, "walk_in": 6_000.0}
    budget = pd.to_numeric(info_wide(world)["budget_hkd"].replace("", np.nan),
                           errors="coerce").to_numpy(float)
    base = np.where(np.isnan(budget), profile["kind"].map(basket).to_numpy(float), budget)
    e = world.tables["desk_enquiries"]
    recent = e.loc[(e["received"] <= on) & (e["received"] >= _minus_days(on, 90)),
                   "customer_id"]
    enquired = profile["customer_id"].isin(recent).to_numpy(bool)
    out = profile[["customer_id", "kind", "vip"]].copy()
    out["potential_hkd"] = np.round(base * np.where(profile["vip"].to_numpy(bool), 1.5, 1.0)
                                    * np.where(enquired, 1.3, 1.0), 2)
    return out.reset_index(drop=True)


def _minus_days(on: str, days: int) -> str:
    return (pd.Timestamp(on) - pd.Timedelta(days=days)).date().isoformat()


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman rank correlation (average ranks for ties), without scipy."""
    if len(a) < 2:
        return float("nan")
    ra = pd.Series(a).rank().to_numpy(float)
    rb = pd.Series(b).rank().to_numpy(float)
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def score_classification(world: Any, tiers) -> dict:
    """How well a trainee's tiers match the customers' true value (graders only).

    Args:
        world: A grader's world with the desk (its hidden `desk_truth`).
        tiers: Tier per customer: a Series indexed by customer_id, or a DataFrame with
            customer_id and tier columns. Customers left out count as wrong.

    Returns:
        agreement (share of customers in their true tier), rank_correlation (Spearman
        between tier order and true potential), n, and per tier the share correct.
    """
    truth = engine_state(world).get("desk_truth")
    if truth is None:
        raise DeskError("classification", "desk_truth", None, "a world with the desk",
                        "call open_desk(world) first")
    if isinstance(tiers, pd.DataFrame):
        if not {"customer_id", "tier"} <= set(tiers.columns):
            raise DeskError("classification", "columns", list(tiers.columns),
                            "customer_id and tier", "rename your columns")
        tiers = pd.Series(tiers["tier"].to_numpy(_OBJ), index=tiers["customer_id"].to_numpy(
            _OBJ))
    if not isinstance(tiers, pd.Series):
        raise DeskError("classification", "tiers", type(tiers).__name__,
                        "a Series customer_id -> tier", "pass value_tiers(rfm(world))")
    given = tiers[~tiers.index.duplicated()].reindex(truth["customer_id"].to_numpy(_OBJ))
    given = given.astype(object).to_numpy(_OBJ)
    true = truth["true_tier"].to_numpy(_OBJ)
    right = given == true
    order = {t: i for i, t in enumerate(cat.TIERS)}
    rank = pd.Series(given).map(order).fillna(len(cat.TIERS)).to_numpy(float)
    corr = _spearman(-rank, truth["true_potential"].to_numpy(float))
    return {"agreement": round(float(right.mean()), 4) if len(right) else 0.0,
            "rank_correlation": round(float(corr), 4) if np.isfinite(corr) else 0.0,
            "n": int(len(right)),
            "by_tier": {t: round(float(right[true == t].mean()), 4) if (true == t).any()
                        else None for t in cat.TIERS}}
