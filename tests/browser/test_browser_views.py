"""Every widget view of crm_sim.ui, in the released notebook that shows it, in a browser.

The generic driver: whatever a view is, a person can see it, name each control, use each
one (mouse and keyboard) and get words back, never a traceback. Views are discovered
(`viewcatalogue`), so a view added later is tested here without editing this file. What
each exercise's view hands in is proven by the unit journeys (test_browser_journeys.py).
"""

from __future__ import annotations

import inspect

import pytest
from browserenv import REPO
from labdriver import LabNotebook, read_cells
from viewcatalogue import places, view_classes
from widgetdriver import (
    CALLBACK_ERRORS,
    CATCH_CALLBACK_ERRORS,
    covered_controls,
    labelled,
    operate_everything,
)

from autograders.demo import strip_solution_markers

CLASSES = view_classes()
PLACES = places(REPO / "course" / "units", CLASSES)
# one notebook after another, each cell after the one before: every notebook opens once
ORDER = sorted(CLASSES, key=lambda c: (PLACES[c].unit, PLACES[c].notebook, PLACES[c].index)
               if c in PLACES else ("~", c, 0))


@pytest.fixture(scope="module")
def notebooks(lab_server, released_course, lab_context):
    """Open notebooks of the `views` workspace, one at a time, each run as far as needed."""
    state = {"nb": None, "ran_to": -1}
    page = lab_context.new_page()

    def at(place):
        nb = state["nb"]
        if nb is None or nb.path != f"views/{place.unit}/{place.notebook}.ipynb":
            if nb is not None:
                nb.close()
            folder = lab_server.root / "views" / place.unit
            if not folder.exists():
                lab_server.workspace("views", released_course, place.unit)
            rel = f"views/{place.unit}/{place.notebook}.ipynb"
            nb = LabNotebook(page, lab_server, rel, lab_server.root / rel).open()
            state.update(nb=nb, ran_to=-1)
        # run every cell up to the view's, as a trainee does; earlier answer cells get the
        # model answer (typed as code), since a later view may show what they produced
        source = read_cells(REPO / "course" / "units" / place.unit / f"{place.notebook}.ipynb")
        for cell in nb.cells[state["ran_to"] + 1: place.index + 1]:
            if cell.kind != "code":
                continue
            if "BEGIN SOLUTION" in source[cell.index].source:
                nb.set_source(cell.index, strip_solution_markers(source[cell.index].source))
            nb.run(cell.index)
        state["ran_to"] = place.index
        return nb

    yield at
    if state["nb"] is not None:
        state["nb"].close()
    page.close()


@pytest.mark.parametrize("view", ORDER)
def test_view_renders_is_labelled_and_answers_every_control_in_words(view, notebooks,
                                                                     artifacts):
    """The view shows, every control has a name, and using each one raises no traceback."""
    place = PLACES.get(view)
    if place is None:
        cls = CLASSES[view]
        pytest.fail(f"{cls.__module__}.{view} is shown in no unit notebook; show it in one "
                    f"(a code cell that builds it) so trainees and this test can reach it "
                    f"(signature {inspect.signature(cls)})", pytrace=False)
    nb = notebooks(place)
    assert nb.errors(place.index) == [], f"the cell showing {view} failed"
    out = nb.output(place.index)
    widget = out.locator(".jupyter-widgets").first
    widget.wait_for(state="visible")
    nb.shot(artifacts, f"view-{view}-shown", place.index)
    assert labelled(out) == [], f"{view} has controls without a visible name"
    assert covered_controls(out) == [], f"{view} has options a click cannot reach"

    nb.kernel_eval(CATCH_CALLBACK_ERRORS)
    done = operate_everything(nb, out)
    nb.shot(artifacts, f"view-{view}-operated", place.index)
    assert done, f"{view} offered no control to use"
    errors = nb.kernel_eval(CALLBACK_ERRORS).strip()
    assert errors == "", f"{view} raised in a callback after {done}:\n{errors}"
    assert "Traceback" not in out.inner_text(), f"{view} printed a traceback after {done}"
    if place.variable and nb.kernel_eval(
            f"print(hasattr(type({place.variable}), 'value'))").strip() == "True":
        said = nb.kernel_eval(
            "from crm_sim.errors import CrmSimError\n"
            f"try:\n    _v = {place.variable}.value\n    print('VALUE', type(_v).__name__)\n"
            "except CrmSimError as exc:\n    print('WORDS', exc)\n")
        assert said.startswith(("VALUE", "WORDS")), f"{view}.value failed: {said}"
