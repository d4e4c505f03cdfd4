"""Consistency checks of the industry data (segment profiles, roles, product catalogue)."""

import pytest

from crm_sim.catalogue import CATALOGUE, OUTSOURCED_SEGMENTS, ROLES, SEGMENT_PROFILES
from crm_sim.scenario import CATALOGUE_SIZE, DEFAULT_MIX
from crm_sim.schema import CHANNELS, INDUSTRIES, LANGUAGES, SEGMENTS


@pytest.mark.parametrize("segment", sorted(SEGMENT_PROFILES))
def test_segment_profiles_are_probabilities(segment):
    """Every profile's shares lie in [0, 1] and its weight vectors match CHANNELS/LANGUAGES."""
    profile = SEGMENT_PROFILES[segment]
    for key in ("hkid", "consent", "english"):
        assert 0 <= profile[key] <= 1
    assert len(profile["stated"]) == len(profile["affinity"]) == len(CHANNELS)
    assert len(profile["language"]) == len(LANGUAGES)
    for key in ("stated", "affinity", "language"):
        assert sum(profile[key]) == pytest.approx(1.0)
    assert profile["contact_rate"] > 0 and profile["spend"] > 0 and profile["tenure"] > 0
    assert not (profile["business"] and profile["hkid"] > 0)


@pytest.mark.parametrize("industry", INDUSTRIES)
def test_industry_data_covers_segments(industry):
    """Every segment has a profile, sales and service roles, products and a default share."""
    segments = set(SEGMENTS[industry])
    assert segments <= set(SEGMENT_PROFILES) and set(DEFAULT_MIX[industry]) == segments
    sales = {s for r in ROLES[industry] if not r[4] for s in r[3]}
    service = {s for r in ROLES[industry] if r[4] for s in r[3]}
    assert sales == segments and service == segments
    assert sum(r[2] for r in ROLES[industry]) == pytest.approx(1.0)
    assert {p[3] for p in CATALOGUE[industry]} == segments
    assert len(CATALOGUE[industry]) == CATALOGUE_SIZE[industry]
    assert all(p[2] > 0 for p in CATALOGUE[industry])
    assert set(OUTSOURCED_SEGMENTS) & segments
