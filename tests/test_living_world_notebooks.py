"""Through the real notebooks: what notebook 2 does is there for notebook 3 to analyse."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

UNIT = Path(__file__).resolve().parents[1] / "course" / "units" / "ITCSCR304A"
PROBE = """
import json
from periodic_calls import analysis_inputs
customers, interactions = analysis_inputs(world)
month = world.advance_month()
print("PROBE " + json.dumps({"interactions": len(interactions), "today": world.today,
                             "contacted": int((month["contacts"] > 0).sum())}))
"""


def _workspace(root: Path) -> Path:
    """A trainee's folder: the unit's notebooks (with solutions) and its released helpers."""
    ws = root / "ITCSCR304A"
    ws.mkdir(parents=True)
    for item in UNIT.iterdir():
        if item.suffix in (".ipynb", ".py"):
            shutil.copy2(item, ws / item.name)
    return ws


def _run(nb, ws: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(ws)}}).execute()
    return nb


def _probe(ws: Path) -> dict:
    """Notebook 3's real opening cell, then a probe of the figures its exercises analyse."""
    source = nbformat.read(ws / "03_analysis_follow_up_conduct.ipynb", as_version=4)
    setup = next(c for c in source.cells
                 if c.metadata.get("nbgrader", {}).get("grade_id") == "setup_03")
    nb = nbformat.v4.new_notebook(cells=[setup, nbformat.v4.new_code_cell(PROBE)])
    out = _run(nb, ws).cells[1].outputs
    text = "".join(o.get("text", "") for o in out if o.get("output_type") == "stream")
    return json.loads(text.split("PROBE ", 1)[1])


@pytest.mark.slow
def test_notebook_2_calls_reach_notebook_3(tmp_path, monkeypatch):
    """Running notebook 2 changes the interactions and the month notebook 3 analyses."""
    monkeypatch.setenv("CRM_TRAINEE_ID", "t-living-nb")
    monkeypatch.delenv("CRM_WORLD_DIR", raising=False)      # the notebooks' own folder
    acted, idle = _workspace(tmp_path / "acted"), _workspace(tmp_path / "idle")
    _run(nbformat.read(acted / "02_people_and_calls.ipynb", as_version=4), acted)
    assert (acted / ".crm_world" / "ITCSCR304A.sqlite").exists()
    after, before = _probe(acted), _probe(idle)
    assert after["interactions"] > before["interactions"]
    assert after["contacted"] > before["contacted"]
    assert after["today"] == before["today"]
