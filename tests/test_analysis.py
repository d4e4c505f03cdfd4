"""Outcome analysis: estimates from observed calls, their error, the P8 correlation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_sim.analysis import (
    contact_relationship_correlation,
    estimate_customer_state,
    estimate_error,
)
from crm_sim.calls import run_plan
from crm_sim.errors import FieldError
from crm_sim.scenario import Scenario
from crm_sim.world import World


@pytest.fixture(scope="module")
def world():
    """A 300-customer world after 1, 2 or 3 satisfaction calls per customer."""
    w = World.build(Scenario(seed=5, n_customers=300))
    w.hidden["before"] = w.latent.copy()     # snapshot for the 'true' measure
    ids = w.customers["customer_id"]
    plans = [pd.DataFrame({"customer_id": ids[: 100 * k], "slot": f"2026-01-{d:02d}T18:30",
                           "channel": "phone", "assignee": "S0002", "purpose": "routine",
                           "script": "greeting;identify_self;satisfaction;timeline"})
             for k, d in ((3, 5), (2, 12), (1, 19))]
    run_plan(w, pd.concat(plans, ignore_index=True))
    return w


def test_estimates_shape_and_range(world):
    """One row per customer, estimates within [0, 1], observations counted."""
    est = estimate_customer_state(world)
    assert len(est) == len(world.customers) and est["customer_id"].is_unique
    assert est["satisfaction_est"].between(0, 1).all()
    assert est["propensity_est"].between(0, 1).all()
    assert (est["satisfaction_obs"] > 0).sum() > 100


def test_estimates_use_only_observed_data(world):
    """Changing the hidden truth does not change the estimates."""
    est = estimate_customer_state(world)
    w2 = world.copy()
    w2.hidden["latent"]["satisfaction"] = 0.0
    pd.testing.assert_frame_equal(est, estimate_customer_state(w2))


def test_satisfaction_estimates_track_truth(world):
    """Customers whose captured satisfaction is high truly are more satisfied."""
    est = estimate_customer_state(world, since="2026-01-01")
    seen = est[est["satisfaction_obs"] > 0].set_index("customer_id")
    truth = world.latent.set_index("customer_id")["satisfaction"].reindex(seen.index)
    r = np.corrcoef(seen["satisfaction_est"], truth)[0, 1]
    assert r > 0.35


def test_estimate_error_exact_values(world):
    """estimate_error returns the mean absolute error against the hidden state."""
    truth = world.latent
    perfect = pd.DataFrame({"customer_id": truth["customer_id"],
                            "satisfaction_est": truth["satisfaction"],
                            "propensity_est": truth["propensity"]})
    assert estimate_error(perfect, world) == {"n": 300, "satisfaction_mae": 0.0,
                                              "propensity_mae": 0.0}
    off = perfect.assign(satisfaction_est=perfect["satisfaction_est"] + 0.1)
    assert estimate_error(off, world)["satisfaction_mae"] == pytest.approx(0.1)
    partial = perfect[["customer_id", "propensity_est"]].head(10)
    assert estimate_error(partial, world) == {"n": 10, "propensity_mae": 0.0}
    strangers = pd.DataFrame({"customer_id": ["X1"], "satisfaction_est": [0.5]})
    assert estimate_error(strangers, world)["n"] == 0


@pytest.mark.parametrize("bad", [
    "estimates", pd.DataFrame({"customer_id": ["C000001"]}),
    pd.DataFrame({"satisfaction_est": [0.5]}),
    pd.DataFrame({"customer_id": ["C000001"], "satisfaction_est": ["high"]}),
])
def test_estimate_error_hostile(world, bad):
    """Unusable estimates raise FieldError naming what is expected."""
    with pytest.raises(FieldError):
        estimate_error(bad, world)


def test_correlation_measures(world):
    """All three measures return r in [-1, 1] over the customers they can compare."""
    true = contact_relationship_correlation(world, "2026-01-01", measure="true",
                                            before=world.hidden["before"])
    assert true["n"] == 300 and -1 <= true["r"] <= 1 and true["mean_calls"] == 2.0
    bands = contact_relationship_correlation(world, "2026-01-01")
    assert 0 < bands["n"] <= 300
    assert np.isnan(bands["r"]) or -1 <= bands["r"] <= 1


def test_more_good_calls_more_improvement_and_exact_r():
    """Skilled routine calls add up (median gain rises with calls); r is Pearson's r."""
    w = World.build(Scenario(seed=6, n_customers=300))
    before = w.latent.copy()
    ids = w.customers["customer_id"]
    best = w.staff.assign(q=0.4 * w.staff["skill"] + 0.3 * w.staff["product_knowledge"]
                          + 0.3 * w.staff["soft_skill"]).sort_values("q")
    assert best["q"].iloc[-1] > 0.55          # better than the model's neutral quality
    rows = [pd.DataFrame({"customer_id": ids[: 100 * k], "slot": f"2026-01-{d:02d}T18:30",
                          "channel": "visit", "assignee": best["staff_id"].iloc[-1],
                          "purpose": "routine", "script": "greeting;identify_self"})
            for k, d in ((3, 5), (2, 14), (1, 23))]
    run_plan(w, pd.concat(rows, ignore_index=True))
    res = contact_relationship_correlation(w, "2026-01-01", measure="true", before=before)
    change = (w.latent["satisfaction"] - before["satisfaction"]).to_numpy()
    calls = np.repeat([3.0, 2.0, 1.0], 100)
    med = [np.median(change[calls == k]) for k in (1.0, 2.0, 3.0)]
    assert med[0] < med[1] < med[2]
    assert res["n"] == 300 and res["mean_calls"] == 2.0
    assert res["r"] == pytest.approx(np.corrcoef(calls, change)[0, 1])
    assert res["slope"] == pytest.approx(np.polyfit(calls, change, 1)[0])


def test_correlation_hostile(world):
    """Bad measure, missing or malformed 'before' raise FieldError."""
    with pytest.raises(FieldError, match="measure"):
        contact_relationship_correlation(world, "2026-01-01", measure="guess")
    with pytest.raises(FieldError, match="before"):
        contact_relationship_correlation(world, "2026-01-01", measure="true")
    with pytest.raises(FieldError, match="satisfaction"):
        contact_relationship_correlation(world, "2026-01-01", measure="true",
                                         before=pd.DataFrame({"customer_id": ["C000001"]}))


def test_too_few_customers_gives_nan(world):
    """A window with no observations gives r = nan and n = 0, not an exception."""
    res = contact_relationship_correlation(world, "2030-01-01")
    assert res["n"] == 0 and np.isnan(res["r"])
