"""Visible checks and small helpers for unit ITCSCR304A (periodic sales calls).

The graded test cells of the unit's notebooks call the ``show_*`` functions to tell the
trainee, in plain words and with customer ids, what to fix before handing in. They use
only what the trainee may see (the public tables of their own world); the hidden truth
is scored outside the kernel by ``autograders/units/unit_itcscr304a.py``, which reuses
the structural checks here (``*_problems``) so that the trainee and the grader apply
the same rules.

Every ``*_problems`` function accepts the trainee's value in its rich form (DataFrame,
dict of lists...) *or* in the plain-data form the grader receives, and never raises on a
wrong type: it reports the type as a problem instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

PROSPECTS_PER_SEGMENT = 15
REFERRAL_CHAMPIONS = 5
TOP_VALUE_ACCOUNTS = 40
SUMMARY_COLUMNS = ("customers", "consented_share", "mean_value", "contacted_90d_share")
SUMMARY_TOLERANCE = 1e-6


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


def _print_report(title: str, problems: list[str], ok: str) -> None:
    if problems:
        print(f"✘ {title}: {len(problems)} thing(s) to fix")
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
        print(f"✘ {key}: {problem}")
    else:
        print(f"✔ {key} = {value.strip().lower()!r} recorded")


# ---------------------------------------------------------------------- segment summary
def segment_summary_truth(world: Any) -> pd.DataFrame:
    """The account base per segment as Exercise 1a defines it (public data only)."""
    customers = table(world, "customers")
    inter = table(world, "interactions")
    stamp = pd.to_datetime(inter["timestamp"], format="%Y-%m-%dT%H:%M").dt.normalize()
    now = today(world)
    recent = inter.loc[(stamp >= now - pd.Timedelta(days=90)) & (stamp <= now), "customer_id"]
    contacted = customers["customer_id"].isin(recent)
    return (
        customers.assign(contacted=contacted.astype(float),
                         consent=customers["dm_consent"].astype(float))
        .groupby("segment", sort=True)
        .agg(customers=("customer_id", "size"), consented_share=("consent", "mean"),
             mean_value=("lifetime_value", "mean"), contacted_90d_share=("contacted", "mean"))
    )


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


def segment_summary_problems(summary: Any, world: Any) -> tuple[list[str], int, int]:
    """Problems of a segment summary and (right values, values checked).

    Each of the four columns for each segment is one value; a value is right when it is
    within `SUMMARY_TOLERANCE` (relative) of the truth.
    """
    truth = segment_summary_truth(world)
    n_values = truth.size
    frame = _summary_frame(summary)
    if frame is None:
        return ([f"segment_summary must be a DataFrame indexed by segment, got "
                 f"{type(summary).__name__}"], 0, n_values)
    problems = []
    missing_cols = [c for c in SUMMARY_COLUMNS if c not in frame.columns]
    if missing_cols:
        problems.append(f"columns missing: {', '.join(missing_cols)}")
    missing_segs = [s for s in truth.index if s not in frame.index]
    if missing_segs:
        problems.append(f"segments missing from the index: {', '.join(missing_segs)}")
    right = 0
    for col in SUMMARY_COLUMNS:
        if col in missing_cols:
            continue
        wrong = []
        for seg in truth.index:
            if seg in missing_segs:
                continue
            got = pd.to_numeric(pd.Series([frame.loc[seg, col]]).iloc[:1], errors="coerce")
            value = got.iloc[0] if len(got) else math.nan
            expected = float(truth.loc[seg, col])
            if isinstance(value, (int, float, np.number)) and math.isfinite(value) and \
                    math.isclose(float(value), expected, rel_tol=SUMMARY_TOLERANCE, abs_tol=1e-9):
                right += 1
            else:
                wrong.append(seg)
        if wrong:
            problems.append(f"{col} is not right for {', '.join(wrong)}: re-read its definition")
    return problems, right, n_values


def show_segment_summary_check(summary: Any, world: Any) -> None:
    """Print which columns/segments of the summary need fixing."""
    problems, right, total = segment_summary_problems(summary, world)
    _print_report("segment_summary", problems, f"segment_summary: all {total} values check out")


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


def show_prospects_check(prospects: Any, world: Any) -> None:
    """Print what is wrong with the prospect list (ids, consent, counts)."""
    found = prospect_problems(prospects, world)
    n = sum(len(v) for v in found["valid"].values())
    _print_report("prospects", found["problems"],
                  f"prospects: {n} consented customers, {PROSPECTS_PER_SEGMENT} per segment. "
                  "The grader now checks how likely they really are to buy.")


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
    try:
        from crm_sim.leads.network import reachable_prospects, referral_graph
    except ImportError:  # pragma: no cover - the leads package is optional here
        return
    reached = reachable_prospects(referral_graph(world), valid)
    print(f"  together they reach {len(reached)} distinct prospects")


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
    days = days[days.dayofweek < 5]
    offsets = pd.timedelta_range(pd.Timedelta(hours=start_hour), pd.Timedelta(hours=end_hour),
                                 freq=f"{minutes}min", closed="left")
    stamps = (days.to_numpy()[:, None] + offsets.to_numpy()[None, :]).ravel()
    return [t.strftime("%Y-%m-%dT%H:%M") for t in pd.DatetimeIndex(stamps)]


def top_value_ids(world: Any, n: int = TOP_VALUE_ACCOUNTS) -> list[str]:
    """The `n` customers of highest lifetime value (ties by id), the plan's must-calls."""
    c = table(world, "customers").sort_values(["lifetime_value", "customer_id"],
                                              ascending=[False, True], kind="stable")
    return c["customer_id"].head(n).tolist()


def plan_report(plan: Any, world: Any) -> dict[str, Any]:
    """Build the plan, check it against the world's mechanism and measure coverage.

    Returns:
        dict with ``error`` (a malformed plan: the PlanError text), ``violations`` (list of
        Violation), ``summary`` (trainee-facing text), ``calls``, ``outside_month`` (rows
        not in next month), ``covered``/``missing`` top-value accounts.
    """
    from crm_sim.errors import CrmSimError
    from crm_sim.mechanism import mechanism_for, summarise_violations
    from crm_sim.plans import CallPlan

    out: dict[str, Any] = {"error": None, "violations": [], "summary": "", "calls": 0,
                           "outside_month": [], "covered": [], "missing": top_value_ids(world)}
    try:
        built = CallPlan.build(plan, world)
        violations = mechanism_for(world).check(built, world)
    except (CrmSimError, TypeError, ValueError, KeyError) as exc:
        out["error"] = str(exc)
        return out
    frame = built.frame
    start, end = next_month(world)
    ts = pd.to_datetime(frame["slot"], format="%Y-%m-%dT%H:%M")
    outside = frame.loc[(ts < start) | (ts >= end), "customer_id"].tolist()
    planned = set(frame["customer_id"])
    out.update(violations=violations, summary=summarise_violations(violations, limit=5),
               calls=len(frame), outside_month=outside,
               covered=[c for c in out["missing"] if c in planned],
               missing=[c for c in out["missing"] if c not in planned])
    return out


def show_plan_check(plan: Any, world: Any) -> None:
    """Print the mechanism's violations (with ids) and the top-value accounts left out."""
    r = plan_report(plan, world)
    if r["error"]:
        print(f"✘ the plan cannot be read: {r['error']}")
        return
    problems = [] if not r["violations"] else r["summary"].split("\n")
    if r["outside_month"]:
        problems.append(f"{len(r['outside_month'])} calls are not in next month: "
                        f"{_ids(r['outside_month'])}")
    if r["missing"]:
        problems.append(f"{len(r['missing'])} of the {TOP_VALUE_ACCOUNTS} highest-value "
                        f"accounts have no call: {_ids(r['missing'])}")
    _print_report(f"plan ({r['calls']} calls)", problems,
                  f"plan: {r['calls']} calls, no violation, every top-value account covered")


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
