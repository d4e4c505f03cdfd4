"""Course commands: release, grade, report, feedback, check, demo, lab (placeholder)."""

import typer


def register(app: typer.Typer) -> None:
    """Attach the course commands to the top-level app."""
    app.command("demo")(demo)


def demo() -> None:
    """Build the demo world into demo/world.sqlite and show its summary."""
    from autograders.commands.errors import friendly_errors
    from autograders.commands.world import build_demo_world, print_summary
    from crm_sim.world import World

    with friendly_errors():
        path = build_demo_world("demo")
        print_summary(World.load(path))
        typer.echo(f"demo world saved to {path}")
