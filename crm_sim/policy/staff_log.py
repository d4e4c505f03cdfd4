"""The month's contact log by staff and agencies under a policy, breaches included.

`staff_log(policy, world, month, rng)` is what the monthly simulation calls once a month
(the `policy_log` table is the concatenation of its results). It writes one row per
contact made under the policy, as the company's own system would record it:

* every active customer of a segment gets each channel rule's contacts (the whole part of
  ``per_month`` and one more with the chance of its fraction), marketing contacts only
  to customers with consent on file when the policy respects consent;
* each customer has one owner that month: an agency (with the segment's outsourcer
  share) or an eligible staff member;
* each contact is made as the policy says with the owner's adherence that month
  (`adherence.adherence`, training included); otherwise it is a breach: a wrong channel,
  over-contact (the customer is contacted again beyond the rule), or a marketing contact
  to a customer without consent on file whose consent check was skipped, which a
  dishonest owner logs as checked (a dishonest entry);
* a few contacts use another channel at the customer's request (note
  ``customer_request``): not a breach, but a naive monitor flags them.

It reads the world and changes nothing: the simulation may call it for a what-if run. Every
breach is visible in the public log to a monitor that applies the policy's rules
(`monitoring`); what stays hidden is *who* breaks the policy systematically, each actor's
adherence, which `true_violators` recomputes from the world's seed for a grader.
Everything is vectorised over customers (numpy repeat/choice); the only loops are over
segments and channel rules.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_sim.policy.adherence import VIOLATOR_BAR, adherence, dispositions
from crm_sim.policy.model import MARKETING_PURPOSES
from crm_sim.schema import CHANNELS
from crm_sim.world import engine_state

LOG_TABLE = "policy_log"
LOG_COLUMNS = {
    "log_id": "string",          # "L202601-0000001"
    "month": "string",           # "YYYY-MM"
    "actor_id": "string",        # staff_id or outsourcer_id
    "actor_kind": "string",      # "staff" | "outsourcer"
    "customer_id": "string",
    "segment": "string",
    "channel": "string",
    "purpose": "string",         # retention | acquisition | service
    "consent_on_file": "bool",   # the customer's direct-marketing consent at the time
    "consent_checked": "bool",   # what the actor logged: "I checked consent"
    "note": "string",            # "" or "customer_request"
}
TRUTH_COLUMNS = {"log_id": "string", "breach": "string"}
BREACHES = ("wrong_channel", "over_contact", "skipped_consent_check", "dishonest_entry")
BREACH_MIX = {"wrong_channel": 0.35, "over_contact": 0.25, "consent": 0.40}
CUSTOMER_REQUEST = 0.03          # share of contacts moved at the customer's request


def staff_log(policy: Any, world: Any, month: str, rng: np.random.Generator) -> pd.DataFrame:
    """One month's log under `policy` (public columns `LOG_COLUMNS`); changes nothing.

    Args:
        policy: a ContactPolicy (or anything with `segments`, `privacy`).
        world: the world (read only).
        month: the month, "YYYY-MM" (an ISO date is cut to its month).
        rng: the month's own random stream (the simulation passes it: deterministic).
    """
    return generate_log(policy, world, month, rng)[0]


def generate_log(policy: Any, world: Any, month: str, rng: np.random.Generator
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The month's log and, row by row, the breach it holds ("" for none): for tests."""
    month = str(month)[:7]
    actors = adherence(policy, world, month)
    traits = dispositions(world).set_index("actor_id")
    customers = world.tables["customers"]
    latent = engine_state(world)["latent"]
    active_ids = latent.loc[latent["active"].to_numpy(bool), "customer_id"]
    customers = customers.loc[customers["customer_id"].isin(active_ids)]
    frames = []
    for seg in policy.segments:                             # a handful of segments
        crowd = actors.loc[actors["segment"] == seg.segment]
        pool = customers.loc[customers["segment"] == seg.segment]
        if not len(crowd) or not len(pool) or not seg.channels:
            continue
        frames.append(_segment_log(policy, seg, pool, crowd, traits, rng))
    return _finish(frames, month)


def true_violators(world: Any, policy: Any = None, month: str | None = None) -> pd.DataFrame:
    """The actors who truly break the policy systematically (graders only).

    Those whose adherence (`month`, default today) is below `VIOLATOR_BAR`: their
    disposition comes from the world's seed, which no table shows. Columns actor_id,
    actor_kind, segment, adherence (one row per actor and segment served).
    """
    if policy is None:
        from crm_sim.policy.installed import current

        policy = current(world)
    if policy is None:
        return adherence_frame_empty()
    table = adherence(policy, world, month)
    return table.loc[table["adherence"] < VIOLATOR_BAR].reset_index(drop=True)


def adherence_frame_empty() -> pd.DataFrame:
    """An empty adherence table with its columns."""
    from crm_sim.policy.adherence import COLUMNS

    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in COLUMNS.items()})


def _segment_log(policy, seg, pool, crowd, traits, rng):
    """The rows of one segment: planned contacts, then the owners' breaches."""
    n = len(pool)
    ids = pool["customer_id"].astype(str).to_numpy()
    consent = pool["dm_consent"].to_numpy(bool)
    # the month's owner of each customer: an agency (outsourcer share) or a staff member
    staff = crowd.loc[crowd["actor_kind"] == "staff"]
    agencies = crowd.loc[crowd["actor_kind"] == "outsourcer"]
    outsourced = (rng.random(n) < seg.outsourcer_share) & (len(agencies) > 0)
    if not len(staff):
        outsourced[:] = len(agencies) > 0
    pick_staff = rng.integers(0, max(len(staff), 1), n)
    pick_agency = rng.integers(0, max(len(agencies), 1), n)
    owner = np.where(outsourced,
                     agencies["actor_id"].to_numpy(object)[pick_agency % max(len(agencies), 1)]
                     if len(agencies) else "",
                     staff["actor_id"].to_numpy(object)[pick_staff % max(len(staff), 1)]
                     if len(staff) else "")
    kind = np.where(outsourced, "outsourcer", "staff")
    score = crowd.set_index("actor_id")["adherence"]
    allowed = [r.channel for r in seg.channels]
    off_policy = [c for c in CHANNELS if c not in allowed]
    non_consenting = ids[~consent]
    off = np.array(off_policy, dtype=object)
    actor_score = score.to_dict()
    dishonest = traits["dishonest"].to_dict()
    parts = []
    for rule in seg.channels:                              # a few rules per segment
        whole, frac = int(np.floor(rule.per_month)), rule.per_month - np.floor(rule.per_month)
        count = whole + (rng.random(n) < frac).astype(int)
        marketing = rule.purpose in MARKETING_PURPOSES
        if marketing and policy.respects_consent:
            count = np.where(consent, count, 0)
        rows = np.repeat(np.arange(n), count)
        m = len(rows)
        col = {
            "actor_id": owner[rows], "actor_kind": kind[rows].astype(object),
            "customer_id": ids[rows].astype(object),
            "channel": np.full(m, rule.channel, dtype=object),
            "consent_on_file": consent[rows].copy(),
            "consent_checked": np.full(m, marketing and policy.respects_consent),
            "note": np.full(m, "", dtype=object), "breach": np.full(m, "", dtype=object),
        }
        adherence = _lookup(actor_score, col["actor_id"], 1.0)
        breach = rng.random(m) >= adherence
        which = rng.choice(list(BREACH_MIX), m, p=list(BREACH_MIX.values()))
        jump = rng.integers(0, max(len(off_policy), 1), m)
        target = rng.integers(0, max(len(non_consenting), 1), m)
        limit = int(np.ceil(rule.per_month))
        # wrong channel (needs a channel outside the policy)
        wrong = breach & (which == "wrong_channel") & (len(off_policy) > 0)
        if wrong.any():
            col["channel"][wrong] = off[jump[wrong]]
        # consent breaches: a marketing contact to a customer without consent on file
        skip = (breach & (which == "consent") & marketing & (len(non_consenting) > 0)
                & policy.respects_consent)
        if skip.any():
            col["customer_id"][skip] = non_consenting[target[skip]]
            col["consent_on_file"][skip] = False
            liar = _lookup(dishonest, col["actor_id"][skip], False).astype(bool)
            col["consent_checked"][skip] = liar
            col["breach"][skip] = np.where(liar, "dishonest_entry", "skipped_consent_check")
        col["breach"][wrong] = "wrong_channel"
        # over-contact: every other breach (or one with nothing else to break) repeats
        over = breach & ~wrong & ~skip
        if over.any():
            repeats = np.maximum(limit - count[rows][over] + 1, 1)
            extra = {k: np.repeat(v[over], repeats) for k, v in col.items()}
            extra["breach"][:] = "over_contact"
            col = {k: np.concatenate([col[k], extra[k]]) for k in col}
        # a few contacts move channel because the customer asked: no breach
        if off_policy:
            total = len(col["channel"])
            asked = (rng.random(total) < CUSTOMER_REQUEST) & (col["breach"] == "")
            hop = rng.integers(0, len(off_policy), total)
            col["channel"][asked] = off[hop[asked]]
            col["note"][asked] = "customer_request"
        col["segment"] = np.full(len(col["channel"]), seg.segment, dtype=object)
        col["purpose"] = np.full(len(col["channel"]), rule.purpose, dtype=object)
        parts.append(pd.DataFrame(col))
    return pd.concat(parts, ignore_index=True)


def _lookup(mapping: dict, keys: np.ndarray, default: Any) -> np.ndarray:
    """mapping[key] for each key (a handful of actors: one dict lookup per distinct key)."""
    unique, inverse = np.unique(keys.astype(str), return_inverse=True)
    values = np.array([mapping.get(k, default) for k in unique])
    return values[inverse] if len(unique) else np.array([], dtype=type(default))


def _finish(frames, month):
    """Number the rows, split the public log from the hidden truth."""
    if frames:
        rows = pd.concat(frames, ignore_index=True)
        rows = rows.sort_values(["customer_id", "channel", "actor_id"], kind="stable")
        rows = rows.reset_index(drop=True)
    else:
        rows = pd.DataFrame({c: pd.Series(dtype=t) for c, t in {**LOG_COLUMNS,
                                                               "breach": "string"}.items()})
    stem = "L" + month.replace("-", "") + "-"
    numbers = pd.Series(np.arange(1, len(rows) + 1)).astype(str).str.zfill(7)
    rows["log_id"] = (stem + numbers).to_numpy(object)
    rows["month"] = month
    log = rows[list(LOG_COLUMNS)].astype(LOG_COLUMNS)
    truth = rows[list(TRUTH_COLUMNS)].astype(TRUTH_COLUMNS)
    return log, truth


def record_log(world: Any, log: pd.DataFrame) -> pd.DataFrame:
    """Append a month's log to the public `policy_log` table (creating it the first time).

    The monthly simulation does this itself; a caller stepping months without it
    (`crm_sim.policy.run_month`) uses this.
    """
    if LOG_TABLE in world.schema:
        return world.append_rows(LOG_TABLE, log)
    return world.register_table(LOG_TABLE, log, columns=dict(LOG_COLUMNS))

