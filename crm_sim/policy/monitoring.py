"""`monitor(world)`: the monitoring dashboard of a contact policy (ITCSCR512A P6, P7, P8).

Four tables a manager reads each period:

* ``new_customers``: accounts opened per month and segment, against the policy's target;
* ``mobility``: what existing customers did per month and segment (still active, moved
  in from or out to another segment, closed, opted out, complained);
* ``actors``: per staff member and agency, contacts logged, breaches found by kind, the
  breach rate and whether the actor is flagged as breaking the policy;
* ``evidence``: every log row found in breach, with the rule and why in plain words.

What counts as a breach, and when an actor is flagged, is a `MonitorRules` (plain data a
trainee sets in a widget and a grader applies to another company): a wrong channel, a
customer contacted more often than the rule allows, a marketing contact without consent on
file whose consent check was not logged, and a consent check logged for a customer who had
no consent on file (a dishonest entry: had the check been made, the contact would not have
been). Contacts moved to another channel at the customer's request are not breaches when
`excuse_customer_requests` is on. A person slips now and then; `min_contacts` and
`max_breach_rate` separate a slip from a pattern, and one dishonest entry is always a
pattern (X1). Everything is vectorised over log rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from crm_sim.errors import PolicyError
from crm_sim.policy.model import MARKETING_PURPOSES
from crm_sim.policy.staff_log import LOG_COLUMNS, LOG_TABLE

ACTOR_COLUMNS = ("actor_id", "actor_kind", "contacts", "wrong_channel", "over_contact",
                 "skipped_consent_check", "dishonest_entry", "breaches", "breach_rate",
                 "flagged")
KINDS = ("wrong_channel", "over_contact", "skipped_consent_check", "dishonest_entry")
WHY = {
    "wrong_channel": "contacted on a channel the policy does not use for this segment",
    "over_contact": "contacted more often this month than the policy's rule allows",
    "skipped_consent_check": "marketing contact to a customer without consent on file; "
                             "no consent check logged",
    "dishonest_entry": "logged a consent check for a customer with no consent on file",
}


@dataclass(frozen=True)
class MonitorRules:
    """What the monitoring report counts as a breach and when it flags an actor.

    Attributes:
        wrong_channel, over_contact, consent, dishonest: which checks run.
        excuse_customer_requests: a channel the customer asked for is not a breach.
        min_contacts: an actor with fewer logged contacts is not judged (too little data).
        max_breach_rate: flag an actor whose share of breaching contacts is above this.
        dishonest_flags: one dishonest entry flags the actor whatever the rate.
        months: judge only the last `months` months of the log (0: all of it).
        include_outsourcers: judge agencies by the same rules as staff (P8); when off
            they are never flagged.
    """

    wrong_channel: bool = True
    over_contact: bool = True
    consent: bool = True
    dishonest: bool = True
    excuse_customer_requests: bool = True
    min_contacts: int = 10
    max_breach_rate: float = 0.2
    dishonest_flags: bool = True
    months: int = 0
    include_outsourcers: bool = True

    def __post_init__(self):
        for name in ("wrong_channel", "over_contact", "consent", "dishonest",
                     "excuse_customer_requests", "dishonest_flags", "include_outsourcers"):
            if not isinstance(getattr(self, name), bool):
                raise PolicyError(name, getattr(self, name), "True or False",
                                  f"set {name} to True or False")
        for name, high in (("min_contacts", 10_000), ("months", 120)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
                raise PolicyError(name, value, f"a whole number 0..{high}", f"e.g. {name}=5")
        rate = self.max_breach_rate
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise PolicyError("max_breach_rate", rate, "a share from 0 to 1",
                              "e.g. 0.15: flag actors with more than 15% of contacts in breach")
        object.__setattr__(self, "max_breach_rate", float(rate))

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the artefact a trainee hands in)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> MonitorRules:
        """Rebuild from `to_dict`; PolicyError for unknown keys or bad values."""
        if not isinstance(data, dict):
            raise PolicyError("monitor rules", type(data).__name__, "a dict", "use to_dict()")
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(map(str, data)) - known)
        if unknown:
            raise PolicyError("monitor rules", unknown[0], ", ".join(sorted(known)),
                              f"remove {unknown[0]!r}")
        return cls(**data)


def policy_log(world: Any) -> pd.DataFrame:
    """The contact log under the policy so far (empty, with its columns, before month one)."""
    if LOG_TABLE in world.tables:
        return world.tables[LOG_TABLE]
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in LOG_COLUMNS.items()})


def find_breaches(log: pd.DataFrame, policy: Any, rules: MonitorRules | None = None
                  ) -> pd.DataFrame:
    """The log rows in breach under `rules`: log_id, month, actor, customer, breach, why."""
    rules = rules or MonitorRules()
    log = _recent(log, rules.months)
    allowed = pd.MultiIndex.from_tuples(
        [(s.segment, r.channel) for s in policy.segments for r in s.channels] or [("", "")])
    on_policy = pd.MultiIndex.from_arrays(
        [log["segment"].astype(str), log["channel"].astype(str)]).isin(allowed)
    requested = (log["note"].astype(str) == "customer_request").to_numpy()
    marketing = log["purpose"].isin(MARKETING_PURPOSES).to_numpy()
    on_file = log["consent_on_file"].to_numpy(bool)
    checked = log["consent_checked"].to_numpy(bool)
    found = np.full(len(log), "", dtype=object)
    if rules.over_contact:
        found[_over_contact(log, policy)] = "over_contact"
    if rules.wrong_channel:
        wrong = ~on_policy & ~(requested & rules.excuse_customer_requests)
        found[wrong] = "wrong_channel"
    if rules.consent:
        found[marketing & ~on_file & ~checked] = "skipped_consent_check"
    if rules.dishonest:
        found[marketing & ~on_file & checked] = "dishonest_entry"
    hit = found != ""
    out = log.loc[hit, ["log_id", "month", "actor_id", "actor_kind", "customer_id", "segment",
                        "channel", "purpose"]].copy()
    out["breach"] = found[hit]
    out["why"] = [WHY[k] for k in found[hit]]
    return out.reset_index(drop=True)


def actor_report(log: pd.DataFrame, policy: Any, rules: MonitorRules | None = None
                 ) -> pd.DataFrame:
    """Per actor: contacts, breaches by kind, breach rate, flagged (see module docstring)."""
    rules = rules or MonitorRules()
    recent = _recent(log, rules.months)
    found = find_breaches(log, policy, rules)
    contacts = recent.groupby(["actor_id", "actor_kind"]).size().rename("contacts")
    counts = (found.groupby(["actor_id", "actor_kind", "breach"]).size()
              .unstack("breach").reindex(columns=list(KINDS)))
    table = pd.concat([contacts, counts], axis=1).fillna(0).reset_index()
    for kind in KINDS:
        table[kind] = table[kind].astype("int64")
    table["contacts"] = table["contacts"].astype("int64")
    table["breaches"] = table[list(KINDS)].sum(axis=1).astype("int64")
    table["breach_rate"] = (table["breaches"] / table["contacts"].clip(lower=1)).round(3)
    judged = table["contacts"] >= rules.min_contacts
    flagged = judged & (table["breach_rate"] > rules.max_breach_rate)
    if rules.dishonest_flags:
        flagged |= table["dishonest_entry"] > 0
    if not rules.include_outsourcers:
        flagged &= table["actor_kind"] != "outsourcer"
    table["flagged"] = flagged.astype(bool)
    table = table.sort_values(["flagged", "breach_rate", "actor_id"],
                              ascending=[False, False, True])
    return table[list(ACTOR_COLUMNS)].reset_index(drop=True)


def new_customers(world: Any, policy: Any = None) -> pd.DataFrame:
    """Accounts opened per month and segment over the last twelve months, with the target.

    From the simulation's KPI history when months have been simulated, else from the
    customers' ``since`` dates.
    """
    kpis = world.tables.get("kpi_history")
    if kpis is not None and len(kpis):
        table = kpis[["month", "segment", "new_customers"]].copy()
        table["month"] = table["month"].astype(str).str[:7]
        table = table.groupby(["month", "segment"], as_index=False)["new_customers"].sum()
        table = table.loc[table["month"] >= _months_back(world.today, 12)]
    else:
        table = _new_from_since(world)
    if policy is not None:
        target = policy.targets().set_index("segment")["new_customers_per_month"]
        table["target"] = table["segment"].map(target).astype(float)
        table["met"] = table["new_customers"] >= table["target"]
    return table.reset_index(drop=True)


def _new_from_since(world: Any) -> pd.DataFrame:
    customers = world.tables["customers"]
    month = customers["since"].astype(str).str[:7]
    start = _months_back(world.today, 12)
    recent = customers.loc[(month >= start) & (month < world.today[:7])]
    return (recent.assign(month=month[recent.index]).groupby(["month", "segment"])
            .size().rename("new_customers").reset_index())


MOBILITY_COLUMNS = ["month", "segment", "active", "moved_in", "moved_out", "closed",
                    "opted_out", "complained"]


def mobility(world: Any) -> pd.DataFrame:
    """What existing customers did per month and segment.

    From the simulation's KPI history when months have been simulated (customers at the
    start of the month, moves between segments, accounts lost, opt-outs, complaints), else
    from the monthly results of the plain monthly step.
    """
    columns = MOBILITY_COLUMNS
    kpis = world.tables.get("kpi_history")
    if kpis is not None and len(kpis):
        table = pd.DataFrame({
            "month": kpis["month"].astype(str).str[:7], "segment": kpis["segment"],
            "active": kpis["customers_start"], "moved_in": kpis["moved_in"],
            "moved_out": kpis["moved_out"], "closed": kpis["churned"],
            "opted_out": kpis["opt_outs"], "complained": kpis["complaints"]})
        for column in columns[2:]:
            table[column] = table[column].astype("int64")
        return table.reset_index(drop=True)
    results = world.tables.get("month_results")
    if results is None or not len(results):
        return pd.DataFrame({c: pd.Series(dtype="string" if c in ("month", "segment")
                                          else "int64") for c in columns})
    ordered = results.sort_values(["customer_id", "month"], kind="stable")
    previous = ordered.groupby("customer_id")["segment"].shift(1)
    moved = previous.notna() & (previous != ordered["segment"])
    ordered = ordered.assign(moved_in=moved, _from=previous.where(moved))
    grouped = ordered.groupby(["month", "segment"])
    table = pd.DataFrame({
        "active": grouped.size(),
        "moved_in": grouped["moved_in"].sum(),
        "closed": grouped["closed"].sum(),
        "opted_out": grouped["opted_out"].sum(),
        "complained": grouped["complained"].sum(),
    })
    out_moves = ordered.loc[moved].groupby(["month", "_from"]).size()
    out_moves.index.names = ["month", "segment"]
    table["moved_out"] = out_moves.reindex(table.index).fillna(0)
    table = table.reset_index()
    for column in columns[2:]:
        table[column] = table[column].astype("int64")
    return table[columns]


def monitor(world: Any, policy: Any = None, rules: MonitorRules | None = None
            ) -> dict[str, pd.DataFrame]:
    """The dashboard tables: new_customers, mobility, actors (who breaks the policy), evidence.

    Args:
        world: the company.
        policy: the policy to judge against (default: the one adopted in the world).
        rules: what counts as a breach and when an actor is flagged (default: MonitorRules()).
    """
    if policy is None:
        from crm_sim.policy.installed import current

        policy = current(world)
        if policy is None:
            raise PolicyError("policy", None, "a ContactPolicy, or one adopted in the world",
                              "adopt one first: crm_sim.policy.adopt(world, policy)")
    log = policy_log(world)
    return {
        "new_customers": new_customers(world, policy),
        "mobility": mobility(world),
        "actors": actor_report(log, policy, rules),
        "evidence": find_breaches(log, policy, rules),
    }


# ------------------------------------------------------------------ helpers
def _over_contact(log: pd.DataFrame, policy: Any) -> np.ndarray:
    """Rows beyond the rule's allowance for that customer, channel and purpose in a month."""
    rules = [(s.segment, r.channel, r.purpose, int(np.ceil(r.per_month)))
             for s in policy.segments for r in s.channels]
    if not rules or not len(log):
        return np.zeros(len(log), dtype=bool)
    limits = (pd.DataFrame(rules, columns=["segment", "channel", "purpose", "limit"])
              .groupby(["segment", "channel", "purpose"])["limit"].sum())
    key = pd.MultiIndex.from_arrays([log["segment"].astype(str), log["channel"].astype(str),
                                     log["purpose"].astype(str)])
    limit = limits.reindex(key).fillna(-1).to_numpy(int)
    order = log.groupby(["month", "customer_id", "channel", "purpose"]).cumcount().to_numpy()
    return (limit >= 0) & (order >= limit)


def _recent(log: pd.DataFrame, months: int) -> pd.DataFrame:
    if not months or not len(log):
        return log
    keep = sorted(log["month"].astype(str).unique())[-months:]
    return log.loc[log["month"].isin(keep)]


def _months_back(today: str, months: int) -> str:
    year, month = int(today[:4]), int(today[5:7])
    index = year * 12 + month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
