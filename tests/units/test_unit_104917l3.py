"""Unit 104917L3: its text in both languages, and exact marks for right, partial and wrong work.

Evaluators are called directly through a real `EvalContext` on small timepiece worlds;
one slow test grades the real notebooks end to end.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from unit_loader import evaluators_module, helper_module
from unit_notebooks import (
    cells_with_outputs,
    grade_as_released,
    graded_code_cells,
    solution_cells,
)

from autograders.checks import EvalContext, registered
from autograders.unitspec import load_unit_spec
from crm_sim.scenario import Scenario
from crm_sim.ui.language import LANGUAGES, UnitText
from crm_sim.ui.quiz import shown_letter
from crm_sim.world import World

CODE = "104917L3"
UNIT_DIR = Path(__file__).resolve().parents[2] / "course" / "units" / CODE
U = evaluators_module(CODE)
desk = helper_module(CODE, "boutique_desk")
NOTEBOOKS = tuple(sorted(p.stem for p in UNIT_DIR.glob("*.ipynb")))
PLACEHOLDER = re.compile(r"\{(\w+)\}")


# --------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def ctx():
    """A context whose trainee and hidden companies are small timepiece worlds, built once."""
    c = EvalContext(unit=CODE, trainee_id="t-104917", trainee_seed=21, hidden_seed=22)
    c._cache["trainee"] = World.build(Scenario(seed=21, n_customers=300, industry="timepiece"))
    c._cache["hidden"] = World.build(Scenario(seed=22, n_customers=300, industry="timepiece"))
    return c


@pytest.fixture(scope="module")
def cells() -> dict[str, nbformat.NotebookNode]:
    """grade_id -> cell of every cell of the unit's source notebooks."""
    return {cell.metadata["nbgrader"]["grade_id"]: cell
            for name in NOTEBOOKS
            for cell in nbformat.read(UNIT_DIR / f"{name}.ipynb", as_version=4).cells}


@pytest.fixture(scope="module")
def ev():
    """The unit's evaluators by grade_id."""
    return registered(CODE)


# ------------------------------------------------------------- the two languages
def test_every_text_entry_has_both_languages():
    """text.toml: no entry lacks English or 繁體中文, and none is blank."""
    assert UnitText(desk.TEXT_FILE, "en").missing(LANGUAGES) == []


def test_translations_keep_the_placeholders():
    """Each entry's {placeholders} are the same in both languages (format never fails)."""
    for key, node in UnitText(desk.TEXT_FILE, "en").entries().items():
        names = {lang: sorted(PLACEHOLDER.findall(node[lang])) for lang in LANGUAGES}
        assert names["en"] == names["zh-Hant"], key


def test_chinese_text_is_traditional():
    """The Chinese entries use traditional characters (none of a list of simplified forms)."""
    simplified = set("们这说时为个来对国会学发经关开买卖钱门问应该实现认员")
    for key, node in UnitText(desk.TEXT_FILE, "en").entries().items():
        found = simplified & set(node["zh-Hant"])
        assert not found, f"{key}: simplified {''.join(sorted(found))}"


def test_questions_have_four_options_in_both_languages():
    """Every scenario question offers a, b, c, d in each language."""
    for qid in (*desk.THEORY_QUESTIONS, "q_own"):
        for lang in LANGUAGES:
            assert list(UnitText(desk.TEXT_FILE, lang).table(f"{qid}.options")) == list("abcd")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_key_is_rarely_the_longest_option(lang):
    """In neither language is the key strictly the longest option in over a third of items."""
    text = UnitText(desk.TEXT_FILE, lang)
    longest = 0
    for gid, key in U.MC_KEYS.items():
        options = text.table(f"{gid[:-len('_test')]}.options")
        others = [len(t) for k, t in options.items() if k != key]
        longest += len(options[key]) > max(others)
    assert longest <= len(U.MC_KEYS) / 3


def test_reason_codes_are_the_same_in_both_languages():
    """The judgement's reason codes (what is graded) do not depend on the language."""
    codes = {lang: list(UnitText(desk.TEXT_FILE, lang).table("prof_x1.reasons"))
             for lang in LANGUAGES}
    assert codes["en"] == codes["zh-Hant"] == desk.reason_codes()
    assert U.JUDGEMENTS["prof_x1_test"]["good"] <= set(codes["en"])


# --------------------------------------------------------------------- structure
def test_every_test_cell_has_an_evaluator(ev):
    """Each graded code cell of the notebooks is registered, and nothing else is."""
    assert graded_code_cells(UNIT_DIR, NOTEBOOKS) == set(ev)


def test_variants_name_real_solution_cells():
    """Every VARIANTS key is a solution cell of the notebooks."""
    solutions = solution_cells(UNIT_DIR, NOTEBOOKS)
    for variant in U.VARIANTS.values():
        assert set(variant) <= solutions


def test_notebooks_are_committed_without_outputs():
    """No code cell carries outputs or an execution count."""
    assert cells_with_outputs(UNIT_DIR, NOTEBOOKS) == []


# --------------------------------------------------------------------- knowledge
@pytest.mark.parametrize("gid", sorted(U.MC_KEYS))
def test_multiple_choice_key_and_wrong_letter(gid, ev, ctx):
    """The key in the trainee's order scores 1; every other letter and junk score 0."""
    question = "answer_" + gid[2:-len("_test")]
    right = shown_letter(question, U.MC_KEYS[gid], trainee=ctx.trainee_id)
    assert ev[gid](right, ctx).score == 1.0
    for letter in set("abcd") - {right}:
        assert ev[gid](letter, ctx).score == 0.0
    for junk in (None, 3, "ab", "", {"a": 1}):
        assert ev[gid](junk, ctx).score == 0.0


def test_letter_copied_from_another_trainee_is_right_only_by_chance(ev, ctx):
    """Across 40 trainees the author's key letter is the shown key for about a quarter."""
    same = sum(shown_letter("answer_k1a", "a", trainee=f"T{i:03d}") == "a" for i in range(40))
    assert 3 <= same <= 20


def test_own_company_question_needs_the_trainees_own_figures(ev, ctx):
    """The kind topping the trainee's own complaints table scores 1; the other kinds 0."""
    top = U.own_top_kinds(ctx.trainee_world())
    letters = {kind: letter for letter, kind in desk.OWN_SEGMENT_OPTIONS.items()}
    for kind, author_letter in letters.items():
        shown = shown_letter("answer_own", author_letter, trainee=ctx.trainee_id)
        assert ev["q_own_test"](shown, ctx).score == (1.0 if kind in top else 0.0)


def test_own_company_answer_differs_between_companies():
    """Different trainees' companies do not all share the same top complaining kind."""
    tops = {tuple(U.own_top_kinds(World.build(Scenario(seed=s, n_customers=300,
                                                        industry="timepiece"))))
            for s in range(30, 36)}
    assert len(tops) > 1


# --------------------------------------------------------------- professionalism
def test_judgement_solution_scores_full(cells, ev, ctx):
    """Driving the judgement view as the source solution does earns full marks."""
    text = desk.load_text("en")
    ns = {"desk": desk, "text": text}
    exec(cells["prof_x1_intro"].source, ns)  # noqa: S102 - our own notebook source
    exec(cells["prof_x1_answer"].source, ns)  # noqa: S102
    assert ev["prof_x1_test"](ns["answer_x1"], ctx).score == 1.0


@pytest.mark.parametrize("answer, score", [
    ({"choice": "b", "reasons": ["own_data", "cannot_verify", "still_serve"]}, 1.0),
    ({"choice": "b", "reasons": ["own_data"]}, 0.5 + 0.5 / 3),
    ({"choice": "b", "reasons": ["own_data", "family_ok"]}, 0.5),
    ({"choice": "b", "reasons": []}, 0.5),
])
def test_judgement_partial_scores(answer, score, ev, ctx):
    """The right choice earns half; each good reason a sixth more, each bad one a sixth less."""
    assert ev["prof_x1_test"](answer, ctx).score == pytest.approx(score)


@pytest.mark.parametrize("choice", ["a", "c", "d"])
def test_disclosing_a_customers_data_is_a_breach(choice, ev, ctx):
    """Every option that tells the caller something is 0 and names the DPP3 breach."""
    verdict = ev["prof_x1_test"]({"choice": choice, "reasons": ["own_data"]}, ctx)
    assert verdict.score == 0.0
    assert verdict.breaches and verdict.breaches[0].startswith("disclosed_to_third_party:")


def test_judgement_junk_scores_zero(ev, ctx):
    """Shapes other than the view's value earn nothing and say what to hand in."""
    for junk in (None, "b", ["b"], {"choice": "b"}, {"choice": 2, "reasons": []}):
        verdict = ev["prof_x1_test"](junk, ctx)
        assert verdict.score == 0.0 and "view" in verdict.message


# ---------------------------------------------------------------- visible checks
def test_visible_checks_speak_the_trainees_language(capsys):
    """The letter check answers in 繁體中文 for a Chinese reader and flags a bad answer."""
    zh = desk.load_text("zh-Hant")
    assert desk.show_letter_check(zh, "answer_k1a", "b") is True
    assert not desk.show_letter_check(zh, "answer_k1a", "z")
    out = capsys.readouterr().out
    assert "看來已完成" in out and "請在引號內填一個字母" in out
    assert not desk.show_judgement_check(zh, {"choice": None, "reasons": []})
    assert "請在上面的視窗選擇一個選項" in capsys.readouterr().out


# --------------------------------------------------------------------- end to end
@pytest.mark.slow
def test_notebooks_graded_end_to_end(tmp_path):
    """Full, partial and wrong variants through grade_notebook: per-AC outcome as designed."""
    from unit_grading import criterion_fractions

    from autograders.unitspec import load_unit_spec

    spec = load_unit_spec(UNIT_DIR)
    outcome = criterion_fractions(CODE, UNIT_DIR, NOTEBOOKS, U.VARIANTS, tmp_path,
                                  secret="s3cret-104917")
    manual = spec.criteria["AC-i"].cells["written_k1"] / spec.criteria["AC-i"].max_points
    # full: every autograded point; the written answer waits for the instructor
    assert outcome["full"]["AC-i"] == pytest.approx(1.0 - manual)
    assert outcome["full"]["AC-ii"] == pytest.approx(1.0)
    for cid, crit in spec.criteria.items():
        assert outcome["wrong"][cid] < outcome["partial"][cid] < crit.threshold, cid
    assert outcome["wrong"]["AC-i"] < 0.2 and outcome["wrong"]["AC-ii"] < 0.2


# ------------------------------------------------------- notebook 2: follow up, complaints
dw = helper_module(CODE, "desk_week")


def _rule(cells, answer_id: str, name: str, view_cell: str, world=None):
    """Drive a view as the source solution does and return the rule it hands in."""
    ns = {"desk": desk, "text": desk.load_text("en"), "world": world, "display": print}
    exec(cells[view_cell].source, ns)  # noqa: S102 - our own notebook source
    exec(cells[answer_id].source, ns)  # noqa: S102
    return ns[name]


RULE_CELLS = {  # graded cell -> (solution cell, rule variable, view cell)
    "contact_test": ("contact_answer", "contact_rule", "contact_intro"),
    "info_test": ("info_answer", "info_rule", "info_intro"),
    "tier_test": ("tier_answer", "tier_rule", "tier_intro"),
    "handoff_test": ("handoff_answer", "handoff_rule", "handoff_intro"),
    "dar_test": ("dar_answer", "dar_rule", "dar_intro"),
    "backup_test": ("backup_answer", "backup_rule", "backup_intro"),
    "report_test": ("report_answer", "report_rule", "report_intro"),
}


@pytest.fixture(scope="module")
def taught(cells):
    """The rules of the source solution, driven through their views."""
    world = World.build(Scenario(seed=21, n_customers=300, industry="timepiece"))
    rules = {gid: _rule(cells, *spec, world=world) for gid, spec in RULE_CELLS.items()}
    return rules | {"quote_test": _rule(cells, "quote_answer", "quote_rule", "quote_intro"),
            "promise_test": _rule(cells, "promise_answer", "promise_rule", "promise_intro"),
            "complaint_test": _rule(cells, "complaint_answer", "complaint_rule",
                                    "complaint_intro")}


def _variant(gid_answer: str, variant: str, name: str):
    ns: dict = {}
    exec(U.VARIANTS[variant][gid_answer], ns)  # noqa: S102 - our own variant source
    return ns[name]


@pytest.mark.parametrize("gid", ["quote_test", "promise_test", "complaint_test",
                                 "contact_test", "info_test", "tier_test", "handoff_test",
                                 "dar_test", "backup_test", "report_test"])
def test_source_solution_scores_full_on_an_unseen_company(gid, taught, ev, ctx):
    """The rule the source notebook builds in the view earns full marks on the hidden week."""
    verdict = ev[gid](taught[gid], ctx)
    assert verdict.score == 1.0, verdict.message
    assert verdict.breaches == []


@pytest.mark.parametrize("gid, answer, name, variant, most", [
    ("quote_test", "quote_answer", "quote_rule", "wrong", 0.0),
    ("promise_test", "promise_answer", "promise_rule", "wrong", 0.0),
    ("complaint_test", "complaint_answer", "complaint_rule", "wrong", 0.25),
    ("quote_test", "quote_answer", "quote_rule", "partial", 0.5),
    ("promise_test", "promise_answer", "promise_rule", "partial", 0.4),
    ("complaint_test", "complaint_answer", "complaint_rule", "partial", 0.85),
    ("contact_test", "contact_answer", "contact_rule", "wrong", 0.0),
    ("contact_test", "contact_answer", "contact_rule", "partial", 0.5),
    ("info_test", "info_answer", "info_rule", "wrong", 0.0),
    ("info_test", "info_answer", "info_rule", "partial", 0.25),
    ("tier_test", "tier_answer", "tier_rule", "wrong", 0.25),
    ("tier_test", "tier_answer", "tier_rule", "partial", 0.8),
    ("handoff_test", "handoff_answer", "handoff_rule", "wrong", 0.0),
    ("dar_test", "dar_answer", "dar_rule", "wrong", 0.0),
    ("backup_test", "backup_answer", "backup_rule", "wrong", 0.0),
    ("backup_test", "backup_answer", "backup_rule", "partial", 0.6),
    ("report_test", "report_answer", "report_rule", "wrong", 0.0),
    ("report_test", "report_answer", "report_rule", "partial", 0.6),
])
def test_variants_score_below_the_solution(gid, answer, name, variant, most, ev, ctx):
    """The cohort's wrong and partial rules earn at most the marks they were designed for."""
    verdict = ev[gid](_variant(answer, variant, name), ctx)
    assert verdict.score <= most, verdict.message


def test_vip_discount_without_approval_is_refused_and_named(ev, ctx):
    """10 % for VIPs without the manager's approval: the system refuses those quotations."""
    rule = _variant("quote_answer", "partial", "quote_rule")
    result = dw.run_follow_up_week(ctx.hidden_world(), rule, None)
    refused = result["quotes"][result["quotes"]["quote_id"] == ""]
    assert len(refused) and set(refused["group"]) == {"vip"}
    assert all("approv" in why for why in refused["refused"])
    verdict = ev["quote_test"](rule, ctx)
    assert verdict.score == 0.25 and "refused by the system" in verdict.message


def test_discount_over_company_rules_but_within_system_is_not_correct(taught, ev, ctx):
    """8 % to a standard customer passes the system (with approval) but breaks our rules."""
    rule = {"kind": "quote_rule", "groups": {g: dict(d) for g, d in
                                             taught["quote_test"]["groups"].items()}}
    rule["groups"]["standard"].update(discount="8%", approval="boutique_manager")
    m = U.quote_measures(dw.run_follow_up_week(ctx.hidden_world(), rule, None)["quotes"])
    assert "discount above the price rules" in m["problems"]
    assert m["share_correct"] < 0.7


def test_blocked_promises_left_open_are_overdue(ev, ctx):
    """Leaving a promise that cannot be kept open makes it overdue; rebooking does not."""
    base = {"act": "as_soon_as_possible"}
    keep = {"kind": "promise_rule", "groups": {k: base | {"if_blocked": "tell_customer_and_rebook"}
                                                for k in dw.PROMISE_GROUPS}}
    leave = {"kind": "promise_rule", "groups": {k: base | {"if_blocked": "leave_open"}
                                                 for k in dw.PROMISE_GROUPS}}
    week = dw.week_of_work(ctx.hidden_world())
    kept = dw.run_follow_up_week(week, U.TAUGHT_QUOTE_RULE, keep)["promises"]
    left = dw.run_follow_up_week(week, U.TAUGHT_QUOTE_RULE, leave)["promises"]
    assert kept["overdue_at_end"].sum() == 0
    assert left["overdue_at_end"].sum() == len(week.blocked) > 0


def test_privacy_complaint_must_reach_the_data_protection_officer(taught):
    """A data complaint with an apology fits only when the data protection officer handles it."""
    row = {"category": "privacy", "recovery": "apology", "escalate_to": "none"}
    assert not U.appropriate(row)
    assert U.appropriate(row | {"escalate_to": "data_protection_officer"})
    assert not U.appropriate({"category": "privacy", "recovery": "apology;voucher",
                              "escalate_to": "data_protection_officer"})


def test_week_is_the_same_for_the_same_company(ctx):
    """The same company brings the same week (enquiries, blocked promises, complaints)."""
    a, b = dw.week_of_work(ctx.hidden_world()), dw.week_of_work(ctx.hidden_world())
    assert a.enquiries == b.enquiries and a.blocked == b.blocked
    assert a.complaints.equals(b.complaints)


def test_rules_leave_the_company_untouched(taught, ctx):
    """Running a week works on a copy: the company's own tables do not change."""
    world = ctx.trainee_world()
    before = {k: len(v) for k, v in world.tables.items()}
    dw.run_complaint_week(world, taught["complaint_test"])
    assert {k: len(v) for k, v in world.tables.items()} == before


def test_visible_checks_name_refusals_and_overdue(capsys, taught, ctx):
    """Own-company checks name the refused enquiries and overdue promises, in Chinese too."""
    zh = desk.load_text("zh-Hant")
    world = ctx.trainee_world()
    assert not desk.show_quote_check(world, zh, _variant("quote_answer", "partial",
                                                         "quote_rule"))
    out = capsys.readouterr().out
    assert "系統拒絕了查詢 EQ" in out
    leave = _variant("promise_answer", "wrong", "promise_rule")
    assert not desk.show_promise_check(world, zh, taught["quote_test"], leave)
    assert "週末仍逾期的承諾：PR" in capsys.readouterr().out
    assert desk.show_complaint_check(world, desk.load_text("en"), taught["complaint_test"])
    assert not desk.show_complaint_check(world, zh, {"kind": "complaint_rule", "groups": {}})
    assert "規則未完成" in capsys.readouterr().out


ds = helper_module(CODE, "desk_system")
dd = helper_module(CODE, "desk_day")


def test_identity_numbers_in_records_are_a_breach(taught, ev, ctx):
    """Writing HKID numbers into the summaries scores 0 and names the DPP1 breach."""
    rule = {"kind": "info_rule", "groups": {**taught["info_test"]["groups"],
                                            "hkid_number": {"record_in": "summary_only"}}}
    verdict = ev["info_test"](rule, ctx)
    assert verdict.score == 0.0
    assert verdict.breaches[0].startswith("unnecessary_data_collected:")


def test_call_back_promise_due_the_day_the_customer_asked(taught, ctx):
    """Each customer who asked for a call has a promise due on the day asked, no other."""
    result = dd.record_day(dd.day_of_contacts(ctx.hidden_world()), taught["contact_test"],
                           taught["info_test"])
    asked = result["day"].contacts.set_index("contact")["call_back_in_days"]
    for _, row in result["records"].iterrows():
        assert (row["promise_due"] != "") == bool(asked[row["contact"]])


@pytest.mark.parametrize("field, breach", [("hkid", True), ("budget_hkd", True),
                                           ("email", False)])
def test_handoff_extra_fields(field, breach, taught, ev, ctx):
    """A sensitive extra field is a breach (0); a harmless extra one costs a little."""
    rule = {"kind": "handoff_rule", "groups": {
        k: {"send": list(v["send"])} for k, v in taught["handoff_test"]["groups"].items()}}
    rule["groups"]["repair_ticket"]["send"].append(field)
    verdict = ev["handoff_test"](rule, ctx)
    assert bool(verdict.breaches) == breach
    assert verdict.score == (0.0 if breach else pytest.approx(1 - 0.5 / 8))


def test_dar_with_family_records_is_a_breach_and_each_decision_counts(taught, ev, ctx):
    """Family members' records: 0 and a s.20 breach; a 90-day reply alone: 0.75."""
    base = dict(taught["dar_test"]["groups"]["request"])
    family = {"kind": "dar_rule", "groups": {"request": base | {
        "include": "own_and_family_records"}}}
    assert ev["dar_test"](family, ctx).breaches[0].startswith("other_persons_data_disclosed")
    late = {"kind": "dar_rule", "groups": {"request": base | {"reply_within": "90_days"}}}
    assert ev["dar_test"](late, ctx).score == 0.75


def test_backup_drill_restores_all_but_the_last_day(taught, ctx):
    """Daily backups, seven kept, the newest good one restored: only the last day is lost."""
    drill = ds.run_backup_drill(ctx.hidden_world(), taught["backup_test"])
    assert drill["restored"]
    assert drill["kept"] == drill["recorded"] - ds.CONTACTS_PER_DAY


def test_tiers_follow_the_company_shares(taught, ctx):
    """The tier rule gives 10 % platinum, 20 % gold, 30 % silver, the rest bronze."""
    tiers = ds.tiers_from_rule(ctx.hidden_world(), taught["tier_test"])
    n = len(tiers)
    counts = tiers.value_counts()
    assert counts["platinum"] == round(0.1 * n) and counts["gold"] == round(0.2 * n)
    assert ds.tiers_from_rule(ctx.hidden_world(), {"kind": "tier_rule", "groups": {
        m: {"weight": "0"} for m in ds.MEASURES}}) is None


# ------------------------------------------------------------- gates and minimums trip
SPEC = load_unit_spec(UNIT_DIR)
MINIMUMS = [(cid, gid) for cid, crit in SPEC.criteria.items() for gid in crit.minimums]


def _decision(points: dict[str, float], breaches: dict[str, list[str]] | None = None,
              unmet: tuple[str, ...] = ()):
    """The unit decision for cell points (grade_id -> points); observation items met but `unmet`."""
    from autograders.observations import ItemRecord, ObservationRecord
    from autograders.reports.competency import decide

    spec = SPEC
    breaches = breaches or {}
    cells = [{"grade_id": gid, "notebook": "nb", "max_points": pts, "status": "passed",
              "points": points.get(gid, pts), "message": "",
              "evidence": {"breaches": breaches[gid]} if gid in breaches else {}}
             for crit in spec.criteria.values() for gid, pts in crit.cells.items()]
    row = {"trainee_id": "T1", "unit": CODE, "notebook": "nb", "status": "graded",
           "result": {"cells": cells, "status": "graded"}}
    obs = ObservationRecord({o.id: ItemRecord(o.id not in unmet) for o in spec.observations},
                            "A.Chan", "2026-11-30")
    return spec, decide(spec, "T1", [row], {}, observation=obs)


def test_full_marks_and_a_signed_observation_are_competent():
    """Every cell at full points and every role-play item met: both criteria met."""
    _, d = _decision({})
    assert [c.met for c in d.criteria] == [True, True]


@pytest.mark.parametrize("gate", ["no_disclosure_to_third_party", "no_data_beyond_need",
                                  "no_other_persons_data", "no_unneeded_identity_numbers"])
def test_each_gate_trips_however_padded(gate):
    """One reported breach fails AC-ii even with every point earned elsewhere."""
    spec, _ = _decision({})
    rule = next(g for g in spec.criteria["AC-ii"].gate_rules if g.name == gate)
    _, d = _decision({}, {rule.cell: [f"{rule.breach}: test"]})
    crit = next(c for c in d.criteria if c.id == "AC-ii")
    assert not crit.met
    assert [ch.name for ch in crit.gate_checks if not ch.met] == [gate]


@pytest.mark.parametrize("cid, gid", MINIMUMS)
def test_each_minimum_trips_alone(cid, gid):
    """A P id's main evidence under its floor fails the criterion whatever the total."""
    spec, _ = _decision({})
    crit_spec = spec.criteria[cid]
    below = crit_spec.minimums[gid] * crit_spec.cells[gid] * 0.9
    _, d = _decision({gid: below})
    crit = next(c for c in d.criteria if c.id == cid)
    assert crit.fraction >= crit_spec.threshold       # the total alone would pass
    assert not crit.met
    assert [ch.name for ch in crit.minimum_checks if not ch.met] == [gid]


def test_an_observation_item_not_met_fails_ac_ii():
    """A signed role-play item marked not met fails AC-ii (X2 is observed, not computed)."""
    _, d = _decision({}, unmet=("roleplay_privacy",))
    crit = next(c for c in d.criteria if c.id == "AC-ii")
    assert crit.fraction == 1.0 and not crit.met
    assert [ch.name for ch in crit.observations if not ch.met] == ["roleplay_privacy"]


@pytest.mark.slow
def test_a_chinese_reader_is_graded_in_chinese(tmp_path):
    """With the release's language record, the graded run speaks 繁體中文 to T002 only."""
    import json

    from autograders.demo import make_submission

    nb = json.loads((UNIT_DIR / "01_customer_relations.ipynb").read_text())
    results = grade_as_released(UNIT_DIR, "01_customer_relations", make_submission(nb, nb, {}),
                                ("T002", "T003"), tmp_path,
                                languages='default = "en"\n[trainees]\n"T002" = "zh-Hant"\n')
    outputs = {}
    for trainee, result in results.items():
        assert result.status == "graded", result.reason
        outputs[trainee] = json.dumps(result.grading_outputs, ensure_ascii=False)
        assert sum(c.points for c in result.cells) == 9      # the language changes no grade
    assert "在鐘錶店管理客戶關係" in outputs["T002"] and "看來已完成" in outputs["T002"]
    assert "看來已完成" not in outputs["T003"] and "looks complete" in outputs["T003"]


@pytest.mark.parametrize("gid, rule", [
    ("quote_test", {"kind": "quote_rule", "groups": {g: {
        "discount": d, "approval": "boutique_manager", "valid_days": "14",
        "call_back_days": "2", "confirm_by": "email"} for g, d in (
        ("standard", "nan%"), ("vip", "-5%"), ("limited_edition", "1e308%"))}}),
    ("complaint_test", {"kind": "complaint_rule", "groups": {c: {
        "acknowledge": "same_day", "resolve_in": "2_days", "recovery": ["refund"] * 100_000,
        "escalate_to": "none"} for c in ("billing",)}}),
    ("handoff_test", {"kind": "handoff_rule", "groups": {
        "repair_ticket": {"send": ["x" * 10_000] * 100_000}, "delivery": {"send": "all"}}}),
    ("contact_test", {"kind": "contact_rule", "groups": {"email": {
        "record_as": "telepathy", "direction": "inbound", "if_asked_to_call": "no_promise"}}}),
    ("tier_test", {"kind": "tier_rule", "groups": {m: {"weight": "1e308"} for m in
                                                   ("recency", "frequency", "monetary",
                                                    "potential")}}),
    ("backup_test", {"kind": "backup_rule", "groups": {"backup": {
        "when": "every_day_at_closing", "keep": "last_-1", "restore_from": "x"}}}),
])
def test_hostile_rules_of_the_right_kind_earn_nothing(gid, rule, ev, ctx):
    """A rule of the right kind with absurd values is refused in words, quickly, scoring 0."""
    import time

    start = time.monotonic()
    verdict = ev[gid](rule, ctx)
    assert verdict.score == 0.0 and verdict.message
    assert time.monotonic() - start < 15


@pytest.mark.slow
def test_kernel_claiming_another_trainees_id_earns_only_the_letters_both_share(tmp_path):
    """A kernel that claims a friend's id earns only where the friend's letter is its own.

    The notebook sets CRM_TRAINEE_ID to a friend's id, so the quiz shows the friend's
    option order, and answers with the friend's letters; it is graded under its own id.
    """
    import json

    from autograders.demo import make_submission

    source = json.loads((UNIT_DIR / "01_customer_relations.ipynb").read_text())
    spoof, keys = {}, {}
    for cell in source["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        gid = meta.get("grade_id", "")
        if meta.get("solution") and re.fullmatch(r"q_k\w+_answer", gid):
            body = "".join(cell["source"]).split("### BEGIN SOLUTION\n")[1].split(
                "### END SOLUTION")[0]
            spoof[gid] = 'import os\nos.environ["CRM_TRAINEE_ID"] = "T-friend"\n' + body
            keys[gid[:-len("_answer")] + "_test"] = re.search(r'"(answer_\w+)", "(\w)"', body)
    result = grade_as_released(UNIT_DIR, "01_customer_relations",
                               make_submission(source, source, spoof), ["T-cheat"],
                               tmp_path)["T-cheat"]
    assert result.status == "graded", result.reason
    got = {c.grade_id: c.points for c in result.cells if c.grade_id in keys}
    shared = {gid for gid, m in keys.items()
              if shown_letter(m[1], m[2], trainee="T-friend") == shown_letter(
                  m[1], m[2], trainee="T-cheat")}
    assert len(got) == len(keys) >= 5
    assert {gid for gid, pts in got.items() if pts > 0} == shared
    assert len(shared) < len(keys) / 2
