"""Grade one notebook of one trainee: read, check, restore, execute, evaluate, redact.

`grade_notebook` never raises for anything a trainee can cause: every problem becomes a
submission status and a reason (see `autograders.results`). It runs the steps of the
other modules in order and owns the last one: turning artefacts into `CellResult`s and
building the feedback notebook.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import stat
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autograders.checks.context import EvalContext, hidden_seed, language_of
from autograders.checks.messages import (
    DECISION_KEY,
    builtin_exception_name,
    cap_evidence,
    cap_message,
    decision_summary,
    quote,
)
from autograders.checks.serialize import is_plain, to_plain
from autograders.checks.submit import MAX_ARTIFACT_BYTES, artifact_name
from autograders.feedback_words import say, status_word
from autograders.results import (
    BREACHES_KEY,
    BREACHES_MAX,
    FEEDBACK_OUTPUTS_KEY,
    SUBMITTED_OUTPUTS,
    CellResult,
    SubmissionResult,
    Verdict,
)
from autograders.sandbox import ahead, bwrap
from autograders.sandbox.limits import DEFAULT_LIMITS, Limits
from autograders.sandbox.prepare import (
    Prepared,
    SubmissionProblem,
    label_of,
    prepare,
    read_source,
    read_submission,
)

log = logging.getLogger(__name__)

STARTUP_GRACE_S = 30.0      # kernel start on a busy 2-core machine


def grade_notebook(source_nb: Path, submission: Path | None, *, unit: str, trainee_id: str,
                   secret: str, evaluators: dict[str, Callable], support_files: list[Path] = (),
                   limits: Limits = DEFAULT_LIMITS, slot: int = 0,
                   spare_slot: int | None = None) -> SubmissionResult:
    """Grade one submission of one source notebook in a fresh sandbox.

    Args:
        source_nb: the trusted source notebook (solutions, hidden tests, nbgrader metadata).
        submission: the trainee's notebook file (None or a missing path: "missing").
        unit: unit code, e.g. "ITCSCR304A".
        trainee_id: whose submission this is (seeds their world).
        secret: the course secret (derives the hidden seed; never enters the sandbox).
        evaluators: ``{grade_id: fn(artifact, ctx) -> Verdict}`` (see `load_evaluators`).
        support_files: files/directories copied next to the notebook (data, helpers).
        limits: sandbox limits.
        slot: worker index; concurrent runs should use distinct slots (each slot's uid
            has its own process budget).
        spare_slot: a second slot of the same worker: when given, the kernel of the
            worker's next notebook is started on whichever of the two this notebook
            did not use, while this one is evaluated (`autograders.sandbox.ahead`).

    Returns:
        A `SubmissionResult`; its status says whether the run completed.
    """
    start = time.monotonic()
    name = Path(source_nb).name
    result = SubmissionResult(trainee_id=trainee_id, unit=unit, notebook=name, status="error")
    try:
        result.world_seed = _world_seed(trainee_id, unit)
        result.sandboxed = bwrap.jailed()
        _grade(Path(source_nb), submission, unit, trainee_id, secret, evaluators,
               [Path(p) for p in support_files], limits, slot, result, spare_slot)
    except Exception as exc:  # noqa: BLE001 - a grader bug must not stop the cohort
        log.exception("grader error on %s/%s", trainee_id, name)
        result.status = "error"
        result.reason = quote(f"the grader failed on this submission ({type(exc).__name__}: "
                              f"{exc})", 500)
    result.duration_s = round(time.monotonic() - start, 3)
    return result


def _world_seed(trainee_id: str, unit: str) -> int | None:
    try:
        from crm_sim.trainee import trainee_seed
    except ImportError:
        return None
    try:
        return int(trainee_seed(trainee_id, unit))
    except Exception:  # noqa: BLE001 - unknown unit in crm_sim: no world for it
        return None


def _grade(source_nb: Path, submission: Path | None, unit: str, trainee_id: str, secret: str,
           evaluators: dict[str, Callable], support: list[Path], limits: Limits, slot: int,
           result: SubmissionResult, spare_slot: int | None = None) -> None:
    source = read_source(source_nb)
    try:
        sub, notes = read_submission(submission, limits)
        prepared = prepare(source, sub)
    except SubmissionProblem as problem:
        result.status, result.reason = problem.status, problem.reason
        return
    prepared.notes[:0] = notes
    run = _execute(prepared, trainee_id, support, limits, slot, spare_slot)
    if spare_slot is not None:
        # the next notebook's kernel boots on the other slot while this one is evaluated
        ahead.prepare_next(support, limits, spare_slot if run["slot"] == slot else slot)
    status, reason, stop_index = _run_status(prepared, run)
    ctx = EvalContext(unit=unit, trainee_id=trainee_id,
                      trainee_seed=result.world_seed if result.world_seed is not None else 0,
                      hidden_seed=_hidden(secret, trainee_id, unit), limits=limits,
                      slot=run["slot"], lang=language_of(support, trainee_id))
    verdicts = _evaluate(prepared, run, stop_index, evaluators, ctx, name=result.notebook,
                         source=source)
    result.cells = verdicts + _manual(prepared, result.notebook, ctx.lang)
    result.status = status
    result.reason = cap_message("; ".join([r for r in [reason, *prepared.notes] if r]))
    result.executed_notebook = _feedback(prepared, run.get("cells"), result.cells, ctx.lang)
    result.grading_outputs = _grading_outputs(prepared, run.get("cells"))


def _hidden(secret: str, trainee_id: str, unit: str) -> int:
    try:
        return hidden_seed(secret, trainee_id, unit)
    except Exception:  # noqa: BLE001 - crm_sim.trainee missing/unknown unit: still secret
        import hashlib

        digest = hashlib.sha256(f"{secret}\0{trainee_id}\0{unit}".encode()).digest()
        return int.from_bytes(digest[:4], "big")


# --------------------------------------------------------------------------- execution
def _execute(prepared: Prepared, trainee_id: str, support: list[Path], limits: Limits,
             slot: int, spare_slot: int | None = None) -> dict[str, Any]:
    """Run the prepared notebook in a fresh jailed kernel; return events, cells, artefacts.

    With `spare_slot` the worker's child started ahead (`autograders.sandbox.ahead`) is
    used when it fits; one that failed before its notebook arrived is replaced by a cold
    start, so a failed early start never becomes the trainee's result. ``slot`` in the
    result is the slot the notebook ran on (its evaluator calls use the same).
    """
    started = ahead.take(support, limits) if spare_slot is not None else None
    if started is not None:
        run = _run_notebook(started, prepared, trainee_id, limits)
        if not run["stale"]:
            return run
        log.warning("a kernel started ahead failed before its notebook; starting a fresh one")
    return _run_notebook(ahead.launch(support, limits, slot), prepared, trainee_id, limits)


def _run_notebook(started: ahead.Started, prepared: Prepared, trainee_id: str,
                  limits: Limits) -> dict[str, Any]:
    """Hand the notebook to a started child, wait for it, read the artefacts, clean up."""
    job = json.dumps({"notebook": prepared.notebook, "trainee_id": trainee_id,
                      "cell_timeout_s": limits.cell_timeout_s,
                      "notebook_timeout_s": limits.notebook_timeout_s,
                      "output_bytes": limits.output_bytes}).encode()
    try:
        outcome = started.run.finish(job, wall_timeout_s=limits.notebook_timeout_s
                                     + STARTUP_GRACE_S)
        artifacts = _read_artifacts(started.art, prepared)
    finally:
        started.ws.remove()
    events = started.events
    final = next((e for e in reversed(events) if e.get("event") == "result"), None)
    crash = next((e for e in events if e.get("event") == "crash"), None)
    stale = started.ahead and final is None and (
        not started.ready() or any(e.get("event") == "stale" for e in events))
    begun = [e.get("index") for e in events if e.get("event") == "start"]
    return {"final": final, "crash": crash, "last_started": begun[-1] if begun else None,
            "cells": final.get("cells") if final else None, "artifacts": artifacts,
            "outcome": outcome, "slot": started.slot, "stale": stale}


def _read_artifacts(art: Path, prepared: Prepared) -> dict[str, Any]:
    """Read each expected artefact: no symlinks, regular files, size-capped, JSON only."""
    found: dict[str, Any] = {}
    try:
        dir_fd = os.open(art, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return found
    try:
        for gid in prepared.tests:
            try:
                fd = os.open(artifact_name(gid), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK,
                             dir_fd=dir_fd)
            except OSError:
                continue
            try:
                info = os.fstat(fd)
                if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ARTIFACT_BYTES + 4096:
                    found[gid] = {"__bad__": "the answer file is not a plain file or too large"}
                    continue
                with os.fdopen(os.dup(fd), "rb") as fh:
                    raw = fh.read(MAX_ARTIFACT_BYTES + 4097)
            finally:
                os.close(fd)
            try:
                record = json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
            except (ValueError, RecursionError):
                found[gid] = {"__bad__": "the answer file is not valid JSON"}
                continue
            found[gid] = record
    finally:
        os.close(dir_fd)
    return found


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not plain JSON")


def _run_status(prepared: Prepared, run: dict[str, Any]) -> tuple[str, str, int | None]:
    """Submission status, reason, and the executed-cell index where execution stopped."""
    final, outcome = run["final"], run["outcome"]
    if final is not None:
        stop = final.get("stop")
        if not stop:
            return "graded", "", None
        index = stop.get("index") if isinstance(stop.get("index"), int) else run["last_started"]
        where = label_of(prepared, index)
        kind = stop.get("kind")
        if kind == "timeout":
            return "timed_out", f"timed out in cell {where}", index
        if kind == "memory" or outcome.memory_killed:
            return "memory_exceeded", f"memory limit exceeded in cell {where}", index
        return "kernel_died", f"the kernel died in cell {where}", index
    index = run["last_started"]
    where = label_of(prepared, index)
    if outcome.timed_out:
        return "timed_out", f"timed out in cell {where} (notebook time limit)", index
    if outcome.memory_killed:
        return "memory_exceeded", f"memory limit exceeded in cell {where}", index
    if run["crash"] is not None:
        log.error("sandbox child crashed: %s", run["crash"].get("error"))
        if "MemoryError" in str(run["crash"].get("error")):
            return "memory_exceeded", f"memory limit exceeded in cell {where}", index
        detail = str(run["crash"].get("error"))[:200]
        return "error", f"the grading sandbox failed while running the notebook ({detail})", index
    log.error("sandbox child ended without a result (rc=%s): %s", outcome.returncode,
              outcome.stderr_tail[-800:])
    return "kernel_died", f"the notebook run stopped unexpectedly in cell {where}", index


# --------------------------------------------------------------------------- evaluation
def _evaluate(prepared: Prepared, run: dict[str, Any], stop_index: int | None,
              evaluators: dict[str, Callable], ctx: EvalContext, name: str,
              source: Any = None) -> list[CellResult]:
    cells: list[CellResult] = []
    references = _references(evaluators, name, source)
    lang = ctx.lang
    for gid, t in prepared.tests.items():
        base = {"grade_id": gid, "notebook": name, "max_points": t.points, "points": 0.0}
        if t.problem is not None:
            cells.append(CellResult(**base, status=t.problem, message=say(
                t.problem, lang, gid=gid, message=t.message)))
            continue
        if stop_index is not None and t.exec_index is not None and t.exec_index >= stop_index:
            cells.append(CellResult(**base, status="not_run", message=say(
                "not_run", lang, where=label_of(prepared, stop_index))))
            continue
        fn = evaluators.get(gid)
        if fn is None or not t.has_submit:
            why = "no evaluator is registered" if fn is None else "it has no submit() call"
            cells.append(CellResult(**base, status="error", message=say(
                "cannot_grade", lang, why=why), evidence={"authoring_error": why}))
            continue
        record = run["artifacts"].get(gid)
        raised = _cell_error(run.get("cells"), t.exec_index)
        if record is None and raised:
            unanswered = _left_unanswered(run.get("cells"), t.exec_index, prepared)
            cells.append(CellResult(**base, status="failed", message=say(
                "not_answered" if unanswered else "stopped_before", lang, gid=gid,
                raised=raised)))
            continue
        if (not isinstance(record, dict) or not isinstance(record.get("nonce"), str)
                or not hmac.compare_digest(record["nonce"], t.nonce)
                or record.get("grade_id") != gid):
            cells.append(CellResult(**base, status="hook_detected", message=say(
                "hook_detected", lang, gid=gid)))
            continue
        if "error" in record:
            # the kernel wrote this text at grading time: it is not shown (run the test
            # cell yourself to see the same reason)
            cells.append(CellResult(**base, status="failed", message=say(
                "submit_refused", lang), evidence={"submit_error": quote(str(record["error"]))}))
            continue
        value = record.get("value")
        if not is_plain(value):
            cells.append(CellResult(**base, status="failed", message=say("not_plain", lang)))
            continue
        cells.append(_fingerprinted(_judge(fn, value, ctx, base), value, references))
    return cells


#: what an answer cell left as released raises (crm_sim.ui.answer_cell.not_answered_yet)
NOT_ANSWERED_ERROR = "NotAnsweredYet"


def _left_unanswered(cells: Any, index: int | None, prepared: Prepared) -> bool:
    """True when an answer cell before test cell `index` was run as released, unanswered.

    That is: a cell between the previous test cell and this one stopped with the released
    answer cell's `NOT_ANSWERED_ERROR`. The name only chooses the words of a cell that
    earns nothing either way, so a submission raising its own class of that name gains
    nothing.
    """
    if not isinstance(cells, list) or index is None or not 0 < index <= len(cells):
        return False
    tests = {t.exec_index for t in prepared.tests.values()}
    for i in range(index - 1, -1, -1):
        if i in tests:
            return False
        outputs = cells[i].get("outputs") if isinstance(cells[i], dict) else None
        if any(isinstance(o, dict) and o.get("output_type") == "error"
               and o.get("ename") == NOT_ANSWERED_ERROR
               for o in (outputs if isinstance(outputs, list) else [])):
            return True
    return False


def _cell_error(cells: Any, index: int | None) -> str | None:
    """The built-in exception type ("NameError") executed cell `index` raised, if any.

    Only the type: the error's text was produced at grading time, by code the trainee
    controls, and may carry anything the kernel could read.
    """
    if not isinstance(cells, list) or index is None or not 0 <= index < len(cells):
        return None
    outputs = cells[index].get("outputs") if isinstance(cells[index], dict) else None
    for out in outputs if isinstance(outputs, list) else []:
        if isinstance(out, dict) and out.get("output_type") == "error":
            return builtin_exception_name(out.get("ename"))
    return None


_REFERENCE_CACHE: dict[tuple, dict[str, str]] = {}


def _references(evaluators: dict[str, Callable], name: str, source: Any) -> dict[str, str]:
    """Fingerprints of the unit's model answers (evaluator module + this source notebook).

    The evaluator module is found from the registered evaluators, wherever it lives.
    Cached per module set and notebook: a cohort grades the same sources many times.
    """
    import hashlib
    import sys

    from autograders.fingerprint import reference_fingerprints

    names = sorted({getattr(fn, "__module__", "") for fn in evaluators.values()})
    modules = [sys.modules[m] for m in names if m in sys.modules]
    text = json.dumps(source, sort_keys=True, default=str) if source is not None else ""
    key = (tuple(names), name, hashlib.sha256(text.encode()).hexdigest())
    if key not in _REFERENCE_CACHE:
        if len(_REFERENCE_CACHE) > 32:
            _REFERENCE_CACHE.clear()
        try:
            _REFERENCE_CACHE[key] = reference_fingerprints(
                modules, {name: source} if source is not None else None)
        except Exception:  # noqa: BLE001 - flags are advisory; grading goes on without
            log.exception("could not fingerprint the model answers of %s", name)
            _REFERENCE_CACHE[key] = {}
    return _REFERENCE_CACHE[key]


def _fingerprinted(cell: CellResult, value: Any, references: dict[str, str]) -> CellResult:
    """Add the fingerprint of a submitted function or query (and a model-answer match).

    Only the hash is kept, so reports can compare trainees without anyone's source.
    """
    from autograders.fingerprint import artifact_fingerprint

    try:
        fp = artifact_fingerprint(value)
    except Exception:  # noqa: BLE001 - advisory only
        fp = None
    if fp:
        cell.evidence = {**cell.evidence, "fingerprint": fp}
        if fp in references:
            cell.evidence["matches_model_answer"] = references[fp]
    return cell


def _judge(fn: Callable, value: Any, ctx: EvalContext, base: dict) -> CellResult:
    """Run one evaluator; an exception is the instructor's bug, not the trainee's."""
    try:
        verdict = fn(value, ctx)
        if not isinstance(verdict, Verdict):
            raise TypeError(f"evaluator returned {type(verdict).__name__}, not Verdict")
        score = float(verdict.score)
        if not 0.0 <= score <= 1.0:
            raise ValueError(f"evaluator score {score} is outside 0..1")
    except Exception as exc:  # noqa: BLE001 - recorded for the instructor
        log.exception("evaluator %s failed", base["grade_id"])
        return CellResult(**base, status="failed", message=say("not_checked", ctx.lang),
            evidence={"evaluator_error": quote(f"{type(exc).__name__}: {exc}", 2000),
                      "traceback": traceback.format_exc(limit=8)[-4000:]})
    points = round(score * base["max_points"], 2)
    status = "passed" if score >= 1.0 - 1e-9 else "failed" if score <= 1e-9 else "partial"
    try:
        evidence = cap_evidence(to_plain(verdict.evidence or {}, base["grade_id"]))
    except Exception:  # noqa: BLE001
        evidence = {"evidence_repr": quote(repr(verdict.evidence), 2000)}
    decision = decision_summary(value)
    if decision is not None and DECISION_KEY not in evidence:
        evidence = {DECISION_KEY: decision, **evidence}      # the rule the grader applied
    breaches = [quote(str(b), 300) for b in list(getattr(verdict, "breaches", None) or [])
                [:BREACHES_MAX]]
    if breaches:    # kept outside the evidence cap: a gate must see every breach code
        evidence = {**evidence, BREACHES_KEY: breaches}
    return CellResult(**{**base, "points": points}, status=status,
                      message=cap_message(verdict.message), evidence=evidence)


def _manual(prepared: Prepared, name: str, lang: str | None = None) -> list[CellResult]:
    return [CellResult(grade_id=m.grade_id, notebook=name, max_points=m.points, points=0.0,
                       status="manual", message=say("manual", lang),
                       evidence={"answer": m.answer, "cell_type": m.cell_type})
            for m in prepared.manual]


# --------------------------------------------------------------------------- feedback
def _feedback(prepared: Prepared, executed: list | None,
              results: list[CellResult], lang: str | None = None) -> dict[str, Any]:
    """The notebook a trainee may see: their own cells as submitted, and the verdicts.

    Nothing produced at grading time reaches the trainee: their cells carry the outputs
    of the file they submitted (`Prepared.submitted_outputs`), test cells their released
    source and the verdict. So the page cannot carry what the kernel read while graded,
    and its shape does not depend on whether a printed line matched a key or a hidden
    test (a redaction would). `executed` is accepted for the callers' sake and unused.
    """
    del executed
    by_gid = {r.grade_id: r for r in results}
    cells = []
    for index, planned in enumerate(prepared.notebook["cells"]):
        label = prepared.labels[index]
        cell = {"cell_type": planned["cell_type"], "metadata": planned.get("metadata", {}),
                "source": planned["source"], "id": f"cell-{index}"}
        if index in prepared.restored:
            cell["source"] = prepared.released.get(label, "")
        if planned["cell_type"] == "code":
            cell["execution_count"] = None
            if label in prepared.tests:
                r = by_gid.get(label)
                text = (say("points", lang, status=status_word(r.status, lang),
                            points=r.points, max_points=r.max_points, message=r.message)
                        if r else say("not_graded", lang)) + "\n"
                cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": text}]
            elif index in prepared.restored:
                cell["outputs"] = []
            else:
                cell["outputs"] = _safe_outputs(prepared.submitted_outputs.get(index))
        cells.append(cell)
    return {"nbformat": 4, "nbformat_minor": 5,
            "metadata": {**prepared.notebook["metadata"],
                         FEEDBACK_OUTPUTS_KEY: SUBMITTED_OUTPUTS},
            "cells": cells}


_KNOWN_OUTPUTS = ("stream", "display_data", "execute_result", "error")


def _grading_outputs(prepared: Prepared, executed: Any) -> list[dict[str, Any]]:
    """Each executed cell's source and grading-time outputs (kept off every trainee page)."""
    executed = executed if isinstance(executed, list) else []
    out = []
    for index, planned in enumerate(prepared.notebook["cells"]):
        ran = executed[index] if index < len(executed) and isinstance(
            executed[index], dict) else {}
        outputs = ran.get("outputs") if isinstance(ran.get("outputs"), list) else []
        out.append({"source": planned["source"], "outputs": [
            o for o in outputs if isinstance(o, dict) and o.get("output_type") in
            _KNOWN_OUTPUTS]})
    return out


def _safe_outputs(outputs: Any) -> list[dict]:
    """A trainee cell's submitted outputs, keeping only known output shapes.

    No matching against grader material: the outputs are the trainee's own, from the
    file they handed in, and replacing one that matched a hidden line would be an oracle.
    """
    if not isinstance(outputs, list):
        return []
    return [out for out in outputs
            if isinstance(out, dict) and out.get("output_type") in _KNOWN_OUTPUTS]
