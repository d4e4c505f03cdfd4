"""Contact rates driven from code: the plan rows, consent, and the policy protocol."""

from __future__ import annotations

import pytest

from crm_sim import FieldError, Scenario, World
from crm_sim.programme_sim import simulate
from crm_sim.ui.contact_rates import ContactRates


def test_value_lists_planned_segments_only():
    """Only segments with a rate above zero are in the plan, with their channel."""
    view = ContactRates(("corporate", "sme", "individual"))
    view.set_rate("sme", "phone", 0.5)
    assert view.value == {"contacts": [{"segment": "sme", "channel": "phone", "per_month": 0.5,
                                        "purpose": "retention"}], "respects_consent": True}


def test_ignoring_consent_is_named_and_simulated():
    """Unticking consent warns in words and the simulation counts unconsented contacts."""
    world = World.build(Scenario(seed=3, n_customers=500))
    view = ContactRates(world.scenario.segments)
    view.set_rate("individual", "message", 1.0)
    view.set_consent(False)
    assert "s.35E" in view._status.value
    result = simulate(world, view.as_policy(), months=2, commit=False)
    assert result.summary()["unconsented_contacts"] > 0


def test_bad_values_name_the_field():
    """An unknown segment, channel or an absurd rate raises FieldError naming it."""
    view = ContactRates(("sme",))
    for args, field in ((("vip", "phone", 1), "segment"), (("sme", "fax", 1), "channel"),
                        (("sme", "phone", 99), "per_month")):
        with pytest.raises(FieldError) as err:
            view.set_rate(*args)
        assert err.value.field == field
