"""Which widget views exist, and which notebook cell shows each one to a trainee.

Found, not listed: every `crm_sim.ui.view.View` subclass in any module of `crm_sim.ui`,
so a view another helper adds later is collected by the browser tests without editing
them. A view is "shown" by the first code cell of a unit notebook that builds it, by its
class name or through a function (of a unit's helper module or of `crm_sim.ui`) whose
body names the class, such as `periodic_calls.summary_builder` or `quiz.ask`.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Place:
    """Where a view is shown: unit, notebook stem, cell index, the variable holding it."""

    unit: str
    notebook: str
    index: int
    variable: str | None


def view_classes() -> dict[str, type]:
    """Every View subclass defined in `crm_sim.ui`, by class name, in module order."""
    import crm_sim.ui
    from crm_sim.ui.view import View

    found: dict[str, type] = {}
    for info in sorted(pkgutil.iter_modules(crm_sim.ui.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"crm_sim.ui.{info.name}")
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and issubclass(obj, View) and obj is not View
                    and obj.__module__ == module.__name__):
                found[name] = obj
    return found


def _builders(py_files: list[Path], classes: dict[str, type]) -> dict[str, list[str]]:
    """Builder name -> view class names it shows.

    A function whose body names one view class builds that view; a class (a unit's
    composed view, such as a planner made of a designer and a rates view) shows every
    view class its body names.
    """
    out: dict[str, list[str]] = {}
    for path in py_files:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and \
                    not node.name.startswith("_"):
                body = ast.unparse(node)
                named = [c for c in classes if re.search(rf"\b{c}\(", body)]
                if len(named) == 1 or (isinstance(node, ast.ClassDef) and named):
                    out[node.name] = named
    return out


def places(units_dir: Path, classes: dict[str, type] | None = None) -> dict[str, Place]:
    """The first cell of any unit notebook under `units_dir` that shows each view class."""
    classes = classes or view_classes()
    import crm_sim.ui

    ui_files = sorted(Path(crm_sim.ui.__path__[0]).glob("*.py"))
    found: dict[str, Place] = {}
    for unit_dir in sorted(p for p in Path(units_dir).iterdir() if p.is_dir()):
        helpers = [p for p in sorted(unit_dir.glob("*.py"))]
        builders = {**_builders(ui_files, classes), **_builders(helpers, classes)}
        callables = {**{c: [c] for c in classes}, **builders}
        for nb_path in sorted(unit_dir.glob("*.ipynb")):
            cells = json.loads(nb_path.read_text(encoding="utf-8"))["cells"]
            for index, cell in enumerate(cells):
                if cell["cell_type"] != "code":
                    continue
                source = "".join(cell["source"])
                if "BEGIN SOLUTION" in source:
                    continue          # the trainee never sees a model answer's cell
                for name, shown in callables.items():
                    for cls in shown:
                        if cls in found or not re.search(rf"\b{name}\(", source):
                            continue
                        m = re.search(rf"^(\w+)\s*=\s*(?:\w+\.)?{name}\(", source, re.M)
                        found[cls] = Place(unit_dir.name, nb_path.stem, index,
                                           m.group(1) if m else None)
    return found
