"""crm_sim.economics: per-world segment economics, reproducible and within documented ranges."""

from __future__ import annotations

import numpy as np
import pytest

from crm_sim import economics as E
from crm_sim.catalogue import SEGMENT_PROFILES
from crm_sim.rng import Streams
from crm_sim.schema import SEGMENTS


@pytest.mark.parametrize("industry", sorted(SEGMENTS))
def test_same_seed_same_economics_within_ranges(industry):
    """Same seed: identical draws; every factor lies in its documented range."""
    segments = SEGMENTS[industry]
    a = E.draw_economics(segments, Streams(7))
    b = E.draw_economics(segments, Streams(7))
    for field in ("affinity", "spend_factor", "consent", "satisfaction_shift"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    np.testing.assert_allclose(a.affinity.sum(axis=1), 1.0)
    base = np.array([SEGMENT_PROFILES[s]["affinity"] for s in segments])
    assert ((base == 0) == (a.affinity == 0)).all()      # a zero weight stays zero
    for seg, factor in zip(segments, a.spend_factor, strict=True):
        low, high = E.SPEND_LOG_RANGE.get(seg, (-E.SPEND_SPREAD, E.SPEND_SPREAD))
        assert np.exp(low) <= factor <= np.exp(high)
    assert (a.consent <= E.CONSENT_CAP).all() and (a.consent > 0).all()
    assert (np.abs(a.satisfaction_shift) <= E.SATISFACTION_SHIFT).all()


def test_economics_differ_between_seeds():
    """Two seeds give different segment economics (the scenario alone fixes nothing)."""
    a, b = (E.draw_economics(SEGMENTS["ict"], Streams(s)) for s in (1, 2))
    assert np.abs(a.affinity - b.affinity).max() > 0.05
    assert not np.allclose(a.spend_factor, b.spend_factor)


def test_built_world_reflects_its_economics():
    """A world's consent shares follow its drawn consent factors (they are baked in)."""
    from crm_sim.scenario import Scenario
    from crm_sim.world import World

    world = World.build(Scenario(seed=3, n_customers=3000, months_history=0))
    econ = E.draw_economics(world.scenario.segments, Streams(3))
    gave = world.customers.groupby("segment")["consent_date"].apply(lambda d: (d != "").mean())
    for seg, share in zip(world.scenario.segments, econ.consent, strict=True):
        assert gave[seg] == pytest.approx(share, abs=0.06)
