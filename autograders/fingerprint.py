"""Fingerprints of submitted functions and SQL: copied model answers survive renaming.

A trainee who copies a model answer (the public source notebooks hold them, as do the
evaluator modules' ``reference_*`` functions) and renames its variables still hands in
the same program. So a submitted function is reduced to its syntax tree without
docstrings, with its own name, its arguments and its local names replaced by positional
placeholders, and a query to its lower-cased tokens without comments or spacing. The
hash of that normal form is the fingerprint: grading stores only the hash in the cell's
evidence, so reports can compare trainees (and the model answers) without keeping
anyone's source. A match is a prompt for an assessor, not proof: a short exercise has
few correct forms.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import re
import textwrap
from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import Any

PYTHON, SQL = "py", "sql"
MIN_SQL_CHARS = 15
_SQL_START = re.compile(r"(select|with)\b")
_SQL_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_SQL_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[A-Za-z_][\w$]*|\d+(?:\.\d*)?|\S")
SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"


def _digest(kind: str, text: str) -> str:
    return f"{kind}:{hashlib.sha256(text.encode('utf-8')).hexdigest()[:24]}"


# --------------------------------------------------------------------------- python
class _Locals(ast.NodeVisitor):
    """Names a function binds (its own name, arguments, assignments), in visiting order."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def add(self, name: str | None) -> None:
        if name and name not in self.names:
            self.names[name] = f"_v{len(self.names)}"

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.add(node.name)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_arg(self, node: ast.arg) -> None:
        self.add(node.arg)
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.add(node.id)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        self.add(node.name)
        self.generic_visit(node)

    def visit_alias(self, node: ast.alias) -> None:
        self.add(node.asname)


class _Rename(ast.NodeTransformer):
    """Replace bound names by placeholders and drop docstrings."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def _body(self, node: Any) -> Any:
        body = node.body
        if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> Any:
        node.name = self.names.get(node.name, node.name)
        node.returns = None
        self._body(node)
        return self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_arg(self, node: ast.arg) -> Any:
        node.arg = self.names.get(node.arg, node.arg)
        node.annotation = None
        node.type_comment = None
        return node

    def visit_Name(self, node: ast.Name) -> Any:
        node.id = self.names.get(node.id, node.id)
        return node

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> Any:
        if node.name:
            node.name = self.names.get(node.name, node.name)
        return self.generic_visit(node)

    def visit_alias(self, node: ast.alias) -> Any:
        if node.asname:
            node.asname = self.names.get(node.asname, node.asname)
        return node


def normalise_function(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """The normal form of one function: no docstrings, positional names, `ast.dump`."""
    tree = ast.parse(ast.unparse(node))      # a private copy: the caller's tree stays as is
    fn = tree.body[0]
    found = _Locals()
    found.visit(fn)
    return ast.dump(_Rename(found.names).visit(fn), annotate_fields=False)


def _functions(source: str) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    try:
        tree = ast.parse(textwrap.dedent(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    return [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def python_fingerprint(source: str, name: str | None = None) -> str | None:
    """Fingerprint of the function `name` defined in `source` (else its first function)."""
    functions = _functions(source)
    if not functions:
        return None
    chosen = next((f for f in functions if f.name == name), functions[0])
    try:
        return _digest(PYTHON, normalise_function(chosen))
    except (SyntaxError, ValueError, RecursionError):
        return None


# --------------------------------------------------------------------------- SQL
def normalise_sql(text: str) -> str | None:
    """Tokens lower-cased, comments and spacing gone; None when it is not a query."""
    body = _SQL_COMMENTS.sub(" ", text).strip().rstrip(";").strip()
    if len(body) < MIN_SQL_CHARS or not _SQL_START.match(body.lower()):
        return None
    return " ".join(t.lower() for t in _SQL_TOKENS.findall(body))


def sql_fingerprint(text: str) -> str | None:
    """Fingerprint of a query, or None when `text` is not a SELECT / WITH query."""
    norm = normalise_sql(text) if isinstance(text, str) else None
    return _digest(SQL, norm) if norm else None


# --------------------------------------------------------------------------- artefacts
def artifact_fingerprint(value: Any) -> str | None:
    """Fingerprint of a graded artefact: a submitted function or a query string, else None."""
    if isinstance(value, dict) and isinstance(value.get("__function__"), str) \
            and isinstance(value.get("source"), str):
        return python_fingerprint(value["source"], value["__function__"])
    if isinstance(value, str) and len(value) <= 100_000:
        return sql_fingerprint(value)
    return None


def _solution_cells(notebook: Any) -> Iterable[str]:
    cells = notebook.get("cells", []) if isinstance(notebook, dict) else []
    for cell in cells:
        src = cell.get("source", "") if isinstance(cell, dict) else ""
        src = "".join(src) if isinstance(src, list) else str(src)
        if SOLUTION_BEGIN in src:
            yield src


def reference_fingerprints(modules: Iterable[ModuleType] = (),
                           notebooks: Mapping[str, Any] | None = None) -> dict[str, str]:
    """``{fingerprint: where}`` of every model answer of a unit.

    Args:
        modules: the unit's evaluator module(s): every top-level function named
            ``reference_*`` and every module-level string constant that is a query.
        notebooks: ``{name: source notebook (nbformat JSON)}``: every function and
            query string defined in a cell with a solution region.
    """
    found: dict[str, str] = {}
    for module in modules:
        for attr, obj in sorted(vars(module).items()):
            where = f"{module.__name__}.{attr}"
            if attr.startswith("reference_") and inspect.isfunction(obj) \
                    and obj.__module__ == module.__name__:
                try:
                    source = inspect.getsource(obj)
                except (OSError, TypeError):
                    continue
                fp = python_fingerprint(source, obj.__name__)
                if fp:
                    found.setdefault(fp, where)
            elif isinstance(obj, str) and not attr.startswith("__"):
                fp = sql_fingerprint(obj)
                if fp:
                    found.setdefault(fp, where)
    for nb_name, notebook in (notebooks or {}).items():
        for src in _solution_cells(notebook):
            clean = "\n".join(ln for ln in src.splitlines()
                              if SOLUTION_BEGIN not in ln and SOLUTION_END not in ln)
            try:
                tree = ast.parse(clean)
            except (SyntaxError, ValueError, RecursionError):
                continue
            for node in ast.walk(tree):
                fp = None
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    fp = _digest(PYTHON, normalise_function(node))
                elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                    fp = sql_fingerprint(node.value)
                if fp:
                    found.setdefault(fp, f"solution in {nb_name}")
    return found
