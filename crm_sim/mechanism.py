"""The call mechanism: the company's established rules for contacting customers.

ITCSCR304A P1 asks a trainee to "follow the established call mechanism (formats,
frequencies, regulations) in every contact". This module *is* that mechanism, as plain
data (dataclasses with `to_dict`/`from_dict`) so that a policy designer, a grader or a
notebook can read, change and serialise it, and as a checker: `CallMechanism.check`
returns every rule a `CallPlan` breaks, as structured `Violation` records a grader can
count and a trainee can act on (`summarise_violations`).

Every rule id, its meaning and the PDPO direct-marketing basis are documented in
``docs/call-mechanism.md``. The checks are vectorised with pandas (merge/groupby over
all planned calls at once): a 10,000-call plan is checked in milliseconds.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from crm_sim.errors import PolicyError
from crm_sim.law import DIRECT_MARKETING_MEANS, UEMO_CHANNELS
from crm_sim.plans import PLAN_PURPOSES, QUESTIONS, SCRIPT_BIT, SCRIPT_CATALOGUE, CallPlan
from crm_sim.schema import CHANNELS, INDUSTRIES, SEGMENTS

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

# PDPO (Cap. 486) s.35A: "direct marketing" is offering or advertising goods, facilities
# or services (or soliciting donations) through "direct marketing means": information
# sent to specific persons by mail, fax, e-mail or other means of communication, or a
# telephone call to a specific person. What counts is what a call does, not its label:
# a script with an offer section offers goods or services, whatever its purpose says.
OFFER_SECTIONS = ("offer",)
OFFER_MASK = sum(SCRIPT_BIT[s] for s in OFFER_SECTIONS)
# A face-to-face visit is not a direct-marketing means under s.35A (`crm_sim.law`): Part
# 6A does not reach it (our reading; not legal advice). The company's mechanism still
# requires consent for a promotion visit: that is company policy.
UEMO_SCRIPT_MASK = SCRIPT_BIT["identify_self"] | SCRIPT_BIT["opt_out_notice"]
LAW_UEMO = "UEMO (Cap. 593) s.8-9"
LAW_CONSENT = "PDPO (Cap. 486) s.35E"
LAW_OPT_OUT = "PDPO (Cap. 486) s.35G"
POLICY_VISIT = ("company policy: a visit is not a direct-marketing means under PDPO s.35A, "
                "but the company asks consent for a sales visit too")

# Channels bound to calling hours: a visit, a phone call or an instant message reaches a
# person at that moment; an email or a letter waits in the inbox, so any time is fine.
TIMED_CHANNELS = ("visit", "phone", "message")


@dataclass(frozen=True)
class Rule:
    """One rule of the mechanism: its id, what a breach means and how to fix it."""

    rule_id: str
    offender: str      # "customer" or "assignee": whose id the trainee message lists
    unit: str          # what one violation counts: "call", "customer" or "assignee"
    summary: str       # "{n} {unit}{s} ..." sentence for the trainee message
    fix: str
    # Where the rule comes from: a section of the law, or "company policy".
    basis: str = "company policy (the call mechanism)"


RULES: dict[str, Rule] = {r.rule_id: r for r in (
    Rule("consent_missing", "customer", "call",
         "{n} {unit}{s} {were} planned for direct marketing to customers who never gave "
         "consent", "drop the call until the customer has given direct-marketing consent, or "
         "make it a call that offers nothing (service on the existing account, a complaint, "
         "an enquiry; no offer section in the script)", LAW_CONSENT),
    Rule("consent_withdrawn", "customer", "call",
         "{n} {unit}{s} {were} planned to customers who withdrew consent",
         "drop the call, or make it a service call that offers nothing: an opt-out is "
         "honoured at once", LAW_OPT_OUT),
    Rule("over_contact", "customer", "customer",
         "{n} {unit}{s} would be contacted more often in a month than their segment allows",
         "spread or drop calls so each customer stays within max_calls_per_month "
         "(history in the same month counts)"),
    Rule("under_contact", "customer", "customer",
         "{n} {unit}{s} would get fewer contacts in a month than their segment requires",
         "add routine calls so each customer reaches min_calls_per_month"),
    Rule("calling_hours", "customer", "call",
         "{n} {unit}{s} {were} planned outside the segment's calling hours",
         "move the call inside calling_hours (and onto a weekday where weekdays_only)"),
    Rule("min_gap", "customer", "call",
         "{n} {unit}{s} {were} planned too soon after a previous contact",
         "leave at least min_gap_days between two contacts with the same customer"),
    Rule("staff_capacity", "assignee", "assignee",
         "{n} staff member{s} would work more hours in a week than they have",
         "move calls to colleagues with free hours or to another week"),
    Rule("outsourcer_capacity", "assignee", "assignee",
         "{n} outsourcer{s} would get more calls in a week than their contract covers",
         "move calls to another outsourcer, to staff, or to another week"),
    Rule("unqualified_assignee", "customer", "call",
         "{n} {unit}{s} {were} assigned to someone not qualified for the segment",
         "assign staff whose skill and product knowledge reach the segment thresholds "
         "(or an allowed outsourcer of sufficient quality)"),
    Rule("channel_not_allowed", "customer", "call",
         "{n} {unit}{s} use{verb_s} a channel the segment does not allow",
         "use one of the segment's channels"),
    Rule("script_missing", "customer", "call",
         "{n} {unit}{s} {were} missing required script sections",
         "add the segment's required_script (and the purpose's sections, e.g. "
         "opt_out_notice for promotion) to the script"),
)}


@dataclass(frozen=True)
class Violation:
    """One breach of one rule, as plain data a grader can count and a trainee can read.

    Attributes:
        rule_id: key of `RULES`.
        customer_id: the customer concerned ("" for assignee-level rules).
        staff_id: the assignee concerned (staff or outsourcer id; "" if none).
        row: the plan row (position) concerned, -1 for customer/assignee-level rules.
        when: the slot, month ("YYYY-MM") or week ("week of YYYY-MM-DD") concerned.
        message: what exactly is wrong, with the numbers.
        fix: how to fix it.
        basis: the section of the law the rule enforces, or "company policy ...".
    """

    rule_id: str
    customer_id: str
    staff_id: str
    row: int
    when: str
    message: str
    fix: str
    basis: str = ""

    @property
    def is_legal(self) -> bool:
        """True when the breach is of the law (PDPO, UEMO), not only of company policy."""
        return self.basis.startswith(("PDPO", "UEMO"))

    def to_dict(self) -> dict[str, Any]:
        """Plain data for graders and JSON."""
        return asdict(self)


@dataclass
class SegmentRules:
    """Contact rules for one market segment (ITCSCR304A K5, ITCSCR512A K4).

    Attributes:
        channels: channels the company uses with this segment.
        min_calls_per_month: contacts each customer must get per calendar month.
        max_calls_per_month: contacts a customer may get per calendar month at most.
        calling_hours: ("HH:MM", "HH:MM") window for visits, calls and messages;
            a call must start at or after the first and before the second.
        weekdays_only: whether timed contacts must fall Monday to Friday.
        min_gap_days: least time between two contacts with the same customer.
        required_script: script sections every call to this segment must contain.
        min_skill: least selling skill (0..1) of a staff member calling this segment.
        min_product_knowledge: least product knowledge (0..1) of that staff member.
        allow_outsourcers: whether outsourcers may call this segment at all.
        min_outsourcer_quality: least quality (0..1) of an outsourcer calling it.
    """

    channels: tuple[str, ...]
    min_calls_per_month: int
    max_calls_per_month: int
    calling_hours: tuple[str, str]
    weekdays_only: bool
    min_gap_days: float
    required_script: tuple[str, ...]
    min_skill: float
    min_product_knowledge: float
    allow_outsourcers: bool
    min_outsourcer_quality: float

    def validate(self, segment: str) -> None:
        """Raise `PolicyError` naming segment, field, value and fix for a bad value."""
        where = f"segment {segment!r}"
        _check_items(f"{where}: channels", self.channels, CHANNELS, nonempty=True)
        for name in ("min_calls_per_month", "max_calls_per_month"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise PolicyError(f"{where}: {name}", v, "an integer ≥ 0",
                                  f"set {name} to a whole number such as 2")
        if self.min_calls_per_month > self.max_calls_per_month:
            raise PolicyError(f"{where}: min_calls_per_month", self.min_calls_per_month,
                              f"at most max_calls_per_month ({self.max_calls_per_month})",
                              "lower the minimum or raise the maximum")
        hours = self.calling_hours
        if (not isinstance(hours, (tuple, list)) or len(hours) != 2
                or not all(isinstance(h, str) and _HHMM.match(h) for h in hours)):
            raise PolicyError(f"{where}: calling_hours", hours,
                              "two times 'HH:MM' (start, end)", "write e.g. ('09:00', '18:00')")
        if _minutes(hours[0]) >= _minutes(hours[1]):
            raise PolicyError(f"{where}: calling_hours", hours, "start before end",
                              "swap the times or widen the window")
        if not isinstance(self.weekdays_only, (bool, np.bool_)):
            raise PolicyError(f"{where}: weekdays_only", self.weekdays_only, "True or False",
                              "set weekdays_only=True for business segments")
        _check_number(f"{where}: min_gap_days", self.min_gap_days, 0, 366)
        _check_items(f"{where}: required_script", self.required_script, SCRIPT_CATALOGUE)
        for name in ("min_skill", "min_product_knowledge", "min_outsourcer_quality"):
            _check_number(f"{where}: {name}", getattr(self, name), 0, 1)
        if not isinstance(self.allow_outsourcers, (bool, np.bool_)):
            raise PolicyError(f"{where}: allow_outsourcers", self.allow_outsourcers,
                              "True or False", "set allow_outsourcers=False to keep it in-house")


@dataclass
class CallMechanism:
    """The established call mechanism of one company: segment rules plus legal rules.

    Attributes:
        industry: "ict" or "timepiece".
        segments: rules per segment; exactly the industry's segments (schema.SEGMENTS).
        channel_minutes: staff minutes one contact takes per channel (capacity planning).
        minutes_per_question: extra minutes per question in the script.
        consent_required_for: purposes the company treats as offering goods or services
            (default: promotion). A call of any purpose whose script has an offer section
            needs consent too: under PDPO s.35A what counts is whether the call offers
            goods or services, not its label. Service (the existing account, a
            complaint, an enquiry) offers nothing and needs none.
        purpose_script: script sections required per purpose, on top of the segment's.
    """

    industry: str
    segments: dict[str, SegmentRules]
    channel_minutes: dict[str, float] = field(default_factory=lambda: dict(_CHANNEL_MINUTES))
    minutes_per_question: float = 2.0
    consent_required_for: tuple[str, ...] = ("promotion",)
    purpose_script: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {"promotion": ("opt_out_notice",)})

    def __post_init__(self):
        self.validate()

    # ------------------------------------------------------------------ validation
    def validate(self) -> None:
        """Check every field; raise `PolicyError` (segment, field, value, fix) if bad."""
        if self.industry not in INDUSTRIES:
            raise PolicyError("industry", self.industry, f"one of {', '.join(INDUSTRIES)}",
                              "use CallMechanism.default('ict') or ('timepiece')")
        if not isinstance(self.segments, Mapping):
            raise PolicyError("segments", type(self.segments).__name__,
                              "a dict of segment name -> SegmentRules",
                              "start from CallMechanism.default(industry).segments")
        expected = SEGMENTS[self.industry]
        for seg in self.segments:
            if seg not in expected:
                raise PolicyError("segments", seg, f"one of {', '.join(expected)}",
                                  f"remove segment {seg!r} or fix its spelling")
        for seg in expected:
            if seg not in self.segments:
                raise PolicyError("segments", sorted(self.segments), f"rules for {seg!r} too",
                                  f"add SegmentRules for {seg!r}")
            rules = self.segments[seg]
            if not isinstance(rules, SegmentRules):
                raise PolicyError(f"segment {seg!r}", type(rules).__name__, "SegmentRules",
                                  "build it with SegmentRules(...) or from_dict")
            rules.validate(seg)
        for ch in CHANNELS:
            if ch not in self.channel_minutes:
                raise PolicyError("channel_minutes", sorted(self.channel_minutes),
                                  f"minutes for every channel, {ch!r} missing",
                                  f"add channel_minutes[{ch!r}]")
            _check_number(f"channel_minutes[{ch!r}]", self.channel_minutes[ch], 0.1, 24 * 60)
        _check_number("minutes_per_question", self.minutes_per_question, 0, 60)
        _check_items("consent_required_for", self.consent_required_for, PLAN_PURPOSES)
        for purpose, items in self.purpose_script.items():
            if purpose not in PLAN_PURPOSES:
                raise PolicyError("purpose_script", purpose, f"one of {', '.join(PLAN_PURPOSES)}",
                                  "key purpose_script by call purpose")
            _check_items(f"purpose_script[{purpose!r}]", items, SCRIPT_CATALOGUE)

    # ------------------------------------------------------------------ plain data
    @classmethod
    def default(cls, industry: str) -> CallMechanism:
        """The mechanism that ships with the world for `industry` ("ict"/"timepiece")."""
        if industry not in _DEFAULTS:
            raise PolicyError("industry", industry, f"one of {', '.join(INDUSTRIES)}",
                              "use CallMechanism.default('ict') or ('timepiece')")
        return cls(industry=industry, segments={
            seg: SegmentRules(**_tuplify(vals)) for seg, vals in _DEFAULTS[industry].items()})

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (tuples become lists)."""
        return _listify(asdict(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CallMechanism:
        """Rebuild (and validate) a mechanism from `to_dict` output."""
        if not isinstance(data, Mapping):
            raise PolicyError("mechanism", type(data).__name__, "a dict from to_dict()",
                              "pass CallMechanism.to_dict() output")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise PolicyError("mechanism", unknown[0], f"keys {', '.join(sorted(known))}",
                              f"remove or rename {unknown[0]!r}")
        kwargs = dict(data)
        segs = kwargs.get("segments")
        if not isinstance(segs, Mapping):
            raise PolicyError("segments", segs, "a dict of segment -> rule dict",
                              "pass CallMechanism.to_dict() output")
        seg_fields = {f.name for f in fields(SegmentRules)}
        built = {}
        for seg, vals in segs.items():
            if not isinstance(vals, Mapping):
                raise PolicyError(f"segment {seg!r}", vals, "a dict of rule fields",
                                  "pass CallMechanism.to_dict() output")
            bad = sorted(set(vals) ^ seg_fields)
            if bad:
                raise PolicyError(f"segment {seg!r}", bad[0],
                                  f"exactly the fields {', '.join(sorted(seg_fields))}",
                                  f"add or remove field {bad[0]!r}")
            built[seg] = SegmentRules(**_tuplify(vals))
        kwargs["segments"] = built
        if "purpose_script" in kwargs:
            kwargs["purpose_script"] = {k: tuple(v) for k, v in kwargs["purpose_script"].items()}
        if "consent_required_for" in kwargs:
            kwargs["consent_required_for"] = tuple(kwargs["consent_required_for"])
        if "channel_minutes" in kwargs:
            kwargs["channel_minutes"] = dict(kwargs["channel_minutes"])
        return cls(**kwargs)

    # ---------------------------------------------------------------- derived data
    def segment_table(self) -> pd.DataFrame:
        """One row per segment with every rule as a column (for merges)."""
        rows = []
        for seg, r in self.segments.items():
            rows.append({
                "segment": seg,
                "channel_mask": sum(1 << CHANNELS.index(c) for c in r.channels),
                "min_calls": int(r.min_calls_per_month),
                "max_calls": int(r.max_calls_per_month),
                "hour_start": _minutes(r.calling_hours[0]),
                "hour_end": _minutes(r.calling_hours[1]),
                "weekdays_only": bool(r.weekdays_only),
                "min_gap_days": float(r.min_gap_days),
                "script_required": sum(SCRIPT_BIT[s] for s in set(r.required_script)),
                "min_skill": float(r.min_skill),
                "min_pk": float(r.min_product_knowledge),
                "allow_outsourcers": bool(r.allow_outsourcers),
                "min_quality": float(r.min_outsourcer_quality),
            })
        return pd.DataFrame(rows)

    def call_minutes(self, channel: pd.Series | np.ndarray,
                     n_questions: pd.Series | np.ndarray) -> np.ndarray:
        """Planned staff minutes per call: channel base time plus time per question."""
        base = pd.Series(self.channel_minutes, dtype=float)
        return (base.reindex(np.asarray(channel, dtype=object)).to_numpy(float)
                + self.minutes_per_question * np.asarray(n_questions, dtype=float))

    # -------------------------------------------------------------------- checking
    def check(self, plan: Any, world: Any, *, rules: Iterable[str] | None = None,
              ) -> list[Violation]:
        """Every violation of this mechanism by `plan` in `world`, in rule order.

        Args:
            plan: a `CallPlan`, DataFrame or list of dicts (validated with
                `CallPlan.build`, which raises `PlanError` on malformed rows).
            world: the world (customers, staff, outsourcers, interaction history).
            rules: rule ids to run (default all of `RULES`), e.g. leave out
                "under_contact" when checking a one-week plan.

        Returns:
            A list of `Violation`, grouped by rule in `RULES` order, then by plan row.
        """
        selected = list(RULES) if rules is None else list(rules)
        for r in selected:
            if r not in RULES:
                raise PolicyError("rules", r, f"ids of mechanism.RULES: {', '.join(RULES)}",
                                  "spell the rule id as in docs/call-mechanism.md")
        plan = plan if isinstance(plan, CallPlan) else CallPlan.build(plan, world)
        ctx = _Context(self, plan, world)
        out: list[Violation] = []
        for rule_id in selected:
            frame = getattr(ctx, rule_id)()
            out.extend(_to_violations(rule_id, frame))
        return out


# ------------------------------------------------------------------- the checks
class _Context:
    """Joined plan/customer/staff/history frames shared by all rule checks of one run."""

    def __init__(self, mech: CallMechanism, plan: CallPlan, world: Any):
        self.mech = mech
        customers = world.tables["customers"][
            ["customer_id", "segment", "dm_consent", "consent_withdrawn_date"]]
        seg = mech.segment_table()
        p = plan.derived.merge(customers, on="customer_id", how="left")
        p = p.merge(seg, on="segment", how="left")
        p["minutes"] = mech.call_minutes(p["channel"], p["n_questions"])
        self.plan = p.sort_values("row", kind="stable").reset_index(drop=True)
        self.customers = customers.merge(seg, on="segment", how="left")
        self.staff = world.tables["staff"]
        self.outsourcers = world.tables["outsourcers"]
        hist = world.tables["interactions"]
        if len(p):
            # Only history that can matter: from a week before the first planned month
            # (or the longest gap before the first call) to the end of the last planned
            # month or week.
            first, last = p["ts"].min(), p["ts"].max()
            gap = max(float(r.min_gap_days) for r in mech.segments.values())
            lo = min(first.replace(day=1) - pd.Timedelta(days=7),
                     first - pd.Timedelta(days=gap))
            hi = max(last + pd.offsets.MonthEnd(0), last + pd.Timedelta(days=7)) \
                .strftime("%Y-%m-%dT23:59")
            stamp = hist["timestamp"]
            hist = hist[(stamp >= lo.strftime("%Y-%m-%dT%H:%M")) & (stamp <= hi)]
        else:
            hist = hist.iloc[:0]
        hist = hist[hist["purpose"] != "complaint"]
        self.history = pd.DataFrame({
            "customer_id": hist["customer_id"].to_numpy(),
            "assignee": hist["agent_id"].to_numpy(),
            "ts": pd.to_datetime(hist["timestamp"], format="%Y-%m-%dT%H:%M").to_numpy(),
            "minutes": hist["duration_min"].to_numpy(float),
        })

    def _frame(self, mask: np.ndarray, detail: Callable[[pd.DataFrame], Any]) -> pd.DataFrame:
        """Call-level violations: the masked plan rows, with `detail(rows)` as the text.

        The text is built for offending rows only, so a clean 10,000-call plan costs
        no string work at all.
        """
        p = self.plan[mask]
        text = detail(p) if len(p) else []
        return pd.DataFrame({"customer_id": p["customer_id"], "staff_id": p["assignee"],
                             "row": p["row"], "when": p["slot"],
                             "detail": np.asarray(text, dtype=object)})

    @functools.cached_property
    def contacts(self) -> pd.DataFrame:
        """History (outbound) and planned contacts together, tagged by source (row -1)."""
        p = self.plan
        planned = pd.DataFrame({"customer_id": p["customer_id"].to_numpy(),
                                "assignee": p["assignee"].to_numpy(), "ts": p["ts"].to_numpy(),
                                "minutes": p["minutes"].to_numpy(), "row": p["row"].to_numpy()})
        hist = self.history.assign(row=-1)
        return pd.concat([hist, planned], ignore_index=True)

    # ---- legal
    def _consent_rows(self) -> np.ndarray:
        p = self.plan
        return (offers_goods_or_services(p["purpose"], p["script_mask"], self.mech)
                & ~p["dm_consent"].astype(bool).to_numpy())

    @staticmethod
    def _what(q: pd.DataFrame) -> pd.Series:
        """'a promotion call', or 'a routine call with an offer' when the script offers."""
        offer = (q["script_mask"].to_numpy(np.int64) & OFFER_MASK) != 0
        return "a " + q["purpose"] + np.where(offer, " call with an offer", " call")

    def _with_basis(self, frame: pd.DataFrame, law: str) -> pd.DataFrame:
        """Tag each violation with its basis: the law, or company policy for a visit."""
        channel = self.plan.loc[frame.index, "channel"] if len(frame) else []
        frame["basis"] = np.where(np.isin(channel, DIRECT_MARKETING_MEANS), law, POLICY_VISIT)
        return frame

    def consent_missing(self) -> pd.DataFrame:
        p = self.plan
        mask = self._consent_rows() & (p["consent_withdrawn_date"].fillna("") == "").to_numpy()
        return self._with_basis(self._frame(
            mask, lambda q: self._what(q) + " to " + q["customer_id"] + " by " + q["channel"]
            + ", who has never given direct-marketing consent"), LAW_CONSENT)

    def consent_withdrawn(self) -> pd.DataFrame:
        p = self.plan
        mask = self._consent_rows() & (p["consent_withdrawn_date"].fillna("") != "").to_numpy()
        return self._with_basis(self._frame(
            mask, lambda q: self._what(q) + " to " + q["customer_id"] + " by " + q["channel"]
            + ", who withdrew consent on " + q["consent_withdrawn_date"]), LAW_OPT_OUT)

    # ---- frequency
    def _monthly(self) -> pd.DataFrame:
        c = self.contacts.copy()
        c["month"] = c["ts"].dt.year * 12 + c["ts"].dt.month - 1
        return c

    def over_contact(self) -> pd.DataFrame:
        c = self._monthly()
        planned_months = c.loc[c["row"] >= 0, ["customer_id", "month"]].drop_duplicates()
        counts = (c.groupby(["customer_id", "month"], sort=False).size()
                  .rename("n").reset_index())
        first_row = (c[c["row"] >= 0].groupby(["customer_id", "month"])["row"].min()
                     .rename("row").reset_index())
        counts = counts.merge(planned_months, on=["customer_id", "month"])
        counts = counts.merge(first_row, on=["customer_id", "month"])
        counts = counts.merge(self.customers[["customer_id", "segment", "max_calls"]],
                              on="customer_id")
        bad = counts[counts["n"] > counts["max_calls"]].sort_values("row")
        return pd.DataFrame({
            "customer_id": bad["customer_id"], "staff_id": "", "row": -1,
            "when": _month_text(bad["month"]),
            "detail": bad["customer_id"] + " (" + bad["segment"] + ") gets "
            + bad["n"].astype(str) + " contacts in " + _month_text(bad["month"])
            + ", more than max_calls_per_month = " + bad["max_calls"].astype(str)})

    def under_contact(self) -> pd.DataFrame:
        c = self._monthly()
        months = np.sort(c.loc[c["row"] >= 0, "month"].unique())
        need = self.customers[self.customers["min_calls"] > 0]
        if len(months) == 0 or need.empty:
            return _empty()
        grid = need[["customer_id", "segment", "min_calls"]].merge(
            pd.DataFrame({"month": months}), how="cross")
        counts = c.groupby(["customer_id", "month"]).size().rename("n").reset_index()
        grid = grid.merge(counts, on=["customer_id", "month"], how="left")
        grid["n"] = grid["n"].fillna(0).astype(np.int64)
        bad = grid[grid["n"] < grid["min_calls"]].sort_values(["month", "customer_id"])
        return pd.DataFrame({
            "customer_id": bad["customer_id"], "staff_id": "", "row": -1,
            "when": _month_text(bad["month"]),
            "detail": bad["customer_id"] + " (" + bad["segment"] + ") gets "
            + bad["n"].astype(str) + " contacts in " + _month_text(bad["month"])
            + ", fewer than min_calls_per_month = " + bad["min_calls"].astype(str)})

    # ---- timing
    def calling_hours(self) -> pd.DataFrame:
        p = self.plan
        minute = (p["ts"].dt.hour * 60 + p["ts"].dt.minute).to_numpy()
        timed = p["channel"].isin(TIMED_CHANNELS).to_numpy()
        outside = (minute < p["hour_start"].to_numpy()) | (minute >= p["hour_end"].to_numpy())
        weekend = (p["ts"].dt.day_of_week >= 5).to_numpy() & p["weekdays_only"].to_numpy(bool)
        mask = timed & (outside | weekend)

        def detail(q: pd.DataFrame) -> pd.Series:
            window = (_hhmm(q["hour_start"]) + "–" + _hhmm(q["hour_end"])
                      + np.where(q["weekdays_only"], " on weekdays", ""))
            return (q["channel"] + " to " + q["customer_id"] + " at " + q["slot"]
                    + np.where(weekend[mask], " (a weekend)", "") + "; " + q["segment"]
                    + " may be contacted " + window)
        return self._frame(mask, detail)

    def min_gap(self) -> pd.DataFrame:
        c = self.contacts.copy().sort_values(["customer_id", "ts", "row"], kind="stable")
        prev = c.groupby("customer_id", sort=False)["ts"].shift(1)
        c["gap_days"] = (c["ts"] - prev).dt.total_seconds() / 86400.0
        c["prev"] = prev
        c = c[(c["row"] >= 0) & c["gap_days"].notna()]
        c = c.merge(self.customers[["customer_id", "min_gap_days"]], on="customer_id")
        bad = c[c["gap_days"] < c["min_gap_days"]]
        mask = np.zeros(len(self.plan), dtype=bool)
        mask[bad["row"].to_numpy()] = True
        bad = bad.set_index("row")

        def detail(q: pd.DataFrame) -> pd.Series:
            b = bad.loc[q["row"].to_numpy()]
            return ("call to " + q["customer_id"].to_numpy(object) + " at "
                    + q["slot"].to_numpy(object) + " is "
                    + (b["gap_days"].round(1).astype(str) + " days after the contact at "
                       + b["prev"].dt.strftime("%Y-%m-%dT%H:%M") + "; min_gap_days = "
                       + b["min_gap_days"].astype(str)).to_numpy(object))
        return self._frame(mask, detail)

    # ---- people
    def _weekly(self) -> pd.DataFrame:
        c = self.contacts.copy()
        c["week"] = (c["ts"].dt.normalize()
                     - pd.to_timedelta(c["ts"].dt.day_of_week, unit="D"))
        planned = c.loc[c["row"] >= 0, ["assignee", "week"]].drop_duplicates()
        return c.merge(planned, on=["assignee", "week"])

    def staff_capacity(self) -> pd.DataFrame:
        c = self._weekly()
        hours = (c.groupby(["assignee", "week"])["minutes"].sum() / 60.0).rename("hours")
        hours = hours.reset_index().merge(
            self.staff[["staff_id", "capacity_hours_week"]],
            left_on="assignee", right_on="staff_id")
        bad = hours[hours["hours"] > hours["capacity_hours_week"] + 1e-9]
        bad = bad.sort_values(["week", "assignee"])
        week = "week of " + bad["week"].dt.strftime("%Y-%m-%d")
        return pd.DataFrame({
            "customer_id": "", "staff_id": bad["assignee"], "row": -1, "when": week,
            "detail": bad["assignee"] + " has " + bad["hours"].round(1).astype(str)
            + " hours of contacts in the " + week + ", capacity "
            + bad["capacity_hours_week"].astype(str) + " hours"})

    def outsourcer_capacity(self) -> pd.DataFrame:
        c = self._weekly()
        calls = c.groupby(["assignee", "week"]).size().rename("calls").reset_index()
        calls = calls.merge(self.outsourcers[["outsourcer_id", "capacity_calls_week"]],
                            left_on="assignee", right_on="outsourcer_id")
        bad = calls[calls["calls"] > calls["capacity_calls_week"]]
        bad = bad.sort_values(["week", "assignee"])
        week = "week of " + bad["week"].dt.strftime("%Y-%m-%d")
        return pd.DataFrame({
            "customer_id": "", "staff_id": bad["assignee"], "row": -1, "when": week,
            "detail": bad["assignee"] + " gets " + bad["calls"].astype(str) + " calls in the "
            + week + ", contract covers " + bad["capacity_calls_week"].astype(str)})

    def unqualified_assignee(self) -> pd.DataFrame:
        p = self.plan
        st = self.staff.set_index("staff_id")
        ou = self.outsourcers.set_index("outsourcer_id")
        skill = p["assignee"].map(st["skill"]).to_numpy(float)
        pk = p["assignee"].map(st["product_knowledge"]).to_numpy(float)
        quality = p["assignee"].map(ou["quality"]).to_numpy(float)
        is_out = p["is_outsourcer"].to_numpy(bool) & ~np.isnan(quality)
        low_skill = ~is_out & (skill < p["min_skill"].to_numpy())
        low_pk = ~is_out & (pk < p["min_pk"].to_numpy())
        not_allowed = is_out & ~p["allow_outsourcers"].to_numpy(bool)
        low_q = is_out & ~not_allowed & (quality < p["min_quality"].to_numpy())
        mask = low_skill | low_pk | not_allowed | low_q

        def detail(q: pd.DataFrame) -> pd.Series:
            def fmt(a: np.ndarray) -> pd.Series:
                return pd.Series(np.round(a[mask], 2), index=q.index).astype(str)
            why = np.select(
                [not_allowed[mask], low_q[mask], (low_skill & low_pk)[mask], low_skill[mask],
                 low_pk[mask]],
                ["outsourcers may not call " + q["segment"],
                 "outsourcer quality " + fmt(quality) + " < min_outsourcer_quality "
                 + q["min_quality"].astype(str),
                 "skill " + fmt(skill) + " < " + q["min_skill"].astype(str)
                 + " and product knowledge " + fmt(pk) + " < " + q["min_pk"].astype(str),
                 "skill " + fmt(skill) + " < min_skill " + q["min_skill"].astype(str),
                 "product knowledge " + fmt(pk) + " < min_product_knowledge "
                 + q["min_pk"].astype(str)], "")
            return (q["assignee"] + " may not call " + q["customer_id"] + " (" + q["segment"]
                    + "): " + pd.Series(why, index=q.index, dtype="string"))
        return self._frame(mask, detail)

    def channel_not_allowed(self) -> pd.DataFrame:
        p = self.plan
        bit = np.left_shift(1, p["channel"].map({c: i for i, c in enumerate(CHANNELS)})
                            .to_numpy(np.int64))
        mask = (p["channel_mask"].to_numpy(np.int64) & bit) == 0
        allowed = {s: ", ".join(r.channels) for s, r in self.mech.segments.items()}
        return self._frame(mask, lambda q: q["channel"] + " to " + q["customer_id"] + " ("
                           + q["segment"] + "); allowed: " + q["segment"].map(allowed))

    def script_missing(self) -> pd.DataFrame:
        p = self.plan
        purpose_req = p["purpose"].map({k: sum(SCRIPT_BIT[s] for s in set(v))
                                        for k, v in self.mech.purpose_script.items()})
        # UEMO (Cap. 593) s.8-9: an e-mail or message that offers must identify the sender
        # and carry an unsubscribe facility (identify_self, opt_out_notice).
        uemo = (np.isin(p["channel"], UEMO_CHANNELS)
                & offers_goods_or_services(p["purpose"], p["script_mask"], self.mech))
        uemo_req = np.where(uemo, UEMO_SCRIPT_MASK, 0)
        required = p["script_required"].to_numpy(np.int64) | \
            purpose_req.fillna(0).to_numpy(np.int64) | uemo_req
        missing = required & ~p["script_mask"].to_numpy(np.int64)
        mask = missing != 0
        law_rows = (missing & uemo_req) != 0

        def detail(q: pd.DataFrame) -> pd.Series:
            # Few distinct masks: name each once, then map (no per-call loop).
            lookup = {int(m): ", ".join(s for s, b in SCRIPT_BIT.items() if m & b)
                      for m in np.unique(missing[mask])}
            names = pd.Series(missing[mask], index=q.index).map(lookup)
            return "call to " + q["customer_id"] + " at " + q["slot"] + " lacks " + names
        frame = self._frame(mask, detail)
        frame["basis"] = np.where(law_rows[mask], LAW_UEMO, RULES["script_missing"].basis)
        return frame


# ------------------------------------------------------------- public helpers
def mechanism_for(world: Any) -> CallMechanism:
    """The mechanism in force in `world` (its own, else the industry default)."""
    mech = getattr(world, "mechanism", None)
    if isinstance(mech, CallMechanism):
        return mech
    scenario = getattr(world, "scenario", None)
    industry = getattr(scenario, "industry", None) or getattr(world, "industry", "ict")
    return CallMechanism.default(industry)


def check_plan(plan: Any, world: Any, mechanism: CallMechanism | None = None,
               **kwargs: Any) -> list[Violation]:
    """`mechanism.check(plan, world)` with the world's own mechanism by default."""
    return (mechanism or mechanism_for(world)).check(plan, world, **kwargs)


def plan_feasible(plan: Any, world: Any, mechanism: CallMechanism | None = None) -> bool:
    """Whether staff hours and outsourcer contracts can carry the plan (history included).

    Capacity is the one hard limit: a plan that breaks other rules can still be
    executed (badly), but nobody can work more hours than they have.
    """
    return not check_plan(plan, world, mechanism,
                          rules=("staff_capacity", "outsourcer_capacity"))


def summarise_violations(violations: Iterable[Violation], limit: int = 3) -> str:
    """A trainee-facing summary: one line per rule with the first offenders by id.

    Example: "3 calls were planned to customers who withdrew consent: C00123, C00451,
    C00932. Fix: drop the call or change its purpose to service: ...".
    """
    if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
        raise PolicyError("limit", limit, "an integer ≥ 1", "use limit=3")
    violations = list(violations)
    stray = [v for v in violations if not isinstance(v, Violation)]
    if stray:
        raise PolicyError("violations", type(stray[0]).__name__, "Violation records",
                          "pass the list that CallMechanism.check returned")
    if not violations:
        return "No violations: the plan follows the call mechanism."
    lines = []
    for rule_id, rule in RULES.items():
        hits = [v for v in violations if v.rule_id == rule_id]
        if not hits:
            continue
        n = len(hits)
        ids = list(dict.fromkeys(
            v.staff_id if rule.offender == "assignee" else v.customer_id for v in hits))
        shown = ", ".join(ids[:limit])
        more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
        head = rule.summary.format(n=n, unit=rule.unit, s="" if n == 1 else "s",
                                   were="was" if n == 1 else "were",
                                   verb_s="s" if n == 1 else "")
        lines.append(f"{head}: {shown}{more}. Fix: {rule.fix}.")
    return "\n".join(lines)


# ------------------------------------------------------------------- internals
def _empty() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [], "staff_id": [], "row": [], "when": [],
                         "detail": []})


def _to_violations(rule_id: str, frame: pd.DataFrame) -> list[Violation]:
    """Turn a rule's result frame into `Violation` records (one per offending row)."""
    if frame.empty:
        return []
    fix = RULES[rule_id].fix
    cols = [frame[c].astype(str).tolist() for c in ("customer_id", "staff_id", "when", "detail")]
    rows = frame["row"].astype(np.int64).tolist()
    basis = (frame["basis"].astype(str).tolist() if "basis" in frame.columns
             else [RULES[rule_id].basis] * len(rows))
    return [Violation(rule_id, c, s, r, w, d, fix, b)
            for c, s, r, w, d, b in zip(cols[0], cols[1], rows, cols[2], cols[3], basis,
                                        strict=True)]


def offers_goods_or_services(purpose: Any, script_mask: Any,
                             mechanism: CallMechanism | None = None) -> np.ndarray:
    """Per call: does it offer goods or services (direct marketing, PDPO s.35A)?

    True for a purpose the mechanism treats as offering (default: promotion) and for any
    call whose script has an offer section, whatever its label; a service call about the
    existing account, a complaint or an enquiry offers nothing.
    """
    required = mechanism.consent_required_for if mechanism is not None else ("promotion",)
    purpose = np.asarray(purpose, dtype=object)
    mask = np.asarray(script_mask, dtype=np.int64)
    return np.isin(purpose, list(required)) | ((mask & OFFER_MASK) != 0)


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _hhmm(minutes: pd.Series) -> pd.Series:
    m = minutes.astype(int)
    return (m // 60).astype(str).str.zfill(2) + ":" + (m % 60).astype(str).str.zfill(2)


def _month_text(month: pd.Series) -> pd.Series:
    m = month.astype(int)
    return (m // 12).astype(str) + "-" + (m % 12 + 1).astype(str).str.zfill(2)


def _check_number(name: str, value: Any, lo: float, hi: float) -> None:
    ok = (not isinstance(value, bool) and isinstance(value, (int, float, np.number))
          and np.isfinite(value) and lo <= value <= hi)
    if not ok:
        raise PolicyError(name, value, f"a number from {lo:g} to {hi:g}",
                          f"set {name.split(': ')[-1]} within {lo:g}..{hi:g}")


def _check_items(name: str, items: Any, allowed: tuple[str, ...], nonempty: bool = False):
    if isinstance(items, str) or not isinstance(items, (tuple, list)):
        raise PolicyError(name, items, f"a list of {', '.join(allowed)}",
                          "write it as a list, e.g. ['phone', 'email']")
    for item in items:
        if item not in allowed:
            raise PolicyError(name, item, f"one of {', '.join(allowed)}",
                              f"remove {item!r} or fix its spelling")
    if nonempty and not items:
        raise PolicyError(name, list(items), "at least one item",
                          "allow at least one channel")


def _tuplify(vals: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(vals)
    for k in ("channels", "calling_hours", "required_script"):
        if isinstance(out.get(k), list):
            out[k] = tuple(out[k])
    return out


def _listify(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _listify(v) for k, v in obj.items()}
    if isinstance(obj, (tuple, list)):
        return [_listify(v) for v in obj]
    return obj


# Staff minutes per contact, travel and write-up included (history: visit ≈ 45 min face time).
_CHANNEL_MINUTES = {"visit": 75.0, "phone": 10.0, "email": 8.0, "message": 4.0, "letter": 12.0}

_BASE = ("greeting", "identify_self")
_DEFAULTS: dict[str, dict[str, dict[str, Any]]] = {
    "ict": {
        "corporate": dict(
            channels=("visit", "phone", "email"), min_calls_per_month=1,
            max_calls_per_month=4, calling_hours=("09:00", "18:00"), weekdays_only=True,
            min_gap_days=5, required_script=_BASE + ("state_purpose", "closing"),
            min_skill=0.6, min_product_knowledge=0.6, allow_outsourcers=False,
            min_outsourcer_quality=1.0),
        "sme": dict(
            channels=("visit", "phone", "email", "message"), min_calls_per_month=0,
            max_calls_per_month=3, calling_hours=("09:00", "19:00"), weekdays_only=True,
            min_gap_days=7, required_script=_BASE + ("closing",), min_skill=0.4,
            min_product_knowledge=0.5, allow_outsourcers=True, min_outsourcer_quality=0.5),
        "individual": dict(
            channels=("phone", "email", "message", "letter"), min_calls_per_month=0,
            max_calls_per_month=2, calling_hours=("10:00", "20:00"), weekdays_only=False,
            min_gap_days=10, required_script=_BASE, min_skill=0.3,
            min_product_knowledge=0.3, allow_outsourcers=True, min_outsourcer_quality=0.4),
    },
    "timepiece": {
        "collector": dict(
            channels=("visit", "phone", "email", "message", "letter"),
            min_calls_per_month=1, max_calls_per_month=3, calling_hours=("11:00", "20:00"),
            weekdays_only=False, min_gap_days=7, required_script=_BASE + ("closing",),
            min_skill=0.5, min_product_knowledge=0.7, allow_outsourcers=False,
            min_outsourcer_quality=1.0),
        "gift_buyer": dict(
            channels=("phone", "email", "message", "letter"), min_calls_per_month=0,
            max_calls_per_month=2, calling_hours=("10:00", "20:00"), weekdays_only=False,
            min_gap_days=14, required_script=_BASE, min_skill=0.3,
            min_product_knowledge=0.4, allow_outsourcers=True, min_outsourcer_quality=0.4),
        "walk_in": dict(
            channels=("phone", "email", "message", "letter"), min_calls_per_month=0,
            max_calls_per_month=1, calling_hours=("10:00", "20:00"), weekdays_only=False,
            min_gap_days=21, required_script=("greeting",), min_skill=0.2,
            min_product_knowledge=0.3, allow_outsourcers=True, min_outsourcer_quality=0.3),
        "corporate_gifting": dict(
            channels=("visit", "phone", "email"), min_calls_per_month=1,
            max_calls_per_month=3, calling_hours=("09:00", "18:00"), weekdays_only=True,
            min_gap_days=7, required_script=_BASE + ("state_purpose", "closing"),
            min_skill=0.5, min_product_knowledge=0.5, allow_outsourcers=False,
            min_outsourcer_quality=1.0),
    },
}

__all__ = ["CallMechanism", "SegmentRules", "Violation", "RULES", "Rule", "TIMED_CHANNELS",
           "DIRECT_MARKETING_MEANS", "OFFER_SECTIONS", "offers_goods_or_services",
           "QUESTIONS", "check_plan", "plan_feasible", "summarise_violations",
           "mechanism_for"]
