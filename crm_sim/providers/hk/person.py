"""Hong Kong personal names: romanised Cantonese, often with an English given name."""

from collections import OrderedDict

from faker.providers.person import Provider as PersonProvider


class Provider(PersonProvider):
    """Names written the Hong Kong way: ``Chan Tai Man, Peter`` (surname first)."""

    # Our OrderedDicts hold real weights: sample by them even when added to a Faker built
    # elsewhere (a provider added with add_provider defaults to uniform sampling).
    __use_weighting__ = True

    # About six in ten adults in Hong Kong use an English given name alongside their
    # Chinese name (illustrative share; no official statistic).
    formats = OrderedDict(
        (
            ("{{last_name}} {{first_name}}", 0.4),
            ("{{last_name}} {{first_name}}, {{english_name}}", 0.6),
        )
    )
    first_name_formats = ("{{given_syllable}} {{given_syllable}}",)

    # Ranking after published lists of the most common Hong Kong surnames in the
    # Government's Cantonese romanisation (e.g. "List of common Chinese surnames",
    # Hong Kong rows). Weights approximate the order; they are illustrative, not counts.
    last_names = OrderedDict(
        (
            ("Chan", 0.095),
            ("Wong", 0.09),
            ("Lee", 0.06),
            ("Cheung", 0.045),
            ("Lau", 0.04),
            ("Ng", 0.035),
            ("Ho", 0.03),
            ("Leung", 0.03),
            ("Lam", 0.03),
            ("Tse", 0.02),
            ("Cheng", 0.02),
            ("Yeung", 0.02),
            ("Chow", 0.018),
            ("Tsang", 0.016),
            ("Li", 0.015),
            ("Mak", 0.013),
            ("Tang", 0.013),
            ("Kwok", 0.012),
            ("Law", 0.012),
            ("Chu", 0.012),
            ("Fung", 0.011),
            ("Choi", 0.011),
            ("Lai", 0.011),
            ("Yip", 0.01),
            ("Chung", 0.01),
            ("Lo", 0.01),
            ("Wu", 0.009),
            ("Tam", 0.009),
            ("Kwan", 0.008),
            ("Siu", 0.008),
            ("Poon", 0.007),
            ("Ma", 0.007),
            ("Yu", 0.007),
            ("Hui", 0.007),
            ("Au", 0.006),
            ("Fong", 0.006),
            ("Sze", 0.005),
            ("Tong", 0.005),
            ("Kong", 0.005),
            ("Yuen", 0.005),
            ("Mok", 0.004),
            ("Chiu", 0.004),
            ("Cheuk", 0.003),
            ("Pang", 0.003),
            ("To", 0.003),
        )
    )

    # Syllables that commonly appear in romanised Cantonese given names (Hong Kong
    # Government Cantonese Romanisation); pairs are formed freely.
    given_syllables = (
        "Tai",
        "Man",
        "Siu",
        "Ming",
        "Ka",
        "Wai",
        "Chi",
        "Kit",
        "Wing",
        "Yan",
        "Hoi",
        "Kwan",
        "Mei",
        "Ling",
        "Hung",
        "Kin",
        "Chun",
        "Fai",
        "Yee",
        "Lok",
        "Sum",
        "Ho",
        "Pui",
        "Shan",
        "Tsz",
        "Hei",
        "Yiu",
        "Cheuk",
        "Kei",
        "Suet",
        "Wah",
        "Keung",
        "Kam",
        "Lai",
        "Fung",
        "Sau",
        "Yuk",
        "On",
        "Tak",
        "Pak",
    )

    # Common English given names among Hong Kong adults (illustrative list).
    english_names = (
        "Peter",
        "Mary",
        "David",
        "Ivy",
        "Kenneth",
        "Karen",
        "Raymond",
        "Winnie",
        "Eric",
        "Joyce",
        "Alan",
        "Cathy",
        "Michael",
        "Jenny",
        "Tony",
        "Carmen",
        "Jason",
        "Vivian",
        "Ken",
        "Phoebe",
        "Andy",
        "Queenie",
        "Calvin",
        "Gigi",
        "Samuel",
        "Fiona",
        "Ricky",
        "Ada",
        "Derek",
        "Cecilia",
        "Wilson",
        "Bonnie",
        "Ivan",
        "Grace",
        "Edmond",
        "Stephanie",
        "Gary",
        "Janice",
        "Vincent",
        "Eunice",
    )

    # Job titles of decision makers and their colleagues at business customers.
    job_titles = (
        "Director",
        "Managing Director",
        "General Manager",
        "IT Manager",
        "Procurement Manager",
        "Finance Manager",
        "Office Manager",
        "Operations Manager",
        "Chief Financial Officer",
        "Administration Officer",
    )

    def first_name(self) -> str:
        """A two-syllable Cantonese given name, e.g. ``Tai Man``."""
        return self.generator.parse(self.random_element(self.first_name_formats))

    def given_syllable(self) -> str:
        """One syllable of a Cantonese given name."""
        return self.random_element(self.given_syllables)

    def english_name(self) -> str:
        """An English given name as used alongside a Chinese name."""
        return self.random_element(self.english_names)

    def job_title(self) -> str:
        """The title of a contact person at a business customer."""
        return self.random_element(self.job_titles)
