"""How `make test` splits the suite over pytest-xdist workers (used by tests/conftest.py).

A module of its own, not conftest.py: a test that imports ``conftest`` gets whichever
conftest.py Python finds first (tests/policy has one too).
"""

from __future__ import annotations

# Groups that take longest, longest first: seconds on one worker in a `make test` on 2
# cores at load average 7 to 9 (other jobs on the machine). Started first, so the two
# workers finish close together; every other group follows, the one with most tests first.
LONGEST_GROUPS = {
    "browser": 1450,
    "tests/units/test_unit_itcscr304a.py": 600,
    "tests/units/test_unit_itcscr410a.py": 490,
    "tests/units/test_unit_104917l3.py": 170,
    "tests/units/test_104917l3_reliability.py": 320,
    "tests/test_benchmarks_runner.py": 175,
    "tests/test_hostile.py": 110,
    "tests/units/test_itcscr410a_reliability.py": 85,
    "tests/units/test_unit_itcscr512a.py": 85,
    "tests/test_hub.py": 75,
    "tests/test_cluster.py": 75,
    "tests/units/test_itcscr512a_reliability.py": 60,
    "tests/test_docs_commands.py": 55,
}


def worker_group(nodeid: str) -> str:
    """The pytest-xdist work unit of a test: its file, or "browser" for all of tests/browser.

    A file's module fixtures (worlds, releases, graded cohorts) are then built once, and
    the browser tests, which share one JupyterLab server per session, stay together.
    """
    path = nodeid.split("::", 1)[0]
    return "browser" if path.startswith("tests/browser/") else path
