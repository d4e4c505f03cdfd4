"""unit.toml parsing and `check_unit`: every kind of hole is reported, all at once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from grading_helpers import FIXTURE_COURSE

from autograders.unitspec import (
    UnitSpecError,
    check_unit,
    helper_files,
    load_unit_spec,
    notebook_cells,
)

FIX = FIXTURE_COURSE / "units" / "FIXTURE1"


@pytest.fixture
def unit(tmp_path) -> Path:
    """A writable copy of the FIXTURE1 unit directory."""
    dest = tmp_path / "FIXTURE1"
    shutil.copytree(FIX, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def _edit_toml(unit: Path, old: str, new: str) -> None:
    path = unit / "unit.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_fixture_parses_into_dataclasses():
    """The fixture's unit.toml gives its criteria, thresholds and points."""
    spec = load_unit_spec(FIX)
    assert (spec.code, spec.level, spec.credits, spec.industry) == ("FIXTURE1", 1, 1, "ict")
    assert spec.criteria["AC-i"].cells == {"mean_test": 2.0, "squares_test": 3.0}
    assert spec.criteria["AC-i"].threshold == 0.6
    assert spec.criteria["AC-ii"].max_points == 4.0
    assert spec.criterion_of("filter_test") == "AC-ii"
    assert spec.criterion_of("intro") is None
    assert spec.evaluators == "grading/evaluators.py"


def test_fixture_passes_check():
    """A complete unit has no hole and a summary of its size."""
    report = check_unit(FIX)
    assert report.ok, report.holes
    assert "3 autograded cells, 1 manually graded, 9 points" in report.summary


def test_notebook_cells_kinds():
    """Cells are classified as test / manual / solution / locked from nbgrader metadata."""
    cells, problems = notebook_cells(FIX)
    assert problems == []
    assert cells["mean_test"].kind == "test" and cells["mean_test"].points == 2
    assert cells["written_reflection"].kind == "manual"
    assert cells["mean_impl"].kind == "solution"
    assert cells["intro"].kind == "locked"


@pytest.mark.parametrize("old,new,message", [
    ('code = "FIXTURE1"\n', "", "missing field 'code'"),
    ("threshold = 0.6", "threshold = 1.5", "threshold must be a fraction"),
    ("level = 1", 'level = "one"', "'level' has the wrong type"),
    ("mean_test = 2,", "mean_test = -2,", "cells.mean_test must be points >= 0"),
    ('P1 = ["mean_intro"', 'P1 = "mean_intro" #', "must be a list of grade_id"),
    ("[requirements]", "[requirements", "not valid TOML"),
])
def test_unreadable_fields_raise_naming_the_field(unit, old, new, message):
    """A malformed field raises UnitSpecError naming it (and check reports it)."""
    _edit_toml(unit, old, new)
    with pytest.raises(UnitSpecError, match=message):
        load_unit_spec(unit)
    report = check_unit(unit)
    assert not report.ok and message in report.holes[0]


def test_every_hole_is_reported_at_once(unit):
    """Missing requirement cells, unknown cells, unmapped and double-mapped cells, wrong points."""
    _edit_toml(unit, 'P3 = ["filter_intro", "filter_impl", "filter_test"]\n', "P3 = []\n")
    _edit_toml(unit, 'K1 = ["intro"', 'K1 = ["intro", "no_such_cell"')
    _edit_toml(unit, "squares_test = 3 }", "squares_test = 4, filter_test = 2 }")
    _edit_toml(unit, "cells = { filter_test = 2, written_reflection = 2 }",
               "cells = { filter_test = 2, ghost_cell = 1 }")
    report = check_unit(unit)
    text = "\n".join(report.holes)
    assert "requirement P3 has no cell" in text
    assert "requirements.K1 references cell 'no_such_cell'" in text
    assert "cell 'squares_test': unit.toml gives 4 points but the notebook metadata says 3" \
        in text
    assert "cell 'filter_test' is scored by 2 criteria" in text
    assert "criteria.AC-ii references cell 'ghost_cell'" in text
    assert "graded cell 'written_reflection' (fixture1) maps to no criterion" in text
    # filter_test, now evidence of no P id, is a K cell of AC-i, which has no k_threshold
    assert "criteria.AC-i has K cells but no k_threshold" in text
    assert len(report.holes) == 7


def test_missing_evaluator_is_a_hole(unit):
    """A graded test cell without a registered evaluator is reported."""
    path = unit / "grading" / "evaluators.py"
    path.write_text(path.read_text().replace('@evaluator(UNIT, "filter_test")\n', ""))
    report = check_unit(unit)
    assert report.holes == ["graded test cell 'filter_test' has no evaluator: register one "
                            "with @evaluator('FIXTURE1', 'filter_test')"]


def test_broken_evaluator_module_is_a_hole(unit):
    """An evaluator module that fails to import is reported, not raised."""
    (unit / "grading" / "evaluators.py").write_text("raise RuntimeError('boom')\n")
    report = check_unit(unit)
    assert len(report.holes) == 1 and "could not be loaded" in report.holes[0]


def test_duplicate_grade_id_across_notebooks(unit):
    """The same grade_id in two notebooks of one unit is a hole."""
    nb = json.loads((unit / "fixture1.ipynb").read_text())
    nb["cells"] = [c for c in nb["cells"] if c["metadata"]["nbgrader"]["grade_id"] == "intro"]
    (unit / "second.ipynb").write_text(json.dumps(nb))
    report = check_unit(unit)
    assert any("grade_id 'intro' appears in both" in h for h in report.holes)


def test_catalogued_unit_needs_every_units_md_id(tmp_path, unit):
    """A unit named like a real unit is checked against every UNITS.md id and AC."""
    real = tmp_path / "ITCSCR304A"
    unit.rename(real)
    _edit_toml(real, 'code = "FIXTURE1"', 'code = "ITCSCR304A"')
    report = check_unit(real)
    text = "\n".join(report.holes)
    for rid in ("K2", "K7", "P4", "P9", "X1", "X2"):
        assert f"requirement {rid} has no cell" in text
    assert "criterion AC-iii is missing" in text
    assert "requirements.K1" not in text


def test_code_must_match_directory(unit):
    """unit.toml's code must be the unit directory's name (the assignment name)."""
    _edit_toml(unit, 'code = "FIXTURE1"', 'code = "FIXTURE2"')
    assert any("differs from its directory name" in h for h in check_unit(unit).holes)


def test_gates_parse_and_must_be_criterion_cells(unit):
    """`gates` lists cells needing full marks; a gate outside the criterion's cells is refused."""
    _edit_toml(unit, "cells = { mean_test = 2, squares_test = 3 }",
               'cells = { mean_test = 2, squares_test = 3 }\ngates = ["squares_test"]')
    assert load_unit_spec(unit).criteria["AC-i"].gates == ("squares_test",)
    _edit_toml(unit, 'gates = ["squares_test"]', 'gates = ["filter_test"]')
    with pytest.raises(UnitSpecError, match=r"gates \['filter_test'\] are not among"):
        load_unit_spec(unit)
    _edit_toml(unit, 'gates = ["filter_test"]', 'gates = "filter_test"')
    with pytest.raises(UnitSpecError, match="gates must be a list of grade_ids"):
        load_unit_spec(unit)


def test_evaluators_default_to_the_unit_grading_folder(unit):
    """Without an `evaluators` field, check_unit loads grading/evaluators.py of the unit."""
    assert "evaluators" not in (unit / "unit.toml").read_text()
    assert load_unit_spec(unit).evaluators == "grading/evaluators.py"
    assert check_unit(unit).ok


def test_private_copy_of_grading_is_checked_the_same_way(unit, tmp_path):
    """An absolute `evaluators` path (a centre's private keys) is validated like the sample."""
    private = tmp_path / "centre-private" / "FIXTURE1"
    shutil.copytree(unit / "grading", private)
    shutil.rmtree(unit / "grading")
    _edit_toml(unit, 'industry = "ict"\n',
               f'industry = "ict"\nevaluators = "{private / "evaluators.py"}"\n')
    assert check_unit(unit).ok
    path = private / "evaluators.py"
    path.write_text(path.read_text().replace('@evaluator(UNIT, "mean_test")\n', ""))
    assert check_unit(unit).holes == [
        "graded test cell 'mean_test' has no evaluator: register one with "
        "@evaluator('FIXTURE1', 'mean_test')"]


def test_released_helper_that_registers_evaluators_is_a_hole(unit):
    """A helper beside the notebooks (released) must not hold evaluators or keys."""
    (unit / "answers.py").write_text("from autograders.checks import evaluator\n\n"
                                     "@evaluator('FIXTURE1', 'x_test')\ndef f(a, c):\n"
                                     "    return None\n")
    assert helper_files(unit) == [unit / "answers.py", unit / "fixture_helpers.py"]
    assert check_unit(unit).holes == [
        "answers.py is released to trainees but registers evaluators: move it into grading/"]


def test_helper_files_leave_out_grading_and_authoring_files(unit):
    """helper_files lists what a release ships besides notebooks, never grading/."""
    (unit / "grading" / "keys.py").write_text("KEY = 'b'\n")
    (unit / "data").mkdir()
    (unit / "data" / "rates.csv").write_text("a,b\n")
    assert [p.relative_to(unit).as_posix() for p in helper_files(unit)] == [
        "data/rates.csv", "fixture_helpers.py"]


def test_named_gates_minimums_and_kp_thresholds_parse(unit):
    """A table of named gates, minimums and k/p thresholds load into the Criterion."""
    _edit_toml(unit, "minimums = { mean_test = 0.5, squares_test = 0.5 }\n",
               "minimums = { mean_test = 0.5, squares_test = 0.5 }\nk_threshold = 0.4\n"
               '[criteria."AC-i".gates]\nno_leak = { cell = "squares_test", breach = '
               '"identifier_in_shared_table", law = "PDPO DPP4" }\n')
    crit = load_unit_spec(unit).criteria["AC-i"]
    assert crit.minimums == {"mean_test": 0.5, "squares_test": 0.5}
    assert (crit.k_threshold, crit.p_threshold) == (0.4, 0.6)
    assert crit.gate_rules[0].breach == "identifier_in_shared_table" and crit.gates == ()


MINS = "minimums = { mean_test = 0.5, squares_test = 0.5 }"


@pytest.mark.parametrize(("old", "new", "message"), [
    (MINS, "minimums = { ghost_test = 0.5 }", "minimums.ghost_test is not among"),
    (MINS, "minimums = { mean_test = 1.5 }", "minimums.mean_test must be a fraction"),
    ("p_threshold = 0.6", "p_threshold = 2", "p_threshold must be a fraction"),
    (MINS, MINS + '\ngates = { g = { cell = "mean_test" } }', "gates.g can never trip"),
    (MINS, MINS + '\ngates = { g = { cell = "ghost_test", breach = "x" } }',
     r"gates \['ghost_test'\]"),
])
def test_bad_sufficiency_fields_name_the_field(unit, old, new, message):
    """A malformed minimum, threshold or gate raises UnitSpecError naming it."""
    _edit_toml(unit, old, new)
    with pytest.raises(UnitSpecError, match=message):
        load_unit_spec(unit)


def test_check_requires_a_minimum_per_p_id_and_kp_thresholds(unit):
    """A P id whose cells have no minimum, and a mixed criterion without thresholds, are holes."""
    _edit_toml(unit, "minimums = { mean_test = 0.5, squares_test = 0.5 }\n", "")
    _edit_toml(unit, "k_threshold = 0\n", "")
    holes = "\n".join(check_unit(unit).holes)
    assert "requirement P1 has no minimum on its evidence (mean_test)" in holes
    assert "requirement P2 has no minimum" in holes
    assert "criteria.AC-ii has K cells but no k_threshold" in holes


@pytest.mark.parametrize("code", ["ITCSCR304A", "ITCSCR410A"])
def test_real_units_declare_pdpo_gates_and_pass_check(code):
    """Both units gate their PDPO breaches and pass `check` with minimums for every P id."""
    unit_dir = Path(__file__).resolve().parents[1] / "course" / "units" / code
    spec = load_unit_spec(unit_dir)
    breaches = {g.breach for c in spec.criteria.values() for g in c.gate_rules}
    assert "promotion_without_consent" in breaches
    if code == "ITCSCR410A":
        assert {"unconsented_marketing_list", "use_beyond_notified_purpose",
                "identifier_in_shared_table", "data_passed_to_others_without_consent"} <= breaches
    assert spec.observations
    report = check_unit(unit_dir)
    assert report.ok, report.holes
