"""The browser journey of each unit: one module per unit code, named ``<CODE>.py``.

A journey module is data (see docs/browser-tests.md): the notebooks in order, the
answer cells a no-code trainee leaves as released (the analyst track), and the graded
cells a no-code trainee cannot earn, with why. Everything else is read from the unit's
notebooks: the model answers say what to do in each view, `viewdrivers` how.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).parent


def units() -> list[str]:
    """The unit codes that have a journey module."""
    return sorted(p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_"))


def load(code: str) -> ModuleType | None:
    """The journey module of unit `code`, or None when the unit has none yet."""
    if code not in units():
        return None
    return importlib.import_module(f"journeys.{code}")
