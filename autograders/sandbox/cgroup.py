"""Memory and process caps for a whole run with cgroup v2, where the host offers it.

Why on top of rlimits: RLIMIT_AS caps each process, not the run (a kernel and what it
forks could together use several times `memory_mb`), and RLIMIT_NPROC counts the uid,
not the run. A cgroup caps the run as a whole: ``memory.max`` (no swap) and
``pids.max``. Used only as root on a unified (v2) hierarchy whose root offers the
``memory`` and ``pids`` controllers; anywhere else (cgroup v1, a read-only
``/sys/fs/cgroup`` in a container, no root) the run keeps its rlimits alone.

Layout: ``<root>/crm-course-sandbox/`` (no processes of its own, so its children may
use the controllers) holds one ``run-<token>`` cgroup per run. The jail is started by
``sh -c 'echo 0 > <run>/cgroup.procs && exec bwrap ...'``, so bubblewrap and every
process of the run are inside from their first instruction; the cgroup is removed once
the run is dead.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import subprocess
import time
from pathlib import Path

from autograders.sandbox.limits import Limits

ROOT = Path("/sys/fs/cgroup")
PARENT = "crm-course-sandbox"
CONTROLLERS = ("memory", "pids")
_state: dict = {}


def parent_dir() -> Path | None:
    """The cgroup all runs go under, set up once per process (None: not available)."""
    if "parent" not in _state:
        _state["parent"] = _setup()
    return _state["parent"]


def _setup() -> Path | None:
    if os.geteuid() != 0:
        return None
    try:
        offered = (ROOT / "cgroup.controllers").read_text().split()
        if not all(c in offered for c in CONTROLLERS):
            return None
        enabled = (ROOT / "cgroup.subtree_control").read_text().split()
        if not all(c in enabled for c in CONTROLLERS):
            (ROOT / "cgroup.subtree_control").write_text(
                " ".join(f"+{c}" for c in CONTROLLERS))
        parent = ROOT / PARENT
        parent.mkdir(mode=0o755, exist_ok=True)
        (parent / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in CONTROLLERS))
        trial = RunCgroup(parent / f"trial-{secrets.token_hex(4)}")
        trial.path.mkdir(mode=0o755)
    except OSError:
        return None
    try:     # a process must be able to enter it, or every run would fail to start
        entered = subprocess.run([*trial.enter_argv(), "/bin/true"], check=False,
                                 stderr=subprocess.DEVNULL, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        entered = False
    trial.remove()
    return parent if entered else None


class RunCgroup:
    """One run's cgroup: created with its caps, entered by the jail, removed after."""

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def create(cls, limits: Limits) -> RunCgroup | None:
        """A fresh cgroup capped at `limits` (None: cgroup v2 not usable here)."""
        parent = parent_dir()
        if parent is None:
            return None
        path = parent / f"run-{secrets.token_hex(8)}"
        try:
            path.mkdir(mode=0o755)
            (path / "memory.max").write_text(str(limits.memory_mb * 1024 * 1024))
            if (path / "memory.swap.max").exists():
                (path / "memory.swap.max").write_text("0")
            (path / "pids.max").write_text(str(limits.max_processes))
        except OSError:
            shutil.rmtree(path, ignore_errors=True)
            return None
        return cls(path)

    def enter_argv(self) -> list[str]:
        """Prefix that moves the starting process into this cgroup, then execs the rest."""
        return ["/bin/sh", "-c", 'echo 0 > "$0/cgroup.procs" && exec "$@"', str(self.path)]

    def oom_killed(self) -> bool:
        """True when the memory cap killed a process of the run."""
        try:
            for line in (self.path / "memory.events").read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill" and int(value or 0) > 0:
                    return True
        except (OSError, ValueError):
            pass
        return False

    def remove(self, patience_s: float = 5.0) -> None:
        """Delete the cgroup once its last process is gone (EBUSY until then)."""
        deadline = time.monotonic() + patience_s
        while True:
            try:
                os.rmdir(self.path)
                return
            except FileNotFoundError:
                return
            except OSError as exc:
                if exc.errno == errno.ENOTEMPTY:      # a plain folder, not cgroupfs (tests)
                    shutil.rmtree(self.path, ignore_errors=True)
                    return
                if time.monotonic() > deadline:
                    return
                time.sleep(0.05)
