"""Conducting calls: one call (`call`) or a whole plan (`run_plan`), vectorised over calls.

What happens in a call (equations and figures in ``docs/call-mechanism.md``):

1. **Does the customer answer?** A logistic model of the channel's base reach, whether
   it is the customer's true best channel (hidden `channel_affinity`) or stated
   preference, the time of day for the segment (business vs. personal), contact
   fatigue, and the caller's soft skill.
2. **What do they reveal?** Each question of the script (`plans.QUESTIONS`) is answered
   with a probability set by the channel's richness, soft skill and fatigue; an answer is
   true with a probability set by soft skill and satisfaction (trust), otherwise a
   random value. Truth lives in the hidden ``profile_truth`` table, drawn lazily from its
   own stream, so graders can measure how much TRUE information was solicited
   (`information_score`, ITCSCR304A AC-ii).
3. **What comes of it?** Complaint, sale, declined or plain answered, driven by the
   hidden propensity, the purpose, the caller's skill and product knowledge, the channel
   and competitor activity (`crm_sim.market`, K7). A promotion to someone without
   consent risks a complaint; an annoyed customer may opt out, which is honoured at once
   (their later promotion calls in the same plan are not made).
4. **How does the customer change?** The behaviour model's own rules
   (`behaviour.apply_contacts`, `behaviour.apply_complaints`) move satisfaction,
   perception, fatigue and so propensity. Longer scripts add fatigue.

Outsourcers work from lower raw skill; an `OutsourcerChecklist` (ITCSCR304A P9) closes
the gap: with every essential item in place they perform like the average own staff.

Every run draws from its own named stream ``calls.run.<n>``, where n counts the runs
recorded in the world's hidden ``call_runs`` table: repeated runs differ, the same world
and plan give the same result, and a saved world continues identically after loading.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from crm_sim import behaviour
from crm_sim.errors import PlanError, PolicyError
from crm_sim.market import Market, market_for
from crm_sim.mechanism import (
    TIMED_CHANNELS,
    CallMechanism,
    mechanism_for,
    offers_goods_or_services,
)
from crm_sim.plans import QUESTIONS, SCRIPT_BIT, CallPlan
from crm_sim.population import ids as make_ids
from crm_sim.schema import CHANNELS, TABLES
from crm_sim.world import autosave, engine_state

# ---------------------------------------------------------------- model figures
BUSINESS_SEGMENTS = ("corporate", "sme", "corporate_gifting")
# Logit of reaching the customer by channel (visit = an appointment; letter rarely read).
CHANNEL_REACH = {"visit": 1.6, "phone": 0.3, "email": -0.3, "message": 0.4, "letter": -1.0}
AFFINITY_BONUS = 0.9          # the channel that truly works best
PREFERENCE_BONUS = 0.4        # the channel the customer says they prefer
FATIGUE_REACH = 2.5           # logit lost at fatigue 1
INACTIVE_REACH = 1.5          # logit lost for a customer who has left
SOFT_REACH = 0.6              # logit per unit of soft skill above ½ (gets past gatekeepers)
# How much of a script a channel carries (a visit allows a full conversation).
CHANNEL_RICHNESS = {"visit": 1.0, "phone": 0.9, "message": 0.7, "email": 0.65, "letter": 0.4}
# Sale chance multipliers by purpose and channel.
PURPOSE_SALE = {"routine": 0.6, "promotion": 2.0, "follow_up": 1.5, "service": 0.2}
CHANNEL_SALE = {"visit": 1.4, "phone": 1.0, "message": 0.8, "email": 0.6, "letter": 0.5}
QUESTION_FATIGUE = 0.12       # extra "contacts" of fatigue per question asked
PATIENCE = 5                  # questions a customer takes before each one irritates
STAFF_HOURLY_COST = 250.0     # HKD per staff hour, on-cost included
CHANNEL_COST = {"visit": 80.0, "phone": 0.0, "email": 0.0, "message": 0.0, "letter": 6.0}
NO_ANSWER_MINUTES = {"visit": 40.0, "phone": 1.5}   # wasted trip / ring-out; others: full
OUTSOURCER_RAW = 0.7          # an outsourcer's raw skills are quality × this

# ----------------------------------------------------------- truth vocabularies
SATISFACTION_BANDS = ("low", "medium", "high")   # as in history: < 0.4, < 0.7, ≥ 0.7
SATISFACTION_CUTS = (0.4, 0.7)
VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "ict": {
        "needs": ("connectivity", "cloud", "security", "devices", "support", "none"),
        "pain_points": ("price", "coverage", "support_speed", "billing", "none"),
    },
    "timepiece": {
        "needs": ("new_watch", "servicing", "gift", "collection_piece", "strap_accessory",
                  "none"),
        "pain_points": ("price", "servicing_time", "availability", "authenticity", "none"),
    },
}
COMMON_VALUES: dict[str, tuple[str, ...]] = {
    "budget": ("under_5k", "5k_20k", "20k_100k", "over_100k"),
    "decision_maker": ("yes", "no"),
    "timeline": ("this_month", "this_quarter", "this_year", "no_plan"),
    "satisfaction": SATISFACTION_BANDS,
    "competitor_use": ("none", "rival_a", "rival_b"),
    "referral_willingness": ("low", "medium", "high"),
    "preferred_channel": CHANNELS,
}
STATIC_QUESTIONS = tuple(q for q in QUESTIONS if q != "satisfaction")

PROFILE_TRUTH_COLUMNS = {"customer_id": "string", **{q: "string" for q in STATIC_QUESTIONS}}
CALL_RUNS_COLUMNS = {"run": "int64", "kind": "string", "stream": "string", "today": "string",
                     "n_calls": "int64"}


def question_values(industry: str, question: str) -> tuple[str, ...]:
    """The answers question `question` can have in `industry` (fixed vocabulary)."""
    return VALUES[industry].get(question) or COMMON_VALUES[question]


# ------------------------------------------------------------- checklist (P9)
CHECKLIST_WEIGHTS = {"script_adherence": 0.25, "consent_check": 0.2, "product_briefing": 0.25,
                     "call_recording": 0.15, "escalation_rule": 0.15}


@dataclass(frozen=True)
class OutsourcerChecklist:
    """What the company makes outsourcers do (ITCSCR304A P9, ITCSCR512A P8).

    Each item closes part of the gap between an outsourcer's raw performance and the
    average own staff member's; all five close it fully. Weights: `CHECKLIST_WEIGHTS`.

    Attributes:
        script_adherence: agents follow the approved script word for word.
        consent_check: agents check direct-marketing consent before every call.
        product_briefing: agents are briefed on the products before the campaign.
        call_recording: calls are recorded and sampled for quality review.
        escalation_rule: agents hand difficult customers to own staff at once.
    """

    script_adherence: bool = False
    consent_check: bool = False
    product_briefing: bool = False
    call_recording: bool = False
    escalation_rule: bool = False

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, (bool, np.bool_)):
                raise PolicyError(f"checklist.{f.name}", value, "True or False",
                                  f"set {f.name}=True to require it of outsourcers")

    @classmethod
    def full(cls) -> OutsourcerChecklist:
        """Every essential item in place."""
        return cls(**{name: True for name in CHECKLIST_WEIGHTS})

    @property
    def completeness(self) -> float:
        """Weighted share of the essential items in place (0..1)."""
        return float(sum(w for name, w in CHECKLIST_WEIGHTS.items() if getattr(self, name)))

    def to_dict(self) -> dict[str, bool]:
        """Plain data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OutsourcerChecklist:
        """Rebuild from `to_dict` output (unknown items raise `PolicyError`)."""
        if not isinstance(data, Mapping):
            raise PolicyError("checklist", data, "a dict of item -> True/False",
                              "pass OutsourcerChecklist.to_dict() output")
        unknown = sorted(set(data) - set(CHECKLIST_WEIGHTS))
        if unknown:
            raise PolicyError("checklist", unknown[0], f"items {', '.join(CHECKLIST_WEIGHTS)}",
                              f"remove or rename {unknown[0]!r}")
        return cls(**dict(data))


# ----------------------------------------------------------------- results
@dataclass(frozen=True)
class CallRecord:
    """One conducted call, as written to the interactions table plus what it cost."""

    interaction_id: str
    customer_id: str
    agent_id: str
    channel: str
    timestamp: str
    purpose: str
    outcome: str
    duration_min: float
    info_captured: dict[str, str]
    follow_up: str
    answered: bool
    sale_value: float
    cost: float

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return asdict(self)


@dataclass
class PlanSummary:
    """What a plan run produced (observed figures only; no hidden truth).

    Attributes:
        run: the run number; the random stream was ``calls.run.<run>``.
        planned: calls in the plan. made: calls actually made. suppressed: promotion
            calls not made because the customer had opted out earlier in the run.
        answered: calls that reached the customer; answered_rate = answered / made.
        sales, sales_value: sales made and their HKD value. complaints, opt_outs: counts.
        facts_captured: answers to script questions recorded.
        cost: HKD (staff time, outsourcer fees, travel, postage). hours: staff hours.
        records: the rows appended to ``interactions`` plus answered, sale_value, cost.
    """

    run: int
    planned: int
    made: int
    suppressed: int
    answered: int
    answered_rate: float
    sales: int
    sales_value: float
    complaints: int
    opt_outs: int
    facts_captured: int
    cost: float
    hours: float
    records: pd.DataFrame = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The figures as plain data (records as a list of interaction ids)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "records"}
        out["interaction_ids"] = self.records["interaction_id"].astype(str).tolist()
        return out


# --------------------------------------------------------------- public API
def call(world: Any, customer_id: str, staff_id: str, channel: str, script: Iterable[str] = (),
         when: str | None = None, purpose: str = "routine",
         checklist: OutsourcerChecklist | None = None) -> CallRecord:
    """Make one call and record it (the same engine as `run_plan`, for one row).

    Args:
        world: the world to act on (its tables and hidden state change).
        customer_id: who to call.
        staff_id: who calls: a staff_id or an outsourcer_id.
        channel: one of schema.CHANNELS.
        script: sections and questions from `plans.SCRIPT_CATALOGUE`.
        when: "YYYY-MM-DDTHH:MM"; default 10:00 on `world.today`.
        purpose: routine, promotion, follow_up or service.
        checklist: the outsourcer checklist in force (outsourced calls only).

    Raises:
        PlanError: bad customer, assignee, channel, time, purpose or script (the world
            is left unchanged).
    """
    if isinstance(script, str):
        script = [s for s in script.replace(",", ";").split(";") if s.strip()]
    row = {"customer_id": customer_id, "slot": when or f"{world.today}T10:00",
           "channel": channel, "assignee": staff_id, "purpose": purpose,
           "script": list(script)}
    summary = run_plan(world, [row], checklist=checklist, _kind="call")
    rec = summary.records.iloc[0]
    return CallRecord(
        interaction_id=str(rec["interaction_id"]), customer_id=str(rec["customer_id"]),
        agent_id=str(rec["agent_id"]), channel=str(rec["channel"]),
        timestamp=str(rec["timestamp"]), purpose=str(rec["purpose"]),
        outcome=str(rec["outcome"]), duration_min=float(rec["duration_min"]),
        info_captured=json.loads(str(rec["info_captured"])),
        follow_up=str(rec["follow_up"]), answered=bool(rec["answered"]),
        sale_value=float(rec["sale_value"]), cost=float(rec["cost"]))


def run_plan(world: Any, plan: Any, checklist: OutsourcerChecklist | None = None, *,
             mechanism: CallMechanism | None = None, market: Market | None = None,
             _kind: str = "plan") -> PlanSummary:
    """Execute every call of `plan` at once (numpy over calls), record and apply them.

    The plan is executed as given: rule breaches are not refused here (that is
    `CallMechanism.check`'s job) but have consequences (complaints, opt-outs, fatigue).

    Args:
        world: the world to act on.
        plan: a `CallPlan`, DataFrame or list of dicts (see `CallPlan.build`).
        checklist: the outsourcer checklist in force (default: none of the items).
        mechanism: for call durations (default: the world's mechanism).
        market: competitor activity (default: the world's market).

    Returns:
        A `PlanSummary`; its `records` are the rows appended to ``interactions``.

    Raises:
        PlanError / PolicyError: malformed plan or checklist; the world is unchanged.
    """
    if checklist is None:
        checklist = OutsourcerChecklist()
    if not isinstance(checklist, OutsourcerChecklist):
        raise PolicyError("checklist", type(checklist).__name__, "an OutsourcerChecklist",
                          "pass OutsourcerChecklist(consent_check=True, ...) or None")
    plan = plan if isinstance(plan, CallPlan) else CallPlan.build(plan, world)
    mechanism = mechanism or mechanism_for(world)
    market = market or market_for(world)
    if not isinstance(mechanism, CallMechanism):
        raise PolicyError("mechanism", type(mechanism).__name__, "a CallMechanism",
                          "pass CallMechanism.default(industry) or leave it out")
    if not isinstance(market, Market):
        raise PolicyError("market", type(market).__name__, "a Market",
                          "pass Market.default(industry) or leave it out")
    truth, truth_is_new = _profile_truth(world)
    run = _run_count(world)
    stream = f"calls.run.{run}"
    rng = world.streams.generator(stream)
    result = _simulate(world, plan, checklist, mechanism, market, truth, rng)

    # Commit: everything was computed on copies; only now is the world changed.
    if truth_is_new:
        _store_truth(world, truth)
    log = pd.DataFrame({"run": [run], "kind": [_kind], "stream": [stream],
                        "today": [world.today], "n_calls": [len(plan)]})
    if "call_runs" in engine_state(world):
        world.append_rows("call_runs", log)
    else:
        world.register_table("call_runs", log, hidden=True, columns=CALL_RUNS_COLUMNS)
    world.append_rows("interactions", result["interactions"])
    world.tables["customers"] = result["customers"]
    engine_state(world)["latent"] = result["latent"]
    autosave(world)       # the trainee's own world keeps its calls for the next notebook

    rec = result["records"]
    made = len(rec)
    answered = int(rec["answered"].sum())
    return PlanSummary(
        run=run, planned=len(plan), made=made, suppressed=len(plan) - made,
        answered=answered, answered_rate=round(answered / made, 4) if made else 0.0,
        sales=int((rec["outcome"] == "sale").sum()),
        sales_value=round(float(rec["sale_value"].sum()), 2),
        complaints=int((rec["outcome"] == "complaint").sum()),
        opt_outs=int(result["opt_outs"]), facts_captured=int(result["facts"]),
        cost=round(float(rec["cost"].sum()), 2),
        hours=round(float(result["staff_minutes"]) / 60.0, 2),
        records=rec)


def profile_truth(world: Any) -> pd.DataFrame:
    """The hidden truth calls reveal (graders only): one row per customer.

    Generated on first use from the stream ``calls.profile_truth`` and stored as the hidden
    table ``profile_truth`` (so it saves and loads with the world). Customers added later
    get rows drawn from a stream named after the first new id, so the table never
    depends on when it was first asked for.
    """
    truth, is_new = _profile_truth(world)
    if is_new:
        _store_truth(world, truth)
    return engine_state(world)["profile_truth"]


def information_table(records: Any, world: Any) -> pd.DataFrame:
    """Every captured answer next to the truth: customer_id, question, captured, truth, correct.

    `records`: a `PlanSummary`, a `CallRecord`, a list of them, or any DataFrame with
    ``customer_id`` and ``info_captured`` (e.g. the interactions table). The latest
    answer per customer and question counts. Satisfaction is compared with the band of
    the customer's satisfaction now (it moves; the other facts are stable).
    """
    frame = _records_frame(records)
    truth = profile_truth(world).set_index("customer_id")
    latent = engine_state(world)["latent"].set_index("customer_id")["satisfaction"]
    parts = []
    for q in QUESTIONS:   # nine vectorised regex extractions, not a loop over records
        captured = frame["info_captured"].str.extract(rf'"{q}": "([^"]*)"', expand=False)
        have = captured.notna().to_numpy()
        if not have.any():
            continue
        cust = frame["customer_id"].to_numpy(object)[have]
        if q == "satisfaction":
            real = _band(latent.reindex(cust).to_numpy(float))
        else:
            real = truth[q].reindex(cust).to_numpy(object)
        parts.append(pd.DataFrame({"customer_id": cust, "question": q,
                                   "captured": captured.to_numpy(object)[have],
                                   "truth": real, "order": np.flatnonzero(have)}))
    if not parts:
        return pd.DataFrame({"customer_id": pd.Series([], dtype="string"),
                             "question": pd.Series([], dtype="string"),
                             "captured": pd.Series([], dtype="string"),
                             "truth": pd.Series([], dtype="string"),
                             "correct": pd.Series([], dtype=bool)})
    out = pd.concat(parts, ignore_index=True).sort_values("order", kind="stable")
    out = out.drop_duplicates(["customer_id", "question"], keep="last").drop(columns="order")
    out["correct"] = (out["captured"] == out["truth"]).to_numpy(bool)
    return out.astype({"customer_id": "string", "question": "string", "captured": "string",
                       "truth": "string"}).reset_index(drop=True)


def information_score(records: Any, world: Any, per_customer: bool = False
                      ) -> float | pd.DataFrame:
    """How much TRUE information the calls solicited (ITCSCR304A AC-ii).

    Score = correct facts / (customers called × questions in the catalogue): one
    correct answer to every question for every customer called scores 1.0; wrong or
    missing answers add nothing.

    Args:
        records: as for `information_table`.
        world: the world the calls were made in.
        per_customer: return one row per customer called (customer_id, correct, captured,
            score) instead of the overall float.
    """
    frame = _records_frame(records)
    called = pd.Index(frame["customer_id"].astype(str).unique())
    table = information_table(frame, world)
    per = pd.DataFrame({
        "correct": table.groupby("customer_id")["correct"].sum(),
        "captured": table.groupby("customer_id").size()}).reindex(called, fill_value=0)
    per.index.name = "customer_id"
    per["score"] = per["correct"] / len(QUESTIONS)
    if per_customer:
        return per.reset_index()
    return float(per["correct"].sum() / (len(called) * len(QUESTIONS))) if len(called) else 0.0


# ------------------------------------------------------------------ engine
def _simulate(world: Any, plan: CallPlan, checklist: OutsourcerChecklist,
              mechanism: CallMechanism, market: Market, truth: pd.DataFrame,
              rng: np.random.Generator) -> dict[str, Any]:
    """All draws and consequences of one run, on copies of the world's tables."""
    industry = world.scenario.industry
    params = behaviour.DEFAULT_PARAMS
    d = plan.derived.sort_values(["ts", "row"], kind="stable").reset_index(drop=True)
    n = len(d)
    customers = world.tables["customers"]
    latent = engine_state(world)["latent"]
    ci = pd.Index(customers["customer_id"]).get_indexer(d["customer_id"])
    li = pd.Index(latent["customer_id"]).get_indexer(d["customer_id"])
    if (li < 0).any():
        bad = d["customer_id"].iloc[int(np.flatnonzero(li < 0)[0])]
        raise PlanError("customer_id", bad, "a customer with hidden state",
                        "call customers of world.tables['customers']")
    # Draw every random number up front, in a fixed order and shape (determinism).
    k = len(QUESTIONS)
    u_answer, u_outcome, u_optout, u_product = (rng.random(n) for _ in range(4))
    u_qans, u_qacc, u_alt = (rng.random((n, k)) for _ in range(3))

    channel = d["channel"].to_numpy(object)
    purpose = d["purpose"].to_numpy(object)
    segment = customers["segment"].to_numpy(object)[ci]
    consent = customers["dm_consent"].to_numpy(bool)[ci]
    s0 = latent["satisfaction"].to_numpy(float)[li]
    f0 = latent["fatigue"].to_numpy(float)[li]
    prop = latent["propensity"].to_numpy(float)[li]
    active = latent["active"].to_numpy(bool)[li]
    affinity = latent["channel_affinity"].to_numpy(object)[li]
    preferred = customers["preferred_channel"].to_numpy(object)[ci]
    skill, pk, soft, is_out, out_fee = _agent_skills(world, d["assignee"], checklist)

    # Fatigue before each call: the customer's earlier calls in this plan count.
    nq = d["n_questions"].to_numpy(np.int64)
    weight = 1.0 + QUESTION_FATIGUE * nq
    prior = pd.Series(weight).groupby(d["customer_id"].to_numpy()).cumsum().to_numpy() - weight
    fat = f0 + (1.0 - f0) * (1.0 - (1.0 - params.fatigue_per_contact) ** prior)

    # 1. reach
    on_affinity = channel == affinity
    logit = (_lookup(CHANNEL_REACH, channel) + AFFINITY_BONUS * on_affinity
             + PREFERENCE_BONUS * (channel == preferred) - FATIGUE_REACH * fat
             + _time_of_day(d["ts"], segment, channel) + SOFT_REACH * (soft - 0.5)
             - INACTIVE_REACH * ~active)
    answered = u_answer < _sigmoid(logit)

    # 2. information
    asked = (d["script_mask"].to_numpy(np.int64)[:, None]
             & np.array([SCRIPT_BIT[q] for q in QUESTIONS], dtype=np.int64)[None, :]) != 0
    p_reply = _lookup(CHANNEL_RICHNESS, channel) * (0.55 + 0.45 * soft) * (1.0 - 0.4 * fat)
    replied = answered[:, None] & asked & (u_qans < p_reply[:, None])
    accuracy = np.clip(0.55 + 0.3 * soft + 0.15 * s0, 0.0, 0.97)
    true_code, labels = _truth_codes(truth, industry, d["customer_id"], s0)
    sizes = np.array([len(v) for v in labels])
    alt = np.minimum((u_alt * sizes[None, :]).astype(np.int64), sizes[None, :] - 1)
    code = np.where(u_qacc < accuracy[:, None], true_code, alt)

    # 3. outcome
    # A call that offers goods or services is direct marketing (PDPO s.35A), whatever its
    # purpose label; it needs consent in force (s.35E).
    needs_consent = offers_goods_or_services(purpose, d["script_mask"], mechanism)
    unconsented = needs_consent & ~consent
    extra_q = np.maximum(nq - PATIENCE, 0)
    p_complaint = np.clip(0.01 + 0.25 * unconsented + 0.10 * fat + 0.04 * (1.0 - soft)
                          + 0.01 * extra_q, 0.0, 0.9)
    p_sale = np.clip(prop * _lookup(PURPOSE_SALE, purpose) * _lookup(CHANNEL_SALE, channel)
                     * (0.5 + 0.5 * skill + 0.5 * pk) * market.sales_multiplier(segment)
                     * np.where(on_affinity, 1.2, 1.0) * active, 0.0, 0.9)
    complaint = answered & (u_outcome < p_complaint)

    # Opt-outs on marketing calls, honoured at once: later marketing calls are not made.
    opt_out = answered & needs_consent & consent & (
        u_optout < 0.03 + 0.25 * fat + 0.5 * complaint)
    pos = np.arange(n)
    first_out = pd.Series(np.where(opt_out, pos, n)).groupby(d["customer_id"].to_numpy()) \
        .transform("min").to_numpy()
    # A sale needs an offer, and only a call that may lawfully offer can make one: to a
    # customer whose marketing consent is in force (s.35E; not after an opt-out, s.35G),
    # or face to face (a visit is not a direct-marketing means under s.35A). A routine or
    # service phone call to a customer without consent sells nothing.
    may_offer = (consent & (pos < first_out)) | (channel == "visit")
    sale = answered & ~complaint & may_offer & (u_outcome < p_complaint + p_sale)
    pushy = np.isin(purpose, ("promotion", "follow_up"))
    outcome = np.select([~answered, complaint, sale, pushy], ["no_answer", "complaint", "sale",
                        "declined"], "answered").astype(object)

    made = ~(needs_consent & (pos > first_out))

    # Durations, cost, sale value
    minutes = mechanism.call_minutes(channel, nq)
    minutes = np.where(answered, minutes, np.where(
        np.isin(channel, list(NO_ANSWER_MINUTES)), _lookup(NO_ANSWER_MINUTES, channel, 0.0),
        mechanism.call_minutes(channel, np.zeros(n))))
    cost = np.where(is_out, out_fee, minutes / 60.0 * STAFF_HOURLY_COST) \
        + _lookup(CHANNEL_COST, channel)
    value = np.where(sale, _sale_prices(world.tables["products"], segment, u_product), 0.0)

    # info_captured JSON (vectorised string building, one column per question)
    replied &= made[:, None]
    info = _info_json(replied, code, labels, needs_consent, customers, ci)
    follow = _follow_up(outcome, replied, code, labels)

    # 4. consequences for customers (only calls made)
    # Contact quality as in the history generator (0.4·skill + 0.3·knowledge + 0.3·soft),
    # less rival noise and over-long scripts; a complaint is a contact of quality 0.
    quality = np.clip(0.4 * skill + 0.3 * pk + 0.3 * soft - market.quality_penalty(segment)
                      - 0.03 * extra_q, 0.0, 1.0)
    quality = np.where(complaint, 0.0, quality)
    rows = np.flatnonzero(made)
    new_latent = _apply(latent, li[rows], answered[rows], outcome[rows], channel[rows],
                        quality[rows], weight[rows], unconsented[rows], params)
    new_customers = _update_customers(customers, ci, opt_out & made, d["slot"], channel, value)

    start = _next_interaction_number(world.tables["interactions"])
    ids = make_ids("I", len(rows), 7, start=start)
    interactions = pd.DataFrame({
        "interaction_id": ids.astype(object),
        "customer_id": d["customer_id"].to_numpy(object)[rows],
        "agent_id": d["assignee"].to_numpy(object)[rows],
        "channel": channel[rows], "timestamp": d["slot"].to_numpy(object)[rows],
        "purpose": purpose[rows], "outcome": outcome[rows],
        "duration_min": np.round(minutes[rows], 1), "info_captured": info[rows],
        "follow_up": follow[rows]}).astype(TABLES["interactions"])
    records = interactions.assign(answered=answered[rows], sale_value=np.round(value[rows], 2),
                                  cost=np.round(cost[rows], 2))
    return {"interactions": interactions, "records": records, "latent": new_latent,
            "customers": new_customers, "opt_outs": int((opt_out & made).sum()),
            "staff_minutes": float(minutes[rows][~is_out[rows]].sum()),
            "facts": int(replied.sum())}


def _agent_skills(world: Any, assignee: pd.Series, checklist: OutsourcerChecklist):
    """Effective skill, product knowledge, soft skill per call; outsourcer flag and fee.

    Outsourcers start from quality × OUTSOURCER_RAW and move towards the average own
    staff member as the checklist's completeness rises (all items: the same).
    """
    staff = world.tables["staff"].set_index("staff_id")
    outs = world.tables["outsourcers"].set_index("outsourcer_id")
    a = assignee.to_numpy(object)
    is_out = np.isin(a, outs.index.to_numpy(object))
    quality = outs["quality"].reindex(a).to_numpy(float)
    fee = outs["cost_per_call"].reindex(a).fillna(0.0).to_numpy(float)
    c = checklist.completeness
    result = []
    for col in ("skill", "product_knowledge", "soft_skill"):
        own = staff[col].reindex(a).to_numpy(float)
        raw = quality * OUTSOURCER_RAW
        ref = float(staff[col].mean()) if len(staff) else 0.5
        result.append(np.where(is_out, raw + c * (ref - raw), own))
    return (*result, is_out, fee)


def _time_of_day(ts: pd.Series, segment: np.ndarray, channel: np.ndarray) -> np.ndarray:
    """Logit effect of the hour for timed channels (business vs. personal customers)."""
    hour = (ts.dt.hour + ts.dt.minute / 60.0).to_numpy(float)
    weekend = (ts.dt.day_of_week >= 5).to_numpy(bool)
    business = np.isin(segment, BUSINESS_SEGMENTS)
    biz = np.select([weekend, (hour < 9) | (hour >= 18), (hour >= 12) & (hour < 14),
                     ((hour >= 10) & (hour < 12)) | ((hour >= 14) & (hour < 17))],
                    [-1.0, -0.8, -0.3, 0.3], 0.0)
    personal = np.select([(hour < 9) | (hour >= 21), (hour >= 18) & (hour < 21),
                          weekend & (hour >= 10) & (hour < 18), ~weekend & (hour < 17)],
                         [-0.8, 0.3, 0.1, -0.2], 0.0)
    return np.where(np.isin(channel, TIMED_CHANNELS), np.where(business, biz, personal), 0.0)


def _truth_codes(truth: pd.DataFrame, industry: str, customer_ids: pd.Series,
                 satisfaction: np.ndarray) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """(calls × questions) codes of the true answers, and the label tuple per question."""
    at = pd.Index(truth["customer_id"]).get_indexer(customer_ids.to_numpy(object))
    labels, cols = [], []
    for q in QUESTIONS:
        vocab = question_values(industry, q)
        labels.append(vocab)
        if q == "satisfaction":
            cols.append(np.digitize(satisfaction, SATISFACTION_CUTS))
        else:   # code the (small) truth table once, then take per call
            per_customer = pd.Categorical(truth[q].to_numpy(object), categories=vocab).codes
            cols.append(per_customer.astype(np.int64)[at])
    return np.stack(cols, axis=1), labels


def _info_json(replied: np.ndarray, code: np.ndarray, labels: list[tuple[str, ...]],
               needs_consent: np.ndarray, customers: pd.DataFrame, ci: np.ndarray) -> np.ndarray:
    """One JSON object per call: the answers captured and, for marketing, the consent basis.

    Fragments like ``"budget": "5k_20k"`` are formatted once per possible answer and
    picked per call by index; only the calls that captured something are touched.
    """
    n = len(replied)
    body = np.full(n, "", dtype=object)

    def add(idx: np.ndarray, frag: np.ndarray) -> None:
        cur = body[idx]
        body[idx] = np.where(cur == "", frag, cur + ", " + frag)

    for j, q in enumerate(QUESTIONS):
        idx = np.flatnonzero(replied[:, j])
        if idx.size:
            table = np.array([f'"{q}": "{v}"' for v in labels[j]], dtype=object)
            add(idx, table[np.clip(code[idx, j], 0, len(labels[j]) - 1)])
    idx = np.flatnonzero(needs_consent)
    if idx.size:
        c = ci[idx]
        given = customers["dm_consent"].to_numpy(bool)[c]
        basis = np.where(given, "consent given " + customers["consent_date"].to_numpy(object)[c]
                         + " via " + customers["consent_channel"].to_numpy(object)[c],
                         "none on record")
        add(idx, '"consent_basis": "' + basis.astype(object) + '"')
    return "{" + body + "}"


def _follow_up(outcome: np.ndarray, replied: np.ndarray, code: np.ndarray,
               labels: list[tuple[str, ...]]) -> np.ndarray:
    """The follow-up promised on the call (P2/AC-iii), from what happened and was learned."""
    j = QUESTIONS.index("needs")
    need = np.asarray(labels[j], dtype=object)[np.clip(code[:, j], 0, len(labels[j]) - 1)]
    knows_need = replied[:, j] & (need != "none")
    return np.select(
        [outcome == "complaint", outcome == "sale", (outcome != "no_answer") & knows_need,
         outcome == "declined"],
        ["resolve complaint within 2 working days", "confirm order and delivery",
         "send quotation for " + need, "call again next quarter"], "").astype(object)


def _apply(latent: pd.DataFrame, li: np.ndarray, answered: np.ndarray, outcome: np.ndarray,
           channel: np.ndarray, quality: np.ndarray, weight: np.ndarray,
           unconsented: np.ndarray, params: behaviour.BehaviourParams) -> pd.DataFrame:
    """Move the latent state call by call with the behaviour model's own rules.

    Calls are applied in rounds: round r holds every customer's r-th answered call, so
    each round is one vectorised `behaviour.apply_contacts` over the customers touched
    (the loop runs over calls-per-customer, a handful, never over customers). Each call
    thus moves satisfaction, and fatigue damps the next one, as in the model.
    """
    a = np.flatnonzero(answered)               # calls are in time order already
    if len(a) == 0:
        return latent
    cust = li[a]
    rank = pd.Series(cust).groupby(cust).cumcount().to_numpy()
    touched = np.unique(cust)
    pos = np.searchsorted(touched, cust)
    m = len(touched)
    sub = latent.iloc[touched].reset_index(drop=True)
    for r in range(int(rank.max()) + 1):
        sel = rank == r
        p, calls = pos[sel], a[sel]
        hit = np.zeros(m, bool)
        hit[p] = True
        q = np.zeros(m)
        q[p] = quality[calls]
        used = np.full(m, None, dtype=object)
        used[p] = channel[calls]
        consented = np.ones(m, bool)
        consented[p] = ~unconsented[calls]
        count = np.ones(m)
        count[p] = weight[calls]
        sub = behaviour.apply_contacts(sub, hit, q, channel=used, consented=consented,
                                       n_contacts=count, params=params)
        complained = np.zeros(m, bool)
        complained[p] = outcome[calls] == "complaint"
        if complained.any():
            sub = behaviour.apply_complaints(sub, complained, params=params)
    out = latent.copy()
    for col in ("satisfaction", "perception", "propensity", "churn_hazard", "fatigue"):
        values = out[col].to_numpy(float).copy()
        values[touched] = sub[col].to_numpy(float)
        out[col] = values
    return out


def _update_customers(customers: pd.DataFrame, ci: np.ndarray, opt_out: np.ndarray,
                      slot: pd.Series, channel: np.ndarray, value: np.ndarray) -> pd.DataFrame:
    """Opt-outs (consent withdrawn now, by that channel) and sales added to lifetime value."""
    out = customers.copy()
    if opt_out.any():
        first = pd.DataFrame({"ci": ci[opt_out], "date": slot.str[:10].to_numpy(object)[opt_out],
                              "channel": channel[opt_out]}).drop_duplicates("ci")
        rows = first["ci"].to_numpy()
        out.iloc[rows, out.columns.get_loc("dm_consent")] = False
        out.iloc[rows, out.columns.get_loc("consent_withdrawn_date")] = first["date"].to_numpy()
        out.iloc[rows, out.columns.get_loc("consent_channel")] = first["channel"].to_numpy()
    if value.any():
        ltv = out["lifetime_value"].to_numpy(float).copy()
        np.add.at(ltv, ci, value)
        out["lifetime_value"] = np.round(ltv, 2)
    return out          # positional writes above keep every column's dtype


def _sale_prices(products: pd.DataFrame, segment: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Price of a product that suits each call's segment (any product if none suits)."""
    if products.empty:
        return np.zeros(len(segment))
    p = products.sort_values(["segment_fit", "product_id"])
    fit = p["segment_fit"].to_numpy(object)
    price = p["price"].to_numpy(float)
    segs, start, count = np.unique(fit, return_index=True, return_counts=True)
    at = np.searchsorted(segs, segment.astype(str))
    found = (at < len(segs)) & (segs[np.minimum(at, len(segs) - 1)] == segment)
    first = np.where(found, start[np.minimum(at, len(segs) - 1)], 0)
    size = np.where(found, count[np.minimum(at, len(segs) - 1)], len(price))
    return price[first + np.minimum((u * size).astype(np.int64), size - 1)]


# --------------------------------------------------------- hidden world state
def _run_count(world: Any) -> int:
    """Runs recorded so far (the next run's number)."""
    runs = engine_state(world).get("call_runs")
    return 0 if runs is None else len(runs)


def _profile_truth(world: Any) -> tuple[pd.DataFrame, bool]:
    """(truth covering every customer, whether it differs from what the world holds)."""
    have = engine_state(world).get("profile_truth")
    ids = world.tables["customers"]["customer_id"]
    if have is not None:
        missing = ids[~ids.isin(have["customer_id"])]
        if missing.empty:
            return have, False
        extra = _draw_truth(world, missing, f"calls.profile_truth.{missing.iloc[0]}")
        return pd.concat([have, extra], ignore_index=True), True
    return _draw_truth(world, ids, "calls.profile_truth"), True


def _store_truth(world: Any, truth: pd.DataFrame) -> None:
    if "profile_truth" in engine_state(world):
        engine_state(world)["profile_truth"] = truth.astype(PROFILE_TRUTH_COLUMNS)
    else:
        world.register_table("profile_truth", truth, hidden=True, columns=PROFILE_TRUTH_COLUMNS)


def _draw_truth(world: Any, ids: pd.Series, stream: str) -> pd.DataFrame:
    """Draw the stable facts of `ids` from static inputs only (segment, true channel)."""
    rng = world.streams.generator(stream)
    industry = world.scenario.industry
    customers = world.tables["customers"].set_index("customer_id")
    seg = customers["segment"].reindex(ids.to_numpy(object)).to_numpy(object)
    business = np.isin(seg, BUSINESS_SEGMENTS)
    n = len(ids)
    rival = market_for(world).activity(seg)
    probs = {
        "needs": np.tile([0.2, 0.15, 0.15, 0.2, 0.2, 0.1], (n, 1)),
        "budget": np.where(business[:, None], [0.1, 0.3, 0.4, 0.2], [0.5, 0.35, 0.12, 0.03]),
        "decision_maker": np.where(business[:, None], [0.35, 0.65], [0.9, 0.1]),
        "timeline": np.tile([0.15, 0.3, 0.3, 0.25], (n, 1)),
        "competitor_use": np.stack([1 - 0.7 * rival, 0.4 * rival, 0.3 * rival], axis=1),
        "referral_willingness": np.tile([0.35, 0.45, 0.2], (n, 1)),
        "pain_points": np.tile([0.3, 0.2, 0.2, 0.15, 0.15], (n, 1)),
    }
    out = {"customer_id": ids.to_numpy(object)}
    for q in STATIC_QUESTIONS:
        vocab = np.asarray(question_values(industry, q), dtype=object)
        if q == "preferred_channel":
            latent = engine_state(world)["latent"].set_index("customer_id")["channel_affinity"]
            out[q] = latent.reindex(ids.to_numpy(object)).fillna("phone").to_numpy(object)
            continue
        p = np.asarray(probs[q], dtype=float)
        cum = np.cumsum(p, axis=1)
        pick = (rng.random(n)[:, None] * cum[:, -1:] >= cum).sum(axis=1)
        out[q] = vocab[np.minimum(pick, len(vocab) - 1)]
    return pd.DataFrame(out).astype(PROFILE_TRUTH_COLUMNS)


def _next_interaction_number(interactions: pd.DataFrame) -> int:
    """One more than the highest "I0000123"-style id (ids share one width, so max works)."""
    if interactions.empty:
        return 1
    try:
        return int(str(interactions["interaction_id"].max())[1:]) + 1
    except ValueError:
        return len(interactions) + 1


# ----------------------------------------------------------------- helpers
def _records_frame(records: Any) -> pd.DataFrame:
    """customer_id + info_captured (JSON text) from any of the accepted record forms."""
    if isinstance(records, PlanSummary):
        records = records.records
    if isinstance(records, CallRecord):
        records = [records]
    if isinstance(records, pd.DataFrame):
        missing = {"customer_id", "info_captured"} - set(records.columns)
        if missing:
            raise PlanError("records columns", sorted(map(str, records.columns)),
                            "customer_id and info_captured",
                            "pass the interactions table or a PlanSummary")
        return pd.DataFrame({"customer_id": records["customer_id"].astype(str).to_numpy(),
                             "info_captured": records["info_captured"].astype(str).to_numpy()})
    if isinstance(records, Iterable) and not isinstance(records, (str, bytes, Mapping)):
        recs = list(records)
        if all(isinstance(r, CallRecord) for r in recs):
            return pd.DataFrame({"customer_id": [r.customer_id for r in recs],
                                 "info_captured": [json.dumps(r.info_captured) for r in recs]},
                                dtype=object)
    raise PlanError("records", type(records).__name__,
                    "a PlanSummary, CallRecord(s) or a DataFrame with info_captured",
                    "pass the summary run_plan returned or world.tables['interactions']")


def _lookup(table: Mapping[str, float], keys: np.ndarray, default: float = 0.0) -> np.ndarray:
    """Vectorised dict lookup: each distinct key is looked up once, then taken by code."""
    codes, uniques = pd.factorize(np.asarray(keys, dtype=object))
    values = np.array([table.get(u, default) for u in uniques], dtype=float)
    return values[codes] if len(codes) else np.zeros(0)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _band(s: np.ndarray) -> np.ndarray:
    return np.asarray(SATISFACTION_BANDS, dtype=object)[np.digitize(np.nan_to_num(s, nan=0.5),
                                                                    SATISFACTION_CUTS)]


__all__ = ["call", "run_plan", "CallRecord", "PlanSummary", "OutsourcerChecklist",
           "profile_truth", "information_table", "information_score", "question_values"]
