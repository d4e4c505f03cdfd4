"""Runs inside the jail: execute one notebook with nbclient and report back.

Started as ``python -I -m autograders.sandbox.child SETTINGS`` by the grading parent,
already under rlimits and (as root) a per-slot uid. Moves its job and result channels
off fds 0-2 (so the kernel, which inherits fds 1 and 2, can write into neither), makes
itself non-dumpable (so a same-uid kernel cannot open /proc/<pid>/fd or ptrace it),
starts the kernel and says ``{"event": "ready"}``; only then reads the job JSON from
stdin (so a worker can start it ahead of its notebook, `autograders.sandbox.ahead`),
tells the kernel whose notebook it runs, and streams JSON lines:
``{"event": "start", "index": i}`` before each cell and one final
``{"event": "result", ...}`` with the executed cells.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import time
from typing import Any

from autograders.sandbox import kernel
from autograders.sandbox.channel import open_channel

PR_SET_DUMPABLE = 4


def _non_dumpable() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _skip_iri_grammar() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` in this short-lived process.

    Why: nbformat imports jsonschema, which imports ``rfc3987_syntax`` when it is
    installed (jupyter-events pulls it in) to check the "iri" string format; that
    module builds a Lark grammar at import, about 0.8 s of CPU in every graded notebook
    (measured with ``-X importtime``: 1.9 s of the child's 2.2 s of imports on a busy
    machine). No notebook schema uses the "iri" format, and jsonschema skips that one
    check when the import fails, so validation is unchanged.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def _capped_client_class():
    """An nbclient `NotebookClient` that keeps at most N bytes of output per cell/notebook.

    Why: nbclient appends every output message; a ``while True: print(...)`` cell would
    otherwise grow this process until the memory limit kills the run and every score
    with it.
    """
    from nbclient import NotebookClient
    from nbformat.v4 import new_output

    class CappedClient(NotebookClient):
        cell_cap = 1_000_000
        total_cap = 10_000_000

        def __init__(self, *args: Any, **kwargs: Any):
            super().__init__(*args, **kwargs)
            self.cell_bytes: dict[int, int] = {}
            self.total_bytes = 0
            self.truncated: set[int] = set()

        def output(self, outs, msg, display_id, cell_index):  # noqa: D102
            content = msg.get("content", {})
            size = len(content["text"]) if isinstance(content.get("text"), str) else len(
                json.dumps(content, default=str))
            used = self.cell_bytes.get(cell_index, 0)
            room = min(self.cell_cap - used, self.total_cap - self.total_bytes)
            if size > room and room > 0 and isinstance(content.get("text"), str) and (
                    cell_index not in self.truncated):
                # keep the head of an oversized stream chunk (prints are batched by ipykernel)
                msg = {**msg, "content": {**content, "text": content["text"][:room]}}
                super().output(outs, msg, display_id, cell_index)
                self.cell_bytes[cell_index] = used + room
                self.total_bytes += room
                size = room + 1           # fall through to the truncation notice
                used = self.cell_bytes[cell_index]
            if used + size > self.cell_cap or self.total_bytes + size > self.total_cap:
                if cell_index not in self.truncated:
                    self.truncated.add(cell_index)
                    outs.append(new_output("stream", name="stderr", text=(
                        f"\n[output truncated: more than {self.cell_cap:,} bytes in this "
                        "cell or the notebook's output limit was reached]\n")))
                return None
            self.cell_bytes[cell_index] = used + size
            self.total_bytes += size
            return super().output(outs, msg, display_id, cell_index)

        def create_kernel_manager(self):
            """Talk to the kernel over unix sockets in the private workspace, not TCP.

            Why: with TCP the manager picks free ports, closes them and hands them to the
            kernel; a kernel starting at the same moment on another slot can take one in
            between, and this kernel then dies before replying to kernel_info (a known
            jupyter_client race that failed a CI run). Socket files in the 0700
            workspace cannot collide and no other uid can connect to them. The path is
            relative (both ends run in the workspace) so no socket path hits the
            108-byte limit, wherever the workspaces live.
            """
            self.km = self.kernel_manager_class(
                kernel_name=self.kernel_name, config=self.config, transport="ipc",
                ip="kernel-ipc")     # relative to the workspace: the cwd of both ends
            self.km.client_factory = _quick_ready_client_class()
            return self.km

    return CappedClient


def _quick_ready_client_class():
    """A kernel client whose `wait_for_ready` skips jupyter_client's idle 0.2 s.

    Why: jupyter_client ends the handshake by reading IOPub until it has been silent
    for 0.2 s, which is pure waiting in every graded submission. The handshake itself
    is kept (kernel_info reply, then proof that IOPub is connected); what it left on
    IOPub is drained without waiting, which is safe because nbclient reads only the
    IOPub messages whose parent is the request it sent.
    """
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_core.utils import ensure_async

    class QuickReadyClient(AsyncKernelClient):
        async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    msg = await ensure_async(self.shell_channel.get_msg(timeout=0.5))
                except Empty:
                    msg = None
                if msg is not None and msg["msg_type"] == "kernel_info_reply":
                    try:        # the reply's status messages prove IOPub is connected
                        await ensure_async(self.iopub_channel.get_msg(timeout=0.2))
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(msg)
                        break
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
            while True:
                try:
                    await ensure_async(self.iopub_channel.get_msg(timeout=0.005))
                except Empty:
                    break

        wait_for_ready = _async_wait_for_ready

    return QuickReadyClient


def _install_kernelspec() -> None:
    """Put the grading kernel's kernel.json in this run's private Jupyter data dir."""
    from jupyter_core.paths import jupyter_data_dir

    directory = os.path.join(jupyter_data_dir(), "kernels", kernel.NAME)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "kernel.json"), "w", encoding="utf-8") as fh:
        json.dump(kernel.spec(), fh)


def _bind_trainee(client, trainee_id: Any, timeout_s: float = 30.0) -> bool:
    """Tell the started kernel whose notebook it is about to run; False if it cannot answer.

    Why not the kernel's environment at launch: the kernel starts before its job arrives
    (`autograders.sandbox.ahead`), so no trainee is known yet. This sets
    ``CRM_TRAINEE_ID`` in the kernel's ``os.environ`` with one *silent* execute (no
    history, no execution count, no output, no name left in the user namespace) before
    any cell of the notebook runs, which is all `crm_sim.ui.session.trainee_id` reads.
    """
    from jupyter_core.utils import run_sync

    code = f"__import__('os').environ['CRM_TRAINEE_ID'] = {str(trainee_id or '')!r}"

    async def ask() -> dict:
        return await client.kc.execute(code, silent=True, store_history=False,
                                       allow_stdin=False, reply=True, timeout=timeout_s)

    try:
        reply = run_sync(ask)()
    except Exception:  # noqa: BLE001 - a kernel that cannot answer is not used
        return False
    return isinstance(reply, dict) and reply.get("content", {}).get("status") == "ok"


def run(settings: dict, channel) -> dict:
    """Start the kernel, say "ready", take the job, run its notebook cell by cell.

    The kernel starts before the job is read, so a worker can start it ahead of its
    notebook (`autograders.sandbox.ahead`); a cold start simply has its job waiting.
    Stops at the first timeout, kernel death or MemoryError. A kernel that fails before
    the notebook arrived reports ``stale`` (the parent then starts a fresh one).
    """
    import nbformat
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    _install_kernelspec()
    client_cls = _capped_client_class()
    client = client_cls(nbformat.v4.new_notebook(), timeout=30, allow_errors=True,
                        interrupt_on_timeout=False, kernel_name=kernel.NAME,
                        startup_timeout=int(settings.get("startup_timeout_s", 60)),
                        shutdown_kernel="immediate", record_timing=False,
                        resources={"metadata": {"path": os.getcwd()}})
    emit = channel.emit
    job: dict | None = None
    stop: dict[str, Any] | None = None
    try:
        with client.setup_kernel():
            emit({"event": "ready"})
            job = channel.read_job()
            if not _bind_trainee(client, job.get("trainee_id")):
                emit({"event": "stale"})
                os._exit(0)
            nb = client.nb = nbformat.from_dict(job["notebook"])
            client.cell_cap = int(job["output_bytes"])
            client.total_cap = int(job["output_bytes"]) * 10
            deadline = time.monotonic() + float(job["notebook_timeout_s"])
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    stop = {"kind": "timeout", "index": index}
                    break
                client.timeout = int(max(1, min(float(job["cell_timeout_s"]), remaining)))
                emit({"event": "start", "index": index})
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    stop = {"kind": "timeout", "index": index}
                    break
                except DeadKernelError:
                    stop = {"kind": "dead", "index": index}
                    break
                if any(o.get("output_type") == "error" and o.get("ename") == "MemoryError"
                       for o in cell.get("outputs", [])):
                    stop = {"kind": "memory", "index": index}
                    break
                emit({"event": "done", "index": index})
            result = {"event": "result", "cells": nb.cells, "stop": stop}
            emit(result)
            # Exit now, without a polite kernel shutdown: a SIGINT-immune kernel could
            # stall it, and the parent kills every process of the run anyway.
            os._exit(0)
    except DeadKernelError:
        if job is None:            # died before its notebook: nothing of a trainee ran
            emit({"event": "stale"})
            os._exit(0)
        result = {"event": "result", "cells": client.nb.cells,
                  "stop": {"kind": "dead", "index": None}}
        emit(result)
    return result


def main() -> None:
    """Protect the result channel, start the kernel, run the job that arrives, exit hard.

    ``argv[1]`` holds the settings the kernel needs before its job (start-up timeout).
    """
    channel = open_channel(default=str)
    _non_dumpable()
    _skip_iri_grammar()
    try:
        run(json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}, channel)
    except BaseException as exc:  # noqa: BLE001 - report to the parent, never hang
        channel.emit({"event": "crash", "error": f"{type(exc).__name__}: {str(exc)[:500]}"})
    finally:
        os._exit(0)   # the parent kills whatever is left (kernel included)


if __name__ == "__main__":
    main()
