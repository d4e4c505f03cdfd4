"""nbgrader's submit step, with submissions readable only by their trainee and the instructors.

Stock nbgrader leaves a submission in the exchange's ``inbound`` folder world-readable
(files 0644 in a folder made 0777) and relies on the inbound folder being unlistable and
on a random part in the submission's name. Here every file of the submission belongs to
the inbound folder's group (the folder is set-group-id and belongs to the instructors'
group, see deploy/setup-exchange.sh) and the submission is then closed to everyone else:
files 0640, folders 0770. The trainee still owns it and the instructors can read
(collect) and delete it; another trainee can neither list it, open it nor change it.

Why the copy is our own: `shutil.copytree` ends by copying the source folder's mode onto
the new folder, which drops its set-group-id bit, so nbgrader's ``timestamp.txt`` and
``submission_secret.txt``, written afterwards, would belong to the trainee's own group
(readable by every trainee sharing it) and not to the instructors' (so collect fails).
A trainee, not being in the instructors' group, cannot give the bit or the group back.

Enabled by ``c.ExchangeFactory.submit = "autograders.exchange.PrivateExchangeSubmit"``
(deploy/jupyter/nbgrader_config.py), so the assignment list in the browser and
``nbgrader submit`` behave the same.
"""

from __future__ import annotations

import os
import shutil
import stat

from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.utils import ignore_patterns

PRIVATE_DIR = stat.S_IRWXU | stat.S_IRWXG                           # 0770
PRIVATE_FILE = stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP           # 0640


def copy_keeping_group(src: str, dest: str, ignore) -> None:
    """Copy a folder's regular files and subfolders, creating each in its new parent.

    Every folder is made with `os.mkdir` inside a set-group-id parent, so it inherits the
    parent's group and the bit, and every file written into it the group. Symbolic links
    and anything that is not a regular file or folder are left out.
    """
    os.mkdir(dest)
    names = os.listdir(src)
    skipped = ignore(src, names) if ignore else set()
    for name in names:
        if name in skipped:
            continue
        source, target = os.path.join(src, name), os.path.join(dest, name)
        if os.path.islink(source):
            continue
        if os.path.isdir(source):
            copy_keeping_group(source, target, ignore)
        elif os.path.isfile(source):
            shutil.copyfile(source, target)


def close_submission(path: str) -> None:
    """Make a submission folder readable by its owner and its group only."""
    for folder, _, files in os.walk(path):
        for name in files:
            os.chmod(os.path.join(folder, name), PRIVATE_FILE)
        os.chmod(folder, PRIVATE_DIR)


class PrivateExchangeSubmit(ExchangeSubmit):
    """`ExchangeSubmit` whose inbound copy only its trainee and the instructors can read."""

    def do_copy(self, src: str, dest: str, log=None) -> None:
        """Copy into inbound keeping the instructors' group; elsewhere as nbgrader does."""
        inbound = os.path.abspath(self.inbound_path)
        if os.path.dirname(os.path.abspath(dest)) != inbound:
            super().do_copy(src, dest, log)
            return
        size = self.get_size(src)
        if size > 1000 * self.coursedir.max_dir_size:
            raise RuntimeError(f"Directory size is too big. Size is {size}, maximum size is "
                               f"{1000 * self.coursedir.max_dir_size}")
        copy_keeping_group(src, dest, ignore_patterns(
            exclude=self.coursedir.ignore, include=self.coursedir.include,
            max_file_size=self.coursedir.max_file_size, log=self.log))

    def copy_files(self) -> None:
        """Submit as nbgrader does, then close the inbound copy to other trainees."""
        super().copy_files()
        close_submission(os.path.join(self.inbound_path, self.assignment_filename))
