"""A week at the boutique's records desk: the work that comes in, and rules that handle it.

Released beside the notebooks (no key, no hidden truth). The trainee decides *rules* in
the views (how to quote, how to keep promises, how to handle each kind of complaint);
`run_follow_up_week` and `run_complaint_week` apply them through the records-desk engine
(`crm_sim.desk`) to a week of work, on a copy of a company. The trainee sees the result on
their own company; the grader applies the same rules to a company the trainee never saw.

The week's work is drawn from the company's own customers, staff and models with a
generator of this unit seeded by the company's seed, so the same company always brings
the same week, and the simulation's own random streams are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crm_sim import desk
from crm_sim.desk import catalogue as cat
from crm_sim.desk.tables import add_days

WEEK_DAYS = 7
N_ENQUIRIES = 24
N_PROMISES = 30
N_COMPLAINTS = 18
PROMISES_PER_DAY = 10         # what the desk team can keep in a day, besides everything else
SALES_ROLES = ("sales_assistant", "clienteling", "boutique_manager")

# ---------------------------------------------------------------------- company policy
# The price rules trainees are taught (company policy, stricter than what the system allows).
PRICE_RULES = {"standard": 0.05, "vip": 0.10, "limited_edition": 0.0}
QUOTE_VALID_DAYS = 14
CALL_BACK_DAYS = 2            # a quotation is followed by a call within two days
WRITTEN_CONFIRMATION = ("email", "letter")

# The views' choices (strings, as the rule editor shows them).
QUOTE_GROUPS = ("standard", "vip", "limited_edition")
QUOTE_FIELDS = {
    "discount": ("0%", "3%", "5%", "8%", "10%", "12%"),
    "approval": ("none", "boutique_manager"),
    "valid_days": ("7", "14", "30"),
    "call_back_days": ("1", "2", "3", "7"),
    "confirm_by": ("email", "letter", "phone", "none"),
}
PROMISE_GROUPS = tuple(k for k in cat.PROMISE_KINDS if k != "other")
PROMISE_FIELDS = {
    "act": ("as_soon_as_possible", "day_before_due", "on_due_day"),
    "if_blocked": ("tell_customer_and_rebook", "leave_open"),
}
COMPLAINT_GROUPS = cat.COMPLAINT_CATEGORIES
COMPLAINT_FIELDS = {
    "acknowledge": ("same_day", "next_day", "within_3_days"),
    "resolve_in": ("2_days", "5_days", "10_days"),
    "recovery": tuple(cat.RECOVERY_ACTIONS),
    "escalate_to": ("none", "boutique_manager", "data_protection_officer"),
}
COMPLAINT_MULTI = {"recovery": 2}
DAYS = {"same_day": 0, "next_day": 1, "within_3_days": 3,
        "2_days": 2, "5_days": 5, "10_days": 10}


# ---------------------------------------------------------------------- the week's work
@dataclass
class Week:
    """The work that comes in during the week, on a copy of the company."""

    world: Any
    start: str
    enquiries: list[str] = field(default_factory=list)
    accepts: set[str] = field(default_factory=set)       # enquiries whose customer says yes
    promises: pd.DataFrame | None = None                 # promises to keep this week
    blocked: set[str] = field(default_factory=set)       # promises that cannot be kept
    complaints: pd.DataFrame | None = None               # complaints arriving this week

    def copy(self) -> Week:
        """An independent copy (a rule applied to it leaves this week untouched)."""
        return Week(self.world.copy(), self.start, list(self.enquiries), set(self.accepts),
                    self.promises, set(self.blocked), self.complaints)


def _rng(world: Any, part: int) -> np.random.Generator:
    return np.random.default_rng([int(world.scenario.seed) % 2**32, 104917, part])


def _front_staff(world: Any) -> pd.DataFrame:
    staff = world.tables["desk_staff"]
    return staff[staff["desk_role"].isin(SALES_ROLES)]


def _seller(world: Any, customers: pd.DataFrame) -> np.ndarray:
    """The relationship owner when they sell, else a sales colleague of the home boutique."""
    front = _front_staff(world)
    sellers = set(front["staff_id"])
    owner = customers["relationship_staff_id"].to_numpy(object)
    by_boutique = front.groupby("boutique_id")["staff_id"].first()
    home = customers["home_boutique_id"].map(by_boutique).fillna(front["staff_id"].iloc[0])
    return np.where(pd.Series(owner).isin(sellers).to_numpy(), owner, home.to_numpy(object))


def manager_of(world: Any, staff_id: str) -> str:
    """The boutique manager of `staff_id`'s boutique (else any boutique manager)."""
    staff = world.tables["desk_staff"].set_index("staff_id")
    managers = staff[staff["desk_role"] == "boutique_manager"]
    here = managers[managers["boutique_id"] == staff.at[staff_id, "boutique_id"]]
    return str((here if len(here) else managers).index[0])


def week_of_work(world: Any) -> Week:
    """A copy of `world` with the desk open and the week's enquiries, promises, complaints."""
    w = world.copy()
    desk.open_desk(w)
    start = w.today
    week = Week(w, start)
    profiles = w.tables["desk_customers"]
    models = w.tables["desk_models"]
    rng = _rng(w, 1)
    # enquiries: a third from VIPs, some about limited editions (collectors ask for them)
    vip = profiles[profiles["vip"]]
    rest = profiles[~profiles["vip"]]
    n_vip = min(len(vip), N_ENQUIRIES // 3)
    who = pd.concat([vip.iloc[rng.choice(len(vip), n_vip, replace=False)],
                     rest.iloc[rng.choice(len(rest), N_ENQUIRIES - n_vip, replace=False)]])
    limited = models.loc[models["limited"], "model_id"].to_numpy(object)
    regular = models.loc[~models["limited"], "model_id"].to_numpy(object)
    pick_limited = rng.random(len(who)) < 0.2
    model = np.where(pick_limited, rng.choice(limited, len(who)),
                     rng.choice(regular, len(who)))
    days = rng.integers(0, 3, len(who))
    channel = rng.choice(["conversation", "phone", "email", "message"], len(who))
    sellers = _seller(w, who)
    order = np.argsort(days, kind="stable")
    for i in order:
        week.enquiries.append(desk.record_enquiry(
            w, str(who["customer_id"].iloc[i]), str(model[i]), str(sellers[i]),
            channel=str(channel[i]), note="Asked for a price.", on=add_days(start, int(days[i]))))
    accepts = rng.random(len(week.enquiries)) < 0.5
    week.accepts = {e for e, yes in zip(week.enquiries, accepts, strict=True) if yes}
    # promises made by colleagues this week, each due by its kind's usual time
    rng = _rng(w, 2)
    kinds = np.array(PROMISE_GROUPS, dtype=object)
    kind = rng.choice(kinds, N_PROMISES, p=[0.3, 0.2, 0.15, 0.15, 0.2])
    cust = profiles.iloc[rng.choice(len(profiles), N_PROMISES, replace=False)]
    owners = _seller(w, cust)
    made = rng.integers(0, 4, N_PROMISES)
    span = np.array([min(cat.PROMISE_KINDS[k], 4) for k in kind])
    due = made + rng.integers(1, 1 + span)
    ids = [desk.make_promise(w, str(cust["customer_id"].iloc[i]), str(owners[i]), str(kind[i]),
                             f"{kind[i].replace('_', ' ')} as agreed",
                             add_days(start, int(due[i])), on=add_days(start, int(made[i])))
           for i in np.argsort(made, kind="stable")]
    blocked = rng.random(len(ids)) < 0.15
    week.blocked = {p for p, b in zip(ids, blocked, strict=True) if b}
    p = w.tables["desk_promises"]
    week.promises = p[p["promise_id"].isin(ids)].reset_index(drop=True)
    # complaints of every kind and severity across the week
    rng = _rng(w, 3)
    cats = np.resize(np.array(COMPLAINT_GROUPS, dtype=object), N_COMPLAINTS)
    sev = rng.choice(np.array(cat.SEVERITIES, dtype=object), N_COMPLAINTS, p=[0.4, 0.4, 0.2])
    cust = profiles.iloc[rng.choice(len(profiles), N_COMPLAINTS, replace=False)]
    owners = _seller(w, cust)
    got = rng.integers(0, 5, N_COMPLAINTS)
    cids = [desk.receive_complaint(
        w, str(cust["customer_id"].iloc[i]), str(cats[i]), str(sev[i]),
        f"Customer complained: {cats[i].replace('_', ' ')}.", str(owners[i]), channel="phone",
        on=add_days(start, int(got[i]))) for i in np.argsort(got, kind="stable")]
    c = w.tables["desk_complaints"]
    week.complaints = c[c["complaint_id"].isin(cids)].reset_index(drop=True)
    return week


# ---------------------------------------------------------------------- reading rules
def _pct(text: Any) -> float | None:
    try:
        return float(str(text).rstrip("%")) / 100
    except ValueError:
        return None


def _int(text: Any) -> int | None:
    try:
        value = int(str(text))
    except ValueError:
        return None
    return value


def _groups(rule: Any, kind: str) -> dict:
    if not isinstance(rule, dict) or rule.get("kind") != kind or \
            not isinstance(rule.get("groups"), dict):
        return {}
    return rule["groups"]


# ---------------------------------------------------------------------- follow-up week
def _quote_group(world: Any, enquiry: pd.Series) -> str:
    models = world.tables["desk_models"].set_index("model_id")
    if bool(models.at[enquiry["model_id"], "limited"]):
        return "limited_edition"
    profiles = world.tables["desk_customers"].set_index("customer_id")
    return "vip" if bool(profiles.at[enquiry["customer_id"], "vip"]) else "standard"


_LAST: dict[tuple, Week] = {}       # the last company's week (notebook checks reuse it)


def _week(world_or_week: Any) -> Week:
    """A fresh copy of a prepared week, or of the week of a company (built once per state)."""
    if isinstance(world_or_week, Week):
        return world_or_week.copy()
    w = world_or_week
    key = (int(w.scenario.seed), w.today, tuple(len(t) for t in w.tables.values()))
    if key not in _LAST:
        _LAST.clear()
        _LAST[key] = week_of_work(w)
    return _LAST[key].copy()


def run_follow_up_week(world: Any, quote_rule: Any, promise_rule: Any) -> dict[str, Any]:
    """Apply the quotation and promise rules to the week's work; what happened.

    Returns a dict: ``quotes`` (one row per enquiry: group, discount, issued or the
    system's refusal, confirmation), ``promises`` (each promise of the week: kept on time,
    late, rebooked or still overdue at the end of the week), and the world afterwards.
    `world` may be a prepared `Week` (a copy is used).
    """
    week = _week(world)
    w = week.world
    q_groups = _groups(quote_rule, "quote_rule")
    rows = []
    enquiries = w.tables["desk_enquiries"].set_index("enquiry_id")
    for eid in week.enquiries:
        enq = enquiries.loc[eid]
        group = _quote_group(w, enq)
        choice = q_groups.get(group) if isinstance(q_groups.get(group), dict) else {}
        discount = _pct(choice.get("discount"))
        valid = _int(choice.get("valid_days"))
        call = _int(choice.get("call_back_days"))
        approver = manager_of(w, enq["staff_id"]) \
            if choice.get("approval") == "boutique_manager" else ""
        row = {"enquiry_id": eid, "customer_id": enq["customer_id"], "group": group,
               "discount": discount, "valid_days": valid, "call_back_days": call,
               "confirm_by": choice.get("confirm_by"), "quote_id": "", "refused": "",
               "accepted": eid in week.accepts, "confirmed": False}
        if discount is None or valid is None or call is None:
            row["refused"] = "no decision for this kind of customer"
            rows.append(row)
            continue
        if approver == enq["staff_id"]:
            approver = ""
        on = str(enq["received"])
        try:
            qid = desk.issue_quote(w, eid, str(enq["staff_id"]), discount=discount,
                                   valid_days=valid, approved_by=approver, on=on)
        except desk.DeskError as exc:
            row["refused"] = str(exc)
            rows.append(row)
            continue
        row["quote_id"] = qid
        desk.make_promise(w, str(enq["customer_id"]), str(enq["staff_id"]), "call_back",
                          "call about the quotation", add_days(on, call), linked_id=qid, on=on)
        if eid in week.accepts and choice.get("confirm_by") != "none":
            confirm_on = add_days(on, 2)
            if confirm_on <= add_days(on, valid):
                desk.confirm_quote(w, qid, str(enq["staff_id"]), on=confirm_on)
                if choice.get("confirm_by") in cat.COMM_CHANNELS:
                    desk.record_communication(
                        w, str(enq["customer_id"]), str(enq["staff_id"]),
                        str(choice["confirm_by"]), "Confirmed the quotation.",
                        subject=f"Quotation {qid} confirmed", direction="outbound",
                        when=f"{confirm_on}T10:00")
                row["confirmed"] = True
        rows.append(row)
    quotes = pd.DataFrame(rows)
    promises = _keep_promises(w, week, promise_rule) if promise_rule is not None else None
    return {"quotes": quotes, "promises": promises, "world": w, "end": add_days(week.start,
                                                                                WEEK_DAYS)}


def _keep_promises(w: Any, week: Week, promise_rule: Any) -> pd.DataFrame:
    """Work the week's promises day by day, a limited number a day, as the rule plans."""
    groups = _groups(promise_rule, "promise_rule")
    p = w.tables["desk_promises"]
    end = add_days(week.start, WEEK_DAYS)
    todo = p[(p["status"] == "open") & (p["made_on"] >= week.start) & (p["due"] <= end)].copy()
    plan = []
    for _, row in todo.iterrows():
        choice = groups.get(row["kind"]) if isinstance(groups.get(row["kind"]), dict) else {}
        act = choice.get("act")
        due = str(row["due"])
        day = {"as_soon_as_possible": row["made_on"], "day_before_due": add_days(due, -1),
               "on_due_day": due}.get(act)
        day = max(str(day), str(row["made_on"])) if day else None
        plan.append((day, due, row["promise_id"], choice.get("if_blocked")))
    outcome: dict[str, str] = {}
    waiting: list[tuple] = []
    for d in range(WEEK_DAYS + 1):
        today = add_days(week.start, d)
        waiting += [x for x in plan if x[0] == today]
        waiting.sort(key=lambda x: (x[1], x[2]))
        done = 0
        later = []
        for item in waiting:
            _, due, pid, if_blocked = item
            if done >= PROMISES_PER_DAY:
                later.append(item)
                continue
            done += 1
            pos = p.index[p["promise_id"] == pid][0]
            owner = str(p.at[pos, "owner_id"])
            if pid in week.blocked:
                if if_blocked == "tell_customer_and_rebook":
                    desk.breach_promise(w, pid, owner, "cannot be kept: customer told, new date "
                                        "agreed", on=today)
                    outcome[pid] = "rebooked"
                else:
                    outcome[pid] = "left open"
                continue
            outcome[pid] = desk.fulfil_promise(w, pid, owner, on=today)
        waiting = later
    after = w.tables["desk_promises"].set_index("promise_id")
    out = todo[["promise_id", "customer_id", "kind", "made_on", "due"]].copy()
    out["blocked"] = out["promise_id"].isin(week.blocked)
    out["result"] = [outcome.get(pid, "not done") for pid in out["promise_id"]]
    out["overdue_at_end"] = (out["promise_id"].map(after["status"]) == "open").to_numpy() & (
        out["due"] < end).to_numpy()
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------- complaint week
def run_complaint_week(world: Any, complaint_rule: Any) -> dict[str, Any]:
    """Apply the complaint rule to the week's complaints; each one's handling, and the world.

    Each complaint is acknowledged, given the rule's recovery actions, investigated,
    resolved and closed on the days the rule sets (by the owner, or by whom it is
    escalated to). Returns ``complaints`` (one row each: days taken, service levels met,
    recovery and its cost, handling quality) and the world afterwards. `world` may be a
    prepared `Week` (a copy is used).
    """
    week = _week(world)
    w = week.world
    groups = _groups(complaint_rule, "complaint_rule")
    rows = []
    dpo = "D004"
    for _, c in week.complaints.iterrows():
        choice = groups.get(c["category"]) if isinstance(groups.get(c["category"]), dict) else {}
        ack, res = DAYS.get(choice.get("acknowledge")), DAYS.get(choice.get("resolve_in"))
        actions = choice.get("recovery") if isinstance(choice.get("recovery"), list) else []
        actions = [a for a in actions[:COMPLAINT_MULTI["recovery"]] if a in cat.RECOVERY_ACTIONS]
        escalate = choice.get("escalate_to")
        row = {"complaint_id": c["complaint_id"], "customer_id": c["customer_id"],
               "category": c["category"], "severity": c["severity"], "handled": False,
               "recovery": ";".join(actions), "escalate_to": escalate}
        if ack is None or res is None or escalate not in COMPLAINT_FIELDS["escalate_to"]:
            rows.append(row)
            continue
        staff = {"none": str(c["owner_id"]), "boutique_manager": manager_of(w, str(c["owner_id"])),
                 "data_protection_officer": dpo}[escalate]
        got = str(c["received"])
        ack_on = add_days(got, ack)
        res_on = add_days(got, max(res, ack + 1))
        desk.acknowledge_complaint(w, c["complaint_id"], staff, on=ack_on)
        for action in actions:
            desk.add_recovery(w, c["complaint_id"], action, staff, on=ack_on)
        desk.investigate_complaint(w, c["complaint_id"], "Checked the records and the watch.",
                                   staff, on=add_days(res_on, -1) if res_on > ack_on else ack_on)
        desk.resolve_complaint(w, c["complaint_id"], "Explained and put right.", staff,
                               on=res_on)
        row["quality"] = desk.close_complaint(w, c["complaint_id"], staff, on=res_on)
        row["handled"] = True
        rows.append(row)
    out = pd.DataFrame(rows)
    sl = desk.service_levels(w).set_index("complaint_id")
    out["ack_met"] = out["complaint_id"].map(sl["ack_met"]).astype(bool) & out["handled"]
    out["resolve_met"] = out["complaint_id"].map(sl["resolve_met"]).astype(bool) & out["handled"]
    out["cost_hkd"] = [desk.recovery_cost(w, cid) for cid in out["complaint_id"]]
    if "quality" not in out:
        out["quality"] = 0.0
    out["quality"] = out["quality"].fillna(0.0)
    return {"complaints": out, "world": w}
