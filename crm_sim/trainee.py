"""Per-trainee worlds: a stable seed from the trainee id, a default scenario per unit.

A trainee's world must be rebuilt *exactly* at grading time, on another machine, in
another process. So the seed comes from sha256 of (unit, trainee id, salt) — never
from Python's `hash()`, which changes between processes.
"""

from __future__ import annotations

import functools
import hashlib
from typing import TYPE_CHECKING

from crm_sim.errors import FieldError
from crm_sim.scenario import Scenario

if TYPE_CHECKING:      # the grader needs only `trainee_seed`: no pandas for that
    from crm_sim.world import World

# Default scenario per unit code; `world_for` replaces only the seed.
UNIT_SCENARIOS: dict[str, Scenario] = {
    "ITCSCR304A": Scenario(n_customers=600, industry="ict", months_history=12, n_staff=16),
    "ITCSCR410A": Scenario(n_customers=800, industry="ict", months_history=12),
    "ITCSCR512A": Scenario(n_customers=1200, industry="ict", months_history=12),
    "ITCSCR516A": Scenario(n_customers=1500, industry="ict", months_history=12),
    "104917L3": Scenario(n_customers=600, industry="timepiece", months_history=12),
}


def _check_text(field: str, value, fix: str) -> None:
    """FieldError unless `value` is a non-empty, non-blank str."""
    if not isinstance(value, str) or not value.strip():
        raise FieldError(field, value, "a non-empty string", fix)


def trainee_seed(trainee_id: str, unit: str, salt: str = "") -> int:
    """A 63-bit seed, identical on every machine, from sha256("unit|trainee_id|salt").

    Args:
        trainee_id: The trainee's course id (e.g. "t0042").
        unit: Unit code; a different unit gives an unrelated world.
        salt: A course secret for hidden-seed evaluation ("" for the trainee's own world).
    """
    _check_text("trainee_id", trainee_id, 'pass the trainee id, e.g. "t0042"')
    _check_text("unit", unit, 'pass a unit code, e.g. "ITCSCR304A"')
    if not isinstance(salt, str):
        raise FieldError("salt", salt, "a string", 'use "" or the course secret')
    digest = hashlib.sha256(f"{unit}|{trainee_id}|{salt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") & (2**63 - 1)


def scenario_for(trainee_id: str, unit: str, salt: str = "") -> Scenario:
    """The unit's default scenario with the trainee's seed."""
    seed = trainee_seed(trainee_id, unit, salt)
    if unit not in UNIT_SCENARIOS:
        raise FieldError("unit", unit, f"one of {sorted(UNIT_SCENARIOS)}", "check the unit code")
    return UNIT_SCENARIOS[unit].replace(seed=seed)


@functools.lru_cache(maxsize=16)
def _cached_world(trainee_id: str, unit: str, salt: str) -> World:
    """Build (once per process) the trainee's world for a unit."""
    from crm_sim.world import World

    return World.build(scenario_for(trainee_id, unit, salt))


def world_for(trainee_id: str, unit: str, salt: str = "") -> World:
    """The trainee's world for `unit`: a deep copy, so callers cannot corrupt the cache."""
    scenario_for(trainee_id, unit, salt)  # validates before touching the cache
    return _cached_world(trainee_id, unit, salt).copy()
