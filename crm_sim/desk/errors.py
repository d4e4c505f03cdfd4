"""The desk's domain error: which record, which field, what was wrong and how to fix it.

Why a subclass of `FieldError`: a view that shows a FieldError in words shows this one
too, and a caller can still catch the one kind of error every engine module raises.
"""

from __future__ import annotations

from typing import Any

from crm_sim.errors import FieldError


class DeskError(FieldError):
    """An operation on a desk record is not allowed; the store is left unchanged.

    Attributes:
        record: The record concerned, e.g. ``"complaint CP00012"`` (or a table name).
        field, value, allowed, fix: As in `FieldError`.
    """

    def __init__(self, record: str, field: str, value: Any, allowed: str, fix: str):
        self.record = record
        super().__init__(f"{record}, {field}", value, allowed, fix)
        self.field = field
