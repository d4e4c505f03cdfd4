"""cgroup v2 caps for a whole run, checked against a fake cgroupfs folder.

This machine (and many CI containers) has no writable v2 hierarchy, so the kernel's
enforcement is not exercised here; what is proven is what the grader writes and that a
run goes into its cgroup and leaves nothing behind. Without v2 the run keeps rlimits.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from autograders.sandbox import cgroup
from autograders.sandbox.executor import Workspace, run_sandboxed
from autograders.sandbox.limits import Limits

ROOT = os.geteuid() == 0
LIMITS = Limits(memory_mb=768, max_processes=48, cell_timeout_s=5, notebook_timeout_s=20)


@pytest.fixture()
def fake_root(tmp_path, monkeypatch):
    """A folder shaped like a v2 root offering memory and pids; fresh cgroup state."""
    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (tmp_path / "cgroup.subtree_control").write_text("cpu memory pids\n")
    monkeypatch.setattr(cgroup, "ROOT", tmp_path)
    monkeypatch.setattr(cgroup, "_state", {})
    return tmp_path


@pytest.mark.skipif(not ROOT, reason="run cgroups are used only when grading as root")
def test_run_cgroup_gets_the_run_caps(fake_root):
    """A run's cgroup caps memory (no swap) and tasks at the run's limits."""
    group = cgroup.RunCgroup.create(LIMITS)
    assert group is not None and group.path.parent == fake_root / cgroup.PARENT
    parent_control = (fake_root / cgroup.PARENT / "cgroup.subtree_control").read_text()
    assert parent_control == "+memory +pids"
    assert (group.path / "memory.max").read_text() == str(768 * 1024 * 1024)
    assert (group.path / "pids.max").read_text() == "48"
    subprocess.run([*group.enter_argv(), "/bin/true"], check=True)
    assert (group.path / "cgroup.procs").read_text().strip() == "0"   # "move me" was written
    group.remove()
    assert not group.path.exists()


@pytest.mark.skipif(not ROOT, reason="run cgroups are used only when grading as root")
def test_a_jailed_run_enters_its_cgroup_and_removes_it(fake_root, monkeypatch):
    """run_sandboxed starts the jail through the cgroup and removes the cgroup after."""
    entered = []
    real_enter = cgroup.RunCgroup.enter_argv

    def spy(self):
        entered.append(self.path)
        return real_enter(self)

    monkeypatch.setattr(cgroup.RunCgroup, "enter_argv", spy)
    ws = Workspace.create(8)
    try:
        out = run_sandboxed(["-I", "-c", "print('inside')"], ws, LIMITS, wall_timeout_s=30)
    finally:
        ws.remove()
    assert out.stdout.strip() == b"inside" and not out.memory_killed
    runs = [p for p in entered if p.name.startswith("run-")]   # besides the setup trial
    assert len(runs) == 1 and not runs[0].exists()
    assert sorted(p.name for p in (fake_root / cgroup.PARENT).iterdir()) == [
        "cgroup.subtree_control"]


def test_without_v2_controllers_runs_keep_rlimits_only(tmp_path, monkeypatch):
    """A v1 host, or a v2 root without the pids controller, gives no run cgroup."""
    monkeypatch.setattr(cgroup, "ROOT", tmp_path)          # no cgroup.controllers: v1
    monkeypatch.setattr(cgroup, "_state", {})
    assert cgroup.RunCgroup.create(LIMITS) is None
    (tmp_path / "cgroup.controllers").write_text("cpu memory\n")
    monkeypatch.setattr(cgroup, "_state", {})
    assert cgroup.RunCgroup.create(LIMITS) is None


def test_oom_kill_is_read_from_memory_events(fake_root):
    """memory.events with oom_kill > 0 marks the run as killed by its memory cap."""
    if not ROOT:
        pytest.skip("run cgroups are used only when grading as root")
    group = cgroup.RunCgroup.create(LIMITS)
    (group.path / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 0\n")
    assert not group.oom_killed()
    (group.path / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
    assert group.oom_killed()
    group.remove()


@pytest.mark.skipif(not ROOT, reason="run cgroups are used only when grading as root")
def test_a_cgroup_no_process_can_enter_is_not_used(fake_root, monkeypatch):
    """If the set-up trial cannot move a process in, runs keep rlimits instead of failing."""
    monkeypatch.setattr(cgroup.RunCgroup, "enter_argv",
                        lambda self: ["/bin/sh", "-c", "exit 1", str(self.path)])
    assert cgroup.RunCgroup.create(LIMITS) is None
    assert sorted(p.name for p in (fake_root / cgroup.PARENT).iterdir()) == [
        "cgroup.subtree_control"]
