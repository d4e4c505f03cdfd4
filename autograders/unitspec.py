"""`unit.toml`: which cells teach or assess each requirement, and how criteria are scored.

Parsed with `tomllib` into frozen dataclasses, and checked against the unit's notebooks
and the docs/units.md catalogue (`autograders.requirements`) by `check_unit`, which lists every
hole at once so an author can fix them in one pass (`crm-course check`).
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograders.checks.registry import DEFAULT_EVALUATORS
from autograders.commands.errors import CourseError
from autograders.requirements import REQUIREMENTS

REQ_ID_RE = re.compile(r"(?:K|P|X)\d+")
AC_ID_RE = re.compile(r"AC-[ivxlc]+")


class UnitSpecError(CourseError):
    """unit.toml is unreadable or has a field of the wrong type."""


@dataclass(frozen=True)
class Gate:
    """A critical gate: a breach (of the law, usually) that fails its criterion whatever the total.

    A gate trips when the evaluator of `cell` reports a breach whose code is `breach`
    (``Verdict(..., breaches=["promotion_without_consent: C00123 ..."])``), or, when
    `on_zero` is set, when the cell scores zero. Padding cannot dilute it: one breach
    trips the gate however many good answers surround it.
    """

    name: str
    cell: str
    breach: str | None = None
    on_zero: bool = False
    law: str = ""           # the rule breached, e.g. "PDPO (Cap. 486) s.35C"


@dataclass(frozen=True)
class ObservationItem:
    """Something an assessor must see the trainee do (a call, a conversation, a talk)."""

    id: str
    criterion: str
    text: str
    requirements: tuple[str, ...] = ()


@dataclass(frozen=True)
class Criterion:
    """One assessment criterion: its graded cells with points and its pass rules.

    Met only when the total reaches `threshold`, the knowledge (K) and performance (P)
    points each reach their own threshold (knowledge cannot make up for missing
    performance evidence), every cell in `minimums` reaches its fraction, and no gate
    trips.
    """

    id: str
    text: str
    threshold: float
    cells: dict[str, float]
    # Cells that must not score zero for the criterion to be met, whatever the total.
    # Their evaluators give 0 only for a critical failure, e.g. "any unmasked HKID or
    # phone in a shared table fails the criterion" (ITCSCR410A).
    gates: tuple[str, ...] = ()
    gate_rules: tuple[Gate, ...] = ()
    minimums: dict[str, float] = field(default_factory=dict)   # grade_id -> fraction
    k_threshold: float | None = None
    p_threshold: float | None = None

    @property
    def max_points(self) -> float:
        """Points available on this criterion."""
        return float(sum(self.cells.values()))


@dataclass(frozen=True)
class UnitSpec:
    """A parsed unit.toml."""

    code: str
    title: str
    level: int
    credits: int
    industry: str
    requirements: dict[str, list[str]]
    criteria: dict[str, Criterion]
    # Path of the evaluator module, relative to the unit folder or absolute (a training
    # centre's private copy of grading/), or a dotted module name.
    evaluators: str | None = DEFAULT_EVALUATORS
    path: Path | None = None
    observations: tuple[ObservationItem, ...] = ()

    def requirements_of(self, grade_id: str) -> list[str]:
        """The requirement ids (K/P/X) a cell evidences, in unit.toml order."""
        return [rid for rid, gids in self.requirements.items() if grade_id in gids]

    def evidence_kind(self, grade_id: str) -> str:
        """'P' when the cell evidences a P id (performance), else 'K' (knowledge).

        Derived from [requirements], so an author declares a cell's kind once: a quiz
        listed only under K or X ids is knowledge; an exercise listed under a P id is
        performance, even when it also draws on knowledge.
        """
        return "P" if any(r.startswith("P") for r in self.requirements_of(grade_id)) else "K"

    def criterion_of(self, grade_id: str) -> str | None:
        """The criterion a graded cell counts towards (first one if the spec is broken)."""
        for crit in self.criteria.values():
            if grade_id in crit.cells:
                return crit.id
        return None

    @property
    def graded_cells(self) -> dict[str, tuple[str, float]]:
        """grade_id -> (criterion id, points) for every cell any criterion scores."""
        out: dict[str, tuple[str, float]] = {}
        for crit in self.criteria.values():
            for gid, pts in crit.cells.items():
                out.setdefault(gid, (crit.id, float(pts)))
        return out


@dataclass(frozen=True)
class CellInfo:
    """An nbgrader cell of a source notebook, as `check_unit` needs it."""

    grade_id: str
    notebook: str
    cell_type: str
    grade: bool
    solution: bool
    locked: bool
    points: float | None

    @property
    def kind(self) -> str:
        """'test' (autograded code), 'manual' (graded answer), 'solution', 'task' or 'locked'."""
        if self.grade and not self.solution and self.cell_type == "code":
            return "test"
        if self.grade:
            return "manual"
        if self.solution:
            return "solution"
        return "locked"


@dataclass
class CheckReport:
    """What `check_unit` found: the holes (each one a fix to make) and notes."""

    code: str
    holes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    summary: str = ""

    @property
    def ok(self) -> bool:
        """True when the unit has no hole."""
        return not self.holes


def _need(data: dict[str, Any], key: str, kind: type | tuple[type, ...], where: Path) -> Any:
    if key not in data:
        raise UnitSpecError(f"{where}: missing field {key!r}")
    value = data[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise UnitSpecError(f"{where}: field {key!r} has the wrong type "
                            f"({type(value).__name__}, value {value!r})")
    return value


def load_unit_spec(path: str | Path) -> UnitSpec:
    """Parse a unit.toml (or the unit directory holding one).

    Raises:
        UnitSpecError: unreadable TOML or a field missing or of the wrong type.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "unit.toml"
    if not path.exists():
        raise UnitSpecError(f"{path} not found: every unit needs a unit.toml "
                            "(see docs/grading-design.md)")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UnitSpecError(f"{path}: not valid TOML ({exc})") from exc
    reqs_raw = data.get("requirements", {})
    if not isinstance(reqs_raw, dict):
        raise UnitSpecError(f"{path}: [requirements] must be a table of id = [grade_ids]")
    requirements: dict[str, list[str]] = {}
    for rid, cells in reqs_raw.items():
        if not isinstance(cells, list) or not all(isinstance(c, str) for c in cells):
            raise UnitSpecError(f"{path}: requirements.{rid} must be a list of grade_id "
                                f"strings, got {cells!r}")
        requirements[rid] = list(cells)
    crit_raw = data.get("criteria", {})
    if not isinstance(crit_raw, dict):
        raise UnitSpecError(f"{path}: [criteria.\"AC-…\"] tables expected")
    criteria: dict[str, Criterion] = {}
    for cid, body in crit_raw.items():
        where = Path(f"{path} [criteria.\"{cid}\"]")
        if not isinstance(body, dict):
            raise UnitSpecError(f"{where}: must be a table with text, threshold, cells")
        cells = _need(body, "cells", dict, where)
        for gid, pts in cells.items():
            if isinstance(pts, bool) or not isinstance(pts, int | float) or pts < 0:
                raise UnitSpecError(f"{where}: cells.{gid} must be points >= 0, got {pts!r}")
        threshold = _need(body, "threshold", (int, float), where)
        if not 0 < threshold <= 1:
            raise UnitSpecError(f"{where}: threshold must be a fraction in (0, 1], "
                                f"got {threshold!r} (e.g. 0.7)")
        zero_gates, rules = _parse_gates(body.get("gates", []), cells, where)
        minimums = body.get("minimums", {})
        if not isinstance(minimums, dict):
            raise UnitSpecError(f"{where}: minimums must be a table {{grade_id = fraction}}, "
                                f"got {minimums!r} (e.g. minimums = {{ plan_calls_test = 0.5 }})")
        for gid, frac in minimums.items():
            if gid not in cells:
                raise UnitSpecError(f"{where}: minimums.{gid} is not among this criterion's "
                                    "cells; add it to cells or remove the minimum")
            if isinstance(frac, bool) or not isinstance(frac, int | float) or not 0 < frac <= 1:
                raise UnitSpecError(f"{where}: minimums.{gid} must be a fraction in (0, 1], "
                                    f"got {frac!r} (e.g. 0.5: half its points)")
        kp = {}
        for key in ("k_threshold", "p_threshold"):
            val = body.get(key)
            if val is not None and (isinstance(val, bool) or not isinstance(val, int | float)
                                    or not 0 <= val <= 1):
                raise UnitSpecError(f"{where}: {key} must be a fraction in [0, 1], got "
                                    f"{val!r} (e.g. 0.7; 0 declares no floor of its own)")
            kp[key] = None if val is None else float(val)
        criteria[cid] = Criterion(cid, str(body.get("text", "")), float(threshold),
                                  {g: float(p) for g, p in cells.items()}, zero_gates, rules,
                                  {g: float(f) for g, f in minimums.items()}, **kp)
    evaluators = data.get("evaluators", DEFAULT_EVALUATORS)
    if not isinstance(evaluators, str) or not evaluators.strip():
        raise UnitSpecError(f"{path}: field 'evaluators' must be a path string, got "
                            f"{evaluators!r} (default {DEFAULT_EVALUATORS!r}; a private "
                            "copy: an absolute path)")
    return UnitSpec(
        code=_need(data, "code", str, path),
        title=_need(data, "title", str, path),
        level=_need(data, "level", int, path),
        credits=_need(data, "credits", int, path),
        industry=_need(data, "industry", str, path),
        requirements=requirements,
        criteria=criteria,
        evaluators=evaluators,
        path=path,
        observations=_parse_observations(data.get("observation", []), path),
    )


def _parse_gates(raw: Any, cells: dict[str, Any], where: Path
                 ) -> tuple[tuple[str, ...], tuple[Gate, ...]]:
    """`gates`: a list of cells that must not score zero, or a table of named gates.

    ``gates = ["share_test"]`` (zero fails) or
    ``[criteria."AC-i".gates] no_promotion_without_consent = { cell = "plan_calls_test",
    breach = "promotion_without_consent", law = "PDPO s.35C" }``.
    """
    if isinstance(raw, list):
        if not all(isinstance(g, str) for g in raw):
            raise UnitSpecError(f"{where}: gates must be a list of grade_ids, got {raw!r} "
                                '(e.g. gates = ["share_masked_test"])')
        rules = tuple(Gate(g, g, None, True) for g in raw)
    elif isinstance(raw, dict):
        built = []
        for name, body in raw.items():
            if not isinstance(body, dict) or not isinstance(body.get("cell"), str):
                raise UnitSpecError(f"{where}: gates.{name} must be a table with a cell, e.g. "
                                    '{ cell = "plan_calls_test", breach = '
                                    '"promotion_without_consent" }')
            breach, on_zero = body.get("breach"), body.get("on_zero", False)
            if breach is not None and (not isinstance(breach, str) or not breach.strip()):
                raise UnitSpecError(f"{where}: gates.{name}.breach must be a breach code "
                                    f"string, got {breach!r}")
            if not isinstance(on_zero, bool):
                raise UnitSpecError(f"{where}: gates.{name}.on_zero must be true or false, "
                                    f"got {on_zero!r}")
            if breach is None and not on_zero:
                raise UnitSpecError(f"{where}: gates.{name} can never trip: give it a breach "
                                    "code, or on_zero = true")
            built.append(Gate(str(name), body["cell"], breach, on_zero,
                              str(body.get("law", ""))))
        rules = tuple(built)
    else:
        raise UnitSpecError(f"{where}: gates must be a list of grade_ids, got {raw!r} "
                            '(e.g. gates = ["share_masked_test"])')
    stray = [g.cell for g in rules if g.cell not in cells]
    if stray:
        raise UnitSpecError(f"{where}: gates {stray} are not among this criterion's "
                            "cells; add them to cells or remove them from gates")
    return tuple(g.cell for g in rules if g.on_zero), rules


def _parse_observations(raw: Any, path: Path) -> tuple[ObservationItem, ...]:
    """``[[observation]]`` items: id, criterion, text, requirements."""
    if not isinstance(raw, list):
        raise UnitSpecError(f"{path}: observations are [[observation]] tables, got {raw!r}")
    items, seen = [], set()
    for i, body in enumerate(raw):
        where = f"{path} [[observation]] #{i + 1}"
        if not isinstance(body, dict):
            raise UnitSpecError(f"{where}: must be a table with id, criterion, text")
        oid = _need(body, "id", str, Path(where))
        crit = _need(body, "criterion", str, Path(where))
        reqs = body.get("requirements", [])
        if not isinstance(reqs, list) or not all(isinstance(r, str) for r in reqs):
            raise UnitSpecError(f"{where}: requirements must be a list of ids, got {reqs!r}")
        if oid in seen:
            raise UnitSpecError(f"{where}: observation id {oid!r} is used twice")
        seen.add(oid)
        items.append(ObservationItem(oid, crit, str(body.get("text", "")), tuple(reqs)))
    return tuple(items)


def notebook_cells(unit_dir: Path) -> tuple[dict[str, CellInfo], list[str]]:
    """Every nbgrader cell with a grade_id in the unit's source notebooks.

    Returns:
        (grade_id -> CellInfo, problems) where problems lists duplicate or unreadable cells.
    """
    cells: dict[str, CellInfo] = {}
    problems: list[str] = []
    for nb_path in sorted(Path(unit_dir).glob("*.ipynb")):
        try:
            nb = json.loads(nb_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            problems.append(f"{nb_path.name}: not a readable notebook ({exc})")
            continue
        for cell in nb.get("cells", []):
            meta = cell.get("metadata", {}).get("nbgrader")
            if not meta or "grade_id" not in meta:
                continue
            gid = meta["grade_id"]
            info = CellInfo(gid, nb_path.stem, cell.get("cell_type", ""),
                            bool(meta.get("grade")), bool(meta.get("solution")),
                            bool(meta.get("locked")),
                            float(meta["points"]) if meta.get("grade") and "points" in meta
                            else None)
            if gid in cells:
                problems.append(f"grade_id {gid!r} appears in both {cells[gid].notebook} and "
                                f"{nb_path.stem}: grade_ids must be unique within a unit")
                continue
            cells[gid] = info
    return cells, problems


# Never released, never inside the sandbox: evaluators, answer keys, reference solutions.
GRADING_DIR = "grading"
# Authoring files of a unit folder that trainees never get (nbgrader_config.py ignores
# the same names, so `helper_files` and a release agree).
PRIVATE_NAMES = frozenset({GRADING_DIR, "unit.toml", "__pycache__", ".ipynb_checkpoints",
                           # the instructor's guide: rubrics and the role-play's customer card
                           "INSTRUCTOR.md"})


def helper_files(unit_dir: str | Path) -> list[Path]:
    """The unit's trainee-side files released next to its notebooks (helpers, data).

    Everything in the unit folder except the notebooks and `PRIVATE_NAMES`: so at
    grading time, in a course that was never released, the notebook finds the same
    helper modules the trainee had, and nothing from ``grading/``.
    """
    unit_dir = Path(unit_dir)
    out = []
    for item in sorted(unit_dir.rglob("*")):
        rel = item.relative_to(unit_dir)
        if (not item.is_file() or item.suffix in (".ipynb", ".pyc")
                or any(part in PRIVATE_NAMES or part.startswith(".") for part in rel.parts)):
            continue
        out.append(item)
    return out


_EVALUATOR_RE = re.compile(r"^\s*@(?:\w+\.)*evaluator\(", re.MULTILINE)


def evaluator_registrations(path: str | Path) -> bool:
    """Whether a Python file registers evaluators (a line starting ``@evaluator(``)."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return bool(_EVALUATOR_RE.search(text))


def leaky_helpers(unit_dir: str | Path) -> list[str]:
    """Released helper modules of a unit that register evaluators (they belong in grading/)."""
    return [str(item.relative_to(unit_dir)) for item in helper_files(unit_dir)
            if item.suffix == ".py" and evaluator_registrations(item)]


_LIST_EVALUATORS = """
import json, sys
from pathlib import Path
from autograders.checks import load_evaluators
code, spec, base = sys.argv[1], sys.argv[2] or None, Path(sys.argv[3])
print(json.dumps(sorted(load_evaluators(code, spec, base_dir=base))))
"""


def _evaluator_ids(spec: UnitSpec, unit_dir: Path) -> tuple[set[str] | None, str | None]:
    """grade_ids that have an evaluator, or (None, why) when they cannot be loaded.

    Loaded in a fresh interpreter: the evaluator registry is per process, so an earlier
    import (another unit, an older version of the file) must not hide a missing evaluator.
    """
    proc = subprocess.run(
        [sys.executable, "-c", _LIST_EVALUATORS, spec.code, spec.evaluators or "",
         str(unit_dir)], capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        return None, lines[-1] if lines else f"exit code {proc.returncode}"
    try:
        return set(json.loads(proc.stdout.strip().splitlines()[-1])), None
    except (ValueError, IndexError):
        return None, f"unexpected output {proc.stdout[-200:]!r}"


def _sufficiency_holes(spec: UnitSpec) -> list[str]:
    """Each P id needs a minimum on a graded cell; mixed criteria need K and P thresholds.

    So no criterion can be met by knowledge points alone, or with a requirement's
    performance evidence missing (issue: fully compensatory scoring).
    """
    holes = []
    for rid, gids in spec.requirements.items():
        if not rid.startswith("P"):
            continue
        graded = [(spec.criterion_of(g), g) for g in gids if spec.criterion_of(g)]
        if graded and not any(g in spec.criteria[c].minimums for c, g in graded):
            c0, g0 = graded[0]
            holes.append(f"requirement {rid} has no minimum on its evidence "
                         f"({', '.join(g for _, g in graded)}): add "
                         f"minimums = {{ {g0} = 0.5 }} to [criteria.\"{c0}\"]")
    for crit in spec.criteria.values():
        kinds = {spec.evidence_kind(g) for g in crit.cells}
        for kind, val in (("K", crit.k_threshold), ("P", crit.p_threshold)):
            if kind in kinds and val is None:
                holes.append(f"criteria.{crit.id} has {kind} cells but no "
                             f"{kind.lower()}_threshold: add {kind.lower()}_threshold = 0.6")
    known_acs = set(spec.criteria)
    for item in spec.observations:
        if item.criterion not in known_acs:
            holes.append(f"observation {item.id!r}: criterion {item.criterion!r} is not in "
                         "unit.toml")
        for rid in item.requirements:
            if rid not in spec.requirements:
                holes.append(f"observation {item.id!r}: requirement {rid!r} is not in "
                             "[requirements]")
    return holes


def check_unit(unit_dir: str | Path) -> CheckReport:
    """Validate one unit directory against its notebooks and the docs/units.md catalogue.

    Every hole is collected (not just the first), each phrased as the fix to make.
    """
    unit_dir = Path(unit_dir)
    report = CheckReport(code=unit_dir.name)
    try:
        spec = load_unit_spec(unit_dir)
    except UnitSpecError as exc:
        report.holes.append(str(exc))
        return report
    holes = report.holes
    if spec.code != unit_dir.name:
        holes.append(f"unit.toml code {spec.code!r} differs from its directory name "
                     f"{unit_dir.name!r}")
    cells, problems = notebook_cells(unit_dir)
    holes.extend(problems)
    if not cells and not problems:
        holes.append(f"no notebooks with nbgrader cells in {unit_dir}")

    catalogue = REQUIREMENTS.get(spec.code)
    if catalogue is None:
        report.notes.append(f"{spec.code} is not in docs/units.md: requirement coverage checked "
                            "only against unit.toml itself")
        expected_reqs = [r for r in spec.requirements if REQ_ID_RE.fullmatch(r)]
        expected_acs = list(spec.criteria)
    else:
        expected_reqs = [r for r in catalogue if not r.startswith("AC-")]
        expected_acs = [r for r in catalogue if r.startswith("AC-")]
    for rid in expected_reqs:
        if not spec.requirements.get(rid):
            holes.append(f"requirement {rid} has no cell: add `{rid} = [\"<grade_id>\", ...]` "
                         "under [requirements]")
    for rid in spec.requirements:
        if not REQ_ID_RE.fullmatch(rid):
            holes.append(f"requirements.{rid}: not a K/P/X id (criteria go under "
                         "[criteria.\"AC-…\"])")
        elif catalogue is not None and rid not in catalogue:
            holes.append(f"requirements.{rid}: {spec.code} has no requirement {rid} "
                         "in docs/units.md")
    for cid in expected_acs:
        if cid not in spec.criteria:
            holes.append(f"criterion {cid} is missing: add [criteria.\"{cid}\"] with text, "
                         "threshold and cells")
        elif not spec.criteria[cid].cells:
            holes.append(f"criterion {cid} has no graded cells")
    for cid in spec.criteria:
        if not AC_ID_RE.fullmatch(cid) or (catalogue is not None and cid not in catalogue):
            holes.append(f"criteria.{cid}: not an assessment criterion of {spec.code}")

    for rid, gids in spec.requirements.items():
        for gid in gids:
            if gid not in cells:
                holes.append(f"requirements.{rid} references cell {gid!r}, which is in no "
                             "notebook of the unit")
    owners: dict[str, list[str]] = {}
    for crit in spec.criteria.values():
        for gid, pts in crit.cells.items():
            owners.setdefault(gid, []).append(crit.id)
            info = cells.get(gid)
            if info is None:
                holes.append(f"criteria.{crit.id} references cell {gid!r}, which is in no "
                             "notebook of the unit")
            elif not info.grade:
                holes.append(f"criteria.{crit.id} scores cell {gid!r}, which is not graded "
                             "(set grade: true in its nbgrader metadata)")
            elif info.points is None or not math.isclose(info.points, pts):
                holes.append(f"cell {gid!r}: unit.toml gives {pts:g} points but the notebook "
                             f"metadata says {info.points}")
    holes.extend(_sufficiency_holes(spec))
    for gid, crits in owners.items():
        if len(crits) > 1:
            holes.append(f"cell {gid!r} is scored by {len(crits)} criteria ({', '.join(crits)}):"
                         " a graded cell belongs to exactly one criterion")
    for gid, info in cells.items():
        if info.grade and gid not in owners:
            holes.append(f"graded cell {gid!r} ({info.notebook}) maps to no criterion: add it "
                         "to the cells of one [criteria.\"AC-…\"]")

    tests = sorted(g for g, i in cells.items() if i.kind == "test")
    have, why = _evaluator_ids(spec, unit_dir)
    if have is None:
        holes.append(f"evaluators of {spec.code} could not be loaded: {why}")
    else:
        for gid in tests:
            if gid not in have:
                holes.append(f"graded test cell {gid!r} has no evaluator: register one with "
                             f"@evaluator({spec.code!r}, {gid!r})")
    for leak in leaky_helpers(unit_dir):
        holes.append(f"{leak} is released to trainees but registers evaluators: move it "
                     f"into {GRADING_DIR}/")
    from autograders.quizcheck import longest_key_warning

    warning = longest_key_warning(unit_dir)
    if warning:
        report.notes.append(warning)
    n_manual = sum(1 for i in cells.values() if i.kind == "manual")
    report.summary = (f"{spec.code}: {len(spec.requirements)} requirement ids, "
                      f"{len(spec.criteria)} criteria, {len(tests)} autograded cells, "
                      f"{n_manual} manually graded, "
                      f"{sum(c.max_points for c in spec.criteria.values()):g} points")
    return report
