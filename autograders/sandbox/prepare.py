"""Before execution: read the submission defensively, check integrity, restore test cells.

Trust runs one way. The *source* notebook (instructor's, with solutions and hidden tests)
is trusted; the submission is not. From the source we compute what was released
(`released_notebook`: nbgrader's ClearSolutions + ClearHiddenTests) and compare every
locked / test cell of the submission to it by grade_id and nbgrader checksum. The
notebook that runs is then the trainee's cells with every locked and test cell replaced
by the source version (hidden tests included), each test cell's ``submit(...)`` carrying
a fresh nonce that appears nowhere else.
"""

from __future__ import annotations

import ast
import copy
import errno
import json
import os
import re
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions
from nbgrader.utils import compute_checksum, is_grade, is_locked, is_solution

from autograders.sandbox.limits import Limits

HIDDEN_BEGIN, HIDDEN_END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
SOLUTION_BEGIN, SOLUTION_END = "BEGIN SOLUTION", "END SOLUTION"


class SubmissionProblem(Exception):
    """The submission cannot be graded at all; carries the submission status and reason."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass
class TestCell:
    """A graded test cell of the source, and what integrity checking found about it."""

    grade_id: str
    points: float
    released_source: str
    nonce: str = ""
    exec_index: int | None = None     # index in the executed notebook (None: not run)
    problem: str | None = None        # "tampered" | "deleted" | None
    message: str = ""
    has_submit: bool = False


@dataclass
class ManualCell:
    """A manually graded answer cell (grade + solution): waits for an instructor."""

    grade_id: str
    points: float
    answer: str
    cell_type: str


@dataclass
class Prepared:
    """The notebook to execute and everything the grader must remember about it."""

    notebook: dict[str, Any]
    tests: dict[str, TestCell]
    manual: list[ManualCell]
    notes: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)   # per exec cell: grade_id or "#<n>"
    restored: set[int] = field(default_factory=set)   # exec indices restored from source
    released: dict[str, str] = field(default_factory=dict)  # grade_id -> released source
    secrets: list[str] = field(default_factory=list)  # hidden-test / solution lines
    # exec index -> the outputs the trainee's own cell had in the submitted file; for the
    # feedback only (never executed, never graded): see `submitted_outputs`
    submitted_outputs: dict[int, list] = field(default_factory=dict)


# --------------------------------------------------------------------------- reading
def read_source(path: Path) -> NotebookNode:
    """Read the trusted source notebook (course files: errors here are authoring bugs)."""
    return nbformat.read(str(path), as_version=4)


def read_submission(path: Path | None, limits: Limits) -> tuple[NotebookNode, list[str]]:
    """Read a submission without trusting it: size cap, JSON, notebook shape, v3 upgrade.

    Returns:
        (notebook v4, notes) -- notes such as "upgraded from nbformat 3".

    Raises:
        SubmissionProblem: "missing" or "invalid_notebook" with a reason a trainee can act on.
    """
    raw = _read_capped(path, limits.submission_bytes)
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SubmissionProblem("invalid_notebook",
                                "the file is not text (UTF-8); submit the .ipynb file") from None
    except json.JSONDecodeError as exc:
        raise SubmissionProblem(
            "invalid_notebook", f"the file is not valid notebook JSON (line {exc.lineno}, "
            f"column {exc.colno}: {exc.msg}); re-download your notebook from Jupyter") from None
    except RecursionError:
        raise SubmissionProblem("invalid_notebook",
                                "the file's JSON is nested too deeply") from None
    if not isinstance(data, dict) or not isinstance(data.get("nbformat"), int):
        raise SubmissionProblem("invalid_notebook",
                                "the file is JSON but not a Jupyter notebook (no nbformat)")
    notes: list[str] = []
    major = data["nbformat"]
    if major not in (3, 4):
        raise SubmissionProblem("invalid_notebook",
                                f"nbformat {major} is not supported; save it with Jupyter 4+")
    try:
        nb = nbformat.from_dict(data)
        if major == 3:
            nb = nbformat.convert(nb, 4)
            notes.append("the notebook was in the old nbformat 3 and was upgraded to 4")
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds on bad shapes
        raise SubmissionProblem(
            "invalid_notebook", f"the notebook structure is broken ({type(exc).__name__})"
        ) from None
    return _sanitise(nb), notes


def _read_capped(path: Path | None, cap: int) -> bytes:
    """The submission's bytes: a regular file, not a symlink or FIFO, at most `cap` bytes.

    A symlink could point the (root) grader at the instructor's source notebook and hand
    in the model answers; a FIFO would block forever. Both are refused, checked on the
    opened descriptor so the file cannot be swapped in between.
    """
    if path is None or not os.path.lexists(path):
        raise SubmissionProblem("missing", "no submission file was found for this notebook")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SubmissionProblem("invalid_notebook", "the submission is a symbolic link, "
                                    "not a notebook file; submit the .ipynb itself") from None
        raise SubmissionProblem("invalid_notebook",
                                f"the submission cannot be opened ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SubmissionProblem("invalid_notebook", "the submission is not a regular file")
        if info.st_size == 0:
            raise SubmissionProblem("invalid_notebook", "the submitted file is empty")
        if info.st_size > cap:
            raise SubmissionProblem(
                "invalid_notebook", f"the submitted file is {info.st_size:,} bytes; the limit "
                f"is {cap:,}. Clear all outputs (Edit > Clear All Outputs) and submit again")
        with os.fdopen(os.dup(fd), "rb") as fh:
            return fh.read(cap + 1)
    finally:
        os.close(fd)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    return ""


OWN_OUTPUTS_KEY = "submitted_outputs"   # not an nbformat key: never copied into a run
OWN_OUTPUT_TEXT = 20_000                 # characters of one submitted output's text
OWN_OUTPUTS_CELL = 20                    # submitted outputs kept per cell
OWN_OUTPUTS_TOTAL = 1_000_000            # characters of submitted outputs per notebook
_INERT_MIME = ("text/plain", "image/png", "image/jpeg")


def submitted_outputs(outputs: Any) -> list[dict[str, Any]]:
    """The outputs a trainee's cell had in the submitted file, as the feedback may show them.

    Why keep them at all: the feedback shows a trainee their own cells with the outputs
    *they* submitted, never outputs produced at grading time (those could carry anything
    the kernel read, and redacting them would tell which printed line matched a key).
    Only inert shapes stay (stream text, plain text, raster images), each capped.
    """
    kept: list[dict[str, Any]] = []
    for out in outputs if isinstance(outputs, list) else []:
        if len(kept) >= OWN_OUTPUTS_CELL or not isinstance(out, dict):
            continue
        kind = out.get("output_type")
        if kind == "stream":
            name = out.get("name") if out.get("name") in ("stdout", "stderr") else "stdout"
            kept.append({"output_type": "stream", "name": name,
                         "text": _text(out.get("text"))[:OWN_OUTPUT_TEXT]})
        elif kind in ("display_data", "execute_result"):
            data = out.get("data") if isinstance(out.get("data"), dict) else {}
            safe = {m: _text(data[m])[:OWN_OUTPUT_TEXT] for m in _INERT_MIME
                    if isinstance(data.get(m), (str, list))}
            if not safe:
                continue
            made = {"output_type": kind, "data": safe, "metadata": {}}
            if kind == "execute_result":
                made["execution_count"] = None
            kept.append(made)
        elif kind == "error":
            kept.append({"output_type": "error", "ename": _text(out.get("ename"))[:200],
                         "evalue": _text(out.get("evalue"))[:2000], "traceback": []})
    return kept


def _sanitise(nb: Any) -> NotebookNode:
    """Keep what grading uses (cell type, source, nbgrader metadata) and, apart, own outputs.

    A code cell's outputs are never kept as outputs: a copy of their inert part goes
    under `OWN_OUTPUTS_KEY` for the feedback, which `prepare` never copies into the run.
    """
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise SubmissionProblem("invalid_notebook", "the notebook has no list of cells")
    clean = []
    budget = OWN_OUTPUTS_TOTAL
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            continue
        meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        nbg = meta.get("nbgrader") if isinstance(meta.get("nbgrader"), dict) else None
        new_meta: dict[str, Any] = {}
        if nbg is not None:
            new_meta["nbgrader"] = _clean_nbgrader(nbg)
        made = {"cell_type": cell["cell_type"], "metadata": new_meta,
                "source": _text(cell.get("source"))}
        if cell["cell_type"] == "code":
            made.update(outputs=[], execution_count=None)
            own = submitted_outputs(cell.get("outputs"))
            size = len(json.dumps(own))
            if size > budget:
                own = [{"output_type": "stream", "name": "stderr", "text": (
                    "[outputs not shown: the notebook's outputs are larger than feedback "
                    "keeps]\n")}] if own else []
            budget -= min(size, budget)
            made[OWN_OUTPUTS_KEY] = own
        clean.append(made)
    return nbformat.from_dict({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                               "cells": clean})


def _clean_nbgrader(nbg: dict) -> dict:
    out: dict[str, Any] = {}
    for key in ("grade", "solution", "locked", "task"):
        if key in nbg:
            out[key] = bool(nbg[key]) if isinstance(nbg[key], (bool, int)) else nbg[key]
    if isinstance(nbg.get("grade_id"), str):
        out["grade_id"] = nbg["grade_id"]
    pts = nbg.get("points")
    if isinstance(pts, (int, float)) and not isinstance(pts, bool):
        out["points"] = pts
    elif pts is not None:
        out["points"] = str(pts)[:40]
    out["schema_version"] = 3
    return out


# --------------------------------------------------------------------------- released view
def released_notebook(source: NotebookNode,
                      languages: tuple[str, ...] = ("en",)) -> NotebookNode:
    """What trainees were given: the source with solutions and hidden tests removed.

    Answer cells get the project's stubs (`autograders.answer_stub`) in `languages`, as
    `crm-course release` writes them; only locked and test cells are compared with a
    submission, so the stubs' language never changes a grade.
    """
    from autograders.answer_stub import clear_solutions_config

    nb = copy.deepcopy(source)
    resources: dict[str, Any] = {}
    nb, resources = ClearSolutions(**clear_solutions_config(languages)).preprocess(
        nb, resources)
    nb, resources = ClearHiddenTests().preprocess(nb, resources)
    return nb


def _gid(cell: Any) -> str | None:
    nbg = cell.get("metadata", {}).get("nbgrader")
    if isinstance(nbg, dict) and isinstance(nbg.get("grade_id"), str) and nbg["grade_id"]:
        return nbg["grade_id"]
    return None


def _norm(source: str) -> str:
    """Source with trailing whitespace ignored (it cannot change what the cell does)."""
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def _safe_checksum(cell: Any) -> str | None:
    try:
        return compute_checksum(cell)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _same(sub_cell: Any, rel_cell: Any) -> bool:
    """Unchanged = same nbgrader checksum, or same flags and source up to trailing spaces."""
    cs = _safe_checksum(sub_cell)
    if cs is not None and cs == _safe_checksum(rel_cell):
        return True
    return (sub_cell.get("cell_type") == rel_cell.get("cell_type")
            and _norm(sub_cell.get("source", "")) == _norm(rel_cell.get("source", ""))
            and bool(is_grade(sub_cell)) == bool(is_grade(rel_cell))
            and bool(is_solution(sub_cell)) == bool(is_solution(rel_cell))
            and _points(sub_cell) == _points(rel_cell))


def _points(cell: Any) -> float:
    pts = cell.get("metadata", {}).get("nbgrader", {}).get("points", 0)
    try:
        return float(pts)
    except (TypeError, ValueError):
        return float("nan")


def _secret_lines(source: NotebookNode) -> list[str]:
    """Lines of hidden-test and solution regions: must never appear in feedback."""
    found: list[str] = []
    for cell in source.cells:
        inside = False
        for line in cell.source.splitlines():
            if HIDDEN_BEGIN in line or SOLUTION_BEGIN in line:
                inside = True
                continue
            if HIDDEN_END in line or SOLUTION_END in line:
                inside = False
                continue
            if inside and len(line.strip()) >= 12:
                found.append(line.strip())
    return found


# --------------------------------------------------------------------------- nonces
_SUBMIT_NAMES = {"submit"}


def insert_nonce(source: str, grade_id: str, nonce: str) -> tuple[str, bool]:
    """Rewrite every ``submit(<grade_id literal>, ...)`` call in a test cell to pass `nonce`.

    The test cell is trusted (it comes from the source). If it uses IPython syntax that
    `ast` cannot parse, it is first turned into plain Python by IPython's own transformer.

    Returns:
        (new source, whether any submit call for this grade_id was found).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return source, False
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        fn = node.func
        name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(
            fn, ast.Attribute) else None
        if name not in _SUBMIT_NAMES or not node.args:
            continue
        first = node.args[0]
        if isinstance(first, ast.Constant) and first.value == grade_id:
            calls.append(node)
    if not calls:
        return source, False
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line.encode("utf-8")))
    data = source.encode("utf-8")
    # Insert right after the call's last argument (never inside a trailing comment), from
    # the end of the source so earlier offsets stay valid.
    ends = []
    for node in calls:
        last = max([*node.args, *node.keywords], key=lambda a: (a.end_lineno, a.end_col_offset))
        ends.append(offsets[last.end_lineno - 1] + last.end_col_offset)
    for end in sorted(ends, reverse=True):
        data = data[:end] + f', nonce="{nonce}"'.encode() + data[end:]
    return data.decode("utf-8"), True


# --------------------------------------------------------------------------- the build
def prepare(source: NotebookNode, submission: NotebookNode) -> Prepared:
    """Check integrity and build the notebook to execute.

    Raises:
        SubmissionProblem: "wrong_unit" when no grade_id of the submission belongs here.
    """
    released = released_notebook(source)
    src_by_gid: dict[str, tuple[Any, Any]] = {}
    for s_cell, r_cell in zip(source.cells, released.cells, strict=True):
        gid = _gid(s_cell)
        if gid is not None and gid not in src_by_gid:
            src_by_gid[gid] = (s_cell, r_cell)

    sub_gids = [_gid(c) for c in submission.cells]
    known = [g for g in sub_gids if g in src_by_gid]
    if src_by_gid and not known:
        raise SubmissionProblem(
            "wrong_unit", "none of this notebook's cells belong to this unit's notebook "
            "(no matching grade_id); check that you submitted the right file")

    tests: dict[str, TestCell] = {}
    manual: list[ManualCell] = []
    for gid, (s_cell, r_cell) in src_by_gid.items():
        if is_grade(s_cell) and not is_solution(s_cell) and s_cell.cell_type == "code":
            tests[gid] = TestCell(gid, _points(s_cell), r_cell.source)
    notes: list[str] = []
    counts: dict[str, int] = {}
    for g in sub_gids:
        if g is not None:
            counts[g] = counts.get(g, 0) + 1

    # Which submission cells are unknown ids that look like a renamed locked cell?
    missing_locked = {g for g, (s, _) in src_by_gid.items()
                      if is_locked(s) and counts.get(g, 0) == 0}
    renamed: dict[int, str] = {}    # submission index -> source grade_id it really is
    for i, cell in enumerate(submission.cells):
        g = sub_gids[i]
        if g is None or g in src_by_gid:
            continue
        for miss in sorted(missing_locked):
            r_cell = src_by_gid[miss][1]
            if _norm(cell.source) == _norm(r_cell.source) and cell.cell_type == r_cell.cell_type:
                renamed[i] = miss
                missing_locked.discard(miss)
                break

    cells_out: list[dict[str, Any]] = []
    own: dict[int, list] = {}
    labels: list[str] = []
    restored: set[int] = set()
    seen: set[str] = set()
    for i, cell in enumerate(submission.cells):
        g = renamed.get(i, sub_gids[i])
        if g is not None and g in src_by_gid:
            s_cell, r_cell = src_by_gid[g]
            if g in seen:
                # a copy of a cell already placed: never run twice, and say so
                notes.append(f"cell {g!r} appears {counts.get(g, 0)} times; only the first "
                             "copy was used")
                continue
            seen.add(g)
            if g in tests and counts.get(g, 0) > 1 and any(
                    not _same(c, r_cell) for c, cg in zip(submission.cells, sub_gids,
                                                          strict=True) if cg == g):
                _mark(tests[g], "tampered", f"test cell {g!r} was duplicated and a copy was "
                      "edited; test cells must stay as released")
            if i in renamed:
                msg = (f"cell {g!r}: its grade_id was changed to {sub_gids[i]!r}; "
                       "cell ids must stay as released")
                if g in tests:
                    _mark(tests[g], "tampered", "test " + msg)
                else:
                    notes.append(msg + " (the original was restored)")
            if is_locked(s_cell):
                if i not in renamed and not _same(cell, r_cell):
                    if g in tests:
                        _mark(tests[g], "tampered", f"test cell {g!r} was edited; test cells "
                              "must stay as released (it was restored and scores 0)")
                    else:
                        notes.append(f"locked cell {g!r} was edited; the original was restored")
                new = _restored_cell(s_cell)
                if g in tests:
                    t = tests[g]
                    t.nonce = secrets.token_hex(16)
                    new["source"], t.has_submit = insert_nonce(s_cell.source, g, t.nonce)
                    t.exec_index = len(cells_out)
                restored.add(len(cells_out))
                cells_out.append(new)
                labels.append(g)
                continue
            if is_solution(s_cell) and is_grade(s_cell):
                manual.append(ManualCell(g, _points(s_cell), cell.source[:20000], cell.cell_type))
            # an answer cell: the trainee's source, with the source cell's type and metadata
            own[len(cells_out)] = list(cell.get(OWN_OUTPUTS_KEY) or [])
            cells_out.append(_answer_cell(s_cell, cell.source))
            labels.append(g)
            continue
        # a cell the trainee added (or an unknown id): runs as written, never as a test
        added = {"cell_type": cell.cell_type, "metadata": {}, "source": cell.source}
        if cell.cell_type == "code":
            added.update(outputs=[], execution_count=None)
            own[len(cells_out)] = list(cell.get(OWN_OUTPUTS_KEY) or [])
        cells_out.append(added)
        labels.append(f"#{len(cells_out)}")

    for gid, t in tests.items():
        if gid not in seen:
            _mark(t, "deleted", f"test cell {gid!r} is missing from the submission; "
                  "test cells must not be deleted")
    answered = {m.grade_id for m in manual}
    for gid, (s_cell, _) in src_by_gid.items():
        if is_grade(s_cell) and is_solution(s_cell) and gid not in answered:
            manual.append(ManualCell(gid, _points(s_cell), "", s_cell.cell_type))
        elif s_cell.metadata.get("nbgrader", {}).get("task") and gid not in answered:
            # nbgrader "task" cells are judged on the whole notebook by a person
            manual.append(ManualCell(gid, _points(s_cell), "", "task"))
    dup = sorted(g for g, n in counts.items() if n > 1 and g not in src_by_gid)
    if dup:
        notes.append(f"duplicated cell ids: {', '.join(dup)}")

    nb = {"nbformat": 4, "nbformat_minor": 5, "cells": cells_out,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                      "language": "python"},
                       "language_info": {"name": "python"}}}
    for c in nb["cells"]:
        c.setdefault("id", secrets.token_hex(4))
    return Prepared(notebook=nb, tests=tests, manual=manual, notes=notes, labels=labels,
                    restored=restored,
                    released={g: r.source for g, (_, r) in src_by_gid.items()},
                    secrets=_secret_lines(source), submitted_outputs=own)


def _mark(t: TestCell, problem: str, message: str) -> None:
    if t.problem is None:
        t.problem, t.message = problem, message


def _restored_cell(s_cell: Any) -> dict[str, Any]:
    new = {"cell_type": s_cell.cell_type, "source": s_cell.source,
           "metadata": {"nbgrader": dict(s_cell.metadata.get("nbgrader", {}))}}
    if s_cell.cell_type == "code":
        new.update(outputs=[], execution_count=None)
    return new


def _answer_cell(s_cell: Any, source: str) -> dict[str, Any]:
    new = {"cell_type": s_cell.cell_type, "source": source,
           "metadata": {"nbgrader": dict(s_cell.metadata.get("nbgrader", {}))}}
    if s_cell.cell_type == "code":
        new.update(outputs=[], execution_count=None)
    return new


def label_of(prepared: Prepared, index: int | None) -> str:
    """How to name executed cell `index` to a trainee: its grade_id, else "#n"."""
    if index is None or not 0 <= index < len(prepared.labels):
        return "unknown"
    return prepared.labels[index]


_NONCE_RE = re.compile(r'nonce="[0-9a-f]{32}"')
