"""The course commands of `crm-course`: help everywhere, clean errors, no tracebacks."""

from __future__ import annotations

import pytest
from grading_helpers import FAKE, SECRET, UNIT, copy_fixture_course
from typer.testing import CliRunner

from autograders.cli import app
from autograders.demo import submit_cohort, unit_variants
from autograders.grading import grade
from autograders.release import release_unit

runner = CliRunner()
COMMANDS = [["release"], ["grade"], ["report"], ["feedback"], ["check"], ["demo"], ["lab"],
            ["gradebook"], ["gradebook", "backups"], ["gradebook", "restore"]]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A released, fake-graded fixture course."""
    course = copy_fixture_course(tmp_path_factory.mktemp("cli") / "course")
    release_unit(course, UNIT)
    submit_cohort(course, UNIT, {"T01": "full"}, unit_variants(course, UNIT))
    grade(course, UNIT, secret=SECRET, grader=FAKE, progress=False)
    return course


def _run(args, course=None):
    env = {"CRM_COURSE_ROOT": str(course.root)} if course is not None else {}
    result = runner.invoke(app, args, env=env)
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("args", COMMANDS)
def test_help_everywhere(args):
    """Every command has --help."""
    result = _run([*args, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_check_passes_on_fixture(course):
    """Check prints a summary and exits 0 on a complete unit."""
    result = _run(["check"], course)
    assert result.exit_code == 0 and "ok   FIXTURE1" in result.output


def test_check_lists_holes_and_exits_1(course, tmp_path):
    """Check exits 1 listing every hole of a broken unit."""
    broken = copy_fixture_course(tmp_path / "broken")
    toml = broken.units_dir / UNIT / "unit.toml"
    toml.write_text(toml.read_text().replace("squares_test = 3 }", "squares_test = 5 }"))
    result = _run(["check", "--course", str(broken.root)])
    assert result.exit_code == 1
    assert "FAIL FIXTURE1: 1 hole(s)" in result.output and "gives 5 points" in result.output


def test_unknown_unit(course):
    """An unknown unit is a one-line error naming the known units."""
    result = _run(["release", "NOPE"], course)
    assert result.exit_code != 0
    assert "unknown unit 'NOPE': known units are FIXTURE1" in result.output


def test_course_root_missing(tmp_path):
    """A missing course root says how to point at one."""
    result = _run(["grade", "all", "--course", str(tmp_path / "nowhere")])
    assert result.exit_code != 0 and "not found" in result.output


def test_trainee_not_found(course):
    """Report --trainee for an unknown trainee lists who was graded."""
    result = _run(["report", "--trainee", "ghost"], course)
    assert result.exit_code != 0
    assert "trainee 'ghost' not found" in result.output and "T01" in result.output


def test_report_for_one_trainee(course):
    """Report --trainee writes that trainee's record and the cohort files."""
    result = _run(["report", "--trainee", "T01", "--format", "html"], course)
    assert result.exit_code == 0, result.output
    assert (course.reports_dir / UNIT / "T01.html").exists()


def test_bad_report_format(course):
    """An unknown --format is refused with the allowed values."""
    result = _run(["report", "--format", "pdf"], course)
    assert result.exit_code != 0 and "use csv or html" in result.output


def test_grade_unreleased_unit(tmp_path):
    """Grading before release says to release first."""
    fresh = copy_fixture_course(tmp_path / "fresh")
    fresh.read_secret(create=True)
    result = _run(["grade", UNIT], fresh)
    assert result.exit_code != 0 and "has not been released" in result.output


def test_gradebook_backups_and_restore(course):
    """Backups lists the run's backup; restore uses the newest."""
    listed = _run(["gradebook", "backups"], course)
    assert listed.exit_code == 0 and "gradebook-" in listed.output
    restored = _run(["gradebook", "restore"], course)
    assert restored.exit_code == 0 and "gradebook restored from" in restored.output
    missing = _run(["gradebook", "restore", "nope.db"], course)
    assert missing.exit_code != 0 and "backup nope.db not found" in missing.output


def test_lab_command_line(course, monkeypatch):
    """Lab starts JupyterLab in the course root, on the released view, with --no-browser."""
    seen = []
    monkeypatch.setattr("autograders.commands.grading.subprocess.call",
                        lambda cmd, cwd, env: seen.append((cmd, cwd)) or 0)
    result = _run(["lab", "--no-browser"], course)
    assert result.exit_code == 0
    cmd, cwd = seen[0]
    assert cmd[1:3] == ["-m", "jupyterlab"] and cwd == str(course.root)
    assert f"--ServerApp.root_dir={course.root}" in cmd and "--no-browser" in cmd
    assert "--LabApp.default_url=/lab/tree/release" in cmd


def test_grade_refuses_an_unusable_worker_memory_limit(course):
    """--worker-memory-mb below the minimum exits 2 naming the field and the fix."""
    result = _run(["grade", UNIT, "--worker-memory-mb", "10", "--no-progress"], course)
    assert result.exit_code == 2
    assert "limits.worker_memory_mb: got 10" in result.output
    assert "--worker-memory-mb 1536" in result.output
