"""Write every report of a course from its gradebook, status store and submissions.

Layout under ``<course>/reports/``: ``cohort.html`` (summary, chart, item analysis,
similarity), ``competency.csv``, ``<UNIT>/<trainee>.html`` (one printable record per
trainee per unit, with the assessor's sign-off block), ``items.csv``,
``similarity.csv``, ``moodle-grades.csv`` and ``canvas-grades.csv``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from autograders.commands.errors import CourseError
from autograders.course import Course, validate_trainee_id
from autograders.gradebook import read_scores
from autograders.journal import StatusStore
from autograders.observations import ObservationRecord, load_record, record_path
from autograders.reports.cohort import chart_png_base64, decision_counts, pass_rates
from autograders.reports.competency import UnitDecision, csv_rows, decide
from autograders.reports.evidence import choice_context, evidence_html
from autograders.reports.export import course_canvas_ids, write_exports
from autograders.reports.items import item_analysis, item_rows
from autograders.reports.similarity import (
    DEFAULT_THRESHOLD,
    MODEL_ANSWER,
    WORLD_NOTE,
    copied_pairs,
    merge_pairs,
    similar_pairs,
    similarity_rows,
)
from autograders.unitspec import UnitSpec, load_unit_spec, notebook_cells

TEMPLATES = Path(__file__).parent / "templates"


def environment() -> Environment:
    """Jinja2 environment over the report templates (HTML autoescaped)."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals["evidence_html"] = evidence_html
    return env


def cell_sources(nb_path: Path, grade_ids: set[str] | None = None) -> dict[str, str]:
    """grade_id -> source of the cells of a notebook file ({} if unreadable)."""
    try:
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        out = {}
        for cell in nb.get("cells", []):
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if gid and (grade_ids is None or gid in grade_ids):
                src = cell.get("source", "")
                out[gid] = "".join(src) if isinstance(src, list) else str(src)
        return out
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


@dataclass
class UnitData:
    """Everything the reports need about one unit."""

    code: str
    decisions: list[UnitDecision] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)
    answers: dict[str, dict[str, str]] = field(default_factory=dict)
    stubs: dict[str, str] = field(default_factory=dict)


def collect_unit(course: Course, code: str, trainee: str | None = None) -> UnitData:
    """Decisions for every trainee with a grading status on a unit."""
    unit_dir = course.unit_dir(code)
    spec = load_unit_spec(unit_dir)
    cells, _ = notebook_cells(unit_dir)
    solution_ids = {g for g, c in cells.items() if c.solution}
    manual_ids = {g for g, c in cells.items() if c.kind == "manual"}
    notebooks = course.notebooks(code)
    data = UnitData(code)
    for nb in notebooks:
        data.stubs.update(cell_sources(course.release_dir / code / f"{nb}.ipynb", solution_ids))
    with StatusStore(course.status_db_path) as store:
        rows = store.statuses(unit=code, trainee_id=trainee)
    scores = read_scores(course, code)
    by_trainee: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["status"] == "invalid_trainee":
            data.refused.append(row)
        else:
            by_trainee.setdefault(row["trainee_id"], []).append(row)
    for tid in sorted(by_trainee):
        answers: dict[str, str] = {}
        if validate_trainee_id(tid) is None:
            for nb in notebooks:
                answers.update(cell_sources(course.submitted_dir / tid / code / f"{nb}.ipynb",
                                            solution_ids))
        data.answers[tid] = answers
        data.decisions.append(decide(
            spec, tid, by_trainee[tid], scores.get(tid, {}),
            notebook_of={g: c.notebook for g, c in cells.items()},
            answers={g: a for g, a in answers.items() if g in manual_ids},
            expected_notebooks=notebooks, observation=_observation(course, spec, tid)))
    return data


def _observation(course: Course, spec: UnitSpec, trainee: str) -> ObservationRecord | None:
    """The assessor's observation record of a trainee on a unit (None: none, or no items)."""
    if not spec.observations or validate_trainee_id(trainee) is not None:
        return None
    return load_record(record_path(course.root, trainee, spec.code))


def _evidence_by_trainee(decisions: list[UnitDecision]) -> dict[str, dict[str, dict]]:
    """Each trainee's grading evidence by grade_id, for the fingerprint comparison."""
    return {d.trainee_id: {c.grade_id: c.evidence for cr in d.criteria for c in cr.cells}
            for d in decisions}


def _flag_shared_answers(pairs: list, decisions: list[UnitDecision]) -> None:
    """Mark, in both trainees' records, cells whose function or query is the same."""
    cells = {(d.unit, d.trainee_id, c.grade_id): c
             for d in decisions for cr in d.criteria for c in cr.cells}
    for p in pairs:
        if "syntax tree" not in p.basis:
            continue
        for gid in p.identical_cells:
            for me, other in ((p.trainee_a, p.trainee_b), (p.trainee_b, p.trainee_a)):
                cell = cells.get((p.unit, me, gid))
                if cell is not None and MODEL_ANSWER not in (me, other):
                    cell.flag_same_as(other)


def _write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = columns or (list(rows[0]) if rows else [])
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=cols)
        writer.writeheader()
        writer.writerows(rows)
    return path


@dataclass
class ReportFiles:
    """Paths of what `write_reports` wrote."""

    cohort_html: Path | None = None
    competency_csv: Path | None = None
    trainee_html: list[Path] = field(default_factory=list)
    other: list[Path] = field(default_factory=list)


def write_reports(course: Course, *, trainee: str | None = None,
                  formats: tuple[str, ...] = ("csv", "html"), units: list[str] | None = None,
                  similarity_threshold: float = DEFAULT_THRESHOLD,
                  canvas_ids: dict[str, int] | None = None) -> ReportFiles:
    """Write the competency, cohort, item, export and similarity reports.

    Args:
        course: the course.
        trainee: only this trainee's records (the cohort files are still complete).
        formats: any of "csv", "html".
        units: unit codes (default: every unit with notebooks).
        similarity_threshold: mean similarity at which a pair is flagged.
        canvas_ids: unit -> Canvas assignment id for the Canvas export (default: the
            course's ``canvas.toml``, see `autograders.reports.export.course_canvas_ids`).

    Raises:
        CourseError: unknown format, or `trainee` has no grading result.
    """
    bad = [f for f in formats if f not in ("csv", "html")]
    if bad:
        raise CourseError(f"unknown report format {bad[0]!r}: use csv or html")
    codes = units or course.unit_codes()
    all_data = [collect_unit(course, code) for code in codes]
    decisions = [d for ud in all_data for d in ud.decisions]
    if trainee is not None and not any(d.trainee_id == trainee for d in decisions):
        known = sorted({d.trainee_id for d in decisions})
        shown = ", ".join(known[:10]) + (" ..." if len(known) > 10 else "")
        raise CourseError(f"trainee {trainee!r} not found in the grading results; "
                          f"graded trainees: {shown or 'none (run crm-course grade first)'}")
    out = course.reports_dir
    out.mkdir(parents=True, exist_ok=True)
    files = ReportFiles()
    generated = datetime.now(UTC).replace(microsecond=0).isoformat()
    env = environment()
    selected = [d for d in decisions if trainee is None or d.trainee_id == trainee]
    links: dict[tuple[str, str], str] = {}
    for d in decisions:
        links[(d.trainee_id, d.unit)] = f"{d.unit}/{d.trainee_id}.html"
    pairs = [p for ud in all_data for p in merge_pairs(
        similar_pairs(ud.code, ud.answers, ud.stubs, similarity_threshold),
        copied_pairs(ud.code, _evidence_by_trainee(ud.decisions)))]
    _flag_shared_answers(pairs, decisions)     # before the records are written
    if "html" in formats:
        tpl = env.get_template("competency.html.j2")
        choices = {code: choice_context(course.unit_dir(code), course.release_dir / code,
                                        load_unit_spec(course.unit_dir(code)).evaluators)
                   for code in {d.unit for d in selected}}
        for d in selected:
            path = out / links[(d.trainee_id, d.unit)]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(tpl.render(d=d, generated_at=generated, choices=choices[d.unit]),
                            encoding="utf-8")
            files.trainee_html.append(path)
    items = item_analysis(decisions)
    refused = [r for ud in all_data for r in ud.refused]
    if "csv" in formats:
        # the cohort file always lists everyone: `--trainee` only narrows the records
        files.competency_csv = _write_csv(out / "competency.csv", csv_rows(decisions))
        files.other.append(_write_csv(out / "items.csv", item_rows(items),
                                      ["unit", "grade_id", "criterion", "max_points",
                                       "attempted", "failed", "fail_rate", "mean_points",
                                       "top_failure_messages"]))
        files.other.append(_write_csv(out / "similarity.csv", similarity_rows(pairs),
                                      ["unit", "trainee_a", "trainee_b", "score",
                                       "cells_compared", "identical_cells", "basis"]))
        ids = course_canvas_ids(course.root) | (canvas_ids or {})
        files.other.extend(write_exports(out, decisions, ids))
    if "html" in formats:
        rates = pass_rates(decisions)
        criteria_ids = sorted({c.id for d in decisions for c in d.criteria},
                              key=lambda s: (len(s), s))
        listed = [(p.name, p.relative_to(out).as_posix()) for p in
                  [files.competency_csv, *files.other] if p is not None]
        html = env.get_template("cohort.html.j2").render(
            generated_at=generated, course_root=str(course.root), counts=decision_counts(
                decisions), rates=rates, chart=chart_png_base64(rates), decisions=decisions,
            criteria_ids=criteria_ids, links=links, items=items, pairs=pairs,
            threshold=similarity_threshold, world_note=WORLD_NOTE, refused=refused,
            files=listed)
        files.cohort_html = out / "cohort.html"
        files.cohort_html.write_text(html, encoding="utf-8")
    return files
