"""Outcome analysis from call records: what a trainee can infer, and how wrong it is.

ITCSCR304A P7 asks trainees to "analyse findings for satisfaction level and propensity
to consume"; P8 to "evaluate the correlation between routine calls and relationship
improvement". The estimators here use only what a company could observe (the
``interactions`` table: outcomes and the answers captured); the truth stays in
``world.hidden["latent"]`` and is touched only by the grader-side helpers
(`estimate_error`, ``measure="true"``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_sim.errors import FieldError

# Where each captured satisfaction band sits on the 0..1 scale (band midpoints,
# cuts at 0.4 and 0.7 as in the history generator and crm_sim.calls).
BAND_VALUE = {"low": 0.25, "medium": 0.55, "high": 0.85}
PRIOR_SATISFACTION = 0.6
COMPLAINT_WEIGHT = 0.15            # satisfaction taken off per unit share of complaints
TIMELINE_SHIFT = {"this_month": 0.10, "this_quarter": 0.05, "this_year": 0.0,
                  "no_plan": -0.05}
PRIOR_CALLS = 6.0                  # shrink the observed sale rate towards the book's rate


def _interactions(world: Any, records: pd.DataFrame | None) -> pd.DataFrame:
    frame = world.tables["interactions"] if records is None else records
    need = {"customer_id", "outcome", "info_captured", "timestamp", "purpose"}
    if not isinstance(frame, pd.DataFrame) or need - set(frame.columns):
        raise FieldError("records", type(frame).__name__,
                         f"a DataFrame with columns {', '.join(sorted(need))}",
                         "pass world.tables['interactions'] or PlanSummary.records")
    return frame


def estimate_customer_state(world: Any, records: pd.DataFrame | None = None,
                            since: str | None = None) -> pd.DataFrame:
    """Per customer, satisfaction and propensity to buy estimated from observed calls only.

    Satisfaction: mean of the satisfaction bands captured (low/medium/high →
    0.25/0.55/0.85), else the book's mean, less 0.15 × the share of contacts that were
    complaints. Propensity: the sale rate of answered calls shrunk towards the book's rate
    (6 pseudo-calls), shifted by the purchase timeline the customer stated.

    Args:
        world: the world (its interactions table is used when `records` is None).
        records: interactions rows to use instead.
        since: only records at or after this date/time ("YYYY-MM-DD...").

    Returns:
        customer_id, contacts, answered, sales, complaints, satisfaction_obs (bands seen),
        satisfaction_est, propensity_est; one row per customer in the customers table.
    """
    frame = _interactions(world, records)
    if since is not None:
        frame = frame[frame["timestamp"] >= str(since)]
    ids = world.tables["customers"]["customer_id"].astype(str)
    cid = frame["customer_id"].astype(str)
    outcome = frame["outcome"].astype(str)
    answered = outcome.ne("no_answer")
    g = pd.DataFrame({"customer_id": cid.to_numpy(), "answered": answered.to_numpy(),
                      "sale": outcome.eq("sale").to_numpy(),
                      "complaint": outcome.eq("complaint").to_numpy()})
    agg = g.groupby("customer_id").agg(contacts=("answered", "size"),
                                       answered=("answered", "sum"), sales=("sale", "sum"),
                                       complaints=("complaint", "sum"))
    info = frame["info_captured"].astype(str)
    band = info.str.extract(r'"satisfaction": "(low|medium|high)"', expand=False)
    sat = pd.DataFrame({"customer_id": cid.to_numpy(),
                        "v": band.map(BAND_VALUE).to_numpy(float)}).dropna()
    sat_mean = sat.groupby("customer_id")["v"].agg(["mean", "size"])
    timeline = info.str.extract(r'"timeline": "([a-z_]+)"', expand=False)
    tl = pd.DataFrame({"customer_id": cid.to_numpy(),
                       "shift": timeline.map(TIMELINE_SHIFT).to_numpy(float)}).dropna()
    tl_last = tl.groupby("customer_id")["shift"].last()

    out = agg.reindex(ids, fill_value=0)
    out.index.name = "customer_id"
    book_sat = float(sat["v"].mean()) if len(sat) else PRIOR_SATISFACTION
    out["satisfaction_obs"] = sat_mean["size"].reindex(ids).fillna(0).astype(np.int64).to_numpy()
    base = sat_mean["mean"].reindex(ids).fillna(book_sat).to_numpy(float)
    share = out["complaints"].to_numpy(float) / np.maximum(out["contacts"].to_numpy(float), 1)
    out["satisfaction_est"] = np.clip(base - COMPLAINT_WEIGHT * share, 0, 1)
    total_ans = float(out["answered"].sum())
    book_rate = float(out["sales"].sum()) / total_ans if total_ans else 0.15
    rate = (out["sales"].to_numpy(float) + PRIOR_CALLS * book_rate) / (
        out["answered"].to_numpy(float) + PRIOR_CALLS)
    out["propensity_est"] = np.clip(rate + tl_last.reindex(ids).fillna(0).to_numpy(float), 0, 1)
    return out.reset_index().astype({"customer_id": "string"})


def estimate_error(estimates: pd.DataFrame, world: Any) -> dict[str, float]:
    """Grader helper: mean absolute error of estimates against the hidden truth.

    Args:
        estimates: customer_id plus satisfaction_est and/or propensity_est (0..1).
        world: the world whose hidden latent state is the truth.

    Returns:
        {"n": customers compared, "satisfaction_mae": ..., "propensity_mae": ...}
        (a key only for each estimate column given).
    """
    cols = [c for c in ("satisfaction_est", "propensity_est")
            if isinstance(estimates, pd.DataFrame) and c in estimates.columns]
    if not isinstance(estimates, pd.DataFrame) or "customer_id" not in estimates.columns \
            or not cols:
        got = sorted(map(str, estimates.columns)) if isinstance(estimates, pd.DataFrame) \
            else type(estimates).__name__
        raise FieldError("estimates", got,
                         "a DataFrame with customer_id and satisfaction_est/propensity_est",
                         "pass estimate_customer_state(world) or the same columns")
    truth = world.latent.set_index("customer_id")  # FieldError in a sealed world
    est = estimates.drop_duplicates("customer_id", keep="last").set_index("customer_id")
    est = est[est.index.isin(truth.index)]
    out: dict[str, float] = {"n": int(len(est))}
    for col, true_col in (("satisfaction_est", "satisfaction"), ("propensity_est", "propensity")):
        if col in cols:
            values = pd.to_numeric(est[col], errors="coerce").to_numpy(float)
            if np.isnan(values).any():
                raise FieldError(col, "non-numeric or missing values", "numbers from 0 to 1",
                                 f"fill every {col}")
            diff = np.abs(values - truth[true_col].reindex(est.index).to_numpy(float))
            out[f"{true_col}_mae"] = float(diff.mean()) if len(diff) else float("nan")
    return out


def contact_relationship_correlation(world: Any, since: str, until: str | None = None, *,
                                     before: pd.DataFrame | None = None,
                                     measure: str = "observed",
                                     purpose: str = "routine") -> dict[str, float]:
    """Correlation between routine calls and relationship change (ITCSCR304A P8).

    Calls: contacts of `purpose` per customer in [since, until). Relationship change per
    customer:

    - ``measure="observed"`` (trainee): with `before` (an earlier
      `estimate_customer_state` frame), satisfaction_est now − then; without it, the last
      minus the first satisfaction band captured in the window (customers with two).
    - ``measure="true"`` (grader): hidden satisfaction now − `before["satisfaction"]`
      (a copy of ``world.hidden["latent"]`` taken at `since`); `before` is required.

    Returns:
        {"r": Pearson correlation (nan if fewer than 3 customers or no spread),
         "slope": change per extra call, "n": customers, "mean_calls": mean calls}.
    """
    if measure not in ("observed", "true"):
        raise FieldError("measure", measure, "'observed' or 'true'",
                         "use measure='observed' in trainee notebooks")
    frame = _interactions(world, None)
    ts = frame["timestamp"].astype(str)
    window = (ts >= str(since)) & ((ts < str(until)) if until is not None else True)
    w = frame[window]
    calls = w[w["purpose"].astype(str) == purpose].groupby("customer_id").size()
    if measure == "true" or before is not None:
        if before is None or "customer_id" not in getattr(before, "columns", []):
            raise FieldError("before", type(before).__name__,
                             "a DataFrame with customer_id and satisfaction columns",
                             "take latent.copy() (true) or estimate_customer_state() "
                             "(observed) at `since`")
        col = "satisfaction" if measure == "true" else "satisfaction_est"
        if col not in before.columns:
            raise FieldError("before columns", sorted(map(str, before.columns)),
                             f"must include {col}", f"pass a frame with {col}")
        then = before.set_index("customer_id")[col]
        now = (world.latent.set_index("customer_id")["satisfaction"]
               if measure == "true"
               else estimate_customer_state(world).set_index("customer_id")["satisfaction_est"])
        change = (now.reindex(then.index) - then).dropna()
    else:
        band = w["info_captured"].astype(str).str.extract(
            r'"satisfaction": "(low|medium|high)"', expand=False).map(BAND_VALUE)
        obs = pd.DataFrame({"customer_id": w["customer_id"].to_numpy(),
                            "ts": ts[window].to_numpy(), "v": band.to_numpy(float)}).dropna()
        obs = obs.sort_values(["customer_id", "ts"], kind="stable")
        g = obs.groupby("customer_id")["v"]
        counts = g.size()
        change = (g.last() - g.first())[counts >= 2]
    x = calls.reindex(change.index).fillna(0).to_numpy(float)
    y = change.to_numpy(float)
    n = len(x)
    if n < 3 or np.std(x) == 0 or np.std(y) == 0:
        return {"r": float("nan"), "slope": float("nan"), "n": n,
                "mean_calls": float(x.mean()) if n else 0.0}
    r = float(np.corrcoef(x, y)[0, 1])
    slope = float(np.polyfit(x, y, 1)[0])
    return {"r": r, "slope": slope, "n": n, "mean_calls": float(x.mean())}
