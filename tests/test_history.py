"""Tests of history generation: consistency with the behaviour model and the population."""

import numpy as np
import pandas as pd

from crm_sim.history import _time_order, _timestamps, behaviour_choice, generate_history
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


def test_behaviour_choice_from_a_table_draws_the_same():
    """Drawing by table rows equals drawing from the gathered matrix, and leaves rng in step."""
    table = np.array([[0.2, 0.5, 0.3], [0.9, 0.05, 0.05], [0.0, 0.0, 1.0]])
    rows = np.random.default_rng(1).integers(0, 3, 5_000)
    a, b = np.random.default_rng(7), np.random.default_rng(7)
    assert np.array_equal(behaviour_choice(a, table, rows), behaviour_choice(b, table[rows]))
    assert a.random() == b.random()
    assert behaviour_choice(a, table, rows[:0]).tolist() == []


def test_time_order_is_the_stable_argsort_with_many_ties():
    """The unique-key sort gives exactly the stable argsort, also where it must fall back."""
    rng = np.random.default_rng(3)
    k = 20_000
    day = rng.integers(0, 5, k).astype(np.int32)          # few values: many equal keys
    minute = rng.integers(540, 545, k).astype(np.int16)
    who = rng.integers(0, 7, k).astype(np.int32)
    expected = np.argsort((day.astype(np.int64) * 1440 + minute) * 7 + who, kind="stable")
    assert np.array_equal(_time_order(day, minute, who, 7), expected)
    huge = 10**12                        # the key fits in int64, key * k does not: stable path
    expected = np.argsort((day.astype(np.int64) * 1440 + minute) * huge + who, kind="stable")
    assert np.array_equal(_time_order(day, minute, who, huge), expected)
    assert len(_time_order(day[:0], minute[:0], who[:0], 7)) == 0


def test_timestamps_equal_joining_each_event():
    """Shared per-minute timestamps equal day text + clock text joined row by row."""
    rng = np.random.default_rng(4)
    day = np.sort(rng.integers(0, 3, 500)).astype(np.int32)
    minute = rng.integers(0, 4, 500).astype(np.int16)
    order = np.lexsort((minute, day))
    day, minute = day[order], minute[order]
    day_text = np.array(["2025-01-01T", "2025-01-02T", "2025-01-03T"], dtype=object)
    clock_text = np.array(["09:00", "09:01", "09:02", "09:03"], dtype=object)
    got = _timestamps(day, minute, day_text, clock_text)
    assert got.dtype == object
    assert got.tolist() == [day_text[d] + clock_text[m] for d, m in zip(day, minute, strict=True)]
    assert len(_timestamps(day[:0], minute[:0], day_text, clock_text)) == 0
