"""A trainee's journey through one released notebook, every exercise done in its widget.

The journey is driven by data, not written per exercise: each answer cell's model answer
(in the unit's source notebook, which the browser never opens) says what to do in the
view above it, one method call per step; `viewdrivers.DRIVERS` turns each call into the
clicks, picks and keystrokes a person makes. Multiple-choice answers are clicked in the
question's widget and the line it shows is typed into the answer cell. The trainee then
types the one line the view shows under itself (``segment_summary = summary_view.replay(
[...])``, what they did in the page, which grading does again) and runs the check cell,
which must say "ready to submit".

What a unit adds is one file ``journeys/<CODE>.py`` (see docs/browser-tests.md).
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from labdriver import LabNotebook, read_cells
from viewdrivers import DRIVERS

# the released stub (autograders.answer_stub): a comment per language, then the call
PLACEHOLDER = re.compile(r"(?:# ✎ [^\n]*\n\s*)+from crm_sim\.ui\.answer_cell import "
                         r"not_answered_yet\n\s*not_answered_yet\(\)")
HINT = re.compile(r'(\w+) = "([a-z])"')
_JSONABLE = ("def _jsonable(o):\n"
             "    if hasattr(o, 'item'): return o.item()\n"
             "    if hasattr(o, 'tolist'): return o.tolist()\n"
             "    if isinstance(o, (set, tuple)): return list(o)\n"
             "    return str(o)\n")


@dataclass
class Ctx:
    """What a view driver may ask: the kernel, about the view named `var`."""

    nb: LabNotebook
    var: str

    def ask(self, expr: str):
        """The JSON value of `expr` in the trainee's kernel (what the screen shows)."""
        got = self.nb.kernel_eval(f"import json as _json\n{_JSONABLE}"
                                  f"print(_json.dumps(({expr}), default=_jsonable))")
        try:
            return json.loads(got)
        except json.JSONDecodeError as exc:
            raise AssertionError(f"kernel could not tell {expr}: {got}") from exc


@dataclass
class Step:
    """What happened at one exercise, for the report and the assertions."""

    grade_id: str
    how: str
    detail: list[str] = field(default_factory=list)


def solution_body(source: str) -> str:
    """The model answer between the solution markers (whole source if none)."""
    if "### BEGIN SOLUTION" not in source:
        return source
    return source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]


def answer_source(released: str, lines: list[str]) -> str:
    """The released answer cell with the placeholder replaced by the trainee's lines."""
    assert PLACEHOLDER.search(released), f"no placeholder in released cell:\n{released}"
    return PLACEHOLDER.sub(lambda _m: "\n".join(lines), released, count=1)


def _args(ctx: Ctx, call: ast.Call):
    """A call's arguments, evaluated in the kernel now (after the clicks before it)."""
    if not call.args and not call.keywords:
        return [], {}
    code = ("[" + ", ".join(ast.unparse(a) for a in call.args) + "], {"
            + ", ".join(f"{k.arg!r}: {ast.unparse(k.value)}" for k in call.keywords) + "}")
    args, kwargs = ctx.ask(code)
    return args, kwargs


class NotebookJourney:
    """Walk one released notebook top to bottom as a no-code trainee."""

    def __init__(self, nb: LabNotebook, source_file: Path, artifacts: Path, unit,
                 name: str):
        self.nb, self.unit, self.name, self.artifacts = nb, unit, name, artifacts
        self.source = read_cells(source_file)
        self.steps: list[Step] = []

    def walk(self) -> list[Step]:
        """Run every cell; do each exercise in its widget; check every check cell."""
        nb = self.nb
        for cell in nb.cells:
            if cell.kind != "code":
                continue
            model = self.source[cell.index].source
            if "BEGIN SOLUTION" not in model:
                nb.run(cell.index)
                if cell.grade_id and cell.graded:
                    self._checked(cell)
                continue
            if cell.grade_id in self.unit.LEFT_AS_RELEASED:
                nb.run(cell.index)          # analyst track: a no-code trainee leaves it
                self.steps.append(Step(cell.grade_id, "left as released"))
                continue
            body = solution_body(model)
            tree = ast.parse(body)
            first = tree.body[0]
            if (len(tree.body) == 1 and isinstance(first, ast.Assign)
                    and isinstance(first.value, ast.Call)
                    and ast.unparse(first.value.func) == "shown_letter"):
                self._quiz(cell, first)
            else:
                self._exercise(cell, tree)
        return self.steps

    # -- the two kinds of answer -----------------------------------------------------------
    def _quiz(self, cell, assign: ast.Assign) -> None:
        """Click the right option in the question's widget; type the line it shows."""
        nb = self.nb
        key = assign.targets[0].id
        shown = Ctx(nb, key).ask(ast.unparse(assign.value))
        named = [c.index for c in nb.cells[:cell.index]
                 if c.kind == "code" and re.search(rf"ask\(\s*[\"']{key}[\"']", c.source)]
        # a unit's own helper may ask by question id (desk.ask_question(text, "q_k1a")):
        # then the question is the code cell just above its answer cell
        asked = max(named) if named else max(c.index for c in nb.cells[:cell.index]
                                             if c.kind == "code")
        out = nb.output(asked)
        out.get_by_role("radio", name=re.compile(rf"^\s*{shown}\)")).check()
        hint = out.locator(".widget-html-content", has_text="answer cell").first
        hint.wait_for()
        line = HINT.search(hint.inner_text())
        assert line and line.group(1) == key and line.group(2) == shown, hint.inner_text()
        nb.shot(self.artifacts, f"{self.name}-{key}-clicked", asked)
        nb.type_into(cell.index, answer_source(cell.source, [line.group(0)]))
        nb.run(cell.index)
        assert nb.errors(cell.index) == [], (cell.grade_id, nb.errors(cell.index))
        self.steps.append(Step(cell.grade_id, "quiz", [line.group(0)]))

    def _exercise(self, cell, tree: ast.Module) -> None:
        """Each call on the view becomes what a person does; then the value is taken."""
        nb = self.nb
        calls = [s.value for s in tree.body
                 if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
                 and isinstance(s.value.func, ast.Attribute)]
        takes = [ast.unparse(s) for s in tree.body if isinstance(s, ast.Assign)]
        assert calls and takes, f"{cell.grade_id}: no view calls or no value taken"
        var = ast.unparse(calls[0].func.value)
        shown_at = max(c.index for c in nb.cells[:cell.index]
                       if c.kind == "code" and re.search(rf"^{var}\s*=", c.source, re.M))
        out = nb.output(shown_at)
        out.locator(".jupyter-widgets").first.wait_for()
        ctx = Ctx(nb, var)
        cls = ctx.ask(f"type({var}).__name__")
        step = Step(cell.grade_id, f"widget {cls}")
        for call in calls:
            method = call.func.attr
            driver = DRIVERS.get(cls, {}).get(method)
            assert driver, (f"no driver for {cls}.{method}: add one to "
                            "tests/browser/viewdrivers.py DRIVERS")
            args, kwargs = _args(ctx, call)
            for act in driver(ctx, *args, **kwargs):
                act(nb, out)
                step.detail.append(f"{act.how} {act.label} {act.value!r}"[:120])
        nb.shot(self.artifacts, f"{self.name}-{cell.grade_id}-built", shown_at)
        assert "Traceback" not in out.inner_text(), f"{cls} printed a traceback"
        target = takes[-1].split("=")[0].strip()
        # the line the view shows under itself: what the trainee built, replayable
        hand_in = out.locator("code.crm-hand-in").last
        if step.detail:
            hand_in.wait_for()
            line = f"{target} = {hand_in.inner_text().strip()}"
        else:                      # nothing to do in the view: its value as it stands
            line = takes[-1]
        step.detail.append(line[:200])
        nb.type_into(cell.index, answer_source(cell.source, [line]))
        nb.run(cell.index)
        assert nb.errors(cell.index) == [], (cell.grade_id, nb.errors(cell.index))
        same = nb.kernel_eval(
            "from autograders.checks.serialize import to_plain as _tp\n"
            f"print(_tp({target}, 'x') == _tp({var}.value, 'x'))")
        assert same.strip() == "True", f"{target} is not what the view holds: {same}"
        self.steps.append(step)

    def _checked(self, cell) -> None:
        """A check cell: its words must say the answer is ready to submit."""
        text = self.nb.text_of(cell.index)
        self.nb.shot(self.artifacts, f"{self.name}-{cell.grade_id}", cell.index)
        assert "ready to submit" in text and "not ready" not in text, (
            f"{cell.grade_id} says:\n{text[-1500:]}")
