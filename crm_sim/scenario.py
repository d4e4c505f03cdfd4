"""`Scenario`: the few numbers a whole world is built from (frozen and validated).

A scenario is small on purpose: seed, size, industry, segment mix, start date and
months of history. Staff, outsourcer and product counts follow from the size unless
given, so a trainee's world and a benchmark world differ only in `n_customers`.
Frozen and hashable, so it can key caches (`trainee.world_for`) and be stored as JSON.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from crm_sim.errors import ScenarioError
from crm_sim.schema import INDUSTRIES, SEGMENTS

MAX_CUSTOMERS = 200_000
MAX_MONTHS = 60
MAX_SEED = 2**63 - 1
DATE_RANGE = ("2000-01-01", "2099-12-31")

# Default segment mix per industry: an ICT provider has many individual subscribers and
# a few corporate accounts; a watch retailer mostly walk-in and gift buyers.
DEFAULT_MIX: dict[str, dict[str, float]] = {
    "ict": {"corporate": 0.10, "sme": 0.30, "individual": 0.60},
    "timepiece": {
        "collector": 0.15,
        "gift_buyer": 0.35,
        "walk_in": 0.40,
        "corporate_gifting": 0.10,
    },
}

# Size of each product catalogue (see population.CATALOGUE); n_products may not exceed it.
CATALOGUE_SIZE = {"ict": 16, "timepiece": 16}


def _derived_staff(n_customers: int) -> int:
    """One front-line staff member per ~60 customers, at least 4, at most 600."""
    return min(600, max(4, round(n_customers / 60)))


def _derived_outsourcers(n_customers: int) -> int:
    """A few call-centre agencies; more for a large book."""
    return min(8, max(2, 2 + int(math.log10(max(n_customers, 1))) - 2))


@dataclass(frozen=True)
class Scenario:
    """The inputs of one simulated world.

    Attributes:
        seed: Root seed of every random stream of the world (0 .. 2**63-1).
        n_customers: Number of customers (1 .. 200,000).
        industry: "ict" (units ITCSCR*) or "timepiece" (unit 104917L3).
        segment_mix: (segment, share) pairs in `schema.SEGMENTS` order; a mapping is
            accepted and normalised. Shares must be ≥ 0 and sum to 1 (± 0.01).
        start_date: ISO date the history starts; the clock stands at start + months.
        months_history: Months of past interactions to generate (0 .. 60).
        n_staff: Own staff; derived from size when None.
        n_outsourcers: Call-centre agencies; derived from size when None.
        n_products: Products/services in the catalogue; the whole catalogue when None.
    """

    seed: int = 0
    n_customers: int = 500
    industry: str = "ict"
    segment_mix: Any = None
    start_date: str = "2025-01-01"
    months_history: int = 12
    n_staff: int | None = None
    n_outsourcers: int | None = None
    n_products: int | None = None

    def __post_init__(self) -> None:
        for name, low, high, fix in (
            ("seed", 0, MAX_SEED, "use a non-negative integer such as 42"),
            ("n_customers", 1, MAX_CUSTOMERS, "e.g. n_customers=500"),
            ("months_history", 0, MAX_MONTHS, "e.g. months_history=12"),
        ):
            object.__setattr__(self, name, _check_int(name, getattr(self, name), low, high, fix))
        if self.industry not in INDUSTRIES:
            raise ScenarioError("industry", self.industry, f"one of {INDUSTRIES}", 'industry="ict"')
        object.__setattr__(self, "segment_mix", _check_mix(self.industry, self.segment_mix))
        _check_date(self.start_date)
        defaults = {
            "n_staff": (_derived_staff(self.n_customers), 1, 5000),
            "n_outsourcers": (_derived_outsourcers(self.n_customers), 0, 50),
            "n_products": (CATALOGUE_SIZE[self.industry], 1, CATALOGUE_SIZE[self.industry]),
        }
        for name, (default, low, high) in defaults.items():
            value = getattr(self, name)
            if value is None:
                object.__setattr__(self, name, default)
            else:
                value = _check_int(name, value, low, high, f"leave it out to get {default}")
                object.__setattr__(self, name, value)

    @classmethod
    def demo(cls, industry: str = "ict", seed: int = 2024) -> Scenario:
        """The onboarding/demo world: 800 customers, 12 months of history."""
        return cls(seed=seed, n_customers=800, industry=industry, months_history=12)

    @property
    def segments(self) -> tuple[str, ...]:
        """The segments of this industry, in schema order."""
        return SEGMENTS[self.industry]

    @property
    def mix(self) -> dict[str, float]:
        """The segment mix as a dict."""
        return dict(self.segment_mix)

    @property
    def end_date(self) -> str:
        """The clock of a freshly built world: start_date + months_history."""
        return add_months(self.start_date, self.months_history)

    def replace(self, **changes: Any) -> Scenario:
        """A copy with `changes` applied (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (the store keeps it; `from_dict` reads it back)."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["segment_mix"] = [list(pair) for pair in self.segment_mix]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        """Inverse of `to_dict`; unknown keys raise ScenarioError."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ScenarioError(
                "scenario", unknown, f"only {sorted(names)}", "remove the unknown keys"
            )
        values = dict(data)
        if isinstance(values.get("segment_mix"), list):
            values["segment_mix"] = {str(k): float(v) for k, v in values["segment_mix"]}
        return cls(**values)


def _check_int(name: str, value: Any, low: int, high: int, fix: str) -> int:
    """`value` as a plain int, or ScenarioError unless it is an integer (not bool) in range."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise ScenarioError(name, value, f"an integer from {low} to {high:,}", fix)
    if not low <= int(value) <= high:
        raise ScenarioError(name, value, f"an integer from {low} to {high:,}", fix)
    return int(value)


def _check_mix(industry: str, mix: Any) -> tuple[tuple[str, float], ...]:
    """Normalise a segment mix to (segment, share) pairs in schema order."""
    segments = SEGMENTS[industry]
    if mix is None:
        mix = DEFAULT_MIX[industry]
    if not isinstance(mix, Mapping):
        try:
            mix = dict(mix)
        except (TypeError, ValueError) as exc:
            raise ScenarioError(
                "segment_mix", mix, f"a mapping of {segments} to shares", 'e.g. {"sme": 0.5, ...}'
            ) from exc
    unknown = [key for key in mix if key not in segments]
    if unknown:
        raise ScenarioError(
            "segment_mix",
            unknown[0],
            f"segments of {industry!r}: {segments}",
            "use only those segment names (the other industry has different segments)",
        )
    shares = []
    for seg in segments:
        share = mix.get(seg, 0.0)
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            raise ScenarioError(f"segment_mix[{seg!r}]", share, "a number from 0 to 1", "e.g. 0.25")
        shares.append(float(share))
    total = sum(shares)
    if not abs(total - 1.0) <= 0.01:
        raise ScenarioError(
            "segment_mix",
            dict(mix),
            "shares summing to 1 (± 0.01)",
            f"they sum to {total:.3f}; rescale",
        )
    return tuple((seg, share / total) for seg, share in zip(segments, shares, strict=True))


def _check_date(value: Any) -> None:
    """Raise ScenarioError unless `value` is an ISO date string within DATE_RANGE."""
    allowed = f"an ISO date 'YYYY-MM-DD' from {DATE_RANGE[0]} to {DATE_RANGE[1]}"
    if not isinstance(value, str):
        raise ScenarioError("start_date", value, allowed, 'e.g. start_date="2025-01-01"')
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ScenarioError("start_date", value, allowed, 'e.g. start_date="2025-01-01"') from exc
    if parsed.isoformat() != value or not DATE_RANGE[0] <= value <= DATE_RANGE[1]:
        raise ScenarioError("start_date", value, allowed, 'e.g. start_date="2025-01-01"')


def add_months(iso_date: str, months: int) -> str:
    """`iso_date` moved by whole months (day clipped to the month's length)."""
    date = dt.date.fromisoformat(iso_date)
    index = date.year * 12 + date.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    days = [
        31,
        29 if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month - 1]
    return dt.date(year, month, min(date.day, days)).isoformat()
