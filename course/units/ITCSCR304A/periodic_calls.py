"""Visible checks and small helpers for unit ITCSCR304A (periodic sales calls).

The graded test cells of the unit's notebooks call the ``show_*`` functions to tell the
trainee, in plain words and with customer ids, what to fix before handing in. They use
only what the trainee may see (the public tables of their own world) and hold no answer:
this file is released with the notebooks. Values are scored outside the kernel by the
unit's ``grading/evaluators.py`` (never released), which reuses the structural checks
here (``*_problems``) so that the trainee and the grader apply the same rules.

Every ``*_problems`` function accepts the trainee's value in its rich form (DataFrame,
dict of lists...) *or* in the plain-data form the grader receives, and never raises on a
wrong type: it reports the type as a problem instead.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from autograders.checks.friendly import check_failed

PROSPECTS_PER_SEGMENT = 15
REFERRAL_CHAMPIONS = 5
TOP_VALUE_ACCOUNTS = 40
SUMMARY_COLUMNS = ("customers", "consented_share", "mean_value", "contacted_90d_share")
SUMMARY_TOLERANCE = 1e-6
WEEKS_PER_MONTH = 4               # weeks of staff hours counted in a month's limits


# ----------------------------------------------------------------------------- world access
def table(world: Any, name: str) -> pd.DataFrame:
    """A public table of `world` (``world.tables[name]`` or ``world.<name>``)."""
    tables = getattr(world, "tables", None)
    if isinstance(tables, Mapping) and name in tables:
        return tables[name]
    return getattr(world, name)


def today(world: Any) -> pd.Timestamp:
    """The world's current date as a Timestamp (midnight)."""
    return pd.Timestamp(str(world.today)[:10])


def _ids(values: Iterable[Any]) -> str:
    """First few ids of a list, comma-separated, with how many more there are."""
    values = list(values)
    shown = ", ".join(map(str, values[:5]))
    return shown + (f" and {len(values) - 5} more" if len(values) > 5 else "")


def _failed(text: str) -> None:
    """Print a failed check; submit() in the same cell then never says "ready"."""
    check_failed()
    print(f"✘ {text}")


def _print_report(title: str, problems: list[str], ok: str) -> None:
    if problems:
        _failed(f"{title}: {len(problems)} thing(s) to fix")
        for line in problems:
            print("  -", line)
    else:
        print(f"✔ {ok}")


# ------------------------------------------------------------------------------ quizzes
def choice_problem(value: Any, letters: Iterable[str]) -> str | None:
    """Why `value` is not a usable multiple-choice answer (None when it is)."""
    letters = list(letters)
    if not isinstance(value, str):
        return (f"the answer must be one letter in quotes such as \"{letters[0]}\", "
                f"got {type(value).__name__}")
    if value.strip().lower() not in letters:
        return f"the answer must be one of {', '.join(letters)}, got {value!r}"
    return None


def show_choice(key: str, value: Any, letters: Iterable[str]) -> None:
    """Confirm the recorded answer or say what form it must take (never whether it is right)."""
    problem = choice_problem(value, letters)
    if problem:
        _failed(f"{key}: {problem}")
    else:
        print(f"✔ {key} = {value.strip().lower()!r} recorded")


# ---------------------------------------------------------------------- segment summary
def _summary_frame(summary: Any) -> pd.DataFrame | None:
    """The trainee's summary as a frame indexed by segment, or None if it is not a table."""
    if isinstance(summary, Mapping) and "__frame__" in summary:
        from_plain = summary["__frame__"]
        try:
            summary = pd.DataFrame(from_plain["records"], columns=from_plain["columns"])
        except (KeyError, TypeError, ValueError):
            return None
    if not isinstance(summary, pd.DataFrame):
        return None
    frame = summary
    if "segment" in frame.columns:
        frame = frame.set_index("segment")
    elif frame.index.name != "segment" and "index" in frame.columns:
        frame = frame.set_index("index")
    frame = frame.copy()
    frame.index = frame.index.astype(str)
    return frame


def segment_summary_shape_problems(summary: Any, world: Any) -> list[str]:
    """What is wrong with the summary's shape, without knowing the right values.

    A DataFrame indexed by segment, with every segment of the trainee's customers and
    the four columns; counts that are whole numbers, shares between 0 and 1, a
    non-negative mean value. Whether the values are *right* is the grader's business.
    """
    frame = _summary_frame(summary)
    if frame is None:
        return [f"segment_summary must be a DataFrame indexed by segment, got "
                f"{type(summary).__name__}"]
    problems = []
    missing_cols = [c for c in SUMMARY_COLUMNS if c not in frame.columns]
    if missing_cols:
        problems.append(f"columns missing: {', '.join(missing_cols)}")
    segments = sorted(table(world, "customers")["segment"].astype(str).unique())
    missing_segs = [s for s in segments if s not in frame.index]
    if missing_segs:
        problems.append(f"segments missing from the index: {', '.join(missing_segs)}")
    ranges = {"customers": (0.0, math.inf), "consented_share": (0.0, 1.0),
              "mean_value": (0.0, math.inf), "contacted_90d_share": (0.0, 1.0)}
    for col, (low, high) in ranges.items():
        if col in missing_cols:
            continue
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = [str(seg) for seg, v in values.items()
               if not (math.isfinite(v) and low <= v <= high)
               or (col == "customers" and v != int(v))]
        if bad:
            what = ("a whole number of customers" if col == "customers" else
                    "a share between 0 and 1" if high == 1.0 else "a number of at least 0")
            problems.append(f"{col} must be {what}; it is not for {', '.join(bad[:5])}")
    return problems


def account_table(world: Any) -> pd.DataFrame:
    """The customers with the days since their last contact (on or before today).

    What the no-code summary builder of Exercise 1a works on: never contacted = 9999 days.
    """
    customers = table(world, "customers").copy()
    inter = table(world, "interactions")
    day = pd.to_datetime(inter["timestamp"], format="%Y-%m-%dT%H:%M").dt.normalize()
    now = today(world)
    last = day[day <= now].groupby(inter.loc[day <= now, "customer_id"]).max()
    days = (now - last.reindex(customers["customer_id"])).dt.days
    customers["days_since_last_contact"] = days.fillna(9999).astype(int).to_numpy()
    return customers


def summary_builder(world: Any):
    """The no-code view of Exercise 1a: a `SummaryBuilder` over `account_table(world)`."""
    from crm_sim.ui.summary_builder import SummaryBuilder

    return SummaryBuilder(account_table(world))


def show_segment_summary_check(summary: Any, world: Any) -> None:
    """Print which columns/segments of the summary need fixing."""
    problems = segment_summary_shape_problems(summary, world)
    _print_report("segment_summary", problems, "segment_summary: the table has the right shape "
                  "(the grader checks the values against the definition)")


# ----------------------------------------------------------------------------- prospects
def prospect_problems(prospects: Any, world: Any, per_segment: int = PROSPECTS_PER_SEGMENT
                      ) -> dict[str, Any]:
    """Structural check of a ``{segment: [customer ids]}`` prospect list.

    Returns:
        dict with ``problems`` (trainee-facing lines), ``valid`` ({segment: ids that are
        consented customers of that segment, first `per_segment`, no duplicates}) and the
        offenders by kind (``unknown``, ``wrong_segment``, ``no_consent``, ``duplicates``).
    """
    customers = table(world, "customers")
    segments = sorted(customers["segment"].unique())
    out: dict[str, Any] = {"problems": [], "valid": {s: [] for s in segments},
                           "unknown": [], "wrong_segment": [], "no_consent": [],
                           "duplicates": [], "segments": segments}
    if not isinstance(prospects, Mapping) or "__frame__" in prospects:
        out["problems"].append(
            f"prospects must be a dict {{segment: [customer ids]}}, got {type(prospects).__name__}")
        return out
    seg_of = dict(zip(customers["customer_id"], customers["segment"], strict=True))
    consent = dict(zip(customers["customer_id"], customers["dm_consent"].astype(bool),
                       strict=True))
    for seg in segments:
        ids = prospects.get(seg)
        if ids is None:
            out["problems"].append(f"segment {seg!r} is missing: give {per_segment} ids for it")
            continue
        if isinstance(ids, (str, bytes)) or not isinstance(ids, (list, tuple, pd.Index,
                                                                  pd.Series, np.ndarray)):
            out["problems"].append(f"prospects[{seg!r}] must be a list of customer ids")
            continue
        seen: set[str] = set()
        valid = []
        for cid in list(ids)[: per_segment * 20]:
            if not isinstance(cid, str):
                out["unknown"].append(repr(cid))
                continue
            if cid in seen:
                out["duplicates"].append(cid)
                continue
            seen.add(cid)
            if cid not in seg_of:
                out["unknown"].append(cid)
            elif seg_of[cid] != seg:
                out["wrong_segment"].append(cid)
            elif not consent[cid]:
                out["no_consent"].append(cid)
            else:
                valid.append(cid)
        if len(ids) != per_segment:
            out["problems"].append(f"prospects[{seg!r}] has {len(ids)} ids; give exactly "
                                   f"{per_segment}")
        out["valid"][seg] = valid[:per_segment]
    extra = [k for k in prospects if k not in segments]
    if extra:
        out["problems"].append(f"unknown segments: {_ids(map(str, extra))}")
    if out["no_consent"]:
        out["problems"].append(f"{len(out['no_consent'])} customers have no direct-marketing "
                               f"consent (a promotion call would break the PDPO): "
                               f"{_ids(out['no_consent'])}")
    if out["unknown"]:
        out["problems"].append(f"unknown customer ids: {_ids(out['unknown'])}")
    if out["wrong_segment"]:
        out["problems"].append(f"customers listed under the wrong segment: "
                               f"{_ids(out['wrong_segment'])}")
    if out["duplicates"]:
        out["problems"].append(f"customers listed twice: {_ids(out['duplicates'])}")
    return out


PROSPECT_CUSTOMER_COLUMNS = ("customer_id", "segment", "lifetime_value", "tenure_months",
                             "dm_consent")
PROSPECT_INTERACTION_COLUMNS = ("customer_id", "timestamp", "purpose", "outcome",
                                "info_captured")


def prospect_inputs(world: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(customers, interactions) with only the columns `choose_prospects` receives.

    The grader calls the trainee's function with exactly these tables, built from a
    company the trainee has never seen; the notebook calls it with the trainee's own.
    """
    customers = table(world, "customers")[list(PROSPECT_CUSTOMER_COLUMNS)].copy()
    interactions = table(world, "interactions")[list(PROSPECT_INTERACTION_COLUMNS)].copy()
    return customers, interactions


def show_prospects_check(prospects: Any, world: Any) -> None:
    """Print what is wrong with the prospect list (ids, consent, counts)."""
    found = prospect_problems(prospects, world)
    n = sum(len(v) for v in found["valid"].values())
    _print_report("prospects", found["problems"],
                  f"prospects: {n} consented customers, {PROSPECTS_PER_SEGMENT} per segment. "
                  "The grader runs choose_prospects on a company you have never seen and "
                  "checks how likely its picks really are to buy.")


# Signals of the no-code prospect scorecard: each 0..1, higher = a better prospect. They
# are computed from `prospect_inputs` only, so the grader computes the same signals on a
# company the trainee has never seen and applies the trainee's weights there.
PROSPECT_SIGNALS = {
    "said_satisfaction": "how satisfied they said they were on their last call (not asked: middle)",
    "value_in_segment": "lifetime value, ranked within the segment",
    "tenure_in_segment": "how long they have been a customer, ranked within the segment",
    "recent_purchase": "bought from us in the last 180 days",
    "recent_contact": "how recently we last spoke to them (a year ago or more: 0)",
    "contacts_in_segment": "how often we spoke to them in the last year, ranked within the segment",
    "complaints": "complained to us in the last year (a negative weight avoids them)",
}


def prospect_signals(customers: pd.DataFrame, interactions: pd.DataFrame) -> pd.DataFrame:
    """The scorecard's signals per customer (index customer_id), from public tables only."""
    acc = customers.assign(customer_id=customers["customer_id"].astype(str)) \
        .set_index("customer_id")
    inter = interactions.assign(customer_id=interactions["customer_id"].astype(str))
    stamp = pd.to_datetime(inter["timestamp"].astype(str).str[:16], format="%Y-%m-%dT%H:%M",
                           errors="coerce")
    now = stamp.max() if len(stamp) and stamp.notna().any() else pd.Timestamp("2026-01-01")
    band = inter["info_captured"].astype(str).str.extract(
        r'"satisfaction": "(low|medium|high)"', expand=False).map(BAND_VALUE)
    said = (inter.assign(said=band, t=stamp).dropna(subset=["said"])
            .sort_values("t", kind="stable").groupby("customer_id")["said"].last())
    last = inter.assign(t=stamp).groupby("customer_id")["t"].max()
    sold = inter.loc[(inter["outcome"] == "sale") & (stamp >= now - pd.Timedelta(days=180)),
                     "customer_id"]
    complained = inter.loc[(inter["outcome"] == "complaint")
                           & (stamp >= now - pd.Timedelta(days=365)), "customer_id"]
    days = (now - last.reindex(acc.index)).dt.days.astype(float)
    year = inter.loc[stamp >= now - pd.Timedelta(days=365)].groupby("customer_id").size()
    acc = acc.assign(contacts=year.reindex(acc.index).fillna(0.0).to_numpy(float))
    by_seg = acc.groupby("segment")
    return pd.DataFrame({
        "said_satisfaction": said.reindex(acc.index).fillna(BAND_VALUE["medium"]),
        "value_in_segment": by_seg["lifetime_value"].rank(pct=True),
        "tenure_in_segment": by_seg["tenure_months"].rank(pct=True),
        "recent_purchase": acc.index.isin(set(sold)).astype(float),
        "recent_contact": (1.0 - days.fillna(365.0) / 365.0).clip(0.0, 1.0),
        "contacts_in_segment": by_seg["contacts"].rank(pct=True),
        "complaints": acc.index.isin(set(complained)).astype(float),
    }, index=acc.index).astype(float)


def prospect_scorecard(world: Any):
    """The no-code track's view for Exercise 1b: a `Scorecard` over your own customers."""
    from crm_sim.ui.scorecard import Scorecard

    customers, interactions = prospect_inputs(world)
    ids = customers["customer_id"].astype(str).to_numpy()
    return Scorecard(prospect_signals(customers, interactions),
                     pd.Series(customers["segment"].astype(str).to_numpy(), index=ids),
                     pd.Series(customers["dm_consent"].astype(bool).to_numpy(), index=ids),
                     PROSPECTS_PER_SEGMENT, labels=PROSPECT_SIGNALS)


def scorecard_prospects(rule: Any, customers: pd.DataFrame, interactions: pd.DataFrame
                        ) -> dict[str, list[str]]:
    """The prospects a scorecard rule picks from these tables (the grader's application)."""
    from crm_sim.ui.scorecard import apply_scorecard

    ids = customers["customer_id"].astype(str).to_numpy()
    return apply_scorecard(rule, prospect_signals(customers, interactions),
                           pd.Series(customers["segment"].astype(str).to_numpy(), index=ids),
                           pd.Series(customers["dm_consent"].astype(bool).to_numpy(), index=ids),
                           PROSPECTS_PER_SEGMENT)


def prospects_from(rule: Any, world: Any) -> dict[str, list[str]]:
    """Your rule's picks in your own company: a scorecard's value or a function.

    A rule the scorecard cannot use gives no picks (the check then says what is missing).
    """
    from crm_sim.ui.scorecard import rule_problems

    customers, interactions = prospect_inputs(world)
    if callable(rule):
        return rule(customers, interactions)
    if rule_problems(rule, list(PROSPECT_SIGNALS)):
        for problem in rule_problems(rule, list(PROSPECT_SIGNALS)):
            _failed(f"{problem}")
        return {}
    return scorecard_prospects(rule, customers, interactions)


# ------------------------------------------------------------------------------ referrals
def referral_problems(champions: Any, world: Any, n: int = REFERRAL_CHAMPIONS
                      ) -> tuple[list[str], list[str]]:
    """Problems of a referral-champion list and the valid, distinct existing customer ids."""
    if isinstance(champions, (str, bytes, Mapping)) or not isinstance(
            champions, (list, tuple, pd.Index, pd.Series, np.ndarray)):
        return [f"referral_champions must be a list of {n} customer ids, got "
                f"{type(champions).__name__}"], []
    known = set(table(world, "customers")["customer_id"])
    valid, bad, dup = [], [], []
    for cid in list(champions)[: n * 20]:
        if not isinstance(cid, str) or cid not in known:
            bad.append(str(cid)[:20])
        elif cid in valid:
            dup.append(cid)
        else:
            valid.append(cid)
    problems = []
    if len(champions) != n:
        problems.append(f"give exactly {n} customer ids, got {len(champions)}")
    if bad:
        problems.append(f"not existing customers: {_ids(bad)}")
    if dup:
        problems.append(f"listed twice: {_ids(dup)}")
    return problems, valid[:n]


def show_referral_check(champions: Any, world: Any) -> None:
    """Print list problems and how many distinct prospects the champions reach."""
    problems, valid = referral_problems(champions, world)
    _print_report("referral_champions", problems, "referral_champions: 5 existing customers")
    from crm_sim.errors import CrmSimError
    from crm_sim.leads.network import reachable_prospects, referral_graph

    try:
        reached = reachable_prospects(referral_graph(world), valid)
    except CrmSimError as exc:
        print(f"  (reach not shown: {exc})")
        return
    print(f"  together they reach {reached['prospect_id'].nunique()} distinct prospects")


# ----------------------------------------------------------------------------------- plan
def next_month(world: Any) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First day of the month after ``world.today`` and the first day of the one after."""
    now = today(world)
    start = (now + pd.offsets.MonthBegin(1)).normalize()
    return start, (start + pd.offsets.MonthBegin(1)).normalize()


def next_month_slots(world: Any, start_hour: int = 10, end_hour: int = 17,
                     minutes: int = 30) -> list[str]:
    """Every weekday slot ("YYYY-MM-DDTHH:MM") of next month from 10:00 to before 17:00.

    These hours suit every ICT segment's calling hours (weekdays only), so a plan that
    draws its slots from here cannot break the calling-hours rule.
    """
    start, end = next_month(world)
    days = pd.date_range(start, end - pd.Timedelta(days=1), freq="D")
    days = days[days.day_of_week < 5]
    offsets = pd.timedelta_range(pd.Timedelta(hours=start_hour), pd.Timedelta(hours=end_hour),
                                 freq=f"{minutes}min", closed="left")
    stamps = (days.to_numpy()[:, None] + offsets.to_numpy()[None, :]).ravel()
    return [t.strftime("%Y-%m-%dT%H:%M") for t in pd.DatetimeIndex(stamps)]


def top_value_ids(world: Any, n: int = TOP_VALUE_ACCOUNTS) -> list[str]:
    """The `n` customers of highest lifetime value (ties by id), the plan's must-calls."""
    c = table(world, "customers").sort_values(["lifetime_value", "customer_id"],
                                              ascending=[False, True], kind="stable")
    return c["customer_id"].head(n).tolist()


# Next month's limits on the plan: the team's time for periodic sales calls (one duty among
# many: 24 minutes a week per team member; service, admin and the follow-ups take the rest)
# and the calls budget (staff time at cost plus travel and postage).
PLAN_HOURS_PER_STAFF_WEEK = 0.4
PLAN_BUDGET_PER_CUSTOMER = 20.0     # HKD per customer on the books


def plan_limits(world: Any) -> dict[str, float]:
    """Staff hours and HKD next month's plan may use.

    hours = `PLAN_HOURS_PER_STAFF_WEEK` × staff × `WEEKS_PER_MONTH`; budget_hkd =
    `PLAN_BUDGET_PER_CUSTOMER` × customers.
    """
    return {"hours": PLAN_HOURS_PER_STAFF_WEEK * len(table(world, "staff")) * WEEKS_PER_MONTH,
            "budget_hkd": PLAN_BUDGET_PER_CUSTOMER * len(table(world, "customers"))}


def plan_usage(frame: pd.DataFrame, world: Any) -> dict[str, float]:
    """Staff hours and HKD a plan uses, as the engine counts them.

    A call takes the mechanism's planned minutes (channel base time + minutes per
    question) of a staff member, at `crm_sim.calls.STAFF_HOURLY_COST`, plus the channel's
    travel or postage (`CHANNEL_COST`); a call given to an outsourcer costs its fee and no
    staff time.
    """
    from crm_sim.calls import CHANNEL_COST, STAFF_HOURLY_COST
    from crm_sim.mechanism import mechanism_for
    from crm_sim.plans import QUESTIONS

    if frame.empty:
        return {"hours": 0.0, "cost_hkd": 0.0}
    n_questions = frame["script"].map(lambda items: sum(q in QUESTIONS for q in items))
    minutes = mechanism_for(world).call_minutes(frame["channel"].to_numpy(object),
                                                n_questions.to_numpy(float))
    fee = table(world, "outsourcers").set_index("outsourcer_id")["cost_per_call"]
    outsourced = frame["assignee"].isin(fee.index).to_numpy()
    staff_minutes = np.where(outsourced, 0.0, minutes)
    cost = (staff_minutes / 60.0 * STAFF_HOURLY_COST
            + frame["assignee"].map(fee).fillna(0.0).to_numpy(float)
            + frame["channel"].map(CHANNEL_COST).fillna(0.0).to_numpy(float))
    return {"hours": float(staff_minutes.sum()) / 60.0, "cost_hkd": float(cost.sum())}


def plan_over_limits(usage: Mapping[str, float], limits: Mapping[str, float]
                     ) -> dict[str, dict[str, float]]:
    """Each limit the plan goes beyond: {name: {"used", "limit", "over", "share"}}."""
    out = {}
    for name, used_key, limit_key in (("staff hours", "hours", "hours"),
                                      ("budget (HKD)", "cost_hkd", "budget_hkd")):
        used, limit = float(usage[used_key]), float(limits[limit_key])
        if used > limit + 1e-6:
            out[name] = {"used": round(used, 1), "limit": round(limit, 1),
                         "over": round(used - limit, 1),
                         "share": round((used - limit) / limit, 4) if limit > 0 else 1.0}
    return out


def limit_lines(over: Mapping[str, Mapping[str, float]]) -> list[str]:
    """Plain words per limit exceeded: which one, by how much."""
    unit = {"staff hours": "{:,.1f} staff hours", "budget (HKD)": "HKD {:,.0f}"}
    return [f"over the {name.split(' ')[0] if 'HKD' in name else name} limit: the plan needs "
            f"{unit[name].format(o['used'])}, next month allows {unit[name].format(o['limit'])} "
            f"(over by {unit[name].format(o['over'])}, {o['share']:.0%}); drop or shorten the "
            "calls that matter least" for name, o in over.items()]


def plan_report(plan: Any, world: Any) -> dict[str, Any]:
    """Build the plan, check it against the world's mechanism and measure coverage.

    Returns:
        dict with ``error`` (a malformed plan: the PlanError text), ``violations`` (list of
        Violation), ``summary`` (trainee-facing text), ``calls``, ``outside_month`` (rows
        not in next month), ``covered``/``missing`` top-value accounts, ``usage`` and
        ``limits`` (staff hours, HKD: `plan_usage`, `plan_limits`) and ``over_limits``.
    """
    from crm_sim.errors import CrmSimError
    from crm_sim.mechanism import mechanism_for, summarise_violations
    from crm_sim.plans import CallPlan

    out: dict[str, Any] = {"error": None, "violations": [], "summary": "", "calls": 0,
                           "outside_month": [], "covered": [], "missing": top_value_ids(world),
                           "usage": {}, "limits": {}, "over_limits": {}}
    try:
        built = CallPlan.build(plan, world)
        violations = mechanism_for(world).check(built, world)
    except (CrmSimError, TypeError, ValueError, KeyError) as exc:
        out["error"] = str(exc)
        return out
    frame = built.frame
    usage = plan_usage(frame, world)
    limits = plan_limits(world)
    out.update(usage=usage, limits=limits, over_limits=plan_over_limits(usage, limits))
    start, end = next_month(world)
    ts = pd.to_datetime(frame["slot"], format="%Y-%m-%dT%H:%M")
    outside = frame.loc[(ts < start) | (ts >= end), "customer_id"].tolist()
    planned = set(frame["customer_id"])
    out.update(violations=violations, summary=summarise_violations(violations, limit=5),
               calls=len(frame), outside_month=outside,
               covered=[c for c in out["missing"] if c in planned],
               missing=[c for c in out["missing"] if c not in planned])
    return out


# The no-code track of Exercise 3: a plan rule per segment -- whom to call, on which
# channel, who gets a promotion, which questions. Slots and qualified callers (taking
# turns) are filled in; what the rule decides is what the mechanism judges.
PLAN_RULE_KIND = "call_plan"
PLAN_WHO = ("everyone", "top_value_and_prospects", "top_value_only", "prospects_only", "nobody")
PLAN_PROMOTE = ("prospects", "everyone_called", "nobody")


def _plan_rule_spec(world: Any) -> tuple[list[str], dict[str, list[str]], dict]:
    from crm_sim.mechanism import mechanism_for
    from crm_sim.plans import QUESTIONS
    from crm_sim.schema import CHANNELS

    mech = mechanism_for(world)
    fields = {"who": list(PLAN_WHO), "channel": [*CHANNELS, PREFERRED],
              "promotion_for": list(PLAN_PROMOTE), "questions": list(QUESTIONS)}
    allowed = {str(s): {"channel": [*r.channels, PREFERRED]} for s, r in mech.segments.items()}
    return sorted(allowed), fields, allowed


def plan_rule_editor(world: Any):
    """The no-code view of Exercise 3: one row of decisions per segment."""
    from crm_sim.ui.rule_editor import RuleEditor

    groups, fields, allowed = _plan_rule_spec(world)
    return RuleEditor(PLAN_RULE_KIND, groups, fields, multi={"questions": MAX_QUESTIONS},
                      allowed=allowed)


def plan_from_rule(rule: Any, world: Any, prospects: Mapping[str, Any] | None) -> Any:
    """Next month's `CallPlan` under a plan rule (None, problems printed, when unusable).

    "preferred" = the customer's preferred channel when the segment allows it and it is not
    a visit (visits take a morning), else phone.
    """
    from crm_sim.mechanism import mechanism_for
    from crm_sim.plans import CallPlan
    from crm_sim.ui.rule_editor import rule_problems

    groups, fields, allowed = _plan_rule_spec(world)
    problems = rule_problems(rule, PLAN_RULE_KIND, groups, fields,
                             {"questions": MAX_QUESTIONS}, allowed)
    for problem in problems:
        _failed(f"{problem}")
    if problems:
        return None
    mech = mechanism_for(world)
    customers = table(world, "customers").set_index("customer_id")
    promo = {c for ids in (prospects or {}).values() for c in ids if c in customers.index}
    top = set(top_value_ids(world))
    targets = []
    for cid, seg in customers["segment"].astype(str).items():
        who = rule["groups"][seg]["who"]
        if (who == "everyone" or (who == "top_value_and_prospects" and (cid in top or cid in promo))
                or (who == "top_value_only" and cid in top)
                or (who == "prospects_only" and cid in promo)):
            targets.append(cid)
    targets.sort(key=lambda c: (-customers.at[c, "lifetime_value"], c))
    slots = next_month_slots(world)
    rows = []
    for i, cid in enumerate(targets):
        seg = str(customers.at[cid, "segment"])
        decision = rule["groups"][seg]
        channel = decision["channel"]
        if channel == PREFERRED:
            pref = str(customers.at[cid, "preferred_channel"])
            channel = pref if pref in mech.segments[seg].channels and pref != "visit" \
                else "phone"
        promote = decision["promotion_for"] == "everyone_called" or (
            decision["promotion_for"] == "prospects" and cid in promo)
        purpose = "promotion" if promote else "routine"
        callers = qualified_staff(world, seg, mech)
        rows.append({"customer_id": cid, "slot": slots[i % len(slots)], "channel": channel,
                     "assignee": callers[i % len(callers)], "purpose": purpose,
                     "script": list(mech.segments[seg].required_script)
                     + list(mech.purpose_script.get(purpose, ()))
                     + list(decision["questions"])})
    return CallPlan.build(rows, world)


def plan_from(rule: Any, world: Any, prospects: Mapping[str, Any] | None) -> Any:
    """Your plan: built from a plan rule's value, or the plan you built in code as it is."""
    if isinstance(rule, Mapping) and rule.get("kind") == PLAN_RULE_KIND:
        return plan_from_rule(rule, world, prospects)
    return rule


def show_plan_check(plan: Any, world: Any) -> None:
    """Print the mechanism's violations (with ids) and the top-value accounts left out."""
    r = plan_report(plan, world)
    if r["error"]:
        _failed(f"the plan cannot be read: {r['error']}")
        return
    problems = [] if not r["violations"] else r["summary"].split("\n")
    if r["outside_month"]:
        problems.append(f"{len(r['outside_month'])} calls are not in next month: "
                        f"{_ids(r['outside_month'])}")
    if r["missing"]:
        problems.append(f"{len(r['missing'])} of the {TOP_VALUE_ACCOUNTS} highest-value "
                        f"accounts have no call: {_ids(r['missing'])}")
    problems += limit_lines(r["over_limits"])
    _print_report(f"plan ({r['calls']} calls)", problems,
                  f"plan: {r['calls']} calls, no violation, every top-value account covered, "
                  "within the hours and the budget")
    print(f"  uses {r['usage']['hours']:,.1f} of {r['limits']['hours']:,.1f} staff hours and "
          f"HKD {r['usage']['cost_hkd']:,.0f} of {r['limits']['budget_hkd']:,.0f}")


def reach_by_customer(graph: Any, max_hops: int = 2) -> dict[str, set[str]]:
    """Per existing customer, the prospects within `max_hops` introductions.

    The same reach `crm_sim.leads.network.reachable_prospects` reports, computed once
    for every customer with plain breadth-first searches, so a notebook can try many
    combinations of champions without rebuilding tables.
    """
    import networkx as nx

    kinds = dict(graph.nodes(data="kind"))
    out: dict[str, set[str]] = {}
    for node, kind in kinds.items():
        if kind != "customer":
            continue
        near = nx.single_source_shortest_path_length(graph, node, cutoff=max_hops)
        out[node] = {n for n in near if kinds.get(n) == "prospect"}
    return out


# ------------------------------------------------------------------- people (notebook 2)
ASSIGN_RULES = ("unqualified_assignee", "staff_capacity", "outsourcer_capacity")
# How much a call to each segment weighs in the caller-quality average (value at stake).
SEGMENT_WEIGHT = {"corporate": 3.0, "sme": 2.0, "individual": 1.0}
TASK_COLUMNS = ("customer_id", "segment", "lifetime_value", "slot", "channel", "purpose",
                "script")


def agent_quality(world: Any) -> pd.Series:
    """How well each staff member or outsourcer performs a call (0..1), by agent id.

    Staff: 0.4 · skill + 0.3 · product knowledge + 0.3 · soft skill, the weights the call
    engine uses for contact quality. Outsourcers: their quality at the raw level they
    work at without the company's checklist (`crm_sim.calls.OUTSOURCER_RAW`).
    """
    from crm_sim.calls import OUTSOURCER_RAW

    staff = table(world, "staff")
    outs = table(world, "outsourcers")
    own = pd.Series(0.4 * staff["skill"].to_numpy(float)
                    + 0.3 * staff["product_knowledge"].to_numpy(float)
                    + 0.3 * staff["soft_skill"].to_numpy(float),
                    index=staff["staff_id"].astype(str).to_numpy())
    agency = pd.Series(outs["quality"].to_numpy(float) * OUTSOURCER_RAW,
                       index=outs["outsourcer_id"].astype(str).to_numpy())
    return pd.concat([own, agency]).round(4)


def qualified_staff(world: Any, segment: str, mechanism: Any = None) -> list[str]:
    """Staff qualified for `segment` by the mechanism, best call quality first.

    If nobody qualifies (a tiny team), the single best staff member is returned so a plan
    can still be written; the mechanism check will then name the gap.
    """
    from crm_sim.mechanism import mechanism_for

    rules = (mechanism or mechanism_for(world)).segments[segment]
    staff = table(world, "staff")
    quality = agent_quality(world)
    ok = staff.loc[(staff["skill"] >= rules.min_skill)
                   & (staff["product_knowledge"] >= rules.min_product_knowledge), "staff_id"]
    ranked = sorted(ok.astype(str), key=lambda s: (-quality[s], s))
    if ranked:
        return ranked
    return sorted(staff["staff_id"].astype(str), key=lambda s: (-quality[s], s))[:1]


def _script_for(mechanism: Any, segment: str, purpose: str, questions: list[str]) -> list[str]:
    rules = mechanism.segments[segment]
    items = list(rules.required_script) + list(mechanism.purpose_script.get(purpose, ()))
    return list(dict.fromkeys(items + ["closing"] * ("closing" not in items) + questions))


def assignment_task(world: Any) -> pd.DataFrame:
    """Next month's calls still without a caller (Exercise 1 of notebook 2).

    Every corporate account and the 20 most valuable SMEs get a visit; every other SME and
    the 120 most valuable individuals get a phone call (a promotion when they consented,
    else routine). That is more than one person can carry in a week, so the work must
    be shared. One row per call, columns `TASK_COLUMNS`; add an ``assignee`` column.
    """
    from crm_sim.mechanism import mechanism_for

    mech = mechanism_for(world)
    c = table(world, "customers").sort_values(["lifetime_value", "customer_id"],
                                              ascending=[False, True], kind="stable")
    sme = c[c["segment"] == "sme"]
    visit_ids = set(c.loc[c["segment"] == "corporate", "customer_id"]) | set(
        sme["customer_id"].head(20))
    picked = pd.concat([c[c["segment"] == "corporate"], sme,
                        c[c["segment"] == "individual"].head(120)])
    picked = picked.sort_values(["lifetime_value", "customer_id"], ascending=[False, True],
                                kind="stable")
    slots = next_month_slots(world)
    rows = []
    for i, (cid, seg, value, consent) in enumerate(zip(
            picked["customer_id"], picked["segment"], picked["lifetime_value"],
            picked["dm_consent"].astype(bool), strict=True)):
        purpose = "routine" if seg == "corporate" or not consent else "promotion"
        rows.append({"customer_id": str(cid), "segment": str(seg), "lifetime_value": float(value),
                     "slot": slots[(i * 7) % len(slots)],
                     "channel": "visit" if cid in visit_ids else "phone",
                     "purpose": purpose,
                     "script": _script_for(mech, str(seg), purpose, ["needs", "timeline"])})
    return pd.DataFrame(rows, columns=list(TASK_COLUMNS))


def _as_frame(value: Any) -> pd.DataFrame | None:
    """A DataFrame from a DataFrame, its plain ``__frame__`` form or a list of dicts."""
    if isinstance(value, pd.DataFrame):
        return value
    if isinstance(value, Mapping) and "__frame__" in value:
        body = value["__frame__"]
        try:
            return pd.DataFrame(body["records"], columns=body["columns"])
        except (KeyError, TypeError, ValueError):
            return None
    if isinstance(value, list) and all(isinstance(r, Mapping) for r in value):
        return pd.DataFrame(value)
    return None


def assignment_report(assigned: Any, world: Any) -> dict[str, Any]:
    """Check an assigned task: same calls, rule violations, value-weighted caller quality.

    Returns:
        dict with ``problems`` (trainee lines), ``calls`` (task size), ``missing`` (task
        calls not in the answer), ``violations`` (Violation list for `ASSIGN_RULES`),
        ``quality`` (mean caller quality of the valid rows, weighted by `SEGMENT_WEIGHT`)
        and
        ``error`` (text when the answer cannot be read at all).
    """
    from crm_sim.errors import CrmSimError
    from crm_sim.mechanism import mechanism_for, summarise_violations
    from crm_sim.plans import CallPlan

    task = assignment_task(world)
    out: dict[str, Any] = {"problems": [], "calls": len(task), "missing": [], "violations": [],
                           "quality": 0.0, "error": None}
    frame = _as_frame(assigned)
    if frame is None or "assignee" not in frame.columns or "customer_id" not in frame.columns:
        out["error"] = ("assigned must be the task DataFrame with an 'assignee' column, got "
                        f"{type(assigned).__name__}")
        out["problems"].append(out["error"])
        return out
    frame = frame.head(len(task) * 2).copy()
    frame["customer_id"] = frame["customer_id"].astype(str)
    frame["slot"] = frame["slot"].astype(str) if "slot" in frame.columns else ""
    key = ["customer_id", "slot"]
    merged = task.merge(frame[key + ["assignee"]].drop_duplicates(key), on=key, how="left")
    out["missing"] = merged.loc[merged["assignee"].isna(), "customer_id"].tolist()
    merged = merged.dropna(subset=["assignee"])
    merged["assignee"] = merged["assignee"].astype(str)
    known = agent_quality(world)
    unknown = merged.loc[~merged["assignee"].isin(known.index), "assignee"].unique().tolist()
    if unknown:
        out["problems"].append(f"unknown assignees (not a staff or outsourcer id): {_ids(unknown)}")
        merged = merged[merged["assignee"].isin(known.index)]
    if out["missing"]:
        out["problems"].append(f"{len(out['missing'])} calls of the task have no valid "
                               f"assignee: {_ids(out['missing'])}")
    if merged.empty:
        return out
    try:
        plan = CallPlan.build(merged[["customer_id", "slot", "channel", "assignee", "purpose",
                                      "script"]], world)
        out["violations"] = mechanism_for(world).check(plan, world, rules=ASSIGN_RULES)
    except CrmSimError as exc:
        out["error"] = str(exc)
        out["problems"].append(f"the assigned calls cannot be read: {exc}")
        return out
    if out["violations"]:
        out["problems"] += summarise_violations(out["violations"], limit=5).split("\n")
    weights = merged["segment"].map(SEGMENT_WEIGHT).fillna(1.0).to_numpy(float)
    q = known.reindex(merged["assignee"]).to_numpy(float)
    out["quality"] = float((weights * q).sum() / max(weights.sum(), 1e-9))
    return out


def assignment_planner(world: Any):
    """The no-code track's view for Exercise 1: an `AssignmentPlanner` over the task.

    The unit's knowledge goes in here as data: who is qualified for each segment (the
    mechanism), how long each call takes, each caller's weekly capacity, and the order the
    calls are taken in (segment weight, then lifetime value).
    """
    from crm_sim.mechanism import mechanism_for
    from crm_sim.plans import QUESTIONS
    from crm_sim.ui.planner import AssignmentPlanner

    mech = mechanism_for(world)
    task = assignment_task(world)
    quality = agent_quality(world)
    staff = table(world, "staff")
    outs = table(world, "outsourcers")
    n_q = task["script"].map(lambda items: sum(i in QUESTIONS for i in items))
    slot = pd.to_datetime(task["slot"], format="%Y-%m-%dT%H:%M")
    week = (slot.dt.normalize() - pd.to_timedelta(slot.dt.day_of_week, unit="D")).dt.strftime(
        "%Y-%m-%d")
    work = pd.DataFrame({"group": task["segment"], "period": week,
                         "minutes": mech.call_minutes(task["channel"], n_q),
                         "priority": task["segment"].map(SEGMENT_WEIGHT).fillna(1.0) * 1e9
                         + task["lifetime_value"]}, index=task.index)
    agents = pd.concat([
        pd.DataFrame({"agent_id": staff["staff_id"].astype(str),
                      "capacity": 60.0 * staff["capacity_hours_week"].astype(float),
                      "unit": "minutes"}),
        pd.DataFrame({"agent_id": outs["outsourcer_id"].astype(str),
                      "capacity": outs["capacity_calls_week"].astype(float), "unit": "calls"}),
    ], ignore_index=True)
    agents["quality"] = agents["agent_id"].map(quality).astype(float)
    return AssignmentPlanner(task, work, agents, qualified_callers(world))


def qualified_callers(world: Any) -> dict[str, list[str]]:
    """Per segment, the staff and agencies the mechanism allows to call it."""
    from crm_sim.mechanism import mechanism_for

    mech = mechanism_for(world)
    staff = table(world, "staff")
    outs = table(world, "outsourcers")
    qualified = {}
    for seg in sorted(table(world, "customers")["segment"].unique()):
        rules = mech.segments[seg]
        ok = staff.loc[(staff["skill"] >= rules.min_skill)
                       & (staff["product_knowledge"] >= rules.min_product_knowledge),
                       "staff_id"].astype(str).tolist()
        if rules.allow_outsourcers:
            ok += outs.loc[outs["quality"] >= rules.min_outsourcer_quality,
                           "outsourcer_id"].astype(str).tolist()
        qualified[str(seg)] = ok
    return qualified


def show_assignment_check(assigned: Any, world: Any) -> None:
    """Print missing calls, unqualified or overloaded callers, and the caller quality."""
    r = assignment_report(assigned, world)
    _print_report("assignment", r["problems"],
                  f"assignment: all {r['calls']} calls have a qualified caller within capacity")
    if not r["error"]:
        print(f"  caller quality, weighted by segment value: {r['quality']:.3f}")


# ----------------------------------------------------------------------------- budget
# Exercise 2 of notebook 2: HKD 100,000 for next month's promotion and training. Each
# (segment, channel) is a promotion line; one more line buys training. What a line brings
# follows the company's own figures, with diminishing returns: the first dollars on a line
# reach its customers, later ones contact the same people again and bring less.
BUDGET_TOTAL = 100_000.0
TRAINING_LINE = "training"
# HKD one promotional contact costs (material, staff time, travel or postage) and the chance
# it brings an order from a customer who responds on that channel.
CONTACT_COST = {"visit": 900.0, "phone": 120.0, "email": 8.0, "message": 15.0, "letter": 40.0}
ORDER_CHANCE = {"visit": 0.35, "phone": 0.18, "email": 0.03, "message": 0.06, "letter": 0.04}
ORDER_MONTHS = 3                  # an order is worth about three months of the customer's spend
TRAINING_COURSE = 4_000.0         # HKD of courses per team member (closes ~63% of the gap)
TRAINING_VALUE_PER_GAP_HOUR = 150.0   # HKD a month one staff hour at skill 0 loses vs skill 1
BUDGET_STAFF_COLUMNS = ("staff_id", "skill", "capacity_hours_week")


def budget_frame(budget: Any) -> pd.DataFrame | None:
    """A ``{segment: {channel: HKD}, "training": HKD}`` budget as a segment × channel frame.

    The training amount becomes a row ``training`` with its HKD under ``phone`` (a frame
    needs a column; only the row's total counts). None when the budget is unusable.
    """
    from crm_sim.schema import CHANNELS

    if isinstance(budget, pd.DataFrame):
        budget = {str(k): v for k, v in budget.to_dict(orient="index").items()}
    if not isinstance(budget, Mapping) or "__frame__" in budget:
        return None
    rows = {}
    for seg, by_channel in budget.items():
        if str(seg) == TRAINING_LINE:
            by_channel = {"phone": by_channel}
        if not isinstance(by_channel, Mapping):
            return None
        row = {}
        for ch in CHANNELS:
            v = by_channel.get(ch, 0.0)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.number)) or \
                    not math.isfinite(float(v)) or float(v) < 0:
                return None
            row[ch] = float(v)
        rows[str(seg)] = row
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(CHANNELS))


def budget_problems(budget: Any, world: Any) -> list[str]:
    """Form problems of a budget: shape, unknown segments/channels, negative or wrong total."""
    from crm_sim.schema import CHANNELS

    frame = budget_frame(budget)
    if frame is None:
        return ["budget must be a dict {segment: {channel: HKD amount ≥ 0}, 'training': HKD}, "
                "e.g. {'corporate': {'visit': 20000, ...}, ..., 'training': 10000}"]
    problems = []
    segments = sorted(table(world, "customers")["segment"].unique())
    extra = [s for s in frame.index if s not in segments and s != TRAINING_LINE]
    if extra:
        problems.append(f"unknown segments: {_ids(extra)}")
    if isinstance(budget, Mapping):
        bad = sorted({ch for k, v in budget.items() if isinstance(v, Mapping) for ch in v
                      if ch not in CHANNELS})
        if bad:
            problems.append(f"unknown channels: {_ids(bad)} (use {', '.join(CHANNELS)})")
    total = float(frame.to_numpy().sum())
    if abs(total - BUDGET_TOTAL) > 1.0:
        problems.append(f"the budget adds up to HKD {total:,.0f}; it must be exactly "
                        f"HKD {BUDGET_TOTAL:,.0f}")
    return problems


def budget_inputs(world: Any) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(customers, interactions, staff): what a budget rule or `plan_budget` may read."""
    customers, interactions = analysis_inputs(world)
    staff = table(world, "staff")[list(BUDGET_STAFF_COLUMNS)].reset_index(drop=True)
    return customers, interactions, staff


def monthly_value(customers: pd.DataFrame) -> pd.Series:
    """What each customer spends a month: lifetime value / months as a customer."""
    return (customers["lifetime_value"].astype(float)
            / customers["tenure_months"].astype(float).clip(lower=1.0))


def _channel_shares(customers: pd.DataFrame, interactions: pd.DataFrame, reach: str
                    ) -> pd.DataFrame:
    """Per customer, the share of them each channel reaches (rows: customers, cols: channels)."""
    from crm_sim.schema import CHANNELS

    if reach == "stated_preference":
        return pd.get_dummies(customers["preferred_channel"].astype(str)).reindex(
            columns=list(CHANNELS), fill_value=0).astype(float).set_axis(customers.index)
    if reach == "answered_contacts":
        answered = interactions[interactions["outcome"].isin(["answered", "sale"])]
        segment_of = customers.set_index("customer_id")["segment"]
        share = pd.crosstab(answered["customer_id"].map(segment_of), answered["channel"],
                            normalize="index").reindex(columns=list(CHANNELS), fill_value=0.0)
        out = share.reindex(customers["segment"]).fillna(0.0).set_axis(customers.index)
        empty = out.sum(axis=1) <= 0
        out.loc[empty] = 1.0 / len(CHANNELS)
        return out
    return pd.DataFrame(1.0 / len(CHANNELS), index=customers.index, columns=list(CHANNELS))


def promotion_lines(segment: pd.Series, shares: pd.DataFrame, value: pd.Series) -> pd.DataFrame:
    """One row per (segment, channel): customers reached, value at stake, saturation.

    value_at_stake = ORDER_CHANCE × ORDER_MONTHS × Σ monthly value of the customers the
    channel reaches (what the line brings when every one of them has been contacted many
    times); saturation = CONTACT_COST × customers (HKD to contact each once). A line with x
    HKD brings value_at_stake × (1 − e^(−x / saturation)).
    """
    reached = shares.groupby(segment.to_numpy()).sum()
    worth = shares.mul(value.to_numpy(), axis=0).groupby(segment.to_numpy()).sum()
    lines = (reached.stack().rename("customers").to_frame()
             .join(worth.stack().rename("monthly_value")).reset_index())
    lines.columns = ["segment", "channel", "customers", "monthly_value"]
    lines["value_at_stake"] = (lines["channel"].map(ORDER_CHANCE) * ORDER_MONTHS
                               * lines["monthly_value"])
    lines["saturation"] = lines["channel"].map(CONTACT_COST) * lines["customers"]
    return lines.drop(columns="monthly_value")


def training_line(staff: pd.DataFrame) -> pd.DataFrame:
    """The training line: value_at_stake = HKD 150 × staff hours a month × (1 − skill).

    saturation = TRAINING_COURSE × team members (one course each closes ~63% of the gap).
    """
    gap_hours = float(((1.0 - staff["skill"].astype(float))
                       * staff["capacity_hours_week"].astype(float)).sum() * WEEKS_PER_MONTH)
    return pd.DataFrame([{"segment": TRAINING_LINE, "channel": "", "customers": float(len(staff)),
                          "value_at_stake": TRAINING_VALUE_PER_GAP_HOUR * gap_hours,
                          "saturation": TRAINING_COURSE * len(staff)}])


def best_return_first(lines: pd.DataFrame, total: float = BUDGET_TOTAL) -> np.ndarray:
    """HKD per line so that the next dollar brings the same on every funded line.

    With diminishing returns R(1 − e^(−x/S)), the next dollar on a line brings
    (R/S)·e^(−x/S): fund the line whose next dollar brings most, until all lines funded
    bring the same λ, chosen so the amounts add up to `total` (x = S·ln(R/(S·λ))).
    """
    value = lines["value_at_stake"].to_numpy(float)
    sat = lines["saturation"].to_numpy(float)
    ok = (value > 0) & (sat > 0)
    if not ok.any():
        return np.zeros(len(lines))
    first = np.where(ok, value / np.where(ok, sat, 1.0), 0.0)

    def spend(log_lam: float) -> np.ndarray:
        return np.where(ok & (first > np.exp(log_lam)),
                        sat * (np.log(np.maximum(first, 1e-300)) - log_lam), 0.0)

    low, high = float(np.log(first[ok].max())) - 60.0, float(np.log(first[ok].max()))
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if spend(mid).sum() > total else (low, mid)
    x = spend(high)
    return x * (total / x.sum()) if x.sum() > 0 else x


def lines_value(lines: pd.DataFrame, amounts: Iterable[float]) -> float:
    """HKD the lines bring with `amounts` on them: Σ R (1 − e^(−x/S))."""
    value = lines["value_at_stake"].to_numpy(float)
    sat = lines["saturation"].to_numpy(float)
    x = np.asarray(list(amounts), dtype=float)
    safe = np.where(sat > 0, sat, 1.0)
    return float(np.sum(np.where(sat > 0, value * (1.0 - np.exp(-x / safe)), 0.0)))


def budget_as_dict(lines: pd.DataFrame, amounts: Iterable[float]) -> dict[str, Any]:
    """``{segment: {channel: HKD}, "training": HKD}`` from amounts per line."""
    from crm_sim.schema import CHANNELS

    out: dict[str, Any] = {}
    for seg, ch, x in zip(lines["segment"], lines["channel"], amounts, strict=True):
        if seg == TRAINING_LINE:
            out[TRAINING_LINE] = out.get(TRAINING_LINE, 0.0) + float(x)
        else:
            out.setdefault(str(seg), {c: 0.0 for c in CHANNELS})[str(ch)] += float(x)
    out.setdefault(TRAINING_LINE, 0.0)
    return out


# The no-code track: which of the company's figures to use and how to spend.
BUDGET_RULE_KIND = "budget"
BUDGET_GROUP = "budget"
BUDGET_FIELDS = {"reach": ["stated_preference", "answered_contacts", "even"],
                 "value": ["customer_value", "fixed_3_2_1", "equal"],
                 "spend": ["best_return_first", "in_proportion"],
                 "training": ["skill_gaps", "none"]}
BUDGET_LABELS = {BUDGET_GROUP: "How to split the money"}


def budget_lines(customers: pd.DataFrame, interactions: pd.DataFrame, staff: pd.DataFrame,
                 reach: str = "stated_preference", value: str = "customer_value",
                 training: str = "skill_gaps") -> pd.DataFrame:
    """The company's budget lines as a rule sees them (the table the notebook shows).

    reach: how customers are spread over channels (what they say they prefer, where past
    contacts were answered, or evenly). value: each customer's monthly value (their own
    spend, fixed 3/2/1 weights scaled to the company's mean, or the mean for all).
    """
    spend = monthly_value(customers)
    if value == "fixed_3_2_1":
        weight = customers["segment"].map(SEGMENT_WEIGHT).fillna(1.0)
        spend = weight * spend.mean() / weight.mean()
    elif value == "equal":
        spend = pd.Series(spend.mean(), index=customers.index)
    lines = promotion_lines(customers["segment"].astype(str),
                            _channel_shares(customers, interactions, reach), spend)
    if training == "skill_gaps":
        lines = pd.concat([lines, training_line(staff)], ignore_index=True)
    lines["first_1000_brings"] = lines["value_at_stake"] * (
        1.0 - np.exp(-1000.0 / lines["saturation"].where(lines["saturation"] > 0)))
    return lines.fillna({"first_1000_brings": 0.0})


def budget_rule_editor(world: Any):
    """The no-code view: one row of choices (reach, value, spend, training)."""
    from crm_sim.ui.rule_editor import RuleEditor

    return RuleEditor(BUDGET_RULE_KIND, [BUDGET_GROUP], BUDGET_FIELDS)


def budget_rule_problems(rule: Any, segments: Iterable[str] = ()) -> list[str]:
    """What stops a budget rule from being used (plain words; empty = usable)."""
    from crm_sim.ui.rule_editor import rule_problems

    return rule_problems(rule, BUDGET_RULE_KIND, [BUDGET_GROUP], BUDGET_FIELDS)


def budget_from_rule(rule: Mapping[str, Any], customers: pd.DataFrame,
                     interactions: pd.DataFrame, staff: pd.DataFrame) -> dict[str, Any]:
    """HKD 100,000 split by a budget rule (the grader's application).

    best_return_first: `best_return_first` over the lines; in_proportion: each line gets
    money in proportion to its value at stake (costs and diminishing returns ignored).
    Training gets money only when the rule includes its line (training = skill_gaps).
    """
    decision = rule["groups"][BUDGET_GROUP]
    lines = budget_lines(customers, interactions, staff, decision["reach"], decision["value"],
                         decision["training"])
    if decision["spend"] == "best_return_first":
        amounts = best_return_first(lines)
    else:
        worth = lines["value_at_stake"].to_numpy(float)
        amounts = worth / worth.sum() * BUDGET_TOTAL if worth.sum() > 0 else worth
    return budget_as_dict(lines, amounts)


def budget_from(rule: Any, world: Any) -> Any:
    """Your budget for your own company: a budget rule's value or a function."""
    inputs = budget_inputs(world)
    if callable(rule):
        return rule(*inputs)
    problems = budget_rule_problems(rule)
    for problem in problems:
        _failed(f"{problem}")
    return {} if problems else budget_from_rule(rule, *inputs)


def budget_value(budget: Any, world: Any) -> float | None:
    """HKD a budget brings on your company's lines as stated preference shows them."""
    frame = budget_frame(budget)
    if frame is None:
        return None
    lines = budget_lines(*budget_inputs(world))
    amounts = [float(frame.at[s, "phone"]) if s == TRAINING_LINE and s in frame.index
               else float(frame.at[s, c]) if s in frame.index else 0.0
               for s, c in zip(lines["segment"], lines["channel"], strict=True)]
    return lines_value(lines, amounts)


def show_budget_check(budget: Any, world: Any) -> None:
    """Print form problems, the split by segment and training, and what it brings here."""
    problems = budget_problems(budget, world)
    _print_report("budget", problems, f"budget: HKD {BUDGET_TOTAL:,.0f} allocated")
    frame = budget_frame(budget)
    if frame is not None and frame.to_numpy().sum() > 0:
        share = (frame.sum(axis=1) / frame.to_numpy().sum()).round(2)
        print("  share by line:", share.to_dict())
        print(f"  expected to bring about HKD {budget_value(budget, world):,.0f} next month "
              "in your company (customers' stated channels)")


# ---------------------------------------------------------------------------- checklist
def outsourcing_pilot(world: Any, checklist: Any = None, n: int = 40) -> pd.DataFrame:
    """Run the same pilot calls once by own staff and once by an outsourcer, on copies.

    The `n` most valuable individual customers get a routine phone call (needs, timeline,
    satisfaction). Neither run touches `world`. Returns one row per caller type with the
    observed figures: answered rate, facts captured per call, sales and complaints.
    """
    from crm_sim.calls import OutsourcerChecklist, run_plan
    from crm_sim.mechanism import mechanism_for

    if checklist is None:
        checklist = OutsourcerChecklist()
    mech = mechanism_for(world)
    c = table(world, "customers")
    ids = (c[c["segment"] == "individual"].sort_values(["lifetime_value", "customer_id"],
                                                       ascending=[False, True])
           ["customer_id"].head(n).tolist())
    own = sorted(qualified_staff(world, "individual", mech))[0]
    agency = table(world, "outsourcers").sort_values("outsourcer_id")["outsourcer_id"].iloc[0]
    slots = next_month_slots(world)
    rows = []
    for label, agent in (("own staff", own), ("outsourcer", agency)):
        copy = world.copy()
        plan = [{"customer_id": cid, "slot": slots[(i * 3) % len(slots)], "channel": "phone",
                 "assignee": agent, "purpose": "routine",
                 "script": _script_for(mech, "individual", "routine",
                                       ["needs", "timeline", "satisfaction"])}
                for i, cid in enumerate(ids)]
        s = run_plan(copy, plan, checklist=checklist)
        rows.append({"caller": label, "agent": agent, "calls": s.made,
                     "answered_rate": s.answered_rate,
                     "facts_per_call": round(s.facts_captured / max(s.made, 1), 3),
                     "sales": s.sales, "complaints": s.complaints})
    return pd.DataFrame(rows).set_index("caller")


def checklist_items(checklist: Any) -> tuple[dict[str, bool] | None, str | None]:
    """The checklist as {item: bool}, or (None, problem) when it is not a checklist."""
    from crm_sim.calls import CHECKLIST_WEIGHTS

    if hasattr(checklist, "to_dict") and not isinstance(checklist, Mapping):
        checklist = checklist.to_dict()
    if not isinstance(checklist, Mapping):
        return None, ("checklist must be an OutsourcerChecklist (or a dict of its items), got "
                      f"{type(checklist).__name__}")
    unknown = [k for k in checklist if k not in CHECKLIST_WEIGHTS]
    if unknown:
        return None, (f"unknown checklist items: {_ids(unknown)} "
                      f"(use {', '.join(CHECKLIST_WEIGHTS)})")
    bad = [k for k, v in checklist.items() if not isinstance(v, bool)]
    if bad:
        return None, f"checklist items must be True or False: {_ids(bad)}"
    return {k: bool(checklist.get(k, False)) for k in CHECKLIST_WEIGHTS}, None


# What each checklist item costs the company a month (agency fees, trainer's time,
# recording licences), and what closing the gap is worth. Company figures, not law --
# except the consent check: agents acting for us must check direct-marketing consent
# (PDPO Part 6A; the company is liable for what its agents do, s.65).
CHECKLIST_COSTS = {"script_adherence": 2500.0, "consent_check": 800.0,
                   "product_briefing": 6000.0, "call_recording": 3500.0,
                   "escalation_rule": 2000.0}
OUTSOURCED_CALLS_MONTH = 400       # calls the agencies make for us in a month
SALE_SHARE_OF_GAP = 0.1            # share of a product's price one call's quality gap is worth
REQUIRED_ITEMS = {"consent_check": "agents calling for us must check direct-marketing consent "
                                   "(PDPO Part 6A); the company answers for its agents (s.65)"}


def checklist_economics(world: Any) -> pd.DataFrame:
    """Per checklist item: share of the gap it closes, what that is worth, what it costs.

    The gap is own staff's mean call quality minus the agencies' (`agent_quality`), so it
    differs between companies; worth = share × gap × 400 calls × the mean price of
    individual products × 0.1, in HKD a month.
    """
    from crm_sim.calls import CHECKLIST_WEIGHTS

    quality = agent_quality(world)
    staff_ids = set(table(world, "staff")["staff_id"].astype(str))
    own = quality[quality.index.isin(staff_ids)].mean()
    agency = quality[~quality.index.isin(staff_ids)].mean()
    products = table(world, "products")
    price = float(products.loc[products["segment_fit"] == "individual", "price"].mean())
    gap_value = max(0.0, float(own - agency)) * OUTSOURCED_CALLS_MONTH * price \
        * SALE_SHARE_OF_GAP
    return pd.DataFrame({"share_of_gap": pd.Series(CHECKLIST_WEIGHTS),
                         "worth": pd.Series(CHECKLIST_WEIGHTS) * gap_value,
                         "cost": pd.Series(CHECKLIST_COSTS)}).round(2)


def checklist_chooser(world: Any):
    """The no-code view of Exercise 3: tick the items; cost, worth and net shown."""
    from crm_sim.ui.costed_choices import CostedChoices

    return CostedChoices(checklist_economics(world), required=REQUIRED_ITEMS)


# ------------------------------------------------------------------- calls (notebook 2)
DISCOVERY_PER_SEGMENT = {"corporate": 8, "sme": 6, "individual": 6}
MAX_QUESTIONS = 5
REPORT_COLUMNS = ("customer_id", "outcome", "facts", "follow_up", "follow_up_date")
FOLLOW_UP_DAYS = {"no_answer": 7}      # days allowed until the follow-up; default below
DEFAULT_FOLLOW_UP_DAYS = 14


def discovery_list(world: Any) -> list[str]:
    """The 20 accounts to call in Exercise 4: the most valuable 8 corporate, 6 SME, 6 individual."""
    c = table(world, "customers").sort_values(["lifetime_value", "customer_id"],
                                              ascending=[False, True], kind="stable")
    out: list[str] = []
    for seg, n in DISCOVERY_PER_SEGMENT.items():
        out += c.loc[c["segment"] == seg, "customer_id"].head(n).astype(str).tolist()
    return out


def discovery_inputs(world: Any) -> tuple[pd.DataFrame, pd.DataFrame, list[str], dict]:
    """(accounts, staff, slots, rules): what `plan_discovery_calls` receives (Exercise 4a).

    ``accounts``: the `discovery_list` accounts in order (customer_id, segment,
    preferred_channel); ``staff``: staff_id, skill, product_knowledge, soft_skill;
    ``slots``: next month's weekday slots; ``rules``: per segment, the allowed
    ``channels``, the ``required_script`` sections of a routine call (closing included)
    and the ``min_skill`` / ``min_product_knowledge`` a caller needs. The grader passes the
    same four values built from a company the trainee has never seen.
    """
    from crm_sim.mechanism import mechanism_for

    mech = mechanism_for(world)
    c = table(world, "customers").set_index("customer_id")
    ids = discovery_list(world)
    accounts = (c.loc[ids, ["segment", "preferred_channel"]].astype(str)
                .rename_axis("customer_id").reset_index())
    staff = table(world, "staff")[["staff_id", "skill", "product_knowledge",
                                   "soft_skill"]].copy()
    rules = {str(seg): {"channels": list(r.channels),
                        "required_script": _script_for(mech, seg, "routine", []),
                        "min_skill": float(r.min_skill),
                        "min_product_knowledge": float(r.min_product_knowledge)}
             for seg, r in mech.segments.items()}
    return accounts, staff, list(next_month_slots(world)), rules


# The no-code track of Exercise 4a: a discovery rule per segment (channel, caller,
# questions) that the grader turns into calls on a company the trainee has never seen.
DISCOVERY_RULE_KIND = "discovery"
DISCOVERY_CALLERS = {
    "warmest": "the qualified staff with the strongest soft skills (the top two take turns)",
    "best": "the qualified staff with the best call quality (the top two take turns)",
    "most_skilled": "the qualified staff with the most selling skill (the top two take turns)",
}
PREFERRED = "preferred"        # the customer's preferred channel when it is a conversation
CONVERSATION_CHANNELS = ("phone", "message", "visit")


def discovery_rule_editor(world: Any):
    """The no-code track's view for Exercise 4a: a `RuleEditor` with one row per segment."""
    from crm_sim.plans import QUESTIONS
    from crm_sim.schema import CHANNELS
    from crm_sim.ui.rule_editor import RuleEditor

    _, _, _, rules = discovery_inputs(world)
    return RuleEditor(DISCOVERY_RULE_KIND, sorted(rules),
                      {"channel": [*CHANNELS, PREFERRED], "caller": list(DISCOVERY_CALLERS),
                       "questions": list(QUESTIONS)},
                      multi={"questions": MAX_QUESTIONS},
                      allowed={seg: {"channel": [*r["channels"], PREFERRED]}
                               for seg, r in rules.items()})


def discovery_rule_problems(rule: Any, rules: Mapping[str, Any]) -> list[str]:
    """What stops a discovery rule from being used (plain words; empty = usable)."""
    from crm_sim.plans import QUESTIONS
    from crm_sim.schema import CHANNELS
    from crm_sim.ui.rule_editor import rule_problems

    return rule_problems(rule, DISCOVERY_RULE_KIND, sorted(rules),
                         {"channel": [*CHANNELS, PREFERRED], "caller": list(DISCOVERY_CALLERS),
                          "questions": list(QUESTIONS)},
                         multi={"questions": MAX_QUESTIONS},
                         allowed={seg: {"channel": [*r["channels"], PREFERRED]}
                                  for seg, r in rules.items()})


def discovery_calls_from_rule(rule: Mapping[str, Any], accounts: pd.DataFrame,
                              staff: pd.DataFrame, slots: list[str], rules: Mapping[str, Any]
                              ) -> list[dict[str, Any]]:
    """The calls a discovery rule makes (the grader's application, no trainee code).

    Per account, in order: its segment's channel ("preferred" = the customer's preferred
    channel when it is a conversation the segment allows, else phone), the caller chosen
    among the staff qualified for the segment (the top two take turns; nobody qualified:
    the best caller, and the check names the gap), and the segment's questions after the
    required script sections. Slots are spread over the month (every fifth slot).
    """
    skill = dict(zip(staff["staff_id"], staff["skill"], strict=True))
    soft = dict(zip(staff["staff_id"], staff["soft_skill"], strict=True))
    quality = dict(zip(staff["staff_id"], 0.4 * staff["skill"] + 0.3 * staff["product_knowledge"]
                       + 0.3 * staff["soft_skill"], strict=True))
    key = {"warmest": soft, "best": quality, "most_skilled": skill}
    calls = []
    for i, row in enumerate(accounts.itertuples(index=False)):
        seg_rules = rules[row.segment]
        decision = rule["groups"][row.segment]
        ok = staff.loc[(staff["skill"] >= seg_rules["min_skill"])
                       & (staff["product_knowledge"] >= seg_rules["min_product_knowledge"]),
                       "staff_id"].tolist()
        if not ok:
            ok = [max(sorted(quality), key=lambda s: quality[s])]
        order = key[decision["caller"]]
        callers = sorted(ok, key=lambda s: (-order[s], s))
        channel = decision["channel"]
        if channel == PREFERRED:
            pref = row.preferred_channel
            channel = pref if pref in CONVERSATION_CHANNELS and pref in seg_rules["channels"] \
                else "phone"
        calls.append({"customer_id": row.customer_id, "slot": slots[(i * 5) % len(slots)],
                      "channel": channel, "assignee": callers[i % min(2, len(callers))],
                      "purpose": "routine",
                      "script": list(dict.fromkeys(list(seg_rules["required_script"])
                                                   + list(decision["questions"])))})
    return calls


def discovery_calls(rule: Any, world: Any) -> list[dict[str, Any]]:
    """Your rule's calls in your own company: a rule editor's value or a function."""
    inputs = discovery_inputs(world)
    if callable(rule):
        return rule(*inputs)
    problems = discovery_rule_problems(rule, inputs[3])
    for problem in problems:
        _failed(f"{problem}")
    return [] if problems else discovery_calls_from_rule(rule, *inputs)


def scripted_calls_report(call_list: Any, world: Any) -> dict[str, Any]:
    """Check a discovery call list before it is run: coverage, mechanism, script length.

    Returns:
        dict with ``plan`` (the CallPlan, or None), ``error``, ``missing`` (listed accounts
        without a call), ``extra`` (calls to accounts not on the list), ``long_scripts``
        (customers asked more than `MAX_QUESTIONS` questions), ``violations`` and
        ``bad_customers`` (customers with any problem) and ``problems`` (trainee lines).
    """
    from crm_sim.errors import CrmSimError
    from crm_sim.mechanism import RULES, mechanism_for, summarise_violations
    from crm_sim.plans import CallPlan

    wanted = discovery_list(world)
    out: dict[str, Any] = {"plan": None, "error": None, "missing": list(wanted), "extra": [],
                           "long_scripts": [], "violations": [], "bad_customers": [],
                           "problems": []}
    frame = _as_frame(call_list)
    if frame is None:
        out["error"] = (f"call_list must be a list of dicts or a DataFrame, got "
                        f"{type(call_list).__name__}")
        out["problems"].append(out["error"])
        return out
    if len(frame) > 10 * len(wanted):
        out["error"] = f"call_list has {len(frame):,} calls; call the {len(wanted)} accounts once"
        out["problems"].append(out["error"])
        return out
    try:
        plan = CallPlan.build(frame, world)
        rules = [r for r in RULES if r != "under_contact"]
        out["violations"] = mechanism_for(world).check(plan, world, rules=rules)
    except CrmSimError as exc:
        out["error"] = str(exc)
        out["problems"].append(f"the call list cannot be read: {exc}")
        return out
    out["plan"] = plan
    d = plan.derived
    called = d["customer_id"].astype(str).tolist()
    out["missing"] = [c for c in wanted if c not in called]
    out["extra"] = sorted({c for c in called if c not in wanted})
    out["long_scripts"] = (d.loc[d["n_questions"] > MAX_QUESTIONS, "customer_id"]
                           .astype(str).tolist())
    bad = {v.customer_id for v in out["violations"] if v.customer_id}
    bad |= {c for c in called for v in out["violations"] if not v.customer_id
            and v.staff_id in set(d.loc[d["customer_id"] == c, "assignee"])}
    bad |= set(out["long_scripts"])
    out["bad_customers"] = sorted(c for c in bad if c in wanted)
    if out["missing"]:
        out["problems"].append(f"{len(out['missing'])} listed accounts have no call: "
                               f"{_ids(out['missing'])}")
    if out["extra"]:
        out["problems"].append(f"calls to accounts not on the list (they earn nothing): "
                               f"{_ids(out['extra'])}")
    if out["long_scripts"]:
        out["problems"].append(f"{len(out['long_scripts'])} calls ask more than "
                               f"{MAX_QUESTIONS} questions: {_ids(out['long_scripts'])}")
    if out["violations"]:
        out["problems"] += summarise_violations(out["violations"], limit=5).split("\n")
    return out


def show_call_list_check(call_list: Any, world: Any) -> None:
    """Print what to fix in the call list before running it."""
    r = scripted_calls_report(call_list, world)
    _print_report("call_list", r["problems"],
                  f"call_list: one well-formed call for each of the {len(discovery_list(world))} "
                  "accounts")


def _facts(info: Any) -> dict[str, str] | None:
    """Question answers of a record's info_captured (dict or JSON text), without consent basis."""
    import json

    from crm_sim.plans import QUESTIONS

    if isinstance(info, str):
        try:
            info = json.loads(info)
        except ValueError:
            return None
    if not isinstance(info, Mapping):
        return None
    return {str(k): str(v) for k, v in info.items() if k in QUESTIONS}


# A follow-up says what will be done and about what, soon enough for its date (the 14-day
# rule): "call again next quarter" (what the engine notes after a refusal) does not.
FOLLOW_UP_VERBS = ("call", "phone", "ring", "send", "email", "e-mail", "message", "text",
                   "visit", "meet", "confirm", "resolve", "quote", "book", "arrange", "deliver",
                   "reply", "demo", "demonstrate", "check", "update", "offer", "ask", "follow")
FAR_OFF = re.compile(r"next\s+(quarter|year|month|season)|in\s+\d+\s+(weeks?|months?|years?)"
                     r"|later\s+this\s+year|some\s*day|eventually|in\s+(a|one)\s+month",
                     re.IGNORECASE)
VAGUE = {"call again", "follow up", "follow-up", "tbd", "n/a", "na", "none", "-", "todo",
         "call back", "later", "check"}


def follow_up_text_problem(text: Any) -> str | None:
    """Why a follow-up text is not a real follow-up under the 14-day rule (None if it is)."""
    if not isinstance(text, str) or not text.strip():
        return "no follow-up action"
    words = re.findall(r"[a-z][a-z-]*", text.lower())
    if text.strip().lower() in VAGUE or len(words) < 3:
        return "follow-up too vague: say what you will do and about what"
    if FAR_OFF.search(text):
        return "follow-up text promises a time beyond the 14-day rule"
    if not any(w in FOLLOW_UP_VERBS for w in words):
        return "follow-up names no action (call, send, visit, confirm...)"
    return None


def call_report_problems(report: Any, records: pd.DataFrame) -> dict[str, Any]:
    """Compare a trainee's call report with the calls actually made (the engine's records).

    A report row is right when its outcome equals the record's, its ``facts`` equal the
    answers captured, ``follow_up`` is a real follow-up (`follow_up_text_problem`: an
    action and what it is about, no promise beyond the 14 days) and ``follow_up_date`` is
    a date within 7 days after the call for a no-answer and within 14 days otherwise.

    Returns:
        dict with ``right`` (customer ids reported correctly), ``calls`` (calls made),
        ``wrong`` ({problem: [customer ids]}) and ``problems`` (trainee lines).
    """
    out: dict[str, Any] = {"right": [], "calls": len(records), "wrong": {}, "problems": []}
    frame = _as_frame(report)
    if frame is None or "customer_id" not in frame.columns:
        out["problems"].append("call_report must be a DataFrame with columns "
                               f"{', '.join(REPORT_COLUMNS)}, got {type(report).__name__}")
        return out
    missing_cols = [c for c in REPORT_COLUMNS if c not in frame.columns]
    if missing_cols:
        out["problems"].append(f"columns missing: {', '.join(missing_cols)}")
    frame = frame.head(len(records) * 5).copy()
    frame["customer_id"] = frame["customer_id"].astype(str)
    rows = frame.drop_duplicates("customer_id").set_index("customer_id")

    def flag(kind: str, cid: str) -> None:
        out["wrong"].setdefault(kind, []).append(cid)

    for rec in records.itertuples(index=False):
        cid = str(rec.customer_id)
        if cid not in rows.index:
            flag("not reported", cid)
            continue
        row = rows.loc[cid]
        ok = True
        if str(row.get("outcome", "")) != str(rec.outcome):
            flag("outcome differs from the call record", cid)
            ok = False
        if _facts(row.get("facts")) != _facts(rec.info_captured):
            flag("facts differ from the answers captured", cid)
            ok = False
        problem = follow_up_text_problem(row.get("follow_up"))
        if problem:
            flag(problem, cid)
            ok = False
        days = FOLLOW_UP_DAYS.get(str(rec.outcome), DEFAULT_FOLLOW_UP_DAYS)
        call_day = pd.Timestamp(str(rec.timestamp)[:10])
        try:
            due = pd.Timestamp(str(row.get("follow_up_date")))
            good_date = bool(call_day < due <= call_day + pd.Timedelta(days=days))
        except (ValueError, TypeError):
            good_date = False
        if not good_date:
            flag("follow_up_date missing or not within the allowed days", cid)
            ok = False
        if ok:
            out["right"].append(cid)
    for kind, ids in out["wrong"].items():
        out["problems"].append(f"{kind}: {_ids(ids)}")
    return out


def call_report_sheet(summary: Any):
    """The no-code view of Exercise 4b: one row per call made, follow-up and date to write.

    Outcome and facts come from the call records (what the customer said); the caller
    writes the next step and its due date, each row checked as it is filled.
    """
    import json

    from crm_sim.ui.record_sheet import RecordSheet

    records = summary.records if summary is not None else pd.DataFrame(
        columns=["customer_id", "timestamp", "outcome", "info_captured"])
    rows = pd.DataFrame({"customer_id": records["customer_id"].astype(str).to_numpy(),
                         "called_on": records["timestamp"].astype(str).str[:10].to_numpy(),
                         "outcome": records["outcome"].astype(str).to_numpy(),
                         "facts": records["info_captured"].map(json.loads).to_numpy()})

    def check(row: pd.Series) -> str | None:
        problem = follow_up_text_problem(row["follow_up"])
        if problem:
            return problem
        days = FOLLOW_UP_DAYS.get(str(row["outcome"]), DEFAULT_FOLLOW_UP_DAYS)
        try:
            due = pd.Timestamp(str(row["follow_up_date"]))
        except (ValueError, TypeError):
            return "write the due date as YYYY-MM-DD"
        called = pd.Timestamp(row["called_on"])
        if not called < due <= called + pd.Timedelta(days=days):
            return f"the due date must be within {days} days after the call"
        return None

    return RecordSheet(rows, "customer_id", ["follow_up", "follow_up_date"], check)


def run_call_list(world: Any, call_list: Any) -> Any:
    """Make the calls of `call_list` in `world` (they change it); None if it cannot run.

    A call list the engine refuses (unknown customer, bad slot...) is reported in one
    line instead of a traceback, so the rest of the notebook still runs.
    """
    from crm_sim.calls import run_plan
    from crm_sim.errors import CrmSimError

    try:
        summary = run_plan(world, call_list)
    except CrmSimError as exc:
        _failed(f"the calls could not be made: {exc}")
        return None
    print(f"{summary.made} calls made, {summary.answered} answered, "
          f"{summary.facts_captured} answers captured, {summary.sales} sales")
    return summary


def show_call_report_check(report: Any, summary: Any) -> None:
    """Print which calls are missing from the report or recorded wrongly."""
    if summary is None:
        _failed("no calls were made: fix call_list and run the notebook again")
        return
    records = summary.records if hasattr(summary, "records") else summary
    r = call_report_problems(report, records)
    _print_report("call_report", r["problems"],
                  f"call_report: all {r['calls']} calls recorded with a follow-up")


def with_index(value: Any) -> Any:
    """A DataFrame with its index as a column (so the grader sees the segment), else as is."""
    if isinstance(value, pd.DataFrame):
        return value.reset_index() if value.index.name is not None or \
            not isinstance(value.index, pd.RangeIndex) else value
    return value


# ------------------------------------------------------------------ follow-up (notebook 3)
RECORD_FIELDS = ("customer_id", "segment", "lifetime_value", "tenure_months", "dm_consent",
                 "preferred_channel", "contacts_90d", "days_since_contact", "last_outcome",
                 "last_satisfaction", "last_needs", "last_timeline", "complaints_12m",
                 "sales_12m", "satisfaction_est", "propensity_est")
ACTIONS = ("call", "none")
FOLLOW_UP_PURPOSES = ("routine", "promotion", "follow_up", "service")


def _last_answer(inter: pd.DataFrame, question: str) -> pd.Series:
    said = inter["info_captured"].astype(str).str.extract(rf'"{question}": "([^"]*)"',
                                                          expand=False)
    return (inter.assign(v=said).dropna(subset=["v"]).sort_values("timestamp", kind="stable")
            .groupby("customer_id")["v"].last())


def customer_records(world: Any) -> list[dict[str, Any]]:
    """One plain dict per customer: what an account manager knows before a follow-up.

    Fields `RECORD_FIELDS`: account data, contact history summary (last 90 days / 12
    months), the last answers captured ("" when never asked) and the engine's observed
    estimates of satisfaction and propensity (`crm_sim.analysis.estimate_customer_state`).
    Only public data: the same function builds the records the grader gives your
    `recommend_follow_up` on a world you have never seen.
    """
    from crm_sim.analysis import estimate_customer_state

    c = table(world, "customers").set_index("customer_id")
    inter = table(world, "interactions")
    now = today(world)
    ts = pd.to_datetime(inter["timestamp"], format="%Y-%m-%dT%H:%M")
    recent = inter[ts >= now - pd.Timedelta(days=90)].groupby("customer_id").size()
    year = inter[ts >= now - pd.Timedelta(days=365)]
    complaints = year[year["outcome"] == "complaint"].groupby("customer_id").size()
    sales = year[year["outcome"] == "sale"].groupby("customer_id").size()
    ordered = inter.assign(ts=ts).sort_values("ts", kind="stable").groupby("customer_id")
    last_ts, last_outcome = ordered["ts"].last(), ordered["outcome"].last()
    est = estimate_customer_state(world).set_index("customer_id")
    ids = c.index
    frame = pd.DataFrame({
        "customer_id": ids.astype(str),
        "segment": c["segment"].astype(str).to_numpy(),
        "lifetime_value": c["lifetime_value"].astype(float).round(2).to_numpy(),
        "tenure_months": c["tenure_months"].astype(int).to_numpy(),
        "dm_consent": c["dm_consent"].astype(bool).to_numpy(),
        "preferred_channel": c["preferred_channel"].astype(str).to_numpy(),
        "contacts_90d": recent.reindex(ids).fillna(0).astype(int).to_numpy(),
        "days_since_contact": (now - last_ts.reindex(ids)).dt.days.fillna(9999).astype(int)
        .to_numpy(),
        "last_outcome": last_outcome.reindex(ids).fillna("").astype(str).to_numpy(),
        "last_satisfaction": _last_answer(inter, "satisfaction").reindex(ids).fillna("")
        .astype(str).to_numpy(),
        "last_needs": _last_answer(inter, "needs").reindex(ids).fillna("").astype(str).to_numpy(),
        "last_timeline": _last_answer(inter, "timeline").reindex(ids).fillna("").astype(str)
        .to_numpy(),
        "complaints_12m": complaints.reindex(ids).fillna(0).astype(int).to_numpy(),
        "sales_12m": sales.reindex(ids).fillna(0).astype(int).to_numpy(),
        "satisfaction_est": est["satisfaction_est"].reindex(ids).astype(float).round(4).to_numpy(),
        "propensity_est": est["propensity_est"].reindex(ids).astype(float).round(4).to_numpy(),
    })
    return frame.astype(object).to_dict("records")


def recommendation_problems(rec: Any, record: Mapping[str, Any], mechanism: Any
                            ) -> str | None:
    """Why one recommendation is unusable or breaks the mechanism (None when it is fine)."""
    from crm_sim.plans import QUESTIONS

    if not isinstance(rec, Mapping):
        return f"returned {type(rec).__name__}, not a dict"
    action = rec.get("action")
    if action not in ACTIONS:
        return f"action {action!r} is not one of {', '.join(ACTIONS)}"
    if action == "none":
        return None
    rules = mechanism.segments.get(str(record.get("segment")))
    channel, purpose = rec.get("channel"), rec.get("purpose", "routine")
    if rules is None or channel not in rules.channels:
        return f"channel {channel!r} is not allowed for segment {record.get('segment')!r}"
    if purpose not in FOLLOW_UP_PURPOSES:
        return f"purpose {purpose!r} is not one of {', '.join(FOLLOW_UP_PURPOSES)}"
    if purpose in mechanism.consent_required_for and not record.get("dm_consent"):
        return "a promotion to a customer without direct-marketing consent (PDPO)"
    questions = rec.get("questions", [])
    if not isinstance(questions, list) or any(q not in QUESTIONS for q in questions):
        return f"questions must be a list of {', '.join(QUESTIONS)}"
    if len(questions) > MAX_QUESTIONS:
        return f"{len(questions)} questions; at most {MAX_QUESTIONS}"
    return None


def follow_up_plan(world: Any, records: list[Mapping[str, Any]], recommendations: list[Any]
                   ) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Turn recommendations into next month's calls (the grader does the same).

    Usable "call" recommendations become calls at spread weekday slots, made by the
    qualified staff member with the best call quality for the segment (taking turns among
    the best three). Returns (plan frame, {problem: [customer ids]}) where problems are
    recommendations that could not be used or break the mechanism; those are not called.
    """
    from crm_sim.mechanism import mechanism_for

    mech = mechanism_for(world)
    callers = {seg: qualified_staff(world, seg, mech)[:3] for seg in mech.segments}
    slots = next_month_slots(world)
    rows, problems = [], {}
    for i, (record, rec) in enumerate(zip(records, recommendations, strict=True)):
        problem = recommendation_problems(rec, record, mech)
        cid = str(record["customer_id"])
        if problem:
            problems.setdefault(problem if "returned" not in problem else "not a dict",
                                []).append(cid)
            continue
        if rec["action"] == "none":
            continue
        seg = str(record["segment"])
        purpose = rec.get("purpose", "routine")
        pool = callers[seg]
        rows.append({"customer_id": cid, "slot": slots[(i * 11) % len(slots)],
                     "channel": rec["channel"], "assignee": pool[len(rows) % len(pool)],
                     "purpose": purpose,
                     "script": _script_for(mech, seg, purpose, list(rec.get("questions", [])))})
    return pd.DataFrame(rows, columns=["customer_id", "slot", "channel", "assignee", "purpose",
                                       "script"]), problems


# Follow-up calls are made by each segment's best three qualified callers, who keep this
# share of their weekly hours for them (the rest goes to the planned calls of notebook 1).
FOLLOW_UP_TIME_SHARE = 0.3


def follow_up_capacity(world: Any) -> dict[str, float]:
    """Staff minutes per segment next month for follow-up calls.

    = `FOLLOW_UP_TIME_SHARE` × the weekly hours of the segment's best three qualified
    callers (the ones `follow_up_plan` gives the calls to) × `WEEKS_PER_MONTH` × 60.
    """
    from crm_sim.mechanism import mechanism_for

    mech = mechanism_for(world)
    hours = table(world, "staff").set_index("staff_id")["capacity_hours_week"].astype(float)
    return {str(seg): FOLLOW_UP_TIME_SHARE * WEEKS_PER_MONTH * 60.0
            * float(hours.reindex(qualified_staff(world, seg, mech)[:3]).fillna(0.0).sum())
            for seg in mech.segments}


def within_capacity(plan: pd.DataFrame, world: Any) -> tuple[pd.DataFrame, dict[str, dict]]:
    """The calls the team has time for: per segment, in plan order, while minutes last.

    Returns (the calls made, {segment: {"needed_hours", "available_hours",
    "calls_not_made"}} for each segment whose calls need more time than it has). A call
    takes the mechanism's planned minutes (channel base time + time per question).
    """
    from crm_sim.mechanism import mechanism_for
    from crm_sim.plans import QUESTIONS

    if plan.empty:
        return plan, {}
    mech = mechanism_for(world)
    segment = plan["customer_id"].map(table(world, "customers").set_index("customer_id")
                                      ["segment"].astype(str))
    n_questions = plan["script"].map(lambda items: sum(q in QUESTIONS for q in items))
    minutes = pd.Series(mech.call_minutes(plan["channel"].to_numpy(object),
                                          n_questions.to_numpy(float)), index=plan.index)
    used = minutes.groupby(segment).cumsum()
    available = segment.map(follow_up_capacity(world)).fillna(0.0)
    fits = used <= available + 1e-9
    over = {}
    for seg in sorted(set(segment[~fits])):
        mine = segment == seg
        over[seg] = {"needed_hours": round(float(minutes[mine].sum()) / 60, 1),
                     "available_hours": round(float(available[mine].iloc[0]) / 60, 1),
                     "calls_not_made": int((~fits & mine).sum())}
    return plan[fits], over


def capacity_lines(over: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Plain words for each segment over its follow-up hours: which limit, by how much."""
    lines = []
    for seg, o in over.items():
        excess = o["needed_hours"] - o["available_hours"]
        share = excess / o["available_hours"] if o["available_hours"] > 0 else float("inf")
        lines.append(f"the {seg} follow-up calls need {o['needed_hours']:.1f} staff hours, "
                     f"the callers have {o['available_hours']:.1f} (over by {excess:.1f} hours, "
                     f"{share:.0%}): {o['calls_not_made']} calls cannot be made")
    return lines


# The no-code track of notebook 3's Exercise 3: follow-up rules per situation. The first
# situation that fits a customer decides; the grader applies the rules to every customer
# of a company the trainee has never seen (no trainee code runs).
FOLLOW_UP_RULE_KIND = "follow_up"
FOLLOW_UP_SITUATIONS = {
    "complained": "their last contact with us ended in a complaint",
    "contacted_often": "we contacted them 4 or more times in the last 90 days",
    "consented": "they gave direct-marketing consent",
    "business_no_consent": "a corporate or SME account without marketing consent",
    "everyone_else": "any other customer",
}


def _situation(record: Mapping[str, Any]) -> str:
    """The first situation of `FOLLOW_UP_SITUATIONS` that fits a customer record."""
    if record.get("last_outcome") == "complaint":
        return "complained"
    if int(record.get("contacts_90d") or 0) >= 4:
        return "contacted_often"
    if bool(record.get("dm_consent")):
        return "consented"
    if record.get("segment") != "individual":
        return "business_no_consent"
    return "everyone_else"


def _follow_up_fields() -> dict[str, list[str]]:
    from crm_sim.plans import QUESTIONS
    from crm_sim.schema import CHANNELS

    return {"action": list(ACTIONS), "purpose": list(FOLLOW_UP_PURPOSES),
            "channel": [*CHANNELS, PREFERRED], "questions": list(QUESTIONS)}


def follow_up_rule_editor():
    """The no-code view: one row of decisions per situation, first fitting row applies."""
    from crm_sim.ui.rule_editor import RuleEditor

    return RuleEditor(FOLLOW_UP_RULE_KIND, list(FOLLOW_UP_SITUATIONS), _follow_up_fields(),
                      multi={"questions": MAX_QUESTIONS}, skip={"action": "none"})


def follow_up_rule_problems(rule: Any) -> list[str]:
    """What stops follow-up rules from being used (plain words; empty = usable)."""
    from crm_sim.ui.rule_editor import rule_problems

    return rule_problems(rule, FOLLOW_UP_RULE_KIND, list(FOLLOW_UP_SITUATIONS),
                         _follow_up_fields(), multi={"questions": MAX_QUESTIONS},
                         skip={"action": "none"})


def follow_up_from_rule(rule: Mapping[str, Any], record: Mapping[str, Any],
                        channels: Mapping[str, Iterable[str]]) -> dict[str, Any]:
    """One customer's follow-up under the rules (the grader's application).

    "preferred" = the customer's preferred channel when it is a conversation (phone,
    message, visit) their segment allows (`channels`), else phone.
    """
    decision = rule["groups"][_situation(record)]
    if decision["action"] == "none":
        return {"action": "none"}
    channel = decision["channel"]
    if channel == PREFERRED:
        pref = record.get("preferred_channel")
        channel = pref if pref in CONVERSATION_CHANNELS and pref in channels.get(
            str(record.get("segment")), ()) else "phone"
    return {"action": "call", "channel": channel, "purpose": decision["purpose"],
            "questions": list(decision["questions"])}


def as_recommender(rule: Any, world: Any):
    """A follow-up function from your rules (or your function itself), for `try_follow_up`."""
    if callable(rule):
        return rule
    from crm_sim.mechanism import mechanism_for

    problems = follow_up_rule_problems(rule)
    if problems:
        for problem in problems:
            _failed(f"{problem}")
        return lambda record: {"action": "none"}
    channels = {s: r.channels for s, r in mechanism_for(world).segments.items()}
    return lambda record: follow_up_from_rule(rule, record, channels)


def try_follow_up(world: Any, recommend: Any, limit: int = 600) -> pd.DataFrame:
    """Practise: apply `recommend` to your customers on a copy of the world; observed results.

    Prints unusable recommendations by customer id and returns one row of what a manager
    would see after the month's calls (calls, answered, sales, HKD sales, complaints,
    opt-outs, cost).
    """
    from crm_sim.calls import run_plan

    records = customer_records(world)[:limit]
    recs = [recommend(dict(r)) for r in records]
    plan, problems = follow_up_plan(world, records, recs)
    for problem, ids in problems.items():
        _failed(f"{len(ids)} recommendations unusable ({problem}): {_ids(ids)}")
    plan, over = within_capacity(plan, world)
    for line in capacity_lines(over):
        _failed(line)
    copy = world.copy()
    if plan.empty:
        return pd.DataFrame([{"calls": 0}])
    s = run_plan(copy, plan)
    return pd.DataFrame([{"calls": s.made, "answered": s.answered, "sales": s.sales,
                          "sales_value": s.sales_value, "complaints": s.complaints,
                          "opt_outs": s.opt_outs, "cost": s.cost}])


# ------------------------------------------------------------------ analysis (notebook 3)
ANALYSIS_CUSTOMER_COLUMNS = ("customer_id", "segment", "lifetime_value", "tenure_months",
                             "dm_consent", "preferred_channel")
EFFECT_TOLERANCE = 0.005     # the definition is exact: this only absorbs rounding
BAND_VALUE = {"low": 0.25, "medium": 0.55, "high": 0.85}


def analysis_inputs(world: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(customers without personal data, interactions): what `estimate_state` receives."""
    customers = table(world, "customers")[list(ANALYSIS_CUSTOMER_COLUMNS)].copy()
    return customers, table(world, "interactions").copy()


# The no-code track of notebook 3's Exercise 1: an estimation rule, chosen from lists.
ESTIMATE_RULE_KIND = "estimate"
ESTIMATE_FIELDS = {
    "answers": ["latest", "average", "recent_weighted"],
    "complaint_penalty": ["0", "0.05", "0.1", "0.2"],
    "not_asked": ["middle", "average_of_others"],
    "propensity_from": ["satisfaction", "sale_rate", "satisfaction_and_sales"],
}
ESTIMATE_LABELS = {"estimate": "How to estimate"}


def estimate_rule_editor():
    """The no-code view: one row of choices that together say how to estimate."""
    from crm_sim.ui.rule_editor import RuleEditor

    return RuleEditor(ESTIMATE_RULE_KIND, ["estimate"], ESTIMATE_FIELDS, labels=ESTIMATE_LABELS)


def estimate_rule_problems(rule: Any) -> list[str]:
    """What stops an estimation rule from being used (plain words; empty = usable)."""
    from crm_sim.ui.rule_editor import rule_problems

    return rule_problems(rule, ESTIMATE_RULE_KIND, ["estimate"], ESTIMATE_FIELDS)


def estimates_from_rule(rule: Mapping[str, Any], customers: pd.DataFrame,
                        interactions: pd.DataFrame) -> pd.DataFrame:
    """Satisfaction and propensity per customer as the rule says (the grader's application).

    answers: which satisfaction bands count (the latest, their average, or weighted to the
    latest with a half-life of one answer); complaint_penalty: subtracted per complaint;
    not_asked: customers never asked get the middle band or everyone else's average;
    propensity_from: satisfaction through the usual S-curve, the customer's sale rate per
    contact, or the two averaged.
    """
    d = rule["groups"]["estimate"]
    band = interactions["info_captured"].astype(str).str.extract(
        r'"satisfaction": "(low|medium|high)"', expand=False).map(BAND_VALUE)
    said = (interactions.assign(v=band).dropna(subset=["v"])
            .sort_values("timestamp", kind="stable"))
    g = said.groupby("customer_id")["v"]
    if d["answers"] == "latest":
        per = g.last()
    elif d["answers"] == "average":
        per = g.mean()
    else:
        per = g.apply(lambda x: x.ewm(halflife=1).mean().iloc[-1])
    complaints = interactions[interactions["outcome"] == "complaint"].groupby(
        "customer_id").size()
    ids = customers["customer_id"].astype(str)
    fill = (per.mean() if len(per) else 0.6) if d["not_asked"] == "average_of_others" \
        else BAND_VALUE["medium"]
    s = (per.reindex(ids).fillna(fill).to_numpy(float)
         - float(d["complaint_penalty"]) * complaints.reindex(ids).fillna(0).to_numpy(float))
    s = np.clip(s, 0, 1)
    from_sat = 1 / (1 + np.exp(2.2 - 3.5 * (s - 0.5)))
    contacts = interactions.groupby("customer_id").size()
    sales = interactions[interactions["outcome"] == "sale"].groupby("customer_id").size()
    rate = (sales.reindex(ids).fillna(0).to_numpy(float)
            / np.maximum(contacts.reindex(ids).fillna(0).to_numpy(float), 1.0))
    propensity = {"satisfaction": from_sat, "sale_rate": rate,
                  "satisfaction_and_sales": (from_sat + rate) / 2}[d["propensity_from"]]
    return pd.DataFrame({"customer_id": ids.to_numpy(), "satisfaction_est": s,
                         "propensity_est": propensity})


def estimates_from(rule: Any, world: Any) -> Any:
    """Your estimates for your own company: an estimation rule's value or a function."""
    customers, interactions = analysis_inputs(world)
    if callable(rule):
        return rule(customers, interactions)
    problems = estimate_rule_problems(rule)
    for problem in problems:
        _failed(f"{problem}")
    return None if problems else estimates_from_rule(rule, customers, interactions)


# The no-code track of the call-effect exercise: the measure's definition, chosen from
# lists; the helper computes r per segment from your own world's records.
EFFECT_RULE_KIND = "call_effect"
EFFECT_FIELDS = {"window_days": ["90", "180", "365"],
                 "calls_counted": ["routine", "promotion", "all"],
                 "change": ["last_minus_first", "mean_of_answers"],
                 "min_answers": ["1", "2", "3"],
                 "other_contacts": ["held_constant", "ignored"],
                 "answer_span": ["held_constant", "ignored"],
                 "competitor_mentioned": ["held_constant", "ignored"]}
# What a measure can hold constant (the confounders of "more calls, better relationship"):
EFFECT_CONTROLS = {
    "other_contacts": "the customer's other contacts in the window (promotions, follow-ups, "
                      "service, complaints): customers contacted more often are also called "
                      "more, and every contact moves satisfaction",
    "answer_span": "the days between the customer's first and last answer: a longer span "
                   "holds more calls and more drift in satisfaction",
    "competitor_mentioned": "whether the customer mentioned a competitor in the window: the "
                            "customers rivals reach (competitor_activity) answer differently",
}


def effect_inputs(world: Any) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """(customers, interactions, today "YYYY-MM-DD"): what `call_effect` functions receive."""
    customers, interactions = analysis_inputs(world)
    return customers, interactions, today(world).strftime("%Y-%m-%d")


def effect_table(world: Any, window_days: int = 365, calls_counted: str = "routine",
                 change: str = "last_minus_first", min_answers: int = 2) -> pd.DataFrame:
    """`effect_table_from` on a world's tables, up to its today."""
    return effect_table_from(*effect_inputs(world), window_days, calls_counted, change,
                             min_answers)


def effect_table_from(customers: pd.DataFrame, interactions: pd.DataFrame, day: str,
                      window_days: int = 365, calls_counted: str = "routine",
                      change: str = "last_minus_first", min_answers: int = 2) -> pd.DataFrame:
    """Per customer who gave enough answers: measure, calls counted, controls, segment.

    Columns: m (last − first band, or the mean of the bands), calls, other_contacts (the
    window's contacts that are not counted as calls), answer_span (days between the first
    and last answer), competitor_mentioned (1 when a record in the window says so), segment.
    """
    inter = interactions
    since = (pd.Timestamp(day) - pd.Timedelta(days=int(window_days))).strftime("%Y-%m-%d")
    w = inter[inter["timestamp"].astype(str) >= since]
    band = w["info_captured"].astype(str).str.extract(
        r'"satisfaction": "(low|medium|high)"', expand=False).map(BAND_VALUE)
    obs = (w.assign(v=band).dropna(subset=["v"])
           .sort_values(["customer_id", "timestamp"], kind="stable"))
    g = obs.groupby("customer_id")
    measure = g["v"].last() - g["v"].first() if change == "last_minus_first" else g["v"].mean()
    measure = measure[g.size() >= int(min_answers)]
    stamp = pd.to_datetime(obs["timestamp"], format="%Y-%m-%dT%H:%M")
    span = (stamp.groupby(obs["customer_id"]).max()
            - stamp.groupby(obs["customer_id"]).min()).dt.days
    counted = w["purpose"] == calls_counted if calls_counted != "all" else \
        ~w["purpose"].isin(["service", "complaint"])
    calls = w[counted].groupby("customer_id").size()
    other = w[~counted].groupby("customer_id").size()
    rival = w[w["info_captured"].astype(str).str.contains('"competitor": "mentioned"',
                                                          regex=False)]["customer_id"]
    seg = customers.set_index("customer_id")["segment"]
    idx = measure.index
    return pd.DataFrame({"m": measure,
                         "calls": calls.reindex(idx).fillna(0).astype(float),
                         "other_contacts": other.reindex(idx).fillna(0).astype(float),
                         "answer_span": span.reindex(idx).fillna(0).astype(float),
                         "competitor_mentioned": idx.isin(set(rival)).astype(float),
                         "segment": seg.reindex(idx)})


def partial_correlation(frame: pd.DataFrame, controls: Iterable[str]) -> float:
    """The r between calls and measure once `controls` are held constant (NaN if undefined).

    Both are regressed on the controls (least squares with a constant); r of what is left
    (the residuals). With no controls this is Pearson's r.
    """
    controls = list(controls)
    if len(frame) < len(controls) + 3:
        return float("nan")
    design = np.column_stack([np.ones(len(frame))]
                             + [frame[c].to_numpy(float) for c in controls])
    left = []
    for col in ("calls", "m"):
        y = frame[col].to_numpy(float)
        coef = np.linalg.lstsq(design, y, rcond=None)[0]
        left.append(y - design @ coef)
    if min(float(np.std(v)) for v in left) < 1e-12:
        return float("nan")
    return float(np.corrcoef(left[0], left[1])[0, 1])


def effect_rule_editor():
    """The no-code view: one row of choices that define the measure."""
    from crm_sim.ui.rule_editor import RuleEditor

    return RuleEditor(EFFECT_RULE_KIND, ["measure"], EFFECT_FIELDS)


def effect_rule_problems(rule: Any) -> list[str]:
    """What stops a measure definition from being used (plain words; empty = usable)."""
    from crm_sim.ui.rule_editor import rule_problems

    return rule_problems(rule, EFFECT_RULE_KIND, ["measure"], EFFECT_FIELDS)


def effect_from_tables(rule: Mapping[str, Any], customers: pd.DataFrame,
                       interactions: pd.DataFrame, day: str) -> dict[str, float]:
    """Per segment, r between calls counted and the satisfaction measure (the grader's way).

    Controls chosen as ``held_constant`` are held constant (`partial_correlation`).
    """
    d = rule["groups"]["measure"]
    df = effect_table_from(customers, interactions, day, int(d["window_days"]),
                           d["calls_counted"], d["change"], int(d["min_answers"]))
    controls = [c for c in EFFECT_CONTROLS if d[c] == "held_constant"]
    return {str(s): partial_correlation(part, controls) for s, part in df.groupby("segment")}


def effect_from_rule(rule: Mapping[str, Any], world: Any) -> dict[str, float]:
    """`effect_from_tables` on your world (problems with the definition printed)."""
    problems = effect_rule_problems(rule)
    for problem in problems:
        _failed(f"{problem}")
    return {} if problems else effect_from_tables(rule, *effect_inputs(world))


def effect_from(rule: Any, world: Any) -> Any:
    """Your call effect on your world: from a measure definition or your function."""
    if isinstance(rule, Mapping) and rule.get("kind") == EFFECT_RULE_KIND:
        return effect_from_rule(rule, world)
    if callable(rule):
        return rule(*effect_inputs(world))
    return rule


def call_effect_shape_problems(effect: Any, world: Any) -> list[str]:
    """What is wrong with ``call_effect``'s shape: one r in [-1, 1] (or NaN) per segment."""
    if not isinstance(effect, Mapping):
        return [f"call_effect must be a dict {{segment: r}}, got {type(effect).__name__}"]
    problems = []
    for seg in sorted(table(world, "customers")["segment"].astype(str).unique()):
        got = effect.get(seg)
        if isinstance(got, bool) or not isinstance(got, (int, float, np.number)):
            problems.append(f"call_effect[{seg!r}] must be a number (NaN when a segment has "
                            "no spread)")
        elif not math.isnan(got) and not -1.0 <= float(got) <= 1.0:
            problems.append(f"call_effect[{seg!r}] is a correlation, so it lies in [-1, 1]")
    return problems


def show_call_effect_check(effect: Any, world: Any) -> None:
    """Print what is wrong with the shape of ``call_effect`` (values: the grader's business)."""
    problems = call_effect_shape_problems(effect, world)
    _print_report("call_effect", problems, "call_effect: one correlation per segment (the "
                  "grader applies your definition to companies you have not seen)")


def mechanism_table(mechanism: Any) -> pd.DataFrame:
    """The call mechanism's segment rules as a readable table (one column per segment)."""
    rows = {}
    for seg, r in mechanism.segments.items():
        rows[seg] = {
            "channels": ", ".join(r.channels),
            "contacts per month": f"{r.min_calls_per_month}–{r.max_calls_per_month}",
            "calling hours": f"{r.calling_hours[0]}–{r.calling_hours[1]}"
                             + (" weekdays" if r.weekdays_only else " any day"),
            "min days between contacts": r.min_gap_days,
            "required script": ", ".join(r.required_script),
            "staff: min skill / product knowledge": f"{r.min_skill} / {r.min_product_knowledge}",
            "outsourcers": (f"allowed, quality ≥ {r.min_outsourcer_quality}"
                            if r.allow_outsourcers else "not allowed"),
        }
    return pd.DataFrame(rows)
