"""The sandbox parent: limits, scrubbed environment, privilege drop, and no survivors."""

from __future__ import annotations

import json
import os
import time

import psutil
import pytest

from autograders.hostile import FORK_BOMB
from autograders.sandbox.executor import Workspace, run_sandboxed, survivors
from autograders.sandbox.limits import Limits, slot_ids
from crm_sim.errors import FieldError

SLOT = 7          # a slot no other test module uses, so uid-based checks are exact
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


def _alive(ws) -> list:
    return survivors(uid=ws.uid) if ws.uid is not None else survivors(token=ws.token)


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


@pytest.mark.skipif(not ROOT, reason="privilege drop needs the grader to run as root")
def test_runs_as_slot_uid_and_cannot_read_private_files(ws, tmp_path):
    """As root, the program runs as 62000+slot and cannot read a 0700 course directory."""
    private = tmp_path / "course"
    private.mkdir(mode=0o700)
    (private / "gradebook.db").write_text("grades")
    os.chmod(tmp_path, 0o700)
    code = (f"import os\nprint(os.getuid(), os.getgid(), os.getgroups())\n"
            f"try:\n open({str(private / 'gradebook.db')!r}).read(); print('READ')\n"
            f"except PermissionError: print('DENIED')")
    out = _run(ws, code).stdout.decode()
    assert out.split()[:2] == [str(62000 + SLOT)] * 2 and "DENIED" in out and "READ" not in out


def test_wall_timeout_kills_a_loop(ws):
    """A busy loop is killed at the wall-clock limit and reported as timed out."""
    start = time.monotonic()
    out = _run(ws, "while True: pass", wall=3)
    assert out.timed_out and time.monotonic() - start < 12
    assert not _alive(ws)


def test_detached_daemons_do_not_survive(ws):
    """A setsid + double-fork daemon ignoring SIGTERM is killed when the run ends."""
    code = """
import os, signal, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(120)
    os._exit(0)
time.sleep(0.5)
print("parent done")
"""
    out = _run(ws, code)
    assert b"parent done" in out.stdout and not out.timed_out
    assert not _alive(ws)


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
    assert not _alive(ws)


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


def test_slot_is_exclusive():
    """A second workspace on a busy slot waits until the first is removed."""
    import threading

    first = Workspace.create(SLOT)
    got = threading.Event()

    def second():
        w = Workspace.create(SLOT)
        got.set()
        w.remove()

    t = threading.Thread(target=second)
    t.start()
    if ROOT:
        assert not got.wait(0.5)          # blocked while the first holds the slot
    first.remove()
    assert got.wait(10)
    t.join()


@pytest.mark.skipif(not ROOT, reason="slot locks guard slot uids, used only as root")
def test_slot_lock_is_machine_wide(tmp_path):
    """Another installation (other venv, other prefix) waits for a busy slot too.

    The locks once lived in the grader's prefix: a CI clone and a working copy then ran
    on one slot uid at once and killed each other's runs.
    """
    import subprocess
    import sys

    first = Workspace.create(SLOT)
    code = ("import sys; sys.prefix = sys.argv[1]\n"
            "from autograders.sandbox.executor import Workspace\n"
            f"Workspace.create({SLOT}).remove(); print('got it')")
    try:
        other = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)],
                                 stdout=subprocess.PIPE, text=True)
        with pytest.raises(subprocess.TimeoutExpired):
            other.wait(timeout=1.5)          # blocked while this process holds the slot
    finally:
        first.remove()
    assert other.communicate(timeout=30)[0].strip() == "got it"


def test_without_privilege_drop_daemons_are_found_by_token(monkeypatch):
    """Without a slot uid, survivors are found by the run's environment token and killed."""
    import autograders.sandbox.executor as executor

    monkeypatch.setattr(executor, "can_drop_privileges", lambda: False)
    w = Workspace.create(SLOT)
    try:
        assert w.uid is None
        code = ("import os, time\nif os.fork() == 0:\n    os.setsid()\n"
                "    if os.fork() == 0:\n        time.sleep(120)\n    os._exit(0)\n"
                "time.sleep(0.5)\nprint('ok')")
        out = _run(w, code)
        assert out.stdout.strip() == b"ok"
        assert survivors(token=w.token) == []
    finally:
        w.remove()


def test_scientific_stack_imports_under_default_memory_limit(ws):
    """numpy, pandas and ipykernel import under the default address-space limit."""
    from autograders.sandbox.limits import DEFAULT_LIMITS

    code = ("import numpy, pandas, ipykernel.kernelapp, matplotlib.pyplot\n"
            "print(pandas.DataFrame({'a': numpy.arange(1000)}).a.sum())")
    out = run_sandboxed(["-I", "-c", code], ws, DEFAULT_LIMITS, wall_timeout_s=60)
    assert out.stdout.strip() == b"499500", out.stderr_tail[-500:]


@pytest.mark.skipif(not ROOT, reason="files are attributed to the run by the slot uid")
def test_files_left_in_shared_dirs_are_swept(ws):
    """Files and dirs the run leaves in /tmp and /dev/shm are removed; others' stay."""
    mine = f"/tmp/h5-not-sandbox-{os.getpid()}"
    open(mine, "w").close()
    code = ("import os\nopen('/tmp/sbx-left.txt', 'w').write('x')\n"
            "os.makedirs('/tmp/sbx-left-dir/sub')\n"
            "open('/tmp/sbx-left-dir/sub/f', 'w').write('y')\n"
            "os.symlink('/etc/passwd', '/tmp/sbx-left-link')\n"
            "try:\n open('/dev/shm/sbx-left-shm', 'w').write('z')\nexcept OSError:\n pass\n"
            "print('ok')")
    assert _run(ws, code).stdout.strip() == b"ok"
    for left in ("/tmp/sbx-left.txt", "/tmp/sbx-left-dir", "/tmp/sbx-left-link",
                 "/dev/shm/sbx-left-shm"):
        assert not os.path.lexists(left), left
    assert os.path.exists(mine) and os.path.exists("/etc/passwd")
    assert ws.path.is_dir()                 # the run's own workspace is left to the parent
    os.unlink(mine)


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


@pytest.mark.skipif(not ROOT, reason="a network namespace needs root")
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
