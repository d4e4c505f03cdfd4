"""A day at the records desk: the contacts that come in, and the recording standard.

Released beside the notebooks (no key, no hidden truth). Each contact of the day (a
walk-in visit, a phone call, an e-mail, a letter, a message) is a note in plain words,
naming the customer and what they said: a birthday, the brands they like, a budget, who
they buy for, sometimes an identity card number, sometimes a request to be called back.
The trainee sets the desk's **recording standard** in two views: how each kind of
contact is recorded (channel, direction, follow-up when the customer asks for a call),
and where each kind of information goes (the customer's important information, the
contact's summary only, or nowhere). `record_day` applies the standard through the
records-desk engine; the grader applies it to a day at a company the trainee never saw
and compares the records with what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crm_sim import desk
from crm_sim.desk import catalogue as cat
from crm_sim.desk.tables import add_days
from crm_sim.ui.rule_editor import rule_choices

N_CONTACTS = 20
FORMS = ("walk_in_visit", "phone_call", "email", "letter", "whatsapp_message")
CONTACT_FIELDS = {
    "record_as": cat.COMM_CHANNELS,
    "direction": cat.DIRECTIONS,
    "if_asked_to_call": ("promise_call_back_by_the_day_asked", "promise_call_back_in_3_days",
                         "no_promise"),
}
MENTIONS = ("birthday", "preferred_brands", "budget_hkd", "gift_recipients", "hkid_number")
INFO_FIELDS = {"record_in": ("important_information", "summary_only", "do_not_record")}
# mention -> the desk's information field it belongs in
INFO_FIELD_OF = {"birthday": "birthday", "preferred_brands": "preferred_brands",
                 "budget_hkd": "budget_hkd", "gift_recipients": "gift_recipients"}
_SAY = {"birthday": "my birthday is on {v}", "preferred_brands": "I like {v} watches",
        "budget_hkd": "my budget is about HK${v}", "gift_recipients": "it is for my {v}",
        "hkid_number": "my ID card is {v}"}
_BRANDS = sorted({m[0] for m in cat.MODELS})
_RECIPIENTS = ("father", "mother", "wife", "husband", "daughter", "son", "boss")


@dataclass
class Day:
    """The day's contacts on a copy of the company, with what each one holds."""

    world: Any
    contacts: pd.DataFrame          # one row per contact: the note and its facts


def _rng(world: Any) -> np.random.Generator:
    return np.random.default_rng([int(world.scenario.seed) % 2**32, 104917, 9])


def day_of_contacts(world: Any) -> Day:
    """A copy of `world` (desk open) and the day's contacts, the same for the same company."""
    w = desk.open_desk(world.copy())
    rng = _rng(w)
    customers = w.customers
    pick = rng.choice(len(customers), N_CONTACTS, replace=False)
    rows = []
    for k, i in enumerate(pick):
        c = customers.iloc[int(i)]
        form = FORMS[k % len(FORMS)]
        said = {}
        for m in MENTIONS:
            chance = 0.12 if m == "hkid_number" else 0.45
            if rng.random() < chance:
                said[m] = {"birthday": f"{rng.integers(1, 13):02d}-{rng.integers(1, 29):02d}",
                           "preferred_brands": _BRANDS[int(rng.integers(len(_BRANDS)))],
                           "budget_hkd": str(int(rng.integers(2, 40)) * 5000),
                           "gift_recipients": _RECIPIENTS[int(rng.integers(len(_RECIPIENTS)))],
                           "hkid_number": str(c["hkid"])}[m]
        asks_call = bool(rng.random() < 0.35)
        ask_day = int(rng.integers(1, 3)) if asks_call else 0
        who = f"{c['name']} (tel. {c['phone']})" if form != "email" else \
            f"{c['name']} <{c['email']}>"
        words = [f"{form.replace('_', ' ').capitalize()} from {who}: asked about a watch"]
        words += [_SAY[m].format(v=v) for m, v in said.items()]
        if asks_call:
            words.append("please call me back " + ("tomorrow" if ask_day == 1 else
                                                   "the day after tomorrow"))
        rows.append({"contact": f"D{k + 1:02d}", "form": form,
                     "customer_id": str(c["customer_id"]), "note": "; ".join(words) + ".",
                     "said": said, "call_back_in_days": ask_day,
                     "time": f"{w.today}T{9 + k // 3:02d}:{(k % 3) * 20:02d}"})
    return Day(w, pd.DataFrame(rows))


def inbox(world: Any) -> pd.DataFrame:
    """The day's contacts as the desk sees them: number, kind and the note."""
    return day_of_contacts(world).contacts[["contact", "form", "note"]]


def record_day(world_or_day: Any, contact_rule: Any, info_rule: Any) -> dict[str, Any] | None:
    """Record the day's contacts by the standard; the records made, contact by contact.

    Returns None when either rule is incomplete; else ``records`` (one row per contact:
    channel and direction recorded, information fields recorded, whether an ID number
    went into the summary, the call-back promise's due date) and the world afterwards.
    """
    contacts = rule_choices(contact_rule, "contact_rule", FORMS, CONTACT_FIELDS)
    info = rule_choices(info_rule, "info_rule", MENTIONS, INFO_FIELDS)
    if contacts is None or info is None:
        return None
    day = world_or_day if isinstance(world_or_day, Day) else day_of_contacts(world_or_day)
    w = day.world.copy()
    staff = str(w.tables["desk_staff"]["staff_id"].iloc[1])
    rows = []
    for _, c in day.contacts.iterrows():
        plan = contacts[c["form"]]
        summary_parts = ["Asked about a watch"]
        fields = []
        id_in_summary = False
        for mention, value in c["said"].items():
            where = info[mention]["record_in"]
            if where == "important_information" and mention in INFO_FIELD_OF:
                desk.record_info(w, c["customer_id"], INFO_FIELD_OF[mention], value, staff)
                fields.append(INFO_FIELD_OF[mention])
            elif where != "do_not_record":
                summary_parts.append(f"{mention.replace('_', ' ')}: {value}")
                id_in_summary |= mention == "hkid_number"
        comm = desk.record_communication(
            w, c["customer_id"], staff, plan["record_as"], "; ".join(summary_parts) + ".",
            subject=c["form"].replace("_", " "), direction=plan["direction"], when=c["time"])
        due = ""
        if c["call_back_in_days"] and plan["if_asked_to_call"] != "no_promise":
            days = c["call_back_in_days"] if plan["if_asked_to_call"].endswith("day_asked") \
                else 3
            due = add_days(w.today, int(days))
            desk.make_promise(w, c["customer_id"], staff, "call_back", "Call back as asked",
                              due, linked_id=comm)
        rows.append({"contact": c["contact"], "form": c["form"], "customer_id": c["customer_id"],
                     "comm_id": comm, "channel": plan["record_as"],
                     "direction": plan["direction"], "info_recorded": ";".join(sorted(fields)),
                     "id_in_summary": id_in_summary, "promise_due": due})
    return {"records": pd.DataFrame(rows), "world": w, "day": day}
