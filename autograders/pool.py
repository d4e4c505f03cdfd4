"""Grading worker processes where a dead worker costs only the job it held.

`concurrent.futures.ProcessPoolExecutor` is the wrong tool for untrusted work: when one
of its workers dies (the OOM killer, a segfault in a C extension, ``os._exit`` inside an
evaluator) it fails *every* pending future with ``BrokenProcessPool`` and kills the
other workers, so innocent trainees' submissions were recorded as errors with the
culprit's. Here each worker has its own pipe and holds at most one job, so the parent
always knows which job a death cost:

- a job whose worker dies (or overruns ``timeout_s``) is a *suspect*; no new job starts
  until every job in flight has finished, then the suspect is retried **alone** on a
  freshly started worker, so memory pressure from another job cannot be blamed on it;
- a suspect that ends its worker again is the *culprit*: it comes back as an
  `Outcome` with ``died`` set, which the caller records as an error;
- jobs that never started are never touched, and each job runs at most twice, so a
  cohort of N submissions costs at most 2N runs and cannot stall.

Each worker gets a soft ``RLIMIT_AS`` of ``memory_mb`` before it grades anything:
an allocation past it raises ``MemoryError`` in that worker instead of growing the
machine into the OOM killer (a hostile query took a worker to 2 GB). The default,
`DEFAULT_WORKER_MEMORY_MB` = 1536 MB, is about three times a measurement: two workers
grading every notebook of ITCSCR304A and ITCSCR410A for a "full" and a "hostile" demo
trainee (12 notebooks, real kernels, 2 cores, Python 3.11) peaked at 566 MB of address
space (VmPeak) and 178 MB resident (VmHWM); one process doing the same in-process
peaked at 509 MB and 200 MB, and a preloaded worker starts at 116 MB. Each run prints
the peaks its workers reported, so the limit can be re-checked on any machine.
Only the soft limit is set: it is inherited by the processes a worker starts, and the
sandbox sets its own cap (soft and hard) for the kernels, which it may raise to.

Workers also see the environment of the run that started them (a forkserver started by
an earlier run in the same process would otherwise keep the old one), and die with
their parent, so a killed grading command leaves no worker behind.
"""

from __future__ import annotations

import logging
import os
import resource
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any

from autograders.commands.errors import CourseError

log = logging.getLogger(__name__)

MB = 1024 * 1024
DEFAULT_WORKER_MEMORY_MB = 1536     # ~3 x the measured 566 MB peak (module docstring)
MIN_WORKER_MEMORY_MB = 256          # below this the grader cannot even import pandas
START_FAILURES_ALLOWED = 3          # workers dying before they are ready: then give up


@dataclass
class WorkerConfig:
    """How every worker is set up (plain data: it crosses into the worker).

    Attributes:
        memory_mb: soft RLIMIT_AS of each worker; None leaves it unlimited.
        timeout_s: longest a worker may hold one job before it is killed; None: no cap.
        initializer: called once in each worker after the limits are set.
        initargs: its arguments.
        env: the environment the worker runs with (default: this process's, now).
    """

    memory_mb: int | None = DEFAULT_WORKER_MEMORY_MB
    timeout_s: float | None = None
    initializer: Callable[..., None] | None = None
    initargs: tuple = ()
    env: dict[str, str] | None = field(default_factory=lambda: dict(os.environ))


@dataclass
class Outcome:
    """What became of one job: the worker's return value, or why it never came."""

    job: Any
    data: Any = None
    died: str | None = None       # the culprit's death, in words ("killed by SIGKILL")
    timed_out: bool = False       # the culprit was killed for holding its worker too long


@dataclass
class PoolStats:
    """Peaks reported by workers after each job, and how many deaths were retried."""

    peak_vm_mb: float = 0.0
    peak_rss_mb: float = 0.0
    retried: int = 0
    culprits: int = 0


def limit_memory(memory_mb: int) -> None:
    """Cap this process's address space (soft limit only; see the module docstring)."""
    soft = memory_mb * MB
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def memory_limit_mb() -> int | None:
    """This process's soft address-space limit in MB (None: unlimited)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else soft // MB


def peak_memory_mb() -> tuple[float, float]:
    """(peak address space, peak resident set) of this process in MB, from /proc."""
    values = {"VmPeak": 0.0, "VmHWM": 0.0}
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                key, _, rest = line.partition(":")
                if key in values:
                    values[key] = int(rest.split()[0]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return values["VmPeak"], values["VmHWM"]


def _die_with_parent(lifeline) -> None:
    """End this worker at once when the grading process dies, even in the middle of a job.

    The parent alone holds the write end of ``lifeline``; when it dies (SIGKILL
    included) the read end sees EOF. A worker started by a forkserver is not the grading
    process's child, so ``PR_SET_PDEATHSIG`` could not do this.
    """
    def watch() -> None:
        try:
            lifeline.recv()
        except (EOFError, OSError):
            pass
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="lifeline", daemon=True).start()


# In a worker: whether the parent still had jobs queued when it sent the current one.
_hint = {"more": True}


def more_jobs_queued() -> bool:
    """In a worker: True when other jobs were still waiting as the current one was sent.

    Why: a worker that prepares for its next job (`autograders.sandbox.ahead` starts the
    next kernel early) wastes that work after the run's last job; this tells it when
    no further job is likely. Only a hint: jobs come back when a worker dies.
    """
    return _hint["more"]


def _worker_main(conn, lifeline, call: Callable[..., Any], args: tuple,
                 config: WorkerConfig) -> None:
    """A worker's life: set up, say ready, run one job per message until told to stop."""
    try:
        _die_with_parent(lifeline)
        if config.env is not None:
            os.environ.clear()
            os.environ.update(config.env)
        if config.memory_mb:
            limit_memory(config.memory_mb)
        if config.initializer is not None:
            config.initializer(*config.initargs)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which stops
        conn.send(("init_failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):     # the parent is gone
            return
        if message is None:
            return
        job, _hint["more"] = message
        data = call(job, *args)
        conn.send(("done", data, peak_memory_mb()))


class _Worker:
    """One worker process, its pipe and the job it holds (index into the job list)."""

    def __init__(self, ctx, call: Callable[..., Any], args: tuple, config: WorkerConfig):
        self.conn, child = ctx.Pipe(duplex=True)
        lifeline, self.lifeline = ctx.Pipe(duplex=False)    # only we hold the write end
        self.proc = ctx.Process(target=_worker_main,
                                args=(child, lifeline, call, args, config),
                                name="crm-grading-worker")
        self.proc.start()
        child.close()
        lifeline.close()
        self.ready = False
        self.used = False               # has held a job: not "fresh" for an isolated retry
        self.job: int | None = None
        self.started = 0.0
        self.affinity: Any = None       # the affinity key of the last job it held

    def give(self, index: int, job: Any, more: bool = True) -> bool:
        """Send a job (and whether others still wait); False when the worker is gone."""
        try:
            self.conn.send((job, more))
        except OSError:
            return False
        self.job, self.used, self.started = index, True, time.monotonic()
        return True

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the worker to exit; kill it if it does not within ``timeout``."""
        if self.proc.is_alive():
            try:
                self.conn.send(None)
            except OSError:
                pass
            self.proc.join(timeout)
        self.kill()

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()
        self.lifeline.close()

    def death(self) -> str:
        """How the process ended, in words, once it has."""
        self.kill()
        code = self.proc.exitcode
        if code is None:
            return "did not exit"
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exited with code {code}"


def run_jobs(jobs: list[Any], call: Callable[..., Any], args: tuple = (), *,
             n_workers: int, ctx, config: WorkerConfig,
             stats: PoolStats | None = None) -> Iterator[Outcome]:
    """Run ``call(job, *args)`` for every job in worker processes, yielding outcomes.

    Outcomes come in completion order, exactly one per job. ``call`` must be picklable
    by reference (a module-level function) and should not raise: an exception escaping
    it ends its worker, which counts as that job killing its worker.

    Raises:
        CourseError: a worker could not start (its initializer failed, or workers died
            before they were ready more than START_FAILURES_ALLOWED times).
    """
    pool = _Pool(jobs, call, args, n_workers, ctx, config, stats or PoolStats())
    try:
        while pool.remaining():
            pool.dispatch()
            yield from pool.collect()
    finally:
        pool.close()


class _Pool:
    """The state of one `run_jobs` call: workers, queues and deaths per job."""

    def __init__(self, jobs: list[Any], call: Callable[..., Any], args: tuple,
                 n_workers: int, ctx, config: WorkerConfig, stats: PoolStats):
        self.jobs, self.call, self.args = jobs, call, args
        self.n_workers, self.ctx, self.config, self.stats = n_workers, ctx, config, stats
        self.fresh: deque[int] = deque(range(len(jobs)))   # never started
        self.suspects: deque[int] = deque()                 # died once: retry alone
        self.deaths = [0] * len(jobs)
        self.workers: list[_Worker] = []
        self.start_failures = 0

    def remaining(self) -> int:
        return (len(self.fresh) + len(self.suspects)
                + sum(w.job is not None for w in self.workers))

    def _start(self) -> None:
        self.workers.append(_Worker(self.ctx, self.call, self.args, self.config))

    def dispatch(self) -> None:
        """Hand out jobs: fresh ones to idle workers, or one suspect to a new worker alone."""
        busy = sum(w.job is not None for w in self.workers)
        if self.suspects:
            if busy:                    # wait until everything else has finished
                return
            clean = [w for w in self.workers if not w.used]
            ready = [w for w in clean if w.ready]
            if ready:
                if ready[0].give(self.suspects[0], self.jobs[self.suspects[0]]):
                    self.suspects.popleft()
                    self.stats.retried += 1
            elif not clean:
                if len(self.workers) >= self.n_workers:
                    self.workers.pop(0).stop()      # all idle here: make room
                self._start()
            return
        for w in self.workers:
            if self.fresh and w.ready and w.job is None:
                position = self._pick(w)
                index = self.fresh[position]
                if w.give(index, self.jobs[index], more=len(self.fresh) > 1):
                    del self.fresh[position]
                    w.affinity = _affinity(self.jobs[index])
        while len(self.workers) < min(self.n_workers, len(self.fresh) + busy):
            self._start()

    def _pick(self, w: _Worker) -> int:
        """Position in `fresh` of the job for idle worker `w`, keeping related jobs together.

        Jobs with the same affinity key (a trainee's notebooks of one unit) go to the
        worker that had that key last, so what it built for them (worlds) is reused;
        otherwise a key no other worker holds; otherwise the oldest job.
        """
        if w.affinity is None and all(o.affinity is None for o in self.workers):
            return 0
        held = {o.affinity for o in self.workers if o is not w}
        fallback = None
        for position, index in enumerate(self.fresh):
            key = _affinity(self.jobs[index])
            if key is None:
                return position if fallback is None else fallback
            if key == w.affinity:
                return position
            if fallback is None and key not in held:
                fallback = position
        return 0 if fallback is None else fallback

    def collect(self) -> Iterator[Outcome]:
        """Wait for messages, deaths or overruns and turn them into outcomes."""
        timeout_s = self.config.timeout_s
        now = time.monotonic()
        ends = [w.started + timeout_s - now for w in self.workers
                if timeout_s is not None and w.job is not None]
        handles = [h for w in self.workers for h in (w.conn, w.proc.sentinel)]
        ready = set(wait(handles, max(0.0, min(ends)) if ends else None))
        for w in list(self.workers):
            overran = (timeout_s is not None and w.job is not None
                       and time.monotonic() - w.started > timeout_s)
            if overran:
                w.proc.kill()
            elif w.conn not in ready and w.proc.sentinel not in ready:
                continue
            message = None if overran else _receive(w)
            if message is None:
                yield from self._ended(w, overran)
            else:
                yield from self._message(w, message)

    def _message(self, w: _Worker, message: tuple) -> Iterator[Outcome]:
        kind = message[0]
        if kind == "ready":
            w.ready = True
        elif kind == "init_failed":
            raise CourseError(f"a grading worker could not start: {message[1]}")
        elif kind == "done" and w.job is not None:
            index, w.job = w.job, None
            vm, rss = message[2]
            self.stats.peak_vm_mb = max(self.stats.peak_vm_mb, vm)
            self.stats.peak_rss_mb = max(self.stats.peak_rss_mb, rss)
            yield Outcome(self.jobs[index], data=message[1])

    def _ended(self, w: _Worker, overran: bool) -> Iterator[Outcome]:
        """A worker is gone: its job (if any) becomes a suspect, or the culprit."""
        how = w.death()
        self.workers.remove(w)
        if w.job is None:
            if not w.ready:
                self.start_failures += 1
                log.warning("grading worker %s %s before it was ready", w.proc.pid, how)
                if self.start_failures > START_FAILURES_ALLOWED:
                    raise CourseError(
                        f"grading workers keep dying before they are ready (last: {how}); "
                        "see grading.log, and raise --worker-memory-mb if it is low")
            return
        index = w.job
        self.deaths[index] += 1
        why = f"held it longer than {self.config.timeout_s:g} s" if overran else how
        log.warning("grading worker %s ended while grading %s (%s; death %d of this job)",
                    w.proc.pid, _name(self.jobs[index]), why, self.deaths[index])
        if self.deaths[index] == 1:
            self.suspects.append(index)
        else:
            self.stats.culprits += 1
            yield Outcome(self.jobs[index], died=how, timed_out=overran)

    def close(self) -> None:
        """Stop idle workers politely and kill busy ones (an interrupted run)."""
        for w in self.workers:
            if w.job is None:
                w.stop()
            else:
                w.kill()
        self.workers.clear()


def _affinity(job: Any) -> Any:
    """A job's affinity key (its ``affinity`` attribute), or None."""
    return getattr(job, "affinity", None)


def _receive(w: _Worker) -> tuple | None:
    """The worker's next message, or None when its pipe ended (it died)."""
    try:
        if w.conn.poll():
            message = w.conn.recv()
            if isinstance(message, tuple) and message:
                return message
    except (EOFError, OSError, ValueError, TypeError, AttributeError) as exc:
        log.debug("worker %s: unreadable message: %s", w.proc.pid, exc)
        return None
    # the sentinel fired with nothing to read: the process is gone
    return None if not w.proc.is_alive() or w.proc.exitcode is not None else ("noop",)


def _name(job: Any) -> str:
    """A job's short name for the log (trainee/unit/notebook when it has them)."""
    parts = [getattr(job, a, None) for a in ("trainee_id", "unit", "notebook")]
    return "/".join(str(p) for p in parts) if all(parts) else repr(job)[:80]
