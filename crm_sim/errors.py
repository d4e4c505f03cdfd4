"""Domain errors of the engine.

Every message names the field, the value, what is allowed and how to fix it, so a
trainee or instructor never has to read a traceback from inside pandas.
"""

from __future__ import annotations

from typing import Any


class CrmSimError(Exception):
    """Base class of every error the engine raises on purpose."""


def describe(field: str, value: Any, allowed: str, fix: str | None = None) -> str:
    """Build the standard message: field, offending value, what is allowed, a fix."""
    text = f"{field}: got {value!r}; allowed: {allowed}"
    if fix:
        text += f". Fix: {fix}"
    return text


class FieldError(CrmSimError, ValueError):
    """An input value is outside what is allowed; carries the parts of the message."""

    def __init__(self, field: str, value: Any, allowed: str, fix: str | None = None):
        self.field, self.value, self.allowed, self.fix = field, value, allowed, fix
        super().__init__(describe(field, value, allowed, fix))


class ScenarioError(FieldError):
    """A `Scenario` field is invalid."""


class StoreError(CrmSimError):
    """A world file cannot be read or written (corrupt, foreign or missing)."""


class PlanError(FieldError):
    """A call plan is malformed (unknown customer, bad date, unknown channel...)."""


class PolicyError(FieldError):
    """A contact policy, mechanism or qualification standard is malformed."""


class LeadError(FieldError):
    """Lead or source data handed to the engine is malformed."""


class AccessDenied(CrmSimError, PermissionError):
    """A role tried to read a column it is not entitled to (PDPO data minimisation)."""

    def __init__(self, role: str, column: str, purpose: str | None = None):
        self.role, self.column, self.purpose = role, column, purpose
        why = f" for purpose {purpose!r}" if purpose else ""
        super().__init__(
            f"role {role!r} may not read column {column!r}{why}. Fix: drop the column "
            "from your selection, use its masked form, or ask a role that holds it."
        )
