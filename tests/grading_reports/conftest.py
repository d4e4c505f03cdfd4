"""Hand-built grading results for report tests (no kernel, no gradebook)."""

from __future__ import annotations

import pytest

from autograders.unitspec import Criterion, UnitSpec


@pytest.fixture
def spec() -> UnitSpec:
    """A two-criterion unit like FIXTURE1."""
    return UnitSpec(
        code="FIXTURE1", title="Fixture unit", level=1, credits=1, industry="ict",
        requirements={"K1": ["intro"]},
        criteria={
            "AC-i": Criterion("AC-i", "Compute figures.", 0.6,
                              {"mean_test": 2.0, "squares_test": 3.0}),
            "AC-ii": Criterion("AC-ii", "Select and explain.", 0.5,
                               {"filter_test": 2.0, "written_reflection": 2.0}),
        })


def cell(gid, points, max_points, status, message="", evidence=None):
    """One CellResult as plain data."""
    return {"grade_id": gid, "notebook": "fixture1", "max_points": max_points,
            "points": points, "status": status, "message": message,
            "evidence": evidence or {}}


def row(trainee, cells, status="graded", reason="", seed=42):
    """One grading_status row as StatusStore.statuses returns it."""
    return {"trainee_id": trainee, "unit": "FIXTURE1", "notebook": "fixture1",
            "status": status, "reason": reason, "world_seed": seed,
            "graded_at": "2026-11-26T12:00:00+00:00",
            "result": {"cells": cells, "status": status}}


def good_cells():
    """Full marks on every autograded cell; the written answer awaits its grade."""
    return [cell("mean_test", 2, 2, "passed", "Correct mean."),
            cell("squares_test", 3, 3, "passed", "right for every size",
                 {"hidden_sizes_correct": 2}),
            cell("filter_test", 2, 2, "passed", "Correct selection."),
            cell("written_reflection", 0, 2, "manual", "waits")]


def partial_cells():
    """AC-i met (3.5/5), AC-ii not (1/4 before the manual grade)."""
    return [cell("mean_test", 2, 2, "passed", "Correct mean."),
            cell("squares_test", 1.5, 3, "partial", "right for 2 of 4 sizes"),
            cell("filter_test", 1, 2, "partial", "use >= rather than >"),
            cell("written_reflection", 0, 2, "manual", "waits")]


def wrong_cells():
    """Nothing right."""
    return [cell("mean_test", 0, 2, "failed", "mean_value is 6"),
            cell("squares_test", 0, 3, "failed", "right for 0 of 4 sizes"),
            cell("filter_test", 0, 2, "failed", "Picked everyone"),
            cell("written_reflection", 0, 2, "manual", "waits")]


MANUAL_DONE = {"written_reflection": {"score": 2.0, "manual": 2.0, "needs_manual": False}}
