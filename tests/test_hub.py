"""The class hub end to end (`make hub-test`, also part of `make test`).

One JupyterHub on 127.0.0.1 from deploy/jupyterhub_config.py, unchanged but for ports and
folders, with its proxy from npm. Real Linux accounts made by deploy/add-user.sh (an
instructor, two trainees), the exchange made by deploy/setup-exchange.sh. The instructor
releases the fixture unit through formgrader's API; each trainee's own server (spawned by
the hub under the trainee's account) fetches it through the assignment list's API, saves
answers through the contents API and submits; the instructor collects through formgrader;
`crm-course grade --jobs 2` grades; the gradebook is read back.

Needs root (accounts, servers spawned as them) and `make hub-deps`. Everything it creates
(accounts, groups, homes, exchange, the hub and every server) is removed at the end, also
after a failure. Accounts and groups carry the prefix ``crmhubt<pid>`` (this test
process's pid), so concurrent runs (pytest-xdist workers, other checkouts on the machine)
never share an account, a home or a gradebook; a later run clears what a killed run (one
whose pid is gone) left.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from grading_helpers import FIXTURE_COURSE, UNIT
from server_process import start_server

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
# what the accounts run: deploy/.venv when make hub-deps built one (see scripts/hub-deps.sh)
# (deploy/.servers names its home: deploy/, or a readable copy when the clone is private)
SERVERS_HOME = (Path((DEPLOY / ".servers").read_text().strip())
                if (DEPLOY / ".servers").exists() else DEPLOY)
SERVER_BIN = (SERVERS_HOME / ".venv" / "bin"
              if (SERVERS_HOME / ".venv" / ".installed").exists() else BIN)
JUPYTER_DIR = (SERVERS_HOME / "jupyter" if (SERVERS_HOME / "jupyter").is_dir()
               else DEPLOY / "jupyter")
STEM = "crmhubt"
PREFIX = f"{STEM}{os.getpid()}"     # this run's own accounts and groups
INSTRUCTOR = f"{PREFIX}-instr"
TRAINEES = {f"{PREFIX}-t1": "full", f"{PREFIX}-t2": "partial"}
GROUPS = {"CRM_INSTRUCTOR_GROUP": f"{PREFIX}-instructors",
          "CRM_TRAINEE_GROUP": f"{PREFIX}-trainees"}
COURSE_ID = "crm-hub-test"
# what the fixture unit's evaluators give a full and a partial answer (test_e2e_pipeline)
EXPECTED = {"full": {"mean_test": 2.0, "squares_test": 3.0, "filter_test": 2.0},
            "partial": {"mean_test": 2.0, "squares_test": 1.5, "filter_test": 1.0}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd, *, env=None, user=None, cwd=None, check=True):
    """Run a command (as ``user`` through runuser); its output is in the failure message."""
    if user is not None:
        cmd = ["runuser", "-u", user, "--", "env", "-i",
               *[f"{k}={v}" for k, v in (env or {}).items()], *cmd]
        env = None
    proc = subprocess.run([str(c) for c in cmd], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} exited {proc.returncode}:\n{proc.stdout[-2000:]}\n"
                             f"{proc.stderr[-3000:]}")
    return proc


def _killed_runs_prefixes() -> set[str]:
    """Prefixes of accounts or groups left by earlier runs whose test process is gone."""
    import psutil

    names = [u.pw_name for u in pwd.getpwall()] + [g.gr_name for g in grp.getgrall()]
    found = set()
    for name in names:
        match = re.fullmatch(rf"{STEM}(\d+)-.+", name)
        if match and not psutil.pid_exists(int(match.group(1))):
            found.add(f"{STEM}{match.group(1)}")
    return found


def _remove_accounts(prefix: str = PREFIX) -> None:
    """Delete the accounts (their processes first, by pid) and groups named ``prefix-*``."""
    import psutil

    names = [u.pw_name for u in pwd.getpwall() if u.pw_name.startswith(f"{prefix}-")]
    uids = set()
    for name in names:
        try:
            uids.add(pwd.getpwnam(name).pw_uid)
        except KeyError:
            pass
    for proc in psutil.process_iter(["uids"]):
        if proc.info["uids"] and proc.info["uids"].real in uids:
            proc.kill()
    for name in names:
        if name in {p.pw_name for p in pwd.getpwall()}:
            subprocess.run(["userdel", "--remove", name], capture_output=True, check=False)
    for group in [g.gr_name for g in grp.getgrall() if g.gr_name.startswith(f"{prefix}-")]:
        subprocess.run(["groupdel", group], capture_output=True, check=False)


def _stop_proxy(pid_file: Path) -> None:
    """Stop the proxy the hub started (its own session) if the hub left it running."""
    import psutil

    try:
        proxy = psutil.Process(int(pid_file.read_text().strip()))
        if "configurable-http-proxy" in " ".join(proxy.cmdline()):
            proxy.terminate()
            proxy.wait(10)
    except (OSError, ValueError, psutil.Error):
        pass


class Hub:
    """The running hub: its base URL and an API session with the service token."""

    def __init__(self, url: str, token: str, log: Path | None = None):
        import requests

        self.url = url
        self.log = log
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"token {token}"

    def api(self, method: str, path: str, **kw):
        """A hub REST API call; fails the test on an error status."""
        response = self.http.request(method, f"{self.url}/hub/api{path}", timeout=60, **kw)
        assert response.status_code < 400, (
            f"{method} {path}: {response.status_code} {response.text[:500]}\n"
            + (self.log.read_text()[-3000:] if self.log else ""))
        return response.json() if response.content else None

    def server(self, method: str, user: str, path: str, **kw):
        """A request to ``user``'s own server through the proxy."""
        return self.http.request(method, f"{self.url}/user/{user}/{path}", timeout=120, **kw)

    def start(self, user: str) -> None:
        """Add the account to the hub and spawn its server (as that Linux account)."""
        self.api("POST", f"/users/{user}")
        self.api("POST", f"/users/{user}/server")

    def wait_ready(self, users: list[str], timeout: float = 120) -> None:
        """Wait until every user's server answers through the proxy."""
        end = time.monotonic() + timeout
        pending = set(users)
        while pending and time.monotonic() < end:
            for user in list(pending):
                model = self.api("GET", f"/users/{user}")
                if model["servers"].get("", {}).get("ready"):
                    pending.discard(user)
            time.sleep(0.5)
        assert not pending, f"servers not ready after {timeout} s: {sorted(pending)}"


def _wait_for(url: str, timeout: float, proc: subprocess.Popen, log: Path) -> None:
    import requests

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"the hub exited {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"the hub did not answer in {timeout} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def hub_run():
    """Accounts, exchange, hub; the whole class flow; everything removed afterwards."""
    if os.geteuid() != 0:
        pytest.skip("the hub test creates Linux accounts: run it as root (CI does)")
    proxy = DEPLOY / "node_modules" / ".bin" / "configurable-http-proxy"
    assert proxy.exists() and (BIN / "jupyterhub").exists(), "run `make hub-deps` first"
    assert shutil.which("runuser") and shutil.which("useradd")
    for killed in _killed_runs_prefixes():
        _remove_accounts(killed)
    _remove_accounts()
    base = Path(tempfile.mkdtemp(prefix=f"{PREFIX}-"))
    base.chmod(0o755)                       # trainees must reach the exchange inside it
    state = base / "hub"
    exchange = base / "exchange"
    token = secrets.token_hex(32)
    env = {**os.environ, **GROUPS, "CRM_COURSE_ID": COURSE_ID,
           "CRM_EXCHANGE_ROOT": str(exchange), "CRM_HUB_STATE": str(state),
           "CRM_HUB_IP": "127.0.0.1", "CRM_HUB_PORT": str(_free_port()),
           "CRM_HUB_API_PORT": str(_free_port()), "CRM_HUB_PROXY_API_PORT": str(_free_port()),
           "CRM_HUB_API_TOKEN": token}
    hub_proc = None
    timings: dict[str, float] = {}
    try:
        started = time.monotonic()
        _run(["sh", DEPLOY / "add-user.sh", INSTRUCTOR, "instructor"], env=env)
        for trainee in TRAINEES:
            _run(["sh", DEPLOY / "add-user.sh", trainee, "trainee"], env=env)
        _run(["sh", DEPLOY / "setup-exchange.sh", INSTRUCTOR], env=env)
        course = Path(pwd.getpwnam(INSTRUCTOR).pw_dir) / "course"
        shutil.copytree(FIXTURE_COURSE / "units" / UNIT, course / "units" / UNIT)
        _run(["chown", "-R", f"{INSTRUCTOR}:{GROUPS['CRM_INSTRUCTOR_GROUP']}", course])
        timings["accounts and exchange"] = time.monotonic() - started

        log = base / "hub.log"
        with open(log, "w") as out:
            hub_proc = start_server(
                [BIN / "jupyterhub", "-f", DEPLOY / "jupyterhub_config.py"], cwd=state.parent,
                env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{env['CRM_HUB_PORT']}"
        mark = time.monotonic()
        _wait_for(f"{url}/hub/api", 60, hub_proc, log)
        timings["hub start"] = time.monotonic() - mark
        hub = Hub(url, token, log)
        mark = time.monotonic()
        hub.start(INSTRUCTOR)
        for trainee in TRAINEES:
            hub.start(trainee)
        hub.wait_ready([INSTRUCTOR, *TRAINEES])
        timings["three servers spawned"] = time.monotonic() - mark

        facts = _class_flow(hub, env, course, exchange, timings)
        facts.update(course=course, exchange=exchange, timings=timings, hub=hub)
        yield facts
    finally:
        if hub_proc is not None:
            stopper = Hub(f"http://127.0.0.1:{env['CRM_HUB_PORT']}", token)
            for user in [INSTRUCTOR, *TRAINEES]:
                try:
                    stopper.http.delete(f"{stopper.url}/hub/api/users/{user}/server", timeout=30)
                except Exception:  # noqa: BLE001 - the hub may be gone already
                    pass
            hub_proc.terminate()
            try:
                hub_proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(hub_proc.pid, 9)
                hub_proc.wait(10)
            _stop_proxy(state.parent / "jupyterhub-proxy.pid")
        _remove_accounts()
        shutil.rmtree(base, ignore_errors=True)


def _class_flow(hub: Hub, env: dict, course: Path, exchange: Path,
                timings: dict[str, float]) -> dict:
    """Release, fetch, answer, submit, collect and grade, timing each stage."""
    from autograders.course import Course
    from autograders.demo import make_submission, unit_variants

    facts: dict = {}
    user_env = {"PATH": f"{SERVER_BIN}:/usr/bin:/bin", "HOME": str(course.parent),
                "JUPYTER_CONFIG_PATH": str(JUPYTER_DIR),
                "CRM_COURSE_ID": COURSE_ID, "CRM_EXCHANGE_ROOT": str(exchange),
                "CRM_SLOT_LOCK_DIR": str(course.parent / ".cache" / "crm-course-slots")}
    mark = time.monotonic()
    _run([SERVER_BIN / "crm-course", "release", UNIT, "--course", course], user=INSTRUCTOR,
         env=user_env, cwd="/")
    released = hub.server("POST", INSTRUCTOR, f"formgrader/api/assignment/{UNIT}/release")
    assert released.status_code == 200 and released.json().get("success"), released.text
    facts["instructor formgrader"] = hub.server("GET", INSTRUCTOR, "formgrader").status_code
    facts["trainee formgrader"] = hub.server("GET", next(iter(TRAINEES)),
                                             "formgrader").status_code
    timings["release (crm-course release + formgrader)"] = time.monotonic() - mark

    mark = time.monotonic()
    source = json.loads((course / "units" / UNIT / "fixture1.ipynb").read_text())
    variants = unit_variants(Course(course), UNIT)
    args = {"course_id": COURSE_ID, "assignment_id": UNIT}
    for trainee, profile in TRAINEES.items():
        listed = hub.server("GET", trainee, "assignments", params={"course_id": COURSE_ID})
        assert listed.status_code == 200, listed.text
        facts.setdefault("listed", {})[trainee] = [a["assignment_id"] for a in listed.json()
                                                    ["value"]]
        fetched = hub.server("POST", trainee, "assignments/fetch", data=args)
        assert fetched.status_code == 200, fetched.text
        path = f"api/contents/{UNIT}/fixture1.ipynb"
        nb = hub.server("GET", trainee, path).json()["content"]
        answered = make_submission(nb, source, variants.get(profile, {}))
        saved = hub.server("PUT", trainee, path,
                           json={"type": "notebook", "format": "json", "content": answered})
        assert saved.status_code in (200, 201), saved.text
        submitted = hub.server("POST", trainee, "assignments/submit", data=args)
        assert submitted.status_code == 200 and "success" not in submitted.json() \
            or submitted.json().get("success"), submitted.text
    timings["fetch, answer and submit (two trainees)"] = time.monotonic() - mark

    inbound = exchange / COURSE_ID / "inbound"
    facts["inbound"] = {p.name: p for p in inbound.iterdir()}
    mark = time.monotonic()
    collected = hub.server("POST", INSTRUCTOR, f"formgrader/api/assignment/{UNIT}/collect")
    assert collected.status_code == 200 and collected.json().get("success"), collected.text
    timings["collect (formgrader)"] = time.monotonic() - mark

    mark = time.monotonic()
    # as the instructor, from their own account: the jail's unprivileged mode
    graded = _run([SERVER_BIN / "crm-course", "grade", UNIT, "--jobs", "2", "--no-progress",
                   "--course", course], user=INSTRUCTOR, env=user_env, cwd="/")
    facts["grade output"] = graded.stdout
    timings["crm-course grade --jobs 2"] = time.monotonic() - mark
    return facts


def test_each_submission_is_filed_under_its_trainees_own_account(hub_run):
    """Every inbound submission is named after, and owned by, the trainee who submitted it."""
    owners = {}
    for name, path in hub_run["inbound"].items():
        student = name.split("+")[0]
        owners[student] = pwd.getpwuid(path.stat().st_uid).pw_name
    assert owners == {t: t for t in TRAINEES}
    submitted = hub_run["course"] / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == sorted(TRAINEES)


def test_a_trainee_cannot_read_another_trainees_submission(hub_run):
    """t2 can neither list inbound nor open t1's submission; the instructor can read it."""
    t1, t2 = list(TRAINEES)
    inbound = hub_run["exchange"] / COURSE_ID / "inbound"
    theirs = next(p for n, p in hub_run["inbound"].items() if n.startswith(t1 + "+"))
    notebook = theirs / "fixture1.ipynb"
    listing = _run(["ls", inbound], user=t2, check=False)
    assert listing.returncode != 0 and "Permission denied" in listing.stderr
    peek = _run(["cat", notebook], user=t2, check=False)
    assert peek.returncode != 0 and "Permission denied" in peek.stderr
    assert stat.S_IMODE(notebook.stat().st_mode) == 0o640
    assert _run(["head", "-c", "1", notebook], user=INSTRUCTOR).stdout == "{"


def test_instructor_has_formgrader_and_trainees_the_assignment_list(hub_run):
    """Formgrader answers on the instructor's server only; each trainee lists the released unit."""
    assert hub_run["instructor formgrader"] == 200
    assert hub_run["trainee formgrader"] == 404
    assert all(UNIT in units for units in hub_run["listed"].values())


def test_grading_fills_the_gradebook_under_the_trainees_names(hub_run):
    """`crm-course grade --jobs 2` gives each trainee exactly their answers' scores."""
    from autograders.course import Course
    from autograders.gradebook import read_scores

    assert "statuses: graded=2" in hub_run["grade output"]
    scores = {t: {g: v["score"] for g, v in cells.items() if g in EXPECTED["full"]}
              for t, cells in read_scores(Course(hub_run["course"]), UNIT).items()}
    assert scores == {t: EXPECTED[profile] for t, profile in TRAINEES.items()}
    print("\nhub test stages (s): " + ", ".join(f"{k} {v:.1f}"
                                              for k, v in hub_run["timings"].items()))


def test_a_trainee_cannot_open_another_trainees_home_or_the_course(hub_run):
    """t2 cannot list t1's home (work in progress) nor the instructor's course folder."""
    t1, t2 = list(TRAINEES)
    for folder in (Path(pwd.getpwnam(t1).pw_dir), hub_run["course"]):
        peek = _run(["ls", folder], user=t2, check=False)
        assert peek.returncode != 0 and "Permission denied" in peek.stderr, folder
