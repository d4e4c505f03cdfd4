"""The status store: statuses distinct from zeros, the resume journal, the checksum."""

from __future__ import annotations

from autograders.journal import StatusStore
from autograders.results import CellResult, SubmissionResult


def _result(status="graded", reason=""):
    return SubmissionResult("T1", "U", "nb", status, reason, cells=[
        CellResult("a", "nb", 2, 1.5, "partial", "half")], world_seed=5,
        executed_notebook={"cells": []})


def test_record_and_read_back(tmp_path):
    """A recorded result comes back with status, reason, points and cell messages."""
    with StatusStore(tmp_path / "g.sqlite") as store:
        store.record(_result("timed_out", "timed out in cell a"), checksum="c1", run_id="r")
        (row,) = store.statuses("U")
    assert (row["status"], row["reason"], row["points"], row["max_points"]) == (
        "timed_out", "timed out in cell a", 1.5, 2.0)
    assert row["world_seed"] == 5
    assert row["result"]["cells"][0]["message"] == "half"
    assert "executed_notebook" not in row["result"]


def test_journal_keys_on_checksum(tmp_path):
    """Finished means the same trainee, unit, notebook and checksum."""
    with StatusStore(tmp_path / "g.sqlite") as store:
        store.record(_result(), checksum="c1", run_id="r1")
        assert store.finished("T1", "U", "nb", "c1")
        assert not store.finished("T1", "U", "nb", "c2")
        store.clear_journal("U")
        assert not store.finished("T1", "U", "nb", "c1")


def test_forget_run_only_drops_that_run(tmp_path):
    """Rolling back a run forgets its journal entries only."""
    with StatusStore(tmp_path / "g.sqlite") as store:
        store.record(_result(), checksum="c1", run_id="old")
        other = _result()
        other.trainee_id = "T2"
        store.record(other, checksum="c2", run_id="new")
        assert store.forget_run("new") == 1
        assert store.finished("T1", "U", "nb", "c1")
        assert not store.finished("T2", "U", "nb", "c2")


def test_gradebook_checksum_roundtrip(tmp_path):
    """The checksum saved after a write is the one read back."""
    with StatusStore(tmp_path / "g.sqlite") as store:
        assert store.gradebook_checksum() is None
        store.save_gradebook_checksum("abc")
        assert store.gradebook_checksum() == "abc"


def test_error_is_never_journaled_as_finished(tmp_path):
    """An 'error' is stored but not finished, and it unmarks an earlier finished grade."""
    with StatusStore(tmp_path / "g.sqlite") as store:
        store.record(_result("error", "the grading worker died"), checksum="c1", run_id="r")
        assert not store.finished("T1", "U", "nb", "c1")
        assert store.statuses("U")[0]["status"] == "error"
        store.record(_result(), checksum="c1", run_id="r")
        assert store.finished("T1", "U", "nb", "c1")
        store.record(_result("error", "the grader failed"), checksum="c1", run_id="r2")
        assert not store.finished("T1", "U", "nb", "c1")
        store.record(_result("timed_out", "timed out in cell a"), checksum="c1", run_id="r3")
        assert store.finished("T1", "U", "nb", "c1")   # the submission's own fault: final
