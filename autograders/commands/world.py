"""`crm-course world build|show`: build a simulated world to a file, or describe one.

Thin wrappers: each command calls the engine and prints; domain errors become a one-line
message and exit code 2 (`friendly_errors`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from autograders.commands.errors import friendly_errors
from crm_sim.scenario import Scenario
from crm_sim.world import World

if TYPE_CHECKING:      # rich and the summary load only for `world show`: `build` needs neither
    from rich.console import Console
    from rich.table import Table

DEFAULT_OUT = Path("world.sqlite")

app = typer.Typer(help="Build and inspect simulated CRM worlds.", no_args_is_help=True)


def _table(title: str, mapping: dict, key: str, value: str = "count") -> Table:
    """A two-column rich table."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column(key)
    table.add_column(value, justify="right")
    for k, v in mapping.items():
        table.add_row(str(k), f"{v:,}" if isinstance(v, int) else str(v))
    return table


def print_summary(world: World, console: Console | None = None) -> None:
    """Print a world's summary as rich tables."""
    from rich.console import Console

    from crm_sim.summary import summarise

    console = console or Console()
    data = summarise(world)
    sc = data["scenario"]
    console.print(
        f"[bold]World[/bold]: industry {sc['industry']}, seed {sc['seed']}, "
        f"{sc['n_customers']:,} customers, {sc['months_history']} months of history, "
        f"today {data['today']}"
    )
    console.print(_table("Tables", data["tables"], "table", "rows"))
    console.print(_table("Customers per segment", data["customers"]["by_segment"], "segment"))
    console.print(_table("Customers per district", data["customers"]["by_district"], "district"))
    console.print(
        f"Direct-marketing consent in force: {data['customers']['dm_consent']:,} of "
        f"{data['customers']['total']:,}"
    )
    console.print(_table("Staff by role", data["staff"]["by_role"], "role"))
    console.print(_table("Products by category", data["products"]["by_category"], "category"))
    console.print(_table("Contacts by channel", data["interactions"]["by_channel"], "channel"))
    console.print(_table("Contacts by outcome", data["interactions"]["by_outcome"], "outcome"))
    console.print(_table("Contacts by month", data["interactions"]["by_month"], "month"))


def build_world_file(*, seed: int, customers: int, industry: str, months: int, out: Path) -> World:
    """Build a world from the given scenario values and save it to `out`."""
    world = World.build(
        Scenario(seed=seed, n_customers=customers, industry=industry, months_history=months)
    )
    world.save(out)
    return world


def build_demo_world(out_dir: Path | str = Path("demo")) -> Path:
    """Build `Scenario.demo()` and save it as `<out_dir>/world.sqlite`; return the path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    world = World.build(Scenario.demo())
    return world.save(out_dir / "world.sqlite")


@app.command("build")
def build(
    seed: Annotated[int, typer.Option(help="Root seed: the same seed gives the same world.")] = 0,
    customers: Annotated[int, typer.Option(help="Number of customers (1 to 200,000).")] = 500,
    industry: Annotated[
        str, typer.Option(help="ict (ITCSCR units) or timepiece (104917L3).")
    ] = "ict",
    months: Annotated[
        int, typer.Option(help="Months of past interactions to generate (0 to 60).")
    ] = 12,
    out: Annotated[
        Path, typer.Option(help="SQLite file to write (replaced atomically).")
    ] = DEFAULT_OUT,
) -> None:
    """Build a simulated world and save it to a SQLite file."""
    with friendly_errors():
        world = build_world_file(
            seed=seed, customers=customers, industry=industry, months=months, out=out
        )
        typer.echo(f"built {world!r}")
        typer.echo(f"saved to {out}")


@app.command("show")
def show(
    path: Annotated[Path, typer.Argument(help="A world file written by `world build`.")],
) -> None:
    """Show a readable summary of a saved world."""
    with friendly_errors():
        world = World.load(path)
        print_summary(world)
