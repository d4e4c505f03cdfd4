"""Assessor observation checklists: what a notebook cannot show, seen and signed by a person.

Some requirements are met only in conduct: the soft skills of a sales call, the
conversation that solicits information, a presentation. unit.toml lists them as
``[[observation]]`` items; the assessor records each one (met or not, with a note) in
``<course>/observations/<trainee>/<UNIT>.toml`` and signs the record. Until it is
signed, the unit decision reads pending; a signed item marked not met fails its
criterion. Recording an item after signing removes the signature: a changed record
must be signed again.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from autograders.commands.errors import CourseError
from autograders.course import validate_trainee_id
from autograders.unitspec import UnitSpec

OBSERVATIONS_DIR = "observations"
NOT_SIGNED = "observation not signed"


class ObservationError(CourseError):
    """An observation record or command names an unknown item, trainee or value."""


@dataclass
class ItemRecord:
    """One checklist item as the assessor recorded it."""

    met: bool
    note: str = ""
    assessor: str = ""
    recorded_at: str = ""


@dataclass
class ObservationRecord:
    """A trainee's observation checklist on one unit."""

    items: dict[str, ItemRecord] = field(default_factory=dict)
    signed_by: str = ""
    signed_at: str = ""

    @property
    def signed(self) -> bool:
        """True once an assessor signed the record (and nothing changed since)."""
        return bool(self.signed_by and self.signed_at)


def record_path(course_root: str | Path, trainee: str, code: str) -> Path:
    """Where a trainee's observation record of a unit lives.

    Raises:
        ObservationError: the trainee id is not a valid id (it becomes a folder name).
    """
    why = validate_trainee_id(trainee)
    if why is not None:
        raise ObservationError(why)
    return Path(course_root) / OBSERVATIONS_DIR / trainee / f"{code}.toml"


def load_record(path: str | Path) -> ObservationRecord | None:
    """The record at `path`, or None when the assessor has recorded nothing yet.

    Raises:
        ObservationError: the file is not valid TOML or an item is malformed.
    """
    path = Path(path)
    if not path.exists():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ObservationError(f"{path}: not valid TOML ({exc}); fix or delete it") from exc
    items = {}
    for iid, body in (data.get("items") or {}).items():
        if not isinstance(body, dict) or not isinstance(body.get("met"), bool):
            raise ObservationError(f"{path}: items.{iid}.met must be true or false, got "
                                   f"{body!r}")
        items[iid] = ItemRecord(body["met"], str(body.get("note", "")),
                                str(body.get("assessor", "")), str(body.get("recorded_at", "")))
    return ObservationRecord(items, str(data.get("signed_by", "")),
                             str(data.get("signed_at", "")))


def _toml_str(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(str(text), ensure_ascii=True)


def save_record(path: str | Path, record: ObservationRecord) -> Path:
    """Write a record as TOML (an assessor may read and edit it by hand)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Observation checklist: recorded and signed with `crm-course observe`.",
             f"signed_by = {_toml_str(record.signed_by)}",
             f"signed_at = {_toml_str(record.signed_at)}", ""]
    for iid, item in record.items.items():
        lines += [f"[items.{_toml_str(iid)}]", f"met = {'true' if item.met else 'false'}",
                  f"note = {_toml_str(item.note)}", f"assessor = {_toml_str(item.assessor)}",
                  f"recorded_at = {_toml_str(item.recorded_at)}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_item(spec: UnitSpec, path: str | Path, item: str, met: bool, assessor: str,
                note: str = "") -> ObservationRecord:
    """Record one checklist item; any earlier signature is removed.

    Raises:
        ObservationError: the unit has no such item, or no assessor is named.
    """
    known = [o.id for o in spec.observations]
    if item not in known:
        raise ObservationError(f"{spec.code} has no observation item {item!r}; its items: "
                               f"{', '.join(known) or 'none'}")
    if not assessor.strip():
        raise ObservationError("--assessor is empty: name the assessor who observed it")
    record = load_record(path) or ObservationRecord()
    record.items[item] = ItemRecord(met, note, assessor.strip(), _now())
    record.signed_by = record.signed_at = ""
    save_record(path, record)
    return record


def sign(spec: UnitSpec, path: str | Path, assessor: str) -> ObservationRecord:
    """Sign a record whose every item is recorded.

    Raises:
        ObservationError: an item is not recorded yet, or no assessor is named.
    """
    if not assessor.strip():
        raise ObservationError("--assessor is empty: name the assessor who signs")
    record = load_record(path) or ObservationRecord()
    missing = [o.id for o in spec.observations if o.id not in record.items]
    if missing:
        raise ObservationError(f"cannot sign: items not recorded yet: {', '.join(missing)} "
                               "(record each with --item ID --met yes|no)")
    record.signed_by, record.signed_at = assessor.strip(), _now()
    save_record(path, record)
    return record
