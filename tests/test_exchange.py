"""autograders.exchange: a submission keeps the inbound folder's group and is closed to others.

The whole flow with real accounts runs in tests/test_hub.py; these check the two steps
on their own, as root (to give the folder a group other than our own).
"""

from __future__ import annotations

import os
import shutil
import stat

import pytest

from autograders.exchange import close_submission, copy_keeping_group

INSTRUCTORS_GID = 54321      # any group that is not ours: the inbound folder's

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to set a folder's group")


@pytest.fixture
def inbound(tmp_path):
    """A set-group-id inbound folder of another group, and a trainee's work to submit."""
    folder = tmp_path / "inbound"
    folder.mkdir()
    os.chown(folder, 0, INSTRUCTORS_GID)
    folder.chmod(0o3733)
    work = tmp_path / "work"
    (work / "data").mkdir(parents=True)
    (work / "unit.ipynb").write_text("{}")
    (work / "data" / "table.csv").write_text("a\n1\n")
    (work / "link").symlink_to("/etc/hostname")
    return folder, work


def test_every_file_of_the_copy_has_the_inbound_group(inbound):
    """Files and subfolders copied (and files written afterwards) belong to inbound's group."""
    folder, work = inbound
    dest = folder / "t1+UNIT+time+random"
    copy_keeping_group(str(work), str(dest), None)
    (dest / "timestamp.txt").write_text("now")      # what nbgrader writes after the copy
    for path in [dest, *dest.rglob("*")]:
        assert path.stat().st_gid == INSTRUCTORS_GID, path
    assert not (dest / "link").exists()             # links are not followed into inbound


def test_copytree_would_have_lost_the_group(inbound):
    """The reason for our own copy: copytree drops set-group-id, so later files lose the group."""
    folder, work = inbound
    dest = folder / "copytree"
    shutil.copytree(work, dest, symlinks=True)
    (dest / "timestamp.txt").write_text("now")
    assert (dest / "timestamp.txt").stat().st_gid != INSTRUCTORS_GID


def test_closed_submission_is_owner_and_group_only(inbound):
    """After closing, files are 0640 and folders 0770: nothing for other accounts."""
    folder, work = inbound
    dest = folder / "t1+UNIT+time+random"
    copy_keeping_group(str(work), str(dest), None)
    close_submission(str(dest))
    for path in [dest, *dest.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o007 == 0, (path, oct(mode))
        assert mode & 0o777 == (0o770 if path.is_dir() else 0o640), (path, oct(mode))
