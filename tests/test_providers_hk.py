"""Tests of the Hong Kong Faker providers, in the style of Faker's own provider tests.

Check digits worked by hand (weights 9..2; space = 36, A = 10 ... Z = 35):

* ``A123456``:  36·9 + 10·8 + 1·7 + 2·6 + 3·5 + 4·4 + 5·3 + 6·2 = 481;
  481 mod 11 = 8; 11 − 8 = 3  →  ``A123456(3)``.
* ``AB987654``: 10·9 + 11·8 + 9·7 + 8·6 + 7·5 + 6·4 + 5·3 + 4·2 = 371;
  371 mod 11 = 8; 11 − 8 = 3  →  ``AB987654(3)`` (two-letter prefix form).
* ``Z000001``:  36·9 + 35·8 + 1·2 = 606; 606 mod 11 = 1; 11 − 1 = 10  →  ``Z000001(A)``.
* ``A000007``:  36·9 + 10·8 + 7·2 = 418 = 38·11; remainder 0 → 11 → ``A000007(0)``.
"""

import random
import re

import numpy as np
import pytest
from faker import Faker

from crm_sim.providers.hk import PROVIDERS, address, company, hkid, person, phone_number, ssn

SAMPLES = 300
DISTRICTS = tuple(address.Provider.districts)


@pytest.fixture
def fake():
    """A seeded Faker instance with every Hong Kong provider."""
    instance = Faker("en_US")
    for provider in PROVIDERS:
        instance.add_provider(provider)
    instance.seed_instance(2024)
    return instance


class TestHkPhoneNumber:
    """Phone numbers: eight digits with a valid leading digit."""

    def test_phone_number(self, fake):
        """Every number is 8 digits starting 2, 3, 5, 6 or 9."""
        for _ in range(SAMPLES):
            assert re.fullmatch(r"[23569]\d{7}", fake.phone_number())

    def test_mobile_and_landline(self, fake):
        """Mobile numbers start 5/6/9, fixed-line numbers 2/3."""
        for _ in range(SAMPLES):
            assert re.fullmatch(r"[569]\d{7}", fake.mobile_number())
            assert re.fullmatch(r"[23]\d{7}", fake.landline_number())


class TestHkid:
    """HKID-format identifiers and the check-digit algorithm."""

    @pytest.mark.parametrize(
        ("prefix", "digits", "expected"),
        [("A", "123456", "3"), ("AB", "987654", "3"), ("Z", "000001", "A"), ("A", "000007", "0")],
    )
    def test_check_digit_known_examples(self, prefix, digits, expected):
        """The check digit matches the hand-computed examples in the module docstring."""
        assert hkid.check_digit(prefix, digits) == expected

    def test_format_and_validity(self):
        """format_hkid prints the card form; is_valid accepts it and rejects a wrong digit."""
        assert hkid.format_hkid("A", "123456") == "A123456(3)"
        assert hkid.is_valid("A123456(3)")
        assert hkid.is_valid("AB987654(3)")
        assert hkid.is_valid("Z000001(A)")
        assert not hkid.is_valid("A123456(4)")
        assert not hkid.is_valid("A12345(3)")
        assert not hkid.is_valid("a123456(3)")

    def test_ssn_samples(self, fake):
        """Every generated identifier has the card shape and a correct check digit."""
        for _ in range(SAMPLES):
            value = fake.hkid()
            assert re.fullmatch(r"[A-Z]{1,2}\d{6}\([0-9A]\)", value)
            assert hkid.is_valid(value)

    def test_vectorised_matches_scalar(self):
        """check_digits over an array equals check_digit row by row (both prefix forms)."""
        rng = np.random.default_rng(7)
        prefixes = np.array(list(ssn.Provider.hkid_prefixes), dtype="U2")[rng.integers(0, 22, 2000)]
        numbers = rng.integers(0, 10**6, 2000)
        vector = hkid.check_digits(prefixes, numbers)
        scalar = [hkid.check_digit(p, f"{n:06d}") for p, n in zip(prefixes, numbers, strict=True)]
        assert vector.tolist() == scalar
        assert "A" in scalar and "0" in scalar


class TestHkAddress:
    """Districts and addresses."""

    def test_eighteen_districts(self):
        """The district table has the 18 districts with positive population weights."""
        assert len(DISTRICTS) == 18
        assert all(w > 0 for w in address.Provider.districts.values())
        assert set(address.Provider.streets_by_district) == set(DISTRICTS)

    def test_district_samples(self, fake):
        """Every sampled district is one of the 18."""
        for _ in range(SAMPLES):
            assert fake.district() in DISTRICTS

    def test_districts_weighted_by_population(self, fake):
        """Populous districts (Sha Tin, Kwun Tong) come up far more often than Wan Chai/Islands."""
        counts = {d: 0 for d in DISTRICTS}
        for _ in range(3000):
            counts[fake.district()] += 1
        assert counts["Sha Tin"] + counts["Kwun Tong"] > 2 * (
            counts["Wan Chai"] + counts["Islands"]
        )

    def test_address_samples(self, fake):
        """Addresses read flat, floor, building, number + street, district; the street is in it."""
        pattern = re.compile(r"Flat [A-H], (\d{1,2})/F, [A-Za-z ]+, (\d{1,3}) ([A-Za-z' ]+), (.+)")
        for _ in range(SAMPLES):
            match = pattern.fullmatch(fake.address())
            assert match, fake.address()
            assert 1 <= int(match[1]) <= 40
            assert match[4] in DISTRICTS
            assert match[3] in address.Provider.streets_by_district[match[4]]


class TestHkCompany:
    """Company names."""

    def test_company_samples(self, fake):
        """Every company name ends in "Limited" (or "Company Limited")."""
        for _ in range(SAMPLES):
            assert re.fullmatch(
                r"[A-Z][A-Za-z&' ]+ (Company Limited|\(Hong Kong\) Limited|Limited)", fake.company()
            )

    def test_agency_name(self, fake):
        """Agency names are contact-centre companies ending in Limited."""
        assert re.fullmatch(r".+ Contact Centre .*Limited", fake.agency_name())


class TestHkPerson:
    """Romanised Cantonese names."""

    def test_name_samples(self, fake):
        """Names are "Surname Given Given" with an optional ", English"; surnames from the list."""
        pattern = re.compile(r"([A-Z][a-z]+) ([A-Z][a-z]+) ([A-Z][a-z]+)(, [A-Z][a-z]+)?")
        english = 0
        for _ in range(SAMPLES):
            match = pattern.fullmatch(fake.name())
            assert match, fake.name()
            assert match[1] in person.Provider.last_names
            english += match[4] is not None
        assert 0.4 * SAMPLES < english < 0.8 * SAMPLES

    def test_surnames_weighted(self, fake):
        """Chan and Wong together make up well over 10% of sampled surnames."""
        names = [fake.last_name() for _ in range(3000)]
        assert names.count("Chan") + names.count("Wong") > 0.12 * len(names)

    def test_common_surnames_lead(self):
        """Chan and Wong are the most heavily weighted surnames."""
        top = sorted(person.Provider.last_names.items(), key=lambda kv: -kv[1])[:2]
        assert {k for k, _ in top} == {"Chan", "Wong"}


class TestProviderStyle:
    """The providers are declared like Faker's locale providers and use no shared state."""

    @pytest.mark.parametrize("module", [address, company, person, phone_number, ssn])
    def test_no_init(self, module):
        """Provider classes hold data and one-line methods only: no __init__."""
        assert "__init__" not in vars(module.Provider)

    def test_seeded_instance_is_reproducible_and_leaves_global_random(self):
        """Same instance seed, same values; the global `random` state is untouched."""
        state = random.getstate()
        values = []
        for _ in range(2):
            instance = Faker("en_US")
            for provider in PROVIDERS:
                instance.add_provider(provider)
            instance.seed_instance(99)
            values.append(
                [instance.name(), instance.hkid(), instance.address(), instance.company()]
            )
        assert values[0] == values[1]
        assert random.getstate() == state
