"""Generate months of past interactions from the behaviour model.

The loop runs over *months* (a dozen iterations), never over customers: each month
draws every customer's contacts at once, applies them to the latent state with the
array cores of `crm_sim.behaviour` (`contact_effect`, `complaint_effect`, `drift`,
`hazard_of`) and draws churn.
What comes out is the ``interactions`` table and the latent state at the clock.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_sim import behaviour
from crm_sim.catalogue import OUTSOURCED_SEGMENTS, ROLES, SEGMENT_PROFILES
from crm_sim.economics import draw_economics
from crm_sim.population import to_frame
from crm_sim.rng import Streams
from crm_sim.scenario import Scenario, add_months
from crm_sim.schema import CHANNELS, OUTCOMES, PURPOSES
from crm_sim.textcols import codes, ids, iso_dates, object_pool

_CH = np.asarray(CHANNELS, dtype=object)
# Share of contacts by channel that reach the customer (before fatigue).
ANSWER_RATE = np.array([0.95, 0.60, 0.45, 0.70, 0.30])
# Typical minutes spent per contact by channel (gamma mean).
DURATION = np.array([45.0, 6.0, 4.0, 1.5, 5.0])
# Outbound purpose mix (routine, promotion, follow_up); promotion needs consent.
OUTBOUND_PURPOSES = np.array([0.45, 0.35, 0.20])
SERVICE_RATE = 0.04  # monthly chance of an inbound service request
COMPLAINT_BASE = 0.06  # monthly complaint chance is COMPLAINT_BASE · (1 − s)²·4
OUTSOURCED_PHONE_SHARE = 0.3
SATISFACTION_INFO = np.array(
    ['{"satisfaction": "low"}', '{"satisfaction": "medium"}', '{"satisfaction": "high"}'],
    dtype=object,
)
NEED_INFO = np.array(
    [
        '{"need": "upgrade"}',
        '{"need": "price"}',
        '{"competitor": "mentioned"}',
        '{"need": "support"}',
    ],
    dtype=object,
)
FOLLOW_UPS = {
    "sale": "confirm delivery",
    "declined": "call again next quarter",
    "complaint": "resolve complaint within 7 days",
    "answered": "send information",
}


def _agents(scenario: Scenario, staff: pd.DataFrame, outsourcers: pd.DataFrame):
    """Per segment, candidate staff rows for sales and for service; agent ids and quality."""
    roles = {r[0]: r for r in ROLES[scenario.industry]}
    role = staff["role"].to_numpy(object)
    staff_q = (
        0.4 * staff["skill"].to_numpy(float)
        + 0.3 * staff["product_knowledge"].to_numpy(float)
        + 0.3 * staff["soft_skill"].to_numpy(float)
    )
    agent_ids = np.concatenate(
        [staff["staff_id"].to_numpy(object), outsourcers["outsourcer_id"].to_numpy(object)]
    )
    quality = np.concatenate([staff_q, outsourcers["quality"].to_numpy(float)])
    every = np.arange(len(staff))
    sales, service = [], []
    for seg in scenario.segments:
        serving = np.array([roles[r][3].count(seg) > 0 and not roles[r][4] for r in role], bool)
        servicing = np.array([roles[r][4] for r in role], bool)
        sales.append(every[serving] if serving.any() else every)
        service.append(every[servicing] if servicing.any() else every)
    return sales, service, agent_ids, quality


def _pick(rng: np.random.Generator, candidates: list[np.ndarray], seg: np.ndarray) -> np.ndarray:
    """For each event, a uniform pick among its segment's candidate agents."""
    out = np.empty(len(seg), dtype=np.int64)
    for code, pool in enumerate(candidates):
        rows = seg == code
        out[rows] = pool[rng.integers(0, len(pool), int(rows.sum()))]
    return out


def generate_history(
    scenario: Scenario,
    streams: Streams,
    tables: dict[str, pd.DataFrame],
    arrays: dict[str, np.ndarray] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Simulate `months_history` months before the clock.

    Each month, for all customers at once: outbound contacts (Poisson per segment rate),
    inbound complaints (likelier when satisfaction is low) and service requests; the
    contacts move the latent state (`behaviour.contact_effect`), complaints cost
    satisfaction (`behaviour.complaint_effect`), the month passes (`behaviour.drift`)
    and some customers churn (probability `churn_hazard`).

    Args:
        scenario: The world's scenario.
        streams: The world's streams ("history", "history.drift" are used).
        tables: customers, staff, outsourcers, products and the starting latent table.
        arrays: Optional numpy codes from `build_population` (saves re-parsing text).

    Returns:
        (interactions table, latent table at the clock, HKD spent per customer in the window).
    """
    arrays = arrays or {}
    rng = streams.generator("history")
    drift_rng = streams.generator("history.drift")
    customers, latent = tables["customers"], tables["latent"]
    params = behaviour.DEFAULT_PARAMS
    n = len(customers)
    seg_names = np.array(scenario.segments, dtype=object)
    seg = arrays.get("segment")
    if seg is None:
        seg = codes(customers["segment"].to_numpy(object), scenario.segments)
    rate = np.array([SEGMENT_PROFILES[s]["contact_rate"] for s in scenario.segments])[seg]
    consent = customers["dm_consent"].to_numpy(bool)
    since = arrays.get("since")
    if since is None:
        since = customers["since"].to_numpy(object).astype("datetime64[D]")
    preferred = arrays.get("preferred")
    if preferred is None:
        preferred = codes(customers["preferred_channel"].to_numpy(object), CHANNELS)
    affinity = arrays.get("affinity")
    if affinity is None:
        affinity = codes(latent["channel_affinity"].to_numpy(object), CHANNELS)
    stated = np.array([SEGMENT_PROFILES[s]["stated"] for s in scenario.segments])
    econ = arrays.get("economics") or draw_economics(scenario.segments, streams)
    price_factor = econ.spend_factor[seg]  # what a segment pays varies per world
    s_mean = np.clip(params.satisfaction_mean + econ.satisfaction_shift[seg], 0.0, 1.0)
    sales_pool, service_pool, agent_ids, agent_q = _agents(
        scenario, tables["staff"], tables["outsourcers"]
    )
    n_staff, n_out = len(tables["staff"]), len(tables["outsourcers"])
    outsourced_seg = np.isin(seg_names, OUTSOURCED_SEGMENTS)
    products = tables["products"]
    price = products["price"].to_numpy(float)
    product_weights = np.where(
        products["segment_fit"].to_numpy(object)[None, :] == seg_names[:, None], 1.0, 0.15
    )  # (segment, product): suited products likelier
    product_ids = np.array(products["product_id"].tolist(), dtype=str)
    # text columns are built as integer codes into small vocabularies, mapped to text once
    info_text = np.concatenate(
        [["{}"], SATISFACTION_INFO, NEED_INFO, [f'{{"product": "{p}"}}' for p in product_ids]]
    ).astype(object)
    follow_text = np.array([""] + [FOLLOW_UPS.get(o, "") for o in OUTCOMES], dtype=object)
    s, p, f = (latent[c].to_numpy(float) for c in ("satisfaction", "perception", "fatigue"))
    active = latent["active"].to_numpy(bool)
    spend = np.zeros(n)
    # period m covers [start + m months, start + m+1 months); days counted from start_date
    start = np.datetime64(scenario.start_date, "D")
    bounds = [
        np.datetime64(add_months(scenario.start_date, m), "D")
        for m in range(scenario.months_history + 1)
    ]
    since_day = (since - start).astype(np.int64)
    parts: list[dict[str, np.ndarray]] = []

    for m in range(scenario.months_history):
        first = int((bounds[m] - start).astype(np.int64))
        days = int((bounds[m + 1] - bounds[m]).astype(np.int64))
        propensity = behaviour.propensity_of(s, p, f, params)
        present = active & (since_day < first + days)

        n_outbound = rng.poisson(rate) * present
        complained = present & (rng.random(n) < COMPLAINT_BASE * 4 * (1 - s) ** 2)
        serviced = present & (rng.random(n) < SERVICE_RATE)
        who = np.concatenate(
            [
                np.repeat(np.arange(n), n_outbound),
                np.flatnonzero(complained),
                np.flatnonzero(serviced),
            ]
        )
        k = len(who)
        n_ob = int(n_outbound.sum())
        purpose = np.concatenate(
            [
                rng.choice(3, n_ob, p=OUTBOUND_PURPOSES),
                np.full(int(complained.sum()), 4),
                np.full(int(serviced.sum()), 3),
            ]
        )
        purpose = np.where((purpose == 1) & ~consent[who], 0, purpose)  # no consent, no promotion
        u = rng.random(k)
        fallback = behaviour_choice(rng, stated, seg[who])
        channel = np.where(u < 0.45, affinity[who], np.where(u < 0.8, preferred[who], fallback))
        inbound = purpose >= 3
        channel = np.where(
            inbound & (channel == 4), 1, channel
        )  # nobody writes letters to complain
        # agents: service staff for inbound, segment sales staff otherwise, some calls outsourced
        agent = np.where(
            inbound, _pick(rng, service_pool, seg[who]), _pick(rng, sales_pool, seg[who])
        )
        to_agency = (
            ~inbound
            & (channel == 1)
            & outsourced_seg[seg[who]]
            & (rng.random(k) < OUTSOURCED_PHONE_SHARE)
            & (n_out > 0)
        )
        agent = np.where(to_agency, n_staff + rng.integers(0, max(n_out, 1), k), agent)
        quality = agent_q[agent]

        answered = inbound | (rng.random(k) < ANSWER_RATE[channel] * (1 - 0.5 * f[who]))
        boost = np.where(purpose == 1, 1.5, 1.0)
        sells = ~inbound & answered & (rng.random(k) < propensity[who] * (0.5 + quality) * boost)
        declines = ~inbound & answered & ~sells & (rng.random(k) < 0.3)
        outcome = np.select([purpose == 4, ~answered, sells, declines], [4, 0, 2, 3], default=1)

        # what was bought: a product that suits the customer's segment, mostly
        sold = np.flatnonzero(sells)
        product = behaviour_choice(rng, product_weights, seg[who[sold]])
        np.add.at(spend, who[sold], price[product] * price_factor[who[sold]])

        day = np.maximum(first + rng.integers(0, days, k), since_day[who])  # not before joining
        minute = rng.integers(9 * 60, 19 * 60, k)  # office hours
        minutes = np.where(answered, np.maximum(rng.gamma(2.0, DURATION[channel] / 2.0), 0.1), 0.5)
        info = np.where(
            rng.random(k) < 0.5,
            1 + np.digitize(s[who], [0.4, 0.7]),
            1 + len(SATISFACTION_INFO) + rng.integers(0, len(NEED_INFO), k),
        )
        info[sold] = 1 + len(SATISFACTION_INFO) + len(NEED_INFO) + product
        info = np.where(answered & (rng.random(k) < 0.7), info, 0)
        follow = np.where(rng.random(k) < 0.6, 1 + outcome, 0)
        parts.append(
            {   # compact dtypes: the month's codes are concatenated and reordered below,
                # and fewer bytes there is fewer fresh pages to fault in (same values)
                "who": who.astype(np.int32),
                "agent": agent.astype(np.int32),
                "channel": channel.astype(np.int8),
                "day": day.astype(np.int32),
                "minute": minute.astype(np.int16),
                "purpose": purpose.astype(np.int8),
                "outcome": outcome.astype(np.int8),
                "minutes": np.round(minutes, 1),
                "info": info.astype(np.int32),
                "follow": follow.astype(np.int8),
            }
        )

        # the month's effect on each customer, aggregated over their outbound contacts
        out_who = who[~inbound]
        count = np.bincount(out_who, minlength=n)
        mean_q = np.bincount(out_who, weights=quality[~inbound], minlength=n) / np.maximum(count, 1)
        matched = np.bincount(out_who, weights=channel[~inbound] == affinity[out_who], minlength=n)
        hit = count > 0
        s_c, p_c, f_c = behaviour.contact_effect(
            s, p, f, mean_q, matched / np.maximum(count, 1), np.zeros(n), count, params
        )
        s, p, f = np.where(hit, s_c, s), np.where(hit, p_c, p), np.where(hit, f_c, f)
        handled = np.zeros(n)
        handled[who[purpose == 4]] = quality[purpose == 4] > 0.6
        s = np.where(complained, behaviour.complaint_effect(s, handled, params), s)
        s, p, f = behaviour.drift(s, p, f, drift_rng.standard_normal(n), params, mean=s_mean)
        hazard = behaviour.hazard_of(s, p, f, params)
        active = active & ~(present & (drift_rng.random(n) < hazard))

    latent = latent.copy()
    latent["satisfaction"], latent["perception"], latent["fatigue"] = s, p, f
    latent["active"] = active
    interactions = _interactions(parts, customers, agent_ids, start, info_text, follow_text)
    return interactions, behaviour.refresh(latent, params), spend


def behaviour_choice(
    rng: np.random.Generator, weights: np.ndarray, rows: np.ndarray | None = None
) -> np.ndarray:
    """One categorical draw per row of a (k, m) weight matrix (vectorised).

    With `rows`, `weights` is a small table and draw i uses its row ``rows[i]``: the same
    draws as ``behaviour_choice(rng, weights[rows])``, but the running sums are taken
    once per table row instead of once per draw.
    """
    cum = np.cumsum(weights, axis=1)
    if rows is not None:
        cum = cum[rows]
    if len(cum) == 0:
        return np.zeros(0, dtype=np.int64)
    u = rng.random(len(cum)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), weights.shape[1] - 1)


def _interactions(
    parts: list[dict[str, np.ndarray]],
    customers: pd.DataFrame,
    agent_ids: np.ndarray,
    start: np.datetime64,
    info_text: np.ndarray,
    follow_text: np.ndarray,
) -> pd.DataFrame:
    """Concatenate the monthly events, order them by time then customer, number them."""
    if parts:
        cols = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    else:
        cols = {
            key: np.zeros(0, dtype=t)
            for key, t in (
                ("who", np.int32),
                ("agent", np.int32),
                ("channel", np.int8),
                ("day", np.int32),
                ("minute", np.int16),
                ("purpose", np.int8),
                ("outcome", np.int8),
                ("minutes", float),
                ("info", np.int32),
                ("follow", np.int8),
            )
        }
    order = _time_order(cols["day"], cols["minute"], cols["who"], len(customers))
    cols = {key: value[order] for key, value in cols.items()}
    k = len(order)
    n_days = int(cols["day"].max()) + 1 if k else 0
    day_text = np.strings.add(iso_dates(start + np.arange(n_days)).astype(str), "T").astype(object)
    clock_text = object_pool(f"{h:02d}:{mi:02d}" for h in range(24) for mi in range(60))
    return to_frame(
        "interactions",
        {
            "interaction_id": ids("I", k, 7),
            "customer_id": customers["customer_id"].to_numpy(object)[cols["who"]],
            "agent_id": agent_ids[cols["agent"]],
            "channel": _CH[cols["channel"]],
            "timestamp": _timestamps(cols["day"], cols["minute"], day_text, clock_text),
            "purpose": np.asarray(PURPOSES, dtype=object)[cols["purpose"]],
            "outcome": np.asarray(OUTCOMES, dtype=object)[cols["outcome"]],
            "duration_min": cols["minutes"].astype(float),
            "info_captured": info_text[cols["info"]],
            "follow_up": follow_text[cols["follow"]],
        },
    )


def _time_order(day: np.ndarray, minute: np.ndarray, who: np.ndarray, n: int) -> np.ndarray:
    """The events' order by time, then customer, ties kept in generation order.

    That is a stable argsort of one int key; when the key with the event's own position
    appended still fits in int64, the keys are unique, so a plain sort of them (numpy's
    SIMD sort, several times faster than its stable sort) has only one possible result:
    the same order on every machine, whatever sort kernel numpy picks.
    """
    key = (day.astype(np.int64) * 1440 + minute) * n + who
    k = len(key)
    if k == 0 or (int(key.max()) + 1) * k >= 2**63:
        return np.argsort(key, kind="stable")
    return np.sort(key * k + np.arange(k)) % k


def _timestamps(day: np.ndarray, minute: np.ndarray, day_text: np.ndarray,
                clock_text: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DDTHH:MM`` of events sorted by time: one str per distinct minute, shared.

    Joining two str per event is most of the column's cost; events in the same minute
    are neighbours once sorted, so each run of equal (day, minute) is joined once.
    """
    if len(day) == 0:
        return np.zeros(0, dtype=object)
    new = np.empty(len(day), dtype=bool)
    new[0] = True
    np.not_equal(day[1:], day[:-1], out=new[1:])
    new[1:] |= minute[1:] != minute[:-1]
    starts = np.flatnonzero(new)
    distinct = day_text[day[starts]] + clock_text[minute[starts]]
    return distinct[np.cumsum(new) - 1]
