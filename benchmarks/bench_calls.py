"""Benchmarks of the contact engine: run_plan and CallMechanism.check on 10,000 calls.

Each row compares the vectorised engine with a per-call baseline measured in the same
run on a sample and scaled up (a Python loop of `calls.call`; one-row mechanism checks),
so the ratio (baseline / engine) means the same on any machine. Times are CPU seconds,
as the machine is shared.
Target: run_plan of 10,000 calls in under 0.5 s; check of 10,000 calls under 1 s.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from crm_sim.calls import call, profile_truth, run_plan
from crm_sim.mechanism import RULES, mechanism_for
from crm_sim.plans import CallPlan
from crm_sim.scenario import Scenario
from crm_sim.world import World

N_CALLS = 10_000
SAMPLE = 30
SCRIPT = "greeting;identify_self;state_purpose;closing;opt_out_notice;needs;budget;satisfaction"


def _plan(world: World, n: int, seed: int = 0) -> pd.DataFrame:
    """A month of mostly compliant calls: weekdays 10:00-17:30, phone/email, able staff."""
    rng = np.random.default_rng(seed)          # benchmark input only, not simulation
    c = world.customers
    ids = c["customer_id"].to_numpy(object)
    days = pd.bdate_range("2026-01-05", "2026-01-30").strftime("%Y-%m-%d").to_numpy(object)
    hours = np.array([f"T{h:02d}:{m:02d}" for h in range(10, 18) for m in (0, 30)], object)
    s = world.staff
    able = s.loc[(s["skill"] >= 0.6) & (s["product_knowledge"] >= 0.6), "staff_id"]
    who = rng.choice(ids, n)
    consent = pd.Series(c["dm_consent"].to_numpy(bool), index=ids)[who].to_numpy()
    return pd.DataFrame({
        "customer_id": who,
        "slot": rng.choice(days, n) + rng.choice(hours, n),
        "channel": rng.choice(["phone", "email"], n),
        "assignee": rng.choice(able.to_numpy(object), n),
        "purpose": np.where(consent, rng.choice(["routine", "promotion"], n), "routine"),
        "script": SCRIPT,
    })


def _best(fn, repeat: int) -> float:
    """Least CPU seconds of `repeat` runs (CPU time: the machine is shared, wall time lies)."""
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def run() -> list[dict]:
    """Rows: name, seconds, baseline_seconds, ratio (baseline / seconds), target, ok."""
    world = World.build(Scenario(seed=7, n_customers=3000))
    profile_truth(world)                        # generated once per world, not per run
    plan_df = _plan(world, N_CALLS)
    plan = CallPlan.build(plan_df, world)
    copies = [world.copy() for _ in range(3)]
    fast = min(_best(lambda w=w: run_plan(w, plan_df), repeat=1) for w in copies)

    sample = plan_df.head(SAMPLE).to_dict("records")
    w = world.copy()

    def loop():
        for r in sample:
            call(w, r["customer_id"], r["assignee"], r["channel"], r["script"], r["slot"],
                 purpose=r["purpose"])
    per_call = _best(loop, repeat=1) * N_CALLS / SAMPLE

    mech = mechanism_for(world)
    check_fast = _best(lambda: mech.check(plan, world), repeat=3)
    one_row_rules = [r for r in RULES if r != "under_contact"]
    head = plan_df.head(SAMPLE)
    check_loop = _best(lambda: [mech.check(head.iloc[[i]], world, rules=one_row_rules)
                                for i in range(SAMPLE)], repeat=1) * N_CALLS / SAMPLE
    return [
        {"name": "calls.run_plan 10k calls", "seconds": round(fast, 4),
         "baseline_seconds": round(per_call, 4), "ratio": round(per_call / fast, 1),
         "target": "seconds < 0.5", "ok": bool(fast < 0.5),
         "note": f"baseline: {SAMPLE} call() in a loop ×{N_CALLS // SAMPLE}; CPU s"},
        {"name": "mechanism.check 10k calls", "seconds": round(check_fast, 4),
         "baseline_seconds": round(check_loop, 4), "ratio": round(check_loop / check_fast, 1),
         "target": "seconds < 1.0", "ok": bool(check_fast < 1.0),
         "note": f"baseline: {SAMPLE} one-row checks ×{N_CALLS // SAMPLE}; CPU s"},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
