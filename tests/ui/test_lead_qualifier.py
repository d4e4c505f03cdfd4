"""crm_sim.ui.lead_qualifier: the view is driven from code exactly as clicks would drive it."""

from __future__ import annotations

import pytest

from crm_sim import privacy
from crm_sim.errors import PolicyError
from crm_sim.leads.qualification import qualify_frame
from crm_sim.leads.sources import ensure_sources
from crm_sim.scenario import Scenario
from crm_sim.ui.lead_qualifier import LeadQualifier
from crm_sim.world import World


@pytest.fixture(scope="module")
def world() -> World:
    """A small world with lead sources."""
    w = World.build(Scenario(seed=31, n_customers=300))
    ensure_sources(w)
    return w


def test_starts_with_management_standards_and_masks(world):
    """The first list equals qualify_frame's and shows no unmasked identifier."""
    q = LeadQualifier(world)
    import pandas as pd

    judged = qualify_frame(pd.concat(ensure_sources(world).values(), ignore_index=True),
                           q.standards, as_of=world.today)
    assert len(q.result) == int(judged["qualified"].sum())
    assert privacy.find_leaks(q.result) == []


def test_set_standard_updates_list_and_controls(world):
    """Lowering the minimum deal never shrinks the list and moves the slider."""
    q = LeadQualifier(world)
    before = len(q.result)
    after = q.set_standard("min_deal_hkd", 0.0)
    assert len(after) >= before
    assert q._min_deal.value == 0


def test_slider_drives_the_engine(world):
    """Moving the slider (a click) changes the standards and the list."""
    q = LeadQualifier(world)
    q._min_deal.value = 200_000
    assert q.standards.min_deal_hkd == 200_000
    assert len(q.result) <= len(q.reset())


def test_reset_restores_management_standards(world):
    """reset() returns to the standards the view started with."""
    q = LeadQualifier(world)
    start = q.standards
    q.set_standard("require_consent", False)
    assert "may not be used for direct marketing" in q._summary.value
    q.reset()
    assert q.standards == start and q._consent.value is True


def test_bad_standard_leaves_view_unchanged(world):
    """An unknown rule or invalid value raises PolicyError; the standards stay as they were."""
    q = LeadQualifier(world)
    start = q.standards
    with pytest.raises(PolicyError):
        q.set_standard("nope", 1)
    with pytest.raises(PolicyError):
        q.set_standard("min_deal_hkd", -5)
    assert q.standards == start


def test_failure_counts_most_common_first(world):
    """failure_counts lists every failing rule, in descending order."""
    q = LeadQualifier(world)
    import pandas as pd

    judged = qualify_frame(pd.concat(ensure_sources(world).values(), ignore_index=True),
                           q.standards, as_of=world.today)
    counts = list(LeadQualifier.failure_counts(judged).values())
    assert counts == sorted(counts, reverse=True) and counts
