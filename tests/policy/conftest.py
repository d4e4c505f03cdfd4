"""Shared worlds for the policy tests: built once per session, copied where a test changes one."""

import pytest

from crm_sim import Scenario, World
from crm_sim.policy import starter_policy


@pytest.fixture(scope="session")
def policy_world():
    """A small ICT company, never changed by a test (copy it first)."""
    return World.build(Scenario(seed=11, n_customers=900))


@pytest.fixture(scope="session")
def draft(policy_world):
    """The starter policy of that company (feasible by construction)."""
    return starter_policy(policy_world)
