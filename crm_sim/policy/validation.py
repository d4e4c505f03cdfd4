"""`validate(policy, world)`: every reason a contact policy cannot be launched in a company.

A policy can be well formed (the dataclasses check that) and still be impossible: more
contact than the staff have hours for, a channel the company does not use with a segment,
a privacy rule that breaks the PDPO, a target the budget cannot buy. `validate` reports
*every* such problem at once, as `Issue` records naming the field, the value, what is
wrong, how to fix it and, for a legal rule, the section it comes from (`crm_sim.law`);
an empty list means the policy can be launched (ITCSCR512A AC-i).

Rules (ids in `RULES`; one test each in tests/policy/test_policy_validation.py):

* ``segment_unknown`` / ``segment_missing``: a policy for a segment the company does not
  have, or a segment left without one;
* ``channel_unreachable``: a channel the company's call mechanism does not use with the
  segment (e.g. visits to individual customers);
* ``over_contact``: more planned contacts a month than the mechanism's maximum per
  customer (fatigue, opt-outs: company policy);
* ``no_channels``, ``no_roles``, ``unknown_role``, ``no_eligible_staff``: nobody or
  nothing to make the contacts;
* ``staff_capacity``: a role's hours needed beyond the hours its eligible staff have;
* ``outsourcer_share_not_allowed``, ``no_eligible_outsourcer``, ``outsourcer_capacity``;
* ``escalation``: no escalation role, one the company does not have, or slower than the
  service level;
* ``service_level``: an answer time shorter than any team can keep (under an hour);
* ``budget`` / ``no_budget``: the predicted monthly cost beyond the budget, or none set;
* ``acquisition_target`` / ``retention_target``: targets no contact plan can reach;
* ``target_budget``: an acquisition target the budget cannot buy (the acquisition
  contacts it needs cost more than the budget leaves);
* law: ``consent`` (s.35E), ``opt_out`` (s.35G, UEMO s.10), ``oral_consent`` (s.35E),
  ``data_minimisation`` (DPP1), ``agents`` (s.65), ``unsubscribe`` (UEMO s.8-9),
  ``opt_out_notice`` (s.35F);
* monitoring: ``indicators`` (new customers and retention must be watched: K3, K7),
  ``review_cadence`` (at least every quarter), ``training`` (P3).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from crm_sim import law
from crm_sim.mechanism import mechanism_for
from crm_sim.policy.model import MARKETING_PURPOSES
from crm_sim.policy.resources import (
    PLANNING_METHOD,
    WEEKS_PER_MONTH,
    active_by_segment,
    channel_history,
    eligible_outsourcers,
    eligible_staff,
    monthly_cost,
    predict_resources,
)

# The most new customers one acquisition contact (a referral or cross-sell ask) can bring.
MAX_ACQUISITION_YIELD = 0.08
# The highest monthly retention any contact plan keeps (some customers always leave).
MAX_RETENTION = 0.995
MIN_RESPONSE_HOURS = 1.0
MAX_REVIEW_MONTHS = 3
UEMO_WORKING_DAYS_AS_CALENDAR = 14     # 10 working days is two calendar weeks at most
REQUIRED_INDICATORS = ("new_customers", "retention_rate")

RULES = (
    "segment_unknown", "segment_missing", "channel_unreachable", "over_contact",
    "no_channels", "no_roles", "unknown_role", "no_eligible_staff", "staff_capacity",
    "outsourcer_share_not_allowed", "no_eligible_outsourcer", "outsourcer_capacity",
    "escalation", "service_level", "budget", "no_budget", "acquisition_target",
    "retention_target", "target_budget", "consent", "opt_out", "oral_consent", "data_minimisation",
    "agents", "unsubscribe", "opt_out_notice", "indicators", "review_cadence", "training",
)


@dataclass(frozen=True)
class Issue:
    """One reason the policy cannot be launched as it stands.

    Attributes:
        rule: the rule's id (one of `RULES`).
        field: where in the policy, e.g. "segments[sme].channels[phone].per_month".
        value: the value found.
        problem: what is wrong, in plain words.
        fix: how to put it right.
        source: the law's section for a legal rule, "company policy", or "feasibility".
    """

    rule: str
    field: str
    value: Any
    problem: str
    fix: str
    source: str = "feasibility"

    @property
    def is_law(self) -> bool:
        """True when the issue breaks an Ordinance (a privacy-law gate)."""
        return self.source.startswith(("PDPO", "UEMO"))

    def __str__(self) -> str:
        where = f" [{self.source}]" if self.source != "feasibility" else ""
        return f"{self.field} = {self.value!r}: {self.problem}. Fix: {self.fix}{where}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for a grader or a widget."""
        return {**asdict(self), "value": repr(self.value)}


def validate(policy: Any, world: Any) -> list[Issue]:
    """Every infeasibility of `policy` in `world`; an empty list when it can be launched."""
    issues: list[Issue] = []
    issues += _segments(policy, world)
    issues += _staffing(policy, world)
    issues += _money_and_targets(policy, world)
    issues += _privacy(policy)
    issues += _monitoring(policy)
    return issues


def is_launchable(policy: Any, world: Any) -> bool:
    """Whether `validate` finds nothing."""
    return not validate(policy, world)


# ------------------------------------------------------------------ segments, channels
def _segments(policy, world) -> list[Issue]:
    out = []
    mechanism = mechanism_for(world)
    known = list(mechanism.segments)
    named = [s.segment for s in policy.segments]
    for seg in policy.segments:
        where = f"segments[{seg.segment}]"
        if seg.segment not in known:
            out.append(Issue("segment_unknown", f"{where}.segment", seg.segment,
                             f"this company has no such segment (it has {', '.join(known)})",
                             "rename it to one of the company's segments or remove it"))
            continue
        rules = mechanism.segments[seg.segment]
        if not seg.channels:
            out.append(Issue("no_channels", f"{where}.channels", [],
                             "no channel is planned, so the segment is never contacted",
                             f"add at least one of {', '.join(rules.channels)}"))
        for rule in seg.channels:
            if rule.channel not in rules.channels:
                out.append(Issue(
                    "channel_unreachable", f"{where}.channels[{rule.channel}].channel",
                    rule.channel,
                    f"the company does not reach {seg.segment} customers by {rule.channel}",
                    f"use one of {', '.join(rules.channels)}", law.COMPANY_POLICY))
        marketing = sum(r.per_month for r in seg.channels if r.purpose in MARKETING_PURPOSES)
        if marketing > rules.max_calls_per_month:
            out.append(Issue(
                "over_contact", f"{where}.channels (per_month, marketing)", round(marketing, 2),
                f"more than the {rules.max_calls_per_month} contacts a month a {seg.segment} "
                "customer accepts: fatigue, opt-outs and complaints follow",
                f"plan at most {rules.max_calls_per_month} marketing contacts a month",
                law.COMPANY_POLICY))
    for name in known:
        if name not in named:
            out.append(Issue("segment_missing", "segments", named,
                             f"the {name} segment has no contact policy",
                             f"add a SegmentPolicy for {name!r}"))
    return out


# ------------------------------------------------------------------ who makes contact
def _staffing(policy, world) -> list[Issue]:
    out = []
    staff = world.tables["staff"]
    roles = sorted(set(staff["role"].astype(str)))
    agencies_all = world.tables["outsourcers"]
    need = predict_resources(policy, world, PLANNING_METHOD)
    # hours each role's eligible people have a month, summed over the segments they serve
    for seg in policy.segments:
        where = f"segments[{seg.segment}]"
        if not seg.staff_roles:
            out.append(Issue("no_roles", f"{where}.staff_roles", [],
                             "no staff role is named to contact this segment",
                             f"name one or more of {', '.join(roles)}"))
        for role in seg.staff_roles:
            if role not in roles:
                out.append(Issue("unknown_role", f"{where}.staff_roles", role,
                                 "the company has no staff in this role",
                                 f"use one of {', '.join(roles)}"))
        if seg.staff_roles and not len(eligible_staff(seg, world)) and seg.outsourcer_share < 1:
            best = staff.loc[staff["role"].isin(seg.staff_roles), "skill"]
            top = f"{best.max():.2f}" if len(best) else "none"
            out.append(Issue("no_eligible_staff", f"{where}.min_skill", seg.min_skill,
                             f"no one in {', '.join(seg.staff_roles)} has that skill "
                             f"(highest: {top})",
                             "lower the least skill, add a role, or train before launch"))
        if seg.outsourcer_share > 0 and not seg.allow_outsourcers:
            out.append(Issue("outsourcer_share_not_allowed", f"{where}.outsourcer_share",
                             seg.outsourcer_share,
                             "contacts are given to agencies the policy does not allow",
                             "set allow_outsourcers = true or outsourcer_share = 0"))
        elif seg.outsourcer_share > 0 and not len(eligible_outsourcers(seg, world)):
            best = agencies_all["quality"].max() if len(agencies_all) else math.nan
            out.append(Issue("no_eligible_outsourcer", f"{where}.min_outsourcer_quality",
                             seg.min_outsourcer_quality,
                             f"no agency reaches that quality (best: {best:.2f})",
                             "lower the least quality or keep the contacts in-house"))
        if seg.escalate_to == "":
            out.append(Issue("escalation", f"{where}.escalate_to", "",
                             "complaints have nowhere to go", "name the escalation role"))
        elif seg.escalate_to not in roles:
            out.append(Issue("escalation", f"{where}.escalate_to", seg.escalate_to,
                             "the company has no staff in this role",
                             f"use one of {', '.join(roles)}"))
        elif seg.escalation_hours > seg.response_hours:
            out.append(Issue("escalation", f"{where}.escalation_hours", seg.escalation_hours,
                             f"a complaint reaches {seg.escalate_to} after the "
                             f"{seg.response_hours:g}-hour answer promise has passed",
                             "escalate within the response time"))
        if seg.response_hours < MIN_RESPONSE_HOURS:
            out.append(Issue("service_level", f"{where}.response_hours", seg.response_hours,
                             "no team can answer every enquiry that fast",
                             f"promise {MIN_RESPONSE_HOURS:g} hour or more"))
        if seg.training_hours_month <= 0:
            out.append(Issue("training", f"{where}.training_hours_month", 0.0,
                             "staff in contact roles get no training in the policy (P3)",
                             "plan a few hours a month, e.g. 4"))
    # capacity: hours needed per role against the hours eligible people have
    deployed = set()
    for seg in policy.segments:
        deployed |= set(eligible_staff(seg, world)["staff_id"].astype(str))
    people = staff.loc[staff["staff_id"].astype(str).isin(deployed)]
    available = (people.groupby("role")["capacity_hours_week"].sum()
                 * WEEKS_PER_MONTH * PLANNING_METHOD.productive_share)
    for row in need.itertuples():
        if row.role == "outsourcers" or row.hours_month <= 0:
            continue
        have = float(available.get(row.role, 0.0))
        if row.hours_month > have:
            out.append(Issue("staff_capacity", f"staff_roles[{row.role}] hours a month",
                             round(row.hours_month, 1),
                             f"the plan needs {row.hours_month:.0f} hours of {row.role} time a "
                             f"month; eligible staff have {have:.0f}",
                             "contact less often, use a cheaper channel, add agencies or "
                             "lower the least skill"))
    # agencies bill and staff every attempt: contacts / answer rate of the channel
    answer = channel_history(world)["answer_rate"]
    active = active_by_segment(world)
    attempts, used = 0.0, set()
    for seg in policy.segments:
        if seg.outsourcer_share > 0 and seg.allow_outsourcers:
            used |= set(eligible_outsourcers(seg, world)["outsourcer_id"].astype(str))
            attempts += sum(float(active.get(seg.segment, 0.0)) * r.per_month
                            * seg.outsourcer_share / float(answer.get(r.channel, 0.5))
                            for r in seg.channels)
    calls = float(agencies_all.loc[agencies_all["outsourcer_id"].astype(str).isin(used),
                                   "capacity_calls_week"].sum()) * WEEKS_PER_MONTH
    if used and attempts > calls:
        out.append(Issue("outsourcer_capacity", "outsourcer_share", round(attempts, 1),
                         f"agencies would need about {attempts:.0f} calls a month; "
                         f"their contracts allow {calls:.0f}",
                         "lower the outsourcer share or allow more agencies"))
    return out


# ------------------------------------------------------------------ money and targets
def _money_and_targets(policy, world) -> list[Issue]:
    out = []
    cost = monthly_cost(predict_resources(policy, world, PLANNING_METHOD))
    if policy.monthly_budget_hkd <= 0:
        out.append(Issue("no_budget", "monthly_budget_hkd", policy.monthly_budget_hkd,
                         f"no budget is set; the plan is expected to cost HKD {cost:,.0f} "
                         "a month", "set the budget the company will endorse"))
    elif cost > policy.monthly_budget_hkd:
        out.append(Issue("budget", "monthly_budget_hkd", policy.monthly_budget_hkd,
                         f"the plan is expected to cost HKD {cost:,.0f} a month",
                         "raise the budget or plan fewer or cheaper contacts"))
    active = active_by_segment(world)
    usual = recent_new_customers(world)
    left = policy.monthly_budget_hkd - cost
    history = channel_history(world)
    for seg in policy.segments:
        where = f"segments[{seg.segment}]"
        asks = float(active.get(seg.segment, 0.0)) * sum(
            r.per_month for r in seg.channels if r.purpose == "acquisition")
        base = float(usual.get(seg.segment, 0.0))
        most = base + asks * MAX_ACQUISITION_YIELD
        if seg.new_customers_per_month > most:
            out.append(Issue("acquisition_target", f"{where}.new_customers_per_month",
                             seg.new_customers_per_month,
                             f"the segment gains about {base:.1f} new customers a month on its "
                             f"own, and {asks:.0f} acquisition contacts add at most "
                             f"{asks * MAX_ACQUISITION_YIELD:.1f}",
                             "plan more acquisition contacts or lower the target"))
            # ... and what the missing contacts would cost, against the budget left
            need = (seg.new_customers_per_month - most) / MAX_ACQUISITION_YIELD
            price = _cost_per_contact(seg, history)
            if policy.monthly_budget_hkd > 0 and need * price > max(left, 0.0):
                out.append(Issue(
                    "target_budget", f"{where}.new_customers_per_month",
                    seg.new_customers_per_month,
                    f"the {need:.0f} more acquisition contacts this target needs would cost "
                    f"about HKD {need * price:,.0f} a month; the budget leaves "
                    f"HKD {max(left, 0.0):,.0f}",
                    "lower the target to what the budget can buy, or raise the budget"))
        if seg.retention_rate > MAX_RETENTION:
            out.append(Issue("retention_target", f"{where}.retention_rate", seg.retention_rate,
                             "no contact plan keeps that many customers every month",
                             f"aim at {MAX_RETENTION} or lower"))
        elif seg.retention_rate <= 0:
            out.append(Issue("retention_target", f"{where}.retention_rate", seg.retention_rate,
                             "no retention target is set (K3)",
                             "set the share of customers to keep each month, e.g. 0.97"))
    return out


def _cost_per_contact(seg: Any, history: pd.DataFrame) -> float:
    """HKD of one acquisition contact of the segment: staff time and the channel's cost."""
    from crm_sim.calls import CHANNEL_COST
    from crm_sim.policy.resources import STAFF_HOURLY_COST_HKD

    channels = [r.channel for r in seg.channels if r.purpose == "acquisition"] or ["phone"]
    prices = [float(history.loc[c, "mean_minutes"] / history.loc[c, "answer_rate"]) / 60.0
              * STAFF_HOURLY_COST_HKD + float(CHANNEL_COST.get(c, 0.0)) for c in channels]
    return float(np.mean(prices))


def recent_new_customers(world: Any) -> pd.Series:
    """Mean new customers a month per segment over the last twelve months (from `since`)."""
    customers = world.tables["customers"]
    month = customers["since"].astype(str).str[:7]
    year, mon = int(world.today[:4]), int(world.today[5:7])
    first = year * 12 + mon - 1 - 12
    start = f"{first // 12:04d}-{first % 12 + 1:02d}"
    recent = customers.loc[(month >= start) & (month < world.today[:7])]
    return recent.groupby("segment").size().astype(float) / 12.0


# ------------------------------------------------------------------ privacy law
def _privacy(policy) -> list[Issue]:
    out = []
    p = policy.privacy
    if not p.respects_consent:
        out.append(Issue("consent", "privacy.respects_consent", False,
                         "marketing would reach customers who never consented or opted out",
                         "set respects_consent = true",
                         law.source_of("consent_before_marketing")))
    if p.opt_out_days > UEMO_WORKING_DAYS_AS_CALENDAR:
        out.append(Issue("opt_out", "privacy.opt_out_days", p.opt_out_days,
                         "an opt-out must stop marketing on request (PDPO s.35G) and within "
                         "10 working days for e-mail and messages (UEMO s.10)",
                         "honour opt-outs within a few days, e.g. 7",
                         law.source_of("honour_opt_out")))
    if p.confirm_oral_consent_days > law.CONFIRMATION_DAYS:
        out.append(Issue("oral_consent", "privacy.confirm_oral_consent_days",
                         p.confirm_oral_consent_days,
                         "oral consent must be confirmed in writing within 14 days",
                         "confirm within 14 days or sooner",
                         law.source_of("confirm_oral_consent_in_writing")))
    if not p.data_minimisation:
        out.append(Issue("data_minimisation", "privacy.data_minimisation", False,
                         "staff may collect more than the purpose needs",
                         "set data_minimisation = true",
                         law.source_of("collect_for_a_purpose")))
    uses_agencies = any(s.outsourcer_share > 0 and s.allow_outsourcers for s in policy.segments)
    if uses_agencies and not p.outsourcers_check_consent:
        out.append(Issue("agents", "privacy.outsourcers_check_consent", False,
                         "agencies act for the company, which answers for what they do",
                         "require agencies to check consent before each marketing contact",
                         law.source_of("liable_for_agents")))
    electronic = any(r.channel in law.UEMO_CHANNELS and r.purpose in MARKETING_PURPOSES
                     for s in policy.segments for r in s.channels)
    if electronic and not p.unsubscribe_in_messages:
        out.append(Issue("unsubscribe", "privacy.unsubscribe_in_messages", False,
                         "marketing e-mails and messages must name the sender and carry an "
                         "unsubscribe facility",
                         "set unsubscribe_in_messages = true",
                         f"{law.UEMO} s.8-9"))
    for seg in policy.segments:
        marketing = any(r.purpose in MARKETING_PURPOSES and law.is_direct_marketing_means(
            r.channel) for r in seg.channels)
        if marketing and "opt_out_notice" not in seg.scripts:
            out.append(Issue("opt_out_notice", f"segments[{seg.segment}].scripts",
                             list(seg.scripts),
                             "marketing contacts must tell the customer they may opt out "
                             "free of charge", "add opt_out_notice to the scripts",
                             law.source_of("opt_out_notice_on_first_use")))
    return out


# ------------------------------------------------------------------ monitoring
def _monitoring(policy) -> list[Issue]:
    out = []
    missing = [i for i in REQUIRED_INDICATORS if i not in policy.indicators]
    if missing:
        out.append(Issue("indicators", "indicators", list(policy.indicators),
                         f"the two key indicators are not watched: {', '.join(missing)}",
                         f"add {', '.join(missing)} to the indicators"))
    if policy.review_every_months > MAX_REVIEW_MONTHS:
        out.append(Issue("review_cadence", "review_every_months", policy.review_every_months,
                         "indicators reviewed less than quarterly come too late for "
                         "follow-up action", f"review at least every {MAX_REVIEW_MONTHS} "
                         "months", law.COMPANY_POLICY))
    return out
