"""PDPO at the records desk: who reads what, masking, the access log, retention, DARs.

Each desk role sees only what its work needs (DPP1 and DPP3, company policy putting them
into practice): a sales assistant reads the customers' contact details and information
but a VIP note only of customers of their own boutique; repair staff see a repair's
facts, the watch and a masked name and phone, nothing else; marketing sees only
customers who consented to direct marketing (PDPO s.35E) and no spending. Every read,
allowed or refused, is written to ``desk_access_log`` (DPP4: security, accountability).

`apply_retention` erases personal data of customers inactive longer than the retention
rule (PDPO s.26, DPP2(2)); `data_access_request` exports everything held about one
customer for a data access request, due within 40 days (s.19).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crm_sim.desk import catalogue as cat
from crm_sim.desk.errors import DeskError
from crm_sim.desk.info import check_customer, check_staff, important_info
from crm_sim.desk.tables import (
    add_days,
    days_between,
    frame,
    log_events,
    require,
    today_or,
    transaction,
)
from crm_sim.errors import AccessDenied
from crm_sim.privacy import mask_frame

_OBJ = object
ALL = "*"
SALES_CUSTOMER = {c: "full" for c in (
    "customer_id", "name", "company", "segment", "district", "phone", "email", "dm_consent",
    "consent_date", "preferred_channel", "preferred_language", "lifetime_value",
    "tenure_months", "since")} | {"address": "masked"}
SALES_TABLES = {t: ALL for t in (
    "desk_boutiques", "desk_models", "desk_customers", "desk_comms", "desk_sales",
    "desk_warranties", "desk_repairs", "desk_enquiries", "desk_quotes", "desk_orders",
    "desk_promises", "desk_complaints", "desk_recoveries", "desk_handoffs")}


@dataclass(frozen=True)
class RoleAccess:
    """What one desk role may read.

    Attributes:
        customer_columns: customers column -> "full" or "masked" (others refused).
        info: Classifications of important information it may read.
        own_boutique_restricted: Restricted information only of its boutique's customers.
        tables: desk table -> columns it may read (ALL for every column).
        consented_only: Only customers with direct-marketing consent.
        departments: For hand-offs: only those sent to these departments (None = all).
        purpose: What the role reads data for (written to the access log).
    """

    customer_columns: dict = field(default_factory=dict)
    info: tuple = ()
    own_boutique_restricted: bool = True
    tables: dict = field(default_factory=dict)
    consented_only: bool = False
    departments: tuple | None = None
    purpose: str = "service"


ROLE_ACCESS: dict[str, RoleAccess] = {
    "sales_assistant": RoleAccess(SALES_CUSTOMER, cat.CLASSIFICATIONS, True, SALES_TABLES),
    "clienteling": RoleAccess(SALES_CUSTOMER, cat.CLASSIFICATIONS, True, SALES_TABLES),
    "boutique_manager": RoleAccess(SALES_CUSTOMER | {"hkid": "masked"}, cat.CLASSIFICATIONS,
                                   True, SALES_TABLES),
    "repair_staff": RoleAccess(
        {"customer_id": "full", "name": "masked", "phone": "masked",
         "preferred_language": "full"}, (), True,
        {"desk_models": ALL, "desk_repairs": ALL, "desk_warranties": ALL,
         "desk_sales": ("sale_id", "customer_id", "model_id", "serial_no", "sale_date"),
         "desk_handoffs": ALL}, departments=("after_sales",), purpose="repair"),
    "marketing": RoleAccess(
        {c: "full" for c in ("customer_id", "name", "email", "phone", "district",
                             "dm_consent", "preferred_channel", "preferred_language")},
        ("general", "personal"), True,
        {"desk_models": ALL, "desk_boutiques": ALL,
         "desk_customers": ("customer_id", "home_boutique_id", "kind"),
         "desk_handoffs": ALL}, consented_only=True, departments=("marketing",),
        purpose="direct_marketing"),
    "finance": RoleAccess(
        {c: "full" for c in ("customer_id", "name", "company", "address", "phone", "email")}
        | {"hkid": "masked"}, (), True,
        {"desk_models": ALL, "desk_orders": ALL, "desk_sales": ALL, "desk_quotes": ALL,
         "desk_recoveries": ALL, "desk_handoffs": ALL}, departments=("finance",),
        purpose="billing"),
    "logistics": RoleAccess(
        {c: "full" for c in ("customer_id", "name", "phone", "address", "district")}, (), True,
        {"desk_models": ALL, "desk_handoffs": ALL,
         "desk_orders": ("order_id", "customer_id", "model_id", "boutique_id", "ordered_on",
                         "serial_no", "status")}, departments=("logistics",),
        purpose="delivery"),
    "dpo": RoleAccess({}, cat.CLASSIFICATIONS, False, {}, purpose="data_protection"),
}
LOG_COLUMNS = ("access_id", "on", "staff_id", "role", "boutique_id", "table_name",
               "customer_id", "columns", "decision", "reason")


@dataclass(frozen=True)
class DeskUser:
    """Someone at the desk: staff id, desk role, boutique ("" for back office), department."""

    staff_id: str
    role: str
    boutique_id: str
    department: str


def desk_user(world: Any, staff_id: str) -> DeskUser:
    """The desk user of a staff id (role and boutique from ``desk_staff``)."""
    require(world)
    row = check_staff(world, staff_id, "desk user")
    return DeskUser(staff_id, row["desk_role"], row["boutique_id"], row["department"])


def _rules(user: Any) -> RoleAccess:
    if not isinstance(user, DeskUser) or user.role not in ROLE_ACCESS:
        raise DeskError("desk user", "user", user, "a DeskUser (desk_user(world, staff_id))",
                        "get one with desk.access.desk_user(world, 'S0001')")
    return ROLE_ACCESS[user.role]


def _log(world: Any, user: DeskUser, table: str, customer_id, columns: str, decision: str,
         reason: str = "") -> None:
    """One row of the access log per read (dates are the world's, so a replay is identical)."""
    log = world.tables["desk_access_log"]
    next_id = int(log["access_id"].iloc[-1][1:]) + 1 if len(log) else 1
    world.append_rows("desk_access_log", frame("desk_access_log", {
        "access_id": [f"A{next_id:07d}"], "on": [world.today], "staff_id": [user.staff_id],
        "role": [user.role], "boutique_id": [user.boutique_id], "table_name": [table],
        "customer_id": [customer_id or ""], "columns": [columns], "decision": [decision],
        "reason": [reason]}))


def _deny(world, user, table, customer_id, what, reason) -> AccessDenied:
    _log(world, user, table, customer_id, what, "denied", reason)
    return AccessDenied(user.role, what, ROLE_ACCESS[user.role].purpose)


def _consented(world: Any) -> pd.Series:
    c = world.customers
    return pd.Series(c["dm_consent"].to_numpy(bool), index=c["customer_id"].to_numpy(_OBJ))


def customers_view(world: Any, user: DeskUser, customer_ids=None) -> pd.DataFrame:
    """The customers table as this user may see it: allowed columns, masked where masked."""
    rules = _rules(user)
    df = world.customers
    if customer_ids is not None:
        ids = [customer_ids] if isinstance(customer_ids, str) else list(customer_ids)
        df = df[df["customer_id"].isin(ids)]
    if rules.consented_only:
        df = df[df["dm_consent"].to_numpy(bool)]
    if user.role == "dpo":
        _log(world, user, "customers", _one(customer_ids), ALL, "allowed")
        return df.reset_index(drop=True)
    cols = [c for c in df.columns if c in rules.customer_columns]
    masked = [c for c in cols if rules.customer_columns[c] == "masked"]
    out = mask_frame(df[cols].reset_index(drop=True), masked) if masked else \
        df[cols].reset_index(drop=True)
    _log(world, user, "customers", _one(customer_ids), ",".join(cols), "allowed")
    return out


def _one(customer_ids) -> str:
    return customer_ids if isinstance(customer_ids, str) else ""


def read_customer(world: Any, user: DeskUser, customer_id: str) -> dict:
    """One customer's details as this user may see them (a dict); logged.

    Raises:
        AccessDenied: Marketing reading a customer without direct-marketing consent.
    """
    check_customer(world, customer_id)
    rules = _rules(user)
    if rules.consented_only and not bool(_consented(world)[customer_id]):
        raise _deny(world, user, "customers", customer_id, "customers.*",
                    "no direct-marketing consent (PDPO s.35E)")
    return customers_view(world, user, customer_id).iloc[0].to_dict()


def read_info(world: Any, user: DeskUser, customer_id: str | None = None,
              fields=None) -> pd.DataFrame:
    """Important information this user may read (newest value per field); logged.

    Without `fields`, what the user may not read is left out. Asking for a field the
    user may not read for a customer (a sales assistant asking for another boutique's
    VIP note) raises AccessDenied and is logged as refused.
    """
    rules = _rules(user)
    info = important_info(world, customer_id)
    if fields is not None:
        fields = [fields] if isinstance(fields, str) else list(fields)
        unknown = [f for f in fields if f not in cat.INFO_FIELDS]
        if unknown:
            raise DeskError("information", "fields", unknown, f"fields of {tuple(cat.INFO_FIELDS)}",
                            "check the spelling")
        info = info[info["field"].isin(fields)]
    allowed = info["classification"].isin(rules.info).to_numpy(bool).copy()
    if rules.own_boutique_restricted and user.role != "dpo":
        home = world.tables["desk_customers"].set_index("customer_id")["home_boutique_id"]
        own = info["customer_id"].map(home).to_numpy(_OBJ) == user.boutique_id
        allowed &= (info["classification"] != "restricted").to_numpy(bool) | own
    if rules.consented_only:
        allowed &= info["customer_id"].map(_consented(world)).fillna(False).to_numpy(bool)
    if fields is not None:
        # a field the role may never read is refused whether or not a value is on file
        never = [f for f in fields if cat.INFO_FIELDS[f][0] not in rules.info]
        if customer_id is not None and rules.own_boutique_restricted and user.role != "dpo":
            home = world.tables["desk_customers"].set_index("customer_id")["home_boutique_id"]
            if home[customer_id] != user.boutique_id:
                never += [f for f in fields if cat.INFO_FIELDS[f][0] == "restricted"]
        refused = set(info.loc[~allowed, "field"]) | set(never)
    if fields is not None and refused:
        what = ",".join(sorted(refused))
        raise _deny(world, user, "desk_info", customer_id or "", what,
                    "not needed for this role, another boutique's restricted note, or no "
                    "consent")
    kept = info[allowed].reset_index(drop=True)
    withheld = int((~allowed).sum())
    _log(world, user, "desk_info", customer_id or "", ",".join(fields) if fields else ALL,
         "allowed", f"{withheld} withheld" if withheld else "")
    return kept


def read_table(world: Any, user: DeskUser, table: str, customer_id: str | None = None) -> \
        pd.DataFrame:
    """A desk table as this user may read it (allowed columns and rows only); logged.

    Raises:
        AccessDenied: The role may not read this table (the refusal is logged).
    """
    rules = _rules(user)
    if table not in world.tables or not table.startswith("desk_") or table in (
            "desk_access_log", "desk_events", "desk_info"):
        if user.role == "dpo" and table in ("desk_access_log", "desk_events"):
            pass
        elif table == "desk_info":
            raise DeskError("read", "table", table, "a record table",
                            "read information with read_info (it is classified per field)")
        elif table in world.tables or table in ("desk_truth", "latent"):
            raise _deny(world, user, table, customer_id, f"{table}.*", "not a desk record "
                        "table this role reads")
        else:
            raise DeskError("read", "table", table, "a desk_* table", "e.g. 'desk_comms'")
    df = world.tables[table]
    if user.role != "dpo":
        if table not in rules.tables:
            raise _deny(world, user, table, customer_id, f"{table}.*",
                        f"a {user.role.replace('_', ' ')} does not need it")
        cols = list(df.columns) if rules.tables[table] == ALL else list(rules.tables[table])
        df = df[cols]
        if table == "desk_handoffs" and rules.departments is not None:
            df = df[world.tables[table]["department"].isin(rules.departments).to_numpy(bool)]
        if rules.consented_only and "customer_id" in df.columns:
            df = df[df["customer_id"].map(_consented(world)).fillna(False).to_numpy(bool)]
    if customer_id is not None and "customer_id" in df.columns:
        df = df[df["customer_id"] == customer_id]
    _log(world, user, table, customer_id or "", ",".join(df.columns), "allowed")
    return df.reset_index(drop=True)


def access_log(world: Any, user: DeskUser) -> pd.DataFrame:
    """The access log (the DPO and boutique managers only; reading it is logged too)."""
    if _rules(user) and user.role not in ("dpo", "boutique_manager"):
        raise _deny(world, user, "desk_access_log", "", "desk_access_log.*",
                    "only the DPO and managers audit access")
    _log(world, user, "desk_access_log", "", ALL, "allowed")
    log = world.tables["desk_access_log"]
    if user.role == "boutique_manager":
        log = log[log["boutique_id"] == user.boutique_id]
    return log.reset_index(drop=True)


# --------------------------------------------------------------------------- retention
@dataclass(frozen=True)
class RetentionRule:
    """Personal data is kept while needed: erased `inactive_months` after the last activity.

    Company policy under PDPO s.26 and DPP2(2) (keep no longer than necessary). Customers
    with an open order, repair, complaint or promise are kept whatever their age.
    """

    inactive_months: int = cat.RETENTION_MONTHS


def last_activity(world: Any) -> pd.Series:
    """The last dated record of each customer (customers with none: the day they joined)."""
    require(world)
    parts = []
    for table, column in (("desk_comms", "timestamp"), ("desk_sales", "sale_date"),
                          ("desk_repairs", "received"), ("desk_orders", "ordered_on"),
                          ("desk_enquiries", "received"), ("desk_complaints", "received")):
        df = world.tables[table]
        parts.append(pd.DataFrame({"customer_id": df["customer_id"].to_numpy(_OBJ),
                                   "day": df[column].str.slice(0, 10).to_numpy(_OBJ)}))
    c = world.customers
    parts.append(pd.DataFrame({"customer_id": c["customer_id"].to_numpy(_OBJ),
                               "day": c["since"].to_numpy(_OBJ)}))
    allrows = pd.concat(parts, ignore_index=True)
    last = allrows.groupby("customer_id", sort=False)["day"].max()
    return last.reindex(c["customer_id"].to_numpy(_OBJ))


def retention_due(world: Any, on: str | None = None,
                  rule: RetentionRule = RetentionRule()) -> pd.DataFrame:
    """Customers whose personal data the rule says to erase on `on`, with why."""
    on = today_or(world, on, "retention")
    last = last_activity(world)
    months = days_between(last.to_numpy(_OBJ), np.full(len(last), on, _OBJ)) / 30.44
    busy = set()
    for table, column, open_states in (("desk_orders", "status", ("placed",)),
                                       ("desk_repairs", "status", ("received", "in_repair",
                                                                   "ready")),
                                       ("desk_complaints", "status", cat.COMPLAINT_STATES[:4]),
                                       ("desk_promises", "status", ("open",))):
        df = world.tables[table]
        busy |= set(df.loc[df[column].isin(open_states), "customer_id"])
    erased = world.customers["name"].to_numpy(_OBJ) == "[erased]"
    due = (months > rule.inactive_months) & ~pd.Index(last.index).isin(list(busy)) & ~erased
    return pd.DataFrame({"customer_id": last.index[due].to_numpy(_OBJ),
                         "last_activity": last.to_numpy(_OBJ)[due],
                         "months_inactive": np.round(months[due], 1)})


def apply_retention(world: Any, staff_id: str, on: str | None = None,
                    rule: RetentionRule = RetentionRule()) -> list[str]:
    """Erase the personal data `retention_due` lists (the DPO only); the customer ids.

    Names become "[erased]"; phone, e-mail, address and HKID are emptied; their important
    information and communication summaries are erased. Ids and amounts stay, so reports
    still add up.
    """
    user = desk_user(world, staff_id)
    if user.role != "dpo":
        raise _deny(world, user, "customers", "", "retention", "only the DPO applies the "
                    "retention rule")
    due = retention_due(world, on, rule)
    ids = due["customer_id"].to_numpy(_OBJ)
    if not len(ids):
        return []
    on = today_or(world, on, "retention")
    with transaction(world):
        c = world.customers.copy()
        hit = c["customer_id"].isin(ids).to_numpy(bool)
        c.loc[hit, "name"] = "[erased]"
        for column in ("phone", "email", "address", "hkid"):
            c.loc[hit, column] = ""
        world.tables["customers"] = c.astype(world.schema["customers"])
        for table, column, text in (("desk_info", "value", "[erased]"),
                                    ("desk_comms", "summary", "[erased under the retention "
                                                              "rule]")):
            df = world.tables[table].copy()
            df.loc[df["customer_id"].isin(ids).to_numpy(bool), column] = text
            world.tables[table] = df.astype(world.schema[table])
        log_events(world, on, "customer", ids, ids, "erased", staff_id,
                   f"inactive over {rule.inactive_months} months")
    return list(ids)


# --------------------------------------------------------------------------- DAR
@dataclass
class DataAccessExport:
    """Everything held about one customer, for a data access request (PDPO s.18).

    Attributes:
        customer_id: Whose data.
        requested_on: The day the request arrived.
        due: The last day to answer (40 days, s.19(1)).
        tables: Table name -> that customer's rows (no other customer's data).
    """

    customer_id: str
    requested_on: str
    due: str
    tables: dict[str, pd.DataFrame]

    def to_json(self) -> str:
        """The export as JSON text (what is sent to the customer)."""
        return json.dumps({"customer_id": self.customer_id, "requested_on": self.requested_on,
                           "due": self.due,
                           "tables": {k: json.loads(v.to_json(orient="records"))
                                      for k, v in self.tables.items()}},
                          ensure_ascii=False, indent=1)

    def to_html(self) -> str:
        """The export as one HTML page of tables."""
        from crm_sim.desk.infosys import to_html

        return "".join(to_html(df, name) for name, df in self.tables.items())


DAR_TABLES = ("desk_customers", "desk_info", "desk_comms", "desk_sales", "desk_warranties",
              "desk_repairs", "desk_enquiries", "desk_quotes", "desk_orders", "desk_promises",
              "desk_complaints", "desk_recoveries", "desk_handoffs", "desk_access_log")


def data_access_request(world: Any, customer_id: str, staff_id: str,
                        on: str | None = None) -> DataAccessExport:
    """Collect one customer's personal data for a data access request (the DPO only).

    The request and its due date go to the audit trail; the read to the access log.
    """
    check_customer(world, customer_id)
    user = desk_user(world, staff_id)
    if user.role != "dpo":
        raise _deny(world, user, "customers", customer_id, "data access request",
                    "the DPO answers data access requests")
    on = today_or(world, on, f"data access request of {customer_id}")
    tables = {"customers": world.customers[world.customers["customer_id"] == customer_id]
              .reset_index(drop=True)}
    for name in DAR_TABLES:
        df = world.tables[name]
        tables[name] = df[df["customer_id"] == customer_id].reset_index(drop=True)
    due = add_days(on, cat.DAR_DAYS)
    with transaction(world):
        _log(world, user, "data_access_request", customer_id, ",".join(tables), "allowed",
             f"due {due}")
        log_events(world, on, "customer", customer_id, customer_id, "data access request",
                   staff_id, f"due {due}")
    return DataAccessExport(customer_id, on, due, tables)
