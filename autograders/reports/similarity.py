"""Similarity report: trainees whose solution code or written answers are near-identical.

Sources of solution cells are normalised (comments and blank lines dropped, whitespace
collapsed, lower-cased) and compared pairwise with rapidfuzz's ratio; cells left as the
released stub, and answers shorter than MIN_CHARS (a multiple-choice letter), are
ignored. Submitted functions and queries are also compared by the fingerprint grading
stored (`autograders.fingerprint`: syntax tree with names replaced, or the query's
tokens), so a copy whose variables were renamed is flagged — against another trainee or
against a model answer of the unit (``trainee_b`` = `MODEL_ANSWER`). A high score is a
prompt to talk to the trainees, not proof: short exercises have few correct forms.
Copied *numbers* are caught anyway — every trainee works on their own world, so an
answer computed on someone else's world fails.
"""

from __future__ import annotations

import io
import itertools
import re
import tokenize
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

DEFAULT_THRESHOLD = 0.92
MIN_CHARS = 40   # shorter answers (a multiple-choice letter, a one-liner) have few forms
WORLD_NOTE = ("Each trainee works on a world seeded from their own id, so numbers copied "
              "from another trainee are wrong for the copier and fail their checks; this "
              "report looks for copied code and wording instead.")
MODEL_ANSWER = "(model answer)"
STUBS = {"", "your answer here", "# your code here raise notimplementederror()",
         "raise notimplementederror()"}


def _project_stubs() -> set[str]:
    """The project's released answer cells (`autograders.answer_stub`), normalised."""
    from autograders.answer_stub import code_stub, text_stub
    from crm_sim.ui.language import LANGUAGES

    langs = [(lang,) for lang in LANGUAGES] + [tuple(LANGUAGES)]
    return ({normalise(code_stub(x)) for x in langs}
            | {re.sub(r"\s+", " ", text_stub(x)).strip().lower() for x in langs})


def normalise(source: str) -> str:
    """Drop comments, docstring-free whitespace noise and case; keep the tokens' order."""
    text = source
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
                  if t.type != tokenize.COMMENT]
        text = tokenize.untokenize(tokens)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        text = re.sub(r"#.*", "", source)
    return re.sub(r"\s+", " ", text).strip().lower()


@dataclass
class SimilarPair:
    """Two trainees whose answers on a unit are near-identical."""

    unit: str
    trainee_a: str
    trainee_b: str
    score: float               # mean ratio over the cells both answered, 0..1
    cells: list[str]           # grade_ids compared
    identical_cells: list[str]
    basis: list[str] = field(default_factory=lambda: ["text"])  # "text" and/or "syntax tree"


def similar_pairs(unit: str, answers: dict[str, dict[str, str]],
                  stubs: dict[str, str] | None = None,
                  threshold: float = DEFAULT_THRESHOLD) -> list[SimilarPair]:
    """Pairs of trainees whose normalised answers score at least `threshold`.

    Args:
        unit: unit code.
        answers: trainee -> solution grade_id -> submitted source.
        stubs: grade_id -> released (unanswered) source; such answers are skipped.
        threshold: mean ratio (0..1) at which a pair is flagged.
    """
    stub_norm = {g: normalise(s) for g, s in (stubs or {}).items()}
    known_stubs = STUBS | _project_stubs()
    norm = {t: {g: normalise(s) for g, s in cells.items()} for t, cells in answers.items()}
    pairs = []
    for a, b in itertools.combinations(sorted(norm), 2):
        common = [g for g in sorted(set(norm[a]) & set(norm[b]))
                  if norm[a][g] not in known_stubs and norm[b][g] not in known_stubs
                  and min(len(norm[a][g]), len(norm[b][g])) >= MIN_CHARS
                  and norm[a][g] != stub_norm.get(g) and norm[b][g] != stub_norm.get(g)]
        if not common:
            continue
        ratios = {g: fuzz.ratio(norm[a][g], norm[b][g]) / 100.0 for g in common}
        score = sum(ratios.values()) / len(ratios)
        if score + 1e-9 >= threshold:
            pairs.append(SimilarPair(unit, a, b, round(score, 4), common,
                                     [g for g, r in ratios.items() if r >= 0.999]))
    return sorted(pairs, key=lambda p: (-p.score, p.trainee_a, p.trainee_b))


def copied_pairs(unit: str, evidence: dict[str, dict[str, dict[str, Any]]]
                 ) -> list[SimilarPair]:
    """Trainees whose submitted function or query has the same fingerprint.

    Args:
        unit: unit code.
        evidence: trainee -> grade_id -> that cell's grading evidence (with the
            ``fingerprint`` and any ``matches_model_answer`` grading stored).

    Returns:
        One pair per two trainees sharing a fingerprint on some cell, and one pair
        (trainee, `MODEL_ANSWER`) per trainee with a cell matching a model answer.
    """
    by_cell: dict[tuple[str, str], list[str]] = {}
    model: dict[str, list[str]] = {}
    for tid in sorted(evidence):
        for gid, ev in sorted(evidence[tid].items()):
            fp = ev.get("fingerprint") if isinstance(ev, dict) else None
            if not isinstance(fp, str) or not fp:
                continue
            by_cell.setdefault((gid, fp), []).append(tid)
            if ev.get("matches_model_answer"):
                model.setdefault(tid, []).append(gid)
    shared: dict[tuple[str, str], list[str]] = {}
    for (gid, _), tids in sorted(by_cell.items()):
        for a, b in itertools.combinations(sorted(set(tids)), 2):
            shared.setdefault((a, b), []).append(gid)
    pairs = [SimilarPair(unit, a, b, 1.0, sorted(set(g)), sorted(set(g)), ["syntax tree"])
             for (a, b), g in shared.items()]
    pairs += [SimilarPair(unit, tid, MODEL_ANSWER, 1.0, g, g, ["syntax tree"])
              for tid, g in model.items()]
    return pairs


def merge_pairs(*groups: list[SimilarPair]) -> list[SimilarPair]:
    """One pair per (unit, trainee_a, trainee_b): cells and bases united, best score kept."""
    merged: dict[tuple[str, str, str], SimilarPair] = {}
    for pair in itertools.chain(*groups):
        key = (pair.unit, pair.trainee_a, pair.trainee_b)
        old = merged.get(key)
        if old is None:
            merged[key] = SimilarPair(pair.unit, pair.trainee_a, pair.trainee_b, pair.score,
                                      list(pair.cells), list(pair.identical_cells),
                                      list(pair.basis))
            continue
        old.score = max(old.score, pair.score)
        old.cells = sorted(set(old.cells) | set(pair.cells))
        old.identical_cells = sorted(set(old.identical_cells) | set(pair.identical_cells))
        old.basis = sorted(set(old.basis) | set(pair.basis))
    return sorted(merged.values(), key=lambda p: (-p.score, p.trainee_a, p.trainee_b))


def similarity_rows(pairs: list[SimilarPair]) -> list[dict]:
    """CSV form: one row per flagged pair."""
    return [{"unit": p.unit, "trainee_a": p.trainee_a, "trainee_b": p.trainee_b,
             "score": p.score, "cells_compared": " ".join(p.cells),
             "identical_cells": " ".join(p.identical_cells), "basis": " + ".join(p.basis)}
            for p in pairs]
