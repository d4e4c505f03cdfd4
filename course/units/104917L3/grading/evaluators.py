"""Evaluators, answer keys and cohort variants of unit 104917L3 (never released).

One evaluator per graded test cell of ``course/units/104917L3``. Scores are fixed
fractions so tests can assert exact marks and an assessor can read why a mark was given.
Messages say what to fix, in plain words; they never print a key or anything read from
a hidden company. Scenario questions are keyed in the author's letters and mapped back
from each trainee's own option order (`original_option`); the language a trainee reads
changes no letter and no key. Every message is written in English and 繁體中文 (`_say`),
chosen by ``ctx.lang`` (the release's language record, read on the grading host); the
score never depends on the language.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from autograders.checks import EvalContext, evaluator
from autograders.checks.answers import (
    JudgementTexts,
    grade_judgement,
    grade_letter,
    read_letter,
)
from autograders.results import Verdict
from crm_sim import own_company
from crm_sim.desk import catalogue as _cat
from crm_sim.desk.tables import add_days
from crm_sim.ui.quiz import original_option

from .. import boutique_desk as desk
from .. import desk_day as dd
from .. import desk_system as ds
from .. import desk_week as dw

UNIT = desk.UNIT
ZH = "zh-Hant"


def _say(lang: Any, en: str, zh: str) -> str:
    """`zh` for a trainee who reads 繁體中文 (`lang` or an EvalContext's), else `en`."""
    return zh if getattr(lang, "lang", lang) == ZH else en


def _letter_hint(lang: Any) -> str:
    return _say(lang, "Put a single letter in quotes in the answer cell, e.g. \"a\".",
                "請在答案儲存格內以引號填上一個字母，例如 \"a\"。")

# --------------------------------------------------------------------- answer keys
MC_KEYS = {"q_k1a_test": "a", "q_k1b_test": "b", "q_k1c_test": "b", "q_k2_test": "c",
           "q_k3a_test": "b", "q_k3b_test": "d", "q_k4a_test": "a", "q_k4b_test": "c"}
MC_HINTS = {
    "q_k1a_test": "a customer who keeps coming back wants something: find out what she values",
    "q_k1b_test": "a relationship grows from contact the customer welcomes, not from pressure",
    "q_k1c_test": "a reservation with a deposit is a promise to the customer who made it",
    "q_k2_test": "an upset customer first needs to be heard and to know what happens next",
    "q_k3a_test": "read the company's approval limits: who may promise how much, and when",
    "q_k3b_test": "read the company's warranty policy on where the watch was bought",
    "q_k4a_test": "think about when a damaged backup would otherwise be found",
    "q_k4b_test": "think about who needs a VIP note to serve the customer",
}
MC_HINTS_ZH = {
    "q_k1a_test": "一位不斷回來的顧客必有所求：了解她重視甚麼",
    "q_k1b_test": "關係建立於顧客樂意接受的接觸，而不是壓力",
    "q_k1c_test": "收了訂金的預留是對該位顧客的承諾",
    "q_k2_test": "不滿的顧客首先需要被聆聽，並知道接下來會怎樣",
    "q_k3a_test": "查看公司的審批權限：誰可承諾多少、何時可以",
    "q_k3b_test": "查看公司關於購買地點的保養政策",
    "q_k4a_test": "想想損壞的備份在其他情況下會於何時才被發現",
    "q_k4b_test": "想想誰需要 VIP 備註才能為顧客服務",
}
JUDGEMENTS = {
    "prof_x1_test": {"choice": "b",
                     "good": frozenset({"own_data", "cannot_verify", "still_serve"})},
}
# Choices that break the law: a customer's purchases and address told to a caller
# (a use of his personal data he never agreed to: PDPO Sch. 1 DPP3).
BREACH_CHOICES: dict[str, dict[str, str]] = {
    "prof_x1_test": {
        "a": "disclosed_to_third_party: a customer's purchase, price and address told to a "
             "caller (PDPO DPP3)",
        "c": "disclosed_to_third_party: a customer's purchase told to a caller (PDPO DPP3)",
        "d": "disclosed_to_third_party: a customer's invoice e-mailed to a caller (PDPO DPP3)"},
}


# ------------------------------------------------------------- knowledge (MC)
def _mc(grade_id: str, artifact: Any, trainee_id: str, lang: str = "en") -> Verdict:
    """1 when the letter, mapped back from the trainee's option order, is the key; else 0."""
    return grade_letter(artifact, MC_KEYS[grade_id], trainee_id=trainee_id,
                        question="answer_" + grade_id[2:-len("_test")],  # q_k1a -> answer_k1a
                        letters=desk.LETTERS, only_options=True,
                        not_a_letter=_letter_hint(lang), correct=_say(lang, "Correct.", "正確。"),
                        wrong=_say(lang, f"Not the best option: {MC_HINTS[grade_id]}.",
                                   f"這不是最好的選項：{MC_HINTS_ZH[grade_id]}。"))


for _gid in MC_KEYS:
    evaluator(UNIT, _gid)(lambda artifact, ctx, _g=_gid: _mc(_g, artifact, ctx.trainee_id,
                                                              ctx.lang))


def own_top_kinds(world: Any) -> list[str]:
    """The customer kind(s) with the most complaints per 100 customers over 12 months."""
    return own_company.top_segments(own_company.complaints_table(world).sum())


@evaluator(UNIT, "q_own_test")
def own_company_complaints(artifact: Any, ctx: EvalContext) -> Verdict:
    """K1 on the trainee's own company: 1 for the kind of customer complaining most.

    Read from the trainee's world rebuilt from the seed: the 12 months before the start
    date, which nothing the trainee does can change; on an exact tie each top kind earns 1.
    """
    answer = read_letter(artifact, desk.LETTERS)
    if answer is None:
        return Verdict(0.0, _letter_hint(ctx), {"answer": repr(artifact)[:40]})
    option = original_option(ctx.trainee_id, "answer_own", answer, desk.OWN_SEGMENT_OPTIONS)
    chosen = desk.OWN_SEGMENT_OPTIONS.get(option or "")
    top = own_top_kinds(ctx.trainee_world())
    evidence = {"answer": answer, "option": option, "kind": chosen, "top": top}
    if chosen in top:
        return Verdict(1.0, _say(ctx, "Correct: that is what your own company's records show.",
                                 "正確：你公司的紀錄正是這樣顯示。"), evidence)
    return Verdict(0.0, _say(ctx, "That does not match your company's complaints table: add up "
                                  "each column over the 12 months and compare.",
                             "這與你公司的投訴表不符：把每一欄 12 個月的數字加起來再比較。"),
                   evidence)


# ------------------------------------------------------------- professionalism
def _judgement_texts(lang: Any) -> JudgementTexts:
    """The judgement call's feedback in the trainee's language."""
    return JudgementTexts(
        malformed=_say(lang, "Choose one option and tick your reasons in the view, then set "
                             "the answer to the view's value.",
                       "請在畫面中選擇一個選項並剔選你的理由，然後把答案設為畫面的值。"),
        wrong_choice=_say(lang, "That choice does not put the customer first within the law: "
                                "think about whose data it is and what he agreed to.",
                          "這個選擇未能在守法的前提下以顧客為先：想想那是誰的資料，"
                          "以及他同意過甚麼。"),
        missing=_say(lang, "; name every consideration: the law, the people involved and the "
                           "relationship", "；請列出每項考慮：法律、涉及的人和彼此的關係"),
        well_justified=_say(lang, "Right choice, well justified.", "選擇正確，理由充分。"),
        incomplete=_say(lang, "Right choice. The justification is incomplete",
                        "選擇正確，但理由不完整"),
        unknown_codes=_say(lang, "; unknown reason codes {codes} (tick reasons in the view)",
                           "；不明的理由代碼 {codes}（請在畫面中剔選理由）"),
        contradicting=_say(lang, "; at least one reason would justify a different choice",
                           "；至少有一個理由會支持另一個選擇"),
        end=_say(lang, ".", "。"))


def _judgement(grade_id: str, artifact: Any, lang: str = "en") -> Verdict:
    spec = JUDGEMENTS[grade_id]
    return grade_judgement(artifact, choice=spec["choice"],
                           codes=set(desk.reason_codes(grade_id[:-len("_test")])),
                           good=spec["good"], texts=_judgement_texts(lang),
                           breaches=BREACH_CHOICES.get(grade_id),
                           unknown_shown=5, unknown_kept=10)


for _gid in JUDGEMENTS:
    evaluator(UNIT, _gid)(lambda artifact, ctx, _g=_gid: _judgement(_g, artifact, ctx.lang))


# ------------------------------------------------------------- exercise 3: follow up
def _week_of(ctx: EvalContext) -> Any:
    """The unseen company's week of work, built once per context (a copy per rule run)."""
    key = "week_104917"
    if key not in ctx._cache:
        ctx._cache[key] = dw.week_of_work(ctx.hidden_world())
    return ctx._cache[key]


def _tier(value: float, tiers: tuple[tuple[float, float], ...]) -> float:
    for floor, score in tiers:
        if value >= floor - 1e-9:
            return score
    return 0.0


def quote_measures(quotes: pd.DataFrame) -> dict[str, Any]:
    """Which quotations kept the price rules, approval limits, validity and follow-up."""
    limit = quotes["group"].map(dw.PRICE_RULES)
    issued = quotes["quote_id"] != ""
    within = quotes["discount"].astype(float).fillna(99) <= limit + 1e-9
    valid = quotes["valid_days"] == dw.QUOTE_VALID_DAYS
    call = quotes["call_back_days"].fillna(99) <= dw.CALL_BACK_DAYS
    written = ~quotes["accepted"] | quotes["confirm_by"].isin(dw.WRITTEN_CONFIRMATION)
    correct = issued & within & valid & call & written
    problems = {   # English names: the evidence's keys (`PROBLEMS_ZH` words them in 繁體中文)
        "refused by the system (limits or approval)": quotes.loc[~issued, "enquiry_id"],
        "discount above the price rules": quotes.loc[issued & ~within, "enquiry_id"],
        "validity not the 14 days of the price rules": quotes.loc[issued & ~valid, "enquiry_id"],
        "call-back later than 2 days": quotes.loc[issued & ~call, "enquiry_id"],
        "acceptance not confirmed in writing": quotes.loc[issued & ~written, "enquiry_id"],
    }
    return {"share_correct": float(correct.mean()) if len(quotes) else 0.0,
            "n": int(len(quotes)), "correct": int(correct.sum()),
            "problems": {k: [str(x) for x in v[:5]] for k, v in problems.items() if len(v)}}


QUOTE_TIERS = ((0.95, 1.0), (0.85, 0.5), (0.7, 0.25))
PROBLEMS_ZH = {"refused by the system (limits or approval)": "被系統拒絕（權限或審批）",
               "discount above the price rules": "折扣高於價格規則",
               "validity not the 14 days of the price rules": "有效期不是價格規則的 14 天",
               "call-back later than 2 days": "回電遲於 2 天",
               "acceptance not confirmed in writing": "接受報價未有書面確認"}


def _wrong_value(ctx: Any, what_en: str, what_zh: str) -> str:
    """"Hand in the ... view's value" in the trainee's language."""
    return _say(ctx, f"Hand in the {what_en} view's value.", f"請交回{what_zh}畫面的值。")


@evaluator(UNIT, "quote_test")
def quotes(artifact: Any, ctx: EvalContext) -> Verdict:
    """P4: the quotation rule applied to an unseen company's week of enquiries.

    Full marks when at least 95 % of the quotations keep the price rules (discount within
    the rules for the kind of customer, approval where the discount is above the
    quoting colleague's limit, 14-day validity, call-back within 2 days, written
    confirmation of an acceptance); half from 85 %, a quarter from 70 %.
    """
    if not isinstance(artifact, Mapping) or artifact.get("kind") != "quote_rule":
        return Verdict(0.0, _wrong_value(ctx, "quotation", "報價"),
                       {"answer": repr(artifact)[:80]})
    result = dw.run_follow_up_week(_week_of(ctx), artifact, None)
    m = quote_measures(result["quotes"])
    score = _tier(m["share_correct"], QUOTE_TIERS)
    msg = _say(ctx, f"On a company you never saw, {m['correct']} of {m['n']} quotations kept "
                    "the price rules",
               f"在一間你從未見過的公司，{m['n']} 張報價中有 {m['correct']} 張符合價格規則")
    if m["problems"]:
        msg += _say(ctx, ": " + "; ".join(f"{k} ({len(v)}+)" for k, v in m["problems"].items()),
                    "：" + "；".join(f"{PROBLEMS_ZH[k]}（{len(v)}+）"
                                    for k, v in m["problems"].items()))
    return Verdict(score, msg + _say(ctx, ".", "。"),
                   {k: m[k] for k in ("share_correct", "n", "correct")}
                   | {"problems": {k: len(v) for k, v in m["problems"].items()}})


def promise_measures(promises: pd.DataFrame) -> dict[str, Any]:
    """How the week's promises ended: on time, late, rebooked, overdue at the end."""
    counts = promises["result"].value_counts()
    n = len(promises)
    kept = int(counts.get("on time", 0) + counts.get("rebooked", 0))
    overdue = int(promises["overdue_at_end"].sum())
    return {"n": n, "kept_share": kept / n if n else 0.0, "overdue": overdue,
            "late": int(counts.get("late", 0))}


PROMISE_TIERS = ((0.9, 1.0), (0.75, 0.8), (0.5, 0.4))


@evaluator(UNIT, "promise_test")
def promises(artifact: Any, ctx: EvalContext) -> Verdict:
    """P5: the promise rule applied to an unseen company's week (quoted by the price rules).

    With no promise overdue at the end of the week: full marks when at least 90 % were
    kept on time or rebooked with the customer, 0.8 from 75 %, 0.4 from 50 %. Each
    promise overdue at the end takes 0.2 off.
    """
    if not isinstance(artifact, Mapping) or artifact.get("kind") != "promise_rule":
        return Verdict(0.0, _wrong_value(ctx, "promise", "承諾"),
                       {"answer": repr(artifact)[:80]})
    result = dw.run_follow_up_week(_week_of(ctx), TAUGHT_QUOTE_RULE, artifact)
    m = promise_measures(result["promises"])
    score = max(0.0, _tier(m["kept_share"], PROMISE_TIERS) - 0.2 * m["overdue"])
    msg = _say(ctx, f"On a company you never saw, {m['n']} promises: {m['kept_share']:.0%} "
                    f"kept on time or rebooked with the customer, {m['late']} kept late, "
                    f"{m['overdue']} overdue at the end of the week.",
               f"在一間你從未見過的公司，共 {m['n']} 個承諾：{m['kept_share']:.0%} 準時履行或與"
               f"顧客另約時間，{m['late']} 個延遲履行，{m['overdue']} 個到週末仍逾期。")
    return Verdict(round(score, 4), msg, m)


TAUGHT_QUOTE_RULE = {"kind": "quote_rule", "groups": {
    "standard": {"discount": "5%", "approval": "none", "valid_days": "14",
                 "call_back_days": "2", "confirm_by": "email"},
    "vip": {"discount": "10%", "approval": "boutique_manager", "valid_days": "14",
            "call_back_days": "2", "confirm_by": "email"},
    "limited_edition": {"discount": "0%", "approval": "none", "valid_days": "14",
                        "call_back_days": "2", "confirm_by": "letter"}}}


# ------------------------------------------------------------- exercise 4: complaints
# What puts each kind of complaint right (at least one is needed), and what may go with it.
REMEDIES = {"repair_delay": {"priority_repair"},
            "product_fault": {"replacement", "refund", "free_service"},
            "service_attitude": {"apology"}, "billing": {"refund"},
            "delivery": {"apology"}, "privacy": {"apology"}}
FITTING = {"repair_delay": {"apology", "voucher", "goodwill_gift"},
           "product_fault": {"apology"},
           "service_attitude": {"goodwill_gift", "voucher"}, "billing": {"apology"},
           "delivery": {"voucher", "goodwill_gift"}, "privacy": set()}
# Company policy: a complaint about personal data goes to the data protection officer.
PRIVACY_HANDLER = "data_protection_officer"
COMPLAINT_BUDGET_HKD = 1_500.0     # recovery spend per complaint, on average


def appropriate(row: Mapping) -> bool:
    """Whether a complaint's recovery fits its kind (and a data complaint went to the DPO)."""
    actions = {a for a in str(row["recovery"]).split(";") if a}
    cat_ = row["category"]
    fits = bool(actions & REMEDIES[cat_]) and actions <= REMEDIES[cat_] | FITTING[cat_]
    if cat_ == "privacy":
        fits = fits and row["escalate_to"] == PRIVACY_HANDLER
    return fits


def complaint_measures(result: dict, base: pd.Series) -> dict[str, Any]:
    """Service levels met, fitting recovery, cost, and who is as satisfied as before."""
    c = result["complaints"]
    from crm_sim.world import engine_state

    latent = engine_state(result["world"])["latent"].set_index("customer_id")["satisfaction"]
    after = c["customer_id"].map(latent).astype(float)
    before = c["customer_id"].map(base).astype(float)
    sla = (c["ack_met"] & c["resolve_met"]).to_numpy(bool)
    fit = c.apply(appropriate, axis=1).to_numpy(bool) if len(c) else sla
    n = max(len(c), 1)
    return {"n": len(c), "sla": float(sla.mean()) if len(c) else 0.0,
            "fitting": float(fit.mean()) if len(c) else 0.0,
            "recovered": float((after >= before - 1e-9).mean()) if len(c) else 0.0,
            "cost_hkd": float(c["cost_hkd"].sum()), "budget_hkd": COMPLAINT_BUDGET_HKD * n,
            "late": [str(x) for x in c.loc[~sla, "complaint_id"][:5]],
            "unfitting_kinds": sorted(set(c.loc[~fit, "category"]))}


@evaluator(UNIT, "complaint_test")
def complaints(artifact: Any, ctx: EvalContext) -> Verdict:
    """P6, X1: the complaint rule applied to an unseen company's week of complaints.

    Score = 0.35 × share handled within the service levels + 0.35 × share given a
    recovery that fits the complaint (and a personal-data complaint handled by the data
    protection officer) + 0.3 × share of complainants at least as satisfied as before
    the complaint (the company's hidden satisfaction); halved when the recovery spend is
    over the budget (HKD 1,500 a complaint on average). Full marks from 0.9; below,
    (score - 0.4) / 0.5, so handling that is slow and unfitting everywhere earns nothing.
    """
    if not isinstance(artifact, Mapping) or artifact.get("kind") != "complaint_rule":
        return Verdict(0.0, _wrong_value(ctx, "complaint", "投訴"),
                       {"answer": repr(artifact)[:80]})
    week = _week_of(ctx)
    from crm_sim.world import engine_state

    base = engine_state(ctx.hidden_world())["latent"].set_index("customer_id")["satisfaction"]
    m = complaint_measures(dw.run_complaint_week(week, artifact), base)
    raw = 0.35 * m["sla"] + 0.35 * m["fitting"] + 0.3 * m["recovered"]
    over = m["cost_hkd"] > m["budget_hkd"]
    if over:
        raw /= 2
    score = 1.0 if raw >= 0.9 else round(max(0.0, (raw - 0.4) / 0.5), 2)
    msg = _say(ctx, f"On a company you never saw, {m['n']} complaints: {m['sla']:.0%} within "
                    f"the service levels, {m['fitting']:.0%} with a recovery that fits the "
                    f"complaint, {m['recovered']:.0%} of the customers as satisfied as before; "
                    f"recovery cost HK${m['cost_hkd']:,.0f} (budget HK${m['budget_hkd']:,.0f})",
               f"在一間你從未見過的公司，共 {m['n']} 宗投訴：{m['sla']:.0%} 在服務標準內處理，"
               f"{m['fitting']:.0%} 的補救切合投訴，{m['recovered']:.0%} 的顧客滿意度回復到投訴前；"
               f"補救成本 HK${m['cost_hkd']:,.0f}（預算 HK${m['budget_hkd']:,.0f}）")
    if m["unfitting_kinds"]:
        msg += _say(ctx, "; look again at the recovery for: ", "；請再檢視以下投訴的補救：") \
            + ", ".join(m["unfitting_kinds"])
    return Verdict(score, msg + _say(ctx, ".", "。"), {k: v for k, v in m.items() if k != "late"}
                   | {"over_budget": over})


# ------------------------------------------------------------- exercise 5: classify
REFERENCE_TIER_RULE = {"kind": "tier_rule",
                       "groups": {m: {"weight": "1"} for m in ds.MEASURES}}
# How far the tiers' rank correlation with true value may fall short of the taught rule's.
TIER_SHORTFALL = ((0.03, 1.0), (0.07, 0.8), (0.12, 0.25))


def _hidden_desk(ctx: EvalContext) -> Any:
    """The unseen company with its records desk open (once per context)."""
    from crm_sim import desk as engine

    return engine.open_desk(ctx.hidden_world())


@evaluator(UNIT, "tier_test")
def tiers(artifact: Any, ctx: EvalContext) -> Verdict:
    """P7: the tier rule applied to an unseen company, against its customers' true value.

    The measure is the rank correlation between the trainee's tiers and the customers'
    true potential (`crm_sim.desk.classify.score_classification`), against what the
    taught rule (every measure counted once) reaches on the same company: full marks
    when it falls short by at most 0.03, 0.8 by 0.07, a quarter by 0.12, else nothing.
    """
    from crm_sim.desk import classify

    world = _hidden_desk(ctx)
    mine = ds.tiers_from_rule(world, artifact)
    if mine is None:
        return Verdict(0.0, _say(ctx, "Hand in the tier view's value: a weight for every "
                                      "measure, not all 0.",
                                 "請交回分級畫面的值：每項指標都要有權重，且不可全部為 0。"),
                       {"answer": repr(artifact)[:80]})
    ref = classify.score_classification(world, ds.tiers_from_rule(world, REFERENCE_TIER_RULE))
    got = classify.score_classification(world, mine)
    short = round(ref["rank_correlation"] - got["rank_correlation"], 4)
    score = next((s for most, s in TIER_SHORTFALL if short <= most + 1e-9), 0.0)
    msg = _say(ctx, f"On a company you never saw, your tiers put {got['agreement']:.0%} of the "
                    "customers in their true tier; their order follows the customers' true "
                    f"value with a rank correlation of {got['rank_correlation']:.2f}",
               f"在一間你從未見過的公司，你的分級把 {got['agreement']:.0%} 的顧客放在其真正的級別；"
               f"其排序與顧客真正價值的等級相關系數為 {got['rank_correlation']:.2f}")
    if score < 1:
        msg += _say(ctx, "; think about which measures show what a customer is worth now and "
                         "could be", "；想想哪些指標能反映顧客現在及將來的價值")
    return Verdict(score, msg + _say(ctx, ".", "。"),
                   {"shortfall": short, "agreement": got["agreement"],
                    "rank_correlation": got["rank_correlation"]})


# ------------------------------------------------------------- exercise 6: the system
HANDOFF_NEEDS = {kind: set(_cat.HANDOFF_KINDS[kind][1]) for kind in ds.HANDOFF_GROUPS}
# Fields no other department ever needs from the desk: sending one is a breach.
NEVER_SENT = {"hkid", "budget_hkd", "vip_note", "birthday", "lifetime_value"}
HANDOFF_ZH = {"repair_ticket": "維修單", "delivery": "送貨單"}


@evaluator(UNIT, "handoff_test")
def handoffs(artifact: Any, ctx: EvalContext) -> Verdict:
    """P9, X1: each hand-off carries what its department needs and nothing more.

    Per hand-off: 1 - (missing + extra) / needed, at least 0; the average of the two.
    Sending an identity card number, a budget, a VIP note, a birthday or a lifetime value
    to another department is a breach (PDPO Sch. 1 DPP3, DPP4) and scores 0.
    """
    fields = ds.handoff_fields(artifact)
    if fields is None:
        return Verdict(0.0, _wrong_value(ctx, "hand-off", "轉交"),
                       {"answer": repr(artifact)[:80]})
    parts, notes, leaked = [], [], []
    for kind, need in HANDOFF_NEEDS.items():
        sent = set(fields.get(kind, []))
        missing, extra = need - sent, sent - need
        leaked += [f"{kind}: {f}" for f in sorted(sent & NEVER_SENT)]
        parts.append(max(0.0, 1 - (len(missing) + len(extra)) / len(need)))
        if missing:
            notes.append(_say(ctx, f"the {kind.replace('_', ' ')} lacks {len(missing)} "
                                   "field(s) the department needs",
                              f"{HANDOFF_ZH.get(kind, kind)}缺少部門需要的 {len(missing)} 個欄位"))
        if extra:
            notes.append(_say(ctx, f"the {kind.replace('_', ' ')} carries {len(extra)} field(s) "
                                   "it does not need",
                              f"{HANDOFF_ZH.get(kind, kind)}附帶了 {len(extra)} 個不需要的欄位"))
    evidence = {"sent": {k: sorted(v) for k, v in fields.items()}, "leaked": leaked}
    if leaked:
        return Verdict(0.0, _say(ctx, "A hand-off carries personal data the department never "
                                      "needs (", "有轉交附帶了部門從不需要的個人資料（")
                       + ", ".join(leaked[:5]) + _say(ctx, ").", "）。"), evidence,
                       breaches=["data_beyond_need: " + "; ".join(leaked[:5])
                                 + " (PDPO DPP3, DPP4)"])
    score = round(sum(parts) / len(parts), 4)
    if score == 1.0:
        return Verdict(1.0, _say(ctx, "Each department gets what it needs to do the job, and no "
                                      "more.", "每個部門都得到工作所需的資料，不多也不少。"),
                       evidence)
    if ctx.lang == ZH:
        return Verdict(score, "；".join(notes) + "。", evidence)
    return Verdict(score, "; ".join(notes).capitalize() + ".", evidence)


DAR_KEY = {"identity": {"check_identity_first"}, "reply_within": {"40_days"},
           "include": {"own_records_only"}, "fee": {"no_fee", "reasonable_copying_cost"}}
DAR_HINTS = {"identity": "make sure the requester is the customer before sending anything",
             "reply_within": "the PDPO sets the time limit (s.19)",
             "include": "a copy of his own data, complete, and no one else's (s.18, s.20)",
             "fee": "a fee may be charged but not an excessive one (s.28)"}
DAR_HINTS_ZH = {"identity": "寄出任何資料前，先確定提出要求的人就是該顧客",
                "reply_within": "《個人資料（私隱）條例》定有回覆期限（第 19 條）",
                "include": "提供他本人完整的資料副本，不包括其他人的資料（第 18、20 條）",
                "fee": "可以收費，但不可過高（第 28 條）"}


@evaluator(UNIT, "dar_test")
def data_access(artifact: Any, ctx: EvalContext) -> Verdict:
    """X1, K4: a data access request answered as the PDPO requires; a quarter per decision.

    Sending other people's records is a breach (PDPO s.20(1)(b); DPP3) and scores 0.
    """
    choice = ds.dar_choices(artifact)
    if choice is None:
        return Verdict(0.0, _say(ctx, "Hand in the request view's value, with every decision "
                                      "made.", "請交回查閱要求畫面的值，並作出每一項決定。"),
                       {"answer": repr(artifact)[:80]})
    if choice["include"] == "own_and_family_records":
        return Verdict(0.0, _say(ctx, "The reply would disclose other people's data.",
                                 "這個回覆會披露其他人的資料。"), choice,
                       breaches=["other_persons_data_disclosed: family members' records sent "
                                 "with a data access request (PDPO s.20(1)(b), DPP3)"])
    right = [f for f, ok in DAR_KEY.items() if choice[f] in ok]
    score = len(right) / len(DAR_KEY)
    if score == 1.0:
        return Verdict(1.0, _say(ctx, "Answered as the PDPO requires.",
                                 "回覆符合《個人資料（私隱）條例》的要求。"), choice)
    if ctx.lang == ZH:
        return Verdict(score, "請再檢視：" + "；".join(DAR_HINTS_ZH[f] for f in DAR_KEY
                                                   if f not in right) + "。", choice)
    hints = [DAR_HINTS[f] for f in DAR_KEY if f not in right]
    return Verdict(score, "Look again: " + "; ".join(hints) + ".", choice)


BACKUP_TIERS = ((0.99, 1.0), (0.8, 0.6), (0.5, 0.3))


@evaluator(UNIT, "backup_test")
def backup(artifact: Any, ctx: EvalContext) -> Verdict:
    """P8: the backup routine's drill on an unseen company: what a restore gives back.

    The share of the contacts recorded before the last backup day that the restored
    system still holds (a day's work after the last backup is always lost): full marks
    from 99 %, 0.6 from 80 %, 0.3 from 50 %; a failed restore loses everything.
    """
    drill = ds.run_backup_drill(_hidden_desk(ctx), artifact)
    if drill is None:
        return Verdict(0.0, _say(ctx, "Hand in the backup view's value, with every decision "
                                      "made.", "請交回備份畫面的值，並作出每一項決定。"),
                       {"answer": repr(artifact)[:80]})
    best = drill["recorded"] - ds.CONTACTS_PER_DAY
    share = drill["kept"] / best if best > 0 else 0.0
    score = _tier(share, BACKUP_TIERS) if drill["restored"] else 0.0
    if not drill["restored"]:
        msg = _say(ctx, "On a company you never saw, the restore failed: the backup it used "
                        "was damaged or gone, so every record was lost.",
                   "在一間你從未見過的公司，還原失敗：所用的備份已損壞或不存在，所有紀錄都遺失了。")
    else:
        msg = _say(ctx, f"On a company you never saw, the restore gave back {drill['kept']} of "
                        f"{drill['recorded']} contacts ({share:.0%} of what a backup the "
                        "evening before could hold).",
                   f"在一間你從未見過的公司，還原取回了 {drill['recorded']} 宗聯絡紀錄中的 "
                   f"{drill['kept']} 宗（相當於前一晚備份所能保存的 {share:.0%}）。")
    return Verdict(score, msg, drill)


# ------------------------------------------------------------- exercise 2: a day at the desk
# The channel each kind of contact is recorded as (a walk-in is a conversation or a visit).
CHANNEL_OF = {"walk_in_visit": {"conversation", "visit"}, "phone_call": {"phone"},
              "email": {"email"}, "letter": {"letter"}, "whatsapp_message": {"message"}}
DAY_TIERS = ((0.95, 1.0), (0.8, 0.5), (0.6, 0.25))


def _day_of(ctx: EvalContext) -> Any:
    key = "day_104917"
    if key not in ctx._cache:
        ctx._cache[key] = dd.day_of_contacts(ctx.hidden_world())
    return ctx._cache[key]


def contact_measures(result: dict) -> dict[str, Any]:
    """Per contact: right channel, inbound, and the call-back promised by the day asked."""
    rec = result["records"]
    asked = result["day"].contacts.set_index("contact")["call_back_in_days"]
    ok_channel = [ch in CHANNEL_OF[f] for f, ch in zip(rec["form"], rec["channel"], strict=True)]
    inbound = (rec["direction"] == "inbound").to_numpy()
    want = [add_days(result["world"].today, int(asked[c])) if asked[c] else ""
            for c in rec["contact"]]
    promise_ok = (rec["promise_due"].to_numpy(object) == pd.Series(want).to_numpy(object))
    right = pd.Series(ok_channel).to_numpy() & inbound & promise_ok
    return {"n": len(rec), "share": float(right.mean()) if len(rec) else 0.0,
            "wrong_channel": int((~pd.Series(ok_channel)).sum()),
            "not_inbound": int((~inbound).sum()), "promise_wrong": int((~promise_ok).sum())}


@evaluator(UNIT, "contact_test")
def contact_records(artifact: Any, ctx: EvalContext) -> Verdict:
    """P1, P2: the contact standard applied to a day at an unseen company.

    A contact is recorded right when its channel fits how the customer got in touch, it
    is inbound, and a customer who asked to be called back has a promise due on the day
    asked. Full marks from 95 % right, half from 80 %, a quarter from 60 %.
    """
    result = dd.record_day(_day_of(ctx), artifact, desk.TAUGHT_INFO_RULE)
    if result is None:
        return Verdict(0.0, _say(ctx, "Hand in the contact view's value, with every choice "
                                      "made.", "請交回聯絡畫面的值，並作出每一項選擇。"),
                       {"answer": repr(artifact)[:80]})
    m = contact_measures(result)
    score = _tier(m["share"], DAY_TIERS)
    if ctx.lang == ZH:
        parts = [f"{m[k]} 宗{label}" for k, label in (
            ("wrong_channel", "記錄在錯誤的渠道"), ("not_inbound", "顧客主動聯絡卻記錄為外撥"),
            ("promise_wrong", "未按顧客要求的日子承諾回電")) if m[k]]
        return Verdict(score, f"在一間你從未見過的公司的一天，{m['n']} 宗聯絡中有 "
                              f"{m['share']:.0%} 記錄正確" + ("：" + "；".join(parts)
                                                             if parts else "") + "。", m)
    parts = [f"{m[k]} {label}" for k, label in (
        ("wrong_channel", "recorded under the wrong channel"),
        ("not_inbound", "recorded as outbound though the customer got in touch"),
        ("promise_wrong", "without the call-back promised for the day asked")) if m[k]]
    msg = f"On a day at a company you never saw, {m['share']:.0%} of {m['n']} contacts " \
          "were recorded right"
    return Verdict(score, msg + (": " + "; ".join(parts) if parts else "") + ".", m)


@evaluator(UNIT, "info_test")
def info_records(artifact: Any, ctx: EvalContext) -> Verdict:
    """P3, X1: the information standard applied to a day at an unseen company.

    The share of the useful information customers gave (birthday, brands, budget, gift
    recipients) that reaches their important information; full marks from 95 %, half
    from 80 %, a quarter from 60 %. Recording an identity card number the business does
    not need is a breach (PDPO Sch. 1 DPP1) and scores 0.
    """
    taught_contacts = {"kind": "contact_rule", "groups": {
        f: {"record_as": sorted(CHANNEL_OF[f])[0], "direction": "inbound",
            "if_asked_to_call": "promise_call_back_by_the_day_asked"} for f in dd.FORMS}}
    result = dd.record_day(_day_of(ctx), taught_contacts, artifact)
    if result is None:
        return Verdict(0.0, _say(ctx, "Hand in the information view's value, with every "
                                      "choice made.", "請交回資料畫面的值，並作出每一項選擇。"),
                       {"answer": repr(artifact)[:80]})
    rec, contacts = result["records"], result["day"].contacts.set_index("contact")
    given = recorded = 0
    ids_recorded = []
    for _, r in rec.iterrows():
        said = contacts.at[r["contact"], "said"]
        fields = set(filter(None, str(r["info_recorded"]).split(";")))
        useful = [m for m in said if m in dd.INFO_FIELD_OF]
        given += len(useful)
        recorded += sum(dd.INFO_FIELD_OF[m] in fields for m in useful)
        if r["id_in_summary"]:
            ids_recorded.append(r["contact"])
    share = recorded / given if given else 0.0
    evidence = {"given": given, "recorded": recorded, "share": round(share, 4),
                "id_numbers_recorded": len(ids_recorded)}
    if ids_recorded:
        return Verdict(0.0, _say(ctx, f"Identity card numbers were written into "
                                      f"{len(ids_recorded)} contact record(s); the business "
                                      "does not need them.",
                                 f"有 {len(ids_recorded)} 宗聯絡紀錄寫入了身份證號碼；"
                                 "業務並不需要這些資料。"), evidence,
                       breaches=[f"unnecessary_data_collected: HKID numbers recorded in "
                                 f"{len(ids_recorded)} contact(s) (PDPO DPP1)"])
    score = _tier(share, DAY_TIERS)
    return Verdict(score, _say(ctx, f"On a day at a company you never saw, {share:.0%} of the "
                                    "useful information customers gave reached their "
                                    "important information.",
                               f"在一間你從未見過的公司的一天，顧客提供的有用資料中有 {share:.0%} "
                               "記入了他們的重要資料。"), evidence)


# ------------------------------------------------------------- exercise 6: the report
REPORT_KEY = {"report": "monthly_activity", "period": "last_full_month",
              "send_to": "boutique_manager"}
REPORT_WEIGHTS = {"report": 0.4, "period": 0.4, "send_to": 0.2}


@evaluator(UNIT, "report_test")
def monthly_report(artifact: Any, ctx: EvalContext) -> Verdict:
    """P8: the monthly report the rule compiles from an unseen company's information system.

    The manager's review needs last month's contacts by channel: 0.4 for the report,
    0.4 for the period, 0.2 for sending it to the boutique manager; the report is
    compiled on the unseen company and must hold rows. The analyst track's
    parameterised SELECT (`report_by_sql`) earns the same points.
    """
    if isinstance(artifact, Mapping) and artifact.get("kind") == ds.REPORT_SQL_KIND:
        return report_by_sql(artifact, ctx)
    compiled = ds.compile_report(_hidden_desk(ctx), artifact)
    if compiled is None:
        return Verdict(0.0, _say(ctx, "Hand in the report view's value, with every choice "
                                      "made.", "請交回報告畫面的值，並作出每一項選擇。"),
                       {"answer": repr(artifact)[:80]})
    choice, table = compiled
    right = [f for f, want in REPORT_KEY.items() if choice[f] == want]
    score = round(sum(REPORT_WEIGHTS[f] for f in right), 4) if len(table) else 0.0
    evidence = {"report": choice["report"], "period": choice["period"],
                "send_to": choice["send_to"], "rows": int(len(table))}
    if score == 1.0:
        return Verdict(1.0, _say(ctx, f"On a company you never saw, the report holds "
                                      f"{len(table)} rows for {choice.get('month')}: what the "
                                      "manager's review needs.",
                                 f"在一間你從未見過的公司，報告有 {choice.get('month')} 的 "
                                 f"{len(table)} 行：正是經理檢討所需。"), evidence)
    return Verdict(score, _say(ctx, "The manager reviews last month's contacts by channel: "
                                    "check the report, its period and who it is for.",
                               "經理檢討的是上個月按渠道劃分的聯絡：請檢查報告、其期間和收件人。"),
                   evidence)


# ------------------------------------------------------------- exercise 6: analyst track
TAUGHT_REPORT_RULE = {"kind": "report_rule", "groups": {"monthly_report": REPORT_KEY}}


def _hidden_report_store(ctx: EvalContext) -> Path:
    """The unseen company with its desk open, saved once per context for `run_sql`."""
    if "report_store" in ctx._cache and ctx._cache["report_store"].exists():
        return ctx._cache["report_store"]
    folder = tempfile.TemporaryDirectory(prefix="crm-104917-grade-")
    path = _hidden_desk(ctx).save(Path(folder.name) / "system.sqlite")
    ctx._cache["report_store_dir"] = folder        # removed with the context
    ctx._cache["report_store"] = path
    return path


def _by_channel(table: pd.DataFrame) -> dict[tuple[str, str], int] | None:
    """``{(channel, direction): communications}``; None when not one row per pair."""
    cols = {str(c).lower(): c for c in table.columns}
    if not all(c in cols for c in ds.REPORT_SQL_COLUMNS):
        return None
    counts = pd.to_numeric(table[cols["communications"]], errors="coerce")
    keys = list(zip(table[cols["channel"]].astype(str), table[cols["direction"]].astype(str),
                    strict=True))
    if counts.isna().any() or len(set(keys)) != len(keys):
        return None
    return {k: int(v) for k, v in zip(keys, counts, strict=True)}


def report_by_sql(artifact: Any, ctx: EvalContext) -> Verdict:
    """P8, analyst track: the monthly report as one parameterised SELECT, on an unseen company.

    The query runs in the jail (`EvalContext.run_sql`: read-only copy, public tables only,
    bounded time and memory) with ``:month`` bound to the last full month. The same
    points as the report view: 0.4 for the report (one row per channel and direction
    with a ``communications`` count), 0.4 for the period (the counts are those of the
    month bound to ``:month``: a query that does not use the parameter earns none), 0.2
    for sending it to the boutique manager. A query that fails, is refused or returns
    no rows earns nothing; its message names the kind of failure only, never the
    database's words.
    """
    parts = ds.report_query_parts(artifact)
    if parts is None:
        return Verdict(0.0, _say(ctx, "Hand in the analyst track's report as {\"kind\": "
                                      "\"report_sql\", \"sql\": \"SELECT ...\", \"send_to\": "
                                      "...} with one of the view's recipients.",
                                 "請以 {\"kind\": \"report_sql\", \"sql\": \"SELECT ...\", "
                                 "\"send_to\": ...} 交回分析員路線的報告，"
                                 "收件人須為畫面中的選項之一。"),
                       {"answer": repr(artifact)[:80]})
    world = _hidden_desk(ctx)
    month = ds.report_month(world)
    got = ctx.run_sql(_hidden_report_store(ctx), parts["sql"], params={"month": month})
    if not isinstance(got, pd.DataFrame):
        return Verdict(0.0, _say(ctx, f"The query failed on a company you never saw "
                                      f"({got.kind}): it must be one read-only SELECT on the "
                                      "public tables that finishes in time. Try it on your "
                                      "own company first.",
                                 f"查詢在一間你從未見過的公司執行失敗（{got.kind}）：必須是只讀取"
                                 "公開資料表、能及時完成的單一 SELECT。請先在你自己的公司試一試。"),
                       {"error": got.kind})
    want = _by_channel(ds.compile_report(world, TAUGHT_REPORT_RULE)[1])
    mine = _by_channel(got)
    uses_month = ":month" in parts["sql"]
    report_ok = mine is not None and len(mine) > 0
    if report_ok:
        period_ok = uses_month and mine == want
    else:
        cols = {str(c).lower(): c for c in got.columns}
        total = (pd.to_numeric(got[cols["communications"]], errors="coerce").sum()
                 if "communications" in cols else -1)
        period_ok = uses_month and len(got) > 0 and total == sum((want or {}).values())
    send_ok = parts["send_to"] == REPORT_KEY["send_to"]
    score = round(0.4 * report_ok + 0.4 * period_ok + 0.2 * send_ok, 4) if len(got) else 0.0
    evidence = {"rows": int(len(got)), "report": report_ok, "period": period_ok,
                "uses_month": uses_month, "send_to": parts["send_to"]}
    if score == 1.0:
        return Verdict(1.0, _say(ctx, f"On a company you never saw, your query gives the "
                                      f"manager {month}'s contacts by channel and direction.",
                                 f"在一間你從未見過的公司，你的查詢給店長 {month} 按渠道及方向"
                                 "劃分的聯絡數目。"), evidence)
    hints = []
    if not report_ok:
        hints.append(_say(ctx, "one row per channel and direction, with the columns channel, "
                               "direction and communications",
                          "每個渠道及方向一行，欄位為 channel、direction 和 communications"))
    if not period_ok:
        hints.append(_say(ctx, "count the month bound to :month (substr(timestamp, 1, 7) = "
                               ":month), not a month you typed",
                          "計算綁定到 :month 的月份（substr(timestamp, 1, 7) = :month），"
                          "而不是自己輸入的月份"))
    if not send_ok:
        hints.append(_say(ctx, "the report is for the boutique manager", "報告是給店長的"))
    return Verdict(score, _say(ctx, "Look again: ", "請再檢視：")
                   + _say(ctx, "; ", "；").join(hints) + _say(ctx, ".", "。"), evidence)


# ------------------------------------------------------------- cohort variants
_OWN_WRONG = (
    'answer_own = shown_letter("answer_own", {"collector": "a", "gift_buyer": "b", '
    '"walk_in": "c", "corporate_gifting": "d"}[[k for k in ("collector", "gift_buyer", '
    '"walk_in", "corporate_gifting") if k not in own_company.top_segments('
    'own_company.complaints_table(world).sum())][0]])\n')
_QUOTE_NO_APPROVAL = (
    'quote_rule = {"kind": "quote_rule", "groups": {\n'
    '    "standard": {"discount": "5%", "approval": "none", "valid_days": "14", '
    '"call_back_days": "2", "confirm_by": "email"},\n'
    '    "vip": {"discount": "10%", "approval": "none", "valid_days": "14", '
    '"call_back_days": "2", "confirm_by": "email"},\n'
    '    "limited_edition": {"discount": "0%", "approval": "none", "valid_days": "14", '
    '"call_back_days": "2", "confirm_by": "letter"}}}\n')
_QUOTE_NAIVE = (
    'quote_rule = {"kind": "quote_rule", "groups": {g: {"discount": "10%", "approval": "none", '
    '"valid_days": "30", "call_back_days": "7", "confirm_by": "phone"} for g in '
    '("standard", "vip", "limited_edition")}}\n')
_PROMISES = (
    'promise_rule = {"kind": "promise_rule", "groups": {k: {"act": "%s", "if_blocked": "%s"} '
    'for k in ("call_back", "reserve_model", "repair_ready", "send_quotation", "deliver")}}\n')
_COMPLAINTS_SLOW = (
    'complaint_rule = {"kind": "complaint_rule", "groups": {\n'
    '    "repair_delay": {"acknowledge": "next_day", "resolve_in": "10_days", '
    '"recovery": ["priority_repair"], "escalate_to": "none"},\n'
    '    "product_fault": {"acknowledge": "next_day", "resolve_in": "10_days", '
    '"recovery": ["voucher"], "escalate_to": "none"},\n'
    '    "service_attitude": {"acknowledge": "next_day", "resolve_in": "10_days", '
    '"recovery": ["apology"], "escalate_to": "none"},\n'
    '    "billing": {"acknowledge": "next_day", "resolve_in": "10_days", '
    '"recovery": ["refund"], "escalate_to": "none"},\n'
    '    "delivery": {"acknowledge": "next_day", "resolve_in": "10_days", '
    '"recovery": ["apology"], "escalate_to": "none"},\n'
    '    "privacy": {"acknowledge": "next_day", "resolve_in": "10_days", '
    '"recovery": ["voucher"], "escalate_to": "none"}}}\n')
_COMPLAINTS_NAIVE = (
    'complaint_rule = {"kind": "complaint_rule", "groups": {c: {"acknowledge": '
    '"within_3_days", "resolve_in": "10_days", "recovery": ["voucher"], "escalate_to": '
    '"none"} for c in ("repair_delay", "product_fault", "service_attitude", "billing", '
    '"delivery", "privacy")}}\n')
# Variant name -> {solution cell grade_id: replacement source}; "full" is the source.
VARIANTS: dict[str, dict[str, str]] = {
    "partial": {
        # call-backs promised "in 3 days" whatever the customer asked
        "contact_answer": (
            'contact_rule = {"kind": "contact_rule", "groups": {f: {"record_as": c, '
            '"direction": "inbound", "if_asked_to_call": "promise_call_back_in_3_days"} '
            'for f, c in (("walk_in_visit", "conversation"), ("phone_call", "phone"), '
            '("email", "email"), ("letter", "letter"), ("whatsapp_message", "message"))}}\n'),
        # budgets and gift recipients left in the summaries only
        "info_answer": (
            'info_rule = {"kind": "info_rule", "groups": {"birthday": {"record_in": '
            '"important_information"}, "preferred_brands": {"record_in": '
            '"important_information"}, "budget_hkd": {"record_in": "summary_only"}, '
            '"gift_recipients": {"record_in": "summary_only"}, "hkid_number": '
            '{"record_in": "do_not_record"}}}\n'),
        "quote_answer": _QUOTE_NO_APPROVAL,
        "promise_answer": _PROMISES % ("as_soon_as_possible", "leave_open"),
        "complaint_answer": _COMPLAINTS_SLOW,
        # RFM alone (what the customer did, not what they could do)
        "tier_answer": ('tier_rule = {"kind": "tier_rule", "groups": {"recency": {"weight": '
                        '"1"}, "frequency": {"weight": "1"}, "monetary": {"weight": "1"}, '
                        '"potential": {"weight": "0"}}}\n'),
        "backup_answer": ('backup_rule = {"kind": "backup_rule", "groups": {"backup": '
                          '{"when": "every_week", "keep": "last_30", '
                          '"restore_from": "newest_backup_that_verifies"}}}\n'),
        "report_answer": ('report_rule = {"kind": "report_rule", "groups": {"monthly_report": '
                          '{"report": "monthly_activity", "period": "this_month_so_far", '
                          '"send_to": "boutique_manager"}}}\n'),
        "q_k1c_answer": 'answer_k1c = shown_letter("answer_k1c", "a")\n',
        "q_k4b_answer": 'answer_k4b = shown_letter("answer_k4b", "b")\n',
        "q_k3a_answer": 'answer_k3a = shown_letter("answer_k3a", "d")\n',
        "prof_x1_answer": 'answer_x1 = {"choice": "b", "reasons": ["own_data"]}\n',
    },
    "wrong": {
        "q_k1a_answer": 'answer_k1a = shown_letter("answer_k1a", "b")\n',
        "q_k1b_answer": 'answer_k1b = shown_letter("answer_k1b", "a")\n',
        "q_k1c_answer": 'answer_k1c = shown_letter("answer_k1c", "a")\n',
        "q_k2_answer": 'answer_k2 = shown_letter("answer_k2", "d")\n',
        "q_k3a_answer": 'answer_k3a = shown_letter("answer_k3a", "a")\n',
        "q_k3b_answer": 'answer_k3b = shown_letter("answer_k3b", "b")\n',
        "q_own_answer": _OWN_WRONG,
        "prof_x1_answer": 'answer_x1 = {"choice": "a", "reasons": ["family_ok"]}\n',
        "contact_answer": (
            'contact_rule = {"kind": "contact_rule", "groups": {f: {"record_as": "phone", '
            '"direction": "outbound", "if_asked_to_call": "no_promise"} for f in '
            '("walk_in_visit", "phone_call", "email", "letter", "whatsapp_message")}}\n'),
        "info_answer": (
            'info_rule = {"kind": "info_rule", "groups": {m: {"record_in": "summary_only"} '
            'for m in ("birthday", "preferred_brands", "budget_hkd", "gift_recipients", '
            '"hkid_number")}}\n'),
        "quote_answer": _QUOTE_NAIVE,
        "promise_answer": _PROMISES % ("on_due_day", "leave_open"),
        "complaint_answer": _COMPLAINTS_NAIVE,
        "tier_answer": ('tier_rule = {"kind": "tier_rule", "groups": {"recency": {"weight": '
                        '"3"}, "frequency": {"weight": "0"}, "monetary": {"weight": "0"}, '
                        '"potential": {"weight": "0"}}}\n'),
        "handoff_answer": ('handoff_rule = {"kind": "handoff_rule", "groups": {k: {"send": '
                           '["customer_id", "name", "phone", "hkid", "address", "email", '
                           '"serial_no", "model", "issue", "budget_hkd"]} for k in '
                           '("repair_ticket", "delivery")}}\n'),
        "dar_answer": ('dar_rule = {"kind": "dar_rule", "groups": {"request": {"identity": '
                       '"no_check_needed", "reply_within": "90_days", "include": '
                       '"own_and_family_records", "fee": "full_admin_cost"}}}\n'),
        "backup_answer": ('backup_rule = {"kind": "backup_rule", "groups": {"backup": '
                          '{"when": "every_day_at_closing", "keep": "last_1", '
                          '"restore_from": "newest_backup_file"}}}\n'),
        "q_k4a_answer": 'answer_k4a = shown_letter("answer_k4a", "c")\n',
        "report_answer": ('report_rule = {"kind": "report_rule", "groups": {"monthly_report": '
                          '{"report": "top_customers", "period": "last_12_months", '
                          '"send_to": "marketing_agency"}}}\n'),
        "q_k4b_answer": 'answer_k4b = shown_letter("answer_k4b", "a")\n',
    },
}
