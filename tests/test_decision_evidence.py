"""The record says which decision rule the grader applied, in words and bounded."""

from __future__ import annotations

from autograders.checks.context import EvalContext
from autograders.checks.messages import DECISION_ITEMS, DECISION_KEY, decision_summary
from autograders.reports.evidence import evidence_html
from autograders.results import CellResult, Verdict
from autograders.sandbox.grade import _judge

RULE = {"kind": "scorecard", "weights": {"recent_purchase": 2.0, "satisfied": 1.5},
        "consent_only": True, "per_segment": 15}


def test_only_rules_are_summarised():
    """Functions, tagged tables, lists and plain answers are not decision rules."""
    assert decision_summary({"__function__": "f", "source": "def f(): pass"}) is None
    assert decision_summary({"__frame__": {"columns": []}}) is None
    assert decision_summary([{"a": 1}]) is None
    assert decision_summary("b") is None
    assert decision_summary({}) is None
    assert decision_summary(RULE) == RULE


def test_a_huge_rule_is_bounded():
    """A 5 MB text and a thousand keys come back cut to the record's bounds."""
    huge = {f"k{i}": "x" * 5_000_000 for i in range(1000)}
    out = decision_summary({"weights": huge, "note": "y" * 5_000_000})
    assert len(out["weights"]) == DECISION_ITEMS
    assert all(len(v) <= 201 for v in out["weights"].values())
    assert len(out["note"]) <= 201


def test_graded_rule_reaches_the_record_in_words():
    """A rule graded by an evaluator is kept as evidence and shown as words, no dict repr."""
    def evaluator(artifact, ctx):
        return Verdict(0.5, "half", {"precision": 0.5, "where": "the unseen company"})

    ctx = EvalContext(unit="FIXTURE1", trainee_id="T1", trainee_seed=1, hidden_seed=2)
    base = {"grade_id": "prospects_test", "notebook": "nb", "max_points": 4.0,
            "points": 0.0}
    result = _judge(evaluator, RULE, ctx, base)
    assert result.evidence[DECISION_KEY] == RULE
    assert list(result.evidence)[0] == DECISION_KEY          # printed records keep line one
    cell = CellResult(**{**base, "points": result.points}, status=result.status,
                      message=result.message, evidence=result.evidence)
    text = str(evidence_html(cell))
    assert "<th>Decision rule</th>" in text
    assert "recent purchase: 2" in text and "consent only: yes" in text
    assert "{" not in text and "[" not in text


def test_function_answers_keep_their_evidence_without_a_rule():
    """The analyst track's function is not echoed into the record as a rule."""
    def evaluator(artifact, ctx):
        return Verdict(1.0, "ok", {"precision": 1.0})

    ctx = EvalContext(unit="FIXTURE1", trainee_id="T1", trainee_seed=1, hidden_seed=2)
    base = {"grade_id": "g", "notebook": "nb", "max_points": 1.0, "points": 0.0}
    fn = {"__function__": "f", "source": "def f():\n    return 1\n"}
    assert DECISION_KEY not in _judge(evaluator, fn, ctx, base).evidence
