"""The grading worker pool on its own: limits, start-up failures, no orphaned workers."""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograders.commands.errors import CourseError
from autograders.pool import MB, WorkerConfig, run_jobs

CTX = multiprocessing.get_context("spawn")


def report_limit(job):
    """Worker side: the address-space limit this worker runs under."""
    return job, resource.getrlimit(resource.RLIMIT_AS)


def refuse_to_start():
    """Worker side: an initializer that fails (a slot that cannot be leased...)."""
    raise RuntimeError("no free sandbox slot")


def report_more(job):
    """Worker side: whether the parent said other jobs were still queued."""
    from autograders.pool import more_jobs_queued

    return job, more_jobs_queued()


def hold(path):
    """Worker side: say which process holds the job, then never finish."""
    Path(path).write_text(str(os.getpid()))
    time.sleep(120)


def test_workers_run_under_a_soft_memory_limit():
    """Each worker's soft RLIMIT_AS is memory_mb; the hard limit is left for the sandbox."""
    outcomes = list(run_jobs([1, 2, 3], report_limit, n_workers=2, ctx=CTX,
                             config=WorkerConfig(memory_mb=777)))
    assert sorted(o.data[0] for o in outcomes) == [1, 2, 3]
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    assert {tuple(o.data[1]) for o in outcomes} == {(777 * MB, hard)}


def test_a_worker_that_cannot_start_stops_the_run_with_its_reason():
    """An initializer failure is one clear CourseError, not a row of errors per trainee."""
    config = WorkerConfig(initializer=refuse_to_start)
    with pytest.raises(CourseError, match="could not start: RuntimeError: no free sandbox"):
        list(run_jobs([1], report_limit, n_workers=1, ctx=CTX, config=config))


def test_workers_die_with_a_killed_grading_command(tmp_path):
    """SIGKILL of the grading process leaves no worker behind (forkserver workers too)."""
    pid_file = tmp_path / "worker.pid"
    tests_dir = str(Path(__file__).parent)
    code = (f"import multiprocessing as mp, sys; sys.path.insert(0, {tests_dir!r})\n"
            "from autograders.pool import WorkerConfig, run_jobs\n"
            f"list(run_jobs([{str(pid_file)!r}], __import__('test_pool').hold, n_workers=1,\n"
            "              ctx=mp.get_context('forkserver'), config=WorkerConfig()))\n")
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 60
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    worker = int(pid_file.read_text())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(worker)


def _alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_pick_keeps_a_trainees_notebooks_on_one_worker():
    """An idle worker takes the next job of its last trainee, else one no other worker holds."""
    from collections import deque
    from types import SimpleNamespace

    from autograders.pool import _Pool

    jobs = [SimpleNamespace(affinity=key) for key in ("A", "B", "A", "C", "B")]
    pool = _Pool(jobs, report_limit, (), 2, CTX, WorkerConfig(), None)
    first, second = SimpleNamespace(affinity=None), SimpleNamespace(affinity=None)
    pool.workers = [first, second]
    assert pool._pick(first) == 0                     # nothing held yet: the oldest job
    first.affinity = "A"
    pool.fresh = deque([1, 2, 3, 4])
    assert pool._pick(second) == 0                    # B: a trainee nobody holds
    second.affinity = "B"
    pool.fresh = deque([2, 3, 4])
    assert pool._pick(first) == 0 and pool._pick(second) == 2   # each its own trainee's next
    pool.fresh = deque([3])
    assert pool._pick(first) == 0                     # A done: C, which nobody holds
    pool.fresh = deque([4])
    assert pool._pick(first) == 0                     # only B left: taken rather than idle


def test_worker_is_told_when_its_job_is_the_last_queued():
    """Every job but the last queued one tells its worker that more jobs are waiting."""
    outcomes = list(run_jobs([1, 2, 3], report_more, n_workers=1, ctx=CTX,
                             config=WorkerConfig(memory_mb=None)))
    assert sorted(o.data for o in outcomes) == [(1, True), (2, True), (3, False)]
