"""Shared fixtures. Fixture notebooks under tests/fixtures are data, not nbval tests."""

collect_ignore_glob = ["fixtures/*"]


import pytest  # noqa: E402

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


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup`` hands out `worker_group` units, the longest first.

    Not xdist's own loadgroup: with pytest 9 its ``xdist_group`` marks no longer reach the
    scheduler (xdist 3.8 renames ``item._nodeid``, which pytest 9 no longer reads), so
    every test went to whichever worker was free, the browser tests started a JupyterLab
    on each worker, and a file's module fixtures ran twice.
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FileGroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return worker_group(nodeid)

        def _assign_work_unit(self, node) -> None:
            longest = max(self.workqueue, key=lambda g: (LONGEST_GROUPS.get(g, 0),
                                                         len(self.workqueue[g])))
            self.workqueue.move_to_end(longest, last=False)
            super()._assign_work_unit(node)

    return FileGroupScheduling(config, log)


@pytest.fixture(autouse=True)
def _trainee_world_dir(tmp_path_factory, monkeypatch):
    """Keep each test's saved trainee worlds (`my_world`) out of the repository."""
    monkeypatch.setenv("CRM_WORLD_DIR", str(tmp_path_factory.mktemp("crm_world")))


@pytest.fixture(autouse=True)
def _no_failed_check_left_by_another_test():
    """Each test starts with no failed check noted.

    Outside IPython every "cell" is one marker, so a check that failed in an earlier test
    would make this test's `submit` say "not ready".
    """
    from autograders.checks import friendly

    friendly._STATE["failed_in"] = None
    yield
    friendly._STATE["failed_in"] = None
