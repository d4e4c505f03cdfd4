"""Per-trainee feedback HTML: what ran, what each check said, what to fix.

Built from the feedback notebook the grader wrote (``autograded/``: the trainee's own
cells with the outputs they submitted, and each test cell's verdict) by nbgrader's own
``generate_feedback`` (nbconvert HTML, nbgrader's feedback template, nbgrader's paths),
with the project's verdict table on top: formgrader's "Generate Feedback" runs the same
exporter from ``nbgrader_config.py`` and writes the same files. Defence in depth: whatever that
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

try:
    from nbformat import from_dict
    from nbformat.v4 import new_markdown_cell
except ImportError:  # pragma: no cover - nbformat comes with nbgrader
    from_dict = new_markdown_cell = None  # type: ignore[assignment]

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


WIDGET_NOTE = "[an interactive widget was shown here; it works only in the notebook]"


def _inert(out: dict[str, Any]) -> dict[str, Any]:
    """An output with every active MIME bundle removed (text/plain stays)."""
    data = out.get("data")
    if not isinstance(data, dict):
        return out
    if "application/vnd.jupyter.widget-view+json" in data:
        # a widget's text/plain is its Python repr (VBox(children=...)): say what it was
        return {**out, "data": {"text/plain": WIDGET_NOTE}}
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
    return (head + "<table class='table table-condensed table-bordered crm-verdicts'>"
            "<tr><th>Check</th><th>Points</th><th>Status</th><th>What to fix</th></tr>"
            + rows + "</table>")


# long check messages wrap instead of scrolling sideways (laptop screens, print)
_WRAP_CSS = ("<style>div.output_area pre, div.output_text pre {white-space: pre-wrap; "
             "word-break: break-word;}</style>")

# nbconvert's templates load MathJax from a CDN; a course may run offline (a classroom
# server, an exam room). The page gets a stand-in that answers MathJax's calls, so
# scripts expecting it keep working and nothing is fetched; formulas show as typed.
_CDN_MATHJAX = re.compile(r'<script[^>]*src="https?://[^"]*mathjax[^"]*"[^>]*>\s*</script>',
                          re.I)
MATHJAX_OFFLINE = (
    "<script>/* MathJax offline stand-in: nothing is loaded from the internet */"
    "window.MathJax=window.MathJax||{Hub:{Config:function(){},Queue:function(){},"
    "Typeset:function(){},Configured:function(){},Register:{StartupHook:function(){}},"
    "Startup:{signal:{Interest:function(f){try{f('End');}catch(e){}}}}}};</script>")


def offline_html(page: str) -> str:
    """The page with any CDN MathJax script replaced by the offline stand-in."""
    return _CDN_MATHJAX.sub(lambda _m: MATHJAX_OFFLINE, page)


def _course_root(exporter: Any, resources: dict[str, Any]) -> Path | None:
    """The course root of a feedback conversion: the converter's, else the gradebook's."""
    coursedir = getattr(getattr(exporter, "parent", None), "coursedir", None)
    if coursedir is not None and getattr(coursedir, "root", None):
        return Path(coursedir.root)
    url = str(resources.get("nbgrader", {}).get("db_url", ""))
    return Path(url.removeprefix("sqlite:///")).parent if url.startswith("sqlite:///") \
        else None


def _status_row(course: Course, tid: str, code: str, nb_name: str) -> dict[str, Any] | None:
    if not course.status_db_path.exists():
        return None
    with StatusStore(course.status_db_path) as store:
        rows = store.statuses(unit=code, trainee_id=tid)
    return next((r for r in rows if r["notebook"] == nb_name), None)


def _make_feedback_exporter():
    from nbconvert import HTMLExporter

    class FeedbackExporter(HTMLExporter):
        """nbgrader's feedback HTML, made safe and readable for the trainee.

        Set as ``GenerateFeedback.exporter_class`` in the course's
        ``nbgrader_config.py`` (and by `write_feedback`), so formgrader's "Generate
        Feedback" and ``crm-course feedback`` write the same page to the same path.
        Before nbgrader's own preprocessors and template run, the notebook is
        sanitised (released test cells, no secret or hidden seed, inert outputs) and
        the project's verdict table becomes its first cell; the page then gets the
        offline MathJax stand-in and a last scrub of the secret needles.
        """

        def from_notebook_node(self, nb, resources=None, **kw):
            resources = resources if resources is not None else {}
            info = resources.get("nbgrader", {})
            root = _course_root(self, resources)
            needles: list[str] = []
            if root is not None and info.get("student"):
                course = Course(root)
                tid, code, nb_name = info["student"], info["assignment"], info["notebook"]
                try:
                    needles = secret_needles(course.read_secret(), tid, code)
                except CourseError:
                    needles = []
                rel = course.release_dir / code / f"{nb_name}.ipynb"
                released = json.loads(rel.read_text(encoding="utf-8")) if rel.exists() else {}
                nb = from_dict(sanitise(nb, released, needles))
                row = _status_row(course, tid, code, nb_name)
                if row is not None:
                    nb.cells.insert(0, new_markdown_cell(
                        _WRAP_CSS + f"<h1>Feedback for {html.escape(tid)}, unit {html.escape(code)}"
                        f"</h1>{_verdict_table(row, needles)}<hr>"))
            output, resources = super().from_notebook_node(nb, resources, **kw)
            return scrub_text(offline_html(output), needles), resources

    return FeedbackExporter


def __getattr__(name: str):
    """`FeedbackExporter` is built on first use (nbconvert loads only when needed)."""
    if name == "FeedbackExporter":
        cls = _make_feedback_exporter()
        globals()["FeedbackExporter"] = cls
        return cls
    raise AttributeError(name)


EXPORTER_PATH = "autograders.feedback.FeedbackExporter"


def _fallback_page(tid: str, code: str, row: dict[str, Any], needles: list[str]) -> str:
    """The page for a submission with no executed notebook (missing, unreadable...)."""
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Feedback: "
            f"{html.escape(tid)} {html.escape(code)} {html.escape(row['notebook'])}</title>"
            f"</head><body><h1>Feedback for {html.escape(tid)}, unit {html.escape(code)}</h1>"
            f"{_verdict_table(row, needles)}<hr>"
            "<p>No executed notebook is available for this submission.</p></body></html>")


def write_feedback(course: Course, unit: str, *, secret: str | None = None,
                   trainee: str | None = None) -> list[FeedbackFile]:
    """Write ``feedback/<trainee>/<UNIT>/<nb>.html`` for every graded submission.

    The pages are made by nbgrader's own ``generate_feedback`` (its converter, template
    and paths) with `FeedbackExporter`, exactly as formgrader's "Generate Feedback"
    makes them from the course's ``nbgrader_config.py``: one set of files, one look.
    A submission with no executed notebook gets a short page with its verdicts.

    Raises:
        CourseError: unknown unit, no grading results for it (or for `trainee`), or
            nbgrader could not write a page.
    """
    from traitlets.config import Config

    codes = course.resolve_units(unit)
    secret = secret if secret is not None else course.read_secret()
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
        executed = [r for r in rows if (course.autograded_dir / r["trainee_id"] / code /
                                        f"{r['notebook']}.ipynb").exists()]
        if executed:
            api = course.nbgrader_api()
            cfg = Config()
            cfg.GenerateFeedback.exporter_class = EXPORTER_PATH
            api.update_config(cfg)
            for tid in sorted({r["trainee_id"] for r in executed}):
                outcome = api.generate_feedback(code, student_id=tid, force=True)
                if not outcome.get("success"):
                    raise CourseError(f"nbgrader could not write feedback for {tid}, {code}: "
                                      f"{_last_line(outcome)}")
        for row in rows:
            tid, nb_name = row["trainee_id"], row["notebook"]
            out = course.feedback_dir / tid / code / f"{nb_name}.html"
            if row not in executed:
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(_fallback_page(tid, code, row,
                                              secret_needles(secret, tid, code)),
                               encoding="utf-8")
            if out.exists():
                written.append(FeedbackFile(tid, code, nb_name, out))
    return written


def _last_line(outcome: dict[str, Any]) -> str:
    text = (outcome.get("error") or outcome.get("log") or "no detail").strip()
    return text.splitlines()[-1] if text else "no detail"
