"""Multiple-choice items of a unit, read from its source notebooks, and their give-aways.

An item is an ``ask("answer_k1", question, {"a": ..., ...})`` call in a code cell; its
key is the letter the source notebook's solution gives, either plainly
(``answer_k1 = "b"``) or through ``shown_letter("answer_k1", "b")`` (the solution that is
right for every trainee's option order). Reading the notebook, not the evaluators, keeps
this check free of any unit's code.

`longest_key_warning` is what `crm-course check` reports when the key is the longest
option in more than a third of a unit's items: a test-wise trainee who always picks the
longest option would then pass on test-taking, not knowledge.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path

LONGEST_KEY_SHARE = 1 / 3     # more than this share of items with the longest key warns


@dataclass(frozen=True)
class ChoiceItem:
    """One multiple-choice item: where it is, its options and (if found) its key."""

    notebook: str
    key: str
    options: dict[str, str]
    answer: str | None

    @property
    def longest_is_key(self) -> bool:
        """True when the key is strictly longer than every other option."""
        if self.answer not in self.options:
            return False
        others = [len(t) for k, t in self.options.items() if k != self.answer]
        return bool(others) and len(self.options[self.answer]) > max(others)


def _code_cells(nb_path: Path) -> list[str]:
    try:
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    out = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            src = cell.get("source", "")
            out.append("".join(src) if isinstance(src, list) else str(src))
    return out


def _parse(source: str) -> ast.Module | None:
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _literal(node: ast.expr | None):
    try:
        return ast.literal_eval(node) if node is not None else None
    except (ValueError, SyntaxError, TypeError):
        return None


def _asks(tree: ast.Module) -> list[tuple[str, dict[str, str]]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) == "ask" and len(node.args) >= 3:
            key, options = _literal(node.args[0]), _literal(node.args[2])
            if isinstance(key, str) and isinstance(options, dict) and all(
                    isinstance(k, str) and isinstance(v, str) for k, v in options.items()):
                found.append((key, options))
    return found


def _answers(tree: ast.Module) -> dict[str, str]:
    out = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            continue
        value = node.value
        if isinstance(value, ast.Call) and _name(value.func) == "shown_letter" \
                and len(value.args) >= 2:
            value = value.args[1]
        letter = _literal(value)
        if isinstance(letter, str) and len(letter) == 1:
            out[node.targets[0].id] = letter.lower()
    return out


def choice_items(unit_dir: str | Path) -> list[ChoiceItem]:
    """Every `ask(...)` item of the unit's source notebooks, with its key when found."""
    items = []
    for nb_path in sorted(Path(unit_dir).glob("*.ipynb")):
        asks: list[tuple[str, dict[str, str]]] = []
        answers: dict[str, str] = {}
        for source in _code_cells(nb_path):
            tree = _parse(source)
            if tree is None:
                continue
            asks += _asks(tree)
            answers.update(_answers(tree))
        items += [ChoiceItem(nb_path.stem, key, opts, answers.get(key)) for key, opts in asks]
    return items


def longest_key_warning(unit_dir: str | Path) -> str | None:
    """A warning when the key is the longest option in more than a third of the items."""
    items = [i for i in choice_items(unit_dir) if i.answer is not None]
    longest = [i.key for i in items if i.longest_is_key]
    if not items or len(longest) <= LONGEST_KEY_SHARE * len(items):
        return None
    return (f"warning: the key is the longest option in {len(longest)} of {len(items)} "
            f"multiple-choice items ({', '.join(longest)}): a trainee who picks the longest "
            "option passes on test-taking; write distractors of similar length and "
            "plausibility")
