"""Shared fixtures. Fixture notebooks under tests/fixtures are data, not nbval tests."""

collect_ignore_glob = ["fixtures/*"]
