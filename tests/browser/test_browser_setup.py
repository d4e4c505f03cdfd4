"""The browser tests' own set-up: a missing chromium fails with the fix, never skips."""

from __future__ import annotations

import browserenv
import pytest


def test_missing_chromium_fails_naming_the_install_command(monkeypatch):
    """No chromium anywhere: the test fails (not skips) with the apt command to run."""
    monkeypatch.setattr(browserenv, "CHROMIUM_CANDIDATES", ("/nonexistent/chromium",
                                                                  "no-such-chromium"))
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y chromium"):
        browserenv.require_chromium()


def test_the_system_chromium_is_the_one_launched():
    """On this machine the launch path is Debian's chromium, not a Playwright download."""
    path = browserenv.require_chromium()
    assert "chromium" in path and "ms-playwright" not in path
