"""Kernels started ahead of their notebook: fresh per notebook, own trainee, own uid, checked."""

from __future__ import annotations

import json
import os
import re

import pytest
from sandbox_slots import leased_slot

from autograders.checks import load_evaluators
from autograders.sandbox import ahead, bwrap
from autograders.sandbox.limits import can_drop_privileges, slot_ids
from tests.test_sandbox_grade import FIXTURE_DIR, LIMITS, SOURCE, _submission

SLOT, SPARE = leased_slot(), leased_slot()   # leased: no other run shares their uids

PROBE = (
    "import os, pathlib\n"
    "print('TRAINEE', os.environ.get('CRM_TRAINEE_ID'))\n"
    "print('UID', os.getuid())\n"
    "print('LEFTOVER', 'LEAK' in globals(), pathlib.Path('leak.txt').exists())\n"
    "print('COUNT', get_ipython().execution_count)\n"
    "LEAK = 1\n"
    "pathlib.Path('leak.txt').write_text('from the previous notebook')\n")


def _probed_submission() -> dict:
    nb = _submission()
    nb["cells"].insert(0, {"cell_type": "code", "metadata": {}, "outputs": [],
                           "execution_count": None, "source": PROBE})
    return nb


@pytest.fixture(scope="module")
def evaluators():
    """The fixture unit's evaluators, loaded by file path."""
    return load_evaluators("FIXTURE1", None, base_dir=FIXTURE_DIR)


def _grade(tmp_path, trainee: str, evaluators, **kw):
    from autograders.sandbox import grade_notebook

    path = tmp_path / f"{trainee}.ipynb"
    path.write_text(json.dumps(_probed_submission()))
    return grade_notebook(SOURCE, path, unit="FIXTURE1", trainee_id=trainee, secret="s3cret",
                          evaluators=evaluators, limits=LIMITS, slot=SLOT, **kw)


def _probe(result) -> dict[str, str]:
    printed = "".join(o.get("text", "") for o in result.grading_outputs[0]["outputs"])
    return dict(re.findall(r"^(TRAINEE|UID|LEFTOVER|COUNT) (.*)$", printed, re.M))


@pytest.fixture(autouse=True)
def _no_started_child_left():
    """Every test starts and ends without a waiting child."""
    bwrap.adopt(bwrap.decide(False))
    ahead.discard_next()
    yield
    ahead.discard_next()


@pytest.mark.slow
def test_next_notebook_gets_a_fresh_kernel_bound_to_its_own_trainee(tmp_path, evaluators):
    """The kernel started ahead runs the next notebook clean, as its trainee, on the spare uid."""
    first = _grade(tmp_path, "T001", evaluators, spare_slot=SPARE)
    waiting = ahead._state["next"]
    assert waiting is not None and waiting.slot == SPARE and waiting.ahead
    second = _grade(tmp_path, "T002", evaluators, spare_slot=SPARE)
    assert ahead._state["next"] is not waiting and not waiting.run.alive()
    assert not waiting.ws.path.exists()                # its workspace went with it
    one, two = _probe(first), _probe(second)
    assert (one["TRAINEE"], two["TRAINEE"]) == ("T001", "T002")
    assert one["LEFTOVER"] == two["LEFTOVER"] == "False False"
    assert one["COUNT"] == two["COUNT"]    # cold start, then started ahead: same count
    assert first.status == second.status == "graded"
    assert [c.points for c in first.cells] == [c.points for c in second.cells]
    if can_drop_privileges() and bwrap.jailed():
        assert (int(one["UID"]), int(two["UID"])) == (slot_ids(SLOT)[0], slot_ids(SPARE)[0])


@pytest.mark.slow
def test_dead_started_child_is_replaced_by_a_cold_start(tmp_path, evaluators):
    """A child that died while waiting is never handed a notebook: a fresh one grades it."""
    ahead.prepare_next([], LIMITS, SPARE)
    waiting = ahead._state["next"]
    waiting.run.proc.kill()
    waiting.run.proc.wait()
    result = _grade(tmp_path, "T003", evaluators, spare_slot=SPARE)
    assert result.status == "graded" and _probe(result)["TRAINEE"] == "T003"
    assert not waiting.ws.path.exists()


@pytest.mark.slow
def test_started_child_with_other_support_or_limits_is_not_used(tmp_path):
    """A child started for other support files or limits is killed, not used."""
    helper = tmp_path / "helper.py"
    helper.write_text("X = 1\n")
    ahead.prepare_next([helper], LIMITS, SPARE)
    waiting = ahead._state["next"]
    assert ahead.take([], LIMITS) is None
    assert not waiting.run.alive() and not waiting.ws.path.exists()
    ahead.prepare_next([helper], LIMITS, SPARE)
    waiting = ahead._state["next"]
    other = type(LIMITS)(**{**LIMITS.to_dict(), "cell_timeout_s": 3})
    assert ahead.take([helper], other) is None and not waiting.run.alive()
    helper.write_text("X = 2  # re-released\n")
    ahead.prepare_next([helper], LIMITS, SPARE)
    helper.write_text("X = 3  # changed again after the start\n")
    os.utime(helper, ns=(1, 1))
    assert ahead.take([helper], LIMITS) is None


@pytest.mark.slow
def test_grading_workers_leave_no_started_kernel_behind(tmp_path, monkeypatch):
    """After a pooled run no workspace of a started-ahead kernel is left on disk."""
    from autograders.demo import submit_cohort, unit_variants
    from autograders.grading import grade
    from autograders.release import release_unit
    from tests.grading_helpers import copy_fixture_course

    sandboxes = tmp_path / "sbx"
    sandboxes.mkdir()
    monkeypatch.setenv("CRM_SANDBOX_TMP", str(sandboxes))
    course = copy_fixture_course(tmp_path / "course")
    release_unit(course, "FIXTURE1")
    submit_cohort(course, "FIXTURE1", {"A001": "full", "A002": "partial"},
                  unit_variants(course, "FIXTURE1"))
    summary = grade(course, "FIXTURE1", jobs=1, secret="s3cret", progress=False,
                    limits={"cell_timeout_s": 10})
    assert summary.statuses["graded"] == 2
    assert list(sandboxes.iterdir()) == []
