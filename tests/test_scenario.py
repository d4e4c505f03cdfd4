"""Tests of `Scenario`: validation, derived counts, serialisation and property tests."""

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_sim import Scenario, ScenarioError, World
from crm_sim.schema import INDUSTRIES, SEGMENTS

valid_scenarios = st.builds(
    Scenario,
    seed=st.integers(0, 2**63 - 1),
    n_customers=st.integers(1, 80),
    industry=st.sampled_from(INDUSTRIES),
    start_date=st.dates(
        min_value=__import__("datetime").date(2000, 1, 1),
        max_value=__import__("datetime").date(2090, 12, 31),
    ).map(lambda d: d.isoformat()),
    months_history=st.integers(0, 3),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_scenarios)
def test_valid_scenarios_build(scenario):
    """Any valid scenario builds a world with the asked number of customers and the right clock."""
    world = World.build(scenario)
    assert len(world.customers) == scenario.n_customers
    assert world.today == scenario.end_date
    assert set(world.customers["segment"]) <= set(SEGMENTS[scenario.industry])


@settings(max_examples=60, deadline=None)
@given(valid_scenarios)
def test_valid_scenarios_validate_and_round_trip(scenario):
    """Valid scenarios derive positive counts, keep a normalised mix and survive to/from dict."""
    assert scenario.n_staff >= 1 and scenario.n_products >= 1 and scenario.n_outsourcers >= 0
    assert abs(sum(share for _, share in scenario.segment_mix) - 1) < 1e-9
    assert [seg for seg, _ in scenario.segment_mix] == list(SEGMENTS[scenario.industry])
    assert Scenario.from_dict(scenario.to_dict()) == scenario


BAD_VALUES = {
    "seed": st.one_of(st.integers(max_value=-1), st.booleans(), st.floats(), st.text()),
    "n_customers": st.one_of(
        st.integers(max_value=0), st.integers(min_value=200_001), st.floats(), st.none()
    ),
    "industry": st.text().filter(lambda t: t not in INDUSTRIES),
    "start_date": st.one_of(
        st.text().filter(lambda t: len(t) != 10),
        st.integers(),
        st.just("2025-02-30"),
        st.just("1999-12-31"),
        st.just("2025-1-01"),
    ),
    "months_history": st.one_of(st.integers(max_value=-1), st.integers(min_value=61), st.floats()),
    "n_staff": st.one_of(st.integers(max_value=0), st.floats()),
    "n_products": st.one_of(st.integers(max_value=0), st.integers(min_value=17)),
}


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(BAD_VALUES)).flatmap(lambda f: st.tuples(st.just(f), BAD_VALUES[f])))
def test_invalid_values_name_the_field(case):
    """An invalid value for any field raises ScenarioError whose message names that field."""
    field, value = case
    with pytest.raises(ScenarioError) as info:
        Scenario(**{field: value})
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}:")
    assert "Fix:" in str(info.value)


def test_segment_mix_errors():
    """Unknown segments, bad shares and shares not summing to 1 are refused with the field named."""
    with pytest.raises(ScenarioError, match="segment_mix"):
        Scenario(industry="ict", segment_mix={"collector": 1.0})
    with pytest.raises(ScenarioError, match=r"segment_mix\['sme'\]"):
        Scenario(segment_mix={"sme": -0.5, "individual": 1.5})
    with pytest.raises(ScenarioError, match="summing to 1"):
        Scenario(segment_mix={"sme": 0.5})
    with pytest.raises(ScenarioError, match="segment_mix"):
        Scenario(segment_mix=42)


def test_segment_mix_normalised_and_ordered():
    """A mix given in any order is stored in schema order, normalised to sum exactly 1."""
    sc = Scenario(segment_mix={"individual": 0.5, "corporate": 0.2, "sme": 0.305})
    assert [s for s, _ in sc.segment_mix] == ["corporate", "sme", "individual"]
    assert sum(sc.mix.values()) == pytest.approx(1.0, abs=1e-12)


def test_derived_counts_follow_size():
    """Staff grow with customers (within bounds); products default to the full catalogue."""
    small, big = Scenario(n_customers=100), Scenario(n_customers=100_000)
    assert small.n_staff == 4 and big.n_staff == 600
    assert small.n_products == 16
    assert Scenario(n_customers=600).n_staff == 10
    assert Scenario(n_staff=7).n_staff == 7


def test_frozen_and_hashable():
    """Scenarios cannot be changed in place and can key a dict; replace() revalidates."""
    sc = Scenario.demo()
    with pytest.raises(dataclasses.FrozenInstanceError):
        sc.seed = 3
    assert {sc: 1}[Scenario.demo()] == 1
    assert sc.replace(seed=5).seed == 5
    with pytest.raises(ScenarioError):
        sc.replace(n_customers=-1)


def test_demo_and_end_date():
    """demo() gives 800 customers of the asked industry; end_date adds whole months."""
    assert Scenario.demo("timepiece").industry == "timepiece"
    assert Scenario.demo().n_customers == 800
    assert Scenario(start_date="2024-01-31", months_history=1).end_date == "2024-02-29"
    assert Scenario(start_date="2025-03-15", months_history=12).end_date == "2026-03-15"


def test_from_dict_rejects_unknown_keys():
    """Unknown keys in stored scenario data raise ScenarioError listing them."""
    with pytest.raises(ScenarioError, match="colour"):
        Scenario.from_dict({"seed": 1, "colour": "red"})


def test_numpy_integers_accepted_as_plain_ints():
    """NumPy integers are accepted and stored as plain int (so JSON and hashing work)."""
    import numpy as np

    sc = Scenario(seed=np.int64(7), n_customers=np.int32(50), n_staff=np.int64(3))
    assert (sc.seed, sc.n_customers, sc.n_staff) == (7, 50, 3)
    assert type(sc.seed) is int and type(sc.n_customers) is int
    with pytest.raises(ScenarioError, match="seed"):
        Scenario(seed=np.bool_(True))
