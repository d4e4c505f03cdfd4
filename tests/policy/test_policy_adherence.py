"""Adherence rises with training, checklists and supervision; training builds skill."""

from dataclasses import replace

from crm_sim.policy import CHECKLIST_ITEMS, adherence, apply_training


def _with_all(policy, **changes):
    return policy.replace(segments=tuple(replace(s, **changes) for s in policy.segments))


def _mean(policy, world):
    return adherence(policy, world).set_index(["actor_id", "segment"])["adherence"]


def test_adherence_monotonic_in_dissemination(draft, policy_world):
    """More training, a fuller checklist or more supervision never lowers anyone's adherence."""
    base = _mean(_with_all(draft, training_hours_month=0.0, checklists=(), supervision=0.0),
                 policy_world)
    for change in (dict(training_hours_month=10.0), dict(checklists=CHECKLIST_ITEMS),
                   dict(supervision=0.5)):
        more = _mean(_with_all(draft, **{**dict(training_hours_month=0.0, checklists=(),
                                                 supervision=0.0), **change}), policy_world)
        assert (more >= base).all() and (more > base).any(), change


def test_careless_actors_exist_and_differ_between_worlds(draft, policy_world):
    """Some actors are well below the others (the violators a monitor must find)."""
    values = adherence(draft, policy_world)["adherence"]
    assert values.min() < 0.8 < values.max()


def test_agencies_covered_when_policy_uses_them(draft, policy_world):
    """Agencies appear for segments that give them contacts, and only there."""
    table = adherence(draft, policy_world)
    agency_segments = set(table.loc[table["actor_kind"] == "outsourcer", "segment"])
    assert agency_segments == {s.segment for s in draft.segments if s.outsourcer_share > 0}


def test_training_raises_skill_over_months(draft, policy_world):
    """Each month of training raises deployed staff's skill, never above 1; others unchanged."""
    world = policy_world.copy()
    before = world.tables["staff"]["skill"].to_numpy()
    apply_training(draft, world)
    once = world.tables["staff"]["skill"].to_numpy()
    apply_training(draft, world)
    twice = world.tables["staff"]["skill"].to_numpy()
    assert (once >= before).all() and (twice >= once).all() and (twice > before).any()
    assert (twice <= 1).all()
    untrained = _with_all(draft, training_hours_month=0.0)
    world2 = policy_world.copy()
    apply_training(untrained, world2)
    assert (world2.tables["staff"]["skill"].to_numpy() == before).all()
