"""Unit 104917L3 over 20 unseen companies: the taught rule, a naive one, another sound one.

For every performance cell: the rule the notebook teaches earns full marks on at least
19 of 20 companies; a naive rule of the right shape earns at most a quarter of the points
on every company; a different sound rule earns at least 80 % on average and on at least
19 companies (where the cell has one: some decisions have a single lawful answer).
Companies are small (200 customers), built once for the module; the value tiers, whose
truth is noisy in a small company, are checked on companies of the unit's size (600).
"""

from __future__ import annotations

import copy

import pytest
from unit_loader import evaluators_module

from autograders.checks import EvalContext, registered
from crm_sim.scenario import Scenario
from crm_sim.world import World

pytestmark = pytest.mark.slow
CODE = "104917L3"
U = evaluators_module(CODE)
N_COMPANIES = 20


def _exec(source: str, name: str):
    ns: dict = {}
    exec(source, ns)  # noqa: S102 - the unit's own variant source
    return ns[name]


def _with(rule: dict, **groups) -> dict:
    out = copy.deepcopy(rule)
    for group, changes in groups.items():
        out["groups"][group].update(changes)
    return out


def _all(kind: str, groups, **choice) -> dict:
    return {"kind": kind, "groups": {g: dict(choice) for g in groups}}


dw, ds, dd = U.dw, U.ds, U.dd
CONTACT = {"kind": "contact_rule", "groups": {
    f: {"record_as": c, "direction": "inbound",
        "if_asked_to_call": "promise_call_back_by_the_day_asked"}
    for f, c in (("walk_in_visit", "conversation"), ("phone_call", "phone"), ("email", "email"),
                 ("letter", "letter"), ("whatsapp_message", "message"))}}
INFO = {"kind": "info_rule", "groups": {
    **{m: {"record_in": "important_information"} for m in dd.INFO_FIELD_OF},
    "hkid_number": {"record_in": "do_not_record"}}}
PROMISE = _all("promise_rule", dw.PROMISE_GROUPS, act="as_soon_as_possible",
               if_blocked="tell_customer_and_rebook")
COMPLAINT = {"kind": "complaint_rule", "groups": {
    c: {"acknowledge": "same_day", "resolve_in": "5_days", "recovery": r, "escalate_to": e}
    for c, r, e in (("repair_delay", ["priority_repair", "apology"], "none"),
                    ("product_fault", ["replacement", "apology"], "boutique_manager"),
                    ("service_attitude", ["apology", "goodwill_gift"], "boutique_manager"),
                    ("billing", ["refund", "apology"], "none"),
                    ("delivery", ["apology", "voucher"], "none"),
                    ("privacy", ["apology"], "data_protection_officer"))}}
HANDOFF = {"kind": "handoff_rule", "groups": {
    k: {"send": sorted(U.HANDOFF_NEEDS[k])} for k in ds.HANDOFF_GROUPS}}
DAR = {"kind": "dar_rule", "groups": {"request": {
    "identity": "check_identity_first", "reply_within": "40_days",
    "include": "own_records_only", "fee": "no_fee"}}}
BACKUP = {"kind": "backup_rule", "groups": {"backup": {
    "when": "every_day_at_closing", "keep": "last_7",
    "restore_from": "newest_backup_that_verifies"}}}
REPORT = {"kind": "report_rule", "groups": {"monthly_report": {
    "report": "monthly_activity", "period": "last_full_month", "send_to": "boutique_manager"}}}

# cell -> (taught, naive of the right shape, another sound rule or None)
RULES = {
    "contact_test": (CONTACT, _exec(U.VARIANTS["wrong"]["contact_answer"], "contact_rule"),
                     _with(CONTACT, walk_in_visit={"record_as": "visit"})),
    "info_test": (INFO, _exec(U.VARIANTS["wrong"]["info_answer"], "info_rule"), None),
    "quote_test": (U.TAUGHT_QUOTE_RULE, _exec(U.VARIANTS["wrong"]["quote_answer"],
                                              "quote_rule"),
                   _with(U.TAUGHT_QUOTE_RULE, standard={"discount": "0%"},
                         vip={"discount": "5%", "approval": "none", "confirm_by": "letter"})),
    "promise_test": (PROMISE, _exec(U.VARIANTS["wrong"]["promise_answer"], "promise_rule"),
                     _all("promise_rule", dw.PROMISE_GROUPS, act="day_before_due",
                          if_blocked="tell_customer_and_rebook")),
    "complaint_test": (COMPLAINT, _exec(U.VARIANTS["wrong"]["complaint_answer"],
                                        "complaint_rule"),
                       _with(_with(COMPLAINT, **{c: {"acknowledge": "next_day"}
                                                 for c in dw.COMPLAINT_GROUPS}),
                             repair_delay={"recovery": ["priority_repair", "voucher"]})),
    "tier_test": (U.REFERENCE_TIER_RULE, _exec(U.VARIANTS["wrong"]["tier_answer"], "tier_rule"),
                  {"kind": "tier_rule", "groups": {"recency": {"weight": "0"},
                                                   "frequency": {"weight": "0"},
                                                   "monetary": {"weight": "1"},
                                                   "potential": {"weight": "1"}}}),
    "handoff_test": (HANDOFF, _exec(U.VARIANTS["wrong"]["handoff_answer"], "handoff_rule"),
                     None),
    "dar_test": (DAR, _exec(U.VARIANTS["wrong"]["dar_answer"], "dar_rule"),
                 _with(DAR, request={"fee": "reasonable_copying_cost"})),
    "report_test": (REPORT, _exec(U.VARIANTS["wrong"]["report_answer"], "report_rule"),
                    _with(REPORT, monthly_report={"send_to": "all_staff"})),
    "backup_test": (BACKUP, _exec(U.VARIANTS["wrong"]["backup_answer"], "backup_rule"),
                    _with(BACKUP, backup={"keep": "last_30"})),
}


@pytest.fixture(scope="module")
def scores():
    """Every rule's score on each of the 20 unseen companies: {(cell, which): [scores]}."""
    ev = registered(CODE)
    out: dict[tuple[str, str], list[float]] = {}
    for i in range(N_COMPANIES):
        ctx = EvalContext(unit=CODE, trainee_id=f"rel-{i}", trainee_seed=600 + i,
                          hidden_seed=700 + i)
        ctx._cache["hidden"] = World.build(Scenario(seed=700 + i, n_customers=200,
                                                    industry="timepiece"))
        tiers_ctx = EvalContext(unit=CODE, trainee_id=f"rel-{i}", trainee_seed=600 + i,
                                hidden_seed=800 + i)
        tiers_ctx._cache["hidden"] = World.build(Scenario(seed=800 + i, n_customers=600,
                                                          industry="timepiece"))
        for cell, rules in RULES.items():
            for which, rule in zip(("taught", "naive", "other"), rules, strict=True):
                if rule is not None:
                    where = tiers_ctx if cell == "tier_test" else ctx
                    out.setdefault((cell, which), []).append(ev[cell](rule, where).score)
    return out


@pytest.mark.parametrize("cell", sorted(RULES))
def test_taught_rule_full_marks_on_19_of_20(cell, scores):
    """The rule the notebook teaches earns full marks on at least 19 of 20 companies."""
    got = scores[(cell, "taught")]
    assert sum(s == 1.0 for s in got) >= N_COMPANIES - 1, got


@pytest.mark.parametrize("cell", sorted(RULES))
def test_naive_rule_at_most_a_quarter(cell, scores):
    """A naive rule of the right shape earns at most a quarter on every company."""
    got = scores[(cell, "naive")]
    assert max(got) <= 0.25, got


@pytest.mark.parametrize("cell", sorted(c for c, r in RULES.items() if r[2] is not None))
def test_other_sound_rule_at_least_80_percent(cell, scores):
    """A different sound rule earns at least 80 % on average and on 19 of 20 companies."""
    got = scores[(cell, "other")]
    assert sum(got) / len(got) >= 0.8, got
    assert sum(s >= 0.8 for s in got) >= N_COMPANIES - 1, got
