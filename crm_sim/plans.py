"""Call plans: the list of contacts a trainee (or a policy) intends to make.

A plan is plain data, so the grader can serialise it (`to_records`) and rebuild it in
another process (`CallPlan.build`). It is validated against one world on construction:
every customer and assignee must exist, every slot must be a real
``YYYY-MM-DDTHH:MM`` time, every channel, purpose and script item must come from the
fixed vocabularies below. Whether the plan *follows the company's rules* is a
different question, answered by `crm_sim.mechanism.CallMechanism.check`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from crm_sim.errors import PlanError
from crm_sim.schema import CHANNELS

PLAN_PURPOSES = ("routine", "promotion", "follow_up", "service")

# Script sections: the parts of a well-run call that are not questions. The mechanism
# requires some of them per segment and purpose (e.g. "opt_out_notice" for promotion).
SCRIPT_SECTIONS = (
    "greeting",
    "identify_self",
    "state_purpose",
    "consent_check",
    "opt_out_notice",
    "product_update",
    "offer",
    "closing",
)

# Questions: what a call can ask. Each one the customer answers reveals one field of the
# hidden truth table (`crm_sim.calls`), so asking more solicits more information (AC-ii)
# at the cost of time and contact fatigue.
QUESTIONS = (
    "needs",
    "budget",
    "decision_maker",
    "timeline",
    "satisfaction",
    "competitor_use",
    "referral_willingness",
    "preferred_channel",
    "pain_points",
)

SCRIPT_CATALOGUE = SCRIPT_SECTIONS + QUESTIONS
SCRIPT_BIT = {item: 1 << i for i, item in enumerate(SCRIPT_CATALOGUE)}
QUESTION_MASK = sum(SCRIPT_BIT[q] for q in QUESTIONS)

COLUMNS = ("customer_id", "slot", "channel", "assignee", "purpose", "script")
_ALIASES = {"timestamp": "slot", "when": "slot", "staff_id": "assignee",
            "agent_id": "assignee", "outsourcer_id": "assignee"}
_SLOT_RE = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$"


def script_mask(items: Iterable[str]) -> int:
    """Bit mask of script items (unknown items raise `PlanError`)."""
    mask = 0
    for item in items:
        if item not in SCRIPT_BIT:
            raise PlanError("script", item, f"one of {', '.join(SCRIPT_CATALOGUE)}",
                            "use a section or question name from plans.SCRIPT_CATALOGUE")
        mask |= SCRIPT_BIT[item]
    return mask


def mask_items(mask: int) -> list[str]:
    """The script items whose bits are set in `mask`, in catalogue order."""
    return [item for item, bit in SCRIPT_BIT.items() if mask & bit]


def _bad_rows(frame: pd.DataFrame, bad: np.ndarray, field: str, allowed: str, fix: str):
    """Raise a `PlanError` naming the first offending row (and how many more there are)."""
    if not bad.any():
        return
    idx = np.flatnonzero(bad)
    first = int(idx[0])
    more = f" ({len(idx) - 1} more rows too: {', '.join(map(str, idx[1:4]))}...)" \
        if len(idx) > 1 else ""
    value = frame[field].iloc[first] if field in frame else None
    if value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        value = None   # a blank cell: say "got None", not pandas' "nan"
    raise PlanError(f"row {first}: {field}", value, allowed + more, fix)


def _normalise_script(values: pd.Series) -> pd.Series:
    """Scripts as ';'-joined strings whatever the caller gave (list, tuple, str, None).

    A plan repeats a handful of scripts many times, so each *distinct* script is
    normalised once and the result is mapped back onto the rows.
    """
    def one(v: Any) -> str:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        if isinstance(v, str):
            parts = re.split(r"[;,]", v)
        elif isinstance(v, tuple):
            parts = [str(x) for x in v]
        else:
            raise PlanError("script", v, "a list of script items or a ';'-joined string",
                            "write e.g. ['greeting', 'needs'] or 'greeting;needs'")
        return ";".join(p.strip() for p in parts if p.strip())
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
    except TypeError:   # lists are unhashable: make them tuples, then factorise
        values = values.map(lambda v: tuple(v) if isinstance(v, (list, np.ndarray)) else v)
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
    normal = np.array([one(v) for v in uniques], dtype=object)
    return pd.Series(normal[codes] if len(codes) else [], index=values.index, dtype="string")


def _script_masks(scripts: pd.Series) -> np.ndarray:
    """Bit mask per ';'-joined script (each distinct script computed once)."""
    codes, uniques = pd.factorize(scripts.fillna(""))
    masks = np.array([script_mask(u.split(";")) if u else 0 for u in uniques], dtype=np.int64)
    return masks[codes] if len(codes) else np.zeros(0, np.int64)


class CallPlan:
    """A validated list of planned calls for one world.

    Attributes:
        frame: one row per call, columns `COLUMNS` (script as a ';'-joined string),
            in the order given.
    """

    def __init__(self, frame: pd.DataFrame):
        """Wrap an already validated frame; use `CallPlan.build` for untrusted input."""
        self.frame = frame
        self._derived: pd.DataFrame | None = None

    # ---------------------------------------------------------------- construction
    @classmethod
    def build(cls, data: Any, world: Any) -> CallPlan:
        """Build and validate a plan from a DataFrame, a list of dicts or a `CallPlan`.

        Args:
            data: the planned calls. Columns/keys: customer_id, slot ("YYYY-MM-DDTHH:MM"),
                channel, assignee (staff_id or outsourcer_id), purpose (default "routine")
                and script (list of items or "a;b" string; default empty).
            world: the world whose customers, staff and outsourcers the plan refers to.

        Raises:
            PlanError: naming the row, field, value and fix of the first problem.
        """
        if isinstance(data, CallPlan):
            data = data.frame
        if isinstance(data, pd.DataFrame):
            frame = data.copy()
        elif isinstance(data, Mapping):
            raise PlanError("plan", type(data).__name__, "a DataFrame or a list of dicts",
                            "wrap one call in a list: [ {...} ]")
        elif isinstance(data, Iterable) and not isinstance(data, (str, bytes)):
            rows = list(data)
            if not all(isinstance(r, Mapping) for r in rows):
                bad = next(r for r in rows if not isinstance(r, Mapping))
                raise PlanError("plan row", bad, "a dict per call",
                                "give each call as {'customer_id': ..., 'slot': ...}")
            frame = pd.DataFrame(rows)
        else:
            raise PlanError("plan", type(data).__name__, "a DataFrame or a list of dicts",
                            "build the plan with pandas or as a list of dicts")
        return cls(_validate(frame, world))

    from_frame = build
    from_records = build

    # ------------------------------------------------------------------- plain data
    def to_records(self) -> list[dict[str, Any]]:
        """Plain JSON-able records (script as a list), the form graders serialise."""
        out = self.frame.astype(object).to_dict("records")
        for rec in out:
            rec["script"] = [s for s in str(rec["script"]).split(";") if s]
        return out

    def to_frame(self) -> pd.DataFrame:
        """A copy of the plan as a DataFrame."""
        return self.frame.copy()

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        return f"CallPlan({len(self)} calls)"

    # -------------------------------------------------------------- derived columns
    @property
    def derived(self) -> pd.DataFrame:
        """Plan rows plus parsed time, script bit mask and question count (cached).

        Columns added: ``row`` (position), ``ts`` (datetime64), ``script_mask`` (int64),
        ``n_questions`` (int64), ``is_outsourcer`` (bool).
        """
        if self._derived is None:
            f = self.frame
            d = f.copy()
            d["row"] = np.arange(len(f), dtype=np.int64)
            d["ts"] = pd.to_datetime(f["slot"], format="%Y-%m-%dT%H:%M")
            d["script_mask"] = _script_masks(f["script"])
            d["n_questions"] = _popcount(d["script_mask"].to_numpy() & QUESTION_MASK)
            d["is_outsourcer"] = _per_unique(f["assignee"], lambda a: a.startswith("O"),
                                             "bool").to_numpy(bool)
            self._derived = d.reset_index(drop=True)
        return self._derived


def _popcount(values: np.ndarray) -> np.ndarray:
    """Number of set bits per int64 value (vectorised)."""
    v = values.astype(np.uint64)
    count = np.zeros(len(v), dtype=np.int64)
    for shift in range(len(SCRIPT_CATALOGUE)):
        count += ((v >> np.uint64(shift)) & np.uint64(1)).astype(np.int64)
    return count


def _per_unique(values: pd.Series, fn: Callable[[Any], Any], dtype: str = "string"
                ) -> pd.Series:
    """`fn` applied to each distinct value once, mapped back onto every row.

    Plans repeat the same slots, channels and staff many times, so this keeps
    validation cost proportional to the distinct values, not to the calls.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    mapped = np.array([fn(u) for u in uniques], dtype=object)
    return pd.Series(mapped[codes] if len(codes) else [], index=values.index, dtype=dtype)


def _is_slot(value: Any) -> bool:
    """Whether `value` is a real time written exactly 'YYYY-MM-DDTHH:MM'."""
    if not isinstance(value, str) or not re.match(_SLOT_RE, value):
        return False
    try:
        dt.datetime.strptime(value, "%Y-%m-%dT%H:%M")
    except ValueError:
        return False
    return True


def _validate(frame: pd.DataFrame, world: Any) -> pd.DataFrame:
    """Check a raw plan frame against `world`; return the normalised frame."""
    for alias, name in _ALIASES.items():   # accept common synonyms, even mixed per row
        if alias in frame.columns:
            frame[name] = (frame[name].where(frame[name].notna(), frame[alias])
                           if name in frame.columns else frame[alias])
            frame = frame.drop(columns=alias)
    missing = [c for c in ("customer_id", "slot", "channel", "assignee")
               if c not in frame.columns]
    if missing:
        raise PlanError("columns", sorted(map(str, frame.columns)),
                        f"must include {', '.join(missing)}",
                        "add the missing columns: customer_id, slot, channel, assignee")
    if "purpose" not in frame.columns:
        frame["purpose"] = "routine"
    if "script" not in frame.columns:
        frame["script"] = ""
    frame = frame.reset_index(drop=True)
    out = pd.DataFrame(index=frame.index)
    for col in ("customer_id", "slot", "channel", "assignee", "purpose"):
        raw = frame[col]
        if raw.isna().any():
            _bad_rows(frame, raw.isna().to_numpy(), col, "a non-empty value",
                      f"fill in {col} on every row")
        out[col] = _per_unique(raw, lambda u: str(u).strip())
    out["script"] = _normalise_script(frame["script"])

    customers = world.tables["customers"]["customer_id"]
    _bad_rows(out, ~out["customer_id"].isin(customers).to_numpy(), "customer_id",
              "a customer_id of world.tables['customers']",
              "copy ids from world.tables['customers'].customer_id")
    _bad_rows(out, ~_per_unique(out["slot"], _is_slot, "bool").to_numpy(bool), "slot",
              "a real time written 'YYYY-MM-DDTHH:MM'", "write e.g. '2025-03-04T10:30'")
    _bad_rows(out, ~out["channel"].isin(CHANNELS).to_numpy(), "channel",
              f"one of {', '.join(CHANNELS)}", "use a channel name from schema.CHANNELS")
    agents = pd.concat([world.tables["staff"]["staff_id"],
                        world.tables["outsourcers"]["outsourcer_id"]])
    _bad_rows(out, ~out["assignee"].isin(agents).to_numpy(), "assignee",
              "a staff_id of world.tables['staff'] or an outsourcer_id of "
              "world.tables['outsourcers']", "assign the call to an existing person or agency")
    _bad_rows(out, ~out["purpose"].isin(PLAN_PURPOSES).to_numpy(), "purpose",
              f"one of {', '.join(PLAN_PURPOSES)}", "pick the purpose that fits the call")
    codes, uniques = pd.factorize(out["script"])
    for k, text in enumerate(uniques):          # distinct scripts only, a handful
        bad_items = [i for i in text.split(";") if i and i not in SCRIPT_BIT]
        if bad_items:
            first = int(np.flatnonzero(codes == k)[0])
            raise PlanError(f"row {first}: script", bad_items[0],
                            f"items of {', '.join(SCRIPT_CATALOGUE)}",
                            "use section/question names from plans.SCRIPT_CATALOGUE")
    return out
