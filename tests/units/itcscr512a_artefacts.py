"""The decisions ITCSCR512A's notebooks hand in, made by running their own cells.

Shared by the unit's tests: each variant's artefacts (the source solutions, or the
partial and wrong variants of `VARIANTS`) come from executing the notebook's view cell and
then its solution cell in one namespace, exactly as a trainee's kernel would, without a
kernel. No answer is typed twice.
"""

from __future__ import annotations

import json
from pathlib import Path

from unit_loader import evaluators_module, helper_module
from unit_notebooks import cell_sources

from autograders.demo import strip_solution_markers
from crm_sim.trainee import UNIT_SCENARIOS
from crm_sim.world import World

CODE = "ITCSCR512A"
UNIT_DIR = Path(__file__).resolve().parents[2] / "course" / "units" / CODE
NOTEBOOKS = ("01_segments_and_policy", "02_resources_and_monitoring",
             "03_targets_review_culture")
SCENARIO = UNIT_SCENARIOS[CODE]
U = evaluators_module(CODE)
desk = helper_module(CODE, "contact_desk")
# graded cell -> (view cells, solution cell, the name the solution sets)
DECISIONS = {
    "policy_test": (["policy_widget"], "policy_impl", "policy_value"),
    "deploy_test": (["policy_widget"], "policy_impl", "policy_value"),
    "resources_test": (["resources_widget"], "resources_impl", "resource_method"),
    "monitor_test": (["monitor_widget"], "monitor_impl", "monitor_rules"),
    "dashboard_test": (["monitor_widget"], "monitor_impl", "monitor_rules"),
    "outsourcer_test": (["monitor_widget"], "monitor_impl", "monitor_rules"),
    "targets_test": (["targets_widget"], "targets_impl", "target_policy"),
    "review_test": (["review_widget"], "review_impl", "review_rule"),
    **{f"prof_{s}_test": ([f"prof_{s}_widget"], f"prof_{s}_answer", f"answer_{s}")
       for s in ("x3", "x1", "p1", "x2")},
}


def notebook_cells() -> dict[str, str]:
    """grade_id -> source of every cell of the unit's source notebooks."""
    return cell_sources(UNIT_DIR, NOTEBOOKS)


def run_cell(source: str, ns: dict) -> dict:
    """Execute a cell's source (solution markers removed) in `ns`; return ns."""
    exec(compile(strip_solution_markers(source), "<cell>", "exec"), ns)  # noqa: S102
    return ns


def namespace(world: World) -> dict:
    """What the notebooks' set-up cells define, for `world`."""
    from crm_sim.ui.judgement import JudgementCall
    from crm_sim.ui.monitor_designer import MonitorDesigner
    from crm_sim.ui.policy_designer import PolicyDesigner
    from crm_sim.ui.resource_planner import ResourcePlanner

    return {"world": world, "desk": desk, "PolicyDesigner": PolicyDesigner,
            "ResourcePlanner": ResourcePlanner, "MonitorDesigner": MonitorDesigner,
            "JudgementCall": JudgementCall, "policy": desk.policy_in_force(world)}


def artefacts(variant: str, world: World, cells: dict[str, str] | None = None) -> dict:
    """grade_id -> the plain-data answer a trainee of `variant` hands in, for `world`."""
    cells = cells or notebook_cells()
    replace = U.VARIANTS.get(variant, {})
    ns = namespace(world)
    out = {}
    for gid, (views, solution, name) in DECISIONS.items():
        for view in views:
            run_cell(cells[view], ns)
        run_cell(replace.get(solution, cells[solution]), ns)
        out[gid] = json.loads(json.dumps(ns[name]))          # as submit() hands it over
    return out


def company(seed: int) -> World:
    """A company of the unit's size and kind."""
    return World.build(SCENARIO.replace(seed=seed))
