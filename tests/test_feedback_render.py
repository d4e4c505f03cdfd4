"""Feedback of a really graded cohort: readable (nbgrader's look), offline, one set of files."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from grading_helpers import FIXTURE_COURSE, UNIT

from autograders.demo import run_demo
from autograders.feedback import write_feedback

REPO_CONFIG = Path(__file__).resolve().parents[1] / "course" / "nbgrader_config.py"
# what a JSON list of lines or a widget looks like when printed instead of rendered
LIST_REPR = re.compile(r"\\n',\s*'|\['[^'\n]*\\n'|VBox\(|HBox\(|children=\(")


class _Visible(HTMLParser):
    """The text a reader sees: everything outside <script> and <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.parts = 0, []

    def handle_starttag(self, tag, attrs):
        self.depth += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.depth -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def visible_text(page: str) -> str:
    """A page's visible text."""
    parser = _Visible()
    parser.feed(page)
    return "".join(parser.parts)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """The demo cohort of the fixture course, really graded, with the shipped config."""
    out = tmp_path_factory.mktemp("fbr") / "demo"
    result = run_demo(out, source_course=FIXTURE_COURSE, jobs=2,
                      profiles=["full", "partial", "wrong"], echo=lambda s: None,
                      progress=False, limits={"cell_timeout_s": 20, "notebook_timeout_s": 120})
    course = result.course
    shutil.copy(REPO_CONFIG, course.root / "nbgrader_config.py")
    pages = write_feedback(course, UNIT)
    return course, pages


def test_no_python_list_repr_in_any_feedback_page(cohort):
    """Outputs render as text and tables, never as a printed list of lines or VBox(...)."""
    _, pages = cohort
    assert pages
    for page in pages:
        text = visible_text(page.path.read_text(encoding="utf-8"))
        found = LIST_REPR.search(text)
        assert found is None, f"{page.path}: {text[max(0, found.start() - 80):found.end() + 80]}"


def test_feedback_is_nbgraders_page_with_the_verdict_table_on_top(cohort):
    """The nbgrader feedback template (per-cell scores) with the project's verdicts first."""
    _, pages = cohort
    page = pages[0].path.read_text(encoding="utf-8")
    assert "crm-verdicts" in page and "What to fix" in page
    assert "Score:" in page                              # nbgrader's own score banner
    assert page.index("crm-verdicts") < page.index("Grade cell")


def test_nothing_loads_from_the_internet(cohort):
    """No script, stylesheet or image is fetched from another host (MathJax stands in)."""
    _, pages = cohort
    for p in pages:
        page = p.path.read_text(encoding="utf-8")
        assert not re.search(r'<(script|img|link|iframe)[^>]+(src|href)="(https?:)?//', page)
        assert "MathJax offline stand-in" in page


def test_formgraders_generate_feedback_writes_the_same_file(cohort):
    """The nbgrader API, as formgrader's button calls it, writes our path with our page."""
    course, pages = cohort
    page = pages[0]
    ours = page.path.read_text(encoding="utf-8")
    page.path.unlink()
    outcome = course.nbgrader_api().generate_feedback(UNIT, student_id=page.trainee_id)
    assert outcome["success"], outcome.get("log")
    assert page.path == course.feedback_dir / page.trainee_id / UNIT / f"{page.notebook}.html"
    assert page.path.read_text(encoding="utf-8") == ours
