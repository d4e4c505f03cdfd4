"""Helpers shared by the grading-pipeline tests: a released fixture course, a fake grader.

`fake_grade_notebook` has `grade_notebook`'s signature but runs no kernel: it scores each
graded cell from a hash of the submission's solution cells, so orchestration tests
(parallel vs serial, resume, journal) run in well under a second per submission while
still producing deterministic, submission-dependent scores. ``FAKE_GRADER_HOSTILE``
("T02:kill,T04:hog") makes it behave like an evaluator attacked by that trainee's
submission: kill its worker, exit, allocate past the worker's memory limit, raise, hang.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import time
from pathlib import Path

from autograders.course import Course
from autograders.results import CellResult, SubmissionResult

FIXTURE_COURSE = Path(__file__).parent / "fixtures" / "course"
SECRET = "test-secret-0123456789abcdef"
UNIT = "FIXTURE1"
FAKE = "grading_helpers:fake_grade_notebook"


def copy_fixture_course(dest: Path) -> Course:
    """A fresh copy of the fixture course (never the repository's course/)."""
    shutil.copytree(FIXTURE_COURSE, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return Course(dest.resolve())


def clone_course(src: Course, dest: Path) -> Course:
    """Copy a course with its generated areas (release, gradebook...)."""
    shutil.copytree(src.root, dest, symlinks=True)
    return Course(dest.resolve())


def fake_grade_notebook(source_nb, submission, *, unit, trainee_id, secret, evaluators,
                        support_files=(), limits=None, slot=0) -> SubmissionResult:
    """Score graded cells from a hash of the submission (no kernel); logs each call."""
    started = time.time()
    log = os.environ.get("FAKE_GRADER_LOG")
    if log:
        with open(log, "a") as fh:
            fh.write(f"{trainee_id} {Path(source_nb).stem} {slot}\n")
    if os.environ.get("FAKE_GRADER_INTERRUPT") == trainee_id:   # Ctrl-C of the grader
        os.kill(int(os.environ.get("FAKE_GRADER_INTERRUPT_PID", os.getpid())), signal.SIGINT)
        time.sleep(5)
    _hostile(trainee_id)
    tamper = os.environ.get("FAKE_GRADER_TAMPER")       # "<trainee>:<gradebook path>"
    if tamper and tamper.split(":", 1)[0] == trainee_id:
        with sqlite3.connect(tamper.split(":", 1)[1]) as db:
            db.execute("UPDATE grade SET manual_score = 99")
    time.sleep(float(os.environ.get("FAKE_GRADER_SLEEP", "0")))
    name = Path(source_nb).stem
    if submission is None or not Path(submission).exists():
        return SubmissionResult(trainee_id, unit, name, "missing", reason="no submission")
    src = json.loads(Path(source_nb).read_text())
    sub = json.loads(Path(submission).read_text())
    answers = "".join("".join(c["source"]) for c in sub["cells"]
                      if c.get("metadata", {}).get("nbgrader", {}).get("solution"))
    cells = []
    for cell in src["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade"):
            continue
        gid, pts = meta["grade_id"], float(meta["points"])
        if meta.get("solution"):
            cells.append(CellResult(gid, name, pts, 0.0, "manual", "waits for a grade"))
            continue
        h = hashlib.sha256(f"{trainee_id}|{gid}|{answers}".encode()).digest()[0] % 3
        frac = h / 2
        status = ("failed", "partial", "passed")[h]
        cells.append(CellResult(gid, name, pts, pts * frac, status, f"fake verdict {h}"))
    spans = os.environ.get("FAKE_GRADER_SPANS")
    if spans:
        with open(spans, "a") as fh:
            fh.write(f"{trainee_id} {started} {time.time()}\n")
    return SubmissionResult(trainee_id, unit, name, "graded", cells=cells, world_seed=7)


def _hostile(trainee_id: str) -> None:
    """Do what ``FAKE_GRADER_HOSTILE`` says for this trainee, as an attacked evaluator."""
    actions = dict(item.split(":", 1) for item in
                   os.environ.get("FAKE_GRADER_HOSTILE", "").split(",") if ":" in item)
    action = actions.get(trainee_id)
    if action == "kill":                       # the OOM killer, a segfault
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "exit":                     # os._exit inside an evaluator
        os._exit(3)
    elif action == "kill_once":                # dies the first time only (innocent bystander)
        mark = Path(os.environ["FAKE_GRADER_MARKS"]) / trainee_id
        if not mark.exists():
            mark.write_text("died once")
            os.kill(os.getpid(), signal.SIGKILL)
    elif action == "hog":                      # a query that grows the worker past its limit
        blob = bytearray(int(os.environ.get("FAKE_GRADER_HOG_MB", "2048")) * 1024 * 1024)
        del blob                               # reached only when no limit stopped it
    elif action == "raise":
        raise RuntimeError("evaluator bug on this submission")
    elif action == "hang":
        time.sleep(3600)


def set_manual(course: Course, trainee: str, grade_id: str, score: float,
               notebook: str = "fixture1", unit: str = UNIT) -> None:
    """Give a manual grade, as an instructor does in formgrader."""
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url, "") as gb:
        grade = gb.find_grade(grade_id, notebook, unit, trainee)
        grade.manual_score = score
        grade.needs_manual_grade = False
        gb.db.commit()


# A cohort of six over the fixture unit's three answer profiles (each twice), for tests
# that compare gradebooks across ways of grading (serial, parallel, remote).
COHORT_PROFILES = {f"T{i:02d}": p for i, p in
                   enumerate(["full", "partial", "wrong", "full", "partial", "wrong"], 1)}


def submitted_cohort(dest: Path) -> Course:
    """A fresh fixture course at `dest`, released, with COHORT_PROFILES' submissions."""
    from autograders.demo import submit_cohort, unit_variants
    from autograders.release import release_unit

    course = copy_fixture_course(dest)
    release_unit(course, UNIT)
    submit_cohort(course, UNIT, COHORT_PROFILES, unit_variants(course, UNIT))
    return course


def gradebook_scores(course: Course) -> dict[str, dict[str, float]]:
    """The fixture unit's scores in the gradebook: trainee -> grade_id -> score."""
    from autograders.gradebook import read_scores

    return {t: {g: v["score"] for g, v in cells.items()}
            for t, cells in read_scores(course, UNIT).items()}
