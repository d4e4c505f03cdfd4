"""The rule editor driven from code: choices per group, allowed options, limits, value."""

from __future__ import annotations

import pytest

from crm_sim.errors import FieldError
from crm_sim.ui.rule_editor import RuleEditor, rule_choices, rule_problems

FIELDS = {"channel": ["phone", "visit", "email"], "questions": ["needs", "budget", "timeline"]}


@pytest.fixture
def editor() -> RuleEditor:
    """Two groups; 'home' may not be visited; at most two questions."""
    return RuleEditor("demo", ["home", "office"], FIELDS, multi={"questions": 2},
                      allowed={"home": {"channel": ["phone", "email"]}})


def test_empty_editor_asks_for_every_choice(editor):
    """Nothing chosen: the view asks for a channel and questions for each group."""
    problems = editor.problems()
    assert "home: choose a channel" in problems
    assert "office: pick at least one questions" in problems
    assert "✘" in editor._status.value


def test_value_keeps_the_order_questions_were_picked(editor):
    """The value is the rule as data; multi picks keep the order they were chosen in."""
    editor.choose_all({"home": {"channel": "phone", "questions": ["budget", "needs"]},
                       "office": {"channel": "visit", "questions": ["timeline"]}})
    assert editor.problems() == []
    assert editor.value == {"kind": "demo", "groups": {
        "home": {"channel": "phone", "questions": ["budget", "needs"]},
        "office": {"channel": "visit", "questions": ["timeline"]}}}
    assert editor.chart_data == {"home": 2, "office": 1}


def test_rules_passed_as_data_are_enforced_in_words(editor):
    """A channel the group may not use and too many questions are each named."""
    editor.choose("home", "channel", "visit")
    editor.choose("home", "questions", ["needs", "budget", "timeline"])
    problems = editor.problems()
    assert any("visit is not allowed for this group" in p for p in problems)
    assert any("3 questions picked; the most is 2" in p for p in problems)


def test_unknown_choices_raise_domain_errors(editor):
    """An unknown group or option names the field and the fix."""
    with pytest.raises(FieldError, match="group/field"):
        editor.choose("garden", "channel", "phone")
    with pytest.raises(FieldError, match="channel"):
        editor.choose("home", "channel", "pigeon")


@pytest.mark.parametrize("value", [None, {"kind": "other"}, {"kind": "demo", "groups": 3}])
def test_values_that_are_not_a_rule_are_reported(value):
    """Anything but the editor's value is reported, never applied."""
    assert rule_problems(value, "demo", ["home"], FIELDS, {"questions": 2})


# ------------------------------------------------------------------ rule_choices
CHOICE_FIELDS = {"channel": ("phone", "email"), "when": ("today", "tomorrow")}


def test_rule_choices_reads_each_groups_decision():
    """A complete rule gives group -> field -> choice, extra keys dropped."""
    value = {"kind": "demo", "groups": {
        "home": {"channel": "phone", "when": "today", "note": "x"},
        "office": {"channel": "email", "when": "tomorrow"}, "other": {}}}
    assert rule_choices(value, "demo", ["home", "office"], CHOICE_FIELDS) == {
        "home": {"channel": "phone", "when": "today"},
        "office": {"channel": "email", "when": "tomorrow"}}


@pytest.mark.parametrize("value", [
    None, "demo", ["demo"], {"kind": "other", "groups": {}},
    {"kind": "demo"}, {"kind": "demo", "groups": [["home", "phone"]]},
    {"kind": "demo", "groups": {"home": {"channel": "phone", "when": "today"}}},
    {"kind": "demo", "groups": {"home": "phone", "office": {}}},
    {"kind": "demo", "groups": {"home": {"channel": "fax", "when": "today"},
                                "office": {"channel": "email", "when": "today"}}},
    {"kind": "demo", "groups": {"home": {"channel": ["phone"], "when": "today"},
                                "office": {"channel": "email", "when": "today"}}},
])
def test_rule_choices_is_none_for_an_incomplete_or_foreign_rule(value):
    """Wrong kind, no groups dict, a group missing, a choice not an option: None."""
    assert rule_choices(value, "demo", ["home", "office"], CHOICE_FIELDS) is None
