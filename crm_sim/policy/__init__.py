"""Customer contact policies: the policy as data, its checks, its cost, and how staff follow it.

Modules, one job each:

* `model`: `ContactPolicy`, `SegmentPolicy`, `ChannelRule`, `PrivacyRules` (checked data,
  and the protocol the monthly simulation reads);
* `toml_io`: load and save a policy as TOML;
* `validation`: `validate(policy, world)`, every infeasibility with field, value and fix;
* `resources`: `predict_resources` (from public data) and `true_resources` (the truth);
* `adherence`: how closely each staff member and agency follows the policy; training;
* `staff_log`: the monthly contact log with its breaches (and the hidden truth);
* `monitoring`: `monitor(world)`, the dashboard tables of new customers, mobility and
  who breaks the policy, with evidence;
* `installed`: the policy in force in a world (saved with it);
* `starter`: a sound draft policy for a world; `months`: months passing under a policy.
"""

from crm_sim.policy.adherence import VIOLATOR_BAR, adherence, apply_training
from crm_sim.policy.installed import adopt, current
from crm_sim.policy.model import (
    CHECKLIST_ITEMS,
    INDICATORS,
    PURPOSES,
    ChannelRule,
    ContactPolicy,
    PrivacyRules,
    SegmentPolicy,
)
from crm_sim.policy.monitoring import MonitorRules, actor_report, find_breaches, monitor
from crm_sim.policy.months import run_month
from crm_sim.policy.resources import (
    PLANNING_METHOD,
    ResourceMethod,
    predict_resources,
    totals,
    true_resources,
)
from crm_sim.policy.staff_log import LOG_COLUMNS, staff_log, true_violators
from crm_sim.policy.starter import starter_policy
from crm_sim.policy.toml_io import load as load_toml
from crm_sim.policy.toml_io import save as save_toml
from crm_sim.policy.validation import RULES, Issue, is_launchable, validate

__all__ = [
    "CHECKLIST_ITEMS", "INDICATORS", "LOG_COLUMNS", "PLANNING_METHOD", "PURPOSES",
    "VIOLATOR_BAR", "ChannelRule", "ContactPolicy", "PrivacyRules", "ResourceMethod",
    "SegmentPolicy", "adherence", "adopt", "apply_training", "current", "load_toml",
    "predict_resources", "run_month", "save_toml", "staff_log", "starter_policy", "totals",
    "true_resources", "true_violators", "MonitorRules", "actor_report", "find_breaches",
    "monitor", "RULES", "Issue", "is_launchable", "validate",
]
