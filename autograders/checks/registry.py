"""Evaluator registry: one trusted function per graded test cell, outside the kernel.

Unit modules (``autograders/units/unit_<code>.py``) decorate evaluators with
``@evaluator(unit, grade_id)``. `load_evaluators` imports a unit's module and returns that
unit's evaluators. File-path loading uses ``spec_from_file_location`` and never touches
``sys.path`` (process-wide state must not depend on which unit was graded first).
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crm_sim.errors import FieldError

Evaluator = Callable[[Any, Any], Any]

_REGISTRY: dict[str, dict[str, Evaluator]] = {}


class RegistryError(FieldError):
    """An evaluator is registered twice, or a unit's evaluator module cannot be loaded."""


def evaluator(unit: str, grade_id: str) -> Callable[[Evaluator], Evaluator]:
    """Register ``fn(artifact, ctx) -> Verdict`` as the evaluator of one graded cell.

    Re-registering the same function (a module re-imported) is allowed; registering a
    *different* function for the same cell is an authoring bug and raises.
    """
    if not isinstance(unit, str) or not unit:
        raise RegistryError("evaluator unit", unit, "a unit code such as 'ITCSCR304A'")
    if not isinstance(grade_id, str) or not grade_id:
        raise RegistryError("evaluator grade_id", grade_id, "the test cell's grade_id")

    def register(fn: Evaluator) -> Evaluator:
        cells = _REGISTRY.setdefault(unit, {})
        old = cells.get(grade_id)
        if old is not None and _key(old) != _key(fn):
            raise RegistryError(
                f"evaluator({unit!r}, {grade_id!r})", fn.__qualname__,
                "one evaluator per graded cell",
                f"{old.__module__}.{old.__qualname__} is already registered; rename one")
        cells[grade_id] = fn
        return fn

    return register


def _key(fn: Evaluator) -> tuple[str, str]:
    return (getattr(fn, "__module__", ""), getattr(fn, "__qualname__", repr(fn)))


def registered(unit: str) -> dict[str, Evaluator]:
    """A copy of the evaluators registered so far for `unit`."""
    return dict(_REGISTRY.get(unit, {}))


def default_module(unit_code: str) -> str:
    """The conventional evaluator module of a unit: ``autograders.units.unit_<code lower>``."""
    return f"autograders.units.unit_{unit_code.lower()}"


def load_evaluators(unit_code: str, spec: str | None = None,
                    base_dir: Path | None = None) -> dict[str, Evaluator]:
    """Import a unit's evaluator module and return its ``{grade_id: evaluator}``.

    Args:
        unit_code: e.g. "ITCSCR304A".
        spec: None for the default module, a dotted module name, or a path to a ``.py``
            file (relative paths are resolved against `base_dir`, the unit source dir).
        base_dir: directory that relative file specs are relative to.

    Raises:
        RegistryError: the module cannot be found or fails to import.
    """
    target = spec or default_module(unit_code)
    if target.endswith(".py") or "/" in target or "\\" in target:
        path = Path(target)
        if not path.is_absolute() and base_dir is not None:
            path = Path(base_dir) / path
        _load_file(unit_code, path)
    else:
        try:
            importlib.import_module(target)
        except ImportError as exc:
            raise RegistryError("evaluator module", target, "an importable module",
                                f"create {target.replace('.', '/')}.py or set the unit's "
                                "evaluator spec") from exc
    return registered(unit_code)


def _load_file(unit_code: str, path: Path) -> None:
    path = path.resolve()
    if not path.is_file():
        raise RegistryError("evaluator file", str(path), "an existing .py file",
                            "check the path in unit.toml")
    name = "autograders.units._file_" + re.sub(r"\W", "_", f"{unit_code}_{path.stem}")
    if name in sys.modules and getattr(sys.modules[name], "__file__", None) == str(path):
        return
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise RegistryError("evaluator file", str(path), "a Python source file")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module       # so dataclasses/pickling inside it can find itself
    try:
        module_spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(name, None)
        raise RegistryError("evaluator file", str(path), "a module that imports cleanly",
                            f"{type(exc).__name__}: {exc}") from exc
