"""The policy in force in a world: adopted versions kept in a table that saves with it.

Why a table: the monitoring report, the next notebook and a reloaded world must all see
the same policy, and every setting the engine adds has to round-trip through
`World.save`/`World.load`. Each adoption appends a version (its TOML text), so the
history of the policy, the periodic review's changes included, stays on record.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from crm_sim.errors import PolicyError
from crm_sim.world import autosave

TABLE = "contact_policies"
COLUMNS = {"version": "int64", "adopted": "string", "name": "string", "toml": "string"}


def adopt(world: Any, policy: Any) -> int:
    """Put `policy` in force in `world` from today; returns its version number."""
    from crm_sim.policy.model import ContactPolicy

    if not isinstance(policy, ContactPolicy):
        raise PolicyError("policy", type(policy).__name__, "a ContactPolicy",
                          "build one in the policy designer or ContactPolicy.from_toml")
    version = len(history(world)) + 1
    row = pd.DataFrame({"version": [version], "adopted": [world.today],
                        "name": [policy.name], "toml": [policy.to_toml()]})
    if TABLE in world.schema:
        world.append_rows(TABLE, row)
    else:
        world.register_table(TABLE, row, columns=dict(COLUMNS))
    autosave(world)
    return version


def history(world: Any) -> pd.DataFrame:
    """Every adopted version (empty before the first)."""
    if TABLE in world.tables:
        return world.tables[TABLE]
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in COLUMNS.items()})


def current(world: Any) -> Any:
    """The policy in force (the last adopted), or None when none was adopted."""
    from crm_sim.policy.model import ContactPolicy

    table = history(world)
    if not len(table):
        return None
    return ContactPolicy.from_toml(str(table["toml"].iloc[-1]))
