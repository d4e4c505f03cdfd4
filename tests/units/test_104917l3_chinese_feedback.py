"""Unit 104917L3 for a 繁體中文 reader: feedback, the "ready to submit" line, desk and view words.

The grader learns the trainee's language from the release's language record on the
grading host (`language_of`); the same artefact earns the same points in both languages.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from unit_loader import evaluators_module, helper_module
from unit_notebooks import grade_as_released

from autograders.checks import EvalContext, registered
from autograders.checks.context import language_of
from crm_sim.scenario import Scenario
from crm_sim.world import World

CODE = "104917L3"
U = evaluators_module(CODE)
desk = helper_module(CODE, "boutique_desk")
CJK = re.compile(r"[\u4e00-\u9fff]")
# Three English words in a row: a sentence left untranslated (codes like repair_delay,
# HK$ amounts and record ids are allowed).
ENGLISH_PHRASE = re.compile(r"\b[A-Za-z]{2,} [A-Za-z]{2,} [A-Za-z]{2,}\b")
# grade_id -> (solution cell, rule variable) of the variants that name it
RULE_ANSWERS = {"contact_test": ("contact_answer", "contact_rule"),
                "info_test": ("info_answer", "info_rule"),
                "quote_test": ("quote_answer", "quote_rule"),
                "promise_test": ("promise_answer", "promise_rule"),
                "complaint_test": ("complaint_answer", "complaint_rule"),
                "tier_test": ("tier_answer", "tier_rule"),
                "handoff_test": ("handoff_answer", "handoff_rule"),
                "dar_test": ("dar_answer", "dar_rule"),
                "backup_test": ("backup_answer", "backup_rule"),
                "report_test": ("report_answer", "report_rule")}


@pytest.fixture(scope="module")
def contexts():
    """An English and a 繁體中文 context on the same small companies (worlds shared)."""
    en = EvalContext(unit=CODE, trainee_id="t-zh", trainee_seed=21, hidden_seed=22)
    en._cache["trainee"] = World.build(Scenario(seed=21, n_customers=300, industry="timepiece"))
    en._cache["hidden"] = World.build(Scenario(seed=22, n_customers=300, industry="timepiece"))
    return en, dataclasses.replace(en, lang="zh-Hant")


def _answers() -> list[tuple[str, str, object]]:
    """(grade_id, variant, artefact) for every rule answer of the cohort variants and junk."""
    out = []
    for gid, (cell, name) in RULE_ANSWERS.items():
        for variant in ("partial", "wrong"):
            if cell in U.VARIANTS[variant]:
                ns: dict = {}
                exec(U.VARIANTS[variant][cell], ns)  # noqa: S102 - our own variant source
                out.append((gid, variant, ns[name]))
        out.append((gid, "junk", "not a rule"))
    out += [("prof_x1_test", "partial", {"choice": "b", "reasons": ["own_data", "zz"]}),
            ("prof_x1_test", "breach", {"choice": "a", "reasons": []}),
            ("prof_x1_test", "junk", 42), ("q_own_test", "junk", "zz")]
    out += [(gid, letter, letter) for gid in sorted(U.MC_KEYS)[:3] for letter in "ab"]
    return out


@pytest.mark.parametrize("gid, variant, artefact", _answers(),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_chinese_readers_feedback_is_chinese_and_scores_the_same(gid, variant, artefact,
                                                                 contexts):
    """A zh-Hant trainee reads the verdict in Chinese; points, evidence and breaches match."""
    en, zh = contexts
    ev = registered(CODE)[gid]
    said_en, said_zh = ev(artefact, en), ev(artefact, zh)
    assert said_zh.score == said_en.score
    assert said_zh.evidence == said_en.evidence
    assert said_zh.breaches == said_en.breaches
    assert CJK.search(said_zh.message), said_zh.message
    assert not ENGLISH_PHRASE.search(said_zh.message), said_zh.message
    assert not CJK.search(said_en.message), said_en.message


def test_language_comes_from_the_release_record_not_the_kernel(tmp_path):
    """`language_of` reads languages.toml among the released files; .crm_lang is ignored."""
    record = tmp_path / "languages.toml"
    record.write_text('default = "en"\n[trainees]\n"T002" = "zh-Hant"\n', encoding="utf-8")
    switch = tmp_path / ".crm_lang"
    switch.write_text("zh-Hant\n", encoding="utf-8")
    assert language_of([switch, record], "T002") == "zh-Hant"
    assert language_of([switch, record], "T003") == "en"
    assert language_of([switch], "T002") == "en"          # a trainee's switch decides nothing
    record.write_text('default = "klingon"\n', encoding="utf-8")
    assert language_of([record], "T002") == "en"


def test_ready_to_submit_line_follows_the_units_language(capsys):
    """After the unit's text is loaded in 繁體中文, submit's check line is in Chinese too."""
    from autograders.checks.friendly import failed_here
    from autograders.checks.submit import submit, use_language

    failed_here()        # forget a failed check left by an earlier test in this process
    try:
        desk.load_text("zh-Hant")
        submit("q_k1a_test", "a")
        assert "✔ q_k1a_test 已可提交" in capsys.readouterr().out
        desk.load_text("en")
        submit("q_k1a_test", "a")
        assert "✔ q_k1a_test is ready to submit" in capsys.readouterr().out
    finally:
        use_language("en")


@pytest.fixture(scope="module")
def small_world():
    """A small timepiece company for the desk widget."""
    return World.build(Scenario(seed=5, n_customers=120, industry="timepiece"))


def test_records_desk_speaks_chinese_and_records_the_same(small_world):
    """The unit's desk shows Chinese words for a zh-Hant reader; records keep their codes."""
    zh = desk.records_desk(small_world, desk.load_text("zh-Hant"))
    en = desk.records_desk(small_world.copy(), desk.load_text("en"))
    tabs_zh = zh.widget.children[1]
    assert [tabs_zh.get_title(i) for i in range(3)] == ["收件匣", "顧客", "記錄"]
    assert "記錄櫃檯" in zh.widget.children[0].value
    assert en.widget.children[1].get_title(0) == "Inbox"
    # the inbox's headings and kinds of work in Chinese; the data underneath keeps its codes
    shown_zh, codes = zh.inbox_as_shown(), zh.inbox()
    assert list(shown_zh.columns) == ["類別", "記錄編號", "顧客編號", "時間", "內容"]
    assert len(codes) and not set(shown_zh["類別"]) & set(codes["kind"])
    assert all(CJK.search(k) for k in shown_zh["類別"])
    assert "類別" in zh._inbox.value and "Inbox" not in zh._inbox.value
    assert list(en.inbox_as_shown().columns) == list(codes.columns)
    customer = str(small_world.tables["customers"]["customer_id"].iloc[0])
    zh.record_contact(customer, "phone", "asked about a strap", direction="inbound")
    assert zh.value[0]["type"] == "communication" and zh.value[0]["channel"] == "phone"


def test_records_desk_refuses_an_unknown_label(small_world):
    """A label key the desk does not have is named, not silently ignored."""
    from crm_sim.errors import FieldError
    from crm_sim.ui.records_desk import RecordsDesk

    staff = small_world.tables["desk_staff"] if "desk_staff" in small_world.tables else None
    clerk = "S" if staff is None else str(staff["staff_id"].iloc[0])
    with pytest.raises(FieldError, match="inbx"):
        RecordsDesk(small_world, clerk, labels={"inbx": "x"})


def test_rule_view_headings_in_chinese_codes_unchanged():
    """The quotation view names its fields in Chinese; the rule it hands in keeps the codes."""
    view = desk.quote_editor(desk.load_text("zh-Hant"))
    shown = {c.description for c in view._controls.values()}
    assert {"折扣", "審批", "確認方式"} <= shown
    assert "discount" not in shown
    english = desk.quote_editor(desk.load_text("en"))
    assert {c.description for c in english._controls.values()} >= {"discount", "approval"}
    assert set(next(iter(view._controls))) <= set(view.groups) | set(view.fields)


def test_every_rule_field_has_a_heading():
    """Each field of every rule view of the unit has a heading in text.toml."""
    text = desk.load_text("en")
    mods = [helper_module(CODE, m) for m in ("desk_week", "desk_system", "desk_day")]
    fields = {f for m in mods for name in dir(m) if name.endswith("_FIELDS")
              and isinstance(getattr(m, name), dict) for f in getattr(m, name)}
    assert fields and fields <= set(text.data["rule_headings"])


@pytest.mark.slow
def test_graded_notebook_feedback_follows_the_release_record(tmp_path):
    """Through grade_notebook, T002 (zh-Hant in the released record) reads Chinese verdicts."""
    import json
    from pathlib import Path

    from autograders.checks import load_evaluators
    from autograders.demo import make_submission
    from autograders.unitspec import load_unit_spec

    unit_dir = Path(desk.TEXT_FILE).parent
    nb = json.loads((unit_dir / "01_customer_relations.ipynb").read_text())
    results = grade_as_released(unit_dir, "01_customer_relations", make_submission(nb, nb, {}),
                                ("T002", "T003"), tmp_path,
                                languages='default = "en"\n[trainees]\n"T002" = "zh-Hant"\n')
    evaluators = load_evaluators(CODE, load_unit_spec(unit_dir).evaluators, base_dir=unit_dir)
    graded = {t: [c for c in r.cells if c.grade_id in evaluators] for t, r in results.items()}
    assert all(r.status == "graded" for r in results.values())
    assert graded["T002"] and all(CJK.search(c.message) for c in graded["T002"])
    assert not any(CJK.search(c.message) for c in graded["T003"])
    assert [c.points for c in results["T002"].cells] == [c.points for c in results["T003"].cells]
    # the framework's own words too: the cell waiting for the instructor, the points line
    manual = {t: [c.message for c in r.cells if c.status == "manual"] for t, r in results.items()}
    assert manual["T002"] and all(CJK.search(m) for m in manual["T002"])
    assert manual["T003"] == ["waits for the instructor's grade"] * len(manual["T003"])
    pages = {t: json.dumps(r.executed_notebook, ensure_ascii=False) for t, r in results.items()}
    assert " 分。" in pages["T002"] and " points. " not in pages["T002"]
    assert " points. " in pages["T003"] and " 分。" not in pages["T003"]


def test_every_desk_word_has_its_chinese():
    """Each word the records desk shows (`LABELS`) is in the unit's text in 繁體中文."""
    from crm_sim.ui.records_desk import LABELS

    zh = desk.load_text("zh-Hant").table("records_desk_labels")
    assert set(LABELS) <= set(zh), sorted(set(LABELS) - set(zh))
    assert all(CJK.search(zh[k]) for k in LABELS), [k for k in LABELS if not CJK.search(zh[k])]
