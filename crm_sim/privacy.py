"""Personal data handling under the PDPO: masking, leak detection, minimisation, access.

The Personal Data (Privacy) Ordinance asks a business to collect and use no more
personal data than a purpose needs (Data Protection Principles 1 and 3) and to keep it
safe from unauthorised access (DPP 4). The simulator turns those principles into four
small, testable tools that trainees and graders share:

* **masking** (`mask_hkid`, `mask_phone`, `mask_email`, `mask_name`, `mask_address`,
  `mask_frame`) so a table can be shown or shared without exposing identifiers;
* **leak detection** (`find_leaks`) that scans *every* column of a table for unmasked
  HKID numbers, phone numbers and e-mail addresses in the formats people really type;
  graders fail a shared table on any hit;
* **data minimisation** (`PURPOSES`, `check_minimisation`): which columns each purpose
  (direct marketing, service, analysis, billing) may use;
* **role-based access** (`AccessPolicy`, `guarded_view`): a view of the world that only
  returns the columns a role may see for a purpose, masks what it may only see masked,
  raises `AccessDenied` otherwise, and writes every decision to the ``access_log`` table.

Which of these rules are law and which are company policy: the masking of every
identifier in a shared table and the purpose-category table put DPP1 (not excessive),
DPP3 (use) and DPP4 (security) into practice, but their details are company policy; the
exclusion of financial data from direct marketing is company policy only (the PDPO has no
such rule). `crm_sim.law.RULES` lists every rule with its section or "company policy".

Only synthetic data ever passes through here. This is training material, not legal advice
(see docs/privacy.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crm_sim.errors import AccessDenied, PolicyError
from crm_sim.providers.hk import hkid as _hkid
from crm_sim.schema import PERSONAL_COLUMNS

__all__ = [
    "ACCESS_LOG_COLUMNS",
    "CATEGORIES",
    "PURPOSES",
    "PURPOSE_CATEGORIES",
    "ROLES",
    "AccessPolicy",
    "GuardedView",
    "Leak",
    "Violation",
    "check_minimisation",
    "column_category",
    "find_leaks",
    "guarded_view",
    "hkid_check_digit",
    "mask_address",
    "mask_email",
    "mask_frame",
    "mask_hkid",
    "mask_name",
    "mask_phone",
]

# --------------------------------------------------------------------------- patterns
# HKID: one or two letters, six digits, a check digit (0-9 or A), usually in brackets.
_HKID_PAREN = r"(?<![A-Za-z0-9])[A-Za-z]{1,2}\d{6}\s?\(\s?[0-9Aa]\s?\)"
# Bare forms "A1234567", "A123456-7", "A123456 7": same shape without brackets. Single
# prefixes I, O, Q and U are not issued (too easily misread), which keeps engine ids such
# as interaction "I0000001" from looking like HKIDs.
_HKID_BARE = (
    r"(?<![A-Za-z0-9])(?:[A-HJ-NPR-TV-Z]|[A-Z]{2})\d{6}[\s-]?[0-9A](?![A-Za-z0-9])"
)
# HK phone: 8 digits starting 2-9, optional +852 / 00852 / (852) prefix, optional
# space, dot or dash in the middle. Digits, '*' or '.digit' around it mean it is part of
# something else (a longer number, an amount, an already-masked value).
_PHONE = (
    r"(?<![\w*+.])(?:(?:\+|00)?\(?852\)?[\s.-]?)?[2-9]\d{3}[\s.-]?\d{4}(?![\w*]|\.\d)"
)
_EMAIL = r"(?<![\w.%+*-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"

# Anything any pattern above can match contains one of these; masked values contain none.
_CANDIDATE = r"\d{6}|\d{4}[\s.-]\d{4}|[\w.%+-]@"

_CANDIDATE_RE = re.compile(_CANDIDATE)
_HKID_PAREN_RE = re.compile(_HKID_PAREN)
_HKID_BARE_RE = re.compile(_HKID_BARE)
_PHONE_RE = re.compile(_PHONE)
_EMAIL_RE = re.compile(_EMAIL)
_ID_COLUMN_RE = re.compile(r"(^|_)id$", re.IGNORECASE)
_PHONE_NAME_RE = re.compile(r"phone|tel|mobile|fax|whatsapp", re.IGNORECASE)

# --------------------------------------------------------------------------- masking


def hkid_check_digit(prefix: str, digits: str) -> str:
    """The check digit of an HKID (``"A"``, ``"123456"`` -> ``"3"``).

    Delegates to the provider's published weighted-sum rule (`providers.hk.hkid`) after
    checking the input, so trainees validating input get a domain error, not a KeyError.
    """
    if not isinstance(prefix, str) or not isinstance(digits, str) or not re.fullmatch(
        r"[A-Z]{1,2}", prefix.upper()
    ) or not re.fullmatch(r"\d{6}", digits):
        raise PolicyError(
            "hkid", f"{prefix}{digits}", "1-2 letters then 6 digits", "e.g. ('A', '123456')"
        )
    return _hkid.check_digit(prefix.upper(), digits)


def _as_series(values: Any, field_name: str) -> tuple[pd.Series, bool]:
    """Accept a str or a Series of str; remember which so we return the same kind."""
    if isinstance(values, str):
        return pd.Series([values], dtype="string"), True
    if isinstance(values, pd.Series):
        return values.astype("string").fillna(""), False
    raise PolicyError(
        field_name, type(values).__name__, "a str or a pandas Series of str",
        "pass one value or a DataFrame column",
    )


def _back(result: pd.Series, scalar: bool, like: Any) -> Any:
    """Return a scalar for scalar input, else a Series aligned with the input."""
    if scalar:
        return str(result.iloc[0])
    return result.astype(like.dtype if like.dtype == "string" else "string")


# Every digit followed by at least four more digits in the same cell (NUL ends a cell).
_PHONE_MASK_RE = re.compile(r"\d(?=(?:[^\d\x00]*\d){4})")
# A whole cell shaped like an HKID (NUL or the text's ends bound a cell).
_HKID_MASK_RE = re.compile(
    r"(?<![^\x00])\s*([A-Za-z]{1,2})(\d{4})\d{2}[\s-]?\(?\s?[0-9Aa]\s?\)?\s*(?![^\x00])")
# A whole cell shaped like one e-mail address: keep first character and domain.
_EMAIL_MASK_RE = re.compile(r"(?<![^\x00])\s*([^@\s\x00])[^@\s\x00]*@([^@\s\x00]+)\s*(?![^\x00])")
_NONSPACE_RE = re.compile(r"[^\s\x00]")
# Every letter that follows another letter.
_NAME_MASK_RE = re.compile(r"(?<=[^\W\d_])[^\W\d_]")


def _sub_cells(s: pd.Series, regex: re.Pattern, repl: str) -> pd.Series:
    """``s.str.replace(regex, repl)`` done as one C-speed pass over the joined column."""
    if len(s) == 0:
        return s.astype("string")
    out = regex.sub(repl, "\x00".join(s.tolist())).split("\x00")
    return pd.Series(out, index=s.index, dtype="string")


def _star_rest(shaped: pd.Series, raw: pd.Series, ok: pd.Series) -> pd.Series:
    """Keep ``shaped`` where ``ok``; elsewhere star every character of the raw cell."""
    bad = ~ok.to_numpy(dtype=bool, na_value=False) & (raw != "").to_numpy(dtype=bool)
    if not bad.any():
        return shaped
    out = shaped.copy()
    out[bad] = _sub_cells(raw[bad], _NONSPACE_RE, "*").to_numpy()
    return out


def mask_hkid(values: Any) -> Any:
    """Mask an HKID for display: ``"A123456(7)" -> "A1234**(*)"``.

    Keeps the prefix and first four digits (enough for a human to tell two cards apart
    at a counter) and hides the rest, including the check digit that would let anyone
    rebuild the full number. Anything non-empty that is not HKID-shaped is fully masked.
    """
    s, scalar = _as_series(values, "hkid")
    shaped = _sub_cells(s, _HKID_MASK_RE, r"\1\2**(*)")
    out = _star_rest(shaped, s, shaped.str.endswith("**(*)"))
    return _back(out, scalar, values)


def mask_phone(values: Any) -> Any:
    """Mask a phone number, keeping only its last four digits and its layout.

    ``"+852 9123 4567" -> "+*** **** 4567"``: the tail is enough to confirm a number with
    the customer ("the one ending 4567?") without exposing it.
    """
    s, scalar = _as_series(values, "phone")
    out = _sub_cells(s, _PHONE_MASK_RE, "*")
    return _back(out, scalar, values)


def mask_email(values: Any) -> Any:
    """Mask an e-mail's mailbox: ``"peter.chan@example.com" -> "p***@example.com"``.

    The domain is kept (it tells a company account from a personal one); the mailbox
    keeps only its first character and a fixed number of stars so its length leaks nothing.
    """
    s, scalar = _as_series(values, "email")
    out = _sub_cells(s, _EMAIL_MASK_RE, r"\1***@\2")
    out = _star_rest(out, s, out.str.contains("***@", regex=False))
    return _back(out, scalar, values)


def mask_name(values: Any) -> Any:
    """Mask a name to initials: ``"Chan Tai Man, Peter" -> "C*** T** M**, P****"``."""
    s, scalar = _as_series(values, "name")
    out = _sub_cells(s, _NAME_MASK_RE, "*")
    return _back(out, scalar, values)


def mask_address(values: Any) -> Any:
    """Mask an address down to its last comma-separated part (the district).

    ``"Flat 3, 12/F, Lok Fu House, Wong Tai Sin" -> "***, Wong Tai Sin"``: analysis by
    district still works, the door number is gone.
    """
    s, scalar = _as_series(values, "address")
    tail = s.str.extract(r",\s*([^,]*)$", expand=False).fillna("").str.strip()
    tail = tail.str.replace(r"\d", "*", regex=True)
    out = pd.Series(np.where(tail != "", "***, " + tail, "***"), index=s.index, dtype="string")
    out = out.where(s != "", "")
    return _back(out, scalar, values)


_MASKERS = {
    "hkid": mask_hkid,
    "phone": mask_phone,
    "email": mask_email,
    "name": mask_name,
    "address": mask_address,
}


def _masker_for(column: str):
    """The masking function for a column, chosen by its name (``mobile`` -> phone)."""
    low = column.lower()
    if low in _MASKERS:
        return _MASKERS[low]
    if "hkid" in low or "id_card" in low:
        return mask_hkid
    if _PHONE_NAME_RE.search(low):
        return mask_phone
    if "email" in low or "e_mail" in low:
        return mask_email
    if "address" in low:
        return mask_address
    if "name" in low:
        return mask_name
    return lambda s: s.astype("string").fillna("").str.replace(r"\S", "*", regex=True)


def mask_frame(df: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """A copy of ``df`` with its personal columns masked, ready to display or share.

    Args:
        df: any table.
        columns: columns to mask; default every column of ``schema.PERSONAL_COLUMNS``
            present in ``df``. A column outside the standard names is masked by what its
            name suggests (``mobile`` like a phone, ``contact_email`` like an e-mail) or
            entirely starred.

    Raises:
        PolicyError: ``df`` is not a DataFrame or a named column is missing.
    """
    if not isinstance(df, pd.DataFrame):
        raise PolicyError("df", type(df).__name__, "a pandas DataFrame", "pass a table")
    if columns is None:
        cols = [c for c in df.columns if c in PERSONAL_COLUMNS]
    else:
        cols = list(columns) if not isinstance(columns, str) else [columns]
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise PolicyError(
                "columns", missing, f"columns of the table: {list(df.columns)}",
                "name only columns the table has",
            )
    if len(set(df.columns)) != len(df.columns):
        raise PolicyError("df", list(df.columns), "a table with unique column names",
                          "rename or drop the duplicated columns")
    out = df.copy()
    for col in cols:
        out[col] = _masker_for(str(col))(_as_text(df[col]))
    return out


def _as_text(s: pd.Series) -> pd.Series:
    """Text form of a column; whole numbers lose their ".0" (a phone stored as float)."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        v = pd.to_numeric(s, errors="coerce")
        if (v.dropna() % 1 == 0).all():
            return v.astype("Int64").astype("string").fillna("")
    return s.astype("string").fillna("")


# --------------------------------------------------------------------------- leaks


@dataclass(frozen=True)
class Leak:
    """One unmasked identifier found in a table.

    ``excerpt`` is the found value already masked, so a leak report can itself be shared.
    """

    column: str
    row: int          # 0-based position in the table
    kind: str         # "hkid" | "phone" | "email"
    excerpt: str

    def __str__(self) -> str:
        return f"unmasked {self.kind} in column {self.column!r}, row {self.row}: {self.excerpt}"


def _joined(s: pd.Series) -> tuple[str, np.ndarray]:
    """A text column as one string, cells separated by NUL, and each cell's start offset.

    Running one compiled regex over one long string is C-speed; running it per cell from
    Python is not. NUL is neither a word character nor whitespace, so lookarounds and
    whitespace classes behave at a cell boundary exactly as at the start or end of a string.
    """
    values = s.tolist()
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]) if len(values) else lengths
    return "\x00".join(values), starts


_DIGITS_TO_ZERO = str.maketrans("123456789", "000000000")
_SEPARATED_RE = re.compile(r"0000[\s.-]0000")
_AT_RE = re.compile("@")


_SIX_ZEROS_RE = re.compile("000000")
_MAILBOX_CHAR_RE = re.compile(r"[\w.%+-]")


def _candidate_rows(text: str, starts: np.ndarray) -> np.ndarray:
    """Cells that could hold a leak: a 6-digit run, 4+4 digits, or a mailbox before '@'.

    Equivalent to searching `_CANDIDATE` per cell, but built from literal scans over the
    joined column, so a masked 100,000-row column is cleared in milliseconds and the
    exact patterns only ever run on the few suspicious cells.
    """
    t = text.translate(_DIGITS_TO_ZERO)
    pos = [m.start() for m in _SIX_ZEROS_RE.finditer(t)]
    pos += [m.start() for m in _SEPARATED_RE.finditer(t)]
    pos += [m.start() for m in _AT_RE.finditer(text)
            if m.start() > 0 and _MAILBOX_CHAR_RE.match(text, m.start() - 1)]
    if not pos:
        return np.array([], dtype=np.int64)
    return np.unique(np.searchsorted(starts, pos, side="right") - 1)


def _scan_text(col: str, s: pd.Series) -> list[Leak]:
    """Regex scan of one text column over the joined text; Python only touches hits."""
    checks = [("hkid", _HKID_PAREN_RE, mask_hkid)]
    if not _ID_COLUMN_RE.search(col):
        # Bare HKIDs look like engine ids ("I0000001"), so id columns only fail on the
        # bracketed form, which no engine id uses.
        checks.append(("hkid", _HKID_BARE_RE, mask_hkid))
    checks += [("phone", _PHONE_RE, mask_phone), ("email", _EMAIL_RE, mask_email)]
    text, starts = _joined(s)
    cells = _candidate_rows(text, starts)
    if not len(cells):        # e.g. a fully masked column: a few C-speed scans, done
        return []
    if len(cells) < len(s):
        text, starts = _joined(s.iloc[cells])
    else:
        cells = np.arange(len(s))
    found: dict[tuple[int, str], str] = {}
    for kind, regex, masker in checks:
        hits = [(m.start(), m.group(0)) for m in regex.finditer(text)]
        if not hits:
            continue
        rows = cells[np.searchsorted(starts, [h[0] for h in hits], side="right") - 1]
        values = [h[1] for h in hits]
        masked = masker(pd.Series(values, dtype="string")).tolist()
        for row, value in zip(rows.tolist(), masked, strict=True):
            found.setdefault((row, kind), value)
    order = {"hkid": 0, "phone": 1, "email": 2}
    return [Leak(col, row, kind, value)
            for (row, kind), value in sorted(found.items(), key=lambda kv: (
                kv[0][0], order[kv[0][1]]))]


def _scan_numbers(col: str, s: pd.Series) -> list[Leak]:
    """Phone numbers stored as numbers: 8-digit HK numbers or 852 + 8 digits."""
    if pd.api.types.is_float_dtype(s) and not _PHONE_NAME_RE.search(col):
        return []  # amounts like 23,456,789.0 HKD are not phones
    v = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    whole = np.isfinite(v) & (np.floor(v) == v)
    local = whole & (v >= 20_000_000) & (v <= 99_999_999)
    intl = whole & (v >= 85_220_000_000) & (v <= 85_299_999_999)
    hits = np.flatnonzero(local | intl)
    masked = mask_phone(pd.Series(v[hits].astype(np.int64).astype(str), dtype="string"))
    return [Leak(col, p, "phone", m)
            for p, m in zip(hits.tolist(), masked.tolist(), strict=True)]


def find_leaks(df: pd.DataFrame) -> list[Leak]:
    """Every unmasked HKID, phone number or e-mail address in ANY column of ``df``.

    Graders run this on every table a trainee shares: one hit fails the check. Formats
    found: HKIDs ``A123456(7)``, ``AB123456(A)``, ``A1234567``, ``A123456-7``; phones
    ``91234567``, ``9123 4567``, ``9123-4567``, ``+852 9123 4567``, ``(852) 9123-4567``,
    ``0085291234567`` and integer columns holding them; e-mails in any case. Output of
    the ``mask_*`` functions never matches. In columns named like ids (``*_id``) only
    the bracketed HKID form counts, because bare HKIDs look like engine ids.

    Returns:
        A list of `Leak` (column, row position, kind, masked excerpt), in column order.

    Raises:
        PolicyError: ``df`` is not a DataFrame.
    """
    if not isinstance(df, pd.DataFrame):
        raise PolicyError("df", type(df).__name__, "a pandas DataFrame", "pass a table")
    leaks: list[Leak] = []
    for i, col in enumerate(df.columns):
        s = df.iloc[:, i]
        name = str(col)
        if pd.api.types.is_bool_dtype(s):
            continue
        if pd.api.types.is_numeric_dtype(s):
            leaks += _scan_numbers(name, s)
        else:
            leaks += _scan_text(name, s.astype("string").fillna(""))
    return leaks


# --------------------------------------------------------------------------- minimisation

CATEGORIES = (
    "identifier",      # engine keys: customer_id, record_id ... (pseudonymous)
    "contact",         # name, phone, email, address: reach or identify a person
    "government_id",   # HKID
    "profile",         # segment, district, company, preferences, tenure, lead facts
    "consent",         # direct-marketing consent and its history
    "financial",       # lifetime value, budgets, prices
    "activity",        # what happened in interactions
    "other",           # derived, non-personal columns (scores, flags, counts)
)

# Known columns of every engine table (schema.py plus lead sources and the access log).
COLUMN_CATEGORIES: dict[str, str] = {
    **dict.fromkeys(
        ("customer_id", "contact_id", "staff_id", "outsourcer_id", "product_id",
         "interaction_id", "agent_id", "record_id", "lead_id", "access_id"),
        "identifier",
    ),
    **dict.fromkeys(("name", "phone", "email", "address"), "contact"),
    "hkid": "government_id",
    **dict.fromkeys(
        ("company", "segment", "district", "title", "is_decision_maker", "authority",
         "preferred_channel", "preferred_language", "tenure_months", "since", "role",
         "team", "category", "segment_fit", "source", "need", "timeline_months",
         "captured_date", "referred_by", "skill", "product_knowledge", "soft_skill",
         "capacity_hours_week", "agency", "quality", "capacity_calls_week"),
        "profile",
    ),
    **dict.fromkeys(
        ("dm_consent", "consent_date", "consent_channel", "consent_withdrawn_date"),
        "consent",
    ),
    **dict.fromkeys(
        ("lifetime_value", "price", "cost_per_call", "budget_hkd"), "financial"
    ),
    **dict.fromkeys(
        ("channel", "timestamp", "purpose", "outcome", "duration_min", "info_captured",
         "follow_up"),
        "activity",
    ),
}

# Which categories each purpose may use. Identifiers and derived columns are always fine.
# Company policy putting DPP1 (adequate, not excessive) and DPP3 (use) into practice; the
# exact table is the company's choice, not a rule of the PDPO.
PURPOSE_CATEGORIES: dict[str, frozenset[str]] = {
    # Contacting people to sell: who they are, how to reach them, what they like,
    # whether they agreed. Not their HKID; not their spending: that is company policy
    # (`crm_sim.law.RULES["no_financial_data_for_marketing"]`), not the PDPO.
    "direct_marketing": frozenset(
        {"identifier", "contact", "profile", "consent", "activity", "other"}
    ),
    # Serving an existing customer: reach them, know their history.
    "service": frozenset({"identifier", "contact", "profile", "consent", "activity", "other"}),
    # Analysis works on pseudonymous data: no names, numbers or addresses.
    "analysis": frozenset(
        {"identifier", "profile", "consent", "financial", "activity", "other"}
    ),
    # Billing needs who pays, where, how much, and (for credit terms) the HKID.
    "billing": frozenset(
        {"identifier", "contact", "government_id", "profile", "financial", "other"}
    ),
}


def column_category(column: str) -> str:
    """The data category of a column: known engine columns by table, others by name.

    A trainee's derived column (``score``, ``n_calls``) is "other"; a column whose name
    says it holds personal data (``mobile``, ``contact_email``, ``hkid_no``) is treated as
    that data, so renaming a column does not launder it. ``*_masked`` columns are "other".
    """
    col = str(column)
    if col in COLUMN_CATEGORIES:
        return COLUMN_CATEGORIES[col]
    low = col.lower()
    if low.endswith("_masked"):
        return "other"
    if "hkid" in low or "id_card" in low or "passport" in low:
        return "government_id"
    if _PHONE_NAME_RE.search(low) or "email" in low or "address" in low or "name" in low:
        return "contact"
    if _ID_COLUMN_RE.search(low):
        return "identifier"
    return "other"


PURPOSES: dict[str, frozenset[str]] = {
    purpose: frozenset(c for c, cat in COLUMN_CATEGORIES.items() if cat in cats)
    for purpose, cats in PURPOSE_CATEGORIES.items()
}


@dataclass(frozen=True)
class Violation:
    """A column a purpose does not need (data-minimisation breach)."""

    column: str
    category: str
    purpose: str

    @property
    def basis(self) -> str:
        """Where the rule comes from: company policy, which puts DPP1 and DPP3 into practice."""
        if self.purpose == "direct_marketing" and self.category == "financial":
            return "company policy (not a PDPO rule)"
        return "company policy putting PDPO DPP1 and DPP3 into practice"

    def __str__(self) -> str:
        return (
            f"column {self.column!r} ({self.category}) is not needed for {self.purpose}; "
            f"drop it or use a masked/derived form ({self.basis})"
        )


def _check_purpose(purpose: Any) -> str:
    if purpose not in PURPOSE_CATEGORIES:
        raise PolicyError(
            "purpose", purpose, ", ".join(PURPOSE_CATEGORIES),
            "pick the purpose the data is used for, e.g. 'direct_marketing'",
        )
    return purpose


def check_minimisation(columns: Iterable[str] | pd.DataFrame, purpose: str) -> list[Violation]:
    """The columns that ``purpose`` may not use (empty list = minimal enough).

    Args:
        columns: column names, or a DataFrame (its columns are checked).
        purpose: one of `PURPOSES`.

    Raises:
        PolicyError: unknown purpose, or columns is not a list of names.
    """
    purpose = _check_purpose(purpose)
    if isinstance(columns, pd.DataFrame):
        names = [str(c) for c in columns.columns]
    elif isinstance(columns, str) or not isinstance(columns, Iterable):
        raise PolicyError(
            "columns", columns, "a list of column names or a DataFrame",
            "wrap a single name in a list: ['phone']",
        )
    else:
        names = [str(c) for c in columns]
    allowed = PURPOSE_CATEGORIES[purpose]
    out = []
    for col in names:
        cat = column_category(col)
        if cat not in allowed:
            out.append(Violation(col, cat, purpose))
    return out


# --------------------------------------------------------------------------- access

ROLES = ("trainee", "sales_rep", "analyst", "manager", "dpo")

ACCESS_LOG_COLUMNS: dict[str, str] = {
    "access_id": "int64",
    "date": "string",          # simulated date of the access (world.today)
    "role": "string",
    "purpose": "string",
    "table_name": "string",
    "columns": "string",       # comma-separated columns requested (or "*" for all)
    "decision": "string",      # "allowed" | "denied"
    "denied": "string",        # comma-separated columns refused ("" if none)
}

_AUDIT_TABLES = {"access_log": frozenset({"manager", "dpo"})}


def _default_role_access() -> dict[str, dict[str, str]]:
    full = dict.fromkeys(("identifier", "profile", "consent", "activity", "other"), "full")
    return {
        "trainee": {**full, "financial": "full", "contact": "masked"},
        "sales_rep": {**full, "financial": "full", "contact": "full"},
        "analyst": {**full, "financial": "full", "contact": "masked"},
        "manager": {**full, "financial": "full", "contact": "full", "government_id": "masked"},
        "dpo": {**full, "financial": "full", "contact": "full", "government_id": "full"},
    }


@dataclass(frozen=True)
class AccessPolicy:
    """Who may see which category of data, and whether in full or masked.

    A column is returned when the purpose needs its category (`PURPOSE_CATEGORIES`) AND
    the role holds that category; a role holding it "masked" gets the masked form.
    Everything else is refused. Hidden (ground-truth) tables are refused to every role;
    the access log is readable by managers and the DPO only.
    """

    role_access: Mapping[str, Mapping[str, str]] = field(default_factory=_default_role_access)

    def __post_init__(self):
        if not isinstance(self.role_access, Mapping):
            raise PolicyError("role_access", self.role_access, "a dict role -> {category: level}")
        for role, grants in self.role_access.items():
            if not isinstance(grants, Mapping):
                raise PolicyError(f"role_access[{role!r}]", grants, "a dict category -> level")
            for cat, level in grants.items():
                if cat not in CATEGORIES:
                    raise PolicyError(
                        f"role_access[{role!r}]", cat, ", ".join(CATEGORIES),
                        "use one of the data categories",
                    )
                if level not in ("full", "masked"):
                    raise PolicyError(
                        f"role_access[{role!r}][{cat!r}]", level, "'full' or 'masked'",
                        "leave a category out to refuse it",
                    )

    def check_role(self, role: Any) -> str:
        """Return ``role`` if the policy knows it, else raise PolicyError."""
        if role not in self.role_access:
            raise PolicyError(
                "role", role, ", ".join(self.role_access), "pick one of the defined roles"
            )
        return role

    def level(self, role: str, purpose: str, column: str) -> str | None:
        """``"full"``, ``"masked"`` or None (refused) for one column."""
        cat = column_category(column)
        if cat not in PURPOSE_CATEGORIES[purpose]:
            return None
        return self.role_access[role].get(cat)


class GuardedView:
    """A role's window on the world for one purpose; every read is logged.

    Obtain with `guarded_view`. Reads never modify the tables themselves; they append
    one row to ``world.tables["access_log"]`` per call, allowed or denied.
    """

    def __init__(self, world: Any, role: str, purpose: str, policy: AccessPolicy):
        self._world, self.role, self.purpose, self.policy = world, role, purpose, policy

    @property
    def tables(self) -> list[str]:
        """Names of the public tables this view may try to read."""
        return [t for t in self._world.tables if t not in _AUDIT_TABLES or
                self.role in _AUDIT_TABLES[t]]

    def permitted_columns(self, name: str) -> list[str]:
        """Columns of table ``name`` this role may read for this purpose."""
        df = self._lookup(name)
        return [c for c in df.columns if self.policy.level(self.role, self.purpose, c)]

    def _lookup(self, name: Any) -> pd.DataFrame:
        if not isinstance(name, str) or (
            name not in self._world.tables and name not in self._world.hidden
        ):
            raise PolicyError(
                "table", name, ", ".join(self._world.tables), "name a public table"
            )
        if name in self._world.hidden:
            return self._world.hidden[name]
        return self._world.tables[name]

    def table(self, name: str, columns: Iterable[str] | None = None) -> pd.DataFrame:
        """Read table ``name``, limited to what this role may see for this purpose.

        Args:
            name: a public table (``"customers"``, ``"src_event"`` ...).
            columns: columns wanted; default all the role may see (others silently left
                out, masked ones masked).

        Raises:
            PolicyError: unknown table or column (nothing logged: a typo is not an access).
            AccessDenied: a requested column, a hidden table or the audit log is refused
                (the refusal is logged).
        """
        df = self._lookup(name)
        if columns is not None:
            cols = [columns] if isinstance(columns, str) else list(columns)
            unknown = [c for c in cols if c not in df.columns]
            if unknown:
                raise PolicyError(
                    "columns", unknown, f"columns of {name}: {list(df.columns)}",
                    "check the spelling",
                )
        else:
            cols = None
        requested = "*" if cols is None else ",".join(map(str, cols))
        if name in self._world.hidden or (
            name in _AUDIT_TABLES and self.role not in _AUDIT_TABLES[name]
        ):
            what = f"{name}.*"
            self._log(name, requested, "denied", what)
            raise AccessDenied(self.role, what, self.purpose)
        levels = {c: self.policy.level(self.role, self.purpose, c) for c in df.columns}
        if cols is None:
            cols = [c for c in df.columns if levels[c]]
        denied = [c for c in cols if not levels[c]]
        if denied:
            self._log(name, requested, "denied", ",".join(map(str, denied)))
            raise AccessDenied(self.role, str(denied[0]), self.purpose)
        out = df.loc[:, cols].copy()
        for c in cols:
            if levels[c] == "masked":
                out[c] = _masker_for(str(c))(_as_text(out[c]))
        self._log(name, requested, "allowed", "")
        return out

    def _log(self, name: str, columns: str, decision: str, denied: str) -> None:
        log_access(self._world, self.role, self.purpose, name, columns, decision, denied)


def log_access(world: Any, role: str, purpose: str, table_name: str, columns: str,
               decision: str, denied: str = "") -> None:
    """Append one row to the world's ``access_log`` (created on first use).

    Times are the simulated date, not the wall clock, so a replayed session writes a
    byte-identical log.
    """
    log = world.tables.get("access_log")
    next_id = 1 if log is None or len(log) == 0 else int(log["access_id"].max()) + 1
    row = pd.DataFrame(
        {
            "access_id": [next_id],
            "date": [str(getattr(world, "today", ""))[:10]],
            "role": [role],
            "purpose": [purpose],
            "table_name": [table_name],
            "columns": [columns],
            "decision": [decision],
            "denied": [denied],
        }
    ).astype(ACCESS_LOG_COLUMNS)
    if log is None:
        world.register_table("access_log", row, columns=ACCESS_LOG_COLUMNS)
    else:
        world.append_rows("access_log", row)


def guarded_view(world: Any, role: str, purpose: str,
                 policy: AccessPolicy | None = None) -> GuardedView:
    """A read-only, logged, minimised view of ``world`` for ``role`` acting for ``purpose``.

    Example:
        >>> view = guarded_view(world, "analyst", "analysis")   # doctest: +SKIP
        >>> view.table("customers", ["customer_id", "segment", "lifetime_value"])  # ok
        >>> view.table("customers", ["hkid"])   # AccessDenied('analyst', 'hkid', ...)

    Raises:
        PolicyError: unknown role or purpose, or ``world`` is not a World.
    """
    policy = policy if policy is not None else AccessPolicy()
    if not isinstance(policy, AccessPolicy):
        raise PolicyError("policy", type(policy).__name__, "an AccessPolicy or None")
    if not all(hasattr(world, a) for a in ("tables", "hidden", "register_table")):
        raise PolicyError("world", type(world).__name__, "a crm_sim World",
                          "build one with World.build(Scenario(...))")
    policy.check_role(role)
    _check_purpose(purpose)
    return GuardedView(world, role, purpose, policy)
