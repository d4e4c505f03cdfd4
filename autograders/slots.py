"""Machine-wide sandbox slots: no two grading processes ever share a slot's uid.

Graded as root, each jailed run drops to its worker's slot uid, and RLIMIT_NPROC counts
every task of that uid on the machine. Two workers on one slot — or two grading commands
started by different instructors or test sessions — would share one process budget, so
a fork bomb in one trainee's run could starve an innocent kernel of threads. A slot is
therefore held with an exclusive `flock` on
``<lock dir>/slot-<n>.lock`` for as long as the holding process lives; the kernel
releases the lock if that process dies, even by SIGKILL.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path

from autograders.commands.errors import CourseError

FIRST_SLOT = 100     # callers that pass small slot numbers by hand stay out of our way
LAST_SLOT = 1999
LOCK_DIR_ENV = "CRM_SLOT_LOCK_DIR"


def lock_dir() -> Path:
    """Where slot locks live (shared by every grading process on the machine)."""
    path = Path(os.environ.get(LOCK_DIR_ENV) or Path(tempfile.gettempdir()) / "crm-course-slots")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


class SlotLease:
    """An exclusively held sandbox slot; release it with `release` (or process exit)."""

    def __init__(self, slot: int, fd: int):
        self.slot = slot
        self._fd = fd

    def release(self) -> None:
        """Give the slot back."""
        if self._fd >= 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> SlotLease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def acquire_slot() -> SlotLease:
    """Take the lowest free slot in FIRST_SLOT..LAST_SLOT.

    Raises:
        CourseError: every slot is taken (nearly 2000 concurrent grading processes).
    """
    base = lock_dir()
    for slot in range(FIRST_SLOT, LAST_SLOT + 1):
        fd = os.open(base / f"slot-{slot}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return SlotLease(slot, fd)
    raise CourseError(f"no free sandbox slot in {base}: too many grading runs at once")
