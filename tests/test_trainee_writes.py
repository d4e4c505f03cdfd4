"""What a no-code trainee writes: at most one line per exercise, taking a widget's value.

Counted on the released notebooks of each unit, by the convention documented in
docs/grading-design.md ("What the trainee writes"):

* every solution cell (nbgrader ``solution: true``) carries the tag ``no_code`` or
  ``analyst`` (the optional code track, not counted);
* in a ``no_code`` cell, the source's solution regions hold the clicks that drive the
  widget (a call of a method of a view, ``view.choose(...)``, or setting one of its
  attributes, ``view.weight = 2``), which the trainee does with the mouse, and the lines
  the trainee writes: every other statement;
* an exercise is the run of cells up to and including its graded test cell; one with
  an ``analyst`` cell has a ``no_code`` cell too, and its ``no_code`` cells may ask for
  at most one written line, and that line takes a value:
  ``name = view.value`` (or a multiple-choice letter, ``answer_k1 = "b"``, which the
  source writes ``answer_k1 = shown_letter("answer_k1", "b")``);
* in the released notebook the solution region is gone (the trainee writes only there).
"""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import nbformat
import pytest

from autograders.sandbox.prepare import released_notebook

UNITS = Path(__file__).resolve().parents[1] / "course" / "units"
REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
TRACKS = ("no_code", "analyst")


def _is_click(stmt: ast.stmt) -> bool:
    """A statement standing for a click: view.method(...) or view.attr = value."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        return isinstance(stmt.value.func, ast.Attribute)
    if isinstance(stmt, ast.Assign):
        return all(isinstance(t, ast.Attribute) for t in stmt.targets)
    return False


def _takes_a_value(stmt: ast.stmt) -> bool:
    """True for `name = view.value`, `name = "<letter>"` or `name = shown_letter(...)`."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)):
        return False
    v = stmt.value
    if isinstance(v, ast.Attribute) and v.attr == "value" and isinstance(v.value, ast.Name):
        return True
    if isinstance(v, ast.Constant) and isinstance(v.value, str) and len(v.value) == 1:
        return True
    return isinstance(v, ast.Call) and getattr(v.func, "id", "") == "shown_letter"


def written_lines(source: str) -> list[str] | None:
    """The statements a trainee writes in a cell's solution regions (None: not Python)."""
    out: list[str] = []
    for region in REGION.findall(source):
        try:
            region = textwrap.dedent(region)
            tree = ast.parse(region)
        except SyntaxError:
            return None
        out += [ast.get_source_segment(region, s) or "" for s in tree.body if not _is_click(s)]
    return out


def violations(code: str) -> list[str]:
    """Every break of the convention in the unit's notebooks, each naming its cell."""
    found: list[str] = []
    for nb_path in sorted((UNITS / code).glob("*.ipynb")):
        source = nbformat.read(nb_path, as_version=4)
        released = released_notebook(source)
        written: list[tuple[str, str]] = []
        tracks: set[str] = set()
        for cell, rel in zip(source.cells, released.cells, strict=True):
            meta = cell.metadata.get("nbgrader", {})
            gid = meta.get("grade_id", "?")
            where = f"{nb_path.stem}:{gid}"
            if cell.cell_type == "code" and meta.get("solution"):
                tags = [t for t in cell.metadata.get("tags", []) if t in TRACKS]
                if not tags:
                    found.append(f"{where}: solution cell without a track tag "
                                 "(no_code or analyst)")
                if "### BEGIN SOLUTION" in rel.source:
                    found.append(f"{where}: the released cell still holds the solution")
                tracks.update(tags or ["no_code"])
                if "analyst" in tags:
                    continue
                lines = written_lines(cell.source)
                if lines is None:
                    found.append(f"{where}: solution region is not Python")
                    continue
                written += [(where, line) for line in lines]
            if meta.get("grade") and not meta.get("solution") and cell.cell_type == "code":
                found += _exercise_problems(where, written)
                if tracks == {"analyst"}:
                    found.append(f"{where}: only an analyst (code) track; add a no_code cell")
                written, tracks = [], set()
    return found


def _exercise_problems(test_cell: str, written: list[tuple[str, str]]) -> list[str]:
    """What breaks the one-value-line rule in one exercise (one message per exercise)."""
    bad = [(w, line) for w, line in written
           if not line.strip() or not _takes_a_value(ast.parse(line).body[0])]
    if len(written) <= 1 and not bad:
        return []
    first = (bad or written)[0]
    return [f"{test_cell}: a no-code trainee writes {len(written)} line(s), "
            f"{len(bad)} not taking a widget's value (first: {first[0]} "
            f"`{first[1].splitlines()[0][:50]}`)"]


@pytest.mark.parametrize("code", ["ITCSCR304A", "ITCSCR410A", "104917L3"])
def test_no_code_trainee_writes_at_most_one_line_per_exercise(code):
    """Each exercise asks a no-code trainee for at most one line, taking a widget's value."""
    problems = violations(code)
    assert not problems, f"{len(problems)} break(s) of the no-code convention:\n" + \
        "\n".join(problems)


def test_convention_counts_clicks_and_values():
    """Clicks are not counted; a value line is allowed; code that computes is counted."""
    src = ("### BEGIN SOLUTION\nview.choose('C1')\nview.weight = 2\nplan = view.value\n"
           "### END SOLUTION\n")
    assert written_lines(src) == ["plan = view.value"]
    assert _takes_a_value(ast.parse("plan = view.value").body[0])
    assert not _takes_a_value(ast.parse("plan = make_plan(world)").body[0])
    assert written_lines("### BEGIN SOLUTION\nx = 1\ny = f(x)\n### END SOLUTION\n") == \
        ["x = 1", "y = f(x)"]
