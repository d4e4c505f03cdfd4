"""A sound starting policy for a world, built from its call mechanism and staff roles.

Why: the policy designer needs something to open with, tests need a feasible policy, and
a trainee learns more from improving a working draft than from a blank form. It is a
draft, not the answer: frequencies follow the mechanism's minimums, targets are modest.
"""

from __future__ import annotations

from typing import Any

from crm_sim.catalogue import ROLES
from crm_sim.mechanism import mechanism_for
from crm_sim.policy.model import (
    CHECKLIST_ITEMS,
    INDICATORS,
    ChannelRule,
    ContactPolicy,
    PrivacyRules,
    SegmentPolicy,
)
from crm_sim.policy.resources import PLANNING_METHOD, monthly_cost, predict_resources
from crm_sim.policy.validation import recent_new_customers


def starter_policy(world: Any, name: str = "Contact policy (draft)") -> ContactPolicy:
    """A feasible draft for `world`: one segment policy per segment of its industry."""
    mechanism = mechanism_for(world)
    industry = mechanism.industry
    roles = ROLES[industry]
    service = next(r[0] for r in roles if r[4])
    usual = recent_new_customers(world)
    segments = []
    for seg, rules in mechanism.segments.items():
        own = tuple(r[0] for r in roles if seg in r[3] and not r[4])
        quality = max(rules.min_outsourcer_quality, 0.4) if rules.allow_outsourcers else 0.0
        agencies = rules.allow_outsourcers and bool(
            (world.tables["outsourcers"]["quality"] >= quality).any())
        first = rules.channels[0]
        second = rules.channels[1] if len(rules.channels) > 1 else first
        channels = [ChannelRule(first, max(float(rules.min_calls_per_month), 0.3), "retention"),
                    ChannelRule(second, 0.2, "acquisition")]
        segments.append(SegmentPolicy(
            segment=seg,
            new_customers_per_month=round(float(usual.get(seg, 0.0)), 1),
            retention_rate=0.97,
            channels=tuple(channels),
            response_hours=24.0,
            staff_roles=own + (service,),
            min_skill=0.3,
            allow_outsourcers=agencies,
            outsourcer_share=0.2 if agencies else 0.0,
            min_outsourcer_quality=quality if agencies else 0.0,
            scripts=("greeting", "identify_self", "consent_check", "opt_out_notice"),
            checklists=CHECKLIST_ITEMS,
            escalate_to=service,
            escalation_hours=24.0,
            training_hours_month=4.0,
            supervision=0.1,
        ))
    draft = ContactPolicy(name=name, segments=tuple(segments), privacy=PrivacyRules(),
                          monthly_budget_hkd=0.0, indicators=INDICATORS,
                          review_every_months=3)
    # a budget with a quarter's headroom over what the draft is expected to cost
    cost = monthly_cost(predict_resources(draft, world, PLANNING_METHOD))
    return draft.replace(monthly_budget_hkd=float(round(cost * 1.25, -3) + 1000.0))
