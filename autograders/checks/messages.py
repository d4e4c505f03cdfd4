"""Trainee-safe message parts: quoting trainee values, capping evidence, unseen-run failures.

Why one module: every place that echoes a trainee's value (an evaluator message, a
verdict's evidence, a grader note) cuts it the same way, so an answer of 5 MB cannot be
copied whole into the status database, the gradebook or a feedback page. And a
submitted function that fails on the unseen company is described by a fixed phrase and
a *built-in* exception name only: its exception text, or the name of an exception class
it made up at run time, could carry hidden-world data out to the trainee.
"""

from __future__ import annotations

import builtins
import json
import re
from typing import Any

QUOTE_MAX = 200               # characters of a trainee-provided value echoed anywhere
MESSAGE_MAX = 2000            # characters of a whole trainee-facing message
EVIDENCE_MAX_BYTES = 20_000   # JSON size of one cell's evidence in the database
EVIDENCE_MAX_ITEMS = 50       # list items / dict keys kept per level of evidence
UNSEEN = "while running on the unseen company"
_ELLIPSIS = "…"


def quote(value: Any, limit: int = QUOTE_MAX) -> str:
    """`value` as shown back to a trainee: its repr (str as is), at most `limit` characters.

    Args:
        value: anything a trainee provided (an answer, a name, a table cell).
        limit: the cap; the default is the course-wide 200 characters.

    Returns:
        The text, cut with a trailing "…" when longer than `limit`.
    """
    try:
        text = value if isinstance(value, str) else repr(value)
    except Exception:  # noqa: BLE001 - a repr that raises is still a value to name
        text = f"<{type(value).__name__}>"
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + _ELLIPSIS


def cap_message(message: Any, limit: int = MESSAGE_MAX) -> str:
    """A whole trainee-facing message, cut to `limit` characters (a last line of defence)."""
    return quote(str(message), limit)


def cap_evidence(evidence: Any, max_bytes: int = EVIDENCE_MAX_BYTES) -> Any:
    """Plain evidence with every string cut to `QUOTE_MAX` and long lists/dicts shortened.

    Evidence is for assessors and lives in the status database and the reports; a cap
    keeps one hostile answer from bloating them. When the capped form is still larger
    than `max_bytes` (deep nesting), only its size and a note remain.
    """
    capped = _cap(evidence, depth=0)
    try:
        size = len(json.dumps(capped, default=str))
    except (TypeError, ValueError, RecursionError):
        return {"evidence_dropped": "the evidence was not plain data"}
    if size > max_bytes:
        return {"evidence_dropped": f"the evidence was {size:,} bytes after capping; the "
                                    f"limit is {max_bytes:,}"}
    return capped


def _cap(value: Any, depth: int) -> Any:
    if depth > 8:
        return quote(value, 40)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, dict):
        items = list(value.items())
        out = {quote(str(k), 80): _cap(v, depth + 1) for k, v in items[:EVIDENCE_MAX_ITEMS]}
        if len(items) > EVIDENCE_MAX_ITEMS:
            out["…"] = f"{len(items) - EVIDENCE_MAX_ITEMS} more entries"
        return out
    if isinstance(value, (list, tuple)):
        out_list = [_cap(v, depth + 1) for v in list(value)[:EVIDENCE_MAX_ITEMS]]
        if len(value) > EVIDENCE_MAX_ITEMS:
            out_list.append(f"… {len(value) - EVIDENCE_MAX_ITEMS} more items")
        return out_list
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return quote(value)


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,79}")


def builtin_exception_name(name: Any) -> str:
    """`name` when it is a built-in exception class's name, else "an exception".

    A submitted function can raise an exception class it built at run time with any
    name (``type(hidden_id, (Exception,), {})``); only names of Python's own exception
    classes are safe to echo.
    """
    if isinstance(name, str) and _IDENT.fullmatch(name):
        found = getattr(builtins, name, None)
        if isinstance(found, type) and issubclass(found, BaseException):
            return name
    return "an exception"


# What a failed call on the unseen company may say: one fixed phrase per kind.
_UNSEEN_KIND = {
    "timed_out": "did not finish in time",
    "memory_exceeded": "ran out of memory",
    "killed": "was stopped (its process was killed)",
    "bad_result": "returned a value that cannot be graded",
    "not_a_function": "is not a function",
    "definition": "could not be defined",
}


def unseen_failure(name: str, failure: Any) -> str:
    """How a submitted function's failed call on hidden data is told to the trainee.

    Args:
        name: the function's expected name (from the exercise, not from the trainee).
        failure: the failed call (a `CallError`: ``kind`` and ``message``) or its kind.

    Returns:
        e.g. "qualify_leads raised KeyError while running on the unseen company" -- the
        exception *type* only (a built-in one), never its text.
    """
    kind = getattr(failure, "kind", failure)
    if kind in ("raised", "definition"):
        detail = str(getattr(failure, "message", "") or "")
        names = [builtin_exception_name(w) for w in _IDENT.findall(detail)]
        exc = next((n for n in names if n != "an exception"), "an exception")
        if kind == "definition":
            return f"{name} could not be defined ({exc}) {UNSEEN}"
        return f"{name} raised {exc} {UNSEEN}"
    return f"{name} {_UNSEEN_KIND.get(kind, 'failed')} {UNSEEN}"


DECISION_KEY = "decision_rule"
DECISION_ITEMS = 12


def decision_summary(value: Any) -> dict[str, Any] | None:
    """A no-code decision (a rule as data) as the assessor's record shows it, bounded.

    Why: the record must say which decision rule the grader applied on the unseen company,
    in words; the rule is the trainee's own artefact, so showing it leaks nothing. Only
    rules are summarised: a mapping that is not a submitted function or a tagged table.
    At most `DECISION_ITEMS` entries per level, every text cut by `quote`.

    Returns:
        Plain data (str, numbers, bools, short lists and dicts), or None for anything that
        is not a rule.
    """
    if not isinstance(value, dict) or not value or any(
            k in value for k in ("__function__", "__frame__", "__series__")):
        return None

    def plain(v: Any, depth: int) -> Any:
        if isinstance(v, bool) or v is None or isinstance(v, int | float):
            return v
        if isinstance(v, str):
            return quote(v)
        if depth >= 2:
            return quote(v, 80)
        if isinstance(v, dict):
            return {quote(str(k), 60): plain(x, depth + 1)
                    for k, x in list(v.items())[:DECISION_ITEMS]}
        if isinstance(v, list | tuple):
            return [plain(x, depth + 1) for x in list(v)[:DECISION_ITEMS]]
        return quote(v, 80)

    return plain(value, 0)

