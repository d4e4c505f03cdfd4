"""What a contact policy needs: staff hours, headcount by role, agency spend and training.

`predict_resources(policy, world, method)` is the estimate a manager makes from what the
company can see (its customers, its staff, its own contact history), under a stated
`ResourceMethod`; `true_resources(policy, world)` is what the simulated company really
needs, known only to the simulator, so a trainee's prediction can be scored (ITCSCR512A
P4). Both return the same table, one row per staff role plus one for the agencies.

Why the two differ, and how a manager closes the gap:

* handling time: the company's standard minutes per contact (`CallMechanism
  .channel_minutes`) are a planning convention; its own history (``interactions
  .duration_min``) shows what contacts really take in this company;
* unanswered attempts: a planned contact that reaches nobody is tried again, and every
  attempt takes time (and an agency bills it); the history's answer rate per channel
  says how many attempts one reached customer costs;
* productive share: nobody spends every contracted hour on contact (meetings, leave,
  training, admin); the true share is drawn per company from `PRODUCTIVE_SHARE`,
  about 0.8 on average;
* the true need also carries a hidden per-channel factor (`TRUE_EFFORT_RANGE`,
  wrap-up and travel the log does not record).

Both count every customer on the company's books (not closed in its records): staff try
to reach a customer who silently left as they try anyone else, so the attempt costs time
whether or not the customer is still active.

Everything is vectorised over customers and interactions (pandas group-bys).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crm_sim.calls import CHANNEL_COST
from crm_sim.errors import PolicyError
from crm_sim.mechanism import mechanism_for
from crm_sim.world import engine_state

WEEKS_PER_MONTH = 52.0 / 12.0
STAFF_HOURLY_COST_HKD = 160.0      # salary and on-costs of one contact hour, HKD
TRAINING_COST_PER_HOUR_HKD = 220.0  # trainer, room and the trainee's time, HKD
PRODUCTIVE_SHARE = (0.74, 0.86)     # true share of contracted hours spent on contact
TRUE_EFFORT_RANGE = (0.95, 1.05)    # hidden factor on handling time per channel
TRUE_STREAM = "policy.true_effort"
HANDLING = ("standard", "history")

COLUMNS = {
    "role": "string",                # a staff role, or "outsourcers"
    "contacts_month": "float64",     # planned contacts a month this row carries
    "hours_month": "float64",        # staff hours a month (0 for the agencies)
    "headcount": "float64",          # full-time people needed (fractional)
    "outsourcer_spend_hkd": "float64",
    "training_hours_month": "float64",
    "cost_hkd": "float64",           # staff time + channel costs + agency fees + training
}
OUTSOURCERS = "outsourcers"


@dataclass(frozen=True)
class ResourceMethod:
    """How a manager turns planned contacts into people and money.

    Attributes:
        handling: "standard" (the company's planning minutes per channel) or "history"
            (the mean minutes its own staff took per contact attempt, from the log).
        allow_unanswered: count the extra attempts a reached customer costs (1 / answer
            rate per channel, from the log); agencies bill every attempt.
        productive_share: share of contracted hours available for contact (0.3..1).
    """

    handling: str = "standard"
    allow_unanswered: bool = False
    productive_share: float = 1.0

    def __post_init__(self):
        if self.handling not in HANDLING:
            raise PolicyError("handling", self.handling, f"one of {', '.join(HANDLING)}",
                              'use "history" to read handling time from the contact log')
        if not isinstance(self.allow_unanswered, bool):
            raise PolicyError("allow_unanswered", self.allow_unanswered, "True or False",
                              "set allow_unanswered=True to count repeat attempts")
        value = self.productive_share
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or not 0.3 <= float(value) <= 1.0):
            raise PolicyError("productive_share", value, "a share from 0.3 to 1.0",
                              "about 0.8 leaves time for meetings, leave and admin")
        object.__setattr__(self, "productive_share", float(value))


# The method a careful manager uses: the company's own handling times and answer rates,
# and about 80% of contracted hours spent on contact. Budget checks use it.
PLANNING_METHOD = ResourceMethod(handling="history", allow_unanswered=True,
                                 productive_share=0.8)


def predict_resources(policy: Any, world: Any, method: ResourceMethod | None = None
                      ) -> pd.DataFrame:
    """The resources `policy` needs in `world`, estimated from public data by `method`."""
    method = method or ResourceMethod()
    if not isinstance(method, ResourceMethod):
        raise PolicyError("method", type(method).__name__, "a ResourceMethod",
                          "pass ResourceMethod(handling='history', ...)")
    history = channel_history(world)
    if method.handling == "history":
        minutes = history["mean_minutes"]
    else:
        minutes = pd.Series(mechanism_for(world).channel_minutes, dtype=float)
    attempts = 1.0 / history["answer_rate"] if method.allow_unanswered else \
        pd.Series(1.0, index=history.index)
    if method.handling == "standard" and method.allow_unanswered:
        # standard minutes are per reached contact; only the agency bill grows
        staff_minutes = minutes
    else:
        staff_minutes = minutes * attempts
    return _table(policy, world, active_by_segment(world), staff_minutes, attempts,
                  method.productive_share)


def true_resources(policy: Any, world: Any) -> pd.DataFrame:
    """What `policy` really needs in `world` (simulator's truth; depends on the hidden seed).

    Uses the customers on the books, the company's real handling time with its unrecorded
    wrap-up (a per-channel factor drawn from the world's seed), every attempt a reached
    customer costs, and the company's true productive share (drawn from the seed).
    """
    history = channel_history(world)
    rng = world.streams.generator(TRUE_STREAM)
    factor = pd.Series(rng.uniform(*TRUE_EFFORT_RANGE, len(history)), index=history.index)
    share = float(rng.uniform(*PRODUCTIVE_SHARE))
    attempts = 1.0 / history["answer_rate"]
    minutes = history["mean_minutes"] * attempts * factor
    return _table(policy, world, active_by_segment(world), minutes, attempts, share)


def totals(table: pd.DataFrame) -> dict[str, float]:
    """The four figures a prediction is scored on: hours, headcount, agency spend, training."""
    return {
        "hours_month": float(table["hours_month"].sum()),
        "headcount": float(table["headcount"].sum()),
        "outsourcer_spend_hkd": float(table["outsourcer_spend_hkd"].sum()),
        "training_hours_month": float(table["training_hours_month"].sum()),
    }


def channel_history(world: Any) -> pd.DataFrame:
    """Per channel, from the company's own log: mean minutes per attempt and answer rate.

    Own staff's contacts only (the agencies' are few and billed per call). A channel the
    log never shows falls back to the company's standard minutes and a 0.5 answer rate.
    """
    log = world.tables["interactions"]
    own = log[log["agent_id"].astype(str).str.startswith("S")]
    grouped = own.groupby("channel")
    minutes = grouped["duration_min"].mean()
    answered = grouped["outcome"].apply(lambda s: float((s != "no_answer").mean()))
    standard = pd.Series(mechanism_for(world).channel_minutes, dtype=float)
    out = pd.DataFrame({"mean_minutes": standard, "answer_rate": 0.5})
    out.loc[minutes.index.intersection(out.index), "mean_minutes"] = minutes
    out.loc[answered.index.intersection(out.index), "answer_rate"] = answered
    out["answer_rate"] = out["answer_rate"].clip(0.05, 1.0)
    return out


def active_by_segment(world: Any, truth: bool = False) -> pd.Series:
    """Active customers per segment: public (accounts not closed) or true (hidden state)."""
    customers = world.tables["customers"]
    if truth:
        latent = engine_state(world)["latent"]
        active_ids = latent.loc[latent["active"].to_numpy(bool), "customer_id"]
        keep = customers["customer_id"].isin(active_ids)
    else:
        keep = ~customers["customer_id"].isin(closed_customers(world))
    return customers.loc[keep].groupby("segment").size().astype(float)


def closed_customers(world: Any) -> pd.Series:
    """Ids of customers the company's own records show as closed (month_results)."""
    results = world.tables.get("month_results")
    if results is None or not len(results):
        return pd.Series([], dtype="string")
    return results.loc[results["closed"].to_numpy(bool), "customer_id"]


def eligible_staff(policy_segment: Any, world: Any, staff: pd.DataFrame | None = None
                   ) -> pd.DataFrame:
    """The staff a segment policy may deploy: its roles, at or above its least skill.

    `staff` is the world's staff table unless given (e.g. with the skills training built).
    """
    staff = world.tables["staff"] if staff is None else staff
    ok = staff["role"].isin(policy_segment.staff_roles) & (
        staff["skill"].to_numpy(float) >= policy_segment.min_skill)
    return staff.loc[ok]


def eligible_outsourcers(policy_segment: Any, world: Any) -> pd.DataFrame:
    """The agencies a segment policy may use (none unless it allows them)."""
    agencies = world.tables["outsourcers"]
    if not policy_segment.allow_outsourcers:
        return agencies.iloc[0:0]
    good = agencies["quality"].to_numpy(float) >= policy_segment.min_outsourcer_quality
    return agencies.loc[good]


def _table(policy: Any, world: Any, active: pd.Series, staff_minutes: pd.Series,
           attempts: pd.Series, productive_share: float) -> pd.DataFrame:
    """Spread each segment's planned contacts over its roles and agencies; cost them."""
    staff = world.tables["staff"]
    capacity = staff.groupby("role")["capacity_hours_week"].mean()
    rows: list[dict[str, Any]] = []
    for seg in policy.segments:                      # a handful of segments, not customers
        n = float(active.get(seg.segment, 0.0))
        share_out = seg.outsourcer_share if seg.allow_outsourcers else 0.0
        agencies = eligible_outsourcers(seg, world)
        fee = float(agencies["cost_per_call"].mean()) if len(agencies) else 0.0
        people = eligible_staff(seg, world)
        weights = people.groupby("role").size().astype(float)
        if not len(weights):
            weights = pd.Series(1.0, index=list(seg.staff_roles) or ["(no role)"])
        weights = weights / weights.sum()
        for rule in seg.channels:
            contacts = n * rule.per_month
            inside = contacts * (1.0 - share_out)
            outside = contacts * share_out
            hours = inside * float(staff_minutes.get(rule.channel, 0.0)) / 60.0
            channel_cost = contacts * float(CHANNEL_COST.get(rule.channel, 0.0))
            for role, w in weights.items():
                cap = float(capacity.get(role, 44.0)) * WEEKS_PER_MONTH * productive_share
                rows.append(dict(role=role, contacts_month=inside * w, hours_month=hours * w,
                                 headcount=hours * w / cap, outsourcer_spend_hkd=0.0,
                                 training_hours_month=hours * w / cap * seg.training_hours_month,
                                 cost_hkd=channel_cost * w))
            rows.append(dict(role=OUTSOURCERS, contacts_month=outside, hours_month=0.0,
                             headcount=0.0,
                             outsourcer_spend_hkd=outside * float(attempts.get(rule.channel, 1.0))
                             * fee,
                             training_hours_month=0.0, cost_hkd=0.0))
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in COLUMNS.items()})
    frame = pd.DataFrame(rows).groupby("role", sort=True).sum().reset_index()
    frame["cost_hkd"] = (frame["cost_hkd"] + frame["hours_month"] * STAFF_HOURLY_COST_HKD
                         + frame["outsourcer_spend_hkd"]
                         + frame["training_hours_month"] * TRAINING_COST_PER_HOUR_HKD)
    frame = frame[(frame["contacts_month"] > 0) | (frame["role"] != OUTSOURCERS)]
    numeric = [c for c in COLUMNS if c != "role"]
    frame[numeric] = frame[numeric].astype(float).round(2)
    return frame[list(COLUMNS)].astype(COLUMNS).reset_index(drop=True)


def monthly_cost(table: pd.DataFrame) -> float:
    """The total monthly cost (HKD) of a resources table."""
    return float(np.round(table["cost_hkd"].sum(), 2))
