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


def test_churned_customers_stop_being_contacted(monkeypatch):
    """With a certain monthly churn, everyone leaves after month one: no later contacts."""
    import dataclasses

    from crm_sim import behaviour

    certain = dataclasses.replace(
        behaviour.DEFAULT_PARAMS,
        hazard_base=1.0,
        hazard_max=1.0,
        hazard_satisfaction=0.0,
        hazard_perception=0.0,
        hazard_fatigue=0.0,
    )
    monkeypatch.setattr(behaviour, "DEFAULT_PARAMS", certain)
    _, tables, inter, latent, _ = _history(months_history=3)
    joined = tables["customers"]["since"] < "2025-02-01"
    assert (~latent["active"][joined]).all()
    assert (inter["timestamp"] < "2025-02-01").all() or (
        inter.loc[inter["timestamp"] >= "2025-02-01", "customer_id"].isin(
            tables["customers"].loc[~joined, "customer_id"]
        )
    ).all()
    assert len(inter) > 0


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
