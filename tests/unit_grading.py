"""Grade a real unit's notebooks with its solution variants, as the cohort demo does.

Shared by the unit test modules: every unit proves that its full, partial and wrong
variants land on the per-criterion outcomes it was designed for, through the real
sandbox (kernel, integrity check, evaluators outside the kernel).
"""

from __future__ import annotations

import json
from pathlib import Path

from autograders.checks import load_evaluators
from autograders.demo import make_submission
from autograders.sandbox.grade import grade_notebook
from autograders.sandbox.limits import Limits
from autograders.unitspec import helper_files, load_unit_spec


def criterion_fractions(unit: str, unit_dir: Path, notebooks: tuple[str, ...],
                        variants: dict[str, dict[str, str]], tmp_path: Path,
                        secret: str) -> dict[str, dict[str, float]]:
    """Per variant ("full" = the source solutions), each criterion's share of points earned.

    Asserts every notebook grades to the end (status "graded").
    """
    spec = load_unit_spec(unit_dir)
    evaluators = load_evaluators(unit, spec.evaluators, base_dir=unit_dir)
    support = helper_files(unit_dir)     # the released helpers, next to the notebook
    outcome: dict[str, dict[str, float]] = {}
    for variant in ("full", "partial", "wrong"):
        replace = variants.get(variant, {})
        points: dict[str, float] = {}
        for name in notebooks:
            source = json.loads((unit_dir / f"{name}.ipynb").read_text())
            sub = tmp_path / f"{variant}-{name}.ipynb"
            sub.write_text(json.dumps(make_submission(source, source, replace)))
            result = grade_notebook(unit_dir / f"{name}.ipynb", sub, unit=unit,
                                    trainee_id=f"e2e-{variant}", secret=secret,
                                    evaluators=evaluators, support_files=support,
                                    limits=Limits(cell_timeout_s=90))
            assert result.status == "graded", (variant, name, result.reason)
            for cell in result.cells:
                points[cell.grade_id] = cell.points
        outcome[variant] = {
            cid: sum(points.get(g, 0.0) for g in crit.cells) / crit.max_points
            for cid, crit in spec.criteria.items()}
    return outcome
