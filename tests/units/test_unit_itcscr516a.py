"""Evaluators of unit ITCSCR516A: exact marks for correct, partial, wrong and hostile work.

Evaluators are called directly through a real `EvalContext` on companies of the unit's
size (1,500 customers: the grading thresholds are set for it), built once. One slow test
grades the real notebooks end to end through the sandbox.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from unit_loader import evaluators_module, helper_module
from unit_notebooks import (
    cell_sources,
    cells_with_outputs,
    graded_code_cells,
    run_cell,
    solution_cells,
)

from autograders.checks import EvalContext, registered, to_plain
from autograders.sandbox.limits import Limits
from crm_sim.scenario import Scenario
from crm_sim.world import World

UNIT_DIR = Path(__file__).resolve().parents[2] / "course" / "units" / "ITCSCR516A"
U = evaluators_module("ITCSCR516A")
desk = helper_module("ITCSCR516A", "perception_desk")
NOTEBOOKS = ("01_service_atmosphere", "02_programmes_and_growth", "03_measure_and_review")
TRAINEE = "t-516a"


# --------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def ctx():
    """A context whose trainee and unseen companies are built once (unit size)."""
    c = EvalContext(unit="ITCSCR516A", trainee_id=TRAINEE, trainee_seed=51, hidden_seed=52,
                    limits=Limits(cell_timeout_s=30, memory_mb=1536))
    c._cache["trainee"] = World.build(Scenario(seed=51, n_customers=1500))
    c._cache["hidden"] = World.build(Scenario(seed=52, n_customers=1500))
    return c


@pytest.fixture(scope="module")
def cells() -> dict[str, str]:
    """grade_id -> source of every cell of the unit's source notebooks."""
    return cell_sources(UNIT_DIR, NOTEBOOKS)


@pytest.fixture(scope="module")
def ev():
    """The unit's evaluators by grade_id."""
    return registered("ITCSCR516A")


def artefact(cells: dict[str, str], ctx, exercise: str, name: str, variant: str = "full",
             ns: dict | None = None):
    """The value a solution cell (or a VARIANTS replacement) hands in, as plain data."""
    ns = ns if ns is not None else {}
    ns.setdefault("desk", desk)
    ns.setdefault("pd", pd)
    ns.setdefault("world", ctx.trainee_world())
    widget = f"{exercise}_widget"
    if widget in cells:
        run_cell(cells[widget], ns)
    impl = f"{exercise}_impl"
    run_cell(U.VARIANTS[variant][impl] if variant != "full" else cells[impl], ns)
    return to_plain(ns[name])


# --------------------------------------------------------------------- structure
def test_every_test_cell_has_an_evaluator(ev):
    """Each graded code cell of the notebooks is registered, and nothing else is."""
    assert graded_code_cells(UNIT_DIR, NOTEBOOKS) == set(ev)


def test_unit_spec_check_passes():
    """`crm-course check` finds no hole in the unit (ids mapped, points agree)."""
    from autograders.unitspec import check_unit

    report = check_unit(UNIT_DIR)
    assert report.ok, report.holes


def test_variants_name_real_solution_cells(cells):
    """Every VARIANTS key is a solution cell of the notebooks."""
    solution_ids = solution_cells(UNIT_DIR, NOTEBOOKS)
    for variant in U.VARIANTS.values():
        assert set(variant) <= solution_ids


def test_notebooks_have_no_outputs():
    """Source notebooks are committed without outputs or execution counts."""
    assert cells_with_outputs(UNIT_DIR, NOTEBOOKS) == []


def test_helper_holds_no_key():
    """The released helper registers no evaluator and names no answer key."""
    text = (UNIT_DIR / "perception_desk.py").read_text()
    for secret in ("MC_KEYS", "@evaluator", "RUBRICS", "VARIANTS"):
        assert secret not in text


# --------------------------------------------------------------------- knowledge
@pytest.mark.parametrize("gid", sorted(U.MC_KEYS))
def test_multiple_choice_key_and_wrong_letter(gid, ev, ctx, cells, monkeypatch):
    """The notebook's answer (in the trainee's option order) scores 1, another letter 0."""
    from crm_sim.ui.quiz import shown_letter

    monkeypatch.setenv("CRM_TRAINEE_ID", ctx.trainee_id)
    ns = run_cell(cells[gid.replace("_test", "_answer")], {"shown_letter": shown_letter})
    value = next(v for k, v in ns.items() if k.startswith("answer_"))
    assert ev[gid](value, ctx).score == 1.0
    wrong = next(x for x in "abcd" if x != value)
    verdict = ev[gid](wrong, ctx)
    assert verdict.score == 0.0
    assert f'"{U.MC_KEYS[gid]}"' not in verdict.message


def test_own_company_question_follows_the_trainee_data(ev, ctx, cells, monkeypatch):
    """The lowest-NPS segment of the trainee's own survey scores 1; the highest scores 0."""
    from crm_sim.ui.quiz import shown_letter

    monkeypatch.setenv("CRM_TRAINEE_ID", ctx.trainee_id)
    ns = {"shown_letter": shown_letter, "desk": desk, "world": ctx.trainee_world()}
    run_cell(cells["survey_show"], ns)
    run_cell(cells["q_own_k1_answer"], ns)
    assert ev["q_own_k1_test"](ns["answer_own_k1"], ctx).score == 1.0
    run_cell(U.VARIANTS["wrong"]["q_own_k1_answer"], ns)
    assert ev["q_own_k1_test"](ns["answer_own_k1"], ctx).score == 0.0


@pytest.mark.parametrize("gid, answer, expected", [
    ("prof_x1_test", {"choice": "b", "reasons": ["image_daily", "coach_not_blame",
                                                 "team_learns"]}, 1.0),
    ("prof_x1_test", {"choice": "b", "reasons": ["image_daily", "targets_first"]}, 0.5),
    ("prof_x1_test", {"choice": "d", "reasons": ["targets_first"]}, 0.0),
    ("prof_x2_test", {"choice": "c", "reasons": ["fair_to_all", "margin_matters"]},
     0.5 + 0.5 * 2 / 3),
    ("prof_x2_test", {"choice": "a", "reasons": ["keep_at_any_cost"]}, 0.0),
])
def test_judgement_marks(gid, answer, expected, ev, ctx):
    """Half for the choice, half for the justification net of wrong reasons."""
    assert ev[gid](answer, ctx).score == pytest.approx(expected)


def test_judgement_breach_is_reported(ev, ctx):
    """Handing over a partner's marketing list is a breach the AC-ii gate names."""
    verdict = ev["prof_x2_test"]({"choice": "d", "reasons": []}, ctx)
    assert verdict.score == 0.0
    assert verdict.breaches and verdict.breaches[0].startswith("data_passed_without_consent")


# --------------------------------------------------------------------- performance cells
EXERCISES = {
    "atmosphere_test": ("atmosphere", "standards"),
    "view_test": ("view", "customer_view"),
    "portfolio_test": ("portfolio", "portfolio"),
    "uplift_test": ("uplift", "uplift_answer"),
}


@pytest.mark.parametrize("gid", sorted(EXERCISES))
def test_source_solution_scores_full(gid, ev, ctx, cells):
    """The notebook's own (no-code) solution earns full marks."""
    exercise, name = EXERCISES[gid]
    verdict = ev[gid](artefact(cells, ctx, exercise, name), ctx)
    assert verdict.score == 1.0, verdict.message


def test_growth_plan_solution_scores_full(ev, ctx, cells):
    """The growth planner's solution (with the portfolio loaded) meets both targets."""
    ns: dict = {}
    artefact(cells, ctx, "portfolio", "portfolio", ns=ns)
    verdict = ev["grow_test"](artefact(cells, ctx, "grow", "plan", ns=ns), ctx)
    assert verdict.score == 1.0, verdict.message


@pytest.mark.parametrize("gid, variant, expected", [
    ("atmosphere_test", "partial", 0.65),      # kept, cheap; one segment, unpromoted, no staff
    ("atmosphere_test", "wrong", 0.0),         # a discount is not a service standard
    ("view_test", "partial", 0.6),             # 6 of 8 must-haves, not lean
    ("portfolio_test", "partial", 0.625),      # news only: perception, a few new, no loyalty
    ("portfolio_test", "wrong", 0.0),          # a give-away
    ("grow_test", "partial", 0.5),             # referral reward only: new customers, no loyalty
    ("grow_test", "wrong", 0.0),               # contacts without consent
    ("uplift_test", "partial", 0.8),           # right method, figure not its own
    ("uplift_test", "wrong", 0.0),             # survey scores of respondents, before/after
])
def test_variant_exact_points(gid, variant, expected, ev, ctx, cells):
    """The partial and wrong variants earn exactly the points they were designed for."""
    exercise, name = {**EXERCISES, "grow_test": ("grow", "plan")}[gid]
    verdict = ev[gid](artefact(cells, ctx, exercise, name, variant), ctx)
    assert verdict.score == pytest.approx(expected), verdict.message
    assert verdict.message


def test_view_with_hkid_is_a_breach(ev, ctx):
    """A shared view that shows HKID numbers scores 0 and reports the gated breach."""
    view = desk.customer_view_source(ctx.trainee_world())
    verdict = ev["view_test"](to_plain(view), ctx)
    assert verdict.score == 0.0
    assert verdict.breaches[0].startswith("identifier_in_shared_view")


def test_growth_without_consent_is_a_breach(ev, ctx, cells):
    """The wrong growth plan markets without consent: 0 and the AC-iii gate's breach."""
    verdict = ev["grow_test"](artefact(cells, ctx, "grow", "plan", "wrong"), ctx)
    assert verdict.breaches[0].startswith("marketing_without_consent")


def test_portfolio_graded_on_the_unseen_company(ev, ctx, cells):
    """The same portfolio is scored from the unseen company's figures, not the trainee's."""
    plan = artefact(cells, ctx, "portfolio", "portfolio")
    hidden = U.portfolio_verdict(plan, ctx.hidden_world()).evidence
    own = U.portfolio_verdict(plan, ctx.trainee_world()).evidence
    assert ev["portfolio_test"](plan, ctx).evidence == hidden
    assert hidden["new_ratio"] != own["new_ratio"]


# --------------------------------------------------------------------- hostile artefacts
HOSTILE = {
    "give_everything_away": [
        {"kind": "long_term_discount", "params": {"discount": 0.5, "min_tenure_months": 0}},
        {"kind": "member_rewards", "params": {"points_rate": 0.2}},
        {"kind": "trade_in", "params": {"credit": 0.5}},
        {"kind": "referral_rewards", "params": {"reward_hkd": 2000}},
        {"kind": "service_pledge", "params": {"response_hours": 4, "advertise_hkd": 500000}},
        {"kind": "staff_training", "params": {"hours_per_staff": 16}},
        {"kind": "complaint_recovery", "params": {"goodwill_hkd": 5000, "resolve_days": 1}}],
    "absurd_values": [{"kind": "news", "params": {"per_month": 1e308}},
                      {"kind": "member_rewards", "params": {"points_rate": -5}}],
    "nan_value": [{"kind": "trade_in", "params": {"credit": float("nan")}}],
    "unknown_kind": [{"kind": "free_money", "params": {}}],
    "thousand_programmes": [{"kind": "news", "segments": ["sme"]}] * 1000,
    "growth_plan_absurd": {"kind": "growth_plan", "programmes": [], "respects_consent": True,
                           "shared_view": True, "contacts": [
                               {"segment": "sme", "channel": "visit", "per_month": 10**9,
                                "purpose": "retention"}]},
    "growth_plan_string_flags": {"kind": "growth_plan", "programmes": [],
                                 "respects_consent": "yes", "shared_view": 1, "contacts": []},
    "uplift_claims_truth": {"kind": "uplift_method", "outcome": "bought", "method": "oracle",
                            "sample": "all", "level": 0.95, "estimate": 0.05},
    "uplift_level_absurd": {"kind": "uplift_method", "outcome": "bought", "method": "arms",
                            "sample": "all", "level": 0.9999999, "estimate": 0.0},
    "view_of_junk": [{"customer_id": "X" * 10_000}] * 3,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_artefact_earns_nothing(name, ev, ctx):
    """Each decision evaluator gives a hostile artefact 0 and a message, without raising."""
    for gid in ("atmosphere_test", "view_test", "portfolio_test", "grow_test", "uplift_test"):
        verdict = ev[gid](HOSTILE[name], ctx)
        assert verdict.score == 0.0, (gid, verdict.message)
        assert verdict.message


def test_tampered_estimate_earns_only_the_method(ev, ctx, cells):
    """A figure typed over the estimator's value loses the own-data points, nothing more."""
    honest = artefact(cells, ctx, "uplift", "uplift_answer")
    tampered = {**honest, "estimate": honest["estimate"] + 0.05}
    assert ev["uplift_test"](honest, ctx).score == 1.0
    assert ev["uplift_test"](tampered, ctx).score == pytest.approx(0.8)


# --------------------------------------------------------------------- end to end
@pytest.mark.slow
def test_notebooks_graded_end_to_end(tmp_path):
    """Full, partial and wrong variants through grade_notebook: per-AC outcome as designed."""
    from unit_grading import criterion_fractions

    from autograders.unitspec import load_unit_spec

    spec = load_unit_spec(UNIT_DIR)
    os.environ.setdefault("MPLBACKEND", "Agg")
    outcome = criterion_fractions("ITCSCR516A", UNIT_DIR, NOTEBOOKS, U.VARIANTS, tmp_path,
                                  secret="s3cret-516a")
    for cid, written in (("AC-i", "mission_written"), ("AC-ii", "review_written")):
        manual = spec.criteria[cid].cells[written] / spec.criteria[cid].max_points
        assert outcome["full"][cid] == pytest.approx(1.0 - manual), cid
        assert outcome["full"][cid] >= spec.criteria[cid].threshold
    assert outcome["full"]["AC-iii"] == pytest.approx(1.0)
    for cid, crit in spec.criteria.items():
        assert outcome["wrong"][cid] < outcome["partial"][cid] < crit.threshold, cid
        assert outcome["wrong"][cid] < 0.2


@pytest.mark.parametrize("gid, edit", [
    ("portfolio_test", lambda c: c.update(source='submit("portfolio_test", [])')),
    ("grow_test", lambda c: c.update(source="desk.growth_check = lambda *a: []\n"
                                            + "".join(c["source"]))),
    ("uplift_test", lambda c: c["metadata"]["nbgrader"].update(points=50)),
])
def test_tampered_test_cell_is_caught(gid, edit, tmp_path):
    """Editing a released test cell (or its points) marks it tampered; the source runs."""
    import copy
    import json

    from autograders.sandbox.limits import Limits as L
    from autograders.sandbox.prepare import (
        prepare,
        read_source,
        read_submission,
        released_notebook,
    )

    name = next(n for n in NOTEBOOKS if gid in (UNIT_DIR / f"{n}.ipynb").read_text())
    source = read_source(UNIT_DIR / f"{name}.ipynb")
    released = json.loads(nbformat.writes(released_notebook(source)))
    sub = copy.deepcopy(released)
    cell = next(c for c in sub["cells"] if c["metadata"]["nbgrader"].get("grade_id") == gid)
    edit(cell)
    path = tmp_path / "sub.ipynb"
    path.write_text(json.dumps(sub))
    submission, _ = read_submission(path, L())
    test = prepare(source, submission).tests[gid]
    assert test.problem == "tampered", test.message


def _decision(spec, points: dict[str, float], evidence: dict[str, dict] | None = None):
    """The competency decision for cells scoring `points` (share of max; default full)."""
    from autograders.reports.competency import decide

    cells = [{"grade_id": gid, "notebook": "nb", "max_points": pts,
              "points": pts * points.get(gid, 1.0), "status": "passed", "message": "",
              "evidence": (evidence or {}).get(gid, {})}
             for crit in spec.criteria.values() for gid, pts in crit.cells.items()]
    row = {"trainee_id": "T1", "unit": "ITCSCR516A", "notebook": "nb", "status": "graded",
           "reason": "", "world_seed": 1, "graded_at": "2026-11-30T09:00:00+00:00",
           "result": {"cells": cells, "status": "graded"}}
    return {c.id: c for c in decide(spec, "T1", [row], {}).criteria}


def _holds(criterion) -> bool:
    """Every rule of the criterion holds but observations nobody has signed yet."""
    return criterion.met or criterion.awaiting_observation


def test_every_gate_trips_its_criterion_however_padded():
    """A reported breach fails its criterion even when every cell has full points."""
    from autograders.results import BREACHES_KEY
    from autograders.unitspec import load_unit_spec

    spec = load_unit_spec(UNIT_DIR)
    assert all(_holds(c) for c in _decision(spec, {}).values())
    for cid, crit in spec.criteria.items():
        for gate in crit.gate_rules:
            decision = _decision(spec, {}, {gate.cell: {BREACHES_KEY: [
                f"{gate.breach}: found in a test submission"]}})
            assert not _holds(decision[cid]), (cid, gate.breach)
            assert all(_holds(d) for other, d in decision.items() if other != cid)


def test_every_minimum_trips_its_criterion():
    """A P id's main evidence below its floor fails the criterion, the rest full."""
    from autograders.unitspec import load_unit_spec

    spec = load_unit_spec(UNIT_DIR)
    for cid, crit in spec.criteria.items():
        for gid, floor in crit.minimums.items():
            decision = _decision(spec, {gid: floor * 0.5})
            assert not _holds(decision[cid]), (cid, gid)
            assert [c.name for c in decision[cid].minimum_checks if not c.met] == [gid]
