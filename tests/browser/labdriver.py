"""Drive one notebook in JupyterLab as a trainee does: open, run cells, type, save.

Cells are found by their position in the released ``.ipynb`` (read in Python, same order
as on the page). Running goes through Lab's own commands (what Run menu and Shift+Enter
call) and waits on the notebook model, never on a fixed sleep. `kernel_eval` asks the
kernel a question without adding a cell, so what is saved is only what the trainee did.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

# The notebook panel whose document is `path` (Lab exposes `window.jupyterapp`).
_FIND = """
const findPanel = (path) => {
  for (const w of window.jupyterapp.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.content.widgets) return w;
  }
  return null;
};
"""

_READY = _FIND + """
(path) => {
  const p = findPanel(path);
  const k = p && p.sessionContext.session && p.sessionContext.session.kernel;
  return !!(k && k.connectionStatus === 'connected' && k.status === 'idle'
            && p.content.widgets.length > 0);
}
"""

_RUN = _FIND + """
async ([path, index]) => {
  const p = findPanel(path);
  window.jupyterapp.shell.activateById(p.id);
  p.content.activeCellIndex = index;
  p.content.deselectAll();
  await window.jupyterapp.commands.execute('notebook:run-cell');
  const m = p.content.widgets[index].model;
  return m.type === 'code' ? m.executionCount : null;
}
"""

_CELL_STATE = _FIND + """
([path, index]) => {
  const m = findPanel(path).content.widgets[index].model;
  return {count: m.executionCount, outputs: m.outputs ? m.outputs.toJSON() : []};
}
"""

_SET_SOURCE = _FIND + """
([path, index, text]) => {
  findPanel(path).content.widgets[index].model.sharedModel.setSource(text);
}
"""

_KERNEL_EVAL = _FIND + """
async ([path, code]) => {
  const kernel = findPanel(path).sessionContext.session.kernel;
  const future = kernel.requestExecute({code, silent: false, store_history: false});
  const parts = [];
  future.onIOPub = (msg) => {
    const t = msg.header.msg_type;
    if (t === 'stream') parts.push(msg.content.text);
    if (t === 'error') parts.push('ERROR ' + msg.content.ename + ': ' + msg.content.evalue);
  };
  await future.done;
  return parts.join('');
}
"""

_SAVE = _FIND + """
async (path) => { await findPanel(path).context.save(); }
"""

_CLOSE = _FIND + """
async (path) => {
  const p = findPanel(path);
  if (!p) return;
  await p.sessionContext.shutdown();
  p.dispose();
}
"""


@dataclass
class CellRef:
    """A cell of the released notebook: its index, type, source and nbgrader grade id."""

    index: int
    kind: str
    source: str
    grade_id: str | None
    graded: bool = False


def read_cells(path: Path) -> list[CellRef]:
    """The cells of a notebook file, in page order."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = []
    for i, c in enumerate(nb["cells"]):
        meta = c.get("metadata", {}).get("nbgrader", {})
        cells.append(CellRef(i, c["cell_type"], "".join(c["source"]), meta.get("grade_id"),
                             bool(meta.get("grade")) and c["cell_type"] == "code"))
    return cells


class LabNotebook:
    """One open notebook in a Lab page; every method waits until the page has caught up."""

    def __init__(self, page, server, rel_path: str, file: Path):
        self.page, self.server, self.path, self.file = page, server, rel_path, Path(file)
        self.cells = read_cells(file)

    # -- opening and closing -------------------------------------------------------------
    def open(self) -> LabNotebook:
        """Open the notebook from its URL and wait for a connected, idle kernel."""
        self.page.goto(self.server.tree_url(self.path))
        self.page.wait_for_function("() => !!window.jupyterapp", timeout=120_000)
        self.page.wait_for_function(_READY, arg=self.path, timeout=120_000, polling=250)
        self.panel_id = self.page.evaluate(_FIND + "(p) => findPanel(p).id", self.path)
        return self

    def close(self) -> None:
        """Shut the kernel down and close the tab without a save dialog."""
        self.page.evaluate(_CLOSE, self.path)

    def save(self) -> None:
        """Save the notebook (what Ctrl+S does) to its file."""
        self.page.evaluate(_SAVE, self.path)

    # -- finding cells -------------------------------------------------------------------
    def index_of(self, grade_id: str | None = None, contains: str | None = None) -> int:
        """The index of the cell with this grade id, or the first whose source contains text."""
        for cell in self.cells:
            if grade_id is not None and cell.grade_id == grade_id:
                return cell.index
            if contains is not None and cell.kind == "code" and contains in cell.source:
                return cell.index
        raise LookupError(f"{self.path}: no cell with grade_id={grade_id!r} "
                          f"contains={contains!r}")

    def cell(self, index: int):
        """The Playwright locator of cell `index` in this notebook's panel."""
        return self.page.locator(f"[id='{self.panel_id}'] .jp-Notebook .jp-Cell").nth(index)

    def output(self, index: int):
        """The output area of cell `index` (where its widget and printed words appear)."""
        return self.cell(index).locator(".jp-OutputArea").first

    # -- running -------------------------------------------------------------------------
    def run(self, index: int) -> list[dict]:
        """Run one cell (as Shift+Enter would) and return its outputs once it finished."""
        self.page.evaluate(_RUN, [self.path, index])
        return self.outputs(index)

    def run_range(self, start: int, stop: int) -> None:
        """Run the code cells in [start, stop) one after another, each waited for."""
        for cell in self.cells[start:stop]:
            if cell.kind == "code":
                self.run(cell.index)

    def outputs(self, index: int) -> list[dict]:
        """The notebook model's outputs of cell `index` (streams, results, errors)."""
        return self.page.evaluate(_CELL_STATE, [self.path, index])["outputs"]

    def text_of(self, index: int) -> str:
        """All words cell `index` printed or raised, from the model (not the DOM)."""
        parts = []
        for out in self.outputs(index):
            if out["output_type"] == "stream":
                parts.append(out["text"] if isinstance(out["text"], str) else
                             "".join(out["text"]))
            elif out["output_type"] == "error":
                parts.append(f"{out['ename']}: {out['evalue']}")
            elif "text/plain" in out.get("data", {}):
                data = out["data"]["text/plain"]
                parts.append(data if isinstance(data, str) else "".join(data))
        return "\n".join(parts)

    def errors(self, index: int) -> list[str]:
        """The exceptions cell `index` raised (empty when it ran cleanly)."""
        return [f"{o['ename']}: {o['evalue']}" for o in self.outputs(index)
                if o["output_type"] == "error"]

    def type_into(self, index: int, text: str) -> None:
        """Click into a cell's editor, select everything and paste `text` over it.

        Pasted, as a trainee pastes the line a view or a question shows: one input event
        (typing a replay line of a few kilobytes key by key took half a minute).
        """
        editor = self.cell(index).locator(".cm-content").first
        editor.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.insert_text(text)
        got = self.page.evaluate(_FIND + "([p, i]) => findPanel(p).content.widgets[i]"
                                 ".model.sharedModel.getSource()", [self.path, index])
        if got.strip() != text.strip():   # the editor auto-indented or closed a bracket
            self.page.evaluate(_SET_SOURCE, [self.path, index, text])

    def set_source(self, index: int, text: str) -> None:
        """Replace a cell's text at once (pasting, where typing would re-indent code)."""
        self.page.evaluate(_SET_SOURCE, [self.path, index, text])

    def kernel_eval(self, code: str) -> str:
        """Run `code` in the notebook's kernel without a cell; return what it printed."""
        return self.page.evaluate(_KERNEL_EVAL, [self.path, code])

    def shot(self, folder: Path, name: str, index: int | None = None) -> Path:
        """Screenshot cell `index` (or the page) to ``<folder>/<name>.png``."""
        target = folder / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
        if index is None:
            self.page.screenshot(path=str(target), full_page=False)
        else:
            cell = self.cell(index)
            cell.scroll_into_view_if_needed()
            time.sleep(0.2)   # let a redrawn chart settle before the picture
            cell.screenshot(path=str(target))
        return target
