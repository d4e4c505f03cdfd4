"""Classify customers and run the customer information system, by rules the grader reapplies.

Released beside the notebooks (no key, no hidden truth). Each exercise's decision is a
rule as data from a rule-editor view: how much each measure counts in a customer's
value (`tiers_from_rule`), which fields a hand-off sends (`handoff_fields`), how a data
access request is answered, how backups are made and restored (`run_backup_drill`).
The functions apply a rule to any company through the records-desk engine
(`crm_sim.desk`), so the trainee sees the result on their own company and the grader on
one they never saw.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crm_sim import desk
from crm_sim.desk import catalogue as cat
from crm_sim.desk import classify
from crm_sim.desk.backups import Backups
from crm_sim.desk.tables import add_days
from crm_sim.ui.rule_editor import rule_choices

# ---------------------------------------------------------------------- value tiers
MEASURES = ("recency", "frequency", "monetary", "potential")
TIER_FIELDS = {"weight": ("0", "1", "2", "3")}
# Company policy: the best 10 % are platinum, the next 20 % gold, the next 30 % silver.
TIER_SHARES = (("platinum", 0.10), ("gold", 0.20), ("silver", 0.30))


def measure_scores(world: Any) -> pd.DataFrame:
    """Each customer's 1-5 score on every measure (RFM from the sales, potential)."""
    w = desk.open_desk(world)
    r = classify.rfm(w)
    p = classify.potential(w).set_index("customer_id")["potential_hkd"]
    pot = p.reindex(r["customer_id"].to_numpy(object)).fillna(0.0).to_numpy(float)
    return pd.DataFrame({"customer_id": r["customer_id"].to_numpy(object),
                         "recency": r["r_score"].to_numpy(int),
                         "frequency": r["f_score"].to_numpy(int),
                         "monetary": r["m_score"].to_numpy(int),
                         "potential": classify._quintile(pot)})


def _weights(rule: Any) -> dict[str, float] | None:
    groups = rule.get("groups") if isinstance(rule, dict) and rule.get("kind") == \
        "tier_rule" else None
    if not isinstance(groups, dict):
        return None
    out = {}
    for m in MEASURES:
        choice = groups.get(m) if isinstance(groups.get(m), dict) else {}
        if choice.get("weight") not in TIER_FIELDS["weight"]:
            return None
        out[m] = float(choice["weight"])
    return out if sum(out.values()) > 0 else None


def tiers_from_rule(world: Any, rule: Any) -> pd.Series | None:
    """Tier per customer (index customer_id) from a weighted score and the company's shares.

    None when the rule is not a usable tier rule (every measure needs a weight, not all 0).
    Ties are broken by customer order, so the same company gives the same tiers.
    """
    weights = _weights(rule)
    if weights is None:
        return None
    scores = measure_scores(world)
    total = sum(weights[m] * scores[m].to_numpy(float) for m in MEASURES)
    order = np.argsort(-total, kind="stable")
    tiers = np.full(len(total), "bronze", dtype=object)
    start = 0
    for name, share in TIER_SHARES:
        end = start + int(round(share * len(total)))
        tiers[order[start:end]] = name
        start = end
    return pd.Series(tiers, index=scores["customer_id"].to_numpy(object), name="tier")


def tier_summary(world: Any, tiers: pd.Series) -> pd.DataFrame:
    """Per tier: customers, average spend, purchases and stated potential (public figures)."""
    scores = classify.rfm(world).set_index("customer_id")
    pot = classify.potential(world).set_index("customer_id")["potential_hkd"]
    df = pd.DataFrame({"tier": tiers, "spend_hkd": scores["monetary"].reindex(tiers.index),
                       "purchases": scores["frequency"].reindex(tiers.index),
                       "potential_hkd": pot.reindex(tiers.index)})
    out = df.groupby("tier").agg(customers=("tier", "size"), spend_hkd=("spend_hkd", "mean"),
                                 purchases=("purchases", "mean"),
                                 potential_hkd=("potential_hkd", "mean"))
    return out.reindex([t for t in cat.TIERS if t in out.index]).round(0)


# ---------------------------------------------------------------------- hand-offs
HANDOFF_GROUPS = ("repair_ticket", "delivery")
# Every field a desk user could put in a hand-off (the engine's fields and more).
HANDOFF_OPTIONS = ("customer_id", "name", "name_masked", "phone", "phone_masked", "address",
                   "email", "hkid", "serial_no", "model", "issue", "under_warranty",
                   "promised_ready", "order_id", "budget_hkd", "vip_note", "birthday",
                   "lifetime_value")
HANDOFF_FIELDS = {"send": HANDOFF_OPTIONS}
HANDOFF_MULTI = {"send": 10}


def handoff_fields(rule: Any) -> dict[str, list[str]] | None:
    """``{kind: [fields]}`` from a hand-off rule, or None when it is not one."""
    groups = rule.get("groups") if isinstance(rule, dict) and rule.get("kind") == \
        "handoff_rule" else None
    if not isinstance(groups, dict):
        return None
    out = {}
    for kind in HANDOFF_GROUPS:
        choice = groups.get(kind) if isinstance(groups.get(kind), dict) else {}
        send = choice.get("send")
        out[kind] = [f for f in send[:len(HANDOFF_OPTIONS)] if f in HANDOFF_OPTIONS] \
            if isinstance(send, list) else []
    return out


# ---------------------------------------------------------------------- data access request
DAR_GROUPS = ("request",)
DAR_FIELDS = {
    "identity": ("check_identity_first", "no_check_needed"),
    "reply_within": ("14_days", "40_days", "90_days"),
    "include": ("own_records_only", "own_and_family_records", "summary_only"),
    "fee": ("no_fee", "reasonable_copying_cost", "full_admin_cost"),
}


# ---------------------------------------------------------------------- backups
BACKUP_GROUPS = ("backup",)
BACKUP_FIELDS = {
    "when": ("every_day_at_closing", "every_week", "before_big_updates_only"),
    "keep": ("last_1", "last_7", "last_30"),
    "restore_from": ("newest_backup_that_verifies", "newest_backup_file"),
}
DRILL_DAYS = 7
CONTACTS_PER_DAY = 6


def dar_choices(rule: Any) -> dict | None:
    """The data-access-request decisions, or None when the rule is not complete."""
    got = rule_choices(rule, "dar_rule", DAR_GROUPS, DAR_FIELDS)
    return got["request"] if got else None


def run_backup_drill(world: Any, rule: Any) -> dict[str, Any] | None:
    """Seven working days with backups by the rule, then the live file and newest backup fail.

    Every day the desk records a few contacts and, on the rule's days, makes a backup
    (keeping only as many as the rule keeps). On the last evening the newest backup file
    and the live file are both damaged (a disk fault); the desk restores by the rule.
    Returns the contacts recorded, those the restored system still holds, whether the
    restore worked and from which backup; None when the rule is not complete.
    """
    got = rule_choices(rule, "backup_rule", BACKUP_GROUPS, BACKUP_FIELDS)
    if got is None:
        return None
    plan = got["backup"]
    w = world.copy()
    desk.open_desk(w)
    staff = str(w.tables["desk_staff"]["staff_id"].iloc[1])
    customers = w.tables["desk_customers"]["customer_id"].to_numpy(object)
    keep = int(plan["keep"].split("_")[1])
    recorded: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        live = Path(tmp) / "live.sqlite"
        backups = Backups(Path(tmp) / "backups")
        start = w.today
        for day in range(DRILL_DAYS):
            today = add_days(start, day)
            w.today = today
            for k in range(CONTACTS_PER_DAY):
                cid = str(customers[(day * CONTACTS_PER_DAY + k) % len(customers)])
                recorded.append(desk.record_communication(
                    w, cid, staff, "phone", f"Drill day {day + 1}: follow-up call.",
                    when=f"{today}T{10 + k:02d}:00"))
            due = {"every_day_at_closing": True, "every_week": day % 5 == 4,
                   "before_big_updates_only": day in (1, 4)}[plan["when"]]
            if due:
                backups.create(w)
                for old in backups._names()[:-keep]:
                    (backups.folder / old).unlink()
        w.save(live)                 # the live file at the end of the last day
        names = backups._names()
        if names:    # the disk fault: the newest backup is cut short, and so is the live file
            _truncate(backups.folder / names[-1])
        _truncate(live)
        source, restored = "", None
        if names:
            try:
                source = names[-1] if plan["restore_from"] == "newest_backup_file" else \
                    backups.latest()
                restored = backups.restore(live, source)
            except desk.DeskError:      # a damaged backup, or no good one left
                restored = None
    held = set(restored.tables["desk_comms"]["comm_id"]) if restored is not None else set()
    kept = [c for c in recorded if c in held]
    return {"recorded": len(recorded), "kept": len(kept), "restored": restored is not None,
            "from": source, "backups_made": len(names) if names else 0}


def _truncate(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.truncate(size // 3)


# ---------------------------------------------------------------------- the monthly report
REPORT_GROUPS = ("monthly_report",)
REPORT_FIELDS = {
    "report": ("monthly_activity", "open_complaints", "overdue_promises", "top_customers"),
    "period": ("last_full_month", "this_month_so_far", "last_12_months"),
    "send_to": ("boutique_manager", "all_staff", "marketing_agency"),
}


def _month(world: Any, period: str) -> str:
    today = pd.Timestamp(world.today)
    if period == "this_month_so_far":
        return today.strftime("%Y-%m")
    return (today - pd.DateOffset(months=1)).strftime("%Y-%m")


def compile_report(world: Any, rule: Any) -> tuple[dict, pd.DataFrame] | None:
    """The report a report rule compiles from the information system, with the choices.

    None when the rule is incomplete. The world is saved to a temporary file and queried
    read-only (`crm_sim.desk.infosys.InfoSystem`), as the desk's own reports are.
    """
    from crm_sim.desk.infosys import InfoSystem

    got = rule_choices(rule, "report_rule", REPORT_GROUPS, REPORT_FIELDS)
    if got is None:
        return None
    choice = got["monthly_report"]
    w = desk.open_desk(world.copy())
    params: dict[str, Any] = {}
    if choice["report"] == "monthly_activity":
        params = {"month": _month(w, choice["period"])}
    elif choice["report"] == "top_customers":
        params = {"since": add_days(w.today, -365 if choice["period"] == "last_12_months"
                                    else -31)}
    with tempfile.TemporaryDirectory() as tmp:
        table = InfoSystem(w, Path(tmp) / "system.sqlite").report(choice["report"], **params)
    return choice | params, table


# ------------------------------------------------------- the analyst track of the report
# The analyst track hands in the monthly report as one parameterised SELECT instead of
# the report view's value: {"kind": "report_sql", "sql": "...", "send_to": "..."}. The
# month is bound to the query's ``:month`` placeholder by whoever runs it (the trainee's
# check on their own company, the grader on one they never saw), never pasted into it.
REPORT_SQL_KIND = "report_sql"
REPORT_SQL_MAX_CHARS = 5_000
REPORT_SQL_COLUMNS = ("channel", "direction", "communications")


def report_query_parts(artefact: Any) -> dict[str, str] | None:
    """``{"sql", "send_to"}`` of an analyst-track report, or None when it is not one."""
    if not isinstance(artefact, dict) or artefact.get("kind") != REPORT_SQL_KIND:
        return None
    sql, send_to = artefact.get("sql"), artefact.get("send_to")
    if not isinstance(sql, str) or not sql.strip() or len(sql) > REPORT_SQL_MAX_CHARS:
        return None
    if send_to not in REPORT_FIELDS["send_to"]:
        return None
    return {"sql": sql, "send_to": send_to}


def report_month(world: Any) -> str:
    """The month the manager reviews: the last full month before the world's today."""
    return _month(world, "last_full_month")


def run_report_query(world: Any, artefact: Any, timeout_s: float = 5.0) -> pd.DataFrame | None:
    """The analyst track's query run on a company (read-only copy, :month bound).

    None when the artefact is not an analyst-track report.

    Raises:
        FieldError: the query is refused (not one SELECT, a hidden table) or fails.
    """
    from crm_sim.profile_review import run_sql

    parts = report_query_parts(artefact)
    if parts is None:
        return None
    w = desk.open_desk(world.copy())
    with tempfile.TemporaryDirectory() as tmp:
        path = w.save(Path(tmp) / "system.sqlite")
        return run_sql(path, parts["sql"], timeout_s=timeout_s,
                       params={"month": report_month(w)})
