"""Hong Kong company names: registered companies end in "Limited"."""

from collections import OrderedDict

from faker.providers.company import Provider as CompanyProvider


class Provider(CompanyProvider):
    """Company names such as ``Harbour Digital Logistics Company Limited``."""

    # Our OrderedDicts hold real weights: sample by them even when added to a Faker built
    # elsewhere (a provider added with add_provider defaults to uniform sampling).
    __use_weighting__ = True

    formats = ("{{company_prefix}} {{company_modifier}} {{company_core}} {{company_suffix}}",)

    # Companies Registry naming: a private company limited by shares ends in "Limited";
    # "Company Limited" and "(Hong Kong) Limited" are common variants. Weights illustrative.
    company_suffixes = OrderedDict(
        (("Limited", 0.45), ("Company Limited", 0.45), ("(Hong Kong) Limited", 0.10))
    )

    # Words frequently seen at the start of Hong Kong business names (illustrative).
    company_prefixes = (
        "Harbour",
        "Victoria",
        "Golden",
        "Pacific",
        "Dragon",
        "Jade",
        "Kowloon",
        "Lion Rock",
        "Peak",
        "Orient",
        "Pearl",
        "Star",
        "Phoenix",
        "Lotus",
        "Fortune",
        "Everbright",
        "Silver",
        "Tin Hau",
        "Bauhinia",
        "Evergreen",
        "Kai Tak",
        "Wing On",
        "Tai Fung",
        "Sun Hing",
        "Hop Lee",
        "Man Shing",
        "Yue Hing",
        "Kwong Fat",
        "Wah Kee",
        "Hang Fat",
        "Chung Hing",
        "Grand",
        "Royal",
        "Summit",
        "Apex",
        "Crystal",
        "Ocean",
        "Metro",
        "Eastern",
        "Western",
        "Lantau",
        "Sai Kung",
        "Cheung Kong",
        "Tai Ping",
        "Ming Fai",
        "Sino",
        "Unity",
        "Prosper",
        "Bright",
        "Vista",
    )
    company_modifiers = (
        "Asia",
        "Global",
        "International",
        "Digital",
        "Smart",
        "Union",
        "United",
        "Creative",
        "Premier",
        "Allied",
        "Modern",
        "Prime",
        "Pioneer",
        "Century",
        "Trust",
        "First",
        "Universal",
        "Dynamic",
        "Rapid",
        "Classic",
    )
    company_cores = (
        "Trading",
        "Technology",
        "Logistics",
        "Engineering",
        "Holdings",
        "Garments",
        "Electronics",
        "Properties",
        "Investment",
        "Printing",
        "Food",
        "Construction",
        "Consultants",
        "Design",
        "Travel",
        "Jewellery",
        "Medical",
        "Education",
        "Finance",
        "Shipping",
        "Security",
        "Catering",
        "Textiles",
        "Furniture",
        "Cosmetics",
        "Media",
        "Software",
        "Healthcare",
        "Trading & Development",
        "Motors",
        "Interiors",
        "Packaging",
        "Optical",
        "Hardware",
        "Seafood",
        "Tea",
        "Beauty",
        "Fitness",
        "Cleaning Services",
        "Accounting",
    )

    def company_prefix(self) -> str:
        """The first word(s) of a company name."""
        return self.random_element(self.company_prefixes)

    def company_modifier(self) -> str:
        """The middle word of a company name."""
        return self.random_element(self.company_modifiers)

    def company_core(self) -> str:
        """The line of business in a company name."""
        return self.random_element(self.company_cores)

    def company_suffix(self) -> str:
        """The legal ending: Limited or a variant of it."""
        return self.random_element(self.company_suffixes)

    def agency_name(self) -> str:
        """A call-centre agency (outsourcer) name."""
        return self.generator.parse("{{company_prefix}} Contact Centre {{company_suffix}}")
