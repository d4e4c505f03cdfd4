"""Sandbox slots for tests, leased machine-wide like a grading worker's.

A slot is a uid (`autograders.sandbox.limits.slot_ids`): RLIMIT_NPROC counts every
task of that uid, and the "nothing left behind" checks scan for processes of that uid.
A fixed slot number in a test module would be shared with another pytest-xdist worker
or another test run on the machine, whose kernels would then eat this run's process
budget and show up as this run's survivors. A leased slot (`autograders.slots`, an
exclusive flock) belongs to this process alone until it exits, so uid checks stay exact.
"""

from __future__ import annotations

from autograders.slots import SlotLease, acquire_slot

_HELD: list[SlotLease] = []     # kept for the life of the test process (released at exit)


def leased_slot() -> int:
    """A sandbox slot no other live process on the machine holds, for this process's life."""
    lease = acquire_slot()
    _HELD.append(lease)
    return lease.slot
