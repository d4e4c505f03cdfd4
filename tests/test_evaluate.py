"""EvalContext.call_function: submitted functions run in a fresh sandbox, call by call."""

from __future__ import annotations

import pytest
from sandbox_slots import leased_slot

from autograders.checks import EvalContext
from autograders.sandbox.evaluate import CallError, function_source
from autograders.sandbox.limits import Limits

LIMITS = Limits(memory_mb=1024, cell_timeout_s=4, notebook_timeout_s=30)
SLOT = leased_slot()   # leased machine-wide: no other test run shares its uid


def _fn(source: str, name: str) -> dict:
    return {"__function__": name, "source": source}


@pytest.fixture(scope="module")
def ctx():
    """A context whose function calls run on slot 9 with small limits."""
    return EvalContext(unit="FIXTURE1", trainee_id="T1", trainee_seed=1, hidden_seed=2,
                       limits=LIMITS, slot=SLOT)


def test_good_function_results_are_plain(ctx):
    """A correct function's results come back as plain data, one per call."""
    f = _fn("def squares(n):\n    return [i * i for i in range(n)]\n", "squares")
    assert ctx.call_function(f, [[3], {"n": 4}, [0]]) == [[0, 1, 4], [0, 1, 4, 9], []]


def test_frames_are_passed_as_pandas_and_returned_tagged(ctx):
    """A __frame__ argument arrives as a DataFrame; a returned frame comes back tagged."""
    f = _fn("def top(df):\n    return df[df['spend'] >= 100]\n", "top")
    frame = {"__frame__": {"columns": ["id", "spend"], "records": [["a", 50], ["b", 150]]}}
    [out] = ctx.call_function(f, [[frame]])
    assert out["__frame__"]["columns"] == ["id", "spend"]
    assert out["__frame__"]["records"] == [["b", 150]]
    assert out["__frame__"]["dtypes"][1] == "int64"


def test_raising_call_is_marked_and_others_continue(ctx):
    """A call that raises gives a falsy CallError; the other calls still return."""
    f = _fn("def inv(x):\n    return 1 / x\n", "inv")
    out = ctx.call_function(f, [[2], [0], [4]])
    assert out[0] == 0.5 and out[2] == 0.25
    assert isinstance(out[1], CallError) and not out[1]
    assert out[1].kind == "raised" and "ZeroDivisionError" in out[1].message


def test_looping_call_times_out_and_later_calls_run(ctx):
    """A call that never returns is killed after cell_timeout_s; later calls still run."""
    f = _fn("def f(x):\n    while x == 1:\n        pass\n    return x\n", "f")
    out = ctx.call_function(f, [[0], [1], [2]])
    assert out[0] == 0 and out[2] == 2
    assert isinstance(out[1], CallError) and out[1].kind == "timed_out"


def test_memory_hungry_call_is_marked(ctx):
    """A call allocating past the memory limit is a memory_exceeded CallError."""
    f = _fn("def f(x):\n    return len(bytearray(x * 1024 ** 3))\n", "f")
    out = ctx.call_function(f, [[3], [0]])
    assert isinstance(out[0], CallError) and out[0].kind == "memory_exceeded"
    assert out[1] == 0


def test_not_a_function_and_broken_source(ctx):
    """Non-function artefacts and source that does not define the name are marked."""
    assert function_source([1, 2]) is None
    assert ctx.call_function([1, 2], [[1]])[0].kind == "not_a_function"
    out = ctx.call_function(_fn("def g(:\n", "g"), [[1]])
    assert out[0].kind == "definition"


def test_function_cannot_return_custom_objects(ctx):
    """A returned object with a custom __eq__ is refused, not compared."""
    src = ("class E:\n    def __eq__(self, o):\n        return True\n"
           "def f(x):\n    return E()\n")
    [out] = ctx.call_function(_fn(src, "f"), [[1]])
    assert isinstance(out, CallError) and out.kind == "bad_result"


def test_process_exit_is_marked_killed(ctx):
    """A call that kills its own process is marked; later calls run in a new process."""
    src = "import os\ndef f(x):\n    if x:\n        os._exit(3)\n    return 'ok'\n"
    out = ctx.call_function(_fn(src, "f"), [[1], [0]])
    assert isinstance(out[0], CallError) and out[0].kind == "killed"
    assert out[1] == "ok"


def test_worlds_come_from_trainee_and_hidden_seeds():
    """trainee_world is the trainee's own world; hidden_world uses the secret-keyed seed."""
    from autograders.checks import hidden_seed
    from crm_sim.trainee import trainee_seed, world_for

    h = hidden_seed("course-secret", "T1", "ITCSCR304A")
    assert h == trainee_seed("T1", "ITCSCR304A", salt="course-secret")
    assert h != hidden_seed("other-secret", "T1", "ITCSCR304A")
    ctx = EvalContext(unit="ITCSCR304A", trainee_id="T1",
                      trainee_seed=trainee_seed("T1", "ITCSCR304A"), hidden_seed=h)
    own, hidden = ctx.trainee_world(), ctx.hidden_world()
    assert own.customers.equals(world_for("T1", "ITCSCR304A").customers)
    assert hidden.customers.equals(world_for("T1", "ITCSCR304A", salt="course-secret").customers)
    assert not own.customers.equals(hidden.customers)
    assert ctx.trainee_world() is own          # built once per context


# --------------------------------------------------------------------------- SQL in the jail
@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A small world saved as the SQL store a 410A evaluator queries."""
    from crm_sim.scenario import Scenario
    from crm_sim.world import World

    return World.build(Scenario(seed=5, n_customers=200)).save(
        tmp_path_factory.mktemp("store") / "world.sqlite")


def _maxrss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_sql_runs_in_the_jail_and_returns_a_frame(ctx, store):
    """A plain aggregate comes back as a DataFrame with the query's columns and rows."""
    import pandas as pd

    got = ctx.run_sql(store, "SELECT segment, COUNT(*) AS n FROM customers GROUP BY segment "
                             "ORDER BY segment")
    assert isinstance(got, pd.DataFrame) and list(got.columns) == ["segment", "n"]
    assert got["n"].sum() == 200


def test_sql_refusals_are_call_errors(ctx, store):
    """Writes and reads of hidden tables fail as CallErrors naming the problem."""
    for query in ("DELETE FROM customers", "SELECT * FROM t_latent", "SELECT 1; SELECT 2"):
        got = ctx.run_sql(store, query)
        assert isinstance(got, CallError) and not got and got.kind == "raised", query


@pytest.mark.parametrize("query", [
    "SELECT length(randomblob(200000000)) FROM customers c1, customers c2",
    "SELECT zeroblob(2000000000)",
    "SELECT length(zeroblob(900000000) || zeroblob(100)) FROM customers",
], ids=["randomblob_per_row", "zeroblob_2g", "zeroblob_per_row"])
def test_hostile_sql_ends_within_the_limit_without_growing_the_grader(ctx, store, query):
    """Slow or huge queries end as a failed call in time; the grader's memory stays put."""
    import time

    before = _maxrss_mb()
    start = time.monotonic()
    got = ctx.run_sql(store, query)
    took = time.monotonic() - start
    assert isinstance(got, CallError) and got.kind in (
        "timed_out", "killed", "memory_exceeded", "raised"), got
    assert took < LIMITS.cell_timeout_s + 20
    assert _maxrss_mb() - before < 100
