"""Benchmark of the monthly programme simulation: 12 months for 10,000 and 100,000 customers.

The engine (`crm_sim.programme_sim.simulate`, a what-if run: the dashboard's slider) is
compared with a per-customer baseline measured in the same run: the same month's core
(drift, contact effect, purchase, complaint and churn draws) written as a Python loop over
a sample of customers and scaled up, so the ratio means the same on any machine. Times
are CPU seconds, as the machine is shared.
Targets: 12 months × 100,000 customers under 1 s; 12 months × 10,000 under 0.1 s.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd

from crm_sim.programme_sim import simulate
from crm_sim.programmes import KINDS, Programme
from crm_sim.scenario import Scenario
from crm_sim.world import World

MONTHS = 12
SAMPLE = 2000


class _Policy:
    """A small retention plan (one channel per segment) through the policy protocol."""

    respects_consent = True

    def contact_plan(self) -> pd.DataFrame:
        """Half a contact a month per customer, on each segment's usual channel."""
        return pd.DataFrame({"segment": ["corporate", "sme", "individual"],
                             "channel": ["visit", "phone", "message"],
                             "per_month": [0.5, 0.3, 0.2], "purpose": ["retention"] * 3})

    def targets(self) -> pd.DataFrame:
        """No targets: the benchmark reads no KPI against them."""
        return pd.DataFrame()


def _best(fn, repeat: int) -> float:
    """Least CPU seconds of `repeat` runs (CPU time: the machine is shared, wall time lies)."""
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def _loop_month(s, p, f, rng) -> None:
    """The month's core for one customer at a time: the per-customer way (baseline)."""
    bought, complained, left = (np.zeros(len(s), bool) for _ in range(3))
    for i in range(len(s)):
        e = (0.62 - 0.45) * (1 - f[i])
        s[i] = min(1.0, max(0.0, s[i] + 0.25 * e + 0.08 * (0.62 - s[i])
                            + 0.02 * rng.standard_normal()))
        p[i] = min(1.0, max(0.0, p[i] + 0.15 * (s[i] - p[i])))
        f[i] *= 0.5
        b = 1 / (1 + math.exp(-(-2.2 + 2 * (s[i] - 0.5) + 1.5 * (p[i] - 0.5) - 1.5 * f[i])))
        h = min(0.25, 0.012 * math.exp(-3 * (s[i] - 0.5) - (p[i] - 0.5) + 1.2 * f[i]))
        bought[i] = rng.random() < b * 0.35
        complained[i] = rng.random() < 0.24 * (1 - s[i]) ** 2
        left[i] = rng.random() < h


def run() -> list[dict]:
    """Rows: name, seconds, baseline_seconds, ratio (baseline / seconds), target, ok."""
    policy = _Policy()
    portfolio = [Programme(kind) for kind in KINDS]
    rows = []
    rng = np.random.default_rng(0)          # benchmark input only, not simulation
    s, p, f = rng.random(SAMPLE), rng.random(SAMPLE), np.zeros(SAMPLE)
    per_sample = _best(lambda: [_loop_month(s, p, f, rng) for _ in range(MONTHS)], repeat=1)
    for n, target in ((10_000, 0.1), (100_000, 1.0)):
        world = World.build(Scenario(seed=7, n_customers=n))
        simulate(world, policy, portfolio, MONTHS, commit=False)      # warm caches
        fast = _best(lambda w=world: simulate(w, policy, portfolio, MONTHS, commit=False),
                     repeat=3)
        baseline = per_sample * n / SAMPLE
        rows.append({
            "name": f"programme_sim.simulate {MONTHS} months × {n:,} customers",
            "seconds": round(fast, 4), "baseline_seconds": round(baseline, 4),
            "ratio": round(baseline / fast, 1), "target": f"seconds < {target}",
            "ok": bool(fast < target),
            "note": f"baseline: the month's core as a Python loop over {SAMPLE} customers "
                    f"×{n // SAMPLE}; all 8 programme kinds on; CPU s"})
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
