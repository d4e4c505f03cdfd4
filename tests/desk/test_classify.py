"""Classification: RFM scores, tiers, lifetime value, potential, scored against the truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_sim import desk


def test_rfm_scores_are_quintiles(desk_world):
    """Each score is 1..5 with about a fifth of customers per score; sum is their total."""
    r = desk.rfm(desk_world)
    assert len(r) == len(desk_world.customers)
    for col in ("r_score", "f_score", "m_score"):
        counts = r[col].value_counts()
        assert set(counts.index) == {1, 2, 3, 4, 5}
        assert counts.max() - counts.min() <= 1
    assert (r["rfm_score"] == r["r_score"] + r["f_score"] + r["m_score"]).all()


def test_rfm_counts_match_sales(desk_world):
    """Frequency and monetary equal the customer's sales rows."""
    r = desk.rfm(desk_world).set_index("customer_id")
    s = desk_world.tables["desk_sales"]
    c = s["customer_id"].value_counts().index[0]
    mine = s[s["customer_id"] == c]
    assert r.loc[c, "frequency"] == len(mine)
    assert r.loc[c, "monetary"] == pytest.approx(mine["price_hkd"].sum())
    assert r["recency_days"].min() >= 0


def test_tiers_follow_cuts(desk_world):
    """Score 13+ is platinum, 10+ gold, 7+ silver, else bronze."""
    r = desk.rfm(desk_world)
    t = desk.value_tiers(r).to_numpy(object)
    s = r["rfm_score"].to_numpy()
    assert (t[s >= 13] == "platinum").all() and (t[s < 7] == "bronze").all()


def test_truth_scores_perfect_and_rfm_beats_reversed(desk_world):
    """The true tiers score 1.0; RFM tiers agree better than the reversed ranking."""
    truth = desk_world.hidden["desk_truth"]
    perfect = pd.Series(truth["true_tier"].to_numpy(object),
                        index=truth["customer_id"].to_numpy(object))
    assert desk.score_classification(desk_world, perfect)["agreement"] == 1.0
    rfm_tiers = desk.value_tiers(desk.rfm(desk_world))
    good = desk.score_classification(desk_world, rfm_tiers)
    flip = {"platinum": "bronze", "gold": "silver", "silver": "gold", "bronze": "platinum"}
    bad = desk.score_classification(desk_world, rfm_tiers.map(flip))
    assert good["rank_correlation"] > 0 > bad["rank_correlation"]


def test_missing_customers_count_as_wrong(desk_world):
    """Classifying nobody scores zero agreement."""
    score = desk.score_classification(desk_world, pd.Series(dtype=object))
    assert score["agreement"] == 0.0 and score["n"] == len(desk_world.customers)


def test_lifetime_value_formula(desk_world):
    """Estimated value = average purchase x purchases per year x margin x years."""
    v = desk.lifetime_value(desk_world, years=2, margin=0.5)
    row = v[v["purchases_per_year"] > 0].iloc[0]
    assert row["estimated_value"] == pytest.approx(
        row["average_purchase"] * row["purchases_per_year"] * 0.5 * 2, rel=1e-3)
    assert (v.loc[v["purchases_per_year"] == 0, "estimated_value"] == 0).all()


def test_potential_higher_for_vip(desk_world):
    """VIPs' potential is on average above the others'."""
    p = desk.potential(desk_world)
    assert np.all(p["potential_hkd"] > 0)
    assert p.loc[p["vip"], "potential_hkd"].mean() > p.loc[~p["vip"], "potential_hkd"].mean()
