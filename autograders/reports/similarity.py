"""Similarity report: trainees whose solution code or written answers are near-identical.

Sources of solution cells are normalised (comments and blank lines dropped, whitespace
collapsed, lower-cased) and compared pairwise with rapidfuzz's ratio; cells left as the
released stub, and answers shorter than MIN_CHARS (a multiple-choice letter), are
ignored. A high score is a prompt to talk to the trainees, not proof:
short exercises have few correct forms. Copied *numbers* are caught anyway — every
trainee works on their own world, so an answer computed on someone else's world fails.
"""

from __future__ import annotations

import io
import itertools
import re
import tokenize
from dataclasses import dataclass

from rapidfuzz import fuzz

DEFAULT_THRESHOLD = 0.92
MIN_CHARS = 40   # shorter answers (a multiple-choice letter, a one-liner) have few forms
WORLD_NOTE = ("Each trainee works on a world seeded from their own id, so numbers copied "
              "from another trainee are wrong for the copier and fail their checks; this "
              "report looks for copied code and wording instead.")
STUBS = {"", "your answer here", "# your code here raise notimplementederror()",
         "raise notimplementederror()"}


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
    norm = {t: {g: normalise(s) for g, s in cells.items()} for t, cells in answers.items()}
    pairs = []
    for a, b in itertools.combinations(sorted(norm), 2):
        common = [g for g in sorted(set(norm[a]) & set(norm[b]))
                  if norm[a][g] not in STUBS and norm[b][g] not in STUBS
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


def similarity_rows(pairs: list[SimilarPair]) -> list[dict]:
    """CSV form: one row per flagged pair."""
    return [{"unit": p.unit, "trainee_a": p.trainee_a, "trainee_b": p.trainee_b,
             "score": p.score, "cells_compared": " ".join(p.cells),
             "identical_cells": " ".join(p.identical_cells)} for p in pairs]
