"""`crm-course observe`: the assessor records and signs a trainee's observation checklist."""

from __future__ import annotations

from pathlib import Path

import typer

from autograders.commands.errors import friendly_errors

COURSE_OPT = typer.Option(None, "--course", envvar="CRM_COURSE_ROOT",
                          help="Course root (default ./course).", show_default=False)


def observe(trainee: str = typer.Argument(..., help="Trainee id."),
            unit: str = typer.Argument(..., help="Unit code."),
            item: str | None = typer.Option(None, "--item", help="Checklist item id."),
            met: str | None = typer.Option(None, "--met", help="yes or no."),
            note: str = typer.Option("", "--note", help="What the assessor saw."),
            assessor: str = typer.Option("", "--assessor", help="Assessor's name."),
            sign_it: bool = typer.Option(False, "--sign",
                                         help="Sign the record (every item recorded)."),
            course: Path | None = COURSE_OPT) -> None:
    """Record an observation item (--item, --met) and/or sign the record (--sign)."""
    with friendly_errors():
        from autograders.course import resolve_course
        from autograders.observations import (
            ObservationError,
            load_record,
            record_item,
            record_path,
            sign,
        )
        from autograders.unitspec import load_unit_spec

        root = resolve_course(course)
        spec = load_unit_spec(root.unit_dir(unit))
        path = record_path(root.root, trainee, spec.code)
        if item is None and not sign_it:
            raise ObservationError("nothing to do: give --item ID --met yes|no, or --sign")
        if item is not None:
            if met is None or met.lower() not in ("yes", "no"):
                raise ObservationError(f"--met must be yes or no, got {met!r}")
            record_item(spec, path, item, met.lower() == "yes", assessor, note)
            typer.echo(f"recorded {item} = {met.lower()} for {trainee} on {spec.code}")
        if sign_it:
            rec = sign(spec, path, assessor)
            typer.echo(f"signed by {rec.signed_by} at {rec.signed_at}: {path}")
        else:
            rec = load_record(path)
            todo = [o.id for o in spec.observations if rec is None or o.id not in rec.items]
            typer.echo(f"not signed yet (still to record: {', '.join(todo) or 'nothing'})")
