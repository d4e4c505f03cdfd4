"""`crm-course onboard UNIT` in a browser: dashboards with widgets, no code, no grading.

The command is started as a trainer would (the real CLI, Voila behind it) on a released
temp course; each page must show the narrative and the views with no code cell, no
answer or check cell and no error; a view is then operated by a person's clicks.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browserenv import stop, wait_for_http
from server_process import start_server
from widgetdriver import click, pick, settle_page, type_in

from autograders.onboard import ONBOARDING_TRAINEE

UNIT = "ITCSCR304A"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def onboarding(released_course, tmp_path_factory):
    """`crm-course onboard ITCSCR304A` serving on 127.0.0.1; stopped afterwards."""
    out = tmp_path_factory.mktemp("onboarding")
    port = _port()
    log = out / "voila.log"
    cli = Path(sys.executable).with_name("crm-course")
    with log.open("w") as sink:
        proc = start_server(
            [str(cli), "onboard", UNIT, "--no-browser", "--course", str(released_course.root),
             "--out", str(out), "--", f"--port={port}", "--Voila.ip=127.0.0.1"],
            stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/", proc, log, timeout=180)
        yield url, out / UNIT, log
    finally:
        stop(proc)


def test_dashboards_hold_no_exercise_and_share_one_company(onboarding, released_course):
    """No answer or check cell reaches a dashboard; one shared world is saved beside them."""
    _, folder, _ = onboarding
    for path in sorted(folder.glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        meta = [c["metadata"].get("nbgrader", {}) for c in cells]
        assert not any(m.get("solution") or m.get("grade") for m in meta), path.name
        assert not any("submit(" in "".join(c["source"]) for c in cells
                       if c["cell_type"] == "code"), path.name
    assert (folder / ".crm_world" / f"{UNIT}.sqlite").exists()
    assert ONBOARDING_TRAINEE == "onboarding-demo"


NOTEBOOKS = ["01_accounts_and_plan", "02_people_and_calls", "03_analysis_follow_up_conduct"]


def _until_rendered(page, quiet_s: float = 3.0, limit_s: float = 180.0) -> None:
    """Wait until Voila has stopped adding outputs (the page is the same for `quiet_s`)."""
    deadline, last, since = time.monotonic() + limit_s, -1, time.monotonic()
    while time.monotonic() < deadline:
        now = page.locator(".jp-OutputArea-output").count()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return
        page.wait_for_timeout(500)
    raise AssertionError(f"the dashboard was still rendering after {limit_s:.0f} s")


@pytest.fixture(scope="module")
def dashboards(onboarding, browser, artifacts):
    """Each dashboard opened once, as a trainer opens it, kept open for the module.

    A context of its own: the Lab pages' cookies for 127.0.0.1 (any port) must not reach
    Voila; with them its pages never arrived after the journeys had run.
    """
    url, _, _ = onboarding
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    seen = {}
    for notebook in NOTEBOOKS:
        page = context.new_page()
        # not "load": with no internet a page's external requests (MathJax) never finish
        page.goto(f"{url}/voila/render/{notebook}.ipynb", timeout=180_000,
                  wait_until="domcontentloaded")
        page.locator(".jupyter-widgets").first.wait_for(timeout=180_000)
        _until_rendered(page)
        page.screenshot(path=str(artifacts / f"onboard-{notebook}.png"), full_page=True)
        seen[notebook] = page
    yield seen
    context.close()


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_each_dashboard_shows_views_without_code_or_errors(notebook, dashboards):
    """The page renders every kept cell: narrative and widgets, no code, no error."""
    page = dashboards[notebook]
    text = page.locator("body").inner_text()
    assert "Traceback" not in text and "There was an error" not in text, text[-2000:]
    assert page.locator(".jp-InputArea-editor:visible, .cm-editor:visible").count() == 0
    assert "BEGIN SOLUTION" not in text and "raise NotImplementedError" not in text
    assert page.locator("h1, h2").count() > 0            # the narrative is there


def test_a_trainer_operates_a_view_in_the_dashboard(dashboards, artifacts):
    """Group the customers by segment and add a count: the table appears on the page."""
    page = dashboards["01_accounts_and_plan"]
    view = page.locator(".widget-vbox").filter(has=page.get_by_label("Group by")).first
    view.wait_for()
    for act in (pick("Group by", "segment"), type_in("Name", "customers"),
                pick("Column", "customer_id"), pick("How", "count"), click("Add measure")):
        getattr(act, f"_{act.how}")(view)
        settle_page(page)
    view.get_by_text("corporate").first.wait_for()
    view.screenshot(path=str(artifacts / "onboard-summary-operated.png"))
    shown = view.inner_text()
    assert "customers" in shown and "sme" in shown and "Traceback" not in shown
