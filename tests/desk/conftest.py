"""Fixtures for the records-desk tests: one small timepiece world with the desk per session."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_sim import desk
from crm_sim.scenario import Scenario
from crm_sim.world import World, engine_state


@pytest.fixture(scope="session")
def desk_world() -> World:
    """A 400-customer watch retailer with its desk (treat as read-only)."""
    return desk.open_desk(World.build(Scenario(seed=21, n_customers=400,
                                               industry="timepiece")))


@pytest.fixture
def w(desk_world: World) -> World:
    """A private copy for tests that change the world."""
    return desk_world.copy()


def snapshot(world: World) -> dict[str, pd.DataFrame]:
    """Every table, public and hidden, to compare before and after an operation."""
    return {**dict(world.tables), **{"hidden:" + k: v for k, v in engine_state(world).items()}}


def assert_unchanged(world: World, before: dict[str, pd.DataFrame]) -> None:
    """Every table equals its snapshot (same rows, values and dtypes); no table added."""
    after = snapshot(world)
    assert set(after) == set(before)
    for name, df in before.items():
        pd.testing.assert_frame_equal(after[name], df, check_exact=True, obj=name)


def staff_of(world: World, role: str, boutique: str | None = None) -> str:
    """The first desk staff id with that desk role (and boutique)."""
    s = world.tables["desk_staff"]
    s = s[s["desk_role"] == role]
    if boutique is not None:
        s = s[s["boutique_id"] == boutique]
    return str(s["staff_id"].iloc[0])


def satisfaction(world: World, customer_id: str) -> float:
    """A customer's hidden satisfaction."""
    latent = engine_state(world)["latent"]
    return float(latent.loc[latent["customer_id"] == customer_id, "satisfaction"].iloc[0])


def hazard(world: World, customer_id: str) -> float:
    """A customer's hidden monthly churn hazard."""
    latent = engine_state(world)["latent"]
    return float(latent.loc[latent["customer_id"] == customer_id, "churn_hazard"].iloc[0])
