"""Turn domain errors into a clean CLI exit (the library raises; the CLI exits)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import typer

from crm_sim.errors import CrmSimError


class CourseError(Exception):
    """A course-level mistake (unknown unit, trainee not found, course root missing)."""


@contextlib.contextmanager
def friendly_errors() -> Iterator[None]:
    """Print `error: <message>` and exit 2 for any domain error raised inside."""
    try:
        yield
    except (CrmSimError, CourseError) as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(code=2) from exc
