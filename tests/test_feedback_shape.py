"""Feedback reveals nothing by its shape: own submitted outputs only, verdicts, capped text.

Graded end to end on the FIXTURE1 unit (a kernel per submission, a few seconds each).
"""

from __future__ import annotations

import base64
import json
import shutil
import sqlite3
from pathlib import Path

import nbformat
import pytest
from grading_helpers import SECRET, UNIT, copy_fixture_course
from sandbox_slots import leased_slot

from autograders.checks import load_evaluators
from autograders.feedback import sanitise, secret_needles, write_feedback
from autograders.journal import StatusStore
from autograders.release import release_unit
from autograders.sandbox import Limits, grade_notebook
from autograders.sandbox.prepare import read_source, released_notebook

pytestmark = pytest.mark.slow

FIXTURE_DIR = Path(__file__).parent / "fixtures" / "course" / "units" / "FIXTURE1"
SOURCE = FIXTURE_DIR / "fixture1.ipynb"
LIMITS = Limits(memory_mb=1536, cell_timeout_s=10, notebook_timeout_s=60)
SLOT = leased_slot()   # leased machine-wide: no other test run shares its uid
OPTIONS = ("a", "b", "c", "d")


def _submission(answers: dict[str, str] | None = None) -> dict:
    """The released notebook with the source's solutions filled in, then `answers` applied."""
    source = read_source(SOURCE)
    released = json.loads(nbformat.writes(released_notebook(source)))
    for s_cell, r_cell in zip(source.cells, released["cells"], strict=True):
        nbg = s_cell.metadata.get("nbgrader", {})
        if nbg.get("solution"):
            r_cell["source"] = "\n".join(ln for ln in s_cell.source.splitlines()
                                         if "SOLUTION" not in ln)
            if (answers or {}).get(nbg["grade_id"]) is not None:
                r_cell["source"] = answers[nbg["grade_id"]]
    return released


@pytest.fixture(scope="module")
def evaluators():
    """The fixture unit's evaluators."""
    return load_evaluators(UNIT, base_dir=FIXTURE_DIR)


def _code(source: str, outputs: list | None = None) -> dict:
    return {"cell_type": "code", "metadata": {}, "execution_count": None,
            "outputs": outputs or [], "source": source}


def _grade(tmp_path, nb, evaluators, source=SOURCE, trainee="T042"):
    path = tmp_path / f"sub-{trainee}.ipynb"
    path.write_text(json.dumps(nb))
    return grade_notebook(source, path, unit=UNIT, trainee_id=trainee, secret=SECRET,
                          evaluators=evaluators, limits=LIMITS, slot=SLOT)


def _source_with_key(tmp_path, option: str):
    """The fixture source whose mean_impl solution also sets a multiple-choice key."""
    nb = json.loads(SOURCE.read_text())
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "mean_impl":
            cell["source"] = ("### BEGIN SOLUTION\n"
                              f'answer_k6 = "{option}"\n'
                              "mean_value = sum(VALUES) / len(VALUES)\n"
                              "### END SOLUTION")
    path = tmp_path / option / "fixture1.ipynb"
    path.parent.mkdir()
    path.write_text(json.dumps(nb))
    return path


def test_printing_every_option_gives_the_same_feedback_whatever_the_key(tmp_path, evaluators):
    """Four cells print answer_k6 = "a" ... "d": the feedback is byte-identical per key."""
    nb = _submission({"mean_impl": "mean_value = 0"})
    for i, option in enumerate(OPTIONS):
        nb["cells"].insert(1 + i, _code(f'print(\'answer_k6 = "{option}"\')'))
    pages = []
    for option in ("a", "d"):
        result = _grade(tmp_path, nb, evaluators, source=_source_with_key(tmp_path, option))
        assert result.status == "graded"
        printed = json.dumps(result.grading_outputs)
        assert all(f'answer_k6 = \\"{o}\\"' in printed for o in OPTIONS)   # they did run
        safe = sanitise(result.executed_notebook, {"cells": []},
                        secret_needles(SECRET, "T042", UNIT))
        pages.append(json.dumps(safe, sort_keys=True))
    assert pages[0] == pages[1]
    assert "answer_k6" in pages[0] and "removed" not in pages[0]


def test_grading_time_prints_never_reach_the_feedback(tmp_path, evaluators):
    """A cell printing data at grading time shows only the output the trainee submitted."""
    blob = base64.b64encode(b"other trainee: 52/52 competent seed 1234").decode()
    nb = _submission()
    nb["cells"].insert(1, _code(
        "import base64\n"
        "print('EXFIL', base64.b64encode(b'other trainee: 52/52 competent seed 1234')"
        ".decode())\n"
        "raise RuntimeError('EXFIL-ERR ' + str(123 * 7))",
        outputs=[{"output_type": "stream", "name": "stdout", "text": "what I saw at home\n"}]))
    result = _grade(tmp_path, nb, evaluators)
    assert blob in json.dumps(result.grading_outputs)                  # it printed, then
    page = json.dumps(result.executed_notebook)
    outputs = json.dumps([c.get("outputs") for c in result.executed_notebook["cells"]])
    assert blob not in page and "861" not in page and "EXFIL" not in outputs
    assert "what I saw at home" in outputs                             # own output kept
    assert {c.grade_id: c.status for c in result.cells}["mean_test"] == "passed"


def test_a_5mb_answer_is_capped_in_the_database_and_the_feedback_page(tmp_path, evaluators):
    """A 5 MB answer echoed by an evaluator stays a few kB in the status DB and the page."""
    course = copy_fixture_course(tmp_path / "course")
    release_unit(course, UNIT)
    nb = _submission({"filter_impl": "def high_value(customers, threshold):\n"
                                     "    return ['z' * 5_000_000]"})
    result = _grade(tmp_path, nb, evaluators, source=course.unit_dir(UNIT) / "fixture1.ipynb",
                    trainee="T7")
    cell = next(c for c in result.cells if c.grade_id == "filter_test")
    assert cell.status == "failed" and "zzz" in cell.message
    assert len(cell.message) <= 2000 and len(json.dumps(cell.evidence)) < 2000
    out = course.autograded_dir / "T7" / UNIT / "fixture1.ipynb"
    out.parent.mkdir(parents=True)
    out.write_text(json.dumps(result.executed_notebook))
    with StatusStore(course.status_db_path) as store:
        store.record(result, checksum="x", run_id="r")
    with sqlite3.connect(course.status_db_path) as db:
        biggest = db.execute("SELECT MAX(LENGTH(result_json)) FROM grading_status").fetchone()[0]
    assert biggest < 50_000
    (page,) = write_feedback(course, UNIT, secret=SECRET, trainee="T7")
    assert page.path.stat().st_size < 1_000_000
    shutil.rmtree(course.root)
