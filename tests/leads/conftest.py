"""Fixtures for the leads tests: one small world with lead sources per test session."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_sim.leads import generate_sources
from crm_sim.scenario import Scenario
from crm_sim.world import World


@pytest.fixture(scope="session")
def lead_world() -> World:
    """A 250-customer world with 200 prospects' worth of sources (treat as read-only)."""
    world = World.build(Scenario(seed=11, n_customers=250, months_history=2))
    generate_sources(world, n_prospects=200)
    return world


@pytest.fixture
def fresh_world(lead_world: World) -> World:
    """A private copy for tests that may change the world."""
    return lead_world.copy()


def snapshot(world: World) -> dict[str, pd.DataFrame]:
    """Every table (public and hidden) copied, to compare before/after a call."""
    return {**{k: v.copy() for k, v in world.tables.items()},
            **{"hidden:" + k: v.copy() for k, v in world.hidden.items()}}


def unchanged(world: World, before: dict[str, pd.DataFrame]) -> bool:
    """True when the world holds exactly the tables of `before`, equal in content."""
    after = snapshot(world)
    return after.keys() == before.keys() and all(after[k].equals(before[k]) for k in after)
