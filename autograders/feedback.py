"""Per-trainee feedback HTML: what ran, what each check said, what to fix.

Built from the feedback notebook the grader wrote (``autograded/``: the trainee's own
cells with the outputs they submitted, and each test cell's verdict), rendered with
nbconvert's HTMLExporter, with a verdict table on top. Defence in depth: whatever that
notebook holds, test cells are reset to their *released* source, and the course secret
or the trainee's hidden seed is removed before rendering. Hidden-test lines are not
searched for in the trainee's own text: what the page shows must not depend on whether
a line of theirs matches one. Evaluator evidence (which may describe hidden-seed results) is for
assessors and never appears here.
"""

from __future__ import annotations

import copy
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograders.commands.errors import CourseError
from autograders.course import Course, validate_trainee_id
from autograders.journal import StatusStore
from autograders.results import FEEDBACK_OUTPUTS_KEY, SUBMITTED_OUTPUTS

_HIDDEN = re.compile(r"#{3} BEGIN HIDDEN TESTS(.*?)#{3} END HIDDEN TESTS", re.S)
REMOVED = "[removed: grader-only material]"


def _src(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _gid(cell: dict[str, Any]) -> str | None:
    meta = cell.get("metadata", {})
    return meta.get("nbgrader", {}).get("grade_id") if isinstance(meta, dict) else None


def hidden_lines(source_nb: dict[str, Any]) -> list[str]:
    """Every non-trivial line inside a hidden-test region of a source notebook."""
    lines = []
    for cell in source_nb.get("cells", []):
        for block in _HIDDEN.findall(_src(cell)):
            lines += [ln.strip() for ln in block.splitlines() if len(ln.strip()) >= 6]
    return lines


def secret_needles(secret: str, trainee_id: str, unit: str) -> list[str]:
    """Strings that must never reach a trainee: the secret and their hidden seed."""
    needles = [secret] if secret else []
    try:
        from autograders.checks import hidden_seed

        needles.append(str(hidden_seed(secret, trainee_id, unit)))
    except Exception:  # noqa: BLE001, S110 - no crm_sim yet: the sandbox's fallback seed
        pass
    import hashlib

    digest = hashlib.sha256(f"{secret}\0{trainee_id}\0{unit}".encode()).digest()
    needles.append(str(int.from_bytes(digest[:4], "big")))
    return [n for n in needles if len(n) >= 4]


def scrub_text(text: str, needles: list[str]) -> str:
    """Replace every needle in a text by a removal marker."""
    for n in needles:
        if n in text:
            text = text.replace(n, REMOVED)
    return text


# Output types a browser would execute or render as markup. Trainee code controls its
# outputs, so feedback keeps only inert forms (plain text, raster images); a trainee's
# HTML or script must not run in the browser of an instructor opening their feedback.
_ACTIVE_MIME = ("text/html", "application/javascript", "text/javascript", "image/svg+xml",
                "text/markdown", "text/latex", "application/vnd.jupyter.widget-view+json")


def _inert(out: dict[str, Any]) -> dict[str, Any]:
    """An output with every active MIME bundle removed (text/plain stays)."""
    data = out.get("data")
    if not isinstance(data, dict):
        return out
    safe = {k: v for k, v in data.items() if k not in _ACTIVE_MIME and "javascript" not in k}
    if not safe:
        safe = {"text/plain": "[rich output removed from feedback]"}
    return {**out, "data": safe}


def sanitise(executed: dict[str, Any], released: dict[str, Any],
             needles: list[str]) -> dict[str, Any]:
    """A copy of the executed notebook safe to show the trainee.

    A notebook graded before feedback carried submitted outputs (no
    `FEEDBACK_OUTPUTS_KEY` in its metadata) holds grading-time outputs in the trainee's
    cells: those are dropped, not shown.
    """
    released_src = {_gid(c): _src(c) for c in released.get("cells", []) if _gid(c)}
    nb = copy.deepcopy(executed)
    meta_nb = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    own_outputs = meta_nb.get(FEEDBACK_OUTPUTS_KEY) == SUBMITTED_OUTPUTS
    for cell in nb.get("cells", []):
        gid = _gid(cell)
        meta = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(
            cell.get("metadata"), dict) else {}
        is_test = bool(gid and meta.get("grade") and not meta.get("solution"))
        if is_test and gid in released_src:
            cell["source"] = released_src[gid]
        if not is_test and not own_outputs:
            cell["outputs"] = []
        cell["source"] = scrub_text(_src(cell), needles)
        kept = []
        for out in cell.get("outputs", []) or []:
            blob = json.dumps(out, default=str)
            if any(n in blob for n in needles):
                kept.append({"output_type": "stream", "name": "stderr", "text": REMOVED + "\n"})
            else:
                kept.append(_inert(out))
        if cell.get("cell_type") == "code":
            cell["outputs"] = kept
    return nb


@dataclass
class FeedbackFile:
    """One written feedback page."""

    trainee_id: str
    unit: str
    notebook: str
    path: Path


def _verdict_table(row: dict[str, Any], needles: list[str]) -> str:
    result = row.get("result", {})
    head = (f"<h2>{html.escape(row['notebook'])}: {html.escape(row['status'])}</h2>"
            + (f"<p>{html.escape(scrub_text(row.get('reason', ''), needles))}</p>"
               if row.get("reason") else ""))
    rows = "".join(
        f"<tr><td>{html.escape(c['grade_id'])}</td><td>{c['points']:g} / "
        f"{c['max_points']:g}</td><td>{html.escape(c['status'])}</td>"
        f"<td>{html.escape(scrub_text(c.get('message', ''), needles))}</td></tr>"
        for c in result.get("cells", []))
    return (head + "<table border='1' cellpadding='4' style='border-collapse:collapse'>"
            "<tr><th>Check</th><th>Points</th><th>Status</th><th>What to fix</th></tr>"
            + rows + "</table>")


def write_feedback(course: Course, unit: str, *, secret: str | None = None,
                   trainee: str | None = None) -> list[FeedbackFile]:
    """Write ``feedback/<trainee>/<UNIT>/<nb>.html`` for every graded submission.

    Raises:
        CourseError: unknown unit, or no grading results for it (or for `trainee`).
    """
    from nbconvert import HTMLExporter
    from nbformat import from_dict

    codes = course.resolve_units(unit)
    secret = secret if secret is not None else course.read_secret()
    exporter = HTMLExporter(template_name="classic")
    written: list[FeedbackFile] = []
    for code in codes:
        with StatusStore(course.status_db_path) as store:
            rows = store.statuses(unit=code, trainee_id=trainee)
        rows = [r for r in rows if validate_trainee_id(r["trainee_id"]) is None
                and r["notebook"] != "*"]
        if not rows:
            who = f" for trainee {trainee!r}" if trainee else ""
            raise CourseError(f"no grading results for {code}{who}: run "
                              f"`crm-course grade {code}` first")
        for row in rows:
            tid, nb_name = row["trainee_id"], row["notebook"]
            # Only unguessable needles (the secret, the hidden seed). Hidden-test lines are
            # not matched: the page shows the trainee's own text, and blanking whichever
            # of their lines equals a hidden line would tell them which one it is.
            needles = secret_needles(secret, tid, code)
            rel_path = course.release_dir / code / f"{nb_name}.ipynb"
            released = json.loads(rel_path.read_text(encoding="utf-8")) \
                if rel_path.exists() else {}
            auto = course.autograded_dir / tid / code / f"{nb_name}.ipynb"
            body = "<p>No executed notebook is available for this submission.</p>"
            if auto.exists():
                executed = json.loads(auto.read_text(encoding="utf-8"))
                safe = sanitise(executed, released, needles)
                body, _ = exporter.from_notebook_node(from_dict(safe))
                body = scrub_text(body, needles)
            page = (f"<!doctype html><html><head><meta charset='utf-8'><title>Feedback: "
                    f"{html.escape(tid)} {html.escape(code)} {html.escape(nb_name)}</title>"
                    f"</head><body><h1>Feedback for {html.escape(tid)}, unit "
                    f"{html.escape(code)}</h1>{_verdict_table(row, needles)}<hr>")
            out = course.feedback_dir / tid / code / f"{nb_name}.html"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(page + body + "</body></html>", encoding="utf-8")
            written.append(FeedbackFile(tid, code, nb_name, out))
    return written
