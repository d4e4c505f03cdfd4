"""The jail: the bubblewrap command line every sandboxed program runs under.

One job: say whether bubblewrap can run here (`bwrap_available`), remember the run's
decision (`decide` / `adopt`), and build the ``bwrap`` argv (`bwrap_argv`).

What a jailed program gets: new pid, net, ipc, uts, mount (and cgroup) namespaces; a
fresh ``/proc`` that shows only its own processes; private size-capped tmpfs on
``/tmp``, ``/var/tmp``, ``/run`` and ``/dev/shm`` (so nothing it leaves there, nor any
SysV shared memory, outlives it); ``--die-with-parent``; and a filesystem holding,
read-only, only the system libraries, the interpreter, the venv and the two packages the
kernel imports, plus its own writable workspace. The course root, the repository's
``course/``, ``tests/`` and ``.git``, and every other workspace are simply not there.

Why no user namespace as root: bubblewrap maps the sandbox uid to the *caller's* uid, so
run as root, ``--unshare-user --uid 1000`` is host uid 0 wearing a mask: RLIMIT_NPROC is
not enforced for it and a root-owned 0600 file that is bound in (``/etc/shadow`` was
tried) is readable through its owner bits. So as root the jail keeps only
CAP_SETUID/CAP_SETGID and the launcher (`autograders.sandbox.jail`) drops to the worker
slot's own unprivileged host uid before exec; without root, bubblewrap's ordinary
unprivileged mode (``--unshare-user``, the caller's uid) is used with the same binds.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from multiprocessing.util import Finalize
from pathlib import Path

TMPFS_BYTES = 64 * 1024 * 1024   # per private tmpfs: RAM while the run lives
SEARCH_PATH = "/usr/bin:/bin:/usr/local/bin:/usr/sbin"
INSTALL_HINT = ("install bubblewrap (as root: `apt-get install bubblewrap`, or run "
                "scripts/system-deps.sh)")
USERNS_HINT = ("enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 "
               "and user.max_user_namespaces > 0) or grade as root")
# what the jail cannot do without (bubblewrap 0.5+); --size (0.7+) is used when known
NEEDED_OPTIONS = ("--chmod", "--perms", "--info-fd", "--die-with-parent", "--cap-drop",
                  "--unshare-cgroup-try", "--new-session")
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32")
TMPFS_DIRS = ("/tmp", "/var/tmp", "/run", "/dev/shm")
ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime")

_state: dict = {}     # "jailed": bool once decided for this process


class SandboxUnavailable(RuntimeError):
    """Bubblewrap cannot run here and no unsandboxed run was accepted."""


def find_bwrap() -> str | None:
    """The bwrap binary (system directories only: never one the course could plant)."""
    return shutil.which("bwrap", path=SEARCH_PATH)


def bwrap_available() -> tuple[bool, str]:
    """Whether a jail can be made here, and if not why and how to fix it.

    Starts one real jail (the same options as a graded run, running ``true``), so a
    kernel or container that forbids the namespaces is caught here, not mid-cohort.
    """
    bwrap = find_bwrap()
    if bwrap is None:
        return False, f"bubblewrap (bwrap) is not installed: {INSTALL_HINT}"
    missing = sorted(set(NEEDED_OPTIONS) - _options(bwrap))
    if missing:
        return False, (f"bubblewrap at {bwrap} is too old (no {', '.join(missing)}): "
                       "install bubblewrap 0.5 or newer")
    probe_dir = Path(tempfile.mkdtemp(prefix="crm-bwrap-probe-"))
    try:
        true = shutil.which("true", path=SEARCH_PATH) or "/bin/true"
        done = subprocess.run(bwrap_argv(probe_dir) + [true], capture_output=True, timeout=60,
                              check=False, env={"PATH": SEARCH_PATH})
    except (OSError, subprocess.SubprocessError) as exc:
        return False, f"bubblewrap could not start ({type(exc).__name__}): {INSTALL_HINT}"
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        why = said[-1][:200] if said else f"exit status {done.returncode}"
        fix = USERNS_HINT if os.geteuid() != 0 else "run the grader where namespaces are allowed"
        return False, f"bubblewrap cannot create its namespaces here ({why}): {fix}"
    return True, "bubblewrap jail available"


def _options(bwrap: str) -> set[str]:
    """The long options this bubblewrap knows (from ``--help``; cached per binary)."""
    key = f"options:{bwrap}"
    if key not in _state:
        try:
            text = subprocess.run([bwrap, "--help"], capture_output=True, text=True,
                                  timeout=30, check=False).stdout
        except (OSError, subprocess.SubprocessError):
            text = ""
        _state[key] = set(re.findall(r"(--[a-z][a-z-]+)", text))
    return _state[key]


def decide(allow_unsandboxed: bool = False) -> bool:
    """Probe once for this run and remember the answer; True when runs are jailed.

    Raises:
        SandboxUnavailable: bubblewrap cannot run and `allow_unsandboxed` is False; the
            message says why and how to fix it.
    """
    ok, reason = bwrap_available()
    if not ok and not allow_unsandboxed:
        raise SandboxUnavailable(
            f"refusing to grade without the sandbox: {reason} "
            "(or pass --allow-unsandboxed to accept a run marked as unsandboxed)")
    _state["jailed"] = ok
    return ok


def adopt(jailed: bool) -> None:
    """Take the parent's decision (in a fresh worker process) instead of probing again."""
    _state["jailed"] = bool(jailed)


def jailed() -> bool:
    """This process's decision; undecided means probe now and refuse if unavailable."""
    if "jailed" not in _state:
        decide(allow_unsandboxed=False)
    return _state["jailed"]


def _package_dirs() -> list[str]:
    """Source folders of the packages the kernel imports (outside the venv when editable)."""
    import autograders
    import crm_sim

    return [str(Path(m.__file__).resolve().parent) for m in (autograders, crm_sim)]


def _python_dirs() -> list[str]:
    dirs = {os.path.realpath(p) for p in (sys.base_prefix, sys.prefix)}
    dirs |= {os.path.abspath(sys.prefix), os.path.dirname(os.path.realpath(sys.executable))}
    return sorted(dirs)


def _outermost(paths: list[str]) -> list[str]:
    """`paths` without those already inside another one (one bind covers them)."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


def _ancestors(paths: list[str]) -> list[str]:
    """Folders bubblewrap creates to hold the binds (not bound themselves), top first."""
    found: set[str] = set()
    for path in paths:
        for parent in Path(path).parents:
            if str(parent) not in ("/", "/dev", *TMPFS_DIRS) and str(parent) not in paths:
                found.add(str(parent))
    return sorted(found, key=lambda p: (p.count("/"), p))


def _synthetic_etc() -> Path:
    """A private folder with a minimal passwd/group (no shadow, no real accounts)."""
    if "etc" not in _state or not Path(_state["etc"]).is_dir():
        folder = Path(tempfile.mkdtemp(prefix="crm-jail-etc-"))
        (folder / "passwd").write_text("root:x:0:0::/:/usr/sbin/nologin\n"
                                       "sandbox:x:62000:62000::/tmp:/usr/sbin/nologin\n")
        (folder / "group").write_text("root:x:0:\nsandbox:x:62000:\n")
        for name in ("passwd", "group"):
            os.chmod(folder / name, 0o644)
        _state["etc"] = str(folder)
        # at exit, in the CLI and in pool workers alike (multiprocessing skips atexit)
        Finalize(None, shutil.rmtree, args=(str(folder), True), exitpriority=0)
    return Path(_state["etc"])


def bwrap_argv(workspace: Path, *, bwrap: str | None = None,
               info_fd: int | None = None) -> list[str]:
    """The ``bwrap ...`` prefix that jails a program in `workspace` (append its argv).

    Args:
        workspace: the run's private directory, bound read-write at the same path.
        bwrap: the binary (default: `find_bwrap`).
        info_fd: a descriptor bubblewrap writes ``{"child-pid": N}`` to.
    """
    args = [bwrap or find_bwrap() or "bwrap", "--die-with-parent", "--new-session",
            "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--hostname", "sandbox"]
    if os.geteuid() == 0:
        # keep only what the launcher needs to drop to the slot uid (see module doc)
        args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        args += ["--unshare-user"]
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in ETC_FILES:
        if os.path.exists(path):
            args += ["--ro-bind", path, path]
    etc = _synthetic_etc()
    args += ["--ro-bind", str(etc / "passwd"), "/etc/passwd",
             "--ro-bind", str(etc / "group"), "/etc/group"]
    bound = _outermost(_python_dirs() + _package_dirs())
    for path in bound:
        args += ["--ro-bind", path, path]
    units = Path(_package_dirs()[0]) / "units"
    if units.is_dir():           # evaluators and answer keys: never inside the jail
        args += ["--tmpfs", str(units)]
    args += ["--proc", "/proc", "--dev", "/dev"]
    size = ["--size", str(TMPFS_BYTES)] if "--size" in _options(args[0]) else []  # 0.7+
    for path in TMPFS_DIRS:
        args += ["--perms", "1777", *size, "--tmpfs", path]
    args += ["--perms", "1777", "--dir", "/run/lock"]
    # the launcher changes into the workspace after the uid drop (as root the jail holds
    # no CAP_DAC_OVERRIDE, and the workspace is 0700 of the slot uid)
    args += ["--bind", str(workspace), str(workspace), "--chdir", "/"]
    mounted = [*bound, *TMPFS_DIRS, "/etc/passwd", "/etc/ld.so.cache", str(workspace)]
    for path in _ancestors(mounted):
        # bubblewrap makes the folders above a mount 0700 (root's): let the slot uid pass
        args += ["--chmod", "0755", path]
    if info_fd is not None:
        args += ["--info-fd", str(info_fd)]
    return args
