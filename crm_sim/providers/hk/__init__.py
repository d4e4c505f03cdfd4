"""Hong Kong Faker providers, declared like Faker's own locale providers.

Usage::

    from faker import Faker
    from crm_sim.providers.hk import PROVIDERS

    fake = Faker("en_US")
    for provider in PROVIDERS:
        fake.add_provider(provider)
    fake.seed_instance(1234)      # never Faker.seed(): that reseeds the shared random
    fake.name(), fake.phone_number(), fake.hkid(), fake.company(), fake.address()

All data produced is synthetic; only district and street names are real places.
"""

from crm_sim.providers.hk import address, company, person, phone_number, ssn

PROVIDERS = (
    person.Provider,
    company.Provider,
    address.Provider,
    phone_number.Provider,
    ssn.Provider,
)

__all__ = ["PROVIDERS", "address", "company", "person", "phone_number", "ssn"]
