"""Months passing under a policy: the monthly simulation, with the policy's staff log.

`run_month(world, policy, months)` is `World.simulate(policy, months=months)` (the
programme simulation, which calls `ContactPolicy.staff_log` every month and appends the
rows to the ``policy_log`` table), returning only the new log rows: what a notebook that
steps a company month by month under its policy needs.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from crm_sim.errors import FieldError
from crm_sim.policy.staff_log import LOG_COLUMNS


def run_month(world: Any, policy: Any, months: int = 1, programmes=()) -> pd.DataFrame:
    """Let `months` months pass under `policy`; returns the new `policy_log` rows."""
    from crm_sim import programme_sim

    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise FieldError("months", months, "an integer ≥ 1", "e.g. run_month(world, policy)")
    result = programme_sim.simulate(world, policy, programmes, months)
    log = result.policy_log
    if not len(log):
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in LOG_COLUMNS.items()})
    return log.astype(LOG_COLUMNS).reset_index(drop=True)
