"""A notebook's jail and kernel, started before the notebook is known.

Why: starting a jailed kernel (bubblewrap, the child's imports, ipykernel) is about a
second of every graded notebook, and a grading worker spends as long again evaluating
the notebook before. So once a notebook has run, its worker starts the jail of the next
one (`prepare_next`) and evaluates while that kernel boots; the next job then takes it
(`take`) and hands over its notebook at once.

What keeps this as safe as a cold start:
- **one kernel, one notebook.** A started child holds no trainee, notebook or secret:
  only the unit's released support files, the limits and the slot's uid. It learns whose
  notebook it runs when the job arrives (`autograders.sandbox.child`), runs that one
  notebook and is killed with its whole pid namespace, as before. Nothing is reused.
- **its own uid.** A worker holds two machine-wide slots and alternates them: the next
  kernel starts on the slot the current notebook did *not* use, so the current trainee's
  evaluator calls (submitted functions and queries, same uid as their notebook) never
  share an RLIMIT_NPROC budget with the kernel booting for the next notebook.
- **checked before use.** A started child whose support files or limits differ from
  the job's, or that is no longer alive, is killed and a fresh one started; one that
  never said "ready" or reports its kernel gone is retried once from cold
  (`autograders.sandbox.grade`), so a failed start never costs the trainee.
"""

from __future__ import annotations

import json
import multiprocessing.util
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from autograders.sandbox import bwrap
from autograders.sandbox.executor import StartedRun, Workspace, json_records, start_sandboxed
from autograders.sandbox.limits import Limits

ARTIFACT_SUBDIR = "artifacts"
CHILD = ["-I", "-m", "autograders.sandbox.child"]


@dataclass
class Started:
    """A jailed grading child that is booting or waiting for its notebook."""

    key: tuple
    slot: int
    ws: Workspace
    art: Path
    run: StartedRun
    events: list[dict] = field(default_factory=list)
    ahead: bool = False        # started before its job (False: a cold start)

    def ready(self) -> bool:
        """True once the child reported its kernel ready for a notebook."""
        return any(e.get("event") == "ready" for e in self.events)

    def discard(self) -> None:
        """Kill it unused and delete its workspace."""
        self.run.discard()
        self.ws.remove()


_state: dict[str, Started | None] = {"next": None}
_cleanup: list = []


def support_layout(support: list[Path]) -> list[tuple[Path, Path]]:
    """(file, path inside the workspace) keeping the files' layout below their common dir.

    So ``release/U/data/x.csv`` and ``release/U/helpers.py`` land as ``data/x.csv`` and
    ``helpers.py`` next to the notebook, as the trainee had them.
    """
    items = [Path(p).resolve() for p in support if Path(p).exists()]
    if not items:
        return []
    base = Path(os.path.commonpath([p.parent for p in items]))
    return [(p, p.relative_to(base)) for p in items]


def key_of(support: list[Path], limits: Limits) -> tuple:
    """What a started child depends on: support files (path, size, mtime), limits, jail."""
    files = []
    for p in support:
        try:
            info = Path(p).stat()
            files.append((str(p), info.st_size, info.st_mtime_ns))
        except OSError:
            files.append((str(p), None, None))
    return (tuple(files), json.dumps(limits.to_dict(), sort_keys=True), bwrap.jailed())


def startup_timeout_s(limits: Limits) -> int:
    """How long the child waits for its kernel to start (as before: 10..60 s)."""
    return int(min(60, max(10, limits.notebook_timeout_s)))


def launch(support: list[Path], limits: Limits, slot: int, *, ahead: bool = False) -> Started:
    """Make a workspace with the support files and start the jailed child in it now."""
    ws = Workspace.create(slot)
    try:
        for item, relative in support_layout(support):
            target = ws.path / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if item.is_dir():
                shutil.copytree(item, target, symlinks=False, dirs_exist_ok=True)
            elif item.is_file():
                shutil.copy2(item, target)
        ws.give(ws.path)             # everything copied in now belongs to the run's uid
        art = ws.path / ARTIFACT_SUBDIR
        art.mkdir()
        ws.give(art)
        events: list[dict] = []
        settings = json.dumps({"startup_timeout_s": startup_timeout_s(limits)})
        run = start_sandboxed(
            [*CHILD, settings], ws, limits, env_extra={"CRM_ARTIFACT_DIR": str(art)},
            stdout_cap=limits.output_bytes * 12 + 2_000_000 + limits.submission_bytes,
            on_line=json_records(events))
    except BaseException:
        ws.remove()
        raise
    return Started(key_of(support, limits), slot, ws, art, run, events, ahead)


def take(support: list[Path], limits: Limits) -> Started | None:
    """The started child for a job with these support files and limits, if one fits."""
    started, _state["next"] = _state["next"], None
    if started is None:
        return None
    if started.key != key_of(support, limits) or not started.run.alive():
        started.discard()
        return None
    return started


def prepare_next(support: list[Path], limits: Limits, slot: int) -> None:
    """Start the child for the worker's next notebook on `slot` (replacing any other)."""
    discard_next()
    try:
        _state["next"] = launch(support, limits, slot, ahead=True)
    except Exception:  # noqa: BLE001 - the next job simply starts cold
        _state["next"] = None
    _register_cleanup()


def discard_next() -> None:
    """Kill the waiting child, if any (a worker that stops leaves none behind)."""
    started, _state["next"] = _state["next"], None
    if started is not None:
        started.discard()


def _register_cleanup() -> None:
    """Once per process: discard the waiting child when a worker process exits cleanly.

    `multiprocessing` children leave with ``os._exit`` (no atexit), but run the
    finalizers registered with an exit priority.
    """
    if not _cleanup:
        _cleanup.append(multiprocessing.util.Finalize(None, discard_next, exitpriority=10))
