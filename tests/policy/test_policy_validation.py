"""validate(): one test per rule, each tripped by the smallest change to a feasible draft."""

from dataclasses import replace

import pytest

from crm_sim.policy import RULES, ChannelRule, is_launchable, validate


def _seg(policy, name, **changes):
    """The policy with one segment changed."""
    return policy.with_segment(replace(policy.segment(name), **changes))


def _rules(policy, world):
    return {i.rule for i in validate(policy, world)}


def test_draft_is_launchable(draft, policy_world):
    """The starter draft has no issue at all, so every test below trips exactly its rule."""
    assert validate(draft, policy_world) == []
    assert is_launchable(draft, policy_world)


CASES = {
    "segment_unknown": lambda p: p.replace(segments=p.segments + (
        replace(p.segments[0], segment="martians"),)),
    "segment_missing": lambda p: p.replace(segments=p.segments[:2]),
    "channel_unreachable": lambda p: _seg(p, "individual", channels=(
        ChannelRule("visit", 0.1, "retention"),) + p.segment("individual").channels),
    "over_contact": lambda p: _seg(p, "individual", channels=(
        ChannelRule("email", 3.0, "retention"),)),
    "no_channels": lambda p: _seg(p, "sme", channels=()),
    "no_roles": lambda p: _seg(p, "sme", staff_roles=()),
    "unknown_role": lambda p: _seg(p, "sme", staff_roles=("sales_executive", "wizard")),
    "no_eligible_staff": lambda p: _seg(p, "corporate", min_skill=0.99),
    "staff_capacity": lambda p: _seg(p, "corporate", min_skill=0.6, channels=(
        ChannelRule("visit", 10.0, "service"),)).replace(monthly_budget_hkd=9e8),
    "outsourcer_share_not_allowed": lambda p: _seg(p, "corporate", outsourcer_share=0.3),
    "no_eligible_outsourcer": lambda p: _seg(p, "sme", min_outsourcer_quality=0.99),
    "outsourcer_capacity": lambda p: _seg(
        p, "individual", outsourcer_share=1.0, min_outsourcer_quality=0.7,
        channels=(ChannelRule("letter", 10.0, "service"),)).replace(monthly_budget_hkd=9e8),
    "escalation": lambda p: _seg(p, "sme", escalate_to=""),
    "service_level": lambda p: _seg(p, "sme", response_hours=0.5, escalation_hours=0.5),
    "budget": lambda p: p.replace(monthly_budget_hkd=1000.0),
    "no_budget": lambda p: p.replace(monthly_budget_hkd=0.0),
    "acquisition_target": lambda p: _seg(p, "sme", new_customers_per_month=500.0),
    "retention_target": lambda p: _seg(p, "sme", retention_rate=1.0),
    "target_budget": lambda p: _seg(p, "individual", new_customers_per_month=5000.0),
    "consent": lambda p: p.replace(privacy=replace(p.privacy, respects_consent=False)),
    "opt_out": lambda p: p.replace(privacy=replace(p.privacy, opt_out_days=30)),
    "oral_consent": lambda p: p.replace(privacy=replace(p.privacy,
                                                        confirm_oral_consent_days=21)),
    "data_minimisation": lambda p: p.replace(privacy=replace(p.privacy,
                                                             data_minimisation=False)),
    "agents": lambda p: p.replace(privacy=replace(p.privacy, outsourcers_check_consent=False)),
    "unsubscribe": lambda p: p.replace(privacy=replace(p.privacy,
                                                       unsubscribe_in_messages=False)),
    "opt_out_notice": lambda p: _seg(p, "sme", scripts=("greeting", "identify_self")),
    "indicators": lambda p: p.replace(indicators=("complaints",)),
    "review_cadence": lambda p: p.replace(review_every_months=12),
    "training": lambda p: _seg(p, "sme", training_hours_month=0.0),
}


def test_every_rule_has_a_case():
    """No rule of validate() goes untested."""
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_is_reported_with_field_value_and_fix(rule, draft, policy_world):
    """Each infeasibility is reported under its rule id, with field, value and a fix."""
    issues = [i for i in validate(CASES[rule](draft), policy_world) if i.rule == rule]
    assert issues, f"{rule} not reported"
    for issue in issues:
        assert issue.field and issue.fix and issue.problem
        assert str(issue).startswith(issue.field)


def test_law_rules_cite_their_section(draft, policy_world):
    """Legal issues name the Ordinance's section; company rules say company policy."""
    for rule in ("consent", "opt_out", "oral_consent", "data_minimisation", "agents",
                 "unsubscribe", "opt_out_notice"):
        issue = next(i for i in validate(CASES[rule](draft), policy_world) if i.rule == rule)
        assert issue.is_law and ("PDPO" in issue.source or "UEMO" in issue.source)
    over = next(i for i in validate(CASES["over_contact"](draft), policy_world)
                if i.rule == "over_contact")
    assert not over.is_law and over.source == "company policy"


def test_every_problem_reported_at_once(draft, policy_world):
    """Several problems together are all reported, not only the first."""
    bad = CASES["consent"](CASES["budget"](CASES["no_roles"](draft)))
    assert {"consent", "budget", "no_roles"} <= _rules(bad, policy_world)


def test_validate_leaves_world_unchanged(draft, policy_world):
    """validate() reads the world and never writes to it."""
    before = {k: v.copy() for k, v in policy_world.tables.items()}
    validate(CASES["staff_capacity"](draft), policy_world)
    assert set(before) == set(policy_world.tables)
    for name, table in before.items():
        assert table.equals(policy_world.tables[name])
