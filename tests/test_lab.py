"""`crm-course lab`: the Jupyter command line it builds, and one real start on 127.0.0.1."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from typer.testing import CliRunner

from autograders.cli import app
from autograders.commands.grading import lab_argv, lab_env

runner = CliRunner()


def test_extra_arguments_reach_jupyter_unchanged(tmp_path):
    """Arguments after the options are appended to Jupyter's command line as given."""
    cmd, _ = lab_argv(tmp_path, ["--ServerApp.port=8899", "--ServerApp.ip=0.0.0.0"],
                      is_root=False)
    assert cmd[-2:] == ["--ServerApp.port=8899", "--ServerApp.ip=0.0.0.0"]
    assert "--allow-root" not in cmd


def test_root_gets_allow_root_and_is_told(tmp_path):
    """As root, --allow-root is added once, with a note; never twice when given."""
    cmd, notes = lab_argv(tmp_path, [], is_root=True)
    assert "--allow-root" in cmd and any("--allow-root" in n for n in notes)
    cmd, notes = lab_argv(tmp_path, ["--allow-root"], is_root=True)
    assert cmd.count("--allow-root") == 1 and notes == []


def test_the_news_question_is_answered_no_before_it_is_asked(tmp_path):
    """The server reads app settings whose overrides say fetchNews "false"; a given dir wins."""
    from jupyterlab_server.settings_utils import _get_overrides

    cmd, _ = lab_argv(tmp_path, [], is_root=False)
    dirs = [a.split("=", 1)[1] for a in cmd if a.startswith("--LabApp.app_settings_dir=")]
    assert len(dirs) == 1
    overrides, error = _get_overrides(dirs[0])
    assert not error
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    cmd, _ = lab_argv(tmp_path, ["--LabApp.app_settings_dir=/elsewhere"], is_root=False)
    assert [a for a in cmd if a.startswith("--LabApp.app_settings_dir")] == [
        "--LabApp.app_settings_dir=/elsewhere"]


def test_opens_on_the_released_view_never_the_sources(tmp_path):
    """The start page is release/; the root stays the course root formgrader needs."""
    cmd, _ = lab_argv(tmp_path, [], is_root=False)
    assert "--LabApp.default_url=/lab/tree/release" in cmd
    assert [a for a in cmd if a.startswith("--ServerApp.root_dir=")] == [
        f"--ServerApp.root_dir={tmp_path}"]


def test_cli_passes_through_after_double_dash(tmp_path, monkeypatch):
    """`crm-course lab --no-browser -- --ServerApp.port=8899` reaches subprocess.call."""
    (tmp_path / "units").mkdir()
    seen = []
    monkeypatch.setattr("autograders.commands.grading.subprocess.call",
                        lambda cmd, cwd, env: seen.append((cmd, cwd)) or 0)
    result = runner.invoke(app, ["lab", "--no-browser", "--course", str(tmp_path), "--",
                                 "--ServerApp.port=8899"])
    assert result.exit_code == 0, result.output
    cmd, cwd = seen[0]
    assert cmd[-1] == "--ServerApp.port=8899" and cwd == str(tmp_path)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lab_really_starts_and_stops_on_localhost(tmp_path):
    """The built command starts a server (as root too) that answers on 127.0.0.1.

    It opens on release/, and the settings it serves answer the news question "no".
    """
    (tmp_path / "release").mkdir()
    port = _free_port()
    cmd, _ = lab_argv(tmp_path, [f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1",
                                 "--IdentityProvider.token=", "--ServerApp.password="],
                      no_browser=True)
    cmd[0] = sys.executable
    env = lab_env(os.environ) | {"JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "user-settings")}
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline, status = time.monotonic() + 90, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status",
                                            timeout=2) as resp:
                    status = resp.status
                    break
            except OSError:
                time.sleep(1)
        assert status == 200, f"server did not answer: exit {proc.poll()}"
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            opener.open(f"http://127.0.0.1:{port}/lab", timeout=10)
        except urllib.error.HTTPError as exc:     # nothing: /lab itself must not redirect
            raise AssertionError(exc) from exc
        try:
            opener.open(f"http://127.0.0.1:{port}/", timeout=10)
            location = ""
        except urllib.error.HTTPError as exc:
            location = exc.headers.get("Location", "")
        assert location.rstrip("?").endswith("/lab/tree/release")
        notification = "@jupyterlab/apputils-extension:notification"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab/api/settings/{notification}",
                                    timeout=10) as resp:
            schema = json.loads(resp.read())["schema"]
        assert schema["properties"]["fetchNews"]["default"] == "false"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert Path(tmp_path / "release").is_dir()


def test_formgrader_pages_load_no_mathjax_from_the_internet(monkeypatch):
    """With lab's JUPYTER_PATH, nbgrader's formgrade template renders the offline stand-in."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers

    monkeypatch.setenv("JUPYTER_PATH", lab_env({})["JUPYTER_PATH"])
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("$x^2$")])
    for template in ("formgrade",):    # feedback pages: FeedbackExporter (test_feedback_render)
        css = Path(handlers.template_path).parent / "static/node_modules/bootstrap/dist/css"
        exporter = HTMLExporter(template_name=template,
                                extra_template_basedirs=[handlers.template_path],
                                extra_template_paths=[str(css)])
        body, _ = exporter.from_notebook_node(nb, resources={
            "base_url": "/", "index": 0, "total": 1, "notebook_id": "n",
            "nbgrader": {"notebook": "n"}, "submission_id": "s", "notebook_path": "n",
            "mathjax_url": "", "disable_toolbar": True})
        assert "MathJax offline stand-in" in body
        assert "cdnjs" not in body and "cdn.jsdelivr" not in body
