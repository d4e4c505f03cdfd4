"""Onboarding dashboards: a released unit as Voila pages, for a trainer-led session.

What new staff see is the narrative, the widgets and the charts; no code cells (Voila
strips them), no answer cells, no checks, no grading. Built from the released notebooks
(never the sources, which hold the model answers):

* answer cells and graded check cells are dropped, and so is every later cell that needs
  a name only those cells made (a record sheet built from the calls of an exercise),
  since Voila stops at the first cell that fails;
* everyone in the session works on one shared demo company: the same fixed trainee id
  for every page, its world saved once beside the dashboards before the server starts.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from autograders.commands.errors import CourseError
from autograders.course import Course
from crm_sim.ui.view import HAND_IN_ENV

ONBOARDING_TRAINEE = "onboarding-demo"     # one shared company for every page and viewer


def _assigned(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


def _used(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _is_exercise(cell: dict[str, Any]) -> bool:
    """An answer cell or a graded check: what onboarding never shows."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("solution") or meta.get("grade"))


def dashboard_notebook(nb: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    """The notebook without its exercises and the cells that need them; and what was dropped.

    A code cell is dropped when it is an answer or check cell, or when it reads a name
    that no kept cell before it defines but a dropped one did (transitively).
    """
    out = json.loads(json.dumps(nb))
    kept, dropped, made, missing = [], [], set(), set()
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            if _is_exercise(cell):          # a written answer ("YOUR ANSWER HERE")
                dropped.append(index)
            else:
                kept.append(cell)
            continue
        source = "".join(cell["source"])
        try:
            tree = ast.parse(source)
        except SyntaxError:
            tree = ast.parse("")
        needs_missing = bool((_used(tree) - made) & missing)
        if _is_exercise(cell) or needs_missing:
            dropped.append(index)
            missing |= _assigned(tree) - made
            continue
        made |= _assigned(tree)
        kept.append(cell)
    for cell in kept:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    out["cells"] = [json.loads(json.dumps(c)) for c in kept]
    return out, dropped


def build_dashboards(course: Course, code: str, out_dir: Path) -> Path:
    """Write the unit's dashboards and helper modules to ``<out_dir>/<CODE>``; return it.

    Releases the unit first when it has not been released (the release step is the one
    that strips model answers). Builds the shared demo company there too.
    """
    from autograders.release import release_unit

    if code == "all":
        raise CourseError("onboard one unit at a time, e.g. `crm-course onboard ITCSCR304A`")
    course.unit_dir(code)          # an unknown unit is refused here, in words
    released = course.release_dir / code
    if not any(released.glob("*.ipynb")):
        release_unit(course, code)
    target = Path(out_dir) / code
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for path in sorted(released.iterdir()):
        if path.suffix == ".ipynb":
            nb = json.loads(path.read_text(encoding="utf-8"))
            board, _ = dashboard_notebook(nb)
            (target / path.name).write_text(json.dumps(board, indent=1), encoding="utf-8")
        elif path.is_file() and path.suffix == ".py":
            shutil.copy2(path, target / path.name)
    shared_world(code, target)
    return target


def onboarding_env(environ: dict[str, str], folder: Path) -> dict[str, str]:
    """The dashboards' environment: the shared company's id and where its world is kept."""
    env = dict(environ)
    env["CRM_TRAINEE_ID"] = ONBOARDING_TRAINEE
    env.pop("JUPYTERHUB_USER", None)
    env["CRM_WORLD_DIR"] = str(folder)
    env[HAND_IN_ENV] = "off"        # a demonstration: the hand-in line would only distract
    return env


def shared_world(code: str, folder: Path) -> Path:
    """Build and save the demo company once, so every page opens the same one at once."""
    from crm_sim.ui.session import my_world, world_path

    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(onboarding_env(saved, folder))
        my_world(code)
        return world_path(code)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def voila_argv(folder: Path, extra: list[str], *, no_browser: bool = False) -> list[str]:
    """The Voila command line serving `folder`: sources stripped, errors not shown."""
    cmd = [sys.executable, "-m", "voila", str(folder), "--strip_sources=True",
           "--show_tracebacks=False"]
    if no_browser:
        cmd.append("--no-browser")
    return cmd + list(extra)
