"""The call console: one sales call at a time, as a trainee would make it (ITCSCR304A AC-ii).

A thin view over `crm_sim.calls.call`: pick a customer from the queue, read their card,
choose the channel, caller and the script (sections and questions), place the call, read
what the customer said, write notes, set the outcome and the follow-up, save the record.
All state that matters lives in the engine (the world's interactions table); the console
keeps only the records it saved, for the trainee's report.

Every user action is also a method (`select_customer`, `set_channel`, `set_caller`,
`set_script`, `place_call`, `write_notes`, `set_outcome`, `set_follow_up`, `save_record`),
so tests, browser tests and onboarding dashboards can drive the console from code.
Use it on a *copy* of your world (`world.copy()`) when practising, so graded calls made
later in the notebook are not changed by practice calls.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

import ipywidgets as widgets
import pandas as pd

from crm_sim.errors import FieldError
from crm_sim.plans import QUESTIONS, SCRIPT_SECTIONS
from crm_sim.schema import CHANNELS, OUTCOMES
from crm_sim.ui.view import View

CARD_FIELDS = ("segment", "company", "district", "preferred_channel", "preferred_language",
               "lifetime_value", "tenure_months", "dm_consent")


class CallConsole(View):
    """A console for conducting and recording calls against one world.

    Attributes:
        world: the world calls are made in (changed by every call placed).
        queue: customer ids the console offers.
        records: saved call records (dicts), in the order saved.
        last_call: the engine's `CallRecord` of the last call placed (None before any).
        widget: the composed ipywidgets view.
    """

    def __init__(self, world: Any, queue: Iterable[str] | None = None,
                 caller: str | None = None, when: str | None = None):
        """Build the console.

        Args:
            world: the world to call in (use ``world.copy()`` to practise).
            queue: customer ids to offer (default: the first 20 customers).
            caller: staff or outsourcer id making the calls (default: the first staff id).
            when: call time "YYYY-MM-DDTHH:MM" (default 10:00 on the world's today).
        """
        self.world = world
        customers = world.tables["customers"]
        known = customers["customer_id"].astype(str)
        self.queue = [str(c) for c in (queue if queue is not None else known.head(20))]
        unknown = [c for c in self.queue if c not in set(known)]
        if unknown:
            raise FieldError("queue", unknown[:5], "customer ids of world.customers",
                             "copy ids from world.customers.customer_id")
        self._customers = customers.set_index("customer_id")
        agents = [*world.tables["staff"]["staff_id"].astype(str),
                  *world.tables["outsourcers"]["outsourcer_id"].astype(str)]
        self.when = when
        self.records: list[dict[str, Any]] = []
        self.last_call = None
        self._draft: dict[str, Any] = {}

        self._customer = widgets.Dropdown(options=self.queue, description="Customer")
        self._card = widgets.HTML()
        self._channel = widgets.Dropdown(options=list(CHANNELS), value="phone",
                                         description="Channel")
        self._caller = widgets.Dropdown(options=agents, value=caller or agents[0],
                                        description="Caller")
        self._sections = widgets.SelectMultiple(options=list(SCRIPT_SECTIONS),
                                                value=("greeting", "identify_self", "closing"),
                                                description="Sections", rows=8)
        self._questions = widgets.SelectMultiple(options=list(QUESTIONS), value=(),
                                                 description="Questions", rows=9)
        self._call_button = widgets.Button(description="Place call", button_style="primary")
        self._answer = widgets.HTML()
        self._notes = widgets.Textarea(description="Notes", placeholder="What did you learn?")
        self._outcome = widgets.Dropdown(options=[o for o in OUTCOMES if o != "complaint"]
                                         + ["complaint"], description="Outcome")
        self._follow_up = widgets.Text(description="Follow-up", placeholder="e.g. send quotation")
        self._follow_date = widgets.Text(description="Due date", placeholder="YYYY-MM-DD")
        self._save_button = widgets.Button(description="Save record", button_style="success")
        self._out = widgets.Output()

        self._customer.observe(lambda ch: self.select_customer(ch["new"]), names="value")
        self._call_button.on_click(lambda _: self._safely(self.place_call))
        self._save_button.on_click(lambda _: self._safely(self.save_record))
        self.widget = widgets.VBox([
            widgets.HBox([self._customer, self._channel, self._caller]),
            self._card,
            widgets.HBox([self._sections, self._questions]),
            self._call_button, self._answer,
            self._notes, widgets.HBox([self._outcome, self._follow_up, self._follow_date]),
            self._save_button, self._out,
        ])
        if self.queue:
            self.select_customer(self.queue[0])

    # ------------------------------------------------------------------ user actions
    def select_customer(self, customer_id: str) -> str:
        """Show a customer's card (what a caller may see before dialling); return its HTML."""
        if customer_id not in self.queue:
            raise FieldError("customer_id", customer_id, "an id in the console's queue",
                             "pick one of console.queue")
        if self._customer.value != customer_id:
            self._customer.value = customer_id
        row = self._customers.loc[customer_id]
        recent = self._recent_contacts(customer_id)
        cells = "".join(f"<tr><th style='text-align:left'>{html.escape(f)}</th>"
                        f"<td>{html.escape(str(row[f]))}</td></tr>" for f in CARD_FIELDS)
        self._card.value = (f"<b>{html.escape(customer_id)}</b> "
                            f"{html.escape(str(row['name']))}<table>{cells}</table>"
                            f"<i>Last contacts:</i> {html.escape(recent)}")
        self._answer.value = ""
        self._draft = {"customer_id": customer_id}
        return self._card.value

    def set_channel(self, channel: str) -> None:
        """Choose the channel of the next call."""
        if channel not in CHANNELS:
            raise FieldError("channel", channel, ", ".join(CHANNELS), "pick a listed channel")
        self._channel.value = channel

    def set_caller(self, agent_id: str) -> None:
        """Choose who makes the next call (staff or outsourcer id)."""
        if agent_id not in self._caller.options:
            raise FieldError("caller", agent_id, "a staff_id or outsourcer_id of the world",
                             "pick one of the listed callers")
        self._caller.value = agent_id

    def set_script(self, items: Iterable[str]) -> None:
        """Choose the script: sections (greeting, closing...) and questions to ask."""
        items = list(items)
        bad = [i for i in items if i not in SCRIPT_SECTIONS and i not in QUESTIONS]
        if bad:
            raise FieldError("script", bad, "items of plans.SCRIPT_CATALOGUE",
                             "pick sections and questions from the lists")
        self._sections.value = tuple(i for i in SCRIPT_SECTIONS if i in items)
        self._questions.value = tuple(i for i in QUESTIONS if i in items)

    @property
    def script(self) -> list[str]:
        """The script of the next call, sections then questions."""
        return [*self._sections.value, *self._questions.value]

    def place_call(self, purpose: str = "routine") -> Any:
        """Make the call in the engine; show and return what the customer said (`CallRecord`)."""
        from crm_sim.calls import call

        customer_id = self._customer.value
        record = call(self.world, customer_id, self._caller.value, self._channel.value,
                      self.script, when=self.when, purpose=purpose)
        self.last_call = record
        facts = ", ".join(f"{k}: {v}" for k, v in record.info_captured.items()
                          if k != "consent_basis") or "nothing"
        self._answer.value = (f"<b>{html.escape(record.outcome)}</b> after "
                              f"{record.duration_min:g} min. The customer told you: "
                              f"{html.escape(facts)}.")
        self._outcome.value = record.outcome if record.outcome in self._outcome.options \
            else self._outcome.options[0]
        if record.follow_up:
            self._follow_up.value = record.follow_up
        self._draft = {"customer_id": customer_id, "interaction_id": record.interaction_id,
                       "timestamp": record.timestamp, "channel": record.channel,
                       "agent_id": record.agent_id, "facts": dict(record.info_captured)}
        return record

    def write_notes(self, text: str) -> None:
        """Write the call notes."""
        self._notes.value = str(text)

    def set_outcome(self, outcome: str) -> None:
        """Set the outcome to record (the engine's outcome is pre-filled after a call)."""
        if outcome not in self._outcome.options:
            raise FieldError("outcome", outcome, ", ".join(self._outcome.options),
                             "pick a listed outcome")
        self._outcome.value = outcome

    def set_follow_up(self, action: str, due: str) -> None:
        """Set the follow-up action and its due date ("YYYY-MM-DD")."""
        try:
            pd.Timestamp(due)
        except (ValueError, TypeError) as exc:
            raise FieldError("due", due, "a date 'YYYY-MM-DD'", "e.g. '2026-02-10'") from exc
        self._follow_up.value = str(action)
        self._follow_date.value = str(due)[:10]

    def save_record(self) -> dict[str, Any]:
        """Save the call record (needs a placed call and a follow-up); return it."""
        if "interaction_id" not in self._draft:
            raise FieldError("record", "no call placed", "a placed call",
                             "press 'Place call' (or call place_call()) first")
        if not self._follow_up.value.strip() or not self._follow_date.value.strip():
            raise FieldError("follow_up", self._follow_up.value or "(empty)",
                             "an action and a due date", "every call gets a dated follow-up")
        due = self._follow_date.value.strip()
        try:
            pd.Timestamp(due)
        except (ValueError, TypeError) as exc:   # "abc" was saved as a due date before
            raise FieldError("due date", due, "a date 'YYYY-MM-DD'",
                             "e.g. '2026-02-10'; nothing was saved") from exc
        record = {**self._draft, "outcome": self._outcome.value, "notes": self._notes.value,
                  "follow_up": self._follow_up.value.strip(),
                  "follow_up_date": self._follow_date.value.strip()}
        self.records.append(record)
        self._draft = {"customer_id": record["customer_id"]}
        with self._out:
            print(f"saved {record['interaction_id']} for {record['customer_id']}")
        return record

    def records_frame(self) -> pd.DataFrame:
        """The saved records as a DataFrame (one row per call)."""
        return pd.DataFrame(self.records)

    # -------------------------------------------------------------------- internals
    def _recent_contacts(self, customer_id: str, n: int = 3) -> str:
        inter = self.world.tables["interactions"]
        mine = inter[inter["customer_id"] == customer_id].sort_values("timestamp").tail(n)
        if mine.empty:
            return "none"
        return "; ".join(f"{t[:10]} {c} {o}" for t, c, o in
                         zip(mine["timestamp"], mine["channel"], mine["outcome"], strict=True))
