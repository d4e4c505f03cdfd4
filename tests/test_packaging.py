"""Installing the project installs no answer key: evaluators live only in unit folders."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from setuptools import find_packages

REPO = Path(__file__).resolve().parents[1]
REGISTERS = re.compile(rb"^\s*@(?:\w+\.)*evaluator\(", re.MULTILINE)
# The framework's own modules that define or document the decorator (no unit's keys).
FRAMEWORK = {"autograders/checks/registry.py", "autograders/checks/__init__.py"}


def _packaged_sources() -> list[Path]:
    """Every .py file setuptools would package, per pyproject's packages.find."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = find_packages(str(REPO), include=include)
    return [p for pkg in packages for p in (REPO / pkg.replace(".", "/")).glob("*.py")]


def test_packaged_modules_register_no_evaluator():
    """No module setuptools packages registers an evaluator, and autograders.units is gone."""
    sample = REPO / "course" / "units" / "ITCSCR304A" / "grading" / "evaluators.py"
    assert REGISTERS.search(sample.read_bytes())       # the pattern finds real evaluators
    sources = _packaged_sources()
    rel = {p.relative_to(REPO).as_posix() for p in sources}
    assert "autograders/checks/registry.py" in rel and "crm_sim/world.py" in rel
    assert not any(r.startswith("autograders/units/") for r in rel)
    leaking = sorted(p.relative_to(REPO).as_posix() for p in sources
                     if p.relative_to(REPO).as_posix() not in FRAMEWORK
                     and REGISTERS.search(p.read_bytes()))
    assert leaking == []
    assert not any("periodic_calls" in r or "profile_desk" in r for r in rel)


@pytest.mark.slow
def test_built_wheel_holds_no_answer_key(tmp_path):
    """`pip wheel` of a clean copy of the project ships no evaluator module or unit folder."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    for pkg in ("autograders", "crm_sim"):
        shutil.copytree(REPO / pkg, src / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps",
                           "-q", "-w", str(tmp_path / "wheel")],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        registering = [n for n in names if n.endswith(".py") and n not in FRAMEWORK
                       and REGISTERS.search(archive.read(n))]
    assert "autograders/checks/registry.py" in names
    assert registering == []
    assert not [n for n in names if n.startswith(("autograders/units/", "course/"))
                or "/grading/" in n]
