"""Launcher: apply limits, drop privileges, then exec the real sandbox program.

Run as ``python -I -m autograders.sandbox.jail <json> -- argv...``. Doing this in a
separate small program (instead of ``preexec_fn``) keeps the grading parent free of
fork-time hazards with threads, and means the dropped process never ran as root after
exec. The JSON holds ``limits``, ``nproc`` and optionally ``uid``/``gid``, ``expose``
(see `autograders.sandbox.exposure`) and ``offline``.
"""

from __future__ import annotations

import json
import os
import sys

from autograders.sandbox.exposure import apply as apply_exposure
from autograders.sandbox.limits import apply_rlimits

CLONE_NEWNET = 0x40000000


def go_offline() -> bool:
    """Enter a new, empty network namespace: no interface is up, not even loopback.

    Why: a submission must not reach the network or local services (a JupyterHub API, a
    database on localhost). The kernel needs no network: it talks to its client over unix
    sockets in the workspace, which a network namespace does not affect. Needs root (as
    the jail is before the uid drop); returns False where even root may not (a container
    without CAP_SYS_ADMIN), and the run goes on with the host's network.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    return libc.unshare(CLONE_NEWNET) == 0


def main(argv: list[str]) -> None:
    """Apply the job's limits and identity, then replace this process with the program."""
    config = json.loads(argv[0])
    program = argv[argv.index("--") + 1:]
    os.umask(0o077)
    apply_rlimits(config["limits"], config.get("nproc"))
    uid, gid = config.get("uid"), config.get("gid")
    if uid is not None:
        if config.get("offline"):
            go_offline()
        try:
            apply_exposure(config.get("expose") or [])
        except OSError:
            os._exit(96)          # cannot make the interpreter reachable: refuse to run
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        if os.getuid() != uid or os.geteuid() != uid:
            os._exit(97)
        try:
            os.setuid(0)          # must fail now; if it works the drop did not hold
            os._exit(98)
        except PermissionError:
            pass
    os.execv(program[0], program)


if __name__ == "__main__":
    main(sys.argv[1:])
