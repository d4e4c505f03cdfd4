"""Unit 104917L3's trainee-side helpers: text in the trainee's language, views, visible checks.

Released beside the notebooks, so it holds no answer key and reads no hidden truth: a
check here judges the shape of an answer and what the trainee can see in their own
company. Every word a trainee reads comes from ``text.toml`` beside this file, in English
or 繁體中文 (`crm_sim.ui.language`), chosen per trainee by ``crm-course release --lang``
or by the switch in the first notebook.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from crm_sim import own_company
from crm_sim.ui.language import ENGLISH, LanguageSwitch, UnitText, current_language, set_lab_locale

UNIT = "104917L3"
TEXT_FILE = Path(__file__).with_name("text.toml")
LETTERS = "abcd"
# The own-company question's options (the author's letters) -> the customer kind.
OWN_SEGMENT_OPTIONS = {"a": "collector", "b": "gift_buyer", "c": "walk_in",
                       "d": "corporate_gifting"}
# The scenario questions of exercise 1: text key -> answer variable.
THEORY_QUESTIONS = ("q_k1a", "q_k1b", "q_k1c", "q_k2", "q_k3a", "q_k3b")


def load_text(lang: str | None = None) -> UnitText:
    """The unit's text in this trainee's language (or `lang`).

    A trainee recorded as reading 繁體中文 whose JupyterLab was never set to a language gets
    JupyterLab's menus in Chinese too (from the next page reload), as if they had chosen
    it under Settings → Language; a setting they made themselves is left alone.
    """
    text = UnitText(TEXT_FILE, lang)
    if lang is None and text.lang != ENGLISH:
        set_lab_locale(text.lang, only_if_unset=True)
    from autograders.checks.submit import use_language

    use_language(text.lang)      # the checks' "ready to submit" line in the same language
    return text


def language_switch() -> LanguageSwitch:
    """English / 繁體中文: the trainee's own switch (notebook text and JupyterLab's menus)."""
    return LanguageSwitch()


def language() -> str:
    """The language this trainee reads (see `crm_sim.ui.language.current_language`)."""
    return current_language()


# ------------------------------------------------------------------ exercise 1
def ask_question(text: UnitText, qid: str, key: str | None = None):
    """The scenario question `qid` of text.toml, options in this trainee's own order."""
    from crm_sim.ui.quiz import ask

    key = key or "answer_" + qid[2:]
    return ask(key, text.get(f"{qid}.question"), text.table(f"{qid}.options"),
               hint=text.get("quiz_hint"))


def _worded(text: UnitText, view):
    """The view with its hand-in words in the trainee's language."""
    import html

    view.hand_in_words = html.escape(text.get("hand_in_hint"))
    return view


def judgement(text: UnitText, qid: str = "prof_x1"):
    """The judgement view of scenario `qid`: choose an option, tick the reasons."""
    from crm_sim.ui.judgement import JudgementCall

    return _worded(text, JudgementCall(text.table(f"{qid}.options"),
                                       text.table(f"{qid}.reasons"),
                                       headings=(text.get("judgement_labels.what"),
                                                 text.get("judgement_labels.why"))))


def reason_codes(qid: str = "prof_x1") -> list[str]:
    """The reason codes of a judgement scenario (the same in every language)."""
    return list(UnitText(TEXT_FILE, ENGLISH).table(f"{qid}.reasons"))


def complaints_by_kind(world: Any, text: UnitText | None = None) -> pd.DataFrame:
    """Your company's complaints per 100 customers of each kind, per month (12 months).

    The own-company question is answered from this table; its columns are named in the
    trainee's language.
    """
    table = own_company.complaints_table(world)
    if text is not None:
        table = table.rename(columns={s: text.get(f"segments.{s}") for s in table.columns})
    return table


def _failed() -> None:
    try:
        from autograders.checks.friendly import check_failed
    except ImportError:     # the helper also works without the grading package
        return
    check_failed()


def show_letter_check(text: UnitText, name: str, value: Any, letters: str = LETTERS) -> bool:
    """Say whether an answer is one letter of the options (never whether it is right)."""
    if isinstance(value, str) and value.strip().lower() in letters and len(value.strip()) == 1:
        print(text.get("checks.ready", what=name))
        return True
    print(text.get("checks.one_letter", name=name, letters=", ".join(letters),
                   example=letters[0]))
    _failed()
    return False


def show_judgement_check(text: UnitText, value: Any, qid: str = "prof_x1") -> bool:
    """Say whether a judgement has a choice and at least one known reason."""
    value = value if isinstance(value, dict) else {}
    ok = True
    if value.get("choice") not in text.table(f"{qid}.options"):
        print(text.get("checks.no_choice"))
        ok = False
    reasons = value.get("reasons")
    if not isinstance(reasons, list) or not set(reasons) & set(reason_codes(qid)):
        print(text.get("checks.no_reason"))
        ok = False
    if ok:
        print(text.get("checks.ready", what=text.get("checks.your_judgement")))
    else:
        _failed()
    return ok


# ------------------------------------------------------------------ exercises 3 and 4
def _week_module():
    """desk_week, beside this file: a sibling module in the unit's package, or on the path."""
    try:
        from . import desk_week  # loaded as the unit's package (grader, tests)
    except ImportError:
        import desk_week  # beside the notebook
    return desk_week


def headings(text: UnitText, fields) -> dict[str, str]:
    """The rule views' field names in this trainee's language (the codes handed in stay)."""
    return {f: text.get(f"rule_headings.{f}") for f in fields
            if f in text.data.get("rule_headings", {})}


def _editor(text: UnitText, kind: str, groups, fields, multi=None):
    from crm_sim.ui.rule_editor import RuleEditor

    return _worded(text, RuleEditor(kind, groups, fields, multi=multi,
                                    labels={g: text.get(f"labels.{g}") for g in groups},
                                    headings=headings(text, fields)))


def quote_editor(text: UnitText):
    """How the desk quotes each kind of customer (a rule the grader applies elsewhere)."""
    dw = _week_module()

    return _editor(text, "quote_rule", dw.QUOTE_GROUPS, dw.QUOTE_FIELDS)


def promise_editor(text: UnitText):
    """When the desk acts on each kind of promise, and what it does if one cannot be kept."""
    dw = _week_module()

    return _editor(text, "promise_rule", dw.PROMISE_GROUPS, dw.PROMISE_FIELDS)


def complaint_editor(text: UnitText):
    """How the desk handles each kind of complaint."""
    dw = _week_module()

    return _editor(text, "complaint_rule", dw.COMPLAINT_GROUPS, dw.COMPLAINT_FIELDS,
                   multi=dw.COMPLAINT_MULTI)


def _rule_ok(text: UnitText, rule: Any, kind: str, groups, fields, multi=None) -> bool:
    from crm_sim.ui.rule_editor import rule_problems

    problems = rule_problems(rule, kind, groups, fields, multi)
    for problem in problems[:8]:
        print(text.get("week.rule_problem", problem=problem))
    if problems:
        _failed()
    return not problems


def _ids(values, limit: int = 8) -> str:
    values = list(values)
    more = f" (+{len(values) - limit})" if len(values) > limit else ""
    return ", ".join(map(str, values[:limit])) + more


def show_quote_check(world: Any, text: UnitText, quote_rule: Any) -> bool:
    """Quote this week's enquiries in a copy of your company with your rule; what happened.

    Names the enquiries whose quotation the system refused; it does not say whether the
    company's own price rules were kept.
    """
    dw = _week_module()
    if not _rule_ok(text, quote_rule, "quote_rule", dw.QUOTE_GROUPS, dw.QUOTE_FIELDS):
        return False
    quotes = dw.run_follow_up_week(world, quote_rule, None)["quotes"]
    issued = quotes["quote_id"] != ""
    print(text.get("week.quotes", ok=int(issued.sum()), n=len(quotes),
                   confirmed=int(quotes["confirmed"].sum())))
    for _, row in quotes[~issued].head(5).iterrows():
        print(text.get("week.refused", enquiry=row["enquiry_id"],
                       group=text.get(f"labels.{row['group']}"), why=row["refused"]))
    if not issued.all():
        _failed()
    return bool(issued.all())


def show_promise_check(world: Any, text: UnitText, quote_rule: Any, promise_rule: Any) -> bool:
    """Run this week's promises in a copy of your company with your rules; what happened.

    Names the promises still overdue at the end of the week.
    """
    dw = _week_module()
    if not _rule_ok(text, promise_rule, "promise_rule", dw.PROMISE_GROUPS, dw.PROMISE_FIELDS):
        return False
    promises = dw.run_follow_up_week(world, quote_rule, promise_rule)["promises"]
    counts = promises["result"].value_counts()
    overdue = promises.loc[promises["overdue_at_end"], "promise_id"]
    print(text.get("week.promises", n=len(promises), on_time=int(counts.get("on time", 0)),
                   late=int(counts.get("late", 0)), rebooked=int(counts.get("rebooked", 0)),
                   overdue=len(overdue)))
    if len(overdue):
        print(text.get("week.overdue", ids=_ids(overdue)))
        _failed()
    return not len(overdue)


def show_complaint_check(world: Any, text: UnitText, complaint_rule: Any) -> bool:
    """Run this week's complaints in a copy of your company with your rule; what happened."""
    dw = _week_module()

    if not _rule_ok(text, complaint_rule, "complaint_rule", dw.COMPLAINT_GROUPS,
                    dw.COMPLAINT_FIELDS, dw.COMPLAINT_MULTI):
        return False
    out = dw.run_complaint_week(world, complaint_rule)["complaints"]
    print(text.get("week.complaints", n=len(out), ack=int(out["ack_met"].sum()),
                   res=int(out["resolve_met"].sum()), cost=float(out["cost_hkd"].sum()),
                   quality=float(out["quality"].mean())))
    late = out.loc[~(out["ack_met"] & out["resolve_met"]), "complaint_id"]
    if len(late):
        print(text.get("week.late_complaints", ids=_ids(late)))
        _failed()
    return not len(late)


# ------------------------------------------------------------------ exercises 5 and 6
def _system_module():
    """desk_system, beside this file (see `_week_module`)."""
    try:
        from . import desk_system
    except ImportError:
        import desk_system
    return desk_system


def _labelled(text: UnitText, kind: str, groups, fields, multi=None):
    from crm_sim.ui.rule_editor import RuleEditor

    return _worded(text, RuleEditor(kind, groups, fields, multi=multi,
                                    labels={g: text.get(f"labels2.{g}") for g in groups},
                                    headings=headings(text, fields)))


def tier_editor(text: UnitText):
    """How much each measure counts in a customer's value (a tier rule)."""
    ds = _system_module()
    return _labelled(text, "tier_rule", ds.MEASURES, ds.TIER_FIELDS)


def handoff_editor(text: UnitText):
    """What each hand-off to another department carries (a hand-off rule)."""
    ds = _system_module()
    return _labelled(text, "handoff_rule", ds.HANDOFF_GROUPS, ds.HANDOFF_FIELDS,
                     ds.HANDOFF_MULTI)


def dar_editor(text: UnitText):
    """How the desk answers a data access request (a request rule)."""
    ds = _system_module()
    return _labelled(text, "dar_rule", ds.DAR_GROUPS, ds.DAR_FIELDS)


def backup_editor(text: UnitText):
    """When the desk backs up, how many backups it keeps, what it restores from."""
    ds = _system_module()
    return _labelled(text, "backup_rule", ds.BACKUP_GROUPS, ds.BACKUP_FIELDS)


def show_tier_check(world: Any, text: UnitText, tier_rule: Any):
    """Your tiers on your own company: customers and average figures per tier."""
    ds = _system_module()
    if not _rule_ok(text, tier_rule, "tier_rule", ds.MEASURES, ds.TIER_FIELDS):
        return None
    tiers = ds.tiers_from_rule(world, tier_rule)
    if tiers is None:
        print(text.get("week.rule_problem", problem="every weight is 0"))
        _failed()
        return None
    print(text.get("system.tiers"))
    return ds.tier_summary(world, tiers)


def show_handoff_check(text: UnitText, handoff_rule: Any) -> bool:
    """What each hand-off would carry (whether that is right is for you to judge)."""
    ds = _system_module()
    if not _rule_ok(text, handoff_rule, "handoff_rule", ds.HANDOFF_GROUPS, ds.HANDOFF_FIELDS,
                    ds.HANDOFF_MULTI):
        return False
    ok = True
    for kind, fields in ds.handoff_fields(handoff_rule).items():
        label = text.get(f"labels2.{kind}")
        if fields:
            print(text.get("system.handoff", kind=label, fields=", ".join(fields)))
        else:
            print(text.get("system.handoff_empty", kind=label))
            ok = False
    if not ok:
        _failed()
    return ok


def show_dar_check(world: Any, text: UnitText, dar_rule: Any) -> bool:
    """The rule is complete; what the system exports for one of your customers."""
    from crm_sim import desk

    ds = _system_module()
    if not _rule_ok(text, dar_rule, "dar_rule", ds.DAR_GROUPS, ds.DAR_FIELDS):
        return False
    w = desk.open_desk(world.copy())
    customer = str(w.tables["desk_customers"]["customer_id"].iloc[0])
    export = desk.data_access_request(w, customer, "D004")
    print(text.get("system.dar", customer=customer, tables=len(export.tables), due=export.due))
    return True


def show_backup_check(world: Any, text: UnitText, backup_rule: Any) -> bool:
    """Run the seven-day backup drill on your own company and say what survived."""
    ds = _system_module()
    if not _rule_ok(text, backup_rule, "backup_rule", ds.BACKUP_GROUPS, ds.BACKUP_FIELDS):
        return False
    drill = ds.run_backup_drill(world, backup_rule)
    if not drill["restored"]:
        print(text.get("system.drill_failed", source=drill["from"] or "-"))
        _failed()
        return False
    print(text.get("system.drill", recorded=drill["recorded"], kept=drill["kept"],
                   source=drill["from"]))
    return True


# ------------------------------------------------------------------ exercise 2
def _day_module():
    """desk_day, beside this file (see `_week_module`)."""
    try:
        from . import desk_day
    except ImportError:
        import desk_day
    return desk_day


def todays_inbox(world: Any) -> pd.DataFrame:
    """Today's contacts at the desk: number, kind and the note."""
    return _day_module().inbox(world)


def contact_editor(text: UnitText):
    """How each kind of contact is recorded (a contact rule)."""
    from crm_sim.ui.rule_editor import RuleEditor

    dd = _day_module()
    return _worded(text, RuleEditor("contact_rule", dd.FORMS, dd.CONTACT_FIELDS,
                                    labels={g: text.get(f"labels3.{g}") for g in dd.FORMS},
                                    headings=headings(text, dd.CONTACT_FIELDS)))


def info_editor(text: UnitText):
    """Where each kind of information a customer gives is recorded (an information rule)."""
    from crm_sim.ui.rule_editor import RuleEditor

    dd = _day_module()
    return _worded(text, RuleEditor("info_rule", dd.MENTIONS, dd.INFO_FIELDS,
                                    labels={g: text.get(f"labels3.{g}") for g in dd.MENTIONS},
                                    headings=headings(text, dd.INFO_FIELDS)))


def desk_labels(text: UnitText) -> dict[str, str]:
    """The records desk's buttons, fields and tabs in this trainee's language."""
    return text.table("records_desk_labels")


def records_desk(world: Any, text: UnitText | None = None):
    """The records-desk widget on your own company, for the day (practice).

    Its buttons, fields and tabs are in the trainee's language (`text`, or the unit's
    text in the language this trainee reads).
    """
    from crm_sim import desk
    from crm_sim.ui.records_desk import RecordsDesk

    desk.open_desk(world)
    staff = world.tables["desk_staff"]
    clerk = str(staff.loc[staff["desk_role"] == "sales_assistant", "staff_id"].iloc[0])
    return RecordsDesk(world, clerk, on=world.today,
                       labels=desk_labels(text or UnitText(TEXT_FILE)))


TAUGHT_INFO_RULE = {"kind": "info_rule", "groups": {
    "birthday": {"record_in": "important_information"},
    "preferred_brands": {"record_in": "important_information"},
    "budget_hkd": {"record_in": "important_information"},
    "gift_recipients": {"record_in": "important_information"},
    "hkid_number": {"record_in": "do_not_record"}}}


def show_contact_check(world: Any, text: UnitText, contact_rule: Any) -> bool:
    """Record today's contacts in a copy of your company; say what was recorded."""
    dd = _day_module()
    if not _rule_ok(text, contact_rule, "contact_rule", dd.FORMS, dd.CONTACT_FIELDS):
        return False
    result = dd.record_day(world, contact_rule, TAUGHT_INFO_RULE)
    rec = result["records"]
    asked = result["day"].contacts["call_back_in_days"] > 0
    promised = rec["promise_due"] != ""
    print(text.get("day.asked", n=int(asked.sum()), promised=int(promised.sum())))
    missing = rec.loc[asked.to_numpy() & ~promised.to_numpy(), "contact"]
    if len(missing):
        print(text.get("day.no_promise", ids=_ids(missing)))
        _failed()
    return not len(missing)


def show_info_check(world: Any, text: UnitText, contact_rule: Any, info_rule: Any) -> bool:
    """Record today's contacts with both standards in a copy of your company; the totals."""
    dd = _day_module()
    if not _rule_ok(text, info_rule, "info_rule", dd.MENTIONS, dd.INFO_FIELDS):
        return False
    result = dd.record_day(world, contact_rule, info_rule)
    if result is None:
        return False
    rec = result["records"]
    n_info = sum(len([f for f in str(v).split(";") if f]) for v in rec["info_recorded"])
    print(text.get("day.recorded", n=len(rec), info=n_info,
                   promises=int((rec["promise_due"] != "").sum())))
    return True


def report_editor(text: UnitText):
    """Which report the desk compiles each month, for which period, and for whom."""
    ds = _system_module()
    return _labelled(text, "report_rule", ds.REPORT_GROUPS, ds.REPORT_FIELDS)


def show_report_check(world: Any, text: UnitText, report_rule: Any):
    """The report your rule compiles from your own company's information system."""
    ds = _system_module()
    if isinstance(report_rule, dict) and report_rule.get("kind") == ds.REPORT_SQL_KIND:
        return show_report_query_check(world, text, report_rule)
    if not _rule_ok(text, report_rule, "report_rule", ds.REPORT_GROUPS, ds.REPORT_FIELDS):
        return None
    choice, table = ds.compile_report(world, report_rule)
    print(text.get("system.report", report=choice["report"], rows=len(table),
                   month=choice.get("month", "-")))
    return table


def show_report_query_check(world: Any, text: UnitText, report_query: Any):
    """Analyst track: run your report query on your own company (``:month`` bound); its rows."""
    from crm_sim.errors import CrmSimError

    ds = _system_module()
    try:
        table = ds.run_report_query(world, report_query)
    except CrmSimError as exc:
        print(text.get("analyst.failed", rule=str(exc)[:300]))
        _failed()
        return None
    if table is None:
        print(text.get("analyst.not_a_query"))
        _failed()
        return None
    print(text.get("analyst.ran", rows=len(table), month=ds.report_month(world)))
    return table

