"""Launcher inside the bubblewrap jail: apply limits, drop to the slot uid, then exec.

Run as ``python -I -m autograders.sandbox.jail <json> -- argv...`` as the jail's first
program. The JSON holds ``limits``, ``nproc``, ``cwd`` and, when the grader runs as root,
``uid``/``gid``: bubblewrap then runs this as host root holding only CAP_SETUID and
CAP_SETGID (see `autograders.sandbox.bwrap` for why not a user namespace), and it
becomes the worker slot's unprivileged uid, so RLIMIT_NPROC counts per slot and
root-owned files stay unreadable even where they are bound in. Doing it here, not in
``preexec_fn``, keeps the grading parent free of fork-time hazards with threads.
"""

from __future__ import annotations

import json
import os
import sys

from autograders.sandbox.limits import apply_rlimits


def main(argv: list[str]) -> None:
    """Apply the job's limits and identity, then replace this process with the program."""
    config = json.loads(argv[0])
    program = argv[argv.index("--") + 1:]
    os.umask(0o077)
    apply_rlimits(config["limits"], config.get("nproc"))
    uid, gid = config.get("uid"), config.get("gid")
    if uid is not None:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        if os.getuid() != uid or os.geteuid() != uid or os.getgid() != gid:
            os._exit(97)
        try:
            os.setuid(0)          # must fail now; if it works the drop did not hold
            os._exit(98)
        except PermissionError:
            pass
    if config.get("cwd"):
        os.chdir(config["cwd"])
    os.execv(program[0], program)


if __name__ == "__main__":
    main(sys.argv[1:])
