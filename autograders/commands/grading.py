"""Course commands: release, grade, report, feedback, check, demo, lab (placeholder)."""

import typer


def register(app: typer.Typer) -> None:
    """Attach the course commands to the top-level app."""
