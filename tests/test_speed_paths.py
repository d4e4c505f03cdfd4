"""Speed paths keep their results: cached unseen companies, the in-process alembic head."""

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


def test_unseen_sister_worlds_built_once_per_worker_and_copied(monkeypatch):
    """A sister company is built once per (unit, seed), equals a fresh build, and is copied."""
    from crm_sim.trainee import UNIT_SCENARIOS
    from crm_sim.world import World

    builds = []
    real_build = World.build.__func__

    def counting(cls, scenario, *args, **kwargs):
        builds.append(scenario.seed)
        return real_build(cls, scenario, *args, **kwargs)

    monkeypatch.setattr(context, "_HIDDEN_WORLDS", context.OrderedDict())
    fresh = World.build(UNIT_SCENARIOS["ITCSCR304A"].replace(seed=777))
    monkeypatch.setattr(World, "build", classmethod(counting))
    first = EvalContext(unit="ITCSCR304A", trainee_id="t1", trainee_seed=1, hidden_seed=4242)
    second = EvalContext(unit="ITCSCR304A", trainee_id="t1", trainee_seed=1, hidden_seed=4242)
    a, b = first.unseen_world(777), second.unseen_world(777)
    assert builds == [777]
    for name, table in fresh.tables.items():
        assert a.tables[name].equals(table), name
    a.tables["customers"].loc[:, "name"] = "changed"
    assert (b.tables["customers"]["name"] != "changed").all()
    assert (second.unseen_world(777).tables["customers"]["name"] != "changed").all()
    first.unseen_world(778)
    other_unit = EvalContext(unit="ITCSCR410A", trainee_id="t1", trainee_seed=1, hidden_seed=1)
    other_unit.unseen_world(777)
    assert builds == [777, 778, 777]          # another seed or unit never shares an entry


def test_new_gradebook_gets_nbgrader_alembic_head_without_a_subprocess(tmp_path, monkeypatch):
    """A new gradebook records the same alembic head as nbgrader's `alembic heads` process."""
    import sqlite3

    import nbgrader.api

    from autograders.course import ensure_alembic_on_path

    ensure_alembic_on_path()
    expected = nbgrader.api.get_alembic_version._crm_stock()     # the `alembic` process

    def no_process(*args, **kwargs):
        raise AssertionError(f"a subprocess was started: {args}")

    monkeypatch.setattr(nbgrader.api.sp, "check_output", no_process)
    db = tmp_path / "gradebook.db"
    with nbgrader.api.Gradebook(f"sqlite:///{db}", "course"):
        pass
    (version,) = sqlite3.connect(db).execute("SELECT version_num FROM alembic_version").fetchone()
    assert version and version == expected


def test_world_strings_stay_python_backed_with_pyarrow_installed(tmp_path):
    """Built and loaded worlds keep python-backed strings, so dict maps behave as before."""
    import json

    from crm_sim import Scenario, World

    world = World.build(Scenario(seed=3, n_customers=60))
    back = World.load(world.save(tmp_path / "w.sqlite"))
    for w in (world, back):
        values = w.interactions["info_captured"]
        assert values.dtype.storage == "python"
        parsed = {v: json.loads(v) for v in values.unique()}
        assert values.map(parsed).tolist() == [json.loads(v) for v in values]


def test_frames_rebuilt_for_submitted_functions_use_python_strings():
    """A frame rebuilt in the function runner has the python-backed strings the kernel had."""
    import subprocess
    import sys

    code = ("from autograders.checks.serialize import to_frame, to_series\n"
            "f = to_frame({'__frame__': {'columns': ['a'], 'records': [['x'], ['y']]}})\n"
            "s = to_series({'__series__': {'index': [0], 'values': ['z']}})\n"
            "print(f['a'].dtype.storage, s.dtype.storage)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["python", "python"]
