"""What an evaluator may use besides the artefact: worlds, seeds, a sandbox for functions.

An `EvalContext` lives in the grading process, never in the kernel. The hidden seed is
derived from the course secret, which never leaves the grading host, so the trainee can
neither see nor reproduce the hidden world their answer is tested on.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from autograders.sandbox.limits import Limits

# Unseen-company worlds built in this grading worker, keyed by (unit, hidden seed). A
# worker grades many notebooks of a trainee's unit and every one of them tests on the
# same unseen company: building it once per worker instead of once per notebook is what
# this saves. Small (a few worlds of a few hundred customers); oldest dropped first.
_HIDDEN_WORLDS: OrderedDict = OrderedDict()
HIDDEN_WORLDS_KEPT = 16       # a trainee's unseen company and its sisters (304A: 5), twice


def _built_hidden_world(unit: str, seed: int):
    """The unit's scenario built from `seed`, once per worker process (LRU)."""
    key = (unit, seed)
    if key in _HIDDEN_WORLDS:
        _HIDDEN_WORLDS.move_to_end(key)
        return _HIDDEN_WORLDS[key]
    from crm_sim.trainee import UNIT_SCENARIOS
    from crm_sim.world import World

    world = World.build(UNIT_SCENARIOS[unit].replace(seed=seed))
    _HIDDEN_WORLDS[key] = world
    while len(_HIDDEN_WORLDS) > HIDDEN_WORLDS_KEPT:
        _HIDDEN_WORLDS.popitem(last=False)
    return world


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
        lang: the language the trainee reads the unit in, from the release's language
            record on the grading host (`language_of`), never from the trainee's kernel;
            an evaluator words its feedback in it, and no score depends on it.
    """

    unit: str
    trainee_id: str
    trainee_seed: int
    hidden_seed: int
    limits: Limits = field(default_factory=Limits)
    slot: int = 0
    lang: str = "en"
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def trainee_world(self):
        """The trainee's own world, rebuilt exactly as their notebook built it (cached)."""
        if "trainee" not in self._cache:
            from crm_sim.trainee import world_for

            self._cache["trainee"] = world_for(self.trainee_id, self.unit)
        return self._cache["trainee"]

    def hidden_world(self):
        """The unit's scenario built from the hidden seed (cached; never shown).

        Built once per worker for each (unit, hidden seed) and shared by every notebook
        of that trainee's unit graded there; each context gets its own deep copy, so an
        evaluator that changes its world cannot change another notebook's.
        """
        if "hidden" not in self._cache:
            self._cache["hidden"] = _built_hidden_world(self.unit, self.hidden_seed).copy()
        return self._cache["hidden"]

    def unseen_world(self, seed: int):
        """Another unseen company of the unit's scenario, built from `seed` (never shown).

        For an evaluator that pools several companies (e.g. sisters whose seeds derive
        from the hidden seed): each is built once per worker for (unit, seed), like the
        hidden world, and every call gets its own deep copy.
        """
        return _built_hidden_world(self.unit, int(seed)).copy()

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

    def run_sql(self, db_path: Any, query: Any, params: dict | None = None) -> Any:
        """Run a submitted SQL query read-only on a copy of `db_path`, inside the jail.

        Mirrors `call_function`: the wall clock is enforced from outside and memory is
        capped, so a query cannot hold or bloat the grading process.

        Args:
            db_path: a world saved with ``World.save`` (e.g. the hidden store).
            query: the trainee's query text.
            params: the grader's values for the query's ``:name`` placeholders.

        Returns:
            A pandas DataFrame, or a falsy `CallError` for a query that failed, was
            refused, timed out, ran out of memory or returned too much.
        """
        from autograders.sandbox.evaluate import run_sql

        return run_sql(db_path, query, limits=self.limits, slot=self.slot, params=params)


def language_of(support_files: Any, trainee_id: str) -> str:
    """The trainee's language from the released ``languages.toml`` among `support_files`.

    The record is the instructor's, copied into the release by ``crm-course release``
    (`autograders.languages.copy_record`) and read here on the grading host: what the
    trainee's kernel writes (the notebook's switch, ``.crm_lang``) never decides it, so a
    submission cannot choose the wording of its own feedback. English when absent.
    """
    from pathlib import Path

    from crm_sim.ui.language import ENGLISH, RECORD_FILE, recorded_language

    for path in support_files or ():
        path = Path(path)
        if path.name == RECORD_FILE and path.is_file():
            return recorded_language(path, trainee_id) or ENGLISH
    return ENGLISH
