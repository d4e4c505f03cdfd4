"""Evaluators of unit ITCSCR512A: exact marks for correct, partial, wrong and hostile work.

Evaluators are called directly through a real `EvalContext` whose trainee and unseen
companies are built once at the unit's size; the answers come from running the notebooks'
own view and solution cells (`itcscr512a_artefacts`). One slow test grades the real
notebooks end to end through the sandbox.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from itcscr512a_artefacts import (
    NOTEBOOKS,
    UNIT_DIR,
    U,
    artefacts,
    company,
    desk,
    notebook_cells,
    run_cell,
)
from unit_notebooks import cells_with_outputs, graded_code_cells, solution_cells

from autograders.checks import EvalContext, registered
from crm_sim.policy import ChannelRule, ContactPolicy, MonitorRules, starter_policy

CODE = "ITCSCR512A"
# exact points per variant (fractions of each cell's points); written answers are manual
EXPECTED = {
    "full": {g: 1.0 for g in ("policy_test", "deploy_test", "resources_test", "monitor_test",
                               "dashboard_test", "outsourcer_test", "targets_test",
                               "review_test", "prof_x3_test", "prof_x1_test", "prof_p1_test",
                               "prof_x2_test")},
    "partial": {"policy_test": 0.25, "deploy_test": 0.25, "resources_test": 0.25,
                "monitor_test": 0.0, "dashboard_test": 0.25, "outsourcer_test": 0.0,
                "targets_test": 0.5, "review_test": 0.4, "prof_x3_test": 1.0,
                "prof_x1_test": 0.5, "prof_p1_test": 1.0, "prof_x2_test": 1.0},
    "wrong": {"policy_test": 0.0, "deploy_test": 0.25, "resources_test": 0.0,
              "monitor_test": 0.0, "dashboard_test": 0.0, "outsourcer_test": 0.0,
              "targets_test": 0.0, "review_test": 0.0, "prof_x3_test": 0.0,
              "prof_x1_test": 0.0, "prof_p1_test": 0.0, "prof_x2_test": 0.0},
}


@pytest.fixture(scope="module")
def ctx():
    """A context whose trainee and unseen companies are the unit's size, built once."""
    c = EvalContext(unit=CODE, trainee_id="t-512a", trainee_seed=3, hidden_seed=4)
    c._cache["trainee"] = company(3)
    c._cache["hidden"] = company(4)
    return c


@pytest.fixture(scope="module")
def cells() -> dict[str, str]:
    """grade_id -> source of every cell of the unit's notebooks."""
    return notebook_cells()


@pytest.fixture(scope="module")
def ev():
    """The unit's evaluators by grade_id."""
    return registered(CODE)


@pytest.fixture(scope="module")
def answers(cells):
    """Each variant's answers, made in the trainee's own company by the notebooks' cells."""
    return {v: artefacts(v, company(3), cells) for v in ("full", "partial", "wrong")}


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
    """Notebooks are committed without outputs or execution counts."""
    assert cells_with_outputs(UNIT_DIR, NOTEBOOKS) == []


@pytest.mark.parametrize("variant", ["full", "partial", "wrong"])
def test_variant_scores_exact_points(variant, answers, ev, ctx):
    """Each variant's answers earn exactly the fractions designed for them."""
    got = {g: ev[g](a, ctx).score for g, a in answers[variant].items()}
    assert got == pytest.approx(EXPECTED[variant])


def test_wrong_variant_trips_every_gate(answers, ev, ctx):
    """The wrong answers breach the law where the gates look: policy, X3, X1, targets."""
    wrong = answers["wrong"]
    assert any(b.startswith("policy_breaks_privacy_law")
               for b in ev["policy_test"](wrong["policy_test"], ctx).breaches)
    assert any(b.startswith("policy_breaks_privacy_law")
               for b in ev["targets_test"](wrong["targets_test"], ctx).breaches)
    assert ev["prof_x3_test"](wrong["prof_x3_test"], ctx).breaches[0].startswith(
        "unconsented_agency_campaign")
    assert ev["prof_x1_test"](wrong["prof_x1_test"], ctx).breaches[0].startswith(
        "unconsented_marketing_tolerated")


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
    assert verdict.score == 0.0 and f'"{U.MC_KEYS[gid]}"' not in verdict.message


@pytest.mark.parametrize("trainee", ["own-a", "own-b", "own-c", "own-d"])
def test_own_company_question_answered_from_own_data(trainee, cells, ev, monkeypatch):
    """The notebook's solution to the own-company question is right for each trainee."""
    from crm_sim.trainee import trainee_seed, world_for
    from crm_sim.ui.quiz import shown_letter

    monkeypatch.setenv("CRM_TRAINEE_ID", trainee)
    ctx = EvalContext(unit=CODE, trainee_id=trainee,
                      trainee_seed=trainee_seed(trainee, CODE), hidden_seed=1)
    ns = {"shown_letter": shown_letter,
          "segments": desk.segment_profile(world_for(trainee, CODE))}
    run_cell(cells["q_own_k4_answer"], ns)
    assert ev["q_own_k4_test"](ns["answer_own_k4"], ctx).score == 1.0
    others = [x for x in "abc" if x != ns["answer_own_k4"]]
    assert all(ev["q_own_k4_test"](x, ctx).score == 0.0 for x in others)


def test_own_company_answers_differ_between_trainees():
    """The lowest-consent segment is not the same in every company (no shared key)."""
    from crm_sim.trainee import world_for

    lowest = {desk.segment_profile(world_for(f"own{i:02d}", CODE)).set_index("segment")
              ["ever_consented_%"].idxmin() for i in range(12)}
    assert len(lowest) >= 2


# --------------------------------------------------------------------- professionalism
@pytest.mark.parametrize("gid, answer, expected", [
    ("prof_x3_test", {"choice": "b", "reasons": ["consent_law", "agent_liability",
                                                 "uemo_rules"]}, 1.0),
    ("prof_x3_test", {"choice": "b", "reasons": ["consent_law"]}, 0.5 + 0.5 / 3),
    ("prof_x3_test", {"choice": "B", "reasons": ["cheap_reach"]}, 0.5),
    ("prof_x3_test", {"choice": "d", "reasons": ["agencies_risky"]}, 0.0),
    ("prof_x1_test", {"choice": "c", "reasons": ["honest_records", "law_breached",
                                                 "fair_process", "example_needed"]},
     0.5 + 0.5 * 2 / 3),
    ("prof_p1_test", {"choice": "b", "reasons": ["made_up"]}, 0.5),
    ("prof_x2_test", {"choice": "a", "reasons": ["customer_preference"]}, 0.0),
])
def test_judgement_marks(gid, answer, expected, ev, ctx):
    """Half for the choice, half for the justification net of wrong reasons."""
    assert ev[gid](answer, ctx).score == pytest.approx(expected)


# --------------------------------------------------------------------- the policy
def test_policy_against_the_law_is_a_gate_breach(answers, ev, ctx):
    """Any one privacy rule against the law scores 0 and names the section as a breach."""
    full = ContactPolicy.from_dict(answers["full"]["policy_test"])
    for privacy in (dict(opt_out_days=30), dict(confirm_oral_consent_days=30),
                    dict(outsourcers_check_consent=False), dict(data_minimisation=False)):
        bad = full.replace(privacy=replace(full.privacy, **privacy)).to_dict()
        verdict = ev["policy_test"](bad, ctx)
        assert verdict.score == 0.0 and verdict.breaches, privacy
        assert "PDPO" in verdict.breaches[0] or "UEMO" in verdict.breaches[0]


def test_policy_budget_is_checked_in_the_trainees_own_company(answers, ev, ctx):
    """A budget too small for the trainee's own company costs the quarter for own figures."""
    full = ContactPolicy.from_dict(answers["full"]["policy_test"])
    verdict = ev["policy_test"](full.replace(monthly_budget_hkd=1000.0).to_dict(), ctx)
    assert verdict.score == 0.75 and "budget" in verdict.message


def test_policy_infeasible_in_another_company_loses_half(answers, ev, ctx):
    """Letters to corporate accounts (not a channel used with them) cost a quarter."""
    full = ContactPolicy.from_dict(answers["full"]["policy_test"])
    seg = full.segment("corporate")
    bad = full.with_segment(replace(seg, channels=seg.channels + (
        ChannelRule("letter", 0.01, "service"),)))
    assert ev["policy_test"](bad.to_dict(), ctx).score == 0.75


def test_policy_with_other_segments_scores_zero(answers, ev, ctx):
    """A policy for segments the company does not have is not this company's policy."""
    full = ContactPolicy.from_dict(answers["full"]["policy_test"])
    verdict = ev["policy_test"](full.replace(segments=full.segments[:2]).to_dict(), ctx)
    assert verdict.score == 0.0


def test_deploy_roles_and_key_accounts(answers, ev, ctx):
    """Telesales on corporate accounts, or the key accounts asking least skill, each cost."""
    full = ContactPolicy.from_dict(answers["full"]["policy_test"])
    corp = full.segment("corporate")
    foreign = full.with_segment(replace(corp, staff_roles=corp.staff_roles + ("telesales",)))
    assert ev["deploy_test"](foreign.to_dict(), ctx).score == 0.5
    weak = full.with_segment(replace(corp, min_skill=0.1))
    assert ev["deploy_test"](weak.to_dict(), ctx).score == 0.75


# --------------------------------------------------------------------- resources
@pytest.mark.parametrize("method, expected", [
    ({"handling": "history", "allow_unanswered": True, "productive_share": 0.8}, 1.0),
    ({"handling": "standard", "allow_unanswered": False, "productive_share": 1.0}, 0.0),
    ({"handling": "history", "allow_unanswered": True, "productive_share": 0.3}, 0.0),
])
def test_resource_methods(method, expected, ev, ctx):
    """The careful method earns full marks, the planning convention and absurd shares none."""
    assert ev["resources_test"]({"kind": "resource_method", **method}, ctx).score == expected


# --------------------------------------------------------------------- monitoring
def test_monitor_flag_everyone_is_imprecise(ev, ctx):
    """Flagging anyone with a breach (customer requests too) finds all but scores 0."""
    naive = MonitorRules(excuse_customer_requests=False, min_contacts=0, max_breach_rate=0.0)
    verdict = ev["monitor_test"]({"kind": "monitor", "rules": naive.to_dict()}, ctx)
    assert verdict.score == 0.0 and verdict.evidence["recall"] == 1.0


def test_monitor_without_dishonesty_check_capped(ev, ctx):
    """Sound rules that never look for dishonest entries earn at most half (X1)."""
    rules = MonitorRules(dishonest=False, dishonest_flags=False)
    assert ev["monitor_test"]({"kind": "monitor", "rules": rules.to_dict()}, ctx).score <= 0.5


def test_outsourcers_left_out_score_zero(ev, ctx):
    """Rules that never judge agencies earn nothing for P8."""
    rules = MonitorRules(include_outsourcers=False)
    assert ev["outsourcer_test"]({"kind": "monitor", "rules": rules.to_dict()}, ctx).score == 0


def test_monitor_graded_on_a_copy(ev, ctx):
    """Grading the monitor runs months on a copy: the unseen company's clock stays put."""
    before = ctx.hidden_world().today
    ev["monitor_test"]({"kind": "monitor", "rules": MonitorRules().to_dict()}, ctx)
    assert ctx.hidden_world().today == before and "policy_log" not in ctx.hidden_world().tables


# --------------------------------------------------------------------- targets
def test_unchanged_standard_policy_misses_acquisition(ev, ctx):
    """The company's standard policy as it is meets retention only: a quarter."""
    standard = starter_policy(ctx.hidden_world()).to_dict()
    assert ev["targets_test"](standard, ctx).score == 0.25


@pytest.mark.parametrize("artifact", [None, "policy", {"segments": "x"}, {"kind": "monitor"},
                                      {"segments": [{"segment": "sme"}] * 20},
                                      {"name": "x", "segments": [], "privacy": {"hack": 1}}])
def test_policy_cells_hostile(artifact, ev, ctx):
    """Malformed policies score 0 with a message on every policy cell, without raising."""
    for gid in ("policy_test", "deploy_test", "targets_test"):
        verdict = ev[gid](artifact, ctx)
        assert verdict.score == 0.0 and verdict.message


@pytest.mark.slow
def test_notebooks_graded_end_to_end(tmp_path):
    """Full, partial and wrong variants through grade_notebook: per-AC outcome as designed."""
    from unit_grading import criterion_fractions

    from autograders.unitspec import load_unit_spec

    spec = load_unit_spec(UNIT_DIR)
    outcome = criterion_fractions(CODE, UNIT_DIR, NOTEBOOKS, U.VARIANTS, tmp_path,
                                  secret="s3cret-512a")
    manual = spec.criteria["AC-ii"].cells["culture_written"] / spec.criteria["AC-ii"].max_points
    assert outcome["full"]["AC-i"] == pytest.approx(1.0)
    assert outcome["full"]["AC-ii"] == pytest.approx(1.0 - manual)
    assert outcome["full"]["AC-iii"] == pytest.approx(1.0)
    for cid, crit in spec.criteria.items():
        assert outcome["wrong"][cid] < outcome["partial"][cid] < crit.threshold, cid
        assert outcome["wrong"][cid] < 0.2, cid


def test_release_is_notebooks_and_the_desk(tmp_path):
    """The release holds the three notebooks and the desk only: no key, no guide, no grading/."""
    from test_unit_release import KEY_NAMES
    from unit_loader import REPO

    from autograders.demo import copy_course
    from autograders.release import private_files, release_unit

    course = copy_course(REPO / "course", tmp_path / "course")
    out = release_unit(course, CODE)
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert names == sorted([f"{nb}.ipynb" for nb in NOTEBOOKS] + ["contact_desk.py"])
    assert private_files(out) == []
    text = "\n".join(p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file())
    assert [k for k in (*KEY_NAMES, "REVIEW_KEY", "RUBRICS") if k in text] == []


def test_knowledge_keys_do_not_give_themselves_away():
    """No more than a third of the unit's keys is the longest option (crm-course check)."""
    from autograders.quizcheck import choice_items, longest_key_warning

    items = choice_items(UNIT_DIR)
    assert len([i for i in items if i.answer]) == len(U.MC_KEYS)
    assert longest_key_warning(UNIT_DIR) is None


def test_kpi_chart_runs_the_policy_or_says_why_not(answers, capsys):
    """The desk's KPI chart draws the policy's what-if months; a malformed policy is words."""
    world = company(3)
    view = desk.kpi_chart(world, answers["full"]["targets_test"])
    assert set(view.chart_data) == set(world.scenario.segments)
    assert desk.kpi_chart(world, {"name": "x", "segments": "oops"}) is None
    assert "cannot be run" in capsys.readouterr().out
    assert "kpi_history" not in world.tables           # a what-if changes nothing


def test_targets_bought_by_over_contact_earn_a_quarter_at_most(answers, ev, ctx):
    """Acquisition pushed beyond what customers accept cannot be launched: a quarter at most."""
    pol = ContactPolicy.from_dict(answers["full"]["targets_test"])
    seg = pol.segment("individual")
    flood = pol.with_segment(replace(seg, channels=tuple(
        r for r in seg.channels if r.purpose != "acquisition") + (
        ChannelRule("email", 8.0, "acquisition"),)))
    verdict = ev["targets_test"](flood.to_dict(), ctx)
    assert verdict.score <= 0.25 and "over_contact" in verdict.evidence["issues"]


def test_no_code_trainee_writes_at_most_one_line_per_exercise():
    """Each exercise asks a no-code trainee for clicks and one line taking a view's value."""
    from test_trainee_writes import violations

    assert violations(CODE) == []
