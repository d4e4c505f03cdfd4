"""Months passing under a policy without the programme simulation: the plain monthly step.

`run_month(world, policy)` writes the month's staff log under the policy (training, the
contacts, the breaches) and then lets the month pass with `crm_sim.simulate.advance`.
The full programme simulation (`World.simulate`) calls `ContactPolicy.staff_log` itself;
this is for worlds and notebooks that step months one at a time.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from crm_sim.errors import FieldError
from crm_sim.policy.staff_log import record_log, staff_log


def run_month(world: Any, policy: Any, months: int = 1) -> pd.DataFrame:
    """Let `months` months pass under `policy`; returns the new `policy_log` rows."""
    from crm_sim import simulate

    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise FieldError("months", months, "an integer ≥ 1", "e.g. run_month(world, policy)")
    frames = []
    for _ in range(months):
        month = world.today[:7]
        rng = world.streams.generator(f"policy.month.{month}")
        log = staff_log(policy, world, month, rng)
        record_log(world, log)
        simulate.advance(world, 1)
        frames.append(log)
    return pd.concat(frames, ignore_index=True)
