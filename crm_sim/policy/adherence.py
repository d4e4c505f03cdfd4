"""How closely each staff member and agency follows a contact policy, and how training helps.

Adherence (0..1) is the chance a contact is made as the policy says. It rises with what
the company does to disseminate the policy (ITCSCR512A K5, P3): training hours, the
checklists every contact carries, the share of contacts a supervisor reviews; and with
the person's own skill (an agency's quality). Under it lies each actor's disposition, a
hidden trait drawn from the world's seed: most people are conscientious, a few are
careless (and some of those log what they did not do). A careless actor moves towards
the policy with training and supervision, so a manager who invests in dissemination sees
fewer breaches, and one who does not sees more.

`VIOLATOR_BAR` separates the actors who systematically break the policy (the hidden set
a monitoring report is scored against) from those who slip now and then.

Training also builds skill: every month a deployed staff member has been trained under
the policy (since it was adopted, `crm_sim.policy.adopt`) closes `TRAINING_SKILL_RATE` of
the gap to 1 per training hour, in selling skill and product knowledge
(`trained_staff`). The gain is computed, not stored, so a what-if simulation changes
nothing; `apply_training` writes a month's gain into the staff table when a company wants
it on record.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_sim.policy.resources import eligible_outsourcers, eligible_staff

DISPOSITION_STREAM = "policy.disposition"
CARELESS_SHARE = 0.2            # share of actors who are careless by disposition
CONSCIENTIOUS = (1.4, 0.4)      # mean, sd of a conscientious actor's disposition
CARELESS = (-2.6, 0.4)         # mean, sd of a careless actor's disposition
DISHONEST_SHARE = 0.5           # share of careless actors who log checks never made
BASE_LOGIT = 1.0
TRAINING_WEIGHT = 0.08          # per training hour a month, up to TRAINING_CAP hours
TRAINING_CAP = 20.0
CHECKLIST_WEIGHT = 1.0          # at a full checklist
SUPERVISION_WEIGHT = 2.0        # at every contact reviewed
SKILL_WEIGHT = 1.5              # per unit of skill (or agency quality) above 0.6
AGENCY_PENALTY = 0.6            # agencies are further from the company's culture
AGENCY_CONSENT_RULE = 0.4       # agencies bound by contract to check consent
VIOLATOR_BAR = 0.85             # below this, an actor systematically breaks the policy
TRAINING_SKILL_RATE = 0.004     # share of the gap to 1 closed per training hour

COLUMNS = {"actor_id": "string", "actor_kind": "string", "segment": "string",
           "adherence": "float64"}


def dispositions(world: Any) -> pd.DataFrame:
    """Each actor's hidden disposition (logit) and honesty, drawn from the world's seed.

    Drawn for the whole staff and agency tables at once, in table order, from a named
    stream: the same world gives the same people the same traits, whatever the policy.
    """
    staff_ids = world.tables["staff"]["staff_id"].astype(str).to_numpy()
    agency_ids = world.tables["outsourcers"]["outsourcer_id"].astype(str).to_numpy()
    ids = np.concatenate([staff_ids, agency_ids])
    rng = world.streams.generator(DISPOSITION_STREAM)
    n = len(ids)
    careless = rng.random(n) < CARELESS_SHARE
    z = np.where(careless, rng.normal(*CARELESS, n), rng.normal(*CONSCIENTIOUS, n))
    dishonest = careless & (rng.random(n) < DISHONEST_SHARE)
    return pd.DataFrame({"actor_id": ids, "disposition": z, "dishonest": dishonest})


def training_months(world: Any, month: str | None = None) -> int:
    """Whole months the policy in force has been trained on by `month` (default: today).

    Counted from its adoption (`crm_sim.policy.installed`); 0 when none was adopted.
    """
    from crm_sim.policy.installed import history

    adopted = history(world)
    if not len(adopted):
        return 0
    start = str(adopted["adopted"].iloc[-1])[:7]
    end = str(month or world.today)[:7]
    months = (int(end[:4]) * 12 + int(end[5:7])) - (int(start[:4]) * 12 + int(start[5:7]))
    return max(months, 0)


def trained_staff(policy: Any, world: Any, month: str | None = None) -> pd.DataFrame:
    """The staff table with the skills the policy's training has built by `month`."""
    staff = world.tables["staff"]
    months = training_months(world, month)
    if months == 0:
        return staff
    hours = _training_hours(policy, world)
    gain = 1.0 - (1.0 - np.clip(TRAINING_SKILL_RATE * hours, 0.0, 1.0)) ** months
    out = staff.copy()
    for column in ("skill", "product_knowledge"):
        value = out[column].to_numpy(float)
        out[column] = np.round(value + (1.0 - value) * gain, 3)
    return out


def adherence(policy: Any, world: Any, month: str | None = None) -> pd.DataFrame:
    """Adherence of every actor serving each segment: actor_id, actor_kind, segment, adherence.

    Skills are those the policy's training has built by `month` (default: today).
    """
    traits = dispositions(world).set_index("actor_id")
    staff_now = trained_staff(policy, world, month)
    frames = []
    for seg in policy.segments:                       # a handful of segments
        base = (BASE_LOGIT
                + TRAINING_WEIGHT * min(seg.training_hours_month, TRAINING_CAP)
                + CHECKLIST_WEIGHT * _checklist_share(seg)
                + SUPERVISION_WEIGHT * seg.supervision)
        staff = eligible_staff(seg, world, staff_now)
        if len(staff):
            z = traits.loc[staff["staff_id"].astype(str), "disposition"].to_numpy(float)
            logit = base + z + SKILL_WEIGHT * (staff["skill"].to_numpy(float) - 0.6)
            frames.append(_frame(staff["staff_id"], "staff", seg.segment, logit))
        agencies = eligible_outsourcers(seg, world) if seg.outsourcer_share > 0 else None
        if agencies is not None and len(agencies):
            z = traits.loc[agencies["outsourcer_id"].astype(str), "disposition"].to_numpy(float)
            logit = (base + z - AGENCY_PENALTY
                     + AGENCY_CONSENT_RULE * float(policy.privacy.outsourcers_check_consent)
                     + SKILL_WEIGHT * (agencies["quality"].to_numpy(float) - 0.6))
            frames.append(_frame(agencies["outsourcer_id"], "outsourcer", seg.segment, logit))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in COLUMNS.items()})
    return pd.concat(frames, ignore_index=True).astype(COLUMNS)


def apply_training(policy: Any, world: Any) -> pd.DataFrame:
    """Write one month of the policy's training into the staff table; returns it.

    Each staff member deployed to a segment gets that segment's training hours (the
    most any of their segments asks); selling skill and product knowledge close
    `TRAINING_SKILL_RATE` of their gap to 1 per hour. The staff table changes in place
    (it is saved with the world).
    """
    staff = world.tables["staff"]
    gain = np.clip(TRAINING_SKILL_RATE * _training_hours(policy, world), 0.0, 1.0)
    updated = staff.copy()
    for column in ("skill", "product_knowledge"):
        value = updated[column].to_numpy(float)
        updated[column] = np.round(value + (1.0 - value) * gain, 3)
    world.tables["staff"] = updated
    return updated


def _training_hours(policy: Any, world: Any) -> np.ndarray:
    """Training hours a month of each staff member (table order).

    The most any of their segments asks of the people it deploys.
    """
    staff = world.tables["staff"]
    hours = pd.Series(0.0, index=staff["staff_id"].astype(str).to_numpy())
    for seg in policy.segments:
        ids = eligible_staff(seg, world)["staff_id"].astype(str)
        hours.loc[ids] = np.maximum(hours.loc[ids].to_numpy(), seg.training_hours_month)
    return hours.to_numpy(float)


def _checklist_share(seg: Any) -> float:
    from crm_sim.policy.model import CHECKLIST_ITEMS

    return len(set(seg.checklists)) / len(CHECKLIST_ITEMS)


def _frame(ids: pd.Series, kind: str, segment: str, logit: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({
        "actor_id": ids.astype(str).to_numpy(),
        "actor_kind": kind,
        "segment": segment,
        "adherence": np.round(1.0 / (1.0 + np.exp(-logit)), 4),
    })
