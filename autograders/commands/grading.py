"""Course commands: release, grade, report, feedback, check, gradebook, demo, lab.

Thin wrappers: each parses options, resolves the course root (``--course`` / env
``CRM_COURSE_ROOT`` / ``./course``) and calls one library function; domain errors become
a one-line message and a non-zero exit through `friendly_errors`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import typer

from autograders.commands.errors import CourseError, friendly_errors
from autograders.pool import DEFAULT_WORKER_MEMORY_MB

COURSE_OPT = typer.Option(None, "--course", envvar="CRM_COURSE_ROOT",
                          help="Course root (default ./course).", show_default=False)

CANVAS_ID_OPT = typer.Option(None, "--canvas-id",
                             help="UNIT=ID: a unit's Canvas assignment id for canvas-grades.csv "
                                  "(repeatable; default from <course>/canvas.toml).")

DEMO_OUT_OPT = typer.Option(Path("demo"), "--out", help="Where the demo is built.")

gradebook_app = typer.Typer(help="Gradebook backups: list and restore.", no_args_is_help=True)


def _course(path: Path | None):
    from autograders.course import resolve_course

    return resolve_course(path)


LANG_OPT = typer.Option(None, "--lang", help="Language of the trainee text, e.g. zh-Hant (the "
                        "unit.toml 'languages'): recorded for each --trainee, else as the "
                        "course default.")
LANG_TRAINEE_OPT = typer.Option(None, "--trainee", help="Trainee id the --lang is for "
                                "(repeatable).")


def release(unit: str = typer.Argument(..., help="Unit code, or 'all'."),
            course: Path | None = COURSE_OPT,
            lang: str | None = LANG_OPT, trainee: list[str] | None = LANG_TRAINEE_OPT) -> None:
    """Release a unit (student version without solutions, hidden tests or keys)."""
    with friendly_errors():
        from autograders.release import release as do_release

        for path in do_release(_course(course), unit, lang=lang, trainees=trainee):
            typer.echo(f"released {path.name} -> {path}")


def grade(unit: str = typer.Argument(..., help="Unit code, or 'all'."),
          jobs: int = typer.Option(1, "--jobs", "-j", help="Worker processes."),
          force: bool = typer.Option(False, "--force",
                                     help="Regrade submissions already graded."),
          progress: bool = typer.Option(True, "--progress/--no-progress",
                                        help="Show a progress bar."),
          worker_memory_mb: int | None = typer.Option(
              None, "--worker-memory-mb",
              help="Address-space cap of each grading worker in MB "
                   f"(default {DEFAULT_WORKER_MEMORY_MB}; 0: no cap)."),
          allow_unsandboxed: bool = typer.Option(
              False, "--allow-unsandboxed",
              help="Grade even where the bubblewrap jail cannot run (results and reports "
                   "are marked as graded without the sandbox)."),
          cluster: str | None = typer.Option(
              None, "--cluster",
              help="Address of a Dask scheduler (e.g. tcp://10.0.0.5:8786): grade on its "
                   "workers, each in its own jail; this machine writes the gradebook. "
                   "--jobs is then ignored (the workers' threads decide)."),
          course: Path | None = COURSE_OPT) -> None:
    """Autograde every submitted notebook of a unit, in parallel, and write the gradebook."""
    with friendly_errors():
        from autograders.grading import grade as do_grade

        limits = None if worker_memory_mb is None else {"worker_memory_mb": worker_memory_mb}
        summary = do_grade(_course(course), unit, jobs=jobs, force=force, progress=progress,
                           limits=limits, allow_unsandboxed=allow_unsandboxed,
                           cluster=cluster)
        for line in summary.lines():
            typer.echo(line)


def report(trainee: str | None = typer.Option(None, "--trainee", help="Only this trainee."),
           fmt: str | None = typer.Option(None, "--format",
                                          help="csv or html (default: both)."),
           canvas_id: list[str] | None = CANVAS_ID_OPT,
           course: Path | None = COURSE_OPT) -> None:
    """Write competency records, cohort summary, item analysis, LMS export, similarity."""
    with friendly_errors():
        from autograders.reports.build import write_reports
        from autograders.reports.export import parse_canvas_ids

        formats = ("csv", "html") if fmt is None else (fmt,)
        files = write_reports(_course(course), trainee=trainee, formats=formats,
                              canvas_ids=parse_canvas_ids(canvas_id or []))
        if files.cohort_html:
            typer.echo(f"cohort report: {files.cohort_html}")
        if files.competency_csv:
            typer.echo(f"competency CSV: {files.competency_csv}")
        for path in files.trainee_html:
            typer.echo(f"record: {path}")


def feedback(unit: str = typer.Argument(..., help="Unit code, or 'all'."),
             trainee: str | None = typer.Option(None, "--trainee", help="Only this trainee."),
             course: Path | None = COURSE_OPT) -> None:
    """Write per-trainee feedback HTML (no hidden tests, no hidden-seed answers)."""
    with friendly_errors():
        from autograders.feedback import write_feedback

        files = write_feedback(_course(course), unit, trainee=trainee)
        for f in files:
            typer.echo(f"feedback: {f.path}")


def check(unit: str = typer.Argument("all", help="Unit code, or 'all'."),
          course: Path | None = COURSE_OPT) -> None:
    """Validate unit.toml against the notebooks and docs/units.md; exit 1 listing holes."""
    with friendly_errors():
        from autograders.unitspec import check_unit

        root = _course(course)
        failed = False
        for code in root.resolve_units(unit):
            rep = check_unit(root.unit_dir(code))
            for note in rep.notes:
                typer.echo(f"note: {note}")
            if rep.ok:
                typer.echo(f"ok   {rep.summary}")
            else:
                failed = True
                typer.echo(f"FAIL {code}: {len(rep.holes)} hole(s)")
                for hole in rep.holes:
                    typer.echo(f"  - {hole}")
        if failed:
            raise typer.Exit(code=1)


def demo(out: Path = DEMO_OUT_OPT,
         jobs: int = typer.Option(2, "--jobs", "-j", help="Grading worker processes."),
         course: Path | None = COURSE_OPT) -> None:
    """Build a demo world, then grade one simulated trainee per profile on a course copy."""
    with friendly_errors():
        import time

        world_started = time.monotonic()
        try:
            from autograders.commands.world import build_demo_world, print_summary
            from crm_sim.world import World

            typer.echo("build the demo world ...")
            path = build_demo_world(out)
            print_summary(World.load(path))
            typer.echo(f"demo world saved to {path}")
        except ImportError as exc:  # world builder not installed: grading demo still runs
            typer.echo(f"note: no world summary ({exc})")
        world_seconds = time.monotonic() - world_started
        from autograders.demo import run_demo

        result = run_demo(out, source_course=course, jobs=jobs, echo=typer.echo)
        result.stages.insert(0, ("build, save and show the demo world", world_seconds))
        for line in result.summary_lines:
            typer.echo(line)
        for line in result.stage_lines():
            typer.echo(line)
        typer.echo(f"demo finished in {result.seconds:.0f} s; course copy: {result.course.root}")
        typer.echo(f"cohort report: {result.cohort_html}")


LAB_START_URL = "/lab/tree/release"
OFFLINE_TEMPLATES = Path(__file__).resolve().parents[1] / "offline"
# JupyterLab's application settings (overrides.json): the news question answered "no"
LAB_SETTINGS = Path(__file__).resolve().parents[1] / "lab_settings"


def lab_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The server's environment: the offline MathJax templates first on JUPYTER_PATH.

    nbgrader's formgrader and feedback templates load MathJax from a CDN; the folder
    ``autograders/offline`` holds a stand-in macro that nbconvert finds first, so a
    classroom server without internet shows no "MathJax is not defined" error.
    """
    env = dict(environ)
    rest = env.get("JUPYTER_PATH", "")
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(OFFLINE_TEMPLATES), rest) if p)
    return env


def lab_argv(course_root: Path, extra: list[str], *, no_browser: bool = False,
             is_root: bool | None = None) -> tuple[list[str], list[str]]:
    """The JupyterLab command line `crm-course lab` runs, and notes to print.

    The server opens on ``release/`` (what trainees receive): the sources, answer keys
    and gradebook are never its start page. Its root stays the course root, since
    formgrader refuses a course root outside the server's, and the process runs in the
    course root, where formgrader reads ``nbgrader_config.py``. Jupyter refuses to start
    as root without ``--allow-root``, as classroom servers and containers often run it:
    it is added here, and said. JupyterLab's "Would you like to receive official Jupyter
    news?" pop-up is answered "no" beforehand (``lab_settings/overrides.json``): this
    server is also the one an onboarding trainer shows to a room, where the pop-up would
    stand in front of the demonstration; a user can still turn news on in Settings.

    Args:
        course_root: the resolved course root.
        extra: arguments after the options, passed to Jupyter unchanged.
        no_browser: add ``--no-browser``.
        is_root: override of ``os.geteuid() == 0`` (tests).
    """
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={course_root}",
           f"--LabApp.default_url={LAB_START_URL}"]
    if not any(arg.startswith("--LabApp.app_settings_dir") for arg in extra):
        cmd.append(f"--LabApp.app_settings_dir={LAB_SETTINGS}")
    notes = []
    if no_browser:
        cmd.append("--no-browser")
    if is_root is None:
        is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if is_root and "--allow-root" not in extra:
        cmd.append("--allow-root")
        notes.append("running as root: passing --allow-root to Jupyter")
    return cmd + list(extra), notes


def lab(ctx: typer.Context,
        no_browser: bool = typer.Option(False, "--no-browser",
                                        help="Do not open a browser."),
        course: Path | None = COURSE_OPT) -> None:
    """Open JupyterLab on the released units (formgrader included, for manual grading).

    Any further arguments go to Jupyter unchanged, e.g.
    `crm-course lab -- --ServerApp.ip=0.0.0.0 --ServerApp.port=8890`.
    """
    with friendly_errors():
        root = _course(course).root
        cmd, notes = lab_argv(root, list(ctx.args), no_browser=no_browser)
        (root / "release").mkdir(exist_ok=True)
        for note in notes:
            typer.echo(f"note: {note}")
        try:
            # cwd = course root: nbgrader's formgrader reads nbgrader_config.py from there
            code = subprocess.call(cmd, cwd=str(root), env=lab_env(os.environ))
        except OSError as exc:
            raise CourseError(f"could not start JupyterLab: {exc}") from exc
        raise typer.Exit(code=code)


@gradebook_app.command("backups")
def backups(course: Path | None = COURSE_OPT) -> None:
    """List gradebook backups, oldest first."""
    with friendly_errors():
        from autograders.gradebook import list_backups

        found = list_backups(_course(course))
        if not found:
            typer.echo("no backups yet (one is taken before every grading run)")
        for path in found:
            typer.echo(str(path))


@gradebook_app.command("restore")
def restore(backup: str | None = typer.Argument(None, help="Backup file (default: newest)."),
            course: Path | None = COURSE_OPT) -> None:
    """Replace the gradebook by a backup."""
    with friendly_errors():
        from autograders.gradebook import restore_gradebook

        used = restore_gradebook(_course(course), backup)
        typer.echo(f"gradebook restored from {used}")


def register(app: typer.Typer) -> None:
    """Attach the course commands to the top-level app."""
    for fn in (release, grade, report, feedback, check, demo):
        app.command(fn.__name__)(fn)
    app.command("lab", context_settings={"allow_extra_args": True,
                                         "ignore_unknown_options": True})(lab)
    app.add_typer(gradebook_app, name="gradebook")
    app.command("backup")(backup)


BACKUP_OUT_OPT = typer.Option(Path("backups"), "--out", help="Folder for the archive.")
EXCHANGE_OPT = typer.Option(None, "--exchange", envvar="CRM_EXCHANGE_ROOT",
                            help="nbgrader's exchange folder to include "
                                 "(default: $CRM_EXCHANGE_ROOT).")


def backup(out: Path = BACKUP_OUT_OPT, exchange: Path | None = EXCHANGE_OPT,
           course: Path | None = COURSE_OPT) -> None:
    """Archive the gradebook, grading journal, submissions, secret and the exchange (0600)."""
    with friendly_errors():
        from autograders.backup import backup_class

        path = backup_class(_course(course), out, exchange)
        typer.echo(f"backup: {path}")
