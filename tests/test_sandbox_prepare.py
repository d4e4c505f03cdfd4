"""Reading submissions defensively and checking integrity against the trusted source."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import nbformat
import pytest

from autograders.sandbox.limits import Limits
from autograders.sandbox.prepare import (
    SubmissionProblem,
    insert_nonce,
    prepare,
    read_source,
    read_submission,
    released_notebook,
)

FIXTURE = Path(__file__).parent / "fixtures" / "course" / "units" / "FIXTURE1" / "fixture1.ipynb"


@pytest.fixture(scope="module")
def source():
    """The trusted fixture source notebook."""
    return read_source(FIXTURE)


@pytest.fixture()
def released(source):
    """What trainees were given (solutions and hidden tests stripped)."""
    return json.loads(nbformat.writes(released_notebook(source)))


def _write(tmp_path: Path, nb: dict | str, name: str = "sub.ipynb") -> Path:
    path = tmp_path / name
    path.write_text(nb if isinstance(nb, str) else json.dumps(nb))
    return path


def _prepare(source, tmp_path, nb):
    sub, notes = read_submission(_write(tmp_path, nb), Limits())
    return prepare(source, sub)


def _cell(nb: dict, gid: str) -> dict:
    return next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == gid)


def test_released_view_strips_solutions_and_hidden_tests(source):
    """The released view has no solution body and no hidden-test region."""
    text = nbformat.writes(released_notebook(source))
    assert "FIXTURE1-HIDDEN-MARKER" not in text
    assert "sum(VALUES) / len(VALUES)" not in text
    assert "not_answered_yet()" in text and "NotImplementedError" not in text


@pytest.mark.parametrize("content,reason", [
    ("", "empty"),
    ("{not json", "not valid notebook JSON"),
    ("[1, 2]", "not a Jupyter notebook"),
    ('{"nbformat": 9, "cells": []}', "nbformat 9"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": 5}', "no list of cells"),
    ("\udcff", None),
])
def test_bad_files_are_invalid_notebooks(tmp_path, content, reason):
    """Empty, non-JSON, non-notebook and unsupported files get invalid_notebook + reason."""
    path = tmp_path / "x.ipynb"
    if content == "\udcff":
        path.write_bytes(b"\xff\xfe\x00garbage")
        reason = "not text"
    else:
        path.write_text(content)
    with pytest.raises(SubmissionProblem) as info:
        read_submission(path, Limits())
    assert info.value.status == "invalid_notebook" and reason in info.value.reason


def test_missing_and_oversized(tmp_path):
    """No file -> missing; a file over the size cap is refused before parsing."""
    with pytest.raises(SubmissionProblem) as info:
        read_submission(tmp_path / "nope.ipynb", Limits())
    assert info.value.status == "missing"
    big = tmp_path / "big.ipynb"
    big.write_text(" " * 2000)
    with pytest.raises(SubmissionProblem) as info:
        read_submission(big, Limits(submission_bytes=1000))
    assert info.value.status == "invalid_notebook" and "2,000 bytes" in info.value.reason


def test_symlink_and_fifo_submissions_are_refused(tmp_path):
    """A symlink (e.g. to the instructor's source) or a FIFO is never read as a notebook."""
    link = tmp_path / "link.ipynb"
    link.symlink_to(FIXTURE)
    with pytest.raises(SubmissionProblem, match="symbolic link"):
        read_submission(link, Limits())
    fifo = tmp_path / "fifo.ipynb"
    os.mkfifo(fifo)
    with pytest.raises(SubmissionProblem, match="not a regular file"):
        read_submission(fifo, Limits())


def test_nbformat3_is_upgraded(tmp_path, released):
    """An nbformat 3 notebook is upgraded to 4 and the upgrade is noted."""
    from autograders.hostile import _downgrade

    nb, notes = read_submission(_write(tmp_path, _downgrade(released)), Limits())
    assert nb.nbformat == 4 and any("nbformat 3" in n for n in notes)
    assert any(c.metadata.get("nbgrader", {}).get("grade_id") == "mean_test" for c in nb.cells)


def test_outputs_and_foreign_metadata_are_dropped(tmp_path, released):
    """Submitted outputs/attachments never reach execution; foreign metadata is gone."""
    nb = copy.deepcopy(released)
    cell = _cell(nb, "mean_test")
    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "FORGED"}]
    cell["metadata"]["evil"] = "x" * 10
    sub, _ = read_submission(_write(tmp_path, nb), Limits())
    assert "evil" not in json.dumps(sub)
    assert all(c.get("outputs", []) == [] for c in sub.cells)
    p = prepare(read_source(FIXTURE), sub)
    assert "FORGED" not in json.dumps(p.notebook)


def test_own_outputs_kept_apart_for_feedback_only(tmp_path, released):
    """A trainee cell's submitted outputs are kept (inert, capped) beside the run, not in it."""
    nb = copy.deepcopy(released)
    cell = _cell(nb, "mean_impl")
    cell["outputs"] = [
        {"output_type": "stream", "name": "stdout", "text": "MINE " + "y" * 50_000},
        {"output_type": "display_data", "metadata": {},
         "data": {"text/html": "<script>x</script>", "text/plain": "plain"}},
        {"output_type": "display_data", "metadata": {}, "data": {"text/html": "<b>only</b>"}},
        {"output_type": "weird"}]
    sub, _ = read_submission(_write(tmp_path, nb), Limits())
    p = prepare(read_source(FIXTURE), sub)
    index = p.labels.index("mean_impl")
    own = p.submitted_outputs[index]
    assert [o["output_type"] for o in own] == ["stream", "display_data"]
    assert own[0]["text"].startswith("MINE") and len(own[0]["text"]) == 20_000
    assert own[1]["data"] == {"text/plain": "plain"}
    assert "MINE" not in json.dumps(p.notebook)


def test_clean_submission_restores_hidden_tests_with_nonces(source, tmp_path, released):
    """An untouched release: no problems; test cells run from the source with nonces."""
    p = _prepare(source, tmp_path, released)
    assert all(t.problem is None and t.has_submit for t in p.tests.values())
    run = p.notebook["cells"][p.tests["squares_test"].exec_index]["source"]
    assert "FIXTURE1-HIDDEN-MARKER" in run
    nonce = p.tests["squares_test"].nonce
    assert f'submit("squares_test", squares, nonce="{nonce}")' in run
    others = json.dumps([c for i, c in enumerate(p.notebook["cells"])
                         if i != p.tests["squares_test"].exec_index])
    assert nonce not in others
    assert len({t.nonce for t in p.tests.values()}) == 3
    assert [m.grade_id for m in p.manual] == ["written_reflection"]


def test_trainee_answers_and_added_cells_are_kept(source, tmp_path, released):
    """Solution cells keep the trainee's code; extra trainee cells run but are not tests."""
    nb = copy.deepcopy(released)
    _cell(nb, "mean_impl")["source"] = "mean_value = 4.5"
    nb["cells"].insert(3, {"cell_type": "code", "metadata": {}, "source": "helper = 1",
                           "outputs": [], "execution_count": None})
    p = _prepare(source, tmp_path, nb)
    sources = [c["source"] for c in p.notebook["cells"]]
    assert "mean_value = 4.5" in sources and "helper = 1" in sources
    assert p.labels[3] == "#4"


def test_edited_test_cell_is_tampered_and_restored(source, tmp_path, released):
    """Editing a test cell marks it tampered; the source version still runs."""
    nb = copy.deepcopy(released)
    _cell(nb, "filter_test")["source"] = "submit('filter_test', ['C002', 'C003'])"
    p = _prepare(source, tmp_path, nb)
    t = p.tests["filter_test"]
    assert t.problem == "tampered" and "filter_test" in t.message
    assert "high_value(CUSTOMERS, 100)" in p.notebook["cells"][t.exec_index]["source"]


def test_points_metadata_edit_is_tampering(source, tmp_path, released):
    """Raising a test cell's points in metadata is tampering (checksum covers points)."""
    nb = copy.deepcopy(released)
    _cell(nb, "mean_test")["metadata"]["nbgrader"]["points"] = 200
    assert _prepare(source, tmp_path, nb).tests["mean_test"].problem == "tampered"


def test_trailing_whitespace_is_not_tampering(source, tmp_path, released):
    """Trailing spaces/newlines in a test cell do not count as an edit."""
    nb = copy.deepcopy(released)
    cell = _cell(nb, "mean_test")
    cell["source"] = "".join(cell["source"]) + "   \n\n"
    assert _prepare(source, tmp_path, nb).tests["mean_test"].problem is None


def test_deleted_test_cell(source, tmp_path, released):
    """A deleted test cell is reported as deleted by name."""
    nb = copy.deepcopy(released)
    nb["cells"].remove(_cell(nb, "squares_test"))
    t = _prepare(source, tmp_path, nb).tests["squares_test"]
    assert t.problem == "deleted" and "squares_test" in t.message and t.exec_index is None


def test_changed_grade_id_is_tampered(source, tmp_path, released):
    """A test cell whose grade_id was renamed is found by content and marked tampered."""
    nb = copy.deepcopy(released)
    _cell(nb, "mean_test")["metadata"]["nbgrader"]["grade_id"] = "renamed"
    t = _prepare(source, tmp_path, nb).tests["mean_test"]
    assert t.problem == "tampered" and "renamed" in t.message


def test_duplicated_grade_id(source, tmp_path, released):
    """A duplicated test cell runs once; an edited copy makes it tampered."""
    nb = copy.deepcopy(released)
    dup = copy.deepcopy(_cell(nb, "mean_test"))
    nb["cells"].append(copy.deepcopy(dup))
    p = _prepare(source, tmp_path, nb)
    assert p.tests["mean_test"].problem is None and any("2 times" in n for n in p.notes)
    assert sum("mean_test" in c["source"] for c in p.notebook["cells"]) == 1
    dup["source"] = "pass"
    nb["cells"].append(dup)
    p = _prepare(source, tmp_path, nb)
    assert p.tests["mean_test"].problem == "tampered" and "duplicated" in p.tests[
        "mean_test"].message


def test_edited_locked_cell_is_restored_with_note(source, tmp_path, released):
    """An edited locked (non-graded) cell is restored from the source and noted."""
    nb = copy.deepcopy(released)
    _cell(nb, "setup")["source"] = "VALUES = [100]"
    p = _prepare(source, tmp_path, nb)
    assert any("setup" in n for n in p.notes)
    assert "VALUES = [3, 4, 5, 6]" in p.notebook["cells"][p.labels.index("setup")]["source"]


def test_notebook_of_another_unit_is_wrong_unit(source, tmp_path, released):
    """No grade_id in common with the source -> wrong_unit."""
    nb = copy.deepcopy(released)
    for i, c in enumerate(nb["cells"]):
        if "nbgrader" in c["metadata"]:
            c["metadata"]["nbgrader"]["grade_id"] = f"other_{i}"
    with pytest.raises(SubmissionProblem) as info:
        _prepare(source, tmp_path, nb)
    assert info.value.status == "wrong_unit"


@pytest.mark.parametrize("src,expected", [
    ('submit("g", x)', 'submit("g", x, nonce="N")'),
    ("submit('g', x,)", "submit('g', x, nonce=\"N\",)"),
    ('checks.submit("g",\n    x  # c\n)', 'checks.submit("g",\n    x, nonce="N"  # c\n)'),
    ('submit("g", f(a, b=1), key=2)', 'submit("g", f(a, b=1), key=2, nonce="N")'),
    ('submit("other", x)', None),
    ("%matplotlib inline\nsubmit('g', 1)", "submit('g', 1, nonce=\"N\")"),
])
def test_insert_nonce(src, expected):
    """Nonces go into submit calls for this grade_id only, even with IPython magics."""
    out, found = insert_nonce(src, "g", "N")
    if expected is None:
        assert not found and out == src
    else:
        assert found and expected in out
        compile(out, "<t>", "exec")


def test_task_cells_wait_for_manual_grading(source, tmp_path, released):
    """An nbgrader task cell becomes a manual item with its points."""
    src = copy.deepcopy(source)
    task = nbformat.v4.new_markdown_cell("Describe your call plan.")
    task.metadata["nbgrader"] = {"task": True, "grade": False, "solution": False,
                                 "locked": True, "grade_id": "plan_task", "points": 3,
                                 "schema_version": 3}
    src.cells.append(task)
    sub, _ = read_submission(_write(tmp_path, released), Limits())
    manual = {m.grade_id: m for m in prepare(src, sub).manual}
    assert manual["plan_task"].points == 3.0 and manual["plan_task"].cell_type == "task"


def test_own_outputs_are_capped_per_notebook(tmp_path, released):
    """Submitted outputs beyond a notebook-wide budget are replaced by one short notice."""
    from autograders.sandbox.prepare import OWN_OUTPUTS_KEY, OWN_OUTPUTS_TOTAL

    nb = copy.deepcopy(released)
    for i in range(80):
        nb["cells"].append({"cell_type": "code", "metadata": {}, "execution_count": None,
                            "source": f"x{i} = 1", "outputs": [
                                {"output_type": "stream", "name": "stdout",
                                 "text": "o" * 19_000}]})
    sub, _ = read_submission(_write(tmp_path, nb), Limits())
    kept = json.dumps([c.get(OWN_OUTPUTS_KEY, []) for c in sub.cells])
    assert OWN_OUTPUTS_TOTAL < 80 * 19_000 and len(kept) < OWN_OUTPUTS_TOTAL + 100_000
    assert "outputs not shown" in kept
