"""Which Python the sandbox runs, so that a dropped per-slot uid can actually start it.

Why this exists: the grader's own interpreter may live where an unprivileged uid cannot
reach (pyenv under ``/root``, mode 0700). Then dropping privileges would make every run
fail. Order of choice:

1. ``$CRM_SANDBOX_PYTHON`` if set (the deployment says which interpreter to use);
2. ``sys.executable`` if the slot uid can run it and import the sandbox;
3. a *shim* venv built once inside ``sys.prefix`` (root-owned, so no sandbox uid can
   alter it) on the system interpreter of the same minor version, whose one ``.pth``
   line adds the grader's site-packages;
4. otherwise None: the caller runs without dropping privileges and says so.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograders.sandbox import exposure

log = logging.getLogger(__name__)

ENV = "CRM_SANDBOX_PYTHON"
# find_spec proves the packages are reachable without paying for their import
_PROBE = ("import importlib.util as u, autograders.sandbox.jail\n"
          "assert all(u.find_spec(m) for m in ('nbclient', 'ipykernel', 'pandas', 'crm_sim'))")
_OK_MARK = ".probe-ok"
_cache: dict[str, str | None] = {}


def probe(python: str, uid: int, gid: int, exposure: list | None = None) -> bool:
    """True when `python`, run as uid/gid, starts and imports the sandbox.

    With `exposure`, the probe goes through the jail exactly as a sandboxed run does
    (private mount namespace exposing the interpreter and project, then the uid drop).
    """
    argv = [python, "-I", "-c", _PROBE]
    kwargs: dict = {"user": uid, "group": gid, "extra_groups": []}
    if exposure:
        from autograders.sandbox.limits import DEFAULT_LIMITS

        config = {"limits": DEFAULT_LIMITS.to_dict(), "nproc": None, "uid": uid, "gid": gid,
                  "expose": exposure}
        argv = [sys.executable, "-I", "-m", "autograders.sandbox.jail", json.dumps(config),
                "--", *argv]
        kwargs = {}
    try:
        done = subprocess.run(argv, cwd="/", env={"PATH": "/usr/bin:/bin"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=120, check=False, **kwargs)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _site_packages() -> list[str]:
    import site

    return [p for p in site.getsitepackages() if Path(p).is_dir()]


def shim_dir() -> Path:
    """Where the shim venv lives (inside the grader's own, root-owned prefix)."""
    return Path(sys.prefix) / "crm-sandbox-python"


def build_shim(base: str) -> Path | None:
    """Create (once) a venv on `base` that sees the grader's site-packages."""
    minor = f"python{sys.version_info.major}.{sys.version_info.minor}"
    target = shim_dir()
    python = target / "bin" / "python"
    if python.exists():
        return python
    tmp = Path(tempfile.mkdtemp(prefix=".crm-shim-", dir=sys.prefix))
    try:
        subprocess.run([base, "-m", "venv", "--without-pip", str(tmp)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
        pth = tmp / "lib" / minor / "site-packages" / "crm_course_grader.pth"
        lines = [f"import site; site.addsitedir({p!r})" for p in _site_packages()]
        pth.write_text("\n".join(lines) + "\n")
        for p in [tmp, *tmp.rglob("*")]:
            if not p.is_symlink():
                os.chmod(p, 0o755 if p.is_dir() else 0o644 if p.suffix else 0o755)
        os.chmod(tmp, 0o755)
        try:
            os.rename(tmp, target)        # atomic: a concurrent worker may win the race
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
    except (OSError, subprocess.SubprocessError):
        shutil.rmtree(tmp, ignore_errors=True)
        return None
    return python if python.exists() else None


def sandbox_python(uid: int | None, gid: int | None) -> str | None:
    """The interpreter for sandboxed programs of `uid` (None: cannot drop to that uid)."""
    if os.environ.get(ENV):
        return os.environ[ENV]
    if uid is None:
        return sys.executable
    if "python" in _cache:
        return _cache["python"]
    choice: str | None = None
    mark = shim_dir() / _OK_MARK
    _cache["expose"] = None
    if mark.is_file() and (shim_dir() / "bin" / "python").exists():
        choice = str(shim_dir() / "bin" / "python")    # proven by an earlier process
    elif probe(sys.executable, uid, gid):
        choice = sys.executable
    elif (hidden := exposure.plan()) and probe(sys.executable, uid, gid, hidden):
        choice = sys.executable
        _cache["expose"] = hidden
    else:
        minor = f"python{sys.version_info.major}.{sys.version_info.minor}"
        for base in (f"/usr/bin/{minor}", f"/usr/local/bin/{minor}"):
            if Path(base).is_file():
                shim = build_shim(base)
                if shim is not None and probe(str(shim), uid, gid):
                    choice = str(shim)
                    try:
                        mark.write_text("the sandbox uid could run this interpreter\n")
                    except OSError:
                        pass
                    break
    if choice is None:
        log.warning("no Python the sandbox uid %s can run; running without dropping "
                    "privileges (set %s to an interpreter it can run)", uid, ENV)
    _cache["python"] = choice
    return choice


def sandbox_exposure() -> list | None:
    """The mount plan the jail must apply for the chosen interpreter (None: not needed)."""
    return _cache.get("expose")


def decision() -> dict:
    """This process's choice of interpreter and mount plan, to hand to worker processes.

    Each worker would otherwise probe again (a jailed interpreter start, about 0.5 s)
    before its first submission; the answer is the same for every slot uid.
    """
    return dict(_cache)


def adopt(choice: dict) -> None:
    """Take a `decision()` made by the parent (in a fresh worker process)."""
    if "python" in choice:
        _cache.update(choice)
