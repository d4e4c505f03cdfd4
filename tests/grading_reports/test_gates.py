"""Critical gates, sufficiency minimums, K/P thresholds and observation in the decision.

Each rule is tripped by a hand-built submission whose total alone would pass, so the
test fails if the rule were ignored (fully compensatory scoring).
"""

from __future__ import annotations

import dataclasses

import pytest

from autograders.observations import ItemRecord, ObservationRecord
from autograders.reports.build import environment
from autograders.reports.competency import COMPETENT, NOT_YET, decide
from autograders.unitspec import Criterion, Gate, ObservationItem, UnitSpec

from .conftest import MANUAL_DONE, good_cells, row


@pytest.fixture
def law_spec() -> UnitSpec:
    """A unit whose AC-i has a breach gate, minimums and K/P thresholds; AC-ii observed."""
    return UnitSpec(
        code="FIXTURE1", title="Fixture unit", level=1, credits=1, industry="ict",
        requirements={"K1": ["mean_test", "written_reflection"], "P1": ["squares_test"],
                      "P2": ["filter_test"]},
        criteria={
            "AC-i": Criterion(
                "AC-i", "Compute figures.", 0.6, {"mean_test": 2.0, "squares_test": 3.0},
                gate_rules=(Gate("no_promotion_without_consent", "squares_test",
                                 "promotion_without_consent", law="PDPO (Cap. 486) s.35E"),),
                minimums={"squares_test": 0.5}, k_threshold=0.5, p_threshold=0.6),
            "AC-ii": Criterion("AC-ii", "Select and explain.", 0.5,
                               {"filter_test": 2.0, "written_reflection": 2.0},
                               minimums={"filter_test": 0.5}, k_threshold=0.0,
                               p_threshold=0.5),
        })


def _with(cells, gid, **change):
    return [c if c["grade_id"] != gid else {**c, **change} for c in cells]


def test_reported_breach_fails_the_criterion_whatever_the_score(law_spec):
    """One reported breach trips the gate on a cell at 95%: NYC, the breach named with its law."""
    cells = _with(good_cells(), "squares_test", points=2.85, status="partial", evidence={
        "breaches": ["promotion_without_consent: a promotion call to C00123 (2026-03-04)"]})
    d = decide(law_spec, "T1", [row("T1", cells)], MANUAL_DONE)
    ac_i = d.criteria[0]
    assert ac_i.fraction > 0.9 and not ac_i.met and d.decision == NOT_YET
    gate = ac_i.gate_checks[0]
    assert not gate.met and "C00123" in gate.detail and "s.35E" in gate.detail
    assert any("no_promotion_without_consent" in r for r in ac_i.reasons)


def test_breach_of_another_code_does_not_trip_the_gate(law_spec):
    """A gate trips only on its own breach code, so gates stay specific."""
    cells = _with(good_cells(), "squares_test",
                  evidence={"breaches": ["identifier_in_shared_table: phone in notes"]})
    d = decide(law_spec, "T1", [row("T1", cells)], MANUAL_DONE)
    assert d.criteria[0].met and d.criteria[0].gate_checks[0].met


def test_zero_gate_declared_as_a_table_trips_on_zero(law_spec):
    """on_zero = true keeps the old meaning: zero on the gate cell fails the criterion."""
    crit = dataclasses.replace(law_spec.criteria["AC-i"], minimums={}, p_threshold=None,
                               k_threshold=None, threshold=0.4, gates=("squares_test",),
                               gate_rules=(Gate("leak", "squares_test", None, True),))
    spec = dataclasses.replace(law_spec, criteria={**law_spec.criteria, "AC-i": crit})
    cells = _with(good_cells(), "squares_test", points=0, status="failed")
    d = decide(spec, "T1", [row("T1", cells)], MANUAL_DONE)
    assert d.criteria[0].fraction >= 0.4 and not d.criteria[0].met
    assert "scored zero" in d.criteria[0].gate_checks[0].detail


def test_missed_minimum_fails_a_criterion_the_total_would_pass(law_spec):
    """squares_test at 1/3 (below its 50% minimum) fails AC-i although P reaches 60%."""
    crit = dataclasses.replace(law_spec.criteria["AC-i"], threshold=0.5, p_threshold=0.3)
    spec = dataclasses.replace(law_spec, criteria={**law_spec.criteria, "AC-i": crit})
    cells = _with(good_cells(), "squares_test", points=1.0, status="partial")
    d = decide(spec, "T1", [row("T1", cells)], MANUAL_DONE)
    ac_i = d.criteria[0]
    assert ac_i.fraction + 1e-9 >= 0.5 and not ac_i.met
    miss = [c for c in ac_i.minimum_checks if not c.met]
    assert miss and "squares_test [P1]" in miss[0].detail and "minimum 50%" in miss[0].detail


def test_knowledge_points_cannot_make_up_for_performance(law_spec):
    """K full, P at 55% (< p_threshold 60%): NYC even with the total at 73% >= 60%."""
    crit = dataclasses.replace(law_spec.criteria["AC-i"], minimums={})
    spec = dataclasses.replace(law_spec, criteria={**law_spec.criteria, "AC-i": crit})
    cells = _with(good_cells(), "squares_test", points=1.65, status="partial")
    d = decide(spec, "T1", [row("T1", cells)], MANUAL_DONE)
    ac_i = d.criteria[0]
    assert ac_i.fraction >= 0.6 and not ac_i.met
    p_check = next(c for c in ac_i.threshold_checks if c.name == "P")
    assert not p_check.met and "performance (P) 55%" in p_check.detail


def test_cells_carry_their_requirement_ids_and_kind(law_spec):
    """The record shows the requirement ids behind each cell and whether it is K or P."""
    d = decide(law_spec, "T1", [row("T1", good_cells())], MANUAL_DONE)
    cells = {c.grade_id: c for cr in d.criteria for c in cr.cells}
    assert (cells["squares_test"].requirements, cells["squares_test"].kind) == (["P1"], "P")
    assert (cells["mean_test"].requirements, cells["mean_test"].kind) == (["K1"], "K")
    assert d.decision == COMPETENT


def _observed(spec: UnitSpec) -> UnitSpec:
    return dataclasses.replace(spec, observations=(
        ObservationItem("open_questions", "AC-ii", "Asks open questions.", ("P2",)),))


def test_unsigned_observation_leaves_the_decision_pending(law_spec):
    """Full marks but an observation not signed: the decision reads pending."""
    spec = _observed(law_spec)
    d = decide(spec, "T1", [row("T1", good_cells())], MANUAL_DONE)
    assert d.decision == f"{NOT_YET} (pending: observation not signed)"
    rec = ObservationRecord({"open_questions": ItemRecord(True, "", "A. Lee", "t")})
    d = decide(spec, "T1", [row("T1", good_cells())], MANUAL_DONE, observation=rec)
    assert "observation not signed" in d.decision


def test_criterion_awaiting_only_its_observation_reads_pending(law_spec):
    """Every other rule met, observation unsigned: the criterion is pending, not failed.

    With a minimum also missed, it is Not Yet Competent: pending never hides a failure.
    """
    from autograders.reports.competency import PENDING_OBSERVATION

    spec = _observed(law_spec)
    d = decide(spec, "T1", [row("T1", good_cells())], MANUAL_DONE)
    observed = d.criteria[1]
    assert observed.verdict == PENDING_OBSERVATION and not observed.met
    assert all(c.verdict != PENDING_OBSERVATION for c in d.criteria if c is not observed)
    assert [ch.pending for ch in observed.checks if not ch.met] == [True]
    cells = good_cells()
    low = next(c for c in cells if c["grade_id"] in observed.minimums)
    low["points"] = 0.0
    d = decide(spec, "T1", [row("T1", cells)], MANUAL_DONE)
    assert d.criteria[1].verdict == NOT_YET


def test_signed_observation_decides(law_spec):
    """Signed and met: Competent; signed and not met: the criterion fails naming the item."""
    spec = _observed(law_spec)
    met = ObservationRecord({"open_questions": ItemRecord(True, "good", "A. Lee", "t")},
                            "A. Lee", "2026-11-30T09:00:00Z")
    d = decide(spec, "T1", [row("T1", good_cells())], MANUAL_DONE, observation=met)
    assert d.decision == COMPETENT and d.observation_signed.startswith("A. Lee")
    missed = dataclasses.replace(met, items={"open_questions": ItemRecord(False, "closed "
                                                                          "questions only")})
    d = decide(spec, "T1", [row("T1", good_cells())], MANUAL_DONE, observation=missed)
    assert d.decision == NOT_YET and not d.criteria[1].met
    assert any("open_questions" in r and "NOT met" in r for r in d.criteria[1].reasons)


def test_record_html_names_breach_minimums_and_observation(law_spec):
    """The printable record shows the breached gate, the minimums and the checklist block."""
    spec = _observed(law_spec)
    cells = _with(good_cells(), "squares_test", evidence={
        "breaches": ["promotion_without_consent: C00123"]})
    d = decide(spec, "T1", [row("T1", cells)], MANUAL_DONE)
    html = environment().get_template("competency.html.j2").render(d=d, generated_at="now")
    assert "BREACHED" in html and "promotion_without_consent: C00123" in html
    assert "squares_test [P1]" in html and "Observation checklist" in html
    assert "crm-course observe T1 FIXTURE1" in html and "not signed" in html


def test_breach_lists_in_evidence_of_wrong_type_are_ignored(law_spec):
    """A malformed breaches value (not a list) reports nothing rather than crashing."""
    cells = _with(good_cells(), "squares_test", evidence={"breaches": "oops"})
    d = decide(law_spec, "T1", [row("T1", cells)], MANUAL_DONE)
    assert d.criteria[0].met



def test_grading_keeps_reported_breaches_beyond_the_evidence_cap():
    """A Verdict's breaches reach the cell's evidence even when its evidence is dropped."""
    from autograders.results import Verdict
    from autograders.sandbox.grade import _judge

    huge = {"rows": [{f"k{i}": ["x" * 190] * 50 for i in range(50)} for _ in range(50)]}
    base = {"grade_id": "g", "notebook": "nb", "max_points": 2.0, "points": 0.0}
    res = _judge(lambda v, c: Verdict(0.9, "ok", huge, breaches=[
        "promotion_without_consent: C1"]), None, None, base)
    assert res.points == 1.8 and "evidence_dropped" in res.evidence
    assert res.evidence["breaches"] == ["promotion_without_consent: C1"]


def test_csv_row_says_why_a_criterion_is_not_met(law_spec):
    """The competency CSV carries the named breach in its why column; empty when met."""
    from autograders.reports.competency import csv_rows

    cells = _with(good_cells(), "squares_test", evidence={
        "breaches": ["promotion_without_consent: C00123"]})
    rows = csv_rows([decide(law_spec, "T1", [row("T1", cells)], MANUAL_DONE)])
    assert "no_promotion_without_consent" in rows[0]["why"] and "C00123" in rows[0]["why"]
    assert rows[1]["why"] == ""
