"""The rules the simulator enforces on personal data, each with its source: law or policy.

Every rule the courseware teaches or grades names where it comes from: a section of the
Personal Data (Privacy) Ordinance (Cap. 486, "PDPO"), of the Unsolicited Electronic
Messages Ordinance (Cap. 593, "UEMO"), or the company's own policy, which is stricter
than the law and called company policy, never law. A training summary, not legal
advice: the section numbers let a trainee read the Ordinance itself.

Two time limits are computed here, so plans and tests use one rule:
`written_confirmation_due` (oral consent, PDPO s.35E: 14 days) and
`unsubscribe_deadline` (UEMO s.10: 10 working days).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from crm_sim.errors import PolicyError

PDPO = "PDPO (Cap. 486)"
UEMO = "UEMO (Cap. 593)"
COMPANY_POLICY = "company policy"


@dataclass(frozen=True)
class LegalRule:
    """One rule: what it says, and its source (a section, or company policy)."""

    id: str
    text: str
    source: str

    @property
    def is_law(self) -> bool:
        """True for a rule of an Ordinance; False for the company's own policy."""
        return not self.source.startswith(COMPANY_POLICY)


RULES: dict[str, LegalRule] = {r.id: r for r in (
    LegalRule("collect_for_a_purpose",
              "Collect only data adequate but not excessive for a lawful purpose, by fair "
              "means, and tell the person the purpose when collecting.",
              f"{PDPO} Sch. 1 DPP1"),
    LegalRule("use_for_the_notified_purpose",
              "Use data only for the purpose stated at collection or a directly related "
              "purpose; a new purpose needs the person's prescribed consent.",
              f"{PDPO} Sch. 1 DPP3"),
    LegalRule("statistics_exemption",
              "Data used only to prepare statistics or do research, with results that "
              "identify no one, is exempt from DPP3.", f"{PDPO} s.62"),
    LegalRule("keep_data_secure",
              "Protect data against unauthorised or accidental access, use and loss "
              "(masking, access control, no identifiers in shared tables).",
              f"{PDPO} Sch. 1 DPP4"),
    LegalRule("direct_marketing_means",
              "Direct marketing is offering or advertising goods, facilities or services "
              "to specific persons by mail, fax, e-mail or other means of communication, "
              "or by telephone calls: what counts is whether the contact offers, not its "
              "label. A face-to-face visit is not a direct-marketing means (our reading).",
              f"{PDPO} s.35A"),
    LegalRule("inform_before_marketing",
              "Before using data in direct marketing, tell the person which data and "
              "which kinds of goods or services, and give a way to consent.",
              f"{PDPO} s.35C"),
    LegalRule("consent_before_marketing",
              "No use of personal data in direct marketing without the person's consent.",
              f"{PDPO} s.35E"),
    LegalRule("confirm_oral_consent_in_writing",
              "Consent given orally must be confirmed to the person in writing within 14 "
              "days of receiving it.", f"{PDPO} s.35E"),
    LegalRule("opt_out_notice_on_first_use",
              "The first time data is used in direct marketing, tell the person they may "
              "opt out free of charge.", f"{PDPO} s.35F"),
    LegalRule("honour_opt_out",
              "Stop using the data in direct marketing when the person asks, free of "
              "charge, on every channel.", f"{PDPO} s.35G"),
    LegalRule("consent_before_passing_on",
              "Passing data to another person for their direct marketing needs the "
              "person's written consent, after being told what will be passed on.",
              f"{PDPO} s.35J-35K"),
    LegalRule("liable_for_agents",
              "What an employee or an agent (an outsourced call centre) does with the data "
              "for the company is treated as done by the company.", f"{PDPO} s.65"),
    LegalRule("sender_information",
              "A commercial e-mail or message must identify the sender and how to "
              "contact them.", f"{UEMO} s.8"),
    LegalRule("unsubscribe_facility",
              "A commercial e-mail or message must carry a working unsubscribe facility.",
              f"{UEMO} s.9"),
    LegalRule("honour_unsubscribe",
              "No more commercial messages to an address once 10 working days have passed "
              "since its unsubscribe request.", f"{UEMO} s.10"),
    LegalRule("no_purchased_list_without_own_consent",
              "A purchased list is used for nothing until each person consents to us.",
              COMPANY_POLICY),
    LegalRule("no_financial_data_for_marketing",
              "Direct marketing does not use spending or value data (the PDPO has no such "
              "rule; consent under s.35C covers the kinds of data it names).",
              COMPANY_POLICY),
    LegalRule("mask_identifiers_in_shared_tables",
              "Shared tables never show an HKID number, a phone number or an e-mail in "
              "full (how the company meets DPP4).", COMPANY_POLICY),
    LegalRule("consent_for_sales_visits",
              "A sales visit needs consent too, although a visit is not a direct-marketing "
              "means under s.35A.", COMPANY_POLICY),
)}

# Channels that are direct-marketing means under PDPO s.35A (a visit is not).
DIRECT_MARKETING_MEANS = ("phone", "email", "message", "letter")
# Channels carrying "commercial electronic messages" under the UEMO (a live person-to-
# person phone call is outside it: UEMO Sch. 1).
UEMO_CHANNELS = ("email", "message")
CONFIRMATION_DAYS = 14          # PDPO s.35E
UNSUBSCRIBE_WORKING_DAYS = 10   # UEMO s.10


def source_of(rule_id: str) -> str:
    """The source of a rule: its section, or "company policy".

    Raises:
        PolicyError: no such rule.
    """
    if rule_id not in RULES:
        raise PolicyError("rule_id", rule_id, ", ".join(RULES), "name a rule of crm_sim.law")
    return RULES[rule_id].source


def is_direct_marketing_means(channel: str) -> bool:
    """Whether a channel is a direct-marketing means (PDPO s.35A); a visit is not."""
    return channel in DIRECT_MARKETING_MEANS


def _date(value: dt.date | str, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise PolicyError(field, value, "a date YYYY-MM-DD", "pass the day it happened") \
            from exc


def written_confirmation_due(consent_date: dt.date | str) -> dt.date:
    """The last day to send written confirmation of consent given orally (PDPO s.35E)."""
    return _date(consent_date, "consent_date") + dt.timedelta(days=CONFIRMATION_DAYS)


def unsubscribe_deadline(request_date: dt.date | str,
                         holidays: Iterable[dt.date | str] = ()) -> dt.date:
    """The tenth working day after an unsubscribe request (UEMO s.10).

    Once it has passed, no more commercial messages may be sent to that address (honour
    it sooner in practice). Saturdays, Sundays and the given public holidays do not count.
    """
    day = _date(request_date, "request_date")
    off = {_date(h, "holidays") for h in holidays}
    left = UNSUBSCRIBE_WORKING_DAYS
    while left:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            left -= 1
    return day
