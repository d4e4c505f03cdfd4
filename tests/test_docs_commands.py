"""Every command in the README and docs is run (or listed here with why it is not).

Commands are taken from ```bash blocks and from inline code starting with `crm-course`,
`.venv/bin/crm-course` or `make`. Each `crm-course` command runs as a real process on a
temporary copy of the course (never the repository's `course/`), in the order a reader
would follow (world, release, check, grade, report, gradebook); it must exit 0 without
a traceback. Commands that cannot run here are listed in `NOT_RUN` with the reason and
the test that covers them instead; names of commands without their arguments run with
`--help` (which also proves every option written before it exists).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

NOT_RUN = {
    "make demo": "builds .venv and grades a four-profile cohort per unit (minutes); "
                 "tests/test_demo.py runs the demo on the fixture course",
    "make test": "runs the whole suite, this test included",
    "make bench": "benchmarks take minutes; tests/test_benchmarks_runner.py covers the runner",
    "make lint": "ruff over the repository; run in CI",
    "make lab": "starts a server that runs until stopped; tests/test_lab.py starts one",
    "make venv": "rebuilds the environment this test runs in",
    "crm-course lab": "starts a server that runs until stopped; tests/test_lab.py checks its "
                      "command line and starts one on 127.0.0.1",
    "crm-course onboard": "starts a Voila server that runs until stopped; "
                          "tests/browser/test_browser_onboard.py starts one and uses it",
    "crm-course demo": "grades a four-profile cohort per unit (minutes); tests/test_demo.py",
    "crm-course feedback": "needs really graded submissions; tests/test_feedback_render.py "
                           "grades a cohort and writes its feedback (run here with --help)",
    # docs/deploy.md: a server's set-up, as root, and other servers
    "make grading-deps": "installs bubblewrap with apt as root; `make demo` runs it",
    "make hub-deps": "installs JupyterHub and the proxy; `make test` runs it before the suite",
    "make hub-test": "tests/test_hub.py, which `make test` runs with the rest of the suite",
    "apt-get": "installs system packages as root; scripts/system-deps.sh and "
               "scripts/hub-deps.sh install what the tests need",
    "sh deploy/add-user.sh": "creates Linux accounts as root; tests/test_hub.py runs it for an "
                             "instructor and two trainees",
    "sh deploy/setup-exchange.sh": "as root; tests/test_hub.py runs it and checks the "
                                   "permissions it sets",
    "passwd": "asks for a password interactively",
    "cp deploy/crm-hub.service": "writes into /etc/systemd; tests/test_hub.py starts the same "
                                 "configuration on 127.0.0.1",
    "systemctl": "starts the hub as a service; tests/test_hub.py starts the same configuration",
    ".venv/bin/dask": "runs on the grading servers; tests/test_cluster.py starts a LocalCluster "
                      "of two worker processes",
    "crm-course grade ITCSCR304A --cluster": "needs a running Dask scheduler; "
                                             "tests/test_cluster.py grades on a LocalCluster",
    "tar": "restores onto a new server; tests/test_backup.py unpacks an archive and reads it",
}
# a command named without its required argument: run with --help
BARE = {"crm-course grade", "crm-course release", "crm-course feedback", "crm-course observe"}
STAGES = ["world build", "release", "check", "grade", "report", "gradebook backups",
          "gradebook restore", "world show"]


def doc_commands() -> list[tuple[str, str]]:
    """(file name, command) for every shell command written in the docs, in order."""
    found: list[tuple[str, str]] = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for block in re.finditer(r"```(?:bash|sh|shell|console)\n(.*?)```", text, re.S):
            for line in block.group(1).splitlines():
                line = line.split(" #")[0].strip()
                if line and not line.startswith("#"):
                    found.append((path.name, line))
        for inline in re.finditer(
                r"`((?:[A-Z_]+=\S+ )?(?:\.venv/bin/)?crm-course [^`]*|"
                r"(?:[A-Z_]+=\S+ )?make [a-z]+[^`]*)`", text):
            found.append((path.name, inline.group(1).strip()))
    return list(dict.fromkeys(found))


def _normal(command: str) -> str:
    """Drop environment assignments and the .venv/bin/ prefix."""
    words = [w for w in command.split() if not re.fullmatch(r"[A-Z_]+=\S*", w)]
    return " ".join(words).replace(".venv/bin/crm-course", "crm-course")


def _rule(command: str) -> str | None:
    """The NOT_RUN key a command falls under, if any."""
    norm = _normal(command)
    return next((k for k in NOT_RUN if norm == k or norm.startswith(k + " ")), None)


def _stage(norm: str) -> int:
    sub = norm.removeprefix("crm-course ")
    return next((i for i, s in enumerate(STAGES) if sub.startswith(s)), len(STAGES))


def test_every_doc_command_is_known_and_not_a_template():
    """Each command is crm-course or make, and none is a placeholder like [FILE] or <ID>."""
    for name, command in doc_commands():
        norm = _normal(command)
        assert norm.startswith(("crm-course", "make ")) or _rule(command), (
            f"{name}: unknown command {command!r} (a command no test can run goes in NOT_RUN)")
        if re.search(r"<[A-Za-z]|\[[A-Z]+\]|\w\|\w", norm):
            assert norm.startswith("crm-course gradebook restore"), (
                f"{name}: {command!r} is a template, not a command a reader can run")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A temporary working directory with a copy of the course (units and config only)."""
    work = tmp_path_factory.mktemp("docs")
    course = work / "course"
    course.mkdir()
    shutil.copytree(ROOT / "course" / "units", course / "units",
                    ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    shutil.copy(ROOT / "course" / "nbgrader_config.py", course / "nbgrader_config.py")
    (work / "demo" / "course").mkdir(parents=True)
    return work


def test_doc_commands_run(workspace):
    """Every runnable doc command exits 0 without a traceback, in the reader's order."""
    env = {**os.environ, "CRM_COURSE_ROOT": str(workspace / "course")}
    runnable, skipped = [], []
    for name, command in doc_commands():
        rule = _rule(command)
        norm = _normal(command)
        if rule and norm not in BARE and not norm.startswith("crm-course feedback"):
            skipped.append((command, NOT_RUN[rule]))
            continue
        if norm.startswith("make "):
            skipped.append((command, "make target without a NOT_RUN entry"))
            continue
        args = norm.split()[1:]
        if norm in BARE or norm.startswith("crm-course feedback"):
            args.append("--help")
        if norm.startswith("crm-course gradebook restore"):
            args = ["gradebook", "restore"]          # the newest backup: the documented default
        runnable.append((_stage(norm), name, command, args))
    assert not [s for s in skipped if s[1].startswith("make target without")], skipped
    ran = []
    for _, name, command, args in sorted(runnable, key=lambda r: r[0]):
        proc = subprocess.run([sys.executable, "-m", "autograders.cli", *args], cwd=workspace,
                              env=env, capture_output=True, text=True, timeout=600)
        out = proc.stdout + proc.stderr
        assert proc.returncode == 0 and "Traceback" not in out, f"{name}: {command}\n{out[-800:]}"
        ran.append(command)
    assert any(c.endswith("release all") for c in ran) and any("report" in c for c in ran)
    print("\nnot run:\n" + "\n".join(f"  {c}: {why}" for c, why in skipped))
