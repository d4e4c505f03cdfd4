"""Hong Kong telephone numbers: eight digits, no area code."""

from faker.providers.phone_number import Provider as PhoneNumberProvider

# Numbering plan: OFCA, "Hong Kong Numbering Plan" — fixed-line numbers start with 2 or 3,
# mobile numbers with 5, 6 or 9 (4 and 7 also exist but are left out on purpose).


class Provider(PhoneNumberProvider):
    """Eight-digit numbers with a valid leading digit."""

    mobile_formats = ("5#######", "6#######", "9#######")
    landline_formats = ("2#######", "3#######")
    formats = mobile_formats + landline_formats

    def mobile_number(self) -> str:
        """A mobile number (leading 5, 6 or 9)."""
        return self.numerify(self.random_element(self.mobile_formats))

    def landline_number(self) -> str:
        """A fixed-line number (leading 2 or 3)."""
        return self.numerify(self.random_element(self.landline_formats))
