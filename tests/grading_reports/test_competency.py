"""Competency decisions from hand-built results: thresholds, pending, never a silent zero."""

from __future__ import annotations

from autograders.reports.competency import COMPETENT, NOT_YET, csv_rows, decide

from .conftest import MANUAL_DONE, good_cells, partial_cells, row, wrong_cells


def test_good_is_competent_once_manually_graded(spec):
    """Full autograded marks + a manual grade: Competent on every criterion and the unit."""
    d = decide(spec, "T1", [row("T1", good_cells())], MANUAL_DONE)
    assert [(c.id, c.points, c.met) for c in d.criteria] == [("AC-i", 5, True),
                                                             ("AC-ii", 4, True)]
    assert d.decision == COMPETENT and d.competent
    assert d.world_seed == 42 and d.graded_at.startswith("2026-11-26")


def test_pending_manual_grade_is_not_a_silent_zero(spec):
    """Without the manual grade the decision says what is pending."""
    d = decide(spec, "T1", [row("T1", good_cells())])
    assert d.decision == f"{NOT_YET} (pending: manual grade of written_reflection)"
    cell = d.criteria[1].cells[1]
    assert cell.pending == "manual grade of written_reflection"


def test_partial_meets_one_criterion(spec):
    """3.5/5 meets AC-i's 0.6; 1/4 misses AC-ii's 0.5 even with 0 manual points."""
    manual0 = {"written_reflection": {"score": 0.0, "manual": 0.0, "needs_manual": False}}
    d = decide(spec, "T2", [row("T2", partial_cells())], manual0)
    assert [(c.id, c.points, c.verdict) for c in d.criteria] == [
        ("AC-i", 3.5, COMPETENT), ("AC-ii", 1.0, NOT_YET)]
    assert d.decision == NOT_YET


def test_threshold_boundary_is_inclusive(spec):
    """Exactly the threshold fraction (2/4 = 0.5) meets the criterion."""
    manual0 = {"written_reflection": {"score": 0.0, "manual": 0.0, "needs_manual": False}}
    d = decide(spec, "T1", [row("T1", good_cells())], manual0)
    assert d.criteria[1].fraction == 0.5 and d.criteria[1].met


def test_wrong_is_not_yet_competent(spec):
    """Zero everywhere: NYC on both criteria."""
    manual0 = {"written_reflection": {"score": 0.0, "manual": 0.0, "needs_manual": False}}
    d = decide(spec, "T3", [row("T3", wrong_cells())], manual0)
    assert not any(c.met for c in d.criteria) and d.decision == NOT_YET


def test_timed_out_submission_is_pending_with_reason(spec):
    """A non-graded status makes the decision pending with its reason."""
    cells = good_cells()[:1]
    d = decide(spec, "T4", [row("T4", cells, "timed_out", "timed out in cell squares_impl")],
               MANUAL_DONE)
    assert "pending: fixture1: timed_out (timed out in cell squares_impl)" in d.decision
    assert d.criteria[0].cells[1].status == "not_run"


def test_no_result_for_a_notebook_is_pending(spec):
    """An expected notebook without any result is 'not graded yet'."""
    d = decide(spec, "T5", [], expected_notebooks=["fixture1"])
    assert d.decision == f"{NOT_YET} (pending: fixture1: not graded yet)"


def test_gradebook_override_wins_over_result(spec):
    """A score changed in the gradebook (manual override) is the one reported."""
    scores = dict(MANUAL_DONE, mean_test={"score": 0.0, "manual": 0.0, "needs_manual": False})
    d = decide(spec, "T1", [row("T1", good_cells())], scores)
    assert d.criteria[0].points == 3.0


def test_evidence_and_answers_flow_to_cells(spec):
    """Evaluator evidence (incl. hidden-seed results) and written answers reach the record."""
    d = decide(spec, "T1", [row("T1", good_cells())], MANUAL_DONE,
               answers={"written_reflection": "PDPO needs consent."})
    cells = {c.grade_id: c for crit in d.criteria for c in crit.cells}
    assert cells["squares_test"].evidence == {"hidden_sizes_correct": 2}
    assert cells["written_reflection"].answer == "PDPO needs consent."
    assert cells["written_reflection"].status == "manually graded"
    assert cells["written_reflection"].message == "graded by the assessor: 2 / 2"


def test_csv_rows_one_per_criterion(spec):
    """The CSV form has one row per trainee per criterion with the unit decision."""
    d = decide(spec, "T1", [row("T1", good_cells())], MANUAL_DONE)
    rows = csv_rows([d])
    assert [(r["criterion"], r["criterion_verdict"], r["unit_decision"]) for r in rows] == [
        ("AC-i", COMPETENT, COMPETENT), ("AC-ii", COMPETENT, COMPETENT)]


def test_zero_on_a_gate_cell_fails_the_criterion_whatever_the_total(spec):
    """A gate cell scoring zero (e.g. a leaked HKID) makes the criterion NYC; partial is fine."""
    import dataclasses

    gated = dataclasses.replace(spec.criteria["AC-i"], gates=("squares_test",))
    gspec = dataclasses.replace(spec, criteria={**spec.criteria, "AC-i": gated})
    leaked = [c if c["grade_id"] != "squares_test" else {**c, "points": 0, "status": "failed"}
              for c in good_cells()]
    d = decide(gspec, "T2", [row("T2", leaked)], MANUAL_DONE)
    ac_i = d.criteria[0]
    assert ac_i.fraction == 0.4 and ac_i.failed_gates == ["squares_test"] and not ac_i.met
    gspec_low = dataclasses.replace(gspec, criteria={**gspec.criteria, "AC-i": dataclasses.replace(
        gated, threshold=0.4)})
    d = decide(gspec_low, "T2", [row("T2", leaked)], MANUAL_DONE)
    assert d.criteria[0].fraction >= d.criteria[0].threshold     # the total alone would pass
    assert d.criteria[0].verdict == NOT_YET
    partial = decide(gspec, "T3", [row("T3", partial_cells())], MANUAL_DONE)
    assert partial.criteria[0].met and partial.criteria[0].failed_gates == []  # 1.5/3 is no zero


def _missing_second_notebook(spec):
    """T5 handed in fixture1 only; the written answer lives in fixture2, never handed in."""
    cells = [c for c in good_cells() if c["grade_id"] != "written_reflection"]
    missing = dict(row("T5", [], status="missing",
                       reason="no submission file was found for this notebook"),
                   notebook="fixture2")
    scores = {"written_reflection": {"score": 0.0, "manual": None, "needs_manual": True}}
    return decide(spec, "T5", [row("T5", cells), missing], scores,
                  notebook_of={"written_reflection": "fixture2"})


def test_written_answer_of_a_notebook_never_handed_in_says_missing(spec):
    """A manual cell of a notebook not handed in reads 'missing', not 'manual grade pending'."""
    d = _missing_second_notebook(spec)
    cell = d.criteria[1].cells[1]
    assert cell.status == "not handed in"
    assert cell.pending == "notebook fixture2 missing (not handed in)"
    assert d.decision == f"{NOT_YET} (pending: fixture2: missing (not handed in))"
    assert not any("manual grade" in p for p in d.pending)


def test_competency_page_says_the_notebook_is_missing(spec):
    """The assessor's page names the missing notebook on the cell and never asks for a grade."""
    from autograders.reports.build import environment

    d = _missing_second_notebook(spec)
    html = environment().get_template("competency.html.j2").render(d=d, generated_at="now")
    assert "pending: notebook fixture2 missing (not handed in)" in html
    assert "manual grade of" not in html
