"""End to end on the fixture unit with the real sandbox: release, submit, grade, report.

Kernel-running, so marked slow and kept to one module-scoped grading run (plus one small
serial run to compare against).
"""

from __future__ import annotations

import copy
import csv
import json

import pytest
from grading_helpers import SECRET, UNIT, clone_course, copy_fixture_course, set_manual

from autograders.checks import hidden_seed
from autograders.demo import make_submission, place_submission, submit_cohort, unit_variants
from autograders.feedback import write_feedback
from autograders.gradebook import read_scores
from autograders.grading import grade
from autograders.journal import StatusStore
from autograders.pool import DEFAULT_WORKER_MEMORY_MB
from autograders.release import release_unit
from autograders.reports.build import collect_unit, write_reports

pytestmark = pytest.mark.slow

EXPECTED = {
    "good": {"mean_test": 2.0, "squares_test": 3.0, "filter_test": 2.0},
    "partial": {"mean_test": 2.0, "squares_test": 1.5, "filter_test": 1.0},
    "wrong": {"mean_test": 0.0, "squares_test": 0.0, "filter_test": 0.0},
}


def _cell(nb, gid):
    return next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id")
                == gid)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Release FIXTURE1, submit good/partial/wrong and three tampered notebooks, grade."""
    course = copy_fixture_course(tmp_path_factory.mktemp("e2e") / "course")
    release_unit(course, UNIT)
    variants = unit_variants(course, UNIT)
    submit_cohort(course, UNIT, {"good": "full", "partial": "partial", "wrong": "wrong"},
                  variants)
    pristine = copy.deepcopy(course)
    source = json.loads((course.unit_dir(UNIT) / "fixture1.ipynb").read_text())
    released = json.loads((course.release_dir / UNIT / "fixture1.ipynb").read_text())
    full = make_submission(released, source)
    edited = copy.deepcopy(full)
    _cell(edited, "mean_test")["source"] = "submit('mean_test', 4.5)"
    place_submission(course, "edited", UNIT, "fixture1", edited)
    deleted = copy.deepcopy(full)
    deleted["cells"].remove(_cell(deleted, "filter_test"))
    place_submission(course, "deleted", UNIT, "fixture1", deleted)
    renamed = copy.deepcopy(full)
    _cell(renamed, "squares_test")["metadata"]["nbgrader"]["grade_id"] = "squares_test_x"
    place_submission(course, "renamed", UNIT, "fixture1", renamed)
    summary = grade(course, UNIT, jobs=2, secret=SECRET, progress=False)
    return course, summary, pristine


def _auto(course):
    return {t: {g: v["score"] for g, v in cells.items() if g != "written_reflection"}
            for t, cells in read_scores(course, UNIT).items()}


def test_exact_scores_in_gradebook(run):
    """Good, partial and wrong submissions earn exactly the designed marks."""
    course, summary, _ = run
    assert summary.statuses == {"graded": 6}
    scores = _auto(course)
    for trainee, expected in EXPECTED.items():
        assert scores[trainee] == expected, trainee


def test_real_grading_fits_in_the_worker_memory_limit(run):
    """Workers grading real kernels peak well under their default memory limit."""
    _, summary, _ = run
    assert summary.worker_memory_mb == DEFAULT_WORKER_MEMORY_MB
    assert 0 < summary.pool.peak_vm_mb < DEFAULT_WORKER_MEMORY_MB / 2
    assert (summary.pool.retried, summary.pool.culprits) == (0, 0)


def test_serial_gradebook_matches_parallel(run, tmp_path):
    """Grading the same submissions serially gives the same score for every cell."""
    course, _, _ = run
    serial = clone_course(course, tmp_path / "serial")
    grade(serial, UNIT, jobs=1, force=True, secret=SECRET, progress=False,
          trainees=list(EXPECTED))
    par, ser = _auto(course), _auto(serial)
    assert {t: par[t] for t in EXPECTED} == {t: ser[t] for t in EXPECTED}


def test_tampering_flows_to_gradebook_and_report(run):
    """Edited, deleted and renamed test cells score 0 with a message, in gradebook and report."""
    course, _, _ = run
    scores = _auto(course)
    assert scores["edited"]["mean_test"] == 0.0
    assert scores["deleted"]["filter_test"] == 0.0
    assert scores["renamed"]["squares_test"] == 0.0
    assert scores["edited"]["squares_test"] == 3.0     # the rest of the notebook still counts
    decisions = {d.trainee_id: d for d in collect_unit(course, UNIT).decisions}
    for trainee, gid in [("edited", "mean_test"), ("deleted", "filter_test"),
                         ("renamed", "squares_test")]:
        cell = next(c for crit in decisions[trainee].criteria for c in crit.cells
                    if c.grade_id == gid)
        assert cell.status in ("tampered", "deleted", "hook_detected"), (trainee, cell)
        assert cell.points == 0 and cell.message


def test_decisions_before_and_after_manual_grading(run, tmp_path):
    """Pending until the written answer is graded; then good is Competent, others NYC."""
    course, _, _ = run
    course = clone_course(course, tmp_path / "c")
    before = {d.trainee_id: d.decision for d in collect_unit(course, UNIT).decisions}
    assert before["good"] == "Not Yet Competent (pending: manual grade of written_reflection)"
    for trainee, pts in [("good", 2.0), ("partial", 0.0), ("wrong", 0.0)]:
        set_manual(course, trainee, "written_reflection", pts)
    after = {d.trainee_id: d for d in collect_unit(course, UNIT).decisions}
    assert after["good"].decision == "Competent"
    assert [c.verdict for c in after["partial"].criteria] == ["Competent", "Not Yet Competent"]
    assert after["partial"].decision == "Not Yet Competent"
    assert after["wrong"].decision == "Not Yet Competent"
    assert after["good"].world_seed is not None


def test_reports_written(run, tmp_path):
    """Cohort HTML with chart, per-trainee records with sign-off, CSVs and exports."""
    course, _, _ = run
    course = clone_course(course, tmp_path / "c")
    files = write_reports(course)
    html = files.cohort_html.read_text()
    assert "data:image/png;base64," in html and "Item analysis" in html
    record = (course.reports_dir / UNIT / "good.html").read_text()
    assert "Assessor&#39;s sign-off" in record or "Assessor's sign-off" in record
    assert "Hidden sizes correct" in record            # evaluator evidence, in words
    with files.competency_csv.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2 * 6
    assert (course.reports_dir / "moodle-grades.csv").exists()
    assert (course.reports_dir / "canvas-grades.csv").exists()


def test_feedback_hides_hidden_tests_and_seeds(run, tmp_path):
    """Feedback shows what to fix but no hidden-test source, secret or hidden seed."""
    course, _, _ = run
    course = clone_course(course, tmp_path / "c")
    files = write_feedback(course, UNIT, secret=SECRET)
    assert {f.trainee_id for f in files} == set(EXPECTED) | {"edited", "deleted", "renamed"}
    source = (course.unit_dir(UNIT) / "fixture1.ipynb").read_text()
    assert "FIXTURE1-HIDDEN-MARKER" in source            # the needle exists in the source
    for f in files:
        page = f.path.read_text()
        assert "FIXTURE1-HIDDEN-MARKER" not in page
        assert "assert squares(0) == []" not in page
        assert SECRET not in page
        assert str(hidden_seed(SECRET, f.trainee_id, UNIT)) not in page
    partial = next(f for f in files if f.trainee_id == "partial").path.read_text()
    assert "use &gt;= rather than &gt;" in partial


def test_status_rows_record_world_seed(run):
    """Every graded submission records its world seed and a graded status."""
    course, _, _ = run
    with StatusStore(course.status_db_path) as store:
        rows = store.statuses(UNIT)
    assert len(rows) == 6 and all(r["status"] == "graded" for r in rows)
