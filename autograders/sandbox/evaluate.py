"""Run a submitted function outside the kernel, in a fresh sandbox per batch of calls.

Evaluators call this through `EvalContext.call_function`. Each batch gets its own
workspace and the same limits as the notebook; a call that hangs or kills its process is
marked and the remaining calls continue in a new process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from autograders.sandbox.executor import Workspace, run_sandboxed
from autograders.sandbox.limits import DEFAULT_LIMITS, Limits

STARTUP_GRACE_S = 20.0     # importing pandas in a cold process on a busy machine


@dataclass
class CallError:
    """A call of a submitted function that did not return a value.

    Attributes:
        kind: "raised", "timed_out", "memory_exceeded", "killed", "definition",
            "bad_result" or "not_a_function".
        message: short trainee-safe description (exception type and message).
    """

    kind: str
    message: str

    def __bool__(self) -> bool:
        return False


def function_source(artifact: Any) -> tuple[str, str] | None:
    """(name, source) of a ``{"__function__": ...}`` artefact, else None."""
    if not isinstance(artifact, dict):
        return None
    name, source = artifact.get("__function__"), artifact.get("source")
    if isinstance(name, str) and name.isidentifier() and isinstance(source, str):
        return name, source
    return None


def call_function(artifact: Any, args_list: list, *, limits: Limits = DEFAULT_LIMITS,
                  slot: int = 0) -> list[Any]:
    """Call a submitted function on each args (list = positional, dict = keyword).

    Returns:
        One entry per call: the plain result, or a `CallError` (falsy) saying why not.
    """
    found = function_source(artifact)
    if found is None:
        return [CallError("not_a_function", "the submitted value is not a function")
                for _ in args_list]
    name, source = found
    results: list[Any] = [None] * len(args_list)
    done = [False] * len(args_list)
    start = 0
    while start < len(args_list):
        batch = list(range(start, len(args_list)))
        got = _run_batch(name, source, [args_list[i] for i in batch], limits, slot)
        failure = got.pop("__fail__", None)
        for offset, item in got.items():
            results[batch[offset]] = item
            done[batch[offset]] = True
        # first call of the batch without an answer: it hung or killed the process
        missing = next((batch[o] for o in range(len(batch)) if o not in got), None)
        if missing is None:
            break
        results[missing] = failure if failure is not None else CallError(
            "timed_out", f"the call did not finish within {limits.cell_timeout_s:g} s")
        done[missing] = True
        start = missing + 1
    return results


def _run_batch(name: str, source: str, calls: list, limits: Limits, slot: int) -> dict:
    lines: list[dict] = []

    def on_line(raw: bytes) -> None:
        try:
            record = json.loads(raw)
        except ValueError:
            return
        if isinstance(record, dict):
            lines.append(record)

    ws = Workspace.create(slot, prefix="crm-fn-")
    try:
        job = json.dumps({"source": source, "name": name, "calls": calls}).encode()
        outcome = run_sandboxed(
            ["-I", "-m", "autograders.sandbox.funcrun"], ws, limits,
            wall_timeout_s=STARTUP_GRACE_S + limits.cell_timeout_s * len(calls),
            stdin=job, on_line=on_line, line_timeout_s=limits.cell_timeout_s,
            first_line_timeout_s=STARTUP_GRACE_S,
        )
    finally:
        ws.remove()
    got: dict[Any, Any] = {}
    for record in lines:
        i = record.get("i")
        if not isinstance(i, int) or not 0 <= i < len(calls) or i in got:
            continue
        if record.get("ok") is True:
            got[i] = record.get("value")
        else:
            got[i] = CallError(str(record.get("kind", "raised")),
                               str(record.get("error", "the call failed"))[:400])
    if not outcome.timed_out and outcome.returncode not in (0, None):
        got["__fail__"] = CallError(
            "killed", "the function's process was killed (memory limit or a crash)")
    return got
