"""Competency decisions: per trainee per unit, each criterion against its threshold.

A unit is Competent only when every criterion reaches its threshold *and* nothing is
pending. A submission that did not grade normally (timed out, missing, tampered
notebook...) or a written answer still waiting for its manual grade makes the decision
"Not Yet Competent (pending: reason)" — never a silent zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from autograders.observations import NOT_SIGNED, ObservationRecord
from autograders.results import BREACHES_KEY, breach_code
from autograders.unitspec import Gate, UnitSpec

COMPETENT = "Competent"
NOT_YET = "Not Yet Competent"
PENDING_OBSERVATION = "Pending (observation not signed)"
EPS = 1e-9
MODEL_ANSWER_FLAG = "matches the model answer: assessor to review"
#: a cell's status when its notebook was never handed in (status row "missing")
NOT_HANDED_IN = "not handed in"


def missing_words(notebook: str) -> str:
    """What an assessor reads on a cell whose notebook the trainee never handed in."""
    return f"notebook {notebook or 'of this cell'} missing (not handed in)"


def _not_handed_in(nb_status: dict[str, dict[str, str]], notebook: str) -> bool:
    """True when `notebook` (or the whole submission, ``*``) has the status "missing"."""
    return any(nb_status.get(key, {}).get("status") == "missing" for key in (notebook, "*"))


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
    requirements: list[str] = field(default_factory=list)   # K/P/X ids behind the cell
    kind: str = "P"                                         # 'K' knowledge, 'P' performance

    @property
    def fraction(self) -> float:
        """Share of the cell's points earned."""
        return self.points / self.max_points if self.max_points else 0.0

    @property
    def breaches(self) -> list[str]:
        """Breaches the evaluator reported ("code: detail")."""
        found = self.evidence.get(BREACHES_KEY) if isinstance(self.evidence, dict) else None
        return [str(b) for b in found] if isinstance(found, list) else []

    def flag_same_as(self, other_trainee: str) -> None:
        """Note that another trainee submitted the same function or query here."""
        text = f"same as {other_trainee}'s answer: assessor to review"
        if text not in self.flags:
            self.flags.append(text)


@dataclass
class Check:
    """One pass rule of a criterion, as the record shows it: what, met or not, and why."""

    kind: str          # 'gate', 'minimum', 'threshold', 'observation'
    name: str
    met: bool
    detail: str
    pending: bool = False   # an observation not yet signed: undecided, not failed


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
    gate_rules: tuple[Gate, ...] = ()
    minimums: dict[str, float] = field(default_factory=dict)
    k_threshold: float | None = None
    p_threshold: float | None = None
    observations: list[Check] = field(default_factory=list)

    @property
    def failed_gates(self) -> list[str]:
        """Gate cells (unit.toml `gates`) that scored zero: a critical failure."""
        return [c.grade_id for c in self.cells
                if c.grade_id in self.gates and c.points < EPS]

    def _cell(self, gid: str) -> CellEvidence | None:
        return next((c for c in self.cells if c.grade_id == gid), None)

    @property
    def gate_checks(self) -> list[Check]:
        """Each gate: tripped (a breach reported, or a zero where zero trips it) or not."""
        out = []
        for gate in self.gate_rules:
            cell = self._cell(gate.cell)
            hits = [b for b in (cell.breaches if cell else []) if gate.breach
                    and breach_code(b) == gate.breach]
            zero = gate.on_zero and (cell is None or cell.points < EPS)
            law = f" ({gate.law})" if gate.law else ""
            if hits:
                shown = "; ".join(hits[:3]) + (f"; … {len(hits) - 3} more" if len(hits) > 3
                                               else "")
                out.append(Check("gate", gate.name, False,
                                 f"breach on {gate.cell}{law}: {shown}"))
            elif zero:
                out.append(Check("gate", gate.name, False,
                                 f"{gate.cell} scored zero, a critical failure{law}"))
            else:
                what = gate.breach or "no zero"
                out.append(Check("gate", gate.name, True, f"{gate.cell}: no {what}"
                                 if gate.breach else f"{gate.cell}: {what}"))
        return out

    @property
    def minimum_checks(self) -> list[Check]:
        """Each sufficiency minimum: the cell's share of its points against its floor."""
        out = []
        for gid, floor in self.minimums.items():
            cell = self._cell(gid)
            frac = cell.fraction if cell else 0.0
            reqs = f" [{', '.join(cell.requirements)}]" if cell and cell.requirements else ""
            out.append(Check("minimum", gid, frac + EPS >= floor,
                             f"{gid}{reqs}: {100 * frac:.0f}% of its points, minimum "
                             f"{100 * floor:.0f}%"))
        return out

    def _kind_fraction(self, kind: str) -> float | None:
        cells = [c for c in self.cells if c.kind == kind]
        total = sum(c.max_points for c in cells)
        return sum(c.points for c in cells) / total if total else None

    @property
    def threshold_checks(self) -> list[Check]:
        """The total, knowledge (K) and performance (P) thresholds."""
        out = [Check("threshold", "total", self.fraction + EPS >= self.threshold,
                     f"total {100 * self.fraction:.0f}%, threshold "
                     f"{100 * self.threshold:.0f}%")]
        for kind, label, floor in (("K", "knowledge (cells of K/X ids only)", self.k_threshold),
                                   ("P", "performance", self.p_threshold)):
            frac = self._kind_fraction(kind)
            if floor is None or frac is None:
                continue
            shown = label if kind == "K" else f"{label} ({kind})"
            out.append(Check("threshold", kind, frac + EPS >= floor,
                             f"{shown} {100 * frac:.0f}%, threshold {100 * floor:.0f}%"))
        return out

    @property
    def checks(self) -> list[Check]:
        """Every pass rule of the criterion, in the order the record shows them."""
        return [*self.gate_checks, *self.minimum_checks, *self.threshold_checks,
                *self.observations]

    @property
    def reasons(self) -> list[str]:
        """Why the criterion is not met (empty when it is)."""
        out = [f"{ch.kind} {ch.name} not met: {ch.detail}" for ch in self.checks if not ch.met]
        out += [f"gate not passed: {g} scored zero" for g in self.failed_gates
                if g not in {r.cell for r in self.gate_rules if r.on_zero}]
        return out

    @property
    def fraction(self) -> float:
        """Share of the criterion's points earned."""
        return self.points / self.max_points if self.max_points else 0.0

    @property
    def met(self) -> bool:
        """Met only when every rule holds: gates, minimums, K/P/total thresholds, observation."""
        return not self.reasons and self.fraction + EPS >= self.threshold

    @property
    def awaiting_observation(self) -> bool:
        """Every other rule holds; only observations the assessor has not signed are left."""
        unmet = [ch for ch in self.checks if not ch.met]
        return (not self.met and bool(unmet) and all(ch.pending for ch in unmet)
                and not self.failed_gates and self.fraction + EPS >= self.threshold)

    @property
    def verdict(self) -> str:
        """Competent / Not Yet Competent for this criterion, or pending an observation.

        Why the third answer: a criterion whose evidence is complete but whose observation
        nobody has signed yet is undecided, and "Not Yet Competent" would tell the assessor
        (and the trainee) something that has not been judged.
        """
        if self.met:
            return COMPETENT
        return PENDING_OBSERVATION if self.awaiting_observation else NOT_YET


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
    # The unit's observation items as the record shows them (dicts: id, criterion,
    # requirements, text, met, note) and who signed them ("" while unsigned).
    observation_items: list[dict[str, Any]] = field(default_factory=list)
    observation_signed: str = ""

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
           expected_notebooks: list[str] | None = None,
           observation: ObservationRecord | None = None) -> UnitDecision:
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
        observation: the assessor's observation record of the unit (None: nothing
            recorded); while the unit has observation items and it is unsigned, the
            decision is pending.
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
            if row["status"] == "missing":
                what = "not handed in"
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
            notebook = res.get("notebook") or notebook_of.get(gid, "")
            if not res and gb.get("manual") is None and _not_handed_in(nb_status, notebook):
                # never handed in: no grade is awaited from anyone; say what is missing
                status = NOT_HANDED_IN
                if gb.get("needs_manual"):      # a written answer: the page said "manual grade"
                    cell_pending = missing_words(notebook)
            elif status == "manual" or gb.get("needs_manual"):
                if gb.get("manual") is None:
                    cell_pending = f"manual grade of {gid}"
                    pending.append(cell_pending)
                else:
                    status = "manually graded"
                    res = dict(res, message=f"graded by the assessor: {gb['manual']:g} / "
                                            f"{max_pts:g}")
            cells.append(CellEvidence(
                grade_id=gid, notebook=notebook,
                criterion=crit.id, max_points=float(max_pts), points=float(points),
                status=status, message=res.get("message", ""),
                evidence=res.get("evidence", {}) or {}, answer=answers.get(gid, ""),
                pending=cell_pending, flags=_flags(res.get("evidence")),
                requirements=spec.requirements_of(gid), kind=spec.evidence_kind(gid)))
        criteria.append(CriterionDecision(
            crit.id, crit.text, crit.threshold, crit.max_points, sum(c.points for c in cells),
            cells, crit.gates, crit.gate_rules, dict(crit.minimums), crit.k_threshold,
            crit.p_threshold, _observation_checks(spec, crit.id, observation)))
    if spec.observations and not (observation and observation.signed):
        pending.append(NOT_SIGNED)
    sandboxed = all(row.get("result", {}).get("sandboxed", True) is not False
                    for row in status_rows)
    items = []
    for item in spec.observations:
        got = observation.items.get(item.id) if observation else None
        items.append({"id": item.id, "criterion": item.criterion, "text": item.text,
                      "requirements": list(item.requirements),
                      "met": "" if got is None else ("yes" if got.met else "no"),
                      "note": got.note if got else ""})
    signed = (f"{observation.signed_by}, {observation.signed_at}"
              if observation and observation.signed else "")
    return UnitDecision(trainee_id, spec.code, spec.title, criteria, pending, nb_status,
                        seed, graded_at, sandboxed, items, signed)


def _observation_checks(spec: UnitSpec, criterion: str,
                        record: ObservationRecord | None) -> list[Check]:
    """The criterion's observation items as the assessor recorded them (met once signed)."""
    out = []
    for item in spec.observations:
        if item.criterion != criterion:
            continue
        got = record.items.get(item.id) if record else None
        reqs = f" [{', '.join(item.requirements)}]" if item.requirements else ""
        if got is None or not (record and record.signed):
            state = "not recorded" if got is None else "recorded, not signed"
            out.append(Check("observation", item.id, got is not None and got.met,
                             f"{item.text}{reqs}: {state}", pending=True))
            continue
        note = f" — {got.note}" if got.note else ""
        out.append(Check("observation", item.id, got.met,
                         f"{item.text}{reqs}: {'met' if got.met else 'NOT met'}, observed by "
                         f"{got.assessor}, signed by {record.signed_by} {record.signed_at}"
                         f"{note}"))
    return out


def _flags(evidence: Any) -> list[str]:
    """Flags grading left in a cell's evidence (a model-answer fingerprint match)."""
    if isinstance(evidence, dict) and evidence.get("matches_model_answer"):
        return [MODEL_ANSWER_FLAG]
    return []


CSV_COLUMNS = ["trainee_id", "unit", "criterion", "points", "max_points", "fraction",
               "threshold", "criterion_verdict", "unit_decision", "world_seed", "graded_at",
               "sandbox", "why"]
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
                         "sandbox": "jailed" if d.sandboxed else UNSANDBOXED,
                         # gates breached, minimums and thresholds missed, observation
                         "why": "; ".join(c.reasons)})
    return rows
