"""Backups of the customer information system: create, list, verify, restore.

A backup is a complete copy of the world file made with SQLite's online backup API
(`crm_sim.store.backup`), verified as it is written (integrity check and every table's
row count against the manifest). Names carry the world's date and a running number
(``backup-2026-01-01-001.sqlite``), never the wall clock, so the same session gives the
same names. Restoring copies a backup over the live file atomically and loads it: after
a corruption (a truncated file, deleted rows) the restored world holds exactly what the
backup held.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from crm_sim import store
from crm_sim.desk.errors import DeskError
from crm_sim.errors import StoreError

NAME = re.compile(r"backup-(\d{4}-\d{2}-\d{2})-(\d{3})\.sqlite")


class Backups:
    """The backups kept in one folder.

    Args:
        folder: Where backups are kept (created if missing; its parent must exist).
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        if not self.folder.parent.exists():
            raise DeskError("backups", "folder", str(folder), "a folder whose parent exists",
                            "create the parent folder first")
        self.folder.mkdir(exist_ok=True)

    def _names(self) -> list[str]:
        return sorted(p.name for p in self.folder.iterdir() if NAME.fullmatch(p.name))

    def create(self, world: Any) -> str:
        """Back up `world` now; the new backup's name (verified before it is listed)."""
        day = world.today
        same_day = [n for n in self._names() if NAME.fullmatch(n).group(1) == day]
        number = int(NAME.fullmatch(same_day[-1]).group(2)) + 1 if same_day else 1
        if number > 999:
            raise DeskError(f"backups of {day}", "count", number, "at most 999 a day",
                            "delete old backups of that day")
        name = f"backup-{day}-{number:03d}.sqlite"
        store.backup(world, self.folder / name)
        return name

    def list(self) -> pd.DataFrame:
        """Every backup, oldest first: name, world date, size, rows, and whether it verifies."""
        rows = []
        for name in self._names():
            report = self.verify(name)
            rows.append({"name": name, "world_date": NAME.fullmatch(name).group(1),
                         "size_bytes": (self.folder / name).stat().st_size,
                         "rows": sum(report.row_counts.values()), "ok": report.ok,
                         "problems": "; ".join(report.problems)})
        return pd.DataFrame(rows, columns=["name", "world_date", "size_bytes", "rows", "ok",
                                           "problems"])

    def verify(self, name: str) -> store.VerifyReport:
        """Integrity check and row counts of one backup (a damaged one reports why)."""
        path = self._path(name)
        try:
            return store.verify(path)
        except StoreError as exc:
            return store.VerifyReport(str(path), False, [str(exc)], {})

    def latest(self) -> str:
        """The newest backup that verifies; DeskError if there is none."""
        for name in reversed(self._names()):
            if self.verify(name).ok:
                return name
        raise DeskError("backups", "folder", str(self.folder), "at least one good backup",
                        "create one with Backups.create(world)")

    def restore(self, to: str | Path, name: str | None = None) -> Any:
        """Copy a backup (default: the newest good one) over `to` and load it.

        The copy replaces `to` atomically, so a damaged live file is simply replaced.

        Returns:
            The restored World (its `path` is `to`).
        """
        from crm_sim.world import World

        name = name or self.latest()
        report = self.verify(name)
        if not report.ok:
            raise DeskError(f"backup {name}", "verify", report.problems,
                            "a backup that verifies", "restore an older backup")
        store.backup_file(self._path(name), to)
        return World.load(to)

    def _path(self, name: str) -> Path:
        if not isinstance(name, str) or not NAME.fullmatch(name) or not (
                self.folder / name).is_file():
            raise DeskError("backups", "name", name, f"one of {self._names()}",
                            "copy a name from Backups.list()")
        return self.folder / name


def check_live(path: str | Path) -> store.VerifyReport:
    """Whether the live world file is sound (integrity and row counts); never raises."""
    try:
        return store.verify(path)
    except StoreError as exc:
        return store.VerifyReport(str(path), False, [str(exc)], {})
