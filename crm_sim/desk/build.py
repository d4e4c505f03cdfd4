"""Put the watch retailer's records desk on a timepiece world: `open_desk`.

Everything is drawn from the world's own tables (customers, staff, the history of
interactions, the hidden latent state) and from named random streams (``desk.*``), in
whole arrays: no loop runs per customer. The world's existing tables are never
changed, so a world with and without the desk agrees on everything they share, and an
ICT world is never touched (`open_desk` refuses it).

What it adds (all `desk_*`, see `crm_sim.desk.tables.SCHEMAS`): boutiques and the staff
posted to them, the watch models, a desk profile per customer (home boutique, kind, VIP),
important customer information, serial-numbered sales with their warranties, repairs,
communication records (one per past interaction plus repair drop-offs and ready calls),
promises and complaints from the history, recent enquiries and quotations, repair
hand-offs, an empty audit trail, and the hidden truth of each customer's value.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_sim.desk import catalogue as cat
from crm_sim.desk.errors import DeskError
from crm_sim.desk.tables import HIDDEN_SCHEMAS, SCHEMAS, frame, installed
from crm_sim.privacy import mask_name, mask_phone
from crm_sim.textcols import digit_matrix, ids, iso_dates, iso_minutes, join_bytes, object_pool
from crm_sim.world import engine_state

_OBJ = object


def open_desk(world: Any) -> Any:
    """Add the records desk to a timepiece world (once; later calls change nothing).

    Args:
        world: A `World` built with ``industry="timepiece"`` (sealed or not).

    Returns:
        The same world, with the ``desk_*`` tables registered.

    Raises:
        DeskError: The world is not a timepiece world.
    """
    if getattr(world.scenario, "industry", None) != "timepiece":
        raise DeskError("world", "industry", world.scenario.industry, '"timepiece"',
                        'build it with Scenario(industry="timepiece")')
    if installed(world):
        return world
    for name, df in _generate(world).items():
        hidden = name in HIDDEN_SCHEMAS
        spec = HIDDEN_SCHEMAS[name] if hidden else SCHEMAS[name]
        world.register_table(name, df, hidden=hidden, columns=spec)
    return world


def _days(values) -> np.ndarray:
    """ISO dates/timestamps (object array) as datetime64[D]."""
    return np.asarray(pd.Series(values, dtype=object).str.slice(0, 10), dtype="datetime64[D]")


def _generate(world: Any) -> dict[str, pd.DataFrame]:
    streams = world.streams
    customers, staff, inter = world.customers, world.staff, world.interactions
    latent = engine_state(world)["latent"]
    today = np.datetime64(world.today, "D")
    start = np.datetime64(world.scenario.start_date, "D")
    n = len(customers)
    out: dict[str, pd.DataFrame] = {}

    # ---------------------------------------------------------------- boutiques, staff
    out["desk_boutiques"] = frame("desk_boutiques", {
        "boutique_id": [b[0] for b in cat.BOUTIQUES], "name": [b[1] for b in cat.BOUTIQUES],
        "district": [b[2] for b in cat.BOUTIQUES]})
    bids = np.array([b[0] for b in cat.BOUTIQUES], dtype=_OBJ)
    role = staff["role"].to_numpy(_OBJ)
    desk_role = np.array([cat.STAFF_ROLES[r][0] for r in role], dtype=_OBJ)
    dept = np.array([cat.STAFF_ROLES[r][1] for r in role], dtype=_OBJ)
    # each role is spread over the boutiques in turn
    rank = pd.Series(role).groupby(role).cumcount().to_numpy()
    posted = bids[rank % len(bids)]
    limit = np.array([cat.APPROVAL_LIMITS.get(r, 0.0) for r in desk_role], dtype=float)
    back = cat.BACK_OFFICE
    out["desk_staff"] = frame("desk_staff", {
        "staff_id": np.concatenate([staff["staff_id"].to_numpy(_OBJ), [b[0] for b in back]]),
        "name": np.concatenate([staff["name"].to_numpy(_OBJ), [b[1] for b in back]]),
        "boutique_id": np.concatenate([posted, [""] * len(back)]),
        "department": np.concatenate([dept, [b[3] for b in back]]),
        "desk_role": np.concatenate([desk_role, [b[2] for b in back]]),
        "approval_limit": np.concatenate([limit, np.zeros(len(back))]),
    })

    # ---------------------------------------------------------------- models
    models = cat.MODELS
    m_price = np.array([m[5] for m in models])
    m_fit = np.array([m[8] for m in models], dtype=_OBJ)
    m_ref = np.array([m[2] for m in models], dtype=_OBJ)
    m_warranty = np.array([m[7] for m in models], dtype=np.int64)
    m_limited = np.array([m[6] for m in models], dtype=np.int64)
    model_ids = ids("W", len(models), 2)
    out["desk_models"] = frame("desk_models", {
        "model_id": model_ids, "brand": [m[0] for m in models], "model": [m[1] for m in models],
        "reference": m_ref, "category": [m[3] for m in models],
        "complications": [m[4] for m in models], "price_hkd": m_price,
        "limited": m_limited > 0, "edition_size": m_limited, "warranty_months": m_warranty,
        "segment_fit": m_fit})

    # ---------------------------------------------------------------- customer profiles
    rng = streams.generator("desk.customers")
    cid = customers["customer_id"].to_numpy(_OBJ)
    segment = customers["segment"].to_numpy(_OBJ)
    district_home = {d: i for i, b in enumerate(cat.BOUTIQUES) for d in b[3]}
    home = pd.Series(customers["district"].to_numpy(_OBJ)).map(district_home).fillna(0)
    home = home.to_numpy(np.int64)
    moved = rng.random(n) < 0.2
    home = np.where(moved, rng.integers(0, len(bids), n), home)
    kind = segment.copy()
    kind[np.isin(segment, ("walk_in", "gift_buyer")) & (rng.random(n) < cat.TOURIST_SHARE)] = \
        "tourist"
    ltv = customers["lifetime_value"].to_numpy(float)
    vip = np.isin(segment, ("collector", "corporate_gifting")) & (
        ltv >= np.quantile(ltv, 0.6) if n else np.zeros(0, bool))
    # relationship owner: clienteling (VIPs) or sales staff of the home boutique
    sales_staff = np.isin(desk_role, ("sales_assistant", "clienteling", "boutique_manager"))
    owner = np.empty(n, dtype=_OBJ)
    sid = staff["staff_id"].to_numpy(_OBJ)
    u = rng.random(n)
    for b in range(len(bids)):
        here = home == b
        pool = sid[sales_staff & (posted == bids[b])]
        if not len(pool):
            pool = sid[sales_staff] if sales_staff.any() else sid
        owner[here] = pool[(u[here] * len(pool)).astype(np.int64)]
    out["desk_customers"] = frame("desk_customers", {
        "customer_id": cid, "home_boutique_id": bids[home], "kind": kind, "vip": vip,
        "relationship_staff_id": owner})
    since = _days(customers["since"].to_numpy(_OBJ))

    # ---------------------------------------------------------------- sales
    rng = streams.generator("desk.sales")
    seg_of = {s: i for i, s in enumerate(world.scenario.segments)}
    seg_code = pd.Series(segment).map(seg_of).to_numpy(np.int64)
    weights = np.array([[6.0 if m[8] == s else 1.0 for m in models]
                        for s in world.scenario.segments])
    weights[:, m_limited > 0] *= np.array(
        [[1.0 if s == "collector" else 0.05] for s in world.scenario.segments])
    weights /= weights.sum(axis=1, keepdims=True)
    sale_rows = inter["outcome"].to_numpy(_OBJ) == "sale"
    who_hist = pd.Series(inter["customer_id"].to_numpy(_OBJ)[sale_rows]).map(
        {c: i for i, c in enumerate(cid)}).to_numpy(np.int64)
    day_hist = _days(inter["timestamp"].to_numpy(_OBJ)[sale_rows])
    staff_hist = inter["agent_id"].to_numpy(_OBJ)[sale_rows]
    staff_hist = np.where(np.isin(staff_hist, sid), staff_hist, owner[who_hist])
    # earlier purchases of customers who were with the retailer before the history starts
    prior_rate = np.array([{"collector": 1.6, "corporate_gifting": 0.8}.get(s, 0.3)
                           for s in world.scenario.segments])[seg_code]
    before = np.maximum((start - since).astype(np.int64), 0)
    k = rng.poisson(prior_rate * (before > 0))
    who_prior = np.repeat(np.arange(n), k)
    day_prior = since[who_prior] + (rng.random(len(who_prior)) * before[who_prior]).astype(
        np.int64)
    who = np.concatenate([who_hist, who_prior])
    day = np.concatenate([day_hist, day_prior])
    seller = np.concatenate([staff_hist, owner[who_prior]])
    cum = np.cumsum(weights[seg_code[who]], axis=1)
    model = np.minimum((rng.random(len(who))[:, None] > cum).sum(axis=1), len(models) - 1)
    order = np.lexsort((who, day))
    who, day, seller, model = who[order], day[order], seller[order], model[order]
    n_sales = len(who)
    # serial: the model's reference and a running number per model, in sale order
    per_model = pd.Series(model).groupby(model).cumcount().to_numpy() + 1
    serial = m_ref[model] + join_bytes(["-", digit_matrix(per_model, 6)]) \
        if n_sales else np.zeros(0, _OBJ)
    discount = np.where(m_limited[model] > 0, 0.0, np.round(rng.uniform(0, 0.08, n_sales), 2))
    price = np.round(m_price[model] * (1 - discount), -1)
    sale_ids = ids("SL", n_sales, 6)
    sale_date = iso_dates(day)
    out["desk_sales"] = frame("desk_sales", {
        "sale_id": sale_ids, "customer_id": cid[who], "model_id": model_ids[model],
        "serial_no": serial, "boutique_id": bids[home[who]], "staff_id": seller,
        "sale_date": sale_date, "price_hkd": price, "order_id": np.full(n_sales, "", _OBJ)})
    extended = rng.random(n_sales) < np.where(segment[who] == "collector", 0.4, 0.15)
    months = m_warranty[model] + 24 * extended
    ends = (day.astype("datetime64[M]") + months).astype("datetime64[D]") + (
        day - day.astype("datetime64[M]").astype("datetime64[D]"))
    out["desk_warranties"] = frame("desk_warranties", {
        "warranty_id": ids("WR", n_sales, 6), "sale_id": sale_ids, "serial_no": serial,
        "customer_id": cid[who], "starts": sale_date, "ends": iso_dates(ends),
        "extended": extended})

    # ---------------------------------------------------------------- repairs
    rng = streams.generator("desk.repairs")
    broke = rng.random(n_sales) < 0.22
    r_received = day[broke] + rng.integers(20, 900, int(broke.sum()))
    keep = r_received < today
    rs = np.flatnonzero(broke)[keep]
    r_received = r_received[keep]
    order = np.lexsort((rs, r_received))
    rs, r_received = rs[order], r_received[order]
    nr = len(rs)
    rkind = rng.integers(0, len(cat.REPAIR_KINDS), nr)
    turn = np.array([r[1] for r in cat.REPAIR_KINDS])[rkind]
    promised = r_received + turn
    took = np.maximum(1, np.round(turn * rng.lognormal(0.0, 0.35, nr))).astype(np.int64)
    completed = r_received + took
    collected = completed + rng.integers(1, 12, nr)
    status = np.where(completed >= today, "in_repair",
                      np.where(collected >= today, "ready", "collected")).astype(_OBJ)
    warranty_ok = r_received <= ends[rs]
    free = warranty_ok & ~np.isin(rkind, (0, 5))          # batteries and straps are paid
    cost = np.where(free, 0.0, np.array([r[2] for r in cat.REPAIR_KINDS])[rkind])
    repair_ids = ids("RP", nr, 6)
    out["desk_repairs"] = frame("desk_repairs", {
        "repair_id": repair_ids, "customer_id": cid[who[rs]], "serial_no": serial[rs],
        "model_id": model_ids[model[rs]], "boutique_id": bids[home[who[rs]]],
        "issue": np.array([r[0] for r in cat.REPAIR_KINDS], _OBJ)[rkind],
        "received": iso_dates(r_received), "promised_ready": iso_dates(promised),
        "completed": np.where(status == "in_repair", "", iso_dates(completed)),
        "collected": np.where(status == "collected", iso_dates(collected), ""),
        "status": status, "under_warranty": warranty_ok, "cost_hkd": cost})

    # ---------------------------------------------------------------- communications
    rng = streams.generator("desk.comms")
    purpose = inter["purpose"].to_numpy(_OBJ)
    outcome = inter["outcome"].to_numpy(_OBJ)
    inbound = np.isin(purpose, ("service", "complaint"))
    channel = inter["channel"].to_numpy(_OBJ).copy()
    channel[(channel == "visit") & inbound] = "conversation"
    subject = pd.Series(purpose).map(_SUBJECTS).to_numpy(_OBJ)
    summary = (pd.Series(purpose + "|" + outcome).map(_SUMMARIES).fillna("Contact recorded.")
               .to_numpy(_OBJ))
    hist_stamp = inter["timestamp"].to_numpy(_OBJ)
    # repair drop-offs (a conversation at the counter) and ready calls
    drop_min = rng.integers(11 * 60, 20 * 60, nr)
    ready = status != "in_repair"
    rr = np.flatnonzero(ready)
    call_min = rng.integers(10 * 60, 18 * 60, len(rr))
    r_model = np.array([m[1] for m in models], _OBJ)[model[rs]]
    comm = {
        "customer_id": np.concatenate([inter["customer_id"].to_numpy(_OBJ), cid[who[rs]],
                                       cid[who[rs[rr]]]]),
        "staff_id": np.concatenate([inter["agent_id"].to_numpy(_OBJ),
                                    owner[who[rs]], owner[who[rs[rr]]]]),
        "channel": np.concatenate([channel, np.full(nr, "conversation", _OBJ),
                                   np.full(len(rr), "phone", _OBJ)]),
        "direction": np.concatenate([np.where(inbound, "inbound", "outbound").astype(_OBJ),
                                     np.full(nr, "inbound", _OBJ),
                                     np.full(len(rr), "outbound", _OBJ)]),
        "timestamp": np.concatenate([
            hist_stamp,
            iso_minutes(r_received.astype("datetime64[m]") + drop_min),
            iso_minutes(completed[rr].astype("datetime64[m]") + call_min)]),
        "subject": np.concatenate([subject, np.full(nr, "Repair received", _OBJ),
                                   np.full(len(rr), "Repair ready", _OBJ)]),
        "summary": np.concatenate([
            summary,
            "Received " + r_model + " serial " + serial[rs] + " for "
            + out["desk_repairs"]["issue"].to_numpy(_OBJ) + "; promised ready "
            + iso_dates(promised) + ".",
            "Called to say the " + r_model[rr] + " is ready for collection."]),
        "order_id": np.full(len(hist_stamp) + nr + len(rr), "", _OBJ),
        "repair_id": np.concatenate([np.full(len(hist_stamp), "", _OBJ), repair_ids,
                                     repair_ids[rr]]),
    }
    order = np.lexsort((comm["customer_id"].astype(str), comm["timestamp"].astype(str)))
    comm = {k: v[order] for k, v in comm.items()}
    comm["comm_id"] = ids("M", len(order), 7)
    out["desk_comms"] = frame("desk_comms", comm)

    # ---------------------------------------------------------------- important information
    out["desk_info"] = _information(streams.generator("desk.info"), cid, segment, vip, owner,
                                    since, today, ltv, home, bids)

    # ---------------------------------------------------------------- promises
    rng = streams.generator("desk.promises")
    follow = inter["follow_up"].to_numpy(_OBJ)
    has = follow != ""
    p_kind = pd.Series(follow[has]).map(_PROMISE_OF).to_numpy(_OBJ)
    p_days = pd.Series(follow[has]).map(_PROMISE_DAYS).to_numpy(np.int64)
    made = _days(hist_stamp[has])
    due = made + p_days
    closed = due - rng.integers(0, 3, len(due))
    kept = rng.random(len(due)) < 0.85
    # promises still due are open; a few of the last fortnight's were forgotten (overdue)
    open_ = (due >= today) | ((due >= today - 14) & (rng.random(len(due)) < 0.35))
    p_status = np.where(open_, "open", np.where(kept, "fulfilled", "breached")).astype(_OBJ)
    p_closed = np.where(open_, "", np.where(kept, iso_dates(np.maximum(closed, made)),
                                            iso_dates(due + 1)))
    p_owner = inter["agent_id"].to_numpy(_OBJ)[has]
    p_owner = np.where(np.isin(p_owner, sid), p_owner,
                       pd.Series(inter["customer_id"].to_numpy(_OBJ)[has]).map(
                           dict(zip(cid, owner, strict=True))).to_numpy(_OBJ))
    out["desk_promises"] = frame("desk_promises", {
        "promise_id": ids("PR", int(has.sum()), 6),
        "customer_id": inter["customer_id"].to_numpy(_OBJ)[has], "owner_id": p_owner,
        "kind": p_kind, "text": follow[has], "made_on": iso_dates(made),
        "due": iso_dates(due), "linked_id": inter["interaction_id"].to_numpy(_OBJ)[has],
        "status": p_status, "closed_on": p_closed})

    # ---------------------------------------------------------------- complaints
    out.update(_complaints(streams.generator("desk.complaints"), inter, today, sid, owner,
                           dict(zip(cid, range(n), strict=True))))

    # ---------------------------------------------------------------- enquiries, quotations
    out.update(_enquiries(streams.generator("desk.enquiries"), bids[home], cid, seg_code,
                          owner, weights, model_ids, m_price, m_limited, today))

    # ---------------------------------------------------------------- hand-offs
    names = customers["name"]
    r_who = who[rs]
    payload = _json_rows({
        "customer_id": cid[r_who],
        "name_masked": mask_name(names.iloc[r_who].reset_index(drop=True)).to_numpy(_OBJ),
        "phone_masked": mask_phone(customers["phone"].iloc[r_who].reset_index(drop=True))
        .to_numpy(_OBJ),
        "serial_no": serial[rs], "model": r_model,
        "issue": out["desk_repairs"]["issue"].to_numpy(_OBJ),
        "under_warranty": np.where(warranty_ok, "yes", "no").astype(_OBJ),
        "promised_ready": iso_dates(promised)})
    out["desk_handoffs"] = frame("desk_handoffs", {
        "handoff_id": ids("H", nr, 6), "customer_id": cid[r_who],
        "kind": np.full(nr, "repair_ticket", _OBJ), "department": np.full(nr, "after_sales",
                                                                         _OBJ),
        "from_staff_id": owner[r_who], "linked_id": repair_ids, "payload": payload,
        "created": iso_dates(r_received),
        "status": np.where(status == "in_repair", "accepted", "done").astype(_OBJ),
        "updated": np.where(status == "in_repair", iso_dates(r_received),
                            out["desk_repairs"]["completed"].to_numpy(_OBJ))})
    for empty in ("desk_events", "desk_access_log"):
        out[empty] = frame(empty, {c: [] for c in SCHEMAS[empty]})

    # ---------------------------------------------------------------- hidden truth
    out["desk_truth"] = _truth(latent, cid, seg_code, weights, m_price)
    return {name: out[name] for name in [*SCHEMAS, *HIDDEN_SCHEMAS]}


_SUBJECTS = {"routine": "Keeping in touch", "promotion": "New arrivals",
             "follow_up": "Following up", "service": "Service request",
             "complaint": "Complaint"}
_SUMMARIES = {
    "routine|answered": "Chatted about the customer's watches; no request.",
    "routine|no_answer": "Tried to reach the customer; no reply.",
    "routine|declined": "Customer not interested in anything new at present.",
    "routine|sale": "Customer chose a watch during a routine contact.",
    "promotion|answered": "Introduced the new season's models; customer will think about it.",
    "promotion|no_answer": "Sent the new arrivals; no reply.",
    "promotion|declined": "Customer declined the offer.",
    "promotion|sale": "Customer bought a watch from the new arrivals.",
    "follow_up|answered": "Followed up the earlier conversation; details sent.",
    "follow_up|no_answer": "Follow-up attempt; no reply.",
    "follow_up|declined": "Customer decided against the purchase for now.",
    "follow_up|sale": "Follow-up closed with a purchase.",
    "service|answered": "Customer asked about servicing and warranty; answered.",
    "service|no_answer": "Service question left unanswered.",
    "service|declined": "Customer asked about a service, then decided not to proceed.",
    "service|sale": "Service visit ended with a purchase.",
    "complaint|complaint": "Customer complained; complaint recorded.",
}
_PROMISE_OF = {"confirm delivery": "deliver", "call again next quarter": "call_back",
               "resolve complaint within 7 days": "other", "send information": "call_back"}
_PROMISE_DAYS = {"confirm delivery": 7, "call again next quarter": 90,
                 "resolve complaint within 7 days": 7, "send information": 3}


def _json_rows(columns: dict[str, np.ndarray]) -> np.ndarray:
    """One JSON object per row, built column-wise (values escaped for JSON)."""
    n = len(next(iter(columns.values())))
    text = np.full(n, "{", dtype=_OBJ)
    for i, (key, values) in enumerate(columns.items()):
        safe = (pd.Series(values, dtype=object).astype(str).str.replace("\\", "\\\\",
                                                                          regex=False)
                .str.replace('"', '\\"', regex=False).to_numpy(_OBJ))
        text = text + ("" if i == 0 else ", ") + f'"{key}": "' + safe + '"'
    return text + "}"


def _information(rng, cid, segment, vip, owner, since, today, ltv, home, bids):
    """Important customer information in long form: one row per (customer, field)."""
    n = len(cid)
    brands = object_pool(sorted({m[0] for m in cat.MODELS}))
    comps = object_pool(("chronograph", "moon_phase", "perpetual_calendar", "tourbillon",
                         "gmt", "date"))
    notes = object_pool((
        "Prefers a private viewing room; offer tea, not coffee.",
        "Collects limited editions; call first when one is allocated.",
        "Buys anniversary gifts for spouse each year.",
        "Sensitive about price talk in front of guests; discuss by phone.",
        "Introduced two friends who became customers.",
    ))
    recipients = object_pool(("spouse", "parents", "children", "business partners", "self"))
    collector = segment == "collector"
    gift = segment == "gift_buyer"
    fields = {
        "preferred_brands": (rng.random(n) < 0.8,
                             brands[rng.integers(0, len(brands), n)] + np.where(
                                 rng.random(n) < 0.4, ";" + brands[rng.integers(
                                     0, len(brands), n)], "")),
        "complications": (rng.random(n) < np.where(collector, 0.9, 0.3),
                          comps[rng.integers(0, len(comps), n)]),
        "wrist_size_mm": (rng.random(n) < 0.3,
                          join_bytes([digit_matrix(rng.integers(145, 200, n), 3)])),
        "birthday": (rng.random(n) < 0.6, iso_dates(
            np.datetime64("2000-01-01") + rng.integers(0, 365, n)).astype(str).astype(_OBJ)),
        "anniversary": (rng.random(n) < 0.2, iso_dates(
            np.datetime64("2001-01-01") + rng.integers(0, 365, n)).astype(str).astype(_OBJ)),
        "gift_recipients": (gift & (rng.random(n) < 0.6),
                            recipients[rng.integers(0, len(recipients), n)]),
        "budget_hkd": (rng.random(n) < 0.5, join_bytes([digit_matrix(
            np.round(np.maximum(ltv, 3000) * rng.uniform(0.2, 0.6, n), -3).astype(np.int64)
            , 7)])),
        "vip_note": (vip, notes[rng.integers(0, len(notes), n)]),
    }
    who, field, value = [], [], []
    for name, (has, values) in fields.items():   # eight fields, each a whole column
        rows = np.flatnonzero(has)
        who.append(rows)
        field.append(np.full(len(rows), name, _OBJ))
        text = values[rows]
        if name in ("birthday", "anniversary"):
            text = np.array([t[5:] for t in text.astype(str)], dtype=_OBJ) if len(rows) else \
                text
        if name == "budget_hkd":
            text = pd.Series(text, dtype=object).str.lstrip("0").to_numpy(_OBJ)
        value.append(text)
    who, field, value = np.concatenate(who), np.concatenate(field), np.concatenate(value)
    span = np.maximum((today - since[who]).astype(np.int64), 1)
    when = since[who] + (rng.random(len(who)) * span).astype(np.int64)
    order = np.lexsort((field.astype(str), who, when))
    who, field, value, when = who[order], field[order], value[order], when[order]
    klass = pd.Series(field).map({k: v[0] for k, v in cat.INFO_FIELDS.items()}).to_numpy(_OBJ)
    return frame("desk_info", {
        "info_id": ids("N", len(who), 7), "customer_id": cid[who], "field": field,
        "value": value, "classification": klass, "recorded_on": iso_dates(when),
        "recorded_by": owner[who]})


def _complaints(rng, inter, today, sid, owner, index):
    """Complaints from the history's complaint contacts: mostly closed, recent ones open."""
    rows = np.flatnonzero(inter["outcome"].to_numpy(_OBJ) == "complaint")
    k = len(rows)
    cust = inter["customer_id"].to_numpy(_OBJ)[rows]
    received = _days(inter["timestamp"].to_numpy(_OBJ)[rows])
    category = rng.integers(0, len(cat.COMPLAINT_CATEGORIES), k)
    severity = np.minimum((rng.random(k)[:, None] > np.array([0.5, 0.85])).sum(axis=1), 2)
    steps = np.cumsum(rng.integers(0, 4, (k, 4)), axis=1) + received[:, None]
    # a step has happened only when its date has passed; recent complaints are still open
    done = steps < today
    # complaints of the last month may be stuck at any step (the desk's open cases)
    recent = received >= today - 30
    limit = np.where(recent, rng.integers(0, 5, k), 4)
    done &= np.arange(4)[None, :] < limit[:, None]
    reached = done.sum(axis=1)                         # 0..4 steps after "received"
    status = np.asarray(cat.COMPLAINT_STATES, dtype=_OBJ)[reached]
    dates = [np.where(done[:, j], iso_dates(steps[:, j]), "") for j in range(4)]
    cat_names = np.asarray(cat.COMPLAINT_CATEGORIES, dtype=_OBJ)[category]
    agent = inter["agent_id"].to_numpy(_OBJ)[rows]
    own = owner[pd.Series(cust).map(index).to_numpy(np.int64)] if k else np.zeros(0, _OBJ)
    owner_id = np.where(np.isin(agent, sid), agent, own)
    complaint_ids = ids("CP", k, 5)
    finding = np.where(done[:, 1], "Checked the record; the customer's account is accurate.",
                       "")
    resolution = np.where(done[:, 2], "Apologised and put it right.", "")
    complaints = frame("desk_complaints", {
        "complaint_id": complaint_ids, "customer_id": cust, "owner_id": owner_id,
        "channel": inter["channel"].to_numpy(_OBJ)[rows], "category": cat_names,
        "severity": np.asarray(cat.SEVERITIES, dtype=_OBJ)[severity],
        "summary": "Customer complained about " + pd.Series(cat_names, dtype=object)
        .str.replace("_", " ").to_numpy(_OBJ) + ".",
        "linked_id": inter["interaction_id"].to_numpy(_OBJ)[rows], "status": status,
        "received": iso_dates(received), "acknowledged": dates[0], "investigated": dates[1],
        "resolved": dates[2], "closed": dates[3], "finding": finding,
        "resolution": resolution})
    fixed = np.flatnonzero(done[:, 2])
    action_names = np.asarray(list(cat.RECOVERY_ACTIONS), dtype=_OBJ)
    action = np.where(severity[fixed] == 2, 1, np.where(severity[fixed] == 1, 3, 0))
    cost = np.array([v[0] for v in cat.RECOVERY_ACTIONS.values()])[action]
    recoveries = frame("desk_recoveries", {
        "recovery_id": ids("RC", len(fixed), 6), "complaint_id": complaint_ids[fixed],
        "customer_id": cust[fixed], "action": action_names[action], "cost_hkd": cost,
        "on": dates[2][fixed], "staff_id": owner_id[fixed]})
    return {"desk_complaints": complaints, "desk_recoveries": recoveries}


def _enquiries(rng, home_boutique, cid, seg_code, owner, weights, model_ids, m_price, m_limited,
               today):
    """Enquiries of the last 45 days; most were quoted; some quotations became orders."""
    n = len(cid)
    asked = np.flatnonzero(rng.random(n) < 0.04)
    k = len(asked)
    received = today - rng.integers(1, 46, k)
    order = np.lexsort((asked, received))
    asked, received = asked[order], received[order]
    cum = np.cumsum(weights[seg_code[asked]], axis=1)
    model = np.minimum((rng.random(k)[:, None] > cum).sum(axis=1), len(model_ids) - 1)
    quoted = rng.random(k) < 0.75
    channel = np.asarray(("conversation", "phone", "email", "message"), _OBJ)[
        rng.integers(0, 4, k)]
    enquiry_ids = ids("EQ", k, 6)
    q = np.flatnonzero(quoted)
    issued = received[q] + rng.integers(0, 3, len(q))
    valid = issued + 14
    disc = np.where(m_limited[model[q]] > 0, 0.0,
                    np.round(rng.uniform(0, 0.05, len(q)), 2))
    fate = rng.random(len(q))
    ordered = fate < 0.3
    confirmed = (fate >= 0.3) & (fate < 0.4)
    expired = ~ordered & ~confirmed & (valid < today)
    q_status = np.where(ordered, "ordered", np.where(confirmed, "confirmed",
                        np.where(expired, "expired", "issued"))).astype(_OBJ)
    confirm_day = np.minimum(issued + rng.integers(1, 10, len(q)), np.minimum(valid, today))
    quote_ids = ids("Q", len(q), 6)
    price = np.round(m_price[model[q]] * (1 - disc), -1)
    e_status = np.full(k, "open", _OBJ)
    e_status[q] = "quoted"
    e_status[~quoted & (received < today - 30)] = "closed"
    quotes = frame("desk_quotes", {
        "quote_id": quote_ids, "enquiry_id": enquiry_ids[q], "customer_id": cid[asked[q]],
        "model_id": model_ids[model[q]], "staff_id": owner[asked[q]],
        "issued": iso_dates(issued), "valid_until": iso_dates(valid),
        "list_price": m_price[model[q]], "discount": disc, "price_hkd": price,
        "approved_by": np.full(len(q), "", _OBJ), "status": q_status,
        "confirmed_on": np.where(ordered | confirmed, iso_dates(confirm_day), "")})
    o = np.flatnonzero(ordered)
    orders = frame("desk_orders", {
        "order_id": ids("OR", len(o), 6), "quote_id": quote_ids[o],
        "customer_id": cid[asked[q[o]]], "model_id": model_ids[model[q[o]]],
        "staff_id": owner[asked[q[o]]],
        "boutique_id": home_boutique[asked[q[o]]],
        "ordered_on": iso_dates(confirm_day[o]), "price_hkd": price[o],
        "serial_no": np.full(len(o), "", _OBJ), "status": np.full(len(o), "placed", _OBJ)})
    enquiries = frame("desk_enquiries", {
        "enquiry_id": enquiry_ids, "customer_id": cid[asked], "model_id": model_ids[model],
        "staff_id": owner[asked], "received": iso_dates(received), "channel": channel,
        "note": np.full(k, "Asked about price and availability.", _OBJ), "status": e_status})
    return {"desk_enquiries": enquiries, "desk_quotes": quotes, "desk_orders": orders}


def _truth(latent, cid, seg_code, weights, m_price):
    """Each customer's true value: what they will spend a year and over their lifetime."""
    p = latent["propensity"].to_numpy(float)
    h = np.maximum(latent["churn_hazard"].to_numpy(float), 1e-3)
    active = latent["active"].to_numpy(bool)
    basket = (weights @ m_price)[seg_code]                 # expected price of a purchase
    annual = np.round(np.where(active, 12 * p * basket * 0.35, 0.0), 2)
    years = np.minimum(1.0 / (12 * h), 10.0)
    potential = np.round(annual * years, 2)
    rank = pd.Series(potential).rank(method="first", ascending=False).to_numpy()
    share = rank / max(len(rank), 1)
    tier = np.where(share <= 0.10, "platinum", np.where(
        share <= 0.30, "gold", np.where(share <= 0.60, "silver", "bronze"))).astype(_OBJ)
    return frame("desk_truth", {"customer_id": cid, "true_annual_value": annual,
                                "true_potential": potential, "true_tier": tier})
