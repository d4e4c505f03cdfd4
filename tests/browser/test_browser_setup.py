"""The browser tests' own set-up: a missing chromium fails with the fix, never skips."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

# loaded by path: in a whole-suite run the name "conftest" is the tests/ folder's one
_spec = importlib.util.spec_from_file_location("browser_conftest",
                                               Path(__file__).with_name("conftest.py"))
browser_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(browser_conftest)


def test_missing_chromium_fails_naming_the_install_command(monkeypatch):
    """No chromium anywhere: the test fails (not skips) with the apt command to run."""
    monkeypatch.setattr(browser_conftest, "CHROMIUM_CANDIDATES", ("/nonexistent/chromium",
                                                                  "no-such-chromium"))
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y chromium"):
        browser_conftest.require_chromium()


def test_the_system_chromium_is_the_one_launched():
    """On this machine the launch path is Debian's chromium, not a Playwright download."""
    path = browser_conftest.require_chromium()
    assert "chromium" in path and "ms-playwright" not in path
