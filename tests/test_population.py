"""Tests of the population builder's parts: Faker seeding, name pools, unique draws."""

import random

import numpy as np

from crm_sim.population import NamePool, _rowwise_choice, build_population, hk_faker
from crm_sim.rng import Streams
from crm_sim.scenario import Scenario


def test_hk_faker_is_instance_seeded():
    """hk_faker(seed) reproduces the same values and never touches the global random."""
    state = random.getstate()
    assert [hk_faker(3).name() for _ in range(2)] == [hk_faker(3).name() for _ in range(2)]
    assert hk_faker(3).name() != hk_faker(4).name() or hk_faker(3).hkid() != hk_faker(4).hkid()
    assert random.getstate() == state


def test_name_pool_draws_are_consistent():
    """Drawn names carry their e-mail stem: English name (or squashed given) + surname."""
    pool = NamePool(hk_faker(1), size=50)
    drawn = pool.draw(np.random.default_rng(0), 500, 0.5)
    for name, surname, stem in zip(drawn["name"], drawn["surname"], drawn["stem"], strict=True):
        assert name.startswith(surname + " ")
        first = name.split(", ")[1] if ", " in name else name[len(surname) + 1 :].replace(" ", "")
        assert stem == f"{first.lower()}.{surname.lower()}"
    english = sum(", " in n for n in drawn["name"])
    assert 180 < english < 320


def test_population_unique_contact_data_and_codes():
    """Phones and HKIDs are unique; the numpy codes returned agree with the tables."""
    sc = Scenario(seed=12, n_customers=2000)
    tables, arrays = build_population(sc, Streams(sc.seed))
    customers = tables["customers"]
    assert customers["phone"].is_unique
    held = customers["hkid"][customers["hkid"] != ""]
    assert held.is_unique
    assert (np.array(sc.segments, dtype=object)[arrays["segment"]] == customers["segment"]).all()
    since = customers["since"].to_numpy(object).astype("datetime64[D]")
    assert (since == arrays["since"]).all()
    assert len(tables["latent"]) == 2000 and not tables["latent"]["fatigue"].any()


def test_segment_mix_is_respected():
    """Segment shares in a large population are close to the scenario's mix."""
    sc = Scenario(
        seed=2, n_customers=20_000, months_history=0, segment_mix={"sme": 0.5, "individual": 0.5}
    )
    tables, _ = build_population(sc, Streams(sc.seed))
    shares = tables["customers"]["segment"].value_counts(normalize=True)
    assert "corporate" not in shares and abs(shares["sme"] - 0.5) < 0.02


def test_phone_numbers_unique_at_scale():
    """_phones never repeats a number, even for 200,000 rows, and keeps lead digits by kind."""
    from crm_sim.population import _phones

    mobile = np.random.default_rng(1).random(200_000) < 0.6
    numbers = _phones(np.random.default_rng(0), mobile)
    assert len(set(numbers)) == len(numbers)
    leads = np.array([n[0] for n in numbers])
    assert set(leads[mobile]) == {"5", "6", "9"} and set(leads[~mobile]) == {"2", "3"}


def test_rowwise_choice_by_table_equals_choice_on_gathered_rows():
    """Cumulative sums taken per table row give the draws of the per-customer matrix."""
    table = np.array([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8], [1.0, 0.0, 0.0]])
    rows = np.random.default_rng(2).integers(0, 3, 4_000)
    probs = table[rows]
    cum = np.cumsum(probs, axis=1)
    cum /= cum[:, -1:]
    expected = np.minimum(
        (np.random.default_rng(5).random(len(probs))[:, None] > cum).sum(axis=1), 2)
    assert np.array_equal(_rowwise_choice(np.random.default_rng(5), table, rows), expected)
