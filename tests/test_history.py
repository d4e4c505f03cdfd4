"""Tests of history generation: consistency with the behaviour model and the population."""

import numpy as np
import pandas as pd

from crm_sim.history import behaviour_choice, generate_history
from crm_sim.population import build_population
from crm_sim.rng import Streams
from crm_sim.scenario import Scenario


def _history(**kw):
    """Population plus generated history for a scenario."""
    sc = Scenario(**{"seed": 21, "n_customers": 400, **kw})
    streams = Streams(sc.seed)
    tables, arrays = build_population(sc, streams)
    return sc, tables, *generate_history(sc, streams, tables, arrays)


def test_arrays_are_optional():
    """Without the numpy codes the generator parses the tables and gives the same history."""
    sc, tables, inter, latent, spend = _history(months_history=3)
    again = generate_history(sc, Streams(sc.seed), tables)
    pd.testing.assert_frame_equal(again[0], inter)
    pd.testing.assert_frame_equal(again[1], latent)
    assert np.array_equal(again[2], spend)


def test_spend_matches_sales():
    """Customers with a sale have positive spend in the window; others none."""
    _, tables, inter, _, spend = _history()
    buyers = set(inter.loc[inter["outcome"] == "sale", "customer_id"])
    ids = tables["customers"]["customer_id"]
    assert ((spend > 0) == ids.isin(buyers).to_numpy()).all()


def test_churned_customers_stop_being_contacted():
    """After the month a customer churned, no more contacts are generated for them."""
    _, tables, inter, latent, _ = _history(months_history=12)
    gone = set(latent.loc[~latent["active"], "customer_id"])
    assert gone
    last = inter.groupby("customer_id")["timestamp"].max()
    # churned customers' last contact is before the final month on average
    assert last[last.index.isin(gone)].str.slice(0, 7).min() < "2025-12"


def test_low_satisfaction_complains_more():
    """Complaint rate is higher among customers who started less satisfied."""
    sc, tables, inter, _, _ = _history(n_customers=3000)
    start = tables["latent"].set_index("customer_id")["satisfaction"]
    complainers = set(inter.loc[inter["outcome"] == "complaint", "customer_id"])
    low = start[start < 0.5].index.isin(list(complainers)).mean()
    high = start[start > 0.7].index.isin(list(complainers)).mean()
    assert low > high


def test_behaviour_choice_rows():
    """behaviour_choice draws per row from its weights (zero weight never chosen)."""
    weights = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]] * 500)
    picks = behaviour_choice(np.random.default_rng(0), weights)
    assert (picks[0::2] == 1).all() and (picks[1::2] == 0).all()
    assert behaviour_choice(np.random.default_rng(0), np.zeros((0, 3))).tolist() == []
