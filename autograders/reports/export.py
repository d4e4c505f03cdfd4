"""Grade export for learning-management systems: Moodle and Canvas CSV.

Moodle ("Import > CSV file" in the gradebook): one identifier column, mapped on import
to the user field "ID number" (we write the trainee id there), then one column per grade
item: ``<UNIT> points`` (numeric) and ``<UNIT> competency`` (text, importable as
feedback). Canvas ("Grades > Import"): the columns "Student", "ID", "SIS User ID",
"SIS Login ID", "Section", then one column per assignment named
``<UNIT> (<canvas assignment id>)``, and a second row "Points Possible" -- the layout of
the CSV Canvas's own gradebook export writes. Canvas matches assignments by that id:
give the ids from your Canvas course with ``crm-course report --canvas-id UNIT=ID`` or
in the course setting ``<course>/canvas.toml`` (``[assignment_ids]`` table, unit code =
id); a unit without an id gets a column with no id, which Canvas imports as a new
assignment.

A unit whose grading did not finish for a trainee (timed out, kernel died, missing
notebook...) or that waits for a manual grade exports an empty points cell, never its
partial points: both LMSs show
an empty cell as "not graded", which is the truth, while a number would read as a
final mark (and 0.0 as a real zero). Moodle's competency column says why.
"""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

from autograders.commands.errors import CourseError
from autograders.reports.competency import UnitDecision

CANVAS_SETTING = "canvas.toml"
CANVAS_FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def parse_canvas_ids(pairs: list[str]) -> dict[str, int]:
    """``["ITCSCR304A=1234", ...]`` -> ``{"ITCSCR304A": 1234}``.

    Raises:
        CourseError: a pair is not ``UNIT=ID`` with a positive whole-number id.
    """
    ids: dict[str, int] = {}
    for pair in pairs:
        unit, sep, raw = pair.partition("=")
        if not sep or not unit.strip() or not raw.strip().isdigit() or int(raw) <= 0:
            raise CourseError(f"--canvas-id {pair!r}: expected UNIT=ID with the assignment's "
                              "numeric Canvas id, e.g. --canvas-id ITCSCR304A=48213")
        ids[unit.strip()] = int(raw)
    return ids


def course_canvas_ids(root: Path) -> dict[str, int]:
    """Assignment ids from ``<course>/canvas.toml`` (``[assignment_ids]``); {} if absent.

    Raises:
        CourseError: the file is not TOML, or an id is not a positive integer.
    """
    path = Path(root) / CANVAS_SETTING
    if not path.exists():
        return {}
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("assignment_ids", {})
    except tomllib.TOMLDecodeError as exc:
        raise CourseError(f"{path}: not valid TOML ({exc}); fix the file or remove it") from exc
    return parse_canvas_ids([f"{k}={v}" for k, v in table.items()])


def _by_trainee(decisions: list[UnitDecision]) -> tuple[list[str], list[str], dict]:
    units = sorted({d.unit for d in decisions})
    trainees = sorted({d.trainee_id for d in decisions})
    table = {(d.trainee_id, d.unit): d for d in decisions}
    return units, trainees, table


def _points(d: UnitDecision) -> float | str:
    """The exported mark: empty while anything is pending, else the points.

    Pending covers grading that did not finish and a written answer still waiting for its
    manual grade: in both the points so far are not the trainee's mark.
    """
    return "" if d.grading_incomplete or d.pending else round(d.points, 2)


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
    header = list(CANVAS_FIXED)
    header += [f"{u} ({ids[u]})" if u in ids else u for u in units]
    possible: list = ["Points Possible", "", "", "", ""]
    for u in units:
        maxima = [d.max_points for (t, uu), d in table.items() if uu == u]
        possible.append(max(maxima) if maxima else "")
    rows = [possible]
    for t in trainees:
        # the trainee id is both the SIS user id and the login Canvas matches on
        row: list = [t, "", t, t, section]
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
