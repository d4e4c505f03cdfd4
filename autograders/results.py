"""Plain-data results that cross process boundaries in grading.

A worker (or the sandboxed child behind it) hands these back to the grading parent,
which alone writes the gradebook. Everything here is JSON-serialisable on purpose:
the parent never trusts an object built by trainee code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Submission-level statuses. "graded" means it ran to the end; every other status is a
# recorded failure that is *not* a real zero and is shown to the instructor and assessor.
SUBMISSION_STATUSES = (
    "graded",            # ran to the end; scores are real
    "timed_out",         # notebook wall time or a cell timeout hit (reason names the cell)
    "kernel_died",       # os._exit, segfault, SIGINT-immune loop killed...
    "memory_exceeded",   # hit the memory limit
    "invalid_notebook",  # not JSON, empty, unreadable, not a notebook
    "wrong_unit",        # a notebook from another unit / unknown notebook
    "missing",           # no submission file for a notebook of the unit
    "error",             # the grader itself failed on this submission (bug: reported, not hidden)
)

# Notebook metadata key (and value) of a feedback notebook whose trainee cells carry the
# outputs the trainee submitted. Feedback built before that has grading-time outputs,
# which `autograders.feedback` then drops rather than show.
FEEDBACK_OUTPUTS_KEY, SUBMITTED_OUTPUTS = "crm_feedback_outputs", "submitted"

# Cell-level statuses.
CELL_STATUSES = (
    "passed",        # evaluator gave full credit
    "partial",       # evaluator gave partial credit
    "failed",        # evaluator gave no credit (a real zero, with a message)
    "not_run",       # execution stopped before this cell (timeout, kernel death)
    "tampered",      # a locked / test cell was edited or its grade_id changed
    "deleted",       # a test cell is missing from the submission
    "hook_detected", # the test cell did not run as written (nonce/artefact missing)
    "manual",        # waits for an instructor's manual grade
    "error",         # the cell cannot be graded: no evaluator / no submit() (authoring bug)
)


@dataclass
class Verdict:
    """What an evaluator says about one graded cell: a score fraction and why."""

    score: float                      # 0.0 .. 1.0 of the cell's points
    message: str                      # trainee-facing: what to fix; never hidden answers
    evidence: dict[str, Any] = field(default_factory=dict)  # for assessors (plain data)
    # Critical breaches found, each "code: detail" (e.g. "promotion_without_consent: C00123
    # on 2025-03-04"). A unit.toml gate with that code fails the criterion whatever the
    # score; grading stores them in the cell's evidence under BREACHES_KEY.
    breaches: list[str] = field(default_factory=list)


BREACHES_KEY = "breaches"
BREACHES_MAX = 20


def breach_code(breach: str) -> str:
    """The code of a reported breach: the text before its first colon."""
    return str(breach).split(":", 1)[0].strip()


@dataclass
class CellResult:
    """The outcome of one graded cell of one submission."""

    grade_id: str
    notebook: str
    max_points: float
    points: float
    status: str
    message: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class SubmissionResult:
    """The outcome of grading one notebook of one trainee."""

    trainee_id: str
    unit: str
    notebook: str
    status: str
    reason: str = ""
    cells: list[CellResult] = field(default_factory=list)
    duration_s: float = 0.0
    executed_notebook: dict[str, Any] | None = None  # nbformat v4 JSON, for feedback
    world_seed: int | None = None
    # What the cells printed at grading time ({"source", "outputs"} per executed cell), for
    # the grader's own diagnosis and tests only: never in feedback, the status database or
    # a worker's reply (`to_dict` leaves it out), since trainee code chose every byte.
    grading_outputs: list[dict[str, Any]] | None = field(default=None, repr=False,
                                                         compare=False)
    sandboxed: bool = True      # False: graded without the bubblewrap jail (accepted risk)

    @property
    def points(self) -> float:
        """Total points earned in this notebook."""
        return sum(c.points for c in self.cells)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (what a worker process returns), without grading outputs."""
        saved, self.grading_outputs = self.grading_outputs, None
        try:
            data = asdict(self)
        finally:
            self.grading_outputs = saved
        data.pop("grading_outputs", None)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmissionResult:
        """Rebuild from `to_dict()` output, validating types on the way."""
        cells = [CellResult(**c) for c in data.get("cells", [])]
        rest = {k: v for k, v in data.items() if k != "cells"}
        if rest.get("status") not in SUBMISSION_STATUSES:
            raise ValueError(f"status: got {rest.get('status')!r}; allowed: {SUBMISSION_STATUSES}")
        return cls(cells=cells, **rest)
