"""`ContactPolicy`: a company's customer contact policy as plain, checked data.

A policy says, per segment, what contact is for (acquisition and retention targets),
how it is made (channels and how often), how fast the company answers (service level),
who may make it (staff roles, least skill, outsourcer rules), what every contact carries
(scripts, checklists), where problems go (escalation), what training and supervision
staff get, and how the company watches it (indicators, review cadence); plus the privacy
rules every contact follows (consent, opt-out handling, data minimisation).

Why plain frozen dataclasses: a designer widget, a TOML file, a grader and the monthly
simulation all read the same object, and a frozen one cannot drift while a month runs.
Construction checks each value's *shape* (types and ranges) and raises `PolicyError`
naming field, value and fix; whether a well-formed policy is *feasible* in a given
company (capacity, reach, law, budget) is `validate(world)`'s job, which reports every
problem at once instead of stopping at the first.

The object also speaks the protocol the monthly simulation uses: `contact_plan()`,
`respects_consent`, `targets()`, `adherence(world)` and `staff_log(world, month, rng)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import pandas as pd

from crm_sim.errors import PolicyError
from crm_sim.plans import SCRIPT_SECTIONS
from crm_sim.schema import CHANNELS

PURPOSES = ("retention", "acquisition", "service")
# Purposes that offer goods or services: direct marketing under PDPO s.35A on a DM means.
MARKETING_PURPOSES = ("retention", "acquisition")
# What a contact's checklist can hold (ticked by the person making the contact).
CHECKLIST_ITEMS = (
    "consent_check",         # look up the customer's direct-marketing consent first
    "opt_out_notice",        # tell them they may opt out free of charge (PDPO s.35F)
    "identify_self",         # name the company and the caller (UEMO s.8)
    "record_outcome",        # log what happened, truthfully, the same day
    "minimum_data",          # ask and record only what the purpose needs (DPP1)
    "complaint_escalation",  # hand a complaint to the escalation role at once
)
# The indicators a monitoring system can show (K3, K7, P6, P7).
INDICATORS = (
    "new_customers",
    "retention_rate",
    "churn",
    "mobility",
    "complaints",
    "response_time",
    "adherence",
    "opt_outs",
    "satisfaction",
)


@dataclass(frozen=True)
class ChannelRule:
    """How often one channel is used with a segment, and for what.

    Attributes:
        channel: one of the world's channels (visit, phone, email, message, letter).
        per_month: planned outbound contacts per active customer per month (0..10).
        purpose: "retention", "acquisition" (referral and cross-sell asks) or "service".
    """

    channel: str
    per_month: float
    purpose: str = "retention"

    def __post_init__(self):
        _check_choice("channel", self.channel, CHANNELS)
        _check_number("per_month", self.per_month, 0.0, 10.0)
        object.__setattr__(self, "per_month", float(self.per_month))
        _check_choice("purpose", self.purpose, PURPOSES)


@dataclass(frozen=True)
class SegmentPolicy:
    """The contact policy for one segment.

    Attributes:
        segment: the segment's name in the world (e.g. "corporate").
        new_customers_per_month: acquisition target (new accounts a month).
        retention_rate: retention target, the share of active customers kept each month.
        channels: the channel rules (how often, what for).
        response_hours: service level: longest time to answer an enquiry or complaint.
        staff_roles: the staff roles who contact this segment.
        min_skill: least selling skill (0..1) of a staff member deployed to it.
        allow_outsourcers: whether call-centre agencies may contact it.
        outsourcer_share: share of its planned contacts given to agencies (0..1).
        min_outsourcer_quality: least agency quality (0..1).
        scripts: script sections every contact must contain.
        checklists: checklist items ticked on every contact.
        escalate_to: the role complaints are escalated to.
        escalation_hours: hours within which a complaint reaches that role.
        training_hours_month: training each deployed staff member gets a month.
        supervision: share of contacts a supervisor reviews (0..1).
    """

    segment: str
    new_customers_per_month: float
    retention_rate: float
    channels: tuple[ChannelRule, ...]
    response_hours: float = 24.0
    staff_roles: tuple[str, ...] = ()
    min_skill: float = 0.0
    allow_outsourcers: bool = False
    outsourcer_share: float = 0.0
    min_outsourcer_quality: float = 0.0
    scripts: tuple[str, ...] = ()
    checklists: tuple[str, ...] = ()
    escalate_to: str = ""
    escalation_hours: float = 24.0
    training_hours_month: float = 0.0
    supervision: float = 0.0

    def __post_init__(self):
        where = f"segment {self.segment!r}"
        if not isinstance(self.segment, str) or not self.segment:
            raise PolicyError("segment", self.segment, "a segment name", 'e.g. "corporate"')
        _check_number(f"{where}: new_customers_per_month", self.new_customers_per_month,
                      0.0, 100_000.0)
        _check_number(f"{where}: retention_rate", self.retention_rate, 0.0, 1.0)
        rules = tuple(_channel_rule(r, where) for r in _items(f"{where}: channels",
                                                              self.channels))
        object.__setattr__(self, "channels", rules)
        _check_number(f"{where}: response_hours", self.response_hours, 0.0, 24.0 * 60)
        roles = _strings(f"{where}: staff_roles", self.staff_roles)
        object.__setattr__(self, "staff_roles", roles)
        for name in ("min_skill", "outsourcer_share", "min_outsourcer_quality", "supervision"):
            _check_number(f"{where}: {name}", getattr(self, name), 0.0, 1.0)
        _check_bool(f"{where}: allow_outsourcers", self.allow_outsourcers)
        scripts = _strings(f"{where}: scripts", self.scripts)
        for item in scripts:
            _check_choice(f"{where}: scripts", item, SCRIPT_SECTIONS)
        object.__setattr__(self, "scripts", scripts)
        checks = _strings(f"{where}: checklists", self.checklists)
        for item in checks:
            _check_choice(f"{where}: checklists", item, CHECKLIST_ITEMS)
        object.__setattr__(self, "checklists", checks)
        if not isinstance(self.escalate_to, str):
            raise PolicyError(f"{where}: escalate_to", self.escalate_to, "a staff role",
                              'e.g. "customer_service"')
        _check_number(f"{where}: escalation_hours", self.escalation_hours, 0.0, 24.0 * 60)
        _check_number(f"{where}: training_hours_month", self.training_hours_month, 0.0, 80.0)
        for name in ("new_customers_per_month", "retention_rate", "response_hours",
                     "min_skill", "outsourcer_share", "min_outsourcer_quality",
                     "escalation_hours", "training_hours_month", "supervision"):
            object.__setattr__(self, name, float(getattr(self, name)))

    @property
    def per_month(self) -> float:
        """Planned outbound contacts per customer a month, all channels together."""
        return float(sum(r.per_month for r in self.channels))


@dataclass(frozen=True)
class PrivacyRules:
    """The privacy rules every contact follows (PDPO Cap. 486, UEMO Cap. 593).

    Attributes:
        respects_consent: no direct marketing to a customer without consent or who
            opted out (PDPO s.35E, s.35G).
        opt_out_days: calendar days within which an opt-out stops all marketing (the
            UEMO s.10 limit is 10 working days; PDPO s.35G asks to stop on request).
        confirm_oral_consent_days: days within which oral consent is confirmed in
            writing (PDPO s.35E: 14).
        data_minimisation: staff record only what the purpose needs (DPP1).
        outsourcers_check_consent: agencies look up consent before each marketing
            contact (the company answers for its agents: PDPO s.65).
        unsubscribe_in_messages: every marketing e-mail and message carries the
            sender's identity and an unsubscribe facility (UEMO s.8-9).
    """

    respects_consent: bool = True
    opt_out_days: int = 7
    confirm_oral_consent_days: int = 14
    data_minimisation: bool = True
    outsourcers_check_consent: bool = True
    unsubscribe_in_messages: bool = True

    def __post_init__(self):
        for name in ("respects_consent", "data_minimisation", "outsourcers_check_consent",
                     "unsubscribe_in_messages"):
            _check_bool(f"privacy: {name}", getattr(self, name))
        for name in ("opt_out_days", "confirm_oral_consent_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 365:
                raise PolicyError(f"privacy: {name}", value, "whole days 0..365",
                                  f"e.g. {name}=7")


@dataclass(frozen=True)
class ContactPolicy:
    """A whole customer contact policy: one `SegmentPolicy` per segment plus shared rules.

    Attributes:
        name: a title for the policy (shown in the designer and the monitoring report).
        segments: one policy per segment.
        privacy: the privacy rules.
        monthly_budget_hkd: what the company may spend on contact a month (staff time,
            agency fees, training).
        indicators: what the monitoring system shows (see `INDICATORS`).
        review_every_months: how often the indicators are reviewed with follow-up action.
    """

    name: str
    segments: tuple[SegmentPolicy, ...]
    privacy: PrivacyRules = field(default_factory=PrivacyRules)
    monthly_budget_hkd: float = 0.0
    indicators: tuple[str, ...] = ()
    review_every_months: int = 3

    def __post_init__(self):
        if not isinstance(self.name, str):
            raise PolicyError("name", self.name, "text", 'e.g. "Contact policy 2026"')
        segs = tuple(_segment(s) for s in _items("segments", self.segments))
        names = [s.segment for s in segs]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise PolicyError("segments", dupes[0], "one policy per segment",
                              f"merge the two policies for {dupes[0]!r}")
        object.__setattr__(self, "segments", segs)
        if isinstance(self.privacy, Mapping):
            object.__setattr__(self, "privacy", _build(PrivacyRules, self.privacy, "privacy"))
        if not isinstance(self.privacy, PrivacyRules):
            raise PolicyError("privacy", type(self.privacy).__name__, "PrivacyRules",
                              "pass PrivacyRules(...) or a dict of its fields")
        _check_number("monthly_budget_hkd", self.monthly_budget_hkd, 0.0, 1e9)
        object.__setattr__(self, "monthly_budget_hkd", float(self.monthly_budget_hkd))
        inds = _strings("indicators", self.indicators)
        for item in inds:
            _check_choice("indicators", item, INDICATORS)
        object.__setattr__(self, "indicators", inds)
        months = self.review_every_months
        if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 24:
            raise PolicyError("review_every_months", months, "whole months 1..24",
                              "e.g. review_every_months=3 (quarterly)")

    # ------------------------------------------------------------------ access
    def segment(self, name: str) -> SegmentPolicy:
        """The policy of one segment; PolicyError naming the segments if absent."""
        for seg in self.segments:
            if seg.segment == name:
                return seg
        raise PolicyError("segment", name, f"one of {[s.segment for s in self.segments]}",
                          "add a SegmentPolicy for it")

    def with_segment(self, seg: SegmentPolicy) -> ContactPolicy:
        """A copy with `seg` replacing (or added as) the policy of its segment."""
        others = [s for s in self.segments if s.segment != seg.segment]
        order = [s.segment for s in self.segments]
        merged = sorted([*others, seg], key=lambda s: order.index(s.segment)
                        if s.segment in order else len(order))
        return replace(self, segments=tuple(merged))

    def replace(self, **changes: Any) -> ContactPolicy:
        """A copy with top-level fields changed (checked again)."""
        return replace(self, **changes)

    # --------------------------------------------------------- simulation protocol
    def contact_plan(self) -> pd.DataFrame:
        """Planned outbound contacts: segment, channel, per_month, purpose (one row a rule)."""
        rows = [(s.segment, r.channel, r.per_month, r.purpose)
                for s in self.segments for r in s.channels]
        return pd.DataFrame({
            "segment": pd.Series([r[0] for r in rows], dtype="string"),
            "channel": pd.Series([r[1] for r in rows], dtype="string"),
            "per_month": pd.Series([r[2] for r in rows], dtype="float64"),
            "purpose": pd.Series([r[3] for r in rows], dtype="string"),
        })

    @property
    def respects_consent(self) -> bool:
        """True when no marketing contact reaches a customer without consent."""
        return bool(self.privacy.respects_consent)

    def targets(self) -> pd.DataFrame:
        """Acquisition and retention targets per segment (the KPIs are read against these)."""
        return pd.DataFrame({
            "segment": pd.Series([s.segment for s in self.segments], dtype="string"),
            "new_customers_per_month": pd.Series(
                [s.new_customers_per_month for s in self.segments], dtype="float64"),
            "retention_rate": pd.Series([s.retention_rate for s in self.segments],
                                        dtype="float64"),
        })

    def adherence(self, world: Any) -> pd.DataFrame:
        """How closely each staff member and agency follows this policy (0..1)."""
        from crm_sim.policy.adherence import adherence

        return adherence(self, world)

    def staff_log(self, world: Any, month: str, rng: Any) -> pd.DataFrame:
        """The month's contact log by staff and agencies, with their breaches in it.

        Reads the world and changes nothing (a what-if simulation stays a what-if).
        """
        from crm_sim.policy.staff_log import staff_log

        return staff_log(self, world, month, rng)

    # ------------------------------------------------------------------ checks
    def validate(self, world: Any) -> list:
        """Every infeasibility of this policy in `world` (empty when it can be launched)."""
        from crm_sim.policy.validation import validate

        return validate(self, world)

    # ------------------------------------------------------------- serialising
    def to_dict(self) -> dict[str, Any]:
        """Plain data (lists, not tuples): TOML, JSON and graders read this."""
        return _listify(asdict(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ContactPolicy:
        """Rebuild and check a policy from `to_dict` output (or a TOML file's tables)."""
        if not isinstance(data, Mapping):
            raise PolicyError("policy", type(data).__name__, "a dict from to_dict()",
                              "pass ContactPolicy.to_dict() output")
        return _build(cls, data, "policy")

    def to_toml(self) -> str:
        """The policy as TOML text (see `crm_sim.policy.toml_io`)."""
        from crm_sim.policy.toml_io import dumps

        return dumps(self)

    @classmethod
    def from_toml(cls, text: str) -> ContactPolicy:
        """Read a policy from TOML text; PolicyError for bad TOML or bad values."""
        from crm_sim.policy.toml_io import loads

        return loads(text)


# ------------------------------------------------------------------ helpers
def _build(cls, data: Mapping[str, Any], where: str):
    """`cls(**data)` after refusing unknown keys and naming missing ones."""
    known = [f.name for f in fields(cls)]
    unknown = sorted(set(map(str, data)) - set(known))
    if unknown:
        raise PolicyError(where, unknown[0], f"keys {', '.join(known)}",
                          f"remove or rename {unknown[0]!r}")
    try:
        return cls(**dict(data))
    except TypeError as exc:
        raise PolicyError(where, sorted(data), f"keys {', '.join(known)}",
                          f"give every required key ({exc})") from exc


def _segment(value: Any) -> SegmentPolicy:
    if isinstance(value, SegmentPolicy):
        return value
    if isinstance(value, Mapping):
        return _build(SegmentPolicy, value, "segments")
    raise PolicyError("segments", type(value).__name__, "SegmentPolicy or a dict",
                      "pass SegmentPolicy(segment=..., ...)")


def _channel_rule(value: Any, where: str) -> ChannelRule:
    if isinstance(value, ChannelRule):
        return value
    if isinstance(value, Mapping):
        return _build(ChannelRule, value, f"{where}: channels")
    raise PolicyError(f"{where}: channels", type(value).__name__, "ChannelRule or a dict",
                      'e.g. {"channel": "phone", "per_month": 1, "purpose": "retention"}')


def _items(name: str, value: Any) -> tuple:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise PolicyError(name, value, "a list", f"write {name} as a list [...]")
    return tuple(value)


def _strings(name: str, value: Any) -> tuple[str, ...]:
    items = _items(name, value)
    for item in items:
        if not isinstance(item, str):
            raise PolicyError(name, item, "text", "write each item in quotes")
    return items


def _check_choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in allowed:
        raise PolicyError(name, value, f"one of {', '.join(allowed)}",
                          f"pick one of the listed values for {name}")


def _check_number(name: str, value: Any, low: float, high: float) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok or not low <= float(value) <= high:     # NaN fails the comparison too
        raise PolicyError(name, value, f"a number from {low:g} to {high:g}",
                          f"set {name} within that range")


def _check_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise PolicyError(name, value, "True or False", f"set {name} to True or False")


def _listify(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _listify(v) for k, v in obj.items()}
    if isinstance(obj, (tuple, list)):
        return [_listify(v) for v in obj]
    return obj
