"""Raw customer intelligence from five channels, messy the way real sources are.

A company learns about prospects from an event sign-up sheet, web enquiries, a purchased
list, referrals by existing customers and the call-centre log (ITCSCR410A P1, P3, P4).
The same person turns up in several of them, spelled differently ("Chan Tai Man, Peter",
"Peter CHEN", "Chan Tia Man"), with the phone typed in different layouts, fields left
empty, records years out of date, and sometimes no consent to direct marketing. The
trainee cleans, links and qualifies them; graders compare against the ground truth kept
in the hidden ``lead_truth`` table (which records are one entity, which are genuine
prospects, how likely each is to buy): ``world.hidden`` on the grader's side, the
engine's private state in a trainee's sealed world.

Everything is drawn from one named stream (``leads.sources.<YYYY-MM>`` for a given
month, ``leads.sources.recent.<today>`` by default) with numpy over whole arrays: no
Python loop per prospect.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from crm_sim.errors import LeadError
from crm_sim.leads.columns import (
    AUTHORITY_LEVELS,
    SOURCE_COLUMNS,
    SOURCE_TABLES,
    SOURCES,
    TRUTH_COLUMNS,
    TRUTH_TABLE,
)
from crm_sim.leads.resolution import ROMANISATION_VARIANTS
from crm_sim.providers.hk.address import Provider as _Address
from crm_sim.providers.hk.company import Provider as _Company
from crm_sim.providers.hk.person import Provider as _Person
from crm_sim.schema import SEGMENTS
from crm_sim.world import engine_state

__all__ = ["generate_sources", "load_sources", "all_records"]

MAX_PROSPECTS = 100_000
_SRC = tuple(SOURCES)

# ---------------------------------------------------------------------- calibration
# Illustrative figures chosen for teaching (no survey behind them): each row is one
# source, in SOURCES order: event, web, purchased, referral, call_centre.
# How likely an entity is to appear in each source (relative weights).
_SOURCE_WEIGHT = np.array([0.25, 0.30, 0.20, 0.10, 0.15])
# Share of records with each field filled in.
_FILLED = {
    "name": [0.98, 0.97, 0.95, 0.95, 0.90],
    "company": [0.95, 0.80, 0.98, 0.70, 0.85],
    "title": [0.80, 0.50, 0.90, 0.40, 0.60],
    "authority": [0.85, 0.70, 0.00, 0.70, 0.95],
    "phone": [0.90, 0.75, 0.95, 0.70, 0.98],
    "email": [0.90, 1.00, 0.90, 0.60, 0.50],
    "district": [0.85, 0.70, 0.95, 0.60, 0.90],
    "segment": [0.80, 0.60, 1.00, 0.50, 0.90],
    "need": [0.90, 0.95, 0.00, 0.70, 0.90],
    "budget_hkd": [0.70, 0.70, 0.00, 0.50, 0.85],
    "timeline_months": [0.80, 0.80, 0.00, 0.60, 0.90],
}
# Consent to direct marketing captured with the record. A referral never carries the
# referred person's own consent; a purchased list rarely proves it (PDPO Part 6A).
_CONSENT = np.array([0.80, 0.70, 0.30, 0.00, 0.60])
# Share of records that are stale (captured years ago, contact details since changed).
_STALE = np.array([0.05, 0.05, 0.30, 0.05, 0.08])
# Phone layouts: plain, "9123 4567", "9123-4567", "+852 9123 4567", "+85291234567",
# "(852) 9123-4567"; one row of weights per source.
_PHONE_LAYOUT = np.array([
    [0.30, 0.50, 0.10, 0.10, 0.00, 0.00],
    [0.25, 0.15, 0.10, 0.25, 0.20, 0.05],
    [0.10, 0.10, 0.20, 0.20, 0.10, 0.30],
    [0.40, 0.30, 0.20, 0.10, 0.00, 0.00],
    [0.90, 0.00, 0.10, 0.00, 0.00, 0.00],
])
# Share of entities who already are customers, and who are not genuine prospects
# (students filling a form, competitors, fake sign-ups, wrong numbers).
_EXISTING_SHARE = 0.12
_NOT_GENUINE_SHARE = 0.20
# Number of sources an entity appears in: 1, 2, 3 or 4.
_COPIES = np.array([0.55, 0.30, 0.12, 0.03])
# Median stated budget per segment (HKD) before lognormal spread.
_BUDGET_MEDIAN = {
    "corporate": 250_000, "sme": 45_000, "individual": 4_000,
    "collector": 90_000, "gift_buyer": 9_000, "walk_in": 3_500, "corporate_gifting": 60_000,
}
_B2B = {"corporate", "sme", "corporate_gifting"}
_DEFAULT_NEEDS = {
    "ict": ("broadband", "cloud", "cybersecurity", "managed_it", "mobile"),
    "timepiece": ("dress_watch", "sports_watch", "smart_watch", "gift_set", "servicing"),
}
_TITLES = {
    "decision_maker": ("Director", "Managing Director", "General Manager",
                       "Chief Financial Officer"),
    "influencer": ("IT Manager", "Procurement Manager", "Finance Manager",
                   "Operations Manager"),
    "end_user": ("Office Manager", "Administration Officer"),
}
_PERSONAL_DOMAINS = ("gmail.com", "yahoo.com.hk", "netvigator.com", "outlook.com",
                     "hotmail.com")


def _cat(*parts: Any) -> np.ndarray:
    """Element-wise concatenation of str arrays/scalars."""
    out = np.asarray(parts[0]).astype(str)
    for p in parts[1:]:
        out = np.strings.add(out, np.asarray(p).astype(str))
    return out


def _pick(rng: np.random.Generator, options: Any, n: int, weights: Any = None) -> np.ndarray:
    options = np.asarray(list(options), dtype=object)
    p = None if weights is None else np.asarray(weights, float) / np.sum(weights)
    return options[rng.choice(len(options), size=n, p=p)]


def _month_window(world: Any, month: str | None) -> tuple[dt.date, dt.date, str]:
    today = dt.date.fromisoformat(str(world.today)[:10])
    if month is None:
        return (today - dt.timedelta(days=30), today - dt.timedelta(days=1),
                f"recent.{today.isoformat()}")
    try:
        first = dt.date.fromisoformat(f"{month}-01") if isinstance(month, str) else None
    except ValueError:
        first = None
    if first is None or len(month) != 7:
        raise LeadError("month", month, "'YYYY-MM'", "e.g. month='2025-12', or leave it out")
    nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    last = min(nxt - dt.timedelta(days=1), today)
    if first > today:
        raise LeadError("month", month, f"a month up to {today:%Y-%m} (the world's today)",
                        "sources cannot be captured in the future")
    return first, last, month


# ---------------------------------------------------------------------- entities
def _entities(world: Any, rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Canonical facts of each person/company (the truth the records are noisy copies of)."""
    scenario = getattr(world, "scenario", None)
    industry = getattr(scenario, "industry", "ict")
    segments = SEGMENTS[industry]
    mix = getattr(scenario, "mix", None) or {s: 1.0 for s in segments}
    products = world.tables.get("products")
    needs = (tuple(sorted(products["category"].astype(str).unique()))
             if products is not None and len(products) else _DEFAULT_NEEDS[industry])

    surnames = _pick(rng, _Person.last_names, n, list(_Person.last_names.values()))
    given = _cat(_pick(rng, _Person.given_syllables, n), " ",
                 _pick(rng, _Person.given_syllables, n))
    english = np.where(rng.random(n) < 0.6, _pick(rng, _Person.english_names, n), "")
    segment = _pick(rng, segments, n, [mix.get(s, 0.0) for s in segments])
    b2b = np.isin(segment, list(_B2B))
    company = _cat(_pick(rng, _Company.company_prefixes, n), " ",
                   _pick(rng, _Company.company_modifiers, n), " ",
                   _pick(rng, _Company.company_cores, n), " ",
                   _pick(rng, ["Limited", "Company Limited"], n))
    company = np.where(b2b, company, "")
    authority = np.where(
        b2b, _pick(rng, AUTHORITY_LEVELS, n, [0.50, 0.32, 0.18]),
        np.where(rng.random(n) < 0.9, "decision_maker", "influencer"))
    picks = rng.choice(5 * 10**7, size=n, replace=False)
    lead_digit = np.array([5, 6, 9, 2, 3])[picks % 5]
    phone = (lead_digit * 10**7 + (picks // 5) % 10**7).astype("U8")
    first = np.where(english != "", english, np.strings.replace(given, " ", ""))
    stem = np.strings.lower(_cat(first, ".", surnames))
    slug = np.strings.lower(np.strings.replace(
        _cat(np.strings.partition(company.astype(str), " ")[0], "-",
             np.strings.partition(np.strings.partition(company.astype(str), " ")[2], " ")[0]),
        " ", ""))
    email = np.where(b2b, _cat(stem, "@", slug, ".com.hk"),
                     _cat(stem, (np.arange(n) % 900 + 100).astype(str), "@",
                          _pick(rng, _PERSONAL_DOMAINS, n)))
    name = np.where(english != "", _cat(surnames, " ", given, ", ", english),
                    _cat(surnames, " ", given))
    district = _pick(rng, list(_Address.districts), n, list(_Address.districts.values()))
    need = _pick(rng, needs, n)
    median = np.array([_BUDGET_MEDIAN[s] for s in segment], dtype=float)
    budget = np.round(median * rng.lognormal(0.0, 0.7, n), -3).clip(1000)
    timeline = _pick(rng, [1, 2, 3, 6, 9, 12, 18], n, [12, 14, 16, 20, 12, 14, 12]).astype(
        float)

    customer_id = np.full(n, "", dtype=object)
    customers = world.tables.get("customers")
    if customers is not None and len(customers):
        existing = np.flatnonzero(rng.random(n) < _EXISTING_SHARE)
        existing = existing[: len(customers)]
        rows = customers.iloc[np.sort(rng.choice(len(customers), len(existing),
                                                 replace=False))]
        customer_id[existing] = rows["customer_id"].astype(str).to_numpy()
        cols = {"name": name, "phone": phone, "email": email, "district": district,
                "segment": segment, "company": company}
        for col, arr in cols.items():
            arr = arr.astype(object)
            arr[existing] = rows[col].astype(str).to_numpy()
            cols[col] = arr
        name, phone, email = cols["name"], cols["phone"], cols["email"]
        district, segment, company = cols["district"], cols["segment"], cols["company"]
        surnames = np.strings.partition(name.astype(str), " ")[0]
    genuine = (customer_id != "") | (rng.random(n) >= _NOT_GENUINE_SHARE)
    # Non-genuine entries (students, competitors, fake sign-ups) rarely hold buying power,
    # a real budget or a near timeline: good standards should screen most of them out.
    fake = ~genuine
    authority = np.where(fake, _pick(rng, AUTHORITY_LEVELS, n, [0.2, 0.3, 0.5]), authority)
    timeline = np.where(fake, _pick(rng, [3, 9, 12, 18], n, [1, 3, 3, 3]).astype(float),
                        timeline)
    budget = np.where(fake, np.round(budget * 0.3, -3).clip(1000), budget)
    title = np.full(n, "", dtype=object)
    for level, titles in _TITLES.items():
        m = b2b & (authority == level)
        title[m] = _pick(rng, titles, int(m.sum()))
    # Propensity follows BANT so that good standards pick good leads: decision makers,
    # near timelines and real budgets buy more often.
    base = rng.beta(2.0, 10.0, n)
    boost = (1.0 + 0.8 * (authority == "decision_maker") + 0.6 * (timeline <= 3)
             + 0.3 * (timeline <= 6) + 0.3 * (customer_id != ""))
    propensity = np.where(genuine, np.clip(base * boost, 0.0, 0.8), 0.0)
    return pd.DataFrame({
        "entity_id": [f"E{i:05d}" for i in range(1, n + 1)],
        "name": name.astype(str), "surname": surnames.astype(str),
        "english": english.astype(str), "given": given.astype(str),
        "company": company.astype(str), "title": title.astype(str),
        "authority": authority.astype(str), "phone": phone.astype(str),
        "email": email.astype(str), "district": district.astype(str),
        "segment": segment.astype(str), "need": need.astype(str), "budget_hkd": budget,
        "timeline_months": timeline, "customer_id": customer_id.astype(str),
        "is_genuine": genuine, "propensity": propensity,
        "deal_value_hkd": np.round(budget * rng.uniform(0.6, 1.1, n), -2),
    })


# ---------------------------------------------------------------------- mess
def _typo(rng: np.random.Generator, s: np.ndarray) -> np.ndarray:
    """One keyboard slip per value: drop, double or swap a letter after the first."""
    s = s.astype(str)
    length = np.strings.str_len(s)
    ok = length >= 4
    pos = np.where(ok, 1 + (rng.random(len(s)) * np.maximum(length - 2, 1)).astype(int), 0)
    kind = rng.integers(0, 3, len(s))
    head, ch = np.strings.slice(s, 0, pos), np.strings.slice(s, pos, pos + 1)
    nxt, tail2 = np.strings.slice(s, pos + 1, pos + 2), np.strings.slice(s, pos + 2, None)
    tail1 = np.strings.slice(s, pos + 1, None)
    drop = np.strings.add(head, tail1)
    double = np.strings.add(np.strings.add(head, ch), np.strings.add(ch, tail1))
    swap = np.strings.add(np.strings.add(head, nxt), np.strings.add(ch, tail2))
    out = np.where(kind == 0, drop, np.where(kind == 1, double, swap))
    return np.where(ok, out, s)


def _variant_surname(rng: np.random.Generator, surname: np.ndarray) -> np.ndarray:
    """The same surname in another romanisation (Chan -> Chen), where one is known."""
    keys = np.array(list(ROMANISATION_VARIANTS), dtype=object)
    alts = np.array([ROMANISATION_VARIANTS[k] for k in keys], dtype=object)
    idx = pd.Index(keys).get_indexer(surname)
    pick = rng.integers(0, 2, len(surname))
    out = surname.astype(object).copy()
    has = idx >= 0
    out[has] = [alts[i][j] for i, j in zip(idx[has], pick[has], strict=True)]
    return out.astype(str)


def _messy_names(rng: np.random.Generator, rec: pd.DataFrame, src: np.ndarray) -> np.ndarray:
    n = len(rec)
    name = rec["name"].to_numpy().astype(str)
    surname = rec["surname"].to_numpy().astype(str)
    rest = np.strings.partition(name, " ")[2]            # "Tai Man, Peter"
    given = np.strings.partition(rest, ",")[0]
    english = np.strings.strip(np.strings.partition(rest, ",")[2])
    u = rng.random((n, 5))
    variant = np.where(u[:, 0] < 0.15, _variant_surname(rng, surname), surname)
    # Western order ("Peter Chan", "Tai Man Chan") is common on web forms.
    western = u[:, 1] < np.where(src == _SRC.index("web"), 0.35, 0.10)
    western_name = np.where(english != "", _cat(english, " ", variant),
                            _cat(given, " ", variant))
    hk_name = np.where(english != "", _cat(variant, " ", given, ", ", english),
                       _cat(variant, " ", given))
    out = np.where(western, western_name, hk_name)
    out = np.where(u[:, 2] < 0.08, _typo(rng, out), out)
    upper = u[:, 3] < np.where(src == _SRC.index("call_centre"), 0.6, 0.05)
    out = np.where(upper, np.strings.upper(out), out)
    hyphen = u[:, 4] < 0.05
    return np.where(hyphen, np.strings.replace(out, " ", "-", 1), out)


def _phone_layout(rng: np.random.Generator, phone: np.ndarray, src: np.ndarray) -> np.ndarray:
    p = phone.astype(str)
    a, b = np.strings.slice(p, 0, 4), np.strings.slice(p, 4, 8)
    layouts = np.stack([p, _cat(a, " ", b), _cat(a, "-", b), _cat("+852 ", a, " ", b),
                        _cat("+852", p), _cat("(852) ", a, "-", b)], axis=1)
    cum = np.cumsum(_PHONE_LAYOUT[src], axis=1)
    choice = (rng.random(len(p))[:, None] > cum).sum(axis=1).clip(0, 5)
    return layouts[np.arange(len(p)), choice]


def _messy_company(rng: np.random.Generator, company: np.ndarray) -> np.ndarray:
    c = company.astype(str)
    kind = rng.choice(6, size=len(c), p=[0.6, 0.12, 0.08, 0.08, 0.07, 0.05])
    stem = np.strings.replace(np.strings.replace(c, " Company Limited", ""), " Limited", "")
    out = np.select(
        [kind == 1, kind == 2, kind == 3, kind == 4, kind == 5],
        [_cat(stem, " Ltd"), _cat(stem, " Ltd."), _cat(stem, " Co. Ltd"), stem,
         np.strings.upper(c)], c)
    return np.where(c == "", "", out)


def _records(world: Any, rng: np.random.Generator, ent: pd.DataFrame,
             window: tuple[dt.date, dt.date]) -> pd.DataFrame:
    """Explode entities into source records and apply each source's mess."""
    n = len(ent)
    copies = 1 + rng.choice(len(_COPIES), size=n, p=_COPIES)
    weights = np.tile(_SOURCE_WEIGHT, (n, 1))
    genuine = ent["is_genuine"].to_numpy()
    weights[~genuine] *= np.array([0.5, 2.0, 2.0, 0.2, 0.5])   # fakes come via forms/lists
    has_customers = "customers" in world.tables and len(world.tables["customers"]) > 0
    if not has_customers:
        weights[:, _SRC.index("referral")] = 0.0
    # Weighted sampling without replacement per entity (Efraimidis-Spirakis keys).
    keys = np.where(weights > 0, rng.random((n, len(_SRC))) ** (1.0 / np.maximum(weights,
                                                                                  1e-12)),
                    -1.0)
    rank = np.argsort(np.argsort(-keys, axis=1, kind="stable"), axis=1, kind="stable")
    copies = np.minimum(copies, (weights > 0).sum(axis=1))
    take = rank < copies[:, None]
    ent_idx, src = np.nonzero(take)
    rec = ent.iloc[ent_idx].reset_index(drop=True)
    m = len(rec)

    stale = rng.random(m) < _STALE[src]
    first, last = window
    span = (last - first).days + 1
    day = rng.integers(0, span, m) - np.where(stale, rng.integers(400, 1500, m), 0)
    captured = (np.datetime64(first.isoformat()) + day.astype("timedelta64[D]")).astype(str)

    phone = rec["phone"].to_numpy().astype(str)
    old = (rng.choice(5 * 10**7, size=m, replace=False) % (7 * 10**7) + 2 * 10**7).astype(
        "U8")
    phone = np.where(stale, old, phone)
    email = rec["email"].to_numpy().astype(str)
    email = np.where(stale, _cat(np.strings.partition(email, "@")[0], "@",
                                 _pick(rng, _PERSONAL_DOMAINS, m)), email)
    u = rng.random(m)
    email = np.where(u < 0.06, np.strings.upper(email),
                     np.where(u < 0.12, _cat(" ", email, " "), email))
    out = {
        "source": np.array(_SRC, dtype=object)[src],
        "captured_date": captured,
        "name": _messy_names(rng, rec, src),
        "company": _messy_company(rng, rec["company"].to_numpy()),
        "title": rec["title"].to_numpy().astype(str),
        "authority": rec["authority"].to_numpy().astype(str),
        "phone": _phone_layout(rng, phone, src),
        "email": email,
        "district": rec["district"].to_numpy().astype(str),
        "segment": rec["segment"].to_numpy().astype(str),
        "need": rec["need"].to_numpy().astype(str),
        "budget_hkd": np.round(rec["budget_hkd"].to_numpy() * rng.lognormal(0, 0.15, m), -3),
        "timeline_months": rec["timeline_months"].to_numpy().astype(float),
        "dm_consent": rng.random(m) < _CONSENT[src],
        "referred_by": np.full(m, "", dtype=object),
    }
    for col, filled in _FILLED.items():
        blank = rng.random(m) >= np.asarray(filled)[src]
        if col in ("budget_hkd", "timeline_months"):
            out[col] = np.where(blank, np.nan, out[col])
        else:
            out[col] = np.where(blank, "", out[col])
    if has_customers:
        ref = src == _SRC.index("referral")
        cust = world.tables["customers"]["customer_id"].astype(str).to_numpy()
        own = rec["customer_id"].to_numpy().astype(str)
        referrer = cust[rng.integers(0, len(cust), m)]
        out["referred_by"] = np.where(ref, np.where(referrer == own, cust[0], referrer), "")
    recs = pd.DataFrame(out)
    recs["_entity"] = ent_idx
    recs["_stale"] = stale
    return recs


def _assign_ids(rng: np.random.Generator, recs: pd.DataFrame) -> pd.DataFrame:
    """Shuffle each source and number it: EV0001, WEB0001, ... (width grows if needed)."""
    recs = recs.iloc[rng.permutation(len(recs))].reset_index(drop=True)
    recs = recs.sort_values("source", kind="stable",
                            key=lambda s: s.map({k: i for i, k in enumerate(_SRC)}))
    order = recs.groupby("source", sort=False).cumcount().to_numpy() + 1
    width = max(4, len(str(int(order.max()) if len(order) else 1)))
    prefix = recs["source"].map(SOURCES).to_numpy().astype(str)
    recs["record_id"] = _cat(prefix, np.strings.zfill(order.astype(str), width))
    return recs.reset_index(drop=True)


def _build(world: Any, n_prospects: int, month: str | None):
    first, last, label = _month_window(world, month)
    rng = world.streams.generator(f"leads.sources.{label}")  # e.g. leads.sources.2025-12
    ent = _entities(world, rng, n_prospects)
    recs = _assign_ids(rng, _records(world, rng, ent, (first, last)))
    e = ent.iloc[recs["_entity"].to_numpy()].reset_index(drop=True)
    node = recs.groupby("_entity")["record_id"].transform("min")
    truth = pd.DataFrame({
        "record_id": recs["record_id"], "entity_id": e["entity_id"],
        "is_genuine": e["is_genuine"], "propensity": e["propensity"],
        "deal_value_hkd": e["deal_value_hkd"], "customer_id": e["customer_id"],
        "is_stale": recs["_stale"], "prospect_node": node,
    }).astype(TRUTH_COLUMNS)
    tables = {}
    for name in _SRC:
        part = recs.loc[recs["source"] == name, list(SOURCE_COLUMNS)]
        tables[name] = part.reset_index(drop=True).astype(SOURCE_COLUMNS)
    return tables, truth.sort_values("record_id", kind="stable").reset_index(drop=True)


def load_sources(world: Any) -> dict[str, pd.DataFrame]:
    """The source tables already in ``world`` (copies), keyed by source name.

    Raises:
        LeadError: the world has no lead sources yet.
    """
    if TRUTH_TABLE not in engine_state(world):
        raise LeadError("world", "no lead sources", "a world with lead sources",
                        "call generate_sources(world) first")
    return {name: world.tables[t].copy() for name, t in SOURCE_TABLES.items()}


def all_records(world: Any) -> pd.DataFrame:
    """All source records stacked in one table (record_id order), as a trainee would."""
    frames = list(load_sources(world).values())
    return pd.concat(frames, ignore_index=True).sort_values(
        "record_id", kind="stable").reset_index(drop=True)


def generate_sources(world: Any, n_prospects: int = 300,
                     month: str | None = None) -> dict[str, pd.DataFrame]:
    """Generate this world's raw lead sources and register them (truth hidden).

    Adds public tables ``src_event``, ``src_web``, ``src_purchased``, ``src_referral``,
    ``src_call_centre`` and the hidden ``lead_truth`` to ``world`` so they are saved
    with it. Calling again with the same arguments returns the same tables (a notebook
    cell can be re-run); different arguments on a world that already has sources raise.

    Args:
        world: a built `World`.
        n_prospects: distinct people/companies behind the records (10 .. 100,000);
            there are about 1.6 records per prospect.
        month: ``"YYYY-MM"`` the records were captured in; default the 30 days before
            ``world.today``. Also names the random stream, so each month differs.

    Returns:
        dict source name ("event", "web", "purchased", "referral", "call_centre") ->
        DataFrame with the columns of `columns.SOURCE_COLUMNS`.

    Raises:
        LeadError: bad n_prospects or month, or sources of other arguments exist.
    """
    if isinstance(n_prospects, bool) or not isinstance(n_prospects, (int, np.integer)) or not (
        10 <= n_prospects <= MAX_PROSPECTS
    ):
        raise LeadError("n_prospects", n_prospects, f"an int from 10 to {MAX_PROSPECTS:,}",
                        "e.g. n_prospects=300")
    if not all(hasattr(world, a) for a in ("tables", "hidden", "streams", "register_table")):
        raise LeadError("world", type(world).__name__, "a crm_sim World",
                        "build one with World.build(Scenario(...))")
    tables, truth = _build(world, int(n_prospects), month)
    if TRUTH_TABLE in engine_state(world):
        same = engine_state(world)[TRUTH_TABLE].equals(truth) and all(
            world.tables.get(SOURCE_TABLES[k]) is not None
            and world.tables[SOURCE_TABLES[k]].equals(v) for k, v in tables.items())
        if not same:
            raise LeadError("world", "already has lead sources",
                            "one set of sources per world",
                            "call load_sources(world), or build a new world for new sources")
        return load_sources(world)
    for name, df in tables.items():
        world.register_table(SOURCE_TABLES[name], df, columns=SOURCE_COLUMNS)
    world.register_table(TRUTH_TABLE, truth, hidden=True, columns=TRUTH_COLUMNS)
    return {k: v.copy() for k, v in tables.items()}


def ensure_sources(world: Any) -> dict[str, pd.DataFrame]:
    """The world's five lead sources (the world's own frames), generated on first use.

    Idempotent, so a view or a notebook cell can ask for the sources without knowing
    whether an earlier cell generated them.
    """
    if not all(t in world.tables for t in SOURCE_TABLES.values()):
        generate_sources(world)
    return {name: world.tables[table] for name, table in SOURCE_TABLES.items()}
