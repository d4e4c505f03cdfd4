"""One archive of everything a class cannot do without: `crm-course backup`.

A course on a class hub lives in two places: the instructor's course folder (gradebook,
grading status and journal, observations, submissions as collected, autograded
notebooks, feedback, the course secret that hidden seeds derive from, the unit sources)
and nbgrader's exchange (released units, submissions not yet collected, feedback not
yet fetched). `backup_class` writes both into one ``crm-backup-<UTC time>.tar.gz``,
owner-only (0600: it holds answer keys, the secret and trainees' work). The SQLite
files are copied with SQLite's online backup, so the copy is consistent even while
formgrader or a grading run has them open; everything else is copied as it is.
Reports are left out: `crm-course report` writes them again from the gradebook.
"""

from __future__ import annotations

import os
import sqlite3
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from autograders.commands.errors import CourseError
from autograders.course import Course

SQLITE_FILES = ("gradebook.db", "grading.sqlite")
COURSE_PARTS = (".secret", "nbgrader_config.py", "units", "release", "submitted",
                "autograded", "feedback", "observations", "canvas.toml",
                ".exchange")      # the course's own exchange when it runs without a hub


def _sqlite_copy(src: Path, dest: Path) -> None:
    """A consistent copy of a live SQLite database (its online backup API)."""
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(dest)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def backup_class(course: Course, out_dir: Path, exchange: Path | None = None) -> Path:
    """Write the course folder's essentials and the exchange into one archive.

    Args:
        course: the resolved course.
        out_dir: folder for the archive (created 0700 when missing).
        exchange: nbgrader's exchange folder, or None when the class has none.

    Returns:
        The archive's path, ``<out_dir>/crm-backup-<UTC time>.tar.gz``.

    Raises:
        CourseError: the exchange named does not exist, or nothing of the course exists.
    """
    if exchange is not None and not Path(exchange).is_dir():
        raise CourseError(f"exchange {exchange} does not exist: pass the folder set as "
                          "CRM_EXCHANGE_ROOT (default /srv/nbgrader/exchange), or leave "
                          "--exchange out")
    present = [p for p in (*SQLITE_FILES, *COURSE_PARTS) if (course.root / p).exists()]
    if not present:
        raise CourseError(f"nothing to back up in {course.root}: is it the course folder?")
    out_dir = Path(out_dir)
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    archive = out_dir / f"crm-backup-{stamp}.tar.gz"
    fd = os.open(archive, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with tempfile.TemporaryDirectory() as tmp, os.fdopen(fd, "wb") as raw, \
            tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for name in SQLITE_FILES:
            if (course.root / name).exists():
                copy = Path(tmp) / name
                _sqlite_copy(course.root / name, copy)
                tar.add(copy, arcname=f"course/{name}")
        for name in COURSE_PARTS:
            if (course.root / name).exists():
                tar.add(course.root / name, arcname=f"course/{name}",
                        filter=_skip_caches)
        if exchange is not None:
            tar.add(exchange, arcname="exchange", filter=_skip_caches)
    return archive


def _skip_caches(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    """Leave out Python caches and notebook checkpoints (rebuilt on use)."""
    parts = Path(info.name).parts
    return None if "__pycache__" in parts or ".ipynb_checkpoints" in parts else info
