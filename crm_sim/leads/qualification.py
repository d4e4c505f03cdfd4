"""Lead qualification by management's pre-defined standards (ITCSCR410A P5, P6).

Management writes its standards as data (`LeadStandards`): the BANT questions (Budget
stated, Authority of the person, Need stated, Timeline close enough) plus company rules
(minimum deal size, direct-marketing consent required, excluded segments and districts,
key fields present, records not stale). `qualify` judges one lead and says why it fails;
`qualify_frame` does the same for a whole table at once. The two are written separately
on purpose so each checks the other (tests compare them row by row) and so the benchmark
measures what vectorising buys.

Whether a qualified list was any good is only known later: `simulate_conversions` plays
the next month against the hidden propensities and `score_lead_list` turns that into the
figures a grader or a manager reads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crm_sim.errors import LeadError, PolicyError
from crm_sim.leads.columns import AUTHORITY_LEVELS, KEY_FIELDS, SOURCE_COLUMNS, TRUTH_TABLE
from crm_sim.providers.hk.address import Provider as _Address
from crm_sim.schema import SEGMENTS

__all__ = [
    "DISTRICTS",
    "entity_view",
    "LeadStandards",
    "QualificationResult",
    "management_standards",
    "qualify",
    "qualify_frame",
    "score_lead_list",
    "simulate_conversions",
]

DISTRICTS: tuple[str, ...] = tuple(_Address.districts)
ALL_SEGMENTS: tuple[str, ...] = tuple(s for segs in SEGMENTS.values() for s in segs)


def _tuple_of(name: str, value: Any, allowed: Iterable[str]) -> tuple[str, ...]:
    """Coerce a list/tuple of names to a sorted-free tuple, checking each is allowed."""
    allowed = tuple(allowed)
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise PolicyError(name, value, f"a list drawn from {allowed}", f"e.g. {name}=[]")
    out = tuple(value)
    bad = [v for v in out if v not in allowed]
    if bad:
        raise PolicyError(name, bad, f"values from {allowed}", "check the spelling")
    return out


def _number(name: str, value: Any, low: float, fix: str, optional: bool = False) -> Any:
    if optional and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
        value
    ) or value < low:
        raise PolicyError(name, value, f"a number >= {low}" + (" or None" if optional else ""),
                          fix)
    return value


@dataclass(frozen=True)
class LeadStandards:
    """Management's rules for a qualified lead; every rule can be switched off.

    Attributes:
        require_budget: B of BANT: the prospect has stated a budget.
        min_deal_hkd: company rule: stated budget at least this (0 = any size).
        authority_levels: A of BANT: accepted buying roles (empty = not checked).
        require_need: N of BANT: a product need has been stated.
        max_timeline_months: T of BANT: intends to buy within this many months (None =
            not checked; an unknown timeline fails when checked).
        require_consent: PDPO: the record carries direct-marketing consent.
        excluded_segments: segments management does not pursue.
        excluded_districts: districts outside the sales territory.
        required_fields: columns that must be non-empty (e.g. "name", "company").
        require_contact: a phone number or an e-mail address is present.
        max_record_age_days: records captured longer ago are stale (None = not checked).
    """

    require_budget: bool = True
    min_deal_hkd: float = 0.0
    authority_levels: tuple[str, ...] = ("decision_maker",)
    require_need: bool = True
    max_timeline_months: float | None = 6.0
    require_consent: bool = True
    excluded_segments: tuple[str, ...] = ()
    excluded_districts: tuple[str, ...] = ()
    required_fields: tuple[str, ...] = ("name",)
    require_contact: bool = True
    max_record_age_days: int | None = 365

    def __post_init__(self) -> None:
        for flag in ("require_budget", "require_need", "require_consent", "require_contact"):
            if not isinstance(getattr(self, flag), bool):
                raise PolicyError(flag, getattr(self, flag), "True or False",
                                  f"{flag}=True switches the rule on")
        _number("min_deal_hkd", self.min_deal_hkd, 0, "e.g. min_deal_hkd=20000")
        _number("max_timeline_months", self.max_timeline_months, 0,
                "e.g. max_timeline_months=6, or None to skip", optional=True)
        age = self.max_record_age_days
        if age is not None and (isinstance(age, bool) or not isinstance(age, int) or age < 1):
            raise PolicyError("max_record_age_days", age, "an int >= 1 or None",
                              "e.g. max_record_age_days=365")
        setter = object.__setattr__
        setter(self, "authority_levels",
               _tuple_of("authority_levels", self.authority_levels, AUTHORITY_LEVELS))
        setter(self, "excluded_segments",
               _tuple_of("excluded_segments", self.excluded_segments, ALL_SEGMENTS))
        setter(self, "excluded_districts",
               _tuple_of("excluded_districts", self.excluded_districts, DISTRICTS))
        setter(self, "required_fields",
               _tuple_of("required_fields", self.required_fields,
                         [c for c in SOURCE_COLUMNS if SOURCE_COLUMNS[c] == "string"]))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (tuples become lists); `from_dict` reads it back."""
        return {
            f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v
            for f in dataclasses.fields(self)
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LeadStandards:
        """Build from plain data; unknown keys are an error (a typo must not pass silently).

        Raises:
            PolicyError: not a mapping, an unknown key, or an invalid value.
        """
        if not isinstance(data, Mapping):
            raise PolicyError("standards", type(data).__name__, "a dict of rule -> value",
                              "use LeadStandards().to_dict() as a template")
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = [k for k in data if k not in names]
        if unknown:
            raise PolicyError("standards", unknown, f"keys from {names}", "check the spelling")
        return cls(**dict(data))

    def describe(self) -> list[str]:
        """The rules in plain words, for notebooks and reports."""
        out = []
        if self.require_budget:
            out.append("Budget: the prospect has stated a budget")
        if self.min_deal_hkd > 0:
            out.append(f"Deal size: budget at least {self.min_deal_hkd:,.0f} HKD")
        if self.authority_levels:
            out.append(f"Authority: buying role is {' or '.join(self.authority_levels)}")
        if self.require_need:
            out.append("Need: a product need has been stated")
        if self.max_timeline_months is not None:
            out.append(f"Timeline: intends to buy within {self.max_timeline_months:g} months")
        if self.require_consent:
            out.append("Consent: direct-marketing consent is on record (PDPO)")
        if self.excluded_segments:
            out.append(f"Segments not pursued: {', '.join(self.excluded_segments)}")
        if self.excluded_districts:
            out.append(f"Districts outside territory: {', '.join(self.excluded_districts)}")
        if self.required_fields:
            out.append(f"Required fields: {', '.join(self.required_fields)}")
        if self.require_contact:
            out.append("Contact: a phone number or an e-mail address")
        if self.max_record_age_days is not None:
            out.append(f"Fresh: captured within the last {self.max_record_age_days} days")
        return out


def management_standards(world: Any) -> LeadStandards:
    """The standards management of this world's company issues (graders' default).

    An ICT provider chases contracts of 10,000 HKD or more; a watch retailer 5,000 HKD.
    """
    industry = getattr(getattr(world, "scenario", None), "industry", "ict")
    return LeadStandards(min_deal_hkd=10_000.0 if industry == "ict" else 5_000.0)


@dataclass(frozen=True)
class QualificationResult:
    """The verdict on one lead: qualified, or the reasons it is not (in rule order)."""

    qualified: bool
    reasons: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.qualified


# ---------------------------------------------------------------------- reason texts
def _msg_budget() -> str:
    return "budget: not stated"


def _msg_deal(s: LeadStandards) -> str:
    return f"deal size: budget below {s.min_deal_hkd:,.0f} HKD"


def _msg_authority(s: LeadStandards) -> str:
    return f"authority: not {' or '.join(s.authority_levels)}"


def _msg_timeline(s: LeadStandards) -> str:
    return f"timeline: unknown or beyond {s.max_timeline_months:g} months"


_MSG_NEED = "need: not stated"
_MSG_CONSENT = "consent: no direct-marketing consent on record"
_MSG_CONTACT = "contact: no phone or e-mail"


def _msg_stale(s: LeadStandards) -> str:
    return f"stale: captured more than {s.max_record_age_days} days ago"


def _check_standards(standards: Any) -> LeadStandards:
    if isinstance(standards, Mapping):
        return LeadStandards.from_dict(standards)
    if not isinstance(standards, LeadStandards):
        raise PolicyError("standards", type(standards).__name__, "a LeadStandards or a dict",
                          "build one with LeadStandards(min_deal_hkd=...)")
    return standards


def _check_as_of(as_of: Any, standards: LeadStandards) -> dt.date | None:
    if standards.max_record_age_days is None:
        return None
    if as_of is None:
        raise LeadError("as_of", None, "an ISO date when max_record_age_days is set",
                        "pass as_of=world.today, or set max_record_age_days=None")
    try:
        return dt.date.fromisoformat(str(as_of)[:10])
    except ValueError as e:
        raise LeadError("as_of", as_of, "an ISO date 'YYYY-MM-DD'",
                        "pass as_of=world.today") from e


def _needed_columns(s: LeadStandards) -> list[str]:
    cols = list(s.required_fields)
    if s.require_budget or s.min_deal_hkd > 0:
        cols.append("budget_hkd")
    if s.authority_levels:
        cols.append("authority")
    if s.require_need:
        cols.append("need")
    if s.max_timeline_months is not None:
        cols.append("timeline_months")
    if s.require_consent:
        cols.append("dm_consent")
    if s.excluded_segments:
        cols.append("segment")
    if s.excluded_districts:
        cols.append("district")
    if s.require_contact:
        cols += ["phone", "email"]
    if s.max_record_age_days is not None:
        cols.append("captured_date")
    return list(dict.fromkeys(cols))


# ---------------------------------------------------------------------- scalar
def _blank(v: Any) -> bool:
    if v is None or v is pd.NA:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and v.strip() == ""


def _in(v: Any, options: tuple[str, ...]) -> bool:
    """``v in options`` that is False (not an error) for None/NA/NaN."""
    return isinstance(v, str) and v in options


def _num(lead: Mapping[str, Any], key: str) -> float:
    v = lead.get(key)
    if _blank(v):
        return math.nan
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise LeadError(key, v, "a number or empty", f"convert {key} with pd.to_numeric")
    return float(v)


def qualify(lead: Mapping[str, Any], standards: LeadStandards,
            as_of: str | None = None) -> QualificationResult:
    """Judge one lead (a dict or a DataFrame row) against ``standards``.

    Args:
        lead: the lead's fields, named as in `columns.SOURCE_COLUMNS`.
        standards: management's `LeadStandards` (or its dict form).
        as_of: today's date (``world.today``), needed to judge staleness.

    Returns:
        `QualificationResult`; ``reasons`` lists every failed rule in rule order.

    Raises:
        LeadError: ``lead`` is not a mapping, lacks a field a rule needs, or holds a
            value of the wrong kind.
        PolicyError: ``standards`` is invalid.
    """
    s = _check_standards(standards)
    if isinstance(lead, pd.Series):
        lead = lead.to_dict()
    if not isinstance(lead, Mapping):
        raise LeadError("lead", type(lead).__name__, "a dict of field -> value",
                        "pass one row, e.g. df.iloc[0].to_dict()")
    missing = [c for c in _needed_columns(s) if c not in lead]
    if missing:
        raise LeadError("lead", missing, "fields needed by the standards",
                        "add the fields (empty values are fine) or switch the rules off")
    today = _check_as_of(as_of, s)
    reasons: list[str] = []
    budget = _num(lead, "budget_hkd") if "budget_hkd" in _needed_columns(s) else math.nan
    if s.require_budget and math.isnan(budget):
        reasons.append(_msg_budget())
    if s.min_deal_hkd > 0 and not budget >= s.min_deal_hkd:
        reasons.append(_msg_deal(s))
    if s.authority_levels and not _in(lead["authority"], s.authority_levels):
        reasons.append(_msg_authority(s))
    if s.require_need and _blank(lead["need"]):
        reasons.append(_MSG_NEED)
    if s.max_timeline_months is not None:
        t = _num(lead, "timeline_months")
        if not t <= s.max_timeline_months:
            reasons.append(_msg_timeline(s))
    if s.require_consent and lead["dm_consent"] is not True and not (
        isinstance(lead["dm_consent"], np.bool_) and bool(lead["dm_consent"])
    ):
        reasons.append(_MSG_CONSENT)
    if s.excluded_segments and _in(lead["segment"], s.excluded_segments):
        reasons.append(f"segment: {lead['segment']} is excluded")
    if s.excluded_districts and _in(lead["district"], s.excluded_districts):
        reasons.append(f"district: {lead['district']} is excluded")
    for f in s.required_fields:
        if _blank(lead[f]):
            reasons.append(f"missing: {f}")
    if s.require_contact and _blank(lead["phone"]) and _blank(lead["email"]):
        reasons.append(_MSG_CONTACT)
    if today is not None:
        captured = lead["captured_date"]
        try:
            age = (today - dt.date.fromisoformat(str(captured)[:10])).days
        except ValueError:
            age = math.inf  # an unreadable date cannot be shown to be fresh
        if not age <= s.max_record_age_days:
            reasons.append(_msg_stale(s))
    return QualificationResult(not reasons, tuple(reasons))


# ---------------------------------------------------------------------- vectorised
def _blank_col(col: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        return col.isna().to_numpy()
    s = col.astype("string")
    na = s.isna().to_numpy()
    text = s.fillna("").to_numpy(dtype=str)          # numpy's C string routines from here
    return na | (np.strings.str_len(np.strings.strip(text)) == 0)


def _num_col(df: pd.DataFrame, key: str) -> np.ndarray:
    col = df[key]
    if pd.api.types.is_bool_dtype(col) or not (
        pd.api.types.is_numeric_dtype(col) or _blank_col(col).all()
    ):
        bad = col[~_blank_col(col)].iloc[0] if len(col) else None
        raise LeadError(key, bad, "a number or empty", f"convert {key} with pd.to_numeric")
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def qualify_frame(df: pd.DataFrame, standards: LeadStandards,
                  as_of: str | None = None) -> pd.DataFrame:
    """`qualify` for every row at once: a copy of ``df`` plus ``qualified`` and ``reasons``.

    ``reasons`` joins the failed rules with ``"; "`` ("" when qualified), identical to
    ``"; ".join(qualify(row, ...).reasons)`` for each row.

    Raises:
        LeadError: not a DataFrame, a needed column missing, or a column of the wrong kind.
        PolicyError: ``standards`` is invalid.
    """
    s = _check_standards(standards)
    if not isinstance(df, pd.DataFrame):
        raise LeadError("df", type(df).__name__, "a pandas DataFrame of leads",
                        "stack the source tables with pd.concat")
    missing = [c for c in _needed_columns(s) if c not in df.columns]
    if missing:
        raise LeadError("df", missing, "columns needed by the standards",
                        "add the columns (empty values are fine) or switch the rules off")
    today = _check_as_of(as_of, s)
    n = len(df)
    # (mask, text) or (mask, per-row values, template naming the value)
    fails: list[tuple] = []
    if "budget_hkd" in _needed_columns(s):
        budget = _num_col(df, "budget_hkd")
    if s.require_budget:
        fails.append((np.isnan(budget), _msg_budget()))
    if s.min_deal_hkd > 0:
        fails.append((~(budget >= s.min_deal_hkd), _msg_deal(s)))
    if s.authority_levels:
        ok = df["authority"].astype("string").isin(s.authority_levels)
        fails.append((~ok.to_numpy(dtype=bool, na_value=False), _msg_authority(s)))
    if s.require_need:
        fails.append((_blank_col(df["need"]), _MSG_NEED))
    if s.max_timeline_months is not None:
        t = _num_col(df, "timeline_months")
        fails.append((~(t <= s.max_timeline_months), _msg_timeline(s)))
    if s.require_consent:
        c = df["dm_consent"]
        ok = c.to_numpy(dtype=bool, na_value=False) if pd.api.types.is_bool_dtype(c) else (
            c.map(lambda v: v is True or (isinstance(v, np.bool_) and bool(v)))
            .to_numpy(dtype=bool))
        fails.append((~ok, _MSG_CONSENT))
    if s.excluded_segments:
        seg = df["segment"].astype("string")
        hit = seg.isin(s.excluded_segments).to_numpy(dtype=bool, na_value=False)
        fails.append((hit, seg.fillna("").to_numpy(object), "segment: {} is excluded"))
    if s.excluded_districts:
        dis = df["district"].astype("string")
        hit = dis.isin(s.excluded_districts).to_numpy(dtype=bool, na_value=False)
        fails.append((hit, dis.fillna("").to_numpy(object), "district: {} is excluded"))
    for f in s.required_fields:
        fails.append((_blank_col(df[f]), f"missing: {f}"))
    if s.require_contact:
        fails.append((_blank_col(df["phone"]) & _blank_col(df["email"]), _MSG_CONTACT))
    if today is not None:
        cap = pd.to_datetime(df["captured_date"].astype("string").str.slice(0, 10),
                             format="%Y-%m-%d", errors="coerce")
        age = (pd.Timestamp(today) - cap).dt.days.to_numpy(dtype="float64", na_value=np.nan)
        fails.append((~(age <= s.max_record_age_days), _msg_stale(s)))

    # Rows fail in few distinct ways: encode each row's failures as a small int vector,
    # build the reason text once per distinct vector and broadcast it back.
    codes = np.zeros((n, len(fails)), dtype=np.int64)
    texts: list[list[str]] = []
    for j, (mask, *how) in enumerate(fails):
        if len(how) == 1:                       # constant text
            codes[:, j] = mask
            texts.append(["", how[0]])
        else:                                   # text naming the row's value
            values, template = how
            ids, uniq = pd.factorize(pd.Series(values[mask], dtype=object))
            codes[mask, j] = ids + 1
            texts.append([""] + [template.format(u) for u in uniq])
    any_fail = codes.any(axis=1)
    if n and len(fails):
        radix = np.array([len(t) for t in texts], dtype=np.int64)   # mixed-radix key
        place = np.concatenate([[1], np.cumprod(radix)[:-1]])
        keys, inverse = np.unique(codes @ place, return_inverse=True)
        rows = (keys[:, None] // place[None, :]) % radix[None, :]
        joined = np.array(["; ".join(texts[j][c] for j, c in enumerate(row) if c)
                           for row in rows.tolist()], dtype=object)
        reasons = joined[inverse.reshape(-1)]
    else:
        reasons = np.full(n, "", dtype=object)
    out = df.copy()
    out["qualified"] = pd.array(~any_fail, dtype="bool")
    out["reasons"] = pd.array(reasons, dtype="string")
    return out


# ---------------------------------------------------------------------- outcomes
def _truth(world: Any) -> pd.DataFrame:
    hidden = getattr(world, "hidden", None)
    if not isinstance(hidden, Mapping) or TRUTH_TABLE not in hidden:
        raise LeadError("world", "no lead sources", "a world with lead sources",
                        "call crm_sim.leads.generate_sources(world) first")
    return hidden[TRUTH_TABLE]


def _ids(lead_ids: Any, field: str = "lead_ids") -> list[str]:
    """Accept a list of record ids, a Series, or a DataFrame with a record_id column."""
    if isinstance(lead_ids, pd.DataFrame):
        if "record_id" not in lead_ids.columns:
            raise LeadError(field, list(lead_ids.columns), "a table with a record_id column",
                            "keep record_id in your lead list")
        lead_ids = lead_ids["record_id"]
    if isinstance(lead_ids, str) or not isinstance(lead_ids, Iterable):
        raise LeadError(field, lead_ids, "a list of record ids such as ['EV0001']",
                        "wrap a single id in a list")
    ids = list(lead_ids)
    bad = [v for v in ids if not isinstance(v, str)]
    if bad:
        raise LeadError(field, bad[:5], "record ids as strings", "use the record_id column")
    return ids


def _check_known(ids: list[str], truth: pd.DataFrame, field: str) -> None:
    known = pd.Index(truth["record_id"])
    unknown = [i for i in dict.fromkeys(ids) if i not in known] if ids else []
    if unknown:
        shown = ", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else "")
        raise LeadError(field, shown, "record ids of this world's lead sources",
                        f"{len(unknown)} unknown id(s): copy ids from the src_* tables")


def simulate_conversions(world: Any, lead_ids: Any, month_offset: int = 1) -> pd.DataFrame:
    """Which of these leads buy when approached ``month_offset`` months from now.

    Decided per person/company (entity), so two records of one entity convert together;
    only genuine prospects can convert, each with its hidden propensity. The random draw
    for each entity and month comes from the named stream ``leads.conversions.<month>``
    and does not depend on which other leads are in the list, so adding a lead never
    changes another lead's outcome.

    Returns:
        One row per requested record (input order): record_id, month (``YYYY-MM``),
        converted (bool), value_hkd (0 when not converted).

    Raises:
        LeadError: unknown ids, bad month_offset, or no lead sources in the world.
    """
    if isinstance(month_offset, bool) or not isinstance(month_offset, (int, np.integer)) or not (
        1 <= month_offset <= 24
    ):
        raise LeadError("month_offset", month_offset, "an int from 1 to 24",
                        "month_offset=1 means next month")
    truth = _truth(world)
    ids = _ids(lead_ids)
    _check_known(ids, truth, "lead_ids")
    entities = np.sort(truth["entity_id"].unique().astype(str))
    rng = world.streams.generator(f"leads.conversions.{int(month_offset)}")
    draw = pd.Series(rng.random(len(entities)), index=entities)
    t = truth.set_index("record_id").loc[ids]
    u = draw.loc[t["entity_id"].astype(str)].to_numpy()
    converted = t["is_genuine"].to_numpy(dtype=bool) & (u < t["propensity"].to_numpy())
    today = dt.date.fromisoformat(str(world.today)[:10])
    y, m = divmod(today.month - 1 + int(month_offset), 12)
    month = f"{today.year + y:04d}-{m + 1:02d}"
    return pd.DataFrame({
        "record_id": pd.array(ids, dtype="string"),
        "month": pd.array([month] * len(ids), dtype="string"),
        "converted": pd.array(converted, dtype="bool"),
        "value_hkd": np.where(converted, t["deal_value_hkd"].to_numpy(), 0.0),
    })


def entity_view(world: Any) -> pd.DataFrame:
    """What the company knows about each prospect, merged across all its records.

    One row per source record: the record's id with its *entity's* merged fields (for
    each field the most recently captured non-empty value; consent if any record carries
    it; the newest capture date). Graders judge a lead list on this view, so a trainee
    who linked records and filled gaps from other sources is judged on the same facts,
    and values typed into a submitted list cannot change the verdict.
    """
    from crm_sim.leads.columns import SOURCE_COLUMNS, SOURCE_TABLES

    truth = _truth(world)
    frames = [world.tables[t] for t in SOURCE_TABLES.values() if t in world.tables]
    recs = pd.concat(frames, ignore_index=True)
    ent = truth.set_index("record_id")["entity_id"]
    recs["_entity"] = ent.loc[recs["record_id"].astype(str)].to_numpy()
    recs = recs.sort_values(["captured_date", "record_id"], ascending=[False, True],
                            kind="stable")
    fields = [c for c in SOURCE_COLUMNS if c not in ("record_id", "dm_consent")]
    blanked = recs[fields].copy()
    for c in fields:
        if SOURCE_COLUMNS[c] == "string":
            blanked[c] = blanked[c].where(blanked[c] != "", pd.NA)
    blanked["_entity"] = recs["_entity"].to_numpy()
    merged = blanked.groupby("_entity", sort=True).first()
    for c in fields:
        if SOURCE_COLUMNS[c] == "string":
            merged[c] = merged[c].fillna("")
    merged["dm_consent"] = recs.groupby("_entity", sort=True)["dm_consent"].any()
    out = merged.loc[truth["entity_id"].to_numpy()].reset_index(drop=True)
    out.insert(0, "record_id", truth["record_id"].to_numpy())
    return out[list(SOURCE_COLUMNS)].astype(SOURCE_COLUMNS)


def score_lead_list(world: Any, lead_list: Any, standards: LeadStandards | None = None,
                    month_offset: int = 1) -> dict[str, Any]:
    """Score a trainee's qualified-lead list by what happens next month.

    Rule compliance is judged on `entity_view` (what the company knows about each
    listed prospect across all sources; what the trainee typed into other columns
    cannot change it) and conversions on the hidden truth (who really buys).
    Key-field completeness is judged on the list as submitted: a lead list must carry
    the key information on each lead (ITCSCR410A P6).

    Args:
        world: the world the sources were generated in.
        lead_list: a DataFrame with ``record_id`` (and ideally the `KEY_FIELDS`), or a
            list of record ids.
        standards: rules to check compliance with; default `management_standards`.
        month_offset: which later month decides conversions.

    Returns:
        dict with n_leads, n_entities, duplicates, conversions, precision (conversions per
        distinct entity), revenue_hkd, not_genuine, existing_customers, rule_compliance
        (share of listed records passing the standards), rule_failures (reason -> count),
        no_consent, missing_key_fields (field -> rows lacking it), complete_rows.

    Raises:
        LeadError: unknown ids, malformed list, or no lead sources in the world.
    """
    standards = management_standards(world) if standards is None else _check_standards(
        standards)
    truth = _truth(world)
    ids = _ids(lead_list, "lead_list")
    _check_known(ids, truth, "lead_list")
    conv = simulate_conversions(world, ids, month_offset)
    t = truth.set_index("record_id").loc[ids]
    ent = t["entity_id"].to_numpy()
    n_entities = int(pd.unique(ent).size)
    by_entity = pd.DataFrame({"entity": ent, "converted": conv["converted"].to_numpy(),
                              "value": conv["value_hkd"].to_numpy()}).drop_duplicates("entity")
    conversions = int(by_entity["converted"].sum())
    ent_truth = t.reset_index().drop_duplicates("entity_id")
    rows = entity_view(world).set_index("record_id").loc[ids].reset_index()
    judged = qualify_frame(rows, standards, as_of=world.today)
    failures: dict[str, int] = {}
    for text in judged.loc[~judged["qualified"], "reasons"]:
        for r in str(text).split("; "):
            failures[r] = failures.get(r, 0) + 1
    missing, complete = _missing_key_fields(lead_list, len(ids))
    return {
        "n_leads": len(ids),
        "n_entities": n_entities,
        "duplicates": len(ids) - n_entities,
        "conversions": conversions,
        "precision": conversions / n_entities if n_entities else 0.0,
        "revenue_hkd": float(by_entity["value"].sum()),
        "not_genuine": int((~ent_truth["is_genuine"].astype(bool)).sum()),
        "existing_customers": int((ent_truth["customer_id"] != "").sum()),
        "rule_compliance": float(judged["qualified"].mean()) if len(ids) else 0.0,
        "rule_failures": dict(sorted(failures.items())),
        "no_consent": int((~rows["dm_consent"].astype(bool)).sum()),
        "missing_key_fields": missing,
        "complete_rows": complete,
    }


def _missing_key_fields(lead_list: Any, n: int) -> tuple[dict[str, int], int]:
    """Rows of the submitted list lacking each key field (all rows if the column is absent)."""
    if not isinstance(lead_list, pd.DataFrame):
        return dict.fromkeys(KEY_FIELDS, n), 0
    lacking = np.zeros(n, dtype=bool)
    out: dict[str, int] = {}
    for f in KEY_FIELDS:
        if f == "contact":
            has = [c for c in ("phone", "email") if c in lead_list.columns]
            blank = np.ones(n, dtype=bool)
            for c in has:
                blank &= _blank_col(lead_list[c])
        elif f in lead_list.columns:
            blank = _blank_col(lead_list[f])
        else:
            blank = np.ones(n, dtype=bool)
        out[f] = int(blank.sum())
        lacking |= blank
    return out, int((~lacking).sum())
