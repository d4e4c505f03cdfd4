"""The behaviour model: each customer's hidden state and the rules that move it.

Every function here is vectorised over customers (numpy arrays, no per-customer loop)
and pure: it takes the `latent` table and returns a new one, leaving its input alone,
so later subsystems (calls, policies, programmes) can compose them in a monthly step.
The equations and the calibration are documented in ``docs/behaviour-model.md``; keep
the two in step when a parameter changes.

State per customer (columns of the hidden ``latent`` table):
    satisfaction s, perception p, fatigue f (state, all in [0, 1]);
    propensity b and churn_hazard h (derived from s, p, f by `refresh`);
    channel_affinity (the channel that truly works best); active (not churned).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_sim.errors import FieldError
from crm_sim.schema import CHANNELS, HIDDEN_TABLES


@dataclass(frozen=True)
class BehaviourParams:
    """Parameters of the behaviour model (symbols as in docs/behaviour-model.md)."""

    quality_neutral: float = 0.45  # q0: contact quality that changes nothing
    alpha_satisfaction: float = 0.25  # α_s: satisfaction gain per unit of (q − q0)
    alpha_perception: float = 0.12  # α_p: perception gain per unit of (q − q0)
    match_bonus: float = 0.02  # μ: extra satisfaction when the channel suits
    consent_penalty: float = 0.08  # π: satisfaction lost by unconsented marketing
    fatigue_per_contact: float = 0.18  # φ: share of remaining headroom one contact fills
    fatigue_recovery: float = 0.5  # ρ: share of fatigue gone after a quiet month
    satisfaction_mean: float = 0.62  # s̄: where satisfaction drifts back to
    satisfaction_reversion: float = 0.08  # κ_s: monthly pull towards s̄
    perception_follow: float = 0.15  # κ_p: monthly pull of perception towards s
    drift_noise: float = 0.02  # σ: monthly random shock to satisfaction
    propensity_base: float = -2.2  # β0: logit of propensity at s = p = ½, f = 0
    propensity_satisfaction: float = 2.0  # β_s
    propensity_perception: float = 1.5  # β_p
    propensity_fatigue: float = 1.5  # β_f
    hazard_base: float = 0.012  # h0: monthly churn hazard at s = p = ½, f = 0
    hazard_satisfaction: float = 3.0  # γ_s
    hazard_perception: float = 1.0  # γ_p
    hazard_fatigue: float = 1.2  # γ_f
    hazard_max: float = 0.25  # cap on the monthly hazard
    complaint_hit: float = 0.20  # satisfaction lost by a complaint event
    recovery_gain: float = 0.25  # satisfaction won back by a well-handled complaint


DEFAULT_PARAMS = BehaviourParams()
# Derived columns go through np.exp, whose SIMD kernels may differ in the last bit between
# CPUs; storing them rounded keeps the latent table byte-identical across machines.
STORED_DECIMALS = 9
LATENT_COLUMNS = HIDDEN_TABLES["latent"]


def _clip(values: np.ndarray) -> np.ndarray:
    """Keep a state variable in [0, 1]."""
    return np.clip(values, 0.0, 1.0)


def _mask(name: str, values, n: int, dtype=bool) -> np.ndarray:
    """A per-customer array of length n, or FieldError naming the argument."""
    array = np.asarray(values, dtype=dtype)
    if array.ndim == 0:
        array = np.full(n, array, dtype=dtype)
    if array.shape != (n,):
        raise FieldError(
            name,
            f"array of shape {array.shape}",
            f"one value per customer ({n})",
            "pass an array aligned with the latent table's rows",
        )
    return array


def propensity_of(
    s: np.ndarray, p: np.ndarray, f: np.ndarray, params: BehaviourParams = DEFAULT_PARAMS
) -> np.ndarray:
    """B = σ(β0 + β_s(s − ½) + β_p(p − ½) − β_f f): chance to buy in a month."""
    logit = (
        params.propensity_base
        + params.propensity_satisfaction * (s - 0.5)
        + params.propensity_perception * (p - 0.5)
        - params.propensity_fatigue * f
    )
    return 1.0 / (1.0 + np.exp(-logit))


def hazard_of(
    s: np.ndarray, p: np.ndarray, f: np.ndarray, params: BehaviourParams = DEFAULT_PARAMS
) -> np.ndarray:
    """H = min(h_max, h0·exp(−γ_s(s − ½) − γ_p(p − ½) + γ_f f)): monthly churn chance."""
    exponent = (
        -params.hazard_satisfaction * (s - 0.5)
        - params.hazard_perception * (p - 0.5)
        + params.hazard_fatigue * f
    )
    return np.minimum(params.hazard_max, params.hazard_base * np.exp(exponent))


def contact_effect(
    s: np.ndarray,
    p: np.ndarray,
    f: np.ndarray,
    quality: np.ndarray,
    match: np.ndarray,
    ignored: np.ndarray,
    count: np.ndarray,
    params: BehaviourParams = DEFAULT_PARAMS,
) -> tuple[np.ndarray, ...]:
    """Array core of `apply_contacts` for customers who were contacted: new (s, p, f).

    e = (q − q0)(1 − f);  s += α_s e + μ m − π (1 − c);  p += α_p e − ½π (1 − c);
    f += (1 − (1 − φ)^n)(1 − f).
    """
    effect = (quality - params.quality_neutral) * (1.0 - f)
    s_new = _clip(
        s
        + params.alpha_satisfaction * effect
        + params.match_bonus * match
        - params.consent_penalty * ignored
    )
    p_new = _clip(p + params.alpha_perception * effect - 0.5 * params.consent_penalty * ignored)
    f_new = f + (1.0 - (1.0 - params.fatigue_per_contact) ** np.maximum(count, 1)) * (1.0 - f)
    return s_new, p_new, f_new


def complaint_effect(
    s: np.ndarray, handled_well: np.ndarray, params: BehaviourParams = DEFAULT_PARAMS
) -> np.ndarray:
    """Array core of `apply_complaints`: s − hit (+ recovery gain when handled well)."""
    return _clip(s - params.complaint_hit + params.recovery_gain * handled_well)


def drift(
    s: np.ndarray,
    p: np.ndarray,
    f: np.ndarray,
    noise: np.ndarray,
    params: BehaviourParams = DEFAULT_PARAMS,
    mean: np.ndarray | float | None = None,
) -> tuple[np.ndarray, ...]:
    """Array core of `monthly_drift`: new (s, p, f) after one month; `noise` ~ N(0, 1).

    s += κ_s (s̄ − s) + σ ε;  p += κ_p (s − p);  f *= (1 − ρ). `mean` overrides s̄ (per
    customer: a world's segments differ in satisfaction level, see `crm_sim.economics`).
    """
    target = params.satisfaction_mean if mean is None else mean
    s_new = _clip(
        s
        + params.satisfaction_reversion * (target - s)
        + params.drift_noise * noise
    )
    p_new = _clip(p + params.perception_follow * (s_new - p))
    return s_new, p_new, f * (1.0 - params.fatigue_recovery)


def refresh(latent: pd.DataFrame, params: BehaviourParams = DEFAULT_PARAMS) -> pd.DataFrame:
    """Recompute the derived columns (propensity, churn_hazard) from s, p, f."""
    s, p, f = (latent[c].to_numpy(float) for c in ("satisfaction", "perception", "fatigue"))
    out = latent.copy()
    out["propensity"] = np.round(propensity_of(s, p, f, params), STORED_DECIMALS)
    out["churn_hazard"] = np.round(hazard_of(s, p, f, params), STORED_DECIMALS)
    return out


def initial_latent(
    customer_ids,
    segment_codes: np.ndarray,
    affinity_weights: np.ndarray,
    rng: np.random.Generator,
    params: BehaviourParams = DEFAULT_PARAMS,
    satisfaction_shift: np.ndarray | None = None,
) -> pd.DataFrame:
    """Draw the starting hidden state of every customer.

    Args:
        customer_ids: Customer ids, one per row.
        segment_codes: Integer segment index per customer.
        affinity_weights: (n_segments, len(CHANNELS)) probabilities of the true best channel.
        rng: The "behaviour.initial" stream.
        params: Model parameters.
        satisfaction_shift: Optional per-segment shift of starting satisfaction.
    """
    n = len(segment_codes)
    s = rng.beta(6.0, 4.0, n)  # mean 0.6: most customers content
    if satisfaction_shift is not None:
        s = _clip(s + np.asarray(satisfaction_shift, dtype=float)[segment_codes])
    p = _clip(0.5 * s + 0.5 * rng.beta(5.0, 5.0, n))  # perception leans on satisfaction
    f = np.zeros(n)
    cum = np.cumsum(affinity_weights, axis=1)
    u = rng.random(n)
    affinity = (u[:, None] > cum[segment_codes]).sum(axis=1)
    affinity = np.minimum(affinity, len(CHANNELS) - 1)
    latent = pd.DataFrame(
        {
            "customer_id": pd.array(customer_ids, dtype="string"),
            "satisfaction": s,
            "perception": p,
            "propensity": np.round(propensity_of(s, p, f, params), STORED_DECIMALS),
            "churn_hazard": np.round(hazard_of(s, p, f, params), STORED_DECIMALS),
            "fatigue": f,
            "channel_affinity": pd.array(
                np.asarray(CHANNELS, dtype=object)[affinity], dtype="string"
            ),
            "active": np.ones(n, dtype=bool),
        }
    )
    return latent


def apply_contacts(
    latent: pd.DataFrame,
    contacted,
    quality,
    channel=None,
    consented=None,
    n_contacts=None,
    params: BehaviourParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """Move the state of contacted customers by how good the contact was.

    For each contacted customer with contact quality q, fatigue f, channel match m and
    consent flag c:  e = (q − q0)(1 − f);  s += α_s e + μ m − π (1 − c);
    p += α_p e − ½π (1 − c);  f += (1 − (1 − φ)^n)(1 − f).

    Args:
        latent: The hidden latent table.
        contacted: Bool per customer: contacted this period.
        quality: Contact quality per customer in [0, 1] (mean if several contacts).
        channel: Channel used per customer (str); compared with channel_affinity.
        consented: Bool per customer: False when a marketing contact ignored consent.
        n_contacts: Number of contacts per customer (default 1 where contacted).
        params: Model parameters.

    Returns:
        A new latent table; customers not contacted are unchanged.
    """
    n = len(latent)
    hit = _mask("contacted", contacted, n)
    q = _clip(_mask("quality", quality, n, float))
    count = _mask("n_contacts", 1 if n_contacts is None else n_contacts, n, float)
    match = (
        np.zeros(n)
        if channel is None
        else (
            np.asarray(channel, dtype=object) == latent["channel_affinity"].to_numpy(object)
        ).astype(float)
    )
    ignored = np.zeros(n) if consented is None else 1.0 - _mask("consented", consented, n, float)
    s, p, f = (latent[c].to_numpy(float) for c in ("satisfaction", "perception", "fatigue"))
    s_new, p_new, f_new = contact_effect(s, p, f, q, match, ignored, count, params)
    out = latent.copy()
    out["satisfaction"] = np.where(hit, s_new, s)
    out["perception"] = np.where(hit, p_new, p)
    out["fatigue"] = np.where(hit, f_new, f)
    return refresh(out, params)


def apply_complaints(
    latent: pd.DataFrame, complained, handled_well=None, params: BehaviourParams = DEFAULT_PARAMS
) -> pd.DataFrame:
    """A complaint costs satisfaction; a well-handled one wins more back (service recovery)."""
    n = len(latent)
    hit = _mask("complained", complained, n)
    good = np.zeros(n, bool) if handled_well is None else _mask("handled_well", handled_well, n)
    s = latent["satisfaction"].to_numpy(float)
    out = latent.copy()
    out["satisfaction"] = np.where(hit, complaint_effect(s, good, params), s)
    return refresh(out, params)


def monthly_drift(
    latent: pd.DataFrame, rng: np.random.Generator, params: BehaviourParams = DEFAULT_PARAMS
) -> pd.DataFrame:
    """One month passing: s reverts to s̄ with noise, p follows s, fatigue recovers.

    s += κ_s (s̄ − s) + σ ε;  p += κ_p (s − p);  f *= (1 − ρ).
    """
    s, p, f = (latent[c].to_numpy(float) for c in ("satisfaction", "perception", "fatigue"))
    s_new, p_new, f_new = drift(s, p, f, rng.standard_normal(len(s)), params)
    out = latent.copy()
    out["satisfaction"], out["perception"], out["fatigue"] = s_new, p_new, f_new
    return refresh(out, params)


def churn_draw(
    latent: pd.DataFrame, rng: np.random.Generator, eligible=None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Draw which active customers leave this month (probability churn_hazard).

    Returns:
        (new latent with those customers inactive, bool mask of who churned now).
    """
    n = len(latent)
    active = latent["active"].to_numpy(bool)
    if eligible is not None:
        active = active & _mask("eligible", eligible, n)
    churned = active & (rng.random(n) < latent["churn_hazard"].to_numpy(float))
    out = latent.copy()
    out["active"] = latent["active"].to_numpy(bool) & ~churned
    return out, churned


def purchase_draw(latent: pd.DataFrame, rng: np.random.Generator, boost=1.0) -> np.ndarray:
    """Bool mask of active customers who buy this period: P = min(1, b · boost)."""
    b = latent["propensity"].to_numpy(float) * _mask("boost", boost, len(latent), float)
    return latent["active"].to_numpy(bool) & (rng.random(len(latent)) < np.minimum(b, 1.0))
