"""Backups: create, list, verify, restore, also after the live file is damaged."""

from __future__ import annotations

import os
import sqlite3

import pandas as pd
import pytest

from crm_sim import desk
from crm_sim.world import World


def _same(a: World, b: World) -> None:
    assert set(a.schema) == set(b.schema)
    for name in a.schema:
        pd.testing.assert_frame_equal(a.table(name), b.table(name), check_exact=True)


@pytest.fixture
def live(w, tmp_path):
    """The world saved to its live file, with one backup taken."""
    path = w.save(tmp_path / "live.sqlite")
    backups = desk.Backups(tmp_path / "backups")
    name = backups.create(w)
    return w, path, backups, name


def test_create_list_verify(live):
    """Names follow the world's date with a running number; each backup verifies."""
    w, _, backups, name = live
    assert name == f"backup-{w.today}-001.sqlite"
    assert backups.create(w) == f"backup-{w.today}-002.sqlite"
    listing = backups.list()
    assert list(listing["name"]) == [name, f"backup-{w.today}-002.sqlite"]
    assert listing["ok"].all() and (listing["rows"] > 0).all()


def test_restore_after_truncation(live):
    """A truncated live file fails its check; the restore holds all the backup held."""
    w, path, backups, _ = live
    os.truncate(path, path.stat().st_size // 3)
    assert not desk.check_live(path).ok
    _same(backups.restore(path), w)
    assert desk.check_live(path).ok


def test_restore_after_deleted_rows(live):
    """Rows deleted behind the engine's back are detected and restored."""
    w, path, backups, _ = live
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM t_desk_comms WHERE rowid % 2 = 0")
        conn.execute("DELETE FROM t_desk_complaints")
    report = desk.check_live(path)
    assert not report.ok and any("desk_comms" in p for p in report.problems)
    _same(backups.restore(path), w)


def test_changes_after_backup_are_what_is_lost(live):
    """Work after the last backup is not in a restore; everything before it is."""
    w, path, backups, _ = live
    c = w.customers["customer_id"].iloc[0]
    desk.record_communication(w, c, "S0001", "email", "After the backup.")
    w.save(path)
    restored = backups.restore(path)
    assert len(restored.tables["desk_comms"]) == len(w.tables["desk_comms"]) - 1


def test_damaged_backup_skipped_for_latest_good(live):
    """If the newest backup is damaged, restore uses the newest good one."""
    w, path, backups, first = live
    second = backups.create(w)
    os.truncate(backups.folder / second, 4096)
    assert not backups.verify(second).ok
    assert backups.latest() == first
    with pytest.raises(desk.DeskError, match="verify"):
        backups.restore(path, second)
    _same(backups.restore(path), w)


def test_unknown_backup_name(live):
    """A name not in the folder is refused with the names that exist."""
    _, path, backups, first = live
    with pytest.raises(desk.DeskError, match=first):
        backups.restore(path, "backup-1999-01-01-001.sqlite")
