"""`crm-course`: the command line. Each command is a thin wrapper over a library call.

The library raises domain errors; this layer turns them into a one-line message and a
non-zero exit code, so a user never sees a traceback for a mistake they made.
"""

from __future__ import annotations

import typer

from autograders.commands import grading, observe, world
from autograders.commands.onboard import onboard

app = typer.Typer(
    help="CRM courseware: build simulated worlds, release units, grade cohorts, report competency.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(world.app, name="world")
grading.register(app)
app.command("observe")(observe.observe)
app.command("onboard", context_settings={"allow_extra_args": True,
                                         "ignore_unknown_options": True})(onboard)


if __name__ == "__main__":  # pragma: no cover
    app()
