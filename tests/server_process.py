"""Starting the servers tests need so that they never outlive the test run.

Why: a server started by a session fixture is stopped by the fixture's finaliser, but a
test run stopped hard (Ctrl-C on pytest-xdist, a killed CI job) skips finalisers and left
JupyterLab, Voila or the hub running, holding their ports. The kernel's parent-death
signal stops the server as soon as the process that started it is gone.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
from typing import Any

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Ask the kernel for SIGTERM when the starting thread's process goes (Linux)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def start_server(cmd: list[Any], **popen: Any) -> subprocess.Popen:
    """`subprocess.Popen(cmd)` in a session of its own that is stopped if the test run dies."""
    return subprocess.Popen(cmd, start_new_session=True, preexec_fn=_die_with_parent, **popen)
