"""Item analysis for instructors: which checks trainees fail, and with which message.

A check that most of a cohort fails is either hard or badly taught (or badly written):
the most common failure messages say which.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from autograders.reports.competency import UnitDecision

FAIL_STATUSES = {"failed", "partial", "not_run", "tampered", "deleted", "hook_detected"}
MAX_MESSAGE = 240
_ID = re.compile(r"\b[A-Z]{1,3}\d{3,}\b")            # customer / staff ids: C000123, S042
_NUM = re.compile(r"(?<!\w)\d+(?:\.\d+)?(?![A-Za-z_])")     # not inside names: 90d_share


def message_key(message: str) -> str:
    """A failure message with trainee-specific ids and numbers blanked, for grouping.

    Every trainee has their own world, so the same mistake names different customers
    ("11 calls ... C000288, C000092"); blanking ids and numbers groups it as one message.
    """
    text = _NUM.sub("<n>", _ID.sub("<id>", message)).strip()
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 1] + "…"


@dataclass
class ItemStats:
    """How a cohort did on one graded cell."""

    unit: str
    grade_id: str
    criterion: str
    max_points: float
    attempted: int = 0
    failed: int = 0               # earned less than full marks (pending manual excluded)
    mean_points: float = 0.0
    messages: list[tuple[str, int]] = field(default_factory=list)  # most common first

    @property
    def fail_rate(self) -> float:
        """Share of trainees who did not earn full marks."""
        return self.failed / self.attempted if self.attempted else 0.0


def item_analysis(decisions: list[UnitDecision], top: int = 3) -> list[ItemStats]:
    """Per grade_id: attempts, failures, mean points and the `top` failure messages."""
    stats: dict[tuple[str, str], ItemStats] = {}
    totals: dict[tuple[str, str], float] = {}
    messages: dict[tuple[str, str], Counter] = {}
    for d in decisions:
        for crit in d.criteria:
            for cell in crit.cells:
                key = (d.unit, cell.grade_id)
                item = stats.setdefault(key, ItemStats(d.unit, cell.grade_id, crit.id,
                                                       cell.max_points))
                if cell.pending:
                    continue
                item.attempted += 1
                totals[key] = totals.get(key, 0.0) + cell.points
                if cell.points + 1e-9 < cell.max_points:
                    item.failed += 1
                    msg = message_key(cell.message) or f"({cell.status}, no message)"
                    messages.setdefault(key, Counter())[msg] += 1
    for key, item in stats.items():
        item.mean_points = totals.get(key, 0.0) / item.attempted if item.attempted else 0.0
        item.messages = messages.get(key, Counter()).most_common(top)
    return sorted(stats.values(), key=lambda s: (s.unit, -s.fail_rate, s.grade_id))


def item_rows(items: list[ItemStats]) -> list[dict]:
    """CSV form: one row per check."""
    return [{"unit": i.unit, "grade_id": i.grade_id, "criterion": i.criterion,
             "max_points": i.max_points, "attempted": i.attempted, "failed": i.failed,
             "fail_rate": round(i.fail_rate, 4), "mean_points": round(i.mean_points, 4),
             "top_failure_messages": " | ".join(f"{m} (x{n})" for m, n in i.messages)}
            for i in items]
