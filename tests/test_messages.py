"""Nothing hidden in messages: exception types only on the unseen company, 200-char quotes."""

from __future__ import annotations

import json

import pytest
from sandbox_slots import leased_slot

from autograders.checks.messages import (
    QUOTE_MAX,
    UNSEEN,
    builtin_exception_name,
    cap_evidence,
    cap_message,
    quote,
    unseen_failure,
)
from autograders.sandbox.evaluate import CallError, call_function
from autograders.sandbox.limits import Limits

FIVE_MB = "b" * 5_000_000
LEAK = "LEAKMARK"
LIMITS = Limits(memory_mb=1536, cell_timeout_s=20, notebook_timeout_s=60)
SLOT = leased_slot()   # leased machine-wide: no other test run shares its uid


def test_quote_cuts_every_value_to_200_characters():
    """A 5 MB answer is echoed as at most 200 characters; short values stay whole."""
    assert len(quote(FIVE_MB)) == QUOTE_MAX and quote(FIVE_MB).endswith("…")
    assert quote("b") == "b" and quote(["x"]) == "['x']"
    assert len(cap_message("m" * 10_000)) == 2000


def test_cap_evidence_bounds_a_5mb_answer():
    """Evidence holding a 5 MB string, or a 100 000-item list, stays a few kB."""
    ev = cap_evidence({"answer": FIVE_MB, "ids": [str(i) for i in range(100_000)],
                       "nested": {"deep": [{"x": FIVE_MB}]}, "n": 3, "ok": True})
    text = json.dumps(ev)
    assert len(text) < 10_000
    assert ev["n"] == 3 and ev["ok"] is True and len(ev["answer"]) == QUOTE_MAX
    assert len(ev["ids"]) == 51 and ev["ids"][-1].startswith("… 99950 more")


def test_unseen_failure_says_type_only():
    """A raised call is named by a built-in type; a class named at run time is not echoed."""
    raised = CallError("raised", "ValueError")
    assert unseen_failure("f", raised) == f"f raised ValueError {UNSEEN}"
    made_up = CallError("raised", f"{LEAK}_C000123: secret text")
    assert LEAK not in unseen_failure("f", made_up) and "an exception" in unseen_failure(
        "f", made_up)
    assert unseen_failure("f", CallError("timed_out", "x")) == f"f did not finish in time {UNSEEN}"
    assert unseen_failure("f", CallError("definition", "the function could not be defined: "
                                         "SyntaxError")) == \
        f"f could not be defined (SyntaxError) {UNSEEN}"
    assert builtin_exception_name("KeyError") == "KeyError"
    assert builtin_exception_name("print") == "an exception"


@pytest.mark.slow
def test_submitted_function_error_text_never_leaves_its_sandbox():
    """ValueError(<inputs>) comes back as "ValueError"; a made-up class as its built-in base."""
    src = ("def f(rows):\n"
           "    if rows == 'dyn':\n"
           "        raise type('LEAKMARK_' + rows, (KeyError,), {})('x')\n"
           "    raise ValueError('LEAKMARK ' + str(rows))\n")
    out = call_function({"__function__": "f", "source": src},
                        [[["C000007", "Jane Hidden"]], ["dyn"]], limits=LIMITS, slot=SLOT)
    assert [(r.kind, r.message) for r in out] == [("raised", "ValueError"),
                                                  ("raised", "KeyError")]


def _unit_evaluators(code: str):
    from pathlib import Path

    from autograders.checks import load_evaluators
    from autograders.unitspec import load_unit_spec

    unit_dir = Path(__file__).resolve().parents[1] / "course" / "units" / code
    spec = load_unit_spec(unit_dir)
    return load_evaluators(code, spec.evaluators, base_dir=unit_dir)


def test_304a_multiple_choice_5mb_answer_is_quoted_short():
    """An unbounded multiple-choice answer is echoed in at most 200 characters."""
    from autograders.checks.context import EvalContext

    fn = _unit_evaluators("ITCSCR304A")["q_k6_test"]
    verdict = fn(FIVE_MB, EvalContext("ITCSCR304A", "T1", 1, 2))
    assert verdict.score == 0.0 and len(verdict.message) < 2 * QUOTE_MAX + 200


@pytest.mark.slow
@pytest.mark.parametrize(("code", "grade_id", "src"), [
    ("ITCSCR304A", "estimates_test",
     "def estimate_state(customers, interactions):\n"
     "    raise ValueError('LEAKMARK ' + str(customers['lifetime_value'].tolist()[:5]))\n"),
    ("ITCSCR410A", "summary_test",
     "def profile_summary(customers):\n"
     "    raise ValueError('LEAKMARK ' + str([c.get('name') for c in customers][:5]))\n"),
])
def test_real_unit_failure_on_unseen_company_leaks_no_text(code, grade_id, src):
    """A function raising ValueError(<hidden data>) on the unseen company: the type only."""
    from autograders.checks.context import EvalContext

    fn = _unit_evaluators(code)[grade_id]
    ctx = EvalContext(code, "T042", 1, 987654, limits=LIMITS, slot=SLOT)
    name = src.split("(")[0].split()[-1]
    verdict = fn({"__function__": name, "source": src}, ctx)
    text = verdict.message + json.dumps(verdict.evidence)
    assert verdict.score == 0.0
    assert f"{name} raised ValueError {UNSEEN}" in verdict.message
    assert LEAK not in text and "[" not in verdict.message.split(UNSEEN)[0]
