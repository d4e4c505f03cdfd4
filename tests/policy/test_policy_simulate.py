"""ContactPolicy inside the monthly simulation (crm_sim.programme_sim): the seam of interface15."""

import pandas as pd

from crm_sim import Scenario, World
from crm_sim.policy import LOG_COLUMNS, adherence, adopt, starter_policy
from crm_sim.policy.adherence import trained_staff


def test_simulate_records_the_policy_log():
    """World.simulate with a ContactPolicy appends its staff log with the declared columns."""
    world = World.build(Scenario(seed=41, n_customers=500))
    policy = starter_policy(world)
    result = world.simulate(policy, months=2)
    log = world.tables["policy_log"]
    assert {c: str(t) for c, t in log.dtypes.items()} == LOG_COLUMNS
    assert sorted(log["month"].unique()) == sorted(result.kpis["month"].str[:7].unique())
    assert len(result.adherence) > 0


def test_what_if_run_changes_nothing():
    """commit=False leaves every public table as it was, the staff table included."""
    world = World.build(Scenario(seed=42, n_customers=400))
    policy = starter_policy(world)
    adopt(world, policy)
    before = {k: v.copy() for k, v in world.tables.items()}
    world.simulate(policy, months=3, commit=False)
    assert set(world.tables) == set(before)
    for name, table in before.items():
        pd.testing.assert_frame_equal(world.tables[name], table)


def test_training_months_raise_skill_and_adherence():
    """Months under an adopted policy with training raise skills and nobody's adherence falls."""
    world = World.build(Scenario(seed=43, n_customers=400))
    policy = starter_policy(world)
    adopt(world, policy)
    start = adherence(policy, world).set_index(["actor_id", "segment"])["adherence"]
    later_month = "2026-07"
    later = adherence(policy, world, later_month).set_index(["actor_id", "segment"])["adherence"]
    assert (later >= start).all() and (later > start).any()
    skills = trained_staff(policy, world, later_month)["skill"]
    assert (skills >= world.tables["staff"]["skill"]).all()
    assert (skills > world.tables["staff"]["skill"]).any()
