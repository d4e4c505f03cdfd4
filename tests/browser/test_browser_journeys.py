"""One trainee's whole unit in the browser, then `crm-course grade` on what they handed in.

For each built unit: open each released notebook in Lab, run it top to bottom, do every
exercise in its widget (journey.py; drivers in viewdrivers.py; the unit's data in
journeys/<CODE>.py), save; place the saved notebooks as the submission; grade with the
command line instructors use; every auto-graded cell must score what the journey
deserved (full points, except cells the unit's journey lists as not earned).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import journeys
import pytest
import widgetdriver
from browserenv import REPO, TRAINEE
from journey import NotebookJourney
from labdriver import LabNotebook, read_cells

from autograders.demo import place_submission
from autograders.gradebook import read_scores

UNITS = sorted(p.name for p in (REPO / "course" / "units").iterdir()
               if p.is_dir() and any(p.glob("*.ipynb")))


def deserved(unit_dir: Path, spec) -> dict[str, float]:
    """Points per auto-graded cell the journey earns: all, but the unit's NOT_EARNED."""
    points = {}
    for name in spec.NOTEBOOKS:
        nb = json.loads((unit_dir / f"{name}.ipynb").read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if meta.get("grade") and not meta.get("solution"):
                gid = meta["grade_id"]
                points[gid] = 0.0 if gid in spec.NOT_EARNED else float(meta["points"])
    return points


def answer_kinds(unit_dir: Path, spec, steps: dict) -> dict[str, str]:
    """Graded cell -> how its answer was given ("quiz", "widget ..."), from the walk."""
    how = {s.grade_id: s.how for walked in steps.values() for s in walked}
    kinds, last = {}, None
    for name in spec.NOTEBOOKS:
        for cell in read_cells(unit_dir / f"{name}.ipynb"):
            if cell.grade_id in how:
                last = how[cell.grade_id]
            elif cell.graded and "BEGIN SOLUTION" not in cell.source:
                kinds[cell.grade_id] = last or "none"
    return kinds


@pytest.fixture(scope="module", params=UNITS)
def journey(request, lab_server, released_course, lab_context, artifacts):
    """One trainee's whole unit in the browser, submitted and graded with the CLI."""
    unit = request.param
    spec = journeys.load(unit)
    if spec is None:
        pytest.fail(f"{unit} has no browser journey: add tests/browser/journeys/{unit}.py "
                    "(docs/browser-tests.md says how)", pytrace=False)
    started = time.monotonic()
    workspace = lab_server.workspace("journey", released_course, unit)
    page = lab_context.new_page()
    steps = {}
    for name in spec.NOTEBOOKS:
        rel = f"journey/{unit}/{name}.ipynb"
        nb = LabNotebook(page, lab_server, rel, workspace / f"{name}.ipynb").open()
        walk = NotebookJourney(nb, REPO / "course" / "units" / unit / f"{name}.ipynb",
                               artifacts, spec, f"journey-{unit}-{name}")
        steps[name] = walk.walk()
        nb.save()
        nb.close()
    page.close()
    browser_s = time.monotonic() - started
    saved = {name: json.loads((workspace / f"{name}.ipynb").read_text(encoding="utf-8"))
             for name in spec.NOTEBOOKS}
    for name, nb_json in saved.items():
        place_submission(released_course, TRAINEE, unit, name, nb_json)
    cli = Path(sys.executable).with_name("crm-course")
    graded = subprocess.run([str(cli), "grade", unit, "--course", str(released_course.root),
                             "--no-progress", "-j", "2"], capture_output=True, text=True,
                            timeout=1200)
    unit_dir = REPO / "course" / "units" / unit
    result = {"unit": unit, "spec": spec, "steps": steps, "saved": saved, "graded": graded,
              "expected": deserved(unit_dir, spec),
              "kinds": answer_kinds(unit_dir, spec, steps),
              "scores": read_scores(released_course, unit).get(TRAINEE, {})}
    print(f"\n{unit}: browser {browser_s:.0f} s, grading "
          f"{time.monotonic() - started - browser_s:.0f} s; acts slower than "
          f"{widgetdriver.SLOW_S:.0f} s: {widgetdriver.SLOW}")
    widgetdriver.SLOW.clear()
    return result


def _points(journey, kind_prefix: str) -> tuple[dict, dict]:
    cells = [g for g, k in journey["kinds"].items() if k.startswith(kind_prefix)]
    got = {g: float(journey["scores"][g]["score"] or 0.0) for g in cells}
    return got, {g: journey["expected"][g] for g in cells}


def test_journey_does_every_exercise_in_its_widget_and_is_graded(journey):
    """Every answer cell was done in the browser (widget or question), saved, graded."""
    assert journey["graded"].returncode == 0, journey["graded"].stdout + journey["graded"].stderr
    walked = [s for steps in journey["steps"].values() for s in steps]
    assert all(s.how.startswith(("widget", "quiz", "left as released")) for s in walked)
    assert any(s.how.startswith("widget") for s in walked)
    assert set(journey["scores"]) >= set(journey["expected"]), "a graded cell is missing"
    for name, nb_json in journey["saved"].items():
        sources = ["".join(c["source"]) for c in nb_json["cells"]]
        assert not any("not_answered_yet()" in src for src, c in
                       zip(sources, nb_json["cells"], strict=True)
                       if c["metadata"].get("nbgrader", {}).get("grade_id")
                       not in journey["spec"].LEFT_AS_RELEASED
                       and c["metadata"].get("nbgrader", {}).get("solution")), name


def test_questions_answered_by_clicking_earn_their_points(journey):
    """Each multiple-choice answer clicked in its widget scores its full points."""
    got, expected = _points(journey, "quiz")
    assert got and got == expected, journey["graded"].stdout


def test_widget_answers_earn_their_points_when_graded(journey):
    """Each exercise built in its widget scores what the trainee built there."""
    got, expected = _points(journey, "widget")
    assert got and got == expected, journey["graded"].stdout


def test_every_answer_cell_of_a_journey_unit_is_reached():
    """Each journey lists its unit's notebooks in order; no answer cell is left unread."""
    for unit in journeys.units():
        spec = journeys.load(unit)
        unit_dir = REPO / "course" / "units" / unit
        assert list(spec.NOTEBOOKS) == sorted(p.stem for p in unit_dir.glob("*.ipynb"))
        answer_ids = {c.grade_id for n in spec.NOTEBOOKS
                      for c in read_cells(unit_dir / f"{n}.ipynb")
                      if "BEGIN SOLUTION" in c.source}
        assert set(spec.LEFT_AS_RELEASED) <= answer_ids
