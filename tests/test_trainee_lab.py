"""A trainee's JupyterLab on the class hub: no news pop-up, no instructor panels.

The settings are the ones deploy/jupyterhub_config.py hands a trainee's server
(``JUPYTER_CONFIG_PATH`` = deploy/jupyter/trainee, then deploy/jupyter), read here with
JupyterLab's own loaders, so no server is started. The browser suite serves the released
course with the same folder and checks the pop-up is absent on the page.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from jupyterlab_server.config import get_static_page_config
from jupyterlab_server.settings_utils import _get_overrides
from traitlets.config.loader import PyFileConfigLoader

REPO = Path(__file__).resolve().parents[1]
JUPYTER = REPO / "deploy" / "jupyter"
TRAINEE = JUPYTER / "trainee"
NOTIFICATION = "@jupyterlab/apputils-extension:notification"
INSTRUCTOR_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                      "@jupyter/nbgrader:course-list")
NBGRADER_LAB = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader"


def _disabled(monkeypatch, *config_path: Path) -> dict:
    """The page config's disabledExtensions a server with this config path would send."""
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", os.pathsep.join(str(p) for p in config_path))
    return get_static_page_config(level="all").get("disabledExtensions", {})


def test_trainee_server_answers_the_news_question_with_no():
    """The trainee folder points JupyterLab's app settings at overrides saying fetchNews 'false'."""
    config = PyFileConfigLoader("jupyter_server_config.py", path=str(TRAINEE)).load_config()
    settings_dir = Path(config.LabApp.app_settings_dir)
    assert settings_dir == TRAINEE / "lab-settings" and settings_dir.is_dir()
    overrides, error = _get_overrides(str(settings_dir))
    assert not error
    assert overrides[NOTIFICATION]["fetchNews"] == "false"
    assert overrides[NOTIFICATION]["checkForUpdates"] is False


def test_trainee_server_hides_nbgraders_instructor_panels(monkeypatch):
    """Formgrader, Create Assignment and the course list are off; the assignment list stays."""
    disabled = _disabled(monkeypatch, TRAINEE, JUPYTER)
    assert all(disabled.get(plugin) is True for plugin in INSTRUCTOR_PLUGINS), disabled
    assert "@jupyter/nbgrader:assignment-list" not in disabled


def test_instructor_server_keeps_the_panels(monkeypatch):
    """The instructor's config path (deploy/jupyter only) disables none of nbgrader's plugins."""
    disabled = _disabled(monkeypatch, JUPYTER)
    assert not [p for p in disabled if p.startswith("@jupyter/nbgrader") and disabled[p]]


@pytest.mark.skipif(not NBGRADER_LAB.is_dir(), reason="nbgrader's lab extension not installed")
def test_disabled_plugin_ids_exist_in_the_installed_nbgrader():
    """Each id switched off is a plugin of the installed nbgrader (a rename would be caught)."""
    code = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in (NBGRADER_LAB / "static").glob("*.js"))
    assert [p for p in INSTRUCTOR_PLUGINS if f'"{p}"' not in code] == []
