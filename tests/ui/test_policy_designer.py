"""The policy designer driven from code: value is the policy, issues show inline."""

import pytest

from crm_sim import Scenario, World
from crm_sim.errors import CrmSimError
from crm_sim.policy import ContactPolicy, starter_policy
from crm_sim.ui.policy_designer import PolicyDesigner


@pytest.fixture(scope="module")
def world():
    """A small ICT company."""
    return World.build(Scenario(seed=11, n_customers=600))


def test_opens_on_a_launchable_draft(world):
    """Without a policy it opens on the starter draft, which has no issue."""
    view = PolicyDesigner(world)
    assert view.problems() == []
    assert "can be launched" in view._issues.value
    assert ContactPolicy.from_dict(view.value) == starter_policy(world)


def test_methods_change_the_value_and_show_issues(world):
    """Setting a channel the segment cannot be reached on shows the issue with its fix."""
    view = PolicyDesigner(world)
    view.set_contact("individual", "visit", 1.0, "retention")
    assert any(r["channel"] == "visit" for r in
               next(s for s in view.value["segments"] if s["segment"] == "individual")
               ["channels"])
    assert "individual customers by visit" in view._issues.value
    view.set_contact("individual", "visit", 0)
    view.set_privacy(respects_consent=False)
    assert "PDPO (Cap. 486) s.35E" in view._issues.value
    view.set_privacy(respects_consent=True)
    view.set_segment("sme", training_hours_month=0.0)
    assert any("training_hours_month" in p for p in view.problems())
    view.set_policy(review_every_months=6)
    assert any("review_every_months" in p for p in view.problems())


def test_controls_drive_the_policy_like_methods(world):
    """Changing a control (as a click does) changes the policy; the controls follow methods."""
    view = PolicyDesigner(world)
    view._controls[("corporate", "n", "email")].value = 0.5
    rules = {r.channel: r.per_month for r in view.policy.segment("corporate").channels}
    assert rules["email"] == 0.5
    view.set_segment("corporate", min_skill=0.45)
    assert view._controls[("corporate", "min_skill")].value == 0.45
    view._controls[("privacy", "opt_out_days")].value = 30
    assert view.policy.privacy.opt_out_days == 30


def test_refused_values_leave_the_policy_unchanged(world):
    """A malformed value raises a domain error and leaves the policy as it was."""
    view = PolicyDesigner(world)
    before = view.policy
    with pytest.raises(CrmSimError):
        view.set_segment("sme", retention_rate=3.0)
    with pytest.raises(CrmSimError):
        view.set_segment("sme", hack=1)
    assert view.policy == before
    view._controls[("sme", "staff_roles")].value = ()
    assert any("no staff role" in p for p in view.problems())


def test_budget_with_headroom(world):
    """The budget button sets the expected cost plus the headroom, in whole thousands."""
    view = PolicyDesigner(world)
    view.set_policy(monthly_budget_hkd=0.0)
    budget = view.budget_with_headroom(0.1)
    assert budget % 1000 == 0 and view.policy.monthly_budget_hkd == budget
    assert not [p for p in view.problems() if "budget" in p]
    with pytest.raises(CrmSimError):
        view.budget_with_headroom(5)
