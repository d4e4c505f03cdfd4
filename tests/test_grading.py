"""Grading orchestration: parallel = serial, resume after interruption, statuses, ids.

These use `grading_helpers.fake_grade_notebook` (no kernel) so they stay fast; the real
sandbox is exercised in tests/test_e2e_pipeline.py.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from grading_helpers import (
    COHORT_PROFILES,
    FAKE,
    SECRET,
    clone_course,
    gradebook_scores,
    submitted_cohort,
)

from autograders.demo import place_submission
from autograders.grading import grade, plan_unit, split_limits
from autograders.journal import StatusStore
from autograders.pool import DEFAULT_WORKER_MEMORY_MB
from autograders.reports.build import write_reports
from crm_sim.errors import FieldError

UNIT = "FIXTURE1"
PROFILES = COHORT_PROFILES


@pytest.fixture(scope="module")
def submitted(tmp_path_factory):
    """A released fixture course with six trainees' submissions."""
    return submitted_cohort(tmp_path_factory.mktemp("grading") / "course")


_scores = gradebook_scores


def test_parallel_gradebook_equals_serial(submitted, tmp_path):
    """Grading with 2 workers writes exactly the scores serial grading writes (3 repeats)."""
    serial = clone_course(submitted, tmp_path / "serial")
    grade(serial, UNIT, jobs=1, secret=SECRET, grader=FAKE, progress=False)
    expected = _scores(serial)
    assert len(expected) == len(PROFILES)
    assert all(len(cells) == 4 for cells in expected.values())
    for i in range(3):
        par = clone_course(submitted, tmp_path / f"par{i}")
        summary = grade(par, UNIT, jobs=2, secret=SECRET, grader=FAKE, progress=False)
        assert summary.graded == len(PROFILES)
        assert _scores(par) == expected


def test_workers_use_distinct_slots(submitted, tmp_path, monkeypatch):
    """The two workers grade with two distinct machine-wide sandbox slots."""
    course = clone_course(submitted, tmp_path / "c")
    log = tmp_path / "calls.log"
    monkeypatch.setenv("FAKE_GRADER_LOG", str(log))
    monkeypatch.setenv("FAKE_GRADER_SLEEP", "0.3")
    # spawn: a forkserver started by an earlier test would not see the new environment
    grade(course, UNIT, jobs=2, secret=SECRET, grader=FAKE, progress=False,
          mp_context="spawn")
    slots = {line.split()[2] for line in log.read_text().splitlines()}
    assert len(slots) == 2 and all(int(s) >= 100 for s in slots)


def test_rerun_skips_finished_and_force_regrades(submitted, tmp_path, monkeypatch):
    """A second run regrades nothing; --force regrades everyone."""
    course = clone_course(submitted, tmp_path / "c")
    log = tmp_path / "calls.log"
    monkeypatch.setenv("FAKE_GRADER_LOG", str(log))
    grade(course, UNIT, jobs=1, secret=SECRET, grader=FAKE, progress=False)
    again = grade(course, UNIT, jobs=1, secret=SECRET, grader=FAKE, progress=False)
    assert (again.graded, again.resumed) == (0, len(PROFILES))
    forced = grade(course, UNIT, jobs=1, force=True, secret=SECRET, grader=FAKE,
                   progress=False)
    assert forced.graded == len(PROFILES)
    assert len(log.read_text().splitlines()) == 2 * len(PROFILES)


def test_changed_submission_is_regraded(submitted, tmp_path):
    """A resubmission (new checksum) is graded again; the others are not."""
    course = clone_course(submitted, tmp_path / "c")
    grade(course, UNIT, jobs=1, secret=SECRET, grader=FAKE, progress=False)
    path = course.submitted_dir / "T01" / UNIT / "fixture1.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"][3]["source"] = "mean_value = 4.5"
    path.write_text(json.dumps(nb))
    again = grade(course, UNIT, jobs=1, secret=SECRET, grader=FAKE, progress=False)
    assert (again.graded, again.resumed) == (1, len(PROFILES) - 1)


def test_interrupted_run_resumes_without_regrading(submitted, tmp_path, monkeypatch):
    """Ctrl-C during T04 keeps T01-T03 graded; the next run grades only T04-T06."""
    course = clone_course(submitted, tmp_path / "c")
    log = tmp_path / "calls.log"
    monkeypatch.setenv("FAKE_GRADER_LOG", str(log))
    monkeypatch.setenv("FAKE_GRADER_INTERRUPT", "T04")          # SIGINT to this process
    monkeypatch.setenv("FAKE_GRADER_INTERRUPT_PID", str(os.getpid()))
    # a test run started in the background inherits SIGINT ignored: Ctrl-C's own handler
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            grade(course, UNIT, jobs=1, secret=SECRET, grader=FAKE, progress=False)
    finally:
        signal.signal(signal.SIGINT, previous)
    monkeypatch.delenv("FAKE_GRADER_INTERRUPT")
    log.write_text("")
    summary = grade(course, UNIT, jobs=1, secret=SECRET, grader=FAKE, progress=False)
    regraded = sorted(line.split()[0] for line in log.read_text().splitlines())
    assert regraded == ["T04", "T05", "T06"]
    assert summary.resumed == 3
    assert set(_scores(course)) == set(PROFILES)


def test_sigkilled_run_resumes(submitted, tmp_path):
    """A grading process killed with SIGKILL mid-run resumes where it stopped."""
    course = clone_course(submitted, tmp_path / "c")
    log = tmp_path / "calls.log"
    env = dict(os.environ, FAKE_GRADER_LOG=str(log), FAKE_GRADER_SLEEP="0.5",
               PYTHONPATH=os.pathsep.join(sys.path))
    code = ("from autograders.course import Course; from autograders.grading import grade;"
            f"grade(Course({str(course.root)!r}), {UNIT!r}, jobs=1, secret={SECRET!r}, "
            f"grader={FAKE!r}, progress=False)")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    deadline = time.monotonic() + 60
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if course.status_db_path.exists():
            with StatusStore(course.status_db_path) as store:
                done = len(store.statuses(UNIT))
            if done >= 2:
                break
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 2 <= done < len(PROFILES)
    with StatusStore(course.status_db_path) as store:
        finished = {r["trainee_id"] for r in store.statuses(UNIT)}
    log.write_text("")
    os.environ["FAKE_GRADER_LOG"] = str(log)
    try:
        summary = grade(course, UNIT, jobs=1, secret=SECRET, grader=FAKE, progress=False)
    finally:
        del os.environ["FAKE_GRADER_LOG"]
    regraded = {line.split()[0] for line in log.read_text().splitlines()}
    assert regraded.isdisjoint(finished)
    assert summary.resumed == len(finished)
    assert set(_scores(course)) == set(PROFILES)


def test_bad_trainee_ids_get_a_status_not_a_crash(submitted, tmp_path):
    """Directories named with spaces, unicode or '..' are refused with a recorded status."""
    course = clone_course(submitted, tmp_path / "c")
    good_nb = json.loads((course.submitted_dir / "T01" / UNIT / "fixture1.ipynb").read_text())
    for bad in ("has space", "Zoë", "..hidden", "a..b"):
        place_submission(course, bad, UNIT, "fixture1", good_nb)
    summary = grade(course, UNIT, jobs=1, secret=SECRET, grader=FAKE, progress=False)
    assert summary.statuses["invalid_trainee"] == 4
    with StatusStore(course.status_db_path) as store:
        refused = {r["trainee_id"]: r["reason"] for r in store.statuses(UNIT)
                   if r["status"] == "invalid_trainee"}
    assert set(refused) == {"has space", "Zoë", "..hidden", "a..b"}
    assert all("not allowed" in reason for reason in refused.values())
    assert set(_scores(course)) == set(PROFILES)   # never reached the gradebook
    assert not (course.autograded_dir / "..hidden").exists()
    html = write_reports(course, formats=("html",)).cohort_html.read_text()
    assert "Submissions refused before grading" in html and "has space" in html


def test_symlinked_trainee_dir_is_not_graded(submitted, tmp_path):
    """A trainee directory that is a symlink to another trainee's is ignored."""
    course = clone_course(submitted, tmp_path / "c")
    (course.submitted_dir / "T99").symlink_to(course.submitted_dir / "T01")
    grade(course, UNIT, jobs=1, secret=SECRET, grader=FAKE, progress=False)
    assert "T99" not in _scores(course)


def test_missing_and_foreign_notebooks_are_statuses(submitted, tmp_path):
    """A trainee without the notebook is 'missing'; an extra notebook is 'wrong_unit'."""
    course = clone_course(submitted, tmp_path / "c")
    (course.submitted_dir / "T07" / UNIT).mkdir(parents=True)
    (course.submitted_dir / "T07" / UNIT / "other.ipynb").write_text("{}")
    grade(course, UNIT, jobs=1, secret=SECRET, grader=FAKE, progress=False)
    with StatusStore(course.status_db_path) as store:
        rows = {r["notebook"]: r for r in store.statuses(UNIT, "T07")}
    assert rows["fixture1"]["status"] == "missing"
    assert rows["other"]["status"] == "wrong_unit"
    assert "not a notebook of FIXTURE1" in rows["other"]["reason"]


def test_grader_crash_is_an_error_status(submitted, tmp_path):
    """A grader that raises records status 'error' with the reason, and the run goes on."""
    course = clone_course(submitted, tmp_path / "c")
    summary = grade(course, UNIT, jobs=1, secret=SECRET, grader="json:no_such_function",
                    progress=False)
    assert summary.statuses == {"error": len(PROFILES)}
    with StatusStore(course.status_db_path) as store:
        reasons = {r["reason"] for r in store.statuses(UNIT)}
    assert all("grader failed" in r for r in reasons)


def test_plan_lists_one_job_per_trainee_notebook(submitted):
    """Planning finds every trainee's notebook with a checksum of its bytes and source."""
    jobs, decided = plan_unit(submitted, UNIT)
    assert [j.trainee_id for j in jobs] == sorted(PROFILES)
    assert decided == []
    assert len({j.checksum for j in jobs}) == 3   # three profiles, two trainees each


@pytest.mark.skipif(os.geteuid() != 0, reason="permissions are tightened only as root")
def test_root_run_hides_course_secrets(submitted, tmp_path):
    """As root, sources, submissions, gradebook and secret become owner-only."""
    import stat as st

    course = clone_course(submitted, tmp_path / "c")
    grade(course, UNIT, jobs=1, secret=SECRET, grader=FAKE, progress=False)
    for path in (course.units_dir, course.submitted_dir):
        assert st.S_IMODE(path.stat().st_mode) == 0o700
    for path in (course.gradebook_path, course.secret_path, course.status_db_path):
        assert st.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="permissions are tightened only as root")
def test_course_outputs_are_owner_only_after_grading(submitted, tmp_path):
    """As root, the course root and the executed notebooks, feedback and reports are 0700.

    Reports and feedback are written after grading with the default umask (world-readable
    files), so the closed course root is what keeps them from any other uid.
    """
    import stat as st

    course = clone_course(submitted, tmp_path / "c")
    course.root.chmod(0o755)
    course.autograded_dir.mkdir(exist_ok=True)
    course.autograded_dir.chmod(0o755)
    grade(course, UNIT, jobs=1, secret=SECRET, grader=FAKE, progress=False)
    files = write_reports(course)
    assert st.S_IMODE(course.root.stat().st_mode) == 0o700
    assert st.S_IMODE(course.autograded_dir.stat().st_mode) == 0o700
    report = next(course.reports_dir.rglob("*.csv"))
    for target in (course.root, report):
        other = subprocess.run(["cat" if target.is_file() else "ls", str(target)],
                               user=65534, group=65534, extra_groups=[],
                               capture_output=True, text=True, check=False)
        assert other.returncode != 0 and "Permission denied" in other.stderr, (target, files)


# -- hostile evaluators: a dead worker costs only its job ----------------------------------
DIED = ("the grading worker died while grading this submission (killed: memory limit or "
        "crash); it will be graded again on the next run")


def _rows(course):
    with StatusStore(course.status_db_path) as store:
        return {r["trainee_id"]: r for r in store.statuses(UNIT)}


def _finished(course):
    with StatusStore(course.status_db_path) as store:
        return {r["trainee_id"] for r in store.statuses(UNIT)
                if store.finished(r["trainee_id"], UNIT, r["notebook"], r["checksum"])}


def _calls(log):
    return Counter(line.split()[0] for line in log.read_text().splitlines())


@pytest.fixture(scope="module")
def clean_scores(submitted, tmp_path_factory):
    """The scores every trainee earns when no evaluator is attacked."""
    course = clone_course(submitted, tmp_path_factory.mktemp("clean") / "c")
    grade(course, UNIT, jobs=2, secret=SECRET, grader=FAKE, progress=False)
    return _scores(course)


def test_hostile_jobs_cost_only_themselves_and_are_regraded(submitted, clean_scores, tmp_path,
                                                          monkeypatch):
    """SIGKILL, memory hog and raise: only those 3 are errors, unjournaled, and regraded."""
    course = clone_course(submitted, tmp_path / "c")
    log = tmp_path / "calls.log"
    monkeypatch.setenv("FAKE_GRADER_LOG", str(log))
    monkeypatch.setenv("FAKE_GRADER_HOSTILE", "T02:kill,T04:hog,T05:raise")
    monkeypatch.setenv("FAKE_GRADER_HOG_MB", "1536")
    limits = {"worker_memory_mb": 1024}
    summary = grade(course, UNIT, jobs=2, secret=SECRET, grader=FAKE, progress=False,
                    limits=limits)
    rows = _rows(course)
    assert {t: r["status"] for t, r in rows.items()} == {
        "T01": "graded", "T02": "error", "T03": "graded", "T04": "error", "T05": "error",
        "T06": "graded"}
    assert rows["T02"]["reason"] == DIED
    assert "ran out of memory" in rows["T04"]["reason"] and "1024 MB" in rows["T04"]["reason"]
    assert "RuntimeError: evaluator bug" in rows["T05"]["reason"]
    innocents = {"T01", "T03", "T06"}
    assert {t: s for t, s in _scores(course).items() if t in innocents} == {
        t: clean_scores[t] for t in innocents}
    assert _calls(log) == {"T01": 1, "T02": 2, "T03": 1, "T04": 1, "T05": 1, "T06": 1}
    assert (summary.pool.retried, summary.pool.culprits) == (1, 1)
    assert "3 submission(s) ended in 'error' and are not marked finished" in "\n".join(
        summary.lines())
    assert _finished(course) == innocents

    log.write_text("")
    again = grade(course, UNIT, jobs=2, secret=SECRET, grader=FAKE, progress=False,
                  limits=limits)
    assert set(_calls(log)) == {"T02", "T04", "T05"}
    assert (again.resumed, again.graded) == (3, 3)

    monkeypatch.delenv("FAKE_GRADER_HOSTILE")          # the attack is gone: normal grades
    grade(course, UNIT, jobs=2, secret=SECRET, grader=FAKE, progress=False, limits=limits)
    assert {r["status"] for r in _rows(course).values()} == {"graded"}
    assert _scores(course) == clean_scores
    assert _finished(course) == set(PROFILES)


def test_dead_worker_loses_no_job_that_had_not_started(submitted, clean_scores, tmp_path,
                                                       monkeypatch):
    """os._exit in the first job: every later job (in flight or queued) is graded once."""
    course = clone_course(submitted, tmp_path / "c")
    log = tmp_path / "calls.log"
    monkeypatch.setenv("FAKE_GRADER_LOG", str(log))
    monkeypatch.setenv("FAKE_GRADER_SLEEP", "0.2")
    monkeypatch.setenv("FAKE_GRADER_HOSTILE", "T01:exit")
    summary = grade(course, UNIT, jobs=2, secret=SECRET, grader=FAKE, progress=False)
    assert _calls(log) == {"T01": 2, "T02": 1, "T03": 1, "T04": 1, "T05": 1, "T06": 1}
    rows = _rows(course)
    assert rows["T01"]["status"] == "error" and rows["T01"]["reason"] == DIED
    assert {t: s for t, s in _scores(course).items() if t != "T01"} == {
        t: s for t, s in clean_scores.items() if t != "T01"}
    assert summary.graded == len(PROFILES)


def test_suspect_is_retried_alone_and_keeps_its_grade(submitted, clean_scores, tmp_path,
                                                      monkeypatch):
    """A job whose worker died once is retried with nothing else running and graded."""
    course = clone_course(submitted, tmp_path / "c")
    marks = tmp_path / "marks"
    marks.mkdir()
    spans = tmp_path / "spans.log"
    monkeypatch.setenv("FAKE_GRADER_SPANS", str(spans))
    monkeypatch.setenv("FAKE_GRADER_MARKS", str(marks))
    monkeypatch.setenv("FAKE_GRADER_SLEEP", "0.3")
    monkeypatch.setenv("FAKE_GRADER_HOSTILE", "T03:kill_once")
    summary = grade(course, UNIT, jobs=2, secret=SECRET, grader=FAKE, progress=False)
    assert _scores(course) == clean_scores
    assert _finished(course) == set(PROFILES)
    assert (summary.pool.retried, summary.pool.culprits) == (1, 0)
    runs = [(t, float(a), float(b)) for t, a, b in
            (line.split() for line in spans.read_text().splitlines())]
    (retry,) = [r for r in runs if r[0] == "T03"]
    assert all(b <= retry[1] or a >= retry[2] for t, a, b in runs if t != "T03")


def test_jobs_1_survives_an_evaluator_that_exits(submitted, clean_scores, tmp_path,
                                                 monkeypatch):
    """With --jobs 1 an os._exit in an evaluator costs one submission, not the command."""
    course = clone_course(submitted, tmp_path / "c")
    monkeypatch.setenv("FAKE_GRADER_HOSTILE", "T03:exit")
    parent_limit = resource.getrlimit(resource.RLIMIT_AS)
    summary = grade(course, UNIT, jobs=1, secret=SECRET, grader=FAKE, progress=False)
    assert summary.statuses == {"graded": 5, "error": 1}
    assert _rows(course)["T03"]["reason"] == DIED
    assert {t: s for t, s in _scores(course).items() if t != "T03"} == {
        t: s for t, s in clean_scores.items() if t != "T03"}
    assert resource.getrlimit(resource.RLIMIT_AS) == parent_limit   # only workers capped


def test_worker_holding_a_job_too_long_is_stopped(submitted, tmp_path, monkeypatch):
    """A job that hangs its worker past worker_timeout_s is killed, retried, then an error."""
    course = clone_course(submitted, tmp_path / "c")
    monkeypatch.setenv("FAKE_GRADER_HOSTILE", "T06:hang")
    started = time.monotonic()
    summary = grade(course, UNIT, jobs=2, secret=SECRET, grader=FAKE, progress=False,
                    limits={"worker_timeout_s": 1.0})
    assert time.monotonic() - started < 30
    rows = _rows(course)
    assert rows["T06"]["status"] == "error"
    assert "took longer than the 1 s allowed" in rows["T06"]["reason"]
    assert summary.statuses == {"graded": 5, "error": 1}


@pytest.mark.parametrize("bad", [0.5, 100, -1, True, "2G"])
def test_worker_memory_limit_is_validated(submitted, tmp_path, bad):
    """An unusable worker_memory_mb is refused before grading, naming field and fix."""
    course = clone_course(submitted, tmp_path / "c")
    with pytest.raises(FieldError, match="limits.worker_memory_mb.*--worker-memory-mb"):
        grade(course, UNIT, secret=SECRET, grader=FAKE, progress=False,
              limits={"worker_memory_mb": bad})
    assert not course.status_db_path.exists()


def test_split_limits_keeps_sandbox_limits_apart():
    """Worker limits never reach the sandbox's Limits; the timeout follows the notebook's."""
    rest, memory, timeout = split_limits({"worker_memory_mb": 0, "notebook_timeout_s": 100})
    assert rest == {"notebook_timeout_s": 100} and memory is None and timeout == 500
    assert split_limits(None)[1] == DEFAULT_WORKER_MEMORY_MB
