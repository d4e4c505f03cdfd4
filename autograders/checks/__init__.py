"""Grading checks: `submit` (kernel side), the evaluator registry and `EvalContext`.

Trainee notebooks import only `submit` from here; evaluator modules import `evaluator`,
`EvalContext` and the artefact helpers. Nothing here imports Jupyter machinery, so the
kernel-side import stays cheap.
"""

from autograders.checks.context import EvalContext, hidden_seed
from autograders.checks.registry import (
    DEFAULT_EVALUATORS,
    RegistryError,
    default_module,
    evaluator,
    evaluator_module,
    load_evaluators,
    registered,
)
from autograders.checks.serialize import SubmitError, is_plain, to_frame, to_plain, to_series
from autograders.checks.submit import submit

__all__ = [
    "DEFAULT_EVALUATORS",
    "EvalContext",
    "RegistryError",
    "SubmitError",
    "default_module",
    "evaluator",
    "evaluator_module",
    "hidden_seed",
    "is_plain",
    "load_evaluators",
    "registered",
    "submit",
    "to_frame",
    "to_plain",
    "to_series",
]
