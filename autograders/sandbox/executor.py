"""Parent side of the sandbox: start a jailed program, watch the clock, kill everything.

One job: run ``argv`` in `workdir` under `Limits`, feed it `stdin`, collect at most
`stdout_cap` bytes of its stdout, and guarantee that when this returns no process of the
run survives -- not the process group, not a ``setsid`` + double-fork daemon (when a
per-slot uid is used, every process of that uid is killed with ``kill(-1)`` from that
uid; otherwise processes carrying the run's token in their environment are hunted).
"""

from __future__ import annotations

import ctypes
import json
import os
import secrets
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

from autograders.sandbox.interpreter import sandbox_exposure, sandbox_python
from autograders.sandbox.limits import Limits, can_drop_privileges, slot_ids

TOKEN_ENV = "CRM_SANDBOX_TOKEN"
# Where sandbox temp dirs live; the parent of each must not be writable by the sandbox.
SANDBOX_ROOT_ENV = "CRM_SANDBOX_TMP"
# Slot locks: one directory for the whole machine (slot uids are machine-wide).
SLOT_LOCK_ENV = "CRM_SANDBOX_LOCK_DIR"
SLOT_LOCK_DIR = "/run/crm-course-sandbox-slots"


@dataclass
class RunOutcome:
    """What the parent saw of one sandboxed run."""

    returncode: int | None
    stdout: bytes
    stdout_truncated: bool
    timed_out: bool
    duration_s: float
    stderr_tail: str = ""


@dataclass
class Workspace:
    """A fresh private directory for one run, owned by the run's uid when dropping."""

    path: Path
    uid: int | None
    gid: int | None
    token: str
    python: str = sys.executable     # the interpreter this uid can run
    lock_fd: int | None = None       # flock held on the slot while the workspace lives

    @classmethod
    def create(cls, slot: int, prefix: str = "crm-sbx-") -> Workspace:
        """Make the directory (0700) and hand it to the slot's uid when running as root."""
        base = os.environ.get(SANDBOX_ROOT_ENV) or None
        uid = gid = None
        python = sys.executable
        if can_drop_privileges():
            uid, gid = slot_ids(slot)
            found = sandbox_python(uid, gid)
            if found is None:
                uid = gid = None
            else:
                python = found
        lock_fd = _lock_slot(slot) if uid is not None else None
        path = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
        if uid is not None:
            os.chown(path, uid, gid)
        return cls(path=path, uid=uid, gid=gid, token=secrets.token_hex(16), python=python,
                   lock_fd=lock_fd)

    def give(self, path: Path) -> None:
        """Hand a file or directory made by the parent to the run's uid."""
        if self.uid is not None:
            for p in [path, *(path.rglob("*") if path.is_dir() else [])]:
                os.lchown(p, self.uid, self.gid)

    def remove(self) -> None:
        """Delete the directory (rmtree is symlink-safe on Linux) and free the slot."""
        shutil.rmtree(self.path, ignore_errors=True)
        if self.lock_fd is not None:
            os.close(self.lock_fd)            # closing releases the flock
            self.lock_fd = None


def _lock_slot(slot: int) -> int:
    """Wait for exclusive use of `slot` across threads and processes.

    Two runs on one slot would share a uid, and the end-of-run ``kill(-1)`` of one would
    kill the other. The uids are machine-wide, so the locks must be too: they once lived
    in the grader's own prefix, and two installations (a CI clone and a working copy)
    killed each other's runs. The directory is root-owned and 0700, out of reach of
    sandbox uids.
    """
    import fcntl

    directory = Path(os.environ.get(SLOT_LOCK_ENV) or SLOT_LOCK_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(directory / f"slot-{slot}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


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
        TOKEN_ENV: ws.token,
    }
    env.update(extra or {})
    return env


def _nproc_limit(limits: Limits, uid: int | None) -> int:
    """RLIMIT_NPROC counts all tasks of the real uid: add what the uid already runs."""
    if uid is not None:
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


def jail_argv(ws: Workspace, limits: Limits, program: list[str]) -> list[str]:
    """The launcher command that applies limits and identity, then execs `program`."""
    config = {"limits": limits.to_dict(), "nproc": _nproc_limit(limits, ws.uid),
              "uid": ws.uid, "gid": ws.gid,
              "expose": sandbox_exposure() if ws.uid is not None else None,
              "offline": True}
    return [ws.python, "-I", "-m", "autograders.sandbox.jail", json.dumps(config), "--",
            *program]


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
    start = time.monotonic()
    if ws.uid is not None:
        become_subreaper()
    stderr_file = tempfile.TemporaryFile()      # parent-private: not in the workspace
    proc = subprocess.Popen(
        jail_argv(ws, limits, [ws.python, *program]), cwd=ws.path, env=base_env(ws, env_extra),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr_file,
        start_new_session=True, close_fds=True,
    )
    chunks: list[bytes] = []
    state = {"size": 0, "truncated": False, "lines": 0, "last": start}

    def pump() -> None:
        pending = b""
        assert proc.stdout is not None
        while True:
            data = proc.stdout.read1(65536)
            if not data:
                break
            if state["size"] < stdout_cap:
                keep = data[: stdout_cap - state["size"]]
                chunks.append(keep)
                state["size"] += len(keep)
                if len(keep) < len(data):
                    state["truncated"] = True
                if on_line is not None:
                    pending += keep
                    *lines, pending = pending.split(b"\n")
                    for line in lines:
                        state["lines"] += 1
                        state["last"] = time.monotonic()
                        on_line(line)
            else:
                state["truncated"] = True

    def feed() -> None:
        try:
            assert proc.stdin is not None
            proc.stdin.write(stdin)
            proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass

    reader = threading.Thread(target=pump, daemon=True)
    writer = threading.Thread(target=feed, daemon=True)
    reader.start()
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
                if state["lines"] == 0 and first_line_timeout_s is not None:
                    allowed = first_line_timeout_s
                if now - state["last"] > allowed:
                    timed_out = True
                    break
    finally:
        kill_run(proc.pid, ws)
        proc.wait()
        if ws.uid is not None:
            reap_uid(ws.uid)
    reader.join(timeout=5)
    writer.join(timeout=1)
    stderr_file.seek(0, os.SEEK_END)
    size = stderr_file.tell()
    stderr_file.seek(max(0, size - 4000))
    tail = stderr_file.read().decode("utf-8", "replace")
    stderr_file.close()
    return RunOutcome(returncode=proc.returncode, stdout=b"".join(chunks),
                      stdout_truncated=state["truncated"], timed_out=timed_out,
                      duration_s=time.monotonic() - start, stderr_tail=tail)


def kill_run(pgid: int, ws: Workspace) -> None:
    """Kill the run's process group and every process it may have spawned elsewhere."""
    for _ in range(3):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            break
    if ws.uid is not None:
        kill_uid(ws.uid, ws.gid)
        sweep_uid_files(ws.uid, keep=ws.path)
    else:
        kill_token(ws.token)


SHARED_DIRS = ("/tmp", "/var/tmp", "/dev/shm")
KILL = shutil.which("kill", path="/usr/bin:/bin") or "/bin/kill"


def sweep_uid_files(uid: int, dirs: tuple[str, ...] = SHARED_DIRS,
                    keep: Path | None = None) -> int:
    """Delete what the slot uid left in shared writable directories (disk, /dev/shm memory).

    Safe because the uid belongs to the sandbox alone and all its processes are dead by
    now; entries are checked with ``lstat`` (a symlink is removed, never followed) and
    directories are removed with the fd-based, symlink-safe ``rmtree``.

    Args:
        uid: the slot uid.
        dirs: shared directories to sweep (top level only).
        keep: the run's own workspace (owned by the uid; the parent still reads it).

    Returns:
        How many top-level entries were removed.
    """
    removed = 0
    keep_path = os.path.realpath(keep) if keep is not None else None
    for directory in dirs:
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
                if info.st_uid != uid or os.path.realpath(entry.path) == keep_path:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
                removed += 1
            except OSError:
                continue
    return removed


def kill_uid(uid: int, gid: int | None) -> None:
    """Kill every process of `uid`: ``kill(-1)`` sent *as* that uid beats fork races."""
    # procps' kill, run as the uid, sends kill(-1, SIGKILL); a system binary, so it runs
    # whether or not the uid can reach the grader's interpreter.
    for _ in range(5):
        subprocess.run(
            [KILL, "-9", "-1"],
            user=uid, group=gid if gid is not None else uid, extra_groups=[],
            env={"PATH": "/usr/bin:/bin"}, cwd="/", check=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        if not survivors(uid=uid):
            return
        time.sleep(0.05)


PR_SET_CHILD_SUBREAPER = 36
_subreaper: list[bool] = []


def become_subreaper() -> bool:
    """Have orphans of sandboxed runs re-parented to this process instead of to PID 1.

    Why: a killed process stays a zombie until its parent reaps it, and zombies still
    count against the slot uid's RLIMIT_NPROC. After a fork bomb the orphans belong to
    PID 1, which in some containers and VMs reaps lazily; the next submission on the
    slot then could not start a thread ("can't start new thread") and its kernel died
    before replying to kernel_info (a failed CI run). As their subreaper, this process
    reaps them itself, at once (`reap_uid`).
    """
    if not _subreaper:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            _subreaper.append(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
        except (OSError, AttributeError):
            _subreaper.append(False)
    return _subreaper[0]


def reap_uid(uid: int, patience_s: float = 5.0) -> int:
    """Reap this process's zombie children of `uid`; wait for zombies reaped elsewhere.

    Only the run's own uid is touched, after the run's own process was waited for, so
    no other thread's `subprocess.Popen` (other slots, other uids) loses its status.

    Returns:
        How many zombies this process reaped.
    """
    me = os.getpid()
    reaped = 0
    deadline = time.monotonic() + patience_s
    while True:
        left = []
        for p in psutil.process_iter(["ppid", "status", "uids"]):
            if p.info["status"] != psutil.STATUS_ZOMBIE or not _runs_as(p.info["uids"], uid):
                continue
            if p.info["ppid"] == me:
                try:
                    os.waitpid(p.pid, 0)
                    reaped += 1
                except ChildProcessError:
                    pass
            else:
                left.append(p.pid)
        if not left or time.monotonic() > deadline:
            return reaped
        time.sleep(0.05)       # orphaned before we were their subreaper: PID 1 reaps them


def kill_token(token: str) -> None:
    """Best effort without root: kill processes whose environment carries the run token."""
    for _ in range(3):
        found = survivors(token=token)
        for p in found:
            try:
                p.kill()
            except psutil.Error:
                pass
        if not found:
            return
        time.sleep(0.05)


def _runs_as(uids: Any, uid: int) -> bool:
    """True when psutil's `uids` (real, effective, saved; None if unreadable) hold `uid`."""
    return bool(uids) and uid in (uids.real, uids.effective)


def survivors(*, uid: int | None = None, token: str | None = None) -> list[psutil.Process]:
    """Processes still alive that belong to a run (by uid, or by environment token)."""
    found = []
    me = os.getpid()
    for p in psutil.process_iter(["uids", "status"]):
        try:
            if p.pid == me or p.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            if uid is not None and _runs_as(p.info["uids"], uid):
                found.append(p)
            elif token is not None and p.environ().get(TOKEN_ENV) == token:
                found.append(p)
        except (psutil.Error, OSError):
            continue
    return found
