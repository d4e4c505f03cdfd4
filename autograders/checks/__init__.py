"""Grading checks: `submit` (kernel side), the evaluator registry and `EvalContext`.

Trainee notebooks import only `submit` from here; evaluator modules import `evaluator`,
`EvalContext`, the artefact helpers and the message helpers (`quote` cuts any trainee
value echoed in a message to 200 characters; `unseen_failure` words a submitted
function's failure on the unseen company without its exception text). Nothing here
imports Jupyter machinery, so the kernel-side import stays cheap.
"""

from autograders.checks.context import EvalContext, hidden_seed
from autograders.checks.messages import cap_evidence, quote, unseen_failure
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
    "cap_evidence",
    "hidden_seed",
    "is_plain",
    "load_evaluators",
    "quote",
    "registered",
    "submit",
    "to_frame",
    "to_plain",
    "to_series",
    "unseen_failure",
]
