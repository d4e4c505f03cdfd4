"""grade_notebook end to end on the FIXTURE1 unit: exact marks, statuses and feedback."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from sandbox_slots import leased_slot

from autograders.checks import load_evaluators
from autograders.sandbox import Limits, grade_notebook
from autograders.sandbox.prepare import read_source, released_notebook

FIXTURE_DIR = Path(__file__).parent / "fixtures" / "course" / "units" / "FIXTURE1"
SOURCE = FIXTURE_DIR / "fixture1.ipynb"
LIMITS = Limits(memory_mb=1536, cell_timeout_s=10, notebook_timeout_s=60)
SLOT = leased_slot()   # leased machine-wide: no other test run shares its uid


def _submission(answers: dict[str, str] | None = None) -> dict:
    """The released notebook with the source's solutions filled in, then `answers` applied."""
    source = read_source(SOURCE)
    released = json.loads(nbformat.writes(released_notebook(source)))
    for s_cell, r_cell in zip(source.cells, released["cells"], strict=True):
        nbg = s_cell.metadata.get("nbgrader", {})
        if nbg.get("solution"):
            lines = [ln for ln in s_cell.source.splitlines() if "SOLUTION" not in ln]
            r_cell["source"] = "\n".join(lines)
            if (answers or {}).get(nbg["grade_id"]) is not None:
                r_cell["source"] = answers[nbg["grade_id"]]
    return released


@pytest.fixture(scope="module")
def evaluators():
    """The fixture unit's evaluators, loaded by file path."""
    return load_evaluators("FIXTURE1", None, base_dir=FIXTURE_DIR)


@pytest.fixture(scope="module")
def variants(evaluators):
    """The fixture's partial/wrong answer sets (H4's VARIANTS)."""
    return sys.modules[evaluators["mean_test"].__module__].VARIANTS


def _grade(tmp_path, nb, evaluators, **kw):
    path = tmp_path / "sub.ipynb"
    path.write_text(json.dumps(nb))
    return grade_notebook(SOURCE, path, unit="FIXTURE1", trainee_id="T042", secret="s3cret",
                          evaluators=evaluators, limits=LIMITS, slot=SLOT, **kw)


def _points(result) -> dict[str, tuple[str, float]]:
    return {c.grade_id: (c.status, c.points) for c in result.cells}


@pytest.mark.slow
def test_full_solution_earns_full_marks(tmp_path, evaluators):
    """The model answers score every point; the written answer waits for manual grading."""
    result = _grade(tmp_path, _submission(), evaluators)
    assert result.status == "graded", result.reason
    assert _points(result) == {"mean_test": ("passed", 2.0), "squares_test": ("passed", 3.0),
                               "filter_test": ("passed", 2.0),
                               "written_reflection": ("manual", 0.0)}
    manual = next(c for c in result.cells if c.status == "manual")
    assert "PDPO" in manual.evidence["answer"]
    fb = json.dumps(result.executed_notebook)
    assert "FIXTURE1-HIDDEN-MARKER" not in fb and "[passed] 3/3 points" in fb
    nbformat.validate(nbformat.from_dict(result.executed_notebook))   # renders with nbconvert


@pytest.mark.slow
def test_partial_solution_earns_exact_partial_marks(tmp_path, evaluators, variants):
    """Partial answers: squares right on 2 of 4 sizes (1.5), filter boundary missed (1.0)."""
    result = _grade(tmp_path, _submission(variants["partial"]), evaluators)
    assert result.status == "graded", result.reason
    got = _points(result)
    assert got["mean_test"] == ("passed", 2.0)
    assert got["squares_test"] == ("partial", 1.5)
    assert got["filter_test"] == ("partial", 1.0)
    assert result.points == 4.5


@pytest.mark.slow
def test_wrong_solution_scores_zero_with_messages(tmp_path, evaluators, variants):
    """Wrong answers score 0 with a message saying what to fix."""
    result = _grade(tmp_path, _submission(variants["wrong"]), evaluators)
    got = _points(result)
    assert got["mean_test"] == ("failed", 0.0) and got["filter_test"] == ("failed", 0.0)
    assert got["squares_test"] == ("failed", 0.0)
    mean = next(c for c in result.cells if c.grade_id == "mean_test")
    assert "divide" in mean.message


@pytest.mark.slow
def test_missing_evaluator_and_raising_evaluator(tmp_path, evaluators):
    """No evaluator -> 'error' (authoring bug); a raising evaluator -> 'failed', logged."""
    def boom(artifact, ctx):
        raise RuntimeError("secret-answer-42 leaked?")

    evs = {"mean_test": boom, "filter_test": evaluators["filter_test"]}
    result = _grade(tmp_path, _submission(), evs)
    cells = {c.grade_id: c for c in result.cells}
    assert cells["squares_test"].status == "error" and cells["squares_test"].points == 0
    assert cells["mean_test"].status == "failed"
    assert "secret-answer-42" not in cells["mean_test"].message
    assert "secret-answer-42" in cells["mean_test"].evidence["evaluator_error"]
    assert cells["filter_test"].status == "passed"


def test_missing_submission_is_missing(evaluators):
    """No file at all -> status missing, no cells, no exception."""
    result = grade_notebook(SOURCE, None, unit="FIXTURE1", trainee_id="T1", secret="s",
                            evaluators=evaluators, limits=LIMITS, slot=SLOT)
    assert result.status == "missing" and result.cells == []
    assert result.to_dict()["status"] == "missing"


def test_artifact_reader_refuses_symlinks_junk_and_oversize(tmp_path):
    """Artefacts must be regular files, JSON without NaN, under the cap, no symlinks."""
    from autograders.sandbox.grade import _read_artifacts
    from autograders.sandbox.prepare import Prepared, TestCell

    secret = tmp_path / "secret.json"
    secret.write_text('{"grade_id": "a", "nonce": "n", "value": 1}')
    art = tmp_path / "artifacts"
    art.mkdir()
    (art / "a.json").symlink_to(secret)
    (art / "b.json").write_text('{"grade_id": "b", "nonce": "n", "value": NaN}')
    (art / "c.json").mkdir()
    (art / "d.json").write_text('{"grade_id": "d", "nonce": "n", "value": [1, 2]}')
    with open(art / "e.json", "wb") as fh:
        fh.truncate(50_000_000)               # sparse, but over the size cap
    tests = {g: TestCell(g, 1.0, "") for g in "abcde"}
    found = _read_artifacts(art, Prepared(notebook={}, tests=tests, manual=[]))
    assert "a" not in found                   # symlink never followed
    assert found["b"] == {"__bad__": "the answer file is not valid JSON"}
    assert "__bad__" in found["c"] and "__bad__" in found["e"]
    assert found["d"] == {"grade_id": "d", "nonce": "n", "value": [1, 2]}
    link = tmp_path / "artifacts_link"
    link.symlink_to(art)
    assert _read_artifacts(link, Prepared(notebook={}, tests=tests, manual=[])) == {}


def test_support_files_keep_their_layout(tmp_path):
    """Support files land below the workspace as they sat below their common directory."""
    from autograders.sandbox.ahead import support_layout as _support_layout

    (tmp_path / "rel" / "data").mkdir(parents=True)
    (tmp_path / "rel" / "data" / "x.csv").write_text("a\n")
    (tmp_path / "rel" / "helpers.py").write_text("")
    layout = _support_layout([tmp_path / "rel" / "data" / "x.csv", tmp_path / "rel" / "helpers.py",
                              tmp_path / "rel" / "gone.txt"])
    assert [str(rel) for _, rel in layout] == ["data/x.csv", "helpers.py"]
    assert _support_layout([]) == []


@pytest.mark.slow
def test_cells_before_a_timeout_keep_their_scores(tmp_path, evaluators):
    """A loop after the first test: that test keeps its 2 points, later tests are not_run."""
    nb = _submission()
    at = next(i for i, c in enumerate(nb["cells"])
              if c["metadata"].get("nbgrader", {}).get("grade_id") == "mean_test")
    nb["cells"].insert(at + 1, {"cell_type": "code", "metadata": {}, "outputs": [],
                                "execution_count": None, "source": "while True:\n    pass"})
    path = tmp_path / "sub.ipynb"
    path.write_text(json.dumps(nb))
    result = grade_notebook(SOURCE, path, unit="FIXTURE1", trainee_id="T042", secret="s",
                            evaluators=evaluators, slot=SLOT,
                            limits=Limits(memory_mb=1536, cell_timeout_s=4,
                                          notebook_timeout_s=60))
    assert result.status == "timed_out" and f"timed out in cell #{at + 2}" in result.reason
    got = _points(result)
    assert got["mean_test"] == ("passed", 2.0)
    assert got["squares_test"] == ("not_run", 0.0) and got["filter_test"] == ("not_run", 0.0)


def test_safe_outputs_keeps_known_shapes_and_redacts_nothing():
    """Submitted outputs keep their known shapes as they are: no line is singled out."""
    from autograders.sandbox.grade import _safe_outputs

    line = "assert squares(0) == [], 'hidden case'"
    outs = [{"output_type": "stream", "name": "stdout", "text": f"x\n{line}\n"},
            {"output_type": "stream", "name": "stdout", "text": "fine"},
            {"output_type": "bogus"}, "junk"]
    kept = _safe_outputs(outs)
    assert kept == outs[:2]
    assert _safe_outputs(None) == []


@pytest.mark.slow
def test_grading_kernel_uses_unix_sockets_and_no_debugger(tmp_path, evaluators):
    """The kernel talks over ipc sockets in the workspace and starts without debugpy.

    TCP: two kernels starting at once used to pick the same free port now and then, and
    one died before replying to kernel_info (a failed CI run). debugpy: a quarter of
    ipykernel's start-up, never used in grading. The notebook's folder stays importable.
    """
    nb = _submission()
    nb["cells"].insert(0, {"cell_type": "code", "metadata": {}, "outputs": [],
                           "execution_count": None, "source": (
        "import json, os, sys\nfrom ipykernel.connect import get_connection_info\n"
        "_info = json.loads(get_connection_info())\n"
        "print('TRANSPORT', _info['transport'], os.path.exists(_info['ip'] + '-' + "
        "str(_info['shell_port'])))\n"
        "print('DEBUGPY', 'debugpy' in sys.modules and sys.modules['debugpy'] is None)\n"
        "print('CWD', '' in sys.path or os.getcwd() in sys.path)")})
    result = _grade(tmp_path, nb, evaluators)
    printed = "".join(o.get("text", "") for o in result.grading_outputs[0]["outputs"])
    assert "TRANSPORT ipc True" in printed
    assert "DEBUGPY True" in printed and "CWD True" in printed
    assert result.status == "graded"


def _executed(*enames: str | None) -> list[dict]:
    """Executed cells as the sandbox reports them: an error output per given exception name."""
    return [{"outputs": [] if e is None else [{"output_type": "error", "ename": e}]}
            for e in enames]


def test_unanswered_cell_before_a_test_is_told_as_not_answered():
    """A released answer cell run unchanged before test cell 3 makes its feedback 'not answered'."""
    from types import SimpleNamespace

    from autograders.sandbox.grade import _left_unanswered

    prepared = SimpleNamespace(tests={"a_test": SimpleNamespace(exec_index=1),
                                      "b_test": SimpleNamespace(exec_index=3)})
    cells = _executed(None, "NameError", "NotAnsweredYet", "NameError")
    assert _left_unanswered(cells, 3, prepared)
    # the answer cell belongs to the next test only: the earlier test stopped for its own reason
    assert not _left_unanswered(cells, 1, prepared)
    assert not _left_unanswered(_executed(None, None, "ValueError", "NameError"), 3, prepared)
