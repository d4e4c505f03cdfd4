"""Grading statuses and the resume journal, in the course's own ``grading.sqlite``.

nbgrader's gradebook holds scores; it has no place for *why* a submission scored what it
did. This store keeps, per (trainee, unit, notebook): the submission status and reason
(so "timed out in cell X" is never confused with a real zero), the full plain-data
result (cell messages and evidence for reports), and a journal of finished submissions
keyed by the submission's checksum, so a killed run resumes without regrading them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from autograders.results import SUBMISSION_STATUSES, SubmissionResult

# Statuses the pipeline records on top of the sandbox's: a submission the parent refused
# before grading (an unusable trainee id), never written to the gradebook.
PIPELINE_STATUSES = (*SUBMISSION_STATUSES, "invalid_trainee")

# Statuses that say the *grader* failed (a bug, a dead worker, memory exhausted), not the
# submission: they are recorded but never journaled as finished, so a plain rerun grades
# exactly those submissions again instead of keeping an error for good.
UNFINISHED_STATUSES = ("error",)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS grading_status (
    trainee_id TEXT NOT NULL,
    unit TEXT NOT NULL,
    notebook TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    points REAL NOT NULL DEFAULT 0,
    max_points REAL NOT NULL DEFAULT 0,
    world_seed INTEGER,
    checksum TEXT,
    graded_at TEXT NOT NULL,
    result_json TEXT NOT NULL,
    PRIMARY KEY (trainee_id, unit, notebook)
);
CREATE TABLE IF NOT EXISTS journal (
    trainee_id TEXT NOT NULL,
    unit TEXT NOT NULL,
    notebook TEXT NOT NULL,
    checksum TEXT NOT NULL,
    run_id TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    PRIMARY KEY (trainee_id, unit, notebook)
);
CREATE TABLE IF NOT EXISTS gradebook_checksum (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    sha256 TEXT NOT NULL,
    written_at TEXT NOT NULL
);
"""


def now_iso() -> str:
    """UTC timestamp, second precision, as reports print it."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class StatusStore:
    """Context-managed access to ``grading.sqlite`` (bound parameters only)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.conn = sqlite3.connect(self.path)
        self.conn.row_factory = sqlite3.Row
        self.conn.executescript(_SCHEMA)

    def __enter__(self) -> StatusStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Commit on success, roll back on any error."""
        with self.conn:
            yield self.conn

    # -- statuses ---------------------------------------------------------------------
    def record(self, result: SubmissionResult | dict[str, Any], *, checksum: str | None,
               run_id: str, journal: bool = True) -> None:
        """Store a submission's status and result; journal it as finished.

        A result whose status is in `UNFINISHED_STATUSES` is stored but not journaled,
        and any earlier journal entry for that submission is dropped, so `finished` is
        false for it and the next run grades it again.
        """
        data = result.to_dict() if isinstance(result, SubmissionResult) else dict(result)
        data.pop("executed_notebook", None)  # large; the autograded notebook is on disk
        cells = data.get("cells", [])
        ts = now_iso()
        with self.transaction() as c:
            c.execute(
                "INSERT OR REPLACE INTO grading_status VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (data["trainee_id"], data["unit"], data["notebook"], data["status"],
                 data.get("reason", ""), sum(x["points"] for x in cells),
                 sum(x["max_points"] for x in cells), data.get("world_seed"), checksum, ts,
                 json.dumps(data, sort_keys=True, default=str)))
            if data["status"] in UNFINISHED_STATUSES:
                c.execute("DELETE FROM journal WHERE trainee_id=? AND unit=? AND notebook=?",
                          (data["trainee_id"], data["unit"], data["notebook"]))
            elif journal and checksum is not None:
                c.execute("INSERT OR REPLACE INTO journal VALUES (?,?,?,?,?,?)",
                          (data["trainee_id"], data["unit"], data["notebook"], checksum,
                           run_id, ts))

    def statuses(self, unit: str | None = None,
                 trainee_id: str | None = None) -> list[dict[str, Any]]:
        """Status rows (with the parsed result under 'result'), sorted."""
        sql = "SELECT * FROM grading_status WHERE 1=1"
        args: list[str] = []
        if unit is not None:
            sql += " AND unit = ?"
            args.append(unit)
        if trainee_id is not None:
            sql += " AND trainee_id = ?"
            args.append(trainee_id)
        rows = self.conn.execute(sql + " ORDER BY trainee_id, unit, notebook", args)
        out = []
        for row in rows:
            d = dict(row)
            d["result"] = json.loads(d.pop("result_json"))
            out.append(d)
        return out

    # -- journal ----------------------------------------------------------------------
    def finished(self, trainee_id: str, unit: str, notebook: str, checksum: str) -> bool:
        """True when this exact submission (same checksum) was already graded."""
        row = self.conn.execute(
            "SELECT 1 FROM journal WHERE trainee_id=? AND unit=? AND notebook=? AND checksum=?",
            (trainee_id, unit, notebook, checksum)).fetchone()
        return row is not None

    def forget_run(self, run_id: str) -> int:
        """Drop a run's journal entries (after its gradebook writes were rolled back)."""
        with self.transaction() as c:
            return c.execute("DELETE FROM journal WHERE run_id = ?", (run_id,)).rowcount

    def clear_journal(self, unit: str) -> None:
        """Forget which submissions of a unit were finished (``grade --force``)."""
        with self.transaction() as c:
            c.execute("DELETE FROM journal WHERE unit = ?", (unit,))

    # -- gradebook checksum -------------------------------------------------------------
    def save_gradebook_checksum(self, sha256: str) -> None:
        """Remember the gradebook's checksum right after our own write."""
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO gradebook_checksum VALUES (1, ?, ?)",
                      (sha256, now_iso()))

    def gradebook_checksum(self) -> str | None:
        """The checksum saved after our last write, if any."""
        row = self.conn.execute("SELECT sha256 FROM gradebook_checksum WHERE id = 1").fetchone()
        return None if row is None else row[0]
