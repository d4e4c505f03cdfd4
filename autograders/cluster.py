"""Grade on a Dask distributed cluster: the jobs travel, the one gradebook writer stays here.

`crm-course grade --cluster tcp://HOST:8786` plans the same `Job`s as a local run, but
instead of starting grading workers on this machine it hands them to a running Dask
scheduler (`dask scheduler` on one server, `dask worker` on each grading server). The
instructor's process keeps the only write access to the gradebook, the autograded
notebooks and the status journal (`autograders.grading._Parent`): results come back as
plain `SubmissionResult` data and are written here, one at a time.

What a Dask task does on a grading server is exactly what a local run does on this one:
`grade_group` starts the local pool (`autograders.pool.run_jobs`, one worker process,
the same `WorkerConfig`: memory cap, wall-clock cap, die-with-parent, a dead worker's job
retried once alone) and each job is graded by `autograders.grading.grade_job`, which runs
the submission in the bubblewrap jail under a machine-wide slot's own uid. Trainee code
therefore never runs in the Dask worker process itself, and a worker that cannot jail
refuses the run before any job is sent (`worker_preflight`) unless the instructor
accepted an unsandboxed run.

Servers share no disk: the files a job needs travel with it. A unit's folder (source
notebooks, helpers, evaluators; never a submission) and its released support files are
packed once per unit (`UnitBundle`) and broadcast to every worker, which unpacks them
into a private temporary folder (0700) it reuses for later tasks; each task carries its
trainee's submitted notebooks as bytes. One task grades one trainee's notebooks of one
unit (the local pool's affinity: the trainee's company is built once per worker process).

The cluster is as trusted as the grading machine: the unit's evaluators (answer keys)
and the course secret travel to its workers, and Dask's own connections carry no
authentication unless TLS is configured, so the scheduler and workers must sit on the
training centre's private network (docs/deploy.md).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from autograders.commands.errors import CourseError
from autograders.pool import PoolStats, WorkerConfig

SKIPPED_PARTS = {"__pycache__", ".ipynb_checkpoints", ".crm_world"}
CONNECT_TIMEOUT_S = 20
CLUSTER_DIR_ENV = "CRM_CLUSTER_DIR"      # where workers unpack units (default: temp dir)


@dataclass
class UnitBundle:
    """A unit's files as bytes, keyed by their path inside the bundle, and their digest.

    ``unit/...`` is the unit folder, ``release/...`` the released support files and
    ``private/...`` an evaluator module kept outside the unit folder (a training
    centre's private copy of ``grading/``).
    """

    files: dict[str, bytes]
    digest: str = ""

    def __post_init__(self) -> None:
        if not self.digest:
            h = hashlib.sha256()
            for name in sorted(self.files):
                h.update(name.encode() + b"\0" + hashlib.sha256(self.files[name]).digest())
            self.digest = h.hexdigest()[:24]


@dataclass
class RemoteJob:
    """One job as it travels: the `Job` with bundle-relative paths and its submission bytes."""

    job: Any                      # autograders.grading.Job, paths relative to the bundle
    submission: bytes | None = None
    unit_digest: str = ""


@dataclass
class RemoteSettings:
    """What every task needs besides its jobs (plain data)."""

    secret: str
    memory_mb: int | None
    timeout_s: float | None
    allow_unsandboxed: bool = False


# -- packing (instructor side) -------------------------------------------------------------
def _files_under(root: Path, prefix: str) -> dict[str, bytes]:
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and not path.is_symlink() and not SKIPPED_PARTS & set(rel.parts):
            out[f"{prefix}/{rel.as_posix()}"] = path.read_bytes()
    return out


def pack_unit(job) -> tuple[UnitBundle, dict[str, str]]:
    """Pack the files a unit's jobs read, and the job fields rewritten to bundle paths.

    Returns:
        (the bundle, ``{"source_nb", "unit_dir", "evaluators_spec", "support_files"}``
        relative to the bundle root; ``support_files`` as a list).
    """
    unit_dir = Path(job.unit_dir)
    files = _files_under(unit_dir, "unit")
    release = _release_root(job)
    support = []
    for path in job.support_files:
        rel = Path(path).relative_to(release) if release else Path(Path(path).name)
        name = f"release/{rel.as_posix()}"
        files[name] = Path(path).read_bytes()
        support.append(name)
    spec = job.evaluators_spec
    if spec and (spec.endswith(".py") or "/" in spec) and Path(spec).is_absolute():
        private = Path(spec)
        try:
            spec = "unit/" + private.relative_to(unit_dir).as_posix()
        except ValueError:       # outside the unit folder: ship its folder as private/
            files.update(_files_under(private.parent, "private"))
            spec = f"private/{private.name}"
    elif spec and (spec.endswith(".py") or "/" in spec):
        spec = f"unit/{spec}"
    fields = {"source_nb": f"unit/{Path(job.source_nb).relative_to(unit_dir).as_posix()}",
              "unit_dir": "unit", "evaluators_spec": spec, "support_files": support}
    return UnitBundle(files), fields


def _release_root(job) -> Path | None:
    """The release folder the job's support files come from (``<course>/release/<UNIT>``)."""
    course_root = Path(job.unit_dir).parent.parent
    release = course_root / "release" / job.unit
    return release if release.is_dir() else None


def plan_remote(jobs: list) -> tuple[dict[str, UnitBundle], list[list[RemoteJob]]]:
    """Bundles by digest, and the jobs grouped per (unit, trainee) as they will travel."""
    bundles: dict[str, UnitBundle] = {}
    fields_by_unit: dict[str, tuple[str, dict[str, str]]] = {}
    groups: dict[tuple[str, str], list[RemoteJob]] = {}
    for job in jobs:
        if job.unit not in fields_by_unit:
            bundle, fields = pack_unit(job)
            bundles[bundle.digest] = bundle
            fields_by_unit[job.unit] = (bundle.digest, fields)
        digest, fields = fields_by_unit[job.unit]
        source = f"unit/{Path(job.source_nb).relative_to(job.unit_dir).as_posix()}"
        moved = replace(job, source_nb=source, unit_dir=fields["unit_dir"],
                        evaluators_spec=fields["evaluators_spec"],
                        support_files=list(fields["support_files"]),
                        submission=f"{job.notebook}.ipynb" if job.submission else None)
        data = Path(job.submission).read_bytes() if job.submission else None
        groups.setdefault((job.unit, job.trainee_id), []).append(
            RemoteJob(moved, data, digest))
    return bundles, list(groups.values())


# -- grading server side -------------------------------------------------------------------
def worker_preflight(allow_unsandboxed: bool = False) -> dict[str, Any]:
    """Run on every Dask worker before any job: can it start graders, and jail them?

    A Dask worker started by a nanny is a daemonic process by default, and Python does
    not let a daemonic process start the grading worker that holds the jail's slot.
    """
    import multiprocessing

    from autograders.sandbox.bwrap import SandboxUnavailable, decide

    if multiprocessing.current_process().daemon:
        return {"ok": False, "reason": "the Dask worker is a daemonic process and cannot "
                "start grading processes: start it with DASK_DISTRIBUTED__WORKER__DAEMON=False"}
    try:
        jailed = decide(allow_unsandboxed)
    except SandboxUnavailable as exc:
        return {"ok": False, "reason": str(exc)}
    return {"ok": True, "jailed": jailed, "pid": os.getpid()}


def _unpacked(bundle: UnitBundle) -> Path:
    """The bundle's files in this server's private cache folder (unpacked once)."""
    base = Path(os.environ.get(CLUSTER_DIR_ENV) or Path(tempfile.gettempdir()) / "crm-cluster")
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(base, 0o700)
    target = base / bundle.digest
    if target.is_dir():
        return target
    staging = Path(tempfile.mkdtemp(prefix=f".{bundle.digest}-", dir=base))
    for name, data in bundle.files.items():
        path = staging / name
        if ".." in Path(name).parts or Path(name).is_absolute():
            raise ValueError(f"unsafe path in unit bundle: {name!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    try:
        staging.rename(target)
    except OSError:              # another task of this server unpacked it first
        shutil.rmtree(staging, ignore_errors=True)
    return target


def grade_group(group: list[RemoteJob], bundle: UnitBundle, settings: RemoteSettings
                ) -> dict[str, Any]:
    """Grade one trainee's notebooks of one unit on this server, as a local run would.

    Runs as a Dask task. The jobs go through `autograders.pool.run_jobs` with one
    grading worker (jail slot, memory and wall-clock caps, retry of a dead job alone),
    never in this process.

    Returns:
        ``{"results": one plain result per job in the group's order, "stats": the
        worker's memory peaks and deaths}``.
    """
    from autograders.grading import _init_worker, _outcome_data, _pool_context, grade_job
    from autograders.pool import run_jobs
    from autograders.sandbox.bwrap import SandboxUnavailable, decide

    root = _unpacked(bundle)
    work = Path(tempfile.mkdtemp(prefix="crm-task-", dir=root.parent))
    try:
        try:
            jailed = decide(settings.allow_unsandboxed)
        except SandboxUnavailable as exc:
            raise RuntimeError(str(exc)) from exc
        local = []
        for index, remote in enumerate(group):
            job = remote.job
            submission = None
            if remote.submission is not None:
                submission = work / str(index) / job.submission
                submission.parent.mkdir(parents=True)
                submission.write_bytes(remote.submission)
            local.append(replace(
                job, source_nb=str(root / job.source_nb), unit_dir=str(root / job.unit_dir),
                evaluators_spec=(str(root / job.evaluators_spec)
                                 if job.evaluators_spec and "/" in job.evaluators_spec
                                 else job.evaluators_spec),
                support_files=[str(root / p) for p in job.support_files],
                submission=str(submission) if submission else None))
        config = WorkerConfig(memory_mb=settings.memory_mb, timeout_s=settings.timeout_s,
                              initializer=_init_worker, initargs=(None, jailed),
                              env=dict(os.environ))
        order = {id(job): i for i, job in enumerate(local)}
        results: list[dict[str, Any] | None] = [None] * len(local)
        stats = PoolStats()
        for outcome in run_jobs(local, grade_job, (settings.secret,), n_workers=1,
                                ctx=_pool_context(None), config=config, stats=stats):
            results[order[id(outcome.job)]] = _outcome_data(outcome, settings.timeout_s)
        return {"results": results, "stats": asdict(stats)}
    finally:
        shutil.rmtree(work, ignore_errors=True)


# -- the run (instructor side) -------------------------------------------------------------
def connect(address: str):
    """A Dask client for the scheduler at ``address``.

    Raises:
        CourseError: distributed is not installed, or no scheduler answers there.
    """
    try:
        from distributed import Client
    except ImportError as exc:
        raise CourseError("grading on a cluster needs the `distributed` package: "
                          "pip install distributed") from exc
    try:
        return Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise CourseError(f"no Dask scheduler answered at {address!r} ({exc}): start one with "
                          "`dask scheduler` and pass its address, e.g. "
                          "--cluster tcp://10.0.0.5:8786") from exc


def check_workers(client, allow_unsandboxed: bool) -> dict[str, Any]:
    """Run `worker_preflight` on every worker; refuse the run if any cannot grade safely.

    Raises:
        CourseError: no worker is connected, or a worker cannot start jailed graders.
    """
    answers = client.run(worker_preflight, allow_unsandboxed)
    if not answers:
        raise CourseError(f"the Dask scheduler at {client.scheduler.address} has no workers: "
                          "start `dask worker SCHEDULER_ADDRESS` on each grading server")
    refused = {addr: a["reason"] for addr, a in answers.items() if not a.get("ok")}
    if refused:
        detail = "; ".join(f"{addr}: {why}" for addr, why in sorted(refused.items()))
        raise CourseError(f"{len(refused)} Dask worker(s) cannot grade safely: {detail}")
    return answers


def run_remote(jobs: list, settings: RemoteSettings, address: str, stats: PoolStats,
               parent, progress: bool = False) -> Iterator[Any]:
    """Send the jobs to the cluster and yield each result once the parent has written it.

    A task the cluster could not finish (its Dask worker lost more than the scheduler's
    allowed failures) becomes an ``error`` row for each of its notebooks, which a plain
    rerun grades again.
    """
    from tqdm import tqdm

    if not jobs:
        return
    bundles, groups = plan_remote(jobs)
    client = connect(address)
    bar = tqdm(total=len(jobs), desc="grading (cluster)", unit="nb", disable=not progress)
    try:
        yield from _submit_and_collect(client, bundles, groups, jobs, settings,
                                       stats, parent, bar)
    finally:
        bar.close()
        client.close()


def _submit_and_collect(client, bundles, groups, jobs, settings, stats, parent, bar):
    """Check the workers, send the unit bundles and the tasks, accept results as they come."""
    from distributed import as_completed

    from autograders.results import SubmissionResult

    with client.as_current():
        check_workers(client, settings.allow_unsandboxed)
        scattered = {d: client.scatter(b, broadcast=True, hash=False)
                     for d, b in bundles.items()}
        originals = {_key(j): j for j in jobs}
        futures = {}
        for group in groups:
            future = client.submit(grade_group, group, scattered[group[0].unit_digest],
                                   settings, pure=False)
            futures[future] = group
        for future in as_completed(futures):
            group = futures[future]
            try:
                answer = future.result()
                _add_stats(stats, answer["stats"])
                datas = answer["results"]
                failure = "the grading server returned no result for this submission"
            except Exception as exc:  # noqa: BLE001 - the cluster's failure, per notebook
                datas = []
                failure = f"the grading cluster could not grade this submission " \
                          f"({type(exc).__name__}: {exc})"
            for index, remote in enumerate(group):
                data = datas[index] if index < len(datas) else SubmissionResult(
                    remote.job.trainee_id, remote.job.unit, remote.job.notebook, "error",
                    reason=f"{failure}; it will be graded again on the next run").to_dict()
                bar.update(1)
                yield parent.accept(data, originals[_key(remote.job)])


def _key(job) -> tuple[str, str, str]:
    return job.unit, job.trainee_id, job.notebook


def _add_stats(total: PoolStats, part: dict[str, float]) -> None:
    """Fold one task's worker peaks and deaths into the run's statistics."""
    total.peak_vm_mb = max(total.peak_vm_mb, part.get("peak_vm_mb", 0.0))
    total.peak_rss_mb = max(total.peak_rss_mb, part.get("peak_rss_mb", 0.0))
    total.retried += int(part.get("retried", 0))
    total.culprits += int(part.get("culprits", 0))
