"""Competency decisions: per trainee per unit, each criterion against its threshold.

A unit is Competent only when every criterion reaches its threshold *and* nothing is
pending. A submission that did not grade normally (timed out, missing, tampered
notebook...) or a written answer still waiting for its manual grade makes the decision
"Not Yet Competent (pending: reason)" — never a silent zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from autograders.unitspec import UnitSpec

COMPETENT = "Competent"
NOT_YET = "Not Yet Competent"
EPS = 1e-9
MODEL_ANSWER_FLAG = "matches the model answer: assessor to review"


@dataclass
class CellEvidence:
    """One graded cell as an assessor sees it."""

    grade_id: str
    notebook: str
    criterion: str
    max_points: float
    points: float
    status: str
    message: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    answer: str = ""
    pending: str = ""
    flags: list[str] = field(default_factory=list)   # for the assessor: copied answers

    def flag_same_as(self, other_trainee: str) -> None:
        """Note that another trainee submitted the same function or query here."""
        text = f"same as {other_trainee}'s answer: assessor to review"
        if text not in self.flags:
            self.flags.append(text)


@dataclass
class CriterionDecision:
    """One assessment criterion of one trainee."""

    id: str
    text: str
    threshold: float
    max_points: float
    points: float
    cells: list[CellEvidence]
    gates: tuple[str, ...] = ()

    @property
    def failed_gates(self) -> list[str]:
        """Gate cells (unit.toml `gates`) that scored zero: a critical failure."""
        return [c.grade_id for c in self.cells
                if c.grade_id in self.gates and c.points < EPS]

    @property
    def fraction(self) -> float:
        """Share of the criterion's points earned."""
        return self.points / self.max_points if self.max_points else 0.0

    @property
    def met(self) -> bool:
        """True when the threshold is reached and no gate cell scored zero."""
        return self.fraction + EPS >= self.threshold and not self.failed_gates

    @property
    def verdict(self) -> str:
        """Competent / Not Yet Competent for this criterion."""
        return COMPETENT if self.met else NOT_YET


@dataclass
class UnitDecision:
    """A trainee's competency decision on one unit, with its evidence."""

    trainee_id: str
    unit: str
    title: str
    criteria: list[CriterionDecision]
    pending: list[str]
    notebook_statuses: dict[str, dict[str, str]]
    world_seed: int | None
    graded_at: str
    sandboxed: bool = True      # False: a notebook was graded without the jail

    @property
    def competent(self) -> bool:
        """Competent only when nothing is pending and every criterion is met."""
        return not self.pending and all(c.met for c in self.criteria)

    @property
    def decision(self) -> str:
        """The unit decision as printed on the report."""
        if self.pending:
            return f"{NOT_YET} (pending: {'; '.join(self.pending)})"
        return COMPETENT if self.competent else NOT_YET

    @property
    def grading_incomplete(self) -> bool:
        """A notebook did not grade to the end (timeout, kernel death, missing...).

        Its points so far are kept for the report, but they are not a final mark: an LMS
        export must not show them as one.
        """
        return any(s.get("status") != "graded" for s in self.notebook_statuses.values())

    @property
    def points(self) -> float:
        """Points earned on the unit."""
        return sum(c.points for c in self.criteria)

    @property
    def max_points(self) -> float:
        """Points available on the unit."""
        return sum(c.max_points for c in self.criteria)


def decide(spec: UnitSpec, trainee_id: str, status_rows: list[dict[str, Any]],
           scores: dict[str, dict[str, Any]] | None = None,
           notebook_of: dict[str, str] | None = None,
           answers: dict[str, str] | None = None,
           expected_notebooks: list[str] | None = None) -> UnitDecision:
    """Build one trainee's decision on one unit.

    Args:
        spec: the unit's parsed unit.toml.
        trainee_id: the trainee.
        status_rows: `StatusStore.statuses(unit, trainee)` rows (each with 'result').
        scores: gradebook scores ``grade_id -> {score, manual, needs_manual}`` (these
            win over the result's points, so manual grades and overrides count).
        notebook_of: grade_id -> notebook, for cells no result mentions.
        answers: grade_id -> the trainee's written answer (for manual cells).
        expected_notebooks: notebooks the unit has; one with no status row is pending.
    """
    scores = scores or {}
    notebook_of = notebook_of or {}
    answers = answers or {}
    cell_results: dict[str, dict[str, Any]] = {}
    nb_status: dict[str, dict[str, str]] = {}
    pending: list[str] = []
    seed = None
    graded_at = ""
    for row in status_rows:
        result = row.get("result", {})
        nb_status[row["notebook"]] = {"status": row["status"], "reason": row.get("reason", "")}
        seed = row.get("world_seed") if row.get("world_seed") is not None else seed
        graded_at = max(graded_at, row.get("graded_at", ""))
        for cell in result.get("cells", []):
            cell_results[cell["grade_id"]] = cell
        if row["status"] != "graded":
            what = row.get("reason") or row["status"].replace("_", " ")
            label = "submission" if row["notebook"] == "*" else row["notebook"]
            pending.append(f"{label}: {row['status']} ({what})")
    for nb in expected_notebooks or []:
        if nb not in nb_status and "*" not in nb_status:
            pending.append(f"{nb}: not graded yet")
            nb_status[nb] = {"status": "not graded", "reason": "no grading result yet"}

    criteria: list[CriterionDecision] = []
    for crit in spec.criteria.values():
        cells: list[CellEvidence] = []
        for gid, max_pts in crit.cells.items():
            res = cell_results.get(gid, {})
            gb = scores.get(gid, {})
            status = res.get("status", "not_run" if nb_status else "not graded")
            points = gb.get("score")
            if points is None:
                points = float(res.get("points", 0.0)) if status != "manual" else 0.0
            cell_pending = ""
            if status == "manual" or gb.get("needs_manual"):
                if gb.get("manual") is None:
                    cell_pending = f"manual grade of {gid}"
                    pending.append(cell_pending)
                else:
                    status = "manually graded"
                    res = dict(res, message=f"graded by the assessor: {gb['manual']:g} / "
                                            f"{max_pts:g}")
            cells.append(CellEvidence(
                grade_id=gid, notebook=res.get("notebook") or notebook_of.get(gid, ""),
                criterion=crit.id, max_points=float(max_pts), points=float(points),
                status=status, message=res.get("message", ""),
                evidence=res.get("evidence", {}) or {}, answer=answers.get(gid, ""),
                pending=cell_pending, flags=_flags(res.get("evidence"))))
        criteria.append(CriterionDecision(crit.id, crit.text, crit.threshold, crit.max_points,
                                          sum(c.points for c in cells), cells, crit.gates))
    sandboxed = all(row.get("result", {}).get("sandboxed", True) is not False
                    for row in status_rows)
    return UnitDecision(trainee_id, spec.code, spec.title, criteria, pending, nb_status,
                        seed, graded_at, sandboxed)


def _flags(evidence: Any) -> list[str]:
    """Flags grading left in a cell's evidence (a model-answer fingerprint match)."""
    if isinstance(evidence, dict) and evidence.get("matches_model_answer"):
        return [MODEL_ANSWER_FLAG]
    return []


CSV_COLUMNS = ["trainee_id", "unit", "criterion", "points", "max_points", "fraction",
               "threshold", "criterion_verdict", "unit_decision", "world_seed", "graded_at",
               "sandbox"]
UNSANDBOXED = "graded WITHOUT the sandbox"


def csv_rows(decisions: list[UnitDecision]) -> list[dict[str, Any]]:
    """One row per trainee per criterion (the CSV form of the competency report)."""
    rows = []
    for d in decisions:
        for c in d.criteria:
            rows.append({"trainee_id": d.trainee_id, "unit": d.unit, "criterion": c.id,
                         "points": round(c.points, 4), "max_points": c.max_points,
                         "fraction": round(c.fraction, 4), "threshold": c.threshold,
                         "criterion_verdict": c.verdict, "unit_decision": d.decision,
                         "world_seed": d.world_seed, "graded_at": d.graded_at,
                         "sandbox": "jailed" if d.sandboxed else UNSANDBOXED})
    return rows
