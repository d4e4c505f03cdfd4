"""The sandbox parent and its bubblewrap jail: limits, isolation, and no survivors."""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
from pathlib import Path

import psutil
import pytest
from sandbox_slots import leased_slot

from autograders.hostile import FORK_BOMB
from autograders.sandbox import bwrap
from autograders.sandbox.executor import Workspace, run_sandboxed
from autograders.sandbox.limits import Limits, slot_ids
from crm_sim.errors import FieldError

REPO = Path(__file__).resolve().parents[1]

SLOT = leased_slot()    # no other process holds it, so uid-based checks are exact
OTHER_SLOT = leased_slot()
LIMITS = Limits(memory_mb=1024, cell_timeout_s=5, notebook_timeout_s=20, file_bytes=5_000_000,
                max_processes=40)
ROOT = os.geteuid() == 0


@pytest.fixture()
def ws():
    """A fresh workspace on this module's slot, removed afterwards."""
    w = Workspace.create(SLOT)
    yield w
    w.remove()


def _run(ws, code: str, limits: Limits = LIMITS, **kw):
    return run_sandboxed(["-I", "-c", code], ws, limits, wall_timeout_s=kw.pop("wall", 20), **kw)


def _alive(marker: str) -> list[int]:
    """Host pids of processes whose command line carries `marker`."""
    found = []
    for p in psutil.process_iter(["cmdline", "status"]):
        try:
            if p.info["status"] != psutil.STATUS_ZOMBIE and marker in " ".join(
                    p.info["cmdline"] or []):
                found.append(p.pid)
        except psutil.Error:
            continue
    return found


def _uid_processes(uid: int) -> list[int]:
    return [p.pid for p in psutil.process_iter(["uids"])
            if p.info["uids"] and uid in (p.info["uids"].real, p.info["uids"].effective)]


# a detached daemon: setsid + double fork, ignores SIGTERM, then sleeps under a marker
DAEMON = """
import os, signal, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(120)", {m!r}])
    os._exit(0)
time.sleep(0.5)
print("parent done", flush=True)
"""


def test_limits_validate():
    """Non-positive limits are refused with a domain error naming the field."""
    with pytest.raises(FieldError, match="Limits.memory_mb"):
        Limits(memory_mb=0)
    assert slot_ids(3) == (62003, 62003)
    with pytest.raises(FieldError):
        slot_ids(-1)


def test_environment_is_scrubbed(ws, monkeypatch):
    """Only the sandbox's own variables reach the program; HOME is the workspace."""
    monkeypatch.setenv("CRM_COURSE_ROOT", "/secret/course")
    out = _run(ws, "import os, json; print(json.dumps(dict(os.environ)))")
    env = json.loads(out.stdout)
    assert "CRM_COURSE_ROOT" not in env and env["HOME"] == str(ws.path)
    assert env["OPENBLAS_NUM_THREADS"] == "1" and env["MPLBACKEND"] == "Agg"
    assert not any("/secret" in v for v in env.values())


def test_views_in_a_sandboxed_run_draw_nothing(ws):
    """A graded run's page is never seen, so the jail tells views not to draw (CRM_DRAW)."""
    out = _run(ws, "import os; print(os.environ.get('CRM_DRAW'))")
    assert out.stdout.strip() == b"off"


@pytest.mark.skipif(not ROOT, reason="privilege drop needs the grader to run as root")
def test_runs_as_slot_uid_and_cannot_read_private_files(ws, tmp_path):
    """As root, the program runs as 62000+slot; a 0700 course directory is not even there."""
    private = tmp_path / "course"
    private.mkdir(mode=0o700)
    (private / "gradebook.db").write_text("grades")
    os.chmod(tmp_path, 0o700)
    code = (f"import os\nprint(os.getuid(), os.getgid(), os.getgroups())\n"
            f"try:\n open({str(private / 'gradebook.db')!r}).read(); print('READ')\n"
            f"except OSError as exc: print('DENIED', type(exc).__name__)")
    out = _run(ws, code).stdout.decode()
    assert out.split()[:2] == [str(62000 + SLOT)] * 2 and "READ" not in out
    assert "DENIED FileNotFoundError" in out


def test_wall_timeout_kills_a_loop_and_its_daemon(ws):
    """At the wall-clock limit the run and a daemon it detached are all killed."""
    marker = f"crm-wall-{secrets.token_hex(6)}"
    start = time.monotonic()
    out = _run(ws, DAEMON.format(m=marker) + "while True: pass\n", wall=4)
    assert b"parent done" in out.stdout
    assert out.timed_out and time.monotonic() - start < 14
    assert _alive(marker) == []


def test_detached_daemons_do_not_survive(ws):
    """A setsid + double-fork daemon ignoring SIGTERM is killed when the run ends."""
    marker = f"crm-daemon-{secrets.token_hex(6)}"
    out = _run(ws, DAEMON.format(m=marker))
    assert b"parent done" in out.stdout and not out.timed_out
    assert _alive(marker) == []


def test_memory_limit_raises_memory_error(ws):
    """A 3 GB allocation fails with MemoryError under the address-space limit."""
    out = _run(ws, "try:\n b = bytearray(3 * 1024**3)\nexcept MemoryError:\n print('MEM')")
    assert out.stdout.strip() == b"MEM"


def test_file_size_limit(ws):
    """Writing past file_bytes fails (EFBIG) instead of filling the disk."""
    code = ("n = 0\ntry:\n with open('big', 'wb') as f:\n  for i in range(100):\n"
            "   f.write(b'x' * 1048576); n += 1\nexcept OSError as e:\n print('EFBIG', n)")
    out = _run(ws, code).stdout.decode()
    assert out.startswith("EFBIG") and int(out.split()[1]) <= 5


@pytest.mark.skipif(not ROOT, reason="RLIMIT_NPROC per slot uid needs root")
def test_fork_bomb_is_bounded(ws):
    """Forking stops at the process limit; every child is killed afterwards."""
    out = _run(ws, FORK_BOMB)                 # the hostile generator's own bomb
    forked = int(out.stdout.split()[1])       # "forked N children"
    assert forked < LIMITS.max_processes
    assert _uid_processes(ws.uid) == []


@pytest.mark.skipif(not ROOT, reason="RLIMIT_NPROC per slot uid needs root")
def test_slot_is_usable_right_after_a_fork_bomb(ws):
    """A fork bomb's killed children are reaped at once, freeing the slot's budget.

    The next run on the slot can start threads (a kernel needs about a dozen).

    Zombies count against RLIMIT_NPROC until reaped; left to a lazy PID 1 they made
    the next kernel die with "can't start new thread" (a failed CI run).
    """
    _run(ws, FORK_BOMB)
    zombies = [p for p in psutil.process_iter(["status", "uids"])
               if p.info["status"] == psutil.STATUS_ZOMBIE and p.info["uids"]
               and p.info["uids"].real == ws.uid]
    assert zombies == []
    code = ("import threading, time\n"
            "ts = [threading.Thread(target=time.sleep, args=(0.2,)) for _ in range(8)]\n"
            "[t.start() for t in ts]\nprint('started', len(ts))")
    assert _run(ws, code).stdout.strip() == b"started 8"


def test_stdout_cap(ws):
    """Stdout beyond the cap is read and discarded, and the truncation is flagged."""
    out = _run(ws, "import sys\nfor i in range(200): sys.stdout.write('y' * 10000)",
               stdout_cap=50_000)
    assert len(out.stdout) == 50_000 and out.stdout_truncated


def test_line_timeout_kills_a_silent_program(ws):
    """No output line within line_timeout_s ends the run early (a hung call)."""
    start = time.monotonic()
    out = _run(ws, "import time\nprint('ready', flush=True)\ntime.sleep(60)", wall=30,
               line_timeout_s=2, first_line_timeout_s=10, on_line=lambda line: None)
    assert out.timed_out and time.monotonic() - start < 15


def test_workspace_is_private_and_removed():
    """The workspace is 0700 (owned by the slot uid as root) and removal deletes it."""
    w = Workspace.create(SLOT)
    st = os.stat(w.path)
    assert st.st_mode & 0o077 == 0
    if ROOT:
        assert st.st_uid == 62000 + SLOT
    w.remove()
    assert not w.path.exists()


def test_scientific_stack_imports_under_default_memory_limit(ws):
    """numpy, pandas and ipykernel import under the default address-space limit."""
    from autograders.sandbox.limits import DEFAULT_LIMITS

    code = ("import numpy, pandas, ipykernel.kernelapp, matplotlib.pyplot\n"
            "print(pandas.DataFrame({'a': numpy.arange(1000)}).a.sum())")
    out = run_sandboxed(["-I", "-c", code], ws, DEFAULT_LIMITS, wall_timeout_s=60)
    assert out.stdout.strip() == b"499500", out.stderr_tail[-500:]


LEAVE = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
for path in ("/tmp/left-{t}", "/run/lock/left-{t}", "/dev/shm/left-{t}", "/var/tmp/left-{t}"):
    with open(path, "wb") as fh:
        fh.write(b"x" * 4096)
shmid = libc.shmget({key}, 1 << 20, 0o1666)   # IPC_CREAT | 0666: a SysV segment
print("made", shmid >= 0, flush=True)
"""

FIND = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
seen = [p for p in ("/tmp/left-{t}", "/run/lock/left-{t}", "/dev/shm/left-{t}",
                    "/var/tmp/left-{t}") if os.path.exists(p)]
print("seen", seen, libc.shmget({key}, 0, 0) >= 0, flush=True)
"""


def test_leftovers_of_a_run_are_gone_for_the_next_and_the_host(ws):
    """Files in /tmp, /run/lock, /dev/shm, /var/tmp and a SysV segment die with the run."""
    import subprocess

    tag, key = secrets.token_hex(4), 0x5EC0000 + secrets.randbelow(0xFFFF)
    assert _run(ws, LEAVE.format(t=tag, key=key)).stdout.split() == [b"made", b"True"]
    other = Workspace.create(OTHER_SLOT)
    try:
        assert _run(other, FIND.format(t=tag, key=key)).stdout.split() == [
            b"seen", b"[]", b"False"]
    finally:
        other.remove()
    for path in ("/tmp", "/run/lock", "/dev/shm", "/var/tmp"):
        assert not os.path.exists(f"{path}/left-{tag}")
    ipcs = subprocess.run(["ipcs", "-m"], capture_output=True, text=True).stdout
    assert f"{key:#010x}" not in ipcs


def test_sandbox_sees_only_its_own_processes(ws):
    """/proc in the jail lists only the run's processes: not the grader's command line."""
    with open("/proc/self/cmdline", "rb") as fh:
        grader = fh.read()             # NUL-separated: never equal to the code's own text
    code = f"""
import os
pids = [p for p in os.listdir("/proc") if p.isdigit()]
lines = []
for p in pids:
    try:
        lines.append(open(f"/proc/{{p}}/cmdline", "rb").read())
    except OSError:
        pass
mine = "/proc/{os.getpid()}/cmdline"
read_mine = os.path.exists(mine) and open(mine, "rb").read() == {grader!r}
print(len(pids), any(x == {grader!r} for x in lines), read_mine)
"""
    count, saw_grader, read_mine = _run(ws, code).stdout.split()
    assert int(count) < 6 and saw_grader == b"False" and read_mine == b"False"


def test_sandbox_cannot_see_course_repo_other_workspaces_or_shadow(ws):
    """Repository course/, tests/, .git, another run's workspace, /etc/shadow: absent."""
    other = Workspace.create(OTHER_SLOT)
    (other.path / "answers.txt").write_text("another trainee")
    paths = [REPO / "course", REPO / "tests", REPO / ".git", REPO / "pyproject.toml",
             other.path, other.path / "answers.txt", Path("/etc/shadow"), Path("/root/.bashrc")]
    code = f"""
import os, json, autograders
paths = {[str(p) for p in paths]!r}
units = os.path.join(os.path.dirname(autograders.__file__), "units")
print(json.dumps({{"seen": [p for p in paths if os.path.exists(p)],
                  "units": os.listdir(units) if os.path.isdir(units) else [],
                  "work": sorted(os.listdir({str(REPO)!r}))}}))
"""
    try:
        out = _run(ws, code)
    finally:
        other.remove()
    seen = json.loads(out.stdout)
    assert seen["seen"] == [] and seen["units"] == []
    assert set(seen["work"]) <= {"autograders", "crm_sim", ".venv"}, seen["work"]


@pytest.mark.skipif(not ROOT, reason="the slot uid exists only when grading as root")
def test_interpreter_under_a_private_home_is_reachable_as_slot_uid(ws):
    """The slot uid runs the grader's own Python even where its host path is 0700."""
    code = f"import os, sys\nprint(os.getuid(), sys.base_prefix == {sys.base_prefix!r})"
    assert _run(ws, code).stdout.split() == [str(62000 + SLOT).encode(), b"True"]


def test_probe_says_why_and_how_when_bubblewrap_is_missing(monkeypatch):
    """No bwrap: the probe names the fix, and deciding refuses unless unsandboxed is accepted."""
    assert bwrap.bwrap_available() == (True, "bubblewrap jail available")
    saved = dict(bwrap._state)
    monkeypatch.setattr(bwrap, "find_bwrap", lambda: None)
    try:
        ok, why = bwrap.bwrap_available()
        assert not ok and "apt-get install bubblewrap" in why
        with pytest.raises(bwrap.SandboxUnavailable, match="--allow-unsandboxed"):
            bwrap.decide(allow_unsandboxed=False)
        assert bwrap.decide(allow_unsandboxed=True) is False
        unjailed = Workspace.create(SLOT)
        unjailed.remove()
        assert unjailed.jailed is False and unjailed.uid is None
    finally:
        bwrap._state.clear()
        bwrap._state.update(saved)


def test_autograders_skips_the_slow_optional_jsonschema_import():
    """Importing autograders makes nbformat load without rfc3987_syntax's slow parser.

    That holds in every process that imports it (CLI, worker, sandbox child), and
    notebook validation still works.
    """
    import subprocess
    import sys

    code = ("import sys, autograders, nbformat; from nbformat.v4 import new_notebook;"
            " nbformat.validate(new_notebook());"
            " print(sys.modules.get('rfc3987_syntax', 'missing') is None)")
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "True"


def test_sandbox_has_no_network(ws):
    """A sandboxed program cannot reach a service listening on the grader's loopback."""
    import socket

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        code = ("import socket\ntry:\n"
                f"    socket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
                "    print('connected')\n"
                "except OSError as exc:\n    print('refused', exc.errno)")
        out = _run(ws, code).stdout.decode().split()
    assert out[0] == "refused", out


def test_probe_refuses_a_bubblewrap_too_old_for_the_jail(monkeypatch):
    """A bwrap without --chmod/--perms (before 0.5) is refused, naming what is missing."""
    monkeypatch.setattr(bwrap, "_options", lambda path: {"--bind", "--tmpfs", "--proc"})
    ok, why = bwrap.bwrap_available()
    assert not ok and "too old" in why and "--chmod" in why and "0.5 or newer" in why
