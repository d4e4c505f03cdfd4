"""Copied model answers are flagged: fingerprints survive renaming, honest answers differ."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from grading_helpers import SECRET, UNIT, copy_fixture_course
from sandbox_slots import leased_slot

from autograders.checks import load_evaluators
from autograders.fingerprint import (
    artifact_fingerprint,
    python_fingerprint,
    reference_fingerprints,
    sql_fingerprint,
)
from autograders.reports.competency import MODEL_ANSWER_FLAG
from autograders.reports.similarity import MODEL_ANSWER, copied_pairs, merge_pairs
from autograders.unitspec import load_unit_spec

SLOT = leased_slot()   # leased machine-wide: no other test run shares its uid

REPO = Path(__file__).resolve().parents[1]
FIXTURE_DIR = Path(__file__).parent / "fixtures" / "course" / "units" / "FIXTURE1"

MODEL = 'def squares(n):\n    """The first n squares."""\n    return [i * i for i in range(n)]\n'
RENAMED = "def squares(count):\n    # mine, honestly\n    return [k * k for k in range(count)]\n"
RENAMED_2 = "def squares(size):\n    return [v * v for v in range(size)]\n"
HONEST = ("def squares(n):\n    out = []\n    for k in range(n):\n"
          "        out.append(k ** 2)\n    return out\n")


def test_renamed_copy_has_the_model_fingerprint():
    """Docstring, comments, argument and local names do not change the fingerprint."""
    assert python_fingerprint(MODEL) == python_fingerprint(RENAMED) == python_fingerprint(
        RENAMED_2.replace("squares", "sq"), "sq")
    assert python_fingerprint(HONEST) != python_fingerprint(MODEL)
    assert python_fingerprint("def f(x):\n    return x + 1") != python_fingerprint(
        "def f(x):\n    return x - 1")                    # operators are not names
    assert python_fingerprint("not python (") is None


def test_sql_fingerprint_ignores_case_spacing_and_comments():
    """The same query re-cased, re-spaced and commented matches; another query does not."""
    a = "SELECT segment, COUNT(*) AS customers FROM customers GROUP BY segment ORDER BY segment"
    b = ("select segment ,count( * ) as customers -- mine\n  from customers\n"
         "/* grouped */ group by segment order by segment;")
    assert sql_fingerprint(a) == sql_fingerprint(b) != sql_fingerprint(a.replace("ORDER BY "
                                                                                   "segment", ""))
    assert sql_fingerprint("hello") is None
    assert artifact_fingerprint({"__function__": "squares", "source": RENAMED}) == \
        python_fingerprint(MODEL)
    assert artifact_fingerprint(42) is None


def test_fixture_references_come_from_the_module_and_the_source_notebook():
    """reference_* functions and solution-cell functions are model answers."""
    from autograders.checks.registry import registered

    load_evaluators(UNIT, base_dir=FIXTURE_DIR)
    module = __import__(next(iter(registered(UNIT).values())).__module__, fromlist=["x"])
    nb = json.loads((FIXTURE_DIR / "fixture1.ipynb").read_text())
    refs = reference_fingerprints([module], {"fixture1": nb})
    assert refs[python_fingerprint(MODEL)] == "solution in fixture1"
    assert python_fingerprint(HONEST) not in refs


def _real_unit(code: str):
    """(evaluator module, model-answer fingerprints) of a real unit, found generically."""
    import sys

    from autograders.sandbox.grade import _references

    unit_dir = REPO / "course" / "units" / code
    evaluators = load_evaluators(code, load_unit_spec(unit_dir).evaluators, base_dir=unit_dir)
    refs = {}
    for path in sorted(unit_dir.glob("*.ipynb")):
        refs.update(_references(evaluators, path.stem, json.loads(path.read_text())))
    return sys.modules[next(iter(evaluators.values())).__module__], refs


def test_real_units_flag_renamed_model_answers_not_the_weak_variants():
    """410A's SQL re-typed and 304A's estimate_state renamed match; other answers do not."""
    import inspect

    module410, refs410 = _real_unit("ITCSCR410A")
    sql = ("select segment, count(*) as customers, avg(lifetime_value) as mean_value,\n"
           "  avg(case when dm_consent then 1.0 else 0.0 end) as consent_rate\n"
           "from customers group by segment order by segment  -- my own query\n")
    assert artifact_fingerprint(sql) in refs410
    assert artifact_fingerprint("SELECT segment, COUNT(*) AS customers FROM customers "
                                "GROUP BY segment ORDER BY segment") not in refs410
    weak = module410.VARIANTS["partial"]["summary_impl"]
    assert artifact_fingerprint({"__function__": "profile_summary", "source": weak}) \
        not in refs410

    module304, refs304 = _real_unit("ITCSCR304A")
    src = inspect.getsource(module304.reference_estimate_state)
    renamed = (src.replace("reference_estimate_state", "estimate_state")
               .replace("interactions", "calls").replace("recent", "latest"))
    assert artifact_fingerprint({"__function__": "estimate_state", "source": renamed}) \
        in refs304
    other = module304.VARIANTS["partial"]["estimates_answer"]
    assert artifact_fingerprint({"__function__": "estimate_state", "source": other}) \
        not in refs304


def test_copied_pairs_name_model_answers_and_shared_fingerprints():
    """Same fingerprint on a cell pairs two trainees; a model-answer match pairs with it."""
    ev = {"T1": {"squares_test": {"fingerprint": "py:1", "matches_model_answer": "x"}},
          "T2": {"squares_test": {"fingerprint": "py:1", "matches_model_answer": "x"}},
          "T3": {"squares_test": {"fingerprint": "py:2"}}}
    pairs = merge_pairs(copied_pairs(UNIT, ev))
    got = {(p.trainee_a, p.trainee_b): (p.identical_cells, p.basis) for p in pairs}
    assert got == {("T1", "T2"): (["squares_test"], ["syntax tree"]),
                   ("T1", MODEL_ANSWER): (["squares_test"], ["syntax tree"]),
                   ("T2", MODEL_ANSWER): (["squares_test"], ["syntax tree"])}


@pytest.mark.slow
def test_copied_answers_flagged_in_similarity_and_competency(tmp_path):
    """Graded for real: renamed copies are flagged in both reports, the honest one is not."""
    from test_feedback_shape import LIMITS, _submission

    from autograders.journal import StatusStore
    from autograders.release import release_unit
    from autograders.reports.build import write_reports
    from autograders.sandbox import grade_notebook

    course = copy_fixture_course(tmp_path / "course")
    release_unit(course, UNIT)
    source = course.unit_dir(UNIT) / "fixture1.ipynb"
    evaluators = load_evaluators(UNIT, base_dir=course.unit_dir(UNIT))
    for tid, answer in (("T1", RENAMED), ("T2", RENAMED_2), ("T3", HONEST)):
        nb = _submission({"squares_impl": answer})
        path = course.submitted_dir / tid / UNIT / "fixture1.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(nb))
        result = grade_notebook(source, path, unit=UNIT, trainee_id=tid, secret=SECRET,
                                evaluators=evaluators, limits=LIMITS, slot=SLOT)
        squares = next(c for c in result.cells if c.grade_id == "squares_test")
        assert squares.status == "passed" and squares.evidence["fingerprint"].startswith("py:")
        assert ("matches_model_answer" in squares.evidence) == (tid != "T3")
        assert "squares" not in json.dumps(squares.evidence)      # a hash, not the source
        with StatusStore(course.status_db_path) as store:
            store.record(result, checksum=tid, run_id="r")
    write_reports(course)
    with (course.reports_dir / "similarity.csv").open() as fh:
        rows = [r for r in csv.DictReader(fh) if "syntax tree" in r["basis"]]
    flagged = {(r["trainee_a"], r["trainee_b"]) for r in rows}
    assert flagged == {("T1", "T2"), ("T1", MODEL_ANSWER), ("T2", MODEL_ANSWER)}
    t1 = (course.reports_dir / UNIT / "T1.html").read_text()
    t3 = (course.reports_dir / UNIT / "T3.html").read_text()
    assert MODEL_ANSWER_FLAG in t1 and "same as T2&#39;s answer" in t1
    assert MODEL_ANSWER_FLAG not in t3 and "same as" not in t3
