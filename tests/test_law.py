"""The law as the simulator enforces it: each rule tested against the section it cites.

Each test's docstring names the section (PDPO Cap. 486, UEMO Cap. 593) or says
"company policy"; a training model, not legal advice.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from minimal_world import SME, clean_rows, mini_world

from crm_sim import law, privacy
from crm_sim.calls import run_plan
from crm_sim.errors import PolicyError
from crm_sim.mechanism import CallMechanism
from crm_sim.scenario import Scenario
from crm_sim.world import World

MECH = CallMechanism.default("ict")


def _violations(rows):
    return MECH.check(rows, mini_world())


@pytest.fixture(scope="module")
def base():
    """One small ICT world, copied by each test that runs calls in it."""
    return World.build(Scenario(seed=21, n_customers=300))


def test_s35a_an_offer_is_marketing_whatever_its_label():
    """PDPO s.35A: a 'routine' call whose script offers is direct marketing (needs consent)."""
    rows = clean_rows()
    rows[2].update(script=SME + ["offer"])          # C003: SME, never consented, routine
    found = _violations(rows)
    assert [(v.rule_id, v.customer_id) for v in found] == [("consent_missing", "C003")]
    assert found[0].is_legal and found[0].basis == "PDPO (Cap. 486) s.35E"
    assert "routine call with an offer" in found[0].message


def test_s35a_service_that_offers_nothing_needs_no_consent():
    """PDPO s.35A: service (existing account, complaint, enquiry) offers nothing: no consent."""
    rows = clean_rows()
    rows[2]["purpose"] = "service"
    assert _violations(rows) == []


def test_s35a_a_visit_is_company_policy_not_law():
    """PDPO s.35A: a visit is not a direct-marketing means; consent for it is company policy."""
    rows = clean_rows()
    rows[2].update(channel="visit", purpose="promotion", script=SME + ["opt_out_notice"],
                   assignee="S001")
    found = [v for v in _violations(rows) if v.rule_id == "consent_missing"]
    assert len(found) == 1 and not found[0].is_legal
    assert found[0].basis.startswith("company policy")
    assert not law.is_direct_marketing_means("visit") and law.is_direct_marketing_means("phone")
    assert not law.RULES["consent_for_sales_visits"].is_law


def test_s35g_opt_out_is_law():
    """PDPO s.35G: marketing to a customer who opted out is a breach of the law."""
    rows = clean_rows()
    rows[1].update(purpose="promotion", script=rows[1]["script"] + ["opt_out_notice"])
    found = _violations(rows)
    assert [(v.rule_id, v.basis) for v in found] == [("consent_withdrawn",
                                                      "PDPO (Cap. 486) s.35G")]


def test_s65_an_agent_breach_is_the_company_breach():
    """PDPO s.65: an outsourced agent's unconsented promotion is a breach of the company."""
    rows = clean_rows()
    assert rows[2]["assignee"] == "O001"           # the agency calls C003
    rows[2].update(purpose="promotion", script=SME + ["opt_out_notice"])
    found = _violations(rows)
    assert [(v.rule_id, v.staff_id) for v in found] == [("consent_missing", "O001")]
    assert found[0].is_legal
    assert law.source_of("liable_for_agents") == "PDPO (Cap. 486) s.65"


def _unconsented_ids(world, n=120):
    c = world.customers
    return c.loc[~c["dm_consent"].astype(bool), "customer_id"].head(n)


def test_s35e_no_sale_on_a_call_that_may_not_offer(base):
    """PDPO s.35E: routine or service phone calls to customers without consent sell nothing."""
    w = base.copy()
    ids = _unconsented_ids(w)
    plan = pd.DataFrame({"customer_id": list(ids), "slot": "2026-01-06T10:30",
                         "channel": "phone", "assignee": "S0001", "purpose": "routine",
                         "script": "greeting;identify_self;closing"})
    summary = run_plan(w, plan)
    assert summary.answered > 20 and summary.sales == 0
    service = run_plan(w, plan.assign(purpose="service"))
    assert service.answered > 20 and service.sales == 0


def test_s35e_consented_customers_still_buy_on_routine_calls(base):
    """PDPO s.35E: with consent in force a routine call may offer, so sales still happen."""
    w = base.copy()
    c = w.customers
    ids = c.loc[c["dm_consent"].astype(bool), "customer_id"].head(150)
    plan = pd.DataFrame({"customer_id": list(ids), "slot": "2026-01-06T10:30",
                         "channel": "phone", "assignee": "S0001", "purpose": "routine",
                         "script": "greeting;identify_self;closing"})
    assert run_plan(w, plan).sales > 0


def test_s35e_oral_consent_confirmed_in_writing_within_14_days():
    """PDPO s.35E: consent given orally on 2026-03-02 must be confirmed in writing by 03-16."""
    assert law.written_confirmation_due("2026-03-02") == dt.date(2026, 3, 16)
    assert law.source_of("confirm_oral_consent_in_writing") == "PDPO (Cap. 486) s.35E"
    with pytest.raises(PolicyError, match="consent_date"):
        law.written_confirmation_due("next tuesday")


def test_uemo_s10_unsubscribe_honoured_within_10_working_days():
    """UEMO (Cap. 593) s.10: ten working days, weekends and public holidays not counted."""
    # Friday 2026-04-03 (Good Friday), Monday 2026-04-06 (Easter Monday) are holidays.
    assert law.unsubscribe_deadline("2026-04-01") == dt.date(2026, 4, 15)
    assert law.unsubscribe_deadline("2026-04-01", holidays=["2026-04-03", "2026-04-06"]) \
        == dt.date(2026, 4, 17)
    assert set(law.UEMO_CHANNELS) == {"email", "message"}
    assert {law.source_of(r) for r in ("sender_information", "unsubscribe_facility",
                                       "honour_unsubscribe")} == {
        "UEMO (Cap. 593) s.8", "UEMO (Cap. 593) s.9", "UEMO (Cap. 593) s.10"}


def test_financial_data_for_marketing_is_company_policy():
    """Company policy, not the PDPO: no spending data in direct marketing is labelled so."""
    found = privacy.check_minimisation(["customer_id", "lifetime_value"], "direct_marketing")
    assert [v.column for v in found] == ["lifetime_value"]
    assert "company policy (not a PDPO rule)" in str(found[0])
    assert not law.RULES["no_financial_data_for_marketing"].is_law


def test_dpp3_and_s62_sources():
    """PDPO Sch. 1 DPP3 (notified or directly related purpose) and s.62 (statistics) cited."""
    assert law.source_of("use_for_the_notified_purpose") == "PDPO (Cap. 486) Sch. 1 DPP3"
    assert law.source_of("statistics_exemption") == "PDPO (Cap. 486) s.62"
    assert "directly related" in law.RULES["use_for_the_notified_purpose"].text
    assert law.source_of("consent_before_passing_on") == "PDPO (Cap. 486) s.35J-35K"
    with pytest.raises(PolicyError, match="rule_id"):
        law.source_of("no_such_rule")


def test_every_rule_is_law_with_a_section_or_company_policy():
    """Every rule names a section of Cap. 486 or Cap. 593, or says company policy."""
    for rule in law.RULES.values():
        assert rule.source == law.COMPANY_POLICY or (
            rule.source.startswith(("PDPO (Cap. 486) ", "UEMO (Cap. 593) "))
            and any(ch.isdigit() for ch in rule.source)), rule


def test_uemo_s8_s9_an_offering_email_needs_sender_and_unsubscribe():
    """UEMO (Cap. 593) s.8-9: an e-mail that offers lacks its unsubscribe notice: law, not style."""
    rows = clean_rows()
    assert rows[3]["channel"] == "email"            # C004 consented: consent is not the issue
    rows[3]["script"] = rows[3]["script"] + ["offer"]
    found = _violations(rows)
    assert [(v.rule_id, v.customer_id) for v in found] == [("script_missing", "C004")]
    assert found[0].basis == "UEMO (Cap. 593) s.8-9" and found[0].is_legal
    assert "opt_out_notice" in found[0].message
    rows[3]["script"] = rows[3]["script"] + ["opt_out_notice"]
    assert _violations(rows) == []
