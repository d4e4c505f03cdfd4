"""Grade a cohort: parallel autograding, one gradebook writer, resumable runs.

Workers (`autograders.pool`, on an explicit forkserver/spawn *context*, so the
process-wide start method is never changed) each call the sandbox's `grade_notebook`
for one (trainee, notebook) with their own slot, and return plain
`SubmissionResult.to_dict()` data. Every run grades in workers, ``--jobs 1`` included,
so an evaluator that exhausts memory or kills its process costs one submission, never
the grading command. Workers have their own memory limit; a worker that dies costs only
the job it held (retried once alone, then recorded as ``error``), and ``error`` is never
journaled as finished. Only this parent process writes: the gradebook (after a
backup), the autograded notebooks and the status store with its journal. A run killed
half-way resumes without regrading journaled submissions; ``force`` regrades.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import multiprocessing
import os
import stat
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from autograders.commands.errors import CourseError
from autograders.course import Course, validate_trainee_id
from autograders.gradebook import (
    GradebookTampered,
    GradebookWriter,
    backup_gradebook,
    file_checksum,
    restore_gradebook,
)
from autograders.journal import StatusStore
from autograders.pool import (
    DEFAULT_WORKER_MEMORY_MB,
    MIN_WORKER_MEMORY_MB,
    Outcome,
    PoolStats,
    WorkerConfig,
    memory_limit_mb,
    more_jobs_queued,
    run_jobs,
)
from autograders.results import SubmissionResult
from autograders.slots import SlotLease, acquire_slot
from autograders.unitspec import load_unit_spec
from crm_sim.errors import FieldError

log = logging.getLogger(__name__)


@dataclass
class Job:
    """One notebook of one trainee to grade (plain data: it crosses into a worker)."""

    trainee_id: str
    unit: str
    notebook: str
    source_nb: str
    submission: str | None
    unit_dir: str
    evaluators_spec: str | None
    support_files: list[str]
    checksum: str
    limits: dict[str, Any] | None = None
    grader: str | None = None       # "module:function" replacing grade_notebook (tests)

    @property
    def affinity(self) -> tuple[str, str]:
        """The pool sends one trainee's notebooks of a unit to one worker (worlds reused)."""
        return (self.unit, self.trainee_id)


@dataclass
class RunSummary:
    """What a grading run did, for the CLI and the demo."""

    units: list[str]
    graded: int = 0
    resumed: int = 0
    statuses: Counter = field(default_factory=Counter)
    backup: Path | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    pool: PoolStats = field(default_factory=PoolStats)
    worker_memory_mb: int | None = None

    def lines(self) -> list[str]:
        """Human summary, one fact per line."""
        out = [f"graded {self.graded} notebook(s) of {', '.join(self.units)} "
               f"in {self.seconds:.1f} s; {self.resumed} already graded (resumed)"]
        if self.statuses:
            out.append("statuses: " + ", ".join(f"{k}={v}" for k, v in
                                                 sorted(self.statuses.items())))
        if self.statuses.get("error"):
            out.append(f"{self.statuses['error']} submission(s) ended in 'error' and are not "
                       "marked finished: a plain rerun grades exactly them again")
        if self.pool.retried:
            out.append(f"grading workers died on {self.pool.retried} submission(s): each was "
                       f"retried alone, {self.pool.culprits} killed its worker again")
        if self.pool.peak_vm_mb:
            limit = (f"limit {self.worker_memory_mb} MB" if self.worker_memory_mb
                     else "no limit")
            out.append(f"worker memory peak: {self.pool.peak_vm_mb:.0f} MB address space, "
                       f"{self.pool.peak_rss_mb:.0f} MB resident ({limit})")
        if self.backup:
            out.append(f"gradebook backup: {self.backup}")
        out.extend(f"warning: {w}" for w in self.warnings)
        return out


# -- worker side ---------------------------------------------------------------------------
_WORKER_LEASE: SlotLease | None = None
_WORKER_SPARE: SlotLease | None = None      # the slot the next notebook's kernel boots on


def _init_worker(log_path: str | None, jailed: bool | None = None) -> None:
    """Lease two machine-wide slots (own sandbox uids) and send grader logs to the course's log.

    Two slots: the worker starts its next notebook's kernel while it evaluates the
    current one, each on its own uid (`autograders.sandbox.ahead`).

    Runs after `autograders.pool` has set the worker's memory limit. ``jailed`` is the
    parent's `sandbox.bwrap.decide()` answer, so the worker neither probes again nor
    decides differently from the run it belongs to.
    """
    global _WORKER_LEASE, _WORKER_SPARE
    _WORKER_LEASE = acquire_slot()       # held until the worker process exits
    _WORKER_SPARE = acquire_slot()
    if jailed is not None:
        from autograders.sandbox.bwrap import adopt

        adopt(jailed)
    if log_path:
        route_logs(Path(log_path))


def route_logs(log_path: Path | None) -> logging.Handler | None:
    """Write ``autograders`` log records (evaluator tracebacks...) to a file, not the console.

    Grading failures are recorded per submission with their reason; the tracebacks behind
    them are for the course maintainer, so they go to ``<course>/grading.log``. Returns
    the handler so the parent can detach it when the run ends (``None`` detaches all).
    """
    logger = logging.getLogger("autograders")
    if log_path is None:
        return None
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(name)s %(levelname)s "
                                           "%(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    return handler


def _unroute_logs(handler: logging.Handler | None) -> None:
    logger = logging.getLogger("autograders")
    if handler is not None:
        logger.removeHandler(handler)
        handler.close()
    if not logger.handlers:
        logger.propagate = True


def grade_job(job: Job, secret: str, slot: int | None = None) -> dict[str, Any]:
    """Grade one submission (runs in a worker); never raises, returns plain data."""
    started = time.monotonic()
    try:
        from autograders.checks import load_evaluators
        from autograders.sandbox import Limits

        if job.grader:
            module, _, name = job.grader.partition(":")
            grade_notebook = getattr(importlib.import_module(module), name)
        else:
            from autograders.sandbox import grade_notebook
        evaluators = load_evaluators(job.unit, job.evaluators_spec, base_dir=Path(job.unit_dir))
        limits = Limits(**job.limits) if job.limits else Limits()
        ahead = {}
        if (not job.grader and slot is None and _WORKER_LEASE and _WORKER_SPARE
                and more_jobs_queued()):
            ahead = {"spare_slot": _WORKER_SPARE.slot}
        result = grade_notebook(
            Path(job.source_nb), Path(job.submission) if job.submission else None,
            unit=job.unit, trainee_id=job.trainee_id, secret=secret, evaluators=evaluators,
            support_files=[Path(p) for p in job.support_files], limits=limits,
            slot=slot if slot is not None else (_WORKER_LEASE.slot if _WORKER_LEASE else 0),
            **ahead)
        return result.to_dict()
    except MemoryError:
        limit = memory_limit_mb()
        return SubmissionResult(
            job.trainee_id, job.unit, job.notebook, "error",
            reason="the grader ran out of memory on this submission (grading worker limit: "
                   f"{f'{limit} MB' if limit else 'none'}, --worker-memory-mb); it will be "
                   "graded again on the next run",
            duration_s=time.monotonic() - started).to_dict()
    except Exception as exc:  # noqa: BLE001 - a grader bug is recorded, never hidden
        return SubmissionResult(
            job.trainee_id, job.unit, job.notebook, "error",
            reason=f"the grader failed on this submission: {type(exc).__name__}: {exc}; "
                   "it will be graded again on the next run",
            duration_s=time.monotonic() - started).to_dict()


# -- worker limits -------------------------------------------------------------------------
WORKER_LIMITS = ("worker_memory_mb", "worker_timeout_s")


def split_limits(limits: dict[str, Any] | None
                 ) -> tuple[dict[str, Any] | None, int | None, float]:
    """Separate the grading workers' own limits from the sandbox's `Limits` overrides.

    ``worker_memory_mb`` (default `DEFAULT_WORKER_MEMORY_MB`, 0 for no limit) caps each
    worker's address space. ``worker_timeout_s`` is how long a worker may hold one
    submission before it is killed; by default twice the notebook's wall time (kernel
    execution, then evaluators and submitted-function runs) plus five minutes.

    Returns:
        (sandbox limits or None, worker memory in MB or None for none, worker timeout).

    Raises:
        FieldError: a worker limit that is not a usable number.
    """
    from autograders.sandbox.limits import Limits

    rest = {k: v for k, v in (limits or {}).items() if k not in WORKER_LIMITS}
    memory = (limits or {}).get("worker_memory_mb")
    memory = DEFAULT_WORKER_MEMORY_MB if memory is None else memory
    if (not isinstance(memory, int) or isinstance(memory, bool)
            or (memory != 0 and memory < MIN_WORKER_MEMORY_MB)):
        raise FieldError("limits.worker_memory_mb", memory,
                         f"0 (no limit) or a whole number of MB >= {MIN_WORKER_MEMORY_MB}",
                         f"e.g. --worker-memory-mb {DEFAULT_WORKER_MEMORY_MB}")
    timeout = (limits or {}).get("worker_timeout_s")
    if timeout is None:
        notebook_s = rest.get("notebook_timeout_s", Limits.notebook_timeout_s)
        timeout = 2 * float(notebook_s) + 300
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        raise FieldError("limits.worker_timeout_s", timeout, "a positive number of seconds",
                         "e.g. limits={'worker_timeout_s': 1500}")
    return rest or None, memory or None, float(timeout)


# -- planning ------------------------------------------------------------------------------
def submission_checksum(submission: Path | None, source_nb: Path) -> str:
    """Key of a submission in the journal: its bytes and the source it is graded against."""
    sub = hashlib.sha256(submission.read_bytes()).hexdigest() if submission else "missing"
    return f"{sub}:{file_checksum(source_nb)[:16]}"


def trainee_dirs(course: Course) -> list[Path]:
    """Trainee directories under ``submitted/``, sorted by name."""
    if not course.submitted_dir.is_dir():
        return []
    return sorted(p for p in course.submitted_dir.iterdir()
                  if p.is_dir() and not p.is_symlink())   # a link would grade someone else


def plan_unit(course: Course, code: str, *, trainees: list[str] | None = None,
              limits: dict[str, Any] | None = None, grader: str | None = None
              ) -> tuple[list[Job], list[SubmissionResult]]:
    """Jobs for every trainee that submitted a unit, and results decided without grading.

    A trainee directory whose name is not a safe id, or a notebook that is not part of
    the unit, gets a recorded status (never a crash, never a path outside the course).
    """
    unit_dir = course.unit_dir(code)
    spec = load_unit_spec(unit_dir)
    notebooks = course.notebooks(code)
    support = released_support(course.release_dir / code)
    jobs: list[Job] = []
    decided: list[SubmissionResult] = []
    for tdir in trainee_dirs(course):
        tid = tdir.name
        if trainees is not None and tid not in trainees:
            continue
        why = validate_trainee_id(tid)
        if why is not None:
            decided.append(SubmissionResult(tid, code, "*", "invalid_trainee", reason=why))
            continue
        udir = tdir / code
        if not udir.is_dir():
            continue
        for extra in sorted(udir.glob("*.ipynb")):
            if extra.stem not in notebooks:
                decided.append(SubmissionResult(
                    tid, code, extra.stem, "wrong_unit",
                    reason=f"{extra.name} is not a notebook of {code} "
                           f"(expected: {', '.join(n + '.ipynb' for n in notebooks)})"))
        for nb in notebooks:
            src = unit_dir / f"{nb}.ipynb"
            sub = udir / f"{nb}.ipynb"
            present = sub.is_file() and not sub.is_symlink()
            jobs.append(Job(tid, code, nb, str(src), str(sub) if present else None,
                            str(unit_dir), spec.evaluators, support,
                            submission_checksum(sub if present else None, src), limits,
                            grader))
    return jobs, decided


def released_support(release: Path) -> list[str]:
    """The released files copied next to a notebook at grading time (helpers, data).

    What the trainee had besides the notebooks, and never a private file (`private_files`:
    ``grading/``, unit.toml, anything registering evaluators), even if a hand-edited
    release holds one.
    """
    from autograders.release import private_files

    if not release.is_dir():
        return []
    private = set(private_files(release))
    return sorted(str(p) for p in release.rglob("*") if p.is_file()
                  and p.suffix not in (".ipynb", ".pyc") and ".ipynb_checkpoints" not in p.parts
                  and "__pycache__" not in p.parts
                  and ".crm_world" not in p.parts      # a saved company is never graded
                  and str(p.relative_to(release)) not in private)


def harden_permissions(course: Course) -> None:
    """As root, keep course secrets away from the sandbox's unprivileged uid.

    The course root, the unit sources (hidden tests, evaluators), the submissions, the
    executed notebooks, feedback and reports, the gradebook, the status store and the
    secret become owner-only. The jail already holds none of them; this keeps them from
    every other local uid too (a slot uid graded without the jail, another user).
    """
    if os.geteuid() != 0:
        return
    # the course root first: nothing below it (executed notebooks, feedback, reports
    # written later with the default umask) is reachable by another uid
    for path in (course.root, course.units_dir, course.submitted_dir, course.backups_dir,
                 course.autograded_dir, course.feedback_dir, course.reports_dir):
        if path.exists():
            path.chmod(stat.S_IRWXU)
    for path in (course.gradebook_path, course.secret_path, course.status_db_path):
        if path.exists():
            path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def write_autograded(course: Course, result: SubmissionResult) -> Path | None:
    """Save the sanitised executed notebook where nbgrader's formgrader expects it."""
    if not result.executed_notebook or validate_trainee_id(result.trainee_id):
        return None
    out = course.autograded_dir / result.trainee_id / result.unit / f"{result.notebook}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        nb = nbformat.from_dict(result.executed_notebook)
        nbformat.write(nb, out)
    except Exception as exc:  # noqa: BLE001 - malformed executed notebook: keep the grade
        log.warning("could not write %s: %s", out, exc)
        return None
    return out


# -- the run -------------------------------------------------------------------------------
class _Parent:
    """The single writer: gradebook, autograded notebooks and status store."""

    def __init__(self, course: Course, store: StatusStore, backup: Path | None, run_id: str):
        self.course = course
        self.store = store
        self.backup = backup
        self.run_id = run_id
        self.writer = GradebookWriter(course)
        self.writer.last_checksum = file_checksum(course.gradebook_path)
        self.applied: list[tuple[SubmissionResult, str | None]] = []
        self.warnings: list[str] = []

    def accept(self, data: dict[str, Any] | SubmissionResult, job: Job | None
               ) -> SubmissionResult:
        """Validate one result and write it everywhere (``job`` None: decided, not graded)."""
        if isinstance(data, SubmissionResult):
            result = data
        else:
            try:
                result = SubmissionResult.from_dict(data)
            except (TypeError, ValueError) as exc:
                result = SubmissionResult(job.trainee_id, job.unit, job.notebook, "error",
                                          reason=f"worker returned malformed data: {exc}")
        if job is not None and Path(result.notebook).stem == job.notebook:
            result.notebook = job.notebook  # the sandbox may name it with ".ipynb"
            for cell in result.cells:
                cell.notebook = job.notebook
        if job is not None and (result.trainee_id, result.unit, result.notebook) != (
                job.trainee_id, job.unit, job.notebook):
            result = SubmissionResult(job.trainee_id, job.unit, job.notebook, "error",
                                      reason="worker returned a result for another submission")
        checksum = job.checksum if job is not None else None
        if job is not None:  # decided results (bad ids) never reach the gradebook
            write_autograded(self.course, result)
            result.executed_notebook = None   # on disk now; keep the run's memory small
            self._write_gradebook(result)
        self.store.record(result, checksum=checksum, run_id=self.run_id,
                          journal=job is not None)
        self.store.save_gradebook_checksum(self.writer.last_checksum or "")
        self.applied.append((result, checksum))
        return result

    def _write_gradebook(self, result: SubmissionResult) -> None:
        try:
            self.warnings.extend(self.writer.write(result))
        except GradebookTampered as exc:
            if self.backup is None:
                raise CourseError(f"{exc}; no backup exists to restore") from exc
            restore_gradebook(self.course, self.backup)
            self.store.forget_run(self.run_id)
            self.writer.last_checksum = file_checksum(self.course.gradebook_path)
            redo = [r for r, c in self.applied if c is not None]
            for earlier in redo:
                self.writer.write(earlier)
            self.writer.write(result)
            for earlier, checksum in self.applied:
                if checksum is not None:
                    self.store.record(earlier, checksum=checksum, run_id=self.run_id)
            self.warnings.append(f"{exc}; restored it from backup {self.backup.name} and "
                                 f"re-applied {len(redo)} result(s) of this run")


def grade(course: Course, unit: str | list[str], *, jobs: int = 1, force: bool = False,
          secret: str | None = None, trainees: list[str] | None = None,
          limits: dict[str, Any] | None = None, progress: bool = True,
          mp_context: str | None = None, grader: str | None = None,
          allow_unsandboxed: bool = False, cluster: str | None = None) -> RunSummary:
    """Autograde every submission of one unit (or ``all``) and write the gradebook.

    Args:
        course: the resolved course.
        unit: a unit code, ``all``, or a list of unit codes (graded in one pool).
        jobs: worker processes (1 still grades in a worker, never in this process).
        force: regrade submissions the journal says are finished.
        secret: course secret (default: read ``.secret``; tests pass a fixed one).
        trainees: only these trainee ids (default: everyone under ``submitted/``).
        limits: sandbox `Limits` overrides as a plain dict, plus the workers' own
            ``worker_memory_mb`` and ``worker_timeout_s`` (see `split_limits`).
        progress: show a tqdm progress bar.
        mp_context: "forkserver" or "spawn" (default: forkserver where available).
        grader: "module:function" used instead of the sandbox's ``grade_notebook``
            (same signature); for tests of the orchestration without kernels.
        allow_unsandboxed: grade even where the bubblewrap jail cannot run; every
            result then carries ``sandboxed: false`` and every report says so.
        cluster: address of a Dask scheduler (``tcp://host:8786``): the jobs are graded
            on its workers, each in the same pool and jail as here (`autograders.cluster`),
            and ``jobs`` is ignored; this process still writes every result.

    Raises:
        CourseError: unknown unit, missing secret, unit not released, workers that
            cannot start, or no jail without `allow_unsandboxed`.
        FieldError: a worker limit that is not a usable number.
    """
    if jobs < 1:
        raise CourseError(f"--jobs must be at least 1, got {jobs}")
    limits, worker_memory_mb, worker_timeout_s = split_limits(limits)
    local = cluster is None
    jailed = _sandbox_decision(allow_unsandboxed) if grader is None and local else None
    started = time.monotonic()
    if isinstance(unit, str):
        codes = course.resolve_units(unit)
    else:
        codes = [c for u in unit for c in course.resolve_units(u)]
    secret = secret if secret is not None else course.read_secret()
    for code in codes:
        if not (course.release_dir / code).is_dir():
            raise CourseError(f"unit {code} has not been released: run "
                              f"`crm-course release {code}` first")
    summary = RunSummary(units=codes, worker_memory_mb=worker_memory_mb)
    config = WorkerConfig(memory_mb=worker_memory_mb, timeout_s=worker_timeout_s)
    if jailed is False:
        summary.warnings.append("graded WITHOUT the sandbox (--allow-unsandboxed): results "
                                "are marked sandboxed=false and every report says so")
    all_jobs: list[Job] = []
    decided: list[SubmissionResult] = []
    with StatusStore(course.status_db_path) as store:
        for code in codes:
            if force:
                store.clear_journal(code)
            planned, pre = plan_unit(course, code, trainees=trainees, limits=limits,
                                     grader=grader)
            decided.extend(pre)
            for job in planned:
                if store.finished(job.trainee_id, job.unit, job.notebook, job.checksum):
                    summary.resumed += 1
                else:
                    all_jobs.append(job)
        summary.backup = backup_gradebook(course)
        harden_permissions(course)
        parent = _Parent(course, store, summary.backup, uuid.uuid4().hex)
        for result in decided:
            parent.accept(result, None)
            summary.statuses[result.status] += 1
        log_path = course.root / "grading.log"
        handler = route_logs(log_path)
        try:
            if local:
                results = _run_jobs(all_jobs, secret, jobs, progress, mp_context, parent,
                                    log_path, config, summary.pool, jailed)
            else:
                from autograders.cluster import RemoteSettings, run_remote

                settings = RemoteSettings(secret, worker_memory_mb, worker_timeout_s,
                                          allow_unsandboxed)
                results = run_remote(all_jobs, settings, cluster, summary.pool, parent,
                                     progress)
            for result in results:
                summary.graded += 1
                summary.statuses[result.status] += 1
        finally:
            _unroute_logs(handler)
            parent.writer.close()
        summary.warnings.extend(parent.warnings)
    harden_permissions(course)
    summary.seconds = time.monotonic() - started
    return summary


def _pool_context(name: str | None) -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    chosen = name or ("forkserver" if "forkserver" in methods else "spawn")
    ctx = multiprocessing.get_context(chosen)
    if chosen == "forkserver":
        # workers fork from a server that imported the grader once, instead of each
        # importing it again (no effect when this process's forkserver already runs)
        # (pandas, the engine and the evaluator API too: every worker needs them, ~0.5 s
        # of CPU each when imported per worker)
        ctx.set_forkserver_preload(["autograders.grading", "autograders.pool",
                                    "autograders.sandbox.grade", "pandas", "crm_sim.world",
                                    "crm_sim.trainee", "autograders.checks"])
    return ctx


def _sandbox_decision(allow_unsandboxed: bool) -> bool:
    """Probe bubblewrap once for the run: True when every run is jailed.

    Raises:
        CourseError: bubblewrap cannot run here and no unsandboxed run was accepted; the
            message says why and how to fix it.
    """
    from autograders.sandbox.bwrap import SandboxUnavailable, decide

    try:
        return decide(allow_unsandboxed)
    except SandboxUnavailable as exc:
        raise CourseError(str(exc)) from exc


def _run_jobs(jobs: list[Job], secret: str, n_workers: int, progress: bool,
              mp_context: str | None, parent: _Parent, log_path: Path | None,
              config: WorkerConfig, stats: PoolStats, jailed: bool | None = None):
    """Yield accepted results as workers finish; the parent writes each one at once.

    Even one job runs in a worker: an evaluator that blows up memory or calls
    ``os._exit`` then costs that submission, not this process and the whole run.
    """
    from tqdm import tqdm

    if not jobs:
        return
    bar = tqdm(total=len(jobs), desc="grading", unit="nb", disable=not progress)
    config.initializer = _init_worker
    config.initargs = (str(log_path) if log_path else None, jailed)
    try:
        for outcome in run_jobs(jobs, grade_job, (secret,),
                                n_workers=min(n_workers, len(jobs)),
                                ctx=_pool_context(mp_context), config=config, stats=stats):
            result = parent.accept(_outcome_data(outcome, config.timeout_s), outcome.job)
            bar.update(1)
            yield result
    finally:
        bar.close()


def _outcome_data(outcome: Outcome, timeout_s: float | None) -> dict[str, Any]:
    """A worker's result, or the culprit's `error` row when its worker died twice."""
    if outcome.died is None:
        return outcome.data
    job = outcome.job
    if outcome.timed_out:
        reason = (f"the grading worker took longer than the {timeout_s:g} s allowed for "
                  "one submission and was stopped, twice; it will be graded again on the "
                  "next run")
    else:
        reason = ("the grading worker died while grading this submission (killed: memory "
                  "limit or crash); it will be graded again on the next run")
    return SubmissionResult(job.trainee_id, job.unit, job.notebook, "error",
                            reason=reason).to_dict()
