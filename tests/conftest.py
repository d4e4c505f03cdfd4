"""Shared fixtures. Fixture notebooks under tests/fixtures are data, not nbval tests."""

collect_ignore_glob = ["fixtures/*"]


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _trainee_world_dir(tmp_path_factory, monkeypatch):
    """Keep each test's saved trainee worlds (`my_world`) out of the repository."""
    monkeypatch.setenv("CRM_WORLD_DIR", str(tmp_path_factory.mktemp("crm_world")))
