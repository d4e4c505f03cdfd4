"""Observation checklists: declared in unit.toml, recorded and signed by an assessor."""

from __future__ import annotations

import pytest
from grading_helpers import copy_fixture_course
from typer.testing import CliRunner

from autograders.cli import app
from autograders.observations import (
    ObservationError,
    load_record,
    record_item,
    record_path,
    sign,
)
from autograders.reports.build import _observation
from autograders.unitspec import UnitSpecError, check_unit, load_unit_spec

OBSERVED = '''
[[observation]]
id = "explains_consent"
criterion = "AC-ii"
requirements = ["P3"]
text = "Explains the consent rule to a customer in plain words."
'''


@pytest.fixture
def course(tmp_path):
    """A fixture course whose unit declares one observation item."""
    course = copy_fixture_course(tmp_path / "course")
    toml = course.unit_dir("FIXTURE1") / "unit.toml"
    toml.write_text(toml.read_text() + OBSERVED)
    return course


def test_items_parse_and_check_validates_them(course):
    """unit.toml observation items parse; an unknown criterion or requirement is a hole."""
    unit = course.unit_dir("FIXTURE1")
    spec = load_unit_spec(unit)
    assert [(o.id, o.criterion, o.requirements) for o in spec.observations] == [
        ("explains_consent", "AC-ii", ("P3",))]
    toml = unit / "unit.toml"
    toml.write_text(toml.read_text().replace('criterion = "AC-ii"', 'criterion = "AC-ix"')
                    .replace('["P3"]', '["P9"]'))
    holes = "\n".join(check_unit(unit).holes)
    assert "criterion 'AC-ix' is not in unit.toml" in holes
    assert "requirement 'P9' is not in [requirements]" in holes


def test_duplicate_item_ids_are_refused(course):
    """Two items with one id would make a record ambiguous: refused naming the id."""
    toml = course.unit_dir("FIXTURE1") / "unit.toml"
    toml.write_text(toml.read_text() + OBSERVED)
    with pytest.raises(UnitSpecError, match="'explains_consent' is used twice"):
        load_unit_spec(toml)


def test_record_then_sign_and_a_later_change_unsigns(course):
    """Signing needs every item; recording again removes the signature."""
    spec = load_unit_spec(course.unit_dir("FIXTURE1"))
    path = record_path(course.root, "T1", "FIXTURE1")
    with pytest.raises(ObservationError, match="items not recorded yet: explains_consent"):
        sign(spec, path, "A. Lee")
    record_item(spec, path, "explains_consent", True, "A. Lee", note='said "consent" first')
    rec = sign(spec, path, "A. Lee")
    assert rec.signed and load_record(path).items["explains_consent"].note == \
        'said "consent" first'
    record_item(spec, path, "explains_consent", False, "B. Wong")
    assert not load_record(path).signed


def test_unknown_item_and_bad_trainee_are_refused(course):
    """An item the unit does not declare, or a trainee id that is a path, is an error."""
    spec = load_unit_spec(course.unit_dir("FIXTURE1"))
    with pytest.raises(ObservationError, match="no observation item 'smiles'"):
        record_item(spec, record_path(course.root, "T1", "FIXTURE1"), "smiles", True, "A")
    with pytest.raises(ObservationError, match="not allowed"):
        record_path(course.root, "../etc", "FIXTURE1")


def test_cli_observe_records_signs_and_reports_read_it(course):
    """`crm-course observe` records and signs; the reports load the signed record."""
    runner = CliRunner()
    env = {"CRM_COURSE_ROOT": str(course.root)}
    res = runner.invoke(app, ["observe", "T1", "FIXTURE1", "--item", "explains_consent",
                              "--met", "yes", "--assessor", "A. Lee"], env=env)
    assert res.exit_code == 0, res.output
    assert "not signed yet" in res.output
    res = runner.invoke(app, ["observe", "T1", "FIXTURE1", "--sign", "--assessor", "A. Lee"],
                        env=env)
    assert res.exit_code == 0 and "signed by A. Lee" in res.output
    res = runner.invoke(app, ["observe", "T1", "FIXTURE1", "--item", "explains_consent",
                              "--met", "maybe", "--assessor", "A. Lee"], env=env)
    assert res.exit_code != 0 and "--met must be yes or no" in res.output
    rec = _observation(course, load_unit_spec(course.unit_dir("FIXTURE1")), "T1")
    assert rec is not None and rec.signed and rec.items["explains_consent"].met
