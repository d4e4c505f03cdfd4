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
from conftest import REPO, TRAINEE
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


@pytest.mark.parametrize("unit", UNITS)
def test_trainee_journey_through_the_widgets_earns_its_points(unit, lab_server,
                                                              released_course, lab_context,
                                                              artifacts):
    """Every exercise done in its widget, saved and graded, scores what it deserved."""
    spec = journeys.load(unit)
    if spec is None:
        pytest.fail(f"{unit} has no browser journey: add tests/browser/journeys/{unit}.py "
                    "(docs/browser-tests.md says how)", pytrace=False)
    started = time.monotonic()
    workspace = lab_server.workspace("journey", released_course, unit)
    page = lab_context.new_page()
    done = {}
    for name in spec.NOTEBOOKS:
        rel = f"journey/{unit}/{name}.ipynb"
        nb = LabNotebook(page, lab_server, rel, workspace / f"{name}.ipynb").open()
        walk = NotebookJourney(nb, REPO / "course" / "units" / unit / f"{name}.ipynb",
                               artifacts, spec, f"journey-{unit}-{name}")
        done[name] = walk.walk()
        nb.save()
        nb.close()
    page.close()
    browser_s = time.monotonic() - started

    for name in spec.NOTEBOOKS:
        saved = json.loads((workspace / f"{name}.ipynb").read_text(encoding="utf-8"))
        assert any(c.get("outputs") for c in saved["cells"]), f"{name} saved without outputs"
        place_submission(released_course, TRAINEE, unit, name, saved)
    cli = Path(sys.executable).with_name("crm-course")
    graded = subprocess.run([str(cli), "grade", unit, "--course", str(released_course.root),
                             "--no-progress", "-j", "2"], capture_output=True, text=True,
                            timeout=1200)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    scores = read_scores(released_course, unit)[TRAINEE]
    expected = deserved(REPO / "course" / "units" / unit, spec)
    got = {gid: float(scores[gid]["score"] or 0.0) for gid in expected}
    widget_steps = sum(s.how.startswith("widget") for steps in done.values() for s in steps)
    print(f"{unit}: {widget_steps} widget exercises, browser {browser_s:.0f} s, "
          f"grading {time.monotonic() - started - browser_s:.0f} s")
    assert got == expected, graded.stdout


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
