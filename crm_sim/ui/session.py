"""Who is working in this kernel, and their own world.

A notebook's first cell calls `my_world(UNIT)`. The trainee id comes from the
environment (the grader sets ``CRM_TRAINEE_ID`` in its sandbox; JupyterHub sets
``JUPYTERHUB_USER``), so the same notebook builds the same world in the trainee's
session and at grading time. Graders never trust this: they rebuild the world
themselves from the trainee id they already know.

The trainee's company lives across the notebooks of a unit: `my_world` saves it in the
trainee's workspace (``.crm_world/<UNIT>.sqlite``) on first use and loads it after, so
what notebook 2 did is there in notebook 3; `save_my_world` saves after acting and
calls and `world.advance_month()` save the world themselves.
"""

from __future__ import annotations

import os
import sqlite3
import warnings
from pathlib import Path

from crm_sim.errors import FieldError, StoreError

ENV_VARS = ("CRM_TRAINEE_ID", "JUPYTERHUB_USER")
DEFAULT_TRAINEE = "demo-trainee"
WORLD_DIR_ENV = "CRM_WORLD_DIR"     # where .crm_world/ lives (default: the current folder)
WORLD_SUBDIR = ".crm_world"


def trainee_id() -> str:
    """The current trainee's id: the first of `ENV_VARS` that is set, else the demo id."""
    for name in ENV_VARS:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return DEFAULT_TRAINEE


def world_path(unit: str) -> Path:
    """Where the trainee's world for `unit` is kept: ``<workspace>/.crm_world/<UNIT>.sqlite``.

    The workspace is ``CRM_WORLD_DIR`` when set, else the current directory (the folder of
    the notebooks, where Jupyter starts each kernel), so every notebook of a unit finds
    the same file.
    """
    code = _unit_code(unit)
    base = Path(os.environ.get(WORLD_DIR_ENV, "").strip() or ".")
    return base / WORLD_SUBDIR / f"{code}.sqlite"


def my_world(unit: str):
    """The current trainee's world for `unit`: the saved one if any, else a fresh build.

    The first notebook of a unit builds the world from the trainee's seed (the grader's
    rebuild) and saves it to `world_path(unit)`; later notebooks load that file, so calls
    made in one notebook and months advanced in another are there in the next. The world
    is sealed (`world.hidden` is empty; the engine keeps its state) and saves itself
    after calls and `world.advance_month()`; `save_my_world(world)` saves any other change.

    A saved file made for another trainee or unit (a copied file) is not used: the
    trainee's own world is built instead, with a warning. Grading never reads this file:
    each graded notebook runs in a fresh workspace that holds only the released files.
    """
    from crm_sim import trainee
    from crm_sim.world import World

    code = _unit_code(unit)
    path = world_path(code)
    scenario = trainee.scenario_for(trainee_id(), code)
    world = None
    if path.exists():
        world = _load(path)
        if world is not None and world.scenario.seed != scenario.seed:
            warnings.warn(f"{path} holds another trainee's or unit's company; building "
                          f"your own instead (delete the file to silence this)", stacklevel=2)
            world = None
    if world is None:
        # built here, not through trainee.world_for, whose cache would keep an unsealed copy
        world = World.build(scenario).seal()
        world.path = path
        _autosave(world)
    world.path = path
    world.autosave = _autosave
    return world


def save_my_world(world, path: str | Path | None = None) -> Path:
    """Save the trainee's world (public tables and the engine's state) for the next notebook.

    Args:
        world: the world `my_world` returned (after calls, plans, months advanced).
        path: where to save; default the file it was loaded from (`world.path`).

    Returns:
        The file written.
    """
    from crm_sim.world import World

    if not isinstance(world, World):
        raise FieldError("world", type(world).__name__, "the world my_world(UNIT) returned",
                         "world = my_world(UNIT); ...; save_my_world(world)")
    target = Path(path) if path is not None else world.path
    if target is None:
        raise FieldError("path", None, "a file path", "open the world with my_world(UNIT)")
    _save(world, target)
    world.path = target
    return target


def _autosave(world) -> None:
    """Save after a change; a workspace that cannot be written costs persistence, not work."""
    try:
        save_my_world(world)
    except (OSError, sqlite3.Error, StoreError) as exc:
        warnings.warn(f"your company could not be saved to {world.path} ({exc}); what you "
                      "do here will not carry over to the next notebook", stacklevel=3)


def reset_my_world(unit: str):
    """Throw the saved world away and start the unit's company again from its first day."""
    path = world_path(unit)
    if path.exists():
        path.unlink()
    return my_world(unit)


def _unit_code(unit: str) -> str:
    from crm_sim import trainee

    code = str(unit).strip().upper()
    if code not in trainee.UNIT_SCENARIOS:
        raise FieldError(
            "unit", unit, ", ".join(sorted(trainee.UNIT_SCENARIOS)),
            "pass the unit code printed at the top of the notebook",
        )
    return code


def _save(world, path: Path) -> None:
    """Write tables and engine state: an unsealed view of the world goes to the store.

    The engine's state (the hidden tables) is saved with the public ones, so a loaded
    world continues exactly where it stopped (calls draw from ``calls.run.<n>`` with n
    counted in that state; months from ``simulate.month.<date>``). The file reveals only
    this trainee's own world's truth, which the engine's source and the seed reveal
    anyway and which no grade uses (see docs/grading-design.md).
    """
    from crm_sim.world import World, engine_state

    view = World(world.scenario, world.tables, engine_state(world), world.today,
                 schema=world.schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    view.save(path)


def _load(path: Path):
    """The sealed world saved at `path`, or None (with a warning) when it cannot be read."""
    from crm_sim.world import World

    try:
        return World.load(path).seal()
    except Exception as exc:  # noqa: BLE001 - any damage: say so and rebuild
        warnings.warn(f"{path} could not be read ({exc}); building your company again "
                      f"from its first day", stacklevel=3)
        return None
