"""Perception programmes as data: what each costs, who is eligible and what it changes.

A *programme* is something the company runs every month to sustain or enhance how its
customers see it (ITCSCR516A P3): a long-term discount, a trade-in offer, member rewards,
referral rewards, periodic product/service news, a service pledge, staff service training
and complaint-recovery rules. Each is a frozen `Programme` (a kind, the segments it covers
and its parameters), checked against `KINDS` when made, so a wrong value raises a
`FieldError` naming the field, the value and a fix before any simulation runs.

`crm_sim.programme_sim.simulate` turns a portfolio (a tuple of programmes) into monthly
effects on every eligible customer; the equations, the cost model and the ranges of each
parameter are documented in ``docs/programmes.md`` (keep the two in step). How strongly a
segment *responds* to each kind differs per world (`draw_programme_response`), so the best
portfolio of one company is not the best of another.

Programmes round-trip as plain dicts (`to_dict`/`from_dict`) and as the world table
``programmes`` (`to_table`/`from_table`), which `World.save`/`World.load` keep.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crm_sim.errors import FieldError
from crm_sim.rng import Streams


@dataclass(frozen=True)
class Param:
    """One parameter of a programme kind: allowed range, default and its meaning."""

    name: str
    low: float
    high: float
    default: float
    unit: str
    meaning: str


@dataclass(frozen=True)
class Kind:
    """A programme kind: what it is for, who is eligible, its parameters and cost basis."""

    kind: str
    title: str
    purpose: str
    eligibility: str
    cost: str
    params: tuple[Param, ...]
    direct_marketing: bool = False   # sends promotional messages: consent required (PDPO s.35E)


KINDS: dict[str, Kind] = {k.kind: k for k in (
    Kind("long_term_discount", "Long-term customer discount",
         "rewards staying: lowers churn, most in price-sensitive segments",
         "active customers with at least min_tenure_months of tenure",
         "the discount on every purchase of an eligible customer (revenue given away)",
         (Param("discount", 0.0, 0.5, 0.05, "share of price", "discount on each purchase"),
          Param("min_tenure_months", 0, 120, 24, "months", "tenure needed to qualify"))),
    Kind("trade_in", "Trade-in offer",
         "brings old-equipment owners back to buy: more purchases, some perception",
         "active customers (take-up rises with the credit)",
         "the credit on each trade-in purchase",
         (Param("credit", 0.0, 0.5, 0.10, "share of price", "credit for the traded-in item"),)),
    Kind("member_rewards", "Member rewards",
         "points on spend: more purchases and less churn among members",
         "active customers (all are members)",
         "points paid out (points_rate × spend) plus HKD 2 admin per member a month",
         (Param("points_rate", 0.0, 0.2, 0.02, "share of spend", "value of points returned"),)),
    Kind("referral_rewards", "Referral rewards",
         "rewards customers who introduce new customers: more new customers",
         "promoters (customers who would recommend the company) refer others",
         "reward_hkd per referred new customer, to the referrer",
         (Param("reward_hkd", 0.0, 2000.0, 200.0, "HKD", "reward per new customer referred"),)),
    Kind("news", "Periodic product/service news",
         "keeps existing customers informed: perception rises, too many messages tire",
         "customers with direct-marketing consent only (it promotes: PDPO s.35E)",
         "per message: email HKD 1, message HKD 2, letter HKD 8",
         (Param("per_month", 0.0, 4.0, 1.0, "messages a month", "issues sent per month"),),
         direct_marketing=True),
    Kind("service_pledge", "Service pledge",
         "a public promise (e.g. complaints answered within 24 hours): perception rises "
         "when kept, falls when broken; advertising it brings new customers",
         "all customers; advertising reaches the public",
         "advertise_hkd a month plus the service desk hours the pledge needs",
         (Param("response_hours", 4.0, 168.0, 48.0, "hours", "promised response time"),
          Param("advertise_hkd", 0.0, 500_000.0, 20_000.0, "HKD a month",
                "spend promoting the pledge to customers and society"))),
    Kind("staff_training", "Staff service training",
         "better contacts and complaint handling; effect builds month by month",
         "all front-line staff",
         "hours_per_staff × HKD 180 an hour × front-line staff",
         (Param("hours_per_staff", 0.0, 16.0, 2.0, "hours a month", "training per staff member"),)),
    Kind("complaint_recovery", "Complaint-recovery rules",
         "empowers staff to put things right: more complaints end well",
         "customers who complain",
         "goodwill_hkd per complaint",
         (Param("goodwill_hkd", 0.0, 5000.0, 100.0, "HKD", "goodwill gesture per complaint"),
          Param("resolve_days", 1.0, 30.0, 5.0, "days", "target time to resolve"))),
)}

# What one message of periodic news costs, by channel (HKD).
NEWS_CHANNEL_COST = {"email": 1.0, "message": 2.0, "letter": 8.0}
TRAINING_HOUR_COST = 180.0
MEMBER_ADMIN_HKD = 2.0


@dataclass(frozen=True)
class Programme:
    """One programme of a portfolio.

    Attributes:
        kind: one of `KINDS`.
        segments: segments it covers; empty = every segment.
        params: parameter → value; missing ones take the kind's default.
        channel: the channel of periodic news ("email", "message" or "letter"); "" otherwise.
    """

    kind: str
    segments: tuple[str, ...] = ()
    params: Mapping[str, float] = field(default_factory=dict)
    channel: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise FieldError("programme.kind", self.kind, f"one of {sorted(KINDS)}",
                             'e.g. Programme("member_rewards")')
        if isinstance(self.segments, str):
            object.__setattr__(self, "segments", (self.segments,))
        segs = tuple(str(s) for s in self.segments)
        object.__setattr__(self, "segments", segs)
        if not isinstance(self.params, Mapping):
            raise FieldError(f"{self.kind}.params", self.params, "a mapping of name to number",
                             'e.g. {"discount": 0.05}')
        spec = {p.name: p for p in KINDS[self.kind].params}
        values: dict[str, float] = {}
        for name, value in self.params.items():
            if name not in spec:
                raise FieldError(f"{self.kind}.params", name, f"one of {sorted(spec)}",
                                 "remove the unknown parameter")
            values[name] = _number(f"{self.kind}.{name}", value, spec[name])
        for name, p in spec.items():
            values.setdefault(name, float(p.default))
        object.__setattr__(self, "params", dict(sorted(values.items())))
        channel = self.channel or ("email" if self.kind == "news" else "")
        if self.kind == "news" and channel not in NEWS_CHANNEL_COST:
            raise FieldError("news.channel", channel, f"one of {sorted(NEWS_CHANNEL_COST)}",
                             'news goes out by "email", "message" or "letter"')
        if self.kind != "news" and channel:
            raise FieldError(f"{self.kind}.channel", channel, '"" (only news has a channel)',
                             "leave channel out")
        object.__setattr__(self, "channel", channel)

    def __hash__(self) -> int:
        return hash((self.kind, self.segments, tuple(self.params.items()), self.channel))

    def value(self, name: str) -> float:
        """The value of parameter `name`."""
        return float(self.params[name])

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data."""
        return {"kind": self.kind, "segments": list(self.segments),
                "params": dict(self.params), "channel": self.channel}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Programme:
        """Inverse of `to_dict`; FieldError for anything malformed."""
        if not isinstance(data, Mapping):
            raise FieldError("programme", data, "a mapping with kind, segments, params",
                             'e.g. {"kind": "news", "params": {"per_month": 1}}')
        unknown = sorted(set(data) - {"kind", "segments", "params", "channel"})
        if unknown:
            raise FieldError("programme", unknown, "keys kind, segments, params, channel",
                             "remove the unknown keys")
        segments = data.get("segments") or ()
        if not isinstance(segments, list | tuple | str):
            raise FieldError("programme.segments", segments, "a list of segment names",
                             'e.g. ["sme"] or [] for all')
        return cls(str(data.get("kind", "")), tuple(segments) if not isinstance(
            segments, str) else (segments,), data.get("params") or {}, str(data.get("channel", "")))


def _number(field_name: str, value: Any, spec: Param) -> float:
    """`value` as a float inside the parameter's range, or FieldError."""
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    number = float(value) if ok else float("nan")
    if not ok or not np.isfinite(number) or not spec.low <= number <= spec.high:
        raise FieldError(field_name, value, f"a number from {spec.low:g} to {spec.high:g} "
                         f"({spec.unit})", f"e.g. {spec.default:g}")
    return number


def check_portfolio(programmes: Iterable[Any], segments: Iterable[str]) -> tuple[Programme, ...]:
    """The portfolio as `Programme`s, checked against the world's segments.

    Dicts are turned into programmes; a kind may appear once per segment (two overlapping
    discounts would be paid twice). FieldError names the offending programme.
    """
    if isinstance(programmes, Programme | Mapping | str):
        programmes = (programmes,)
    try:
        items = list(programmes)
    except TypeError as exc:
        raise FieldError("programmes", programmes, "a list of Programme", "e.g. [Programme("
                         '"news")]') from exc
    segs = tuple(segments)
    out = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(items):
        prog = item if isinstance(item, Programme) else Programme.from_dict(item)
        bad = [s for s in prog.segments if s not in segs]
        if bad:
            raise FieldError(f"programmes[{i}].segments", bad[0], f"one of {segs}",
                             "use this company's segment names")
        for s in prog.segments or segs:
            if (prog.kind, s) in seen:
                raise FieldError(f"programmes[{i}]", prog.kind, f"one {prog.kind} per segment",
                                 f"merge the two {prog.kind} programmes covering {s!r}")
            seen.add((prog.kind, s))
        out.append(prog)
    return tuple(out)


# ---------------------------------------------------------------- the world table
PROGRAMME_COLUMNS = {"position": "int64", "kind": "string", "segments": "string",
                     "params": "string", "channel": "string"}


def to_table(programmes: Iterable[Programme]) -> pd.DataFrame:
    """The portfolio as rows of the ``programmes`` table (segments/params as JSON)."""
    progs = tuple(programmes)
    return pd.DataFrame({
        "position": np.arange(len(progs), dtype=np.int64),
        "kind": [p.kind for p in progs],
        "segments": [json.dumps(list(p.segments)) for p in progs],
        "params": [json.dumps(dict(p.params), sort_keys=True) for p in progs],
        "channel": [p.channel for p in progs],
    }).astype(PROGRAMME_COLUMNS)


def from_table(table: pd.DataFrame) -> tuple[Programme, ...]:
    """Inverse of `to_table`."""
    rows = table.sort_values("position")
    return tuple(Programme(str(r.kind), tuple(json.loads(r.segments)), json.loads(r.params),
                           str(r.channel)) for r in rows.itertuples())


def describe_kinds() -> pd.DataFrame:
    """One row per kind and parameter: range, default, unit, meaning (for widgets, docs)."""
    rows = [{"kind": k.kind, "title": k.title, "parameter": p.name, "low": p.low,
             "high": p.high, "default": p.default, "unit": p.unit, "meaning": p.meaning,
             "eligibility": k.eligibility, "cost": k.cost}
            for k in KINDS.values() for p in k.params]
    return pd.DataFrame(rows)


# ------------------------------------------------------- seed-varying response
RESPONSE_STREAM = "economics.programmes"
# Each segment's response to each programme kind is the documented base effect times a
# factor drawn from U(RESPONSE_RANGE) per world, so a kind that pays in one company may
# not pay in another. Price sensitivity scales discounts, trade-ins and competitor offers;
# contact response scales what a well-made contact does.
RESPONSE_RANGE = (0.2, 1.8)
PRICE_SENSITIVITY_RANGE = (0.4, 1.8)
CONTACT_RESPONSE_RANGE = (0.6, 1.5)
COMPETITOR_RATE_RANGE = (0.05, 0.30)     # monthly chance a competitor launches an offer


@dataclass(frozen=True)
class ProgrammeResponse:
    """How one world's segments respond (arrays in `scenario.segments` order).

    Attributes:
        kinds: programme kinds, the column order of `response`.
        response: (segments, kinds) multiplier of each kind's base effect.
        price_sensitivity: per segment, scales discounts, trade-ins and competitor offers.
        contact_response: per segment, scales the effect of a well-made contact.
        competitor_rate: per segment, monthly chance of a competitor offer.
    """

    segments: tuple[str, ...]
    kinds: tuple[str, ...]
    response: np.ndarray
    price_sensitivity: np.ndarray
    contact_response: np.ndarray
    competitor_rate: np.ndarray

    def of(self, kind: str) -> np.ndarray:
        """The per-segment response multiplier of `kind`."""
        return self.response[:, self.kinds.index(kind)]


def draw_programme_response(segments: tuple[str, ...], streams: Streams) -> ProgrammeResponse:
    """The world's programme response, from its own stream (shifts no other draws)."""
    rng = streams.generator(RESPONSE_STREAM)
    k = len(segments)
    kinds = tuple(KINDS)
    response = rng.uniform(*RESPONSE_RANGE, (k, len(kinds)))
    price = rng.uniform(*PRICE_SENSITIVITY_RANGE, k)
    contact = rng.uniform(*CONTACT_RESPONSE_RANGE, k)
    competitor = rng.uniform(*COMPETITOR_RATE_RANGE, k)
    return ProgrammeResponse(tuple(segments), kinds, response, price, contact, competitor)


__all__ = ["KINDS", "Kind", "Param", "Programme", "ProgrammeResponse", "check_portfolio",
           "describe_kinds", "draw_programme_response", "from_table", "to_table"]
