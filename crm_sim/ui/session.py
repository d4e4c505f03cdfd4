"""Who is working in this kernel, and their own world.

A notebook's first cell calls `my_world(UNIT)`. The trainee id comes from the
environment (the grader sets ``CRM_TRAINEE_ID`` in its sandbox; JupyterHub sets
``JUPYTERHUB_USER``), so the same notebook builds the same world in the trainee's
session and at grading time. Graders never trust this: they rebuild the world
themselves from the trainee id they already know.
"""

from __future__ import annotations

import os

from crm_sim.errors import FieldError

ENV_VARS = ("CRM_TRAINEE_ID", "JUPYTERHUB_USER")
DEFAULT_TRAINEE = "demo-trainee"


def trainee_id() -> str:
    """The current trainee's id: the first of `ENV_VARS` that is set, else the demo id."""
    for name in ENV_VARS:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return DEFAULT_TRAINEE


def my_world(unit: str):
    """The current trainee's world for `unit`: the grader's rebuild, sealed.

    Its public tables are identical to the ones the grader rebuilds; its hidden tables are
    not in it (`world.hidden` is empty, see `World.seal`): calls and pilots still simulate
    customers, and no grade depends on this world's truth.
    """
    from crm_sim import trainee

    code = str(unit).strip().upper()
    if code not in trainee.UNIT_SCENARIOS:
        raise FieldError(
            "unit", unit, ", ".join(sorted(trainee.UNIT_SCENARIOS)),
            "pass the unit code printed at the top of the notebook",
        )
    from crm_sim.world import World

    # built here, not through trainee.world_for, whose cache would keep an unsealed copy
    return World.build(trainee.scenario_for(trainee_id(), code)).seal()
