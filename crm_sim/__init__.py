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

# Scenario and World load numpy, pandas and Faker (about 0.6 s). They are imported on
# first use (PEP 562), so `import crm_sim.errors` stays cheap: the grader's sandboxed
# function runner and every trainee kernel import the errors without needing a world.
_LAZY = {"Scenario": "crm_sim.scenario", "World": "crm_sim.world"}


def __getattr__(name: str):
    """Import `Scenario` / `World` on first access."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'crm_sim' has no attribute {name!r}")

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
