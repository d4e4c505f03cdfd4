"""What the browser tests share outside pytest's fixtures: paths, the trainee, a server.

Kept apart from ``conftest.py`` so that test modules import it by a name no other folder
uses (every test folder may have a ``conftest``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "browser"
TRAINEE = "browser-trainee"
INSTALL_HINT = ("the browser tests need Debian's chromium: run `sudo sh scripts/system-deps.sh` "
                "(or `sudo apt-get install -y chromium`), then `make test` again")


def wait_for_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    """Poll `url` until it answers 200; fail with the server's log if it dies or hangs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    pytest.fail(f"server did not answer {url} in {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    """Stop a server this session started, with every process it started itself.

    Why the group: `crm-course onboard` runs Voila as its child, and Voila its kernels;
    stopping the command alone left them running. The server is started in a session of
    its own (``start_new_session=True``), so its group is exactly what it started.
    """
    import signal

    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


# /usr/bin/chromium is Debian's shell wrapper; the binary behind it starts faster and
# takes Playwright's flags unchanged.
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "chromium", "chromium-browser")


def system_chromium() -> str | None:
    """The path of the system chromium, or None when it is not installed."""
    for name in CHROMIUM_CANDIDATES:
        found = name if os.path.isabs(name) and os.access(name, os.X_OK) else shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """The system chromium; fails the test (never skips it) saying how to install it."""
    path = system_chromium()
    if path is None:
        pytest.fail(f"chromium not found: {INSTALL_HINT}", pytrace=False)
    return path
