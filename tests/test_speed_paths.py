"""The grading worker builds each unseen company once and hands every notebook its own copy."""

from autograders.checks import context
from autograders.checks.context import EvalContext


def test_hidden_world_built_once_per_unit_and_seed(monkeypatch):
    """Two notebooks of one trainee's unit share one build; changing one copy spares the other."""
    from crm_sim.world import World

    builds = []
    real_build = World.build.__func__

    def counting(cls, scenario, *args, **kwargs):
        builds.append(scenario.seed)
        return real_build(cls, scenario, *args, **kwargs)

    monkeypatch.setattr(World, "build", classmethod(counting))
    monkeypatch.setattr(context, "_HIDDEN_WORLDS", context.OrderedDict())
    first = EvalContext(unit="ITCSCR304A", trainee_id="t1", trainee_seed=1, hidden_seed=4242)
    second = EvalContext(unit="ITCSCR304A", trainee_id="t1", trainee_seed=1, hidden_seed=4242)
    other = EvalContext(unit="ITCSCR304A", trainee_id="t2", trainee_seed=2, hidden_seed=4343)
    a, b = first.hidden_world(), second.hidden_world()
    assert builds == [4242]
    assert a is not b and a.tables["customers"].equals(b.tables["customers"])
    a.tables["customers"].loc[:, "name"] = "changed"
    assert (second.hidden_world().tables["customers"]["name"] != "changed").all()
    other.hidden_world()
    assert builds == [4242, 4343]
