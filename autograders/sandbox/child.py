"""Runs inside the jail: execute one notebook with nbclient and report back.

Started as ``python -I -m autograders.sandbox.child`` by the grading parent, already
under rlimits and (as root) a per-slot uid. Reads the job JSON from stdin, moves its
result channel off fd 1 (so the kernel, which inherits fds 1 and 2, cannot write into
it), makes itself non-dumpable (so a same-uid kernel cannot open /proc/<pid>/fd or
ptrace it), then streams JSON lines: ``{"event": "start", "index": i}`` before each
cell and one final ``{"event": "result", ...}`` with the executed cells.
"""

from __future__ import annotations

import ctypes
import json
import os
import time
from typing import Any

from autograders.sandbox import kernel
from autograders.sandbox.channel import take_job

PR_SET_DUMPABLE = 4


def _non_dumpable() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass


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


def run(job: dict, emit) -> dict:
    """Execute the job's notebook cell by cell; stop at the first timeout/death/memory."""
    import nbformat
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    nb = nbformat.from_dict(job["notebook"])
    _install_kernelspec()
    client_cls = _capped_client_class()
    client_cls.cell_cap = int(job["output_bytes"])
    client_cls.total_cap = int(job["output_bytes"]) * 10
    deadline = time.monotonic() + float(job["notebook_timeout_s"])
    client = client_cls(nb, timeout=int(max(1, job["cell_timeout_s"])), allow_errors=True,
                        interrupt_on_timeout=False, kernel_name=kernel.NAME,
                        startup_timeout=int(min(60, max(10, job["notebook_timeout_s"]))),
                        shutdown_kernel="immediate", record_timing=False,
                        resources={"metadata": {"path": os.getcwd()}})
    stop: dict[str, Any] | None = None
    try:
        with client.setup_kernel():
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
        result = {"event": "result", "cells": nb.cells, "stop": {"kind": "dead",
                                                                 "index": None}}
        emit(result)
    return result


def main() -> None:
    """Read the job from stdin, protect the result channel, run, exit hard."""
    job, emit = take_job(default=str)
    _non_dumpable()
    try:
        run(job, emit)
    except BaseException as exc:  # noqa: BLE001 - report to the parent, never hang
        emit({"event": "crash", "error": f"{type(exc).__name__}: {str(exc)[:500]}"})
    finally:
        os._exit(0)   # the parent kills whatever is left (kernel included)


if __name__ == "__main__":
    main()
