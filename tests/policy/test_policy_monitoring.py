"""Staff log and monitor(): violators are findable, the naive rule is not enough, tables save."""

import numpy as np
import pandas as pd
import pytest
from policy_companies import company_under_starter_policy

from crm_sim import Scenario, World
from crm_sim.errors import PolicyError
from crm_sim.policy import (
    MonitorRules,
    actor_report,
    current,
    find_breaches,
    monitor,
    run_month,
    starter_policy,
    true_violators,
)
from crm_sim.policy.staff_log import generate_log

NAIVE = MonitorRules(excuse_customer_requests=False, min_contacts=1, max_breach_rate=0.0)


@pytest.fixture(scope="module")
def run_world():
    """A company after four months under its starter policy (adopted)."""
    return company_under_starter_policy(seed=21, n_customers=1200, months=4)


def _precision_recall(flagged, truth):
    hits = len(flagged & truth)
    return hits / max(len(flagged), 1), hits / max(len(truth), 1)


def test_violators_found_by_sound_rules(run_world):
    """The default rules find every true violator and flag no one else."""
    world, policy = run_world
    truth = set(true_violators(world)["actor_id"])
    report = monitor(world)["actors"]
    flagged = set(report.loc[report["flagged"], "actor_id"])
    assert truth and _precision_recall(flagged, truth) >= (0.8, 0.8)


def test_naive_rule_flags_the_innocent(run_world):
    """Flagging any breach at all (customer requests included) catches most honest staff."""
    world, policy = run_world
    truth = set(true_violators(world)["actor_id"])
    report = actor_report(world.tables["policy_log"], policy, NAIVE)
    precision, _ = _precision_recall(set(report.loc[report["flagged"], "actor_id"]), truth)
    assert precision < 0.5


def test_evidence_names_rows_and_every_kind(run_world):
    """Evidence rows are real log rows, and each breach kind occurs somewhere."""
    world, _ = run_world
    evidence = monitor(world)["evidence"]
    assert set(evidence["log_id"]) <= set(world.tables["policy_log"]["log_id"])
    assert set(evidence["breach"]) == {"wrong_channel", "over_contact",
                                       "skipped_consent_check", "dishonest_entry"}
    assert evidence["why"].str.len().min() > 20


def test_dashboard_tables(run_world):
    """New customers per month with targets; mobility for each month that passed."""
    world, _ = run_world
    tables = monitor(world)
    assert {"new_customers", "mobility", "actors", "evidence"} == set(tables)
    assert {"month", "segment", "new_customers", "target", "met"} <= set(
        tables["new_customers"].columns)
    assert tables["mobility"]["month"].nunique() == 4
    assert (tables["mobility"]["active"] > 0).all()


def test_log_matches_truth_for_breaches(run_world):
    """Every breach generated is found in the log as that kind, and nothing else is."""
    world, policy = run_world
    log, truth = generate_log(policy, world, world.today, np.random.default_rng(3))
    found = find_breaches(log, policy, MonitorRules(min_contacts=0))
    merged = truth.merge(found[["log_id", "breach"]], on="log_id", how="left",
                         suffixes=("", "_found")).fillna({"breach_found": ""})
    assert (merged["breach"] != "").sum() > 10
    assert (merged["breach"] == merged["breach_found"]).all()


def test_staff_log_changes_nothing(run_world):
    """Writing a month's log leaves every table of the world as it was (what-if safe)."""
    world, policy = run_world
    before = {k: v.copy() for k, v in world.tables.items()}
    policy.staff_log(world, world.today, np.random.default_rng(1))
    for name, table in before.items():
        pd.testing.assert_frame_equal(world.tables[name], table)


def test_save_load_round_trip(run_world, tmp_path):
    """Adopted policy, log and hidden truth survive World.save/World.load unchanged."""
    world, policy = run_world
    path = world.save(tmp_path / "w.crm")
    back = World.load(path)
    for name in ("contact_policies", "policy_log", "staff"):
        pd.testing.assert_frame_equal(back.tables[name], world.tables[name])
    assert current(back) == policy
    pd.testing.assert_frame_equal(true_violators(back), true_violators(world))


def test_same_seed_same_log():
    """Two runs from the same seed write byte-identical logs and truth."""
    logs = []
    for _ in range(2):
        world = World.build(Scenario(seed=5, n_customers=400))
        run_month(world, starter_policy(world), 2)
        logs.append(world.tables["policy_log"])
    pd.testing.assert_frame_equal(logs[0], logs[1])


def test_monitor_without_policy_is_a_domain_error():
    """monitor() on a world with no adopted policy says how to adopt one."""
    world = World.build(Scenario(seed=5, n_customers=100))
    with pytest.raises(PolicyError, match="adopt"):
        monitor(world)


@pytest.mark.parametrize("bad", [dict(min_contacts=-1), dict(max_breach_rate=2.0),
                                 dict(consent="yes"), dict(months=1.5)])
def test_bad_monitor_rules(bad):
    """Malformed monitoring rules raise PolicyError."""
    with pytest.raises(PolicyError):
        MonitorRules(**bad)
