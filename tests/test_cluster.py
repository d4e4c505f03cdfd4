"""`crm-course grade --cluster`: grading on a Dask `LocalCluster` of two worker processes.

The fast tests use `grading_helpers.fake_grade_notebook` (no kernel) to prove the
orchestration: the cluster writes exactly the gradebook the local pool writes, a hanging
grader costs only its own submission, and a worker that cannot grade safely refuses the
run. The slow test grades real submissions in the jail on the cluster and compares them
with the local pool's grades of the same notebooks.
"""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest
from grading_helpers import (
    COHORT_PROFILES,
    FAKE,
    SECRET,
    UNIT,
    clone_course,
    copy_fixture_course,
    gradebook_scores,
    submitted_cohort,
)

from autograders.cluster import RemoteSettings, grade_group, plan_remote, worker_preflight
from autograders.commands.errors import CourseError
from autograders.demo import submit_cohort, unit_variants
from autograders.grading import grade, plan_unit
from autograders.release import release_unit

distributed = pytest.importorskip("distributed")

PROFILES = COHORT_PROFILES


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes, one grading thread each, non-daemonic (they start graders)."""
    import dask

    tests_dir = os.path.dirname(__file__)
    before = os.environ.get("PYTHONPATH")
    # the workers import the fake grader from tests/ (grading_helpers)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (tests_dir, before) if p)
    try:
        with dask.config.set({"distributed.worker.daemon": False}):
            with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                          host="127.0.0.1", dashboard_address=None) as lc:
                yield lc.scheduler_address
    finally:
        if before is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = before


@pytest.fixture(scope="module")
def submitted(tmp_path_factory):
    """A released fixture course with six trainees' submissions."""
    return submitted_cohort(tmp_path_factory.mktemp("cluster") / "course")


_scores = gradebook_scores


def _set_worker_env(address, **env):
    """Set (or with None, remove) environment variables in every Dask worker."""
    def apply(values):
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    with distributed.Client(address, set_as_default=False) as client:
        client.run(apply, env)


def test_cluster_gradebook_equals_local_pool(submitted, cluster, tmp_path):
    """The cluster writes exactly the scores the local pool writes for the same submissions."""
    local = clone_course(submitted, tmp_path / "local")
    grade(local, UNIT, jobs=2, secret=SECRET, grader=FAKE, progress=False)
    remote = clone_course(submitted, tmp_path / "remote")
    summary = grade(remote, UNIT, secret=SECRET, grader=FAKE, progress=False, cluster=cluster)
    assert summary.graded == len(PROFILES)
    assert summary.statuses == {"graded": len(PROFILES)}
    assert _scores(remote) == _scores(local) and len(_scores(local)) == len(PROFILES)
    assert summary.pool.peak_vm_mb > 0       # the remote workers' peaks came back


def test_hanging_submission_does_not_stall_the_others(submitted, cluster, tmp_path):
    """A grader hanging on T02 is stopped by the worker's timeout; the rest are graded first."""
    course = clone_course(submitted, tmp_path / "c")
    spans = tmp_path / "spans.log"
    _set_worker_env(cluster, FAKE_GRADER_HOSTILE="T02:hang", FAKE_GRADER_SPANS=str(spans))
    try:
        started = time.monotonic()
        summary = grade(course, UNIT, secret=SECRET, grader=FAKE, progress=False,
                        cluster=cluster, limits={"worker_timeout_s": 3})
        took = time.monotonic() - started
    finally:
        _set_worker_env(cluster, FAKE_GRADER_HOSTILE=None, FAKE_GRADER_SPANS=None)
    assert summary.statuses == {"graded": len(PROFILES) - 1, "error": 1}
    finished = {line.split()[0] for line in spans.read_text().splitlines()}
    assert finished == set(PROFILES) - {"T02"}
    assert "T02" not in _scores(course)
    assert took < 60                       # two 3 s timeouts, not an hour's sleep
    assert summary.pool.culprits == 1 and summary.pool.retried == 1


def test_grade_group_never_runs_the_grader_in_the_calling_process(submitted, tmp_path,
                                                                  monkeypatch):
    """A task grades in a pool worker: a grader that kills its process leaves the caller alive."""
    jobs, _ = plan_unit(submitted, UNIT, trainees=["T01"], grader=FAKE)
    bundles, groups = plan_remote(jobs)
    monkeypatch.setenv("FAKE_GRADER_HOSTILE", "T01:kill")
    monkeypatch.setenv("CRM_CLUSTER_DIR", str(tmp_path / "unpacked"))
    settings = RemoteSettings(SECRET, memory_mb=None, timeout_s=30, allow_unsandboxed=True)
    answer = grade_group(groups[0], bundles[groups[0][0].unit_digest], settings)
    assert [r["status"] for r in answer["results"]] == ["error"]
    assert "died" in answer["results"][0]["reason"]
    assert oct((tmp_path / "unpacked").stat().st_mode & 0o777) == "0o700"


def test_bundle_carries_no_submission_and_submissions_travel_per_trainee(submitted):
    """The unit bundle holds the unit's and release's files only; each task its own notebooks."""
    jobs, _ = plan_unit(submitted, UNIT, grader=FAKE)
    bundles, groups = plan_remote(jobs)
    assert len(bundles) == 1 and len(groups) == len(PROFILES)
    (bundle,) = bundles.values()
    assert all(n.startswith(("unit/", "release/")) for n in bundle.files)
    assert "unit/grading/evaluators.py" in bundle.files
    assert not any("submitted" in n for n in bundle.files)
    for group in groups:
        trainee = group[0].job.trainee_id
        own = (submitted.submitted_dir / trainee / UNIT / "fixture1.ipynb").read_bytes()
        assert [r.submission for r in group] == [own]


def test_daemonic_worker_refuses(monkeypatch):
    """A Dask worker that could not start jailed graders says how to start it."""
    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True, raising=False)
    answer = worker_preflight()
    assert not answer["ok"] and "DASK_DISTRIBUTED__WORKER__DAEMON=False" in answer["reason"]


def test_no_scheduler_is_a_plain_error(submitted, tmp_path):
    """An address where no scheduler listens fails with a message naming `dask scheduler`."""
    course = clone_course(submitted, tmp_path / "c")
    with pytest.raises(CourseError, match="dask scheduler"):
        grade(course, UNIT, secret=SECRET, grader=FAKE, progress=False,
              cluster="tcp://127.0.0.1:9")


@pytest.mark.slow
def test_real_grading_on_the_cluster_equals_the_local_pool(cluster, tmp_path_factory):
    """Jailed kernels on the cluster give the local pool's scores and statuses, hostile included."""
    course = copy_fixture_course(tmp_path_factory.mktemp("real") / "course")
    release_unit(course, UNIT)
    submit_cohort(course, UNIT, {"good": "full", "wrong": "wrong", "hostile": "hostile"},
                  unit_variants(course, UNIT))
    limits = {"cell_timeout_s": 15, "notebook_timeout_s": 30}
    local = clone_course(course, tmp_path_factory.mktemp("real-local") / "course")
    local_summary = grade(local, UNIT, jobs=2, secret=SECRET, progress=False, limits=limits)
    remote = clone_course(course, tmp_path_factory.mktemp("real-remote") / "course")
    summary = grade(remote, UNIT, secret=SECRET, progress=False, limits=limits,
                    cluster=cluster)
    assert summary.statuses == local_summary.statuses
    assert summary.statuses["graded"] == 2 and sum(summary.statuses.values()) == 3
    assert _scores(remote) == _scores(local)
    assert _scores(remote)["good"]["mean_test"] == 2.0
    assert (remote.autograded_dir / "good" / UNIT / "fixture1.ipynb").is_file()
