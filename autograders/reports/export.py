"""Grade export for learning-management systems: Moodle and Canvas CSV.

Moodle ("Import > CSV file" in the gradebook): one identifier column, mapped on import
to the user field "ID number" (we write the trainee id there), then one column per grade
item: ``<UNIT> points`` (numeric) and ``<UNIT> competency`` (text, importable as
feedback). Canvas ("Grades > Import"): the columns "Student", "ID", "SIS User ID",
"Section", then one column per assignment named ``<UNIT> (<canvas assignment id>)``,
and a second row "Points Possible". Canvas matches assignments by that id: pass the ids
from your own Canvas export (`canvas_ids`); without them, columns are numbered 1, 2, ...
and Canvas creates new assignments on import.

A unit whose grading did not finish for a trainee (timed out, kernel died, missing
notebook...) exports an empty points cell, never its partial points: both LMSs show
an empty cell as "not graded", which is the truth, while a number would read as a
final mark (and 0.0 as a real zero). Moodle's competency column says why.
"""

from __future__ import annotations

import csv
from pathlib import Path

from autograders.reports.competency import UnitDecision


def _by_trainee(decisions: list[UnitDecision]) -> tuple[list[str], list[str], dict]:
    units = sorted({d.unit for d in decisions})
    trainees = sorted({d.trainee_id for d in decisions})
    table = {(d.trainee_id, d.unit): d for d in decisions}
    return units, trainees, table


def _points(d: UnitDecision) -> float | str:
    """The exported mark: empty while grading is incomplete, else the points."""
    return "" if d.grading_incomplete else round(d.points, 2)


def moodle_rows(decisions: list[UnitDecision]) -> tuple[list[str], list[list]]:
    """Header and rows of the Moodle grade import file."""
    units, trainees, table = _by_trainee(decisions)
    header = ["ID number"]
    for u in units:
        header += [f"{u} points", f"{u} competency"]
    rows = []
    for t in trainees:
        row: list = [t]
        for u in units:
            d = table.get((t, u))
            row += ["", ""] if d is None else [_points(d), d.decision]
        rows.append(row)
    return header, rows


def canvas_rows(decisions: list[UnitDecision], canvas_ids: dict[str, int] | None = None,
                section: str = "") -> tuple[list[str], list[list]]:
    """Header and rows (first row: Points Possible) of the Canvas grade import file."""
    units, trainees, table = _by_trainee(decisions)
    ids = canvas_ids or {}
    header = ["Student", "ID", "SIS User ID", "Section"]
    header += [f"{u} ({ids.get(u, i + 1)})" for i, u in enumerate(units)]
    possible: list = ["Points Possible", "", "", ""]
    for u in units:
        maxima = [d.max_points for (t, uu), d in table.items() if uu == u]
        possible.append(max(maxima) if maxima else "")
    rows = [possible]
    for t in trainees:
        row: list = [t, "", t, section]
        for u in units:
            d = table.get((t, u))
            row.append("" if d is None else _points(d))
        rows.append(row)
    return header, rows


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    """Write a CSV with a header (UTF-8, as both LMSs expect)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_exports(out_dir: Path, decisions: list[UnitDecision],
                  canvas_ids: dict[str, int] | None = None) -> tuple[Path, Path]:
    """Write ``moodle-grades.csv`` and ``canvas-grades.csv``; returns both paths."""
    m = write_csv(out_dir / "moodle-grades.csv", *moodle_rows(decisions))
    c = write_csv(out_dir / "canvas-grades.csv", *canvas_rows(decisions, canvas_ids))
    return m, c
