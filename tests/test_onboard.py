"""`crm-course onboard`: dashboards without exercises, on one shared company, no grading.

The browser side (Voila serving them, a trainer operating a view) is in
tests/browser/test_browser_onboard.py; here, what the dashboards are made of.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from autograders.cli import app
from autograders.commands.errors import CourseError
from autograders.demo import copy_course
from autograders.onboard import (
    ONBOARDING_TRAINEE,
    build_dashboards,
    dashboard_notebook,
    onboarding_env,
    voila_argv,
)

REPO_COURSE = Path(__file__).resolve().parents[1] / "course"


def _cell(source, **nbgrader):
    meta = {"nbgrader": nbgrader} if nbgrader else {}
    return {"cell_type": "code", "metadata": meta, "source": source, "outputs": [],
            "execution_count": None}


def test_dependants_of_an_exercise_are_dropped_with_it():
    """A cell reading a name only an exercise made is dropped, or Voila would stop there."""
    nb = {"cells": [_cell("view = make()"), _cell("rule = view.value", solution=True),
                    _cell("sheet = build(rule)"), _cell("show(sheet)"), _cell("view"),
                    _cell("submit('x_test', 1)", grade=True, points=1)]}
    board, dropped = dashboard_notebook(nb)
    assert dropped == [1, 2, 3, 5]
    assert ["".join(c["source"]) for c in board["cells"]] == ["view = make()", "view"]


def test_a_name_remade_by_a_kept_cell_is_not_missing():
    """A name an exercise and a later shown cell both make stays usable after the latter."""
    nb = {"cells": [_cell("x = 1", solution=True), _cell("x = 2"), _cell("print(x)")]}
    _, dropped = dashboard_notebook(nb)
    assert dropped == [0]


@pytest.fixture(scope="module")
def dashboards(tmp_path_factory):
    """ITCSCR304A's dashboards built from a temp course copy (released on the way)."""
    course = copy_course(REPO_COURSE, tmp_path_factory.mktemp("onb") / "course")
    return build_dashboards(course, "ITCSCR304A", tmp_path_factory.mktemp("out"))


def test_dashboards_hold_no_answer_or_check_and_the_shared_world(dashboards):
    """No answer or check cell, no model answer; helpers and the shared world are there."""
    names = sorted(p.name for p in dashboards.glob("*.ipynb"))
    assert names == ["01_accounts_and_plan.ipynb", "02_people_and_calls.ipynb",
                     "03_analysis_follow_up_conduct.ipynb"]
    for name in names:
        cells = json.loads((dashboards / name).read_text())["cells"]
        text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        assert "BEGIN SOLUTION" not in text and "submit(" not in text, name
        assert not any(c["metadata"].get("nbgrader", {}).get("solution") for c in cells)
    assert (dashboards / "periodic_calls.py").exists()
    assert (dashboards / ".crm_world" / "ITCSCR304A.sqlite").exists()


def test_every_page_shares_one_company_and_voila_hides_code(tmp_path):
    """The server's environment names the shared trainee; sources and tracebacks hidden."""
    env = onboarding_env({"JUPYTERHUB_USER": "someone", "PATH": "/bin"}, tmp_path)
    assert env["CRM_TRAINEE_ID"] == ONBOARDING_TRAINEE and "JUPYTERHUB_USER" not in env
    assert env["CRM_WORLD_DIR"] == str(tmp_path)
    assert env["CRM_HAND_IN"] == "off"          # nobody hands in at a demonstration
    cmd = voila_argv(tmp_path, ["--port=8899"], no_browser=True)
    assert "--strip_sources=True" in cmd and "--show_tracebacks=False" in cmd
    assert cmd[-1] == "--port=8899" and "--no-browser" in cmd


def test_unknown_unit_and_all_are_refused_in_words(tmp_path):
    """`onboard NOPE` names the known units; `onboard all` asks for one unit."""
    course = copy_course(REPO_COURSE, tmp_path / "course")
    with pytest.raises(CourseError, match="one unit at a time"):
        build_dashboards(course, "all", tmp_path / "out")
    result = CliRunner().invoke(app, ["onboard", "NOPE", "--course", str(course.root),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code != 0 and "unknown unit" in result.output
