"""The records desk of a Hong Kong watch retailer (unit 104917L3's engine).

Plain functions on a timepiece `World`; `open_desk(world)` adds the desk's tables once.
Every operation checks its input first and changes the world inside a transaction, so a
refused operation (a `DeskError` naming the record, the field and the fix) leaves every
table as it was. Modules, one job each:

* `catalogue` — boutiques, models, roles, limits, service levels (plain data);
* `build` — `open_desk`: the retailer's records drawn from the world's history;
* `watches` — serial-numbered sales, warranties, repairs;
* `records` — communication records, search and the customer timeline;
* `info` — important customer information with a privacy classification per field;
* `quotes` — enquiry, quotation, confirmation, order, delivery;
* `promises` — promises with owners and due dates, due and overdue, kept or broken;
* `complaints` — the complaint lifecycle, service levels and recovery actions;
* `liaison` — hand-offs to other departments with only what they need;
* `effects` — how those events move satisfaction in the behaviour model;
* `classify` — RFM, value tiers, lifetime value, potential; scoring against the truth;
* `infosys` — parameterised SQL on the store, updates, reports as pandas and HTML;
* `backups` — create, list, verify and restore backups;
* `access` — PDPO roles and access, masking, access log, retention, data access requests.
"""

from crm_sim.desk.access import (
    DataAccessExport,
    DeskUser,
    RetentionRule,
    access_log,
    apply_retention,
    customers_view,
    data_access_request,
    desk_user,
    read_customer,
    read_info,
    read_table,
    retention_due,
)
from crm_sim.desk.backups import Backups, check_live
from crm_sim.desk.build import open_desk
from crm_sim.desk.classify import (
    lifetime_value,
    potential,
    rfm,
    score_classification,
    value_tiers,
)
from crm_sim.desk.complaints import (
    acknowledge_complaint,
    add_recovery,
    close_complaint,
    handling_quality,
    investigate_complaint,
    open_complaints,
    receive_complaint,
    recovery_cost,
    resolve_complaint,
    service_levels,
)
from crm_sim.desk.errors import DeskError
from crm_sim.desk.info import important_info, info_wide, record_info
from crm_sim.desk.infosys import InfoSystem, to_html, update_record
from crm_sim.desk.liaison import department_queue, hand_off, handoff_payload, update_handoff
from crm_sim.desk.promises import (
    breach_promise,
    detect_breaches,
    due_promises,
    fulfil_promise,
    make_promise,
    overdue_promises,
)
from crm_sim.desk.quotes import (
    confirm_quote,
    decline_quote,
    deliver_order,
    discount_allowed,
    expire_quotes,
    issue_quote,
    place_order,
    record_enquiry,
    workflow,
)
from crm_sim.desk.records import (
    record_communication,
    record_communications,
    search_communications,
    timeline,
)
from crm_sim.desk.tables import HIDDEN_SCHEMAS, SCHEMAS, installed, transaction
from crm_sim.desk.watches import (
    advance_repair,
    customer_watches,
    receive_repair,
    record_sale,
    sale_of,
    servicing_history,
    turnaround,
    warranty_of,
)

__all__ = [
    "Backups", "DataAccessExport", "DeskUser", "InfoSystem", "RetentionRule", "access_log",
    "apply_retention", "check_live", "customers_view", "data_access_request", "desk_user",
    "lifetime_value", "potential", "read_customer", "read_info", "read_table",
    "retention_due", "rfm", "score_classification", "to_html", "update_record",
    "turnaround", "value_tiers",
    "HIDDEN_SCHEMAS", "SCHEMAS", "DeskError", "acknowledge_complaint", "add_recovery",
    "advance_repair", "breach_promise", "close_complaint", "confirm_quote",
    "customer_watches", "decline_quote", "deliver_order", "department_queue",
    "detect_breaches", "discount_allowed", "due_promises", "expire_quotes", "fulfil_promise",
    "hand_off", "handling_quality", "handoff_payload", "important_info", "info_wide",
    "installed", "investigate_complaint", "issue_quote", "make_promise", "open_complaints",
    "open_desk", "overdue_promises", "place_order", "receive_complaint", "receive_repair",
    "record_communication", "record_communications", "record_enquiry", "record_info",
    "record_sale", "recovery_cost", "resolve_complaint", "sale_of", "search_communications",
    "service_levels", "servicing_history", "timeline", "transaction", "update_handoff",
    "warranty_of", "workflow",
]
