"""predict_resources / true_resources: shapes, the careful method beats the naive one."""

import pytest

from crm_sim import Scenario, World
from crm_sim.errors import PolicyError
from crm_sim.policy import (
    PLANNING_METHOD,
    ResourceMethod,
    predict_resources,
    starter_policy,
    totals,
    true_resources,
)


def _error(pred, truth):
    a, b = totals(pred), totals(truth)
    return max(abs(a[k] - b[k]) / max(b[k], 1e-9) for k in ("hours_month", "headcount"))


def test_tables_have_a_row_per_role_and_agencies(draft, policy_world):
    """Both tables carry the same roles, non-negative figures, and agency spend."""
    pred = predict_resources(draft, policy_world, PLANNING_METHOD)
    truth = true_resources(draft, policy_world)
    assert list(pred.columns) == list(truth.columns)
    assert set(pred["role"]) == set(truth["role"])
    assert "outsourcers" in set(pred["role"])
    numeric = pred.drop(columns="role")
    assert (numeric >= 0).all().all()
    assert totals(pred)["outsourcer_spend_hkd"] > 0 and totals(pred)["training_hours_month"] > 0


def test_careful_method_close_naive_far_over_companies():
    """Over several companies the history-based method is within 20%; the naive one is not."""
    careful, naive = [], []
    for seed in range(6):
        world = World.build(Scenario(seed=100 + seed, n_customers=700))
        policy = starter_policy(world)
        truth = true_resources(policy, world)
        careful.append(_error(predict_resources(policy, world, PLANNING_METHOD), truth))
        naive.append(_error(predict_resources(policy, world, ResourceMethod()), truth))
    assert max(careful) < 0.2
    assert min(naive) > 0.25


def test_truth_depends_on_the_seed(draft):
    """Two companies with the same policy need different resources (hidden factors)."""
    a = World.build(Scenario(seed=1, n_customers=700))
    b = World.build(Scenario(seed=2, n_customers=700))
    pa, pb = starter_policy(a), starter_policy(b)
    assert totals(true_resources(pa, a)) != totals(true_resources(pb, b))
    assert totals(true_resources(pa, a)) == totals(true_resources(pa, a.copy()))


def test_more_contact_needs_more_hours(draft, policy_world):
    """Doubling a segment's contact rule raises the predicted hours (monotonic)."""
    from dataclasses import replace

    seg = draft.segment("corporate")
    more = draft.with_segment(replace(seg, channels=tuple(
        replace(r, per_month=r.per_month * 2) for r in seg.channels)))
    assert (totals(predict_resources(more, policy_world, PLANNING_METHOD))["hours_month"]
            > totals(predict_resources(draft, policy_world, PLANNING_METHOD))["hours_month"])


@pytest.mark.parametrize("bad", [dict(handling="guess"), dict(productive_share=0.1),
                                 dict(allow_unanswered="yes"), dict(productive_share=True)])
def test_bad_method_is_a_domain_error(bad):
    """A malformed ResourceMethod raises PolicyError naming the field."""
    with pytest.raises(PolicyError):
        ResourceMethod(**bad)
