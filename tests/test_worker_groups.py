"""`make test`'s work units on pytest-xdist workers (tests/worker_groups.py)."""

from __future__ import annotations

from pathlib import Path

from worker_groups import LONGEST_GROUPS, worker_group

REPO = Path(__file__).resolve().parents[1]


def test_browser_tests_are_one_unit_and_other_files_their_own():
    """Every tests/browser test shares one unit (one JupyterLab); a file elsewhere is its own."""
    assert worker_group("tests/browser/test_browser_views.py::test_x[chromium]") == "browser"
    assert worker_group("tests/browser/test_browser_onboard.py::test_y") == "browser"
    assert worker_group("tests/test_hub.py::test_z") == "tests/test_hub.py"
    assert worker_group("course/units/ITCSCR304A/01_accounts_and_plan.ipynb::Cell 3") == (
        "course/units/ITCSCR304A/01_accounts_and_plan.ipynb")


def test_longest_groups_name_existing_files():
    """A renamed test file would silently lose its early start: every name still exists."""
    for group in LONGEST_GROUPS:
        assert group == "browser" or (REPO / group).is_file(), group
