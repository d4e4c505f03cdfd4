"""Runs inside the jail: one submitted SQL query on a copy of a saved world.

Protocol: stdin is ``{"db", "query", "timeout_s", "max_rows"}`` and optionally
``"params"`` (the grader's values for the query's ``:name`` placeholders). The query goes through
`crm_sim.profile_review.run_sql` (read-only open, an authorizer that allows reading the
public tables only, a row cap), so the rules are the ones the trainee met in the notebook.
One JSON line ``{"ready": true}`` goes to the *private* result fd once imports are done
(the parent's clock for the query starts there), then one line:
``{"ok": true, "columns": [...], "rows": [[...], ...]}`` or
``{"ok": false, "kind", "error"}``. Time and memory are bounded from outside (the
parent's wall clock, RLIMIT_AS), not by the query's good will.
"""

from __future__ import annotations

from autograders.sandbox.channel import take_job


def _plain(value):
    """A cell as JSON: numbers, text and None as they are; blobs by size only."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<blob of {len(value)} bytes>"
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def main() -> None:
    """Read the job, run the query, write one result line."""
    job, emit = take_job(allow_nan=False, default=str)

    from crm_sim.errors import CrmSimError
    from crm_sim.profile_review import SQL_MAX_ROWS, run_sql

    emit({"ready": True})
    try:
        frame = run_sql(job["db"], job["query"], timeout_s=float(job["timeout_s"]),
                        max_rows=int(job.get("max_rows") or SQL_MAX_ROWS),
                        params=job.get("params") or None)
        emit({"ok": True, "columns": [str(c) for c in frame.columns],
              "rows": [[_plain(v) for v in row] for row in frame.itertuples(index=False)]})
    except MemoryError:
        emit({"ok": False, "kind": "memory_exceeded", "error": "the query ran out of memory"})
    except CrmSimError as exc:
        # only the rule the query broke (authored text): sqlite's own words can quote data
        rule = getattr(exc, "allowed", "") or "a valid read-only SELECT on the public tables"
        emit({"ok": False, "kind": "raised", "error": str(rule)[:200]})
    except BaseException as exc:  # noqa: BLE001 - report, do not die
        emit({"ok": False, "kind": "raised", "error": f"the query failed ({type(exc).__name__})"})


if __name__ == "__main__":
    main()
