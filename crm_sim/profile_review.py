"""Profile review (unit ITCSCR410A): a time-boxed analysis and recommendations to execute.

Two small models a trainee works against when reviewing the whole customer base:

* **Analysis clock.** Every analysis step costs simulated analyst hours, and the cost
  depends on the tool (spreadsheet, pandas, SQL on the SQLite store) and on the size of
  the base. A review plan is a list of ``{"step", "tool"}``; `run_plan` replays it against a
  budget, so "complete the analysis within the time frame" (AC-i) and "work at full
  capacity" (X2) are measured by the same deterministic clock in the trainee's kernel and
  in the grader. Why a cost table and not wall time: wall time differs per machine and
  per load; the table encodes the *relative* performance of the tools (K4), which is what
  the trainee must learn, and it is what the notebook's real pandas-vs-SQL timing shows.
* **Recommendation execution.** A recommendation is plain data
  (``{"target_segment", "action", "expected_effect"}``). `execute_recommendations` applies
  it to the hidden latent state of a world (satisfaction, propensity, churn hazard) and
  returns the effect on existing customers' value and on new customers over the next
  twelve months (AC-ii). Vectorised over customers; no randomness (expected values), so
  the same world and recommendation always give the same effect.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from crm_sim.errors import FieldError

# --------------------------------------------------------------------------- clock

TOOLS = ("spreadsheet", "pandas", "sql")

# step -> (kind, required?, what it answers). Kinds drive the cost table below.
STEPS: dict[str, tuple[str, bool, str]] = {
    "segment_mix": ("aggregate", True, "how many customers each segment has"),
    "value_by_segment": ("aggregate", True, "mean lifetime value per segment"),
    "consent_coverage": ("aggregate", True, "share of customers we may market to"),
    "district_reach": ("aggregate", True, "the districts with most customers"),
    "contact_history": ("join", True, "interactions per customer and their outcomes"),
    "tenure_profile": ("distribution", False, "how long customers have stayed"),
    "complaint_hotspots": ("join", False, "segments and districts with most complaints"),
    "dormant_accounts": ("join", False, "customers not contacted for six months"),
}
REQUIRED_STEPS = tuple(s for s, (_, req, _) in STEPS.items() if req)

# Hours per step for a base of 1,000 customers, by kind and tool. A spreadsheet is quick
# to start but joins are manual look-ups and it slows down with size; pandas needs
# loading code once; SQL needs the store saved once and then joins are cheap.
BASE_HOURS: dict[str, dict[str, float]] = {
    "aggregate": {"spreadsheet": 0.5, "pandas": 0.25, "sql": 0.25},
    "distribution": {"spreadsheet": 0.5, "pandas": 0.25, "sql": 0.5},
    "join": {"spreadsheet": 2.0, "pandas": 0.75, "sql": 0.5},
}
SETUP_HOURS = {"spreadsheet": 0.0, "pandas": 0.5, "sql": 0.5}
DEFAULT_BUDGET_HOURS = 4.0


def size_factor(tool: str, n_customers: int) -> float:
    """How a tool's step cost grows with the base: a spreadsheet linearly, the others not."""
    if tool == "spreadsheet":
        return 1.0 + max(int(n_customers), 0) / 1000.0
    return 1.0


def step_cost(step: str, tool: str, n_customers: int) -> float:
    """Simulated hours one analysis step takes with one tool on a base of `n_customers`."""
    _check_step(step)
    _check_tool(tool)
    kind = STEPS[step][0]
    return round(BASE_HOURS[kind][tool] * size_factor(tool, n_customers), 4)


def cost_table(n_customers: int) -> pd.DataFrame:
    """Hours per step (rows) and tool (columns), plus each tool's one-off set-up hours."""
    rows = {s: {t: step_cost(s, t, n_customers) for t in TOOLS} for s in STEPS}
    table = pd.DataFrame.from_dict(rows, orient="index")[list(TOOLS)]
    table.loc["(set-up, once per tool)"] = [SETUP_HOURS[t] for t in TOOLS]
    table["required"] = [STEPS[s][1] if s in STEPS else False for s in table.index]
    return table


def _check_step(step: Any) -> None:
    if not isinstance(step, str) or step not in STEPS:
        raise FieldError("step", step, ", ".join(STEPS), 'e.g. {"step": "segment_mix", ...}')


def _check_tool(tool: Any) -> None:
    if not isinstance(tool, str) or tool not in TOOLS:
        raise FieldError("tool", tool, ", ".join(TOOLS), 'e.g. {"tool": "sql"}')


def normalise_plan(plan: Any) -> list[dict[str, str]]:
    """Validate a review plan (list of ``{"step", "tool"}``) and return a plain copy."""
    if isinstance(plan, Mapping) or not isinstance(plan, Iterable) or isinstance(plan, str):
        raise FieldError("plan", type(plan).__name__, "a list of {'step', 'tool'} dicts",
                         'plan = [{"step": "segment_mix", "tool": "sql"}, ...]')
    out = []
    for i, item in enumerate(plan):
        if i >= 100:
            raise FieldError("plan", f"{i + 1}+ steps", "at most 100 steps",
                             "list each analysis once")
        if not isinstance(item, Mapping):
            raise FieldError(f"plan[{i}]", item, "a dict with keys 'step' and 'tool'",
                             '{"step": "segment_mix", "tool": "sql"}')
        step, tool = item.get("step"), item.get("tool")
        _check_step(step)
        _check_tool(tool)
        out.append({"step": step, "tool": tool})
    return out


def run_plan(plan: Any, n_customers: int,
             budget_hours: float = DEFAULT_BUDGET_HOURS) -> dict[str, Any]:
    """Replay a review plan on the analysis clock.

    Steps run in order; a step that would end after the budget is not completed (nor is
    anything after it). A step repeated costs time again but completes nothing new.

    Returns:
        Plain data: ``completed`` (steps done in time, in order), ``late`` (steps not
        done in time), ``hours_used``, ``budget_hours``, ``missing_required`` (required
        steps not completed), ``spare_hours`` and ``could_add`` (optional steps not done
        that would still have fitted, cheapest tool each: a sign of unused capacity).
    """
    steps = normalise_plan(plan)
    used, done, late, tools_ready = 0.0, [], [], set()
    stopped = False
    for item in steps:
        step, tool = item["step"], item["tool"]
        cost = step_cost(step, tool, n_customers)
        if tool not in tools_ready:
            cost += SETUP_HOURS[tool]
        if stopped or used + cost > budget_hours + 1e-9:
            stopped = True
            late.append(step)
            continue
        used += cost
        tools_ready.add(tool)
        if step not in done:
            done.append(step)
    spare = round(budget_hours - used, 4)
    could_add = []
    for step in STEPS:
        if step in done:
            continue
        cheapest = min(step_cost(step, t, n_customers)
                       + (0.0 if t in tools_ready else SETUP_HOURS[t]) for t in TOOLS)
        if cheapest <= spare + 1e-9:
            could_add.append(step)
    return {
        "completed": done,
        "late": late,
        "hours_used": round(used, 4),
        "budget_hours": float(budget_hours),
        "missing_required": [s for s in REQUIRED_STEPS if s not in done],
        "spare_hours": spare,
        "could_add": could_add,
    }


# ------------------------------------------------------------- recommendations

# action -> what it does, who it is for, the metric it moves.
ACTIONS: dict[str, dict[str, Any]] = {
    "value_added_service": {
        "metric": "retained_value", "marketing": False, "cost_per_customer": 120.0,
        "text": "free service review / priority support for the segment (retention)",
    },
    "cross_sell_call": {
        "metric": "retained_value", "marketing": True, "cost_per_customer": 60.0,
        "text": "call consented customers with a matched product offer",
    },
    "referral_reward": {
        "metric": "new_customers", "marketing": True, "cost_per_customer": 40.0,
        "text": "reward consented customers who introduce new customers",
    },
    "win_back_call": {
        "metric": "retained_value", "marketing": False, "cost_per_customer": 80.0,
        "text": "service call to customers at risk of leaving",
    },
    "blanket_discount": {
        "metric": "retained_value", "marketing": True, "cost_per_customer": 400.0,
        "text": "10% discount for everyone in the segment",
    },
    "purchased_list_campaign": {
        "metric": "new_customers", "marketing": True, "cost_per_customer": 0.0,
        "text": "cold-call a purchased contact list",
    },
}
METRICS = ("retained_value", "new_customers")
# management funds one action per goal (existing customers' value, new customers): two
# actions for one goal would let a fixed list cover every segment instead of choosing
MAX_RECOMMENDATIONS = 2
HORIZON_MONTHS = 12
# HKD value the company books for one new customer in the first year (for net effect).
NEW_CUSTOMER_VALUE = 6_000.0


def normalise_recommendations(recs: Any, segments: Iterable[str]) -> list[dict[str, Any]]:
    """Validate 1..2 recommendations, at most one action per goal; return plain copies.

    Each is ``{"target_segment": one of segments, "action": one of ACTIONS,
    "expected_effect": {"metric": one of METRICS, "change": number}}``; the goal of an
    action is the metric it moves (``ACTIONS[action]["metric"]``).
    """
    segments = tuple(segments)
    if isinstance(recs, Mapping):
        recs = [recs]
    if not isinstance(recs, list | tuple) or not 1 <= len(recs) <= MAX_RECOMMENDATIONS:
        raise FieldError("recommendations", type(recs).__name__,
                         f"a list of 1 to {MAX_RECOMMENDATIONS} dicts",
                         'e.g. [{"target_segment": "sme", "action": "referral_reward", '
                         '"expected_effect": {"metric": "new_customers", "change": 20}}]')
    out = []
    for i, rec in enumerate(recs):
        if not isinstance(rec, Mapping):
            raise FieldError(f"recommendations[{i}]", rec, "a dict", "see the example above")
        seg, action = rec.get("target_segment"), rec.get("action")
        if not isinstance(seg, str) or seg not in segments:
            raise FieldError(f"recommendations[{i}].target_segment", seg, ", ".join(segments),
                             "name one segment of the world")
        if not isinstance(action, str) or action not in ACTIONS:
            raise FieldError(f"recommendations[{i}].action", action, ", ".join(ACTIONS),
                             "pick one of the listed actions")
        effect = rec.get("expected_effect")
        if not isinstance(effect, Mapping) or effect.get("metric") not in METRICS:
            raise FieldError(f"recommendations[{i}].expected_effect", effect,
                             f"a dict with 'metric' in {METRICS} and a numeric 'change'",
                             '{"metric": "retained_value", "change": 50000}')
        change = effect.get("change")
        if isinstance(change, bool) or not isinstance(change, int | float) or not np.isfinite(
                change):
            raise FieldError(f"recommendations[{i}].expected_effect.change", change,
                             "a finite number", "state the size of the effect you expect")
        out.append({"target_segment": seg, "action": action,
                    "expected_effect": {"metric": effect["metric"], "change": float(change)}})
    goals = [ACTIONS[r["action"]]["metric"] for r in out]
    for goal in METRICS:
        if goals.count(goal) > 1:
            raise FieldError("recommendations", [r["action"] for r in out],
                             f"at most one action that moves {goal}",
                             "choose the one segment and action that does most for it")
    return out


def _action_effect(action: str, customers: pd.DataFrame,
                   latent: pd.DataFrame) -> tuple[float, float]:
    """(retained value HKD net of cost, new customers) of one action.

    `customers` and `latent` are aligned rows of the target segment. Expected values over
    HORIZON_MONTHS: retention actions lower the churn hazard, which keeps a share of the
    monthly value; offers convert with the latent propensity, damped by contact fatigue;
    referrals come from satisfied customers.
    """
    spec = ACTIONS[action]
    ltv = customers["lifetime_value"].to_numpy(float)
    tenure = np.maximum(customers["tenure_months"].to_numpy(float), 1.0)
    monthly = ltv / tenure
    hazard = np.clip(latent["churn_hazard"].to_numpy(float), 0.0, 1.0)
    sat = np.clip(latent["satisfaction"].to_numpy(float), 0.0, 1.0)
    prop = np.clip(latent["propensity"].to_numpy(float), 0.0, 1.0)
    fatigue = np.clip(latent["fatigue"].to_numpy(float), 0.0, 1.0)
    consent = customers["dm_consent"].to_numpy(bool)
    reach = consent if spec["marketing"] else np.ones(len(customers), bool)
    cost = spec["cost_per_customer"] * reach.sum()

    def kept(new_hazard: np.ndarray) -> np.ndarray:
        before = (1.0 - (1.0 - hazard) ** HORIZON_MONTHS)
        after = (1.0 - (1.0 - new_hazard) ** HORIZON_MONTHS)
        return monthly * HORIZON_MONTHS * (before - after) / 2.0

    value, new = 0.0, 0.0
    if action == "value_added_service":
        value = float(kept(hazard * (0.55 + 0.25 * sat)).sum())
    elif action == "win_back_call":
        at_risk = hazard > np.quantile(hazard, 0.5) if len(hazard) else hazard > 0
        value = float(kept(np.where(at_risk, hazard * 0.6, hazard)).sum())
    elif action == "cross_sell_call":
        value = float((reach * prop * (1.0 - fatigue) * monthly * 6.0).sum())
    elif action == "blanket_discount":
        value = float((kept(hazard * 0.8) + prop * monthly * 1.0).sum()
                      - 0.10 * (monthly * HORIZON_MONTHS).sum())
    elif action == "referral_reward":
        new = float((reach * np.maximum(sat - 0.5, 0.0) * 0.6).sum())
    elif action == "purchased_list_campaign":
        new = 0.0
    return value - cost, new


def execute_recommendations(recs: Any, customers: pd.DataFrame,
                            latent: pd.DataFrame) -> dict[str, Any]:
    """Run recommendations on a world's customers and hidden latent state.

    A marketing action reaches only customers with direct-marketing consent (the rest are
    left out, as the PDPO requires). A purchased-list campaign is not executed: using
    data collected for another purpose for direct marketing breaches the PDPO, so it
    records a ``compliance`` breach and no effect.

    Returns:
        Plain data: per recommendation ``retained_value`` (HKD, net of cost),
        ``new_customers`` and ``reached``; totals; ``breaches`` (list of reasons).
    """
    segments = sorted(customers["segment"].astype(str).unique())
    recs = normalise_recommendations(recs, segments)
    merged = customers.merge(latent, on="customer_id", how="left", validate="one_to_one")
    rows, breaches = [], []
    for rec in recs:
        part = merged[merged["segment"] == rec["target_segment"]]
        if rec["action"] == "purchased_list_campaign":
            breaches.append("purchased_list_campaign: a purchased list has no direct-marketing "
                            "consent for our company (PDPO Part 6A)")
        value, new = _action_effect(rec["action"], part, part)
        marketing = ACTIONS[rec["action"]]["marketing"]
        reached = int(part["dm_consent"].sum()) if marketing else len(part)
        rows.append({**rec, "retained_value": round(float(value), 2),
                     "new_customers": round(float(new), 3), "reached": reached})
    return {
        "recommendations": rows,
        "retained_value": round(sum(r["retained_value"] for r in rows), 2),
        "new_customers": round(sum(r["new_customers"] for r in rows), 3),
        "breaches": breaches,
    }


def best_effects(customers: pd.DataFrame, latent: pd.DataFrame) -> dict[str, float]:
    """The best single-action retained value and new customers achievable on this world.

    The grader scores a trainee's recommendations against these (what a well-informed
    analyst could achieve with one action per metric), so the bar moves with the world.
    """
    segments = sorted(customers["segment"].astype(str).unique())
    merged = customers.merge(latent, on="customer_id", how="left", validate="one_to_one")
    best = {"retained_value": 0.0, "new_customers": 0.0}
    for seg in segments:
        part = merged[merged["segment"] == seg]
        for action in ACTIONS:
            if action == "purchased_list_campaign":
                continue
            value, new = _action_effect(action, part, part)
            best["retained_value"] = max(best["retained_value"], value)
            best["new_customers"] = max(best["new_customers"], new)
    return {k: round(float(v), 3) for k, v in best.items()}


# -------------------------------------------------------------------- SQL runner

SQL_MAX_ROWS = 10_000
_SQL_NAME = __import__("re").compile(r"[a-z][a-z0-9_]{0,62}")
_SQL_START = ("select", "with")


def run_sql(path: Any, sql: Any, timeout_s: float = 5.0,
            max_rows: int = SQL_MAX_ROWS, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run one read-only ``SELECT`` on a saved world (``World.save``) and return a frame.

    The same runner serves the notebook (a trainee trying a query) and the grader (the
    trainee's query on a hidden store), so it trusts nothing in the query: the file is
    opened read-only, an authorizer refuses everything but reading (no ATTACH, no
    PRAGMA, no writes), a progress handler stops a query after ``timeout_s`` and at most
    ``max_rows`` rows are fetched. `params` are bound to the query's ``:name``
    placeholders (values, never SQL: a report's month is a parameter, not pasted text).

    Raises:
        FieldError: not a single SELECT, refused by the authorizer, too slow, too many
            rows, or an SQL error (the message names the problem and a fix).
    """
    import sqlite3
    import time
    from pathlib import Path

    if not isinstance(sql, str) or not sql.strip():
        raise FieldError("sql", sql, "one SELECT statement as text",
                         'e.g. "SELECT segment, COUNT(*) FROM customers GROUP BY segment"')
    text = sql.strip().rstrip(";").strip()
    single = sqlite3.complete_statement(text + ";") and ";" not in text
    if len(text) > 20_000 or not text.lower().startswith(_SQL_START) or not single:
        raise FieldError("sql", text[:80], "a single SELECT (or WITH ... SELECT) statement",
                         "remove other statements and semicolons inside the query")
    path = Path(path)
    if not path.is_file():
        raise FieldError("path", str(path), "a world saved with World.save", "save it first")
    allowed = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_FUNCTION}
    if hasattr(sqlite3, "SQLITE_RECURSIVE"):
        allowed.add(sqlite3.SQLITE_RECURSIVE)

    deadline = time.monotonic() + float(timeout_s)
    con = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
    try:
        try:
            public = [n for n, hidden in con.execute("SELECT name, hidden FROM crm_tables")
                      if not hidden and isinstance(n, str) and _SQL_NAME.fullmatch(n)]
        except sqlite3.Error as e:
            raise FieldError("path", str(path), "a world saved with World.save",
                             "save the world with world.save(path) first") from e
        # the store names tables t_<name>; expose the public ones under their own names
        # (temporary views) and refuse reads of anything else, hidden truth included
        for name in public:
            con.execute(f'CREATE TEMP VIEW "{name}" AS SELECT * FROM main."t_{name}"')
        readable = {f"t_{n}" for n in public} | set(public)

        def authorizer(action, arg1, *_args):
            if action == sqlite3.SQLITE_READ:
                return sqlite3.SQLITE_OK if arg1 in readable else sqlite3.SQLITE_DENY
            return sqlite3.SQLITE_OK if action in allowed else sqlite3.SQLITE_DENY

        con.set_authorizer(authorizer)
        con.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 10_000)
        try:
            cur = con.execute(text, dict(params) if params else ())
            rows = cur.fetchmany(max_rows + 1)
        except sqlite3.Error as e:
            reason = "took too long" if time.monotonic() > deadline else str(e)
            raise FieldError("sql", text[:80], "a valid read-only SELECT on the world's tables",
                             f"the database said: {reason}") from e
        if len(rows) > max_rows:
            raise FieldError("sql", f"more than {max_rows} rows", f"at most {max_rows} rows",
                             "aggregate with GROUP BY or add a LIMIT")
        columns = [d[0] for d in cur.description or ()]
    finally:
        con.close()
    return pd.DataFrame(rows, columns=columns)
