"""Competency records an assessor can sign: evidence in words, one A4 page in Chromium."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from autograders.reports.build import environment
from autograders.reports.competency import decide
from autograders.reports.evidence import choice_context, evidence_html
from autograders.unitspec import load_unit_spec

UNITS = Path(__file__).resolve().parents[1] / "course" / "units"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-pdf-header-footer"]
INSTALL = ("install them as root with `sh scripts/system-deps.sh` (Debian/Ubuntu: "
           "`apt-get update && apt-get install -y chromium poppler-utils`)")


def _tool(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(f"{names[0]} is needed to print records to PDF and count pages: {INSTALL}")


def _worst_case_record(unit: str):
    """A record with every cell failed, long messages, many facts and copy flags."""
    unit_dir = UNITS / unit
    spec = load_unit_spec(unit_dir)
    long = ("the plan cannot be read: columns: got []; allowed: must include customer_id, "
            "slot, channel, assignee. Fix: add the missing columns and run the check again. ")
    cells = []
    for crit in spec.criteria.values():
        for gid, pts in crit.cells.items():
            cells.append({"grade_id": gid, "notebook": "01_notebook", "max_points": pts,
                          "points": 0.0, "status": "failed", "message": long * 3,
                          "evidence": {"answer": "a", "precision": 0.5, "recall": 0.25,
                                       "rows": 1234, "missing": ["name", "need", "budget"],
                                       "where": "the hidden sources",
                                       "violations": {"late": 3, "no_consent": 7}}})
    row = {"trainee_id": "T999", "unit": unit, "notebook": "01_notebook", "status": "graded",
           "reason": "", "world_seed": 12345, "graded_at": "2026-11-30T09:00:00+00:00",
           "result": {"cells": cells, "status": "graded"}}
    d = decide(spec, "T999", [row], {})
    for crit in d.criteria:
        for cell in crit.cells:
            for other in ("T001", "T002", "T003", "T004", "T005"):
                cell.flag_same_as(other)
    choices = choice_context(unit_dir, unit_dir, spec.evaluators)
    return d, choices


@pytest.mark.parametrize("unit", sorted(p.name for p in UNITS.iterdir()
                                        if any(p.glob("*.ipynb"))))
def test_record_prints_on_one_a4_page(unit, tmp_path):
    """Chromium prints a worst-case record of each unit as exactly one A4 page."""
    chromium = _tool("chromium", "chromium-browser")
    pdfinfo = _tool("pdfinfo")
    d, choices = _worst_case_record(unit)
    page = tmp_path / "record.html"
    page.write_text(environment().get_template("competency.html.j2").render(
        d=d, generated_at="2026-11-30T09:00:00+00:00", choices=choices), encoding="utf-8")
    pdf = tmp_path / "record.pdf"
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                    f"--print-to-pdf={pdf}", page.as_uri()], check=False, timeout=180,
                   capture_output=True)
    assert pdf.exists(), "Chromium wrote no PDF"
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (round(width), round(height)) == (595, 842), info     # A4 in points
    assert pages == 1


def test_quiz_evidence_names_question_choice_key_and_reasoning():
    """A knowledge question reads as question, chosen option, key and the key's reasoning."""
    unit_dir = UNITS / "ITCSCR304A"
    choices = choice_context(unit_dir, unit_dir, load_unit_spec(unit_dir).evaluators)
    d, _ = _worst_case_record("ITCSCR304A")
    cell = next(c for cr in d.criteria for c in cr.cells if c.grade_id in choices)
    text = str(evidence_html(cell, choices))
    quiz = choices[cell.grade_id]
    for label in ("Chosen", "Key", "Question"):
        assert f"<th>{label}</th>" in text
    assert quiz["question"][:30].replace("'", "&#39;") in text.replace("&#x27;", "&#39;")
    assert "{" not in text and "[" not in text          # no Python dict or list repr


def test_figures_read_as_words():
    """Rates become percentages, lists words, the unseen company a sentence."""
    d, _ = _worst_case_record("ITCSCR410A")
    text = str(evidence_html(d.criteria[0].cells[0], {}))
    assert "<th>Precision</th><td>50%</td>" in text and "name, need, budget" in text
    assert "Measured on the hidden sources, which the trainee never saw." in text
    assert "fingerprint" not in text and "{" not in text


def test_shuffled_quiz_evidence_uses_the_authors_option():
    """With per-trainee option order, the record names the author's option and the shown letter."""
    unit_dir = UNITS / "ITCSCR304A"
    choices = choice_context(unit_dir, unit_dir, load_unit_spec(unit_dir).evaluators)
    gid = next(iter(choices))
    opts = choices[gid]["options"]
    d, _ = _worst_case_record("ITCSCR304A")
    cell = next(c for cr in d.criteria for c in cr.cells if c.grade_id == gid)
    cell.evidence = {"answer": "d", "option": "b"}
    text = str(evidence_html(cell, choices))
    assert "b) " + html.escape(opts["b"])[:20] in text
    assert "shown to the trainee as d" in text and "<th>Option</th>" not in text
