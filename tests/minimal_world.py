"""A hand-built five-customer world for rule-by-rule tests (tables follow schema.py).

Using exact hand-made rows lets each test name the ids a rule must report; the real
`World` is exercised by the integration tests.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from crm_sim.schema import TABLES


def _table(name: str, rows: list[dict]) -> pd.DataFrame:
    cols = TABLES[name]
    frame = pd.DataFrame(rows, columns=list(cols))
    return frame.astype(cols)


def mini_world() -> SimpleNamespace:
    """Five ICT customers, three staff, two outsourcers, one past call (Mon 2025-03-03)."""
    def cust(cid, seg, consent, withdrawn=""):
        return dict(customer_id=cid, name="Chan Tai Man", company="", segment=seg,
                    district="Wan Chai", address="1 Hennessy Road", phone="91234567",
                    email="x@example.com", hkid="", dm_consent=consent,
                    consent_date="2024-01-01" if (consent or withdrawn) else "",
                    consent_channel="email" if (consent or withdrawn) else "",
                    consent_withdrawn_date=withdrawn, preferred_channel="phone",
                    preferred_language="yue", lifetime_value=1000.0, tenure_months=12,
                    since="2024-01-01")
    customers = _table("customers", [
        cust("C001", "corporate", True),
        cust("C002", "corporate", False, "2025-02-01"),
        cust("C003", "sme", False),
        cust("C004", "individual", True),
        cust("C005", "sme", True),
    ])
    def staff(sid, skill, pk, cap):
        return dict(staff_id=sid, name="Wong Siu Ming", role="account manager", team="A",
                    skill=skill, product_knowledge=pk, soft_skill=0.6,
                    capacity_hours_week=cap)
    staff_t = _table("staff", [staff("S001", 0.9, 0.9, 40.0), staff("S002", 0.35, 0.35, 10.0),
                               staff("S003", 0.95, 0.95, 1.0)])
    outs = _table("outsourcers", [
        dict(outsourcer_id="O001", agency="Harbour Calls Ltd", cost_per_call=30.0,
             quality=0.8, capacity_calls_week=1),
        dict(outsourcer_id="O002", agency="Kowloon Contact Ltd", cost_per_call=20.0,
             quality=0.3, capacity_calls_week=100)])
    inter = _table("interactions", [
        dict(interaction_id="I0000001", customer_id="C004", agent_id="S001", channel="phone",
             timestamp="2025-03-03T10:00", purpose="routine", outcome="answered",
             duration_min=12.0, info_captured="{}", follow_up="")])
    empty = {n: _table(n, []) for n in ("contacts", "products")}
    return SimpleNamespace(
        tables={"customers": customers, "staff": staff_t, "outsourcers": outs,
                "interactions": inter, **empty},
        hidden={}, scenario=SimpleNamespace(industry="ict"), today="2025-03-03")


CORP = ["greeting", "identify_self", "state_purpose", "closing"]
SME = ["greeting", "identify_self", "closing"]


def clean_rows() -> list[dict]:
    """A March 2025 plan that breaks no rule of the default ICT mechanism."""
    return [
        dict(customer_id="C001", slot="2025-03-04T10:00", channel="visit", assignee="S001",
             purpose="routine", script=CORP + ["needs"]),
        dict(customer_id="C002", slot="2025-03-05T11:00", channel="phone", assignee="S001",
             purpose="service", script=CORP),
        dict(customer_id="C003", slot="2025-03-06T14:00", channel="phone", assignee="O001",
             purpose="routine", script=SME),
        dict(customer_id="C004", slot="2025-03-20T21:00", channel="email", assignee="S002",
             purpose="routine", script=["greeting", "identify_self"]),
        dict(customer_id="C005", slot="2025-03-07T09:30", channel="phone", assignee="S001",
             purpose="promotion", script=SME + ["opt_out_notice", "offer"]),
    ]
