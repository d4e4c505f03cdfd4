"""docs/threat-model.md names the test behind each defence: every name it gives must exist.

A renamed or deleted test would otherwise leave a claim with nothing behind it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "threat-model.md"
REF = re.compile(r"`((?:tests/)?(?:[\w/]+/)?test_\w+\.py)(?:::(\w+))?")
SHORT = re.compile(r"`::(\w+)")


def _test_file(name: str) -> Path | None:
    path = REPO / name if name.startswith("tests/") else None
    if path is not None and path.is_file():
        return path
    found = sorted(REPO.glob(f"tests/**/{Path(name).name}"))
    return found[0] if found else None


def _functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def _references() -> list[tuple[str, str | None]]:
    """(file, test or None) for every `file.py::test` and every `::test` after it."""
    refs: list[tuple[str, str | None]] = []
    for line in DOC.read_text().splitlines():
        if not line.startswith("|"):
            continue
        for cell in line.split("|"):
            current = None
            for match in re.finditer(r"`[^`]+`", cell):
                token = match.group(0)
                full = REF.match(token)
                if full:
                    current = full.group(1)
                    refs.append((current, full.group(2)))
                    continue
                short = SHORT.match(token)
                if short and current:
                    refs.append((current, short.group(1)))
    return refs


def test_threat_model_names_tests():
    """The table cites tests at all (the parser below is not reading an empty list)."""
    assert len(_references()) >= 60


def test_every_test_the_threat_model_names_exists():
    """Each `file.py::name` in the table is a test function in that test file."""
    missing = []
    for file, name in _references():
        path = _test_file(file)
        if path is None:
            missing.append(file)
        elif name is not None and name not in _functions(path):
            missing.append(f"{file}::{name}")
    assert not missing, f"docs/threat-model.md cites tests that do not exist: {missing}"
