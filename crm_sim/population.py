"""Build the population tables: customers, contacts, staff, outsourcers, products, latent.

Faker (with the Hong Kong providers) is called only to fill small *pools* of names;
every row is then drawn from the pools and from provider data with numpy, in whole
arrays, so 100,000 customers cost about as much as a few thousand Faker calls.
All randomness comes from named streams of the world's `Streams`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from faker import Faker

from crm_sim import behaviour, strings  # noqa: F401 - strings: python-backed pandas strings
from crm_sim.catalogue import CATALOGUE, EMAIL_DOMAINS, ROLES, SEGMENT_PROFILES
from crm_sim.economics import draw_economics
from crm_sim.providers.hk import PROVIDERS, address, company, hkid, person, ssn
from crm_sim.rng import Streams
from crm_sim.scenario import Scenario
from crm_sim.schema import CHANNELS, LANGUAGES, TABLES
from crm_sim.strings import wrap_python_strings
from crm_sim.textcols import (
    codes,
    digit_matrix,
    ids,
    iso_dates,
    join_bytes,
    join_text,
    object_pool,
)

NAME_POOL_MAX = 1500
_NUMPY_DTYPES = ("float64", "int64", "bool")
_CH = np.asarray(CHANNELS, dtype=object)


def hk_faker(seed: int) -> Faker:
    """A Faker instance with the Hong Kong providers, seeded on the instance only."""
    fake = Faker("en_US")
    for provider in PROVIDERS:
        fake.add_provider(provider)
    fake.seed_instance(seed)
    return fake


def to_frame(table: str, columns: dict) -> pd.DataFrame:
    """A DataFrame with exactly the schema's columns, in order, with the schema's dtypes.

    The frame takes over the builder's arrays instead of copying them: an object ndarray
    of str becomes its string column as is (`wrap_python_strings`; the builders make only
    str, never None or numbers), a numpy column of the schema's dtype is used as is.
    So a caller must not modify an array after handing it over; one array given for two
    columns is copied for the second. Lists and other dtypes are converted as before.
    """
    spec = TABLES[table]
    seen: set[int] = set()
    built = {}
    for name, dtype in spec.items():
        values = columns[name]
        owned = isinstance(values, np.ndarray) and id(values) not in seen
        seen.add(id(values))
        if dtype == "string" and owned and values.dtype == object:
            built[name] = wrap_python_strings(values)
        elif dtype == "string":
            built[name] = pd.array(np.asarray(values, dtype=object), dtype=dtype)
        elif owned and dtype in _NUMPY_DTYPES and values.dtype == dtype:
            built[name] = values
        else:
            built[name] = pd.array(values, dtype=dtype)
    return pd.DataFrame(built, copy=False)


class NamePool:
    """Pools of romanised Cantonese names built once with Faker, drawn from with numpy.

    Pieces are stored pre-joined (``"Chan "``, ``"Tai Man, Peter"``, ``".chan"``) as object
    arrays, so a name or e-mail stem for a whole column costs one array addition.
    """

    def __init__(self, fake: Faker, size: int = NAME_POOL_MAX):
        # one Faker call per pool (weighted surnames), not one per name
        surname = list(fake.random_elements(person.Provider.last_names, length=size))
        syllables = list(fake.random_elements(person.Provider.given_syllables, length=2 * size))
        given = [f"{a} {b}" for a, b in zip(syllables[::2], syllables[1::2], strict=True)]
        english = list(fake.random_elements(person.Provider.english_names, length=size))
        self.size = size
        self.surname = np.array(surname, dtype=object)
        self.surname_sp = np.array([f"{s} " for s in surname], dtype=object)
        self.surname_dot = np.array([f".{s.lower()}" for s in surname], dtype=object)
        # index j: Cantonese given name only; index size + j: with the English name
        self.given = np.array(
            given + [f"{g}, {e}" for g, e in zip(given, english, strict=True)], dtype=object
        )
        self.first_lower = np.array(
            [g.replace(" ", "").lower() for g in given] + [e.lower() for e in english], dtype=object
        )

    def draw(self, rng: np.random.Generator, n: int, english_share) -> dict[str, np.ndarray]:
        """`n` names: full name ("Chan Tai Man, Peter"), surname, e-mail stem ("peter.chan")."""
        i = rng.integers(0, self.size, n)
        j = rng.integers(0, self.size, n) + self.size * (rng.random(n) < english_share)
        return {
            "name": self.surname_sp[i] + self.given[j],
            "surname": self.surname[i],
            "stem": self.first_lower[j] + self.surname_dot[i],
        }


def _weighted(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """Indices drawn with the given (unnormalised) weights."""
    weights = np.asarray(weights, dtype=float)
    return rng.choice(len(weights), size=n, p=weights / weights.sum())


def _rowwise_choice(rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One categorical draw per row i of ``probs[rows]``, a (k, m) probability matrix.

    The running sums are taken on the small table `probs` and then looked up per row:
    the same numbers, without a (k, m) cumsum.
    """
    cum = np.cumsum(probs, axis=1)
    cum /= cum[:, -1:]
    cum = cum[rows]
    return np.minimum((rng.random(len(cum))[:, None] > cum).sum(axis=1), probs.shape[1] - 1)


def _profile_array(segments: tuple[str, ...], key: str) -> np.ndarray:
    """The `key` entry of each segment profile, stacked in segment order."""
    return np.array([SEGMENT_PROFILES[s][key] for s in segments], dtype=float)


def _phones(rng: np.random.Generator, mobile: np.ndarray) -> np.ndarray:
    """Unique 8-digit numbers: mobile (5/6/9) or fixed line (2/3) per row.

    Each kind is sampled without replacement from its own number space (lead digit ×
    7-digit body), so no number repeats within a column.
    """
    mobile = np.asarray(mobile, dtype=bool)
    numbers = np.zeros(len(mobile), dtype=np.int64)
    for rows, leads in ((mobile, (5, 6, 9)), (~mobile, (2, 3))):
        picks = rng.choice(len(leads) * 10**7, size=int(rows.sum()), replace=False)
        numbers[rows] = np.array(leads)[picks // 10**7] * 10**7 + picks % 10**7
    return join_bytes([digit_matrix(numbers, 8)])


def _hkids(rng: np.random.Generator, holds: np.ndarray) -> np.ndarray:
    """HKID-format ids (correct check digit) where `holds`, else ""."""
    n_hold = int(holds.sum())
    out = np.full(len(holds), "", dtype=object)
    if n_hold == 0:
        return out
    prefixes = np.array(list(_SSN.hkid_prefixes), dtype="U2")
    weights = np.array(list(_SSN.hkid_prefixes.values()))
    pre = prefixes[_weighted(rng, weights, n_hold)]
    numbers = rng.choice(10**6, size=n_hold, replace=False)
    check = hkid.check_digits(pre, numbers)
    body = np.strings.add(pre, join_bytes([digit_matrix(numbers, 6)]).astype(str))
    out[holds] = np.strings.add(np.strings.add(body, "("), np.strings.add(check, ")"))
    return out


_SSN = ssn.Provider
_ADDRESS = address.Provider
_COMPANY = company.Provider


def _addresses(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(district, address) per row: district by population, a street in that district.

    Address = "Flat C, 12/F, " + "Jade Court, " + "88 " + "Nathan Road, Yau Tsim Mong",
    each piece drawn from a small pre-joined pool.
    """
    names = object_pool(_ADDRESS.districts)
    district = _weighted(rng, np.array(list(_ADDRESS.districts.values())), n)
    streets = list(_ADDRESS.streets_by_district.items())
    counts = np.array([len(s) for _, s in streets])
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    street_pool = object_pool(f"{street}, {d}" for d, group in streets for street in group)
    street = offsets[district] + (rng.random(n) * counts[district]).astype(np.int64)
    flats = object_pool(f"Flat {f}, {fl}/F, " for f in _ADDRESS.flat_letters for fl in range(1, 41))
    buildings = object_pool(
        f"{p} {q}, " for p in _ADDRESS.building_prefixes for q in _ADDRESS.building_suffixes
    )
    numbers = object_pool(f"{k} " for k in range(1, 389))
    flat = flats[rng.integers(0, len(flats), n)]
    building = buildings[rng.integers(0, len(buildings), n)]
    number = numbers[rng.integers(0, len(numbers), n)]
    return names[district], join_text([flat, building, number, street_pool[street]])


def _companies(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(company name, web domain like "harbourasiatrading.com.hk") per row.

    Names are unique while the prefix × modifier × core combinations last.
    """
    pre, mod, core = (_COMPANY.company_prefixes, _COMPANY.company_modifiers, _COMPANY.company_cores)
    total = len(pre) * len(mod) * len(core)
    pick = rng.choice(total, size=n, replace=n > total)
    a, rest = np.divmod(pick, len(mod) * len(core))
    b, c = np.divmod(rest, len(core))
    suffix = _weighted(rng, np.array(list(_COMPANY.company_suffixes.values())), n)
    name = join_text([
        object_pool(f"{p} " for p in pre)[a],
        object_pool(f"{m} " for m in mod)[b],
        object_pool(f"{x} " for x in core)[c],
        object_pool(_COMPANY.company_suffixes)[suffix],
    ])
    squash = str.maketrans("", "", " &'")
    domain = (
        object_pool(p.lower().translate(squash) for p in pre)[a]
        + object_pool(m.lower().translate(squash) for m in mod)[b]
        + object_pool(f"{x.lower().translate(squash)}.com.hk" for x in core)[c]
    )
    return name, domain


def _month_index(dates: np.ndarray) -> np.ndarray:
    """Months since year 0 of datetime64[D] dates (for whole-month arithmetic)."""
    return dates.astype("datetime64[M]").astype(np.int64)


def build_population(
    scenario: Scenario, streams: Streams
) -> tuple[dict[str, pd.DataFrame], dict[str, np.ndarray]]:
    """All population tables of a fresh world plus its starting latent state.

    Returns:
        (tables, arrays). Tables "customers", "contacts", "staff", "outsourcers",
        "products", "latent"; customers.lifetime_value holds spend *before* the history
        window (the history generator adds what was bought during it). `arrays` holds
        the same facts as numpy codes (segment, since, preferred channel, affinity) so
        the history generator need not parse text columns again.
    """
    fake = hk_faker(streams.int_seed("faker"))
    pool = NamePool(fake, min(NAME_POOL_MAX, 200 + scenario.n_customers))
    segments = scenario.segments
    n = scenario.n_customers
    rng = streams.generator("population.customers")

    shares = np.array([share for _, share in scenario.segment_mix])
    seg = _weighted(rng, shares, n)
    business = np.array([SEGMENT_PROFILES[s]["business"] for s in segments])[seg]
    cid = ids("C", n, 6)

    names = pool.draw(rng, n, _profile_array(segments, "english")[seg])
    company_name = np.full(n, "", dtype=object)
    # a distinct number per customer keeps every address unique (entity resolution relies on it)
    width = len(str(n)) + 1  # d-digit tags from 10**(d-1): at least 9n of them, none padded
    tag = 10 ** (width - 1) + rng.choice(9 * 10 ** (width - 1), size=n, replace=False)
    email = (
        names["stem"]
        + join_bytes([digit_matrix(tag, width)])
        + object_pool(f"@{d}" for d in EMAIL_DOMAINS)[rng.integers(0, len(EMAIL_DOMAINS), n)]
    )
    domains = np.array([], dtype=object)
    if business.any():
        company_name[business], domains = _companies(rng, int(business.sum()))
        email[business] = "enquiry@" + domains
    district, addr = _addresses(rng, n)
    phone = _phones(rng, ~business)
    hkid_ids = _hkids(rng, ~business & (rng.random(n) < _profile_array(segments, "hkid")[seg]))

    # Dates: the clock stands at end; `since` lies before it.
    end = np.datetime64(scenario.end_date, "D")
    back = np.floor(rng.exponential(_profile_array(segments, "tenure")[seg])).astype(np.int64)
    back = np.minimum(back, 240)
    since_month = end.astype("datetime64[M]") - 1 - back
    since = since_month.astype("datetime64[D]") + rng.integers(0, 28, n)
    since = np.minimum(since, end - 1)
    end_day = int(str(end)[8:10])
    since_day = (
        np.array(
            since.astype("datetime64[D]") - since.astype("datetime64[M]").astype("datetime64[D]"),
            dtype=np.int64,
        )
        + 1
    )
    tenure = _month_index(np.array([end]))[0] - _month_index(since) - (since_day > end_day)

    # Latent state first: the stated channel preference half-reflects the true affinity.
    # The segments' affinity, spend, consent and satisfaction level vary per world.
    econ = draw_economics(segments, streams)
    latent = behaviour.initial_latent(
        cid,
        seg,
        econ.affinity,
        streams.generator("behaviour.initial"),
        satisfaction_shift=econ.satisfaction_shift,
    )
    affinity_idx = codes(latent["channel_affinity"].to_numpy(object), CHANNELS)
    stated = _rowwise_choice(rng, np.array([SEGMENT_PROFILES[s]["stated"] for s in segments]), seg)
    preferred = np.where(rng.random(n) < 0.6, affinity_idx, stated)
    language = _rowwise_choice(
        rng, np.array([SEGMENT_PROFILES[s]["language"] for s in segments]), seg
    )

    # Direct-marketing consent (PDPO Part 6A): given at sign-up by some; later withdrawn by a few.
    gave = rng.random(n) < econ.consent[seg]
    withdrew = gave & (rng.random(n) < 0.12)
    span = np.maximum((end - since).astype(np.int64), 1)
    withdrawn_at = since + (rng.random(n) * span).astype(np.int64)
    channel_given = _CH[rng.integers(0, len(CHANNELS), n)]
    channel_withdrawn = _CH[rng.integers(0, len(CHANNELS), n)]
    since_text = iso_dates(since)
    prior_months = np.maximum(tenure - scenario.months_history, 0)
    prior_spend = np.round(
        prior_months * (_profile_array(segments, "spend") * econ.spend_factor)[seg]
        * rng.lognormal(0.0, 0.5, n),
        2,
    )

    customers = to_frame(
        "customers",
        {
            "customer_id": cid,
            "name": names["name"],
            "company": company_name,
            "segment": np.array(segments, dtype=object)[seg],
            "district": district,
            "address": addr,
            "phone": phone,
            "email": email,
            "hkid": hkid_ids,
            "dm_consent": gave & ~withdrew,
            "consent_date": np.where(gave, since_text, ""),
            "consent_channel": np.where(
                withdrew, channel_withdrawn, np.where(gave, channel_given, "")
            ),
            "consent_withdrawn_date": np.where(withdrew, iso_dates(withdrawn_at), ""),
            "preferred_channel": _CH[preferred],
            "preferred_language": np.array(LANGUAGES, dtype=object)[language],
            "lifetime_value": prior_spend,
            "tenure_months": tenure.astype(np.int64),
            "since": since_text,
        },
    )
    arrays = {"segment": seg, "since": since, "preferred": preferred, "affinity": affinity_idx,
              "economics": econ}
    return {
        "customers": customers,
        "contacts": _contacts(streams, pool, cid[business], domains, fake),
        "staff": _staff(scenario, streams, pool),
        "outsourcers": _outsourcers(scenario, streams, fake),
        "products": _products(scenario),
        "latent": latent,
    }, arrays


def _contacts(
    streams: Streams, pool: NamePool, accounts: np.ndarray, domains: np.ndarray, fake: Faker
) -> pd.DataFrame:
    """1–3 people per business account, exactly one of them the decision maker."""
    rng = streams.generator("population.contacts")
    per = rng.integers(1, 4, len(accounts))
    total = int(per.sum())
    owner = np.repeat(np.arange(len(accounts)), per)
    first_row = np.repeat(np.cumsum(per) - per, per)
    position = np.arange(total) - first_row
    decider = position == np.repeat(rng.integers(0, per), per)
    names = pool.draw(rng, total, 0.8)
    titles = np.array(person.Provider.job_titles, dtype=object)
    title = np.where(
        decider, titles[rng.integers(0, 4, total)], titles[rng.integers(3, len(titles), total)]
    )
    return to_frame(
        "contacts",
        {
            "contact_id": ids("K", total, 6),
            "customer_id": accounts[owner],
            "name": names["name"],
            "title": title,
            "is_decision_maker": decider,
            "phone": _phones(rng, np.ones(total, bool)),
            "email": names["stem"] + "@" + domains[owner],
        },
    )


def _staff(scenario: Scenario, streams: Streams, pool: NamePool) -> pd.DataFrame:
    """Own staff: every role present (when headcount allows), skills drawn per person."""
    rng = streams.generator("population.staff")
    roles = ROLES[scenario.industry]
    n = scenario.n_staff
    shares = np.array([r[2] for r in roles])
    role = np.concatenate(
        [np.arange(min(n, len(roles))), _weighted(rng, shares, max(n - len(roles), 0))]
    )
    names = pool.draw(rng, n, 0.7)
    return to_frame(
        "staff",
        {
            "staff_id": ids("S", n, 4),
            "name": names["name"],
            "role": np.array([r[0] for r in roles], dtype=object)[role],
            "team": np.array([r[1] for r in roles], dtype=object)[role],
            "skill": np.round(rng.beta(5, 3, n), 3),
            "product_knowledge": np.round(rng.beta(5, 3, n), 3),
            "soft_skill": np.round(rng.beta(5, 3, n), 3),
            "capacity_hours_week": np.where(rng.random(n) < 0.85, 44.0, 24.0),
        },
    )


def _outsourcers(scenario: Scenario, streams: Streams, fake: Faker) -> pd.DataFrame:
    """Call-centre agencies: cheaper per call than own staff, uneven quality."""
    rng = streams.generator("population.outsourcers")
    n = scenario.n_outsourcers
    agencies = np.array([fake.agency_name() for _ in range(n)], dtype=object)
    return to_frame(
        "outsourcers",
        {
            "outsourcer_id": ids("O", n, 3),
            "agency": agencies,
            "cost_per_call": np.round(rng.uniform(18.0, 45.0, n), 2),
            "quality": np.round(0.1 + 0.8 * rng.beta(4, 4, n), 3),
            "capacity_calls_week": rng.integers(5, 31, n).astype(np.int64) * 100,
        },
    )


def _products(scenario: Scenario) -> pd.DataFrame:
    """The first `n_products` items of the industry's catalogue (no randomness)."""
    items = CATALOGUE[scenario.industry][: scenario.n_products]
    return to_frame(
        "products",
        {
            "product_id": ids("P", len(items), 3),
            "name": [i[0] for i in items],
            "category": [i[1] for i in items],
            "price": [i[2] for i in items],
            "segment_fit": [i[3] for i in items],
        },
    )
