"""The records desk: a day at a customer-records counter, as a widget.

A thin view over `crm_sim.desk` for one member of staff: the inbox of the day (contacts
recorded today, promises due, open complaints, repairs ready, quotations about to
expire), a customer's timeline and important information (what this person's role may
see), forms to record a contact or a piece of information, the quotation workflow
(enquiry, quotation, confirmation, order, delivery), the complaint workflow (receive,
acknowledge, investigate, resolve, close, recovery actions), promises, and a search.

Generic: it knows nothing of a unit. Its `value` is the list of records the user made
through it, as plain dicts (type, id, customer and the fields entered), which is what a
trainee hands in. Every control is a method (`record_contact`, `quote`, `complaint_step`
...), so tests, browser tests and notebooks drive it exactly as clicking would; a refused
action raises `DeskError` from code and is shown in words under the buttons.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import pandas as pd

from crm_sim import desk
from crm_sim.desk import catalogue as cat
from crm_sim.desk.errors import DeskError
from crm_sim.errors import FieldError
from crm_sim.ui.view import View

STEPS = {"acknowledge": "acknowledged", "investigate": "investigated", "resolve": "resolved",
         "close": "closed"}
INBOX_COLUMNS = ("kind", "record_id", "customer_id", "when", "what")
# What the desk shows on its buttons, fields and tabs (English); `RecordsDesk(labels=...)`
# replaces any of them, e.g. with a unit's text in the trainee's language.
LABELS: dict[str, str] = {
    "refresh_inbox": "Refresh inbox", "customer": "Customer", "open": "Open", "channel": "Channel",
    "direction": "Direction", "subject": "Subject", "summary": "Summary",
    "record_contact": "Record contact", "field": "Field", "value": "Value",
    "save_information": "Save information", "model": "Model", "discount": "Discount",
    "valid_days": "Valid days", "approved_by": "Approved by", "quote": "Quote",
    "quote_order": "Quote/order", "confirm": "Confirm", "order": "Order", "deliver": "Deliver",
    "category": "Category", "severity": "Severity", "details": "Details",
    "receive_complaint": "Receive complaint", "complaint": "Complaint", "step": "Step",
    "do_step": "Do step", "action": "Action", "add_recovery": "Add recovery", "promise": "Promise",
    "text": "Text", "due": "Due", "record_promise": "Record promise", "promise_id": "Promise id",
    "kept": "Kept", "search": "Search", "summary_hint": "What was said and agreed",
    "approver_hint": "staff id or empty", "search_hint": "words", "tab_inbox": "Inbox",
    "tab_customer": "Customer", "tab_record": "Record", "tab_quotation": "Quotation",
    "tab_complaint": "Complaint", "tab_promise": "Promise", "tab_search": "Search",
    "title": "Records desk", "recorded": "✔ {record_type} {record_id} recorded",
    "important_information": "Important information", "timeline": "Timeline",
    "nothing": "nothing",
    # the inbox as shown: its column headings and the kinds of work (`inbox()` keeps codes)
    "col_kind": "kind", "col_record_id": "record_id", "col_customer_id": "customer_id",
    "col_when": "when", "col_what": "what",
    "kind_contact_today": "contact today", "kind_promise_overdue": "promise OVERDUE",
    "kind_promise_due": "promise due", "kind_complaint_late": "complaint LATE",
    "kind_complaint_open": "complaint open", "kind_repair_ready": "repair ready",
    "kind_quotation_expiring": "quotation expiring",
}


def _table(df: pd.DataFrame, limit: int = 30, nothing: str = "nothing") -> str:
    """A compact escaped HTML table (first `limit` rows)."""
    if not len(df):
        return f"<i>{html.escape(nothing)}</i>"
    head = "".join(f"<th style='text-align:left'>{html.escape(str(c))}</th>" for c in df.columns)
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r) + "</tr>"
                   for r in df.head(limit).itertuples(index=False))
    more = f"<p>... {len(df) - limit} more</p>" if len(df) > limit else ""
    return f"<table><tr>{head}</tr>{rows}</table>{more}"


class RecordsDesk(View):
    """One staff member's records desk on a world with the desk installed.

    Attributes:
        world: The world (changed by every action).
        user: The `DeskUser` working the desk (role and boutique decide what is shown).
        on: The working day ("YYYY-MM-DD"); actions are dated on it.
        made: The records made through the desk, as plain dicts (also `value`).
        widget: The composed ipywidgets view.
    """

    def __init__(self, world: Any, staff_id: str, on: str | None = None,
                 labels: Mapping[str, str] | None = None):
        """Open the desk for `staff_id` on day `on` (default: the world's today).

        `labels` words the buttons, fields and tabs (`LABELS` keys, e.g. in the user's
        language); what is recorded and handed in is the same whatever they say.
        Raises `FieldError` naming an unknown label key.
        """
        unknown = sorted(set(labels or {}) - set(LABELS))
        if unknown:
            raise FieldError("labels", unknown[0], "a key of records_desk.LABELS",
                             "e.g. " + ", ".join(list(LABELS)[:3]))
        self.labels = L = {**LABELS, **{k: str(v) for k, v in (labels or {}).items()}}
        desk.open_desk(world)
        self.world = world
        self.user = desk.desk_user(world, staff_id)
        self.on = world.today if on is None else desk.tables.check_date("desk", "on", on)
        self.made: list[dict[str, Any]] = []
        self._out = widgets.Output()
        models = world.tables["desk_models"]
        model_options = [(f"{m} ({r})", i) for i, m, r in
                         zip(models["model_id"], models["model"], models["reference"],
                             strict=True)]

        # inbox
        self._inbox = widgets.HTML()
        refresh = widgets.Button(description=L["refresh_inbox"])
        refresh.on_click(lambda _: self._safely(self.show_inbox))
        # customer
        self._customer = widgets.Text(description=L["customer"], placeholder="C000001")
        open_button = widgets.Button(description=L["open"], button_style="primary")
        open_button.on_click(lambda _: self._safely(lambda: self.open_customer(
            self._customer.value.strip())))
        self._card = widgets.HTML()
        # record a contact / information
        self._channel = widgets.Dropdown(options=list(cat.COMM_CHANNELS), description=L["channel"])
        self._direction = widgets.Dropdown(options=list(cat.DIRECTIONS), value="outbound",
                                           description=L["direction"])
        self._subject = widgets.Text(description=L["subject"])
        self._summary = widgets.Textarea(description=L["summary"],
                                         placeholder=L["summary_hint"])
        contact_button = widgets.Button(description=L["record_contact"], button_style="success")
        self._contact_button = contact_button
        contact_button.on_click(lambda _: self._safely(lambda: self.record_contact(
            self._customer.value.strip(), self._channel.value, self._summary.value,
            subject=self._subject.value, direction=self._direction.value)))
        self._field = widgets.Dropdown(options=list(cat.INFO_FIELDS), description=L["field"])
        self._field_value = widgets.Text(description=L["value"])
        info_button = widgets.Button(description=L["save_information"])
        info_button.on_click(lambda _: self._safely(lambda: self.add_info(
            self._customer.value.strip(), self._field.value, self._field_value.value)))
        # quotation
        self._model = widgets.Dropdown(options=model_options, description=L["model"])
        self._discount = widgets.BoundedFloatText(value=0.0, min=0.0, max=1.0, step=0.01,
                                                  description=L["discount"])
        self._validity = widgets.BoundedIntText(value=cat.QUOTE_VALIDITY_DAYS, min=0, max=365,
                                                description=L["valid_days"])
        self._approver = widgets.Text(description=L["approved_by"], placeholder=L["approver_hint"])
        quote_button = widgets.Button(description=L["quote"], button_style="primary")
        quote_button.on_click(lambda _: self._safely(lambda: self.quote(
            self._customer.value.strip(), self._model.value, self._discount.value,
            self._validity.value, self._approver.value.strip())))
        self._quote_id = widgets.Text(description=L["quote_order"])
        confirm_button = widgets.Button(description=L["confirm"])
        confirm_button.on_click(lambda _: self._safely(lambda: self.confirm(
            self._quote_id.value.strip())))
        order_button = widgets.Button(description=L["order"])
        order_button.on_click(lambda _: self._safely(lambda: self.order(
            self._quote_id.value.strip())))
        deliver_button = widgets.Button(description=L["deliver"])
        deliver_button.on_click(lambda _: self._safely(lambda: self.deliver(
            self._quote_id.value.strip())))
        # complaint
        self._category = widgets.Dropdown(options=list(cat.COMPLAINT_CATEGORIES),
                                          description=L["category"])
        self._severity = widgets.Dropdown(options=list(cat.SEVERITIES), value="medium",
                                          description=L["severity"])
        self._complaint_text = widgets.Textarea(description=L["details"])
        receive_button = widgets.Button(description=L["receive_complaint"], button_style="warning")
        receive_button.on_click(lambda _: self._safely(lambda: self.receive_complaint(
            self._customer.value.strip(), self._category.value, self._severity.value,
            self._complaint_text.value, channel=self._channel.value)))
        self._complaint_id = widgets.Text(description=L["complaint"])
        self._step = widgets.Dropdown(options=list(STEPS), description=L["step"])
        step_button = widgets.Button(description=L["do_step"])
        step_button.on_click(lambda _: self._safely(lambda: self.complaint_step(
            self._complaint_id.value.strip(), self._step.value, self._complaint_text.value)))
        self._action = widgets.Dropdown(options=list(cat.RECOVERY_ACTIONS), description=L["action"])
        recovery_button = widgets.Button(description=L["add_recovery"])
        recovery_button.on_click(lambda _: self._safely(lambda: self.add_recovery(
            self._complaint_id.value.strip(), self._action.value)))
        # promise
        self._promise_kind = widgets.Dropdown(options=list(cat.PROMISE_KINDS),
                                              description=L["promise"])
        self._promise_text = widgets.Text(description=L["text"])
        self._promise_due = widgets.Text(description=L["due"], placeholder="YYYY-MM-DD")
        promise_button = widgets.Button(description=L["record_promise"])
        promise_button.on_click(lambda _: self._safely(lambda: self.promise(
            self._customer.value.strip(), self._promise_kind.value, self._promise_text.value,
            self._promise_due.value.strip())))
        self._promise_id = widgets.Text(description=L["promise_id"])
        keep_button = widgets.Button(description=L["kept"])
        keep_button.on_click(lambda _: self._safely(lambda: self.keep_promise(
            self._promise_id.value.strip())))
        # search
        self._search_text = widgets.Text(description=L["search"], placeholder=L["search_hint"])
        search_button = widgets.Button(description=L["search"])
        self._results = widgets.HTML()
        search_button.on_click(lambda _: self._safely(lambda: self.search(
            self._search_text.value)))

        tabs = widgets.Tab(children=[
            widgets.VBox([refresh, self._inbox]),
            widgets.VBox([widgets.HBox([self._customer, open_button]), self._card]),
            widgets.VBox([widgets.HBox([self._channel, self._direction]), self._subject,
                          self._summary, contact_button,
                          widgets.HBox([self._field, self._field_value, info_button])]),
            widgets.VBox([self._model, widgets.HBox([self._discount, self._validity]),
                          self._approver, quote_button,
                          widgets.HBox([self._quote_id, confirm_button, order_button,
                                        deliver_button])]),
            widgets.VBox([widgets.HBox([self._category, self._severity]),
                          self._complaint_text, receive_button,
                          widgets.HBox([self._complaint_id, self._step, step_button]),
                          widgets.HBox([self._action, recovery_button])]),
            widgets.VBox([self._promise_kind, self._promise_text, self._promise_due,
                          promise_button, widgets.HBox([self._promise_id, keep_button])]),
            widgets.VBox([widgets.HBox([self._search_text, search_button]), self._results]),
        ])
        for i, tab in enumerate(("tab_inbox", "tab_customer", "tab_record", "tab_quotation",
                                 "tab_complaint", "tab_promise", "tab_search")):
            tabs.set_title(i, L[tab])
        where = f", {self.user.boutique_id}" if self.user.boutique_id else ""
        title = (f"{L['title']} · {self.user.staff_id} ({self.user.role.replace('_', ' ')}"
                 f"{where}) · {self.on}")
        self.widget = widgets.VBox([widgets.HTML(f"<b>{html.escape(title)}</b>"), tabs,
                                    self._out])
        self.show_inbox()

    # ------------------------------------------------------------------ reading
    @property
    def value(self) -> list[dict[str, Any]]:
        """The records made through the desk, as plain dicts (what is handed in)."""
        return [dict(r) for r in self.made]

    def inbox(self) -> pd.DataFrame:
        """The day's work: contacts today, promises due, open complaints, repairs, quotations."""
        w, on = self.world, self.on
        parts = []
        comms = w.tables["desk_comms"]
        today = comms[comms["timestamp"].str.startswith(on)]
        parts.append(pd.DataFrame({"kind": "contact today", "record_id": today["comm_id"],
                                   "customer_id": today["customer_id"],
                                   "when": today["timestamp"],
                                   "what": today["channel"] + ": " + today["subject"]}))
        owner = None if self.user.role in ("boutique_manager", "dpo") else self.user.staff_id
        due = desk.due_promises(w, on, owner_id=owner)
        parts.append(pd.DataFrame({
            "kind": due["overdue"].map({True: "promise OVERDUE", False: "promise due"}),
            "record_id": due["promise_id"], "customer_id": due["customer_id"],
            "when": due["due"], "what": due["text"]}))
        oc = desk.open_complaints(w, on)
        parts.append(pd.DataFrame({
            "kind": oc["overdue"].map({True: "complaint LATE", False: "complaint open"}),
            "record_id": oc["complaint_id"], "customer_id": oc["customer_id"],
            "when": oc["received"], "what": oc["status"] + " · " + oc["severity"] + " · "
            + oc["summary"]}))
        rep = w.tables["desk_repairs"]
        ready = rep[rep["status"] == "ready"]
        parts.append(pd.DataFrame({"kind": "repair ready", "record_id": ready["repair_id"],
                                   "customer_id": ready["customer_id"],
                                   "when": ready["completed"],
                                   "what": ready["serial_no"] + " · " + ready["issue"]}))
        q = w.tables["desk_quotes"]
        soon = q[(q["status"] == "issued") & (q["valid_until"] >= on)
                 & (q["valid_until"] <= desk.tables.add_days(on, 3))]
        parts.append(pd.DataFrame({"kind": "quotation expiring", "record_id": soon["quote_id"],
                                   "customer_id": soon["customer_id"],
                                   "when": soon["valid_until"],
                                   "what": soon["model_id"] + " · " + soon["price_hkd"]
                                   .astype(str) + " HKD"}))
        out = pd.concat([p.astype(str) for p in parts], ignore_index=True)
        return out.reindex(columns=list(INBOX_COLUMNS)).reset_index(drop=True)

    def inbox_as_shown(self) -> pd.DataFrame:
        """The inbox in the desk's words: kinds and column headings from `labels`."""
        shown = self.inbox()
        kinds = {LABELS[k]: self.labels[k] for k in LABELS if k.startswith("kind_")}
        shown["kind"] = shown["kind"].map(lambda k: kinds.get(k, k))
        return shown.rename(columns={c: self.labels[f"col_{c}"] for c in INBOX_COLUMNS})

    def show_inbox(self) -> str:
        """Draw the inbox; its HTML."""
        self._inbox.value = _table(self.inbox_as_shown(), nothing=self.labels["nothing"])
        return self._inbox.value

    def open_customer(self, customer_id: str) -> str:
        """Show a customer: details and information this user may see, and the timeline."""
        person = desk.read_customer(self.world, self.user, customer_id)
        info = desk.read_info(self.world, self.user, customer_id)
        timeline = desk.timeline(self.world, customer_id)
        if self.user.role not in ("sales_assistant", "clienteling", "boutique_manager", "dpo"):
            timeline = timeline[timeline["kind"].isin(("repair", "purchase", "hand-off"))]
        details = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                          f"<td>{html.escape(str(v))}</td></tr>" for k, v in person.items())
        self._customer.value = customer_id
        heading = {k: html.escape(self.labels[k]) for k in ("important_information", "timeline")}
        self._card.value = (f"<table>{details}</table><b>{heading['important_information']}</b>"
                            f"{_table(info[['field', 'value', 'classification']])}"
                            f"<b>{heading['timeline']}</b>{_table(timeline.iloc[::-1], 40)}")
        return self._card.value

    def search(self, text: str, customer_id: str | None = None) -> pd.DataFrame:
        """Communications containing the words (this user must be allowed to read them)."""
        desk.read_table(self.world, self.user, "desk_comms", customer_id)
        found = desk.search_communications(self.world, text, customer_id=customer_id)
        self._results.value = _table(found[["comm_id", "customer_id", "timestamp", "channel",
                                            "subject", "summary"]])
        return found

    # ------------------------------------------------------------------ recording
    def _made(self, record_type: str, record_id: str, customer_id: str, **fields: Any) -> str:
        self.made.append({"type": record_type, "id": record_id, "customer_id": customer_id,
                          "on": self.on, "staff_id": self.user.staff_id, **fields})
        with self._out:
            print(self.labels["recorded"].format(record_type=record_type, record_id=record_id))
        self.show_inbox()
        return record_id

    def record_contact(self, customer_id: str, channel: str, summary: str, subject: str = "",
                       direction: str = "outbound", when: str | None = None,
                       order_id: str = "", repair_id: str = "") -> str:
        """Record a conversation, call, e-mail, letter, visit or message; its id."""
        when = when or f"{self.on}T12:00"
        cid = desk.record_communication(self.world, customer_id, self.user.staff_id, channel,
                                        summary, subject=subject, direction=direction,
                                        when=when, order_id=order_id, repair_id=repair_id)
        return self._made("communication", cid, customer_id, channel=channel,
                          direction=direction, subject=subject, summary=summary, when=when)

    def add_info(self, customer_id: str, field: str, value: str) -> str:
        """Record a piece of important information; its id."""
        iid = desk.record_info(self.world, customer_id, field, value, self.user.staff_id,
                               on=self.on)
        return self._made("information", iid, customer_id, field=field, value=str(value),
                          classification=cat.INFO_FIELDS[field][0])

    def quote(self, customer_id: str, model_id: str, discount: float = 0.0,
              valid_days: int = cat.QUOTE_VALIDITY_DAYS, approved_by: str = "",
              channel: str = "conversation", note: str = "") -> str:
        """Record the enquiry and quote a price in one go; the quotation id.

        If the quotation is refused, the enquiry is not kept either.
        """
        with desk.transaction(self.world):
            eid = desk.record_enquiry(self.world, customer_id, model_id, self.user.staff_id,
                                      channel=channel, note=note, on=self.on)
            qid = desk.issue_quote(self.world, eid, self.user.staff_id, discount=discount,
                                   valid_days=int(valid_days), approved_by=approved_by,
                                   on=self.on)
        q = self.world.tables["desk_quotes"].iloc[-1]
        self._quote_id.value = qid
        return self._made("quotation", qid, customer_id, enquiry_id=eid, model_id=model_id,
                          discount=float(discount), valid_until=q["valid_until"],
                          price_hkd=float(q["price_hkd"]), approved_by=approved_by)

    def _quote_row(self, quote_id: str) -> pd.Series:
        return desk.tables.row_of(self.world, "desk_quotes", quote_id)[1]

    def confirm(self, quote_id: str) -> str:
        """The customer accepts a quotation."""
        desk.confirm_quote(self.world, quote_id, self.user.staff_id, on=self.on)
        return self._made("confirmation", quote_id, self._quote_row(quote_id)["customer_id"])

    def order(self, quote_id: str) -> str:
        """Turn a confirmed quotation into an order; the order id."""
        oid = desk.place_order(self.world, quote_id, self.user.staff_id, on=self.on)
        self._quote_id.value = oid
        return self._made("order", oid, self._quote_row(quote_id)["customer_id"],
                          quote_id=quote_id)

    def deliver(self, order_id: str) -> str:
        """Hand over an ordered watch; the sale id."""
        sale = desk.deliver_order(self.world, order_id, self.user.staff_id, on=self.on)
        row = self.world.tables["desk_sales"].iloc[-1]
        return self._made("delivery", sale, row["customer_id"], order_id=order_id,
                          serial_no=row["serial_no"])

    def receive_complaint(self, customer_id: str, category: str, severity: str, summary: str,
                          channel: str = "conversation") -> str:
        """Record a complaint (status received); its id."""
        cp = desk.receive_complaint(self.world, customer_id, category, severity, summary,
                                    self.user.staff_id, channel=channel, on=self.on)
        self._complaint_id.value = cp
        return self._made("complaint", cp, customer_id, category=category, severity=severity,
                          summary=summary)

    def complaint_step(self, complaint_id: str, step: str, text: str = "") -> str:
        """acknowledge, investigate (text: finding), resolve (text: resolution) or close."""
        if step not in STEPS:
            raise DeskError(f"complaint {complaint_id}", "step", step, f"one of {tuple(STEPS)}",
                            "e.g. 'acknowledge'")
        staff, on = self.user.staff_id, self.on
        if step == "acknowledge":
            desk.acknowledge_complaint(self.world, complaint_id, staff, on=on)
        elif step == "investigate":
            desk.investigate_complaint(self.world, complaint_id, text, staff, on=on)
        elif step == "resolve":
            desk.resolve_complaint(self.world, complaint_id, text, staff, on=on)
        else:
            desk.close_complaint(self.world, complaint_id, staff, on=on)
        row = desk.tables.row_of(self.world, "desk_complaints", complaint_id)[1]
        return self._made("complaint_step", complaint_id, row["customer_id"],
                          status=STEPS[step], text=text)

    def add_recovery(self, complaint_id: str, action: str, cost_hkd: float | None = None) -> str:
        """Record a recovery action on a complaint; its id."""
        rid = desk.add_recovery(self.world, complaint_id, action, self.user.staff_id,
                                cost_hkd=cost_hkd, on=self.on)
        row = self.world.tables["desk_recoveries"].iloc[-1]
        return self._made("recovery", rid, row["customer_id"], complaint_id=complaint_id,
                          action=action, cost_hkd=float(row["cost_hkd"]))

    def promise(self, customer_id: str, kind: str, text: str, due: str,
                linked_id: str = "") -> str:
        """Record a promise made to a customer; its id."""
        pid = desk.make_promise(self.world, customer_id, self.user.staff_id, kind, text, due,
                                linked_id=linked_id, on=self.on)
        self._promise_id.value = pid
        return self._made("promise", pid, customer_id, kind=kind, text=text, due=due)

    def keep_promise(self, promise_id: str) -> str:
        """Mark a promise kept today; "on time" or "late"."""
        timing = desk.fulfil_promise(self.world, promise_id, self.user.staff_id, on=self.on)
        row = desk.tables.row_of(self.world, "desk_promises", promise_id)[1]
        self._made("promise_kept", promise_id, row["customer_id"], timing=timing)
        return timing
