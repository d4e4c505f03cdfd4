"""Shared fixtures. Fixture notebooks under tests/fixtures are data, not nbval tests."""

collect_ignore_glob = ["fixtures/*"]


import pytest  # noqa: E402
from worker_groups import LONGEST_GROUPS, worker_group  # noqa: E402


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
    """Each test starts with no failed check noted and `submit` speaking English.

    Outside IPython every "cell" is one marker, so a check that failed in an earlier test
    would make this test's `submit` say "not ready".
    """
    from autograders.checks import friendly
    from autograders.checks.submit import use_language

    friendly._STATE["failed_in"] = None
    use_language("en")      # a unit's helper may have chosen another in this process
    yield
    friendly._STATE["failed_in"] = None
    use_language("en")
