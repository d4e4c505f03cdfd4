"""ITCSCR512A's answer keys are out of a trainee's reach: reading them earns a blank's points.

The attack of tests/test_hostile_keys.py on this unit: the second notebook's answers that
have a key (the K5 question through ``MC_KEYS``, the X1 judgement through ``JUDGEMENTS``)
are taken from ``course/units/ITCSCR512A/grading/evaluators.py``, loaded by its path with
the framework's own loader, or by importing the old in-package location. Graded as
`crm-course grade` grades (the sandbox jail, outside the trainee's kernel), the cheating
notebook must earn exactly what the released blank one earns, cell by cell.
"""

from __future__ import annotations

import pytest
from test_hostile_keys import ROUTES, _released, cheating_notebook, route_code
from unit_loader import evaluators_module, support_files, unit_dir

from autograders.checks import load_evaluators
from autograders.hostile import write_variant
from autograders.sandbox import Limits, grade_notebook
from autograders.slots import acquire_slot

CODE = "ITCSCR512A"
NOTEBOOK = "02_resources_and_monitoring"
JUDGEMENT_CHEAT = ('_J = _U.JUDGEMENTS["prof_x1_test"] if _U else {}\n'
                   'answer_x1 = {"choice": _J.get("choice", ""),\n'
                   '             "reasons": sorted(_J.get("good", []))}\n')


def cheating(route: str) -> tuple[dict, list[str]]:
    """The released second notebook with every key-reachable answer read from the keys."""
    nb, changed = cheating_notebook(_released(CODE, NOTEBOOK), route, CODE)
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "prof_x1_answer":
            cell["source"] = route_code(route, CODE) + JUDGEMENT_CHEAT
            changed.append("prof_x1_answer")
    return nb, changed


def test_cheat_has_teeth_where_the_keys_are_readable():
    """Outside the sandbox the path route reaches the unit's keys: the attack is real."""
    found: dict = {}
    exec(route_code("path", CODE), found)  # noqa: S102 - our own attack code
    assert found["_U"] is evaluators_module(CODE)
    assert set(cheating("path")[1]) >= {"q_k5_answer", "prof_x1_answer"}


@pytest.mark.slow
def test_reading_keys_scores_like_a_blank_notebook(tmp_path):
    """Answers taken from the keys, by path or by import, earn exactly the blank's points."""
    source = unit_dir(CODE) / f"{NOTEBOOK}.ipynb"
    evaluators = load_evaluators(CODE, None, base_dir=unit_dir(CODE))
    variants = {"blank": _released(CODE, NOTEBOOK)}
    variants.update({route: cheating(route)[0] for route in ROUTES})
    points = {}
    with acquire_slot() as lease:
        for name, nb in variants.items():
            path = write_variant(nb, tmp_path / f"{name}.ipynb")
            result = grade_notebook(source, path, unit=CODE, trainee_id="T-keys",
                                    secret="keys-test-secret-512a", evaluators=evaluators,
                                    support_files=support_files(CODE),
                                    limits=Limits(cell_timeout_s=90), slot=lease.slot)
            assert result.status == "graded", (name, result.reason)
            points[name] = {c.grade_id: c.points for c in result.cells}
    for route in ROUTES:
        assert points[route] == points["blank"], route
