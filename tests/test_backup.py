"""`crm-course backup`: one owner-only archive of the course's essentials and the exchange."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
import tarfile

import pytest
from grading_helpers import FAKE, SECRET, UNIT, copy_fixture_course

from autograders.backup import backup_class
from autograders.commands.errors import CourseError
from autograders.demo import submit_cohort, unit_variants
from autograders.grading import grade
from autograders.release import release_unit


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A fixture course with two graded trainees and an exchange holding one submission."""
    base = tmp_path_factory.mktemp("backup")
    course = copy_fixture_course(base / "course")
    release_unit(course, UNIT)
    submit_cohort(course, UNIT, {"T01": "full", "T02": "wrong"}, unit_variants(course, UNIT))
    grade(course, UNIT, secret=SECRET, grader=FAKE, progress=False)
    exchange = base / "exchange"
    inbound = exchange / "crm-course" / "inbound" / "T03+FIXTURE1+2026-11-30 10:00:00 UTC+x"
    inbound.mkdir(parents=True)
    (inbound / "fixture1.ipynb").write_text("{}")
    return course, exchange


def test_archive_holds_gradebook_submissions_secret_and_exchange(graded, tmp_path):
    """The archive restores a gradebook with both trainees, their submissions and the inbound."""
    course, exchange = graded
    archive = backup_class(course, tmp_path / "out", exchange)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        tar.extractall(tmp_path / "restored", filter="data")
    assert {"course/.secret", "course/grading.sqlite",
            "course/submitted/T01/FIXTURE1/fixture1.ipynb",
            "course/units/FIXTURE1/grading/evaluators.py"} <= names
    assert any(n.startswith("exchange/crm-course/inbound/T03+") for n in names)
    with sqlite3.connect(tmp_path / "restored" / "course" / "gradebook.db") as db:
        students = {r[0] for r in db.execute("SELECT id FROM student")}
    assert students == {"T01", "T02"}


def test_missing_exchange_is_a_plain_error(graded, tmp_path):
    """Naming an exchange that does not exist fails and says which variable names it."""
    course, _ = graded
    with pytest.raises(CourseError, match="CRM_EXCHANGE_ROOT"):
        backup_class(course, tmp_path / "out", tmp_path / "nowhere")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_backup_command_prints_the_archive(graded, tmp_path):
    """`crm-course backup --out DIR --exchange DIR` exits 0 and names the archive it wrote."""
    course, exchange = graded
    proc = subprocess.run([sys.executable, "-m", "autograders.cli", "backup", "--out",
                           str(tmp_path / "b"), "--exchange", str(exchange), "--course",
                           str(course.root)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("backup: ") and proc.stdout.strip().endswith(".tar.gz")
