"""Evaluator registry: one trusted function per graded test cell, outside the kernel.

A unit is one folder, ``course/units/<CODE>/``: notebooks, ``unit.toml``, the trainee-side
helpers released with the notebooks, and ``grading/`` (never released) whose
``evaluators.py`` decorates evaluators with ``@evaluator(unit, grade_id)``.
`load_evaluators` loads that file **by path** as ``crm_units.<code>.grading.evaluators``,
where the package ``crm_units.<code>`` is the unit folder. So an evaluator imports the
unit's own helpers as ``from ..periodic_calls import x`` and its private key modules as
``from .keys import y``, and nothing is ever put on ``sys.path`` (process-wide state must
not depend on which unit was graded first, and no answer key is an installed package).
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import re
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crm_sim.errors import FieldError

Evaluator = Callable[[Any, Any], Any]

# Where a unit's evaluators live inside its folder when unit.toml names none.
DEFAULT_EVALUATORS = "grading/evaluators.py"
# Root of the packages the unit folders are loaded as (never an installed package).
UNITS_PACKAGE = "crm_units"

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
    """The package name a unit folder is loaded as: ``crm_units.<code lower>``."""
    return UNITS_PACKAGE + "." + _identifier(unit_code.lower())


def _identifier(text: str) -> str:
    return re.sub(r"\W", "_", text)


def load_evaluators(unit_code: str, spec: str | None = None,
                    base_dir: Path | None = None) -> dict[str, Evaluator]:
    """Load a unit's evaluator module and return its ``{grade_id: evaluator}``.

    Args:
        unit_code: e.g. "ITCSCR304A".
        spec: None for the unit's ``grading/evaluators.py``, a path to a ``.py`` file
            (relative paths are resolved against `base_dir`; absolute ones may point at
            a training centre's private copy of ``grading/``), or a dotted module name.
        base_dir: the unit folder (holding unit.toml and the unit's helper modules).

    Raises:
        RegistryError: the module cannot be found or fails to import.
    """
    evaluator_module(unit_code, spec, base_dir)
    return registered(unit_code)


def evaluator_module(unit_code: str, spec: str | None = None,
                     base_dir: Path | None = None) -> types.ModuleType:
    """The loaded evaluator module of a unit (its ``VARIANTS``, reference functions...).

    Arguments as `load_evaluators`; loading twice from the same file returns the module
    already loaded.

    Raises:
        RegistryError: the module cannot be found or fails to import.
    """
    target = spec or DEFAULT_EVALUATORS
    if target.endswith(".py") or "/" in target or "\\" in target:
        path = Path(target)
        if not path.is_absolute():
            if base_dir is None:
                raise RegistryError("evaluator file", target, "a path inside the unit folder",
                                    "pass base_dir=<course>/units/<CODE> (the unit folder)")
            path = Path(base_dir) / path
        unit_dir = Path(base_dir) if base_dir is not None else path.parent
        return _load_file(unit_code, path.resolve(), unit_dir.resolve())
    try:
        return importlib.import_module(target)
    except ImportError as exc:
        raise RegistryError("evaluator module", target, "an importable module",
                            f"create {target.replace('.', '/')}.py or set the unit's "
                            "evaluator spec") from exc


def unit_package(unit_code: str, unit_dir: Path) -> str:
    """Register the unit folder as the package ``crm_units.<code>`` and return its name.

    The package is a bare module whose ``__path__`` is the unit folder (no ``__init__.py``
    is needed or run), so ``crm_units.<code>.periodic_calls`` is the unit's helper file.
    If the same unit was loaded from another folder before (a test's copy of the course),
    that package and its submodules are dropped first, so no module of the old folder
    is reused.
    """
    _bare_package(UNITS_PACKAGE, [])
    name = default_module(unit_code)
    _bare_package(name, [str(unit_dir)])
    return name


def _bare_package(name: str, path: list[str]) -> types.ModuleType:
    old = sys.modules.get(name)
    if old is not None and list(getattr(old, "__path__", [])) == path:
        return old
    if old is not None:
        for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
            del sys.modules[key]
    spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
    spec.submodule_search_locations = list(path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent and parent in sys.modules:
        setattr(sys.modules[parent], child, module)
    return module


def _load_file(unit_code: str, path: Path, unit_dir: Path) -> types.ModuleType:
    if not path.is_file():
        raise RegistryError("evaluator file", str(path), "an existing .py file",
                            "check the path in unit.toml (default grading/evaluators.py)")
    package = unit_package(unit_code, unit_dir)
    # The evaluator's own folder is the "grading" subpackage: `from .keys import K` reads
    # a key module next to it, wherever a training centre keeps that folder.
    grading = _bare_package(f"{package}.grading", [str(path.parent)])
    name = f"{grading.__name__}.{_identifier(path.stem)}"
    old = sys.modules.get(name)
    if old is not None and getattr(old, "__file__", None) == str(path):
        return old
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
    return module
