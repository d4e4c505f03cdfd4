"""Resource limits of one sandboxed run, and how they are applied to a process.

Why rlimits and not only timers: a timer notices a runaway cell; an rlimit stops a memory
bomb, a disk filler or a fork bomb *before* it hurts the machine or other trainees'
runs, and it holds for every descendant, including detached daemons.
"""

from __future__ import annotations

import os
import resource
from dataclasses import asdict, dataclass

BASE_UID = 62000   # slot uids: 62000 + slot (no passwd entry needed)


@dataclass(frozen=True)
class Limits:
    """Per-run limits. Defaults fit a normal CRM exercise notebook with room to spare.

    Attributes:
        memory_mb: address-space cap per process (RLIMIT_AS); numpy, pandas and
            ipykernel import well under 600 MB of address space.
        cell_timeout_s: wall time of one cell (or one `call_function` call).
        notebook_timeout_s: wall time of the whole notebook.
        output_bytes: outputs kept per cell; the notebook total is 10x this.
        file_bytes: largest file a process may write (RLIMIT_FSIZE).
        max_processes: processes + threads of the sandbox uid (RLIMIT_NPROC).
        submission_bytes: largest submission file that is even parsed.
    """

    memory_mb: int = 2048
    cell_timeout_s: float = 60
    notebook_timeout_s: float = 600
    output_bytes: int = 1_000_000
    file_bytes: int = 50_000_000
    max_processes: int = 256
    submission_bytes: int = 20_000_000

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                from crm_sim.errors import FieldError  # lazy: the jail must start fast

                raise FieldError(f"Limits.{name}", value, "a positive number",
                                 f"e.g. Limits({name}={getattr(Limits, name)})")

    def to_dict(self) -> dict:
        """Plain form, passed to the sandbox launcher."""
        return asdict(self)


DEFAULT_LIMITS = Limits()


def slot_ids(slot: int) -> tuple[int, int]:
    """(uid, gid) reserved for worker `slot`; distinct slots never share a uid."""
    if not isinstance(slot, int) or not 0 <= slot < 2000:
        from crm_sim.errors import FieldError

        raise FieldError("slot", slot, "an int in 0..1999", "pass the worker index")
    return BASE_UID + slot, BASE_UID + slot


def can_drop_privileges() -> bool:
    """True when running as root, so the sandbox can switch to a per-slot uid."""
    return os.geteuid() == 0


def apply_rlimits(limits: dict, nproc: int | None) -> None:
    """Apply the limits to the current process (called in the launcher before exec).

    Args:
        limits: `Limits.to_dict()`.
        nproc: RLIMIT_NPROC value; None leaves it unchanged.
    """
    mem = int(limits["memory_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    fsize = int(limits["file_bytes"])
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # CPU seconds as a backstop for a wall-clock timer that somehow did not fire.
    cpu = int(limits["notebook_timeout_s"] * 2 + 60)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    if nproc is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
