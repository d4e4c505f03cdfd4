"""crm_sim: a simulated Hong Kong CRM company. No Jupyter, no grading: a plain Python engine.

Quick start::

    from crm_sim import Scenario, World
    world = World.build(Scenario(seed=7, n_customers=500, industry="ict"))
    world.customers.head(), world.today
"""

from crm_sim.errors import (
    AccessDenied,
    CrmSimError,
    FieldError,
    LeadError,
    PlanError,
    PolicyError,
    ScenarioError,
    StoreError,
)
from crm_sim.scenario import Scenario
from crm_sim.world import World

__all__ = [
    "AccessDenied",
    "CrmSimError",
    "FieldError",
    "LeadError",
    "PlanError",
    "PolicyError",
    "Scenario",
    "ScenarioError",
    "StoreError",
    "World",
]
