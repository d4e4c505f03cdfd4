"""The sandbox: run an untrusted notebook under limits and grade it from the outside.

Modules, one job each: `limits` (what is allowed), `prepare` (read, integrity check,
restore test cells, insert nonces), `bwrap` (the bubblewrap jail: probe and command
line), `executor` (parent side: workspace, clock, kill), `jail` (inside the jail: apply
limits + drop to the slot uid, then exec), `child` (runs the notebook with nbclient
inside the jail), `funcrun`/`sqlrun`/`evaluate` (run submitted functions and SQL),
`grade` (the whole pipeline for one submission: `grade_notebook`).

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
