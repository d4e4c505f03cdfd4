"""ContactPolicy: shape checks, the simulation protocol, TOML round trip."""

import math

import pandas as pd
import pytest

from crm_sim.errors import PolicyError
from crm_sim.policy import (
    ChannelRule,
    ContactPolicy,
    PrivacyRules,
    SegmentPolicy,
    load_toml,
    save_toml,
)


def test_protocol_columns(draft, policy_world):
    """contact_plan, targets, adherence and staff_log return the columns interface15 fixes."""
    plan = draft.contact_plan()
    assert list(plan.columns) == ["segment", "channel", "per_month", "purpose"]
    assert (plan["per_month"] >= 0).all() and set(plan["purpose"]) <= {
        "retention", "acquisition", "service"}
    assert list(draft.targets().columns) == ["segment", "new_customers_per_month",
                                             "retention_rate"]
    assert draft.respects_consent is True
    adh = draft.adherence(policy_world)
    assert list(adh.columns) == ["actor_id", "actor_kind", "segment", "adherence"]
    assert adh["adherence"].between(0, 1).all()
    assert set(adh["actor_kind"]) <= {"staff", "outsourcer"}


def test_staff_log_columns_and_determinism(draft, policy_world):
    """The same month stream gives the same log bytes; the log has the declared dtypes."""
    import numpy as np

    from crm_sim.policy import LOG_COLUMNS
    a = draft.staff_log(policy_world.copy(), "2026-01", np.random.default_rng(5))
    b = draft.staff_log(policy_world.copy(), "2026-01-01", np.random.default_rng(5))
    pd.testing.assert_frame_equal(a, b)
    assert {c: str(t) for c, t in a.dtypes.items()} == LOG_COLUMNS
    assert a["log_id"].is_unique and len(a) > 50


def test_toml_round_trip(draft, tmp_path):
    """A policy saved as TOML reads back equal, odd text included."""
    odd = draft.replace(name='Policy "2026" \\ 九龍\x7f\n')
    path = save_toml(odd, tmp_path / "p.toml")
    assert load_toml(path) == odd
    assert ContactPolicy.from_toml(odd.to_toml()) == odd


@pytest.mark.parametrize("bad, field", [
    (dict(channel="fax", per_month=1), "channel"),
    (dict(channel="phone", per_month=-1), "per_month"),
    (dict(channel="phone", per_month=math.nan), "per_month"),
    (dict(channel="phone", per_month=1, purpose="spam"), "purpose"),
])
def test_bad_channel_rule_names_field(bad, field):
    """A malformed channel rule raises PolicyError naming the field."""
    with pytest.raises(PolicyError) as err:
        ChannelRule(**bad)
    assert err.value.field == field and err.value.fix


def test_bad_segment_and_policy_values():
    """Out-of-range, wrongly typed and duplicated entries raise PolicyError with a fix."""
    rule = ChannelRule("phone", 1.0)
    with pytest.raises(PolicyError, match="retention_rate"):
        SegmentPolicy("sme", 1.0, 1.5, (rule,))
    with pytest.raises(PolicyError, match="checklists"):
        SegmentPolicy("sme", 1.0, 0.9, (rule,), checklists=("pray",))
    with pytest.raises(PolicyError, match="allow_outsourcers"):
        SegmentPolicy("sme", 1.0, 0.9, (rule,), allow_outsourcers="yes")
    seg = SegmentPolicy("sme", 1.0, 0.9, (rule,))
    with pytest.raises(PolicyError, match="one policy per segment"):
        ContactPolicy("x", (seg, seg))
    with pytest.raises(PolicyError, match="opt_out_days"):
        PrivacyRules(opt_out_days=1.5)
    with pytest.raises(PolicyError, match="review_every_months"):
        ContactPolicy("x", (seg,), review_every_months=0)


def test_from_dict_refuses_unknown_keys_and_bad_toml():
    """Unknown keys and broken TOML are domain errors, not KeyError/TOMLDecodeError."""
    with pytest.raises(PolicyError, match="hack"):
        ContactPolicy.from_dict({"name": "x", "segments": [], "hack": 1})
    with pytest.raises(PolicyError, match="valid TOML"):
        ContactPolicy.from_toml("name = ")
    with pytest.raises(PolicyError):
        ContactPolicy.from_toml('name = "x"\n[[segments]]\nsegment = "sme"\n')
