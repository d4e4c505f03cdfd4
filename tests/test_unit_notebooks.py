"""Tests of tests/unit_notebooks.py: what the units' structure tests read from notebooks."""

from __future__ import annotations

import nbformat
import pytest
from unit_notebooks import (
    all_cells,
    cell_sources,
    cells_with_outputs,
    graded_code_cells,
    run_cell,
    solution_cells,
)


def _cell(kind: str, grade_id: str, source: str = "", **nbgrader):
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    cell = make(source)
    cell.metadata["nbgrader"] = {"grade_id": grade_id, **nbgrader}
    return cell


@pytest.fixture
def unit(tmp_path):
    """A unit folder with two notebooks: graded, solution, markdown and run cells."""
    first = nbformat.v4.new_notebook(cells=[
        _cell("code", "setup", "x = 1"),
        _cell("code", "ex_impl", "y = x + 1", solution=True),
        _cell("code", "ex_test", "submit('ex_test', y)", grade=True, points=2),
        _cell("markdown", "written", "Explain.", grade=True, solution=True),
    ])
    second = nbformat.v4.new_notebook(cells=[_cell("code", "ran", "z = 3")])
    second.cells[0].execution_count = 4
    second.cells[0].outputs = [nbformat.v4.new_output("stream", text="hi")]
    nbformat.write(first, tmp_path / "01_first.ipynb")
    nbformat.write(second, tmp_path / "02_second.ipynb")
    return tmp_path, ("01_first", "02_second")


def test_all_cells_reads_the_named_notebooks_in_order(unit):
    """Cells come notebook by notebook, in the order given."""
    folder, names = unit
    assert [c.metadata["nbgrader"]["grade_id"] for c in all_cells(folder, names)] == \
        ["setup", "ex_impl", "ex_test", "written", "ran"]
    assert [c.metadata["nbgrader"]["grade_id"] for c in all_cells(folder, names[1:])] == ["ran"]


def test_cell_sources_maps_grade_id_to_source(unit):
    """Each grade_id gives its cell's source."""
    folder, names = unit
    sources = cell_sources(folder, names)
    assert sources["ex_impl"] == "y = x + 1" and sources["ran"] == "z = 3"


def test_graded_code_cells_leave_out_markdown_and_ungraded_cells(unit):
    """Only graded code cells need an evaluator (a written answer is graded by hand)."""
    assert graded_code_cells(*unit) == {"ex_test"}


def test_solution_cells_include_written_answers(unit):
    """Every solution cell, code or markdown, is one a VARIANTS entry may replace."""
    assert solution_cells(*unit) == {"ex_impl", "written"}


def test_cells_with_outputs_names_run_cells(unit, tmp_path):
    """A cell with outputs or an execution count is named; a clean notebook names none."""
    assert cells_with_outputs(*unit) == ["ran"]
    assert cells_with_outputs(tmp_path, ("01_first",)) == []


def test_run_cell_runs_in_the_namespace_given():
    """run_cell executes in `ns`, sees its names and returns it."""
    ns = {"x": 2}
    assert run_cell("y = x * 3", ns) is ns
    assert ns["y"] == 6
