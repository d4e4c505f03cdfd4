"""Hong Kong Identity Card numbers (synthetic, with a correct check digit)."""

from collections import OrderedDict

from faker.providers.ssn import Provider as SsnProvider

from crm_sim.providers.hk import hkid

# Prefix letters: Immigration Department, "Hong Kong Identity Card" symbol/prefix notes.
# Single letters are by far the most common; two-letter prefixes (e.g. XA, XB) exist for
# some card holders. Weights are illustrative, not official counts.


class Provider(SsnProvider):
    """HKID-format identifiers: ``A123456(3)`` or ``XA123456(9)``."""

    # Our OrderedDicts hold real weights: sample by them even when added to a Faker built
    # elsewhere (a provider added with add_provider defaults to uniform sampling).
    __use_weighting__ = True

    hkid_prefixes = OrderedDict(
        (
            ("A", 0.05),
            ("B", 0.02),
            ("C", 0.08),
            ("D", 0.08),
            ("E", 0.08),
            ("G", 0.08),
            ("H", 0.06),
            ("K", 0.08),
            ("M", 0.04),
            ("P", 0.08),
            ("R", 0.08),
            ("S", 0.03),
            ("V", 0.05),
            ("Y", 0.06),
            ("Z", 0.08),
            ("XA", 0.01),
            ("XB", 0.01),
            ("XC", 0.01),
            ("XD", 0.01),
            ("XE", 0.01),
            ("XG", 0.01),
            ("XH", 0.01),
        )
    )

    def ssn(self) -> str:
        """An HKID-format identifier with a correct check digit."""
        return hkid.format_hkid(self.random_element(self.hkid_prefixes), self.numerify("######"))

    def hkid(self) -> str:
        """Alias of `ssn` under the name Hong Kong people use."""
        return self.ssn()
