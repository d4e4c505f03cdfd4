"""The sandbox: run an untrusted notebook under limits and grade it from the outside.

Modules, one job each: `limits` (what is allowed), `prepare` (read, integrity check,
restore test cells, insert nonces), `executor` (parent side: jail, clock, kill),
`jail` (apply limits + drop privileges, then exec), `child` (runs the notebook with
nbclient inside the jail), `funcrun`/`evaluate` (run submitted functions), `grade`
(the whole pipeline for one submission: `grade_notebook`).

`grade_notebook` is imported lazily so that the kernel-side ``autograders.checks``
(which needs only `Limits`) never pulls in nbclient.
"""

from autograders.sandbox.limits import Limits

__all__ = ["Limits", "grade_notebook"]


def __getattr__(name: str):
    if name == "grade_notebook":
        from autograders.sandbox.grade import grade_notebook

        return grade_notebook
    raise AttributeError(f"module 'autograders.sandbox' has no attribute {name!r}")
