"""Tests of `crm-course world build|show` and `crm-course demo` through Typer's CliRunner."""

from typer.testing import CliRunner

from autograders.cli import app
from autograders.commands.world import build_demo_world
from crm_sim import Scenario, World

runner = CliRunner()


def test_build_and_show(tmp_path):
    """`world build` writes a loadable file with the asked scenario; `world show` summarises it."""
    out = tmp_path / "w.sqlite"
    result = runner.invoke(
        app,
        [
            "world",
            "build",
            "--seed",
            "4",
            "--customers",
            "120",
            "--industry",
            "timepiece",
            "--months",
            "3",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "saved to" in result.output
    world = World.load(out)
    assert (world.scenario.seed, world.scenario.n_customers, world.scenario.industry) == (
        4,
        120,
        "timepiece",
    )
    assert world.scenario.months_history == 3
    shown = runner.invoke(app, ["world", "show", str(out)])
    assert shown.exit_code == 0, shown.output
    for text in ("Customers per segment", "collector", "Contacts by channel", "Staff by role"):
        assert text in shown.output


def test_bad_values_give_clean_errors(tmp_path):
    """Invalid scenario values and bad files exit 2 with a one-line error, no traceback."""
    bad = runner.invoke(
        app, ["world", "build", "--industry", "banking", "--out", str(tmp_path / "x")]
    )
    assert bad.exit_code == 2
    assert "error: industry" in bad.output and "Traceback" not in bad.output
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a world")
    shown = runner.invoke(app, ["world", "show", str(junk)])
    assert shown.exit_code == 2 and "not a SQLite file" in shown.output
    assert junk.read_text() == "not a world"


def test_help_texts():
    """Each command has --help describing its options."""
    for args, needle in (
        (["world", "--help"], "build"),
        (["world", "build", "--help"], "--customers"),
        (["world", "show", "--help"], "world file"),
        (["demo", "--help"], "demo"),
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and needle in result.output


def test_build_demo_world(tmp_path):
    """build_demo_world (start of `crm-course demo`) saves <dir>/world.sqlite of Scenario.demo()."""
    path = build_demo_world(tmp_path / "demo")
    assert path == tmp_path / "demo" / "world.sqlite" and path.is_file()
    world = World.load(path)
    assert world.scenario == Scenario.demo()
    assert world.verify().ok
