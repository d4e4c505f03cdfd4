"""ITCSCR512A's performance cells are reliable across 20 unseen companies.

For each performance cell graded on the unseen company, on 20 companies of the unit's size
built once: the taught decision (what the notebook's solution hands in, made in one
trainee's company) scores full marks on at least 19; a naive answer of the right shape
scores at most a quarter of the points on at least 19; a different sound decision scores
at least 80 % on at least 19. No trainee code runs: decisions are data the evaluators apply.
"""

from __future__ import annotations

import pytest
from itcscr512a_artefacts import artefacts, company, desk

from autograders.checks import EvalContext, registered
from crm_sim.policy import ContactPolicy, MonitorRules

CODE = "ITCSCR512A"
SEEDS = range(5120, 5140)
TRAINEE_SEED = 3


@pytest.fixture(scope="module")
def trainee():
    """The company the decisions were made in."""
    return company(TRAINEE_SEED)


@pytest.fixture(scope="module")
def contexts(trainee):
    """One grading context per unseen company (their caches are shared by every check)."""
    registered(CODE)
    out = []
    for seed in SEEDS:
        ctx = EvalContext(unit=CODE, trainee_id="t-rel", trainee_seed=TRAINEE_SEED,
                          hidden_seed=seed)
        ctx._cache["hidden"] = company(seed)
        ctx._cache["trainee"] = trainee
        out.append(ctx)
    return out


@pytest.fixture(scope="module")
def taught(trainee):
    """What the notebooks' solutions hand in, made in the trainee's company."""
    return artefacts("full", trainee)


def scores(gid: str, artifact, contexts) -> list[float]:
    """The cell's score of `artifact` in each unseen company."""
    ev = registered(CODE)[gid]
    return [ev(artifact, ctx).score for ctx in contexts]


def at_least(values, bound: float) -> int:
    """How many companies score at least `bound`."""
    return sum(1 for v in values if v >= bound)


def at_most(values, bound: float) -> int:
    """How many companies score at most `bound`."""
    return sum(1 for v in values if v <= bound)


def _with_acquisition(policy: dict, rules: dict[str, tuple[str, float]]) -> dict:
    """The policy with one acquisition rule per segment replaced or added."""
    from dataclasses import replace

    from crm_sim.policy import ChannelRule

    pol = ContactPolicy.from_dict(policy)
    for seg, (channel, per_month) in rules.items():
        s = pol.segment(seg)
        kept = tuple(r for r in s.channels if r.purpose != "acquisition")
        pol = pol.with_segment(replace(s, channels=kept + (
            ChannelRule(channel, per_month, "acquisition"),)))
    return pol.to_dict()


# ------------------------------------------------------------------ the policy (AC-i)
def test_policy_taught_full_naive_nothing(taught, trainee, contexts):
    """The notebook's policy launches in 19+ companies; last year's draft earns nothing."""
    assert at_least(scores("policy_test", taught["policy_test"], contexts), 1.0) >= 19
    naive = desk.first_draft(trainee).to_dict()
    assert at_most(scores("policy_test", naive, contexts), 0.25) >= 19


def test_policy_other_sound_design(taught, contexts):
    """Another sound policy (more training, weekly supervision share, phone for SMEs)."""
    from dataclasses import replace

    pol = ContactPolicy.from_dict(taught["policy_test"])
    pol = pol.replace(segments=tuple(replace(s, training_hours_month=8.0, supervision=0.2)
                                     for s in pol.segments))
    assert at_least(scores("policy_test", pol.to_dict(), contexts), 0.8) >= 19


def test_deploy_taught_naive_other(taught, trainee, contexts):
    """Own roles and the best to key accounts: full; the draft's deployment a quarter at most."""
    assert at_least(scores("deploy_test", taught["deploy_test"], contexts), 1.0) >= 19
    naive = desk.first_draft(trainee).to_dict()
    assert at_most(scores("deploy_test", naive, contexts), 0.25) >= 19
    from dataclasses import replace

    pol = ContactPolicy.from_dict(taught["deploy_test"])
    corp = pol.segment("corporate")
    other = pol.with_segment(replace(corp, staff_roles=("account_manager",), min_skill=0.35))
    assert at_least(scores("deploy_test", other.to_dict(), contexts), 0.8) >= 19


# ------------------------------------------------------------------ resources (P4)
def test_resources_taught_naive_other(taught, contexts):
    """The company's own log and an 80 % share: full; the planning convention: a quarter."""
    assert at_least(scores("resources_test", taught["resources_test"], contexts), 1.0) >= 19
    naive = {"kind": "resource_method", "handling": "standard", "allow_unanswered": False,
             "productive_share": 1.0}
    assert at_most(scores("resources_test", naive, contexts), 0.25) >= 19
    other = {"kind": "resource_method", "handling": "history", "allow_unanswered": True,
             "productive_share": 0.78}
    assert at_least(scores("resources_test", other, contexts), 0.8) >= 19


# ------------------------------------------------------------------ monitoring (P7, P8)
def test_monitor_taught_naive_other(taught, contexts):
    """A pattern, not a slip: full; flag-any-breach: a quarter at most; stricter bar: 80 %."""
    assert at_least(scores("monitor_test", taught["monitor_test"], contexts), 1.0) >= 19
    naive = {"kind": "monitor", "rules": MonitorRules(
        excuse_customer_requests=False, min_contacts=0, max_breach_rate=0.0).to_dict()}
    assert at_most(scores("monitor_test", naive, contexts), 0.25) >= 19
    other = {"kind": "monitor", "rules": MonitorRules(min_contacts=15,
                                                      max_breach_rate=0.15).to_dict()}
    assert at_least(scores("monitor_test", other, contexts), 0.8) >= 19


def test_outsourcers_taught_naive(taught, contexts):
    """Agencies judged like staff: full on 19+; agencies left out: nothing."""
    assert at_least(scores("outsourcer_test", taught["outsourcer_test"], contexts), 1.0) >= 19
    naive = {"kind": "monitor", "rules": MonitorRules(include_outsourcers=False).to_dict()}
    assert at_most(scores("outsourcer_test", naive, contexts), 0.25) >= 19


# ------------------------------------------------------------------ targets (AC-iii)
def test_targets_taught_naive_other(taught, trainee, contexts):
    """More acquisition on each segment's channels: full; the standard policy: a quarter."""
    assert at_least(scores("targets_test", taught["targets_test"], contexts), 1.0) >= 19
    naive = desk.policy_in_force(trainee).to_dict()
    assert at_most(scores("targets_test", naive, contexts), 0.25) >= 19
    other = _with_acquisition(taught["targets_test"], {
        "corporate": ("email", 1.0), "sme": ("message", 1.0), "individual": ("message", 1.0)})
    assert at_least(scores("targets_test", other, contexts), 0.8) >= 19
