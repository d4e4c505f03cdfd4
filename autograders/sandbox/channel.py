"""The private result channel of a program that runs inside the jail.

Every jailed program (`child`, `funcrun`, `sqlrun`) reads its job from stdin, then must
report to the parent on a channel the code it runs cannot write into: the original
stdout is duplicated (dup'd descriptors are not inherited by a kernel it starts) and
fds 0-2 are pointed at /dev/null, so a trainee's prints or a forged "result" line on
stdout never reach the parent.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any


def take_job(*, allow_nan: bool = True,
             default: Callable[[Any], Any] | None = None) -> tuple[Any, Callable[[dict], None]]:
    """Read the JSON job from stdin, move the channel off fds 0-2, return (job, emit).

    Args:
        allow_nan: whether NaN may be written (results of submitted code must be plain).
        default: `json.dumps` fallback for values that are not JSON (e.g. `str`).
    """
    job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)

    def emit(record: dict) -> None:
        out.write(json.dumps(record, allow_nan=allow_nan, default=default) + "\n")
        out.flush()

    return job, emit


class Channel:
    """A private result channel opened *before* the job is read (see `open_channel`)."""

    def __init__(self, job_fd: int, out: Any, allow_nan: bool,
                 default: Callable[[Any], Any] | None):
        self._job_fd, self._out = job_fd, out
        self._allow_nan, self._default = allow_nan, default

    def read_job(self) -> Any:
        """Block until the parent has written the whole job (then EOF); return it."""
        with os.fdopen(self._job_fd, "rb") as fh:
            return json.loads(fh.read().decode("utf-8"))

    def emit(self, record: dict) -> None:
        """Write one JSON line to the parent."""
        self._out.write(json.dumps(record, allow_nan=self._allow_nan,
                                   default=self._default) + "\n")
        self._out.flush()


def open_channel(*, allow_nan: bool = True,
                 default: Callable[[Any], Any] | None = None) -> Channel:
    """Move stdin and stdout to private descriptors now, before the job has arrived.

    For a program that starts a kernel first and reads its job afterwards
    (`autograders.sandbox.child`): the duplicates are not inherited by the kernel (Python
    makes them non-inheritable) and fds 0-2 point at /dev/null before it starts, so
    neither end of the channel is reachable from code the kernel runs.
    """
    job_fd = os.dup(0)
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    return Channel(job_fd, out, allow_nan, default)
