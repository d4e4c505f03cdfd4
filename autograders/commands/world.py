"""`crm-course world ...` (placeholder until the world builder lands)."""

import typer

app = typer.Typer(help="Build and inspect simulated CRM worlds.", no_args_is_help=True)
