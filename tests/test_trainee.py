"""Tests of per-trainee worlds: stable seeds, unit defaults, cached deep copies."""

import pytest

from crm_sim import FieldError
from crm_sim.trainee import UNIT_SCENARIOS, _cached_world, scenario_for, trainee_seed, world_for


def test_seed_is_stable_known_value():
    """The seed is sha256-based: a fixed input always gives this exact number, on any machine."""
    assert trainee_seed("t001", "ITCSCR304A") == 7122103466512300740
    assert 0 <= trainee_seed("x", "104917L3", "secret") < 2**63


def test_seed_depends_on_every_part():
    """Trainee id, unit and salt each change the seed."""
    base = trainee_seed("t001", "ITCSCR304A")
    assert trainee_seed("t002", "ITCSCR304A") != base
    assert trainee_seed("t001", "ITCSCR410A") != base
    assert trainee_seed("t001", "ITCSCR304A", salt="hidden") != base


@pytest.mark.parametrize("bad", ["", "   ", None, 42, b"t001"])
def test_invalid_trainee_id(bad):
    """Empty, blank or non-str trainee ids raise FieldError naming trainee_id."""
    with pytest.raises(FieldError, match="trainee_id"):
        trainee_seed(bad, "ITCSCR304A")
    with pytest.raises(FieldError, match="trainee_id"):
        world_for(bad, "ITCSCR304A")


def test_invalid_unit_and_salt():
    """Unknown units and non-str salts raise FieldError naming the field."""
    with pytest.raises(FieldError, match="unit"):
        world_for("t001", "NOPE")
    with pytest.raises(FieldError, match="salt"):
        trainee_seed("t001", "ITCSCR304A", salt=1)


def test_unit_scenarios():
    """Every unit has a default scenario: ICT units 600–1500 customers, 104917L3 timepiece."""
    assert set(UNIT_SCENARIOS) == {
        "ITCSCR304A",
        "ITCSCR410A",
        "ITCSCR512A",
        "ITCSCR516A",
        "104917L3",
    }
    for unit, scenario in UNIT_SCENARIOS.items():
        assert scenario.industry == ("timepiece" if unit == "104917L3" else "ict")
        assert 600 <= scenario.n_customers <= 1500 and scenario.months_history == 12
    assert scenario_for("t001", "ITCSCR304A").seed == trainee_seed("t001", "ITCSCR304A")


def test_world_for_is_cached_copy():
    """world_for builds once per process and hands out deep copies callers cannot corrupt."""
    _cached_world.cache_clear()
    first = world_for("t777", "104917L3")
    first.customers.loc[0, "name"] = "Tampered"
    first.today = "2040-01-01"
    second = world_for("t777", "104917L3")
    assert second.customers.loc[0, "name"] != "Tampered" and second.today == "2026-01-01"
    assert second is not first
    assert _cached_world.cache_info().hits >= 1 and _cached_world.cache_info().misses == 1
    assert second.scenario.seed == trainee_seed("t777", "104917L3")
