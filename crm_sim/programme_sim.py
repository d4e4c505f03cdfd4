"""Twelve months of a company's life under a contact policy and a programme portfolio.

`simulate(world, policy, programmes, months)` moves every customer's hidden state month
by month, for all customers at once (numpy arrays, a fixed number of passes per month, no
loop per customer), and reports what a CRM manager would read: KPIs per month and segment
(new customers, retention, churn, mobility between segments, share of wallet, revenue,
cost, CSAT and NPS from simulated surveys, complaints and their resolution time) and the
policy adherence of every staff member and outsourcer. Each month:

1. **A competitor may move** (per segment, a monthly chance drawn per world): churn rises
   in proportion to the segment's price sensitivity.
2. **Planned contacts** (`policy.contact_plan()`, per active customer a month) happen as
   far as the actors adhere (`policy.adherence`) and capacity allows; the non-adherent
   share becomes over-contact, the wrong channel and skipped consent checks. Direct
   marketing to customers without consent happens only when the policy does not respect
   consent, or when an actor skips the check: it costs satisfaction, raises complaints
   and counts as a regulatory breach (PDPO s.35E).
3. **Shared customer view**: without it, a share of contacts and complaints meet staff who
   act on outdated or partial information (inconsistent treatment) and perception drops;
   with it that share falls and complaints are resolved faster.
4. **Programmes** (`crm_sim.programmes`) act on eligible customers: discounts and rewards
   lower churn, trade-ins and rewards raise purchases, news and a kept pledge raise
   perception, training raises contact quality and complaint handling over the months,
   recovery rules turn complaints into loyal customers, referral rewards and pledge
   advertising bring new customers. Each segment's response is drawn per world.
5. **The month passes** (`behaviour.drift`), customers buy, complain, opt out, change
   segment or leave, answer surveys (with response bias: the very pleased and the
   displeased answer more, and answers lean polite), and new customers arrive (organic,
   referral, campaign and advertising), as new rows.

Every equation and figure is in ``docs/programmes.md``. Draws come from named streams per
month and per purpose, drawn for every customer whatever the inputs (common random
numbers): the same seed and inputs give the same bytes, and two portfolios are compared on
the same customers and the same luck.

With ``commit=True`` (the default) the world moves on: clock, latent state, new customer
rows, consent withdrawals, spend, and the tables ``kpi_history``, ``survey_responses``,
``adherence_history``, ``programmes``, ``sim_settings``, ``policy_log`` (public) and
``kpi_truth`` (hidden). Everything is computed first and committed at the end, so a
failing simulation leaves the world unchanged. ``commit=False`` is a what-if run (the
dashboard's slider) that changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crm_sim import behaviour
from crm_sim.catalogue import ROLES, SEGMENT_PROFILES
from crm_sim.economics import draw_economics
from crm_sim.errors import FieldError
from crm_sim.programmes import (
    MEMBER_ADMIN_HKD,
    NEWS_CHANNEL_COST,
    TRAINING_HOUR_COST,
    Programme,
    check_portfolio,
    draw_programme_response,
    to_table,
)
from crm_sim.scenario import add_months
from crm_sim.schema import CHANNELS
from crm_sim.world import autosave, engine_state

# ------------------------------------------------------------------ model figures
MAX_MONTHS = 60
PURPOSES = ("retention", "acquisition", "service")
MAX_PER_MONTH = 30.0                 # planned contacts per customer a month, at most
CONTACT_COST = {"visit": 400.0, "phone": 35.0, "email": 1.0, "message": 2.0, "letter": 8.0}
CONTACT_MINUTES = {"visit": 60.0, "phone": 8.0, "email": 3.0, "message": 2.0, "letter": 5.0}
WEEKS_PER_MONTH = 4.33
CONTACT_SHARE_OF_HOURS = 0.5          # share of staff hours free for planned contacts
BASE_QUALITY = 0.62                   # contact quality of a staff member of skill ½
SKILL_QUALITY = 0.40                  # quality gained per unit of skill above ½
OVER_CONTACT = 1.0                    # extra contacts per unit of non-adherence
SKIP_CONSENT = 0.5                    # share of non-adherent contacts that skip consent
INCONSISTENT_OFF, INCONSISTENT_ON = 0.30, 0.05   # inconsistent treatment, view off/on
INCONSISTENT_S, INCONSISTENT_P = 0.03, 0.05       # what one inconsistent experience costs
SHARED_VIEW_COST = 3000.0             # HKD a month for the shared customer view
SHARED_VIEW_COST_PER_CUSTOMER = 0.5   # HKD a month per active customer
COMPLAINT_LEVEL = 0.12                # monthly complaint chance is this × (1 − s)²
UNCONSENTED_COMPLAINT = 0.15          # extra complaint chance after unconsented marketing
INCONSISTENT_COMPLAINT = 0.05
FATIGUE_COMPLAINT = 0.05
OPT_OUT_BASE, OPT_OUT_FATIGUE = 0.004, 0.35
OWN_PURCHASE_SHARE = 0.35
PURCHASE_VALUE_MONTHS = 1.0           # one purchase ≈ a month of the segment's spend
WALLET_PURCHASES = 0.25               # purchases a month that would be the whole wallet
GROSS_MARGIN = 0.35                   # contribution of one HKD of revenue
HANDLE_BASE = 0.40                    # chance a complaint ends well without any programme
BASE_RESOLUTION_DAYS = 6.0
VIEW_RESOLUTION_DAYS = 2.0            # days the shared view saves per complaint
BASE_RESPONSE_HOURS = 40.0            # first response to a complaint, average desk
COMPETITOR_HAZARD = 0.6               # churn rises by this × price sensitivity on a move
ORGANIC_RATE = 0.006                  # new customers a month per starting customer
REFERRAL_BASE = 0.004                 # referrals a month per promoter, without reward
CAMPAIGN_CONVERSION = 0.015           # new customers per acquisition contact
ADVERTISING_SCALE = 50_000.0          # HKD a month of pledge advertising per unit effect
ADVERTISING_RATE = 0.004              # new customers a month per starting customer per unit
SURVEY_BASE, SURVEY_CONTACTED, SURVEY_EXTREME = 0.06, 0.12, 0.20
CSAT_LENIENCY, NPS_LENIENCY = 0.4, 1.5   # answers lean polite (response bias)
CSAT_NOISE, NPS_NOISE = 0.6, 1.6
MOBILITY_UP, MOBILITY_DOWN = 0.004, 0.003
# programme effect sizes (× the segment's drawn response; docs/programmes.md)
LTD_HAZARD, LTD_PURCHASE, LTD_PERCEPTION = 4.0, 1.0, 0.01
TRADE_IN_BASE, TRADE_IN_SLOPE, TRADE_IN_PERCEPTION = 0.005, 12.0, 0.03
REWARDS_HAZARD, REWARDS_PURCHASE = 8.0, 3.0
REFERRAL_SLOPE = 4.0
NEWS_PERCEPTION, NEWS_FATIGUE = 0.012, 0.08
PLEDGE_AWARE, PLEDGE_KEPT, PLEDGE_BROKEN = 0.006, 0.05, 0.08
ADVERTISING_PERCEPTION = 0.004
TRAINING_RATE, TRAINING_QUALITY, TRAINING_HANDLING, TRAINING_ADHERENCE = 0.15, 0.3, 0.2, 0.5
RECOVERY_HANDLING = 0.35
RECOVERY_PERCEPTION = 0.05             # a complaint put right lifts the image (recovery)
# segment moves: segment -> (segment one step up, segment one step down), "" for none
MOBILITY_PATHS = {
    "individual": ("sme", ""), "sme": ("corporate", "individual"), "corporate": ("", "sme"),
    "walk_in": ("gift_buyer", ""), "gift_buyer": ("collector", "walk_in"),
    "collector": ("", "gift_buyer"), "corporate_gifting": ("", ""),
}

KPI_COLUMNS = {
    "month": "string", "segment": "string", "customers_start": "int64",
    "new_customers": "int64", "new_by_referral": "int64", "churned": "int64",
    "retention_rate": "float64", "churn_rate": "float64", "moved_in": "int64",
    "moved_out": "int64", "active_end": "int64", "share_of_wallet": "float64",
    "revenue": "float64", "contact_cost": "float64", "programme_cost": "float64",
    "cost": "float64", "contribution": "float64", "contacts": "int64",
    "unconsented_contacts": "int64", "survey_responses": "int64", "csat": "float64",
    "nps": "float64", "complaints": "int64", "complaints_resolved_well": "int64",
    "resolution_days": "float64", "consistency": "float64", "opt_outs": "int64",
    "competitor_move": "bool", "adherence": "float64", "pledge_kept_rate": "float64",
    "target_new_customers": "float64", "target_retention_rate": "float64",
}
TRUTH_COLUMNS = {
    "month": "string", "segment": "string", "perception": "float64",
    "satisfaction": "float64", "nps_all": "float64", "active": "int64",
}
SURVEY_COLUMNS = {"month": "string", "customer_id": "string", "segment": "string",
                  "csat": "int64", "nps_score": "int64", "contacted": "bool"}
ADHERENCE_COLUMNS = {"month": "string", "actor_id": "string", "actor_kind": "string",
                     "segment": "string", "adherence": "float64"}
SETTINGS_COLUMNS = {"key": "string", "value": "string"}


@dataclass
class SimulationResult:
    """What a simulation produced (tables ready to read, chart or grade).

    Attributes:
        kpis: one row per month and segment (`KPI_COLUMNS`).
        truth: hidden per month and segment: true mean perception, satisfaction, and the
            NPS if every customer answered honestly (graders only).
        surveys: the simulated survey answers (CSAT 1-5, likelihood to recommend 0-10).
        adherence: per month and actor: the adherence the policy reported, after training.
        new_customers: public rows of the customers who joined.
        policy_log: rows the policy's `staff_log` wrote (empty without one).
        programmes: the portfolio that ran.
        shared_view: whether staff shared one customer view.
        customers: per customer (every one who was active at some point): id, segment at
            the end, whether they bought, stayed, and the chance they bought at least once.
    """

    kpis: pd.DataFrame
    truth: pd.DataFrame
    surveys: pd.DataFrame
    adherence: pd.DataFrame
    new_customers: pd.DataFrame
    policy_log: pd.DataFrame
    programmes: tuple[Programme, ...]
    shared_view: bool
    customers: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    def totals(self) -> pd.DataFrame:
        """One row per month for the whole company (sums; rates recomputed)."""
        k = self.kpis
        sums = k.groupby("month")[["customers_start", "new_customers", "churned", "active_end",
                                    "revenue", "cost", "contribution", "complaints",
                                    "survey_responses", "contacts",
                                    "unconsented_contacts"]].sum()
        sums["retention_rate"] = 1 - sums["churned"] / sums["customers_start"].clip(lower=1)
        weights = k["survey_responses"].clip(lower=0)
        for col in ("csat", "nps"):
            num = (k[col].fillna(0) * weights).groupby(k["month"]).sum()
            sums[col] = (num / sums["survey_responses"].clip(lower=1)).round(2)
        return sums.reset_index()

    def summary(self) -> dict[str, float]:
        """Headline figures over the whole run (for graders and the dashboard)."""
        t = self.totals()
        truth = self.truth
        last = truth[truth["month"] == truth["month"].max()]
        perception = float((last["perception"] * last["active"]).sum()
                           / max(1, last["active"].sum()))
        start = float(t["customers_start"].iloc[0]) if len(t) else 0.0
        return {
            "new_customers": float(t["new_customers"].sum()),
            "churned": float(t["churned"].sum()),
            "retention_rate": float(t["retention_rate"].mean()) if len(t) else 0.0,
            "revenue": float(t["revenue"].sum()),
            "cost": float(t["cost"].sum()),
            "contribution": float(t["contribution"].sum()),
            "perception": perception,
            "complaints": float(t["complaints"].sum()),
            "unconsented_contacts": float(t["unconsented_contacts"].sum()),
            "customers_start": start,
            "active_end": float(t["active_end"].iloc[-1]) if len(t) else 0.0,
        }


# ------------------------------------------------------------------ the inputs
@dataclass
class _Plan:
    """The policy as arrays: rates per (segment, channel) by purpose, adherence."""

    retention: np.ndarray       # (K, C) DM contacts per active customer a month
    service: np.ndarray         # (K, C)
    acquisition: np.ndarray     # (K,) prospect contacts per active customer a month
    respects_consent: bool
    adherence_seg: np.ndarray   # (K,)
    actors: pd.DataFrame        # actor_id, actor_kind, segment, adherence
    targets: pd.DataFrame       # segment, new_customers_per_month, retention_rate


def _plan_of(policy: Any, segs: tuple[str, ...], world: Any) -> _Plan:
    """Read a policy through the duck-typed protocol; FieldError for anything malformed."""
    k, c = len(segs), len(CHANNELS)
    empty_targets = pd.DataFrame({"segment": pd.Series(dtype=object),
                                  "new_customers_per_month": pd.Series(dtype=float),
                                  "retention_rate": pd.Series(dtype=float)})
    actors = pd.DataFrame({c_: pd.Series(dtype=t) for c_, t in ADHERENCE_COLUMNS.items()
                           if c_ != "month"})
    if policy is None:
        return _Plan(np.zeros((k, c)), np.zeros((k, c)), np.zeros(k), True, np.ones(k),
                     actors, empty_targets)
    if not callable(getattr(policy, "contact_plan", None)):
        raise FieldError("policy", type(policy).__name__,
                         "an object with contact_plan(), respects_consent and targets()",
                         "pass a ContactPolicy, or policy=None for no planned contact")
    plan = policy.contact_plan()
    need = ("segment", "channel", "per_month", "purpose")
    if not isinstance(plan, pd.DataFrame) or any(col not in plan.columns for col in need):
        raise FieldError("policy.contact_plan()", type(plan).__name__,
                         f"a DataFrame with columns {list(need)}", "return one row per "
                         "segment, channel and purpose")
    retention, service, acquisition = np.zeros((k, c)), np.zeros((k, c)), np.zeros(k)
    if len(plan):
        seg_at = pd.Index(segs).get_indexer(plan["segment"].astype(str))
        ch_at = pd.Index(CHANNELS).get_indexer(plan["channel"].astype(str))
        rate = pd.to_numeric(plan["per_month"], errors="coerce").to_numpy(float)
        purpose = plan["purpose"].astype(str).to_numpy(object)
        for bad, name, value, allowed, fix in (
            (seg_at < 0, "segment", plan["segment"], f"one of {segs}", "use this company's "
             "segments"),
            (ch_at < 0, "channel", plan["channel"], f"one of {CHANNELS}", "use a channel the "
             "company has"),
            (~np.isfinite(rate) | (rate < 0) | (rate > MAX_PER_MONTH), "per_month",
             plan["per_month"], f"a number from 0 to {MAX_PER_MONTH:g}", "contacts per "
             "customer a month, e.g. 0.5"),
            (~np.isin(purpose, PURPOSES), "purpose", plan["purpose"], f"one of {PURPOSES}",
             "say what the contact is for"),
        ):
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                raise FieldError(f"policy.contact_plan() row {row} {name}",
                                 value.iloc[row], allowed, fix)
        for target, which in ((retention, "retention"), (service, "service")):
            m = purpose == which
            np.add.at(target, (seg_at[m], ch_at[m]), rate[m])
        m = purpose == "acquisition"
        np.add.at(acquisition, seg_at[m], rate[m])
    respects = getattr(policy, "respects_consent", True)
    if not isinstance(respects, bool | np.bool_):
        raise FieldError("policy.respects_consent", respects, "True or False",
                         "True: no direct marketing without consent")
    targets = policy.targets() if callable(getattr(policy, "targets", None)) else empty_targets
    adherence_seg = np.ones(k)
    if callable(getattr(policy, "adherence", None)):
        actors = policy.adherence(world)
        need = ("actor_id", "actor_kind", "segment", "adherence")
        if not isinstance(actors, pd.DataFrame) or any(c_ not in actors for c_ in need):
            raise FieldError("policy.adherence(world)", type(actors).__name__,
                             f"a DataFrame with columns {list(need)}", "one row per actor")
        actors = actors[list(need)].copy()
        value = pd.to_numeric(actors["adherence"], errors="coerce").to_numpy(float)
        if len(value) and (~np.isfinite(value) | (value < 0) | (value > 1)).any():
            raise FieldError("policy.adherence(world).adherence", actors["adherence"].tolist()
                             [:5], "numbers from 0 to 1", "adherence is a share of rules kept")
        at = pd.Index(segs).get_indexer(actors["segment"].astype(str))
        ok = at >= 0
        sums = np.bincount(at[ok], value[ok], minlength=k)
        counts = np.bincount(at[ok], minlength=k)
        adherence_seg = np.where(counts > 0, sums / np.maximum(counts, 1), 1.0)
    return _Plan(retention, service, acquisition, bool(respects), adherence_seg,
                 actors.reset_index(drop=True), targets)


@dataclass
class _Portfolio:
    """The programmes as per-segment arrays (0 where a kind does not cover a segment)."""

    on: dict[str, np.ndarray]              # kind -> (K,) bool
    value: dict[str, np.ndarray]           # "kind.param" -> (K,) float
    news_cost: np.ndarray                  # (K,) HKD per news message
    advertising_cost: np.ndarray           # (K,) HKD a month of pledge advertising


def _portfolio_of(programmes: tuple[Programme, ...], segs: tuple[str, ...]) -> _Portfolio:
    from crm_sim.programmes import KINDS

    k = len(segs)
    on = {kind: np.zeros(k, bool) for kind in KINDS}
    value = {f"{kind}.{p.name}": np.zeros(k) for kind, spec in KINDS.items()
             for p in spec.params}
    news_cost, advertising = np.zeros(k), np.zeros(k)
    for prog in programmes:
        rows = [segs.index(s) for s in (prog.segments or segs)]
        on[prog.kind][rows] = True
        for name, v in prog.params.items():
            value[f"{prog.kind}.{name}"][rows] = v
        if prog.kind == "news":
            news_cost[rows] = NEWS_CHANNEL_COST[prog.channel]
        if prog.kind == "service_pledge":
            advertising[rows] += prog.value("advertise_hkd") / len(rows)
    return _Portfolio(on, value, news_cost, advertising)


def _staff_figures(world: Any, segs: tuple[str, ...]):
    """Per segment: mean skill of the staff serving it, contact minutes a month, headcount."""
    staff = world.tables["staff"]
    roles = {r[0]: r[3] for r in ROLES.get(world.scenario.industry, ())}
    k = len(segs)
    skill, minutes, heads = np.zeros(k), np.zeros(k), np.zeros(k)
    if len(staff):
        role = staff["role"].astype(str).to_numpy(object)
        quality = ((staff["soft_skill"].to_numpy(float) + staff["product_knowledge"]
                    .to_numpy(float) + staff["skill"].to_numpy(float)) / 3)
        hours = staff["capacity_hours_week"].to_numpy(float)
        for r, served in roles.items():
            m = role == r
            at = [segs.index(s) for s in served if s in segs]
            if not m.any() or not at:
                continue
            share = 1.0 / len(at)
            skill[at] += quality[m].sum() * share
            heads[at] += m.sum() * share
            minutes[at] += hours[m].sum() * share * WEEKS_PER_MONTH * 60 * CONTACT_SHARE_OF_HOURS
    mean_skill = np.where(heads > 0, skill / np.maximum(heads, 1e-9), 0.5)
    return mean_skill, minutes, heads, len(staff)


def _settings(world: Any) -> dict[str, str]:
    table = world.tables.get("sim_settings")
    if table is None or not len(table):
        return {}
    return dict(zip(table["key"].astype(str), table["value"].astype(str), strict=True))


def shared_view_of(world: Any) -> bool:
    """Whether the world's staff share one customer view (the saved setting; default off)."""
    return _settings(world).get("shared_view", "false") == "true"


def set_shared_view(world: Any, on: bool) -> None:
    """Switch the shared customer view on or off for the world's staff (saved with it)."""
    if not isinstance(on, bool | np.bool_):
        raise FieldError("shared_view", on, "True or False", "e.g. set_shared_view(world, True)")
    _put_settings(world, {"shared_view": "true" if on else "false"})
    autosave(world)


def _put_settings(world: Any, values: dict[str, str]) -> None:
    current = _settings(world)
    current.update(values)
    rows = pd.DataFrame({"key": list(current), "value": list(current.values())})
    if "sim_settings" in world.tables:
        world.tables["sim_settings"] = rows.astype(SETTINGS_COLUMNS)
    else:
        world.register_table("sim_settings", rows, columns=SETTINGS_COLUMNS)


# ------------------------------------------------------------------ the engine
@dataclass
class _State:
    """Per-customer arrays (grown as new customers join)."""

    ids: np.ndarray
    seg: np.ndarray
    s: np.ndarray
    p: np.ndarray
    f: np.ndarray
    active: np.ndarray
    consent: np.ndarray
    tenure: np.ndarray
    affinity: np.ndarray
    new: np.ndarray            # joined during the run
    source: np.ndarray         # how a new customer came ("" for existing)
    treat: np.ndarray          # programmes apply (all True unless an A/B test)
    spend: np.ndarray          # HKD bought during the run
    bought: np.ndarray
    no_buy: np.ndarray         # chance of not having bought at all so far
    opted: np.ndarray
    ever_active: np.ndarray
    joined: np.ndarray         # month index of joining (-1 for existing)

    def grow(self, other: _State) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, np.concatenate([getattr(self, name), getattr(other, name)]))


def _draw(world: Any, tag: str, month: int, name: str):
    return world.streams.generator(f"programme_sim.{tag}.{month}.{name}")


def _initial_state(world: Any, segs: tuple[str, ...]) -> tuple[_State, np.ndarray]:
    customers = world.tables["customers"]
    latent = engine_state(world)["latent"]
    ids = customers["customer_id"].to_numpy(object)
    pos = pd.Index(latent["customer_id"].to_numpy(object)).get_indexer(ids)
    if (pos < 0).any():
        raise FieldError("world", "customers without hidden state",
                         "a world built with World.build", "rebuild or reload the world")
    n = len(ids)
    seg = pd.Categorical(customers["segment"].to_numpy(object), categories=segs).codes
    get = {c: latent[c].to_numpy()[pos] for c in ("satisfaction", "perception", "fatigue",
                                                   "active", "channel_affinity")}
    affinity = pd.Index(CHANNELS).get_indexer(get["channel_affinity"].astype(object))
    state = _State(
        ids=ids, seg=seg.astype(np.int64), s=get["satisfaction"].astype(float),
        p=get["perception"].astype(float), f=get["fatigue"].astype(float),
        active=get["active"].astype(bool), consent=customers["dm_consent"].to_numpy(bool),
        tenure=customers["tenure_months"].to_numpy(np.int64).astype(float),
        affinity=np.maximum(affinity, 0), new=np.zeros(n, bool),
        source=np.full(n, "", dtype=object), treat=np.ones(n, bool), spend=np.zeros(n),
        bought=np.zeros(n, bool), no_buy=np.ones(n), opted=np.zeros(n, bool),
        ever_active=get["active"].astype(bool), joined=np.full(n, -1, np.int64))
    return state, pos


def _run(world: Any, plan: _Plan, port: _Portfolio, shared_view: bool, months: int,
         tag: str, treat: np.ndarray | None = None, segment_filter: int | None = None):
    """The monthly loop; returns (state, per-month KPI arrays, surveys, adherence frames)."""
    segs = tuple(world.scenario.segments)
    k = len(segs)
    econ = draw_economics(segs, world.streams)
    resp = draw_programme_response(segs, world.streams)
    params = behaviour.DEFAULT_PARAMS
    state, _ = _initial_state(world, segs)
    if treat is not None:
        state.treat = treat.copy()
    skill, minutes_cap, heads, _ = _staff_figures(world, segs)
    spend_base = np.array([SEGMENT_PROFILES[s]["spend"] for s in segs]) * econ.spend_factor
    s_mean = np.clip(params.satisfaction_mean + econ.satisfaction_shift, 0, 1)
    start_counts = np.bincount(state.seg[state.active], minlength=k).astype(float)
    seg_names = np.asarray(segs, dtype=object)
    up = np.array([segs.index(MOBILITY_PATHS.get(s, ("", ""))[0])
                   if MOBILITY_PATHS.get(s, ("", ""))[0] in segs else -1 for s in segs])
    down = np.array([segs.index(MOBILITY_PATHS.get(s, ("", ""))[1])
                     if MOBILITY_PATHS.get(s, ("", ""))[1] in segs else -1 for s in segs])
    on, val = port.on, port.value
    r = {kind: resp.of(kind) for kind in on}
    ps = resp.price_sensitivity
    ret_total = plan.retention.sum(axis=1)
    srv_total = plan.service.sum(axis=1)
    plan_total = ret_total + srv_total
    mix = np.where(plan_total[:, None] > 0, (plan.retention + plan.service)
                   / np.maximum(plan_total[:, None], 1e-12), 0.0)
    cost_per_contact = mix @ np.array([CONTACT_COST[c] for c in CHANNELS])
    minutes_per_contact = mix @ np.array([CONTACT_MINUTES[c] for c in CHANNELS])
    training = np.zeros(k)
    last_kept = np.ones(k)          # how well the pledge was kept last month (1 at the start)
    rows: list[dict[str, np.ndarray]] = []
    surveys: list[pd.DataFrame] = []
    adherence_rows: list[pd.DataFrame] = []
    month_labels = []
    clock = world.today
    for m in range(months):
        label = clock[:7]
        month_labels.append(label)
        n = len(state.ids)
        u = {name: _draw(world, tag, m, name).random(n) for name in (
            "contact", "skip", "inconsistent", "buy", "value", "complain", "handle",
            "close", "survey", "opt", "move", "trade_in", "pledge")}
        z = {name: _draw(world, tag, m, name).standard_normal(n) for name in (
            "drift", "csat", "nps")}
        comp_move = _draw(world, tag, m, "competitor").random(k) < resp.competitor_rate
        seg, act = state.seg, state.active
        treat_on = {kind: on[kind][seg] & state.treat & act for kind in on}
        start_seg = seg.copy()
        start_active = act.copy()
        active_start = np.bincount(seg[act], minlength=k)

        # -- training builds month by month
        train_hours = val["staff_training.hours_per_staff"] * on["staff_training"]
        training = training + TRAINING_RATE * train_hours * (1 - training) / 4
        train_seg = np.minimum(1.0, training * r["staff_training"])
        adherence_now = 1 - (1 - plan.adherence_seg) * (1 - TRAINING_ADHERENCE * train_seg)

        # -- planned contacts, as far as adherence and capacity allow
        need = plan_total * minutes_per_contact * active_start
        done = np.where(need > 0, np.minimum(1.0, minutes_cap / np.maximum(need, 1e-9)), 1.0)
        rushed = 1 - done
        good_rate = (ret_total * adherence_now * done)[seg]
        srv_rate = (srv_total * adherence_now * done)[seg]
        bad_share = (1 - adherence_now)[seg]
        bad_rate = plan_total[seg] * bad_share * OVER_CONTACT
        consent = state.consent
        dm_ok = consent | (not plan.respects_consent)
        ret_n = np.where(dm_ok, good_rate, 0.0)
        expected = ret_n + srv_rate + bad_rate
        count = np.floor(expected + u["contact"]) * act
        contacted = count > 0
        skipped = contacted & ~consent & (u["skip"] < bad_share * SKIP_CONSENT) & (bad_rate > 0)
        ignored = contacted & ~consent & (((not plan.respects_consent) & (ret_n > 0)) | skipped)
        c_rate = INCONSISTENT_ON if shared_view else INCONSISTENT_OFF
        inconsistent = contacted & (u["inconsistent"] < c_rate)
        quality = (BASE_QUALITY + SKILL_QUALITY * (skill[seg] - 0.5) + TRAINING_QUALITY
                   * train_seg[seg] - 0.2 * rushed[seg] - 0.15 * inconsistent)
        match = mix[seg, state.affinity] * (1 - bad_share)
        s_c, p_c, f_c = behaviour.contact_effect(state.s, state.p, state.f, quality, match,
                                                  ignored.astype(float), count, params)
        gain = resp.contact_response[seg]
        s = np.where(contacted, state.s + (s_c - state.s) * np.where(s_c > state.s, gain, 1),
                     state.s)
        p = np.where(contacted, state.p + (p_c - state.p) * np.where(p_c > state.p, gain, 1),
                     state.p)
        f = np.where(contacted, f_c, state.f)
        s = s - INCONSISTENT_S * inconsistent
        p = p - INCONSISTENT_P * inconsistent

        # -- programmes
        news = treat_on["news"] & consent
        n_news = val["news.per_month"][seg] * news
        p = p + NEWS_PERCEPTION * r["news"][seg] * (1 - np.exp(-n_news)) * 3 * (1 - f)
        f = f + (1 - (1 - NEWS_FATIGUE) ** n_news) * (1 - f)
        disc = val["long_term_discount.discount"][seg] * (
            treat_on["long_term_discount"]
            & (state.tenure >= val["long_term_discount.min_tenure_months"][seg]))
        p = p + LTD_PERCEPTION * r["long_term_discount"][seg] * (disc > 0) * np.sqrt(disc / 0.1)
        pledge = treat_on["service_pledge"]
        adv = val["service_pledge.advertise_hkd"] * on["service_pledge"]
        adv_units = np.log1p(adv / ADVERTISING_SCALE)
        # a pledge is worth what it is kept: one broken more often than kept hurts the image
        trust = 2 * last_kept[seg] - 1
        p = p + (PLEDGE_AWARE * pledge + ADVERTISING_PERCEPTION * adv_units[seg] * pledge) \
            * r["service_pledge"][seg] * trust
        s, p, f = np.clip(s, 0, 1), np.clip(p, 0, 1), np.clip(f, 0, 1)

        # -- the month passes
        s, p, f_after = behaviour.drift(s, p, f, z["drift"], params, mean=s_mean[seg])
        propensity = behaviour.propensity_of(s, p, f_after, params)
        hazard = behaviour.hazard_of(s, p, f_after, params)
        rewards = val["member_rewards.points_rate"][seg] * treat_on["member_rewards"]
        buy_mult = (1 + LTD_PURCHASE * disc * ps[seg]) * (
            1 + REWARDS_PURCHASE * rewards * r["member_rewards"][seg])
        hazard = hazard * np.exp(-LTD_HAZARD * disc * ps[seg] * r["long_term_discount"][seg]
                                 - REWARDS_HAZARD * rewards * r["member_rewards"][seg])
        hazard = hazard * (1 + COMPETITOR_HAZARD * ps[seg] * comp_move[seg])
        hazard = np.minimum(hazard, params.hazard_max)
        p_buy = np.minimum(1.0, propensity * OWN_PURCHASE_SHARE * buy_mult) * act
        buys = act & (u["buy"] < p_buy)
        credit = val["trade_in.credit"][seg] * treat_on["trade_in"]
        ti_p = np.where(credit > 0, TRADE_IN_BASE * (1 + TRADE_IN_SLOPE * credit * ps[seg]
                                                      * r["trade_in"][seg]), 0.0)
        trade = act & (u["trade_in"] < ti_p)
        p = np.where(trade, np.minimum(1, p + TRADE_IN_PERCEPTION), p)
        state.no_buy = state.no_buy * (1 - p_buy) * (1 - ti_p * act)
        value_each = spend_base[seg] * PURCHASE_VALUE_MONTHS * (0.5 + u["value"])
        revenue_i = value_each * (buys | trade)      # a trade-in replaces a purchase
        discount_i = revenue_i * disc
        points_i = revenue_i * rewards
        credit_i = value_each * trade * credit

        # -- complaints and their handling
        complain_p = (COMPLAINT_LEVEL * (1 - s) ** 2 + UNCONSENTED_COMPLAINT * ignored
                      + INCONSISTENT_COMPLAINT * inconsistent + FATIGUE_COMPLAINT * f)
        complained = act & (u["complain"] < complain_p)
        goodwill = val["complaint_recovery.goodwill_hkd"][seg] * treat_on["complaint_recovery"]
        recovery = (1 - np.exp(-goodwill / np.maximum(0.05 * spend_base[seg], 1.0)))
        # a complaint also meets staff: without one view they may not know its history
        inconsistent_c = complained & (u["inconsistent"] < c_rate)
        handle_p = np.clip(HANDLE_BASE + RECOVERY_HANDLING * recovery * r["complaint_recovery"][
            seg] + TRAINING_HANDLING * train_seg[seg] + 0.1 * shared_view
            - 0.3 * inconsistent_c, 0, 0.95)
        handled = complained & (u["handle"] < handle_p)
        s = np.where(complained, behaviour.complaint_effect(s, handled, params), s)
        p = np.clip(p + RECOVERY_PERCEPTION * handled * (goodwill > 0), 0, 1)
        p = np.clip(p - INCONSISTENT_P * (inconsistent_c & ~inconsistent), 0, 1)
        n_complaints = np.bincount(seg[complained], minlength=k)
        load = n_complaints / np.maximum(heads, 1)
        days = (BASE_RESOLUTION_DAYS * (1 + load / 20) / (1 + train_seg)
                - VIEW_RESOLUTION_DAYS * shared_view)
        target_days = np.where(on["complaint_recovery"], val["complaint_recovery.resolve_days"],
                               np.inf)
        days = np.maximum(1.0, np.minimum(days, np.maximum(target_days, days * 0.6)))
        response_h = BASE_RESPONSE_HOURS * (1 + load / 20) / (1 + train_seg) * (
            0.7 if shared_view else 1.0)
        pledge_h = val["service_pledge.response_hours"]
        kept_share = np.clip(pledge_h / np.maximum(response_h, 1e-9), 0, 1)
        last_kept = kept_share
        kept = complained & pledge & (u["pledge"] < kept_share[seg])
        broken = complained & pledge & ~kept
        s = np.clip(s + PLEDGE_KEPT * kept, 0, 1)
        p = np.clip(p + 0.5 * PLEDGE_KEPT * kept - PLEDGE_BROKEN * broken, 0, 1)

        # -- opt-outs, surveys, churn, segment moves
        opted = act & consent & (u["opt"] < OPT_OUT_BASE + OPT_OUT_FATIGUE * f ** 2)
        closed = act & (u["close"] < hazard)
        answer_p = (SURVEY_BASE + SURVEY_CONTACTED * contacted
                    + SURVEY_EXTREME * np.abs(s - 0.5) * 2)
        answers = act & ~closed & (u["survey"] < answer_p)
        csat = np.clip(np.rint(1 + 4 * s + CSAT_LENIENCY + CSAT_NOISE * z["csat"]), 1, 5)
        recommend = 10 * (0.5 * s + 0.5 * p)
        nps_score = np.clip(np.rint(recommend + NPS_LENIENCY + NPS_NOISE * z["nps"]), 0, 10)
        honest = np.clip(np.rint(recommend + 1.0 + NPS_NOISE * z["nps"]), 0, 10)
        stays = act & ~closed
        move_u = u["move"]
        go_up = stays & (up[seg] >= 0) & (move_u < MOBILITY_UP * (0.5 + p))
        go_down = stays & ~go_up & (down[seg] >= 0) & (
            1 - move_u < MOBILITY_DOWN * (1.5 - p))
        new_seg = np.where(go_up, up[seg], np.where(go_down, down[seg], seg))

        # -- acquisition: organic, referral, campaign, advertising
        promoters = stays & (honest >= 9)
        n_prom = np.bincount(seg[promoters], minlength=k)
        reward = val["referral_rewards.reward_hkd"] * on["referral_rewards"]
        ref_rate = REFERRAL_BASE * (1 + REFERRAL_SLOPE * r["referral_rewards"] * (
            1 - np.exp(-reward / np.maximum(0.2 * spend_base, 1.0))))
        mean_p = np.bincount(seg[stays], p[stays], minlength=k) / np.maximum(
            np.bincount(seg[stays], minlength=k), 1)
        lam_organic = ORGANIC_RATE * start_counts * (0.5 + mean_p)
        lam_referral = n_prom * ref_rate
        lam_campaign = plan.acquisition * adherence_now * active_start * CAMPAIGN_CONVERSION \
            * resp.contact_response
        lam_adv = ADVERTISING_RATE * start_counts * adv_units * r["service_pledge"]
        acq = _draw(world, tag, m, "acquire")
        n_ref = acq.poisson(lam_referral)
        n_other = acq.poisson(lam_organic + lam_campaign + lam_adv)
        if segment_filter is not None:
            keep = np.arange(k) == segment_filter
            n_ref, n_other = n_ref * keep, n_other * keep

        # -- costs
        contacts_seg = np.bincount(seg, count, minlength=k)
        contact_cost = contacts_seg * cost_per_contact + plan.acquisition * adherence_now \
            * active_start * cost_per_contact
        news_cost = np.bincount(seg, n_news, minlength=k) * port.news_cost
        prog_cost = (np.bincount(seg, discount_i + points_i + credit_i + goodwill * complained,
                                 minlength=k) + news_cost
                     + MEMBER_ADMIN_HKD * np.bincount(seg[treat_on["member_rewards"]],
                                                      minlength=k)
                     + n_ref * reward + port.advertising_cost
                     + train_hours * TRAINING_HOUR_COST * heads)
        if shared_view:
            prog_cost = prog_cost + SHARED_VIEW_COST / k + SHARED_VIEW_COST_PER_CUSTOMER \
                * active_start
        revenue_seg = np.bincount(seg, revenue_i - discount_i, minlength=k)

        # -- KPIs (by segment at the month's start)
        churned = np.bincount(seg[closed], minlength=k)
        responded = np.bincount(seg[answers], minlength=k)
        csat_good = np.bincount(seg[answers], (csat[answers] >= 4), minlength=k)
        prom = np.bincount(seg[answers], nps_score[answers] >= 9, minlength=k)
        detr = np.bincount(seg[answers], nps_score[answers] <= 6, minlength=k)
        all_prom = np.bincount(seg[stays], honest[stays] >= 9, minlength=k)
        all_detr = np.bincount(seg[stays], honest[stays] <= 6, minlength=k)
        n_stays = np.bincount(seg[stays], minlength=k)
        experienced = np.bincount(seg[contacted | complained], minlength=k)
        incons = np.bincount(seg[inconsistent | inconsistent_c], minlength=k)
        moved_out = np.bincount(seg[go_up | go_down], minlength=k)
        moved_in = np.bincount(new_seg[go_up | go_down], minlength=k)
        bought_seg = np.bincount(seg[buys | trade], minlength=k)
        adh_w = adherence_now
        rows.append(dict(
            customers_start=active_start, new_customers=n_ref + n_other, new_by_referral=n_ref,
            churned=churned, moved_in=moved_in, moved_out=moved_out,
            share_of_wallet=np.minimum(1.0, bought_seg / np.maximum(active_start, 1)
                                       / WALLET_PURCHASES),
            revenue=revenue_seg, contact_cost=contact_cost, programme_cost=prog_cost,
            contacts=contacts_seg, unconsented_contacts=np.bincount(seg[ignored], minlength=k),
            survey_responses=responded,
            csat=np.where(responded > 0, 100 * csat_good / np.maximum(responded, 1), np.nan),
            nps=np.where(responded > 0, 100 * (prom - detr) / np.maximum(responded, 1), np.nan),
            complaints=n_complaints, complaints_resolved_well=np.bincount(
                seg[handled], minlength=k),
            resolution_days=np.where(n_complaints > 0, days, np.nan),
            consistency=np.where(experienced > 0, 1 - incons / np.maximum(experienced, 1), 1.0),
            opt_outs=np.bincount(seg[opted], minlength=k), competitor_move=comp_move,
            pledge_kept_rate=np.where(
                np.bincount(seg[kept | broken], minlength=k) > 0,
                np.bincount(seg[kept], minlength=k) / np.maximum(
                    np.bincount(seg[kept | broken], minlength=k), 1), np.nan),
            adherence=adh_w,
            perception=np.bincount(seg[stays], p[stays], minlength=k) / np.maximum(n_stays, 1),
            satisfaction=np.bincount(seg[stays], s[stays], minlength=k)
            / np.maximum(n_stays, 1),
            nps_all=100 * (all_prom - all_detr) / np.maximum(n_stays, 1),
            active_truth=n_stays))
        if answers.any():
            surveys.append(pd.DataFrame({
                "month": label, "customer_id": state.ids[answers],
                "segment": seg_names[seg[answers]], "csat": csat[answers].astype(np.int64),
                "nps_score": nps_score[answers].astype(np.int64),
                "contacted": contacted[answers]}))
        if len(plan.actors):
            a = plan.actors.copy()
            at = pd.Index(segs).get_indexer(a["segment"].astype(str))
            boost = np.where(at >= 0, train_seg[np.maximum(at, 0)], 0.0)
            a["adherence"] = 1 - (1 - a["adherence"].astype(float)) * (
                1 - TRAINING_ADHERENCE * boost)
            a.insert(0, "month", label)
            adherence_rows.append(a)

        # -- commit the month to the arrays
        state.s, state.p, state.f = s, p, f_after
        state.active = act & ~closed
        state.consent = consent & ~opted
        state.opted = state.opted | opted
        state.seg = new_seg.astype(np.int64)
        state.tenure = state.tenure + act
        state.spend = state.spend + revenue_i - discount_i
        state.bought = state.bought | buys | trade
        del start_seg, start_active
        joined = _new_customers(world, tag, m, n_ref, n_other, econ, state, s_mean)
        if joined is not None:
            state.grow(joined)
        clock = add_months(clock, 1)
    return state, rows, month_labels, surveys, adherence_rows


def _new_customers(world: Any, tag: str, m: int, n_ref: np.ndarray, n_other: np.ndarray,
                   econ, state: _State, s_mean: np.ndarray) -> _State | None:
    """The month's new customers as arrays (referred ones start a little warmer)."""
    counts = n_ref + n_other
    total = int(counts.sum())
    if total == 0:
        return None
    rng = _draw(world, tag, m, "newcomers")
    seg = np.repeat(np.arange(len(counts)), counts)
    referred = np.concatenate([np.r_[np.ones(a, bool), np.zeros(b, bool)]
                               for a, b in zip(n_ref, n_other, strict=True)])
    s = np.clip(rng.beta(6.0, 4.0, total) + econ.satisfaction_shift[seg] + 0.05 * referred, 0, 1)
    p = np.clip(0.5 * s + 0.5 * rng.beta(5.0, 5.0, total) + 0.05 * referred, 0, 1)
    cum = np.cumsum(econ.affinity, axis=1)[seg]
    affinity = np.minimum((rng.random(total)[:, None] > cum).sum(axis=1), len(CHANNELS) - 1)
    consent = rng.random(total) < econ.consent[seg]
    base = len(state.ids)
    ids = np.array([f"N{tag[:8]}{m:02d}{i:06d}" for i in range(total)], dtype=object)
    del base
    return _State(
        ids=ids, seg=seg.astype(np.int64), s=s, p=p, f=np.zeros(total),
        active=np.ones(total, bool), consent=consent, tenure=np.zeros(total),
        affinity=affinity.astype(np.int64), new=np.ones(total, bool),
        source=np.where(referred, "referral", "organic/campaign").astype(object),
        treat=np.ones(total, bool), spend=np.zeros(total), bought=np.zeros(total, bool),
        no_buy=np.ones(total), opted=np.zeros(total, bool), ever_active=np.ones(total, bool),
        joined=np.full(total, m, np.int64))


def _kpi_frames(rows, labels, segs, plan: _Plan):
    """Stack the per-month arrays into the KPI and truth tables."""
    k = len(segs)
    cols = {key: np.concatenate([r[key] for r in rows]) for key in rows[0]}
    month = np.repeat(np.asarray(labels, dtype=object), k)
    segment = np.tile(np.asarray(segs, dtype=object), len(labels))
    start = cols["customers_start"].astype(np.int64)
    churned = cols["churned"].astype(np.int64)
    revenue = np.round(cols["revenue"], 2)
    contact_cost = np.round(cols["contact_cost"], 2)
    programme_cost = np.round(cols["programme_cost"], 2)
    cost = np.round(contact_cost + programme_cost, 2)
    targets = plan.targets
    t_new = np.full(len(month), np.nan)
    t_ret = np.full(len(month), np.nan)
    if isinstance(targets, pd.DataFrame) and len(targets) and "segment" in targets:
        tt = targets.drop_duplicates("segment", keep="last").set_index("segment")
        for col, out in (("new_customers_per_month", t_new), ("retention_rate", t_ret)):
            if col in tt:
                series = pd.to_numeric(tt[col], errors="coerce")
                out[:] = series.reindex(segment).to_numpy(float)
    kpis = pd.DataFrame({
        "month": month, "segment": segment, "customers_start": start,
        "new_customers": cols["new_customers"].astype(np.int64),
        "new_by_referral": cols["new_by_referral"].astype(np.int64),
        "churned": churned,
        "retention_rate": np.round(1 - churned / np.maximum(start, 1), 4),
        "churn_rate": np.round(churned / np.maximum(start, 1), 4),
        "moved_in": cols["moved_in"].astype(np.int64),
        "moved_out": cols["moved_out"].astype(np.int64),
        "active_end": (start - churned + cols["moved_in"] - cols["moved_out"]).astype(np.int64),
        "share_of_wallet": np.round(cols["share_of_wallet"], 4), "revenue": revenue,
        "contact_cost": contact_cost, "programme_cost": programme_cost, "cost": cost,
        "contribution": np.round(revenue * GROSS_MARGIN - cost, 2),
        "contacts": cols["contacts"].astype(np.int64),
        "unconsented_contacts": cols["unconsented_contacts"].astype(np.int64),
        "survey_responses": cols["survey_responses"].astype(np.int64),
        "csat": np.round(cols["csat"], 2), "nps": np.round(cols["nps"], 2),
        "complaints": cols["complaints"].astype(np.int64),
        "complaints_resolved_well": cols["complaints_resolved_well"].astype(np.int64),
        "resolution_days": np.round(cols["resolution_days"], 2),
        "consistency": np.round(cols["consistency"], 4),
        "opt_outs": cols["opt_outs"].astype(np.int64),
        "competitor_move": cols["competitor_move"].astype(bool),
        "adherence": np.round(cols["adherence"], 4),
        "pledge_kept_rate": np.round(cols["pledge_kept_rate"], 4),
        "target_new_customers": t_new, "target_retention_rate": t_ret,
    }).astype(KPI_COLUMNS)
    truth = pd.DataFrame({
        "month": month, "segment": segment,
        "perception": np.round(cols["perception"], 6),
        "satisfaction": np.round(cols["satisfaction"], 6),
        "nps_all": np.round(cols["nps_all"], 3),
        "active": cols["active_truth"].astype(np.int64),
    }).astype(TRUTH_COLUMNS)
    return kpis, truth


def _check_months(months: Any) -> int:
    if isinstance(months, bool) or not isinstance(months, int | np.integer) or not (
            1 <= months <= MAX_MONTHS):
        raise FieldError("months", months, f"an integer from 1 to {MAX_MONTHS}",
                         "e.g. months=12")
    return int(months)


def simulate(world: Any, policy: Any = None, programmes: Iterable[Any] = (), months: int = 12,
             *, shared_view: bool | None = None, commit: bool = True) -> SimulationResult:
    """Run `months` months of the company under `policy` and `programmes`.

    Args:
        world: the company (sealed or not).
        policy: an object with the contact-policy protocol (``contact_plan()``,
            ``respects_consent``, ``targets()``, optional ``adherence(world)`` and
            ``staff_log(world, month, rng)``); None: no planned contact.
        programmes: `Programme`s (or their dicts) the company runs.
        months: 1 to 60.
        shared_view: whether all staff share one customer view; None: the world's saved
            setting (`set_shared_view`; off by default).
        commit: True: the world moves on (clock, customers, KPI tables); False: a what-if
            run that leaves the world as it is.

    Raises:
        FieldError: a malformed input, naming the field, the value and a fix; the world is
            then unchanged.
    """
    months = _check_months(months)
    segs = tuple(world.scenario.segments)
    progs = check_portfolio(programmes, segs)
    if shared_view is None:
        view = shared_view_of(world)
    elif isinstance(shared_view, bool | np.bool_):
        view = bool(shared_view)
    else:
        raise FieldError("shared_view", shared_view, "True, False or None",
                         "None uses the company's saved setting")
    plan = _plan_of(policy, segs, world)
    tag = world.today.replace("-", "")
    state, rows, labels, surveys, adherence = _run(world, plan, _portfolio_of(progs, segs),
                                                   view, months, tag)
    kpis, truth = _kpi_frames(rows, labels, segs, plan)
    survey_table = (pd.concat(surveys, ignore_index=True) if surveys else pd.DataFrame(
        {c: pd.Series(dtype=object) for c in SURVEY_COLUMNS})).astype(SURVEY_COLUMNS)
    adherence_table = (pd.concat(adherence, ignore_index=True) if adherence else pd.DataFrame(
        {c: pd.Series(dtype=object) for c in ADHERENCE_COLUMNS})).astype(ADHERENCE_COLUMNS)
    logs = []
    if callable(getattr(policy, "staff_log", None)):
        clock = world.today
        for m in range(months):
            logs.append(policy.staff_log(world, clock[:7], _draw(world, tag, m, "staff_log")))
            clock = add_months(clock, 1)
    policy_log = pd.concat([x for x in logs if x is not None and len(x)], ignore_index=True) \
        if any(x is not None and len(x) for x in logs) else pd.DataFrame()
    new_rows = _new_rows(world, state, segs, tag) if commit else pd.DataFrame()
    seg_names = np.asarray(segs, dtype=object)
    per_customer = pd.DataFrame({
        "customer_id": state.ids, "segment": seg_names[state.seg], "new": state.new,
        "source": state.source, "active": state.active, "bought": state.bought,
        "buy_chance": np.round(1 - state.no_buy, 6), "spend": np.round(state.spend, 2),
        "treated": state.treat})
    result = SimulationResult(kpis, truth, survey_table, adherence_table, new_rows, policy_log,
                              progs, view, per_customer)
    if commit:
        _commit(world, state, result, months, new_rows)
    return result


# ------------------------------------------------------------------ committing
def _new_rows(world: Any, state: _State, segs: tuple[str, ...], tag: str) -> pd.DataFrame:
    """Public customers rows for the customers who joined, with fresh ids and contacts."""
    from crm_sim.schema import TABLES

    new = np.flatnonzero(state.new)
    customers = world.tables["customers"]
    if not len(new):
        return customers.iloc[:0].copy()
    rng = world.streams.generator(f"programme_sim.{tag}.rows")
    k = len(new)
    numbers = customers["customer_id"].astype(str).str[1:]
    width = len(numbers.iloc[0]) if len(numbers) else 6
    first = int(pd.to_numeric(numbers, errors="coerce").max()) + 1 if len(numbers) else 1
    ids = np.array([f"C{first + i:0{width}d}" for i in range(k)], dtype=object)
    donors = rng.integers(0, len(customers), (4, k))
    names = customers["name"].astype(str).to_numpy(object)
    surname = pd.Series(names[donors[0]]).str.split(" ", n=1).str[0].to_numpy(object)
    given = pd.Series(names[donors[1]]).str.split(" ", n=1).str[1].fillna("Ka Ho").to_numpy(
        object)
    phone_taken = set(customers["phone"].astype(str))
    phones = []
    pool = rng.choice(3 * 10**7, size=k * 2, replace=False)
    for number in pool:
        text = f"{(5, 6, 9)[number // 10**7]}{number % 10**7:07d}"
        if text not in phone_taken:
            phones.append(text)
            if len(phones) == k:
                break
    seg_names = np.asarray(segs, dtype=object)[state.seg[new]]
    business = np.array([SEGMENT_PROFILES[s]["business"] for s in seg_names], dtype=bool)
    companies = customers["company"].astype(str).to_numpy(object)
    districts = customers["district"].astype(str).to_numpy(object)
    addresses = customers["address"].astype(str).to_numpy(object)
    joined = state.joined[new]
    since = np.array([add_months(world.today, int(j)) for j in joined], dtype=object)
    full = surname + " " + given
    stem = pd.Series(given).str.split(",").str[0].str.replace(" ", "").str.lower() + "." + \
        pd.Series(surname).str.lower()
    rows = pd.DataFrame({
        "customer_id": ids, "name": full,
        "company": np.where(business, "New " + companies[donors[2]], ""),
        "segment": seg_names, "district": districts[donors[3]],
        "address": [f"Flat {chr(65 + i % 8)}, {1 + i // 8 % 40}/F, " + a
                    for i, a in enumerate(addresses[donors[3]])],
        "phone": np.array(phones, dtype=object),
        "email": (stem + ids.astype(str) + "@mail.example.hk").to_numpy(object),
        "hkid": np.full(k, "", dtype=object),
        "dm_consent": state.consent[new],
        "consent_date": np.where(state.consent[new] | state.opted[new], since, ""),
        "consent_channel": np.where(state.consent[new] | state.opted[new], "email", ""),
        "consent_withdrawn_date": np.where(state.opted[new], add_months(
            world.today, 1), ""),
        "preferred_channel": np.asarray(CHANNELS, dtype=object)[state.affinity[new]],
        "preferred_language": np.full(k, "yue", dtype=object),
        "lifetime_value": np.round(state.spend[new], 2),
        "tenure_months": state.tenure[new].astype(np.int64),
        "since": since,
    })
    return rows.astype(TABLES["customers"])


def _commit(world: Any, state: _State, result: SimulationResult, months: int,
            new_rows: pd.DataFrame) -> None:
    """Write everything the run produced into the world, all tables built before any is set."""
    segs = tuple(world.scenario.segments)
    customers = world.tables["customers"]
    latent = engine_state(world)["latent"]
    n_old = len(customers)
    old = slice(0, n_old)
    seg_names = np.asarray(segs, dtype=object)
    out = customers.copy()
    out["segment"] = pd.array(seg_names[state.seg[old]], dtype="string")
    withdrew = state.opted[old]
    end = add_months(world.today, months)
    if withdrew.any():
        out.loc[withdrew, "dm_consent"] = False
        out.loc[withdrew, "consent_withdrawn_date"] = end
        out.loc[withdrew, "consent_channel"] = "email"
    out["lifetime_value"] = np.round(out["lifetime_value"].to_numpy(float)
                                     + state.spend[old], 2)
    out["tenure_months"] = state.tenure[old].astype(np.int64)
    if len(new_rows):
        out = pd.concat([out, new_rows], ignore_index=True)
    out = out.astype(customers.dtypes.to_dict())
    ids = customers["customer_id"].to_numpy(object)
    pos = pd.Index(latent["customer_id"].to_numpy(object)).get_indexer(ids)
    lat = latent.copy()
    for col, values in (("satisfaction", state.s), ("perception", state.p),
                        ("fatigue", state.f), ("active", state.active)):
        column = lat[col].to_numpy().copy()
        column[pos] = values[old]
        lat[col] = column
    if len(new_rows):
        new = slice(n_old, len(state.ids))
        extra = pd.DataFrame({
            "customer_id": pd.array(new_rows["customer_id"].to_numpy(object), dtype="string"),
            "satisfaction": state.s[new], "perception": state.p[new], "propensity": 0.0,
            "churn_hazard": 0.0, "fatigue": state.f[new],
            "channel_affinity": pd.array(np.asarray(CHANNELS, dtype=object)[
                state.affinity[new]], dtype="string"),
            "active": state.active[new]})
        lat = pd.concat([lat, extra], ignore_index=True)
    lat = behaviour.refresh(lat).astype(latent.dtypes.to_dict())
    tables = {
        "kpi_history": (result.kpis, KPI_COLUMNS, False),
        "kpi_truth": (result.truth, TRUTH_COLUMNS, True),
        "survey_responses": (result.surveys, SURVEY_COLUMNS, False),
        "adherence_history": (result.adherence, ADHERENCE_COLUMNS, False),
    }
    # validate every append before changing anything
    from crm_sim.world import _conform

    for name, (frame, columns, _hidden) in tables.items():
        _conform(name, frame, columns)
    log = result.policy_log
    # -- from here on: assignments; should one still fail, the world is put back as it was
    snapshot = (dict(world.tables), dict(engine_state(world)),
                {k: dict(v) for k, v in world.schema.items()}, world.today)
    try:
        _assign(world, out, lat, tables, log, result, months)
    except Exception:
        tables_before, state_before, schema_before, today_before = snapshot
        world.tables.clear()
        world.tables.update(tables_before)
        live = engine_state(world)
        live.clear()
        live.update(state_before)
        world.schema.clear()
        world.schema.update(schema_before)
        world.today = today_before
        raise
    autosave(world)


def _assign(world: Any, out: pd.DataFrame, lat: pd.DataFrame, tables: dict, log: pd.DataFrame,
            result: SimulationResult, months: int) -> None:
    """Set every table the run produced (called by `_commit`, which undoes it on failure)."""
    world.tables["customers"] = out
    engine_state(world)["latent"] = lat
    for name, (frame, columns, hidden) in tables.items():
        if name in world.schema:
            if len(frame):
                world.append_rows(name, frame)
        else:
            world.register_table(name, frame, hidden=hidden, columns=columns)
    if len(log):
        if "policy_log" in world.schema:
            world.append_rows("policy_log", log)
        else:
            world.register_table("policy_log", log)
    programme_rows = to_table(result.programmes)
    if "programmes" in world.schema:
        world.tables["programmes"] = programme_rows
    else:
        from crm_sim.programmes import PROGRAMME_COLUMNS

        world.register_table("programmes", programme_rows, columns=PROGRAMME_COLUMNS)
    _put_settings(world, {"shared_view": "true" if result.shared_view else "false"})
    world.advance(months)


# ------------------------------------------------------------------ A/B tests
@dataclass
class ABTest:
    """An A/B test of one programme on a random half of a segment.

    Attributes:
        data: one row per customer in the test: customer_id, arm ("treatment"/"control"),
            bought (at least one purchase during the test), stayed (still a customer),
            spend (HKD), survey_score (mean CSAT 1-5 of their answers; missing if none).
        true_uplift: the true effect of the programme on each outcome for these customers
            (graders only): the difference between everyone treated and no one treated,
            in expected values on the same customers and the same luck.
        programme, segment, months: what was tested.
    """

    data: pd.DataFrame
    true_uplift: dict[str, float]
    programme: Programme
    segment: str
    months: int


def ab_test(world: Any, programme: Programme | dict, segment: str, months: int = 3,
            share: float = 0.5) -> ABTest:
    """Test `programme` on a random `share` of `segment`'s active customers for `months`.

    A what-if run: the world is not changed. The assignment is drawn from the world's own
    stream (the same seed gives the same halves).
    """
    segs = tuple(world.scenario.segments)
    prog = check_portfolio((programme,), segs)[0]
    if segment not in segs:
        raise FieldError("segment", segment, f"one of {segs}", "test within one segment")
    months = _check_months(months)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0.05 <= share <= 0.95:
        raise FieldError("share", share, "a share from 0.05 to 0.95", "e.g. 0.5 (half)")
    prog = Programme(prog.kind, (segment,), prog.params, prog.channel)
    port = _portfolio_of((prog,), segs)
    plan = _plan_of(None, segs, world)
    state, _ = _initial_state(world, segs)
    seg_at = segs.index(segment)
    in_test = state.active & (state.seg == seg_at)
    u = world.streams.generator(f"programme_sim.ab.{world.today}.{prog.kind}").random(
        len(state.ids))
    treated = in_test & (u < share)
    tag = "ab" + world.today.replace("-", "")
    view = shared_view_of(world)
    runs = {}
    for name, mask in (("test", treated), ("all", np.ones(len(treated), bool)),
                       ("none", np.zeros(len(treated), bool))):
        runs[name] = _run(world, plan, port, view, months, tag, treat=mask,
                          segment_filter=seg_at)
    test_state, _, _, surveys, _ = runs["test"]
    n0 = len(in_test)
    idx = np.flatnonzero(in_test)
    survey = (pd.concat(surveys, ignore_index=True) if surveys else pd.DataFrame(
        {"customer_id": [], "csat": []}))
    mean_csat = survey.groupby("customer_id")["csat"].mean() if len(survey) else pd.Series(
        dtype=float)
    ids = test_state.ids[idx]
    data = pd.DataFrame({
        "customer_id": pd.array(ids, dtype="string"),
        "arm": np.where(treated[idx], "treatment", "control"),
        "bought_before": _bought_before(world, ids, months),
        "bought": test_state.bought[:n0][idx], "stayed": test_state.active[:n0][idx],
        "spend": np.round(test_state.spend[:n0][idx], 2),
        "survey_score": pd.array(mean_csat.reindex(ids).to_numpy(float), dtype="Float64"),
    })
    a, b = runs["all"][0], runs["none"][0]
    true = {
        "bought": float(np.mean((1 - a.no_buy[:n0][idx]) - (1 - b.no_buy[:n0][idx]))),
        "stayed": float(np.mean(a.active[:n0][idx].astype(float) - b.active[:n0][idx])),
        "spend": float(np.mean(a.spend[:n0][idx] - b.spend[:n0][idx])),
    }
    return ABTest(data, true, prog, segment, months)


def _bought_before(world: Any, ids: np.ndarray, months: int) -> np.ndarray:
    """Whether each customer bought in the `months` before the test (recorded sales)."""
    inter = world.tables["interactions"]
    start = add_months(world.today, -months)
    stamp = inter["timestamp"].astype(str).to_numpy(object)
    sale = (inter["outcome"].astype(str).to_numpy(object) == "sale") & (stamp >= start) & (
        stamp < world.today)
    buyers = pd.Index(pd.unique(inter["customer_id"].astype(str).to_numpy(object)[sale]))
    return buyers.get_indexer(ids.astype(object)) >= 0


OUTCOMES = ("bought", "stayed", "spend", "survey_score")
METHODS = ("arms", "adjusted", "before_after")
SAMPLES = ("all", "respondents")
Z_OF_LEVEL = {0.9: 1.6449, 0.95: 1.96, 0.99: 2.5758}


def uplift_estimate(data: pd.DataFrame, outcome: str = "bought", level: float = 0.95,
                    method: str = "arms", sample: str = "all") -> dict[str, float]:
    """Uplift of the treatment on `outcome`, with a normal confidence interval.

    Methods: ``"arms"`` difference in means treatment − control (the randomised
    comparison); ``"adjusted"`` the same after subtracting each customer's own before-test
    purchase (a difference in differences: as unbiased, sometimes narrower); and
    ``"before_after"`` the treated customers after minus before (no control group: it
    mixes the programme with everything else that changed). Sample ``"respondents"`` keeps
    only customers who answered a survey (a biased subset). Returns estimate, low, high,
    se, n_treatment, n_control.
    """
    for name, value, allowed in (("outcome", outcome, OUTCOMES), ("method", method, METHODS),
                                 ("sample", sample, SAMPLES)):
        if value not in allowed:
            raise FieldError(name, value, f"one of {allowed}", f'e.g. "{allowed[0]}"')
    z = Z_OF_LEVEL.get(round(float(level), 2)) if isinstance(level, int | float) and not \
        isinstance(level, bool) else None
    if z is None:
        raise FieldError("level", level, "0.9, 0.95 or 0.99", "e.g. 0.95")
    need = {"arm", outcome, "bought_before", "survey_score"}
    if not isinstance(data, pd.DataFrame) or not need <= set(data.columns):
        raise FieldError("data", type(data).__name__, f"an A/B table with {sorted(need)}",
                         "use the table ab_test(...).data")
    rows = data
    if sample == "respondents":
        rows = rows[pd.to_numeric(rows["survey_score"], errors="coerce").notna()]
    values = pd.to_numeric(rows[outcome], errors="coerce").astype(float)
    before = rows["bought_before"].astype(float)
    arms = rows["arm"].astype(str)
    if method == "before_after":
        t = (values - before)[arms == "treatment"].dropna() if outcome == "bought" else \
            values[arms == "treatment"].dropna()
        c = pd.Series([0.0, 0.0])
    elif method == "adjusted" and outcome == "bought":
        diff = values - before
        t, c = diff[arms == "treatment"].dropna(), diff[arms == "control"].dropna()
    else:
        t, c = values[arms == "treatment"].dropna(), values[arms == "control"].dropna()
    if len(t) < 2 or len(c) < 2:
        raise FieldError("data", f"{len(t)} treated, {len(c)} control", "at least 2 of each",
                         "use all customers of the test, or run a larger test")
    estimate = float(t.mean() - c.mean())
    se = math.sqrt(float(t.var(ddof=1)) / len(t) + float(c.var(ddof=1)) / len(c))
    return {"estimate": estimate, "low": estimate - z * se, "high": estimate + z * se,
            "se": se, "n_treatment": int(len(t)),
            "n_control": int(len(c)) if method != "before_after" else 0}


__all__ = ["ABTest", "SimulationResult", "ab_test", "set_shared_view", "shared_view_of",
           "simulate", "uplift_estimate", "KPI_COLUMNS"]
