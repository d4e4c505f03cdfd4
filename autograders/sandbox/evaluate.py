"""Run submitted code outside the kernel: functions and SQL queries, each in the jail.

Evaluators call this through `EvalContext.call_function` and `EvalContext.run_sql`. Each
batch gets its own workspace and the same limits as the notebook; a call that hangs or
kills its process is marked and the remaining calls continue in a new process.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from typing import Any

from autograders.sandbox.executor import Workspace, json_records, run_sandboxed
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

    on_line = json_records(lines)

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


SQL_RESULT_BYTES = 20_000_000     # JSON of the capped rows; more is a failed query


def run_sql(db_path: Any, query: Any, *, limits: Limits = DEFAULT_LIMITS, slot: int = 0,
            max_rows: int | None = None, params: dict | None = None) -> Any:
    """Run a submitted SQL query on a copy of a saved world, inside the jail.

    `params` (plain values chosen by the grader) are bound to the query's ``:name``
    placeholders inside the jail.

    Why not in the grading process: sqlite checks its own time limit only every few
    thousand VM steps (one ``randomblob`` per row held a worker 40 s) and allocates
    whatever the query asks (``zeroblob`` took a worker to 2 GB). In the jail the wall
    clock is enforced from outside and memory by RLIMIT_AS, and only the capped rows
    come back.

    Returns:
        A pandas DataFrame of the result, or a falsy `CallError` saying why not.
    """
    import pandas as pd

    lines: list[dict] = []

    on_line = json_records(lines)

    ws = Workspace.create(slot, prefix="crm-sql-")
    try:
        copy = ws.path / "world.sqlite"
        shutil.copyfile(db_path, copy)
        copy.chmod(0o400)
        ws.give(copy)
        job = json.dumps({"db": str(copy), "query": query, "max_rows": max_rows,
                          "timeout_s": limits.cell_timeout_s,
                          "params": dict(params or {})}).encode()
        outcome = run_sandboxed(
            ["-I", "-m", "autograders.sandbox.sqlrun"], ws, limits,
            wall_timeout_s=STARTUP_GRACE_S + limits.cell_timeout_s, stdin=job,
            stdout_cap=SQL_RESULT_BYTES, on_line=on_line,
            line_timeout_s=limits.cell_timeout_s, first_line_timeout_s=STARTUP_GRACE_S)
    finally:
        ws.remove()
    record = next((r for r in lines if "ok" in r), None)
    if outcome.stdout_truncated:
        return CallError("bad_result", "the query's result is too large; aggregate it")
    if record is None:
        if outcome.timed_out:
            return CallError("timed_out",
                             f"the query did not finish within {limits.cell_timeout_s:g} s")
        return CallError("killed", "the query's process was killed (memory limit or a crash)")
    if record.get("ok") is not True:
        return CallError(str(record.get("kind", "raised")),
                         str(record.get("error", "the query failed"))[:400])
    try:
        return pd.DataFrame(record.get("rows") or [], columns=record.get("columns") or None)
    except (TypeError, ValueError):
        return CallError("bad_result", "the query's result could not be read back")
