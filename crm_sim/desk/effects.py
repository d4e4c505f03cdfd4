"""How desk events move customers in the behaviour model (hidden satisfaction, churn).

A kept promise or a well-handled complaint raises satisfaction; a broken promise or a
complaint lowers it. Churn follows through the model's own hazard (`behaviour.refresh`
recomputes propensity and churn hazard from satisfaction), so nothing here decides churn
directly. Vectorised: one call moves any number of customers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_sim import behaviour
from crm_sim.world import engine_state


def nudge(world: Any, customer_ids, satisfaction, perception=0.0) -> None:
    """Add `satisfaction` (and `perception`) to each listed customer's hidden state.

    Args:
        world: The world (its latent state lives in `engine_state`).
        customer_ids: One id or an array of ids (repeats add up).
        satisfaction: Change per id (scalar or array), clipped to [0, 1] after adding.
        perception: Change of perception per id.
    """
    state = engine_state(world)
    latent = state.get("latent")
    ids = np.atleast_1d(np.asarray(customer_ids, dtype=object))
    if latent is None or not len(ids):
        return
    where = pd.Index(latent["customer_id"].to_numpy(object)).get_indexer(ids)
    keep = where >= 0
    s = latent["satisfaction"].to_numpy(float).copy()
    p = latent["perception"].to_numpy(float).copy()
    np.add.at(s, where[keep], np.broadcast_to(np.asarray(satisfaction, float), ids.shape)[keep])
    np.add.at(p, where[keep], np.broadcast_to(np.asarray(perception, float), ids.shape)[keep])
    out = latent.copy()
    out["satisfaction"] = np.clip(s, 0.0, 1.0)
    out["perception"] = np.clip(p, 0.0, 1.0)
    state["latent"] = behaviour.refresh(out)
