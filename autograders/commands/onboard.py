"""`crm-course onboard UNIT`: serve a unit as Voila dashboards for an onboarding session.

A thin wrapper over `autograders.onboard`: build the dashboards (narrative, widgets and
charts of the released unit, no code, no exercises, no grading) on one shared demo
company, then run Voila on them until stopped. Arguments after `--` go to Voila unchanged.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import typer

from autograders.commands.errors import CourseError, friendly_errors
from autograders.commands.grading import COURSE_OPT, _course

ONBOARD_OUT_OPT = typer.Option(Path("onboarding"), "--out",
                               help="Where the dashboards and the shared world go.")


def onboard(ctx: typer.Context,
            unit: str = typer.Argument(..., help="Unit code, e.g. ITCSCR304A."),
            out: Path = ONBOARD_OUT_OPT,
            no_browser: bool = typer.Option(False, "--no-browser",
                                            help="Do not open a browser."),
            course: Path | None = COURSE_OPT) -> None:
    """Serve a unit as dashboards (Voila): widgets, charts and narrative; no code, no grading.

    Everyone in the session sees one shared demo company. Any further arguments go to
    Voila unchanged, e.g. `crm-course onboard ITCSCR304A -- --port=8866`.
    """
    with friendly_errors():
        from autograders.onboard import build_dashboards, onboarding_env, voila_argv

        folder = build_dashboards(_course(course), unit, out.resolve())
        typer.echo(f"dashboards of {unit} in {folder} (shared demo company, no grading)")
        cmd = voila_argv(folder, list(ctx.args), no_browser=no_browser)
        try:
            code = subprocess.call(cmd, cwd=str(folder), env=onboarding_env(os.environ, folder))
        except OSError as exc:
            raise CourseError(f"could not start Voila: {exc}") from exc
        raise typer.Exit(code=code)
