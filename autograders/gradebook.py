"""The gradebook: nbgrader's SQLite database, written only by the grading parent.

Besides the writer (`GradebookWriter`), this module owns the gradebook's safety net:
a backup with SQLite's online backup API before every grading run, restore from any
backup, and a checksum taken after each of our own writes so that a change made by
anyone else between two writes is noticed (and undone from the backup).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import warnings
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from autograders.commands.errors import CourseError
from autograders.course import Course, ensure_alembic_on_path
from autograders.results import SubmissionResult

log = logging.getLogger(__name__)


class GradebookTampered(CourseError):
    """The gradebook changed between two of the grader's own writes."""


def file_checksum(path: Path) -> str:
    """SHA-256 of a file's bytes ('' when it does not exist)."""
    if not path.exists():
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def backup_gradebook(course: Course) -> Path | None:
    """Copy the gradebook into ``.backups/gradebook-<timestamp>.db``; None if no gradebook.

    Uses ``sqlite3.Connection.backup`` so a consistent copy is taken even if a reader
    (formgrader) has the database open.
    """
    src_path = course.gradebook_path
    if not src_path.exists():
        return None
    course.backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    dest_path = course.backups_dir / f"gradebook-{stamp}.db"
    src = sqlite3.connect(src_path)
    dest = sqlite3.connect(dest_path)
    try:
        with dest:
            src.backup(dest)
    finally:
        dest.close()
        src.close()
    return dest_path


def list_backups(course: Course) -> list[Path]:
    """Backups, oldest first (their names sort by time)."""
    if not course.backups_dir.is_dir():
        return []
    return sorted(course.backups_dir.glob("gradebook-*.db"))


def restore_gradebook(course: Course, backup: str | Path | None = None) -> Path:
    """Replace the gradebook by a backup (the newest when none is named).

    Raises:
        CourseError: no backup exists, or the named one is not found / not a gradebook.
    """
    backups = list_backups(course)
    if backup is None:
        if not backups:
            raise CourseError(f"no gradebook backups in {course.backups_dir}: a backup is "
                              "taken before every `crm-course grade` run")
        chosen = backups[-1]
    else:
        chosen = Path(backup)
        if not chosen.is_absolute() and not chosen.exists():
            chosen = course.backups_dir / chosen
        if not chosen.exists():
            names = ", ".join(p.name for p in backups) or "none"
            raise CourseError(f"backup {backup} not found; available: {names}")
    src = sqlite3.connect(f"file:{chosen}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "grade" not in tables:
            raise CourseError(f"{chosen} is not an nbgrader gradebook (no 'grade' table)")
        dest = sqlite3.connect(course.gradebook_path)
        try:
            with dest:
                src.backup(dest)
        finally:
            dest.close()
    finally:
        src.close()
    return chosen


class GradebookWriter:
    """Write autograded results into nbgrader's gradebook, keeping manual scores.

    One instance per grading run, used only by the parent process. Before each write
    the gradebook's checksum is compared with the one taken after the previous write;
    a mismatch raises `GradebookTampered` so the caller can restore the backup.
    The connection stays open between writes (call `close` at the end of the run): a
    fresh nbgrader `Gradebook` per write builds a new engine whose SQL compile cache is
    empty, which cost about 0.1 s of the parent's CPU per submission.
    """

    def __init__(self, course: Course, course_id: str = ""):
        ensure_alembic_on_path()
        self.course = course
        self.course_id = course_id
        self.last_checksum: str | None = None
        self._gb: Any = None

    @contextmanager
    def _open(self):
        from nbgrader.api import Gradebook

        if self._gb is None:
            self._gb = Gradebook(self.course.db_url, self.course_id)
        try:
            yield self._gb
        except BaseException:
            self.close()          # a failed write leaves no half-done session behind
            raise

    def close(self) -> None:
        """Close the connection (end of the run, or before the file is restored)."""
        if self._gb is not None:
            self._gb.close()
            self._gb = None

    def verify(self) -> None:
        """Raise `GradebookTampered` if the file changed since our last write."""
        if self.last_checksum is None:
            return
        now = file_checksum(self.course.gradebook_path)
        if now != self.last_checksum:
            self.close()          # the caller restores the file: reopen afterwards
            raise GradebookTampered(
                f"the gradebook {self.course.gradebook_path} changed between two writes of "
                "the grader (someone else wrote to it)")

    def ensure_student(self, trainee_id: str) -> None:
        """Create the trainee in the gradebook if needed (used by ``report --trainee``)."""
        self.verify()
        with self._open() as gb:
            gb.update_or_create_student(trainee_id)
        self.last_checksum = file_checksum(self.course.gradebook_path)

    def write(self, result: SubmissionResult) -> list[str]:
        """Record one notebook's result; returns warnings (cells the gradebook lacks).

        Autograded cells get ``auto_score``; manual cells keep (or await) their
        ``manual_score``, which is never touched, so a regrade keeps an instructor's marks.
        """
        self.verify()
        problems: list[str] = []
        with warnings.catch_warnings(), self._open() as gb:
            # nbgrader's autoflush inside update_or_create_submission emits SAWarnings
            # about objects not yet in the session; harmless, and noise for instructors.
            warnings.simplefilter("ignore")
            gb.update_or_create_student(result.trainee_id)
            if result.cells:
                self._write_cells(gb, result, problems)
            # nothing graded (missing, unreadable notebook): the student, no submission row
            gb.db.commit()
        self.last_checksum = file_checksum(self.course.gradebook_path)
        return problems

    def _write_cells(self, gb: Any, result: SubmissionResult, problems: list[str]) -> None:
        """Set each cell's score on the trainee's submission (created when needed)."""
        from nbgrader.api import MissingEntry

        course = self.course
        try:
            gb.find_assignment(result.unit)
        except MissingEntry as exc:
            raise CourseError(f"unit {result.unit} is not in the gradebook: run "
                              f"`crm-course release {result.unit}` first") from exc
        sub = gb.update_or_create_submission(result.unit, result.trainee_id)
        sub.timestamp = submission_time(course, result)
        messages: dict[str, list[str]] = {}
        answer_of = answer_cells(course, result.unit, result.notebook)
        for cell in result.cells:
            try:
                grade = gb.find_grade(cell.grade_id, result.notebook, result.unit,
                                      result.trainee_id)
            except MissingEntry:
                problems.append(f"{result.notebook}/{cell.grade_id}: not a graded cell "
                                "of the released unit; not written")
                continue
            if cell.status == "manual":
                grade.auto_score = None
                grade.needs_manual_grade = grade.manual_score is None
            else:
                grade.auto_score = float(cell.points)
                grade.needs_manual_grade = False
            if cell.message and answer_of.get(cell.grade_id):
                messages.setdefault(answer_of[cell.grade_id], []).append(
                    f"{cell.grade_id} ({cell.points:g}/{cell.max_points:g}, {cell.status}): "
                    f"{cell.message}")
        _write_comments(gb, result, messages)


def _write_comments(gb: Any, result: SubmissionResult, messages: dict[str, list[str]]) -> None:
    """Put each answer cell's verdicts in nbgrader's ``auto_comment`` (formgrader shows it).

    An instructor's own ``manual_comment`` is never touched.
    """
    from nbgrader.api import MissingEntry

    for answer_id, lines in messages.items():
        try:
            comment = gb.find_comment(answer_id, result.notebook, result.unit,
                                      result.trainee_id)
        except MissingEntry:
            continue
        comment.auto_comment = "\n".join(lines)


def answer_cells(course: Course, unit: str, notebook: str) -> dict[str, str]:
    """grade_id of each graded cell -> the answer (solution) cell it checks.

    nbgrader keeps comments on solution cells only, so a test cell's message goes to the
    nearest answer cell above it in the released notebook (an answer cell that is itself
    graded, like a written answer, is its own). {} when the notebook is not released.
    """
    path = course.release_dir / unit / f"{notebook}.ipynb"
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return {}
    out: dict[str, str] = {}
    last_answer = ""
    for cell in cells:
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        gid = meta.get("grade_id")
        if not gid:
            continue
        if meta.get("solution"):
            last_answer = gid
        if meta.get("grade") and last_answer:
            out[gid] = last_answer
    return out


def submission_time(course: Course, result: SubmissionResult) -> datetime:
    """When the trainee submitted (naive UTC, as nbgrader stores it).

    nbgrader's ``timestamp.txt`` in the submission folder when present, else the
    submitted notebook's modification time, else now.
    """
    folder = course.submitted_dir / result.trainee_id / result.unit
    stamp = folder / "timestamp.txt"
    if stamp.exists():
        try:
            from nbgrader.utils import parse_utc

            return parse_utc(stamp.read_text(encoding="utf-8").strip())
        except (ValueError, OSError, TypeError):
            pass
    nb = folder / f"{result.notebook}.ipynb"
    when = datetime.fromtimestamp(nb.stat().st_mtime, UTC) if nb.exists() else datetime.now(UTC)
    return when.replace(tzinfo=None)


def read_scores(course: Course, unit: str) -> dict[str, dict[str, dict[str, Any]]]:
    """Scores per trainee: trainee -> grade_id -> {auto, manual, score, max, needs_manual}."""
    from nbgrader.api import Gradebook, MissingEntry

    ensure_alembic_on_path()
    out: dict[str, dict[str, dict[str, Any]]] = {}
    if not course.gradebook_path.exists():
        return out
    with Gradebook(course.db_url, "") as gb:
        try:
            assignment = gb.find_assignment(unit)
        except MissingEntry:
            return out
        for sub in assignment.submissions:
            per = out.setdefault(sub.student.id, {})
            for nb in sub.notebooks:
                for g in nb.grades:
                    per[g.name] = {"notebook": nb.name, "auto": g.auto_score,
                                   "manual": g.manual_score, "score": g.score,
                                   "max": g.max_score, "needs_manual": g.needs_manual_grade}
    return out


def trainee_ids(course: Course) -> list[str]:
    """Every trainee the gradebook knows."""
    from nbgrader.api import Gradebook

    ensure_alembic_on_path()
    if not course.gradebook_path.exists():
        return []
    with Gradebook(course.db_url, "") as gb:
        return sorted(s.id for s in gb.students)
