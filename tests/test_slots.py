"""Machine-wide slot leases: distinct while held, free again when released or dead."""

from __future__ import annotations

import subprocess
import sys

from autograders.slots import FIRST_SLOT, LOCK_DIR_ENV, acquire_slot


def test_leases_are_distinct_and_reusable(tmp_path, monkeypatch):
    """Two leases differ; a released slot is handed out again."""
    monkeypatch.setenv(LOCK_DIR_ENV, str(tmp_path))
    a, b = acquire_slot(), acquire_slot()
    assert (a.slot, b.slot) == (FIRST_SLOT, FIRST_SLOT + 1)
    a.release()
    with acquire_slot() as c:
        assert c.slot == FIRST_SLOT
    b.release()


def test_lease_of_another_process_is_respected(tmp_path, monkeypatch):
    """A slot held by another live process is skipped."""
    monkeypatch.setenv(LOCK_DIR_ENV, str(tmp_path))
    code = ("import sys, time; from autograders.slots import acquire_slot; "
            "l = acquire_slot(); print(l.slot, flush=True); sys.stdin.read()")
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        held = int(proc.stdout.readline())
        with acquire_slot() as mine:
            assert mine.slot != held
    finally:
        proc.kill()
        proc.wait()
    with acquire_slot() as again:       # the dead process's lock is gone
        assert again.slot == held
