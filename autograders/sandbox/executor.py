"""Parent side of the sandbox: start a jailed program, watch the clock, kill everything.

One job: run ``argv`` in `workdir` under `Limits` inside the bubblewrap jail
(`autograders.sandbox.bwrap`), feed it `stdin`, collect at most `stdout_cap` bytes of
its stdout, and guarantee that when this returns no process of the run survives. The
jail does the hard part: the run has its own pid namespace and bubblewrap dies with its
parent, so killing bubblewrap kills the namespace's init and the kernel kills every
process of the run with it, ``setsid`` + double-fork daemons included. This module
SIGKILLs bubblewrap and waits until the namespace's init is gone.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from autograders.sandbox import bwrap
from autograders.sandbox.cgroup import RunCgroup
from autograders.sandbox.limits import Limits, can_drop_privileges, slot_ids
from crm_sim.ui.view import DRAW_ENV

# Where sandbox temp dirs live; the parent of each must not be writable by the sandbox.
SANDBOX_ROOT_ENV = "CRM_SANDBOX_TMP"


@dataclass
class RunOutcome:
    """What the parent saw of one sandboxed run."""

    returncode: int | None
    stdout: bytes
    stdout_truncated: bool
    timed_out: bool
    duration_s: float
    stderr_tail: str = ""
    memory_killed: bool = False      # the run's cgroup memory cap killed a process


@dataclass
class Workspace:
    """A fresh private directory for one run, owned by the run's uid when dropping.

    As root inside the jail, the run becomes the worker slot's uid (`slot_ids`); the
    slot is the worker's machine-wide lease (`autograders.slots`), so concurrent workers
    never share an RLIMIT_NPROC budget. `jailed` is this process's decision
    (`bwrap.jailed`): False only for an unsandboxed run the instructor accepted.
    """

    path: Path
    uid: int | None
    gid: int | None
    jailed: bool = True
    python: str = sys.executable

    @classmethod
    def create(cls, slot: int, prefix: str = "crm-sbx-") -> Workspace:
        """Make the directory (0700) and hand it to the slot's uid when running as root."""
        jailed = bwrap.jailed()
        base = os.environ.get(SANDBOX_ROOT_ENV) or None
        uid = gid = None
        if jailed and can_drop_privileges():
            uid, gid = slot_ids(slot)
        path = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
        if uid is not None:
            os.chown(path, uid, gid)
        return cls(path=path, uid=uid, gid=gid, jailed=jailed)

    def give(self, path: Path) -> None:
        """Hand a file or directory made by the parent to the run's uid."""
        if self.uid is not None:
            for p in [path, *(path.rglob("*") if path.is_dir() else [])]:
                os.lchown(p, self.uid, self.gid)

    def remove(self) -> None:
        """Delete the directory (rmtree is symlink-safe on Linux)."""
        shutil.rmtree(self.path, ignore_errors=True)


def json_records(into: list[dict]) -> Callable[[bytes], None]:
    """An ``on_line`` callback for `run_sandboxed` keeping each line that is a JSON object.

    Anything else (a partial line, junk the program printed, nesting deep enough to
    raise RecursionError) is dropped: the sandboxed side controls every byte.
    """

    def on_line(raw: bytes) -> None:
        try:
            record = json.loads(raw)
        except (ValueError, RecursionError):
            return
        if isinstance(record, dict):
            into.append(record)

    return on_line


def base_env(ws: Workspace, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The whole environment of a sandboxed program: nothing that points at the course."""
    home = str(ws.path)
    env = {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"]),
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "JUPYTER_CONFIG_DIR": f"{home}/.jupyter",
        "JUPYTER_DATA_DIR": f"{home}/.jupyter/data",
        "JUPYTER_RUNTIME_DIR": f"{home}/.jupyter/runtime",
        "JUPYTER_PLATFORM_DIRS": "1",
        "IPYTHONDIR": f"{home}/.ipython",
        "MPLCONFIGDIR": f"{home}/.mpl",
        "MPLBACKEND": "Agg",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        # nobody sees a graded run's page (the feedback shows the trainee's own outputs):
        # views compute their values and chart data but draw no table or chart
        DRAW_ENV: "off",
    }
    env.update(extra or {})
    return env


def _nproc_limit(limits: Limits, ws: Workspace) -> int:
    """The RLIMIT_NPROC value that leaves the run `limits.max_processes` tasks.

    The kernel counts every task of the uid: the slot uid runs nothing else, and in the
    jail's own user namespace (grading without root) counting starts afresh (measured:
    a limit of 20 allowed 18 forks). Only an unjailed run without root shares the
    grader's uid, so what that uid already runs is added.
    """
    if ws.uid is not None or ws.jailed:
        return limits.max_processes
    me = os.getuid()
    used = 0
    for p in psutil.process_iter(["uids", "num_threads"]):
        try:
            if p.info["uids"] and p.info["uids"].real == me:
                used += p.info["num_threads"] or 1
        except (psutil.Error, TypeError):
            continue
    return used + limits.max_processes


def jail_argv(ws: Workspace, limits: Limits, program: list[str],
              info_fd: int | None = None) -> list[str]:
    """bubblewrap, then the launcher that applies limits and identity, then `program`.

    Unjailed (an accepted unsandboxed run) only the launcher's rlimits remain.
    """
    config = {"limits": limits.to_dict(), "nproc": _nproc_limit(limits, ws),
              "uid": ws.uid, "gid": ws.gid, "cwd": str(ws.path)}
    launcher = [ws.python, "-I", "-m", "autograders.sandbox.jail", json.dumps(config), "--",
                *program]
    if not ws.jailed:
        return launcher
    return bwrap.bwrap_argv(ws.path, info_fd=info_fd) + launcher


def run_sandboxed(program: list[str], ws: Workspace, limits: Limits, *, wall_timeout_s: float,
                  stdin: bytes = b"", env_extra: dict[str, str] | None = None,
                  stdout_cap: int = 50_000_000,
                  on_line: Callable[[bytes], None] | None = None,
                  line_timeout_s: float | None = None,
                  first_line_timeout_s: float | None = None) -> RunOutcome:
    """Run `program` jailed in `ws` and kill every process of the run afterwards.

    Args:
        program: argv of the sandboxed program after the interpreter (e.g.
            ``[-I, -m, module]``); the workspace's interpreter is prepended.
        ws: the run's workspace (cwd, HOME, uid, interpreter).
        limits: rlimits to apply.
        wall_timeout_s: the parent's hard deadline for the whole run.
        stdin: bytes written to the program's stdin, then closed.
        env_extra: extra variables (e.g. CRM_ARTIFACT_DIR).
        stdout_cap: bytes of stdout kept; the rest is read and discarded.
        on_line: called with each complete stdout line as it arrives (progress events).
        line_timeout_s: kill the run when no stdout line arrives for this long (a hung
            call of a submitted function).
        first_line_timeout_s: the same for the first line (imports take longer).
    """
    run = start_sandboxed(program, ws, limits, env_extra=env_extra, stdout_cap=stdout_cap,
                          on_line=on_line)
    return run.finish(stdin, wall_timeout_s=wall_timeout_s, line_timeout_s=line_timeout_s,
                      first_line_timeout_s=first_line_timeout_s)


def start_sandboxed(program: list[str], ws: Workspace, limits: Limits, *,
                    env_extra: dict[str, str] | None = None, stdout_cap: int = 50_000_000,
                    on_line: Callable[[bytes], None] | None = None) -> StartedRun:
    """Start `program` jailed in `ws` now; its job (stdin) follows with `StartedRun.finish`.

    Why apart from `run_sandboxed`: a grading worker starts the next notebook's jail and
    kernel while it still evaluates the current notebook (`autograders.sandbox.ahead`),
    so the kernel's start-up overlaps work that was waiting anyway. The clock of
    `finish` starts when the job is handed over, not here.
    """
    stderr_file = tempfile.TemporaryFile()      # parent-private: not in the workspace
    info_r, info_w = os.pipe()                  # bubblewrap says its namespace init's pid
    group = RunCgroup.create(limits) if ws.jailed else None     # None: rlimits only
    enter = group.enter_argv() if group is not None else []
    try:
        proc = subprocess.Popen(
            enter + jail_argv(ws, limits, [ws.python, *program], info_fd=info_w), cwd="/",
            env=base_env(ws, env_extra), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=stderr_file, start_new_session=True, close_fds=True, pass_fds=(info_w,))
    except BaseException:
        os.close(info_r)
        stderr_file.close()
        if group is not None:
            group.remove()
        raise
    finally:
        os.close(info_w)
    return StartedRun(proc, info_r, group, stderr_file, stdout_cap, on_line)


class StartedRun:
    """A jailed program that is running and waits for its job on stdin.

    Its stdout is read from the start (lines reach `on_line` as they come); `finish`
    hands over the job and waits, `discard` kills it unused. Either way, when it
    returns no process of the run is left.
    """

    def __init__(self, proc: subprocess.Popen, info_r: int, group: RunCgroup | None,
                 stderr_file: Any, stdout_cap: int,
                 on_line: Callable[[bytes], None] | None):
        self.proc, self.info_r, self.group = proc, info_r, group
        self.stderr_file, self.stdout_cap, self.on_line = stderr_file, stdout_cap, on_line
        self.chunks: list[bytes] = []
        self.state = {"size": 0, "truncated": False, "lines": 0,
                      "last": time.monotonic()}
        self.ended = False
        self.reader = threading.Thread(target=self._pump, daemon=True)
        self.reader.start()

    def _pump(self) -> None:
        pending = b""
        state = self.state
        assert self.proc.stdout is not None
        while True:
            data = self.proc.stdout.read1(65536)
            if not data:
                break
            if state["size"] < self.stdout_cap:
                keep = data[: self.stdout_cap - state["size"]]
                self.chunks.append(keep)
                state["size"] += len(keep)
                if len(keep) < len(data):
                    state["truncated"] = True
                if self.on_line is not None:
                    pending += keep
                    *lines, pending = pending.split(b"\n")
                    for line in lines:
                        state["lines"] += 1
                        state["last"] = time.monotonic()
                        self.on_line(line)
            else:
                state["truncated"] = True

    def alive(self) -> bool:
        """True while the program has not exited (nor been killed)."""
        return not self.ended and self.proc.poll() is None

    def finish(self, stdin: bytes = b"", *, wall_timeout_s: float,
               line_timeout_s: float | None = None,
               first_line_timeout_s: float | None = None) -> RunOutcome:
        """Write `stdin` (then close it), wait within the limits, kill the run, report.

        Timeouts count from now. `first_line_timeout_s` applies while no line has
        arrived since now.
        """
        start = time.monotonic()
        state = self.state
        lines_before = state["lines"]
        state["last"] = start
        proc = self.proc

        def feed() -> None:
            try:
                assert proc.stdin is not None
                proc.stdin.write(stdin)
                proc.stdin.close()
            except (BrokenPipeError, OSError, ValueError):
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        timed_out = False
        try:
            while True:
                try:
                    proc.wait(timeout=0.1)
                    break
                except subprocess.TimeoutExpired:
                    pass
                now = time.monotonic()
                if now - start > wall_timeout_s:
                    timed_out = True
                    break
                if line_timeout_s is not None:
                    allowed = line_timeout_s
                    if state["lines"] == lines_before and first_line_timeout_s is not None:
                        allowed = first_line_timeout_s
                    if now - state["last"] > allowed:
                        timed_out = True
                        break
        finally:
            memory_killed = self._end()
        writer.join(timeout=1)
        stderr_file = self.stderr_file
        stderr_file.seek(0, os.SEEK_END)
        size = stderr_file.tell()
        stderr_file.seek(max(0, size - 4000))
        tail = stderr_file.read().decode("utf-8", "replace")
        stderr_file.close()
        return RunOutcome(returncode=proc.returncode, stdout=b"".join(self.chunks),
                          stdout_truncated=state["truncated"], timed_out=timed_out,
                          duration_s=time.monotonic() - start, stderr_tail=tail,
                          memory_killed=memory_killed)

    def discard(self) -> None:
        """Kill the run unused and wait until none of its processes is left."""
        if not self.ended:
            self._end()
            self.stderr_file.close()
            for pipe in (self.proc.stdin, self.proc.stdout):
                try:
                    if pipe is not None:
                        pipe.close()
                except OSError:
                    pass

    def _end(self) -> bool:
        """Kill every process of the run; True when the cgroup's memory cap killed one."""
        self.ended = True
        kill_run(self.proc, self.info_r)
        memory_killed = self.group is not None and self.group.oom_killed()
        if self.group is not None:
            self.group.remove()
        self.reader.join(timeout=5)
        return memory_killed


def kill_run(proc: subprocess.Popen, info_fd: int, patience_s: float = 10.0) -> None:
    """SIGKILL the jail and wait until its pid namespace is empty.

    Killing bubblewrap makes its namespace init die (``--die-with-parent``); when a pid
    namespace's init dies the kernel kills every other process in it and reaps them
    before the init itself is gone. So once that init is gone (or a zombie) nothing of
    the run is left. Unjailed, only the process group and the descendants still
    attached to it can be killed (a reason such runs are marked).
    """
    init_pid = _namespace_init(info_fd)
    family = []
    try:
        family = psutil.Process(proc.pid).children(recursive=True)
    except psutil.Error:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for p in family:
        try:
            p.kill()
        except psutil.Error:
            pass
    proc.kill()
    proc.wait()
    if init_pid is None:
        init_pid = _namespace_init(info_fd)
    os.close(info_fd)
    deadline = time.monotonic() + patience_s
    while init_pid is not None and time.monotonic() < deadline:
        try:
            if psutil.Process(init_pid).status() == psutil.STATUS_ZOMBIE:
                break
        except psutil.NoSuchProcess:
            break
        time.sleep(0.01)


def _namespace_init(info_fd: int) -> int | None:
    """The ``child-pid`` bubblewrap wrote on its info fd (None: not written yet)."""
    os.set_blocking(info_fd, False)
    try:
        raw = os.read(info_fd, 4096)
    except (BlockingIOError, OSError):
        return None
    try:
        pid = json.loads(raw.decode("utf-8", "replace")).get("child-pid")
    except (ValueError, AttributeError):
        return None
    return pid if isinstance(pid, int) and pid > 1 else None
