"""Servers started for tests stop when the test run that started them dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from server_process import start_server

TESTS = os.path.dirname(os.path.abspath(__file__))


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_a_server_stops_when_the_run_that_started_it_is_killed(tmp_path):
    """SIGKILL of the starting process (no finaliser runs) still ends the server."""
    pid_file = tmp_path / "server.pid"
    script = (
        "import sys, time\n"
        f"sys.path.insert(0, {TESTS!r})\n"
        "from server_process import start_server\n"
        "proc = start_server([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(proc.pid))\n"
        "time.sleep(120)\n")
    runner = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 30
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        server = int(pid_file.read_text())
        assert _alive(server)
        runner.send_signal(signal.SIGKILL)
        runner.wait()
        deadline = time.monotonic() + 10
        while _alive(server) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(server), "the server outlived the killed test run"
    finally:
        runner.kill()
        runner.wait()


def test_a_server_runs_in_a_session_of_its_own():
    """The server leads its own session, so stopping its group stops only what it started."""
    proc = start_server([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert os.getsid(proc.pid) == proc.pid != os.getsid(0)
    finally:
        proc.kill()
        proc.wait()
