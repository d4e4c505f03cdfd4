"""Companies some months into their starter contact policy, for tests that monitor one.

Kept outside any ``conftest.py`` so tests in several folders import it by one name.
"""

from __future__ import annotations

from crm_sim import Scenario, World
from crm_sim.policy import adopt, run_month, starter_policy


def company_under_starter_policy(seed: int, n_customers: int, months: int):
    """(world, policy): the world built from `seed`, its starter policy adopted and run."""
    world = World.build(Scenario(seed=seed, n_customers=n_customers))
    policy = starter_policy(world)
    adopt(world, policy)
    run_month(world, policy, months)
    return world, policy
