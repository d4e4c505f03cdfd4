"""Real-browser fixtures: Debian's chromium, one JupyterLab server, one released course.

Why these choices: Playwright's own browser download is not reachable from the machines
this course is built on, so pytest-playwright's ``browser_type_launch_args`` is
overridden to launch the system chromium by ``executable_path`` (``--browser-channel``
alone does not find it). A missing chromium fails every test here with the command that
installs it: a browser test that is silently skipped proves nothing.

One Lab server and one browser serve the whole session (a Lab start costs seconds; a
notebook round trip about five). Run All on a fresh server was flaky until the server got
its own settings (kernel started without a dialog, every cell rendered; no news popup,
from the trainees' own deploy/jupyter/trainee, as on the class hub)
and every test waited for the kernel to be connected and idle before running a cell.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from browserenv import ARTIFACTS, REPO, TRAINEE, require_chromium, stop, wait_for_http
from server_process import start_server

# The server's own settings: what made Run All reliable on a fresh server. No news pop-up
# comes from the trainees' own folder (`TRAINEE_CONFIG`), as on the class hub.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "autoStartDefaultKernel": True, "windowingMode": "none"},
}
# what deploy/jupyterhub_config.py gives a trainee's server: no news, no instructor panels
TRAINEE_CONFIG = REPO / "deploy" / "jupyter" / "trainee"


def pytest_collection_modifyitems(items):
    """Every browser test runs kernels and a browser: mark it slow like the kernel tests."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The system chromium for the whole session (see `require_chromium`)."""
    return require_chromium()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, browser_name, chromium_path):
    """pytest-playwright's launch arguments, plus the system chromium for chromium only."""
    if browser_name in (None, "chromium"):
        return {**browser_type_launch_args, "executable_path": chromium_path}
    return browser_type_launch_args


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (git-ignored ``test-artifacts/browser``), emptied per session."""
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


JOURNEY_SECRET = "browser-journey-secret-2"


@pytest.fixture(scope="session")
def released_course(tmp_path_factory):
    """A temp copy of the course with every unit released by crm-course's own release step."""
    from autograders.demo import copy_course
    from autograders.release import release_unit

    course = copy_course(REPO / "course", tmp_path_factory.mktemp("browser") / "course")
    # A fixed secret, so the journey's unseen companies are the same every run. With a new
    # secret per run, a unit graded to "full marks on at least 19 of 20 unseen companies"
    # failed the journey about one run in twenty; on these companies the taught answers
    # earn every point (checked by grading the model answers with it).
    course.secret_path.write_text(JOURNEY_SECRET + "\n")
    course.secret_path.chmod(0o600)
    for code in course.unit_codes():
        release_unit(course, code)
    return course


@dataclass
class LabServer:
    """A running JupyterLab: its base URL, token and root (trainee workspaces below it)."""

    url: str
    token: str
    root: Path
    proc: subprocess.Popen

    def tree_url(self, rel: str) -> str:
        """The URL that opens file `rel` (relative to the root) in Lab."""
        return f"{self.url}/lab/tree/{rel}?token={self.token}"

    def workspace(self, name: str, course, code: str) -> Path:
        """A trainee's fresh copy of the released unit `code` under ``<root>/<name>/<code>``."""
        dest = self.root / name / code
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(course.release_dir / code, dest)
        return dest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lab_environment(settings_dir: Path, home: Path) -> dict[str, str]:
    """The server's environment: own settings and workspaces, one simulated trainee."""
    env = dict(os.environ)
    env.pop("CRM_WORLD_DIR", None)          # each kernel keeps its company beside its notebook
    env.update({"JUPYTERLAB_SETTINGS_DIR": str(settings_dir),
                "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
                "JUPYTER_CONFIG_DIR": str(home / "config"),
                "JUPYTER_CONFIG_PATH": str(TRAINEE_CONFIG),
                "CRM_TRAINEE_ID": TRAINEE, "PYTHONUNBUFFERED": "1"})
    for name, values in LAB_SETTINGS.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    return env


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    """One JupyterLab on 127.0.0.1 with a token for the whole session; stopped afterwards."""
    home = tmp_path_factory.mktemp("lab")
    root = home / "root"
    root.mkdir()
    token = secrets.token_hex(16)
    port = _free_port()
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
           "--ServerApp.port_retries=0"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = home / "lab.log"
    with log.open("w") as out:
        proc = start_server(cmd, cwd=root, stdout=out, stderr=subprocess.STDOUT,
                            env=lab_environment(home / "settings", home))
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/api/status?token={token}", proc, log)
        yield LabServer(url, token, root, proc)
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def lab_context(browser):
    """One browser context (one tab's worth of state) for the session's Lab pages."""
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    context.set_default_timeout(60_000)
    yield context
    context.close()
