"""Tests of the behaviour model: direction and size of every update, purity, validation."""

import numpy as np
import pandas as pd
import pytest

from crm_sim import behaviour
from crm_sim.errors import FieldError
from crm_sim.schema import CHANNELS, HIDDEN_TABLES


def make_latent(n=6, s=0.6, p=0.6, f=0.0, affinity="phone"):
    """A latent table with uniform state (derived columns refreshed)."""
    latent = pd.DataFrame(
        {
            "customer_id": pd.array([f"C{i:06d}" for i in range(n)], dtype="string"),
            "satisfaction": np.full(n, s),
            "perception": np.full(n, p),
            "propensity": np.zeros(n),
            "churn_hazard": np.zeros(n),
            "fatigue": np.full(n, f),
            "channel_affinity": pd.array([affinity] * n, dtype="string"),
            "active": np.ones(n, bool),
        }
    )
    return behaviour.refresh(latent)


def test_initial_latent_matches_schema():
    """initial_latent returns the schema's columns and dtypes, states in [0, 1], all active."""
    rng = np.random.default_rng(1)
    weights = np.full((2, len(CHANNELS)), 1 / len(CHANNELS))
    latent = behaviour.initial_latent(
        [f"C{i}" for i in range(50)], rng.integers(0, 2, 50), weights, rng
    )
    assert {c: str(t) for c, t in latent.dtypes.items()} == HIDDEN_TABLES["latent"]
    assert latent[["satisfaction", "perception", "fatigue"]].stack().between(0, 1).all()
    assert latent["active"].all() and set(latent["channel_affinity"]) <= set(CHANNELS)


def test_good_contact_raises_bad_contact_lowers():
    """Quality above q0 raises satisfaction and perception; below q0 lowers them."""
    latent = make_latent(2)
    out = behaviour.apply_contacts(latent, [True, True], [0.95, 0.1])
    assert out.satisfaction[0] > 0.6 > out.satisfaction[1]
    assert out.perception[0] > 0.6 > out.perception[1]
    expected = 0.6 + behaviour.DEFAULT_PARAMS.alpha_satisfaction * (0.95 - 0.45)
    assert out.satisfaction[0] == pytest.approx(expected)


def test_untouched_customers_and_input_unchanged():
    """Customers not contacted keep their state; the input table is not mutated."""
    latent = make_latent(3)
    before = latent.copy()
    out = behaviour.apply_contacts(latent, [True, False, False], 0.9)
    pd.testing.assert_frame_equal(latent, before)
    assert out.satisfaction[1] == latent.satisfaction[1]
    assert out.fatigue[1] == 0 and out.fatigue[0] > 0


def test_fatigue_grows_with_contacts_and_dampens_effect():
    """More contacts mean more fatigue; a fatigued customer gains less from the same call."""
    latent = make_latent(2)
    out = behaviour.apply_contacts(latent, True, 0.9, n_contacts=[1, 4])
    assert out.fatigue[1] > out.fatigue[0] > 0
    tired = make_latent(1, f=0.8)
    fresh = make_latent(1, f=0.0)
    gain_tired = behaviour.apply_contacts(tired, True, 0.9).satisfaction[0] - 0.6
    gain_fresh = behaviour.apply_contacts(fresh, True, 0.9).satisfaction[0] - 0.6
    assert 0 < gain_tired < gain_fresh


def test_channel_match_and_consent_penalty():
    """Using the affinity channel adds μ; marketing without consent costs π."""
    latent = make_latent(3, affinity="email")
    out = behaviour.apply_contacts(
        latent, True, 0.45, channel=["email", "phone", "phone"], consented=[True, True, False]
    )
    mu, pi = behaviour.DEFAULT_PARAMS.match_bonus, behaviour.DEFAULT_PARAMS.consent_penalty
    assert out.satisfaction[0] == pytest.approx(0.6 + mu)
    assert out.satisfaction[1] == pytest.approx(0.6)
    assert out.satisfaction[2] == pytest.approx(0.6 - pi)


def test_wrong_shape_raises_field_error():
    """A mask of the wrong length raises FieldError naming the argument."""
    with pytest.raises(FieldError, match="contacted"):
        behaviour.apply_contacts(make_latent(3), [True, False], 0.5)
    with pytest.raises(FieldError, match="quality"):
        behaviour.apply_contacts(make_latent(3), True, [0.5, 0.5])


def test_derived_quantities_monotone():
    """Propensity rises with satisfaction and falls with fatigue; hazard does the opposite."""
    s = np.array([0.2, 0.5, 0.9])
    p, f = np.full(3, 0.5), np.zeros(3)
    b, h = behaviour.propensity_of(s, p, f), behaviour.hazard_of(s, p, f)
    assert np.all(np.diff(b) > 0) and np.all(np.diff(h) < 0)
    assert behaviour.propensity_of(s, p, f + 0.5)[1] < b[1]
    assert (
        behaviour.hazard_of(np.zeros(1), np.zeros(1), np.ones(1))[0]
        <= behaviour.DEFAULT_PARAMS.hazard_max
    )
    assert h[1] == pytest.approx(behaviour.DEFAULT_PARAMS.hazard_base)


def test_monthly_drift_reverts_and_recovers():
    """Drift pulls satisfaction toward s̄, perception toward s, and halves fatigue."""
    params = behaviour.BehaviourParams(drift_noise=0.0)
    latent = make_latent(2, f=0.4)
    latent["satisfaction"] = [0.1, 0.95]
    out = behaviour.monthly_drift(latent, np.random.default_rng(0), params)
    assert 0.1 < out.satisfaction[0] < params.satisfaction_mean < out.satisfaction[1] < 0.95
    assert out.fatigue.tolist() == pytest.approx([0.2, 0.2])


def test_complaints_cost_and_recovery():
    """A complaint costs satisfaction; handled well, the customer ends above where they started."""
    out = behaviour.apply_complaints(
        make_latent(3), [True, True, False], handled_well=[False, True, False]
    )
    assert out.satisfaction[0] < 0.6 < out.satisfaction[1]
    assert out.satisfaction[2] == 0.6


def test_churn_draw_extremes():
    """Zero hazard: nobody churns; hazard 1: every active eligible customer churns, once."""
    latent = make_latent(4)
    latent["churn_hazard"] = 0.0
    out, churned = behaviour.churn_draw(latent, np.random.default_rng(0))
    assert not churned.any() and out.active.all()
    latent["churn_hazard"] = 1.0
    out, churned = behaviour.churn_draw(
        latent, np.random.default_rng(0), eligible=[True, True, True, False]
    )
    assert churned.tolist() == [True, True, True, False]
    again, churned_again = behaviour.churn_draw(out, np.random.default_rng(0))
    assert churned_again.tolist() == [False, False, False, True]
    assert not again.active.any()


def test_purchase_draw_follows_propensity():
    """Purchase frequency over many customers is close to propensity × boost; churned never buy."""
    latent = make_latent(20_000)
    rate = behaviour.purchase_draw(latent, np.random.default_rng(3)).mean()
    assert rate == pytest.approx(latent.propensity[0], abs=0.01)
    latent["active"] = False
    assert not behaviour.purchase_draw(latent, np.random.default_rng(3), boost=2.0).any()
