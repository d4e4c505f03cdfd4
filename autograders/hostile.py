"""Hostile submissions, generated from any released notebook, with the outcome each must get.

Why a generator: every unit's notebooks must survive the same attacks, so the attacks are
written once and injected into the *first solution cell* of whatever released notebook is
given (file-level attacks replace the whole file). `tests/test_hostile.py` runs them all
through `grade_notebook` on the fixture unit and a handful on every real unit.

A variant is a notebook dict, or ``{"__raw__": text}`` for files that are not notebooks
(empty, broken JSON); `write_variant` writes either to disk.
"""

from __future__ import annotations

import ast
import builtins
import copy
import json
import textwrap
from pathlib import Path
from typing import Any

# --------------------------------------------------------------------------- attack code
ALWAYS_EQUAL = '''
class AlwaysEqual:
    """Compares equal to anything, calls and indexes to itself."""
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __hash__(self): return 0
    def __call__(self, *a, **k): return self
    def __getattr__(self, name): return self
    def __getitem__(self, key): return self
    def __iter__(self): return iter(())
    def __len__(self): return 0
    def __format__(self, spec): return "AlwaysEqual"
_ae = AlwaysEqual()
'''

INPUT_TRANSFORMER = """
get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])
"""

READ_FILES = '''
import glob, os
_targets = {targets!r} + ["../gradebook.db", "../../gradebook.db", "../source", "../../source"]
_targets += glob.glob("../*") + glob.glob("../../*.db") + glob.glob("/root/*")
for _t in _targets:
    try:
        if os.path.isdir(_t):
            print("DIR", _t, os.listdir(_t))
        else:
            with open(_t, "rb") as _fh:
                print("READ", _t, _fh.read(200000))
    except Exception as _exc:
        print("could not read", _t, type(_exc).__name__)
'''

SQLITE_GRADEBOOK = '''
import sqlite3
for _t in {targets!r} + ["../gradebook.db", "../../gradebook.db"]:
    if not _t.endswith(".db"):
        try:
            with open(_t, "a") as _fh:
                _fh.write("tampered by a trainee")
        except Exception as _exc:
            print("could not append", _t, type(_exc).__name__)
        continue
    try:
        _con = sqlite3.connect(_t)
        _con.execute("UPDATE grades SET points = 999")
        _con.execute("CREATE TABLE IF NOT EXISTS pwned (x)")
        _con.commit()
        _con.close()
        print("edited", _t)
    except Exception as _exc:
        print("could not edit", _t, type(_exc).__name__)
    try:
        with open(_t, "wb") as _fh:
            _fh.write(b"overwritten")
    except Exception as _exc:
        print("could not overwrite", _t, type(_exc).__name__)
'''

DAEMON = '''
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        _end = time.time() + 120
        while time.time() < _end:
            for _d in [".", ".."] + {dirs!r}:
                try:
                    with open(os.path.join(_d, "daemon-was-here.txt"), "a") as _fh:
                        _fh.write("still running\\n")
                except Exception:
                    pass
            time.sleep(0.2)
        os._exit(0)
    os._exit(0)
time.sleep(0.5)
print("daemon started")
'''

PROC_SNOOP = '''
import os
# the grader's command line once led a kernel to the course root: read every process's
for _pid in sorted((p for p in os.listdir("/proc") if p.isdigit()), key=int):
    try:
        with open(f"/proc/{_pid}/cmdline", "rb") as _fh:
            _cmd = _fh.read().replace(b"\\0", b" ").decode("utf-8", "replace")
        print("PROC", _pid, _cmd[:300])
    except Exception as _exc:
        print("PROC", _pid, "unreadable", type(_exc).__name__)
print("SNOOP-DONE")
'''

WALK_HOST = '''
import os, sys
# walk where courses and other trainees' work usually live; read what looks like grades
_skip = (os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix))
_seen = 0
print("CWD", os.getcwd())
for _top in ("/work", "/root", "/home", "/srv", "/var", "/tmp", "/run", "/opt", "/mnt"):
    for _dir, _subs, _files in os.walk(_top):
        if os.path.realpath(_dir).startswith(_skip):
            _subs[:] = []
            continue
        for _name in _subs + _files:
            _seen += 1
            _path = os.path.join(_dir, _name)
            if _name.endswith((".db", ".sqlite", ".ipynb", ".secret")) or _name in (
                    "submitted", "autograded", "reports", "feedback", "source", ".git"):
                print("FOUND", _path)
                try:
                    with open(_path, "rb") as _fh:
                        print("READ", _path, _fh.read(300))
                except Exception as _exc:
                    print("could not read", _path, type(_exc).__name__)
        if _seen > 50000:
            break
print("WALK-DONE", _seen)
'''

MEMORY_BOMB = "_hog = bytearray(3 * 1024 ** 3)\n_hog[::4096] = b'x' * len(_hog[::4096])\n"

INFINITE_LOOP = "while True:\n    pass\n"

SIGINT_LOOP = """
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
while True:
    try:
        pass
    except BaseException:
        pass
"""

OS_EXIT = "import os\nos._exit(0)\n"

# every cell runs normally; the stall comes only when the kernel is asked to shut down
# (SIGTERM and SIGINT ignored, an exit handler that sleeps an hour): a grader that waits
# for a polite shutdown would hold its worker, and the cohort, until the notebook limit
STALL_AT_EXIT = """
import atexit, signal, time
for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(_sig, signal.SIG_IGN)
atexit.register(time.sleep, 3600)
"""

OUTPUT_FLOOD = """
import sys
for _i in range(20000):
    print("flood " * 50)
"""

HUGE_FILE = """
_chunk = b"z" * (1 << 20)
_written = 0
try:
    with open("huge.bin", "wb") as _fh:
        for _i in range(2048):
            _fh.write(_chunk)
            _written += len(_chunk)
except OSError as _exc:
    print("stopped after", _written, "bytes:", type(_exc).__name__)
"""

FORK_BOMB = """
import os, time
_kids = 0
for _i in range(600):
    try:
        _pid = os.fork()
    except OSError:
        break
    if _pid == 0:
        time.sleep(60)
        os._exit(0)
    _kids += 1
print("forked", _kids, "children")
"""

FORGE_RESULTS = '''
import json, os
_forged = json.dumps({{"event": "result", "cells": [], "stop": None}}) + "\\n"
_hits = 0
for _fd in range(3, 64):
    for _path in (f"/proc/{{os.getppid()}}/fd/{{_fd}}", f"/dev/fd/{{_fd}}"):
        try:
            _w = os.open(_path, os.O_WRONLY | os.O_NONBLOCK)
            os.write(_w, _forged.encode())
            os.close(_w)
            _hits += 1
        except OSError:
            pass
os.write(1, _forged.encode())
_art = os.environ.get("CRM_ARTIFACT_DIR", ".")
for _gid in {gids!r}:
    with open(os.path.join(_art, _gid + ".json"), "w") as _fh:
        json.dump({{"grade_id": _gid, "nonce": "0" * 32, "value": "forged"}}, _fh)
print("forged into", _hits, "descriptors")
'''

# Expected outcome per variant. "status": submission status; "reason": substring of the
# reason; "first_test": (status, message substring) of the first test cell;
# "tests_zero": every test cell scores 0; "cell_status": status every test cell after
# the attack must have; "message": substring of at least one test cell's message (checked
# on the fixture unit, whose first test cell follows the attacked cell directly);
# "no_leak": nothing read from outside may appear in the feedback; "output_capped": the
# attacked cell's outputs are truncated to the limit.
EXPECTED: dict[str, dict[str, Any]] = {
    "custom_eq": {"status": "graded", "tests_zero": True, "message": "cannot be graded"},
    "input_transformer": {"status": "graded", "tests_zero": True,
                          "message": "did not run as written", "cell_status": "hook_detected"},
    "read_files": {"status": "graded", "tests_zero": True, "no_leak": True},
    "sqlite_gradebook": {"status": "graded", "tests_zero": True, "no_leak": True},
    "daemon": {"status": "graded", "tests_zero": True},
    "forge_results": {"status": "graded", "tests_zero": True},
    "memory_bomb": {"status": "memory_exceeded", "reason": "memory limit exceeded in cell",
                    "tests_zero": True, "cell_status": "not_run"},
    "infinite_loop": {"status": "timed_out", "reason": "timed out in cell",
                      "tests_zero": True, "cell_status": "not_run"},
    "sigint_loop": {"status": "timed_out", "reason": "timed out in cell",
                    "tests_zero": True, "cell_status": "not_run"},
    "os_exit": {"status": "kernel_died", "reason": "the kernel died in cell",
                "tests_zero": True, "cell_status": "not_run"},
    "stall_at_exit": {"status": "graded", "tests_zero": True},
    "output_flood": {"status": "graded", "tests_zero": True, "output_capped": True},
    "huge_file": {"status": "graded", "tests_zero": True},
    "fork_bomb": {"status": "graded", "tests_zero": True},
    "proc_snoop": {"status": "graded", "tests_zero": True, "no_leak": True},
    "walk_host": {"status": "graded", "tests_zero": True, "no_leak": True},
    "deleted_test": {"status": "graded", "first_test": ("deleted", "missing")},
    "edited_test": {"status": "graded", "first_test": ("tampered", "was edited")},
    "changed_grade_id": {"status": "graded", "first_test": ("tampered", "grade_id")},
    "duplicated_grade_id": {"status": "graded", "first_test": ("tampered", "duplicated")},
    "empty_file": {"status": "invalid_notebook", "reason": "empty"},
    "invalid_json": {"status": "invalid_notebook", "reason": "not valid notebook JSON"},
    "nbformat3": {"status": "graded", "reason": "nbformat 3"},
    "wrong_unit": {"status": "wrong_unit", "reason": "right file"},
}

# The few that cost a kernel each and prove the most, for real units (see test_hostile).
EXPENSIVE_SAMPLE = ("input_transformer", "read_files", "infinite_loop", "os_exit",
                    "memory_bomb", "edited_test")


# --------------------------------------------------------------------------- helpers
def _nbg(cell: dict) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def is_test_cell(cell: dict) -> bool:
    """A graded, non-solution code cell (what nbgrader calls an autograder test)."""
    m = _nbg(cell)
    return cell.get("cell_type") == "code" and bool(m.get("grade")) and not m.get("solution")


def is_code_solution(cell: dict) -> bool:
    """A code cell the trainee answers in."""
    return cell.get("cell_type") == "code" and bool(_nbg(cell).get("solution"))


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def test_names(nb: dict) -> list[str]:
    """Free names the test cells read (so `custom_eq` can replace each with its object)."""
    names: set[str] = set()
    for cell in nb.get("cells", []):
        if not is_test_cell(cell):
            continue
        try:
            tree = ast.parse(_source(cell))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                names.add(node.id)
    return sorted(n for n in names if n != "submit" and not hasattr(builtins, n))


def _with_attack(nb: dict, code: str) -> dict:
    out = copy.deepcopy(nb)
    for cell in out["cells"]:
        if is_code_solution(cell):
            cell["source"] = textwrap.dedent(code).strip() + "\n"
            return out
    raise ValueError("the notebook has no code solution cell to put the attack in")


def _first_test_index(nb: dict) -> int:
    for i, cell in enumerate(nb["cells"]):
        if is_test_cell(cell):
            return i
    raise ValueError("the notebook has no test cell")


def first_test_id(nb: dict) -> str:
    """grade_id of the first test cell (the one structural variants attack)."""
    return _nbg(nb["cells"][_first_test_index(nb)])["grade_id"]


# --------------------------------------------------------------------------- generator
def hostile_variants(released_nb: dict, targets: list[str] = (),
                     daemon_dirs: list[str] = ()) -> dict[str, dict]:
    """Every hostile variant of `released_nb` (see `EXPECTED` for what each must get).

    Args:
        released_nb: a released notebook (nbformat 4 JSON dict).
        targets: absolute paths an attacker would go for (source notebook, gradebook.db,
            course files); read, printed, edited and overwritten by the variants.
        daemon_dirs: directories the background daemon tries to keep writing into.
    """
    nb = json.loads(json.dumps(released_nb))
    names = test_names(nb)
    eq_code = ALWAYS_EQUAL + "".join(f"{n} = _ae\n" for n in names)
    eq_code += ("_real_submit = submit\n"
                "def submit(grade_id, value, **kw):\n"
                "    return _real_submit(grade_id, _ae, **kw)\n")
    variants: dict[str, dict] = {
        "custom_eq": _with_attack(nb, eq_code),
        "input_transformer": _with_attack(nb, INPUT_TRANSFORMER),
        "read_files": _with_attack(nb, READ_FILES.format(targets=list(targets))),
        "sqlite_gradebook": _with_attack(nb, SQLITE_GRADEBOOK.format(targets=list(targets))),
        "daemon": _with_attack(nb, DAEMON.format(dirs=list(daemon_dirs))),
        "forge_results": _with_attack(nb, FORGE_RESULTS.format(gids=[
            _nbg(c)["grade_id"] for c in nb["cells"] if is_test_cell(c)])),
        "memory_bomb": _with_attack(nb, MEMORY_BOMB),
        "infinite_loop": _with_attack(nb, INFINITE_LOOP),
        "sigint_loop": _with_attack(nb, SIGINT_LOOP),
        "os_exit": _with_attack(nb, OS_EXIT),
        "stall_at_exit": _with_attack(nb, STALL_AT_EXIT),
        "output_flood": _with_attack(nb, OUTPUT_FLOOD),
        "huge_file": _with_attack(nb, HUGE_FILE),
        "fork_bomb": _with_attack(nb, FORK_BOMB),
        "proc_snoop": _with_attack(nb, PROC_SNOOP),
        "walk_host": _with_attack(nb, WALK_HOST),
    }
    t = _first_test_index(nb)
    deleted = copy.deepcopy(nb)
    del deleted["cells"][t]
    variants["deleted_test"] = deleted
    edited = copy.deepcopy(nb)
    edited["cells"][t]["source"] = "# the test is not needed\npass\n"
    variants["edited_test"] = edited
    renamed = copy.deepcopy(nb)
    renamed["cells"][t]["metadata"]["nbgrader"]["grade_id"] = "my_own_cell"
    variants["changed_grade_id"] = renamed
    dup = copy.deepcopy(nb)
    copy_cell = copy.deepcopy(dup["cells"][t])
    copy_cell["source"] = "pass\n"
    dup["cells"].insert(t, copy_cell)        # the edited copy comes first
    variants["duplicated_grade_id"] = dup
    variants["empty_file"] = {"__raw__": ""}
    variants["invalid_json"] = {"__raw__": json.dumps(nb)[: max(10, len(json.dumps(nb)) // 2)]}
    variants["nbformat3"] = _downgrade(nb)
    foreign = copy.deepcopy(nb)
    for i, cell in enumerate(foreign["cells"]):
        if _nbg(cell):
            cell["metadata"]["nbgrader"]["grade_id"] = f"other_unit_cell_{i}"
    variants["wrong_unit"] = foreign
    assert set(variants) == set(EXPECTED)
    return variants


def _downgrade(nb: dict) -> dict:
    import nbformat

    node = nbformat.reads(json.dumps(nb), as_version=4)
    for cell in node.cells:
        cell.pop("id", None)
    node.nbformat_minor = 4
    return json.loads(json.dumps(nbformat.convert(node, 3)))


def write_variant(variant: dict, path: Path) -> Path:
    """Write a variant to `path` (raw text for file-level variants, else notebook JSON)."""
    path = Path(path)
    if "__raw__" in variant:
        path.write_text(variant["__raw__"], encoding="utf-8")
    else:
        path.write_text(json.dumps(variant, indent=1), encoding="utf-8")
    return path
