"""The monthly step: one month passes and what the trainee did this month shows results.

`advance(world, months=1)` (also `World.advance_month()`) turns the month's calls, plans
and follow-ups into what a CRM team would observe a month later, for every customer at
once (numpy over customers, a handful of passes, no per-customer loop):

1. **This month's contacts** are the calls recorded since the last monthly step (before
   the first step: since the built history), whatever slot they were planned for, so a
   plan for "next month" made today counts in the month that passes now: who was
   contacted, how often, whether a follow-up was promised (the ``follow_up`` column) and
   whether a later follow_up call kept it. The calls themselves already moved each
   customer when they were made (`crm_sim.calls`); this step adds what happens after.
2. **A broken promise costs.** A follow-up promised this month and not made by the end of
   the month lowers satisfaction (`BROKEN_PROMISE_HIT`) and raises the complaint chance.
3. **The month passes** (`behaviour.drift` towards each segment's satisfaction level):
   satisfaction reverts with noise, perception follows, fatigue recovers.
4. **What customers do**, each drawn once per customer from the month's own stream:
   purchases on their own (propensity), inbound complaints (likelier when dissatisfied,
   after a broken promise), opt-outs from direct marketing (likelier when over-contacted:
   fatigue), answers to the monthly satisfaction survey (contacted customers answer more
   often; the 1-5 score reads true satisfaction with noise), and accounts closed (churn).
5. **What is recorded** (public tables a trainee analyses in the next notebook):
   ``month_results`` (one row per customer per month: contacts, follow-ups promised and
   kept, purchases and their HKD value, survey score, complaint, opt-out, closure),
   complaints appended to ``interactions``, opt-outs written to ``customers``
   (consent withdrawn that month) and purchases added to ``lifetime_value``.

Deterministic: the month's draws come from the stream ``simulate.month.<date>`` and are
drawn for every customer whatever the trainee did (common random numbers), so the same
seed and the same actions give the same results, and a different action changes only the
customers it touched (through their state).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from crm_sim import behaviour
from crm_sim.economics import draw_economics
from crm_sim.errors import FieldError
from crm_sim.history import COMPLAINT_BASE
from crm_sim.scenario import add_months
from crm_sim.world import autosave, engine_state

# ------------------------------------------------------------------ model figures
BROKEN_PROMISE_HIT = 0.06     # satisfaction lost when a promised follow-up never came
BROKEN_PROMISE_COMPLAINT = 0.10   # extra monthly complaint chance after a broken promise
KEPT_PROMISE_GAIN = 0.02      # satisfaction won when the promised follow-up was made
OPT_OUT_BASE = 0.004          # monthly chance a consenting customer withdraws anyway
OPT_OUT_FATIGUE = 0.35        # extra chance at fatigue 1 (over-contacted customers)
SURVEY_BASE = 0.12            # share of active customers who answer the monthly survey
SURVEY_CONTACTED = 0.25       # extra answer chance for a customer contacted this month
SURVEY_NOISE = 0.45           # sd of the survey score around 1 + 4·satisfaction
OWN_PURCHASE_SHARE = 0.35     # monthly own-initiative purchase chance = propensity × this

MONTH_RUNS_COLUMNS = {"month": "string", "interactions_seen": "int64"}   # engine state
MONTH_RESULTS_COLUMNS = {
    "month": "string",            # "YYYY-MM" of the month that passed
    "customer_id": "string",
    "segment": "string",
    "contacts": "int64",          # outbound contacts made this month (by the trainee)
    "follow_ups_promised": "int64",
    "follow_ups_kept": "int64",
    "purchases": "int64",         # own-initiative purchases (call sales are in interactions)
    "sales_value": "float64",     # HKD of those purchases
    "survey_score": "Int64",      # 1..5, missing when the customer did not answer
    "complained": "bool",
    "opted_out": "bool",          # withdrew direct-marketing consent this month
    "closed": "bool",             # closed the account this month (lost customer)
}


def advance(world: Any, months: int = 1) -> pd.DataFrame:
    """Let `months` months pass, one monthly step each; returns the new month_results rows.

    Args:
        world: the world to move on (sealed or not); its tables change in place.
        months: whole months, ≥ 1.

    Raises:
        FieldError: `months` is not a positive integer.
    """
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise FieldError("months", months, "an integer ≥ 1", "e.g. world.advance_month()")
    frames = [_step(world) for _ in range(months)]
    autosave(world)
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def month_results(world: Any) -> pd.DataFrame:
    """Every month's results so far (empty, with the right columns, before the first step)."""
    if "month_results" in world.tables:
        return world.tables["month_results"]
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in MONTH_RESULTS_COLUMNS.items()})


def month_summary(world: Any, by: str = "segment") -> pd.DataFrame:
    """The months' results per month and `by` ("segment" or "called"), ready to read.

    Columns: customers, contacted, purchases, sales_value (HKD), survey_answers,
    mean_survey_score (1-5), complaints, opt_outs, closed. With ``by="called"`` the rows
    compare the customers the trainee contacted that month with the others, which is how
    a trainee sees what their calls did.
    """
    if by not in ("segment", "called"):
        raise FieldError("by", by, '"segment" or "called"', 'e.g. month_summary(world, "called")')
    results = month_results(world)
    key = results["segment"] if by == "segment" else np.where(
        results["contacts"] > 0, "called", "not called")
    grouped = results.assign(_by=key).groupby(["month", "_by"])
    out = pd.DataFrame({
        "customers": grouped.size(),
        "contacted": grouped["contacts"].apply(lambda c: int((c > 0).sum())),
        "purchases": grouped["purchases"].sum(),
        "sales_value": grouped["sales_value"].sum().round(2),
        "survey_answers": grouped["survey_score"].count(),
        "mean_survey_score": grouped["survey_score"].mean().astype(float).round(2),
        "complaints": grouped["complained"].sum(),
        "opt_outs": grouped["opted_out"].sum(),
        "closed": grouped["closed"].sum(),
    })
    out.index.names = ["month", by]
    return out


def _step(world: Any) -> pd.DataFrame:
    """One month from `world.today`: read the month's contacts, draw, record, move the clock."""
    start, end = world.today, add_months(world.today, 1)
    rng = world.streams.generator(f"simulate.month.{start}")
    customers = world.tables["customers"]
    latent = engine_state(world)["latent"]
    n = len(customers)
    ids = customers["customer_id"].to_numpy(object)
    pos = pd.Index(latent["customer_id"].to_numpy(object)).get_indexer(ids)
    lat = latent.iloc[pos].reset_index(drop=True)      # aligned with customers
    # every draw is made for every customer, in a fixed order, whatever happened
    u_noise = rng.standard_normal(n)
    u_buy, u_value = rng.random(n), rng.random(n)
    u_complain, u_opt, u_survey, u_close = (rng.random(n) for _ in range(4))
    u_score = rng.standard_normal(n)

    interactions = world.tables["interactions"]
    seen = _interactions_seen(world)
    contacts, promised, kept = _month_contacts(interactions.iloc[seen:], ids)
    s, p, f = (lat[c].to_numpy(float) for c in ("satisfaction", "perception", "fatigue"))
    active = lat["active"].to_numpy(bool)
    broken = promised > kept
    s = np.clip(s - BROKEN_PROMISE_HIT * broken + KEPT_PROMISE_GAIN * (kept > 0), 0.0, 1.0)
    params = behaviour.DEFAULT_PARAMS
    seg_names = tuple(world.scenario.segments)
    seg = pd.Categorical(customers["segment"].to_numpy(object), categories=seg_names).codes
    econ = draw_economics(seg_names, world.streams)
    s_mean = np.clip(params.satisfaction_mean + econ.satisfaction_shift[seg], 0.0, 1.0)
    s, p, f_after = behaviour.drift(s, p, f, u_noise, params, mean=s_mean)

    propensity = behaviour.propensity_of(s, p, f_after, params)
    hazard = behaviour.hazard_of(s, p, f_after, params)
    buys = active & (u_buy < propensity * OWN_PURCHASE_SHARE)
    value = np.where(buys, _purchase_value(world, seg, econ.spend_factor[seg], u_value), 0.0)
    complain_p = COMPLAINT_BASE * 4 * (1 - s) ** 2 + BROKEN_PROMISE_COMPLAINT * broken
    complained = active & (u_complain < complain_p)
    s = np.where(complained, behaviour.complaint_effect(s, np.zeros(n), params), s)
    consent = customers["dm_consent"].to_numpy(bool)
    # fatigue before recovery: how much this month's contacting wore the customer out
    opted = active & consent & (u_opt < OPT_OUT_BASE + OPT_OUT_FATIGUE * f ** 2)
    answers = active & (u_survey < SURVEY_BASE + SURVEY_CONTACTED * (contacts > 0))
    score = np.clip(np.rint(1 + 4 * s + SURVEY_NOISE * u_score), 1, 5).astype(np.int64)
    closed = active & (u_close < hazard)

    # commit: latent, customers, interactions, month_results, clock
    new_lat = lat.copy()
    new_lat["satisfaction"], new_lat["perception"], new_lat["fatigue"] = s, p, f_after
    new_lat["active"] = active & ~closed
    new_lat = behaviour.refresh(new_lat, params)
    full = latent.copy()
    for col in ("satisfaction", "perception", "propensity", "churn_hazard", "fatigue", "active"):
        values = full[col].to_numpy().copy()
        values[pos] = new_lat[col].to_numpy()
        full[col] = values
    engine_state(world)["latent"] = full.astype(latent.dtypes.to_dict())
    world.tables["customers"] = _update_customers(customers, opted, value, end)
    if complained.any():
        world.append_rows("interactions", _complaints(world, np.flatnonzero(complained), start))
    month = start[:7]
    rows = pd.DataFrame({
        "month": np.full(n, month, dtype=object), "customer_id": ids,
        "segment": customers["segment"].to_numpy(object),
        "contacts": contacts, "follow_ups_promised": promised, "follow_ups_kept": kept,
        "purchases": buys.astype(np.int64), "sales_value": np.round(value, 2),
        "survey_score": pd.array(np.where(answers, score, 0), dtype="Int64"),
        "complained": complained, "opted_out": opted, "closed": closed,
    })
    rows.loc[~answers, "survey_score"] = pd.NA
    if "month_results" in world.tables:
        world.append_rows("month_results", rows)
    else:
        world.register_table("month_results", rows, columns=MONTH_RESULTS_COLUMNS)
    log = pd.DataFrame({"month": [month], "interactions_seen":
                        [len(world.tables["interactions"])]})
    if "month_runs" in engine_state(world):
        world.append_rows("month_runs", log)
    else:
        world.register_table("month_runs", log, hidden=True, columns=MONTH_RUNS_COLUMNS)
    world.advance(1)
    return world.tables["month_results"].iloc[-n:].reset_index(drop=True)


def _interactions_seen(world: Any) -> int:
    """Rows of ``interactions`` already accounted for: up to the last step, or the history.

    Before the first step the history is the leading run of rows timed before the start
    date in time order (the builder writes it sorted; calls are appended after it).
    """
    runs = engine_state(world).get("month_runs")
    if runs is not None and len(runs):
        return int(runs["interactions_seen"].iloc[-1])
    ts = world.tables["interactions"]["timestamp"].astype(str).to_numpy(object)
    ok = (ts < world.scenario.end_date)
    if len(ts) > 1:
        ok[1:] &= ts[1:] >= ts[:-1]
    return int(np.argmin(ok)) if not ok.all() else len(ts)


def _month_contacts(new: pd.DataFrame, ids: np.ndarray):
    """Per customer: outbound contacts since the last step, follow-ups promised and kept.

    A promise is kept when a follow_up call to the same customer comes after it.
    """
    month = new[new["purpose"] != "complaint"]
    at = pd.Index(ids).get_indexer(month["customer_id"].to_numpy(object))
    ok = at >= 0
    month, at = month[ok], at[ok]
    n = len(ids)
    contacts = np.bincount(at, minlength=n).astype(np.int64)
    promise = month["follow_up"].astype(str).str.len().to_numpy() > 0
    promised = np.bincount(at[promise], minlength=n).astype(np.int64)
    stamp = month["timestamp"].astype(str).to_numpy(object)
    follow = month["purpose"].to_numpy(object) == "follow_up"
    # time of each customer's last follow_up call; a promise before it counts as kept
    last = pd.Series(stamp[follow]).groupby(at[follow]).max()
    last_at = np.full(n, "", dtype=object)
    last_at[last.index.to_numpy(int)] = last.to_numpy(object)
    kept_each = promise & (stamp < last_at[at])
    kept = np.bincount(at[kept_each], minlength=n).astype(np.int64)
    return contacts, promised, kept


def _purchase_value(world: Any, seg: np.ndarray, factor: np.ndarray, u: np.ndarray):
    """HKD of one purchase per customer: a product that suits the segment, world's prices."""
    products = world.tables["products"]
    if products.empty:
        return np.zeros(len(seg))
    from crm_sim.calls import _sale_prices

    names = np.asarray(world.scenario.segments, dtype=object)[np.clip(seg, 0, None)]
    return _sale_prices(products, names, u) * factor


def _update_customers(customers: pd.DataFrame, opted: np.ndarray, value: np.ndarray,
                      when: str) -> pd.DataFrame:
    """Consent withdrawn (dated the month's end, by letter/form: "email") and spend added."""
    out = customers.copy()
    rows = np.flatnonzero(opted)
    if rows.size:
        out.iloc[rows, out.columns.get_loc("dm_consent")] = False
        out.iloc[rows, out.columns.get_loc("consent_withdrawn_date")] = when
        out.iloc[rows, out.columns.get_loc("consent_channel")] = "email"
    if value.any():
        out["lifetime_value"] = np.round(out["lifetime_value"].to_numpy(float) + value, 2)
    return out


def _complaints(world: Any, who: np.ndarray, start: str) -> pd.DataFrame:
    """Inbound complaint calls, one per complaining customer, mid-month, to a service desk."""
    from crm_sim.calls import _next_interaction_number

    interactions = world.tables["interactions"]
    first = _next_interaction_number(interactions)
    width = len(str(interactions["interaction_id"].iloc[0])) - 1 if len(interactions) else 7
    staff = world.tables["staff"]
    from crm_sim.catalogue import ROLES

    service = {r[0] for r in ROLES.get(world.scenario.industry, ()) if r[4]}
    desk = staff[staff["role"].astype(str).isin(service)]
    agents = (desk if len(desk) else staff)["staff_id"].astype(str).to_numpy(object)
    customers = world.tables["customers"]["customer_id"].to_numpy(object)
    day = (dt.date.fromisoformat(start) + dt.timedelta(days=14)).isoformat() + "T11:00"
    k = len(who)
    return pd.DataFrame({
        "interaction_id": [f"I{first + i:0{width}d}" for i in range(k)],
        "customer_id": customers[who],
        "agent_id": agents[np.arange(k) % len(agents)] if len(agents) else np.full(k, ""),
        "channel": np.full(k, "phone", dtype=object),
        "timestamp": np.full(k, day, dtype=object),
        "purpose": np.full(k, "complaint", dtype=object),
        "outcome": np.full(k, "complaint", dtype=object),
        "duration_min": np.full(k, 8.0),
        "info_captured": np.full(k, "{}", dtype=object),
        "follow_up": np.full(k, "resolve complaint within 2 working days", dtype=object),
    })


__all__ = ["advance", "month_results", "month_summary", "MONTH_RESULTS_COLUMNS"]
