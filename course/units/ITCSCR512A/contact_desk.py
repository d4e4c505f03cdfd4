"""The ITCSCR512A desk: figures, drafts and visible checks for the contact-policy notebooks.

Notebooks stay thin by calling these functions. Each ``show_*`` function prints feedback a
trainee can act on, computed only from what the trainee can see in their own company
(never the hidden truth: that is the grader's job), and returns the same findings as plain
data. The checks of a policy's completeness, of deployment and of management's targets are
defined here once, so the notebook's visible check and the grader agree on what they ask.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from crm_sim.catalogue import ROLES
from crm_sim.errors import CrmSimError
from crm_sim.policy import (
    ChannelRule,
    ContactPolicy,
    adopt,
    current,
    run_month,
    starter_policy,
    validate,
)
from crm_sim.policy.resources import channel_history
from crm_sim.policy.validation import recent_new_customers

UNIT = "ITCSCR512A"
# Issues that depend on the company's own figures (its budget, its customer numbers, the
# agencies it has contracts with): a policy is checked for them in the company it was
# written for.
COMPANY_FIGURE_RULES = ("budget", "no_budget", "acquisition_target", "retention_target",
                        "target_budget", "no_eligible_outsourcer", "outsourcer_capacity")
# What every segment's policy carries so staff are trained and equipped (P3, K5, X3).
REQUIRED_CHECKLISTS = ("consent_check", "record_outcome", "complaint_escalation")
REQUIRED_SCRIPTS = ("identify_self", "opt_out_notice")
REQUIRED_INDICATORS = ("new_customers", "retention_rate", "mobility", "adherence")
MAX_REVIEW_MONTHS = 3
# Management's targets for a year: new customers this many times what the first draft
# brings, and retention no lower than the draft keeps (less this tolerance).
TARGET_NEW_FACTOR = 1.3
RETENTION_TOLERANCE = 0.003
TARGET_MONTHS = 12

# ------------------------------------------------------------- professionalism scenarios
# Reason code -> text. Which codes justify the right choice is the grader's business.
X3_OPTIONS = {
    "a": "Accept: text all 5,000 individual customers, opted-out ones included, because "
         "they are our customers already and the agency's price is very low.",
    "b": "Accept for customers with consent on file only; the agency checks consent before "
         "each message, every message names us and carries an unsubscribe, and we watch "
         "its log like our own staff's.",
    "c": "Accept, but leave out only the customers who opted out in the last month, since "
         "older opt-outs have probably forgotten about it by now.",
    "d": "Refuse, and stop using agencies for any customer contact from now on, whatever "
         "they offer, because agencies always create privacy problems for us.",
}
X3_REASONS = {
    "consent_law": "Marketing needs the customer's consent and must stop when they opt out "
                   "(PDPO s.35E, s.35G).",
    "agent_liability": "What the agency does with our customers' data is treated as done by "
                       "us (PDPO s.65).",
    "uemo_rules": "Commercial messages must identify us and carry an unsubscribe facility "
                  "(UEMO s.8-9).",
    "cheap_reach": "The agency's price is the lowest we have seen, so we should use it fully.",
    "existing_customers": "Existing customers expect to hear from us, whatever they said.",
    "agencies_risky": "Agencies can never be trusted with customer data.",
}
X1_OPTIONS = {
    "a": "Leave it: his sales are the best on the team and the targets are being met.",
    "b": "Praise his results and remind the whole team by e-mail to tick the boxes more "
         "carefully from now on.",
    "c": "Stop his marketing calls for now, go through the records with him, retrain and "
         "supervise him, record the breaches, and tell the team honest logs matter more "
         "than numbers.",
    "d": "Dismiss him the same day, without checking the records or hearing his side, as "
         "a warning to everyone else on the team.",
}
X1_REASONS = {
    "honest_records": "A log is only useful if it is true; a false consent check hides a "
                      "breach of the law.",
    "law_breached": "Calling customers without consent for marketing breaks PDPO s.35E.",
    "fair_process": "Check the facts and hear him before deciding; then help him improve.",
    "targets_first": "Meeting the targets is what the company pays him for.",
    "example_needed": "A harsh example stops others faster than training.",
    "minor_paperwork": "Ticking a box is paperwork; the calls themselves went well.",
}
P1_OPTIONS = {
    "a": "Announce penalties for every breach found in the log and leave the rest to the "
         "staff, who know what is expected of them now that it is written down.",
    "b": "Explain to each team why the policy serves customers, train them, share each "
         "team's dashboard monthly, let supervisors coach, and recognise good contact.",
    "c": "Leave it to each team leader to decide how much of the policy their team follows, "
         "since they know their customers best and can adapt it to them.",
    "d": "Pay bonuses on new customers only, so staff chase the number that matters most "
         "and the rest of the policy follows from that on its own.",
}
P1_REASONS = {
    "understand_why": "Staff follow rules they understand and see serve the customer.",
    "feedback_loop": "Seeing their own figures each month lets teams correct themselves.",
    "consistent_service": "The same policy everywhere gives customers consistent service.",
    "fear_works": "Penalties are the fastest way to change behaviour.",
    "local_freedom": "Each team knows best which rules to keep.",
    "numbers_only": "Only new customers matter to the business.",
}
X2_OPTIONS = {
    "a": "Call every corporate customer every week until the quarter ends, whatever they "
         "prefer, so that none of them can slip away to a competitor.",
    "b": "Contact each customer as often and on the channel they prefer, with offers that "
         "fit their needs, and watch satisfaction and retention to adjust.",
    "c": "Stop contacting corporate customers to save cost, because they renew their "
         "contracts anyway and contact only disturbs them.",
    "d": "Give every corporate customer the largest discount we can afford, so that price "
         "keeps them whatever their service experience is.",
}
X2_REASONS = {
    "customer_preference": "Contact the customer wants is welcome; too much drives them off.",
    "sustainable_value": "Retention has to pay for itself: the right offer, not the biggest.",
    "measure_and_adjust": "Satisfaction and retention show whether the balance is right.",
    "more_is_better": "The more often we call, the more customers we keep.",
    "cost_first": "Cutting contact cost is the surest way to profit.",
    "price_wins": "Customers only care about price.",
}

# ------------------------------------------------------------- the periodic review (K7)
REVIEW_FINDINGS = {
    "new_customers_below_target": "New customers are below target in a segment",
    "retention_below_target": "Retention is below target in a segment",
    "staff_breaking_policy": "A staff member keeps breaking the policy",
    "agency_breaking_policy": "An agency keeps breaking the policy",
    "opt_outs_rising": "Opt-outs are rising in a segment",
}
REVIEW_ACTIONS = {
    "add_acquisition_contacts": "Plan more acquisition contacts on channels the segment uses",
    "lower_the_target": "Lower the target to what was achieved",
    "contact_on_preferred_channel": "Move retention contact to the channel customers prefer",
    "contact_more_often": "Contact every customer of the segment more often",
    "retrain_and_supervise": "Retrain, supervise more closely, check again next month",
    "ignore_if_sales_good": "Do nothing while their sales are good",
    "audit_and_warn_agency": "Audit the agency's log, warn it under the contract, re-check",
    "bring_all_in_house": "End every agency contract at once",
    "reduce_frequency": "Contact less often and check consent and opt-out handling",
    "wait_and_see": "Wait until next year's review",
}


# ------------------------------------------------------------- exercise 1: segments
def segment_profile(world: Any) -> pd.DataFrame:
    """One row per segment: size, value, consent, preferred channel, complaints, contact.

    ``ever_consented_%`` is the share of the segment's customers who ever gave
    direct-marketing consent (before any opt-out): how much of the segment marketing can
    reach at best.
    """
    c = world.tables["customers"]
    inter = world.tables["interactions"]
    seg_of = c.set_index("customer_id")["segment"]
    inter = inter.assign(segment=inter["customer_id"].map(seg_of))
    months = max(int(world.scenario.months_history), 1)
    grouped = c.groupby("segment")
    table = pd.DataFrame({
        "customers": grouped.size(),
        "share_%": (grouped.size() / len(c) * 100).round(1),
        "mean_value_hkd": grouped["lifetime_value"].mean().round(0),
        "ever_consented_%": grouped["consent_date"].apply(
            lambda s: round(float((s.astype(str) != "").mean()) * 100, 1)),
        "preferred_channel": grouped["preferred_channel"].agg(
            lambda s: s.value_counts().index[0]),
        "complaints_per_100": (inter[inter["outcome"] == "complaint"].groupby("segment")
                               .size() / grouped.size() * 100).round(1),
        "contacts_per_customer_month": (inter.groupby("segment").size() / grouped.size()
                                        / months).round(2),
    })
    table["complaints_per_100"] = table["complaints_per_100"].fillna(0.0)
    return table.reset_index()


def channel_table(world: Any) -> pd.DataFrame:
    """Per channel, from the company's own log: minutes per attempt, answer rate, cost."""
    from crm_sim.calls import CHANNEL_COST

    hist = channel_history(world)
    out = hist.assign(minutes_per_reached=(hist["mean_minutes"] / hist["answer_rate"]),
                      cost_per_contact_hkd=[CHANNEL_COST.get(ch, 0.0) for ch in hist.index])
    return out.round(2).rename_axis("channel").reset_index()


def staff_table(world: Any) -> pd.DataFrame:
    """Staff per role and team: headcount, skills, hours a month, which segments they serve."""
    staff = world.tables["staff"]
    serves = {r[0]: ", ".join(r[3]) for r in ROLES[world.scenario.industry]}
    grouped = staff.groupby(["role", "team"])
    table = pd.DataFrame({
        "headcount": grouped.size(),
        "mean_skill": grouped["skill"].mean().round(2),
        "best_skill": grouped["skill"].max().round(2),
        "hours_month": (grouped["capacity_hours_week"].sum() * 52 / 12).round(0),
    }).reset_index()
    table["serves"] = table["role"].map(serves)
    return table


# ------------------------------------------------------------- exercise 2: the policy
def first_draft(world: Any) -> ContactPolicy:
    """Last year's draft policy: it has gaps a manager must close before launch."""
    draft = starter_policy(world, name="Contact policy (last year's draft)")
    segs = []
    for seg in draft.segments:
        channels, roles, skill = seg.channels, seg.staff_roles, seg.min_skill
        if seg.segment == "individual":
            channels = (ChannelRule("visit", 0.2, "retention"), *channels)
            skill = 0.4
        if seg.segment == "corporate":
            roles, skill = ("telesales", "customer_service"), 0.2
        segs.append(replace(seg, channels=channels, staff_roles=roles, min_skill=skill,
                            training_hours_month=0.0, checklists=("record_outcome",),
                            scripts=("greeting",), escalate_to="", supervision=0.0))
    return draft.replace(segments=tuple(segs), monthly_budget_hkd=0.0,
                         indicators=("complaints",), review_every_months=12,
                         privacy=replace(draft.privacy, opt_out_days=30))


def completeness(policy: ContactPolicy) -> list[str]:
    """What the policy lacks for staff to be trained and equipped and for monitoring."""
    missing = []
    for seg in policy.segments:
        name = seg.segment
        if seg.training_hours_month < 1:
            missing.append(f"{name}: no training hours for the staff who contact it (P3)")
        lack = [c for c in REQUIRED_CHECKLISTS if c not in seg.checklists]
        if lack:
            missing.append(f"{name}: checklist lacks {', '.join(lack)}")
        lack = [s for s in REQUIRED_SCRIPTS if s not in seg.scripts]
        if lack:
            missing.append(f"{name}: scripts lack {', '.join(lack)}")
        if seg.supervision <= 0:
            missing.append(f"{name}: no contact is ever reviewed by a supervisor")
    lack = [i for i in REQUIRED_INDICATORS if i not in policy.indicators]
    if lack:
        missing.append(f"indicators lack {', '.join(lack)}")
    if policy.review_every_months > MAX_REVIEW_MONTHS:
        missing.append(f"indicators reviewed every {policy.review_every_months} months; "
                       f"review at least every {MAX_REVIEW_MONTHS}")
    return missing


def policy_from(value: Any) -> ContactPolicy:
    """A policy from the designer's value (or a ContactPolicy); CrmSimError if malformed."""
    if isinstance(value, ContactPolicy):
        return value
    return ContactPolicy.from_dict(value)


def show_policy_check(world: Any, value: Any) -> dict[str, Any]:
    """Every issue in your company and every gap in the policy, in words."""
    try:
        policy = policy_from(value)
    except CrmSimError as exc:
        print(f"✘ the policy cannot be read: {exc}")
        return {"ok": False, "issues": [str(exc)], "missing": []}
    issues = [str(i) for i in validate(policy, world)]
    missing = completeness(policy)
    for line in issues + missing:
        print("✘", line)
    if not issues and not missing:
        print("✔ the policy can be launched in your company and is complete.")
    return {"ok": not issues and not missing, "issues": issues, "missing": missing}


def deployment_problems(policy: ContactPolicy, world: Any) -> list[str]:
    """Who contacts whom (P5): each segment's own role, no other segment's, best to biggest."""
    serves = {r[0]: set(r[3]) for r in ROLES[world.scenario.industry]}
    generalists = {r[0] for r in ROLES[world.scenario.industry] if r[4]}
    problems = []
    for seg in policy.segments:
        own = {role for role, segs in serves.items()
               if seg.segment in segs and role not in generalists}
        if own and not own & set(seg.staff_roles):
            problems.append(f"{seg.segment}: none of its own role ({', '.join(sorted(own))}) "
                            "is deployed")
        foreign = [r for r in seg.staff_roles
                   if r in serves and seg.segment not in serves[r]]
        if foreign:
            problems.append(f"{seg.segment}: {', '.join(foreign)} serve other segments")
    skills = {s.segment: s.min_skill for s in policy.segments}
    top = key_account_segment(world)
    if top in skills and any(v > skills[top] for v in skills.values()):
        problems.append(f"{top} (the key accounts) asks for less skill than another "
                        "segment: deploy the best people to the key accounts")
    return problems


def key_account_segment(world: Any) -> str:
    """The segment of the key accounts: the one the company's first role manages."""
    return ROLES[world.scenario.industry][0][3][0]


def expected_cost(world: Any, value: Any) -> float:
    """What the policy is expected to cost a month (HKD), by the careful planning method."""
    from crm_sim.policy import PLANNING_METHOD, predict_resources
    from crm_sim.policy.resources import monthly_cost

    return monthly_cost(predict_resources(policy_from(value), world, PLANNING_METHOD))


def show_deploy_check(world: Any, value: Any) -> dict[str, Any]:
    """Deployment problems and staffing issues in your company."""
    try:
        policy = policy_from(value)
    except CrmSimError as exc:
        print(f"✘ the policy cannot be read: {exc}")
        return {"ok": False, "problems": [str(exc)]}
    problems = deployment_problems(policy, world)
    problems += [str(i) for i in validate(policy, world)
                 if i.rule in ("staff_capacity", "no_eligible_staff", "no_roles")]
    for line in problems:
        print("✘", line)
    if not problems:
        print("✔ every segment has suitable people, and enough of them.")
    return {"ok": not problems, "problems": problems}


def adopt_policy(world: Any, value: Any) -> int | None:
    """Put the policy in force in your company (saved with it); its version, or None."""
    try:
        version = adopt(world, policy_from(value))
    except CrmSimError as exc:
        print(f"✘ the policy was not adopted: {exc}")
        return None
    print(f"✔ version {version} of the policy is in force from {world.today}.")
    return version


def policy_in_force(world: Any) -> ContactPolicy:
    """The policy your company adopted, or the standard starter policy if none was."""
    return current(world) or starter_policy(world)


# ------------------------------------------------------------- exercise 4: months pass
def run_months(world: Any, policy: Any, months: int = 3) -> pd.DataFrame:
    """Let months pass under the policy (staff and agencies log their contacts)."""
    log = run_month(world, policy_from(policy), months)
    print(f"{months} months passed; {len(log)} contacts logged. Today is {world.today}.")
    return log


# ------------------------------------------------------------- exercise 5: targets
def management_targets(world: Any) -> pd.DataFrame:
    """Management's twelve-month targets per segment for this company.

    New customers a month: `TARGET_NEW_FACTOR` times what the first draft would bring;
    retention: what the draft keeps, less `RETENTION_TOLERANCE`. Computed by a what-if
    run that changes nothing.
    """
    kpis = kpis_of(world, starter_policy(world))
    return pd.DataFrame({
        "segment": kpis.index,
        "new_customers_per_month": (kpis["new_customers"] * TARGET_NEW_FACTOR).round(2).values,
        "retention_rate": (kpis["retention_rate"] - RETENTION_TOLERANCE).round(4).values,
    })


def kpis_of(world: Any, policy: Any, months: int = TARGET_MONTHS) -> pd.DataFrame:
    """Mean new customers a month and retention per segment over a what-if run."""
    from crm_sim import programme_sim

    result = programme_sim.simulate(world, policy, (), months, commit=False)
    return result.kpis.groupby("segment").agg(
        new_customers=("new_customers", "mean"), retention_rate=("retention_rate", "mean"),
        unconsented_contacts=("unconsented_contacts", "sum"))


def target_results(world: Any, policy: Any, targets: pd.DataFrame | None = None
                   ) -> pd.DataFrame:
    """The policy's twelve what-if months against management's targets, per segment."""
    targets = management_targets(world) if targets is None else targets
    kpis = kpis_of(world, policy).rename(columns={"new_customers": "new_achieved",
                                                  "retention_rate": "retention_achieved"})
    table = targets.set_index("segment").rename(columns={
        "new_customers_per_month": "new_target", "retention_rate": "retention_target"})
    table = table.join(kpis)
    table["new_met"] = table["new_achieved"] >= table["new_target"]
    table["retention_met"] = table["retention_achieved"] >= table["retention_target"]
    return table.reset_index()


def show_targets_check(world: Any, value: Any) -> dict[str, Any]:
    """Twelve what-if months of the policy in your company against management's targets."""
    try:
        policy = policy_from(value)
    except CrmSimError as exc:
        print(f"✘ the policy cannot be read: {exc}")
        return {"ok": False}
    table = target_results(world, policy)
    print(table.round(3).to_string(index=False))
    short = table.loc[~(table["new_met"] & table["retention_met"]), "segment"].tolist()
    if short:
        print("✘ targets missed in: " + ", ".join(short))
    if table["unconsented_contacts"].sum() > 0:
        print("✘ customers without consent were contacted for marketing")
    ok = not short and table["unconsented_contacts"].sum() == 0
    if ok:
        print("✔ every target is met in your company.")
    return {"ok": ok, "short": short}


def kpi_chart(world: Any, value: Any, kpi: str = "new_customers"):
    """Twelve what-if months of the policy as monthly lines per segment (KPI dashboard)."""
    from crm_sim.ui.kpi_dashboard import KpiDashboard

    try:
        return KpiDashboard(world, policy_from(value), kpi=kpi)
    except CrmSimError as exc:
        print(f"✘ the policy cannot be run: {exc}")
        return None


def baseline_new_customers(world: Any) -> pd.Series:
    """Mean new customers a month per segment over the last year (from `since` dates)."""
    return recent_new_customers(world)


# ------------------------------------------------------------- exercise 5: review
def review_editor():
    """The review rule editor: for each finding, the follow-up action."""
    from crm_sim.ui.rule_editor import RuleEditor

    return RuleEditor("review_rule", list(REVIEW_FINDINGS), {"action": list(REVIEW_ACTIONS)},
                      labels=REVIEW_FINDINGS)


# Every show_* check returns {"ok": ...}: a check that is not ok tells submit() in the same
# cell not to print "ready to submit" under the problems it just listed.
def _noting_failure(fn: Callable[..., Any]) -> Callable[..., Any]:
    import functools

    from autograders.checks.friendly import check_failed

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        found = fn(*args, **kwargs)
        if isinstance(found, Mapping) and found.get("ok") is False:
            check_failed()
        return found

    return wrapper


for _name in [n for n in list(globals()) if n.startswith("show_") and callable(globals()[n])]:
    globals()[_name] = _noting_failure(globals()[_name])
