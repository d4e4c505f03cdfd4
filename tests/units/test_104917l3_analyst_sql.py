"""Unit 104917L3, exercise 6's analyst track: the monthly report as one parameterised SELECT.

Graded on an unseen company through the jailed SQL path (`EvalContext.run_sql`), for
the same points as the report view; hostile queries earn nothing and end in time.
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from unit_loader import evaluators_module, helper_module

from autograders.checks import EvalContext, registered
from autograders.sandbox.limits import Limits
from crm_sim.scenario import Scenario
from crm_sim.world import World

CODE = "104917L3"
UNIT_DIR = Path(__file__).resolve().parents[2] / "course" / "units" / CODE
U = evaluators_module(CODE)
desk = helper_module(CODE, "boutique_desk")
RIGHT = ("SELECT channel, direction, COUNT(*) AS communications FROM desk_comms "
         "WHERE substr(timestamp, 1, 7) = :month GROUP BY channel, direction")


def _query(sql: str, send_to: str = "boutique_manager") -> dict:
    return {"kind": "report_sql", "sql": sql, "send_to": send_to}


@pytest.fixture(scope="module")
def ctx():
    """Small trainee and unseen timepiece companies, built once."""
    c = EvalContext(unit=CODE, trainee_id="t-sql", trainee_seed=21, hidden_seed=22)
    c._cache["trainee"] = World.build(Scenario(seed=21, n_customers=300, industry="timepiece"))
    c._cache["hidden"] = World.build(Scenario(seed=22, n_customers=300, industry="timepiece"))
    return c


@pytest.fixture(scope="module")
def short(ctx):
    """`ctx` with a 3 s query limit (same worlds), for queries built to stall."""
    s = EvalContext(unit=CODE, trainee_id=ctx.trainee_id, trainee_seed=ctx.trainee_seed,
                    hidden_seed=ctx.hidden_seed, limits=Limits(cell_timeout_s=3))
    s._cache.update(ctx._cache)
    return s


@pytest.fixture(scope="module")
def report():
    """The unit's report evaluator (it grades both tracks)."""
    return registered(CODE)["report_test"]


def _cell(grade_id: str) -> nbformat.NotebookNode:
    nb = nbformat.read(UNIT_DIR / "03_classify_and_information_system.ipynb", as_version=4)
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def test_analyst_cell_is_tagged_and_sits_before_the_report_test():
    """The analyst cell is a solution cell tagged `analyst`, after the no-code answer."""
    nb = nbformat.read(UNIT_DIR / "03_classify_and_information_system.ipynb", as_version=4)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    assert ids.index("report_answer") < ids.index("report_analyst") < ids.index("report_test")
    cell = _cell("report_analyst")
    assert cell.metadata["tags"] == ["analyst"] and cell.metadata["nbgrader"]["solution"]


def test_source_analyst_query_earns_full_marks_in_both_languages(ctx, report):
    """The model query of the analyst cell: 1.0 on an unseen company, as the view's answer."""
    ns: dict = {}
    exec(_cell("report_analyst").source, ns)  # noqa: S102 - our own notebook source
    verdict = report(ns["report_query"], ctx)
    assert verdict.score == 1.0, verdict.message
    assert verdict.evidence["rows"] > 0
    import dataclasses

    zh = report(ns["report_query"], dataclasses.replace(ctx, lang="zh-Hant"))
    assert zh.score == 1.0 and "店長" in zh.message


@pytest.mark.parametrize("sql, send_to, score", [
    (RIGHT, "boutique_manager", 1.0),
    (RIGHT, "marketing_agency", 0.8),
    # every month, not the one bound to :month: the report's shape, not its period
    ("SELECT channel, direction, COUNT(*) AS communications FROM desk_comms "
     "GROUP BY channel, direction", "boutique_manager", 0.6),
    # the right month, by channel only: the period's total, not the report
    ("SELECT channel, COUNT(*) AS communications FROM desk_comms "
     "WHERE substr(timestamp, 1, 7) = :month GROUP BY channel", "boutique_manager", 0.6),
    ("SELECT channel, COUNT(*) AS communications FROM desk_comms "
     "WHERE substr(timestamp, 1, 7) = :month GROUP BY channel", "all_staff", 0.4),
    # rows, but neither a count per channel and direction nor the month's total
    ("SELECT customer_id FROM desk_comms WHERE substr(timestamp, 1, 7) = :month",
     "boutique_manager", 0.2),
    # a month that has no contacts: no rows, nothing
    ("SELECT channel, direction, COUNT(*) AS communications FROM desk_comms "
     "WHERE substr(timestamp, 1, 7) = '1999-01' GROUP BY channel, direction",
     "boutique_manager", 0.0),
], ids=["right", "wrong_recipient", "all_months", "by_channel_only", "by_channel_all_staff",
        "ids_only", "no_rows"])
def test_analyst_query_exact_marks(sql, send_to, score, ctx, report):
    """Right, partial and wrong queries earn exactly the designed fraction."""
    verdict = report(_query(sql, send_to), ctx)
    assert verdict.score == pytest.approx(score), verdict.message


def test_typed_month_earns_no_period(ctx, report):
    """The month typed into the query (even the right one) is not the parameterised period."""
    month = U.ds.report_month(U._hidden_desk(ctx))
    typed = RIGHT.replace(":month", f"'{month}'")
    verdict = report(_query(typed), ctx)
    assert verdict.score == pytest.approx(0.6)
    assert verdict.evidence["uses_month"] is False


@pytest.mark.parametrize("artefact", [
    _query("SELECT * FROM desk_truth"),
    _query("SELECT * FROM t_latent"),
    _query("SELECT channel, direction, COUNT(*) AS communications FROM desk_comms "
           "WHERE substr(timestamp, 1, 7) = :month GROUP BY channel, direction; "
           "SELECT * FROM desk_truth"),
    _query("DELETE FROM desk_comms"),
    _query("ATTACH DATABASE '/etc/passwd' AS x"),
    _query("x" * 6_000),
    _query(RIGHT, "the_press"),
    {"kind": "report_sql", "sql": 42, "send_to": "boutique_manager"},
    "SELECT 1",
], ids=["hidden_truth", "hidden_latent", "two_statements", "write", "attach", "huge",
        "unknown_recipient", "not_text", "bare_string"])
def test_hostile_queries_earn_nothing(artefact, ctx, report):
    """Hidden tables, several statements, writes and junk: 0, in words, no database text."""
    verdict = report(artefact, ctx)
    assert verdict.score == 0.0 and verdict.message
    assert "sqlite" not in verdict.message.lower()
    assert "latent" not in verdict.message and "truth" not in verdict.message


def test_a_stalling_query_cannot_hold_grading(short, report):
    """A randomblob per row of a cross join ends as a failed query within the limit."""
    start = time.monotonic()
    verdict = report(_query(
        "SELECT length(randomblob(200000000)) AS channel, 'x' AS direction, 1 AS "
        "communications FROM desk_comms a, desk_comms b WHERE :month = :month"), short)
    assert verdict.score == 0.0
    assert time.monotonic() - start < short.limits.cell_timeout_s + 25
    assert verdict.evidence["error"] in ("timed_out", "raised", "memory_exceeded", "killed")


def test_trainees_check_runs_the_query_on_their_own_company(ctx, capsys):
    """The visible check binds :month on the trainee's company; a hidden table is refused."""
    text = desk.load_text("en")
    table = desk.show_report_check(ctx.trainee_world(), text, _query(RIGHT))
    assert table is not None and len(table) > 0
    assert "Your query ran on your own company" in capsys.readouterr().out
    assert desk.show_report_check(ctx.trainee_world(), text,
                                  _query("SELECT * FROM desk_truth")) is None
    assert "✘" in capsys.readouterr().out
