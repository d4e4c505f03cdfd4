"""Benchmark of the CPU a graded notebook's kernel spends, per unit, drawing on and off.

Where a graded notebook's time goes is mostly inside its kernel (the jailed kernel runs
are most of `bench_real_unit`'s breakdown), and a wall clock on a shared 2-core machine
hides it. So each unit's "full" demo trainee's notebooks are run here in a kernel with
the grader's environment (Agg backend, a fresh MPLCONFIGDIR, one BLAS thread), outside
the jail, and the kernel reports its own CPU (user + system, start-up included) at the
end. Twice in the same run: as a trainee's JupyterLab kernel draws (views draw their
tables and charts, once per cell), and as a graded run does (``CRM_DRAW=off``: views
compute but draw nothing). The ratio is what not drawing saves; the seconds are the
kernel CPU of one trainee's notebooks of the unit.

CRM_BENCH_KERNEL_UNITS (unit codes, comma-separated) limits the units (default: all).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from autograders.course import resolve_course
from benchmarks.bench_real_unit import _prepared
from crm_sim.ui.view import DRAW_ENV

CPU_LINE = ("import resource as _r; _u = _r.getrusage(_r.RUSAGE_SELF); "
            "print('KERNEL_CPU', _u.ru_utime + _u.ru_stime)")


def kernel_cpu(notebook: Path, helpers: Path, draw: bool) -> float:
    """CPU seconds of a fresh kernel that ran `notebook` beside the released `helpers`."""
    import nbformat
    from nbclient import NotebookClient

    work = Path(tempfile.mkdtemp(prefix="bench-kernel-"))
    saved = {k: os.environ.get(k) for k in ("MPLBACKEND", "MPLCONFIGDIR", DRAW_ENV,
                                            "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    try:
        for item in helpers.iterdir():
            if item.suffix != ".ipynb":
                (shutil.copytree if item.is_dir() else shutil.copy)(item, work / item.name)
        os.environ.update({"MPLBACKEND": "Agg", "MPLCONFIGDIR": str(work / ".mpl"),
                           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})
        if draw:
            os.environ.pop(DRAW_ENV, None)
        else:
            os.environ[DRAW_ENV] = "off"
        nb = nbformat.read(notebook, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(CPU_LINE))
        NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(work)}}).execute()
        said = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
        return float(said.split("KERNEL_CPU")[-1].split()[0])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(work, ignore_errors=True)


def _units() -> list[str]:
    wanted = os.environ.get("CRM_BENCH_KERNEL_UNITS", "").strip()
    if wanted:
        return [c.strip() for c in wanted.split(",") if c.strip()]
    return resolve_course(None).unit_codes()


def run() -> list[dict]:
    """One row per unit: kernel CPU of the full trainee's notebooks, drawing vs graded."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-kernel-cpu-") as tmp:
        for unit in _units():
            course, profiles = _prepared(Path(tmp) / unit, unit)
            trainee = next(t for t, p in profiles.items() if p == "full")
            notebooks = sorted((course.submitted_dir / trainee / unit).glob("*.ipynb"))
            helpers = course.release_dir / unit
            drawn = [kernel_cpu(nb, helpers, draw=True) for nb in notebooks]
            graded = [kernel_cpu(nb, helpers, draw=False) for nb in notebooks]
            rows.append({
                "name": f"kernel CPU of one full trainee's {unit} notebooks, as graded "
                        "(CRM_DRAW=off) vs drawing", "seconds": round(sum(graded), 2),
                "baseline_seconds": round(sum(drawn), 2),
                "ratio": round(sum(drawn) / sum(graded), 2), "target": "-", "ok": None,
                "note": "per notebook, graded / drawing: " + ", ".join(
                    f"{nb.stem[:2]} {g:.2f}/{d:.2f} s"
                    for nb, g, d in zip(notebooks, graded, drawn, strict=True))})
    return rows
