"""Read a unit's source notebooks the way every unit's structure tests need them.

Each unit's test module checks the same things of its notebooks (every graded cell has
an evaluator, VARIANTS name real solution cells, nothing is committed with outputs) and
runs solution cells in a namespace; one copy here keeps those checks alike across units.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import nbformat


def all_cells(unit_dir: Path, notebooks: Iterable[str]) -> Iterator[nbformat.NotebookNode]:
    """Every cell of the named notebooks (stems, e.g. "01_accounts_and_plan"), in order."""
    for name in notebooks:
        yield from nbformat.read(Path(unit_dir) / f"{name}.ipynb", as_version=4).cells


def cell_sources(unit_dir: Path, notebooks: Iterable[str]) -> dict[str, str]:
    """grade_id -> source of every cell of the notebooks."""
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in all_cells(unit_dir, notebooks)}


def graded_code_cells(unit_dir: Path, notebooks: Iterable[str]) -> set[str]:
    """The grade_ids of the graded code cells: the cells an evaluator must score."""
    return {c.metadata["nbgrader"]["grade_id"] for c in all_cells(unit_dir, notebooks)
            if c.metadata["nbgrader"].get("grade") and c.cell_type == "code"}


def solution_cells(unit_dir: Path, notebooks: Iterable[str]) -> set[str]:
    """The grade_ids of the solution cells: what a VARIANTS entry may replace."""
    return {c.metadata["nbgrader"]["grade_id"] for c in all_cells(unit_dir, notebooks)
            if c.metadata["nbgrader"].get("solution")}


def cells_with_outputs(unit_dir: Path, notebooks: Iterable[str]) -> list[str]:
    """The grade_ids of code cells committed with outputs or an execution count."""
    return [c.metadata["nbgrader"]["grade_id"] for c in all_cells(unit_dir, notebooks)
            if c.cell_type == "code" and (c.outputs != [] or c.execution_count is not None)]


def run_cell(source: str, ns: dict) -> dict:
    """Execute a cell's source in `ns` (solution markers are comments) and return ns."""
    exec(compile(source, "<cell>", "exec"), ns)  # noqa: S102 - our own notebook source
    return ns


def grade_as_released(unit_dir: Path, notebook: str, submission: dict, trainees: Iterable[str],
                      work: Path, languages: str | None = None) -> dict:
    """Grade one submitted notebook as each trainee, beside the unit's released helpers.

    The released helper files (and `languages`, the text of the release's
    ``languages.toml``, when given) are what the grader copies next to a notebook, so the
    run is the one `crm-course grade` makes. Returns trainee -> SubmissionResult.
    """
    import json

    from autograders.checks import load_evaluators
    from autograders.sandbox.grade import grade_notebook
    from autograders.sandbox.limits import Limits
    from autograders.unitspec import helper_files, load_unit_spec

    unit_dir = Path(unit_dir)
    spec = load_unit_spec(unit_dir)
    release = Path(work) / "release"
    release.mkdir(parents=True, exist_ok=True)
    for f in helper_files(unit_dir):
        (release / f.name).write_bytes(f.read_bytes())
    if languages is not None:
        (release / "languages.toml").write_text(languages, encoding="utf-8")
    sub = Path(work) / f"{notebook}.submitted.ipynb"
    sub.write_text(json.dumps(submission))
    evaluators = load_evaluators(spec.code, spec.evaluators, base_dir=unit_dir)
    return {t: grade_notebook(unit_dir / f"{notebook}.ipynb", sub, unit=spec.code, trainee_id=t,
                              secret="s", evaluators=evaluators,
                              support_files=sorted(release.iterdir()),
                              limits=Limits(cell_timeout_s=60))
            for t in trainees}
