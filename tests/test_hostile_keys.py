"""Answer keys are out of a trainee's reach: a notebook that reads them scores like a blank one.

The attack of issue 10, on all five units: every answer that has a key, a judgement key,
a truth helper, a reference rule or a reference solution is taken from the unit's
evaluator module instead of being worked out, by two routes a trainee who has read this
public repository would try:

* **import**: ``import autograders.units.unit_<code>`` (where the keys used to live);
* **path**: load ``course/units/<CODE>/grading/evaluators.py`` by its path (found from
  the installed framework's location, or the repository's absolute path) with the
  framework's own importlib loader.

Function exercises submit a function whose body loads the module the same way and
delegates to the reference solution, so the route is tried again wherever the grader
runs submitted functions. The notebooks are the released ones, with only the answer
cells changed, and import nothing from ``crm_sim`` themselves. Each must earn exactly
what the released (blank) notebook earns, cell by cell.

The import route is closed by the package no longer existing. The path route is closed
by the jail (the repository's ``course/`` is not inside the sandbox): where the sandbox
can still read the repository, ``test_reading_keys_scores_like_a_blank_notebook[...path]``
fails, and that failure is the finding, not a flaky test.
"""

from __future__ import annotations

import ast
import json
import textwrap

import nbformat
import pytest
from unit_loader import evaluators_module, support_files, unit_dir

from autograders.checks import EvalContext, load_evaluators
from autograders.hostile import is_code_solution, write_variant
from autograders.sandbox import Limits, grade_notebook
from autograders.sandbox.prepare import read_source, released_notebook
from autograders.slots import acquire_slot
from crm_sim.ui.quiz import shown_letter

SECRET = "keys-test-secret-4410"
LIMITS = Limits(cell_timeout_s=90)
# One notebook per unit holding multiple-choice keys, a judgement key or a truth helper,
# and function exercises with a reference solution.
CASES = (("ITCSCR304A", "03_analysis_follow_up_conduct"), ("ITCSCR410A", "02_qualify_and_grow"),
         ("ITCSCR512A", "01_segments_and_policy"), ("ITCSCR516A", "01_service_atmosphere"),
         ("104917L3", "03_classify_and_information_system"))
ROUTES = ("import", "path")
BLANK_MESSAGES: dict[str, dict[str, str]] = {}     # unit -> grade_id -> the blank's feedback

IMPORT_ROUTE = """
try:
    import importlib
    _U = importlib.import_module("autograders.units.unit_{lower}")
except Exception:
    _U = None
"""
PATH_ROUTE = """
_U = None
try:
    import pathlib
    import autograders
    from autograders.checks import evaluator_module
    for _base in (pathlib.Path(autograders.__file__).resolve().parents[1] / "course" / "units"
                  / "{code}", pathlib.Path({unit_dir!r})):
        if (_base / "grading" / "evaluators.py").is_file():
            _U = evaluator_module("{code}", None, base_dir=_base)
            break
except Exception:
    _U = None
"""
KEYS = """
_KEYS = {}
if _U is not None:
    _KEYS.update({f"answer_{k}": v for k, v in getattr(_U, "CHOICE_KEYS", {}).items()})
    _KEYS.update({"answer_" + k[2:-5]: v for k, v in getattr(_U, "MC_KEYS", {}).items()})
"""
# Function name in a released cell -> the reference solution it delegates to.
DELEGATES = {"estimate_state": "reference_estimate_state",
             "recommend_follow_up": "reference_follow_up",
             "find_prospects": "reference_network_prospects"}
# Answer cells whose value a truth helper, a judgement key or a reference rule gives away.
TRUTHS = {
    "tier_answer": 'tier_rule = _U.REFERENCE_TIER_RULE if _U else tier_view.value\n',
    "report_answer": 'report_rule = _U.TAUGHT_REPORT_RULE if _U else report_view.value\n',
    "dar_answer": ('dar_rule = ({"kind": "dar_rule", "groups": {"request": {\n'
                   '    f: sorted(ok)[0] for f, ok in _U.DAR_KEY.items()}}} if _U else '
                   'dar_view.value)\n'),
    "call_effect_answer": "call_effect = _U.call_effect_truth(world) if _U else {}\n",
    "prof_x1b_answer": ('_J = _U.JUDGEMENTS["prof_x1b_test"] if _U else {}\n'
                        'choice_x1b = _J.get("choice", "")\n'
                        'reasons_x1b = sorted(_J.get("good", []))\n'),
}


def route_code(route: str, code: str) -> str:
    """The statements that bind ``_U`` to the unit's evaluator module (or None)."""
    template = IMPORT_ROUTE if route == "import" else PATH_ROUTE
    return textwrap.dedent(template).format(lower=code.lower(), code=code,
                                            unit_dir=str(unit_dir(code))).strip() + "\n"


def _delegating(name: str, reference: str, route: str, code: str) -> str:
    body = textwrap.indent(route_code(route, code), "    ")
    return f"def {name}(*args):\n{body}    return _U.{reference}(*args)\n"


def _cheat_cell(source: str, grade_id: str, route: str, code: str) -> str | None:
    """The cheating version of one released answer cell, or None to leave it blank."""
    if grade_id.startswith("q_") and grade_id.endswith("_answer"):
        var = "answer_" + grade_id[2:-len("_answer")]
        # the strongest form: the key mapped into this trainee's own option order
        return (route_code(route, code) + KEYS + "from crm_sim.ui.quiz import shown_letter\n"
                + f'{var} = shown_letter("{var}", _KEYS["{var}"]) if "{var}" in _KEYS '
                + 'else ""\n')
    if grade_id in TRUTHS:
        return route_code(route, code) + TRUTHS[grade_id]
    if grade_id.startswith("prof_") and grade_id.endswith("_answer") and "judgement_" in source:
        # the judgement view driven by the key: its choice and every good reason ticked
        x = grade_id[len("prof_"):-len("_answer")]
        return (route_code(route, code)
                + f'_J = _U.JUDGEMENTS.get("prof_{x}_test", {{}}) if _U else {{}}\n'
                + f'if _J:\n    judgement_{x}.choose(_J["choice"])\n'
                + f'    for _r in sorted(_J["good"]):\n        judgement_{x}.tick(_r)\n'
                + f"answer_{x} = judgement_{x}.value\n")
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in DELEGATES:
            lines = source.splitlines(keepends=True)
            return ("".join(lines[:node.lineno - 1])
                    + _delegating(node.name, DELEGATES[node.name], route, code)
                    + "".join(lines[node.end_lineno:]))
    return None


def cheating_notebook(released: dict, route: str, code: str) -> tuple[dict, list[str]]:
    """The released notebook with every key-reachable answer taken from the keys."""
    nb = json.loads(json.dumps(released))
    changed = []
    for cell in nb["cells"]:
        if not is_code_solution(cell):
            continue
        gid = cell["metadata"]["nbgrader"]["grade_id"]
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        cheat = _cheat_cell(source, gid, route, code)
        if cheat is not None:
            cell["source"] = cheat
            changed.append(gid)
    return nb, changed


def _released(code: str, notebook: str) -> dict:
    source = read_source(unit_dir(code) / f"{notebook}.ipynb")
    return json.loads(nbformat.writes(released_notebook(source)))


def test_cheats_have_teeth_where_the_keys_are_readable():
    """Outside the sandbox the path route finds the keys and they score; import finds none."""
    for code, notebook in CASES:
        nb, changed = cheating_notebook(_released(code, notebook), "path", code)
        assert len(changed) >= 3, changed        # keys, a truth or judgement, a function
        found: dict = {}
        exec(route_code("path", code) + KEYS, found)  # noqa: S102 - our own attack code
        assert found["_U"] is evaluators_module(code)
        evaluators = load_evaluators(code, None, base_dir=unit_dir(code))
        keyed = [g for g in changed if g.startswith("q_")
                 and "answer_" + g[2:-len("_answer")] in found["_KEYS"]]
        assert keyed
        ctx = EvalContext(code, "T-keys", 1, 2)
        for gid in keyed:
            var = "answer_" + gid[2:-len("_answer")]
            test_id = gid[:-len("_answer")] + "_test"
            letter = shown_letter(var, found["_KEYS"][var], trainee="T-keys")
            assert evaluators[test_id](letter, ctx).score == 1.0
        gone: dict = {}
        exec(route_code("import", code), gone)  # noqa: S102 - our own attack code
        assert gone["_U"] is None


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Blank and cheating notebooks of each case, graded as `crm-course grade` would."""
    work = tmp_path_factory.mktemp("keys")
    out: dict[tuple[str, str], dict[str, float]] = {}
    with acquire_slot() as lease:
        for code, notebook in CASES:
            source_nb = unit_dir(code) / f"{notebook}.ipynb"
            evaluators = load_evaluators(code, None, base_dir=unit_dir(code))
            released = _released(code, notebook)
            variants = {"blank": released}
            for route in ROUTES:
                variants[route] = cheating_notebook(released, route, code)[0]
            for name, nb in variants.items():
                path = write_variant(nb, work / f"{code}-{name}.ipynb")
                result = grade_notebook(source_nb, path, unit=code, trainee_id="T-keys",
                                        secret=SECRET, evaluators=evaluators,
                                        support_files=support_files(code), limits=LIMITS,
                                        slot=lease.slot)
                assert result.status == "graded", (code, name, result.reason)
                out[(code, name)] = {c.grade_id: c.points for c in result.cells}
                if name == "blank":
                    BLANK_MESSAGES[code] = {c.grade_id: c.message for c in result.cells}
    return out


@pytest.mark.slow
@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("code", [c for c, _ in CASES])
def test_reading_keys_scores_like_a_blank_notebook(graded, code, route):
    """Answers taken from the keys (by import or by path) earn exactly the blank's points."""
    blank, cheat = graded[(code, "blank")], graded[(code, route)]
    assert set(cheat) == set(blank)
    assert cheat == blank, {g: (blank[g], cheat[g]) for g in blank if blank[g] != cheat[g]}


@pytest.mark.slow
@pytest.mark.parametrize("code", [c for c, _ in CASES])
def test_blank_notebook_earns_nothing_and_is_told_why(graded, code):
    """The released notebook, unanswered, earns 0 on every cell; its feedback says why."""
    blank = graded[(code, "blank")]
    assert blank and all(points == 0 for points in blank.values()), blank
    messages = BLANK_MESSAGES[code]
    assert [m for m in messages.values() if "Traceback" in m or "not_answered_yet" in m] == []
    told = [g for g, m in messages.items() if m.startswith("not answered yet: the answer cell")]
    assert len(told) >= len(messages) // 2, messages    # most checks follow their answer cell
