"""Shared fixtures. Fixture notebooks under tests/fixtures are data, not nbval tests."""

collect_ignore_glob = ["fixtures/*"]


import pytest  # noqa: E402


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist's ``--dist loadgroup`` keep each test file on one worker.

    A file's module fixtures (worlds, releases, graded cohorts) are then built once, and
    the browser tests, which share one JupyterLab server per session, stay together.
    """
    for item in items:
        path = item.path.as_posix()
        group = "browser" if "/tests/browser/" in path else path
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(autouse=True)
def _trainee_world_dir(tmp_path_factory, monkeypatch):
    """Keep each test's saved trainee worlds (`my_world`) out of the repository."""
    monkeypatch.setenv("CRM_WORLD_DIR", str(tmp_path_factory.mktemp("crm_world")))
