"""The jail's mount plan: reach the interpreter under a private directory, hide the rest."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from autograders.sandbox import exposure
from autograders.sandbox.limits import DEFAULT_LIMITS, slot_ids


@pytest.fixture
def private_tree():
    """/tmp/<base> (0755) / private (0700) holding needed/ and secret.txt."""
    import shutil
    import tempfile
    from pathlib import Path

    base = Path(tempfile.mkdtemp(prefix="crm-expose-test-", dir="/tmp"))
    yield from _tree(base)
    shutil.rmtree(base, ignore_errors=True)


def _tree(tmp_path):
    private = tmp_path / "private"
    (private / "needed" / "deep").mkdir(parents=True)
    (private / "needed" / "deep" / "ok.txt").write_text("reachable")
    (private / "secret.txt").write_text("hidden")
    for d in (tmp_path, private / "needed", private / "needed" / "deep"):
        d.chmod(0o755)
    (private / "needed" / "deep" / "ok.txt").chmod(0o644)
    private.chmod(0o700)
    yield private


def test_plan_groups_paths_under_their_untraversable_ancestor(private_tree):
    """Only directories others cannot traverse are planned; nested needs collapse."""
    needed = str(private_tree / "needed")
    plan = exposure.plan([needed, needed + "/deep", "/usr/bin"])
    assert plan == [[str(private_tree), [needed]]]
    assert exposure.plan(["/usr/bin", "/tmp"]) == []


def test_needed_paths_cover_interpreter_and_project():
    """The interpreter's prefixes and the project source are what the sandbox must reach."""
    paths = exposure.needed_paths()
    assert os.path.realpath(sys.prefix) in paths
    assert any(os.path.isdir(os.path.join(p, "autograders")) for p in paths)


@pytest.mark.skipif(os.geteuid() != 0, reason="mount namespaces and uid drop need root")
def test_jail_exposes_needed_paths_and_hides_the_rest(private_tree):
    """As the slot uid inside the jail: the bound file reads, its private sibling is gone."""
    uid, gid = slot_ids(7)
    plan = exposure.plan([str(private_tree / "needed")])
    config = {"limits": DEFAULT_LIMITS.to_dict(), "nproc": None, "uid": uid, "gid": gid,
              "expose": plan}
    script = (f"import os; print(open({str(private_tree / 'needed/deep/ok.txt')!r}).read());"
              f" print(os.path.exists({str(private_tree / 'secret.txt')!r}))")
    out = subprocess.run([sys.executable, "-I", "-m", "autograders.sandbox.jail",
                          json.dumps(config), "--", "/usr/bin/python3", "-I", "-c", script],
                         capture_output=True, text=True, timeout=60, cwd="/")
    assert out.returncode == 0, out.stderr[-800:]
    assert out.stdout.split() == ["reachable", "False"]
    assert (private_tree / "secret.txt").read_text() == "hidden"   # host untouched
    assert oct(private_tree.stat().st_mode & 0o777) == "0o700"
