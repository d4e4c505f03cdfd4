"""What an evaluator may use besides the artefact: worlds, seeds, a sandbox for functions.

An `EvalContext` lives in the grading process, never in the kernel. The hidden seed is
derived from the course secret, which never leaves the grading host, so the trainee can
neither see nor reproduce the hidden world their answer is tested on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from autograders.sandbox.limits import Limits


def hidden_seed(secret: str, trainee_id: str, unit: str) -> int:
    """The trainee's hidden-world seed for `unit`, keyed by the course secret."""
    from crm_sim.trainee import trainee_seed

    return int(trainee_seed(trainee_id, unit, salt=secret))


@dataclass
class EvalContext:
    """Everything an evaluator needs to judge one artefact of one trainee.

    Attributes:
        unit: unit code, e.g. "ITCSCR304A".
        trainee_id: the trainee whose submission is graded.
        trainee_seed: seed of the trainee's own (visible) world.
        hidden_seed: seed of the hidden world (from the course secret).
        limits: sandbox limits reused by `call_function`.
        slot: worker slot, so `call_function`/`run_sql` sandboxes use the worker's uid.
    """

    unit: str
    trainee_id: str
    trainee_seed: int
    hidden_seed: int
    limits: Limits = field(default_factory=Limits)
    slot: int = 0
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def trainee_world(self):
        """The trainee's own world, rebuilt exactly as their notebook built it (cached)."""
        if "trainee" not in self._cache:
            from crm_sim.trainee import world_for

            self._cache["trainee"] = world_for(self.trainee_id, self.unit)
        return self._cache["trainee"]

    def hidden_world(self):
        """The unit's scenario built from the hidden seed (cached; never shown)."""
        if "hidden" not in self._cache:
            from crm_sim.trainee import UNIT_SCENARIOS
            from crm_sim.world import World

            scenario = UNIT_SCENARIOS[self.unit].replace(seed=self.hidden_seed)
            self._cache["hidden"] = World.build(scenario)
        return self._cache["hidden"]

    def call_function(self, artifact: Any, args_list: list) -> list:
        """Run a submitted function on each args in a fresh sandboxed process.

        Pass every input in one call: each `call_function` starts a new process (about a
        second or two, importing pandas), while the calls inside it are cheap.

        Args:
            artifact: a ``{"__function__": name, "source": ...}`` artefact.
            args_list: one entry per call: a list (positional) or dict (keyword) of
                plain data; ``__frame__``/``__series__`` forms arrive as pandas objects.

        Returns:
            One plain result per call, or a falsy `CallError` for a call that raised,
            timed out, ran out of memory or killed its process.
        """
        from autograders.sandbox.evaluate import call_function

        return call_function(artifact, args_list, limits=self.limits, slot=self.slot)

    def run_sql(self, db_path: Any, query: Any) -> Any:
        """Run a submitted SQL query read-only on a copy of `db_path`, inside the jail.

        Mirrors `call_function`: the wall clock is enforced from outside and memory is
        capped, so a query cannot hold or bloat the grading process.

        Args:
            db_path: a world saved with ``World.save`` (e.g. the hidden store).
            query: the trainee's query text.

        Returns:
            A pandas DataFrame, or a falsy `CallError` for a query that failed, was
            refused, timed out, ran out of memory or returned too much.
        """
        from autograders.sandbox.evaluate import run_sql

        return run_sql(db_path, query, limits=self.limits, slot=self.slot)
