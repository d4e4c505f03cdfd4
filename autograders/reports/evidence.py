"""Grading evidence in an assessor's words: sentences and small tables, not Python dicts.

Evaluators hand back plain data (``{"answer": "b"}``, ``{"precision": 0.9956, ...}``).
An assessor signs a record, so each piece is shown as a labelled fact: a knowledge
question with the option chosen, the key and the key's reasoning; a figure measured on
the unseen company said as such; rates as percentages; lists as words. Internal keys
(fingerprints) are left out: the record's flags already say when an answer matches the
model answer.
"""

from __future__ import annotations

import ast
import html
import json
from pathlib import Path
from typing import Any

from markupsafe import Markup

HIDDEN_KEYS = {"fingerprint", "matches_model_answer", "answer"}
RATE_WORDS = ("rate", "share", "rho", "f1", "precision", "recall", "compliance", "coverage",
              "completeness", "credit", "quality")
PLACES = {"where"}


def _label(key: str) -> str:
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _value(key: str, value: Any) -> str:
    """One value in words."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if any(w in key for w in RATE_WORDS) and -1.0 <= value <= 1.0:
            return f"{value:.0%}" if "rho" not in key else f"{value:.2f}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list | tuple):
        if not value:
            return "none"
        shown = [_value(key, v) for v in value[:8]]
        more = f" and {len(value) - 8} more" if len(value) > 8 else ""
        return ", ".join(shown) + more
    if isinstance(value, dict):
        if not value:
            return "none"
        return "; ".join(f"{_label(str(k)).lower()}: {_value(str(k), v)}"
                         for k, v in list(value.items())[:8])
    return str(value)


def choice_context(unit_dir: Path, release_dir: Path, evaluators: str | None) -> dict[str, dict]:
    """Knowledge questions of a unit: grade_id -> {question, options, key, reason}.

    The question and options come from the released notebooks' ``ask(...)`` calls; the
    key and its reasoning from the unit's evaluator module (``CHOICE_KEYS``,
    ``CHOICE_HINTS``) when it loads. Anything missing is simply not shown.
    """
    asked: dict[str, dict[str, Any]] = {}
    for nb_path in sorted(Path(release_dir).glob("*.ipynb")):
        try:
            cells = json.loads(nb_path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        for cell in cells:
            src = cell.get("source", "")
            src = "".join(src) if isinstance(src, list) else str(src)
            if "ask(" not in src:
                continue
            try:
                tree = ast.parse(src)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ask"
                        and len(node.args) >= 3):
                    try:
                        var, question, options = (ast.literal_eval(a) for a in node.args[:3])
                    except ValueError:
                        continue
                    if isinstance(var, str) and isinstance(options, dict):
                        asked[var.removeprefix("answer_")] = {"question": str(question),
                                                              "options": options}
    keys: dict[str, str] = {}
    hints: dict[str, str] = {}
    try:
        from autograders.checks.registry import evaluator_module

        module = evaluator_module(Path(unit_dir).name, evaluators, base_dir=Path(unit_dir))
        keys = dict(getattr(module, "CHOICE_KEYS", {}) or {})
        hints = dict(getattr(module, "CHOICE_HINTS", {}) or {})
    except Exception:  # noqa: BLE001, S110 - a record without the key is still a record
        pass
    out: dict[str, dict] = {}
    for k, info in asked.items():
        out[f"q_{k}_test"] = {**info, "key": keys.get(k), "reason": hints.get(k)}
    return out


def _rows(rows: list[tuple[str, str]]) -> str:
    return "".join(f"<tr><th>{html.escape(a)}</th><td>{html.escape(b)}</td></tr>"
                   for a, b in rows)


def evidence_html(cell: Any, choices: dict[str, dict] | None = None) -> Markup:
    """A cell's evidence as a small table of facts (escaped; empty when there is none)."""
    ev = cell.evidence if isinstance(getattr(cell, "evidence", None), dict) else {}
    choices = choices or {}
    rows: list[tuple[str, str]] = []
    quiz = choices.get(cell.grade_id)
    if quiz is not None and ("answer" in ev or "choice" in ev):
        chosen = ev.get("answer", ev.get("choice"))
        # options may be shown in each trainee's own order: "option" is the author's
        # letter the grader mapped the trainee's letter back to (the key uses those)
        orig = ev.get("option") or chosen
        opts = quiz.get("options", {})
        shown = f" (shown to the trainee as {chosen})" if chosen and orig != chosen else ""
        # the decision facts first: a printed record keeps the first lines of a cell
        rows.append(("Chosen", f"{orig}) {opts.get(orig, '')}{shown}" if chosen else
                     "no valid answer given"))
        if quiz.get("key"):
            rows.append(("Key", f"{quiz['key']}) {opts.get(quiz['key'], '')}"))
        if quiz.get("reason"):
            rows.append(("Key's reasoning", quiz["reason"]))
        rows.append(("Question", quiz["question"]))
    elif isinstance(ev.get("answer"), str) and len(ev["answer"]) <= 2:
        rows.append(("Chosen", ev["answer"]))
    place = next((str(ev[k]) for k in PLACES if k in ev), "")
    for key, value in ev.items():
        if key in HIDDEN_KEYS or key in PLACES or (quiz and key in ("choice", "option")):
            continue
        rows.append((_label(key), _value(key, value)))
    if not rows:
        return Markup("")
    lead = (f"<p class='evlead'>Measured on {html.escape(place)}, which the trainee never "
            "saw.</p>" if place else "")
    return Markup(f"{lead}<table class='ev'>{_rows(rows)}</table>")
