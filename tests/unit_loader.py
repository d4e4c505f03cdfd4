"""Load a course unit's modules the way the grader does: by path, from the unit's folder.

The repository's units are not importable packages (no answer key is installed), so
tests reach a unit's evaluators and helper modules through the same loader as
`crm-course grade`, and get the very module objects the evaluators use.
"""

from __future__ import annotations

import importlib
import types
from pathlib import Path

from autograders.checks import evaluator_module
from autograders.checks.registry import unit_package
from autograders.unitspec import helper_files

REPO = Path(__file__).resolve().parents[1]
UNITS_DIR = REPO / "course" / "units"
FIXTURE_UNITS_DIR = REPO / "tests" / "fixtures" / "course" / "units"


def built_units() -> tuple[str, ...]:
    """Every unit folder of the repository's course that has a ``unit.toml``, sorted.

    Cross-unit checks iterate this, so a unit added later is checked without editing them.
    """
    return tuple(sorted(p.name for p in UNITS_DIR.iterdir() if (p / "unit.toml").is_file()))


def unit_dir(code: str) -> Path:
    """The unit's folder (the fixture course for FIXTURE1, the repository's course else)."""
    fixture = FIXTURE_UNITS_DIR / code
    return fixture if fixture.is_dir() else UNITS_DIR / code


def evaluators_module(code: str) -> types.ModuleType:
    """The unit's ``grading/evaluators.py`` as loaded for grading (keys, VARIANTS...)."""
    return evaluator_module(code, None, base_dir=unit_dir(code))


def helper_module(code: str, name: str) -> types.ModuleType:
    """One of the unit's released helper modules (e.g. ``periodic_calls``)."""
    package = unit_package(code, unit_dir(code).resolve())
    return importlib.import_module(f"{package}.{name}")


def support_files(code: str) -> list[Path]:
    """The files released next to the unit's notebooks (copied into the grading workspace)."""
    return helper_files(unit_dir(code))
