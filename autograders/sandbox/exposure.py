"""Let the sandbox uid reach the interpreter and project without opening up the host.

Why: a grader installed under a private directory (``/root`` is 0700; CI may clone
anywhere) cannot be run by the per-slot uid, and then privileges cannot be dropped.
Instead of changing any permission on the host, the jail enters a private mount
namespace and, for each directory the uid cannot traverse, mounts an empty tmpfs over
it and binds back only what the sandbox needs (the interpreter's prefix, the venv and
the project source). Everything else under that directory (other users' files, the
course root when it lives there) is simply absent inside the sandbox.
"""

from __future__ import annotations

import ctypes
import os
import stat
import sys
import tempfile
from pathlib import Path

CLONE_NEWNS = 0x00020000
MS_NOSUID, MS_NODEV = 2, 4
MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 4096, 8192, 16384, 1 << 18


def needed_paths() -> list[str]:
    """What the sandboxed interpreter must reach: its prefixes and the project source."""
    import autograders

    project = Path(autograders.__file__).resolve().parents[1]
    paths = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, project)}
    paths.add(os.path.dirname(os.path.realpath(sys.executable)))
    return sorted(paths)


def _hidden_ancestor(path: str) -> str | None:
    """The topmost directory on `path` that "other" users may not traverse, if any."""
    current = "/"
    for part in Path(path).parts[1:]:
        current = os.path.join(current, part)
        try:
            mode = os.stat(current).st_mode
        except OSError:
            return None
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            return current
    return None


def plan(paths: list[str] | None = None) -> list[list]:
    """``[[hidden_dir, [path, ...]], ...]``: what to hide and what to bind back under it."""
    groups: dict[str, list[str]] = {}
    for p in sorted(paths if paths is not None else needed_paths()):
        top = _hidden_ancestor(p)
        if top is None:
            continue
        kept = groups.setdefault(top, [])
        if not any(p == k or p.startswith(k + os.sep) for k in kept):
            kept.append(p)
    return [[top, subs] for top, subs in sorted(groups.items())]


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def apply(exposure: list[list]) -> None:
    """Inside the jail, as root, before dropping privileges: carry out `plan()`."""
    if not exposure:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                           ctypes.c_ulong, ctypes.c_char_p]
    _check(libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
    for top, subs in exposure:
        staged = []
        for sub in subs:
            stage = tempfile.mkdtemp(prefix="crm-expose-")
            _check(libc.mount(sub.encode(), stage.encode(), None, MS_BIND | MS_REC, None),
                   f"bind {sub}")
            staged.append((stage, sub))
        _check(libc.mount(b"tmpfs", top.encode(), b"tmpfs", MS_NOSUID | MS_NODEV,
                          b"mode=0755,size=1m"), f"tmpfs over {top}")
        old_umask = os.umask(0o022)      # the jail runs under 077: mount points need 755
        try:
            for _, sub in staged:
                os.makedirs(sub, mode=0o755, exist_ok=True)
        finally:
            os.umask(old_umask)
        for stage, sub in staged:
            _check(libc.mount(stage.encode(), sub.encode(), None, MS_MOVE, None),
                   f"move {sub}")
            os.rmdir(stage)
